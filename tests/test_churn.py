"""Churn: pinned to hand computations, ChartMogul's worked example and independent implementations."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

import csa
from csa import headline
from csa.errors import DataError
from csa.metrics import churn as C
from csa.views import churn as V
from csa.views.common import Periods

from . import helpers

Z = 1.959963984540054


def _subs(rows: dict[str, list], months: list[str]) -> pd.DataFrame:
    """{customer: [mrr per month or None]} → one row per subscribed customer-month."""
    out = [(c, m, v) for c, vals in rows.items() for m, v in zip(months, vals, strict=True) if v is not None]
    return pd.DataFrame(out, columns=["customer_id", "month", "mrr"])


#: section 2 of the notebook: MRR in thousands of yen, August to October
TEN = _subs({"A": [10, 10, 10], "B": [10, 10, None], "C": [50, 50, 30], "D": [20, 20, 20], "E": [30, 30, None],
             "F": [10, 10, 15], "G": [10, 10, 10], "H": [None, 10, 10], "I": [None, None, 20],
             "J": [10, None, 10]}, ["2026-08", "2026-09", "2026-10"])


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


@pytest.fixture(scope="module")
def subs(ds):
    return ds.subscriptions


# ------------------------------------------------------------------ by hand

def test_ten_customers_by_hand():
    cc = C.customer_churn(TEN, "2026-10")
    assert (cc.churned, cc.n, cc.value) == (2, 8, 25.0)  # B and E of A–H
    low, high = proportion_confint(2, 8, method="wilson")
    assert (cc.low, cc.high) == pytest.approx((100 * low, 100 * high))
    rc = C.revenue_churn(TEN, "2026-10")
    assert (rc.mrr_start, rc.new, rc.reactivation, rc.expansion, rc.contraction, rc.churned, rc.mrr_end) == \
        (150, 20, 10, 5, 20, 40, 125)
    assert rc.gross == pytest.approx(40.0)  # (40 + 20) / 150
    assert rc.net == pytest.approx(30.0)  # (60 − 5 − 10) / 150
    # NRR follows the customers of the start: J's return is not in it, whichever net rate is asked for
    assert (rc.grr, rc.nrr) == pytest.approx((60.0, 100 * (150 + 5 - 20 - 40) / 150))
    bare = C.revenue_churn(TEN, "2026-10", reactivation=False)
    assert bare.net == pytest.approx(100 * 55 / 150) and bare.nrr == pytest.approx(100 - 100 * 55 / 150)
    assert (bare.nrr, bare.nrr_low, bare.nrr_high) == pytest.approx((rc.nrr, rc.nrr_low, rc.nrr_high))


def test_movements_of_the_ten_customers():
    m = C.mrr_movements(TEN).set_index("month")
    sep, oct_ = m.loc[pd.Period("2026-09", "M")], m.loc[pd.Period("2026-10", "M")]
    assert (sep["n_new"], sep["n_churned"], sep["churned"]) == (1, 1, 10)  # H new, J gone
    assert (oct_["n_new"], oct_["n_reactivation"], oct_["n_expansion"], oct_["n_contraction"], oct_["n_churned"]) \
        == (1, 1, 1, 1, 2)  # I new, J back, F up, C down, B and E gone
    assert (oct_["n_start"], oct_["n_end"]) == (8, 8)


def test_reactivation_is_not_new_business():
    subs = _subs({"old": [5, None, 5, 5], "late": [None, None, 7, 7], "gap": [None, 3, None, 3]},
                 ["2026-01", "2026-02", "2026-03", "2026-04"])
    m = C.mrr_movements(subs).set_index("month")
    mar, apr = m.loc[pd.Period("2026-03", "M")], m.loc[pd.Period("2026-04", "M")]
    assert (mar["new"], mar["reactivation"]) == (7, 5)  # "late" is new; "old" comes back
    assert (apr["new"], apr["reactivation"]) == (0, 3)  # "gap" had subscribed in February


def test_chartmogul_documentation_example():
    # help.chartmogul.com "Metric: MRR Churn Rate": $100 MRR at the start, $10 lost to churn, $10 to contraction,
    # one customer +$10 → gross 20 %, net 10 %
    subs = _subs({"x": [10, None], "y": [20, 10], "z": [30, 40], "w": [40, 40]}, ["2026-09", "2026-10"])
    r = C.revenue_churn(subs, "2026-10")
    assert (r.mrr_start, r.churned, r.contraction, r.expansion, r.reactivation) == (100, 10, 10, 10, 0)
    assert (r.gross, r.net) == pytest.approx((20.0, 10.0))


def test_chartmogul_shopify_net_example_on_one_period():
    # "$100 in MRR at the start of the day and $120 at the end; $10 from new business: net MRR churn −10 %"
    subs = _subs({"a": [60, 70], "b": [40, 40], "n": [None, 10]}, ["2026-09", "2026-10"])
    r = C.revenue_churn(subs, "2026-10")
    assert (r.mrr_start, r.mrr_end, r.new) == (100, 120, 10)
    assert r.net == pytest.approx(100 * (1 - (120 - 10) / 100))


def test_revenue_interval_is_the_linearised_ratio_interval():
    rc = C.revenue_churn(TEN, "2026-10")
    # customers involved: A–J; y = lost MRR (churn + contraction), x = MRR at the start
    x = np.array([10, 10, 50, 20, 30, 10, 10, 10, 0, 0], float)
    y = np.array([0, 10, 20, 0, 30, 0, 0, 0, 0, 0], float)
    r = y.sum() / x.sum()
    z = (y - r * x) / x.mean()
    lo, hi = DescrStatsW(z).tconfint_mean(0.05)
    assert (rc.gross_low, rc.gross_high) == pytest.approx((max(0, 100 * (r + lo)), 100 * (r + hi)))
    y_net = y - np.array([0, 0, 0, 0, 0, 5, 0, 0, 0, 10], float)
    r = y_net.sum() / x.sum()
    lo, hi = DescrStatsW((y_net - r * x) / x.mean()).tconfint_mean(0.05)
    assert (rc.net_low, rc.net_high) == pytest.approx((100 * (r + lo), 100 * (r + hi)))
    y_cohort = y - np.array([0, 0, 0, 0, 0, 5, 0, 0, 0, 0], float)  # F's upgrade only: J was not a customer
    r = y_cohort.sum() / x.sum()
    lo, hi = DescrStatsW((y_cohort - r * x) / x.mean()).tconfint_mean(0.05)
    assert (rc.nrr_low, rc.nrr_high) == pytest.approx((100 - 100 * (r + hi), 100 - 100 * (r + lo)))


def test_the_gross_interval_never_goes_below_zero():
    subs = _subs({"a": [100, 100], "b": [1, None], "c": [100, 100]}, ["2026-09", "2026-10"])
    r = C.revenue_churn(subs, "2026-10")
    assert r.gross_low == 0.0 and r.gross_high > r.gross > 0


def test_no_movement_gives_no_revenue_interval():
    subs = _subs({"a": [10, 10], "b": [20, 20]}, ["2026-09", "2026-10"])
    r = C.revenue_churn(subs, "2026-10")
    assert (r.gross, r.net) == (0.0, 0.0) and np.isnan(r.gross_low) and np.isnan(r.net_high)
    assert "no interval" in str(r)


# ------------------------------------------------------------------ the sample

def test_mrr_identity_holds_every_month(subs):
    m = C.mrr_movements(subs)
    assert len(m) == 23 and str(m["month"].iloc[0]) == "2024-12"
    lhs = m["mrr_start"] + m["new"] + m["reactivation"] + m["expansion"] - m["contraction"] - m["churned"]
    np.testing.assert_array_equal(lhs.to_numpy(), m["mrr_end"].to_numpy())
    n = m["n_start"] + m["n_new"] + m["n_reactivation"] - m["n_churned"]
    np.testing.assert_array_equal(n.to_numpy(), m["n_end"].to_numpy())
    assert (m[["mrr_start", *C.MOVEMENTS, "mrr_end"]] >= 0).all().all()
    # the level columns are the totals of the months
    totals = subs.groupby("month")["mrr"].sum()
    np.testing.assert_allclose(m["mrr_end"], totals.loc[m["month"]].to_numpy())
    np.testing.assert_allclose(m["mrr_start"].iloc[1:], m["mrr_end"].iloc[:-1])


def test_seed_formula_on_the_sample_equals_set_arithmetic(subs):
    by_month = subs.groupby("month")["customer_id"].agg(set)
    for month in ("2025-06", "2026-04", "2026-10"):
        p = pd.Period(month, "M")
        before, now = by_month[p - 1], by_month[p]
        r = C.customer_churn(subs, month)
        assert (r.n, r.churned) == (len(before), len(before - now))
        assert r.value == pytest.approx(100 * len(before - now) / len(before))


def test_churn_by_month_agrees_with_the_single_period_functions(subs):
    tab = C.churn_by_month(subs).set_index("month")
    for month in ("2025-03", "2026-10"):
        row, cc, rc = tab.loc[pd.Period(month, "M")], C.customer_churn(subs, month), C.revenue_churn(subs, month)
        assert (row["n"], row["churned"]) == (cc.n, cc.churned)
        assert (row["value"], row["low"], row["high"]) == pytest.approx((cc.value, cc.low, cc.high))
        assert (row["gross"], row["gross_low"], row["net"], row["net_high"]) == \
            pytest.approx((rc.gross, rc.gross_low, rc.net, rc.net_high))
        assert row["nrr"] == pytest.approx(rc.nrr)


def test_revenue_churn_differs_from_customer_churn_on_the_sample(subs):
    tab = C.churn_by_month(subs)
    assert (tab["value"] - tab["gross"]).abs().max() > 0.5  # data/README: MRR expands and contracts


def test_month_column_can_be_text_period_or_timestamp(subs):
    a = C.customer_churn(subs, "2026-10")
    for month in (subs["month"].astype(str), subs["month"].dt.to_timestamp(),
                  subs["month"].dt.to_timestamp().dt.tz_localize("Asia/Tokyo")):
        assert C.customer_churn(subs.assign(month=month), "2026-10") == a


def test_several_rows_for_one_month_add_up():
    subs = pd.DataFrame({"customer_id": ["a", "a", "a"], "month": ["2026-09", "2026-09", "2026-10"],
                         "mrr": [10, 5, 12]})
    r = C.revenue_churn(subs, "2026-10")
    assert (r.mrr_start, r.contraction) == (15, 3)


def test_column_names_are_keywords():
    renamed = TEN.rename(columns={"customer_id": "account", "month": "billing_month", "mrr": "amount"})
    r = C.customer_churn(renamed, "2026-10", customer="account", month="billing_month", mrr="amount")
    assert (r.churned, r.n) == (2, 8)


# ------------------------------------------------------------------ periods and same-period rules

QUARTER = _subs({"s1": [10, 10, 10, 10], "s2": [10, 10, None, None], "s3": [20, 20, 20, None],
                 "j1": [None, 5, None, None], "j2": [None, 5, 5, 5], "j3": [None, None, 8, None]},
                ["2026-06", "2026-07", "2026-08", "2026-09"])


@pytest.mark.parametrize("rule,churned,n,interval", [
    ("exclude", 2, 3, True),   # s2, s3 lost of s1–s3; j1 and j3 (joined and left) left out
    ("ignore", 2, 3, True),
    ("include", 4, 3, False),  # Baremetrics: 4 ÷ 3, not a proportion
    ("both", 4, 6, True),      # Stripe: (2 + 2) ÷ (3 + 3 joined)
])
def test_same_period_rules_on_a_quarter_by_hand(rule, churned, n, interval):
    r = C.customer_churn(QUARTER, "2026Q3", same_period=rule)
    assert (r.churned, r.n, r.same_period) == (churned, n, 2)
    assert r.value == pytest.approx(100 * churned / n)
    assert r.excluded == (2 if rule in ("exclude", "ignore") else 0)
    assert math.isfinite(r.low) is interval


@pytest.mark.parametrize("month", ["2025-02", "2026-07"])
def test_on_a_single_month_only_stripes_denominator_differs(subs, month):
    values = {C.customer_churn(subs, month, same_period=rule).value for rule in ("exclude", "include", "ignore")}
    assert len(values) == 1
    both = C.customer_churn(subs, month, same_period="both")
    new = C.mrr_movements(subs).set_index("month").loc[pd.Period(month, "M"), "n_new"]
    assert (both.n, both.churned) == (C.customer_churn(subs, month).n + new, C.customer_churn(subs, month).churned)


def test_profitwell_ignores_the_mrr_of_joined_and_left_customers():
    keep = C.revenue_churn(QUARTER, "2026Q3")
    ignore = C.revenue_churn(QUARTER, "2026Q3", ignore_same_period=True)
    assert keep.churned - ignore.churned == 5 + 8  # j1 and j3
    assert keep.new - ignore.new == 5 + 8 and ignore.ignored == 2


def test_quarter_movements_are_the_sum_of_the_months(subs):
    months = C.mrr_movements(subs).set_index("month")
    q = C.revenue_churn(subs, "2026Q3")
    part = months.loc[pd.period_range("2026-07", "2026-09", freq="M")]
    for k in C.MOVEMENTS:
        assert getattr(q, k) == pytest.approx(part[k].sum())
    assert q.mrr_start == part["mrr_start"].iloc[0] and q.mrr_end == part["mrr_end"].iloc[-1]


def test_periods_months_and_errors(subs):
    assert C.months_of("FY2025") == (pd.Period("2025-04", "M"), pd.Period("2026-03", "M"))
    assert C.months_of(pd.Period("2026Q4", "Q-DEC")) == (pd.Period("2026-10", "M"), pd.Period("2026-12", "M"))
    with pytest.raises(ValueError, match="2026-13"):
        C.months_of("2026-13")
    with pytest.raises(ValueError, match=r"needs the month before it \(2024-10\).*2024-11 to 2026-10"):
        C.customer_churn(subs, "2024-11")
    partial, october = C.customer_churn(subs, "2026Q4"), C.customer_churn(subs, "2026-10")
    assert partial.partial and not october.partial  # 2026Q4 has only October in the data
    assert (partial.n, partial.churned, partial.value) == (october.n, october.churned, october.value)


def test_bad_input_is_explained():
    with pytest.raises(KeyError, match=r"'mrr'.*customer_id, month, amount"):
        C.customer_churn(TEN.rename(columns={"mrr": "amount"}), "2026-10")
    with pytest.raises(DataError, match="MRR must be a number >= 0"):
        C.mrr_movements(TEN.assign(mrr=-1))
    with pytest.raises(DataError, match="YYYY-MM"):
        C.mrr_movements(TEN.assign(month="October"))
    with pytest.raises(ValueError, match="same_period must be one of"):
        C.customer_churn(TEN, "2026-10", same_period="drop")
    with pytest.raises(ValueError, match="no rows"):
        C.mrr_movements(TEN.iloc[:0])


# ------------------------------------------------------------------ cohorts, lifetimes, groups

def test_lifetimes_follow_the_censoring_convention():
    lt = C.lifetimes(TEN).set_index("customer_id")
    assert (lt.loc["B", "months"], lt.loc["B", "churned"], lt.loc["B", "duration"]) == (2, True, 2)
    assert (lt.loc["A", "months"], lt.loc["A", "churned"], lt.loc["A", "duration"]) == (3, False, 2)
    assert (lt.loc["I", "duration"], lt.loc["J", "gaps"], lt.loc["J", "months"]) == (0, 1, 3)
    assert lt["left_censored"].sum() == 8  # everyone first seen in August, the data's first month


def test_cohort_table_by_hand(subs):
    tab = C.cohort_table(subs, freq="month")
    assert (tab.loc[tab["age"] == 0, "customer_retention"] == 100).all()
    lt = C.lifetimes(subs)
    assert tab.attrs["excluded"] == int(lt["left_censored"].sum())
    dec = lt[lt["first_month"] == pd.Period("2024-12", "M")]
    row = tab[(tab["cohort"] == pd.Period("2024-12", "M")) & (tab["age"] == 12)].iloc[0]
    assert row["customers"] == len(dec)
    assert row["active"] == (dec["last_month"] >= pd.Period("2025-12", "M")).sum()  # no gaps in the sample
    months = subs[subs["customer_id"].isin(dec["customer_id"])]
    assert row["mrr"] == months.loc[months["month"] == pd.Period("2025-12", "M"), "mrr"].sum()
    last = tab[tab["cohort"] == pd.Period("2026-10", "M")]
    assert last["age"].tolist() == [0]  # ages not yet observed are left out


def test_churn_by_matches_statsmodels():
    df = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 25, "churned": [True] * 7 + [False] * 33 + [True] * 12 + [False] * 13})
    tab = C.churn_by(df, "g", min_n=30).set_index("g")
    for g, x, n in (("a", 7, 40), ("b", 12, 25)):
        lo, hi = proportion_confint(x, n, method="wilson")
        assert (tab.loc[g, "churned"], tab.loc[g, "n"]) == (x, n)
        assert (tab.loc[g, "low"], tab.loc[g, "high"]) == pytest.approx((100 * lo, 100 * hi))
    assert tab["small_n"].tolist() == [False, True]
    d = C.compare(tab.loc["b"], tab.loc["a"])
    assert d.diff == pytest.approx(100 * (12 / 25 - 7 / 40))
    with pytest.raises(ValueError, match="missing values"):
        C.churn_by(df.assign(churned=[None] + [True] * 64), "g")


# ------------------------------------------------------------------ vendors

def test_reconciliation_by_hand():
    tab = C.reconcile(QUARTER, "2026Q3").set_index("definition")
    expect = {"seed": (3, 4), "chartmogul": (3, 2), "baremetrics": (3, 4), "profitwell": (3, 2), "stripe": (6, 4)}
    for key, (n, x) in expect.items():
        assert (tab.loc[key, "n"], tab.loc[key, "churned"]) == (n, x), key
        assert tab.loc[key, "customer_churn"] == pytest.approx(100 * x / n)
    assert np.isnan(tab.loc["baremetrics", "low"]) and not np.isnan(tab.loc["stripe", "low"])
    # start MRR 40 (s1 10, s2 10, s3 20); churn over the quarter: s2 10 + s3 20 + j1 5 + j3 8
    assert tab.loc["chartmogul", "gross"] == pytest.approx(100 * 43 / 40)
    assert tab.loc["profitwell", "gross"] == pytest.approx(100 * 30 / 40)  # j1 and j3 ignored
    assert tab.loc[["stripe"], ["gross", "net", "nrr"]].isna().all().all() and np.isnan(tab.loc["seed", "net"])
    # Shopify: the monthly rates added up: July 0 of 3, August s2 and j1 of 5, September s3 and j3 of 4
    assert tab.loc["shopify", "customer_churn"] == pytest.approx(100 * (0 / 3 + 2 / 5 + 2 / 4))
    rows = C.same_period_customers(QUARTER, "2026Q3")
    assert rows.loc[rows["gone"], "customer_id"].tolist() == ["j1", "j3"]
    assert rows.loc[~rows["gone"], "customer_id"].tolist() == ["j2"]


def test_reactivation_separates_chartmogul_from_baremetrics():
    subs = _subs({"a": [10, 10, 10, 10], "b": [10, None, 10, 10], "c": [10, 10, 10, 20]},
                 ["2026-05", "2026-06", "2026-07", "2026-08"])
    tab = C.reconcile(subs, "2026Q3").set_index("definition")  # b returns in July: reactivation 10
    assert tab.loc["chartmogul", "net"] == pytest.approx(100 * (0 - 10 - 10) / 20)
    assert tab.loc["baremetrics", "net"] == pytest.approx(100 * (0 - 10) / 20)
    assert tab.loc["baremetrics", "nrr"] == pytest.approx(100 - tab.loc["baremetrics", "net"])


def test_reconciliation_on_the_sample_quarter(subs):
    tab = C.reconcile(subs, "2026Q3").set_index("definition")
    assert len(tab) >= 4 and tab["customer_churn"].nunique() >= 3  # the definitions disagree
    assert tab.loc["chartmogul", "customer_churn"] == pytest.approx(C.customer_churn(subs, "2026Q3").value)


# ------------------------------------------------------------------ the view

def test_default_period_is_the_latest_complete_one(subs):
    assert V.periods(subs).this_label == "2026-10"
    assert V.periods(subs, freq="quarter").this_label == "2026Q3"  # 2026Q4 only has October
    assert V.periods(subs, freq="fiscal_year").this_label == "FY2025"
    assert V.default_quarter(subs) == "2026Q3"


def test_headline_records_and_sentences(ds, subs):
    P = V.periods(subs)
    h = V.headlines(ds, P)
    recs = [h[k].record for k in V.HEADLINE_KPIS]
    assert [r["kpi"] for r in recs] == ["churn", "revenue_churn", "nrr"]
    assert all(headline.validate(r) and r["unit"] == "%" and headline.is_kpi(r) for r in recs)
    assert recs[0]["key"] == "churn{same_period=exclude}"  # the registry's entry, with default parameters
    cc, rc = C.customer_churn(subs, "2026-10"), C.revenue_churn(subs, "2026-10")
    assert recs[0]["value"] == pytest.approx(cc.value)
    assert (recs[1]["value"], recs[1]["low"], recs[1]["high"]) == pytest.approx((rc.gross, rc.gross_low, rc.gross_high))
    assert (recs[2]["value"], recs[2]["low"], recs[2]["high"]) == pytest.approx((rc.nrr, rc.nrr_low, rc.nrr_high))
    assert recs[0]["direction"] == "lower" and recs[2]["direction"] == "higher"
    assert recs[0]["change"]["vs"] == "2026-09"
    d = C.compare(cc, C.customer_churn(subs, "2026-09"))
    assert (recs[0]["change"]["diff"], recs[0]["change"]["p_value"]) == pytest.approx((d.diff, d.p_value))
    for lang in ("en", "ja"):
        text = V.describe_customer(h, P, lang=lang) + V.describe_revenue(h, P, lang=lang)
        assert f"{recs[0]['value']:.2f}%" in text and f"{rc.net:.2f}%" in text and f"{rc.nrr:.1f}%" in text
        if lang == "ja":
            assert re.search(r"[ぁ-んァ-ン一-龥]", text) and "churn" not in text
            assert "顧客解約率" in text and "ネット売上継続率" in text


@pytest.mark.parametrize("params", [{}, {"freq": "quarter", "period": "2026Q2", "segment": "enterprise",
                                         "same_period": "both"}])
def test_the_published_records_are_csa_measure_with_their_params(ds, subs, params):
    P = V.periods(V.subscriptions(ds, segment=params.get("segment", "")), params.get("period", ""), "",
                  params.get("freq", "month"))
    h = V.headlines(ds, P, segment=params.get("segment", ""), same_period=params.get("same_period", "exclude"))
    for k in V.HEADLINE_KPIS:
        rec = h[k].record
        r = csa.measure(k, ds, period=rec["period"], freq=P.freq, where=rec["where"], **rec["params"])
        assert (rec["value"], rec["low"], rec["high"], rec["n"]) == (r.value, r.low, r.high, r.n)
        assert rec["key"] == r.key


def test_a_period_outside_the_data_gives_no_estimate_but_a_sentence(ds):
    P = Periods(pd.Period("2024-11", "M"), pd.Period("2024-10", "M"))
    h = V.headlines(ds, P)
    assert h["churn"].this.n == 0 and "No customer churn for 2024-11" in V.describe_customer(h, P)
    assert "No revenue churn for 2024-11" in V.describe_revenue(h, P)
    recs = [h[k].record for k in V.HEADLINE_KPIS]
    assert recs[0]["value"] is None and recs[0]["n"] == 0 and recs[1]["value"] is None


def test_waterfall_table_is_the_bridge(subs):
    rc = C.revenue_churn(subs, "2026-10")
    wf = V.waterfall_table(rc, lang="ja")
    assert wf["kind"].tolist() == ["total", "up", "up", "up", "down", "down", "total"]
    assert wf["value"].iloc[0] + wf["value"].iloc[1:6].sum() == pytest.approx(wf["value"].iloc[-1])
    assert wf["label"].iloc[0] == "期首MRR"
    row = csa.measure("revenue_churn", ds_of(subs), period="2026-10").row  # the catalogue's sums feed it too
    assert V.waterfall_table(row)["value"].tolist() == pytest.approx(V.waterfall_table(rc)["value"].tolist())
    assert C.mrr_end(row) == pytest.approx(rc.mrr_end)


def ds_of(subs):
    return {"subscriptions": subs, "customers": pd.DataFrame({"customer_id": subs["customer_id"].unique()})}


def test_trends_are_the_catalogues_months_up_to_the_period(ds, subs):
    P = V.periods(subs, "2026-06")
    tr = V.trends(ds, P)
    by_month = C.churn_by_month(subs).set_index("month")
    assert tr["churn"]["period"].iloc[-1] == "2026-06" and len(tr["churn"]) == len(tr["revenue_churn"])
    for _, r in tr["churn"].iterrows():
        assert r["value"] == pytest.approx(by_month.loc[pd.Period(r["period"], "M"), "value"])
    g = tr["revenue_churn"].set_index("period")
    assert g.loc["2026-03", "value"] == pytest.approx(by_month.loc[pd.Period("2026-03", "M"), "gross"])


def test_detractors_churn_more_than_promoters(ds, subs):
    frame, wave = V.driver_frame(ds, subs, horizon=6)
    assert str(wave) == "2026-04"
    # an independent computation of the outcome and of the NPS groups
    at_w = set(subs.loc[subs["month"] == wave, "customer_id"])
    later = set(subs.loc[subs["month"] == wave + 6, "customer_id"])
    assert len(frame) == len(at_w) and frame["churned"].sum() == len(at_w - later)
    nps = ds.surveys[(ds.surveys["survey"] == "nps")]
    nps = nps[nps["responded_at"].dt.tz_localize(None).dt.to_period("M") <= wave].sort_values("responded_at")
    last = nps.groupby("customer_id")["score"].last()
    det = {c for c in at_w if c in last.index and last[c] <= 6}
    assert (frame["nps"] == "detractor").sum() == len(det)
    tab = V.drivers(frame).set_index(["driver", "group"])
    d = C.compare(tab.loc[("nps", "detractor")], tab.loc[("nps", "promoter")])
    assert d.low > 0  # data/README: detractors churn more
    assert tab.attrs["overall"] == pytest.approx(100 * frame["churned"].mean())


def test_plans_differ_in_lifetime(ds):
    lt = V.lifetimes(V.subscriptions(ds))
    curves, test = V.km(lt, "plan")
    at12 = curves[curves["t"] <= 12].groupby("plan")["survival"].last()
    assert at12["starter"] < at12["standard"] < at12["premium"]  # data/README: plan base hazards
    assert test.p_value < 1e-6


def test_sbg_cohorts_of_the_sample(ds):
    summary, curves = V.sbg_cohorts(V.lifetimes(V.subscriptions(ds)), horizon=36)
    assert len(summary) >= 5 and (summary["months"] >= 6).all()
    assert ((summary["s36_low"] <= summary["s36"]) & (summary["s36"] <= summary["s36_high"])).all()
    assert summary.loc[summary["alike"], "alpha"].isna().all()
    assert set(curves["cohort"]) == set(summary["cohort"])


# ------------------------------------------------------------------ the notebook

def _run(run_notebook, **params):
    nb = run_notebook("06_churn.ipynb", **params)
    return "\n".join(helpers.markdown(nb)), {r["kpi"]: r for r in helpers.records(nb)}


@pytest.mark.slow
def test_notebook_quarter_for_one_segment_reports_the_right_numbers(run_notebook, ds):
    text, recs = _run(run_notebook, freq="quarter", period="2026Q2", segment="enterprise", same_period="both")
    ent = set(ds.customers.loc[ds.customers["segment"] == "enterprise", "customer_id"])
    subs = ds.subscriptions[ds.subscriptions["customer_id"].isin(ent)]
    by_month = subs.groupby("month")["customer_id"].agg(set)
    start, end = by_month[pd.Period("2026-03", "M")], by_month[pd.Period("2026-06", "M")]
    joined = set().union(*by_month[pd.period_range("2026-04", "2026-06", freq="M")]) - start
    lost = len(start - end) + len(joined - end)
    assert recs["churn"]["period"] == "2026Q2"
    assert recs["churn"]["n"] == len(start) + len(joined)
    assert recs["churn"]["value"] == pytest.approx(100 * lost / (len(start) + len(joined)))
    assert recs["churn"]["change"]["vs"] == "2026Q1"
    assert recs["churn"]["key"] == "churn{same_period=both}[segment=enterprise]"
    assert "Customer churn rate in 2026Q2" in text and "Enterprise" in text


@pytest.mark.slow
def test_notebook_for_an_early_month_uses_the_data_up_to_then(run_notebook, subs):
    _text, recs = _run(run_notebook, period="2025-06", lang="ja")
    cc, rc = C.customer_churn(subs, "2025-06"), C.revenue_churn(subs, "2025-06")
    assert (recs["churn"]["value"], recs["churn"]["n"]) == (pytest.approx(cc.value), cc.n)
    assert recs["revenue_churn"]["value"] == pytest.approx(rc.gross)
    assert recs["nrr"]["low"] == pytest.approx(rc.nrr_low)


def test_tables_speak_japanese(ds):
    subs = V.subscriptions(ds)
    summary, _ = V.sbg_cohorts(V.lifetimes(subs))
    assert set(V.sbg_table(summary, lang="ja")["alike"]) == {"はい", ""}  # a YAML `yes` key would be a boolean
    rows = V.yes_no(V.same_period_rows(subs, "2026Q3"), lang="ja")
    assert set(rows["gone"]) == {"はい"}
    rec = V.reconciliation(subs, "2026Q3", lang="ja")
    assert rec["definition"].iloc[1] == "ChartMogul（標準・B2B）"
