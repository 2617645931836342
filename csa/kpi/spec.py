"""What a KPI declaration holds: :class:`KPI`, its parameters (:class:`Param`) and its format (:class:`Fmt`).

A declaration says everything a page needs to compute, name, read and show a KPI, once:
its names in English and Japanese, a one-sentence definition in both, its unit and which way
is better, what one observation is (the *grain*), the table and timestamp it is counted from,
the aggregation it needs from an engine, the statistic and interval it is reported with, its
parameters (the contested parts of the definition: FCR's rule, the clock of a time, CSAT's top
boxes) with their defaults, and how its numbers are formatted. The declarations themselves are
in :mod:`csa.kpi.catalog`; how one is computed is its *kernel* (:mod:`csa.kpi.kernels`).

>>> p = Param("business", choices=("business", "calendar"), doc={"en": "clock", "ja": "時計"})
>>> p.check("clock", "calendar")
'calendar'
>>> p.check("clock", "wall")
Traceback (most recent call last):
...
ValueError: clock = 'wall' is not one of: business, calendar
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DIRECTIONS", "KINDS", "KPI", "UNITS", "Fmt", "Param"]

#: units a KPI is measured in
UNITS = ("points", "%", "minutes", "hours", "JPY", "count", "score")
#: which way is better
DIRECTIONS = ("higher", "lower")
#: KPI (a process measure, reviewed monthly) or KGI (a final goal, reviewed yearly): article 001
KINDS = ("kpi", "kgi")
_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


@dataclass(frozen=True)
class Param:
    """One parameter of a KPI: its default, what values it takes, and what it means.

    Attributes
    ----------
    default : Any
        The value used when none is given (``None``: not set, e.g. "all touchpoints").
    choices : tuple, optional
        The allowed values (a choice parameter).
    kind : str
        ``"choice"`` (one of ``choices``), ``"text"`` (a value of the data, e.g. a touchpoint),
        ``"int"`` (a whole number from ``low`` to ``high``), ``"bool"``, ``"hours"`` (opening
        hours ``"09:00-18:00"``), ``"targets"`` (priority → hours > 0) or ``"days"`` (closing
        days as :mod:`csa.businesstime` reads them, or a holiday country code).
    low, high : int, optional
        Range of an ``"int"`` parameter.
    doc : dict
        What it means, ``{"en": …, "ja": …}``.
    defining : bool
        A registry entry that measures this KPI must name it (SMART's *Specific*: FCR without
        its rule, NPS without its touchpoint is not specific).
    words : dict
        Each choice in words, ``{value: {"en": …, "ja": …}}``.
    titled : bool
        Its value is part of the KPI's label wherever it is shown (a time's clock and statistic,
        FCR's rule, NPS's touchpoint when set), so two results computed differently never carry
        the same name.
    """

    default: Any
    choices: tuple | None = None
    kind: str = "choice"
    low: int | None = None
    high: int | None = None
    doc: dict[str, str] = field(default_factory=dict)
    defining: bool = False
    words: dict[Any, dict[str, str]] = field(default_factory=dict)
    titled: bool = False

    def word(self, value: Any, lang: str) -> str:
        """The value in words (``"business hours"`` / ``"営業時間"``); a value of the data as the labels name it."""
        if value in self.words:
            return self.words[value][lang]
        if isinstance(value, str):
            from ..labels import t

            return t(value, lang)
        return str(value)

    def check(self, name: str, value: Any) -> Any:
        """``value`` if this parameter admits it (texts stripped, numbers typed), else a ``ValueError``."""
        if value is None:
            if self.default is None:
                return None
            raise ValueError(f"{name} needs a value (default {self.default!r})")
        kind = self.kind
        if kind == "choice":
            for c in self.choices or ():
                if value == c and type(value) is type(c):
                    return c
            shown = ", ".join(map(str, self.choices or ()))
            raise ValueError(f"{name} = {value!r} is not one of: {shown}")
        if kind == "text":
            if isinstance(value, str) and value.strip():
                return value.strip()
            raise ValueError(f"{name} must be a text (a value of your data); got {value!r}")
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
                raise ValueError(f"{name} must be a whole number from {self.low} to {self.high}; got {value!r}")
            return int(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            raise ValueError(f"{name} is true or false; got {value!r}")
        if kind == "hours":
            if isinstance(value, str) and _HOURS.match(value.strip()):
                return value.strip()
            raise ValueError(f"{name} must be opening hours like \"09:00-18:00\" (in quotes in YAML); got {value!r}")
        if kind == "targets":
            ok = isinstance(value, dict) and value and all(
                isinstance(h, int | float) and not isinstance(h, bool) and math.isfinite(h) and h > 0
                for h in value.values())
            if not ok:
                raise ValueError(f"{name} must map each priority to hours > 0, e.g. {{urgent: 1, high: 4, "
                                 f"normal: 8, low: 24}}; got {value!r}")
            return {str(k): float(h) for k, h in value.items()}
        if kind == "days":
            if value == "" or isinstance(value, str):
                return value.strip()
            raise ValueError(f"{name} must be a text such as 'JP' or '12-29..01-03'; got {value!r}")
        raise ValueError(f"unknown parameter kind {kind!r}")  # a declaration error, not a user's


@dataclass(frozen=True)
class Fmt:
    """How a KPI's numbers are shown: decimals, and whether a value carries its sign (``+12.4``)."""

    digits: int = 1
    signed: bool = False


