"""CSAT and the shared rate machinery (csa.metrics.survey), pinned to hand computations, statsmodels
and scipy; funnel limits and beta-binomial shrinkage pinned to independent computations; the CSAT
view on the sample; papermill runs of the CSAT notebook checked against plain pandas."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

import csa
from csa import registry
from csa import stats as S
from csa.metrics import survey as M
from csa.views import csat as V
from csa.views.common import headline, periods

from . import helpers
from .conftest import SAMPLE

EIGHT = [5, 4, 4, 3, 5, 2, 4, 1]
JA = re.compile(r"[ぁ-んァ-ヶ一-龥]")


def wilson(x, n, level=0.95):
    """statsmodels' Wilson interval in percent."""
    lo, hi = proportion_confint(x, n, alpha=1 - level, method="wilson")
    return 100 * lo, 100 * hi


# ------------------------------------------------------------------------------- one set of answers

def test_eight_answers_by_hand():
    r = M.csat(EIGHT)
    assert (r.n, r.satisfied, r.excluded) == (8, 5, 0)
    assert r.value == 62.5  # 4s and 5s: 5 of 8
    assert (r.low, r.high) == pytest.approx(wilson(5, 8))
    assert r.mean == 3.5  # 28 / 8
    sd = np.std(EIGHT, ddof=1)
    lo, hi = stats.t.interval(0.95, 7, loc=3.5, scale=sd / math.sqrt(8))
    assert (r.mean_low, r.mean_high, r.sd) == pytest.approx((lo, hi, sd))
    top1 = M.csat(EIGHT, top=1)
    assert (top1.value, top1.satisfied) == (25.0, 2)
    assert (top1.low, top1.high) == pytest.approx(wilson(2, 8))
    assert "62.5 % satisfied (4–5 of 5" in str(r)


@pytest.mark.parametrize("scale,top,want", [(5, 2, [4, 5]), (5, 3, [3, 4, 5]), (7, 3, [5, 6, 7]),
                                            (10, 3, [8, 9, 10]), (2, 1, [2])])
def test_top_boxes_at_the_boundaries(scale, top, want):
    assert [s for s in range(1, scale + 1) if M.satisfied([s], scale=scale, top=top)[0]] == want
    r = M.csat(list(range(1, scale + 1)), scale=scale, top=top)
    assert r.satisfied == len(want) and r.value == pytest.approx(100 * len(want) / scale)


def test_the_mean_interval_stays_on_the_scale():
    r = M.csat([5, 4, 3])
    assert r.mean == 4.0 and r.mean_high == 5.0  # the t interval (1.52 to 6.48) clipped to 1–5
    assert stats.t.interval(0.95, 2, loc=4, scale=stats.sem([5, 4, 3]))[0] == pytest.approx(r.mean_low)
    assert M.ces([1, 2, 7]).mean_low == 1.0


def test_level_changes_both_intervals():
    r90, r99 = M.csat(EIGHT * 10, level=0.9), M.csat(EIGHT * 10, level=0.99)
    assert (r90.low, r90.high) == pytest.approx(wilson(50, 80, 0.9))
    assert r99.high - r99.low > r90.high - r90.low and r99.mean_high > r90.mean_high


def test_missing_answers_are_counted_invalid_ones_raise():
    r = M.csat([5, None, 4, np.nan, 1])
    assert (r.n, r.excluded, r.satisfied) == (3, 2, 2)
    assert "2 excluded" in str(r)
    with pytest.raises(csa.DataError) as info:
        M.csat([5, 6, 0, 4.5])
    p = info.value.problems[0]
    assert p.n_rows == 3 and "1–5" in p.message and "exclude_invalid" in p.fix
    c = M.csat_counts(pd.DataFrame({"score": [5, 6, 0, 4.5, None]}), exclude_invalid=True)
    assert c[["n", "satisfied", "excluded"]].iloc[0].tolist() == [1, 1, 4]
    with pytest.raises(ValueError, match="top must be a whole number from 1 to 4"):
        M.csat(EIGHT, top=5)
    with pytest.raises(ValueError, match="scale"):
        M.csat(EIGHT, scale=1)


