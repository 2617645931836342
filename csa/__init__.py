"""csa — customer-success analytics: KPI helpers for the handbook's notebooks.

Layers (nothing imports upward): :mod:`csa.stats` (intervals, tests, sample sizes on counts) →
:mod:`csa.metrics` (one module per metric family: counts, then statistics) → :mod:`csa.views`
(a Dataset and parameters in, a notebook's tables, sentences and headline out) →
:mod:`csa.display` (generic charts and tables) → :mod:`csa.report`, :mod:`csa.cli`.
"""

from . import datasets, stats
from .errors import DataError, Problem
from .io import Dataset, inspect, load
from .metrics.churn import customer_churn, mrr_movements, revenue_churn
from .metrics.nps import nps
from .metrics.survival import survival
from .schema import TABLES
from .stats import proportion

__version__ = "0.1.0"
__all__ = ["TABLES", "DataError", "Dataset", "Problem", "__version__", "customer_churn", "datasets", "inspect", "load",
           "mrr_movements", "nps", "proportion", "revenue_churn", "stats", "survival"]
