"""Shared statistics for every KPI: intervals, comparisons and sample sizes computed from counts and sums.

Every metric of the handbook (NPS, CSAT, CES, GCR, FCR, churn, …) is first aggregated into a small
table of **counts** (successes and trials, promoters and detractors) or **sums** (``n``, ``Σx``,
``Σx²``) per group, on any engine; the functions here turn such a table into estimates with
honest intervals, tests and sample sizes. They never see raw rows.

Conventions
-----------
* **Vectorised.** Every argument may be a scalar, a numpy array or a pandas Series (of equal
  lengths; scalars are broadcast). Scalars in give plain Python floats out; arrays in give numpy
  arrays of the same shape out (positional, without the Series' index).
* **Percent out.** Proportions are computed on 0–1, but every *returned* estimate or interval of
  a proportion or an NPS is in percent (NPS points), as the handbook reports them.
* **Missing is missing.** A group with ``n == 0`` (or a missing ``n``) gets NaN, never an
  exception and never a made-up interval.
* ``level`` is the confidence level (e.g. ``0.95``); tests are two-sided at ``1 − level``.
* Invalid inputs (negative or fractional counts, more successes than trials, a level outside
  0–1, an unknown method) raise :class:`ValueError` saying what was given and what is expected.

Each function is pinned in ``tests/test_stats.py`` to an independent implementation
(statsmodels, scipy) or to a published value.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = [
    "DIFF_PROPORTION_METHODS", "NPS_METHODS", "PROPORTION_METHODS", "Difference", "Estimate", "Interval",
    "IntervalResult", "MeanSD", "NPSInterval", "PairedDifference", "bootstrap_mean_interval", "diff_means", "diff_nps",
    "diff_proportions", "mean_from_sums", "mean_interval", "nps_interval", "nps_variance", "paired_change",
    "power_proportions", "proportion", "proportion_interval", "sample_size_means", "sample_size_nps",
    "sample_size_proportions", "small_n", "z_value",
]

PROPORTION_METHODS = ("wilson", "agresti-coull", "wald", "clopper-pearson")
NPS_METHODS = ("adjusted-wald", "wald")
DIFF_PROPORTION_METHODS = ("newcombe", "agresti-caffo", "wald")

_METHOD_NAMES = {
    "wilson": "Wilson", "agresti-coull": "Agresti-Coull", "wald": "Wald",
    "clopper-pearson": "Clopper-Pearson",
    "adjusted-wald": "adjusted Wald", "newcombe": "Newcombe", "agresti-caffo": "Agresti-Caffo",
    "welch": "Welch", "paired-t": "paired t",
}


# ----------------------------------------------------------------------------------- input helpers

def _show(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _fmt(v: float) -> str:
    return f"{v:g}" if np.isfinite(v) else str(v)


def _float(name: str, x: Any) -> np.ndarray:
    """``x`` as a float array (NaN for missing values); ValueError if it is not numeric."""
    try:
        if isinstance(x, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
            return pd.Series(x).to_numpy(dtype=float, na_value=np.nan)
        if isinstance(x, (str, bytes)):
            raise TypeError
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers; got {_show(x)}") from None


def _where(a: np.ndarray, bad: np.ndarray) -> str:
    """The first offending values of ``a`` (and their positions for arrays), for error messages."""
    if a.ndim == 0:
        return _fmt(float(a))
    pos = np.flatnonzero(bad.ravel())
    vals = ", ".join(_fmt(float(v)) for v in a.ravel()[pos[:3]])
    more = f" (and {len(pos) - 3} more)" if len(pos) > 3 else ""
    return f"{vals} at position {', '.join(map(str, pos[:3]))}{more}"


def _checked(name: str, x: Any, is_bad, expected: str) -> np.ndarray:
    """``x`` as a float array; a ValueError "``name`` ``expected``" naming the values where ``is_bad(array)`` holds."""
    a = _float(name, x)
    with np.errstate(invalid="ignore"):
        bad = is_bad(a)
    if bad.any():
        raise ValueError(f"{name} {expected}; got {_where(a, bad)}")
    return a


def _counts(name: str, x: Any) -> np.ndarray:
    """Counts: whole numbers ≥ 0; NaN (missing) allowed."""
    return _checked(name, x, lambda a: ~np.isnan(a) & (np.isinf(a) | (a < 0) | (np.mod(a, 1) != 0)),
                    "must be counts, whole numbers >= 0 (missing values give NaN)")


def _nonneg(name: str, x: Any) -> np.ndarray:
    """Finite numbers ≥ 0; NaN (missing) allowed."""
    return _checked(name, x, lambda a: ~np.isnan(a) & (np.isinf(a) | (a < 0)),
                    "must be a finite number >= 0 (missing values give NaN)")


def _finite(name: str, x: Any) -> np.ndarray:
    """Finite numbers; NaN (missing) allowed."""
    return _checked(name, x, np.isinf, "must be finite (missing values give NaN)")


def _at_most(xname: str, x: np.ndarray, nname: str, n: np.ndarray) -> None:
    with np.errstate(invalid="ignore"):
        bad = x > n
    if bad.any():
        xs, ns = np.broadcast_arrays(x, n)
        pos = np.flatnonzero(bad.ravel())[0]
        where = "" if bad.ndim == 0 else f" at position {pos}"
        raise ValueError(f"{xname} cannot exceed {nname}; got {xname} = {_fmt(float(xs.ravel()[pos]))} "
                         f"with {nname} = {_fmt(float(ns.ravel()[pos]))}{where}")


def _broadcast(**arrays: np.ndarray) -> tuple[bool, list[np.ndarray]]:
    """(all inputs were scalars, the arrays broadcast to one shape)."""
    scalar = all(a.ndim == 0 for a in arrays.values())
    try:
        out = np.broadcast_arrays(*arrays.values())
    except ValueError:
        shapes = ", ".join(f"{k} {a.shape}" for k, a in arrays.items())
        raise ValueError("the inputs must be scalars or arrays of the same length; "
                         f"got shapes {shapes}") from None
    return scalar, [np.array(a, dtype=float) for a in out]


def _out(a: Any, scalar: bool):
    a = np.asarray(a, dtype=float)
    return float(a) if scalar else a


def _probability(name: str, value: Any, example: str) -> float:
    is_number = isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(value, bool)
    if not (is_number and 0 < float(value) < 1):
        raise ValueError(f"{name} must be a number strictly between 0 and 1 (e.g. {example}); "
                         f"got {_show(value)}")
    return float(value)


def _level(level: Any) -> float:
    return _probability("level", level, "0.95 for a 95 % interval")


def _method(method: Any, choices: tuple[str, ...]) -> str:
    if method not in choices:
        raise ValueError(f"method must be one of {', '.join(map(repr, choices))}; got {_show(method)}")
    return method


def _pct_level(level: float) -> str:
    return f"{level * 100:g}%"


# ----------------------------------------------------------------------------------- one proportion

def z_value(level: float = 0.95) -> float:
    """Two-sided critical value of the standard normal distribution.

    Parameters
    ----------
    level : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    float
        ``z`` such that ``P(−z < Z < z) = level`` for a standard normal ``Z``.

    Notes
    -----
    ``z = Φ⁻¹(0.5 + level/2)``, where ``Φ⁻¹`` is the normal quantile function
    (e.g. Agresti 2013, *Categorical Data Analysis*, 3rd ed., §1.3).

    Examples
    --------
    >>> round(z_value(0.95), 4), round(z_value(0.9), 4)
    (1.96, 1.6449)
    """
    return float(_st.norm.ppf(0.5 + _level(level) / 2))


class Interval(NamedTuple):
    """Lower and upper limit of an interval (a tuple ``(low, high)``)."""

    low: Any
    high: Any


def _proportion_limits(x: np.ndarray, n: np.ndarray, level: float,
                       method: str) -> tuple[np.ndarray, np.ndarray]:
    """Interval for x/n on the 0–1 scale (NaN where n is 0 or missing)."""
    z = z_value(level)
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        if method == "wilson":
            denom = 1 + z2 / n
            centre = (p + z2 / (2 * n)) / denom
            half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n**2)) / denom
            low, high = centre - half, centre + half
        elif method == "agresti-coull":
            n_ = n + z2
            p_ = (x + z2 / 2) / n_
            half = z * np.sqrt(p_ * (1 - p_) / n_)
            low, high = p_ - half, p_ + half
        elif method == "wald":
            half = z * np.sqrt(p * (1 - p) / n)
            low, high = p - half, p + half
        else:  # clopper-pearson
            tail = (1 - level) / 2
            low = np.where(x > 0, _st.beta.ppf(tail, np.maximum(x, 1), n - x + 1), 0.0)
            high = np.where(x < n, _st.beta.isf(tail, x + 1, np.maximum(n - x, 1)), 1.0)
        if method == "wilson":  # exact limits at the ends (the formula leaves rounding residues there)
            low, high = np.where(x == 0, 0.0, low), np.where(x == n, 1.0, high)
        missing = ~(n > 0) | np.isnan(x)
        low = np.where(missing, np.nan, np.clip(low, 0, 1))
        high = np.where(missing, np.nan, np.clip(high, 0, 1))
    return low, high


def proportion_interval(successes, n, *, level: float = 0.95, method: str = "wilson") -> Interval:
    """Confidence interval of a proportion ``successes / n``, in percent.

    Parameters
    ----------
    successes : int or array-like of int
        Number of successes (e.g. satisfied customers, tickets solved on first contact).
    n : int or array-like of int
        Number of trials; ``0`` or missing gives NaN.
    level : float, default 0.95
        Confidence level.
    method : {"wilson", "agresti-coull", "wald", "clopper-pearson"}, default "wilson"
        ``"wilson"`` score interval (recommended); ``"agresti-coull"`` (the "adjusted Wald":
        add z²/2 successes and z²/2 failures); ``"wald"`` (textbook p ± z·se, poor for small n
        or p near 0 or 1; shown for teaching); ``"clopper-pearson"`` (exact, conservative).

    Returns
    -------
    Interval
        ``(low, high)`` in percent (0–100): floats for scalar input, arrays otherwise.

    Raises
    ------
    ValueError
        If counts are negative or fractional, ``successes > n``, or level/method is invalid.

    Notes
    -----
    With ``p = x/n`` and ``z = z_value(level)``:

    * Wilson: ``(p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)``;
    * Agresti-Coull: ``ñ = n + z²``, ``p̃ = (x + z²/2)/ñ``, ``p̃ ± z·√(p̃(1−p̃)/ñ)``;
    * Wald: ``p ± z·√(p(1−p)/n)``;
    * Clopper-Pearson: ``Beta⁻¹(α/2; x, n−x+1)`` to ``Beta⁻¹(1−α/2; x+1, n−x)`` with
      ``α = 1 − level`` (0 when x = 0, 1 when x = n).

    The normal-based limits are clipped to 0–100 %. The results equal
    ``statsmodels.stats.proportion.proportion_confint`` (methods ``wilson``, ``agresti_coull``,
    ``normal``, ``beta``). References: Wilson (1927), JASA 22, 209–212; Agresti & Coull (1998),
    The American Statistician 52, 119–126; Clopper & Pearson (1934), Biometrika 26, 404–413;
    Brown, Cai & DasGupta (2001), Statistical Science 16, 101–133 (comparison).

    Examples
    --------
    >>> [round(v, 1) for v in proportion_interval(5, 8)]
    [30.6, 86.3]
    >>> low, high = proportion_interval([0, 5, 0], [8, 8, 0], method="clopper-pearson")
    >>> low.round(1), high.round(1)
    (array([ 0. , 24.5,  nan]), array([36.9, 91.5,  nan]))
    """
    level, method = _level(level), _method(method, PROPORTION_METHODS)
    x, n_ = _counts("successes", successes), _counts("n", n)
    scalar, (x, n_) = _broadcast(successes=x, n=n_)
    _at_most("successes", x, "n", n_)
    low, high = _proportion_limits(x, n_, level, method)
    return Interval(_out(100 * low, scalar), _out(100 * high, scalar))


@dataclass(frozen=True)
class IntervalResult:
    """The one result shape: an estimate, its interval and the observations behind it.

    Every result of one group starts with these fields, in this order, and adds its counts and
    settings after them: :class:`Estimate` here, and the metric modules' ``RateResult``,
    ``NPSResult``, ``CSATResult``, ``CESResult``, ``GCRResult`` and ``CustomerChurn``.

    Attributes
    ----------
    value : float
        The estimate (NaN when there is none).
    low, high : float
        Its interval (NaN when there is none).
    n : int
        Observations behind it.
    """

    value: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class Estimate(IntervalResult):
    """A proportion in percent with its confidence interval.

    Attributes
    ----------
    value : float
        Point estimate ``100 · successes / n`` (NaN when ``n`` is 0 or missing).
    low, high : float
        Interval limits in percent.
    n : int
        Number of trials (0 when it was missing).
    level : float
        Confidence level.
    method : str
        Interval method (see :func:`proportion_interval`).
    """

    level: float = 0.95
    method: str = "wilson"

    def __str__(self) -> str:
        if not self.n or not np.isfinite(self.value):
            return f"no estimate (n = {self.n})"
        name = _METHOD_NAMES.get(self.method, self.method)
        return (f"{self.value:.1f} % ({_pct_level(self.level)} interval {self.low:.1f} to {self.high:.1f}, "
                f"{name}; n = {self.n:,})")


def proportion(successes, n, *, level: float = 0.95, method: str = "wilson") -> Estimate:
    """One proportion in percent with its interval (scalar convenience around :func:`proportion_interval`).

    Parameters
    ----------
    successes, n : int
        One count of successes out of ``n`` trials (scalars; ``n = 0`` gives NaN value and interval).
    level, method
        As in :func:`proportion_interval`.

    Returns
    -------
    Estimate
        ``value`` (``100·successes/n``), ``low``, ``high``, ``n``, ``level``, ``method``.

    Notes
    -----
    See :func:`proportion_interval` for the formulas and references. For many groups at once use
    :func:`proportion_interval`, which is vectorised.

    Examples
    --------
    >>> print(proportion(5, 8))
    62.5 % (95% interval 30.6 to 86.3, Wilson; n = 8)
    >>> print(proportion(0, 0))
    no estimate (n = 0)
    """
    if np.ndim(successes) or np.ndim(n):
        raise ValueError("proportion() takes one count and one n (scalars); "
                         "use proportion_interval() for arrays; "
                         f"got successes={_show(successes)}, n={_show(n)}")
    low, high = proportion_interval(successes, n, level=level, method=method)
    x, m = float(successes), float(n)
    value = 100 * x / m if m > 0 else float("nan")
    return Estimate(value, low, high, int(m) if np.isfinite(m) else 0, level, method)


# ----------------------------------------------------------------------------------- NPS

class NPSInterval(NamedTuple):
    """NPS interval pieces, all in NPS points (−100…100)."""

    centre: Any
    se: Any
    low: Any
    high: Any


def nps_variance(promoters, detractors):
    """Variance of one response scored +1 (promoter), 0 (passive) or −1 (detractor).

    Parameters
    ----------
    promoters, detractors : float or array-like
        Shares of promoters and detractors as proportions (0–1, summing to at most 1).

    Returns
    -------
    float or ndarray
        ``p + d − (p − d)²`` (on the ±1 scale, not ×100).

    Notes
    -----
    ``E[X] = p − d`` and ``E[X²] = p + d``, so ``Var X = p + d − (p − d)²``
    (Rocks 2016, The American Statistician 70(4), 365–372). Tiny negative values from rounding
    are clipped to 0.

    Examples
    --------
    >>> round(nps_variance(0.3, 0.3), 3), round(nps_variance(0.5, 0.2), 3)
    (0.6, 0.61)
    """
    p, d = _nonneg("promoters", promoters), _nonneg("detractors", detractors)
    scalar, (p, d) = _broadcast(promoters=p, detractors=d)
    with np.errstate(invalid="ignore"):
        bad = (p > 1) | (d > 1) | (p + d > 1 + 1e-12)
    if bad.any():
        raise ValueError("promoters and detractors are shares between 0 and 1 that sum to at most 1; "
                         f"got promoters = {_where(p, bad)} and detractors = {_where(d, bad)}")
    return _out(np.maximum(p + d - (p - d) ** 2, 0.0), scalar)


def _nps_parts(P: np.ndarray, D: np.ndarray, n: np.ndarray, method: str):
    """(centre, variance of one response, effective n) on the ±1 scale (Rocks 2016)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "adjusted-wald":
            n_eff = n + 3.0
            p, d = (P + 0.75) / n_eff, (D + 0.75) / n_eff
        else:
            n_eff = n
            p, d = P / n, D / n
        return p - d, np.maximum(p + d - (p - d) ** 2, 0.0), n_eff


