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


#: a stretch of a text file this long without a line break is refused before the file is parsed
LINE_MAX_BYTES = 16 << 20
#: a quoted value holding more line breaks than this is listed (a quote that swallowed rows?)
VALUE_MAX_LINES = 100
#: ... or longer than this many characters (and far longer than the column's other values)
VALUE_MAX_CHARS = 10_000
_CHUNK = 8 << 20
#: how the problems of rows counted against lines begin (``csa check`` marks their table's row count)
LINE_PROBLEMS = ("a quoted value spans", "the file has ", "line ")


@dataclass
class _Lines:
    """A text file's line breaks, counted in one pass over its bytes before it is parsed."""

    breaks: int  # "\n" characters
    last_open: bool  # the last line has no line break after it
    size: int

    @property
    def lines(self) -> int:
        return self.breaks + self.last_open


def _count_lines(path: Path) -> _Lines | int:
    """The file's :class:`_Lines`; or, when a stretch longer than :data:`LINE_MAX_BYTES` holds no line
    break, the (1-based) number of the line where it starts, read no further."""
    breaks, run, last = 0, 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            n = int(np.count_nonzero(np.frombuffer(chunk, np.uint8) == 10))  # numpy: twice bytes.count, no GIL
            if not n:
                run += len(chunk)
            else:
                if run + chunk.find(b"\n") > LINE_MAX_BYTES:
                    return breaks + 1
                run = len(chunk) - chunk.rfind(b"\n") - 1
            if run > LINE_MAX_BYTES:
                return breaks + 1
            breaks += n
            last = chunk[-1:]
        size = fh.tell()
    return _Lines(breaks, bool(last) and last != b"\n", size)


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
    elif path.exists():  # a device, pipe or socket (or a link to one, such as /dev/zero)
        kind = "special"
    elif path.is_symlink():
        kind = "dangling"
    else:
        kind = "missing"
    return _Entry(path.name, path, kind)


def _inside(folder: Path, path: Path) -> bool:
    """True when ``path``'s folder, links followed, is ``folder`` or below it."""
    try:
        return path.parent.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


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
            if not _inside(folder, folder / want):
                return _Entry(want, folder / want, "outside"), []
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


def _read_text(raw: bytes, path: Path, t: Table, problems: list[Problem],
               texts: list[str] | None = None) -> tuple[pd.DataFrame | None, str | None]:
    """The table of a text file's bytes (the decoded text appended to ``texts``)."""
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
    if texts is not None:
        texts.append(text)
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


def _read_file(entry: _Entry, t: Table, spec: dict, problems: list[Problem],
               warnings: list[Problem] | None = None) -> tuple[pd.DataFrame | None,
                                                                                      str | None, str | None]:
    """Read a file as text columns (CSV) or as stored (Excel, parquet): ``(frame, encoding, sheet)``."""
    path, fname = entry.path, entry.name
    if entry.kind != "file":
        special = "not a regular file (a pipe, socket or device" + (
            f": a link to {_readlink(path)})" if path.is_symlink() else ")")
        what = {"dangling": f"a link to {_readlink(path)}, which does not exist",
                "dir": "a folder, not a file", "special": special,
                "outside": "outside the data folder: the mapping's file: must name a file in the data folder "
                           "(or a folder below it)"}[entry.kind]
        fix = {"dangling": "copy the export itself into the folder, or point the link at an existing file",
               "dir": f"put the {t.name} export itself here (e.g. {t.name}.csv), not a folder",
               "outside": f"copy the export into the data folder and name it in the mapping ({t.name}: file: …)"}.get(
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
        counted = _count_lines(path)
        if isinstance(counted, int):
            size = path.stat().st_size
            problems.append(Problem(
                t.name, fname, f"line {counted:,} runs on for more than {LINE_MAX_BYTES >> 20} MB without a line "
                f"break (the file is {size / 1e6:,.1f} MB): not a table of one row per line, so it is not read",
                "export the table again as CSV (one row per line); if it is another kind of file, move it out of "
                "the data folder"))
            return None, None, None
        sep = "\t" if ext == ".tsv" else ","
        if _fast._FAST:
            fast = _arrow_file(path, sep)
            if fast is not None:
                _check_lines(fast[0], t, fname, sep, counted, lambda: _mapped(path), problems, warnings)
                return fast[0], fast[1], None
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(t.name, fname, f"the file could not be read ({type(exc).__name__}: "
                                               f"{exc.strerror or exc})",
                                "check that the file is readable (permissions, a file still being copied)"))
        return None, None, None
    texts: list[str] = []
    df, enc = _read_text(raw, path, t, problems, texts)
    if df is not None:
        text = texts[0] if texts else raw.decode("utf-8", "replace")
        lines = _Lines(text.count("\n"), bool(text) and not text.endswith("\n"), len(raw))
        _check_lines(df, t, fname, sep, lines, lambda: text, problems, warnings)
    return df, enc, None


