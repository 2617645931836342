"""The CES notebook's view of a Dataset: effort answers with ticket and customer attributes, the
scale's direction, CES per channel and period from the KPI catalogue, the link between effort and
later churn, and the report's sentences in English or Japanese.

The KPI is the catalogue's ``ces``, the share of easy answers (higher is better); the raw 1–7
answer runs the other way with ``easy_end="low"`` (lower = less effort), and every sentence and
table says so. The headline comes from :func:`csa.views.common.headline`, the breakdowns from
:func:`csa.kpi.table` (:func:`csa.views.csat.kpi_table`), the rest from :mod:`csa.metrics.survey`;
numbers in sentences are written by :mod:`csa.numbers`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import numbers as num
from ..joins import attach
from ..labels import t
from ..metrics import survey as M
from ..periods import period_of
from . import csat as C
from .common import Headline, change_numbers, change_sentence, filtered, filters_phrase

__all__ = ["BANDS", "MEAN", "SCALE", "SHOWN", "answers", "band_names", "bands", "churn_table", "counts_table",
           "describe", "describe_change", "describe_churn", "describe_direction", "easy_scores", "later_churn",
           "replies_table", "result", "scale_ends", "scope_sentence", "shown"]

NS = "ces"
SCALE = 7
#: effort bands, easy end first: the ``boxes`` scores at the easy end, the middle, the other end
BANDS = ("easy", "neutral", "hard")
#: the columns a CES table shows (after its group column); :func:`shown` names the mean by its direction
SHOWN = ["n", "ces", "low", "high", "mean", "small_n"]
#: the mean's column as a table shows it: effort (lower = less effort) or agreement (higher = easier)
MEAN = {"low": "mean_effort", "high": "mean_agreement"}


def shown(tab: pd.DataFrame, by: str, *, easy_end: str = "low") -> pd.DataFrame:
    """The columns a CES table shows, the mean named with the raw answer's direction.

    Examples
    --------
    >>> tab = pd.DataFrame({"channel": ["chat"], "n": [4], "ces": [50.0], "low": [15.0], "high": [85.0],
    ...                     "mean": [3.5], "small_n": [True], "total": [14.0]})
    >>> list(shown(tab, "channel").columns)
    ['channel', 'n', 'ces', 'low', 'high', 'mean_effort', 'small_n']
    """
    if easy_end not in MEAN:
        raise ValueError(f"easy_end is 'low' or 'high'; got {easy_end!r}")
    return tab[[by, *SHOWN]].rename(columns={"mean": MEAN[easy_end]})


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
        Customer filters (:func:`csa.views.common.filtered`).
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
    out = filtered(out, "CES answers", segment=segment, plan=plan)
    out = out.assign(replies_bin=C.bin_values(pd.to_numeric(out["agent_replies"]).astype(float), C.REPLY_BINS),
                     period=period_of(out["responded_at"], freq))
    return out.reset_index(drop=True)


def counts_table(data, by: str | None = None, *, values=None, period=None, freq: str = "month",
                 engine: str = "pandas", easy_end: str = "low", boxes: int = 3, level: float = 0.95,
                 min_n: int = 30, where: dict | None = None) -> pd.DataFrame:
    """CES per period (and group) counted by the catalogue (:func:`csa.views.csat.kpi_table`), in the table form.

    ``by`` with ``values``: a column of the answers' customer or ticket (``channel``), one subset each.

    Returns
    -------
    DataFrame
        ``period``, ``by``, ``n``, ``easy``, ``total``, ``total_sq``, ``excluded``, ``ces`` (% easy),
        ``low``, ``high`` (the catalogue's Wilson interval), ``mean``, ``sd``, ``mean_low``,
        ``mean_high`` (:func:`csa.metrics.survey.ces_stats` on the same counts), ``small_n``.
    """
    tab = C.kpi_table("ces", data, by, values=values, period=period, freq=freq, engine=engine, level=level,
                      min_n=min_n, where=where, easy_end=easy_end, boxes=boxes)
    keys = ["period", *([by] if by else [])]
    counts = tab[[*keys, "n", "successes", "total", "total_sq", "excluded"]].rename(columns={"successes": "easy"})
    return M.ces_stats(counts, scale=SCALE, level=level, min_n=min_n)


def result(h: Headline) -> M.CESResult:
    """This period's CES of a section headline (:func:`csa.views.common.headline`) as a CESResult: the
    catalogue's counts, with the mean answer beside the share."""
    r = h.this
    row = {"n": r.n, "easy": int(r.row.get("successes", 0) or 0), "total": float(r.row.get("total", 0) or 0),
           "total_sq": float(r.row.get("total_sq", 0) or 0), "excluded": r.excluded}
    return M.CESResult.from_counts(row, scale=SCALE, easy_end=r.params["easy_end"], boxes=r.params["boxes"],
                                   level=r.level)


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
    """The period's CES in one honest sentence (or that there is none): % easy (higher is better) and the
    mean answer with its own direction."""
    if result.n == 0:
        return t("headline_none", lang, NS, period=period_label)
    a, b = result.easy_scores
    text = t("headline_" + result.easy_end, lang, NS, period=period_label, value=num.value(result.value, "%", lang),
             level=result.level, interval=num.interval(result.low, result.high, "%", lang), n=result.n, a=a, b=b,
             mean=result.mean, mlow=result.mean_low, mhigh=result.mean_high, scale=result.scale)
    if result.n < min_n:
        text = C.join_sentences([text, t("headline_small", lang, NS, n=result.n, min_n=min_n)], lang)
    return text


def describe_change(h: Headline, prev_label: str, *, lang: str = "en", level: float = 0.95) -> str:
    """The headline's change of % easy against the comparison period (the change the front page shows)."""
    return change_sentence(NS, h, prev_label, lang=lang, level=level)


def describe_churn(tab: pd.DataFrame, horizon: int, *, lang: str = "en", level: float = 0.95) -> str:
    """Hard against easy: the share who left ``horizon`` months later, the difference and whether it is real."""
    by = tab.set_index("band")
    if not {"easy", "hard"} <= set(by.index) or not by.loc["easy", "n"] or not by.loc["hard", "n"]:
        return t("churn_none", lang, NS, horizon=horizon)
    d = M.rate_change(by.loc[["hard"]], by.loc[["easy"]], successes="left", value="pct_left", level=level).iloc[0]
    text = t("churn", lang, NS, horizon=horizon, hard=num.value(d["pct_left_a"], "%", lang), nh=int(d["n_a"]),
             easy=num.value(d["pct_left_b"], "%", lang), ne=int(d["n_b"]), level=level,
             **change_numbers(d["diff"], d["low"], d["high"], d["p_value"], lang))
    return C.join_sentences([text, t("churn_real" if d["low"] > 0 or d["high"] < 0 else "churn_noise", lang, NS)], lang)
