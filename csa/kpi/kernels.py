"""How each KPI of the catalogue is computed: rows → a small table per period (and group), on any engine.

A *kernel* turns the tables (:class:`csa.kpi.source.Tables`, on pandas, DuckDB or Spark) into
the aggregation its KPI declares, one row per period (and per ``by`` group), and names the
statistic that turns that row into the KPI (:mod:`csa.kpi.estimate`). Everything here is narwhals,
so one kernel runs on every engine:

* :class:`Rows` — KPIs counted over rows (answers, tickets, attempts): a filter, derived per-row
  columns, then **one scan** of counts and sums per group (:func:`csa.metrics.frames.aggregate`)
  and, for medians, **one rank pass** that picks the order statistics the interval needs
  (``row_number`` over each group, exactly as :func:`csa.metrics.support.median_ranks` asks);
* :class:`CustomerChurn` and :class:`Revenue` — KPIs of customer-months: per period, a
  ``group_by`` down to one row per customer (active at the start, at the end, in between; MRR
  movements between consecutive months), then counts or the sums a ratio's interval needs;
* :class:`CostPerTicket` — support cost ÷ tickets per period;
* :class:`LTV` — orders and subscriptions aggregated per customer (and churn counts per plan or
  segment) on the engine, the LTV formula on those per-customer rows in pandas
  (:func:`csa.metrics.ltv.ltv_from_sums`).

The pandas kernels of :mod:`csa.metrics` are the independent reference: the tests pin every KPI
of the catalogue to them on the bundled sample, and every engine to pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..metrics import ltv as LT
from ..metrics.frames import Count, CountsSpec, Sum, aggregate, valid_score
from . import estimate as E
from .expr import clock_of, months_of_period, period, period_of_month, with_minutes

__all__ = ["LTV", "CostPerTicket", "CustomerChurn", "Goals", "Kernel", "Order", "Query", "Revenue", "Rows", "Surveys",
           "Tickets", "aggregate_rows", "period_of_month_value", "scope"]

PERIOD = "_csa_period"
_T = "_csa_"


@dataclass(frozen=True)
class Query:
    """What to aggregate: period length, which periods (ordinals; ``None``: all), groups, subset, level."""

    freq: str = "month"
    periods: tuple[int, ...] | None = None
    by: tuple[str, ...] = ()
    where: dict[str, tuple] = field(default_factory=dict)
    level: float = 0.95


@dataclass(frozen=True)
class Order:
    """Output columns: the order statistics of ``column`` behind a median and its interval (see
    :func:`csa.kpi.estimate.median_positions`), over the rows where ``when`` holds and ``column``
    is not missing — the same rows the KPI's ``n`` counts."""

    column: str
    when: nw.Expr | None = None


def _collect(frame) -> pd.DataFrame:
    if isinstance(frame, nw.LazyFrame):
        return frame.collect("pyarrow").to_native().to_pandas()
    native = frame.to_native()
    return native if isinstance(native, pd.DataFrame) else frame.to_pandas()


def _names(frame) -> list[str]:
    return frame.collect_schema().names()


def scope(tables, frame, table: str, where: dict[str, tuple]):
    """Rows of ``frame`` whose column (or their customer's, or their ticket's) is one of the values.

    Values are compared as text (``{"team": ("osaka",)}``). A column that neither the rows, their
    customers nor (for survey answers) their tickets have is a ``ValueError`` naming the columns.
    """
    for col, vals in where.items():
        values = [str(v) for v in vals]
        names = _names(frame)
        if col in names:
            frame = frame.filter(nw.col(col).cast(nw.String).is_in(values))
            continue
        found = False
        for other, key in (("customers", "customer_id"), ("tickets", "ticket_id")):
            if other == table or key not in names or not tables.has(other):
                continue
            if table != "surveys" and other == "tickets":
                continue
            o = tables.frame(other)
            if col in _names(o):
                ids = o.filter(nw.col(col).cast(nw.String).is_in(values)).select(key).unique()
                frame = frame.filter(~nw.col(key).is_null()).join(ids, on=key, how="semi")
                found = True
                break
        if not found:
            raise ValueError(f"'where' names the column {col!r}, which the {table} rows and their customers do not "
                             f"have; the {table} rows have: {', '.join(names)}")
    return frame


def _rank_pass(frame, orders: dict[str, Order], out: pd.DataFrame, keys: list[str], level: float) -> pd.DataFrame:
    """Add each :class:`Order`'s columns to ``out`` (one row per group, with ``n``)."""
    pos = E.median_positions(out["n"].to_numpy(), level)
    for name, o in orders.items():
        wanted = sorted({int(r) for a in pos.values() for r in a if r > 0})
        cols = {k: np.full(len(out), np.nan) for k in pos}
        if wanted:
            rows = frame.filter(~nw.col(o.column).is_null())
            if o.when is not None:
                rows = rows.filter(o.when)
            part = keys
            if not keys:
                rows = rows.with_columns(nw.lit(1).alias(f"{_T}g"))
                part = [f"{_T}g"]
            ranked = rows.select(*keys, nw.col(o.column).cast(nw.Float64).alias(f"{_T}v"),
                                 nw.col(o.column).rank("ordinal").over(*part).cast(nw.Int64).alias(f"{_T}r"))
            got = _collect(ranked.filter(nw.col(f"{_T}r").is_in(wanted)))
            lookup = out[keys].reset_index(drop=True)
            for k, ranks in pos.items():
                probe = lookup.assign(**{f"{_T}r": ranks})
                hit = (probe.merge(got, on=[*keys, f"{_T}r"], how="left") if len(got)
                       else probe.assign(**{f"{_T}v": np.nan}))
                cols[k] = np.where(ranks > 0, hit[f"{_T}v"].to_numpy(dtype=float), np.nan)
        for k, v in cols.items():
            out[k if len(orders) == 1 else f"{name}_{k}"] = v
    return out


