"""`csa report` killed, interrupted and run twice at once: `--out` is never missing or half-written.

Each test starts `csa report` as a subprocess on a tiny notebook (no pandas in its kernel, so a
run takes about three seconds) and checks `--out` from outside: "complete" means a valid
manifest with the format marker and every file it lists present with its SHA-256. Marked
``slow``; the kill test takes about a minute. ``CSA_KILL_SEED`` replays a sequence of kill moments.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from csa import report
from csa.report import folder as report_folder

from .conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")]

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
PARAMS = ('data_dir = ""\nperiod = ""\nlang = "en"\nfreq = "month"\n'
          "run = 0  # which run wrote the report [0, 10000]\nnap = 0.0  # seconds to wait in the middle [0, 60]")
BODY = f"""\
import time
from IPython.display import display
time.sleep(nap)
rows = [[f"C{{i:05d}}", "=cmd" if i % 2 else "ok", i] for i in range(30)]
display({{"text/plain": "a list", "{report.TABLE_MIMETYPE}": {{"name": "people", "title": "People",
         "columns": ["id", "note", "n"], "rows": rows}}}}, raw=True)
print("run", run)"""


def make_setup(root: Path) -> dict[str, Path]:
    """The tiny notebook and a one-file data folder in ``root``."""
    nb = root / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Tiny"),
                                       new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
                                       new_code_cell(BODY)], metadata=KERNEL), nb)
    data = root / "data"
    data.mkdir()
    (data / "customers.csv").write_text("customer_id\nC00001\n", encoding="utf-8")
    return {"root": root, "nb": nb, "data": data}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    return make_setup(tmp_path_factory.mktemp("faults"))


def _args(setup, out: Path, run: int, nap: float) -> list[str]:
    return ["report", "--period", "2026-10", "--data", str(setup["data"]), "--out", str(out),
            "--notebook", str(setup["nb"]), "-p", "run", str(run), "-p", "nap", str(nap)]


class Run:
    """``csa report`` in another process, its stderr lines collected as they come.

    ``warm=False``: a fresh ``python -m csa.cli`` (the real entry point). ``warm=True``: a fork
    of this test process, which has imported csa already, calling ``csa.cli.main``: the same
    code from argument parsing on, killed the same way, without the 1–2 s of imports per try.
    """

    def __init__(self, setup, out: Path, run: int, nap: float = 0.0, env: dict | None = None,
                 warm: bool = False) -> None:
        args, env = _args(setup, out, run, nap), env or {}
        self.t0 = time.monotonic()
        if warm:
            self.proc = _Forked(args, env)
            stream = self.proc.stderr
        else:
            self.proc = subprocess.Popen([sys.executable, "-m", "csa.cli", *args], cwd=ROOT,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                         env={**os.environ, **env})
            stream = self.proc.stderr
        self.lines: list[str] = []
        self.events = {key: threading.Event() for key in ("started", "publishing")}
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("section 1 of 1"):
                self.events["started"].set()
            if line.startswith("publishing"):
                self.events["publishing"].set()

    def wait(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code


class _Forked:
    """A forked child running ``csa.cli.main(args)``, with a Popen-like ``send_signal`` and ``wait``."""

    def __init__(self, args: list[str], env: dict) -> None:
        from csa.cli import main

        r, w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns into pytest
            code = 99
            try:
                os.close(r)
                os.dup2(w, 2)
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
                sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.environ.update(env)
                os.chdir(ROOT)
                code = main(args)
            except BaseException as exc:
                print(f"child failed: {exc!r}", file=sys.stderr, flush=True)
            finally:
                os._exit(code)
        os.close(w)
        self.stderr = open(r, encoding="utf-8")
        self.returncode = None

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def wait(self, timeout: float = 60) -> int:
        end = time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > end:
                raise TimeoutError(f"pid {self.pid} still running")
            else:
                time.sleep(0.01)
        return self.returncode


def _read_at(fd: int, name: str) -> bytes:
    with os.fdopen(os.open(name, os.O_RDONLY, dir_fd=fd), "rb") as fh:
        return fh.read()


def state(out: Path, *, hashes: bool = True) -> str | None:
    """The run whose complete report is at ``out`` (``None``: nothing there); AssertionError if half-written.

    Complete: a manifest with the format marker, and every file it lists there with its SHA-256
    (``hashes=False``: its size, cheaper for the watcher). The folder is opened once and read
    through that handle, so that a report published while it is being read is not mistaken for
    a broken one: then it is read again.
    """
    for _ in range(20):
        try:
            fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            return None
        try:
            try:
                m = json.loads(_read_at(fd, "manifest.json"))
                assert m["format"] == "csa-report" and m["format_version"] == report.FORMAT_VERSION
                for f in m["files"]:
                    if hashes:
                        assert hashlib.sha256(_read_at(fd, f["name"])).hexdigest() == f["sha256"], f["name"]
                    else:
                        assert os.stat(f["name"], dir_fd=fd).st_size == f["bytes"], f["name"]
                assert m["ok"] and {f["name"] for f in m["files"]} >= {"index.html", "tiny.html", "tiny.people.csv"}
                return m["parameters"]["run"]
            except (OSError, ValueError, KeyError, AssertionError) as exc:
                if os.stat(out).st_ino != os.fstat(fd).st_ino:
                    continue  # --out moved on to another report while we read this one: read again
                raise AssertionError(f"{out} is half-written: {type(exc).__name__}: {exc}") from None
        finally:
            os.close(fd)
    raise AssertionError(f"{out} kept changing while being read")


def kernels(root: Path) -> list[int]:
    """Kernel processes started by runs under ``root`` (their connection file is in a run's folder there)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"ipykernel_launcher" in b" ".join(cmd) and any(str(root).encode() in c for c in cmd):
                found.append(int(proc.name))
    return found


def wait_for_no_kernels(root: Path, timeout: float = 15) -> list[int]:
    end = time.monotonic() + timeout
    while (left := kernels(root)) and time.monotonic() < end:
        time.sleep(0.2)
    return left


def hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name and p.name != f".{out.name}.csa-lock")


