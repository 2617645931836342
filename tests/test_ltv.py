"""LTV metrics (csa.metrics.ltv), the LTV view and notebook, and the value charts (csa.display.value).

Numbers are pinned to hand computations from the definitions (article 002), intervals to
independent implementations (statsmodels, scipy), and the notebook's headline to an independent
pandas computation from the raw CSV files.
"""

from __future__ import annotations

import functools
import math
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

import csa
from csa.metrics import ltv as LT
from csa.views import ltv as VL
from csa.views.common import headline

from . import helpers
from .conftest import SAMPLE

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


@pytest.fixture(scope="module")
def cust(ds):
    return VL.customers_ltv(ds, pd.Period("2026-10", "M"))


# ------------------------------------------------------------------ independent computation from the raw files

def independent_ltv(folder=SAMPLE, as_of="2026-10", cap=5.0, window=12) -> pd.DataFrame:
    """LTV per customer with plain pandas and Python sets, from the CSV files (no csa code).

    Computed once per arguments in a test process (about 1 s each; here and in test_tiers, 6 calls), a copy
    for each caller; ``folder``'s files must not change during the session.
    """
    return _independent_ltv(folder, as_of, cap, window).copy()


@functools.cache
def _independent_ltv(folder, as_of, cap, window) -> pd.DataFrame:
    o = pd.read_csv(folder / "orders.csv")
    s = pd.read_csv(folder / "subscriptions.csv", dtype={"month": str})
    c = pd.read_csv(folder / "customers.csv").set_index("customer_id")
    o["month"] = pd.to_datetime(o["ordered_at"], utc=True).dt.tz_convert("Asia/Tokyo").dt.strftime("%Y-%m")
    end = pd.Period(as_of, "M")
    members = s.groupby("month")["customer_id"].apply(set)
    at_risk, lost = {}, {}
    for m in pd.period_range(end=end, periods=window, freq="M"):
        prev, cur = members.get(str(m - 1), set()), members.get(str(m), set())
        for cid in prev:
            p = c.at[cid, "plan"]
            at_risk[p] = at_risk.get(p, 0) + 1
            lost[p] = lost.get(p, 0) + (cid not in cur)
    years = {}
    for p in at_risk:
        annual = 1 - (1 - lost[p] / at_risk[p]) ** 12
        years[p] = min(1 / annual, cap) if annual > 0 else cap
    o = o[o["month"] <= as_of]
    o["gp"] = o["amount"] * o["gross_margin"]
    g = o.groupby("customer_id").agg(n=("amount", "size"), revenue=("amount", "sum"), gp=("gp", "sum"),
                                     first=("month", "min"), last_order=("month", "max"))
    subs = s[s["month"] <= as_of].groupby("customer_id")["month"].max()
    active = members.get(as_of, set())
    rows = []
    for cid, r in g.iterrows():
        last = as_of if cid in active else max(r["last_order"], subs.get(cid, r["last_order"]))
        months = (pd.Period(last, "M") - pd.Period(r["first"], "M")).n + 1
        y = years[c.at[cid, "plan"]]
        rows.append({"customer_id": cid, "active": cid in active, "months": months, "years": y,
                     "ltv": r["gp"] / months * 12 * y, "revenue": r["revenue"], "gp": r["gp"]})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ the formulas

def test_ltv_is_the_seed_formula():
    assert LT.ltv(50_000, 0.78, 12, 4) == pytest.approx(1_872_000)
    out = LT.ltv([9_800, 198_000], [0.72, 0.82], 12, [2.5, 6.0])
    assert out.tolist() == pytest.approx([9_800 * 0.72 * 12 * 2.5, 198_000 * 0.82 * 12 * 6])
    assert math.isnan(LT.ltv(np.nan, 0.5, 12, 1))
    s = pd.Series([1.0, 2.0], index=["a", "b"])
    assert isinstance(LT.ltv(s, 0.5, 12, 1), np.ndarray)


