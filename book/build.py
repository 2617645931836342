"""Build the handbook as a static website in English and Japanese: ``make book`` (output in ``build/book/``).

Each language gets its own source tree, staged from the committed files (nothing is executed):

- every lesson in ``notebooks/index.yaml``, from its executed ``.ipynb``, without the cells of the
  other language (cells tagged ``en`` / ``ja``, as the report's pages drop them), the first mention
  of each glossary term on a page linked to the glossary;
- the glossary, generated from the KPI catalogue and ``csa/glossary.yaml`` (``csa.glossary.terms``);
- the source articles (``notebooks/SOURCES.md`` / ``SOURCES.ja.md``);
- a "start here" page: the first week's lessons in order, with about how long each takes.

Then Sphinx builds ``build/book/en`` and ``build/book/ja`` (``book/conf.py``: why Sphinx), and
``build/book/index.html`` lets the reader pick a language. Staged files are rewritten only when they
change, so a second build redoes only what changed.

    python book/build.py            # both languages
    python book/build.py --lang ja  # one
"""

from __future__ import annotations

import argparse
import html
import math
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
OUT = ROOT / "build" / "book"
LANGS = ("en", "ja")
DAYS = 5  # the first week: the lessons in order, cut into this many days of about equal length

TEXT = {
    "en": {
        "home_title": "csa — a customer-success analytics handbook",
        "home": (
            "A handbook for customer-success and customer-support teams: what each KPI means, how to "
            "compute it by hand and on your data, and where it misleads. Each lesson is a notebook; "
            "this site shows them as they were run on the bundled sample (a fictional Japanese B2B SaaS "
            "company). To run one yourself, open it in JupyterLab (`make lab`).\n\n"
            "New to the team? Begin with [Start here](start_here.md)."
        ),
        "lessons": "Lessons",
        "reference": "Reference",
        "start_title": "Start here: your first week",
        "start": (
            "Read the lessons in this order, one day at a time (about {day} minutes a day). Each opens "
            "with what you will be able to do and ends with exercises whose solutions are folded: "
            "try them before you unfold. Every KPI and statistical term links to the "
            "[glossary](glossary.md) the first time a lesson uses it; the [source articles](SOURCES.md) "
            "are the five Japanese articles the definitions follow."
        ),
        "day": "Day", "lesson": "Lesson", "minutes": "About", "min": "min",
        "after": (
            "After the first week, go back to the lesson of the KPI your team owns and re-run it on your "
            "own exports (`data/README.md` says how)."
        ),
        "glossary_title": "Glossary",
        "glossary": (
            "Every KPI of the handbook's catalogue (`csa.KPIS`) and the other terms the lessons use, "
            "with their Japanese names. KPI entries are generated from the catalogue, so a lesson, the "
            "report and this page always define a KPI the same way."
        ),
        "kind": {"kpi": "KPI", "kgi": "KGI"},
        "better": {"higher": "higher is better", "lower": "lower is better"},
        "other_label": "Japanese: ", "sep": " · ", "also_label": "also called: ",
    },
    "ja": {
        "home_title": "csa — カスタマーサクセス分析ハンドブック",
        "home": (
            "カスタマーサクセス・カスタマーサポートのチームのためのハンドブックです。各KPIの意味、"
            "手計算と自社データでの求め方、読み違えやすい点を学べます。各レッスンはノートブックで、"
            "このサイトは同梱のサンプル（架空の日本のB2B SaaS企業）で実行した結果を表示しています。"
            "自分で実行するときは JupyterLab で開いてください（`make lab`）。\n\n"
            "チームに加わったばかりの方は、[はじめに](start_here.md)から読んでください。"
        ),
        "lessons": "レッスン",
        "reference": "資料",
        "start_title": "はじめに：最初の1週間",
        "start": (
            "次の順に、1日ずつレッスンを読んでください（1日あたり約{day}分）。各レッスンの冒頭には、読み終えたときに"
            "できるようになることが書かれており、最後には解答が折りたたまれた演習があります。解答を開く前に"
            "自分で解いてみてください。KPIや統計の用語は、各レッスンで最初に出てきたところから"
            "[用語集](glossary.md)にリンクしています。[出典記事](SOURCES.md)は、定義の根拠とした5本の"
            "日本語記事の要約です。"
        ),
        "day": "日目", "lesson": "レッスン", "minutes": "目安", "min": "分",
        "after": (
            "最初の1週間が終わったら、自分のチームが担当するKPIのレッスンに戻り、自社のエクスポートで"
            "実行し直してみてください（方法は `data/README.md` にあります）。"
        ),
        "glossary_title": "用語集",
        "glossary": (
            "ハンドブックのKPIカタログ（`csa.KPIS`）にあるすべてのKPIと、レッスンで使うその他の用語を、"
            "英語名とあわせてまとめています。KPIの項目はカタログから生成しているため、レッスン・レポート・"
            "このページでKPIの定義が食い違うことはありません。"
        ),
        "kind": {"kpi": "KPI", "kgi": "KGI"},
        "better": {"higher": "高いほど良い", "lower": "低いほど良い"},
        "other_label": "英語：", "sep": "・", "also_label": "ほかでの呼び方：",
    },
}


