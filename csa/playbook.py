"""The team's ``health.yaml``: the hand-weighted health score, the red / yellow bands, and the playbook.

A team keeps one file beside its data (``health.yaml`` in the data folder, beside ``registry.yaml``;
the example for the bundled sample is ``data/health.yaml``). It holds three sections, each optional:

* ``weights:`` — the **hand-weighted score** the team would write in a vendor's tool, in the scheme of
  :data:`csa.health.HAND_WEIGHTS`: ``signal: weight`` for a number (the sign says which way is healthier:
  ``+`` higher is healthier, ``−`` lower is), ``signal: {weight: w, points: {level: 0–100}}`` for a
  category. The signals are those of :data:`csa.health.FEATURES`. Missing: the handbook's
  :data:`~csa.health.HAND_WEIGHTS`.
* ``bands:`` — ``red:`` and ``yellow:``, the shares of the accounts, riskiest first, shown red and yellow
  (default 0.10 and 0.20: the riskiest 10 % red, the next 20 % yellow).
* ``playbook:`` — the **plays** (source article 004: actions per lifecycle stage and scenario), one row
  each: ``reason`` (a signal of :data:`~csa.health.FEATURES` a CSM can act on, a group of them — the table
  they come from: ``subscriptions``, ``surveys``, ``tickets``, ``goals``, ``usage`` — or ``any``),
  ``stage`` (lifecycle stage, :data:`STAGES`, or ``any``), ``tier`` (LTV tier ``high`` / ``mid`` / ``low``
  as :func:`csa.ltv_tiers` cuts it, or ``any``), then ``action`` and ``owner``, each ``{en: …, ja: …}``.

**Lifecycle stage** (:func:`stage_of`), from the whole months since the signup month: ``onboarding``
(fewer than 3), ``adoption`` (3 to 11), ``renewal`` (12 or more: the first renewal of a yearly contract
and after).

**Which play** (:meth:`HealthFile.play_for`): the account's reasons are read from the largest push
towards churn down; the first reason that some row matches picks the play, and among the rows that
match it the **most specific** wins — the row naming more of reason, stage and tier (a signal counting
before a group), then the earlier row in the file. Rows with ``reason: any`` catch accounts whose
reasons no row names.

:func:`load` checks the file like the KPI registry is checked: every problem at once, each with the
file, the line, the entry, what is wrong and how to fix it, in one :class:`HealthFileError`; the file
is read within the YAML budget of :mod:`csa.yamlbudget`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .datasets import _bundled
from .errors import DataError, Problem
from .health import FEATURES, HAND_WEIGHTS
from .metrics.ltv import TIERS
from .yamlbudget import LinedYAML, YAMLBudgetError, read_text

__all__ = ["ANY", "DEFAULT_BANDS", "FILE", "GROUPS", "STAGES", "HealthFile", "HealthFileError", "HealthProblem",
           "Play", "example_path", "load", "loads", "resolve", "stage_of"]

#: the file's name in a data folder
FILE = "health.yaml"
#: lifecycle stages, in order, and the months since signup at which each starts
STAGES = ("onboarding", "adoption", "renewal")
_STAGE_FROM = {"onboarding": 0, "adoption": 3, "renewal": 12}
#: a row field that matches every value
ANY = "any"
#: default shares of red and yellow accounts
DEFAULT_BANDS = {"red": 0.10, "yellow": 0.20}
_FEATURES = {f.name: f for f in FEATURES}
_ACTIONABLE = {f.name for f in FEATURES if f.group == "actionable"}
#: reason groups: the tables the actionable signals come from
GROUPS = tuple(dict.fromkeys(f.table for f in FEATURES if f.group == "actionable"))
_EXAMPLE = "data/health.yaml"


def stage_of(tenure_months) -> pd.Series:
    """Lifecycle stage per account from whole months since its signup month (``None`` when unknown).

    ``onboarding``: fewer than 3 months; ``adoption``: 3 to 11; ``renewal``: 12 or more.

    >>> stage_of([0, 2, 3, 11, 12, 40, None]).tolist()
    ['onboarding', 'onboarding', 'adoption', 'adoption', 'renewal', 'renewal', None]
    """
    m = pd.to_numeric(pd.Series(tenure_months, dtype=object), errors="coerce").to_numpy(float)
    out = np.where(m >= _STAGE_FROM["renewal"], "renewal", np.where(m >= _STAGE_FROM["adoption"], "adoption",
                                                                      "onboarding")).astype(object)
    out[np.isnan(m)] = None
    index = tenure_months.index if isinstance(tenure_months, pd.Series) else None
    return pd.Series(out, index=index, dtype=object, name="stage")


# ------------------------------------------------------------------------------------- problems

@dataclass
class HealthProblem(Problem):
    """One problem of ``health.yaml``: where (line and entry), what, and how to fix it."""

    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "") + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}. Fix: {self.fix}"


class HealthFileError(DataError):
    """A ``health.yaml`` that ``csa`` cannot use; ``problems`` lists every problem found."""


# ------------------------------------------------------------------------------------- what it holds

@dataclass(frozen=True)
class Play:
    """A row of the playbook: for which reason, stage and tier, what to do and who does it."""

    reason: str
    stage: str
    tier: str
    action: dict[str, str]
    owner: dict[str, str]
    row: int = 0                  # position in the file, 1 first
    line: int | None = None

    @property
    def reason_level(self) -> int:
        """2: a signal, 1: a group of signals, 0: any."""
        return 0 if self.reason == ANY else 1 if self.reason in GROUPS else 2

    @property
    def specificity(self) -> tuple[int, int]:
        """How much the row names: (reason, stage and tier named, the reason's level); higher wins."""
        return (sum(x != ANY for x in (self.reason, self.stage, self.tier)), self.reason_level)

    def matches(self, reason: str | None, stage: str | None, tier: str | None) -> bool:
        """Whether the row applies to an account with this reason (a signal name; ``None``: none), stage and tier."""
        if self.reason == ANY:
            named = True
        elif self.reason in GROUPS:
            named = reason in _FEATURES and _FEATURES[reason].table == self.reason
        else:
            named = reason == self.reason
        return named and self.stage in (ANY, stage) and self.tier in (ANY, tier)

    def action_in(self, lang: str = "en") -> str:
        return self.action.get(lang) or self.action["en"]

    def owner_in(self, lang: str = "en") -> str:
        return self.owner.get(lang) or self.owner["en"]


@dataclass(frozen=True)
class HealthFile:
    """A validated ``health.yaml``: ``weights`` (for :class:`csa.HealthModel`), ``red`` and ``yellow`` shares,
    ``plays`` in file order, and where it came from (``path``; ``example``: the bundled sample's; ``found``:
    false when there was no file and the handbook's defaults are used)."""

    weights: dict[str, Any] = field(default_factory=lambda: dict(HAND_WEIGHTS))
    red: float = DEFAULT_BANDS["red"]
    yellow: float = DEFAULT_BANDS["yellow"]
    plays: tuple[Play, ...] = ()
    path: str = ""
    example: bool = False
    found: bool = True

    @property
    def bands(self) -> tuple[float, float]:
        """``HealthModel(bands=…)``: the shares red, and red or yellow."""
        return (self.red, self.red + self.yellow)

    def play_for(self, reasons, stage: str | None = None, tier: str | None = None) -> Play | None:
        """The play for an account: its ``reasons`` (signal names, largest push first), ``stage`` and ``tier``.

        The first reason some row matches picks the play; among the rows matching it the most specific wins
        (:attr:`Play.specificity`), then the earlier row. ``None`` when no row matches.

        >>> hf = loads('''
        ... playbook:
        ...   - {reason: any, action: {en: Check in, ja: 状況確認}, owner: {en: CSM, ja: 担当CSM}}
        ...   - {reason: surveys, stage: renewal, action: {en: Executive call, ja: 役員との面談},
        ...      owner: {en: Head of CS, ja: CS部長}}
        ... ''')
        >>> hf.play_for(["nps_last"], "renewal", "mid").action_in("en")
        'Executive call'
        >>> hf.play_for(["nps_last"], "adoption", "mid").action_in("ja"), hf.play_for([], "renewal").row
        ('状況確認', 1)
        """
        for reason in [*list(reasons), None]:
            rows = [p for p in self.plays if p.matches(reason, stage, tier)]
            if rows:
                return max(rows, key=lambda p: (p.specificity, -p.row))
        return None

    def table(self, lang: str = "en") -> pd.DataFrame:
        """The playbook as the file lists it: ``reason``, ``stage``, ``tier``, ``action``, ``owner`` (in ``lang``)."""
        return pd.DataFrame([{"reason": p.reason, "stage": p.stage, "tier": p.tier, "action": p.action_in(lang),
                              "owner": p.owner_in(lang)} for p in self.plays],
                            columns=["reason", "stage", "tier", "action", "owner"])

    def __repr__(self) -> str:
        return (f"HealthFile({self.path or 'handbook defaults'!r}: {len(self.weights)} weights, red {self.red:g}, "
                f"yellow {self.yellow:g}, {len(self.plays)} plays)")


# ------------------------------------------------------------------------------------- reading

def example_path() -> Path:
    """The example ``health.yaml`` of the bundled sample (``data/health.yaml`` of the csa checkout).

    Raises
    ------
    FileNotFoundError
        When csa was installed without its repository: write your own (the module docstring has the format).
    """
    return _bundled("_health.yaml", _EXAMPLE,
                    "the example health.yaml was not found: it lives in data/health.yaml of the csa repository. "
                    "Install csa from a checkout (pip install -e .) or write your own health.yaml (see "
                    "csa.playbook for the format)")


def resolve(path: str | Path | None, data_dir: str | Path) -> Path | None:
    """The ``health.yaml`` to read, found as the KPI registry is (:func:`csa.scorecard.resolve_registry`).

    * ``path`` given: that file (a missing file is an error);
    * else ``health.yaml`` in the data folder, when there is one (the team's own, beside its data);
    * else, when the data folder is the bundled sample, its example (:func:`example_path`);
    * else ``None``: the handbook's weights and bands, and no playbook.
    """
    if path:
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"health.yaml not found: {p}")
        return p.resolve()
    own = Path(data_dir) / FILE
    if own.is_file():
        return own.resolve()
    try:
        from .datasets import sample_dir

        if Path(data_dir).resolve() == sample_dir().resolve():
            return example_path()
    except FileNotFoundError:
        pass
    return None


