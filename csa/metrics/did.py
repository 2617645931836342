"""Did the action work? Difference-in-differences (差の差分法) and interrupted time series (分割時系列).

Step 4 of the KPI introduction cycle (source article 000) plans an action — a training, a new
process, a tool — and step 5 tracks whether the KPI moved. A before/after comparison alone
cannot tell the action from everything else that changed at the same time (season, volume, a new
product). Two designs can:

* **difference-in-differences** (:func:`did`): compare the change in the group the action
  touched (*treated*) with the change, over the same months, in a group it did not touch
  (*comparison*). The comparison group's change stands for what would have happened anyway::

      effect = (treated after − treated before) − (comparison after − comparison before)

  This is the coefficient of ``treated × after`` in the regression
  ``y = b0 + b1·treated + b2·after + effect·treated·after (+ controls)``, fitted here by OLS
  (statsmodels; with cluster-robust errors, from the normal equations, which need no k × n
  pseudo-inverse at millions of rows and give statsmodels' numbers). It holds if, without the
  action, both groups would have moved in parallel (**parallel trends**): :func:`event_study`
  draws the difference month by month and :func:`pretrend` tests its slope before the action;
* **interrupted time series** (:func:`its`), when there is no comparison group (the action
  touched everyone): fit the KPI's trend before the action and measure the jump (level change)
  and the change of slope after it. It attributes to the action anything that changed at the
  same moment, so it is weaker evidence.

Times (first-response time, resolution time) are skewed and an action tends to scale them, so
they are compared on the **log scale** (``log=True``): the effect is then a log ratio, and
``exp(effect)`` the factor by which the action multiplied the time (``exp(−0.6) ≈ 0.55``: 45 %
faster). Shares (FCR, CSAT satisfied) are compared as 0/100 per row, so the effect is in
percentage points (a linear probability model).

**Standard errors.** Rows of the same agent, team or customer are not independent; the default
is a **cluster-robust** covariance (``cluster=`` a column: agent, team, customer) with a t
distribution on ``G − 1`` degrees of freedom (``G`` clusters; Cameron & Miller 2015), else
heteroskedasticity-robust (``HC1``). With very few clusters (fewer than about 20) cluster-robust
errors are themselves unreliable: with three teams, cluster by a finer unit nested in them (the
agent) and say so. Every estimate is pinned in ``tests/test_did.py`` to statsmodels' own formula
interface on a constructed panel.

The functions take rows (tickets, answers), one outcome value per row; rows with a missing value
in a column used (or a non-positive outcome under ``log=True``) are left out and counted in
``excluded``, never dropped silently.

References: Angrist & Pischke (2009), *Mostly Harmless Econometrics*, ch. 5; Cameron & Miller
(2015), A Practitioner's Guide to Cluster-Robust Inference, *J. Human Resources* 50(2), 317–372;
Bernal, Cummins & Gasparrini (2017), Interrupted time series regression for the evaluation of
public health interventions, *Int. J. Epidemiology* 46(1), 348–355.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import stats as S

__all__ = ["COVARIANCES", "ITS", "DiD", "Effect", "did", "event_study", "its", "pretrend"]

#: covariance types: ``"cluster"`` (needs ``cluster=``), heteroskedasticity-robust ``"HC0"``–``"HC3"``,
#: ``"HAC"`` (Newey–West, for one row per period) and ``"nonrobust"`` (textbook OLS, for teaching)
COVARIANCES = ("cluster", "HC0", "HC1", "HC2", "HC3", "HAC", "nonrobust")


# ----------------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Effect:
    """One estimated effect with its interval.

    Attributes
    ----------
    effect : float
        The estimate, on the model's scale: the outcome's unit, or a log ratio with ``log=True``.
    low, high : float
        Confidence interval at ``level``.
    p : float
        Two-sided p-value of "no effect".
    se : float
        Standard error.
    n : int
        Rows used.
    excluded : int
        Rows left out (a missing value, or a non-positive outcome under ``log=True``).
    clusters : int or None
        Number of clusters (``cov="cluster"``), else ``None``.
    cov : str
        Covariance type (see :data:`COVARIANCES`).
    df : float or None
        Degrees of freedom of the t distribution used (clusters − 1), ``None`` for the normal.
    level : float
        Confidence level.
    log : bool
        The outcome was log-transformed.
    """

    effect: float
    low: float
    high: float
    p: float
    se: float
    n: int
    excluded: int
    clusters: int | None
    cov: str
    df: float | None
    level: float
    log: bool

    @property
    def ratio(self) -> float:
        """``exp(effect)``: the factor the action multiplied the outcome by (``log=True`` only; else NaN)."""
        return math.exp(self.effect) if self.log else math.nan

    @property
    def ratio_low(self) -> float:
        return math.exp(self.low) if self.log else math.nan

    @property
    def ratio_high(self) -> float:
        return math.exp(self.high) if self.log else math.nan

    @property
    def pct(self) -> float:
        """The effect as a percent change, ``100·(exp(effect) − 1)`` (``log=True`` only; else NaN)."""
        return 100 * (self.ratio - 1) if self.log else math.nan

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the interval."""
        return bool(self.low <= value <= self.high)

    def __str__(self) -> str:
        errors = f"cluster-robust, {self.clusters} clusters" if self.cov == "cluster" else self.cov
        scale = f" (log scale; ×{self.ratio:.3f}, {self.pct:+.1f} %)" if self.log else ""
        return (f"{self.effect:+.4f}{scale}, {self.level:.0%} interval {self.low:+.4f} to {self.high:+.4f}, "
                f"p = {self.p:.3g} ({errors}; n = {self.n:,}, {self.excluded:,} left out)")


