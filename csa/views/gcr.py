"""The GCR notebook's view of a Dataset: goal attempts with customer attributes; GCR per customer
(the catalogue's default, the headline) and per attempt from the KPI catalogue; goal × channel,
where failures pile up, customers against attempts; the report's sentences.

The headline is the catalogue's ``gcr`` (:func:`csa.views.common.headline`): customers who
completed a goal at least once ÷ customers who tried it in the period (article 000); per attempt
is ``unit="attempt"``. Breakdowns come from :func:`csa.kpi.table` (:func:`counts_table`); the
breakdowns that pool months count attempts (customers who tried in several months cannot be added
up; attempts can). This module only selects rows and words; numbers in sentences are written by
:mod:`csa.numbers`.
"""

from __future__ import annotations

import pandas as pd

from .. import numbers as num
from ..joins import attach
from ..labels import t
from ..metrics import survey as M
from ..periods import period_of
from . import csat as C
from .common import Headline, change_numbers, change_sentence, filtered, filters_phrase

__all__ = ["SHOWN", "attempts", "channel_gap", "counts_table", "customers_vs_attempts", "describe", "describe_act",
           "describe_change", "describe_channel", "describe_customers", "goal_channel", "pooled", "scope_sentence",
           "shown", "where_to_act"]

NS = "gcr"
#: the columns a GCR table shows (after its group columns), per unit, with the names its labels give them
SHOWN = {"customer": ["customers", "completed_customers", "gcr_customers", "low", "high", "attempts", "small_n"],
         "attempt": ["attempts", "completed_attempts", "gcr_attempts", "low", "high", "small_n"]}
_RENAME = {"customer": {"n": "customers", "completed": "completed_customers", "gcr": "gcr_customers"},
           "attempt": {"n": "attempts", "completed": "completed_attempts", "gcr": "gcr_attempts"}}


