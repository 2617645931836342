"""Rules over whole tables and the dataset: unique keys, ticket and survey rules, references between
tables, and dates within the accepted window (from :data:`EARLIEST` to one month after the data's
last month, found from each table's :data:`TIME_COLUMN`, unless ``time_window`` says otherwise).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem
from ..schema import SURVEY_SCALES, TABLES, Table
from .dataset import SourceInfo
from .examples import N_EXAMPLES, _examples
from .fast import _arrow
from .files import _threads
from .values import _MONTH

__all__ = ["EARLIEST", "PAIR_KEYS", "SIGNUP_TOLERANCE", "TIME_COLUMN"]


#: the earliest month a date may fall in unless ``time_window`` widens it
EARLIEST = "2000-01"
#: tables with one row per pair of columns: ``{table: (columns, the pair in words, how to fix)}``
PAIR_KEYS = {
    "subscriptions": (("customer_id", "month"), "customer and month",
                      "keep one row per customer and month: add up the MRR of a customer's contracts into one "
                      "row, or remove the repeated rows"),
    "support_costs": (("month", "team"), "month and team",
                      "keep one row per month and team: add up the costs of a team's month into one row, or "
                      "remove the repeated rows"),
    "usage": (("customer_id", "month"), "customer and month",
              "keep one row per customer and month: add up a customer's usage of the month into one row (seats, "
              "logins and features as the month's totals), or remove the repeated rows"),
}
PAIR_RULE = {"subscriptions": "a customer has one MRR per month, and repeated rows would be counted twice in MRR, "
                              "churn and NRR",
             "support_costs": "a team has one cost per month, and repeated rows would be counted twice in the cost "
                              "per incident",
             "usage": "a customer has one usage row per month, and repeated rows would be counted twice in the "
                      "health score's signals"}
#: the column that dates each table's rows (date ranges, periods, the data's last month)
TIME_COLUMN = {"customers": "signup_date", "subscriptions": "month", "orders": "ordered_at",
               "tickets": "created_at", "surveys": "responded_at", "goals": "started_at", "support_costs": "month",
               "usage": "month"}


def _check_table(df: pd.DataFrame, raw: pd.DataFrame, t: Table, fname: str, problems: list[Problem]) -> None:
    if t.key and t.key in df and not _distinct(df[t.key]):
        dup = df[t.key].notna() & df[t.key].duplicated(keep=False)
        if dup.any():
            n, rows, vals = _examples(df[t.key], dup)
            n_ids = df.loc[dup, t.key].nunique()
            problems.append(Problem(t.name, fname, f"duplicate {t.key} ({n_ids} ids occur more than once)",
                                    column=t.key, n_rows=n, rows=rows, values=vals,
                                    fix=f"{t.key} must be unique: remove repeated rows or fix the ids"))
    if t.name in PAIR_KEYS:
        _check_pair_key(df, raw, t, fname, problems)
    if t.name == "tickets":
        for c in ("first_response_at", "resolved_at"):
            before = df[c].notna() & df["created_at"].notna() & (df[c] < df["created_at"])
            if before.any():
                n, rows, vals = _examples(raw[c] if c in raw else df[c], before)
                problems.append(Problem(t.name, fname, f"{c} is before created_at", column=c, n_rows=n,
                                        rows=rows, values=vals,
                                        fix="check the export's time zone settings (all timestamps should carry "
                                            "the same offset), or correct these rows"))
    if t.name == "usage" and {"seats", "active_users"} <= set(df):
        over = (df["active_users"] > df["seats"]).fillna(False).to_numpy(bool)
        if over.any():
            shown = (df["active_users"].astype(str) + " active of " + df["seats"].astype(str) + " seats")
            n, rows, vals = _examples(shown, pd.Series(over, index=df.index))
            problems.append(Problem(t.name, fname, "more active users than seats", column="active_users",
                                    n_rows=n, rows=rows, values=vals,
                                    fix="check that the two columns are not swapped and count the same users (an "
                                        "export that counts guests as active users: map only the seat holders); "
                                        "leave seats empty where the plan has no seat limit"))
    if t.name == "surveys" and "score" in df and "survey" in df:
        top = df["scale"] if "scale" in df else None  # a stated scale (a good/bad CSAT: 1–2) replaces the usual
        for survey, (lo, hi) in SURVEY_SCALES.items():
            upper = hi if top is None else top.fillna(hi)
            m = (df["survey"] == survey) & df["score"].notna() & ((df["score"] < lo) | (df["score"] > upper))
            if m.any():
                n, rows, vals = _examples(raw["score"] if "score" in raw else df["score"], m.fillna(False))
                problems.append(Problem(t.name, fname, f"{survey.upper()} score outside its scale {lo}–{hi}",
                                        column="score", n_rows=n, rows=rows, values=vals,
                                        fix=f"{survey.upper()} scores run from {lo} to {hi}; check the survey "
                                            "column, or rescale the export (e.g. a 1–10 scale is not NPS)"))


def _pair_codes(s: pd.Series) -> np.ndarray:
    """Integer codes of a key column's values (equal values, equal codes; missing values share one code)."""
    if isinstance(s.dtype, pd.PeriodDtype):
        return np.where(s.isna().to_numpy(), np.iinfo(np.int64).min, s.array.asi8)
    a = _arrow(s)
    if a is not None:
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(a).combine_chunks()
        return pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.factorize(s, use_na_sentinel=True)[0].astype(np.int64)


