"""Time and peak memory of `csa sample` at 10k / 100k / 1M customers (24 months).

Each size runs in a fresh process so that peak RSS (ru_maxrss of the child) is its own.
Usage: python benchmarks/bench_sample.py [N ...]  → prints a Markdown table; results are
recorded in benchmarks/README.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

CHILD = """
import json, sys, time
from csa import sample
t = time.perf_counter()
counts = sample.write(sys.argv[1], n_customers=int(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t, "rows": counts}))
"""


def run(n: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, out, str(n)], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # MiB (max over children so far)
    return {"customers": n, "generate_and_write_s": res["seconds"], "process_wall_s": wall,
            "peak_rss_mib": peak, "rows": sum(res["rows"].values()), "csv_mib": size / 2**20}


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| customers | rows (all tables) | CSV size | generate + write | peak RSS |")
    print("|---:|---:|---:|---:|---:|")
    for n in sorted(sizes):  # ascending, so the running max of ru_maxrss is this size's peak
        r = run(n)
        print(f"| {n:,} | {r['rows']:,} | {r['csv_mib']:,.0f} MiB | {r['generate_and_write_s']:.1f} s | "
              f"{r['peak_rss_mib']:,.0f} MiB |", flush=True)
