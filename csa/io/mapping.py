"""Reading and checking a mapping: an export's column names, values, file and sheet per table.

:func:`read_mapping` takes a dict or a YAML file (size-limited, its encoding detected like a data
file's, every scalar read as text) and returns it checked, or raises :class:`~csa.errors.DataError`
naming every problem.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import os
from pathlib import Path
from typing import Any

from ..encoding import MixedEncodingError, decode
from ..errors import DataError, Problem
from ..schema import TABLES
from ..yamlbudget import YAMLBudgetError, compose
from .examples import N_EXAMPLES

__all__ = ["MAPPING_MAX_BYTES", "read_mapping"]


#: a mapping file larger than this is refused before it is parsed
MAPPING_MAX_BYTES = 1_000_000
_MAPPING_FIX = "compare it with data/mappings/zendesk_ja_tickets.yaml (the shape is explained in data/README.md)"


def _yaml_loader():
    """A YAML loader that reads every scalar as text (``yes`` stays ``yes``, ``01`` stays ``01``)
    and refuses a key written twice in one mapping (YAML would keep the last silently)."""
    import yaml

    base = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

    class Loader(base):
        pass

    def construct_mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key_node.value!r} is written twice", key_node.start_mark)
            seen.add(key_node.value)
        return yaml.constructor.BaseConstructor.construct_mapping(loader, node, deep=deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


def _mapping_error(label: str, message: str, fix: str = _MAPPING_FIX) -> DataError:
    return DataError([Problem("mapping", label, message, fix)], source=label)


def _read_mapping_file(path: str | os.PathLike) -> Any:
    """The parsed YAML of a mapping file: size-limited, encoding detected like data files."""
    import yaml

    label, p = str(path), Path(path)
    if p.is_dir():
        raise _mapping_error(label, "the mapping is a folder, not a file",
                             "give the mapping YAML file itself, e.g. data/mappings/zendesk_ja_tickets.yaml")
    if not p.is_file():
        if p.exists():
            raise _mapping_error(label, "the mapping is not a regular file (a pipe, socket or device"
                                        + (f": a link to {os.readlink(p)})" if p.is_symlink() else ")"),
                                 "give the mapping YAML file itself")
        if p.is_symlink():
            raise _mapping_error(label, f"the mapping is a link to {os.readlink(p)}, which does not exist",
                                 "point the link at the mapping file, or give the file itself")
        raise _mapping_error(label, "the mapping file was not found", "check the path of the mapping file")
    try:
        size = p.stat().st_size
        if size <= MAPPING_MAX_BYTES:
            with open(p, "rb") as fh:
                raw = fh.read(MAPPING_MAX_BYTES + 1)
            size = len(raw)
    except OSError as exc:
        raise _mapping_error(label, f"the mapping file could not be read ({type(exc).__name__}: "
                                    f"{exc.strerror or exc})", "check that the file can be read") from None
    if size > MAPPING_MAX_BYTES:
        raise _mapping_error(label, f"the mapping file is {size / 1e6:.1f} MB; a mapping may be at most "
                                    f"{MAPPING_MAX_BYTES / 1e6:g} MB",
                             "a mapping lists your export's column names and values: keep only those")
    try:
        text, _enc = decode(raw)
    except MixedEncodingError as exc:
        raise _mapping_error(label, f"the mapping mixes text encodings: {exc} (line "
                                    f"{', '.join(map(str, exc.lines[:N_EXAMPLES]))})",
                             "save the mapping in one encoding (UTF-8)") from None
    except UnicodeError:
        raise _mapping_error(label, "the text encoding of the mapping could not be recognised",
                             "save the mapping as UTF-8 (cp932 / Shift_JIS and EUC-JP are read too)") from None
    try:  # a text-only loader (no tags, no objects), within an alias budget
        loader, node = compose(text.lstrip("\ufeff"), _yaml_loader())
        try:
            return None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _mapping_error(label, f"the mapping is not valid YAML ({exc})") from None
    except YAMLBudgetError as exc:
        raise _mapping_error(label, f"the mapping is refused: {exc}",
                             "a mapping lists your export's column names and values: write them out, without "
                             "nested aliases") from None
    except RecursionError:
        raise _mapping_error(label, "the mapping is not valid YAML (nested too deeply)") from None


def _scalar(v) -> str | None:
    """A mapping key or value as the text a cell holds (a dict built in Python may hold numbers)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (str, int, float)):
        return str(v)
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    raise TypeError(type(v).__name__)


def _kind_of(v) -> str:
    return {list: "a list", dict: "a mapping", type(None): "nothing"}.get(type(v), f"{type(v).__name__} {v!r}")


