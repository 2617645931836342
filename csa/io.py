"""Load a folder of exports into a typed, validated :class:`Dataset`.

``load(path)`` looks for one file per table named after it (``tickets.csv``, ``Tickets.CSV``,
``tickets.tsv``, ``tickets.xlsx``, ``tickets.parquet``; case does not matter), detects CSV
encodings, applies an optional column mapping, normalises full-width digits and stray spaces
(counting every change), converts each column to its type and checks every rule of
:mod:`csa.schema`, then checks the dataset as a whole: references between tables, and dates
within the accepted window (from 2000-01 to one month after the data's last month, unless
``time_window`` says otherwise). Every problem found, in every table, is collected; if there is
any, :class:`~csa.errors.DataError` lists them all. Nothing is dropped or coerced silently: a
file, sheet, row or column that cannot be read as it is meant is a problem, never skipped.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as _dt
import difflib
import io
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .encoding import MixedEncodingError, decode, encoding_name
from .errors import DataError, Problem
from .progress import bar
from .schema import SURVEY_SCALES, TABLE_ORDER, TABLES, Column, Table

__all__ = ["EARLIEST", "EXTENSIONS", "MAPPING_MAX_BYTES", "TIME_COLUMN", "CheckResult", "Dataset", "SourceInfo",
           "inspect", "load", "read_mapping"]

EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")
N_EXAMPLES = 3
#: a mapping file larger than this is refused before it is parsed
MAPPING_MAX_BYTES = 1_000_000
#: the earliest month a date may fall in unless ``time_window`` widens it
EARLIEST = "2000-01"
#: the column that dates each table's rows (date ranges, periods, the data's last month)
TIME_COLUMN = {"customers": "signup_date", "subscriptions": "month", "orders": "ordered_at",
               "tickets": "created_at", "surveys": "responded_at", "goals": "started_at", "support_costs": "month"}

_TRUE = {"true", "t", "1", "yes", "y", "はい", "○", "〇", "済"}
_FALSE = {"false", "f", "0", "no", "n", "いいえ", "×", "未"}
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_BLANK = re.compile(rb"[\r\n\t \xef\xbb\xbf]*")
# timestamps are held as datetime64[ns]: years outside these cannot be held
_NS_LOW, _NS_HIGH = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")
_MAPPING_FIX = "compare it with data/mappings/zendesk_ja_tickets.yaml (the shape is explained in data/README.md)"
_DELIMITER_NAMES = {",": "comma", "\t": "tab"}


@dataclass
class SourceInfo:
    """Where one table came from and what was done to it on the way in."""

    table: str
    file: str
    format: str
    encoding: str | None
    rows: int
    normalizations: Counter = field(default_factory=Counter)  # (column, what) -> rows
    extra_columns: list[str] = field(default_factory=list)
    read: bool = True  # False: the file exists but could not be read (see the problems)
    sheet: str | None = None  # the sheet read from a workbook


@dataclass
class Dataset:
    """One typed, validated DataFrame per table; an absent table is ``None``."""

    customers: pd.DataFrame
    subscriptions: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    tickets: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    goals: pd.DataFrame | None = None
    support_costs: pd.DataFrame | None = None
    tz: str = "Asia/Tokyo"
    path: str = ""
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    ignored_files: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, in the canonical order."""
        return {n: getattr(self, n) for n in TABLE_ORDER if getattr(self, n) is not None}

    def require(self, *names: str) -> None:
        """Raise a clear :class:`DataError` if a table a notebook needs is absent."""
        missing = [n for n in names if getattr(self, n) is None]
        if missing:
            raise DataError([
                Problem(n, f"{n}.csv", f"the table '{n}' is needed here but was not found",
                        f"put a file named {n}.csv (or .xlsx/.parquet) in {self.path or 'the data folder'}")
                for n in missing
            ], source=self.path)

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}={len(df):,} rows" for n, df in self.tables().items())
        return f"Dataset({self.path!r}, tz={self.tz!r}: {parts})"


# --------------------------------------------------------------------------------------
# small helpers

def _letter(j: int) -> str:
    """Spreadsheet column letter of the 0-based column ``j`` (0 → A, 26 → AA)."""
    out, j = "", j + 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _fold(name: str) -> str:
    """A name folded for comparison: NFKC, case, spaces and punctuation ignored."""
    return re.sub(r"[\s_\-・.()（）]", "", unicodedata.normalize("NFKC", name).casefold())


