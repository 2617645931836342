"""The GCR notebook's view of a Dataset: goal attempts with customer attributes; goal × channel,
where failures pile up, attempts against customers; the report's sentences and headline record.

Every number comes from :mod:`csa.metrics.survey`; this module only selects rows and words.
"""

from __future__ import annotations

import math

import pandas as pd

from .. import headline as H
from ..joins import attach
from ..labels import t
from ..metrics import survey as M
from ..periods import period_of
from . import csat as C
from .common import filters_phrase

__all__ = ["SHOWN", "attempts", "channel_gap", "customers_vs_attempts", "describe", "describe_act",
           "describe_change", "describe_channel", "describe_customers", "goal_channel", "headline",
           "headline_record", "scope_sentence", "where_to_act"]

NS = "gcr"
#: the columns a GCR table shows (after its group columns)
SHOWN = ["n", "completed", "gcr", "low", "high", "small_n"]


def attempts(ds, *, segment: str = "", plan: str = "", freq: str = "month") -> pd.DataFrame:
    """Goal attempts with the customer's segment and plan and a ``period`` column.

    Parameters
    ----------
    ds : Dataset
        Needs ``customers`` and ``goals``.
    segment, plan : str
        Filters; ``""`` keeps all. A value that does not occur is an error listing those present.
    freq : str
        Period of the ``period`` column (by ``started_at``).

    Returns
    -------
    DataFrame
        The ``goals`` columns, ``segment``, ``plan``, ``period``.
    """
    ds.require("goals")
    cust = ds.customers[[c for c in ("customer_id", "segment", "plan") if c in ds.customers.columns]]
    out = attach(ds.goals, cust, "customer_id")
    out = C.filter_value(out, "segment", segment, "goal attempts")
    out = C.filter_value(out, "plan", plan, "goal attempts")
    return out.assign(period=period_of(out["started_at"], freq)).reset_index(drop=True)


def headline(att: pd.DataFrame, period, *, level: float = 0.95) -> M.GCRResult:
    """GCR of the attempts started in ``period`` (``n == 0`` when there are none)."""
    return M.GCRResult.from_counts(M.gcr_counts(att[att["period"] == period]).iloc[0], level=level)


def _name(values: pd.Series, lang: str) -> pd.Series:
    return values.map(lambda v: t(str(v), lang, NS) if pd.notna(v) else v)


def _cell(goal: pd.Series, channel: pd.Series, lang: str) -> pd.Series:
    """"Set-up · App" (English), 「初期設定・アプリ」 (Japanese)."""
    return _name(goal, lang) + ("・" if lang == "ja" else " · ") + _name(channel, lang)


def goal_channel(att: pd.DataFrame, *, level: float = 0.95, min_n: int = 30, lang: str = "en") -> pd.DataFrame:
    """GCR per goal × channel, with a ``cell`` column naming each row in ``lang`` ("Set-up · App").

    Returns
    -------
    DataFrame
        ``goal``, ``channel``, ``cell``, ``n``, ``completed``, ``gcr``, ``low``, ``high``,
        ``small_n``; goals ordered by their overall GCR (lowest first), the channels of a goal
        next to each other, so that a chart drawn bottom-up shows the best goal on top.
    """
    tab = M.gcr_table(att, ["goal", "channel"], level=level, min_n=min_n).drop(columns=["excluded"])
    overall = M.gcr_table(att, "goal").set_index("goal")["gcr"]
    tab = tab.assign(_o=tab["goal"].map(overall)).sort_values(["_o", "goal", "channel"], kind="stable")
    tab.insert(2, "cell", _cell(tab["goal"], tab["channel"], lang))
    return tab.drop(columns="_o").reset_index(drop=True)


def channel_gap(att: pd.DataFrame, *, a: str = "app", b: str = "web", level: float = 0.95,
                min_n: int = 30) -> pd.DataFrame:
    """Per goal and overall: GCR in channel ``a`` minus GCR in channel ``b``, with interval and p-value.

    Returns
    -------
    DataFrame
        ``goal`` (``"all"`` for the overall row, last), ``n_a``, ``gcr_a``, ``n_b``, ``gcr_b``,
        ``diff``, ``low``, ``high``, ``p_value``, ``small_n`` (see :func:`csa.metrics.survey.rate_change`).
    """
    ca = M.gcr_counts(att[att["channel"] == a], "goal")
    cb = M.gcr_counts(att[att["channel"] == b], "goal")
    per_goal = M.rate_change(ca, cb, successes="completed", value="gcr", by="goal", level=level, min_n=min_n)
    total = M.rate_change(M.gcr_counts(att[att["channel"] == a]), M.gcr_counts(att[att["channel"] == b]),
                          successes="completed", value="gcr", level=level, min_n=min_n).assign(goal="all")
    return pd.concat([per_goal, total[per_goal.columns]], ignore_index=True)


def where_to_act(att: pd.DataFrame, *, level: float = 0.95, min_n: int = 30, lang: str = "en") -> pd.DataFrame:
    """Goal × channel cells ordered by failed attempts: where fixing the flow helps the most customers.

    Returns
    -------
    DataFrame
        ``cell``, ``n``, ``failed`` (attempts not completed), ``share_failed`` (% of all failed
        attempts), ``gcr``, ``low``, ``high``, ``small_n``; most failures first.
    """
    tab = goal_channel(att, level=level, min_n=min_n, lang=lang)
    tab["failed"] = tab["n"] - tab["completed"]
    total = tab["failed"].sum()
    tab["share_failed"] = 100 * tab["failed"] / total if total else float("nan")
    tab = tab.sort_values(["failed", "gcr"], ascending=[False, True], kind="stable")
    return tab[["goal", "channel", "cell", "n", "failed", "share_failed", "gcr", "low", "high",
                "small_n"]].reset_index(drop=True)


