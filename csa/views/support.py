"""The support notebook's view (``05_support``): tickets with their two clocks, the KPI tables, the
KPI → KGI chain, the staffing view, and the sentences and headline records of the report.

Every number comes from :mod:`csa.metrics.support` and :mod:`csa.metrics.queue`; this module
selects rows, derives row flags (a ticket's time band, a customer's churn after an answer) and
picks words (:mod:`csa.labels`, namespace ``support``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import headline as H
from ..businesstime import BusinessCalendar
from ..joins import attach
from ..labels import check_lang, t
from ..metrics import queue as Q
from ..metrics import support as M
from ..periods import period_of

__all__ = ["ALWAYS_OPEN", "BAND_EDGES", "BAND_KEYS", "KPI", "TIME_KINDS", "band_of", "band_table", "business_clock",
           "calendar_sentence", "chain", "clock_column", "clock_comparison", "cpi_table", "csat_answers",
           "describe_abandonment", "describe_chain", "describe_cpi", "describe_fcr_spread", "describe_highlight",
           "describe_kpis", "describe_staffing", "fcr_side_by_side", "headline_records", "kpis", "parse_channels",
           "parse_highlight", "parse_targets", "queue_view", "scope_sentence", "show", "sla_targets_table",
           "team_trends", "tickets", "translate_values", "weekday_names"]

NS = "support"
TIME_KINDS = {"frt": ("created_at", "first_response_at"), "resolution": ("created_at", "resolved_at")}
#: first-response bands of the KPI → KGI chain, in minutes (the last band is open-ended)
BAND_EDGES = (0, 5, 60, 240, 1440, math.inf)
BAND_KEYS = ("band_5m", "band_1h", "band_4h", "band_24h", "band_more")


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


def parse_highlight(text: str) -> tuple[str, str]:
    """``"osaka from 2026-04"`` → ``("osaka", "2026-04")``; empty → ``("", "")``.

    >>> parse_highlight("osaka from 2026-04")
    ('osaka', '2026-04')
    """
    if not str(text).strip():
        return "", ""
    m = re.fullmatch(r"\s*(.+?)\s+from\s+(\d{4}-\d{2})\s*", str(text))
    if m is None:
        raise ValueError(f"highlight is 'TEAM from YYYY-MM', e.g. 'osaka from 2026-04' (or empty); got {text!r}")
    return m[1], m[2]


def parse_targets(text: str) -> dict[str, float]:
    """``"urgent:1, high:4, normal:8, low:24"`` (business hours) → ``{priority: minutes}``.

    >>> parse_targets("urgent:1, high:4.5")
    {'urgent': 60.0, 'high': 270.0}
    """
    out = {}
    for part in [p.strip() for p in str(text).split(",") if p.strip()]:
        m = re.fullmatch(r"([^:\s]+)\s*:\s*([0-9]*\.?[0-9]+)", part)
        if m is None or float(m[2]) <= 0:
            raise ValueError(f"SLA targets are 'priority:hours' pairs separated by commas, e.g. "
                             f"'urgent:1, high:4, normal:8, low:24'; got {part!r}")
        out[m[1]] = float(m[2]) * 60
    if not out:
        raise ValueError("sla_targets is empty; give one 'priority:hours' pair per priority")
    return out


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
    s = ds.surveys[(ds.surveys["survey"] == "csat") & (ds.surveys["touchpoint"] == "support_contact")]
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
         lang: str = "en", median: bool = False) -> pd.DataFrame:
    """The columns a reader needs from a rate or time table, named after the KPI (``value``).

    ``median=True`` shows a time table's mean and median with their intervals; otherwise the
    columns ``cols``, where ``value`` (a rate) or ``mean`` (a score) become ``<value>`` or
    ``<value>_mean``, and a quality table's ``n`` becomes ``reviewed``.
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    if median:
        sel = [*keys, "n", "mean", "low", "high", "median", "median_low", "median_high", "small_n"]
        out = table[sel].rename(columns={"mean": f"{value}_mean", "median": f"{value}_median", "low": "mean_low",
                                         "high": "mean_high"})
    else:
        names = {"value": value, "mean": f"{value}_mean"}
        if "mean" in cols:
            names.update(low="mean_low", high="mean_high")
        if value == "quality":
            names["n"] = "reviewed"
        out = table[[*keys, *cols]].rename(columns=names)
    return translate_values(out, [k for k in keys if k not in ("channel",)], lang)


# =============================================================================== the headline KPIs

