"""Engines for data beyond memory: the same counts tables from pandas, DuckDB or Spark.

Every metric is two steps: raw rows → a small counts table per group (aggregation), then
statistics on that table. Only the first step touches the rows, so only it needs an engine:

* ``pandas`` (the default): a DataFrame in memory, e.g. from :func:`csa.load`; the metric's own
  pandas kernel runs (``csa.metrics.nps.nps_counts``, already at DuckDB speed in memory);
* ``duckdb``: a DuckDB relation over Parquet or CSV files, a database table or a frame; the data
  is scanned from disk in one pass and never held in memory;
* ``spark``: a PySpark DataFrame, on a local session or a cluster.

The counts functions here take any of them and pick the engine from the data's type (through
narwhals); the aggregation is written once, as a :class:`~csa.metrics.frames.CountsSpec`, and runs
on DuckDB and Spark unchanged. The result is always a small pandas table with exactly the columns
and dtypes of the pandas kernel, ready for ``nps_stats`` and the rest of step 2.

>>> con = connect()                                      # DuckDB in the business time zone
>>> rel = con.sql("SELECT * FROM (VALUES ('web', 10), ('web', 3), ('call', 8)) t(tp, score)")
>>> nps_counts(rel, "tp")
     tp  n  promoters  passives  detractors  excluded
0  call  1          0         1           0         0
1   web  2          1         0           1         0

Periods: ``by`` may hold :func:`period` keys, the month (quarter, fiscal year) of a timestamp in
the business time zone, which come out as ``pd.Period`` exactly as :func:`csa.periods.period_of`
makes them. How time zones are handled on each engine:

* naive timestamps (pandas without tz, DuckDB ``TIMESTAMP``, Spark ``TIMESTAMP_NTZ``) are taken
  as wall-clock time in the business time zone already (as everywhere in csa);
* pandas tz-aware timestamps are converted to the key's ``tz``, then cut on their wall clock;
* DuckDB ``TIMESTAMPTZ`` and Spark ``TIMESTAMP`` hold instants: the engine shows them in its
  session time zone (DuckDB ``SET TimeZone``, Spark ``spark.sql.session.timeZone``), so that
  must be the business time zone. :func:`connect` and :func:`spark_session` set it; on another
  session a period key raises a ``ValueError`` saying how to fix it. Alternatively, compute the
  month in the engine yourself (e.g. ``strftime(ts AT TIME ZONE 'Asia/Tokyo', '%Y-%m')`` in
  DuckDB) and group by that column: it is then an ordinary key.

Every metric whose statistics take a counts or sums table has its function here, each a spec and
one call of :func:`counts` with the metric's own pandas function as the fast path for pandas:

* surveys: :func:`nps_counts`, :func:`csat_counts`, :func:`ces_counts`, :func:`gcr_counts`
  (per attempt, or per customer: a ``group_by`` to one row per customer first, in the engine);
* support: :func:`fcr_counts` (all four definitions), :func:`completion_counts`,
  :func:`abandonment_counts`, :func:`complaint_counts`, :func:`volume_counts` (rates), and
  :func:`aht_sums`, :func:`quality_sums`, :func:`mean_sums` (means: ``n``, Σx, Σx²);
* churn: :func:`churn_by_counts` (customers at risk and churned per group) and
  :func:`churn_counts` (customers at the start of each month and those lost: a join of each
  customer-month with the next).

Counts and sums of whole numbers (scores) are identical on every engine; sums of fractional
values (minutes) differ only by the order of addition (~1e-13 relative). Every KPI of the
catalogue — medians, first response, resolution time and SLA achievement on the business clock,
revenue churn, NRR and GRR included — runs on every engine through :func:`csa.measure`
(:mod:`csa.kpi`), which uses the sessions and period keys of this module.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import narwhals as nw
import numpy as np
import pandas as pd

from .errors import Problem
from .metrics import churn as CH
from .metrics import nps as N
from .metrics import support as SUP
from .metrics import survey as SV
from .metrics.frames import Count, CountsSpec, Sum, aggregate, engine_name, valid_score
from .periods import pandas_freq, period_of

__all__ = ["ENGINES", "PeriodKey", "abandonment_counts", "aht_sums", "ces_counts", "ces_spec", "churn_by_counts",
           "churn_counts", "complaint_counts", "completion_counts", "connect", "counts", "csat_counts", "csat_spec",
           "engine_of", "fcr_counts", "fcr_spec", "gcr_counts", "gcr_spec", "mean_spec", "mean_sums", "nps_counts",
           "nps_spec", "period", "quality_sums", "read", "spark_session", "volume_counts"]

ENGINES = ("pandas", "duckdb", "spark")
_TZ = "Asia/Tokyo"  # the handbook's default business time zone (as in csa.load)


def engine_of(data) -> str:
    """Which engine holds ``data``: ``"pandas"``, ``"duckdb"``, ``"spark"`` (or another narwhals backend).

    Parameters
    ----------
    data : DataFrame or relation
        A pandas or Polars DataFrame, a DuckDB relation, a PySpark DataFrame.

    Returns
    -------
    str
        The engine's name.

    Examples
    --------
    >>> import duckdb
    >>> engine_of(pd.DataFrame({"x": [1]})), engine_of(duckdb.sql("SELECT 1 AS x"))
    ('pandas', 'duckdb')
    """
    try:
        return engine_name(data)
    except TypeError:
        raise TypeError(f"expected a pandas DataFrame, a DuckDB relation or a PySpark DataFrame; got "
                        f"{type(data).__module__}.{type(data).__name__}") from None


# ------------------------------------------------------------------------------- period keys

@dataclass(frozen=True)
class PeriodKey:
    """A grouping key computed by the engine: the period of a timestamp column (see :func:`period`)."""

    column: str = "responded_at"
    freq: str = "month"
    tz: str | None = _TZ
    name: str = "period"


def period(column: str = "responded_at", freq: str = "month", *, tz: str | None = _TZ,
           name: str = "period") -> PeriodKey:
    """A ``by`` key: the period (month, quarter, fiscal year) each timestamp falls in, in the business time zone.

    Parameters
    ----------
    column : str
        The timestamp (or date) column.
    freq : str
        ``"month"``, ``"quarter"`` or ``"fiscal_year"`` (April start), as in :mod:`csa.periods`.
    tz : str or None
        The business time zone. pandas tz-aware timestamps are converted to it; DuckDB and Spark
        must show instants in it (session time zone; see the module's notes); ``None`` keeps each
        engine's own zone. Naive timestamps are taken as already in it.
    name : str
        Name of the key column in the counts table.

    Returns
    -------
    PeriodKey
        Use it in ``by``: the counts table gets a ``name`` column of ``pd.Period`` values.

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-30 23:30", "2026-10-01 00:10"], utc=True),
    ...                    "score": [10, 3]})
    >>> nps_counts(df, period("responded_at"))[["period", "n", "promoters"]]   # Tokyo is UTC+9
        period  n  promoters
    0  2026-10  2          1
    """
    pandas_freq(freq)
    return PeriodKey(column, freq, tz, name)


def _pandas_period(df: pd.DataFrame, key: PeriodKey) -> pd.Series:
    if key.column not in df.columns:
        raise KeyError(f"timestamp column {key.column!r} not found; the columns are: {', '.join(map(str, df.columns))}")
    ts = df[key.column]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        raise TypeError(f"column {key.column!r} must hold timestamps to cut periods; it holds {ts.dtype}")
    if ts.dt.tz is not None and key.tz:
        ts = ts.dt.tz_convert(key.tz)
    return period_of(ts, key.freq)


def _ordinal(frame, key: PeriodKey) -> nw.Expr:
    """The period as pandas' integer ordinal (months, quarters or years since 1970), in the engine."""
    schema = frame.collect_schema()
    if key.column not in schema:
        raise KeyError(f"timestamp column {key.column!r} not found; the columns are: {', '.join(schema.names())}")
    dtype, ts = schema[key.column], nw.col(key.column)
    if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None:
        if key.tz and dtype.time_zone != key.tz:
            if engine_name(frame) in ("duckdb", "spark"):
                fix = ("csa.engines.connect(tz=...) or SET TimeZone = '...'" if frame.implementation.is_duckdb()
                       else "csa.engines.spark_session(tz=...) or spark.conf.set('spark.sql.session.timeZone', ...)")
                raise ValueError(
                    f"{key.column!r} holds instants, which {engine_name(frame)} shows in its session time zone "
                    f"{dtype.time_zone!r}, not the business time zone {key.tz!r}: periods would be cut at the wrong "
                    f"midnight. Fix: open the data with {fix}, or group by a month column you computed yourself")
            ts = ts.dt.convert_time_zone(key.tz)
        ts = ts.dt.replace_time_zone(None)  # wall-clock time in the business time zone
    elif not isinstance(dtype, (nw.Datetime, nw.Date)):
        raise TypeError(f"column {key.column!r} must hold timestamps to cut periods; it holds {dtype}")
    y, m = ts.dt.year().cast(nw.Int64), ts.dt.month().cast(nw.Int64)
    if key.freq == "month":
        return (y - 1970) * 12 + m - 1
    if key.freq == "quarter":
        return (y - 1970) * 4 + (m - 1) // 3
    return y - 1970 + (m >= 4).cast(nw.Int64)  # fiscal year from April, labelled by its end year (Y-MAR)


