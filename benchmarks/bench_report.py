"""Wall time and peak memory of `csa report` (all report sections) at given data folders or sizes.

    python benchmarks/bench_report.py [--data DIR ...] [--customers N ...] [--period 2026-10]
                                      [--jobs N] [--lang en] [--keep DIR]
                                      [--cap-validation GIB] [--cap-kernels GIB] [--max-tree-gib GIB]

Each run is ``python -m csa.cli report --period P --data DIR --out TMP`` in a child process.
``--customers N`` first generates a sample of N customers (24 months, ``csa sample``) into a
temporary folder; its generation is timed apart and not counted. While the report runs, the
process tree (the ``csa`` process and every descendant: the notebook kernels) is sampled every
0.5 s and the sum of its resident set sizes recorded; the peak of that sum is the report's
memory footprint (an upper bound: pages shared between processes, such as the Python
libraries, are counted once per process). Prints one Markdown row per run, plus the report's
own progress lines (``validating data``, each section's time) and the largest processes' peaks.
Results go to ``benchmarks/README.md``.

On a shared machine, ``--cap-validation GIB`` and ``--cap-kernels GIB`` cap the address space
(``RLIMIT_AS``) of the ``csa`` process (set when it starts; its kernels inherit it) and of every
kernel it starts (lowered by the sampler within 0.5 s of the kernel's start, while it is still
importing): a notebook that
outgrows memory then fails with ``MemoryError`` instead of waking the OOM killer, which could
pick another user's process. Arrow and mimalloc reserve much more address space than they use,
so ``--max-tree-gib GIB`` is the gentler guard: when the tree's RSS passes GIB, the sampler
kills the largest kernel (its notebook fails with "kernel died") and says so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PERIOD = "2026-10"  # csa sample ends in 2026-10 by default, as the bundled sample


def _tree_rss(pid: int) -> dict[int, int]:
    """RSS in bytes of ``pid`` and of each of its descendants (the kernels), by process id."""
    try:
        import psutil
    except ImportError:  # /proc fallback: every process whose ancestry reaches pid
        return _proc_tree_rss(pid)
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return {}
    out = {}
    for p in procs:
        try:
            out[p.pid] = p.memory_info().rss
        except psutil.Error:
            continue
    return out


def _proc_tree_rss(pid: int) -> dict[int, int]:
    parent, rss = {}, {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parent[int(d.name)] = int(fields.get("PPid", "0").strip())
        rss[int(d.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    out = {}
    for p in rss:
        q = p
        while q and q != pid:
            q = parent.get(q, 0)
        if q == pid:
            out[p] = rss[p]
    return out


class Sampler(threading.Thread):
    """Samples the tree's RSS every ``every`` seconds until stopped; keeps the peaks (and each process's)."""

    def __init__(self, pid: int, every: float = 0.5, cap: float | None = None, max_tree: float | None = None) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.t0 = pid, every, time.perf_counter()
        self.cap = None if cap is None else int(cap * 2**30)
        self.max_tree = None if max_tree is None else int(max_tree * 2**30)
        self.killed: list[str] = []
        self._quiet_until = 0.0  # after a kill, the dying kernel's memory takes a moment to go
        self.peak_tree = self.peak_parent = 0
        self.per_process: dict[int, tuple[int, float]] = {}  # pid -> (peak RSS, seconds since start at the peak)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            rss = _tree_rss(self.pid)
            now = time.perf_counter() - self.t0
            self.peak_tree = max(self.peak_tree, sum(rss.values()))
            kernels = {p: r for p, r in rss.items() if p != self.pid}
            if self.max_tree is not None and sum(rss.values()) > self.max_tree and kernels \
                    and now >= self._quiet_until:
                victim = max(kernels, key=kernels.get)
                try:
                    os.kill(victim, signal.SIGKILL)
                    self._quiet_until = now + 3
                    self.killed.append(f"kernel {victim} at {now:.0f} s ({kernels[victim] / 2**30:.1f} GiB; "
                                       f"tree {sum(rss.values()) / 2**30:.1f} GiB)")
                    print(f"    watchdog: killed {self.killed[-1]}", flush=True)
                except OSError:
                    pass
            self.peak_parent = max(self.peak_parent, rss.get(self.pid, 0))
            for p, r in rss.items():
                if self.cap is not None and p != self.pid and p not in self.per_process:
                    try:  # a new kernel: cap it
                        resource.prlimit(p, resource.RLIMIT_AS, (self.cap, self.cap))
                    except (OSError, ValueError):
                        pass
                if r > self.per_process.get(p, (0, 0.0))[0]:
                    self.per_process[p] = (r, now)
            self.stop.wait(self.every)


def generate(n: int, folder: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "csa.cli", "sample", "--customers", str(n), "--out", str(folder)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def _cap(gib: float | None):
    if gib is None:
        return None
    limit = int(gib * 2**30)
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_report(data: Path, out: Path, period: str, jobs: int | None, lang: str,
               cap_validation: float | None = None, cap_kernels: float | None = None,
               max_tree: float | None = None) -> dict:
    args = [sys.executable, "-m", "csa.cli", "report", "--period", period, "--data", str(data), "--out", str(out),
            "--lang", lang]
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    t = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CSA_NO_PROGRESS": "1"}, preexec_fn=_cap(cap_validation))
    sampler = Sampler(proc.pid, cap=cap_kernels, max_tree=max_tree)
    sampler.start()
    lines = []
    for line in proc.stderr:
        line = line.rstrip("\n")
        lines.append(line)
        print(f"    {time.perf_counter() - t:7.1f} s  {line}", flush=True)
    code = proc.wait()
    wall = time.perf_counter() - t
    sampler.stop.set()
    sampler.join()
    sections = []
    manifest = out / "manifest.json"
    if not manifest.exists():
        manifest = out.parent / f"{out.name}.failed" / "manifest.json"
    if manifest.exists():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        sections = [(nb["name"], nb["status"], nb["seconds"]) for nb in m["notebooks"]]
    top = sorted(sampler.per_process.items(), key=lambda x: -x[1][0])[:4]
    print("    largest processes (peak RSS at, seconds from start): " + ", ".join(
        f"{'csa' if p == proc.pid else 'kernel'} {r / 2**30:.2f} GiB at {at:.0f} s" for p, (r, at) in top), flush=True)
    return {"code": code, "wall": wall, "peak_tree": sampler.peak_tree, "peak_parent": sampler.peak_parent,
            "sections": sections, "lines": lines}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", action="append", default=[], metavar="DIR", help="a data folder (repeatable)")
    ap.add_argument("--customers", action="append", type=int, default=[], metavar="N",
                    help="generate a sample of N customers first (repeatable)")
    ap.add_argument("--period", default=SAMPLE_PERIOD)
    ap.add_argument("--jobs", type=int, default=None, help="passed to csa report --jobs (default: its own)")
    ap.add_argument("--lang", default="en", choices=["en", "ja"])
    ap.add_argument("--keep", default=None, metavar="DIR", help="write the reports under DIR instead of a temp folder")
    ap.add_argument("--cap-validation", type=float, default=None, metavar="GIB",
                    help="address-space cap of the csa process while it validates the data")
    ap.add_argument("--cap-kernels", type=float, default=None, metavar="GIB",
                    help="address-space cap of each kernel (set as it starts)")
    ap.add_argument("--max-tree-gib", type=float, default=None, metavar="GIB",
                    help="kill the largest kernel when the tree's RSS passes GIB")
    args = ap.parse_args()
    targets: list[tuple[str, Path | int]] = [(d, Path(d).resolve()) for d in args.data]
    targets += [(f"sample {n:,}", n) for n in args.customers]
    if not targets:
        targets = [("data/sample", ROOT / "data" / "sample")]
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"jobs {args.jobs if args.jobs is not None else 'default'}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="csa-bench-report-") as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        for i, (label, target) in enumerate(targets):
            if isinstance(target, int):
                folder = Path(tmp) / f"s{target}"
                took = generate(target, folder)
                print(f"  generated {label} in {took:.0f} s", flush=True)
            else:
                folder = target
            print(f"  {label}: csa report …", flush=True)
            r = run_report(folder, base / f"rep{i}", args.period, args.jobs, args.lang, args.cap_validation,
                           args.cap_kernels, args.max_tree_gib)
            slowest = max(r["sections"], key=lambda s: s[2]) if r["sections"] else ("-", "-", 0)
            rows.append(f"| {label} | {r['wall']:.0f} s | {r['peak_tree'] / 2**30:.2f} GiB | "
                        f"{r['peak_parent'] / 2**30:.2f} GiB | {slowest[0]} {slowest[2]:.0f} s | "
                        f"{'ok' if r['code'] == 0 else 'exit ' + str(r['code'])} |")
            print(rows[-1], flush=True)
    print("\n| data | wall | peak RSS, process tree | peak RSS, csa process | slowest section | result |")
    print("|---|---:|---:|---:|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
