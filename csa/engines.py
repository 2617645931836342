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

Other metrics follow the same pattern: a spec (see :func:`nps_spec`) and one line calling
:func:`counts` with the metric's pandas kernel as the fast path.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import narwhals as nw
import numpy as np
import pandas as pd

from .errors import Problem
from .metrics import nps as N
from .metrics.frames import Count, CountsSpec, aggregate, engine_name, valid_score
from .periods import pandas_freq, period_of

__all__ = ["ENGINES", "PeriodKey", "connect", "counts", "engine_of", "nps_counts", "nps_spec", "period", "read",
           "spark_session"]

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

def counts(data, spec: CountsSpec, by=None, *, exclude_invalid: bool = False, pandas=None) -> pd.DataFrame:
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
    keys = [] if by is None else ([by] if isinstance(by, (str, PeriodKey)) else list(by))
    periods = [k for k in keys if isinstance(k, PeriodKey)]
    names = [k.name if isinstance(k, PeriodKey) else k for k in keys]
    if pandas is not None and isinstance(data, pd.DataFrame):
        if periods:
            data = data.assign(**{k.name: _pandas_period(data, k) for k in periods})
        return pandas(data, names or None)
    frame = nw.from_native(data)
    if periods:
        frame = frame.with_columns(**{k.name: _ordinal(frame, k) for k in periods})
    out = aggregate(frame, spec, names or None, exclude_invalid=exclude_invalid)
    for k in periods:
        out[k.name] = _from_ordinals(out[k.name], k.freq)
    return out


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

