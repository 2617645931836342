"""Running the notebooks: each in a worker thread with its own kernel (papermill), several at a time.

Each section gives its executed notebook, its page (:mod:`csa.report.pages`), its headline
records and its lists (:mod:`csa.report.lists`); a failing notebook fails only its section.
Kernel connection files and output stay in the run's private folder, and Ctrl-C or SIGTERM
stops every kernel before that folder is removed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .lists import _write_lists
from .pages import _html, _t

__all__ = ["SAVE_EVERY", "section_label"]


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


def _failed_page(lang: str, title: str, nav: str, notebook: str) -> str:
    """The page of a section that failed: what happened, in the reader's language, and where the details are."""
    from .pages import _e, _page

    body = (f"<h1>{_e(title)}</h1>\n<p class=\"failed\">{_e(_t('section_failed', lang))}</p>\n"
            f"<p class=\"meta\">{_e(_t('section_failed_details', lang, notebook=notebook))}</p>")
    return _page(lang, title, body, nav=nav)


def _report_cells(nb: Path, given: dict[str, Any] | None = None):
    """The notebook as a report section runs it: without its ``lesson`` cells (the teaching, with its examples
    on the sample's plans and teams, is neither run nor shown in a report), and without its ``agent-detail``
    cells (results per named agent) unless the run's ``agent_detail`` parameter is true."""
    import nbformat

    drop = {"lesson"} | (set() if (given or {}).get("agent_detail") else {"agent-detail"})
    node = nbformat.read(nb, as_version=4)
    node.cells = [c for c in node.cells if not drop & set(c.get("metadata", {}).get("tags", []))]
    return node