def _nps_counts(P, D, n, suffix: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    P = _counts("promoters" + suffix, P)
    D = _counts("detractors" + suffix, D)
    n = _counts("n" + suffix, n)
    return P, D, n


def _check_nps_counts(P: np.ndarray, D: np.ndarray, n: np.ndarray, suffix: str = "") -> None:
    _at_most(f"promoters{suffix} + detractors{suffix}", P + D, "n" + suffix, n)


def nps_interval(promoters, detractors, n, *, level: float = 0.95,
                 method: str = "adjusted-wald") -> NPSInterval:
    """Confidence interval of the Net Promoter Score from counts, in NPS points.

    Parameters
    ----------
    promoters, detractors : int or array-like of int
        Number of promoters (9–10) and detractors (0–6).
    n : int or array-like of int
        Number of valid responses (promoters + passives + detractors); ``0`` gives NaN.
    level : float, default 0.95
        Confidence level.
    method : {"adjusted-wald", "wald"}, default "adjusted-wald"
        ``"adjusted-wald"`` (Rocks 2016, recommended) or the plain ``"wald"``.

    Returns
    -------
    NPSInterval
        ``centre`` (the adjusted NPS for "adjusted-wald", the plain NPS for "wald"), ``se``
        (standard error), ``low`` and ``high`` (clipped to −100…100), all in NPS points.

    Notes
    -----
    Adjusted Wald (Rocks 2016, "Interval estimation for the 'net promoter score'", The American
    Statistician 70(4), 365–372): add 3 to n and ¾ to the promoter and the detractor counts::

        p = (P + ¾)/(n + 3),  d = (D + ¾)/(n + 3),  centre = p − d,
        var = p + d − (p − d)²,  se = √(var/(n + 3)),  interval = centre ± z·se.

    ``"wald"`` uses ``p = P/n``, ``d = D/n`` and ``se = √(var/n)``: this is the mean of the
    responses scored +1/0/−1 ± z times their standard deviation (ddof=0) over √n.

    Examples
    --------
    >>> iv = nps_interval(5, 2, 10)
    >>> round(iv.centre, 1), round(iv.low, 1), round(iv.high, 1)
    (23.1, -19.1, 65.2)
    >>> nps_interval([5, 0], [2, 0], [10, 0], method="wald").low.round(1)
    array([-18.4,   nan])
    """
    level, method = _level(level), _method(method, NPS_METHODS)
    P, D, n_ = _nps_counts(promoters, detractors, n)
    scalar, (P, D, n_) = _broadcast(promoters=P, detractors=D, n=n_)
    _check_nps_counts(P, D, n_)
    z = z_value(level)
    centre, var, n_eff = _nps_parts(P, D, n_, method)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(var / n_eff)
        has = (n_ > 0) & ~np.isnan(P) & ~np.isnan(D)
        out = NPSInterval(np.where(has, 100 * centre, np.nan), np.where(has, 100 * se, np.nan),
                          np.where(has, np.clip(100 * (centre - z * se), -100, 100), np.nan),
                          np.where(has, np.clip(100 * (centre + z * se), -100, 100), np.nan))
    return NPSInterval(*(_out(v, scalar) for v in out))


# ----------------------------------------------------------------------------------- means

class MeanSD(NamedTuple):
    """Mean and sample standard deviation (ddof=1)."""

    mean: Any
    sd: Any


def mean_interval(mean, sd, n, *, level: float = 0.95) -> Interval:
    """Student-t confidence interval of a mean, from its mean, sample sd and n.

    Parameters
    ----------
    mean : float or array-like
        Sample mean.
    sd : float or array-like
        Sample standard deviation with ``n − 1`` in the denominator (ddof=1).
    n : int or array-like of int
        Number of observations; fewer than 2 gives NaN.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    Interval
        ``(low, high)`` in the units of ``mean`` (not ×100).

    Notes
    -----
    ``mean ± t_{1−α/2, n−1} · sd/√n`` with ``α = 1 − level`` (e.g. Moore, McCabe & Craig,
    *Introduction to the Practice of Statistics*, §7.1). Equals
    ``scipy.stats.t.interval(level, n − 1, mean, sd/√n)`` and statsmodels
    ``DescrStatsW(x).tconfint_mean()``.

    Examples
    --------
    >>> [round(v, 3) for v in mean_interval(4.2, 1.1, 25)]
    [3.746, 4.654]
    """
    level = _level(level)
    m, s, n_ = _finite("mean", mean), _nonneg("sd", sd), _counts("n", n)
    scalar, (m, s, n_) = _broadcast(mean=m, sd=s, n=n_)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = n_ >= 2
        tc = _st.t.ppf(0.5 + level / 2, np.where(ok, n_ - 1, 1.0))
        half = tc * s / np.sqrt(n_)
        low, high = np.where(ok, m - half, np.nan), np.where(ok, m + half, np.nan)
    return Interval(_out(low, scalar), _out(high, scalar))


#: Bootstrap means drawn at once: the draws take ``8 × BOOTSTRAP_CELLS`` bytes (about 128 MiB).
BOOTSTRAP_CELLS = 1 << 24


def bootstrap_mean_interval(x, *, level: float = 0.95, n_resamples: int = 2000,
                            rng: np.random.Generator | int | None = None) -> Interval:
    """Bias-corrected and accelerated (BCa) bootstrap interval of the mean of ``x``, in bounded memory.

    Parameters
    ----------
    x : array-like of float
        The sample (finite values; at least 2, not all equal).
    level : float, default 0.95
        Confidence level.
    n_resamples : int, default 2000
        Bootstrap resamples.
    rng : numpy Generator or int, optional
        The source of the resamples (an int seeds ``numpy.random.default_rng``).

    Returns
    -------
    Interval
        ``(low, high)`` in the units of ``x``.

    Notes
    -----
    The same interval as ``scipy.stats.bootstrap((x,), np.mean, n_resamples=n_resamples,
    method="BCa", rng=rng)`` on the same generator (Efron & Tibshirani 1993, *An Introduction to
    the Bootstrap*, §14.3: the resamples are the same draws, the bias correction ``z0`` and the percentiles the same
    formulas), computed so that it runs on a million customers: the resamples are drawn in
    batches of at most :data:`BOOTSTRAP_CELLS` values (SciPy's default draws all
    ``n_resamples × n`` at once), and the acceleration uses the closed form of the jackknife
    of the mean, ``a = Σ d³ / (6 (Σ d²)^{3/2})`` with ``d = x − x̄`` (SciPy evaluates the
    ``n`` leave-one-out means from an ``n × (n − 1)`` array: 80 GB at 100,000 values).
    Memory is ``O(n)`` plus one batch; time ``O(n_resamples · n)``.

    Examples
    --------
    >>> x = [1.0, 2.0, 2.5, 3.0, 4.0, 7.0, 9.0, 30.0]
    >>> [round(v, 2) for v in bootstrap_mean_interval(x, rng=0)]
    [3.31, 17.39]
    """
    from scipy.special import ndtr, ndtri

    level = _level(level)
    a = _finite("x", x).ravel()
    if np.isnan(a).any():
        raise ValueError(f"x: {int(np.isnan(a).sum())} missing value(s) at {_where(a, np.isnan(a))}; "
                         "leave them out (and count them) before the interval")
    n = a.size
    if n < 2 or not np.ptp(a) > 0:
        raise ValueError(f"x: the bootstrap interval needs 2 or more values that are not all equal; got {n} "
                         f"value(s){'' if n < 2 else ', all ' + _fmt(float(a[0]))}")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral) or n_resamples < 1:
        raise ValueError(f"n_resamples must be a whole number >= 1 (e.g. 2000); got {_show(n_resamples)}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    batch = max(1, min(n_resamples, BOOTSTRAP_CELLS // n))
    means = np.empty(n_resamples)
    for k in range(0, n_resamples, batch):
        b = min(batch, n_resamples - k)
        means[k:k + b] = a[rng.integers(0, n, (b, n))].mean(axis=-1)
    theta = a.mean()
    z0 = ndtri(((means < theta).sum() + (means <= theta).sum()) / (2 * n_resamples))
    d = a - theta
    accel = (d ** 3).sum() / (6 * (d ** 2).sum() ** 1.5)
    z = float(ndtri((1 - level) / 2))
    alphas = [ndtr(z0 + (z0 + zz) / (1 - accel * (z0 + zz))) for zz in (z, -z)]
    low, high = np.quantile(means, alphas)
    return Interval(float(low), float(high))


def mean_from_sums(n, total, total_sq) -> MeanSD:
    """Mean and sample sd from ``n``, ``Σx`` and ``Σx²`` (the sums any engine can aggregate).

    Parameters
    ----------
    n : int or array-like of int
        Number of observations.
    total : float or array-like
        ``Σx``.
    total_sq : float or array-like
        ``Σx²``.

    Returns
    -------
    MeanSD
        ``mean`` (NaN when ``n == 0``) and ``sd`` (ddof=1; NaN when ``n < 2``).

    Raises
    ------
    ValueError
        If the sums are inconsistent (``Σx² < (Σx)²/n`` beyond rounding), which no data can give.

    Notes
    -----
    ``mean = Σx/n``, ``var = (Σx² − (Σx)²/n)/(n − 1)``. A numerator within 16 machine epsilons
    of ``Σx²`` is rounding noise and counts as 0 (constant data gives ``sd == 0``), and small
    negative residues are clipped to 0. The formula loses precision when the mean is huge
    compared with the sd (catastrophic cancellation; Chan, Golub & LeVeque 1983, The American
    Statistician 37, 242–247); for survey scores (1–10) and durations it is exact to many
    digits. Subtract a constant before summing if values are large and nearly equal.

    Examples
    --------
    >>> m = mean_from_sums(4, 2 + 4 + 4 + 6, 4 + 16 + 16 + 36)
    >>> round(m.mean, 3), round(m.sd, 3)
    (4.0, 1.633)
    """
    n_, t, q = _counts("n", n), _finite("total", total), _nonneg("total_sq", total_sq)
    scalar, (n_, t, q) = _broadcast(n=n_, total=t, total_sq=q)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_ > 0, t / n_, np.nan)
        ss = q - t * t / n_
        ss = np.where(np.abs(ss) <= 16 * np.finfo(float).eps * q, 0.0, ss)  # rounding noise: no variation
        bad = (n_ > 0) & (ss < -1e-6 * q)
        if bad.any():
            raise ValueError("the sums are inconsistent: total_sq must be at least total**2 / n; "
                             f"got total_sq = {_where(q, bad)} with total = {_where(t, bad)} "
                             f"and n = {_where(n_, bad)}")
        sd = np.where(n_ >= 2, np.sqrt(np.maximum(ss, 0.0) / (n_ - 1)), np.nan)
    return MeanSD(_out(mean, scalar), _out(sd, scalar))


