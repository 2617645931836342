"""Tables for people: rounded, labelled in the report's language, no raw ``NaN``.

>>> tab = pd.DataFrame({"touchpoint": ["web_visit", "Pro"], "n": [40, 3], "nps": [12.345, None],
...                     "p_value": [0.0123, 0.027], "small_n": [False, True]})
>>> out = format_table(tab, "ja", ns="nps", missing="回答なし")
>>> out.index.tolist(), out.columns.tolist()
(['Webサイト訪問', 'Pro'], ['回答数', 'NPS', 'p値', '件数不足'])
>>> out.loc["Pro"].tolist()[1:]
['回答なし', '検定せず（30件未満）', '⚠ 30件未満']
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..labels import check_lang, t

__all__ = ["INDEX_COLUMNS", "VALUE_COLUMNS", "format_table"]

#: the first of these present becomes the table's index (it names the rows)
INDEX_COLUMNS = ("customer_id", "period", "touchpoint", "segment", "plan", "channel", "team", "group")
#: columns whose values are translated when the handbook knows them
VALUE_COLUMNS = ("touchpoint", "segment", "plan", "channel", "group")


#: integer columns shown as written (a year, an hour of the day), not as counts with separators
_PLAIN_INTS = frozenset({"year", "hour", "weekday", "month_of_year", "day", "rank", "fiscal_year"})


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) \
        and math.isfinite(float(v))


def _all_numbers(col: pd.Series) -> bool:
    """Whether a text column's values are numbers (or missing, or a dash), with at least one number."""
    vals = [v for v in col if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return any(_is_number(v) for v in vals) and all(_is_number(v) or v in ("—", "-", "") for v in vals)


def _number(v, digits: int) -> str:
    """``v`` with thousands separators, ``digits`` decimals and the minus sign U+2212 (``−1,234.5``)."""
    return f"{v:,.{digits}f}".replace("-", "\u2212")


def format_table(table: pd.DataFrame, lang: str = "en", *, ns: str = "common", digits: int = 1,
                 p_digits: int = 3, min_n: int = 30, missing: str = "—",
                 drop: Sequence[str] = ("se", "excluded"), index: str | None = None) -> pd.DataFrame:
    """A copy of ``table`` ready to show: rounded, translated, with readable flags.

    Parameters
    ----------
    table : DataFrame
        Any tidy table from :mod:`csa.metrics` or :mod:`csa.views`.
    lang : str
        ``"en"`` or ``"ja"``.
    ns : str
        Labels namespace (the notebook's id).
    digits, p_digits : int
        Decimals for estimates and for p-values; with ``digits=0`` numbers are shown whole, with
        thousands separators (``15,333,000``).
    min_n : int
        The small-n threshold, for the flag text.
    missing : str
        Shown instead of a missing number (e.g. "no responses").
    drop : sequence of str
        Columns left out when present.
    index : str, optional
        Column to use as the row labels; default the first of :data:`INDEX_COLUMNS` present.

    Returns
    -------
    DataFrame
        Without the columns that are empty in every row (e.g. the small-n flag when no row is too
        small; a missing *number* is shown as ``missing`` and keeps its column). Periods as text,
        timestamps as ``YYYY-MM-DD HH:MM``, ``small_n`` as a warning sign, the
        p-value of a small-n row as "not tested", a p-value below ``10**-p_digits`` as "< 0.001",
        missing numbers as ``missing``, missing text as an empty cell, column names and known values
        in ``lang``.
    """
    check_lang(lang)
    out = table.drop(columns=[c for c in drop if c in table.columns])
    small = out["small_n"].astype(bool) if "small_n" in out.columns else None
    for c in out.columns:
        col = out[c]
        if c == "small_n":
            out[c] = col.map({True: t("small_n_mark", lang, ns, min_n=min_n), False: ""}).astype(object)
        elif isinstance(col.dtype, pd.PeriodDtype):
            out[c] = col.astype(str)
        elif pd.api.types.is_datetime64_any_dtype(col):
            out[c] = col.dt.strftime("%Y-%m-%d %H:%M").astype(object).where(col.notna(), "")
        elif pd.api.types.is_float_dtype(col):
            r = col.round(p_digits if c == "p_value" else digits).astype(object)
            if c != "p_value":  # the house style: 15,333,000 and −7.5 (thousands separators, one minus sign)
                d = digits
                r = r.map(lambda v, d=d: _number(v, d) if pd.notna(v) and math.isfinite(v) else v)
            r = r.where(col.notna(), missing)
            if c == "p_value":
                r = r.where(~(col < 10 ** -p_digits), f"< {10 ** -p_digits:g}")  # not a rounded 0.0
                if small is not None:
                    r = r.where(~small, t("not_tested", lang, ns, min_n=min_n))
            out[c] = r
        elif pd.api.types.is_integer_dtype(col) and not pd.api.types.is_bool_dtype(col) and c not in _PLAIN_INTS:
            out[c] = col.astype(object).map(lambda v: _number(v, 0) if pd.notna(v) else "").astype(object)
        elif pd.api.types.is_object_dtype(col) and c not in VALUE_COLUMNS and _all_numbers(col):
            # numbers kept in a text column (a table mixing counts and dashes): the same house style
            shown = col.map(lambda v: _number(v, 0 if isinstance(v, (int, np.integer)) else digits)
                            if _is_number(v) else v)
            out[c] = shown.astype(object).where(col.notna(), missing)
        elif pd.api.types.is_string_dtype(col) or pd.api.types.is_object_dtype(col):
            shown = col.map(lambda v: t(v, lang, ns)) if c in VALUE_COLUMNS else col
            out[c] = shown.astype(object).where(col.notna(), "")
    key = index or next((c for c in INDEX_COLUMNS if c in out.columns), None)
    if len(out):  # a column with nothing in it (no row too few to read, no note) is left out, never shown empty
        empty = [c for c in out.columns if c != key and out[c].map(lambda v: v is None or v == "" or
                                                                     (isinstance(v, float) and math.isnan(v))).all()]
        out = out.drop(columns=empty)
    out = out.rename(columns=lambda c: t(c, lang, ns) if isinstance(c, str) else c)
    if key is not None and key in table.columns:
        return out.set_index(t(key, lang, ns))
    if len(out) == 1:
        out.index = pd.Index([t("all", lang, ns)])
    return out
