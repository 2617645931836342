"""`csa report` end to end in a temporary folder, including the failure paths.

Tests that start a kernel are marked ``slow`` (see pyproject's markers); the refusals are checked
without running anything. The bilingual reports run once per module on small notebooks written
here; ``test_report_on_the_sample`` runs the real index on the bundled sample.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from csa import report
from csa.cli import main
from csa.report import folder as report_folder
from csa.report import kernels as report_kernels
from csa.report import lists as report_lists
from csa.report import pages as report_pages
from csa.report import run as report_run

from .conftest import ROOT, SAMPLE

slow = pytest.mark.slow
NPS = ROOT / "notebooks" / "01_nps.ipynb"
KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}

# a resource fetched from the network: src=/href= to http(s), a module import() or a CSS url() of one
REMOTE = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?\s*|\bimport\s*\(\s*["'`]\s*|\burl\(\s*["']?\s*)https?://""",
                    re.IGNORECASE)


def _tiny(path, body="print('ok', period)"):
    nb = new_notebook(cells=[
        new_markdown_cell(f"# Tiny {path.stem}"),
        new_code_cell('data_dir = ""\nperiod = ""\nlang = "en"\nfreq = "month"\nmin_n = 30',
                      metadata={"tags": ["parameters"]}),
        new_code_cell(body),
    ], metadata=KERNEL)
    nbformat.write(nb, path)
    return path


PUBLISH = """\
from csa import headline
headline.publish(headline.record(
    "tiny", {"en": "Tiny score", "ja": "ちいさな指標"}, period, value=-12.4, low=-17.0, high=-7.6, n=812,
    unit="points", min_n=30,
    change={"vs": "2026-09", "diff": 3.1, "low": -4.2, "high": 10.3, "p_value": 0.41}), lang=lang)
print("mapping:", mapping, "tz:", tz)"""


def _bilingual(path, *, optional=True, publish=True):
    """A small report notebook: en/ja twins, a lesson section, numbered sections, a headline record."""
    params = 'data_dir = ""\nperiod = ""\nlang = "en"\nfreq = "month"'
    if optional:
        params += '\nmapping = ""\ntz = "Asia/Tokyo"\nengine = "pandas"  # counts {pandas, duckdb, spark}'

    def md(text, *tags):
        return new_markdown_cell(text, metadata={"tags": list(tags)} if tags else {})

    cells = [
        md("# Tiny KPI", "en"),
        md("# ちいさな指標", "ja"),
        md("## 0 Settings\n\nlesson only", "lesson"),
        new_code_cell(params, metadata={"tags": ["parameters"]}),
        md("## 1 What it is\n\nEnglish text.", "en"),
        md("## 1 これは何か\n\n日本語の本文。", "ja"),
        md("## 2 By hand\n\nA lesson section.", "lesson"),
        new_code_cell("ten = [10, 9, 3]\nprint(sum(ten))", metadata={"tags": ["lesson"]}),
        md("## 3 This period's score", "en"),
        md("## 3 今期のスコア", "ja"),
        new_code_cell(PUBLISH if publish else "print(period)"),
        md("## Notes\n\nAn unnumbered heading in both languages.\n\n```\n## 9 not a heading\n```"),
        md("## 4 Takeaways (まとめ)\n\nShown in both languages."),
    ]
    nbformat.write(new_notebook(cells=cells, metadata=KERNEL), path)
    return path


def _h2_numbers(page: str) -> list[int]:
    return [int(m) for m in re.findall(r"<h2[^>]*>\s*(\d+)\b", page)]


