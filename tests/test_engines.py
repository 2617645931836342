"""The same counts tables from pandas, DuckDB and Spark (issues 8 and "Scale": engines for data beyond memory).

The reference is the handbook's pandas route on the bundled sample: ``period_of`` then the
metric's own pandas function (``nps_counts``, ``csat_counts``, ``fcr_counts``, ``completion_table``…).
DuckDB reads the same rows from a pandas frame, from Parquet and from the raw sample CSV; Spark
(local mode, one session for the module) from Parquet. Tables must be identical, dtypes and group
order included, after collection; sums of fractional values (handle time in minutes) are equal up
to the summation order (relative 1e-12), sums of whole scores exactly.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import duckdb
import narwhals as nw
import numpy as np
import pandas as pd
import pytest

from csa import engines as E
from csa.datasets import sample_dir
from csa.errors import DataError
from csa.metrics import churn as CH
from csa.metrics import frames as F
from csa.metrics import nps as N
from csa.metrics import support as SUP
from csa.metrics import survey as SV
from csa.periods import period_of

BY_TOUCHPOINT = "touchpoint"
BY_MONTH = [E.period("responded_at"), "touchpoint"]


@pytest.fixture(scope="module")
def dataset(sample_ds):
    """The bundled sample, as csa.load returns it (loaded once per session: tests/conftest.py; read only)."""
    return sample_ds


@pytest.fixture(scope="module")
def surveys(dataset) -> pd.DataFrame:
    """Every survey answer of the bundled sample."""
    return dataset.surveys


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
def folder(surveys, tables, tmp_path_factory):
    """Parquet files: the sample's tables (months of subscriptions as YYYY-MM text, as exports have them),
    ``atrisk`` (customers with a churned flag) and ``invalid`` (NPS rows with bad scores)."""
    out = tmp_path_factory.mktemp("engines")
    for name, df in tables.items():
        _parquet(df, out / f"{name}.parquet")
    _parquet(_invalid(surveys[surveys["survey"] == "nps"]), out / "invalid.parquet")
    return out


@pytest.fixture(scope="module")
def tables(dataset) -> dict:
    """The tables the metrics read, as pandas frames."""
    subs = dataset.subscriptions
    last = subs.groupby("customer_id")["month"].max()
    c = dataset.customers[dataset.customers["customer_id"].isin(last.index)]
    atrisk = c.assign(churned=c["customer_id"].map(last) < subs["month"].max()).reset_index(drop=True)
    return {"surveys": dataset.surveys, "tickets": dataset.tickets, "goals": dataset.goals, "atrisk": atrisk,
            "subscriptions": subs.assign(month=subs["month"].astype(str))}


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
    with pytest.raises(FileNotFoundError, match=r"no orders\.parquet"):
        E.read(folder, "orders", engine="duckdb")


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


# ------------------------------------------------------------------------------- the other metrics

@dataclass(frozen=True)
class Case:
    """A metric's counts on every engine: ``run(data, by)`` (csa.engines) against ``want(df, by)``
    (the metric's own pandas function), on a table grouped by month and a category."""

    table: str
    where: dict | None
    run: Callable
    want: Callable
    category: str
    exact: bool = True  # False: float sums of fractional values, equal up to the summation order


def _rate_table(fn, extra=(), **kw):
    return lambda df, by: fn(df, by, **kw)[[*(by or []), "n", "successes", "excluded", *extra]]


def _sums_table(fn, extra=(), **kw):
    return lambda df, by: fn(df, by, **kw)[[*(by or []), "n", "total", "total_sq", "excluded", *extra]]


CASES = {
    "csat": Case("surveys", {"survey": "csat"}, E.csat_counts, SV.csat_counts, "touchpoint"),
    "csat_top1": Case("surveys", {"survey": "csat"}, partial(E.csat_counts, top=1), partial(SV.csat_counts, top=1),
                      "touchpoint"),
    "ces": Case("surveys", {"survey": "ces"}, E.ces_counts, SV.ces_counts, "touchpoint"),
    "ces_high_end": Case("surveys", {"survey": "ces"}, partial(E.ces_counts, easy_end="high", boxes=2),
                         partial(SV.ces_counts, easy_end="high", boxes=2), "touchpoint"),
    "gcr": Case("goals", None, E.gcr_counts, SV.gcr_counts, "goal"),
    "gcr_customer": Case("goals", None, partial(E.gcr_counts, unit="customer"), partial(SV.gcr_counts, unit="customer"),
                         "goal"),
    **{f"fcr_{d}": Case("tickets", None, partial(E.fcr_counts, definition=d), partial(SUP.fcr_counts, definition=d),
                        "channel") for d in SUP.FCR_DEFINITIONS},
    "completion": Case("tickets", None, E.completion_counts, _rate_table(SUP.completion_table), "channel"),
    "abandonment": Case("tickets", None, E.abandonment_counts,
                        _rate_table(SUP.abandonment_table, ["short_abandons"]), "channel"),
    "complaint": Case("tickets", None, E.complaint_counts, _rate_table(SUP.complaint_table), "priority"),
    "volume": Case("tickets", None, E.volume_counts, lambda df, by: SUP.volume_table(df, by)[[*(by or []), "tickets"]],
                   "team"),
    "aht": Case("tickets", None, E.aht_sums, _sums_table(SUP.aht_table), "channel", exact=False),
    "quality": Case("tickets", None, E.quality_sums, _sums_table(SUP.quality_table, ["tickets"]), "team"),
    "mean_sums": Case("tickets", None, lambda d, by: E.mean_sums(d, "handle_time_min", by, include="is_complaint"),
                      lambda df, by: SUP.mean_sums(df, "handle_time_min", by, include="is_complaint"), "channel",
                      exact=False),
    "churn_by": Case("atrisk", None, E.churn_by_counts,
                     lambda df, by: CH.churn_by(df, by)[[*(by or []), "n", "churned"]], "segment"),
}
TIME = {"surveys": "responded_at", "goals": "started_at", "tickets": "created_at", "atrisk": "signup_date"}


def same_as(case: Case, got: pd.DataFrame, want: pd.DataFrame) -> None:
    if case.exact:
        same(got, want)
    else:
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)


