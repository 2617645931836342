"""Churn and retention (解約率・継続率) from a ``subscriptions`` table: movements, then statistics.

Definitions (source article 002):

* **customer churn rate** = customers lost this month ÷ customers at the end of last month × 100;
* **revenue churn rate** = MRR lost this month (cancellations and downgrades) ÷ last month's MRR × 100;
* **retention** (継続率) is its companion: the share of customers (or of revenue) still there.

The input is one row per subscribed customer-month (``customer_id``, ``month``, ``mrr``): no row
means "not subscribed that month". Several rows for one customer and month (several
subscriptions) are added up; a row with ``mrr == 0`` counts as subscribed (a free month). A
period (a month, a quarter ``2026Q3`` or a fiscal year ``FY2026`` starting in April) starts at
the end of the month before it and ends with its last month.

The two steps of every metric are kept apart:

1. **aggregation** — :func:`mrr_movements` (one row per month: MRR at the start, new, expansion,
   contraction, churned, reactivation, MRR at the end, and customer counts of each kind),
   :func:`lifetimes` (one row per customer), :func:`cohort_table` (retention by cohort and age);
   any engine that can compare a customer's month with the month before can build them;
2. **statistics** — :func:`customer_churn` (a proportion with its Wilson interval),
   :func:`revenue_churn` (ratios of sums with a linearisation interval), :func:`churn_by_month`,
   :func:`churn_by` (churn of groups), all through the shared :mod:`csa.stats`.

Tools disagree on the same data: :func:`reconcile` puts the definitions of ChartMogul,
Baremetrics, ProfitWell, Stripe, the B2C ("Shopify") formula and the seed's formula side by side
on one period, and :func:`same_period_customers` lists the rows that make them differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import stats as S
from ..errors import DataError, Problem

__all__ = ["DEFINITIONS", "MOVEMENTS", "SAME_PERIOD", "CustomerChurn", "RevenueChurn", "churn_by", "churn_by_month",
           "churned_within", "cohort_table", "compare", "customer_churn", "lifetimes", "months_of", "mrr_end",
           "mrr_movements", "reconcile", "revenue_churn", "same_period_customers"]

#: the MRR movements, in waterfall order (``mrr_start`` + the first four − the last two = ``mrr_end``)
MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churned")

#: what ``customer_churn(same_period=...)`` does with customers who joined and left inside the period
SAME_PERIOD = {
    "exclude": "left out of numerator and denominator (ChartMogul, Standard/B2B formula)",
    "include": "counted in the numerator only (Baremetrics); the ratio is then not a proportion",
    "ignore": "left out of everything, their new and churned MRR too (ProfitWell)",
    "both": "counted in numerator and denominator: churned ÷ (customers at the start + new) (Stripe Billing)",
}

_FY = re.compile(r"FY(\d{4})")


# ----------------------------------------------------------------------------------- input

def _need(df: pd.DataFrame, *cols: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not found; the columns are: {', '.join(map(str, df.columns))}. "
                       "Name yours with the keyword arguments, e.g. customer='account_id', month='billing_month'")


def _as_months(values: pd.Series, name: str) -> pd.Series:
    """Any month-like column (Period, 'YYYY-MM' text, dates or timestamps) as ``period[M]``."""
    if isinstance(values.dtype, pd.PeriodDtype):
        return values if values.dtype == pd.PeriodDtype("M") else values.dt.asfreq("M", how="start")
    if pd.api.types.is_datetime64_any_dtype(values):
        wall = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        return wall.dt.to_period("M")
    text = values.astype(str).str.strip()
    bad = values.notna() & ~text.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
    if bad.any():
        rows = values[bad]
        raise DataError([Problem("subscriptions", "(data frame)", "months must look like YYYY-MM",
                                 "write each month as 2026-10 (or pass Period or datetime values)", column=name,
                                 n_rows=int(bad.sum()), rows=[int(i) + 2 for i in rows.index[:3]],
                                 values=rows.iloc[:3].tolist())])
    return pd.PeriodIndex(text.where(values.notna()), freq="M").to_series(index=values.index)


@dataclass(frozen=True)
class _Panel:
    """Customers × months MRR matrix (NaN: not subscribed), months consecutive."""

    customers: pd.Index
    months: pd.PeriodIndex
    mrr: np.ndarray

    @property
    def active(self) -> np.ndarray:
        return ~np.isnan(self.mrr)

    def index(self, month: pd.Period) -> int:
        first = self.months[0]
        return (month.year - first.year) * 12 + month.month - first.month


def _panel(subscriptions: pd.DataFrame, customer: str, month: str, mrr: str) -> _Panel:
    _need(subscriptions, customer, month, mrr)
    if subscriptions.empty:
        raise ValueError("the subscriptions table has no rows: there is no churn to compute")
    values = pd.to_numeric(subscriptions[mrr], errors="coerce")
    bad = values.isna() | (values < 0) | ~np.isfinite(values.fillna(0))
    if bad.any():
        rows = subscriptions.loc[bad, mrr]
        raise DataError([Problem("subscriptions", "(data frame)", "MRR must be a number >= 0 in every row",
                                 "fill in the missing amounts (0 for a free month) or drop the rows of months "
                                 "that were not subscribed", column=mrr, n_rows=int(bad.sum()),
                                 rows=[int(i) + 2 for i in rows.index[:3]], values=rows.iloc[:3].tolist())])
    if subscriptions[customer].isna().any():
        n = int(subscriptions[customer].isna().sum())
        raise DataError([Problem("subscriptions", "(data frame)", "a row has no customer", "fill in the customer "
                                 "of every row", column=customer, n_rows=n)])
    m = _as_months(subscriptions[month], month)
    if m.isna().any():
        raise DataError([Problem("subscriptions", "(data frame)", "a row has no month", "fill in the month of "
                                 "every row", column=month, n_rows=int(m.isna().sum()))])
    codes, customers = pd.factorize(subscriptions[customer], sort=True)
    first, last = m.min(), m.max()
    months = pd.period_range(first, last, freq="M")
    col = ((m.dt.year - first.year) * 12 + m.dt.month - first.month).to_numpy(dtype=np.int64)
    total = np.zeros((len(customers), len(months)))
    np.add.at(total, (codes, col), values.to_numpy(dtype=float))  # several subscriptions in a month add up
    seen = np.zeros((len(customers), len(months)), dtype=bool)
    seen[codes, col] = True
    return _Panel(pd.Index(customers, name=customer), months, np.where(seen, total, np.nan))


def months_of(period) -> tuple[pd.Period, pd.Period]:
    """First and last month of a period: a month, a quarter or a fiscal year (April start).

    Parameters
    ----------
    period : str or pandas.Period
        ``"2026-10"``, ``"2026Q3"``, ``"FY2026"`` (April 2026 – March 2027) or a ``pandas.Period``
        of any frequency of a month or longer.

    Returns
    -------
    tuple of pandas.Period
        ``(first, last)`` monthly periods.

    Examples
    --------
    >>> [str(m) for m in months_of("2026Q3")], [str(m) for m in months_of("FY2026")]
    (['2026-07', '2026-09'], ['2026-04', '2027-03'])
    """
    if isinstance(period, str):
        text = period.strip().upper()
        fy = _FY.fullmatch(text)
        if fy:
            start = pd.Period(f"{fy[1]}-04", freq="M")
            return start, start + 11
        if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            p = pd.Period(text, freq="M")
            return p, p
        if re.fullmatch(r"\d{4}Q[1-4]", text):
            period = pd.Period(text, freq="Q-DEC")
        else:
            raise ValueError(f"period {period!r} is not a month, quarter or fiscal year; write it like "
                             "'2026-10', '2026Q3' or 'FY2026'")
    if not isinstance(period, pd.Period):
        raise ValueError(f"period must be text like '2026-10' or a pandas.Period; got {period!r}")
    return period.start_time.to_period("M"), period.end_time.to_period("M")


def _label(period) -> str:
    if isinstance(period, str):
        return period.strip().upper()
    first, last = months_of(period)
    return str(first) if first == last else f"{first} – {last}"


def _range(P: _Panel, period) -> tuple[int, int, bool]:
    """Column of the month before the period, column of its last month in the data, partial flag."""
    first, last = months_of(period)
    s = P.index(first) - 1
    e = P.index(last)
    if s < 0 or s >= len(P.months) - 1:
        raise ValueError(f"period {_label(period)} cannot be computed from these data: it needs the month "
                         f"before it ({first - 1}) and at least its first month; the data cover "
                         f"{P.months[0]} to {P.months[-1]}, so the first period that can be computed "
                         f"starts in {P.months[1]}")
    partial = e > len(P.months) - 1
    return s, min(e, len(P.months) - 1), partial


# ----------------------------------------------------------------------------------- aggregation

def _moves(P: _Panel, j: int, first_seen: np.ndarray) -> dict[str, np.ndarray]:
    """Per-customer movements of month column ``j`` (≥ 1), amounts positive, 0 where none."""
    prev, cur = P.mrr[:, j - 1], P.mrr[:, j]
    a0, a1 = ~np.isnan(prev), ~np.isnan(cur)
    both = a0 & a1
    delta = np.where(both, np.nan_to_num(cur) - np.nan_to_num(prev), 0.0)
    came = a1 & ~a0
    back = came & (first_seen < j - 1)
    return {
        "start": np.where(a0, prev, 0.0), "end": np.where(a1, cur, 0.0),
        "new": np.where(came & ~back, cur, 0.0), "reactivation": np.where(back, cur, 0.0),
        "expansion": np.maximum(delta, 0.0), "contraction": np.maximum(-delta, 0.0),
        "churned": np.where(a0 & ~a1, prev, 0.0),
        "is_start": a0, "is_end": a1, "is_new": came & ~back, "is_reactivation": back,
        "is_expansion": delta > 0, "is_contraction": delta < 0, "is_churned": a0 & ~a1,
    }


def _first_seen(P: _Panel) -> np.ndarray:
    return np.argmax(P.active, axis=1)


def mrr_movements(subscriptions: pd.DataFrame, *, customer: str = "customer_id", month: str = "month",
                  mrr: str = "mrr") -> pd.DataFrame:
    """Step 1: MRR movements per month (ChartMogul's five movement types), amounts and customers.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month. Several rows of one customer and month add up.
    customer, month, mrr : str
        Column names: customer id, month (``YYYY-MM`` text, Period or dates) and MRR (≥ 0).

    Returns
    -------
    DataFrame
        One row per month from the second month of the data on (the first has no month before it):
        ``month`` (Period), ``mrr_start`` (MRR of the month before), ``new`` (customers never seen
        before), ``reactivation`` (customers absent last month but subscribed before), ``expansion``
        and ``contraction`` (increases and decreases of customers subscribed in both months),
        ``churned`` (last month's MRR of customers absent this month), ``mrr_end``; all amounts
        positive. Customer counts: ``n_start``, ``n_new``, ``n_reactivation``, ``n_expansion``,
        ``n_contraction``, ``n_churned``, ``n_end``.

    Notes
    -----
    ``mrr_start + new + reactivation + expansion − contraction − churned = mrr_end`` and
    ``n_start + n_new + n_reactivation − n_churned = n_end`` hold for every month. Movement types
    follow ChartMogul ("Data Table and MRR Movements", help.chartmogul.com): a returning customer
    is a *reactivation*, not new business. A customer first seen in the data's first month counts
    as subscribed before, so their later returns are reactivations too.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"],
    ...                      "month": ["2026-09", "2026-10", "2026-09", "2026-09", "2026-10"],
    ...                      "mrr": [100, 150, 50, 80, 60]})
    >>> m = mrr_movements(subs)
    >>> m.loc[0, ["mrr_start", "new", "reactivation", "expansion", "contraction", "churned", "mrr_end"]].tolist()
    [230.0, 0.0, 0.0, 50.0, 20.0, 50.0, 210.0]
    """
    P = _panel(subscriptions, customer, month, mrr)
    first = _first_seen(P)
    rows = []
    for j in range(1, len(P.months)):
        mv = _moves(P, j, first)
        rows.append([P.months[j], float(mv["start"].sum()), *(float(mv[k].sum()) for k in MOVEMENTS),
                     float(mv["end"].sum()),
                     int(mv["is_start"].sum()), *(int(mv[f"is_{k}"].sum()) for k in MOVEMENTS),
                     int(mv["is_end"].sum())])
    cols = ["month", "mrr_start", *MOVEMENTS, "mrr_end", "n_start", *(f"n_{k}" for k in MOVEMENTS), "n_end"]
    return pd.DataFrame(rows, columns=cols)


def mrr_end(movements) -> float:
    """The MRR at the end of a period from the MRR at its start and its movements (the bridge's identity).

    Parameters
    ----------
    movements : mapping
        ``mrr_start`` and the :data:`MOVEMENTS` (positive amounts): a row of :func:`mrr_movements`,
        the aggregation of the catalogue's ``revenue_churn`` (``csa.measure(...).row``), or a dict.

    Returns
    -------
    float
        ``mrr_start + new + reactivation + expansion − contraction − churned``.

    Notes
    -----
    Every customer's MRR at the end is their MRR at the start plus their movements, so the sums
    obey the same identity (:func:`mrr_movements` checks it on every month). An engine that
    sums the movements (:class:`csa.kpi.kernels.Revenue`) feeds this directly.

    Examples
    --------
    >>> mrr_end({"mrr_start": 150, "new": 20, "reactivation": 10, "expansion": 5, "contraction": 20,
    ...          "churned": 40})
    125.0
    """
    m = {k: float(movements[k]) for k in ("mrr_start", *MOVEMENTS)}
    return m["mrr_start"] + m["new"] + m["reactivation"] + m["expansion"] - m["contraction"] - m["churned"]


def lifetimes(subscriptions: pd.DataFrame, *, customer: str = "customer_id", month: str = "month",
              mrr: str = "mrr") -> pd.DataFrame:
    """Step 1: one row per customer, how long they stayed (the input of survival analysis).

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month.
    customer, month, mrr : str
        Column names.

    Returns
    -------
    DataFrame
        ``customer`` column, ``first_month``, ``last_month`` (Periods), ``months`` (months from the
        first to the last subscribed month, both counted), ``churned`` (``True``: not subscribed in
        the data's last month, so the lifetime is known; ``False``: still subscribed, the lifetime
        is *censored*), ``duration`` (the time for survival analysis: for a churned customer the
        month of the churn counted from their first, ``= months``; for a customer still subscribed
        the renewals seen so far, ``= months − 1``: they are known to last *more* than that),
        ``gaps`` (months without a subscription between the first and the last), ``first_mrr``,
        ``left_censored`` (first seen in the data's first month: they may have started earlier, so
        their lifetime is longer than it looks).

    Notes
    -----
    A customer subscribed in months 1…k of their life and not in month k + 1 churned at the
    k-th renewal: duration k, observed. A customer subscribed in months 1…m up to the data's last
    month has passed m − 1 renewals and the next is unknown: duration m − 1, censored. This is the
    convention of Fader & Hardie (2007) for the sBG model and of :func:`csa.metrics.survival.survival`.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": ["a", "a", "b"], "month": ["2026-08", "2026-09", "2026-09"],
    ...                      "mrr": [1, 1, 1]})
    >>> lifetimes(subs)[["customer_id", "months", "churned", "duration", "left_censored"]]
      customer_id  months  churned  duration  left_censored
    0           a       2    False         1           True
    1           b       1    False         0          False
    """
    P = _panel(subscriptions, customer, month, mrr)
    act = P.active
    first = np.argmax(act, axis=1)
    last = act.shape[1] - 1 - np.argmax(act[:, ::-1], axis=1)
    span = last - first + 1
    churned = last < act.shape[1] - 1
    return pd.DataFrame({
        customer: P.customers, "first_month": P.months[first], "last_month": P.months[last], "months": span,
        "churned": churned, "duration": np.where(churned, span, span - 1), "gaps": span - act.sum(axis=1),
        "first_mrr": P.mrr[np.arange(len(first)), first], "left_censored": first == 0,
    })


def cohort_table(subscriptions: pd.DataFrame, *, freq: str = "quarter", customer: str = "customer_id",
                 month: str = "month", mrr: str = "mrr", skip_first: bool = True) -> pd.DataFrame:
    """Step 1 and 2: retention of customers and of their revenue, by cohort and age in months.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month.
    freq : {"month", "quarter"}
        Cohorts by first month or by first quarter.
    customer, month, mrr : str
        Column names.
    skip_first : bool
        Leave out customers first seen in the data's first month (their real start is unknown:
        they may have subscribed long before the data begin). They are counted in the ``excluded``
        attribute of the result (``table.attrs["excluded"]``).

    Returns
    -------
    DataFrame
        One row per cohort and age: ``cohort`` (Period), ``age`` (months since each customer's
        first month, 0 = the first), ``customers`` (cohort size), ``active`` (subscribed at that
        age), ``mrr_first`` (the cohort's MRR in their first months), ``mrr`` (their MRR at that age),
        ``customer_retention`` (``100 · active / customers``) and ``revenue_retention``
        (``100 · mrr / mrr_first``: above 100 when expansion outweighs churn — the cohort's net
        revenue retention). Ages not yet observed for every member of a cohort are left out.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": list("xaab"), "month": ["2026-01", "2026-02", "2026-03", "2026-02"],
    ...                      "mrr": [5, 10, 12, 10]})
    >>> cohort_table(subs, freq="month")[["cohort", "age", "customer_retention", "revenue_retention"]]
        cohort  age  customer_retention  revenue_retention
    0  2026-02    0               100.0              100.0
    1  2026-02    1                50.0               60.0
    """
    if freq not in ("month", "quarter"):
        raise ValueError(f"freq must be 'month' or 'quarter'; got {freq!r}")
    P = _panel(subscriptions, customer, month, mrr)
    act = P.active
    first = np.argmax(act, axis=1)
    keep = first > 0 if skip_first else np.ones(len(first), bool)
    cohort = P.months[first].asfreq("Q-DEC" if freq == "quarter" else "M")
    rows = []
    last = len(P.months) - 1
    for c in sorted(set(cohort[keep])):
        members = np.flatnonzero(keep & (cohort == c))
        f = first[members]
        mrr_first = P.mrr[members, f]
        for age in range(0, last - int(f.max()) + 1):
            vals = P.mrr[members, f + age]
            rows.append([c, age, len(members), int((~np.isnan(vals)).sum()), mrr_first.sum(), np.nansum(vals)])
    out = pd.DataFrame(rows, columns=["cohort", "age", "customers", "active", "mrr_first", "mrr"])
    with np.errstate(invalid="ignore", divide="ignore"):
        out["customer_retention"] = 100 * out["active"] / out["customers"]
        out["revenue_retention"] = np.where(out["mrr_first"] > 0, 100 * out["mrr"] / out["mrr_first"], np.nan)
    out.attrs["excluded"] = int((~keep).sum())
    return out


# ----------------------------------------------------------------------------------- customer churn

@dataclass(frozen=True)
class CustomerChurn(S.IntervalResult):
    """Customer churn of one period, in percent, with its interval.

    Attributes
    ----------
    value, low, high : float
        ``100 · churned / n`` and its Wilson interval (NaN where there is no proportion).
    n : int
        Denominator: customers at the start (plus, with ``same_period="both"``, those who joined).
    period : str
        The period's label.
    churned : int
        Numerator.
    same_period : int
        Customers who joined inside the period and were gone by its end.
    excluded : int
        Of those, how many the rule left out.
    rule : str
        The ``same_period`` rule.
    partial : bool
        The period runs past the end of the data: only its months in the data were used.
    level : float
        Confidence level.
    """

    period: str
    churned: int
    same_period: int = 0
    excluded: int = 0
    rule: str = "exclude"
    partial: bool = False
    level: float = 0.95

    def __str__(self) -> str:
        if not self.n:
            return f"customer churn {self.period}: no customers at the start"
        ci = (f"{self.level:.0%} interval {self.low:.1f} to {self.high:.1f}, Wilson; " if np.isfinite(self.low)
              else "no interval: not a proportion; ")
        return (f"customer churn {self.period}: {self.value:.2f} % ({ci}{self.churned:,} of {self.n:,} customers; "
                f"same-period rule '{self.rule}')")


def _customer_counts(P: _Panel, s: int, e: int) -> dict[str, int]:
    act = P.active
    start, end = act[:, s], act[:, e]
    during = act[:, s + 1:e + 1].any(axis=1)
    joined = ~start & during
    return {"start": int(start.sum()), "lost": int((start & ~end).sum()), "joined": int(joined.sum()),
            "same_period": int((joined & ~end).sum())}


def _customer_rate(c: dict[str, int], rule: str) -> tuple[int, int, int]:
    """(churned, n, excluded) under a same-period rule."""
    if rule in ("exclude", "ignore"):
        return c["lost"], c["start"], c["same_period"]
    if rule == "include":
        return c["lost"] + c["same_period"], c["start"], 0
    return c["lost"] + c["same_period"], c["start"] + c["joined"], 0


def customer_churn(subscriptions: pd.DataFrame, period, *, same_period: str = "exclude", level: float = 0.95,
                   customer: str = "customer_id", month: str = "month", mrr: str = "mrr") -> CustomerChurn:
    """Customer churn rate of a month, quarter or fiscal year, with its Wilson interval.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month.
    period : str or pandas.Period
        ``"2026-10"`` (a month: the seed's formula), ``"2026Q3"`` or ``"FY2026"`` (April start).
    same_period : {"exclude", "include", "ignore", "both"}
        What to do with customers who joined inside the period and were gone by its end (only a
        period longer than a month can hold such customers: see Notes). ``"exclude"`` (default, ChartMogul's
        Standard/B2B formula): left out of numerator and denominator; ``"include"`` (Baremetrics:
        "customers who sign up and cancel within the same 30 day window are now included in your
        churn rate"): counted as churned over the customers at the start — the ratio is then not a
        proportion and gets no interval; ``"ignore"`` (ProfitWell: "we ignore them from your
        metrics entirely", their MRR too; for customers it equals ``"exclude"``); ``"both"`` (Stripe
        Billing: churned ÷ (customers at the start + new customers), counted in both).
    level : float
        Confidence level of the interval.
    customer, month, mrr : str
        Column names.

    Returns
    -------
    CustomerChurn
        ``value`` (%), ``low``, ``high`` (Wilson), ``n`` (customers at the start), ``churned``,
        ``same_period``, ``excluded``, ``rule``, ``partial``, ``level``.

    Raises
    ------
    ValueError
        When the month before the period is not in the data (there is no start to count from).

    Notes
    -----
    Source article 002: **customer churn = customers lost this month ÷ customers at the end of
    last month × 100**. Customers at the start are those subscribed in the month before the
    period; *lost* are those of them not subscribed in its last month (a customer who left and
    came back inside the period is not lost). On monthly data a customer who joins in a month
    cannot also be lost in it (the loss shows in the next month), so on a month ``"exclude"``,
    ``"include"`` and ``"ignore"`` agree and ``"both"`` only adds the month's new customers to the
    denominator; the rules differ more on quarters and years. A period that runs past the data's last month uses the
    months available (``partial``). The interval is :func:`csa.stats.proportion` (Wilson).

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"],
    ...                      "month": ["2026-09", "2026-10", "2026-09", "2026-09", "2026-10"],
    ...                      "mrr": [100, 150, 50, 80, 60]})
    >>> r = customer_churn(subs, "2026-10")
    >>> r.churned, r.n, round(r.value, 2), round(r.low, 1), round(r.high, 1)
    (1, 3, 33.33, 6.1, 79.2)
    """
    if same_period not in SAME_PERIOD:
        raise ValueError(f"same_period must be one of {', '.join(map(repr, SAME_PERIOD))}; got {same_period!r}")
    P = _panel(subscriptions, customer, month, mrr)
    s, e, partial = _range(P, period)
    c = _customer_counts(P, s, e)
    x, n, excluded = _customer_rate(c, same_period)
    est = S.proportion(min(x, n), n, level=level)
    value = 100 * x / n if n else float("nan")
    low, high = (est.low, est.high) if same_period != "include" else (float("nan"), float("nan"))
    return CustomerChurn(value=value, low=low, high=high, n=n, period=_label(period), churned=x,
                         same_period=c["same_period"], excluded=excluded, rule=same_period, partial=partial,
                         level=level)


# ----------------------------------------------------------------------------------- revenue churn

def _retention(churn: str, doc: str) -> property:
    """A retention of :class:`RevenueChurn`: ``100 −`` one of its churn fields, in percent."""
    return property(lambda self: 100 - getattr(self, churn), doc=doc)


@dataclass(frozen=True)
class RevenueChurn:
    """Revenue (MRR) churn of one period: movements, rates in percent and their intervals.

    Attributes
    ----------
    period : str
    mrr_start, new, reactivation, expansion, contraction, churned, mrr_end : float
        Movements summed over the period's months (positive amounts).
    gross, net : float
        Gross and net revenue churn, % of ``mrr_start``.
    grr, nrr : float
        Gross revenue retention, ``100 − gross``, and net revenue retention of the customers
        subscribed at the start (ChartMogul's and Baremetrics' NRR, the catalogue's default):
        ``(start + expansion − contraction − churned) ÷ start``. A returning customer was not in
        the start cohort, so NRR never counts reactivation: it is ``100 − net`` when ``net`` does not
        subtract reactivation, and ``100 − cohort_net`` in any case.
    gross_low, gross_high, net_low, net_high : float
        Intervals of ``gross`` and ``net``.
    cohort_net, cohort_net_low, cohort_net_high : float
        Net revenue churn of the start cohort (reactivation not subtracted) and its interval: ``nrr``
        and its interval are ``100 −`` them.
    n : int
        Customers at the start; ``units`` customers involved in the period.
    reactivation_offsets : bool
        Whether reactivation was subtracted in ``net``.
    """

    period: str
    mrr_start: float
    new: float
    reactivation: float
    expansion: float
    contraction: float
    churned: float
    mrr_end: float
    gross: float
    net: float
    gross_low: float
    gross_high: float
    net_low: float
    net_high: float
    n: int
    units: int
    reactivation_offsets: bool = True
    ignored: int = 0
    partial: bool = False
    level: float = 0.95
    cohort_net: float = float("nan")
    cohort_net_low: float = float("nan")
    cohort_net_high: float = float("nan")

    grr = _retention("gross", "Gross revenue retention, %: ``(start − contraction − churned) ÷ start``.")
    nrr = _retention("cohort_net", "Net revenue retention of the start cohort, %: ``100 − cohort_net``.")
    nrr_low = _retention("cohort_net_high", "Lower limit of ``nrr``: ``100 − cohort_net_high``.")
    nrr_high = _retention("cohort_net_low", "Upper limit of ``nrr``: ``100 − cohort_net_low``.")

    def __str__(self) -> str:
        if not self.mrr_start:
            return f"revenue churn {self.period}: no MRR at the start"
        def ci(lo, hi):
            return f"{lo:.2f} to {hi:.2f}" if np.isfinite(lo) and np.isfinite(hi) else "no interval"

        return (f"revenue churn {self.period}: gross {self.gross:.2f} % ({self.level:.0%} interval "
                f"{ci(self.gross_low, self.gross_high)}), net {self.net:.2f} % ({ci(self.net_low, self.net_high)}); "
                f"NRR {self.nrr:.1f} %, GRR {self.grr:.1f} % of {self.mrr_start:,.0f} MRR")


def _ratio(y: np.ndarray, x: np.ndarray, level: float, floor: float | None = None) -> tuple[float, float, float]:
    """``100·Σy/Σx`` with a linearisation (delta-method) interval through :func:`csa.stats.mean_interval`,
    its lower limit clipped at ``floor``."""
    n, tx = len(x), x.sum()
    if n < 2 or tx <= 0 or not np.any(y):  # with no movement at all the linearised variance is 0: no interval
        return (float(100 * y.sum() / tx) if tx > 0 else float("nan")), float("nan"), float("nan")
    r = float(y.sum() / tx)
    z = (y - r * x) / (tx / n)  # linearised values: mean 0, Var(R) ≈ Var(z)/n
    iv = S.mean_interval(r, float(z.std(ddof=1)), n, level=level)
    low = 100 * float(iv.low)
    return 100 * r, (max(low, floor) if floor is not None else low), 100 * float(iv.high)


def _revenue(P: _Panel, s: int, e: int, *, reactivation: bool, ignore_same_period: bool, level: float):
    first = _first_seen(P)
    act = P.active
    ignored = np.zeros(act.shape[0], bool)
    if ignore_same_period:
        ignored = ~act[:, s] & act[:, s + 1:e + 1].any(axis=1) & ~act[:, e]
    per = {k: np.zeros(act.shape[0]) for k in MOVEMENTS}
    for j in range(s + 1, e + 1):
        mv = _moves(P, j, first)
        for k in MOVEMENTS:
            per[k] += np.where(ignored, 0.0, mv[k])
    start = np.where(act[:, s], P.mrr[:, s], 0.0)
    end = np.where(act[:, e] & ~ignored, P.mrr[:, e], 0.0)
    units = act[:, s:e + 1].any(axis=1) & ~ignored
    lost = per["churned"] + per["contraction"]
    offset = per["expansion"] + (per["reactivation"] if reactivation else 0.0)
    x = start[units]
    gross = _ratio(lost[units], x, level, floor=0.0)
    net = _ratio((lost - offset)[units], x, level)
    cohort = _ratio((lost - per["expansion"])[units], x, level) if reactivation else net  # NRR's: no returns
    sums = {k: float(per[k].sum()) for k in MOVEMENTS}
    return sums, float(start.sum()), float(end.sum()), gross, net, cohort, int(act[:, s].sum()), \
        int(units.sum()), int(ignored.sum())


def revenue_churn(subscriptions: pd.DataFrame, period, *, reactivation: bool = True,
                  ignore_same_period: bool = False, level: float = 0.95, customer: str = "customer_id",
                  month: str = "month", mrr: str = "mrr") -> RevenueChurn:
    """Gross and net revenue (MRR) churn of a month, quarter or fiscal year, with intervals.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month.
    period : str or pandas.Period
        ``"2026-10"``, ``"2026Q3"`` or ``"FY2026"``.
    reactivation : bool
        Subtract reactivation MRR in the net rate (ChartMogul, default) or not (Baremetrics).
    ignore_same_period : bool
        Leave out every movement of customers who joined inside the period and were gone by its
        end (ProfitWell).
    level : float
        Confidence level.
    customer, month, mrr : str
        Column names.

    Returns
    -------
    RevenueChurn
        Movement amounts (``mrr_start``, ``new``, ``reactivation``, ``expansion``, ``contraction``,
        ``churned``, ``mrr_end``), ``gross``, ``net`` (%), their intervals, and ``grr``, ``nrr``
        (properties, %), ``n`` (customers at the start), ``units`` (customers involved).

    Notes
    -----
    Source article 002: revenue churn = MRR lost (cancellations and downgrades) ÷ MRR at the start.
    With the movements of :func:`mrr_movements` summed over the period's months:

    * gross = (churned + contraction) ÷ mrr_start (ChartMogul "Gross MRR churn rate", Standard
      formula; Baremetrics "Revenue churn");
    * net = (churned + contraction − expansion − reactivation) ÷ mrr_start (ChartMogul; without
      ``− reactivation``: Baremetrics "Net revenue churn");
    * GRR = (mrr_start − contraction − churned) ÷ mrr_start = 100 − gross; NRR = (mrr_start +
      expansion − contraction − churned) ÷ mrr_start, the customers of the start only (ChartMogul;
      Baremetrics: "NRR = 100 % − net revenue churn", whose net rate does not subtract reactivation).
      With ``reactivation=True`` the net rate subtracts returning customers' MRR and is no longer
      ``100 − NRR``.

    The interval treats each customer involved as one draw of ``(lost MRR, start MRR)`` and uses
    the delta method for a ratio of sums (Cochran 1977, *Sampling Techniques*, §6.4):
    ``Var R ≈ Σ(yᵢ − R·xᵢ)² / (n(n − 1)·x̄²)``, with a t quantile (:func:`csa.stats.mean_interval`);
    the gross rate's lower limit is clipped at 0. When no customer lost (or, for the net rate,
    moved) any MRR the estimated variance is 0 and the interval is missing (NaN), not ``[0, 0]``.
    A few large accounts make revenue churn far noisier than customer churn; the interval shows it.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": list("xyzw") * 2, "mrr": [10, 20, 30, 40, 0, 10, 40, 40],
    ...                      "month": ["2026-09"] * 4 + ["2026-10"] * 4}).query("not (customer_id == 'x' "
    ...                      "and month == '2026-10')")
    >>> r = revenue_churn(subs, "2026-10")  # ChartMogul's example: $100 start, $10 churn, $10 contraction, $10 up
    >>> r.gross, r.net, r.grr, r.nrr
    (20.0, 10.0, 80.0, 90.0)
    """
    P = _panel(subscriptions, customer, month, mrr)
    s, e, partial = _range(P, period)
    sums, start, end, gross, net, cohort, n, units, ignored = _revenue(
        P, s, e, reactivation=reactivation, ignore_same_period=ignore_same_period, level=level)
    return RevenueChurn(_label(period), start, sums["new"], sums["reactivation"], sums["expansion"],
                        sums["contraction"], sums["churned"], end, gross[0], net[0], gross[1], gross[2], net[1],
                        net[2], n, units, reactivation, ignored, partial, level, *cohort)


# ----------------------------------------------------------------------------------- tables

def churn_by_month(subscriptions: pd.DataFrame, *, level: float = 0.95, min_n: int = 30,
                   customer: str = "customer_id", month: str = "month", mrr: str = "mrr") -> pd.DataFrame:
    """Customer and revenue churn for every month of the data (the seed's formula), with intervals.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month.
    level : float
        Confidence level.
    min_n : int
        Months with fewer customers at the start are flagged ``small_n``.
    customer, month, mrr : str
        Column names.

    Returns
    -------
    DataFrame
        One row per month from the data's second: ``month``, ``n`` (customers at the end of last
        month), ``churned`` (customers lost), ``value``, ``low``, ``high`` (customer churn %, Wilson),
        ``mrr_start``, ``gross``, ``gross_low``, ``gross_high``, ``net``, ``net_low``, ``net_high``
        (revenue churn %, see :func:`revenue_churn`), ``nrr`` (100 − net) and ``small_n``.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": list("abab"), "month": ["2026-09"] * 2 + ["2026-10", "2026-11"],
    ...                      "mrr": [10, 30, 10, 5]})
    >>> churn_by_month(subs, min_n=1)[["month", "n", "churned", "value", "gross"]]
         month  n  churned  value  gross
    0  2026-10  2        1   50.0   75.0
    1  2026-11  1        1  100.0  100.0
    """
    P = _panel(subscriptions, customer, month, mrr)
    rows = []
    for j in range(1, len(P.months)):
        c = _customer_counts(P, j - 1, j)
        _, start, _, gross, net, cohort, _, _, _ = _revenue(P, j - 1, j, reactivation=True,
                                                           ignore_same_period=False, level=level)
        rows.append([P.months[j], c["start"], c["lost"], start, *gross, *net, cohort[0]])
    out = pd.DataFrame(rows, columns=["month", "n", "churned", "mrr_start", "gross", "gross_low", "gross_high",
                                      "net", "net_low", "net_high", "cohort_net"])
    n, x = out["n"].to_numpy(float), out["churned"].to_numpy(float)
    low, high = S.proportion_interval(x, n, level=level)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(n > 0, 100 * x / n, np.nan)
    out.insert(3, "value", value)
    out.insert(4, "low", low)
    out.insert(5, "high", high)
    out["nrr"] = 100 - out.pop("cohort_net")  # the start cohort's: a returning customer is not in it
    out["small_n"] = S.small_n(n, min_n)
    return out


def churn_by(df: pd.DataFrame, by: str | list[str] | None = None, *, churned: str = "churned",
             level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Share of customers who churned, per group, with Wilson intervals (e.g. by NPS group).

    Parameters
    ----------
    df : DataFrame
        One row per customer at risk, with a boolean ``churned`` column.
    by : str or list of str, optional
        Grouping column(s); ``None`` for one overall row. Missing group values form their own group.
    churned : str
        The boolean outcome column (missing values are not allowed).
    level, min_n
        Confidence level; groups with fewer than ``min_n`` customers are flagged ``small_n``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``churned``, ``value`` (%), ``low``, ``high`` (Wilson), ``small_n``.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "a", "b"], "churned": [True, False, False, True]})
    >>> churn_by(df, "g", min_n=2)[["g", "n", "churned", "value", "small_n"]].round(1)
       g  n  churned  value  small_n
    0  a  3        1   33.3    False
    1  b  1        1  100.0     True
    """
    _need(df, churned, *([] if by is None else [by] if isinstance(by, str) else by))
    y = df[churned]
    if y.isna().any():
        raise ValueError(f"column {churned!r} has {int(y.isna().sum())} missing values; churned is True or False "
                         "for every customer at risk")
    work = df.assign(_y=y.astype(bool).astype(np.int64))
    if by is None:
        out = pd.DataFrame({"n": [len(work)], "churned": [int(work["_y"].sum())]})
    else:
        keys = [by] if isinstance(by, str) else list(by)
        out = work.groupby(keys, dropna=False, sort=True, observed=True)["_y"].agg(n="size", churned="sum")
        out = out.reset_index()
    n, x = out["n"].to_numpy(float), out["churned"].to_numpy(float)
    out["value"] = np.where(n > 0, 100 * x / np.maximum(n, 1), np.nan)
    out["low"], out["high"] = S.proportion_interval(x, n, level=level)
    out["small_n"] = S.small_n(n, min_n)
    return out