def _mapped(path: Path):
    """The file's bytes, mapped (read by the system as they are used, not held in memory)."""
    import mmap

    with open(path, "rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(fh.fileno()).st_size else b""


def _breaks_of(s: pd.Series) -> np.ndarray:
    """The line breaks ("\n") in each value of a text column (0 for missing values)."""
    a = _fast._arrow(s) if _fast._FAST else None
    if a is not None:
        import pyarrow.compute as pc

        return pc.fill_null(pc.count_substring(a, "\n"), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    if not (pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s)):
        return np.zeros(len(s), np.int64)
    return s.map(lambda v: v.count("\n") if isinstance(v, str) else 0).to_numpy(dtype=np.int64)


def _check_lines(df: pd.DataFrame, t: Table, fname: str, sep: str, counted: _Lines, content,
                 problems: list[Problem], warnings: list[Problem] | None = None) -> None:
    """Rows counted, not trusted: the file's lines against the rows read and the line breaks inside values.

    A text file of ``L`` lines holds a header line, one line per row, the line breaks inside quoted
    values and blank lines, nothing else. When the rows alone account for every line (the common
    case) nothing more is done. Otherwise each column's line breaks are counted: a value holding a
    line that looks like a whole row (an id shaped like the first column's, then the header's
    delimiters: rows a stray quote swallowed) is a problem naming the line where it starts and the
    line where the quote closes; so is any line the rows, the line breaks inside values and the blank
    lines do not account for (``content()`` gives the file's text or bytes, for the blank lines). A
    value with no row inside that spans more than :data:`VALUE_MAX_LINES` lines, or is longer than
    :data:`VALUE_MAX_CHARS` and ten times most of its column's values (an e-mail body, perhaps), is a
    warning, in ``warnings``.
    """
    warnings = [] if warnings is None else warnings
    rows = len(df)
    if counted.lines == rows + 1 or not len(df.columns):
        return
    per_col = [_breaks_of(df[c]) for c in df.columns]
    per_row = np.sum(per_col, axis=0) if per_col else np.zeros(rows, np.int64)
    before = np.concatenate([[0], np.cumsum(per_row)[:-1]]) if rows else per_row
    start_line = 2 + np.arange(rows) + before  # the line each row starts on (when no blank line comes before)
    inside = int(per_row.sum())
    k = min(len(df.columns) - 1, 1000)
    esc = re.escape(sep)
    # a line inside a value that looks like a whole row: as many delimiters as the header, and (when the
    # first column holds ids such as R0000001) starting with a value shaped like the first column's
    first = df.iloc[:, 0].dropna()
    shape = str(first.iloc[0]) if len(first) else ""
    lead = (re.sub(r"\d+", lambda m: r"\d+", re.escape(shape))
            if re.search(r"\d", shape) and len(shape) <= 40 else "")  # R0000001 → R\d+
    row_like = (re.compile(rf"\n{lead}{esc}(?:[^\n{esc}]*{esc}){{{k - 1}}}" if lead else
                           rf"\n(?:[^\n{esc}]*{esc}){{{k}}}") if k >= 2 else None)
    left = np.zeros(rows, np.int64)  # line breaks in the columns to the left, within the row
    for c, n in zip(df.columns, per_col, strict=True):
        has = np.flatnonzero(n)
        if len(has):
            values = df[c].iloc[has]
            lengths = values.str.len().to_numpy(dtype=np.int64)
            others = df[c].str.len().dropna().to_numpy(dtype=np.float64)
            typical = float(np.percentile(others, 90)) if len(others) else 0.0
            bad = []
            for j, i in enumerate(has):
                v = values.iloc[j]
                whole = len(row_like.findall(v)) if row_like is not None else 0
                if n[i] > VALUE_MAX_LINES or whole or (lengths[j] > VALUE_MAX_CHARS and lengths[j] > 10 * typical):
                    bad.append((int(i), whole))
            for group, found in ((problems, [b for b in bad if b[1]]), (warnings, [b for b in bad if not b[1]])):
                if not found:
                    continue
                first = int(start_line[found[0][0]] + left[found[0][0]])
                last = first + int(n[found[0][0]])
                ends = ("runs to the end of the file" if last >= counted.lines else f"closes only on line {last:,}")
                rows_in = sum(w for _, w in found)
                spans = [int(n[i]) + 1 for i, _ in found]
                what = (f"holds what look like {rows_in:,} whole rows: a quote (\") opens a value there and {ends}, "
                        "so the lines in between are read as one value, not as rows" if rows_in else
                        f"has no row inside, but is far longer than most of the column's values "
                        f"({lengths[has.tolist().index(found[0][0])]:,} characters; nine in ten have at most "
                        f"{typical:,.0f}): if a quote (\") opened there by mistake, the lines up to line {last:,} "
                        "are read as one value, not as rows")
                group.append(Problem(
                    t.name, fname, f"a quoted value spans {max(spans):,} lines, from line {first:,} of the file, and "
                    + what + ("" if len(found) == 1 else f" ({len(found)} such values)"),
                    column=str(c), n_rows=len(found), rows=[i + 2 for i, _ in found[:N_EXAMPLES]],
                    values=[_short(str(df[c].iloc[i]).replace("\r", "")) for i, _ in found[:N_EXAMPLES]],
                    fix=f"look at line {first:,} of {fname}: remove the stray quote, or double a quote meant inside a "
                        'value (""); then export or save the file again with quoting on'
                        + ("" if rows_in else "; if the value is meant (an e-mail body, a pasted log), nothing is "
                                              "wrong")))
        left += n
    if counted.lines == rows + 1 + inside:
        return
    data = content()
    try:
        _unaccounted(df, t, fname, counted, data, per_col, inside, problems)
    finally:
        if hasattr(data, "close"):
            data.close()


def _unaccounted(df: pd.DataFrame, t: Table, fname: str, counted: _Lines, data, per_col: list[np.ndarray],
                 inside: int, problems: list[Problem]) -> None:
    """The lines of the file (``data``: its text or bytes) that the rows, the line breaks inside values and
    the blank lines do not account for: a problem, if there are any."""
    rows = len(df)
    # blank lines (empty, or spaces and tabs only: the parsers skip both)
    blank_re = re.compile(r"\n(?=[ \t]*\r?\n)" if isinstance(data, str) else rb"\n(?=[ \t]*\r?\n)")
    blank = sum(1 for _ in blank_re.finditer(data))
    start = data[:256] if isinstance(data, str) else bytes(data[:256])
    if re.match(r"[ \t]*\r?\n" if isinstance(start, str) else rb"[ \t]*\r?\n", start):
        blank += 1  # the file starts with a blank line
    for c, n in zip(df.columns, per_col, strict=True):
        for i in np.flatnonzero(n):
            blank -= len(re.findall(r"\n(?=[ \t]*\r?\n)", df[c].iloc[i]))
    lost = counted.lines - (rows + 1 + inside + blank)
    if lost < 0 and rows and not counted.last_open and any(
            isinstance(v, str) and v.endswith("\n") for v in df.iloc[-1].tolist()):
        lost += 1  # a quote never closed: the file's last line break is inside the last value
    if lost == 0:
        return
    if lost < 0:
        lone_cr = len(re.findall(r"\r(?!\n)" if isinstance(data, str) else rb"\r(?!\n)", data))
        if lone_cr and lost + lone_cr >= 0:
            return  # old Mac line ends ("\r"), which the parser reads as line breaks
    missing = _lines_not_read(df, data, per_col) if lost > 0 else []
    problems.append(Problem(
        t.name, fname, f"the file has {counted.lines:,} lines, but the header, the {rows:,} rows read, the "
        f"{inside:,} line breaks inside quoted values and the {blank:,} blank lines account for "
        f"{rows + 1 + inside + blank:,}: {abs(lost):,} line{'s are' if abs(lost) != 1 else ' is'} "
        + ("not in the table" if lost > 0 else "counted twice")
        + (f" (line {', '.join(f'{n:,}' for n, _ in missing)}"
           + (", …" if len(missing) < lost else "") + ")" if missing else ""),
        f"open the file in a text editor at line {missing[0][0]:,} and look for what the table does not show "
        "(a stray quote, a line that starts a comment, a wrong delimiter); then export the table again"
        if missing else "open the file in a text editor and look for lines the table does not show (stray "
        "quotes, a line that starts a comment, a wrong delimiter); then export the table again",
        n_rows=max(lost, 0), values=[_short(text) for _, text in missing]))


def _lines_not_read(df: pd.DataFrame, data, per_col: list[np.ndarray]) -> list[tuple[int, str]]:
    """The first lines (number, text) that no row was read from: the rows are walked with the file's lines
    (blank ones skipped, a row's line breaks inside values stepped over), each row's first value expected
    at the start of its line. At most :data:`N_EXAMPLES`; empty when the walk cannot tell."""
    text = data if isinstance(data, str) else bytes(data).decode("utf-8", "replace")
    lines = text.split("\n")
    per_row = np.sum(per_col, axis=0) if per_col else np.zeros(len(df), np.int64)
    first = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in df.iloc[:, 0].tolist()]
    out: list[tuple[int, str]] = []
    at = 1  # the header's line is line 1 (index 0)
    for i, want in enumerate(first):
        while at < len(lines) and len(out) < N_EXAMPLES:
            line = lines[at].lstrip("\ufeff")
            if not line.strip():
                at += 1
            elif want is None or line.startswith(want) or line.startswith('"' + want.replace('"', '""')) \
                    or line.lstrip().startswith(want.strip()):
                break
            else:
                out.append((at + 1, line.rstrip("\r")))
                at += 1
        if len(out) >= N_EXAMPLES or at >= len(lines):
            break
        at += 1 + int(per_row[i])
    return out


def _readlink(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"