def _check_pair_key(df: pd.DataFrame, raw: pd.DataFrame, t: Table, fname: str, problems: list[Problem]) -> None:
    """One row per :data:`PAIR_KEYS` pair (customer and month, month and team): repeated pairs are a problem."""
    cols, what, fix = PAIR_KEYS[t.name]
    if any(c not in df for c in cols) or len(df) < 2:
        return
    a, b = (_pair_codes(df[c]) for c in cols)
    b_span = int(b.max()) - int(b.min()) + 1 if len(b) else 1
    if b_span < 2**31 and int(a.max()) - int(a.min()) < 2**31:
        pairs = (a - a.min()) * b_span + (b - b.min())  # one integer per pair
        if (pairs[1:] > pairs[:-1]).all() or len(np.unique(pairs)) == len(pairs):  # sorted exports: no sort
            return
    dup = df.duplicated(subset=list(cols), keep=False)
    if not dup.any():
        return
    shown = pd.Series([" ".join(_cell(raw, df, c, i) for c in cols) for i in df.index[dup][:N_EXAMPLES]],
                      index=df.index[dup][:N_EXAMPLES])
    n_pairs = int((dup & ~df.duplicated(subset=list(cols), keep="first")).sum())
    n, rows, vals = _examples(shown.reindex(df.index), dup)
    problems.append(Problem(t.name, fname, f"more than one row for the same {what} ({n_pairs:,} "
                                           f"{'pairs occur' if n_pairs != 1 else 'pair occurs'} more than once): "
                                           f"{PAIR_RULE[t.name]}",
                            column=", ".join(cols), n_rows=n, rows=rows, values=vals, fix=fix))


def _cell(raw: pd.DataFrame, df: pd.DataFrame, c: str, i) -> str:
    v = raw[c].loc[i] if c in raw else df[c].loc[i]
    return "(empty)" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


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


def _check_references(tables: dict[str, pd.DataFrame], sources: dict[str, SourceInfo], problems: list[Problem]
                      ) -> dict[tuple[str, str], np.ndarray]:
    """``customer_id`` and a survey's ``ticket_id`` found in the table they refer to. Returns, where it was
    found by Arrow, each referring row's position in that table (``-1``: absent), for :func:`_check_relations`."""
    checks = [(name, "customer_id", "customers") for name, df in tables.items()
              if name != "customers" and "customer_id" in df]
    if "surveys" in tables and "tickets" in tables:
        checks.append(("surveys", "ticket_id", "tickets"))
    positions: dict[tuple[str, str], np.ndarray] = {}

    def unknown(check: tuple[str, str, str]) -> pd.Series:
        name, column, other = check
        s = tables[name][column]
        if _arrow(s) is not None and _arrow(tables[other][column]) is not None:
            at = positions[(name, column)] = _positions(s, tables[other][column])
            return pd.Series(at < 0, index=s.index) & s.notna()
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
    return positions


