"""``csa report``: run the report notebooks with papermill and publish code-free HTML.

The report sections are the notebooks marked ``report: true`` in ``notebooks/index.yaml`` (see
:mod:`csa.catalog`), in index order; ``--notebook PATH`` runs other notebooks instead. For each
section: the executed notebook and an HTML page without code, plus

* ``<notebook>.headline.json``: the headline records the notebook published (see
  :mod:`csa.headline`), when it published any;
* ``<notebook>.<list>.csv``: every list the notebook showed with :data:`TABLE_MIMETYPE` (e.g. the
  NPS follow-up lists), whole, linked under the table on the page and from the index;
* ``index.html``: a one-page summary of the headline records, then the sections with their
  status, run time, links and lists;
* ``sources.html``: ``notebooks/SOURCES.<lang>.md`` (else ``SOURCES.md``), the source articles, rendered;
* ``manifest.json``: format marker, parameters, input files with SHA-256, package versions, per
  notebook its status, duration, the parameters it ran with (its defaults included) and headline
  records, and ``files``: every other file of the report with its size and SHA-256.

Every page is in the report's language (``--lang``): markdown cells tagged with the other
language (``en`` / ``ja``) are left out, as are cells tagged ``lesson``, ``parameters``,
``injected-parameters`` and ``report-hide``; numbered sections (``## 3 …``) are renumbered
1, 2, 3 … over the cells kept; the words of index, sources page and navigation come from
``csa/labels/report.yaml``. Pages load nothing from the network (``report_templates/csa_report``
empties the lab template's CDN scripts) and link to each other with relative links.

Parameters
----------
Parameters are checked against each notebook's ``parameters`` cell before anything runs: a name
a notebook does not declare is refused (papermill itself would only log a warning); values are
converted to the type of the notebook's default, never guessed. Parameters that have their own
flag (``--data``, ``--period``, ``--lang``, ``--freq``, ``--mapping``, ``--tz``) are refused with
``-p``: the flag checks the value.

A parameter may declare what it allows at the **end of its comment** in the parameters cell
(see :func:`allowed_values`)::

    top_n = 10        # rows shown in each follow-up list [1, 1000]
    level = 0.95      # confidence level of every interval (0, 1)
    min_n = 30        # groups with fewer responses are flagged [1, inf)
    lang = "en"       # language of the report {en, ja}

``[a, b]`` is a closed range, ``(a, b)`` an open one (mix them: ``[0, 1)``), ``inf`` / ``-inf``
leave a side unbounded; ranges apply to ``int`` and ``float`` parameters. ``{a, b, c}`` lists
the allowed values (quote one to keep spaces or an empty text: ``{"", smb}``). Every value a
notebook would run with, flag or ``-p`` or its default, is checked; a refusal names the notebook,
the parameter, the value and what is allowed. A parameter without such a comment takes any value
of its type.

Lists as CSV
------------
A notebook output holding :data:`TABLE_MIMETYPE` (``{"name": "detractors", "title": …,
"columns": [...], "rows": [[...], ...]}``; see :class:`csa.views.nps.FollowupList`) becomes
``<notebook>.<name>.csv``: UTF-8 with a BOM (Excel opens Japanese correctly), and a text cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so that
a spreadsheet shows it as text instead of running it as a formula (numbers stay numbers).

The report folder (``--out``)
-----------------------------
*Ownership by content.* ``--out`` is replaced only when it is empty or a report this package
wrote: its ``manifest.json`` carries ``"format": "csa-report"`` and a ``format_version`` this
version reads (:data:`READABLE_VERSIONS`). Anything else is refused with the reason: a file, a
folder without a manifest, a manifest that is not valid JSON or not a JSON object (the message
names the file), another format or a newer version. A report folder holding a file the report
did not write (your notes, ``.ipynb_checkpoints``) or a report file changed since (its SHA-256
differs) is refused too, naming the files: the report never deletes a file it did not write,
so move them elsewhere first. Only the view-state files of file managers (:data:`DISPOSABLE`:
``.DS_Store``, ``Thumbs.db``, ``desktop.ini``) are removed with the folder.

*Atomic publication.* The report is built in a hidden sibling ``.<out>.csa-build-…``; when it is
complete it is swapped with ``--out`` in one step, so that at every instant ``--out`` holds the
complete old report or the complete new one, even if the run is killed:

* on Linux, ``renameat2(RENAME_EXCHANGE)`` (through ``ctypes``) swaps the two folders; ``--out``
  stays a plain folder;
* where that is not available (another system, a file system without it, or
  ``CSA_REPORT_SWAP=symlink``), ``--out`` becomes a symbolic link to a versioned sibling
  ``.<out>.csa-v-…`` and the link is replaced with one atomic ``rename``. Turning an existing plain
  ``--out`` folder into such a link takes two renames: for that one moment ``--out`` is missing
  while the old report sits in ``.<out>.csa-old-…``, which the next run restores if the run was
  killed right then.

The earlier report is then deleted file by file, only the files its manifest lists.

*One run at a time.* A run holds an exclusive lock (``fcntl.flock``) on ``.<out>.csa-lock`` beside
``--out`` from its checks to its end; a second run for the same ``--out`` is refused at once with
the process id of the first. The lock file stays (removing it would race with a starting run).

*Leftovers.* A killed run can leave hidden siblings (the build folder, the kernel connection
files in ``.<out>.csa-run-…``, an old version); the next run removes them, under the lock,
before it starts. SIGINT and SIGTERM end ``csa report`` with one line (exit 130 / 143) after the
same clean-up; the old report stays in place.

*Failures.* A failing notebook is reported with its error and kept, the others still run, and
the exit code is non-zero; if an earlier complete report exists it stays in place and the
failed run is published as ``<out>.failed`` instead. Inputs (data files, mapping) are hashed
before and after the notebooks run; if one changed meanwhile the report is marked incomplete.

Speed
-----
The data folder is loaded and validated **once**, in this process, with the ``tz`` and
``mapping`` most notebooks use, and stored in the dataset cache (:mod:`csa.cache`: Parquet in the
run's private folder ``.<out>.csa-run-…``, removed with it); :data:`csa.cache.ENV` names it for
the kernels (they inherit the environment) and for the front page, whose ``csa.load`` then reads
it instead of validating again. This process frees its copy before the notebooks start. Data
that does not validate is not cached: each section then reports the problems as before.

The notebooks run ``jobs`` at a time (``--jobs``; default one per core, fewer when the memory
free would not hold that many kernels, each with its copy of the data: see :func:`_jobs`), each
in a worker thread with its own kernel; long ones start first (by the times of the earlier report in
``--out``, else by the typical times in the notebooks index). The manifest and the index keep the
index order, a failing notebook fails only its section, and Ctrl-C or SIGTERM stops every kernel
before the run's folders are removed.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import gc
import html
import json
import os
import queue
import re
import secrets
import shutil
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from .cache import _sha256  # one file hash for the cache key and the manifest
from .catalog import notebooks_dir

__all__ = ["DISPOSABLE", "FLAG_PARAMETERS", "FORMAT", "FORMAT_VERSION", "READABLE_VERSIONS", "REMOVE_TAGS",
           "TABLE_MIMETYPE", "Allowed", "NotAReport", "ReportBusy", "add_parser", "allowed_values",
           "build_parameters", "csv_cell", "declared_parameters", "notebooks_dir", "read_report",
           "renumber_sections", "report_notebooks", "run_report", "write_csv"]

FORMAT, FORMAT_VERSION = "csa-report", 3
#: Manifest versions this version recognises as its own reports (2: no ``files`` list yet).
READABLE_VERSIONS = (2, 3)
#: View-state files of file managers: not user content, removed with a report folder.
DISPOSABLE = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
#: A notebook output with this key carries a whole list for the report's CSV (see the module docstring).
TABLE_MIMETYPE = "application/vnd.csa.table+json"
#: Cells with these tags are left out of every report page (the other language's tag is added).
REMOVE_TAGS = frozenset({"lesson", "parameters", "injected-parameters", "report-hide"})
#: Notebook parameters set by a checked flag of ``csa report``; ``-p`` may not set them.
FLAG_PARAMETERS = {"data_dir": "--data", "period": "--period", "lang": "--lang", "freq": "--freq",
                   "mapping": "--mapping", "tz": "--tz", "registry": "--registry", "engine": "--engine"}
#: Passed to every notebook, which must declare them.
REQUIRED_PARAMETERS = ("data_dir", "period", "lang", "freq")
#: Passed only to the notebooks that declare them (a notebook may not read a mapping).
OPTIONAL_PARAMETERS = ("mapping", "tz", "registry", "engine")
SOURCES_FILE = "SOURCES.md"
VERSIONS = ("csa", "pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert")
TEMPLATE = "csa_report"
LABELS = "report"


def report_notebooks() -> list[Path]:
    """The report sections of the notebooks index (``report: true``), in report order."""
    from .catalog import notebooks

    return [e.ipynb for e in notebooks(report=True)]


# ------------------------------------------------------------------------------- parameters

_NUMBER = r"[+-]?(?:inf|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
_RANGE = re.compile(rf"([\[(])\s*({_NUMBER})\s*,\s*({_NUMBER})\s*([\])])\s*$")
_SET = re.compile(r"\{([^{}]*)\}\s*$")


@dataclass(frozen=True)
class Allowed:
    """What a parameter allows: a range of numbers or a set of values (see :func:`allowed_values`)."""

    text: str  # as written in the comment, e.g. "[1, 1000]" or "{en, ja}"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    values: tuple[Any, ...] | None = None

    def admits(self, value: Any) -> bool:
        """True if ``value`` is allowed."""
        if self.values is not None:
            return any(type(value) is type(v) and value == v for v in self.values)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return bool(above and below)  # False for NaN

    def __str__(self) -> str:
        if self.values is not None:
            return "one of " + ", ".join(repr(v) if v == "" else str(v) for v in self.values)
        return self.text


def _unquote(item: str) -> str:
    item = item.strip()
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "\"'":
        return item[1:-1]
    return item


def allowed_values(comment: str, type_name: str) -> Allowed | None:
    """What a parameter allows, from the end of its comment in the parameters cell; ``None``: anything.

    ``type_name`` is the type of the parameter's default (``"int"``, ``"float"``, ``"str"`` …).
    A range (``[a, b]``, ``(a, b)``, ``[a, b)``, ``(a, inf)`` …) is read for ``int`` and
    ``float`` parameters only, so a text parameter's comment may end in parentheses; a set
    (``{a, b}``) is read for any type, its items converted to the parameter's type.

    >>> allowed_values("rows shown [1, 1000]", "int").admits(0)
    False
    >>> str(allowed_values("language {en, ja}", "str"))
    'one of en, ja'
    >>> allowed_values("month or quarter (April start, 年度)", "str") is None
    True
    >>> a = allowed_values("confidence level (0, 1)", "float")
    >>> a.admits(0.95), a.admits(1.0), a.admits(float("nan"))
    (True, False, False)
    """
    comment = comment or ""
    m = _SET.search(comment)
    if m:
        items = [_unquote(i) for i in m[1].split(",")]
        if type_name in ("int", "float"):
            conv = int if type_name == "int" else float
            try:
                values = tuple(conv(i) for i in items)
            except ValueError:
                raise ValueError(f"the allowed values {m[0].strip()} are not all {type_name}s") from None
        else:
            values = tuple(items)
        return Allowed(m[0].strip(), values=values)
    m = _RANGE.search(comment)
    if m and type_name in ("int", "float"):
        low, high = float(m[2]), float(m[3])
        if low > high:
            raise ValueError(f"the range {m[0].strip()} is empty (its lower bound is above its upper bound)")
        return Allowed(m[0].strip(), low=low, high=high, low_open=m[1] == "(", high_open=m[4] == ")")
    return None


def declared_parameters(nb: Path) -> dict[str, dict[str, Any]]:
    """Parameters a notebook declares: ``{name: {"type", "default", "help", "allowed"}}``.

    ``type`` is the type name of the default (``"str"``, ``"int"`` …), ``help`` the comment of
    its line and ``allowed`` an :class:`Allowed` read from that comment, or ``None``.
    """
    import ast

    import papermill

    out = {}
    for k, v in papermill.inspect_notebook(str(nb)).items():
        try:  # papermill gives the default's source text; its type is the literal's type
            default = ast.literal_eval(v.get("default") or "None")
        except (ValueError, SyntaxError):
            default = v.get("default")
        type_name = type(default).__name__
        comment = v.get("help") or ""
        try:
            allowed = allowed_values(comment, type_name)
        except ValueError as exc:
            raise ValueError(f"{nb.name}: parameter {k}: {exc}") from None
        out[k] = {"type": type_name, "default": default, "help": comment, "allowed": allowed}
    return out


def _typed(name: str, value: Any, type_name: str, nb: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            low = value.strip().lower()
            if low not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return low in ("true", "1", "yes")
    except ValueError:
        raise ValueError(f"parameter {name}={value!r}: {nb} expects a {type_name}") from None
    return value  # str (and anything else) stays the text given


def _refusal(nb: str, name: str, value: Any, allowed: Allowed, flag: str | None) -> str:
    how = f"{flag} " if flag else f"-p {name} "
    return f"{nb}: {name} = {value!r} is not allowed: {nb} takes {allowed} (give {how}a value in that range)" \
        if allowed.values is None else \
        f"{nb}: {name} = {value!r} is not allowed: {nb} takes {allowed} (give {how}one of them)"


def build_parameters(nb: Path, given: dict[str, Any], *,
                     declared: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """``given`` checked against and typed by the notebook's parameters cell.

    Refused, naming the notebook: a name it does not declare, a value of the wrong type, a value
    outside what the parameter's comment allows, and a default outside it (a notebook bug).
    """
    declared = declared_parameters(nb) if declared is None else declared
    if not declared:
        raise ValueError(f"{nb.name} has no cell tagged 'parameters'")
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValueError(f"{nb.name} does not declare the parameter(s) {', '.join(unknown)}; "
                         f"it declares: {', '.join(declared)}")
    typed = {k: _typed(k, v, declared[k]["type"], nb.name) for k, v in given.items()}
    problems = []
    for k, d in declared.items():
        allowed = d.get("allowed")
        if allowed is None:
            continue
        if k in typed:
            if not allowed.admits(typed[k]):
                problems.append(_refusal(nb.name, k, typed[k], allowed, FLAG_PARAMETERS.get(k)))
        elif not allowed.admits(d["default"]):
            problems.append(f"{nb.name}: the default {k} = {d['default']!r} is outside what its comment allows "
                            f"({allowed}): fix the notebook's parameters cell")
    if problems:
        raise ValueError("; ".join(problems))
    return typed


def _effective(declared: dict[str, dict[str, Any]], typed: dict[str, Any]) -> dict[str, Any]:
    """Every parameter the notebook runs with: its defaults, overridden by what was given."""
    return {k: typed.get(k, d["default"]) for k, d in declared.items()}


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for pkg in VERSIONS:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _t(key: str, lang: str, **fmt) -> str:
    from .labels import t

    return t(key, lang, LABELS, **fmt)


def _e(x: Any) -> str:
    return html.escape(str(x))


# ---------------------------------------------------------------------------------------- pages

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
    from .labels import LANGS

    return set(REMOVE_TAGS) | (set(LANGS) - {lang})


def _nav(lang: str, sources: bool, index: bool = True) -> str:
    links = []
    if index:
        links.append(f'<a href="index.html">{_e(_t("nav_index", lang))}</a>')
    if sources:
        links.append(f'<a href="sources.html">{_e(_t("nav_sources", lang))}</a>')
    return " ".join(links)


def _html(executed, target: Path, *, lang: str = "en", title: str | None = None, nav: str = "") -> None:
    """Export ``executed`` (a path or an ``nbformat`` node) as a code-free, offline page in ``lang``."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(executed, as_version=4) if isinstance(executed, str | os.PathLike) else executed
    if title:
        nb.metadata["title"] = title  # the lab template's <title>
    templates = resources.files(__package__) / "report_templates"
    exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(templates)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            language_code=lang)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=_remove_tags(lang), enabled=True),
                                   enabled=True)
    exporter.register_preprocessor(_renumber_preprocessor(), enabled=True)  # runs after the removal
    body, _ = exporter.from_notebook_node(nb, resources={"csa_nav": nav})
    target.write_text(body, encoding="utf-8")


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


