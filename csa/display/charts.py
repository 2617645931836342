"""Generic charts: each takes a tidy table and the names of its columns, and returns its Axes.

Charts never compute a metric: they draw the columns they are given (an estimate with its
interval, shares, a matrix). Titles and axis labels are passed in by the caller (already in the
report's language); group values shown on an axis are translated with :mod:`csa.labels` when the
handbook knows them (``touchpoint`` values, plans, …) and kept as written otherwise.

Japanese text uses IPAexGothic, shipped by the ``matplotlib-fontja`` package. The font is
registered with matplotlib without importing that package (its import changes global
settings); charts set it on their own text, so importing ``csa`` changes nothing globally.
Call :func:`use_japanese_font` once in a notebook to make it the default for other charts too.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes

from ..labels import check_lang, t

__all__ = [
    "COLORS",
    "FONT",
    "binned",
    "estimate_by_group",
    "figure_text",
    "funnel",
    "heatmap",
    "interval_ladder",
    "observed_expected",
    "scale_picture",
    "shares_bar",
    "shrinkage",
    "trend",
    "use_japanese_font",
]

FONT = "IPAexGothic"
FAMILY = [FONT, "DejaVu Sans"]
COLORS = {"bad": "#d1495b", "neutral": "#c9c9c9", "good": "#2e8b57", "line": "#1f4e79", "miss": "#d1495b"}
BASE_SIZE = 11  # points: readable when a 8-inch-wide chart is shown at page width
_registered = False


def figure_text(fig) -> str:
    """A figure's titles in one line (its title and each panel's), the alternative text of the chart's image.

    >>> import matplotlib.pyplot as plt
    >>> fig, (a, b) = plt.subplots(1, 2)
    >>> _ = a.set_title("FRT by team"), b.set_title("FCR by team"), fig.suptitle("Teams — 2026-10")
    >>> figure_text(fig)
    'Teams — 2026-10: FRT by team; FCR by team'
    >>> plt.close(fig)
    """
    sup = fig._suptitle.get_text().strip() if getattr(fig, "_suptitle", None) is not None else ""
    panels = "; ".join(x for x in (ax.get_title().strip() for ax in fig.axes) if x)
    return f"{sup}: {panels}" if sup and panels else (sup or panels)


def _record_alt_text() -> None:
    """Give every chart shown inline (Jupyter, papermill) its titles as alternative text: the report's pages
    write them into the image's ``alt`` (a reader with a screen reader hears what the chart shows)."""
    try:
        from matplotlib_inline import backend_inline as bi
    except ImportError:  # pragma: no cover -- outside Jupyter
        return
    if getattr(bi._fetch_figure_metadata, "_csa_alt", False):
        return
    fetch = bi._fetch_figure_metadata

    def with_alt(fig):
        md = dict(fetch(fig) or {})
        text = figure_text(fig)
        if text:
            md["alt"] = text
        return md or None

    with_alt._csa_alt = True
    bi._fetch_figure_metadata = with_alt


_record_alt_text()


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
    rc = {"font.family": FAMILY, "font.size": BASE_SIZE, "axes.titlesize": BASE_SIZE + 2,
          "axes.labelsize": BASE_SIZE, "xtick.labelsize": BASE_SIZE - 1, "ytick.labelsize": BASE_SIZE - 1,
          "legend.fontsize": BASE_SIZE - 1, "axes.spines.top": False, "axes.spines.right": False}
    with matplotlib.rc_context(rc):
        yield


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


@contextmanager
def _canvas(ax: Axes | None, size: tuple[float, float]):
    """The handbook's style, and ``ax`` (or new Axes of ``size`` inches) to draw in it."""
    with _style():
        yield _axes(ax, size)


def _finish(ax: Axes) -> Axes:
    """Put the Japanese-capable font on text created before the chart or drawn later (ticks)."""
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


def _need(table: pd.DataFrame, *cols: str | None) -> None:
    missing = [c for c in cols if c is not None and c not in table.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the table; its columns are: "
                       f"{', '.join(map(str, table.columns))}")


