"""Display: generic charts that take column names, and table formatting, in English or Japanese.

Nothing here computes a metric, and nothing in :mod:`csa.metrics` imports from here.
"""

from . import charts, tables
from .charts import COLORS, FONT, estimate_by_group, heatmap, interval_ladder, shares_bar, trend, use_japanese_font
from .tables import format_table

__all__ = ["COLORS", "FONT", "charts", "estimate_by_group", "format_table", "heatmap", "interval_ladder",
           "shares_bar", "tables", "trend", "use_japanese_font"]
