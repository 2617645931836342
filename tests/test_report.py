"""`csa report` end to end in a temporary folder, including the failure paths."""

from __future__ import annotations

import hashlib
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from csa import report
from csa.cli import main

from .conftest import SAMPLE

pytestmark = pytest.mark.slow


def _tiny(path, body="print('ok', period)"):
    nb = new_notebook(cells=[
        new_markdown_cell(f"# Tiny {path.stem}"),
        new_code_cell('data_dir = ""\nperiod = ""\nlang = "en"\nfreq = "month"\nmin_n = 30', metadata={"tags": ["parameters"]}),
        new_code_cell(body),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, path)
    return path


def test_report_on_the_sample(tmp_path, capsys):
    out = tmp_path / "2026-10"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "--lang", "ja"]) == 0
    assert "[1/1] 01_nps.ipynb ok" in capsys.readouterr().err  # progress
    assert {p.name for p in out.iterdir()} == {"01_nps.ipynb", "01_nps.html", "index.html", "manifest.json"}
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["ok"] and m["parameters"]["period"] == "2026-10" and m["parameters"]["lang"] == "ja"
    assert m["notebooks"][0]["status"] == "ok" and m["notebooks"][0]["seconds"] > 0
    hashes = {i["file"]: i["sha256"] for i in m["inputs"]}
    assert hashes["surveys.csv"] == hashlib.sha256((SAMPLE / "surveys.csv").read_bytes()).hexdigest()
    assert {"csa", "pandas", "papermill"} <= set(m["versions"])
    page = (out / "01_nps.html").read_text(encoding="utf-8")
    assert "NPS in 2026-10" in page and "タッチポイント" in page
    assert "import csa" not in page and "ten = [" not in page  # no code, no lesson cells
    assert "<h2" in page and "data:image/png;base64" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="01_nps.html"' in index and "NPS" in index
    executed = nbformat.read(out / "01_nps.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)


def test_unknown_parameter_is_refused_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "-p", "segmnt", "smb"]) == 2
    err = capsys.readouterr().err
    assert "does not declare the parameter(s) segmnt" in err and "segment" in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_parameters_are_typed_like_the_notebook_defaults(tmp_path):
    nb = _tiny(tmp_path / "t.ipynb")
    p = report.build_parameters(nb, {"period": "0012", "min_n": "20"})
    assert p == {"period": "0012", "min_n": 20}  # papermill's -p would have made 12 of "0012"
    with pytest.raises(ValueError, match="expects a int"):
        report.build_parameters(nb, {"min_n": "many"})


def test_bad_period_and_missing_data_are_clear_errors(tmp_path, capsys):
    assert main(["report", "--period", "October", "--data", str(SAMPLE), "--out", str(tmp_path / "x")]) == 2
    assert "write it like '2026-10'" in capsys.readouterr().err
    assert main(["report", "--period", "2026-10", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "x")]) == 2


def test_failing_notebook_is_reported_others_run_and_a_complete_report_is_kept(tmp_path, capsys):
    good = _tiny(tmp_path / "a_good.ipynb")
    bad = _tiny(tmp_path / "b_bad.ipynb", "raise RuntimeError('boom in ' + period)")
    out = tmp_path / "report"
    args = ["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "--notebook", str(good)]
    assert main(args) == 0
    first = (out / "manifest.json").read_text(encoding="utf-8")
    assert main(args + ["--notebook", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "b_bad.ipynb failed" in err and "RuntimeError: boom in 2026-10" in err
    assert (out / "manifest.json").read_text(encoding="utf-8") == first  # earlier complete report untouched
    failed = tmp_path / "report.failed"
    m = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert not m["ok"]
    assert [n["status"] for n in m["notebooks"]] == ["ok", "failed"]
    assert "boom in 2026-10" in m["notebooks"][1]["error"]
    assert (failed / "b_bad.ipynb").exists() and (failed / "a_good.html").exists()
    assert "failed" in (failed / "index.html").read_text(encoding="utf-8")
    # without an earlier complete report, the failed run is the report
    out2 = tmp_path / "fresh"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out2), "--notebook", str(bad)]) == 1
    assert not json.loads((out2 / "manifest.json").read_text(encoding="utf-8"))["ok"]


def test_interrupted_run_leaves_the_earlier_report_and_no_partial_folder(tmp_path):
    good = _tiny(tmp_path / "a_good.ipynb")
    out = tmp_path / "report"
    report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good], progress=None)
    before = sorted(p.name for p in tmp_path.iterdir())

    def interrupt(msg):
        if msg.endswith("…"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good, good], progress=interrupt)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["ok"]


def test_never_replaces_a_folder_that_is_not_a_report(tmp_path, capsys):
    good = _tiny(tmp_path / "a_good.ipynb")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "precious.csv").write_text("keep me", encoding="utf-8")
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(mine),
                 "--notebook", str(good)]) == 2
    assert "is not a csa report" in capsys.readouterr().err
    assert (mine / "precious.csv").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_good.ipynb", "mine"]  # nothing ran
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(empty),
                 "--notebook", str(good)]) == 0
