"""The NPS notebook's view of a Dataset: responses with customer attributes, follow-up lists,
survey waves, and the sentences and headline record of the report (English or Japanese).

Every number comes from :mod:`csa.metrics.nps`; this module only selects rows and words.
"""

from __future__ import annotations

import math

import pandas as pd

from .. import kpi as K
from ..joins import attach
from ..labels import t
from ..metrics import nps as N
from ..periods import period_of
from .common import Headline, filtered, filters_phrase, join_sentences, scope, unknown_customers_sentence

__all__ = ["TABLE_MIMETYPE", "FollowupList", "callbacks_sentence", "counts_table", "describe", "describe_change",
           "describe_mix", "describe_paired", "followup_list", "followups", "last_two_waves", "period_change",
           "period_counts", "relationship_waves", "responses", "result", "scope_sentence", "testimonials_sentence",
           "touchpoint_mix", "waves"]

NS = "nps"
CUSTOMER_COLUMNS = ["customer_id", "name", "segment", "plan", "region", "csm"]
#: The whole list travels in this output for ``csa report``, which writes it beside the page as CSV
#: (the format is documented in :mod:`csa.report.lists`; the two constants must agree, a test checks).
TABLE_MIMETYPE = "application/vnd.csa.table+json"
LIST_NAMES = {"detractor": "detractors", "promoter": "promoters"}


def responses(ds, *, segment: str = "", plan: str = "", touchpoint: str = "", freq: str = "month") -> pd.DataFrame:
    """NPS responses of a :class:`~csa.Dataset`, with customer attributes, ``period`` and ``group``.

    Parameters
    ----------
    ds : Dataset
        Needs ``customers`` and ``surveys``.
    segment, plan, touchpoint : str
        Filters (:func:`csa.views.common.filtered`).
    freq : str
        Period of the ``period`` column: ``"month"``, ``"quarter"`` or ``"fiscal_year"``.

    Returns
    -------
    DataFrame
        The ``surveys`` columns of the NPS responses, the customer's ``name``, ``segment``,
        ``plan``, ``region``, ``csm``, plus ``period`` and ``group`` (promoter/passive/detractor).
    """
    ds.require("surveys")
    s = ds.surveys[ds.surveys["survey"] == "nps"]
    cust = ds.customers[[c for c in CUSTOMER_COLUMNS if c in ds.customers.columns]]
    out = filtered(attach(s, cust, "customer_id"), "NPS responses", segment=segment, plan=plan, touchpoint=touchpoint)
    out = out.assign(period=period_of(out["responded_at"], freq), group=N.classify(out["score"]))
    return out.reset_index(drop=True)


def period_counts(ds, *, engine: str = "pandas", freq: str = "month", segment: str = "",
                  plan: str = "") -> pd.DataFrame:
    """NPS counts per period and touchpoint (the notebook's headline, touchpoint and trend tables read them).

    Parameters
    ----------
    ds : Dataset
        The data (:func:`csa.load`).
    engine : {"pandas", "duckdb", "spark"}
        Where the answers are counted: :func:`csa.kpi.table` of the catalogue's ``nps``, the same
        aggregation whichever the engine.
    freq, segment, plan
        As in :func:`responses`.

    Returns
    -------
    DataFrame
        ``period``, ``touchpoint``, ``n``, ``promoters``, ``passives``, ``detractors``, ``excluded``.
    """
    t_ = K.table("nps", ds, by="touchpoint", freq=freq, engine=engine, where=scope(segment=segment, plan=plan))
    return t_[["period", "touchpoint", *N.COUNT_COLUMNS, "excluded"]]