@pytest.mark.parametrize("args,match", [
    ((50_000, 78, 12, 4), "fraction"),           # a margin in percent
    ((-1, 0.5, 12, 4), ">= 0"),
    ((50_000, 0.5, 12, math.inf), "cap them"),   # zero churn, uncapped
    (("x", 0.5, 12, 4), "number"),
])
def test_ltv_refuses_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        LT.ltv(*args)


def test_ltv_from_churn_by_hand_and_at_zero_churn():
    assert LT.ltv_from_churn(50_000, 0.02, gross_margin=0.78) == pytest.approx(50_000 * 0.78 / 0.02)
    assert LT.ltv_from_churn([9_800, 49_800], [0.035, 0.02]).tolist() == pytest.approx([280_000, 2_490_000])
    assert math.isnan(LT.ltv_from_churn(50_000, np.nan))
    with pytest.raises(ValueError, match=r"churn is 0 \(at position 1\).*years_retained"):
        LT.ltv_from_churn([1.0, 2.0], [0.1, 0.0])
    with pytest.raises(ValueError, match=r"2 % is 0\.02"):
        LT.ltv_from_churn(50_000, 2.0)


def test_annual_churn_and_years_retained_by_hand():
    assert LT.annual_churn(0.02) == pytest.approx(1 - 0.98**12)
    assert LT.annual_churn(0.02) < 12 * 0.02
    y = LT.years_retained([0.5, 0.25, 0.1, 0.0, np.nan], cap=5)
    assert y[:4].tolist() == [2.0, 4.0, 5.0, 5.0] and math.isnan(y[4])
    assert LT.years_retained(0.1, cap=20) == pytest.approx(10.0)
    with pytest.raises(ValueError, match="cap"):
        LT.years_retained(0.1, cap=0)


def test_ltv_curve_three_ways_by_hand():
    c = LT.ltv_curve(1000.0, [0.01, 0.04], cap=5)
    annual = 1 - 0.99**12
    assert c["ltv_uncapped"].iloc[0] == pytest.approx(1000 / annual)
    assert c["ltv"].iloc[0] == pytest.approx(5000)  # 8.8 years, capped
    assert c["ltv_shortcut"].tolist() == pytest.approx([1000 / 0.01 / 12, 1000 / 0.04 / 12])
    with pytest.raises(ValueError, match="> 0"):
        LT.ltv_curve(1.0, [0.0])


# ------------------------------------------------------------------ orders and churn

def test_split_orders_finds_one_invoice_per_subscribed_month(ds):
    kind = LT.split_orders(ds.orders, ds.subscriptions)
    assert (kind == "invoice").sum() == len(ds.subscriptions) == 26_430
    assert (kind == "one_off").sum() == 28_074 - 26_430
    inv = ds.orders[kind == "invoice"]
    assert (inv["ordered_at"].dt.day == 1).all() and (inv["ordered_at"].dt.hour == 9).all()


def _subs(rows):
    return pd.DataFrame(rows, columns=["customer_id", "month"]).assign(
        month=lambda d: pd.PeriodIndex(d["month"], freq="M"))


def test_churn_counts_by_hand_with_a_gap():
    # a: Jan–Mar; b: Jan, gone in Feb, back in Mar (lost once, then new); c: Jan–Feb
    s = _subs([("a", "2026-01"), ("a", "2026-02"), ("a", "2026-03"), ("b", "2026-01"), ("b", "2026-03"),
               ("c", "2026-01"), ("c", "2026-02")])
    c = LT.churn_counts(s)
    # Feb: at risk a, b, c; lost b.  Mar: at risk a, c; lost c.
    assert c[["months", "at_risk", "churned"]].iloc[0].tolist() == [2, 5, 2]
    one = LT.churn_counts(s, months=1)
    assert one[["months", "at_risk", "churned"]].iloc[0].tolist() == [1, 2, 1]
    early = LT.churn_counts(s, as_of="2026-02")
    assert early[["at_risk", "churned"]].iloc[0].tolist() == [3, 1]