def _names(values, lang: str, ns: str) -> list[str]:
    return [t(str(v), lang, ns) for v in values]


def _legend_names(names, columns, lang: str, ns: str) -> list[str]:
    """Legend entries: ``names`` when given (already translated), else the column names translated."""
    return list(names) if names is not None else _names(columns, lang, ns)


def _checked(table: pd.DataFrame, lang: str, *cols: str | None) -> None:
    """The language and the table's columns, checked (a KeyError names the missing columns)."""
    check_lang(lang)
    _need(table, *cols)


def _estimates(table: pd.DataFrame, lang: str, cols: tuple, value: str, n: str | None) -> pd.DataFrame:
    """The rows of an estimate chart that have an estimate (``n > 0``, or a value when there is no ``n``),
    once the language and the columns ``cols`` are checked."""
    _checked(table, lang, *cols)
    return table[table[n] > 0] if n else table.dropna(subset=[value])


def estimate_by_group(table: pd.DataFrame, label: str, *, value: str = "value", low: str = "low",
                      high: str = "high", n: str | None = "n", title: str = "", xlabel: str = "",
                      ref: float | None = 0.0, xlim: tuple[float, float] | None = None, sort: bool = True,
                      log: bool = False, lang: str = "en", ns: str = "common", ax: Axes | None = None) -> Axes:
    """One row per group: the estimate as a point, its interval as a bar, ``n`` beside it.

    Parameters
    ----------
    table : DataFrame
        One row per group.
    label : str
        Column with the group names (shown on the y axis, translated when known).
    value, low, high : str
        Columns with the estimate and its interval.
    n : str or None
        Column with the group size, printed beside each bar; rows with ``n == 0`` are left out.
    title, xlabel : str
        Already in the report's language.
    ref : float or None
        A vertical reference line (0 for NPS); ``None`` for none.
    xlim : tuple, optional
        Limits of the value axis, e.g. ``(-100, 100)``.
    sort : bool
        Best (highest) on top.
    log : bool
        Logarithmic value axis (times spanning seconds to days); values ≤ 0 cannot be shown on it.

    Returns
    -------
    matplotlib Axes
    """
    data = _estimates(table, lang, (label, value, low, high, n), value, n)
    with _canvas(ax, (8, 1.2 + 0.5 * max(len(data), 1))) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        if sort:
            data = data.sort_values(value)
        y = np.arange(len(data))
        # the interval is drawn on its own: some intervals (adjusted Wald) are centred on an adjusted
        # estimate, so in very small groups the plain estimate (the point) can lie outside it
        ax.hlines(y, data[low], data[high], color=COLORS["line"], linewidth=2.5, alpha=0.6)
        ax.plot(data[value], y, "o", color=COLORS["line"])
        if n:
            for yi, (_, row) in zip(y, data.iterrows(), strict=True):
                ax.annotate(f"{row[value]:+.0f} (n={int(row[n]):,})" if ref == 0 else
                            f"{row[value]:.1f} (n={int(row[n]):,})",
                            (row[high], yi), xytext=(5, 0), textcoords="offset points", va="center",
                            fontsize=BASE_SIZE - 2,  # on white: the reference line passes behind, not through
                            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
        ax.set_yticks(y, _names(data[label], lang, ns))
        if ref is not None:
            ax.axvline(ref, color="grey", linewidth=0.8, zorder=1)
        if xlim is not None:
            ax.set_xlim(*xlim)
        if log:
            ax.set_xscale("log")
        if xlim is None and n:  # room on the right for the labels beside the highest intervals
            ends = np.concatenate([data[c].to_numpy(dtype=float) for c in (low, high, value)]
                                  + ([np.array([ref], dtype=float)] if ref is not None else []))
            ends = ends[np.isfinite(ends) & ((ends > 0) if log else True)]  # an interval may be missing
            if ends.size:
                ends = np.log10(ends) if log else ends  # margins in the axis's own units
                span = (ends.max() - ends.min()) or 1.0
                lo, hi = ends.min() - 0.05 * span, ends.max() + 0.3 * span
                ax.set_xlim(*((10 ** lo, 10 ** hi) if log else (lo, hi)))
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        return _finish(ax)


def trend(table: pd.DataFrame, x: str, *, value: str = "value", low: str = "low", high: str = "high",
          small: str | None = "small_n", n: str | None = "n", title: str = "", ylabel: str = "",
          xlabel: str = "", ref: float | None = None, lang: str = "en", level: float = 0.95,
          ax: Axes | None = None) -> Axes:
    """An estimate per period as a line, its interval as a band; small-n periods drawn hollow.

    Parameters
    ----------
    table : DataFrame
        One row per period, in order.
    x : str
        Column with the period labels.
    value, low, high : str
        Estimate and interval columns.
    small : str or None
        Boolean column: ``True`` points are drawn hollow ("too few to read").
    n : str or None
        Rows with ``n == 0`` are left out (no estimate).
    title, ylabel, xlabel : str
        Already in the report's language.
    ref : float or None
        A horizontal reference line.

    Returns
    -------
    matplotlib Axes
        The line and its band, with the legend above the plot.
    """
    data = _estimates(table, lang, (x, value, low, high, small, n), value, n)
    with _canvas(ax, (8, 3.8)) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        xs = np.arange(len(data))
        ax.fill_between(xs, data[low], data[high], color=COLORS["line"], alpha=0.15, linewidth=0,
                        label=t("interval", lang, level=level))
        ax.plot(xs, data[value], color=COLORS["line"], marker="o", markersize=5, label=ylabel or value)
        if small:
            sm = data[small].to_numpy(bool)
            if sm.any():
                ax.plot(xs[sm], data[value].to_numpy()[sm], "o", markerfacecolor="white",
                        markeredgecolor=COLORS["line"], label=t("small_n", lang))
        if ref is not None:
            ax.axhline(ref, color="grey", linewidth=0.8)
        labels = [str(p) for p in data[x]]
        step = max(1, len(labels) // 12)
        ax.set_xticks(xs[::step], labels[::step], rotation=45, ha="right")
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        ax.set_title(title, pad=28)
        handles = ax.get_legend_handles_labels()[0]  # above the plot, so that it never hides the band
        ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(handles))
        return _finish(ax)


def shares_bar(table: pd.DataFrame, shares: Sequence[str], *, label: str | None = None,
               names: Sequence[str] | None = None, colors: Sequence[str] | None = None, title: str = "",
               xlabel: str = "", lang: str = "en", ns: str = "common", min_label: float = 5.0,
               ax: Axes | None = None) -> Axes:
    """Stacked horizontal bars of shares (0–100) per row, each share printed on its segment.

    Parameters
    ----------
    table : DataFrame
        One row per bar.
    shares : list of str
        Columns holding the shares in percent, in stacking order (left to right).
    label : str or None
        Column naming each bar; ``None`` when the table has one row (labelled "All").
    names : list of str, optional
        Legend entries for ``shares`` (already translated); default the column names translated.
    colors : list of str, optional
        One colour per share.
    min_label : float
        Shares below this (percent) are not printed on the bar.

    Returns
    -------
    matplotlib Axes
    """
    _checked(table, lang, label, *shares)
    data = table.dropna(subset=list(shares))
    if label is None and len(data) > 1:
        raise ValueError(f"the table has {len(data)} rows: name the column that labels them, e.g. label='touchpoint'")
    names = _legend_names(names, shares, lang, ns)
    colors = list(colors) if colors is not None else [COLORS["bad"], COLORS["neutral"], COLORS["good"]][: len(shares)]
    with _canvas(ax, (8, 2.4 + 0.55 * max(len(data) - 1, 0))) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        y = np.arange(len(data))[::-1]
        left = np.zeros(len(data))
        for col, name, color in zip(shares, names, colors, strict=True):
            share = data[col].to_numpy(dtype=float)
            ax.barh(y, share, left=left, color=color, label=name, height=0.6)
            dark = matplotlib.colors.rgb_to_hsv(matplotlib.colors.to_rgb(color))[2] < 0.75
            for yi, lft, s in zip(y, left, share, strict=True):
                if s >= min_label:
                    ax.text(lft + s / 2, yi, f"{s:.0f}%", ha="center", va="center",
                            color="white" if dark else "black", fontsize=BASE_SIZE)
            left += share
        ax.set_yticks(y, [t("all", lang)] if label is None else _names(data[label], lang, ns))
        ax.set_xlim(0, 100)
        ax.set_xlabel(xlabel or t("share", lang))
        ax.set_title(title, pad=30)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(shares), frameon=False)
        return _finish(ax)


