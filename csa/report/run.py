""":func:`run_report`: a whole report run, from the checks to the published folder.

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

*Failures.* A failing notebook is reported with its error and kept, the others still run, and
the exit code is non-zero; if an earlier complete report exists it stays in place and the
failed run is published as ``<out>.failed`` instead. Inputs (data files, mapping) are hashed
before and after the notebooks run; if one changed meanwhile the report is marked incomplete.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ..cache import _sha256
from .coverage import PeriodOutsideData, checker
from .folder import (
    FORMAT,
    FORMAT_VERSION,
    _clean,
    _discard,
    _Existing,
    _files,
    _inspect,
    _locked,
    _publish,
    _remove_failed,
    _signals_held,
    _Target,
)
from .index import _index, _shown_path
from .kernels import _run_notebooks, _runtime_dir, section_label
from .pages import _nav, _sources_file, _sources_page, _t, _titles
from .params import (
    FLAG_PARAMETERS,
    _check_inputs,
    _effective,
    _refuse_undeclared,
    _section_params,
    build_parameters,
    declared_parameters,
)
from .pdf import find_chromium, write_pdf

__all__ = ["KERNEL_BASE", "KERNEL_DATA_FACTOR", "MEMORY_SHARE", "VERSIONS", "report_notebooks", "run_report"]


VERSIONS = ("csa", "pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert")


def report_notebooks() -> list[Path]:
    """The report sections of the notebooks index (``report: true``), in report order."""
    from ..catalog import notebooks

    return [e.ipynb for e in notebooks(report=True)]


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for pkg in VERSIONS:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _inputs(data: Path, mapping_file: Path | None) -> list[dict[str, Any]]:
    """The data folder's files (and the mapping file) with their size and SHA-256."""
    files = [f for f in sorted(data.iterdir()) if f.is_file() and not f.name.startswith(".")]
    out = [{"file": f.name, "bytes": f.stat().st_size, "sha256": _sha256(f)} for f in files]
    if mapping_file is not None:
        out.append({"file": str(mapping_file), "bytes": mapping_file.stat().st_size,
                    "sha256": _sha256(mapping_file)})
    return out


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


def _earlier_seconds(plan: list, earlier: _Existing | None) -> dict[int, float]:
    """Plan position → the seconds that notebook took in the earlier report in ``--out`` (none: empty)."""
    seconds = {}
    for e in (earlier.manifest or {}).get("notebooks", []) if earlier is not None else []:
        if isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("seconds"), int | float):
            seconds[e["name"]] = float(e["seconds"])
    return {i: seconds[nb.name] for i, (nb, _, _) in enumerate(plan, 1) if nb.name in seconds}


def _start_order(plan: list, earlier: _Existing | None) -> list[int]:
    """The plan's notebooks (1-based) longest first, by their times in the earlier report; new ones first of all.

    Starting the long notebooks first keeps a short one from being the only one left running at
    the end (the cores idle). Without an earlier report, by the typical times of the notebooks
    index (``seconds:``), those without one first; then in index order.
    """
    seconds = {plan[i - 1][0].name: s for i, s in _earlier_seconds(plan, earlier).items()}
    if not seconds:
        from ..catalog import notebooks

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


def _cache_dataset(data: Path, folder: Path, tz: str, mapping: str | None, say: Callable[[str], None],
                   check: Callable[[Any], None] | None = None) -> int | None:
    """Validate the data once and store it in the dataset cache ``folder`` (see :mod:`csa.cache`).

    The dataset's size in memory (bytes) if it was stored, else ``None``; and the names of the tables the
    data holds (``None`` if it did not validate). Data that does not
    validate is not cached: each notebook then reports the problems itself, as it would without
    the cache. The dataset is freed before returning.
    """
    from .. import cache
    from ..errors import DataError
    from ..io import load

    say("validating data …")
    t0 = time.perf_counter()
    ds, why, size, present = None, None, None, None
    try:
        before = cache.key(data, tz=tz, mapping=mapping)
        ds = load(data, tz=tz, mapping=mapping)
        if check is not None:
            check(ds)  # refuses the run (a period outside the data) before any section runs
        present = set(ds.tables())
        if ds.surveys is not None:  # the surveys the answers are of: "surveys:nps", …
            present |= {f"surveys:{x}" for x in ds.surveys.loc[ds.surveys["score"].notna(), "survey"].unique()}
        cache.store(ds, folder, tz=tz, mapping=mapping, loaded_as=before)
        size = sum(int(df.memory_usage(deep=True).sum()) for df in ds.tables().values())
    except PeriodOutsideData:
        raise
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
    return (size if stored else None), present