def _closest(word: str, choices, cutoff: float = 0.6) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _check_mapping(data: Any, label: str) -> dict[str, dict[str, Any]]:
    """The mapping as ``{table: {file?, sheet?, decimal?, columns: {str: str}, values: {col: {str: str|None}}}}``."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _mapping_error(label, f"the mapping must map table names to their settings; it holds {_kind_of(data)}")
    problems: list[Problem] = []

    def bad(table: str, message: str, fix: str = _MAPPING_FIX) -> None:
        problems.append(Problem(table, label, message, fix))

    def section(table: str, spec: dict, key: str, what: str) -> dict:
        """``spec[key]``: a mapping, or ``{}`` when it is not given (or is not a mapping: a problem)."""
        v = spec.get(key)
        if v in (None, ""):
            return {}
        if not isinstance(v, dict):
            bad(table, f"{table}: {key}: must map {what}; it holds {_kind_of(v)}")
            return {}
        return v

    out: dict[str, dict[str, Any]] = {}
    for name, spec in data.items():
        name = str(name)
        if name not in TABLES:
            bad(name, f"the mapping names an unknown table {name!r}{_closest(name, TABLES)}",
                f"use one of: {', '.join(TABLES)}")
            continue
        t = TABLES[name]
        spec = {} if spec is None or spec == "" else spec
        if not isinstance(spec, dict):
            bad(name, f"{name}: must hold the keys file, sheet, columns, values; it holds {_kind_of(spec)}")
            continue
        unknown = [str(k) for k in spec if k not in ("file", "sheet", "columns", "values", "decimal")]
        if unknown:
            bad(name, f"{name}: unknown key {', '.join(map(repr, unknown))}; each table's mapping takes the keys "
                      "file, sheet, columns, values, decimal")
        clean: dict[str, Any] = {"columns": {}, "values": {}}
        for key in ("file", "sheet"):
            if key in spec:
                v = spec[key]
                if not isinstance(v, (str, int)) or isinstance(v, bool) or str(v).strip() == "":
                    bad(name, f"{name}: {key}: must be one {'file name' if key == 'file' else 'sheet name'}; "
                              f"it holds {_kind_of(v)}")
                elif key == "file" and (Path(str(v).strip()).is_absolute() or ".." in Path(str(v).strip()).parts
                                        or str(v).strip().startswith(("~", "\\"))):
                    bad(name, f"{name}: file: {str(v).strip()!r} points outside the data folder; a mapping names "
                              "a file inside it (or in a folder below it)",
                        "copy the export into the data folder and give its name there, e.g. file: tickets.csv")
                else:
                    clean[key] = str(v).strip()
        if "decimal" in spec:
            if spec["decimal"] in (",", "."):
                clean["decimal"] = spec["decimal"]
            else:
                bad(name, f"{name}: decimal: must be ',' (numbers written 4850000,5) or '.' (4850000.5); it holds "
                          f"{_kind_of(spec['decimal'])}", "write decimal: ',' (with the quotes)")
        columns = section(name, spec, "columns", "your column names to canonical ones (your name: canonical "
                                                 "name), one per line")
        for k, v in columns.items():
            try:
                k_s = _scalar(k)
            except TypeError:
                k_s = None
            if k_s is None or not isinstance(v, str) or not v.strip():
                bad(name, f"{name}: columns: {k!r} must map to one canonical column name; it maps to "
                          f"{_kind_of(v)}", f"write it as `{k}: <one of {', '.join(t.names)}>`")
                continue
            clean["columns"][k_s.strip()] = v.strip()
        values = section(name, spec, "values", "canonical column names to their value mappings (column: "
                                               "{your value: canonical value})")
        for col, vm in values.items():
            col = str(col)
            if col not in t.names:
                bad(name, f"{name}: values: {col!r} is not a column of {name}{_closest(col, t.names)}",
                    f"use the canonical column name: one of {', '.join(t.names)}")
                continue
            if not isinstance(vm, dict):
                bad(name, f"{name}: values: {col} must map your values to canonical ones (your value: "
                          f"canonical value), one per line; it holds {_kind_of(vm)}")
                continue
            m: dict[str, str | None] = {}
            for k, v in vm.items():
                try:
                    k_s, v_s = _scalar(k), _scalar(v)
                except TypeError:
                    k_s = v_s = None
                    bad(name, f"{name}: values: {col}: {k!r} must map to one value; it maps to {_kind_of(v)}")
                    continue
                if k_s is None:
                    bad(name, f"{name}: values: {col}: a key is empty")
                    continue
                m[k_s] = None if v_s is None or v_s.strip() == "" else v_s
            clean["values"][col] = m
        out[name] = clean
    if problems:
        raise DataError(problems, source=label)
    return out


def read_mapping(mapping: str | os.PathLike | dict | None) -> dict[str, dict[str, Any]]:
    """A column/value mapping as a dict ``{table: {file?, sheet?, columns, values}}``.

    ``mapping`` is a dict of that shape or the path of a YAML file holding it. The file is at
    most :data:`MAPPING_MAX_BYTES`, its encoding is detected as for data files (UTF-8, cp932,
    EUC-JP) and every scalar is read as text (``yes`` and ``01`` stay as written). A wrong shape,
    a key written twice, an unknown table or column: :class:`DataError` naming the file.
    """
    if mapping is None:
        return {}
    if isinstance(mapping, dict):
        return _check_mapping(mapping, "mapping")
    return _check_mapping(_read_mapping_file(mapping), str(mapping))
