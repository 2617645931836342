"""The whole sample report, built once with ``--engine duckdb --lang ja``: each KPI on the front page once,
with its section's value, every section's KPIs counted by DuckDB, and ``front_page`` in the manifest."""

from __future__ import annotations

import html
import json
import math
import re

import pytest

import csa
from csa import numbers as num
from csa.cli import main

from .conftest import SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("front-page-report")]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("front") / "2026-10"
    code = main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "--lang", "ja",
                 "--engine", "duckdb"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return code, out, manifest


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


def _close(a, b) -> bool:
    """Equal to 1e-9; a missing value (None in JSON, NaN from csa.measure) equals only a missing value."""
    a, b = (math.nan if x is None else float(x) for x in (a, b))
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_every_section_runs_and_counts_its_kpis_in_duckdb(report):
    code, _, m = report
    assert code == 0 and m["ok"], [(nb["name"], nb.get("error")) for nb in m["notebooks"] if nb["status"] != "ok"]
    kpi_records = [r for nb in m["notebooks"] for r in nb.get("records", []) if "key" in r]
    sections = {r["section"] for r in kpi_records}
    assert {"nps", "csat", "ces", "gcr", "support", "resolution", "capacity", "churn", "ltv"} <= sections
    assert {r["engine"] for r in kpi_records} == {"duckdb"}
    for nb in m["notebooks"]:
        if nb.get("parameters") is not None and nb["name"] != "00_primer.ipynb":
            assert nb["parameters"].get("engine") == "duckdb", nb["name"]


def test_the_front_page_shows_each_kpi_once_with_its_sections_value(report, ds):
    _, _, m = report
    front = m["front_page"]
    kpis = [f["kpi"] for f in front if f["source"] != "fact"]
    assert len(kpis) == len(set(kpis)), "a KPI twice on the front page"
    published = {r["key"]: r for nb in m["notebooks"] for r in nb.get("records", []) if "key" in r}
    for f in front:
        if f["source"] == "fact":
            continue
        if f["source"] == "section" or (f["source"] == "scorecard" and f["key"] in published):
            rec = published[f["key"]]
            assert all(_close(f[c], rec[c]) for c in ("value", "low", "high", "n")), f["kpi"]
        if f["source"] == "scorecard" and f["key"] not in published:
            continue  # computed by the scorecard from the KPI's history: pinned below
        r = csa.measure(f["kpi"], ds, period=f["period"], where=f["where"] or None, **f["params"])
        assert _close(f["value"], r.value) and _close(f["low"], r.low) and f["n"] == r.n, f["kpi"]


def test_scorecard_rows_computed_from_history_equal_measure(report, ds):
    _, _, m = report
    for row in m["scorecard"]["rows"]:
        if row["kpi"] is None or row["value"] is None:
            continue
        r = csa.measure(row["kpi"], ds, period=row["as_of"], where=row["where"] or None, **row["params"])
        assert _close(row["value"], r.value) and _close(row["low"], r.low) and row["n"] == r.n, row["id"]


def test_index_html_has_one_row_per_front_page_figure(report):
    _, out, m = report
    index = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr id="kpi-([a-z0-9_]+)">(.*?)</tr>', index, flags=re.S)
    assert len(rows) == len(m["front_page"])
    by_id = dict(rows)
    for f in m["front_page"]:
        if f["source"] != "section" or f["value"] is None:
            continue
        k = csa.KPIS[f["kpi"]]
        shown = num.value(f["value"], f["unit"], "ja", digits=k.fmt.digits)
        assert html.escape(shown) in by_id[f["kpi"]], (f["kpi"], shown)
