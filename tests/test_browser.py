"""The monthly report as a reader sees it: every page of the sample report, in English and in Japanese,
opened in headless Chromium (Playwright for Python driving Debian's ``chromium``).

Each language's report is built once (a module-scoped fixture, about a minute) and every page is read once
in the browser (:func:`tests.browser_checks.observe`); the tests then check what was read, one rule each,
over all pages, and a failure lists every page that breaks the rule with an example of the offending text.

The browser: ``/usr/bin/chromium`` (``apt-get install chromium fonts-noto-cjk``), or the one that
``CSA_CHROMIUM`` names. Playwright's own browser download (``playwright install``) is not used. Without
Chromium or the ``playwright`` package the module is skipped, so that ``make test`` runs on a machine
without them; CI sets ``CSA_BROWSER_REQUIRED=1`` (``.ci/run``), and there a missing browser fails the tests.

Two settings help while fixing what the tests find: ``CSA_BROWSER_EXAMPLES=0`` quotes every offending text,
not the first four per page and problem; ``CSA_BROWSER_SHOTS=DIR`` saves a full-page screenshot of every page
at 1280 px into DIR.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from . import browser_checks as bc

CHROMIUM = os.environ.get("CSA_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("CSA_BROWSER_REQUIRED", "") not in ("", "0")
PERIOD = "2026-10"
LANGS = ("en", "ja")


def _missing() -> list[str]:
    why = []
    if importlib.util.find_spec("playwright") is None:
        why.append("the playwright package is not installed (pip install -e '.[dev]')")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        why.append(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk, or set CSA_CHROMIUM)")
    return why


MISSING = _missing()
if MISSING and not REQUIRED:
    pytest.skip("browser tests need a browser: " + "; ".join(MISSING), allow_module_level=True)

pytestmark = pytest.mark.slow


@dataclass
class Built:
    lang: str
    folder: Path
    manifest: dict[str, Any]
    views: dict[str, bc.PageView]

    @property
    def ids(self) -> dict[str, set[str]]:
        return {name: v.ids for name, v in self.views.items()}


@pytest.fixture(scope="module", params=LANGS)
def built(request, tmp_path_factory) -> Built:
    """The sample report for ``PERIOD`` in one language, built once, and every page of it as the browser showed it."""
    if MISSING:
        pytest.fail("CSA_BROWSER_REQUIRED is set but " + "; ".join(MISSING))
    from playwright.sync_api import sync_playwright

    from csa.datasets import sample_dir
    from csa.report import run_report

    lang = request.param
    out = tmp_path_factory.mktemp(f"browser-{lang}") / PERIOD
    manifest = run_report(period=PERIOD, data_dir=sample_dir(), out=out, lang=lang, progress=None)
    folder = Path(manifest.get("out") or out)
    # the browser starts after the report is built: papermill's kernels and Playwright's event loop stay apart
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            shots = os.environ.get("CSA_BROWSER_SHOTS")
            views = bc.observe(browser, folder, lang, Path(shots) if shots else None)
        finally:
            browser.close()
    return Built(lang, folder, manifest, views)


def _fail_on(problems: list[str], built: Built, rule: str) -> None:
    if problems:
        pytest.fail(f"{rule} — {len(problems)} problem(s) in the {built.lang} report:\n  - " + "\n  - ".join(problems),
                    pytrace=False)


def _each(built: Built, check, *args, pages=None) -> list[str]:
    return [p for name, v in built.views.items() if pages is None or pages(name) for p in check(v, *args)]


def test_every_section_has_a_page(built):
    """The report built, and it has a front page, a sources page and a page for every section that ran."""
    problems = [f"section {nb.get('title') or nb.get('notebook')}: {nb['status']}"
                + (f" ({str(nb['error'])[:300]})" if nb.get("error") else "")
                for nb in built.manifest["notebooks"] if nb["status"] not in ("ok", "skipped")]
    expected = {"index.html", "sources.html"} | {nb["html"] for nb in built.manifest["notebooks"] if nb.get("html")}
    problems += [f"{name} ({built.lang}): not in the report folder" for name in sorted(expected - set(built.views))]
    _fail_on(problems, built, "the report and its pages")


def test_no_console_errors(built):
    _fail_on(_each(built, bc.check_console), built, "console errors and requests outside the report")


def test_images_load_and_have_alt_text(built):
    _fail_on(_each(built, bc.check_images), built, "images")


def test_local_links_resolve(built):
    _fail_on(_each(built, bc.check_links, built.folder, built.ids), built, "links to files of the report")


def test_nothing_overflows_horizontally(built):
    _fail_on(_each(built, bc.check_overflow), built, "horizontal overflow at 1280 and 390 px")


def test_tables_fit_the_page_at_1280_px(built):
    _fail_on(_each(built, bc.check_tables_fit), built, "tables that scroll sideways at 1280 px")


@pytest.mark.parametrize("rule", list(bc.TEXT_RULES))
def test_visible_text(built, rule):
    _fail_on(_each(built, bc.check_text, rule, built.folder), built, f"visible text: {bc.TEXT_RULES[rule][0]}")


def test_japanese_table_cells_keep_words_whole(built):
    if built.lang != "ja":
        pytest.skip("word-break: keep-all is a rule for Japanese pages")
    _fail_on(_each(built, bc.check_keep_all), built, "word-break in Japanese tables")


def test_page_heights(built, record_property):
    """The front page fits in three screens at 1280×800, each section page in 8,000 px (details folded)."""
    heights = {name: v.height for name, v in built.views.items()}
    record_property(f"heights_{built.lang}", heights)
    shown = ", ".join(f"{n} {h:,} px" for n, h in heights.items())
    print(f"heights at 1280×800, details as shipped ({built.lang}): {shown}")
    problems = _each(built, bc.check_height, pages=lambda n: n == "index.html" or bc.is_section_page(n))
    if problems:
        problems.append("all heights at 1280×800: " + ", ".join(f"{n} {h:,}" for n, h in heights.items()))
    _fail_on(problems, built, "page heights")


def test_front_page_links_lists_and_says_what_changed(built):
    _fail_on(bc.check_front_page(built.views["index.html"], built.folder), built, "front page")