def aggregate_rows(tables, frame, time: str, measures: dict[str, Any], q: Query, *,
                   month: bool = False) -> pd.DataFrame:
    """Counts, sums and order statistics of ``frame`` per period of ``time`` (and ``q.by``): one small table."""
    stamp = period_of_month(nw.col(time), q.freq) if month else period(frame, time, q.freq, tables.tz)
    frame = frame.with_columns(stamp.alias(PERIOD))
    if q.periods is not None:
        frame = frame.filter(nw.col(PERIOD).is_in(list(q.periods)))
    keys = [PERIOD, *q.by]
    missing = [k for k in q.by if k not in _names(frame)]
    if missing:
        raise KeyError(f"group column(s) {missing} not found; the columns are: {', '.join(_names(frame))}")
    additive = {k: m for k, m in measures.items() if isinstance(m, (Count, Sum))}
    out = aggregate(frame, CountsSpec(additive), keys)
    orders = {k: m for k, m in measures.items() if isinstance(m, Order)}
    if orders:
        out = _rank_pass(frame, orders, out, keys, q.level)
    return out.rename(columns={PERIOD: "period"})


class Kernel:
    """Base of the kernels: ``counts(tables, p, q)`` → one row per period (``period`` ordinal) and group."""

    statistic: E.Statistic = E.Share()
    #: the table whose rows the KPI counts and the column that places them in a period
    table: str = ""
    time: str = ""

    def counts(self, tables, p: dict, q: Query) -> pd.DataFrame:
        raise NotImplementedError

    def inputs(self, p: dict) -> tuple[str, ...]:
        """Optional columns of :attr:`table` the KPI reads with the parameters ``p``: without one of them
        in the data it is not computed (:func:`csa.measure` says which)."""
        return ()

    def span(self, tables, p: dict, freq: str) -> tuple[int, int] | None:
        """First and last period ordinal the data hold (``None``: no data)."""
        f = tables.frame(self.table)
        stamp = period(f, self.time, freq, tables.tz)
        got = _collect(f.select(stamp.min().alias("a"), stamp.max().alias("b")))
        a, b = got["a"].iloc[0], got["b"].iloc[0]
        return None if pd.isna(a) else (int(a), int(b))


# ------------------------------------------------------------------------------------------- rows

@dataclass(frozen=True)
class Rows(Kernel):
    """A KPI counted over the rows of one table: :meth:`rows` (filter, derived columns) then :meth:`measures`."""

    table: str = ""
    time: str = ""
    statistic: E.Statistic = field(default_factory=E.Share)

    def rows(self, tables, p: dict):
        return tables.frame(self.table)

    def measures(self, p: dict) -> dict[str, Any]:
        raise NotImplementedError

    def counts(self, tables, p: dict, q: Query) -> pd.DataFrame:
        frame = scope(tables, self.rows(tables, p), self.table, q.where)
        return aggregate_rows(tables, frame, self.time, self.measures(p), q)


def _flag(ok: nw.Expr, hit: nw.Expr) -> dict[str, Any]:
    """n (rows where ``ok``), successes (``ok`` and ``hit``), excluded (the others)."""
    return {"n": Count(ok), "successes": Count(ok & hit), "excluded": Count(~ok)}


@dataclass(frozen=True)
class Surveys(Rows):
    """Answers of one survey (``survey`` column), of one touchpoint when ``p["touchpoint"]`` is set.

    ``rule``: ``"nps"`` (0–10: promoters 9–10, passives 7–8, detractors 0–6), ``"top"`` (1–5, the
    top ``p["top"]`` boxes satisfied) or ``"easy"`` (1–7, ``p["boxes"]`` answers at the easy end
    ``p["easy_end"]`` easy). Scores that are missing or not a whole number of the scale are
    left out and counted in ``excluded``.
    """

    table: str = "surveys"
    time: str = "responded_at"
    survey: str = "nps"
    rule: str = "nps"

    def rows(self, tables, p):
        f = tables.frame("surveys").filter(nw.col("survey") == self.survey)
        if p.get("touchpoint"):
            f = f.filter(nw.col("touchpoint") == p["touchpoint"])
        if self.rule == "top":  # each answer's scale: the stated one (a good/bad CSAT: 2), else 1–5
            top = nw.col("scale").fill_null(5) if "scale" in f.columns else nw.lit(5)
            f = f.with_columns(top.cast(nw.Int64).alias("_scale"))
        return f

    def measures(self, p):
        s = nw.col("score")
        if self.rule == "nps":
            ok = valid_score("score", 0, 10)
            return {"n": Count(ok), "promoters": Count(ok & (s >= 9)), "passives": Count(ok & s.is_between(7, 8)),
                    "detractors": Count(ok & (s <= 6)), "excluded": Count(~ok)}
        if self.rule == "top":  # the top p["top"] boxes of each answer's scale, at most all but its lowest
            t = nw.col("_scale")
            ok = valid_score("score", 1, 10) & (s <= t)
            hit = s > t - nw.when(t - 1 < p["top"]).then(t - 1).otherwise(p["top"])
        else:
            ok = valid_score("score", 1, 7)
            hit = (s <= p["boxes"]) if p["easy_end"] == "low" else (s >= 8 - p["boxes"])
        return {**_flag(ok, hit), "total": Sum(s.cast(nw.Float64), ok), "total_sq": Sum((s * s).cast(nw.Float64), ok)}