#: how long before a customer's signup_date an order or ticket may be dated without a warning: a month
#: (exports often date a customer's first month's invoice on the 1st, before the signup day)
SIGNUP_TOLERANCE = pd.Timedelta(days=31)


def _check_relations(tables: dict[str, pd.DataFrame], sources: dict[str, SourceInfo], tz: str,
                     problems: list[Problem], warnings: list[Problem],
                     positions: dict[tuple[str, str], np.ndarray] | None = None) -> None:
    """Rules between rows of two tables (documented in data/README.md, "Rules between tables").

    Errors: a survey's ticket raised by another customer; a survey answered before its ticket was
    created. Warnings: orders and tickets dated more than :data:`SIGNUP_TOLERANCE` before their
    customer's signup_date. ``positions``: what :func:`_check_references` found (else looked up here).
    """
    positions = positions or {}
    nat = np.iinfo(np.int64).min  # a missing timestamp's microseconds
    surveys, tickets, customers = tables.get("surveys"), tables.get("tickets"), tables.get("customers")
    if surveys is not None and tickets is not None and {"ticket_id", "customer_id", "responded_at"} <= set(surveys) \
            and {"ticket_id", "customer_id", "created_at"} <= set(tickets) and surveys["ticket_id"].notna().any():
        if _unique(tickets["ticket_id"]):
            at = positions.get(("surveys", "ticket_id"))
            if at is None:
                at = _positions(surveys["ticket_id"], tickets["ticket_id"])
            rows_ = np.flatnonzero(at >= 0)  # answers tied to a ticket that exists
            pos = at[rows_]
            sub_index = surveys.index[rows_]
            fname = sources["surveys"].file
            wrong, other = _differ(surveys["customer_id"], rows_, tickets["customer_id"], pos)
            if wrong.any():
                bad = pd.Series(False, index=surveys.index)
                bad[sub_index[wrong]] = True
                shown = pd.Series(None, index=surveys.index, dtype=object)
                some = np.flatnonzero(wrong)[:N_EXAMPLES]
                for i, o in zip(sub_index[some], [other[int(j)] for j in some], strict=True):
                    o = o.as_py() if hasattr(o, "as_py") else o
                    shown[i] = f"{surveys.at[i, 'ticket_id']}: {surveys.at[i, 'customer_id']} (ticket's: {o})"
                n, rows, vals = _examples(shown, bad)
                problems.append(Problem(
                    "surveys", fname, "the survey's ticket was raised by another customer (ticket_id's customer_id "
                    "in tickets differs from the survey's customer_id)", column="ticket_id", n_rows=n, rows=rows,
                    values=vals, fix="check that both exports use the same customer ids (an id from another system, "
                                     "or a shifted column?), or correct the ticket_id of these answers"))
            created, answered = _instants(tickets["created_at"], surveys["responded_at"])
            created, answered = created[pos], answered[rows_]
            early = (created != nat) & (answered != nat) & (answered < created)
            if early.any():
                bad = pd.Series(False, index=surveys.index)
                bad[sub_index[early]] = True
                shown = pd.Series(None, index=surveys.index, dtype=object)
                for i, c in zip(sub_index[early][:N_EXAMPLES], created[early][:N_EXAMPLES], strict=False):
                    shown[i] = (f"{surveys.at[i, 'ticket_id']}: answered {_when(surveys.at[i, 'responded_at'])}, "
                                f"ticket created {_when(pd.Timestamp(c, tz='UTC').tz_convert(tz))}")
                n, rows, vals = _examples(shown, bad)
                problems.append(Problem(
                    "surveys", fname, "answered before its ticket was created (responded_at is earlier than the "
                    "ticket's created_at)", column="responded_at", n_rows=n, rows=rows, values=vals,
                    fix="check the time zones of both exports (every timestamp should carry its UTC offset) and "
                        "the ticket_id of these answers"))
    if customers is None or not {"customer_id", "signup_date"} <= set(customers):
        return
    if not _unique(customers["customer_id"]):
        return
    signup = customers["signup_date"]
    for name, col in (("orders", "ordered_at"), ("tickets", "created_at")):
        df = tables.get(name)
        if df is None or col not in df or "customer_id" not in df or getattr(df[col].dt, "tz", None) is None:
            continue
        at = positions.get((name, "customer_id"))
        if at is None:
            at = _positions(df["customer_id"], customers["customer_id"])
        # the signup day's start in business time, less the tolerance, as UTC microseconds (per customer)
        limit, when_us = _instants(signup.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT") - SIGNUP_TOLERANCE,
                                   df[col])
        first = limit[np.maximum(at, 0)]
        before_ = (at >= 0) & (first != nat) & (when_us != nat) & (when_us < first)
        if not before_.any():
            continue
        before = pd.Series(before_, index=df.index)
        start = pd.Series(signup.to_numpy()[np.maximum(at, 0)], index=df.index)
        when = df[col]
        shown = pd.Series(None, index=df.index, dtype=object)
        for i in df.index[before][:N_EXAMPLES]:
            shown[i] = (f"{df.at[i, 'customer_id']}: {col} {_when(when[i])}, signup_date "
                        f"{pd.Timestamp(start[i]).strftime('%Y-%m-%d')}")
        n, rows, vals = _examples(shown, before)
        n_customers = df.loc[before, "customer_id"].nunique()
        warnings.append(Problem(
            name, sources[name].file, f"dated more than {SIGNUP_TOLERANCE.days} days before the customer's "
            f"signup_date ({n_customers:,} customer{'s' if n_customers != 1 else ''})", column=col,
            n_rows=n, rows=rows, values=vals,
            fix="check the signup_date of these customers in customers (the first subscription, not a later "
                "contract?) and the dates of these rows"))