# ---------------------------------------------------------------------------------- index.html

_MINUS = "\u2212"


def _fmt(x: float | None, *, signed: bool = False, digits: int = 1) -> str:
    """``x`` with ``digits`` decimals, thousands separators and a real minus sign (−12.4, +3.1)."""
    if x is None:
        return "—"
    text = f"{abs(x):,.{digits}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return (_MINUS if x < 0 else "+" if signed else "") + text


_UNIT_KEYS = {"points": "unit_points", "%": "unit_pct", "minutes": "unit_minutes", "hours": "unit_hours",
              "JPY": "unit_jpy", "count": "unit_count", "score": "unit_score"}


def _with_unit(v: str, unit: str, lang: str, *, change: bool = False) -> str:
    key = "unit_pct_change" if change and unit == "%" else _UNIT_KEYS.get(unit)
    if key == "unit_jpy" and v[:1] in ("+", _MINUS):  # +¥534, not ¥+534
        return v[0] + _t(key, lang, v=v[1:])
    return _t(key, lang, v=v) if key else f"{v} {unit}"


def _p_value(p: float | None) -> str:
    if p is None:
        return "—"
    if p < 0.001:
        return "<\u00a00.001"  # no-break spaces: "p = 0.41" stays on one line
    return f"=\u00a0{p:.3f}" if p < 0.01 else f"=\u00a0{p:.2f}"


