"""Probabilistic CLV (csa.metrics.clv) against the published CDNOW results.

Published values (verified against two independent public sources before pinning: the lifetimes
test suite, ``test_params_out_is_close_to_Hardie_paper``, and the R package BTYD's documentation
and vignette, which use the same numbers):

* BG/NBD on the 2,357-customer CDNOW calibration summary (39 weeks): r = 0.243, α = 4.414,
  a = 0.793, b = 2.426, log-likelihood −9,582.4 — Fader, Hardie & Lee (2005), "Counting Your
  Customers" the Easy Way, *Marketing Science* 24(2), 275–284.
* Hardie's BG/NBD spreadsheet: customer 1 (x = 2, t_x = 30.43, T = 38.86) expects 1.226
  purchases in the next 39 weeks; E[X(t)] = 0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576 at
  t = 0.1429, 1, 3, 31.8571, 32, 78 weeks.
* Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, γ = 15.44 — Fader, Hardie & Lee (2005),
  "RFM and CLV", *JMR* 42(4), 415–430; Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary
  Value"; conditional expected spend of the first ten customers from Hardie's spreadsheet.

The fits run on the bundled copy (data/public/cdnow) and, when present, on ``../shared/data/
cdnow_lifetimes`` beside the repository root.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import special

from csa.datasets_public import cdnow_dir, load_cdnow
from csa.metrics import clv as C

from .conftest import ROOT

SHARED = ROOT.parent / "shared" / "data" / "cdnow_lifetimes"
BGNBD_PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GG_PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def _sources():
    yield pytest.param(None, id="bundled")
    yield pytest.param(SHARED, id="shared", marks=pytest.mark.skipif(
        not SHARED.is_dir(), reason=f"{SHARED} is absent (CI has it beside the repository root)"))


@pytest.fixture(scope="module", params=list(_sources()))
def cdnow(request):
    return load_cdnow(request.param)


@pytest.fixture(scope="module")
def bg(cdnow):
    summary, _ = cdnow
    return C.fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])


def test_bundled_copy_is_the_published_data():
    summary, spend = load_cdnow()
    assert len(summary) == len(spend) == 2357 and int((spend["x"] > 0).sum()) == 946
    assert (summary["frequency"] == spend["x"]).all() and (summary["recency"] == spend["t_x"]).all()
    assert (cdnow_dir() / "LICENSE_lifetimes_MIT.txt").is_file() and (cdnow_dir() / "SOURCE.md").is_file()
    if SHARED.is_dir():
        for name in ("cdnow_customers_summary.csv", "cdnow_customers_summary_with_transactions.csv"):
            assert (cdnow_dir() / name).read_bytes() == (SHARED / name).read_bytes()


def test_bgnbd_reproduces_the_published_parameters(bg):
    assert bg.converged and bg.n == 2357
    for k, v in BGNBD_PUBLISHED.items():
        assert getattr(bg, k) == pytest.approx(v, abs=5e-4), k  # the paper's three decimals
    assert bg.log_likelihood == pytest.approx(-9582.4, abs=0.05)


def test_bgnbd_predictions_match_hardies_spreadsheet(bg):
    assert bg.conditional_expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)
    t = np.array([0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00])
    np.testing.assert_allclose(bg.expected_purchases(t), [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576],
                               atol=5e-4)


def test_gamma_gamma_reproduces_the_published_parameters(cdnow):
    _, spend = cdnow
    gg = C.fit_gamma_gamma(spend["x"], spend["zbar"])
    assert gg.converged and gg.n == 946
    assert gg.p == pytest.approx(GG_PUBLISHED["p"], abs=0.005)
    assert gg.q == pytest.approx(GG_PUBLISHED["q"], abs=0.005)
    assert gg.gamma == pytest.approx(GG_PUBLISHED["gamma"], abs=0.015)  # 15.448 on the 2-decimal zbar file
    spread = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]  # Hardie's spreadsheet
    got = gg.conditional_expected_spend(spend["x"].head(10), spend["zbar"].head(10))
    np.testing.assert_allclose(got, spread, atol=0.011)
    assert gg.mean_spend() == pytest.approx(35.17, abs=0.005)


def test_bgnbd_likelihood_against_the_formula_in_natural_space():
    # eq. 6 of the paper with beta and gamma functions, not the log-sum-exp of the implementation
    r, al, a, b = 0.243, 4.414, 0.793, 2.426
    for x, t_x, T in ((0, 0.0, 38.86), (2, 30.43, 38.86), (7, 29.43, 38.86)):
        g = special.gamma(r + x) * al**r / special.gamma(r)
        like = special.beta(a, b + x) / special.beta(a, b) * g / (al + T) ** (r + x)
        if x > 0:
            like += special.beta(a + 1, b + x - 1) / special.beta(a, b) * g / (al + t_x) ** (r + x)
        assert C._bgnbd_ll(r, al, a, b, x, t_x, T) == pytest.approx(math.log(like), rel=1e-12)


def test_bgnbd_likelihood_per_distinct_x_is_the_same_as_per_customer(cdnow):
    summary, _ = cdnow
    x, t_x, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    per_customer = C._bgnbd_ll(0.243, 4.414, 0.793, 2.426, x, t_x, T)
    per_x = C._bgnbd_ll(0.243, 4.414, 0.793, 2.426, x, t_x, T, np.unique(x, return_inverse=True))
    np.testing.assert_array_equal(per_x, per_customer)


def test_p_alive_by_hand():
    m = C.BGNBD(**BGNBD_PUBLISHED)
    assert m.p_alive(0, 0, 38.86) == 1.0  # no repeat purchase: cannot have dropped out yet
    x, t_x, T = 2, 30.43, 38.86
    exp = 1 / (1 + 0.793 / (2.426 + x - 1) * ((4.414 + T) / (4.414 + t_x)) ** (0.243 + x))
    assert m.p_alive(x, t_x, T) == pytest.approx(exp)
    # the longer the silence since the last purchase, the less likely alive
    assert m.p_alive(2, 5.0, 38.86) < m.p_alive(2, 30.0, 38.86)


def test_gamma_gamma_shrinks_towards_the_population_mean():
    m = C.GammaGamma(**GG_PUBLISHED)
    pop = 6.25 * 15.44 / 2.74
    assert m.mean_spend() == pytest.approx(pop)
    assert m.conditional_expected_spend(0, 0.0) == pytest.approx(pop)
    w = 6.25 * 10 / (6.25 * 10 + 3.74 - 1)
    assert m.conditional_expected_spend(10, 100.0) == pytest.approx(w * 100 + (1 - w) * pop)


def test_rfm_summary_by_hand():
    o = pd.DataFrame({"customer_id": ["a", "a", "a", "a", "b"],
                      "ordered_at": pd.to_datetime(["2026-01-01 10:00", "2026-01-01 15:00", "2026-01-15 00:00",
                                                    "2026-01-29 00:00", "2026-01-08 00:00"]).tz_localize("Asia/Tokyo"),
                      "amount": [10.0, 5.0, 20.0, 40.0, 7.0]})
    s = C.rfm_summary(o, as_of="2026-01").set_index("customer_id")
    # a: purchase days Jan 1 (15 = 10 + 5, same day), Jan 15, Jan 29 -> 2 repeat purchases averaging 30
    assert s.loc["a", ["frequency", "recency", "T", "monetary_value"]].tolist() == pytest.approx([2, 4.0, 30 / 7, 30])
    assert s.loc["b", ["frequency", "recency", "monetary_value"]].tolist() == [0, 0.0, 0.0]
    cut = C.rfm_summary(o, as_of="2026-01-20").set_index("customer_id")
    assert cut.loc["a", "frequency"] == 1 and cut.loc["a", "T"] == pytest.approx(19 / 7)


def test_p_alive_check_by_hand():
    out = C.p_alive_check([1, 1, 1, 1, 0, 0], [0.2, 0.3, 0.8, 0.9, 1.0, 1.0], [False, True, True, True, True, False],
                          groups=2)
    assert out["band"].tolist()[-1] == "one_time"
    assert out["n"].tolist() == [2, 2, 2] and out["active"].tolist() == [50.0, 100.0, 50.0]
    assert out["p_alive"].tolist() == pytest.approx([25.0, 85.0, 100.0])


@pytest.mark.parametrize("kw,match", [
    (dict(frequency=[1, 2, 0, 1], recency=[5, 9, 0, 1], T=[4, 10, 3, 2]), "recency cannot exceed T"),
    (dict(frequency=[0, 0, 0, 0], recency=[0, 0, 0, 0], T=[4, 10, 3, 2]), "repeat purchases"),
    (dict(frequency=[1, np.nan, 0, 1], recency=[1, 1, 0, 1], T=[4, 10, 3, 2]), "without missing"),
])
def test_bgnbd_refuses_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        C.fit_bgnbd(**kw)


def test_bgnbd_weights_and_repeated_rows_give_the_same_fit(bg, cdnow):
    summary, _ = cdnow
    twice = pd.concat([summary, summary.iloc[::-1]], ignore_index=True)
    doubled = C.fit_bgnbd(twice["frequency"], twice["recency"], twice["T"])
    weighted = C.fit_bgnbd(summary["frequency"], summary["recency"], summary["T"], weights=2)
    for m in (doubled, weighted):
        assert m.n == 2 * 2357 and m.converged
        assert m.log_likelihood == pytest.approx(2 * bg.log_likelihood, rel=1e-9)
        assert (m.r, m.alpha, m.a, m.b) == pytest.approx((bg.r, bg.alpha, bg.a, bg.b), rel=1e-4)


def _simulate_fixed_dropout(n, seed, *, p=0.1, r=2.0, alpha=10.0, T=52.0):
    """BG/NBD purchases with the same drop-out probability p for everyone (no Beta heterogeneity)."""
    rng = np.random.default_rng(seed)
    x, t_x = np.zeros(n), np.zeros(n)
    for i, lam in enumerate(rng.gamma(r, 1 / alpha, n)):
        t = rng.exponential(1 / lam)
        while t <= T:
            x[i], t_x[i] = x[i] + 1, t
            if rng.random() < p:
                break
            t += rng.exponential(1 / lam)
    return x, np.round(t_x, 1), np.full(n, T)


def test_bgnbd_says_when_the_data_cannot_pin_down_the_drop_out_heterogeneity():
    # with one p for all, a and b grow without bound along a/(a+b) = p: the fit must say it is not identified
    m = C.fit_bgnbd(*_simulate_fixed_dropout(2000, seed=3))
    assert not m.converged
    assert m.a / (m.a + m.b) == pytest.approx(0.1, abs=0.01) and m.r == pytest.approx(2.0, abs=0.2)


def test_gamma_gamma_refuses_too_few_repeat_buyers():
    with pytest.raises(ValueError, match="at least 3"):
        C.fit_gamma_gamma([1, 0, 2], [5.0, 0.0, 3.0])


def test_fits_do_not_depend_on_the_time_or_money_unit(bg, cdnow):
    summary, spend = cdnow
    days = C.fit_bgnbd(summary["frequency"], summary["recency"] * 7, summary["T"] * 7)
    assert (days.r, days.a, days.b) == pytest.approx((bg.r, bg.a, bg.b), rel=1e-4)
    assert days.alpha == pytest.approx(7 * bg.alpha, rel=1e-4)
    yen = C.fit_gamma_gamma(spend["x"], spend["zbar"] * 150)
    usd = C.fit_gamma_gamma(spend["x"], spend["zbar"])
    assert (yen.p, yen.q) == pytest.approx((usd.p, usd.q), rel=1e-4)
    assert yen.gamma == pytest.approx(150 * usd.gamma, rel=1e-4)


def test_on_the_samples_one_off_purchases_p_alive_ranks_who_is_still_subscribed(sample_ds):
    from csa.views import ltv as VL

    ds = sample_ds
    rfm, bg, gg = VL.one_off_clv(ds, pd.Period("2026-10", "M"))
    assert len(rfm) == 916 and int((rfm["frequency"] > 0).sum()) == 428 and bg.converged and gg.converged
    check = VL.alive_check(rfm)
    rep = check.iloc[:-1]
    assert rep["active"].iloc[-1] - rep["active"].iloc[0] > 20  # top band far more often still subscribed
    assert check.iloc[-1]["p_alive"] == 100.0  # one-time buyers: alive by construction
