"""NPS by month and touchpoint on 10 M responses: csa against DuckDB SQL, in the same run.

Both start from the same pandas DataFrame (what ``csa.load`` returns: tz-aware timestamps in the
business time zone, text touchpoints, integer scores) and produce the same table: per month
(Tokyo wall-clock time) and touchpoint, n, promoters, passives, detractors and NPS. The script
checks that the two tables are equal, then reports best-of-5 times, their ratio and peak memory.

Usage: python benchmarks/bench_nps.py [N]     (default 10_000_000)
"""

from __future__ import annotations

import os
import resource
import sys
import time

import numpy as np
import pandas as pd

from csa.metrics import nps as N
from csa.periods import period_of

TOUCHPOINTS = np.array(["post_purchase", "web_visit", "support_contact", "sales_call", "relationship"])


def make(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-11-01T00:00:00", "s").astype("int64")
    secs = rng.integers(0, 730 * 86400, n) + start
    ts = pd.to_datetime(secs, unit="s", utc=True).tz_convert("Asia/Tokyo")
    return pd.DataFrame({"responded_at": ts,
                         "touchpoint": pd.array(TOUCHPOINTS[rng.integers(0, 5, n)], dtype="str"),
                         "score": rng.integers(0, 11, n).astype("int64")})


def with_csa(df: pd.DataFrame) -> pd.DataFrame:
    resp = df.assign(period=period_of(df["responded_at"], "month"))
    return N.nps_stats(N.nps_counts(resp, ["period", "touchpoint"]))


# The fastest of the formulations tried (strftime(... AT TIME ZONE ...), date_trunc on
# `+ INTERVAL 9 HOUR`, date_trunc(... AT TIME ZONE ...)): scanning the tz-aware pandas column
# dominates DuckDB's time, not the SQL.
SQL = """
SELECT date_trunc('month', responded_at AT TIME ZONE 'Asia/Tokyo') AS period, touchpoint,
       count(*) AS n,
       count(*) FILTER (WHERE score >= 9) AS promoters,
       count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives,
       count(*) FILTER (WHERE score <= 6) AS detractors,
       100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*) AS nps
FROM df GROUP BY ALL ORDER BY ALL
"""


def with_duckdb(con, df: pd.DataFrame) -> pd.DataFrame:
    con.register("df", df)
    return con.execute(SQL).df()


def best(fn, repeat=5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    import duckdb

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    df = make(n)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    a = with_csa(df)
    b = with_duckdb(con, df)
    b["period"] = b["period"].dt.strftime("%Y-%m")
    a2 = a.assign(period=a["period"].astype(str)).sort_values(["period", "touchpoint"]).reset_index(drop=True)
    for c in ("n", "promoters", "passives", "detractors"):
        assert (a2[c].to_numpy() == b[c].to_numpy()).all(), c
    np.testing.assert_allclose(a2["nps"], b["nps"])
    t_csa = best(lambda: with_csa(df))
    t_duck = best(lambda: with_duckdb(con, df))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows {n:,}; groups {len(a):,}; cores {os.cpu_count()}; duckdb {duckdb.__version__}; "
          f"pandas {pd.__version__}")
    print(f"csa     {t_csa:.3f} s")
    print(f"duckdb  {t_duck:.3f} s")
    print(f"ratio   {t_csa / t_duck:.2f}x  (csa / duckdb, best of 5 each)")
    print(f"peak RSS of the whole run {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
