"""csa — customer-success analytics: KPI helpers for the handbook's notebooks."""

from .errors import DataError, Problem
from .io import Dataset, inspect, load
from .metrics.nps import nps
from .schema import TABLES

__version__ = "0.1.0"
__all__ = ["DataError", "Problem", "Dataset", "load", "inspect", "nps", "TABLES", "__version__"]
