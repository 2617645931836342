"""The LTV notebook's view of a Dataset: LTV per customer and per group, the churn behind
"years retained", the subscription shortcut, probabilistic CLV on one-off purchases, and the
sentences of the report (English or Japanese).

The headline (the average LTV of the active customers) and the LTV per customer come from the
KPI catalogue's ``ltv`` (:class:`csa.kpi.kernels.LTV`: the orders and subscriptions aggregated per
customer on the chosen engine, the formula by :mod:`csa.metrics.ltv`); every other number from
:mod:`csa.metrics.ltv` or :mod:`csa.metrics.clv`. This module only selects rows and words, and
writes numbers with :mod:`csa.numbers`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import kpi as K
from .. import numbers as num
from ..labels import t
from ..metrics import clv as C
from ..metrics import ltv as LT
from ..periods import label, pandas_freq, parse_period
from .common import Periods

__all__ = ["CUSTOMER_COLUMNS", "alive_check", "as_of_month", "by_group", "checkmarks", "churn_table",
           "customers_ltv", "describe_alive", "describe_average", "describe_concentration", "describe_no_clv",
           "describe_product", "describe_sensitivity", "describe_shortcut", "in_thousands", "likely_active",
           "list_sentence", "ltv_params", "one_off_clv", "periods", "scope_sentence", "shortcut_table", "yen"]

NS = "ltv"
CUSTOMER_COLUMNS = ["customer_id", "name", "plan", "segment", "region", "csm"]


def yen(value: float, lang: str = "en") -> str:
    """An amount of yen for a sentence or a chart label (:func:`csa.numbers.value` in JPY).

    >>> yen(11_650_660.4), yen(394_412, "ja"), yen(float("nan"))
    ('¥11,650,660', '394,412円', '—')
    """
    return num.value(value, "JPY", lang)


def in_thousands(table: pd.DataFrame, columns, *, divisor: float = 1000) -> pd.DataFrame:
    """A copy with the money ``columns`` as text in thousands of yen (``divisor=1``: in yen), with separators.

    Examples
    --------
    >>> in_thousands(pd.DataFrame({"ltv": [1_234_567.0, None]}), ["ltv"])["ltv"].tolist()
    ['1,235', '—']
    """
    out = table.copy()
    for c in columns:
        if c in out.columns:
            v = pd.to_numeric(out[c], errors="coerce")
            out[c] = pd.Series([f"{x / divisor:,.0f}".replace("-", "\u2212") if pd.notna(x) else "—" for x in v],
                               index=out.index,
                               dtype=object)
    return out


def checkmarks(table: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy with the boolean ``columns`` shown as ✓ (true) or an empty cell (false)."""
    out = table.copy()
    for c in columns:
        if c in out.columns:
            out[c] = out[c].map(lambda v: "✓" if bool(v) else "").astype(object)
    return out


def periods(ds, period: str = "", freq: str = "month") -> Periods:
    """The report period (``period``, or the one holding the orders' last month) and the one before it.

    The catalogue's ``ltv`` of a period is computed at its last month, at most the orders' last
    month: the month :func:`as_of_month` gives.
    """
    this = parse_period(period, freq) if period else as_of_month(ds).asfreq(pandas_freq(freq), "end")
    return Periods(this, this - 1, freq)


def as_of_month(ds, as_of: str = "", freq: str = "month") -> pd.Period:
    """The month LTV is computed at: the last month of period ``as_of`` (``2026-10``, ``2026Q3``,
    ``FY2026`` with the matching ``freq``), or the orders' last month (never the clock)."""
    ds.require("orders")
    if as_of:
        return parse_period(as_of, freq).asfreq("M", "end")
    ts = ds.orders["ordered_at"]
    return ts.dt.tz_localize(None).dt.to_period("M").max() if getattr(ts.dt, "tz", None) else \
        ts.dt.to_period("M").max()