# ----------------------------------------------------------------------------------- differences

def _scalar(v) -> bool:
    return np.ndim(v) == 0


@dataclass(frozen=True)
class Difference:
    """Difference group 1 − group 2 with its interval and a two-sided test.

    Attributes
    ----------
    diff : float or ndarray
        Point difference (percentage points for proportions, NPS points for NPS, the units of
        the data for means).
    low, high : float or ndarray
        Interval limits (same units).
    statistic : float or ndarray
        Test statistic (z for proportions and NPS, Welch's t for means).
    p_value : float or ndarray
        Two-sided p-value.
    level : float
        Confidence level.
    method : str
        Interval method.
    """

    diff: Any
    low: Any
    high: Any
    statistic: Any
    p_value: Any
    level: float = 0.95
    method: str = ""

    def _line(self, diff, low, high, statistic, p_value) -> str:
        if not np.isfinite(diff):
            return "difference: not available (a group has no data)"
        name = _METHOD_NAMES.get(self.method, self.method)
        sym = "t" if self.method == "welch" else "z"
        test = (f"{sym} = {statistic:.2f}, p = {p_value:.3g}" if np.isfinite(p_value)
                else "no test (no variation)")
        return (f"difference {diff:+.3g} ({_pct_level(self.level)} interval {low:+.3g} to {high:+.3g}, "
                f"{name}; {test})")

    def __str__(self) -> str:
        fields = (self.diff, self.low, self.high, self.statistic, self.p_value)
        if all(_scalar(f) for f in fields):
            return self._line(*(float(f) for f in fields))
        arrays = np.broadcast_arrays(*(np.asarray(f, dtype=float) for f in fields))
        return "\n".join(f"[{i}] " + self._line(*(float(a.ravel()[i]) for a in arrays))
                         for i in range(arrays[0].size))