def _norm_file(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------------------
# mapping

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
    try:
        return yaml.load(text.lstrip("\ufeff"), Loader=_yaml_loader())  # a text-only loader: no tags, no objects
    except yaml.YAMLError as exc:
        raise _mapping_error(label, f"the mapping is not valid YAML ({exc})") from None
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
    """The mapping as ``{table: {file?, sheet?, columns: {str: str}, values: {col: {str: str|None}}}}``."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _mapping_error(label, f"the mapping must map table names to their settings; it holds {_kind_of(data)}")
    problems: list[Problem] = []

    def bad(table: str, message: str, fix: str = _MAPPING_FIX) -> None:
        problems.append(Problem(table, label, message, fix))

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
        unknown = [str(k) for k in spec if k not in ("file", "sheet", "columns", "values")]
        if unknown:
            bad(name, f"{name}: unknown key {', '.join(map(repr, unknown))}; each table's mapping takes the keys "
                      "file, sheet, columns, values")
        clean: dict[str, Any] = {"columns": {}, "values": {}}
        for key in ("file", "sheet"):
            if key in spec:
                v = spec[key]
                if not isinstance(v, (str, int)) or isinstance(v, bool) or str(v).strip() == "":
                    bad(name, f"{name}: {key}: must be one {'file name' if key == 'file' else 'sheet name'}; "
                              f"it holds {_kind_of(v)}")
                else:
                    clean[key] = str(v).strip()
        cols = spec.get("columns")
        if cols not in (None, ""):
            if not isinstance(cols, dict):
                bad(name, f"{name}: columns: must map your column names to canonical ones (your name: "
                          f"canonical name), one per line; it holds {_kind_of(cols)}")
            else:
                for k, v in cols.items():
                    try:
                        k_s = _scalar(k)
                    except TypeError:
                        k_s = None
                    if k_s is None or not isinstance(v, str) or not v.strip():
                        bad(name, f"{name}: columns: {k!r} must map to one canonical column name; it maps to "
                                  f"{_kind_of(v)}", f"write it as `{k}: <one of {', '.join(t.names)}>`")
                        continue
                    clean["columns"][k_s.strip()] = v.strip()
        vals = spec.get("values")
        if vals not in (None, ""):
            if not isinstance(vals, dict):
                bad(name, f"{name}: values: must map canonical column names to their value mappings "
                          f"(column: {{your value: canonical value}}); it holds {_kind_of(vals)}")
            else:
                for col, vm in vals.items():
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
                            bad(name, f"{name}: values: {col}: {k!r} must map to one value; it maps to "
                                      f"{_kind_of(v)}")
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


# --------------------------------------------------------------------------------------
# finding files

@dataclass(frozen=True)
class _Entry:
    name: str
    path: Path
    kind: str  # file, dir, dangling (a link to nothing), special (fifo, socket, device)


def _entry(path: Path) -> _Entry:
    if path.is_file():
        kind = "file"
    elif path.is_dir():
        kind = "dir"
    elif path.is_symlink():
        kind = "dangling"
    elif path.exists():
        kind = "special"
    else:
        kind = "missing"
    return _Entry(path.name, path, kind)


def _list_folder(folder: Path) -> list[_Entry]:
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise DataError([Problem("data", str(folder), f"the data folder could not be read ({type(exc).__name__}: "
                                 f"{exc.strerror or exc})", "check the folder's permissions")],
                        source=str(folder)) from None
    return [_entry(folder / n) for n in names]


def _find_file(folder: Path, entries: list[_Entry], name: str, spec: dict) -> tuple[_Entry | None, list[_Entry]]:
    """The entry holding table ``name`` (and any other entries that could hold it)."""
    if spec.get("file"):
        want = spec["file"]
        if Path(want).name != want:  # a path below the folder
            e = _entry(folder / want)
            return (e if e.kind != "missing" else None), []
        same = [e for e in entries if e.name == want] or [e for e in entries if _norm_file(e.name) == _norm_file(want)]
        return (same[0] if same else None), same[1:]
    wanted = {_norm_file(name + ext): i for i, ext in enumerate(EXTENSIONS)}
    found = [e for e in entries if _norm_file(e.name) in wanted]
    found.sort(key=lambda e: (wanted[_norm_file(e.name)], e.name != name + Path(e.name).suffix.lower()))
    return (found[0] if found else None), found[1:]


def _near_misses(name: str, entries: list[_Entry], taken: set[str]) -> list[_Entry]:
    """Files that look meant for table ``name``: ``ticket.csv``, ``tickets_2026-10.csv``, ``tickets.json``."""
    out = []
    for e in entries:
        if e.name in taken or e.name.startswith((".", "~$")) or e.kind == "dir":
            continue
        stem = _norm_file(e.name).split(".")[0]
        if (stem.startswith(name) or (name.startswith(stem) and len(name) - len(stem) <= 2 and len(stem) >= 3)
                or difflib.SequenceMatcher(None, stem, name).ratio() >= 0.8):
            out.append(e)
    return out


# --------------------------------------------------------------------------------------
# reading files

def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _read_excel(path: Path, t: Table, sheet: str | None, problems: list[Problem]) -> tuple[pd.DataFrame | None,
                                                                                           str | None]:
    fname = path.name
    try:  # corrupt files raise many kinds of errors (BadZipFile, KeyError, XMLSyntaxError, …)
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    except Exception as exc:
        problems.append(Problem(t.name, fname, f"the workbook could not be read ({type(exc).__name__}: "
                                               f"{_short(str(exc), 200)})",
                                "export it again, or save the table as CSV"))
        return None, None
    names = [str(n) for n in sheets]
    grids = dict(zip(names, sheets.values(), strict=True))
    if not names:
        problems.append(Problem(t.name, fname, "the workbook has no sheets", "export the table again"))
        return None, None
    if sheet is not None:
        chosen = sheet if sheet in grids else next((n for n in names if n.casefold() == sheet.casefold()), None)
        if chosen is None:
            problems.append(Problem(t.name, fname, f"the workbook has no sheet named {sheet!r}; its sheets are: "
                                                   f"{', '.join(map(repr, names))}",
                                    f"name one of them in the mapping ({t.name}: sheet: …)"))
            return None, None
    else:
        chosen = names[0]
    grid = grids[chosen]
    filled = grid.notna().to_numpy().any(axis=1) if grid.size else np.zeros(len(grid), bool)
    if not filled.any():
        problems.append(Problem(t.name, fname, f"the sheet {chosen!r} is empty: not even a header row",
                                "put the table on the first sheet, starting at cell A1 with its header row, "
                                f"or name the sheet that holds it in a mapping ({t.name}: sheet: …)"))
        return None, chosen
    if not filled[0]:
        first = int(np.argmax(filled))
        problems.append(Problem(t.name, fname, f"the table on sheet {chosen!r} starts on row {first + 1}, not row 1: "
                                               "the rows above it are empty",
                                "delete the empty rows above the header, so that the header is row 1"))
        return None, chosen
    header = [_cell_text(v).strip() for v in grid.iloc[0]]
    df = grid.iloc[1:].reset_index(drop=True)
    df.columns = header
    if sheet is None:
        extra = []
        for n in names[1:]:
            g = grids[n]
            rows = int(g.notna().to_numpy().any(axis=1).sum()) if g.size else 0
            if rows:
                same = len(g.columns) == len(header) and [_cell_text(v).strip() for v in g.iloc[0]] == header
                rows -= int(same)
                extra.append(f"{n!r} ({rows:,} row{'s' if rows != 1 else ''}"
                             f"{' under the same header' if same else ''})")
        if extra:
            problems.append(Problem(
                t.name, fname, f"the workbook has other sheets with data, which are not read: {', '.join(extra)}; "
                f"only the first sheet, {chosen!r}, is read",
                "keep one table per file: move these rows onto the first sheet, or save the table as CSV "
                "(no row limit); if the other sheets hold something else (notes, pivots), name the sheet to "
                f"read in a mapping ({t.name}: sheet: {chosen})"))
            return None, chosen
    return df, chosen


def _read_text(raw: bytes, path: Path, t: Table, problems: list[Problem]) -> tuple[pd.DataFrame | None, str | None]:
    fname = path.name
    if _BLANK.fullmatch(raw):
        problems.append(Problem(t.name, fname, "the file is empty: not even a header row",
                                "export the table again with its header row, or remove the file "
                                "if you do not use this table"))
        return None, None
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        text, enc = decode(raw)
    except MixedEncodingError as exc:
        n = len(exc.lines)
        problems.append(Problem(
            t.name, fname, f"the file mixes text encodings: most rows are {encoding_name(exc.encoding)}, but "
            f"{n} row{'s are' if n != 1 else ' is'} {encoding_name(exc.other)} (pasted from another export?)",
            n_rows=n, rows=exc.lines[:N_EXAMPLES], values=[_short(x) for x in exc.examples],
            fix="save the whole file in one encoding (UTF-8 is safest), e.g. export the table again in one "
                "piece, or re-type these rows"))
        return None, None
    except UnicodeError:
        problems.append(Problem(t.name, fname, "the text encoding could not be recognised",
                                "save it as UTF-8 (or cp932 / Shift_JIS) CSV"))
        return None, None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        lines = [(i, ln) for i, ln in enumerate(text.split("\n"), 1) if "\x00" in ln]
        problems.append(Problem(t.name, fname, "NUL characters (\\x00) inside values: the file is damaged or "
                                               "not a text export", n_rows=len(lines),
                                rows=[i for i, _ in lines[:N_EXAMPLES]],
                                values=[_short(ln.strip("\r")) for _, ln in lines[:N_EXAMPLES]],
                                fix="export the table again; if these rows were pasted from another tool, "
                                    "delete the NUL characters"))
        return None, enc
    label = _DELIMITER_NAMES[sep]
    if _FAST and enc not in ("utf-8", "utf-8-sig"):  # cp932 and the like: Arrow reads the text as UTF-8
        fast = _arrow_csv(text.encode("utf-8"), sep)
        if fast is not None:
            return fast, enc
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                         na_values=[""], skipinitialspace=False)
    except (ValueError, csv.Error, OverflowError) as exc:  # ParserError and EmptyDataError are ValueErrors
        problems.append(Problem(t.name, fname, f"the file is not a well-formed CSV ({_short(str(exc).strip(), 200)})",
                                f"check for unquoted {label}s or line breaks inside values; quote "
                                "such values, or re-export with quoting on"))
        return None, enc
    if not isinstance(df.index, pd.RangeIndex):  # pandas took the first value(s) of each row as an index
        extra = df.index.nlevels
        if extra == 1 and len(df.columns) and df.iloc[:, -1].isna().all():
            msg = (f"the data rows end with an extra {label} (a trailing delimiter): they have one value more "
                   f"than the header has names ({len(df.columns)}), which would shift every column by one")
            fix = f"remove the {label} at the end of each data row, or export the table again"
        else:
            msg = (f"the data rows have {'one value' if extra == 1 else f'{extra} values'} more than the header "
                   f"has names ({len(df.columns)}): a header cell is missing, or values hold unquoted {label}s")
            fix = f"give every column a name in the header row, and quote values that contain a {label}"
        problems.append(Problem(t.name, fname, msg, fix))
        return None, enc
    header = None
    try:
        for row in csv.reader(io.StringIO(text[:65536]), delimiter=sep):  # the header, as written
            if any(cell.strip() for cell in row):
                header = row
                break
    except csv.Error:
        pass
    if header is not None and len(header) == len(df.columns):
        df.columns = [h.strip() for h in header]  # as written: pandas renames a repeated "score" to "score.1"
    else:
        df.columns = [str(c).strip() for c in df.columns]
    if len(df.columns) == 1:
        first = text.splitlines()[0]
        for bad, name in (("\t", "tab"), (";", "semicolon"), ("|", "vertical bar")):
            if bad in first and bad != sep:
                problems.append(Problem(
                    t.name, fname,
                    f"the header is one column holding {name}s ({_short(first)!r}): the file is "
                    f"{name}-separated, not {label}-separated",
                    "save it as comma-separated CSV, or (for tabs) name the file "
                    f"{t.name}.tsv"))
                return None, enc
    return df, enc


def _arrow_file(path: Path, sep: str) -> tuple[pd.DataFrame, str] | None:
    """``(frame, encoding)`` of a well-formed UTF-8 CSV file, read by Arrow from disk (see :func:`_arrow_csv`).

    The bytes are never held in memory whole. Arrow validates the UTF-8 (so the encoding is what
    :func:`csa.encoding.detect_encoding` would say); a file in another encoding, one holding NUL
    characters (UTF-16 without a byte-order mark, a damaged file) or anything unusual gives
    ``None``, and the careful path reads it.
    """
    import pyarrow as pa

    with open(path, "rb") as fh:
        start = fh.read(3)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    bom = start == codecs.BOM_UTF8
    with pa.OSFile(str(path)) as fh:
        if bom:
            fh.seek(3)
        df = _arrow_csv(fh, sep)
    if df is None or _has_nul(df):
        return None
    return df, "utf-8-sig" if bom else "utf-8"


def _has_nul(df: pd.DataFrame) -> bool:
    """True if a NUL byte is anywhere in the character data of the frame's (Arrow) text columns."""
    for c in df.columns:
        for chunk in df[c].array.__arrow_array__().chunks:
            data = chunk.buffers()[2]
            if data is not None and data.size and np.frombuffer(data, dtype=np.uint8).min() == 0:
                return True
    return False


def _arrow_csv(data, sep: str) -> pd.DataFrame | None:
    """The fast path of :func:`_read_text`: Arrow's multi-threaded CSV reader, every column as text.

    Only for a well-formed file: a header of distinct, non-blank names on the first line and the
    same number of values on every row. Anything else (ragged rows, repeated or empty header
    names, blank lines before the header, a one-column file) returns ``None``, and the careful
    pandas path reads the file and names what is wrong. The frame is the one the pandas path
    gives: text columns (missing = empty cell), header names as written, stripped.
    """
    import pyarrow as pa
    from pyarrow import csv as pacsv

    if isinstance(data, (bytes, memoryview)):
        first = bytes(data[:65536])
    else:  # an Arrow file, read from where it stands
        at = data.tell()
        first = data.read(65536)
        data.seek(at)
    try:  # the first 64 KiB, strictly (a character cut at the end is left for later)
        head = codecs.getincrementaldecoder("utf-8")().decode(first, final=False)
    except UnicodeDecodeError:
        return None
    if not head or head[0] in "\r\n\ufeff" or "\x00" in head:
        return None
    try:
        header = next(csv.reader(io.StringIO(head), delimiter=sep))
    except (csv.Error, StopIteration):
        return None
    names = [h.strip() for h in header]
    if len(names) < 2 or len(set(names)) != len(names) or "" in names or any("\n" in h or "\r" in h for h in header):
        return None
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data) if isinstance(data, (bytes, memoryview)) else data,
            read_options=pacsv.ReadOptions(use_threads=True),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            # large strings: what pandas' str dtype holds, so the frame takes them without a copy
            convert_options=pacsv.ConvertOptions(column_types={h: pa.large_string() for h in header},
                                                 null_values=[""], strings_can_be_null=True,
                                                 quoted_strings_can_be_null=True))
    except (pa.ArrowException, ValueError):  # UnicodeDecodeError is a ValueError
        return None
    if table.column_names != header:
        return None
    df = table.to_pandas()
    df.columns = names
    return df