class _Reader(LinedYAML):
    """The health file as plain Python with the line of every node, and the problems found on the way."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text, source, fix_budget=f"write the entries out, without nested aliases (see {_EXAMPLE})")

    def add(self, path: tuple | None, message: str, fix: str, *, line: int | None = None) -> None:
        """A problem at ``path`` (keys and list positions; a playbook row is shown as its number, 1 first)."""
        shown = None
        if path:
            shown = " › ".join(str(p + 1) if isinstance(p, int) and i == 1 and path[0] == "playbook" else str(p)
                               for i, p in enumerate(path))
        self.problems.append(HealthProblem("health", self.source, message, fix, column=shown,
                                           line=line if line is not None else (self.line(path) if path else None)))


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _weights(r: _Reader, raw: Any) -> dict[str, Any]:
    if raw is None:
        return dict(HAND_WEIGHTS)
    if not isinstance(raw, dict) or not raw:
        r.add(("weights",), "'weights:' must list signals with their weights, one per line",
              "write e.g. 'weights:' then '  nps_last: 25' and '  complaints_90d: -15' (− : fewer is healthier)")
        return {}
    out: dict[str, Any] = {}
    for name, w in raw.items():
        path = ("weights", name)
        f = _FEATURES.get(name)
        if f is None:
            r.add(path, f"{name!r} is not a signal of the health score",
                  f"use one of: {', '.join(_FEATURES)} (csa.health.FEATURES)")
            continue
        if f.kind == "number":
            if not _number(w) or w == 0:
                sign = "-" if f.better == "lower" else ""
                r.add(path, f"the weight of {name} is {w!r}; a number signal takes a number other than 0 (+ when "
                      "higher is healthier, − when lower is)",
                      f"write e.g. '{name}: {sign}10', or delete the line to leave the signal out")
                continue
            out[name] = float(w)
            continue
        if isinstance(w, list) and len(w) == 2:
            w = {"weight": w[0], "points": w[1]}
        example = f"write '{name}: {{weight: 10, points: {{level: 100, other_level: 0}}}}'"
        if not isinstance(w, dict) or set(w) != {"weight", "points"}:
            r.add(path, f"{name} is a category: it takes a weight and points per level, got {w!r}", example)
            continue
        weight, points = w["weight"], w["points"]
        if not _number(weight) or weight <= 0:
            r.add((*path, "weight"), f"the weight of {name} is {weight!r}; a category's weight is a number above 0",
                  example)
            continue
        if not isinstance(points, dict) or not points or not all(_number(v) and 0 <= v <= 100
                                                                for v in points.values()):
            r.add((*path, "points"), f"the points of {name} are {points!r}; give each level 0 to 100 points", example)
            continue
        out[name] = (float(weight), {str(k): float(v) for k, v in points.items()})
    return out


def _bands(r: _Reader, raw: Any) -> tuple[float, float]:
    if raw is None:
        return DEFAULT_BANDS["red"], DEFAULT_BANDS["yellow"]
    fix = "write 'bands: {red: 0.10, yellow: 0.20}' (the riskiest 10 % red, the next 20 % yellow)"
    if not isinstance(raw, dict):
        r.add(("bands",), f"'bands:' must give red and yellow shares, got {raw!r}", fix)
        return DEFAULT_BANDS["red"], DEFAULT_BANDS["yellow"]
    for k in raw:
        if k not in DEFAULT_BANDS:
            r.add(("bands", k), f"unknown band {k!r}", "give red and yellow (green is the rest)")
    out = {}
    for k in DEFAULT_BANDS:
        v = raw.get(k, DEFAULT_BANDS[k])
        if not _number(v) or not 0 < v < 1:
            r.add(("bands", k), f"{k} is {v!r}; it is a share of the accounts between 0 and 1", fix)
            v = DEFAULT_BANDS[k]
        out[k] = float(v)
    if out["red"] + out["yellow"] >= 1:
        r.add(("bands",), f"red and yellow together are {out['red'] + out['yellow']:g} of the accounts: nothing "
              "would be green", "make red + yellow less than 1, e.g. 0.10 and 0.20")
    return out["red"], out["yellow"]


_ROW_KEYS = ("reason", "stage", "tier", "action", "owner")


def _texts(r: _Reader, row: dict, path: tuple, key: str, example: str) -> dict[str, str]:
    v = row.get(key)
    if isinstance(v, dict) and set(v) <= {"en", "ja"} and all(isinstance(v.get(k), str) and v[k].strip()
                                                              for k in ("en", "ja")):
        return {"en": v["en"].strip(), "ja": v["ja"].strip()}
    if v is None:
        r.add(path, f"no {key}", f"add '{key}: {{en: {example}, ja: …}}' (both languages)")
    else:
        r.add((*path, key), f"{key} needs a text in English and in Japanese, got {v!r}",
              f"write '{key}: {{en: {example}, ja: …}}'")
    return {}


def _play(r: _Reader, raw: Any, i: int) -> Play | None:
    path = ("playbook", i)
    if not isinstance(raw, dict):
        r.add(path, f"a playbook row is a set of fields (reason, stage, tier, action, owner), got {raw!r}",
              "start each row with '- reason: …'")
        return None
    bad = False
    for k in raw:
        if k not in _ROW_KEYS:
            r.add((*path, k), f"unknown field {k!r}", f"use {', '.join(_ROW_KEYS)}")
            bad = True
    reason = raw.get("reason")
    if reason is None:
        r.add(path, "no reason", f"add 'reason:' — a signal ({', '.join(sorted(_ACTIONABLE))}), a group "
              f"({', '.join(GROUPS)}) or any")
        bad = True
    elif reason != ANY and reason not in GROUPS and reason not in _ACTIONABLE:
        structural = reason in _FEATURES
        r.add((*path, "reason"), f"{reason!r} is " + ("who the customer is (a structural signal), not a reason a "
              "CSM can act on" if structural else "not a signal or a group of signals"),
              f"use an actionable signal ({', '.join(sorted(_ACTIONABLE))}), a group ({', '.join(GROUPS)}) or any")
        bad = True
    stage = raw.get("stage", ANY)
    if stage != ANY and stage not in STAGES:
        r.add((*path, "stage"), f"{stage!r} is not a lifecycle stage",
              f"use {', '.join(STAGES)} (months since signup: under 3, 3 to 11, 12 or more) or any")
        bad = True
    tier = raw.get("tier", ANY)
    if tier != ANY and tier not in TIERS:
        r.add((*path, "tier"), f"{tier!r} is not an LTV tier", f"use {', '.join(TIERS)} or any")
        bad = True
    action = _texts(r, raw, path, "action", "Guided set-up call")
    owner = _texts(r, raw, path, "owner", "Onboarding manager")
    if bad or not action or not owner:
        return None
    return Play(str(reason), str(stage), str(tier), action, owner, row=i + 1, line=r.line(path))


def loads(text: str, source: str = FILE) -> HealthFile:
    """A :class:`HealthFile` from YAML text (see :func:`load`)."""
    r = _Reader(text, source)
    if r.problems:
        raise HealthFileError(r.problems, source=source)
    data = {} if r.data is None else r.data
    if not isinstance(data, dict):
        r.add(None, "the file is not a set of sections", "start with 'weights:', 'bands:' or 'playbook:' (see "
              f"{_EXAMPLE})", line=1)
        raise HealthFileError(r.problems, source=source)
    for k in data:
        if k not in ("version", "weights", "bands", "playbook"):
            r.add((k,), f"unknown section {k!r}", "use weights, bands and playbook (and version)")
    if data.get("version", 1) != 1:
        r.add(("version",), f"version {data.get('version')!r} is not one this csa reads", "write 'version: 1'")
    weights = _weights(r, data.get("weights"))
    red, yellow = _bands(r, data.get("bands"))
    rows = data.get("playbook") or []
    if not isinstance(rows, list):
        r.add(("playbook",), "'playbook:' must be a list of rows, each starting with '- reason:'",
              "write 'playbook:' then '  - reason: usage' with its stage, tier, action and owner")
        rows = []
    plays = [p for i, x in enumerate(rows) if (p := _play(r, x, i)) is not None]
    seen: dict[tuple, int] = {}
    for p in plays:
        key = (p.reason, p.stage, p.tier)
        if key in seen:
            r.add(("playbook", p.row - 1), f"the same reason, stage and tier as row {seen[key]} ({', '.join(key)}): "
                  "this row would never be used", "merge the two rows, or change its reason, stage or tier")
        seen.setdefault(key, p.row)
    if r.problems:
        raise HealthFileError(r.problems, source=source)
    return HealthFile(weights, red, yellow, tuple(plays), source)


def load(path: str | Path | None = None) -> HealthFile:
    """Read and check a ``health.yaml``.

    Parameters
    ----------
    path : str or Path, optional
        The file; ``None`` or ``""``: the example of the bundled sample (:func:`example_path`).

    Returns
    -------
    HealthFile

    Raises
    ------
    HealthFileError
        Every problem of the file at once (file, line, entry, what is wrong, how to fix it): invalid YAML,
        an unknown section or field, a weight for something that is not a signal, a category without its
        points, bands outside (0, 1) or leaving nothing green, a playbook row whose reason, stage or tier is
        not one the handbook knows, an action or owner without both languages, two rows for the same reason,
        stage and tier. A :class:`~csa.DataError`, so code that catches data problems catches these too.
    FileNotFoundError
        The file does not exist.

    Examples
    --------
    >>> hf = load()
    >>> hf.bands, hf.weights["nps_last"], len(hf.plays) > 5
    ((0.1, 0.30000000000000004), 25.0, True)
    >>> loads("bands: {red: 0.5, yellow: 0.6}", source="health.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    csa.playbook.HealthFileError: 1 problem in health.yaml:
      1. health.yaml, line 1, bands: red and yellow together are 1.1 of the accounts: nothing would be green. ...
    """
    p = Path(path) if path else example_path()
    try:
        text = read_text(p, "health.yaml").decode("utf-8-sig")
    except FileNotFoundError:
        raise FileNotFoundError(f"health.yaml not found: {p}") from None
    except YAMLBudgetError as exc:
        raise HealthFileError([HealthProblem("health", p.name, str(exc), f"give the health.yaml file itself (see "
                                             f"{_EXAMPLE})")], source=str(p)) from None
    except UnicodeDecodeError:
        raise HealthFileError([HealthProblem("health", p.name, "the file is not UTF-8 text",
                                             "save it as UTF-8 (any editor can)")], source=str(p)) from None
    try:
        example = p.resolve() == example_path().resolve()
    except FileNotFoundError:
        example = False
    return replace(loads(text, source=p.name), example=example)
