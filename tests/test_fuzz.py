"""Property-based fuzzing of the loader (issue 7).

Valid export files are mutated (bytes, encodings, delimiters, quoting, headers, cell values,
file kinds, mapping shapes) and ``csa.load`` must either load them or raise
:class:`csa.DataError` with listed problems — never another exception. Derandomized, a few
seconds in all: each example is a folder with the customers table and at most one other.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from unittest.mock import patch

import pandas as pd
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import csa  # noqa: E402
from csa import sample  # noqa: E402
from csa.check import summary  # noqa: E402
from csa.io import fast as fast_paths  # noqa: E402
from csa.io import inspect  # noqa: E402

FAST = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TABLES = ["customers", "subscriptions", "orders", "tickets", "surveys", "goals"]


@cache
def base() -> dict[str, bytes]:
    """A dozen rows of each table of a tiny valid sample, as CSV bytes (made once, on first use)."""
    folder = Path(tempfile.mkdtemp(prefix="csa-fuzz-base-"))
    try:
        sample.write(folder, n_customers=10, months=7, seed=3)
        out = {}
        for name in TABLES:
            df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
            out[name] = df.iloc[:12].to_csv(index=False).encode("utf-8")  # a dozen rows are enough
        return out
    finally:
        shutil.rmtree(folder)



def _same_as_careful_path(folder: Path, mapping) -> None:
    """The loader's Arrow fast paths give exactly what its careful path gives: tables, problems, counts."""
    fast = inspect(folder, mapping=mapping)
    with patch.object(fast_paths, "_FAST", False):  # the flag every fast path reads
        careful = inspect(folder, mapping=mapping)
    assert [str(p) for p in fast.problems] == [str(p) for p in careful.problems]
    assert fast.tables.keys() == careful.tables.keys()
    for name in fast.tables:
        pd.testing.assert_frame_equal(fast.tables[name], careful.tables[name], check_exact=True)
        assert fast.sources[name] == careful.sources[name]
    assert (fast.window, fast.last_month, fast.ignored_files) == (careful.window, careful.last_month,
                                                                  careful.ignored_files)


def _check(folder: Path, *, mapping=None, rows: dict[str, int] | None = None) -> None:
    """The property: a Dataset, or a DataError whose problems all name a file and a fix; and the
    fast paths agree with the careful path."""
    _same_as_careful_path(folder, mapping)
    try:
        ds = csa.load(folder, mapping=mapping)
    except csa.DataError as err:
        assert err.problems
        for p in err.problems:
            assert p.file and p.fix and p.message, p
            assert str(p)
        return
    assert isinstance(ds, csa.Dataset)
    for name, n in (rows or {}).items():
        assert len(getattr(ds, name)) == n, f"{name}: rows lost or invented without a problem"


def _folder(files: dict[str, bytes]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="csa-fuzz-"))
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def _run(files: dict[str, bytes], **kw) -> None:
    folder = _folder(files)
    try:
        _check(folder, **kw)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


table = st.sampled_from(TABLES)
special_bytes = st.sampled_from([b"\x00", b"\xff", b"\xfe", b'"', b"\r", b"\n", b"\r\n", b",", b"\t", b";",
                                 b"\xef\xbb\xbf", "顧客".encode(), "顧客".encode("cp932"), "顧客".encode("euc_jp"),
                                 b"\x81", b"\xe3\x81", b" ", b"\\", b"'", b"=", b"\x1a"])


# ---------------------------------------------------------------- raw bytes

@settings(FAST, max_examples=30)
@given(name=table, ops=st.lists(st.tuples(st.sampled_from(["flip", "insert", "delete", "truncate"]),
                                          st.floats(0, 1), st.integers(0, 255), special_bytes),
                                min_size=1, max_size=4))
def test_byte_mutations(name, ops):
    data = bytearray(base()[name])
    for op, where, byte, chunk in ops:
        i = int(where * len(data)) if data else 0
        if op == "flip" and data:
            data[min(i, len(data) - 1)] = byte
        elif op == "insert":
            data[i:i] = chunk
        elif op == "delete":
            del data[i:i + 1 + byte % 8]
        else:
            del data[i:]
    files = {"customers.csv": base()["customers"], f"{name}.csv": bytes(data)}
    _run(files)


# ---------------------------------------------------------------- encodings, delimiters, quoting

