"""``csa report``: run the report notebooks with papermill and publish code-free HTML.

The report sections are the notebooks marked ``report: true`` in ``notebooks/index.yaml`` (see
:mod:`csa.catalog`), in index order; ``--notebook PATH`` runs other notebooks instead. For each
section: the executed notebook and an HTML page without code, plus

* ``<notebook>.headline.json``: the headline records the notebook published (see
  :mod:`csa.headline`), when it published any;
* ``index.html``: a one-page summary of the headline records, then the sections with their
  status, run time and links;
* ``sources.html``: ``notebooks/SOURCES.<lang>.md`` (else ``SOURCES.md``), the source articles, rendered;
* ``manifest.json``: format marker, parameters, input files with SHA-256, package versions, and
  per notebook its status, duration, parameters and headline records.

Every page is in the report's language (``--lang``): markdown cells tagged with the other
language (``en`` / ``ja``) are left out, as are cells tagged ``lesson``, ``parameters``,
``injected-parameters`` and ``report-hide``; numbered sections (``## 3 …``) are renumbered
1, 2, 3 … over the cells kept; the words of index, sources page and navigation come from
``csa/labels/report.yaml``. Pages load nothing from the network (``report_templates/csa_report``
empties the lab template's CDN scripts) and link to each other with relative links.

Safety:
* parameters are checked against each notebook's ``parameters`` cell before anything runs; a
  name a notebook does not declare is refused (papermill itself would only log a warning);
  values are converted to the type of the notebook's default, never guessed. Parameters that
  have their own flag (``--data``, ``--period``, ``--lang``, ``--freq``, ``--mapping``, ``--tz``)
  are refused with ``-p``: the flag checks the value;
* the report is built in a temporary folder beside ``out`` and moved into place only when every
  notebook has run, so an interrupted run never replaces a complete earlier report;
* a failing notebook is reported with its error and kept, the others still run, and the exit
  code is non-zero; if an earlier complete report exists it stays in place and the failed run
  is kept beside it as ``<out>.failed``;
* ``out`` (and ``<out>.failed``) is never replaced if it exists and is not an earlier report.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from .catalog import notebooks_dir

__all__ = ["FLAG_PARAMETERS", "FORMAT", "FORMAT_VERSION", "REMOVE_TAGS", "add_parser", "build_parameters",
           "declared_parameters", "notebooks_dir", "renumber_sections", "report_notebooks", "run_report"]

FORMAT, FORMAT_VERSION = "csa-report", 2
#: Cells with these tags are left out of every report page (the other language's tag is added).
REMOVE_TAGS = frozenset({"lesson", "parameters", "injected-parameters", "report-hide"})
#: Notebook parameters set by a checked flag of ``csa report``; ``-p`` may not set them.
FLAG_PARAMETERS = {"data_dir": "--data", "period": "--period", "lang": "--lang", "freq": "--freq",
                   "mapping": "--mapping", "tz": "--tz"}
#: Passed to every notebook, which must declare them.
REQUIRED_PARAMETERS = ("data_dir", "period", "lang", "freq")
#: Passed only to the notebooks that declare them (a notebook may not read a mapping).
OPTIONAL_PARAMETERS = ("mapping", "tz")
SOURCES_FILE = "SOURCES.md"
VERSIONS = ("csa", "pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert")
TEMPLATE = "csa_report"
LABELS = "report"


def report_notebooks() -> list[Path]:
    """The report sections of the notebooks index (``report: true``), in report order."""
    from .catalog import notebooks

    return [e.ipynb for e in notebooks(report=True)]


def declared_parameters(nb: Path) -> dict[str, dict[str, Any]]:
    """Parameters a notebook declares: ``{name: {"type": "str"|"int"|…, "default": …}}``."""
    import ast

    import papermill

    out = {}
    for k, v in papermill.inspect_notebook(str(nb)).items():
        try:  # papermill gives the default's source text; its type is the literal's type
            default = ast.literal_eval(v.get("default") or "None")
        except (ValueError, SyntaxError):
            default = v.get("default")
        out[k] = {"type": type(default).__name__, "default": default}
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


def build_parameters(nb: Path, given: dict[str, Any], *,
                     declared: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """``given`` checked against and typed by the notebook's parameters cell."""
    declared = declared_parameters(nb) if declared is None else declared
    if not declared:
        raise ValueError(f"{nb.name} has no cell tagged 'parameters'")
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValueError(f"{nb.name} does not declare the parameter(s) {', '.join(unknown)}; "
                         f"it declares: {', '.join(declared)}")
    return {k: _typed(k, v, declared[k]["type"], nb.name) for k, v in given.items()}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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


