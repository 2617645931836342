"""A layered tree (or any directed acyclic graph) drawn left to right: boxes with text, arrows between.

Generic: the caller gives a table of nodes (an id, a label already in the report's language, a
layer — the column it sits in — and optionally a status that colours its box) and a table of
edges (source → target). It is used for the KPI → KGI tree of the KPI-cycle notebook (actions →
KPIs → KGIs), but knows nothing about KPIs.

networkx holds the graph and orders the boxes of each column so that arrows cross as little as
possible (the barycentre heuristic of Sugiyama, Tagawa & Toda 1981: each box sits near the mean
position of its neighbours); matplotlib draws it. Labels are wrapped to a width counted in
half-width characters, so Japanese (full-width, two each) and English wrap alike, and set in the
handbook's Japanese-capable font.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..labels import check_lang
from .charts import BASE_SIZE, FAMILY, _canvas, _finish, _no_data

__all__ = ["NEUTRAL", "layered_order", "tree", "wrap"]

#: box colours (edge, fill) when a node has no status or an unknown one
NEUTRAL = ("#57606a", "#f6f8fa")


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


_TOKEN = re.compile(r"[!-~]+|\s+|.")   # a run of printable ASCII, a run of spaces, or one other character
_NO_START = set("、。，．・ー）」』】〕：")    # a line never starts with these
_OPEN = set("（「『【〔(")                 # a line is best broken before these


def _line_width(tokens: list[str]) -> int:
    return sum(_width(c) for tok in tokens for c in tok)


def wrap(text: str, width: int = 24) -> str:
    """``text`` wrapped to lines of at most ``width`` half-width characters (a full-width one counts 2).

    Lines break at spaces, before an opening bracket, or between two Japanese characters — never
    inside a run of Latin letters and digits (``2026-10``, ``FCR``) and never before closing
    punctuation (、。）」). A run longer than ``width`` gets a line of its own. Existing line
    breaks are kept.

    Examples
    --------
    >>> wrap("First contact resolution (one touch)", 28)
    'First contact resolution\\n(one touch)'
    >>> wrap("サポート後のCSAT（満足4〜5の割合）", 18)
    'サポート後のCSAT\\n（満足4〜5の割合）'
    >>> wrap("目標 −15.0ポイント以上（2026-10まで）", 24)
    '目標 −15.0ポイント以上\\n（2026-10まで）'
    """
    out = []
    for para in str(text).split("\n"):
        wide = any(_width(ch) == 2 for ch in para)
        tokens = _TOKEN.findall(para) if wide else re.findall(r"\S+|\s+", para)  # Latin text: break at spaces
        line: list[str] = []
        for tok in tokens:
            if _line_width(line) + _line_width([tok]) <= width or not line:
                line.append(tok)
                continue
            cut = len(line)
            opens = [i for i, x in enumerate(line) if x[0] in _OPEN and i > 0]
            if opens and _line_width(line[opens[-1]:]) + _line_width([tok]) <= width:
                cut = opens[-1]
            following = [*line, tok]
            while 0 < cut <= len(line) and following[cut] in _NO_START:
                cut -= 1
            if cut == 0:
                cut = len(line)
            out.append("".join(line[:cut]).rstrip())
            rest = line[cut:]
            while rest and rest[0].isspace():
                rest.pop(0)
            line = [*rest, tok] if rest or not tok.isspace() else []
        out.append("".join(line).rstrip())
    return "\n".join(out)


def layered_order(graph: nx.DiGraph, layers: Mapping, *, sweeps: int = 4) -> dict:
    """The position of each node within its layer, so that edges cross little.

    Parameters
    ----------
    graph : networkx.DiGraph
        The nodes and edges (direction is ignored for the ordering).
    layers : mapping
        Node → layer number (0 = left).
    sweeps : int
        Left-to-right and right-to-left passes of the barycentre heuristic.

    Returns
    -------
    dict
        Node → rank within its layer (0 = top), starting from the order the nodes were added in.
    """
    by_layer: dict[int, list] = {}
    for node in graph.nodes:
        by_layer.setdefault(int(layers[node]), []).append(node)
    keys = sorted(by_layer)
    rank = {n: float(i) for k in keys for i, n in enumerate(by_layer[k])}
    undirected = graph.to_undirected(as_view=True)
    for s in range(sweeps):
        order = keys[1:] if s % 2 == 0 else keys[-2::-1]
        for k in order:
            side = k - 1 if s % 2 == 0 else k + 1
            def centre(n, side=side, k=k):
                nb = [rank[m] for m in undirected.neighbors(n) if int(layers[m]) == side]
                return (np.mean(nb) if nb else rank[n], rank[n])
            by_layer[k].sort(key=centre)
            for i, n in enumerate(by_layer[k]):
                rank[n] = float(i)
    return {n: int(r) for n, r in rank.items()}


def tree(nodes: pd.DataFrame, edges: pd.DataFrame, *, id: str = "id", label: str = "label", layer: str = "layer",
         status: str | None = "status", source: str = "source", target: str = "target",
         colors: Mapping[str, tuple[str, str]] | None = None, legend: Mapping[str, str] | None = None,
         layer_names: Sequence[str] = (), wrap_width: int = 26, title: str = "", lang: str = "en",
         ax: Axes | None = None) -> Axes:
    """Boxes in columns (``layer`` 0 on the left) joined by arrows (``source`` → ``target``).

    Parameters
    ----------
    nodes : DataFrame
        One row per box: ``id``, ``label`` (text, already in the report's language; ``\\n`` starts
        a new line), ``layer`` (integer column), optional ``status``.
    edges : DataFrame
        One row per arrow: ``source`` and ``target`` ids; edges naming an unknown id are ignored.
    id, label, layer, status, source, target : str
        Column names (``status=None``: every box neutral).
    colors : mapping, optional
        Status → (edge colour, fill colour) of the box.
    legend : mapping, optional
        Status → legend text (already translated); statuses without text are left out.
    layer_names : sequence of str
        Headings of the columns, left to right.
    wrap_width : int
        Labels are wrapped to this many half-width characters per line.
    title : str
        Already in the report's language.

    Returns
    -------
    matplotlib Axes
        Boxes are ``Text`` artists with a bbox (``ax.texts``), arrows ``Annotation`` artists.
    """
    check_lang(lang)
    colors = dict(colors or {})
    missing = [c for c in (id, label, layer, status) if c is not None and c not in nodes.columns]
    missing += [c for c in (source, target) if c not in edges.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the tables; nodes has {', '.join(map(str, nodes.columns))}, "
                       f"edges has {', '.join(map(str, edges.columns))}")
    g = nx.DiGraph()
    for r in nodes.itertuples(index=False):
        row = r._asdict()
        g.add_node(row[id], label=wrap(row[label], wrap_width), layer=int(row[layer]),
                   status=row[status] if status else None)
    g.add_edges_from((s, t_) for s, t_ in zip(edges[source], edges[target], strict=True) if s in g and t_ in g)
    n_layers = max((d["layer"] for _, d in g.nodes(data=True)), default=-1) + 1
    per_layer = max((sum(1 for _, d in g.nodes(data=True) if d["layer"] == k) for k in range(n_layers)), default=0)
    lines = max((d["label"].count("\n") + 1 for _, d in g.nodes(data=True)), default=1)
    with _canvas(ax, (3.5 * max(n_layers, 1) + 0.6, (0.19 * lines + 0.42) * max(per_layer, 1) + 1.4)) as ax:
        if g.number_of_nodes() == 0:
            return _no_data(ax, title, lang)
        rank = layered_order(g, {n: d["layer"] for n, d in g.nodes(data=True)})
        counts = {k: sum(1 for _, d in g.nodes(data=True) if d["layer"] == k) for k in range(n_layers)}
        xs = {n: d["layer"] * 1.0 for n, d in g.nodes(data=True)}
        ys = {n: (per_layer - 1) / 2 - rank[n] + (counts[d["layer"]] - 1) / 2 - (per_layer - 1) / 2
              for n, d in g.nodes(data=True)}
        ax.set_xlim(-0.5, n_layers - 0.5)
        ax.set_ylim(-(per_layer - 1) / 2 - 0.6, (per_layer - 1) / 2 + 0.75)
        ax.axis("off")
        boxes = {}
        for n, d in g.nodes(data=True):
            edge, fill = colors.get(d["status"], NEUTRAL)
            boxes[n] = ax.text(xs[n], ys[n], d["label"], ha="center", va="center", fontsize=BASE_SIZE - 1.5,
                               fontfamily=FAMILY, zorder=3, linespacing=1.25,
                               bbox={"boxstyle": "round,pad=0.45", "facecolor": fill, "edgecolor": edge,
                                     "linewidth": 1.4})
        top = (per_layer - 1) / 2 + 0.62
        for k, name in enumerate(list(layer_names)[:n_layers]):
            ax.text(k, top, name, ha="center", va="bottom", fontsize=BASE_SIZE + 0.5, fontfamily=FAMILY,
                    color="#1f2328")
        if legend:
            present = {d["status"] for _, d in g.nodes(data=True)}
            handles = [matplotlib.patches.Patch(facecolor=colors.get(k, NEUTRAL)[1],
                                                edgecolor=colors.get(k, NEUTRAL)[0], label=text)
                       for k, text in legend.items() if text and k in present]
            if handles:
                ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles),
                          frameon=False)
        ax.set_title(title, pad=18)
        _finish(ax)
        ax.figure.canvas.draw()  # lay the figure out: the boxes' extents are known only once drawn
        inv = ax.transData.inverted()
        extent = {}
        for n, txt in boxes.items():
            bb = txt.get_bbox_patch().get_window_extent()
            (x0, y0), (x1, y1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
            extent[n] = (x0, x1, y0, y1)
        for s_, t_ in g.edges:
            x0, x1 = (extent[s_][1], extent[t_][0]) if xs[s_] < xs[t_] else (extent[s_][0], extent[t_][1])
            ax.annotate("", xy=(x1, ys[t_]), xytext=(x0, ys[s_]), zorder=2,
                        arrowprops={"arrowstyle": "-|>", "color": "#8c959f", "linewidth": 1.1,
                                    "shrinkA": 2, "shrinkB": 2, "mutation_scale": 12})
        return _finish(ax)
