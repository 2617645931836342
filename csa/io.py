"""Load a folder of exports into a typed, validated :class:`Dataset`.

``load(path)`` looks for one file per table named after it (``tickets.csv``, ``tickets.tsv``,
``tickets.xlsx``, ``tickets.parquet``), detects CSV encodings, applies an optional column
mapping, normalises full-width digits and stray spaces (counting every change), converts each
column to its type and checks every rule of :mod:`csa.schema`. Every problem found, in every
table, is collected; if there is any, :class:`~csa.errors.DataError` lists them all.
Nothing is dropped or coerced silently.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .encoding import decode
from .errors import DataError, Problem
from .schema import SURVEY_SCALES, TABLE_ORDER, TABLES, Column, Table

__all__ = ["EXTENSIONS", "CheckResult", "Dataset", "SourceInfo", "inspect", "load", "read_mapping"]

EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")
N_EXAMPLES = 3

_TRUE = {"true", "t", "1", "yes", "y", "はい", "○", "〇", "済"}
_FALSE = {"false", "f", "0", "no", "n", "いいえ", "×", "未"}
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


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


@dataclass
class Dataset:
    """One typed, validated DataFrame per table; an absent table is ``None``."""

    customers: pd.DataFrame
    subscriptions: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    tickets: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    goals: pd.DataFrame | None = None
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
# mapping

def read_mapping(mapping: str | os.PathLike | dict | None) -> dict[str, dict[str, Any]]:
    """A column/value mapping as a dict ``{table: {file?, columns?, values?}}``.

    ``mapping`` is a dict of that shape or the path of a YAML file holding it.
    """
    if mapping is None:
        return {}
    if isinstance(mapping, dict):
        data = mapping
    else:
        import yaml

        try:
            with open(mapping, encoding="utf-8") as fh:
                data = yaml.safe_load(fh) or {}
        except yaml.YAMLError as exc:
            raise DataError([Problem("mapping", str(mapping), f"the mapping is not valid YAML ({exc})",
                                     "compare it with data/mappings/zendesk_ja_tickets.yaml")],
                        source=str(mapping)) from None
        if not isinstance(data, dict):
            raise DataError([Problem("mapping", str(mapping), "the mapping must map table names to their settings",
                                     "compare it with data/mappings/zendesk_ja_tickets.yaml")], source=str(mapping))
    problems = []
    for name, spec in data.items():
        if name not in TABLES:
            problems.append(Problem(str(name), str(mapping), f"the mapping names an unknown table {name!r}",
                                    f"use one of: {', '.join(TABLES)}"))
        elif not isinstance(spec, dict) or set(spec) - {"file", "columns", "values"}:
            problems.append(Problem(name, str(mapping), "each table's mapping takes the keys file, columns, values",
                                    "see data/mappings/ for an example"))
    if problems:
        raise DataError(problems, source=str(mapping))
    return data


# --------------------------------------------------------------------------------------
# reading files

def _find_file(folder: Path, name: str, spec: dict) -> tuple[Path | None, list[Path]]:
    if spec.get("file"):
        p = folder / spec["file"]
        return (p if p.exists() else None), []
    found = [folder / f"{name}{ext}" for ext in EXTENSIONS if (folder / f"{name}{ext}").exists()]
    return (found[0] if found else None), found[1:]


def _read_file(path: Path, table: Table, problems: list[Problem]) -> tuple[pd.DataFrame | None, str | None]:
    """Read a file as text columns (CSV) or as stored (Excel, parquet)."""
    ext = path.suffix.lower()
    fname = path.name
    if ext in (".parquet", ".xlsx", ".xls"):
        try:  # corrupt files raise many kinds of errors (BadZipFile, ArrowInvalid, …)
            df = pd.read_parquet(path) if ext == ".parquet" else pd.read_excel(path, dtype=object)
        except Exception as exc:
            kind = "parquet file" if ext == ".parquet" else "workbook"
            problems.append(Problem(table.name, fname, f"the {kind} could not be read ({type(exc).__name__}: {exc})",
                                    "export it again; for Excel, save the table on the first sheet with a header row"))
            return None, None
        return df, None
    raw = path.read_bytes()
    if not raw.strip(b"\r\n\t \xef\xbb\xbf"):
        problems.append(Problem(table.name, fname, "the file is empty: not even a header row",
                                "export the table again with its header row, or remove the file "
                                "if you do not use this table"))
        return None, None
    try:
        text, enc = decode(raw)
    except UnicodeError:
        problems.append(Problem(table.name, fname, "the text encoding could not be recognised",
                                "save it as UTF-8 (or cp932 / Shift_JIS) CSV"))
        return None, None
    sep = "\t" if ext == ".tsv" else ","
    first = text.lstrip("\ufeff").splitlines()[0]
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                         na_values=[""], skipinitialspace=False)
    except pd.errors.ParserError as exc:
        problems.append(Problem(table.name, fname, f"the file is not a well-formed CSV ({exc})",
                                "check for unquoted commas or line breaks inside values; quote "
                                "such values, or re-export with quoting on"))
        return None, enc
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    if len(df.columns) == 1:
        for bad, label in (("\t", "tab"), (";", "semicolon"), ("|", "vertical bar")):
            if bad in first and bad != sep:
                problems.append(Problem(
                    table.name, fname,
                    f"the header is one column holding {label}s ({first[:60]!r}): the file is "
                    f"{label}-separated, not {'tab' if sep == chr(9) else 'comma'}-separated",
                    "save it as comma-separated CSV, or (for tabs) name the file "
                    f"{table.name}.tsv"))
                return None, enc
    return df, enc


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


def _normalise_text(s: pd.Series, col: Column, counts: Counter) -> pd.Series:
    """Strip spaces everywhere; for non-free-text kinds also fold full-width forms (NFKC)."""
    s = _as_text(s)
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
        folded = stripped[wide].map(lambda v: unicodedata.normalize("NFKC", v).strip())
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


def _convert(s: pd.Series, col: Column, t: Table, fname: str, tz: str, counts: Counter,
             problems: list[Problem], values_map: dict | None) -> pd.Series:
    kind = col.kind
    # typed input (parquet) keeps its type where it already fits
    typed_number = kind in ("float", "int") and pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    typed_time = kind == "datetime" and pd.api.types.is_datetime64_any_dtype(s)
    typed_bool = kind == "bool" and pd.api.types.is_bool_dtype(s)
    if typed_number or typed_time or typed_bool:
        _check_required(s.isna(), s, col, t, fname, problems)
    if typed_number:
        return _finish_number(s.astype("float64"), s.isna(), s, col, t, fname, problems)
    if typed_time:
        if getattr(s.dt, "tz", None) is None:
            counts[(col.name, f"no UTC offset: read as {tz} time")] += int(s.notna().sum())
            return s.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        return s.dt.tz_convert(tz)
    if typed_bool:
        return s.astype("boolean")

    raw = _as_text(s)  # examples in messages show the value as it is in the file
    text = _normalise_text(s, col, counts)
    if values_map:
        mapped = text.map(lambda v: values_map.get(v, v), na_action="ignore")
        text = mapped.where(text.notna(), None)
    missing = text.isna()
    _check_required(missing, text, col, t, fname, problems)

    if kind in ("id", "text"):
        return text.astype("str")  # pandas ≥ 3: missing values stay missing
    if kind == "category":
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
        return _parse_datetime(text, missing, col, t, fname, tz, counts, problems, raw)
    if kind == "date":
        d = pd.to_datetime(text.str.slice(0, 10).str.replace("/", "-"), format="%Y-%m-%d", errors="coerce")
        bad = ~missing & d.isna()
        if bad.any():
            n, rows, vals = _examples(raw, bad)
            problems.append(Problem(t.name, fname, "not a valid date (YYYY-MM-DD)", column=col.name,
                                    n_rows=n, rows=rows, values=vals,
                                    fix="write dates as YYYY-MM-DD; check for impossible dates such as 02-30"))
        return d
    if kind == "month":
        ok = text.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", na=False)
        short = ~missing & ~ok & text.str.fullmatch(r"\d{4}[-/]\d{1,2}([-/]\d{1,2})?", na=False)
        if short.any():
            parts = text[short].str.split(r"[-/]", regex=True)
            fixed = parts.str[0] + "-" + parts.str[1].str.zfill(2)
            text = text.copy()
            text[short] = fixed
            counts[(col.name, "month written as YYYY-MM")] += int(short.sum())
            ok = text.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", na=False)
        bad = ~missing & ~ok
        if bad.any():
            n, rows, vals = _examples(raw, bad)
            problems.append(Problem(t.name, fname, "not a month (YYYY-MM)", column=col.name,
                                    n_rows=n, rows=rows, values=vals, fix="write months as YYYY-MM, e.g. 2026-10"))
        return pd.to_datetime(text.where(ok, None) + "-01", format="%Y-%m-%d").dt.to_period("M")
    raise AssertionError(kind)


def _finish_number(num: pd.Series, missing: pd.Series, shown: pd.Series, col: Column, t: Table,
                   fname: str, problems: list[Problem]) -> pd.Series:
    bad = ~missing & num.isna()
    if bad.any():
        n, rows, vals = _examples(shown, bad)
        problems.append(Problem(t.name, fname, "not a number", column=col.name, n_rows=n, rows=rows,
                                values=vals, fix="write plain numbers (digits, optional decimal point)"))
    ok = num.notna()
    if col.kind == "int":
        frac = ok & (num % 1 != 0)
        if frac.any():
            n, rows, vals = _examples(shown, frac)
            problems.append(Problem(t.name, fname, "not a whole number", column=col.name, n_rows=n,
                                    rows=rows, values=vals, fix="use whole numbers"))
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
        return num.where(ok & (num % 1 == 0)).astype("Int64")
    return num


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
    if has_off.any():
        aware = pd.to_datetime(iso[has_off], utc=True, format="ISO8601", errors="coerce")
        out[aware.index] = aware.dt.tz_convert(tz)
    naive_idx = iso.index[~has_off]
    if len(naive_idx):
        naive = pd.to_datetime(iso[~has_off], format="ISO8601", errors="coerce")
        ok = naive.notna()
        if ok.any():
            counts[(col.name, f"no UTC offset: read as {tz} time")] += int(ok.sum())
            out[naive.index[ok]] = naive[ok].dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    bad = ~missing & out.isna()
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
    if t.key and t.key in df:
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


def _isin(s: pd.Series, values: pd.Series) -> pd.Series:
    """``s.isin(values)`` by hashing (pandas' isin on arrow strings is slow for many values)."""
    index = pd.Index(values.dropna().unique())
    return pd.Series(index.get_indexer(s) >= 0, index=s.index)


def _check_references(tables: dict[str, pd.DataFrame], sources: dict[str, SourceInfo], problems: list[Problem]) -> None:
    known = tables["customers"]["customer_id"]
    for name, df in tables.items():
        if name == "customers" or "customer_id" not in df:
            continue
        unknown = df["customer_id"].notna() & ~_isin(df["customer_id"], known)
        if unknown.any():
            n, rows, vals = _examples(df["customer_id"], unknown)
            problems.append(Problem(name, sources[name].file, "customer_id not found in customers",
                                    column="customer_id", n_rows=n, rows=rows, values=vals,
                                    fix="add these customers to the customers table, or check that both "
                                        "exports come from the same system and period"))
    if "surveys" in tables and "tickets" in tables:
        s = tables["surveys"]
        unknown = s["ticket_id"].notna() & ~_isin(s["ticket_id"], tables["tickets"]["ticket_id"])
        if unknown.any():
            n, rows, vals = _examples(s["ticket_id"], unknown)
            problems.append(Problem("surveys", sources["surveys"].file, "ticket_id not found in tickets",
                                    column="ticket_id", n_rows=n, rows=rows, values=vals,
                                    fix="leave ticket_id empty for surveys not tied to a ticket, or export "
                                        "tickets covering the same period"))


def _load_table(path: Path, t: Table, spec: dict, tz: str,
                problems: list[Problem]) -> tuple[pd.DataFrame | None, SourceInfo | None]:
    fname = path.name
    raw, enc = _read_file(path, t, problems)
    if raw is None:
        return None, None
    raw = raw.rename(columns={k: v for k, v in (spec.get("columns") or {}).items()})
    raw.columns = [str(c).strip() for c in raw.columns]
    raw = raw.reset_index(drop=True)
    info = SourceInfo(t.name, fname, path.suffix.lstrip(".").lower(), enc, len(raw))
    missing = [c for c in t.required_names if c not in raw.columns]
    if missing:
        problems.append(Problem(
            t.name, fname, f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}; "
            f"the file has: {', '.join(map(str, raw.columns[:20]))}",
            column=missing[0],
            fix="rename your export's columns to the canonical names, or write a mapping file "
                "(see data/mappings/ and data/README.md)"))
        return None, info
    dups = [c for c in raw.columns if list(raw.columns).count(c) > 1]
    if dups:
        problems.append(Problem(t.name, fname, f"column names repeated: {', '.join(sorted(set(dups)))}",
                                fix="give each column one name; check the mapping for two columns mapped to one"))
        return None, info
    out = {}
    values = spec.get("values") or {}
    for col in t.columns:
        if col.name not in raw:
            out[col.name] = pd.Series(None, index=raw.index, dtype=object)
            out[col.name] = _convert(out[col.name], col, t, fname, tz, info.normalizations, problems, None)
            continue
        out[col.name] = _convert(raw[col.name], col, t, fname, tz, info.normalizations, problems, values.get(col.name))
    info.extra_columns = [c for c in raw.columns if c not in t.names]
    for c in info.extra_columns:
        out[c] = raw[c]
    df = pd.DataFrame(out, index=raw.index)
    _check_table(df, raw, t, fname, problems)
    return df, info


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

    @property
    def ok(self) -> bool:
        return not self.problems and self.dataset is not None


