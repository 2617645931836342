"""Display: generic charts that take column names, and table formatting, in English or Japanese.

Nothing here computes a metric, and nothing in :mod:`csa.metrics` imports from here.
"""

from . import charts, tables
from .charts import (
    COLORS,
    FONT,
    binned,
    estimate_by_group,
    funnel,
    heatmap,
    interval_ladder,
    scale_picture,
    shares_bar,
    shrinkage,
    trend,
    use_japanese_font,
)
from .tables import format_table

__all__ = ["COLORS", "FONT", "binned", "charts", "estimate_by_group", "format_table", "funnel", "heatmap",
           "interval_ladder", "scale_picture", "shares_bar", "shrinkage", "tables", "trend", "use_japanese_font"]
