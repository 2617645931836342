"""Per-row expressions every engine runs: periods, wall-clock parts, calendar and business minutes.

All of it is narwhals, so the same code runs on pandas, DuckDB and Spark. Timestamps follow
the handbook's rule: tz-aware values are instants, shown in the business time zone; naive values
are wall-clock time there already.

* :func:`period` — the period ordinal of a timestamp (months, quarters or fiscal years since
  1970, as :class:`pandas.Period` counts them), or of a month ordinal;
* :func:`with_minutes` — the minutes between two timestamps on the **calendar** clock (elapsed
  time) or the **business** clock (working hours of working days only), as a new column. The
  business clock joins each timestamp's day with a small calendar table (working minutes before
  the day, whether it is a working day), built once from :mod:`csa.businesstime` for the span of
  the data: ``B(t) = minutes before t's day + the part of t's day between opening and t`` and the
  result is ``B(end) − B(start)``, exactly :func:`csa.business_minutes`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import narwhals as nw
import numpy as np
import pandas as pd

from ..businesstime import BusinessCalendar, business_calendar
from ..engines import PeriodKey
from ..engines import _ordinal as _engine_ordinal
from ..periods import pandas_freq

__all__ = ["Clock", "clock_of", "day_number", "months_of_period", "period", "period_of_month", "with_minutes"]

_T = "_csa_"  # prefix of helper columns
_EPOCH = _dt.date(1970, 1, 1)


def period(frame, column: str, freq: str, tz: str | None) -> nw.Expr:
    """The period ordinal of a timestamp column in the business time zone (see :func:`csa.engines.period`)."""
    return _engine_ordinal(frame, PeriodKey(column, freq, tz, column))


def period_of_month(month: nw.Expr, freq: str) -> nw.Expr:
    """The period ordinal of a month ordinal (months since 1970-01): the month, its quarter or fiscal year."""
    if freq == "month":
        return month
    if freq == "quarter":
        return month // 3
    return (month + 9) // 12  # fiscal years from April, labelled by their end year (Y-MAR): Apr 1970 → 1


def months_of_period(ordinal: int, freq: str) -> tuple[int, int]:
    """First and last month ordinal of a period ordinal."""
    if freq == "month":
        return ordinal, ordinal
    p = pd.Period(ordinal=ordinal, freq=pandas_freq(freq))
    a, b = p.asfreq("M", "start"), p.asfreq("M", "end")
    return a.ordinal, b.ordinal


def _epoch_us(tables, frame, column: str):
    """(frame, expression): microseconds since 1970 of a timestamp column, on any engine.

    An instant (tz-aware) is counted as such; a naive timestamp as if it were UTC (its wall-clock
    time: differences of two are wall-clock differences, as everywhere in csa). narwhals has no
    epoch on DuckDB, and Spark and DuckDB refuse a time-zone conversion of instants, so those two
    engines get a helper column from their own function (``epoch_us``, ``unix_micros``).
    """
    dtype = frame.collect_schema()[column]
    if not isinstance(dtype, nw.Datetime):
        raise TypeError(f"column {column!r} must hold timestamps; it holds {dtype}")
    if tables.engine == "pandas":
        return frame, nw.col(column).dt.timestamp("us").cast(nw.Float64)
    helper = f"{_T}us_{column}"
    native = frame.to_native()
    if tables.engine == "duckdb":
        native = native.project(f'*, CAST(epoch_us("{column}") AS DOUBLE) AS "{helper}"')
    else:
        from pyspark.sql import functions as F

        ts = F.col(column) if dtype.time_zone is not None else F.to_utc_timestamp(F.col(column), "UTC")
        native = native.withColumn(helper, F.unix_micros(ts.cast("timestamp")).cast("double"))
    return nw.from_native(native), nw.col(helper)


def _wall(frame, column: str, tz: str | None) -> nw.Expr:
    """The column as naive wall-clock time in ``tz`` (``None``: in UTC, for elapsed time)."""
    dtype = frame.collect_schema()[column]
    ts = nw.col(column)
    if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None:
        target = tz or "UTC"
        if dtype.time_zone != target:
            ts = ts.dt.convert_time_zone(target)
        ts = ts.dt.replace_time_zone(None)
    elif not isinstance(dtype, nw.Datetime):
        raise TypeError(f"column {column!r} must hold timestamps; it holds {dtype}")
    return ts


def day_number(ts: nw.Expr) -> nw.Expr:
    """Days since 1970-01-01 of a naive timestamp, from its year, month and day (integer arithmetic only)."""
    y, m, d = (ts.dt.year().fill_null(1970).cast(nw.Int64), ts.dt.month().fill_null(1).cast(nw.Int64),
               ts.dt.day().fill_null(1).cast(nw.Int64))
    early = (m <= 2).cast(nw.Int64)
    y = y - early
    era = y // 400
    yoe = y - era * 400
    mp = m + 9 - 12 * (1 - early)  # March = 0 … February = 11
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = (era * 146097 + doe - 719468).cast(nw.Float64)
    return nw.when(~ts.is_null()).then(days).otherwise(nw.lit(None, nw.Float64))


def _minute_of_day(ts: nw.Expr) -> nw.Expr:
    parts = [ts.dt.hour(), ts.dt.minute(), ts.dt.second(), ts.dt.microsecond()]
    h, m, s, us = (x.cast(nw.Float64) for x in parts)
    return h * 60 + m + s / 60 + us / 60_000_000


@dataclass(frozen=True)
class Clock:
    """Which clock a time KPI uses: ``"calendar"`` or ``"business"`` with its calendar."""

    kind: str = "business"
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)

    @property
    def open_minute(self) -> int:
        h, m = self.calendar.hours[0].split(":")
        return int(h) * 60 + int(m)

    @property
    def day_length(self) -> float:
        return 60 * self.calendar.hours_per_day


def clock_of(params: dict, tz: str) -> Clock:
    """The clock of a KPI's parameters (``clock``, ``hours``, ``holidays``, ``closed``)."""
    kind = params.get("clock", "business")
    hours = tuple(str(params.get("hours") or "09:00-18:00").split("-"))
    holidays = params.get("holidays", "JP")
    closed = params.get("closed") or ()
    return Clock(kind, BusinessCalendar(hours=hours, holidays=holidays or None, closed=closed, tz=tz))


