"""A notebook as a report page (code-free, offline HTML), the sources page and the pages' shared parts.

Every page is in the report's language (``--lang``): markdown cells tagged with the other
language (``en`` / ``ja``) are left out, as are cells tagged ``lesson``, ``parameters``,
``injected-parameters`` and ``report-hide``; numbered sections (``## 3 …``) are renumbered
1, 2, 3 … over the cells kept; the words of index, sources page and navigation come from
``csa/labels/report.yaml``. Pages load nothing from the network (``report_templates/csa_report``
empties the lab template's CDN scripts) and link to each other with relative links.
"""

from __future__ import annotations

import functools
import html
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from ..catalog import notebooks_dir

__all__ = ["FOLD_AFTER", "LABELS", "REMOVE_TAGS", "SOURCES_FILE", "TEMPLATE", "fold_prose", "param_words",
           "phrase_breaks", "renumber_sections"]


TEMPLATE = "csa_report"
LABELS = "report"
#: Cells with these tags are left out of every report page (the other language's tag is added).
REMOVE_TAGS = frozenset({"lesson", "parameters", "injected-parameters", "report-hide"})
SOURCES_FILE = "SOURCES.md"


def _t(key: str, lang: str, **fmt) -> str:
    from ..labels import t

    return t(key, lang, LABELS, **fmt)


def _e(x: Any) -> str:
    return html.escape(str(x))


# a level-2 heading starting with a section number: "## 3 Title", "## 3. Title", "## 3"
_NUMBERED = re.compile(r"^( {0,3}##[ \t]+)(\d{1,3})(?=[.)]?(?:[ \t]|$))")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def renumber_sections(source: str, start: int = 0) -> tuple[str, int]:
    """``source`` with its numbered level-2 headings numbered ``start + 1``, … ; and the last number.

    Only ``## `` headings that start with a number (up to three digits, so ``## 2026 in review``
    is left alone) are touched; lines inside fenced code blocks are not headings.

    >>> renumber_sections("## 3 NPS\\n\\ntext\\n## Notes\\n## 5. Trend", start=1)
    ('## 2 NPS\\n\\ntext\\n## Notes\\n## 3. Trend', 3)
    """
    n, fence, lines = start, None, source.split("\n")
    for i, line in enumerate(lines):
        f = _FENCE.match(line)
        if f:
            if fence is None:
                fence = f[1][0] * 3
            elif f[1].startswith(fence):
                fence = None
            continue
        m = None if fence else _NUMBERED.match(line)
        if m:
            n += 1
            lines[i] = f"{m[1]}{n}{line[m.end(2):]}"
    return "\n".join(lines), n


def _renumber_preprocessor():
    from nbconvert.preprocessors import Preprocessor

    class RenumberSections(Preprocessor):
        """Number the level-2 sections of the cells kept 1, 2, 3 … (after the tag removal)."""

        def preprocess(self, nb, resources):
            n = 0
            for cell in nb.cells:
                if cell.cell_type == "markdown":
                    cell.source, n = renumber_sections(cell.source, n)
            return nb, resources

    return RenumberSections(enabled=True)


def _remove_tags(lang: str) -> set[str]:
    from ..labels import LANGS

    return set(REMOVE_TAGS) | (set(LANGS) - {lang})


def _nav(lang: str, sources: bool, index: bool = True, other: tuple[str, str] | None = None) -> str:
    """The links above and below every page: the front page, the sources, and (``other``: its language and
    the front page's href) the same report in the other language."""
    links = []
    if index:
        links.append(f'<a href="index.html">{_e(_t("nav_index", lang))}</a>')
    if sources:
        links.append(f'<a href="sources.html">{_e(_t("nav_sources", lang))}</a>')
    if other:
        links.append(f'<a href="{_e(other[1])}" hreflang="{_e(other[0])}">{_e(_t(f"nav_lang_{other[0]}", lang))}</a>')
    return " ".join(links)


#: prose of a report cell beyond this many characters (after its heading and first paragraph) is folded
FOLD_AFTER = 240