def _interval(low, high, *, signed: bool = False, digits: int = 1, unit: str = "", lang: str = "en") -> str:
    """``[low, high]``; money with its sign (``[¥1,200, ¥3,400]``), other units said by the column."""
    if low is None or high is None:
        return "—"
    a, b = _fmt(low, signed=signed, digits=digits), _fmt(high, signed=signed, digits=digits)
    if unit == "JPY":
        a, b = _with_unit(a, unit, lang), _with_unit(b, unit, lang)
    return f"[{a}, {b}]"


#: decimals shown per unit (money and counts are whole; everything else one decimal)
_DIGITS = {"JPY": 0, "count": 0}


def _summary(records: list[dict[str, Any]], lang: str) -> str:
    if not records:
        return f'<p class="meta">{_e(_t("no_headlines", lang))}</p>'
    levels = {r["level"] for r in records}
    one_level = len(levels) == 1
    head = _t("interval", lang, level=levels.pop()) if one_level else _t("col_interval", lang)
    rows = []
    for r in records:
        signed = r["unit"] == "points"
        digits = _DIGITS.get(r["unit"], 1)
        value = "—" if r["value"] is None else _with_unit(_fmt(r["value"], signed=signed, digits=digits), r["unit"],
                                                          lang)
        ci = _interval(r["low"], r["high"], signed=signed, digits=digits, unit=r["unit"], lang=lang)
        if not one_level and r["low"] is not None:
            ci = _t("interval_at", lang, interval=ci, level=r["level"])
        ch = r.get("change")
        if ch is None:
            change = _t("no_comparison", lang)
        else:
            diff = "—" if ch["diff"] is None else _with_unit(_fmt(ch["diff"], signed=True, digits=digits), r["unit"],
                                                            lang, change=True)
            if ch["low"] is None and ch["p_value"] is None:  # a change without a test (e.g. cost per incident)
                change = _t("change_cell_plain", lang, diff=diff, vs=ch["vs"])
            else:
                between = _interval(ch["low"], ch["high"], signed=True, digits=digits, unit=r["unit"], lang=lang)
                change = _t("change_cell", lang, diff=diff, interval=between, vs=ch["vs"],
                            p=_p_value(ch["p_value"]))
        warn = _t("small_n_mark", lang, min_n=r["min_n"]) if r["small_n"] else ""
        title = r["title"].get(lang) or r["title"].get("en") or r["kpi"]
        rows.append(f"<tr><td>{_e(title)}</td><td class=\"nowrap\">{_e(r['period'])}</td>"
                    f"<td class=\"num\">{_e(value)}</td><td class=\"num\">{_e(ci)}</td>"
                    f"<td class=\"num\">{r['n']:,}</td><td>{_e(change)}</td>"
                    f"<td class=\"warn\">{_e(warn)}</td></tr>")
    cols = [_t("col_kpi", lang), _t("period", lang), _t("value", lang), head, _t("n", lang),
            _t("col_change", lang), _t("col_note", lang)]
    header = "".join(f"<th>{_e(c)}</th>" for c in cols)
    return f'<table class="summary">\n<tr>{header}</tr>\n' + "\n".join(rows) + "\n</table>"


def _sections(entries: list[dict[str, Any]], lang: str) -> str:
    rows = []
    for nb in entries:
        ok = nb["status"] == "ok"
        status = _t("status_ok", lang) if ok else _t("status_failed", lang, error=nb.get("error") or "")
        title = _e(nb["title"])
        link = f'<a href="{_e(nb["html"])}">{title}</a>' if nb.get("html") else title
        lists = "<br>".join(f'<a href="{_e(x["file"])}">{_e(_t("list_link", lang, title=x["title"], n=x["rows"]))}'
                            "</a>" for x in nb.get("lists", []))
        rows.append(f"<tr><td>{link}</td><td>{_e(status)}</td>"
                    f"<td class=\"num\">{_e(_t('seconds', lang, s=nb['seconds']))}</td>"
                    f'<td><a href="{_e(nb["notebook"])}">{_e(_t("notebook_link", lang))}</a></td>'
                    f"<td>{lists}</td></tr>")
    cols = [_t("col_section", lang), _t("col_status", lang), _t("col_time", lang), _t("col_notebook", lang),
            _t("col_lists", lang)]
    header = "".join(f"<th>{_e(c)}</th>" for c in cols)
    return f'<table class="sections">\n<tr>{header}</tr>\n' + "\n".join(rows) + "\n</table>"


def _shown_path(path: str | os.PathLike, report_dir: Path) -> str:
    """``path`` as seen from the report folder (relative), else its name: never a machine's absolute path."""
    p = Path(path)
    try:
        return Path(os.path.relpath(p, report_dir)).as_posix()
    except ValueError:  # another drive (Windows)
        return p.name


def _index(manifest: dict, report_dir: Path, *, sources: bool = True, scorecard: str = "") -> str:
    p = manifest["parameters"]
    lang, period = p.get("lang", "en"), str(p["period"])
    title = _t("report_title", lang, period=period)
    colon = _e(_t("colon", lang))
    meta = [f"{_e(_t('data_folder', lang))}{colon}<code>{_e(_shown_path(p['data_dir'], report_dir))}</code>"]
    if manifest.get("mapping"):
        meta.append(f"{_e(_t('mapping_file', lang))}{colon}<code>{_e(manifest['mapping']['file'])}</code>")
    if p.get("tz"):
        meta.append(f"{_e(_t('time_zone', lang))}{colon}{_e(p['tz'])}")
    if p.get("engine"):
        meta.append(f"{_e(_t('engine', lang))}{colon}{_e(p['engine'])}")
    meta.append(f"{_e(_t('period_type', lang))}{colon}{_e(_t(p.get('freq', 'month'), lang))}")
    when = manifest["generated_at"].replace("T", " ").replace("+00:00", "")
    meta.append(_e(_t("generated", lang, when=when, version=manifest["versions"].get("csa", "?"))))
    records = [r for nb in manifest["notebooks"] for r in nb.get("records", [])]
    manifest_link = '<a href="manifest.json">manifest.json</a>'
    note = _e(_t("manifest_note", lang, manifest="\0")).replace("\0", manifest_link)
    failed = "" if manifest.get("ok") else f'<p class="failed">{_e(_t("incomplete", lang))}</p>\n'
    if manifest.get("changed_inputs"):
        changed = _t("inputs_changed", lang, files=", ".join(manifest["changed_inputs"]))
        failed += f'<p class="failed">{_e(changed)}</p>\n'
    body = f"""<h1>{_e(title)}</h1>
<p class="meta">{" · ".join(meta)}</p>
{failed}{_scorecard_block(scorecard, lang)}<h2>{_e(_t("summary_heading", lang))}</h2>
{_summary(records, lang)}
<h2>{_e(_t("sections_heading", lang))}</h2>
{_sections(manifest["notebooks"], lang)}
<p class="meta">{note}</p>"""
    nav = _nav(lang, sources=sources, index=False)
    return _page(lang, title, body, nav=nav)


def _scorecard_block(fragment: str, lang: str) -> str:
    """The front page's scorecard (an HTML fragment built and escaped by :mod:`csa.scorecard`)."""
    return f'<h2>{_e(_t("scorecard_heading", lang))}</h2>\n{fragment}\n' if fragment else ""


# ---------------------------------------------------------------------------------- lists (CSV)

_LIST_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """``value`` as CSV text that a spreadsheet shows and never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'``; numbers are written as they are (``-2`` stays a number); ``None`` is an empty cell.

    >>> [csv_cell(v) for v in ("=1+1", "-2", "@SUM(A1)", "+81 3", "ok", "北海道", -2, 1.5, None)]
    ["'=1+1", "'-2", "'@SUM(A1)", "'+81 3", 'ok', '北海道', '-2', '1.5', '']
    """
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "" if value != value else str(value)  # NaN: empty
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(path: Path, columns: list[str], rows: list[list[Any]]) -> None:
    """A list as CSV for spreadsheets: UTF-8 with a BOM, CRLF line ends, every cell through :func:`csv_cell`."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow([csv_cell(c) for c in columns])
        w.writerows([csv_cell(v) for v in row] for row in rows)


def _list_payload(data: Any) -> dict[str, Any]:
    """A :data:`TABLE_MIMETYPE` payload, checked; a ValueError says what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError(f"a list output ({TABLE_MIMETYPE}) is not a JSON object")
    name = data.get("name")
    if not isinstance(name, str) or not _LIST_NAME.match(name):
        raise ValueError(f"list name {name!r}: use lowercase letters, digits, '-' and '_' (up to 40)")
    cols, rows = data.get("columns"), data.get("rows")
    if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
        raise ValueError(f"list {name}: 'columns' is not a list of column names")
    if not isinstance(rows, list) or any(not isinstance(r, list) or len(r) != len(cols) for r in rows):
        raise ValueError(f"list {name}: 'rows' is not a list of rows of {len(cols)} cells")
    if any(v is not None and not isinstance(v, str | int | float) for r in rows for v in r):
        raise ValueError(f"list {name}: a cell is not text, a number or empty")
    title = data.get("title")
    return {"name": name, "title": title if isinstance(title, str) and title else name, "columns": cols,
            "rows": rows}


