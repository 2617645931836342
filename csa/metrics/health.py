"""How good is a churn score? Ranking (AUC), the riskiest accounts (lift, recall) and calibration.

A health score (ヘルススコア) or a churn probability is judged on accounts whose outcome is known,
scored *before* it was known (a backtest, :func:`csa.backtest`). Three questions, three measures:

* **Does it rank?** — :func:`auc`: the ROC AUC, the chance that a customer who left was given a
  higher risk than one who stayed (ties count half). 0.5 is a coin, 1 a perfect ranking; it does not
  depend on how many leave, nor on the scale of the score (only its order counts).
* **Does the top of the list hold the leavers?** — :func:`lift`: among the riskiest share ``top`` of
  the accounts (what a team can call in a month), the churn rate divided by the overall churn rate
  (*lift*), and the share of all leavers found there (*recall*).
* **Can the probability be read as one?** — :func:`calibration`: accounts grouped by their predicted
  probability (deciles), the mean prediction (*expected*) beside the share that left (*observed*,
  with a Wilson interval). A calibrated score says "20 %" for accounts of which about 20 % leave.

Source article 004 asks for early churn detection from data; these are the measures the vendors'
and the literature's backtests report (Hanley & McNeil 1982 for the AUC; lift charts from direct
marketing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import stats as S

__all__ = ["Lift", "auc", "auc_interval", "calibration", "lift"]


def _outcome(churned, score, what: str = "score") -> tuple[np.ndarray, np.ndarray]:
    y = pd.Series(churned)
    if y.isna().any():
        raise ValueError("churned has missing values (outcomes not known yet): leave those accounts out")
    y = y.astype(bool).to_numpy()
    s = pd.to_numeric(pd.Series(score), errors="coerce").to_numpy(float)
    if len(s) != len(y):
        raise ValueError(f"churned has {len(y)} values but {what} has {len(s)}: give one of each per account")
    if np.isnan(s).any():
        raise ValueError(f"{what} has {int(np.isnan(s).sum())} missing value(s): score every account, or leave "
                         "the unscored ones out")
    return y, s


def auc(churned, score) -> float:
    """ROC AUC: the chance that a customer who left has a higher ``score`` than one who stayed.

    Parameters
    ----------
    churned : array-like of bool
        The outcome per account (True: left within the horizon).
    score : array-like of float
        Risk per account, higher meaning more likely to leave (a probability, or any score whose
        order says so: give ``-health`` for a health score where higher is healthier).

    Returns
    -------
    float
        Between 0 and 1; NaN when nobody, or everybody, left (nothing to rank).

    Notes
    -----
    Every pair of a leaver and a stayer is compared: the leaver ranked riskier counts 1, a tie ½.
    With average ranks ``r`` of the leavers (``n1`` of them, ``n0`` stayers) this is the
    Mann–Whitney statistic ``U = Σr − n1(n1 + 1)/2`` over ``n1·n0`` (Hanley & McNeil 1982).

    Examples
    --------
    Five accounts, two of which left (b and d); of the 2 × 3 pairs, the leaver is riskier in 4, tied in 1:

    >>> auc([False, True, False, True, False], [0.1, 0.8, 0.3, 0.3, 0.6])
    0.75
    """
    y, s = _outcome(churned, score)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return math.nan
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def auc_interval(churned, score, *, level: float = 0.95, n_resamples: int = 2000, seed: int = 0
                 ) -> tuple[float, float]:
    """Bootstrap confidence interval of :func:`auc`: the accounts resampled with replacement, the AUC of each
    resample, the BCa interval (``scipy.stats.bootstrap``, paired, reproducible from ``seed``).

    One origin of a backtest holds some hundreds of leavers at most: its AUC is known to a few hundredths, so
    a score should be judged on the mean over the origins, not on one month.

    Parameters
    ----------
    churned : array-like of bool
        The outcome per account.
    score : array-like of float
        Risk per account (higher: riskier), as for :func:`auc`.
    level : float
        Confidence level of the interval.
    n_resamples : int
        Bootstrap resamples.
    seed : int
        Seed of the resampling: the same data give the same interval.

    Returns
    -------
    (float, float)
        The interval's bounds; NaN, NaN when nobody, or everybody, left.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> y = rng.random(400) < 0.2
    >>> score = y + rng.normal(0, 1.2, 400)
    >>> lo, hi = auc_interval(y, score)
    >>> round(lo, 3), round(auc(y, score), 3), round(hi, 3)
    (0.689, 0.748, 0.803)
    """
    from scipy import stats

    y, s = _outcome(churned, score)
    if y.all() or not y.any():
        return math.nan, math.nan

    def statistic(yy, ss, axis=-1):
        ranks = stats.rankdata(ss, axis=axis)
        n1 = yy.sum(axis=axis)
        n0 = yy.shape[axis] - n1
        with np.errstate(invalid="ignore", divide="ignore"):
            return ((ranks * yy).sum(axis=axis) - n1 * (n1 + 1) / 2) / (n1 * n0)

    res = stats.bootstrap((y.astype(float), s), statistic, paired=True, vectorized=True, n_resamples=n_resamples,
                          confidence_level=level, method="BCa", random_state=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


@dataclass(frozen=True)
class Lift:
    """The riskiest accounts: ``k`` of ``n`` taken, ``found`` of the ``churners`` among them."""

    top: float
    n: int
    k: int
    churners: int
    found: int

    @property
    def rate_top(self) -> float:
        """Churn rate among the ``k`` riskiest accounts (0–1)."""
        return self.found / self.k if self.k else math.nan

    @property
    def rate(self) -> float:
        """Churn rate among all accounts (0–1)."""
        return self.churners / self.n if self.n else math.nan

    @property
    def lift(self) -> float:
        """``rate_top ÷ rate``: how many times more leavers the top holds than a random pick (NaN: nobody left)."""
        return self.rate_top / self.rate if self.churners else math.nan

    @property
    def recall(self) -> float:
        """Share of all leavers found among the ``k`` riskiest accounts (0–1; NaN: nobody left)."""
        return self.found / self.churners if self.churners else math.nan


def lift(churned, score, *, top: float = 0.1, k: int | None = None) -> Lift:
    """Lift and recall among the riskiest share ``top`` of the accounts, or the ``k`` riskiest.

    Parameters
    ----------
    churned : array-like of bool
        The outcome per account.
    score : array-like of float
        Risk per account (higher: riskier).
    top : float
        Share of the accounts taken, in (0, 1]: ``k = ⌈top × n⌉`` accounts (at least one).
    k : int, optional
        A number of accounts instead (what a CS team can contact in a month; all of them when fewer).

    Returns
    -------
    Lift
        ``k``, ``found`` (leavers among them), ``churners``, and the properties ``lift``, ``recall``,
        ``rate_top`` and ``rate``.

    Notes
    -----
    The ``k`` accounts with the highest scores are taken; among equal scores the earlier account
    comes first (the order the accounts were given in), so that the count is reproducible.

    Examples
    --------
    Ten accounts, two leavers (rate 0.2); the riskiest 20 % are a and b, one of them a leaver:

    >>> r = lift([1, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0.9, 0.8, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2], top=0.2)
    >>> r.k, r.found, r.lift, r.recall
    (2, 1, 2.5, 0.5)
    >>> lift([1, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0.9, 0.8, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2], k=3).recall
    1.0
    """
    if k is not None and (int(k) != k or k < 1):
        raise ValueError(f"k is a number of accounts ≥ 1 (what the team can contact); got {k!r}")
    if k is None and not 0 < float(top) <= 1:
        raise ValueError(f"top is a share of the accounts in (0, 1], e.g. 0.1 for the riskiest 10 %; got {top!r}")
    y, s = _outcome(churned, score)
    n = len(y)
    if k is None:
        k = max(1, math.ceil(float(top) * n - 1e-9)) if n else 0
    else:
        k = min(int(k), n)
        top = k / n if n else math.nan
    order = np.argsort(-s, kind="stable")[:k]
    return Lift(float(top), n, k, int(y.sum()), int(y[order].sum()))


def calibration(churned, p, *, bins: int = 10, by=None, level: float = 0.95) -> pd.DataFrame:
    """Expected against observed churn by group of predicted probability (deciles by default).

    Parameters
    ----------
    churned : array-like of bool
        The outcome per account.
    p : array-like of float
        Predicted probability of leaving, 0–1.
    bins : int
        Groups of (nearly) equal size, from the lowest predictions to the highest.
    by : array-like, optional
        A grouping of the accounts (e.g. the origin month of a backtest): the bins are cut within each
        group, then pooled, so that every origin contributes to every bin.
    level : float
        Confidence level of the interval of the observed share (Wilson).

    Returns
    -------
    DataFrame
        One row per bin (``bin`` 1 … ``bins``): ``n``, ``churned``, ``expected`` (mean prediction, %),
        ``observed`` (share that left, %), ``low``, ``high`` (its interval, %).

    Notes
    -----
    Accounts are ranked by ``p`` (ties in the order given) and cut into ``bins`` groups of equal
    size (±1). A calibrated score has ``observed ≈ expected`` in every bin; a score that only ranks
    well can be off (too sure at the top, say) and still have a high AUC.

    Examples
    --------
    >>> c = calibration([0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.8, 0.9], bins=2)
    >>> c[["bin", "n", "churned", "expected", "observed"]].round(1).values.tolist()
    [[1.0, 3.0, 1.0, 20.0, 33.3], [2.0, 3.0, 2.0, 70.0, 66.7]]
    """
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ValueError(f"bins is a whole number of groups, 1 or more; got {bins!r}")
    y, s = _outcome(churned, p, "p")
    if ((s < 0) | (s > 1)).any():
        raise ValueError("p holds probabilities between 0 and 1; got values outside")
    frame = pd.DataFrame({"y": y.astype(float), "p": s, "g": 0 if by is None else np.asarray(by, dtype=object)})
    if len(frame) == 0:
        return pd.DataFrame(columns=["bin", "n", "churned", "expected", "observed", "low", "high"])
    ranked = frame.groupby("g", sort=False)["p"].rank(method="first")
    size = frame.groupby("g", sort=False)["p"].transform("size")
    frame["bin"] = np.minimum((np.floor((ranked - 1) * bins / size)).astype(int) + 1, bins)
    out = frame.groupby("bin").agg(n=("y", "size"), churned=("y", "sum"), expected=("p", "mean"),
                                   observed=("y", "mean")).reset_index()
    out["churned"] = out["churned"].astype("int64")
    out["expected"] *= 100
    out["observed"] *= 100
    out["low"], out["high"] = S.proportion_interval(out["churned"].to_numpy(), out["n"].to_numpy(), level=level)
    return out