def ltv_params(*, by: str = "plan", cap: float = 5.0, churn_months: int = 12, n_resamples: int = 2000,
               seed: int = 0) -> dict:
    """The notebook's parameters as the catalogue's ``ltv`` takes them (``by`` is its ``churn_by``; checked).

    >>> ltv_params(cap=4)
    {'churn_by': 'plan', 'cap': 4.0, 'churn_months': 12, 'n_resamples': 2000, 'seed': 0}
    """
    return K.KPIS["ltv"].resolve({"churn_by": by, "cap": float(cap), "churn_months": int(churn_months),
                                  "n_resamples": int(n_resamples), "seed": int(seed)})


def customers_ltv(ds, as_of: pd.Period, *, by: str = "plan", cap: float = 5.0, churn_months: int = 12,
                  engine: str = "pandas") -> pd.DataFrame:
    """LTV per customer as the catalogue's ``ltv`` computes it, with the name, plan, segment, region and CSM.

    The orders and subscriptions are aggregated per customer on ``engine``
    (:class:`csa.kpi.kernels.LTV`) and the formula applied by :func:`csa.metrics.ltv.ltv_from_sums`:
    the same table as :func:`csa.metrics.ltv.customer_ltv`. Returns every customer with an order
    up to ``as_of``; ``active`` marks those subscribed in ``as_of`` (the current base, which the
    notebooks analyse: their mean LTV is the catalogue's ``ltv``).
    """
    ds.require("orders", "subscriptions")
    p = ltv_params(by=by, cap=cap, churn_months=churn_months)
    out = K.KPIS["ltv"].kernel.customers(K.open_tables(ds, engine=engine), p, as_of.ordinal)
    cust = ds.customers[[c for c in CUSTOMER_COLUMNS if c in ds.customers.columns]]
    out = out.drop(columns=[c for c in cust.columns if c in out.columns and c != "customer_id"])
    return out.merge(cust, on="customer_id", how="left", validate="one_to_one")


def by_group(ds, P, group: str, *, engine: str = "pandas", level: float = 0.95, min_n: int = 30,
             **params) -> pd.DataFrame:
    """The catalogue's ``ltv`` per ``group`` (plan, segment, …) in the report period (:func:`csa.kpi.table`).

    ``params``: the catalogue's ``ltv`` parameters (:func:`ltv_params`), defaults when left out.

    Returns
    -------
    DataFrame
        The ``group`` column, ``n``, ``mean``, ``low``, ``high`` (BCa bootstrap), ``median``, ``total``,
        ``share`` and ``share_n`` (percent of the value and of the customers) and ``small_n``: the
        columns of :func:`csa.metrics.ltv.value_by_group`, with the same numbers.
    """
    tab = K.table("ltv", ds, by=group, period=P.this, freq=P.freq, engine=engine, level=level, min_n=min_n,
                  **params)
    tab = tab.rename(columns={"value": "mean"})
    return tab[[group, "n", "mean", "low", "high", "median", "total", "share", "share_n", "small_n"]]


def churn_table(ds, as_of: pd.Period, by="plan", *, months: int = 12, cap: float = 5.0, level: float = 0.95,
                min_n: int = 30) -> pd.DataFrame:
    """Monthly and annual churn per group with intervals and years retained (:func:`csa.metrics.ltv.churn_stats`)."""
    counts = LT.churn_counts(ds.subscriptions, by, customers=ds.customers, as_of=as_of, months=months)
    return LT.churn_stats(counts, level=level, cap=cap, min_n=min_n)