def _reencode(text: str, how: str) -> bytes:
    lines = text.split("\n")
    if how == "mixed":  # every third line in UTF-8, the others in cp932
        return b"\n".join(ln.encode("utf-8") if i % 3 == 2 else ln.encode("cp932", "replace")
                          for i, ln in enumerate(lines))
    return text.encode(how, "replace")


@settings(FAST, max_examples=30)
@given(name=table,
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932", "euc_jp", "utf-16", "utf-16-le", "latin-1", "mixed"]),
       delimiter=st.sampled_from([None, ";", "\t", "|"]), delimit_all=st.booleans(),
       trailing=st.sampled_from([None, "rows", "all", "first"]),
       quote=st.sampled_from([None, "all", "unbalanced", "newline", "doubled"]),
       ext=st.sampled_from([".csv", ".tsv", ".txt", ".CSV"]), crlf=st.booleans())
def test_encoding_delimiter_and_quoting_mutations(name, encoding, delimiter, delimit_all, trailing, quote, ext, crlf):
    text = base()[name].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL if quote == "all" else csv.QUOTE_MINIMAL,
               delimiter=delimiter if delimiter and delimit_all else ",",
               lineterminator="\r\n" if crlf else "\n").writerows(rows)
    text = buf.getvalue()
    lines = text.splitlines(keepends=True)
    if delimiter and not delimit_all and len(lines) > 2:
        lines[2] = lines[2].replace(",", delimiter)
    if trailing and len(lines) > 1:
        pick = {"rows": range(1, len(lines)), "all": range(len(lines)), "first": range(1, 2)}[trailing]
        for i in pick:
            lines[i] = lines[i].rstrip("\r\n") + (delimiter or ",") + ("\r\n" if crlf else "\n")
    if quote == "unbalanced" and len(lines) > 1:
        lines[1] = '"' + lines[1]
    elif quote == "newline" and len(lines) > 1:
        lines[1] = lines[1].replace(",", ',"a\nb",', 1)
    elif quote == "doubled" and len(lines) > 1:
        lines[1] = lines[1].replace(",", ',"x""y",', 1)
    files = {"customers.csv": base()["customers"], f"{name}{ext}": _reencode("".join(lines), encoding)}
    if name == "customers":
        files.pop("customers.csv")
    _run(files)


# ---------------------------------------------------------------- headers and cell values

odd_values = st.sampled_from([
    "", " ", "NaN", "nan", "None", "NULL", "inf", "-inf", "1e400", "-0", "0x10", "1_000", "99999999999999999999999",
    "2300-01-01T00:00:00+09:00", "1500-06-01 10:00", "0000-00-00", "2026-02-30", "2026-13-01", "9999-12-31T23:59:59Z",
    "2026-10-01T09:00:00+14:00", "2026-10-01T09:00:00-99:99", "2026/10/1 9:05", "2026-10", "２０２６－１０", "１０",
    "¥1,000", "1,000円", "-5", "True", "はい", "×", "a\x00b", "=SUM(A1)", "x" * 500, "ｶﾝｻｲ", "𠮷", "\u200b",
    "\ufeffC00001", "C00001", "starter", "Pro", "nps", "solved", "LINE"])
cell_value = st.one_of(odd_values, st.text(st.characters(exclude_categories=("Cs",)), max_size=20))


@settings(FAST, max_examples=25)
@given(name=table, edits=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), cell_value), min_size=1,
                                  max_size=6))
def test_cell_value_mutations(name, edits):
    df = pd.read_csv(io.BytesIO(base()[name]), dtype=str, keep_default_na=False)
    for r, c, v in edits:
        df.iloc[r % len(df), c % len(df.columns)] = v
    files = {"customers.csv": base()["customers"], f"{name}.csv": df.to_csv(index=False).encode("utf-8")}
    rows = {name: len(df)}
    if name == "customers":
        rows["customers"] = len(df)
    _run(files, rows=rows)


@settings(FAST, max_examples=15)
@given(name=table, op=st.sampled_from(["duplicate", "blank", "drop", "swap", "upper", "japanese", "typo"]),
       col=st.integers(0, 30))