def test_churn_counts_by_group_from_customers():
    s = _subs([("a", "2026-01"), ("a", "2026-02"), ("b", "2026-01"), ("c", "2026-01"), ("c", "2026-02")])
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "plan": ["x", "x", "y"]})
    c = LT.churn_counts(s, "plan", customers=customers)
    assert c.set_index("plan")[["at_risk", "churned"]].to_dict("index") == {
        "x": {"at_risk": 2, "churned": 1}, "y": {"at_risk": 1, "churned": 0}}
    with pytest.raises(ValueError, match="customers="):
        LT.churn_counts(s, "plan")
    with pytest.raises(ValueError, match="months"):
        LT.churn_counts(s, months=0)


def test_churn_stats_interval_is_wilson_and_years_follow():
    from statsmodels.stats.proportion import proportion_confint

    c = LT.churn_stats(pd.DataFrame({"at_risk": [4768, 3075], "churned": [209, 42]}), cap=5)
    low, high = proportion_confint([209, 42], [4768, 3075], method="wilson")
    assert c["low"].tolist() == pytest.approx(100 * low)
    assert c["high"].tolist() == pytest.approx(100 * high)
    m = 209 / 4768
    assert c["annual_churn"].iloc[0] == pytest.approx(100 * (1 - (1 - m) ** 12))
    assert c["years"].iloc[0] == pytest.approx(1 / (1 - (1 - m) ** 12))
    assert c["years_low"].iloc[0] == pytest.approx(1 / (1 - (1 - high[0]) ** 12))
    assert c["capped"].tolist() == [False, True]


def test_churn_counts_match_an_independent_count_on_the_sample(ds):
    c = LT.churn_counts(ds.subscriptions, "plan", customers=ds.customers, as_of="2026-10")
    s = pd.read_csv(SAMPLE / "subscriptions.csv", dtype={"month": str})
    plan = pd.read_csv(SAMPLE / "customers.csv").set_index("customer_id")["plan"]
    members = s.groupby("month")["customer_id"].apply(set)
    exp = {}
    for m in pd.period_range(end="2026-10", periods=12, freq="M"):
        for cid in members[str(m - 1)]:
            d = exp.setdefault(plan[cid], [0, 0])
            d[0] += 1
            d[1] += cid not in members[str(m)]
    assert {r.plan: [r.at_risk, r.churned] for r in c.itertuples()} == exp


def test_churn_counts_agree_with_the_churn_module_where_it_has_landed(ds):
    churn = pytest.importorskip("csa.metrics.churn")
    if not hasattr(churn, "churn_by_month"):
        pytest.skip("csa.metrics.churn has no churn_by_month yet")
    for plan in ("starter", "premium"):
        ids = ds.customers.loc[ds.customers["plan"] == plan, "customer_id"]
        sub = ds.subscriptions[ds.subscriptions["customer_id"].isin(ids)]
        per_month = churn.churn_by_month(sub)
        last12 = per_month[per_month["month"].astype(str) >= "2025-11"]
        mine = LT.churn_counts(sub, as_of="2026-10").iloc[0]
        assert (int(last12["n"].sum()), int(last12["churned"].sum())) == (mine["at_risk"], mine["churned"])


# ------------------------------------------------------------------ LTV per customer

def _orders():
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "ordered_at": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-02-20", "2026-01-01", "2026-02-01",
                                      "2026-04-01"]),
        "amount": [100.0, 100.0, 50.0, 10.0, 10.0, 999.0],
        "gross_margin": [0.8, 0.8, 0.4, 0.5, 0.5, 0.5]})


