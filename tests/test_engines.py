"""The same NPS counts from pandas, DuckDB and Spark (issue 8, "engines for data beyond memory").

The reference is the handbook's pandas route on the bundled sample: ``period_of`` then
``csa.metrics.nps.nps_counts``. DuckDB reads the same rows from a pandas frame, from Parquet and
from the raw sample CSV; Spark (local mode, one session for the module) from Parquet. Tables must
be identical, dtypes included, after collection.
"""

from __future__ import annotations

import os
import shutil

import duckdb
import narwhals as nw
import numpy as np
import pandas as pd
import pytest

from csa import engines as E
from csa.datasets import load_sample, sample_dir
from csa.errors import DataError
from csa.metrics import frames as F
from csa.metrics import nps as N
from csa.periods import period_of

BY_TOUCHPOINT = "touchpoint"
BY_MONTH = [E.period("responded_at"), "touchpoint"]


@pytest.fixture(scope="module")
def surveys() -> pd.DataFrame:
    """Every survey answer of the bundled sample, as csa.load returns them."""
    return load_sample().surveys


@pytest.fixture(scope="module")
def responses(surveys) -> pd.DataFrame:
    return surveys[surveys["survey"] == "nps"]


@pytest.fixture(scope="module")
def expected(responses) -> dict:
    """The handbook's pandas route, written out without csa.engines."""
    monthly = responses.assign(period=period_of(responses["responded_at"], "month"))
    return {"touchpoint": N.nps_counts(responses, "touchpoint"),
            "month": N.nps_counts(monthly, ["period", "touchpoint"]),
            "all": N.nps_counts(responses)}


def _parquet(df: pd.DataFrame, path) -> str:
    """Write ``df`` as Parquet with microsecond timestamps (Spark cannot read nanoseconds)."""
    df = df.reset_index(drop=True)
    for c in df.columns:
        if isinstance(df[c].dtype, pd.DatetimeTZDtype):
            df[c] = df[c].astype(f"datetime64[us, {df[c].dt.tz}]")
    df.to_parquet(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def folder(surveys, tmp_path_factory):
    """A folder with surveys.parquet (every survey) and invalid.parquet (NPS rows with bad scores)."""
    out = tmp_path_factory.mktemp("engines")
    _parquet(surveys, out / "surveys.parquet")
    _parquet(_invalid(surveys[surveys["survey"] == "nps"]), out / "invalid.parquet")
    return out


def _invalid(responses: pd.DataFrame) -> pd.DataFrame:
    """400 NPS rows (float scores) with 2 missing scores, three 11s, one 7.5 and 2 missing touchpoints."""
    df = responses.head(400).reset_index(drop=True).astype({"score": "float64"})
    df.loc[[3, 150], "score"] = np.nan
    df.loc[[10, 11, 300], "score"] = 11.0
    df.loc[200, "score"] = 7.5
    df.loc[[5, 250], "touchpoint"] = None
    return df


def same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True)


# ------------------------------------------------------------------------------- pandas

def test_the_sample_crosses_month_ends_in_utc(responses):
    """Guard: some responses fall in another month in UTC, so a wrong time zone would show."""
    ts = responses["responded_at"]
    assert (ts.dt.tz_convert("UTC").dt.month != ts.dt.month).sum() > 10


def test_pandas_uses_the_pandas_kernel(responses, expected):
    same(E.nps_counts(responses, BY_TOUCHPOINT), expected["touchpoint"])
    same(E.nps_counts(responses, BY_MONTH), expected["month"])
    same(E.nps_counts(responses), expected["all"])


def test_the_spec_on_pandas_equals_the_kernel(responses, expected):
    """The narwhals spec itself, run on the pandas frame, gives the kernel's tables."""
    same(E.counts(responses, E.nps_spec(), BY_TOUCHPOINT), expected["touchpoint"])
    same(E.counts(responses, E.nps_spec(), BY_MONTH), expected["month"])
    same(E.counts(responses, E.nps_spec()), expected["all"])


# ------------------------------------------------------------------------------- DuckDB

@pytest.fixture(scope="module")
def con():
    return E.connect(tz="Asia/Tokyo")