def _from_ordinals(values: pd.Series, freq: str) -> pd.Series:
    ords = pd.array(values, dtype="Int64").to_numpy(dtype=np.int64, na_value=np.iinfo(np.int64).min)  # NaT
    return pd.Series(pd.PeriodIndex.from_ordinals(ords, freq=pandas_freq(freq)), index=values.index,
                     name=values.name)


# ------------------------------------------------------------------------------- counts on any engine

def _keys(by) -> tuple[list[PeriodKey], list[str]]:
    keys = [] if by is None else ([by] if isinstance(by, (str, PeriodKey)) else list(by))
    return [k for k in keys if isinstance(k, PeriodKey)], [k.name if isinstance(k, PeriodKey) else k for k in keys]


def _with_periods(data, periods: list[PeriodKey]):
    """``data`` as a narwhals frame with the period keys' ordinals added."""
    frame = nw.from_native(data)
    return frame.with_columns(**{k.name: _ordinal(frame, k) for k in periods}) if periods else frame


def counts(data, spec: CountsSpec, by=None, *, exclude_invalid: bool = False, pandas=None,
           prepare=None) -> pd.DataFrame:
    """Step 1 of any metric on any engine: run ``spec`` (or, on a pandas frame, the pandas kernel).

    Parameters
    ----------
    data : DataFrame or relation
        pandas DataFrame, DuckDB relation, PySpark DataFrame (or another narwhals backend).
    spec : CountsSpec
        The metric's aggregation (see :mod:`csa.metrics.frames`).
    by : str, PeriodKey or list of them, optional
        Grouping columns and :func:`period` keys; ``None`` for one overall row.
    exclude_invalid : bool
        As in the metric's pandas function.
    pandas : callable, optional
        ``pandas(df, by)``, the metric's pandas kernel: used for pandas frames instead of the spec
        (it must give the same table; the tests check it).
    prepare : callable, optional
        ``prepare(frame, by)`` → narwhals frame: a first step run in the engine before the spec
        (e.g. a ``group_by`` down to one row per customer); ``by`` are the key names.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns (period keys as ``pd.Period``), then the spec's columns; groups sorted.

    Examples
    --------
    >>> import duckdb
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (10), (3), (11)) t(score)")
    >>> counts(rel, nps_spec(), exclude_invalid=True)
       n  promoters  passives  detractors  excluded
    0  2          1         0           1         1
    """
    periods, names = _keys(by)
    if pandas is not None and isinstance(data, pd.DataFrame):
        if periods:
            data = data.assign(**{k.name: _pandas_period(data, k) for k in periods})
        return pandas(data, names or None)
    frame = _with_periods(data, periods)
    if prepare is not None:
        frame = prepare(frame, names)
    out = aggregate(frame, spec, names or None, exclude_invalid=exclude_invalid)
    for k in periods:
        out[k.name] = _from_ordinals(out[k.name], k.freq)
    return out


def _pick(kernel, columns: list[str]):
    """A pandas kernel ``(df, by)`` that keeps the ``by`` columns and ``columns`` of a metric's table."""
    def run(df: pd.DataFrame, by):
        return kernel(df, by)[[*_keys(by)[1], *columns]]
    return run


def _counted(data, by, spec: CountsSpec, kernel) -> pd.DataFrame:
    """:func:`counts` of ``spec``; on pandas, the table of ``kernel(df, by)`` cut to the spec's columns."""
    return counts(data, spec, by, pandas=_pick(kernel, list(spec.columns)))