def shortcut_table(ds, cust: pd.DataFrame, as_of: pd.Period, *, by=("plan", "segment"), months: int = 6,
                   min_n: int = 30) -> pd.DataFrame:
    """The subscription shortcut ARPA × margin ÷ churn per group, beside the seed's LTV.

    Parameters
    ----------
    ds : Dataset
    cust : DataFrame
        From :func:`customers_ltv` (its active rows give ARPA, margin and the seed's LTV).
    as_of : Period
    by : tuple of str
        Groups (default plan × segment: small cells are where the shortcut breaks).
    months : int
        Trailing window of the churn rate (ChartMogul uses six months).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n`` (active customers), ``arpa`` (mean MRR in ``as_of``),
        ``gross_margin`` (mean of the customers' margins), ``at_risk``, ``churned``,
        ``monthly_churn`` (percent), ``lifetime_years`` (``1 ÷ churn ÷ 12``; NaN at zero churn),
        ``shortcut`` (ARPA × margin ÷ churn; NaN at zero churn, where
        :func:`csa.metrics.ltv.ltv_from_churn` refuses), ``seed_ltv`` (mean LTV of the seed's
        formula with the capped 12-month churn), ``infinite`` (no churn observed) and ``small_n``.
    """
    keys = list(by)
    act = cust[cust["active"]]
    sub = ds.subscriptions
    now = sub[sub["month"] == as_of][["customer_id", "mrr"]]
    a = act.merge(now, on="customer_id", how="left")
    g = a.groupby(keys, sort=True).agg(n=("customer_id", "size"), arpa=("mrr", "mean"),
                                       gross_margin=("gross_margin", "mean"), seed_ltv=("ltv", "mean")).reset_index()
    ch = LT.churn_stats(LT.churn_counts(sub, keys, customers=ds.customers, as_of=as_of, months=months), min_n=min_n)
    g = g.merge(ch[[*keys, "at_risk", "churned", "monthly_churn", "small_n"]], on=keys, how="left")
    rate = g["monthly_churn"].to_numpy(float) / 100
    ok = rate > 0
    g["lifetime_years"] = np.where(ok, 1 / np.where(ok, rate, 1.0) / 12, np.nan)
    short = np.full(len(g), np.nan)
    if ok.any():
        short[ok] = LT.ltv_from_churn(g.loc[ok, "arpa"], rate[ok], gross_margin=g.loc[ok, "gross_margin"])
    g["shortcut"] = short
    g["infinite"] = ~ok
    cols = [*keys, "n", "arpa", "gross_margin", "at_risk", "churned", "monthly_churn", "lifetime_years", "shortcut",
            "seed_ltv", "infinite", "small_n"]
    return g[cols]


def one_off_clv(ds, as_of: pd.Period, *, min_n: int = 30) -> tuple[pd.DataFrame, C.BGNBD, C.GammaGamma] | None:
    """BG/NBD and Gamma-Gamma on the one-off purchases up to ``as_of`` (in weeks), with the subscription status.

    ``None`` when fewer than ``min_n`` customers made a repeat one-off purchase, or when a model
    does not fit (a parameter at the edge of its range): the notebook then says so instead of
    showing numbers the data cannot support (see :func:`describe_no_clv`).

    Returns
    -------
    (DataFrame, BGNBD, GammaGamma) or None
        One row per customer with at least one one-off purchase: ``customer_id``, ``frequency``,
        ``recency``, ``T`` (weeks), ``monetary_value``, ``first_purchase``, ``p_alive``,
        ``expected_52w`` (one-off purchases expected in the next 52 weeks), ``expected_spend``
        (Gamma-Gamma), ``active`` (still subscribed in ``as_of``: what the model cannot see),
        and the customer's name, plan, segment and CSM; then the two fitted models.
    """
    kind = LT.split_orders(ds.orders, ds.subscriptions)
    one = ds.orders[kind == "one_off"]
    rfm = C.rfm_summary(one, as_of=str(as_of))
    if int((rfm["frequency"] > 0).sum()) < max(min_n, 4):
        return None
    bg = C.fit_bgnbd(rfm["frequency"], rfm["recency"], rfm["T"])
    gg = C.fit_gamma_gamma(rfm["frequency"], rfm["monetary_value"])
    if not (bg.converged and gg.converged):
        return None
    rfm["p_alive"] = bg.p_alive(rfm["frequency"], rfm["recency"], rfm["T"])
    rfm["expected_52w"] = bg.conditional_expected_purchases(52, rfm["frequency"], rfm["recency"], rfm["T"])
    rfm["expected_spend"] = gg.conditional_expected_spend(rfm["frequency"], rfm["monetary_value"])
    active = set(ds.subscriptions.loc[ds.subscriptions["month"] == as_of, "customer_id"])
    rfm["active"] = rfm["customer_id"].isin(active)
    cust = ds.customers[[c for c in CUSTOMER_COLUMNS if c in ds.customers.columns]]
    return rfm.merge(cust, on="customer_id", how="left"), bg, gg