def _rows(tables: dict, case: Case) -> pd.DataFrame:
    df = tables[case.table]
    for col, value in (case.where or {}).items():
        df = df[df[col] == value]
    return df.reset_index(drop=True)


def _expected(tables: dict, case: Case) -> dict:
    """The metric's pandas function on the rows: by month and category, by category, overall."""
    df = _rows(tables, case)
    monthly = df.assign(period=period_of(df[TIME[case.table]], "month"))
    return {"month": case.want(monthly, ["period", case.category]), "category": case.want(df, [case.category]),
            "all": case.want(df, None)}


def _check(case: Case, data, want: dict) -> None:
    same_as(case, case.run(data, [E.period(TIME[case.table]), case.category]), want["month"])
    same_as(case, case.run(data, case.category), want["category"])
    same_as(case, case.run(data, None), want["all"])


@pytest.mark.parametrize("name", CASES)
def test_other_metrics_pandas_uses_the_kernel(tables, name):
    case = CASES[name]
    want = _expected(tables, case)
    assert len(want["month"]) >= 24 and want["month"]["n" if "n" in want["month"] else "tickets"].sum() > 1000
    _check(case, _rows(tables, case), want)


@pytest.mark.parametrize("source", ["frame", "parquet", "csv"])
@pytest.mark.parametrize("name", CASES)
def test_other_metrics_duckdb_gives_the_same_counts(con, tables, folder, name, source):
    case = CASES[name]
    if source == "csv" and case.table == "atrisk":
        pytest.skip("atrisk is made in the test; the sample has no CSV of it")
    rel = {"frame": lambda: con.from_df(_rows(tables, case)),
           "parquet": lambda: E.read(folder, case.table, engine="duckdb", where=case.where, con=con),
           "csv": lambda: E.read(sample_dir(), case.table, engine="duckdb", where=case.where, con=con)}[source]()
    _check(case, rel, _expected(tables, case))


def test_churn_counts_on_pandas_and_duckdb(con, dataset, tables, folder):
    want = CH.churn_by_month(dataset.subscriptions)[["month", "n", "churned"]]
    assert len(want) == 23 and want["churned"].sum() > 300
    same(E.churn_counts(dataset.subscriptions), want)
    same(E.churn_counts(tables["subscriptions"]), want)  # YYYY-MM text, as in the export
    for rel in (con.from_df(tables["subscriptions"]), E.read(folder, "subscriptions", engine="duckdb", con=con),
                E.read(sample_dir(), "subscriptions", engine="duckdb", con=con)):
        same(E.churn_counts(rel), want)


# --- hand-computed tiny examples, on pandas and DuckDB

