"""Charts for the notebooks and reports: each returns its Axes and takes ``lang="en"|"ja"``.

Japanese text uses IPAexGothic, shipped by the ``matplotlib-fontja`` package. The font is
registered with matplotlib without importing that package (its import changes global
settings); charts set it on their own text, so importing ``csa`` changes nothing globally.
Call :func:`use_japanese_font` once in a notebook to make it the default for other charts too.
"""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes

from .i18n import t

__all__ = ["FONT", "use_japanese_font", "nps_distribution", "nps_trend", "nps_by_group", "COLORS"]

FONT = "IPAexGothic"
FAMILY = [FONT, "DejaVu Sans"]
COLORS = {"detractors": "#d1495b", "passives": "#c9c9c9", "promoters": "#2e8b57", "line": "#1f4e79"}
_registered = False


def _register() -> None:
    global _registered
    if _registered:
        return
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("matplotlib-fontja is needed for Japanese charts: pip install matplotlib-fontja")
    ttf = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    font_manager.fontManager.addfont(str(ttf))
    _registered = True


def use_japanese_font() -> None:
    """Make IPAexGothic the default font (call it explicitly, e.g. in a notebook's setup)."""
    _register()
    matplotlib.rcParams["font.family"] = FAMILY


@contextmanager
def _style():
    _register()
    with matplotlib.rc_context({"font.family": FAMILY, "axes.spines.top": False, "axes.spines.right": False}):
        yield


def _axes(ax: Axes | None, size=(7, 3.6)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _finish(ax: Axes) -> Axes:
    """Put the Japanese-capable font on text created before the chart (e.g. by the caller's
    ``plt.subplots``) or drawn later (tick labels)."""
    ax.tick_params(labelfontfamily=FONT)
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts):
        text.set_fontfamily(FAMILY)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_fontfamily(FAMILY)
    return ax


def _no_data(ax: Axes, title: str, lang: str) -> Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, t("no_data", lang), ha="center", va="center", transform=ax.transAxes, color="grey")
    ax.set_xticks([])
    ax.set_yticks([])
    return _finish(ax)


def nps_distribution(table: pd.DataFrame, by: str | None = None, *, lang: str = "en", ax: Axes | None = None) -> Axes:
    """Stacked horizontal bars: % detractors, passives, promoters per row of an NPS table.

    ``table`` comes from :func:`csa.nps.nps_table`; ``by`` names its label column (``None``:
    one bar labelled "All"). Bars with no responses are left empty.
    """
    with _style():
        ax = _axes(ax, (7, 0.6 + 0.45 * max(len(table), 1)))
        title = t("title_distribution", lang)
        data = table[table["n"] > 0] if len(table) else table
        if data.empty:
            return _no_data(ax, title, lang)
        if by is None and len(data) > 1:
            raise ValueError(f"the table has {len(data)} rows: name its label column, e.g. by='touchpoint'")
        labels = [t("all", lang)] if by is None else [t(str(v), lang) for v in data[by]]
        y = np.arange(len(data))[::-1]
        left = np.zeros(len(data))
        for key in ("detractors", "passives", "promoters"):
            share = data[f"pct_{key}"].to_numpy(dtype=float)
            ax.barh(y, share, left=left, color=COLORS[key], label=t(key, lang), height=0.6)
            for yi, l, s in zip(y, left, share):
                if s >= 6:
                    ax.text(l + s / 2, yi, f"{s:.0f}%", ha="center", va="center", fontsize=8,
                            color="white" if key != "passives" else "black")
            left += share
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 100)
        ax.set_xlabel(t("share", lang))
        ax.set_title(title, pad=24)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False, fontsize=8)
        return _finish(ax)


def nps_trend(table: pd.DataFrame, *, period: str = "period", lang: str = "en", level: float = 0.95,
              ax: Axes | None = None) -> Axes:
    """NPS per period with its interval as a band; periods flagged ``small_n`` drawn hollow."""
    with _style():
        ax = _axes(ax)
        title = t("title_trend", lang)
        data = table[table["n"] > 0]
        if data.empty:
            return _no_data(ax, title, lang)
        x = np.arange(len(data))
        ax.fill_between(x, data["low"], data["high"], color=COLORS["line"], alpha=0.15, linewidth=0,
                        label=t("interval", lang, level=level))
        ax.plot(x, data["nps"], color=COLORS["line"], marker="o", markersize=4, label=t("nps", lang))
        small = data["small_n"].to_numpy(bool)
        if small.any():
            ax.plot(x[small], data["nps"].to_numpy()[small], "o", markerfacecolor="white",
                    markeredgecolor=COLORS["line"], label=t("small_n", lang))
        ax.axhline(0, color="grey", linewidth=0.8)
        labels = [str(p) for p in data[period]]
        step = max(1, len(labels) // 12)
        ax.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
        ax.set_ylabel(t("nps", lang))
        ax.set_xlabel(t(period, lang))
        ax.set_title(title)
        ax.legend(frameon=False, fontsize=8)
        return _finish(ax)


def nps_by_group(table: pd.DataFrame, by: str = "touchpoint", *, lang: str = "en", level: float = 0.95,
                 ax: Axes | None = None) -> Axes:
    """NPS per group (touchpoint, segment, …) as points with interval bars, best on top."""
    with _style():
        ax = _axes(ax, (7, 0.8 + 0.45 * max(len(table), 1)))
        title = t("title_by_touchpoint", lang) if by == "touchpoint" else t("title_by_group", lang, group=t(by, lang))
        data = table[table["n"] > 0].sort_values("nps")
        if data.empty:
            return _no_data(ax, title, lang)
        y = np.arange(len(data))
        # the interval is drawn on its own: with adjusted Wald it is centred on the adjusted NPS,
        # so in very small groups the plain NPS (the point) can lie outside it
        ax.hlines(y, data["low"], data["high"], color=COLORS["line"], linewidth=2, alpha=0.6,
                  label=t("interval", lang, level=level))
        ax.plot(data["nps"], y, "o", color=COLORS["line"], label=t("nps", lang))
        for yi, (_, row) in zip(y, data.iterrows()):
            ax.annotate(f"{row['nps']:+.0f} (n={int(row['n'])})", (row["high"], yi), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8)
        ax.set_yticks(y, [t(str(v), lang) for v in data[by]])
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_xlim(-100, 100)
        ax.set_xlabel(t("nps", lang))
        ax.set_title(title)
        return _finish(ax)
