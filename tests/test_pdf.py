"""``csa report --pdf``: every page printed by Chromium into one A4 PDF in the report folder, listed in the manifest;
refused before anything runs when no Chromium is there. Skipped without Chromium unless ``CSA_BROWSER_REQUIRED``."""

from __future__ import annotations

import json
import os

import pytest

from csa.cli import main
from csa.report.pdf import find_chromium, pdf_name

from .conftest import SAMPLE
from .test_report_cache import _notebook

REQUIRED = os.environ.get("CSA_BROWSER_REQUIRED", "") not in ("", "0")


@pytest.fixture
def chromium():
    found = find_chromium()
    if found is None:
        if REQUIRED:
            pytest.fail("CSA_BROWSER_REQUIRED is set but no Chromium was found")
        pytest.skip("no Chromium")
    return found


@pytest.mark.slow
def test_the_report_prints_into_one_pdf(tmp_path, chromium, capsys):
    from pypdf import PdfReader

    nb = _notebook(tmp_path / "tiny.ipynb", "print('hello from the tiny section')")
    out = tmp_path / "report"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "--lang", "ja",
                 "--notebook", str(nb), "--pdf"]) == 0
    pdf = out / pdf_name("2026-10", "ja")
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["pdf"] == pdf.name and pdf.name in {f["name"] for f in m["files"]}
    reader = PdfReader(pdf)
    text = [p.extract_text() for p in reader.pages]
    assert len(reader.pages) >= 3  # the summary (the scorecard takes a second page), the section, the sources
    assert "2026年10" in text[0] and "hello from the tiny section" in "\n".join(text)  # the title's month
    width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842), "A4 in points"
    assert "PDF …" in capsys.readouterr().err
    # a second run replaces the report, PDF included (the PDF is the report's own file, not a stranger)
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "--lang", "ja",
                 "--notebook", str(nb)]) == 0
    assert not pdf.exists()


def test_without_chromium_pdf_is_refused_before_anything_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSA_CHROMIUM", str(tmp_path / "no-such-browser"))
    nb = _notebook(tmp_path / "tiny.ipynb", "print(1)")
    out = tmp_path / "report"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "--notebook", str(nb),
                 "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "--pdf prints the pages with Chromium, and none was found" in err and "CSA_CHROMIUM" in err
    assert not out.exists()
