"""LTV (Customer Lifetime Value, 顧客生涯価値) and segmentation by LTV tier.

Definition (source article 002)::

    LTV = average purchase amount × gross margin × purchases per year × years retained

and customers are segmented by LTV into **tiers**: high (one-to-one, "high touch": a dedicated
CSM, regular meetings), mid (one-to-many: workshops, seminars) and low (tech touch: email, help
centre, chatbots, videos). Here "years retained" comes from observed churn, ``1 ÷ annual churn``
with a cap, never from hope.

Every function is pure, with column names as keyword arguments whose defaults are the canonical
names. The steps are kept apart as in every metric module:

1. **aggregation**: :func:`split_orders`, :func:`churn_counts`, :func:`order_sums` and
   :func:`subscription_status` (per-customer counts and sums, which any engine can produce: the
   catalogue's ``ltv`` aggregates them on DuckDB or Spark), :func:`tier_migration`, :func:`mrr_trend`;
2. **statistics**: :func:`ltv_from_sums` (the formula on those per-customer sums; with the steps
   before it, :func:`customer_ltv`), :func:`churn_stats` (intervals through :mod:`csa.stats`),
   :func:`value_by_group` (bootstrap intervals for the mean of a skewed quantity, :func:`bootstrap_mean`),
   :func:`top_share` and :func:`share_of_value` (the one share of value),
   :func:`mean_by_group`, :func:`churn_by_tier`, :func:`concentration`, :func:`ltv_tiers`,
   :func:`cost_to_serve`, :func:`product_of_averages`.

The formula calls :func:`ltv` and :func:`ltv_from_churn` work on numbers or arrays.

Churn here is deliberately simple (monthly churn per plan or segment from ``subscriptions``,
pooled over a trailing window, annualised). When :mod:`csa.metrics.churn` lands, the churn
notebook's definitions should replace :func:`churn_counts` / :func:`churn_stats`.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import stats as S

__all__ = [
    "TIERS",
    "Tiers",
    "annual_churn",
    "bootstrap_mean",
    "churn_by_tier",
    "churn_counts",
    "churn_sensitivity",
    "churn_stats",
    "concentration",
    "cost_to_serve",
    "customer_ltv",
    "lorenz_curve",
    "ltv",
    "ltv_curve",
    "ltv_from_churn",
    "ltv_from_sums",
    "ltv_tiers",
    "mean_by_group",
    "mrr_trend",
    "order_sums",
    "product_of_averages",
    "share_of_value",
    "split_orders",
    "subscription_status",
    "tier_costs",
    "tier_migration",
    "tier_trend",
    "top_share",
    "value_by_group",
    "years_retained",
]

#: tier names, best first
TIERS = ("high", "mid", "low")


# ------------------------------------------------------------------------------- helpers

def _need(df: pd.DataFrame, what: str, *cols: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise KeyError(f"{what}: column(s) {missing} not found; the columns are: "
                       f"{', '.join(map(str, df.columns))}. Pass the right names as keyword arguments "
                       f"(e.g. amount='price')")


def _month(ts: pd.Series) -> pd.Series:
    """Calendar month of each timestamp, on its own wall clock (business time zone)."""
    if isinstance(ts.dtype, pd.PeriodDtype):
        return ts.dt.asfreq("M")
    ts = pd.to_datetime(ts)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return ts.dt.to_period("M")


def _as_month(value, default: pd.Period) -> pd.Period:
    """``value`` as a monthly Period: a Period, or text ``YYYY-MM`` only (never a guess such as "October")."""
    if value is None or (isinstance(value, str) and not value):
        return default
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value.strip()):
        return pd.Period(value.strip(), freq="M")
    raise ValueError(f"as_of must be a month such as '2026-10' (or a pandas Period); got {value!r}")


def _number(name: str, value, *, low: float = 0.0, high: float = math.inf, low_open: bool = False) -> float:
    ok = isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(value, bool)
    v = float(value) if ok else math.nan
    if not ok or not math.isfinite(v) or v > high or (v <= low if low_open else v < low):
        rng = f"{'>' if low_open else '>='} {low:g}" + ("" if high == math.inf else f" and <= {high:g}")
        raise ValueError(f"{name} must be a number {rng}; got {value!r}")
    return v


def _array(name: str, x, *, high: float = math.inf, hint: str = "") -> np.ndarray:
    """Finite numbers >= 0 (and <= high); NaN allowed (missing gives NaN)."""
    try:
        if isinstance(x, (pd.Series, pd.Index)):
            a = x.to_numpy(dtype=float, na_value=np.nan)
        elif isinstance(x, (str, bytes)):
            raise TypeError
        else:
            a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers; got {x!r:.80}") from None
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(a) & (np.isinf(a) | (a < 0) | (a > high))
    if bad.any():
        first = float(a.ravel()[np.flatnonzero(bad.ravel())[0]])
        rng = "finite and >= 0" + ("" if high == math.inf else f" and <= {high:g}")
        raise ValueError(f"{name} must be {rng}{hint}; got {first:g}")
    return a


def _out(a: np.ndarray, scalar: bool):
    return float(a) if scalar else a


# ------------------------------------------------------------------------------- the formulas

def ltv(avg_purchase, gross_margin, purchases_per_year, years):
    """The seed's LTV: average purchase × gross margin × purchases per year × years retained.

    Parameters
    ----------
    avg_purchase : float or array-like
        Average amount per purchase (JPY), >= 0.
    gross_margin : float or array-like
        Gross margin as a fraction, 0–1 (0.78, not 78).
    purchases_per_year : float or array-like
        Purchases per year, >= 0 (12 for a monthly invoice).
    years : float or array-like
        Years retained, finite and >= 0 (see :func:`years_retained`).

    Returns
    -------
    float or ndarray
        LTV in the currency of ``avg_purchase``: a float for scalar input, an array otherwise
        (positional, without a Series' index). Missing values give NaN.

    Raises
    ------
    ValueError
        A negative or infinite input, or a margin above 1 (a percentage given as 78).

    Notes
    -----
    Source article 002. ``avg_purchase × gross_margin × purchases_per_year`` is the gross profit
    a customer brings per year, so LTV = yearly gross profit × years retained. Without the margin
    the product is revenue, not value. Undiscounted, as in the article. An infinite ``years``
    (zero churn) is refused: cap it with :func:`years_retained`.

    Examples
    --------
    >>> ltv(50_000, 0.78, 12, 4)
    1872000.0
    >>> ltv([9_800, 198_000], [0.72, 0.82], 12, [2.5, 6.0]).round().tolist()
    [211680.0, 11689920.0]
    """
    a = _array("avg_purchase", avg_purchase)
    m = _array("gross_margin", gross_margin, high=1.0, hint=" (a fraction: 78 % is 0.78)")
    f = _array("purchases_per_year", purchases_per_year)
    y = _array("years", years, hint=" (infinite years come from zero churn: cap them with years_retained)")
    scalar = all(v.ndim == 0 for v in (a, m, f, y))
    try:
        out = a * m * f * y
    except ValueError:
        raise ValueError("the inputs must be scalars or arrays of the same length; got shapes "
                         f"{a.shape}, {m.shape}, {f.shape}, {y.shape}") from None
    return _out(out, scalar)


def ltv_from_churn(arpa, churn, *, gross_margin=1.0):
    """The subscription shortcut: LTV = ARPA × gross margin ÷ churn.

    Parameters
    ----------
    arpa : float or array-like
        Average revenue per account per period (e.g. monthly MRR per customer, JPY).
    churn : float or array-like
        Churn rate per the **same** period, as a fraction in (0, 1] (2 % a month is 0.02).
    gross_margin : float or array-like, default 1.0
        Gross margin as a fraction; the default 1.0 gives revenue LTV, not value.

    Returns
    -------
    float or ndarray
        LTV in the currency of ``arpa`` (NaN where an input is missing).

    Raises
    ------
    ValueError
        **At zero churn** (the lifetime ``1 ÷ churn`` is infinite): the error names the
        position and says what to do. We raise rather than return ``inf`` with a warning because
        one infinite customer makes every average, total and tier that follows infinite too,
        and warnings are easy to miss in a report. Also for churn above 1 (a percentage given
        as 2), negative values, or a margin outside 0–1.

    Notes
    -----
    ``1 ÷ churn`` is the expected number of periods a customer stays when a constant share
    ``churn`` leaves each period (geometric lifetime). ChartMogul computes LTV as ARPA ÷ the
    six-month trailing average of the monthly customer churn rate (revenue, without margin), and
    calculates no LTV when churn is zero (ChartMogul Help Center, "Chart: Customer Lifetime
    Value"). The shortcut explodes when churn is near zero: at
    0.1 % a month it assumes customers stay 83 years. For zero or tiny churn use
    :func:`years_retained` (1 ÷ annual churn with a cap) and :func:`ltv`.

    Examples
    --------
    >>> ltv_from_churn(50_000, 0.02, gross_margin=0.78)
    1950000.0
    >>> ltv_from_churn([9_800, 49_800], [0.035, 0.02]).round().tolist()
    [280000.0, 2490000.0]
    >>> ltv_from_churn(50_000, 0.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: churn is 0 (at position 0): ARPA ÷ churn is infinite. Cap the lifetime instead: ...
    """
    a = _array("arpa", arpa)
    c = _array("churn", churn, high=1.0, hint=" (a fraction per period: 2 % is 0.02)")
    m = _array("gross_margin", gross_margin, high=1.0, hint=" (a fraction: 78 % is 0.78)")
    zero = c == 0
    if zero.any():
        pos = int(np.flatnonzero(zero.ravel())[0])
        raise ValueError(f"churn is 0 (at position {pos}): ARPA ÷ churn is infinite. Cap the lifetime instead: "
                         "ltv(arpa, margin, 12, years_retained(annual_churn, cap=5)), or pool more months or "
                         "customers so that some churn is observed")
    scalar = all(v.ndim == 0 for v in (a, c, m))
    try:
        with np.errstate(invalid="ignore"):
            out = a * m / c
    except ValueError:
        raise ValueError(f"the inputs must be scalars or arrays of the same length; got shapes {a.shape}, "
                         f"{c.shape}, {m.shape}") from None
    return _out(out, scalar)


def annual_churn(monthly):
    """Annual churn from a constant monthly churn: ``1 − (1 − monthly)¹²``.

    Parameters
    ----------
    monthly : float or array-like
        Monthly churn as a fraction, 0–1.

    Returns
    -------
    float or ndarray
        Annual churn as a fraction (NaN where missing).

    Notes
    -----
    A customer stays a year only by staying twelve months in a row, each with probability
    ``1 − monthly``. ``12 × monthly`` overstates it (24 % instead of 21.5 % at 2 % a month).

    Examples
    --------
    >>> round(annual_churn(0.02), 4)
    0.2153
    """
    m = _array("monthly", monthly, high=1.0, hint=" (a fraction: 2 % is 0.02)")
    return _out(1 - (1 - m) ** 12, m.ndim == 0)


def years_retained(annual, *, cap: float = 5.0):
    """Years retained from annual churn: ``min(1 ÷ annual churn, cap)``; zero churn gives ``cap``.

    Parameters
    ----------
    annual : float or array-like
        Annual churn as a fraction, 0–1.
    cap : float, default 5.0
        Upper limit in years (> 0). Few SaaS plans have five years of history behind them;
        a longer lifetime is an extrapolation nobody has observed.

    Returns
    -------
    float or ndarray
        Years (NaN where ``annual`` is missing).

    Notes
    -----
    ``1 ÷ annual churn`` is the mean of a geometric lifetime counted in whole years (the year
    under way counts as one). Counted in months, ``1 ÷ monthly churn ÷ 12`` is about half a year
    shorter for small churn: at 2 % a month, 4.65 against 4.17 years. The issue that set up
    this handbook asks for the annual form; keep the difference in mind when comparing with the
    subscription shortcut :func:`ltv_from_churn`.

    Examples
    --------
    >>> years_retained([0.5, 0.2153, 0.1, 0.0]).round(2).tolist()
    [2.0, 4.64, 5.0, 5.0]
    """
    cap = _number("cap", cap, low_open=True)
    c = _array("annual", annual, high=1.0, hint=" (a fraction: 20 % is 0.2)")
    with np.errstate(divide="ignore"):
        y = np.where(c > 0, np.minimum(1 / np.where(c > 0, c, 1.0), cap), cap)
    y = np.where(np.isnan(c), np.nan, y)
    return _out(y, c.ndim == 0)


# ------------------------------------------------------------------------------- orders and churn

def split_orders(orders: pd.DataFrame, subscriptions: pd.DataFrame, *, customer: str = "customer_id",
                 ordered_at: str = "ordered_at", amount: str = "amount", month: str = "month",
                 mrr: str = "mrr") -> pd.Series:
    """Which orders are the monthly subscription invoice and which are one-off purchases.

    Parameters
    ----------
    orders : DataFrame
        One row per order.
    subscriptions : DataFrame
        One row per subscribed customer-month, with its MRR.
    customer, ordered_at, amount, month, mrr : str
        Column names.

    Returns
    -------
    Series of str
        ``"invoice"`` or ``"one_off"``, aligned with ``orders``' index.

    Notes
    -----
    The data model has no order type. An order is the month's **invoice** when the customer is
    subscribed in the order's month and the amount equals that month's MRR; in a month with
    several such orders only the earliest is the invoice. Every other order is a **one-off**
    purchase (options, training). On the sample this finds exactly one invoice per subscribed
    month.

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "a"], "amount": [100.0, 100.0, 30.0],
    ...                   "ordered_at": pd.to_datetime(["2026-01-01", "2026-01-15", "2026-02-03"])})
    >>> s = pd.DataFrame({"customer_id": ["a", "a"], "month": pd.PeriodIndex(["2026-01", "2026-02"], freq="M"),
    ...                   "mrr": [100.0, 100.0]})
    >>> split_orders(o, s).tolist()
    ['invoice', 'one_off', 'one_off']
    """
    _need(orders, "orders", customer, ordered_at, amount)
    _need(subscriptions, "subscriptions", customer, month, mrr)
    o = pd.DataFrame({"c": orders[customer].array, "m": _month(orders[ordered_at]).array,
                      "a": orders[amount].to_numpy(dtype=float), "t": orders[ordered_at].array,
                      "pos": np.arange(len(orders))})
    s = pd.DataFrame({"c": subscriptions[customer].array, "m": _month(subscriptions[month]).array,
                      "mrr": subscriptions[mrr].to_numpy(dtype=float)}).drop_duplicates(["c", "m"])
    j = o.merge(s, on=["c", "m"], how="left")
    cand = j[j["a"] == j["mrr"]].sort_values(["t", "pos"], kind="stable").drop_duplicates(["c", "m"])
    kind = np.full(len(orders), "one_off", dtype=object)
    kind[cand["pos"].to_numpy()] = "invoice"
    return pd.Series(kind, index=orders.index, name="kind")


def _groups(subscriptions: pd.DataFrame, customers: pd.DataFrame | None, by,
            customer: str) -> tuple[pd.DataFrame, list]:
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if not keys:
        return subscriptions, keys
    if all(k in subscriptions.columns for k in keys):
        return subscriptions, keys
    if customers is None:
        raise ValueError(f"group column(s) {keys} are not in subscriptions: pass customers= (the table with "
                         f"{', '.join(keys)}) or by=None for one overall churn")
    _need(customers, "customers", customer, *keys)
    sub = subscriptions.merge(customers[[customer, *keys]].drop_duplicates(customer), on=customer, how="left",
                              validate="many_to_one")
    return sub, keys


def churn_counts(subscriptions: pd.DataFrame, by: str | list[str] | None = None, *,
                 customers: pd.DataFrame | None = None, as_of=None, months: int = 12,
                 customer: str = "customer_id", month: str = "month") -> pd.DataFrame:
    """Step 1 of churn: customers at risk and customers lost, month by month, summed per group.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month.
    by : str or list of str, optional
        Group column(s), in ``subscriptions`` or in ``customers`` (e.g. ``"plan"``); ``None``
        for one overall row.
    customers : DataFrame, optional
        Customer attributes, needed when ``by`` is not a column of ``subscriptions``.
    as_of : str or Period, optional
        Last month counted (default: the data's last month, never today's date).
    months : int, default 12
        Length of the trailing window: the months ``as_of − months + 1 … as_of`` whose previous
        month is in the data.
    customer, month : str
        Column names.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``months`` (months counted), ``at_risk`` (customer-months: customers
        subscribed at the end of the previous month, summed over the months) and ``churned``
        (those of them not subscribed in the month). ``at_risk`` and ``churned`` are counts, as
        every engine can produce them.

    Notes
    -----
    Article 002: customer churn rate = customers lost this month ÷ customers at the end of last
    month. Pooled over the window: Σ lost ÷ Σ at risk, the monthly rate a constant hazard would
    give (more stable than the average of twelve monthly rates). A customer who comes back
    after a gap counts as lost, then as new. The group of a customer is its current attribute.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": list("aabbbc"),
    ...                   "month": pd.PeriodIndex(["2026-01", "2026-02", "2026-01", "2026-02", "2026-03",
    ...                                            "2026-01"], freq="M")})
    >>> churn_counts(s, months=2)
       months  at_risk  churned
    0       2        5        2
    """
    _need(subscriptions, "subscriptions", customer, month)
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ValueError(f"months must be a whole number >= 1 (e.g. 12); got {months!r}")
    sub, keys = _groups(subscriptions, customers, by, customer)
    m = _month(sub[month])
    if m.empty:
        raise ValueError("subscriptions is empty: churn cannot be computed")
    end = _as_month(as_of, m.max())
    first = max(end - months + 1, m.min() + 1)
    frame = pd.DataFrame({"c": sub[customer].array, "m": m.array})  # .array: no Period objects
    for k in keys:
        frame[k] = sub[k].to_numpy()
    frame = frame.drop_duplicates(["c", "m"])
    prev = frame[(frame["m"] >= first - 1) & (frame["m"] <= end - 1)]
    now = frame[["c", "m"]].assign(m=frame["m"] - 1, stay=True)
    j = prev.merge(now, on=["c", "m"], how="left")
    j["lost"] = j["stay"].isna()
    n_months = max(int((end - first).n) + 1, 0)
    if keys:
        g = j.groupby(keys, sort=True, dropna=False).agg(at_risk=("c", "size"), churned=("lost", "sum")).reset_index()
    else:
        g = pd.DataFrame({"at_risk": [len(j)], "churned": [int(j["lost"].sum())]})
    g.insert(len(keys), "months", n_months)
    return g.astype({"at_risk": "int64", "churned": "int64"})


def churn_stats(counts: pd.DataFrame, *, level: float = 0.95, cap: float = 5.0, min_n: int = 30) -> pd.DataFrame:
    """Step 2 of churn: monthly and annual churn with a Wilson interval, and years retained.

    Parameters
    ----------
    counts : DataFrame
        From :func:`churn_counts`: ``at_risk`` and ``churned`` (group columns are kept).
    level : float, default 0.95
        Confidence level.
    cap : float, default 5.0
        Cap of years retained (see :func:`years_retained`).
    min_n : int, default 30
        Rows with fewer customer-months at risk are flagged ``small_n``.

    Returns
    -------
    DataFrame
        The input columns plus ``monthly_churn``, ``low``, ``high`` (percent; Wilson interval of
        the monthly rate), ``annual_churn`` (percent), ``years`` (``min(1 ÷ annual, cap)``),
        ``years_low``, ``years_high`` (years at the interval's high and low churn), ``capped``
        (years hit the cap) and ``small_n``.

    Examples
    --------
    >>> c = pd.DataFrame({"at_risk": [1000, 500], "churned": [20, 0]})
    >>> churn_stats(c)[["monthly_churn", "annual_churn", "years", "capped"]].round(2)
       monthly_churn  annual_churn  years  capped
    0            2.0         21.53   4.65   False
    1            0.0          0.00   5.00    True
    """
    _need(counts, "churn counts", "at_risk", "churned")
    out = counts.copy()
    n = out["at_risk"].to_numpy(dtype=float)
    x = out["churned"].to_numpy(dtype=float)
    iv = S.proportion_interval(x, n, level=level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, x / n, np.nan)
    out["monthly_churn"] = 100 * p
    out["low"], out["high"] = np.asarray(iv.low, float), np.asarray(iv.high, float)
    ann = annual_churn(p)
    out["annual_churn"] = 100 * ann
    out["years"] = years_retained(ann, cap=cap)
    out["years_low"] = years_retained(annual_churn(out["high"].to_numpy() / 100), cap=cap)
    out["years_high"] = years_retained(annual_churn(out["low"].to_numpy() / 100), cap=cap)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["capped"] = ~np.isnan(ann) & ((ann == 0) | (1 / np.where(ann > 0, ann, 1.0) >= cap))
    out["small_n"] = S.small_n(n, min_n)
    return out


# ------------------------------------------------------------------------------- LTV per customer

def order_sums(orders: pd.DataFrame, *, as_of=None, customer: str = "customer_id", ordered_at: str = "ordered_at",
               amount: str = "amount", margin: str = "gross_margin") -> pd.DataFrame:
    """Step 1 of LTV from the orders: one row per customer of the sums the formula needs, up to ``as_of``.

    Parameters
    ----------
    orders : DataFrame
        One row per order or invoice: customer, timestamp, amount (> 0), gross margin (0–1).
    as_of : str or Period, optional
        Last month counted (default: the orders' last month, never today's date).
    customer, ordered_at, amount, margin : str
        Column names.

    Returns
    -------
    DataFrame
        One row per customer with an order up to ``as_of``, sorted by customer: ``customer_id``,
        ``n_orders``, ``revenue`` (Σ amount), ``gross_profit`` (Σ amount × margin), ``first`` and
        ``last`` (month ordinals of the first and last order: months since 1970-01). Counts and
        sums only, as every engine can produce them (:class:`csa.kpi.kernels.LTV` does).

    Raises
    ------
    ValueError
        For amounts <= 0 or margins outside 0–1 (in any row of ``orders``).

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [100.0, 300.0, 50.0],
    ...                   "gross_margin": [0.5, 0.7, 0.8],
    ...                   "ordered_at": pd.to_datetime(["2026-01-05", "2026-02-05", "2026-02-20"])})
    >>> order_sums(o)
      customer_id  n_orders  revenue  gross_profit  first  last
    0           a         2    400.0         260.0    672   673
    1           b         1     50.0          40.0    673   673
    """
    _need(orders, "orders", customer, ordered_at, amount, margin)
    amt = orders[amount].to_numpy(dtype=float)
    mg = orders[margin].to_numpy(dtype=float)
    bad = ~(amt > 0) | ~((mg >= 0) & (mg <= 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"orders must have amount > 0 and gross margin 0–1 (a fraction: 78 % is 0.78); "
                         f"{int(bad.sum())} row(s) do not, e.g. amount {amt[i]:g}, margin {mg[i]:g}")
    om = _month(orders[ordered_at])
    end = _as_month(as_of, om.max())
    keep = (om <= end).to_numpy()
    o = pd.DataFrame({"c": orders[customer].array[keep], "m": om.array.asi8[keep], "a": amt[keep],
                      "gp": (amt * mg)[keep]})
    g = o.groupby("c", sort=True).agg(n_orders=("a", "size"), revenue=("a", "sum"), gross_profit=("gp", "sum"),
                                      first=("m", "min"), last=("m", "max"))
    return g.rename_axis(customer).reset_index()


def subscription_status(subscriptions: pd.DataFrame, *, as_of, customer: str = "customer_id",
                        month: str = "month") -> pd.DataFrame:
    """Step 1 of LTV from the subscriptions: each customer's last subscribed month up to ``as_of``, and whether
    they are subscribed in ``as_of``.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month.
    as_of : str or Period
        The month LTV is computed at.
    customer, month : str
        Column names.

    Returns
    -------
    DataFrame
        One row per customer subscribed in some month up to ``as_of``, sorted by customer:
        ``customer_id``, ``sub_last`` (month ordinal) and ``active`` (subscribed in ``as_of``).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                   "month": pd.PeriodIndex(["2026-01", "2026-02", "2026-01"], freq="M")})
    >>> subscription_status(s, as_of="2026-02")
      customer_id  sub_last  active
    0           a       673    True
    1           b       672   False
    """
    _need(subscriptions, "subscriptions", customer, month)
    sm = _month(subscriptions[month])
    end = _as_month(as_of, sm.max())
    s = pd.DataFrame({"c": subscriptions[customer].array, "m": sm.array.asi8})
    s = s[s["m"] <= end.ordinal]
    g = s.groupby("c", sort=True)["m"].max().rename("sub_last").to_frame()
    g["active"] = g["sub_last"] == end.ordinal
    return g.rename_axis(customer).reset_index()


def ltv_from_sums(sums: pd.DataFrame, *, as_of, status: pd.DataFrame | None = None, years=None,
                  churn: pd.DataFrame | None = None, overall: pd.DataFrame | None = None, by: str | None = None,
                  cap: float = 5.0, customer: str = "customer_id") -> pd.DataFrame:
    """Step 2 of LTV: the seed's four factors and LTV of each customer, from per-customer sums.

    Parameters
    ----------
    sums : DataFrame
        From :func:`order_sums` (or an engine's equivalent): ``customer_id``, ``n_orders``,
        ``revenue``, ``gross_profit``, ``first``, ``last`` (month ordinals); with ``by``, the
        customer's group column too.
    as_of : str or Period
        The month LTV is computed at.
    status : DataFrame, optional
        From :func:`subscription_status`: ``customer_id``, ``sub_last``, ``active``. Without it a
        customer is observed up to ``as_of`` and ``active`` is left out.
    years : float, dict or Series, optional
        Years retained, one number or per customer; default from ``churn``.
    churn : DataFrame, optional
        :func:`churn_counts` of the customers' ``by`` groups (or overall, without ``by``) over the
        trailing window: ``at_risk`` and ``churned``; years = ``min(1 ÷ annual churn, cap)``.
    overall : DataFrame, optional
        :func:`churn_counts` of everyone (one row): the churn of a customer whose group has none.
    by : str, optional
        The group column of ``sums`` and ``churn``.
    cap : float, default 5.0
        Cap of years retained.
    customer : str
        Column name.

    Returns
    -------
    DataFrame
        As :func:`customer_ltv`.

    Examples
    --------
    >>> sums = pd.DataFrame({"customer_id": ["a", "b"], "n_orders": [2, 1], "revenue": [400.0, 50.0],
    ...                      "gross_profit": [260.0, 40.0], "first": [672, 673], "last": [673, 673]})
    >>> ltv_from_sums(sums, as_of="2026-02", years=2)[["customer_id", "months", "purchases_per_year", "ltv"]]
      customer_id  months  purchases_per_year     ltv
    0           a       2                12.0  3120.0
    1           b       1                12.0   960.0
    """
    end = _as_month(as_of, None)
    if end is None:
        raise ValueError("ltv_from_sums needs as_of= (the month LTV is computed at)")
    _need(sums, "per-customer sums", customer, "n_orders", "revenue", "gross_profit", "first", "last",
          *([by] if by else []))
    if years is None and churn is None:
        raise ValueError("ltv_from_sums needs years retained: pass years= or churn= (churn_counts)")
    g = sums.sort_values(customer, kind="stable").reset_index(drop=True)
    last = g["last"].to_numpy(dtype=float)
    active = None
    if status is not None:
        st = status.set_index(customer).reindex(g[customer])
        s_last = st["sub_last"].to_numpy(dtype=float)
        active = st["active"].eq(True).to_numpy()
        last = np.fmax(last, s_last)
        last = np.where(active, float(end.ordinal), last)
    else:
        last = np.full(len(g), float(end.ordinal))
    months = last - g["first"].to_numpy(dtype=float) + 1
    out = pd.DataFrame({customer: g[customer].to_numpy()})
    if years is None and by is not None:
        out[by] = g[by].to_numpy()
    out["n_orders"] = g["n_orders"].to_numpy()
    out["revenue"] = g["revenue"].to_numpy(dtype=float)
    out["gross_profit"] = g["gross_profit"].to_numpy(dtype=float)
    out["months"] = months.astype("int64")
    out["avg_purchase"] = out["revenue"] / out["n_orders"]
    out["gross_margin"] = out["gross_profit"] / out["revenue"]
    out["purchases_per_year"] = out["n_orders"] / months * 12
    if active is not None:
        out["active"] = active
    if years is None:
        st = churn_stats(churn, cap=cap)
        if by is None:
            out["annual_churn"] = float(st["annual_churn"].iloc[0])
            out["years"] = float(st["years"].iloc[0])
        else:
            table = st.set_index(by)
            out["annual_churn"] = out[by].map(table["annual_churn"]).astype(float)
            out["years"] = out[by].map(table["years"]).astype(float)
            # a group without churn data (no customer-months at risk) gets the overall churn
            if out["years"].isna().any() and overall is not None:
                every = churn_stats(overall, cap=cap).iloc[0]
                miss = out["years"].isna()
                out.loc[miss, "annual_churn"] = float(every["annual_churn"])
                out.loc[miss, "years"] = float(every["years"])
    elif isinstance(years, (dict, pd.Series)):
        y = pd.Series(years, dtype=float).reindex(out[customer])
        if y.isna().any():
            raise ValueError(f"years has no value for {int(y.isna().sum())} customer(s), e.g. "
                             f"{y.index[y.isna()][0]!r}; give one per customer or a single number")
        out["years"] = y.to_numpy()
    else:
        out["years"] = _number("years", years)
    out["ltv"] = ltv(out["avg_purchase"], out["gross_margin"], out["purchases_per_year"], out["years"])
    return out


def customer_ltv(orders: pd.DataFrame, subscriptions: pd.DataFrame | None = None, *, years=None, as_of=None,
                 customers: pd.DataFrame | None = None, by: str | None = "plan", cap: float = 5.0,
                 churn_months: int = 12, customer: str = "customer_id", ordered_at: str = "ordered_at",
                 amount: str = "amount", margin: str = "gross_margin", month: str = "month") -> pd.DataFrame:
    """One row per customer: the seed's four factors, LTV, and the revenue and margin observed to date.

    Parameters
    ----------
    orders : DataFrame
        One row per order or invoice: customer, timestamp, amount (> 0), gross margin (0–1).
    subscriptions : DataFrame, optional
        One row per subscribed customer-month. Gives ``active`` and, when ``years`` is not
        given, the churn behind ``years``.
    years : float, dict or Series, optional
        Years retained: one number for everyone, or per customer (a Series or dict indexed by
        customer id). Default: from the monthly churn of the customer's ``by`` group over the
        ``churn_months`` months up to ``as_of`` (:func:`churn_counts`, :func:`churn_stats`),
        ``min(1 ÷ annual churn, cap)``.
    as_of : str or Period, optional
        Last month counted (default: the orders' last month, never today's date). Orders and
        subscriptions after it are ignored.
    customers : DataFrame, optional
        Customer attributes; needed when ``by`` names one of its columns.
    by : str or None, default "plan"
        Group whose churn gives a customer's years (``"plan"``, ``"segment"``; ``None``: one
        churn for all). Ignored when ``years`` is given.
    cap : float, default 5.0
        Cap of years retained.
    churn_months : int, default 12
        Trailing window of the churn estimate, in months.
    customer, ordered_at, amount, margin, month : str
        Column names.

    Returns
    -------
    DataFrame
        One row per customer with at least one order up to ``as_of``, sorted by customer:
        ``customer_id``, the ``by`` column (when used), ``n_orders``, ``revenue`` (Σ amount),
        ``gross_profit`` (Σ amount × margin), ``months`` (months observed: from the first order's
        month to ``as_of``, or to the last subscribed or ordering month for a customer who
        left), ``avg_purchase`` (revenue ÷ n_orders), ``gross_margin`` (gross_profit ÷ revenue:
        revenue-weighted), ``purchases_per_year`` (n_orders ÷ months × 12), ``active`` (subscribed
        in ``as_of``; only with ``subscriptions``), ``annual_churn`` (percent, when estimated),
        ``years`` and ``ltv`` (:func:`ltv` of the four factors).

    Raises
    ------
    ValueError
        Without ``years`` and without ``subscriptions`` (nothing to say how long customers
        stay), for amounts <= 0 or margins outside 0–1, or for a customer without a years value.

    Notes
    -----
    Source article 002. The four factors multiply to ``gross_profit ÷ months × 12 × years``:
    the gross profit a customer brings per year of observation, times the years they are
    expected to stay. Months are whole calendar months so that a customer seen for two days is
    not credited with 180 purchases a year. Undiscounted.

    The two steps are :func:`order_sums` and :func:`subscription_status` (per-customer counts and
    sums, which an engine can produce: :class:`csa.kpi.kernels.LTV`), :func:`churn_counts`, then
    :func:`ltv_from_sums` (the formula).

    Examples
    --------
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [100.0, 300.0, 50.0],
    ...                   "gross_margin": [0.5, 0.7, 0.8],
    ...                   "ordered_at": pd.to_datetime(["2026-01-05", "2026-02-05", "2026-02-20"])})
    >>> customer_ltv(o, years=2)[["customer_id", "avg_purchase", "gross_margin", "purchases_per_year", "ltv"]]
      customer_id  avg_purchase  gross_margin  purchases_per_year     ltv
    0           a         200.0          0.65                12.0  3120.0
    1           b          50.0          0.80                12.0   960.0
    """
    _need(orders, "orders", customer, ordered_at, amount, margin)
    if years is None and subscriptions is None:
        raise ValueError("customer_ltv needs years retained: pass years= (e.g. years=3) or subscriptions= to "
                         "estimate them from churn")
    end = _as_month(as_of, _month(orders[ordered_at]).max())
    sums = order_sums(orders, as_of=end, customer=customer, ordered_at=ordered_at, amount=amount, margin=margin)
    status = churn = overall = None
    if subscriptions is not None:
        status = subscription_status(subscriptions, as_of=end, customer=customer, month=month)
    group_col = None
    if years is None and by is not None:
        if customers is None:
            raise ValueError(f"by={by!r} needs customers= (the table with the {by!r} column), or by=None")
        _need(customers, "customers", customer, by)
        grp = customers.drop_duplicates(customer).set_index(customer)[by]
        sums[by] = grp.reindex(sums[customer]).to_numpy()
        group_col = by
    if years is None:
        churn = churn_counts(subscriptions, group_col, customers=customers, as_of=end, months=churn_months,
                             customer=customer, month=month)
        if group_col is not None:
            overall = churn_counts(subscriptions, None, as_of=end, months=churn_months, customer=customer,
                                   month=month)
    return ltv_from_sums(sums, as_of=end, status=status, years=years, churn=churn, overall=overall, by=group_col,
                         cap=cap, customer=customer)


def ltv_curve(annual_profit: float, monthly_churn, *, cap: float = 5.0) -> pd.DataFrame:
    """LTV of one yearly gross profit under a range of monthly churn rates, three ways.

    Parameters
    ----------
    annual_profit : float
        Gross profit per customer per year (JPY), e.g. the average of ``gross_profit ÷ months × 12``.
    monthly_churn : array-like
        Monthly churn rates as fractions in (0, 1].
    cap : float, default 5.0
        Cap of years retained.

    Returns
    -------
    DataFrame
        ``monthly_churn`` (percent), ``years`` (``min(1 ÷ annual churn, cap)``), ``years_uncapped``
        (``1 ÷ annual churn``), ``years_shortcut`` (``1 ÷ monthly churn ÷ 12``, the subscription
        shortcut) and ``ltv``, ``ltv_uncapped``, ``ltv_shortcut`` (annual profit × those years).

    Examples
    --------
    >>> ltv_curve(100.0, [0.01, 0.05])[["monthly_churn", "ltv", "ltv_uncapped", "ltv_shortcut"]].round(1)
       monthly_churn    ltv  ltv_uncapped  ltv_shortcut
    0            1.0  500.0         880.2         833.3
    1            5.0  217.6         217.6         166.7
    """
    g = _number("annual_profit", annual_profit)
    m = _array("monthly_churn", monthly_churn, high=1.0, hint=" (a fraction: 2 % is 0.02)").ravel()
    if (m == 0).any():
        raise ValueError("monthly_churn must be > 0 here: at zero churn the uncapped lifetime is infinite")
    ann = annual_churn(m)
    out = pd.DataFrame({"monthly_churn": 100 * m, "years": years_retained(ann, cap=cap), "years_uncapped": 1 / ann,
                        "years_shortcut": 1 / m / 12})
    for c in ("", "_uncapped", "_shortcut"):
        out["ltv" + c] = g * out["years" + c]
    return out


def churn_sensitivity(df: pd.DataFrame, stats: pd.DataFrame, by: str | None = None, *,
                      gross_profit: str = "gross_profit", months: str = "months") -> pd.DataFrame:
    """Average LTV per group at the observed churn and at both ends of its interval.

    Parameters
    ----------
    df : DataFrame
        One row per customer (from :func:`customer_ltv`): ``gross_profit`` and ``months``.
    stats : DataFrame
        From :func:`churn_stats` with the same ``by`` column: ``years``, ``years_low``,
        ``years_high``.
    by : str, optional
        Group column; ``None`` when ``stats`` has one overall row.
    gross_profit, months : str
        Column names.

    Returns
    -------
    DataFrame
        The ``by`` column, ``n``, ``annual_profit`` (mean gross profit per year of observation),
        ``monthly_churn``, ``low``, ``high`` (percent), ``years``, ``ltv`` (mean LTV at the observed
        churn), ``ltv_low`` (at the interval's high churn), ``ltv_high`` (at its low churn).

    Notes
    -----
    LTV is proportional to years retained, so the churn interval carries straight into LTV:
    the range is what the churn estimate alone leaves open, before any other uncertainty.

    Examples
    --------
    >>> df = pd.DataFrame({"gross_profit": [1200.0, 2400.0], "months": [12, 12]})
    >>> st = churn_stats(pd.DataFrame({"at_risk": [1000], "churned": [20]}))
    >>> churn_sensitivity(df, st)[["n", "annual_profit", "years", "ltv", "ltv_low", "ltv_high"]].round(1)
       n  annual_profit  years     ltv  ltv_low  ltv_high
    0  2         1800.0    4.6  8361.1   5768.2    9000.0
    """
    _need(df, "churn_sensitivity", gross_profit, months, *([by] if by else []))
    _need(stats, "churn stats", "years", "years_low", "years_high", *([by] if by else []))
    work = pd.DataFrame({"k": df[by].to_numpy() if by else "all",
                         "g": df[gross_profit].to_numpy(dtype=float) / df[months].to_numpy(dtype=float) * 12})
    agg = work.groupby("k", sort=True)["g"].agg(["size", "mean"])
    st = stats.set_index(by) if by else stats.assign(k="all").set_index("k")
    st = st.reindex(agg.index)
    out = pd.DataFrame({"n": agg["size"].to_numpy(), "annual_profit": agg["mean"].to_numpy(),
                        "monthly_churn": st["monthly_churn"].to_numpy(), "low": st["low"].to_numpy(),
                        "high": st["high"].to_numpy(), "years": st["years"].to_numpy()})
    out["ltv"] = out["annual_profit"] * out["years"]
    out["ltv_low"] = out["annual_profit"] * st["years_low"].to_numpy()
    out["ltv_high"] = out["annual_profit"] * st["years_high"].to_numpy()
    if by:
        out.insert(0, by, agg.index.to_numpy())
    return out


# ------------------------------------------------------------------------------- intervals, concentration

def share_of_value(x: np.ndarray, grand: float, n_all: int) -> tuple[float, float, float]:
    """Total of a group's values, its share of the grand total and its share of the customers (percent).

    Parameters
    ----------
    x : ndarray
        The group's values (no missing values).
    grand : float
        The total of every group's values.
    n_all : int
        The number of values of every group.

    Returns
    -------
    (total, share, share_n)
        ``Σ x``, ``100 · Σ x ÷ grand`` and ``100 · len(x) ÷ n_all`` (NaN when the divisor is 0).

    Notes
    -----
    The one computation of a share of value: :func:`value_by_group` (a tier's or a plan's share),
    :func:`top_share` (the top 20 %'s) and the catalogue's ``ltv`` by group use it.

    Examples
    --------
    >>> share_of_value(np.array([6.0, 2.0]), 10.0, 4)
    (8.0, 80.0, 50.0)
    """
    total = float(x.sum())
    return (total, 100 * total / grand if grand else np.nan, 100 * len(x) / n_all if n_all else np.nan)


def top_share(values, *, top: float = 0.2) -> dict:
    """Share of the value held by the top ``top`` of customers: those at or above the ``1 − top`` quantile.

    Parameters
    ----------
    values : array-like
        One non-negative value per customer (missing values are left out).
    top : float, default 0.2
        Share of customers at the top, strictly between 0 and 1.

    Returns
    -------
    dict
        ``n`` (customers with a value), ``top`` (as given), ``threshold`` (the ``1 − top``
        quantile, :func:`numpy.quantile`), ``n_top`` (customers at or above it), ``share_n`` and
        ``share`` (percent of the customers and of the value they hold).

    Notes
    -----
    The top customers are the high tier of :func:`ltv_tiers` with ``cuts=(1 − top, …)``, and the
    share is computed as :func:`value_by_group` computes each tier's: the LTV and LTV-tiers pages
    state one figure ("the top 20 % hold …" is the high tier's share of value). With ties or
    when ``top × n`` is not whole, ``n_top`` is not exactly ``top × n``; :func:`concentration`
    interpolates along the Lorenz curve instead (a point of the curve, not a set of customers).

    Examples
    --------
    >>> r = top_share([5, 1, 9, 3, 7, 2, 4, 6, 8, 10])  # the 80th percentile is 8.2: 9 and 10
    >>> r["threshold"], r["n_top"], round(r["share"], 2)
    (8.2, 2, 34.55)
    """
    top = S._probability("top", top, "0.2 for the top 20 %")
    v = _array("values", values).ravel()
    v = v[~np.isnan(v)]
    if not len(v):
        return {"n": 0, "top": top, "threshold": math.nan, "n_top": 0, "share_n": math.nan, "share": math.nan}
    cut = float(np.quantile(v, 1 - top))
    x = v[v >= cut]
    grand = float(pd.Series(v).sum())  # summed as value_by_group sums it
    _total, share, share_n = share_of_value(x, grand, len(v))
    return {"n": len(v), "top": top, "threshold": cut, "n_top": len(x), "share_n": share_n, "share": share}


def bootstrap_mean(x, *, level: float = 0.95, n_resamples: int = 2000, seed: int = 0,
                   group: int = 0) -> tuple[float, float, float, float]:
    """Mean of one group's values with its BCa bootstrap interval, and their median.

    Parameters
    ----------
    x : array-like of float
        The group's values (no missing values).
    level, n_resamples : float, int
        Confidence level and bootstrap resamples.
    seed, group : int
        The draws come from ``numpy.random.default_rng([seed, group])``: the ``group``-th group (in
        sorted order, 0 for one overall group) of :func:`value_by_group` and of the catalogue's
        ``ltv`` (:class:`csa.kpi.estimate.BootstrapMean`) draws the same resamples.

    Returns
    -------
    (mean, low, high, median)
        NaN without values; no interval (NaN) for one value; ``low = high`` = the value when all are
        equal.

    Examples
    --------
    >>> [round(v, 2) for v in bootstrap_mean([1.0, 2.0, 2.5, 3.0, 4.0, 7.0, 9.0, 30.0])]
    [7.31, 3.31, 17.39, 3.5]
    """
    x = np.asarray(x, dtype=float).ravel()
    if not len(x):
        return np.nan, np.nan, np.nan, np.nan
    low = high = np.nan
    if len(x) >= 2 and np.ptp(x) > 0:
        low, high = S.bootstrap_mean_interval(x, level=level, n_resamples=n_resamples,
                                              rng=np.random.default_rng([seed, group]))
    elif len(x) >= 2:
        low = high = float(x[0])
    return float(x.mean()), float(low), float(high), float(np.median(x))


def value_by_group(df: pd.DataFrame, value: str = "ltv", by: str | list[str] | None = None, *,
                   level: float = 0.95, n_resamples: int = 2000, seed: int = 0, min_n: int = 30) -> pd.DataFrame:
    """Mean of a skewed, additive quantity (LTV, revenue) per group, with a bootstrap interval and value share.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    value : str
        The column to average (missing values are left out and counted in ``excluded``).
    by : str or list of str, optional
        Group column(s); ``None`` for one overall row.
    level : float, default 0.95
        Confidence level.
    n_resamples : int, default 2000
        Bootstrap resamples.
    seed : int, default 0
        Seed of the resampling: same seed, same interval.
    min_n : int, default 30
        Groups with fewer customers are flagged ``small_n``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``mean``, ``low``, ``high`` (bootstrap BCa interval of the
        mean), ``median``, ``total`` (Σ value), ``share`` (percent of the value of all rows),
        ``share_n`` (percent of the customers), ``excluded`` and ``small_n``. Groups with fewer
        than 2 values get no interval.

    Notes
    -----
    LTV has a long tail: a few customers carry much of the value, so the sample mean is
    pulled around by them and the Student-t interval, symmetric by construction, is too narrow
    on the high side. The bias-corrected and accelerated (BCa) bootstrap (Efron 1987, JASA 82,
    171–185; Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 14) follows the
    skew. Computed with :func:`csa.stats.bootstrap_mean_interval` (the interval of
    ``scipy.stats.bootstrap`` on the same draws, in bounded memory); the ``i``-th group (in sorted order) draws
    from ``numpy.random.default_rng([seed, i])``.

    Examples
    --------
    >>> df = pd.DataFrame({"plan": ["a"] * 4 + ["b"] * 2, "ltv": [1.0, 2.0, 3.0, 30.0, 5.0, 7.0]})
    >>> value_by_group(df, "ltv", "plan", min_n=3)[["plan", "n", "mean", "median", "share", "small_n"]]
      plan  n  mean  median  share  small_n
    0    a  4   9.0     2.5   75.0    False
    1    b  2   6.0     6.0   25.0     True
    """
    _need(df, "value_by_group", value, *([] if by is None else ([by] if isinstance(by, str) else by)))
    level = S._level(level)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    vals = pd.to_numeric(df[value], errors="coerce")
    grand = float(vals.sum())
    n_all = int(vals.notna().sum())
    groups = [((), df)] if not keys else list(df.groupby(keys, sort=True, dropna=False))
    rows = []
    for i, (key, part) in enumerate(groups):
        v = pd.to_numeric(part[value], errors="coerce")
        x = v.dropna().to_numpy(dtype=float)
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        mean, low, high, median = bootstrap_mean(x, level=level, n_resamples=n_resamples, seed=seed, group=i)
        total, share, share_n = share_of_value(x, grand, n_all)
        row.update(n=len(x), mean=mean, low=low, high=high, median=median, total=total, share=share,
                   share_n=share_n, excluded=int(v.isna().sum()))
        rows.append(row)
    out = pd.DataFrame(rows)
    out["small_n"] = S.small_n(out["n"].to_numpy(), min_n)
    return out


def mean_by_group(df: pd.DataFrame, value: str, by: str | list[str] | None = None, *, level: float = 0.95,
                  min_n: int = 30) -> pd.DataFrame:
    """Mean of a roughly symmetric quantity per group with a Student-t interval (via :mod:`csa.stats`).

    Parameters
    ----------
    df : DataFrame
        One row per unit (e.g. per customer: tickets per month).
    value : str
        Column to average; missing values are left out and counted in ``excluded``.
    by : str or list of str, optional
        Group column(s).
    level : float, default 0.95
        Confidence level.
    min_n : int, default 30
        Groups with fewer values are flagged ``small_n``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``mean``, ``low``, ``high``, ``excluded``, ``small_n``.

    Notes
    -----
    Aggregates ``n``, ``Σx`` and ``Σx²`` per group, then :func:`csa.stats.mean_from_sums` and
    :func:`csa.stats.mean_interval`.

    Examples
    --------
    >>> df = pd.DataFrame({"tier": ["high", "high", "high", "low"], "tickets": [2.0, 4.0, 6.0, 1.0]})
    >>> mean_by_group(df, "tickets", "tier", min_n=2)[["tier", "n", "mean", "low", "high"]].round(2)
       tier  n  mean   low  high
    0  high  3   4.0 -0.97  8.97
    1   low  1   1.0   NaN   NaN
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _need(df, "mean_by_group", value, *keys)
    x = pd.to_numeric(df[value], errors="coerce")
    work = pd.DataFrame({k: df[k] for k in keys}).assign(_x=x, _x2=x * x, _ok=x.notna(), _miss=x.isna())
    if keys:
        g = work.groupby(keys, sort=True, dropna=False).agg(n=("_ok", "sum"), total=("_x", "sum"),
                                                             total_sq=("_x2", "sum"), excluded=("_miss", "sum"))
        g = g.reset_index()
    else:
        g = pd.DataFrame({"n": [int(work["_ok"].sum())], "total": [float(work["_x"].sum())],
                          "total_sq": [float(work["_x2"].sum())], "excluded": [int(work["_miss"].sum())]})
    ms = S.mean_from_sums(g["n"], g["total"], g["total_sq"])
    iv = S.mean_interval(np.nan_to_num(ms.mean), np.nan_to_num(ms.sd), g["n"], level=level)
    out = g[keys].copy() if keys else pd.DataFrame(index=g.index)
    out["n"] = g["n"].astype("int64")
    out["mean"] = ms.mean
    out["low"], out["high"] = iv.low, iv.high
    out["excluded"] = g["excluded"].astype("int64")
    out["small_n"] = S.small_n(out["n"].to_numpy(), min_n)
    return out


def lorenz_curve(values) -> pd.DataFrame:
    """Share of value held by the most valuable customers: the Lorenz curve, richest first.

    Parameters
    ----------
    values : array-like
        One non-negative value per customer (missing values are left out).

    Returns
    -------
    DataFrame
        ``share_customers`` and ``share_value`` (percent, from (0, 0) to (100, 100)): the top
        ``share_customers`` % of customers hold ``share_value`` % of the total.

    Notes
    -----
    The Lorenz curve (Lorenz 1905) ranks from the poorest; ranked from the richest, as here,
    it is the same curve turned by 180° and reads as "the top 20 % hold …" (a Pareto chart).

    Examples
    --------
    >>> lorenz_curve([1, 1, 2, 6]).round(1).values.tolist()
    [[0.0, 0.0], [25.0, 60.0], [50.0, 80.0], [75.0, 90.0], [100.0, 100.0]]
    """
    v = _array("values", values)
    v = np.sort(v[~np.isnan(v)])[::-1]
    total = v.sum()
    cum = np.concatenate([[0.0], np.cumsum(v)])
    x = np.linspace(0, 100, len(v) + 1)
    return pd.DataFrame({"share_customers": x, "share_value": 100 * cum / total if total else np.full(len(x), np.nan)})


def concentration(values, *, top: float = 0.2) -> dict:
    """How concentrated value is: the share held by the top ``top`` of customers, and the Gini coefficient.

    Parameters
    ----------
    values, top
        As in :func:`top_share`.

    Returns
    -------
    dict
        ``n``, ``top`` (as given), ``top_share`` (percent of the total held by the top customers,
        interpolated along the curve when ``top × n`` is not whole) and ``gini`` (0 = everyone
        equal, 1 = one customer holds everything).

    Notes
    -----
    ``Gini = Σ_i (2i − n − 1) x_(i) / (n Σ x)`` with values sorted ascending (``x_(i)``, i = 1…n);
    equals ``1 − 2 × area under the Lorenz curve``. The "80/20 rule" says the top 20 % hold 80 %.

    Examples
    --------
    >>> r = concentration([1, 1, 2, 6], top=0.25)
    >>> r["top_share"], round(r["gini"], 3)
    (60.0, 0.4)
    """
    top = S._probability("top", top, "0.2 for the top 20 %")
    v = _array("values", values)
    v = np.sort(v[~np.isnan(v)])
    n, total = len(v), float(v.sum())
    if n == 0 or total == 0:
        return {"n": n, "top": top, "top_share": math.nan, "gini": math.nan}
    desc = v[::-1]
    cum = np.concatenate([[0.0], np.cumsum(desc)])
    k = top * n
    lo = math.floor(k)
    share = cum[lo] + (k - lo) * (desc[lo] if lo < n else 0.0)
    i = np.arange(1, n + 1)
    gini = float(((2 * i - n - 1) * v).sum() / (n * total))
    return {"n": n, "top": top, "top_share": 100 * float(share) / total, "gini": gini}


def product_of_averages(df: pd.DataFrame, by: str | None = None, *, avg_purchase: str = "avg_purchase",
                        gross_margin: str = "gross_margin", purchases_per_year: str = "purchases_per_year",
                        years: str = "years", value: str = "ltv") -> pd.DataFrame:
    """The product of the averages of the four factors beside the average of the customers' LTVs.

    Parameters
    ----------
    df : DataFrame
        One row per customer, e.g. from :func:`customer_ltv`.
    by : str, optional
        Group column; ``None`` for one overall row.
    avg_purchase, gross_margin, purchases_per_year, years, value : str
        Column names.

    Returns
    -------
    DataFrame
        The ``by`` column, ``n``, the mean of each factor (same names), ``product_of_means``,
        ``mean_ltv`` and ``gap`` (percent: ``product_of_means ÷ mean_ltv − 1``).

    Notes
    -----
    ``mean(a·m·f·y) = mean(a)·mean(m)·mean(f)·mean(y)`` only when the factors are uncorrelated
    (and more): customers who buy bigger often also stay longer, so on real data the two
    differ. The average of the LTVs is the one that adds up: n × it is the total value.

    Examples
    --------
    >>> df = pd.DataFrame({"avg_purchase": [10.0, 100.0], "gross_margin": [0.5, 0.5],
    ...                    "purchases_per_year": [12.0, 12.0], "years": [1.0, 5.0]})
    >>> df["ltv"] = df.prod(axis=1)
    >>> product_of_averages(df)[["product_of_means", "mean_ltv", "gap"]].round(1)
       product_of_means  mean_ltv   gap
    0             990.0    1530.0 -35.3
    """
    cols = [avg_purchase, gross_margin, purchases_per_year, years, value]
    _need(df, "product_of_averages", *cols, *([by] if by else []))
    groups = [((), df)] if by is None else list(df.groupby(by, sort=True))
    rows = []
    for key, part in groups:
        row = {by: key[0] if isinstance(key, tuple) else key} if by else {}
        row["n"] = len(part)
        for c in cols[:4]:
            row[c] = float(part[c].mean())
        row["product_of_means"] = float(np.prod([row[c] for c in cols[:4]]))
        row["mean_ltv"] = float(part[value].mean())
        row["gap"] = 100 * (row["product_of_means"] / row["mean_ltv"] - 1) if row["mean_ltv"] else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------- tiers

@dataclass(frozen=True)
class Tiers:
    """LTV tiers of a set of customers and the rule that made them.

    Attributes
    ----------
    tier : Series
        ``"high"``, ``"mid"`` or ``"low"`` per customer (ordered categorical, low < mid < high),
        with the input's index; missing where the LTV is missing.
    method : str
        ``"quantile"`` or ``"threshold"``.
    cuts : tuple of float
        As given: quantiles (e.g. ``(0.8, 0.5)``) or LTV thresholds.
    thresholds : tuple of float
        The LTV at or above which a customer is high, and mid (the rule in money, whichever the
        method); apply them to another date with ``method="threshold"``.
    n : int
        Customers tiered.
    excluded : int
        Customers without an LTV (left out).
    """

    tier: pd.Series
    method: str
    cuts: tuple
    thresholds: tuple
    n: int
    excluded: int = 0

    def counts(self) -> pd.Series:
        """Customers per tier, high first."""
        return self.tier.value_counts().reindex(list(TIERS), fill_value=0)

    def __str__(self) -> str:
        hi, mid = (f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}" for v in self.thresholds)
        how = (f"top {100 * (1 - self.cuts[0]):.0f} % / next {100 * (self.cuts[0] - self.cuts[1]):.0f} % / rest"
               if self.method == "quantile" else "fixed thresholds")
        return f"LTV tiers ({how}; n = {self.n:,}): high LTV >= {hi}; mid {mid} <= LTV < {hi}; low LTV < {mid}"


def ltv_tiers(ltv, *, method: str = "quantile", cuts=(0.8, 0.5)) -> Tiers:
    """High, mid and low LTV tiers: by quantiles (top 20 %, next 30 %, rest) or by explicit thresholds.

    Parameters
    ----------
    ltv : Series or array-like
        One LTV per customer (a Series indexed by customer id keeps its index).
    method : {"quantile", "threshold"}, default "quantile"
        ``"quantile"``: ``cuts`` are quantiles of the LTV distribution; ``"threshold"``: ``cuts``
        are LTV amounts.
    cuts : tuple of two numbers, default (0.8, 0.5)
        High's lower bound first, then mid's. Quantiles must satisfy ``1 > cuts[0] > cuts[1] > 0``
        (``(0.8, 0.5)``: top 20 % high, next 30 % mid, bottom 50 % low); thresholds
        ``cuts[0] > cuts[1] >= 0``.

    Returns
    -------
    Tiers
        ``tier`` per customer, ``method``, ``cuts``, ``thresholds`` (in money), ``n``,
        ``excluded``; ``str()`` states the rule.

    Notes
    -----
    Article 002 segments by LTV into high (one-to-one), mid (one-to-many) and low (tech touch)
    but gives no cut-offs: they are a business choice (how many accounts can the CSMs serve one
    to one?), so they are a parameter and the rule is recorded with the result. A customer
    exactly at a threshold goes to the higher tier. Quantiles use numpy's default (linear)
    interpolation; with ties, tier sizes can differ slightly from the cuts. Tiers made by
    quantiles move when the whole base moves; to compare two dates, reuse one date's
    ``thresholds`` with ``method="threshold"``.

    Examples
    --------
    >>> t = ltv_tiers(pd.Series([5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 4.0, 6.0, 8.0, 10.0]))
    >>> t.tier.tolist()
    ['low', 'low', 'high', 'low', 'mid', 'low', 'low', 'mid', 'mid', 'high']
    >>> t.thresholds
    (8.2, 5.5)
    >>> print(t)
    LTV tiers (top 20 % / next 30 % / rest; n = 10): high LTV >= 8.2; mid 5.5 <= LTV < 8.2; low LTV < 5.5
    >>> ltv_tiers([100, 50, 10], method="threshold", cuts=(80, 20)).tier.tolist()
    ['high', 'mid', 'low']
    """
    if method not in ("quantile", "threshold"):
        raise ValueError(f"method must be 'quantile' or 'threshold'; got {method!r}")
    if not isinstance(cuts, (tuple, list)) or len(cuts) != 2:
        raise ValueError(f"cuts must be two numbers, high's bound then mid's (e.g. (0.8, 0.5)); got {cuts!r}")
    hi_c, mid_c = (_number("cuts", c) for c in cuts)
    if method == "quantile" and not (1 > hi_c > mid_c > 0):
        raise ValueError(f"quantile cuts must satisfy 1 > cuts[0] > cuts[1] > 0 (e.g. (0.8, 0.5): top 20 % high, "
                         f"next 30 % mid); got {cuts!r}")
    if method == "threshold" and not hi_c > mid_c:
        raise ValueError(f"threshold cuts are LTV amounts, high's bound above mid's (e.g. (2_000_000, 500_000)); "
                         f"got {cuts!r}")
    s = ltv if isinstance(ltv, pd.Series) else pd.Series(np.asarray(ltv, dtype=float))
    v = pd.to_numeric(s, errors="coerce").astype(float)
    ok = v.notna()
    if method == "quantile":
        if not ok.any():
            raise ValueError("no LTV values to cut into tiers")
        hi_t, mid_t = (float(np.quantile(v[ok].to_numpy(), q)) for q in (hi_c, mid_c))
    else:
        hi_t, mid_t = hi_c, mid_c
    lab = np.where(v >= hi_t, "high", np.where(v >= mid_t, "mid", "low"))
    tier = pd.Series(pd.Categorical(np.where(ok, lab, None), categories=["low", "mid", "high"], ordered=True),
                     index=s.index, name="tier")
    return Tiers(tier, method, (hi_c, mid_c), (hi_t, mid_t), int(ok.sum()), int((~ok).sum()))


def cost_to_serve(tier, *, years=None, ltv=None, csm_hours_high: float = 4.0, csm_hours_mid: float = 0.0,
                  csm_hours_low: float = 0.0, hourly_cost: float = 8000.0, workshop_cost_mid: float = 1600.0,
                  digital_cost: float = 300.0) -> pd.DataFrame:
    """Cost to serve each customer under the service model of its tier, and LTV after that cost.

    Parameters
    ----------
    tier : Series or array-like
        ``"high"``, ``"mid"`` or ``"low"`` per customer (e.g. ``ltv_tiers(...).tier``).
    years : Series or array-like, optional
        Years retained per customer (gives ``lifetime_cost``).
    ltv : Series or array-like, optional
        LTV per customer (gives ``ltv_after_cost``; needs ``years``).
    csm_hours_high, csm_hours_mid, csm_hours_low : float
        One-to-one CSM hours per account per month. Default 4 h for high touch (a monthly
        meeting with preparation and follow-up), none for the others.
    hourly_cost : float, default 8000
        Fully loaded cost of a CSM hour in JPY (an assumed ¥12 M a year over 1,500 productive
        hours). Replace with your own.
    workshop_cost_mid : float, default 1600
        One-to-many cost per mid-tier account per month in JPY: an assumed monthly two-hour
        workshop run by two CSMs with an hour of preparation each (6 h × ¥8,000) shared by 30
        accounts.
    digital_cost : float, default 300
        Tech-touch cost per account per month in JPY, every tier (help centre, email and
        chatbot tooling spread over the accounts).

    Returns
    -------
    DataFrame
        Index of ``tier``; ``tier``, ``csm_hours`` (per month), ``monthly_cost``,
        ``annual_cost`` (× 12), and with ``years`` ``lifetime_cost`` (annual × years), with
        ``ltv`` ``ltv_after_cost`` (LTV − lifetime cost).

    Notes
    -----
    Article 002 assigns one-to-one service to high LTV, workshops and seminars to mid LTV and
    digital means to low LTV; it gives no costs. The defaults are placeholders that make the
    trade-off visible, not benchmarks: set them from your own CSM salaries and tooling bills.

    Examples
    --------
    >>> cost_to_serve(["high", "mid", "low"], years=[5, 4, 2], ltv=[5e6, 1e6, 1e5])[
    ...     ["monthly_cost", "lifetime_cost", "ltv_after_cost"]]
       monthly_cost  lifetime_cost  ltv_after_cost
    0       32300.0      1938000.0       3062000.0
    1        1900.0        91200.0        908800.0
    2         300.0         7200.0         92800.0
    """
    for name, v in (("csm_hours_high", csm_hours_high), ("csm_hours_mid", csm_hours_mid),
                    ("csm_hours_low", csm_hours_low), ("hourly_cost", hourly_cost),
                    ("workshop_cost_mid", workshop_cost_mid), ("digital_cost", digital_cost)):
        _number(name, v)
    t = tier if isinstance(tier, pd.Series) else pd.Series(list(tier))
    known = t.dropna().astype(str)
    unknown = sorted(set(known) - set(TIERS))
    if unknown:
        raise ValueError(f"tier values must be high, mid or low; got {unknown}")
    lab = t.astype(object)
    hours = lab.map({"high": csm_hours_high, "mid": csm_hours_mid, "low": csm_hours_low}).astype(float)
    workshop = lab.map({"high": 0.0, "mid": workshop_cost_mid, "low": 0.0}).astype(float)
    out = pd.DataFrame({"tier": lab, "csm_hours": hours}, index=t.index)
    out["monthly_cost"] = hours * hourly_cost + workshop + np.where(lab.notna(), digital_cost, np.nan)
    out["annual_cost"] = 12 * out["monthly_cost"]
    if years is not None:
        out["lifetime_cost"] = out["annual_cost"] * np.asarray(years, dtype=float)
        if ltv is not None:
            out["ltv_after_cost"] = np.asarray(ltv, dtype=float) - out["lifetime_cost"]
    elif ltv is not None:
        raise ValueError("ltv_after_cost needs years= (the cost is paid every year the customer stays)")
    return out


def tier_costs(tier, ltv, years, **costs) -> pd.DataFrame:
    """Cost to serve and LTV after cost, per tier (sums and means of :func:`cost_to_serve`).

    Parameters
    ----------
    tier, ltv, years : array-like
        Per customer: tier (high/mid/low), LTV and years retained.
    **costs
        The cost parameters of :func:`cost_to_serve` (``csm_hours_high``, ``hourly_cost``, …).

    Returns
    -------
    DataFrame
        One row per tier, high first: ``tier``, ``n``, ``csm_hours`` (one-to-one CSM hours per
        month, all accounts of the tier), ``monthly_cost`` and ``annual_cost`` (per account),
        ``mean_ltv``, ``mean_lifetime_cost``, ``mean_ltv_after_cost``, ``cost_share`` (lifetime
        cost as percent of LTV, tier totals), ``negative`` (accounts whose LTV does not cover
        their cost to serve).

    Examples
    --------
    >>> tier_costs(["high", "high", "low"], [5e6, 1e6, 1e5], [5, 5, 2])[
    ...     ["tier", "n", "csm_hours", "mean_ltv_after_cost", "cost_share", "negative"]]
       tier  n  csm_hours  mean_ltv_after_cost  cost_share  negative
    0  high  2        8.0            1062000.0        64.6         1
    1   mid  0        0.0                  NaN         NaN         0
    2   low  1        0.0              92800.0         7.2         0
    """
    t = pd.Series(list(tier) if not isinstance(tier, pd.Series) else tier.to_numpy(), dtype=object)
    c = cost_to_serve(t, years=np.asarray(years, dtype=float), ltv=np.asarray(ltv, dtype=float), **costs)
    c["ltv"] = np.asarray(ltv, dtype=float)
    rows = []
    for name in TIERS:
        part = c[c["tier"] == name]
        n = len(part)
        total_ltv = float(part["ltv"].sum())
        unit = cost_to_serve([name], **costs).iloc[0]
        rows.append({"tier": name, "n": n, "csm_hours": float(part["csm_hours"].sum()),
                     "monthly_cost": float(unit["monthly_cost"]), "annual_cost": float(unit["annual_cost"]),
                     "mean_ltv": float(part["ltv"].mean()) if n else np.nan,
                     "mean_lifetime_cost": float(part["lifetime_cost"].mean()) if n else np.nan,
                     "mean_ltv_after_cost": float(part["ltv_after_cost"].mean()) if n else np.nan,
                     "cost_share": 100 * float(part["lifetime_cost"].sum()) / total_ltv if total_ltv else np.nan,
                     "negative": int((part["ltv_after_cost"] < 0).sum())})
    return pd.DataFrame(rows).round({"cost_share": 1})


def tier_trend(ltv, change, thresholds, *, min_change: float = 10.0) -> pd.DataFrame:
    """Where each customer's tier is heading if its recent MRR change holds.

    Parameters
    ----------
    ltv : Series
        LTV per customer (index: customer id).
    change : Series
        Recent MRR change in percent per customer (e.g. ``mrr_trend(...)["change"]`` indexed by
        customer id); missing means no trend.
    thresholds : tuple of float
        The tier rule in money, high's bound then mid's (``Tiers.thresholds``).
    min_change : float, default 10
        A change smaller than this (percent, either way) is "flat".

    Returns
    -------
    DataFrame
        Index of ``ltv``: ``ltv``, ``tier``, ``change``, ``projected_ltv`` (LTV × (1 + change)),
        ``projected_tier`` (same thresholds) and ``direction`` (``"up"``, ``"down"`` or ``"flat"``:
        the change is at least ``min_change`` either way and the projected tier differs; ``up`` and
        ``down`` only then).

    Notes
    -----
    LTV is proportional to the yearly gross profit, so a lasting change of MRR moves LTV by
    the same percentage. A screening signal for a CSM's attention, not a forecast.

    Examples
    --------
    >>> ltv = pd.Series([900.0, 600.0, 520.0], index=["a", "b", "c"])
    >>> ch = pd.Series([20.0, -30.0, 5.0], index=["a", "b", "c"])
    >>> tier_trend(ltv, ch, (1000.0, 500.0))[["tier", "projected_ltv", "projected_tier", "direction"]]
      tier  projected_ltv projected_tier direction
    a  mid         1080.0           high        up
    b  mid          420.0            low      down
    c  mid          546.0            mid      flat
    """
    if not isinstance(ltv, pd.Series):
        raise ValueError("ltv must be a Series indexed by customer id")
    ch = pd.Series(change, dtype=float).reindex(ltv.index)
    out = pd.DataFrame({"ltv": ltv.astype(float)})
    out["tier"] = ltv_tiers(out["ltv"], method="threshold", cuts=thresholds).tier.astype(object)
    out["change"] = ch
    out["projected_ltv"] = out["ltv"] * (1 + ch / 100)
    proj = ltv_tiers(out["projected_ltv"], method="threshold", cuts=thresholds).tier.astype(object)
    out["projected_tier"] = proj
    rank = {"low": 0, "mid": 1, "high": 2}
    moved = out["projected_tier"].map(rank) - out["tier"].map(rank)
    big = ch.abs() >= min_change
    out["direction"] = np.where(big & (moved > 0), "up", np.where(big & (moved < 0), "down", "flat"))
    return out


def tier_migration(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """Customers by tier at one date (rows) and at a later date (columns), with arrivals and departures.

    Parameters
    ----------
    before, after : Series
        Tier per customer (index: customer id) among the customers active at each date.

    Returns
    -------
    DataFrame
        Counts; rows ``high``, ``mid``, ``low``, ``new`` (not active before), columns ``high``,
        ``mid``, ``low``, ``churned`` (not active after). The ``new`` row has no ``churned``
        count (0).

    Examples
    --------
    >>> a = pd.Series(["high", "low", "low"], index=["x", "y", "z"])
    >>> b = pd.Series(["high", "mid", "low"], index=["x", "y", "w"])
    >>> tier_migration(a, b).reset_index()
      before  high  mid  low  churned
    0   high     1    0    0        0
    1    mid     0    0    0        0
    2    low     0    1    0        1
    3    new     0    0    1        0
    """
    rows, cols = [*TIERS, "new"], [*TIERS, "churned"]
    a = before.dropna().astype(str)
    b = after.dropna().astype(str)
    ids = a.index.union(b.index)
    ra = a.reindex(ids).fillna("new")
    rb = b.reindex(ids).fillna("churned")
    tab = pd.crosstab(ra, rb).reindex(index=rows, columns=cols, fill_value=0).astype("int64")
    tab.index.name, tab.columns.name = "before", None
    return tab


def churn_by_tier(migration: pd.DataFrame, *, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Share of each tier's customers lost between the two dates of a migration table, with a Wilson interval.

    Parameters
    ----------
    migration : DataFrame
        From :func:`tier_migration`.
    level, min_n
        As in :func:`mean_by_group`; ``small_n`` counts a tier's customers at the first date.

    Returns
    -------
    DataFrame
        ``tier``, ``n`` (customers in the tier at the first date), ``churned``, ``churn`` (percent),
        ``low``, ``high`` (Wilson interval), ``small_n``.

    Examples
    --------
    >>> m = pd.DataFrame({"high": [9, 0, 0, 0], "mid": [0, 8, 0, 0], "low": [0, 0, 5, 2],
    ...                   "churned": [1, 2, 5, 0]}, index=["high", "mid", "low", "new"])
    >>> churn_by_tier(m)[["tier", "n", "churned", "churn"]]
       tier   n  churned  churn
    0  high  10        1   10.0
    1   mid  10        2   20.0
    2   low  10        5   50.0
    """
    m = migration.reindex(index=list(TIERS))
    n = m.sum(axis=1).to_numpy(dtype=float)
    x = m["churned"].to_numpy(dtype=float)
    iv = S.proportion_interval(x, n, level=level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, 100 * x / n, np.nan)
    return pd.DataFrame({"tier": list(TIERS), "n": n.astype("int64"), "churned": x.astype("int64"), "churn": p,
                         "low": iv.low, "high": iv.high, "small_n": S.small_n(n, min_n)})


def mrr_trend(subscriptions: pd.DataFrame, *, as_of=None, months: int = 6, customer: str = "customer_id",
              month: str = "month", mrr: str = "mrr") -> pd.DataFrame:
    """MRR now against ``months`` months earlier, per customer subscribed in ``as_of``.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per subscribed customer-month.
    as_of : str or Period, optional
        The month "now" (default: the data's last month).
    months : int, default 6
        How far back to compare; a customer who started later is compared with their first month.
    customer, month, mrr : str
        Column names.

    Returns
    -------
    DataFrame
        ``customer_id``, ``mrr_then``, ``mrr_now``, ``change`` (percent: ``mrr_now ÷ mrr_then − 1``).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "a", "a"], "mrr": [100.0, 110.0, 130.0],
    ...                   "month": pd.PeriodIndex(["2026-01", "2026-02", "2026-03"], freq="M")})
    >>> mrr_trend(s, months=2)
      customer_id  mrr_then  mrr_now  change
    0           a     100.0    130.0    30.0
    """
    _need(subscriptions, "subscriptions", customer, month, mrr)
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ValueError(f"months must be a whole number >= 1 (e.g. 6); got {months!r}")
    m = _month(subscriptions[month])
    end = _as_month(as_of, m.max())
    s = pd.DataFrame({"c": subscriptions[customer].array, "m": m.array,
                      "v": subscriptions[mrr].to_numpy(dtype=float)})
    s = s[(s["m"] <= end) & (s["m"] >= end - months)]
    now = s[s["m"] == end].set_index("c")["v"]
    then = s[s["c"].isin(now.index)].sort_values("m", kind="stable").groupby("c")["v"].first()
    out = pd.DataFrame({customer: now.index.to_numpy(), "mrr_then": then.reindex(now.index).to_numpy(),
                        "mrr_now": now.to_numpy()}).sort_values(customer, kind="stable").reset_index(drop=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["change"] = 100 * (out["mrr_now"] / out["mrr_then"] - 1)
    return out