class Watcher(threading.Thread):
    """Reads ``out`` over and over while a run is going; records any moment it was missing or half-written."""

    def __init__(self, out: Path, allowed: set) -> None:
        super().__init__(daemon=True)
        self.out, self.allowed, self.seen, self.problems = out, allowed, set(), []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                s = state(self.out, hashes=False)
                self.seen.add(s)
                if s not in self.allowed:
                    self.problems.append(f"--out held run {s!r}, expected one of {self.allowed}")
            except AssertionError as exc:
                self.problems.append(str(exc))
            time.sleep(0.01)


def kill_loop(setup, out: Path, tries: int, swap: str, seed: int) -> tuple[float, list[tuple]]:
    """Publish a first report at ``out``, then start ``tries`` runs and SIGKILL each at a random moment.

    Odd tries are killed anywhere in the run (uniform over one run's duration), even ones just
    after they say "publishing" (uniform over 20 ms: the swap and the removal of the old report).
    After each kill ``out`` must hold a complete report, the old or the new, and a watcher
    reading it all along must never have found it missing or half-written. Returns one run's
    duration and per try ``(try, finished|killed, last progress word, old|new)``.
    """
    env = {"CSA_REPORT_SWAP": swap}
    first = Run(setup, out, 0, env=env)  # the real entry point, once
    assert first.wait() == 0, first.lines
    warm = Run(setup, out, 0, env=env, warm=True)
    assert warm.wait() == 0, warm.lines
    full = time.monotonic() - warm.t0
    assert state(out) == "0"
    rng = random.Random(seed)
    current, outcomes = "0", []
    for i in range(1, tries + 1):
        watcher = Watcher(out, {current, str(i)})
        watcher.start()
        run = Run(setup, out, i, env=env, warm=True)
        if i % 2:  # anywhere in the run, from argument parsing to exit
            time.sleep(rng.uniform(0, full * 1.05))
        else:  # around the swap: the moments that matter most
            run.events["publishing"].wait(full * 3)
            time.sleep(rng.uniform(0, 0.02))
        run.proc.send_signal(signal.SIGKILL)
        code = run.wait()
        watcher.stop.set()
        watcher.join(5)
        after = state(out)  # complete, never missing
        assert after in (current, str(i)), (f"seed {seed}, try {i}", after, current)
        assert not watcher.problems, (f"seed {seed}, try {i}", watcher.problems[:3])
        where = run.lines[-1].split(" ")[0] if run.lines else "(starting)"
        outcomes.append((i, "finished" if code == 0 else "killed", where, "new" if after == str(i) else "old"))
        current = after
    return full, outcomes