def test_customer_ltv_by_hand():
    subs = _subs([("a", "2026-01"), ("a", "2026-02"), ("a", "2026-03"), ("b", "2026-01"), ("b", "2026-02")])
    out = LT.customer_ltv(_orders(), subs, years=2, as_of="2026-03").set_index("customer_id")
    # a: 3 orders (250 revenue, 180 gross profit) over Jan–Mar (still subscribed): 12 purchases a year
    a = out.loc["a"]
    assert (a["n_orders"], a["revenue"], a["gross_profit"], a["months"]) == (3, 250.0, 180.0, 3)
    assert a["avg_purchase"] == pytest.approx(250 / 3)
    assert a["gross_margin"] == pytest.approx(180 / 250)
    assert a["purchases_per_year"] == pytest.approx(12.0)
    assert a["ltv"] == pytest.approx(180 / 3 * 12 * 2)
    assert bool(a["active"])
    # b left after February: observed Jan–Feb only, not to March
    b = out.loc["b"]
    assert (b["months"], bool(b["active"])) == (2, False)
    assert b["ltv"] == pytest.approx(10 / 2 * 12 * 2)
    assert "c" not in out.index  # its only order is after as_of


def test_customer_ltv_years_per_customer_and_from_churn():
    subs = _subs([("a", "2026-01"), ("a", "2026-02"), ("a", "2026-03"), ("b", "2026-01"), ("b", "2026-02")])
    out = LT.customer_ltv(_orders(), subs, years={"a": 1.0, "b": 3.0}, as_of="2026-03")
    assert out["years"].tolist() == [1.0, 3.0]
    with pytest.raises(ValueError, match="no value for 1"):
        LT.customer_ltv(_orders(), subs, years={"a": 1.0}, as_of="2026-03")
    est = LT.customer_ltv(_orders(), subs, as_of="2026-03", by=None, cap=5)
    # Feb: a, b at risk, none lost; Mar: a, b at risk, b lost -> 1 of 4; annual 1 - 0.75**12
    assert est["years"].iloc[0] == pytest.approx(1 / (1 - 0.75**12))
    assert est["annual_churn"].iloc[0] == pytest.approx(100 * (1 - 0.75**12))


def test_customer_ltv_refuses_what_it_cannot_use():
    with pytest.raises(ValueError, match="needs years retained"):
        LT.customer_ltv(_orders())
    bad = _orders().assign(gross_margin=[78, 0.8, 0.4, 0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="a fraction"):
        LT.customer_ltv(bad, years=2)
    with pytest.raises(KeyError, match="price"):
        LT.customer_ltv(_orders().rename(columns={"amount": "price"}), years=2)
    with pytest.raises(ValueError, match="as_of"):
        LT.customer_ltv(_orders(), years=2, as_of="October")


def test_customer_ltv_matches_an_independent_pandas_computation(cust):
    exp = independent_ltv().set_index("customer_id")
    got = cust.set_index("customer_id")
    assert set(got.index) == set(exp.index)
    exp = exp.loc[got.index]
    assert got["active"].tolist() == exp["active"].tolist()
    assert got["months"].tolist() == exp["months"].tolist()
    np.testing.assert_allclose(got["years"], exp["years"], rtol=1e-12)
    np.testing.assert_allclose(got["ltv"], exp["ltv"], rtol=1e-9)
    np.testing.assert_allclose(got["gross_profit"], exp["gp"], rtol=1e-12)


def test_sample_ltv_has_the_planted_long_tail(cust):
    act = cust[cust["active"]]
    assert len(act) == 1261
    assert st.skew(act["ltv"]) > 2
    assert act.groupby("plan")["ltv"].mean().is_monotonic_increasing is False  # premium > standard > starter
    means = act.groupby("plan")["ltv"].mean()
    assert means["premium"] > means["standard"] > means["starter"]


# ------------------------------------------------------------------ intervals, concentration, the trap

def test_value_by_group_mean_share_and_a_bootstrap_interval():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"g": ["a"] * 300 + ["b"] * 100, "v": np.r_[rng.lognormal(0, 1, 300), rng.lognormal(1, 1, 100)]})
    out = LT.value_by_group(df, "v", "g", seed=3)
    a = out.set_index("g").loc["a"]
    assert a["mean"] == pytest.approx(df.loc[df.g == "a", "v"].mean())
    assert a["share"] == pytest.approx(100 * df.loc[df.g == "a", "v"].sum() / df["v"].sum())
    assert a["share_n"] == pytest.approx(75.0)
    ref = st.bootstrap((df.loc[df.g == "a", "v"].to_numpy(),), np.mean, n_resamples=2000, method="BCa",
                       rng=np.random.default_rng([3, 0]))
    assert (a["low"], a["high"]) == pytest.approx((ref.confidence_interval.low, ref.confidence_interval.high))
    again = LT.value_by_group(df, "v", "g", seed=3)
    pd.testing.assert_frame_equal(out, again)  # seeded: the same interval every run
    # right-skewed data: the interval reaches further above the mean than below it
    assert a["high"] - a["mean"] > a["mean"] - a["low"]


