"""Support operations (サポート運営): the KPIs of source article 001, from the ``tickets`` table.

Article 001 lists the KPIs a support team runs on and the KGIs they drive. This module computes
each KPI from raw tickets, with its interval and ``n``:

==================================  ==========================  =========================================
KPI (article 001)                    日本語                       here
==================================  ==========================  =========================================
average response time (ART / FRT)    平均応答時間                  :func:`first_response_time`
first contact resolution (FCR)       一次解決率                    :func:`fcr`, :func:`fcr_table`
completion rate                      対応完了率                    :func:`completion_table`
abandonment / interruption rate      対応中断率・放棄率             :func:`abandonment_table`
response quality                     問い合わせ対応品質            :func:`quality_table`
average handle time (AHT)            平均処理時間                  :func:`aht_table`
inquiry volume                       問い合わせ件数                :func:`volume_table`, :func:`weekday_hour`
cost per incident (CPI)              1件あたりのコスト              :func:`cpi`
==================================  ==========================  =========================================

and two of its KGIs: complaints (:func:`complaint_table`) and **SLA achievement**
(:func:`sla_table`). Resolution time (:func:`resolution_time`) completes the time KPIs.

Every function is pure, with the handbook's two steps kept apart:

1. **aggregation** — raw rows to a small table of counts (``n``, ``successes``, ``excluded``)
   or sums (``n``, ``total``, ``total_sq``) per group: :func:`rate_counts`, :func:`mean_sums`;
2. **statistics** — intervals through :mod:`csa.stats`: :func:`rate_stats` (Wilson by default),
   :func:`mean_stats` (Student t). Medians come with a distribution-free interval from order
   statistics, which needs the rows themselves (:func:`mean_table`).

Column names are keyword arguments whose defaults are the canonical names of ``data/README.md``.
Rows a KPI leaves out are counted in ``excluded``, never dropped silently.

Time KPIs say which clock they use: ``clock="calendar"`` (plain elapsed time) or
``clock="business"`` (working hours on working days only, see :mod:`csa.businesstime`).
``first_response_at`` must be the first response of a person: an automatic acknowledgement or a
bot's answer does not count (Intercom leaves bot time out of its response times too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import stats as S
from ..businesstime import BusinessCalendar
from .rates import rate_stats

__all__ = ["CLOCKS", "DEFAULT_SLA_TARGETS", "FCR_DEFINITIONS", "FCR_SOURCES", "MeanResult", "RateResult",
           "abandonment_table", "aht_table", "compare_means", "compare_rates", "complaint_table",
           "completion_table", "cpi", "elapsed_minutes", "fcr", "fcr_counts", "fcr_definitions", "fcr_table",
           "first_response_time", "mean_stats", "mean_sums", "mean_table", "median_ranks", "quality_table",
           "rate_counts", "rate_stats", "rate_table", "resolution_time", "sla_table", "volume_table",
           "weekday_hour"]

CLOCKS = ("calendar", "business")

#: The FCR definitions ``fcr(definition=…)`` knows, with what each counts.
FCR_DEFINITIONS = {
    "one_touch": "solved with at most 1 agent reply and not reopened ÷ solved tickets (the handbook's default)",
    "zendesk": "solved with fewer than 2 agent replies (0 included), reopening ignored ÷ solved tickets",
    "exactly_one": "solved with exactly 1 agent reply, reopening ignored ÷ solved tickets",
    "all_contacts": "solved with at most 1 agent reply and not reopened ÷ all tickets (open and abandoned included)",
}
#: Where each FCR definition comes from.
FCR_SOURCES = {
    "one_touch": "csa handbook default, data/README.md (FCR: solved, ≤ 1 reply, not reopened); article 001 "
                 "lists FCR among the support KPIs",
    "zendesk": "Zendesk Explore 'One-touch tickets': IF (VALUE(Agent replies) < 2 AND status is Solved or "
               "Closed); support.zendesk.com/hc/en-us/articles/4408820618266",
    "exactly_one": "later version of the same Zendesk article: solved or closed tickets with exactly one agent "
                   "reply; a ticket with zero replies is not one-touch",
    "all_contacts": "FCR over all contacts (every contact in the denominator, whatever its outcome), the "
                    "stricter reading used in contact-centre benchmarking",
}

#: First-response SLA targets per priority, in minutes (1, 4, 8 and 24 business hours).
DEFAULT_SLA_TARGETS = {"urgent": 60, "high": 240, "normal": 480, "low": 1440}

_NS_PER_MIN = 60 * 10**9


# =============================================================================== helpers

def _columns(df: pd.DataFrame) -> str:
    return ", ".join(map(str, df.columns))


def _need(df: pd.DataFrame, *cols: str | None) -> None:
    missing = [c for c in cols if c is not None and c not in df.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not found; the columns are: {_columns(df)}. Pass the name your "
                       "export uses as a keyword (e.g. status='state'), or map it with a mapping file")


def _keys(df: pd.DataFrame, by) -> list[str]:
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    _need(df, *keys)
    return keys


def _series(df: pd.DataFrame, x, name: str) -> pd.Series:
    """A column of ``df`` (by name) or an aligned Series/array."""
    if isinstance(x, str):
        _need(df, x)
        return df[x]
    if isinstance(x, pd.Series):
        if not x.index.equals(df.index):
            raise ValueError(f"{name} must be a column name or a Series with the same index as the table")
        return x
    a = np.asarray(x)
    if a.shape != (len(df),):
        raise ValueError(f"{name} must be a column name or an array of length {len(df)}; got shape {a.shape}")
    return pd.Series(a, index=df.index)


def _mask(df: pd.DataFrame, include) -> np.ndarray:
    if include is None:
        return np.ones(len(df), bool)
    return _series(df, include, "include").fillna(False).to_numpy(dtype=bool)


def _bool(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(value as bool, known) of a boolean-ish column (missing → unknown)."""
    known = s.notna().to_numpy()
    return s.fillna(False).to_numpy(dtype=bool), known


def _sum_by(df: pd.DataFrame, keys: list[str], cols: dict[str, np.ndarray]) -> pd.DataFrame:
    work = pd.DataFrame(cols, index=df.index)
    if not keys:
        return pd.DataFrame({k: [v.sum()] for k, v in work.items()})
    for k in keys:
        work[k] = df[k]
    out = work.groupby(keys, sort=True, dropna=False, observed=True)[list(cols)].sum()
    return out.reset_index()


def _level(level: float) -> float:
    S.z_value(level)  # a clear error for a bad level
    return float(level)


# =============================================================================== rates