@pytest.mark.parametrize("swap,tries", [("exchange", 20), ("symlink", 6)])
def test_sigkill_at_random_moments_never_leaves_out_missing_or_half_written(setup, tmp_path, swap, tries):
    if swap == "exchange" and report_folder._renameat2() is None:
        pytest.skip("renameat2 is not available here")
    out = tmp_path / "pub" / "out"
    seed = int(os.environ.get("CSA_KILL_SEED", "20261031"))
    full, outcomes = kill_loop(setup, out, tries, swap, seed)
    print(f"\n{swap}: seed {seed}, one run {full:.1f} s;", ", ".join(f"{i}:{c}@{w}->{r}" for i, c, w, r in outcomes))
    if tries >= 10:
        assert {o[3] for o in outcomes} == {"old", "new"}  # kills landed on both sides of the swap
    # the next run cleans up after all the killed ones
    last = Run(setup, out, 9999, env={"CSA_REPORT_SWAP": swap})
    assert last.wait() == 0, last.lines
    assert state(out) == "9999"
    assert not wait_for_no_kernels(tmp_path), "kernels of killed runs outlived them"
    assert hidden(out) == ([os.readlink(out)] if swap == "symlink" else [])


def test_sigint_ends_with_one_line_and_leaves_the_earlier_report(setup, tmp_path):
    out = tmp_path / "out"
    assert Run(setup, out, 1).wait() == 0
    before = state(out)
    for sig, code, words in ((signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped by SIGTERM")):
        run = Run(setup, out, 2, nap=30)
        assert run.events["started"].wait(30), run.lines
        deadline = time.monotonic() + 20
        while not kernels(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        (pid,) = kernels(tmp_path)  # its connection file is in the run's own folder, not in /tmp
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        conn = Path(cmd[cmd.index(b"-f") + 1].decode())
        assert conn.parent.name.startswith(".out.csa-run-") and conn.parent.parent == tmp_path
        run.proc.send_signal(sig)
        assert run.wait(30) == code
        said = [ln for ln in run.lines if not ln.startswith("validating data")]  # the data: not a valid set
        assert said == ["section 1 of 1: Tiny …", f"csa report: {words}; the report folder was left as it was"]
        assert state(out) == before and hidden(out) == []
        assert not wait_for_no_kernels(tmp_path)


def test_two_runs_at_once_one_waits_for_nothing_and_is_refused(setup, tmp_path):
    out = tmp_path / "out"
    a = Run(setup, out, 1, nap=6)  # long enough for a fresh process to reach the lock on a busy machine
    assert a.events["started"].wait(30)
    b = Run(setup, out, 2)
    assert b.wait() == 2
    assert len(b.lines) == 1 and b.lines[0].startswith(f"csa report: another csa report run is writing {out} (pid ")
    assert f"(pid {a.proc.pid}, started " in b.lines[0]
    assert a.wait() == 0 and state(out) == "1" and hidden(out) == []
    # started together: exactly one of them runs
    runs = [Run(setup, out, n, nap=1) for n in (3, 4)]
    codes = sorted(r.wait() for r in runs)
    assert codes == [0, 2]
    assert state(out) in ("3", "4") and hidden(out) == []
