"""What a run may be given: the parameters each notebook declares, what they allow, the flags' values.

Parameters are checked against each notebook's ``parameters`` cell before anything runs: a name
a notebook does not declare is refused (papermill itself would only log a warning); values are
converted to the type of the notebook's default, never guessed. Parameters that have their own
flag (``--data``, ``--period``, ``--lang``, ``--freq``, ``--mapping``, ``--tz``) are refused with
``-p``: the flag checks the value.

A parameter may declare what it allows at the **end of its comment** in the parameters cell
(see :func:`allowed_values`)::

    top_n = 10        # rows shown in each follow-up list [1, 1000]
    level = 0.95      # confidence level of every interval (0, 1)
    min_n = 30        # groups with fewer responses are flagged [1, inf)
    lang = "en"       # language of the report {en, ja}

``[a, b]`` is a closed range, ``(a, b)`` an open one (mix them: ``[0, 1)``), ``inf`` / ``-inf``
leave a side unbounded; ranges apply to ``int`` and ``float`` parameters. ``{a, b, c}`` lists
the allowed values (quote one to keep spaces or an empty text: ``{"", smb}``). Every value a
notebook would run with, flag or ``-p`` or its default, is checked; a refusal names the notebook,
the parameter, the value and what is allowed. A parameter without such a comment takes any value
of its type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FLAG_PARAMETERS", "OPTIONAL_PARAMETERS", "REQUIRED_PARAMETERS", "Allowed", "allowed_values",
           "build_parameters", "declared_parameters"]


#: Notebook parameters set by a checked flag of ``csa report``; ``-p`` may not set them.
FLAG_PARAMETERS = {"data_dir": "--data", "period": "--period", "lang": "--lang", "freq": "--freq",
                   "mapping": "--mapping", "tz": "--tz", "registry": "--registry", "engine": "--engine"}
#: Passed to every notebook, which must declare them.
REQUIRED_PARAMETERS = ("data_dir", "period", "lang", "freq")
#: Passed only to the notebooks that declare them (a notebook may not read a mapping).
OPTIONAL_PARAMETERS = ("mapping", "tz", "registry", "engine")


_NUMBER = r"[+-]?(?:inf|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
_RANGE = re.compile(rf"([\[(])\s*({_NUMBER})\s*,\s*({_NUMBER})\s*([\])])\s*$")
_SET = re.compile(r"\{([^{}]*)\}\s*$")


@dataclass(frozen=True)
class Allowed:
    """What a parameter allows: a range of numbers or a set of values (see :func:`allowed_values`)."""

    text: str  # as written in the comment, e.g. "[1, 1000]" or "{en, ja}"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    values: tuple[Any, ...] | None = None

    def admits(self, value: Any) -> bool:
        """True if ``value`` is allowed."""
        if self.values is not None:
            return any(type(value) is type(v) and value == v for v in self.values)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return bool(above and below)  # False for NaN

    def __str__(self) -> str:
        if self.values is not None:
            return "one of " + ", ".join(repr(v) if v == "" else str(v) for v in self.values)
        return self.text


def _unquote(item: str) -> str:
    item = item.strip()
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "\"'":
        return item[1:-1]
    return item


def allowed_values(comment: str, type_name: str) -> Allowed | None:
    """What a parameter allows, from the end of its comment in the parameters cell; ``None``: anything.

    ``type_name`` is the type of the parameter's default (``"int"``, ``"float"``, ``"str"`` …).
    A range (``[a, b]``, ``(a, b)``, ``[a, b)``, ``(a, inf)`` …) is read for ``int`` and
    ``float`` parameters only, so a text parameter's comment may end in parentheses; a set
    (``{a, b}``) is read for any type, its items converted to the parameter's type.

    >>> allowed_values("rows shown [1, 1000]", "int").admits(0)
    False
    >>> str(allowed_values("language {en, ja}", "str"))
    'one of en, ja'
    >>> allowed_values("month or quarter (April start, 年度)", "str") is None
    True
    >>> a = allowed_values("confidence level (0, 1)", "float")
    >>> a.admits(0.95), a.admits(1.0), a.admits(float("nan"))
    (True, False, False)
    """
    comment = comment or ""
    m = _SET.search(comment)
    if m:
        items = [_unquote(i) for i in m[1].split(",")]
        if type_name in ("int", "float"):
            conv = int if type_name == "int" else float
            try:
                values = tuple(conv(i) for i in items)
            except ValueError:
                raise ValueError(f"the allowed values {m[0].strip()} are not all {type_name}s") from None
        else:
            values = tuple(items)
        return Allowed(m[0].strip(), values=values)
    m = _RANGE.search(comment)
    if m and type_name in ("int", "float"):
        low, high = float(m[2]), float(m[3])
        if low > high:
            raise ValueError(f"the range {m[0].strip()} is empty (its lower bound is above its upper bound)")
        return Allowed(m[0].strip(), low=low, high=high, low_open=m[1] == "(", high_open=m[4] == ")")
    return None


def declared_parameters(nb: Path) -> dict[str, dict[str, Any]]:
    """Parameters a notebook declares: ``{name: {"type", "default", "help", "allowed"}}``.

    ``type`` is the type name of the default (``"str"``, ``"int"`` …), ``help`` the comment of
    its line and ``allowed`` an :class:`Allowed` read from that comment, or ``None``.
    """
    import ast

    import papermill

    out = {}
    for k, v in papermill.inspect_notebook(str(nb)).items():
        try:  # papermill gives the default's source text; its type is the literal's type
            default = ast.literal_eval(v.get("default") or "None")
        except (ValueError, SyntaxError):
            default = v.get("default")
        type_name = type(default).__name__
        comment = v.get("help") or ""
        try:
            allowed = allowed_values(comment, type_name)
        except ValueError as exc:
            raise ValueError(f"{nb.name}: parameter {k}: {exc}") from None
        out[k] = {"type": type_name, "default": default, "help": comment, "allowed": allowed}
    return out


def _typed(name: str, value: Any, type_name: str, nb: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            low = value.strip().lower()
            if low not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return low in ("true", "1", "yes")
    except ValueError:
        raise ValueError(f"parameter {name}={value!r}: {nb} expects a {type_name}") from None
    return value  # str (and anything else) stays the text given


def _refusal(nb: str, name: str, value: Any, allowed: Allowed, flag: str | None) -> str:
    how = f"{flag} " if flag else f"-p {name} "
    return f"{nb}: {name} = {value!r} is not allowed: {nb} takes {allowed} (give {how}a value in that range)" \
        if allowed.values is None else \
        f"{nb}: {name} = {value!r} is not allowed: {nb} takes {allowed} (give {how}one of them)"


def build_parameters(nb: Path, given: dict[str, Any], *,
                     declared: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """``given`` checked against and typed by the notebook's parameters cell.

    Refused, naming the notebook: a name it does not declare, a value of the wrong type, a value
    outside what the parameter's comment allows, and a default outside it (a notebook bug).
    """
    declared = declared_parameters(nb) if declared is None else declared
    if not declared:
        raise ValueError(f"{nb.name} has no cell tagged 'parameters'")
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValueError(f"{nb.name} does not declare the parameter(s) {', '.join(unknown)}; "
                         f"it declares: {', '.join(declared)}")
    typed = {k: _typed(k, v, declared[k]["type"], nb.name) for k, v in given.items()}
    problems = []
    for k, d in declared.items():
        allowed = d.get("allowed")
        if allowed is None:
            continue
        if k in typed:
            if not allowed.admits(typed[k]):
                problems.append(_refusal(nb.name, k, typed[k], allowed, FLAG_PARAMETERS.get(k)))
        elif not allowed.admits(d["default"]):
            problems.append(f"{nb.name}: the default {k} = {d['default']!r} is outside what its comment allows "
                            f"({allowed}): fix the notebook's parameters cell")
    if problems:
        raise ValueError("; ".join(problems))
    return typed


def _effective(declared: dict[str, dict[str, Any]], typed: dict[str, Any]) -> dict[str, Any]:
    """Every parameter the notebook runs with: its defaults, overridden by what was given."""
    return {k: typed.get(k, d["default"]) for k, d in declared.items()}


def _check_inputs(period: str, freq: str, lang: str, params: dict[str, Any], mapping, tz) -> Path | None:
    """Refuse bad flag values before anything runs; the mapping file, resolved."""
    from ..labels import LANGS
    from ..periods import parse_period

    if not isinstance(period, str) or period != period.strip():
        raise ValueError(f"--period {period!r} has spaces or a line break around it; write it like '2026-10'")
    parse_period(period, freq)  # a clear error for a malformed period (and an unknown freq)
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    flagged = [k for k in params if k in FLAG_PARAMETERS]
    if flagged:
        raise ValueError("; ".join(f"-p {k}: use {FLAG_PARAMETERS[k]} instead (it checks the value)"
                                   for k in flagged))
    if tz is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"--tz: unknown time zone {tz!r}; use an IANA name such as 'Asia/Tokyo' or "
                             "'UTC'") from None
    if mapping is None:
        return None
    m = Path(mapping)
    if not m.exists():
        raise FileNotFoundError(f"--mapping: file not found: {mapping}")
    if not m.is_file():
        raise ValueError(f"--mapping: {mapping} is not a file (give the mapping YAML file)")
    from ..io.mapping import _read_mapping_file

    _read_mapping_file(m)  # unreadable or invalid YAML, or a bomb of nested aliases: refused before anything runs
    return m.resolve()


def _section_params(params: dict[str, Any], declared: dict[str, dict[str, Any]], n_notebooks: int) -> dict[str, Any]:
    """The ``-p`` parameters one notebook of a run gets: those it declares (a report's ``-p top_n 5`` goes to the
    sections that have a ``top_n``); a run of one notebook gets them all, so that a name it does not declare is
    refused by :func:`build_parameters` with the names it does declare."""
    if n_notebooks == 1:
        return dict(params)
    return {k: v for k, v in params.items() if k in declared}


def _refuse_undeclared(params: dict[str, Any], plan: list) -> None:
    """Refuse ``-p`` parameters that no notebook of the plan (``(notebook, given, effective)``) declares."""
    unknown = sorted(k for k in params if not any(k in effective for _, _, effective in plan))
    if unknown:
        names = sorted({k for _, _, effective in plan for k in effective} - set(FLAG_PARAMETERS))
        raise ValueError(f"-p {', '.join(unknown)}: none of the notebooks declares the parameter(s) "
                         f"{', '.join(unknown)}, so it would be ignored; they declare: {', '.join(names)}")
