"""Normalising and converting a column's values to its type (:mod:`csa.schema`), column by column.

Spaces stripped and full-width forms folded (each change counted), values renamed as the mapping
says, then numbers, booleans, categories, dates, months and timestamps (read in the business time
zone) converted; a value that does not convert, or breaks a column's rule, is a problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd

from ..errors import Problem
from ..schema import Column, Table
from .examples import _examples
from .fast import _arrow, _distinct_values, _every, _fast_datetime, _fast_number, _plain_text, _via_uniques

_TRUE = {"true", "t", "1", "yes", "y", "はい", "○", "〇", "済"}
_FALSE = {"false", "f", "0", "no", "n", "いいえ", "×", "未"}
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: the largest plausible value of a number column, by its unit: a larger one is a problem (an export of
#: cents or of scientific notation gone wrong, a placeholder such as 9.99e99), before any section sums it
PLAUSIBLE_MAX = {"JPY": 1e12, "minutes": 525_600.0}
_GROUPED = r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # thousands separators in groups of three: 4,850,000.5
_CURRENCY = r"^[¥\\$]?(?:%s)円?$"
# a comma that cannot be a thousands separator: 4850000,5 or 1,23 (a decimal comma?)
_GROUP_MARKS = ". \u00a0\u202f"  # thousands separators of decimal-comma numbers: 4.850.000,5, 4 850 000,5
_DECIMAL_COMMA = r"^[¥\\$€]?-?\d+(?:[" + _GROUP_MARKS + r"]\d{3})*,\d+(?:円|€)?$"
_DECIMAL_COMMA_NUMBER = r"^[¥\\$€]?(?:-?\d{1,3}(?:[" + _GROUP_MARKS + r"]\d{3})*|-?\d+)(?:,\d+)?(?:円|€)?$"
# timestamps are held as datetime64[ns]: years outside these cannot be held
_NS_LOW, _NS_HIGH = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")


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


def _problem(problems: list[Problem], t: Table, fname: str, col: Column, shown: pd.Series, rows: pd.Series,
             message: str, fix: str) -> None:
    """A problem of ``col`` on the ``rows`` (a mask) if there are any, with their count, row numbers and a few
    ``shown`` values."""
    if not rows.any():
        return
    n, numbers, vals = _examples(shown, rows)
    problems.append(Problem(t.name, fname, message, column=col.name, n_rows=n, rows=numbers, values=vals, fix=fix))


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
             problems: list[Problem], values_map: dict | None, decimal: str | None = None) -> pd.Series:
    """``s`` converted to ``col``'s kind; ``decimal`` (``","``: the mapping's ``decimal:``) reads numbers
    written with a decimal comma."""
    kind = col.kind
    if decimal == "," and kind in ("float", "int") and not values_map:
        values_map = {}  # numbers written with a decimal comma take the careful path
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

    if kind in ("float", "int", "datetime", "month") and values_map is None:  # written plainly: nothing to normalise
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
        _problem(problems, t, fname, col, raw, ~missing & ~lower.isin(col.allowed),
                 f"value not allowed; allowed: {', '.join(col.allowed)}",
                 "correct these values, or map your export's values in a mapping file (values:) — see data/README.md")
        return lower.astype("str")
    if kind in ("float", "int"):
        num = _fast_number(text) if decimal != "," else None
        if num is not None:
            return _finish_number(num, missing, raw, col, t, fname, problems)
        cleaned = text
        if kind == "float" and decimal == ",":
            written = ~missing & text.str.fullmatch(_DECIMAL_COMMA_NUMBER, na=False)
            changed = written & text.str.contains(r"[^\d-]", regex=True, na=False)
            if changed.any():
                counts[(col.name, "decimal commas read as decimal points (mapping: decimal: ',')")] += int(
                    changed.sum())
                cleaned = text.where(~written, text.str.replace("[" + _GROUP_MARKS + r"¥\\$€円]", "", regex=True)
                                     .str.replace(",", ".", regex=False))
            cleaned = cleaned.where(written | missing, "not a number")  # 1.5 is not a decimal-comma number
        elif kind == "float":
            comma = ~missing & text.str.contains(",", regex=False, na=False)
            decimal_like = comma & text.str.fullmatch(_DECIMAL_COMMA, na=False) \
                & ~text.str.fullmatch(_CURRENCY % _GROUPED, na=False)
            if decimal_like.any():  # this column shows decimal commas: none of its commas is read as a separator
                n_dec = int(decimal_like.sum())
                _problem(problems, t, fname, col, raw, comma,
                         f"a comma that is not a thousands separator ({n_dec:,} value{'s' if n_dec != 1 else ''} "
                         "such as 4850000,5 or 1,23: a decimal comma?); the column's commas are ambiguous, so "
                         "none is read as a thousands separator",
                         "if the comma is the decimal separator, say so in the mapping "
                         f"({t.name}: decimal: ','); otherwise write numbers with a decimal point and "
                         "thousands separators in groups of three (4,850,000.5), or none")
                cleaned = text.where(~comma, None)
                missing = missing | comma  # listed above, not again as "not a number"
            has_sep = ~missing & (text.str.fullmatch(_CURRENCY % _GROUPED, na=False)
                                  | (text.str.fullmatch(_CURRENCY % r"-?\d+(?:\.\d+)?", na=False)
                                     & text.str.contains(r"[¥\\$円]", regex=True, na=False)))
            if has_sep.any():
                counts[(col.name, "thousands separators / currency signs removed")] += int(has_sep.sum())
                cleaned = cleaned.where(~has_sep, text.str.replace(r"[,¥\\$円]", "", regex=True))
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
        _problem(problems, t, fname, col, raw, ~missing & out.isna(), "not a true/false value",
                 "use true/false (1/0, yes/no and はい/いいえ are accepted too)")
        return out
    if kind == "datetime":
        fast = _fast_datetime(text, col, tz, counts)
        return fast if fast is not None else _parse_datetime(text, missing, col, t, fname, tz, counts, problems, raw)
    if kind == "date":
        d = _via_uniques(text, lambda u: pd.to_datetime(u.str.slice(0, 10).str.replace("/", "-"), format="%Y-%m-%d",
                                                        errors="coerce"))
        _problem(problems, t, fname, col, raw, ~missing & d.isna(), "not a valid date (YYYY-MM-DD)",
                 "write dates as YYYY-MM-DD; check for impossible dates such as 02-30")
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
        _problem(problems, t, fname, col, raw, ~missing & months.isna(), "not a month (YYYY-MM)",
                 "write months as YYYY-MM, e.g. 2026-10")
        return months.dt.to_period("M")
    raise AssertionError(kind)


def _finish_number(num: pd.Series, missing: pd.Series, shown: pd.Series, col: Column, t: Table,
                   fname: str, problems: list[Problem]) -> pd.Series:
    infinite = np.isinf(num)
    _problem(problems, t, fname, col, shown, ~missing & (num.isna() | infinite), "not a number",
             "write plain numbers (digits, optional decimal point)")
    if infinite.any():
        num = num.where(~infinite)
    ok = num.notna()
    if col.kind == "int":
        frac = ok & (num % 1 != 0)
        if frac.any():
            _problem(problems, t, fname, col, shown, frac, "not a whole number", "use whole numbers")
        huge = ok & ~frac & (num.abs() > 2**53)
        if huge.any():
            _problem(problems, t, fname, col, shown, huge, "number too large to be a count or a score",
                     "correct these values")
        ok = ok & ~frac & ~huge
    if col.min is not None:
        low = ok & ((num <= col.min) if col.min_exclusive else (num < col.min))
        if low.any():
            what = ("negative" if col.min == 0 and not col.min_exclusive
                    else f"{'≤' if col.min_exclusive else '<'} {col.min:g}")
            must = f" (must be > {col.min:g})" if col.min_exclusive else ""
            _problem(problems, t, fname, col, shown, low, f"value is {what}" + must,
                     f"{col.name} must be {'>' if col.min_exclusive else '≥'} {col.min:g}"
                     + (f" and ≤ {col.max:g}" if col.max is not None else "")
                     + ("; credit notes and refunds belong in their own table" if col.unit == "JPY" else ""))
    plausible = PLAUSIBLE_MAX.get(col.unit) if col.max is None else None
    if plausible is not None:
        absurd = ok & (num.abs() > plausible)
        if absurd.any():
            _problem(problems, t, fname, col, shown, absurd,
                     f"value is implausibly large (above {plausible:,.0f} {col.unit}): the sums and averages of "
                     "every section would be swamped by it",
                     "correct these values (a placeholder such as 9.99e99, amounts in the wrong unit, or "
                     "digits run together?); data/README.md lists each column's plausible range")
            ok = ok & ~absurd
            num = num.where(~absurd)
    if col.max is not None:
        high = ok & (num > col.max)
        if high.any():
            hint = " (a percentage? write 0.78, not 78)" if col.max == 1 else ""
            _problem(problems, t, fname, col, shown, high, f"value is above {col.max:g}{hint}",
                     f"{col.name} must lie between {col.min:g} and {col.max:g}")
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
        _problem(problems, t, fname, col, shown, far,
                 "timestamp far outside any plausible range (year before 1678 or after 2261)",
                 "correct the year (a typo such as 2300 for 2030, or a placeholder date?)")


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
    _problem(problems, t, fname, col, raw, ~missing & out.isna() & ~far, "unparseable or impossible timestamp",
             "write ISO 8601 timestamps with an offset, e.g. 2026-10-01T09:30:00+09:00; check for impossible "
             "dates such as 02-30 or 25:00")
    return out
