"""What every view shares: the report period, the comparison period, the scope sentence."""

from __future__ import annotations

import pandas as pd

from ..labels import t
from ..periods import label, latest, parse_period

__all__ = ["Periods", "filters_phrase", "periods", "resolve_period"]


def resolve_period(timestamps: pd.Series, period: str = "", freq: str = "month") -> pd.Period:
    """``period`` parsed, or, when empty, the period of the data's latest timestamp (never the clock).

    Parameters
    ----------
    timestamps : Series
        The timestamps the notebook reports on (e.g. NPS ``responded_at``).
    period : str
        ``"2026-10"``, ``"2026Q4"``, ``"FY2026"`` or ``""``.
    freq : str
        ``"month"``, ``"quarter"`` or ``"fiscal_year"``.

    Returns
    -------
    pandas.Period

    Examples
    --------
    >>> ts = pd.Series(pd.to_datetime(["2026-09-30", "2026-10-02"]))
    >>> str(resolve_period(ts)), str(resolve_period(ts, "2026-04"))
    ('2026-10', '2026-04')
    """
    if period:
        return parse_period(period, freq)
    return latest(timestamps, freq)


class Periods:
    """The period a notebook reports on and the one it compares with, with their labels."""

    def __init__(self, this: pd.Period, prev: pd.Period, freq: str = "month") -> None:
        self.this, self.prev, self.freq = this, prev, freq
        self.this_label, self.prev_label = label(this, freq), label(prev, freq)

    def __repr__(self) -> str:
        return f"Periods({self.this_label!r}, compared with {self.prev_label!r})"


def periods(timestamps: pd.Series, period: str = "", compare_period: str = "", freq: str = "month") -> Periods:
    """The report period (default: the data's latest) and the comparison period (default: the one before).

    Examples
    --------
    >>> ts = pd.Series(pd.to_datetime(["2026-09-30", "2026-10-02"]))
    >>> periods(ts)
    Periods('2026-10', compared with '2026-09')
    >>> periods(ts, "2026Q3", "2025Q3", freq="quarter")
    Periods('2026Q3', compared with '2025Q3')
    """
    this = resolve_period(timestamps, period, freq)
    prev = parse_period(compare_period, freq) if compare_period else this - 1
    return Periods(this, prev, freq)


def filters_phrase(ns: str, lang: str = "en", **filters: str) -> str:
    """The customer filters in one phrase (``セグメント = 大企業``), or the namespace's ``scope_all``.

    Examples
    --------
    >>> filters_phrase("nps", "en", segment="enterprise", plan="")
    'Segment = Enterprise'
    >>> filters_phrase("nps", "ja")
    '全顧客'
    """
    parts = [f"{t(k, lang, ns)} = {t(v, lang, ns)}" for k, v in filters.items() if v]
    return ", ".join(parts) or t("scope_all", lang, ns)
