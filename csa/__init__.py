"""csa — customer-success analytics: KPI helpers for the handbook's notebooks.

Layers (nothing imports upward): :mod:`csa.stats` (intervals, tests, sample sizes on counts) →
:mod:`csa.metrics` (one module per metric family: counts, then statistics) → :mod:`csa.views`
(a Dataset and parameters in, a notebook's tables, sentences and headline out) →
:mod:`csa.display` (generic charts and tables) → :mod:`csa.report`, :mod:`csa.cli`.
"""

from . import datasets, stats
from .errors import DataError, Problem
from .io import Dataset, inspect, load
from .metrics.nps import nps
from .schema import TABLES

__version__ = "0.1.0"
__all__ = ["TABLES", "DataError", "Dataset", "Problem", "__version__", "datasets", "inspect", "load", "nps",
           "stats"]
