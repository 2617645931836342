"""The churn notebook's view of a Dataset: subscriptions with customer attributes, the report
period, the tables and the sentences (English or Japanese) and the headline records.

Every number comes from :mod:`csa.metrics.churn`, :mod:`csa.metrics.survival` or
:mod:`csa.metrics.sbg`; this module only selects rows and words.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import kpi as K
from .. import numbers as num
from ..joins import attach
from ..labels import t
from ..metrics import churn as C
from ..metrics import nps as N
from ..metrics import sbg as B
from ..metrics import survival as SV
from ..periods import label, parse_period, period_of
from .common import Headline, Periods, filtered, filters_phrase, headline, scope
from .csat import p_text

__all__ = ["DRIVER_ORDER", "HEADLINE_KPIS", "TELCO_PUBLISHED", "cohort_matrix", "default_quarter", "describe_customer",
           "describe_drivers", "describe_km", "describe_reconciliation", "describe_revenue", "describe_sbg",
           "describe_telco", "driver_frame", "drivers", "drivers_for_chart", "headlines", "km",
           "km_table", "lifetimes", "periods", "reconciliation", "same_period_rows", "sbg_cohorts", "sbg_table",
           "scope_sentence", "subscriptions", "telco", "telco_by_contract", "telco_km", "trends", "upto",
           "waterfall_table", "yes_no"]

NS = "churn"
CUSTOMER_COLUMNS = ["customer_id", "name", "segment", "plan", "csm"]


# ------------------------------------------------------------------------------- rows and periods

def subscriptions(ds, *, segment: str = "", plan: str = "") -> pd.DataFrame:
    """The ``subscriptions`` of a :class:`~csa.Dataset` with each customer's ``segment`` and ``plan``.

    Parameters
    ----------
    ds : Dataset
        Needs ``customers`` and ``subscriptions``.
    segment, plan : str
        Customer filters (:func:`csa.views.common.filtered`); a scope without subscriptions is an error.

    Returns
    -------
    DataFrame
        ``customer_id``, ``month``, ``mrr``, ``segment``, ``plan``.
    """
    ds.require("subscriptions")
    cust = ds.customers[["customer_id", "segment", "plan"]]
    out = filtered(attach(ds.subscriptions, cust, "customer_id"), "subscriptions", segment=segment, plan=plan)
    if out.empty:
        raise ValueError("no subscriptions for this segment and plan: choose a wider scope")
    return out.reset_index(drop=True)


def _complete(months: pd.Series, freq: str) -> pd.Period:
    """The latest period whose months are all in the data (a period with no month before it cannot count)."""
    last = months.max()
    p = last.asfreq({"month": "M", "quarter": "Q-DEC", "fiscal_year": "Y-MAR"}[freq])
    return p if p.end_time.to_period("M") <= last else p - 1


def periods(subs: pd.DataFrame, period: str = "", compare_period: str = "", freq: str = "month") -> Periods:
    """The report period (default: the latest *complete* one in the data) and the comparison period.

    Examples
    --------
    >>> subs = pd.DataFrame({"month": pd.PeriodIndex(["2026-08", "2026-09", "2026-10"], freq="M")})
    >>> periods(subs), periods(subs, freq="quarter")
    (Periods('2026-10', compared with '2026-09'), Periods('2026Q3', compared with '2026Q2'))
    """
    this = parse_period(period, freq) if period else _complete(subs["month"], freq)
    prev = parse_period(compare_period, freq) if compare_period else this - 1
    return Periods(this, prev, freq)


def upto(subs: pd.DataFrame, P: Periods) -> pd.DataFrame:
    """The rows up to the end of the report period: every section shows what was known then."""
    end = P.this.end_time.to_period("M")
    return subs[subs["month"] <= end].reset_index(drop=True)


def scope_sentence(P: Periods, subs: pd.DataFrame, *, segment: str = "", plan: str = "", lang: str = "en") -> str:
    """What the notebook is looking at, in one sentence."""
    scope = filters_phrase(NS, lang, segment=segment, plan=plan)
    return t("scope", lang, NS, period=P.this_label, prev=P.prev_label, scope=scope,
             n=subs["customer_id"].nunique(), first=str(subs["month"].min()), last=str(subs["month"].max()))


# ------------------------------------------------------------------------------- this period

#: the section's headline KPIs (catalogue ids): customer churn, gross revenue churn, net revenue retention
HEADLINE_KPIS = ("churn", "revenue_churn", "nrr")


def headlines(ds, P: Periods, *, engine: str = "pandas", level: float = 0.95, min_n: int = 30, segment: str = "",
              plan: str = "", same_period: str = "exclude") -> dict[str, Headline]:
    """The section's headline KPIs of the catalogue in the report period and the comparison period.

    Returns
    -------
    dict
        ``"churn"`` (customer churn, with ``same_period``), ``"revenue_churn"`` (gross) and ``"nrr"``
        (net revenue retention: 100 − net revenue churn): each a
        :class:`csa.views.common.Headline` of :func:`csa.measure` on ``engine``, with the record
        the section publishes. A period that cannot be computed has ``n == 0``.
    """
    common = dict(section="churn", engine=engine, level=level, min_n=min_n, where=scope(segment=segment, plan=plan))
    return {"churn": headline("churn", ds, P, same_period=same_period, **common),
            "revenue_churn": headline("revenue_churn", ds, P, **common),
            "nrr": headline("nrr", ds, P, **common)}


def _pct(x, lang: str, digits: int = 2) -> str:
    return num.value(x, "%", lang, digits=digits)


def describe_customer(h: dict[str, Headline], P: Periods, *, lang: str = "en", level: float = 0.95,
                      min_n: int = 30) -> str:
    """The period's customer churn in one Markdown sentence, with the change against the comparison period."""
    hl = h["churn"]
    cc, prev = hl.this, hl.prev
    if not cc.n:
        return t("churn_none", lang, NS, period=P.this_label)
    text = t("churn_headline", lang, NS, name=K.KPIS["churn"].name[lang], period=P.this_label,
             value=_pct(cc.value, lang), level=level, interval=num.interval(cc.low, cc.high, "%", lang, digits=2),
             churned=int(cc.row["successes"]), n=cc.n)
    if cc.row.get("partial"):
        text += t("partial", lang, NS, period=P.this_label)
    if cc.excluded:
        text += t("same_period_note", lang, NS, k=cc.excluded)
    if cc.n < min_n:
        text += t("small", lang, NS, n=cc.n, min_n=min_n)
    d = hl.change
    if d is None or d["low"] is None:
        return text + t("change_none", lang, NS, prev=P.prev_label)
    real = d["low"] > 0 or d["high"] < 0
    return text + t("change", lang, NS, prev=P.prev_label, before=_pct(prev.value, lang),
                    diff=num.change(d["diff"], "%", lang, digits=2), level=level,
                    interval=num.interval(d["low"], d["high"], "%", lang, digits=2, signed=True),
                    p=num.p_value(d["p_value"])) + t("change_real" if real else "change_noise", lang, NS)


