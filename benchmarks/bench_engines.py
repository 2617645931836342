"""NPS by month and touchpoint from Parquet files: csa on pandas, csa on DuckDB, plain DuckDB SQL (and Spark).

N responses (default 10 M; shaped as in ``bench_nps.py``: Tokyo timestamps, five touchpoints,
integer scores) are written once as Parquet files (1 M rows each) into a temporary folder
``<tmp>/surveys/``. Each contender then goes from those files to the same NPS table (counts per
Tokyo month and touchpoint, then ``nps_stats``):

* ``csa pandas``  ``csa.engines.read(..., engine="pandas")`` (the files into memory) + ``nps_counts``;
* ``csa duckdb``  ``csa.engines.read(..., engine="duckdb")`` (a lazy relation) + ``nps_counts``;
* ``duckdb SQL``  one hand-written query (``count(*) FILTER``, ``date_trunc(… AT TIME ZONE …)``),
  the reference;
* ``csa spark``   with ``--spark``: a local Spark session on all cores + ``nps_counts``.

Each contender runs in its own process (so its peak RSS is its own): once to warm up (start-up
included) and to check its table against the reference, then ``--repeat`` rounds (default 5) in
which every contender runs once in turn, so that a busy moment of the machine hits them all alike;
the best time is kept. Ratios are against DuckDB SQL measured in the same run. Spark's peak adds
the JVM's (Linux ``VmHWM``) to Python's.

Usage: python benchmarks/bench_engines.py [N] [--repeat 5] [--spark] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TOUCHPOINTS = np.array(["post_purchase", "web_visit", "support_contact", "sales_call", "relationship"])
CHUNK = 1_000_000

SQL = """
SELECT date_trunc('month', responded_at AT TIME ZONE 'Asia/Tokyo') AS period, touchpoint,
       count(*) FILTER (WHERE score BETWEEN 0 AND 10) AS n,
       count(*) FILTER (WHERE score BETWEEN 9 AND 10) AS promoters,
       count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives,
       count(*) FILTER (WHERE score BETWEEN 0 AND 6) AS detractors,
       count(*) FILTER (WHERE score IS NULL OR score NOT BETWEEN 0 AND 10) AS excluded
FROM read_parquet('{glob}') GROUP BY ALL ORDER BY ALL
"""


def write(folder: Path, n: int, seed: int = 0) -> None:
    """N responses as Parquet files of CHUNK rows (microsecond timestamps, readable by Spark)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-11-01T00:00:00", "s").astype("int64")
    out = folder / "surveys"
    out.mkdir(parents=True)
    for i, lo in enumerate(range(0, n, CHUNK)):
        m = min(CHUNK, n - lo)
        secs = rng.integers(0, 730 * 86400, m) + start
        table = pa.table({
            "responded_at": pa.array(secs * 1_000_000, pa.timestamp("us", tz="Asia/Tokyo")),
            "touchpoint": pa.array(TOUCHPOINTS[rng.integers(0, 5, m)], pa.string()),
            "score": pa.array(rng.integers(0, 11, m), pa.int64())})
        pq.write_table(table, out / f"part-{i:04d}.parquet")


# ------------------------------------------------------------------------------- contenders

def csa_pandas(folder: Path, state: dict) -> pd.DataFrame:
    from csa import engines as E
    from csa.metrics.nps import nps_stats

    df = E.read(folder, "surveys", engine="pandas")
    return nps_stats(E.nps_counts(df, [E.period("responded_at"), "touchpoint"]))


def csa_duckdb(folder: Path, state: dict) -> pd.DataFrame:
    from csa import engines as E
    from csa.metrics.nps import nps_stats

    con = state.setdefault("con", E.connect(tz="Asia/Tokyo"))
    rel = E.read(folder, "surveys", engine="duckdb", con=con)
    return nps_stats(E.nps_counts(rel, [E.period("responded_at"), "touchpoint"]))


def duckdb_sql(folder: Path, state: dict) -> pd.DataFrame:
    import duckdb

    from csa.metrics.nps import nps_stats

    con = state.setdefault("con", duckdb.connect())
    out = con.execute(SQL.format(glob=folder / "surveys" / "*.parquet")).df()
    out["period"] = out["period"].dt.to_period("M")  # naive Tokyo month starts → Period, as csa gives
    return nps_stats(out)


