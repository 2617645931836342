"""One entry point for every catalogue KPI: :func:`measure`; with :func:`history`, :func:`table`, :func:`compare`.

>>> import csa
>>> ds = csa.load(csa.datasets.sample_dir())
>>> r = csa.measure("fcr", ds, period="2026-10")
>>> r.kpi, r.n, round(r.value, 1), round(r.low, 1), round(r.high, 1)
('fcr', 1136, 61.1, 58.2, 63.9)
>>> r.params
{'definition': 'one_touch', 'date_by': None}

The same on DuckDB (the rows are scanned by DuckDB; only the small counts table comes back):

>>> d = csa.measure("fcr", ds, period="2026-10", engine="duckdb")
>>> (d.value, d.low, d.high, d.n) == (r.value, r.low, r.high, r.n), d.engine
(True, 'duckdb')
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import stats as S
from ..periods import label, pandas_freq, parse_period
from . import estimate as E
from .catalog import KPIS
from .kernels import Goals, Query, Rows, _collect, scope
from .source import open_tables
from .spec import KPI

__all__ = ["HISTORY_COLUMNS", "Result", "compare", "drivers", "get", "history", "measure", "rows", "table"]

#: attributes :func:`rows` attaches from the customers (and, to survey answers, from their tickets)
CUSTOMER_ATTRIBUTES = ("segment", "plan", "region", "csm")
TICKET_ATTRIBUTES = ("channel", "category", "priority", "team", "agent")

#: the columns of :func:`history`
HISTORY_COLUMNS = ["period", "n", "value", "low", "high", "small_n", "excluded", "successes", "sd", "promoters",
                   "detractors"]


def get(kpi: str | KPI) -> KPI:
    """The catalogue entry of ``kpi`` (an id or an entry); a ``KeyError`` listing the ids otherwise."""
    if isinstance(kpi, KPI):
        return kpi
    try:
        return KPIS[kpi]
    except KeyError:
        raise KeyError(f"no KPI {kpi!r} in the catalogue; it has: {', '.join(KPIS)}") from None


def _where(where: dict | None) -> dict[str, tuple]:
    out = {}
    for k, v in (where or {}).items():
        vals = v if isinstance(v, (list, tuple, set)) else [v]
        out[str(k)] = tuple(str(x) for x in vals)
    return out


def _period(period, freq: str) -> pd.Period:
    if isinstance(period, pd.Period):
        return period.asfreq(pandas_freq(freq), "end") if period.freqstr != pandas_freq(freq) else period
    return parse_period(str(period), freq)


def _from_ordinal(o: int, freq: str) -> pd.Period:
    return pd.Period(ordinal=int(o), freq=pandas_freq(freq))


def _num(x) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return math.nan
    return x


@dataclass(frozen=True)
class Result:
    """A KPI's value in one period: the one result shape of :func:`measure`.

    Attributes
    ----------
    kpi : str
        The catalogue id.
    period : str
        The period's label (``2026-10``, ``2026Q3``, ``FY2026``).
    value, low, high : float
        The estimate and its interval at ``level`` (NaN when there is no data, or no interval).
    n : int
        Observations behind the value (answers, tickets, customers at the start, …).
    params : dict
        Every parameter of the KPI with the value used (defaults filled in).
    where : dict
        The subset measured (column → values); empty for everyone.
    level : float
        Confidence level of the interval.
    engine : str
        Where the rows were aggregated.
    excluded : int
        Rows the KPI left out (missing or invalid values, outside the denominator), counted.
    row : dict
        The aggregation behind it (counts, sums, order statistics) and the statistic's extras
        (``successes``, ``sd``, ``promoters``, ``detractors``, …), for changes and sample sizes.
    """

    kpi: str
    period: str
    value: float
    low: float
    high: float
    n: int
    params: dict[str, Any]
    where: dict[str, tuple] = field(default_factory=dict)
    level: float = 0.95
    engine: str = "pandas"
    excluded: int = 0
    freq: str = "month"
    row: dict[str, Any] = field(default_factory=dict, repr=False)
    #: optional columns of the KPI's table that the data does not have: the KPI is not computed (n 0, NaN)
    missing: tuple[str, ...] = ()

    @property
    def entry(self) -> KPI:
        return get(self.kpi)

    @property
    def unit(self) -> str:
        return self.entry.unit

    @property
    def direction(self) -> str:
        return self.entry.direction

    @property
    def key(self) -> str:
        """The KPI with its parameters (and subset) as one text: two results with the same key measure the same."""
        k = self.entry.key(self.params)
        if self.where:
            k += "[" + ",".join(f"{c}={'/'.join(v)}" for c, v in sorted(self.where.items())) + "]"
        return k

    def small_n(self, min_n: int = 30) -> bool:
        return self.n < min_n

    def __str__(self) -> str:
        e = self.entry
        if not self.n or math.isnan(self.value):
            return f"{e.title('en')} {self.period}: no data"
        d = e.fmt.digits
        ci = "" if math.isnan(self.low) else f" [{self.low:.{d}f}, {self.high:.{d}f}]"
        return f"{e.title('en')} {self.period}: {self.value:.{d}f} {self.unit}{ci}, n = {self.n:,}"


def _estimate(k: KPI, counts: pd.DataFrame, p: dict, level: float) -> pd.DataFrame:
    if counts.empty:
        return counts.assign(value=pd.Series(dtype=float), low=pd.Series(dtype=float), high=pd.Series(dtype=float))
    return k.kernel.statistic.estimate(counts.reset_index(drop=True), p, level)


def _counts(k: KPI, data, p: dict, q: Query, engine: str, tz, mapping):
    tables = open_tables(data, engine=engine, tz=tz, mapping=mapping)
    for t in (k.table, *k.needs):
        tables.frame(t)  # a missing table: a clear error before anything runs
    return tables, k.kernel.counts(tables, p, q)


def measure(kpi: str | KPI, data, *, period, freq: str = "month", engine: str = "pandas", level: float = 0.95,
            where: dict | None = None, tz: str | None = None, mapping=None, **params) -> Result:
    """A KPI of the catalogue in one period, with its interval: the same on every engine.

    Parameters
    ----------
    kpi : str or KPI
        A catalogue id (:data:`csa.KPIS`), e.g. ``"nps"``, ``"fcr"``, ``"frt"``, ``"churn"``.
    data : Dataset, folder, dict or Tables
        A :class:`~csa.Dataset` (:func:`csa.load`), a folder of exports, a dict of table name →
        DuckDB relation or PySpark DataFrame, or :class:`csa.kpi.source.Tables`.
    period : str or pandas.Period
        ``"2026-10"`` (a month), ``"2026Q3"`` (with ``freq="quarter"``) or ``"FY2026"``
        (``freq="fiscal_year"``, April start).
    freq : str
        ``"month"``, ``"quarter"`` or ``"fiscal_year"``.
    engine : {"pandas", "duckdb", "spark"}
        Where the rows are aggregated (a Dataset's frames are handed to DuckDB or Spark).
    level : float
        Confidence level of the interval.
    where : dict, optional
        A subset: column → value or values, of the KPI's table or of its customers
        (``{"team": "osaka"}``, ``{"segment": ["smb", "mid"]}``).
    tz, mapping
        Time zone and mapping when ``data`` is a folder (as in :func:`csa.load`).
    **params
        The KPI's parameters (see ``csa.KPIS[kpi].params``): ``definition="zendesk"`` for FCR,
        ``clock="calendar"`` for a time, ``touchpoint="relationship"`` for NPS, … Unknown names
        and values outside a parameter's range raise ``ValueError``.

    Returns
    -------
    Result
        ``kpi``, ``period``, ``value``, ``low``, ``high``, ``n``, ``params`` (all, defaults
        filled in), ``where``, ``level``, ``engine``, ``excluded`` and the aggregation ``row``.
        ``n == 0`` and NaN values when the period has no data; the same, with ``missing`` naming
        them, when the data lacks an optional column the KPI reads (complaints without
        ``is_complaint``, handle time without ``handle_time_min``): never computed from empty columns.

    Raises
    ------
    KeyError
        An id not in the catalogue.
    ValueError
        A parameter the KPI does not have or a value it does not take; a ``where`` column that
        neither the rows nor their customers have.
    DataError
        A table the KPI is counted from is missing.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> r = csa.measure("nps", ds, period="2026-10", touchpoint="relationship")
    >>> r.n, round(r.value, 1), r.params["method"]
    (564, -22.5, 'adjusted-wald')
    >>> csa.measure("frt", ds, period="2026-10", statistic="median").params["clock"]
    'business'
    >>> ds.tickets = ds.tickets.drop(columns="is_complaint")   # an export without complaints
    >>> r = csa.measure("complaints", ds, period="2026-10")
    >>> r.n, r.missing
    (0, ('is_complaint',))
    """
    k = get(kpi)
    p = k.resolve(params)
    per = _period(period, freq)
    q = Query(freq, (per.ordinal,), (), _where(where), level)
    plabel = label(per, freq)
    tables = open_tables(data, engine=engine, tz=tz, mapping=mapping)
    missing = tuple(c for c in k.kernel.inputs(p) if tables.has(k.table) and tables.lacks(k.table, c))
    if missing:  # not computed from empty columns: the result says which columns are missing
        return Result(k.id, plabel, math.nan, math.nan, math.nan, 0, p, q.where, level, tables.engine, 0, freq,
                      missing=missing)
    tables, counts = _counts(k, tables, p, q, engine, tz, mapping)
    est = _estimate(k, counts, p, level)
    row = est[est["period"] == per.ordinal] if len(est) else est
    if not len(row) or not int(row["n"].iloc[0]):
        excl = int(row["excluded"].iloc[0]) if len(row) and "excluded" in row else 0
        return Result(k.id, plabel, math.nan, math.nan, math.nan, 0, p, q.where, level, tables.engine, excl, freq,
                      {} if not len(row) else _plain(row.iloc[0]))
    r = row.iloc[0]
    return Result(k.id, plabel, _num(r["value"]), _num(r["low"]), _num(r["high"]), int(r["n"]), p, q.where, level,
                  tables.engine, int(r["excluded"]) if "excluded" in r and pd.notna(r["excluded"]) else 0, freq,
                  _plain(r))


def _plain(r: pd.Series) -> dict[str, Any]:
    out = {}
    for k, v in r.items():
        if isinstance(v, (np.integer, np.bool_)):
            v = v.item()
        elif isinstance(v, np.floating):
            v = float(v)
        out[str(k)] = v
    return out


def table(kpi: str | KPI, data, *, by: str | Iterable[str] = (), period=None, freq: str = "month",
          engine: str = "pandas", level: float = 0.95, min_n: int = 30, where: dict | None = None,
          tz: str | None = None, mapping=None, **params) -> pd.DataFrame:
    """A KPI per period and group: one row each, with ``value``, ``low``, ``high``, ``n``.

    Parameters
    ----------
    kpi, data, freq, engine, level, where, tz, mapping, **params
        As in :func:`measure`.
    by : str or list of str
        Grouping columns of the KPI's table (``"touchpoint"``, ``"team"``, ``"channel"``, …).
    period : str or pandas.Period, optional
        One period; default every period of the data.
    min_n : int
        Rows with fewer observations are flagged ``small_n``.

    Returns
    -------
    DataFrame
        ``period`` (pandas Period), the ``by`` columns, ``n``, ``value``, ``low``, ``high``,
        ``small_n`` and the aggregation's columns; groups sorted.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> t = csa.kpi.table("fcr", ds, by="team", period="2026-10")
    >>> t[["team", "n", "value"]].round(1)
          team    n  value
    0  fukuoka  236   55.5
    1    osaka  388   66.5
    2    tokyo  512   59.6
    """
    k = get(kpi)
    p = k.resolve(params)
    keys = tuple([by] if isinstance(by, str) else by)
    periods = None if period is None else (_period(period, freq).ordinal,)
    q = Query(freq, periods, keys, _where(where), level)
    _, counts = _counts(k, data, p, q, engine, tz, mapping)
    out = _estimate(k, counts, p, level)
    if len(out):
        out = out[out["period"].notna()].reset_index(drop=True)
        out["period"] = pd.PeriodIndex.from_ordinals(out["period"].astype("int64"), freq=pandas_freq(freq))
    out["small_n"] = S.small_n(out["n"].to_numpy(dtype=float), min_n) if len(out) else pd.Series(dtype=bool)
    front = ["period", *keys, "n", "value", "low", "high", "small_n"]
    return out[[*front, *(c for c in out.columns if c not in front)]]


def history(kpi: str | KPI, data, *, freq: str = "month", until=None, engine: str = "pandas", level: float = 0.95,
            min_n: int = 30, where: dict | None = None, tz: str | None = None, mapping=None,
            **params) -> pd.DataFrame:
    """A KPI in every period of the data up to ``until``: the scorecard's trend and the SMART check read it.

    Parameters
    ----------
    kpi, data, freq, engine, level, where, tz, mapping, **params
        As in :func:`measure`.
    until : str or pandas.Period, optional
        The last period (the report period); default the data's last.
    min_n : int
        Periods with fewer observations are flagged ``small_n``.

    Returns
    -------
    DataFrame
        One row per period from the data's first to ``until`` (a period without data has
        ``n == 0`` and missing values): :data:`HISTORY_COLUMNS` — ``period``, ``n``, ``value``,
        ``low``, ``high``, ``small_n``, ``excluded`` and for changes and sample sizes
        ``successes`` (shares), ``sd`` (means), ``promoters``, ``detractors`` (NPS counts), then
        the rest of the aggregation.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> h = csa.kpi.history("churn", ds)
    >>> str(h["period"].iloc[0]), str(h["period"].iloc[-1]), len(h)
    ('2024-12', '2026-10', 23)
    """
    k = get(kpi)
    p = k.resolve(params)
    tables = open_tables(data, engine=engine, tz=tz, mapping=mapping)
    span = k.kernel.span(tables, p, freq)
    code = pandas_freq(freq)
    last = None if until is None else _period(until, freq).ordinal
    if span is None:
        idx = pd.PeriodIndex([], freq=code)
        counts = pd.DataFrame(columns=["period", "n"])
    else:
        first, hi = span
        hi = hi if last is None else last
        idx = pd.period_range(_from_ordinal(first, freq), _from_ordinal(hi, freq), freq=code) if first <= hi else \
            pd.PeriodIndex([], freq=code)
        q = Query(freq, tuple(int(x) for x in idx.asi8), (), _where(where), level)
        _, counts = _counts(k, tables, p, q, tables.engine, tz, None)
    est = _estimate(k, counts, p, level)
    est = est.assign(period=pd.PeriodIndex.from_ordinals(est["period"].astype("int64"), freq=code)) if len(est) \
        else est.assign(period=pd.PeriodIndex([], freq=code))
    h = est.set_index("period").reindex(idx)
    h.index.name = "period"
    h = h.reset_index()
    h["n"] = h["n"].fillna(0).astype("int64")
    for c in HISTORY_COLUMNS:
        if c not in h.columns:
            h[c] = np.nan
    h["small_n"] = S.small_n(h["n"].to_numpy(dtype=float), min_n)
    return h[[*HISTORY_COLUMNS, *(c for c in h.columns if c not in HISTORY_COLUMNS)]]


def compare(a: Result, b: Result) -> dict[str, Any] | None:
    """The change ``a − b`` of two results of the same KPI and parameters, with its interval and p-value.

    Returns ``{"vs", "diff", "low", "high", "p_value"}`` (``low``/``high``/``p_value`` are ``None``
    where the KPI has no test: medians, totals, ratios), or ``None`` when either has no data.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> a, b = (csa.measure("fcr", ds, period=p) for p in ("2026-10", "2026-09"))
    >>> c = csa.kpi.compare(a, b)
    >>> c["vs"], round(c["diff"], 1), c["p_value"] > 0.05
    ('2026-09', -0.1, True)
    """
    if a.key != b.key:
        raise ValueError(f"compare results of the same KPI, parameters and subset; got {a.key} and {b.key}")
    if not (a.n and b.n) or math.isnan(a.value) or math.isnan(b.value):
        return None
    ra, rb = pd.Series(a.row), pd.Series(b.row)
    d = get(a.kpi).kernel.statistic.change(ra, rb, a.params, a.level)
    if d is None:
        return None
    return {"vs": b.period, **d}


def _per_group(k: KPI, data, periods, by: str, common: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`table`'s rows for ``by``'s groups, measured one subset at a time (``where``)."""
    opts = {c: v for c, v in common.items() if c not in ("by", "where")}
    tables = open_tables(data, engine=opts.pop("engine"), tz=opts.pop("tz"), mapping=opts.pop("mapping"))
    where = dict(common.get("where") or {})
    frame = tables.frame(k.table)
    if by not in frame.collect_schema().names():  # a customer's attribute (plan, segment): where= reads it there
        frame = tables.frame("customers")
    groups = _collect(frame.select(by).unique())[by].dropna().unique()
    out = []
    for per in periods:
        rows_ = []
        for g in sorted(groups, key=str):
            r = measure(k, tables, period=per, where={**where, by: [g]}, **opts)
            rows_.append({**r.row, by: g, "n": r.n, "value": r.value, "low": r.low, "high": r.high})
        out.append(pd.DataFrame(rows_, columns=None if rows_ else [by, "n", "value"]).set_index(by))
    return out[0], out[1]