def _both(fn, df: pd.DataFrame, want: pd.DataFrame, **kw) -> None:
    """``fn`` on the pandas frame and on DuckDB gives ``want`` (key columns as str, counts int64)."""
    want = want.astype({c: "str" for c in want.columns if want[c].dtype == object})
    same(fn(df, **kw), want)
    same(fn(duckdb.connect().from_df(df), **kw), want)


def test_tiny_csat_and_ces():
    df = pd.DataFrame({"team": ["a", "a", "a", "a", "b"], "score": [5, 4, 3, None, 1]})
    # a: 5, 4, 3 valid (4 and 5 satisfied; 5 alone with top=1), Σ = 12, Σ² = 50, one missing answer
    want = pd.DataFrame({"team": ["a", "b"], "n": [3, 1], "satisfied": [2, 0], "total": [12.0, 1.0],
                         "total_sq": [50.0, 1.0], "excluded": [1, 0]})
    _both(E.csat_counts, df, want, by="team")
    _both(E.csat_counts, df, want.assign(satisfied=[1, 0]), by="team", top=1)
    # CES 1–7, easy = 1–3 (low end): 3, 1 → 2 easy in a; with easy_end="high", boxes=3: 5–7 → 5 only
    want = want.rename(columns={"satisfied": "easy"}).assign(easy=[1, 1])
    _both(E.ces_counts, df, want, by="team")
    _both(E.ces_counts, df, want.assign(easy=[1, 0]), by="team", easy_end="high")


def test_tiny_gcr():
    df = pd.DataFrame({"goal": ["setup"] * 4 + ["invite"] * 2, "customer_id": ["c1", "c1", "c2", "c3", "c1", "c1"],
                       "completed": [False, True, False, None, True, True]})
    # setup: attempts c1 ✗ ✓, c2 ✗, c3 ? → 3 known, 1 completed, 1 missing; customers c1 ✓, c2 ✗ (c3 no known attempt)
    _both(E.gcr_counts, df, pd.DataFrame({"goal": ["invite", "setup"], "n": [2, 3], "completed": [2, 1],
                                          "excluded": [0, 1]}), by="goal")
    _both(E.gcr_counts, df, pd.DataFrame({"goal": ["invite", "setup"], "n": [1, 2], "completed": [1, 1],
                                          "excluded": [0, 1], "attempts": [2, 3]}), by="goal", unit="customer")
    numbers = df.assign(completed=[0, 1, 0, None, 1, 1])  # 1/0 work too
    _both(E.gcr_counts, numbers, pd.DataFrame({"n": [5], "completed": [3], "excluded": [1]}))


def test_tiny_support_rates():
    t = pd.DataFrame({"status": ["solved", "solved", "solved", "solved", "abandoned", "open"],
                      "agent_replies": [0, 1, 1, 3, 1, 0], "reopened": [False, False, True, False, False, False],
                      "wait_s": [0.0, 0.0, 0.0, 0.0, 4.0, 0.0],
                      "is_complaint": [True, False, None, False, False, True]})
    # FCR (see csa.metrics.support.fcr): one_touch 0 and 1 reply not reopened → 2 of 4 solved; zendesk < 2
    # replies → 3 of 4; exactly one reply → 2 of 4; all_contacts → 2 of 6
    for d, (n, x) in {"one_touch": (4, 2), "zendesk": (4, 3), "exactly_one": (4, 2), "all_contacts": (6, 2)}.items():
        _both(E.fcr_counts, t, pd.DataFrame({"n": [n], "successes": [x], "excluded": [6 - n]}), definition=d)
    _both(E.completion_counts, t, pd.DataFrame({"n": [6], "successes": [4], "excluded": [0]}))
    _both(E.abandonment_counts, t, pd.DataFrame({"n": [6], "successes": [1], "excluded": [0], "short_abandons": [0]}))
    # the one abandon waited 4 s: a short abandon under 5 s, out of numerator and denominator
    _both(E.abandonment_counts, t, pd.DataFrame({"n": [5], "successes": [0], "excluded": [0], "short_abandons": [1]}),
          wait="wait_s", short_abandon=5)
    _both(E.complaint_counts, t, pd.DataFrame({"n": [5], "successes": [2], "excluded": [1]}))
    _both(E.volume_counts, t, pd.DataFrame({"status": ["abandoned", "open", "solved"], "tickets": [1, 1, 4]}),
          by="status")