def test_no_answers_give_no_estimate():
    r = M.csat([None, None])
    assert r.n == 0 and r.excluded == 2 and math.isnan(r.value) and math.isnan(r.low) and math.isnan(r.mean)
    assert str(r) == "CSAT: no valid answers; 2 excluded"


def test_top_level_calls_once_exported():
    if not hasattr(csa, "csat"):
        pytest.skip("csa/__init__.py does not re-export csat, ces and gcr yet (issue 9)")
    assert (csa.csat, csa.ces, csa.gcr) == (M.csat, M.ces, M.gcr)
    assert csa.csat(EIGHT) == M.csat(EIGHT)


# ------------------------------------------------------------------------------- counts and stats

@pytest.fixture(scope="module")
def random_answers():
    rng = np.random.default_rng(11)
    return pd.DataFrame({"team": pd.array(rng.choice(["a", "b", None], 600), dtype="str"),
                         "ch": rng.integers(0, 3, 600), "score": rng.integers(1, 6, 600)})


def test_counts_by_two_keys_match_plain_pandas(random_answers):
    df = random_answers
    got = M.csat_counts(df, ["team", "ch"])
    want = (df.assign(sat=df.score >= 4, sq=df.score ** 2)
              .groupby(["team", "ch"], dropna=False)
              .agg(n=("score", "size"), satisfied=("sat", "sum"), total=("score", "sum"), total_sq=("sq", "sum"))
              .reset_index())
    assert len(got) == len(want)
    for c in ("n", "satisfied", "total", "total_sq"):
        assert got[c].tolist() == want[c].astype(got[c].dtype).tolist()
    assert got["team"].isna().sum() == want["team"].isna().sum() > 0
    assert (got["excluded"] == 0).all()


def test_stats_match_statsmodels_and_scipy_row_by_row(random_answers):
    tab = M.csat_table(random_answers, "ch", min_n=210)
    lo, hi = proportion_confint(tab["satisfied"], tab["n"], method="wilson")
    np.testing.assert_allclose(tab["low"], 100 * lo)
    np.testing.assert_allclose(tab["high"], 100 * hi)
    for row in tab.itertuples():
        x = random_answers.loc[random_answers.ch == row.ch, "score"].to_numpy(float)
        assert row.mean == pytest.approx(x.mean())
        assert row.sd == pytest.approx(x.std(ddof=1))
        ci = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert (row.mean_low, row.mean_high) == pytest.approx(ci)
    assert tab["small_n"].tolist() == (tab["n"] < 210).tolist()


def test_group_with_only_missing_scores_has_no_interval():
    tab = M.csat_table(pd.DataFrame({"g": ["a", "b"], "score": [5, None]}), "g")
    b = tab.set_index("g").loc["b"]
    assert b["n"] == 0 and b["excluded"] == 1 and np.isnan(b["csat"]) and np.isnan(b["low"]) and np.isnan(b["mean"])


def test_score_distribution():
    d = M.score_distribution(pd.DataFrame({"g": ["a"] * 4 + ["b"], "score": [1, 5, 5, 3, 2]}), "g")
    assert d.loc[0, [f"pct_{k}" for k in range(1, 6)]].tolist() == [25.0, 0.0, 25.0, 0.0, 50.0]
    assert d.loc[1, "pct_2"] == 100.0


# ------------------------------------------------------------------------------- vendor rules

