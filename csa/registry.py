"""The KPI registry (KPI台帳): the KGIs, the KPIs that drive them, their targets, and the actions taken.

A team keeps one YAML file (the example for the bundled sample is ``data/registry.yaml``; a
team's own lives beside its data and is given to ``csa report --registry FILE``). It holds:

* **KGIs** (重要目標達成指標, final goals reviewed yearly: retention, churn, complaints, SLA
  achievement; source article 001) and **KPIs** (重要業績評価指標, process measures reviewed
  monthly or quarterly: FRT, FCR, CSAT, NPS), one entry each: ``id``, ``name`` (en/ja), the
  ``measure`` (a KPI of the catalogue, :data:`csa.KPIS`) and the ``params`` that define it (FCR
  with its rule, NPS of one touchpoint), ``where`` (a subset, e.g. one team), ``owner``,
  ``drives`` (the KGIs a KPI moves), ``target``, ``deadline``, ``since`` (when the target was set),
  ``review`` (how often it is read); a figure that only a report section computes (not a
  catalogue KPI) names that section's headline record with ``record`` instead of ``measure``;
* **actions** (施策: a training, a process change, a tool; article 000, step 4): what was done,
  ``start``, ``scope`` (the team or segment it touched; none: everyone) and the ``kpis`` it
  should move.

:func:`load` validates the file like the loader validates data: every problem is listed at once
(file, line, entry, what is wrong, how to fix it) in one :class:`RegistryError`.

The rules that turn numbers into judgements live here too, so that the notebook, the report's
scorecard and the tests share them:

* :func:`smart` — the SMART check of article 002, computed from the data, not self-declared;
* :func:`trend` and :func:`status` — met / on track / at risk / missed, decided with the
  interval and the trend (:data:`STATUSES`);
* :func:`propose_target` — the next target once one is met (article 000, step 5).

Numbers come from a KPI's **history**: one row per period with ``period``, ``n``, ``value``,
``low``, ``high`` (and ``sd`` for means, ``promoters``/``detractors`` counts for NPS), as
:func:`csa.kpi.history` computes it. What a KPI is — its unit, direction, scale, parameters and
which of them define it — is read from its catalogue entry (:mod:`csa.kpi.catalog`), never
restated here.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _st

from . import stats as S
from .datasets import _bundled
from .errors import DataError, Problem
from .kpi import KPI, KPIS
from .kpi import estimate as KE
from .periods import label as period_label
from .yamlbudget import LinedYAML, YAMLBudgetError, read_text

__all__ = ["FREQS", "LETTERS", "STATUSES", "Action", "Check", "Entry", "Proposal",
           "Registry", "RegistryError", "RegistryProblem", "Smart", "Trend", "example_path", "load", "loads",
           "propose_target", "smart", "status", "trend"]

#: review frequencies (periods of :mod:`csa.periods`)
FREQS = ("month", "quarter", "fiscal_year")
#: scorecard statuses, best first
STATUSES = ("met", "on_track", "at_risk", "missed", "no_target", "no_data")
#: the SMART letters (article 002)
LETTERS = ("S", "M", "A", "R", "T")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


_UNITS = ("points", "%", "minutes", "hours", "JPY", "count", "score")


# ------------------------------------------------------------------------------------- problems

@dataclass
class RegistryProblem(Problem):
    """One problem of the registry file: where (line and entry), what, and how to fix it."""

    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "") + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}. Fix: {self.fix}"


class RegistryError(DataError):
    """A registry file ``csa`` cannot use; ``problems`` lists every problem found."""


# ------------------------------------------------------------------------------------- entries

class _Named:
    """A KPI, KGI or action of the registry: its ``name`` and ``owner`` (dicts by language) in one language."""

    def title(self, lang: str = "en") -> str:
        return self.name.get(lang) or self.name["en"]

    def owner_in(self, lang: str = "en") -> str:
        return self.owner.get(lang) or self.owner.get("en", "")


@dataclass(frozen=True)
class Entry(_Named):
    """A KPI or a KGI of the registry (see the module docstring for the fields)."""

    id: str
    kind: str                       # "kpi" or "kgi"
    name: dict[str, str]
    measure: str | None             # a catalogue KPI id (csa.KPIS), or None for a record-only entry
    params: dict[str, Any]
    where: dict[str, tuple]
    unit: str
    direction: str
    owner: dict[str, str]
    drives: tuple[str, ...] = ()
    target: float | None = None
    deadline: pd.Period | None = None
    since: pd.Period | None = None
    review: str = "month"
    record: str | None = None
    section: str | None = None
    description: dict[str, str] = field(default_factory=dict)

    @property
    def spec(self) -> KPI | None:
        """The catalogue entry of the KPI it measures (``None``: read from a section's record)."""
        return KPIS.get(self.measure) if self.measure else None

    @property
    def resolved(self) -> dict[str, Any]:
        """Its parameters with the catalogue's defaults filled in."""
        return self.spec.resolve(self.params) if self.spec else dict(self.params)

    @property
    def key(self) -> str | None:
        """The KPI with its parameters and subset, as :attr:`csa.kpi.Result.key` writes it."""
        if self.spec is None:
            return None
        k = self.spec.key(self.params)
        if self.where:
            k += "[" + ",".join(f"{c}={'/'.join(v)}" for c, v in sorted(self.where.items())) + "]"
        return k

    @property
    def better(self) -> int:
        """+1 when higher is better, −1 when lower is better."""
        return 1 if self.direction == "higher" else -1


@dataclass(frozen=True)
class Action(_Named):
    """An action of the registry: what was done, from when, to whom, and which KPIs it should move."""

    id: str
    name: dict[str, str]
    start: pd.Period
    kpis: tuple[str, ...]
    owner: dict[str, str]
    scope: dict[str, tuple] = field(default_factory=dict)
    end: pd.Period | None = None
    controls: tuple[str, ...] = ()
    cluster: str | None = None
    description: dict[str, str] = field(default_factory=dict)

    @property
    def has_comparison(self) -> bool:
        """The action touched a subset (a team, a segment): the rest is a comparison group."""
        return bool(self.scope)


@dataclass(frozen=True)
class Registry:
    """A validated registry: ``kgis``, ``kpis``, ``actions`` in file order, and where it came from."""

    kgis: tuple[Entry, ...]
    kpis: tuple[Entry, ...]
    actions: tuple[Action, ...] = ()
    path: str = ""
    example: bool = False           # the example registry of the bundled sample

    @property
    def entries(self) -> tuple[Entry, ...]:
        """KGIs first, then KPIs."""
        return self.kgis + self.kpis

    def entry(self, id: str) -> Entry:
        for e in self.entries:
            if e.id == id:
                return e
        raise KeyError(f"no KPI or KGI {id!r} in the registry; known: {', '.join(e.id for e in self.entries)}")

    def action(self, id: str) -> Action:
        for a in self.actions:
            if a.id == id:
                return a
        raise KeyError(f"no action {id!r} in the registry; known: {', '.join(a.id for a in self.actions)}")

    def drivers(self, kgi: str) -> list[Entry]:
        """The KPIs that drive ``kgi``."""
        return [k for k in self.kpis if kgi in k.drives]

    def actions_for(self, kpi: str) -> list[Action]:
        """The actions meant to move ``kpi``, in file order."""
        return [a for a in self.actions if kpi in a.kpis]

    def __repr__(self) -> str:
        return (f"Registry({self.path!r}: {len(self.kgis)} KGIs, {len(self.kpis)} KPIs, "
                f"{len(self.actions)} actions)")


# ------------------------------------------------------------------------------------- reading

def example_path() -> Path:
    """The example registry for the bundled sample (``data/registry.yaml`` of the csa checkout).

    Raises
    ------
    FileNotFoundError
        When csa was installed without its repository: write your own registry then.
    """
    return _bundled("_registry.yaml", "data/registry.yaml",
                    "the example KPI registry was not found: it lives in data/registry.yaml of the csa repository. "
                    "Install csa from a checkout (pip install -e .) or write your own registry (see "
                    "data/registry.yaml for the format)")


class _Reader(LinedYAML):
    """The registry as plain Python with the line of every node, and the problems found on the way."""

    def __init__(self, text: str, source: str) -> None:
        self.ids = {}  # path of an entry → its id, to name it in a problem
        super().__init__(text, source, fix_budget="write the registry's entries out, without nested aliases (see "
                                                  "data/registry.yaml)")

    def add(self, path: tuple | None, message: str, fix: str, *, line: int | None = None) -> None:
        """A problem at ``path`` (keys and list positions; an entry's position is shown as its id)."""
        shown = None if path is None else [self.ids.get(path[:i + 1], part) for i, part in enumerate(path)]
        where = None if shown is None else " › ".join(map(str, shown)) or None
        self.problems.append(RegistryProblem("registry", self.source, message, fix, column=where,
                                             line=line if line is not None else (self.line(path) if path else None)))


def _month(value: Any) -> pd.Period | None:
    """``2026-04`` (text) or a date (``2026-04-30``) as a monthly period; None if it is neither."""
    if isinstance(value, _dt.date):
        return pd.Period(year=value.year, month=value.month, freq="M")
    if isinstance(value, str) and _MONTH.match(value.strip()):
        return pd.Period(value.strip(), freq="M")
    return None


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _names(r: _Reader, raw: dict, path: tuple, key: str, required: bool) -> dict[str, str]:
    v = raw.get(key)
    if v is None:
        if required:
            r.add(path, f"no {key}", f"add '{key}: {{en: …, ja: …}}' (both languages)")
        return {}
    if not isinstance(v, dict) or not all(isinstance(v.get(lang), str) and v.get(lang).strip()
                                          for lang in ("en", "ja")):
        r.add((*path, key), f"{key} needs a text in both languages", f"write '{key}: {{en: …, ja: …}}'")
        return {}
    return {"en": v["en"].strip(), "ja": v["ja"].strip()}


def _owner(r: _Reader, raw: dict, where: tuple, example: str) -> dict[str, str]:
    """``owner: text`` or ``owner: {en: …, ja: …}`` as ``{"en", "ja"}``; a problem when missing."""
    v = raw.get("owner")
    if isinstance(v, str) and v.strip():
        return {"en": v.strip(), "ja": v.strip()}
    if isinstance(v, dict) and all(isinstance(v.get(k), str) and v.get(k).strip() for k in ("en", "ja")):
        return {"en": v["en"].strip(), "ja": v["ja"].strip()}
    r.add((*where, "owner") if "owner" in raw else where, "no owner: every entry needs a person or team who "
          "answers for it", f"add e.g. 'owner: {example}' (or owner: {{en: …, ja: …}})")
    return {}


def _values(v: Any) -> tuple | None:
    if isinstance(v, list) and v and all(isinstance(x, str | int | float) and not isinstance(x, bool) for x in v):
        return tuple(str(x) for x in v)
    if isinstance(v, str | int | float) and not isinstance(v, bool):
        return (str(v),)
    return None


def _mapping_of_values(r: _Reader, raw: dict, path: tuple, key: str) -> dict[str, tuple]:
    v = raw.get(key)
    if v is None or v == "all":
        return {}
    if not isinstance(v, dict):
        r.add((*path, key), f"{key} must map a column to a value or a list of values (e.g. {{team: osaka}})",
              f"write '{key}: {{team: osaka}}'" + (" or leave it out for everyone" if key == "scope" else ""))
        return {}
    out = {}
    for col, vals in v.items():
        got = _values(vals)
        if not isinstance(col, str) or got is None:
            r.add((*path, key, col), f"{key} › {col}: expected a value or a list of values; got {vals!r}",
                  f"write e.g. '{col}: osaka' or '{col}: [osaka, tokyo]'")
            continue
        out[col] = got
    return out


def _check_params(r: _Reader, spec: KPI, params: Any, path: tuple) -> dict[str, Any]:
    if params is None:
        return {}
    if not isinstance(params, dict):
        r.add((*path, "params"), "params must be a mapping (name: value)",
              "write e.g. 'params: {definition: one_touch}'")
        return {}
    out = {}
    for k, v in params.items():
        p = (*path, "params", k)
        rule = spec.params.get(k)
        if rule is None:
            r.add(p, f"{spec.id} has no parameter {k!r}", f"use one of: {', '.join(spec.params) or 'none'}")
            continue
        try:
            out[k] = rule.check(k, v)
        except ValueError as exc:
            hint = {"hours": f"write '{k}: \"09:00-18:00\"' (unquoted, YAML reads 09:00 as a number)",
                    "targets": "write e.g. 'targets: {urgent: 1, high: 4, normal: 8, low: 24}' (business hours)",
                    "choice": f"write one of: {', '.join(map(str, rule.choices or ()))}"}.get(rule.kind,
                                                                                       f"write e.g. '{k}: …'")
            r.add(p, str(exc), hint)
    return out


_ENTRY_KEYS = ("id", "name", "measure", "metric", "params", "where", "unit", "direction", "owner", "drives",
               "target",
               "deadline", "since", "review", "record", "section", "description")
_ACTION_KEYS = ("id", "name", "start", "end", "scope", "kpis", "owner", "controls", "cluster", "description")


def _entry(r: _Reader, raw: Any, kind: str, path: tuple) -> Entry | None:
    if not isinstance(raw, dict):
        r.add(path, f"each {kind.upper()} is a mapping (id: …, name: …, measure: …)",
              "indent the entry's keys under '- id:'")
        return None
    before = len(r.problems)
    id_ = raw.get("id")
    if not isinstance(id_, str) or not _ID.match(id_):
        r.add((*path, "id"), f"id must be a short name in lower case (letters, digits, _), starting with a letter; "
              f"got {id_!r}", "write e.g. 'id: fcr_osaka'")
        id_ = str(id_)
    elif isinstance(raw.get("id"), str):
        r.ids[path] = id_
    for k in raw:
        if k not in _ENTRY_KEYS or (kind == "kgi" and k == "drives"):
            allowed = [x for x in _ENTRY_KEYS if not (kind == "kgi" and x == "drives")]
            hint = " (a KGI is the goal; list the KPIs that drive it under their own 'drives')" if k == "drives" else ""
            r.add((*path, k), f"unknown key {k!r}{hint}", f"use one of: {', '.join(allowed)}")
    where = path
    name = _names(r, raw, where, "name", True)
    if "measure" in raw and "metric" in raw:
        r.add((*where, "metric"), "both 'measure' and 'metric' are given ('metric' is the old name of 'measure')",
              "keep 'measure' only")
    key = "measure" if "measure" in raw else "metric"
    metric, record = raw.get(key), raw.get("record")
    spec = None
    if metric is not None:
        spec = KPIS.get(metric) if isinstance(metric, str) else None
        if spec is None:
            r.add((*where, key), f"{metric!r} is not a KPI of the catalogue", f"use one of: {', '.join(KPIS)}, or "
                  "leave it out and name the report section's headline record with 'record:'")
    elif record is None:
        r.add(where, "neither a measure nor a record: nothing computes this entry",
              f"add 'measure:' (a KPI of the catalogue: {', '.join(KPIS)}) or 'record:' (a headline record id of a "
              "report section)")
    if record is not None and (not isinstance(record, str) or not record.strip()):
        r.add((*where, "record"), f"record must be a headline record id (text); got {record!r}",
              "write e.g. 'record: nps'")
        record = None
    params = _check_params(r, spec, raw.get("params"), where) if spec else {}
    filters = _mapping_of_values(r, raw, where, "where")
    unit, direction = raw.get("unit"), raw.get("direction")
    if spec is not None:
        if unit is not None and unit != spec.unit:
            r.add((*where, "unit"), f"{metric} is measured in {spec.unit!r}, not {unit!r}",
                  f"write 'unit: {spec.unit}' "
                  "or leave unit out")
        if direction is not None and direction != spec.direction:
            r.add((*where, "direction"), f"for {metric}, {spec.direction} is better; direction: {direction!r} "
                  "contradicts the KPI", f"write 'direction: {spec.direction}' or leave it out")
        unit, direction = spec.unit, spec.direction
    elif metric is None:
        if unit not in _UNITS:
            r.add((*where, "unit"), f"an entry without a measure needs its unit; got {unit!r}",
                  f"use one of: {', '.join(_UNITS)}")
        if direction not in ("higher", "lower"):
            r.add((*where, "direction"), f"an entry without a measure needs its direction; got {direction!r}",
                  "write 'direction: higher' or 'direction: lower' (which way is better)")
    owner = _owner(r, raw, where, "Support lead")
    drives: tuple[str, ...] = ()
    if kind == "kpi" and raw.get("drives") is not None:
        d = raw["drives"]
        d = [d] if isinstance(d, str) else d
        if not isinstance(d, list) or not all(isinstance(x, str) for x in d):
            r.add((*where, "drives"), "drives must list KGI ids", "write e.g. 'drives: [churn, complaints]'")
        else:
            drives = tuple(d)
    target = raw.get("target")
    if target is not None:
        lo, hi = spec.scale if spec else (-math.inf, math.inf)
        if not _is_number(target):
            r.add((*where, "target"), f"target must be a number; got {target!r}", "write e.g. 'target: 60' (no unit, "
                  "no %)")
            target = None
        elif not lo <= target <= hi or (unit == "minutes" and target <= 0):
            r.add((*where, "target"), f"target {target} is outside what {metric or unit} can take ({lo:g} to {hi:g})",
                  "write a reachable value in the KPI's unit")
            target = None
        else:
            target = float(target)
    dates = {}
    for key in ("deadline", "since"):
        v = raw.get(key)
        dates[key] = None if v is None else _month(v)
        if v is not None and dates[key] is None:
            r.add((*where, key), f"{key} must be a month like 2026-12; got {v!r}", f"write '{key}: 2026-12'")
    if dates["deadline"] is not None and dates["since"] is not None and dates["since"] > dates["deadline"]:
        r.add((*where, "since"), f"since ({dates['since']}) is after the deadline ({dates['deadline']})",
              "since is when the target was set; it comes before the deadline")
    review = raw.get("review", "fiscal_year" if kind == "kgi" else "month")
    if review not in FREQS:
        r.add((*where, "review"), f"review must be one of {', '.join(FREQS)}; got {review!r}",
              "write e.g. 'review: month'")
        review = "month"
    section = raw.get("section")
    if section is not None and not isinstance(section, str):
        r.add((*where, "section"), f"section must be a notebook id (text); got {section!r}",
              "write e.g. 'section: support'")
        section = None
    description = _names(r, raw, where, "description", False)
    if len(r.problems) > before:
        return None
    return Entry(id_, kind, name, metric, params, filters, unit, direction, owner, drives, target,
                 dates["deadline"], dates["since"], review, record.strip() if record else None,
                 section or (spec.section if spec else None), description)


def _action(r: _Reader, raw: Any, path: tuple) -> Action | None:
    if not isinstance(raw, dict):
        r.add(path, "each action is a mapping (id: …, name: …, start: …)", "indent the action's keys under '- id:'")
        return None
    before = len(r.problems)
    id_ = raw.get("id")
    if not isinstance(id_, str) or not _ID.match(id_):
        r.add((*path, "id"), f"id must be a short name in lower case (letters, digits, _); got {id_!r}",
              "write e.g. 'id: osaka_training'")
        id_ = str(id_)
    else:
        r.ids[path] = id_
    for k in raw:
        if k not in _ACTION_KEYS:
            r.add((*path, k), f"unknown key {k!r}", f"use one of: {', '.join(_ACTION_KEYS)}")
    where = path
    name = _names(r, raw, where, "name", True)
    start = _month(raw.get("start"))
    if start is None:
        r.add((*where, "start"), f"start must be the first month of the action, like 2026-04; got {raw.get('start')!r}",
              "write 'start: 2026-04'")
    end = None if raw.get("end") is None else _month(raw["end"])
    if raw.get("end") is not None and end is None:
        r.add((*where, "end"), f"end must be a month like 2026-09; got {raw['end']!r}",
              "write 'end: 2026-09' or leave it out")
    kpis = raw.get("kpis")
    kpis = [kpis] if isinstance(kpis, str) else kpis
    if not isinstance(kpis, list) or not kpis or not all(isinstance(k, str) for k in kpis):
        r.add((*where, "kpis") if "kpis" in raw else where, "an action names the KPIs it should move",
              "write e.g. 'kpis: [frt, fcr]'")
        kpis = []
    owner = _owner(r, raw, where, "Osaka team lead")
    scope = _mapping_of_values(r, raw, where, "scope")
    controls = raw.get("controls") or []
    controls = [controls] if isinstance(controls, str) else controls
    if not isinstance(controls, list) or not all(isinstance(c, str) for c in controls):
        r.add((*where, "controls"), "controls must list column names", "write e.g. 'controls: [channel, priority]'")
        controls = []
    cluster = raw.get("cluster")
    if cluster is not None and not isinstance(cluster, str):
        r.add((*where, "cluster"), f"cluster must be a column name; got {cluster!r}", "write e.g. 'cluster: agent'")
    description = _names(r, raw, where, "description", False)
    if len(r.problems) > before:
        return None
    return Action(id_, name, start, tuple(kpis), owner, scope, end, tuple(controls), cluster, description)


def _section(r: _Reader, data: dict, key: str) -> list:
    v = data.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        r.add((key,), f"'{key}:' must be a list of entries, each starting with '- id:'",
              f"write '{key}:' then '  - id: …'")
        return []
    return v


def loads(text: str, source: str = "registry.yaml") -> Registry:
    """A registry from YAML text (see :func:`load`)."""
    r = _Reader(text, source)
    data = r.data
    if r.problems:
        raise RegistryError(r.problems, source=source)
    if not isinstance(data, dict):
        r.add(None, "the registry is empty or not a mapping", "start with 'kgis:' and 'kpis:' lists (see "
              "data/registry.yaml)", line=1)
        raise RegistryError(r.problems, source=source)
    for k in data:
        if k not in ("version", "kgis", "kpis", "actions"):
            r.add((k,), f"unknown section {k!r}", "use kgis, kpis, actions (and version)")
    if data.get("version", 1) != 1:
        r.add(("version",), f"version {data.get('version')!r} is not one this csa reads", "write 'version: 1'")
    if not data.get("kpis"):
        r.add(("kpis",) if "kpis" in data else None, "no KPIs", "add a 'kpis:' list",
              line=None if "kpis" in data else 1)
    sections = {sec: _section(r, data, sec) for sec in ("kgis", "kpis", "actions")}
    kgis = [_entry(r, x, "kgi", ("kgis", i)) for i, x in enumerate(sections["kgis"])]
    kpis = [_entry(r, x, "kpi", ("kpis", i)) for i, x in enumerate(sections["kpis"])]
    actions = [_action(r, x, ("actions", i)) for i, x in enumerate(sections["actions"])]
    kgis, kpis, actions = ([x for x in xs if x is not None] for xs in (kgis, kpis, actions))
    raw = {sec: [x if isinstance(x, dict) else {} for x in items] for sec, items in sections.items()}
    seen: dict[str, str] = {}
    for sec, items in raw.items():
        for i, x in enumerate(items):
            id_ = x.get("id")
            if not isinstance(id_, str):
                continue
            if id_ in seen:
                r.add((sec, i, "id"), f"id {id_!r} is used twice (also in {seen[id_]})", "give every entry its own id")
            seen.setdefault(id_, sec)
    kgi_ids = {x.get("id") for x in raw["kgis"] if isinstance(x.get("id"), str)}
    entry_ids = kgi_ids | {x.get("id") for x in raw["kpis"] if isinstance(x.get("id"), str)}
    for i, x in enumerate(raw["kpis"]):
        drives = x.get("drives")
        for d in [drives] if isinstance(drives, str) else drives if isinstance(drives, list) else []:
            if isinstance(d, str) and d not in kgi_ids:
                hint = " (it is a KPI: KPIs drive KGIs)" if d in entry_ids else ""
                r.add(("kpis", i, "drives"), f"drives {d!r}, which is not a KGI of the registry{hint}",
                      f"use one of: {', '.join(sorted(kgi_ids)) or 'none (add a kgis: list)'}")
    for i, x in enumerate(raw["actions"]):
        kpis_ = x.get("kpis")
        for k in [kpis_] if isinstance(kpis_, str) else kpis_ if isinstance(kpis_, list) else []:
            if isinstance(k, str) and k not in entry_ids:
                r.add(("actions", i, "kpis"), f"names {k!r}, which is not a KPI or KGI of the registry",
                      f"use one of: {', '.join(sorted(entry_ids))}")
    if r.problems:
        raise RegistryError(r.problems, source=source)
    return Registry(tuple(kgis), tuple(kpis), tuple(actions), source)


def load(path: str | Path | None = None) -> Registry:
    """Read and validate a registry file.

    Parameters
    ----------
    path : str or Path, optional
        The YAML file; ``None`` or ``""``: the example registry of the bundled sample
        (:func:`example_path`).

    Returns
    -------
    Registry

    Raises
    ------
    RegistryError
        Every problem of the file at once: invalid YAML, unknown keys (typos), missing ids,
        names, owners or measures, a measure that is not a catalogue KPI or a parameter it does not
        have, a target outside what the KPI can take, a malformed month, ids used twice,
        ``drives`` naming something that is not a KGI, an action naming an unknown KPI. A
        :class:`~csa.DataError`, so code that catches data problems catches these too.
    FileNotFoundError
        The file does not exist.

    Examples
    --------
    >>> reg = load()
    >>> [k.id for k in reg.kgis]
    ['churn', 'sla', 'complaints']
    >>> reg.entry("fcr").params, reg.entry("fcr").drives
    ({'definition': 'one_touch'}, ('complaints', 'churn'))
    """
    p = Path(path) if path else example_path()
    try:
        text = read_text(p, "KPI registry").decode("utf-8-sig")
    except FileNotFoundError:
        raise FileNotFoundError(f"KPI registry not found: {p}") from None
    except YAMLBudgetError as exc:
        raise RegistryError([RegistryProblem("registry", p.name, str(exc), "give the registry YAML file itself "
                                             "(see data/registry.yaml)")], source=str(p)) from None
    except UnicodeDecodeError:
        raise RegistryError([RegistryProblem("registry", p.name, "the file is not UTF-8 text",
                                             "save it as UTF-8 (any editor can)")], source=str(p)) from None
    try:
        example = p.resolve() == example_path().resolve()
    except FileNotFoundError:
        example = False
    reg = loads(text, source=p.name)
    return replace(reg, example=example)


# ------------------------------------------------------------------------------------- trend

@dataclass(frozen=True)
class Trend:
    """A straight line through a KPI's recent period values.

    Attributes
    ----------
    slope : float
        Change per period (KPI units).
    se : float
        Standard error of the slope.
    now : float
        The line's value at the last period used.
    se_now : float
        Its standard error.
    cov : float
        Covariance of ``now`` and ``slope``.
    resid_sd : float
        Scatter of the period values around the line (sampling noise and real wobble).
    df : int
        Degrees of freedom (periods − 2).
    first, last : pandas.Period
        The periods used (``last`` is the current period of the line).
    periods : int
        Number of periods used.
    mean, sd : float
        Mean and standard deviation of the period values used (the level, for a flat trend).
    """

    slope: float
    se: float
    now: float
    se_now: float
    cov: float
    resid_sd: float
    df: int
    first: pd.Period
    last: pd.Period
    periods: int
    mean: float = math.nan
    sd: float = math.nan

    def flat(self, level: float = 0.95) -> bool:
        """The slope cannot be told from zero at ``level`` (its interval contains 0)."""
        return abs(self.slope) <= _t(self.df, level) * self.se

    def at(self, h: float) -> tuple[float, float]:
        """The line ``h`` periods after ``last``: (value, standard error of the line there)."""
        var = self.se_now**2 + h * h * self.se**2 + 2 * h * self.cov
        return self.now + self.slope * h, math.sqrt(max(var, 0.0))


def trend(history: pd.DataFrame, *, until: pd.Period | None = None, since: pd.Period | None = None,
          window: int = 12, min_periods: int = 3) -> Trend | None:
    """The straight-line trend of a KPI's period values (OLS of value on the period index).

    Parameters
    ----------
    history : DataFrame
        ``period`` (pandas Period) and ``value``, one row per period; rows without a value are skipped.
    until : Period, optional
        The last period used (the report period); default the last in ``history``.
    since : Period, optional
        The first period used, e.g. the start of the latest action on the KPI, so that a
        jump caused by that action is not extrapolated as a trend. Ignored when fewer than
        ``min_periods`` periods with a value follow it.
    window : int
        Otherwise, the last ``window`` periods with a value.
    min_periods : int
        Fewer periods with a value give ``None`` (no trend).

    Returns
    -------
    Trend or None
    """
    h = history.dropna(subset=["value"])
    h = h[h["n"] > 0] if "n" in h.columns else h
    if until is not None:
        h = h[h["period"] <= until]
    if since is not None and (h["period"] >= since).sum() >= min_periods:
        h = h[h["period"] >= since]
    else:
        h = h.tail(window)
    if len(h) < min_periods:
        return None
    x = np.array([(p - h["period"].iloc[-1]).n for p in h["period"]], dtype=float)
    y = h["value"].to_numpy(dtype=float)
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    df = len(y) - 2
    s2 = float(resid @ resid) / df if df > 0 else 0.0
    vc = s2 * np.linalg.inv(X.T @ X)
    return Trend(float(beta[1]), math.sqrt(vc[1, 1]), float(beta[0]), math.sqrt(vc[0, 0]), float(vc[0, 1]),
                 math.sqrt(s2), df, h["period"].iloc[0], h["period"].iloc[-1], len(h), float(y.mean()),
                 float(y.std(ddof=1)))


def _t(df: int, level: float) -> float:
    return float(_st.t.ppf(0.5 + level / 2, df)) if df > 0 else math.inf


# ------------------------------------------------------------------------------------- status

def status(entry: Entry, value: float | None, low: float | None, high: float | None, *, period: pd.Period,
           trend: Trend | None = None, level: float = 0.95) -> tuple[str, dict[str, Any]]:
    """The scorecard status of a KPI in ``period``, decided with its interval and trend.

    Parameters
    ----------
    entry : Entry
        The KPI (its ``target``, ``deadline``, ``direction``).
    value, low, high : float or None
        This period's estimate and interval (``None``/NaN: no data).
    period : pandas.Period
        The report period (any frequency; the deadline month is converted to it).
    trend : Trend, optional
        From :func:`trend`; needed to call a KPI on track or missed before its deadline.
    level : float
        Confidence level of the trend's projection.

    Returns
    -------
    (str, dict)
        The status (one of :data:`STATUSES`) and the numbers behind it: ``why`` (a reason key),
        and where relevant ``projected``, ``projected_best`` (the favourable end of the
        projection's interval) and ``periods_left``.

    Notes
    -----
    With ``d = +1`` when higher is better and ``−1`` when lower is better:

    * **met** — the whole interval clears the target (``d·unfavourable end ≥ d·target``);
    * once the deadline's period is reached: **missed** if even the favourable end of the
      interval falls short, else **at risk** (the data cannot tell);
    * before it, with the trend line carried to the deadline: **missed** if even the favourable
      end of the projection's interval (at ``level``) falls short — the target cannot be reached
      at the current trend; **on track** if the projection reaches it; **at risk** otherwise, or
      when there is no trend (fewer than three periods).

    Examples
    --------
    >>> e = Entry("fcr", "kpi", {"en": "FCR", "ja": "FCR"}, "fcr", {}, {}, "%", "higher", {"en": "x", "ja": "x"},
    ...           target=60.0, deadline=pd.Period("2026-12", "M"))
    >>> status(e, 63.0, 61.0, 65.0, period=pd.Period("2026-10", "M"))[0]
    'met'
    >>> status(e, 61.0, 58.0, 64.0, period=pd.Period("2026-10", "M"))[0]
    'at_risk'
    >>> status(e, 50.0, 47.0, 53.0, period=pd.Period("2027-01", "M"))[0]
    'missed'
    """
    def _nan(x):
        return x is None or (isinstance(x, float) and math.isnan(x))

    if _nan(value):
        return "no_data", {"why": "no_data"}
    if entry.target is None:
        return "no_target", {"why": "no_target"}
    d, tgt = entry.better, entry.target
    bad_end, good_end = (low, high) if d > 0 else (high, low)
    if not _nan(bad_end) and d * bad_end >= d * tgt:
        return "met", {"why": "interval_clears"}
    if entry.deadline is None:
        return "at_risk", {"why": "no_deadline"}
    left = (entry.deadline.asfreq(period.freqstr, "end") - period).n if period.freqstr != "M" else \
        (entry.deadline - period).n
    if left <= 0:
        fav = value if _nan(good_end) else good_end
        if d * fav < d * tgt:
            return "missed", {"why": "deadline_short", "periods_left": left}
        return "at_risk", {"why": "deadline_unclear", "periods_left": left}
    if trend is None:
        return "at_risk", {"why": "no_trend", "periods_left": left}
    h = (period - trend.last).n + left
    proj, se = trend.at(h)
    best = proj + d * _t(trend.df, level) * se
    info = {"projected": proj, "projected_best": best, "periods_left": left}
    if d * best < d * tgt:
        return "missed", {"why": "trend_short", **info}
    if d * proj >= d * tgt:
        return "on_track", {"why": "trend_reaches", **info}
    return "at_risk", {"why": "trend_unclear", **info}


# ------------------------------------------------------------------------------------- next target

@dataclass(frozen=True)
class Proposal:
    """A proposed next target: the value the KPI reaches with probability ``prob`` by ``deadline``."""

    value: float
    deadline: pd.Period
    prob: float
    expected: float
    sd: float
    periods: int
    raise_: bool            # the proposal is more ambitious than the current target


def propose_target(entry: Entry, history: pd.DataFrame, *, period: pd.Period, horizon: int = 6, prob: float = 0.8,
                   since: pd.Period | None = None, window: int = 12) -> Proposal | None:
    """The next target for a KPI that met its target (article 000, step 5): what it reaches with
    probability ``prob`` at the current trend and noise, ``horizon`` months from now.

    Parameters
    ----------
    entry : Entry
        The KPI (direction, target, scale).
    history : DataFrame
        Its period values (``period``, ``value``, ``n``).
    period : pandas.Period
        The report period.
    horizon : int
        Months to the proposed deadline.
    prob : float
        Probability of reaching the proposed value (0.8: four chances in five).
    since, window
        The periods the trend is fitted on (see :func:`trend`); pass the start of the action
        that moved the KPI, so that its jump is not extrapolated.

    Returns
    -------
    Proposal or None
        ``None`` when there is no trend (fewer than three periods).

    Notes
    -----
    When the trend's slope can be told from zero (its 95 % interval excludes 0), the KPI ``h``
    periods ahead is predicted as the trend line's value with standard deviation
    ``√(se_line(h)² + s²)`` (the line's uncertainty and the scatter ``s`` of single periods
    around it), on ``k − 2`` degrees of freedom for ``k`` periods. Otherwise the slope is noise
    and is not extrapolated: the prediction is the periods' mean with standard deviation
    ``sd·√(1 + 1/k)``, on ``k − 1`` degrees of freedom. The proposal is the ``1 − prob``
    quantile of that prediction on the good side (higher is better: ``mean − t_{prob}·sd``),
    kept inside the KPI's scale and rounded to one decimal. A suggestion for the team to
    edit into the registry, not a rule; beyond it, plan an action (step 4).

    Examples
    --------
    >>> e = Entry("fcr", "kpi", {"en": "FCR", "ja": "FCR"}, "fcr", {}, {}, "%", "higher", {"en": "x", "ja": "x"},
    ...           target=60.0)
    >>> h = pd.DataFrame({"period": pd.period_range("2026-04", periods=7, freq="M"), "n": [400] * 7,
    ...                   "value": [66.6, 69.1, 69.7, 73.2, 65.2, 67.1, 66.5]})
    >>> p = propose_target(e, h, period=pd.Period("2026-10", "M"))
    >>> p.value, str(p.deadline), p.raise_
    (65.6, '2027-04', True)
    """
    tr = trend(history, until=period, since=since, window=window)
    if tr is None:
        return None
    deadline = period.asfreq("M", "end") + horizon
    h = (deadline.asfreq(period.freqstr, "end") - tr.last).n if period.freqstr != "M" else (deadline - tr.last).n
    if tr.flat():
        mean, sd, df = tr.mean, tr.sd * math.sqrt(1 + 1 / tr.periods), tr.periods - 1
    else:
        mean, se = tr.at(h)
        sd, df = math.sqrt(se * se + tr.resid_sd**2), tr.df
    q = float(_st.t.ppf(prob, df)) if df > 0 else math.inf
    value = mean - entry.better * q * sd
    lo, hi = entry.spec.scale if entry.spec else (-math.inf, math.inf)
    value = round(float(min(max(value, lo), hi)), 1)
    more = entry.target is None or entry.better * value > entry.better * entry.target
    return Proposal(value, deadline, prob, mean, sd, tr.periods, more)


# ------------------------------------------------------------------------------------- SMART

@dataclass(frozen=True)
class Check:
    """One SMART letter: passed or not, why (a reason key), and the numbers for the sentence."""

    ok: bool
    why: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Smart:
    """The SMART check of one entry: a :class:`Check` per letter."""

    id: str
    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks.values())

    @property
    def failed(self) -> list[str]:
        return [k for k in LETTERS if not self.checks[k].ok]