def _normal_test(diff: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, diff / se, np.nan)
        return z, 2 * _st.norm.sf(np.abs(z))


def diff_proportions(x1, n1, x2, n2, *, level: float = 0.95, method: str = "newcombe") -> Difference:
    """Difference of two independent proportions (group 1 − group 2) in percentage points.

    Parameters
    ----------
    x1, n1 : int or array-like of int
        Successes and trials in group 1.
    x2, n2 : int or array-like of int
        Successes and trials in group 2.
    level : float, default 0.95
        Confidence level.
    method : {"newcombe", "agresti-caffo", "wald"}, default "newcombe"
        Interval method: Newcombe's hybrid score interval (recommended), Agresti-Caffo (add one
        success and one failure to each group, then Wald), or plain Wald.

    Returns
    -------
    Difference
        ``diff`` = ``100·(x1/n1 − x2/n2)``; ``low``, ``high`` (clipped to −100…100);
        ``statistic`` (pooled z), ``p_value`` (two-sided); ``level``; ``method``. All NaN when a
        group has ``n == 0``. When both proportions are 0 or both are 1 the pooled variance is 0
        and the test is undefined: ``statistic`` and ``p_value`` are NaN, the interval exists.

    Notes
    -----
    With ``p_i = x_i/n_i``, ``z = z_value(level)`` and Wilson limits ``(l_i, u_i)`` of each group
    (:func:`proportion_interval`):

    * Newcombe (1998, Statistics in Medicine 17, 873–890, method 10):
      ``p1 − p2 − √((p1 − l1)² + (u2 − p2)²)`` to ``p1 − p2 + √((u1 − p1)² + (p2 − l2)²)``;
    * Agresti-Caffo (2000, The American Statistician 54, 280–288): ``p̃_i = (x_i + 1)/(n_i + 2)``,
      ``p̃1 − p̃2 ± z·√(Σ p̃_i(1 − p̃_i)/(n_i + 2))``;
    * Wald: ``p1 − p2 ± z·√(Σ p_i(1 − p_i)/n_i)``.

    Test: pooled ``p̄ = (x1 + x2)/(n1 + n2)``, ``z = (p1 − p2)/√(p̄(1 − p̄)(1/n1 + 1/n2))``, two-sided
    normal p-value; identical to Pearson's χ² test of the 2×2 table without continuity
    correction. The intervals equal statsmodels ``confint_proportions_2indep(compare="diff")``
    (methods ``newcomb``, ``agresti-caffo``, ``wald``), the test equals ``proportions_ztest``.

    Examples
    --------
    >>> d = diff_proportions(45, 60, 30, 60)
    >>> round(d.diff, 1), round(d.low, 1), round(d.high, 1), round(d.p_value, 4)
    (25.0, 7.7, 40.3, 0.0047)
    """
    level, method = _level(level), _method(method, DIFF_PROPORTION_METHODS)
    a = {k: _counts(k, v) for k, v in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2))}
    scalar, (x1_, n1_, x2_, n2_) = _broadcast(**a)
    _at_most("x1", x1_, "n1", n1_)
    _at_most("x2", x2_, "n2", n2_)
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1_ / n1_, x2_ / n2_
        diff = p1 - p2
        if method == "newcombe":
            l1, u1 = _proportion_limits(x1_, n1_, level, "wilson")
            l2, u2 = _proportion_limits(x2_, n2_, level, "wilson")
            low = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
            high = diff + np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
        else:
            add = 1.0 if method == "agresti-caffo" else 0.0
            q1, q2 = (x1_ + add) / (n1_ + 2 * add), (x2_ + add) / (n2_ + 2 * add)
            half = z * np.sqrt(q1 * (1 - q1) / (n1_ + 2 * add) + q2 * (1 - q2) / (n2_ + 2 * add))
            low, high = q1 - q2 - half, q1 - q2 + half
        pooled = (x1_ + x2_) / (n1_ + n2_)
        se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1_ + 1 / n2_))
        stat, p = _normal_test(diff, se0)
        has = (n1_ > 0) & (n2_ > 0) & ~np.isnan(x1_) & ~np.isnan(x2_)
        fields = [np.where(has, v, np.nan) for v in (100 * diff, np.clip(100 * low, -100, 100),
                                                      np.clip(100 * high, -100, 100), stat, p)]
    return Difference(*(_out(v, scalar) for v in fields), level=level, method=method)