@dataclass(frozen=True)
class Goals(Rows):
    """Goal attempts (of one goal and channel when set): per attempt, or per customer who tried."""

    table: str = "goals"
    time: str = "started_at"

    def rows(self, tables, p):
        f = tables.frame("goals")
        for k in ("goal", "channel"):
            if p.get(k):
                f = f.filter(nw.col(k) == p[k])
        return f

    def measures(self, p):
        c = nw.col("completed")
        return _flag(~c.is_null(), c.fill_null(False))

    def counts(self, tables, p, q):
        if p.get("unit", "customer") == "attempt":
            return super().counts(tables, p, q)
        f = scope(tables, self.rows(tables, p), self.table, q.where)
        f = f.with_columns(period(f, self.time, q.freq, tables.tz).alias(PERIOD))
        if q.periods is not None:
            f = f.filter(nw.col(PERIOD).is_in(list(q.periods)))
        keys = [PERIOD, *q.by]
        c = nw.col("completed")
        per = f.with_columns((~c.is_null()).cast(nw.Int64).alias(f"{_T}ok"),
                             c.fill_null(False).cast(nw.Int64).alias(f"{_T}done"))
        per = per.group_by(*keys, "customer_id", drop_null_keys=False).agg(
            nw.col(f"{_T}ok").sum(), nw.col(f"{_T}done").sum())
        ok, done = nw.col(f"{_T}ok"), nw.col(f"{_T}done")
        spec = {"n": Count(ok > 0), "successes": Count(done > 0),
                "excluded": Sum((1 - (ok > 0).cast(nw.Int64)).cast(nw.Int64), integer=True),
                "attempts": Sum(ok, integer=True)}
        return aggregate(per, CountsSpec(spec), keys).rename(columns={PERIOD: "period"})


# ------------------------------------------------------------------------------------------- tickets