@pytest.fixture(scope="module")
def duck_sources(con, responses, folder) -> dict:
    return {"frame": con.from_df(responses),
            "parquet": E.read(folder, "surveys", engine="duckdb", where={"survey": "nps"}, con=con),
            "csv": E.read(sample_dir(), "surveys", engine="duckdb", where={"survey": "nps"}, con=con)}


@pytest.mark.parametrize("source", ["frame", "parquet", "csv"])
def test_duckdb_gives_the_same_counts(duck_sources, expected, source):
    rel = duck_sources[source]
    assert E.engine_of(rel) == "duckdb"
    same(E.nps_counts(rel, BY_TOUCHPOINT), expected["touchpoint"])
    same(E.nps_counts(rel, BY_MONTH), expected["month"])
    same(E.nps_counts(rel), expected["all"])


def test_statistics_run_on_the_collected_table(duck_sources, expected):
    got = N.nps_stats(E.nps_counts(duck_sources["parquet"], BY_MONTH))
    same(got, N.nps_stats(expected["month"]))


def test_duckdb_quarters_and_fiscal_years(duck_sources, responses):
    for freq in ("quarter", "fiscal_year"):
        want = N.nps_counts(responses.assign(period=period_of(responses["responded_at"], freq)), "period")
        same(E.nps_counts(duck_sources["parquet"], E.period(freq=freq)), want)


def test_duckdb_in_another_time_zone_is_refused(folder):
    utc = E.read(folder, "surveys", engine="duckdb", con=E.connect(tz="UTC"))
    with pytest.raises(ValueError, match=r"session time zone 'UTC'.*SET TimeZone"):
        E.nps_counts(utc, BY_MONTH, exclude_invalid=True)


def test_duckdb_precomputed_month_column(con, folder, expected):
    rel = con.sql(f"SELECT strftime(responded_at AT TIME ZONE 'Asia/Tokyo', '%Y-%m') AS month, * "
                  f"FROM read_parquet('{folder / 'surveys.parquet'}') WHERE survey = 'nps'")
    got = E.nps_counts(rel, ["month", "touchpoint"])
    want = expected["month"].assign(period=expected["month"]["period"].astype(str)).rename(columns={"period": "month"})
    same(got, want)


def test_invalid_scores_raise_as_in_pandas(con, responses, folder):
    bad = _invalid(responses)
    with pytest.raises(DataError) as pandas_error:
        N.nps_counts(bad, "touchpoint")
    with pytest.raises(DataError) as duck_error:
        E.nps_counts(E.read(folder, "invalid", engine="duckdb", con=con), "touchpoint")
    want, got = pandas_error.value.problems[0], duck_error.value.problems[0]
    assert (got.table, got.column, got.message, got.fix) == (want.table, want.column, want.message, want.fix)
    assert got.n_rows == want.n_rows == 6
    assert got.file == "(duckdb data)" and len(got.values) == 3


def test_invalid_scores_are_counted_when_excluded(con, responses, folder):
    bad = _invalid(responses)
    want = N.nps_counts(bad, "touchpoint", exclude_invalid=True)
    assert want["excluded"].sum() == 6 and want["touchpoint"].isna().any()
    same(E.nps_counts(bad, "touchpoint", exclude_invalid=True), want)
    same(E.counts(bad, E.nps_spec(), "touchpoint", exclude_invalid=True), want)
    same(E.nps_counts(E.read(folder, "invalid", engine="duckdb", con=con), "touchpoint", exclude_invalid=True), want)


def test_missing_columns_are_named(con, responses):
    rel = con.from_df(responses)
    for data in (responses, rel):
        with pytest.raises(KeyError, match="score column 'nps_score' not found"):
            E.nps_counts(data, score="nps_score")
        with pytest.raises(KeyError, match=r"group column\(s\) \['team'\] not found"):
            E.nps_counts(data, "team")
        with pytest.raises(KeyError, match="timestamp column 'sent_at' not found"):
            E.nps_counts(data, E.period("sent_at"))