def nps_spec(score: str = "score") -> CountsSpec:
    """The NPS counts (:func:`csa.metrics.nps.nps_counts`) as a spec that runs on every engine.

    Parameters
    ----------
    score : str
        The 0–10 score column.

    Returns
    -------
    CountsSpec
        ``n`` (whole numbers 0–10), ``promoters`` (9–10), ``passives`` (7–8), ``detractors``
        (0–6), ``excluded`` (missing, fractional or out of range; an error unless
        ``exclude_invalid=True``).

    Examples
    --------
    >>> list(nps_spec().columns)
    ['n', 'promoters', 'passives', 'detractors', 'excluded']
    """
    s, ok = nw.col(score), valid_score(score, 0, 10)
    return CountsSpec(
        {"n": Count(ok), "promoters": Count(ok & (s >= 9)), "passives": Count(ok & s.is_between(7, 8)),
         "detractors": Count(ok & (s <= 6)), "excluded": Count(~ok)},
        inputs={"score": score}, invalid=~ok,
        problem=Problem("surveys", "", "NPS scores must be whole numbers 0–10",
                        "filter to survey == 'nps' first, or pass exclude_invalid=True to leave such rows out "
                        "(they are then counted in 'excluded')", column=score))


def nps_counts(data, by=None, *, score: str = "score", exclude_invalid: bool = False) -> pd.DataFrame:
    """Step 1 of NPS on any engine: :func:`csa.metrics.nps.nps_counts` for pandas, DuckDB and Spark data.

    Parameters
    ----------
    data : DataFrame or relation
        One row per NPS response: a pandas DataFrame, a DuckDB relation (see :func:`read`) or a
        PySpark DataFrame; the engine follows the type.
    by : str, PeriodKey or list of them, optional
        Grouping column(s) and :func:`period` keys; ``None`` for one overall row. Missing group
        values form their own group.
    score : str
        The 0–10 score column.
    exclude_invalid : bool
        Scores that are missing, outside 0–10 or not whole numbers raise :class:`~csa.DataError`
        by default; with ``True`` they are left out of ``n`` and counted in ``excluded``.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns (groups sorted), ``n``, ``promoters``, ``passives``, ``detractors`` and
        ``excluded``, as int64: the table :func:`csa.metrics.nps.nps_stats` takes.

    Examples
    --------
    >>> import duckdb
    >>> df = pd.DataFrame({"tp": ["web", "web", "call"], "score": [10, 3, 8]})
    >>> rel = duckdb.connect().from_df(df)
    >>> nps_counts(rel, "tp").equals(nps_counts(df, "tp"))
    True
    >>> N.nps_stats(nps_counts(rel))[["n", "nps"]]
       n  nps
    0  3  0.0
    """
    return counts(data, nps_spec(score), by, exclude_invalid=exclude_invalid,
                  pandas=partial(N.nps_counts, score=score, exclude_invalid=exclude_invalid))


# ------------------------------------------------------------------------------- CSAT, CES, GCR

_SCORE_FIX = ("filter the rows to one survey first (e.g. survey == 'csat'), check the `scale` argument, or pass "
              "exclude_invalid=True to leave such rows out (they are then counted in 'excluded')")


def _score_spec(score: str, scale: int, name: str, hit: nw.Expr, what: str) -> CountsSpec:
    """n, ``name`` (valid answers where ``hit``), Σ score, Σ score², excluded of 1..scale answers."""
    s, ok = nw.col(score), valid_score(score, 1, scale)
    x = s.cast(nw.Float64)
    return CountsSpec(
        {"n": Count(ok), name: Count(ok & hit), "total": Sum(x, ok), "total_sq": Sum(x * x, ok),
         "excluded": Count(~ok)},
        inputs={"score": score}, invalid=~ok & ~s.is_null(),  # a missing answer is left out, never an error
        problem=Problem("surveys", "", f"{what} scores must be whole numbers 1–{scale}", _SCORE_FIX, column=score))


def csat_spec(score: str = "score", *, scale: int = 5, top: int = 2) -> CountsSpec:
    """The CSAT counts (:func:`csa.metrics.survey.csat_counts`) as a spec that runs on every engine.

    Parameters
    ----------
    score : str
        The 1..``scale`` score column.
    scale : int
        Highest score.
    top : int
        Top boxes counted as satisfied (2: 4–5 of 5).

    Returns
    -------
    CountsSpec
        ``n``, ``satisfied``, ``total`` (Σ score), ``total_sq`` (Σ score²), ``excluded`` (missing
        answers always; invalid ones with ``exclude_invalid=True``, an error otherwise).

    Examples
    --------
    >>> list(csat_spec().columns)
    ['n', 'satisfied', 'total', 'total_sq', 'excluded']
    """
    SV.satisfied([1], scale=scale, top=top)  # the pandas kernel's checks of scale and top
    return _score_spec(score, int(scale), "satisfied", nw.col(score) >= int(scale) - int(top) + 1, "CSAT")


def csat_counts(data, by=None, *, score: str = "score", scale: int = 5, top: int = 2,
                exclude_invalid: bool = False) -> pd.DataFrame:
    """Step 1 of CSAT on any engine: :func:`csa.metrics.survey.csat_counts` for pandas, DuckDB and Spark data.

    Parameters
    ----------
    data, by, score, scale, top, exclude_invalid
        As in :func:`counts` (one row per CSAT answer) and :func:`csa.metrics.survey.csat_counts`.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n``, ``satisfied``, ``excluded`` (int64), ``total``, ``total_sq``
        (float64): the table :func:`csa.metrics.survey.csat_stats` takes.

    Examples
    --------
    >>> import duckdb
    >>> df = pd.DataFrame({"team": ["a", "a", "a", "b"], "score": [5, 4, 2, None]})
    >>> csat_counts(duckdb.connect().from_df(df), "team")
      team  n  satisfied  total  total_sq  excluded
    0    a  3          2   11.0      45.0         0
    1    b  0          0    0.0       0.0         1
    """
    return counts(data, csat_spec(score, scale=scale, top=top), by, exclude_invalid=exclude_invalid,
                  pandas=partial(SV.csat_counts, score=score, scale=scale, top=top, exclude_invalid=exclude_invalid))


