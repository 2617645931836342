"""The months the data covers, and a report period refused when it lies outside them.

A report for a period the data does not reach would run every section on no rows (headlines with
n = 0, a KPI cycle scored on nothing). :func:`check_period` refuses it at once, naming the months
the data covers, and refuses a month the data barely enters (its first or last month, holding fewer
than :data:`BARELY` of a typical month's rows: an export cut off a few days into it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["BARELY", "PeriodOutsideData", "check_period", "checker", "monthly_rows"]

#: a first or last month holding less than this share of the median month's rows is "barely entered"
BARELY = 0.05


class PeriodOutsideData(ValueError):
    """``--period`` outside the months the data covers (or in a month it barely enters)."""


def monthly_rows(ds) -> pd.Series:
    """Rows per month (a ``period[M]`` index, sorted) over the tables that date events (subscriptions,
    orders, tickets, surveys, goals, support costs); the signups when the data holds no other table."""
    from ..io.checks import TIME_COLUMN, _months

    tables = ds.tables()
    codes = [_months(df[TIME_COLUMN[n]]) for n, df in tables.items()
             if n != "customers" and TIME_COLUMN[n] in df]
    codes = [c for c in codes if len(c)]
    if not codes and "customers" in tables:
        codes = [_months(tables["customers"]["signup_date"])]
    if not codes:
        return pd.Series([], index=pd.PeriodIndex([], freq="M"), dtype=np.int64)
    values, counts = np.unique(np.concatenate(codes), return_counts=True)
    return pd.Series(counts, index=pd.PeriodIndex.from_ordinals(values, freq="M"), dtype=np.int64)


def check_period(ds, period: str, freq: str = "month") -> None:
    """Refuse (:class:`PeriodOutsideData`) a ``period`` outside the months of ``ds``, or a month it barely enters.

    >>> from types import SimpleNamespace
    >>> months = pd.Series(pd.period_range("2026-01", "2026-06", freq="M").strftime("%Y-%m-15"))
    >>> ds = SimpleNamespace(tables=lambda: {"support_costs": pd.DataFrame({"month": pd.PeriodIndex(
    ...     months.str[:7], freq="M")})})
    >>> check_period(ds, "2026-03")
    >>> check_period(ds, "2030-01")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    csa.report.coverage.PeriodOutsideData: --period 2030-01: the data has no rows in it; it covers 2026-01 to 2026-06...
    """
    from ..periods import label, parse_period

    if not isinstance(period, str):
        return
    rows = monthly_rows(ds)
    if rows.empty:
        return
    p = parse_period(period, freq)
    first, last = rows.index[0], rows.index[-1]
    start, end = p.asfreq("M", "start"), p.asfreq("M", "end")
    covers = f"it covers {first} to {last}" if first != last else f"it covers {first} only"
    latest = label(last.asfreq(p.freq), freq)
    if end < first or start > last:
        raise PeriodOutsideData(f"--period {period}: the data has no rows in it; {covers}. Give a period within "
                                f"them, e.g. --period {latest}")
    if freq == "month" and p in (first, last) and first != last:
        typical = float(np.median(rows.to_numpy()))
        n = int(rows.get(p, 0))
        if n < BARELY * typical:
            edge = "last" if p == last else "first"
            other = rows.index[-2] if p == last else rows.index[1]
            raise PeriodOutsideData(
                f"--period {period}: the data barely enters {period}, its {edge} month ({n:,} rows against "
                f"{typical:,.0f} in a typical month: an export cut off early in the month?); {covers}. Give a "
                f"month the data covers fully, e.g. --period {other}, or export the data again to include all of "
                f"{period}")


def checker(period: str, freq: str = "month"):
    """:func:`check_period` for ``period``, as a function of the dataset (what :func:`csa.report.run_report`
    calls on the data it validates)."""
    return lambda ds: check_period(ds, period, freq)
