"""The CES notebook's view of a Dataset: effort answers with ticket and customer attributes, the
scale's direction, the link between effort and later churn, and the report's sentences and
headline record in English or Japanese.

Every number comes from :mod:`csa.metrics.survey`; this module only selects rows and words.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import headline as H
from ..joins import attach
from ..labels import t
from ..metrics import survey as M
from ..periods import period_of
from . import csat as C
from .common import filters_phrase

__all__ = ["BANDS", "SCALE", "SHOWN", "answers", "band_names", "bands", "churn_table", "describe", "describe_change",
           "describe_churn", "describe_direction", "easy_scores", "headline", "headline_record", "later_churn",
           "replies_table", "scale_ends", "scope_sentence"]

NS = "ces"
SCALE = 7
#: effort bands, easy end first: the ``boxes`` scores at the easy end, the middle, the other end
BANDS = ("easy", "neutral", "hard")
#: the columns a CES table shows (after its group column)
SHOWN = ["n", "ces", "low", "high", "mean", "small_n"]


def easy_scores(easy_end: str = "low", boxes: int = 3) -> list[int]:
    """The answers 1–7 counted as easy.

    Examples
    --------
    >>> easy_scores(), easy_scores("high")
    ([1, 2, 3], [5, 6, 7])
    """
    return [int(s) for s in range(1, SCALE + 1) if M.easy([s], scale=SCALE, easy_end=easy_end, boxes=boxes)[0]]


def _span(scores: list[int], lang: str) -> str:
    if not scores:
        return "—"
    dash = "〜" if lang == "ja" else "–"
    return str(scores[0]) if len(scores) == 1 else f"{scores[0]}{dash}{scores[-1]}"


def band_names(*, easy_end: str = "low", boxes: int = 3, lang: str = "en") -> dict[str, str]:
    """The name of each band in ``lang``, with the answers it holds.

    Examples
    --------
    >>> band_names()
    {'easy': 'Easy (1–3)', 'neutral': 'Neutral (4)', 'hard': 'Hard (5–7)'}
    """
    other = "high" if easy_end == "low" else "low"
    ez = easy_scores(easy_end, boxes)
    hard = [s for s in easy_scores(other, boxes) if s not in ez]
    mid = [s for s in range(1, SCALE + 1) if s not in ez and s not in hard]
    return {b: t(f"band_{b}", lang, NS, scores=_span(sc, lang)) for b, sc in zip(BANDS, (ez, mid, hard), strict=True)}


def scale_ends(*, easy_end: str = "low", lang: str = "en") -> tuple[str, str]:
    """What the lowest and the highest answer mean, in ``lang`` (for the picture of the scale)."""
    return t(f"end_1_{easy_end}", lang, NS), t(f"end_{SCALE}_{easy_end}", lang, NS, scale=SCALE)


def bands(scores, *, easy_end: str = "low", boxes: int = 3) -> pd.Categorical:
    """``easy`` (the ``boxes`` scores at the easy end), ``hard`` (as many at the other end) or ``neutral``.

    Examples
    --------
    >>> list(bands([1, 3, 4, 5, 7]))
    ['easy', 'easy', 'neutral', 'hard', 'hard']
    """
    other = "high" if easy_end == "low" else "low"
    is_easy = M.easy(scores, scale=SCALE, easy_end=easy_end, boxes=boxes)
    is_hard = M.easy(scores, scale=SCALE, easy_end=other, boxes=boxes) & ~is_easy
    values = np.where(is_easy, "easy", np.where(is_hard, "hard", "neutral"))
    values = np.where(pd.isna(pd.to_numeric(pd.Series(scores), errors="coerce")).to_numpy(), None, values)
    return pd.Categorical(values, categories=list(BANDS), ordered=True)


def answers(ds, *, segment: str = "", plan: str = "", freq: str = "month") -> pd.DataFrame:
    """CES answers with customer attributes and, when they followed a ticket, its channel and replies.

    Parameters
    ----------
    ds : Dataset
        Needs ``customers`` and ``surveys``; ``tickets`` adds the ticket columns (else empty).
    segment, plan : str
        Filters; ``""`` keeps all.
    freq : str
        Period of the ``period`` column.

    Returns
    -------
    DataFrame
        The ``surveys`` columns, ``segment``, ``plan``, ``channel``, ``agent_replies``,
        ``replies_bin`` (ordered bins: 1, 2, 3, 4+), ``period``.
    """
    ds.require("surveys")
    s = ds.surveys[ds.surveys["survey"] == "ces"]
    cust = ds.customers[[c for c in ("customer_id", "segment", "plan") if c in ds.customers.columns]]
    out = attach(s, cust, "customer_id")
    if ds.tickets is not None:
        out = attach(out, ds.tickets[["ticket_id", "channel", "agent_replies"]], "ticket_id")
    else:
        out = out.assign(channel=pd.NA, agent_replies=pd.NA)
    out = C.filter_value(out, "segment", segment, "CES answers")
    out = C.filter_value(out, "plan", plan, "CES answers")
    out = out.assign(replies_bin=C.bin_values(pd.to_numeric(out["agent_replies"]).astype(float), C.REPLY_BINS),
                     period=period_of(out["responded_at"], freq))
    return out.reset_index(drop=True)


def headline(resp: pd.DataFrame, period, *, easy_end: str = "low", boxes: int = 3,
             level: float = 0.95) -> M.CESResult:
    """CES of the answers in ``period`` (``n == 0`` when there are none)."""
    row = M.ces_counts(resp[resp["period"] == period], scale=SCALE, easy_end=easy_end, boxes=boxes).iloc[0]
    return M.CESResult.from_counts(row, scale=SCALE, easy_end=easy_end, boxes=boxes, level=level)


def replies_table(resp: pd.DataFrame, *, easy_end: str = "low", boxes: int = 3, level: float = 0.95,
                  min_n: int = 30) -> pd.DataFrame:
    """CES per number of agent replies (1, 2, 3, 4+), answers without a ticket left out."""
    has = resp["replies_bin"].notna()
    tab = M.ces_table(resp[has], "replies_bin", scale=SCALE, easy_end=easy_end, boxes=boxes, level=level,
                      min_n=min_n)
    tab["replies_bin"] = tab["replies_bin"].astype(str)
    return tab


def later_churn(ds, resp: pd.DataFrame, *, horizon: int = 6, easy_end: str = "low", boxes: int = 3) -> pd.DataFrame:
    """Each customer's first CES answer with a full follow-up, and whether they had left ``horizon`` months later.

    Parameters
    ----------
    ds : Dataset
        Needs ``subscriptions``.
    resp : DataFrame
        From :func:`answers`.
    horizon : int
        Months after the month of the answer at which the customer is looked up.
    easy_end, boxes
        The easy end of the scale and how many answers count as easy (see :func:`bands`).

    Returns
    -------
    DataFrame
        One row per customer: ``customer_id``, ``month`` (of the answer), ``score``, ``band``
        (``easy``/``neutral``/``hard``), ``left`` (no subscription ``horizon`` months after the
        answer's month). Only answers at least ``horizon`` months before the last month of the
        subscriptions count (the follow-up must be complete); a customer's first such answer is
        used, so every customer counts once.
    """
    ds.require("subscriptions")
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon is a whole number of months >= 1 (e.g. 6); got {horizon!r}")
    subs = ds.subscriptions
    last = subs["month"].max()
    r = resp.assign(month=period_of(resp["responded_at"], "month"))
    r = r[r["month"] + horizon <= last].sort_values(["responded_at", "response_id"], kind="stable")
    first = r.groupby("customer_id", sort=True).head(1)
    later = pd.MultiIndex.from_arrays([first["customer_id"], first["month"] + horizon])
    active = pd.MultiIndex.from_arrays([subs["customer_id"], subs["month"]])
    out = first[["customer_id", "month", "score"]].assign(
        band=bands(first["score"], easy_end=easy_end, boxes=boxes), left=~later.isin(active))
    return out.sort_values("customer_id").reset_index(drop=True)


def churn_table(rows: pd.DataFrame, *, easy_end: str = "low", boxes: int = 3, level: float = 0.95,
                min_n: int = 30, lang: str = "en") -> pd.DataFrame:
    """Share of customers who had left, per effort band (easy, neutral, hard), with intervals.

    Returns
    -------
    DataFrame
        ``band``, ``band_name`` (in ``lang``, with its answers), ``n`` (customers), ``left``,
        ``pct_left`` (%), ``low``, ``high``, ``small_n``; bands in order, easy first.
    """
    counts = M.share_counts(rows, "band", flag="left")
    out = M.rate_stats(counts, successes="left", value="pct_left", level=level, min_n=min_n)
    out["band"] = out["band"].astype(str)
    out.insert(1, "band_name", out["band"].map(band_names(easy_end=easy_end, boxes=boxes, lang=lang)))
    return out.drop(columns=["excluded"])


# ------------------------------------------------------------------------------- sentences

def describe_direction(*, easy_end: str = "low", boxes: int = 3, lang: str = "en") -> str:
    """Which end of the scale is easy, in one sentence (said before any number)."""
    ez = easy_scores(easy_end, boxes)
    key = "direction_low" if easy_end == "low" else "direction_high"
    return t(key, lang, NS, a=ez[0], b=ez[-1], scale=SCALE)


def scope_sentence(periods, n: int, *, segment: str = "", plan: str = "", lang: str = "en") -> str:
    """What the notebook is looking at, in one sentence."""
    scope = filters_phrase(NS, lang, segment=segment, plan=plan)
    return t("scope", lang, NS, period=periods.this_label, prev=periods.prev_label,
             scope=scope, n=n)


def describe(result: M.CESResult, period_label: str, *, lang: str = "en", min_n: int = 30) -> str:
    """The period's CES in one honest sentence (or that there is none)."""
    if result.n == 0:
        return t("headline_none", lang, NS, period=period_label)
    a, b = result.easy_scores
    text = t("headline_" + result.easy_end, lang, NS, period=period_label, value=result.value, level=result.level,
             low=result.low, high=result.high, n=result.n, a=a, b=b, mean=result.mean, mlow=result.mean_low,
             mhigh=result.mean_high, scale=result.scale)
    if result.n < min_n:
        text = C.join_sentences([text, t("headline_small", lang, NS, n=result.n, min_n=min_n)], lang)
    return text


def describe_change(row, prev_label: str, *, lang: str = "en", level: float = 0.95) -> str:
    """The change of % easy against the comparison period (a row of :func:`csa.metrics.survey.ces_change`)."""
    if not row["n_a"] or not row["n_b"] or math.isnan(row["diff"]):
        return t("change_none", lang, NS, prev=prev_label)
    text = t("change", lang, NS, prev=prev_label, diff=row["diff"], level=level, low=row["low"], high=row["high"],
             p=C.p_text(row["p_value"]))
    return C.join_sentences([text, t("change_real" if row["low"] > 0 or row["high"] < 0 else "change_noise", lang, NS)],
                   lang)


def describe_churn(tab: pd.DataFrame, horizon: int, *, lang: str = "en", level: float = 0.95) -> str:
    """Hard against easy: the share who left ``horizon`` months later, the difference and whether it is real."""
    by = tab.set_index("band")
    if not {"easy", "hard"} <= set(by.index) or not by.loc["easy", "n"] or not by.loc["hard", "n"]:
        return t("churn_none", lang, NS, horizon=horizon)
    d = M.rate_change(by.loc[["hard"]], by.loc[["easy"]], successes="left", value="pct_left", level=level).iloc[0]
    text = t("churn", lang, NS, horizon=horizon, hard=d["pct_left_a"], nh=int(d["n_a"]), easy=d["pct_left_b"],
             ne=int(d["n_b"]), diff=d["diff"], level=level, low=d["low"], high=d["high"], p=C.p_text(d["p_value"]))
    return C.join_sentences([text, t("churn_real" if d["low"] > 0 or d["high"] < 0 else "churn_noise", lang, NS)], lang)


def headline_record(result: M.CESResult, change_row, periods, *, min_n: int = 30) -> dict:
    """The CES headline record (% easy after support) for the report's index."""
    change = None
    if change_row is not None and change_row["n_a"] and change_row["n_b"]:
        change = {"vs": periods.prev_label, "diff": change_row["diff"], "low": change_row["low"],
                  "high": change_row["high"], "p_value": change_row["p_value"]}
    a, b = result.easy_scores
    title = {lang: t("record_title", lang, NS, a=a, b=b, scale=result.scale) for lang in ("en", "ja")}
    return H.record("ces_support", title, periods.this_label, value=result.value if result.n else None,
                    low=result.low, high=result.high, n=result.n, unit="%", direction="higher", level=result.level,
                    min_n=min_n, change=change)