def test_value_by_group_is_close_to_the_t_interval_on_symmetric_data():
    x = np.random.default_rng(2).normal(100, 10, 2000)
    b = LT.value_by_group(pd.DataFrame({"v": x}), "v").iloc[0]
    t = st.t.interval(0.95, len(x) - 1, x.mean(), st.sem(x))
    assert b["low"] == pytest.approx(t[0], rel=2e-3) and b["high"] == pytest.approx(t[1], rel=2e-3)


def test_value_by_group_small_and_constant_groups():
    out = LT.value_by_group(pd.DataFrame({"g": ["a", "b", "b"], "v": [5.0, 2.0, 2.0]}), "v", "g", min_n=3)
    assert math.isnan(out["low"].iloc[0]) and out["low"].iloc[1] == out["high"].iloc[1] == 2.0
    assert out["small_n"].tolist() == [True, True]


def test_mean_by_group_is_the_student_t_interval():
    df = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 3, "x": [1.0, 2, 3, 4, 10, 2, 2, 5]})
    out = LT.mean_by_group(df, "x", "g").set_index("g")
    for g, part in df.groupby("g"):
        v = part["x"].to_numpy()
        low, high = st.t.interval(0.95, len(v) - 1, v.mean(), st.sem(v))
        assert (out.loc[g, "low"], out.loc[g, "high"]) == pytest.approx((low, high))


def test_lorenz_and_concentration_by_hand():
    lc = LT.lorenz_curve([1, 1, 2, 6])
    assert lc["share_value"].tolist() == pytest.approx([0, 60, 80, 90, 100])
    r = LT.concentration([1, 1, 2, 6], top=0.25)
    assert r["top_share"] == pytest.approx(60.0)
    assert LT.concentration([1, 1, 2, 6], top=0.375)["top_share"] == pytest.approx(70.0)  # halfway to the 2nd
    x = np.random.default_rng(0).lognormal(0, 1.5, 500)
    mad = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())  # Gini from mean differences
    assert LT.concentration(x)["gini"] == pytest.approx(mad)
    assert math.isnan(LT.concentration([0, 0])["gini"])


def test_product_of_averages_by_hand():
    df = pd.DataFrame({"avg_purchase": [10.0, 100.0], "gross_margin": [0.5, 0.5], "purchases_per_year": [12.0, 12.0],
                       "years": [1.0, 5.0]})
    df["ltv"] = df.prod(axis=1)
    r = LT.product_of_averages(df).iloc[0]
    assert r["product_of_means"] == pytest.approx(55 * 0.5 * 12 * 3)
    assert r["mean_ltv"] == pytest.approx((60 + 3000) / 2)
    assert r["gap"] == pytest.approx(100 * (990 / 1530 - 1))