def _write_lists(nb, stem: str, folder: Path, lang: str) -> list[dict[str, Any]]:
    """Write every list of the executed notebook ``nb`` as ``<stem>.<name>.csv`` into ``folder``.

    The link to the file is added under the list's table in ``nb`` (the node the page is made
    from; the executed notebook file is not changed). Returns the lists' manifest entries.
    """
    out: list[dict[str, Any]] = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = o.get("data", {})
            if TABLE_MIMETYPE not in data:
                continue
            t = _list_payload(data[TABLE_MIMETYPE])
            if any(x["name"] == t["name"] for x in out):
                raise ValueError(f"two lists named {t['name']!r}")
            file = f"{stem}.{t['name']}.csv"
            write_csv(folder / file, t["columns"], t["rows"])
            link = _e(_t("download_csv", lang, n=len(t["rows"]), file="\0"))
            link = link.replace("\0", f'<a href="{_e(file)}" download>{_e(file)}</a>')
            shown = data.get("text/html")
            if shown is None:
                shown = f"<pre>{_e(''.join(data.get('text/plain', '')))}</pre>"
            data["text/html"] = "".join(shown) + f'\n<p class="csa-download">{link}</p>\n'
            out.append({"name": t["name"], "title": t["title"], "file": file, "rows": len(t["rows"])})
    return out


# --------------------------------------------------------------------------- the report folder

class NotAReport(ValueError):
    """``--out`` (or ``<out>.failed``) exists and is not a report this package may replace."""


class ReportBusy(ValueError):
    """Another ``csa report`` run holds the lock of the same ``--out``."""


_ADVICE = "choose another --out (csa report never deletes files it did not write)"
_MAX_MANIFEST = 64 << 20


def _plain_name(x: Any) -> bool:
    return isinstance(x, str) and x not in ("", ".", "..") and not any(c in x for c in "/\\\0")


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _owned(m: dict[str, Any], mf: Path) -> dict[str, str | None]:
    """The files a report wrote: ``{name: sha256}`` (``None`` where a version-2 manifest has no hash)."""
    damaged = NotAReport(f"{mf}: the list of the report's files is missing or damaged, so csa cannot tell its "
                         f"files from yours; {_ADVICE}")
    owned: dict[str, str | None] = {"manifest.json": None}
    if m["format_version"] >= 3:
        files = m.get("files")
        if not isinstance(files, list):
            raise damaged
        for f in files:
            if not (isinstance(f, dict) and _plain_name(f.get("name")) and isinstance(f.get("sha256"), str)):
                raise damaged
            owned[f["name"]] = f["sha256"]
        return owned
    entries = m.get("notebooks", [])  # version 2: the names it wrote follow from its entries
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise damaged
    owned.update({"index.html": None, "sources.html": None})
    for e in entries:
        for key in ("notebook", "html", "headline"):
            if e.get(key) is not None:
                if not _plain_name(e[key]):
                    raise damaged
                owned[e[key]] = None
    return owned


def _json_kind(x: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(x), "null")