def ces_spec(score: str = "score", *, scale: int = 7, easy_end: str = "low", boxes: int = 3) -> CountsSpec:
    """The CES counts (:func:`csa.metrics.survey.ces_counts`) as a spec that runs on every engine.

    Parameters
    ----------
    score, scale
        As in :func:`csat_spec`.
    easy_end : {"low", "high"}
        Which end of the scale means little effort.
    boxes : int
        Scores at the easy end counted as easy.

    Returns
    -------
    CountsSpec
        ``n``, ``easy``, ``total``, ``total_sq``, ``excluded``.

    Examples
    --------
    >>> list(ces_spec(easy_end="high").columns)
    ['n', 'easy', 'total', 'total_sq', 'excluded']
    """
    SV.easy([1], scale=scale, easy_end=easy_end, boxes=boxes)  # the pandas kernel's checks
    s, scale, boxes = nw.col(score), int(scale), int(boxes)
    return _score_spec(score, scale, "easy", s <= boxes if easy_end == "low" else s >= scale - boxes + 1, "CES")


def ces_counts(data, by=None, *, score: str = "score", scale: int = 7, easy_end: str = "low", boxes: int = 3,
               exclude_invalid: bool = False) -> pd.DataFrame:
    """Step 1 of CES on any engine: :func:`csa.metrics.survey.ces_counts` for pandas, DuckDB and Spark data.

    Parameters
    ----------
    data, by, score, scale, easy_end, boxes, exclude_invalid
        As in :func:`counts` (one row per CES answer) and :func:`csa.metrics.survey.ces_counts`.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n``, ``easy``, ``total``, ``total_sq``, ``excluded``.

    Examples
    --------
    >>> import duckdb
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (1), (2), (4), (7), (3)) t(score)")
    >>> ces_counts(rel)
       n  easy  total  total_sq  excluded
    0  5     3   17.0      79.0         0
    >>> int(ces_counts(rel, easy_end="high")["easy"].iloc[0])   # 5–7 of 7 when 7 means easy
    1
    """
    return counts(data, ces_spec(score, scale=scale, easy_end=easy_end, boxes=boxes), by,
                  exclude_invalid=exclude_invalid,
                  pandas=partial(SV.ces_counts, score=score, scale=scale, easy_end=easy_end, boxes=boxes,
                                 exclude_invalid=exclude_invalid))


def _flag(column: str) -> tuple[nw.Expr, nw.Expr, nw.Expr]:
    """(known, true, invalid) of a true/false column: booleans, or numbers 1/0."""
    f = nw.col(column)
    v, known = f.cast(nw.Float64), ~f.is_null()
    return known, known & (v == 1), known & ~((v == 0) | (v == 1))


def _flag_problem(column: str, table: str) -> Problem:
    return Problem(table, "", f"'{column}' must be true/false (or 1/0)",
                   "convert the column to booleans, e.g. df[col] == 'done'", column=column)


def gcr_spec(completed: str = "completed") -> CountsSpec:
    """The GCR counts per attempt (:func:`csa.metrics.survey.gcr_counts`) as a spec that runs on every engine.

    Parameters
    ----------
    completed : str
        True/false (or 1/0) column: the attempt completed the goal.

    Returns
    -------
    CountsSpec
        ``n`` (attempts with a known outcome), ``completed``, ``excluded`` (outcome missing).

    Examples
    --------
    >>> list(gcr_spec().columns)
    ['n', 'completed', 'excluded']
    """
    known, hit, bad = _flag(completed)
    return CountsSpec({"n": Count(known), "completed": Count(hit), "excluded": Count(~known)},
                      inputs={"completion": completed}, invalid=bad, problem=_flag_problem(completed, "goals"))


def _one_row_per_customer(completed: str, customer: str):
    known, hit, _ = _flag(completed)

    def prepare(frame, names):
        if customer not in frame.collect_schema().names():
            raise KeyError(f"customer column {customer!r} not found; the columns are: "
                           f"{', '.join(frame.collect_schema().names())}")
        rows = lambda cond: nw.when(cond).then(1).otherwise(0).sum()
        return frame.group_by(*names, customer, drop_null_keys=False).agg(
            rows(known).alias("_csa_n"), rows(hit).alias("_csa_c"), rows(~known).alias("_csa_x"))
    return prepare


def gcr_counts(data, by=None, *, completed: str = "completed", unit: str = "attempt",
               customer: str = "customer_id") -> pd.DataFrame:
    """Step 1 of GCR on any engine: :func:`csa.metrics.survey.gcr_counts` for pandas, DuckDB and Spark data.

    Parameters
    ----------
    data, by
        As in :func:`counts`, one row per attempt at a goal; e.g. ``by=["goal", period("started_at")]``.
    completed : str
        True/false (or 1/0) column; missing values are counted in ``excluded``, other values are an
        error.
    unit : {"attempt", "customer"}
        ``"customer"`` counts customers who tried and who completed, in two steps on the engine: a
        ``group_by`` down to one row per group and customer, then the counts.
    customer : str
        The customer column (``unit="customer"``).

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n``, ``completed``, ``excluded`` and, per customer, ``attempts``.

    Examples
    --------
    >>> import duckdb
    >>> df = pd.DataFrame({"customer_id": ["c1", "c1", "c2", "c3"], "completed": [False, True, False, None]})
    >>> rel = duckdb.connect().from_df(df)
    >>> gcr_counts(rel, unit="customer")
       n  completed  excluded  attempts
    0  2          1         1         3
    >>> gcr_counts(rel).equals(gcr_counts(df))
    True
    """
    if unit not in ("attempt", "customer"):
        raise ValueError(f"unit is 'attempt' (completions ÷ attempts) or 'customer' (customers who completed ÷ "
                         f"customers who tried); got {unit!r}")
    kernel = partial(SV.gcr_counts, completed=completed, unit=unit, customer=customer)
    if unit == "attempt" or isinstance(data, pd.DataFrame):
        return counts(data, gcr_spec(completed), by, pandas=kernel)
    schema = nw.from_native(data).collect_schema()
    if completed not in schema:
        raise KeyError(f"completion column {completed!r} not found; the columns are: {', '.join(schema.names())}")
    if schema[completed] != nw.Boolean:  # 1/0 numbers: checked in one pass first
        aggregate(data, replace(gcr_spec(completed), columns={}))
    per = {"n": Count(nw.col("_csa_n") > 0), "completed": Count(nw.col("_csa_c") > 0),
           "excluded": Sum(nw.col("_csa_x"), integer=True), "attempts": Sum(nw.col("_csa_n"), integer=True)}
    return counts(data, CountsSpec(per), by, prepare=_one_row_per_customer(completed, customer))


# ------------------------------------------------------------------------------- support rates

def _rate(n: nw.Expr, successes: nw.Expr, excluded: nw.Expr, **extra) -> dict:
    return {"n": Count(n), "successes": Count(successes), "excluded": Count(excluded), **extra}