def test_periods_need_timestamps(con):
    df = pd.DataFrame({"responded_at": ["2026-10-01T09:00:00+09:00"], "score": [9]})
    for data in (df, con.from_df(df)):
        with pytest.raises(TypeError, match="'responded_at' must hold timestamps"):
            E.nps_counts(data, E.period())


def test_text_scores_are_refused_on_lazy_engines(con):
    rel = con.sql("SELECT * FROM (VALUES ('9'), ('3')) t(score)")
    with pytest.raises(TypeError, match="score column 'score' holds text"):
        E.nps_counts(rel)


def test_read_rejects_unknown_engines_and_tables(folder):
    with pytest.raises(ValueError, match="engine must be one of pandas, duckdb, spark"):
        E.read(folder, "surveys", engine="polars")
    with pytest.raises(FileNotFoundError, match=r"no tickets\.parquet"):
        E.read(folder, "tickets", engine="duckdb")


def test_read_pandas_and_duckdb_file(folder, responses, tmp_path):
    df = E.read(folder, "surveys", engine="pandas", where={"survey": "nps"})
    assert str(df["responded_at"].dt.tz) == "Asia/Tokyo" and len(df) == len(responses)
    db = tmp_path / "cs.duckdb"
    with E.connect(db) as c:
        c.execute(f"CREATE TABLE surveys AS SELECT * FROM read_parquet('{folder / 'surveys.parquet'}')")
    rel = E.read(db, "surveys", engine="duckdb", where={"survey": "nps"})
    same(E.nps_counts(rel, BY_MONTH), E.nps_counts(df, BY_MONTH))


def test_a_spec_for_another_metric():
    """The pattern other metrics follow: counts and sums declared once (here a CSAT-like table)."""
    s = nw.col("score")
    ok = F.valid_score("score", 1, 5)
    spec = F.CountsSpec({"n": F.Count(ok), "satisfied": F.Count(ok & (s >= 4)), "total": F.Sum(s, ok),
                         "total_sq": F.Sum(s * s, ok), "excluded": F.Count(~ok)}, inputs={"score": "score"})
    df = pd.DataFrame({"team": ["a", "a", "a", "b"], "score": [5, 4, 2, None]})
    want = pd.DataFrame({"team": ["a", "b"], "n": [3, 0], "satisfied": [2, 0], "total": [11.0, 0.0],
                         "total_sq": [45.0, 0.0], "excluded": [0, 1]}).astype({"team": "str"})
    same(F.aggregate(df, spec, "team"), want)
    same(F.aggregate(duckdb.connect().from_df(df), spec, "team"), want)


# ------------------------------------------------------------------------------- Spark

def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'csa[spark]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime (JAVA_HOME or `java` on PATH); Spark needs Java 17"
    return None


@pytest.fixture(scope="module")
def spark():
    reason = _spark_missing()
    if reason:
        pytest.skip(reason)
    session = E.spark_session(tz="Asia/Tokyo", cores=1, config={
        "spark.sql.shuffle.partitions": "1",
        # a short-lived JVM: quick JIT and GC start-up matter more than peak throughput
        "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"})
    yield session
    session.stop()


def spark_test(fn):
    """Slow (the session's start and first query take 10–25 s on 2 cores); pyspark's pandas-3 warning muted."""
    fn = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")(fn)
    return pytest.mark.slow(fn)


@spark_test
def test_spark_gives_the_same_counts(spark, folder, expected):
    sdf = E.read(folder, "surveys", engine="spark", where={"survey": "nps"}, spark=spark)
    assert E.engine_of(sdf) == "spark"
    same(E.nps_counts(sdf, BY_TOUCHPOINT), expected["touchpoint"])
    same(E.nps_counts(sdf, BY_MONTH), expected["month"])


@spark_test
def test_spark_invalid_scores(spark, folder, responses):
    sdf = E.read(folder, "invalid", engine="spark", spark=spark)
    with pytest.raises(DataError) as err:
        E.nps_counts(sdf, "touchpoint")
    assert err.value.problems[0].n_rows == 6 and err.value.problems[0].file == "(spark data)"
    same(E.nps_counts(sdf, "touchpoint", exclude_invalid=True),
         N.nps_counts(_invalid(responses), "touchpoint", exclude_invalid=True))