def attempts(ds, *, segment: str = "", plan: str = "", freq: str = "month") -> pd.DataFrame:
    """Goal attempts with the customer's segment and plan and a ``period`` column.

    Parameters
    ----------
    ds : Dataset
        Needs ``customers`` and ``goals``.
    segment, plan : str
        Customer filters (:func:`csa.views.common.filtered`).
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
    out = filtered(out, "goal attempts", segment=segment, plan=plan)
    return out.assign(period=period_of(out["started_at"], freq)).reset_index(drop=True)


def _keys(by) -> list[str]:
    return [] if by is None else ([by] if isinstance(by, str) else list(by))


def counts_table(data, by=None, *, values=None, period=None, freq: str = "month", engine: str = "pandas",
                 unit: str = "customer", goal: str | None = None, level: float = 0.95, min_n: int = 30,
                 where: dict | None = None) -> pd.DataFrame:
    """GCR per period (and group) counted by the catalogue (:func:`csa.views.csat.kpi_table`), in the table form.

    Parameters
    ----------
    data : Dataset or tables
        As :func:`csa.measure` takes them.
    by : str or list of str, optional
        Columns of the attempts (``goal``, ``channel``) in one scan; with ``values``, one column of
        their customer (``segment``), one subset per value.
    unit : {"customer", "attempt"}
        Customers who completed ÷ customers who tried (the catalogue's default, article 000), or
        completed attempts ÷ attempts.
    values, period, freq, engine, goal, level, min_n, where
        As in :func:`csa.views.csat.kpi_table` and the catalogue's ``gcr``.

    Returns
    -------
    DataFrame
        ``period``, the ``by`` columns, ``n`` (customers who tried, or attempts), ``completed``,
        ``excluded`` (and ``attempts`` per customer), ``gcr``, ``low``, ``high`` (the catalogue's
        Wilson interval), ``small_n``.
    """
    tab = C.kpi_table("gcr", data, by, values=values, period=period, freq=freq, engine=engine, level=level,
                      min_n=min_n, where=where, unit=unit, goal=goal)
    extra = ["attempts"] if unit == "customer" else []
    counts = tab[["period", *_keys(by), "n", "successes", "excluded", *extra]].rename(
        columns={"successes": "completed"})
    return M.gcr_stats(counts, level=level, min_n=min_n)


def pooled(tab: pd.DataFrame, by, until: pd.Period, months: int, *, level: float = 0.95,
           min_n: int = 30) -> pd.DataFrame:
    """Attempts of the ``months`` calendar months up to the end of ``until``, added up per group.

    ``tab`` is a monthly :func:`counts_table` with ``unit="attempt"``: attempts of different months
    add up; customers who tried in several months do not (a per-customer table is refused).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``completed``, ``excluded``, ``gcr``, ``low``, ``high``, ``small_n``.

    Examples
    --------
    >>> m = pd.DataFrame({"period": pd.PeriodIndex(["2026-08", "2026-09", "2026-10"], freq="M"),
    ...                   "n": [10, 20, 30], "completed": [5, 10, 27], "excluded": [0, 0, 1]})
    >>> pooled(m, None, pd.Period("2026-10", "M"), 2, min_n=1)[["n", "completed", "gcr"]]
        n  completed   gcr
    0  50         37  74.0
    """
    if "attempts" in tab.columns:
        raise ValueError("customers who tried in several months cannot be added up: pool a table of attempts "
                         "(counts_table(..., unit='attempt', freq='month'))")
    if not isinstance(months, int) or months < 1:
        raise ValueError(f"the window is a whole number of months >= 1 (e.g. 12); got {months!r}")
    if len(tab) and tab["period"].dtype != "period[M]":
        raise ValueError("pool a monthly table (counts_table(..., freq='month'))")
    end = until.asfreq("M", "end")
    rows = tab[(tab["period"] > end - months) & (tab["period"] <= end)] if len(tab) else tab
    keys = _keys(by)
    cols = ["n", "completed", "excluded"]
    if keys:
        counts = rows.groupby(keys, sort=True, observed=True)[cols].sum().reset_index()
    else:
        counts = rows[cols].sum().to_frame().T.astype("int64")
    return M.gcr_stats(counts, level=level, min_n=min_n)


def shown(tab: pd.DataFrame, by, *, unit: str) -> pd.DataFrame:
    """The columns a GCR table shows, named with the unit it counts (customers who tried, or attempts)."""
    out = tab.rename(columns=_RENAME[unit])
    return out[[*_keys(by), *(c for c in SHOWN[unit] if c in out.columns)]]


def _name(values: pd.Series, lang: str) -> pd.Series:
    return values.map(lambda v: t(str(v), lang, NS) if pd.notna(v) else v)


def _cell(goal: pd.Series, channel: pd.Series, lang: str) -> pd.Series:
    """"Set-up · App" (English), 「初期設定・アプリ」 (Japanese)."""
    return _name(goal, lang) + ("・" if lang == "ja" else " · ") + _name(channel, lang)


def goal_channel(cells: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """GCR per attempt per goal × channel (:func:`pooled` attempts), with a ``cell`` column naming each row.

    Returns
    -------
    DataFrame
        ``goal``, ``channel``, ``cell``, ``n``, ``completed``, ``gcr``, ``low``, ``high``,
        ``small_n``; goals ordered by their overall GCR (lowest first), the channels of a goal
        next to each other, so that a chart drawn bottom-up shows the best goal on top.
    """
    tab = cells.drop(columns=[c for c in ("excluded", "period") if c in cells.columns])
    per_goal = tab.groupby("goal", sort=False)[["completed", "n"]].sum()
    overall = per_goal["completed"] / per_goal["n"].where(per_goal["n"] > 0)
    tab = tab.assign(_o=tab["goal"].map(overall)).sort_values(["_o", "goal", "channel"], kind="stable")
    tab.insert(2, "cell", _cell(tab["goal"], tab["channel"], lang))
    return tab.drop(columns="_o").reset_index(drop=True)


def channel_gap(cells: pd.DataFrame, *, a: str = "app", b: str = "web", level: float = 0.95,
                min_n: int = 30) -> pd.DataFrame:
    """Per goal and overall: GCR per attempt in channel ``a`` minus channel ``b``, with interval and p-value.

    ``cells`` are :func:`pooled` attempts per goal and channel.

    Returns
    -------
    DataFrame
        ``goal`` (``"all"`` for the overall row, last), ``n_a``, ``gcr_a``, ``n_b``, ``gcr_b``,
        ``diff``, ``low``, ``high``, ``p_value``, ``small_n`` (see :func:`csa.metrics.survey.rate_change`).
    """
    cols = ["n", "completed"]
    ca, cb = (cells.loc[cells["channel"] == c, ["goal", *cols]] for c in (a, b))
    per_goal = M.rate_change(ca, cb, successes="completed", value="gcr", by="goal", level=level, min_n=min_n)
    total = M.rate_change(ca[cols].sum().to_frame().T, cb[cols].sum().to_frame().T, successes="completed",
                          value="gcr", level=level, min_n=min_n).assign(goal="all")
    return pd.concat([per_goal, total[per_goal.columns]], ignore_index=True)


def where_to_act(cells: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """Goal × channel cells (:func:`pooled` attempts) ordered by failed attempts: where fixing the flow helps most.

    Returns
    -------
    DataFrame
        ``goal``, ``channel``, ``cell``, ``attempts``, ``failed`` (attempts not completed),
        ``share_failed`` (% of all failed attempts), ``gcr_attempts``, ``low``, ``high``, ``small_n``;
        most failures first.
    """
    tab = goal_channel(cells, lang=lang)
    tab["failed"] = tab["n"] - tab["completed"]
    total = tab["failed"].sum()
    tab["share_failed"] = 100 * tab["failed"] / total if total else float("nan")
    tab = tab.sort_values(["failed", "gcr"], ascending=[False, True], kind="stable")
    tab = tab.rename(columns={"n": "attempts", "gcr": "gcr_attempts"})
    return tab[["goal", "channel", "cell", "attempts", "failed", "share_failed", "gcr_attempts", "low", "high",
                "small_n"]].reset_index(drop=True)


def customers_vs_attempts(by_customer: pd.DataFrame, by_attempt: pd.DataFrame) -> pd.DataFrame:
    """Per goal: GCR per attempt beside GCR per customer (completed at least once ÷ tried), one period.

    ``by_customer`` and ``by_attempt`` are :func:`counts_table` per goal of the same period, with
    ``unit="customer"`` and ``unit="attempt"``.

    Returns
    -------
    DataFrame
        ``goal``, ``attempts``, ``gcr_attempts`` (%), ``customers`` (who tried),
        ``gcr_customers`` (% who completed at least once), ``low``, ``high`` (interval of
        ``gcr_customers``), ``per_customer`` (attempts per customer who tried), ``small_n``.
    """
    c = by_customer.reset_index(drop=True)
    out = pd.DataFrame({"goal": c["goal"], "attempts": c["attempts"],
                        "gcr_attempts": c["goal"].map(by_attempt.set_index("goal")["gcr"]),
                        "customers": c["n"], "gcr_customers": c["gcr"], "low": c["low"], "high": c["high"]})
    out["per_customer"] = out["attempts"] / out["customers"].where(out["customers"] > 0)
    out["small_n"] = c["small_n"]
    return out


# ------------------------------------------------------------------------------- sentences

def scope_sentence(periods, n: int, *, segment: str = "", plan: str = "", lang: str = "en") -> str:
    """What the notebook is looking at, in one sentence."""
    scope = filters_phrase(NS, lang, segment=segment, plan=plan)
    return t("scope", lang, NS, period=periods.this_label, prev=periods.prev_label,
             scope=scope, n=n)


def describe(h: Headline, period_label: str, *, per_attempt=None, lang: str = "en", min_n: int = 30) -> str:
    """The period's GCR per customer (the headline) in one honest sentence, with the unit it counts, and
    beside it the same attempts counted per attempt (``per_attempt``: a :class:`csa.kpi.Result`)."""
    r = h.this
    if r.n == 0:
        return t("headline_none", lang, NS, period=period_label)
    text = t("headline", lang, NS, period=period_label, value=num.value(r.value, "%", lang), level=r.level,
             interval=num.interval(r.low, r.high, "%", lang), n=r.n, completed=int(r.row.get("successes", 0)),
             attempts=int(r.row.get("attempts", 0)))
    parts = [text]
    if r.n < min_n:
        parts.append(t("headline_small", lang, NS, n=r.n, min_n=min_n))
    if per_attempt is not None and per_attempt.n:
        parts.append(t("headline_attempts", lang, NS, value=num.value(per_attempt.value, "%", lang),
                       n=per_attempt.n, completed=int(per_attempt.row.get("successes", 0))))
    return C.join_sentences(parts, lang)


def describe_change(h: Headline, prev_label: str, *, lang: str = "en", level: float = 0.95) -> str:
    """The headline's change against the comparison period (the change the front page shows)."""
    return change_sentence(NS, h, prev_label, lang=lang, level=level)


def describe_channel(gap: pd.DataFrame, *, lang: str = "en", level: float = 0.95) -> str:
    """The overall app − web difference and how many goals show it on their own."""
    total = gap[gap["goal"] == "all"]
    if total.empty or not total["n_a"].iloc[0] or not total["n_b"].iloc[0]:
        return t("channel_none", lang, NS)
    r = total.iloc[0]
    goals = gap[gap["goal"] != "all"]
    real = goals[(goals["high"] < 0) | (goals["low"] > 0)]
    return t("channel_gap", lang, NS, a=num.value(r["gcr_a"], "%", lang), b=num.value(r["gcr_b"], "%", lang),
             level=level, k=len(real), goals=len(goals),
             **change_numbers(r["diff"], r["low"], r["high"], r["p_value"], lang))


def describe_act(act: pd.DataFrame, *, lang: str = "en", top: int = 2) -> str:
    """The cells with the most failed attempts and their share of all failures."""
    if act.empty or not act["failed"].sum():
        return t("act_none", lang, NS)
    head = act.head(top)
    cells = C.join_list([t("act_item", lang, NS, cell=r.cell, failed=int(r.failed),
                           gcr=num.value(r.gcr_attempts, "%", lang, digits=0)) for r in head.itertuples()], lang)
    return t("act", lang, NS, cells=cells, share=num.value(head["share_failed"].sum(), "%", lang, digits=0),
             total=int(act["failed"].sum()))


def describe_customers(tab: pd.DataFrame, *, lang: str = "en") -> str:
    """The goal where the per-customer rate lies furthest above the per-attempt rate."""
    if tab.empty or not tab["customers"].sum():
        return t("customers_none", lang, NS)
    gap = tab["gcr_customers"] - tab["gcr_attempts"]
    r = tab.loc[gap.sort_values(ascending=False, kind="stable").index[0]]
    return t("customers_sentence", lang, NS, goal=t(str(r["goal"]), lang, NS), per=r["per_customer"],
             att=num.value(r["gcr_attempts"], "%", lang), cust=num.value(r["gcr_customers"], "%", lang))
