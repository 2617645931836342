"""``csa report``: run the report notebooks with papermill and publish code-free HTML.

For each report notebook: the executed notebook and an HTML export without code (cells tagged
``lesson`` — hand computations, exercises — are left out of the HTML), plus ``index.html``
linking them and ``manifest.json`` (parameters, input files with SHA-256, package versions,
status and duration per notebook).

Safety:
* parameters are checked against each notebook's ``parameters`` cell before anything runs; a
  name a notebook does not declare is refused (papermill itself would only log a warning);
  values are converted to the type of the notebook's default, never guessed;
* the report is built in a temporary folder beside ``out`` and moved into place only when every
  notebook has run, so an interrupted run never replaces a complete earlier report;
* a failing notebook is reported with its error and kept, the others still run, and the exit
  code is non-zero; if an earlier complete report exists it stays in place and the failed run
  is kept beside it as ``<out>.failed``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

__all__ = ["REPORT_NOTEBOOKS", "notebooks_dir", "declared_parameters", "build_parameters", "run_report",
           "add_parser"]

#: Report notebooks, in report order (file names inside the notebooks folder).
REPORT_NOTEBOOKS: tuple[str, ...] = ("01_nps.ipynb",)
REMOVE_TAGS = {"lesson", "parameters", "injected-parameters", "report-hide"}
VERSIONS = ("csa", "pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert")


def notebooks_dir() -> Path:
    """The repository's ``notebooks/`` (beside the package), else ``./notebooks``."""
    here = Path(__file__).resolve().parents[1] / "notebooks"
    return here if here.is_dir() else Path.cwd() / "notebooks"


def declared_parameters(nb: Path) -> dict[str, dict[str, Any]]:
    """Parameters a notebook declares: ``{name: {"type": "str"|"int"|…, "default": …}}``."""
    import papermill

    import ast

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