def test_rules_side_by_side_by_hand():
    tab = M.csat_rules(EIGHT).set_index("rule")
    assert tab.loc["top2", "value"] == 62.5 and tab.loc["top1", "value"] == 25.0
    assert tab.loc["top3", "value"] == 75.0 and tab.loc["mean", "value"] == 3.5
    assert tab.loc["zendesk", "value"] == tab.loc["top2", "value"]  # 1–5: good 4–5, bad 1–3 (3 included)
    assert tab.loc["zendesk", "n"] == 8  # good + bad: every rated answer
    assert (tab.loc["top3", "low"], tab.loc["top3", "high"]) == pytest.approx(wilson(6, 8))
    assert tab.loc["mean", "unit"] == "score" and np.isnan(tab.loc["mean", "satisfied"])


def test_zendesk_rule_on_its_other_scales():
    assert M.rule_top("zendesk", 3) == 1 and M.rule_top("zendesk", 2) == 1 and M.rule_top("zendesk", 5) == 2
    three = M.csat_rules([1, 2, 3, 3], scale=3, rules=["zendesk"])
    assert three["value"].iloc[0] == 50.0  # only 3 of 3 is good
    with pytest.raises(ValueError, match="Zendesk"):
        M.rule_top("zendesk", 7)
    with pytest.raises(ValueError, match="rule must be one of"):
        M.rule_top("top-2")


# ------------------------------------------------------------------------------- change, sample size

def test_change_between_periods_matches_statsmodels():
    df = pd.DataFrame({"period": ["a"] * 60 + ["b"] * 60, "score": [5] * 45 + [2] * 15 + [4] * 30 + [1] * 30})
    ch = M.csat_change(df, "a", "b").iloc[0]
    assert (ch["n_a"], ch["csat_a"], ch["n_b"], ch["csat_b"], ch["diff"]) == (60, 75.0, 60, 50.0, 25.0)
    lo, hi = confint_proportions_2indep(45, 60, 30, 60, method="newcomb", compare="diff")
    assert (ch["low"], ch["high"]) == pytest.approx((100 * lo, 100 * hi))
    _z, p = proportions_ztest([45, 30], [60, 60])
    assert ch["p_value"] == pytest.approx(p)


def test_change_by_group_with_a_group_missing_on_one_side():
    df = pd.DataFrame({"period": ["a", "a", "b", "b", "b"], "ch": ["x", "y", "x", "x", "x"],
                       "score": [5, 5, 1, 4, 5]})
    ch = M.csat_change(df, "a", "b", "ch", min_n=1).set_index("ch")
    assert ch.loc["y", "n_b"] == 0 and np.isnan(ch.loc["y", "diff"]) and np.isnan(ch.loc["y", "csat_b"])
    assert ch.loc["x", "diff"] == pytest.approx(100 - 200 / 3)


def test_sample_size_is_the_two_proportion_formula():
    assert M.sample_size(5, current=60) == S.sample_size_proportions(0.60, 0.65)
    assert M.sample_size(-5, current=60) == S.sample_size_proportions(0.60, 0.55)
    with pytest.raises(ValueError, match="0–100"):
        M.sample_size(10, current=95)
    with pytest.raises(ValueError, match="percent"):
        M.sample_size(5, current=0.6 * 1000)


# ------------------------------------------------------------------------------- funnel limits

def test_funnel_limits_by_hand():
    # n = 10, p0 = 0.5, q = 0.025: F(1) = 0.0107 < q <= F(2) = 0.0547, so r = 2 and
    # alpha = (F(2) − q) / P(R = 2); the lower limit is (r − alpha)/n, the upper its mirror image
    F2, P2 = stats.binom.cdf(2, 10, 0.5), stats.binom.pmf(2, 10, 0.5)
    low = (2 - (F2 - 0.025) / P2) / 10
    got = M.funnel_limits(50, 10)
    assert got == pytest.approx((100 * low, 100 * (1 - low)))
    assert round(got.low, 2) == 13.24


