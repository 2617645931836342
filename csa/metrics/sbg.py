"""Projecting retention: the shifted-beta-geometric (sBG) model of Fader & Hardie (2007).

Each customer renews every period (month, year) with their own churn probability ``θ``; the
``θ`` differ between customers and follow a Beta(α, β) distribution. The riskiest customers
leave first, so the retention rate of a cohort *rises* with its age — which a single constant
churn rate cannot show, and which makes a straight-line projection too pessimistic. Two numbers,
α and β, fitted by maximum likelihood to the months already seen, project the curve forward.

Formulas (Fader & Hardie 2007, eqs. 1–7), ``T`` = the period in which a customer churns:

* ``P(T = t) = B(α + 1, β + t − 1) / B(α, β)``;
* ``S(t) = P(T > t) = B(α, β + t) / B(α, β)`` (share of the cohort still there after ``t`` periods);
* retention rate ``r(t) = S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1)``, rising with ``t``;
* mean churn probability ``α / (α + β)``.

The fit works on churns per period and on customers still there (censored): a cohort table of
customers alive at ``t = 0 … T`` (:func:`fit`), or one duration per customer (:func:`fit_durations`).
The test suite reproduces the paper's published parameters on its published table
(:data:`FADER_HARDIE_2007`). Reference: Fader, P. S. & Hardie, B. G. S. (2007). How to project
customer retention. *Journal of Interactive Marketing* 21(1), 76–90.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from .. import stats as S

__all__ = ["FADER_HARDIE_2007", "PUBLISHED", "SBGFit", "fit", "fit_durations", "survival_curve"]

#: Fader & Hardie (2007), Table 1: % of a 1,000-customer cohort still active after each year (0–12);
#: years 1–7 were used for the fit, 8–12 held out to check the projection.
FADER_HARDIE_2007 = pd.DataFrame({
    "year": range(13),
    "regular": [100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1, 22.3, 20.7, 19.4, 18.3, 17.3],
    "high_end": [100.0, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1, 46.8, 44.5, 42.7, 40.9, 39.4],
})

#: the paper's maximum-likelihood estimates (α, β) on years 1–7
PUBLISHED = {"regular": (0.704, 1.182), "high_end": (0.668, 3.806)}

_BOUND = 12.0  # log α, log β are searched in [−12, 12]


def survival_curve(alpha: float, beta: float, t) -> np.ndarray:
    """``S(t) = B(α, β + t) / B(α, β)``, the share of a cohort still there after ``t`` periods.

    Parameters
    ----------
    alpha, beta : float
        sBG parameters (> 0).
    t : int or array-like
        Periods (0, 1, 2, …).

    Returns
    -------
    float or ndarray
        Survival, 0–1.

    Examples
    --------
    >>> survival_curve(0.704, 1.182, [0, 1, 7]).round(3)
    array([1.   , 0.627, 0.239])
    """
    t = np.asarray(t, dtype=float)
    out = np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta))
    return float(out) if out.ndim == 0 else out


def _loglik(la: float, lb: float, d: np.ndarray, c: np.ndarray) -> float:
    a, b = np.exp(la), np.exp(lb)
    t = np.arange(1, len(d) + 1, dtype=float)
    base = special.betaln(a, b)
    lp = special.betaln(a + 1, b + t - 1) - base
    ls = special.betaln(a, b + np.arange(len(c), dtype=float)) - base
    return float(d @ lp + c @ ls)


def _grad(la: float, lb: float, d: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Gradient of the log-likelihood with respect to (log α, log β)."""
    a, b = np.exp(la), np.exp(lb)
    ps = special.digamma
    t = np.arange(1, len(d) + 1, dtype=float)
    u = np.arange(len(c), dtype=float)
    da0, db0 = ps(a) - ps(a + b), ps(b) - ps(a + b)
    ga = d @ (ps(a + 1) - ps(a + b + t) - da0) + c @ (ps(a + b) - ps(a + b + u))
    gb = d @ (ps(b + t - 1) - ps(a + b + t) - db0) + c @ (ps(b + u) - ps(a + b + u) - db0)
    return np.array([a * ga, b * gb])