def describe_revenue(h: dict[str, Headline], P: Periods, *, lang: str = "en", level: float = 0.95,
                     min_n: int = 30) -> str:
    """The period's revenue churn (gross and net), NRR and GRR in Markdown, against the customer churn.

    Net revenue churn is ``100 − NRR`` (the catalogue's NRR: 100 % − net revenue churn) and GRR is
    ``100 − gross revenue churn``: the same results, read the other way round.
    """
    rc, nrr = h["revenue_churn"].this, h["nrr"].this
    start = rc.row.get("mrr_start") or 0
    if not rc.n or not start:
        return t("revenue_none", lang, NS, period=P.this_label)
    net, nlow, nhigh = 100 - nrr.value, 100 - nrr.high, 100 - nrr.low
    ok = all(math.isfinite(v) for v in (rc.low, rc.high, nlow, nhigh))
    text = t("revenue_headline" if ok else "revenue_headline_noci", lang, NS, period=P.this_label,
             gross=_pct(rc.value, lang), gross_ci=num.interval(rc.low, rc.high, "%", lang, digits=2),
             net=_pct(net, lang), net_ci=num.interval(nlow, nhigh, "%", lang, digits=2), level=level,
             nrr=_pct(nrr.value, lang, 1), nrr_ci=num.interval(nrr.low, nrr.high, "%", lang, digits=1),
             grr=_pct(100 - rc.value, lang, 1), start=num.value(start, "JPY", lang),
             churn=K.KPIS["revenue_churn"].name[lang], nrr_name=K.KPIS["nrr"].title(lang),
             grr_name=K.KPIS["grr"].title(lang))
    if rc.n < min_n:
        text += t("small", lang, NS, n=rc.n, min_n=min_n)
    prev_rc, prev_nrr = h["revenue_churn"].prev, h["nrr"].prev
    if prev_rc.n and (prev_rc.row.get("mrr_start") or 0):
        text += t("revenue_prev", lang, NS, prev=P.prev_label, gross=_pct(prev_rc.value, lang),
                  net=_pct(100 - prev_nrr.value, lang))
    cc = h["churn"].this
    if cc.n and rc.value > cc.value:
        text += t("revenue_bigger", lang, NS)
    elif cc.n and rc.value < cc.value:
        text += t("revenue_smaller", lang, NS)
    return text


