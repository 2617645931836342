"""What every view shares: the report period, the comparison period, the scope sentence, a KPI's headline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import headline as H
from .. import kpi as K
from ..labels import t
from ..periods import label, latest, parse_period

__all__ = ["Headline", "Periods", "filters_phrase", "headline", "periods", "resolve_period", "scope"]


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


def scope(**filters: str) -> dict[str, str]:
    """The notebook's customer filters as a catalogue ``where`` (empty values left out).

    >>> scope(segment="enterprise", plan="")
    {'segment': 'enterprise'}
    """
    return {k: v for k, v in filters.items() if v}


@dataclass(frozen=True)
class Headline:
    """A catalogue KPI in the report period and the comparison period, with the record the section publishes.

    ``this`` and ``prev`` are :class:`csa.kpi.Result`; ``change`` is :func:`csa.kpi.compare` of the
    two (``None`` when either has no data); ``record`` is :func:`csa.headline.of` of ``this`` with
    that change.
    """

    this: K.Result
    prev: K.Result
    change: dict[str, Any] | None
    record: dict[str, Any]

    @property
    def row(self) -> pd.Series:
        """This period's aggregation and statistic (counts, sums, value, interval) as a Series."""
        return pd.Series(self.this.row, dtype=object)


def headline(kpi: str, data, periods: Periods, *, section: str, engine: str = "pandas", level: float = 0.95,
             min_n: int = 30, where: dict | None = None, **params) -> Headline:
    """A section's headline figure: :func:`csa.measure` in both periods, the change, the record.

    Parameters
    ----------
    kpi : str
        A catalogue id.
    data : Dataset or tables
        As :func:`csa.measure` takes them.
    periods : Periods
        The report period and the comparison period.
    section : str
        The notebook id (the record says which section published it).
    engine, level, where, **params
        As in :func:`csa.measure`.
    min_n : int
        Below this ``n`` the record is flagged ``small_n``.

    Returns
    -------
    Headline

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> P = Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M"))
    >>> h = headline("fcr", ds, P, section="support")
    >>> h.record["key"], h.change["vs"], h.this.n
    ('fcr{definition=one_touch}', '2026-09', 1136)
    """
    common = dict(freq=periods.freq, engine=engine, level=level, where=where, **params)
    tables = K.open_tables(data, engine=engine)
    this = K.measure(kpi, tables, period=periods.this, **common)
    prev = K.measure(kpi, tables, period=periods.prev, **common)
    change = K.compare(this, prev)
    return Headline(this, prev, change, H.of(this, change=change, section=section, min_n=min_n))