@pytest.mark.parametrize("centre", [12.0, 56.3, 80.0, 97.5])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_outside_the_funnel_exactly_when_the_exact_binomial_tail_is_small(centre, level):
    q, p0 = (1 - level) / 2, centre / 100
    for n in (1, 3, 9, 27, 80, 333):
        low, high = M.funnel_limits(centre, n, level=level)
        for x in range(n + 1):
            assert (100 * x / n < low) == (stats.binom.cdf(x, n, p0) < q), (n, x)
            assert (100 * x / n > high) == (stats.binom.sf(x - 1, n, p0) < q), (n, x)


def test_funnel_limits_normal_method_and_large_n():
    n = np.array([50, 400, 5000])
    lo, hi = M.funnel_limits(60, n, method="normal")
    half = 100 * 1.959963984540054 * np.sqrt(0.6 * 0.4 / n)
    np.testing.assert_allclose(lo, 60 - half)
    np.testing.assert_allclose(hi, 60 + half)
    elo, ehi = M.funnel_limits(60, n)
    np.testing.assert_allclose(elo[1:], lo[1:], atol=0.3)
    np.testing.assert_allclose(ehi[1:], hi[1:], atol=0.3)  # exact and normal agree for large n
    assert np.isnan(M.funnel_limits(60, [0, 5]).low[0])
    with pytest.raises(ValueError, match="centre"):
        M.funnel_limits(0.6 * 1000, 10)
    with pytest.raises(ValueError, match="level"):
        M.funnel_limits(60, 10, level=95)


# ------------------------------------------------------------------------------- shrinkage

X5, N5 = [8, 15, 30, 12, 20], [20, 25, 40, 30, 25]


def test_moments_prior_by_hand():
    x, n = np.array(X5, float), np.array(N5, float)
    N, k = n.sum(), len(n)
    mu = x.sum() / N
    dispersion = np.sum(n * (x / n - mu) ** 2)
    rho = (dispersion / (mu * (1 - mu)) - (k - 1)) / (N - np.sum(n**2) / N - (k - 1))
    conc = 1 / rho - 1
    p = M.fit_beta_prior(X5, N5, method="moments")
    assert (p.mean, p.concentration, p.alpha, p.beta) == pytest.approx((100 * mu, conc, mu * conc, (1 - mu) * conc))
    assert p.sd == pytest.approx(100 * math.sqrt(mu * (1 - mu) / (conc + 1)))


def test_no_variation_beyond_chance_is_a_point_mass():
    p = M.fit_beta_prior([5, 5, 5, 5], [10, 10, 10, 10])
    assert math.isinf(p.concentration) and p.mean == 50.0
    assert math.isinf(M.fit_beta_prior([5, 5, 5, 5], [10, 10, 10, 10], method="moments").concentration)
    tab = M.shrink(pd.DataFrame({"n": [10, 3], "successes": [9, 0]}), p)
    assert tab["shrunk"].tolist() == [50.0, 50.0] and tab["weight"].tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="two groups"):
        M.fit_beta_prior([3], [5])


