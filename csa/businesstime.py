"""Business time: minutes between two timestamps counting only working hours on working days.

Support tools report two clocks. **Calendar time** is the plain difference (a ticket created on
Friday at 17:00 and answered on Monday at 10:00 waited 65 hours). **Business time** counts only
the hours the team is open (the same ticket waited 2 business hours: Friday 17:00–18:00 and
Monday 09:00–10:00). Zendesk stores both for every ticket; SLA targets ("first response within
4 business hours") use business time. Every time KPI of the handbook says which clock it shows.

A **working day** is a day whose weekday is in ``weekmask`` (Monday to Friday by default) and
that is neither a **public holiday** of the country (from the ``holidays`` package, kept up to
date by its maintainers: Japanese substitute holidays (振替休日) and the citizens' holiday
(国民の休日) between two holidays are included) nor a **company closing day** (``closed``).

Company closing days (``closed``) are given as text or as dates:

================================  ===================================================================
``"2026-08-14"``                  one date
``"08-13..08-16"``                month-day range, every year (お盆休み)
``"12-29..01-03"``                a range that crosses the year end, every year (年末年始, the default
                                  of :data:`YEAR_END`): 29–31 December and 1–3 January of every year
``"2026-12-28..2027-01-04"``      a range of dates, once
``"05-01"``                       one month-day, every year
``("12-29", "01-03")``            a pair is a range, like ``"12-29..01-03"``
``datetime.date(2026, 8, 14)``    a date object (also ``pandas.Timestamp``)
================================  ===================================================================

Several items are given as a list or tuple, or as one text with commas
(``"12-29..01-03, 08-13..08-16"``). Ranges include both ends.

Timestamps with a UTC offset are converted to the business time zone ``tz`` first; timestamps
without one are read as ``tz`` wall-clock time (as :func:`csa.load` does). Working hours are
wall-clock hours in ``tz``.

>>> import pandas as pd
>>> fri = pd.Timestamp("2026-05-01 17:00", tz="Asia/Tokyo")    # Friday before Golden Week
>>> thu = pd.Timestamp("2026-05-07 10:00", tz="Asia/Tokyo")    # 2026-05-02..06: weekend and holidays
>>> business_minutes(fri, thu)                                # 60 on Friday + 60 on Thursday
120.0
>>> round((thu - fri).total_seconds() / 60)                   # calendar minutes
8220
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_HOURS",
    "WEEKDAYS",
    "YEAR_END",
    "BusinessCalendar",
    "business_calendar",
    "business_minutes",
    "closed_dates",
    "closed_words",
    "holiday_dates",
    "parse_closed",
]

DEFAULT_HOURS = ("09:00", "18:00")
#: 年末年始: the usual Japanese year-end closing, 29 December to 3 January.
YEAR_END = "12-29..01-03"
#: ``weekmask`` of a Monday-to-Friday week (numpy's busday convention: Monday first).
WEEKDAYS = "1111100"

_NS_MIN = 60 * 10**9
_NS_DAY = 86_400 * 10**9
_MD = re.compile(r"(\d{1,2})-(\d{1,2})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_HM = re.compile(r"(\d{1,2}):(\d{2})")


# ------------------------------------------------------------------------------------ settings

def _minute_of_day(text: Any, name: str) -> int:
    m = _HM.fullmatch(str(text).strip())
    if not m or int(m[2]) > 59 or int(m[1]) * 60 + int(m[2]) > 24 * 60:
        raise ValueError(f"{name} must be a time 'HH:MM' between 00:00 and 24:00 (e.g. '09:00'); got {text!r}")
    return int(m[1]) * 60 + int(m[2])


def _hours(hours: Any) -> tuple[int, int]:
    """Opening and closing minute of the day."""
    if isinstance(hours, str) or not isinstance(hours, Iterable) or len(tuple(hours)) != 2:
        raise ValueError(f"hours must be a pair of times (open, close), e.g. ('09:00', '18:00'); got {hours!r}")
    start, stop = (_minute_of_day(h, f"hours[{i}]") for i, h in enumerate(hours))
    if stop <= start:
        raise ValueError(f"hours must open before they close on the same day (overnight shifts are not "
                         f"supported: split them, or use ('00:00', '24:00')); got {hours!r}")
    return start, stop


def _weekmask(weekmask: Any) -> str:
    if not (isinstance(weekmask, str) and re.fullmatch(r"[01]{7}", weekmask) and "1" in weekmask):
        raise ValueError("weekmask is seven 0/1 characters from Monday to Sunday with at least one 1 "
                         f"(e.g. '1111100' for Monday to Friday, '1111110' with Saturday); got {weekmask!r}")
    return weekmask


_CLOSED_HELP = ("company closing days are dates 'YYYY-MM-DD', month-days 'MM-DD' (every year) or ranges "
                "'A..B' of either kind (e.g. '12-29..01-03' for 年末年始), separated by commas")


def _date(text: str) -> _dt.date:
    m = _YMD.fullmatch(text)
    try:
        return _dt.date(int(m[1]), int(m[2]), int(m[3]))  # type: ignore[index]
    except (TypeError, ValueError):
        raise ValueError(f"{_CLOSED_HELP}; {text!r} is not a date") from None


def _month_day(text: str) -> tuple[int, int]:
    m = _MD.fullmatch(text)
    if m is None:
        raise ValueError(f"{_CLOSED_HELP}; {text!r} is not a month-day")
    md = (int(m[1]), int(m[2]))
    try:
        _dt.date(2000, *md)  # a leap year: 02-29 is allowed
    except ValueError:
        raise ValueError(f"{_CLOSED_HELP}; {text!r} is not a month-day") from None
    return md


def _endpoint(x: Any) -> _dt.date | tuple[int, int]:
    if isinstance(x, pd.Timestamp):
        return x.date()
    if isinstance(x, _dt.datetime):
        return x.date()
    if isinstance(x, _dt.date):
        return x
    if isinstance(x, np.datetime64):
        return pd.Timestamp(x).date()
    if isinstance(x, str):
        s = x.strip()
        if _YMD.fullmatch(s):
            return _date(s)
        if _MD.fullmatch(s):
            return _month_day(s)
    raise ValueError(f"{_CLOSED_HELP}; got {x!r}")


def parse_closed(closed: Any) -> list[tuple[Any, Any]]:
    """Company closing days as a list of inclusive ranges ``(first, last)``.

    Parameters
    ----------
    closed : str, date or iterable
        See the module docstring: ``"12-29..01-03"``, ``"2026-08-14"``, ``("08-13", "08-16")``,
        dates, or several of them in a list or a comma-separated text. ``()``, ``None`` or ``""``:
        no closing days.

    Returns
    -------
    list of tuple
        Each ``(first, last)`` is either two ``datetime.date`` (once) or two ``(month, day)``
        pairs (every year; ``last`` before ``first`` means the range crosses the year end).

    Examples
    --------
    >>> parse_closed("12-29..01-03, 2026-08-14")
    [((12, 29), (1, 3)), (datetime.date(2026, 8, 14), datetime.date(2026, 8, 14))]
    """
    if closed is None or (isinstance(closed, str) and not closed.strip()):
        return []
    if isinstance(closed, str):
        items: list[Any] = [p.strip() for p in closed.split(",") if p.strip()]
    elif isinstance(closed, (_dt.date, np.datetime64)):
        items = [closed]
    elif isinstance(closed, Iterable):
        items = list(closed)
    else:
        raise ValueError(f"{_CLOSED_HELP}; got {closed!r}")
    out = []
    for item in items:
        if isinstance(item, str) and ".." in item:
            a, b = item.split("..", 1)
            pair = (_endpoint(a), _endpoint(b))
        elif isinstance(item, (tuple, list)):
            if len(item) != 2:
                raise ValueError(f"a closing range is a pair (first, last); got {item!r}")
            pair = (_endpoint(item[0]), _endpoint(item[1]))
        else:
            one = _endpoint(item)
            pair = (one, one)
        kinds = {type(p) for p in pair}
        if len(kinds) != 1:
            raise ValueError(f"both ends of a closing range must be dates or both month-days; got {item!r}")
        if isinstance(pair[0], _dt.date) and pair[1] < pair[0]:
            raise ValueError(f"a closing range of dates must not end before it starts; got {item!r}")
        out.append(pair)
    return out


def closed_dates(closed: Any, years: Iterable[int]) -> np.ndarray:
    """Every company closing date in ``years`` (sorted ``datetime64[D]``).

    Parameters
    ----------
    closed : str, date or iterable
        As in :func:`parse_closed`.
    years : iterable of int
        Years for which month-day ranges are expanded (a range crossing the year end that starts
        in year ``y`` ends in ``y + 1``).

    Returns
    -------
    numpy.ndarray of datetime64[D]

    Examples
    --------
    >>> closed_dates("12-30..01-02", [2026]).astype(str).tolist()
    ['2026-01-01', '2026-01-02', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']
    """
    years = sorted(set(int(y) for y in years))
    days: list[np.ndarray] = []
    for first, last in parse_closed(closed):
        if isinstance(first, _dt.date):
            days.append(np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1))
            continue
        for y in ([years[0] - 1, *years] if years else []):
            a = _clip_date(y, *first)
            b = _clip_date(y + 1 if last < first else y, *last)
            days.append(np.arange(np.datetime64(a, "D"), np.datetime64(b, "D") + 1))
    if not days:
        return np.array([], dtype="datetime64[D]")
    out = np.unique(np.concatenate(days))
    if years:  # from the first year on (a year-end range of the year before reaches into it)
        out = out[out >= np.datetime64(f"{years[0]:04d}-01-01")]
    return out


def _clip_date(year: int, month: int, day: int) -> _dt.date:
    """``year-month-day``; 29 February in a common year becomes 28 February."""
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return _dt.date(year, month, day - 1)


@lru_cache(maxsize=64)
def _country(code: str, first: int, last: int, language: str | None) -> tuple[tuple[_dt.date, str], ...]:
    import holidays as _holidays

    try:
        kw = {"language": language} if language else {}
        cal = _holidays.country_holidays(code, years=range(first, last + 1), **kw)
    except NotImplementedError:
        raise ValueError(f"holidays: no public-holiday calendar for country {code!r}; use an ISO 3166 code "
                         "such as 'JP' (holidays.list_supported_countries() lists them), or None for "
                         "none") from None
    return tuple(sorted(cal.items()))


def _language(code: str, lang: str | None) -> str | None:
    if lang is None:
        return None
    import holidays as _holidays

    cls = _holidays.country_holidays(code).__class__
    supported = getattr(cls, "supported_languages", ())
    wanted = {"en": ("en_US", "en_GB", "en"), "ja": ("ja",)}.get(lang, (lang,))
    return next((w for w in wanted if w in supported), None)


def holiday_dates(holidays: Any, years: Iterable[int], *, lang: str | None = None) -> dict[_dt.date, str]:
    """Public holidays in ``years``: ``{date: name}``.

    Parameters
    ----------
    holidays : str, iterable of dates, or None
        A country code of the ``holidays`` package (``"JP"``); an iterable of dates (your own
        list; names are empty); ``None``, ``False`` or ``""`` for none.
    years : iterable of int
        The years wanted.
    lang : {"en", "ja"}, optional
        Language of the names, when the country's calendar has it.

    Returns
    -------
    dict
        ``datetime.date`` → holiday name.

    Examples
    --------
    >>> h = holiday_dates("JP", [2026], lang="en")
    >>> [(str(d), h[d]) for d in sorted(h) if d.month == 5]
    [('2026-05-03', 'Constitution Day'), ('2026-05-04', 'Greenery Day'), ('2026-05-05', "Children's Day"), \
('2026-05-06', 'Substitute Holiday')]
    """
    years = sorted(set(int(y) for y in years))
    if not holidays or not years:
        return {}
    if isinstance(holidays, str):
        code = holidays.strip().upper()
        return dict(_country(code, years[0], years[-1], _language(code, lang)))
    if isinstance(holidays, Iterable):
        out = {}
        for d in holidays:
            day = _endpoint(d)
            if not isinstance(day, _dt.date):
                raise ValueError(f"holidays given as a list must be dates; got {d!r}")
            if day.year in years:
                out[day] = ""
        return out
    raise ValueError(f"holidays is a country code such as 'JP', a list of dates, or None; got {holidays!r}")


# ------------------------------------------------------------------------------------ timestamps

def _mixed(values) -> pd.DatetimeIndex:
    try:
        return pd.DatetimeIndex(pd.to_datetime(values))
    except (ValueError, TypeError):
        return pd.DatetimeIndex(pd.to_datetime(values, utc=True))


def _wall_ns(x: Any, tz: str) -> tuple[np.ndarray, bool, pd.Index | None]:
    """Wall-clock time in ``tz`` as int64 nanoseconds (NaT → min int), scalar flag, Series index."""
    index = x.index if isinstance(x, pd.Series) else None
    scalar = np.ndim(x) == 0 and not isinstance(x, (pd.Series, pd.Index, np.ndarray))
    if isinstance(x, pd.Series):
        s = x
        if not pd.api.types.is_datetime64_any_dtype(s):
            s = pd.Series(_mixed(s.to_numpy()), index=s.index)
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert(tz).dt.tz_localize(None)
        a = s.to_numpy(dtype="datetime64[ns]")
    else:
        idx = _mixed([x] if scalar else x)
        if idx.tz is not None:
            idx = idx.tz_convert(tz).tz_localize(None)
        a = idx.to_numpy(dtype="datetime64[ns]")
    return a.view("int64"), scalar, index


def business_minutes(start, end, *, hours=DEFAULT_HOURS, holidays: Any = "JP", closed: Any = (),
                     tz: str = "Asia/Tokyo", weekmask: str = WEEKDAYS):
    """Minutes between ``start`` and ``end`` that fall in working hours on working days.

    Parameters
    ----------
    start, end : timestamp or array-like of timestamps
        Pairs of timestamps (a Series, an array, a list, or scalars; a scalar is paired with every
        element of the other). tz-aware values are converted to ``tz``; naive values are read as
        ``tz`` wall-clock time. A missing value on either side gives NaN.
    hours : (str, str), default ("09:00", "18:00")
        Opening and closing time of a working day, ``"HH:MM"``; ``("00:00", "24:00")`` counts the
        whole day. Overnight shifts are not supported.
    holidays : str, iterable of dates, or None, default "JP"
        Public holidays: a country code of the ``holidays`` package, your own list of dates, or
        ``None`` for none.
    closed : str, date or iterable, default ()
        Company closing days (see the module docstring), e.g. ``"12-29..01-03"`` (年末年始).
    tz : str, default "Asia/Tokyo"
        Business time zone (an IANA name).
    weekmask : str, default "1111100"
        Working weekdays, Monday first (numpy's ``busday`` convention).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Minutes (float). A Series when ``start`` or ``end`` is one (with its index), a float when
        both are scalars, else an array. Negative when ``end`` is before ``start``.

    Notes
    -----
    With ``B(t)`` the business minutes from a fixed origin to ``t`` (working days before ``t``'s
    day × the length of a working day, plus the part of ``t``'s own day between opening and
    ``t``, when that day is a working day), the result is ``B(end) − B(start)``. Working days are
    counted once over the span of the data with :func:`numpy.is_busday` and a cumulative sum, so
    a million pairs take well under a second (``benchmarks/bench_business_minutes.py``).

    Zendesk's business-hours metrics (e.g. "First reply time (min) – business hours") follow the
    same idea: only time inside the schedule counts, holidays of the schedule excluded.

    Examples
    --------
    >>> business_minutes("2026-05-01 17:30+09:00", "2026-05-01 19:00+09:00")   # after closing
    30.0
    >>> business_minutes(["2026-05-08 17:00", None], "2026-05-11 09:30")       # over a weekend; missing
    array([90., nan])
    """
    open_min, close_min = _hours(hours)
    weekmask = _weekmask(weekmask)
    s, s_scalar, s_index = _wall_ns(start, tz)
    e, e_scalar, e_index = _wall_ns(end, tz)
    if len(s) != len(e) and min(len(s), len(e)) != 1:
        raise ValueError(f"start and end must have the same length (or one be a single timestamp); "
                         f"got {len(s)} and {len(e)}")
    s, e = np.broadcast_arrays(s, e)
    nat = np.iinfo(np.int64).min
    ok = (s != nat) & (e != nat)
    out = np.full(s.shape, np.nan)
    if ok.any():
        sv, ev = s[ok], e[ok]
        sd, ed = np.floor_divide(sv, _NS_DAY), np.floor_divide(ev, _NS_DAY)
        d0, d1 = int(min(sd.min(), ed.min())), int(max(sd.max(), ed.max()))
        working = _working_days(d0, d1, holidays, closed, weekmask)
        cum = np.concatenate([[0], np.cumsum(working, dtype=np.int64)])
        o, length = open_min * _NS_MIN, (close_min - open_min) * _NS_MIN

        def elapsed(ns, day):
            i = day - d0
            inside = np.clip(ns - day * _NS_DAY - o, 0, length)
            return cum[i] * length + np.where(working[i], inside, 0)

        out[ok] = (elapsed(ev, ed) - elapsed(sv, sd)) / _NS_MIN
    if s_scalar and e_scalar:
        return float(out[0])
    index = s_index if s_index is not None else e_index
    if index is not None and len(index) == len(out):
        return pd.Series(out, index=index, name="business_minutes")
    return out


def _working_days(d0: int, d1: int, holidays: Any, closed: Any, weekmask: str) -> np.ndarray:
    """Whether each day from day number ``d0`` to ``d1`` (days since 1970-01-01) is a working day."""
    days = np.arange(d0, d1 + 1).astype("datetime64[D]")
    years = range(int(str(days[0])[:4]), int(str(days[-1])[:4]) + 1)
    off = [np.array(sorted(holiday_dates(holidays, years)), dtype="datetime64[D]"), closed_dates(closed, years)]
    return np.is_busday(days, weekmask=weekmask, holidays=np.concatenate(off))


# ------------------------------------------------------------------------------------ calendar

def business_calendar(first, last, *, holidays: Any = "JP", closed: Any = (), weekmask: str = WEEKDAYS,
                      lang: str = "en") -> pd.DataFrame:
    """Every day from ``first`` to ``last`` with whether it is a working day and why not.

    Parameters
    ----------
    first, last : date-like
        First and last day shown (inclusive).
    holidays, closed, weekmask
        As in :func:`business_minutes`.
    lang : {"en", "ja"}
        Language of the holiday names and of the reasons.

    Returns
    -------
    DataFrame
        ``date`` (datetime64), ``weekday`` (Mon…Sun, or 月…日), ``working`` (bool) and ``reason``:
        ``""`` for a working day, else the holiday's name, ``closed`` (company closing day) or
        ``weekend`` (in ``lang``). A holiday on a weekend shows the holiday's name.

    Examples
    --------
    >>> cal = business_calendar("2026-05-01", "2026-05-07")
    >>> cal["working"].tolist()
    [True, False, False, False, False, False, True]
    >>> cal["reason"].tolist()[2:6]
    ['Constitution Day', 'Greenery Day', "Children's Day", 'Substitute Holiday']
    """
    weekmask = _weekmask(weekmask)
    a, b = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    if b < a:
        raise ValueError(f"last ({last}) is before first ({first})")
    days = pd.date_range(a.tz_localize(None), b.tz_localize(None), freq="D")
    years = range(days[0].year, days[-1].year + 1)
    names = holiday_dates(holidays, years, lang=lang)
    shut = set(closed_dates(closed, years).astype("datetime64[D]").tolist())
    week = np.array([c == "1" for c in weekmask])[days.day_of_week]
    words = {"en": (["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], "closed", "weekend", "holiday"),
             "ja": (["月", "火", "水", "木", "金", "土", "日"], "休業日", "週末", "祝日")}[lang]
    reason = []
    for day, on_week in zip(days.date, week):
        if day in names:
            reason.append(names[day] or words[3])
        elif day in shut:
            reason.append(words[1])
        elif not on_week:
            reason.append(words[2])
        else:
            reason.append("")
    out = pd.DataFrame({"date": days, "weekday": np.array(words[0])[days.day_of_week], "reason": reason})
    out.insert(2, "working", out["reason"] == "")
    return out


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours, public holidays, company closing days and time zone, kept together.

    Parameters
    ----------
    hours, holidays, closed, tz, weekmask
        As in :func:`business_minutes`.

    Examples
    --------
    >>> cal = BusinessCalendar(closed=YEAR_END)
    >>> cal.minutes("2026-12-28 17:00", "2027-01-04 10:00")   # 60 on the 28th, 60 on 4 January
    120.0
    >>> cal.hours_per_day
    9.0
    """

    hours: tuple[str, str] = DEFAULT_HOURS
    holidays: Any = "JP"
    closed: Any = ()
    tz: str = "Asia/Tokyo"
    weekmask: str = WEEKDAYS

    def __post_init__(self) -> None:
        _hours(self.hours)
        _weekmask(self.weekmask)
        parse_closed(self.closed)

    @property
    def hours_per_day(self) -> float:
        """Length of a working day in hours."""
        a, b = _hours(self.hours)
        return (b - a) / 60

    def minutes(self, start, end):
        """:func:`business_minutes` with this calendar's settings."""
        return business_minutes(start, end, hours=self.hours, holidays=self.holidays, closed=self.closed,
                                tz=self.tz, weekmask=self.weekmask)

    def days(self, first, last, *, lang: str = "en") -> pd.DataFrame:
        """:func:`business_calendar` with this calendar's settings."""
        return business_calendar(first, last, holidays=self.holidays, closed=self.closed, weekmask=self.weekmask,
                                 lang=lang)

    def is_open(self, ts) -> np.ndarray:
        """Whether each timestamp falls inside working hours on a working day."""
        ns, _, _ = _wall_ns(ts, self.tz)
        nat = np.iinfo(np.int64).min
        out = np.zeros(len(ns), bool)
        ok = ns != nat
        if ok.any():
            day = np.floor_divide(ns[ok], _NS_DAY)
            d0 = int(day.min())
            working = _working_days(d0, int(day.max()), self.holidays, self.closed, self.weekmask)
            a, b = _hours(self.hours)
            tod = ns[ok] - day * _NS_DAY
            out[ok] = working[day - d0] & (tod >= a * _NS_MIN) & (tod < b * _NS_MIN)
        return out


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def closed_words(closed: str, lang: str = "en") -> str:
    """Company closing days as a reader writes them: ``"12-29..01-03"`` → ``"29 Dec – 3 Jan"`` (``12月29日〜1月3日``).

    >>> closed_words("12-29..01-03, 08-13..08-16"), closed_words("2026-08-14", "ja")
    ('29 Dec – 3 Jan, 13 Aug – 16 Aug', '2026年8月14日')
    """
    def day(x: str) -> str:
        parts = [int(p) for p in x.strip().split("-")]
        y, m, d = parts if len(parts) == 3 else (None, *parts)
        if lang == "ja":
            return (f"{y}年" if y else "") + f"{m}月{d}日"
        return f"{d} {_MONTHS_EN[m - 1]}" + (f" {y}" if y else "")

    out = []
    for item in (x.strip() for x in str(closed).split(",") if x.strip()):
        a, _, b = item.partition("..")
        try:
            out.append(day(a) + ((" – " if lang == "en" else "〜") + day(b) if b else ""))
        except (ValueError, IndexError):
            out.append(item)
    return ("、" if lang == "ja" else ", ").join(out)