def _read_file(entry: _Entry, t: Table, spec: dict, problems: list[Problem]) -> tuple[pd.DataFrame | None,
                                                                                      str | None, str | None]:
    """Read a file as text columns (CSV) or as stored (Excel, parquet): ``(frame, encoding, sheet)``."""
    path, fname = entry.path, entry.name
    if entry.kind != "file":
        what = {"dangling": f"a link to {_readlink(path)}, which does not exist",
                "dir": "a folder, not a file", "special": "not a regular file (a pipe, socket or device)"}[entry.kind]
        fix = {"dangling": "copy the export itself into the folder, or point the link at an existing file",
               "dir": f"put the {t.name} export itself here (e.g. {t.name}.csv), not a folder"}.get(
            entry.kind, "copy the export into the folder as a plain file")
        problems.append(Problem(t.name, fname, f"{fname} is {what}", fix))
        return None, None, None
    ext = path.suffix.lower()
    try:
        if ext in (".xlsx", ".xls"):
            df, sheet = _read_excel(path, t, spec.get("sheet"), problems)
            return df, None, sheet
        if ext == ".parquet":
            try:
                return pd.read_parquet(path), None, None
            except Exception as exc:  # ArrowInvalid, OSError and friends
                problems.append(Problem(t.name, fname, f"the parquet file could not be read ({type(exc).__name__}: "
                                                       f"{_short(str(exc), 200)})", "export it again"))
                return None, None, None
        if _FAST and ext in (".csv", ".tsv", ".txt"):
            fast = _arrow_file(path, "\t" if ext == ".tsv" else ",")
            if fast is not None:
                return fast[0], fast[1], None
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(t.name, fname, f"the file could not be read ({type(exc).__name__}: "
                                               f"{exc.strerror or exc})",
                                "check that the file is readable (permissions, a file still being copied)"))
        return None, None, None
    df, enc = _read_text(raw, path, t, problems)
    return df, enc, None


def _readlink(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


# --------------------------------------------------------------------------------------
# normalisation and conversion, column by column

def _rownums(index: pd.Index) -> list[int]:
    return [int(i) + 2 for i in index[:N_EXAMPLES]]


def _examples(s: pd.Series, mask: pd.Series) -> tuple[int, list[int], list[object]]:
    bad = s[mask]
    return int(mask.sum()), _rownums(bad.index), [v for v in bad.iloc[:N_EXAMPLES].tolist()]


def _as_text(s: pd.Series) -> pd.Series:
    """Series of str (missing stays missing), whatever the source dtype."""
    if pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s):
        return s
    out = s.map(lambda v: v if v is None or isinstance(v, str) or (isinstance(v, float) and np.isnan(v))
                else (v.isoformat() if hasattr(v, "isoformat") else
                      (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))),
                na_action="ignore")
    return out.astype(object).where(out.notna(), None)


# Fast paths. A text column read from CSV is Arrow data; when a whole column is plainly what it
# should be (no surrounding spaces, ASCII digits, ISO timestamps, …), Arrow's compute kernels
# convert it in one pass. Each fast path answers only when it is sure to give exactly what the
# careful path below it gives, and returns ``None`` otherwise: values to clean, count or report
# always go through the careful path, so messages, counts and results are the same either way.

#: the fast paths on (``False``: every column takes the careful path; the tests compare the two)
_FAST = True
#: the characters Python's ``str.strip()`` removes (``str.isspace``)
_SPACES = [chr(c) for c in range(0x3001) if chr(c).isspace()]
_PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
_ISO_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
_ISO_AWARE = _ISO_TIME + r"(Z|[+-][0-9]{2}:?[0-9]{2})$"
_ISO_NAIVE = _ISO_TIME + "$"


def _arrow(s: pd.Series):
    """The Arrow strings behind a text Series (pandas' ``str`` dtype), else ``None``."""
    if not _FAST or not isinstance(s.dtype, pd.StringDtype) or s.dtype.storage != "pyarrow":
        return None
    import pyarrow as pa

    data = s.array.__arrow_array__()
    return data if pa.types.is_string(data.type) or pa.types.is_large_string(data.type) else None


def _every(values, pattern: str) -> bool:
    """True when every value present matches ``pattern`` (RE2 syntax)."""
    import pyarrow.compute as pc

    return bool(pc.all(pc.match_substring_regex(values, pattern), min_count=0).as_py())