def fcr_spec(definition: str = "one_touch", *, status: str = "status", replies: str = "agent_replies",
             reopened: str = "reopened", solved: str = "solved") -> CountsSpec:
    """The FCR counts (:func:`csa.metrics.support.fcr_counts`) as a spec that runs on every engine.

    Parameters
    ----------
    definition : str
        One of :data:`csa.metrics.support.FCR_DEFINITIONS`.
    status, replies, reopened : str
        Status, agent-reply count and reopened-flag (boolean or 1/0) columns.
    solved : str
        The status value of a solved ticket.

    Returns
    -------
    CountsSpec
        ``n`` (tickets in the denominator), ``successes`` (resolved at first contact), ``excluded``.

    Examples
    --------
    >>> list(fcr_spec("zendesk").columns)
    ['n', 'successes', 'excluded']
    """
    if definition not in SUP.FCR_DEFINITIONS:
        raise ValueError(f"definition must be one of {', '.join(map(repr, SUP.FCR_DEFINITIONS))}; got {definition!r}")
    st, r = nw.col(status), nw.col(replies)
    has_status = ~st.is_null()
    is_solved = (st == solved).fill_null(False)
    known = has_status & ~r.is_null()
    inputs = {"replies": replies}
    if definition in ("one_touch", "all_contacts"):
        reo = nw.col(reopened).cast(nw.Boolean)
        known = known & ~reo.is_null()
        success = is_solved & (r <= 1).fill_null(False) & ~reo.fill_null(False)
        inputs["reopened"] = reopened
    elif definition == "zendesk":
        success = is_solved & (r < 2).fill_null(False)
    else:  # exactly_one
        success = is_solved & (r == 1).fill_null(False)
    if definition == "all_contacts":  # an unsolved ticket is a failure whatever its replies
        denominator, known = has_status, has_status & (~is_solved | known)
    else:
        denominator = is_solved
    counted = denominator & known
    return CountsSpec(_rate(counted, success & counted, ~counted), inputs=inputs, text={"status": status})


def fcr_counts(data, by=None, *, definition: str = "one_touch", status: str = "status",
               replies: str = "agent_replies", reopened: str = "reopened", solved: str = "solved") -> pd.DataFrame:
    """Step 1 of FCR on any engine: :func:`csa.metrics.support.fcr_counts` for pandas, DuckDB and Spark data.

    Parameters
    ----------
    data, by
        As in :func:`counts`, one row per ticket; e.g. ``by=period("created_at")``.
    definition, status, replies, reopened, solved
        As in :func:`csa.metrics.support.fcr_counts`.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n``, ``successes``, ``excluded``: the table
        :func:`csa.metrics.support.rate_stats` takes.

    Examples
    --------
    >>> import duckdb
    >>> t = pd.DataFrame({"status": ["solved", "solved", "abandoned"], "agent_replies": [1, 3, 1],
    ...                   "reopened": [False, False, False]})
    >>> fcr_counts(duckdb.connect().from_df(t))
       n  successes  excluded
    0  2          1         1
    """
    spec = fcr_spec(definition, status=status, replies=replies, reopened=reopened, solved=solved)
    return counts(data, spec, by, pandas=partial(SUP.fcr_counts, definition=definition, status=status,
                                                  replies=replies, reopened=reopened, solved=solved))


def completion_counts(data, by=None, *, status: str = "status", solved: str = "solved") -> pd.DataFrame:
    """Step 1 of the completion rate on any engine: the counts of :func:`csa.metrics.support.completion_table`.

    Parameters
    ----------
    data, by
        As in :func:`counts`, one row per ticket.
    status, solved : str
        The status column, and its value for a solved ticket.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n`` (tickets with a status), ``successes`` (solved), ``excluded``
        (no status).

    Examples
    --------
    >>> import duckdb
    >>> completion_counts(duckdb.sql("SELECT * FROM (VALUES ('solved'), ('open'), (NULL)) t(status)"))
       n  successes  excluded
    0  2          1         1
    """
    st = nw.col(status)
    spec = CountsSpec(_rate(~st.is_null(), (st == solved).fill_null(False), st.is_null()), text={"status": status})
    return _counted(data, by, spec, partial(SUP.completion_table, status=status, solved=solved))


def abandonment_counts(data, by=None, *, status: str = "status", abandoned: str = "abandoned",
                       wait: str | None = None, short_abandon: float = 0) -> pd.DataFrame:
    """Step 1 of the abandonment rate on any engine: the counts of :func:`csa.metrics.support.abandonment_table`.

    Parameters
    ----------
    data, by
        As in :func:`counts`, one row per contact; the channel first in ``by``.
    status, abandoned, wait, short_abandon
        As in :func:`csa.metrics.support.abandonment_table` (``wait``: a column name).

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n`` (started contacts, short abandons left out), ``successes``
        (abandoned), ``excluded`` (no status) and ``short_abandons``.

    Examples
    --------
    >>> import duckdb
    >>> t = pd.DataFrame({"status": ["solved", "abandoned", "abandoned", "solved"], "wait_s": [30, 4, 50, 20]})
    >>> abandonment_counts(duckdb.connect().from_df(t), wait="wait_s", short_abandon=5)
       n  successes  excluded  short_abandons
    0  3          1         0               1
    """
    st = nw.col(status)
    is_ab = (st == abandoned).fill_null(False)
    short, inputs = nw.lit(False), {}
    if short_abandon:
        if float(short_abandon) < 0:
            raise ValueError(f"short_abandon is a number of seconds >= 0; got {short_abandon!r}")
        if wait is None:
            raise ValueError("short_abandon needs the seconds each abandoned contact waited before hanging up "
                             "(wait='your_column'); set short_abandon=0 or add the column from your phone system")
        short, inputs = is_ab & (nw.col(wait) < float(short_abandon)).fill_null(False), {"wait": wait}
    counted = ~st.is_null() & ~short
    spec = CountsSpec(_rate(counted, is_ab & counted, st.is_null(), short_abandons=Count(short)), inputs=inputs,
                      text={"status": status})
    return _counted(data, by, spec, partial(SUP.abandonment_table, status=status, abandoned=abandoned, wait=wait,
                                            short_abandon=short_abandon))