def alive_check(rfm: pd.DataFrame, *, level: float = 0.95, groups: int = 4, lang: str = "en") -> pd.DataFrame:
    """Share still subscribed per band of P(alive) (:func:`csa.metrics.clv.p_alive_check` on ``active``).

    The band of one-time buyers is named in ``lang``; the others are P(alive) ranges.
    """
    out = C.p_alive_check(rfm["frequency"], rfm["p_alive"], rfm["active"], groups=groups, level=level)
    out["band"] = out["band"].map(lambda b: t(b, lang, NS))
    return out


def likely_active(rfm: pd.DataFrame, *, top_n: int = 10, quiet: bool = True) -> pd.DataFrame:
    """Repeat buyers with the lowest P(alive) (``quiet=True``), or customers with the most expected purchases."""
    rep = rfm[rfm["frequency"] > 0] if quiet else rfm
    key = ["p_alive", "customer_id"] if quiet else ["expected_52w", "customer_id"]
    rep = rep.sort_values(key, ascending=[quiet, True])
    cols = ["customer_id", "name", "plan", "segment", "csm", "frequency", "recency", "T", "p_alive", "expected_52w",
            "expected_spend", "active"]
    out = rep[cols].head(top_n).copy()
    out["p_alive"] = 100 * out["p_alive"]
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------- sentences

def scope_sentence(as_of: pd.Period, cust: pd.DataFrame, *, by: str, cap: float, churn_months: int,
                   lang: str = "en") -> str:
    """What the notebook is looking at."""
    return t("scope", lang, NS, as_of=label(as_of), n=len(cust), active=int(cust["active"].sum()),
             by=t(f"by_{by}", lang, NS), cap=cap, months=churn_months)


def describe_average(hl, as_of: pd.Period, *, lang: str = "en", level: float = 0.95) -> str:
    """The average LTV of the active customers, with its bootstrap interval and the median.

    ``hl``: the section's headline of the catalogue's ``ltv`` (:func:`csa.views.common.headline`),
    the figure the report's front page shows.
    """
    r = hl.this
    if not r.n:
        return t("average_none", lang, NS, as_of=label(as_of))
    return t("average", lang, NS, name=K.KPIS["ltv"].title(lang), as_of=label(as_of), n=r.n, mean=yen(r.value, lang),
             interval=num.interval(r.low, r.high, "JPY", lang), level=level, median=yen(r.row["median"], lang))


def describe_concentration(top: dict, conc: dict, *, lang: str = "en") -> str:
    """The share of the value the top customers hold (:func:`csa.metrics.ltv.top_share`: the high tier of
    the LTV-tiers notebook, the same figure) and the Gini coefficient (:func:`csa.metrics.ltv.concentration`)."""
    return t("concentration", lang, NS, top=num.value(100 * top["top"], "%", lang, digits=0),
             share=num.value(top["share"], "%", lang), n_top=top["n_top"], n=top["n"],
             threshold=yen(top["threshold"], lang), gini=num.number(conc["gini"], 2))


def describe_product(row, *, lang: str = "en") -> str:
    """The product-of-averages trap on the data's own numbers (overall row of product_of_averages)."""
    return t("product", lang, NS, product=yen(row["product_of_means"], lang), mean=yen(row["mean_ltv"], lang),
             gap=num.number(row["gap"], 1, signed=True))


