"""The LTV-tiers notebook's view of a Dataset: tiers of the active customers, their sizes and
value shares, the service model and cost to serve per tier, KPIs per tier, tier migration
between two dates, the action lists, and the sentences and headline records of the report.

Every number comes from :mod:`csa.metrics.ltv` or :mod:`csa.metrics.nps` (the LTV per customer
from the KPI catalogue's ``ltv``, as in the LTV notebook: :func:`csa.views.ltv.customers_ltv`);
this module only selects rows and words, and writes numbers with :mod:`csa.numbers`. The
section's figures (the high tier's share of value, high-tier customers without a CSM) are facts,
not catalogue KPIs: :func:`headline_records` makes them with :func:`csa.headline.record`.
"""

from __future__ import annotations

import pandas as pd

from .. import headline as H
from .. import numbers as num
from ..labels import t
from ..metrics import ltv as LT
from ..metrics import nps as N
from ..periods import label
from . import ltv as VL

__all__ = [
    "TIER_ORDER",
    "csm_on_low",
    "describe_actions",
    "describe_costs",
    "describe_kpis",
    "describe_migration",
    "describe_rule",
    "describe_shares",
    "headline_records",
    "high_without_csm",
    "kpi_table",
    "list_sentence",
    "mid_trends",
    "migration",
    "migration_labels",
    "name_tiers",
    "nps_by_tier",
    "scope_sentence",
    "service_model",
    "shares_for_bar",
    "tickets_by_tier",
    "tiered",
    "value_shares",
]

NS = "tiers"
TIER_ORDER = list(LT.TIERS)


def tiered(ds, as_of: pd.Period, *, method: str = "quantile", cuts=(0.8, 0.5), by: str = "plan", cap: float = 5.0,
           churn_months: int = 12, engine: str = "pandas") -> tuple[pd.DataFrame, LT.Tiers]:
    """The active customers at ``as_of`` with their LTV and tier, and the tier rule.

    Returns
    -------
    (DataFrame, Tiers)
        :func:`csa.views.ltv.customers_ltv` rows of the customers subscribed in ``as_of``, plus
        ``tier``; then the :class:`~csa.metrics.ltv.Tiers` result (the rule in money).
    """
    cust = VL.customers_ltv(ds, as_of, by=by, cap=cap, churn_months=churn_months, engine=engine)
    act = cust[cust["active"]].reset_index(drop=True)
    tiers = LT.ltv_tiers(act.set_index("customer_id")["ltv"], method=method, cuts=cuts)
    act["tier"] = tiers.tier.astype(object).to_numpy()
    return act, tiers


def value_shares(act: pd.DataFrame, *, level: float = 0.95, seed: int = 0, min_n: int = 30) -> pd.DataFrame:
    """Per tier (high first): customers and their share, mean LTV with a bootstrap interval, total and value share."""
    tab = LT.value_by_group(act, "ltv", "tier", level=level, seed=seed, min_n=min_n)
    tab = tab.set_index("tier").reindex(TIER_ORDER).reset_index()
    return tab[["tier", "n", "share_n", "mean", "low", "high", "median", "total", "share", "small_n"]]