def _needed(entry: Entry, base: pd.Series, step: float, level: float, power: float) -> int | None:
    """Observations per review period to see ``step`` from ``base`` with ``power`` (two periods compared)."""
    stat = entry.spec.kernel.statistic if entry.spec else None
    kind = ("rate" if isinstance(stat, KE.Share) else "nps" if isinstance(stat, KE.NPS) else
            "mean" if isinstance(stat, KE.Mean) or (isinstance(stat, KE.Time) and
                                                    entry.resolved.get("statistic") == "mean") else None)
    if kind == "rate":
        p1, p2 = base["value"] / 100, min(max((base["value"] + entry.better * step) / 100, 0.0), 1.0)
        return None if p1 == p2 else int(S.sample_size_proportions(p1, p2, level=level, power=power))
    if kind == "nps":
        return int(S.sample_size_nps(step, promoters=base["promoters"] / base["n"],
                                     detractors=base["detractors"] / base["n"], level=level, power=power))
    if kind == "mean" and base.get("sd", 0) and np.isfinite(base.get("sd", np.nan)):
        return int(S.sample_size_means(step, base["sd"], level=level, power=power))
    return None


def smart(entry: Entry, registry: Registry, history: pd.DataFrame, review: pd.DataFrame | None = None, *,
          period: pd.Period, level: float = 0.95, power: float = 0.8, lookback: int = 4,
          sigmas: float = 2.0) -> Smart:
    """The SMART check of one KPI or KGI (article 002), computed from its definition and its data.

    Parameters
    ----------
    entry : Entry
        The KPI or KGI.
    registry : Registry
        For *Related* (the KGIs it drives, or the KPIs that drive a KGI).
    history : DataFrame
        Its values per report period (``period``, ``n``, ``value``, ``low``, ``high``, …) up to
        ``period``; empty or ``n == 0`` everywhere when it cannot be computed on these data.
    review : DataFrame, optional
        Its values per **review** period (``entry.review``); default ``history``.
    period : pandas.Period
        The report period.
    level, power : float
        Of the sample-size planner (*Measurable*).
    lookback : int
        Review periods looked at for *Measurable*.
    sigmas : float
        *Achievable* fails when the target lies more than this many standard errors of a period
        beyond the best period so far.

    Returns
    -------
    Smart
        A :class:`Check` per letter, with a reason key (for the sentence) and its numbers.

    Notes
    -----
    * **S**pecific: the KPI is named with the parameters that define it
      (:attr:`csa.kpi.KPI.defining`: FCR's definition, NPS's touchpoint, …), or it is a report
      section's headline record.
    * **M**easurable: it computes on the data at hand, no recent review period is empty, and a
      review period holds enough observations to see the step from the baseline to the target
      with ``power`` (:func:`csa.stats.sample_size_proportions`, ``sample_size_nps``,
      ``sample_size_means``, comparing two review periods). The baseline is the review period
      of ``since`` when given, else the latest.
    * **A**chievable: the target is not beyond the best period so far by more than ``sigmas``
      standard errors of a period (else it asks for something never seen: it needs an action).
    * **R**elated: a KPI drives at least one KGI of the registry; a KGI is driven by one KPI.
    * **T**ime-bounded: a deadline that has not passed.

    Examples
    --------
    >>> reg = loads('''
    ... kgis: [{id: churn, name: {en: Churn, ja: 顧客解約率}, measure: churn, owner: CS}]
    ... kpis: [{id: fcr, name: {en: FCR, ja: 一次解決率}, measure: fcr, owner: Support, target: 70}]
    ... ''')
    >>> h = pd.DataFrame({"period": pd.period_range("2026-01", periods=4, freq="M"), "n": [900] * 4,
    ...                   "value": [60.0, 61, 60, 62], "low": [57.0, 58, 57, 59], "high": [63.0, 64, 63, 65]})
    >>> s = smart(reg.entry("fcr"), reg, h, period=pd.Period("2026-04", "M"))
    >>> s.failed, s.checks["S"].why, s.checks["A"].why
    (['S', 'A', 'R', 'T'], 'no_definition', 'beyond_best')
    """
    review = history if review is None else review
    checks: dict[str, Check] = {}
    spec = entry.spec
    # S
    if spec is None:
        checks["S"] = Check(True, "record", {"record": entry.record})
    else:
        missing = [p for p in spec.defining if p not in entry.params]
        checks["S"] = Check(not missing, "no_definition" if missing else "defined",
                            {"metric": entry.measure, "missing": missing,
                             "params": ", ".join(f"{k} = {v}" for k, v in entry.params.items())})
    # M
    h = history[history["period"] <= period] if len(history) else history
    r = review[review["period"] <= period.asfreq(review["period"].iloc[0].freqstr, "end")] \
        if len(review) else review
    has = h[h["n"] > 0] if len(h) else h
    if spec is None:
        checks["M"] = Check(True, "record", {"record": entry.record})
    elif not len(has):
        checks["M"] = Check(False, "no_data", {"table": spec.table})
    else:
        r = r[(r["n"] > 0).cummax()]  # review periods before the KPI's first observation are not gaps
        recent = r.tail(lookback)
        empty = int((recent["n"] == 0).sum())
        with_data = r[r["n"] > 0]
        typical = int(recent.loc[recent["n"] > 0, "n"].median()) if (recent["n"] > 0).any() else 0
        base_row = with_data.iloc[-1]
        if entry.since is not None:
            at = with_data[with_data["period"] <= entry.since.asfreq(with_data["period"].iloc[0].freqstr, "end")]
            base_row = at.iloc[-1] if len(at) else with_data.iloc[0]
        vals = {"review": entry.review, "empty": empty, "periods": len(recent), "n": typical}
        if empty:
            checks["M"] = Check(False, "gaps", vals)
        elif entry.target is None:
            checks["M"] = Check(True, "computes", vals)
        else:
            step = abs(entry.target - float(base_row["value"]))
            need = _needed(entry, base_row, step, level, power) if step > 0 else None
            vals.update(step=step, need=need, base=float(base_row["value"]),
                        base_period=period_label(base_row["period"], entry.review))
            if need is None:
                checks["M"] = Check(True, "computes", vals)
            else:
                checks["M"] = Check(typical >= need, "enough" if typical >= need else "too_few", vals)
    # A
    if entry.target is None:
        checks["A"] = Check(False, "no_target", {})
    elif not len(has):
        checks["A"] = Check(False, "no_history", {})
    else:
        d = entry.better
        best_i = (d * has["value"]).to_numpy().argmax()
        best, best_p = float(has["value"].iloc[best_i]), str(has["period"].iloc[best_i])
        se = ((has["high"] - has["low"]) / (2 * S.z_value(level))).median()
        now = float(has["value"].iloc[-1])
        vals = {"target": entry.target, "best": best, "best_period": best_p, "now": now, "se": float(se),
                "from_now": (d * (entry.target - now)) / se if se > 0 else math.inf,
                "beyond_best": (d * (entry.target - best)) / se if se > 0 else math.inf}
        if d * (now - entry.target) >= 0:
            checks["A"] = Check(True, "reached", vals)
        elif vals["beyond_best"] > sigmas:
            checks["A"] = Check(False, "beyond_best", vals)
        else:
            checks["A"] = Check(True, "within_history", vals)
    # R
    if entry.kind == "kpi":
        ids = [k for k in entry.drives if k in {g.id for g in registry.kgis}]
        checks["R"] = Check(bool(ids), "drives" if ids else "drives_nothing", {"kgis": ", ".join(ids)})
    else:
        ids = [k.id for k in registry.drivers(entry.id)]
        checks["R"] = Check(bool(ids), "driven" if ids else "driven_by_nothing", {"kpis": ", ".join(ids)})
    # T
    if entry.deadline is None:
        checks["T"] = Check(False, "no_deadline", {})
    else:
        end = period.asfreq("M", "end")
        left = (entry.deadline - end).n
        checks["T"] = Check(left >= 0, "deadline" if left >= 0 else "deadline_passed",
                            {"deadline": str(entry.deadline), "months": left})
    return Smart(entry.id, {k: checks[k] for k in LETTERS})