def build_parameters(nb: Path, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` checked against and typed by the notebook's parameters cell."""
    declared = declared_parameters(nb)
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


def _html(executed: Path, target: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    remove = TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS, enabled=True)
    exporter.register_preprocessor(remove, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    target.write_text(body, encoding="utf-8")


def _index(manifest: dict) -> str:
    rows = []
    for nb in manifest["notebooks"]:
        ok = nb["status"] == "ok"
        status = "✅ ok" if ok else f"❌ failed: {html.escape(nb.get('error') or '')}"
        link = f'<a href="{html.escape(nb["html"])}">{html.escape(nb["title"])}</a>' if nb.get("html") else html.escape(nb["title"])
        rows.append(f"<tr><td>{link}</td><td>{status}</td><td>{nb['seconds']:.1f} s</td>"
                    f'<td><a href="{html.escape(nb["notebook"])}">notebook</a></td></tr>')
    p = manifest["parameters"]
    return f"""<!DOCTYPE html>
<html lang="{html.escape(p.get('lang', 'en'))}"><head><meta charset="utf-8">
<title>CS report {html.escape(str(p['period']))}</title>
<style>body{{font-family:"Hiragino Sans","Yu Gothic","Meiryo","Noto Sans CJK JP",sans-serif;max-width:52em;margin:2em auto}}td,th{{padding:.3em .8em;text-align:left}}</style>
</head><body>
<h1>Customer-success report — {html.escape(str(p['period']))}</h1>
<p>Data: <code>{html.escape(str(p['data_dir']))}</code> · language: {html.escape(str(p.get('lang')))} ·
generated by csa {html.escape(manifest['versions'].get('csa', '?'))}</p>
<table><tr><th>Section</th><th>Status</th><th>Run time</th><th>Source</th></tr>
{''.join(rows)}
</table>
<p><a href="manifest.json">manifest.json</a> lists the parameters, the input files with their hashes and
the package versions.</p>
</body></html>
"""


def _foreign(folder: Path) -> bool:
    """True for an existing path that a report may not replace: not an earlier report."""
    if not folder.exists():
        return False
    if not folder.is_dir():
        return True
    return any(folder.iterdir()) and not (folder / "manifest.json").is_file()


def _title(nb: Path) -> str:
    import nbformat

    for cell in nbformat.read(nb, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return nb.stem


def run_report(period: str, *, data_dir: str | os.PathLike = "data/sample", out: str | os.PathLike | None = None,
               lang: str = "en", freq: str = "month", params: dict[str, Any] | None = None,
               notebooks: list[Path] | None = None, progress: Callable[[str], None] | None = print) -> dict:
    """Run the report notebooks for ``period``; returns the manifest (``manifest["ok"]``)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .i18n import LANGS
    from .periods import parse_period

    say = progress or (lambda _m: None)
    parse_period(period, freq)  # a clear error for a malformed period
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    data = Path(data_dir).resolve()
    if not data.is_dir():
        raise FileNotFoundError(f"data folder not found: {data}")
    out_dir = (Path(out) if out is not None else Path("reports") / period).resolve()
    for target in (out_dir, out_dir.with_name(out_dir.name + ".failed")):
        if _foreign(target):
            raise ValueError(f"refusing to write the report to {target}: it exists and is not a csa report "
                             "(no manifest.json), so replacing it could destroy your files; choose another --out")
    nbs = [Path(n) for n in notebooks] if notebooks is not None else [notebooks_dir() / n for n in REPORT_NOTEBOOKS]
    missing = [str(n) for n in nbs if not n.is_file()]
    if missing:
        raise FileNotFoundError(f"notebook(s) not found: {', '.join(missing)}")
    given = {"data_dir": str(data), "period": period, "lang": lang, "freq": freq, **(params or {})}
    plan = [(nb, build_parameters(nb, given)) for nb in nbs]  # refuse before running anything

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    manifest: dict[str, Any] = {
        "parameters": given,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": [{"file": f.name, "bytes": f.stat().st_size, "sha256": _sha256(f)}
                   for f in sorted(data.iterdir()) if f.is_file() and not f.name.startswith(".")],
        "versions": _versions(),
        "notebooks": [],
    }
    try:
        for i, (nb, p) in enumerate(plan, 1):
            say(f"[{i}/{len(plan)}] {nb.name} …")
            executed = tmp / nb.name
            entry = {"name": nb.name, "title": _title(nb), "notebook": nb.name, "html": None,
                     "status": "ok", "error": None, "parameters": p}
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
                html_name = nb.with_suffix(".html").name
                try:
                    _html(executed, tmp / html_name)
                    entry["html"] = html_name
                except Exception as exc:  # keep going: the executed notebook is still there
                    entry["status"] = "failed"
                    entry["error"] = (entry["error"] or "") + f" (HTML export failed: {exc})"
            entry["seconds"] = round(time.perf_counter() - t0, 2)
            manifest["notebooks"].append(entry)
            say(f"[{i}/{len(plan)}] {nb.name} {entry['status']} ({entry['seconds']:.1f} s)"
                + (f": {entry['error']}" if entry["error"] else ""))
        manifest["ok"] = all(e["status"] == "ok" for e in manifest["notebooks"])
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
                                           encoding="utf-8")
        (tmp / "index.html").write_text(_index(manifest), encoding="utf-8")
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
                              params=_parse_params(args.param),
                              notebooks=[Path(n) for n in args.notebook] if args.notebook else None,
                              progress=lambda m: print(m, file=sys.stderr, flush=True))
    except (ValueError, FileNotFoundError) as exc:
        print(f"csa report: {exc}", file=sys.stderr)
        return 2
    return 0 if manifest["ok"] else 1


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="run the report notebooks for a period (papermill) and export HTML")
    p.add_argument("--period", required=True, help="report period, e.g. 2026-10 (or 2026Q3 / FY2026 with --freq)")
    p.add_argument("--data", default="data/sample", help="data folder (default: data/sample)")
    p.add_argument("--out", default=None, help="output folder (default: reports/<period>)")
    p.add_argument("--lang", default="en", choices=["en", "ja"], help="language of charts and tables")
    p.add_argument("--freq", default="month", choices=["month", "quarter", "fiscal_year"])
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="another notebook parameter (typed like the notebook's default); repeatable")
    p.add_argument("--notebook", action="append", metavar="PATH",
                   help="run this notebook instead of the standard report set; repeatable")
    p.set_defaults(func=_cmd)
