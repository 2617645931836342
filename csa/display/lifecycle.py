"""Generic charts of the customer lifecycle: a waterfall (bridge), survival curves, a retention heatmap.

Like :mod:`csa.display.charts`, each takes a tidy table and the names of its columns and returns
its Axes; titles and axis labels come from the caller, already in the report's language; group
values are translated with :mod:`csa.labels` when the handbook knows them. Nothing here computes
a metric.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MultipleLocator

from ..labels import check_lang, t
from .charts import BASE_SIZE, COLORS, FAMILY, _canvas, _checked, _finish, _no_data, _style, heatmap

__all__ = ["PALETTE", "retention_heatmap", "survival_curves", "survival_panels", "waterfall"]

#: colours of the groups of a multi-line chart (colour-blind safe, Okabe & Ito 2008)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def waterfall(table: pd.DataFrame, *, label: str = "label", value: str = "value", kind: str = "kind",
              title: str = "", ylabel: str = "", fmt: str = "{:+,.1f}", total_fmt: str = "{:,.1f}",
              note: str = "", lang: str = "en", ax: Axes | None = None) -> Axes:
    """A bridge from a starting level to an ending level through signed steps (e.g. MRR movements).

    Parameters
    ----------
    table : DataFrame
        One row per bar, in order: ``kind`` ``"total"`` for a level (drawn from the axis), ``"up"``
        or ``"down"`` for a step (``value`` signed, drawn from the running level).
    label, value, kind : str
        Columns: bar names (already translated), amounts, and the kind of each bar.
    title, ylabel : str
        Already in the report's language.
    fmt, total_fmt : str
        Formats of the numbers printed on steps and on levels.
    note : str
        Printed under the chart when the value axis does not start at 0, with ``{start}``
        replaced by where it starts (say so: a cut axis makes steps look bigger).
    lang : str
        ``"en"`` or ``"ja"``.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Steps are small beside the levels (a month's churn is a few percent of MRR), so the value
    axis starts just below the lowest level the bridge reaches; ``note`` says where.
    """
    _checked(table, lang, label, value, kind)
    with _canvas(ax, (8, 4.2)) as ax:
        if table.empty:
            return _no_data(ax, title, lang)
        vals = table[value].to_numpy(float)
        kinds = table[kind].tolist()
        level, bottoms, tops = 0.0, [], []
        for v, k in zip(vals, kinds, strict=True):
            if k == "total":
                level = v
                bottoms.append(np.nan)
                tops.append(v)
            else:
                bottoms.append(level)
                level += v
                tops.append(level)
        lows = [min(b, tp) for b, tp in zip(bottoms, tops, strict=True) if not np.isnan(b)] + \
               [v for v, k in zip(vals, kinds, strict=True) if k == "total"]
        steps = np.abs([v for v, k in zip(vals, kinds, strict=True) if k != "total"] or [0.0])
        floor = max(0.0, min(lows) - 2.5 * max(steps.max(), 1e-12))
        top = max(max(tops), max(b for b in bottoms if not np.isnan(b)) if any(~np.isnan(bottoms)) else 0.0)
        xs = np.arange(len(table))
        for x, v, k, b in zip(xs, vals, kinds, bottoms, strict=True):
            if k == "total":
                ax.bar(x, v - floor, bottom=floor, color=COLORS["line"], width=0.6)
                ax.annotate(total_fmt.format(v), (x, v), xytext=(0, 3), textcoords="offset points", ha="center",
                            va="bottom", fontsize=BASE_SIZE - 1)
            else:
                color = COLORS["good"] if v >= 0 else COLORS["bad"]
                ax.bar(x, v, bottom=b, color=color, width=0.6)
                ax.annotate(fmt.format(v), (x, max(b, b + v)), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom", fontsize=BASE_SIZE - 1)
        for x in xs[:-1]:  # connectors between consecutive bars
            lvl = tops[x]
            ax.plot([x + 0.3, x + 0.7], [lvl, lvl], color="grey", linewidth=0.7)
        ax.set_ylim(floor, top + 0.08 * (top - floor))
        ax.set_xticks(xs, table[label].tolist(), rotation=20, ha="right")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if note and floor > 0:
            ax.text(0, -0.32, note.format(start=total_fmt.format(floor)), transform=ax.transAxes,
                    fontsize=BASE_SIZE - 2, color="grey", va="top")
        return _finish(ax)


def survival_curves(table: pd.DataFrame, *, t_col: str = "t", value: str = "survival", low: str | None = "low",
                    high: str | None = "high", group: str | None = None, step: bool = True,
                    observed: str | None = None, points: str | None = None, title: str = "", xlabel: str = "",
                    ylabel: str = "", ylim: tuple[float, float] = (0, 100), xmax: float | None = None,
                    xstep: float | None = None, legend_title: str = "", lang: str = "en", ns: str = "common",
                    ax: Axes | None = None) -> Axes:
    """One curve per group over time, with its interval as a band (Kaplan–Meier steps or projections).

    Parameters
    ----------
    table : DataFrame
        Long table: one row per group and time.
    t_col, value : str
        Time and value columns (e.g. months and % still subscribed).
    low, high : str or None
        Interval columns (``None``: no band; missing values: no band there).
    group : str or None
        Column naming the curves (translated when known); ``None`` for one curve.
    step : bool
        Draw steps (Kaplan–Meier: the value holds until the next time) or straight lines.
    observed : str or None
        Boolean column: rows where it is ``False`` are drawn dashed (a projection beyond the data).
    points : str or None
        Column of observed values drawn as dots on top (e.g. the Kaplan–Meier estimate beside a
        fitted curve); missing values are skipped.
    title, xlabel, ylabel, legend_title : str
        Already in the report's language.
    ylim : tuple
        Limits of the value axis.
    xmax : float, optional
        Right end of the time axis.
    xstep : float, optional
        Distance between time ticks (default: 1, 3, 6, 12 or 24, whichever gives at most 12 ticks).

    Returns
    -------
    matplotlib Axes
    """
    _checked(table, lang, t_col, value, low, high, group, observed, points)
    with _canvas(ax, (8, 4.2)) as ax:
        if table.empty:
            return _no_data(ax, title, lang)
        groups = list(dict.fromkeys(table[group])) if group else [None]
        where = "post" if step else None
        for i, g in enumerate(groups):
            part = table if g is None else table[table[group] == g]
            part = part.sort_values(t_col)
            color = PALETTE[i % len(PALETTE)]
            name = t(str(g), lang, ns) if g is not None else None
            x, y = part[t_col].to_numpy(float), part[value].to_numpy(float)
            obs = part[observed].to_numpy(bool) if observed else np.ones(len(part), bool)
            draw = ax.step if step else ax.plot
            kw = {"where": where} if step else {}
            if obs.any():
                last = np.flatnonzero(obs)[-1]
                draw(x[:last + 1], y[:last + 1], color=color, linewidth=1.8, label=name, **kw)
            if (~obs).any():
                first = max(np.flatnonzero(~obs)[0] - 1, 0)
                draw(x[first:], y[first:], color=color, linewidth=1.8, linestyle="--",
                     label=None if obs.any() else name, **kw)
            if low and high:
                lo, hi = part[low].to_numpy(float), part[high].to_numpy(float)
                ok = ~np.isnan(lo) & ~np.isnan(hi)
                if ok.any():
                    ax.fill_between(x, lo, hi, where=ok, color=color, alpha=0.15, linewidth=0,
                                    step="post" if step else None)
            if points:
                pv = part[points].to_numpy(float)
                ok = ~np.isnan(pv)
                ax.plot(x[ok], pv[ok], "o", color=color, markersize=3.5, alpha=0.8)
        ax.set_ylim(*ylim)
        right = xmax if xmax is not None else max(float(table[t_col].max()), 1.0)
        ax.set_xlim(0, right)
        step_ = xstep or next((s for s in (1, 3, 6, 12, 24) if right / s <= 12), right / 6)
        ax.xaxis.set_major_locator(MultipleLocator(step_))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        if group:
            leg = ax.legend(frameon=False, title=legend_title or None, loc="lower left")
            if leg.get_title() is not None:
                leg.get_title().set_fontfamily(FAMILY)
        return _finish(ax)


def survival_panels(table: pd.DataFrame, facet: str, *, ncols: int = 4, title: str = "", xlabel: str = "",
                    ylabel: str = "", xstep: float = 12, lang: str = "en", ns: str = "common", **curve) -> np.ndarray:
    """Small multiples: one :func:`survival_curves` panel per value of ``facet`` (e.g. per cohort),
    on shared axes, so that many curves stay readable.

    Parameters
    ----------
    table : DataFrame
        Long table with a ``facet`` column and the columns :func:`survival_curves` needs.
    facet : str
        Column whose values get a panel each (in order of appearance), titled with the value.
    ncols : int
        Panels per row.
    title, xlabel, ylabel : str
        For the whole figure, already in the report's language.
    xstep : float
        Distance between time ticks (panels are small).
    **curve
        Passed to :func:`survival_curves` (``t_col``, ``value``, ``low``, ``high``, ``step``,
        ``observed``, ``points``, ``ylim``, ``xmax``).

    Returns
    -------
    ndarray of Axes
        One per panel (unused grid cells are removed).
    """
    _checked(table, lang, facet)
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(table[facet])) or [None]
    nrows = math.ceil(len(names) / ncols)
    with _style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(2.5 * ncols, 2.3 * nrows + 0.8), sharex=True, sharey=True,
                                 layout="constrained", squeeze=False)
        flat = axes.ravel()
        for ax, name in zip(flat, names, strict=False):
            part = table if name is None else table[table[facet] == name]
            survival_curves(part, title=t(str(name), lang, ns) if name is not None else "", xstep=xstep, lang=lang,
                            ns=ns, ax=ax, **curve)
            ax.title.set_fontsize(BASE_SIZE)
        for i, ax in enumerate(flat):
            if i >= len(names):
                ax.remove()
            elif i + ncols >= len(names):  # nothing below it: show its time axis
                ax.tick_params(labelbottom=True)
        for text, fn in ((title, fig.suptitle), (xlabel, fig.supxlabel), (ylabel, fig.supylabel)):
            if text:
                fn(text, fontfamily=FAMILY, fontsize=BASE_SIZE + (2 if fn is fig.suptitle else 0))
        return flat[:len(names)]


def retention_heatmap(matrix: pd.DataFrame, *, title: str = "", xlabel: str = "", ylabel: str = "",
                      fmt: str = ".0f", cmap: str = "Blues", lang: str = "en", ns: str = "common",
                      ax: Axes | None = None) -> Axes:
    """Cohorts (rows) by age (columns), one number per cell: :func:`csa.display.charts.heatmap`
    sized for wide cohort tables; cells not observed yet stay blank.

    Parameters
    ----------
    matrix : DataFrame
        Index: cohorts (labels shown as written); columns: ages; values: e.g. % retained.
    title, xlabel, ylabel : str
        Already in the report's language.
    fmt : str
        Number format of the cells.
    cmap : str
        Colour map (light = low).

    Returns
    -------
    matplotlib Axes
    """
    check_lang(lang)
    with _canvas(ax, (min(1.6 + 0.62 * max(matrix.shape[1], 1), 12), 1.1 + 0.42 * max(matrix.shape[0], 1))) as ax:
        if matrix.size == 0:
            return _no_data(ax, title, lang)
        ax = heatmap(matrix, title=title, xlabel=xlabel, ylabel=ylabel, fmt=fmt, cmap=cmap, lang=lang, ns=ns, ax=ax)
        ax.tick_params(axis="x", rotation=0)
        return _finish(ax)
