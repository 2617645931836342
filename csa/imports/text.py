"""Reading a raw export as it was downloaded: bytes → header and rows; cells → times and numbers.

A raw export is read cell by cell as text (CSV in any encoding :mod:`csa.encoding` detects, or
the first sheet of an Excel workbook), so nothing is converted behind the importer's back. Rows
are numbered as a spreadsheet shows them (the header is row 1).

Times are parsed here once for every layout: ISO 8601 (``2026-10-01T09:12:33+09:00``), with a
space and an offset without a colon (``2026-10-01 09:12:33 +0900``, Zendesk), with slashes and
Japanese 午前/午後 and ``GMT+9`` (``2026/10/31 11:58:03 午後 GMT+9``, Google Forms in Japanese),
``YYYY/MM/DD HH:MM`` (Excel), or a date alone. A value without an offset is read in the zone the
caller says: UTC for a column headed "(UTC)", the business time zone otherwise.

>>> t = parse_times(["2026/10/31 11:58:03 午後 GMT+9", "2026-10-31 14:58", "", "2026/11/01 12:05:00 AM GMT+9",
...                  "2026-10-31 09:12:33 +0900"], "Asia/Tokyo", assume="UTC", file="f.csv", column="c")
>>> [x.isoformat() if x is not None else None for x in t]  # doctest: +NORMALIZE_WHITESPACE
['2026-10-31T23:58:03+09:00', '2026-10-31T23:58:00+09:00', None, '2026-11-01T00:05:00+09:00',
 '2026-10-31T09:12:33+09:00']
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..encoding import MixedEncodingError, decode, encoding_name
from .errors import ImportRefused

__all__ = ["RAW_EXTENSIONS", "RawTable", "header_key", "numbers", "parse_number", "parse_times", "read_raw"]

#: the files a raw folder may hold that are read as exports
RAW_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")

_FOOTER = re.compile(r"^(合計|総計|小計|grand totals?|totals?|subtotal|機密|confidential|copyright|©|\(c\)|作成者|"
                     r"作成日|generated|レポート|report|出力日|filtered by|絞り込み条件)", re.IGNORECASE)


def header_key(text: object) -> str:
    """A header as compared: NFKC (full-width → half-width), case folded, without spaces or a BOM.

    >>> header_key("取引先 ＩＤ"), header_key(" Created (UTC)"), header_key("初回返信時間（分）")
    ('取引先id', 'created(utc)', '初回返信時間(分)')
    """
    s = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").casefold()
    return re.sub(r"\s+", "", s)


@dataclass
class RawTable:
    """One export: its header, its data rows (each as long as the header) and where they came from.

    ``rows[i]`` is spreadsheet row ``numbers[i]``; ``skipped`` counts rows left out while reading
    (``"footer"``, ``"blank line"``) with a few examples in ``skipped_examples``.
    """

    path: Path
    encoding: str
    header: list[str]
    rows: list[list[str]]
    numbers: list[int]
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def column(self, name: str) -> list[str]:
        """The cells of the column headed ``name`` (as written in the header)."""
        i = self.header.index(name)
        return [r[i] for r in self.rows]

    def frame(self) -> pd.DataFrame:
        """The rows as a frame of text (header as written; a repeated header name gets ``.1``)."""
        seen: dict[str, int] = {}
        cols = []
        for h in self.header:
            k = seen.get(h, 0)
            cols.append(h if k == 0 else f"{h}.{k}")
            seen[h] = k + 1
        df = pd.DataFrame(self.rows, columns=cols, dtype=object)
        df.index = self.numbers
        return df


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    return str(v).strip()


def _grid_csv(path: Path) -> tuple[list[list[str]], str]:
    raw = path.read_bytes()
    try:
        text, enc = decode(raw)
    except MixedEncodingError as exc:
        raise ImportRefused(f"{path.name}: the file mixes text encodings: most lines are "
                            f"{encoding_name(exc.encoding)}, but line(s) {exc.lines[:5]} are "
                            f"{encoding_name(exc.other)} (e.g. {exc.examples[:1]}). Fix: download the export "
                            "again in one piece, or save the whole file as UTF-8") from None
    except UnicodeError:
        raise ImportRefused(f"{path.name}: the text encoding could not be recognised. Fix: save the export as "
                            "UTF-8 (or cp932 / Shift_JIS) CSV") from None
    text = text.lstrip("\ufeff")
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    first = text.split("\n", 1)[0]
    if sep == "," and first.count("\t") > first.count(","):
        sep = "\t"  # a tab-separated export saved as .csv (some tools do this)
    try:
        grid = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep)]
    except csv.Error as exc:
        raise ImportRefused(f"{path.name}: not a well-formed CSV ({exc}). Fix: download the export again; if it was "
                            "edited, quote values that hold commas or line breaks") from None
    return grid, enc


def _grid_excel(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, … for a damaged workbook
        raise ImportRefused(f"{path.name}: the workbook could not be read ({type(exc).__name__}). Fix: download "
                            "the export again, or save it as CSV") from None
    try:
        ws = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_raw(path: str | Path) -> RawTable:
    """Read one export: the first non-empty row is the header; blank lines and a report's footer are
    left out and counted (a footer is the block after the data whose rows fill at most one cell, such
    as Salesforce's 合計 / 機密情報 / Copyright lines).

    Raises :class:`ImportRefused` for a file that cannot be read, naming it and how to fix it.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        grid, enc = _grid_excel(path), "Excel workbook"
    else:
        grid, enc = _grid_csv(path)
    start = next((i for i, r in enumerate(grid) if any(r)), None)
    if start is None:
        raise ImportRefused(f"{path.name}: the file is empty (not even a header row). Fix: download the export "
                            "again, or remove the file from the folder")
    header = [unicodedata.normalize("NFC", h).lstrip("\ufeff").strip() for h in grid[start]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    body = [(i + 1, r) for i, r in enumerate(grid) if i > start]
    skipped: dict[str, int] = {}
    examples: dict[str, list[str]] = {}

    def skip(why: str, text: str) -> None:
        skipped[why] = skipped.get(why, 0) + 1
        if text and len(examples.setdefault(why, [])) < 3:
            examples[why].append(text)

    # a footer: after the last row that fills two cells or more, rows filling at most one cell that
    # follow a blank line or read like a report's footer (合計, 機密情報, Copyright, …)
    last_full = max((k for k, (_, r) in enumerate(body) if sum(1 for c in r if c) >= 2), default=-1)
    rows, numbers = [], []
    blank_after = False
    for k, (n, r) in enumerate(body):
        filled = [c for c in r if c]
        if not filled:
            if k <= last_full:
                skip("blank line", "")
            else:
                blank_after = True
            continue
        one = len(filled) == 1 and r[0] == filled[0] and width > 2
        if one and ((k > last_full and blank_after) or _FOOTER.match(filled[0])):
            skip("footer", filled[0])
            continue
        if len(r) > width and any(r[width:]):
            raise ImportRefused(f"{path.name}: row {n} has {len(r)} values but the header has {width} names "
                                f"(e.g. {r[width:][:2]!r} beyond the last column). Fix: download the export "
                                "again; if it was edited, quote values that hold commas")
        rows.append((r + [""] * width)[:width])
        numbers.append(n)
    return RawTable(path, enc, header, rows, numbers, skipped, examples)


# ------------------------------------------------------------------------------------------- cells

_TS = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:(?:T|\s+)(?:(午前|午後|AM|PM)\s*)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(午前|午後|AM|PM)?"
    r"\s*(Z|UTC|GMT|JST)?\s*([+-]\d{1,2}(?::?\d{2})?)?$", re.IGNORECASE)


def _offset(zone: str | None, off: str | None) -> dt.timezone | None:
    if off:
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        h, m = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
        return dt.timezone(sign * dt.timedelta(hours=h, minutes=m))
    if zone:
        return dt.timezone(dt.timedelta(hours=9)) if zone.upper() == "JST" else dt.UTC
    return None


def _one_time(text: str):
    """``(naive datetime, tzinfo or None)`` for one cell, or ``None`` if it is not a time."""
    m = _TS.match(unicodedata.normalize("NFKC", text).strip())
    if m is None:
        return None
    y, mo, d, ampm1, hh, mi, ss, frac, ampm2, zone, off = m.groups()
    hour = int(hh or 0)
    ampm = (ampm1 or ampm2 or "").upper()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm in ("午後", "PM") else 0)
    try:
        value = dt.datetime(int(y), int(mo), int(d), hour, int(mi or 0), int(ss or 0),
                            int((frac or "0").ljust(6, "0")[:6]))
    except ValueError:
        return None
    return value, _offset(zone, off)


