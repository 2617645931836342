"""csa — customer-success analytics: KPI helpers for the handbook's notebooks.

Layers (nothing imports upward): :mod:`csa.stats` (intervals, tests, sample sizes on counts) →
:mod:`csa.metrics` (one module per metric family: counts, then statistics) → :mod:`csa.views`
(a Dataset and parameters in, a notebook's tables, sentences and headline out) →
:mod:`csa.display` (generic charts and tables) → :mod:`csa.report`, :mod:`csa.cli`.
"""

from . import datasets, datasets_public, stats
from ._version import __version__
from .businesstime import business_minutes
from .errors import DataError, Problem
from .health import HealthModel, backtest, health_features
from .io import Dataset, inspect, load
from .kpi import KPIS, measure
from .metrics.churn import customer_churn, mrr_movements, revenue_churn
from .metrics.did import did
from .metrics.ltv import customer_ltv, ltv, ltv_from_churn, ltv_tiers
from .metrics.nps import nps
from .metrics.support import fcr
from .metrics.survey import ces, csat, gcr
from .metrics.survival import survival
from .schema import TABLES
from .stats import proportion

__all__ = [
    "KPIS", "TABLES", "DataError", "Dataset", "HealthModel", "Problem", "__version__", "backtest",
    "business_minutes", "ces", "csat", "customer_churn", "customer_ltv", "datasets", "datasets_public", "did",
    "fcr", "gcr", "health_features",
    "inspect", "load", "ltv", "ltv_from_churn", "ltv_tiers", "measure", "mrr_movements", "nps", "proportion",
    "revenue_churn", "stats", "survival",
]