def read_report(folder: str | os.PathLike) -> dict[str, Any]:
    """The manifest of the report in ``folder``, else :class:`NotAReport` naming the file and the reason."""
    folder = Path(folder)
    mf = folder / "manifest.json"
    if not mf.is_file() or mf.is_symlink():
        raise NotAReport(f"{folder} is not empty and is not a csa report (no manifest.json); {_ADVICE}")
    if mf.stat().st_size > _MAX_MANIFEST:
        raise NotAReport(f"{mf} is too large to be a csa report manifest; {_ADVICE}")
    try:
        m = json.loads(mf.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotAReport(f"{mf} is not valid JSON ({exc}), so {folder} is not taken for a csa report; "
                         f"{_ADVICE}") from None
    if not isinstance(m, dict):
        raise NotAReport(f"{mf} holds a JSON {_json_kind(m)}, not a csa report manifest (a JSON object with "
                         f'"format": "{FORMAT}"); {_ADVICE}')
    if m.get("format") != FORMAT:
        raise NotAReport(f'{mf} has no "format": "{FORMAT}" marker: {folder} is not a csa report; {_ADVICE}')
    v = m.get("format_version")
    if isinstance(v, bool) or v not in READABLE_VERSIONS:
        raise NotAReport(f"{mf}: format_version {v!r} is not one this csa reads "
                         f"({', '.join(map(str, READABLE_VERSIONS))}): a newer csa may have written it; {_ADVICE}")
    _owned(m, mf)
    return m


class _Target:
    """A report folder (``--out`` or ``<out>.failed``) and the hidden siblings runs use beside it."""

    KINDS = ("build", "run", "probe", "ready", "old", "v", "link")

    def __init__(self, path: str | os.PathLike) -> None:
        p = Path(os.path.abspath(path))
        if p.name in ("", ".", ".."):
            raise ValueError(f"--out {path}: give a folder name, e.g. reports/2026-10")
        self.path = p.parent.resolve() / p.name  # the parent resolved, never the folder itself (a link)
        self.parent, self.name = self.path.parent, self.path.name
        kinds = "|".join(self.KINDS)
        self._ours = re.compile(rf"\.{re.escape(self.name)}\.csa-({kinds})-\d+-[0-9a-f]{{8}}")
        self._legacy = re.compile(rf"\.{re.escape(self.name)}\.(partial|old)-\d+")  # csa before format 3

    @property
    def lock(self) -> Path:
        return self.parent / f".{self.name}.csa-lock"

    def failed(self) -> _Target:
        return _Target(self.parent / f"{self.name}.failed")

    def sibling(self, kind: str) -> Path:
        return self.parent / f".{self.name}.csa-{kind}-{os.getpid()}-{secrets.token_hex(4)}"

    def is_version(self, name: str) -> bool:
        m = self._ours.fullmatch(name)
        return bool(m) and m[1] == "v"

    def leftovers(self) -> list[tuple[str, Path]]:
        out = []
        for name in sorted(os.listdir(self.parent)):
            m = self._ours.fullmatch(name)
            if m:
                out.append((m[1], self.parent / name))
            elif (m := self._legacy.fullmatch(name)) is not None:
                out.append(("build" if m[1] == "partial" else "old", self.parent / name))
        return out


@dataclass
class _Existing:
    folder: Path
    manifest: dict[str, Any] | None  # None: an empty folder (or a link of ours to nothing)

    @property
    def ok(self) -> bool:
        return bool(self.manifest and self.manifest.get("ok"))


def _inspect(target: _Target) -> _Existing | None:
    """What is at ``target``: nothing (``None``), or something csa may replace; else :class:`NotAReport`."""
    out = target.path
    if out.is_symlink():
        dest = os.readlink(out)
        if not target.is_version(dest):
            raise NotAReport(f"{out} is a symbolic link to {dest}, which csa did not make; give a real folder "
                             f"as --out, or {_ADVICE}")
        folder = target.parent / dest
        if not folder.is_dir():
            return _Existing(folder, None)  # our link to a version already gone: replaceable
    elif not out.exists():
        return None
    elif not out.is_dir():
        raise NotAReport(f"{out} is a file, not a report folder; {_ADVICE}")
    else:
        folder = out
    entries = {c.name for c in folder.iterdir()}
    if not entries - DISPOSABLE:
        return _Existing(folder, None)
    m = read_report(folder)
    owned = _owned(m, folder / "manifest.json")
    extra = sorted(n for n in entries - DISPOSABLE
                   if n not in owned or not (folder / n).is_file() or (folder / n).is_symlink())
    if extra:
        raise NotAReport(f"{out} holds {len(extra)} file(s) that csa did not write: {_names(extra)}. csa report "
                         f"never deletes a file it did not write: move them out of {out} and run again, or choose "
                         "another --out")
    changed = sorted(n for n, h in owned.items() if h and (folder / n).is_file() and _sha256(folder / n) != h)
    if changed:
        raise NotAReport(f"{out}: {_names(changed)} changed after csa wrote it (its SHA-256 differs from the "
                         f"manifest's): copy your version out of {out} and run again, or choose another --out")
    return _Existing(folder, m)


@contextlib.contextmanager
def _locked(target: _Target) -> Iterator[None]:
    """Hold the lock of ``target`` (``.<out>.csa-lock`` beside it); :class:`ReportBusy` if another run has it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            if sys.platform == "win32":  # pragma: no cover
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = ""
            with contextlib.suppress(OSError):
                os.lseek(fd, 0, os.SEEK_SET)
                holder = os.read(fd, 200).decode("utf-8", "replace").strip()
            raise ReportBusy(f"another csa report run is writing {target.path}"
                             + (f" ({holder})" if holder else "")
                             + "; wait for it to finish, or choose another --out") from None
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"pid {os.getpid()}, started {datetime.now(UTC).isoformat(timespec='seconds')}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def _discard(path: Path, target: _Target, say: Callable[[str], None]) -> None:
    """Delete a report csa wrote, file by file (only what its manifest lists, the manifest last), then its folder.

    Whatever is left, a file csa did not write, is kept: the folder is renamed ``<out>.kept-<time>``
    beside ``--out`` and the run says so.
    """
    if path.is_symlink():
        dest = os.readlink(path)
        path.unlink()
        if target.is_version(dest):
            _discard(target.parent / dest, target, say)
        return
    if not path.is_dir():
        path.unlink(missing_ok=True)
        return
    try:
        owned = _owned(read_report(path), path / "manifest.json")
    except NotAReport:  # its manifest is gone already (an interrupted removal): what is left is not known
        owned = {}
    for name in [*(n for n in owned if n != "manifest.json"), *DISPOSABLE, "manifest.json"]:
        f = path / name
        if name in owned or name in DISPOSABLE:
            if f.is_file() or f.is_symlink():
                f.unlink()
    try:
        path.rmdir()
    except OSError:
        if not path.exists():
            return
        kept = target.parent / f"{target.name}.kept-{datetime.now().strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        path.rename(kept)
        left = sorted(c.name for c in kept.iterdir())
        say(f"kept {kept}: it holds file(s) csa did not write ({_names(left)})")


def _clean(target: _Target, say: Callable[[str], None]) -> None:
    """Remove what killed runs left beside ``target`` (under its lock); restore a report a run moved away."""
    current = os.readlink(target.path) if target.path.is_symlink() else None
    for kind, path in target.leftovers():
        if kind in ("build", "run", "probe"):  # a partial report, kernel connection files: all written by a run
            shutil.rmtree(path, ignore_errors=True)
            if path.exists():
                raise OSError(f"could not remove {path}, left by an earlier run")
        elif kind == "link":
            path.unlink(missing_ok=True)
        elif kind == "v" and path.name == current:
            continue
        elif kind == "old" and not os.path.lexists(target.path):
            with contextlib.suppress(NotAReport):
                read_report(path)
                path.rename(target.path)  # a run was killed between moving the report away and its successor in
                say(f"restored {target.path} from {path.name}, left by an interrupted run")
                continue
            _discard(path, target, say)
        else:
            _discard(path, target, say)
        if not os.path.lexists(path):
            say(f"removed {path.name}, left by an interrupted run")


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _renameat2():
    """``renameat2`` from the C library (Linux, glibc ≥ 2.28), else ``None``."""
    if not sys.platform.startswith("linux") or os.environ.get("CSA_REPORT_SWAP", "").lower() == "symlink":
        return None
    import ctypes

    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one atomic step; ``False`` where the system or file system cannot."""
    import ctypes

    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _can_exchange(target: _Target) -> bool:
    """Whether the file system of ``target`` swaps folders atomically (tried on two empty folders)."""
    a, b = target.sibling("probe"), target.sibling("probe")
    a.mkdir()
    b.mkdir()
    try:
        return _exchange(a, b)
    finally:
        a.rmdir()
        b.rmdir()


def _publish(ready: Path, target: _Target, say: Callable[[str], None]) -> None:
    """Put the complete report ``ready`` at ``target`` in one atomic step, then delete the one it replaced."""
    out = target.path
    if os.path.lexists(out):
        if _exchange(ready, out):  # ``ready`` now holds the earlier report (or our link to it)
            _discard(ready, target, say)
            return
    elif _can_exchange(target):
        os.rename(ready, out)
        return
    # fallback: --out is a symbolic link to a versioned sibling, replaced with one rename
    version, link = target.sibling("v"), target.sibling("link")
    os.rename(ready, version)
    os.symlink(version.name, link)
    if out.is_symlink() or not os.path.lexists(out):
        before = os.readlink(out) if out.is_symlink() else None
        os.replace(link, out)
        if before and target.is_version(before):
            _discard(target.parent / before, target, say)
    else:  # a plain folder becomes a link: two renames (the next run restores ``old`` if killed between)
        old = target.sibling("old")
        os.rename(out, old)
        os.replace(link, out)
        _discard(old, target, say)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done, then act as they would have."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    before = {s: signal.signal(s, lambda signum, _frame: caught.append(signum))
              for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
        if caught:
            signal.raise_signal(caught[0])


# ---------------------------------------------------------------------------------------- run

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
    from .catalog import notebooks

    try:
        index = {e.ipynb.resolve(): e for e in notebooks()}
    except FileNotFoundError:  # --notebook without a notebooks index (an installed package)
        index = {}
    out = {}
    for nb in nbs:
        e = index.get(nb.resolve())
        out[nb] = e.title_in(lang) if e is not None else _first_heading(nb, lang)
    return out


def _check_inputs(period: str, freq: str, lang: str, params: dict[str, Any], mapping, tz) -> Path | None:
    """Refuse bad flag values before anything runs; the mapping file, resolved."""
    from .labels import LANGS
    from .periods import parse_period

    if not isinstance(period, str) or period != period.strip():
        raise ValueError(f"--period {period!r} has spaces or a line break around it; write it like '2026-10'")
    parse_period(period, freq)  # a clear error for a malformed period (and an unknown freq)
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    flagged = [k for k in params if k in FLAG_PARAMETERS]
    if flagged:
        raise ValueError("; ".join(f"-p {k}: use {FLAG_PARAMETERS[k]} instead (it checks the value)"
                                   for k in flagged))
    if tz is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"--tz: unknown time zone {tz!r}; use an IANA name such as 'Asia/Tokyo' or "
                             "'UTC'") from None
    if mapping is None:
        return None
    m = Path(mapping)
    if not m.exists():
        raise FileNotFoundError(f"--mapping: file not found: {mapping}")
    if not m.is_file():
        raise ValueError(f"--mapping: {mapping} is not a file (give the mapping YAML file)")
    return m.resolve()


def _inputs(data: Path, mapping_file: Path | None) -> list[dict[str, Any]]:
    """The data folder's files (and the mapping file) with their size and SHA-256."""
    files = [f for f in sorted(data.iterdir()) if f.is_file() and not f.name.startswith(".")]
    out = [{"file": f.name, "bytes": f.stat().st_size, "sha256": _sha256(f)} for f in files]
    if mapping_file is not None:
        out.append({"file": str(mapping_file), "bytes": mapping_file.stat().st_size,
                    "sha256": _sha256(mapping_file)})
    return out


@contextlib.contextmanager
def _runtime_dir(folder: Path) -> Iterator[None]:
    """Kernel connection files go to ``folder`` (removed with it, or by the next run if this one is killed)."""
    before = os.environ.get("JUPYTER_RUNTIME_DIR")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("JUPYTER_RUNTIME_DIR", None)
        else:
            os.environ["JUPYTER_RUNTIME_DIR"] = before


#: Seconds between two saves of a notebook being executed (papermill saves before and after every cell).
SAVE_EVERY = 10.0