def churned_within(events: pd.DataFrame, subscriptions: pd.DataFrame, months: int, *, at: str = "month",
                   customer: str = "customer_id", month: str = "month") -> pd.DataFrame:
    """Whether the customer behind each event (an answer, a ticket) had left within ``months`` months of it.

    Step 1 of a churn *after* something (article 001's chain: a CSAT answer, then churn within six
    months); :func:`churn_by` or a rate table gives the share per group.

    Parameters
    ----------
    events : DataFrame
        One row per event, with the customer and the event's month.
    subscriptions : DataFrame
        One row per subscribed customer-month (only ``customer`` and ``month`` are read).
    months : int
        The follow-up, in months (>= 1).
    at : str
        The events' month column (Periods, ``YYYY-MM`` text, dates or timestamps; timestamps in
        the business time zone, whose wall-clock month is taken).
    customer, month : str
        Column names of the customer (in both tables) and of the subscriptions' month.

    Returns
    -------
    DataFrame
        The events whose follow-up is complete — their month at least ``months`` months before the
        last month of ``subscriptions`` — in their order, with ``churned`` (nullable boolean):
        ``True`` when the customer's last subscribed month comes before the event's month +
        ``months`` (not subscribed then, and not again later in the data), ``False`` otherwise;
        missing for a customer with no subscription at all (a rate table counts it as excluded).
        Later events are left out: their follow-up is not over.

    Notes
    -----
    With the event in month *m*, the customer churned within *k* months when they hold no
    subscription in month *m + k* or after it. A customer who pauses and comes back within the
    data did not churn.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c"],
    ...                      "month": ["2026-01", "2026-02", "2026-05", "2026-01", "2026-05"]})
    >>> ev = pd.DataFrame({"customer_id": ["a", "b", "x", "c", "a"],
    ...                    "month": ["2026-01", "2026-01", "2026-02", "2026-02", "2026-04"]})
    >>> churned_within(ev, subs, 2)
      customer_id    month  churned
    0           a  2026-01    False
    1           b  2026-01     True
    2           x  2026-02     <NA>
    3           c  2026-02    False
    """
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ValueError(f"months is the follow-up in whole months >= 1 (e.g. 6); got {months!r}")
    _need(events, customer, at)
    _need(subscriptions, customer, month)
    sub_months = _as_months(subscriptions[month], month)
    last = pd.Series(sub_months.to_numpy(), index=subscriptions.index).groupby(subscriptions[customer]).max()
    m = _as_months(events[at], at)
    end = sub_months.max()
    keep = (m.notna() & (m <= end - months)).to_numpy(dtype=bool) if pd.notna(end) else np.zeros(len(m), bool)
    out = events[keep].copy()
    lasts = out[customer].map(last)
    known = lasts.notna().to_numpy()
    gone = np.zeros(len(out), bool)
    gone[known] = (lasts[known] < m[keep][known] + months).to_numpy(dtype=bool)
    out["churned"] = pd.array(np.where(known, gone, None), dtype="boolean")
    return out


