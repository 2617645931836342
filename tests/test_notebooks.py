"""Notebooks: hygiene and papermill runs, parametrised from notebooks/index.yaml.

Strict nbval on the committed notebooks runs separately (``pytest --nbval notebooks``, part of
``make test``); here every notebook of the index is checked for hygiene, its MyST source is
checked against its .ipynb, every notebook runs in Japanese, and the NPS runs' headline records
are checked against an independent pandas computation.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys

import nbformat
import pandas as pd
import papermill
import pytest

from csa import catalog, headline

from . import helpers
from .conftest import ROOT

ENTRIES = catalog.notebooks(ROOT / "notebooks")
NOTEBOOKS = [e.ipynb for e in ENTRIES]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as build_tool  # noqa: E402


def test_every_notebook_is_in_the_index_and_the_index_is_complete():
    on_disk = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")} - {"START_HERE"}  # the way in, not a lesson
    assert on_disk == {e.file for e in ENTRIES}
    assert [e.file for e in ENTRIES] == sorted(e.file for e in ENTRIES), "index order = file order"


def test_a_first_report_starts_the_longest_sections_first_by_their_typical_times(tmp_path):
    from csa.report import run as report_run

    plan = [(e.ipynb, {}, {}) for e in ENTRIES if e.report]
    assert all(e.seconds for e in ENTRIES if e.report)
    order = [plan[i - 1][0].stem for i in report_run._start_order(plan, None)]
    assert order[:3] == ["10_health", "07_ltv", "09_kpi_cycle"] and order[-1] == "04_gcr"
    bad = tmp_path / "index.yaml"
    bad.write_text("notebooks:\n  - {id: a, file: a, title: {en: A, ja: A}, tables: [], report: true, seconds: soon}\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"notebook #1: seconds must be a number"):
        catalog.notebooks(tmp_path)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_source_and_notebook_are_in_step(entry):
    assert build_tool.check(entry) == []


def test_build_tool_keeps_an_edit_made_in_jupyterlab(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "index.yaml").write_text((ROOT / "notebooks" / "index.yaml").read_text(encoding="utf-8"))
    e = catalog.entry("nps", ROOT / "notebooks")
    for f in (e.source, e.ipynb):
        (folder / f.name).write_bytes(f.read_bytes())
    mine = catalog.entry("nps", folder)
    nb = nbformat.read(mine.ipynb, as_version=4)  # an edit saved from JupyterLab: the .ipynb is newer
    nb.cells.insert(3, nbformat.v4.new_markdown_cell("A note added in JupyterLab."))
    nbformat.write(nb, mine.ipynb)
    os.utime(mine.source, (1, 1))
    assert "updated from" in build_tool.sync(mine)
    assert "A note added in JupyterLab." in mine.source.read_text(encoding="utf-8")
    assert build_tool.check(mine) == []
    text = mine.source.read_text(encoding="utf-8").replace("A note added in JupyterLab.", "Edited in the .md.")
    mine.source.write_text(text, encoding="utf-8")  # then an edit in a text editor: the .md is newer
    assert "updated from" in build_tool.sync(mine)
    cells = nbformat.read(mine.ipynb, as_version=4).cells
    assert cells[3].source == "Edited in the .md."
    assert any(c.get("outputs") for c in cells if c.cell_type == "code"), "outputs of unchanged cells kept"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_hygiene(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    cells = raw["cells"]
    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    assert raw["metadata"]["kernelspec"]["name"] == "python3"
    assert "papermill" not in raw["metadata"]
    for c in cells:
        assert "papermill" not in c.get("metadata", {}) and "execution" not in c.get("metadata", {})
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), "committed executed"
    assert not [o for c in code for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not [o for c in code for o in c.get("outputs", []) if o.get("name") == "stderr"], "no warnings in outputs"
    # the parameters cell holds plain literals only (papermill does not recompute derived values)
    for node in ast.parse("".join(params[0]["source"])).body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.dump(node)
    # papermill sees every parameter (it silently ignores lines it cannot parse)
    declared = set(papermill.inspect_notebook(str(path)))
    assigned = {t.id for node in ast.parse("".join(params[0]["source"])).body for t in node.targets}
    assert declared == assigned
    # the narrative names the KPI in Japanese in its title
    assert re.search(r"[ぁ-んァ-ン一-龥]", "".join(cells[0]["source"]).splitlines()[0])
    # report-visible markdown in one language has its twin in the other, and lesson cells are English
    md = [c for c in cells if c["cell_type"] == "markdown"]
    tags = [set(c.get("metadata", {}).get("tags", [])) for c in md]
    assert sum("en" in t for t in tags) == sum("ja" in t for t in tags)
    for c, t in zip(md, tags, strict=True):
        if "ja" in t:
            assert re.search(r"[ぁ-んァ-ン一-龥]", "".join(c["source"])), "a ja cell in Japanese"
        # the report renumbers its sections (lesson-only ones are left out): report text names a section, never
        # its number, which would be wrong there
        if "lesson" not in t:
            ref = re.search(r"\b[Ss]ections? \d|\d+\s*節", "".join(c["source"]))
            assert ref is None, f"report text refers to a section by number: {ref and ref[0]!r}"
    # every metric notebook links to the primer
    if path.stem != "00_primer":
        assert "00_primer.ipynb" in "".join("".join(c["source"]) for c in md)


def test_no_long_logic_in_notebooks():
    for path in NOTEBOOKS:
        for c in nbformat.read(path, as_version=4).cells:
            if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []):  # literals, not logic
                lines = [ln for ln in c.source.splitlines() if ln.strip()
                         and not ln.lstrip().startswith(("#", "import ", "from "))]
                assert len(lines) <= 14, f"{path.name}: a code cell of {len(lines)} lines belongs in csa/"


# ------------------------------------------------------------------ papermill runs

@pytest.fixture(scope="module")
def nps_rows(sample_ds):
    ds = sample_ds
    s = ds.surveys[ds.surveys["survey"] == "nps"].merge(ds.customers, on="customer_id")
    return s.assign(month=s["responded_at"].dt.tz_localize(None).dt.to_period("M"))


def _expected(rows, period, segment="", plan=""):
    r = rows[rows["month"] == pd.Period(period, "M")]
    if segment:
        r = r[r["segment"] == segment]
    if plan:
        r = r[r["plan"] == plan]
    if r.empty:
        return 0, None
    return len(r), 100 * ((r["score"] >= 9).mean() - (r["score"] <= 6).mean())


# the Japanese run of each notebook is shared with the tests of its module that read one (test_ces…)
@pytest.mark.slow
@pytest.mark.parametrize("entry", [pytest.param(e, marks=helpers.same_run(e.ipynb.name, lang="ja")) for e in ENTRIES],
                         ids=lambda e: e.id)
def test_every_notebook_runs_in_japanese_and_report_sections_publish_a_headline(run_notebook, entry):
    nb = run_notebook(entry.ipynb.name, lang="ja")
    records = headline.extract(nb)
    if entry.report:
        assert records and all(r["title"]["ja"] for r in records)
        kept = [c for c in nb.cells if not {"lesson", "en"} & set(c.metadata.get("tags", []))]
        shown = [o for c in kept for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
        sentences = [o["data"]["text/markdown"] for o in shown]
        assert sentences and all(re.search(r"[ぁ-んァ-ン一-龥]", s) for s in sentences), "report sentences in Japanese"
    else:
        assert not records, "a lesson-only notebook publishes no headline"


def _run(run_notebook, **params):
    """Texts shown by the NPS notebook and its headline record (period, value, n)."""
    nb = run_notebook("01_nps.ipynb", **params)
    texts = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream":
                texts.append(o["text"])
            for key in ("text/markdown", "text/plain", "text/html"):
                if key in o.get("data", {}):
                    texts.append(o["data"][key])
    (rec,) = headline.extract(nb)
    return "\n".join(texts), rec


@pytest.mark.slow
@pytest.mark.parametrize("params,period,segment,plan", [
    ({}, "2026-10", "", ""),                                                      # defaults: the data's last month
    ({"lang": "ja", "period": "2026-04"}, "2026-04", "", ""),                     # Japanese
    ({"segment": "enterprise", "period": "2026-10"}, "2026-10", "enterprise", ""),
    ({"segment": "enterprise", "plan": "starter", "period": "2026-09"}, "2026-09", "enterprise", "starter"),  # few
], ids=["defaults", "ja", "enterprise", "few-responses"])
def test_papermill_runs_report_the_right_numbers(run_notebook, nps_rows, params, period, segment, plan):
    text, rec = _run(run_notebook, **params)
    n_exp, v_exp = _expected(nps_rows, period, segment, plan)
    assert (rec["period"], rec["n"]) == (period, n_exp)
    assert rec["value"] == pytest.approx(v_exp, abs=1e-9)
    _n_prev, v_prev = _expected(nps_rows, str(pd.Period(period, "M") - 1), segment, plan)
    assert rec["change"]["diff"] == pytest.approx(v_exp - v_prev, abs=1e-9)
    def signed(x: float) -> str:  # as the sentences write it: one decimal, its sign, the real minus sign
        return f"{x:+.1f}".replace("-", "\u2212")

    if params.get("lang") == "ja":
        assert f"**{period}のNPS：{signed(v_exp)}**" in text
        assert "タッチポイント" in text and "推奨者" in text and "NPS in" not in text
    else:
        assert f"**NPS in {period}: {signed(v_exp)}** (95% interval {signed(rec['low'])} to {signed(rec['high'])}; " \
               f"n = {n_exp:,}" in text
    if n_exp < 30:
        assert rec["small_n"] and f"Only {n_exp} responses" in text


@pytest.mark.slow
def test_papermill_period_without_responses_says_so(run_notebook):
    text, rec = _run(run_notebook, period="2030-01")
    assert "No NPS responses in 2030-01" in text
    assert "**0 detractors** to call back in 2030-01" in text  # every section ran, empty but clear
    assert "Fewer than two relationship-survey waves" not in text  # earlier waves still exist
    assert rec["n"] == 0 and rec["value"] is None and rec["change"] is None


@pytest.mark.slow
def test_papermill_quarter(run_notebook, nps_rows):
    _text, rec = _run(run_notebook, freq="quarter", period="2026Q3")
    r = nps_rows[nps_rows["month"].between(pd.Period("2026-07", "M"), pd.Period("2026-09", "M"))]
    assert (rec["period"], rec["n"]) == ("2026Q3", len(r))
    assert rec["value"] == pytest.approx(100 * ((r["score"] >= 9).mean() - (r["score"] <= 6).mean()), abs=1e-9)
    assert rec["change"]["vs"] == "2026Q2"