def rate_counts(df: pd.DataFrame, flag, by=None, *, include=None) -> pd.DataFrame:
    """Step 1 of every rate: per group, the rows counted (``n``) and how many have ``flag``.

    Parameters
    ----------
    df : DataFrame
        One row per unit (ticket, answer, customer).
    flag : str or array-like of bool
        Column (or aligned values) saying whether the row is a success; missing values are
        left out and counted in ``excluded``.
    by : str or list of str, optional
        Grouping columns; ``None`` for one overall row. Every group present in ``df`` appears,
        even with ``n == 0``.
    include : str or array-like of bool, optional
        Rows of the denominator; the others are counted in ``excluded``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n`` (rows counted), ``successes`` and ``excluded`` (rows left out:
        not included, or ``flag`` missing).

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["a", "a", "b"], "ok": [True, None, False]})
    >>> rate_counts(df, "ok", "team")
      team  n  successes  excluded
    0    a  1          1         1
    1    b  1          0         0
    """
    keys = _keys(df, by)
    value, known = _bool(_series(df, flag, "flag"))
    counted = _mask(df, include) & known
    return _sum_by(df, keys, {"n": counted.astype(np.int64), "successes": (value & counted).astype(np.int64),
                              "excluded": (~counted).astype(np.int64)})



def rate_table(df: pd.DataFrame, flag, by=None, *, include=None, level: float = 0.95, method: str = "wilson",
               min_n: int = 30) -> pd.DataFrame:
    """A rate with its interval per group: :func:`rate_counts` then :func:`rate_stats`.

    Parameters
    ----------
    df, flag, by, include, level, method, min_n
        As in :func:`rate_counts` (the rows) and :func:`rate_stats` (the interval).

    Returns
    -------
    DataFrame
        ``by`` columns, ``n``, ``successes``, ``excluded``, ``value`` (%), ``low``, ``high``, ``small_n``.

    Examples
    --------
    >>> df = pd.DataFrame({"team": list("aab"), "ok": [True, False, True]})
    >>> rate_table(df, "ok", "team", min_n=2)[["team", "n", "value", "small_n"]]
      team  n  value  small_n
    0    a  2   50.0    False
    1    b  1  100.0     True
    """
    return rate_stats(rate_counts(df, flag, by, include=include), level=level, method=method, min_n=min_n)


@dataclass(frozen=True)
class RateResult(S.IntervalResult):
    """A rate of one group: ``value``, ``low``, ``high`` in percent, out of ``n`` counted rows."""

    successes: int
    excluded: int = 0
    level: float = 0.95
    method: str = "wilson"
    kpi: str = ""
    definition: str = ""

    def __str__(self) -> str:
        name = f"{self.kpi} " if self.kpi else ""
        how = f" [{self.definition}]" if self.definition else ""
        if not self.n:
            return f"{name}no estimate (n = 0){how}"
        ex = f"; {self.excluded:,} left out" if self.excluded else ""
        return (f"{name}{self.value:.1f} % ({self.level:.0%} interval {self.low:.1f} to {self.high:.1f}; "
                f"{self.successes:,} of n = {self.n:,}{ex}){how}")

    @classmethod
    def from_row(cls, row, *, level: float = 0.95, method: str = "wilson", kpi: str = "",
                 definition: str = "") -> RateResult:
        """The result for one row of :func:`rate_table` (or of :func:`rate_counts`)."""
        if "value" not in row:
            row = rate_stats(pd.DataFrame([dict(row)]), level=level, method=method).iloc[0]
        f = lambda k: float(row[k]) if pd.notna(row[k]) else float("nan")
        return cls(f("value"), f("low"), f("high"), int(row["n"]), int(row["successes"]),
                   int(row.get("excluded", 0) or 0), level, method, kpi, definition)


def _one(table: pd.DataFrame, **kw) -> RateResult:
    return RateResult.from_row(table.iloc[0], **kw)


# =============================================================================== means and medians