def customers_vs_attempts(att: pd.DataFrame, *, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Per goal: GCR of attempts beside GCR of customers (completed at least once ÷ tried).

    Returns
    -------
    DataFrame
        ``goal``, ``attempts``, ``gcr_attempts`` (%), ``customers`` (who tried),
        ``gcr_customers`` (% who completed at least once), ``low``, ``high`` (interval of
        ``gcr_customers``), ``per_customer`` (attempts per customer who tried), ``small_n``.
    """
    by_attempt = M.gcr_table(att, "goal", level=level, min_n=min_n)
    by_customer = M.gcr_table(att, "goal", unit="customer", level=level, min_n=min_n)
    out = pd.DataFrame({"goal": by_customer["goal"], "attempts": by_customer["attempts"],
                        "gcr_attempts": by_customer["goal"].map(by_attempt.set_index("goal")["gcr"]),
                        "customers": by_customer["n"], "gcr_customers": by_customer["gcr"],
                        "low": by_customer["low"], "high": by_customer["high"]})
    out["per_customer"] = out["attempts"] / out["customers"].where(out["customers"] > 0)
    out["small_n"] = by_customer["small_n"]
    return out


# ------------------------------------------------------------------------------- sentences

def scope_sentence(periods, n: int, *, segment: str = "", plan: str = "", lang: str = "en") -> str:
    """What the notebook is looking at, in one sentence."""
    scope = filters_phrase(NS, lang, segment=segment, plan=plan)
    return t("scope", lang, NS, period=periods.this_label, prev=periods.prev_label,
             scope=scope, n=n)


def describe(result: M.GCRResult, period_label: str, *, lang: str = "en", min_n: int = 30) -> str:
    """The period's GCR in one honest sentence (or that there is none)."""
    if result.n == 0:
        return t("headline_none", lang, NS, period=period_label)
    text = t("headline", lang, NS, period=period_label, value=result.value, level=result.level, low=result.low,
             high=result.high, n=result.n, completed=result.completed)
    if result.n < min_n:
        text = C.join_sentences([text, t("headline_small", lang, NS, n=result.n, min_n=min_n)], lang)
    return text


def describe_change(row, prev_label: str, *, lang: str = "en", level: float = 0.95) -> str:
    """The change against the comparison period (a row of :func:`csa.metrics.survey.gcr_change`)."""
    if not row["n_a"] or not row["n_b"] or math.isnan(row["diff"]):
        return t("change_none", lang, NS, prev=prev_label)
    text = t("change", lang, NS, prev=prev_label, diff=row["diff"], level=level, low=row["low"], high=row["high"],
             p=C.p_text(row["p_value"]))
    return C.join_sentences([text, t("change_real" if row["low"] > 0 or row["high"] < 0 else "change_noise", lang,
                                     NS)], lang)


def describe_channel(gap: pd.DataFrame, *, lang: str = "en", level: float = 0.95) -> str:
    """The overall app − web difference and how many goals show it on their own."""
    total = gap[gap["goal"] == "all"]
    if total.empty or not total["n_a"].iloc[0] or not total["n_b"].iloc[0]:
        return t("channel_none", lang, NS)
    r = total.iloc[0]
    goals = gap[gap["goal"] != "all"]
    real = goals[(goals["high"] < 0) | (goals["low"] > 0)]
    return t("channel_gap", lang, NS, a=r["gcr_a"], b=r["gcr_b"], diff=r["diff"], level=level, low=r["low"],
             high=r["high"], p=C.p_text(r["p_value"]), k=len(real), goals=len(goals))


def describe_act(act: pd.DataFrame, *, lang: str = "en", top: int = 2) -> str:
    """The cells with the most failed attempts and their share of all failures."""
    if act.empty or not act["failed"].sum():
        return t("act_none", lang, NS)
    head = act.head(top)
    cells = C.join_list([t("act_item", lang, NS, cell=r.cell, failed=int(r.failed), gcr=r.gcr)
                     for r in head.itertuples()], lang)
    return t("act", lang, NS, cells=cells, share=head["share_failed"].sum(), total=int(act["failed"].sum()))


def describe_customers(tab: pd.DataFrame, *, lang: str = "en") -> str:
    """The goal where the per-customer rate lies furthest above the per-attempt rate."""
    if tab.empty or not tab["customers"].sum():
        return t("customers_none", lang, NS)
    gap = tab["gcr_customers"] - tab["gcr_attempts"]
    r = tab.loc[gap.sort_values(ascending=False, kind="stable").index[0]]
    return t("customers_sentence", lang, NS, goal=t(str(r["goal"]), lang, NS), per=r["per_customer"],
             att=r["gcr_attempts"], cust=r["gcr_customers"])


def headline_record(result: M.GCRResult, change_row, periods, *, min_n: int = 30) -> dict:
    """The GCR headline record (all goals, % of attempts completed) for the report's index."""
    change = None
    if change_row is not None and change_row["n_a"] and change_row["n_b"]:
        change = {"vs": periods.prev_label, "diff": change_row["diff"], "low": change_row["low"],
                  "high": change_row["high"], "p_value": change_row["p_value"]}
    title = {lang: t("record_title", lang, NS) for lang in ("en", "ja")}
    return H.record("gcr", title, periods.this_label, value=result.value if result.n else None, low=result.low,
                    high=result.high, n=result.n, unit="%", direction="higher", level=result.level, min_n=min_n,
                    change=change)
