"""The monthly scorecard (スコアカード): every KPI and KGI of the registry against its target.

For the report period, each entry of the KPI registry (:mod:`csa.registry`) gets its value with
its interval and ``n``, its target and deadline, a **status decided with the interval** (met /
on track / at risk / missed, see :func:`csa.registry.status`), a trend sparkline over the last
twelve periods, the change against the previous period with data, and — once met — a proposed
next target. The scorecard opens the report (``index.html``) and closes the KPI-cycle notebook.

Where the numbers come from:

* :func:`measure` computes an entry's **history** (one row per period) with :func:`csa.kpi.history`:
  its catalogue KPI, parameters and subset, through the one entry point every section uses;
* :func:`build` takes the registry, the **headline records** the report's sections published
  (:mod:`csa.headline`) and the data. An entry takes its value from the section's record of the
  same KPI, parameters and subset (the same *key*) in the report period, so the front page shows
  the section's figure; otherwise from its history; an entry without a ``measure`` is read from
  the record it names. There is no per-KPI code here: what a KPI is and how it changes is its
  catalogue entry's (:mod:`csa.kpi.catalog`);
* :func:`render_html` turns a scorecard into an HTML fragment for the report's front page: one
  table, the words in English or Japanese (:mod:`csa.labels`, namespace ``kpi_cycle``), each
  sparkline an inline SVG; nothing is loaded from the network.

For ``csa report``, :func:`resolve_registry` gives the ``--registry`` flag's meaning and
:func:`front_page` does everything in one call; a :class:`Scorecard` travels in the report's
manifest as :meth:`Scorecard.to_dict`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import kpi as K
from . import numbers as num
from . import registry as R
from .labels import check_lang, t
from .periods import label, parse_period, period_of

__all__ = ["REGISTRY_FILE", "SPARK_PERIODS", "Scorecard", "build", "front_page", "front_records", "measure",
           "render_html", "report_period", "resolve_registry", "rows", "sparkline_svg"]

NS = "kpi_cycle"
#: the file name a team's own registry takes beside its data (``csa report`` finds it there)
REGISTRY_FILE = "registry.yaml"
#: periods shown in each sparkline
SPARK_PERIODS = 12
HISTORY_COLUMNS = K.HISTORY_COLUMNS


# ------------------------------------------------------------------------------------- history

def rows(ds, entry: R.Entry, *, freq: str = "month", columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per observation of a KPI, with its value ``y``: :func:`csa.kpi.rows` for a registry entry.

    Parameters
    ----------
    ds : Dataset
        The data.
    entry : Entry
        A registry entry that measures a catalogue KPI counted over rows (not churn or revenue).
    freq : str
        Period of the ``period`` column.
    columns : list of str, optional
        Keep only these columns (and ``period``, ``y``).

    Returns
    -------
    DataFrame
        See :func:`csa.kpi.rows`.
    """
    if entry.spec is None:
        raise ValueError(f"{entry.id}: per-row values exist for catalogue KPIs, not for a record")
    return K.rows(entry.measure, ds, freq=freq, where=entry.where, columns=columns, **entry.params)


def measure(ds, entry: R.Entry, *, freq: str = "month", level: float = 0.95, min_n: int = 30,
            until: pd.Period | None = None, engine: str = "pandas") -> pd.DataFrame:
    """A registry entry's history: :func:`csa.kpi.history` of its KPI, parameters and subset.

    Parameters
    ----------
    ds : Dataset
        The data.
    entry : Entry
        A registry entry that measures a catalogue KPI.
    freq, level, min_n, until, engine
        As in :func:`csa.kpi.history`.

    Returns
    -------
    DataFrame
        One row per period (:data:`csa.kpi.HISTORY_COLUMNS` first).

    Raises
    ------
    ValueError
        An entry read from a record; a ``where`` column the rows do not have.
    DataError
        The table its KPI is counted from is missing.
    """
    if entry.spec is None:
        raise ValueError(f"{entry.id} has no measure: it is read from the headline record {entry.record!r}")
    return K.history(entry.measure, ds, freq=freq, until=until, level=level, min_n=min_n, where=entry.where,
                     engine=engine, **entry.params)


# ------------------------------------------------------------------------------------- build

def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _change(entry: R.Entry, a: pd.Series, b: pd.Series, level: float) -> dict[str, Any] | None:
    """This period (``a``) against the previous period with data (``b``), by the KPI's own statistic."""
    d = entry.spec.kernel.statistic.change(a, b, entry.resolved, level) if entry.spec else None
    if d is None:
        return None
    return {"vs": str(b["period"]), **{k: _num(v) for k, v in d.items()}}


