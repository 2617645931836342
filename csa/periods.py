"""Reporting periods: month ``2026-10``, quarter ``2026Q4``, fiscal year ``FY2026`` (April start).

Timestamps are already in the business time zone (see :func:`csa.load`); periods are cut on
their wall-clock time there.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["FREQS", "label", "last_complete", "latest", "pandas_freq", "parse_period", "period_of", "previous"]

FREQS = ("month", "quarter", "fiscal_year")
_FORMAT = {"month": re.compile(r"\d{4}-(0[1-9]|1[0-2])"), "quarter": re.compile(r"\d{4}Q[1-4]"),
           "fiscal_year": re.compile(r"FY(\d{4})")}
_PANDAS = {"month": "M", "quarter": "Q-DEC", "fiscal_year": "Y-MAR"}  # FY2026 = Apr 2026 – Mar 2027


def pandas_freq(freq: str) -> str:
    """The pandas period code of a handbook frequency (``"month"`` → ``"M"``); a clear error otherwise.

    >>> pandas_freq("fiscal_year")
    'Y-MAR'
    """
    return _check_freq(freq)


def _check_freq(freq: str) -> str:
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}; got {freq!r}")
    return _PANDAS[freq]


def period_of(ts: pd.Series, freq: str = "month") -> pd.Series:
    """The period (``pd.Period``) each timestamp falls in, in its own (business) time zone."""
    code = _check_freq(freq)
    wall = ts.dt.tz_localize(None) if getattr(ts.dt, "tz", None) is not None else ts
    return wall.dt.to_period(code)


def parse_period(text: str, freq: str = "month") -> pd.Period:
    """``"2026-10"`` (month), ``"2026Q4"`` (quarter) or ``"FY2026"`` (fiscal year from April)."""
    code = _check_freq(freq)
    s = str(text).strip().upper()
    m = _FORMAT[freq].fullmatch(s)
    if m is None:
        example = {"month": "2026-10", "quarter": "2026Q4", "fiscal_year": "FY2026"}[freq]
        raise ValueError(f"period {text!r} is not a {freq.replace('_', ' ')}; write it like {example!r}")
    if freq == "fiscal_year":
        return pd.Period(f"{int(m[1]) + 1}-03", freq="M").asfreq(code)
    return pd.Period(s, freq=code)


def label(p: pd.Period, freq: str = "month") -> str:
    """Display label of a period: ``2026-10``, ``2026Q4``, ``FY2026``."""
    if freq == "fiscal_year":
        return f"FY{p.year - 1}"
    if freq == "quarter":
        return f"{p.year}Q{p.quarter}"
    return p.strftime("%Y-%m")


def previous(p: pd.Period) -> pd.Period:
    return p - 1


def latest(ts: pd.Series, freq: str = "month") -> pd.Period:
    """The period of the data's latest timestamp (the default report period — never the clock)."""
    s = ts.dropna()
    if s.empty:
        raise ValueError("no timestamps: the latest period is undefined")
    return period_of(s, freq).max()


def last_complete(ts: pd.Series, freq: str = "month") -> tuple[pd.Period, bool]:
    """The last period the data covers to its end (the default report period — never the clock).

    The period of the latest timestamp counts as complete when that timestamp falls on the
    period's last day; otherwise the data only just entered it (two days of November) and the
    period before is taken. Returns the period and whether the latest period was left out.

    >>> ts = pd.Series(pd.to_datetime(["2026-10-31 18:00", "2026-11-02 09:00"]))
    >>> last_complete(ts)
    (Period('2026-10', 'M'), True)
    >>> last_complete(ts.iloc[:1])
    (Period('2026-10', 'M'), False)
    """
    s = ts.dropna()
    if s.empty:
        raise ValueError("no timestamps: the latest period is undefined")
    end = s.max()
    p = period_of(pd.Series([end]), freq).iloc[0]
    whole = pd.Timestamp(end).date() >= p.end_time.date()
    return (p, False) if whole else (p - 1, True)