@dataclass(frozen=True)
class SBGFit:
    """A fitted shifted-beta-geometric model.

    Attributes
    ----------
    alpha, beta : float
        Maximum-likelihood estimates.
    loglik : float
        Log-likelihood at the estimates.
    n : int
        Customers in the fit; ``churned`` of them churned within the ``periods`` observed.
    cov : ndarray
        2 × 2 covariance of (log α, log β) from the observed information (NaN when the estimate
        sits on the search bound).
    at_bound : bool
        The estimate reached the search bound: α and β grow without limit, i.e. the data show no
        difference between customers' churn probabilities, and the model is the geometric one
        with a single churn probability ``α / (α + β)`` (see :meth:`project`).
    level : float
        Confidence level of the projection intervals.
    exposure : float
        Renewals the customers were at risk of (churned: the period of the churn; active: the
        periods survived), the denominator of the geometric churn probability.
    """

    alpha: float
    beta: float
    loglik: float
    n: int
    churned: int
    periods: int
    cov: np.ndarray = field(repr=False)
    at_bound: bool = False
    level: float = 0.95
    exposure: float = float("nan")

    @property
    def alpha_se(self) -> float:
        """Standard error of α (delta method from log α)."""
        return float(self.alpha * np.sqrt(self.cov[0, 0]))

    @property
    def beta_se(self) -> float:
        """Standard error of β."""
        return float(self.beta * np.sqrt(self.cov[1, 1]))

    @property
    def mean_churn(self) -> float:
        """Mean churn probability per period, ``α / (α + β)``."""
        return self.alpha / (self.alpha + self.beta)

    def survival(self, t) -> np.ndarray:
        """``S(t)``: share of the cohort still there after ``t`` periods."""
        return survival_curve(self.alpha, self.beta, t)

    def retention(self, t) -> np.ndarray:
        """Retention rate of period ``t`` (≥ 1): ``(β + t − 1) / (α + β + t − 1)``."""
        t = np.asarray(t, dtype=float)
        return (self.beta + t - 1) / (self.alpha + self.beta + t - 1)

    def project(self, horizon: int) -> pd.DataFrame:
        """The curve for ``t = 0 … horizon`` with a pointwise interval.

        Returns
        -------
        DataFrame
            ``t``, ``survival`` (0–1), ``low``, ``high``, ``retention`` (``r(t)``, NaN at ``t = 0``),
            ``observed`` (``t`` within the periods used for the fit).

        Notes
        -----
        The interval is the delta method on ``logit S(t)`` with the covariance of (log α, log β).
        When the fit sits on the bound (customers alike) the model is geometric with churn
        probability ``p = churned / exposure``; the interval is then ``(1 − p_high)ᵗ`` to
        ``(1 − p_low)ᵗ`` with the Wilson interval of ``p`` (:func:`csa.stats.proportion_interval`).
        Both describe the sampling uncertainty of the parameters only, not whether the model is right.
        """
        t = np.arange(horizon + 1, dtype=float)
        s = self.survival(t)
        low = np.full_like(s, np.nan)
        high = np.full_like(s, np.nan)
        if self.at_bound and np.isfinite(self.exposure):
            p_low, p_high = S.proportion_interval(self.churned, self.exposure, level=self.level)
            low, high = (1 - p_high / 100) ** t, (1 - p_low / 100) ** t
        elif np.isfinite(self.cov).all():
            la, lb = np.log(self.alpha), np.log(self.beta)
            h = 1e-5

            def logit(x, y):
                v = survival_curve(np.exp(x), np.exp(y), t[1:])
                return np.log(v) - np.log1p(-v)

            g = np.stack([(logit(la + h, lb) - logit(la - h, lb)) / (2 * h),
                          (logit(la, lb + h) - logit(la, lb - h)) / (2 * h)], axis=1)
            se = np.sqrt(np.einsum("ij,jk,ik->i", g, self.cov, g))
            z = S.z_value(self.level)
            centre = logit(la, lb)
            low[1:], high[1:] = special.expit(centre - z * se), special.expit(centre + z * se)
            low[0] = high[0] = 1.0
        ret = np.concatenate([[np.nan], self.retention(t[1:])])
        return pd.DataFrame({"t": t.astype(int), "survival": s, "low": low, "high": high, "retention": ret,
                             "observed": t <= self.periods})

    def __str__(self) -> str:
        flag = " (on the search bound: customers look alike)" if self.at_bound else ""
        return (f"sBG on {self.n:,} customers over {self.periods} periods: alpha = {self.alpha:.3f}, "
                f"beta = {self.beta:.3f}, mean churn {100 * self.mean_churn:.1f} % per period, "
                f"log-likelihood {self.loglik:.2f}{flag}")