def heatmap(table: pd.DataFrame, *, title: str = "", xlabel: str = "", ylabel: str = "", fmt: str = "d",
            cmap: str = "Blues", lang: str = "en", ns: str = "common", cbar: bool = False,
            ax: Axes | None = None) -> Axes:
    """A matrix (index × columns) as an annotated seaborn heatmap, e.g. a transition matrix.

    Index and column values are translated when the handbook knows them.

    Returns
    -------
    matplotlib Axes
    """
    import seaborn as sns

    check_lang(lang)
    with _canvas(ax, (1.8 + 1.3 * max(table.shape[1], 1), 1.2 + 0.7 * max(table.shape[0], 1))) as ax:
        if table.size == 0:
            return _no_data(ax, title, lang)
        shown = table.copy()
        shown.index = _names(shown.index, lang, ns)
        shown.columns = _names(shown.columns, lang, ns)
        sns.heatmap(shown, annot=True, fmt=fmt, cmap=cmap, cbar=cbar, linewidths=0.5, ax=ax,
                    annot_kws={"fontsize": BASE_SIZE})
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.tick_params(axis="y", rotation=0)
        return _finish(ax)


def interval_ladder(table: pd.DataFrame, *, low: str = "low", high: str = "high", value: str | None = "value",
                    truth: float | None = None, title: str = "", xlabel: str = "", hit: str = "",
                    miss: str = "", lang: str = "en", ax: Axes | None = None) -> Axes:
    """Many intervals stacked one per row, those missing ``truth`` in red: what "95 %" means.

    Parameters
    ----------
    table : DataFrame
        One row per interval (e.g. one simulated survey each).
    low, high, value : str
        Interval and estimate columns (``value=None``: no point).
    truth : float, optional
        The true value; intervals that do not contain it are drawn in red.
    hit, miss : str
        Legend entries for intervals that contain / miss ``truth`` (already translated).

    Returns
    -------
    matplotlib Axes
    """
    _checked(table, lang, low, high, value)
    with _canvas(ax, (8, 4.5)) as ax:
        y = np.arange(len(table))
        lo, hi = table[low].to_numpy(float), table[high].to_numpy(float)
        covered = np.ones(len(table), bool) if truth is None else (lo <= truth) & (truth <= hi)
        for mask, color, name in ((covered, COLORS["line"], hit), (~covered, COLORS["miss"], miss)):
            if mask.any():
                ax.hlines(y[mask], lo[mask], hi[mask], color=color, linewidth=1.5, label=name or None)
                if value:
                    ax.plot(table[value].to_numpy(float)[mask], y[mask], "|", color=color)
        if truth is not None:
            ax.axvline(truth, color="black", linewidth=1)
        ax.set_yticks([])
        ax.set_ylim(-1, len(table) + 0.5)
        ax.set_xlabel(xlabel)
        ax.set_title(title, pad=28 if (hit or miss) else 6)
        if hit or miss:  # above the plot, so that it never hides an interval
            ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)
        return _finish(ax)