def _other_language(folder: Path, lang: str) -> tuple[str, str] | None:
    """The link to the same report in the other language, in the default layout (``reports/<period>/<lang>``):
    ``(lang, relative href)`` when that version has been built (run the report with the other language),
    else ``None`` (no link to a page that does not exist)."""
    from ..labels import LANGS

    other = next(x for x in LANGS if x != lang)
    return (other, f"../{other}/index.html") if (folder.parent / other / "index.html").is_file() else None


#: a report's own defaults for parameters a notebook declares: agent-level results stay out of a report that goes
#: to management unless asked for (-p agent_detail true, the support lead's own copy)
REPORT_DEFAULTS = {"agent_detail": False}

def _imported_settings(data: Path) -> dict[str, Any]:
    """Settings ``csa import`` recorded beside the data (``import_report.json``) that the sections take as
    parameters: the business hours of its config (``business_clock``). ``-p`` still overrides them."""
    f = data / "import_report.json"
    try:
        raw = json.loads(f.read_text(encoding="utf-8")) if f.is_file() else {}
    except (OSError, ValueError):
        return {}
    clock = raw.get("business_clock") if isinstance(raw, dict) else None
    return {"business_clock": clock} if isinstance(clock, str) and clock else {}


#: the tables whose timestamps say how far the data reaches, and those columns
_EVENTS = (("tickets", "created_at"), ("surveys", "responded_at"), ("orders", "ordered_at"), ("goals", "started_at"))


def _default_period(data: Path, freq: str, tz: str | None, mapping) -> tuple[str, dict[str, str]]:
    """The report period when none is given: the last period the data covers to its end
    (:func:`csa.periods.last_complete` over every table's latest timestamp; the subscriptions' last
    month when no table has timestamps), with the reason in both languages."""
    import pandas as pd

    from ..io import load
    from ..periods import label, last_complete, parse_period

    ds = load(data, tz=tz or "Asia/Tokyo", mapping=mapping)
    ends = [df[col].max() for name, col in _EVENTS if (df := getattr(ds, name)) is not None and df[col].notna().any()]
    if ends:
        end = max(ends)
        p, cut = last_complete(pd.Series([end]), freq)
        day = pd.Timestamp(end).strftime("%Y-%m-%d")
        key = "period_default_cut" if cut else "period_default"
        shown = label(p, freq)
        return shown, {lang: _t(key, lang, period=shown, day=day, partial=label(p + 1, freq)) for lang in ("en", "ja")}
    if ds.subscriptions is not None and ds.subscriptions["month"].notna().any():
        m = ds.subscriptions["month"].max()
        p = parse_period(m.strftime("%Y-%m"), "month") if freq == "month" else None
        if p is not None:
            shown = label(p, freq)
            return shown, {lang: _t("period_default_months", lang, period=shown) for lang in ("en", "ja")}
    raise ValueError(f"--period: the data in {data} has no dates to take a period from; give --period, e.g. 2026-10")


def _health_file(data) -> Path | None:
    """The health file the health section reads when the report gives it none (:func:`csa.playbook.resolve`)."""
    from ..playbook import resolve

    return resolve(None, data)