def counts_table(counts: pd.DataFrame, period, by: str | None = None, *, upto: bool = False, level: float = 0.95,
                 method: str = "adjusted-wald", min_n: int = 30) -> pd.DataFrame:
    """NPS with its interval from :func:`period_counts`: one period (or every period up to it), per ``by``.

    Parameters
    ----------
    counts : DataFrame
        From :func:`period_counts`.
    period : pandas.Period
        The period; with ``upto=True`` every period up to it.
    by : {"touchpoint", "period"} or None
        Rows of the table; ``None`` for one overall row.
    level, method, min_n
        As in :func:`csa.metrics.nps.nps_stats`.

    Returns
    -------
    DataFrame
        As :func:`csa.metrics.nps.nps_table` on the period's responses.
    """
    rows = counts[counts["period"] <= period] if upto else counts[counts["period"] == period]
    cols = [*N.COUNT_COLUMNS, "excluded"]
    if by is None:
        c = pd.DataFrame([rows[cols].sum()]).astype("int64")
    else:
        c = rows.groupby(by, sort=True, dropna=False, observed=True)[cols].sum().reset_index()
    return N.nps_stats(c, level=level, method=method, min_n=min_n)


def result(h: Headline) -> N.NPSResult:
    """This period's NPS of a section headline (:func:`csa.views.common.headline`) as an NPSResult."""
    p = h.this.params
    row = {k: 0 for k in (*N.COUNT_COLUMNS, "excluded")} | {k: v for k, v in h.this.row.items() if v is not None}
    return N.NPSResult.from_counts(pd.Series(row), level=h.this.level, method=p["method"])


def period_change(counts: pd.DataFrame, a, b, by: str | None = None, *, level: float = 0.95,
                  method: str = "adjusted-wald", min_n: int = 30) -> pd.DataFrame:
    """NPS of period ``a`` against ``b`` from :func:`period_counts`, overall or per ``by`` (e.g. touchpoint).

    Returns
    -------
    DataFrame
        As :func:`csa.metrics.nps.compare_periods`.
    """
    cols = [*N.COUNT_COLUMNS, "excluded"]

    def side(p):
        rows = counts[counts["period"] == p]
        if by is None:
            return pd.DataFrame([rows[cols].sum()]).astype("int64")
        return rows.groupby(by, sort=True, dropna=False, observed=True)[cols].sum().reset_index()

    return N.compare_counts(side(a), side(b), by, level=level, method=method, min_n=min_n)


def followups(ds, resp: pd.DataFrame, period, *, kind: str = "detractor") -> pd.DataFrame:
    """Who to contact after the period's survey (source article 003).

    Parameters
    ----------
    ds : Dataset
        Its ``tickets`` (optional) give each customer's open tickets.
    resp : DataFrame
        From :func:`responses`.
    period : pandas.Period
        The period whose answers are followed up.
    kind : str
        ``"detractor"``: detractors to call back, lowest score first. ``"promoter"``: promoters
        to ask for a testimonial, those who left a comment first.

    Returns
    -------
    DataFrame
        ``customer_id``, ``name``, ``segment``, ``csm``, ``score``, ``touchpoint``,
        ``responded_at``, ``comment``, ``open_tickets`` (open ticket ids, comma-separated; empty
        when none or without a tickets table).
    """
    if kind not in ("detractor", "promoter"):
        raise ValueError(f"kind is 'detractor' or 'promoter'; got {kind!r}")
    r = resp[(resp["period"] == period) & (resp["group"] == kind)].copy()
    if ds.tickets is not None:
        open_t = ds.tickets[ds.tickets["status"] == "open"].groupby("customer_id")["ticket_id"].agg(", ".join)
        found = r["customer_id"].map(open_t)
        r["open_tickets"] = found.astype(object).where(found.notna(), "")
    else:
        r["open_tickets"] = ""
    if kind == "detractor":
        r = r.sort_values(["score", "responded_at", "response_id"])
    else:
        r = r.assign(_c=r["comment"].isna()).sort_values(["_c", "score", "responded_at", "response_id"],
                                                         ascending=[True, False, True, True])
    cols = ["customer_id", "name", "segment", "csm", "score", "touchpoint", "responded_at", "comment",
            "open_tickets"]
    return r[cols].reset_index(drop=True)


def _cell(v):
    """A table cell as plain JSON: text, a number, or ``None`` for a missing value."""
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):  # not a scalar
        return str(v)
    if isinstance(v, bool | int | float):
        v = v.item() if hasattr(v, "item") else v  # numpy scalars to Python's
        return str(v) if isinstance(v, float) and not math.isfinite(v) else v
    if hasattr(v, "item"):  # other numpy scalars
        return _cell(v.item())
    return str(v)