def waterfall_table(movements, *, lang: str = "en", unit: float = 1e6) -> pd.DataFrame:
    """The MRR bridge of the period for :func:`csa.display.lifecycle.waterfall` (amounts in millions).

    ``movements``: anything with the MRR at the start and the movements (the ``row`` of the
    catalogue's ``revenue_churn``, a :class:`csa.metrics.churn.RevenueChurn`); the end is
    :func:`csa.metrics.churn.mrr_end` of them.

    Returns
    -------
    DataFrame
        ``label`` (translated), ``value`` (signed: + for new, reactivation, expansion; − for
        contraction and churned; levels for the start and the end) and ``kind`` (``total``,
        ``up``, ``down``).
    """
    get = movements.get if isinstance(movements, dict) else (lambda k: getattr(movements, k))
    rows = [(t("mrr_start", lang, NS), get("mrr_start") / unit, "total")]
    for key in C.MOVEMENTS:
        sign = -1 if key in ("contraction", "churned") else 1
        rows.append((t(f"mv_{key}", lang, NS), sign * get(key) / unit, "up" if sign > 0 else "down"))
    rows.append((t("mrr_end", lang, NS), C.mrr_end({k: get(k) for k in ("mrr_start", *C.MOVEMENTS)}) / unit,
                 "total"))
    return pd.DataFrame(rows, columns=["label", "value", "kind"])


def trends(ds, P: Periods, *, engine: str = "pandas", level: float = 0.95, min_n: int = 30, segment: str = "",
           plan: str = "", same_period: str = "exclude") -> dict[str, pd.DataFrame]:
    """Monthly customer churn and gross revenue churn up to the report period's end, through the catalogue
    (:func:`csa.kpi.table` on ``engine``): ``{"churn": …, "revenue_churn": …}``, each with a text
    ``period`` column for charts, ``value``, ``low``, ``high``, ``n`` and ``small_n``."""
    end = P.this.end_time.to_period("M")
    where = scope(segment=segment, plan=plan)
    out = {}
    for kpi, params in (("churn", {"same_period": same_period}), ("revenue_churn", {})):
        tab = K.table(kpi, ds, freq="month", engine=engine, level=level, min_n=min_n, where=where, **params)
        tab = tab[tab["period"] <= end].reset_index(drop=True)
        out[kpi] = tab.assign(period=tab["period"].astype(str))
    return out


# ------------------------------------------------------------------------------- cohorts

def cohort_matrix(subs: pd.DataFrame, *, value: str = "customer_retention", step: int = 3,
                  lang: str = "en") -> pd.DataFrame:
    """Cohort retention as a matrix for a heatmap: quarterly cohorts (rows, with their size) by
    months since the first (columns every ``step`` months), in percent."""
    tab = C.cohort_table(subs, freq="quarter")
    if tab.empty:
        return pd.DataFrame()
    wide = tab.pivot(index="cohort", columns="age", values=value)
    wide = wide[[a for a in wide.columns if a % step == 0]]
    sizes = tab.groupby("cohort")["customers"].first()
    wide.index = [t("cohort_row", lang, NS, cohort=str(c), n=int(sizes[c])) for c in wide.index]
    wide.columns = [str(a) for a in wide.columns]
    return wide