def describe_shortcut(table: pd.DataFrame, months: int, *, span_years: float | None = None, lang: str = "en") -> str:
    """Where the shortcut breaks: cells with no churn observed, and the longest implied lifetime.

    ``span_years``: how many years the subscriptions cover; a longer implied lifetime is flagged
    as never observed.
    """
    inf = table[table["infinite"]]
    finite = table[~table["infinite"]]
    longest = finite.loc[finite["lifetime_years"].idxmax()] if len(finite) else None
    parts = []
    if longest is not None:
        parts.append(t("shortcut_longest", lang, NS, group=_group(longest, table, lang),
                       churn=longest["monthly_churn"], years=longest["lifetime_years"]))
        if span_years is not None and longest["lifetime_years"] > span_years:
            parts[-1] += t("shortcut_unseen", lang, NS, span=span_years)
    if len(inf):
        parts.append(t("shortcut_infinite", lang, NS, n=len(inf), months=months,
                       groups=", ".join(_group(r, table, lang) for _, r in inf.iterrows())))
    return " ".join(parts) if parts else t("shortcut_ok", lang, NS)


def _group(row, table: pd.DataFrame, lang: str) -> str:
    keys = [c for c in ("plan", "segment") if c in table.columns]
    return " × ".join(t(str(row[k]), lang, NS) for k in keys)


def list_sentence(key: str, n: int, shown: int, *, lang: str = "en") -> str:
    """The sentence above an action list (``key``: ``quiet`` or ``buyers``)."""
    return t(key, lang, NS, n=n, shown=min(n, shown))


def describe_no_clv(ds, as_of: pd.Period, *, min_n: int = 30, lang: str = "en") -> str:
    """Why there is no probabilistic CLV: how many repeat buyers of one-off purchases there are."""
    kind = LT.split_orders(ds.orders, ds.subscriptions)
    one = ds.orders[kind == "one_off"]
    n = int((C.rfm_summary(one, as_of=str(as_of))["frequency"] > 0).sum()) if len(one) else 0
    return t("no_clv", lang, NS, n=n, min_n=max(min_n, 4))


def describe_alive(check: pd.DataFrame, bg: C.BGNBD, *, lang: str = "en") -> str:
    """What P(alive) gets right (ranking) and wrong (level) on the sample."""
    rep, one = check.iloc[:-1], check.iloc[-1]
    return t("alive", lang, NS, low_band=rep.iloc[0]["band"], low_active=rep.iloc[0]["active"],
             high_band=rep.iloc[-1]["band"], high_active=rep.iloc[-1]["active"], n_one=int(one["n"]),
             one_active=one["active"], dropout=100 * bg.a / (bg.a + bg.b))


def describe_sensitivity(row, curve: pd.DataFrame, *, small: float = 0.5, lang: str = "en",
                         level: float = 0.95) -> str:
    """The overall churn's interval carried into LTV, and what no cap would do at a small churn.

    ``row`` is the overall row of :func:`csa.metrics.ltv.churn_sensitivity`; ``curve`` is
    :func:`csa.metrics.ltv.ltv_curve` (its row nearest to ``small`` percent gives the uncapped LTV).
    """
    near = curve.iloc[(curve["monthly_churn"] - small).abs().argmin()]
    return t("sensitivity", lang, NS, churn=num.value(row["monthly_churn"], "%", lang, digits=2), level=level,
             interval=num.interval(row["low"], row["high"], "%", lang, digits=2),
             profit=yen(row["annual_profit"], lang), ltv=yen(row["ltv"], lang), years=row["years"],
             ltv_low=yen(row["ltv_low"], lang), ltv_high=yen(row["ltv_high"], lang),
             small=num.value(near["monthly_churn"], "%", lang), uncapped=yen(near["ltv_uncapped"], lang))