def _independent_ml(x, n):
    """Maximum likelihood of the beta-binomial over log α, log β with scipy's own pmf (another route)."""
    nll = lambda th: -stats.betabinom.logpmf(x, n, math.exp(th[0]), math.exp(th[1])).sum()
    best = min((optimize.minimize(nll, [a, b], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12,
                                                                              "maxiter": 20000})
                for a in (0.0, 2.0, 4.0) for b in (0.0, 2.0, 4.0)), key=lambda r: r.fun)
    return math.exp(best.x[0]), math.exp(best.x[1]), best.fun


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_maximum_likelihood_prior_matches_an_independent_fit(seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(5, 60, 25)
    x = rng.binomial(n, rng.beta(6, 4, 25))
    p = M.fit_beta_prior(x, n)
    a, b, nll = _independent_ml(x, n)
    ours = -stats.betabinom.logpmf(x, n, p.alpha, p.beta).sum()
    assert ours <= nll + 1e-6  # at least as likely as the independent optimum
    assert (p.alpha, p.beta) == pytest.approx((a, b), rel=2e-3)


def test_maximum_likelihood_recovers_a_known_prior():
    rng = np.random.default_rng(5)
    n = np.full(600, 30)
    x = rng.binomial(n, rng.beta(12, 8, 600))
    p = M.fit_beta_prior(x, n)
    assert p.mean == pytest.approx(60, abs=1.5)
    assert p.concentration == pytest.approx(20, rel=0.3)


def test_shrunken_estimates_are_the_posterior_of_the_beta_binomial():
    counts = pd.DataFrame({"agent": list("abc"), "n": [40, 40, 3], "successes": [30, 18, 3]})
    prior = M.BetaPrior(12.0, 8.0, 60.0, 20.0, "moments", 3)
    tab = M.shrink(counts, prior, level=0.9).set_index("agent")
    for g, x, n in zip("abc", (30, 18, 3), (40, 40, 3), strict=True):
        assert tab.loc[g, "shrunk"] == pytest.approx(100 * (x + 12) / (n + 20))
        assert tab.loc[g, "shrunk_low"] == pytest.approx(100 * stats.beta.ppf(0.05, x + 12, n - x + 8))
        assert tab.loc[g, "shrunk_high"] == pytest.approx(100 * stats.beta.ppf(0.95, x + 12, n - x + 8))
        assert tab.loc[g, "weight"] == pytest.approx(n / (n + 20))
        # a weighted average of the group's rate and the prior mean
        assert tab.loc[g, "shrunk"] == pytest.approx(n / (n + 20) * 100 * x / n + 20 / (n + 20) * 60)
        assert (tab.loc[g, "raw_low"], tab.loc[g, "raw_high"]) == pytest.approx(wilson(x, n, 0.9))
    assert tab["rank_raw"].tolist() == [2, 3, 1] and tab["rank_shrunk"].tolist() == [1, 3, 2]


# ------------------------------------------------------------------------------- the sample

@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


@pytest.fixture(scope="module")
def resp(ds):
    return V.answers(ds)


@pytest.fixture(scope="module")
def support(resp):
    return resp[resp["touchpoint"] == "support_contact"]


OCT = pd.Period("2026-10", "M")


def test_answers_carry_ticket_attributes(ds, resp, support):
    assert len(resp) == int((ds.surveys["survey"] == "csat").sum())
    assert len(support) == 7348 and support["agent"].notna().all() and support["frt_hours"].ge(0).all()
    t = ds.tickets.set_index("ticket_id")
    row = support.iloc[100]
    frt = (t.loc[row["ticket_id"], "first_response_at"] - t.loc[row["ticket_id"], "created_at"]).total_seconds()
    assert row["frt_hours"] == pytest.approx(frt / 3600)
    assert resp.loc[resp["touchpoint"] == "post_purchase", "agent"].isna().all()
    with pytest.raises(ValueError, match="choose one of"):
        V.answers(ds, segment="huge")


def test_the_planted_drivers_are_found(support):
    recent = support[V.in_window(support, OCT, 12)]
    for driver in V.DRIVERS:
        tab = V.driver_table(recent, driver)
        d = M.rate_change(tab.iloc[[0]], tab.iloc[[-1]], successes="satisfied", value="csat").iloc[0]
        assert d["diff"] > 25 and d["low"] > 0, driver  # slower, more replies, reopened: lower CSAT
    frt = V.driver_table(recent, "frt_bin")
    assert frt["csat"].is_monotonic_decreasing  # every slower band is less satisfied
    assert frt["n"].sum() + frt.attrs["without"] == len(recent)
    assert "**First-response time:** 74% satisfied for < 5 min" in V.describe_driver(frt, "frt_bin")


def test_window_is_calendar_months():
    r = pd.DataFrame({"responded_at": pd.to_datetime(["2025-10-31 23:59", "2025-11-01 00:00", "2026-10-31 12:00"])})
    assert V.in_window(r, OCT, 12).tolist() == [False, True, True]
    assert V.in_window(r, pd.Period("2026Q4", "Q-DEC"), 1).tolist() == [False, False, False]
    assert V.window_label(OCT, 12) == "2025-11 – 2026-10"
    with pytest.raises(ValueError, match="window"):
        V.in_window(r, OCT, 0)


def test_response_rates_match_pandas(ds, resp):
    rates = V.response_rates(ds, resp, OCT).set_index("channel")
    t = ds.tickets
    solved = t[(t["status"] == "solved") & (t["resolved_at"].dt.strftime("%Y-%m") == "2026-10")]
    answered = solved["ticket_id"].isin(ds.surveys.loc[ds.surveys["survey"] == "csat", "ticket_id"])
    want = answered.groupby(solved["channel"]).agg(["size", "sum"])
    assert rates["solved"].to_dict() == want["size"].to_dict()
    assert rates["answered"].to_dict() == want["sum"].to_dict()


def test_agents_funnel_and_shrinkage_on_the_sample(support):
    ag, prior, centre = V.agents(support, OCT)
    now = support[support["period"] == OCT]
    assert centre == pytest.approx(100 * (now["score"] >= 4).mean())
    assert len(ag) == now["agent"].nunique() and ag["n"].sum() == len(now)
    assert math.isfinite(prior.concentration) and prior.groups == len(ag)
    # shrunken estimates lie between the raw rate and the prior mean
    between = ((ag["shrunk"] - ag["raw"]) * (ag["shrunk"] - prior.mean)) <= 1e-9
    assert between.all()
    assert ag["shrunk"].max() - ag["shrunk"].min() < ag["raw"].max() - ag["raw"].min()
    lo, hi = M.funnel_limits(centre, ag["n"], level=0.998)
    np.testing.assert_allclose(ag["low998"], lo)
    np.testing.assert_allclose(ag["high998"], hi)
    assert set(ag["zone"]) <= {"within", "watch_below", "watch_above", "below", "above"}


def test_an_agent_with_three_of_three_is_neither_top_nor_bottom(support):
    ag, _prior, _centre = V.agents(support, OCT)
    demo = pd.concat([ag[["agent", "n", "satisfied"]],
                      pd.DataFrame({"agent": ["new"], "n": [3], "satisfied": [3]})], ignore_index=True)
    tab = M.shrink(demo, M.fit_beta_prior(demo["satisfied"], demo["n"]), successes="satisfied").set_index("agent")
    assert tab.loc["new", "rank_raw"] == 1
    assert 1 < tab.loc["new", "rank_shrunk"] < len(tab)
    assert tab.loc["new", "shrunk"] < tab["shrunk"].max() and tab.loc["new", "weight"] < 0.1


def test_the_headline_is_the_catalogues_csat_of_every_touchpoint(ds, resp):
    P = periods(resp["responded_at"])
    hl = headline("csat", ds, P, section="csat", top=2)
    rec = hl.record
    assert (rec["kpi"], rec["key"], rec["params"], rec["where"], rec["section"]) == \
        ("csat", "csat{top=2}", {"touchpoint": None, "top": 2}, {}, "csat")
    assert (rec["unit"], rec["direction"], rec["period"], rec["engine"]) == ("%", "higher", "2026-10", "pandas")
    assert rec["key"] == registry.load().entry("csat").key  # the front page takes this record for the registry's
    m = csa.measure("csat", ds, period=rec["period"], **rec["params"])
    assert (rec["value"], rec["low"], rec["high"], rec["n"]) == (m.value, m.low, m.high, m.n)
    now, prev = resp[resp["period"] == OCT], resp[resp["period"] == OCT - 1]
    good = lambda d: 100 * (d["score"] >= 4).mean()
    assert m.n == len(now) and m.value == pytest.approx(good(now))  # every touchpoint: after support and purchase
    assert set(now["touchpoint"]) == {"support_contact", "post_purchase"}
    assert rec["change"]["diff"] == pytest.approx(good(now) - good(prev))
    head = V.result(hl)
    assert (head.value, head.low, head.high, head.n) == pytest.approx((m.value, m.low, m.high, m.n))
    assert head.mean == pytest.approx(now["score"].mean()) and head.top == 2
    assert JA.search(rec["title"]["ja"]) and "4–5" in rec["title"]["en"] and "4〜5" in rec["title"]["ja"]
    one = headline("csat", ds, P, section="csat", top=1, where={"segment": "enterprise"})
    m1 = csa.measure("csat", ds, period="2026-10", top=1, where={"segment": "enterprise"})
    assert one.record["key"] == "csat{top=1}[segment=enterprise]" and one.record["value"] == m1.value
    empty = headline("csat", ds, periods(resp["responded_at"], "2030-01"), section="csat")
    assert V.result(empty).n == 0 and "No CSAT answers" in V.describe(V.result(empty), "2030-01")
    assert empty.record["value"] is None and empty.change is None
    assert V.describe_change(empty, "2029-12") == "No comparison with 2029-12: one of the two periods has no answers."


def test_sentences_write_numbers_with_the_formatter(ds, resp):
    P = periods(resp["responded_at"])
    hl = headline("csat", ds, P, section="csat")
    text = V.describe(V.result(hl), P.this_label)
    assert text.startswith(f"**CSAT in 2026-10: {csa.numbers.value(hl.this.value, '%')} satisfied**")
    assert csa.numbers.interval(hl.this.low, hl.this.high, "%") in text and "every touchpoint" in text
    c = hl.change
    en = V.describe_change(hl, P.prev_label)
    assert csa.numbers.change(c["diff"], "%") in en and csa.numbers.p_value(c["p_value"]) in en
    assert "\u2212" in en and "-" not in en.replace(P.prev_label, "")  # one minus sign (U+2212), never a hyphen
    ja = V.describe_change(hl, P.prev_label, lang="ja")
    assert JA.search(ja) and "。 " not in ja and csa.numbers.change(c["diff"], "%", "ja") in ja


def test_breakdowns_come_from_the_catalogue_and_equal_the_answers_tables(ds, resp, support):
    """By touchpoint in one scan, by channel, team and category one subset each: csa.kpi.table's counts and
    interval, equal to csat_table of the answers."""
    now = support[support["period"] == OCT]
    by_tp = V.counts_table(ds, "touchpoint", period=OCT)
    want = M.csat_table(resp[resp["period"] == OCT], "touchpoint")
    pd.testing.assert_frame_equal(by_tp.drop(columns="period"), want, check_dtype=False)
    k = csa.kpi.table("csat", ds, by="touchpoint", period="2026-10")
    assert by_tp["csat"].tolist() == k["value"].tolist() and by_tp["low"].tolist() == k["low"].tolist()
    for col in ("channel", "team", "category"):
        values = sorted(now[col].dropna().unique())
        got = V.counts_table(ds, col, values=values, period=OCT, touchpoint=V.SUPPORT)
        want = M.csat_table(now, col)
        pd.testing.assert_frame_equal(got.drop(columns="period"), want, check_dtype=False)
    duck = V.counts_table(ds, "channel", values=["chat", "email"], period=OCT, touchpoint=V.SUPPORT, engine="duckdb")
    pandas = V.counts_table(ds, "channel", values=["chat", "email"], period=OCT, touchpoint=V.SUPPORT)
    pd.testing.assert_frame_equal(duck, pandas, check_dtype=False)
    assert V.describe_support(by_tp).startswith("The breakdowns by channel") and f"**{len(now):,} answers" in \
        V.describe_support(by_tp)


def test_trend_and_channel_change_equal_the_answers(ds, resp, support):
    trend = V.counts_table(ds)
    want = M.csat_table(resp, "period")
    pd.testing.assert_frame_equal(trend.drop(columns="period"), want.drop(columns="period"), check_dtype=False)
    assert trend["period"].astype(str).tolist() == want["period"].astype(str).tolist()
    channels = V.counts_table(ds, "channel", values=sorted(support["channel"].unique()), touchpoint=V.SUPPORT)
    got = V.period_change(channels, OCT, OCT - 1, "channel")
    pd.testing.assert_frame_equal(got, M.csat_change(support, OCT, OCT - 1, "channel"), check_dtype=False)


def test_rules_of_the_headline_answers_give_its_value(ds, resp):
    P = periods(resp["responded_at"])
    hl = headline("csat", ds, P, section="csat")
    rules = V.rules_table(resp[resp["period"] == P.this]).set_index("rule")
    assert rules.loc["top2", "value"] == pytest.approx(hl.this.value) and rules.loc["top2", "n"] == hl.this.n


# ------------------------------------------------------------------------------- papermill runs

NOTEBOOK = "02_csat.ipynb"


@pytest.fixture(scope="module")
def raw_csat():
    """CSAT answers of every touchpoint read with plain pandas (months from the files' +09:00 timestamps)."""
    s = pd.read_csv(SAMPLE / "surveys.csv", dtype={"score": "Int64"})
    s = s[s["survey"] == "csat"]
    assert s["responded_at"].str.endswith("+09:00").all()
    return s.assign(month=s["responded_at"].str[:7])


def _run(run_notebook, **params):
    nb = run_notebook(NOTEBOOK, **params)
    errors = helpers.stderr(nb)
    assert not errors, errors
    (rec,) = helpers.records(nb)
    return "\n".join(helpers.markdown(nb)), rec


@pytest.mark.slow
@pytest.mark.parametrize("params,month,top", [({}, "2026-10", 2), ({"period": "2026-04", "top": 1}, "2026-04", 1)],
                         ids=["defaults", "top-box"])
def test_papermill_headline_matches_pandas(run_notebook, sample_ds, raw_csat, params, month, top):
    text, rec = _run(run_notebook, **params)
    now = raw_csat[raw_csat["month"] == month]
    prev = raw_csat[raw_csat["month"] == str(pd.Period(month, "M") - 1)]
    good = lambda d: 100 * (d["score"] >= 6 - top).mean()
    assert (rec["kpi"], rec["key"], rec["period"], rec["n"]) == ("csat", f"csat{{top={top}}}", month, len(now))
    assert rec["params"] == {"touchpoint": None, "top": top} and rec["section"] == "csat"
    m = csa.measure("csat", sample_ds, period=month, **rec["params"])
    assert (rec["value"], rec["low"], rec["high"], rec["n"]) == (m.value, m.low, m.high, m.n)
    assert rec["value"] == pytest.approx(good(now), abs=1e-9)
    assert (rec["low"], rec["high"]) == pytest.approx(wilson(int((now["score"] >= 6 - top).sum()), len(now)))
    assert rec["change"]["diff"] == pytest.approx(good(now) - good(prev), abs=1e-9)
    assert f"**CSAT in {month}: {csa.numbers.value(good(now), '%')} satisfied**" in text
    support = now[now["touchpoint"] == "support_contact"]
    assert f"**{len(support):,} answers after a support contact**" in text
    assert re.search(r"\d+ agents with \d+–\d+ answers each", text)  # the agent section ran


@pytest.mark.slow
@helpers.same_run(NOTEBOOK, lang="ja")  # test_notebooks runs every notebook in Japanese: the same run
def test_papermill_in_japanese(run_notebook, raw_csat):
    text, rec = _run(run_notebook, lang="ja")
    now = raw_csat[raw_csat["month"] == "2026-10"]
    assert f"**2026-10のCSAT：満足 {100 * (now['score'] >= 4).mean():.1f}%**" in text
    assert "初回応答時間" in text and "担当者" in text and "CSAT in" not in text and "サポート対応後の回答" in text
    assert rec["title"]["ja"].startswith("顧客満足度（CSAT") and rec["key"] == "csat{top=2}"
