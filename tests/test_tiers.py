"""LTV tiers: the tier rule, cost to serve, migration, trends (csa.metrics.ltv), the tiers view and
notebook, and the grouped-bar chart. Pinned to hand computations; the notebook's headline to an
independent pandas computation from the raw files."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from csa.metrics import ltv as LT
from csa.views import tiers as V

from . import helpers
from .conftest import SAMPLE
from .test_ltv import independent_ltv

matplotlib.use("Agg")
OCT = pd.Period("2026-10", "M")


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


@pytest.fixture(scope="module")
def tiered(ds):
    return V.tiered(ds, OCT)


# ------------------------------------------------------------------ the rule

def test_quantile_tiers_by_hand():
    t = LT.ltv_tiers(pd.Series([5.0, 1, 9, 3, 7, 2, 4, 6, 8, 10], index=list("abcdefghij")))
    # 80th percentile 1 + 0.8 × 9 = 8.2, median 5.5
    assert t.thresholds == pytest.approx((8.2, 5.5))
    assert t.tier[["c", "j"]].tolist() == ["high", "high"] and t.tier[["e", "h", "i"]].tolist() == ["mid"] * 3
    assert t.counts().tolist() == [2, 3, 5]
    assert list(t.tier.index) == list("abcdefghij") and t.tier.cat.ordered
    assert str(t) == "LTV tiers (top 20 % / next 30 % / rest; n = 10): high LTV >= 8.2; mid 5.5 <= LTV < 8.2; " \
                     "low LTV < 5.5"
    twenty = LT.ltv_tiers(list(range(1, 21)))
    assert twenty.thresholds == pytest.approx((16.2, 10.5)) and twenty.counts().tolist() == [4, 6, 10]


def test_threshold_tiers_ties_and_missing_values():
    t = LT.ltv_tiers([100, 80, 79.99, 20, None], method="threshold", cuts=(80, 20))
    assert t.tier.astype(object).tolist()[:4] == ["high", "high", "mid", "mid"]  # at a threshold: the higher tier
    assert pd.isna(t.tier.iloc[4]) and (t.n, t.excluded) == (4, 1)
    assert str(t).startswith("LTV tiers (fixed thresholds; n = 4)")
    big = LT.ltv_tiers([3e7, 5e6, 1e5], method="threshold", cuts=(2e7, 3e6))
    assert "high LTV >= 20,000,000" in str(big)


@pytest.mark.parametrize("kw,match", [
    (dict(cuts=(0.5, 0.8)), "1 > cuts"),
    (dict(cuts=(80, 20)), "1 > cuts"),
    (dict(method="threshold", cuts=(20, 80)), "high's bound above"),
    (dict(method="kmeans"), "quantile' or 'threshold"),
    (dict(cuts=(0.8,)), "two numbers"),
])
def test_tier_rule_refuses_what_nobody_could_explain(kw, match):
    with pytest.raises(ValueError, match=match):
        LT.ltv_tiers([1.0, 2.0, 3.0], **kw)


# ------------------------------------------------------------------ cost to serve

def test_cost_to_serve_by_hand():
    c = LT.cost_to_serve(pd.Series(["high", "mid", "low", None]), years=[5, 4, 2, 1], ltv=[5e6, 1e6, 1e5, 1.0])
    assert c["monthly_cost"].tolist()[:3] == [4 * 8000 + 300, 1600 + 300, 300]
    assert c["annual_cost"].iloc[0] == 12 * 32_300
    assert c["lifetime_cost"].tolist()[:3] == [12 * 32_300 * 5, 12 * 1_900 * 4, 12 * 300 * 2]
    assert c["ltv_after_cost"].iloc[0] == 5e6 - 12 * 32_300 * 5
    assert math.isnan(c["monthly_cost"].iloc[3])
    own = LT.cost_to_serve(["high"], csm_hours_high=8, hourly_cost=10_000, digital_cost=0)
    assert own["monthly_cost"].iloc[0] == 80_000
    with pytest.raises(ValueError, match="high, mid or low"):
        LT.cost_to_serve(["gold"])
    with pytest.raises(ValueError, match="needs years"):
        LT.cost_to_serve(["high"], ltv=[1.0])
    with pytest.raises(ValueError, match="hourly_cost"):
        LT.cost_to_serve(["high"], hourly_cost=-1)


def test_tier_costs_by_hand():
    c = LT.tier_costs(["high", "high", "mid"], [5e6, 1e6, 2e5], [5, 5, 4]).set_index("tier")
    assert c.loc["high", "csm_hours"] == 8.0 and c.loc["high", "n"] == 2
    assert c.loc["high", "mean_ltv_after_cost"] == pytest.approx(3e6 - 12 * 32_300 * 5)
    assert c.loc["high", "negative"] == 1  # 1e6 < 1,938,000
    assert c.loc["high", "cost_share"] == pytest.approx(round(100 * 2 * 1_938_000 / 6e6, 1))
    assert c.loc["low", "n"] == 0 and math.isnan(c.loc["low", "mean_ltv"])


# ------------------------------------------------------------------ migration and trends

def test_tier_migration_and_churn_by_tier_by_hand():
    from statsmodels.stats.proportion import proportion_confint

    before = pd.Series(["high", "high", "mid", "low", "low"], index=list("abcde"))
    after = pd.Series(["high", "mid", "high", "low"], index=list("abcf"))
    m = LT.tier_migration(before, after)
    assert m.loc["high"].tolist() == [1, 1, 0, 0] and m.loc["mid"].tolist() == [1, 0, 0, 0]
    assert m.loc["low"].tolist() == [0, 0, 0, 2] and m.loc["new"].tolist() == [0, 0, 1, 0]
    assert int(m.to_numpy().sum()) == 6  # five customers before, one new
    c = LT.churn_by_tier(m).set_index("tier")
    assert c.loc["low", ["n", "churned", "churn"]].tolist() == [2, 2, 100.0]
    low, high = proportion_confint(2, 2, method="wilson")
    assert (c.loc["low", "low"], c.loc["low", "high"]) == pytest.approx((100 * low, 100 * high))
    assert c.loc["high", "churn"] == 0.0


def test_mrr_trend_and_tier_trend_by_hand():
    s = pd.DataFrame({"customer_id": ["a"] * 7 + ["b"] * 2,
                      "month": pd.PeriodIndex([f"2026-{m:02d}" for m in range(4, 11)] + ["2026-09", "2026-10"],
                                              freq="M"),
                      "mrr": [100.0, 100, 100, 110, 120, 120, 150, 200, 150]})
    tr = LT.mrr_trend(s, months=6).set_index("customer_id")
    assert tr.loc["a", ["mrr_then", "mrr_now", "change"]].tolist() == pytest.approx([100, 150, 50])
    assert tr.loc["b", "change"] == pytest.approx(-25)  # newer than six months: from its first month
    tt = LT.tier_trend(pd.Series([700.0, 600.0], index=["a", "b"]), tr["change"], (1000.0, 500.0))
    assert tt.loc["a", ["projected_ltv", "projected_tier", "direction"]].tolist() == [1050.0, "high", "up"]
    assert tt.loc["b", ["projected_ltv", "projected_tier", "direction"]].tolist() == [450.0, "low", "down"]
    small = LT.tier_trend(pd.Series([990.0], index=["a"]), pd.Series([5.0], index=["a"]), (1000.0, 500.0))
    assert small["direction"].iloc[0] == "flat"  # crosses, but a 5 % change is not a trend


# ------------------------------------------------------------------ the view on the sample

def test_tiers_on_the_sample(ds, tiered):
    act, tiers = tiered
    assert len(act) == 1261 and tiers.counts().tolist() == [253, 378, 630]
    assert set(act["tier"]) == {"high", "mid", "low"}
    assert act.loc[act["tier"] == "high", "ltv"].min() >= tiers.thresholds[0]
    shares = V.value_shares(act)
    assert shares["tier"].tolist() == ["high", "mid", "low"] and shares["share"].sum() == pytest.approx(100)
    assert shares["share"].iloc[0] > 75  # the long tail: the top 20 % hold about 80 % of the value


def test_action_lists_on_the_sample(ds, tiered):
    act, tiers = tiered
    no_csm = V.high_without_csm(act)
    exp = act[(act["tier"] == "high") & act["csm"].isna()]
    assert len(no_csm) == len(exp) > 0 and no_csm["ltv"].is_monotonic_decreasing
    # the sample assigns CSMs by plan and segment (premium or enterprise), not by value
    assert set(no_csm["plan"]) <= {"starter", "standard"} and "enterprise" not in set(no_csm["segment"])
    accounts, per_csm = V.csm_on_low(act, csm_hours_high=4)
    assert len(accounts) == int(((act["tier"] == "low") & act["csm"].notna()).sum())
    row = accounts.iloc[0]
    assert row["lifetime_cost"] == pytest.approx(12 * (4 * 8000 + 300) * act.set_index("customer_id").loc[
        row["customer_id"], "years"])
    assert accounts["ltv_after_cost"].is_monotonic_increasing and (accounts["ltv_after_cost"] < 0).any()
    assert per_csm["hours"].sum() == 4 * len(accounts) and per_csm["accounts"].sum() == len(accounts)
    moving = V.mid_trends(ds, act, tiers, OCT, months=6, min_change=10)
    assert set(moving["direction"]) <= {"up", "down"} and (moving["change"].abs() >= 10).all()
    up = moving[moving["direction"] == "up"]
    assert (up["projected_ltv"] >= tiers.thresholds[0]).all()


def test_migration_on_the_sample_uses_todays_thresholds(ds, tiered):
    act, tiers = tiered
    mig, before = V.migration(ds, OCT, tiers, act, months_back=12)
    assert str(before) == "2025-10"
    active_then = set(ds.subscriptions.loc[ds.subscriptions["month"] == before, "customer_id"])
    active_now = set(act["customer_id"])
    assert int(mig.loc[list(LT.TIERS)].to_numpy().sum()) == len(active_then)
    assert int(mig.loc["new"].sum()) == len(active_now - active_then)
    assert int(mig["churned"].sum()) == len(active_then - active_now)
    churn = LT.churn_by_tier(mig).set_index("tier")["churn"]
    assert churn["high"] < churn["mid"] < churn["low"]  # low LTV goes with high churn (planted)


def test_kpis_per_tier_on_the_sample(ds, tiered):
    act, _ = tiered
    nps = V.nps_by_tier(ds, act, OCT, months=6)
    assert nps["tier"].tolist() == ["high", "mid", "low"] and (nps["n"] > 30).all()
    tickets = V.tickets_by_tier(ds, act, OCT, months=6)
    # enterprise accounts raise more tickets (planted), and they sit in the high tier
    assert tickets["mean"].iloc[0] > tickets["mean"].iloc[2]
    table = V.kpi_table(nps, tickets, LT.churn_by_tier(V.migration(ds, OCT, V.tiered(ds, OCT)[1], act)[0]),
                        lang="ja")
    assert table.index.tolist() == ["高LTV層", "中LTV層", "低LTV層"] and "[" in table.iloc[0, 0]


def test_headline_records(tiered):
    act, tiers = tiered
    shares = V.value_shares(act)
    share, gap = V.headline_records(shares, 8, int(tiers.counts()["high"]), OCT)
    assert (share["kpi"], share["unit"], share["value"]) == ("tiers_high_value_share", "%", shares["share"].iloc[0])
    assert (gap["kpi"], gap["unit"], gap["value"], gap["n"]) == ("tiers_high_without_csm", "count", 8.0, 253)
    assert gap["title"]["ja"] == "担当CSMのいない高LTV層の顧客"
    # facts of the section, not catalogue KPIs (the front page lists them after the KPIs)
    from csa import headline as H
    from csa.kpi import KPIS

    assert not H.is_kpi(share) and not H.is_kpi(gap) and share["kpi"] not in KPIS and gap["kpi"] not in KPIS
    # with the default rule the high tier's share is the LTV notebook's "top 20 %": one figure, one function
    assert share["value"] == LT.top_share(act["ltv"], top=0.2)["share"]


def test_the_service_model_uses_the_glossarys_terms():
    from csa import glossary

    g = glossary.terms().set_index("term")
    for lang in ("en", "ja"):
        table = V.service_model(lang)
        assert table.columns[0] == g.loc["service_model", lang].split("（")[0].split(" (")[0]
        touch = table.iloc[:, 0].tolist()
        for value, term in zip(touch, ("high_touch", "low_touch", "tech_touch"), strict=True):
            assert value.startswith(g.loc[term, lang]), (lang, value, term)
    assert V.service_model("ja").index.name == "階層"


def test_sentences_write_numbers_with_csa_numbers(tiered):
    act, tiers = tiered
    shares = V.value_shares(act)
    high = shares.set_index("tier").loc["high"]
    assert f"{high['share']:.1f}% of the value" in V.describe_shares(shares, OCT, lang="en")
    rule = V.describe_rule(tiers, lang="ja")
    assert f"LTV {tiers.thresholds[0]:,.0f}円以上" in rule


def test_service_model_in_both_languages():
    en, ja = V.service_model("en"), V.service_model("ja")
    assert en.index.tolist() == ["High", "Mid", "Low"] and ja.index.tolist() == ["高LTV層", "中LTV層", "低LTV層"]
    assert "dedicated CSM" in en.iloc[0, 1] and "専任CSM" in ja.iloc[0, 1]


# ------------------------------------------------------------------ chart

def test_grouped_bars():
    import matplotlib.pyplot as plt

    from csa.display import value

    t = pd.DataFrame({"tier": ["Gold", "Bronze"], "a": [10.0, 2.0], "b": [-1.0, 0.5]})
    ax = value.grouped_bars(t, "tier", ["a", "b"], names=["LTV", "cost"], fmt="{:.1f}", title="T", lang="ja")
    assert len(ax.patches) == 4
    assert [x.get_text() for x in ax.get_yticklabels()] == ["Gold", "Bronze"]
    assert sorted(x.get_text() for x in ax.texts) == ["-1.0", "0.5", "10.0", "2.0"]
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["LTV", "cost"]
    assert ax.get_xlim()[0] < -1
    plt.close("all")


# ------------------------------------------------------------------ the notebook

def _run(run_notebook, **params):
    nb = run_notebook("08_tiers.ipynb", **params)
    return "\n".join(helpers.markdown(nb)), helpers.records(nb)


def _expected_share(top=0.2):
    exp = independent_ltv()
    v = exp.loc[exp["active"], "ltv"].to_numpy()
    cut = np.quantile(v, 1 - top)
    return 100 * v[v >= cut].sum() / v.sum(), int((v >= cut).sum())


@pytest.mark.slow
def test_papermill_headlines_match_an_independent_computation(run_notebook):
    text, (share, gap) = _run(run_notebook)
    exp_share, n_high = _expected_share()
    assert share["value"] == pytest.approx(exp_share, rel=1e-9) and share["period"] == "2026-10"
    customers = pd.read_csv(SAMPLE / "customers.csv").set_index("customer_id")
    exp = independent_ltv()
    act = exp[exp["active"]]
    high = act[act["ltv"] >= np.quantile(act["ltv"], 0.8)]
    assert gap["value"] == int(customers.loc[high["customer_id"], "csm"].isna().sum()) and gap["n"] == n_high
    assert f"{exp_share:.1f}% of the value" in text


@pytest.mark.slow
def test_papermill_in_japanese_with_fixed_thresholds(run_notebook):
    text, (share, gap) = _run(run_notebook, lang="ja", method="threshold", cut_high=20_000_000, cut_mid=3_000_000)
    exp = independent_ltv()
    v = exp.loc[exp["active"], "ltv"]
    assert share["value"] == pytest.approx(100 * v[v >= 2e7].sum() / v.sum(), rel=1e-9)
    assert gap["n"] == int((v >= 2e7).sum())
    assert "**ルール**：LTV 20,000,000円以上を高LTV層" in text and "The rule" not in text
