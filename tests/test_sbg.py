"""sBG: the published parameters of Fader & Hardie (2007), hand formulas, and statsmodels' MLE."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special
from statsmodels.base.model import GenericLikelihoodModel
from statsmodels.stats.proportion import proportion_confint

from csa.metrics import sbg

from .conftest import ROOT

SHARED = Path(ROOT).parent / "shared" / "data" / "sbg_fader_hardie_2007"
needs_shared = pytest.mark.skipif(not (SHARED / "sbg_published_table.csv").is_file(),
                                  reason=f"the Fader & Hardie (2007) reference data are not in {SHARED} "
                                         "(../shared/data beside the repository; CI has it)")


def _alive(col: str) -> list[int]:
    return (sbg.FADER_HARDIE_2007[col][:8] * 10).round().astype(int).tolist()


@needs_shared
def test_the_bundled_table_is_the_published_table():
    pub = pd.read_csv(SHARED / "sbg_published_table.csv")
    np.testing.assert_array_equal(pub["year"], sbg.FADER_HARDIE_2007["year"])
    np.testing.assert_allclose(pub["regular_pct_alive"], sbg.FADER_HARDIE_2007["regular"])
    np.testing.assert_allclose(pub["highend_pct_alive"], sbg.FADER_HARDIE_2007["high_end"])
    assert (pub["used_for_fit_in_paper"] == "yes").sum() == 8  # years 0–7


@needs_shared
@pytest.mark.parametrize("col,segment", [("regular_pct_alive", "regular"), ("highend_pct_alive", "high_end")])
def test_reproduces_the_published_parameters(col, segment):
    pub = pd.read_csv(SHARED / "sbg_published_table.csv")
    alive = (pub.loc[pub["used_for_fit_in_paper"] == "yes", col] * 10).round().astype(int)
    m = sbg.fit(alive.tolist())
    assert (round(m.alpha, 3), round(m.beta, 3)) == sbg.PUBLISHED[segment]
    assert not m.at_bound and m.n == 1000 and m.periods == 7


@needs_shared
@pytest.mark.parametrize("cohort,segment", [("regular", "regular"), ("highend", "high_end")])
def test_individual_level_data_give_the_same_parameters(cohort, segment):
    raw = pd.read_csv(SHARED / "sbg_paper.csv")
    part = raw[raw["cohorts"] == cohort]
    alive_at_end = part["recency"] == part["T"]  # recency = T: still active after the 7 years observed
    durations = np.where(alive_at_end, part["T"] - 1, part["recency"])
    m = sbg.fit_durations(durations, ~alive_at_end)
    assert (round(m.alpha, 3), round(m.beta, 3)) == sbg.PUBLISHED[segment]
    assert m.loglik == pytest.approx(sbg.fit(_alive(segment)).loglik)


@needs_shared
@pytest.mark.parametrize("col,segment", [("regular_pct_alive", "regular"), ("highend_pct_alive", "high_end")])
def test_projection_of_the_holdout_years(col, segment):
    pub = pd.read_csv(SHARED / "sbg_published_table.csv")
    proj = sbg.fit(_alive(segment)).project(12).set_index("t")
    actual = pub.set_index("year")[col] / 100
    holdout = range(8, 13)
    # the paper's point: the two-parameter model tracks the five unseen years within about 1.6 points
    assert np.abs(proj.loc[holdout, "survival"] - actual.loc[holdout]).max() < 0.017
    assert (proj.loc[holdout, "low"] <= actual.loc[holdout]).all()
    assert (proj.loc[holdout, "high"] >= actual.loc[holdout]).all()


def test_formulas_by_hand():
    a, b = 0.704, 1.182
    # P(T = 1) = α/(α+β); P(T = t) = (β + t − 2)/(α + β + t − 1) · P(T = t − 1); S(t) = 1 − Σ P
    p = [a / (a + b)]
    for t in range(2, 13):
        p.append(p[-1] * (b + t - 2) / (a + b + t - 1))
    np.testing.assert_allclose(sbg.survival_curve(a, b, range(1, 13)), 1 - np.cumsum(p))
    m = sbg.fit(_alive("regular"))
    t = np.arange(1, 13)
    np.testing.assert_allclose(m.retention(t), m.survival(t) / m.survival(t - 1))
    assert (np.diff(m.retention(t)) > 0).all()  # retention rises with tenure: the riskiest leave first


def test_log_likelihood_by_hand():
    alive = np.array(_alive("high_end"), float)
    m = sbg.fit(alive)
    a, b = m.alpha, m.beta
    t = np.arange(1, 8)
    lp = special.betaln(a + 1, b + t - 1) - special.betaln(a, b)
    ls = special.betaln(a, b + 7) - special.betaln(a, b)
    assert m.loglik == pytest.approx(float(-np.diff(alive) @ lp + alive[-1] * ls))


class _SBG(GenericLikelihoodModel):
    """The same likelihood, maximised by statsmodels on (log α, log β), one row per customer."""

    def __init__(self, durations, observed, **kw):
        super().__init__(np.asarray(durations, float), np.ones((len(durations), 1)), **kw)
        self.observed = np.asarray(observed, bool)

    def loglikeobs(self, params):
        a, b = np.exp(params)
        t = self.endog
        base = special.betaln(a, b)
        return np.where(self.observed, special.betaln(a + 1, b + t - 1) - base, special.betaln(a, b + t) - base)


@pytest.mark.filterwarnings("ignore:df_:UserWarning")  # statsmodels' bookkeeping for a model without regressors
def test_estimates_and_standard_errors_equal_statsmodels():
    alive = np.array(_alive("regular"))
    durations = np.concatenate([np.repeat(np.arange(1, 8), -np.diff(alive)), np.full(alive[-1], 7)])
    observed = np.arange(len(durations)) < len(durations) - alive[-1]
    res = _SBG(durations, observed).fit(start_params=np.zeros(2), method="newton", disp=False, maxiter=100)
    assert res.mle_retvals["converged"]
    m = sbg.fit(alive)
    np.testing.assert_allclose(np.exp(res.params), [m.alpha, m.beta], rtol=1e-5)
    np.testing.assert_allclose(res.bse, np.sqrt(np.diag(m.cov)), rtol=1e-3)
    assert m.alpha_se == pytest.approx(m.alpha * res.bse[0], rel=1e-3)


def test_customers_alike_fall_back_to_a_geometric_model():
    # 1,000 customers churning at exactly 10 % per period: no heterogeneity to find
    alive = np.round(1000 * 0.9 ** np.arange(9)).astype(int)
    m = sbg.fit(alive)
    assert m.at_bound and "customers look alike" in str(m)
    p = m.churned / m.exposure
    assert m.mean_churn == pytest.approx(p, rel=1e-3)
    proj = m.project(12)
    lo, hi = proportion_confint(m.churned, m.exposure, method="wilson")
    np.testing.assert_allclose(proj["low"], (1 - hi) ** proj["t"])
    np.testing.assert_allclose(proj["high"], (1 - lo) ** proj["t"])


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="never increasing"):
        sbg.fit([100, 90, 95])
    with pytest.raises(ValueError, match="no customer churned"):
        sbg.fit([100, 100, 100])
    with pytest.raises(ValueError, match="period of the churn: 1 or more"):
        sbg.fit_durations([0, 2], [True, False])
    with pytest.raises(ValueError, match="same length"):
        sbg.fit_durations([1, 2], [True])