def _remote_refs(folder: Path) -> dict[str, list[str]]:
    found = {p.name: REMOTE.findall(p.read_text(encoding="utf-8")) for p in folder.glob("*.html")}
    return {k: v for k, v in found.items() if v}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The same two notebooks reported in ja (with --mapping and --tz) and in en."""
    root = tmp_path_factory.mktemp("bilingual")
    kpi = _bilingual(root / "a_kpi.ipynb")
    plain = _bilingual(root / "b_plain.ipynb", optional=False, publish=False)
    mapping = root / "my_mapping.yaml"
    mapping.write_text("columns: {}\n", encoding="utf-8")
    out = {}
    for lang in ("ja", "en"):
        out[lang] = root / f"rep_{lang}"
        extra = ["--mapping", str(mapping), "--tz", "Europe/Berlin", "--engine", "duckdb"] if lang == "ja" else []
        code = main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out[lang]),
                     "--lang", lang, "--notebook", str(kpi), "--notebook", str(plain), *extra])
        assert code == 0
    return {**out, "mapping": mapping, "root": root}


@slow
def test_ja_page_keeps_ja_cells_and_numbers_sections_without_gaps(reports):
    page = (reports["ja"] / "a_kpi.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in page
    assert "<title>ちいさな指標 — 2026-10</title>" in page  # not in the index: its first ja heading
    assert "これは何か" in page and "今期のスコア" in page and "日本語の本文" in page
    assert "What it is" not in page and "This period's score" not in page and "English text" not in page
    assert "By hand" not in page and "lesson only" not in page and "ten = [" not in page
    assert "Shown in both languages" in page and "Notes" in page  # untagged cells in both
    assert _h2_numbers(page) == [1, 2, 3]  # 1 これは何か, 2 今期のスコア (was 3), 3 Takeaways (was 4)
    assert "## 9 not a heading" in page  # a fenced line is not renumbered
    assert "import csa" not in page and "headline.publish" not in page  # no code
    assert 'href="index.html">← レポートの目次</a>' in page and 'href="sources.html">出典記事</a>' in page


@slow
def test_en_page_keeps_en_cells(reports):
    page = (reports["en"] / "a_kpi.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<title>Tiny KPI — 2026-10</title>" in page
    assert "What it is" in page and "This period's score" in page
    assert "これは何か" not in page and "今期のスコア" not in page
    assert "ちいさな指標" not in page.split("</title>")[1]
    assert _h2_numbers(page) == [1, 2, 3]
    assert 'href="index.html">← Report index</a>' in page
    assert 'href="sources.html">Source articles</a>' in page


@slow
def test_index_summarises_the_headline_records_in_the_language(reports):
    index = (reports["ja"] / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in index and "<title>カスタマーサクセス・レポート — 2026年10月</title>" in index
    for header in ("指標", "期間", "値", "95%信頼区間", "件数", "比較期との差"):
        assert f"<th>{header}</th>" in index
    assert "<td>ちいさな指標</td>" in index and "Tiny score" not in index
    assert "−12.4" in index and "[−17.0, −7.6]" in index and ">812<" in index
    assert "+3.1ポイント [−4.2, +10.3]（2026-09比、p\u00a0=\u00a00.41）" in index  # a change of points, said
    assert "✅ 完了" in index and "秒" in index
    assert 'href="a_kpi.html"' in index and 'href="a_kpi.ipynb"' in index
    assert "Section" not in index and "Status" not in index and "Run time" not in index
    # paths as seen from the report folder, never the machine's absolute ones
    assert f">{SAMPLE}" not in index and f">{reports['root']}" not in index and "<code>/" not in index
    assert "<code>../" in index
    assert "<code>../my_mapping.yaml</code>" in index and "Europe/Berlin" in index
    assert "集計エンジン：duckdb" in index
    en = (reports["en"] / "index.html").read_text(encoding="utf-8")
    assert "<th>KPI</th>" in en and "<th>95% interval</th>" in en and "<td>Tiny score</td>" in en
    assert "+3.1 pts [−4.2, +10.3] vs 2026-09, p\u00a0=\u00a00.41" in en and "✅ ok" in en
    assert "Counted by" not in en  # no --engine: each notebook's own default, not stated


@slow
def test_headline_file_and_manifest(reports):
    out = reports["ja"]
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert list(m)[:2] == ["format", "format_version"]
    assert m["format"] == "csa-report" and m["format_version"] == 3
    kpi, plain = m["notebooks"]
    assert kpi["headline"] == "a_kpi.headline.json"
    records = json.loads((out / "a_kpi.headline.json").read_text(encoding="utf-8"))
    assert records == kpi["records"]
    assert [(r["kpi"], r["period"], r["value"], r["n"], r["small_n"]) for r in records] == [
        ("tiny", "2026-10", -12.4, 812, False)]
    assert records[0]["change"]["p_value"] == 0.41
    assert plain["headline"] is None and plain["records"] == []
    assert not (out / "b_plain.headline.json").exists()
    # --mapping and --tz reach the notebook that declares them, and only that one
    assert m["mapping"]["sha256"] == hashlib.sha256(reports["mapping"].read_bytes()).hexdigest()
    assert m["mapping"]["file"] == "../my_mapping.yaml"
    assert kpi["parameters"]["mapping"] == str(reports["mapping"].resolve())
    assert kpi["parameters"]["tz"] == "Europe/Berlin" and kpi["parameters"]["engine"] == "duckdb"
    assert not {"mapping", "tz", "engine"} & set(plain["parameters"])
    assert plain["parameters"] == {"data_dir": str(SAMPLE), "period": "2026-10", "lang": "ja", "freq": "month"}
    # every other file of the report is listed with its hash: what makes the folder recognisably csa's
    listed = {f["name"]: f["sha256"] for f in m["files"]}
    assert set(listed) == {p.name for p in out.iterdir()} - {"manifest.json"}
    assert all(hashlib.sha256((out / n).read_bytes()).hexdigest() == h for n, h in listed.items())
    executed = nbformat.read(out / "a_kpi.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "my_mapping.yaml" in printed and "tz: Europe/Berlin" in printed
    assert m["notebooks"][0]["title"] == "ちいさな指標"


@slow
def test_report_pages_load_nothing_from_the_network(reports):
    for lang in ("ja", "en"):
        pages = sorted(p.name for p in reports[lang].glob("*.html"))
        assert pages == ["a_kpi.html", "b_plain.html", "index.html", "sources.html"]
        assert _remote_refs(reports[lang]) == {}
        for p in reports[lang].glob("*.html"):
            text = p.read_text(encoding="utf-8")
            assert '<script src=""' not in text and 'import("")' not in text
    assert REMOTE.search('<script src="https://cdn.example/x.js">')  # the check itself bites
    assert REMOTE.search('await import("https://cdn.example/m.mjs")')
    assert REMOTE.search("@import url('http://fonts.example/f.css');")
    assert not REMOTE.search('<svg xmlns="http://www.w3.org/2000/svg">')


@slow
def test_sources_page_exists_and_is_linked(reports):
    for lang, title in (("ja", "出典記事"), ("en", "Source articles")):
        index = (reports[lang] / "index.html").read_text(encoding="utf-8")
        assert f'<a href="sources.html">{title}</a>' in index
        sources = (reports[lang] / "sources.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in sources and f"<title>{title} — 2026-10</title>" in sources
        src, src_lang = report_pages._sources_file(lang)  # SOURCES.<lang>.md when there is one
        first = next(line[2:].strip() for line in src.read_text(encoding="utf-8").splitlines()
                     if line.startswith("# "))
        assert f"<h1>{first}</h1>" in sources and "<h2>" in sources and "<li>" in sources
        assert ("英語で書かれています" in sources) == (lang == "ja" and src_lang != "ja")
        assert 'href="index.html"' in sources
        assert "body{font-family:" in sources and "body{font-family:" in index  # the same look
        assert REMOTE.search(sources) is None


def test_sources_in_another_language_say_so(tmp_path):
    md = tmp_path / "SOURCES.md"
    md.write_text("# Source articles\n\n## 000 — One\n- a point\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
                  encoding="utf-8")
    page = report_pages._sources_page(md, "en", "ja", "2026-10")
    assert '<html lang="ja">' in page and "<title>出典記事 — 2026-10</title>" in page
    assert "この要約は英語で書かれています。" in page and '<div lang="en">' in page
    assert "<h1>Source articles</h1>" in page and "<li>a point</li>" in page and "<table>" in page
    assert 'href="index.html">← レポートの目次</a>' in page


def test_renumber_sections():
    src = "## 0 Intro\ntext\n## Notes\n## 3. Trend\n```\n## 7 code\n```\n### 4 sub\n## 2026 in review"
    assert report.renumber_sections(src) == (
        "## 1 Intro\ntext\n## Notes\n## 2. Trend\n```\n## 7 code\n```\n### 4 sub\n## 2026 in review", 2)


def test_refusals_name_the_flag(tmp_path, capsys):
    nb = _bilingual(tmp_path / "k.ipynb")
    plain = _bilingual(tmp_path / "p.ipynb", optional=False, publish=False)
    base = ["report", "--period", "2026-10", "--data", str(SAMPLE), "--notebook", str(nb)]
    out = ["--out", str(tmp_path / "a")]
    cases = [
        (["--mapping", str(tmp_path / "nope.yaml")], "--mapping: file not found"),
        (["--mapping", str(tmp_path)], "--mapping"),
        (["-p", "data_dir", "x"], "-p data_dir: use --data"),
        (["-p", "period", "2026-09"], "-p period: use --period"),
        (["-p", "lang", "xx"], "-p lang: use --lang"),
        (["-p", "tz", "UTC"], "use --tz"),
        (["--tz", "Mars/Olympus"], "--tz: unknown time zone"),
        (["-p", "engine", "duckdb"], "-p engine: use --engine"),
    ]
    for extra, message in cases:
        assert main([*base, *out, *extra]) == 2, extra
        assert message in capsys.readouterr().err
    assert main(["report", "--period", "2026-10\n", "--data", str(SAMPLE), "--out", str(tmp_path / "a"),
                 "--notebook", str(nb)]) == 2
    assert "line break" in capsys.readouterr().err
    assert main(["report", "--period", " 2026-10", "--data", str(SAMPLE), "--out", str(tmp_path / "a"),
                 "--notebook", str(nb)]) == 2
    mapping = tmp_path / "m.yaml"
    mapping.write_text("{}\n", encoding="utf-8")  # given, but no notebook would read it
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(tmp_path / "a"),
                 "--notebook", str(plain), "--mapping", str(mapping)]) == 2
    assert "--mapping: none of the notebooks declares a 'mapping' parameter" in capsys.readouterr().err
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(tmp_path / "a"),
                 "--notebook", str(plain), "--engine", "duckdb"]) == 2
    assert "--engine: none of the notebooks declares a 'engine' parameter" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.ipynb", "m.yaml", "p.ipynb"]  # nothing ran


def test_the_report_sections_come_from_the_index():
    from csa import catalog

    assert report.report_notebooks() == [e.ipynb for e in catalog.notebooks(report=True)]
    assert report.notebooks_dir() == catalog.notebooks_dir()


@slow
def test_report_on_the_sample(tmp_path, capsys):
    """The real NPS notebook (the index lists sections other engineers are still writing)."""
    out = tmp_path / "2026-10"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "--lang", "ja",
                 "--notebook", str(NPS), "-p", "top_n", "70"]) == 0  # 70: more rows than pandas' max_rows
    err = capsys.readouterr().err
    assert "section 1 of 1: NPS（ネット・プロモーター・スコア） — done in" in err  # progress
    assert "Kernel is running over TCP" not in err  # the kernel's own output goes to its log, not here
    names = {p.name for p in out.iterdir()}
    assert {"01_nps.ipynb", "01_nps.html", "index.html", "manifest.json", "sources.html",
            "01_nps.detractors.csv", "01_nps.promoters.csv"} <= names
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["format"] == "csa-report" and m["format_version"] == 3
    assert m["ok"] and m["parameters"]["period"] == "2026-10" and m["parameters"]["lang"] == "ja"
    nps = m["notebooks"][0]
    assert nps["status"] == "ok" and nps["seconds"] > 0
    assert nps["title"] == "NPS（ネット・プロモーター・スコア）"  # from notebooks/index.yaml
    # what the notebook read: every parameter, its defaults included
    assert nps["parameters"]["top_n"] == 70 and nps["parameters"]["min_n"] == 30
    assert nps["parameters"]["method"] == "adjusted-wald" and nps["parameters"]["data_dir"] == str(SAMPLE)
    hashes = {i["file"]: i["sha256"] for i in m["inputs"]}
    assert hashes["surveys.csv"] == hashlib.sha256((SAMPLE / "surveys.csv").read_bytes()).hexdigest()
    assert {"csa", "pandas", "papermill"} <= set(m["versions"])
    assert json.loads((out / nps["headline"]).read_text(encoding="utf-8")) == nps["records"]
    page = (out / "01_nps.html").read_text(encoding="utf-8")
    assert "<title>NPS（ネット・プロモーター・スコア） — 2026-10</title>" in page
    assert '<html lang="ja">' in page
    assert "タッチポイント" in page
    assert "import csa" not in page and "ten = [" not in page  # no code, no lesson cells
    assert "<h2" in page and "data:image/png;base64" in page
    numbers = _h2_numbers(page)
    assert numbers == list(range(1, len(numbers) + 1)) and numbers
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="01_nps.html"' in index and "NPS" in index and 'href="sources.html"' in index
    # the front page opens on what changed and what to do, then the scorecard of the sample's example registry,
    # then the other KPIs, in Japanese
    from csa import registry as R

    assert 'class="csa-scorecard"' in index and "スコアカード" in index
    assert index.index('id="what-changed"') < index.index('id="what-to-do"') < index.index("スコアカード") \
        < index.index("各セクションのその他のKPI")
    example = R.load(R.example_path())
    assert m["registry"]["sha256"] == hashlib.sha256(R.example_path().read_bytes()).hexdigest()
    from csa import playbook as PB

    assert m["health_file"]["sha256"] == hashlib.sha256(PB.example_path().read_bytes()).hexdigest()
    assert len(m["scorecard"]["rows"]) == len(example.kgis) + len(example.kpis)
    assert _remote_refs(out) == {}
    executed = nbformat.read(out / "01_nps.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)
    # the follow-up lists: exactly as many rows as the sentence says, the whole list as CSV, linked
    lists = {x["name"]: x for x in nps["lists"]}
    assert set(lists) == {"detractors", "promoters"}
    for name, kind in (("detractors", "批判者"), ("promoters", "推奨者")):
        n = lists[name]["rows"]
        shown = min(n, 70)
        said = re.search(rf"<strong>{kind} ([\d,]+)名</strong>（先頭(\d+)名を表示）", page)
        assert said and int(said[1].replace(",", "")) == n and int(said[2]) == shown
        table = _list_table(page, lists[name]["file"])
        assert len(re.findall(r"<tr>\s*<th>C\d{5}</th>", table)) == shown  # every row, none elided
        assert "..." not in table
        rows = _csv_rows(out / lists[name]["file"])
        assert len(rows) == n + 1 and rows[0][0] == "顧客ID"
        assert f'href="{lists[name]["file"]}"' in index and f"（{n:,}行）" in index
    assert lists["detractors"]["title"] == "折り返し連絡する批判者"


def _list_table(page: str, csv_name: str) -> str:
    """The HTML table shown just before the link to ``csv_name``."""
    link = page.index(f'href="{csv_name}"')
    start = page.rindex("<table", 0, link)
    return page[start:page.index("</table>", start)]


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_unknown_parameter_is_refused_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out),
                 "--notebook", str(NPS), "-p", "segmnt", "smb"]) == 2
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
    assert main(["report", "--period", "2026-10", "--data", str(tmp_path / "nope"),
                 "--out", str(tmp_path / "x")]) == 2


@slow
def test_failing_notebook_is_reported_others_run_and_a_complete_report_is_kept(tmp_path, capsys):
    good = _tiny(tmp_path / "a_good.ipynb")
    bad = _tiny(tmp_path / "b_bad.ipynb", "raise RuntimeError('boom in ' + period)")
    out = tmp_path / "report"
    args = ["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out),
            "--notebook", str(good)]
    assert main(args) == 0
    first = (out / "manifest.json").read_text(encoding="utf-8")
    assert main([*args, "--notebook", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "section 2 of 2: " in err and "— failed in" in err and "RuntimeError: boom in 2026-10" in err
    assert (out / "manifest.json").read_text(encoding="utf-8") == first  # earlier complete report untouched
    failed = tmp_path / "report.failed"
    m = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert not m["ok"]
    assert [n["status"] for n in m["notebooks"]] == ["ok", "failed"]
    assert "boom in 2026-10" in m["notebooks"][1]["error"]
    assert (failed / "b_bad.ipynb").exists() and (failed / "a_good.html").exists()
    index = (failed / "index.html").read_text(encoding="utf-8")
    assert "failed" in index and "this report is incomplete" in index
    # without an earlier complete report, the failed run is the report
    out2 = tmp_path / "fresh"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out2),
                 "--notebook", str(bad)]) == 1
    assert not json.loads((out2 / "manifest.json").read_text(encoding="utf-8"))["ok"]


@slow
def test_interrupted_run_leaves_the_earlier_report_and_no_partial_folder(tmp_path):
    good = _tiny(tmp_path / "a_good.ipynb")
    out = tmp_path / "report"
    report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good], progress=None)
    other = _tiny(tmp_path / "b_good.ipynb")
    before = sorted(p.name for p in tmp_path.iterdir())

    def interrupt(msg):
        if msg.startswith("section ") and msg.endswith("…"):  # a notebook starting (in a worker thread)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good, other], progress=interrupt)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["ok"]


@slow
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


# ------------------------------------------------------------------ the report folder: ownership

def _fake_report(folder: Path, files: dict[str, str] | None = None, *, version: int = 3, ok: bool = True,
                 **extra) -> Path:
    """A report folder as csa writes it (manifest with format marker and file list), without running anything."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"index.html": "<h1>old</h1>", "a.html": "page", "a.ipynb": "{}"} if files is None else files
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    m = {"format": "csa-report", "format_version": version, "ok": ok, "parameters": {"period": "2026-09"},
         "notebooks": [{"notebook": "a.ipynb", "html": "a.html", "headline": None}], **extra}
    if version >= 3:
        m["files"] = [{"name": n, "bytes": len(t.encode()), "sha256": hashlib.sha256(t.encode()).hexdigest()}
                      for n, t in files.items()]
    (folder / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(tmp_path, capsys, out: Path, *expected: str) -> str:
    """Run a report into ``out``: it must be refused before anything runs, ``out`` left byte for byte."""
    before = _tree(out) if out.is_dir() else None
    nb = _tiny(tmp_path / "tiny_refused.ipynb")
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out),
                 "--notebook", str(nb)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("csa report: ") and err.count("\n") == 1, err  # one line, no traceback
    for text in expected:
        assert text in err, err
    if before is not None:
        assert _tree(out) == before
    assert not [p.name for p in out.parent.iterdir() if ".csa-" in p.name], "nothing ran, not even the lock"
    return err