@dataclass(frozen=True)
class Tickets(Rows):
    """A ticket KPI: ``what`` names it (``frt``, ``resolution``, ``fcr``, ``completion``, ``abandonment``,
    ``complaints``, ``quality``, ``aht``, ``volume``, ``sla``). Tickets are placed in the period they
    were created in."""

    table: str = "tickets"
    time: str = "created_at"
    what: str = "fcr"

    def _time(self, p: dict) -> str:
        """The timestamp that places a ticket in a period: its creation, or its solve time (Zendesk's dating of
        resolution KPIs) when ``p["date_by"]`` is ``"solved"``."""
        return "resolved_at" if p.get("date_by") == "solved" else "created_at"

    def counts(self, tables, p, q):
        frame = scope(tables, self.rows(tables, p), self.table, q.where)
        time = self._time(p)
        if time != "created_at":  # dated by solve time: a ticket not solved yet is in no period
            frame = frame.filter(~nw.col(time).is_null())
        return aggregate_rows(tables, frame, time, self.measures(p), q)

    def span(self, tables, p, freq):
        return Rows(table="tickets", time=self._time(p)).span(tables, p, freq)

    def inputs(self, p):
        if self.what == "fcr":
            return ("agent_replies", "reopened") if p["definition"] in ("one_touch", "all_contacts") else \
                ("agent_replies",)
        return {"complaints": ("is_complaint",), "quality": ("quality_score",), "aht": ("handle_time_min",),
                "sla": ("priority",)}.get(self.what, ())

    def rows(self, tables, p):
        f = tables.frame("tickets")
        if self.what == "frt":
            return with_minutes(tables, f, "created_at", "first_response_at", clock_of(p, tables.tz), f"{_T}min")
        if self.what == "resolution":
            return with_minutes(tables, f, "created_at", "resolved_at", clock_of(p, tables.tz), f"{_T}min")
        if self.what == "sla":
            return self._sla_rows(tables, f, p)
        return f

    def measures(self, p):
        w = self.what
        if w in ("frt", "resolution"):
            m = nw.col(f"{_T}min")
            ok = ~m.is_null()
            if w == "resolution":
                ok = ok & (nw.col("status") == "solved").fill_null(False)
            out = {"n": Count(ok), "total": Sum(m, ok), "total_sq": Sum(m * m, ok), "excluded": Count(~ok)}
            if p.get("statistic") == "median":
                out["median"] = Order(f"{_T}min", ok)
            return out
        if w == "fcr":
            return _fcr(p["definition"])
        if w == "completion":
            st = nw.col("status")
            return _flag(~st.is_null(), st == "solved")
        if w == "abandonment":
            st = nw.col("status")
            return _flag(~st.is_null(), st == "abandoned")
        if w == "complaints":
            c = nw.col("is_complaint")
            return _flag(~c.is_null(), c.fill_null(False))
        if w in ("quality", "aht"):
            col = nw.col("quality_score" if w == "quality" else "handle_time_min")
            ok = ~col.is_null()
            if w == "aht":
                ok = ok & ~nw.col("first_response_at").is_null()
            x = col.cast(nw.Float64)
            return {"n": Count(ok), "total": Sum(x, ok), "total_sq": Sum(x * x, ok), "excluded": Count(~ok)}
        if w == "volume":
            return {"n": Count(nw.lit(True)), "value": Sum(nw.lit(1), integer=True)}
        if w == "sla":
            known, met = nw.col(f"{_T}known"), nw.col(f"{_T}met")
            return {**_flag(known, met), "pending": Count(nw.col(f"{_T}pending"))}
        raise ValueError(f"unknown ticket KPI {w!r}")

    def _sla_rows(self, tables, f, p):
        targets = {k: 60.0 * h for k, h in p["targets"].items()}
        prio = nw.col("priority").cast(nw.String)
        unknown = _collect(f.filter(~prio.is_null() & ~prio.is_in(list(targets))).select(prio.alias("p")).unique())
        if len(unknown):
            shown = ", ".join(repr(x) for x in sorted(unknown["p"].astype(str))[:5])
            raise ValueError(f"no SLA target for priority {shown}; the targets name {', '.join(map(repr, targets))}: "
                             "add one per priority (hours)")
        target = nw.lit(None, nw.Float64)
        for k, m in targets.items():
            target = nw.when(prio == k).then(nw.lit(m)).otherwise(target)
        clock = clock_of(p, tables.tz)
        stamps = _collect(f.select(nw.col("created_at").max().alias("a"), nw.col("first_response_at").max().alias("b")))
        as_of = pd.Series([stamps["a"].iloc[0], stamps["b"].iloc[0]]).dropna().max()
        f = f.with_columns(target.alias(f"{_T}target"))
        f = with_minutes(tables, f, "created_at", "first_response_at", clock, f"{_T}min")
        waiting = nw.col("first_response_at").is_null() & ~nw.col("created_at").is_null()
        if pd.isna(as_of):
            f = f.with_columns(nw.lit(None, nw.Float64).alias(f"{_T}sofar"))
        else:
            f = with_minutes(tables, f, "created_at", as_of, clock, f"{_T}sofar")
        tgt, mins = nw.col(f"{_T}target"), nw.col(f"{_T}min")
        breached_open = (waiting & (nw.col(f"{_T}sofar") > tgt)).fill_null(False)
        known = ((~mins.is_null()) | breached_open) & ~tgt.is_null()
        met = (mins <= tgt).fill_null(False) & ~breached_open
        return f.with_columns(known.alias(f"{_T}known"), met.alias(f"{_T}met"),
                              (waiting & ~breached_open).alias(f"{_T}pending"))


def _fcr(definition: str) -> dict[str, Any]:
    """FCR's numerator and denominator under each definition (as :func:`csa.metrics.support.fcr`)."""
    st = nw.col("status")
    solved = (st == "solved").fill_null(False)
    r = nw.col("agent_replies").cast(nw.Float64)
    known = ~st.is_null() & ~r.is_null()
    if definition in ("one_touch", "all_contacts"):
        reo = nw.col("reopened")
        known = known & ~reo.is_null()
        success = solved & (r <= 1).fill_null(False) & ~reo.fill_null(False)
    elif definition == "zendesk":
        success = solved & (r < 2).fill_null(False)
    else:  # exactly_one
        success = solved & (r == 1).fill_null(False)
    if definition == "all_contacts":
        known = ~st.is_null() & (~solved | known)
        denominator = ~st.is_null()
    else:
        denominator = solved
    counted = denominator & known
    return {"n": Count(counted), "successes": Count(counted & success), "excluded": Count(~counted)}