def _blocks(text: str) -> list[str]:
    """A markdown text's blocks (paragraphs, lists, tables, fenced code), as written, without blank lines between."""
    blocks, cur, fence = [], [], False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not line.strip() and not fence:
            if cur:
                blocks.append("\n".join(cur))
                cur = []
            continue
        cur.append(line)
    if cur:
        blocks.append("\n".join(cur))
    return blocks


def fold_prose(text: str, summary: str, after: int = FOLD_AFTER) -> str:
    r"""A report cell's markdown with its heading and first paragraph shown and the rest folded
    (``<details>``) when the rest is longer than ``after`` characters: a section page shows results, and
    the method and definitions stay one click away.

    >>> print(fold_prose("## 3 Trend\n\nFirst.\n\n" + "More. " * 60, "How to read it"))  # doctest: +ELLIPSIS
    ## 3 Trend
    <BLANKLINE>
    First.
    <BLANKLINE>
    <details class="csa-more"><summary>How to read it</summary>
    <BLANKLINE>
    More. More. ...
    <BLANKLINE>
    </details>
    >>> fold_prose("Short.", "How to read it")
    'Short.'
    """
    blocks = _blocks(text)
    keep = 2 if blocks and blocks[0].lstrip().startswith("#") else 1
    rest = blocks[keep:]
    if sum(len(b) for b in rest) <= after:
        return text
    shown = "\n\n".join(blocks[:keep])
    folded = "\n\n".join(rest)
    return f'{shown}\n\n<details class="csa-more"><summary>{_e(summary)}</summary>\n\n{folded}\n\n</details>'


#: parameters whose value is a KPI parameter's choice, shown in that choice's words: notebook name → (KPI, param)
_WORDED = {"fcr_definition": ("fcr", "definition"), "easy_end": ("ces", "easy_end"),
           "same_period": ("churn", "same_period")}


def param_words(name: str, value: Any, lang: str) -> str:
    """A notebook parameter's value as a reader should see it on a report page, instead of its name.

    >>> param_words("min_n", 30, "en"), param_words("fcr_definition", "one_touch", "en")
    ('30', 'one touch, not reopened')
    >>> param_words("highlight", "", "ja")
    'なし'
    >>> param_words("sla_targets", "urgent:1, high:4", "en")
    'urgent 1 h, high 4 h'
    >>> param_words("business_clock", "09:00-18:00, JP, 12-29..01-03", "en")
    'business hours 09:00–18:00, public holidays of Japan off, closed 29 Dec – 3 Jan'
    """
    from ..kpi import KPIS

    if name in _WORDED:
        kpi, param = _WORDED[name]
        p = KPIS[kpi].params.get(param)
        if p is not None and value in p.words:
            return p.word(value, lang)
    if name == "sla_targets" and isinstance(value, str) and ":" in value:  # "urgent:1, high:4" → "urgent 1 h, …"
        from ..labels import t as label

        pairs = [x.split(":", 1) for x in value.split(",") if ":" in x]
        return _t("list_sep", lang).join(
            _t("sla_target", lang, priority=label(f"priority_{k.strip()}", lang, "support").lower()
               if lang == "en" else label(f"priority_{k.strip()}", lang, "support"), hours=v.strip())
            for k, v in pairs)
    if name == "business_clock" and isinstance(value, str) and value.strip():  # "09:00-18:00, JP, 12-29..01-03"
        from ..businesstime import closed_words

        hours, *rest = [x.strip() for x in value.split(",")]
        country = rest[0] if rest and rest[0].isalpha() else ""
        closed = ", ".join(rest[1:] if country else rest)
        return _t("clock_words", lang, hours=hours.replace("-", "–"),
                  holidays=_t("clock_holidays", lang, country=_country(country, lang))
                  if country and country.lower() != "none" else "",
                  closed=_t("clock_closed", lang, days=closed_words(closed, lang)) if closed else "")
    if value is None or value == "":
        return _t("param_none", lang)
    if isinstance(value, bool):
        return _t("param_yes" if value else "param_no", lang)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _country(code: str, lang: str) -> str:
    from ..labels import t as label

    return label(f"country_{code}", lang, "support").removeprefix("country_")