def complaint_counts(data, by=None, *, flag: str = "is_complaint") -> pd.DataFrame:
    """Step 1 of the complaint rate on any engine: the counts of :func:`csa.metrics.support.complaint_table`.

    Parameters
    ----------
    data, by
        As in :func:`counts`, one row per ticket.
    flag : str
        True/false (or 1/0) column marking complaints; missing values are counted in ``excluded``.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n``, ``successes`` (complaints), ``excluded``.

    Examples
    --------
    >>> import duckdb
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (true), (false), (NULL)) t(is_complaint)")
    >>> complaint_counts(rel)
       n  successes  excluded
    0  2          1         1
    >>> complaint_counts(rel).equals(complaint_counts(rel.df()))   # the pandas kernel gives the same table
    True
    """
    f = nw.col(flag)
    known = ~f.is_null()
    spec = CountsSpec(_rate(known, known & f.cast(nw.Boolean).fill_null(False), ~known), inputs={"flag": flag})
    return _counted(data, by, spec, partial(SUP.complaint_table, flag=flag))


def volume_counts(data, by=None) -> pd.DataFrame:
    """Inquiry volume on any engine: the ``tickets`` per group of :func:`csa.metrics.support.volume_table`.

    Parameters
    ----------
    data, by
        As in :func:`counts`, one row per ticket.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns and ``tickets`` (shares: ``100 * tickets / tickets.sum()``).

    Examples
    --------
    >>> import duckdb
    >>> volume_counts(duckdb.sql("SELECT * FROM (VALUES ('chat'), ('email'), ('chat')) t(channel)"), "channel")
      channel  tickets
    0    chat        2
    1   email        1
    """
    return _counted(data, by, CountsSpec({"tickets": Count(nw.lit(True))}), SUP.volume_table)


# ------------------------------------------------------------------------------- support means (sums)

def mean_spec(value: str, *, include: nw.Expr | None = None) -> CountsSpec:
    """The sums of a mean (:func:`csa.metrics.support.mean_sums`) as a spec that runs on every engine.

    Parameters
    ----------
    value : str
        The numeric column; missing values are counted in ``excluded``.
    include : narwhals Expr, optional
        Rows to use (missing: not used); the others are counted in ``excluded``.

    Returns
    -------
    CountsSpec
        ``n``, ``total`` (Σx), ``total_sq`` (Σx²), ``excluded``.

    Examples
    --------
    >>> list(mean_spec("handle_time_min").columns)
    ['n', 'total', 'total_sq', 'excluded']
    """
    x = nw.col(value).cast(nw.Float64)
    ok = ~x.is_null() if include is None else ~x.is_null() & include.fill_null(False)
    return CountsSpec({"n": Count(ok), "total": Sum(x, ok), "total_sq": Sum(x * x, ok), "excluded": Count(~ok)},
                      inputs={"value": value})


def mean_sums(data, value: str, by=None, *, include: str | None = None) -> pd.DataFrame:
    """Step 1 of a mean on any engine: :func:`csa.metrics.support.mean_sums` for pandas, DuckDB and Spark data.

    Parameters
    ----------
    data : DataFrame or relation
        One row per unit.
    value : str
        The numeric column. For a duration, compute minutes in the engine first (DuckDB:
        ``date_diff('second', created_at, first_response_at) / 60``): the calendar-clock first
        response or resolution time then runs here too.
    by : str, PeriodKey or list of them, optional
        Grouping column(s) and :func:`period` keys.
    include : str, optional
        A true/false column: rows to use; the others are counted in ``excluded``.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n``, ``total``, ``total_sq``, ``excluded``: the table
        :func:`csa.metrics.support.mean_stats` takes.

    Examples
    --------
    >>> import duckdb
    >>> mean_sums(duckdb.sql("SELECT * FROM (VALUES (1.0), (3.0), (NULL)) t(x)"), "x")
       n  total  total_sq  excluded
    0  2    4.0      10.0         1
    """
    spec = mean_spec(value, include=None if include is None else nw.col(include).cast(nw.Boolean))
    spec = replace(spec, inputs={**spec.inputs, **({"include": include} if include else {})})
    return counts(data, spec, by, pandas=lambda df, keys: SUP.mean_sums(df, value, keys, include=include))


def aht_sums(data, by=None, *, handle: str = "handle_time_min",
             handled: str | None = "first_response_at") -> pd.DataFrame:
    """Step 1 of average handle time on any engine: the sums of :func:`csa.metrics.support.aht_table`.

    Parameters
    ----------
    data, by
        As in :func:`counts`, one row per ticket.
    handle, handled
        As in :func:`csa.metrics.support.aht_table`: tickets without ``handled`` are counted in
        ``excluded``.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n``, ``total``, ``total_sq``, ``excluded`` (minutes).

    Examples
    --------
    >>> import duckdb
    >>> aht_sums(duckdb.sql("SELECT * FROM (VALUES (10.0, DATE '2026-10-01'), (20.0, NULL)) t(handle_time_min, "
    ...                     "first_response_at)"))
       n  total  total_sq  excluded
    0  1   10.0     100.0         1
    """
    spec = mean_spec(handle, include=None if handled is None else ~nw.col(handled).is_null())
    spec = replace(spec, text={"handled": handled} if handled else {})
    return _counted(data, by, spec, partial(SUP.aht_table, handle=handle, handled=handled))


def quality_sums(data, by=None, *, score: str = "quality_score") -> pd.DataFrame:
    """Step 1 of response quality on any engine: the sums of :func:`csa.metrics.support.quality_table`.

    Parameters
    ----------
    data, by
        As in :func:`counts`, one row per ticket (``score`` is filled on QA-reviewed tickets only).
    score : str
        QA score column.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n`` (reviewed), ``total``, ``total_sq``, ``excluded`` (not reviewed)
        and ``tickets`` (all tickets).

    Examples
    --------
    >>> import duckdb
    >>> quality_sums(duckdb.sql("SELECT * FROM (VALUES (80.0), (90.0), (NULL)) t(quality_score)"))
       n  total  total_sq  excluded  tickets
    0  2  170.0   14500.0         1        3
    """
    spec = mean_spec(score)
    spec = replace(spec, columns={**spec.columns, "tickets": Count(nw.lit(True))})
    return _counted(data, by, spec, partial(SUP.quality_table, score=score))


# ------------------------------------------------------------------------------- churn