# ------------------------------------------------------------------------------- survey charts

def binned(table: pd.DataFrame, x: str, *, value: str = "value", low: str = "low", high: str = "high",
           n: str | None = "n", small: str | None = "small_n", title: str = "", xlabel: str = "", ylabel: str = "",
           ylim: tuple[float, float] | None = None, ref: float | None = None, ref_name: str = "",
           lang: str = "en", ns: str = "common", ax: Axes | None = None) -> Axes:
    """An estimate per ordered bin (e.g. first-response time bands): point, interval bar, n under each bin.

    Parameters
    ----------
    table : DataFrame
        One row per bin, in the order to show (left to right).
    x : str
        Column naming the bins (translated when the handbook knows the value).
    value, low, high : str
        Estimate and interval columns.
    n : str or None
        Column with the bin size, printed under each bin; bins with ``n == 0`` are left out.
    small : str or None
        Boolean column: ``True`` points are drawn hollow ("too few to read").
    title, xlabel, ylabel : str
        Already in the report's language.
    ylim : tuple, optional
        Limits of the value axis, e.g. ``(0, 100)``.
    ref : float or None
        A horizontal reference line (e.g. the overall rate), named ``ref_name`` in the legend.

    Returns
    -------
    matplotlib Axes
        A point and an interval bar per bin, ``n`` under each.
    """
    data = _estimates(table, lang, (x, value, low, high, n, small), value, n)
    with _canvas(ax, (8, 3.8)) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        v = data[value].to_numpy(float)
        xs = np.arange(len(v))
        ax.vlines(xs, data[low], data[high], color=COLORS["line"], linewidth=2.5, alpha=0.6)
        ax.plot(xs, v, color=COLORS["line"], linewidth=1, alpha=0.4)
        sm = data[small].to_numpy(bool) if small else np.zeros(len(data), bool)
        ax.plot(xs[~sm], v[~sm], "o", color=COLORS["line"])
        if sm.any():
            ax.plot(xs[sm], v[sm], "o", markerfacecolor="white", markeredgecolor=COLORS["line"],
                    label=t("small_n", lang))
        names = _names(data[x], lang, ns)
        if n:
            names = [f"{name}\n(n={int(k):,})" for name, k in zip(names, data[n], strict=True)]
        ax.set_xticks(xs, names)
        if ref is not None:
            ax.axhline(ref, color="grey", linewidth=0.8, linestyle="--", label=ref_name or None)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_xlim(-0.5, len(data) - 0.5)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, loc="best")
        return _finish(ax)


