"""CSAT, CES and GCR: three rates with their intervals, counted first and computed on the counts.

Definitions (source article 000, summarised in ``notebooks/SOURCES.md``):

* **CSAT** (customer satisfaction, 顧客満足度): satisfaction with a product, service or support
  contact, usually on **1 (not at all) … 5 (very satisfied)**. Reported as the share of
  *satisfied* answers, the top ``top`` boxes (default: 4 and 5 of 5), and often also as the mean.
* **CES** (customer effort score, 顧客努力指標): effort the customer needed to finish a task.
  **Lower effort is better.** This handbook's data model records effort on 1–7 with 1 = very
  little effort (``easy_end="low"``); CES 2.0 asks for agreement with "the company made it easy"
  on 1–7 with 7 = easy (``easy_end="high"``). Reported as the share of *easy* answers (the
  ``boxes`` scores at the easy end) and as the mean.
* **GCR** (goal completion rate, 目標達成率): completed attempts ÷ attempts at a goal (set-up, an
  invoice download, …), or, per customer, customers who completed ÷ customers who tried.

Every function is pure and keeps the two steps of a metric apart:

1. **aggregation**: :func:`csat_counts`, :func:`ces_counts`, :func:`gcr_counts` turn rows into a
   small table per group: ``n`` (valid answers or attempts), the successes (``satisfied``,
   ``easy``, ``completed``), ``total`` and ``total_sq`` (Σ score and Σ score², for the mean) and
   ``excluded`` (rows left out, always counted). Any engine that can count and sum can make it;
2. **statistics** on counts only, through :mod:`csa.stats`: :func:`rate_stats` (Wilson interval
   of the share, Student-t interval of the mean), :func:`rate_change` (difference between two
   periods with Newcombe's interval and a two-sided p-value), :func:`sample_size`.

Comparing many small groups (agents, teams) needs two more tools, both on counts:
:func:`funnel_limits` (the funnel plot's control limits around the overall rate) and
:func:`fit_beta_prior` + :func:`shrink` (beta-binomial empirical-Bayes estimates, which pull a
small group towards the overall rate before anyone ranks it).

Column names are keyword arguments whose defaults are the handbook's canonical names.
Dataset-level helpers live in :mod:`csa.views.csat`, :mod:`csa.views.ces`, :mod:`csa.views.gcr`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import stats as S
from ..errors import DataError, Problem
from .rates import BetaPrior, fit_beta_prior, funnel_limits, rate_stats, shrink

__all__ = [
    "CSAT_RULES", "EASY_ENDS", "BetaPrior", "CESResult", "CSATResult", "GCRResult", "ces", "ces_change",
    "ces_counts", "ces_stats", "ces_table", "csat", "csat_change", "csat_counts", "csat_rules", "csat_stats",
    "csat_table", "easy", "fit_beta_prior", "funnel_limits", "gcr", "gcr_change", "gcr_counts", "gcr_stats",
    "gcr_table", "rate_change", "rate_stats", "rule_top", "sample_size", "satisfied", "score_distribution",
    "share_counts", "shrink",
]

EASY_ENDS = ("low", "high")

#: CSAT rules the handbook knows: how each vendor or convention turns 1–5 answers into one number.
CSAT_RULES = {
    "top2": "satisfied = the top two boxes (4–5 of 5); the usual CSAT, e.g. Intercom's conversation "
            "ratings (share of 'Great' and 'Amazing' among rated conversations)",
    "top1": "satisfied = only the top box (5 of 5, 'very satisfied'): the strict top-box score of "
            "survey research (Sauro & Lewis, MeasuringU)",
    "zendesk": "Zendesk: good = 4–5 on a 1–5 scale (2 of 2, 3 of 3), bad = every lower rating, 3 included; "
               "score = good ÷ (good + bad), tickets offered a survey but not rated left out",
    "top3": "satisfied = the top three boxes (3–5 of 5): a neutral 3 counts as satisfied; some tools use "
            "the top 3 on 7- or 10-point scales",
    "mean": "the mean score (1–5) with a Student-t interval, as tools that report '4.2 / 5'",
}
_ZENDESK_TOP = {2: 1, 3: 1, 5: 2}


# ------------------------------------------------------------------------------- input checks

def _int_param(name: str, value, low: int, high: float, hint: str) -> int:
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and low <= int(value) <= high
    if not ok:
        raise ValueError(f"{name} must be a whole number from {low} to {high:g} ({hint}); got {value!r}")
    return int(value)


def _scale(scale) -> int:
    return _int_param("scale", scale, 2, 100, "the highest score, e.g. 5 for a 1–5 scale")


def _boxes(name: str, value, scale: int) -> int:
    return _int_param(name, value, 1, scale - 1, f"how many scores of the 1–{scale} scale count")


def _easy_end(easy_end) -> str:
    if easy_end not in EASY_ENDS:
        raise ValueError("easy_end says which end of the scale means little effort: 'low' (this handbook's "
                         "data model: 1 = very little effort) or 'high' (CES 2.0: 7 = 'made it easy'); "
                         f"got {easy_end!r}")
    return easy_end


def _need(df: pd.DataFrame, cols, what: str = "column") -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise KeyError(f"{what}(s) {missing} not found; the columns are: {', '.join(map(str, df.columns))}")


def _keys(by) -> list[str]:
    return [] if by is None else ([by] if isinstance(by, str) else list(by))


def _scores(s: pd.Series, scale: int, *, what: str, column: str, exclude_invalid: bool):
    """(values as float with NaN for left-out rows, valid mask, excluded mask) of 1..scale scores.

    Missing scores (an unanswered survey) are always left out and counted; scores that are not
    whole numbers 1..scale raise a DataError unless ``exclude_invalid``.
    """
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    missing = s.isna().to_numpy()
    with np.errstate(invalid="ignore"):
        ok = (num >= 1) & (num <= scale) & (num % 1 == 0)
    bad = ~ok & ~missing
    if bad.any() and not exclude_invalid:
        shown = s[bad]
        raise DataError([Problem("surveys", "(data frame)", f"{what} scores must be whole numbers 1–{scale}",
                                 "filter the rows to one survey first (e.g. survey == 'csat'), check the "
                                 "`scale` argument, or pass exclude_invalid=True to leave such rows out (they "
                                 "are then counted in 'excluded')", column=column, n_rows=int(bad.sum()),
                                 rows=[int(i) + 2 for i in shown.index[:3]], values=shown.iloc[:3].tolist())])
    return np.where(ok, num, np.nan), ok, ~ok


def _flags(s: pd.Series, *, column: str, table: str = "goals"):
    """(values 0/1 with NaN for missing, valid mask) of a true/false column."""
    if pd.api.types.is_bool_dtype(s) or isinstance(s.dtype, pd.BooleanDtype):
        valid = s.notna().to_numpy()
        return np.where(valid, s.to_numpy(dtype=float, na_value=np.nan), np.nan), valid
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    missing = s.isna().to_numpy()
    bad = ~missing & ~np.isin(num, [0.0, 1.0])
    if bad.any():
        raise DataError([Problem(table, "(data frame)", f"'{column}' must be true/false (or 1/0)",
                                 "convert the column to booleans, e.g. df[col] == 'done'", column=column,
                                 n_rows=int(bad.sum()), values=s[bad].iloc[:3].tolist())])
    return np.where(missing, np.nan, num), ~missing


def _aggregate(df: pd.DataFrame, by, parts: dict[str, np.ndarray], ints: tuple[str, ...]) -> pd.DataFrame:
    """Sum ``parts`` (arrays aligned with ``df``'s rows) per group of ``by`` (``None``: one row)."""
    keys = _keys(by)
    if not keys:
        out = pd.DataFrame({k: [np.nansum(v)] for k, v in parts.items()})
    else:
        _need(df, keys, "group column")
        work = df[keys].reset_index(drop=True).assign(**{f"_{k}": v for k, v in parts.items()})
        g = work.groupby(keys, sort=True, dropna=False, observed=True)[[f"_{k}" for k in parts]].sum()
        out = g.rename(columns=lambda c: c[1:]).reset_index()
    for c in ints:
        out[c] = out[c].astype("int64")
    return out


# ------------------------------------------------------------------------------- classification

def rule_top(rule: str, scale: int = 5) -> int | None:
    """How many top boxes a CSAT rule counts as satisfied (``None`` for ``"mean"``).

    Parameters
    ----------
    rule : str
        One of :data:`CSAT_RULES`: ``"top1"``, ``"top2"``, ``"top3"``, ``"zendesk"`` or ``"mean"``.
    scale : int
        The highest score of the scale (5 for 1–5).

    Returns
    -------
    int or None

    Examples
    --------
    >>> rule_top("top2"), rule_top("zendesk", 5), rule_top("zendesk", 3), rule_top("mean")
    (2, 2, 1, None)
    """
    scale = _scale(scale)
    if rule not in CSAT_RULES:
        raise ValueError(f"rule must be one of {', '.join(map(repr, CSAT_RULES))}; got {rule!r}")
    if rule == "mean":
        return None
    if rule == "zendesk":
        if scale not in _ZENDESK_TOP:
            raise ValueError(f"Zendesk's rule is defined for 1–2, 1–3 and 1–5 scales; got scale={scale}")
        return _ZENDESK_TOP[scale]
    return _boxes("top", int(rule[3:]), scale)


def satisfied(scores, *, scale: int = 5, top: int = 2) -> np.ndarray:
    """Whether each CSAT answer is *satisfied*: one of the top ``top`` scores of 1..``scale``.

    Parameters
    ----------
    scores : array-like
        1..``scale`` answers.
    scale : int, default 5
        Highest score.
    top : int, default 2
        Number of top boxes counted as satisfied (2: 4 and 5 of 5).

    Returns
    -------
    ndarray of bool
        ``score >= scale − top + 1`` (missing scores are not satisfied).

    Examples
    --------
    >>> satisfied([1, 3, 4, 5]).tolist(), satisfied([1, 3, 4, 5], top=1).tolist()
    ([False, False, True, True], [False, False, False, True])
    """
    scale = _scale(scale)
    top = _boxes("top", top, scale)
    s = np.asarray(pd.to_numeric(pd.Series(scores), errors="coerce"), dtype=float)
    with np.errstate(invalid="ignore"):
        return s >= scale - top + 1


def easy(scores, *, scale: int = 7, easy_end: str = "low", boxes: int = 3) -> np.ndarray:
    """Whether each CES answer is *easy*: one of the ``boxes`` scores at the easy end of 1..``scale``.

    Parameters
    ----------
    scores, scale
        As in :func:`satisfied` (CES answers, on 1–7 by default).
    easy_end : {"low", "high"}, default "low"
        ``"low"``: 1 = very little effort (this handbook's data model); ``"high"``: 7 = "the
        company made it easy" (CES 2.0 agreement wording).
    boxes : int, default 3
        How many scores at that end count as easy (3: 1–3, or 5–7 with ``easy_end="high"``).

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> easy([1, 3, 4, 7]).tolist(), easy([1, 3, 4, 7], easy_end="high").tolist()
    ([True, True, False, False], [False, False, False, True])
    """
    scale = _scale(scale)
    boxes, end = _boxes("boxes", boxes, scale), _easy_end(easy_end)
    s = np.asarray(pd.to_numeric(pd.Series(scores), errors="coerce"), dtype=float)
    with np.errstate(invalid="ignore"):
        return s <= boxes if end == "low" else s >= scale - boxes + 1


# ------------------------------------------------------------------------------- aggregation

def csat_counts(df: pd.DataFrame, by: str | list[str] | None = None, *, score: str = "score", scale: int = 5,
                top: int = 2, exclude_invalid: bool = False) -> pd.DataFrame:
    """Step 1 of CSAT: answers, satisfied answers and score sums per group.

    Parameters
    ----------
    df : DataFrame
        One row per CSAT answer.
    by : str or list of str, optional
        As in :func:`csa.metrics.nps.nps_counts`.
    score : str, default "score"
        The 1..``scale`` score column.
    scale : int, default 5
        Highest score.
    top : int, default 2
        Top boxes counted as satisfied (2: 4–5 of 5; 1: 5 only). See :data:`CSAT_RULES`.
    exclude_invalid : bool, default False
        Scores that are not whole numbers 1..``scale`` raise :class:`~csa.DataError`; with
        ``True`` they are left out of ``n`` and counted in ``excluded``. Missing scores (no
        answer) are always left out and counted in ``excluded``.

    Returns
    -------
    DataFrame
        The ``by`` columns (groups sorted), ``n`` (valid answers), ``satisfied`` (answers in the
        top ``top`` boxes), ``total`` (Σ score), ``total_sq`` (Σ score²) and ``excluded``.

    Examples
    --------
    >>> df = pd.DataFrame({"team": ["a", "a", "a", "b"], "score": [5, 4, 2, None]})
    >>> csat_counts(df, "team")
      team  n  satisfied  total  total_sq  excluded
    0    a  3          2   11.0      45.0         0
    1    b  0          0    0.0       0.0         1
    """
    scale = _scale(scale)
    top = _boxes("top", top, scale)
    _need(df, [score], "score column")
    x, ok, excl = _scores(df[score], scale, what="CSAT", column=score, exclude_invalid=exclude_invalid)
    with np.errstate(invalid="ignore"):
        hit = ok & (x >= scale - top + 1)
    parts = {"n": ok.astype(np.int64), "satisfied": hit.astype(np.int64), "total": np.nan_to_num(x),
             "total_sq": np.nan_to_num(x * x), "excluded": excl.astype(np.int64)}
    return _aggregate(df, by, parts, ("n", "satisfied", "excluded"))


def ces_counts(df: pd.DataFrame, by: str | list[str] | None = None, *, score: str = "score", scale: int = 7,
               easy_end: str = "low", boxes: int = 3, exclude_invalid: bool = False) -> pd.DataFrame:
    """Step 1 of CES: answers, easy answers and score sums per group.

    Parameters
    ----------
    df, by, score, exclude_invalid
        As in :func:`csat_counts`, with CES answers.
    scale : int, default 7
        Highest score.
    easy_end : {"low", "high"}, default "low"
        Which end means little effort (see :func:`easy`).
    boxes : int, default 3
        Scores at the easy end counted as easy.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``easy``, ``total``, ``total_sq``, ``excluded``.

    Examples
    --------
    >>> ces_counts(pd.DataFrame({"score": [1, 2, 4, 7, 3]}))
       n  easy  total  total_sq  excluded
    0  5     3   17.0      79.0         0
    """
    scale = _scale(scale)
    boxes, end = _boxes("boxes", boxes, scale), _easy_end(easy_end)
    _need(df, [score], "score column")
    x, ok, excl = _scores(df[score], scale, what="CES", column=score, exclude_invalid=exclude_invalid)
    with np.errstate(invalid="ignore"):
        hit = ok & ((x <= boxes) if end == "low" else (x >= scale - boxes + 1))
    parts = {"n": ok.astype(np.int64), "easy": hit.astype(np.int64), "total": np.nan_to_num(x),
             "total_sq": np.nan_to_num(x * x), "excluded": excl.astype(np.int64)}
    return _aggregate(df, by, parts, ("n", "easy", "excluded"))


def share_counts(df: pd.DataFrame, by: str | list[str] | None = None, *, flag: str) -> pd.DataFrame:
    """Step 1 of any share of rows: rows and rows where a true/false column is true, per group.

    Parameters
    ----------
    df : DataFrame
        One row per unit (a solved ticket, a customer, an attempt).
    by : str or list of str, optional
        As in :func:`csat_counts`.
    flag : str
        True/false column (1/0 work too). Missing values are left out and counted in ``excluded``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n`` (rows with a known value), ``flag`` (rows where it is true)
        and ``excluded``; feed it to :func:`rate_stats` with ``successes=flag``.

    Examples
    --------
    >>> df = pd.DataFrame({"ch": ["chat", "chat", "email"], "answered": [True, False, True]})
    >>> share_counts(df, "ch", flag="answered")
          ch  n  answered  excluded
    0   chat  2         1         0
    1  email  1         1         0
    """
    _need(df, [flag], "true/false column")
    v, ok = _flags(df[flag], column=flag, table="(data frame)")
    parts = {"n": ok.astype(np.int64), flag: np.nan_to_num(v).astype(np.int64), "excluded": (~ok).astype(np.int64)}
    return _aggregate(df, by, parts, ("n", flag, "excluded"))


def gcr_counts(df: pd.DataFrame, by: str | list[str] | None = None, *, completed: str = "completed",
               unit: str = "attempt", customer: str = "customer_id") -> pd.DataFrame:
    """Step 1 of GCR: attempts (or customers who tried) and completions per group.

    Parameters
    ----------
    df : DataFrame
        One row per attempt at a goal.
    by : str or list of str, optional
        As in :func:`csat_counts` (e.g. ``["goal", "channel"]``).
    completed : str, default "completed"
        True/false column: the attempt completed the goal. Missing values are left out and
        counted in ``excluded``.
    unit : {"attempt", "customer"}, default "attempt"
        ``"attempt"``: ``n`` counts attempts, ``completed`` completed attempts.
        ``"customer"``: ``n`` counts customers who tried (at least one attempt in the group),
        ``completed`` those who completed it at least once, and ``attempts`` their attempts.
        The catalogue's GCR (``csa.measure("gcr", ...)``) counts customers by default, as the
        source article defines it; this building block counts attempts unless told.
    customer : str, default "customer_id"
        The customer column (used with ``unit="customer"``).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``completed``, ``excluded``, and with ``unit="customer"``
        also ``attempts`` (valid attempts of those customers).

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["c1", "c1", "c2", "c3"], "completed": [False, True, False, None]})
    >>> gcr_counts(df)
       n  completed  excluded
    0  3          1         1
    >>> gcr_counts(df, unit="customer")
       n  completed  excluded  attempts
    0  2          1         1         3
    """
    if unit not in ("attempt", "customer"):
        raise ValueError(f"unit is 'attempt' (completions ÷ attempts) or 'customer' (customers who completed ÷ "
                         f"customers who tried); got {unit!r}")
    _need(df, [completed], "completion column")
    if unit == "attempt":
        return share_counts(df, by, flag=completed).rename(columns={completed: "completed"})
    v, ok = _flags(df[completed], column=completed)
    keys = _keys(by)
    _need(df, [customer, *keys], "column")
    per = df[[*keys, customer]].reset_index(drop=True).assign(_n=ok.astype(np.int64), _c=np.nan_to_num(v),
                                                             _x=(~ok).astype(np.int64))
    per = per.groupby([*keys, customer], sort=True, dropna=False, observed=True)[["_n", "_c", "_x"]].sum()
    parts = {"n": (per["_n"] > 0).to_numpy(np.int64), "completed": (per["_c"] > 0).to_numpy(np.int64),
             "excluded": per["_x"].to_numpy(np.int64), "attempts": per["_n"].to_numpy(np.int64)}
    return _aggregate(per.reset_index(), by, parts, ("n", "completed", "excluded", "attempts"))


def score_distribution(df: pd.DataFrame, by: str | list[str] | None = None, *, score: str = "score",
                       scale: int = 5, exclude_invalid: bool = False) -> pd.DataFrame:
    """Share of each answer 1..``scale`` per group, in percent.

    Parameters
    ----------
    df, by, score, scale, exclude_invalid
        As in :func:`csat_counts`, with the answers of any 1..``scale`` survey (missing scores are
        always left out and counted).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n`` (valid answers), ``pct_1`` … ``pct_{scale}`` (percent of ``n``;
        missing when ``n == 0``) and ``excluded``.

    Examples
    --------
    >>> score_distribution(pd.DataFrame({"score": [5, 4, 4, 1]}))
       n  pct_1  pct_2  pct_3  pct_4  pct_5  excluded
    0  4   25.0    0.0    0.0   50.0   25.0         0
    """
    scale = _scale(scale)
    _need(df, [score], "score column")
    x, ok, excl = _scores(df[score], scale, what="Survey", column=score, exclude_invalid=exclude_invalid)
    parts = {"n": ok.astype(np.int64), **{f"pct_{k}": (x == k).astype(np.int64) for k in range(1, scale + 1)},
             "excluded": excl.astype(np.int64)}
    out = _aggregate(df, by, parts, tuple(parts))
    n = out["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        for k in range(1, scale + 1):
            out[f"pct_{k}"] = np.where(n > 0, 100 * out[f"pct_{k}"].to_numpy(float) / n, np.nan)
    return out


# ------------------------------------------------------------------------------- statistics


def csat_stats(counts: pd.DataFrame, *, scale: int = 5, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Step 2 of CSAT: the form of :func:`rate_stats` with ``successes="satisfied"``, ``value="csat"``
    and the mean's interval clipped to 1..``scale``.

    Examples
    --------
    >>> csat_stats(csat_counts(pd.DataFrame({"score": [5, 4, 4, 2, 1]})))[["n", "csat", "mean"]]
       n  csat  mean
    0  5  60.0   3.2
    """
    return rate_stats(counts, successes="satisfied", value="csat", level=level, min_n=min_n,
                      bounds=(1, _scale(scale)))


def ces_stats(counts: pd.DataFrame, *, scale: int = 7, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Step 2 of CES: the form of :func:`rate_stats` with ``successes="easy"``, ``value="ces"`` (% easy)
    and the mean's interval clipped to 1..``scale``.

    Examples
    --------
    >>> ces_stats(ces_counts(pd.DataFrame({"score": [1, 2, 4, 7]})))[["n", "ces", "mean"]]
       n   ces  mean
    0  4  50.0   3.5
    """
    return rate_stats(counts, successes="easy", value="ces", level=level, min_n=min_n, bounds=(1, _scale(scale)))


def gcr_stats(counts: pd.DataFrame, *, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Step 2 of GCR: the form of :func:`rate_stats` with ``successes="completed"``, ``value="gcr"``.

    Examples
    --------
    >>> gcr_stats(pd.DataFrame({"n": [40], "completed": [30]}))[["gcr", "low", "high"]].round(1)
        gcr   low  high
    0  75.0  59.8  85.8
    """
    return rate_stats(counts, successes="completed", value="gcr", level=level, min_n=min_n)


def csat_table(df: pd.DataFrame, by: str | list[str] | None = None, *, score: str = "score", scale: int = 5,
               top: int = 2, level: float = 0.95, min_n: int = 30, exclude_invalid: bool = False) -> pd.DataFrame:
    """CSAT per group of raw answers: :func:`csat_counts` then :func:`csat_stats`.

    Parameters
    ----------
    df, by, score, scale, top, exclude_invalid, level, min_n
        As in :func:`csat_counts`, and ``level``, ``min_n`` as in :func:`rate_stats`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``satisfied``, ``total``, ``total_sq``, ``excluded``,
        ``csat`` (% satisfied), ``low``, ``high``, ``mean``, ``sd``, ``mean_low``, ``mean_high``,
        ``small_n``.

    Examples
    --------
    >>> df = pd.DataFrame({"ch": ["chat"] * 4 + ["email"] * 2, "score": [5, 5, 4, 2, 3, 1]})
    >>> csat_table(df, "ch", min_n=3)[["ch", "n", "csat", "mean", "small_n"]]
          ch  n  csat  mean  small_n
    0   chat  4  75.0   4.0    False
    1  email  2   0.0   2.0     True
    """
    return csat_stats(csat_counts(df, by, score=score, scale=scale, top=top, exclude_invalid=exclude_invalid),
                      scale=scale, level=level, min_n=min_n)


def ces_table(df: pd.DataFrame, by: str | list[str] | None = None, *, score: str = "score", scale: int = 7,
              easy_end: str = "low", boxes: int = 3, level: float = 0.95, min_n: int = 30,
              exclude_invalid: bool = False) -> pd.DataFrame:
    """CES per group of raw answers: :func:`ces_counts` then :func:`ces_stats`.

    Parameters
    ----------
    df, by, score, scale, easy_end, boxes, exclude_invalid, level, min_n
        As in :func:`ces_counts`, and ``level``, ``min_n`` as in :func:`rate_stats`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``easy``, ``total``, ``total_sq``, ``excluded``, ``ces``
        (% easy), ``low``, ``high``, ``mean``, ``sd``, ``mean_low``, ``mean_high``, ``small_n``.

    Examples
    --------
    >>> df = pd.DataFrame({"replies": [1, 1, 1, 3, 3], "score": [1, 2, 5, 6, 3]})
    >>> ces_table(df, "replies", min_n=2)[["replies", "n", "ces", "mean"]]
       replies  n        ces      mean
    0        1  3  66.666667  2.666667
    1        3  2  50.000000  4.500000
    """
    return ces_stats(ces_counts(df, by, score=score, scale=scale, easy_end=easy_end, boxes=boxes,
                                exclude_invalid=exclude_invalid), scale=scale, level=level, min_n=min_n)


def gcr_table(df: pd.DataFrame, by: str | list[str] | None = None, *, completed: str = "completed",
              unit: str = "attempt", customer: str = "customer_id", level: float = 0.95,
              min_n: int = 30) -> pd.DataFrame:
    """GCR per group of raw attempts: :func:`gcr_counts` then :func:`gcr_stats`.

    Parameters
    ----------
    df, by, completed, unit, customer, level, min_n
        As in :func:`gcr_counts`, and ``level``, ``min_n`` as in :func:`rate_stats`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``completed``, ``excluded`` (``attempts`` with
        ``unit="customer"``), ``gcr`` (% completed), ``low``, ``high``, ``small_n``.

    Examples
    --------
    >>> df = pd.DataFrame({"goal": ["setup"] * 3 + ["invite"], "completed": [True, False, True, True]})
    >>> gcr_table(df, "goal", min_n=1)[["goal", "n", "completed", "gcr"]].round(1)
         goal  n  completed    gcr
    0  invite  1          1  100.0
    1   setup  3          2   66.7
    """
    return gcr_stats(gcr_counts(df, by, completed=completed, unit=unit, customer=customer), level=level,
                     min_n=min_n)


# ------------------------------------------------------------------------------- one set of answers

@dataclass(frozen=True)
class _Answers(S.IntervalResult):
    """What the CSAT, CES and GCR results share: the sentence of a set without valid answers, and the
    rows left out (each one's ``excluded``) at the end of either sentence."""

    _none = ""  # the sentence when n is 0

    def __str__(self) -> str:
        ex = f"; {self.excluded:,} excluded" if self.excluded else ""
        return self._sentence(ex) if self.n else f"{self._none}{ex}"

    def _sentence(self, ex: str) -> str:
        raise NotImplementedError


def _excluded(row) -> int:
    """The ``excluded`` of a counts row, 0 when it has none."""
    return int(row["excluded"]) if "excluded" in row else 0


@dataclass(frozen=True)
class CSATResult(_Answers):
    """CSAT of one set of answers.

    Attributes
    ----------
    value : float
        % satisfied (the top ``top`` boxes), 0–100.
    low, high : float
        Wilson interval of ``value``, percent.
    n : int
        Valid answers.
    satisfied : int
        Answers in the top ``top`` boxes.
    mean : float
        Mean score (1..``scale``).
    mean_low, mean_high : float
        Student-t interval of the mean.
    sd : float
        Sample standard deviation of the scores (ddof=1).
    excluded : int
        Rows left out (missing scores).
    scale, top : int
        The scale and the rule.
    level : float
        Confidence level.
    """

    satisfied: int
    mean: float
    mean_low: float
    mean_high: float
    sd: float
    excluded: int = 0
    scale: int = 5
    top: int = 2
    level: float = 0.95

    _none = "CSAT: no valid answers"

    def _sentence(self, ex: str) -> str:
        boxes = f"{self.scale - self.top + 1}–{self.scale}" if self.top > 1 else f"{self.scale}"
        return (f"CSAT {self.value:.1f} % satisfied ({boxes} of {self.scale}; {self.level:.0%} interval "
                f"{self.low:.1f} to {self.high:.1f}, Wilson; n = {self.n:,}{ex}); mean {self.mean:.2f} "
                f"({self.mean_low:.2f} to {self.mean_high:.2f})")

    @classmethod
    def from_counts(cls, row, *, scale: int = 5, top: int = 2, level: float = 0.95) -> CSATResult:
        """The result for one row of a :func:`csat_counts` table (a Series or a dict)."""
        r = csat_stats(pd.DataFrame([{k: row[k] for k in ("n", "satisfied", "total", "total_sq")}]),
                       scale=scale, level=level).iloc[0]
        return cls(float(r["csat"]), float(r["low"]), float(r["high"]), int(r["n"]), int(r["satisfied"]),
                   float(r["mean"]), float(r["mean_low"]), float(r["mean_high"]), float(r["sd"]),
                   _excluded(row), scale, top, level)


@dataclass(frozen=True)
class CESResult(_Answers):
    """CES of one set of answers.

    Attributes
    ----------
    value : float
        % easy (the ``boxes`` scores at the easy end), 0–100.
    low, high : float
        Wilson interval of ``value``, percent.
    n : int
        Valid answers.
    easy : int
        Easy answers.
    mean : float
        Mean score; lower is less effort when ``easy_end == "low"``.
    mean_low, mean_high : float
        Student-t interval of the mean.
    sd : float
        Sample standard deviation (ddof=1).
    excluded : int
        Rows left out (missing scores).
    scale : int
        Highest score.
    easy_end : str
        ``"low"`` or ``"high"``.
    boxes : int
        Scores counted as easy.
    level : float
        Confidence level.
    """

    easy: int
    mean: float
    mean_low: float
    mean_high: float
    sd: float
    excluded: int = 0
    scale: int = 7
    easy_end: str = "low"
    boxes: int = 3
    level: float = 0.95

    @property
    def easy_scores(self) -> tuple[int, int]:
        """The (lowest, highest) score counted as easy."""
        return (1, self.boxes) if self.easy_end == "low" else (self.scale - self.boxes + 1, self.scale)

    _none = "CES: no valid answers"

    def _sentence(self, ex: str) -> str:
        a, b = self.easy_scores
        better = "lower" if self.easy_end == "low" else "higher"
        return (f"CES {self.value:.1f} % easy ({a}–{b} of 1–{self.scale}; {self.level:.0%} interval "
                f"{self.low:.1f} to {self.high:.1f}, Wilson; n = {self.n:,}{ex}); mean {self.mean:.2f} "
                f"({self.mean_low:.2f} to {self.mean_high:.2f}; {better} is easier)")

    @classmethod
    def from_counts(cls, row, *, scale: int = 7, easy_end: str = "low", boxes: int = 3,
                    level: float = 0.95) -> CESResult:
        """The result for one row of a :func:`ces_counts` table (a Series or a dict)."""
        r = ces_stats(pd.DataFrame([{k: row[k] for k in ("n", "easy", "total", "total_sq")}]), scale=scale,
                      level=level).iloc[0]
        return cls(float(r["ces"]), float(r["low"]), float(r["high"]), int(r["n"]), int(r["easy"]),
                   float(r["mean"]), float(r["mean_low"]), float(r["mean_high"]), float(r["sd"]),
                   _excluded(row), scale, easy_end, boxes, level)


@dataclass(frozen=True)
class GCRResult(_Answers):
    """GCR of one set of attempts.

    Attributes
    ----------
    value : float
        % completed, 0–100.
    low, high : float
        Wilson interval, percent.
    n : int
        Attempts with a known outcome.
    completed : int
        Completed attempts.
    excluded : int
        Attempts left out (outcome missing).
    level : float
        Confidence level.
    """

    completed: int
    excluded: int = 0
    level: float = 0.95

    _none = "GCR: no attempts"

    def _sentence(self, ex: str) -> str:
        return (f"GCR {self.value:.1f} % completed ({self.level:.0%} interval {self.low:.1f} to {self.high:.1f}, "
                f"Wilson; n = {self.n:,} attempts{ex})")

    @classmethod
    def from_counts(cls, row, *, level: float = 0.95) -> GCRResult:
        """The result for one row of a :func:`gcr_counts` table (a Series or a dict)."""
        r = gcr_stats(pd.DataFrame([{"n": row["n"], "completed": row["completed"]}]), level=level).iloc[0]
        return cls(float(r["gcr"]), float(r["low"]), float(r["high"]), int(r["n"]), int(r["completed"]),
                   _excluded(row), level)


def _series(values) -> pd.DataFrame:
    """One-column frame ``x`` of a sequence of values (a Series keeps its dtype)."""
    s = values if isinstance(values, pd.Series) else pd.Series(list(np.atleast_1d(np.asarray(values, dtype=object))))
    return pd.DataFrame({"x": s.reset_index(drop=True)})


def csat(scores, *, scale: int = 5, top: int = 2, level: float = 0.95) -> CSATResult:
    """CSAT of a set of answers: % satisfied with its Wilson interval, and the mean with its t interval.

    Parameters
    ----------
    scores : array-like
        1..``scale`` answers. Missing values (no answer) are left out and counted in
        ``excluded``; any other value outside 1..``scale`` raises :class:`~csa.DataError`.
    scale : int, default 5
        Highest score (article 000: CSAT is usually 1–5).
    top : int, default 2
        Top boxes counted as satisfied: 2 (4–5 of 5; Intercom, and Zendesk's 1–5 scale) or 1
        (5 only, the strict top box). See :data:`CSAT_RULES` and :func:`csat_rules`.
    level : float, default 0.95
        Confidence level of both intervals.

    Returns
    -------
    CSATResult
        ``value`` (% satisfied), ``low``, ``high`` (Wilson, %), ``n``, ``satisfied``, ``mean``,
        ``mean_low``, ``mean_high``, ``sd``, ``excluded``, ``scale``, ``top``, ``level``.

    Notes
    -----
    ``value = 100 · #{score ≥ scale − top + 1} / n``; interval :func:`csa.stats.proportion_interval`
    (Wilson). ``mean = Σ score / n`` with ``mean ± t_{n−1}·sd/√n`` (:func:`csa.stats.mean_interval`).

    Examples
    --------
    >>> r = csat([5, 4, 4, 3, 5, 2, 4, 1])
    >>> r.value, r.satisfied, r.n, round(r.low, 1), round(r.high, 1), r.mean
    (62.5, 5, 8, 30.6, 86.3, 3.5)
    >>> csat([5, 4, 4, 3, 5, 2, 4, 1], top=1).value
    25.0
    """
    c = csat_counts(_series(scores), score="x", scale=scale, top=top).iloc[0]
    return CSATResult.from_counts(c, scale=scale, top=top, level=level)


def ces(scores, *, scale: int = 7, easy_end: str = "low", boxes: int = 3, level: float = 0.95) -> CESResult:
    """CES of a set of answers: % easy with its Wilson interval, and the mean with its t interval.

    Parameters
    ----------
    scores : array-like
        1..``scale`` answers. Missing values are left out and counted in ``excluded``; any other
        value outside 1..``scale`` raises :class:`~csa.DataError`.
    scale : int, default 7
        Highest score.
    easy_end : {"low", "high"}, default "low"
        Which end of the scale means little effort. ``"low"``: this handbook's data model, where
        CES records effort and **lower is better** (article 000); ``"high"``: CES 2.0's wording
        ("the company made it easy to handle my issue": 1 strongly disagree … 7 strongly agree).
    boxes : int, default 3
        Scores at the easy end counted as easy (1–3 with ``"low"``; 5–7 with ``"high"``).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    CESResult
        ``value`` (% easy), ``low``, ``high`` (Wilson, %), ``n``, ``easy``, ``mean``,
        ``mean_low``, ``mean_high``, ``sd``, ``excluded``, ``scale``, ``easy_end``, ``boxes``, ``level``.

    Notes
    -----
    ``value = 100 · #{easy answers} / n``. The mean keeps the scale's direction: with
    ``easy_end="low"`` a lower mean is better. A 1–7 answer ``x`` in one wording is ``8 − x`` in
    the other, so the same customers give the same % easy under either wording with matching
    ``easy_end``. CES 2.0: Dixon, Toman & DeLisi, *The Effortless Experience* (2013), CEB.

    Examples
    --------
    >>> r = ces([1, 2, 2, 3, 5, 6, 7, 4])
    >>> r.value, r.easy, r.n, r.mean
    (50.0, 4, 8, 3.75)
    >>> ces([8 - x for x in [1, 2, 2, 3, 5, 6, 7, 4]], easy_end="high").value  # CES 2.0 wording
    50.0
    """
    c = ces_counts(_series(scores), score="x", scale=scale, easy_end=easy_end, boxes=boxes).iloc[0]
    return CESResult.from_counts(c, scale=scale, easy_end=easy_end, boxes=boxes, level=level)


def gcr(completed, *, level: float = 0.95) -> GCRResult:
    """GCR of a set of attempts: % completed with its Wilson interval.

    Parameters
    ----------
    completed : array-like of bool
        One value per attempt: ``True`` (completed) or ``False``; 1/0 work too. Missing values
        are left out and counted in ``excluded``.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    GCRResult
        ``value`` (% completed), ``low``, ``high`` (Wilson, %), ``n`` (attempts with a known
        outcome), ``completed``, ``excluded``, ``level``.

    Notes
    -----
    ``GCR = 100 · completions / attempts`` (article 000: the share who completed a given goal;
    web analytics divides goal completions by sessions, a CS team by attempts at the goal).
    For "customers who completed ÷ customers who tried" use :func:`gcr_counts` with
    ``unit="customer"``.

    Examples
    --------
    >>> r = gcr([True, True, False, True, None])
    >>> r.value, r.n, r.excluded, round(r.low, 1), round(r.high, 1)
    (75.0, 4, 1, 30.1, 95.4)
    """
    c = gcr_counts(_series(completed), completed="x").iloc[0]
    return GCRResult.from_counts(c, level=level)


# ------------------------------------------------------------------------------- vendor rules

def csat_rules(scores, *, scale: int = 5, rules=tuple(CSAT_RULES), level: float = 0.95) -> pd.DataFrame:
    """The same CSAT answers under each vendor's rule, side by side.

    Parameters
    ----------
    scores : array-like
        1..``scale`` answers (missing values are left out and counted in ``excluded``).
    scale : int, default 5
        Highest score.
    rules : sequence of str
        Rules of :data:`CSAT_RULES` to show, in order.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        One row per rule: ``rule``, ``unit`` (``"%"`` or ``"score"``), ``n`` (the answers the
        rule divides by), ``satisfied`` (answers counted as satisfied or good; missing for the
        mean), ``value``, ``low``, ``high``, ``excluded``.

    Notes
    -----
    Sources of the rules (see :data:`CSAT_RULES`): top-2 is the common definition (Intercom
    conversation ratings; article 000's 1–5 scale); Zendesk's CSAT maps 1–5 ratings to good
    (4–5) and bad (1–3) and reports good ÷ (good + bad): on a 1–5 scale the number equals the
    top-2 share of the answers, and differs in what is left out (tickets offered a survey but not
    rated are in neither); top-1 is the top-box score; top-3 counts a neutral 3 as satisfied;
    the mean is reported by tools that show "4.2 / 5".

    Examples
    --------
    >>> csat_rules([5, 4, 4, 3, 5, 2, 4, 1])[["rule", "n", "value"]]
          rule  n  value
    0     top2  8   62.5
    1     top1  8   25.0
    2  zendesk  8   62.5
    3     top3  8   75.0
    4     mean  8    3.5
    """
    scale = _scale(scale)
    frame = _series(scores)
    rows = []
    for rule in rules:
        top = rule_top(rule, scale)
        c = csat_counts(frame, score="x", scale=scale, top=top or 1).iloc[0]
        r = CSATResult.from_counts(c, scale=scale, top=top or 1, level=level)
        if top is None:
            rows.append({"rule": rule, "unit": "score", "n": r.n, "satisfied": np.nan, "value": r.mean,
                         "low": r.mean_low, "high": r.mean_high, "excluded": r.excluded})
        else:
            rows.append({"rule": rule, "unit": "%", "n": r.n, "satisfied": float(r.satisfied), "value": r.value,
                         "low": r.low, "high": r.high, "excluded": r.excluded})
    return pd.DataFrame(rows, columns=["rule", "unit", "n", "satisfied", "value", "low", "high", "excluded"])


# ------------------------------------------------------------------------------- change, sample size

def rate_change(counts_a: pd.DataFrame, counts_b: pd.DataFrame, *, successes: str, value: str = "value",
                by: str | None = None, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Difference of a rate between two counts tables (e.g. this period − the comparison period).

    Parameters
    ----------
    counts_a, counts_b : DataFrame
        Counts tables (``n`` and ``successes``) of the period of interest and the comparison
        period; with ``by``, one row per group (a group missing on one side gets ``n = 0``).
    successes : str
        Column of successes.
    value : str, default "value"
        Stem of the output columns (``{value}_a``, ``{value}_b``).
    by : str, optional
        The group column shared by both tables; ``None`` when each has one overall row.
    level : float, default 0.95
        Confidence level.
    min_n : int, default 30
        Rows where either side has fewer observations are flagged ``small_n``.

    Returns
    -------
    DataFrame
        ``by`` (when given), ``n_a``, ``{value}_a``, ``n_b``, ``{value}_b``, ``diff`` (a − b,
        percentage points), ``low``, ``high`` (Newcombe interval), ``p_value`` (two-sided pooled
        z-test), ``small_n``.

    Notes
    -----
    :func:`csa.stats.diff_proportions` (Newcombe 1998, method 10; pooled z-test).

    Examples
    --------
    >>> a, b = pd.DataFrame({"n": [60], "hit": [45]}), pd.DataFrame({"n": [60], "hit": [30]})
    >>> rate_change(a, b, successes="hit")[["value_a", "value_b", "diff", "low", "high", "p_value"]].round(4)
       value_a  value_b  diff    low     high  p_value
    0     75.0     50.0  25.0  7.678  40.3461   0.0047
    """
    key = by or "_all"
    a, b = counts_a.copy(), counts_b.copy()
    if by is None:
        a[key], b[key] = "all", "all"
    cols = [key, "n", successes]
    m = a[cols].merge(b[cols], on=key, how="outer", suffixes=("_a", "_b"), sort=True)
    for c in ("n", successes):
        for side in ("_a", "_b"):
            m[c + side] = m[c + side].fillna(0).astype("int64")
    xa, na, xb, nb = (m[f"{successes}_a"], m["n_a"], m[f"{successes}_b"], m["n_b"])
    d = S.diff_proportions(xa, na, xb, nb, level=level)
    with np.errstate(invalid="ignore", divide="ignore"):
        va = np.where(na > 0, 100 * xa / na.where(na > 0, 1), np.nan)
        vb = np.where(nb > 0, 100 * xb / nb.where(nb > 0, 1), np.nan)
    out = pd.DataFrame({key: m[key], "n_a": na, f"{value}_a": va, "n_b": nb, f"{value}_b": vb,
                        "diff": np.asarray(d.diff, float), "low": np.asarray(d.low, float),
                        "high": np.asarray(d.high, float), "p_value": np.asarray(d.p_value, float),
                        "small_n": S.small_n(np.minimum(na, nb), min_n)})
    return out.drop(columns=key) if by is None else out


def _periods(df: pd.DataFrame, period: str, a, b):
    _need(df, [period], "period column")
    return df[df[period] == a], df[df[period] == b]


def csat_change(df: pd.DataFrame, a, b, by: str | None = None, *, period: str = "period", score: str = "score",
                scale: int = 5, top: int = 2, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """CSAT of period ``a`` against period ``b``, overall (``by=None``) or per group.

    Parameters
    ----------
    df : DataFrame
        One row per CSAT answer, with a ``period`` column.
    a, b : period values
        The period of interest and the comparison period.
    by : str, optional
        A grouping column.
    period, score : str
        Column names.
    scale, top
        As in :func:`csat_counts`.
    level, min_n
        As in :func:`rate_change`.

    Returns
    -------
    DataFrame
        ``by``, ``n_a``, ``csat_a``, ``n_b``, ``csat_b``, ``diff``, ``low``, ``high``,
        ``p_value``, ``small_n`` (see :func:`rate_change`).

    Examples
    --------
    >>> df = pd.DataFrame({"period": ["x"] * 4 + ["y"] * 4, "score": [5, 5, 4, 1, 5, 3, 2, 1]})
    >>> csat_change(df, "x", "y", min_n=2)[["n_a", "csat_a", "n_b", "csat_b", "diff"]]
       n_a  csat_a  n_b  csat_b  diff
    0    4    75.0    4    25.0  50.0
    """
    pa, pb = _periods(df, period, a, b)
    ca = csat_counts(pa, by, score=score, scale=scale, top=top)
    cb = csat_counts(pb, by, score=score, scale=scale, top=top)
    return rate_change(ca, cb, successes="satisfied", value="csat", by=by, level=level, min_n=min_n)


def ces_change(df: pd.DataFrame, a, b, by: str | None = None, *, period: str = "period", score: str = "score",
               scale: int = 7, easy_end: str = "low", boxes: int = 3, level: float = 0.95,
               min_n: int = 30) -> pd.DataFrame:
    """CES (% easy) of period ``a`` against period ``b``, overall or per group.

    Parameters
    ----------
    df, a, b, by, period, score, level, min_n
        As in :func:`csat_change`, with CES answers.
    scale, easy_end, boxes
        As in :func:`ces_counts`.

    Returns
    -------
    DataFrame
        As :func:`csat_change`: ``ces_a``, ``ces_b`` are % easy.

    Examples
    --------
    >>> df = pd.DataFrame({"period": ["x"] * 4 + ["y"] * 4, "score": [1, 2, 3, 7, 5, 6, 7, 1]})
    >>> ces_change(df, "x", "y", min_n=2)[["ces_a", "ces_b", "diff"]]
       ces_a  ces_b  diff
    0   75.0   25.0  50.0
    """
    pa, pb = _periods(df, period, a, b)
    kw = {"score": score, "scale": scale, "easy_end": easy_end, "boxes": boxes}
    return rate_change(ces_counts(pa, by, **kw), ces_counts(pb, by, **kw), successes="easy", value="ces", by=by,
                       level=level, min_n=min_n)


def gcr_change(df: pd.DataFrame, a, b, by: str | None = None, *, period: str = "period",
               completed: str = "completed", level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """GCR of period ``a`` against period ``b`` (attempts), overall or per group.

    Parameters
    ----------
    df, a, b, by, period, level, min_n
        As in :func:`csat_change`, with attempts (``by`` e.g. ``"goal"``).
    completed : str
        As in :func:`gcr_counts`.

    Returns
    -------
    DataFrame
        As :func:`csat_change`, with ``gcr_a`` and ``gcr_b``.

    Examples
    --------
    >>> df = pd.DataFrame({"period": ["x", "x", "y", "y"], "completed": [True, True, True, False]})
    >>> gcr_change(df, "x", "y", min_n=1)[["gcr_a", "gcr_b", "diff"]]
       gcr_a  gcr_b  diff
    0  100.0   50.0  50.0
    """
    pa, pb = _periods(df, period, a, b)
    return rate_change(gcr_counts(pa, by, completed=completed), gcr_counts(pb, by, completed=completed),
                       successes="completed", value="gcr", by=by, level=level, min_n=min_n)


def sample_size(difference: float, *, current: float, level: float = 0.95, power: float = 0.8) -> int:
    """Answers (or attempts) needed **per period** to detect a change of ``difference`` points in a rate.

    Parameters
    ----------
    difference : float
        Change to detect, in percentage points (e.g. 5 for 60 % → 65 %); non-zero.
    current : float
        The rate now, in percent (0–100).
    level : float, default 0.95
        ``1 − α`` of the two-sided test.
    power : float, default 0.8
        Desired power.

    Returns
    -------
    int
        Per-period sample size, rounded up.

    Notes
    -----
    The two-proportion formula of :func:`csa.stats.sample_size_proportions` with
    ``p1 = current/100`` and ``p2 = (current + difference)/100``.

    Examples
    --------
    >>> sample_size(10, current=50)
    388
    """
    if not isinstance(current, (int, float, np.integer, np.floating)) or not 0 <= current <= 100:
        raise ValueError(f"current is a rate in percent (0–100), e.g. 62.5; got {current!r}")
    target = current + difference
    if not 0 <= target <= 100:
        raise ValueError(f"current + difference must stay within 0–100 %; got {current:g} + {difference:g}")
    return int(S.sample_size_proportions(current / 100, target / 100, level=level, power=power))
