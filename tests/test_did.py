"""csa.metrics.did pinned to statsmodels' formula interface on constructed panels, and recovering planted effects."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from csa.metrics import did as D

EFFECT = -0.5


def _panel(seed: int = 6, units: int = 24, periods: int = 12, start: int = 6, effect: float = EFFECT,
           per_cell: int = 8) -> pd.DataFrame:
    """Units (half treated) × periods × rows; unit and period effects; ``effect`` from ``start`` in treated units."""
    rng = np.random.default_rng(seed)
    u = np.repeat(np.arange(units), periods * per_cell)
    t = np.tile(np.repeat(np.arange(periods), per_cell), units)
    treated = u < units // 2
    after = t >= start
    unit_fx = rng.normal(0, 0.4, units)[u]
    period_fx = rng.normal(0, 0.2, periods)[t] + 0.02 * t
    channel = rng.choice(["phone", "email", "chat"], size=len(u))
    ch_fx = pd.Series(channel).map({"phone": 0.0, "email": 1.5, "chat": 0.5}).to_numpy()
    y = 3 + 0.3 * treated + unit_fx + period_fx + ch_fx + effect * (treated & after) + rng.normal(0, 0.6, len(u))
    return pd.DataFrame({"unit": u, "t": t, "treated": treated, "after": after, "channel": channel, "y": y,
                         "minutes": np.exp(y)})


@pytest.fixture(scope="module")
def panel():
    return _panel()


def _ref(df, formula, **fit):
    return smf.ols(formula, df).fit(**fit)


def _same(est, res, term, level=0.95):
    low, high = res.conf_int(alpha=1 - level).loc[term]
    assert est.effect == pytest.approx(res.params[term], rel=1e-10, abs=1e-12)
    assert est.se == pytest.approx(res.bse[term], rel=1e-9)
    assert (est.low, est.high) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
    assert est.p == pytest.approx(res.pvalues[term], rel=1e-8, abs=1e-300)


def test_did_clustered_equals_statsmodels_interaction(panel):
    d = panel.assign(treated=panel["treated"].astype(int), after=panel["after"].astype(int))
    res = _ref(d, "y ~ treated * after", cov_type="cluster", cov_kwds={"groups": d["unit"]}, use_t=True)
    est = D.did(panel, outcome="y", treated="treated", after="after", cluster="unit")
    _same(est, res, "treated:after")
    assert est.cov == "cluster" and est.clusters == 24 and est.df == 23
    assert est.n == len(panel) and est.excluded == 0


def test_did_hc1_and_other_level_equal_statsmodels(panel):
    d = panel.assign(treated=panel["treated"].astype(int), after=panel["after"].astype(int))
    res = _ref(d, "y ~ treated * after", cov_type="HC1")
    _same(D.did(panel, outcome="y", treated="treated", after="after"), res, "treated:after")
    _same(D.did(panel, outcome="y", treated="treated", after="after", level=0.9), res, "treated:after", level=0.9)
    res3 = _ref(d, "y ~ treated * after", cov_type="HC3")
    _same(D.did(panel, outcome="y", treated="treated", after="after", cov="HC3"), res3, "treated:after")


def test_did_with_controls_and_log_equals_statsmodels(panel):
    d = panel.assign(treated=panel["treated"].astype(int), after=panel["after"].astype(int),
                     ly=np.log(panel["minutes"]))
    res = _ref(d, "ly ~ treated * after + C(channel)", cov_type="cluster", cov_kwds={"groups": d["unit"]},
               use_t=True)
    est = D.did(panel, outcome="minutes", treated="treated", after="after", log=True, cluster="unit",
                controls=["channel"])
    _same(est, res, "treated:after")
    assert est.ratio == pytest.approx(math.exp(est.effect)) and est.pct == pytest.approx(100 * (est.ratio - 1))


def test_did_recovers_the_planted_effect_within_its_interval(panel):
    est = D.did(panel, outcome="minutes", treated="treated", after="after", log=True, cluster="unit",
                controls="channel")
    assert est.contains(EFFECT)
    assert est.high < 0 and est.p < 0.001
    assert abs(est.effect - EFFECT) < 0.1


def test_interval_coverage_over_repeated_panels():
    """Over 40 independent panels about 95 % of the clustered intervals contain the planted effect (one panel
    can miss it: the fixture's seed is one where it does not, the rate is what this test checks)."""
    hits = [D.did(_panel(seed=s, units=20, periods=8, start=4, per_cell=3), outcome="y", treated="treated",
                  after="after", cluster="unit").contains(EFFECT) for s in range(40)]
    assert sum(hits) >= 34


def test_did_means_are_the_difference_of_differences(panel):
    est = D.did(panel, outcome="y", treated="treated", after="after")
    m = panel.groupby(["treated", "after"])["y"].mean()
    hand = (m[(True, True)] - m[(True, False)]) - (m[(False, True)] - m[(False, False)])
    assert est.by_hand == pytest.approx(hand, rel=1e-12) and est.effect == pytest.approx(hand, rel=1e-10)
    assert est.means["n"].sum() == len(panel)


def test_did_counts_rows_left_out(panel):
    d = panel.assign(treated=panel["treated"].astype(object))
    d.loc[:9, "minutes"] = 0.0          # not loggable
    d.loc[10:14, "treated"] = None      # unknown group
    d.loc[15:16, "y"] = np.nan
    est = D.did(d, outcome="minutes", treated="treated", after="after", log=True)
    assert est.excluded == 15 and est.n == len(d) - 15
    est = D.did(d, outcome="y", treated="treated", after="after")
    assert est.excluded == 7


def test_did_refuses_bad_input(panel):
    with pytest.raises(KeyError, match="not found"):
        D.did(panel, outcome="nope", treated="treated", after="after")
    with pytest.raises(ValueError, match="true/false"):
        D.did(panel.assign(treated=panel["unit"]), outcome="y", treated="treated", after="after")
    with pytest.raises(ValueError, match="treated after"):
        D.did(panel[~(panel["treated"] & panel["after"])], outcome="y", treated="treated", after="after")
    with pytest.raises(ValueError, match="needs cluster="):
        D.did(panel, outcome="y", treated="treated", after="after", cov="cluster")
    with pytest.raises(ValueError, match="cov must be"):
        D.did(panel, outcome="y", treated="treated", after="after", cov="HC9")
    with pytest.raises(ValueError, match="level"):
        D.did(panel, outcome="y", treated="treated", after="after", level=95)


def test_event_study_equals_statsmodels_and_shows_parallel_trends(panel):
    es = D.event_study(panel, outcome="y", treated="treated", time="t", ref=5, cluster="unit")
    d = panel.assign(tr=panel["treated"].astype(int))
    res = _ref(d, "y ~ tr * C(t, Treatment(reference=5))", cov_type="cluster", cov_kwds={"groups": d["unit"]},
               use_t=True)
    for row in es.itertuples():
        if row.time == 5:
            assert row.effect == 0 and math.isnan(row.low)
            continue
        term = f"tr:C(t, Treatment(reference=5))[T.{row.time}]"
        assert row.effect == pytest.approx(res.params[term], rel=1e-9, abs=1e-12)
        assert row.low == pytest.approx(res.conf_int().loc[term, 0], rel=1e-9)
    pre, post = es[es["time"] < 6], es[es["time"] >= 6]
    assert ((pre["low"] < 0) & (pre["high"] > 0)).sum() == 5, "no effect before the start"
    # balanced panel: the average post difference minus the average pre difference is the DiD itself
    assert post["effect"].mean() - pre["effect"].mean() == pytest.approx(
        D.did(panel, outcome="y", treated="treated", after="after").effect, rel=1e-9)
    assert es["n_treated"].sum() + es["n_comparison"].sum() == len(panel)


def test_event_study_with_monthly_periods(panel):
    d = panel.assign(month=pd.PeriodIndex([pd.Period("2025-01", "M") + int(k) for k in panel["t"]]))
    es = D.event_study(d, outcome="y", treated="treated", time="month", ref="2025-06", cluster="unit")
    assert es.loc[es["time"] == pd.Period("2025-06", "M"), "effect"].item() == 0
    with pytest.raises(ValueError, match="not a period of the data"):
        D.event_study(d, outcome="y", treated="treated", time="month", ref="2030-01")


def test_pretrend_equals_statsmodels_and_is_flat_before(panel):
    pre = panel[panel["t"] < 6].assign(tr=lambda x: x["treated"].astype(int), tc=lambda x: x["t"] - 6)
    res = _ref(pre, "y ~ tr * tc", cov_type="cluster", cov_kwds={"groups": pre["unit"]}, use_t=True)
    est = D.pretrend(panel, outcome="y", treated="treated", time="t", before=6, cluster="unit")
    _same(est, res, "tr:tc")
    assert est.contains(0.0)
    drift = panel.assign(y=panel["y"] + 0.2 * panel["t"] * panel["treated"])
    assert D.pretrend(drift, outcome="y", treated="treated", time="t", before=6, cluster="unit").low > 0


def test_its_equals_statsmodels_segmented_regression():
    rng = np.random.default_rng(11)
    m = np.arange(24)
    y = 50 + 0.4 * m - 6 * (m >= 14) + 0.3 * (m - 14) * (m >= 14) + rng.normal(0, 1.5, 24)
    d = pd.DataFrame({"month": pd.period_range("2025-01", periods=24, freq="M"), "y": y})
    est = D.its(d, outcome="y", time="month", start="2026-03")
    ref = pd.DataFrame({"y": y, "t": m - 14.0, "after": (m >= 14).astype(float)})
    res = _ref(ref, "y ~ t + after + t:after", cov_type="HAC", cov_kwds={"maxlags": 2})
    _same(est.level, res, "after")
    _same(est.slope, res, "t:after")
    _same(est.trend, res, "t")
    assert est.level.cov == "HAC" and est.periods_before == 14 and est.periods_after == 10
    assert est.level.contains(-6) and est.slope.contains(0.3)
    f = est.fitted
    assert len(f) == 24 and (f.loc[f["time"] < pd.Period("2026-03", "M"), "fitted"]
                             == f.loc[f["time"] < pd.Period("2026-03", "M"), "counterfactual"]).all()


def test_its_on_rows_clusters_by_period(panel):
    treated = panel[panel["treated"]]
    est = D.its(treated, outcome="y", time="t", start=6)
    d = treated.assign(tc=treated["t"] - 6.0, aft=(treated["t"] >= 6).astype(float))
    d = d.sort_values("tc", kind="stable")
    res = _ref(d, "y ~ tc + aft + tc:aft", cov_type="cluster", cov_kwds={"groups": d["t"]}, use_t=True)
    _same(est.level, res, "aft")
    assert est.level.clusters == 12
    with pytest.raises(ValueError, match="one row per period"):
        D.its(treated, outcome="y", time="t", start=6, cov="HAC")
    with pytest.raises(ValueError, match="two periods before"):
        D.its(treated, outcome="y", time="t", start=1)


def test_cluster_errors_from_the_normal_equations_equal_statsmodels_on_a_wide_unbalanced_design():
    # the path every cluster-robust estimate takes: continuous and dummy columns, clusters of 1 to 400 rows
    from statsmodels.regression.linear_model import OLS

    rng = np.random.default_rng(11)
    n = 5_000
    groups = np.minimum(rng.zipf(1.6, n) - 1, 60)
    X = np.column_stack([np.ones(n), rng.normal(50, 20, n), rng.integers(0, 2, n),
                         *(rng.random((n, 12)) < 0.2).T]).astype(float)
    y = X @ rng.normal(0, 1, X.shape[1]) + rng.standard_t(3, n) * (1 + groups / 20)
    codes = pd.factorize(groups)[0]
    fit = D._cluster_ols(y, X, codes)
    ref = OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fit.bse, ref.bse, rtol=1e-9)
    np.testing.assert_allclose(fit.pvalues, ref.pvalues, rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(fit.conf_int(0.1), ref.conf_int(0.1), rtol=1e-9)
    assert fit.df_resid_inference == ref.df_resid_inference == codes.max()


def test_a_singular_design_is_left_to_statsmodels_pseudo_inverse(panel):
    assert D._cluster_ols(np.ones(3), np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]), np.array([0, 1, 1])) is None
    X = np.column_stack([np.ones(len(panel)), panel["treated"], panel["treated"]]).astype(float)  # a column twice
    assert D._cluster_ols(panel["y"].to_numpy(), X, panel["unit"].to_numpy()) is None
    assert D._cluster_ols(panel["y"].to_numpy(), X[:, :2], np.zeros(len(panel), dtype=int)) is None  # one cluster