def test_tiny_support_sums():
    t = pd.DataFrame({"team": ["a", "a", "a", "b"], "handle_time_min": [10.0, 20.0, 30.0, 5.0],
                      "first_response_at": pd.to_datetime(["2026-10-01", "2026-10-01", None, "2026-10-02"]),
                      "quality_score": [80.0, None, 90.0, None]})
    # AHT of handled tickets: a 10 + 20 (the third has no response yet), b 5
    _both(E.aht_sums, t, pd.DataFrame({"team": ["a", "b"], "n": [2, 1], "total": [30.0, 5.0],
                                       "total_sq": [500.0, 25.0], "excluded": [1, 0]}), by="team")
    _both(E.quality_sums, t, pd.DataFrame({"team": ["a", "b"], "n": [2, 0], "total": [170.0, 0.0],
                                           "total_sq": [14500.0, 0.0], "excluded": [1, 1], "tickets": [3, 1]}),
          by="team")
    _both(E.mean_sums, t, pd.DataFrame({"n": [4], "total": [65.0], "total_sq": [1425.0], "excluded": [0]}),
          value="handle_time_min")


def test_tiny_churn():
    atrisk = pd.DataFrame({"group": ["promoter", "promoter", "detractor"], "churned": [False, True, True]})
    _both(E.churn_by_counts, atrisk, pd.DataFrame({"group": ["detractor", "promoter"], "n": [1, 2],
                                                   "churned": [1, 1]}), by="group")
    # a: Sep, Oct, (gap) Dec; b: Sep, Sep again (a second subscription), Oct; c: Dec only
    subs = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "b", "c"],
                         "month": ["2026-09", "2026-10", "2026-12", "2026-09", "2026-09", "2026-10", "2026-12"],
                         "mrr": [10.0, 10.0, 10.0, 5.0, 5.0, 5.0, 0.0]})
    # Oct: 2 at the start (a, b), none lost; Nov: a, b lost; Dec: nobody at the start (Nov is empty)
    want = pd.DataFrame({"month": pd.PeriodIndex(["2026-10", "2026-11", "2026-12"], freq="M"), "n": [2, 2, 0],
                         "churned": [0, 2, 0]})
    same(E.churn_counts(subs), want)
    same(E.churn_counts(duckdb.connect().from_df(subs)), want)
    dates = subs.assign(month=pd.to_datetime(subs["month"] + "-15"))  # dates work as months too
    same(E.churn_counts(duckdb.connect().from_df(dates)), want)


# --- errors, as in pandas

def test_invalid_survey_scores_raise_or_are_counted(con):
    df = pd.DataFrame({"score": [5.0, 4.5, 7.0, None]})  # 4.5 and 7 are not CSAT answers, None is unanswered
    rel = con.from_df(df)
    with pytest.raises(DataError) as pandas_error:
        SV.csat_counts(df)
    with pytest.raises(DataError) as duck_error:
        E.csat_counts(rel)
    want, got = pandas_error.value.problems[0], duck_error.value.problems[0]
    assert (got.message, got.fix, got.column, got.n_rows) == (want.message, want.fix, want.column, 2)
    same(E.csat_counts(rel, exclude_invalid=True), SV.csat_counts(df, exclude_invalid=True))
    assert E.csat_counts(rel, exclude_invalid=True)["excluded"].item() == 3


def test_invalid_flags_and_subscriptions_raise(con):
    goals = pd.DataFrame({"customer_id": ["a", "b"], "completed": [1, 2]})
    for unit in ("attempt", "customer"):
        with pytest.raises(DataError, match="must be true/false"):
            E.gcr_counts(con.from_df(goals), unit=unit)
    with pytest.raises(DataError, match="churned is True or False"):
        E.churn_by_counts(con.from_df(pd.DataFrame({"churned": [True, None]})))
    subs = pd.DataFrame({"customer_id": ["a", "a", None], "month": ["2026-09", "2026/10", "2026-10"],
                         "mrr": [1.0, -1.0, 2.0]})
    with pytest.raises(DataError, match="customer, a month") as err:
        E.churn_counts(con.from_df(subs))
    assert err.value.problems[0].n_rows == 2


