"""Rates (shares of rows) and their statistics, in one place: the share with its interval, and the tools
for comparing many small groups.

* :func:`rate_stats` — step 2 of every rate: ``100 · successes / n`` with the Wilson interval (or
  another method of :func:`csa.stats.proportion_interval`), and, when the counts carry ``total``
  and ``total_sq``, the mean score with its Student-t interval. One result schema for every
  share of the handbook (FCR, CSAT, CES, GCR, SLA, churn by group, response rates);
* :func:`funnel_limits` — a funnel plot's control limits around an overall rate;
* :func:`fit_beta_prior` and :func:`shrink` — beta-binomial empirical Bayes: each small group's
  rate pulled towards the overall rate before anyone ranks groups.

Everything works on counts (``n``, successes), so any engine's aggregation feeds it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize as _opt
from scipy import special as _sp
from scipy import stats as _st

from .. import stats as S

__all__ = ["BetaPrior", "fit_beta_prior", "funnel_limits", "rate_stats", "shrink"]


def _need(df: pd.DataFrame, cols, what: str = "column") -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise KeyError(f"{what}(s) {missing} not found; the columns are: {', '.join(map(str, df.columns))}")


def rate_stats(counts: pd.DataFrame, *, successes: str = "successes", value: str = "value", n: str = "n",
               level: float = 0.95, method: str = "wilson", min_n: int = 30,
               bounds: tuple[float, float] | None = None) -> pd.DataFrame:
    """Step 2 of every rate: the share in percent with its interval, and the mean with its t interval.

    Parameters
    ----------
    counts : DataFrame
        A counts table with ``n`` and ``successes`` (plus ``total`` and ``total_sq`` for the
        mean; any other columns are kept), from any engine.
    successes : str, default "successes"
        Column of successes (``"satisfied"``, ``"easy"``, ``"completed"``, …).
    value : str, default "value"
        Name of the output column holding the share in percent (``"csat"``, ``"ces"``, ``"gcr"``).
    n : str, default "n"
        Column of trials.
    level : float, default 0.95
        Confidence level of the intervals.
    method : str, default "wilson"
        Interval method of :func:`csa.stats.proportion_interval`.
    min_n : int, default 30
        Rows with fewer observations are flagged ``small_n``.
    bounds : (float, float), optional
        The scale's lowest and highest score (e.g. ``(1, 5)``): the mean's interval is clipped
        to them, since no mean of such scores can lie outside.

    Returns
    -------
    DataFrame
        The input columns plus ``value`` (``100·successes/n``), ``low``, ``high`` (percent), then,
        when the sums are present, ``mean``, ``sd`` (ddof=1), ``mean_low``, ``mean_high``
        (Student-t interval, clipped to ``bounds``), and ``small_n``. A row with ``n == 0`` gets
        missing values, never an interval.

    Notes
    -----
    Share: :func:`csa.stats.proportion_interval` (Wilson 1927 by default). Mean and sd from
    ``n``, ``Σx`` and ``Σx²``: :func:`csa.stats.mean_from_sums`; interval:
    :func:`csa.stats.mean_interval`. The t interval treats 1..k scores as numbers; with hundreds
    of answers it is accurate, with a handful it is rough (the scores are bounded and discrete).

    Examples
    --------
    >>> rate_stats(pd.DataFrame({"n": [8, 0], "successes": [5, 0]}))[["value", "low", "high"]].round(1)
       value   low  high
    0   62.5  30.6  86.3
    1    NaN   NaN   NaN
    >>> c = pd.DataFrame({"n": [8], "satisfied": [5], "total": [30.0], "total_sq": [124.0]})
    >>> rate_stats(c, successes="satisfied", value="csat")[["csat", "low", "high", "mean", "mean_low"]].round(2)
       csat    low   high  mean  mean_low
    0  62.5  30.57  86.32  3.75      2.68
    """
    _need(counts, [n, successes], "counts column")
    S.z_value(level)  # a clear error for a bad level
    out = counts.copy()
    N = out[n].to_numpy(dtype=float)
    X = out[successes].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[value] = np.where(N > 0, 100 * X / N, np.nan)
    iv = S.proportion_interval(X, N, level=level, method=method)
    out["low"], out["high"] = np.asarray(iv.low, float), np.asarray(iv.high, float)
    if {"total", "total_sq"} <= set(out.columns):
        m = S.mean_from_sums(N, out["total"].to_numpy(float), out["total_sq"].to_numpy(float))
        out["mean"], out["sd"] = np.asarray(m.mean, float), np.asarray(m.sd, float)
        mi = S.mean_interval(np.nan_to_num(out["mean"].to_numpy(float)), np.nan_to_num(out["sd"].to_numpy(float)),
                             N, level=level)
        lo, hi = np.asarray(mi.low, float), np.asarray(mi.high, float)
        if bounds is not None:
            lo, hi = np.clip(lo, *bounds), np.clip(hi, *bounds)
        out["mean_low"], out["mean_high"] = lo, hi
    out["small_n"] = S.small_n(N, min_n)
    return out



def funnel_limits(centre: float, n, *, level: float = 0.95, method: str = "exact") -> S.Interval:
    """Control limits of a funnel plot: the rates (%) chance alone gives a group of ``n`` around ``centre``.

    Parameters
    ----------
    centre : float
        The target or overall rate, in percent (0–100).
    n : int or array-like of int
        Group sizes; ``0`` or missing gives NaN.
    level : float, default 0.95
        Share of groups expected inside the limits when every group's true rate is ``centre``
        (0.95 and 0.998 are the usual two funnels: roughly 2 and 3 standard errors).
    method : {"exact", "normal"}, default "exact"
        ``"exact"``: binomial quantiles with Spiegelhalter's interpolation (right at small n);
        ``"normal"``: ``centre ± z·√(p(1−p)/n)``, clipped to 0–100.

    Returns
    -------
    Interval
        ``(low, high)`` in percent: floats for a scalar ``n``, arrays otherwise.

    Notes
    -----
    Spiegelhalter (2005), "Funnel plots for comparing institutional performance", *Statistics in
    Medicine* 24, 1185–1202, appendix A.1.1: for ``R ~ Binomial(n, p0)`` and the tail probability
    ``q = (1 − level)/2``, let ``r`` be the smallest count with ``P(R ≤ r) ≥ q`` and
    ``α = (P(R ≤ r) − q) / P(R = r)``; the lower limit is ``(r − α)/n``. The upper limit is the
    same rule applied to the failures (``n − R ~ Binomial(n, 1 − p0)``), so the limits mirror each
    other around 50 %. Then a rate lies below the lower limit exactly when the exact one-sided
    tail ``P(R ≤ x)`` is below ``q`` (and above the upper limit when ``P(R ≥ x) < q``). A group
    outside the 99.8 % limits is unusual enough to look into; inside the 95 % limits it cannot
    be told from the centre.

    Examples
    --------
    >>> [round(v, 2) for v in funnel_limits(50, 10)]
    [13.24, 86.76]
    >>> low, high = funnel_limits(50, [10, 1000], method="normal")
    >>> low.round(2), high.round(2)
    (array([19.01, 46.9 ]), array([80.99, 53.1 ]))
    """
    S.z_value(level)  # a clear error for a level outside 0–1
    if method not in ("exact", "normal"):
        raise ValueError(f"method must be 'exact' or 'normal'; got {method!r}")
    if not isinstance(centre, (int, float, np.integer, np.floating)) or not 0 <= centre <= 100:
        raise ValueError(f"centre is a rate in percent (0–100); got {centre!r}")
    scalar = np.ndim(n) == 0
    N = np.atleast_1d(np.asarray(pd.Series(np.atleast_1d(n)).to_numpy(dtype=float, na_value=np.nan), float))
    ok = N > 0
    Nn = np.where(ok, N, 1.0)
    q = (1 - level) / 2

    def lower(p0: float) -> np.ndarray:
        if method == "normal":
            return np.clip(p0 - S.z_value(level) * np.sqrt(p0 * (1 - p0) / Nn), 0, 1)
        r = _st.binom.ppf(q, Nn, p0)
        pmf = _st.binom.pmf(r, Nn, p0)
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = np.where(pmf > 0, (_st.binom.cdf(r, Nn, p0) - q) / pmf, 0.0)
        return np.clip((r - alpha) / Nn, 0, 1)

    lims = [np.where(ok, 100 * lower(centre / 100), np.nan),
            np.where(ok, 100 * (1 - lower(1 - centre / 100)), np.nan)]
    low, high = lims
    return S.Interval(float(low[0]) if scalar else low, float(high[0]) if scalar else high)


@dataclass(frozen=True)
class BetaPrior:
    """The beta distribution of the true rates of the groups, fitted to their counts.

    Attributes
    ----------
    alpha, beta : float
        Parameters of the Beta(α, β) prior (``inf`` when the groups show no variation beyond
        chance: every estimate is then pulled all the way to ``mean``).
    mean : float
        Prior mean ``α/(α+β)``, in percent.
    concentration : float
        ``α + β``: the prior is worth this many answers. A group of ``n`` answers keeps
        ``n/(n + α + β)`` of its own rate and takes the rest from ``mean``.
    method : str
        ``"ml"`` (maximum likelihood) or ``"moments"``.
    groups : int
        Number of groups with at least one observation.
    """

    alpha: float
    beta: float
    mean: float
    concentration: float
    method: str
    groups: int

    @property
    def sd(self) -> float:
        """Standard deviation of the true rates between groups, in percentage points."""
        m, c = self.mean / 100, self.concentration
        return 0.0 if not np.isfinite(c) else 100 * math.sqrt(m * (1 - m) / (c + 1))

    def __str__(self) -> str:
        if not np.isfinite(self.concentration):
            return (f"Beta prior ({self.method}, {self.groups} groups): no variation between groups beyond chance; "
                    f"every estimate is the overall {self.mean:.1f} %")
        return (f"Beta({self.alpha:.2f}, {self.beta:.2f}) prior ({self.method}, {self.groups} groups): mean "
                f"{self.mean:.1f} %, worth {self.concentration:.1f} answers; true rates vary by about "
                f"{self.sd:.1f} points between groups")


_MAX_CONCENTRATION = 1e7  # beyond this the prior is a point mass for any real group size


def _bb_loglik(x: np.ndarray, n: np.ndarray, a: float, b: float) -> float:
    """Beta-binomial log-likelihood without the binomial coefficients (constant in a, b)."""
    return float(np.sum(_sp.betaln(x + a, n - x + b) - _sp.betaln(a, b)))


def fit_beta_prior(successes, n, *, method: str = "ml") -> BetaPrior:
    """Fit the Beta prior of a beta-binomial empirical-Bayes model to the counts of many groups.

    Parameters
    ----------
    successes, n : array-like of int
        Successes and trials of each group (e.g. satisfied answers and answers per agent).
        Groups with ``n == 0`` are left out.
    method : {"ml", "moments"}, default "ml"
        ``"ml"``: maximum likelihood of the beta-binomial, numerically (scipy), started from the
        moments estimate. ``"moments"``: the method-of-moments estimate (closed form).

    Returns
    -------
    BetaPrior
        ``alpha``, ``beta``, ``mean`` (%), ``concentration`` (α + β), ``method``, ``groups``.

    Raises
    ------
    ValueError
        Fewer than two groups with data, or invalid counts.

    Notes
    -----
    Model: group ``i`` has a true rate ``θ_i ~ Beta(α, β)`` and ``x_i ~ Binomial(n_i, θ_i)``, so
    ``x_i`` is beta-binomial. With ``N = Σn_i``, ``μ̂ = Σx_i/N`` and ``k`` groups, the moments
    estimate uses the dispersion ``D = Σ n_i (x_i/n_i − μ̂)²``, whose expectation is
    ``μ(1−μ)·[(k − 1) + ρ·(N − Σn_i²/N − (k − 1))]`` with the intra-group correlation
    ``ρ = 1/(α + β + 1)``; solving for ``ρ`` gives ``α + β = 1/ρ − 1``, ``α = μ̂(α + β)``
    (the analysis-of-variance estimator of ρ; Kleinman 1973, *JASA* 68, 46–54; Fleiss, Levin &
    Paik 2003, ch. 15). When ``ρ ≤ 0`` the groups vary no more than chance allows and the prior
    is a point mass at ``μ̂`` (``concentration = inf``). Maximum likelihood maximises
    ``Σ log B(x_i + α, n_i − x_i + β) − log B(α, β)`` over ``(logit μ, log(α + β))``; an optimum
    at ``α + β ≥ 10⁷`` is reported as a point mass too. Empirical Bayes: Efron & Morris (1975),
    *JASA* 70, 311–319; Efron (2010), *Large-Scale Inference*, ch. 1.

    Examples
    --------
    >>> p = fit_beta_prior([8, 15, 30, 12, 20], [20, 25, 40, 30, 25], method="moments")
    >>> round(p.mean, 2), round(p.concentration, 1)
    (60.71, 7.6)
    >>> print(fit_beta_prior([5, 5, 5], [10, 10, 10]))
    Beta prior (ml, 3 groups): no variation between groups beyond chance; every estimate is the overall 50.0 %
    """
    if method not in ("ml", "moments"):
        raise ValueError(f"method must be 'ml' (maximum likelihood) or 'moments'; got {method!r}")
    x = np.asarray(pd.Series(np.atleast_1d(successes)).to_numpy(dtype=float, na_value=np.nan), float)
    m = np.asarray(pd.Series(np.atleast_1d(n)).to_numpy(dtype=float, na_value=np.nan), float)
    S.proportion_interval(np.nan_to_num(x), np.nan_to_num(m))  # validates the counts (whole, x <= n)
    keep = (m > 0) & ~np.isnan(x)
    x, m = x[keep], m[keep]
    k = len(m)
    if k < 2:
        raise ValueError(f"a prior needs at least two groups with data (the rates of several groups); got {k}")
    N = float(m.sum())
    mu = float(x.sum() / N)
    inf = float("inf")
    if mu in (0.0, 1.0):  # every group at 0 % or 100 %: nothing varies
        return BetaPrior(inf, inf, 100 * mu, inf, method, k)
    disp = float(np.sum(m * (x / m - mu) ** 2))
    denom = N - np.sum(m**2) / N - (k - 1)
    rho = (disp / (mu * (1 - mu)) - (k - 1)) / denom if denom > 0 else 0.0
    # rho <= 0: no variation beyond chance (a point mass); rho >= 1: groups are all-or-nothing
    conc_mom = inf if rho <= 0 else max(1 / rho - 1, 1e-3)
    if method == "moments":
        if not np.isfinite(conc_mom):
            return BetaPrior(inf, inf, 100 * mu, inf, method, k)
        return BetaPrior(float(mu * conc_mom), float((1 - mu) * conc_mom), float(100 * mu), float(conc_mom), method, k)

    def nll(theta):
        mean, conc = _sp.expit(theta[0]), math.exp(theta[1])
        return -_bb_loglik(x, m, mean * conc, (1 - mean) * conc)

    hi = math.log(_MAX_CONCENTRATION)
    start_c = min(max(conc_mom if np.isfinite(conc_mom) else _MAX_CONCENTRATION / 10, 0.1), _MAX_CONCENTRATION / 10)
    res = _opt.minimize(nll, x0=[_sp.logit(mu), math.log(start_c)], method="L-BFGS-B",
                        bounds=[(-30, 30), (math.log(1e-3), hi)])
    mean, logc = float(_sp.expit(res.x[0])), float(res.x[1])
    # the likelihood keeps rising towards a point mass: compare with the limit (binomial, pooled rate)
    point = -_bb_loglik(x, m, mu * _MAX_CONCENTRATION * 10, (1 - mu) * _MAX_CONCENTRATION * 10)
    if logc >= hi - 1e-6 or point <= res.fun + 1e-9:
        return BetaPrior(inf, inf, 100 * mu, inf, method, k)
    conc = math.exp(logc)
    return BetaPrior(float(mean * conc), float((1 - mean) * conc), float(100 * mean), float(conc), method, k)


def shrink(counts: pd.DataFrame, prior: BetaPrior, *, successes: str = "successes", n: str = "n",
           level: float = 0.95) -> pd.DataFrame:
    """Empirical-Bayes (shrunken) rate of each group, with its raw rate for comparison.

    Parameters
    ----------
    counts : DataFrame
        One row per group with ``n`` and ``successes`` (other columns are kept).
    prior : BetaPrior
        From :func:`fit_beta_prior` on the same groups.
    successes, n : str
        Column names.
    level : float, default 0.95
        Level of the raw (Wilson) and the posterior (equal-tailed) intervals.

    Returns
    -------
    DataFrame
        The input columns plus ``raw`` (``100·successes/n``), ``raw_low``, ``raw_high`` (Wilson),
        ``shrunk`` (posterior mean, %), ``shrunk_low``, ``shrunk_high`` (posterior interval, %),
        ``weight`` (share of the group's own data in ``shrunk``: ``n/(n + α + β)``),
        ``rank_raw`` and ``rank_shrunk`` (1 = highest; ties share the best rank).

    Notes
    -----
    Posterior of group ``i``: ``Beta(α + x_i, β + n_i − x_i)``; its mean
    ``(x_i + α)/(n_i + α + β) = w_i·x_i/n_i + (1 − w_i)·μ`` with ``w_i = n_i/(n_i + α + β)``: a
    weighted average of the group's own rate and the prior mean. The interval is the posterior's
    ``(1 ± level)/2`` quantiles. It treats ``α`` and ``β`` as known, so it is a little too narrow
    when there are few groups (the "naive" empirical-Bayes interval; Carlin & Louis 2009,
    *Bayesian Methods for Data Analysis*, §5.4). With a point-mass prior every group gets the
    prior mean and a zero-width interval.

    Examples
    --------
    >>> c = pd.DataFrame({"agent": ["a", "b", "new"], "n": [40, 40, 3], "successes": [30, 18, 3]})
    >>> p = BetaPrior(12.0, 8.0, 60.0, 20.0, "moments", 3)
    >>> shrink(c, p)[["agent", "raw", "shrunk", "weight", "rank_raw", "rank_shrunk"]].round(1)
      agent    raw  shrunk  weight  rank_raw  rank_shrunk
    0     a   75.0    70.0     0.7         2            1
    1     b   45.0    50.0     0.7         3            3
    2   new  100.0    65.2     0.1         1            2
    """
    _need(counts, [n, successes], "counts column")
    out = counts.copy()
    N = out[n].to_numpy(dtype=float)
    X = out[successes].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["raw"] = np.where(N > 0, 100 * X / N, np.nan)
    iv = S.proportion_interval(X, N, level=level)
    out["raw_low"], out["raw_high"] = np.asarray(iv.low, float), np.asarray(iv.high, float)
    if not np.isfinite(prior.concentration):
        mu = prior.mean
        out["shrunk"] = out["shrunk_low"] = out["shrunk_high"] = np.where(N >= 0, mu, np.nan)
        out["weight"] = 0.0
    else:
        a, b = prior.alpha + X, prior.beta + N - X
        out["shrunk"] = 100 * a / (a + b)
        out["shrunk_low"] = 100 * _st.beta.ppf((1 - level) / 2, a, b)
        out["shrunk_high"] = 100 * _st.beta.ppf((1 + level) / 2, a, b)
        out["weight"] = N / (N + prior.concentration)
    for col, of in (("rank_raw", "raw"), ("rank_shrunk", "shrunk")):
        rank = out[of].rank(ascending=False, method="min")
        out[col] = rank.astype("int64") if rank.notna().all() else rank
    return out