def _engine_name() -> str:
    """A papermill engine that saves the executed notebook at most every :data:`SAVE_EVERY` seconds, and at the end.

    papermill writes the whole notebook twice per cell. A notebook carrying its full follow-up lists
    (01_nps at 1 M customers: 59 MB) then spends a minute rewriting itself. The end (success,
    a failing cell or a kernel that died) is always saved, so nothing a report reads is lost.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class ThrottledSaves(NotebookExecutionManager):
        _written = float("-inf")
        _final = False

        def save(self, **kwargs):
            if self._final or time.monotonic() - self._written >= SAVE_EVERY:
                super().save(**kwargs)
                self._written = time.monotonic()

        def notebook_complete(self, **kwargs):
            self._final = True
            super().notebook_complete(**kwargs)

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = ThrottledSaves(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                    autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register("csa_throttled", Engine)
    return "csa_throttled"


def _kernel_manager_class(runtime: Path, log: Path, started: list, cwd: str | None = None):
    """A kernel manager that keeps its kernel's files in the run's own folder and starts it in ``cwd``.

    The connection file goes to ``runtime`` (jupyter_client would otherwise make a ``tmp….json``
    in the system's temporary folder, left there forever when the run is killed), and the
    kernel's output to ``log``, not to the terminal of ``csa report`` (every kernel prints
    start-up warnings, and a kernel shut down by Ctrl-C a traceback). Each manager is appended
    to ``started``, so that :func:`_stop_kernels` can end a kernel the run left behind.

    ``cwd`` is given to the kernel process itself: papermill's own ``cwd`` changes the working
    directory of this whole process while a notebook runs, which notebooks running at the same
    time in other threads would see.
    """
    from jupyter_client import AsyncKernelManager

    class RunKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            if not self.connection_file:
                self.connection_file = str(runtime / f"kernel-{secrets.token_hex(8)}.json")
            started.append(self)
            if cwd is not None:
                kw.setdefault("cwd", cwd)
            with open(log, "ab") as fh:  # the kernel process keeps its own copy of the descriptor
                kw.setdefault("stdout", fh)
                kw.setdefault("stderr", fh)
                return await super().start_kernel(**kw)

    return RunKernelManager


def _stop_kernels(started: list) -> None:
    """Kill the kernels of ``started`` still running (an interrupted run: nbclient had no time to).

    A kernel interrupted while starting would otherwise go on, write its connection file again
    after the run removed its folder, and only exit when it notices its parent is gone.
    """
    for km in started:
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.kill()
            with contextlib.suppress(Exception):
                proc.wait(5)


def _log_tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [ln for ln in text.splitlines() if ln.strip() and "running over TCP without encryption" not in ln]
    return " | ".join(kept[-lines:])


def _run_notebook(i: int, plan: list, build: Path, titles: dict, lang: str, period: str, nav: str,
                  say: Callable[[str], None], runtime: Path, kernels: list | None = None,
                  cancel: threading.Event | None = None) -> dict[str, Any]:
    """Run one notebook of the plan into ``build``: executed notebook, page, headline records, lists.

    The kernel managers it starts are listed in a list appended to ``kernels`` (so that another
    thread can end them); once ``cancel`` is set the run is abandoned (no page is made).
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .headline import extract

    nb, given, effective = plan[i - 1]
    say(f"[{i}/{len(plan)}] {nb.name} …")
    executed = build / nb.name
    entry = {"name": nb.name, "title": titles[nb], "notebook": nb.name, "html": None, "headline": None,
             "records": [], "lists": [], "status": "ok", "error": None, "parameters": effective}
    problems = []
    t0 = time.perf_counter()
    log, started = runtime / f"kernel-{i}.log", []
    if kernels is not None:
        kernels.append(started)
    try:
        try:
            papermill.execute_notebook(str(nb), str(executed), parameters=given, kernel_name="python3",
                                       engine_name=_engine_name(),
                                       progress_bar=False, log_output=False,  # cwd: the kernel's, not ours
                                       kernel_manager_class=_kernel_manager_class(runtime, log, started,
                                                                                  cwd=str(nb.parent)))
        finally:
            _stop_kernels(started)
    except PapermillExecutionError as exc:
        problems.append(f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}")
    except Exception as exc:  # kernel died, notebook unreadable, …: report it, go on
        tail = _log_tail(log)
        problems.append(f"{type(exc).__name__}: {exc}" + (f" (kernel: {tail})" if tail else ""))
    if cancel is not None and cancel.is_set():  # the run is being stopped: its result is not wanted
        entry["status"], entry["error"] = "failed", "; ".join(problems) or "stopped"
        entry["seconds"] = round(time.perf_counter() - t0, 2)
        return entry
    if executed.exists():
        node = nbformat.read(executed, as_version=4)
        try:
            records = extract(node)
        except Exception as exc:  # a malformed record: the section is not trustworthy
            problems.append(f"headline records: {exc}")
            records = []
        if records:
            name = f"{nb.stem}.headline.json"
            (build / name).write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            entry["headline"], entry["records"] = name, records
        try:
            entry["lists"] = _write_lists(node, nb.stem, build, lang)
        except (ValueError, OSError) as exc:
            problems.append(f"lists: {exc}")
        html_name = nb.with_suffix(".html").name
        try:
            _html(node, build / html_name, lang=lang, nav=nav,
                  title=_t("page_title", lang, title=titles[nb], period=period))
            entry["html"] = html_name
        except Exception as exc:  # keep going: the executed notebook is still there
            problems.append(f"HTML export failed: {exc}")
    if problems:
        entry["status"], entry["error"] = "failed", "; ".join(problems)
    entry["seconds"] = round(time.perf_counter() - t0, 2)
    say(f"[{i}/{len(plan)}] {nb.name} {entry['status']} ({entry['seconds']:.1f} s)"
        + (f": {entry['error']}" if entry["error"] else ""))
    return entry


#: A kernel's memory: this many times the validated dataset's (its copy, read from the cache, and
#: the notebook's work on it) plus its imports (pandas, scipy, matplotlib …); measured on 100 k
#: and 1 M customers (benchmarks/README.md).
KERNEL_DATA_FACTOR, KERNEL_BASE = 2.0, 512 << 20
#: The share of the memory available at the start that the kernels may take together.
MEMORY_SHARE = 0.8