def test_churn_sensitivity_by_hand():
    df = pd.DataFrame({"g": ["x", "x"], "gross_profit": [1200.0, 600.0], "months": [12, 6]})
    stats_ = LT.churn_stats(pd.DataFrame({"g": ["x"], "at_risk": [400], "churned": [8]}))
    out = LT.churn_sensitivity(df, stats_, "g").iloc[0]
    assert out["annual_profit"] == pytest.approx(1200.0)
    assert out["ltv"] == pytest.approx(1200 * stats_["years"].iloc[0])
    assert out["ltv_low"] < out["ltv"] <= out["ltv_high"]


# ------------------------------------------------------------------ the view on the sample

def test_view_numbers_on_the_sample(ds, cust):
    act = cust[cust["active"]]
    overall = LT.value_by_group(act, "ltv").iloc[0]
    assert overall["n"] == 1261 and overall["mean"] == pytest.approx(act["ltv"].mean())
    assert overall["low"] < overall["mean"] < overall["high"]
    conc = LT.concentration(act["ltv"])
    assert 75 < conc["top_share"] < 85  # the sample's long tail: about 80/20
    short = VL.shortcut_table(ds, cust, pd.Period("2026-10", "M"), months=3)
    assert short["infinite"].any() and short.loc[short["infinite"], "shortcut"].isna().all()
    P = VL.periods(ds)
    hl = headline("ltv", ds, P, section="ltv")
    rec = hl.record
    assert (rec["kpi"], rec["unit"], rec["n"], rec["period"]) == ("ltv", "JPY", 1261, "2026-10")
    # the catalogue's LTV is 07's average, interval and all (the same draws)
    assert (rec["value"], rec["low"], rec["high"]) == pytest.approx((overall["mean"], overall["low"], overall["high"]),
                                                                     rel=1e-12)
    assert hl.this.row["median"] == pytest.approx(overall["median"])
    for lang in ("en", "ja"):
        text = VL.describe_average(hl, P.this, lang=lang)
        assert VL.yen(overall["mean"], lang) in text and VL.yen(overall["median"], lang) in text


def test_the_published_record_is_csa_measure_with_its_params(ds):
    P = VL.periods(ds, "2026-04")
    params = VL.ltv_params(by="segment", cap=4, churn_months=6, n_resamples=500, seed=3)
    rec = headline("ltv", ds, P, section="ltv", **params).record
    r = csa.measure("ltv", ds, period=rec["period"], **rec["params"])
    assert rec["params"] == params and rec["key"] == r.key
    assert (rec["value"], rec["low"], rec["high"], rec["n"]) == (r.value, r.low, r.high, r.n)


def test_by_group_is_value_by_group_of_the_customers(ds, cust):
    act = cust[cust["active"]]
    got = VL.by_group(ds, VL.periods(ds), "plan")
    want = LT.value_by_group(act, "ltv", "plan")
    for col in ("n", "mean", "low", "high", "median", "total", "share", "share_n", "small_n"):
        assert got[col].tolist() == pytest.approx(want[col].tolist(), rel=1e-12), col


def test_customers_on_duckdb_are_the_pandas_customers(ds, cust):
    duck = VL.customers_ltv(ds, pd.Period("2026-10", "M"), engine="duckdb")
    assert duck["customer_id"].tolist() == cust["customer_id"].tolist()
    np.testing.assert_allclose(duck["ltv"].to_numpy(), cust["ltv"].to_numpy(), rtol=1e-12)
    assert (duck["active"] == cust["active"]).all()


def test_top_twenty_percent_is_the_high_tier_of_the_tiers_notebook(ds, cust):
    from csa.views import tiers as VT

    act = cust[cust["active"]]
    top = LT.top_share(act["ltv"], top=0.2)
    t_act, tiers = VT.tiered(ds, pd.Period("2026-10", "M"))
    shares = VT.value_shares(t_act).set_index("tier")
    assert top["n_top"] == int(tiers.counts()["high"]) and top["threshold"] == tiers.thresholds[0]
    assert top["share"] == shares.loc["high", "share"]  # one figure, one function (share_of_value)
    assert round(top["share"], 1) == 80.5  # the Lorenz curve at exactly 20 % reads 80.4
    assert round(LT.concentration(act["ltv"])["top_share"], 1) == 80.4
    text = VL.describe_concentration(top, LT.concentration(act["ltv"]), lang="en")
    assert "**80.5% of the total LTV**" in text