def _instants(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Two timestamp columns as int64 counts since 1970 in one unit (UTC for tz-aware ones; missing: the
    smallest int64): their own when they share it, else microseconds (nanosecond timestamps against
    microsecond dates, far dates such as 1500-01-01 included)."""
    if a.dt.unit == b.dt.unit:
        return a.array.asi8, b.array.asi8
    try:  # the coarser column (dates: the smaller table) to nanoseconds
        return tuple(s.array.asi8 if s.dt.unit == "ns" else s.dt.as_unit("ns").array.asi8 for s in (a, b))
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        return a.dt.as_unit("us").array.asi8, b.dt.as_unit("us").array.asi8


def _differ(a: pd.Series, at_a: np.ndarray, b: pd.Series, at_b: np.ndarray) -> tuple[np.ndarray, Any]:
    """Where ``a[at_a]`` and ``b[at_b]`` both hold a value and differ; and ``b[at_b]`` (for examples)."""
    x, y = _arrow(a), _arrow(b)
    if x is not None and y is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        xs, ys = x.take(pa.array(at_a)), y.take(pa.array(at_b))
        ne = pc.fill_null(pc.not_equal(xs, ys), False).to_numpy(zero_copy_only=False).astype(bool)
        return ne, ys
    xs, ys = a.to_numpy(dtype=object)[at_a], b.to_numpy(dtype=object)[at_b]
    return (xs != ys) & pd.notna(xs) & pd.notna(ys), ys


def _unique(s: pd.Series) -> bool:
    return _distinct(s) or (not s.isna().any() and s.is_unique)


def _positions(s: pd.Series, ids: pd.Series) -> np.ndarray:
    """The position of each value of ``s`` among ``ids`` (distinct values); -1 where absent or missing."""
    a, v = _arrow(s), _arrow(ids)
    if a is not None and v is not None:
        import pyarrow.compute as pc

        at = pc.index_in(a, value_set=v.combine_chunks(), skip_nulls=True)
        return pc.fill_null(at, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.Index(ids).get_indexer(s).astype(np.int64)


def _when(v) -> str:
    return v.strftime("%Y-%m-%d %H:%M") if hasattr(v, "strftime") else str(v)


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