def test_issue_repro_a_folder_with_any_manifest_json_is_not_taken_for_a_report(tmp_path, capsys):
    mf = tmp_path / "mf"
    mf.mkdir()
    for f in ("customers.csv", "surveys.csv"):
        (mf / f).write_bytes((SAMPLE / f).read_bytes())
    (mf / "manifest.json").write_text('{"name":"x"}\n', encoding="utf-8")
    _refused(tmp_path, capsys, mf, f"{mf / 'manifest.json'} has no \"format\": \"csa-report\" marker",
             "is not a csa report")
    # the issue's exact command: the data folder as --out
    assert main(["report", "--period", "2026-10", "--data", str(mf), "--out", str(mf),
                 "--notebook", str(_tiny(tmp_path / "t.ipynb"))]) == 2
    assert "is inside --out" in capsys.readouterr().err
    assert sorted(p.name for p in mf.iterdir()) == ["customers.csv", "manifest.json", "surveys.csv"]


@pytest.mark.parametrize("content,expected", [
    ("{not json", "is not valid JSON"),
    ("[1, 2]", "holds a JSON list, not a csa report manifest"),
    ('"csa-report"', "holds a JSON string"),
    (b"\xff\xfe{}", "is not valid JSON"),
    ('{"format": "csa-report", "format_version": 99, "files": []}', "format_version 99 is not one this csa reads"),
    ('{"format": "csa-report", "format_version": 3}', "list of the report's files is missing or damaged"),
    ('{"format": "csa-report", "format_version": 3, "files": [{"name": "../x", "sha256": "0"}]}',
     "missing or damaged"),
], ids=["invalid-json", "json-list", "json-string", "not-utf8", "newer-version", "no-file-list", "path-in-list"])
def test_a_corrupt_earlier_manifest_is_not_a_report_and_the_message_names_the_file(tmp_path, capsys, content,
                                                                                    expected):
    out = _fake_report(tmp_path / "old")
    mf = out / "manifest.json"
    mf.write_bytes(content if isinstance(content, bytes) else content.encode())
    _refused(tmp_path, capsys, out, str(mf), expected)