def compare(a, b, *, level: float = 0.95) -> S.Difference:
    """Difference ``a − b`` of two churn rates in points, with its Newcombe interval and p-value.

    Parameters
    ----------
    a, b : CustomerChurn or row
        Anything with ``churned`` and ``n`` (a :class:`CustomerChurn`, a row of :func:`churn_by` or
        :func:`churn_by_month`).
    level : float
        Confidence level.

    Returns
    -------
    csa.stats.Difference
        ``diff`` (points), ``low``, ``high``, ``statistic``, ``p_value``.

    Notes
    -----
    :func:`csa.stats.diff_proportions` (Newcombe's hybrid score interval, pooled z-test). It
    treats the two rates as independent samples: right for two groups of customers, an
    approximation for two months of the same customer base (a customer at risk in both months
    can churn in only one of them).

    Examples
    --------
    >>> d = compare({"churned": 30, "n": 100}, {"churned": 10, "n": 100})
    >>> round(d.diff, 1), round(d.low, 1), round(d.high, 1), round(d.p_value, 4)
    (20.0, 9.0, 30.6, 0.0004)
    """
    get = (lambda r, k: getattr(r, k)) if hasattr(a, "churned") and not hasattr(a, "get") else \
        (lambda r, k: r[k])
    return S.diff_proportions(get(a, "churned"), get(a, "n"), get(b, "churned"), get(b, "n"), level=level)