@dataclass(frozen=True)
class KPI:
    """One headline KPI: this period's result, the comparison period's and their difference."""

    key: str
    unit: str
    direction: str
    this: Any
    prev: Any
    diff: Any = None

    @property
    def value(self) -> float:
        return self.this.mean if isinstance(self.this, M.MeanResult) else self.this.value

    @property
    def n(self) -> int:
        return self.this.n


def _rate_kpi(key, now_table, prev_table, *, level, direction="higher") -> KPI:
    a = M.RateResult.from_row(now_table.iloc[0], level=level)
    b = M.RateResult.from_row(prev_table.iloc[0], level=level)
    diff = M.compare_rates(a, b, level=level) if a.n and b.n else None
    return KPI(key, "%", direction, a, b, diff)


def kpis(tk: pd.DataFrame, periods, *, clock: str = "business", definition: str = "one_touch",
         targets: dict[str, float] | None = None, calendar: BusinessCalendar | None = None,
         csat: pd.DataFrame | None = None, costs: pd.DataFrame | None = None, freq: str = "month",
         level: float = 0.95) -> dict[str, KPI]:
    """ART, FCR, SLA attainment, CSAT after support (with surveys) and CPI (with costs), this period vs the other.

    ``tk`` is :func:`tickets`; ``csat`` is :func:`csat_answers`; ``costs`` a ``support_costs`` table.
    Tickets are assigned to the period they were created in; CSAT answers to the period they
    were given in.
    """
    now, prev = (tk[tk["period"] == p] for p in (periods.this, periods.prev))
    col = clock_column("frt", clock)
    a, b = (M.MeanResult.from_row(M.mean_table(x, col, level=level).iloc[0], level=level) for x in (now, prev))
    out = {"art": KPI("art", "minutes", "lower", a, b, M.compare_means(a, b, level=level) if a.n > 1 and b.n > 1
                      else None)}
    out["fcr"] = _rate_kpi("fcr", *(M.fcr_table(x, definition=definition, level=level) for x in (now, prev)),
                           level=level)
    as_of = pd.concat([tk["created_at"], tk["first_response_at"]]).max()
    sla = [M.sla_table(x, targets=targets, calendar=calendar, as_of=as_of, level=level) for x in (now, prev)]
    out["sla"] = _rate_kpi("sla", *sla, level=level)
    if csat is not None:
        cp = period_of(csat["responded_at"], freq)
        out["csat"] = _rate_kpi("csat", *(M.rate_table(csat[cp == p], "satisfied", level=level)
                                          for p in (periods.this, periods.prev)), level=level)
    if costs is not None:
        table = cpi_table(tk, costs, freq_code=periods.this.freqstr)
        rows = [table[table["period"] == p] for p in (periods.this, periods.prev)]
        vals = [float(r["cpi"].iloc[0]) if len(r) and pd.notna(r["cpi"].iloc[0]) else float("nan") for r in rows]
        ns = [int(r["tickets"].iloc[0]) if len(r) else 0 for r in rows]
        out["cpi"] = KPI("cpi", "JPY", "lower", _Plain(vals[0], ns[0]), _Plain(vals[1], ns[1]),
                         vals[0] - vals[1] if not any(map(math.isnan, vals)) else None)
    return out


@dataclass(frozen=True)
class _Plain:
    """A total-based figure without a sampling interval (CPI)."""

    value: float
    n: int
    low: float = float("nan")
    high: float = float("nan")