def inspect(path: str | os.PathLike, *, tz: str = "Asia/Tokyo",
            mapping: str | os.PathLike | dict | None = None) -> CheckResult:
    """Read and check a data folder, returning every problem instead of raising.

    ``result.dataset`` is ``None`` when any problem was found.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder} "
                                "(give the folder that holds customers.csv, tickets.csv, …)")
    spec = read_mapping(mapping)
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, SourceInfo] = {}
    used: set[Path] = set()
    for name in TABLE_ORDER:
        t = TABLES[name]
        tspec = spec.get(name, {})
        file, others = _find_file(folder, name, tspec)
        if others:
            problems.append(Problem(name, file.name, f"more than one file for table '{name}': "
                                    f"{', '.join(p.name for p in [file, *others])}",
                                    "keep exactly one file per table"))
        if file is None:
            if t.required or tspec.get("file"):
                want = tspec.get("file") or f"{name}.csv"
                problems.append(Problem(name, want,
                                        f"the table '{name}' is required but {want} was not found in {folder}",
                                        f"export your {name} as {name}.csv (or .xlsx/.parquet) into this folder"))
            continue
        used.add(file)
        df, info = _load_table(file, t, tspec, tz, problems)
        sources[name] = info or SourceInfo(name, file.name, file.suffix.lstrip(".").lower(), None, 0, read=False)
        if df is not None:
            tables[name] = df
    if "customers" in tables:
        _check_references(tables, sources, problems)
    ignored = sorted(p.name for p in folder.iterdir() if p.is_file() and p not in used
                     and not p.name.startswith(".") and p.suffix.lower() in EXTENSIONS)
    ds = None
    if not problems and "customers" in tables:
        ds = Dataset(**tables, tz=tz, path=str(folder), sources=sources, ignored_files=ignored)
    return CheckResult(str(folder), tz, ds, problems, sources, ignored, tables)


def load(path: str | os.PathLike, *, tz: str = "Asia/Tokyo",
         mapping: str | os.PathLike | dict | None = None) -> Dataset:
    """Load a folder of exports into a validated :class:`Dataset`.

    Parameters
    ----------
    path : folder holding one file per table (``customers.csv``, ``tickets.xlsx``, …).
        ``customers`` is required; the other tables are optional (absent → ``None``).
    tz : business time zone; timestamps are converted to it (periods are cut in it).
    mapping : YAML file or dict renaming an export's columns and values to the canonical
        ones, per table (see ``data/mappings/``).

    Raises
    ------
    DataError
        listing every problem found (file, column, rows, examples, how to fix).

    Examples
    --------
    >>> ds = load("data/sample")  # from the repository's root
    >>> len(ds.customers), str(ds.tickets["created_at"].dt.tz), ds.goals is None
    (2000, 'Asia/Tokyo', False)
    """
    result = inspect(path, tz=tz, mapping=mapping)
    if result.problems:
        raise DataError(result.problems, source=str(path))
    return result.dataset