# ----------------------------------------------------------------------------------- vendors

#: the definitions :func:`reconcile` compares, with their sources
DEFINITIONS = {
    "seed": "Article 002: customers lost ÷ customers at the end of last month; revenue lost (cancellations "
            "and downgrades) ÷ last month's MRR. Read literally on a longer period: every customer lost in it",
    "chartmogul": "ChartMogul Standard (B2B): churned ÷ customers at the start, joined-and-left excluded; gross "
                  "= (churn + contraction) ÷ start MRR; net also − expansion − reactivation",
    "baremetrics": "Baremetrics: cancelled (joined-and-left included) ÷ customers at the start; net revenue churn "
                   "= (churn + contraction − expansion) ÷ start MRR, reactivation not subtracted; NRR = 100 − net",
    "profitwell": "ProfitWell: customers who join and churn in the same period are ignored entirely, their new "
                  "and churned MRR too; churn counted at the end of the paid term",
    "stripe": "Stripe Billing: churned (joined-and-left included) ÷ (customers at the start + new customers)",
    "shopify": "ChartMogul Shopify (B2C): the per-day rates added up over the period; on monthly data, the "
               "monthly rates added up",
}


def reconcile(subscriptions: pd.DataFrame, period, *, level: float = 0.95, customer: str = "customer_id",
              month: str = "month", mrr: str = "mrr") -> pd.DataFrame:
    """The same period under each vendor's definition of churn, side by side.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month.
    period : str or pandas.Period
        Usually a quarter (``"2026Q3"``): on a single month most definitions agree.
    level : float
        Confidence level of the customer-churn intervals.
    customer, month, mrr : str
        Column names.

    Returns
    -------
    DataFrame
        One row per definition (``definition``: the keys of :data:`DEFINITIONS`): ``n``
        (denominator, customers), ``churned`` (numerator), ``customer_churn`` (%), ``low``, ``high``
        (Wilson; missing when the ratio is not a proportion), ``gross`` and ``net`` (revenue churn, %)
        and ``nrr`` (%); missing where the definition has none (Stripe's documentation defines a
        customer rate only; article 002 defines no net rate).

    Notes
    -----
    On monthly data a definition's per-day detail (the Shopify formula adds up daily rates) is
    applied per month. The seed's formula is monthly; on a longer period it is read literally —
    every customer lost in the period over the customers at its start — which is Baremetrics'
    rule. Reactivation MRR only separates ChartMogul's net rate from Baremetrics' when customers
    came back.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c"],
    ...                      "month": ["2026-06", "2026-07", "2026-08", "2026-06", "2026-07", "2026-08"],
    ...                      "mrr": [10, 10, 10, 10, 10, 10]})
    >>> t = reconcile(subs, "2026Q3")  # b leaves in July; c joins in July and stays
    >>> t[["definition", "n", "churned", "customer_churn"]].round(1).head(5)
        definition  n  churned  customer_churn
    0         seed  2        1            50.0
    1   chartmogul  2        1            50.0
    2  baremetrics  2        1            50.0
    3   profitwell  2        1            50.0
    4       stripe  3        1            33.3
    """
    P = _panel(subscriptions, customer, month, mrr)
    s, e, _ = _range(P, period)
    c = _customer_counts(P, s, e)
    rev = {key: _revenue(P, s, e, reactivation=key != "baremetrics", ignore_same_period=key == "profitwell",
                         level=level) for key in ("chartmogul", "baremetrics", "profitwell")}
    rules = {"seed": "include", "chartmogul": "exclude", "baremetrics": "include", "profitwell": "ignore",
             "stripe": "both"}
    rows = []
    for key, rule in rules.items():
        x, n, _ = _customer_rate(c, rule)
        r = rev["baremetrics" if key in ("seed", "baremetrics") else "profitwell" if key == "profitwell"
                else "chartmogul"]
        est = S.proportion(min(x, n), n, level=level)
        proper = rule != "include" or x <= c["lost"]
        gross = r[3][0] if key != "stripe" else np.nan  # Stripe's documentation defines the customer rate only
        net = r[4][0] if key not in ("stripe", "seed") else np.nan  # the seed defines no net rate
        nrr = 100 - r[5][0] if key not in ("stripe", "seed") else np.nan  # the start cohort's, without returns
        rows.append([key, n, x, 100 * x / n if n else np.nan, est.low if proper else np.nan,
                     est.high if proper else np.nan, gross, net, nrr])
    # Shopify/B2C: the seed's monthly rates added up over the months of the period
    monthly = [_customer_counts(P, j - 1, j) for j in range(s + 1, e + 1)]
    rev_m = [_revenue(P, j - 1, j, reactivation=True, ignore_same_period=False, level=level) for j in range(s + 1,
                                                                                                        e + 1)]
    rows.append(["shopify", sum(m["start"] for m in monthly), sum(m["lost"] for m in monthly),
                 sum(100 * m["lost"] / m["start"] for m in monthly if m["start"]), np.nan, np.nan,
                 sum(r[3][0] for r in rev_m), sum(r[4][0] for r in rev_m), 100 - sum(r[5][0] for r in rev_m)])
    return pd.DataFrame(rows, columns=["definition", "n", "churned", "customer_churn", "low", "high", "gross", "net",
                                       "nrr"])