def diff_nps(p1, d1, n1, p2, d2, n2, *, level: float = 0.95, method: str = "adjusted-wald") -> Difference:
    """Difference of two independent NPS (group 1 − group 2) in NPS points, from counts.

    Parameters
    ----------
    p1, d1, n1 : int or array-like of int
        Promoters, detractors and valid responses in group 1.
    p2, d2, n2 : int or array-like of int
        The same for group 2.
    level : float, default 0.95
        Confidence level.
    method : {"adjusted-wald", "wald"}, default "adjusted-wald"
        As in :func:`nps_interval`.

    Returns
    -------
    Difference
        ``diff``: difference of the **plain** NPS; ``low``, ``high``: interval centred on the
        difference of the adjusted NPS (clipped to −200…200); ``statistic`` (z) and ``p_value``
        (two-sided normal); ``level``; ``method``. All NaN when a group has ``n == 0``;
        ``statistic`` and ``p_value`` are NaN when the standard error is 0.

    Notes
    -----
    With the adjusted (or plain, for "wald") centres ``c_i``, per-response variances ``v_i`` and
    effective sizes ``ñ_i = n_i + 3`` (or ``n_i``) of :func:`nps_interval`::

        se = √(v1/ñ1 + v2/ñ2),  z = (c1 − c2)/se,  p = 2·(1 − Φ(|z|)),
        interval = 100·(c1 − c2 ± z_{1−α/2}·se).

    This is the two-sample procedure of Rocks (2016), The American Statistician 70(4), 365–372.

    Examples
    --------
    >>> d = diff_nps(50, 30, 100, 30, 40, 100)
    >>> round(d.diff, 1), round(d.low, 1), round(d.high, 1), round(d.p_value, 4)
    (30.0, 6.0, 52.3, 0.0137)
    """
    level, method = _level(level), _method(method, NPS_METHODS)
    P1, D1, N1 = _nps_counts(p1, d1, n1, "1")
    P2, D2, N2 = _nps_counts(p2, d2, n2, "2")
    scalar, (P1, D1, N1, P2, D2, N2) = _broadcast(p1=P1, d1=D1, n1=N1, p2=P2, d2=D2, n2=N2)
    _check_nps_counts(P1, D1, N1, "1")
    _check_nps_counts(P2, D2, N2, "2")
    zc = z_value(level)
    c1, v1, e1 = _nps_parts(P1, D1, N1, method)
    c2, v2, e2 = _nps_parts(P2, D2, N2, method)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(v1 / e1 + v2 / e2)
        d = c1 - c2
        stat, p = _normal_test(d, se)
        plain = (100 * P1 / N1 - 100 * D1 / N1) - (100 * P2 / N2 - 100 * D2 / N2)
        has = (N1 > 0) & (N2 > 0) & ~np.isnan(P1 + D1 + P2 + D2)
        fields = [np.where(has, v, np.nan) for v in (plain, np.clip(100 * (d - zc * se), -200, 200),
                                                      np.clip(100 * (d + zc * se), -200, 200), stat, p)]
    return Difference(*(_out(v, scalar) for v in fields), level=level, method=method)