@dataclass(frozen=True)
class CostPerTicket(Kernel):
    """Support cost of a period ÷ its tickets (created, or solved with ``p["definition"] == "resolved"``)."""

    table: str = "tickets"
    time: str = "created_at"
    statistic: E.Statistic = field(default_factory=E.Total)

    def counts(self, tables, p, q):
        resolved = p.get("definition") == "resolved"
        f = scope(tables, tables.frame("tickets"), "tickets", q.where)
        if resolved:
            f = f.filter((nw.col("status") == "solved").fill_null(False) & ~nw.col("resolved_at").is_null())
        else:
            f = f.filter(~nw.col("created_at").is_null())
        tk = aggregate_rows(tables, f, "resolved_at" if resolved else "created_at", {"tickets": Count(nw.lit(True))},
                            Query(q.freq, q.periods, (), {}, q.level))
        costs = tables.frame("support_costs")
        if q.where:
            costs = scope(tables, costs, "support_costs", {k: v for k, v in q.where.items() if k in _names(costs)})
        cost = aggregate_rows(tables, costs, "month", {"cost": Sum(nw.col("amount").cast(nw.Float64)),
                                                       "cost_months": Count(nw.lit(True))},
                              Query(q.freq, q.periods, (), {}, q.level), month=True)
        out = tk.merge(cost, on="period", how="outer").sort_values("period", kind="stable").reset_index(drop=True)
        out["tickets"] = out["tickets"].fillna(0).astype("int64")
        with np.errstate(invalid="ignore", divide="ignore"):
            out["value"] = np.where(out["tickets"] > 0, out["cost"] / out["tickets"].where(out["tickets"] > 0), np.nan)
        out["n"] = out["tickets"]
        return out

    def span(self, tables, p, freq):
        return Rows(table="tickets", time="created_at").span(tables, p, freq)


# ------------------------------------------------------------------------------------------- subscriptions

def _customer_months(tables, q: Query):
    """One row per subscribed customer-month (``customer_id``, ``month`` ordinal, ``mrr`` summed), checked."""
    f = scope(tables, tables.frame("subscriptions"), "subscriptions", q.where)
    mrr = nw.col("mrr")
    bad = _collect(f.select((nw.col("customer_id").is_null() | nw.col("month").is_null() | mrr.is_null()
                             | (mrr < 0).fill_null(False)).cast(nw.Int64).sum().alias("bad")))
    n_bad = int(bad["bad"].iloc[0] or 0)
    if n_bad:
        raise DataError([Problem("subscriptions", tables.origin, "every row needs a customer, a month and an MRR >= 0",
                                 "fill in the missing values (0 for a free month)", column="mrr", n_rows=n_bad)])
    return f.with_columns(mrr.cast(nw.Float64)).group_by("customer_id", "month").agg(mrr.sum())


def _month_range(cm) -> tuple[int, int] | None:
    got = _collect(cm.select(nw.col("month").min().alias("a"), nw.col("month").max().alias("b")))
    a, b = got["a"].iloc[0], got["b"].iloc[0]
    return None if pd.isna(a) else (int(a), int(b))


def _computable(rng: tuple[int, int], q: Query) -> list[tuple[int, int, int, bool]]:
    """(period, month before it, its last month in the data, partial) of each period that can be computed."""
    m0, m1 = rng
    wanted = q.periods
    if wanted is None:
        first, last = period_of_month_value(m0 + 1, q.freq), period_of_month_value(m1, q.freq)
        wanted = tuple(range(first, last + 1))
    out = []
    for per in wanted:
        a, b = months_of_period(int(per), q.freq)
        s = a - 1
        if s < m0 or s >= m1:
            continue
        out.append((int(per), s, min(b, m1), b > m1))
    return out


def period_of_month_value(month: int, freq: str) -> int:
    """:func:`csa.kpi.expr.period_of_month` on a plain integer."""
    if freq == "month":
        return month
    if freq == "quarter":
        return month // 3
    return (month + 9) // 12


def _flags(cm, s: int, e: int, by: list[str]):
    """Per customer active in months s..e: at the start (s), at the end (e), in between (s+1..e)."""
    m = nw.col("month")
    sub = cm.filter((m >= s) & (m <= e)).with_columns(
        (m == s).cast(nw.Int64).alias(f"{_T}s"), (m == e).cast(nw.Int64).alias(f"{_T}e"),
        (m > s).cast(nw.Int64).alias(f"{_T}d"))
    return sub.group_by("customer_id", *by).agg(nw.col(f"{_T}s").max(), nw.col(f"{_T}e").max(),
                                                nw.col(f"{_T}d").max())


@dataclass(frozen=True)
class CustomerChurn(Kernel):
    """Customer churn (or retention) of each period, under the same-period rule ``p["same_period"]``.

    Customers at the start: subscribed in the month before the period; lost: of them, those not
    subscribed in its last month (in the data); joined: not at the start, subscribed during it;
    same-period: joined and gone by its end. ``retention``: the share of the start still there.
    """

    table: str = "subscriptions"
    time: str = "month"
    retention: bool = False
    statistic: E.Statistic = field(default_factory=E.Share)

    def span(self, tables, p, freq):
        rng = _month_range(_customer_months(tables, Query()))
        if rng is None:
            return None
        return period_of_month_value(rng[0] + 1, freq), period_of_month_value(rng[1], freq)

    def counts(self, tables, p, q):
        if q.by:
            raise ValueError("churn per group: filter with where= (one subset at a time)")
        cm = _customer_months(tables, q)
        rng = _month_range(cm)
        rows = []
        for per, s, e, partial in ([] if rng is None else _computable(rng, q)):
            fl = _flags(cm, s, e, [])
            at_s, at_e, during = nw.col(f"{_T}s") == 1, nw.col(f"{_T}e") == 1, nw.col(f"{_T}d") == 1
            joined = ~at_s & during
            c = aggregate(fl, CountsSpec({"start": Count(at_s), "lost": Count(at_s & ~at_e), "joined": Count(joined),
                                          "same_period": Count(joined & ~at_e)})).iloc[0]
            rule = p.get("same_period", "exclude")
            start, lost, joined_n, same = (int(c[k]) for k in ("start", "lost", "joined", "same_period"))
            if self.retention:
                x, n, excl = start - lost, start, same
            elif rule in ("exclude", "ignore"):
                x, n, excl = lost, start, same
            elif rule == "include":
                x, n, excl = lost + same, start, 0
            else:  # both
                x, n, excl = lost + same, start + joined_n, 0
            rows.append({"period": per, "n": n, "successes": x, "excluded": excl, "churned": lost,
                         "joined": joined_n, "same_period": same, "partial": partial,
                         # "include" counts churn among customers not in the denominator: not a proportion
                         "no_interval": rule == "include" and not self.retention})
        cols = ["period", "n", "successes", "excluded", "churned", "joined", "same_period", "partial", "no_interval"]
        return pd.DataFrame(rows, columns=cols)