def _jobs(jobs: int | None, n: int, data_bytes: int | None = None, available: int | None = None) -> int:
    """How many notebooks run at once: ``jobs``; by default one per core, as many as memory holds.

    Without ``jobs``, each kernel is counted as needing :data:`KERNEL_DATA_FACTOR` times the
    dataset (``data_bytes``) plus :data:`KERNEL_BASE`, and the kernels together get
    :data:`MEMORY_SHARE` of ``available``; at most ``n``, at least one.

    >>> _jobs(None, 9, data_bytes=5 << 30, available=22 << 30), _jobs(4, 9, 5 << 30, 22 << 30)
    (1, 4)
    """
    if jobs is None:
        jobs = os.cpu_count() or 1
        if data_bytes and available:
            jobs = min(jobs, int(available * MEMORY_SHARE // (data_bytes * KERNEL_DATA_FACTOR + KERNEL_BASE)))
    return max(1, min(jobs, n))


def _memory_available() -> int | None:
    """The memory the system can give without swapping (``MemAvailable``), in bytes; ``None`` where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _run_notebooks(plan: list, jobs: int, build: Path, titles: dict, lang: str, period: str, nav: str,
                   say: Callable[[str], None], runtime: Path, order: list[int] | None = None) -> list[dict[str, Any]]:
    """Run every notebook of the plan, ``jobs`` at a time, started in ``order``; their entries in plan order.

    Each notebook runs in a worker thread with its own kernel (``papermill.execute_notebook``:
    nbclient runs its own event loop in each thread), so a failing notebook only fails its
    entry. Progress lines come through ``say`` one at a time (with a bar on a terminal).
    Interrupted (``KeyboardInterrupt``/SIGTERM in the main thread, or an exception escaping a
    worker, e.g. from ``say``): no further notebook starts, every kernel of the run is killed
    and the workers are waited for (so that none writes into the run's folders once they are
    removed), then the exception goes on.
    """
    from .progress import bar

    n = len(plan)
    entries: list[dict[str, Any] | None] = [None] * n
    escaped: list[BaseException] = []
    kernels: list[list] = []  # per notebook, the kernel managers it started
    cancel = threading.Event()
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()
    todo, todo_lock, say_lock = iter(order or range(1, n + 1)), threading.Lock(), threading.Lock()
    stack = contextlib.ExitStack()

    with bar(n, "report", unit="notebook") as progress:
        paused = progress.external_write_mode if not progress.disable else contextlib.nullcontext

        def tell(msg: str) -> None:
            with say_lock, paused():
                say(msg)

        def work() -> None:
            while not cancel.is_set():
                with todo_lock:
                    i = next(todo, None)
                if i is None or cancel.is_set():
                    return
                try:
                    entries[i - 1] = _run_notebook(i, plan, build, titles, lang, period, nav, tell, runtime,
                                                   kernels=kernels, cancel=cancel)
                except BaseException as exc:  # handed to the main thread, raised there
                    escaped.append(exc)
                    cancel.set()
                finally:
                    finished.put(i)

        threads = [threading.Thread(target=work, name=f"csa-report-{k + 1}", daemon=True) for k in range(jobs)]
        try:
            stack.enter_context(_quiet_once(cancel))
            for t in threads:
                t.start()
            done = 0
            while done < n and not escaped:
                try:
                    finished.get(timeout=0.2)
                except queue.Empty:
                    if not any(t.is_alive() for t in threads):
                        break
                    continue
                done += 1
                progress.update()
        finally:
            cancel.set()
            _wind_down(threads, kernels)
            stack.close()
    if escaped:
        raise escaped[0]
    missing = [plan[i][0].name for i, e in enumerate(entries) if e is None]
    if missing:  # pragma: no cover -- a worker ended without an entry or an exception
        raise RuntimeError(f"no result for {', '.join(missing)}")
    return entries  # type: ignore[return-value]


@contextlib.contextmanager
def _quiet_once(cancel: threading.Event) -> Iterator[None]:
    """Drop what papermill, nbclient and jupyter_client log once ``cancel`` is set.

    Stopping a run kills its kernels; the notebooks' clients then log "kernel died" errors that
    would follow the one line ``csa report`` ends an interrupted run with.
    """
    import logging

    class Quiet(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return not cancel.is_set()

    quiet = Quiet()
    loggers = [logging.getLogger(name) for name in ("papermill", "traitlets", "nbclient", "jupyter_client")]
    for lg in loggers:
        lg.addFilter(quiet)
    try:
        yield
    finally:
        for lg in loggers:
            lg.removeFilter(quiet)


def _wind_down(threads: list[threading.Thread], kernels: list[list], timeout: float = 20.0) -> None:
    """Wait for the worker threads; while any is still running (an interrupted run), kill every kernel.

    A kernel killed, nbclient raises in its worker within about a second; a kernel that was just
    being started is caught by the next sweep.
    """
    deadline = time.monotonic() + timeout
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
        for started in list(kernels):
            _stop_kernels(started)
        for t in threads:
            if t.is_alive():
                t.join(0.05)
    for started in list(kernels):
        _stop_kernels(started)


def _start_order(plan: list, earlier: _Existing | None) -> list[int]:
    """The plan's notebooks (1-based) longest first, by their times in the earlier report; new ones first of all.

    Starting the long notebooks first keeps a short one from being the only one left running at
    the end (the cores idle). Without an earlier report, by the typical times of the notebooks
    index (``seconds:``), those without one first; then in index order.
    """
    seconds: dict[str, float] = {}
    for e in (earlier.manifest or {}).get("notebooks", []) if earlier is not None else []:
        if isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("seconds"), int | float):
            seconds[e["name"]] = float(e["seconds"])
    if not seconds:
        from .catalog import notebooks

        try:
            typical = {e.ipynb.resolve(): e.seconds for e in notebooks()}
        except FileNotFoundError:  # --notebook without a notebooks index (an installed package)
            typical = {}
        seconds = {nb.name: typical[nb.resolve()] for nb, _, _ in plan if typical.get(nb.resolve()) is not None}

    def rank(i: int) -> tuple[bool, float, int]:
        known = seconds.get(plan[i - 1][0].name)
        return known is not None, -(known or 0.0), i

    return sorted(range(1, len(plan) + 1), key=rank)


def _load_options(plan: list) -> tuple[str, str | None]:
    """The ``tz`` and ``mapping`` most notebooks of the plan call ``csa.load`` with (their own defaults included)."""
    combos = Counter((effective.get("tz") or "Asia/Tokyo", effective.get("mapping") or None)
                     for _, _, effective in plan)
    return combos.most_common(1)[0][0]


def _release_memory() -> None:
    """Give the memory of freed objects back to the system (the kernels need it more than this process)."""
    gc.collect()
    with contextlib.suppress(Exception):
        if "pyarrow" in sys.modules:
            sys.modules["pyarrow"].default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)  # glibc; elsewhere an AttributeError, ignored


def _cache_dataset(data: Path, folder: Path, tz: str, mapping: str | None, say: Callable[[str], None]
                   ) -> int | None:
    """Validate the data once and store it in the dataset cache ``folder`` (see :mod:`csa.cache`).

    The dataset's size in memory (bytes) if it was stored, else ``None``. Data that does not
    validate is not cached: each notebook then reports the problems itself, as it would without
    the cache. The dataset is freed before returning.
    """
    from . import cache
    from .errors import DataError
    from .io import load

    say("validating data …")
    t0 = time.perf_counter()
    ds, why, size = None, None, None
    try:
        before = cache.key(data, tz=tz, mapping=mapping)
        ds = load(data, tz=tz, mapping=mapping)
        cache.store(ds, folder, tz=tz, mapping=mapping, loaded_as=before)
        size = sum(int(df.memory_usage(deep=True).sum()) for df in ds.tables().values())
    except Exception as exc:  # DataError (said by each section), or a dataset the cache cannot hold
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()] or [type(exc).__name__]
        why = lines[0].rstrip(":") + (f": {lines[1]}" if len(lines) > 1 else "")
        why = why if isinstance(exc, DataError) else f"{type(exc).__name__}: {why}"
        why = why if len(why) <= 300 else why[:299] + "…"
    finally:
        valid, stored = ds is not None, ds is not None and why is None
        del ds
        _release_memory()
    took = time.perf_counter() - t0
    if stored:
        say(f"validating data ok ({took:.1f} s)")
    elif valid:  # pragma: no cover -- a column neither Parquet nor pickle holds
        say(f"validating data ok ({took:.1f} s), but it could not be cached ({why}); each section loads it itself")
    else:
        say(f"validating data failed ({took:.1f} s): {why}; each section loads the data itself")
    return size if stored else None


@contextlib.contextmanager
def _environ(name: str, value: str | None) -> Iterator[None]:
    """``name`` set to ``value`` in this process's environment (and the kernels it starts) for the block."""
    if value is None:
        yield
        return
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _files(folder: Path) -> list[dict[str, Any]]:
    return [{"name": f.name, "bytes": f.stat().st_size, "sha256": _sha256(f)}
            for f in sorted(folder.iterdir()) if f.name != "manifest.json"]


def run_report(period: str, *, data_dir: str | os.PathLike = "data/sample",
               out: str | os.PathLike | None = None, lang: str = "en", freq: str = "month",
               params: dict[str, Any] | None = None,
               notebooks: list[Path] | None = None, mapping: str | os.PathLike | None = None,
               tz: str | None = None, registry: str | os.PathLike | None = None,
               progress: Callable[[str], None] | None = print, jobs: int | None = None,
               engine: str | None = None) -> dict:
    """Run the report notebooks for ``period``; returns the manifest (``manifest["ok"]``, ``manifest["out"]``).

    ``mapping`` (a YAML file) and ``tz`` (an IANA zone) go to the notebooks that declare a
    ``mapping`` / ``tz`` parameter; without them each notebook keeps its own default. ``registry``
    (a KPI registry YAML; default ``registry.yaml`` in the data folder, or the example registry for
    the bundled sample) is validated before anything runs, drives the front page's scorecard and
    goes to the notebooks that declare a ``registry`` parameter. ``engine`` (``"pandas"``,
    ``"duckdb"`` or ``"spark"``: what counts the rows, see :mod:`csa.engines`) goes to the notebooks
    that declare an ``engine`` parameter and is checked against the range they declare. Refusals
    (:class:`ValueError`, :class:`NotAReport`, :class:`ReportBusy`, :class:`FileNotFoundError`)
    happen before anything runs. A :class:`KeyboardInterrupt` leaves ``out`` as it was and
    carries ``csa_published``: the folder published, or ``None``.

    The data is validated once, before the notebooks run, and handed to them through the
    dataset cache (:mod:`csa.cache`, in the run's private folder); the notebooks then run
    ``jobs`` at a time (default: one per core, fewer when memory is short), each in its own kernel.
    """
    say = progress or (lambda _m: None)
    params = dict(params or {})
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"--jobs {jobs!r}: give the number of notebooks to run at once, 1 or more")
    mapping_file = _check_inputs(period, freq, lang, params, mapping, tz)
    data = Path(data_dir).resolve()
    if not data.is_dir():
        raise FileNotFoundError(f"data folder not found: {data}")
    target = _Target(out if out is not None else Path("reports") / period)
    failed = target.failed()
    if data == target.path or target.path in data.parents:
        raise ValueError(f"the data folder {data} is inside --out {target.path}; choose another --out")
    nbs = [Path(n) for n in notebooks] if notebooks is not None else report_notebooks()
    missing = [str(n) for n in nbs if not n.is_file()]
    if missing:
        raise FileNotFoundError(f"notebook(s) not found: {', '.join(missing)}")
    nbs = [Path(os.path.abspath(n)) for n in nbs]  # the process's working directory is not the kernels'
    twice = sorted(name for name, k in Counter(n.name for n in nbs).items() if k > 1)
    if twice:  # their executed notebooks and pages would overwrite each other (at the same time, in parallel)
        raise ValueError(f"--notebook: more than one notebook named {', '.join(twice)}; the report names its "
                         "files after the notebook, so give each once (rename a copy)")
    from . import cache
    from . import registry as R
    from . import scorecard as SC

    registry_file = SC.resolve_registry(registry, data)
    if registry_file is not None:
        R.load(registry_file)  # a bad registry is refused here, every problem listed
    base = {"data_dir": str(data), "period": period, "lang": lang, "freq": freq}
    optional = {k: v for k, v in (("mapping", str(mapping_file) if mapping_file else None), ("tz", tz),
                                  ("registry", str(registry_file) if registry_file else None), ("engine", engine))
                if v is not None}
    plan = []  # refuse before running anything
    for nb in nbs:
        declared = declared_parameters(nb)
        given = build_parameters(nb, {**base, **{k: v for k, v in optional.items() if k in declared}, **params},
                                 declared=declared)
        plan.append((nb, given, _effective(declared, given)))
    for k in optional:
        if k != "registry" and not any(k in given for _, given, _ in plan):  # the front page reads the registry
            raise ValueError(f"{FLAG_PARAMETERS[k]}: none of the notebooks declares a {k!r} parameter, so it "
                             "would be ignored")
    titles = _titles(nbs, lang)
    sources = _sources_file(lang)
    _inspect(target)  # refuse a folder that is not ours before taking the lock
    _inspect(failed)

    published: Path | None = None
    with _locked(target):
        _clean(target, say)
        _clean(failed, say)
        previous = _inspect(target)
        _inspect(failed)
        build, runtime, ready = target.sibling("build"), target.sibling("run"), None
        build.mkdir()
        runtime.mkdir(mode=0o700)
        stack = contextlib.ExitStack()
        try:
            inputs = _inputs(data, mapping_file)
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "parameters": {**base, **optional, **params},
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "inputs": inputs[:-1] if mapping_file else inputs,
                "mapping": None if mapping_file is None else {
                    "file": _shown_path(mapping_file, target.path), "bytes": inputs[-1]["bytes"],
                    "sha256": inputs[-1]["sha256"]},
                "versions": _versions(),
                "sources": "sources.html" if sources else None,
                "notebooks": [],
            }
            nav = _nav(lang, sources=sources is not None)
            cache_dir = runtime / "dataset"
            load_tz, load_mapping = _load_options(plan)
            data_bytes = _cache_dataset(data, cache_dir, load_tz, load_mapping, say)
            stack.enter_context(_environ(cache.ENV, None if data_bytes is None else str(cache_dir)))  # kernels
            available = _memory_available()
            at_once = _jobs(jobs, len(plan), data_bytes, available)
            if at_once < _jobs(jobs, len(plan)):
                say(f"{at_once} notebook{'s' if at_once > 1 else ''} at a time: each kernel holds the data "
                    f"({data_bytes / 2**30:.1f} GiB) and {available / 2**30:.0f} GiB of memory are free "
                    "(--jobs sets it)")
            with _runtime_dir(runtime):
                manifest["notebooks"] = _run_notebooks(plan, at_once, build, titles, lang, period, nav, say, runtime,
                                                       order=_start_order(plan, previous))
            after = {(x["file"], x["sha256"]) for x in _inputs(data, mapping_file)}
            changed = sorted({Path(x["file"]).name for x in inputs if (x["file"], x["sha256"]) not in after})
            if changed:
                manifest["changed_inputs"] = changed
                say(f"the inputs changed while the report ran: {', '.join(changed)}")
            manifest["ok"] = not changed and all(e["status"] == "ok" for e in manifest["notebooks"])
            if sources:
                (build / "sources.html").write_text(_sources_page(*sources, lang, period), encoding="utf-8")
            records = [r for nb in manifest["notebooks"] for r in nb.get("records", [])]
            pages = [nb["html"] for nb in manifest["notebooks"] if nb.get("html")]
            say("scorecard …")
            scorecard_html, manifest["scorecard"] = SC.front_page(
                registry_file, records, data_dir=data, period=period, freq=freq, lang=lang, tz=tz,
                mapping=mapping_file, pages=pages)
            stack.close()  # the cache is not needed any more
            manifest["registry"] = None if registry_file is None else {
                "file": _shown_path(registry_file, target.path), "sha256": _sha256(registry_file)}
            (build / "index.html").write_text(_index(manifest, target.path, sources=sources is not None,
                                                     scorecard=scorecard_html), encoding="utf-8")
            manifest["files"] = _files(build)
            text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
            (build / "manifest.json").write_text(text, encoding="utf-8")

            earlier = _inspect(target)  # again: nothing of the user's arrived while the notebooks ran
            final = target
            if not manifest["ok"] and earlier is not None and earlier.ok:
                final = failed
                _inspect(failed)
                say(f"an earlier complete report stays in {target.path}; this failed run is kept in {failed.path}")
            ready = final.sibling("ready")
            os.rename(build, ready)
            say(f"publishing {final.path} …")
            with _signals_held():
                _publish(ready, final, say)
                published = final.path
        except KeyboardInterrupt as exc:
            exc.csa_published = published
            raise
        finally:
            stack.close()
            shutil.rmtree(build, ignore_errors=True)
            shutil.rmtree(runtime, ignore_errors=True)
            if ready is not None and os.path.lexists(ready):
                with contextlib.suppress(OSError), _signals_held():
                    _discard(ready, final, say)
    manifest["out"] = str(final.path)
    say(f"report: {final.path / 'index.html'}")
    return manifest