def diff_means(mean1, sd1, n1, mean2, sd2, n2, *, level: float = 0.95) -> Difference:
    """Difference of two independent means (group 1 − group 2) with Welch's t interval and test.

    Parameters
    ----------
    mean1, sd1, n1 : float or array-like
        Mean, sample sd (ddof=1) and size of group 1 (see :func:`mean_from_sums`).
    mean2, sd2, n2 : float or array-like
        The same for group 2.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    Difference
        ``diff`` = ``mean1 − mean2`` (units of the data), ``low``, ``high``, ``statistic``
        (Welch's t), ``p_value`` (two-sided), ``level``, ``method="welch"``. All NaN when a group
        has fewer than 2 observations. When both sds are 0 the test and the degrees of freedom
        are undefined: ``statistic``, ``p_value`` are NaN and the interval collapses to ``diff``.

    Notes
    -----
    ``se = √(s1²/n1 + s2²/n2)``, ``t = (m1 − m2)/se``, Welch–Satterthwaite degrees of freedom
    ``ν = se⁴ / ((s1²/n1)²/(n1 − 1) + (s2²/n2)²/(n2 − 1))``, interval ``m1 − m2 ± t_{1−α/2, ν}·se``
    (Welch 1947, Biometrika 34, 28–35). Equals ``scipy.stats.ttest_ind(a, b, equal_var=False)``.

    Examples
    --------
    >>> d = diff_means(4.1, 1.0, 40, 3.6, 1.2, 50)
    >>> round(d.diff, 2), round(d.low, 3), round(d.high, 3), round(d.p_value, 4)
    (0.5, 0.039, 0.961, 0.0338)
    """
    level = _level(level)
    a = {"mean1": _finite("mean1", mean1), "sd1": _nonneg("sd1", sd1), "n1": _counts("n1", n1),
         "mean2": _finite("mean2", mean2), "sd2": _nonneg("sd2", sd2), "n2": _counts("n2", n2)}
    scalar, (m1, s1, N1, m2, s2, N2) = _broadcast(**a)
    with np.errstate(invalid="ignore", divide="ignore"):
        v1, v2 = s1**2 / N1, s2**2 / N2
        se = np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (N1 - 1) + v2**2 / (N2 - 1))
        diff = m1 - m2
        ok_se = se > 0
        stat = np.where(ok_se, diff / se, np.nan)
        p = 2 * _st.t.sf(np.abs(stat), np.where(ok_se, df, 1.0))
        half = np.where(ok_se, _st.t.ppf(0.5 + level / 2, np.where(ok_se, df, 1.0)) * se, 0.0)
        has = (N1 >= 2) & (N2 >= 2)
        fields = [np.where(has, v, np.nan) for v in (diff, diff - half, diff + half, stat, p)]
    return Difference(*(_out(v, scalar) for v in fields), level=level, method="welch")


# ----------------------------------------------------------------------------------- paired