def _plain_text(s: pd.Series, col: Column) -> bool:
    """True when normalising cannot change any value of ``s``: nothing to strip, no blank
    values and, unless the column is free text, ASCII only (nothing to fold)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = _arrow(s)
    if a is None or pc.any(pc.equal(pc.binary_length(a), 0), min_count=0).as_py():
        return False
    if pc.all(pc.string_is_ascii(a), min_count=0).as_py():
        trimmed = pc.ascii_trim(a, characters="".join(c for c in _SPACES if c.isascii()))
        return bool(pc.all(pc.equal(pc.binary_length(trimmed), pc.binary_length(a)), min_count=0).as_py())
    if col.kind != "text":  # full-width characters to fold, perhaps
        return False
    spaces = pa.array(_SPACES)
    return not any(pc.any(pc.is_in(end, value_set=spaces), min_count=0).as_py()
                   for end in (pc.utf8_slice_codeunits(a, 0, 1), pc.utf8_slice_codeunits(a, -1, 2**31 - 1)))


def _fast_number(text: pd.Series) -> pd.Series | None:
    """Plain decimal numbers (``-12``, ``3.50``) as float64; ``None`` if any value is written otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = _arrow(text)
    if a is None or not _every(a, _PLAIN_NUMBER):
        return None
    try:
        num = pc.cast(a, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(num.to_numpy(), index=text.index, dtype="float64")


def _fast_datetime(text: pd.Series, col: Column, tz: str, counts: Counter) -> pd.Series | None:
    """ISO 8601 timestamps, all with a UTC offset or all without, converted by Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = _arrow(text)
    if a is None or a.null_count == len(a):
        return None
    aware = _offsets(a)
    if aware is None:
        aware = _every(a, _ISO_AWARE)
        if not aware and not _every(a, _ISO_NAIVE):
            return None
    try:  # impossible dates and times, and years outside 1678–2261, raise: the careful path names them
        ts = pc.cast(a, pa.timestamp("ns", "UTC" if aware else None))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    out = pd.Series(ts.to_numpy(), index=text.index)
    if aware:
        return out.dt.tz_localize("UTC").dt.tz_convert(tz).astype(f"datetime64[ns, {tz}]")
    local = out.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    n = int(out.notna().sum())
    if int(local.notna().sum()) != n:  # times that do not exist (or exist twice) in tz: the careful path
        return None
    counts[(col.name, f"no UTC offset: read as {tz} time")] += n
    return local.astype(f"datetime64[ns, {tz}]")


def _offsets(a) -> bool | None:
    """For timestamps all written ``YYYY-MM-DDThh:mm:ss`` and the same length: ``True`` if all end in a UTC
    offset, ``False`` if none has one; ``None`` otherwise (the patterns decide). Cheaper than a pattern
    over every value: the common case, one offset for all, is a suffix test (the parse checks the rest)."""
    import pyarrow.compute as pc

    low, high = pc.min_max(pc.binary_length(a)).values()
    if low.as_py() != high.as_py() or low.as_py() not in (19, 20, 24, 25):
        return None
    if low.as_py() == 19:
        return False
    first = pc.drop_null(a)[0].as_py()
    end = first[19:]  # the first value's offset: do all end so?
    if re.fullmatch(r"Z|[+-][0-9]{2}:?[0-9]{2}", end) and pc.all(pc.ends_with(a, end), min_count=0).as_py():
        return True
    return None


def _distinct_values(s: pd.Series) -> list | None:
    """The distinct values present in an Arrow text Series (``None`` for other Series)."""
    a = _arrow(s)
    if a is None:
        return None
    import pyarrow.compute as pc

    return pc.drop_null(pc.unique(a)).to_pylist()


def _via_uniques(text: pd.Series, convert) -> pd.Series:
    """``convert`` (a vectorised function of a Series of distinct values) applied to each row.

    For columns with few distinct values (months, dates, flags), many rows share the work.
    """
    if not _FAST:
        return convert(text)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    converted = convert(pd.Series(uniques, dtype=text.dtype))
    return pd.Series(converted.array.take(codes, allow_fill=True), index=text.index, name=text.name)


def _normalise_text(s: pd.Series, col: Column, counts: Counter) -> pd.Series:
    """Strip spaces everywhere; for non-free-text kinds also fold full-width forms (NFKC)."""
    s = _as_text(s)
    if _plain_text(s, col):
        return s
    present = s.notna()
    stripped = s.where(~present, s.str.strip())
    changed = present & (stripped != s)
    if changed.any():
        counts[(col.name, "surrounding spaces removed")] += int(changed.sum())
    blank = present & (stripped == "")
    if blank.any():
        counts[(col.name, "blank value read as missing")] += int(blank.sum())
        stripped = stripped.where(~blank, None)
    if col.kind == "text":
        return stripped
    present = stripped.notna()
    wide = present & stripped.str.contains(_NON_ASCII, na=False)
    if wide.any():
        uniques = stripped[wide].unique()  # each distinct value folded once
        folded = stripped[wide].map(dict(zip(uniques, [unicodedata.normalize("NFKC", v).strip() for v in uniques],
                                             strict=True)))
        n = int((folded != stripped[wide]).sum())
        if n:
            counts[(col.name, "full-width characters made half-width")] += n
        stripped = stripped.copy()
        stripped[wide] = folded
    return stripped


def _check_required(missing: pd.Series, s: pd.Series, col: Column, t: Table, fname: str,
                    problems: list[Problem]) -> None:
    if not col.nullable and missing.any():
        n, rows, _ = _examples(s, missing)
        problems.append(Problem(t.name, fname, "required value is missing", column=col.name,
                                n_rows=n, rows=rows,
                                fix=f"fill in {col.name} for these rows ({col.meaning})"))


def _apply_values(text: pd.Series, values_map: dict, col: Column, counts: Counter) -> pd.Series:
    """Rename values as the mapping says (keys compared after the same normalisation as the cells)."""
    norm = {}
    for k, v in values_map.items():
        k = k.strip()
        norm[k if col.kind == "text" else unicodedata.normalize("NFKC", k).strip()] = v
    hit = text.isin(list(norm))
    if not hit.any():
        return text
    counts[(col.name, "values renamed by the mapping")] += int(hit.sum())
    out = text.astype(object).copy()
    out[hit] = text[hit].map(norm)
    return out.where(out.notna(), None)


def _convert(s: pd.Series, col: Column, t: Table, fname: str, tz: str, counts: Counter,
             problems: list[Problem], values_map: dict | None) -> pd.Series:
    kind = col.kind
    # typed input (parquet, Excel) keeps its type where it already fits
    typed_number = kind in ("float", "int") and pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    typed_time = kind == "datetime" and pd.api.types.is_datetime64_any_dtype(s)
    typed_bool = kind == "bool" and pd.api.types.is_bool_dtype(s)
    if (typed_number or typed_time or typed_bool) and not values_map:
        _check_required(s.isna(), s, col, t, fname, problems)
        if typed_number:
            return _finish_number(s.astype("float64"), s.isna(), s, col, t, fname, problems)
        if typed_time:
            return _typed_datetime(s, col, t, fname, tz, counts, problems)
        return s.astype("boolean")

    if kind in ("float", "int", "datetime", "month") and not values_map:  # written plainly: nothing to normalise
        if kind == "month":
            a = _arrow(s)
            fast = (None if a is None or not _every(a, f"^{_MONTH.pattern}$") else
                    _via_uniques(s, lambda u: pd.to_datetime(u + "-01", format="%Y-%m-%d")).dt.to_period("M"))
        else:
            fast = _fast_datetime(s, col, tz, counts) if kind == "datetime" else _fast_number(s)
        if fast is not None:
            missing = s.isna()
            _check_required(missing, s, col, t, fname, problems)
            return fast if kind in ("datetime", "month") else _finish_number(fast, missing, s, col, t, fname,
                                                                              problems)

    raw = _as_text(s)  # examples in messages show the value as it is in the file
    text = _normalise_text(s, col, counts)
    if values_map:
        text = _apply_values(text, values_map, col, counts)
    missing = text.isna()
    _check_required(missing, text, col, t, fname, problems)

    if kind in ("id", "text"):
        return text.astype("str")  # pandas ≥ 3: missing values stay missing
    if kind == "category":
        distinct = _distinct_values(text)
        if distinct is not None and all(  # nothing to fold and nothing outside the allowed values
                v.lower() == v or (not col.closed and v.lower() not in (col.known or ())) for v in distinct) and (
                not col.closed or all(v in col.allowed for v in distinct)):
            return text
        if not col.closed:  # the user's own values: kept as written; known ones matched without case
            if col.known:
                lower = text.str.lower()
                folded = ~missing & (lower != text) & lower.isin(col.known)
                if folded.any():
                    counts[(col.name, "upper case made lower case")] += int(folded.sum())
                    text = text.where(~folded, lower)
            return text.astype("str")
        lower = text.str.lower()
        folded = ~missing & (lower != text)
        if folded.any():
            counts[(col.name, "upper case made lower case")] += int(folded.sum())
        bad = ~missing & ~lower.isin(col.allowed)
        if bad.any():
            n, rows, vals = _examples(raw, bad)
            problems.append(Problem(t.name, fname, f"value not allowed; allowed: {', '.join(col.allowed)}",
                                    column=col.name, n_rows=n, rows=rows, values=vals,
                                    fix="correct these values, or map your export's values in a "
                                        "mapping file (values:) — see data/README.md"))
        return lower.astype("str")
    if kind in ("float", "int"):
        num = _fast_number(text)
        if num is not None:
            return _finish_number(num, missing, raw, col, t, fname, problems)
        cleaned = text
        if kind == "float":
            has_sep = ~missing & text.str.contains(r"^[¥\\$]?-?[\d,]+(?:\.\d+)?円?$", regex=True, na=False) \
                & text.str.contains(r"[,¥\\$円]", regex=True, na=False)
            if has_sep.any():
                counts[(col.name, "thousands separators / currency signs removed")] += int(has_sep.sum())
                cleaned = text.where(~has_sep, text.str.replace(r"[,¥\\$円]", "", regex=True))
        num = pd.to_numeric(cleaned, errors="coerce").astype("float64")
        return _finish_number(num, missing, raw, col, t, fname, problems)
    if kind == "bool":
        distinct = _distinct_values(text)
        if distinct is not None and all(v in _TRUE or v in _FALSE for v in distinct):
            import pyarrow as pa
            import pyarrow.compute as pc

            a = _arrow(text)
            yes = pc.is_in(a, value_set=pa.array([v for v in distinct if v in _TRUE], pa.large_string()))
            return pd.Series(pd.arrays.BooleanArray(yes.to_numpy(zero_copy_only=False).astype(bool),
                                                    a.is_null().to_numpy(zero_copy_only=False).astype(bool)),
                             index=text.index)
        low = text.str.lower()
        out = pd.Series(pd.NA, index=text.index, dtype="boolean")
        out[low.isin(_TRUE)] = True
        out[low.isin(_FALSE)] = False
        bad = ~missing & out.isna()
        if bad.any():
            n, rows, vals = _examples(raw, bad)
            problems.append(Problem(t.name, fname, "not a true/false value", column=col.name,
                                    n_rows=n, rows=rows, values=vals,
                                    fix="use true/false (1/0, yes/no and はい/いいえ are accepted too)"))
        return out
    if kind == "datetime":
        fast = _fast_datetime(text, col, tz, counts)
        return fast if fast is not None else _parse_datetime(text, missing, col, t, fname, tz, counts, problems, raw)
    if kind == "date":
        d = _via_uniques(text, lambda u: pd.to_datetime(u.str.slice(0, 10).str.replace("/", "-"), format="%Y-%m-%d",
                                                        errors="coerce"))
        bad = ~missing & d.isna()
        if bad.any():
            n, rows, vals = _examples(raw, bad)
            problems.append(Problem(t.name, fname, "not a valid date (YYYY-MM-DD)", column=col.name,
                                    n_rows=n, rows=rows, values=vals,
                                    fix="write dates as YYYY-MM-DD; check for impossible dates such as 02-30"))
        return d
    if kind == "month":
        ok = text.str.fullmatch(_MONTH, na=False)
        short = ~missing & ~ok & text.str.fullmatch(r"\d{4}[-/]\d{1,2}([-/]\d{1,2})?", na=False)
        if short.any():
            parts = text[short].str.split(r"[-/]", regex=True)
            fixed = parts.str[0] + "-" + parts.str[1].str.zfill(2)
            text = text.copy()
            text[short] = fixed
            counts[(col.name, "month written as YYYY-MM")] += int(short.sum())
            ok = text.str.fullmatch(_MONTH, na=False)
        months = _via_uniques(text.where(ok, None), lambda u: pd.to_datetime(u + "-01", format="%Y-%m-%d",
                                                                          errors="coerce"))
        bad = ~missing & months.isna()
        if bad.any():
            n, rows, vals = _examples(raw, bad)
            problems.append(Problem(t.name, fname, "not a month (YYYY-MM)", column=col.name,
                                    n_rows=n, rows=rows, values=vals, fix="write months as YYYY-MM, e.g. 2026-10"))
        return months.dt.to_period("M")
    raise AssertionError(kind)


def _finish_number(num: pd.Series, missing: pd.Series, shown: pd.Series, col: Column, t: Table,
                   fname: str, problems: list[Problem]) -> pd.Series:
    infinite = np.isinf(num)
    bad = ~missing & (num.isna() | infinite)
    if bad.any():
        n, rows, vals = _examples(shown, bad)
        problems.append(Problem(t.name, fname, "not a number", column=col.name, n_rows=n, rows=rows,
                                values=vals, fix="write plain numbers (digits, optional decimal point)"))
    if infinite.any():
        num = num.where(~infinite)
    ok = num.notna()
    if col.kind == "int":
        frac = ok & (num % 1 != 0)
        if frac.any():
            n, rows, vals = _examples(shown, frac)
            problems.append(Problem(t.name, fname, "not a whole number", column=col.name, n_rows=n,
                                    rows=rows, values=vals, fix="use whole numbers"))
        huge = ok & ~frac & (num.abs() > 2**53)
        if huge.any():
            n, rows, vals = _examples(shown, huge)
            problems.append(Problem(t.name, fname, "number too large to be a count or a score", column=col.name,
                                    n_rows=n, rows=rows, values=vals, fix="correct these values"))
        ok = ok & ~frac & ~huge
    if col.min is not None:
        low = ok & ((num <= col.min) if col.min_exclusive else (num < col.min))
        if low.any():
            n, rows, vals = _examples(shown, low)
            what = ("negative" if col.min == 0 and not col.min_exclusive
                    else f"{'≤' if col.min_exclusive else '<'} {col.min:g}")
            must = f" (must be > {col.min:g})" if col.min_exclusive else ""
            problems.append(Problem(t.name, fname, f"value is {what}" + must,
                                    column=col.name, n_rows=n, rows=rows, values=vals,
                                    fix=f"{col.name} must be {'>' if col.min_exclusive else '≥'} {col.min:g}"
                                        + (f" and ≤ {col.max:g}" if col.max is not None else "")
                                        + ("; credit notes and refunds belong in their own table"
                                           if col.unit == "JPY" else "")))
    if col.max is not None:
        high = ok & (num > col.max)
        if high.any():
            n, rows, vals = _examples(shown, high)
            hint = " (a percentage? write 0.78, not 78)" if col.max == 1 else ""
            problems.append(Problem(t.name, fname, f"value is above {col.max:g}{hint}", column=col.name,
                                    n_rows=n, rows=rows, values=vals,
                                    fix=f"{col.name} must lie between {col.min:g} and {col.max:g}"))
    if col.kind == "int":
        return num.where(ok).astype("Int64")
    return num


def _far(ts: pd.Series) -> pd.Series:
    """Timestamps pandas cannot hold in nanoseconds (years before 1678 or after 2261)."""
    tz = getattr(ts.dt, "tz", None)
    low, high = (_NS_LOW.tz_localize("UTC"), _NS_HIGH.tz_localize("UTC")) if tz is not None else (_NS_LOW, _NS_HIGH)
    if not ts.notna().any() or (ts.min() >= low and ts.max() <= high):
        return pd.Series(False, index=ts.index)
    return ts.notna() & ((ts < low) | (ts > high))


def _far_problem(far: pd.Series, shown: pd.Series, col: Column, t: Table, fname: str,
                 problems: list[Problem]) -> None:
    if far.any():
        n, rows, vals = _examples(shown, far)
        problems.append(Problem(t.name, fname, "timestamp far outside any plausible range (year before 1678 or "
                                               "after 2261)", column=col.name, n_rows=n, rows=rows, values=vals,
                                fix="correct the year (a typo such as 2300 for 2030, or a placeholder date?)"))


def _typed_datetime(s: pd.Series, col: Column, t: Table, fname: str, tz: str, counts: Counter,
                    problems: list[Problem]) -> pd.Series:
    far = _far(s)
    _far_problem(far, s.astype(str), col, t, fname, problems)
    s = s.where(~far)
    if getattr(s.dt, "tz", None) is None:
        counts[(col.name, f"no UTC offset: read as {tz} time")] += int(s.notna().sum())
        s = s.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    else:
        s = s.dt.tz_convert(tz)
    return s.astype(f"datetime64[ns, {tz}]")


def _to_datetime(s: pd.Series, utc: bool = False) -> pd.Series:
    """``pd.to_datetime(format="ISO8601", errors="coerce")`` that never raises.

    ``utc=False`` may still return tz-aware values when every value carries an offset the
    offset pattern did not see (``+09``); a value that cannot be taken, or a mix of such
    values with offset-free ones, is NaT (and then listed as unparseable).
    """
    try:
        out = pd.to_datetime(s, format="ISO8601", errors="coerce", utc=utc)
        if pd.api.types.is_datetime64_any_dtype(out):
            return out
    except (ValueError, OverflowError, TypeError):
        pass

    def one(v):
        try:
            ts = pd.to_datetime(v, format="ISO8601", utc=utc)
        except (ValueError, OverflowError, TypeError):
            return pd.NaT
        return pd.NaT if not utc and ts is not pd.NaT and ts.tzinfo is not None else ts

    return pd.Series([one(v) for v in s], index=s.index, dtype="datetime64[us, UTC]" if utc else "datetime64[us]")


def _parse_datetime(text: pd.Series, missing: pd.Series, col: Column, t: Table, fname: str, tz: str,
                    counts: Counter, problems: list[Problem], raw: pd.Series) -> pd.Series:
    present = text[~missing]
    iso = present
    slashed = present.str.contains("/", regex=False)
    if slashed.any():  # 2026/10/1 9:05 (Japanese Excel) → 2026-10-01 09:05
        fixed = present[slashed].str.replace(
            r"^(\d{4})/(\d{1,2})/(\d{1,2})", lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", regex=True)
        iso = present.copy()
        iso[slashed] = fixed.str.replace(r"(\d) (\d):", r"\1 0\2:", regex=True)
    has_off = iso.str.contains(_OFFSET, na=False)
    out = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[ns, {tz}]")
    far = pd.Series(False, index=text.index)
    if has_off.any():
        aware = _to_datetime(iso[has_off], utc=True)
        f = _far(aware)
        far[f.index] = f
        held = aware.where(~f)
        out[held.index] = held.dt.tz_convert(tz).astype(f"datetime64[ns, {tz}]")
    naive_idx = iso.index[~has_off]
    if len(naive_idx):
        naive = _to_datetime(iso[~has_off])
        if getattr(naive.dt, "tz", None) is not None:  # offsets written "+09": instants after all
            f = _far(naive)
            far[f.index] = f
            held = naive.where(~f)
            out[held.index] = held.dt.tz_convert(tz).astype(f"datetime64[ns, {tz}]")
            naive = naive.iloc[:0].dt.tz_localize(None)
        f = _far(naive)
        far[f.index] = f
        ok = naive.notna() & ~f
        if ok.any():
            counts[(col.name, f"no UTC offset: read as {tz} time")] += int(ok.sum())
            local = naive[ok].dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
            out[local.index] = local.astype(f"datetime64[ns, {tz}]")
    _far_problem(far, raw, col, t, fname, problems)
    bad = ~missing & out.isna() & ~far
    if bad.any():
        n, rows, vals = _examples(raw, bad)
        problems.append(Problem(t.name, fname, "unparseable or impossible timestamp", column=col.name,
                                n_rows=n, rows=rows, values=vals,
                                fix="write ISO 8601 timestamps with an offset, e.g. 2026-10-01T09:30:00+09:00; "
                                    "check for impossible dates such as 02-30 or 25:00"))
    return out


# --------------------------------------------------------------------------------------
# table- and dataset-level rules

def _check_table(df: pd.DataFrame, raw: pd.DataFrame, t: Table, fname: str, problems: list[Problem]) -> None:
    if t.key and t.key in df and not _distinct(df[t.key]):
        dup = df[t.key].notna() & df[t.key].duplicated(keep=False)
        if dup.any():
            n, rows, vals = _examples(df[t.key], dup)
            n_ids = df.loc[dup, t.key].nunique()
            problems.append(Problem(t.name, fname, f"duplicate {t.key} ({n_ids} ids occur more than once)",
                                    column=t.key, n_rows=n, rows=rows, values=vals,
                                    fix=f"{t.key} must be unique: remove repeated rows or fix the ids"))
    if t.name == "tickets":
        for c in ("first_response_at", "resolved_at"):
            before = df[c].notna() & df["created_at"].notna() & (df[c] < df["created_at"])
            if before.any():
                n, rows, vals = _examples(raw[c] if c in raw else df[c], before)
                problems.append(Problem(t.name, fname, f"{c} is before created_at", column=c, n_rows=n,
                                        rows=rows, values=vals,
                                        fix="check the export's time zone settings (all timestamps should carry "
                                            "the same offset), or correct these rows"))
    if t.name == "surveys" and "score" in df and "survey" in df:
        for survey, (lo, hi) in SURVEY_SCALES.items():
            m = (df["survey"] == survey) & df["score"].notna() & ((df["score"] < lo) | (df["score"] > hi))
            if m.any():
                n, rows, vals = _examples(raw["score"] if "score" in raw else df["score"], m.fillna(False))
                problems.append(Problem(t.name, fname, f"{survey.upper()} score outside its scale {lo}–{hi}",
                                        column="score", n_rows=n, rows=rows, values=vals,
                                        fix=f"{survey.upper()} scores run from {lo} to {hi}; check the survey "
                                            "column, or rescale the export (e.g. a 1–10 scale is not NPS)"))


def _distinct(s: pd.Series) -> bool:
    """True when no value present occurs twice (by Arrow's hash count; ``False``: look closer)."""
    a = _arrow(s)
    if a is None:
        return False
    import pyarrow.compute as pc

    if a.null_count == 0 and len(a) > 1 and pc.all(pc.greater(a[1:], a[:-1])).as_py():
        return True  # ids in increasing order (as exports list them): distinct, without hashing
    return len(pc.unique(a)) - (a.null_count > 0) == len(a) - a.null_count


def _isin(s: pd.Series, values: pd.Series) -> pd.Series:
    """``s.isin(values)`` by hashing (pandas' isin on arrow strings is slow for many values)."""
    a, v = _arrow(s), _arrow(values)
    if a is not None and v is not None:
        import pyarrow.compute as pc

        found = pc.is_in(a, value_set=v.combine_chunks())  # the set is hashed once, repeats and all
        return pd.Series(found.to_numpy(zero_copy_only=False).astype(bool), index=s.index)
    index = pd.Index(values.dropna().unique())
    return pd.Series(index.get_indexer(s) >= 0, index=s.index)


def _check_references(tables: dict[str, pd.DataFrame], sources: dict[str, SourceInfo], problems: list[Problem]) -> None:
    checks = [(name, "customer_id", "customers") for name, df in tables.items()
              if name != "customers" and "customer_id" in df]
    if "surveys" in tables and "tickets" in tables:
        checks.append(("surveys", "ticket_id", "tickets"))

    def unknown(check: tuple[str, str, str]) -> pd.Series:
        name, column, other = check
        s = tables[name][column]
        return s.notna() & ~_isin(s, tables[other][column])

    with ThreadPoolExecutor(max_workers=_threads()) as pool:  # each check hashes millions of ids
        found = list(pool.map(unknown, checks))
    for (name, column, _), bad in zip(checks, found, strict=True):
        if not bad.any():
            continue
        n, rows, vals = _examples(tables[name][column], bad)
        if column == "customer_id":
            problems.append(Problem(name, sources[name].file, "customer_id not found in customers",
                                    column="customer_id", n_rows=n, rows=rows, values=vals,
                                    fix="add these customers to the customers table, or check that both "
                                        "exports come from the same system and period"))
        else:
            problems.append(Problem("surveys", sources["surveys"].file, "ticket_id not found in tickets",
                                    column="ticket_id", n_rows=n, rows=rows, values=vals,
                                    fix="leave ticket_id empty for surveys not tied to a ticket, or export "
                                        "tickets covering the same period"))


def _months(s: pd.Series) -> np.ndarray:
    """Months since 1970-01 of the values present (timestamps: in business time, to the hour)."""
    s = s.dropna()
    if isinstance(s.dtype, pd.PeriodDtype):
        return s.array.asi8.astype(np.int64)
    if not len(s):
        return np.array([], np.int64)
    if getattr(s.dt, "tz", None) is not None:  # UTC instants shifted by the zone's offset (DST: an hour off)
        offset = s.iloc[len(s) // 2].utcoffset()
        values = s.array.asi8 + int(offset.total_seconds()) * 10**9
    else:
        values = s.to_numpy().astype("datetime64[ns]").view(np.int64)
    days = values // (86_400 * 10**9)  # days since 1970 (floored), then each distinct day's month from a table
    first = int(days.min())
    table = np.arange(first, int(days.max()) + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return table[days - first]


def _last_month(tables: dict[str, pd.DataFrame]) -> pd.Period | None:
    """The data's last month, robust to stray far-off dates.

    From the months of every table's time column (signup dates only when there is no other
    table): start at the median row's month and walk forward through the months that have rows,
    as long as the next one is no further away than the largest gap found between the 5th
    percentile and the median (+ 1, at most 13: monthly data tolerates one empty month, survey
    waves every six months tolerate six). A stray 2099 or a year typed one too high is left
    behind.
    """
    events = [_months(df[TIME_COLUMN[n]]) for n, df in tables.items() if n != "customers" and TIME_COLUMN[n] in df]
    codes = np.concatenate(events) if events else np.array([], np.int64)
    if not len(codes) and "customers" in tables:
        codes = _months(tables["customers"]["signup_date"])
    if not len(codes):
        return None
    codes = np.sort(codes)
    med = codes[(len(codes) - 1) // 2]
    q05 = codes[int(0.05 * (len(codes) - 1))]
    months = np.unique(codes)
    core = months[(months >= q05) & (months <= med)]
    allowed = min(int(np.diff(core).max()) + 1 if len(core) > 1 else 2, 13)
    i = int(np.searchsorted(months, med))
    while i + 1 < len(months) and months[i + 1] - months[i] <= allowed:
        i += 1
    return pd.Period(year=1970 + int(months[i]) // 12, month=int(months[i]) % 12 + 1, freq="M")


def _window(time_window) -> tuple[pd.Period, pd.Period | None]:
    """``time_window`` checked: ``(start, end)`` months; ``None`` keeps a default."""
    if time_window is None:
        time_window = (None, None)
    if not isinstance(time_window, (tuple, list)) or len(time_window) != 2:
        raise ValueError(f"time_window must be two months (start, end), e.g. ('1990-01', '2030-12'), or None for "
                         f"either default; got {time_window!r}")
    out = []
    for v, default in zip(time_window, (EARLIEST, None), strict=True):
        if v is None or (isinstance(v, str) and not v.strip()):
            out.append(pd.Period(default, "M") if default else None)
        elif isinstance(v, pd.Period):
            out.append(v.asfreq("M"))
        elif isinstance(v, str) and _MONTH.fullmatch(v.strip()):
            out.append(pd.Period(v.strip(), "M"))
        else:
            raise ValueError(f"time_window: {v!r} is not a month written YYYY-MM (e.g. '2030-12')")
    if out[1] is not None and out[1] < out[0]:
        raise ValueError(f"time_window: the end {out[1]} is before the start {out[0]}")
    return out[0], out[1]


def _ym(v) -> str:
    return str(v) if isinstance(v, pd.Period) else v.strftime("%Y-%m")


def _check_window(tables: dict[str, pd.DataFrame], sources: dict[str, SourceInfo], shown: dict, tz: str,
                  window: tuple[pd.Period, pd.Period | None], problems: list[Problem]
                  ) -> tuple[pd.Period, pd.Period | None, pd.Period | None]:
    """Dates before the window's start or after its end: ``(start, end, the data's last month)``."""
    start, end = window
    last = _last_month(tables) if end is None else None
    stop = end if end is not None else (last + 1 if last is not None else None)
    for name, df in tables.items():
        for col in TABLES[name].columns:
            if col.kind not in ("datetime", "date", "month") or col.name not in df:
                continue
            s = df[col.name]
            if not s.notna().any():
                continue
            if col.kind == "month":
                lo, hi = start, stop
                inside = s.min() >= lo and (hi is None or s.max() <= hi)
                if not inside:
                    early = s.notna() & (s < lo)
                    late = s.notna() & (s > hi) if hi is not None else None
            else:
                lo = start.start_time.as_unit("ns")
                hi = (stop + 1).start_time.as_unit("ns") if stop is not None else None
                if col.kind == "datetime":
                    lo, hi = lo.tz_localize(tz), (hi.tz_localize(tz) if hi is not None else None)
                inside = s.min() >= lo and (hi is None or s.max() < hi)
                if not inside:
                    early = s.notna() & (s < lo)
                    late = s.notna() & (s >= hi) if hi is not None else None
            if inside:
                continue
            examples = shown.get((name, col.name), s)
            fname = sources[name].file
            if early.any():
                n, rows, vals = _examples(examples, early)
                problems.append(Problem(
                    name, fname, f"dated before {start}, the start of the accepted dates"
                    + (" (a placeholder such as 1900-01-01, or a typo in the year?)" if str(start) == EARLIEST
                       else " (time_window)"),
                    column=col.name, n_rows=n, rows=rows, values=vals,
                    fix="correct these dates; if they are right, accept earlier dates with "
                        f"csa.load(…, time_window=(\"{_ym(s[early].min())}\", None))"))
            if late is not None and late.any():
                n, rows, vals = _examples(examples, late)
                why = (f"the data's last month is {last}, and dates more than a month later are not expected "
                       "(a typo in the year?)" if end is None else "the end of time_window")
                problems.append(Problem(
                    name, fname, f"dated after {stop}: {why}", column=col.name, n_rows=n, rows=rows, values=vals,
                    fix="correct these dates; if they are right, accept later dates with "
                        f"csa.load(…, time_window=(None, \"{_ym(s[late].max())}\"))"))
    return start, stop, last


# --------------------------------------------------------------------------------------
# one table

def _header_problems(raw: pd.DataFrame, t: Table, fname: str, info: SourceInfo,
                     problems: list[Problem]) -> pd.DataFrame | None:
    """Blank and repeated header names: an unnamed empty column is left out (counted), the rest are problems."""
    names = [_cell_text(c).strip() if not isinstance(c, str) else c.strip() for c in raw.columns]
    raw = raw.set_axis(names, axis=1)
    blank = [j for j, c in enumerate(names) if c == ""]
    keep = list(range(len(names)))
    for j in blank:
        col = raw.iloc[:, j]
        filled = col.notna() & (col.astype(str).str.strip() != "")
        if filled.any():
            n, rows, vals = _examples(col, filled)
            problems.append(Problem(t.name, fname, f"column {_letter(j)} has no name in the header but holds values",
                                    n_rows=n, rows=rows, values=vals,
                                    fix="give the column a name in the header row, or delete it"))
        else:
            info.normalizations[("(no name)", "empty column without a name left out")] += 1
        keep.remove(j)
    if blank:
        raw = raw.iloc[:, keep]
        names = [names[j] for j in keep]
    counts = Counter(names)
    repeated = [c for c, k in counts.items() if k > 1]
    for c in repeated:
        where = [_letter(j) for j, n in zip(keep, names, strict=True) if n == c]
        times = "twice" if len(where) == 2 else f"{len(where)} times"
        problems.append(Problem(t.name, fname, f"the header names the column {c!r} {times} (columns "
                                               f"{', '.join(where[:-1])} and {where[-1]})", column=c,
                                fix="keep one of them: delete the repeated column or give it its own name "
                                    "(csa does not guess which one holds the right values)"))
    return None if repeated else raw


def _look_alike(col: Column, candidates: list[str]) -> str | None:
    """The candidate column name that looks like ``col`` (case, width, spaces, a Japanese alias, a typo)."""
    target = {_fold(col.name), *(_fold(a) for a in col.aliases)}
    for c in candidates:
        if _fold(c) in target:
            return c
    for c in candidates:
        f = _fold(c)
        if len(f) >= 3 and difflib.SequenceMatcher(None, f, _fold(col.name)).ratio() >= 0.8:
            return c
    return None


def _load_table(entry: _Entry, t: Table, spec: dict, tz: str, problems: list[Problem], shown: dict
                ) -> tuple[pd.DataFrame | None, SourceInfo]:
    fname = entry.name
    fmt = entry.path.suffix.lstrip(".").lower()
    raw, enc, sheet = _read_file(entry, t, spec, problems)
    if raw is None:
        return None, SourceInfo(t.name, fname, fmt, enc, 0, read=False, sheet=sheet)
    raw = raw.reset_index(drop=True)
    info = SourceInfo(t.name, fname, fmt, enc, len(raw), sheet=sheet)
    raw = _header_problems(raw, t, fname, info, problems)
    if raw is None:
        return None, info
    # NUL characters in typed files (a CSV with one is refused whole, above)
    if fmt not in ("csv", "tsv", "txt"):
        for c in raw.columns:
            s = raw[c]
            if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
                nul = s.map(lambda v: isinstance(v, str) and "\x00" in v).astype(bool)
                if nul.any():
                    n, rows, vals = _examples(s, nul)
                    problems.append(Problem(t.name, fname, "NUL characters (\\x00) inside values", column=c,
                                            n_rows=n, rows=rows, values=vals,
                                            fix="delete the NUL characters, or export the table again"))
    # the mapping's column names
    colmap = spec.get("columns") or {}
    present = set(raw.columns)
    nfc = {unicodedata.normalize("NFC", c): c for c in raw.columns}
    rename, unmatched = {}, []
    for k, v in colmap.items():
        if k in present:
            rename[k] = v
        elif unicodedata.normalize("NFC", k) in nfc:
            rename[nfc[unicodedata.normalize("NFC", k)]] = v
        else:
            unmatched.append((k, v))
    kept = {k for k, v in colmap.items() if k == v}  # "コメント: コメント": keep this column as it is
    if rename:
        raw = raw.rename(columns=rename)
    for k, v in unmatched:
        if v not in raw.columns:
            problems.append(Problem(t.name, fname, f"the mapping renames {k!r} to {v}, but the file has no column "
                                                   f"{k!r}{_closest(k, sorted(present))}", column=v,
                                    fix="write the column name in the mapping exactly as the header has it, "
                                        "or remove the line"))
    dups = sorted({c for c in raw.columns if list(raw.columns).count(c) > 1})
    if dups:
        problems.append(Problem(t.name, fname, f"column names repeated after the mapping: {', '.join(dups)}",
                                fix="map one column to each name: check the mapping for two columns mapped to one, "
                                    "or a column mapped onto a name the file already has"))
        return None, info
    extras = [c for c in raw.columns if c not in t.names and c not in kept]
    missing = [c for c in t.required_names if c not in raw.columns]
    if missing:
        alike = {c: _look_alike(t.column(c), extras) for c in missing}
        hints = [f"{x!r} looks like {c}" for c, x in alike.items() if x]
        problems.append(Problem(
            t.name, fname, f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}; "
            + (f"{'; '.join(hints)}; " if hints else "")
            + f"the file has: {', '.join(map(str, raw.columns[:20]))}",
            column=missing[0],
            fix=("map them in a mapping file (columns: "
                 + ", ".join(f"{{{x}: {c}}}" for c, x in alike.items() if x) + "), or rename the columns"
                 if hints else
                 "rename your export's columns to the canonical names, or write a mapping file "
                 "(see data/mappings/ and data/README.md)")))
        return None, info
    for col in t.columns:
        if col.name not in raw.columns:
            x = _look_alike(col, extras)
            if x is not None:
                problems.append(Problem(
                    t.name, fname, f"the optional column {col.name} is absent, but the file has {x!r}, which "
                    f"looks like it: without a mapping, {col.name} would be read as empty", column=col.name,
                    fix=f"rename the column to {col.name} or map it (columns: {{{x}: {col.name}}}); if {x!r} holds "
                        f"something else, keep it as an extra column with columns: {{{x}: {x}}}"))
    out = {}
    values = spec.get("values") or {}
    for col in t.columns:
        if col.name not in raw:
            s = pd.Series(None, index=raw.index, dtype=object)
            out[col.name] = _convert(s, col, t, fname, tz, info.normalizations, problems, None)
            continue
        out[col.name] = _convert(raw[col.name], col, t, fname, tz, info.normalizations, problems,
                                 values.get(col.name))
        if col.kind in ("datetime", "date", "month"):
            shown[(t.name, col.name)] = raw[col.name]
    info.extra_columns = [c for c in raw.columns if c not in t.names]
    for c in info.extra_columns:
        out[c] = raw[c]
    df = pd.DataFrame(out, index=raw.index)
    _check_table(df, raw, t, fname, problems)
    return df, info


# --------------------------------------------------------------------------------------
# the folder

@dataclass
class CheckResult:
    """What :func:`inspect` found: the dataset (``None`` if unusable) and every problem."""

    path: str
    tz: str
    dataset: Dataset | None
    problems: list[Problem]
    sources: dict[str, SourceInfo]
    ignored_files: list[str]
    tables: dict[str, pd.DataFrame]
    #: the accepted dates: first and last month (``None``: no dates to bound), and the data's last month
    window: tuple[pd.Period | None, pd.Period | None] = (None, None)
    last_month: pd.Period | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.dataset is not None


def _check_tz(tz: str) -> str:
    try:
        pd.Timestamp(0).tz_localize(tz)
    except Exception:
        raise ValueError(f"tz: unknown time zone {tz!r}; use an IANA name such as 'Asia/Tokyo' or 'UTC'") from None
    return tz


def _size(entry: _Entry) -> int:
    try:
        return entry.path.stat().st_size
    except OSError:
        return 0


def _threads() -> int:
    """Tables read at once: one per core, at most four (memory grows with each)."""
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def inspect(path: str | os.PathLike, *, tz: str = "Asia/Tokyo", mapping: str | os.PathLike | dict | None = None,
            time_window: tuple[str | None, str | None] | None = None) -> CheckResult:
    """Read and check a data folder, returning every problem instead of raising.

    ``result.dataset`` is ``None`` when any problem was found. Parameters as :func:`load`.
    """
    with _returning_allocator():
        return _inspect(path, tz=tz, mapping=mapping, time_window=time_window)


@contextlib.contextmanager
def _returning_allocator() -> Iterator[None]:
    """While loading, Arrow allocates from jemalloc set to hand freed memory back at once.

    Arrow's default pool keeps freed memory for reuse, and loading frees a lot (the text of every
    converted column): measured on 404 MiB of CSV, peak 1.56 GiB → 1.26 GiB, and the memory held
    afterwards 1.43 GiB → 0.74 GiB (the dataset itself is 0.47 GiB). Buffers keep the pool they came
    from; the default pool is restored afterwards. Without jemalloc in pyarrow, nothing changes.
    """
    import pyarrow as pa

    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, pa.ArrowException):
        pool = None
    before = pa.default_memory_pool()
    if pool is not None:
        pa.set_memory_pool(pool)
    try:
        yield
    finally:
        if pool is not None:
            pa.set_memory_pool(before)


def _inspect(path: str | os.PathLike, *, tz: str, mapping, time_window) -> CheckResult:
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder} "
                                "(give the folder that holds customers.csv, tickets.csv, …)")
    _check_tz(tz)
    window = _window(time_window)
    spec = read_mapping(mapping)
    entries = _list_folder(folder)
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, SourceInfo] = {}
    shown: dict = {}
    found = {name: _find_file(folder, entries, name, spec.get(name, {})) for name in TABLE_ORDER}
    taken = {e.name for first, others in found.values() for e in ([first] if first else []) + others}
    segments: list[list[Problem]] = [problems]  # each table's problems, in the order of the tables
    loading: dict[str, Future] = {}
    todo: dict[str, tuple[_Entry, Table, dict, list[Problem]]] = {}
    pool = ThreadPoolExecutor(max_workers=_threads())  # Arrow and numpy work outside the GIL
    for name in TABLE_ORDER:
        t = TABLES[name]
        tspec = spec.get(name, {})
        entry, others = found[name]
        problems = []
        segments.append(problems)
        if others:
            problems.append(Problem(name, entry.name, f"more than one file for table '{name}': "
                                    f"{', '.join(e.name for e in [entry, *others])}",
                                    "keep exactly one file per table"))
        if entry is None:
            near = [] if tspec.get("file") else _near_misses(name, entries, taken)
            for e in near:
                taken.add(e.name)
                readable = e.kind == "file" and Path(e.name).suffix.lower() in EXTENSIONS
                problems.append(Problem(
                    name, e.name, f"no file is named {name}.csv (or .tsv, .xlsx, .parquet), but {e.name} looks like "
                    f"the {name} table: it is not read",
                    f"rename it to {name}{Path(e.name).suffix.lower() if readable else '.csv'}"
                    + ("" if readable else " (saved as CSV, Excel or parquet)")
                    + f", or name it in a mapping ({name}: file: {e.name}); if it holds something else, "
                      "move it out of the data folder"))
            if near:
                continue
            if t.required or name in spec:
                want = tspec.get("file") or f"{name}.csv"
                why = "is required" if t.required else "is named in the mapping"
                problems.append(Problem(name, want,
                                        f"the table '{name}' {why} but no file {want} was found in {folder}",
                                        f"export your {name} as {want} (or .xlsx/.parquet) into this folder"
                                        + ("" if t.required else f", or remove '{name}' from the mapping")))
            continue
        todo[name] = (entry, t, tspec, problems)
    for name in sorted(todo, key=lambda n: -_size(todo[n][0])):  # largest first: the threads finish together
        entry, t, tspec, table_problems = todo[name]
        loading[name] = pool.submit(_load_table, entry, t, tspec, tz, table_problems, shown)
    loading = {name: loading[name] for name in todo}  # back in the tables' order
    with pool, bar(len(loading), f"loading {folder.name or folder}", unit="table") as shown_progress:
        for _ in as_completed(loading.values()):
            shown_progress.update()
        for name, job in loading.items():
            df, info = job.result()
            sources[name] = info
            if df is not None:
                tables[name] = df
    problems = [p for segment in segments for p in segment]
    if "customers" in tables:
        _check_references(tables, sources, problems)
    start, stop, last = _check_window(tables, sources, shown, tz, window, problems)
    used = {info.file for info in sources.values()}
    ignored = sorted(e.name for e in entries if e.kind == "file" and e.name not in used
                     and not e.name.startswith(".") and Path(e.name).suffix.lower() in EXTENSIONS)
    ds = None
    if not problems and "customers" in tables:
        ds = Dataset(**tables, tz=tz, path=str(folder), sources=sources, ignored_files=ignored)
    return CheckResult(str(folder), tz, ds, problems, sources, ignored, tables, (start, stop), last)


def load(path: str | os.PathLike, *, tz: str = "Asia/Tokyo", mapping: str | os.PathLike | dict | None = None,
         time_window: tuple[str | None, str | None] | None = None) -> Dataset:
    """Load a folder of exports into a validated :class:`Dataset`.

    Parameters
    ----------
    path : folder holding one file per table (``customers.csv``, ``tickets.xlsx``, …; case does
        not matter). ``customers`` is required; the other tables are optional (absent → ``None``).
    tz : business time zone; timestamps are converted to it (periods are cut in it).
    mapping : YAML file or dict renaming an export's columns and values to the canonical
        ones, per table (see ``data/mappings/``), and naming a table's file or sheet.
    time_window : ``(start, end)`` months ``"YYYY-MM"``, inclusive: the dates accepted in every
        date column. ``None`` (or ``None`` for either end) keeps the default: from 2000-01 to one
        month after the data's last month (found from the rows themselves, robust to a few
        stray dates). A date outside is a problem, so a stray 2099 cannot become the latest
        period. Widen it for real data that reaches further, e.g. ``("1995-01", None)``.

    Raises
    ------
    DataError
        listing every problem found (file, column, rows, examples, how to fix).
    ValueError
        for a ``tz`` or ``time_window`` that cannot be used.

    Examples
    --------
    >>> ds = load("data/sample")  # from the repository's root
    >>> len(ds.customers), str(ds.tickets["created_at"].dt.tz), ds.goals is None
    (2000, 'Asia/Tokyo', False)
    """
    from .cache import fetch  # a report's validated dataset (only when CSA_DATASET_CACHE is set)

    hit = fetch(path, tz=tz, mapping=mapping, time_window=time_window)
    if hit is not None:
        return hit
    result = inspect(path, tz=tz, mapping=mapping, time_window=time_window)
    if result.problems:
        raise DataError(result.problems, source=str(path))
    return result.dataset
