"""Generic charts for money and value: a Lorenz (concentration) curve, a distribution on a log
scale, several curves against one x with a shaded range, and grouped bars.

Like :mod:`csa.display.charts`, each takes a tidy table and column names, draws what it is
given (nothing is computed here but positions), takes titles and labels already in the
report's language, and returns its Axes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from .charts import BASE_SIZE, COLORS, _canvas, _checked, _finish, _legend_names, _names, _no_data

__all__ = ["PALETTE", "curves", "distribution", "grouped_bars", "lorenz"]

#: colours for several series (curves, bars), in order
PALETTE = ("#1f4e79", "#d1495b", "#2e8b57", "#edae49", "#7a5195")


def lorenz(table: pd.DataFrame, *, x: str = "share_customers", y: str = "share_value", mark: float | None = 20.0,
           mark_label: str = "", equal_label: str = "", title: str = "", xlabel: str = "", ylabel: str = "",
           lang: str = "en", ax: Axes | None = None) -> Axes:
    """A concentration curve: cumulative share of value (y, percent) against share of customers (x, percent).

    Parameters
    ----------
    table : DataFrame
        Points of the curve, ordered by ``x`` from 0 to 100 (e.g. :func:`csa.metrics.ltv.lorenz_curve`).
    x, y : str
        Columns with the share of customers and the share of value, in percent.
    mark : float or None
        Share of customers to mark with dotted guides (20: "the top 20 %"); ``None`` for none.
    mark_label : str
        Text printed at the mark (already translated, e.g. "Top 20 %: 80 % of LTV").
    equal_label : str
        Legend entry of the diagonal (every customer worth the same); empty: no legend.
    title, xlabel, ylabel : str
        Already in the report's language.

    Returns
    -------
    matplotlib Axes
        The curve over the diagonal, with the dotted guides at ``mark``.
    """
    _checked(table, lang, x, y)
    data = table.dropna(subset=[x, y])
    with _canvas(ax, (6.5, 5.0)) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        xs, ys = data[x].to_numpy(float), data[y].to_numpy(float)
        ax.plot(xs, ys, color=COLORS["line"], linewidth=2.2)
        ax.fill_between(xs, xs, ys, color=COLORS["line"], alpha=0.08, linewidth=0)
        ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1, label=equal_label or None)
        if mark is not None:
            at = float(np.interp(mark, xs, ys))
            ax.plot([mark, mark, 0], [0, at, at], color=COLORS["bad"], linestyle=":", linewidth=1.4)
            ax.plot([mark], [at], "o", color=COLORS["bad"])
            if mark_label:
                ax.annotate(mark_label, (mark, at), xytext=(10, -18), textcoords="offset points",
                            fontsize=BASE_SIZE, color=COLORS["bad"])
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 101)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if equal_label:
            ax.legend(frameon=False, loc="lower right")
        return _finish(ax)


def distribution(table: pd.DataFrame, value: str, *, log: bool = True, bins: int = 40,
                 lines: dict[str, float] | None = None, title: str = "", xlabel: str = "", ylabel: str = "",
                 lang: str = "en", ax: Axes | None = None) -> Axes:
    """A histogram of one column, on a log scale by default (for long-tailed money), with labelled lines.

    Parameters
    ----------
    table : DataFrame
        One row per unit (customer).
    value : str
        Column to draw; missing values and, on a log scale, values <= 0 are left out.
    log : bool
        Log-spaced bins and a log x axis (ticks shown as plain numbers).
    bins : int
        Number of bins.
    lines : dict, optional
        ``{label: x}``: vertical lines with a legend entry each (e.g. the mean and the median).
    title, xlabel, ylabel : str
        Already in the report's language.

    Returns
    -------
    matplotlib Axes
        The histogram and its labelled lines.
    """
    _checked(table, lang, value)
    v = pd.to_numeric(table[value], errors="coerce").dropna().to_numpy(float)
    if log:
        v = v[v > 0]
    with _canvas(ax, (8, 3.8)) as ax:
        if len(v) == 0:
            return _no_data(ax, title, lang)
        edges = (np.geomspace(v.min(), v.max(), bins + 1) if log and v.max() > v.min()
                 else np.linspace(v.min(), v.max() + (v.max() == v.min()), bins + 1))
        ax.hist(v, bins=edges, color=COLORS["line"], alpha=0.75, edgecolor="white", linewidth=0.5)
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: f"{t:,.10g}"))
        for i, (name, at) in enumerate((lines or {}).items()):
            ax.axvline(at, color=PALETTE[(i + 1) % len(PALETTE)], linewidth=1.8,
                       linestyle=("-", "--", ":", "-.")[i % 4], label=name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if lines:
            ax.legend(frameon=False)
        return _finish(ax)


def curves(table: pd.DataFrame, x: str, ys: Sequence[str], *, names: Sequence[str] | None = None,
           band: tuple[float, float] | None = None, band_label: str = "", vline: float | None = None,
           vline_label: str = "", ylim: tuple[float, float] | None = None, title: str = "", xlabel: str = "",
           ylabel: str = "", lang: str = "en", ns: str = "common", ax: Axes | None = None) -> Axes:
    """Several curves against one x (e.g. LTV against churn, three ways), with an optional shaded x range.

    Parameters
    ----------
    table : DataFrame
        One row per x value, in order.
    x : str
        Column of the x axis.
    ys : list of str
        Columns drawn as curves, in legend order.
    names : list of str, optional
        Legend entries (already translated); default the column names translated.
    band : (float, float), optional
        An x range to shade (e.g. the interval of the observed churn).
    band_label, vline_label : str
        Legend entries of the band and of the vertical line.
    vline : float, optional
        A vertical line (e.g. the observed churn).
    ylim : (float, float), optional
        Limits of the y axis (cut an exploding curve).
    title, xlabel, ylabel : str
        Already in the report's language.

    Returns
    -------
    matplotlib Axes
        The curves over the shaded range, the legend inside.
    """
    _checked(table, lang, x, *ys)
    names = _legend_names(names, ys, lang, ns)
    with _canvas(ax, (8, 4.2)) as ax:
        if table.empty:
            return _no_data(ax, title, lang)
        if band is not None:
            ax.axvspan(band[0], band[1], color=COLORS["neutral"], alpha=0.45, linewidth=0, label=band_label or None)
        if vline is not None:
            ax.axvline(vline, color="black", linewidth=1, label=vline_label or None)
        for i, (col, name) in enumerate(zip(ys, names, strict=True)):
            ax.plot(table[x], table[col], color=PALETTE[i % len(PALETTE)], linewidth=2,
                    linestyle=("-", "--", "-.", ":")[i % 4], label=name)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(frameon=False)
        return _finish(ax)


def grouped_bars(table: pd.DataFrame, label: str, values: Sequence[str], *, names: Sequence[str] | None = None,
                 fmt: str = "{:,.0f}", title: str = "", xlabel: str = "", lang: str = "en", ns: str = "common",
                 ax: Axes | None = None) -> Axes:
    """Horizontal bars, one group per row and one bar per value column, each bar labelled with its value.

    Parameters
    ----------
    table : DataFrame
        One row per group, in the order to show from top to bottom.
    label : str
        Column naming the groups (translated when known).
    values : list of str
        Numeric columns, one bar each (negative values are drawn to the left of 0).
    names : list of str, optional
        Legend entries (already translated); default the column names translated.
    fmt : str
        Format of the value printed beside each bar.
    title, xlabel : str
        Already in the report's language.

    Returns
    -------
    matplotlib Axes
        Groups from top to bottom in table order, the legend above when there are several bars.
    """
    _checked(table, lang, label, *values)
    names = _legend_names(names, values, lang, ns)
    data = table.dropna(subset=list(values), how="all")
    k = len(values)
    with _canvas(ax, (8, 1.4 + 0.45 * k * max(len(data), 1))) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        y = np.arange(len(data))[::-1].astype(float)
        height = 0.8 / k
        span = float(np.nanmax(np.abs(data[list(values)].to_numpy(float)))) or 1.0
        for i, (col, name) in enumerate(zip(values, names, strict=True)):
            pos = y + 0.4 - height * (i + 0.5)
            v = data[col].to_numpy(float)
            ax.barh(pos, v, height=height * 0.92, color=PALETTE[i % len(PALETTE)], label=name)
            for p, val in zip(pos, v, strict=True):
                if np.isfinite(val):
                    ax.text(val + (0.01 * span if val >= 0 else -0.01 * span), p, fmt.format(val), va="center",
                            ha="left" if val >= 0 else "right", fontsize=BASE_SIZE - 2)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_yticks(y, _names(data[label], lang, ns))
        ax.set_xlim(min(0.0, float(np.nanmin(data[list(values)].to_numpy(float))) * 1.25), span * 1.25)
        ax.set_xlabel(xlabel)
        ax.set_title(title, pad=26 if k > 1 else 6)
        if k > 1:
            ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=k)
        return _finish(ax)