def test_a_file_the_user_added_to_a_report_is_never_deleted_the_run_is_refused(tmp_path, capsys):
    out = _fake_report(tmp_path / "old")
    (out / "notes.txt").write_text("call Yamada-san on Monday", encoding="utf-8")
    (out / ".ipynb_checkpoints").mkdir()
    err = _refused(tmp_path, capsys, out, "holds 2 file(s) that csa did not write: .ipynb_checkpoints, notes.txt",
                   "never deletes a file it did not write")
    assert "move them out" in err


def test_a_report_file_changed_since_is_refused(tmp_path, capsys):
    out = _fake_report(tmp_path / "old")
    (out / "a.ipynb").write_text('{"edited": "in JupyterLab"}', encoding="utf-8")
    _refused(tmp_path, capsys, out, "a.ipynb changed after csa wrote it")


def test_a_version_2_report_is_recognised_by_its_entries(tmp_path, capsys):
    out = _fake_report(tmp_path / "old", version=2)
    assert report_folder._inspect(report_folder._Target(out)).ok
    (out / "notes.md").write_text("mine", encoding="utf-8")
    _refused(tmp_path, capsys, out, "notes.md")


def test_other_things_at_out_are_refused(tmp_path, capsys):
    f = tmp_path / "file.txt"
    f.write_text("x", encoding="utf-8")
    _refused(tmp_path, capsys, f, "is a file, not a report folder")
    theirs = _fake_report(tmp_path / "theirs")
    link = tmp_path / "link"
    link.symlink_to(theirs.name)
    _refused(tmp_path, capsys, link, "is a symbolic link to theirs, which csa did not make")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "precious.csv").write_text("keep me", encoding="utf-8")
    _refused(tmp_path, capsys, plain, "is not empty and is not a csa report (no manifest.json)")