def _fit(d: np.ndarray, c: np.ndarray, level: float) -> SBGFit:
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1 (e.g. 0.95); got {level!r}")
    n, churned = int(d.sum() + c.sum()), int(d.sum())
    if n == 0:
        raise ValueError("no customers to fit: the cohort is empty")
    if churned == 0:
        raise ValueError("no customer churned in the periods observed: the sBG model cannot be fitted "
                         "(wait for more periods, or pool cohorts)")
    p1 = max(min(d[0] / max(c.sum() + d.sum(), 1), 0.9), 0.01) if len(d) else 0.1
    starts = [(np.log(p1), np.log(1 - p1)), (0.0, 0.0), (np.log(0.5), np.log(5.0))]
    best = None
    bounds = [(-_BOUND, _BOUND)] * 2
    def nll(x):
        return -_loglik(x[0], x[1], d, c)

    def jac(x):
        return -_grad(x[0], x[1], d, c)

    for x0 in starts:  # the first start usually suffices; the others guard against a false bound or a failure
        r = optimize.minimize(nll, np.array(x0), jac=jac, method="SLSQP", bounds=bounds,
                              options={"ftol": 1e-13, "maxiter": 500})
        if best is None or r.fun < best.fun:
            best = r
        if best.success and not np.any(np.abs(best.x) > _BOUND - 1e-3):
            break
    la, lb = best.x
    at_bound = bool(np.any(np.abs(best.x) > _BOUND - 1e-3))
    h = 1e-5
    H = np.empty((2, 2))
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        H[:, k] = -(_grad(*(best.x + e), d, c) - _grad(*(best.x - e), d, c)) / (2 * h)
    H = (H + H.T) / 2
    cov = np.full((2, 2), np.nan)
    if not at_bound and np.all(np.linalg.eigvalsh(H) > 0):
        cov = np.linalg.inv(H)
    exposure = float(d @ np.arange(1, len(d) + 1) + c @ np.arange(len(c)))
    return SBGFit(float(np.exp(la)), float(np.exp(lb)), -float(best.fun), n, churned, len(d), cov, at_bound, level,
                  exposure)


def fit(alive, *, level: float = 0.95) -> SBGFit:
    """Fit the sBG model to one cohort's table of customers still active after each period.

    Parameters
    ----------
    alive : array-like of int
        Customers active at ``t = 0, 1, …, T`` (``alive[0]`` = the cohort's size), non-increasing.
    level : float
        Confidence level of the projection intervals.

    Returns
    -------
    SBGFit
        ``alpha``, ``beta``, ``loglik``, ``n``, ``churned``, ``periods`` (= T), ``cov``, and
        :meth:`SBGFit.project`.

    Notes
    -----
    ``LL = Σₜ (alive[t−1] − alive[t]) · ln P(T = t) + alive[T] · ln S(T)`` (Fader & Hardie 2007,
    eq. 8), maximised over (log α, log β) with scipy's bounded SLSQP and the analytic gradient.

    Examples
    --------
    >>> m = fit([1000, 631, 468, 382, 326, 289, 262, 241])  # Fader & Hardie (2007), "Regular", years 0–7
    >>> round(m.alpha, 3), round(m.beta, 3), round(m.loglik, 1)
    (0.704, 1.182, -1680.3)
    """
    a = np.asarray(alive, dtype=float)
    if a.ndim != 1 or len(a) < 2 or np.isnan(a).any() or (a < 0).any() or np.any(np.diff(a) > 0) \
            or np.any(a % 1 != 0):
        raise ValueError("alive must be whole numbers of customers still active at t = 0, 1, …, T (at least two "
                         f"periods), never increasing; got {a.tolist()[:10]}")
    d = -np.diff(a)
    c = np.zeros(len(a))
    c[-1] = a[-1]
    return _fit(d, c, level)


def fit_durations(durations, observed, *, level: float = 0.95) -> SBGFit:
    """Fit the sBG model to one duration per customer (churned, or still active = censored).

    Parameters
    ----------
    durations : array-like of int
        Churned customers: the period in which they churned (1, 2, …). Active customers: the
        number of periods they have survived so far (0, 1, …).
    observed : array-like of bool
        ``True`` for a churn, ``False`` for a customer still active.
    level : float
        Confidence level of the projection intervals.

    Returns
    -------
    SBGFit

    Notes
    -----
    ``LL = Σ_churned ln P(T = dᵢ) + Σ_active ln S(dᵢ)``. Customers of several cohorts observed for
    different lengths can be fitted together (they then share α and β). For monthly
    subscriptions, :func:`csa.metrics.churn.lifetimes` gives ``duration`` and ``churned``.

    Examples
    --------
    >>> m = fit_durations([1, 1, 2, 3, 3, 3], [True, True, True, False, False, False])
    >>> round(m.mean_churn, 3), m.n, m.churned, m.periods
    (0.344, 6, 3, 3)
    """
    dur = np.asarray(durations, dtype=float).ravel()
    obs = np.asarray(observed).ravel().astype(bool)
    if len(dur) != len(obs):
        raise ValueError(f"durations and observed must have the same length; got {len(dur)} and {len(obs)}")
    if np.isnan(dur).any() or (dur < 0).any() or np.any(dur % 1 != 0):
        raise ValueError("durations must be whole numbers of periods >= 0")
    if (dur[obs] < 1).any():
        raise ValueError("a churned customer's duration is the period of the churn: 1 or more")
    horizon = int(dur.max()) if len(dur) else 0
    d = np.bincount(dur[obs].astype(int), minlength=horizon + 1)[1:].astype(float)
    c = np.bincount(dur[~obs].astype(int), minlength=horizon + 1).astype(float)
    return _fit(d, c, level)
