"""The NPS notebook's ``engine=`` parameter: DuckDB or Spark count the answers, the numbers stay the pandas ones.

The headline comes from ``csa.measure`` (through ``views.common.headline``) and the counts per
period and touchpoint that the touchpoint table and the trend read from ``csa.kpi.table``
(``csa.views.nps.period_counts``), both on the notebook's engine. The counts are checked against
the pandas route here (filters and period lengths included), and the notebook is run with
papermill on the bundled sample with ``engine="duckdb"``: every text it shows and its headline
record must equal the pandas run's (but the record's ``engine``). Spark's twin check lives in
``test_engines.py`` (one Spark session per module).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import csa
from csa.report import build_parameters
from csa.views import nps as V

from . import helpers

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_nps.ipynb"
SAMPLE = csa.datasets.sample_dir()


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # the bundled sample, loaded once per session (tests/conftest.py); read only


@pytest.mark.parametrize("segment,plan,freq", [("", "", "month"), ("enterprise", "", "month"),
                                               ("enterprise", "starter", "quarter"), ("smb", "", "fiscal_year")])
def test_period_counts_on_duckdb_equal_pandas(ds, segment, plan, freq):
    want = V.period_counts(ds, freq=freq, segment=segment, plan=plan)
    got = V.period_counts(ds, engine="duckdb", freq=freq, segment=segment, plan=plan)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert want["n"].sum() + want["excluded"].sum() == len(V.responses(ds, segment=segment, plan=plan, freq=freq))


def test_counts_tables_equal_the_tables_of_the_responses(ds):
    """What sections 3–6 show from the counts is what nps_table shows from the responses."""
    resp = V.responses(ds)
    counts = V.period_counts(ds)
    for p in (pd.Period("2026-10", "M"), pd.Period("2026-04", "M"), pd.Period("2030-01", "M")):
        this = resp[resp["period"] == p]
        pd.testing.assert_frame_equal(V.counts_table(counts, p), csa.metrics.nps.nps_table(this), check_exact=True)
        pd.testing.assert_frame_equal(V.counts_table(counts, p, "touchpoint"),
                                      csa.metrics.nps.nps_table(this, "touchpoint"), check_exact=True)
        pd.testing.assert_frame_equal(V.counts_table(counts, p, "period", upto=True),
                                      csa.metrics.nps.nps_table(resp[resp["period"] <= p], "period"), check_exact=True)


def test_engine_refusals(ds):
    with pytest.raises(ValueError, match="engine must be one of pandas, duckdb, spark; got 'polars'"):
        V.period_counts(ds, engine="polars")
    with pytest.raises(ValueError, match=r"engine = 'polars' is not allowed: .* takes one of pandas, duckdb, spark"):
        build_parameters(NOTEBOOK, {"engine": "polars"})
    assert build_parameters(NOTEBOOK, {"engine": "duckdb"}) == {"engine": "duckdb"}


def _run(run_notebook, **params):
    nb = run_notebook(NOTEBOOK.name, **params)
    texts = [o.get("text") or {k: v for k, v in o.get("data", {}).items()  # the record is compared apart
                               if not k.startswith("image/") and k != csa.headline.MIMETYPE}
             for c in nb.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])
             for o in c.get("outputs", [])]
    (record,) = helpers.records(nb)
    return record, texts


@pytest.mark.slow
def test_nps_notebook_with_duckdb_shows_the_pandas_numbers(run_notebook):
    want, want_texts = _run(run_notebook, period="2026-10")
    got, got_texts = _run(run_notebook, period="2026-10", engine="duckdb")
    assert (want["engine"], got["engine"]) == ("pandas", "duckdb")
    assert {k: v for k, v in got.items() if k != "engine"} == {k: v for k, v in want.items() if k != "engine"}
    assert (got["period"], got["n"]) == ("2026-10", 787) and got["value"] == pytest.approx(-24.26937738, abs=1e-8)
    assert got_texts == want_texts  # every sentence and table of the notebook
