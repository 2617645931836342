"""Validated loading against plain file reading: ``csa.load`` vs DuckDB ``read_csv`` vs pandas+pyarrow.

Usage: python benchmarks/bench_load.py [FOLDER] [ROUNDS]

FOLDER is a data folder (default: data/sample; make a big one with
``csa sample --out /tmp/s100k --customers 100000``). Every contender reads all the CSV files of the
folder into memory, each run in a fresh process (so peak RSS is its own and no cache is shared
between them), rounds alternating between contenders; the best time per contender is reported,
with the ratio to DuckDB (target for csa: ≤ 2×) and peak RSS against the CSV size (target ≤ 3×).

Imports happen before the clock starts (``import csa`` itself takes ~1.5 s, mostly scipy).

* ``csa.load``: read, normalise, convert and check every rule (the product);
* DuckDB: ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` per file (typed by sniffing, no checks);
* pandas+pyarrow: ``pandas.read_csv(file, engine="pyarrow")`` per file (typed by inference, no checks).
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
folder, who = Path(sys.argv[1]), sys.argv[2]
files = sorted(folder.glob("*.csv"))
if who == "csa":  # imports outside the clock: the reading is what is compared
    import csa
elif who == "duckdb":
    import duckdb
else:
    import pandas as pd
t = time.perf_counter()
if who == "csa":
    ds = csa.load(folder)
    rows = sum(len(df) for df in ds.tables().values())
elif who == "duckdb":
    con = duckdb.connect()
    rows = 0
    for f in files:
        con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM read_csv('{f}')")
        rows += con.execute(f"SELECT count(*) FROM {f.stem}").fetchone()[0]
else:
    rows = sum(len(pd.read_csv(f, engine="pyarrow")) for f in files)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rows": rows,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CONTENDERS = ("csa", "duckdb", "pandas+pyarrow")


def run(folder: Path, who: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(folder), who], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "data/sample")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    size = sum(f.stat().st_size for f in folder.glob("*.csv"))
    results: dict[str, list[dict]] = {w: [] for w in CONTENDERS}
    for _ in range(rounds):
        for who in CONTENDERS:
            results[who].append(run(folder, who))
    best = {w: min(r["seconds"] for r in rs) for w, rs in results.items()}
    rows = {w: rs[0]["rows"] for w, rs in results.items()}
    print(f"{folder}: {size / 2**20:,.0f} MiB of CSV, {rows['csa']:,} rows; best of {rounds}, "
          f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, "
          f"peak RSS of the parent {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    print("| contender | best | all runs | ÷ DuckDB | peak RSS | peak ÷ CSV size |")
    print("|---|---:|---|---:|---:|---:|")
    for w in CONTENDERS:
        peak = max(r["peak_mib"] for r in results[w])
        runs = ", ".join(f"{r['seconds']:.2f}" for r in results[w])
        print(f"| {w} | {best[w]:.2f} s | {runs} | {best[w] / best['duckdb']:.2f}× | {peak:,.0f} MiB "
              f"| {peak * 2**20 / size:.1f}× |")


if __name__ == "__main__":
    main()