def csa_spark(folder: Path, state: dict) -> pd.DataFrame:
    from csa import engines as E
    from csa.metrics.nps import nps_stats

    spark = state.setdefault("spark", E.spark_session(tz="Asia/Tokyo", cores="*"))
    sdf = E.read(folder, "surveys", engine="spark", spark=spark)
    return nps_stats(E.nps_counts(sdf, [E.period("responded_at"), "touchpoint"]))


CONTENDERS = {"csa pandas": csa_pandas, "csa duckdb": csa_duckdb, "duckdb SQL": duckdb_sql, "csa spark": csa_spark}


def _worker(name: str, folder: str, conn) -> None:
    """A contender's own process: runs it on each "run" message; on "stop", reports its peak RSS."""
    fn, state, folder = CONTENDERS[name], {}, Path(folder)
    while conn.recv() == "run":
        t = time.perf_counter()
        table = fn(folder, state)
        conn.send((time.perf_counter() - t, table))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if "spark" in state:  # add the JVM's own peak (driver and executors of local mode)
        status = Path(f"/proc/{state['spark'].sparkContext._gateway.proc.pid}/status").read_text()
        peak += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
        state["spark"].stop()
    conn.send(peak)


def measure(names: list[str], folder: Path, repeat: int) -> dict:
    """First run of each contender (start-up included; its table is kept for the check), then
    ``repeat`` rounds that run every contender once in turn, so that a busy moment of the machine
    hits them all alike. Returns name → (first, best, peak MiB, table)."""
    ctx = mp.get_context("spawn")
    pipes, procs = {}, []
    for name in names:
        parent, child = ctx.Pipe()
        procs.append(ctx.Process(target=_worker, args=(name, str(folder), child)))
        procs[-1].start()
        pipes[name] = parent
    first, times, tables = {}, {n: [] for n in names}, {}
    for name, pipe in pipes.items():
        pipe.send("run")
        first[name], tables[name] = pipe.recv()
    for _ in range(repeat):
        for name, pipe in pipes.items():
            pipe.send("run")
            times[name].append(pipe.recv()[0])
    out = {}
    for name, pipe in pipes.items():
        pipe.send("stop")
        out[name] = (first[name], min(times[name]), pipe.recv(), tables[name])
    for proc in procs:
        proc.join()
    return out


def main() -> None:
    import duckdb

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=10_000_000, help="responses (default 10,000,000)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per contender (best is kept)")
    ap.add_argument("--spark", action="store_true", help="also run csa on a local Spark session")
    ap.add_argument("--keep", help="write (or reuse) the Parquet files in this folder instead of a temporary one")
    args = ap.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_engines_"))
    try:
        t = time.perf_counter()
        if not (folder / "surveys").is_dir():
            write(folder, args.n)
        size = sum(f.stat().st_size for f in (folder / "surveys").iterdir()) / 2**20
        print(f"rows {args.n:,}; {size:,.0f} MiB of Parquet in {len(list((folder / 'surveys').iterdir()))} files "
              f"(ready in {time.perf_counter() - t:.1f} s); cores {os.cpu_count()}; duckdb {duckdb.__version__}; "
              f"pandas {pd.__version__}")
        names = ["duckdb SQL", "csa duckdb", "csa pandas"] + (["csa spark"] if args.spark else [])
        results = measure(names, folder, args.repeat)
        ref = results["duckdb SQL"][3]
        cols = ["period", "touchpoint", "n", "promoters", "passives", "detractors", "excluded", "nps"]
        for *_, table in results.values():
            pd.testing.assert_frame_equal(table[cols], ref[cols], check_dtype=False, check_exact=False)
        print(f"all tables equal ({len(ref):,} groups); best of {args.repeat} interleaved rounds; "
              f"load average at the end {os.getloadavg()[0]:.1f}\n")
        base = results["duckdb SQL"][1]
        print(f"{'contender':<12} {'first run':>10} {'best':>9} {'÷ SQL':>7} {'peak RSS':>10}")
        for name, (first, best, peak, _) in results.items():
            print(f"{name:<12} {first:>8.2f} s {best:>7.3f} s {best / base:>6.2f}× {peak:>7,.0f} MiB")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