_TICKED = re.compile(r"`([a-z][a-z0-9_]*)`")


def _report_prose(text: str, params: dict[str, Any], lang: str) -> str:
    """A report cell's markdown with each `` `parameter` `` the notebook ran with written as its value in words."""
    return _TICKED.sub(lambda m: param_words(m[1], params[m[1]], lang) if m[1] in params else m[0], text)


def _fold_preprocessor(lang: str, params: dict[str, Any] | None = None):
    from nbconvert.preprocessors import Preprocessor

    summary = _t("fold_summary", lang)
    params = dict(params or {})

    class FoldProse(Preprocessor):
        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type == "markdown":
                if params:
                    cell.source = _report_prose(cell.source, params, lang)
                if "report-show" not in cell.metadata.get("tags", []):
                    cell.source = fold_prose(cell.source, summary)
            return cell, resources

    return FoldProse(enabled=True)


def _html(executed, target: Path, *, lang: str = "en", title: str | None = None, nav: str = "",
          params: dict[str, Any] | None = None) -> None:
    """Export ``executed`` (a path or an ``nbformat`` node) as a code-free, offline page in ``lang``; the
    parameters it ran with (``params``) are written as their values where the prose names them."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(executed, as_version=4) if isinstance(executed, str | os.PathLike) else executed
    if title:
        nb.metadata["title"] = title  # the lab template's <title>
    templates = resources.files("csa") / "report_templates"  # csa/report_templates
    exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(templates)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            language_code=lang)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=_remove_tags(lang), enabled=True),
                                   enabled=True)
    exporter.register_preprocessor(_renumber_preprocessor(), enabled=True)  # runs after the removal
    exporter.register_preprocessor(_fold_preprocessor(lang, params), enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"csa_nav": nav, "csa_fold_label": _t("fold_cell", lang),
                                                                "csa_chart_alt": _t("chart_alt", lang)})
    target.write_text(phrase_breaks(body) if lang == "ja" else body, encoding="utf-8")


_CELL = re.compile(r"(<t[dh]\b[^>]*>)(.*?)(</t[dh]>)", re.S)
_TAG = re.compile(r"(<[^>]*>)")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def phrase_breaks(page: str) -> str:
    """Japanese table cells with a line-break opportunity (``<wbr>``) between phrases (BudouX's parser).

    The pages keep Japanese words whole in tables (``word-break: keep-all``, so that a number or a word is
    never cut in two); without a break between phrases, a long cell could then only wrap at punctuation and
    a wide table ran off the page. Only the text of ``<td>`` and ``<th>`` cells changes, not their markup.

    >>> phrase_breaks("<td>先月使われた主要機能の数：2</td><td>537,800円</td>")
    '<td>先月<wbr>使われた<wbr>主要機能の<wbr>数：2</td><td>537,800円</td>'
    >>> phrase_breaks('<th><a href="x.html">顧客満足度（CSAT・満足4〜5の割合）</a></th>')
    '<th><a href="x.html">顧客満足度<wbr>（CSAT・満足4〜5の<wbr>割合）</a></th>'
    """
    parser = _parser()

    def text(part: str) -> str:
        if part.startswith("<") or not _JAPANESE.search(part):
            return part
        return "<wbr>".join(html.escape(chunk, quote=False) for chunk in parser.parse(html.unescape(part)))

    def cell(m: re.Match) -> str:
        return m.group(1) + "".join(text(part) for part in _TAG.split(m.group(2))) + m.group(3)

    return _CELL.sub(cell, page)


@functools.cache
def _parser():
    import budoux

    return budoux.load_default_japanese_parser()


_CSS = """
body{font-family:"Hiragino Sans","Yu Gothic","Meiryo","Noto Sans CJK JP",system-ui,sans-serif;
 color:#1f2328;line-height:1.55;max-width:64em;margin:1.5em auto;padding:0 1.2em}
h1{font-size:1.6em;margin:.4em 0 .3em}h2{font-size:1.25em;margin:1.6em 0 .5em;
 border-bottom:1px solid #d0d7de;padding-bottom:.2em}
nav.csa-nav{padding:.4em 0;margin-bottom:1em;border-bottom:1px solid #d0d7de}
nav.csa-nav.csa-nav-bottom{margin:2em 0 0;border-bottom:none;border-top:1px solid #d0d7de}
nav.csa-nav a{margin-right:1.5em}
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{padding:.35em .8em;text-align:left;border-bottom:1px solid #d0d7de;vertical-align:top}
th{background:#f6f8fa;font-weight:600;white-space:nowrap}td.nowrap{white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.meta{color:#57606a}.warn{color:#9a6700;white-space:nowrap}
.failed{background:#ffebe9;border:1px solid #ff8182;padding:.5em .8em;border-radius:6px}
html[lang="ja"] td,html[lang="ja"] th{word-break:keep-all;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
details>summary{cursor:pointer;color:#0969da}
@media print{nav.csa-nav{display:none}table,img{break-inside:avoid}@page{size:A4;margin:14mm}
body{font-size:10pt}.scroll,.csa-sc-wrap{overflow:visible!important}table{font-size:8pt!important}
th,td{padding:.25em .35em!important}th,td.nowrap,td.num,.warn{white-space:normal!important}
details.csa-more>summary{display:none}details.csa-more>*{display:block}}
code{background:#f6f8fa;padding:.1em .3em;border-radius:4px}
"""


def _page(lang: str, title: str, body: str, nav: str = "") -> str:
    """A stand-alone page (index, sources) with the report's CSS; nothing from the network."""
    top = f'<nav class="csa-nav csa-nav-top">{nav}</nav>\n' if nav else ""
    bottom = f'\n<nav class="csa-nav csa-nav-bottom">{nav}</nav>' if nav else ""
    return f"""<!DOCTYPE html>
<html lang="{_e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{_e(title)}</title>
<style>{_CSS}</style>
</head>
<body>
{top}{body}{bottom}
</body>
</html>
"""


def _sources_file(lang: str) -> tuple[Path, str] | None:
    """The sources summary to publish (``SOURCES.<lang>.md`` if there is one) and its language."""
    folder = notebooks_dir()
    own = folder / f"SOURCES.{lang}.md"
    if own.is_file():
        return own, lang
    plain = folder / SOURCES_FILE
    return (plain, "en") if plain.is_file() else None


def _sources_page(src: Path, text_lang: str, lang: str, period: str) -> str:
    import mistune

    render = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
    body = render(src.read_text(encoding="utf-8"))
    note = ""
    if text_lang != lang:
        note = f'<p class="meta">{_e(_t("sources_other_language", lang))}</p>\n'
        body = f'<div lang="{_e(text_lang)}">\n{body}</div>'
    title = _t("page_title", lang, title=_t("sources_title", lang), period=period)
    return _page(lang, title, note + body, nav=_nav(lang, sources=False))


def _first_heading(nb: Path, lang: str) -> str:
    """The first ``# `` heading of a cell the ``lang`` page keeps, else the file's stem."""
    import nbformat

    drop = _remove_tags(lang) - {"lesson"}  # a title may sit in a lesson cell, never in the other language
    for cell in nbformat.read(nb, as_version=4).cells:
        if cell.cell_type == "markdown" and not drop & set(cell.metadata.get("tags", [])):
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return nb.stem


def _titles(nbs: list[Path], lang: str) -> dict[Path, str]:
    """Each notebook's title in ``lang``: from the notebooks index, else its first ``# `` heading."""
    from ..catalog import notebooks

    try:
        index = {e.ipynb.resolve(): e for e in notebooks()}
    except FileNotFoundError:  # --notebook without a notebooks index (an installed package)
        index = {}
    out = {}
    for nb in nbs:
        e = index.get(nb.resolve())
        out[nb] = e.title_in(lang) if e is not None else _first_heading(nb, lang)
    return out