def _write(path: Path, text: str | bytes) -> None:
    """Write only when the content changes (Sphinx then rebuilds only what changed)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# --- the glossary and links to it ----------------------------------------------------------------

def _terms(lang: str):
    from csa import glossary

    return glossary.terms()


def _patterns(lang: str) -> list[tuple[str, str]]:
    """(text a lesson may use, glossary term it links to), longest first."""
    out: dict[str, str] = {}
    for _, row in _terms(lang).iterrows():
        name = row[lang]
        base = re.sub(r"\s*[（(].*?[）)]\s*$", "", name).strip()  # "Net Promoter Score (NPS)" -> "Net Promoter Score"
        for paren in re.findall(r"[（(]([^）)]+)[）)]", row["en"]) + re.findall(r"[（(]([^）)]+)[）)]", row["ja"]):
            if re.fullmatch(r"[A-Z]{2,5}", paren):  # an acronym: NPS, FCR, LTV
                out.setdefault(paren, name)
        lead = re.match(r"([A-Z]{2,5}) \(", row["en"])  # "KPI (key performance indicator)"
        if lead:
            out.setdefault(lead.group(1), name)
        if len(base) >= 2:
            out.setdefault(base, name)
    return sorted(out.items(), key=lambda kv: -len(kv[0]))


_PROTECT = re.compile(r"`[^`]*`|\[[^\]]*\]\([^)]*\)|<[^>]+>|\{[a-z]+\}`[^`]*`|https?://\S+|\*\*[^*]*\*\*")


def _link_terms(text: str, pats: list[tuple[str, str]], done: set[str], lang: str) -> str:
    """Link the first mention on a page of each glossary term in ``text`` (not in code, links, headings)."""
    if not pats:
        return text
    alts = []
    for surface, _ in pats:
        e = re.escape(surface)
        alts.append(rf"(?<![A-Za-z0-9_]){e}(?![A-Za-z0-9_])" if re.match(r"[A-Za-z]", surface) else e)
    rx = re.compile("|".join(alts), flags=0 if lang == "ja" else re.IGNORECASE)
    by_surface = {s.lower(): t for s, t in pats}

    def sub_plain(seg: str) -> str:
        def rep(m: re.Match) -> str:
            s = m.group(0)
            if s.isupper() is False and len(s) <= 5 and lang == "en" and s.lower() in {"kpi", "kgi"}:
                return s
            term = by_surface.get(s.lower())
            if term is None or term in done:
                return s
            if re.fullmatch(r"[A-Z]{2,5}", s.upper()) and s != s.upper():  # "nps" in prose is not NPS
                return s
            done.add(term)
            return f"{{term}}`{s} <{term}>`"
        return rx.sub(rep, seg)

    lines, out, fence = text.split("\n"), [], False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if fence or line.lstrip().startswith(("#", ">", "<", "|", "+++", "**Contents**", "**目次**")) or " · " in line:
            out.append(line)
            continue
        parts, pos = [], 0
        for m in _PROTECT.finditer(line):
            parts.append(sub_plain(line[pos:m.start()]))
            parts.append(m.group(0))
            pos = m.end()
        parts.append(sub_plain(line[pos:]))
        out.append("".join(parts))
    return "\n".join(out)


def glossary_page(lang: str) -> str:
    t = TEXT[lang]
    other = "ja" if lang == "en" else "en"
    lines = [f"# {t['glossary_title']}", "", t["glossary"], "", ":::{glossary}"]
    for _, row in _terms(lang).iterrows():
        extra = [f"{t['other_label']}{row[other]}"]
        if row["kind"]:
            extra.append(t["kind"][row["kind"]])
        if row["better"]:
            extra.append(t["better"][row["better"]])
        if row[f"also_{lang}"]:
            extra.append(t["also_label"] + row[f"also_{lang}"])
        definition = row[f"definition_{lang}"] or row["definition_en"]
        lines += [row[lang], f"  {definition}", "", f"  <small>{t['sep'].join(extra)}</small>", ""]
    lines.append(":::")
    return "\n".join(lines) + "\n"


# --- the lessons ----------------------------------------------------------------------------------

_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def _fix_links(text: str, staged: set[str]) -> str:
    """Keep links to staged pages (a lesson's ``.ipynb``, SOURCES.md) and the web; others become their text."""
    def rep(m: re.Match) -> str:
        label, target = m.group(1), m.group(2)
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            return m.group(0)
        if target.split("#")[0] in staged:
            return m.group(0)
        return label
    return _LINK.sub(rep, text)


def run_in(entry, lang: str) -> Path:
    """``entry``'s notebook executed with ``lang`` (papermill, on the bundled sample), cached by the notebook's content.

    Only with ``--run``: by default the book shows the committed outputs (run with ``lang = "en"``).
    A notebook that fails keeps its committed outputs, and the failure is printed.
    """
    import hashlib

    import papermill

    key = hashlib.sha256(entry.ipynb.read_bytes() + lang.encode()).hexdigest()[:16]
    out = OUT / "_run" / lang / f"{entry.file}.{key}.ipynb"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    for old in out.parent.glob(f"{entry.file}.*.ipynb"):
        old.unlink()
    tmp = out.with_suffix(".partial.ipynb")
    try:
        papermill.execute_notebook(str(entry.ipynb), str(tmp), parameters={"lang": lang}, cwd=str(entry.ipynb.parent),
                                   progress_bar=False, log_output=False, kernel_name="python3")
    except Exception as exc:  # any failure: keep the committed outputs, say so
        print(f"{entry.file} did not run with lang={lang} ({type(exc).__name__}); its committed outputs are shown",
              file=sys.stderr)
        tmp.unlink(missing_ok=True)
        return entry.ipynb
    tmp.rename(out)
    return out


def lesson(entry, lang: str, staged: set[str], pats, run: bool = False) -> tuple[str, int]:
    """The notebook of ``entry`` in ``lang`` as JSON, and about how many minutes it takes (from its English text)."""
    import nbformat

    other = set(LANGS) - {lang}
    nb = nbformat.read(run_in(entry, lang) if run else entry.ipynb, as_version=4)
    for key in ("papermill",):
        nb.metadata.pop(key, None)
    nb.cells = [c for c in nb.cells if not other & set(c.metadata.get("tags", []))]
    done: set[str] = set()
    words = sum(len(re.findall(r"[A-Za-z]+", c.source)) for c in nbformat.read(entry.ipynb, as_version=4).cells
                if c.cell_type == "markdown" and "ja" not in c.metadata.get("tags", []))
    code = 0
    for c in nb.cells:
        c.metadata.pop("jupyter", None)  # the Japanese twins are stored folded
        if c.cell_type == "markdown":
            c.source = _link_terms(_fix_links(c.source, staged), pats, done, lang)
        elif c.cell_type == "code":
            code += 1
    return nbformat.writes(nb), minutes(words, code)


def minutes(words: int, code_cells: int) -> int:
    """Reading at about 100 words a minute (learning, not skimming), 1.5 minutes per code cell and 10 for the
    exercises, to 5 minutes."""
    return 5 * math.ceil((words / 100 + 1.5 * code_cells + 10) / 5)


def _days(mins: list[int], days: int) -> list[int]:
    """The day of each lesson: the lessons in order, cut into ``days`` runs whose longest is as short as can be."""
    n = len(mins)
    best = {(0, 0): (0, [])}  # (lessons placed, days used) -> (longest day, day of each)
    for i in range(n):
        for d in range(days):
            if (i, d) not in best:
                continue
            longest, plan = best[(i, d)]
            for j in range(i + 1, n + 1):
                key, cand = (j, d + 1), (max(longest, sum(mins[i:j])), [*plan, *[d + 1] * (j - i)])
                if key not in best or cand[0] < best[key][0]:
                    best[key] = cand
    return min((best[(n, d)] for d in range(1, days + 1) if (n, d) in best), key=lambda b: b[0])[1]


def start_here(lang: str, entries, mins: dict[str, int]) -> str:
    t = TEXT[lang]
    day_of = _days([mins[e.id] for e in entries], DAYS)
    per_day = [sum(mins[e.id] for e, d in zip(entries, day_of) if d == day) for day in sorted(set(day_of))]
    rows = []
    for e, day in zip(entries, day_of):
        label = f"{day}{t['day']}" if lang == "ja" else f"{t['day']} {day}"
        span = f"{mins[e.id]}{t['min']}" if lang == "ja" else f"{mins[e.id]} {t['min']}"
        rows.append(f"| {label} | [{e.title_in(lang)}]({e.file}.ipynb) | {span} |")
    head = f"| {'日程' if lang == 'ja' else t['day']} | {t['lesson']} | {t['minutes']} |"
    day = 10 * round(sum(per_day) / len(per_day) / 10)
    return "\n".join([f"# {t['start_title']}", "", t["start"].format(day=day), "", head,
                      "|---|---|---:|", *rows, "", t["after"], ""])


START_NOTEBOOK = ROOT / "notebooks" / "START_HERE.ipynb"


def start_notebook() -> str:
    """``notebooks/START_HERE.ipynb`` as JSON: the start page in both languages (the Japanese folded, as in the
    lessons), for a learner who opens the handbook in JupyterLab; the glossary, a page of the book, is named."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from csa.catalog import notebooks

    entries = notebooks()
    mins = {e.id: lesson(e, "en", set(), [])[1] for e in entries}
    linked = {"en": ("Every KPI and statistical term links to the [glossary](glossary.md) the first time a lesson "
                     "uses it; ", "In the book (`make book`) every KPI and statistical term links to the glossary; "),
              "ja": ("KPIや統計の用語は、各レッスンで最初に出てきたところから[用語集](glossary.md)にリンクしています。",
                     "ブック版（`make book`）では、KPIや統計の用語が用語集にリンクしています。")}
    cells = []
    for lang in LANGS:
        text = start_here(lang, entries, mins)
        text = text.replace(*linked[lang])
        text = text.replace("(SOURCES.md)", "(SOURCES.md)" if lang == "en" else "(SOURCES.ja.md)")
        meta = {"tags": [lang]} if lang == "en" else {"tags": [lang], "jupyter": {"source_hidden": False}}
        cells.append(new_markdown_cell(text, metadata=meta))
    params = new_code_cell('lang = "en"  # this page shows both languages, English first {en, ja}',
                           metadata={"tags": ["parameters"]}, execution_count=1)
    cells.insert(0, params)  # a parameters cell, like every notebook of the folder
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"display_name": "Python 3", "language": "python",
                                                            "name": "python3"}, "language_info": {"name": "python"}})
    for c, name in zip(nb.cells, ("parameters", *LANGS), strict=True):
        c["id"] = f"start-here-{name}"
    return nbformat.writes(nb) + "\n"


def home(lang: str, entries) -> str:
    t = TEXT[lang]
    toc = lambda caption, docs: ["```{toctree}", f":caption: {caption}", ":maxdepth: 1", "", *docs, "```", ""]
    return "\n".join([f"# {t['home_title']}", "", t["home"], "",
                      *toc(t["lessons"], ["start_here", *[e.file for e in entries]]),
                      *toc(t["reference"], ["glossary", "SOURCES"])])


def stage(lang: str, run: bool = False) -> Path:
    from csa.catalog import notebooks

    src = OUT / "_src" / lang
    entries = notebooks()
    staged = {f"{e.file}.ipynb" for e in entries} | {"SOURCES.md", "glossary.md", "start_here.md"}
    pats = _patterns(lang)
    mins = {}
    for e in entries:
        text, mins[e.id] = lesson(e, lang, staged, pats, run=run and lang != "en")
        _write(src / f"{e.file}.ipynb", text)
    sources = ROOT / "notebooks" / ("SOURCES.md" if lang == "en" else "SOURCES.ja.md")
    _write(src / "SOURCES.md", _fix_links(sources.read_text(encoding="utf-8"), staged))
    _write(src / "glossary.md", glossary_page(lang))
    _write(src / "start_here.md", start_here(lang, entries, mins))
    _write(src / "index.md", home(lang, entries))
    keep = {f"{e.file}.ipynb" for e in entries} | {"SOURCES.md", "glossary.md", "start_here.md", "index.md"}
    for p in src.iterdir():
        if p.is_file() and p.name not in keep:
            p.unlink()
    return src


def landing() -> str:
    """build/book/index.html: pick a language (Japanese first: most readers read it)."""
    return ('<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(TEXT['ja']['home_title'])}</title>\n"
            "<style>body{font-family:\"Hiragino Sans\",\"Yu Gothic\",\"Meiryo\",\"Noto Sans CJK JP\",system-ui,"
            "sans-serif;max-width:40em;margin:3em auto;padding:0 1em;line-height:1.6}a{font-size:1.2em}</style>\n"
            "</head><body>\n"
            f"<h1>{html.escape(TEXT['ja']['home_title'])}</h1>\n"
            '<p><a href="ja/index.html" lang="ja">日本語で読む</a></p>\n'
            '<p><a href="en/index.html" lang="en">Read in English</a></p>\n'
            "</body></html>\n")


def build(langs=LANGS, quiet: bool = True, run: bool = False) -> float:
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    for lang in langs:
        src = stage(lang, run=run)
        args = ["-b", "html", "-c", str(BOOK), "-d", str(OUT / "_doctrees" / lang), "-D", f"language={lang}",
                "-j", "1", *(["-q"] if quiet else []), str(src), str(OUT / lang)]
        rc = build_main(args)
        if rc:
            raise SystemExit(f"the {lang} book did not build (sphinx exit {rc})")
    _write(OUT / "index.html", landing())
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=LANGS, action="append", help="one language (default: both)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")
    ap.add_argument("--run", action="store_true",
                    help="run each lesson in Japanese for the Japanese book (outputs, tables and charts in Japanese; "
                         "minutes, cached) instead of showing the committed English outputs")
    ap.add_argument("--start-notebook", action="store_true",
                    help=f"only write {START_NOTEBOOK.relative_to(ROOT)} (the start page for JupyterLab) and stop")
    a = ap.parse_args(argv)
    if a.start_notebook:
        START_NOTEBOOK.write_text(start_notebook(), encoding="utf-8")
        print(f"wrote {START_NOTEBOOK.relative_to(ROOT)}")
        return 0
    seconds = build(tuple(a.lang or LANGS), quiet=not a.verbose, run=a.run)
    print(f"book built in {seconds:.0f} s: open {OUT.relative_to(ROOT) / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