# ------------------------------------------------------------------ atomic publication (no kernel)

def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _complete(out: Path) -> dict:
    """The manifest of the report at ``out`` after checking that every file it lists is there, intact."""
    m = report.read_report(out)
    for f in m["files"]:
        assert hashlib.sha256((out / f["name"]).read_bytes()).hexdigest() == f["sha256"], f["name"]
    return m


@pytest.fixture(params=["exchange", "symlink"])
def swap(request, monkeypatch):
    """Both ways of publishing: renameat2(RENAME_EXCHANGE), and the symbolic-link fallback."""
    if request.param == "symlink":
        monkeypatch.setenv("CSA_REPORT_SWAP", "symlink")
    elif report_folder._renameat2() is None:
        pytest.skip("renameat2 is not available here")
    return request.param


def test_publish_replaces_the_old_report_in_one_step_and_deletes_only_its_files(tmp_path, swap):
    out = tmp_path / "pub" / "out"
    target = report_folder._Target(out)
    said = []
    for run in range(3):
        ready = _fake_report(target.sibling("ready"), {"index.html": f"run {run}", f"r{run}.html": "x"},
                             parameters={"run": run})
        report_folder._publish(ready, target, said.append)
        assert _complete(out)["parameters"] == {"run": run}
        assert sorted(p.name for p in out.iterdir()) == ["index.html", "manifest.json", f"r{run}.html"]
        hidden = [n for n in _listing(out.parent) if n != "out"]
        if swap == "exchange":
            assert not out.is_symlink() and hidden == []
        else:  # out is a link to the one version folder left
            assert out.is_symlink() and hidden == [os.readlink(out)] and hidden[0].startswith(".out.csa-v-")
    assert not said  # nothing kept, nothing to say