def observed_expected(table: pd.DataFrame, *, expected: str = "expected", value: str = "observed", low: str = "low",
                      high: str = "high", n: str | None = "n", title: str = "", xlabel: str = "", ylabel: str = "",
                      value_name: str = "", diagonal_name: str = "", lang: str = "en",
                      ax: Axes | None = None) -> Axes:
    """Observed against expected (a calibration chart): a point with its interval bar per row, and the diagonal.

    Parameters
    ----------
    table : DataFrame
        One row per group (e.g. a tenth of the accounts by predicted risk), in percent or any one unit.
    expected : str
        Column of the x axis: what was predicted for the group.
    value, low, high : str
        What was observed, and its interval.
    n : str or None
        Column with the group size; groups with ``n == 0`` are left out.
    title, xlabel, ylabel, value_name, diagonal_name : str
        Already in the report's language (the last two name the points and the diagonal in the legend).

    Returns
    -------
    matplotlib Axes
        Points with interval bars; the dashed diagonal ``observed = expected``. A point above the diagonal:
        more happened than predicted.
    """
    data = _estimates(table, lang, (expected, value, low, high, n), value, n)
    with _canvas(ax, (6.5, 5.2)) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        x, v = data[expected].to_numpy(float), data[value].to_numpy(float)
        top = float(np.nanmax([x.max(), data[high].max(), v.max()])) * 1.05
        ax.plot([0, top], [0, top], color="grey", linewidth=1, linestyle="--", label=diagonal_name or None)
        ax.vlines(x, data[low], data[high], color=COLORS["line"], linewidth=2.5, alpha=0.6)
        ax.plot(x, v, "o", color=COLORS["line"], label=value_name or None)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, loc="upper left")
        return _finish(ax)