def churn_by_counts(data, by=None, *, churned: str = "churned") -> pd.DataFrame:
    """Step 1 of :func:`csa.metrics.churn.churn_by` on any engine: customers at risk and churned per group.

    Parameters
    ----------
    data, by
        As in :func:`counts`, one row per customer at risk; ``by`` e.g. the NPS group.
    churned : str
        True/false (or 1/0) outcome; a missing value is an error.

    Returns
    -------
    DataFrame (pandas)
        The ``by`` columns, ``n`` and ``churned``; statistics:
        ``rate_stats(out.rename(columns={"churned": "successes"}))`` (:mod:`csa.metrics.support`).

    Examples
    --------
    >>> import duckdb
    >>> churn_by_counts(duckdb.sql("SELECT * FROM (VALUES ('a', true), ('a', false), ('b', true)) t(g, churned)"), "g")
       g  n  churned
    0  a  2        1
    1  b  1        1
    """
    f = nw.col(churned)
    spec = CountsSpec({"n": Count(nw.lit(True)), "churned": Count(f.cast(nw.Boolean).fill_null(False))},
                      inputs={"churned": churned}, invalid=f.is_null(),
                      problem=Problem("customers", "", f"'{churned}' is missing: churned is True or False for every "
                                      "customer at risk", "fill it in, or leave customers not at risk out",
                                      column=churned))
    return _counted(data, by, spec, partial(CH.churn_by, churned=churned))


_MONTH_TEXT = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def churn_counts(data, *, customer: str = "customer_id", month: str = "month", mrr: str = "mrr") -> pd.DataFrame:
    """Customers at the start of each month and those lost in it, on any engine (as in ``churn_by_month``).

    Parameters
    ----------
    data : DataFrame or relation
        One row per subscribed customer-month (several rows of one customer and month count once).
    customer, month, mrr : str
        Column names; ``month`` holds ``YYYY-MM`` text, dates or timestamps. Rows without a
        customer or a month, or with an MRR missing or below 0, are an error, as in pandas.

    Returns
    -------
    DataFrame (pandas)
        One row per month from the data's second to its last: ``month`` (``pd.Period``), ``n``
        (customers subscribed the month before) and ``churned`` (those of them not subscribed
        this month): the customer churn of :func:`csa.metrics.churn.churn_by_month`. Statistics:
        ``rate_stats(out.rename(columns={"churned": "successes"}))``.

    Notes
    -----
    Two passes on DuckDB and Spark: the rows are checked, then the distinct customer-months are
    joined with the next month's (a customer churned in month m if active in m − 1 and not in m).

    Examples
    --------
    >>> import duckdb
    >>> subs = pd.DataFrame({"customer_id": list("abab"), "month": ["2026-09"] * 2 + ["2026-10", "2026-11"],
    ...                      "mrr": [10, 30, 10, 5]})
    >>> churn_counts(duckdb.connect().from_df(subs))
         month  n  churned
    0  2026-10  2        1
    1  2026-11  1        1
    """
    if isinstance(data, pd.DataFrame):
        return CH.churn_by_month(data, customer=customer, month=month, mrr=mrr)[["month", "n", "churned"]]
    frame = nw.from_native(data)
    schema = frame.collect_schema()
    missing = [c for c in (customer, month, mrr) if c not in schema]
    if missing:
        raise KeyError(f"column(s) {missing} not found; the columns are: {', '.join(schema.names())}")
    m = nw.col(month)
    text = schema[month] == nw.String
    bad = nw.col(customer).is_null() | m.is_null() | nw.col(mrr).is_null() | (nw.col(mrr) < 0).fill_null(False)
    if text:
        bad = bad | ~m.str.contains(_MONTH_TEXT).fill_null(True)
    aggregate(frame, CountsSpec({}, inputs={"mrr": mrr}, invalid=bad, problem=Problem(
        "subscriptions", "", "every row needs a customer, a month (YYYY-MM) and an MRR >= 0",
        "fill in the missing values (0 for a free month) and write each month as 2026-10", column=month)))
    if text:
        ordinal = (m.str.slice(0, 4).cast(nw.Int64) - 1970) * 12 + m.str.slice(5, 2).cast(nw.Int64) - 1
    else:
        ordinal = _ordinal(frame, PeriodKey(month, "month", None, month))
    active = frame.select(nw.col(customer).alias("_csa_c"), ordinal.alias("_csa_m")).unique()
    following = active.select("_csa_c", (nw.col("_csa_m") - 1).alias("_csa_m"), nw.lit(1).alias("_csa_next"))
    moved = active.join(following, on=["_csa_c", "_csa_m"], how="left").select(
        (nw.col("_csa_m") + 1).alias(month), nw.col("_csa_next"))
    out = aggregate(moved, CountsSpec({"n": Count(nw.lit(True)), "churned": Count(nw.col("_csa_next").is_null())}),
                    month)
    if out.empty:
        raise ValueError("the subscriptions table has no rows: there is no churn to compute")
    # months from the data's second to its last; a month after an empty one has n = 0
    out = out.set_index(month).reindex(range(int(out[month].min()), int(out[month].max())), fill_value=0)
    out = out.rename_axis(month).reset_index()
    out[month] = _from_ordinals(out[month], "month")
    return out


# ------------------------------------------------------------------------------- opening data

def connect(database: str | os.PathLike = ":memory:", *, tz: str = _TZ, read_only: bool = False):
    """A DuckDB connection whose session time zone is the business time zone.

    Parameters
    ----------
    database : str or path
        A DuckDB database file, or ``":memory:"``.
    tz : str
        Business time zone (``SET TimeZone``): ``TIMESTAMPTZ`` values are cut into periods in it.
    read_only : bool
        Open the file read-only (several processes may then read it at once).

    Returns
    -------
    duckdb.DuckDBPyConnection

    Examples
    --------
    >>> connect().execute("SELECT current_setting('TimeZone')").fetchone()[0]
    'Asia/Tokyo'
    """
    import duckdb

    con = duckdb.connect(str(database), read_only=read_only)
    con.execute("SET TimeZone = ?", [tz])
    return con


