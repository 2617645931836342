"""The one way csa writes a number: decimals per unit, thousands separators, one minus sign, units in words.

Every page — tables, charts, headline records, the report's front page, the scorecard, the
sentences of the lessons — formats numbers here, so that the same figure reads the same
everywhere:

==========  =====================  ======================  ==============================
unit        value (en / ja)        change (en / ja)        decimals (default)
==========  =====================  ======================  ==============================
``%``       ``62.3%`` / ``62.3%``  ``+1.2 pts`` / ``+1.2ポイント``   1
``points``  ``−24.3``              ``+3.1 pts`` / ``+3.1ポイント``   1 (NPS; a value carries its sign)
``minutes`` ``61.3 min`` / ``61.3分``   ``−4.0 min`` / ``−4.0分``       1
``hours``   ``4.0 h`` / ``4.0時間``     the same, signed              1
``JPY``     ``¥12,572`` / ``12,572円``  ``+¥534`` / ``+534円``          0
``count``   ``1,216`` / ``1,216件``     ``+12`` / ``+12件``             0
``score``   ``78.5``                    ``+1.5``                       1
==========  =====================  ======================  ==============================

A KPI of the catalogue can override the decimals (churn is shown with two: ``2.17%``). A
missing value is ``—``. A value that rounds to zero carries no sign (``0.0``, not ``−0.0``).

>>> value(-24.2694, "points"), value(61.30, "minutes", "ja"), value(12572.4, "JPY")
('−24.3', '61.3分', '¥12,572')
>>> change(1.234, "%"), change(-534, "JPY", "ja"), interval(53.5, 63.1, "%")
('+1.2 pts', '−534円', '[53.5, 63.1]')
>>> [p_value(p).replace("\xa0", " ") for p in (0.0004, 0.0041, 0.41)]  # no-break spaces
['p < 0.001', 'p = 0.004', 'p = 0.41']
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["DIGITS", "MINUS", "change", "count", "digits_of", "interval", "number", "p_value", "value"]

MINUS = "\u2212"
#: decimals by unit (one decimal for everything else)
DIGITS = {"JPY": 0, "count": 0}
_VALUE = {"%": ("{v}%", "{v}%"), "points": ("{v}", "{v}"), "minutes": ("{v} min", "{v}分"),
          "hours": ("{v} h", "{v}時間"), "JPY": ("¥{v}", "{v}円"), "count": ("{v}", "{v}件"), "score": ("{v}", "{v}")}
_CHANGE = {"%": ("{v} pts", "{v}ポイント"), "points": ("{v} pts", "{v}ポイント")}


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def digits_of(unit: str, digits: int | None = None) -> int:
    """``digits`` when given, else the unit's (:data:`DIGITS`)."""
    return DIGITS.get(unit, 1) if digits is None else int(digits)


def number(x: Any, digits: int = 1, *, signed: bool = False) -> str:
    """``x`` with ``digits`` decimals, thousands separators and a real minus sign; ``—`` when missing.

    >>> number(-1234.56), number(0.04, signed=True), number(3, 0, signed=True), number(None)
    ('−1,234.6', '0.0', '+3', '—')
    """
    if _missing(x):
        return "—"
    x = float(x)
    if math.isinf(x):
        return ("+" if signed else "") + "∞" if x > 0 else MINUS + "∞"
    text = f"{abs(x):,.{digits}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return (MINUS if x < 0 else "+" if signed else "") + text


def _unit(text: str, unit: str, lang: str, table: dict) -> str:
    forms = table.get(unit) or _VALUE.get(unit)
    if forms is None:
        return f"{text} {unit}".strip()
    form = forms[1] if lang == "ja" else forms[0]
    if unit == "JPY" and text[:1] in ("+", MINUS) and lang == "en":  # +¥534, not ¥+534
        return text[0] + form.format(v=text[1:])
    return form.format(v=text)


def value(x: Any, unit: str = "", lang: str = "en", *, digits: int | None = None, signed: bool | None = None) -> str:
    """A value in its unit (``62.3%``, ``61.3 min``, ``¥12,572``, ``−24.3`` for NPS points).

    ``signed`` defaults to true for ``points`` (an NPS of +12 is written with its sign).
    """
    if _missing(x):
        return "—"
    signed = unit == "points" if signed is None else signed
    return _unit(number(x, digits_of(unit, digits), signed=signed), unit, lang, _VALUE)


def change(x: Any, unit: str = "", lang: str = "en", *, digits: int | None = None) -> str:
    """A change, always signed; a change of a rate or of NPS is in points (``+1.2 pts``, ``+1.2ポイント``)."""
    if _missing(x):
        return "—"
    return _unit(number(x, digits_of(unit, digits), signed=True), unit, lang, _CHANGE)


def interval(low: Any, high: Any, unit: str = "", lang: str = "en", *, digits: int | None = None,
             signed: bool | None = None) -> str:
    """``[low, high]`` in the unit's decimals; money carries its symbol (``[¥790,000, ¥834,000]``); ``—`` if missing."""
    if _missing(low) or _missing(high):
        return "—"
    signed = unit == "points" if signed is None else signed
    d = digits_of(unit, digits)
    a, b = number(low, d, signed=signed), number(high, d, signed=signed)
    if unit == "JPY":
        a, b = _unit(a, unit, lang, _VALUE), _unit(b, unit, lang, _VALUE)
    return f"[{a}, {b}]"


def count(n: Any, lang: str = "en") -> str:
    """A count with separators (``1,216``; ``1,216件`` in Japanese)."""
    return value(n, "count", lang)


def p_value(p: Any) -> str:
    """``p < 0.001``, ``p = 0.004`` (below 0.01: three decimals), ``p = 0.41``; ``—`` when missing.

    No-break spaces keep it on one line.
    """
    if _missing(p):
        return "—"
    p = float(p)
    if p < 0.001:
        return "p\u00a0<\u00a00.001"
    return f"p\u00a0=\u00a0{p:.3f}" if p < 0.01 else f"p\u00a0=\u00a0{p:.2f}"