_MOVES = ("new", "reactivation", "expansion", "contraction", "churned")


@dataclass(frozen=True)
class Revenue(Kernel):
    """Revenue churn, NRR and GRR of each period: MRR movements per customer, then the sums of a ratio.

    ``kind``: ``"gross"`` (lost = churned + contraction MRR), ``"net"`` (lost − expansion −
    reactivation when ``p["reactivation"]`` is true; by default not: NRR's start-of-month cohort). Movements follow
    ChartMogul (:func:`csa.metrics.churn.mrr_movements`); with ``p["ignore_same_period"]`` every
    movement of customers who joined and left inside the period is left out (ProfitWell).
    """

    table: str = "subscriptions"
    time: str = "month"
    kind: str = "gross"
    statistic: E.Statistic = field(default_factory=E.Ratio)

    span = CustomerChurn.span

    def counts(self, tables, p, q):
        if q.by:
            raise ValueError("revenue churn per group: filter with where= (one subset at a time)")
        cm = _customer_months(tables, q)
        rng = _month_range(cm)
        first = cm.group_by("customer_id").agg(nw.col("month").min().alias(f"{_T}first"))
        rows = []
        for per, s, e, partial in ([] if rng is None else _computable(rng, q)):
            rows.append({"period": per, "partial": partial, **self._one(cm, first, s, e, p)})
        cols = ["period", "n", "units", "sx", "sy", "sxx", "syy", "sxy", "moved", "mrr_start", *_MOVES, "partial"]
        return pd.DataFrame(rows, columns=cols) if rows else pd.DataFrame(columns=cols)

    def _one(self, cm, first, s: int, e: int, p: dict) -> dict[str, Any]:
        m, mrr = nw.col("month"), nw.col("mrr")
        sub = cm.filter((m >= s) & (m <= e))
        prev = sub.filter(m < e).select("customer_id", (m + 1).alias(f"{_T}j"), mrr.alias(f"{_T}prev"),
                                        nw.lit(None, nw.Float64).alias(f"{_T}cur"))
        cur = sub.filter(m > s).select("customer_id", m.alias(f"{_T}j"), nw.lit(None, nw.Float64).alias(f"{_T}prev"),
                                       mrr.alias(f"{_T}cur"))
        pairs = nw.concat([prev, cur], how="vertical").group_by("customer_id", f"{_T}j").agg(
            nw.col(f"{_T}prev").max(), nw.col(f"{_T}cur").max())
        pairs = pairs.join(first, on="customer_id", how="left")
        a, b = nw.col(f"{_T}prev"), nw.col(f"{_T}cur")
        a0, a1 = ~a.is_null(), ~b.is_null()
        delta = nw.when(a0 & a1).then(b - a).otherwise(0.0)
        came = a1 & ~a0
        back = came & (nw.col(f"{_T}first") < nw.col(f"{_T}j") - 1)
        zero = nw.lit(0.0)
        moves = pairs.select(
            "customer_id",
            nw.when(came & ~back).then(b).otherwise(zero).alias("new"),
            nw.when(back).then(b).otherwise(zero).alias("reactivation"),
            nw.when(delta > 0).then(delta).otherwise(zero).alias("expansion"),
            nw.when(delta < 0).then(-delta).otherwise(zero).alias("contraction"),
            nw.when(a0 & ~a1).then(a).otherwise(zero).alias("churned"))
        per_c = moves.group_by("customer_id").agg(*(nw.col(k).sum() for k in _MOVES))
        fl = _flags(cm, s, e, [])
        start = sub.filter(m == s).select("customer_id", mrr.alias(f"{_T}x"))
        units = fl.join(per_c, on="customer_id", how="left").join(start, on="customer_id", how="left")
        at_s, at_e, during = nw.col(f"{_T}s") == 1, nw.col(f"{_T}e") == 1, nw.col(f"{_T}d") == 1
        if p.get("ignore_same_period"):
            units = units.filter(~(~at_s & during & ~at_e))
        units = units.with_columns(*(nw.col(k).fill_null(0.0) for k in _MOVES),
                                                    nw.col(f"{_T}x").fill_null(0.0))
        lost = nw.col("churned") + nw.col("contraction")
        if self.kind == "net":
            offset = nw.col("expansion") + (nw.col("reactivation") if p.get("reactivation", False) else zero)
            y = lost - offset
        else:
            y = lost
        x = nw.col(f"{_T}x")
        spec = CountsSpec({"units": Count(nw.lit(True)), "n": Count(at_s), "sx": Sum(x), "sy": Sum(y),
                           "sxx": Sum(x * x), "syy": Sum(y * y), "sxy": Sum(x * y), "moved": Count(y != 0),
                           "mrr_start": Sum(x), **{k: Sum(nw.col(k)) for k in _MOVES}})
        return aggregate(units, spec).iloc[0].to_dict()