# ------------------------------------------------------------------------------- survival

def lifetimes(subs: pd.DataFrame) -> pd.DataFrame:
    """One row per customer first seen after the data's first month (their whole life is in the
    data), with ``plan``, ``segment`` and the quarterly ``cohort``; see
    :func:`csa.metrics.churn.lifetimes`."""
    lt = C.lifetimes(subs)
    attrs = subs.drop_duplicates("customer_id")[["customer_id", "plan", "segment"]]
    lt = lt[~lt["left_censored"]].merge(attrs, on="customer_id", how="left")
    return lt.assign(cohort=lt["first_month"].dt.asfreq("Q-DEC"))


def km(lt: pd.DataFrame, by: str, *, level: float = 0.95) -> tuple[pd.DataFrame, SV.LogRank | None]:
    """Kaplan–Meier curves by ``by`` in percent, and the log-rank test (``None`` with one group)."""
    groups = lt[by].dropna().unique()
    if len(groups) < 2:
        r = SV.survival(lt["duration"], lt["churned"], level=level)
        curves = r.table.assign(**{by: groups[0] if len(groups) else ""})
        test = None
    else:
        curves, test = SV.survival_by(lt, by, duration="duration", observed="churned", level=level)
    pct = curves.assign(**{c: 100 * curves[c] for c in ("survival", "low", "high")})
    return pct, test


def km_table(test: SV.LogRank | None, *, lang: str = "en") -> pd.DataFrame:
    """Per group: customers, churns seen, churns expected if all groups were alike, median lifetime
    (months; "not reached" while more than half are still subscribed)."""
    if test is None:
        return pd.DataFrame()
    g = test.groups.copy()

    def months(v):
        return t("not_reached", lang, NS) if math.isinf(v) or math.isnan(v) else f"{v:.0f}"

    g["group"] = [t(str(v), lang, NS) for v in g["group"]]
    g["median"] = [months(v) for v in g["median"]]
    g["median_ci"] = [f"{months(lo)} – {months(hi)}" for lo, hi in zip(test.groups["median_low"],
                                                                       test.groups["median_high"])]
    return g.drop(columns=["median_low", "median_high"]).rename(columns={"group": "group_name"})


def describe_km(test: SV.LogRank | None, curves: pd.DataFrame, by: str, *, at: int = 12,
                lang: str = "en") -> str:
    """The survival of each group after ``at`` months, and whether the curves differ (log-rank)."""
    parts = []
    for name, part in curves.groupby(by, sort=True):
        row = part[part["t"] <= at].iloc[-1]
        parts.append(t("km_item", lang, NS, group=t(str(name), lang, NS), s=row["survival"], low=row["low"],
                       high=row["high"]))
    text = t("km_headline", lang, NS, at=at, items=t("list_sep", lang, NS).join(parts))
    if test is None:
        return text
    return text + t("km_test", lang, NS, chi2=test.statistic, df=test.df, p=p_text(test.p_value)) + \
        t("km_differ" if test.p_value < 0.05 else "km_same", lang, NS)


# ------------------------------------------------------------------------------- vendors

def default_quarter(subs: pd.DataFrame, quarter: str = "") -> str:
    """``quarter``, or the latest complete quarter of the data (``""`` when the data hold none with
    a month before it)."""
    if quarter:
        return quarter.strip().upper()
    q = _complete(subs["month"], "quarter")
    return label(q, "quarter") if q.start_time.to_period("M") - 1 >= subs["month"].min() else ""


def reconciliation(subs: pd.DataFrame, quarter: str, *, level: float = 0.95, lang: str = "en") -> pd.DataFrame:
    """:func:`csa.metrics.churn.reconcile` with the definitions named in ``lang`` and what each counts."""
    tab = C.reconcile(subs, quarter, level=level)
    tab["rule"] = [t(f"rule_{k}", lang, NS) for k in tab["definition"]]
    tab["definition"] = [t(f"def_{k}", lang, NS) for k in tab["definition"]]
    tab["n"] = tab["n"].astype(object).where(tab.index != tab.index[-1], "—")  # the Shopify sum has no denominator
    tab = tab.rename(columns={"n": "denominator", "churned": "numerator"})
    return tab[["definition", "rule", "denominator", "numerator", "customer_churn", "low", "high", "gross", "net",
                "nrr"]]