# ---------------------------------------------------------------------------------------- CLI

class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the run cleans up the same way."""


def _stop(signum, _frame) -> None:
    for s in (signal.SIGINT, signal.SIGTERM):  # the clean-up runs once, uninterrupted
        signal.signal(s, signal.SIG_IGN)
    raise _Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _parse_params(pairs: list[list[str]] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in pairs or []:
        if k in out and out[k] != v:
            raise ValueError(f"-p {k} is given twice ({out[k]!r} and {v!r}); give it once")
        out[k] = v
    return out


def _cmd(args) -> int:
    before = {}
    if threading.current_thread() is threading.main_thread():
        before = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        manifest = run_report(args.period, data_dir=args.data, out=args.out, lang=args.lang, freq=args.freq,
                              params=_parse_params(args.param), mapping=args.mapping, tz=args.tz,
                              registry=args.registry, jobs=args.jobs, engine=args.engine,
                              notebooks=[Path(n) for n in args.notebook] if args.notebook else None,
                              progress=lambda m: print(m, file=sys.stderr, flush=True))
    except KeyboardInterrupt as exc:
        term = isinstance(exc, _Terminated)
        published = getattr(exc, "csa_published", None)
        state = (f"the new report was published in {published}" if published else
                 "the report folder was left as it was")
        print(f"csa report: {'stopped by SIGTERM' if term else 'interrupted'}; {state}", file=sys.stderr, flush=True)
        return 143 if term else 130
    except (ValueError, FileNotFoundError) as exc:
        print(f"csa report: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"csa report: {exc}", file=sys.stderr)
        return 1
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
    return 0 if manifest["ok"] else 1


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="run the report notebooks for a period (papermill) and export HTML")
    p.add_argument("--period", required=True,
                   help="report period, e.g. 2026-10 (or 2026Q3 / FY2026 with --freq)")
    p.add_argument("--data", default="data/sample", help="data folder (default: data/sample)")
    p.add_argument("--out", default=None,
                   help="report folder (default: reports/<period>); replaced only if empty or an earlier report")
    p.add_argument("--lang", default="en", choices=["en", "ja"],
                   help="language of the report pages, charts and tables")
    p.add_argument("--freq", default="month", choices=["month", "quarter", "fiscal_year"])
    p.add_argument("--mapping", default=None, metavar="FILE",
                   help="YAML mapping of your export's columns and values (for notebooks that take one)")
    p.add_argument("--tz", default=None, metavar="ZONE",
                   help="business time zone, e.g. Asia/Tokyo (default: each notebook's own)")
    p.add_argument("--engine", default=None, choices=["pandas", "duckdb", "spark"],
                   help="what counts the rows in the notebooks that take an engine (default: each notebook's own, "
                        "pandas); duckdb and spark need csa[duckdb] / csa[spark], see README")
    p.add_argument("--registry", default=None, metavar="FILE",
                   help="KPI registry (YAML) for the front-page scorecard and the KPI-cycle section; default: "
                        "registry.yaml in the data folder, else the example when --data is the bundled sample")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="another notebook parameter (typed like the notebook's default, checked against the "
                        "range its comment declares); repeatable")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="notebooks run at once, each in its own kernel (default: one per core, "
                        f"{os.cpu_count() or 1} here, fewer if memory would not hold that many copies of the data)")
    p.add_argument("--notebook", action="append", metavar="PATH",
                   help="run this notebook instead of the report sections in notebooks/index.yaml; "
                        "repeatable")
    p.set_defaults(func=_cmd)