def _skipped(plan: list, present: set[str] | None, registry_file: Path | None, lang: str) -> dict[int, str]:
    """Plan positions (1-based) of the sections not to run, with the reason in ``lang``: a table the section
    needs (``tables`` in notebooks/index.yaml) is not in the data, its survey (``survey``) has no answer, or it
    reads a KPI registry and there is none.
    ``present`` ``None`` (the data did not validate): every section runs and says what is wrong itself."""
    from ..catalog import notebooks

    if present is None:
        return {}
    entries = {e.file: e for e in notebooks()}
    out = {}
    for i, (nb, _, _) in enumerate(plan, 1):
        e = entries.get(nb.stem)
        missing = [t for t in (e.tables if e else ()) if t not in present]
        if missing:
            out[i] = _t("skip_tables", lang, tables=_t("and", lang).join(_t(f"table_{t}", lang) for t in missing))
        elif e is not None and e.survey and f"surveys:{e.survey}" not in present:
            out[i] = _t("skip_survey", lang, survey=e.survey.upper())
        elif registry_file is None and "registry" in declared_parameters(nb):
            out[i] = _t("skip_registry", lang)
    return out


def _skipped_entry(step: tuple, titles: dict, why: str) -> dict[str, Any]:
    """A section's manifest entry when it was not run (see :func:`_skipped`)."""
    nb = step[0]
    return {"name": nb.name, "title": titles[nb], "notebook": None, "html": None, "headline": None, "records": [],
            "lists": [], "status": "skipped", "error": None, "skipped": why, "parameters": step[2], "seconds": 0.0}


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


