"""How long customers stay: Kaplan–Meier survival curves and the log-rank test, through lifelines.

A customer who is still subscribed has not churned *yet*: their lifetime is only known to be at
least as long as what we saw. Such a lifetime is **censored** (打ち切り). Dropping these customers,
or counting them as if they had churned today, makes customers look shorter-lived than they are;
the Kaplan–Meier estimator (Kaplan & Meier 1958) uses them correctly: each one counts among the
customers "at risk" until the moment they were last seen, and never as a churn.

The estimator and the test are lifelines' (Davidson-Pilon 2019, JOSS 4(40), 1317), the field's
well-kept library; this module only validates the input, names the columns the handbook's way
and keeps aggregation (durations per customer, e.g. :func:`csa.metrics.churn.lifetimes`) apart
from the statistics.
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["LogRank", "SurvivalResult", "logrank", "survival", "survival_by"]

TABLE_COLUMNS = ["t", "survival", "low", "high", "at_risk", "events", "censored"]


@contextmanager
def _quiet():
    """lifelines calls pandas in ways pandas 3 announces will change: not the reader's concern."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"lifelines(\.|$)")
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"lifelines(\.|$)")
        yield


def _arrays(durations, observed, entry=None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    d = pd.to_numeric(pd.Series(np.asarray(durations, dtype=object).ravel()), errors="coerce").to_numpy(float)
    if observed is None:
        o = np.ones(len(d), bool)
    else:
        raw = np.asarray(observed, dtype=object).ravel()
        if len(raw) != len(d):
            raise ValueError(f"durations and observed must have the same length; got {len(d)} and {len(raw)}")
        ok = np.array([v in (0, 1, True, False) for v in raw])
        if not ok.all():
            bad = raw[~ok][:3].tolist()
            raise ValueError(f"observed must be True/False (or 1/0): True when the churn was seen, False when the "
                             f"customer is still subscribed (censored); got e.g. {bad}")
        o = raw.astype(bool)
    e = None
    if entry is not None:
        e = pd.to_numeric(pd.Series(np.asarray(entry, dtype=object).ravel()), errors="coerce").to_numpy(float)
        if len(e) != len(d):
            raise ValueError(f"entry must have one value per duration; got {len(e)} and {len(d)}")
    missing = np.isnan(d) if e is None else np.isnan(d) | np.isnan(e)
    keep = ~missing
    d, o = d[keep], o[keep]
    e = e[keep] if e is not None else None
    if (d < 0).any() or not np.isfinite(d).all():
        raise ValueError(f"durations must be finite and >= 0 (e.g. months subscribed); got e.g. "
                         f"{d[(d < 0) | ~np.isfinite(d)][:3].tolist()}")
    if e is not None and (e > d).any():
        raise ValueError("entry (when a customer came under observation) cannot be later than their duration")
    return d, o, e, int(missing.sum())


@dataclass(frozen=True)
class SurvivalResult:
    """A Kaplan–Meier curve: a tidy table, the median lifetime and the survival at any time.

    Attributes
    ----------
    table : DataFrame
        One row per distinct time (from 0): ``t``, ``survival`` (share still subscribed after
        ``t``, 0–1), ``low``, ``high`` (pointwise interval), ``at_risk`` (customers observed just
        before ``t``), ``events`` (churns at ``t``), ``censored`` (customers last seen at ``t``).
    median, median_low, median_high : float
        Median lifetime and its interval; ``inf`` when the curve never falls to 0.5 (half the
        customers are still there: "not reached").
    n, events : int
        Customers and churns.
    excluded : int
        Rows left out because their duration was missing.
    level : float
        Confidence level.
    label : str
        Name of the curve (e.g. a plan).
    """

    table: pd.DataFrame = field(repr=False)
    median: float
    median_low: float
    median_high: float
    n: int
    events: int
    excluded: int = 0
    level: float = 0.95
    label: str = ""

    def at(self, t):
        """Survival (0–1) just after time ``t`` (a number or an array): the curve is a step function.

        Examples
        --------
        >>> r = survival([1, 2, 2, 3], [True, True, False, True])
        >>> r.at(0), round(r.at(1), 4), round(r.at(2.5), 4), r.at(10)
        (1.0, 0.75, 0.5, 0.0)
        """
        return self._step("survival", t)

    def interval_at(self, t) -> tuple:
        """``(low, high)`` of the survival at ``t``."""
        return self._step("low", t), self._step("high", t)

    def _step(self, col: str, t):
        times = self.table["t"].to_numpy(float)
        vals = self.table[col].to_numpy(float)
        q = np.asarray(t, dtype=float)
        pos = np.searchsorted(times, q, side="right") - 1
        out = np.where(pos >= 0, vals[np.clip(pos, 0, None)], 1.0)
        return float(out) if out.ndim == 0 else out

    def __str__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        med = "not reached" if math.isinf(self.median) else f"{self.median:g}"
        return f"{name}Kaplan–Meier on {self.n:,} customers, {self.events:,} churned; median lifetime {med}"


def survival(durations, observed=None, *, entry=None, level: float = 0.95, label: str = "") -> SurvivalResult:
    """Kaplan–Meier estimate of the share of customers still subscribed after each time.

    Parameters
    ----------
    durations : array-like of float
        Time each customer was observed (e.g. months subscribed); ≥ 0. Missing values are left out
        and counted in ``excluded``.
    observed : array-like of bool, optional
        ``True`` when the churn was seen, ``False`` when the customer is still subscribed
        (censored). ``None``: every churn was seen.
    entry : array-like of float, optional
        Time at which each customer came under observation (left truncation: e.g. a customer who
        had been subscribed for 20 months when the data begin enters at 20). ``None``: all at 0.
    level : float
        Confidence level of the intervals.
    label : str
        Name of the curve.

    Returns
    -------
    SurvivalResult
        ``table`` (``t``, ``survival``, ``low``, ``high``, ``at_risk``, ``events``, ``censored``),
        ``median`` (with ``median_low``, ``median_high``), ``n``, ``events``, ``excluded``, and
        :meth:`SurvivalResult.at`.

    Notes
    -----
    ``S(t) = Π_{tᵢ ≤ t} (1 − dᵢ/nᵢ)`` with ``dᵢ`` churns at ``tᵢ`` and ``nᵢ`` customers at risk just
    before it (Kaplan & Meier 1958, JASA 53, 457–481). Pointwise intervals are lifelines'
    exponential Greenwood ("log(−log)") intervals, which stay inside 0–1 (Kalbfleisch & Prentice
    2002, §1.4); the median's interval is lifelines' ``median_survival_times`` of those bounds.
    Equals ``lifelines.KaplanMeierFitter`` (it is computed by it).

    Examples
    --------
    >>> r = survival([1, 2, 2, 3, 5, 5, 6], [1, 1, 0, 1, 0, 1, 0])
    >>> r.table[["t", "survival", "at_risk", "events", "censored"]].round(4)
         t  survival  at_risk  events  censored
    0  0.0    1.0000        7       0         0
    1  1.0    0.8571        7       1         0
    2  2.0    0.7143        6       1         1
    3  3.0    0.5357        4       1         0
    4  5.0    0.3571        3       1         1
    5  6.0    0.3571        1       0         1
    >>> r.median, r.n, r.events
    (5.0, 7, 4)
    """
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1 (e.g. 0.95); got {level!r}")
    d, o, e, excluded = _arrays(durations, observed, entry)
    if len(d) == 0:
        nan = float("nan")
        return SurvivalResult(pd.DataFrame(columns=TABLE_COLUMNS), nan, nan, nan, 0, 0, excluded, level, label)
    with _quiet():
        kmf = KaplanMeierFitter(alpha=1 - level)
        kmf.fit(d, o, entry=e)
        ci = kmf.confidence_interval_survival_function_
        med_ci = median_survival_times(ci)
    ev = kmf.event_table
    table = pd.DataFrame({
        "t": ev.index.to_numpy(float), "survival": kmf.survival_function_.iloc[:, 0].to_numpy(float),
        "low": ci.iloc[:, 0].to_numpy(float), "high": ci.iloc[:, 1].to_numpy(float),
        "at_risk": ev["at_risk"].to_numpy(np.int64), "events": ev["observed"].to_numpy(np.int64),
        "censored": ev["censored"].to_numpy(np.int64),
    })
    return SurvivalResult(table, float(kmf.median_survival_time_), float(med_ci.iloc[0, 0]),
                          float(med_ci.iloc[0, 1]), len(d), int(o.sum()), excluded, level, label)


@dataclass(frozen=True)
class LogRank:
    """Log-rank test that several groups have the same survival curve.

    Attributes
    ----------
    statistic : float
        Chi-squared statistic.
    df : int
        Degrees of freedom (groups − 1).
    p_value : float
        Two-sided p-value.
    groups : DataFrame
        Per group: ``group``, ``n``, ``events``, ``expected`` (churns expected if all groups were
        alike), ``median``, ``median_low``, ``median_high``.
    """

    statistic: float
    df: int
    p_value: float
    groups: pd.DataFrame = field(repr=False)

    def __str__(self) -> str:
        return (f"log-rank test over {len(self.groups)} groups: chi2 = {self.statistic:.2f} on {self.df} df, "
                f"p = {self.p_value:.3g}")


def logrank(durations, observed, groups, *, level: float = 0.95) -> LogRank:
    """Do the groups' survival curves differ? The log-rank test (Mantel 1966; Peto & Peto 1972).

    Parameters
    ----------
    durations, observed : array-like
        As in :func:`survival`.
    groups : array-like
        Group of each customer (e.g. plan). Rows with a missing group are left out.
    level : float
        Confidence level of the medians' intervals.

    Returns
    -------
    LogRank
        ``statistic``, ``df``, ``p_value`` and a ``groups`` table.

    Notes
    -----
    At each churn time the churns are split among the groups in proportion to the customers at
    risk in each; ``Σ(observed − expected)`` over time, standardised by its variance, is χ² with
    ``groups − 1`` degrees of freedom under "all curves are the same". It weighs every time
    equally and has most power when one group's hazard is a constant multiple of another's.
    Computed by ``lifelines.statistics.multivariate_logrank_test``; equals
    ``statsmodels.duration.survfunc.survdiff``.

    Examples
    --------
    >>> r = logrank([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], ["a", "a", "b", "b", "b", "b"])
    >>> round(r.statistic, 3), r.df, round(r.p_value, 4)
    (5.628, 1, 0.0177)
    """
    from lifelines.statistics import multivariate_logrank_test

    g = pd.Series(np.asarray(groups, dtype=object).ravel())
    d = np.asarray(durations, dtype=float).ravel()
    o = np.ones(len(d), bool) if observed is None else np.asarray(observed).ravel().astype(bool)
    if not len(g) == len(d) == len(o):
        raise ValueError(f"durations, observed and groups must have the same length; got {len(d)}, {len(o)}, "
                         f"{len(g)}")
    keep = g.notna().to_numpy() & ~np.isnan(d)
    if g[keep].nunique() < 2:
        raise ValueError(f"the log-rank test compares at least two groups; got {g[keep].nunique()}")
    with _quiet():
        res = multivariate_logrank_test(d[keep], g[keep].to_numpy(), o[keep])
    rows = []
    for name in sorted(g[keep].unique(), key=str):
        m = keep & (g == name).to_numpy()
        r = survival(d[m], o[m], level=level, label=str(name))
        rows.append([name, r.n, r.events, r.median, r.median_low, r.median_high])
    table = pd.DataFrame(rows, columns=["group", "n", "events", "median", "median_low", "median_high"])
    table.insert(3, "expected", _expected(d[keep], o[keep], g[keep].to_numpy(), table["group"]))
    return LogRank(float(res.test_statistic), int(res.degrees_of_freedom), float(res.p_value), table)


def _expected(d: np.ndarray, o: np.ndarray, g: np.ndarray, names) -> np.ndarray:
    """Churns each group would have had if every group churned at the pooled rate."""
    times = np.unique(d[o])
    out = []
    for name in names:
        mine = g == name
        e = 0.0
        for t in times:
            at_risk = d >= t
            deaths = (d == t) & o
            e += deaths.sum() * (at_risk & mine).sum() / at_risk.sum()
        out.append(e)
    return np.array(out)


def survival_by(df: pd.DataFrame, by: str, *, duration: str = "months", observed: str = "churned",
                level: float = 0.95) -> tuple[pd.DataFrame, LogRank]:
    """Kaplan–Meier curve of each group and the log-rank test between them.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    by : str
        Group column (e.g. ``"plan"``).
    duration, observed : str
        Columns with the time observed and whether the churn was seen (see :func:`survival`).
    level : float
        Confidence level.

    Returns
    -------
    (DataFrame, LogRank)
        The curves stacked: ``by`` column then the columns of :attr:`SurvivalResult.table`; and the
        test (see :func:`logrank`).

    Examples
    --------
    >>> df = pd.DataFrame({"plan": list("aabbbb"), "months": [1, 2, 3, 4, 5, 6], "churned": [1, 1, 1, 1, 0, 1]})
    >>> curves, test = survival_by(df, "plan")
    >>> curves.groupby("plan")["survival"].min().round(3).tolist(), round(test.p_value, 4)
    ([0.0, 0.0], 0.0177)
    """
    for col in (by, duration, observed):
        if col not in df.columns:
            raise KeyError(f"column {col!r} not found; the columns are: {', '.join(map(str, df.columns))}")
    parts = []
    for name, part in df.groupby(by, sort=True, observed=True):
        r = survival(part[duration], part[observed], level=level, label=str(name))
        parts.append(r.table.assign(**{by: name})[[by, *TABLE_COLUMNS]])
    test = logrank(df[duration], df[observed], df[by], level=level)
    return pd.concat(parts, ignore_index=True), test