class FollowupList:
    """A follow-up list as the notebook shows it: exactly the first ``top_n`` rows, every one of them.

    Displayed, it is an HTML table of ``min(top_n, len(table))`` rows (rendered explicitly, so
    pandas never elides rows in the middle) and, under :data:`TABLE_MIMETYPE`, the *whole* list
    (``{"name", "title", "columns", "rows", "shown"}``), from which ``csa report`` writes
    ``<notebook>.<name>.csv`` beside the page and links it. Nothing is written by the notebook.
    """

    def __init__(self, table: pd.DataFrame, top_n: int, *, name: str, title: str) -> None:
        if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
            raise ValueError(f"top_n is the number of rows to show, 1 or more; got {top_n!r}")
        self.table, self.top_n, self.name, self.title = table, top_n, name, title

    @property
    def shown(self) -> pd.DataFrame:
        """The rows shown: the first ``top_n``."""
        return self.table.head(self.top_n)

    def payload(self) -> dict:
        """The whole list as plain JSON (the row labels become the first column)."""
        whole = self.table.reset_index() if self.table.index.name is not None else self.table
        return {"name": self.name, "title": self.title, "columns": [str(c) for c in whole.columns],
                "rows": [[_cell(v) for v in row] for row in whole.itertuples(index=False, name=None)],
                "shown": len(self.shown)}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        shown = self.shown
        return {"text/html": shown.to_html(notebook=True, max_rows=None, max_cols=None, na_rep=""),
                "text/plain": shown.to_string(max_rows=None, max_cols=None, na_rep=""),
                TABLE_MIMETYPE: self.payload()}

    def __repr__(self) -> str:
        return f"FollowupList({self.name!r}: {len(self.shown)} of {len(self.table)} rows shown)"


def followup_list(table: pd.DataFrame, top_n: int, *, kind: str = "detractor", lang: str = "en") -> FollowupList:
    """The follow-up list ``table`` (from :func:`followups`, formatted for people) ready to display.

    Parameters
    ----------
    table : DataFrame
        The whole list, e.g. ``format_table(followups(…), lang, ns="nps")``.
    top_n : int
        Rows shown on the page (1 or more); the whole list goes to the report's CSV file.
    kind : str
        ``"detractor"`` or ``"promoter"``: names the list (``detractors`` / ``promoters``).
    lang : str
        Language of the list's title.
    """
    if kind not in LIST_NAMES:
        raise ValueError(f"kind is 'detractor' or 'promoter'; got {kind!r}")
    name = LIST_NAMES[kind]
    return FollowupList(table, top_n, name=name, title=t(f"list_{name}", lang, NS))


def waves(resp: pd.DataFrame, *, touchpoint: str = "relationship") -> pd.DataFrame:
    """The responses of one touchpoint with a ``wave`` column: the month they were answered in."""
    r = resp[resp["touchpoint"] == touchpoint]
    return r.assign(wave=period_of(r["responded_at"], "month"))


def relationship_waves(resp: pd.DataFrame, *, touchpoint: str = "relationship") -> list[pd.Period]:
    """Months in which the relationship survey was answered, oldest first."""
    return sorted(waves(resp, touchpoint=touchpoint)["wave"].unique())


def last_two_waves(resp: pd.DataFrame, until: pd.Period, *, touchpoint: str = "relationship"):
    """The last two survey waves (months) up to the end of period ``until``, or ``None`` if fewer."""
    ws = [w for w in relationship_waves(resp, touchpoint=touchpoint) if w <= until.asfreq("M", "end")]
    return (ws[-2], ws[-1]) if len(ws) >= 2 else None


def touchpoint_mix(resp: pd.DataFrame, a, b, *, by: str = "touchpoint") -> pd.DataFrame:
    """Share of responses per touchpoint in periods ``a`` and ``b``: the mix behind an overall NPS.

    Returns
    -------
    DataFrame
        ``touchpoint``, ``n_a``, ``share_a``, ``n_b``, ``share_b`` (percent of each period's
        responses), sorted by touchpoint.
    """
    counts = {}
    for side, p in (("a", a), ("b", b)):
        counts[f"n_{side}"] = resp.loc[resp["period"] == p, by].value_counts()
    out = pd.DataFrame(counts).fillna(0).astype("int64").sort_index()
    out.index.name = by
    for side in ("a", "b"):
        total = out[f"n_{side}"].sum()
        out[f"share_{side}"] = 100 * out[f"n_{side}"] / total if total else float("nan")
    return out[["n_a", "share_a", "n_b", "share_b"]].reset_index()


