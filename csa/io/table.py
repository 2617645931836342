"""One table from its file: the header checked, the mapping's column names applied, every column
converted (:mod:`csa.io.values`) and the table's own rules checked (:mod:`csa.io.checks`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter

import pandas as pd

from ..errors import Problem
from ..schema import Column, Table
from .checks import _check_table
from .dataset import SourceInfo
from .examples import _examples, _letter
from .files import _cell_text, _Entry, _read_file
from .mapping import _closest
from .values import _convert


def _fold(name: str) -> str:
    """A name folded for comparison: NFKC, case, spaces and punctuation ignored."""
    return re.sub(r"[\s_\-・.()（）]", "", unicodedata.normalize("NFKC", name).casefold())


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
    warnings: list[Problem] = []
    raw, enc, sheet = _read_file(entry, t, spec, problems, warnings)
    if raw is None:
        return None, SourceInfo(t.name, fname, fmt, enc, 0, read=False, sheet=sheet)
    raw = raw.reset_index(drop=True)
    info = SourceInfo(t.name, fname, fmt, enc, len(raw), sheet=sheet, warnings=warnings)
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
            + f"the file has {len(raw.columns)} column{'s' if len(raw.columns) != 1 else ''}: "
            + ", ".join(map(str, raw.columns)),
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
            info.absent_columns.append(col.name)
            s = pd.Series(None, index=raw.index, dtype=object)
            out[col.name] = _convert(s, col, t, fname, tz, info.normalizations, problems, None)
            continue
        out[col.name] = _convert(raw[col.name], col, t, fname, tz, info.normalizations, problems,
                                 values.get(col.name), decimal=spec.get("decimal"))
        if col.kind in ("datetime", "date", "month"):
            shown[(t.name, col.name)] = raw[col.name]
    info.extra_columns = [c for c in raw.columns if c not in t.names]
    for c in info.extra_columns:
        out[c] = raw[c]
    df = pd.DataFrame(out, index=raw.index)
    _check_table(df, raw, t, fname, problems)
    return df, info