@dataclass(frozen=True)
class DiD(Effect):
    """A difference-in-differences estimate (an :class:`Effect`) and the four cell means behind it.

    ``means`` has one row per group (``treated`` False/True) and period (``after`` False/True):
    ``n`` and ``mean`` of the outcome on the model's scale (logs with ``log=True``). Without
    controls, ``effect`` equals the difference of differences of these means exactly.
    """

    means: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)

    @property
    def by_hand(self) -> float:
        """(treated after − treated before) − (comparison after − comparison before), from ``means``."""
        m = self.means.set_index(["treated", "after"])["mean"]
        return float((m[(True, True)] - m[(True, False)]) - (m[(False, True)] - m[(False, False)]))


@dataclass(frozen=True)
class ITS:
    """An interrupted time series: the jump at the start and the change of slope after it.

    Attributes
    ----------
    level : Effect
        Change of level at the start (the jump), outcome units (log ratio with ``log=True``).
    slope : Effect
        Change of slope after the start, per period.
    trend : Effect
        Slope before the start, per period.
    start : Any
        The first period of the action.
    periods_before, periods_after : int
        Periods with data before and from the start.
    fitted : DataFrame
        One row per period: ``time``, ``n``, ``mean`` (observed mean on the model's scale) with
        ``low`` and ``high`` (its Student-t interval; NaN with one row per period), ``fitted``
        (the model, at the mean of the controls) and ``counterfactual`` (the pre-start trend
        carried on).
    """

    level: Effect
    slope: Effect
    trend: Effect
    start: Any
    periods_before: int
    periods_after: int
    fitted: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)


# ----------------------------------------------------------------------------------- inputs