def _html(executed: Path, target: Path, *, lang: str = "en", title: str | None = None,
          nav: str = "") -> None:
    """Export ``executed`` as a code-free, offline page in ``lang`` (see the module docstring)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(executed, as_version=4)
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
    return _t(key, lang, v=v) if key else f"{v} {unit}"


def _p_value(p: float | None) -> str:
    if p is None:
        return "—"
    if p < 0.001:
        return "<\u00a00.001"  # no-break spaces: "p = 0.41" stays on one line
    return f"=\u00a0{p:.3f}" if p < 0.01 else f"=\u00a0{p:.2f}"


def _interval(low, high, *, signed: bool = False) -> str:
    if low is None or high is None:
        return "—"
    return f"[{_fmt(low, signed=signed)}, {_fmt(high, signed=signed)}]"


def _summary(records: list[dict[str, Any]], lang: str) -> str:
    if not records:
        return f'<p class="meta">{_e(_t("no_headlines", lang))}</p>'
    levels = {r["level"] for r in records}
    one_level = len(levels) == 1
    head = _t("interval", lang, level=levels.pop()) if one_level else _t("col_interval", lang)
    rows = []
    for r in records:
        signed = r["unit"] == "points"
        value = "—" if r["value"] is None else _with_unit(_fmt(r["value"], signed=signed), r["unit"], lang)
        ci = _interval(r["low"], r["high"], signed=signed)
        if not one_level and r["low"] is not None:
            ci = _t("interval_at", lang, interval=ci, level=r["level"])
        ch = r.get("change")
        if ch is None:
            change = _t("no_comparison", lang)
        else:
            diff = "—" if ch["diff"] is None else _with_unit(_fmt(ch["diff"], signed=True), r["unit"], lang,
                                                            change=True)
            between = _interval(ch["low"], ch["high"], signed=True)
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
        rows.append(f"<tr><td>{link}</td><td>{_e(status)}</td>"
                    f"<td class=\"num\">{_e(_t('seconds', lang, s=nb['seconds']))}</td>"
                    f'<td><a href="{_e(nb["notebook"])}">{_e(_t("notebook_link", lang))}</a></td></tr>')
    cols = [_t("col_section", lang), _t("col_status", lang), _t("col_time", lang), _t("col_notebook", lang)]
    header = "".join(f"<th>{_e(c)}</th>" for c in cols)
    return f'<table class="sections">\n<tr>{header}</tr>\n' + "\n".join(rows) + "\n</table>"


def _shown_path(path: str | os.PathLike, report_dir: Path) -> str:
    """``path`` as seen from the report folder (relative), else its name: never a machine's absolute path."""
    p = Path(path)
    try:
        return Path(os.path.relpath(p, report_dir)).as_posix()
    except ValueError:  # another drive (Windows)
        return p.name


def _index(manifest: dict, report_dir: Path, *, sources: bool = True) -> str:
    p = manifest["parameters"]
    lang, period = p.get("lang", "en"), str(p["period"])
    title = _t("report_title", lang, period=period)
    colon = _e(_t("colon", lang))
    meta = [f"{_e(_t('data_folder', lang))}{colon}<code>{_e(_shown_path(p['data_dir'], report_dir))}</code>"]
    if manifest.get("mapping"):
        meta.append(f"{_e(_t('mapping_file', lang))}{colon}<code>{_e(manifest['mapping']['file'])}</code>")
    if p.get("tz"):
        meta.append(f"{_e(_t('time_zone', lang))}{colon}{_e(p['tz'])}")
    meta.append(f"{_e(_t('period_type', lang))}{colon}{_e(_t(p.get('freq', 'month'), lang))}")
    when = manifest["generated_at"].replace("T", " ").replace("+00:00", "")
    meta.append(_e(_t("generated", lang, when=when, version=manifest["versions"].get("csa", "?"))))
    records = [r for nb in manifest["notebooks"] for r in nb.get("records", [])]
    manifest_link = '<a href="manifest.json">manifest.json</a>'
    note = _e(_t("manifest_note", lang, manifest="\0")).replace("\0", manifest_link)
    failed = "" if manifest.get("ok") else f'<p class="failed">{_e(_t("incomplete", lang))}</p>\n'
    body = f"""<h1>{_e(title)}</h1>
<p class="meta">{" · ".join(meta)}</p>
{failed}<h2>{_e(_t("summary_heading", lang))}</h2>
{_summary(records, lang)}
<h2>{_e(_t("sections_heading", lang))}</h2>
{_sections(manifest["notebooks"], lang)}
<p class="meta">{note}</p>"""
    nav = _nav(lang, sources=sources, index=False)
    return _page(lang, title, body, nav=nav)