def shares_for_bar(shares: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Two rows (customers, value) of tier shares in percent, high first, for a stacked bar."""
    s = shares.set_index("tier")
    return pd.DataFrame({"what": [t("customers_share", lang, NS), t("value_share", lang, NS)],
                         **{k: [float(s.loc[k, "share_n"]), float(s.loc[k, "share"])] for k in TIER_ORDER}})


def service_model(lang: str = "en") -> pd.DataFrame:
    """Article 002's service model per tier, in ``lang``: touch, what the customer gets, what it costs the team."""
    rows = [{"tier": t(f"tier_{k}", lang, NS), t("touch", lang, NS): t(f"touch_{k}", lang, NS),
             t("service", lang, NS): t(f"service_{k}", lang, NS),
             t("resources", lang, NS): t(f"resources_{k}", lang, NS)} for k in TIER_ORDER]
    return pd.DataFrame(rows).set_index("tier").rename_axis(t("tier", lang, NS))


def migration(ds, as_of: pd.Period, tiers: LT.Tiers, act_b: pd.DataFrame, *, months_back: int = 12, by: str = "plan",
              cap: float = 5.0, churn_months: int = 12, engine: str = "pandas") -> tuple[pd.DataFrame, pd.Period]:
    """Tier migration from ``as_of − months_back`` to ``as_of``, with the later date's thresholds at both dates.

    Returns
    -------
    (DataFrame or None, Period)
        :func:`csa.metrics.ltv.tier_migration` counts (rows: tier before, and ``new``; columns:
        tier after, and ``churned``) and the earlier month. ``None`` when the subscriptions do not
        reach back to the month before the earlier one (no churn, hence no LTV, there).
    """
    before = as_of - months_back
    if before <= ds.subscriptions["month"].min():
        return None, before
    cust_a = VL.customers_ltv(ds, before, by=by, cap=cap, churn_months=churn_months, engine=engine)
    act_a = cust_a[cust_a["active"]]
    tier_a = LT.ltv_tiers(act_a.set_index("customer_id")["ltv"], method="threshold", cuts=tiers.thresholds).tier
    tier_b = act_b.set_index("customer_id")["tier"]
    return LT.tier_migration(tier_a, tier_b), before


def nps_by_tier(ds, act: pd.DataFrame, as_of: pd.Period, *, months: int = 6, level: float = 0.95,
                min_n: int = 30) -> pd.DataFrame:
    """NPS per tier from the responses of the last ``months`` months up to ``as_of`` (all touchpoints)."""
    if ds.surveys is None:
        return pd.DataFrame(columns=["tier", "n", "nps", "low", "high", "small_n"])
    s = ds.surveys[ds.surveys["survey"] == "nps"]
    m = s["responded_at"].dt.tz_localize(None).dt.to_period("M")
    s = s[(m > as_of - months) & (m <= as_of)].merge(act[["customer_id", "tier"]], on="customer_id")
    tab = N.nps_table(s, "tier", level=level, min_n=min_n)
    return tab.set_index("tier").reindex(TIER_ORDER).reset_index()


def tickets_by_tier(ds, act: pd.DataFrame, as_of: pd.Period, *, months: int = 6, level: float = 0.95,
                    min_n: int = 30) -> pd.DataFrame:
    """Tickets per account per subscribed month over the last ``months`` months, mean per tier with a t interval."""
    sub = ds.subscriptions
    win = sub[(sub["month"] > as_of - months) & (sub["month"] <= as_of)]
    subscribed = win.groupby("customer_id").size().rename("months")
    if ds.tickets is not None:
        tm = ds.tickets["created_at"].dt.tz_localize(None).dt.to_period("M")
        tk = ds.tickets[(tm > as_of - months) & (tm <= as_of)].groupby("customer_id").size().rename("tickets")
    else:
        tk = pd.Series(dtype=float, name="tickets")
    per = act[["customer_id", "tier"]].set_index("customer_id").join(subscribed).join(tk).fillna({"tickets": 0})
    per["per_month"] = per["tickets"] / per["months"]
    tab = LT.mean_by_group(per.reset_index(), "per_month", "tier", level=level, min_n=min_n)
    return tab.set_index("tier").reindex(TIER_ORDER).reset_index()


def kpi_table(nps: pd.DataFrame, tickets: pd.DataFrame, churn: pd.DataFrame | None, *, lang: str = "en",
              min_n: int = 30) -> pd.DataFrame:
    """One row per tier, one column per KPI: ``value [low, high] (n)`` as text; ⚠ marks small groups."""
    def cell(row, digits, sign=False):
        if pd.isna(row.get("value")) or not row["n"]:
            return "—"
        warn = " ⚠" if row["n"] < min_n else ""
        return (f"{num.number(row['value'], digits, signed=sign)} "
                f"{num.interval(row['low'], row['high'], digits=digits, signed=sign)} (n={num.count(row['n'])}){warn}")

    out = pd.DataFrame({"tier": TIER_ORDER})
    if churn is None:  # no earlier date to look back from
        churn = pd.DataFrame({"tier": TIER_ORDER, "n": 0, "churn": float("nan"), "low": float("nan"),
                              "high": float("nan")})
    for name, tab, col, digits, sign in (("kpi_nps", nps, "nps", 1, True), ("kpi_tickets", tickets, "mean", 2, False),
                                         ("kpi_churn", churn, "churn", 1, False)):
        tab = tab.set_index("tier").reindex(TIER_ORDER)
        out[t(name, lang, NS)] = [cell({"value": r[col], "low": r["low"], "high": r["high"], "n": r["n"]}, digits, sign)
                                  for _, r in tab.iterrows()]
    out["tier"] = [t(f"tier_{k}", lang, NS) for k in TIER_ORDER]
    return out.set_index("tier").rename_axis(t("tier", lang, NS))


def name_tiers(table: pd.DataFrame, lang: str = "en", columns=("tier", "projected_tier")) -> pd.DataFrame:
    """A copy with tier values (high/mid/low) in ``lang``, for tables."""
    out = table.copy()
    for c in columns:
        if c in out.columns:
            out[c] = out[c].map(lambda v: t(f"tier_{v}", lang, NS) if isinstance(v, str) else v)
    return out


def migration_labels(mig: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The migration matrix with its row and column names in ``lang`` (for the heatmap)."""
    out = mig.copy()
    out.index = [t(f"tier_{k}" if k in TIER_ORDER else k, lang, NS) for k in out.index]
    out.columns = [t(f"tier_{k}" if k in TIER_ORDER else k, lang, NS) for k in out.columns]
    return out


# ------------------------------------------------------------------------------- action lists

def high_without_csm(act: pd.DataFrame) -> pd.DataFrame:
    """High-tier customers with no CSM assigned, highest LTV first."""
    rows = act[(act["tier"] == "high") & act["csm"].isna()]
    cols = ["customer_id", "name", "plan", "segment", "region", "ltv", "years"]
    return rows.sort_values(["ltv", "customer_id"], ascending=[False, True])[cols].reset_index(drop=True)


def csm_on_low(act: pd.DataFrame, **costs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Low-tier customers with a CSM: the accounts (lowest LTV after cost first) and the hours per CSM.

    ``costs`` are the parameters of :func:`csa.metrics.ltv.cost_to_serve`; the accounts are costed
    as if served high touch (what a CSM assignment amounts to), and the hours per CSM use
    ``csm_hours_high`` (default 4).

    Returns
    -------
    (DataFrame, DataFrame)
        The accounts (``customer_id``, ``name``, ``plan``, ``segment``, ``csm``, ``ltv``,
        ``lifetime_cost`` and ``ltv_after_cost`` at the high-touch cost) and per
        CSM: ``csm``, ``accounts``, ``hours`` (per month, ``hours`` each), ``share_low`` (percent
        of that CSM's accounts that are low tier).
    """
    hours = float(costs.get("csm_hours_high", 4.0))
    has = act[act["csm"].notna()]
    low = has[has["tier"] == "low"].copy()
    cost = LT.cost_to_serve(pd.Series("high", index=low.index), years=low["years"], ltv=low["ltv"], **costs)
    low["lifetime_cost"], low["ltv_after_cost"] = cost["lifetime_cost"], cost["ltv_after_cost"]
    per = pd.DataFrame({"accounts": low.groupby("csm").size(), "all": has.groupby("csm").size()}).fillna(0)
    per = per[per["accounts"] > 0].astype("int64")
    per["hours"] = per["accounts"] * hours
    per["share_low"] = 100 * per["accounts"] / per["all"]
    per = per.rename_axis("csm").reset_index().sort_values(["accounts", "csm"], ascending=[False, True])
    cols = ["customer_id", "name", "plan", "segment", "csm", "ltv", "lifetime_cost", "ltv_after_cost"]
    return (low.sort_values(["ltv_after_cost", "customer_id"])[cols].reset_index(drop=True),
            per[["csm", "accounts", "hours", "share_low"]].reset_index(drop=True))


def mid_trends(ds, act: pd.DataFrame, tiers: LT.Tiers, as_of: pd.Period, *, months: int = 6,
               min_change: float = 10.0) -> pd.DataFrame:
    """Mid-tier customers whose MRR change over ``months`` months, if it holds, moves them up or down a tier.

    Returns
    -------
    DataFrame
        ``customer_id``, ``name``, ``plan``, ``segment``, ``csm``, ``mrr_then``, ``mrr_now``,
        ``change`` (percent), ``ltv``, ``projected_ltv``, ``projected_tier``, ``direction``
        (``up`` first, by projected LTV, then ``down``, by change).
    """
    tr = LT.mrr_trend(ds.subscriptions, as_of=as_of, months=months).set_index("customer_id")
    mid = act[act["tier"] == "mid"].set_index("customer_id")
    tt = LT.tier_trend(mid["ltv"], tr["change"], tiers.thresholds, min_change=min_change)
    out = mid[["name", "plan", "segment", "csm"]].join(tr[["mrr_then", "mrr_now", "change"]]).join(
        tt[["ltv", "projected_ltv", "projected_tier", "direction"]])
    out = out[out["direction"] != "flat"].reset_index()
    up = out[out["direction"] == "up"].sort_values(["projected_ltv", "customer_id"], ascending=[False, True])
    down = out[out["direction"] == "down"].sort_values(["change", "customer_id"])
    return pd.concat([up, down]).reset_index(drop=True)


# ------------------------------------------------------------------------------- sentences

def scope_sentence(as_of: pd.Period, act: pd.DataFrame, *, cap: float, churn_months: int, lang: str = "en") -> str:
    return t("scope", lang, NS, as_of=label(as_of), n=len(act), months=churn_months, cap=cap)


def describe_costs(costs: pd.DataFrame, *, hourly_cost: float, csm_hours_high: float, workshop_cost_mid: float,
                   digital_cost: float, capacity: float, lang: str = "en") -> str:
    """The cost parameters in words, and the CSM hours the high tier needs (``costs``: from ``tier_costs``)."""
    hours = float(costs.set_index("tier").loc["high", "csm_hours"])
    return t("costs", lang, NS, hourly=hourly_cost, hours=csm_hours_high, workshop=workshop_cost_mid,
             digital=digital_cost, csm_hours=hours, fte=hours / capacity if capacity else float("nan"),
             fte_hours=capacity)


def describe_kpis(before: pd.Period, *, months: int, min_n: int = 30, lang: str = "en") -> str:
    return t("kpis", lang, NS, months=months, before=label(before), min_n=min_n)


def list_sentence(key: str, *, lang: str = "en", **values) -> str:
    """The sentence above an action list: ``no_csm_list``, ``low_csm_list`` or ``trend_list``."""
    return t(key, lang, NS, **values)


def describe_rule(tiers: LT.Tiers, *, lang: str = "en") -> str:
    """The tier rule in words and in money."""
    hi, mid = tiers.thresholds
    c = tiers.counts()
    if tiers.method == "quantile":
        return t("rule_quantile", lang, NS, top=100 * (1 - tiers.cuts[0]), next=100 * (tiers.cuts[0] - tiers.cuts[1]),
                 hi=VL.yen(hi, lang), mid=VL.yen(mid, lang), n_high=int(c["high"]), n_mid=int(c["mid"]),
                 n_low=int(c["low"]))
    return t("rule_threshold", lang, NS, hi=VL.yen(hi, lang), mid=VL.yen(mid, lang), n_high=int(c["high"]),
             n_mid=int(c["mid"]), n_low=int(c["low"]))


def describe_shares(shares: pd.DataFrame, as_of: pd.Period, *, lang: str = "en") -> str:
    s = shares.set_index("tier")
    def pct(x, digits=1):
        return num.value(x, "%", lang, digits=digits)

    return t("shares", lang, NS, as_of=label(as_of), n_share=pct(s.loc["high", "share_n"], 0),
             share=pct(s.loc["high", "share"]), low_n=pct(s.loc["low", "share_n"], 0),
             low_share=pct(s.loc["low", "share"]))


def describe_migration(mig: pd.DataFrame | None, before: pd.Period, after: pd.Period, *, first: pd.Period | None = None,
                       lang: str = "en") -> str:
    """How customers moved between tiers, or why there is no migration to show (``mig=None``)."""
    if mig is None:
        return t("migration_none", lang, NS, before=label(before), first=label(first) if first is not None else "?")
    stay = int(sum(mig.loc[k, k] for k in TIER_ORDER))
    start = int(mig.loc[TIER_ORDER].to_numpy().sum())
    up = int(mig.loc["mid", "high"] + mig.loc["low", "high"] + mig.loc["low", "mid"])
    down = int(mig.loc["high", "mid"] + mig.loc["high", "low"] + mig.loc["mid", "low"])
    return t("migration", lang, NS, before=label(before), after=label(after), n=start, stay=stay,
             up=up, down=down, churned=int(mig.loc[TIER_ORDER, "churned"].sum()), new=int(mig.loc["new"].sum()))


def describe_actions(no_csm: int, low_csm: int, hours: float, up: int, down: int, *, lang: str = "en") -> str:
    return t("actions", lang, NS, no_csm=no_csm, low_csm=low_csm, hours=hours, up=up, down=down)


def headline_records(shares: pd.DataFrame, n_no_csm: int, n_high: int, as_of: pd.Period) -> list[dict]:
    """Share of value in the high tier (%) and high-tier customers without a CSM (count): the section's facts.

    The share is :func:`value_shares`' (:func:`csa.metrics.ltv.share_of_value`): with the default
    rule the same figure as the LTV notebook's "top 20 %" (:func:`csa.metrics.ltv.top_share`).
    """
    s = shares.set_index("tier")
    n = int(s["n"].sum())
    share = H.record("tiers_high_value_share", {"en": t("record_share", "en", NS), "ja": t("record_share", "ja", NS)},
                     label(as_of), value=s.loc["high", "share"], n=n, unit="%", direction="higher", min_n=0)
    gap = H.record("tiers_high_without_csm", {"en": t("record_no_csm", "en", NS), "ja": t("record_no_csm", "ja", NS)},
                   label(as_of), value=n_no_csm, n=n_high, unit="count", direction="lower", min_n=0)
    return [share, gap]
