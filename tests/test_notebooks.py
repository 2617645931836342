"""Notebook hygiene, and papermill runs with several parameter sets asserting their numbers.

Strict nbval on the committed notebooks runs separately (``pytest --nbval notebooks``, part of
``make test``); here each run's headline is checked against an independent pandas computation.
"""

from __future__ import annotations

import ast
import json
import re

import nbformat
import pandas as pd
import papermill
import pytest

import csa

from .conftest import ROOT, SAMPLE

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


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


def test_no_long_logic_in_notebooks():
    for path in NOTEBOOKS:
        for c in nbformat.read(path, as_version=4).cells:
            if c.cell_type == "code":
                lines = [ln for ln in c.source.splitlines() if ln.strip()
                         and not ln.lstrip().startswith(("#", "import ", "from "))]
                assert len(lines) <= 14, f"{path.name}: a code cell of {len(lines)} lines belongs in csa/"


# ------------------------------------------------------------------ papermill runs

@pytest.fixture(scope="module")
def nps_rows():
    ds = csa.load(SAMPLE)
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


def _run(tmp_path, **params):
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "01_nps.ipynb"), str(out), parameters=params,
                               kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    texts = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream":
                texts.append(o["text"])
            for key in ("text/markdown", "text/plain", "text/html"):
                if key in o.get("data", {}):
                    texts.append(o["data"][key])
    return "\n".join(texts)


def _headline(text):
    m = re.search(r"\*\*NPS in (\S+): ([+-]\d+\.\d)\*\* \(95% interval ([+-]\d+\.\d) to ([+-]\d+\.\d); n = ([\d,]+)", text)
    assert m, "headline not found"
    return m[1], float(m[2]), int(m[5].replace(",", ""))


@pytest.mark.slow
@pytest.mark.parametrize("params,period,segment,plan", [
    ({}, "2026-10", "", ""),                                                      # defaults: the data's last month
    ({"lang": "ja", "period": "2026-04"}, "2026-04", "", ""),                     # Japanese
    ({"segment": "enterprise", "period": "2026-10"}, "2026-10", "enterprise", ""),
    ({"segment": "enterprise", "plan": "starter", "period": "2026-09"}, "2026-09", "enterprise", "starter"),  # few
], ids=["defaults", "ja", "enterprise", "few-responses"])
def test_papermill_runs_report_the_right_numbers(tmp_path, nps_rows, params, period, segment, plan):
    text = _run(tmp_path, **params)
    label, value, n = _headline(text)
    n_exp, v_exp = _expected(nps_rows, period, segment, plan)
    assert (label, n) == (period, n_exp)
    assert value == pytest.approx(v_exp, abs=0.05)
    if params.get("lang") == "ja":
        assert "タッチポイント" in text and "推奨者" in text
    if n_exp < 30:
        assert f"Only {n_exp} responses" in text


@pytest.mark.slow
def test_papermill_period_without_responses_says_so(tmp_path):
    text = _run(tmp_path, period="2030-01", lang="ja")
    assert "No NPS responses in 2030-01" in text
    assert "**0 detractors** to call back in 2030-01" in text  # every section ran, empty but clear
    assert "Fewer than two relationship-survey waves" not in text  # earlier waves still exist


@pytest.mark.slow
def test_papermill_quarter(tmp_path, nps_rows):
    text = _run(tmp_path, freq="quarter", period="2026Q3")
    label, value, n = _headline(text)
    r = nps_rows[nps_rows["month"].between(pd.Period("2026-07", "M"), pd.Period("2026-09", "M"))]
    assert (label, n) == ("2026Q3", len(r))
    assert value == pytest.approx(100 * ((r["score"] >= 9).mean() - (r["score"] <= 6).mean()), abs=0.05)
