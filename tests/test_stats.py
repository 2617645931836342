"""csa.stats: every function pinned to statsmodels / scipy, to a published value or to a hand computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.weightstats import DescrStatsW, ztest

from csa import stats as S

TIGHT = {"rel": 1e-9, "abs": 1e-9}
LEVELS = [0.8, 0.9, 0.95, 0.99]
nan = float("nan")


def same(a, b) -> bool:
    """Equal arrays, NaN where the other is NaN."""
    return np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12, atol=1e-12, equal_nan=True)


# ------------------------------------------------------------------------------------------ z and level

def test_z_value_is_the_normal_quantile():
    assert S.z_value(0.95) == pytest.approx(1.959963984540054, rel=1e-12)
    for lv in LEVELS:
        assert S.z_value(lv) == pytest.approx(stats.norm.isf((1 - lv) / 2), rel=1e-12)
    assert isinstance(S.z_value(0.9), float)


@pytest.mark.parametrize("level", [0, 1, 95, -0.5, nan, "0.95", True, None, [0.95]])
def test_invalid_level_says_what_is_expected(level):
    with pytest.raises(ValueError, match=r"level must be a number strictly between 0 and 1 \(e\.g\. 0\.95"):
        S.z_value(level)
    with pytest.raises(ValueError, match="level"):
        S.proportion_interval(3, 10, level=level)


# ------------------------------------------------------------------------------------------ one proportion

CASES = [(0, 1), (1, 1), (0, 5), (5, 5), (1, 10), (3, 10), (9, 10), (5, 8), (17, 23), (50, 100),
         (0, 1000), (1, 1000), (999, 1000), (1000, 1000), (123, 4567)]
SM_METHOD = {"wilson": "wilson", "agresti-coull": "agresti_coull", "wald": "normal",
             "clopper-pearson": "beta"}


@pytest.mark.parametrize("method", S.PROPORTION_METHODS)
@pytest.mark.parametrize("level", LEVELS)
def test_proportion_interval_equals_statsmodels(method, level):
    for x, n in CASES:
        lo, hi = proportion_confint(x, n, alpha=1 - level, method=SM_METHOD[method])
        got = S.proportion_interval(x, n, level=level, method=method)
        assert got == pytest.approx((100 * lo, 100 * hi), **TIGHT), (x, n)
        assert 0 <= got.low <= 100 * x / n <= got.high <= 100


@pytest.mark.parametrize("method", S.PROPORTION_METHODS)
def test_proportion_interval_vectorised_equals_scalar_calls(method):
    x = np.array([c[0] for c in CASES] + [0, 0])
    n = np.array([c[1] for c in CASES] + [0, 0])
    low, high = S.proportion_interval(x, n, method=method)
    assert isinstance(low, np.ndarray) and low.shape == x.shape
    scalar = [S.proportion_interval(int(a), int(b), method=method) for a, b in zip(x, n, strict=True)]
    assert same(low, [s.low for s in scalar]) and same(high, [s.high for s in scalar])
    assert np.isnan(low[-2:]).all() and np.isnan(high[-2:]).all()  # n = 0: no interval
    # pandas Series (incl. nullable integers with a missing n) and whole floats are accepted
    s_low, _ = S.proportion_interval(pd.Series(x), pd.Series(n, dtype="Int64"), method=method)
    assert same(s_low, low)
    assert math.isnan(S.proportion_interval(3, nan, method=method).low)  # missing n
    assert S.proportion_interval(3.0, 10.0, method=method) == S.proportion_interval(3, 10, method=method)


def test_proportion_interval_n_zero_and_scalar_types():
    r = S.proportion_interval(0, 0)
    assert math.isnan(r.low) and math.isnan(r.high)
    assert type(S.proportion_interval(3, 10).low) is float
    assert isinstance(S.proportion_interval(3, 10), tuple)


@pytest.mark.parametrize("args,message", [
    ((11, 10), r"successes cannot exceed n; got successes = 11 with n = 10"),
    (([1, 12], [10, 10]), r"successes cannot exceed n; got successes = 12 with n = 10 at position 1"),
    ((-1, 10), r"successes must be counts, whole numbers >= 0 .*got -1"),
    ((2.5, 10), r"successes must be counts, whole numbers >= 0 .*got 2\.5"),
    ((2, 10.5), r"n must be counts.*got 10\.5"),
    ((2, np.inf), r"n must be counts.*got inf"),
    (("a", 10), r"successes must be a number or an array of numbers; got 'a'"),
    (([1, 2, 3], [10, 10]), r"same length; got shapes successes \(3,\), n \(2,\)"),
])
def test_proportion_interval_rejects_bad_counts(args, message):
    with pytest.raises(ValueError, match=message):
        S.proportion_interval(*args)


def test_unknown_method_lists_the_choices():
    with pytest.raises(ValueError, match=r"method must be one of 'wilson', 'agresti-coull', 'wald', "
                                         r"'clopper-pearson'; got 'exact'"):
        S.proportion_interval(3, 10, method="exact")


def test_proportion_estimate_and_its_text():
    e = S.proportion(5, 8)
    assert (e.value, e.n, e.level, e.method) == (62.5, 8, 0.95, "wilson")
    assert (e.low, e.high) == S.proportion_interval(5, 8)
    assert str(e) == "62.5 % (95% interval 30.6 to 86.3, Wilson; n = 8)"
    assert str(S.proportion(1, 40, level=0.9, method="clopper-pearson")).endswith("Clopper-Pearson; n = 40)")
    empty = S.proportion(0, 0)
    assert math.isnan(empty.value) and math.isnan(empty.low) and str(empty) == "no estimate (n = 0)"
    with pytest.raises(ValueError, match="use proportion_interval"):
        S.proportion([1, 2], [3, 4])
    with pytest.raises(AttributeError):
        e.value = 1  # frozen


# ------------------------------------------------------------------------------------------ NPS

def scores(P, Q, D):
    """The responses scored +1 / 0 / −1."""
    return np.array([1.0] * P + [0.0] * Q + [-1.0] * D)


def test_nps_interval_published_example_n10():
    iv = S.nps_interval(5, 2, 10)
    p, d = 5.75 / 13, 2.75 / 13  # Rocks (2016): add 3 to n, 3/4 to promoters and detractors
    se = math.sqrt((p + d - (p - d) ** 2) / 13)
    z = 1.959963984540054
    assert iv.centre == pytest.approx(100 * (p - d), rel=1e-12)
    assert iv.se == pytest.approx(100 * se, rel=1e-12)
    assert (iv.low, iv.high) == pytest.approx((100 * (p - d - z * se), 100 * (p - d + z * se)), rel=1e-12)
    assert (round(iv.centre, 1), round(iv.low, 1), round(iv.high, 1)) == (23.1, -19.1, 65.2)


@pytest.mark.parametrize("P,Q,D", [(5, 3, 2), (40, 30, 30), (0, 10, 0), (17, 0, 3), (123, 456, 789),
                                   (1, 0, 0), (0, 0, 7), (300, 300, 300)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_nps_wald_equals_numpy_on_the_expanded_scores(P, Q, D, level):
    x = scores(P, Q, D)
    z = stats.norm.ppf(0.5 + level / 2)
    half = z * x.std(ddof=0) / math.sqrt(len(x))
    iv = S.nps_interval(P, D, P + Q + D, level=level, method="wald")
    assert iv.centre == pytest.approx(100 * x.mean(), **TIGHT)
    assert iv.se == pytest.approx(100 * x.std(ddof=0) / math.sqrt(len(x)), **TIGHT)
    assert iv.low == pytest.approx(max(-100, 100 * (x.mean() - half)), **TIGHT)
    assert iv.high == pytest.approx(min(100, 100 * (x.mean() + half)), **TIGHT)
    assert S.nps_variance(P / len(x), D / len(x)) == pytest.approx(np.var(x), **TIGHT)


@pytest.mark.parametrize("P,Q,D,level", [(5, 3, 2, 0.95), (40, 30, 30, 0.9), (3, 0, 0, 0.95),
                                         (200, 500, 900, 0.99), (0, 0, 1, 0.95)])
def test_nps_adjusted_wald_equals_weighted_statsmodels(P, Q, D, level):
    # adjusted Wald = weighted mean/variance of +1/0/−1 with 3/4, 3/2, 3/4 pseudo-responses added
    w = DescrStatsW(np.array([1.0, 0.0, -1.0]), weights=[P + 0.75, Q + 1.5, D + 0.75])
    z = stats.norm.ppf(0.5 + level / 2)
    se = math.sqrt(w.var / w.sum_weights)
    iv = S.nps_interval(P, D, P + Q + D, level=level)
    assert iv.centre == pytest.approx(100 * w.mean, **TIGHT)
    assert iv.low == pytest.approx(max(-100, 100 * (w.mean - z * se)), **TIGHT)
    assert iv.high == pytest.approx(min(100, 100 * (w.mean + z * se)), **TIGHT)


def test_nps_interval_clipping_vectorised_and_empty():
    wald = S.nps_interval(3, 0, 3, method="wald")
    assert (wald.low, wald.high, wald.se) == (100.0, 100.0, 0.0)
    P, D, n = np.array([5, 40, 0, 3, 0]), np.array([2, 30, 0, 0, 0]), np.array([10, 100, 0, 3, 0])
    for method in S.NPS_METHODS:
        iv = S.nps_interval(P, D, n, method=method)
        for i in range(len(n)):
            one = S.nps_interval(int(P[i]), int(D[i]), int(n[i]), method=method)
            assert same([f[i] for f in iv], list(one))
        assert np.isnan(np.array(iv)[:, 2]).all()  # n = 0: every field missing
        assert (iv.low[~np.isnan(iv.low)] >= -100).all() and (iv.high[~np.isnan(iv.high)] <= 100).all()
    series = S.nps_interval(pd.Series(P), pd.Series(D), pd.Series(n))
    assert same(series.low, S.nps_interval(P, D, n).low)


def test_nps_inputs_are_validated():
    with pytest.raises(ValueError, match=r"promoters \+ detractors cannot exceed n; got .* = 12 with n = 10"):
        S.nps_interval(7, 5, 10)
    with pytest.raises(ValueError, match="method must be one of 'adjusted-wald', 'wald'; got 'exact'"):
        S.nps_interval(5, 2, 10, method="exact")
    with pytest.raises(ValueError, match="detractors must be counts"):
        S.nps_interval(5, -2, 10)
    with pytest.raises(ValueError, match="sum to at most 1"):
        S.nps_variance(0.8, 0.5)
    assert S.nps_variance(0.3, 0.3) == pytest.approx(0.6)
    assert same(S.nps_variance(np.array([0.3, 1.0, 0.0]), 0.0), [0.21, 0.0, 0.0])


# ------------------------------------------------------------------------------------------ means

@pytest.mark.parametrize("n", [2, 3, 10, 57, 400])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_mean_interval_equals_scipy_and_statsmodels(n, level):
    x = np.random.default_rng(n).normal(4.0, 1.3, n)
    m, sd = S.mean_from_sums(n, x.sum(), (x**2).sum())
    assert m == pytest.approx(x.mean(), rel=1e-12)
    assert sd == pytest.approx(x.std(ddof=1), rel=1e-9)
    got = S.mean_interval(m, sd, n, level=level)
    assert got == pytest.approx(stats.t.interval(level, n - 1, loc=x.mean(), scale=stats.sem(x)), rel=1e-9)
    assert got == pytest.approx(DescrStatsW(x).tconfint_mean(alpha=1 - level), rel=1e-9)


def test_mean_functions_vectorised_and_small_n():
    n = np.array([0, 1, 2, 30])
    total, total_sq = np.array([0.0, 3.0, 5.0, 120.0]), np.array([0.0, 9.0, 13.0, 500.0])
    m, sd = S.mean_from_sums(n, total, total_sq)
    assert same(m, [nan, 3.0, 2.5, 4.0])
    assert same(sd, [nan, nan, math.sqrt(0.5), math.sqrt((500 - 120**2 / 30) / 29)])
    low, high = S.mean_interval(m, sd, n)
    assert np.isnan(low[:2]).all() and np.isnan(high[:2]).all()
    for i in (2, 3):
        assert same([low[i], high[i]], S.mean_interval(float(m[i]), float(sd[i]), int(n[i])))
    assert type(S.mean_interval(4.0, 1.0, 10).low) is float


def test_mean_from_sums_is_careful_with_rounding():
    x = np.full(10, 0.1)  # constant data: Σx² − (Σx)²/n is a tiny negative number in floating point
    m, sd = S.mean_from_sums(10, x.sum(), (x**2).sum())
    assert m == pytest.approx(0.1) and sd == 0.0
    y = np.random.default_rng(5).normal(1000.0, 1.0, 500)  # large mean, small sd: still accurate
    assert S.mean_from_sums(500, y.sum(), (y**2).sum()).sd == pytest.approx(y.std(ddof=1), rel=1e-6)
    with pytest.raises(ValueError, match=r"sums are inconsistent: total_sq must be at least total\*\*2 / n"):
        S.mean_from_sums(4, 10.0, 5.0)
    with pytest.raises(ValueError, match="sd must be a finite number >= 0"):
        S.mean_interval(3.0, -1.0, 10)


# ------------------------------------------------------------------------------------------ two proportions

PAIRS = [(45, 60, 30, 60), (0, 10, 3, 10), (10, 10, 7, 12), (1, 1, 0, 1), (0, 1, 1, 1), (5, 8, 2, 9),
         (123, 1000, 98, 1100), (0, 40, 0, 25), (30, 30, 20, 20), (1, 2, 0, 3), (500, 2000, 450, 1500)]
SM_DIFF = {"newcombe": "newcomb", "agresti-caffo": "agresti-caffo", "wald": "wald"}


@pytest.mark.parametrize("method", S.DIFF_PROPORTION_METHODS)
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_diff_proportions_interval_equals_statsmodels(method, level):
    for x1, n1, x2, n2 in PAIRS:
        lo, hi = confint_proportions_2indep(x1, n1, x2, n2, compare="diff", method=SM_DIFF[method],
                                            alpha=1 - level)
        d = S.diff_proportions(x1, n1, x2, n2, level=level, method=method)
        assert d.diff == pytest.approx(100 * (x1 / n1 - x2 / n2), **TIGHT)
        assert (d.low, d.high) == pytest.approx((np.clip(100 * lo, -100, 100), np.clip(100 * hi, -100, 100)),
                                                **TIGHT), (x1, n1, x2, n2)
        assert (d.level, d.method) == (level, method)


def test_diff_proportions_test_equals_ztest_and_chi_square():
    for x1, n1, x2, n2 in PAIRS:
        d = S.diff_proportions(x1, n1, x2, n2)
        pooled = (x1 + x2) / (n1 + n2)
        if pooled in (0, 1):  # no variation at all: the test is undefined, the interval is not
            assert math.isnan(d.statistic) and math.isnan(d.p_value)
            assert np.isfinite([d.low, d.high]).all()
            continue
        z, p = proportions_ztest([x1, x2], [n1, n2])
        assert (d.statistic, d.p_value) == pytest.approx((z, p), **TIGHT)
        if min(x1 + x2, n1 + n2 - x1 - x2) > 0:
            chi2, p_chi, _, _ = stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)
            assert d.p_value == pytest.approx(p_chi, rel=1e-8)
            assert d.statistic**2 == pytest.approx(chi2, rel=1e-8)


def test_diff_proportions_vectorised_and_missing_groups():
    x1, n1, x2, n2 = (np.array(c) for c in zip(*PAIRS, strict=True))
    x1, n1 = np.append(x1, [0, 3]), np.append(n1, [0, 10])
    x2, n2 = np.append(x2, [3, 0]), np.append(n2, [10, 0])
    for method in S.DIFF_PROPORTION_METHODS:
        v = S.diff_proportions(pd.Series(x1), n1, x2, n2, method=method)
        assert isinstance(v.diff, np.ndarray) and v.diff.shape == x1.shape
        for i in range(len(x1)):
            one = S.diff_proportions(int(x1[i]), int(n1[i]), int(x2[i]), int(n2[i]), method=method)
            assert same([v.diff[i], v.low[i], v.high[i], v.statistic[i], v.p_value[i]],
                        [one.diff, one.low, one.high, one.statistic, one.p_value])
        assert np.isnan(np.array([v.diff, v.low, v.high, v.statistic, v.p_value])[:, -2:]).all()
    with pytest.raises(ValueError, match="x2 cannot exceed n2; got x2 = 5 with n2 = 4"):
        S.diff_proportions(1, 4, 5, 4)
    with pytest.raises(ValueError, match="method must be one of 'newcombe', 'agresti-caffo', 'wald'"):
        S.diff_proportions(1, 4, 2, 4, method="newcomb")


# ------------------------------------------------------------------------------------------ two NPS

# (promoters, passives, detractors) of two groups, method, and the result of csa.metrics.nps.compare
# before the statistics moved here (git HEAD at the time): diff, low, high, z, p.
OLD_COMPARE = [
    ((50, 20, 30), (30, 30, 40), "adjusted-wald",
     (30.0, 5.96532111083777, 52.28710607362825, 2.4647724474630754, 0.0137100289372966)),
    ((5, 3, 2), (1, 1, 6), "adjusted-wald",
     (92.5, 7.280029924473153, 129.7829071384639, 2.192915189978544, 0.028313490094047527)),
    ((5, 3, 2), (1, 1, 6), "wald",
     (92.5, 24.168651769736304, 160.8313482302637, 2.6531990552713753, 0.00797328351210166)),
    ((0, 0, 4), (3, 0, 0), "adjusted-wald",
     (-200.0, -182.78096310526163, -31.504751180452683, -2.7763273356566804, 0.0054976827408366674)),
    ((0, 0, 4), (3, 0, 0), "wald", (-200.0, -200.0, -200.0, nan, nan)),
    ((40, 30, 30), (27, 33, 40), "adjusted-wald",
     (23.0, 0.025939779374048455, 44.63425439538323, 1.9622434265578794, 0.04973415023539798)),
    ((40, 30, 30), (27, 33, 40), "wald",
     (23.0, 0.28554789990681284, 45.7144521000932, 1.9846030820279528, 0.0471886491802285)),
]


@pytest.mark.parametrize("a,b,method,want", OLD_COMPARE)
def test_diff_nps_keeps_the_numbers_of_the_old_compare(a, b, method, want):
    d = S.diff_nps(a[0], a[2], sum(a), b[0], b[2], sum(b), method=method)
    assert same([d.diff, d.low, d.high, d.statistic, d.p_value], want)


@pytest.mark.parametrize("a,b", [((50, 20, 30), (30, 30, 40)), ((5, 3, 2), (1, 1, 6)), ((7, 0, 0), (2, 2, 2)),
                                 ((300, 500, 200), (280, 480, 240))])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_diff_nps_equals_numpy_on_expanded_scores(a, b, level):
    z = stats.norm.ppf(0.5 + level / 2)
    # wald: plain means and ddof=0 variances of the +1/0/−1 scores
    xa, xb = scores(*a), scores(*b)
    se = math.sqrt(xa.var() / len(xa) + xb.var() / len(xb))
    diff = xa.mean() - xb.mean()
    d = S.diff_nps(a[0], a[2], sum(a), b[0], b[2], sum(b), level=level, method="wald")
    assert d.diff == pytest.approx(100 * diff, **TIGHT)
    assert (d.low, d.high) == pytest.approx((100 * (diff - z * se), 100 * (diff + z * se)), **TIGHT)
    assert d.statistic == pytest.approx(diff / se, **TIGHT)
    assert d.p_value == pytest.approx(2 * stats.norm.sf(abs(diff / se)), **TIGHT)
    # adjusted Wald: the same on the scores with 3/4, 3/2, 3/4 pseudo-responses added (weighted)
    wa = DescrStatsW(np.array([1.0, 0.0, -1.0]), weights=[a[0] + 0.75, a[1] + 1.5, a[2] + 0.75])
    wb = DescrStatsW(np.array([1.0, 0.0, -1.0]), weights=[b[0] + 0.75, b[1] + 1.5, b[2] + 0.75])
    se = math.sqrt(wa.var / wa.sum_weights + wb.var / wb.sum_weights)
    adj = wa.mean - wb.mean
    d = S.diff_nps(a[0], a[2], sum(a), b[0], b[2], sum(b), level=level)
    assert d.diff == pytest.approx(100 * diff, **TIGHT)  # plain difference ...
    # ... interval around the adjusted difference
    assert (d.low, d.high) == pytest.approx((100 * (adj - z * se), 100 * (adj + z * se)), **TIGHT)
    assert d.p_value == pytest.approx(2 * stats.norm.sf(abs(adj / se)), **TIGHT)


def test_diff_nps_large_samples_agree_with_statsmodels_ztest():
    rng = np.random.default_rng(3)
    xa = rng.choice([1.0, 0.0, -1.0], 5000, p=[0.3, 0.3, 0.4])
    xb = rng.choice([1.0, 0.0, -1.0], 5000, p=[0.27, 0.33, 0.4])
    d = S.diff_nps((xa > 0).sum(), (xa < 0).sum(), 5000, (xb > 0).sum(), (xb < 0).sum(), 5000, method="wald")
    z_sm, p_sm = ztest(xa, xb, usevar="unequal")  # ddof=1 variances: equal up to n/(n−1)
    assert d.statistic == pytest.approx(z_sm, rel=1e-3)
    assert d.p_value == pytest.approx(p_sm, rel=1e-2)


def test_diff_nps_vectorised_and_empty_groups():
    P1, D1, N1 = np.array([50, 5, 0, 3]), np.array([30, 2, 0, 1]), np.array([100, 10, 0, 4])
    P2, D2, N2 = np.array([30, 1, 4, 0]), np.array([40, 6, 1, 0]), np.array([100, 8, 9, 0])
    v = S.diff_nps(pd.Series(P1), pd.Series(D1), pd.Series(N1), P2, D2, N2)
    for i in range(4):
        one = S.diff_nps(int(P1[i]), int(D1[i]), int(N1[i]), int(P2[i]), int(D2[i]), int(N2[i]))
        assert same([v.diff[i], v.low[i], v.p_value[i]], [one.diff, one.low, one.p_value])
    assert np.isnan([v.diff[2:], v.low[2:], v.high[2:], v.statistic[2:], v.p_value[2:]]).all()
    assert type(S.diff_nps(5, 2, 10, 1, 6, 8).diff) is float
    with pytest.raises(ValueError, match=r"promoters2 \+ detractors2 cannot exceed n2"):
        S.diff_nps(5, 2, 10, 5, 6, 8)


# ------------------------------------------------------------------------------------------ two means

@pytest.mark.parametrize("n1,n2,seed", [(2, 2, 0), (3, 8, 1), (15, 40, 2), (200, 120, 3), (1000, 30, 4)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_diff_means_equals_scipy_welch(n1, n2, seed, level):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(4.0, 1.0, n1), rng.normal(3.6, 2.0, n2)
    d = S.diff_means(a.mean(), a.std(ddof=1), n1, b.mean(), b.std(ddof=1), n2, level=level)
    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(level)
    assert d.diff == pytest.approx(a.mean() - b.mean(), rel=1e-12)
    assert (d.statistic, d.p_value) == pytest.approx((res.statistic, res.pvalue), rel=1e-9)
    assert (d.low, d.high) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert d.method == "welch"


def test_diff_means_from_sums_vectorised_and_degenerate():
    rng = np.random.default_rng(9)
    groups = [rng.normal(5, 1, k) for k in (12, 30, 7, 1)]
    n = np.array([len(g) for g in groups])
    m, sd = S.mean_from_sums(n, [g.sum() for g in groups], [(g**2).sum() for g in groups])
    v = S.diff_means(m, sd, n, 4.5, 1.0, 50)
    for i, g in enumerate(groups[:3]):
        one = S.diff_means(g.mean(), g.std(ddof=1), len(g), 4.5, 1.0, 50)
        want = (one.diff, one.low, one.p_value)
        assert (v.diff[i], v.low[i], v.p_value[i]) == pytest.approx(want, rel=1e-9)
    assert np.isnan([v.diff[3], v.low[3], v.p_value[3]]).all()  # a group of 1: no sd, no test
    flat = S.diff_means(3.0, 0.0, 10, 2.0, 0.0, 10)  # no variation anywhere
    assert math.isnan(flat.statistic) and math.isnan(flat.p_value) and flat.low == flat.high == 1.0


# ------------------------------------------------------------------------------------------ paired

@pytest.mark.parametrize("n,seed", [(2, 0), (5, 1), (40, 2), (300, 3)])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_paired_change_equals_scipy_ttest_rel(n, seed, level):
    rng = np.random.default_rng(seed)
    before = rng.choice([1.0, 0.0, -1.0], n, p=[0.3, 0.4, 0.3])
    after = np.clip(before + rng.choice([-1.0, 0.0, 1.0], n, p=[0.2, 0.5, 0.3]), -1, 1)
    if np.ptp(after - before) == 0:
        after[0] = before[0] + (1 if before[0] < 1 else -1)
    r = S.paired_change(before, after, level=level)
    res = stats.ttest_rel(after, before)
    ci = res.confidence_interval(level)
    assert r.n == n
    want = (before.mean(), after.mean(), (after - before).mean())
    assert (r.before, r.after, r.diff) == pytest.approx(want)
    assert (r.statistic, r.p_value) == pytest.approx((res.statistic, res.pvalue), rel=1e-9)
    assert (r.low, r.high) == pytest.approx((ci.low, ci.high), rel=1e-9, abs=1e-12)


def test_paired_change_missing_pairs_small_n_and_errors():
    before = pd.Series([1.0, 0.0, None, -1.0, 1.0, 0.0])
    after = np.array([1.0, 1.0, 1.0, np.nan, 0.0, 1.0])
    r = S.paired_change(before, after)
    keep = [0, 1, 4, 5]
    res = stats.ttest_rel(after[keep], before.to_numpy()[keep])
    assert r.n == 4 and (r.statistic, r.p_value) == pytest.approx((res.statistic, res.pvalue), rel=1e-9)
    one = S.paired_change([1.0], [0.0])
    assert one.n == 1 and np.isnan([one.before, one.diff, one.low, one.statistic, one.p_value]).all()
    assert S.paired_change([], []).n == 0
    flat = S.paired_change([0.0, 1.0, -1.0], [1.0, 2.0, 0.0])  # every unit moved by exactly +1
    assert flat.diff == flat.low == flat.high == 1.0 and math.isnan(flat.p_value)
    with pytest.raises(ValueError, match=r"same length.*got shapes \(3,\) and \(2,\)"):
        S.paired_change([1, 2, 3], [1, 2])


# ----------------------------------------------------------------------------------- sample size, power

GRID = [(0.5, 0.6), (0.08, 0.06), (0.45, 0.25), (0.1, 0.3), (0.9, 0.95), (0.02, 0.05), (0.7, 0.5),
        (0.33, 0.4)]


@pytest.mark.parametrize("p1,p2", GRID)
@pytest.mark.parametrize("level,power", [(0.95, 0.8), (0.9, 0.9), (0.99, 0.8)])
def test_sample_size_proportions_equals_statsmodels(p1, p2, level, power):
    raw = samplesize_proportions_2indep_onetail(p1 - p2, p2, power, alpha=1 - level)
    n = S.sample_size_proportions(p1, p2, level=level, power=power)
    assert isinstance(n, int) and n == math.ceil(raw)
    assert S.sample_size_proportions(p2, p1, level=level, power=power) == n  # symmetric
    # round trip: n reaches the power, n − 1 does not (up to the negligible far tail)
    assert S.power_proportions(p1, p2, n, level=level) >= power
    assert S.power_proportions(p1, p2, n - 1, level=level) < power + 1e-6
    # Cohen's arcsine effect size h (NormalIndPower) is another approximation: up to ~5 % fewer near 0 or 1
    h = NormalIndPower().solve_power(effect_size=proportion_effectsize(p1, p2), alpha=1 - level, power=power)
    assert n == pytest.approx(h, rel=0.06)


def test_sample_size_proportions_published_values():
    # JMP 13.2 documentation, "Two Sample Proportions": 0.08 vs 0.06, alpha 0.05, power 0.8 → 2554
    assert S.sample_size_proportions(0.08, 0.06) == 2554
    # Zar (1999), Biostatistical Analysis, Example 24.26 (reproduced in the Unistat manual): 0.45 vs 0.25,
    # alpha 0.05, power 0.9 → 127.2343 *with* Fleiss's continuity correction; ours is the uncorrected n.
    raw = samplesize_proportions_2indep_onetail(0.45 - 0.25, 0.25, 0.9, alpha=0.05)
    assert raw / 4 * (1 + math.sqrt(1 + 4 / (raw * 0.2))) ** 2 == pytest.approx(127.2343, abs=5e-5)
    assert S.sample_size_proportions(0.45, 0.25, power=0.9) == math.ceil(raw) == 118
    # hand: (1.959964·√(2·.55·.45) + 0.841621·√(.25 + .24))² / .01 = 387.3
    assert S.sample_size_proportions(0.5, 0.6) == 388


@pytest.mark.parametrize("p1,p2", GRID)
@pytest.mark.parametrize("n", [1, 10, 100, 2500])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_power_proportions_equals_statsmodels(p1, p2, n, level):
    want = power_proportions_2indep(p1 - p2, p2, n, alpha=1 - level).power
    assert S.power_proportions(p1, p2, n, level=level) == pytest.approx(want, **TIGHT)


def test_power_proportions_vectorised_and_edges():
    n = np.array([0, 10, 100, 1000])
    pw = S.power_proportions(0.5, 0.6, n)
    assert np.isnan(pw[0]) and np.all(np.diff(pw[1:]) > 0)
    assert same(pw[1:], [S.power_proportions(0.5, 0.6, int(k)) for k in n[1:]])
    assert S.power_proportions(0.4, 0.4, 50) == pytest.approx(0.05)  # no difference: power = alpha


def test_sample_size_nps():
    assert S.sample_size_nps(10) == 942  # (1.95996 + 0.84162)² × 2 × 0.6 / 0.01 = 941.9
    assert S.sample_size_nps(-10) == 942
    # the numbers of csa.metrics.nps.sample_size before the statistics moved here
    assert S.sample_size_nps(5, promoters=0.25, detractors=0.45) == 4145
    assert S.sample_size_nps(20, promoters=0.5, detractors=0.1) == 173
    for diff, p, d in [(10, 0.3, 0.3), (5, 0.25, 0.45), (20, 0.5, 0.1)]:
        sd = math.sqrt(p + d - (p - d) ** 2)
        n_sm = NormalIndPower().solve_power(effect_size=(diff / 100) / sd, alpha=0.05, power=0.8)
        assert abs(S.sample_size_nps(diff, promoters=p, detractors=d) - math.ceil(n_sm)) <= 1
    assert S.sample_size_nps(np.array([10, 20])).tolist() == [942, S.sample_size_nps(20)]
    with pytest.raises(ValueError, match="sum to at most 1"):
        S.sample_size_nps(10, promoters=0.8, detractors=0.5)
    with pytest.raises(ValueError, match=r"difference is in NPS points.*got 0"):
        S.sample_size_nps(0)
    with pytest.raises(ValueError, match=r"difference is in NPS points.*got 250"):
        S.sample_size_nps(250)


@pytest.mark.parametrize("difference,sd", [(0.5, 1.0), (0.2, 1.0), (1.0, 2.5), (-0.3, 0.9), (5.0, 12.0),
                                           (0.8, 1.0)])
@pytest.mark.parametrize("level,power", [(0.95, 0.8), (0.9, 0.9), (0.99, 0.95)])
def test_sample_size_means_equals_statsmodels(difference, sd, level, power):
    n_sm = NormalIndPower().solve_power(effect_size=difference / sd, alpha=1 - level, power=power)
    n = S.sample_size_means(difference, sd, level=level, power=power)
    assert isinstance(n, int) and n == math.ceil(n_sm)
    za, zb = stats.norm.isf((1 - level) / 2), stats.norm.isf(1 - power)
    assert n == math.ceil(2 * (za + zb) ** 2 * sd**2 / difference**2)


@pytest.mark.parametrize("call,message", [
    (lambda: S.sample_size_proportions(0.3, 0.3), r"p1 and p2 must differ.*got p1 = p2 = 0\.3"),
    (lambda: S.sample_size_proportions(30, 40), r"p1 must be a number in \[0, 1\] \(a proportion\); got 30"),
    (lambda: S.sample_size_proportions(0.3, 0.4, power=80),
     r"power must be a number strictly between 0 and 1"),
    (lambda: S.sample_size_proportions(0.3, 0.4, level=1.0), r"level must be"),
    (lambda: S.sample_size_means(0, 1.0), r"difference must be a non-zero finite number; got 0"),
    (lambda: S.sample_size_means(0.5, 0), r"sd must be a number in \(0, inf\]; got 0"),
    (lambda: S.sample_size_means(0.5, np.nan), r"sd must be a number"),
    (lambda: S.power_proportions(0.3, 1.2, 50), r"p2 must be a number in \[0, 1\]"),
    (lambda: S.power_proportions(0.3, 0.4, -5), r"n must be a finite number >= 0"),
])
def test_planning_inputs_are_validated(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_sample_size_vectorised():
    got = S.sample_size_proportions(np.array([0.5, 0.08]), np.array([0.6, 0.06]))
    assert got.dtype == np.int64 and got.tolist() == [388, 2554]
    assert S.sample_size_means(np.array([0.5, 0.2]), 1.0).tolist() == [S.sample_size_means(0.5, 1.0),
                                                                      S.sample_size_means(0.2, 1.0)]


# ------------------------------------------------------------------------------------------ small n, texts

def test_small_n():
    assert S.small_n(29) is True and S.small_n(30) is False
    assert S.small_n([5, 30, 120, nan], min_n=30).tolist() == [True, False, False, True]
    assert S.small_n(pd.Series([10, 50]), 20).tolist() == [True, False]
    with pytest.raises(ValueError, match="min_n must be a number >= 0"):
        S.small_n(10, min_n="30")


def test_results_read_as_sentences():
    d = S.diff_proportions(45, 60, 30, 60)
    assert str(d) == "difference +25 (95% interval +7.68 to +40.3, Newcombe; z = 2.83, p = 0.00468)"
    assert "not available" in str(S.diff_proportions(0, 0, 1, 5))
    two = str(S.diff_means(np.array([4.1, 3.0]), 1.0, 40, 3.6, 1.2, 50))
    assert two.count("\n") == 1 and "t = " in two and two.startswith("[0] difference +0.5")
    assert "no test" in str(S.diff_proportions(0, 10, 0, 12))
    r = S.paired_change([0, 1, -1, 0, 1, 0], [1, 1, 0, 0, 1, 1])
    assert str(r).startswith("same 6 units: 0.167 -> 0.667, change +0.5 "
                             "(95% interval -0.0748 to +1.07; paired t")
    assert "only 1 complete pair" in str(S.paired_change([1.0], [0.0]))


def test_everything_public_is_documented():
    for name in S.__all__:
        obj = getattr(S, name)
        if callable(obj) and not isinstance(obj, type):
            doc = obj.__doc__ or ""
            for section in ("Parameters", "Returns", "Notes", "Examples"):
                assert section in doc, (name, section)


# ------------------------------------------------------------------ bootstrap interval of a mean

@pytest.mark.parametrize("n", [2, 3, 8, 57, 1000, 30_000])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_bootstrap_mean_interval_is_scipys_bca_on_the_same_draws(n, level, monkeypatch):
    x = np.random.default_rng(n).lognormal(0, 1.5, n)
    # batch=500 (= n_resamples): SciPy still draws all 500 resamples in one call, the same draws as without it,
    # but builds its n leave-one-out means 500 rows at a time, not from one n × (n − 1) array
    # (7 GB at n = 30,000; the process peaked at 15 GB)
    ref = stats.bootstrap((x,), np.mean, n_resamples=500, confidence_level=level, method="BCa", batch=500,
                          rng=np.random.default_rng(4)).confidence_interval
    got = S.bootstrap_mean_interval(x, level=level, n_resamples=500, rng=np.random.default_rng(4))
    assert got == pytest.approx((ref.low, ref.high), rel=1e-12, abs=1e-12)
    monkeypatch.setattr(S, "BOOTSTRAP_CELLS", 3 * n)  # drawn in batches of 3 resamples: the same draws
    assert S.bootstrap_mean_interval(x, level=level, n_resamples=500, rng=np.random.default_rng(4)) == got


def test_bootstrap_mean_interval_acceleration_is_the_jackknife_of_the_mean():
    # with all draws above or below the mean, the acceleration alone moves the percentiles; the
    # closed form must equal SciPy's n leave-one-out means on data with ties and a far outlier
    x = np.r_[np.ones(40), np.full(9, 2.0), 500.0]
    ref = stats.bootstrap((x,), np.mean, n_resamples=300, method="BCa", rng=np.random.default_rng(9))
    got = S.bootstrap_mean_interval(x, n_resamples=300, rng=np.random.default_rng(9))
    assert got == pytest.approx(tuple(ref.confidence_interval), rel=1e-12)


@pytest.mark.parametrize("x, match", [([1.0], "2 or more values"), ([3.0, 3.0, 3.0], "all 3"),
                                      ([1.0, np.nan, 2.0], "1 missing value"), ([1.0, np.inf], "finite")])
def test_bootstrap_mean_interval_refuses_what_it_cannot_bound(x, match):
    with pytest.raises(ValueError, match=match):
        S.bootstrap_mean_interval(x)


def test_bootstrap_mean_interval_checks_n_resamples():
    with pytest.raises(ValueError, match="n_resamples must be a whole number"):
        S.bootstrap_mean_interval([1.0, 2.0], n_resamples=0)