def same_period_rows(subs: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """The customers who make the definitions differ (joined inside the quarter and gone by its end,
    and returning customers), with plan and segment."""
    rows = C.same_period_customers(subs, quarter)
    rows = rows[rows["gone"] | rows["returning"]]
    attrs = subs.drop_duplicates("customer_id")[["customer_id", "plan", "segment"]]
    return rows.merge(attrs, on="customer_id", how="left").astype({"mrr": "int64"})


def yes_no(table: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """Boolean columns shown as "yes" or an empty cell, in ``lang``."""
    out = table.copy()
    for c in out.columns:
        if pd.api.types.is_bool_dtype(out[c]):
            out[c] = [t("yes", lang, NS) if v else "" for v in out[c]]
    return out


def describe_reconciliation(tab: pd.DataFrame, rows: pd.DataFrame, quarter: str, *, lang: str = "en") -> str:
    """How far apart the definitions are on the quarter, and why."""
    v = tab["customer_churn"].astype(float)
    g = tab["gross"].astype(float)
    return t("reconcile_headline", lang, NS, quarter=quarter, lo=v.min(), hi=v.max(), glo=g.min(), ghi=g.max(),
             k=int(rows["gone"].sum()), r=int(rows["returning"].sum()))


# ------------------------------------------------------------------------------- drivers

def _nps_group(scores: pd.Series) -> pd.Series:
    return pd.Series(N.classify(scores), index=scores.index)


def _ces_group(scores: pd.Series) -> pd.Series:
    s = scores.astype(float)
    return pd.Series(np.where(s <= 2, "ces_easy", np.where(s >= 6, "ces_hard", "ces_middle")), index=scores.index)


def driver_frame(ds, subs: pd.DataFrame, *, horizon: int = 6, lookback: int = 3) -> tuple[pd.DataFrame, pd.Period]:
    """Customers subscribed at the last relationship-survey wave that has ``horizon`` months of data
    after it, what was known about them then, and whether they churned within ``horizon`` months.

    Returns
    -------
    (DataFrame, Period)
        One row per customer subscribed in the wave's month ``W``: ``churned`` (not subscribed in
        ``W + horizon``), ``nps`` (group of their last NPS answer up to ``W``, or ``no_answer``),
        ``ces`` (last CES answer: ``ces_easy`` 1–2, ``ces_middle`` 3–5, ``ces_hard`` 6–7, or
        ``no_answer``), ``tickets`` (tickets in the ``lookback`` months up to ``W``: ``t0``, ``t1_2``,
        ``t3``), ``complaint`` (``complaint_yes`` / ``complaint_no``); and ``W``. ``(empty, None)``
        when no wave has ``horizon`` months after it.
    """
    last = subs["month"].max()
    waves = []
    if ds.surveys is not None:
        rel = ds.surveys[(ds.surveys["survey"] == "nps") & (ds.surveys["touchpoint"] == "relationship")]
        waves = sorted(set(period_of(rel["responded_at"], "month")))
    waves = [w for w in waves if w + horizon <= last]
    if not waves:
        return pd.DataFrame(), None
    W = waves[-1]
    at = subs[subs["month"] == W]["customer_id"].unique()
    later = set(subs.loc[subs["month"] == W + horizon, "customer_id"])
    out = pd.DataFrame({"customer_id": at})
    out["churned"] = ~out["customer_id"].isin(later)
    sv = ds.surveys.assign(_m=period_of(ds.surveys["responded_at"], "month"))
    sv = sv[sv["_m"] <= W].sort_values(["responded_at", "response_id"])
    for kind, fn in (("nps", _nps_group), ("ces", _ces_group)):
        lastans = sv[sv["survey"] == kind].groupby("customer_id")["score"].last()
        out[kind] = out["customer_id"].map(fn(lastans)).fillna("no_answer")
    if ds.tickets is not None:
        tk = ds.tickets.assign(_m=period_of(ds.tickets["created_at"], "month"))
        tk = tk[(tk["_m"] <= W) & (tk["_m"] > W - lookback)]
        n = out["customer_id"].map(tk.groupby("customer_id").size()).fillna(0)
        out["tickets"] = np.where(n == 0, "t0", np.where(n <= 2, "t1_2", "t3"))
        comp = set(tk.loc[tk["is_complaint"].astype(bool), "customer_id"])
        out["complaint"] = np.where(out["customer_id"].isin(comp), "complaint_yes", "complaint_no")
    return out, W


DRIVER_ORDER = {"nps": ["promoter", "passive", "detractor", "no_answer"],
                "ces": ["ces_easy", "ces_middle", "ces_hard", "no_answer"],
                "tickets": ["t0", "t1_2", "t3"], "complaint": ["complaint_no", "complaint_yes"]}


def drivers(frame: pd.DataFrame, *, level: float = 0.95, min_n: int = 30, lang: str = "en") -> pd.DataFrame:
    """Churn share by each driver's groups (:func:`csa.metrics.churn.churn_by`), one table.

    Returns
    -------
    DataFrame
        ``driver``, ``group`` (keys), ``label`` (``"driver: group"`` in ``lang``), ``n``,
        ``churned``, ``value``, ``low``, ``high``, ``small_n``; drivers in a fixed order, groups
        from the best to the worst expected. ``attrs["overall"]``: the churn share of all of them.
    """
    parts = []
    for drv, order in DRIVER_ORDER.items():
        if drv not in frame.columns:
            continue
        tab = C.churn_by(frame, drv, level=level, min_n=min_n).rename(columns={drv: "group"})
        tab["group"] = pd.Categorical(tab["group"], categories=order)
        tab = tab.sort_values("group").assign(driver=drv)
        tab["group"] = tab["group"].astype(str)
        parts.append(tab)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    out.attrs["overall"] = float(C.churn_by(frame, level=level)["value"].iloc[0])
    out["label"] = [t("drv_label", lang, NS, driver=t("drv_" + d, lang, NS), group=t(g, lang, NS))
                    for d, g in zip(out["driver"], out["group"], strict=True)]
    return out[["driver", "group", "label", "n", "churned", "value", "low", "high", "small_n"]]


def drivers_for_chart(tab: pd.DataFrame) -> pd.DataFrame:
    """The drivers table in the order a horizontal chart shows top-down (its first row at the top)."""
    out = tab.iloc[::-1].reset_index(drop=True)
    out.attrs = dict(tab.attrs)
    return out


def describe_drivers(tab: pd.DataFrame, wave, horizon: int, *, lang: str = "en", level: float = 0.95) -> str:
    """Detractors against promoters: the difference of their churn with its interval."""
    if tab.empty or wave is None:
        return t("drivers_none", lang, NS, horizon=horizon)
    n = tab[tab["driver"] == "nps"].set_index("group")
    text = t("drivers_headline", lang, NS, wave=str(wave), horizon=horizon, n=int(n["n"].sum()))
    if {"detractor", "promoter"} <= set(n.index) and n.loc["detractor", "n"] and n.loc["promoter", "n"]:
        d = C.compare(n.loc["detractor"], n.loc["promoter"], level=level)
        text += t("drivers_nps", lang, NS, det=n.loc["detractor", "value"], pro=n.loc["promoter", "value"],
                  diff=d.diff, level=level, low=d.low, high=d.high, p=p_text(d.p_value))
    return text + t("drivers_caution", lang, NS)


# ------------------------------------------------------------------------------- projection

def sbg_cohorts(lt: pd.DataFrame, *, min_months: int = 6, horizon: int = 36,
                level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sBG model fitted to each quarterly cohort observed for at least ``min_months`` months.

    Returns
    -------
    (DataFrame, DataFrame)
        A summary per cohort (``cohort``, ``n``, ``churned``, ``months`` observed, ``alpha``,
        ``beta`` (missing when ``alike``), ``mean_churn`` %, ``s12``/``s24``/``s36`` projected survival %
        with ``_low``/``_high``, ``alike``: the data show no difference between the customers' churn
        probabilities, the model is then geometric, see :class:`csa.metrics.sbg.SBGFit`) and the curves (``cohort``,
        ``t``, ``survival``, ``low``, ``high`` in %, ``observed``; plus the cohort's observed
        Kaplan–Meier points ``km``).
    """
    rows, curves = [], []
    for cohort, g in lt.groupby("cohort", sort=True):
        months = int(g["months"].max())
        if months < min_months or not g["churned"].any():
            continue
        m = B.fit_durations(g["duration"], g["churned"], level=level)
        p = m.project(horizon)
        km_ = SV.survival(g["duration"], g["churned"])
        p["km"] = np.where(p["observed"], 100 * km_.at(p["t"].to_numpy(float)), np.nan)
        for c in ("survival", "low", "high"):
            p[c] = 100 * p[c]
        curves.append(p.assign(cohort=str(cohort)))
        row = {"cohort": str(cohort), "n": m.n, "churned": m.churned, "months": m.periods,
               "alpha": np.nan if m.at_bound else m.alpha, "beta": np.nan if m.at_bound else m.beta,
               "mean_churn": 100 * m.mean_churn, "alike": m.at_bound}
        for k in (12, 24, 36):
            if k <= horizon:
                r = p.loc[p["t"] == k].iloc[0]
                row.update({f"s{k}": r["survival"], f"s{k}_low": r["low"], f"s{k}_high": r["high"]})
        rows.append(row)
    return pd.DataFrame(rows), (pd.concat(curves, ignore_index=True) if curves else pd.DataFrame())


def sbg_table(summary: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """The per-cohort projection, compact for reading: size, months seen, mean monthly churn, the
    share projected after 12, 24 and 36 months and the 36-month interval."""
    if summary.empty:
        return summary
    out = summary[["cohort", "n", "churned", "months", "mean_churn", "s12", "s24", "s36"]].copy()
    out["s36_ci"] = [f"{lo:.0f} – {hi:.0f}" for lo, hi in zip(summary["s36_low"], summary["s36_high"], strict=True)]
    out["alike"] = summary["alike"].astype(bool)
    return yes_no(out, lang=lang)


def describe_sbg(summary: pd.DataFrame, *, lang: str = "en") -> str:
    """The projected retention after 12, 24 and 36 months of the oldest and the youngest cohort fitted."""
    if summary.empty:
        return t("sbg_none", lang, NS)
    old, young = summary.iloc[0], summary.iloc[-1]
    return t("sbg_headline", lang, NS, k=len(summary), old=old["cohort"], o24=old["s24"], o36=old["s36"],
             young=young["cohort"], y24=young["s24"], y36=young["s36"], ylow=young["s36_low"],
             yhigh=young["s36_high"])


# ------------------------------------------------------------------------------- Telco

#: published figures for the Telco data (see the notebook's references)
TELCO_PUBLISHED = {"customers": 7043, "churned": 1869,
                   "databricks_subset": 3351, "databricks_churned": 1556, "databricks_median": 34.0}


def telco(df: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """The Telco churn share overall (Wilson interval), as a one-row table."""
    return C.churn_by(df.assign(churned=df["Churn"] == "Yes"), level=level)


def telco_by_contract(df: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """The Telco churn share by contract type, with intervals (every group is large: no small-n flag)."""
    return C.churn_by(df.assign(churned=df["Churn"] == "Yes"), "Contract", level=level).drop(columns="small_n")


def telco_km(df: pd.DataFrame, *, level: float = 0.95) -> tuple[pd.DataFrame, SV.LogRank]:
    """Kaplan–Meier curves of ``tenure`` by ``Contract`` (in percent) and the log-rank test."""
    work = df.assign(churned=df["Churn"] == "Yes")
    curves, test = SV.survival_by(work, "Contract", duration="tenure", observed="churned", level=level)
    return curves.assign(**{c: 100 * curves[c] for c in ("survival", "low", "high")}), test


def describe_telco(overall: pd.DataFrame, subset: SV.SurvivalResult, *, lang: str = "en") -> str:
    """The Telco figures against the published ones."""
    r = overall.iloc[0]
    return t("telco_headline", lang, NS, n=int(r["n"]), churned=int(r["churned"]), value=r["value"],
             low=r["low"], high=r["high"], sub_n=subset.n, sub_events=subset.events, median=subset.median,
             **{f"pub_{k}": v for k, v in TELCO_PUBLISHED.items()})