def test_header_mutations(name, op, col):
    df = pd.read_csv(io.BytesIO(base()[name]), dtype=str, keep_default_na=False)
    cols = list(df.columns)
    j = col % len(cols)
    if op == "duplicate":
        cols[(j + 1) % len(cols)] = cols[j]
    elif op == "blank":
        cols[j] = ""
    elif op == "drop":
        df = df.drop(columns=cols[j])
        cols = list(df.columns)
    elif op == "swap":
        cols[j], cols[(j + 1) % len(cols)] = cols[(j + 1) % len(cols)], cols[j]
    elif op == "upper":
        cols[j] = cols[j].upper()
    elif op == "japanese":
        cols[j] = {"comment": "コメント", "csm": "担当CSM", "created_at": "作成日時"}.get(cols[j], "列")
    else:
        cols[j] = cols[j][:-1] + "x"
    df.columns = cols
    _run({"customers.csv": base()["customers"], f"{name}.csv": df.to_csv(index=False).encode("utf-8")})


# ---------------------------------------------------------------- other formats and file kinds

@settings(FAST, max_examples=8)
@given(name=table, fmt=st.sampled_from(["xlsx", "parquet"]), edits=st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 30), st.one_of(odd_values, st.integers(-10**12, 10**12),
                                                                st.floats(allow_nan=True), st.booleans(),
                                                                st.datetimes(), st.none())),
    max_size=3), sheets=st.integers(1, 2))
def test_workbook_and_parquet_mutations(name, fmt, edits, sheets):
    pytest.importorskip("openpyxl")
    df = pd.read_csv(io.BytesIO(base()[name]), dtype=str, keep_default_na=False).astype(object)
    for r, c, v in edits:
        df.iloc[r % len(df), c % len(df.columns)] = v
    folder = _folder({"customers.csv": base()["customers"]} if name != "customers" else {})
    try:
        path = folder / f"{name}.{fmt}"
        try:
            if fmt == "parquet":
                df.to_parquet(path)
            else:
                with pd.ExcelWriter(path) as xw:
                    for k in range(sheets):
                        df.to_excel(xw, sheet_name=f"S{k}", index=False)
        except Exception:  # a value the writer cannot store: nothing to load
            return
        _check(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(FAST, max_examples=8)
@given(name=table, kind=st.sampled_from(["dir", "dangling", "case", "near", "empty", "binary"]))
def test_file_kind_mutations(name, kind):
    folder = _folder({"customers.csv": base()["customers"]})
    try:
        target = folder / f"{name}.csv"
        if kind == "dir":
            target.unlink(missing_ok=True)
            target.mkdir()
        elif kind == "dangling":
            target.unlink(missing_ok=True)
            os.symlink(folder / "nowhere.csv", target)
        elif kind == "case":
            target.unlink(missing_ok=True)
            (folder / f"{name.upper()}.CSV").write_bytes(base()[name])
        elif kind == "near":
            target.unlink(missing_ok=True)
            (folder / f"{name[:-1]}.csv").write_bytes(base()[name])
        elif kind == "empty":
            target.write_bytes(b"")
        else:
            target.write_bytes(bytes(range(256)) * 4)
        _check(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- mapping shapes

scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
                   st.sampled_from(["customer_id", "plan", "segment", "プラン", "name", ""]))
shape = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.one_of(st.text(max_size=8), st.integers()),
                                                                     inner, max_size=3)), max_leaves=8)


@settings(FAST, max_examples=30, suppress_health_check=list(HealthCheck))
@given(spec=st.one_of(
    shape,
    st.fixed_dictionaries({"customers": st.one_of(shape, st.fixed_dictionaries(
        {}, optional={"file": shape, "sheet": shape, "columns": st.one_of(shape, st.dictionaries(
            st.sampled_from(["プラン", "plan", "区分", "csm"]), st.sampled_from(["plan", "segment", "csm", "x"]))),
            "values": st.one_of(shape, st.dictionaries(st.sampled_from(["plan", "segment", "plann", "region"]),
                                                        shape))}))})))
def test_mapping_shapes(spec):
    folder = _folder({"customers.csv": base()["customers"]})
    try:
        try:
            result = csa.inspect(folder, mapping=spec if isinstance(spec, dict) else {"customers": spec})
        except csa.DataError as err:
            assert err.problems and all(p.fix for p in err.problems)
            return
        assert summary(result)  # csa check prints whatever was found
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(FAST, max_examples=10)
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200)),
       encoding=st.sampled_from(["utf-8", "cp932", "euc_jp", "utf-16"]))
def test_mapping_file_contents(text, encoding):
    folder = _folder({"customers.csv": base()["customers"]})
    try:
        m = folder.parent / f"{folder.name}.yaml"
        m.write_bytes(text if isinstance(text, bytes) else text.encode(encoding, "replace"))
        try:
            csa.load(folder, mapping=m)
        except csa.DataError as err:
            assert err.problems
        m.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