def test_yen():
    assert VL.yen(11_650_660) == "¥11,650,660" and VL.yen(11_650_660, "ja") == "11,650,660円"
    assert VL.yen(-5) == "−¥5"
    assert VL.yen(float("nan")) == "—"


# ------------------------------------------------------------------ charts

def test_lorenz_chart_draws_the_curve_the_diagonal_and_the_mark():
    import matplotlib.pyplot as plt

    from csa.display import value

    ax = value.lorenz(LT.lorenz_curve([1, 1, 2, 6]), mark=25, mark_label="Top 25 %", equal_label="equal",
                      title="T", xlabel="X", ylabel="Y")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("T", "X", "Y")
    curve = ax.lines[0]
    assert curve.get_ydata().tolist() == pytest.approx([0, 60, 80, 90, 100])
    assert [t.get_text() for t in ax.texts] == ["Top 25 %"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["equal"]
    plt.close("all")


def test_distribution_and_curves_charts():
    import matplotlib.pyplot as plt

    from csa.display import value

    ax = value.distribution(pd.DataFrame({"v": [0.1, 1, 10, 100, 0]}), "v", lines={"Mean": 22.2}, title="D")
    assert ax.get_xscale() == "log" and sum(p.get_height() for p in ax.patches) == 4  # 0 left out on a log scale
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Mean"]
    c = LT.ltv_curve(100.0, [0.01, 0.02, 0.05])
    ax = value.curves(c, "monthly_churn", ["ltv", "ltv_shortcut"], names=["capped", "shortcut"], band=(1.5, 2.5),
                      band_label="band", vline=2.0, vline_label="seen", ylim=(0, 600), lang="ja", title="曲線")
    assert ax.get_ylim() == (0, 600)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["band", "seen", "capped", "shortcut"]
    assert ax.title.get_fontfamily()[0] == "IPAexGothic"
    empty = value.curves(c.iloc[:0], "monthly_churn", ["ltv"], title="none")
    assert empty.texts[0].get_text() == "No data"
    with pytest.raises(KeyError, match="not in the table"):
        value.curves(c, "monthly_churn", ["nope"])
    plt.close("all")


# ------------------------------------------------------------------ the notebook

def _run(run_notebook, **params):
    nb = run_notebook("07_ltv.ipynb", **params)
    return "\n".join(helpers.markdown(nb)), helpers.records(nb)


@pytest.mark.slow
def test_papermill_headline_is_the_independent_average(run_notebook):
    text, (rec,) = _run(run_notebook)
    exp = independent_ltv()
    exp = exp[exp["active"]]
    assert (rec["kpi"], rec["period"], rec["n"]) == ("ltv", "2026-10", len(exp))
    assert rec["value"] == pytest.approx(exp["ltv"].mean(), rel=1e-9)
    assert rec["low"] < rec["value"] < rec["high"]
    assert (f"**Customer lifetime value (LTV), the average of the {len(exp):,} customers subscribed at 2026-10: "
            f"¥{exp['ltv'].mean():,.0f}**") in text


@pytest.mark.slow
def test_papermill_in_japanese_at_another_month(run_notebook):
    text, (rec,) = _run(run_notebook, lang="ja", period="2026-04", cap=4.0)
    exp = independent_ltv(as_of="2026-04", cap=4.0)
    exp = exp[exp["active"]]
    assert rec["period"] == "2026-04" and rec["value"] == pytest.approx(exp["ltv"].mean(), rel=1e-9)
    assert f"**2026-04に契約中の {len(exp):,}社の顧客生涯価値（LTV）の平均：{exp['ltv'].mean():,.0f}円**" in text
    assert "Average LTV" not in text and re.search("ブートストラップ", text)