# ------------------------------------------------------------------------------------------- LTV

@dataclass(frozen=True)
class LTV(Kernel):
    """Average LTV of the customers subscribed in a period's last month (article 002's formula).

    Per period, with ``as_of`` its last month (at most the orders' last month: ``partial`` when
    the period runs past it), the engine aggregates

    * the **orders** per customer up to ``as_of``: ``n_orders``, ``revenue`` (Σ amount),
      ``gross_profit`` (Σ amount × margin), the ``first`` and ``last`` order month;
    * the **subscriptions** per customer up to ``as_of``: the last subscribed month and whether
      the customer is subscribed in ``as_of`` (``active``);
    * the **churn counts** of each ``p["churn_by"]`` group (plan or segment) over the ``p["churn_months"]``
      months up to ``as_of``, and of everyone: customer-months at risk and lost
      (:func:`csa.metrics.ltv.churn_counts`);

    so that only per-customer (and per-group) rows reach pandas, where
    :func:`csa.metrics.ltv.ltv_from_sums` applies the formula with years retained
    ``min(1 ÷ annual churn, p["cap"])``. The statistic (:class:`csa.kpi.estimate.BootstrapMean`)
    gets each row's LTVs (``values``, in customer order) of the active customers; ``excluded``
    counts active customers without an LTV.
    """

    table: str = "orders"
    time: str = "ordered_at"
    statistic: E.Statistic = field(default_factory=E.BootstrapMean)

    def _last_order_month(self, tables, where) -> int | None:
        f = scope(tables, tables.frame("orders"), "orders", where)
        m = period(f, "ordered_at", "month", tables.tz)
        got = _collect(f.select(m.max().alias("b")))
        b = got["b"].iloc[0]
        return None if pd.isna(b) else int(b)

    def span(self, tables, p, freq):
        rng = _month_range(_customer_months(tables, Query()))
        last = self._last_order_month(tables, {})
        if rng is None or last is None or last < rng[0] + 1:
            return None
        return period_of_month_value(rng[0] + 1, freq), period_of_month_value(last, freq)

    # ---- what the engine aggregates

    @staticmethod
    def _check_orders(tables, f) -> None:
        amt, mg = nw.col("amount").cast(nw.Float64), nw.col("gross_margin").cast(nw.Float64)
        bad = ~(amt > 0).fill_null(False) | ~((mg >= 0) & (mg <= 1)).fill_null(False)
        got = _collect(f.select(bad.cast(nw.Int64).sum().alias("n")))
        n = int(got["n"].iloc[0] or 0)
        if n:
            ex = _collect(f.filter(bad).select(amt.alias("a"), mg.alias("m")).head(1))
            raise ValueError(f"orders must have amount > 0 and gross margin 0–1 (a fraction: 78 % is 0.78); "
                             f"{n} row(s) do not, e.g. amount {float(ex['a'].iloc[0]):g}, margin "
                             f"{float(ex['m'].iloc[0]):g}")

    @staticmethod
    def order_sums(tables, where: dict, as_of: int) -> pd.DataFrame:
        """:func:`csa.metrics.ltv.order_sums` on the engine: one row per customer with an order up to ``as_of``."""
        f = scope(tables, tables.frame("orders"), "orders", where)
        LTV._check_orders(tables, f)
        amt, mg = nw.col("amount").cast(nw.Float64), nw.col("gross_margin").cast(nw.Float64)
        f = f.with_columns(period(f, "ordered_at", "month", tables.tz).alias(f"{_T}m"), amt.alias("revenue"),
                           (amt * mg).alias("gross_profit"))
        f = f.filter(nw.col(f"{_T}m") <= as_of).with_columns(nw.col(f"{_T}m").alias(f"{_T}m2"))
        g = f.group_by("customer_id").agg(nw.len().alias("n_orders"), nw.col("revenue").sum(),
                                          nw.col("gross_profit").sum(), nw.col(f"{_T}m").min().alias("first"),
                                          nw.col(f"{_T}m2").max().alias("last"))
        out = _collect(g)
        return out.astype({"n_orders": "int64", "revenue": float, "gross_profit": float, "first": "int64",
                           "last": "int64"})

    @staticmethod
    def subscription_status(cm, as_of: int) -> pd.DataFrame:
        """:func:`csa.metrics.ltv.subscription_status` on the engine (``cm``: the customer-months)."""
        m = nw.col("month")
        g = cm.filter(m <= as_of).with_columns((m == as_of).cast(nw.Int64).alias(f"{_T}a")).group_by(
            "customer_id").agg(m.max().alias("sub_last"), nw.col(f"{_T}a").max())
        out = _collect(g)
        out["active"] = out.pop(f"{_T}a").fillna(0).astype(int) == 1
        return out.astype({"sub_last": "int64"})

    @staticmethod
    def churn_counts(tables, cm, as_of: int, months: int, by: str | None) -> pd.DataFrame:
        """:func:`csa.metrics.ltv.churn_counts` on the engine: customer-months at risk and lost per ``by`` group."""
        rng = _month_range(cm)
        keys = [by] if by else []
        cols = [*keys, "months", "at_risk", "churned"]
        if rng is None:
            return pd.DataFrame(columns=cols)
        first = max(as_of - months + 1, rng[0] + 1)
        n_months = max(as_of - first + 1, 0)
        m = nw.col("month")
        prev = cm.filter((m >= first - 1) & (m <= as_of - 1)).select("customer_id", (m + 1).alias(f"{_T}j"))
        now = cm.select("customer_id", m.alias(f"{_T}j"), nw.lit(1).alias(f"{_T}stay"))
        j = prev.join(now, on=["customer_id", f"{_T}j"], how="left")
        if by:
            cust = tables.frame("customers").select("customer_id", by).unique(["customer_id"])
            j = j.join(cust, on="customer_id", how="left")
        j = j.with_columns(nw.col(f"{_T}stay").is_null().cast(nw.Int64).alias(f"{_T}lost"))
        lost = nw.col(f"{_T}lost")
        if by:
            g = j.group_by(by, drop_null_keys=False).agg(nw.len().alias("at_risk"), lost.sum().alias("churned"))
            out = _collect(g).sort_values(by, kind="stable").reset_index(drop=True)
        else:
            out = _collect(j.select(nw.len().alias("at_risk"), lost.sum().alias("churned")))
        out["churned"] = out["churned"].fillna(0)
        out.insert(len(keys), "months", n_months)
        return out[cols].astype({"at_risk": "int64", "churned": "int64"})

    def customers(self, tables, p: dict, as_of: int, where: dict | None = None) -> pd.DataFrame:
        """LTV per customer at month ``as_of`` (ordinal): :func:`csa.metrics.ltv.customer_ltv`'s table,
        aggregated on the engine (see the class docstring). ``where`` as in :class:`Query`."""
        where = where or {}
        by = p.get("churn_by", "plan")
        sums = self.order_sums(tables, where, as_of)
        cm = _customer_months(tables, Query(where=where))
        status = self.subscription_status(cm, as_of)
        cust = _collect(tables.frame("customers").select("customer_id", by).unique(["customer_id"]))
        sums[by] = sums["customer_id"].map(cust.set_index("customer_id")[by]).to_numpy()
        churn = self.churn_counts(tables, cm, as_of, p.get("churn_months", 12), by)
        overall = self.churn_counts(tables, cm, as_of, p.get("churn_months", 12), None)
        month = pd.Period(ordinal=as_of, freq="M")
        return LT.ltv_from_sums(sums, as_of=month, status=status, churn=churn, overall=overall, by=by,
                                cap=float(p.get("cap", 5.0)))

    def counts(self, tables, p, q):
        last = self._last_order_month(tables, q.where)
        wanted = q.periods
        if wanted is None:
            span = self.span(tables, p, q.freq)
            wanted = () if span is None else tuple(range(span[0], span[1] + 1))
        rows = []
        keys = list(q.by)
        attrs = None
        if keys:
            attrs = _collect(tables.frame("customers").select("customer_id", *keys).unique(["customer_id"]))
        for per in wanted:
            end = months_of_period(int(per), q.freq)[1]
            as_of = end if last is None else min(end, last)
            base = {"period": int(per), "as_of": as_of, "partial": last is not None and end > last}
            cust = self.customers(tables, p, as_of, q.where)
            act = cust[cust["active"].astype(bool)] if "active" in cust else cust.iloc[:0]
            vals = pd.to_numeric(act["ltv"], errors="coerce") if len(act) else pd.Series(dtype=float)
            grand, n_all = float(vals.sum()), int(vals.notna().sum())
            if not keys:
                groups = [((), act)]
            else:
                act = act.drop(columns=[k for k in keys if k in act.columns]).merge(attrs, on="customer_id",
                                                                                      how="left")
                groups = list(act.groupby(keys, sort=True, dropna=False))
            for key, part in groups:
                v = pd.to_numeric(part["ltv"], errors="coerce")
                x = v.dropna().to_numpy(dtype=float)
                rows.append({**base, **dict(zip(keys, key if isinstance(key, tuple) else (key,))), "n": len(x),
                             "values": x, "excluded": int(v.isna().sum()), "grand": grand, "n_all": n_all})
        cols = ["period", *keys, "n", "values", "excluded", "grand", "n_all", "as_of", "partial"]
        return pd.DataFrame(rows, columns=cols)
