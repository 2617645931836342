"""The view of the support lesson's three parts (:data:`PARTS`, each a report section): ``05_support``
(response times and SLA), ``05b_resolution`` (resolution and quality) and ``05c_capacity`` (volume, cost,
teams and staffing): the KPIs of the catalogue each part shows and publishes, tickets with their two clocks
for the KPI → KGI chain and the staffing view, and the report's sentences.

The headline KPIs — first response time and SLA achievement; first contact resolution and the
complaint rate; inquiry volume and the cost per incident — are the catalogue's
(:func:`csa.views.common.headline`, :func:`headlines`), and so are the parts' tables of a KPI
(:func:`csa.kpi.table` on the notebook's engine: :func:`time_table`, :func:`fcr_side_by_side`,
:func:`team_trends`, :func:`cpi_table`, …). Churn after a CSAT answer comes from
:func:`csa.metrics.churn.churned_within`, the staffing from :mod:`csa.metrics.queue`. This module selects
rows, derives row flags (a ticket's first-response band) and picks words (:mod:`csa.labels`, namespace
``support``, shared by the three parts); numbers in sentences are written by :mod:`csa.numbers`.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from .. import kpi as K
from .. import numbers as num
from ..businesstime import BusinessCalendar, closed_words
from ..joins import attach
from ..labels import check_lang, t
from ..metrics import churn as CH
from ..metrics import queue as Q
from ..metrics import support as M
from ..periods import period_of
from .common import (
    Headline,
    headline,
    join_sentences,
    support_touchpoint,
    support_touchpoint_of,
    unknown_customers_sentence,
)

__all__ = ["ALWAYS_OPEN", "BAND_EDGES", "BAND_KEYS", "PARTS", "PUBLISHED", "TIME_KINDS", "band_of", "band_table",
           "breach_list", "business_clock", "calendar_sentence", "category_table", "chain", "clock_column",
           "clock_comparison", "clock_params", "cpi_table", "csat_answers", "describe_abandonment",
           "describe_breaches", "describe_chain", "describe_cpi", "describe_fcr_spread", "describe_highlight",
           "describe_kpis", "describe_staffing", "fcr_side_by_side", "headlines", "parse_channels",
           "parse_highlight", "parse_targets", "queue_view", "records", "scope_sentence", "show", "sla_breaches",
           "sla_targets_table", "target_hours", "team_trends", "tickets", "time_table", "translate_values", "upto",
           "weekday_names"]

NS = "support"
TIME_KINDS = {"frt": ("created_at", "first_response_at"), "resolution": ("created_at", "resolved_at")}
#: first-response bands of the KPI → KGI chain, in minutes (the last band is open-ended)
BAND_EDGES = (0, 5, 60, 240, 1440, math.inf)
BAND_KEYS = ("band_5m", "band_1h", "band_4h", "band_24h", "band_more")
#: the three parts of the support lesson (their notebook ids, each a report section) and the headline KPIs each
#: shows at its top, in order: the resolution part shows CSAT after support too, which the CSAT section publishes
PARTS = {"support": ("frt", "sla"), "resolution": ("fcr", "csat", "complaints"), "capacity": ("volume", "cpi")}
#: the catalogue KPIs each part publishes for the front page, in order (each KPI by one part only; the catalogue's
#: ``section`` of each is that part). Time to resolution is not published: its latest period reads too fast
#: until the tickets still open are solved
PUBLISHED = {"support": ("frt", "sla"), "resolution": ("fcr", "complaints"), "capacity": ("volume", "cpi")}


# =============================================================================== inputs

#: every minute of every day: the "business" calendar of the calendar clock
ALWAYS_OPEN = dict(hours=("00:00", "24:00"), holidays=None, weekmask="1111111")


def business_clock(text: str, tz: str = "Asia/Tokyo") -> tuple[BusinessCalendar, str]:
    """The notebook's ``business_clock`` parameter as a calendar and the clock name.

    ``"09:00-18:00, JP, 12-29..01-03"``: working hours, then the country of the public holidays
    (``none`` for none), then any company closing days (``MM-DD``, ``YYYY-MM-DD`` or ``A..B``
    ranges). Empty: the calendar clock (every minute counts; open around the clock).

    Examples
    --------
    >>> cal, clock = business_clock("09:00-18:00, JP, 12-29..01-03, 08-13..08-16")
    >>> cal.hours, cal.holidays, cal.closed, clock
    (('09:00', '18:00'), 'JP', '12-29..01-03, 08-13..08-16', 'business')
    >>> business_clock("")[1]
    'calendar'
    """
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    if not parts:
        return BusinessCalendar(tz=tz, **ALWAYS_OPEN), "calendar"
    m = re.fullmatch(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})", parts[0])
    if m is None:
        raise ValueError("business_clock starts with the working hours 'HH:MM-HH:MM', then the country of the "
                         "public holidays (or none), then closing days, e.g. '09:00-18:00, JP, 12-29..01-03'; "
                         f"got {text!r}")
    country = parts[1] if len(parts) > 1 else "none"
    if not re.fullmatch(r"[A-Za-z]{2,3}|none", country, flags=re.IGNORECASE):
        raise ValueError(f"business_clock: the second item is a country code such as JP (or none); got {country!r}")
    holidays = None if country.lower() == "none" else country.upper()
    return BusinessCalendar(hours=(m[1], m[2]), holidays=holidays, closed=", ".join(parts[2:]), tz=tz), "business"


def clock_params(text: str, engine: str = "pandas") -> dict[str, str]:
    """The ``business_clock`` parameter as the catalogue's clock parameters (of ``frt``, ``resolution_time``, ``sla``).

    Empty: the calendar clock. Otherwise the business clock with its working hours, the country
    of the public holidays (``""`` for none) and the closing days, as :func:`business_clock` reads them.

    The catalogue counts the calendar clock in pandas only for now (on DuckDB and Spark its
    elapsed minutes ask for a time-zone conversion the engines refuse): with another ``engine`` an
    empty ``business_clock`` is a ``ValueError`` saying so, before anything is counted.

    Examples
    --------
    >>> clock_params("9:00-18:00, JP, 12-29..01-03")
    {'clock': 'business', 'hours': '09:00-18:00', 'holidays': 'JP', 'closed': '12-29..01-03'}
    >>> clock_params("10:00-19:00, none"), clock_params("")
    ({'clock': 'business', 'hours': '10:00-19:00', 'holidays': '', 'closed': ''}, {'clock': 'calendar'})
    """
    cal, clock = business_clock(text)
    if clock == "calendar":
        if engine != "pandas":
            raise ValueError(f"business_clock is empty (the calendar clock), which the KPI catalogue counts with "
                             f"engine='pandas' only for now; got engine={engine!r}: use engine='pandas' or give "
                             "the working hours, e.g. business_clock='09:00-18:00, JP, 12-29..01-03'")
        return {"clock": "calendar"}
    hours = "-".join(f"{int(h):02d}:{m}" for h, m in (x.split(":") for x in cal.hours))
    return {"clock": "business", "hours": hours, "holidays": cal.holidays or "", "closed": cal.closed or ""}


def parse_highlight(text: str, data_dir: str = "") -> tuple[str, str]:
    """The team and month marked on the team trends: ``"east from 2026-04"`` → ``("east", "2026-04")``;
    ``"none"`` → ``("", "")``; empty → the first action of the data's KPI registry scoped to one team
    (its ``scope: {team: …}`` and ``start``), else nothing.

    >>> parse_highlight("east from 2026-04")
    ('east', '2026-04')
    >>> parse_highlight("none")
    ('', '')
    """
    text = str(text).strip()
    if text.lower() == "none":
        return "", ""
    if not text:
        return _registry_highlight(data_dir)
    m = re.fullmatch(r"(.+?)\s+from\s+(\d{4}-\d{2})", text)
    if m is None:
        raise ValueError(f"highlight is 'TEAM from YYYY-MM', e.g. 'east from 2026-04', or 'none', or empty (the "
                         f"registry's first action for one team); got {text!r}")
    return m[1], m[2]


def _registry_highlight(data_dir: str) -> tuple[str, str]:
    """The first action of the registry beside the data (the sample's example for the sample) scoped to one team."""
    from .. import registry as R
    from .. import scorecard as SC
    from ..datasets import sample_dir

    try:
        found = SC.resolve_registry("", data_dir or sample_dir())
        reg = R.load(found) if found is not None else None
    except (FileNotFoundError, ValueError):
        return "", ""
    for a in reg.actions if reg is not None else ():
        team = tuple((a.scope or {}).get("team") or ())
        if len(team) == 1 and a.start is not None:
            return str(team[0]), str(a.start)
    return "", ""


def target_hours(text: str) -> dict[str, float]:
    """``"urgent:1, high:4, normal:8, low:24"`` → ``{priority: hours}``, as the catalogue's ``sla`` takes them.

    >>> target_hours("urgent:1, high:4.5")
    {'urgent': 1.0, 'high': 4.5}
    """
    out = {}
    for part in [p.strip() for p in str(text).split(",") if p.strip()]:
        m = re.fullmatch(r"([^:\s]+)\s*:\s*([0-9]*\.?[0-9]+)", part)
        if m is None or float(m[2]) <= 0:
            raise ValueError(f"SLA targets are 'priority:hours' pairs separated by commas, e.g. "
                             f"'urgent:1, high:4, normal:8, low:24'; got {part!r}")
        out[m[1]] = float(m[2])
    if not out:
        raise ValueError("sla_targets is empty; give one 'priority:hours' pair per priority")
    return out


def parse_targets(text: str) -> dict[str, float]:
    """``"urgent:1, high:4, normal:8, low:24"`` (hours of the clock) → ``{priority: minutes}``.

    >>> parse_targets("urgent:1, high:4.5")
    {'urgent': 60.0, 'high': 270.0}
    """
    return {k: h * 60 for k, h in target_hours(text).items()}


def parse_channels(text: str) -> list[str]:
    """``"phone,chat"`` → ``["phone", "chat"]``."""
    return [c.strip() for c in str(text).split(",") if c.strip()]


def clock_column(kind: str, clock: str) -> str:
    """Column of :func:`tickets` holding ``kind`` (``frt``/``resolution``) minutes on ``clock``."""
    if kind not in TIME_KINDS or clock not in M.CLOCKS:
        raise ValueError(f"kind is one of {list(TIME_KINDS)} and clock one of {list(M.CLOCKS)}; got {kind!r}, "
                         f"{clock!r}")
    return f"{kind}_{clock}_min"


def tickets(ds, *, calendar: BusinessCalendar | None = None, freq: str = "month") -> pd.DataFrame:
    """The tickets of a Dataset with ``period`` and both clocks of both time KPIs.

    Returns
    -------
    DataFrame
        ``ds.tickets`` plus ``period`` (of ``freq``), ``month``, ``frt_calendar_min``, ``frt_business_min``,
        ``resolution_calendar_min``, ``resolution_business_min`` (minutes; missing when the
        ticket has no first response / resolution yet).
    """
    ds.require("tickets")
    cal = calendar or BusinessCalendar(tz=ds.tz)
    tk = ds.tickets.copy()
    tk["period"] = period_of(tk["created_at"], freq)
    tk["month"] = period_of(tk["created_at"], "month")
    for kind, (start, end) in TIME_KINDS.items():
        for clock in M.CLOCKS:
            tk[clock_column(kind, clock)] = M.elapsed_minutes(tk, start=start, end=end, clock=clock, calendar=cal)
    return tk


def csat_answers(ds, tk: pd.DataFrame | None = None, *, satisfied_from: int = 4) -> pd.DataFrame | None:
    """CSAT answers after a support contact, with ``satisfied`` and the ticket's columns (None without surveys)."""
    if ds.surveys is None:
        return None
    s = ds.surveys[(ds.surveys["survey"] == "csat") & (ds.surveys["touchpoint"] == support_touchpoint(ds.surveys))]
    s = s.assign(satisfied=s["score"] >= satisfied_from)
    if tk is not None:
        cols = [c for c in tk.columns if c not in s.columns or c == "ticket_id"]
        s = attach(s, tk[cols], "ticket_id")
    return s


def weekday_names(lang: str = "en") -> list[str]:
    """Monday … Sunday, short, in ``lang``."""
    return [t(f"weekday_{i}", lang, NS) for i in range(7)]


def translate_values(df: pd.DataFrame, cols, lang: str) -> pd.DataFrame:
    """A copy of ``df`` with the values of ``cols`` in ``lang`` (unknown values kept as written)."""
    out = df.copy()
    for c in [cols] if isinstance(cols, str) else cols:
        if c in out.columns:
            out[c] = out[c].map(lambda v, c=c: _value(c, v, lang))
    return out


def _value(col: str, v, lang: str):
    """A data value in ``lang``: the key ``<column>_<value>`` first (``priority_high`` is not the
    interval's ``high``), then the value itself; unknown values as written."""
    if not isinstance(v, str):
        return v
    key = f"{col}_{v}"
    text = t(key, lang, NS)
    return text if text != key else t(v, lang, NS)


def show(table: pd.DataFrame, by, *, value: str, cols=("n", "value", "low", "high", "small_n"),
         lang: str = "en", median: bool = False, mean: bool = False) -> pd.DataFrame:
    """The columns a reader needs from a KPI table (:func:`csa.kpi.table`, :func:`time_table`), named after the KPI.

    ``median=True`` shows a time table's mean and median with their intervals; otherwise the
    columns ``cols``, where ``value`` becomes ``<value>`` (a rate) or, with ``mean=True`` (a mean
    score or time), ``<value>_mean`` with ``low``/``high`` as the mean's bounds. A quality table's
    ``n`` becomes ``reviewed`` and its ``excluded`` ``not_reviewed``.
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    if median:
        sel = [*keys, "n", "mean", "low", "high", "median", "median_low", "median_high", "small_n"]
        out = table[sel].rename(columns={"mean": f"{value}_mean", "median": f"{value}_median", "low": "mean_low",
                                         "high": "mean_high"})
    else:
        names = {"value": f"{value}_mean" if mean else value}
        if mean:
            names.update(low="mean_low", high="mean_high")
        if value == "quality":
            names.update(n="reviewed", excluded="not_reviewed")
        out = table[[*keys, *cols]].rename(columns=names)
    return translate_values(out, [k for k in keys if k not in ("channel",)], lang)


def upto(table: pd.DataFrame, period) -> pd.DataFrame:
    """The rows of a monthly KPI table up to the end of ``period``, with ``month`` as text (for a trend chart)."""
    last = period.asfreq("M", "end")
    out = table[table["period"] <= last]
    return out.assign(month=out["period"].astype(str)).reset_index(drop=True)


def time_table(kpi: str, data, by, *, period, freq: str = "month", engine: str = "pandas", level: float = 0.95,
               min_n: int = 30, **params) -> pd.DataFrame:
    """A time KPI's mean and median per group, with their intervals: one catalogue table, both statistics.

    Parameters
    ----------
    kpi : {"frt", "resolution_time"}
        The catalogue's time KPI.
    data, by, period, freq, engine, level, min_n
        As in :func:`csa.kpi.table`.
    **params
        The KPI's clock (``clock``, ``hours``, ``holidays``, ``closed``: :func:`clock_params`).

    Returns
    -------
    DataFrame
        ``by``, ``n``, ``mean``, ``low``, ``high`` (the mean's interval), ``median``,
        ``median_low``, ``median_high``, ``small_n``: the catalogue's ``statistic="median"`` table,
        whose sums give the catalogue's mean (``statistic="mean"``) of the same tickets.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> tab = time_table("frt", ds, "channel", period="2026-10")
    >>> tab[["channel", "n", "mean", "median"]].round(1)
        channel    n   mean  median
    0      chat  346    2.6     1.2
    1     email  400  121.9    73.2
    2     phone  299    0.8     0.3
    3  web_form  168  145.7    77.2
    """
    params = {k: v for k, v in params.items() if k != "statistic"}
    med = K.table(kpi, data, by=by, period=period, freq=freq, engine=engine, level=level, min_n=min_n,
                  statistic="median", **params)
    e = K.get(kpi)
    mean = e.kernel.statistic.estimate(med.drop(columns=["value", "low", "high"]),
                                       e.resolve({**params, "statistic": "mean"}), level)
    keys = [by] if isinstance(by, str) else list(by)
    out = med[[*keys, "n"]].assign(mean=mean["value"], low=mean["low"], high=mean["high"], median=med["value"],
                                    median_low=med["low"], median_high=med["high"], small_n=med["small_n"])
    return out.reset_index(drop=True)


# =============================================================================== the headline KPIs

def headlines(data, periods, *, part: str = "support", clock: dict | None = None, definition: str = "one_touch",
              targets: dict[str, float] | None = None, engine: str = "pandas", level: float = 0.95,
              min_n: int = 30) -> dict[str, Headline]:
    """A part's headline KPIs (:data:`PARTS`) from the catalogue, this period against the comparison period.

    Parameters
    ----------
    data : Dataset or tables
        As :func:`csa.measure` takes them (opened once with :func:`csa.kpi.open_tables`).
    periods : Periods
        The report period and the comparison period.
    part : {"support", "resolution", "capacity"}
        The part of the support lesson (its notebook id): the records say it published them.
    clock : dict
        The clock of the first response time and of SLA achievement (:func:`clock_params`);
        default the catalogue's (business hours).
    definition : str
        FCR's rule.
    targets : dict, optional
        SLA targets per priority in hours (:func:`target_hours`); default the catalogue's.
    engine, level, min_n
        As in :func:`csa.views.common.headline`.

    Returns
    -------
    dict of str to Headline
        ``support``: ``frt`` (mean), ``sla``; ``resolution``: ``fcr``, ``csat`` (after a support
        contact: shown, published by the CSAT section; with surveys), ``complaints``; ``capacity``:
        ``volume``, ``cpi`` (with ``support_costs``).

    Examples
    --------
    >>> import csa
    >>> from csa.views.common import Periods
    >>> P = Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M"))
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> [r["key"] for r in records(headlines(ds, P))][1:]
    ['sla{clock=business,closed=12-29..01-03,holidays=JP,hours=09:00-18:00,targets={high:4,low:24,normal:8,urgent:1}}']
    >>> hl = headlines(ds, P, part="resolution")
    >>> list(hl), [(r["kpi"], r["section"]) for r in records(hl)]
    (['fcr', 'csat', 'complaints'], [('fcr', 'resolution'), ('complaints', 'resolution')])
    """
    if part not in PARTS:
        raise ValueError(f"part is one of {', '.join(PARTS)} (the notebook ids of the support lesson); got {part!r}")
    tables = K.open_tables(data, engine=engine)
    clock = dict(clock or {})
    common = dict(section=part, engine=engine, level=level, min_n=min_n)
    params = {"frt": dict(statistic="mean", **clock), "fcr": {"definition": definition},
              "sla": {**({} if targets is None else {"targets": targets}), **clock}}
    out = {}
    for kpi in PARTS[part]:
        if kpi == "csat":
            if tables.has("surveys"):
                out["csat"] = headline("csat", tables, periods, touchpoint=support_touchpoint_of(tables), **common)
        elif kpi != "cpi" or tables.has("support_costs"):
            out[kpi] = headline(kpi, tables, periods, **params.get(kpi, {}), **common)
    return out


def records(hl: dict[str, Headline]) -> list[dict]:
    """The records a part publishes (:data:`PUBLISHED` of the part that computed them): each catalogue KPI once;
    CSAT is the CSAT section's."""
    return [h.record for k, h in hl.items() if k in PUBLISHED.get(h.record["section"], ())]


def describe_kpis(hl: dict[str, Headline], periods, *, lang: str = "en", min_n: int = 30) -> str:
    """One bullet per headline KPI: its catalogue name and parameters, value, interval, n, change."""
    check_lang(lang)
    lines = []
    for key, h in hl.items():
        r, c = h.this, h.change
        e, unit = r.entry, r.unit
        d = e.fmt.digits
        name = e.label(r.params, lang)
        if r.missing:
            lines.append(t("kpi_missing", lang, NS, name=name, columns=", ".join(r.missing)))
            continue
        if not r.n or math.isnan(r.value):
            lines.append(t("kpi_none", lang, NS, name=name, period=periods.this_label))
            continue
        interval = "" if math.isnan(r.low) else t("kpi_interval", lang, NS, level=r.level,
                                                  low=num.value(r.low, unit, lang, digits=d),
                                                  high=num.value(r.high, unit, lang, digits=d))
        value = num.value(r.value, unit, lang, digits=d)
        text = t("kpi_line_count", lang, NS, name=name, value=value, what=t(f"n_{key}", lang, NS)) \
            if unit == "count" else t("kpi_line", lang, NS, name=name, value=value, interval=interval,
                                      n=num.number(r.n, 0), what=t(f"n_{key}", lang, NS))
        if c is None:
            text += t("kpi_no_change", lang, NS, prev=periods.prev_label)
        elif c["low"] is None:  # a count or a ratio of totals (volume, CPI): no sampling interval, no test
            text += t("kpi_change_count" if unit == "count" else "kpi_change_total", lang, NS, prev=periods.prev_label,
                      diff=num.change(c["diff"], unit, lang, digits=d))
        else:
            real = c["low"] > 0 or c["high"] < 0
            text += t("kpi_change", lang, NS, prev=periods.prev_label, diff=num.change(c["diff"], unit, lang, digits=d),
                      low=num.change(c["low"], unit, lang, digits=d), high=num.change(c["high"], unit, lang, digits=d),
                      p=num.p_value(c["p_value"]), verdict=t("change_real" if real else "change_noise", lang, NS))
        if r.n < min_n:
            text += t("kpi_small", lang, NS, n=num.number(r.n, 0), min_n=min_n)
        if key not in PUBLISHED.get(h.record["section"], ()):
            text += t("kpi_elsewhere", lang, NS)
        lines.append(text)
    return "\n".join(lines)


def scope_sentence(periods, tk: pd.DataFrame, cal: BusinessCalendar | None = None, *, clock: str = "",
                   lang: str = "en") -> str:
    """What the notebook looks at (``tk``: the tickets, e.g. ``ds.tickets``), and which clock its time KPIs use
    (said when ``cal`` is given: a part without time KPIs gives none).

    >>> import csa
    >>> from csa.views.common import Periods
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> print(scope_sentence(Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M")), ds.tickets))
    Period **2026-10**, compared with 2026-09; **1,216 tickets** created in the period (25,796 in the data).
    """
    now = period_of(tk["created_at"], periods.freq) == periods.this
    words = dict(period=periods.this_label, prev=periods.prev_label, n=int(now.sum()), n_all=len(tk))
    text = t("scope_tickets", lang, NS, **words) if cal is None else \
        t("scope", lang, NS, **words, clock=calendar_sentence(cal, clock, lang=lang))
    return join_sentences([text, unknown_customers_sentence(tk[now], "tickets", lang=lang)], lang)


def _closed_text(closed) -> str:
    """A calendar's closing days as text (``"12-29..01-03"``), whether given as text, dates or pairs."""
    if isinstance(closed, str):
        return closed
    items = closed if isinstance(closed, (list, tuple)) else [closed]
    return ", ".join("..".join(str(x) for x in i) if isinstance(i, tuple) else str(i)[:10] for i in items)


def calendar_sentence(cal: BusinessCalendar, clock: str, *, lang: str = "en") -> str:
    """The clock in words."""
    if clock == "calendar":
        return t("clock_calendar_text", lang, NS)
    country = _value("country", str(cal.holidays), lang) if isinstance(cal.holidays, str) else ""
    hol = t("holidays_of", lang, NS, country=country) if cal.holidays else ""
    closed = t("closed_days", lang, NS, closed=closed_words(_closed_text(cal.closed), lang)) if cal.closed else ""
    return t("clock_business_text", lang, NS, open=cal.hours[0], close=cal.hours[1], holidays=hol, closed=closed)


# =============================================================================== FCR, SLA, CPI, abandonment

def fcr_side_by_side(data, period, *, freq: str = "month", engine: str = "pandas", level: float = 0.95,
                     min_n: int = 30, lang: str = "en") -> pd.DataFrame:
    """The catalogue's FCR under its four definitions on the same tickets, with what each counts (in ``lang``).

    Returns
    -------
    DataFrame
        ``definition``, ``rule`` (what it counts, in words), ``n``, ``successes``, ``value``,
        ``low``, ``high``, ``small_n``: :func:`csa.measure` of ``fcr`` with each ``definition``.
    """
    tables = K.open_tables(data, engine=engine)
    rows = []
    for d in K.KPIS["fcr"].params["definition"].choices:
        r = K.measure("fcr", tables, period=period, freq=freq, engine=engine, level=level, definition=d)
        rows.append({"definition": d, "rule": t(f"rule_{d}", lang, NS), "n": r.n,
                     "successes": int(r.row.get("successes", 0) or 0), "value": r.value, "low": r.low,
                     "high": r.high, "small_n": r.small_n(min_n)})
    return pd.DataFrame(rows)


def describe_fcr_spread(side: pd.DataFrame, *, lang: str = "en") -> str:
    """How far the definitions move FCR on the same tickets."""
    ok = side[side["n"] > 0]
    if ok.empty:
        return t("fcr_none", lang, NS)
    lo, hi = ok.loc[ok["value"].idxmin()], ok.loc[ok["value"].idxmax()]
    word = K.KPIS["fcr"].params["definition"].word
    return t("fcr_spread", lang, NS, low=num.value(lo["value"], "%", lang), low_def=word(lo["definition"], lang),
             high=num.value(hi["value"], "%", lang), high_def=word(hi["definition"], lang),
             spread=num.number(hi["value"] - lo["value"], 1))


def clock_comparison(data, by: str = "channel", *, period, clock: dict | None = None, kind: str = "frt",
                     freq: str = "month", engine: str = "pandas", level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Median (with interval) of a time KPI on the calendar and the business clock per group, side by side.

    ``clock`` gives the business clock (:func:`clock_params`); when it is the calendar clock (or
    missing), the catalogue's default business clock (09:00–18:00, Japanese holidays, 年末年始).
    The business clock is counted on ``engine``, the calendar clock in pandas (the catalogue's
    calendar clock does not run on DuckDB or Spark yet: :func:`clock_params`), so ``data`` is a
    Dataset (or pandas tables).

    Returns
    -------
    DataFrame
        ``by``, ``n``, ``median_calendar``, ``median_low_calendar``, ``median_high_calendar`` and the
        same three on ``business`` (minutes): :func:`csa.kpi.table` of ``kind`` with
        ``statistic="median"`` on each clock.
    """
    business = dict(clock or {}) if (clock or {}).get("clock") == "business" else {"clock": "business"}
    parts = []
    for name, params, on in (("calendar", {"clock": "calendar"}, "pandas"), ("business", business, engine)):
        x = K.table(kind, data, by=by, period=period, freq=freq, engine=on, level=level, min_n=min_n,
                    statistic="median", **params)
        parts.append(x[[by, "n", "value", "low", "high"]].rename(
            columns={"value": f"median_{name}", "low": f"median_low_{name}", "high": f"median_high_{name}"}))
    return parts[0].merge(parts[1].drop(columns="n"), on=by).reset_index(drop=True)


def sla_targets_table(targets: dict[str, float], *, lang: str = "en") -> pd.DataFrame:
    """The SLA targets per priority, in hours of the clock (:func:`target_hours`)."""
    out = pd.DataFrame({"priority": list(targets), "target_h": [float(v) for v in targets.values()]})
    return translate_values(out, "priority", lang)


def cpi_table(data, *, freq: str = "month", engine: str = "pandas", until=None) -> pd.DataFrame:
    """The catalogue's CPI under both definitions (÷ tickets created, ÷ tickets solved) per period, side by side.

    Returns
    -------
    DataFrame
        ``period``, ``cost`` (JPY), ``tickets`` (created), ``cpi``, ``tickets_resolved`` (solved in
        the period), ``cpi_resolved``; periods up to ``until`` when given.
    """
    a, b = (K.table("cpi", data, freq=freq, engine=engine, definition=d) for d in ("all", "resolved"))
    out = a[["period", "cost", "tickets", "value"]].rename(columns={"value": "cpi"}).merge(
        b[["period", "tickets", "value"]].rename(columns={"tickets": "tickets_resolved", "value": "cpi_resolved"}),
        on="period", how="outer")
    out["tickets_resolved"] = out["tickets_resolved"].fillna(0).astype("int64")
    if until is not None:
        out = out[out["period"] <= until]
    return out.reset_index(drop=True)


def category_table(data, period, *, freq: str = "month", engine: str = "pandas", lang: str = "en") -> pd.DataFrame:
    """The catalogue's inquiry volume of ``period`` per category, largest first (categories in ``lang``)."""
    x = K.table("volume", data, by="category", period=period, freq=freq, engine=engine)
    out = x[["category", "value"]].rename(columns={"value": "tickets"}).astype({"tickets": "int64"})
    out = out.sort_values(["tickets", "category"], ascending=[False, True], kind="stable")
    return translate_values(out.reset_index(drop=True), "category", lang)


def describe_cpi(costs, *, lang: str = "en") -> str:
    """What the CPI section can show."""
    return t("cpi_missing" if costs is None else "cpi_note", lang, NS)


def describe_abandonment(short_abandon: float, *, lang: str = "en") -> str:
    """Why short abandons are (not) left out."""
    return t("short_abandon_set" if short_abandon else "short_abandon_none", lang, NS, s=short_abandon)


# =============================================================================== teams

def team_trends(data, *, clock: dict | None = None, definition: str = "one_touch", engine: str = "pandas",
                level: float = 0.95, min_n: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The catalogue's first response time (mean) and FCR per team and month, every month of the data.

    Returns
    -------
    (DataFrame, DataFrame)
        :func:`csa.kpi.table` of ``frt`` (``statistic="mean"`` on ``clock``) and of ``fcr`` (rule
        ``definition``) by ``team`` with ``freq="month"``: ``period``, ``team``, ``n``, ``value``,
        ``low``, ``high``, ``small_n`` and their counts and sums; :func:`upto` cuts them for a chart.
    """
    common = dict(by="team", freq="month", engine=engine, level=level, min_n=min_n)
    frt = K.table("frt", data, statistic="mean", **dict(clock or {}), **common)
    fcr = K.table("fcr", data, definition=definition, **common)
    return frt, fcr


def _pooled(kpi: str, rows: pd.DataFrame, params: dict, level: float) -> tuple[float, int]:
    """The catalogue's statistic of ``kpi`` on the counts and sums of several rows of its table, added up."""
    e = K.get(kpi)
    cols = [c for c in ("n", "successes", "total", "total_sq", "excluded") if c in rows.columns]
    sums = pd.DataFrame([rows[cols].sum()]) if len(rows) else pd.DataFrame({c: [0] for c in cols})
    est = e.kernel.statistic.estimate(sums, e.resolve(params), level)
    return float(est["value"].iloc[0]), int(est["n"].iloc[0])


def describe_highlight(frt: pd.DataFrame, fcr: pd.DataFrame, team: str, mark: str, *, clock: dict | None = None,
                       definition: str = "one_touch", window: int = 3, level: float = 0.95,
                       lang: str = "en") -> str:
    """The highlighted team in the ``window`` months before ``mark`` and from it: a picture, not an evaluation.

    ``frt`` and ``fcr`` are :func:`team_trends`; the team's figures over each window are the
    catalogue's statistic on the team's monthly counts added up (what :func:`csa.measure` with
    ``where={"team": team}`` gives for a period of those months).
    """
    if not team or not mark:
        return t("highlight_none", lang, NS)
    known = sorted(set(map(str, frt["team"].dropna())) | set(map(str, fcr["team"].dropna())))
    if team not in known:
        return t("highlight_unknown", lang, NS, team=team, teams=", ".join(known))
    m = pd.Period(mark, "M")
    params = {"frt": {"statistic": "mean", **dict(clock or {})}, "fcr": {"definition": definition}}
    vals = {}
    for kpi, tab in (("frt", frt), ("fcr", fcr)):
        mine = tab[tab["team"] == team]
        before = mine[(mine["period"] >= m - window) & (mine["period"] < m)]
        after = mine[(mine["period"] >= m) & (mine["period"] < m + window)]
        vals[kpi] = [_pooled(kpi, x, params[kpi], level) for x in (before, after)]
    if any(n == 0 for pair in vals.values() for _, n in pair):
        return t("highlight_no_data", lang, NS, team=_value("team", team, lang), mark=mark)
    (a, _), (b, _) = vals["frt"]
    (c, _), (d, _) = vals["fcr"]
    name = {k: K.KPIS[k].label(params[k], lang) for k in params}
    if lang == "en":  # inside a sentence: "first response time (FRT; …)"
        name = {k: v[:1].lower() + v[1:] for k, v in name.items()}
    return t("highlight", lang, NS, team=_value("team", team, lang), mark=mark, window=window, frt=name["frt"],
             fcr=name["fcr"],
             a=num.value(a, "minutes", lang), b=num.value(b, "minutes", lang), c=num.value(c, "%", lang),
             d=num.value(d, "%", lang))


# =============================================================================== KPI → KGI

def band_of(minutes) -> pd.Categorical:
    """First-response band of each duration (minutes), keys of :data:`BAND_KEYS`."""
    return pd.cut(pd.Series(minutes, dtype=float), list(BAND_EDGES), right=False, labels=list(BAND_KEYS))


def band_table(df: pd.DataFrame, flag: str, minutes: str, *, level: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """A rate per first-response band (``band`` in band order, empty bands kept with n = 0)."""
    x = df.assign(band=band_of(df[minutes]).to_numpy())
    out = M.rate_table(x, flag, "band", level=level, min_n=min_n)
    return out.set_index("band").reindex(list(BAND_KEYS)).reset_index() \
        .fillna({"n": 0, "successes": 0, "excluded": 0}).astype({"n": "int64", "successes": "int64"})


def chain(ds, tk: pd.DataFrame, *, follow: int = 6, level: float = 0.95,
          min_n: int = 30) -> dict[str, pd.DataFrame] | None:
    """Article 001's chain on the data: first response → CSAT after support → churn within ``follow`` months.

    The first response is measured on the calendar clock: the customer waits through nights and
    weekends too.

    Returns
    -------
    dict or None
        ``frt_csat``: % satisfied (CSAT 4–5) per first-response band; ``csat_churn``: % of the
        answering customers who left within ``follow`` months, per CSAT score; ``frt_churn``: the
        same churn per first-response band (the direct link). ``None`` without surveys; the two
        churn tables are missing without subscriptions. Only answers given at least ``follow``
        months before the data's last month are followed (:func:`csa.metrics.churn.churned_within`).
    """
    s = csat_answers(ds, tk)
    if s is None or s.empty:
        return None
    col = clock_column("frt", "calendar")
    out = {"frt_csat": band_table(s, "satisfied", col, level=level, min_n=min_n)}
    if ds.subscriptions is None or ds.subscriptions.empty:
        return out
    followed = CH.churned_within(s, ds.subscriptions, follow, at="responded_at")
    out["csat_churn"] = M.rate_table(followed, "churned", "score", level=level, min_n=min_n)
    out["frt_churn"] = band_table(followed, "churned", col, level=level, min_n=min_n)
    return out


def describe_chain(ch: dict[str, pd.DataFrame] | None, *, follow: int = 6, min_n: int = 30,
                   lang: str = "en") -> str:
    """The chain in words: each link's two ends (groups of at least ``min_n``), and the direct link."""
    if ch is None:
        return t("chain_none", lang, NS)
    sep = " " if lang == "en" else ""
    fc = ch["frt_csat"][ch["frt_csat"]["n"] >= min_n]
    if len(fc) < 2:
        return t("chain_few", lang, NS, min_n=min_n)
    pct = lambda x: num.value(x, "%", lang, digits=0)
    text = t("chain_frt_csat", lang, NS, fast=t(fc["band"].iloc[0], lang, NS), a=pct(fc["value"].iloc[0]),
             slow=t(fc["band"].iloc[-1], lang, NS), b=pct(fc["value"].iloc[-1]))
    if "csat_churn" not in ch:
        return text + sep + t("chain_no_churn", lang, NS)
    cc = ch["csat_churn"][ch["csat_churn"]["n"] >= min_n]
    fr = ch["frt_churn"][ch["frt_churn"]["n"] >= min_n]
    if len(cc) < 2 or len(fr) < 2:
        return text + sep + t("chain_few", lang, NS, min_n=min_n)
    text += sep + t("chain_csat_churn", lang, NS, follow=follow, low_score=int(cc["score"].iloc[0]),
                    a=pct(cc["value"].iloc[0]), high_score=int(cc["score"].iloc[-1]), b=pct(cc["value"].iloc[-1]))
    overlap = fr["low"].max() <= fr["high"].min()
    text += sep + t("chain_direct_flat" if overlap else "chain_direct", lang, NS, follow=follow,
                    lo=num.number(fr["value"].min(), 0), hi=pct(fr["value"].max()))
    return text


# =============================================================================== staffing

def queue_view(tk: pd.DataFrame, periods, cal: BusinessCalendar, *, aht: float, channels=("phone", "chat"),
               agents: int = 2, target_s: float = 20, goal: float = 80.0) -> dict[str, Any]:
    """Arrivals per weekday and hour against agents on shift, and the Erlang C service level.

    ``aht`` is the handle time of the queue's contacts in minutes: the catalogue's AHT of the
    period with ``where={"channel": channels}`` (:func:`csa.measure`).

    Agents answer the queue (``channels``) during business hours on working weekdays (an hour only
    partly inside them, e.g. 09:00–10:00 with a 09:30 opening, counts as closed); contacts arriving
    outside them wait for the next opening.

    Returns
    -------
    dict
        ``arrivals`` (average contacts per hour, weekday × hour), ``service_level`` (percent
        answered within ``target_s``; missing in closed hours), ``needed`` (agents for ``goal``
        percent, also in closed hours: what opening them would take), ``aht`` (as given),
        ``after_hours`` (percent of the
        period's queue contacts arriving while closed), ``n`` (queue contacts), ``table`` (the
        long table of :func:`csa.metrics.queue.staffing_table`).
    """
    q = tk[(tk["period"] == periods.this) & tk["channel"].isin(list(channels))]
    first, last = periods.this.start_time, periods.this.end_time
    arrivals = M.weekday_hour(q, per_day=True, first=first, last=last)
    hours = [h for h in arrivals.columns if arrivals[h].sum() > 0] or list(range(9, 18))
    long = arrivals[hours].stack().rename("arrivals").reset_index()
    o, c = (int(x.split(":")[0]) * 60 + int(x.split(":")[1]) for x in cal.hours)
    on_week = np.array([ch == "1" for ch in cal.weekmask])[long["weekday"]]
    open_ = on_week & (long["hour"] * 60 >= o) & ((long["hour"] + 1) * 60 <= c)
    long["agents"] = np.where(open_, agents, 0)
    table = Q.staffing_table(long["arrivals"], aht if aht > 0 else 1.0, long["agents"], target=target_s / 60,
                             level=goal)
    long = pd.concat([long, table.drop(columns=["arrivals", "agents"])], axis=1)
    long.loc[long["arrivals"] == 0, ["service_level", "agents_needed"]] = np.nan
    long.loc[long["agents"] == 0, "service_level"] = np.nan  # closed: nobody answers until the next opening
    pivot = lambda c_: long.pivot(index="weekday", columns="hour", values=c_)
    is_open = cal.is_open(q["created_at"]) if len(q) else np.array([], bool)
    return {"arrivals": arrivals[hours], "service_level": pivot("service_level"), "needed": pivot("agents_needed"),
            "aht": float(aht), "after_hours": 100 * float((~is_open).mean()) if len(q) else float("nan"), "n": len(q),
            "table": long}


def describe_staffing(qv: dict[str, Any], *, agents: int, target_s: float, goal: float, lang: str = "en") -> str:
    """The staffing view in words."""
    if not qv["n"]:
        return t("staffing_none", lang, NS)
    tab = qv["table"]
    open_ = tab[(tab["agents"] > 0) & (tab["arrivals"] > 0)]
    below = open_[open_["service_level"] < goal]
    text = t("staffing", lang, NS, n=num.number(qv["n"], 0), aht=num.value(qv["aht"], "minutes", lang),
             after=num.value(qv["after_hours"], "%", lang, digits=0), agents=agents, target=target_s,
             goal=num.value(goal, "%", lang, digits=0),
             below=len(below), slots=len(open_))
    if len(below):
        worst = below.sort_values("service_level").iloc[0]
        text += t("staffing_worst", lang, NS, day=weekday_names(lang)[int(worst["weekday"])], hour=int(worst["hour"]),
                  sl=num.value(worst["service_level"], "%", lang, digits=0), need=int(worst["agents_needed"]))
    return text


def sla_breaches(data, period, *, targets: dict[str, float], calendar: BusinessCalendar | None = None,
                 freq: str = "month", engine: str = "pandas", lang: str = "en", **clock) -> pd.DataFrame:
    """The tickets of ``period`` that missed their first-response target: the support lead's follow-up list.

    The catalogue's SLA rows (:func:`csa.kpi.rows` of ``"sla"`` with ``targets`` and the ``clock``
    parameters) whose outcome is a miss: answered after the target of their priority, or not answered
    and already past it. Unanswered tickets first, then the latest answers; hours on the report's clock
    (``calendar`` for business hours, else calendar hours).

    Returns
    -------
    DataFrame
        One row per ticket with the words of ``lang`` as column names: the ticket, the customer, its
        priority, team and channel, when it was created (local time), hours to the first response
        (empty when none yet), the target in hours and the hours past it.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> cal, clock = business_clock("09:00-18:00, JP, 12-29..01-03")
    >>> late = sla_breaches(ds, pd.Period("2026-10", "M"), targets=target_hours("urgent:1, high:4, normal:8, low:24"),
    ...                     calendar=cal, **clock_params("09:00-18:00, JP, 12-29..01-03"))
    >>> len(late), list(late.columns)[:3]
    (29, ['Ticket', 'Customer', 'Priority'])
    """
    r = K.rows("sla", data, freq=freq, engine=engine, targets=targets, **clock)
    late = r[(r["period"] == period) & (r["y"] == 0)].copy()
    business = clock.get("clock") == "business" and calendar is not None
    took = M.elapsed_minutes(late, end="first_response_at", clock="business" if business else "calendar",
                             calendar=calendar if business else None) / 60
    target = late["priority"].map(lambda p: targets.get(str(p), np.nan)).astype(float)
    waiting = late["first_response_at"].isna()
    created = late["created_at"]
    if isinstance(created.dtype, pd.DatetimeTZDtype):
        created = created.dt.tz_localize(None)
    out = pd.DataFrame({
        "ticket": late["ticket_id"].astype(str),
        "customer": late["customer_id"].astype("string").fillna(""),
        "priority": [_value("priority", p, lang) for p in late["priority"]],
        "team": [t(str(x), lang) if pd.notna(x) else "" for x in late.get("team", pd.Series("", index=late.index))],
        "channel": [_value("channel", c, lang) for c in late.get("channel", pd.Series("", index=late.index))],
        "created": created.dt.strftime("%Y-%m-%d %H:%M"),
        "hours_to_first_response": took.round(1),
        "target_hours": target,
        "hours_over": (took - target).round(1),
    })
    out = out.assign(_wait=waiting.to_numpy()).sort_values(["_wait", "hours_over"], ascending=[False, False])
    out = out.drop(columns="_wait").reset_index(drop=True)
    return out.rename(columns={c: t(f"breach_{c}", lang, NS) for c in out.columns})


def breach_list(table: pd.DataFrame, top_n: int = 20, *, lang: str = "en"):
    """:func:`sla_breaches` as a follow-up list: the first ``top_n`` rows shown, the whole list as the report's CSV."""
    from .nps import FollowupList

    return FollowupList(table, top_n, name="sla_breaches", title=t("list_sla_breaches", lang, NS))


def describe_breaches(table: pd.DataFrame, periods, *, lang: str = "en") -> str:
    """One sentence on :func:`sla_breaches`: how many, how many still without a reply."""
    if not len(table):
        return t("sla_breaches_none", lang, NS, period=periods.this_label)
    waiting = int(table.iloc[:, 6].isna().sum())  # hours to the first response (its column in either language)
    return t("sla_breaches_text", lang, NS, n=len(table), waiting=waiting, period=periods.this_label)
