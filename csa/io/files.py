"""Finding each table's file in a data folder and reading it: CSV and TSV (encoding detected), Excel
workbooks and Parquet files. A file that cannot be read as it is meant is a problem, never skipped.
Well-formed UTF-8 text files take the Arrow fast path of :mod:`csa.io.fast`.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..encoding import MixedEncodingError, decode, encoding_name
from ..errors import DataError, Problem
from ..schema import Table
from . import fast as _fast
from .examples import N_EXAMPLES, _short
from .fast import _arrow_csv, _arrow_file

__all__ = ["EXTENSIONS"]


EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")
_BLANK = re.compile(rb"[\r\n\t \xef\xbb\xbf]*")
_DELIMITER_NAMES = {",": "comma", "\t": "tab"}


def _norm_file(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


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


def _size(entry: _Entry) -> int:
    try:
        return entry.path.stat().st_size
    except OSError:
        return 0


def _threads() -> int:
    """Tables read at once: one per core, at most four (memory grows with each)."""
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


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
    if _fast._FAST and enc not in ("utf-8", "utf-8-sig"):  # cp932 and the like: Arrow reads the text as UTF-8
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
        if _fast._FAST and ext in (".csv", ".tsv", ".txt"):
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