def test_publish_turns_a_plain_folder_into_a_link_when_it_cannot_swap(tmp_path, monkeypatch):
    out = _fake_report(tmp_path / "out", parameters={"run": "plain"})
    (out / ".DS_Store").write_bytes(b"finder")  # a file manager's view state goes with the folder
    monkeypatch.setenv("CSA_REPORT_SWAP", "symlink")
    target = report_folder._Target(out)
    report_folder._publish(_fake_report(target.sibling("ready"), parameters={"run": 1}), target, print)
    assert out.is_symlink() and _complete(out)["parameters"] == {"run": 1}
    assert _listing(tmp_path) == sorted(["out", os.readlink(out)])


def test_an_old_report_with_a_file_that_arrived_late_is_kept_not_deleted(tmp_path):
    out = tmp_path / "out"
    target = report_folder._Target(out)
    old = _fake_report(target.sibling("ready"))
    (old / "notes.txt").write_text("mine", encoding="utf-8")
    said = []
    report_folder._discard(old, target, said.append)
    (kept,) = [p for p in tmp_path.iterdir() if p.name.startswith("out.kept-")]
    assert _listing(kept) == ["notes.txt"] and "notes.txt" in said[0]  # csa's files gone, the user's kept


def test_leftovers_of_killed_runs_are_cleaned_and_a_report_moved_away_is_restored(tmp_path):
    out = tmp_path / "out"
    target = report_folder._Target(out)
    moved = _fake_report(target.sibling("old"), parameters={"run": "moved away"})  # killed between two renames
    for kind in ("build", "run", "probe"):
        d = target.sibling(kind)
        d.mkdir()
        (d / "kernel-1.json").write_text("{}", encoding="utf-8")
    _fake_report(target.sibling("ready"))  # built, not published
    _fake_report(target.sibling("v"))  # a version no link points to
    os.symlink("nowhere", target.sibling("link"))
    for legacy in (".out.partial-123", ".out.old-456"):  # csa before format 3
        _fake_report(tmp_path / legacy, version=2)
    unrelated = [tmp_path / ".out.csa-build-notes", tmp_path / ".other.csa-build-1-0123abcd", tmp_path / "out2"]
    for u in unrelated:
        u.mkdir()
    said = []
    report_folder._clean(target, said.append)
    assert _complete(out)["parameters"] == {"run": "moved away"} and not moved.exists()
    assert _listing(tmp_path) == sorted(["out", *(u.name for u in unrelated)])
    assert any("restored" in m for m in said) and sum("removed" in m for m in said) == 8


def test_a_second_run_for_the_same_out_is_refused_while_the_first_holds_the_lock(tmp_path, capsys):
    import fcntl

    out = tmp_path / "out"
    lock = tmp_path / ".out.csa-lock"
    with open(lock, "w") as fh:
        fh.write("pid 4242, started 2026-11-01T09:00:00+00:00\n")
        fh.flush()
        fcntl.flock(fh, fcntl.LOCK_EX)
        assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out),
                     "--notebook", str(_tiny(tmp_path / "t.ipynb"))]) == 2
    err = capsys.readouterr().err
    assert f"another csa report run is writing {out} (pid 4242, started 2026-11-01T09:00:00+00:00)" in err
    assert "wait for it to finish" in err and not out.exists()


# ------------------------------------------------------------------ parameters: declared ranges

def _ranged(path, extra=""):
    cell = ('data_dir = ""  # folder\nperiod = ""\nlang = "en"  # language {en, ja}\nfreq = "month"\n'
            'top_n = 10  # rows shown [1, 1000]\nmin_n = 30  # flagged below [1, inf)\n'
            'level = 0.95  # confidence (0, 1)\nmethod = "adjusted-wald"  # interval {adjusted-wald, wald}\n'
            'note = "x"  # free text (April start, 年度)\nshift = 0.0  # any number\n' + extra)
    nb = new_notebook(cells=[new_code_cell(cell, metadata={"tags": ["parameters"]}), new_code_cell("1")],
                      metadata=KERNEL)
    nbformat.write(nb, path)
    return path


def test_parameter_comments_declare_ranges_and_values():
    A = report.allowed_values
    assert A("rows shown [1, 1000]", "int").admits(1) and not A("rows shown [1, 1000]", "int").admits(1001)
    assert not A("(0, 1)", "float").admits(0.0) and A("[0, 1)", "float").admits(0.0)
    assert A("[1, inf)", "int").admits(10**9) and not A("[1, inf)", "int").admits(0)
    assert A("(-inf, 0]", "float").admits(-1e300) and not A("(-inf, 0]", "float").admits(0.5)
    assert A("{en, ja}", "str").values == ("en", "ja") and not A("{en, ja}", "str").admits("xx")
    assert A('all or one {"", smb, mid market}', "str").values == ("", "smb", "mid market")
    assert A("{1, 2, 3}", "int").admits(2) and not A("{1, 2, 3}", "int").admits(2.5)
    for comment in ("free text (April start, 年度)", "see [SOURCES.md]", "", "a range (1, 2) not at the end."):
        assert A(comment, "int") is None or comment == "a range (1, 2) not at the end."
    assert A("(1, 2)", "str") is None  # ranges are for numbers: a text parameter's comment may end in parentheses
    assert A("a range (1, 2) not at the end.", "int") is None
    with pytest.raises(ValueError, match="empty"):
        A("[5, 1]", "int")
    with pytest.raises(ValueError, match="not all ints"):
        A("{1, two}", "int")


