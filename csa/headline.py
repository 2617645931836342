"""Headline records: the figures a notebook publishes for the report's one-page summary.

A notebook ends with ``publish(record, …)``: the records are shown as a small table in the
notebook and carried, machine-readable, in the cell's output under :data:`MIMETYPE`. ``csa
report`` reads them back from the executed notebook with :func:`extract`, writes them beside
the page as ``<notebook>.headline.json``, lists them in ``manifest.json`` and shows them on
``index.html``. No file is written by the notebook itself.

A record (all numbers plain floats/ints, missing values ``None``)::

    {"kpi": "nps", "title": {"en": "NPS", "ja": "NPS"}, "period": "2026-10",
     "unit": "points", "direction": "higher", "value": -12.4, "low": -17.0, "high": -7.6,
     "level": 0.95, "n": 812, "min_n": 30, "small_n": False,
     "change": {"vs": "2026-09", "diff": 3.1, "low": -4.2, "high": 10.3, "p_value": 0.41} | None}

A KPI of the catalogue is published with :func:`of`, from the :class:`csa.kpi.Result` of
:func:`csa.measure`: its record carries the catalogue id as ``kpi`` and also ``key`` (the KPI
with its parameters and subset), ``params``, ``where``, ``section`` and ``engine``, so that the
front page can take a section's figure for the same key instead of computing it again. Other
figures a section publishes (a share of value by tier, an action's effect) are *facts*:
``record`` with an id that is not a catalogue KPI.

>>> r = record("nps", {"en": "NPS", "ja": "NPS"}, "2026-10", value=30.0, low=-19.06, high=65.2, n=10,
...            unit="points", min_n=30)
>>> r["small_n"], r["change"]
(True, None)
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["MIMETYPE", "UNITS", "extract", "is_kpi", "of", "publish", "record", "validate"]

MIMETYPE = "application/vnd.csa.headline+json"
UNITS = ("points", "%", "minutes", "hours", "JPY", "count", "score")
_KEYS = ("kpi", "title", "period", "unit", "direction", "value", "low", "high", "level", "n", "min_n",
         "small_n", "change")


def _num(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def record(kpi: str, title: dict[str, str], period: str, *, value, low=None, high=None, n: int = 0,
           unit: str = "points", direction: str = "higher", level: float = 0.95, min_n: int = 30,
           change: dict[str, Any] | None = None) -> dict[str, Any]:
    """One headline record (see the module docstring for its fields).

    Parameters
    ----------
    kpi : str
        Stable id, e.g. ``"nps"`` or ``"csat_support"``.
    title : dict
        ``{"en": …, "ja": …}``.
    period : str
        Period label, e.g. ``"2026-10"``.
    value, low, high : float
        Estimate and interval in ``unit``; ``NaN``/``None`` when there is no data.
    n : int
        Observations behind the value.
    unit : str
        One of :data:`UNITS`.
    direction : str
        ``"higher"`` or ``"lower"``: which way is better.
    level : float
        Confidence level of the interval.
    min_n : int
        Below this ``n`` the record is flagged ``small_n``.
    change : dict, optional
        ``{"vs": period label, "diff", "low", "high", "p_value"}`` against the comparison period.

    Returns
    -------
    dict
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction is 'higher' or 'lower' (which way is better); got {direction!r}")
    if not {"en", "ja"} <= set(title):
        raise ValueError("title needs both 'en' and 'ja'")
    ch = None
    if change is not None:
        ch = {"vs": str(change["vs"]), **{k: _num(change.get(k)) for k in ("diff", "low", "high", "p_value")}}
    return {"kpi": kpi, "title": {"en": title["en"], "ja": title["ja"]}, "period": str(period), "unit": unit,
            "direction": direction, "value": _num(value), "low": _num(low), "high": _num(high),
            "level": float(level), "n": int(n), "min_n": int(min_n), "small_n": int(n) < int(min_n),
            "change": ch}