def funnel(table: pd.DataFrame, limits: pd.DataFrame, *, n: str = "n", value: str = "value",
           label: str | None = None, flag: str | None = None, centre: float | None = None,
           bands: Sequence[tuple[str, str]] = (("low95", "high95"), ("low998", "high998")),
           band_names: Sequence[str] = (), centre_name: str = "", title: str = "", xlabel: str = "",
           ylabel: str = "", ylim: tuple[float, float] | None = (0, 100), lang: str = "en", ns: str = "common",
           ax: Axes | None = None) -> Axes:
    """A funnel plot: each group's estimate against its size, inside control limits around the centre.

    Parameters
    ----------
    table : DataFrame
        One row per group (agent, team): its size ``n`` and estimate ``value``.
    limits : DataFrame
        The control limits by group size: column ``n`` and the ``bands`` columns (computed by a
        metric, e.g. :func:`csa.metrics.survey.funnel_limits` over ``n = 1 … max``).
    n, value : str
        Columns of ``table`` (``n`` also names the size column of ``limits``).
    label : str or None
        Column naming each group; names are written beside the points where ``flag`` is true.
    flag : str or None
        Boolean column: the groups to name (e.g. those outside the outer limits).
    centre : float or None
        The overall rate, drawn as a horizontal line named ``centre_name``.
    bands : sequence of (low, high) column pairs of ``limits``
        Inner to outer; drawn as dashed then solid lines.
    band_names : sequence of str
        Legend entries of the bands (already translated).

    Returns
    -------
    matplotlib Axes
    """
    _checked(table, lang, n, value, label, flag)
    _need(limits, n, *[c for pair in bands for c in pair])
    data = table[table[n] > 0]
    with _canvas(ax, (8, 4.6)) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        styles = ["--", "-", ":"]
        names = list(band_names) + [""] * len(bands)
        for i, (lo, hi) in enumerate(bands):
            ax.plot(limits[n], limits[lo], color="grey", linestyle=styles[i % 3], linewidth=1,
                    label=names[i] or None)
            ax.plot(limits[n], limits[hi], color="grey", linestyle=styles[i % 3], linewidth=1)
        if centre is not None:
            ax.axhline(centre, color=COLORS["good"], linewidth=1.2, label=centre_name or None)
        ax.plot(data[n], data[value], "o", color=COLORS["line"], alpha=0.8)
        if label and flag:
            for _, row in data[data[flag].astype(bool)].iterrows():
                ax.annotate(t(str(row[label]), lang, ns), (row[n], row[value]), xytext=(6, 0),
                            textcoords="offset points", va="center", fontsize=BASE_SIZE - 1)
        ax.set_xlim(0, max(float(data[n].max()), float(limits[n].max())) * 1.05)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title, pad=28 if (band_names or centre_name) else 6)
        if ax.get_legend_handles_labels()[0]:
            handles = ax.get_legend_handles_labels()[0]
            ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(handles))
        return _finish(ax)


def shrinkage(table: pd.DataFrame, label: str, *, raw: str = "raw", shrunk: str = "shrunk",
              low: str = "shrunk_low", high: str = "shrunk_high", n: str | None = "n", centre: float | None = None,
              raw_name: str = "", shrunk_name: str = "", title: str = "", xlabel: str = "",
              xlim: tuple[float, float] | None = (0, 100), lang: str = "en", ns: str = "common",
              ax: Axes | None = None) -> Axes:
    """Raw and shrunken estimates per group: an arrow from the raw rate to the shrunken one and its interval.

    Parameters
    ----------
    table : DataFrame
        One row per group (agent, team) with both estimates.
    label : str
        Column naming the groups (y axis; translated when known).
    raw, shrunk, low, high : str
        The raw estimate (hollow point), the shrunken estimate (filled point) and its interval.
    n : str or None
        Group size, printed at the right of each row.
    centre : float or None
        The overall rate, drawn as a vertical line.
    raw_name, shrunk_name : str
        Legend entries (already translated).

    Returns
    -------
    matplotlib Axes
        Rows sorted by the shrunken estimate, best on top.
    """
    _checked(table, lang, label, raw, shrunk, low, high, n)
    data = table.dropna(subset=[shrunk]).sort_values([shrunk, raw])
    with _canvas(ax, (8, 1.4 + 0.38 * max(len(data), 1))) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        y = np.arange(len(data))
        ax.hlines(y, data[low], data[high], color=COLORS["line"], linewidth=2.5, alpha=0.35)
        for yi, r, s in zip(y, data[raw], data[shrunk], strict=True):
            if abs(r - s) > 0.5:
                ax.annotate("", (s, yi), (r, yi), arrowprops={"arrowstyle": "->", "color": "grey", "lw": 0.8})
        ax.plot(data[raw], y, "o", markerfacecolor="white", markeredgecolor="grey", label=raw_name or None)
        ax.plot(data[shrunk], y, "o", color=COLORS["line"], label=shrunk_name or None)
        if centre is not None:
            ax.axvline(centre, color=COLORS["good"], linewidth=1, linestyle="--")
        if xlim is not None:
            ax.set_xlim(*xlim)
        if n:
            right = ax.get_xlim()[1]
            for yi, k in zip(y, data[n], strict=True):
                ax.annotate(f"n={int(k):,}", (right, yi), xytext=(4, 0), textcoords="offset points", va="center",
                            fontsize=BASE_SIZE - 2, annotation_clip=False)
        ax.set_yticks(y, _names(data[label], lang, ns))
        ax.set_ylim(-0.7, len(data) - 0.3)
        ax.set_xlabel(xlabel)
        ax.set_title(title, pad=28 if (raw_name or shrunk_name) else 6)
        if raw_name or shrunk_name:
            ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)
        return _finish(ax)


