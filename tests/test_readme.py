"""The README stays true: its notebooks table follows notebooks/index.yaml, its links exist."""

from __future__ import annotations

import re

from csa import catalog

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_notebooks_table_follows_the_index():
    rows = re.findall(r"^\| \[`(\w+)`\]\(notebooks/(\w+)\.ipynb\) \|[^|]+\| (yes|no[^|]*) \|", README, re.M)
    want = [(e.file, e.file, e.report) for e in catalog.notebooks(ROOT / "notebooks")]
    assert [(a, b, c == "yes") for a, b, c in rows] == want


def test_relative_links_exist():
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", README):
        assert (ROOT / target).exists(), target