def test_cluster_fit_on_cells_of_identical_rows_equals_the_fit_on_the_rows():
    rng = np.random.default_rng(5)
    m = 300
    cells = np.column_stack([np.ones(m), rng.integers(0, 2, (m, 3)), rng.integers(0, 5, m)]).astype(float)
    groups = rng.integers(0, 25, m)
    size = rng.integers(1, 6, m)
    rows = np.repeat(np.arange(m), size)
    y = cells[rows] @ np.array([1.0, -0.5, 0.3, 2.0, 0.1]) + rng.normal(0, 1, len(rows))
    by_row = D._cluster_ols(y, cells[rows], groups[rows])
    by_cell = D._cluster_ols(np.bincount(rows, weights=y), cells, groups, weights=size)
    np.testing.assert_allclose(by_cell.params, by_row.params, rtol=1e-11)
    np.testing.assert_allclose(by_cell.bse, by_row.bse, rtol=1e-10)
    assert by_cell.df_resid_inference == by_row.df_resid_inference == 24


def test_controls_and_clusters_of_any_type_are_coded_once_per_level(panel):
    """A control mixing 1 and "1" (one level, as text) with missing values (rows left out), clusters as Arrow
    text: coded per level without a Python object per row, the fit is statsmodels' on the text values."""
    d = panel.copy()
    mixed = d["channel"].to_numpy(dtype=object)
    mixed[::7], mixed[1::7], mixed[2::97] = 1, "1", None
    d["mixed"] = pd.Series(mixed, index=d.index, dtype=object)
    d["agent"] = pd.Series([f"agent {u}" for u in d["unit"]], index=d.index, dtype="str")
    est = D.did(d, outcome="y", treated="treated", after="after", cluster="agent", controls=["mixed"])
    ref = d[d["mixed"].notna()]
    ref = ref.assign(mixed=ref["mixed"].astype(str), treated=ref["treated"].astype(int),
                     after=ref["after"].astype(int))
    res = _ref(ref, "y ~ treated * after + C(mixed)", cov_type="cluster",
               cov_kwds={"groups": pd.factorize(ref["agent"])[0]}, use_t=True)
    _same(est, res, "treated:after")
    assert est.excluded == int(d["mixed"].isna().sum()) > 0 and est.clusters == 24
    ctrl, known = D._controls(d, ["mixed"])
    assert list(ctrl.columns) == ["mixed[chat]", "mixed[email]", "mixed[phone]"]  # "1" is the dropped first level
    assert all(dt == np.dtype(bool) for dt in ctrl.dtypes) and known.sum() == len(ref)
