"""NPS: pinned to hand computations, published values and independent implementations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.weightstats import DescrStatsW, ztest

import csa
from csa.metrics import nps as N
from csa.periods import label, parse_period, period_of
from csa.views import nps as V
from csa.views.common import Periods, headline, periods, resolve_period

TEN = [10, 9, 9, 10, 9, 8, 7, 8, 3, 6]


def test_groups_at_the_boundaries():
    assert N.classify([0, 6, 7, 8, 9, 10]).tolist() == ["detractor", "detractor", "passive", "passive", "promoter",
                                                        "promoter"]


def test_ten_answers_by_hand():
    assert csa.nps(TEN) == N.nps(TEN)  # the quick top-level call
    r = N.nps(TEN)
    assert (r.n, r.promoters, r.passives, r.detractors) == (10, 5, 3, 2)
    assert r.value == pytest.approx(30.0)  # 50 % − 20 %
    assert (r.pct_promoters, r.pct_passives, r.pct_detractors) == (50.0, 30.0, 20.0)
    # adjusted Wald by hand: n' = 13, p = 5.75/13, d = 2.75/13
    p, d = 5.75 / 13, 2.75 / 13
    se = math.sqrt((p + d - (p - d) ** 2) / 13)
    z = 1.959963984540054
    assert r.low == pytest.approx(100 * (p - d - z * se))
    assert r.high == pytest.approx(100 * (p - d + z * se))
    assert (round(r.low, 1), round(r.high, 1)) == (-19.1, 65.2)


@pytest.mark.parametrize("P,Q,D", [(5, 3, 2), (40, 30, 30), (0, 10, 0), (17, 0, 3), (123, 456, 789)])
def test_variance_formula_equals_variance_of_plus_one_zero_minus_one(P, Q, D):
    x = np.array([1.0] * P + [0.0] * Q + [-1.0] * D)
    p, d = P / len(x), D / len(x)
    assert p + d - (p - d) ** 2 == pytest.approx(np.var(x))


def test_published_wald_width_for_a_third_each():
    # Engelhardt (2016): with p = d = 1/3 the 95 % interval is about 320/√n NPS points wide
    n = 900
    r = N.nps([10] * 300 + [8] * 300 + [0] * 300, method="wald")
    assert (r.high - r.low) * math.sqrt(n) == pytest.approx(320, abs=0.5)


@pytest.mark.parametrize("P,Q,D,level", [(5, 3, 2, 0.95), (40, 30, 30, 0.9), (3, 0, 0, 0.95), (200, 500, 900, 0.99)])
def test_adjusted_wald_matches_weighted_statsmodels(P, Q, D, level):
    w = DescrStatsW(np.array([1.0, 0.0, -1.0]), weights=[P + 0.75, Q + 1.5, D + 0.75])
    z = stats.norm.ppf(0.5 + level / 2)
    se = math.sqrt(w.var / w.sum_weights)
    r = N.nps([10] * P + [7] * Q + [0] * D, level=level)
    assert r.low == pytest.approx(max(-100, 100 * (w.mean - z * se)))
    assert r.high == pytest.approx(min(100, 100 * (w.mean + z * se)))


def test_wald_matches_numpy():
    x = np.array([1.0] * 40 + [0.0] * 30 + [-1.0] * 30)
    r = N.nps([9] * 40 + [8] * 30 + [2] * 30, method="wald")
    se = math.sqrt(np.var(x) / len(x))
    want = (100 * (x.mean() - 1.959964 * se), 100 * (x.mean() + 1.959964 * se))
    assert (r.low, r.high) == pytest.approx(want, abs=1e-4)


def test_interval_is_clipped_and_empty_input_has_no_interval():
    r = N.nps([10, 10, 10], method="wald")
    assert r.high == 100 and r.low == 100
    e = N.nps([])
    assert e.n == 0 and math.isnan(e.value) and math.isnan(e.low)
    assert "no valid responses" in str(e)


def test_invalid_scores_raise_or_are_counted():
    with pytest.raises(csa.DataError) as info:
        N.nps([10, 11, 5, None])
    p = info.value.problems[0]
    assert p.column == "score" and p.n_rows == 2
    r = N.nps([10, 11, 5, None, 7.5], exclude_invalid=True)
    assert (r.n, r.excluded, r.value) == (2, 3, 0.0)
    ints = N.nps(pd.Series([10, -1, 5, 12, 9], dtype="int64"), exclude_invalid=True)  # integer fast path
    assert (ints.n, ints.excluded, ints.promoters, ints.detractors) == (3, 2, 2, 1)
    with pytest.raises(ValueError, match="method"):
        N.nps(TEN, method="exact")


def test_counts_by_group_match_plain_pandas():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"g": rng.choice(["a", "b", "c"], 500), "score": rng.integers(0, 11, 500)})
    c = N.nps_counts(df, "g").set_index("g")
    for g, sub in df.groupby("g"):
        assert c.loc[g, "promoters"] == (sub.score >= 9).sum()
        assert c.loc[g, "detractors"] == (sub.score <= 6).sum()
        assert c.loc[g, "n"] == len(sub)
    t = N.nps_stats(c.reset_index(), min_n=170)
    assert (t["nps"] == t["pct_promoters"] - t["pct_detractors"]).all()
    assert t["small_n"].tolist() == (t["n"] < 170).tolist()


@pytest.mark.parametrize("dense", [True, False])
def test_counts_by_two_keys_with_missing_keys_match_groupby(monkeypatch, dense):
    if not dense:
        monkeypatch.setattr(N, "_DENSE_LIMIT", 0)  # the hashed fallback for huge key spaces
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": pd.array(rng.choice(["x", "y", None], 400), dtype="str"),
                       "b": rng.integers(0, 4, 400), "score": rng.integers(0, 11, 400)})
    got = N.nps_counts(df, ["a", "b"])
    want = (df.assign(pro=df.score >= 9, det=df.score <= 6, pas=df.score.between(7, 8))
              .groupby(["a", "b"], dropna=False).agg(n=("score", "size"), promoters=("pro", "sum"),
                                                      passives=("pas", "sum"), detractors=("det", "sum"))
              .reset_index())
    assert len(got) == len(want)
    for c in ("n", "promoters", "passives", "detractors"):
        assert got[c].tolist() == want[c].tolist()
    assert got["a"].isna().sum() == want["a"].isna().sum() > 0


def test_compare_by_hand_and_against_statsmodels_ztest():
    a, b = N.nps([10] * 50 + [8] * 20 + [3] * 30), N.nps([10] * 30 + [8] * 30 + [3] * 40)
    c = N.compare(a, b)
    pa, da = 50.75 / 103, 30.75 / 103
    pb, db = 30.75 / 103, 40.75 / 103
    se = math.sqrt((pa + da - (pa - da) ** 2) / 103 + (pb + db - (pb - db) ** 2) / 103)
    zz = ((pa - da) - (pb - db)) / se
    assert c.diff == pytest.approx(30.0)
    assert c.z == pytest.approx(zz)
    assert c.p_value == pytest.approx(2 * stats.norm.sf(abs(zz)))
    # large samples: Wald comparison agrees with a two-sample z-test on the ±1/0 scores
    rng = np.random.default_rng(3)
    xa = rng.choice([1.0, 0.0, -1.0], 5000, p=[0.3, 0.3, 0.4])
    xb = rng.choice([1.0, 0.0, -1.0], 5000, p=[0.27, 0.33, 0.4])
    to_scores = lambda x: np.where(x > 0, 10, np.where(x < 0, 0, 7))
    cw = N.compare(N.nps(to_scores(xa), method="wald"), N.nps(to_scores(xb), method="wald"), method="wald")
    z_sm, p_sm = ztest(xa, xb, usevar="unequal")
    assert cw.z == pytest.approx(z_sm, rel=1e-3)
    assert cw.p_value == pytest.approx(p_sm, rel=1e-2)


def test_sample_size_matches_statsmodels_power():
    for diff, p, d in [(10, 0.3, 0.3), (5, 0.25, 0.45), (20, 0.5, 0.1)]:
        sd = math.sqrt(p + d - (p - d) ** 2)
        n_sm = NormalIndPower().solve_power(effect_size=(diff / 100) / sd, alpha=0.05, power=0.8, ratio=1)
        assert abs(N.sample_size(diff, promoters=p, detractors=d) - math.ceil(n_sm)) <= 1
    assert N.sample_size(10) == 942  # (1.95996 + 0.84162)² × 2 × 0.6 / 0.01 = 941.9
    with pytest.raises(ValueError):
        N.sample_size(10, promoters=0.8, detractors=0.5)


# ------------------------------------------------------------------ on the sample

@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


@pytest.fixture(scope="module")
def resp(ds):
    return V.responses(ds)


def _head(ds, this: str, prev: str | None = None):
    """The section's headline (the catalogue's NPS) for ``this`` against ``prev`` (default: the month before)."""
    a = pd.Period(this, "M")
    return headline("nps", ds, Periods(a, pd.Period(prev, "M") if prev else a - 1), section="nps")


def test_responses_filters_and_refuses_unknown_values(ds, resp):
    assert len(resp) == (ds.surveys["survey"] == "nps").sum()
    ent = V.responses(ds, segment="enterprise")
    assert set(ent["segment"]) == {"enterprise"} and 0 < len(ent) < len(resp)
    with pytest.raises(ValueError, match=r"smb, .*enterprise|enterprise.*smb"):
        V.responses(ds, segment="Enterprise ")


def test_table_by_period_is_plain_pandas_per_month(resp):
    tab = N.nps_table(resp, "period").set_index("period")
    month = resp["responded_at"].dt.tz_localize(None).dt.to_period("M")
    for p in [pd.Period("2026-10", "M"), pd.Period("2025-01", "M")]:
        s = resp.loc[month == p, "score"]
        assert tab.loc[p, "nps"] == pytest.approx(100 * ((s >= 9).mean() - (s <= 6).mean()))
    assert tab["n"].sum() == len(resp)


def test_headline_and_resolve_period(ds, resp):
    assert resolve_period(resp["responded_at"]) == pd.Period("2026-10", "M")
    assert resolve_period(resp["responded_at"], "2025-04") == pd.Period("2025-04", "M")
    p = periods(resp["responded_at"], "2026Q3", freq="quarter")
    assert (p.this_label, p.prev_label) == ("2026Q3", "2026Q2")
    h = V.result(_head(ds, "2026-10"))
    tab = N.nps_table(resp, "period").set_index("period").loc[pd.Period("2026-10", "M")]
    assert (h.n, h.value, h.low) == (tab["n"], tab["nps"], tab["low"])
    assert V.describe(h, "2026-10").startswith(f"**NPS in 2026-10: {csa.numbers.number(h.value, signed=True)}**")
    none = V.result(_head(ds, "2030-01"))
    assert none.n == 0 and "No NPS responses in 2030-01" in V.describe(none, "2030-01")
    few = V.describe(N.nps(TEN), "x", min_n=30)
    assert "Only 10 responses" in few


def test_compare_periods_overall_equals_compare(ds, resp):
    a, b = pd.Period("2026-10", "M"), pd.Period("2026-09", "M")
    row = N.compare_periods(resp, a, b).iloc[0]
    c = N.compare(V.result(_head(ds, "2026-10")), V.result(_head(ds, "2026-09")))
    assert (row["diff"], row["p_value"], row["low"]) == pytest.approx((c.diff, c.p_value, c.low))
    by = N.compare_periods(resp, a, b, "touchpoint").set_index("touchpoint")
    assert by.loc["relationship", "n_b"] == 0 and math.isnan(by.loc["relationship", "p_value"])
    counts = V.period_counts(ds)
    pd.testing.assert_frame_equal(V.period_change(counts, a, b, "touchpoint"), N.compare_periods(resp, a, b,
                                  "touchpoint"), check_exact=False, rtol=1e-12)
    h = _head(ds, "2026-10")
    assert (h.change["diff"], h.change["low"], h.change["p_value"]) == pytest.approx((row["diff"], row["low"],
                                                                                      row["p_value"]))


def test_followup_lists(ds, resp):
    p = pd.Period("2026-10", "M")
    det = V.followups(ds, resp, p)
    in_p = resp[(resp["period"] == p)]
    assert len(det) == (in_p["score"] <= 6).sum()
    assert det["score"].is_monotonic_increasing and det["score"].max() <= 6
    pro = V.followups(ds, resp, p, kind="promoter")
    assert len(pro) == (in_p["score"] >= 9).sum() and pro["score"].min() >= 9
    with_comment = pro["comment"].notna()
    assert not (with_comment.iloc[1:].to_numpy() & ~with_comment.iloc[:-1].to_numpy()).any()  # commented first


def test_followups_show_open_tickets(small):
    ds = csa.load(small)
    resp = V.responses(ds)
    open_t = ds.tickets[ds.tickets["status"] == "open"]
    last = resp["period"].max()
    det = V.followups(ds, resp, last)
    for _, row in det.iterrows():
        want = ", ".join(open_t.loc[open_t["customer_id"] == row["customer_id"], "ticket_id"])
        assert row["open_tickets"] == want


def test_paired_change_matches_statsmodels(resp):
    waves = V.relationship_waves(resp)
    pc = N.paired_change(V.waves(resp), waves[-2], waves[-1])
    rel = resp[resp["touchpoint"] == "relationship"]
    m = rel["responded_at"].dt.tz_localize(None).dt.to_period("M")
    a = rel[m == waves[-2]].groupby("customer_id")["score"].last()
    b = rel[m == waves[-1]].groupby("customer_id")["score"].last()
    both = a.index.intersection(b.index)
    d = N.trinomial(b[both]) - N.trinomial(a[both])
    tstat, pval, _ = DescrStatsW(d).ttest_mean(0)
    lo, hi = DescrStatsW(d).tconfint_mean(0.05)
    assert pc.n == len(both) == pc.transitions.to_numpy().sum()
    assert (pc.t, pc.p_value) == pytest.approx((tstat, pval))
    assert (pc.low, pc.high) == pytest.approx((100 * lo, 100 * hi))
    assert pc.after - pc.before == pytest.approx(pc.change)
    # transitions: rows are the first wave's groups
    assert pc.transitions.sum(axis=1)["promoter"] == (a[both] >= 9).sum()


def test_periods_month_quarter_fiscal_year():
    ts = pd.Series(pd.to_datetime(["2026-03-31 23:59", "2026-04-01 00:00"]).tz_localize("Asia/Tokyo"))
    fy = period_of(ts, "fiscal_year")
    assert [label(p, "fiscal_year") for p in fy] == ["FY2025", "FY2026"]
    assert parse_period("FY2026", "fiscal_year") == fy.iloc[1]
    assert [label(p, "quarter") for p in period_of(ts, "quarter")] == ["2026Q1", "2026Q2"]
    with pytest.raises(ValueError, match="2026-10"):
        parse_period("October", "month")


# ------------------------------------------------------------------ views: mix, sentences, headline

def test_touchpoint_mix_is_the_share_of_responses(resp):
    a, b = pd.Period("2026-10", "M"), pd.Period("2026-09", "M")
    mix = V.touchpoint_mix(resp, a, b).set_index("touchpoint")
    in_a = resp.loc[resp["period"] == a, "touchpoint"]
    assert mix["n_a"].sum() == len(in_a)
    assert mix.loc["relationship", "share_a"] == pytest.approx(100 * (in_a == "relationship").mean())
    assert mix.loc["relationship", "n_b"] == 0  # no wave in 2026-09: the mix problem of the overall change
    text = V.describe_mix(mix.reset_index(), "2026-10", "2026-09", lang="ja")
    assert "構成が異なります" in text and "定期調査" in text
    same = V.describe_mix(V.touchpoint_mix(resp, a, a), "2026-10", "2026-10")
    assert same.startswith("The touchpoint mix is similar")


def test_change_sentence_says_whether_the_interval_contains_zero(ds):
    h = _head(ds, "2026-10", "2026-04")  # two relationship waves: a real change
    c = h.change
    real = c["low"] > 0 or c["high"] < 0
    assert ("excludes 0" if real else "contains 0") in V.describe_change(h, "2026-04")
    assert ("区別できる" if real else "区別できません") in V.describe_change(h, "2026-04", lang="ja")
    from dataclasses import replace
    assert "contains 0" in V.describe_change(replace(h, change={**c, "low": -1.0, "high": 1.0}), "2026-04")
    assert "No comparison" in V.describe_change(_head(ds, "2026-10", "2030-01"), "2030-01")


def test_sentences_in_japanese_carry_the_same_numbers(ds):
    h = V.result(_head(ds, "2026-10"))
    ja = V.describe(h, "2026-10", lang="ja")
    assert ja.startswith(f"**2026-10のNPS：{csa.numbers.number(h.value, signed=True)}**") and f"{h.n:,}件" in ja
    assert "interval" not in ja and "responses" not in ja
    assert "回答は10件のみ" in V.describe(N.nps(TEN), "x", lang="ja")


def test_headline_record_for_the_report_index(ds, resp):
    hl = _head(ds, "2026-10")
    rec, h = hl.record, V.result(hl)
    row = N.compare_periods(resp, pd.Period("2026-10", "M"), pd.Period("2026-09", "M")).iloc[0]
    assert rec["kpi"] == "nps" and rec["key"] == "nps{method=adjusted-wald}" and rec["section"] == "nps"
    assert rec["period"] == "2026-10" and rec["n"] == h.n
    assert (rec["value"], rec["low"], rec["high"]) == pytest.approx((h.value, h.low, h.high), rel=1e-12)
    assert rec["change"]["vs"] == "2026-09" and rec["change"]["diff"] == pytest.approx(row["diff"])
    assert rec["title"]["ja"].startswith("ネット・プロモーター・スコア") and rec["small_n"] is False
    r = csa.measure("nps", ds, period="2026-10", **rec["params"])
    assert (r.value, r.low, r.high, r.n) == (rec["value"], rec["low"], rec["high"], rec["n"])
    empty = _head(ds, "2030-01").record
    assert empty["value"] is None and empty["change"] is None and empty["small_n"] is True


def test_last_two_waves_up_to_a_period(resp):
    assert V.last_two_waves(resp, pd.Period("2026-10", "M")) == (pd.Period("2026-04", "M"), pd.Period("2026-10", "M"))
    assert V.last_two_waves(resp, pd.Period("2024-11", "M")) is None


def test_column_names_are_keywords():
    df = pd.DataFrame({"who": list("abab"), "when": ["x", "x", "y", "y"], "likely": [10, 3, 9, 9]})
    c = N.compare_periods(df, "y", "x", period="when", score="likely", min_n=1)
    assert c.loc[0, "diff"] == pytest.approx(100.0)
    pc = N.paired_change(df, "x", "y", wave="when", customer="who", score="likely", order=None)
    assert (pc.n, pc.change) == (2, 100.0)
    with pytest.raises(KeyError, match="'score' not found"):
        N.compare_periods(df, "y", "x", period="when")