def _disk_full(exc: BaseException) -> OSError | None:
    """The "no space left" error behind ``exc`` (itself, or what it was raised from), if there is one."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _stop_if_disk_full(exc: BaseException, path: Path) -> None:
    """A full disk stops the whole run (every later write would fail too) with an error saying so."""
    full = _disk_full(exc)
    if full is not None:
        raise OSError(full.errno, f"the disk is full ({full.strerror or os.strerror(full.errno)}) while writing "
                                  f"{full.filename or path}", str(full.filename or path)) from exc


def _read_back(executed: Path, problems: list[str]):
    """The executed notebook as papermill saved it, or ``None`` (absent, or unreadable: a problem of the section)."""
    import nbformat

    if not executed.exists():
        return None
    try:
        return nbformat.read(executed, as_version=4)
    except Exception as exc:  # cut short (a write that failed half-way), not JSON, not a notebook
        _stop_if_disk_full(exc, executed)
        problems.append(f"the executed notebook {executed.name} could not be read back ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0] if str(exc) else ''})")
        return None


_DONE = {"ok": "done", "failed": "failed"}


class _Clock:
    """The run's elapsed time and, from the times of an earlier report, about how long is left.

    ``expected`` maps plan positions to seconds (an earlier report's); a section without one counts
    as the mean of those known. With nothing known there is no estimate, only the elapsed time.

    >>> c = _Clock({1: 10.0, 2: 30.0, 3: 20.0}, jobs=2, t0=0.0)
    >>> c.finished(2, now=31.0)
    '31 s so far, about 15 s left'
    >>> _Clock({}, jobs=2, t0=0.0).finished(1, now=4.0)
    '4 s so far'
    """

    def __init__(self, expected: dict[int, float] | None, jobs: int, t0: float | None = None):
        self.expected, self.jobs = dict(expected or {}), max(1, jobs)
        self.t0 = time.perf_counter() if t0 is None else t0
        self.done: set[int] = set()
        self.lock = threading.Lock()

    def finished(self, i: int, now: float | None = None) -> str:
        with self.lock:
            self.done.add(i)
            elapsed = (time.perf_counter() if now is None else now) - self.t0
            if not self.expected:
                return f"{elapsed:.0f} s so far"
            left = sum(s for j, s in self.expected.items() if j not in self.done) / self.jobs
            return f"{elapsed:.0f} s so far, about {max(left, 1.0):.0f} s left"


def section_label(i: int, n: int, title: str) -> str:
    """How the report's progress names a section: its place and its title.

    >>> section_label(3, 9, "CES (Customer Effort Score)")
    'section 3 of 9: CES (Customer Effort Score)'
    """
    return f"section {i} of {n}: {title}"


def _run_notebook(i: int, plan: list, build: Path, titles: dict, lang: str, period: str, nav: str,
                  say: Callable[[str], None], runtime: Path, kernels: list | None = None,
                  cancel: threading.Event | None = None, clock: _Clock | None = None) -> dict[str, Any]:
    """Run one notebook of the plan into ``build``: executed notebook, page, headline records, lists.

    The kernel managers it starts are listed in a list appended to ``kernels`` (so that another
    thread can end them); once ``cancel`` is set the run is abandoned (no page is made).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from ..headline import extract

    nb, given, effective = plan[i - 1]
    say(f"{section_label(i, len(plan), titles[nb])} …")
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
            papermill.execute_notebook(_report_cells(nb, given), str(executed), parameters=given, kernel_name="python3",
                                       engine_name=_engine_name(),
                                       progress_bar=False, log_output=False,  # cwd: the kernel's, not ours
                                       kernel_manager_class=_kernel_manager_class(runtime, log, started,
                                                                                  cwd=str(nb.parent)))
        finally:
            _stop_kernels(started)
    except PapermillExecutionError as exc:
        problems.append(f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}")
    except Exception as exc:  # kernel died, notebook unreadable, …: report it, go on
        _stop_if_disk_full(exc, executed)
        tail = _log_tail(log)
        problems.append(f"{type(exc).__name__}: {exc}" + (f" (kernel: {tail})" if tail else ""))
    if cancel is not None and cancel.is_set():  # the run is being stopped: its result is not wanted
        entry["status"], entry["error"] = "failed", "; ".join(problems) or "stopped"
        entry["seconds"] = round(time.perf_counter() - t0, 2)
        return entry
    node = _read_back(executed, problems)
    if node is not None:
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
            page_title = _t("page_title", lang, title=titles[nb], period=period)
            if problems:  # a short page in the reader's language; the error is in the manifest and the notebook
                (build / html_name).write_text(_failed_page(lang, page_title, nav, executed.name), encoding="utf-8")
            else:
                _html(node, build / html_name, lang=lang, nav=nav, title=page_title, params=effective)
            entry["html"] = html_name
        except Exception as exc:  # keep going: the executed notebook is still there
            problems.append(f"HTML export failed: {exc}")
    if problems:
        entry["status"], entry["error"] = "failed", "; ".join(problems)
    entry["seconds"] = round(time.perf_counter() - t0, 2)
    when = f" ({clock.finished(i)})" if clock is not None else ""
    say(f"{section_label(i, len(plan), titles[nb])} — {_DONE[entry['status']]} in {entry['seconds']:.1f} s{when}"
        + (f": {entry['error']}" if entry["error"] else ""))
    return entry


def _run_notebooks(plan: list, jobs: int, build: Path, titles: dict, lang: str, period: str, nav: str,
                   say: Callable[[str], None], runtime: Path, order: list[int] | None = None,
                   expected: dict[int, float] | None = None) -> list[dict[str, Any]]:
    """Run the notebooks of the plan, ``jobs`` at a time, started in ``order`` (plan positions, 1-based; default
    all, in plan order); their entries in plan order (``None`` for a position not in ``order``). Each section's
    last line says the time so far and, with ``expected`` (plan position → seconds, an earlier report's), about
    how long is left.

    Each notebook runs in a worker thread with its own kernel (``papermill.execute_notebook``:
    nbclient runs its own event loop in each thread), so a failing notebook only fails its
    entry. Progress lines come through ``say`` one at a time (with a bar on a terminal).
    Interrupted (``KeyboardInterrupt``/SIGTERM in the main thread, or an exception escaping a
    worker, e.g. from ``say``): no further notebook starts, every kernel of the run is killed
    and the workers are waited for (so that none writes into the run's folders once they are
    removed), then the exception goes on.
    """
    from ..progress import bar

    n = len(plan)
    entries: list[dict[str, Any] | None] = [None] * n
    escaped: list[BaseException] = []
    kernels: list[list] = []  # per notebook, the kernel managers it started
    cancel = threading.Event()
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()
    wanted = list(order) if order is not None else list(range(1, n + 1))  # plan positions to run, in start order
    known = {i: s for i, s in (expected or {}).items() if i in wanted}
    if known:  # a section the earlier report did not have: as long as the mean of the others
        mean = sum(known.values()) / len(known)
        known = {i: known.get(i, mean) for i in wanted}
    clock = _Clock(known, jobs)
    todo, todo_lock, say_lock = iter(wanted), threading.Lock(), threading.Lock()
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
                                                   kernels=kernels, cancel=cancel, clock=clock)
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
            while done < len(wanted) and not escaped:
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
    missing = [plan[i][0].name for i, e in enumerate(entries) if e is None and i + 1 in wanted]
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
