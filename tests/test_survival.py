"""Survival: Kaplan–Meier and log-rank pinned to hand computations, lifelines itself and statsmodels."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from csa.metrics import survival as SV

DUR = np.array([1, 2, 2, 3, 5, 5, 6], float)
OBS = np.array([1, 1, 0, 1, 0, 1, 0], bool)
Z = 1.959963984540054


def _random(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b", "c"], n)
    life = rng.geometric(np.where(g == "a", 0.05, np.where(g == "b", 0.08, 0.12)))
    censor = rng.integers(1, 30, n)
    return np.minimum(life, censor).astype(float), life <= censor, g


def test_kaplan_meier_by_hand():
    r = SV.survival(DUR, OBS)
    # S(1) = 6/7; S(2) = 6/7 · 5/6; S(3) = · 3/4 (one censored at 2); S(5) = · 2/3
    want = [1, 6 / 7, 6 / 7 * 5 / 6, 6 / 7 * 5 / 6 * 3 / 4, 6 / 7 * 5 / 6 * 3 / 4 * 2 / 3,
            6 / 7 * 5 / 6 * 3 / 4 * 2 / 3]
    np.testing.assert_allclose(r.table["survival"], want)
    assert r.table["at_risk"].tolist() == [7, 7, 6, 4, 3, 1]
    assert r.table["events"].tolist() == [0, 1, 1, 1, 1, 0]
    assert r.table["censored"].tolist() == [0, 0, 1, 0, 1, 1]
    assert (r.n, r.events, r.median) == (7, 4, 5.0)
    assert list(r.table.columns) == SV.TABLE_COLUMNS


def test_at_is_the_step_function():
    r = SV.survival(DUR, OBS)
    assert r.at(-1) == 1.0 and r.at(0) == 1.0 and r.at(0.99) == 1.0
    assert r.at(1) == pytest.approx(6 / 7) and r.at(4.99) == pytest.approx(r.at(3))
    np.testing.assert_allclose(r.at([2, 100]), [5 / 7, r.table["survival"].iloc[-1]])
    low, high = r.interval_at(3)
    assert low < r.at(3) < high


@pytest.mark.parametrize("seed,level", [(1, 0.95), (2, 0.9), (3, 0.99)])
def test_equals_lifelines_kaplan_meier_fitter(seed, level):
    d, o, _ = _random(seed)
    r = SV.survival(d, o, level=level)
    kmf = KaplanMeierFitter(alpha=1 - level).fit(d, o)
    np.testing.assert_allclose(r.table["survival"], kmf.survival_function_.iloc[:, 0])
    np.testing.assert_allclose(r.table["low"], kmf.confidence_interval_.iloc[:, 0])
    np.testing.assert_allclose(r.table["high"], kmf.confidence_interval_.iloc[:, 1])
    np.testing.assert_array_equal(r.table["at_risk"], kmf.event_table["at_risk"])
    assert r.median == kmf.median_survival_time_


@pytest.mark.parametrize("seed", [4, 5])
def test_equals_statsmodels_survfunc_and_its_greenwood_errors(seed):
    d, o, _ = _random(seed)
    r = SV.survival(d, o)
    sf = SurvfuncRight(d, o.astype(int))
    at = r.table.set_index("t").loc[sf.surv_times]
    np.testing.assert_allclose(at["survival"], sf.surv_prob)
    # exponential Greenwood: S^exp(±z·se/(S·|ln S|)) with statsmodels' Greenwood standard error
    s, se = sf.surv_prob, sf.surv_prob_se
    ok = (s > 0) & (s < 1)
    k = Z * se[ok] / (s[ok] * np.abs(np.log(s[ok])))
    np.testing.assert_allclose(at["low"].to_numpy()[ok], s[ok] ** np.exp(k), rtol=1e-9)
    np.testing.assert_allclose(at["high"].to_numpy()[ok], s[ok] ** np.exp(-k), rtol=1e-9)
    assert r.median == sf.quantile(0.5)


def test_censoring_is_not_churn():
    # ten customers: five churned at month 2, five still subscribed at month 3
    d = np.array([2] * 5 + [3] * 5, float)
    o = np.array([True] * 5 + [False] * 5)
    assert SV.survival(d, o).at(3) == pytest.approx(0.5)  # the five still here survived month 3
    assert SV.survival(d, np.ones(10, bool)).at(3) == 0.0  # counting them as churned: nobody survives


def test_left_truncation_equals_lifelines_entry():
    d, o, _ = _random(6)
    entry = np.minimum(d, np.random.default_rng(6).integers(0, 5, len(d)))
    r = SV.survival(d, o, entry=entry)
    kmf = KaplanMeierFitter().fit(d, o, entry=entry)
    np.testing.assert_allclose(r.table["survival"], kmf.survival_function_.iloc[:, 0])


def test_missing_durations_are_counted_and_bad_input_explained():
    r = SV.survival([1, 2, np.nan, 4], [1, 0, 1, 1])
    assert (r.n, r.excluded) == (3, 1)
    with pytest.raises(ValueError, match="observed must be True/False"):
        SV.survival([1, 2], ["yes", "no"])
    with pytest.raises(ValueError, match=">= 0"):
        SV.survival([-1, 2], [1, 1])
    with pytest.raises(ValueError, match="same length"):
        SV.survival([1, 2], [1])
    with pytest.raises(ValueError, match="level"):
        SV.survival([1, 2], [1, 1], level=95)
    empty = SV.survival([], [])
    assert empty.n == 0 and np.isnan(empty.median)


def test_median_not_reached_is_infinite():
    r = SV.survival([1, 5, 5, 5], [1, 0, 0, 0])
    assert np.isinf(r.median) and "not reached" in str(r)


def test_logrank_two_groups_equals_lifelines_logrank_test():
    d, o, g = _random(7)
    m = g != "c"
    r = SV.logrank(d[m], o[m], g[m])
    a, b = m & (g == "a"), m & (g == "b")
    ref = logrank_test(d[a], d[b], o[a], o[b])
    assert r.statistic == pytest.approx(ref.test_statistic) and r.p_value == pytest.approx(ref.p_value)
    assert r.df == 1


@pytest.mark.parametrize("seed", [8, 9])
def test_logrank_equals_statsmodels_survdiff(seed):
    d, o, g = _random(seed)
    r = SV.logrank(d, o, g)
    chi2, p = survdiff(d, o.astype(int), g)
    assert r.statistic == pytest.approx(chi2) and r.p_value == pytest.approx(p)
    ref = multivariate_logrank_test(d, g, o)
    assert r.statistic == pytest.approx(ref.test_statistic) and r.df == 2


def test_logrank_expected_counts_by_hand():
    # two groups; churns at t = 1 (group a, 4 at risk in a of 6) and t = 2 (group b, 2 of 4)
    d = np.array([1, 3, 3, 3, 2, 3], float)
    o = np.array([1, 0, 0, 0, 1, 0], bool)
    g = np.array(["a", "a", "a", "a", "b", "b"])
    r = SV.logrank(d, o, g)
    exp = r.groups.set_index("group")["expected"]
    assert exp["a"] == pytest.approx(4 / 6 + 3 / 5) and exp["b"] == pytest.approx(2 / 6 + 2 / 5)
    assert exp.sum() == pytest.approx(r.groups["events"].sum())


def test_logrank_needs_two_groups_and_is_quiet():
    with pytest.raises(ValueError, match="at least two groups"):
        SV.logrank([1, 2], [1, 1], ["a", "a"])
    d, o, g = _random(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SV.logrank(d, o, g)
        SV.survival(d, o)


def test_survival_by_stacks_the_groups():
    d, o, g = _random(11)
    df = pd.DataFrame({"months": d, "churned": o, "plan": g})
    curves, test = SV.survival_by(df, "plan")
    for name, part in curves.groupby("plan"):
        single = SV.survival(d[g == name], o[g == name])
        np.testing.assert_allclose(part["survival"], single.table["survival"])
    assert test.groups["group"].tolist() == ["a", "b", "c"]
    with pytest.raises(KeyError, match="'tenure' not found"):
        SV.survival_by(df, "plan", duration="tenure")