def _calendar_table(clock: Clock, first: int, last: int) -> pd.DataFrame:
    """Per day from ``first`` to ``last`` (day numbers): working (0/1) and working minutes before it."""
    a = _EPOCH + _dt.timedelta(days=int(first))
    b = _EPOCH + _dt.timedelta(days=int(last))
    cal = clock.calendar
    days = business_calendar(a, b, holidays=cal.holidays, closed=cal.closed, weekmask=cal.weekmask)
    working = days["working"].to_numpy(dtype=np.int64)
    before = np.concatenate([[0], np.cumsum(working)[:-1]]) * clock.day_length
    return pd.DataFrame({"day": np.arange(first, last + 1).astype(float), "working": working.astype(float),
                         "before": before.astype(float)})


def with_minutes(tables, frame, start: str, end: str, clock: Clock, name: str):
    """``frame`` with a column ``name``: minutes from ``start`` to ``end`` on ``clock`` (missing if either is).

    ``end`` may also be a timestamp literal (a :class:`pandas.Timestamp`, e.g. the export's time
    for tickets still waiting); ``tables`` (:class:`csa.kpi.source.Tables`) provides the engine
    for the business clock's calendar table.
    """
    tz = tables.tz
    literal = not isinstance(end, str)
    if clock.kind == "calendar":  # elapsed time: microseconds since the epoch, so a DST change counts right
        frame, s_us = _epoch_us(tables, frame, start)
        if literal:
            e = pd.Timestamp(end)
            e_us = (e.tz_convert("UTC").tz_localize(None) if e.tzinfo else e).value // 1000
            return frame.with_columns(((e_us - s_us) / 60_000_000).alias(name))
        frame, e_us = _epoch_us(tables, frame, end)
        out = frame.with_columns(((e_us - s_us) / 60_000_000).alias(name))
        helpers = [c for c in out.collect_schema().names() if c.startswith(f"{_T}us_")]
        return out.drop(*helpers) if helpers else out
    if clock.kind != "business":
        raise ValueError(f"clock must be 'business' or 'calendar'; got {clock.kind!r}")
    s = _wall(frame, start, tz)
    cols = {f"{_T}ds": day_number(s), f"{_T}ms": _minute_of_day(s)}
    if literal:
        e = pd.Timestamp(end)
        e = e.tz_convert(tz).tz_localize(None) if e.tzinfo else e
        lit_day = (e.date() - _EPOCH).days
        lit_min = e.hour * 60 + e.minute + e.second / 60 + e.microsecond / 6e7
    else:
        e = _wall(frame, end, tz)
        cols.update({f"{_T}de": day_number(e), f"{_T}me": _minute_of_day(e)})
    work = frame.with_columns(**cols)
    span = work.select(nw.col(f"{_T}ds").min().alias("a"), nw.col(f"{_T}ds").max().alias("b"),
                       *((nw.col(f"{_T}de").min().alias("c"), nw.col(f"{_T}de").max().alias("d")) if not literal
                         else ()))
    span = span.collect() if isinstance(span, nw.LazyFrame) else span
    bounds = [v for v in span.to_pandas().iloc[0].tolist() if v is not None and not pd.isna(v)]
    if literal:
        bounds.append(lit_day)
    if not bounds:  # no timestamps at all
        return work.with_columns(nw.lit(None, nw.Float64).alias(name)).drop(*cols)
    first, last = int(min(bounds)), int(max(bounds))
    table = _calendar_table(clock, first, last)
    o, length = float(clock.open_minute), clock.day_length

    def inside(minute: nw.Expr, working: nw.Expr) -> nw.Expr:
        return working * (minute - o).clip(0.0, length)

    cal = tables.native(table)
    work = work.join(cal.select(nw.col("day").alias(f"{_T}ds"), nw.col("working").alias(f"{_T}ws"),
                                nw.col("before").alias(f"{_T}bs")), on=f"{_T}ds", how="left")
    b_start = nw.col(f"{_T}bs") + inside(nw.col(f"{_T}ms"), nw.col(f"{_T}ws"))
    if literal:
        row = table.loc[table["day"] == lit_day].iloc[0]
        b_end = float(row["before"] + row["working"] * min(max(lit_min - o, 0.0), length))
        out = work.with_columns((b_end - b_start).alias(name))
        return out.drop(f"{_T}ds", f"{_T}ms", f"{_T}ws", f"{_T}bs")
    work = work.join(cal.select(nw.col("day").alias(f"{_T}de"), nw.col("working").alias(f"{_T}we"),
                                nw.col("before").alias(f"{_T}be")), on=f"{_T}de", how="left")
    b_end = nw.col(f"{_T}be") + inside(nw.col(f"{_T}me"), nw.col(f"{_T}we"))
    out = work.with_columns((b_end - b_start).alias(name))
    return out.drop(*[f"{_T}{x}" for x in ("ds", "ms", "ws", "bs", "de", "me", "we", "be")])
