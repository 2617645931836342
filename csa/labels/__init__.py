"""Labels in English and Japanese, one namespace per notebook.

``common.yaml`` holds what every notebook shares (column names, data values the handbook
knows, chart words); ``<notebook id>.yaml`` holds a notebook's own labels and wins over
``common``. Every key has both languages with the same ``{placeholders}`` (a test checks).
A key that is in no file is returned as written: a user's own plan "Pro" stays "Pro".

>>> t("segment", "ja")
'セグメント'
>>> L = Labels("nps", "ja")
>>> L("promoters"), L("Pro")
('推奨者（9–10）', 'Pro')
>>> L("interval", level=0.95)
'95%信頼区間'

Numbers formatted into a sentence carry the handbook's minus sign (U+2212), as everywhere else:

>>> t("sc_n", "en", "kpi_cycle", n=-3)
'n = −3'
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

__all__ = ["DATA_LABELS_FILE", "LANGS", "Labels", "check_lang", "namespaces", "t", "table", "translate",
           "use_data_labels"]

LANGS = ("en", "ja")


def check_lang(lang: str) -> str:
    """``lang`` if it is a supported language, else a clear error."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang


def namespaces() -> list[str]:
    """The label files shipped with the package (``common`` first)."""
    names = sorted(p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".yaml"))
    return ["common", *[n for n in names if n != "common"]]


@cache
def table(ns: str) -> dict[str, dict[str, str]]:
    """All labels of namespace ``ns``: ``{key: {"en": …, "ja": …}}`` (empty if no such file)."""
    f = resources.files(__name__) / f"{ns}.yaml"
    if not f.is_file():
        return {}
    data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
    return {str(k): {str(lang): str(text) for lang, text in v.items()} for k, v in data.items()}


#: the loaded data's own names for its values (``labels.yaml`` in its folder: teams, plans, regions)
_DATA: dict[str, dict[str, str]] = {}
DATA_LABELS_FILE = "labels.yaml"


def use_data_labels(folder) -> dict[str, dict[str, str]]:
    """Read ``labels.yaml`` of a data folder (``{value: {en: …, ja: …}}``: how the report names the data's own
    teams, plans, regions in each language) and use it from now on, beside any read before (a name only
    ever applies to a value of that name); a folder without one changes nothing.

    The package's labels know the handbook's words, never a data set's values: the bundled sample's
    team names, say, are in ``data/sample/labels.yaml``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "labels.yaml").write_text("east: {en: East office, ja: 東日本オフィス}", encoding="utf-8")
    >>> use_data_labels(d)["east"]["ja"], t("east", "ja")
    ('東日本オフィス', '東日本オフィス')
    """
    from pathlib import Path

    f = Path(folder) / DATA_LABELS_FILE if folder else None
    if f is None or not f.is_file():
        return _DATA
    from ..yamlbudget import compose, read_text

    loader, node = compose(read_text(f, "labels file").decode("utf-8"), yaml.SafeLoader)  # within a budget
    try:
        raw = (loader.construct_document(node) if node is not None else None) or {}
    finally:
        loader.dispose()
    if not isinstance(raw, dict):
        raise ValueError(f"{f}: write one line per value, e.g. 'east: {{en: East office, ja: 東日本オフィス}}'")
    read = {}
    for k, v in raw.items():
        if not isinstance(v, dict) or not all(isinstance(v.get(lang), str) for lang in LANGS):
            raise ValueError(f"{f}: {k!r} needs a name in each language, e.g. "
                             f"'{k}: {{en: {k}, ja: {k}}}'; got {v!r}")
        read[str(k)] = {lang: v[lang] for lang in LANGS}
    _DATA.update(read)
    return _DATA


def t(key, lang: str = "en", ns: str = "common", **fmt) -> str:
    """The label for ``key`` in ``lang`` (namespace ``ns``, then ``common``, then the data's own
    :func:`use_data_labels`); unknown keys as written."""
    check_lang(lang)
    if not isinstance(key, str):
        return key
    for entry in (table(ns).get(key), table("common").get(key), _DATA.get(key)):
        if entry is not None:
            text = entry[lang]
            return _FORMATTER.format(text, **fmt) if fmt else text
    return key


class _Numbers(string.Formatter):
    """``str.format`` with the handbook's minus sign: a number formatted into a sentence is written −3.1, not -3.1."""

    def format_field(self, value, format_spec: str) -> str:
        out = super().format_field(value, format_spec)
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            out = out.replace("-", "\u2212", 1) if out.lstrip().startswith("-") else out
        return out


_FORMATTER = _Numbers()


class Labels:
    """Labels of one notebook in one language: ``L = Labels("nps", lang); L("promoters")``."""

    def __init__(self, ns: str = "common", lang: str = "en") -> None:
        self.ns, self.lang = ns, check_lang(lang)

    def __call__(self, key, **fmt) -> str:
        return t(key, self.lang, self.ns, **fmt)

    def __repr__(self) -> str:
        return f"Labels({self.ns!r}, {self.lang!r})"


def translate(df: pd.DataFrame, lang: str = "en", ns: str = "common",
              values: tuple[str, ...] = ("touchpoint", "segment", "plan", "channel", "period")) -> pd.DataFrame:
    """A copy of ``df`` with column names, and the values of the ``values`` columns, in ``lang``.

    Values the handbook does not know (a user's own plan names) are kept as written.
    """
    check_lang(lang)
    out = df.copy()
    for c in values:
        if c in out.columns:
            out[c] = out[c].map(lambda v: t(v, lang, ns) if isinstance(v, str) else v)
    return out.rename(columns=lambda c: t(c, lang, ns) if isinstance(c, str) else c)