def parse_times(values, tz: str, *, assume: str, file: str, column: str) -> list[pd.Timestamp | None]:
    """Each cell as a time in the business time zone ``tz`` (``None`` for a blank cell).

    ``assume`` is the zone of values written without an offset (``"UTC"`` for a "(UTC)" column).
    A cell that is not a time is refused, naming the file, column, rows and an example.
    """
    out: list[pd.Timestamp | None] = []
    bad: list[tuple[int, str]] = []
    cache: dict[str, pd.Timestamp | None] = {}
    for i, v in enumerate(values):
        v = "" if v is None else str(v).strip()
        if not v or v == "-":
            out.append(None)
            continue
        if v not in cache:
            parsed = _one_time(v)
            if parsed is None:
                cache[v] = None
            else:
                naive, tzinfo = parsed
                ts = pd.Timestamp(naive)
                ts = ts.tz_localize(tzinfo) if tzinfo is not None else ts.tz_localize(assume, ambiguous="NaT",
                                                                                       nonexistent="NaT")
                cache[v] = None if ts is pd.NaT else ts.tz_convert(tz)
        if cache[v] is None:
            bad.append((i, v))
        out.append(cache[v])
    if bad:
        ex = ", ".join(f"{v!r}" for _, v in bad[:3])
        raise ImportRefused(f"{file}, column '{column}': {len(bad)} value(s) are not a date and time "
                            f"(e.g. {ex}). Fix: download the export again without reformatting dates; "
                            "accepted: 2026-10-01 09:30:00 +0900, 2026/10/01 9:30, 2026/10/31 11:58:03 午後 GMT+9")
    return out


def parse_number(text: str) -> float | None:
    """A number as exports write it (``1,234``, ``¥50,000``, ``５０``); ``None`` for a blank or ``-``.

    >>> parse_number("¥50,000"), parse_number("１０"), parse_number(""), parse_number("9.5")
    (50000.0, 10.0, None, 9.5)
    """
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if s in ("", "-"):
        return None
    s = re.sub(r"[,¥$円\s]", "", s)
    try:
        return float(s)
    except ValueError:
        raise ValueError(text) from None


def numbers(values, *, file: str, column: str, rows: list[int]) -> list[float | None]:
    """:func:`parse_number` of each cell; a cell that is not a number is refused with its row."""
    out = []
    for v, n in zip(values, rows):
        try:
            out.append(parse_number(v))
        except ValueError:
            raise ImportRefused(f"{file}, column '{column}', row {n}: {v!r} is not a number. Fix: correct the "
                                "value, or download the export again") from None
    return out
