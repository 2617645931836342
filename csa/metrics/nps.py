"""Net Promoter Score (NPS, ネット・プロモーター・スコア): counts, then statistics on counts.

Definition (source article 001): on the 0–10 "would you recommend …" scale, promoters answer
9–10, passives 7–8, detractors 0–6; **NPS = % promoters − % detractors**, from −100 to +100
(article 000: +50 and above is "excellent").

Every function here is pure: a DataFrame or a counts table in, a tidy table or a result out;
column names are keyword arguments whose defaults are the handbook's canonical names. The two
steps of every metric are kept apart:

1. **aggregation**: :func:`nps_counts` turns raw responses into a small table of counts
   (``n, promoters, passives, detractors, excluded``) per group; any engine that can count
   (DuckDB, Polars, Spark) can produce the same table;
2. **statistics**: :func:`nps_stats`, :func:`compare`, :func:`compare_periods`,
   :func:`sample_size` work on counts only, through the shared :mod:`csa.stats`.

Intervals default to the **adjusted Wald** of Rocks (2016), see :func:`csa.stats.nps_interval`.
Dataset-level helpers (responses with customer attributes, follow-up lists, survey waves) live in
:mod:`csa.views.nps`; charts and labels in :mod:`csa.display`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import stats as S
from ..errors import DataError, Problem

__all__ = ["COUNT_COLUMNS", "GROUPS", "METHODS", "Comparison", "NPSResult", "PairedChange", "classify",
           "compare", "compare_counts", "compare_periods", "nps", "nps_counts", "nps_stats", "nps_table",
           "paired_change", "sample_size", "trinomial"]

METHODS = ("adjusted-wald", "wald")
COUNT_COLUMNS = ["n", "promoters", "passives", "detractors"]
GROUPS = ("promoter", "passive", "detractor")


def classify(scores) -> np.ndarray:
    """The NPS group of each 0–10 score.

    Parameters
    ----------
    scores : array-like
        0–10 answers.

    Returns
    -------
    ndarray of str
        ``'promoter'`` (9–10), ``'passive'`` (7–8) or ``'detractor'`` (0–6).

    Examples
    --------
    >>> classify([0, 6, 7, 8, 9, 10]).tolist()
    ['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']
    """
    s = np.asarray(scores, dtype=float)
    return np.where(s >= 9, "promoter", np.where(s >= 7, "passive", "detractor"))


def trinomial(scores) -> np.ndarray:
    """Each score as +1 (promoter), 0 (passive) or −1 (detractor): NPS = 100 × their mean.

    Parameters
    ----------
    scores
        As in :func:`classify`.

    Returns
    -------
    ndarray of float

    Examples
    --------
    >>> trinomial([10, 8, 3]).tolist()
    [1.0, 0.0, -1.0]
    """
    s = np.asarray(scores, dtype=float)
    return np.where(s >= 9, 1.0, np.where(s <= 6, -1.0, 0.0))


_CLASS_OF_SCORE = np.array([0] * 7 + [1] * 2 + [2] * 2, dtype=np.int64)  # 0–6, 7–8, 9–10


def _classes(scores: pd.Series) -> np.ndarray:
    """0 detractor, 1 passive, 2 promoter, 3 not a valid score (missing, outside 0–10, fractional)."""
    if pd.api.types.is_integer_dtype(scores) and not scores.hasnans:
        v = scores.to_numpy(dtype=np.int64)
        ok = (v >= 0) & (v <= 10)
        return np.where(ok, _CLASS_OF_SCORE[np.clip(v, 0, 10)], 3)
    num = pd.to_numeric(scores, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ok = (num >= 0) & (num <= 10) & (num % 1 == 0)
    return np.where(ok, _CLASS_OF_SCORE[np.clip(np.nan_to_num(num), 0, 10).astype(np.int64)], 3)


# ------------------------------------------------------------------------------- aggregation

def nps_counts(df: pd.DataFrame, by: str | list[str] | None = None, *, score: str = "score",
               exclude_invalid: bool = False) -> pd.DataFrame:
    """Step 1: count promoters, passives and detractors per group.

    Parameters
    ----------
    df : DataFrame
        One row per NPS response.
    by : str or list of str, optional
        Grouping column(s); ``None`` for one overall row. Missing group values form their own group.
    score : str
        The 0–10 score column.
    exclude_invalid : bool
        Scores that are missing, outside 0–10 or not whole numbers raise a :class:`~csa.DataError`
        by default; with ``True`` they are left out of ``n`` and counted in ``excluded``.

    Returns
    -------
    DataFrame
        The ``by`` columns (groups sorted), ``n`` (valid responses), ``promoters``, ``passives``,
        ``detractors`` and ``excluded``. Only groups with at least one row appear.

    Examples
    --------
    >>> df = pd.DataFrame({"tp": ["web", "web", "call"], "score": [10, 3, 8]})
    >>> nps_counts(df, "tp")
         tp  n  promoters  passives  detractors  excluded
    0  call  1          0         1           0         0
    1   web  2          1         0           1         0
    """
    if score not in df.columns:
        raise KeyError(f"score column {score!r} not found; the columns are: {', '.join(map(str, df.columns))}")
    cls = _classes(df[score])
    if not exclude_invalid and (cls == 3).any():
        bad = df.loc[cls == 3, score]
        raise DataError([Problem("surveys", "(data frame)", "NPS scores must be whole numbers 0–10",
                                 "filter to survey == 'nps' first, or pass exclude_invalid=True to "
                                 "leave such rows out (they are then counted in 'excluded')",
                                 column=score, n_rows=len(bad), rows=[int(i) + 2 for i in bad.index[:3]],
                                 values=bad.iloc[:3].tolist())])
    if by is None:
        c = np.bincount(cls, minlength=4)
        return _counts_frame({}, c[None, :])
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise KeyError(f"group column(s) {missing} not found; the columns are: {', '.join(map(str, df.columns))}")
    codes, uniques = [], []
    for k in keys:
        c, u = pd.factorize(df[k], sort=True, use_na_sentinel=False)
        codes.append(c.astype(np.int64))
        uniques.append(u)
    shape = tuple(max(len(u), 1) for u in uniques)
    cells = int(np.prod(shape, dtype=np.int64))
    if cells > _DENSE_LIMIT:  # too many key combinations for a dense count: let pandas hash them
        work = pd.DataFrame({k: df[k] for k in keys}).assign(_cls=cls)
        tab = work.groupby([*keys, "_cls"], sort=True, dropna=False).size().unstack("_cls", fill_value=0)
        tab = tab.reindex(columns=range(4), fill_value=0)
        return _counts_frame({k: tab.index.get_level_values(k) for k in keys}, tab.to_numpy())
    flat = np.ravel_multi_index(codes, shape) if len(keys) > 1 else codes[0]
    counts = np.bincount(flat * 4 + cls, minlength=cells * 4).reshape(cells, 4)
    present = np.flatnonzero(counts.sum(axis=1) > 0)
    parts = np.unravel_index(present, shape)
    return _counts_frame({k: uniques[i].take(parts[i]) for i, k in enumerate(keys)}, counts[present])


_DENSE_LIMIT = 10_000_000  # key combinations counted densely with np.bincount


def _counts_frame(keys: dict, c: np.ndarray) -> pd.DataFrame:
    """Counts table from class counts ``c`` (columns: detractors, passives, promoters, excluded)."""
    c = np.asarray(c, dtype=np.int64)
    out = pd.DataFrame({k: np.asarray(v) if not hasattr(v, "dtype") else v for k, v in keys.items()})
    out["n"] = c[:, :3].sum(axis=1)
    out["promoters"], out["passives"], out["detractors"], out["excluded"] = c[:, 2], c[:, 1], c[:, 0], c[:, 3]
    return out.reset_index(drop=True) if keys else out


# ------------------------------------------------------------------------------- statistics

def nps_stats(counts: pd.DataFrame, *, level: float = 0.95, method: str = "adjusted-wald",
              min_n: int = 30) -> pd.DataFrame:
    """Step 2: NPS, shares and interval for each row of a counts table.

    Parameters
    ----------
    counts : DataFrame
        From :func:`nps_counts` (or any engine): columns ``n``, ``promoters``, ``detractors``
        (``passives`` optional), plus any group columns, which are kept.
    level : float
        Confidence level of the intervals.
    method : str
        ``"adjusted-wald"`` (Rocks 2016, the default) or ``"wald"``.
    min_n : int
        Rows with fewer responses are flagged ``small_n`` ("too few to read").

    Returns
    -------
    DataFrame
        The input columns plus ``pct_promoters``, ``pct_passives``, ``pct_detractors`` (0–100),
        ``nps`` (plain NPS, −100…100), ``se`` (standard error, NPS points), ``low`` and ``high``
        (the interval, clipped to −100…100) and ``small_n`` (``n < min_n``). Rows with ``n == 0``
        get missing values, never an interval.

    Notes
    -----
    NPS = 100 × (P − D) / n. Scoring each answer +1 / 0 / −1, one answer's variance is
    p + d − (p − d)²; the interval is :func:`csa.stats.nps_interval`.

    Examples
    --------
    >>> c = pd.DataFrame({"n": [10], "promoters": [5], "passives": [3], "detractors": [2]})
    >>> nps_stats(c, min_n=30)[["nps", "low", "high", "small_n"]].round(1)
        nps   low  high  small_n
    0  30.0 -19.1  65.2     True
    """
    missing = [c for c in ("n", "promoters", "detractors") if c not in counts]
    if missing:
        raise KeyError(f"counts table lacks {missing}; make it with nps_counts()")
    out = counts.copy()
    n = out["n"].to_numpy(dtype=float)
    P, D = out["promoters"].to_numpy(dtype=float), out["detractors"].to_numpy(dtype=float)
    has = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pct_promoters"] = np.where(has, 100 * P / n, np.nan)
        out["pct_passives"] = np.where(has, 100 * (n - P - D) / n, np.nan)
        out["pct_detractors"] = np.where(has, 100 * D / n, np.nan)
    out["nps"] = out["pct_promoters"] - out["pct_detractors"]
    iv = S.nps_interval(P, D, n, level=level, method=method)
    out["se"] = np.where(has, iv.se, np.nan)
    out["low"] = np.where(has, iv.low, np.nan)
    out["high"] = np.where(has, iv.high, np.nan)
    out["small_n"] = S.small_n(n, min_n)
    return out


def nps_table(df: pd.DataFrame, by: str | list[str] | None = None, *, score: str = "score",
              level: float = 0.95, method: str = "adjusted-wald", min_n: int = 30,
              exclude_invalid: bool = False) -> pd.DataFrame:
    """NPS with its interval per group of raw responses: :func:`nps_counts` then :func:`nps_stats`.

    Parameters
    ----------
    df, by, score, exclude_invalid, level, method, min_n
        As in :func:`nps_counts` (the first four) and :func:`nps_stats` (the others).

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``n``, ``promoters``, ``passives``, ``detractors``,
        ``excluded``, ``pct_promoters``, ``pct_passives``, ``pct_detractors``, ``nps``, ``se``,
        ``low``, ``high``, ``small_n``.

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["a"] * 4 + ["b"] * 2, "score": [10, 9, 3, 8, 10, 0]})
    >>> nps_table(df, "team", min_n=3)[["team", "n", "nps", "small_n"]]
      team  n   nps  small_n
    0    a  4  25.0    False
    1    b  2   0.0     True
    """
    return nps_stats(nps_counts(df, by, score=score, exclude_invalid=exclude_invalid), level=level,
                     method=method, min_n=min_n)


@dataclass(frozen=True)
class NPSResult(S.IntervalResult):
    """NPS of one group of responses. ``value``, ``low``, ``high`` are on the −100…100 scale."""

    promoters: int
    passives: int
    detractors: int
    excluded: int = 0
    level: float = 0.95
    method: str = "adjusted-wald"

    @property
    def pct_promoters(self) -> float:
        """Share of promoters, 0–100."""
        return 100 * self.promoters / self.n if self.n else float("nan")

    @property
    def pct_detractors(self) -> float:
        """Share of detractors, 0–100."""
        return 100 * self.detractors / self.n if self.n else float("nan")

    @property
    def pct_passives(self) -> float:
        """Share of passives, 0–100."""
        return 100 * self.passives / self.n if self.n else float("nan")

    def __str__(self) -> str:
        if not self.n:
            return "NPS: no valid responses" + (f" ({self.excluded} excluded)" if self.excluded else "")
        ex = f"; {self.excluded} excluded" if self.excluded else ""
        return (f"NPS {self.value:+.1f} ({self.level:.0%} interval {self.low:+.1f} to {self.high:+.1f}, "
                f"{self.method}; n = {self.n:,}: {self.promoters:,} promoters, {self.passives:,} passives, "
                f"{self.detractors:,} detractors{ex})")

    @classmethod
    def from_counts(cls, row, *, level: float = 0.95, method: str = "adjusted-wald") -> NPSResult:
        """The result for one row of a counts table (a Series or a dict with ``n``, ``promoters``, …)."""
        get = row.get if hasattr(row, "get") else row.__getitem__
        c = pd.DataFrame([{k: int(get(k)) for k in COUNT_COLUMNS}])
        r = nps_stats(c, level=level, method=method).iloc[0]
        return cls(float(r["nps"]), float(r["low"]), float(r["high"]), int(r["n"]), int(r["promoters"]),
                   int(r["passives"]), int(r["detractors"]), int(get("excluded") or 0) if "excluded" in row else 0,
                   level, method)


def nps(scores, *, level: float = 0.95, method: str = "adjusted-wald", exclude_invalid: bool = False) -> NPSResult:
    """NPS of a set of 0–10 scores, with its interval.

    Parameters
    ----------
    scores : array-like
        0–10 answers.
    level : float
        Confidence level.
    method : str
        ``"adjusted-wald"`` (default) or ``"wald"``.
    exclude_invalid : bool
        Leave out (and count) scores that are missing or not whole numbers 0–10, instead of
        raising :class:`~csa.DataError`.

    Returns
    -------
    NPSResult
        ``value`` (NPS), ``low``, ``high``, ``n``, ``promoters``, ``passives``, ``detractors``,
        ``excluded``, ``level``, ``method``; ``pct_*`` shares as properties.

    Examples
    --------
    >>> r = nps([10, 9, 9, 10, 9, 8, 7, 8, 3, 6])
    >>> r.value, r.promoters, r.passives, r.detractors
    (30.0, 5, 3, 2)
    >>> round(r.low, 1), round(r.high, 1)
    (-19.1, 65.2)
    """
    s = pd.Series(scores) if not isinstance(scores, pd.Series) else scores
    counts = nps_counts(pd.DataFrame({"score": s.reset_index(drop=True)}), exclude_invalid=exclude_invalid)
    return NPSResult.from_counts(counts.iloc[0], level=level, method=method)


# ------------------------------------------------------------------------------- comparison

@dataclass(frozen=True)
class Comparison:
    """Difference ``a − b`` of two NPS (points), its interval and two-sided p-value."""

    diff: float
    low: float
    high: float
    z: float
    p_value: float
    a: NPSResult
    b: NPSResult
    level: float = 0.95
    method: str = "adjusted-wald"

    def __str__(self) -> str:
        return (f"NPS difference {self.diff:+.1f} points ({self.level:.0%} interval {self.low:+.1f} to "
                f"{self.high:+.1f}; z = {self.z:.2f}, p = {self.p_value:.3g}; n = {self.a.n:,} vs {self.b.n:,})")


def compare(a, b, *, level: float = 0.95, method: str = "adjusted-wald") -> Comparison:
    """Is NPS ``a`` different from NPS ``b``? Independent samples: two groups or two periods.

    Parameters
    ----------
    a, b : NPSResult or counts row
        Anything with ``n``, ``promoters``, ``passives``, ``detractors``.
    level : float
        Confidence level of the interval of the difference.
    method : str
        ``"adjusted-wald"`` (default) or ``"wald"``.

    Returns
    -------
    Comparison
        ``diff`` (plain NPS a − b, points), ``low``, ``high`` (interval, centred on the adjusted
        difference as in Rocks 2016), ``z``, ``p_value`` (two-sided, normal), ``a``, ``b``.

    Examples
    --------
    >>> c = compare(nps([10] * 50 + [8] * 20 + [3] * 30), nps([10] * 30 + [8] * 30 + [3] * 40))
    >>> round(c.diff, 1), round(c.low, 1), round(c.high, 1), round(c.p_value, 4)
    (30.0, 6.0, 52.3, 0.0137)
    """
    ra = a if isinstance(a, NPSResult) else NPSResult.from_counts(a, level=level, method=method)
    rb = b if isinstance(b, NPSResult) else NPSResult.from_counts(b, level=level, method=method)
    d = S.diff_nps(ra.promoters, ra.detractors, ra.n, rb.promoters, rb.detractors, rb.n, level=level,
                   method=method)
    return Comparison(float(d.diff), float(d.low), float(d.high), float(d.statistic), float(d.p_value), ra, rb,
                      level, method)


def sample_size(difference: float, *, promoters: float = 0.3, detractors: float = 0.3,
                level: float = 0.95, power: float = 0.8) -> int:
    """Responses needed **per group** to detect an NPS difference of ``difference`` points.

    The NPS form of :func:`csa.stats.sample_size_nps` (see it for the formula).

    Examples
    --------
    >>> sample_size(10)  # detect 10 NPS points, 30 % promoters and 30 % detractors
    942
    """
    return S.sample_size_nps(difference, promoters=promoters, detractors=detractors, level=level, power=power)


def compare_periods(df: pd.DataFrame, a, b, by: str | None = None, *, period: str = "period",
                    score: str = "score", level: float = 0.95, method: str = "adjusted-wald",
                    min_n: int = 30) -> pd.DataFrame:
    """NPS of period ``a`` against period ``b``, overall (``by=None``) or per group.

    Parameters
    ----------
    df : DataFrame
        One row per response, with a ``period`` column.
    a, b : period values
        The period of interest and the comparison period (values of the ``period`` column).
    by : str, optional
        A grouping column (e.g. ``"touchpoint"``); a group present in only one period gets
        ``n = 0`` on the other side and no difference.
    period, score : str
        Column names.
    level, method, min_n
        As in :func:`nps_stats`.

    Returns
    -------
    DataFrame
        Per group: the ``by`` column, ``n_a``, ``nps_a``, ``n_b``, ``nps_b``, ``diff`` (a − b,
        points), ``low``, ``high`` (interval of the difference), ``p_value`` (two-sided) and
        ``small_n`` (either side has fewer than ``min_n``).

    Examples
    --------
    >>> df = pd.DataFrame({"period": ["x"] * 4 + ["y"] * 4, "score": [10, 10, 9, 3, 10, 7, 3, 3]})
    >>> compare_periods(df, "x", "y", min_n=2)[["n_a", "nps_a", "n_b", "nps_b", "diff"]]
       n_a  nps_a  n_b  nps_b  diff
    0    4   50.0    4  -25.0  75.0
    """
    for col in (period, score) + ((by,) if by else ()):
        if col not in df.columns:
            raise KeyError(f"column {col!r} not found; the columns are: {', '.join(map(str, df.columns))}")
    ca = nps_counts(df[df[period] == a], by, score=score)
    cb = nps_counts(df[df[period] == b], by, score=score)
    return compare_counts(ca, cb, by, level=level, method=method, min_n=min_n)


def compare_counts(ca: pd.DataFrame, cb: pd.DataFrame, by: str | None = None, *, level: float = 0.95,
                   method: str = "adjusted-wald", min_n: int = 30) -> pd.DataFrame:
    """Step 2 of :func:`compare_periods`: two counts tables (period ``a`` and ``b``), compared per group.

    Parameters
    ----------
    ca, cb : DataFrame
        NPS counts (:func:`nps_counts`, or any engine's) of the two periods, with the ``by``
        column when given, ``n``, ``promoters``, ``passives``, ``detractors``.
    by : str, optional
        The grouping column; ``None``: each table has one overall row.
    level, method, min_n
        As in :func:`nps_stats`.

    Returns
    -------
    DataFrame
        The columns of :func:`compare_periods`.

    Examples
    --------
    >>> ca = pd.DataFrame({"n": [4], "promoters": [3], "passives": [0], "detractors": [1]})
    >>> cb = pd.DataFrame({"n": [4], "promoters": [1], "passives": [1], "detractors": [2]})
    >>> compare_counts(ca, cb, min_n=2)[["nps_a", "nps_b", "diff"]]
       nps_a  nps_b  diff
    0   50.0  -25.0  75.0
    """
    ca, cb = ca.copy(), cb.copy()
    key = by or "_all"
    if by is None:
        ca[key], cb[key] = "all", "all"
    m = ca.merge(cb, on=key, how="outer", suffixes=("_a", "_b"))
    for c in COUNT_COLUMNS:
        for side in ("_a", "_b"):
            m[c + side] = m[c + side].fillna(0).astype(np.int64)
    sa = nps_stats(m[[c + "_a" for c in COUNT_COLUMNS]].set_axis(COUNT_COLUMNS, axis=1), level=level, method=method)
    sb = nps_stats(m[[c + "_b" for c in COUNT_COLUMNS]].set_axis(COUNT_COLUMNS, axis=1), level=level, method=method)
    d = S.diff_nps(m["promoters_a"], m["detractors_a"], m["n_a"], m["promoters_b"], m["detractors_b"], m["n_b"],
                   level=level, method=method)
    out = pd.DataFrame({key: m[key], "n_a": m["n_a"], "nps_a": sa["nps"].to_numpy(), "n_b": m["n_b"],
                        "nps_b": sb["nps"].to_numpy(), "diff": np.asarray(d.diff, float),
                        "low": np.asarray(d.low, float), "high": np.asarray(d.high, float),
                        "p_value": np.asarray(d.p_value, float),
                        "small_n": S.small_n(np.minimum(m["n_a"], m["n_b"]), min_n)})
    return out.drop(columns=key) if by is None else out


# ------------------------------------------------------------------------------- same customers twice

@dataclass(frozen=True)
class PairedChange:
    """Same customers, two waves: NPS change with its interval and a paired test."""

    n: int
    before: float
    after: float
    change: float
    low: float
    high: float
    t: float
    p_value: float
    transitions: pd.DataFrame
    level: float = 0.95

    def __str__(self) -> str:
        if self.n < 2:
            return f"Paired NPS change: only {self.n} customer(s) answered both waves"
        return (f"Same {self.n:,} customers: NPS {self.before:+.1f} → {self.after:+.1f}, change "
                f"{self.change:+.1f} points ({self.level:.0%} interval {self.low:+.1f} to {self.high:+.1f}; "
                f"paired t = {self.t:.2f}, p = {self.p_value:.3g})")


def paired_change(df: pd.DataFrame, before, after, *, wave: str = "wave", customer: str = "customer_id",
                  score: str = "score", order: str | None = "responded_at", level: float = 0.95) -> PairedChange:
    """Transition matrix and paired test between two survey waves answered by the same customers.

    Parameters
    ----------
    df : DataFrame
        One row per response, with a ``wave`` column (e.g. the month of a relationship survey).
    before, after : wave values
        The two waves to compare.
    wave, customer, score : str
        Column names.
    order : str or None
        Column that orders a customer's answers within a wave (the latest one counts);
        ``None``: the last row wins.
    level : float
        Confidence level.

    Returns
    -------
    PairedChange
        ``n`` (customers in both waves), ``before``, ``after`` (their NPS), ``change`` (points),
        ``low``, ``high``, ``t``, ``p_value`` (paired t-test on the +1/0/−1 scores, see
        :func:`csa.stats.paired_change`) and ``transitions`` (customers by group in ``before``,
        rows, and ``after``, columns).

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": list("abcdab"), "wave": [1, 1, 1, 1, 2, 2],
    ...                    "score": [6, 9, 7, 10, 9, 9]})
    >>> pc = paired_change(df, 1, 2, order=None)
    >>> pc.n, pc.before, pc.after, pc.change
    (2, 0.0, 100.0, 100.0)
    """
    for col in (wave, customer, score) + ((order,) if order else ()):
        if col not in df.columns:
            raise KeyError(f"column {col!r} not found; the columns are: {', '.join(map(str, df.columns))}")
    sort = [order, customer] if order else []

    def last(w):
        part = df[df[wave] == w]
        part = part.sort_values(sort, kind="stable") if sort else part
        return part.groupby(customer, sort=True)[score].last()

    a, b = last(before), last(after)
    both = a.index.intersection(b.index)
    ga = pd.Categorical(classify(a[both]), categories=GROUPS)
    gb = pd.Categorical(classify(b[both]), categories=GROUPS)
    trans = pd.crosstab(ga, gb, dropna=False).reindex(index=list(GROUPS), columns=list(GROUPS), fill_value=0)
    trans.index.name, trans.columns.name = str(before), str(after)
    r = S.paired_change(trinomial(a[both]), trinomial(b[both]), level=level)
    return PairedChange(int(r.n), 100 * float(r.before), 100 * float(r.after), 100 * float(r.diff),
                        100 * float(r.low), 100 * float(r.high), float(r.statistic), float(r.p_value), trans, level)