def _num(x: float, unit: str, lang: str, *, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    sep = " " if lang == "en" else ""
    if unit == "JPY":  # ¥1,234 in English, 1,234円 in Japanese; a change with its sign in front
        sign = ("+" if x >= 0 else "−") if signed else ("−" if x < 0 else "")
        return f"{sign}¥{abs(x):,.0f}" if lang == "en" else f"{sign}{abs(x):,.0f}円"
    if unit == "minutes":
        return f"{x:{'+' if signed else ''}.1f}{sep}{t('min', lang, NS)}"
    if signed:
        return f"{x:+.1f}{sep}{t('points', lang, NS)}"
    return f"{x:.1f}{sep}%"


def describe_kpis(k: dict[str, KPI], periods, *, clock: str, definition: str, lang: str = "en",
                  min_n: int = 30, level: float = 0.95) -> str:
    """One bullet per headline KPI: value, interval, n, change against the comparison period."""
    check_lang(lang)
    lines = []
    for key, kpi in k.items():
        name = t(f"kpi_{key}", lang, NS, clock=t(f"clock_{clock}", lang, NS), definition=t(definition, lang, NS))
        if not kpi.n or kpi.value is None or math.isnan(kpi.value):
            lines.append(t("kpi_none", lang, NS, name=name, period=periods.this_label))
            continue
        interval = "" if key == "cpi" else t("kpi_interval", lang, NS, level=level,
                                             low=_num(kpi.this.low, kpi.unit, lang),
                                             high=_num(kpi.this.high, kpi.unit, lang))
        text = t("kpi_line", lang, NS, name=name, value=_num(kpi.value, kpi.unit, lang), interval=interval,
                 n=kpi.n, what=t(f"n_{key}", lang, NS))
        if kpi.diff is None:
            text += t("kpi_no_change", lang, NS, prev=periods.prev_label)
        elif key == "cpi":
            text += t("kpi_change_cpi", lang, NS, prev=periods.prev_label,
                      diff=_num(kpi.diff, "JPY", lang, signed=True))
        else:
            d = kpi.diff
            real = d.low > 0 or d.high < 0
            text += t("kpi_change", lang, NS, prev=periods.prev_label, diff=_num(d.diff, kpi.unit, lang, signed=True),
                      low=_num(d.low, kpi.unit, lang, signed=True), high=_num(d.high, kpi.unit, lang, signed=True),
                      p=d.p_value, verdict=t("change_real" if real else "change_noise", lang, NS))
        if kpi.n < min_n:
            text += t("kpi_small", lang, NS, n=kpi.n, min_n=min_n)
        lines.append(text)
    return "\n".join(lines)


def headline_records(k: dict[str, KPI], periods, *, clock: str, definition: str, min_n: int = 30,
                     level: float = 0.95) -> list[dict]:
    """The headline records of the report index (``support_art``, ``support_fcr``, …).

    CSAT after support is left out: the CSAT section publishes the same figure (``csat_support``),
    and the report's front page shows each KPI once.
    """
    recs = []
    for key, kpi in k.items():
        if key == "csat":
            continue
        title = {lang: t(f"kpi_{key}", lang, NS, clock=t(f"clock_{clock}", lang, NS),
                         definition=t(definition, lang, NS)) for lang in ("en", "ja")}
        change = None
        if kpi.diff is not None and key == "cpi":
            change = {"vs": periods.prev_label, "diff": kpi.diff}
        elif kpi.diff is not None:
            change = {"vs": periods.prev_label, "diff": kpi.diff.diff, "low": kpi.diff.low, "high": kpi.diff.high,
                      "p_value": kpi.diff.p_value}
        low, high = (None, None) if key == "cpi" else (kpi.this.low, kpi.this.high)
        recs.append(H.record(f"support_{key}", title, periods.this_label, value=kpi.value, low=low, high=high,
                             n=kpi.n, unit=kpi.unit, direction=kpi.direction, level=level, min_n=min_n,
                             change=change))
    return recs


def scope_sentence(periods, tk: pd.DataFrame, cal: BusinessCalendar, *, clock: str, lang: str = "en") -> str:
    """What the notebook looks at, and which clock its time KPIs use."""
    n = int((tk["period"] == periods.this).sum())
    return t("scope", lang, NS, period=periods.this_label, prev=periods.prev_label, n=n, n_all=len(tk),
             clock=calendar_sentence(cal, clock, lang=lang))


def calendar_sentence(cal: BusinessCalendar, clock: str, *, lang: str = "en") -> str:
    """The clock in words."""
    if clock == "calendar":
        return t("clock_calendar_text", lang, NS)
    country = _value("country", str(cal.holidays), lang) if isinstance(cal.holidays, str) else ""
    hol = t("holidays_of", lang, NS, country=country) if cal.holidays else ""
    closed = t("closed_days", lang, NS, closed=cal.closed) if cal.closed else ""
    return t("clock_business_text", lang, NS, open=cal.hours[0], close=cal.hours[1], holidays=hol, closed=closed)


# =============================================================================== FCR, SLA, CPI, abandonment

def fcr_side_by_side(tickets: pd.DataFrame, *, level: float = 0.95, min_n: int = 30, lang: str = "en") -> pd.DataFrame:
    """FCR under the four definitions on the same tickets, with what each counts (in ``lang``)."""
    out = M.fcr_definitions(tickets, level=level, min_n=min_n)
    out["rule"] = [t(f"rule_{d}", lang, NS) for d in out["definition"]]
    return out


def describe_fcr_spread(side: pd.DataFrame, *, lang: str = "en") -> str:
    """How far the definitions move FCR on the same tickets."""
    ok = side[side["n"] > 0]
    if ok.empty:
        return t("fcr_none", lang, NS)
    lo, hi = ok.loc[ok["value"].idxmin()], ok.loc[ok["value"].idxmax()]
    return t("fcr_spread", lang, NS, low=lo["value"], low_def=t(lo["definition"], lang, NS), high=hi["value"],
             high_def=t(hi["definition"], lang, NS), spread=hi["value"] - lo["value"])


def clock_comparison(tickets: pd.DataFrame, by: str = "channel", *, kind: str = "frt", level: float = 0.95,
                     min_n: int = 30) -> pd.DataFrame:
    """Median (with interval) of ``kind`` on both clocks per group, side by side, in minutes."""
    parts = []
    for clock in M.CLOCKS:
        x = M.mean_table(tickets, clock_column(kind, clock), by, level=level, min_n=min_n)
        parts.append(x[[by, "n", "median", "median_low", "median_high"]].rename(
            columns={c: f"{c}_{clock}" for c in ("median", "median_low", "median_high")}))
    return parts[0].merge(parts[1].drop(columns="n"), on=by)


def sla_targets_table(targets: dict[str, float], *, lang: str = "en") -> pd.DataFrame:
    """The SLA targets per priority in business hours."""
    out = pd.DataFrame({"priority": list(targets), "target_h": [v / 60 for v in targets.values()]})
    return translate_values(out, "priority", lang)


def cpi_table(tk: pd.DataFrame, costs: pd.DataFrame, *, freq_code: str = "M", by: str | None = None) -> pd.DataFrame:
    """CPI under both definitions (÷ all tickets, ÷ resolved tickets) per period, side by side."""
    a = M.cpi(tk, costs, by=by, definition="all", freq=freq_code)
    b = M.cpi(tk, costs, by=by, definition="resolved", freq=freq_code)
    keys = ["period"] + ([by] if by else [])
    out = a.merge(b[[*keys, "tickets", "cpi"]], on=keys, how="outer", suffixes=("", "_resolved"))
    out["tickets_resolved"] = out["tickets_resolved"].fillna(0).astype("int64")
    return out.drop(columns="definition").rename(columns={"cpi": "cpi", "cpi_resolved": "cpi_resolved"})


def describe_cpi(costs, *, lang: str = "en") -> str:
    """What the CPI section can show."""
    return t("cpi_missing" if costs is None else "cpi_note", lang, NS)


def describe_abandonment(short_abandon: float, *, lang: str = "en") -> str:
    """Why short abandons are (not) left out."""
    return t("short_abandon_set" if short_abandon else "short_abandon_none", lang, NS, s=short_abandon)


# =============================================================================== teams

def team_trends(tk: pd.DataFrame, *, clock: str = "business", definition: str = "one_touch",
                level: float = 0.95, min_n: int = 30, until=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ART (mean first response, with its interval) and FCR per team and month, up to the end of ``until``."""
    t_ = tk if until is None else tk[tk["month"] <= until.asfreq("M", "end")]
    frt = M.mean_table(t_, clock_column("frt", clock), ["team", "month"], level=level, min_n=min_n)
    fcr = M.fcr_table(t_, ["team", "month"], definition=definition, level=level, min_n=min_n)
    for x in (frt, fcr):
        x["month"] = x["month"].astype(str)
    return frt, fcr


def describe_highlight(tk: pd.DataFrame, team: str, mark: str, *, clock: str = "business",
                       definition: str = "one_touch", window: int = 3, level: float = 0.95,
                       lang: str = "en") -> str:
    """The highlighted team in the ``window`` months before ``mark`` and from it: a picture, not an evaluation."""
    if not team or not mark:
        return t("highlight_none", lang, NS)
    known = sorted(map(str, tk["team"].dropna().unique()))
    if team not in known:
        return t("highlight_unknown", lang, NS, team=team, teams=", ".join(known))
    m = pd.Period(mark, "M")
    mine = tk[tk["team"] == team]
    before = mine[(mine["month"] >= m - window) & (mine["month"] < m)]
    after = mine[(mine["month"] >= m) & (mine["month"] < m + window)]
    if before.empty or after.empty:
        return t("highlight_no_data", lang, NS, team=_value("team", team, lang), mark=mark)
    med = [M.MeanResult.from_row(M.mean_table(x, clock_column("frt", clock), level=level).iloc[0]) for x in
           (before, after)]
    fcr = [M.fcr(x, definition=definition, level=level) for x in (before, after)]
    return t("highlight", lang, NS, team=_value("team", team, lang), mark=mark, window=window,
             clock=t(f"clock_{clock}", lang, NS), a=med[0].mean, b=med[1].mean, c=fcr[0].value,
             d=fcr[1].value, definition=t(definition, lang, NS))


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
        months before the data's last month are followed.
    """
    s = csat_answers(ds, tk)
    if s is None or s.empty:
        return None
    col = clock_column("frt", "calendar")
    out = {"frt_csat": band_table(s, "satisfied", col, level=level, min_n=min_n)}
    if ds.subscriptions is None or ds.subscriptions.empty:
        return out
    sub = ds.subscriptions
    months = pd.PeriodIndex(sub["month"].astype(str), freq="M") if not isinstance(sub["month"].dtype, pd.PeriodDtype) \
        else pd.PeriodIndex(sub["month"])
    last = pd.Series(months, index=sub.index).groupby(sub["customer_id"]).max()
    end = months.max()
    m = period_of(s["responded_at"], "month")
    followed = s[m <= end - follow].copy()
    mf = m[m <= end - follow]
    followed["churned"] = (followed["customer_id"].map(last) < (mf + follow)).to_numpy()
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
    text = t("chain_frt_csat", lang, NS, fast=t(fc["band"].iloc[0], lang, NS), a=fc["value"].iloc[0],
             slow=t(fc["band"].iloc[-1], lang, NS), b=fc["value"].iloc[-1])
    if "csat_churn" not in ch:
        return text + sep + t("chain_no_churn", lang, NS)
    cc = ch["csat_churn"][ch["csat_churn"]["n"] >= min_n]
    fr = ch["frt_churn"][ch["frt_churn"]["n"] >= min_n]
    if len(cc) < 2 or len(fr) < 2:
        return text + sep + t("chain_few", lang, NS, min_n=min_n)
    text += sep + t("chain_csat_churn", lang, NS, follow=follow, low_score=int(cc["score"].iloc[0]),
                    a=cc["value"].iloc[0], high_score=int(cc["score"].iloc[-1]), b=cc["value"].iloc[-1])
    overlap = fr["low"].max() <= fr["high"].min()
    text += sep + t("chain_direct_flat" if overlap else "chain_direct", lang, NS, follow=follow,
                    lo=fr["value"].min(), hi=fr["value"].max())
    return text


# =============================================================================== staffing

def queue_view(tk: pd.DataFrame, periods, cal: BusinessCalendar, *, channels=("phone", "chat"), agents: int = 2,
               target_s: float = 20, goal: float = 80.0) -> dict[str, Any]:
    """Arrivals per weekday and hour against agents on shift, and the Erlang C service level.

    Agents answer the queue (``channels``) during business hours on working weekdays (an hour only
    partly inside them, e.g. 09:00–10:00 with a 09:30 opening, counts as closed); contacts arriving
    outside them wait for the next opening.

    Returns
    -------
    dict
        ``arrivals`` (average contacts per hour, weekday × hour), ``service_level`` (percent
        answered within ``target_s``; missing in closed hours), ``needed`` (agents for ``goal``
        percent, also in closed hours: what opening them would take), ``aht``
        (minutes, mean over the period's queue contacts), ``after_hours`` (percent of the
        period's queue contacts arriving while closed), ``n`` (queue contacts), ``table`` (the
        long table of :func:`csa.metrics.queue.staffing_table`).
    """
    q = tk[(tk["period"] == periods.this) & tk["channel"].isin(list(channels))]
    first, last = periods.this.start_time, periods.this.end_time
    arrivals = M.weekday_hour(q, per_day=True, first=first, last=last)
    aht = float(M.aht_table(q).iloc[0]["mean"]) if len(q) else float("nan")
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
            "aht": aht, "after_hours": 100 * float((~is_open).mean()) if len(q) else float("nan"), "n": len(q),
            "table": long}


def describe_staffing(qv: dict[str, Any], *, agents: int, target_s: float, goal: float, lang: str = "en") -> str:
    """The staffing view in words."""
    if not qv["n"]:
        return t("staffing_none", lang, NS)
    tab = qv["table"]
    open_ = tab[(tab["agents"] > 0) & (tab["arrivals"] > 0)]
    below = open_[open_["service_level"] < goal]
    text = t("staffing", lang, NS, n=qv["n"], aht=qv["aht"], after=qv["after_hours"], agents=agents,
             target=target_s, goal=goal, below=len(below), slots=len(open_))
    if len(below):
        worst = below.sort_values("service_level").iloc[0]
        text += t("staffing_worst", lang, NS, day=weekday_names(lang)[int(worst["weekday"])], hour=int(worst["hour"]),
                  sl=worst["service_level"], need=int(worst["agents_needed"]))
    return text