def same_period_customers(subscriptions: pd.DataFrame, period, *, customer: str = "customer_id",
                          month: str = "month", mrr: str = "mrr") -> pd.DataFrame:
    """The rows that make the definitions differ: customers who joined inside the period, and reactivations.

    Parameters
    ----------
    subscriptions, period, customer, month, mrr
        As in :func:`reconcile`, whose definitions these rows tell apart.

    Returns
    -------
    DataFrame
        One row per customer not subscribed at the start who subscribed during the period:
        ``customer`` column, ``first_month`` and ``last_month`` inside the period, ``months``,
        ``mrr`` (their last MRR in the period), ``gone`` (not subscribed at the period's end: a
        joined-and-left customer, the rows the definitions treat differently) and ``returning``
        (subscribed before the period: a reactivation, not new business). Gone customers first.

    Examples
    --------
    >>> subs = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c", "c"], "mrr": [10, 10, 20, 20, 5, 5],
    ...                      "month": ["2026-05", "2026-06", "2026-07", "2026-08", "2026-05", "2026-09"]})
    >>> same_period_customers(subs, "2026Q3")[["customer_id", "months", "gone", "returning"]]
      customer_id  months   gone  returning
    0           b       2   True      False
    1           c       1  False       True
    """
    P = _panel(subscriptions, customer, month, mrr)
    s, e, _ = _range(P, period)
    act = P.active
    window = act[:, s + 1:e + 1]
    joined = ~act[:, s] & window.any(axis=1)
    idx = np.flatnonzero(joined)
    w = window[idx]
    f = np.argmax(w, axis=1)
    lst = w.shape[1] - 1 - np.argmax(w[:, ::-1], axis=1)
    first_seen = _first_seen(P)[idx]
    out = pd.DataFrame({
        customer: P.customers[idx], "first_month": P.months[s + 1 + f], "last_month": P.months[s + 1 + lst],
        "months": w.sum(axis=1), "mrr": P.mrr[idx, s + 1 + lst], "gone": ~act[idx, e],
        "returning": first_seen < s + 1,
    })
    return out.sort_values(["gone", "first_month", customer], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)