def spark_session(*, tz: str = _TZ, cores: int | str = "*", config: dict | None = None):
    """A local Spark session for csa: business time zone, Arrow transfers, quiet, no web UI.

    On a cluster, use the session you have instead (set ``spark.sql.session.timeZone`` to the
    business time zone there) and pass its DataFrames to the counts functions.

    Parameters
    ----------
    tz : str
        Business time zone (``spark.sql.session.timeZone``).
    cores : int or "*"
        Local worker threads (``local[cores]``); ``"*"``: all cores.
    config : dict, optional
        More Spark settings (they win over the defaults here).

    Returns
    -------
    pyspark.sql.SparkSession
        The session (an existing one is reused, with these runtime settings applied).

    Raises
    ------
    RuntimeError
        When pyspark or a Java runtime is missing.

    Examples
    --------
    ``spark = spark_session(cores=2)``, then ``nps_counts(spark.read.parquet("surveys/"), "touchpoint")``
    (not run here: starting Java takes seconds).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError("pyspark is not installed: pip install 'csa[spark]' (and a Java 17 runtime, "
                           "e.g. apt-get install openjdk-17-jre-headless)") from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise RuntimeError("Spark needs a Java runtime and none was found (no JAVA_HOME, no `java` on PATH): "
                           "install one, e.g. apt-get install openjdk-17-jre-headless")
    n = (os.cpu_count() or 1) if cores == "*" else int(cores)
    settings = {"spark.sql.session.timeZone": tz, "spark.ui.enabled": "false",
                "spark.ui.showConsoleProgress": "false", "spark.sql.shuffle.partitions": str(n),
                "spark.sql.execution.arrow.pyspark.enabled": "true", **(config or {})}
    builder = SparkSession.builder.master(f"local[{cores}]").appName("csa")
    for k, v in settings.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _locate(source, table: str | None) -> tuple[str, str, bool]:
    """(format, path, is a folder) of a table: ``parquet``, ``csv`` or ``duckdb`` (a database file)."""
    text = str(source)
    if "://" in text:  # s3://, gs://, hdfs://…: no look-around, the engine resolves it
        path = f"{text.rstrip('/')}/{table}" if table else text
        fmt = "csv" if path.lower().endswith((".csv", ".tsv")) else "parquet"
        return fmt, path, fmt == "parquet" and not path.lower().endswith(".parquet") and "*" not in path
    p = Path(source)
    if p.suffix.lower() in (".duckdb", ".db", ".ddb"):
        if not table:
            raise ValueError(f"{p} is a DuckDB database: name the table to read, e.g. read({text!r}, 'surveys')")
        return "duckdb", text, False
    if p.is_dir() and table:
        for cand, fmt in ((p / f"{table}.parquet", "parquet"), (p / table, "parquet"), (p / f"{table}.csv", "csv")):
            if cand.exists():
                return fmt, str(cand), cand.is_dir()
        raise FileNotFoundError(f"no {table}.parquet, {table}/ (Parquet files) or {table}.csv in {source}")
    if not (p.exists() or any(c in text for c in "*?[")):
        raise FileNotFoundError(f"{source} does not exist")
    return ("csv" if p.suffix.lower() in (".csv", ".tsv") else "parquet"), text, p.is_dir()


def read(source, table: str | None = None, *, engine: str = "pandas", tz: str = _TZ, where: dict | None = None,
         columns: list[str] | None = None, con=None, spark=None):
    """One table as a frame of the chosen engine: the ``engine=`` switch of notebooks and reports.

    Parameters
    ----------
    source : str or path
        A folder holding ``<table>.parquet``, ``<table>/`` (a folder of Parquet files, partitions
        welcome) or ``<table>.csv``; a Parquet or CSV file or glob; a DuckDB database file
        (``.duckdb``, ``.db``), read-only; or a URI (``s3://bucket/exports``: ``<table>`` is then
        taken as a folder of Parquet files in it; DuckDB needs its ``httpfs`` extension).
    table : str, optional
        The table's name (needed with a folder or a database).
    engine : {"pandas", "duckdb", "spark"}
        ``"pandas"`` reads Parquet or a DuckDB table into memory (CSV exports: use
        :func:`csa.load`, which validates them); ``"duckdb"`` returns a lazy relation (nothing is
        read until a metric runs); ``"spark"`` a lazy Spark DataFrame.
    tz : str
        Business time zone: the session time zone of a new DuckDB connection; pandas tz-aware
        columns are converted to it. A Spark session must already use it (:func:`spark_session`).
    where : dict, optional
        Keep rows whose column equals the value (or is in the list): ``{"survey": "nps"}``.
    columns : list of str, optional
        Keep only these columns.
    con : duckdb connection, optional
        For ``engine="duckdb"``: the connection to use (default: :func:`connect` with ``tz``).
    spark : SparkSession, optional
        For ``engine="spark"``: the session (default: the active one, else :func:`spark_session`).

    Returns
    -------
    pandas DataFrame, DuckDB relation or PySpark DataFrame
        No csa validation is done on DuckDB and Spark data: invalid values surface in the metrics
        (an error, or rows counted in ``excluded``).

    Examples
    --------
    >>> from csa.datasets import sample_dir
    >>> rel = read(sample_dir(), "surveys", engine="duckdb", where={"survey": "nps"})
    >>> nps_counts(rel, "touchpoint")[["touchpoint", "n"]].head(2)
          touchpoint     n
    0  post_purchase   679
    1   relationship  1990
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    fmt, path, folder = _locate(source, table)
    if engine == "spark":
        if fmt == "duckdb":
            raise ValueError("Spark cannot read a DuckDB database file: export the table to Parquet "
                             "(COPY surveys TO 'surveys.parquet') or use engine='duckdb'")
        if spark is None:
            from pyspark.sql import SparkSession

            spark = SparkSession.getActiveSession() or spark_session(tz=tz)
        data = (spark.read.parquet(path) if fmt == "parquet" else
                spark.read.csv(path, header=True, inferSchema=True))
    elif engine == "duckdb" or fmt == "duckdb":
        db = connect(path, tz=tz, read_only=True) if fmt == "duckdb" else (con or connect(tz=tz))
        if fmt == "duckdb":
            data = db.table(table)
        elif fmt == "csv":
            data = db.read_csv(path)
        else:
            data = db.read_parquet(f"{path}/**/*.parquet" if folder else path, hive_partitioning=folder)
    else:
        if fmt == "csv":
            raise ValueError("read CSV exports into pandas with csa.load(folder), which validates them; "
                             "or use engine='duckdb'")
        keep = None if columns is None else list(dict.fromkeys([*columns, *(where or {})]))
        data = pd.read_parquet(path, columns=keep)
    frame = nw.from_native(data)
    for col, value in (where or {}).items():
        frame = frame.filter(nw.col(col).is_in(value) if isinstance(value, (list, tuple, set)) else
                             nw.col(col) == value)
    if columns:
        frame = frame.select(columns)
    out = frame.to_native()
    if engine == "pandas":
        if not isinstance(out, pd.DataFrame):  # a DuckDB table read into memory
            out = out.df() if hasattr(out, "df") else frame.collect("pandas").to_native()
        out = out.reset_index(drop=True) if where else out
        for c in out.columns:
            if isinstance(out[c].dtype, pd.DatetimeTZDtype):
                out[c] = out[c].dt.tz_convert(tz)
    return out