def of(result, *, change: dict[str, Any] | None = None, section: str = "", min_n: int = 30) -> dict[str, Any]:
    """The headline record of a catalogue KPI's :class:`csa.kpi.Result` (see the module docstring).

    Parameters
    ----------
    result : csa.kpi.Result
        From :func:`csa.measure`.
    change : dict, optional
        From :func:`csa.kpi.compare` (``{"vs", "diff", "low", "high", "p_value"}``).
    section : str
        The notebook id of the section that publishes it.
    min_n : int
        Below this ``n`` the record is flagged ``small_n``.

    Returns
    -------
    dict
        A record whose ``title`` is the KPI's label with its titled parameters
        (:meth:`csa.kpi.KPI.label`) and whose ``key`` says how it was computed.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> r = of(csa.measure("fcr", ds, period="2026-10"), section="support")
    >>> r["kpi"], r["key"], r["title"]["en"], r["n"]
    ('fcr', 'fcr{definition=one_touch}', 'First contact resolution (FCR; one touch, not reopened)', 1136)
    """
    e = result.entry
    where = {k: list(v) for k, v in result.where.items()}
    title = {lang: e.label(result.params, lang) for lang in ("en", "ja")}
    if where:  # the subset in words: "— segment Enterprise", "（セグメント：大企業）"
        from .labels import t

        for lang in ("en", "ja"):
            parts = [f"{t(k, lang)} {'/'.join(t(x, lang) for x in v)}" if lang == "en" else
                     f"{t(k, lang)}：{'・'.join(t(x, lang) for x in v)}" for k, v in where.items()]
            title[lang] += (" — " + ", ".join(parts)) if lang == "en" else f"（{'、'.join(parts)}）"
    out = record(e.id, title, result.period, value=result.value, low=result.low, high=result.high, n=result.n,
                 unit=e.unit, direction=e.direction, level=result.level, min_n=min_n, change=change)
    params = {k: (dict(v) if isinstance(v, dict) else v) for k, v in result.params.items()}
    out.update(key=result.key, params=params, where=where, section=section, engine=result.engine,
               excluded=int(result.excluded))
    if getattr(result, "missing", ()):  # not computed: the data lacks these columns of the KPI's table
        out["missing"] = {"table": e.table, "columns": list(result.missing)}
    return out


def is_kpi(rec: dict[str, Any]) -> bool:
    """Whether a record is a catalogue KPI's (published with :func:`of`), not a section's fact."""
    return "key" in rec


def validate(rec: dict[str, Any]) -> dict[str, Any]:
    """``rec`` if it has every field of a headline record, else a ValueError naming the missing ones."""
    missing = [k for k in _KEYS if k not in rec]
    if missing:
        raise ValueError(f"headline record {rec.get('kpi', '?')!r} lacks {', '.join(missing)}")
    return rec


def publish(*records: dict[str, Any], lang: str = "en") -> None:
    """Show ``records`` in the notebook and carry them for ``csa report`` (see :func:`extract`)."""
    from IPython.display import display

    from . import numbers as num
    from .kpi import KPIS
    from .labels import t

    recs = [validate(r) for r in records]
    rows = []
    for r in recs:
        k = KPIS.get(r["kpi"])
        digits = k.fmt.digits if k is not None else None
        v = num.value(r["value"], r["unit"], lang, digits=digits)
        ci = "" if r["low"] is None else " " + num.interval(r["low"], r["high"], r["unit"], lang, digits=digits)
        rows.append(f"| {r['title'][lang]} | {r['period']} | {v}{ci} | {num.number(r['n'], 0)} |")
    head = f"| KPI | {t('period', lang)} | {t('value', lang)} | {t('n', lang)} |\n|---|---|---|---|\n"
    display({MIMETYPE: recs, "text/markdown": head + "\n".join(rows)}, raw=True)


def extract(nb) -> list[dict[str, Any]]:
    """Every headline record in an executed notebook (an ``nbformat`` node), in cell order."""
    out: list[dict[str, Any]] = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = o.get("data", {})
            if MIMETYPE in data:
                payload = data[MIMETYPE]
                out.extend(validate(dict(r)) for r in (payload if isinstance(payload, list) else [payload]))
    return out