def _record_for(records: Sequence[dict], entry: R.Entry, period: str) -> dict | None:
    """The section's headline record of the same KPI, parameters and subset (or, for an entry without a
    measure, its ``record`` id) in ``period``."""
    for r in records:
        if str(r.get("period")) != period:
            continue
        if entry.spec is not None and r.get("key") == entry.key:
            return r
        if entry.spec is None and entry.record and r.get("kpi") == entry.record:
            return r
    return None


def _since(reg: R.Registry, entry: R.Entry, period: pd.Period) -> pd.Period | None:
    """The start of the latest action on this KPI up to ``period`` (the trend is fitted from there).

    An action counts when it names this KPI, or an entry with the same KPI and parameters (the
    same measure on another subset: an action on FCR moves the osaka team's FCR too).
    """
    same = {e.id for e in reg.entries if e.spec is not None and e.measure == entry.measure and
            e.resolved == entry.resolved}
    end = period.asfreq("M", "end")
    starts = [a.start for a in reg.actions if (same | {entry.id}) & set(a.kpis) and a.start <= end]
    return max(starts).asfreq(period.freqstr, "end") if starts else None


@dataclass
class Scorecard:
    """The scorecard of one period: one row (a dict) per registry entry, KGIs first.

    Each row: ``id``, ``kind`` (kgi/kpi), ``name`` ({en, ja}), ``owner``, ``kpi`` (the catalogue id),
    ``key`` (KPI, parameters and subset), ``params`` (all, defaults filled in),
    ``where``, ``section`` (the report section's notebook id), ``unit``, ``direction``,
    ``as_of`` (the period of the value: the report period, or the last one with data),
    ``value``, ``low``, ``high``, ``n``, ``small_n``, ``target``, ``deadline``, ``status``
    (:data:`csa.registry.STATUSES`), ``why`` and the projection's numbers, ``change``
    ({vs, diff, low, high, p_value} or None), ``spark`` ([[period, value, low, high], …] over
    the last :data:`SPARK_PERIODS` periods), ``proposal`` (for a met KPI: {value, deadline,
    prob, raise}), ``source`` (``computed``, ``record`` or ``none``), ``note`` and ``error``.
    """

    period: str
    freq: str
    level: float
    registry: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def table(self, kind: str | None = None) -> pd.DataFrame:
        """The rows as a DataFrame (one kind, ``"kpi"`` or ``"kgi"``, or all)."""
        rows = [r for r in self.rows if kind is None or r["kind"] == kind]
        cols = ["id", "kind", "as_of", "value", "low", "high", "n", "target", "deadline", "status", "source"]
        return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)

    def counts(self, kind: str | None = "kpi") -> dict[str, int]:
        """How many entries have each status (KPIs only by default)."""
        out = dict.fromkeys(R.STATUSES, 0)
        for r in self.rows:
            if kind is None or r["kind"] == kind:
                out[r["status"]] += 1
        return out

    def row(self, id: str) -> dict[str, Any]:
        for r in self.rows:
            if r["id"] == id:
                return r
        raise KeyError(f"no entry {id!r} in the scorecard")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (for the report's manifest; :meth:`from_dict` reads it back)."""
        return {"period": self.period, "freq": self.freq, "level": self.level, "registry": self.registry,
                "rows": self.rows}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scorecard:
        return cls(d["period"], d["freq"], d["level"], d.get("registry", ""), list(d.get("rows", [])))


def build(registry: R.Registry, records: Iterable[dict] = (), *, ds=None, period: str | pd.Period = "",
          freq: str = "month", level: float = 0.95, min_n: int = 30, horizon: int = 6, prob: float = 0.8,
          histories: dict[str, pd.DataFrame] | None = None) -> Scorecard:
    """The scorecard of ``period``: every registry entry with value, interval, target, status, trend.

    Parameters
    ----------
    registry : Registry
        From :func:`csa.registry.load`.
    records : iterable of dict
        Headline records of the report's sections (:func:`csa.headline.extract`); may be empty.
    ds : Dataset, optional
        The data; without it, only entries with a record get a value (and no trend).
    period : str or pandas.Period
        The report period (``"2026-10"``, ``"2026Q3"``, ``"FY2026"``); empty: the latest month of
        the tickets, surveys or subscriptions.
    freq : str
        Period length of the report.
    level : float
        Confidence level.
    min_n : int
        Values from fewer observations are flagged ``small_n``.
    horizon, prob : int, float
        Of the next-target proposal (:func:`csa.registry.propose_target`).
    histories : dict, optional
        Histories already measured (``{id: measure(...)}``), to avoid computing them twice.

    Returns
    -------
    Scorecard
    """
    records = list(records)
    per = report_period(ds, period, freq, records)
    plabel = label(per, freq)
    histories = dict(histories or {})
    out = []
    for e in registry.entries:
        row: dict[str, Any] = {
            "id": e.id, "kind": e.kind, "name": dict(e.name), "owner": dict(e.owner), "kpi": e.measure,
            "key": e.key, "params": dict(e.resolved), "where": {k: list(v) for k, v in e.where.items()},
            "section": e.section, "unit": e.unit, "direction": e.direction, "target": e.target,
            "deadline": None if e.deadline is None else str(e.deadline), "as_of": plabel, "value": None, "low": None,
            "high": None, "n": 0, "small_n": True, "change": None, "spark": [], "proposal": None, "source": "none",
            "note": None, "error": None, "why": None}
        hist, tr = None, None
        if e.spec is not None and ds is not None:
            try:
                hist = histories.get(e.id)
                if hist is None:
                    hist = measure(ds, e, freq=freq, level=level, min_n=min_n, until=per)
                    histories[e.id] = hist
            except (ValueError, KeyError) as exc:
                row["error"] = str(exc)
            except Exception as exc:  # a DataError: the table is missing
                row["error"] = str(exc).splitlines()[0]
        if hist is not None:
            h = hist[hist["period"] <= per]
            has = h[h["n"] > 0]
            if len(has):
                cur = has.iloc[-1]
                row.update(as_of=label(cur["period"], freq), value=_num(cur["value"]), low=_num(cur["low"]),
                           high=_num(cur["high"]), n=int(cur["n"]), small_n=bool(cur["small_n"]),
                           source="computed")
                if len(has) > 1:
                    row["change"] = _change(e, cur, has.iloc[-2], level)
                back = {"month": 12, "quarter": 4}.get(freq)  # the same period a year before, where the data has it
                ago = has[has["period"] == cur["period"] - back] if back else has.iloc[:0]
                if len(ago) and (len(has) < 2 or has["period"].iloc[-2] != ago["period"].iloc[0]):
                    row["change_year"] = _change(e, cur, ago.iloc[0], level)
                row["spark"] = [[label(r.period, freq), _num(r.value), _num(r.low), _num(r.high)]
                                for r in h.tail(SPARK_PERIODS).itertuples()]
                tr = R.trend(h, until=per, since=_since(registry, e, per))
        rec = _record_for(records, e, plabel)
        if rec is not None and rec["value"] is not None:  # the section's figure, exactly as its page shows it
            row.update(value=rec["value"], low=rec["low"], high=rec["high"], n=rec["n"], small_n=rec["small_n"],
                       as_of=plabel, source="record", section=rec.get("section") or row["section"])
            if rec.get("change") is not None or row["source"] == "none":
                row["change"] = rec.get("change")
        key, info = R.status(e, row["value"], row["low"], row["high"], period=per, trend=tr, level=level)
        row["status"] = key
        row.update({k: (float(v) if isinstance(v, float | np.floating) else v) for k, v in info.items()})
        if key == "met" and hist is not None:
            prop = R.propose_target(e, hist, period=per, horizon=horizon, prob=prob, since=_since(registry, e, per))
            if prop is not None:
                row["proposal"] = {"value": prop.value, "deadline": str(prop.deadline), "prob": prop.prob,
                                   "raise": prop.raise_}
        out.append(row)
    return Scorecard(plabel, freq, level, registry.path, out)


def report_period(ds, period: str | pd.Period = "", freq: str = "month", records: Sequence[dict] = ()) -> pd.Period:
    """``period`` parsed, or when empty the latest period of the data's tickets, surveys or goals (never the clock)."""
    if isinstance(period, pd.Period):
        return period
    if period:
        return parse_period(period, freq)
    if ds is not None:
        stamps = [getattr(ds, tb)[col] for tb, col in (("tickets", "created_at"), ("surveys", "responded_at"),
                                                        ("goals", "started_at")) if getattr(ds, tb) is not None]
        if stamps:
            return max(period_of(s.dropna(), freq).max() for s in stamps if s.notna().any())
    if records:
        return parse_period(str(records[0]["period"]), freq)
    raise ValueError("no period: give one (e.g. '2026-10'), or data or headline records to take it from")


# ------------------------------------------------------------------------------------- report

def resolve_registry(registry: str | Path | None, data_dir: str | Path) -> Path | None:
    """The registry ``csa report`` uses (the ``--registry FILE`` flag's meaning).

    * ``--registry FILE`` given: that file (a missing file is an error);
    * else ``registry.yaml`` in the data folder, when there is one (a team's own, beside its data);
    * else, when the data folder is the bundled sample, the example registry (:func:`csa.registry.example_path`);
    * else ``None``: no scorecard (the front page says how to add one).
    """
    if registry:
        p = Path(registry)
        if not p.is_file():
            raise FileNotFoundError(f"--registry: KPI registry not found: {p}")
        return p.resolve()
    own = Path(data_dir) / REGISTRY_FILE
    if own.is_file():
        return own.resolve()
    try:
        from .datasets import sample_dir

        if Path(data_dir).resolve() == sample_dir().resolve():
            return R.example_path()
    except FileNotFoundError:
        pass
    return None


def front_page(registry_file: str | Path | None, records: Iterable[dict], *, data_dir: str | Path, period: str,
               freq: str = "month", lang: str = "en", tz: str | None = None, mapping: str | Path | None = None,
               pages: Iterable[str] = (), level: float = 0.95) -> tuple[str, dict[str, Any] | None]:
    """Everything the report's front page needs, in one call that never raises for bad data.

    Parameters
    ----------
    registry_file : path or None
        From :func:`resolve_registry` (already validated with :func:`csa.registry.load` before
        the notebooks ran, so that a bad registry is refused up front).
    records : iterable of dict
        Every headline record of the run's sections.
    data_dir, tz, mapping
        As the report loads the data (``tz`` None: Asia/Tokyo).
    period, freq, lang, level
        The report's.
    pages : iterable of str
        The section pages present (e.g. ``"05_support.html"``), for the links.

    Returns
    -------
    (str, dict or None)
        The HTML fragment (the scorecard, or a note saying why there is none) and the scorecard
        as plain JSON for the manifest (``None`` when there is none).
    """
    check_lang(lang)
    if registry_file is None:
        return _note(t("sc_no_registry", lang, NS, file=REGISTRY_FILE), lang), None
    try:
        reg = R.load(registry_file)
    except Exception as exc:  # shown on the page, never a traceback
        return _note(t("sc_failed", lang, NS, error=str(exc)), lang), None
    ds = None
    error = None
    try:
        from .io.loader import load

        ds = load(data_dir, tz=tz or "Asia/Tokyo", mapping=mapping or None)
    except Exception as exc:  # a DataError, an unreadable file: said on the page
        error = str(exc).splitlines()[0]
    sc = build(reg, records, ds=ds, period=period, freq=freq, level=level)
    fragment = render_html(sc, lang, pages=pages)
    if error:
        fragment = _note(t("sc_no_data", lang, NS, error=error), lang) + fragment
    return fragment, sc.to_dict()


def front_records(scorecard: Scorecard | dict[str, Any] | None, records: Iterable[dict]) -> list[dict[str, Any]]:
    """What the report's front page shows, each KPI once: the ``front_page`` of ``manifest.json``.

    Parameters
    ----------
    scorecard : Scorecard, dict or None
        The registry's scorecard (:func:`build`), or none.
    records : iterable of dict
        Every headline record of the run's sections, in section order.

    Returns
    -------
    list of dict
        First a row per scorecard entry (``source: "scorecard"``); then each catalogue KPI that a
        section published and the scorecard does not hold (``source: "section"``), the first
        record of each KPI id only; then the sections' other figures (``source: "fact"``). Each:
        ``kpi``, ``key``, ``params``, ``where``, ``entry`` (the registry id or ``None``),
        ``title`` ({en, ja}), ``period``, ``unit``, ``direction``, ``value``, ``low``, ``high``,
        ``level``, ``n``, ``small_n``, ``change``, ``section``; ``missing`` (the table and columns)
        for a KPI not computed because the data lacks a column it reads; ``change_year`` (the change
        against the same period a year before) and ``driver`` (the group that drove a change beyond
        noise, :func:`csa.views.common.driver`) when the section found them.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> from csa.views.common import Periods, headline
    >>> P = Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M"))
    >>> recs = [headline(k, ds, P, section="support").record for k in ("fcr", "sla")]
    >>> [(r["kpi"], r["source"]) for r in front_records(None, recs)]
    [('fcr', 'section'), ('sla', 'section')]
    """
    sc = scorecard if scorecard is None or isinstance(scorecard, Scorecard) else Scorecard.from_dict(scorecard)
    out: list[dict[str, Any]] = []
    held: set[str] = set()
    level = sc.level if sc is not None else 0.95
    for r in sc.rows if sc is not None else []:
        out.append({"kpi": r.get("kpi") or r["id"], "key": r.get("key"), "params": r.get("params") or {},
                    "where": r.get("where") or {}, "entry": r["id"], "title": dict(r["name"]), "period": r["as_of"],
                    "unit": r["unit"], "direction": r["direction"], "value": r["value"], "low": r["low"],
                    "high": r["high"], "level": level, "n": r["n"], "small_n": r["small_n"], "change": r["change"],
                    "section": r.get("section"), "source": "scorecard"})
        if r.get("kpi"):
            held.add(r["kpi"])
    records = list(records)
    by_key = {}
    for rec in records:
        by_key.setdefault(rec.get("key"), rec)
    for row in out:  # what a section found about the same figure: its driver and its change over a year
        rec = by_key.get(row["key"]) if row["key"] else None
        if rec is not None and rec.get("period") == row["period"] and rec.get("change") == row["change"]:
            row.update({k: rec[k] for k in ("driver", "change_year") if rec.get(k)})
    facts = []
    for rec in records:
        if "key" not in rec:  # a section's own figure, not a catalogue KPI
            facts.append({**{k: rec.get(k) for k in ("kpi", "title", "period", "unit", "direction", "value", "low",
                                                    "high", "level", "n", "small_n", "change", "section")},
                          "key": None, "params": {}, "where": {}, "entry": None, "source": "fact"})
            continue
        if rec["kpi"] in held:
            continue
        held.add(rec["kpi"])
        out.append({**{k: rec.get(k) for k in ("kpi", "key", "params", "where", "title", "period", "unit", "direction",
                                               "value", "low", "high", "level", "n", "small_n", "change",
                                               "section")}, "entry": None, "source": "section",
                    **({"missing": rec["missing"]} if rec.get("missing") else {}),  # not computed, and why
                    **{k: rec[k] for k in ("driver", "change_year") if rec.get(k)}})
    return out + facts


# ------------------------------------------------------------------------------------- HTML

_MINUS = "\u2212"
STATUS_COLORS = {"met": "#1a7f37", "on_track": "#0969da", "at_risk": "#9a6700", "missed": "#cf222e",
                 "no_target": "#57606a", "no_data": "#57606a"}
STATUS_BACKGROUNDS = {"met": "#dafbe1", "on_track": "#ddf4ff", "at_risk": "#fff8c5", "missed": "#ffebe9",
                      "no_target": "#f6f8fa", "no_data": "#f6f8fa"}
_CSS = """
section.csa-scorecard .csa-sc-wrap{overflow-x:auto}
section.csa-scorecard table.csa-sc{border-collapse:collapse;margin:.5em 0 .6em;font-size:.95em;table-layout:auto}
section.csa-scorecard table.csa-sc th,section.csa-scorecard table.csa-sc td{padding:.4em .55em;text-align:left;
 border:none;border-bottom:1px solid #d0d7de;vertical-align:middle;line-height:1.4}
section.csa-scorecard table.csa-sc th{background:#f6f8fa;font-weight:600;white-space:nowrap}
section.csa-scorecard table.csa-sc tbody tr{background:#ffffff}
section.csa-scorecard table.csa-sc tr.csa-sc-group td{background:#f6f8fa;font-weight:600;color:#57606a;
 font-size:.9em;padding:.3em .55em}
section.csa-scorecard table.csa-sc td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
section.csa-scorecard table.csa-sc td.nowrap{white-space:nowrap}
section.csa-scorecard table.csa-sc td.csa-sc-name{min-width:11em}
section.csa-scorecard table.csa-sc td.csa-sc-status{min-width:10.5em}
section.csa-scorecard .csa-sc-sub{color:#57606a;font-size:.85em}
section.csa-scorecard .csa-sc-badge{display:inline-block;padding:.1em .55em;border-radius:1em;font-size:.85em;
 font-weight:600;white-space:nowrap;border:1px solid currentColor}
section.csa-scorecard .csa-sc-counts{margin:.3em 0 .2em;text-align:left}
section.csa-scorecard .csa-sc-counts .csa-sc-badge{margin-right:.4em}
section.csa-scorecard .csa-sc-note{color:#57606a;font-size:.85em;max-width:60em;text-align:left}
section.csa-scorecard .csa-sc-spark{display:block}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _digits(row: dict) -> int | None:
    """Decimals of the row's KPI as the catalogue declares them (``None``: the unit's)."""
    k = K.KPIS.get(row.get("kpi") or "")
    return k.fmt.digits if k is not None else None


def _note(text: str, lang: str) -> str:
    return f'<p class="csa-sc-note" lang="{_e(lang)}">{_e(text)}</p>\n'


def _badge(status: str, lang: str) -> str:
    return (f'<span class="csa-sc-badge" style="color:{STATUS_COLORS[status]};background:'
            f'{STATUS_BACKGROUNDS[status]}">{_e(t(f"status_{status}", lang, NS))}</span>')


def sparkline_svg(points: Sequence[Sequence], *, target: float | None = None, status: str = "no_data",
                  width: int = 112, height: int = 34, title: str = "") -> str:
    """A sparkline as inline SVG: the values as a line, their intervals as a band, the target dashed.

    Parameters
    ----------
    points : sequence of (label, value, low, high)
        One per period, oldest first; a missing value leaves a gap.
    target : float, optional
        Drawn as a dashed line when given.
    status : str
        Colours the last point (:data:`STATUS_COLORS`).
    width, height : int
        Size in pixels.
    title : str
        Accessible name (``<title>``), e.g. "FCR, 2025-11 to 2026-10".

    Returns
    -------
    str
        ``<svg …>…</svg>``; empty when no point has a value.

    Examples
    --------
    >>> svg = sparkline_svg([["2026-09", 60.0, 57.0, 63.0], ["2026-10", 62.0, 59.0, 65.0]], target=61.0)
    >>> svg.startswith("<svg") and "stroke-dasharray" in svg and "http" not in svg.replace(
    ...     'xmlns="http://www.w3.org/2000/svg"', "")
    True
    """
    vals = [(i, p[1], p[2], p[3]) for i, p in enumerate(points) if p[1] is not None]
    if not vals:
        return ""
    ys = [v for _, a, lo, hi in vals for v in (a, lo, hi) if v is not None]
    if target is not None:
        ys.append(target)
    lo_y, hi_y = min(ys), max(ys)
    if hi_y - lo_y < 1e-9:
        lo_y, hi_y = lo_y - 1, hi_y + 1
    pad = 3.0
    n = max(len(points) - 1, 1)

    def X(i):
        return pad + (width - 2 * pad) * i / n

    def Y(v):
        return pad + (height - 2 * pad) * (hi_y - v) / (hi_y - lo_y)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="csa-sc-spark" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">']
    if title:
        parts.append(f"<title>{_e(title)}</title>")
    runs, cur = [], []
    for i, p in enumerate(points):
        if p[1] is None:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append((i, p[1], p[2], p[3]))
    if cur:
        runs.append(cur)
    for run in runs:
        band = [(i, lo, hi) for i, _, lo, hi in run if lo is not None and hi is not None]
        if len(band) > 1:
            upper = " ".join(f"{X(i):.1f},{Y(hi):.1f}" for i, _, hi in band)
            lower = " ".join(f"{X(i):.1f},{Y(lo):.1f}" for i, lo, _ in reversed(band))
            parts.append(f'<polygon points="{upper} {lower}" fill="#1f4e79" fill-opacity="0.12" stroke="none"/>')
        elif band:
            i, lo, hi = band[0]
            parts.append(f'<line x1="{X(i):.1f}" x2="{X(i):.1f}" y1="{Y(lo):.1f}" y2="{Y(hi):.1f}" stroke="#1f4e79" '
                         'stroke-opacity="0.35" stroke-width="3"/>')
    if target is not None:
        parts.append(f'<line x1="{pad:.1f}" x2="{width - pad:.1f}" y1="{Y(target):.1f}" y2="{Y(target):.1f}" '
                     'stroke="#57606a" stroke-width="1" stroke-dasharray="3,2"/>')
    if len(runs) > 1:  # periods without data: the points with data joined by a dotted line
        dots = " ".join(f"{X(i):.1f},{Y(v):.1f}" for i, v, _, _ in vals)
        parts.append(f'<polyline points="{dots}" fill="none" stroke="#1f4e79" stroke-width="1" '
                     'stroke-dasharray="1,2"/>')
    for run in runs:
        if len(run) > 1:
            pts = " ".join(f"{X(i):.1f},{Y(v):.1f}" for i, v, _, _ in run)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="#1f4e79" stroke-width="1.5"/>')
        else:
            i, v = run[0][0], run[0][1]
            parts.append(f'<circle cx="{X(i):.1f}" cy="{Y(v):.1f}" r="1.8" fill="#1f4e79"/>')
    i, v = vals[-1][0], vals[-1][1]
    parts.append(f'<circle cx="{X(i):.1f}" cy="{Y(v):.1f}" r="3" fill="{STATUS_COLORS.get(status, "#1f4e79")}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _target_cell(row: dict, lang: str) -> str:
    if row["target"] is None:
        return "—"
    key = "sc_target_higher" if row["direction"] == "higher" else "sc_target_lower"
    value = num.value(row["target"], row["unit"], lang, digits=_digits(row))
    out = _e(t(key, lang, NS, value=value))
    if row["deadline"]:
        out += f'<div class="csa-sc-sub">{_e(t("sc_target_by", lang, NS, deadline=row["deadline"]))}</div>'
    return out


def _status_cell(row: dict, lang: str) -> str:
    out = _badge(row["status"], lang)
    why = row.get("why")
    digits = _digits(row)
    if why in ("trend_reaches", "trend_unclear", "trend_short") and row.get("projected") is not None:
        proj = num.value(row["projected"], row["unit"], lang, digits=digits)
        out += f'<div class="csa-sc-sub">{_e(t("sc_projected", lang, NS, value=proj, deadline=row["deadline"]))}</div>'
    elif why:
        out += f'<div class="csa-sc-sub">{_e(t(f"sc_why_{why}", lang, NS))}</div>'
    if row.get("proposal"):
        pr = row["proposal"]
        value = num.value(pr["value"], row["unit"], lang, digits=digits)
        key = "sc_next_raise" if pr["raise"] else "sc_next_hold"
        text = t(key, lang, NS, value=value, deadline=pr["deadline"], prob=pr["prob"])
        out += f'<div class="csa-sc-sub">{_e(text)}</div>'
    return out


def _change_cell(row: dict, lang: str) -> str:
    ch = row.get("change")
    if not ch or ch.get("diff") is None:
        return "—"
    diff = num.change(ch["diff"], row["unit"], lang, digits=_digits(row))
    sub = [t("sc_change", lang, NS, vs=ch["vs"])]
    if ch.get("low") is not None and ch.get("high") is not None:
        real = ch["low"] > 0 or ch["high"] < 0
        sub.append(t("sc_change_real" if real else "sc_change_noise", lang, NS))
    out = _e(diff) + f'<div class="csa-sc-sub">{_e(t("list_sep", lang, NS).join(sub))}</div>'
    year = row.get("change_year")
    if year and year.get("diff") is not None:
        diff = num.change(year["diff"], row["unit"], lang, digits=_digits(row))
        out += f'<div class="csa-sc-sub">{_e(t("sc_change_year", lang, NS, diff=diff, vs=year["vs"]))}</div>'
    return out


def _name_cell(row: dict, lang: str, links: dict[str, str]) -> str:
    name = row["name"].get(lang) or row["name"]["en"]
    href = links.get(row.get("section") or "")
    shown = f'<a href="{_e(href)}">{_e(name)}</a>' if href else _e(name)
    owner = row.get("owner") or {}
    owner = owner.get(lang) or owner.get("en") if isinstance(owner, dict) else owner
    sub = [t("sc_owner", lang, NS, owner=owner)] if owner else []
    if row.get("where"):
        sub.append(", ".join(f"{t(k, lang, NS)} = {'/'.join(t(x, lang, NS) for x in v)}"
                             for k, v in row["where"].items()))
    return shown + "".join(f'<div class="csa-sc-sub">{_e(s)}</div>' for s in sub)


def _value_cell(row: dict, lang: str) -> str:
    if row["value"] is None:
        return _e(t("sc_error", lang, NS) if row.get("error") else t("sc_no_value", lang, NS))
    digits = _digits(row)
    value = num.value(row["value"], row["unit"], lang, digits=digits)
    sub = []
    if row["low"] is not None and row["high"] is not None:
        sub.append(num.interval(row["low"], row["high"], row["unit"], lang, digits=digits))
    if row["as_of"] != row.get("_period"):
        sub.append(t("sc_as_of", lang, NS, period=row["as_of"]))
    sub.append(t("sc_n", lang, NS, n=num.number(row["n"], 0)))
    if row.get("small_n"):
        sub.append(t("sc_small", lang, NS))
    return f"<strong>{_e(value)}</strong>" + "".join(f'<div class="csa-sc-sub">{_e(x)}</div>' for x in sub)


def render_html(scorecard: Scorecard | dict[str, Any], lang: str = "en", *, pages: Iterable[str] | None = None) -> str:
    """The scorecard as an HTML fragment for the report's front page (or any page).

    Parameters
    ----------
    scorecard : Scorecard or dict
        From :func:`build`, or its :meth:`Scorecard.to_dict` (e.g. read from the manifest).
    lang : str
        ``"en"`` or ``"ja"``.
    pages : iterable of str, optional
        Section pages present beside the index (``"05_support.html"``); each entry's name links to
        its section's page when that page is present. ``None``: link to every section of the
        notebooks index.

    Returns
    -------
    str
        ``<section class="csa-scorecard">`` with a scoped ``<style>``, the status counts, one
        table (KGIs, then KPIs) and a note on how statuses are decided. No script, nothing from
        the network; every number and word escaped.
    """
    check_lang(lang)
    sc = scorecard if isinstance(scorecard, Scorecard) else Scorecard.from_dict(scorecard)
    links = _links(pages)
    counts = sc.counts("kpi")
    shown = [s for s in ("met", "on_track", "at_risk", "missed") if counts[s]] or ["met"]
    head = " ".join(f'{_badge(s, lang)}<span class="csa-sc-count">{counts[s]}</span>' for s in shown)
    cols = [t("sc_col_kpi", lang, NS), t("sc_col_value", lang, NS, level=sc.level)] + \
        [t(k, lang, NS) for k in ("sc_col_target", "sc_col_status", "sc_col_trend", "sc_col_change")]
    body = []
    for kind in ("kgi", "kpi"):
        rows = [r for r in sc.rows if r["kind"] == kind]
        if not rows:
            continue
        body.append(f'<tr class="csa-sc-group"><td colspan="6">{_e(t(f"sc_group_{kind}", lang, NS))}</td></tr>')
        for r in rows:
            r = {**r, "_period": sc.period}
            name = r["name"].get(lang) or r["name"]["en"]
            spark = sparkline_svg(r.get("spark") or [], target=r["target"], status=r["status"],
                                  title=t("sc_spark_title", lang, NS, name=name,
                                          first=(r.get("spark") or [[""]])[0][0], last=sc.period))
            body.append(f"<tr id=\"kpi-{_e(r['id'])}\"><td class=\"csa-sc-name\">{_name_cell(r, lang, links)}</td>"
                        f"<td class=\"num\">{_value_cell(r, lang)}</td>"
                        f"<td class=\"nowrap\">{_target_cell(r, lang)}</td>"
                        f"<td class=\"csa-sc-status\">{_status_cell(r, lang)}</td>"
                        f"<td>{spark}</td><td class=\"nowrap\">{_change_cell(r, lang)}</td></tr>")
    header = "".join(f"<th>{_e(c)}</th>" for c in cols)
    note = t("sc_rules", lang, NS, level=sc.level)
    source = t("sc_source", lang, NS, registry=sc.registry or "—", period=sc.period)
    return (f'<section class="csa-scorecard" lang="{_e(lang)}">\n<style>{_CSS}</style>\n'
            f'<p class="csa-sc-counts">{_e(t("sc_counts", lang, NS))} {head}</p>\n'
            f'<div class="csa-sc-wrap"><table class="csa-sc">\n<thead><tr>{header}</tr></thead>\n<tbody>\n'
            + "\n".join(body) + "\n</tbody>\n</table></div>\n"
            f'<details class="csa-sc-note"><summary>{_e(t("sc_rules_title", lang))}</summary>\n'
            f'<p class="csa-sc-note">{_e(note)}</p>\n<p class="csa-sc-note">{_e(source)}</p>\n</details>\n</section>\n')


def _links(pages: Iterable[str] | None) -> dict[str, str]:
    from .catalog import notebooks

    try:
        entries = notebooks()
    except (FileNotFoundError, ValueError):
        return {}
    present = None if pages is None else set(pages)
    return {e.id: f"{e.file}.html" for e in entries if present is None or f"{e.file}.html" in present}
