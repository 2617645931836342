"""The CSAT notebook's view of a Dataset: answers with ticket and customer attributes, CSAT per
touchpoint, channel, team and category from the KPI catalogue, drivers, vendor rules, response
rates, agents (funnel and shrinkage), and the report's sentences in English or Japanese.

The headline is the catalogue's ``csat`` (:func:`csa.views.common.headline`), its breakdowns
:func:`csa.kpi.table` on the notebook's engine (:func:`kpi_table`); the rest comes from
:mod:`csa.metrics.survey`. This module only selects rows and words; numbers in sentences are
written by :mod:`csa.numbers`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import kpi as K
from .. import numbers as num
from ..joins import attach, positions
from ..labels import t
from ..metrics import survey as M
from ..periods import label, period_of
from .common import (
    SUPPORT,
    Headline,
    change_numbers,
    change_sentence,
    filter_value,
    filtered,
    filters_phrase,
    join_sentences,
    support_touchpoint,
    unknown_customers_sentence,
)

__all__ = [
    "DRIVERS",
    "FRT_BINS",
    "REPLY_BINS",
    "SCORE_COLORS",
    "SHOWN",
    "SUPPORT",
    "agents",
    "answers",
    "bin_values",
    "counts_table",
    "describe",
    "describe_agents",
    "describe_change",
    "describe_driver",
    "describe_funnel",
    "describe_new_agent",
    "describe_response_window",
    "describe_responses",
    "describe_rules",
    "describe_support",
    "driver_table",
    "filter_value",
    "funnel_curve",
    "in_window",
    "join_list",
    "join_sentences",
    "kpi_table",
    "named",
    "p_text",
    "period_change",
    "response_rates",
    "result",
    "rules_table",
    "sample_size_sentence",
    "scope_sentence",
    "support_touchpoint",
    "window_label",
]

NS = "csat"
SCALE = 5
#: the touchpoint whose answers follow a ticket (the drivers, channels, teams and agents read them)
CUSTOMER_COLUMNS = ["customer_id", "name", "segment", "plan", "region", "csm"]
TICKET_COLUMNS = ["ticket_id", "channel", "category", "priority", "team", "agent", "created_at", "first_response_at",
                  "agent_replies", "reopened"]
#: first-response time bins (upper edges in hours) and their label keys
FRT_BINS = ((5 / 60, "frt_5min"), (1, "frt_1h"), (4, "frt_4h"), (8, "frt_8h"), (24, "frt_24h"),
            (math.inf, "frt_more"))
#: agent-reply bins: 1, 2, 3, 4 or more
REPLY_BINS = ((1, "replies_1"), (2, "replies_2"), (3, "replies_3"), (math.inf, "replies_4plus"))
#: the columns a CSAT table shows (after its group column)
SHOWN = ["n", "csat", "low", "high", "mean", "small_n"]
#: colours of the answers 1–5 in the distribution bar, unsatisfied (red) to satisfied (green)
SCORE_COLORS = ["#d1495b", "#ee9b8f", "#c9c9c9", "#8cc7a1", "#2e8b57"]
#: the drivers of section 6: column of :func:`answers` → label key of the chart title
DRIVERS = {"frt_bin": "driver_frt", "replies_bin": "driver_replies", "reopened_bin": "driver_reopened"}


# ------------------------------------------------------------------------------- rows

def bin_values(values: pd.Series, edges) -> pd.Categorical:
    """Each value's bin as an ordered categorical of label keys; ``edges`` are (upper edge, key) pairs.

    Examples
    --------
    >>> list(bin_values(pd.Series([1, 2, 7, None]), REPLY_BINS))
    ['replies_1', 'replies_2', 'replies_4plus', nan]
    """
    keys = [k for _, k in edges]
    v = values.to_numpy(dtype=float, na_value=np.nan)
    idx = np.searchsorted(np.array([e for e, _ in edges], dtype=float), v, side="left")
    codes = np.where(np.isnan(v), -1, np.minimum(idx, len(keys) - 1))
    return pd.Categorical.from_codes(codes, categories=keys, ordered=True)


def answers(ds, *, segment: str = "", plan: str = "", freq: str = "month") -> pd.DataFrame:
    """CSAT answers of every touchpoint, with customer attributes and, when they followed a ticket,
    the ticket's attributes and the drivers.

    Parameters
    ----------
    ds : Dataset
        Needs ``customers`` and ``surveys``; ``tickets`` adds the ticket columns (else they are empty).
    segment, plan : str
        Customer filters (:func:`csa.views.common.filtered`).
    freq : str
        Period of the ``period`` column: ``"month"``, ``"quarter"`` or ``"fiscal_year"``.

    Returns
    -------
    DataFrame
        The ``surveys`` columns, the customer's ``name``, ``segment``, ``plan``, ``region``,
        ``csm``; the ticket's ``channel``, ``category``, ``priority``, ``team``, ``agent``,
        ``agent_replies``, ``reopened``; ``frt_hours`` (first-response time in hours);
        ``frt_bin``, ``replies_bin``, ``reopened_bin`` (ordered bins, label keys); ``period``.
    """
    ds.require("surveys")
    s = ds.surveys[ds.surveys["survey"] == "csat"]
    cust = ds.customers[[c for c in CUSTOMER_COLUMNS if c in ds.customers.columns]]
    out = attach(s, cust, "customer_id")
    if ds.tickets is not None:
        tk = ds.tickets[[c for c in TICKET_COLUMNS if c in ds.tickets.columns]]
        out = attach(out, tk, "ticket_id")
    for c in TICKET_COLUMNS[1:]:
        if c not in out.columns:
            out[c] = pd.NA
    out = filtered(out, "CSAT answers", segment=segment, plan=plan)
    frt = (out["first_response_at"] - out["created_at"]).dt.total_seconds() / 3600
    reopened = out["reopened"].astype("boolean")
    out = out.assign(frt_hours=frt, frt_bin=bin_values(frt, FRT_BINS),
                     replies_bin=bin_values(pd.to_numeric(out["agent_replies"]).astype(float), REPLY_BINS),
                     reopened_bin=pd.Categorical(reopened.map({True: "reopened_yes", False: "reopened_no"}),
                                                 categories=["reopened_no", "reopened_yes"], ordered=True),
                     period=period_of(out["responded_at"], freq))
    return out.drop(columns=["created_at", "first_response_at"]).reset_index(drop=True)


def in_window(resp: pd.DataFrame, until: pd.Period, months: int, *, time: str = "responded_at") -> pd.Series:
    """Rows whose ``time`` falls in the ``months`` calendar months up to the end of period ``until``.

    Examples
    --------
    >>> r = pd.DataFrame({"responded_at": pd.to_datetime(["2025-10-31", "2025-11-01", "2026-10-31"])})
    >>> in_window(r, pd.Period("2026-10", "M"), 12).tolist()
    [False, True, True]
    """
    if not isinstance(months, (int, np.integer)) or months < 1:
        raise ValueError(f"the window is a whole number of months >= 1 (e.g. 12); got {months!r}")
    end = until.asfreq("M", "end")
    m = period_of(resp[time], "month")
    return (m > end - months) & (m <= end)


def window_label(until: pd.Period, months: int) -> str:
    """``"2025-11 – 2026-10"``: the months of :func:`in_window`."""
    end = until.asfreq("M", "end")
    return f"{label(end - months + 1)} – {label(end)}"


def named(table: pd.DataFrame, column: str, lang: str = "en", ns: str = NS) -> pd.DataFrame:
    """A copy of ``table`` with the values of ``column`` in ``lang`` (values the handbook knows)."""
    out = table.copy()
    out[column] = out[column].map(lambda v: t(str(v), lang, ns) if pd.notna(v) else v)
    return out


# ------------------------------------------------------------------------------- tables

def kpi_table(kpi: str, data, by: str | None = None, *, values=None, period=None, freq: str = "month",
              engine: str = "pandas", level: float = 0.95, min_n: int = 30, where: dict | None = None,
              **params) -> pd.DataFrame:
    """A catalogue KPI per period (and group) through :func:`csa.kpi.table`, on ``engine``.

    Parameters
    ----------
    kpi : str
        A catalogue id (``"csat"``, ``"ces"``, ``"gcr"``).
    data : Dataset or tables
        As :func:`csa.measure` takes them (:func:`csa.kpi.open_tables` once for several calls).
    by : str, optional
        The group column. Without ``values`` it is a column of the KPI's rows (``touchpoint`` of the
        answers, ``goal`` of the attempts), counted in one scan; with ``values`` a column of their
        customer or ticket (``segment``, ``channel``, ``team``), counted as one subset (``where``)
        per value, since :func:`csa.kpi.table` groups by the rows' own columns only.
    values : sequence, optional
        The values of ``by`` to count (groups without rows in a period have no row).
    period, freq, engine, level, min_n, where, **params
        As in :func:`csa.kpi.table`.

    Returns
    -------
    DataFrame
        :func:`csa.kpi.table`'s columns: ``period``, ``by``, ``n``, ``value``, ``low``, ``high``,
        ``small_n``, ``successes``, ``excluded`` and the KPI's sums.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> t_ = kpi_table("csat", ds, "channel", values=["chat", "phone"], period="2026-10", touchpoint=SUPPORT)
    >>> t_[["channel", "n", "successes"]]
      channel   n  successes
    0    chat  92         67
    1   phone  91         66
    """
    kw = dict(period=period, freq=freq, engine=engine, level=level, min_n=min_n, **params)
    if by is None or values is None:
        return K.table(kpi, data, by=() if by is None else by, where=where, **kw)
    data = K.open_tables(data, engine=engine)  # opened once for every subset
    parts = [K.table(kpi, data, where={**(where or {}), by: v}, **kw).assign(**{by: v}) for v in values]
    if not parts:  # no value to count: the table's columns, no rows
        parts = [K.table(kpi, data, where=where, **kw).iloc[:0].assign(**{by: pd.Series(dtype=object)})]
    out = pd.concat(parts, ignore_index=True)
    front = ["period", by]
    return out[[*front, *(c for c in out.columns if c not in front)]].sort_values(front, kind="stable") \
        .reset_index(drop=True)


def counts_table(data, by: str | None = None, *, values=None, period=None, freq: str = "month",
                 engine: str = "pandas", top: int = 2, touchpoint: str | None = None, level: float = 0.95,
                 min_n: int = 30, where: dict | None = None) -> pd.DataFrame:
    """CSAT per period (and group) counted by the catalogue (:func:`kpi_table`), in the notebook's table form.

    Returns
    -------
    DataFrame
        ``period``, ``by``, ``n``, ``satisfied``, ``total``, ``total_sq``, ``excluded``, ``csat``
        (% satisfied), ``low``, ``high`` (the catalogue's Wilson interval), ``mean``, ``sd``,
        ``mean_low``, ``mean_high`` (:func:`csa.metrics.survey.csat_stats` on the same counts),
        ``small_n``.
    """
    tab = kpi_table("csat", data, by, values=values, period=period, freq=freq, engine=engine, level=level,
                    min_n=min_n, where=where, top=top, touchpoint=touchpoint)
    keys = ["period", *([by] if by else [])]
    counts = tab[[*keys, "n", "successes", "total", "total_sq", "excluded"]].rename(columns={"successes": "satisfied"})
    return M.csat_stats(counts, scale=SCALE, level=level, min_n=min_n)


def period_change(tab: pd.DataFrame, a, b, by: str, *, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """CSAT of period ``a`` against ``b`` per ``by``, from the counts of :func:`counts_table` (as
    :func:`csa.metrics.survey.csat_change` gives it from the answers)."""
    def side(p):
        return tab.loc[tab["period"] == p, [by, "n", "satisfied"]]

    return M.rate_change(side(a), side(b), successes="satisfied", value="csat", by=by, level=level, min_n=min_n)


def result(h: Headline) -> M.CSATResult:
    """This period's CSAT of a section headline (:func:`csa.views.common.headline`) as a CSATResult:
    the catalogue's counts, with the mean score beside the share."""
    r = h.this
    row = {"n": r.n, "satisfied": int(r.row.get("successes", 0) or 0), "total": float(r.row.get("total", 0) or 0),
           "total_sq": float(r.row.get("total_sq", 0) or 0), "excluded": r.excluded}
    return M.CSATResult.from_counts(row, scale=SCALE, top=r.params["top"], level=r.level)


def driver_table(resp: pd.DataFrame, driver: str, *, top: int = 2, level: float = 0.95,
                 min_n: int = 30) -> pd.DataFrame:
    """CSAT per bin of one driver (``frt_bin``, ``replies_bin`` or ``reopened_bin``), bins in order.

    Answers without the driver (no ticket, or no first response recorded) are left out; the
    returned table counts them in ``attrs["without"]``.
    """
    if driver not in DRIVERS:
        raise ValueError(f"driver must be one of {', '.join(DRIVERS)}; got {driver!r}")
    has = resp[driver].notna()
    tab = M.csat_table(resp[has], driver, scale=SCALE, top=top, level=level, min_n=min_n)
    tab[driver] = tab[driver].astype(str)
    tab.attrs["without"] = int((~has).sum())
    return tab


def rules_table(resp: pd.DataFrame, *, level: float = 0.95, lang: str = "en") -> pd.DataFrame:
    """The answers under each vendor rule (:func:`csa.metrics.survey.csat_rules`), named in ``lang``."""
    tab = M.csat_rules(resp["score"], scale=SCALE, level=level)
    tab.insert(1, "definition", [t(f"rule_{r}_what", lang, NS) for r in tab["rule"]])
    tab["unit"] = tab["unit"].map({"%": "%", "score": t("score", lang, NS)})
    tab["satisfied"] = pd.Series([int(v) if v == v else None for v in tab["satisfied"]], dtype=object)  # none: mean
    return tab


def response_rates(ds, resp: pd.DataFrame, period, *, freq: str = "month", by: str = "channel",
                   level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Solved tickets of ``period`` (by resolution time) with a CSAT answer, per ``by``.

    Returns
    -------
    DataFrame
        ``by``, ``solved`` (solved tickets), ``answered`` (of them, with a CSAT answer at any
        time), ``rate`` (%), ``low``, ``high``, ``small_n``.
    """
    ds.require("tickets")
    tk = ds.tickets
    rows = np.flatnonzero(((tk["status"] == "solved") & tk["resolved_at"].notna()).to_numpy())
    rows = rows[np.asarray(period_of(tk["resolved_at"].iloc[rows], freq) == period, dtype=bool)]
    solved = tk[[by, "ticket_id"]].iloc[rows]  # the two columns counted, not a copy of every ticket column
    answered = resp.loc[resp["touchpoint"] == "support_contact", "ticket_id"].dropna()
    flagged = solved.assign(answered=positions(solved["ticket_id"], answered.drop_duplicates()) >= 0)
    counts = M.share_counts(flagged, by, flag="answered")
    out = M.rate_stats(counts, successes="answered", value="rate", level=level, min_n=min_n)
    return out.drop(columns=["excluded"]).rename(columns={"n": "solved"})


def agents(resp: pd.DataFrame, period, *, top: int = 2, level: float = 0.95, method: str = "ml"):
    """Agents of ``period``: raw CSAT, funnel limits, shrunken estimates, and the fitted prior.

    Returns
    -------
    (DataFrame, BetaPrior, float)
        One row per agent (``agent``, ``team``, ``n``, ``satisfied``, ``raw``, ``raw_low``,
        ``raw_high``, ``shrunk``, ``shrunk_low``, ``shrunk_high``, ``weight``, ``rank_raw``,
        ``rank_shrunk``, ``low95``, ``high95``, ``low998``, ``high998``, ``zone``: ``"above"`` /
        ``"below"`` the 99.8 % limits, ``"watch_above"`` / ``"watch_below"`` outside the 95 %
        limits only, else ``"within"``); the prior; the overall rate (%) of the period.
    """
    r = resp[(resp["period"] == period) & resp["agent"].notna()]
    counts = M.csat_counts(r, ["agent", "team"], scale=SCALE, top=top)
    centre = 100 * counts["satisfied"].sum() / counts["n"].sum() if counts["n"].sum() else float("nan")
    if len(counts) < 2:
        return counts.assign(raw=np.nan), None, centre
    prior = M.fit_beta_prior(counts["satisfied"], counts["n"], method=method)
    tab = M.shrink(counts, prior, successes="satisfied", level=level)
    for lvl, tag in ((0.95, "95"), (0.998, "998")):
        lim = M.funnel_limits(centre, tab["n"], level=lvl)
        tab[f"low{tag}"], tab[f"high{tag}"] = lim.low, lim.high
    raw = tab["raw"]
    tab["zone"] = np.select([raw > tab["high998"], raw < tab["low998"], raw > tab["high95"], raw < tab["low95"]],
                            ["above", "below", "watch_above", "watch_below"], "within")
    return tab.drop(columns=["total", "total_sq", "excluded"]), prior, centre


def funnel_curve(centre: float, n_max: int) -> pd.DataFrame:
    """Funnel limits (95 % and 99.8 %) around ``centre`` for every group size from 1 to ``n_max``."""
    n = np.arange(1, max(int(n_max), 1) + 1)
    lo95, hi95 = M.funnel_limits(centre, n, level=0.95)
    lo998, hi998 = M.funnel_limits(centre, n, level=0.998)
    return pd.DataFrame({"n": n, "low95": lo95, "high95": hi95, "low998": lo998, "high998": hi998})


# ------------------------------------------------------------------------------- sentences

def scope_sentence(periods, n: int, n_support: int, *, segment: str = "", plan: str = "",
                   lang: str = "en", rows: pd.DataFrame | None = None) -> str:
    """What the notebook is looking at, in one sentence; with ``rows`` (the period's answers), how many of them
    belong to no known customer (:func:`csa.views.common.unknown_customers_sentence`)."""
    scope = filters_phrase(NS, lang, segment=segment, plan=plan)
    return join_sentences([t("scope", lang, NS, period=periods.this_label, prev=periods.prev_label, scope=scope,
                             n=n, n_support=n_support), unknown_customers_sentence(rows, "answers", lang=lang)], lang)


def _pct(x, lang: str = "en", digits: int | None = None) -> str:
    """A share as :mod:`csa.numbers` writes it (``58.4%``)."""
    return num.value(x, "%", lang, digits=digits)


def describe(result: M.CSATResult, period_label: str, *, lang: str = "en", min_n: int = 30) -> str:
    """The period's CSAT (every touchpoint) in one honest sentence (or that there is none)."""
    if result.n == 0:
        return t("headline_none", lang, NS, period=period_label)
    text = t("headline", lang, NS, period=period_label, value=_pct(result.value, lang), level=result.level,
             interval=num.interval(result.low, result.high, "%", lang), n=result.n, boxes=_boxes(result.top, lang),
             mean=result.mean, mlow=result.mean_low, mhigh=result.mean_high)
    if result.n < min_n:
        text = join_sentences([text, t("headline_small", lang, NS, n=result.n, min_n=min_n)], lang)
    return text


def describe_support(by_tp: pd.DataFrame, *, lang: str = "en", touchpoint: str = SUPPORT) -> str:
    """The answers after a support contact (the ``touchpoint`` row of the touchpoint table): what the breakdowns
    below read."""
    row = by_tp[by_tp["touchpoint"] == touchpoint]
    if row.empty or not int(row["n"].iloc[0]):
        return t("support_none", lang, NS)
    r = row.iloc[0]
    return t("support", lang, NS, n=int(r["n"]), value=_pct(r["csat"], lang),
             interval=num.interval(r["low"], r["high"], "%", lang))


def _boxes(top: int, lang: str = "en") -> str:
    """The satisfied answers: ``4–5`` (``4〜5`` in Japanese), or ``5``."""
    return f"{SCALE - top + 1}{'〜' if lang == 'ja' else '–'}{SCALE}" if top > 1 else f"{SCALE}"


def describe_change(h: Headline, prev_label: str, *, lang: str = "en", level: float = 0.95) -> str:
    """The headline's change against the comparison period (the same change the report's front page shows)."""
    return change_sentence(NS, h, prev_label, lang=lang, level=level)


def sample_size_sentence(result: M.CSATResult, *, diff: float = 5, power: float = 0.8, lang: str = "en") -> str:
    """Answers per period needed to see a ``diff``-point change from this period's level."""
    known = bool(result.n) and 0 < result.value < 100
    current = result.value if known else 50.0  # 50 %: the most answers any level needs
    up = diff if current + diff <= 100 else -diff
    need = M.sample_size(up, current=current, level=result.level, power=power)
    return t("sample_size" if known else "sample_size_unknown", lang, NS, need=need, diff=diff, power=power,
             current=_pct(current, lang, 0))


def describe_driver(tab: pd.DataFrame, driver: str, *, lang: str = "en", level: float = 0.95) -> str:
    """First bin against last bin of a driver, with the difference's interval and p-value."""
    shown = tab[tab["n"] > 0]
    if len(shown) < 2:
        return t("driver_none", lang, NS, driver=t(DRIVERS[driver], lang, NS))
    a, b = shown.iloc[[0]], shown.iloc[[-1]]
    d = M.rate_change(a, b, successes="satisfied", value="csat", level=level).iloc[0]
    return t("driver", lang, NS, driver=t(DRIVERS[driver], lang, NS), a=t(a[driver].iloc[0], lang, NS),
             b=t(b[driver].iloc[0], lang, NS), va=_pct(d["csat_a"], lang, 0), vb=_pct(d["csat_b"], lang, 0),
             na=int(d["n_a"]), nb=int(d["n_b"]), level=level,
             **change_numbers(d["diff"], d["low"], d["high"], d["p_value"], lang))


def describe_rules(tab: pd.DataFrame, *, lang: str = "en") -> str:
    """How far apart the rules put the same answers."""
    pct = tab[tab["unit"] == "%"].set_index("rule")
    if pct.empty or not pct["n"].max():
        return t("rules_none", lang, NS)
    mean = tab.loc[tab["rule"] == "mean", "value"]
    return t("rules", lang, NS, lo=_pct(pct["value"].min(), lang), hi=_pct(pct["value"].max(), lang),
             top1=_pct(pct.loc["top1", "value"], lang), top2=_pct(pct.loc["top2", "value"], lang),
             top3=_pct(pct.loc["top3", "value"], lang), zendesk=_pct(pct.loc["zendesk", "value"], lang),
             mean=float(mean.iloc[0]) if len(mean) else float("nan"))


def describe_responses(rates: pd.DataFrame, *, lang: str = "en") -> str:
    """The response rate overall and its range between channels, and why it matters."""
    if rates.empty or not rates["solved"].sum():
        return t("responses_none", lang, NS)
    total = M.rate_stats(pd.DataFrame({"n": [rates["solved"].sum()], "answered": [rates["answered"].sum()]}),
                         successes="answered", value="rate").iloc[0]
    return t("responses", lang, NS, rate=_pct(total["rate"], lang), n=int(total["n"]),
             answered=int(total["answered"]), lo=_pct(rates["rate"].min(), lang), hi=_pct(rates["rate"].max(), lang))


def describe_response_window(tickets: pd.DataFrame, resp: pd.DataFrame, period, *, freq: str = "month",
                             lang: str = "en", touchpoint: str = SUPPORT) -> str:
    """Why the answered tickets of :func:`response_rates` (tickets solved in ``period``) differ from the
    period's answers after a support contact (answers given in ``period``, as the channel table counts
    them); empty when they are the same.

    Examples
    --------
    >>> tk = pd.DataFrame({"ticket_id": ["a", "b", "c"], "status": "solved",
    ...                    "resolved_at": pd.to_datetime(["2026-09-30", "2026-10-02", "2026-10-05"])})
    >>> r = pd.DataFrame({"touchpoint": SUPPORT, "ticket_id": ["a", "b", "c"],
    ...                   "period": pd.PeriodIndex(["2026-10", "2026-10", "2026-10"], freq="M")})
    >>> print(describe_response_window(tk, r, pd.Period("2026-10", "M")))  # doctest: +NORMALIZE_WHITESPACE
    This table counts the tickets solved in 2026-10 (2 with an answer), the channel table the answers given
    in 2026-10 (3): 1 of the answers rates a ticket solved in another period.
    >>> describe_response_window(tk, r.iloc[1:], pd.Period("2026-10", "M"))
    ''
    """
    done = (tickets["status"] == "solved") & tickets["resolved_at"].notna()
    solved = tickets.loc[done, ["ticket_id", "resolved_at"]]
    solved = set(solved.loc[np.asarray(period_of(solved["resolved_at"], freq) == period, dtype=bool), "ticket_id"])
    ans = resp.loc[(resp["touchpoint"] == touchpoint) & resp["ticket_id"].notna(), ["ticket_id", "period"]]
    given = ans[np.asarray(ans["period"] == period, dtype=bool)]
    on_solved = given[given["ticket_id"].isin(solved)]
    answered = set(ans.loc[ans["ticket_id"].isin(solved), "ticket_id"])
    moved = {"other": len(given) - len(on_solved), "repeat": len(on_solved) - on_solved["ticket_id"].nunique(),
             "later": len(answered - set(on_solved["ticket_id"]))}
    why = [t(f"window_{k}" + ("_one" if v == 1 else ""), lang, NS, k=v) for k, v in moved.items() if v]
    if not why:
        return ""
    return t("responses_window", lang, NS, period=label(period, freq), answered=len(answered), n=len(given),
             why=("。" if lang == "ja" else "; ").join(why))


def describe_new_agent(tab: pd.DataFrame, agent: str, prior, before=None, *, lang: str = "en",
                       level: float = 0.95) -> str:
    """What shrinkage does to one agent: ``tab`` is :func:`csa.metrics.survey.shrink` of the agents with
    ``agent`` added (columns ``agent``, ``n``), ``prior`` the prior fitted with it, ``before`` the one
    fitted without it (the prior of :func:`agents`).

    Examples
    --------
    >>> c = pd.DataFrame({"agent": ["a", "b", "new"], "n": [40, 40, 3], "satisfied": [30, 18, 3]})
    >>> p = M.BetaPrior(12.0, 8.0, 60.0, 20.0, "moments", 3)
    >>> print(describe_new_agent(M.shrink(c, p, successes="satisfied"), "new", p))  # doctest: +NORMALIZE_WHITESPACE
    Raw, **new** ranks 1 of 3 with 100.0% (95% interval [43.9, 100.0]). Shrunk, their own share weighs 13.0%
    (n / (n + m) = 3 / (3 + 20)): the estimate is 65.2% [45.1, 82.8], rank 2 of 3, behind a (70.0%, n = 40).
    The estimate's interval covers 2 of the other 2 agents' estimates (50.0% to 70.0%).
    """
    row = tab.loc[tab["agent"] == agent].iloc[0]
    k = len(tab)
    if not math.isfinite(prior.concentration):
        return t("new_point", lang, NS, agent=agent, mean=_pct(prior.mean, lang))
    raw = t("new_raw", lang, NS, agent=agent, rank=int(row["rank_raw"]), k=k, raw=_pct(row["raw"], lang),
            level=level, interval=num.interval(row["raw_low"], row["raw_high"], "%", lang))
    ahead = tab[tab["shrunk"] > row["shrunk"]].sort_values("shrunk", ascending=False)
    who = join_list([t("zone_item", lang, NS, agent=a, value=_pct(v, lang), n=int(n))
                     for a, v, n in zip(ahead["agent"][:3], ahead["shrunk"][:3], ahead["n"][:3], strict=True)], lang)
    if len(ahead) > 3:
        who = t("more_agents", lang, NS, who=who, more=len(ahead) - 3)
    shrunk = t("new_shrunk" if len(ahead) else "new_shrunk_first", lang, NS, weight=_pct(100 * row["weight"], lang),
               n=int(row["n"]), m=prior.concentration, shrunk=_pct(row["shrunk"], lang), rank=int(row["rank_shrunk"]),
               k=k, interval=num.interval(row["shrunk_low"], row["shrunk_high"], "%", lang), who=who)
    others = tab.loc[tab["agent"] != agent, "shrunk"]
    covered = int(others.between(row["shrunk_low"], row["shrunk_high"]).sum())
    parts = [raw, shrunk, t("new_cover", lang, NS, covered=covered, others=len(others), slo=_pct(others.min(), lang),
                            shi=_pct(others.max(), lang))]
    if before is not None and math.isfinite(before.concentration):
        parts.append(t("new_refit", lang, NS, m=prior.concentration, m0=before.concentration,
                       mean=_pct(prior.mean, lang), mean0=_pct(before.mean, lang)))
    return join_sentences(parts, lang)


def describe_funnel(tab: pd.DataFrame, centre: float, *, lang: str = "en") -> str:
    """Which agents lie outside the funnel's limits (and that the others cannot be told apart)."""
    if tab is None or "zone" not in tab or tab.empty:
        return t("agents_none", lang, NS)
    parts = []
    for zone in ("above", "below", "watch_above", "watch_below"):
        names = tab.loc[tab["zone"] == zone].sort_values("raw", ascending=zone.endswith("below"))
        if len(names):
            who = join_list([t("zone_item", lang, NS, agent=a, value=_pct(v, lang, 0), n=int(n))
                         for a, v, n in zip(names["agent"], names["raw"], names["n"], strict=True)], lang)
            parts.append(t(f"zone_{zone}", lang, NS, who=who))
    inside = int((tab["zone"] == "within").sum())
    head = t("funnel", lang, NS, k=len(tab), centre=_pct(centre, lang), inside=inside, lo=int(tab["n"].min()),
             hi=int(tab["n"].max()))
    return join_sentences([head, *(parts or [t("funnel_all_within", lang, NS)])], lang)


def p_text(p: float) -> str:
    """A p-value for a sentence: ``"= 0.259"``, or ``"< 0.001"`` (never ``"= 0.000"`` or ``"5.5e-19"``).

    The CSAT, CES and GCR sentences write p-values with :func:`csa.numbers.p_value`; the churn view
    still reads this one.

    Examples
    --------
    >>> p_text(0.2589), p_text(5.5e-19), p_text(float("nan"))
    ('= 0.259', '< 0.001', '= —')
    """
    if not p == p:
        return "= —"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def join_list(items: list[str], lang: str) -> str:
    """Items of a list in a sentence: ``a, b`` in English, ``a、b`` in Japanese."""
    return ("、" if lang == "ja" else ", ").join(items)


def describe_agents(tab: pd.DataFrame, prior, *, lang: str = "en") -> str:
    """What the shrinkage did: the prior, and the spread of raw against shrunken estimates."""
    if prior is None:
        return t("agents_none", lang, NS)
    if not math.isfinite(prior.concentration):
        return t("shrink_point", lang, NS, k=prior.groups, mean=_pct(prior.mean, lang))
    return t("shrink", lang, NS, k=prior.groups, mean=_pct(prior.mean, lang), worth=prior.concentration,
             sd=num.number(prior.sd, 1), rlo=_pct(tab["raw"].min(), lang), rhi=_pct(tab["raw"].max(), lang),
             slo=_pct(tab["shrunk"].min(), lang), shi=_pct(tab["shrunk"].max(), lang))
