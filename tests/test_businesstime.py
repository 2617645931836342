"""Business time: hand-computed tickets across a weekend, Japanese public holidays and company closing days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csa.businesstime import (
    YEAR_END,
    BusinessCalendar,
    business_calendar,
    business_minutes,
    closed_dates,
    holiday_dates,
    parse_closed,
)

TZ = "Asia/Tokyo"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=TZ)


# ------------------------------------------------------------------ hand computations (09:00–18:00)

@pytest.mark.parametrize("start,end,expected,why", [
    ("2026-10-01 10:00", "2026-10-01 10:40", 40, "same working day"),
    ("2026-10-01 08:00", "2026-10-01 09:30", 30, "before opening: the clock starts at 09:00"),
    ("2026-10-01 17:30", "2026-10-01 20:00", 30, "after closing: the clock stops at 18:00"),
    ("2026-10-01 19:30", "2026-10-01 19:45", 0, "entirely after hours"),
    ("2026-10-01 10:00", "2026-10-02 10:00", 540, "one full working day later"),
    ("2026-10-09 17:00", "2026-10-13 10:00", 120, "Fri 17-18, Sat, Sun, Mon 12 Oct (Sports Day), Tue 9-10"),
    ("2026-05-01 17:30", "2026-05-07 09:45", 75, "Golden Week: 2-3 weekend, 4-5 holidays, 6 substitute holiday"),
    ("2026-05-09 11:00", "2026-05-11 09:20", 20, "created on a Saturday: the clock starts on Monday"),
    ("2026-05-02 10:00", "2026-05-06 17:00", 0, "weekend and holidays only"),
    ("2026-09-18 17:00", "2026-09-24 09:30", 90, "Fri 17-18; 19-20 weekend, 21 Respect for the Aged Day, 22 "
                                               "citizens' holiday (国民の休日), 23 Autumnal Equinox Day; Thu 9-9:30"),
])
def test_hand_computed_business_minutes(start, end, expected, why):
    assert business_minutes(ts(start), ts(end)) == pytest.approx(expected, abs=1e-9), why


def test_company_closing_days_year_end():
    start, end = ts("2026-12-28 16:00"), ts("2027-01-04 10:30")
    # 28 Dec 16:00-18:00 = 120; 29 Dec - 3 Jan closed (1 Jan is also 元日, 2-3 a weekend); 4 Jan 9:00-10:30 = 90
    assert business_minutes(start, end, closed=YEAR_END) == 210
    # without the closing: 29, 30, 31 December are working days (3 × 540)
    assert business_minutes(start, end) == 120 + 3 * 540 + 90
    # a single closing date and a range of dates give the same as the month-day range here
    assert business_minutes(start, end, closed="2026-12-29..2027-01-03") == 210
    assert business_minutes(start, end, closed=[("12-29", "12-31")]) == 210
    assert business_minutes(start, end, closed=["2026-12-29", "2026-12-30", dt.date(2026, 12, 31)]) == 210


def test_obon_closing_and_a_closing_date_on_a_weekday():
    # お盆休み 13-16 August 2027: Fri 13 closed, 14-15 weekend, Mon 16 closed
    assert business_minutes(ts("2027-08-12 17:00"), ts("2027-08-17 09:30"), closed="08-13..08-16") == 90
    assert business_minutes(ts("2027-08-12 17:00"), ts("2027-08-17 09:30")) == 60 + 2 * 540 + 30


def test_timestamps_are_converted_to_the_business_time_zone():
    # 01:00 UTC = 10:00 in Tokyo; 09:30 UTC = 18:30 in Tokyo
    utc = pd.Timestamp("2026-10-01 01:00", tz="UTC"), pd.Timestamp("2026-10-01 09:30", tz="UTC")
    assert business_minutes(*utc) == 480
    assert business_minutes("2026-10-01T10:00:00+09:00", "2026-10-01T09:30:00Z") == 480  # mixed offsets
    assert business_minutes("2026-10-01 10:00", "2026-10-01 18:30") == 480  # naive: Tokyo wall-clock time
    # the same instants counted in another business time zone (New York, 09:00-18:00 there, US holidays)
    assert business_minutes(*utc, tz="America/New_York", holidays="US") == 0  # 21:00-05:30 in New York


def test_missing_values_give_nan_and_shapes_follow_the_input():
    s = pd.Series([ts("2026-10-01 10:00"), ts("2026-10-01 10:00"), pd.NaT], index=[7, 8, 9])
    e = pd.Series([ts("2026-10-01 11:00"), pd.NaT, ts("2026-10-01 11:00")], index=[7, 8, 9])
    out = business_minutes(s, e)
    assert isinstance(out, pd.Series) and out.index.tolist() == [7, 8, 9]
    assert out.iloc[0] == 60 and out.iloc[1:].isna().all()
    arr = business_minutes(["2026-10-01 10:00", None], "2026-10-01 12:00")  # a scalar end is broadcast
    assert isinstance(arr, np.ndarray) and arr[0] == 120 and np.isnan(arr[1])
    assert isinstance(business_minutes(ts("2026-10-01 10:00"), ts("2026-10-01 10:01")), float)
    assert business_minutes([], []).shape == (0,)


def test_end_before_start_is_negative():
    assert business_minutes(ts("2026-10-02 10:00"), ts("2026-10-01 17:00")) == -(60 + 60)


def test_hours_weekmask_and_holiday_settings():
    fri, mon = ts("2026-10-09 17:00"), ts("2026-10-13 10:00")
    assert business_minutes(fri, mon, holidays=None) == 60 + 540 + 60  # Sports Day counted
    assert business_minutes(fri, mon, holidays=[dt.date(2026, 10, 12)]) == 120  # your own list
    assert business_minutes(fri, mon, weekmask="1111110", holidays=None) == 60 + 540 + 540 + 60  # Saturdays
    assert business_minutes(fri, mon, hours=("10:00", "17:00")) == 0 + 0  # Fri after 17:00, Tue 10:00 sharp
    assert business_minutes(fri, mon, hours=("00:00", "24:00"), weekmask="1111111", holidays=None) == \
        (mon - fri).total_seconds() / 60


@pytest.mark.parametrize("kwargs,match", [
    ({"hours": ("18:00", "09:00")}, "open before they close"),
    ({"hours": ("9", "18:00")}, "HH:MM"),
    ({"hours": "09:00-18:00"}, "pair of times"),
    ({"weekmask": "11111"}, "seven 0/1"),
    ({"holidays": "XX"}, "no public-holiday calendar"),
    ({"closed": "12/29"}, "closing days"),
    ({"closed": "2026-12-31..2026-12-01"}, "must not end before"),
    ({"closed": "12-29..2027-01-03"}, "both ends"),
    ({"closed": "02-30"}, "closing days"),
])
def test_bad_settings_are_explained(kwargs, match):
    with pytest.raises(ValueError, match=match):
        business_minutes(ts("2026-10-01 10:00"), ts("2026-10-02 10:00"), **kwargs)


def test_lengths_must_match():
    with pytest.raises(ValueError, match="same length"):
        business_minutes(["2026-10-01", "2026-10-02"], ["2026-10-01", "2026-10-02", "2026-10-03"])


# ------------------------------------------------------------------ calendars

def test_holidays_come_from_the_holidays_package():
    h = holiday_dates("JP", [2026])
    golden = [d for d in sorted(h) if d.month == 5]
    assert golden == [dt.date(2026, 5, d) for d in (3, 4, 5, 6)]  # 6 May: 振替休日 for Constitution Day (Sunday)
    assert dt.date(2026, 9, 22) in h  # 国民の休日 between two holidays
    assert holiday_dates("JP", [2026], lang="ja")[dt.date(2026, 5, 6)] == "振替休日"
    assert holiday_dates(None, [2026]) == {}


def test_closed_dates_expand_month_day_ranges_every_year():
    assert parse_closed("12-29..01-03") == [((12, 29), (1, 3))]
    days = closed_dates(YEAR_END, [2026, 2027]).astype(str).tolist()
    assert days[:3] == ["2026-01-01", "2026-01-02", "2026-01-03"]  # the end of the 2025 range
    assert "2026-12-29" in days and "2027-12-31" in days and "2028-01-03" in days
    assert closed_dates("02-29", [2027]).astype(str).tolist() == ["2027-02-28"]  # no 29 February in 2027
    assert closed_dates((), [2026]).size == 0 and parse_closed(None) == [] and parse_closed("") == []


def test_business_calendar_says_why_a_day_is_off():
    cal = business_calendar("2026-12-28", "2027-01-04", closed=YEAR_END)
    assert cal["working"].tolist() == [True, False, False, False, False, False, False, True]
    assert cal["reason"].tolist()[1:7] == ["closed", "closed", "closed", "New Year's Day", "closed", "closed"]
    assert business_calendar("2027-01-02", "2027-01-02")["reason"].tolist() == ["weekend"]
    ja = business_calendar("2026-05-04", "2026-05-04", lang="ja")
    assert ja[["weekday", "reason"]].iloc[0].tolist() == ["月", "みどりの日"]


def test_business_calendar_object_keeps_the_settings():
    cal = BusinessCalendar(hours=("10:00", "19:00"), closed=YEAR_END)
    assert cal.hours_per_day == 9
    assert cal.minutes(ts("2026-12-28 18:00"), ts("2027-01-04 10:30")) == 60 + 30
    opened = cal.is_open(pd.Series([ts("2026-10-01 10:00"), ts("2026-10-01 19:00"), ts("2026-10-03 12:00"),
                                    ts("2026-12-30 12:00"), pd.NaT]))
    assert opened.tolist() == [True, False, False, False, False]
    with pytest.raises(ValueError, match="closing days"):
        BusinessCalendar(closed="Christmas")


# ------------------------------------------------------------------ against a naive loop

OFF = set(holiday_dates("JP", range(2025, 2028))) | set(closed_dates(YEAR_END, range(2025, 2028)).astype(dt.date))


def _naive(s: dt.datetime, e: dt.datetime) -> float:
    sign = 1.0
    if e < s:
        s, e, sign = e, s, -1.0
    total, day = 0.0, s.date()
    while day <= e.date():
        if day.weekday() < 5 and day not in OFF:
            a = max(s, dt.datetime.combine(day, dt.time(9)))
            b = min(e, dt.datetime.combine(day, dt.time(18)))
            total += max((b - a).total_seconds(), 0) / 60
        day += dt.timedelta(days=1)
    return sign * total


moments = st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 1, 31))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(moments, moments), min_size=1, max_size=20))
def test_equals_a_day_by_day_loop(pairs):
    s = [a for a, _ in pairs]
    e = [b for _, b in pairs]
    got = business_minutes(pd.to_datetime(s).tz_localize(TZ), pd.to_datetime(e).tz_localize(TZ), closed=YEAR_END)
    np.testing.assert_allclose(got, [_naive(a, b) for a, b in pairs], atol=1e-6)