def test_bad_arguments_are_refused_before_any_scan(con):
    rel = con.sql("SELECT 1 AS score")
    with pytest.raises(ValueError, match="definition must be one of"):
        E.fcr_counts(rel, definition="fast")
    with pytest.raises(ValueError, match="top must be a whole number"):
        E.csat_counts(rel, top=5)
    with pytest.raises(ValueError, match="easy_end"):
        E.ces_counts(rel, easy_end="middle")
    with pytest.raises(ValueError, match="unit is 'attempt'"):
        E.gcr_counts(rel, unit="goal")
    with pytest.raises(ValueError, match="short_abandon needs"):
        E.abandonment_counts(rel, short_abandon=5)
    with pytest.raises(KeyError, match="status column 'status' not found"):
        E.completion_counts(rel)
    with pytest.raises(TypeError, match="replies column 'agent_replies' holds text"):
        E.fcr_counts(con.sql("SELECT 'solved' AS status, '1' AS agent_replies, false AS reopened"))


def _missing_values_as_in_pandas(open_):
    """Missing flags, statuses, replies, scores and keys, counted as in pandas: ``open_(df, name)`` → engine frame."""
    t = pd.DataFrame({"team": ["a", "a", "a", "b", "b", None],
                      "status": ["solved", "solved", None, "solved", "abandoned", "open"],
                      "agent_replies": [0, 1, 1, None, 1, 0], "reopened": [False, None, True, False, False, False],
                      "wait_s": [0.0, 0.0, 0.0, None, 4.0, 0.0],
                      "is_complaint": [True, False, None, False, False, True],
                      "handle_time_min": [10.0, 20.0, 30.0, 5.0, None, 1.0],
                      "quality_score": [80.0, None, 90.0, None, 70.0, None],
                      "first_response_at": pd.to_datetime(["2026-10-01", None, "2026-10-01", "2026-10-02",
                                                           "2026-10-02", None])}).astype({"agent_replies": "Int64"})
    goals = pd.DataFrame({"goal": ["setup"] * 4 + ["invite"] * 2, "customer_id": ["c1", "c1", "c2", None, "c1", "c1"],
                          "completed": [False, True, None, None, True, False]})
    sdf = {"tickets": open_(t, "tickets"), "goals": open_(goals, "goals")}
    for d in SUP.FCR_DEFINITIONS:
        same(E.fcr_counts(sdf["tickets"], "team", definition=d), SUP.fcr_counts(t, "team", definition=d))
    for case in ("completion", "abandonment", "complaint", "volume", "aht", "quality"):
        same(CASES[case].run(sdf["tickets"], "team"), CASES[case].want(t, ["team"]))
    same(E.abandonment_counts(sdf["tickets"], "team", wait="wait_s", short_abandon=5),
         E.abandonment_counts(t, "team", wait="wait_s", short_abandon=5))
    for unit in ("attempt", "customer"):
        same(E.gcr_counts(sdf["goals"], "goal", unit=unit), SV.gcr_counts(goals, "goal", unit=unit))


def test_duckdb_missing_values_as_in_pandas(con, tmp_path):
    _missing_values_as_in_pandas(lambda df, name: E.read(_parquet(df, tmp_path / f"{name}.parquet"), engine="duckdb",
                                                         con=con))


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


@spark_test
@pytest.mark.parametrize("name", CASES)
def test_other_metrics_spark_gives_the_same_counts(spark, tables, folder, name):
    case = CASES[name]
    sdf = E.read(folder, case.table, engine="spark", where=case.where, spark=spark)
    want = _expected(tables, case)
    same_as(case, case.run(sdf, [E.period(TIME[case.table]), case.category]), want["month"])


@spark_test
def test_spark_churn_counts(spark, dataset, folder):
    want = CH.churn_by_month(dataset.subscriptions)[["month", "n", "churned"]]
    same(E.churn_counts(E.read(folder, "subscriptions", engine="spark", spark=spark)), want)


@spark_test
def test_spark_tiny_examples_with_missing_values(spark, tmp_path):
    """Missing flags, statuses and scores are counted as in pandas (the sample has few of them)."""
    _missing_values_as_in_pandas(lambda df, name: spark.read.parquet(_parquet(df, tmp_path / f"{name}.parquet")))


@spark_test
def test_spark_behind_the_nps_notebook(spark, dataset):
    """``engine="spark"`` in 01_nps: the dataset's answers counted by Spark (the catalogue's NPS), a segment filtered
    through the customers."""
    from csa.views import nps as V

    for segment in ("", "enterprise"):
        got = V.period_counts(dataset, engine="spark", segment=segment)
        same(got, V.period_counts(dataset, segment=segment))