# ------------------------------------------------------------------------------- sentences

def scope_sentence(periods, n: int, *, segment: str = "", plan: str = "", lang: str = "en",
                   rows: pd.DataFrame | None = None) -> str:
    """What the notebook is looking at, in one sentence; with ``rows`` (the period's answers), how many of them
    belong to no known customer (:func:`csa.views.common.unknown_customers_sentence`)."""
    scope = filters_phrase(NS, lang, segment=segment, plan=plan)
    return join_sentences([t("scope", lang, NS, period=periods.this_label, prev=periods.prev_label, scope=scope, n=n),
                           unknown_customers_sentence(rows, "answers", lang=lang)], lang)


def describe(result: N.NPSResult, period_label: str, *, lang: str = "en", min_n: int = 30) -> str:
    """One Markdown sentence stating the period's NPS honestly (or that there is none)."""
    if result.n == 0:
        return t("headline_none", lang, NS, period=period_label)
    text = t("headline", lang, NS, period=period_label, value=result.value, level=result.level, low=result.low,
             high=result.high, n=result.n, pp=result.pct_promoters, pa=result.pct_passives, pd=result.pct_detractors)
    if result.n < min_n:
        text += t("headline_small", lang, NS, n=result.n, min_n=min_n)
    return text


def describe_change(h: Headline, prev_label: str, *, lang: str = "en", level: float = 0.95) -> str:
    """The overall change against the comparison period, and whether it can be told from noise.

    ``h`` is the section's headline (:func:`csa.views.common.headline`): the same change the report
    index shows.
    """
    c = h.change
    if c is None or c["diff"] is None or math.isnan(c["diff"]):
        return t("change_none", lang, NS, prev=prev_label)
    text = t("change", lang, NS, prev=prev_label, diff=c["diff"], level=level, low=c["low"], high=c["high"],
             p=c["p_value"])
    real = c["low"] > 0 or c["high"] < 0
    return text + t("change_real" if real else "change_noise", lang, NS)


def describe_mix(mix: pd.DataFrame, this_label: str, prev_label: str, *, lang: str = "en",
                 limit: float = 10.0) -> str:
    """Warn when the touchpoint mix moved by more than ``limit`` points between the periods."""
    moved = mix[(mix["share_a"] - mix["share_b"]).abs() > limit]
    if moved.empty or mix["n_b"].sum() == 0 or mix["n_a"].sum() == 0:
        return t("mix_ok", lang, NS, limit=limit)
    detail = ", ".join(t("mix_item", lang, NS, touchpoint=t(r.touchpoint, lang, NS), a=r.share_a, b=r.share_b)
                       for r in moved.itertuples())
    return t("mix_warning", lang, NS, period=this_label, prev=prev_label, detail=detail)


def describe_paired(pc: N.PairedChange | None, before: str, after: str, *, lang: str = "en") -> str:
    """The paired re-survey result in one sentence (``pc=None``: fewer than two waves)."""
    if pc is None:
        return t("paired_none", lang, NS)
    if pc.n < 2:
        return t("paired_few", lang, NS, n=pc.n, before=before, after=after)
    return t("paired", lang, NS, n=pc.n, before=before, after=after, a=pc.before, b=pc.after, diff=pc.change,
             level=pc.level, low=pc.low, high=pc.high, t=pc.t, p=pc.p_value)


def callbacks_sentence(n: int, shown: int, period_label: str, *, lang: str = "en") -> str:
    return t("callbacks", lang, NS, n=n, shown=min(n, shown), period=period_label)


def testimonials_sentence(n: int, shown: int, period_label: str, *, lang: str = "en") -> str:
    return t("testimonials", lang, NS, n=n, shown=min(n, shown), period=period_label)


testimonials_sentence.__test__ = False  # not a test, though its name starts with "test"
