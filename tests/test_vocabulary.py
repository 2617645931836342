"""One Japanese term per idea, and one name per KPI, everywhere the handbook writes Japanese.

The KPI catalogue names every KPI once (``csa.KPIS[id].name``); the lessons, labels, glossary,
source summaries and README use those names. Ideas that used to have several Japanese names are
listed here with the one term the handbook uses and the variants it must not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from csa import KPIS
from csa import glossary as G

ROOT = Path(__file__).resolve().parents[1]
#: idea → (the term used, variants that must not appear)
TERMS = {
    "first contact resolution": ("一次解決率", ("初回解決率",)),
    "revenue churn": ("売上解約率", ("収益解約率",)),
    "complaint": ("苦情", ("クレーム",)),
    "difference in differences": ("差の差分法", ("差の差分析",)),
    "relationship survey": ("定期調査", ("リレーションシップ調査", "関係性調査")),
    "first response time": ("初回応答時間", ("平均応答時間", "初回返信時間")),
    "LTV tier": ("階層", ("ティア",)),
    "KPI introduction cycle": ("KPI導入サイクル", ("KPI導入プロセス",)),
}


def _files() -> list[Path]:
    out = [*sorted((ROOT / "notebooks").glob("*.md")), *sorted((ROOT / "csa" / "labels").glob("*.yaml")),
           ROOT / "csa" / "glossary.yaml", ROOT / "csa" / "kpi" / "catalog.py", ROOT / "README.md",
           ROOT / "data" / "README.md", ROOT / "data" / "registry.yaml"]
    return [p for p in out if p.is_file()]


@pytest.mark.parametrize("idea", list(TERMS))
def test_one_japanese_term_per_idea(idea):
    term, variants = TERMS[idea]
    found = [f"{p.relative_to(ROOT)}: {v}" for p in _files() for v in variants if v in _text(p)]
    assert not found, f"{idea} is {term} in the handbook; found: {found}"
    listed = [v for names in G.also().values() for v in names["ja"]]
    for v in variants:  # the variants a reader meets elsewhere: named once, in the glossary's "also called"
        assert sum(v in x for x in listed) == 1, f"{v} ({idea}) should be listed once in glossary.yaml's _also"


def _text(p: Path) -> str:
    """A file's text, without glossary.yaml's list of other names (the one place they are written)."""
    text = p.read_text(encoding="utf-8")
    if p.name == "glossary.yaml":
        text = text.split("\n_also:", 1)[0]
    return text


def test_every_kpi_has_its_own_name_in_each_language():
    for lang in ("en", "ja"):
        names = [k.name[lang] for k in KPIS.values()]
        assert len(set(names)) == len(names), lang


def test_the_glossary_defines_each_kpi_once_from_the_catalogue():
    g = G.terms().set_index("term")
    for k in KPIS.values():
        row = g.loc[k.id]
        assert (row["en"], row["ja"], row["definition_ja"]) == (k.title("en"), k.title("ja"), k.definition["ja"])
    assert g.index.is_unique and g["ja"].is_unique and g["en"].is_unique
