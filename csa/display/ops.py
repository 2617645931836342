"""Charts for operations data: a weekday × hour grid, trends of several groups, rates by ordered category.

Generic like :mod:`csa.display.charts`: each takes a tidy table and the names of its columns and
returns its Axes; titles and axis labels come in already translated; group values are translated
with :mod:`csa.labels` (namespace ``ns``) when the handbook knows them.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..labels import check_lang, t
from .charts import BASE_SIZE, COLORS, _canvas, _checked, _estimates, _finish, _names, _no_data

__all__ = ["GROUP_COLORS", "category_points", "group_trends", "weekday_hour_grid"]

#: one colour per group, in order (colour-blind friendly: Okabe & Ito 2008)
GROUP_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]


def weekday_hour_grid(table: pd.DataFrame, *, row_labels: Sequence[str] | None = None, fmt: str = ".1f",
                      title: str = "", xlabel: str = "", ylabel: str = "", cbar_label: str = "",
                      cmap: str = "Blues", vmin: float | None = None, vmax: float | None = None,
                      annot: bool = True, lang: str = "en", ax: Axes | None = None) -> Axes:
    """A weekday × hour matrix as a heatmap of fixed size, each cell annotated; missing cells blank.

    Parameters
    ----------
    table : DataFrame
        Rows = weekdays (or any rows), columns = hours (or any columns), numbers; NaN cells are
        left white.
    row_labels : list of str, optional
        Names of the rows (e.g. Monday … Sunday in the report's language); default the index.
    fmt : str
        Format of the annotations (``".1f"``, ``".0f"``, ``"d"``).
    title, xlabel, ylabel, cbar_label : str
        Already in the report's language.
    cmap : str
        Matplotlib colour map (``"Blues"`` for counts; ``"RdYlGn"`` for a service level).
    vmin, vmax : float, optional
        Colour scale limits.
    annot : bool
        Print each cell's value.

    Returns
    -------
    matplotlib Axes
    """
    check_lang(lang)
    with _canvas(ax, (11, 1.6 + 0.42 * max(table.shape[0], 1))) as ax:
        if table.size == 0 or table.isna().all().all():
            return _no_data(ax, title, lang)
        data = table.to_numpy(dtype=float)
        masked = np.ma.masked_invalid(data)
        cm = matplotlib.colormaps[cmap].with_extremes(bad="white")
        im = ax.imshow(masked, aspect="auto", cmap=cm, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_xticks(np.arange(table.shape[1]), [str(c) for c in table.columns])
        rows = list(row_labels) if row_labels is not None else [str(i) for i in table.index]
        ax.set_yticks(np.arange(table.shape[0]), rows)
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        if annot:
            lo, hi = im.norm.vmin, im.norm.vmax
            for (i, j), v in np.ndenumerate(data):
                if np.isfinite(v):
                    dark = hi > lo and (v - lo) / (hi - lo) > 0.6 and cmap in ("Blues", "Greens", "Purples", "Greys")
                    ax.text(j, i, format(round(v) if fmt == "d" else v, fmt), ha="center", va="center",
                            fontsize=BASE_SIZE - 3, color="white" if dark else "black")
        cb = ax.figure.colorbar(im, ax=ax, fraction=0.025, pad=0.01)
        cb.set_label(cbar_label)
        cb.ax.yaxis.label.set_fontfamily(ax.title.get_fontfamily())
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        return _finish(ax)


def group_trends(table: pd.DataFrame, x: str, group: str, *, value: str = "value", low: str | None = "low",
                 high: str | None = "high", small: str | None = "small_n", n: str | None = "n",
                 mark: str | None = None, mark_label: str = "", title: str = "", ylabel: str = "",
                 xlabel: str = "", log: bool = False, lang: str = "en", ns: str = "common", level: float = 0.95,
                 dashed: tuple[str, ...] = (), ax: Axes | None = None) -> Axes:
    """One line per group over time, each with its interval as a band; a dashed line at ``mark``.

    Parameters
    ----------
    table : DataFrame
        One row per group and period, periods in order within each group.
    x : str
        Column with the period labels (text; the same set for every group is best).
    group : str
        Column naming the groups (translated when known).
    value, low, high : str
        Estimate and interval columns (``low``/``high`` ``None``: no band).
    small : str or None
        Boolean column: ``True`` points are drawn hollow ("too few to read").
    n : str or None
        Rows with ``n == 0`` are left out.
    mark : str, optional
        A period label where a dashed vertical line is drawn (e.g. a training), labelled ``mark_label``.
    log : bool
        Logarithmic value axis (durations spanning minutes to days).
    dashed : tuple of str
        Groups drawn as a dashed line without markers (a counterfactual: what would have happened).

    Returns
    -------
    matplotlib Axes
    """
    data = _estimates(table, lang, (x, group, value, low, high, small, n), value, n)
    with _canvas(ax, (9, 4.2)) as ax:
        if data.empty:
            return _no_data(ax, title, lang)
        periods = list(dict.fromkeys(str(p) for p in sorted(data[x].astype(str).unique())))
        pos = {p: i for i, p in enumerate(periods)}
        for k, (g, part) in enumerate(data.groupby(group, sort=True)):
            color = GROUP_COLORS[k % len(GROUP_COLORS)]
            xs = np.array([pos[str(p)] for p in part[x]])
            if low and high:
                ax.fill_between(xs, part[low], part[high], color=color, alpha=0.15, linewidth=0)
            style = {"linestyle": "--", "marker": None} if str(g) in dashed else {"marker": "o", "markersize": 4}
            ax.plot(xs, part[value], color=color, label=t(str(g), lang, ns), **style)
            if small:
                sm = part[small].to_numpy(bool)
                if sm.any():
                    ax.plot(xs[sm], part[value].to_numpy()[sm], "o", markerfacecolor="white", markeredgecolor=color)
        if mark is not None and str(mark) in pos:
            ax.axvline(pos[str(mark)] - 0.5, color="grey", linestyle="--", linewidth=1)
            if mark_label:  # right of the line, or left of it when the line is in the right third (legend beside)
                right = pos[str(mark)] - 0.5 < (len(periods) - 1) * 2 / 3
                ax.annotate(mark_label, (pos[str(mark)] - 0.5, 1.0), xycoords=("data", "axes fraction"),
                            xytext=(4 if right else -4, -4), textcoords="offset points", va="top",
                            ha="left" if right else "right", fontsize=BASE_SIZE - 2, color="dimgrey")
        if log:
            ax.set_yscale("log")
        step = max(1, len(periods) // 12)
        ax.set_xticks(np.arange(len(periods))[::step], periods[::step], rotation=45, ha="right")
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        handles, labels_ = ax.get_legend_handles_labels()
        if low and high:
            handles.append(matplotlib.patches.Patch(color="grey", alpha=0.15))
            labels_.append(t("interval", lang, level=level))
        ax.legend(handles, labels_, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _finish(ax)


def category_points(table: pd.DataFrame, x: str, *, value: str = "value", low: str = "low", high: str = "high",
                    n: str | None = "n", title: str = "", xlabel: str = "", ylabel: str = "",
                    ylim: tuple[float, float] | None = None, color: str | None = None, lang: str = "en",
                    ns: str = "common", ax: Axes | None = None) -> Axes:
    """An estimate per ordered category (left to right, in table order) with its interval and n.

    For rates along an ordered scale (first-response bands, CSAT scores): the eye follows the
    trend from one category to the next. Rows with ``n == 0`` keep their place, without a point.

    Parameters
    ----------
    table : DataFrame
        One row per category, in the order to show.
    x : str
        Category column (translated when known).
    value, low, high : str
        Estimate and interval columns.
    n : str or None
        Group sizes, printed under each point.
    ylim : tuple, optional
        Value axis limits, e.g. ``(0, 100)``.

    Returns
    -------
    matplotlib Axes
    """
    _checked(table, lang, x, value, low, high, n)
    with _canvas(ax, (5, 3.8)) as ax:
        if table.empty or table[value].isna().all():
            return _no_data(ax, title, lang)
        xs = np.arange(len(table))
        c = color or COLORS["line"]
        v, lo, hi = (table[k].to_numpy(dtype=float) for k in (value, low, high))
        ok = np.isfinite(v)
        ax.errorbar(xs[ok], v[ok], yerr=[v[ok] - lo[ok], hi[ok] - v[ok]], fmt="o", color=c, ecolor=c,
                    elinewidth=2, capsize=0, alpha=0.9)
        ax.plot(xs[ok], v[ok], color=c, linewidth=1, alpha=0.5)
        ax.set_xticks(xs, _names(table[x], lang, ns))
        ax.set_xlim(-0.5, len(table) - 0.5)  # half a category each side: room for the n labels above the ends
        if ylim is not None:
            ax.set_ylim(*ylim)
        if n:
            for xi, (ni, hii) in enumerate(zip(table[n], hi)):
                if ni and np.isfinite(hii):
                    ax.annotate(f"n={int(ni):,}", (xi, hii), xytext=(0, 4), textcoords="offset points",
                                ha="center", va="bottom", fontsize=BASE_SIZE - 3, color="dimgrey")
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        return _finish(ax)