@pytest.mark.parametrize("given,expected", [
    ({"top_n": "-1"}, "t.ipynb: top_n = -1 is not allowed: t.ipynb takes [1, 1000] (give -p top_n a value"),
    ({"top_n": "1001"}, "top_n = 1001 is not allowed"),
    ({"min_n": "-5"}, "min_n = -5 is not allowed: t.ipynb takes [1, inf)"),
    ({"level": "1"}, "level = 1.0 is not allowed: t.ipynb takes (0, 1)"),
    ({"level": "nan"}, "level = nan is not allowed"),
    ({"method": "exact"}, "method = 'exact' is not allowed: t.ipynb takes one of adjusted-wald, wald"),
    ({"lang": "xx"}, "lang = 'xx' is not allowed: t.ipynb takes one of en, ja (give --lang one of them)"),
], ids=["top_n-negative", "top_n-too-many", "min_n-negative", "level-1", "level-nan", "method", "lang"])
def test_values_outside_the_declared_range_are_refused_naming_notebook_parameter_value_range(tmp_path, given,
                                                                                              expected):
    nb = _ranged(tmp_path / "t.ipynb")
    with pytest.raises(ValueError) as exc:
        report.build_parameters(nb, given)
    assert expected in str(exc.value)


def test_values_inside_the_range_pass_and_undeclared_ones_take_anything(tmp_path):
    nb = _ranged(tmp_path / "t.ipynb")
    got = report.build_parameters(nb, {"top_n": "100", "min_n": "1", "level": "0.8", "method": "wald",
                                       "note": "(anything)", "shift": "-3.5", "lang": "ja"})
    assert got == {"top_n": 100, "min_n": 1, "level": 0.8, "method": "wald", "note": "(anything)", "shift": -3.5,
                   "lang": "ja"}
    declared = report.declared_parameters(nb)
    assert str(declared["top_n"]["allowed"]) == "[1, 1000]" and declared["shift"]["allowed"] is None
    assert declared["top_n"]["help"] == "rows shown [1, 1000]"


def test_a_default_outside_its_own_range_is_a_notebook_bug(tmp_path):
    nb = _ranged(tmp_path / "t.ipynb", extra="bins = 0  # histogram bins [1, 50]\n")
    with pytest.raises(ValueError, match=r"the default bins = 0 is outside what its comment allows \(\[1, 50\]\)"):
        report.build_parameters(nb, {})


def test_ranges_are_enforced_before_anything_runs(tmp_path, capsys):
    nb = _ranged(tmp_path / "t.ipynb")
    out = tmp_path / "out"
    for extra, expected in ((["-p", "top_n", "-1"], "top_n = -1"), (["-p", "min_n", "-5"], "min_n = -5"),
                            (["-p", "top_n", "5", "-p", "top_n", "6"], "-p top_n is given twice")):
        assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out), "--notebook",
                     str(nb), *extra]) == 2
        assert expected in capsys.readouterr().err
    assert _listing(tmp_path) == ["t.ipynb"]


def test_the_nps_notebook_declares_its_ranges():
    d = report.declared_parameters(NPS)
    allowed = {k: str(v["allowed"]) for k, v in d.items() if v["allowed"] is not None}
    assert allowed == {"top_n": "[1, 1000]", "min_n": "[1, inf)", "level": "(0, 1)",
                       "method": "one of adjusted-wald, wald", "lang": "one of en, ja",
                       "freq": "one of month, quarter, fiscal_year", "engine": "one of pandas, duckdb, spark"}
    for bad in ({"top_n": "-1"}, {"min_n": "-5"}, {"level": "1.5"}, {"method": "exact"}, {"engine": "polars"}):
        with pytest.raises(ValueError, match=r"01_nps\.ipynb: .* is not allowed"):
            report.build_parameters(NPS, bad, declared=d)


# ------------------------------------------------------------------ lists as CSV

def test_csv_cells_never_run_as_formulas():
    cells = ["=HYPERLINK(\"http://x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "plain", "山田", " =x", "", None,
             -3, 2.5, float("nan")]
    assert [report.csv_cell(c) for c in cells] == [
        "'=HYPERLINK(\"http://x\")", "'+1", "'-1+2", "'@SUM(A1)", "'\tx", "'\rx", "plain", "山田", " =x", "", "",
        "-3", "2.5", ""]


def test_lists_are_written_whole_as_excel_ready_csv_and_linked_under_their_table(tmp_path):
    from nbformat.v4 import new_output

    from csa.views import nps as V

    assert V.TABLE_MIMETYPE == report.TABLE_MIMETYPE  # producer and consumer agree
    table = pd.DataFrame({"顧客": [f"C{i:05d}" for i in range(80)], "コメント": ["=1+1", "@cmd", "-5", "ふつう"] * 20,
                          "score": range(80)}).set_index("顧客")
    shown = V.FollowupList(table, 70, name="detractors", title="Detractors <to call>")
    bundle = shown._repr_mimebundle_()
    assert len(re.findall(r"<tr>\s*<th>C\d{5}</th>", bundle["text/html"])) == 70  # none elided by pandas
    assert "..." not in bundle["text/plain"] and len(bundle["text/plain"].splitlines()) == 72
    cell = new_code_cell("display(x)", outputs=[new_output("display_data", data=bundle)])
    node = new_notebook(cells=[cell], metadata=KERNEL)
    entries = report_lists._write_lists(node, "01_x", tmp_path, "en")
    assert entries == [{"name": "detractors", "title": "Detractors <to call>", "file": "01_x.detractors.csv",
                        "rows": 80}]
    rows = _csv_rows(tmp_path / "01_x.detractors.csv")
    assert rows[0] == ["顧客", "コメント", "score"] and len(rows) == 81
    assert rows[1:5] == [["C00000", "'=1+1", "0"], ["C00001", "'@cmd", "1"], ["C00002", "'-5", "2"],
                         ["C00003", "ふつう", "3"]]
    assert (tmp_path / "01_x.detractors.csv").read_bytes().count(b"\r\n") == 81
    page_html = node.cells[0].outputs[0].data["text/html"]
    assert page_html.endswith('<p class="csa-download">The whole list, 80 rows: <a href="01_x.detractors.csv" '
                              'download>01_x.detractors.csv</a> (CSV, opens in Excel)</p>\n')
    with pytest.raises(ValueError, match="list name"):
        report_lists._list_payload({**bundle[V.TABLE_MIMETYPE], "name": "../evil"})
    with pytest.raises(ValueError, match="rows of 3 cells"):
        report_lists._list_payload({**bundle[V.TABLE_MIMETYPE], "rows": [["a"]]})
    with pytest.raises(ValueError, match="top_n"):
        V.FollowupList(table, 0, name="x", title="x")