def scale_picture(points: Sequence[int], *, highlight: Sequence[int] = (), values: Sequence[float] | None = None,
                  fmt: str = "{:.0f}%", left: str = "", right: str = "", highlight_name: str = "",
                  title: str = "", lang: str = "en", ax: Axes | None = None) -> Axes:
    """A rating scale drawn as a row of boxes, the highlighted ones (e.g. "easy") in green.

    Parameters
    ----------
    points : sequence of int
        The scale's answers, left to right (e.g. ``range(1, 8)``).
    highlight : sequence of int
        Answers drawn in green (e.g. the scores counted as easy); named ``highlight_name`` in
        the legend.
    values : sequence of float, optional
        One number per answer, printed in its box with ``fmt`` (e.g. the share of answers).
    left, right : str
        What each end of the scale means (already translated), written under the ends with arrows.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.patches import Rectangle

    check_lang(lang)
    pts = list(points)
    if values is not None and len(values) != len(pts):
        raise ValueError(f"values needs one number per scale point: {len(pts)} points, {len(values)} values")
    with _canvas(ax, (8, 2.4)) as ax:
        hi = set(highlight)
        for i, p in enumerate(pts):
            color = COLORS["good"] if p in hi else COLORS["neutral"]
            ax.add_patch(Rectangle((i + 0.05, 0), 0.9, 1, facecolor=color, edgecolor="white",
                                   label=highlight_name if (p in hi and highlight_name and p == min(hi)) else None))
            ink = "white" if p in hi else "black"
            ax.text(i + 0.5, 0.68 if values is not None else 0.5, str(p), ha="center", va="center",
                    fontsize=BASE_SIZE + 5, color=ink)
            if values is not None:
                shown = fmt.format(values[i]) if np.isfinite(values[i]) else "—"
                ax.text(i + 0.5, 0.28, shown, ha="center", va="center", fontsize=BASE_SIZE, color=ink)
        if left:
            ax.annotate(left, (0, -0.25), xytext=(0, -0.25), ha="left", va="top", fontsize=BASE_SIZE)
            ax.annotate("", (0.05, -0.12), (min(2.0, len(pts) / 2), -0.12),
                        arrowprops={"arrowstyle": "->", "color": "grey"})
        if right:
            ax.annotate(right, (len(pts), -0.25), xytext=(len(pts), -0.25), ha="right", va="top", fontsize=BASE_SIZE)
            ax.annotate("", (len(pts) - 0.05, -0.12), (max(len(pts) - 2.0, len(pts) / 2), -0.12),
                        arrowprops={"arrowstyle": "->", "color": "grey"})
        ax.set_xlim(0, len(pts))
        ax.set_ylim(-0.6, 1.05)
        ax.axis("off")
        ax.set_title(title, pad=22 if highlight_name else 6)
        if highlight_name and hi:
            ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 0.98), ncols=1)
        return _finish(ax)