def median_ranks(n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Ranks (1-based) of the order statistics bounding a distribution-free interval of the median.

    Parameters
    ----------
    n : int or array-like of int
        Number of observations.
    level : float
        Confidence level.

    Returns
    -------
    (ndarray, ndarray)
        ``r`` and ``n − r + 1``: the interval is ``(x_(r), x_(n−r+1))`` of the sorted values.
        Both are 0 (no interval) when ``n`` is too small to reach ``level`` (n < 6 at 95 %).

    Notes
    -----
    The number of observations below the median is Binomial(n, ½), so ``(x_(r), x_(n−r+1))``
    covers it with probability ``1 − 2·P(B ≤ r − 1)``; ``r`` is the largest rank keeping that
    at least ``level`` (e.g. Conover 1999, *Practical Nonparametric Statistics*, 3rd ed., §3.2).
    Equals ``scipy.stats.quantile_test(x, p=0.5).confidence_interval()``.

    Examples
    --------
    >>> [a.tolist() for a in median_ranks([5, 10, 20])]
    [[0, 2, 6], [0, 9, 15]]
    """
    from scipy.stats import binom

    level = _level(level)
    m = np.atleast_1d(np.asarray(n, dtype=float))
    tail = (1 - level) / 2
    with np.errstate(invalid="ignore"):
        k = binom.ppf(tail, m, 0.5)  # smallest k with P(B <= k) >= tail
        k = np.where(binom.cdf(k, m, 0.5) <= tail + 1e-12, k, k - 1)  # largest k with P(B <= k) <= tail
        r = np.where(m > 0, np.maximum(k + 1, 0), 0).astype(np.int64)
    return r, np.where(r > 0, m.astype(np.int64) - r + 1, 0)


def mean_sums(df: pd.DataFrame, value, by=None, *, include=None) -> pd.DataFrame:
    """Step 1 of a mean: per group ``n``, ``total`` (Σx), ``total_sq`` (Σx²) and ``excluded``.

    Parameters
    ----------
    df : DataFrame
        One row per unit.
    value : str or array-like
        The numeric column (or aligned values); missing values are counted in ``excluded``.
    by : str or list of str, optional
        Grouping columns.
    include : str or array-like of bool, optional
        Rows to use; the others are counted in ``excluded``.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n``, ``total``, ``total_sq``, ``excluded``.

    Examples
    --------
    >>> mean_sums(pd.DataFrame({"x": [1.0, 3.0, None]}), "x")
       n  total  total_sq  excluded
    0  2    4.0      10.0         1
    """
    keys = _keys(df, by)
    v = pd.to_numeric(_series(df, value, "value"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = _mask(df, include) & ~np.isnan(v)
    x = np.where(ok, v, 0.0)
    return _sum_by(df, keys, {"n": ok.astype(np.int64), "total": x, "total_sq": x * x,
                              "excluded": (~ok).astype(np.int64)})


def mean_stats(sums: pd.DataFrame, *, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Step 2 of a mean: mean, standard deviation and Student-t interval per row of a sums table.

    Parameters
    ----------
    sums : DataFrame
        With ``n``, ``total``, ``total_sq`` (from :func:`mean_sums` or any engine).
    level : float
        Confidence level.
    min_n : int
        Rows with fewer observations are flagged ``small_n``.

    Returns
    -------
    DataFrame
        The input plus ``mean``, ``sd``, ``low``, ``high`` (interval of the mean) and ``small_n``.

    Examples
    --------
    >>> mean_stats(pd.DataFrame({"n": [4], "total": [16.0], "total_sq": [72.0]}))[["mean", "low", "high"]].round(1)
       mean  low  high
    0   4.0  1.4   6.6
    """
    missing = [c for c in ("n", "total", "total_sq") if c not in sums.columns]
    if missing:
        raise KeyError(f"sums table lacks {missing}; make it with mean_sums()")
    out = sums.copy()
    n = out["n"].to_numpy(dtype=float)
    ms = S.mean_from_sums(n, out["total"].to_numpy(dtype=float), out["total_sq"].to_numpy(dtype=float))
    out["mean"], out["sd"] = ms.mean, ms.sd
    iv = S.mean_interval(np.nan_to_num(ms.mean), np.nan_to_num(ms.sd), n, level=_level(level))
    out["low"], out["high"] = iv.low, iv.high
    out["small_n"] = S.small_n(n, min_n)
    return out


def _medians(df: pd.DataFrame, v: np.ndarray, ok: np.ndarray, keys: list[str], level: float) -> pd.DataFrame:
    """Median and its distribution-free interval per group of the rows ``ok``."""
    cols = ["median", "median_low", "median_high"]
    if not keys:
        code = np.zeros(int(ok.sum()), np.int64)
        groups = pd.DataFrame(index=[0])
    else:
        sub = df.loc[ok, keys]
        g = sub.groupby(keys, sort=True, dropna=False, observed=True)
        code = g.ngroup().to_numpy(np.int64)
        groups = g.size().reset_index()[keys]
    x = v[ok]
    order = np.lexsort((x, code))
    xs, cs = x[order], code[order]
    counts = np.bincount(cs, minlength=len(groups)) if len(cs) else np.zeros(len(groups), np.int64)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    med = np.full(len(groups), np.nan)
    lo, hi = med.copy(), med.copy()
    has = counts > 0
    if has.any():
        s, c = start[has], counts[has]
        med[has] = (xs[s + (c - 1) // 2] + xs[s + c // 2]) / 2
        r, u = median_ranks(c, level)
        ci = r > 0
        lo[np.flatnonzero(has)[ci]] = xs[s[ci] + r[ci] - 1]
        hi[np.flatnonzero(has)[ci]] = xs[s[ci] + u[ci] - 1]
    out = groups.copy()
    for k, a in zip(cols, (med, lo, hi)):
        out[k] = a
    return out


def mean_table(df: pd.DataFrame, value, by=None, *, include=None, level: float = 0.95, min_n: int = 30,
               median: bool = True) -> pd.DataFrame:
    """Mean (with its t interval) and median (with its distribution-free interval) per group.

    Parameters
    ----------
    df, value, by, include
        As in :func:`mean_sums`.
    level : float
        Confidence level of both intervals.
    min_n : int
        Rows with fewer observations are flagged ``small_n``.
    median : bool
        Also compute the medians (they need the rows, not only sums).

    Returns
    -------
    DataFrame
        ``by`` columns, ``n``, ``total``, ``total_sq``, ``excluded``, ``mean``, ``sd``, ``low``,
        ``high`` (interval of the mean), ``small_n`` and, with ``median``, ``median``,
        ``median_low``, ``median_high`` (missing when ``n`` is too small for an interval: n < 6
        at 95 %).

    Notes
    -----
    Durations are skewed (a few tickets wait days): the mean is pulled up by them and its
    interval relies on the central limit theorem, fine for hundreds of tickets; the median
    shows the typical ticket and its interval holds for any distribution (:func:`median_ranks`).

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["a"] * 6 + ["b"], "min": [1, 2, 3, 4, 5, 60, 7]})
    >>> mean_table(df, "min", "team", min_n=5)[["team", "n", "mean", "median", "median_low", "median_high"]]
      team  n  mean  median  median_low  median_high
    0    a  6  12.5     3.5         1.0         60.0
    1    b  1   7.0     7.0         NaN          NaN
    """
    keys = _keys(df, by)
    out = mean_stats(mean_sums(df, value, by, include=include), level=level, min_n=min_n)
    if not median:
        return out
    v = pd.to_numeric(_series(df, value, "value"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = _mask(df, include) & ~np.isnan(v)
    med = _medians(df, v, ok, keys, level)
    if not keys:
        return pd.concat([out, med.reset_index(drop=True)], axis=1)
    return out.merge(med, on=keys, how="left", sort=False)


@dataclass(frozen=True)
class MeanResult:
    """A mean and a median of one group, with their intervals (units of the values)."""

    mean: float
    low: float
    high: float
    n: int
    sd: float = float("nan")
    median: float = float("nan")
    median_low: float = float("nan")
    median_high: float = float("nan")
    excluded: int = 0
    level: float = 0.95
    kpi: str = ""
    unit: str = ""

    def __str__(self) -> str:
        name = f"{self.kpi}: " if self.kpi else ""
        if not self.n:
            return f"{name}no estimate (n = 0)"
        u = f" {self.unit}" if self.unit else ""
        return (f"{name}mean {self.mean:.1f}{u} ({self.level:.0%} interval {self.low:.1f} to {self.high:.1f}), "
                f"median {self.median:.1f}{u} ({self.median_low:.1f} to {self.median_high:.1f}); n = {self.n:,}")

    @classmethod
    def from_row(cls, row, *, level: float = 0.95, kpi: str = "", unit: str = "") -> MeanResult:
        """The result for one row of :func:`mean_table`."""
        f = lambda k: float(row[k]) if k in row and pd.notna(row[k]) else float("nan")
        return cls(f("mean"), f("low"), f("high"), int(row["n"]), f("sd"), f("median"), f("median_low"),
                   f("median_high"), int(row.get("excluded", 0) or 0), level, kpi, unit)


def compare_rates(a: RateResult, b: RateResult, *, level: float = 0.95, method: str = "newcombe") -> S.Difference:
    """Difference ``a − b`` of two rates (percentage points) with its interval and p-value.

    Parameters
    ----------
    a, b : RateResult
        E.g. this period and the comparison period.
    level : float
        Confidence level.
    method : str
        See :func:`csa.stats.diff_proportions` (Newcombe by default).

    Returns
    -------
    csa.stats.Difference

    Examples
    --------
    >>> d = compare_rates(RateResult(60, 0, 0, 100, 60), RateResult(50, 0, 0, 100, 50))
    >>> round(d.diff, 1), round(d.low, 1), round(d.high, 1)
    (10.0, -3.7, 23.2)
    """
    return S.diff_proportions(a.successes, a.n, b.successes, b.n, level=level, method=method)


def compare_means(a: MeanResult, b: MeanResult, *, level: float = 0.95) -> S.Difference:
    """Difference ``a − b`` of two means with Welch's interval and p-value.

    Parameters
    ----------
    a, b, level
        As in :func:`compare_rates`, with :class:`MeanResult` for ``a`` and ``b``.

    Returns
    -------
    csa.stats.Difference

    Examples
    --------
    >>> d = compare_means(MeanResult(4.1, 0, 0, 40, sd=1.0), MeanResult(3.6, 0, 0, 50, sd=1.2))
    >>> round(d.diff, 2), round(d.p_value, 4)
    (0.5, 0.0338)
    """
    return S.diff_means(a.mean, a.sd, a.n, b.mean, b.sd, b.n, level=level)


# =============================================================================== time KPIs

def elapsed_minutes(tickets: pd.DataFrame, *, end: str, start: str = "created_at", clock: str = "calendar",
                    calendar: BusinessCalendar | None = None) -> pd.Series:
    """Minutes from ``start`` to ``end`` of each ticket, on the calendar or the business clock.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket.
    end : str
        End timestamp column (e.g. ``first_response_at``, ``resolved_at``); missing → NaN.
    start : str
        Start timestamp column.
    clock : {"calendar", "business"}
        ``"calendar"``: elapsed wall time; ``"business"``: working hours on working days only.
    calendar : BusinessCalendar, optional
        Hours, holidays, closing days and time zone of the business clock (default: 09:00–18:00,
        Japanese public holidays, no closing days, Asia/Tokyo).

    Returns
    -------
    Series of float
        Minutes, aligned with ``tickets``.

    Examples
    --------
    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2026-05-01 17:00+09:00"]),
    ...                   "first_response_at": pd.to_datetime(["2026-05-07 10:00+09:00"])})
    >>> elapsed_minutes(t, end="first_response_at").tolist(), \
elapsed_minutes(t, end="first_response_at", clock="business").tolist()
    ([8220.0], [120.0])
    """
    if clock not in CLOCKS:
        raise ValueError(f"clock must be 'calendar' or 'business'; got {clock!r}")
    _need(tickets, start, end)
    s, e = tickets[start], tickets[end]
    if clock == "business":
        cal = calendar or BusinessCalendar()
        return pd.Series(np.asarray(cal.minutes(s, e), dtype=float), index=tickets.index, name=f"{end}_min")
    for name, col in ((start, s), (end, e)):
        if not pd.api.types.is_datetime64_any_dtype(col):
            raise ValueError(f"column {name!r} must hold timestamps (load the data with csa.load); got {col.dtype}")
    return ((e - s).dt.total_seconds() / 60).rename(f"{end}_min")


def first_response_time(tickets: pd.DataFrame, by=None, *, clock: str = "calendar",
                        calendar: BusinessCalendar | None = None, start: str = "created_at",
                        end: str = "first_response_at", level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """First response time (FRT; article 001's average response time, ART) per group, in minutes.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket.
    by : str or list of str, optional
        Grouping columns (channel, team, priority, period…).
    clock : {"calendar", "business"}
        Which clock (see :func:`elapsed_minutes`).
    calendar : BusinessCalendar, optional
        The business clock's settings.
    start, end : str
        Creation and first-response columns.
    level, min_n
        As in :func:`mean_table`.

    Returns
    -------
    DataFrame
        As :func:`mean_table`, in minutes: ``mean`` (ART) with ``low``/``high``, ``median`` with
        ``median_low``/``median_high``. Tickets without a first response yet are left out and
        counted in ``excluded``.

    Notes
    -----
    Article 001: ART is the average time to the first response. Vendors differ: Zendesk stores
    "first reply time" in calendar and in business minutes for every ticket; Intercom reports
    the **median** (not the mean) and leaves bot time out. Report both, and say which clock.

    Examples
    --------
    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2026-10-01 10:00+09:00"] * 3),
    ...                   "first_response_at": pd.to_datetime(["2026-10-01 10:01+09:00",
    ...                                                        "2026-10-01 10:09+09:00", None])})
    >>> first_response_time(t)[["n", "excluded", "mean", "median"]]
       n  excluded  mean  median
    0  2         1   5.0     5.0
    """
    minutes = elapsed_minutes(tickets, start=start, end=end, clock=clock, calendar=calendar)
    return mean_table(tickets, minutes, by, level=level, min_n=min_n)


def resolution_time(tickets: pd.DataFrame, by=None, *, clock: str = "calendar",
                    calendar: BusinessCalendar | None = None, start: str = "created_at", end: str = "resolved_at",
                    status: str = "status", solved: str = "solved", level: float = 0.95,
                    min_n: int = 30) -> pd.DataFrame:
    """Time to resolution of solved tickets per group, in minutes.

    Parameters
    ----------
    tickets, by, clock, calendar
        As in :func:`first_response_time`.
    start, end, status : str
        Creation, resolution and status columns.
    solved : str
        The status value of a solved ticket.
    level, min_n
        As in :func:`mean_table`.

    Returns
    -------
    DataFrame
        As :func:`mean_table`; tickets not solved (open, abandoned) or without ``end`` are
        counted in ``excluded``.

    Notes
    -----
    Only solved tickets have a resolution time, so the most recent tickets (still open) are
    missing: a recent period's resolution time is biased low until they close.

    Examples
    --------
    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2026-10-01 10:00+09:00"] * 2),
    ...                   "resolved_at": pd.to_datetime(["2026-10-01 12:00+09:00", None]),
    ...                   "status": ["solved", "open"]})
    >>> resolution_time(t)[["n", "excluded", "mean"]]
       n  excluded   mean
    0  1         1  120.0
    """
    _need(tickets, status)
    minutes = elapsed_minutes(tickets, start=start, end=end, clock=clock, calendar=calendar)
    return mean_table(tickets, minutes, by, include=tickets[status] == solved, level=level, min_n=min_n)


def aht_table(tickets: pd.DataFrame, by=None, *, handle: str = "handle_time_min",
              handled: str | None = "first_response_at", level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Average handle time (AHT: talk + hold + after-contact work, as recorded) per group, in minutes.

    Parameters
    ----------
    tickets, by
        As in :func:`first_response_time`.
    handle : str
        Recorded handle time in minutes.
    handled : str or None
        A column that is filled once an agent worked on the ticket (default the first response):
        tickets without it have no handle time yet and are counted in ``excluded``; ``None`` uses
        every recorded value.
    level, min_n
        As in :func:`mean_table`.

    Returns
    -------
    DataFrame
        As :func:`mean_table`, in minutes.

    Notes
    -----
    Article 001: AHT is the average time an agent spends per contact. The handbook uses the
    handle time your tool records (phone systems: talk + hold + after-call work); it does not
    reconstruct it from timestamps, which would include the customer's time.

    Examples
    --------
    >>> t = pd.DataFrame({"handle_time_min": [10.0, 20.0, 0.0],
    ...                   "first_response_at": pd.to_datetime(["2026-10-01", "2026-10-01", None])})
    >>> aht_table(t)[["n", "excluded", "mean"]]
       n  excluded  mean
    0  2         1  15.0
    """
    include = None if handled is None else _series(tickets, handled, "handled").notna()
    return mean_table(tickets, handle, by, include=include, level=level, min_n=min_n)


# =============================================================================== FCR

def _fcr_masks(tickets: pd.DataFrame, definition: str, status: str, replies: str, reopened: str,
               solved: str) -> tuple[np.ndarray, np.ndarray]:
    """(success, in the denominator); rows with a needed value missing are in neither."""
    if definition not in FCR_DEFINITIONS:
        raise ValueError(f"definition must be one of {', '.join(map(repr, FCR_DEFINITIONS))}; got {definition!r}")
    _need(tickets, status, replies, *((reopened,) if definition in ("one_touch", "all_contacts") else ()))
    st = tickets[status]
    is_solved = (st == solved).fillna(False).to_numpy(dtype=bool)
    r = pd.to_numeric(tickets[replies], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    known = st.notna().to_numpy() & ~np.isnan(r)
    if definition in ("one_touch", "all_contacts"):
        reo, reo_known = _bool(tickets[reopened])
        known &= reo_known
        success = is_solved & (r <= 1) & ~reo
    elif definition == "zendesk":
        success = is_solved & (r < 2)
    else:  # exactly_one
        success = is_solved & (r == 1)
    denominator = st.notna().to_numpy() if definition == "all_contacts" else is_solved
    if definition == "all_contacts":  # an unsolved ticket is a failure whatever its replies
        known = st.notna().to_numpy() & (~is_solved | known)
    return success & known, denominator & known


def fcr_counts(tickets: pd.DataFrame, by=None, *, definition: str = "one_touch", status: str = "status",
               replies: str = "agent_replies", reopened: str = "reopened", solved: str = "solved") -> pd.DataFrame:
    """Step 1 of FCR: per group, the tickets in the denominator (``n``) and those resolved first time.

    Parameters
    ----------
    tickets, by
        As in :func:`first_response_time`.
    definition : str
        One of :data:`FCR_DEFINITIONS` (see :func:`fcr`).
    status, replies, reopened : str
        Status, agent-reply count and reopened-flag columns.
    solved : str
        The status value of a solved ticket.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n``, ``successes``, ``excluded`` (tickets outside the denominator — not
        solved, for the ÷ solved definitions — or with a needed value missing).

    Examples
    --------
    >>> t = pd.DataFrame({"status": ["solved", "solved", "abandoned"], "agent_replies": [1, 3, 1],
    ...                   "reopened": [False, False, False]})
    >>> fcr_counts(t)
       n  successes  excluded
    0  2          1         1
    """
    success, denominator = _fcr_masks(tickets, definition, status, replies, reopened, solved)
    return rate_counts(tickets, success, by, include=denominator)


def fcr_table(tickets: pd.DataFrame, by=None, *, definition: str = "one_touch", level: float = 0.95,
              method: str = "wilson", min_n: int = 30, status: str = "status", replies: str = "agent_replies",
              reopened: str = "reopened", solved: str = "solved") -> pd.DataFrame:
    """FCR with its interval per group (see :func:`fcr` for the definitions).

    Parameters
    ----------
    tickets, by, definition, status, replies, reopened, solved
        As in :func:`fcr_counts`.
    level, method, min_n
        As in :func:`rate_stats`.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n``, ``successes``, ``excluded``, ``value`` (FCR %), ``low``, ``high``,
        ``small_n``.

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["a", "a", "b"], "status": ["solved"] * 3, "agent_replies": [1, 2, 1],
    ...                   "reopened": [False] * 3})
    >>> fcr_table(t, "team")[["team", "n", "successes", "value"]]
      team  n  successes  value
    0    a  2          1   50.0
    1    b  1          1  100.0
    """
    counts = fcr_counts(tickets, by, definition=definition, status=status, replies=replies, reopened=reopened,
                        solved=solved)
    return rate_stats(counts, level=level, method=method, min_n=min_n)


def fcr(tickets: pd.DataFrame, *, definition: str = "one_touch", level: float = 0.95, method: str = "wilson",
        status: str = "status", replies: str = "agent_replies", reopened: str = "reopened",
        solved: str = "solved") -> RateResult:
    """First contact resolution (FCR, 一次解決率) of a set of tickets, in percent, with its interval.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket.
    definition : {"one_touch", "zendesk", "exactly_one", "all_contacts"}, default "one_touch"
        Which tickets count as resolved at first contact, out of which (see Notes).
    level : float, default 0.95
        Confidence level.
    method : str, default "wilson"
        Interval method of :func:`csa.stats.proportion_interval`.
    status, replies, reopened, solved
        As in :func:`fcr_counts`.

    Returns
    -------
    RateResult
        ``value`` (FCR %), ``low``, ``high``, ``n`` (tickets in the denominator), ``successes``
        (the numerator), ``excluded``, ``level``, ``method``, ``definition``.

    Notes
    -----
    Article 001 lists FCR among the support KPIs without fixing a rule; vendors differ, and the
    number moves with the rule (the notebook shows all four on the same tickets):

    * ``"one_touch"`` (the handbook's default): solved with ≤ 1 agent reply and not reopened,
      ÷ solved tickets;
    * ``"zendesk"``: Zendesk Explore's "One-touch tickets", ``Agent replies < 2`` and status
      Solved/Closed (0 replies included), reopening ignored, ÷ solved (Zendesk help centre,
      "How are one-touch resolutions calculated?", article 4408820618266);
    * ``"exactly_one"``: solved with exactly one agent reply ÷ solved (the later wording of the
      same Zendesk article: a ticket closed with no reply is not one-touch);
    * ``"all_contacts"``: the one-touch numerator ÷ **all** tickets, open and abandoned included
      (every contact counts; the strictest reading).

    Examples
    --------
    >>> t = pd.DataFrame({"status": ["solved", "solved", "solved", "solved", "abandoned"],
    ...                   "agent_replies": [0, 1, 1, 3, 1], "reopened": [False, False, True, False, False]})
    >>> [fcr(t, definition=d).successes for d in FCR_DEFINITIONS]
    [2, 3, 2, 2]
    >>> [fcr(t, definition=d).n for d in FCR_DEFINITIONS]
    [4, 4, 4, 5]
    >>> print(fcr(t))
    FCR 50.0 % (95% interval 15.0 to 85.0; 2 of n = 4; 1 left out) [one_touch]
    """
    t = fcr_table(tickets, definition=definition, level=level, method=method, status=status, replies=replies,
                  reopened=reopened, solved=solved)
    return _one(t, level=level, method=method, kpi="FCR", definition=definition)


def fcr_definitions(tickets: pd.DataFrame, by=None, *, level: float = 0.95, method: str = "wilson",
                    min_n: int = 30, **columns: str) -> pd.DataFrame:
    """FCR under every definition side by side, on the same tickets.

    Parameters
    ----------
    tickets, by, level, method, min_n
        As in :func:`fcr_table`.
    **columns : str
        ``status``, ``replies``, ``reopened``, ``solved`` as in :func:`fcr_counts`.

    Returns
    -------
    DataFrame
        ``definition`` (in the order of :data:`FCR_DEFINITIONS`), the ``by`` columns, and the
        columns of :func:`fcr_table`.

    Examples
    --------
    >>> t = pd.DataFrame({"status": ["solved", "solved", "open"], "agent_replies": [1, 1, 0],
    ...                   "reopened": [False, True, False]})
    >>> fcr_definitions(t)[["definition", "n", "successes", "value"]].round(1)
         definition  n  successes  value
    0     one_touch  2          1   50.0
    1       zendesk  2          2  100.0
    2   exactly_one  2          2  100.0
    3  all_contacts  3          1   33.3
    """
    parts = [fcr_table(tickets, by, definition=d, level=level, method=method, min_n=min_n, **columns)
             .assign(definition=d) for d in FCR_DEFINITIONS]
    out = pd.concat(parts, ignore_index=True)
    return out[["definition", *[c for c in out.columns if c != "definition"]]]


# =============================================================================== other rates

def completion_table(tickets: pd.DataFrame, by=None, *, status: str = "status", solved: str = "solved",
                     level: float = 0.95, method: str = "wilson", min_n: int = 30) -> pd.DataFrame:
    """Completion rate (対応完了率): solved tickets ÷ all tickets, per group.

    Parameters
    ----------
    tickets, by
        As in :func:`first_response_time`.
    status, solved : str
        The status column and its value for a solved ticket.
    level, method, min_n
        As in :func:`rate_stats`.

    Returns
    -------
    DataFrame
        As :func:`rate_table`; tickets without a status are counted in ``excluded``.

    Notes
    -----
    Article 001: completion rate = completed inquiries ÷ all inquiries. Tickets still open
    count as not completed, so the latest period's rate is low until they close.

    Examples
    --------
    >>> completion_table(pd.DataFrame({"status": ["solved", "open", "abandoned", "solved"]}))[["n", "value"]]
       n  value
    0  4   50.0
    """
    _need(tickets, status)
    flag = (tickets[status] == solved).astype("boolean").where(tickets[status].notna())
    return rate_table(tickets, flag, by, level=level, method=method, min_n=min_n)


def abandonment_table(tickets: pd.DataFrame, by=None, *, status: str = "status", abandoned: str = "abandoned",
                      wait: str | None = None, short_abandon: float = 0, level: float = 0.95,
                      method: str = "wilson", min_n: int = 30) -> pd.DataFrame:
    """Abandonment (interruption) rate, 対応中断率: abandoned ÷ started contacts, per group.

    Parameters
    ----------
    tickets, by
        As in :func:`first_response_time`, a ticket being a contact (group by channel first:
        abandonment is a phone and chat measure).
    status : str
        Status column.
    abandoned : str
        The status value of an abandoned contact.
    wait : str, optional
        Seconds the customer waited before hanging up (needed for short abandons). The canonical
        ``tickets`` table has no such column.
    short_abandon : float, default 0
        Abandons after fewer than this many seconds are "short abandons" (wrong numbers, wrong
        menu choices): left out of numerator and denominator (Talkdesk). 0 keeps them all.
    level, method, min_n
        As in :func:`rate_stats`.

    Returns
    -------
    DataFrame
        As :func:`rate_table` (``n`` started contacts, ``successes`` abandoned ones), plus
        ``short_abandons``.

    Raises
    ------
    ValueError
        ``short_abandon > 0`` without a ``wait`` column: the table cannot tell short abandons.

    Notes
    -----
    Article 001: 対応中断率 = contacts interrupted after they started ÷ contacts started. Talkdesk
    ("Abandon Rate"): abandoned ÷ (inbound − short abandoned) when its short-abandon setting is on,
    a short abandon being a call that hangs up before a threshold of seconds set by the admin.

    Examples
    --------
    >>> t = pd.DataFrame({"status": ["solved", "abandoned", "abandoned", "solved"], "wait_s": [30, 4, 50, 20]})
    >>> abandonment_table(t)[["n", "successes", "value"]]
       n  successes  value
    0  4          2   50.0
    >>> abandonment_table(t, wait="wait_s", short_abandon=5)[["n", "successes", "short_abandons", "value"]].round(1)
       n  successes  short_abandons  value
    0  3          1               1   33.3
    """
    _need(tickets, status)
    st = tickets[status]
    is_ab = (st == abandoned).fillna(False).to_numpy(dtype=bool)
    short = np.zeros(len(tickets), bool)
    if short_abandon:
        if float(short_abandon) < 0:
            raise ValueError(f"short_abandon is a number of seconds >= 0; got {short_abandon!r}")
        if wait is None:
            raise ValueError("short_abandon needs the seconds each abandoned contact waited before hanging up "
                             "(wait='your_column'); the tickets table has no such column, so short abandons "
                             "cannot be told apart: set short_abandon=0, or add the column from your phone system")
        w = pd.to_numeric(_series(tickets, wait, "wait"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        short = is_ab & (w < float(short_abandon))
    flag = pd.Series(is_ab, index=tickets.index).astype("boolean").where(st.notna())
    out = rate_table(tickets, flag, by, include=~short, level=level, method=method, min_n=min_n)
    extra = _sum_by(tickets, _keys(tickets, by), {"short_abandons": short.astype(np.int64)})
    out["short_abandons"] = extra["short_abandons"].to_numpy()
    out["excluded"] = out["excluded"] - out["short_abandons"]
    return out


def complaint_table(tickets: pd.DataFrame, by=None, *, flag: str = "is_complaint", level: float = 0.95,
                    method: str = "wilson", min_n: int = 30) -> pd.DataFrame:
    """Complaint rate: tickets that are complaints ÷ all tickets, per group (a KGI of article 001).

    Parameters
    ----------
    tickets, by
        As in :func:`first_response_time`.
    flag : str
        True/false column marking complaints.
    level, method, min_n
        As in :func:`rate_stats`.

    Returns
    -------
    DataFrame
        As :func:`rate_table` (``successes`` = complaints).

    Notes
    -----
    Article 001 counts "fewer complaints" among the KGIs. Read the count and the rate together:
    fewer complaints because there were fewer tickets is not a better service.

    Examples
    --------
    >>> complaint_table(pd.DataFrame({"is_complaint": [True, False, False, False]}))[["n", "successes", "value"]]
       n  successes  value
    0  4          1   25.0
    """
    return rate_table(tickets, flag, by, level=level, method=method, min_n=min_n)


def quality_table(tickets: pd.DataFrame, by=None, *, score: str = "quality_score", level: float = 0.95,
                  min_n: int = 30) -> pd.DataFrame:
    """Response quality (対応品質): mean QA-review score with its interval, and how many were reviewed.

    Parameters
    ----------
    tickets, by
        As in :func:`first_response_time`; ``score`` is filled on QA-reviewed tickets only.
    score : str
        QA score column (0–100).
    level, min_n
        As in :func:`mean_table`; ``small_n`` counts reviewed tickets.

    Returns
    -------
    DataFrame
        As :func:`mean_table` (``n`` = reviewed tickets, ``excluded`` = not reviewed), plus
        ``tickets`` (all tickets) and ``pct_reviewed``.

    Notes
    -----
    Article 001 lists response quality as a KPI without a formula; the handbook uses the QA
    score of reviewed tickets. The mean describes the reviewed tickets: if reviewers pick
    tickets (complaints, new agents) rather than at random, it is not the quality of all tickets.

    Examples
    --------
    >>> t = pd.DataFrame({"quality_score": [80.0, 90.0, None, None]})
    >>> quality_table(t)[["n", "tickets", "pct_reviewed", "mean"]]
       n  tickets  pct_reviewed  mean
    0  2        4          50.0  85.0
    """
    out = mean_table(tickets, score, by, level=level, min_n=min_n)
    out["tickets"] = out["n"] + out["excluded"]
    out["pct_reviewed"] = np.where(out["tickets"] > 0, 100 * out["n"] / out["tickets"].where(out["tickets"] > 0),
                                   np.nan)
    return out


# =============================================================================== SLA

def sla_table(tickets: pd.DataFrame, by=None, *, targets: dict[str, float] | None = None, clock: str = "business",
              calendar: BusinessCalendar | None = None, priority: str = "priority", start: str = "created_at",
              end: str = "first_response_at", as_of=None, level: float = 0.95, method: str = "wilson",
              min_n: int = 30) -> pd.DataFrame:
    """SLA attainment: share of tickets whose first response met the target of their priority.

    Parameters
    ----------
    tickets, by
        As in :func:`first_response_time`.
    targets : dict, optional
        Target per priority value, in minutes of ``clock`` (default :data:`DEFAULT_SLA_TARGETS`:
        urgent 60, high 240, normal 480, low 1,440 — 1, 4, 8 and 24 business hours).
    clock : {"business", "calendar"}, default "business"
        Clock of the targets.
    calendar : BusinessCalendar, optional
        As in :func:`first_response_time`.
    priority, start, end : str
        Priority, creation and first-response columns.
    as_of : timestamp, optional
        When the data was exported: a ticket with no response yet has breached if its target
        had passed by then, and is *pending* (left out) otherwise. Default: the latest
        timestamp in ``start`` and ``end`` (never the clock).
    level, method, min_n
        As in :func:`rate_stats`.

    Returns
    -------
    DataFrame
        As :func:`rate_table` (``n`` tickets measured, ``successes`` within target) plus
        ``pending`` (no response yet, target not yet passed; part of ``excluded``).

    Raises
    ------
    ValueError
        A priority in the data has no target.

    Notes
    -----
    Article 001 counts **SLA achievement** among the KGIs. Zendesk-style SLA policies measure
    first reply time against a target per priority in business hours; a ticket without a reply
    breaches once its target has passed.

    Examples
    --------
    >>> t = pd.DataFrame({"priority": ["high", "high", "low"],
    ...                   "created_at": pd.to_datetime(["2026-10-01 10:00+09:00"] * 3),
    ...                   "first_response_at": pd.to_datetime(["2026-10-01 11:00+09:00",
    ...                                                        "2026-10-01 16:00+09:00", None])})
    >>> sla_table(t, targets={"high": 240, "low": 1440})[["n", "successes", "pending", "value"]]
       n  successes  pending  value
    0  2          1        1   50.0
    """
    targets = dict(DEFAULT_SLA_TARGETS if targets is None else targets)
    _need(tickets, priority, start, end)
    pr = tickets[priority]
    unknown = sorted(set(map(str, pr.dropna().unique())) - set(map(str, targets)))
    if unknown:
        raise ValueError(f"no SLA target for priority {', '.join(map(repr, unknown))}; targets has "
                         f"{', '.join(map(repr, targets))}: add one per priority (minutes)")
    bad = {k: v for k, v in targets.items() if not (isinstance(v, (int, float)) and v > 0)}
    if bad:
        raise ValueError(f"SLA targets are minutes > 0; got {bad}")
    shown = pd.Series(pr.to_numpy(dtype=object))  # matched as text, as the check above does
    shown = shown.where(shown.isna(), shown.astype(str))
    target = shown.map({str(k): float(v) for k, v in targets.items()}).to_numpy(dtype=float)
    minutes = elapsed_minutes(tickets, start=start, end=end, clock=clock, calendar=calendar).to_numpy(dtype=float)
    if as_of is None:
        as_of = pd.concat([tickets[start], tickets[end]]).max()
    waiting = tickets[end].isna().to_numpy() & tickets[start].notna().to_numpy()
    so_far = np.full(len(tickets), np.nan)
    if waiting.any():
        frame = pd.DataFrame({"s": tickets.loc[waiting, start], "e": pd.Series(as_of, index=tickets.index[waiting])})
        so_far[waiting] = elapsed_minutes(frame, start="s", end="e", clock=clock, calendar=calendar).to_numpy()
    breached_open = waiting & (so_far > target)
    pending = waiting & ~breached_open
    with np.errstate(invalid="ignore"):
        met = minutes <= target
    known = (~np.isnan(minutes) | breached_open) & ~np.isnan(target)
    flag = pd.Series(met & ~breached_open, index=tickets.index).astype("boolean").where(known)
    out = rate_table(tickets, flag, by, level=level, method=method, min_n=min_n)
    out["pending"] = _sum_by(tickets, _keys(tickets, by), {"pending": pending.astype(np.int64)})["pending"].to_numpy()
    return out


# =============================================================================== volume

def volume_table(tickets: pd.DataFrame, by=None) -> pd.DataFrame:
    """Inquiry volume (問い合わせ件数): tickets per group and their share.

    Parameters
    ----------
    tickets, by
        As in :func:`first_response_time`; shares are of the whole table (with two columns, of the
        grand total).

    Returns
    -------
    DataFrame
        ``by`` columns, ``tickets`` and ``share`` (percent of all tickets).

    Examples
    --------
    >>> volume_table(pd.DataFrame({"channel": ["chat", "email", "chat", "chat"]}), "channel")
      channel  tickets  share
    0    chat        3   75.0
    1   email        1   25.0
    """
    keys = _keys(tickets, by)
    out = _sum_by(tickets, keys, {"tickets": np.ones(len(tickets), np.int64)})
    total = out["tickets"].sum()
    out["share"] = 100 * out["tickets"] / total if total else np.nan
    return out


def weekday_hour(tickets: pd.DataFrame, *, at: str = "created_at", per_day: bool = False,
                 first=None, last=None) -> pd.DataFrame:
    """Tickets per weekday (rows, Monday = 0) and hour of the day (columns 0–23).

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket; ``at`` in the business time zone (as :func:`csa.load` gives it).
    at : str
        Timestamp column.
    per_day : bool
        ``False``: counts. ``True``: average tickets per hour of each weekday, dividing by how
        many times that weekday occurs from ``first`` to ``last``.
    first, last : date-like, optional
        The days covered (default: the data's first and last day).

    Returns
    -------
    DataFrame
        7 rows (weekday 0–6) × 24 columns (hour 0–23).

    Examples
    --------
    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2026-10-05 09:10", "2026-10-05 09:50",
    ...                                                 "2026-10-12 09:05"])})
    >>> weekday_hour(t).loc[0, 9], weekday_hour(t, per_day=True).loc[0, 9]
    (np.int64(3), np.float64(1.5))
    """
    _need(tickets, at)
    ts = tickets[at].dropna()
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    counts = pd.crosstab(ts.dt.day_of_week, ts.dt.hour).reindex(index=range(7), columns=range(24), fill_value=0)
    counts.index.name, counts.columns.name = "weekday", "hour"
    if not per_day:
        return counts
    if ts.empty:
        return counts.astype(float)
    a = pd.Timestamp(first if first is not None else ts.min()).tz_localize(None).normalize()
    b = pd.Timestamp(last if last is not None else ts.max()).tz_localize(None).normalize()
    days = pd.date_range(a, b, freq="D")
    occurs = pd.Series(days.day_of_week).value_counts().reindex(range(7), fill_value=0)
    return counts.div(occurs.replace(0, np.nan), axis=0)


# =============================================================================== cost

_CPI_DEFINITIONS = ("all", "resolved")
_MONTH = re.compile(r"(\d{4})[-/](\d{1,2})")


def _month(m, column: str) -> pd.Period:
    """A cost row's month: ``"2026-10"`` (or ``2026/10``), a monthly period or a date."""
    if isinstance(m, pd.Period):
        return m.asfreq("M")
    if isinstance(m, (pd.Timestamp, np.datetime64)) or (hasattr(m, "year") and hasattr(m, "month")):
        return pd.Period(pd.Timestamp(m), "M")
    found = _MONTH.fullmatch(str(m).strip())
    if found is None or not 1 <= int(found[2]) <= 12:
        raise ValueError(f"costs column {column!r} must hold months like '2026-10'; got {m!r}")
    return pd.Period(year=int(found[1]), month=int(found[2]), freq="M")


def cpi(tickets: pd.DataFrame, costs: pd.DataFrame, *, by: str | None = None, definition: str = "all",
        freq: str = "M", month: str = "month", team: str = "team", amount: str = "amount",
        created: str = "created_at", resolved: str = "resolved_at", status: str = "status",
        solved: str = "solved", ticket_team: str = "team") -> pd.DataFrame:
    """Cost per incident (CPI, 1件あたりのコスト): support cost ÷ tickets, per period (and team).

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket.
    costs : DataFrame
        Support cost per month (and team): columns ``month`` (``"2026-10"`` or a monthly
        period), ``team`` (optional; empty for costs not allocated to a team) and ``amount``
        (JPY, ≥ 0). One row per month and team.
    by : {None, "team"}
        ``None``: all teams together; ``"team"``: per team (costs with an empty team then count
        only in the total, as ``unallocated``).
    definition : {"all", "resolved"}, default "all"
        ``"all"``: ÷ tickets created in the period (MetricNet/HDI's cost per ticket);
        ``"resolved"``: ÷ tickets resolved (solved) in the period.
    freq : str, default "M"
        pandas period frequency: ``"M"`` (month), ``"Q-DEC"`` (quarter), ``"Y-MAR"`` (fiscal year
        from April). Monthly costs are summed into it.
    month, team, amount : str
        Columns of ``costs``.
    created, resolved, status, ticket_team : str
        Columns of ``tickets``.
    solved : str
        As in :func:`resolution_time`.

    Returns
    -------
    DataFrame
        ``period``, [``team``], ``cost`` (JPY; missing when no cost was recorded), ``cost_months``
        (months with a cost row), ``tickets``, ``cpi`` (JPY per ticket; missing without cost or
        tickets), ``definition``.

    Notes
    -----
    MetricNet (Rumburg, "Metric of the Month: Cost per Ticket", also HDI SupportWorld 2021):
    cost per ticket = the desk's total monthly operating expense (salaries and benefits of
    agents and indirect staff, technology, facilities, training…) ÷ the monthly ticket volume.
    Others divide by resolved tickets, which is higher when many tickets stay unresolved. Both
    are ratios of totals for the whole period, not samples: there is no sampling interval.

    Examples
    --------
    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2026-09-30 10:00", "2026-10-01 10:00",
    ...                                                 "2026-10-02 10:00"]),
    ...                   "resolved_at": pd.to_datetime(["2026-10-01 09:00", None, "2026-10-02 12:00"]),
    ...                   "status": ["solved", "open", "solved"], "team": ["a", "a", "b"]})
    >>> c = pd.DataFrame({"month": ["2026-09", "2026-10"], "team": ["a", "a"], "amount": [1000, 3000]})
    >>> cpi(t, c)[["period", "cost", "tickets", "cpi"]]
        period    cost  tickets     cpi
    0  2026-09  1000.0        1  1000.0
    1  2026-10  3000.0        2  1500.0
    >>> cpi(t, c, definition="resolved")["cpi"].tolist()
    [nan, 1500.0]
    """
    if definition not in _CPI_DEFINITIONS:
        raise ValueError(f"definition must be 'all' (÷ all tickets, MetricNet/HDI) or 'resolved' (÷ resolved "
                         f"tickets); got {definition!r}")
    if by not in (None, "team"):
        raise ValueError(f"by is None or 'team'; got {by!r}")
    _need(costs, month, amount, *((team,) if by else ()))
    c = costs.copy()
    c["_m"] = pd.PeriodIndex([_month(m, month) for m in c[month]])
    amt = pd.to_numeric(c[amount], errors="coerce")
    if amt.isna().any() or (amt < 0).any():
        bad = c.loc[amt.isna() | (amt < 0), amount].head(3).tolist()
        raise ValueError(f"costs column {amount!r} must hold amounts in JPY >= 0; got {bad}")
    c["_a"] = amt.astype(float)
    c["_t"] = c[team].astype(object).where(c[team].notna() & (c[team].astype(str).str.strip() != ""), None) \
        if team in c.columns else None
    dup = c.duplicated(["_m", "_t"], keep=False)
    if dup.any():
        first = c.loc[dup].iloc[0]
        raise ValueError(f"costs has {int(dup.sum())} rows for the same month and team (e.g. {first['_m']}, "
                         f"{first['_t']!r}): give one row per month and team")
    c["period"] = c["_m"].map(lambda p: p.asfreq(freq))

    _need(tickets, created, *((resolved, status) if definition == "resolved" else ()),
          *((ticket_team,) if by else ()))
    if definition == "all":
        when, use = tickets[created], tickets[created].notna()
    else:
        when, use = tickets[resolved], (tickets[status] == solved).fillna(False) & tickets[resolved].notna()
    wall = when[use]
    wall = wall.dt.tz_localize(None) if getattr(wall.dt, "tz", None) is not None else wall
    tk = pd.DataFrame({"period": wall.dt.to_period("M").dt.asfreq(freq)})  # vectorised, as Period.asfreq
    keys = ["period"]
    if by:
        tk["team"] = tickets.loc[use, ticket_team].to_numpy()
        c = c.assign(team=c["_t"])
        keys = ["period", "team"]
        c = c[c["team"].notna()]
    counts = tk.groupby(keys, sort=True).size().rename("tickets")
    cost = c.groupby(keys, sort=True).agg(cost=("_a", "sum"), cost_months=("_m", "nunique"))
    out = cost.join(counts, how="outer").reset_index().sort_values(keys, kind="stable").reset_index(drop=True)
    out["tickets"] = out["tickets"].fillna(0).astype("int64")
    out["cost_months"] = out["cost_months"].fillna(0).astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["cpi"] = np.where(out["tickets"] > 0, out["cost"] / out["tickets"].where(out["tickets"] > 0), np.nan)
    out["definition"] = definition
    return out[[*keys, "cost", "cost_months", "tickets", "cpi", "definition"]]