# ------------------------------------------------------------------ interrupted at the swap, inputs changing

@slow
def test_interrupted_just_before_or_during_the_swap(tmp_path, monkeypatch):
    import signal

    good = _tiny(tmp_path / "a_good.ipynb")
    out = tmp_path / "report"
    report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good], progress=None)
    first = _complete(out)

    def stop_at_publishing(msg):
        if msg.startswith("publishing"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as exc:
        report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good], progress=stop_at_publishing)
    assert exc.value.csa_published is None
    assert _complete(out) == first and _listing(tmp_path) == [".report.csa-lock", "a_good.ipynb", "report"]

    publish = report_folder._publish

    def ctrl_c_while_swapping(ready, target, say):  # the signal waits until the swap is done
        os.kill(os.getpid(), signal.SIGINT)
        publish(ready, target, say)

    monkeypatch.setattr(report_run, "_publish", ctrl_c_while_swapping)  # what run_report calls
    with pytest.raises(KeyboardInterrupt) as exc:
        report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good], progress=None)
    assert exc.value.csa_published == out
    assert _complete(out)["generated_at"] >= first["generated_at"] and _complete(out) != first
    assert _listing(tmp_path) == [".report.csa-lock", "a_good.ipynb", "report"]


@slow
def test_inputs_changed_while_the_report_ran_make_it_incomplete(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    for f in ("customers.csv", "surveys.csv"):
        (data / f).write_bytes((SAMPLE / f).read_bytes())
    nb = _tiny(tmp_path / "touch.ipynb", "from pathlib import Path\n"
                                         "Path(data_dir, 'surveys.csv').open('a').write('extra\\n')")
    out = tmp_path / "out"
    assert main(["report", "--period", "2026-10", "--data", str(data), "--out", str(out), "--notebook", str(nb)]) == 1
    assert "the inputs changed while the report ran: surveys.csv" in capsys.readouterr().err
    m = _complete(out)
    assert not m["ok"] and m["changed_inputs"] == ["surveys.csv"]
    assert "The input files changed while the report ran (surveys.csv)" in (out / "index.html").read_text("utf-8")


def test_index_shows_money_with_its_sign_and_a_change_without_a_test_plainly():
    from csa import headline as H
    from csa.report.index import _summary

    title = {"en": "Cost per incident", "ja": "1件あたりコスト"}
    cpi = H.record("cpi", title, "2026-10", value=4215.4, n=120, unit="JPY", direction="lower",
                   change={"vs": "2026-09", "diff": 534.2, "low": None, "high": None, "p_value": None})
    ltv = H.record("ltv", {"en": "LTV", "ja": "LTV"}, "2026-10", value=812_345, low=790_000.4, high=834_000, n=400,
                   unit="JPY", change={"vs": "2026-09", "diff": -1500, "low": -2600, "high": -400, "p_value": 0.004})
    en, ja = _summary([cpi, ltv], "en"), _summary([cpi, ltv], "ja")
    assert "¥4,215" in en and "+¥534 vs 2026-09<" in en and "¥+" not in en and "p\u00a0—" not in en
    assert "[¥790,000, ¥834,000]" in en and "−¥1,500 [−¥2,600, −¥400] vs 2026-09, p\u00a0=\u00a00.004" in en
    assert "+534円（2026-09比）" in ja and "[790,000円, 834,000円]" in ja and "−1,500円 [−2,600円, −400円]" in ja


def test_a_notebook_being_run_is_saved_at_most_every_few_seconds_and_whole_at_the_end(tmp_path, monkeypatch):
    """papermill saves before and after every cell; a notebook carrying big lists (59 MB at 1 M customers)
    spent a minute rewriting itself. The report's engine saves at most every SAVE_EVERY seconds, and at the end."""
    import papermill
    import papermill.engines as E

    nb = tmp_path / "a.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell('period = ""', metadata={"tags": ["parameters"]}),
                                       *(new_code_cell(f"x{i} = {i}\nprint(x{i})") for i in range(8)),
                                       new_code_cell("raise ValueError('late')")], metadata=KERNEL), nb)
    writes, real = [], E.write_ipynb

    def counted(node, path):
        writes.append(sum(bool(c.get("outputs")) for c in node.cells))
        return real(node, path)

    monkeypatch.setattr(E, "write_ipynb", counted)
    out = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError, match="late"):
        papermill.execute_notebook(str(nb), str(out), engine_name=report_kernels._engine_name(), kernel_name="python3",
                                   progress_bar=False, parameters={"period": "2026-10"})
    assert 1 <= len(writes) <= 3, writes  # not 2 per cell (22)
    assert writes[-1] == 9  # the last save holds every output, the failing cell's too
    done = nbformat.read(out, as_version=4)
    printed = [o.text for c in done.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"]
    assert printed == [f"{i}\n" for i in range(8)]
