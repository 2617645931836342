"""The loader's Arrow fast paths, and the flag that turns them all off (:data:`_FAST`).

A CSV file written plainly is read by Arrow's multi-threaded reader (:func:`_arrow_file`,
:func:`_arrow_csv`). A text column read from CSV is Arrow data; when a whole column is plainly what
it should be (no surrounding spaces, ASCII digits, ISO timestamps, …), Arrow's compute kernels
convert it in one pass. Each fast path answers only when it is sure to give exactly what the
careful path (:mod:`csa.io.files`, :mod:`csa.io.values`) gives, and returns ``None`` otherwise:
values to clean, count or report always go through the careful path, so messages, counts and
results are the same either way.

``_FAST = False`` sends every file and column the careful way; the tests compare the two
(``unittest.mock.patch.object(csa.io.fast, "_FAST", False)``). :mod:`csa.io.files` reads the flag
through this module (``_fast._FAST``), so that one patch turns off every fast path.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import Column

#: the fast paths on (``False``: every column takes the careful path; the tests compare the two)
_FAST = True
#: the characters Python's ``str.strip()`` removes (``str.isspace``)
_SPACES = [chr(c) for c in range(0x3001) if chr(c).isspace()]
_PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
_ISO_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
_ISO_AWARE = _ISO_TIME + r"(Z|[+-][0-9]{2}:?[0-9]{2})$"
_ISO_NAIVE = _ISO_TIME + "$"


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