def _need(df: pd.DataFrame, *cols: str | None) -> None:
    missing = [c for c in cols if c is not None and c not in df.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not found; the columns are: {', '.join(map(str, df.columns))}")


def _flag(df: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """(value as bool, known) of a 0/1 or boolean column."""
    s = df[col]
    known = s.notna().to_numpy()
    if pd.api.types.is_bool_dtype(s):
        return s.fillna(False).to_numpy(dtype=bool), known
    v = pd.to_numeric(s, errors="coerce")
    bad = known & ~v.isin([0, 1]).to_numpy()
    if bad.any():
        shown = ", ".join(map(repr, s[bad].unique()[:3].tolist()))
        raise ValueError(f"column {col!r} must be true/false (or 1/0), one value per row; got {shown}. "
                         f"Make it with a comparison, e.g. df.assign({col}=df['team'] == 'osaka')")
    return (v.fillna(0).to_numpy() == 1), known


def _outcome(df: pd.DataFrame, col: str, log: bool) -> tuple[np.ndarray, np.ndarray]:
    y = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if df[col].notna().sum() and np.isnan(y[df[col].notna().to_numpy()]).any():
        raise ValueError(f"outcome {col!r} must hold numbers; got {df[col].dtype} values such as "
                         f"{df[col].dropna().iloc[0]!r}")
    ok = np.isfinite(y)
    if log:
        with np.errstate(invalid="ignore", divide="ignore"):
            ok &= y > 0
            y = np.where(ok, np.log(np.where(ok, y, 1.0)), np.nan)
    return y, ok


def _controls(df: pd.DataFrame, controls) -> tuple[pd.DataFrame, np.ndarray]:
    """Dummy-coded controls (first level of each categorical dropped) and the rows where they are known."""
    cols = [controls] if isinstance(controls, str) else list(controls or ())
    _need(df, *cols)
    parts, known = [], np.ones(len(df), dtype=bool)
    for c in cols:
        s = df[c]
        known &= s.notna().to_numpy()
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            parts.append(pd.DataFrame({c: s.to_numpy(dtype=float, na_value=np.nan)}, index=df.index))
        else:
            # each row's level as a code (missing: -1), then one integer comparison per dummy; the values
            # are factorized as they are (no Python string per row) and their text taken once per level
            codes, uniques = pd.factorize(s)
            text = pd.Index([str(u) for u in uniques])
            codes = np.where(codes >= 0, pd.factorize(text)[0][codes], -1)  # values alike as text: one level
            levels = sorted(set(text))
            code = {lv: i for i, lv in enumerate(pd.unique(text))}
            parts.append(pd.DataFrame({f"{c}[{lv}]": codes == code[lv] for lv in levels[1:]}, index=df.index))
    out = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=df.index)
    return out, known


def _rows(df: pd.DataFrame, outcome: str, log: bool, flags: tuple[str, ...], controls, cluster: str | None):
    """(outcome, the true/false columns ``flags``, the controls, ``keep``) of each row; ``keep``: the rows where
    all of them (and the cluster, when there is one) are known."""
    y, keep = _outcome(df, outcome, log)
    values = []
    for col in flags:
        v, known = _flag(df, col)
        values.append(v)
        keep = keep & known
    ctrl, ctrl_known = _controls(df, controls)
    keep = keep & ctrl_known
    if cluster is not None:
        keep &= df[cluster].notna().to_numpy()
    return y, values, ctrl, keep


def _cov_args(df: pd.DataFrame, cov: str | None, cluster: str | None, keep: np.ndarray,
              hac_lags: int | None = None) -> tuple[str, dict, bool, np.ndarray | None]:
    if cov is None:
        cov = "cluster" if cluster is not None else "HC1"
    if cov not in COVARIANCES:
        raise ValueError(f"cov must be one of {', '.join(map(repr, COVARIANCES))}; got {cov!r}")
    if cov == "cluster":
        if cluster is None:
            raise ValueError("cov='cluster' needs cluster=, the column whose rows are not independent "
                             "(e.g. 'agent', 'team', 'customer_id')")
        codes = pd.factorize(df[cluster])[0][keep]  # no Python object per row; renumbered in order of appearance
        codes = pd.factorize(codes)[0]
        return cov, {"groups": codes}, True, codes
    if cov == "HAC":
        return cov, {"maxlags": int(hac_lags) if hac_lags is not None else 1}, False, None
    return cov, {}, False, None


@dataclass(frozen=True)
class _Design:
    """A regression's design: its columns on the kept rows (a number, or one value per kept row)."""

    cols: list[tuple[str, Any]]
    n: int

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.cols]

    def exog(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The design matrix (of ``rows`` only, if given), filled one column at a time."""
        m = self.n if rows is None else len(rows)
        out = np.empty((m, len(self.cols)), dtype=float, order="F")  # column by column: each column contiguous
        for j, (_, v) in enumerate(self.cols):
            out[:, j] = v if np.ndim(v) == 0 else (v if rows is None else v[rows])
        return out

    def cells(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows alike in every column and in ``groups``: (first row of each cell, cell of each row, rows per cell)."""
        key, bound = groups.astype(np.int64), int(groups.max()) + 1
        for _, v in self.cols:
            if np.ndim(v) == 0:
                continue
            codes, uniques = (v.astype(np.int64), [0, 1]) if v.dtype == bool else pd.factorize(v)
            if bound * len(uniques) >= 2**62:  # keep the combined key within int64: renumber what is seen
                key, seen = pd.factorize(key)
                key, bound = key.astype(np.int64), len(seen)
            key, bound = key * len(uniques) + codes, bound * len(uniques)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return first, inverse.ravel(), np.bincount(inverse.ravel())


def _design(cols: dict[str, Any], ctrl: pd.DataFrame, keep: np.ndarray) -> _Design:
    """The design of ``cols`` (a number or one value per row) and the controls, on the ``keep`` rows.

    A dummy with no kept row carries nothing and is left out (``const`` stays). Nothing of size
    rows × columns is built here: at 12 M rows and 54 columns that matrix alone is 5 GB.
    """
    parts = [*cols.items(), *((c, ctrl[c].to_numpy()) for c in ctrl.columns)]
    used = []
    for name, v in parts:
        v = v if np.ndim(v) == 0 else np.asarray(v)[keep]
        if name == "const" or np.ndim(v) == 0 or v.any():
            used.append((name, v))
    return _Design(used, int(keep.sum()))


def _fit(y: np.ndarray, X: _Design, cov: str, kwds: dict, use_t: bool):
    from statsmodels.regression.linear_model import OLS

    if len(y) <= len(X.cols):
        raise ValueError(f"too few rows to estimate: {len(y)} rows for {len(X.cols)} coefficients")
    if cov == "cluster" and (kwds["groups"] >= 0).all():
        # rows alike in every column and cluster add to X'X and to their cluster's score together: one row per cell
        first, cell, size = X.cells(kwds["groups"])
        res = _cluster_ols(np.bincount(cell, weights=y), X.exog(first), kwds["groups"][first], weights=size)
        if res is not None:
            return res, X.names
    res = OLS(y, X.exog()).fit(cov_type=cov, cov_kwds=kwds or None, use_t=use_t)
    return res, X.names


@dataclass(frozen=True)
class _ClusterFit:
    """The parts of a statsmodels result the estimates read: coefficients, errors, p-values, intervals."""

    params: np.ndarray
    bse: np.ndarray
    df_resid_inference: float

    @property
    def pvalues(self) -> np.ndarray:
        from scipy import stats

        return 2 * stats.t.sf(np.abs(self.params / self.bse), self.df_resid_inference)

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        from scipy import stats

        q = stats.t.ppf(1 - alpha / 2, self.df_resid_inference)
        return np.column_stack([self.params - q * self.bse, self.params + q * self.bse])


#: largest condition number (of X'X with its columns scaled to unit diagonal) for the normal equations
_MAX_CONDITION = 1e8


def _cluster_ols(y: np.ndarray, exog: np.ndarray, groups: np.ndarray, *,
                 weights: np.ndarray | None = None) -> _ClusterFit | None:
    """OLS with cluster-robust errors from the normal equations: statsmodels' ``cov_type="cluster"``
    (its small-sample factor G/(G − 1) · (n − 1)/(n − k), t on G − 1 degrees of freedom) without its
    pseudo-inverse, an SVD of every row and a k × n matrix (5 GB at 12 M rows and 54 columns).

    With ``weights``, each row of ``exog`` stands for ``weights`` identical rows of one cluster and
    ``y`` is the sum of their outcomes: X'X, X'y and every cluster's sum of x·e are then the same
    sums as on the rows themselves, so the estimates are those of the rows.

    ``None`` when X'X is ill-conditioned or singular (e.g. a control repeating another) or a row has
    no cluster: the caller then uses statsmodels. Pinned to statsmodels in ``tests/test_did.py``.
    """
    from scipy import linalg, sparse

    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    m, k = exog.shape
    n = float(w.sum())
    g = int(groups.max()) + 1 if m else 0
    if g < 2 or (groups < 0).any():
        return None
    xtx = exog.T @ (exog * w[:, None])
    d = np.sqrt(np.diag(xtx))
    if not (d > 0).all() or np.linalg.cond(xtx / d[:, None] / d[None, :]) > _MAX_CONDITION:
        return None
    chol = linalg.cho_factor(xtx)
    beta = linalg.cho_solve(chol, exog.T @ y)
    resid = y - w * (exog @ beta)  # per row: the sum of the residuals of the rows it stands for
    beta = beta + linalg.cho_solve(chol, exog.T @ resid)  # one step of refinement: pseudo-inverse accuracy
    resid = y - w * (exog @ beta)
    bread = linalg.cho_solve(chol, np.eye(k))
    scores = sparse.csr_matrix((resid, (groups, np.arange(m))), shape=(g, m)) @ exog  # per cluster: sum of x·e
    meat = scores.T @ scores
    cov = g / (g - 1) * (n - 1) / (n - k) * (bread @ meat @ bread)
    return _ClusterFit(beta, np.sqrt(np.diag(cov)), float(g - 1))


def _fit_facts(keep: np.ndarray, groups: np.ndarray | None, cov: str, level: float, log: bool) -> dict:
    """What every :class:`Effect` of one fit shares: rows used and left out, clusters, covariance, level, log."""
    return dict(n=int(keep.sum()), excluded=int((~keep).sum()),
                clusters=None if groups is None else int(groups.max() + 1), cov=cov, level=level, log=log)


def _effect(res, names: list[str], term: str, *, n: int, excluded: int, clusters: int | None, cov: str,
            level: float, log: bool) -> Effect:
    j = names.index(term)
    low, high = res.conf_int(alpha=1 - level)[j]
    df = float(res.df_resid_inference) if cov == "cluster" else None
    return Effect(float(res.params[j]), float(low), float(high), float(res.pvalues[j]), float(res.bse[j]),
                  n, excluded, clusters, cov, df, level, log)


def _level(level: float) -> float:
    S.z_value(level)  # a clear error for a bad level
    return float(level)


def _time_index(values: pd.Series, name: str) -> np.ndarray:
    """A time column as integers (periods → ordinals), for trends."""
    if isinstance(values.dtype, pd.PeriodDtype):
        return np.where(values.isna().to_numpy(), np.nan, values.array.asi8.astype(float))  # asi8: ordinals
    v = pd.to_numeric(values, errors="coerce")
    if v.notna().sum() != values.notna().sum():
        raise ValueError(f"time column {name!r} must hold periods (e.g. months) or numbers; got {values.dtype}")
    return v.to_numpy(dtype=float, na_value=np.nan)


def _point(value, like: pd.Series, name: str) -> float:
    """``value`` (a period, text or number) on the scale of :func:`_time_index` of ``like``."""
    if isinstance(like.dtype, pd.PeriodDtype):
        try:
            return float(pd.Period(value, freq=like.dtype.freq).ordinal)
        except (ValueError, TypeError):
            raise ValueError(f"{name} = {value!r} is not a period like those of the time column "
                             f"(e.g. {like.dropna().iloc[0]!s})") from None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number like the time column; got {value!r}") from None


# ----------------------------------------------------------------------------------- DiD

def did(df: pd.DataFrame, *, outcome: str, treated: str, after: str, log: bool = False, level: float = 0.95,
        cluster: str | None = None, cov: str | None = None, controls=()) -> DiD:
    """Difference-in-differences: the action's effect on ``outcome``, with its interval and p-value.

    Parameters
    ----------
    df : DataFrame
        One row per observation (ticket, answer), before and after the action, in the group it
        touched and in a comparison group.
    outcome : str
        The KPI's value per row: minutes for a time, 0/100 for a share (FCR, satisfied), the
        ±100 NPS score of one answer.
    treated : str
        Boolean (or 1/0) column: the row belongs to the group the action touched.
    after : str
        Boolean (or 1/0) column: the row is from the action's start or later.
    log : bool, default False
        Compare ``log(outcome)`` (times): the effect is a log ratio, ``exp(effect)`` the factor.
        Rows with an outcome ≤ 0 are then left out and counted in ``excluded``.
    level : float, default 0.95
        Confidence level.
    cluster : str, optional
        Column of the clusters (agent, team, customer): rows of one cluster may be correlated.
    cov : str, optional
        Covariance type (:data:`COVARIANCES`); default ``"cluster"`` with ``cluster``, else ``"HC1"``.
    controls : str or list of str
        Columns adjusted for (e.g. ``["channel", "priority"]``: a change in the mix of channels
        is then not mistaken for an effect). Text columns are dummy-coded; numbers enter as they are.

    Returns
    -------
    DiD
        ``effect`` (outcome units, or a log ratio), ``low``, ``high``, ``p``, ``se``, ``n``,
        ``excluded``, ``clusters``, ``cov``, ``df``, ``level``, ``log``; ``ratio``/``pct`` with
        ``log=True``; ``means``: the four cell means behind it.

    Raises
    ------
    ValueError
        A flag that is not true/false, a cell of the 2×2 design without rows, too few rows, an
        unknown covariance type.

    Notes
    -----
    OLS of ``y = b0 + b1·treated + b2·after + effect·treated·after + Σ c·control``; the effect's
    standard error is cluster-robust (statsmodels ``cov_type="cluster"``, with its small-sample
    correction ``G/(G−1)·(N−1)/(N−K)`` and a t distribution on ``G − 1`` degrees of freedom) or
    heteroskedasticity-robust (``HC1``, normal). Equals
    ``smf.ols("y ~ treated * after", df).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)``.
    Angrist & Pischke (2009), ch. 5; Cameron & Miller (2015).

    Examples
    --------
    >>> d = pd.DataFrame({"y": [10, 12, 11, 13, 20, 14, 21, 13], "treated": [0, 0, 0, 0, 1, 1, 1, 1],
    ...                   "after": [0, 1, 0, 1, 0, 1, 0, 1]})
    >>> r = did(d, outcome="y", treated="treated", after="after")
    >>> round(r.effect, 2), round(r.by_hand, 2), r.n
    (-9.0, -9.0, 8)
    >>> r.means
       treated  after  n  mean
    0    False  False  2  10.5
    1    False   True  2  12.5
    2     True  False  2  20.5
    3     True   True  2  13.5
    """
    level = _level(level)
    _need(df, outcome, treated, after, cluster)
    y, (tr, af), ctrl, keep = _rows(df, outcome, log, (treated, after), controls, cluster)
    cells = pd.DataFrame({"treated": tr[keep], "after": af[keep], "y": y[keep]})
    means = (cells.groupby(["treated", "after"]).agg(n=("y", "size"), mean=("y", "mean"))
             .reindex(pd.MultiIndex.from_product([[False, True], [False, True]], names=["treated", "after"]))
             .reset_index())
    means["n"] = means["n"].fillna(0).astype("int64")
    empty = means[means["n"] == 0]
    if len(empty):
        which = ", ".join(f"{'treated' if r.treated else 'comparison'} {'after' if r.after else 'before'}"
                          for r in empty.itertuples())
        raise ValueError(f"difference-in-differences needs rows in all four cells (treated and comparison, "
                         f"before and after); none in: {which}")
    X = _design({"const": 1.0, "treated": tr, "after": af, "treated:after": tr & af}, ctrl, keep)
    cov, kwds, use_t, groups = _cov_args(df, cov, cluster, keep)
    res, names = _fit(y[keep], X, cov, kwds, use_t)
    e = _effect(res, names, "treated:after", **_fit_facts(keep, groups, cov, level, log))
    return DiD(**vars(e), means=means)


def event_study(df: pd.DataFrame, *, outcome: str, treated: str, time: str, ref, log: bool = False,
                level: float = 0.95, cluster: str | None = None, cov: str | None = None, controls=()) -> pd.DataFrame:
    """The treated-minus-comparison difference in each period, relative to a reference period.

    The picture of parallel trends: before the action the differences should hover around 0;
    from the action on they show its effect, period by period.

    Parameters
    ----------
    df, outcome, treated, log, level, cluster, cov, controls
        As in :func:`did`.
    time : str
        The period of each row (e.g. the month a ticket was created).
    ref : period or value
        The reference period (usually the last one before the action): its difference is 0 by
        construction.

    Returns
    -------
    DataFrame
        One row per period, in order: ``time``, ``effect``, ``low``, ``high``, ``p`` (the
        reference period has effect 0 and no interval), ``n_treated``, ``n_comparison``.

    Notes
    -----
    OLS of ``y = b0 + b1·treated + Σ_k a_k·[time = k] + Σ_k e_k·treated·[time = k] (+ controls)``,
    ``k ≠ ref``; ``e_k`` is the change of the treated-minus-comparison gap from ``ref`` to ``k``.
    Covariance as in :func:`did`.

    Examples
    --------
    >>> base = [1, 2, 3, 1.5, 2, 5]                     # comparison t = 1, 2, 3, then treated t = 1, 2, 3
    >>> d = pd.DataFrame({"y": [v + 0.1 for v in base] + [v - 0.1 for v in base],
    ...                   "treated": [0, 0, 0, 1, 1, 1] * 2, "t": [1, 2, 3] * 4})
    >>> event_study(d, outcome="y", treated="treated", time="t", ref=2)[["time", "effect", "n_treated"]].round(2)
       time  effect  n_treated
    0     1     0.5          2
    1     2     0.0          2
    2     3     2.0          2
    """
    level = _level(level)
    _need(df, outcome, treated, time, cluster)
    y, (tr,), ctrl, keep = _rows(df, outcome, log, (treated,), controls, cluster)
    tv = df[time]
    keep &= tv.notna().to_numpy()
    periods = sorted(tv[keep].unique())
    if isinstance(tv.dtype, pd.PeriodDtype) and not isinstance(ref, pd.Period):
        try:
            ref = pd.Period(ref, freq=tv.dtype.freq)
        except (TypeError, ValueError):
            pass
    if ref not in periods:
        shown = f"{periods[0]} … {periods[-1]}" if periods else "none"
        raise ValueError(f"ref = {ref!r} is not a period of the data (periods with data: {shown})")
    cols = {"const": 1.0, "treated": tr}
    codes = pd.Categorical(tv, categories=periods).codes  # integer codes: fast comparisons (−1 where missing)
    pos = {p: i for i, p in enumerate(periods)}
    others = [p for p in periods if p != ref]
    for p in others:
        cols[f"t[{p}]"] = codes == pos[p]  # booleans until the design: 1 byte a row, not 8
    for p in others:
        cols[f"treated:t[{p}]"] = tr & (codes == pos[p])
    X = _design(cols, ctrl, keep)
    cov, kwds, use_t, _groups = _cov_args(df, cov, cluster, keep)
    res, names = _fit(y[keep], X, cov, kwds, use_t)
    ci = res.conf_int(alpha=1 - level)
    counts = pd.DataFrame({"t": codes[keep], "tr": tr[keep]}).groupby(["t", "tr"]).size()
    rows = []
    for p in periods:
        name = f"treated:t[{p}]"
        nt, nc = int(counts.get((pos[p], True), 0)), int(counts.get((pos[p], False), 0))
        if p == ref:
            rows.append((p, 0.0, np.nan, np.nan, np.nan, nt, nc))
        elif name in names:
            j = names.index(name)
            rows.append((p, float(res.params[j]), float(ci[j][0]), float(ci[j][1]), float(res.pvalues[j]), nt, nc))
        else:  # a period with rows in one group only: no difference to estimate
            rows.append((p, np.nan, np.nan, np.nan, np.nan, nt, nc))
    return pd.DataFrame(rows, columns=["time", "effect", "low", "high", "p", "n_treated", "n_comparison"])


def pretrend(df: pd.DataFrame, *, outcome: str, treated: str, time: str, before, log: bool = False,
             level: float = 0.95, cluster: str | None = None, cov: str | None = None, controls=()) -> Effect:
    """The difference in slope between the treated and the comparison group *before* the action.

    A check of parallel trends: if the treated group was already drifting away from the
    comparison group before the action, the difference-in-differences would credit that drift to
    the action. An interval around 0 (narrow compared with the effect) supports the design; it
    cannot prove it.

    Parameters
    ----------
    df, outcome, treated, log, level, cluster, cov, controls
        As in :func:`did`.
    time : str
        The period of each row (periods or numbers).
    before : period or value
        The action's first period: only rows from earlier periods are used.

    Returns
    -------
    Effect
        ``effect``: treated slope − comparison slope, per period (outcome units, or log ratio per
        period with ``log=True``), with interval and p-value; ``excluded`` counts rows left out
        for a missing value (rows from ``before`` on are not counted).

    Notes
    -----
    OLS of ``y = b0 + b1·treated + b2·t + effect·treated·t (+ controls)`` on the periods before
    ``before``, ``t`` the period index (months count as 1 apart). Covariance as in :func:`did`.

    Examples
    --------
    >>> base = [1, 2, 3, 2, 3.5, 5]                     # comparison +1 per period, treated +1.5
    >>> d = pd.DataFrame({"y": [v + 0.1 for v in base] + [v - 0.1 for v in base],
    ...                   "treated": [0, 0, 0, 1, 1, 1] * 2, "t": [1, 2, 3] * 4})
    >>> round(pretrend(d, outcome="y", treated="treated", time="t", before=4).effect, 3)
    0.5
    """
    level = _level(level)
    _need(df, outcome, treated, time, cluster)
    tnum = _time_index(df[time], time)
    cut = _point(before, df[time], "before")
    pre = df.loc[tnum < cut]
    if pre.empty:
        raise ValueError(f"no rows before {before!r}: the pre-action trend cannot be estimated")
    y, (tr,), ctrl, keep = _rows(pre, outcome, log, (treated,), controls, cluster)
    t = tnum[tnum < cut] - cut
    if len(np.unique(t[keep & tr])) < 2 or len(np.unique(t[keep & ~tr])) < 2:
        raise ValueError("the pre-action trend needs at least two periods in each group before the action")
    X = _design({"const": 1.0, "treated": tr, "t": t, "treated:t": tr * t}, ctrl, keep)
    cov, kwds, use_t, groups = _cov_args(pre, cov, cluster, keep)
    res, names = _fit(y[keep], X, cov, kwds, use_t)
    return _effect(res, names, "treated:t", **_fit_facts(keep, groups, cov, level, log))


# ----------------------------------------------------------------------------------- ITS

def _hac_lags(periods: int) -> int:
    """Newey–West's rule of thumb ``floor(4·(T/100)^(2/9))``."""
    return math.floor(4 * (periods / 100) ** (2 / 9))


def its(df: pd.DataFrame, *, outcome: str, time: str, start, log: bool = False, level: float = 0.95,
        cluster: str | None = None, cov: str | None = None, hac_lags: int | None = None, controls=()) -> ITS:
    """Interrupted time series: the KPI's jump and change of slope at the action's start.

    For an action without a comparison group (it touched every customer): the trend before the
    start, carried on, stands for what would have happened without it. Anything else that changed
    at the same moment is credited to the action, so read it as weaker evidence than
    :func:`did`.

    Parameters
    ----------
    df : DataFrame
        One row per observation (many per period), or one row per period (e.g. monthly means).
    outcome, log, level, controls
        As in :func:`did`.
    time : str
        The period of each row (periods or numbers; months count as 1 apart).
    start : period or value
        The action's first period.
    cluster : str, optional
        Cluster column. Default: the time column itself when some period has several rows (rows
        of one month share that month's circumstances), else none.
    cov : str, optional
        Default ``"cluster"`` when there is a cluster, else ``"HAC"`` (Newey–West, for one row
        per period: neighbouring months are correlated).
    hac_lags : int, optional
        Lags of the HAC covariance; default ``floor(4·(T/100)^(2/9))`` for ``T`` periods.

    Returns
    -------
    ITS
        ``level`` (the jump at ``start``), ``slope`` (change of slope per period), ``trend``
        (slope before), each an :class:`Effect`; ``fitted`` (observed, fitted and counterfactual
        per period).

    Notes
    -----
    Segmented regression ``y = b0 + b1·t + level·after + slope·t·after (+ controls)`` with
    ``t = period − start`` (Bernal, Cummins & Gasparrini 2017). Equals statsmodels
    ``smf.ols("y ~ t * after", df)`` with the same covariance.

    Examples
    --------
    >>> d = pd.DataFrame({"m": range(1, 9), "y": [10, 11, 12, 13, 9, 10, 11, 12]})
    >>> r = its(d, outcome="y", time="m", start=5, cov="nonrobust")
    >>> round(r.level.effect, 2), round(r.slope.effect, 2) + 0.0, round(r.trend.effect, 2)
    (-5.0, 0.0, 1.0)
    """
    level = _level(level)
    _need(df, outcome, time, cluster)
    tnum = _time_index(df[time], time)
    t0 = _point(start, df[time], "start")
    y, ok = _outcome(df, outcome, log)
    ctrl, ctrl_known = _controls(df, controls)
    keep = ok & ctrl_known & np.isfinite(tnum)
    t = tnum - t0
    aft = t >= 0
    before, after_ = len(np.unique(t[keep & ~aft])), len(np.unique(t[keep & aft]))
    if before < 2 or after_ < 2:
        raise ValueError(f"an interrupted time series needs at least two periods before the start and two from "
                         f"it (a level and a slope on each side); got {before} before and {after_} from {start!r}")
    repeated = pd.Series(t[keep]).duplicated().any()
    if cluster is None and cov in (None, "cluster") and repeated:
        df = df.assign(_csa_period=tnum)
        cluster = "_csa_period"
    if cluster is not None:
        keep &= df[cluster].notna().to_numpy()
    if cov is None:
        cov = "cluster" if cluster is not None else "HAC"
    X = _design({"const": 1.0, "t": t, "after": aft, "t:after": t * aft}, ctrl, keep)
    lags = hac_lags if hac_lags is not None else _hac_lags(before + after_)
    cov, kwds, use_t, groups = _cov_args(df, cov, cluster, keep, lags)
    if cov == "HAC" and repeated:
        raise ValueError("cov='HAC' needs one row per period (sorted by time); with several rows per period "
                         "use cluster= (the default clusters on the period)")
    order = np.argsort(t[keep], kind="stable")
    yk, Xk = y[keep][order], _Design([(nm, v if np.ndim(v) == 0 else v[order]) for nm, v in X.cols], X.n)
    if groups is not None:
        kwds = {"groups": groups[order]}
    res, names = _fit(yk, Xk, cov, kwds, use_t)
    common = _fit_facts(keep, groups, cov, level, log)
    effects = {k: _effect(res, names, k, **common) for k in ("after", "t:after", "t")}
    b = dict(zip(names, res.params, strict=True))
    means = {nm: float(np.mean(v)) for nm, v in Xk.cols}
    base = b["const"] + sum(b[c] * float(means[c]) for c in names if c not in ("const", "t", "after", "t:after"))
    per = pd.DataFrame({"t": t[keep], "y": y[keep], "time": df[time].to_numpy()[keep]})
    obs = per.groupby("t", sort=True).agg(time=("time", "first"), n=("y", "size"), mean=("y", "mean"),
                                          sd=("y", "std")).reset_index()
    obs["low"], obs["high"] = S.mean_interval(obs["mean"].to_numpy(), obs["sd"].to_numpy(), obs["n"].to_numpy(),
                                              level=level)
    tt, aa = obs["t"].to_numpy(), (obs["t"].to_numpy() >= 0)
    obs["counterfactual"] = base + b["t"] * tt
    obs["fitted"] = obs["counterfactual"] + aa * (b["after"] + b["t:after"] * tt)
    fitted = obs[["time", "n", "mean", "low", "high", "fitted", "counterfactual"]]
    return ITS(effects["after"], effects["t:after"], effects["t"], start, before, after_, fitted)
