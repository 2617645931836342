"""`csa report` end to end in a temporary folder, including the failure paths.

Tests that start a kernel are marked ``slow`` (see pyproject's markers); the refusals are checked
without running anything. The bilingual reports run once per module on small notebooks written
here; ``test_report_on_the_sample`` runs the real index on the bundled sample.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from csa import report
from csa.cli import main

from .conftest import SAMPLE

slow = pytest.mark.slow
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
        params += '\nmapping = ""\ntz = "Asia/Tokyo"'

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
        extra = ["--mapping", str(mapping), "--tz", "Europe/Berlin"] if lang == "ja" else []
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
    assert '<html lang="ja">' in index and "<title>カスタマーサクセス・レポート — 2026-10</title>" in index
    for header in ("指標", "期間", "値", "95%信頼区間", "件数", "比較期との差"):
        assert f"<th>{header}</th>" in index
    assert "<td>ちいさな指標</td>" in index and "Tiny score" not in index
    assert "−12.4" in index and "[−17.0, −7.6]" in index and ">812<" in index
    assert "+3.1 [−4.2, +10.3]（2026-09比、p\u00a0=\u00a00.41）" in index
    assert "✅ 完了" in index and "秒" in index
    assert 'href="a_kpi.html"' in index and 'href="a_kpi.ipynb"' in index
    assert "Section" not in index and "Status" not in index and "Run time" not in index
    # paths as seen from the report folder, never the machine's absolute ones
    assert f">{SAMPLE}" not in index and f">{reports['root']}" not in index and "<code>/" not in index
    assert "<code>../" in index
    assert "<code>../my_mapping.yaml</code>" in index and "Europe/Berlin" in index
    en = (reports["en"] / "index.html").read_text(encoding="utf-8")
    assert "<th>KPI</th>" in en and "<th>95% interval</th>" in en and "<td>Tiny score</td>" in en
    assert "+3.1 [−4.2, +10.3] vs 2026-09, p\u00a0=\u00a00.41" in en and "✅ ok" in en


@slow
def test_headline_file_and_manifest(reports):
    out = reports["ja"]
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert list(m)[:2] == ["format", "format_version"]
    assert m["format"] == "csa-report" and m["format_version"] == 2
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
    assert kpi["parameters"]["tz"] == "Europe/Berlin"
    assert "mapping" not in plain["parameters"] and "tz" not in plain["parameters"]
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
        src, src_lang = report._sources_file(lang)  # SOURCES.<lang>.md when there is one
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
    page = report._sources_page(md, "en", "ja", "2026-10")
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
        (["-p", "tz", "UTC"], "use --tz"),
        (["--tz", "Mars/Olympus"], "--tz: unknown time zone"),
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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.ipynb", "m.yaml", "p.ipynb"]  # nothing ran


def test_the_report_sections_come_from_the_index():
    from csa import catalog

    assert report.report_notebooks() == [e.ipynb for e in catalog.notebooks(report=True)]
    assert report.notebooks_dir() == catalog.notebooks_dir()


@slow
def test_report_on_the_sample(tmp_path, capsys):
    out = tmp_path / "2026-10"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out),
                 "--lang", "ja"]) == 0
    assert "[1/1] 01_nps.ipynb ok" in capsys.readouterr().err  # progress
    names = {p.name for p in out.iterdir()}
    assert {"01_nps.ipynb", "01_nps.html", "index.html", "manifest.json", "sources.html"} <= names
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["format"] == "csa-report" and m["format_version"] == 2
    assert m["ok"] and m["parameters"]["period"] == "2026-10" and m["parameters"]["lang"] == "ja"
    nps = m["notebooks"][0]
    assert nps["status"] == "ok" and nps["seconds"] > 0
    assert nps["title"] == "NPS（ネット・プロモーター・スコア）"  # from notebooks/index.yaml
    hashes = {i["file"]: i["sha256"] for i in m["inputs"]}
    assert hashes["surveys.csv"] == hashlib.sha256((SAMPLE / "surveys.csv").read_bytes()).hexdigest()
    assert {"csa", "pandas", "papermill"} <= set(m["versions"])
    if nps["headline"]:  # the NPS notebook publishes its headline record
        assert json.loads((out / nps["headline"]).read_text(encoding="utf-8")) == nps["records"]
        assert nps["headline"] in names
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
    assert _remote_refs(out) == {}
    executed = nbformat.read(out / "01_nps.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)


def test_unknown_parameter_is_refused_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["report", "--period", "2026-10", "--data", str(SAMPLE), "--out", str(out),
                 "-p", "segmnt", "smb"]) == 2
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
    assert "b_bad.ipynb failed" in err and "RuntimeError: boom in 2026-10" in err
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
    before = sorted(p.name for p in tmp_path.iterdir())

    def interrupt(msg):
        if msg.endswith("…"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        report.run_report("2026-10", data_dir=SAMPLE, out=out, notebooks=[good, good], progress=interrupt)
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
