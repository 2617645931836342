"""The learner's way in from JupyterLab: ``notebooks/START_HERE.ipynb`` is the book's start page in both languages,
up to date with the lessons (``python book/build.py --start-notebook`` writes it), and ``make lab`` lists each lesson
once (the MyST sources and the build files are hidden from the file browser)."""

from __future__ import annotations

import fnmatch
import importlib.util
import re
from pathlib import Path

import nbformat

from csa.catalog import notebooks

ROOT = Path(__file__).resolve().parents[1]


def _book():
    spec = importlib.util.spec_from_file_location("book_build", ROOT / "book" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_start_here_is_up_to_date():
    book = _book()
    assert book.START_NOTEBOOK.read_text(encoding="utf-8") == book.start_notebook(), \
        "notebooks/START_HERE.ipynb is out of date: python book/build.py --start-notebook"


def test_start_here_links_every_lesson_in_order_in_both_languages():
    nb = nbformat.read(ROOT / "notebooks" / "START_HERE.ipynb", as_version=4)
    assert [c.metadata["tags"] for c in nb.cells] == [["parameters"], ["en"], ["ja"]]
    files = [f"{e.file}.ipynb" for e in notebooks()]
    for c in nb.cells[1:]:
        linked = re.findall(r"\]\(([^)]+\.ipynb)\)", c.source)
        assert linked == files
        assert all((ROOT / "notebooks" / f).is_file() for f in re.findall(r"\]\(([^)]+)\)", c.source))


def test_make_lab_lists_each_lesson_once():
    make = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n\t", " ")
    globs = re.search(r'--ContentsManager\.hide_globs="(.*?)"', make)
    assert globs and "$(LAB_HIDE)" in make, "make lab hides the MyST sources from JupyterLab's file browser"
    hidden = re.findall(r"'([^']+)'", globs.group(1))
    shown = [p.name for p in (ROOT / "notebooks").iterdir() if not any(fnmatch.fnmatch(p.name, g) for g in hidden)]
    for e in notebooks():
        assert f"{e.file}.ipynb" in shown and f"{e.file}.md" not in shown
    assert "START_HERE.ipynb" in shown and "SOURCES.md" in shown