# ---------------------------------------------------------------------------------------- run

def _foreign(folder: Path) -> bool:
    """True for an existing path that a report may not replace: not an earlier report."""
    if not folder.exists():
        return False
    if not folder.is_dir():
        return True
    return any(folder.iterdir()) and not (folder / "manifest.json").is_file()


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


def run_report(period: str, *, data_dir: str | os.PathLike = "data/sample",
               out: str | os.PathLike | None = None, lang: str = "en", freq: str = "month",
               params: dict[str, Any] | None = None,
               notebooks: list[Path] | None = None, mapping: str | os.PathLike | None = None,
               tz: str | None = None, progress: Callable[[str], None] | None = print) -> dict:
    """Run the report notebooks for ``period``; returns the manifest (``manifest["ok"]``).

    ``mapping`` (a YAML file) and ``tz`` (an IANA zone) go to the notebooks that declare a
    ``mapping`` / ``tz`` parameter; without them each notebook keeps its own default.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .headline import extract

    say = progress or (lambda _m: None)
    params = dict(params or {})
    mapping_file = _check_inputs(period, freq, lang, params, mapping, tz)
    data = Path(data_dir).resolve()
    if not data.is_dir():
        raise FileNotFoundError(f"data folder not found: {data}")
    out_dir = (Path(out) if out is not None else Path("reports") / period).resolve()
    for target in (out_dir, out_dir.with_name(out_dir.name + ".failed")):
        if _foreign(target):
            raise ValueError(f"refusing to write the report to {target}: it exists and is not a csa report "
                             "(no manifest.json), so replacing it could destroy your files; "
                             "choose another --out")
    nbs = [Path(n) for n in notebooks] if notebooks is not None else report_notebooks()
    missing = [str(n) for n in nbs if not n.is_file()]
    if missing:
        raise FileNotFoundError(f"notebook(s) not found: {', '.join(missing)}")
    base = {"data_dir": str(data), "period": period, "lang": lang, "freq": freq}
    optional = {k: v for k, v in (("mapping", str(mapping_file) if mapping_file else None), ("tz", tz))
                if v is not None}
    plan = []  # refuse before running anything
    for nb in nbs:
        declared = declared_parameters(nb)
        given = {**base, **{k: v for k, v in optional.items() if k in declared}, **params}
        plan.append((nb, build_parameters(nb, given, declared=declared)))
    for k in optional:
        if not any(k in p for _, p in plan):
            raise ValueError(f"{FLAG_PARAMETERS[k]}: none of the notebooks declares a {k!r} parameter, so it "
                             "would be ignored")
    titles = _titles(nbs, lang)
    sources = _sources_file(lang)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "parameters": {**base, **optional, **params},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": [{"file": f.name, "bytes": f.stat().st_size, "sha256": _sha256(f)}
                   for f in sorted(data.iterdir()) if f.is_file() and not f.name.startswith(".")],
        "mapping": None if mapping_file is None else {
            "file": _shown_path(mapping_file, out_dir), "bytes": mapping_file.stat().st_size,
            "sha256": _sha256(mapping_file)},
        "versions": _versions(),
        "sources": "sources.html" if sources else None,
        "notebooks": [],
    }
    nav = _nav(lang, sources=sources is not None)
    try:
        for i, (nb, p) in enumerate(plan, 1):
            say(f"[{i}/{len(plan)}] {nb.name} …")
            executed = tmp / nb.name
            entry = {"name": nb.name, "title": titles[nb], "notebook": nb.name, "html": None,
                     "headline": None, "records": [], "status": "ok", "error": None, "parameters": p}
            t0 = time.perf_counter()
            try:
                papermill.execute_notebook(str(nb), str(executed), parameters=p, kernel_name="python3",
                                           cwd=str(nb.parent), progress_bar=False, log_output=False)
            except PapermillExecutionError as exc:
                entry["status"] = "failed"
                entry["error"] = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
            except Exception as exc:  # kernel died, notebook unreadable, …: report it, go on
                entry["status"] = "failed"
                entry["error"] = f"{type(exc).__name__}: {exc}"
            if executed.exists():
                try:
                    records = extract(nbformat.read(executed, as_version=4))
                except Exception as exc:  # a malformed record: the section is not trustworthy
                    entry["status"] = "failed"
                    entry["error"] = (entry["error"] or "") + f" (headline records: {exc})"
                    records = []
                if records:
                    name = f"{nb.stem}.headline.json"
                    (tmp / name).write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
                    entry["headline"], entry["records"] = name, records
                html_name = nb.with_suffix(".html").name
                try:
                    _html(executed, tmp / html_name, lang=lang, nav=nav,
                          title=_t("page_title", lang, title=titles[nb], period=period))
                    entry["html"] = html_name
                except Exception as exc:  # keep going: the executed notebook is still there
                    entry["status"] = "failed"
                    entry["error"] = (entry["error"] or "") + f" (HTML export failed: {exc})"
            entry["seconds"] = round(time.perf_counter() - t0, 2)
            manifest["notebooks"].append(entry)
            say(f"[{i}/{len(plan)}] {nb.name} {entry['status']} ({entry['seconds']:.1f} s)"
                + (f": {entry['error']}" if entry["error"] else ""))
        manifest["ok"] = all(e["status"] == "ok" for e in manifest["notebooks"])
        if sources:
            (tmp / "sources.html").write_text(_sources_page(*sources, lang, period), encoding="utf-8")
        text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
        (tmp / "manifest.json").write_text(text, encoding="utf-8")
        (tmp / "index.html").write_text(_index(manifest, out_dir, sources=sources is not None),
                                        encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    earlier_complete = (out_dir / "manifest.json").exists() and json.loads(
        (out_dir / "manifest.json").read_text(encoding="utf-8")).get("ok", False)
    if manifest["ok"] or not earlier_complete:
        final = out_dir
    else:
        final = out_dir.with_name(out_dir.name + ".failed")
        say(f"an earlier complete report stays in {out_dir}; this failed run is kept in {final}")
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    manifest["out"] = str(final)
    say(f"report: {final / 'index.html'}")
    return manifest


def _parse_params(pairs: list[list[str]] | None) -> dict[str, str]:
    return {k: v for k, v in (pairs or [])}


def _cmd(args) -> int:
    try:
        manifest = run_report(args.period, data_dir=args.data, out=args.out, lang=args.lang, freq=args.freq,
                              params=_parse_params(args.param), mapping=args.mapping, tz=args.tz,
                              notebooks=[Path(n) for n in args.notebook] if args.notebook else None,
                              progress=lambda m: print(m, file=sys.stderr, flush=True))
    except (ValueError, FileNotFoundError) as exc:
        print(f"csa report: {exc}", file=sys.stderr)
        return 2
    return 0 if manifest["ok"] else 1


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="run the report notebooks for a period (papermill) and export HTML")
    p.add_argument("--period", required=True,
                   help="report period, e.g. 2026-10 (or 2026Q3 / FY2026 with --freq)")
    p.add_argument("--data", default="data/sample", help="data folder (default: data/sample)")
    p.add_argument("--out", default=None, help="output folder (default: reports/<period>)")
    p.add_argument("--lang", default="en", choices=["en", "ja"],
                   help="language of the report pages, charts and tables")
    p.add_argument("--freq", default="month", choices=["month", "quarter", "fiscal_year"])
    p.add_argument("--mapping", default=None, metavar="FILE",
                   help="YAML mapping of your export's columns and values (for notebooks that take one)")
    p.add_argument("--tz", default=None, metavar="ZONE",
                   help="business time zone, e.g. Asia/Tokyo (default: each notebook's own)")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="another notebook parameter (typed like the notebook's default); repeatable")
    p.add_argument("--notebook", action="append", metavar="PATH",
                   help="run this notebook instead of the report sections in notebooks/index.yaml; "
                        "repeatable")
    p.set_defaults(func=_cmd)
