"""The KPI catalogue: every KPI declared once (:data:`KPIS`) and computed through one entry point (:func:`measure`).

* :mod:`csa.kpi.spec` — what a declaration holds (:class:`KPI`, :class:`Param`, :class:`Fmt`);
* :mod:`csa.kpi.catalog` — the declarations;
* :mod:`csa.kpi.kernels` — how each is aggregated, on pandas, DuckDB or Spark (narwhals);
* :mod:`csa.kpi.estimate` — the statistics on the aggregated tables (one result shape);
* :mod:`csa.kpi.measure` — :func:`measure`, :func:`history`, :func:`table`, :func:`compare`;
* :mod:`csa.kpi.source` — the data on an engine (:func:`open_tables`).

>>> from csa.kpi import KPIS
>>> KPIS["nps"]
KPI('nps': Net Promoter Score, points, higher is better)
"""

from .catalog import KPIS, ORDER
from .measure import HISTORY_COLUMNS, Result, compare, drivers, get, history, measure, rows, table
from .source import Tables, open_tables
from .spec import KPI, Fmt, Param

__all__ = ["HISTORY_COLUMNS", "KPI", "KPIS", "ORDER", "Fmt", "Param", "Result", "Tables", "compare", "drivers", "get",
           "history", "measure", "open_tables", "rows", "table"]