def drivers(kpi: str | KPI, data, *, period, vs, by: str, freq: str = "month", engine: str = "pandas",
            level: float = 0.95, where: dict | None = None, tz: str | None = None, mapping=None,
            **params) -> pd.DataFrame:
    """A KPI's change from ``vs`` to ``period`` in each group of ``by``: which groups moved it.

    Each group's change has its own interval and p-value (the KPI's statistic, as in
    :func:`compare`). ``contribution`` is the group's share of the change of the whole: its change
    weighted by its share of the observations in ``period`` (a total's change is its own); the
    groups add up to about the whole's change when the mix of groups stayed the same.

    Parameters
    ----------
    kpi, data, freq, engine, level, where, tz, mapping, **params
        As in :func:`measure`.
    period, vs : str or pandas.Period
        The period and the one it is compared with.
    by : str
        A grouping column of the KPI's table (``"touchpoint"``, ``"team"``, ``"plan"``, …).

    Returns
    -------
    DataFrame
        One row per group present in both periods: ``by``'s column, ``n`` (in ``period``),
        ``value``, ``before``, ``diff``, ``low``, ``high``, ``p_value``, ``contribution``; largest
        absolute contribution first.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> d = csa.kpi.drivers("fcr", ds, period="2026-10", vs="2026-09", by="team")
    >>> d[["team", "n", "diff"]].round(1).values.tolist()
    [['tokyo', 512, 1.1], ['fukuoka', 236, -1.9], ['osaka', 388, -0.6]]
    """
    k = get(kpi)
    p = k.resolve(params)
    common = dict(by=by, freq=freq, engine=engine, level=level, where=where, tz=tz, mapping=mapping, **params)
    try:
        a, b = (table(k, data, period=x, **common).set_index(by) for x in (period, vs))
    except (KeyError, ValueError):  # measured one subset at a time (churn), or a customer's attribute: as subsets
        a, b = _per_group(k, data, (period, vs), by, common)
    rows_, total = [], float(a["n"].sum())
    for g in a.index.intersection(b.index):
        d = k.kernel.statistic.change(a.loc[g], b.loc[g], p, level)
        if d is None:
            continue
        weight = 1.0 if isinstance(k.kernel.statistic, E.Total) or not total else float(a.loc[g, "n"]) / total
        rows_.append({by: g, "n": int(a.loc[g, "n"]), "value": float(a.loc[g, "value"]),
                      "before": float(b.loc[g, "value"]), **d, "contribution": d["diff"] * weight})
    cols = [by, "n", "value", "before", "diff", "low", "high", "p_value", "contribution"]
    out = pd.DataFrame(rows_, columns=cols)
    return out.reindex(out["contribution"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def rows(kpi: str | KPI, data, *, freq: str = "month", where: dict | None = None, columns: Iterable[str] | None = None,
         absent: str = "raise", engine: str = "pandas", tz: str | None = None, mapping=None,
         **params) -> pd.DataFrame:
    """One row per observation of a KPI with its outcome ``y``: the input of a difference in differences.

    Parameters
    ----------
    kpi, data, freq, where, engine, tz, mapping, **params
        As in :func:`measure` (the KPI must be counted over rows: answers, tickets, attempts).
    columns : list of str, optional
        Keep only these columns (and ``period``, ``y``); the customer's attributes (segment,
        plan, region, csm) and, for survey answers, their ticket's (channel, category, priority,
        team, agent) are attached when asked for. Default: the table's columns and every attribute.
    absent : {"raise", "skip"}
        A column of ``columns`` the rows do not have: a ``ValueError`` naming those they have, or
        left out (``"skip"``: e.g. a control a user's data lacks).

    Returns
    -------
    DataFrame (pandas)
        The rows the KPI counts (its denominator: solved tickets for FCR, answers of the
        touchpoint for NPS, …) with ``period`` (pandas Period) and ``y``: 0 or 100 for a share
        (so that the mean of ``y`` is the KPI in %), −100/0/+100 for an NPS answer, the value
        itself for a mean or a time.

    Raises
    ------
    ValueError
        A KPI not counted over rows (churn, revenue, cost per ticket, GCR per customer).

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> r = csa.kpi.rows("fcr", ds, columns=["team"])
    >>> list(r.columns), float(r.loc[r["period"] == "2026-10", "y"].mean().round(1))
    (['team', 'period', 'y'], 61.1)
    """
    k = get(kpi)
    p = k.resolve(params)
    kern = k.kernel
    if not isinstance(kern, Rows) or (isinstance(kern, Goals) and p.get("unit") == "customer") or \
            isinstance(kern.statistic, E.Total):
        raise ValueError(f"{k.id}: per-row values exist for KPIs counted over answers, tickets and attempts, not for "
                         f"{k.name['en'].lower()}")
    import narwhals as nw

    from .expr import period as period_expr

    tables = open_tables(data, engine=engine, tz=tz, mapping=mapping)
    frame = scope(tables, kern.rows(tables, p), kern.table, _where(where))
    m = kern.measures(p)
    st = kern.statistic
    if isinstance(st, E.NPS):
        y = 100 * (m["promoters"].when.cast(nw.Int64) - m["detractors"].when.cast(nw.Int64))
    elif isinstance(st, E.Share):
        y = 100 * m["successes"].when.cast(nw.Int64)
    else:
        y = m["total"].of
    frame = frame.filter(m["n"].when).with_columns(y.cast(nw.Float64).alias("y"),
                                                   period_expr(frame, kern.time, freq, tables.tz).alias("period"))
    names = frame.collect_schema().names()
    want = None if columns is None else list(dict.fromkeys(columns))
    if want is not None:
        have = [c for c in names if not c.startswith("_csa_") and c not in ("period", "y")]
        for other, key, attrs in (("customers", "customer_id", CUSTOMER_ATTRIBUTES),
                                  ("tickets", "ticket_id", TICKET_ATTRIBUTES if kern.table == "surveys" else ())):
            if tables.has(other) and key in names:
                cols = tables.frame(other).collect_schema().names()
                have += [c for c in attrs if c in cols and c not in have]
        missing = [c for c in want if c not in (*have, "period", "y")]
        if missing and absent == "skip":
            want = [c for c in want if c not in missing]
        elif missing:
            raise ValueError(f"{k.id}: the rows have no column {missing[0]!r}; they have: {', '.join(have)}")
    keep = [c for c in names if not c.startswith("_csa_") and (want is None or c in want or c in ("period", "y"))]
    for key in ("customer_id", "ticket_id"):
        if key in names and key not in keep:
            keep.append(key)
    out = frame.select(keep)
    out = out.collect("pandas").to_native() if isinstance(out, nw.LazyFrame) else out.to_native()
    if not isinstance(out, pd.DataFrame):
        out = out.to_pandas()
    out = _attach(tables, out, kern.table, want)
    out["period"] = pd.PeriodIndex.from_ordinals(out["period"].astype("int64"), freq=pandas_freq(freq))
    if want is not None:
        out = out[[*dict.fromkeys([*want, "period", "y"])]]
    return out.reset_index(drop=True)


def _attach(tables, out: pd.DataFrame, table: str, want: list[str] | None) -> pd.DataFrame:
    """The customer's (and a survey answer's ticket's) attributes, as far as they are wanted and present."""
    from ..joins import attach

    def frame(name: str, key: str, cols) -> pd.DataFrame | None:
        if not tables.has(name) or key not in out.columns:
            return None
        native = tables.natives[name]
        have = [c for c in cols if c not in out.columns and (want is None or c in want)]
        if not have:
            return None
        f = native if isinstance(native, pd.DataFrame) else None
        if f is None:
            import narwhals as nw

            f = nw.from_native(native).select(key, *have).collect("pandas").to_native()
        return f[[key, *[c for c in have if c in f.columns]]]

    cust = frame("customers", "customer_id", CUSTOMER_ATTRIBUTES)
    if cust is not None and len(cust.columns) > 1:
        out = attach(out, cust, "customer_id")
    if table == "surveys":
        tk = frame("tickets", "ticket_id", TICKET_ATTRIBUTES)
        if tk is not None and len(tk.columns) > 1:
            out = attach(out, tk, "ticket_id")
    return out
