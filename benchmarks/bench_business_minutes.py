"""Business minutes of 1 M tickets: csa.business_minutes against two plain references, in the same run.

The input is what ``csa.load`` returns: tz-aware ``Asia/Tokyo`` timestamps (created over two years,
at any hour, every day of the week; first responses from seconds to days later, a few missing).
The calendar: 09:00–18:00, Monday to Friday, Japanese public holidays (``holidays`` package) and
the year-end closing 12-29..01-03.

References:

* **numpy busday** — a vectorised formula built on ``numpy.busday_count`` (whole working days
  between the two dates) plus the clipped minutes of the first and last day: what one would
  write by hand with numpy. It is checked equal to csa on every ticket.
* **naive loop** — a plain Python loop over each ticket, minute arithmetic day by day, on a
  sample of ``LOOP_N`` tickets (its time is scaled to the full size); checked equal to csa on
  that sample.

Usage: python benchmarks/bench_business_minutes.py [N]     (default 1_000_000)
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

from csa.businesstime import business_minutes, closed_dates, holiday_dates

HOURS = ("09:00", "18:00")
CLOSED = "12-29..01-03"
TZ = "Asia/Tokyo"
LOOP_N = 20_000


def make(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-11-01T00:00:00", "s").astype("int64") - 9 * 3600  # Tokyo midnight in UTC
    created = rng.integers(0, 730 * 86400, n) + start
    wait = np.round(rng.lognormal(np.log(3 * 3600), 1.6, n)).astype("int64")
    responded = (created + wait).astype("float64")
    responded[rng.random(n) < 0.01] = np.nan  # no response yet
    to_ts = lambda s: pd.to_datetime(s, unit="s", utc=True).tz_convert(TZ)
    return pd.DataFrame({"created_at": to_ts(created), "first_response_at": to_ts(responded)})


def off_days(df: pd.DataFrame) -> np.ndarray:
    years = range(df["created_at"].min().year, df["first_response_at"].max().year + 1)
    hol = np.array(sorted(holiday_dates("JP", years)), dtype="datetime64[D]")
    return np.union1d(hol, closed_dates(CLOSED, years))


def with_csa(df: pd.DataFrame) -> np.ndarray:
    return business_minutes(df["created_at"], df["first_response_at"], hours=HOURS, holidays="JP", closed=CLOSED,
                            tz=TZ).to_numpy()


def with_busday(df: pd.DataFrame, off: np.ndarray) -> np.ndarray:
    """A hand-written numpy formula: whole working days in between + clipped first and last day."""
    s = df["created_at"].dt.tz_localize(None).to_numpy("datetime64[s]")
    e = df["first_response_at"].dt.tz_localize(None).to_numpy("datetime64[s]")
    ok = ~np.isnat(s) & ~np.isnat(e)
    s, e = s[ok], e[ok]
    sd, ed = s.astype("datetime64[D]"), e.astype("datetime64[D]")
    o, c = 9 * 3600, 18 * 3600
    sm = np.clip((s - sd).astype("int64"), o, c)
    em = np.clip((e - ed).astype("int64"), o, c)
    s_work, e_work = np.is_busday(sd, holidays=off), np.is_busday(ed, holidays=off)
    between = np.busday_count(sd + 1, ed, holidays=off).clip(min=0)
    same = sd == ed
    first = np.where(s_work, c - sm, 0)
    last = np.where(e_work, em - o, 0)
    secs = np.where(same, np.where(s_work, np.maximum(em - sm, 0), 0), first + between * (c - o) + last)
    out = np.full(len(df), np.nan)
    out[ok] = secs / 60
    return out


def naive(created: list, responded: list, off: set) -> list[float]:
    """Day by day in plain Python."""
    out = []
    for s, e in zip(created, responded):
        if e is None:
            out.append(float("nan"))
            continue
        total, day = 0.0, s.date()
        while day <= e.date():
            if day.weekday() < 5 and day not in off:
                a = max(s, dt.datetime.combine(day, dt.time(9)))
                b = min(e, dt.datetime.combine(day, dt.time(18)))
                total += max((b - a).total_seconds(), 0) / 60
            day += dt.timedelta(days=1)
        out.append(total)
    return out


def best(fn, repeat=5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    df = make(n)
    off = off_days(df)
    a, b = with_csa(df), with_busday(df, off)
    np.testing.assert_allclose(a, b, equal_nan=True, atol=1e-6)
    sample = df.iloc[:LOOP_N]
    to_py = lambda s: [None if pd.isna(x) else x.tz_localize(None).to_pydatetime() for x in s]
    created, responded = to_py(sample["created_at"]), to_py(sample["first_response_at"])
    off_set = set(off.astype(dt.date).tolist())
    np.testing.assert_allclose(a[:LOOP_N], naive(created, responded, off_set), equal_nan=True, atol=1e-6)
    t_csa = best(lambda: with_csa(df))
    t_np = best(lambda: with_busday(df, off))
    t_loop = best(lambda: naive(created, responded, off_set), repeat=1) * n / LOOP_N
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"tickets {n:,}; missing responses {int(np.isnan(a).sum()):,}; cores {os.cpu_count()}; "
          f"numpy {np.__version__}; pandas {pd.__version__}")
    print(f"csa.business_minutes   {t_csa:.3f} s")
    print(f"numpy busday formula   {t_np:.3f} s   (csa / numpy {t_csa / t_np:.2f}x)")
    print(f"naive Python loop      {t_loop:.1f} s   (scaled from {LOOP_N:,} tickets; loop / csa {t_loop / t_csa:.0f}x)")
    print(f"peak RSS of the whole run {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