@dataclass(frozen=True)
class KPI:
    """A KPI (or KGI) declared once: see the module docstring and :mod:`csa.kpi.catalog`.

    Attributes
    ----------
    id : str
        Stable id (``"fcr"``): the registry, headline records and the report use it.
    name : dict
        ``{"en": "First contact resolution", "ja": "一次解決率"}``: the one name of the idea in
        each language (the Japanese term is used everywhere: labels, lessons, glossary).
    abbr : str
        Abbreviation used beside the name (``"FCR"``), or ``""``.
    definition : dict
        One sentence per language: what is counted, over what, which clock, which scale rule.
    kind : str
        ``"kpi"`` or ``"kgi"`` (:data:`KINDS`).
    unit, direction : str
        :data:`UNITS`, :data:`DIRECTIONS`.
    grain : str
        What one observation is: ``"answer"``, ``"ticket"``, ``"attempt"``, ``"customer"``,
        ``"customer-month"``, ``"period"``.
    table : str
        The table it is counted from; ``needs`` the other tables it reads.
    time : str
        The column that places an observation in a period (a timestamp, or a month).
    aggregation : str
        What the engine must deliver: ``"counts"``, ``"sums"``, ``"order statistics"``,
        ``"per-customer sums"``, ``"per-customer values"``, ``"totals"``.
    statistic : dict
        The statistic and its interval in words, ``{"en": …, "ja": …}``.
    params : dict of str to Param
        The parameters with their defaults.
    fmt : Fmt
        Decimals and sign.
    scale : (float, float)
        The values the KPI can take (a target outside them is refused).
    section : str
        The report section (notebook id) that teaches and reports it.
    sources : tuple of str
        The source articles (``"001"``).
    kernel : object
        How it is computed (:mod:`csa.kpi.kernels`).
    breakdowns : tuple of str
        Columns (of its table, or the customer's) its change is broken down by to name what drove
        it (:func:`csa.kpi.drivers`): the front page's "What changed". Agents are never among them.
    """

    id: str
    name: dict[str, str]
    abbr: str
    definition: dict[str, str]
    kind: str
    unit: str
    direction: str
    grain: str
    table: str
    time: str
    aggregation: str
    statistic: dict[str, str]
    params: dict[str, Param]
    fmt: Fmt
    kernel: Any
    needs: tuple[str, ...] = ()
    scale: tuple[float, float] = (0.0, 100.0)
    section: str = ""
    sources: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"{self.id}: unit must be one of {UNITS}; got {self.unit!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"{self.id}: direction must be one of {DIRECTIONS}; got {self.direction!r}")
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: kind must be one of {KINDS}; got {self.kind!r}")
        for d in (self.name, self.definition, self.statistic):
            if set(d) != {"en", "ja"}:
                raise ValueError(f"{self.id}: names, definitions and statistics need 'en' and 'ja'")

    @property
    def better(self) -> int:
        """+1 when higher is better, −1 when lower is better."""
        return 1 if self.direction == "higher" else -1

    @property
    def defining(self) -> tuple[str, ...]:
        """The parameters a registry entry must name (SMART's *Specific*)."""
        return tuple(k for k, p in self.params.items() if p.defining)

    def title(self, lang: str = "en") -> str:
        """``"First contact resolution (FCR)"`` / ``"一次解決率（FCR）"``; the name alone without an abbreviation."""
        name = self.name[lang]
        if not self.abbr or self.abbr == name:
            return name
        return f"{name}（{self.abbr}）" if lang == "ja" else f"{name} ({self.abbr})"

    def label(self, params: dict[str, Any] | None = None, lang: str = "en") -> str:
        """The KPI's name with the values of its titled parameters: ``First response time (FRT; mean, business hours)``.

        Examples
        --------
        >>> from csa.kpi import KPIS
        >>> KPIS["frt"].label({"clock": "calendar"}), KPIS["frt"].label(lang="ja")
        ('First response time (FRT; mean, calendar time)', '初回応答時間（FRT・平均・営業時間）')
        >>> KPIS["nps"].label(), KPIS["nps"].label({"touchpoint": "relationship"}, "ja")
        ('Net Promoter Score (NPS)', 'ネット・プロモーター・スコア（NPS・定期調査）')
        """
        p = self.resolve(params)
        shown = [self.params[k].word(v, lang) for k, v in p.items() if self.params[k].titled and v is not None]
        if lang == "en":  # "after support", not "After support", inside the name (an acronym stays)
            shown = [w[:1].lower() + w[1:] if w[:2] != w[:2].upper() else w for w in shown]
        parts = ([self.abbr] if self.abbr else []) + shown
        if not parts:
            return self.name[lang]
        if lang == "ja":
            return f"{self.name[lang]}（{'・'.join(parts)}）"
        inner = "; ".join(x for x in ([self.abbr] if self.abbr else []) + ([", ".join(shown)] if shown else []))
        return f"{self.name[lang]} ({inner})"

    def describe(self, params: dict[str, Any] | None = None, lang: str = "en") -> str:
        """Every parameter with the value used, in words: what a page states under a KPI.

        Examples
        --------
        >>> from csa.kpi import KPIS
        >>> KPIS["fcr"].describe()
        'definition: one_touch (one touch, not reopened)'
        >>> KPIS["frt"].describe(lang="ja")
        'statistic：mean（平均）、clock：business（営業時間）、hours：09:00-18:00、holidays：JP、closed：12-29..01-03'
        """
        p = self.resolve(params)
        out = []
        for k, v in p.items():
            prm = self.params[k]
            if v is None:
                continue
            text = prm.word(v, lang) if prm.words else (v if not isinstance(v, dict) else
                                                         ", ".join(f"{a} {b:g}" for a, b in v.items()))
            if prm.words and text != str(v):
                shown = f"{v}（{text}）" if lang == "ja" else f"{v} ({text})"
            else:
                shown = str(text)
            out.append(f"{k}: {shown}" if lang == "en" else f"{k}：{shown}")
        return ("; " if lang == "en" else "、").join(out)

    def resolve(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The parameters with defaults filled in, each checked; an unknown name is a ``ValueError``.

        Examples
        --------
        >>> from csa.kpi import KPIS
        >>> KPIS["fcr"].resolve({"definition": "zendesk"})
        {'definition': 'zendesk', 'date_by': None}
        >>> KPIS["fcr"].resolve({"rule": "zendesk"})
        Traceback (most recent call last):
        ...
        ValueError: fcr has no parameter 'rule'; it has: definition, date_by
        """
        given = dict(params or {})
        unknown = [k for k in given if k not in self.params]
        if unknown:
            have = ", ".join(self.params) or "none"
            raise ValueError(f"{self.id} has no parameter {unknown[0]!r}; it has: {have}")
        return {k: p.check(k, given[k]) if k in given else p.default for k, p in self.params.items()}

    def key(self, params: dict[str, Any] | None = None) -> str:
        """A stable text naming the KPI with its parameters: ``fcr{definition=one_touch}``."""
        p = self.resolve(params)
        inner = ",".join(f"{k}={_show(v)}" for k, v in sorted(p.items()) if v is not None)
        return f"{self.id}{{{inner}}}"

    def __repr__(self) -> str:
        return f"KPI({self.id!r}: {self.name['en']}, {self.unit}, {self.direction} is better)"


def _show(v: Any) -> str:
    if isinstance(v, dict):  # sorted: a registry that lists the priorities in another order is the same KPI
        return "{" + ",".join(f"{k}:{_show(x)}" for k, x in sorted(v.items())) + "}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).lower() if isinstance(v, bool) else str(v)
