"""The handbook's glossary in English and Japanese: every KPI from the catalogue, the other terms from a file.

A KPI's entry — its name in both languages, KPI or KGI, which way is better and its one-line
definition — is generated from its declaration in :mod:`csa.kpi.catalog`, so the glossary, the
lessons and the report can never define a KPI two ways. ``glossary.yaml`` holds the other terms
(promoter, cohort, confidence interval, …); the line ``_catalogue:`` in it marks where the KPIs
are placed.

>>> g = terms().set_index("term")
>>> g.loc["fcr", ["en", "ja", "kind", "better"]].tolist()
['First contact resolution (FCR)', '一次解決率（FCR）', 'kpi', 'higher']
>>> g.loc["promoter", "ja"]
'推奨者'
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from .kpi import KPIS

__all__ = ["ALSO", "FIELDS", "MARKER", "also", "terms"]

#: the fields of a term (``definition_ja``, ``kind``, ``better`` and the other names may be empty)
FIELDS = ("en", "ja", "definition_en", "definition_ja", "kind", "better", "also_en", "also_ja")
#: the key in glossary.yaml where the catalogue's KPIs are placed
MARKER = "_catalogue"
#: the key in glossary.yaml listing, once, the other names of a term met elsewhere ("also called")
ALSO = "_also"
_JOIN = {"en": ", ", "ja": "、"}


@cache
def _yaml() -> dict:
    import yaml

    text = (resources.files("csa") / "glossary.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def _kpi_rows() -> list[dict[str, str]]:
    rows = []
    for kind in ("kpi", "kgi"):
        for k in KPIS.values():
            if k.kind == kind:
                rows.append({"term": k.id, "en": k.title("en"), "ja": k.title("ja"),
                             "definition_en": k.definition["en"], "definition_ja": k.definition["ja"],
                             "kind": k.kind, "better": k.direction})
    return rows


def terms() -> pd.DataFrame:
    """Every term of the glossary, in order: one row each.

    Returns
    -------
    DataFrame
        ``term`` (a catalogue KPI's id, or the entry's id in ``glossary.yaml``), ``en``, ``ja``,
        ``definition_en``, ``definition_ja``, ``kind`` (``"kpi"``, ``"kgi"`` or empty for a term
        that is not a KPI), ``better`` (``"higher"``, ``"lower"`` or empty) and ``also_en``,
        ``also_ja`` (other names met elsewhere, joined; empty when none).

    Raises
    ------
    ValueError
        When ``glossary.yaml`` defines a term the catalogue declares (it would be defined twice).
    """
    rows: list[dict[str, str]] = []
    data = dict(_yaml())
    others = also()
    twice = sorted(set(data) & set(KPIS))
    if twice:
        raise ValueError(f"glossary.yaml defines {', '.join(twice)}, which the KPI catalogue declares: remove them "
                         "from glossary.yaml (the catalogue's definition is the one used)")
    placed = False
    for term, entry in data.items():
        if term == ALSO:
            continue
        if term == MARKER:
            rows += _kpi_rows()
            placed = True
            continue
        entry = entry or {}
        rows.append({"term": str(term), **{f: str(entry.get(f, "") or "").strip() for f in FIELDS}})
    if not placed:
        rows += _kpi_rows()
    known = {r["term"] for r in rows}
    unknown = sorted(set(others) - known)
    if unknown:
        raise ValueError(f"glossary.yaml {ALSO}: lists other names for {', '.join(unknown)}, which is neither a term "
                         "of the glossary nor a KPI of the catalogue")
    for r in rows:
        for lang in ("en", "ja"):
            r[f"also_{lang}"] = _JOIN[lang].join(others.get(r["term"], {}).get(lang, ()))
    return pd.DataFrame(rows, columns=["term", *FIELDS])


def also() -> dict[str, dict[str, tuple[str, ...]]]:
    """The other names of a term a reader may meet elsewhere, per term and language (``_also`` in glossary.yaml).

    >>> also()["fcr"]["ja"]
    ('初回解決率', 'ワンコール解決率')
    """
    raw = _yaml().get(ALSO) or {}
    return {str(k): {lang: tuple(str(x) for x in (v or {}).get(lang, ())) for lang in ("en", "ja")}
            for k, v in raw.items()}
