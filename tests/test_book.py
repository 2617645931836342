"""The handbook as a website (``make book``): every page in both languages, offline, Japanese search, no broken link.

The book's tools are an optional extra (``pip install -e ".[book]"``, which ``make book`` does); without
them these tests are skipped, except in CI, which builds the book and sets ``CSA_BOOK_REQUIRED=1`` (``.ci/run``):
there a missing extra fails them. The build is incremental, so a second run reuses the first.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from csa.catalog import notebooks

_MISSING = [m for m in ("myst_nb", "sphinx_book_theme") if importlib.util.find_spec(m) is None]
if _MISSING:
    if os.environ.get("CSA_BOOK_REQUIRED", "") not in ("", "0"):
        raise RuntimeError(f"CSA_BOOK_REQUIRED is set but {', '.join(_MISSING)} is not installed (make book installs "
                           "it)")
    pytest.skip(f"the book extra is not installed ({', '.join(_MISSING)}): make book", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "book"
LANGS = ("en", "ja")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def book() -> Path:
    sys.path.insert(0, str(ROOT / "book"))
    try:
        import build as book_build
    finally:
        sys.path.remove(str(ROOT / "book"))
    book_build.build(run=(OUT / "_run").is_dir())  # a book built with --run stays so (its runs are cached)
    return OUT


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def _pages(book: Path) -> list[Path]:
    return sorted(p for p in book.rglob("*.html") if "_src" not in p.parts and "_static" not in p.parts)


def test_a_page_per_lesson_the_glossary_and_the_sources_in_both_languages(book):
    assert (book / "index.html").is_file()
    for lang in LANGS:
        for e in notebooks():
            page = book / lang / f"{e.file}.html"
            assert page.is_file(), page
            text = page.read_text(encoding="utf-8")
            assert "<details" in text, f"{page}: the exercises' folded solutions"
            assert 'class="xref std std-term"' in text, f"{page}: links no glossary term"
        for name in ("glossary", "SOURCES", "start_here", "index", "search"):
            assert (book / lang / f"{name}.html").is_file(), (lang, name)
    from csa import KPIS

    for lang in LANGS:
        glossary = (book / lang / "glossary.html").read_text(encoding="utf-8")
        missing = [k.id for k in KPIS.values() if k.title(lang) not in glossary]
        assert not missing, f"{lang} glossary lacks {missing}"
    start = (book / "ja" / "start_here.html").read_text(encoding="utf-8")
    assert all(f'href="{e.file}.html"' in start for e in notebooks())


def test_the_japanese_book_shows_japanese_text_only_where_the_lessons_have_it(book):
    """Cells tagged for the other language are left out of each book (as the report's pages do)."""
    import nbformat

    for e in notebooks():
        nb = nbformat.read(e.ipynb, as_version=4)
        for lang, other in (("en", "ja"), ("ja", "en")):
            cells = [c for c in nb.cells if other in c.metadata.get("tags", [])]
            if not cells:
                continue
            staged = nbformat.read(book / "_src" / lang / f"{e.file}.ipynb", as_version=4)
            assert not [c for c in staged.cells if other in c.metadata.get("tags", [])], (e.file, lang)


def test_every_page_has_the_language_switch(book):
    for lang, other in (("en", "ja"), ("ja", "en")):
        for page in _pages(book / lang):
            if page.name == "genindex.html":
                continue
            p = _parse(page)
            switch = [v for tag, a, v in p.links if a == "href" and v.split("/")[-2:-1] == [other]
                      and v.endswith(page.relative_to(book / lang).as_posix())]
            assert switch, f"{page}: no link to the {other} page"


def _search_index(book: Path, lang: str) -> dict:
    s = (book / lang / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(s[s.index("(") + 1:s.rindex(")")])


def _found(index: dict, terms: list[str]) -> set[str]:
    """The pages holding every term, as the browser's search counts them (searchtools.js)."""
    pages = None
    for t in terms:
        hits = set()
        for table in ("terms", "titleterms"):
            f = index[table].get(t, [])
            hits |= {f} if isinstance(f, int) else set(f)
        pages = hits if pages is None else pages & hits
    return {index["docnames"][i] for i in (pages or set())}


@pytest.mark.parametrize("word, page", [("解約率", "06_churn"), ("推奨者", "01_nps"), ("信頼区間", "00_primer")])
def test_search_finds_japanese_words(book, word, page):
    sys.path.insert(0, str(ROOT / "book"))
    try:
        import conf
    finally:
        sys.path.remove(str(ROOT / "book"))
    terms = conf.cjk_terms(word)
    assert len(terms) >= 2
    assert page in _found(_search_index(book, "ja"), terms)
    node = shutil.which("node")
    if node:  # the browser splits the query as the index was split
        script = ("const fs=require('fs'),vm=require('vm');const c={window:{}};vm.createContext(c);"
                  f"vm.runInContext(fs.readFileSync({json.dumps(str(book / 'ja/_static/language_data.js'))},'utf8'),c);"
                  f"console.log(JSON.stringify(c.splitQuery({json.dumps(word)})))")
        out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True).stdout
        assert json.loads(out) == terms


def test_search_finds_english_words(book):
    assert "06_churn" in _found(_search_index(book, "en"), ["churn"])


def test_no_broken_internal_link_and_nothing_from_the_network(book):
    broken, remote, ids = [], [], {}
    pages = _pages(book)
    for page in pages:
        p = _parse(page)
        ids[page.resolve()] = p.ids
        for tag, attr, value in p.links:
            parts = urlsplit(value)
            if parts.scheme in ("http", "https") or value.startswith("//"):
                if tag != "a":  # a script, a style sheet, an image or a font fetched from outside
                    remote.append(f"{page.relative_to(book)}: <{tag} {attr}={value}>")
                continue
            if parts.scheme or not (parts.path or parts.fragment):
                continue  # mailto:, data:, javascript:, "#"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(book)}: {value}")
            elif parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = _parse(target).ids
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{page.relative_to(book)}: {value} (no such anchor)")
    for css in book.rglob("*.css"):
        if "_src" in css.parts:
            continue
        text = css.read_text(encoding="utf-8", errors="replace")
        if "@import url(http" in text or "url(http" in text.replace('"', "").replace("'", ""):
            remote.append(str(css.relative_to(book)))
    assert len(pages) > 2 * len(notebooks())
    assert not broken, f"{len(broken)} broken links, e.g. {broken[:10]}"
    assert not remote, f"fetched from the network: {remote[:10]}"


def test_search_in_the_browser_finds_japanese_words_and_loads_nothing_from_outside(book):
    """The search page as a reader uses it (headless Chromium, when there is one): 解約率 finds the churn lesson."""
    import importlib.util
    import os

    chromium = os.environ.get("CSA_CHROMIUM", "/usr/bin/chromium")
    if importlib.util.find_spec("playwright") is None or not os.access(chromium, os.X_OK):
        pytest.skip("needs the playwright package and Chromium (see tests/test_browser.py)")
    from playwright.sync_api import sync_playwright

    from csa.catalog import entry

    churn_title = entry("churn").title_in("ja")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        try:
            page = browser.new_page()
            outside: list[str] = []
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("file://") else None)
            page.goto((book / "ja" / "search.html").as_uri() + "?q=解約率")
            page.wait_for_selector("#search-results li", timeout=20_000)
            results = page.inner_text("#search-results")
        finally:
            browser.close()
    assert churn_title.split("（")[0] in results, results[:500]
    assert not outside, outside[:5]