def run_report(period: str = "", *, data_dir: str | os.PathLike = "data/sample",
               out: str | os.PathLike | None = None, lang: str = "en", freq: str = "month",
               params: dict[str, Any] | None = None,
               notebooks: list[Path] | None = None, mapping: str | os.PathLike | None = None,
               tz: str | None = None, registry: str | os.PathLike | None = None,
               progress: Callable[[str], None] | None = print, jobs: int | None = None,
               engine: str | None = None, pdf: bool = False) -> dict:
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

    ``pdf``: the pages are also printed into one PDF in the report folder (:mod:`csa.report.pdf`);
    refused before anything runs when no Chromium is installed.
    """
    say = progress or (lambda _m: None)
    if pdf and find_chromium() is None:
        raise ValueError("--pdf prints the pages with Chromium, and none was found: install it (Debian/Ubuntu: "
                         "apt install chromium) or set CSA_CHROMIUM to its path; or leave out --pdf and print "
                         "index.html from a browser (File → Print → Save as PDF)")
    params = dict(params or {})
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"--jobs {jobs!r}: give the number of notebooks to run at once, 1 or more")
    data = Path(data_dir).resolve()
    period_note = None
    if period == "" and data.is_dir():  # the last period the data covers to its end, and why
        period, period_note = _default_period(data, freq, tz, mapping)
        say(f"period {period}: {period_note['en']}")
    mapping_file = _check_inputs(period, freq, lang, params, mapping, tz)
    if not data.is_dir():
        raise FileNotFoundError(f"data folder not found: {data}")
    target = _Target(out if out is not None else Path("reports") / period / lang)  # a folder per language
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
    from .. import cache
    from .. import registry as R
    from .. import scorecard as SC

    registry_file = SC.resolve_registry(registry, data)
    if registry_file is not None:
        R.load(registry_file)  # a bad registry is refused here, every problem listed
    base = {"data_dir": str(data), "period": period, "lang": lang, "freq": freq}
    optional = {k: v for k, v in (("mapping", str(mapping_file) if mapping_file else None), ("tz", tz),
                                  ("registry", str(registry_file) if registry_file else None), ("engine", engine))
                if v is not None}
    imported = _imported_settings(data)
    plan = []  # refuse before running anything
    for nb in nbs:
        declared = declared_parameters(nb)
        mine = _section_params(params, declared, len(nbs))  # -p: to the sections that declare it
        report_defaults = {k: v for k, v in {**REPORT_DEFAULTS, **imported}.items() if k in declared}
        given = build_parameters(nb, {**base, **report_defaults, **{k: v for k, v in optional.items()
                                                                     if k in declared}, **mine}, declared=declared)
        plan.append((nb, given, _effective(declared, given)))
    _refuse_undeclared(params, plan)
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
                "period_note": period_note,
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "inputs": inputs[:-1] if mapping_file else inputs,
                "mapping": None if mapping_file is None else {
                    "file": _shown_path(mapping_file, target.path), "bytes": inputs[-1]["bytes"],
                    "sha256": inputs[-1]["sha256"]},
                "versions": _versions(),
                "sources": "sources.html" if sources else None,
                "notebooks": [],
            }
            other = _other_language(target.path, lang) if out is None else None
            nav = _nav(lang, sources=sources is not None, other=other)
            manifest["other_language"] = None if other is None else {"lang": other[0], "href": other[1]}
            cache_dir = runtime / "dataset"
            load_tz, load_mapping = _load_options(plan)
            in_data = checker(period, freq)  # refuses a period outside the data's months
            data_bytes, present = _cache_dataset(data, cache_dir, load_tz, load_mapping, say, check=in_data)
            skipped = _skipped(plan, present, registry_file, lang)
            for i, why in sorted(skipped.items()):
                say(f"{section_label(i, len(plan), titles[plan[i - 1][0]])} — not run: {why}")
            stack.enter_context(_environ(cache.ENV, None if data_bytes is None else str(cache_dir)))  # kernels
            available = _memory_available()
            at_once = _jobs(jobs, len(plan), data_bytes, available)
            if at_once < _jobs(jobs, len(plan)):
                say(f"{at_once} notebook{'s' if at_once > 1 else ''} at a time: each kernel holds the data "
                    f"({data_bytes / 2**30:.1f} GiB) and {available / 2**30:.0f} GiB of memory are free "
                    "(--jobs sets it)")
            with _runtime_dir(runtime):
                order = [i for i in _start_order(plan, previous) if i not in skipped]
                ran = _run_notebooks(plan, at_once, build, titles, lang, period, nav, say, runtime, order=order,
                                     expected=_earlier_seconds(plan, previous))
            manifest["notebooks"] = [_skipped_entry(plan[i - 1], titles, why) if i in skipped else ran[i - 1]
                                     for i, why in ((i, skipped.get(i)) for i in range(1, len(plan) + 1))]
            after = {(x["file"], x["sha256"]) for x in _inputs(data, mapping_file)}
            changed = sorted({Path(x["file"]).name for x in inputs if (x["file"], x["sha256"]) not in after})
            if changed:
                manifest["changed_inputs"] = changed
                say(f"the inputs changed while the report ran: {', '.join(changed)}")
            manifest["ok"] = not changed and all(e["status"] in ("ok", "skipped") for e in manifest["notebooks"])
            if sources:
                (build / "sources.html").write_text(_sources_page(*sources, lang, period), encoding="utf-8")
            records = [r for nb in manifest["notebooks"] for r in nb.get("records", [])]
            pages = [nb["html"] for nb in manifest["notebooks"] if nb.get("html")]
            say("scorecard …")
            scorecard_html, manifest["scorecard"] = SC.front_page(
                registry_file, records, data_dir=data, period=period, freq=freq, lang=lang, tz=tz,
                mapping=mapping_file, pages=pages)
            manifest["front_page"] = SC.front_records(manifest["scorecard"], records)
            stack.close()  # the cache is not needed any more
            manifest["registry"] = None if registry_file is None else {
                "file": _shown_path(registry_file, target.path), "sha256": _sha256(registry_file)}
            health_file = _health_file(data)  # the health section's weights, bands and playbook
            manifest["health_file"] = None if health_file is None else {
                "file": _shown_path(health_file, target.path), "sha256": _sha256(health_file)}
            (build / "index.html").write_text(_index(manifest, target.path, sources=sources is not None,
                                                     scorecard=scorecard_html), encoding="utf-8")
            if pdf:
                say("PDF …")
                order = ["index.html", *(nb["html"] for nb in manifest["notebooks"] if nb.get("html")),
                         *(["sources.html"] if sources else [])]
                try:
                    manifest["pdf"] = write_pdf(build, order, period=period, lang=lang, jobs=_jobs(jobs, 2)).name
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:  # the HTML report still stands
                    manifest["ok"], manifest["pdf_error"] = False, str(exc)
                    say(f"PDF not written: {exc}")
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
            if final is target and manifest["ok"]:
                _remove_failed(failed, say)  # a failed run kept beside the report is superseded by it
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