@dataclass(frozen=True)
class PairedDifference:
    """Mean change ``after − before`` of the same units, with a paired t interval and test.

    Attributes
    ----------
    n : int
        Number of complete pairs.
    before, after : float
        Means of ``before`` and ``after`` over the complete pairs.
    diff : float
        Mean of the differences ``after − before``.
    low, high : float
        Student-t interval of ``diff``.
    statistic : float
        Paired t statistic.
    p_value : float
        Two-sided p-value.
    level : float
        Confidence level.
    """

    n: int
    before: float
    after: float
    diff: float
    low: float
    high: float
    statistic: float
    p_value: float
    level: float = 0.95

    def __str__(self) -> str:
        if self.n < 2:
            return f"paired change: only {self.n} complete pair(s), no estimate"
        test = (f"paired t = {self.statistic:.2f}, p = {self.p_value:.3g}" if np.isfinite(self.p_value)
                else "no test (no variation)")
        return (f"same {self.n:,} units: {self.before:.3g} -> {self.after:.3g}, change {self.diff:+.3g} "
                f"({_pct_level(self.level)} interval {self.low:+.3g} to {self.high:+.3g}; {test})")


def paired_change(before, after, *, level: float = 0.95) -> PairedDifference:
    """Change between two measurements of the same units (e.g. two survey waves of the same customers).

    Parameters
    ----------
    before, after : array-like
        One value per unit, same length and order (e.g. NPS responses scored +1/0/−1; scale
        the NPS case ×100 in the caller). Pairs with a missing value on either side are left out.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    PairedDifference
        ``n`` (complete pairs), ``before``, ``after`` (their means), ``diff`` (mean of
        ``after − before``), ``low``, ``high``, ``statistic`` (paired t), ``p_value``, ``level``.
        Everything but ``n`` is NaN when ``n < 2``. When all differences are equal the test is
        undefined (``statistic``, ``p_value`` NaN) and the interval collapses to ``diff``.

    Notes
    -----
    With ``δ_i = after_i − before_i``: ``diff = mean(δ)``, ``se = sd(δ, ddof=1)/√n``,
    ``t = diff/se`` on ``n − 1`` degrees of freedom, interval ``diff ± t_{1−α/2, n−1}·se``
    (paired t-test, Student 1908, Biometrika 6, 1–25). Equals ``scipy.stats.ttest_rel(after, before)``.

    Examples
    --------
    >>> r = paired_change([0, 1, -1, 0, 1, 0], [1, 1, 0, 0, 1, 1])
    >>> r.n, round(r.diff, 3), round(r.low, 3), round(r.high, 3), round(r.p_value, 4)
    (6, 0.5, -0.075, 1.075, 0.0756)
    """
    level = _level(level)
    b, a = _finite("before", before), _finite("after", after)
    if b.ndim != 1 or a.ndim != 1 or len(a) != len(b):
        raise ValueError("before and after must be one-dimensional arrays of the same length "
                         "(one value per unit); "
                         f"got shapes {b.shape} and {a.shape}")
    keep = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[keep], b[keep]
    n = int(keep.sum())
    nan = float("nan")
    if n < 2:
        return PairedDifference(n, nan, nan, nan, nan, nan, nan, nan, level)
    d = a - b
    mean = float(d.mean())
    se = float(d.std(ddof=1) / np.sqrt(n))
    if se > 0:
        t = mean / se
        p = float(2 * _st.t.sf(abs(t), n - 1))
        half = float(_st.t.ppf(0.5 + level / 2, n - 1)) * se
    else:
        t, p, half = nan, nan, 0.0
    return PairedDifference(n, float(b.mean()), float(a.mean()), mean, mean - half, mean + half, t, p, level)


# ----------------------------------------------------------------------------------- sample size, power

def _planning(name: str, x: Any, *, low: float, high: float, low_open: bool = False,
              hint: str = "") -> np.ndarray:
    """A planning input: finite numbers in [low, high] (or (low, high]); no missing values."""
    a = _float(name, x)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(a) | (a > high) | ((a <= low) if low_open else (a < low))
    if bad.any():
        rng = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise ValueError(f"{name} must be a number in {rng}{hint}; got {_where(a, bad)}")
    return a


def _ceil(x: np.ndarray, scalar: bool):
    n = np.ceil(x * (1 - 1e-12)).astype(np.int64)
    return int(n) if scalar else n


def _power(power: Any) -> float:
    return _probability("power", power, "0.8")


def _z_pair(level: Any, power: Any) -> tuple[float, float]:
    """``(z_{1−α/2}, z_{1−β})`` of a two-sided test at ``level`` with ``power`` (both checked)."""
    level, power = _level(level), _power(power)
    return z_value(level), float(_st.norm.ppf(power))


def _difference(difference: Any, expected: str, most: float = np.inf) -> np.ndarray:
    """A difference to detect: finite, non-zero and at most ``most`` in size."""
    return _checked("difference", difference, lambda d: ~np.isfinite(d) | (d == 0) | (np.abs(d) > most), expected)


def sample_size_proportions(p1, p2, *, level: float = 0.95, power: float = 0.8):
    """Observations needed **per group** to detect proportions ``p1`` vs ``p2`` (two-sided z-test).

    Parameters
    ----------
    p1, p2 : float or array-like
        Expected proportions (0–1) in the two groups; they must differ.
    level : float, default 0.95
        ``1 − α`` of the two-sided test.
    power : float, default 0.8
        Desired power ``1 − β``.

    Returns
    -------
    int or ndarray of int
        Per-group sample size, rounded up.

    Notes
    -----
    The classical formula without continuity correction (Fleiss, Levin & Paik 2003,
    *Statistical Methods for Rates and Proportions*, 3rd ed., ch. 4; Fleiss, Tytun & Ury 1980,
    Biometrics 36, 343–346), with ``p̄ = (p1 + p2)/2``::

        n = (z_{1−α/2}·√(2·p̄(1−p̄)) + z_{1−β}·√(p1(1−p1) + p2(1−p2)))² / (p1 − p2)².

    It uses the pooled variance under the null and the separate variances under the
    alternative, as the pooled z-test of :func:`diff_proportions`. It equals statsmodels
    ``samplesize_proportions_2indep_onetail``. Cohen's arcsine effect size ``h`` (statsmodels
    ``NormalIndPower`` with ``proportion_effectsize``) is another approximation: it gives
    up to about 5 % fewer observations, most so near 0 or 1 and for large differences.
    Fleiss's continuity correction ``n/4·(1 + √(1 + 4/(n·|p1 − p2|)))²`` makes it larger.

    Examples
    --------
    >>> sample_size_proportions(0.5, 0.6)
    388
    >>> sample_size_proportions(0.08, 0.06)  # JMP documentation example: 2554
    2554
    """
    za, zb = _z_pair(level, power)
    a1 = _planning("p1", p1, low=0, high=1, hint=" (a proportion)")
    a2 = _planning("p2", p2, low=0, high=1, hint=" (a proportion)")
    scalar, (a1, a2) = _broadcast(p1=a1, p2=a2)
    same = a1 == a2
    if same.any():
        raise ValueError("p1 and p2 must differ (there is nothing to detect); "
                         f"got p1 = p2 = {_where(a1, same)}")
    pbar = (a1 + a2) / 2
    spread = za * np.sqrt(2 * pbar * (1 - pbar)) + zb * np.sqrt(a1 * (1 - a1) + a2 * (1 - a2))
    n = spread**2 / (a1 - a2) ** 2
    return _ceil(n, scalar)


def sample_size_nps(difference, *, promoters=0.3, detractors=0.3, level: float = 0.95, power: float = 0.8):
    """Responses needed **per group** to detect an NPS difference of ``difference`` points.

    Parameters
    ----------
    difference : float or array-like
        NPS difference to detect, in NPS points (e.g. 10); ``0 < |difference| <= 200``.
    promoters, detractors : float or array-like, default 0.3
        Expected shares (0–1) of promoters and detractors, assumed alike in both groups.
    level, power : float, default 0.95 and 0.8
        As in :func:`sample_size_proportions`.

    Returns
    -------
    int or ndarray of int
        Responses per group, rounded up.

    Notes
    -----
    With the variance of one response ``var = p + d − (p − d)²`` (:func:`nps_variance`) and
    ``Δ = difference/100``: ``n = (z_{1−α/2} + z_{1−β})² · 2·var / Δ²`` (the normal two-sample
    formula applied to responses scored +1/0/−1; Rocks 2016, The American Statistician 70(4),
    365–372, for the variance).

    Examples
    --------
    >>> sample_size_nps(10)  # 30 % promoters and 30 % detractors
    942
    """
    za, zb = _z_pair(level, power)
    diff = _difference(difference, "is in NPS points, non-zero and at most 200 in size (e.g. 10)", most=200)
    p = _planning("promoters", promoters, low=0, high=1, hint=" (a share, e.g. 0.3)")
    d = _planning("detractors", detractors, low=0, high=1, hint=" (a share, e.g. 0.3)")
    scalar, (diff, p, d) = _broadcast(difference=diff, promoters=p, detractors=d)
    var = nps_variance(p, d)
    return _ceil((za + zb) ** 2 * 2 * var / (diff / 100) ** 2, scalar)


def sample_size_means(difference, sd, *, level: float = 0.95, power: float = 0.8):
    """Observations needed **per group** to detect a difference of means (two-sided, normal approximation).

    Parameters
    ----------
    difference : float or array-like
        Difference of means to detect (units of the data), non-zero.
    sd : float or array-like
        Expected standard deviation of one observation (same in both groups), > 0.
    level, power : float, default 0.95 and 0.8
        As in :func:`sample_size_proportions`.

    Returns
    -------
    int or ndarray of int
        Observations per group (the same in each), rounded up.

    Notes
    -----
    ``n = 2·(z_{1−α/2} + z_{1−β})²·sd²/Δ²`` (e.g. Chow, Shao & Wang 2008, *Sample Size
    Calculations in Clinical Research*, 2nd ed., §3.2). It ignores the far tail of the two-sided
    test, like statsmodels ``NormalIndPower().solve_power(effect_size=Δ/sd)`` up to that tail.
    A t-test needs one or two more observations when n is small.

    Examples
    --------
    >>> sample_size_means(0.5, 1.0)
    63
    """
    za, zb = _z_pair(level, power)
    diff = _difference(difference, "must be a non-zero finite number")
    s = _planning("sd", sd, low=0, high=np.inf, low_open=True)
    scalar, (diff, s) = _broadcast(difference=diff, sd=s)
    return _ceil(2 * (za + zb) ** 2 * s**2 / diff**2, scalar)


def power_proportions(p1, p2, n, *, level: float = 0.95):
    """Power of the two-sided pooled z-test of two proportions with ``n`` observations per group.

    Parameters
    ----------
    p1, p2 : float or array-like
        True proportions (0–1) in the two groups.
    n : int or array-like
        Observations per group; 0 or missing gives NaN.
    level : float, default 0.95
        ``1 − α`` of the test.

    Returns
    -------
    float or ndarray
        Probability (0–1) that the test rejects ``p1 = p2``.

    Notes
    -----
    With ``Δ = p1 − p2``, ``σ0 = √(2·p̄(1 − p̄))`` (null, pooled) and ``σ1 = √(p1(1−p1) + p2(1−p2))``::

        power = Φ((|Δ|·√n − z_{1−α/2}·σ0)/σ1) + Φ((−|Δ|·√n − z_{1−α/2}·σ0)/σ1),

    both tails of the normal approximation; the inverse of :func:`sample_size_proportions` up to
    the far tail (Fleiss, Levin & Paik 2003, ch. 4). Equals statsmodels
    ``power_proportions_2indep``.

    Examples
    --------
    >>> round(power_proportions(0.5, 0.6, 388), 3), round(power_proportions(0.5, 0.6, 100), 3)
    (0.801, 0.294)
    """
    level = _level(level)
    a1 = _planning("p1", p1, low=0, high=1, hint=" (a proportion)")
    a2 = _planning("p2", p2, low=0, high=1, hint=" (a proportion)")
    m = _nonneg("n", n)
    scalar, (a1, a2, m) = _broadcast(p1=a1, p2=a2, n=m)
    za = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        pbar = (a1 + a2) / 2
        s0 = np.sqrt(2 * pbar * (1 - pbar))
        s1 = np.sqrt(a1 * (1 - a1) + a2 * (1 - a2))
        shift = np.abs(a1 - a2) * np.sqrt(m)
        pw = _st.norm.cdf((shift - za * s0) / s1) + _st.norm.cdf((-shift - za * s0) / s1)
        pw = np.where(m > 0, pw, np.nan)
    return _out(pw, scalar)


# ----------------------------------------------------------------------------------- small n

def small_n(n, min_n: float = 30):
    """Whether each group has too few observations to read its estimate (``n < min_n``).

    Parameters
    ----------
    n : int or array-like
        Group sizes; a missing size counts as small.
    min_n : float, default 30
        Threshold (the handbook's default is 30).

    Returns
    -------
    bool or ndarray of bool
        ``n < min_n`` (and ``True`` where ``n`` is missing).

    Notes
    -----
    One shared definition for every table and sentence of the handbook; 30 is a rule of thumb
    for normal approximations, not a statistical law.

    Examples
    --------
    >>> small_n([5, 30, 120]).tolist()
    [True, False, False]
    >>> small_n(12)
    True
    """
    if isinstance(min_n, bool) or not isinstance(min_n, (numbers.Real, np.integer, np.floating)) \
            or not np.isfinite(min_n) or min_n < 0:
        raise ValueError(f"min_n must be a number >= 0 (e.g. 30); got {_show(min_n)}")
    a = _float("n", n)
    with np.errstate(invalid="ignore"):
        out = np.isnan(a) | (a < min_n)
    return bool(out) if out.ndim == 0 else out
