"""Did an action move a KPI? The evaluation of the registry's actions (article 000, step 5).

An action of the KPI registry (:class:`csa.registry.Action`) names the KPIs it should move. Each
pair is evaluated on the KPI's rows (:func:`csa.kpi.rows`, one observation each, on any engine):

* an action that touched a **subset** (its ``scope``: one team, one segment) leaves the rest as a
  comparison group: **difference in differences** (:func:`csa.metrics.did.did`), with the
  parallel-trends test before the start (:func:`csa.metrics.did.pretrend`), the event study
  month by month (:func:`csa.metrics.did.event_study`) and each group's monthly mean;
* an action on **everyone** leaves no comparison group: an **interrupted time series**
  (:func:`csa.metrics.did.its`).

Times are compared on the log scale (the effect is a factor); shares and scores in points.
Standard errors are clustered by the action's ``cluster`` (by default the agent for tickets, the
customer for answers and attempts: :data:`CLUSTERS`). This module computes; the KPI-cycle view
(:mod:`csa.views.kpi_cycle`) picks the words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from . import kpi as K
from . import registry as R
from . import stats as S
from .metrics import did as D

__all__ = ["CLUSTERS", "Evaluation", "evaluate", "evaluations", "four_means", "group_means", "kpi_scale_trends",
           "percent", "scope_name"]

#: default cluster column of each table (rows of one agent, or one customer, are not independent)
CLUSTERS = {"tickets": "agent", "surveys": "customer_id", "goals": "customer_id"}


@dataclass
class Evaluation:
    """One action's effect on one KPI: the design, the estimate and what the pictures need.

    Attributes
    ----------
    action : Action
        The registry's action.
    entry : Entry
        The registry's KPI it should move.
    design : str
        ``"did"`` (difference in differences), ``"its"`` (interrupted time series) or ``"none"``
        (not evaluated: ``reason`` says why).
    log : bool
        The KPI was compared on the log scale (a time or a mean): the effect is a log ratio.
    result : DiD or ITS, optional
        The fit (:mod:`csa.metrics.did`).
    pretrend : Effect, optional
        The difference in slope between the groups before the start (per month).
    events : DataFrame, optional
        The event study: the gap per month relative to the month before the start.
    trends : DataFrame, optional
        Per group and month: ``month`` (text), ``group`` (:func:`scope_name`), ``n``, ``mean``,
        ``low``, ``high`` on the model's scale (mean log minutes for times).
    reason : str
        Why it was not evaluated: ``"no_rows"``, ``"no_comparison"``, ``"too_early"`` or a message.
    cluster : str, optional
        The column the standard errors are clustered by (``"period"`` for a time series).
    controls : tuple of str
        The columns adjusted for.
    engine : str
        Where the KPI's rows were read (``"pandas"``, ``"duckdb"``, ``"spark"``).
    """

    action: R.Action
    entry: R.Entry
    design: str                          # "did", "its" or "none"
    log: bool = False
    result: Any = None                   # DiD or ITS
    pretrend: D.Effect | None = None
    events: pd.DataFrame | None = None
    trends: pd.DataFrame | None = None   # per month and group: n, mean, low, high on the model scale
    reason: str = ""
    cluster: str | None = None
    controls: tuple[str, ...] = ()
    engine: str = "pandas"

    @property
    def effect(self) -> D.Effect | None:
        """The effect: the DiD's, or the time series' jump in level; ``None`` when not evaluated."""
        if self.result is None:
            return None
        return self.result if self.design == "did" else self.result.level

    @property
    def unit(self) -> str:
        """The unit of :attr:`reported`: ``"%"`` (a percent change) on the log scale, ``"points"`` for a share
        or a score, else the KPI's unit."""
        if self.log:
            return "%"
        return "points" if self.entry.unit in ("%", "points") else self.entry.unit

    @property
    def reported(self) -> tuple[float, float, float] | None:
        """(effect, low, high) on the scale a reader sees: a percent change for a log ratio
        (:func:`percent` of the effect and of its limits), else the effect itself; in :attr:`unit`."""
        e = self.effect
        if e is None:
            return None
        if self.log:
            return percent(e.effect), percent(e.low), percent(e.high)
        return e.effect, e.low, e.high


def percent(log_ratio: float) -> float:
    """A log ratio as a percent change: ``100 · (exp(x) − 1)``.

    Examples
    --------
    >>> round(percent(math.log(0.55)), 6), percent(0.0)
    (-45.0, 0.0)
    """
    return 100 * (math.exp(log_ratio) - 1)


def scope_name(action: R.Action, side: str) -> str:
    """A group's name as data: the scope's values (``north``) for the treated side, ``comparison_group`` for
    the other; a view translates it.

    Examples
    --------
    >>> a = R.Action("t", {"en": "T"}, pd.Period("2026-04", "M"), ("frt",), {"en": "lead"}, scope={"team": ("north",)})
    >>> scope_name(a, "treated"), scope_name(a, "comparison")
    ('north', 'comparison_group')
    """
    if side == "treated":
        return "/".join(v for vals in action.scope.values() for v in vals)
    return "comparison_group"


def group_means(df: pd.DataFrame, y: np.ndarray, group: pd.Series, level: float = 0.95,
                names: dict | None = None) -> pd.DataFrame:
    """Per group and month: rows, mean of ``y`` and its t interval (:func:`csa.stats.mean_interval`).

    Parameters
    ----------
    df : DataFrame
        The rows, with a ``period`` column (pandas Periods, or text).
    y : array
        The outcome of each row (rows where it is not finite are left out).
    group : Series
        The group of each row.
    level : float
        Confidence level.
    names : dict, optional
        Renames the groups (e.g. treated ``True``/``False`` to names): applied to the small table,
        not to every row.

    Returns
    -------
    DataFrame
        ``month`` (text), ``group``, ``n``, ``mean``, ``low``, ``high``; by group, then month.

    Examples
    --------
    >>> df = pd.DataFrame({"period": pd.PeriodIndex(["2026-01", "2026-01", "2026-02", "2026-01"], freq="M")})
    >>> g = group_means(df, np.array([1.0, 3.0, 5.0, 4.0]), pd.Series([True, True, True, False]),
    ...                 names={True: "north", False: "comparison_group"})
    >>> g[["month", "group", "n", "mean"]]
         month             group  n  mean
    0  2026-01  comparison_group  1   4.0
    1  2026-01             north  2   2.0
    2  2026-02             north  1   5.0
    >>> round(float(g.loc[1, "high"] - g.loc[1, "mean"]), 3)  # t(0.975, 1) · sd / √2 = 12.706 · 1.414 / 1.414
    12.706
    """
    period = df["period"]
    ordinal = period.array.asi8 if isinstance(period.dtype, pd.PeriodDtype) else None
    work = pd.DataFrame({"month": period.astype(str).to_numpy() if ordinal is None else ordinal,
                         "group": group.to_numpy(), "y": y})
    work = work[np.isfinite(work["y"])]
    g = work.groupby(["group", "month"], sort=True)["y"].agg(["size", "mean", "std"]).reset_index()
    if ordinal is not None:  # the months' text once per month, not once per row
        g["month"] = pd.PeriodIndex.from_ordinals(g["month"].to_numpy(), freq=period.dtype.freq).astype(str)
    if names is not None:
        g["group"] = g["group"].map(names)
        g = g.sort_values(["group", "month"], kind="stable", ignore_index=True)
    low, high = S.mean_interval(g["mean"].to_numpy(), g["std"].to_numpy(), g["size"].to_numpy(), level=level)
    return pd.DataFrame({"month": g["month"], "group": g["group"], "n": g["size"].astype("int64"), "mean": g["mean"],
                         "low": low, "high": high})


def evaluate(ds, registry: R.Registry, action: R.Action, kpi: str, *, level: float = 0.95,
             until: pd.Period | None = None, controls: tuple[str, ...] | None = None,
             details: bool = True, engine: str = "pandas") -> Evaluation:
    """Did ``action`` move ``kpi``? Difference in differences when the action touched a subset, else ITS.

    Parameters
    ----------
    ds : Dataset
        The data (or anything :func:`csa.kpi.rows` reads).
    registry : Registry
        The KPI registry.
    action : Action
        One of its actions.
    kpi : str
        The id of a registry entry the action names.
    level : float
        Confidence level.
    until : pandas.Period, optional
        The report period (any frequency; its last month counts): later rows are left out.
    controls : tuple of str, optional
        Overrides the action's controls (``()``: none).
    details : bool
        ``False`` skips the pre-trend test, the event study and the group means (faster).
    engine : {"pandas", "duckdb", "spark"}
        Where the KPI's rows are read (:func:`csa.kpi.rows`); the regressions run in pandas.

    Returns
    -------
    Evaluation

    Notes
    -----
    The KPI's rows (monthly) are split into the action's scope (treated) and the rest
    (comparison); a KPI restricted to the scope (``where: {team: north}``) is evaluated on the
    same measure without that restriction, so that a comparison group exists. Times and means
    are compared on the log scale when every value is positive (the effect is then a factor),
    otherwise on their own scale (minutes: the effect on the mean, the KPI as the registry reads
    it) — never by leaving the zeros out. Rows after the action's ``end``, or after ``until``,
    are left out. Only the scope, cluster and control columns are read (at 12 M tickets the others are
    gigabytes). Too early to tell (no month from the start for a DiD, fewer than two for a time
    series) gives design ``"none"`` with the reason.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load(csa.datasets.sample_dir())
    >>> reg = R.load()
    >>> ev = evaluate(ds, reg, reg.action("osaka_training"), "fcr", until=pd.Period("2026-10", "M"), details=False)
    >>> ev.design, ev.cluster, ev.effect.clusters, round(ev.effect.effect, 1)
    ('did', 'agent', 18, 17.1)
    """
    e = registry.entry(kpi)
    if e.spec is None or not isinstance(e.spec.kernel, K.kernels.Rows):
        return Evaluation(action, e, "none", reason="no_rows", engine=engine)
    target = replace(e, where={k: v for k, v in e.where.items() if k not in action.scope})
    cluster = action.cluster or CLUSTERS.get(e.spec.table)
    wanted = [*action.scope, *([cluster] if cluster else []),
              *(action.controls if controls is None else controls)]
    try:  # only the columns the regressions read
        rows = K.rows(target.measure, ds, freq="month", where=target.where, columns=wanted, absent="skip",
                      engine=engine, **target.params)
    except Exception as exc:  # a missing table: said, not raised
        return Evaluation(action, e, "none", reason=_problem(exc), engine=engine)
    if action.end is not None:
        rows = rows[rows["period"] <= action.end]
    if until is not None:
        rows = rows[rows["period"] <= until.asfreq("M", "end")]
    months_after = rows.loc[rows["period"] >= action.start, "period"].nunique()
    if months_after < (1 if action.scope else 2):
        return Evaluation(action, e, "none", reason="too_early", engine=engine)
    # times and means on the log scale (a training that cuts waiting times does so by a factor), but only
    # when every value is positive: a zero has no logarithm, and leaving those rows out would estimate
    # the effect on another population (business minutes are 0 for a ticket answered before opening)
    log = isinstance(e.spec.kernel.statistic, (K.estimate.Mean, K.estimate.Time)) and bool((rows["y"] > 0).all())
    cluster = cluster if cluster in rows.columns else None
    controls = tuple(c for c in (action.controls if controls is None else controls) if c in rows.columns)
    missing = [k for k in action.scope if k not in rows.columns]
    if missing:
        return Evaluation(action, e, "none", reason=f"scope column {missing[0]!r} not in the rows of {e.id}",
                          engine=engine)
    after = rows["period"] >= action.start
    if action.scope:
        treated = np.ones(len(rows), dtype=bool)
        for k, vals in action.scope.items():
            treated &= rows[k].astype(str).isin(vals).to_numpy()
        rows = rows.assign(_treated=treated, _after=after.to_numpy())
        if treated.all() or not treated.any():
            return Evaluation(action, e, "none", reason="no_comparison", engine=engine)
        common = dict(outcome="y", treated="_treated", log=log, level=level, cluster=cluster, controls=controls)
        res = D.did(rows, after="_after", **common)
        if not details:
            return Evaluation(action, e, "did", log, res, cluster=cluster, controls=controls, engine=engine)
        pre = D.pretrend(rows, time="period", before=action.start, **common)
        ev = D.event_study(rows, time="period", ref=action.start - 1, **common)
        y = np.log(rows["y"].where(rows["y"] > 0)).to_numpy() if log else rows["y"].to_numpy(dtype=float)
        names = {True: scope_name(action, "treated"), False: scope_name(action, "comparison")}
        trends = group_means(rows, y, rows["_treated"], level, names)
        return Evaluation(action, e, "did", log, res, pre, ev, trends, cluster=cluster, controls=controls,
                          engine=engine)
    res = D.its(rows, outcome="y", time="period", start=action.start, log=log, level=level, controls=controls)
    return Evaluation(action, e, "its", log, res, cluster="period", controls=controls, engine=engine)


def _problem(exc: Exception) -> str:
    """What went wrong in one line: the problems of a :class:`csa.errors.DataError`, else the first line."""
    problems = getattr(exc, "problems", None)
    if problems:
        return "; ".join(f"{p.message} ({p.fix})" if getattr(p, "fix", "") else p.message for p in problems)
    return str(exc).splitlines()[0]


def evaluations(ds, registry: R.Registry, *, level: float = 0.95, until: pd.Period | None = None,
                engine: str = "pandas") -> list[Evaluation]:
    """Every registered action on every KPI it names, in registry order, on the data up to ``until``
    (:func:`evaluate`, the rows read on ``engine``)."""
    return [evaluate(ds, registry, a, k, level=level, until=until, engine=engine)
            for a in registry.actions for k in a.kpis]


def four_means(ev: Evaluation) -> pd.DataFrame:
    """The 2×2 table behind a difference in differences: per group, the mean before and from the start
    (mean log minutes for times), the rows, and the change; the difference of the two changes is
    ``ev.result.by_hand``.

    Returns
    -------
    DataFrame
        Indexed by ``treated`` (``True`` first): ``before``, ``n_before``, ``after``, ``n_after``, ``change``
        (``after − before``).
    """
    if ev.design != "did" or ev.result is None:
        raise ValueError(f"{ev.action.id} → {ev.entry.id}: four means exist for a difference in differences; "
                         f"this one is {ev.design!r}")
    m = ev.result.means.set_index(["treated", "after"])
    rows = []
    for tr in (True, False):
        b, a = m.loc[(tr, False)], m.loc[(tr, True)]
        rows.append({"treated": tr, "before": float(b["mean"]), "n_before": int(b["n"]), "after": float(a["mean"]),
                     "n_after": int(a["n"]), "change": float(a["mean"] - b["mean"])})
    return pd.DataFrame(rows).set_index("treated")


def kpi_scale_trends(ev: Evaluation, *, min_n: int = 30) -> pd.DataFrame:
    """:attr:`Evaluation.trends` on the KPI's scale (a time's mean log minutes back in minutes: the
    geometric mean, with its interval), with ``small_n`` for months of fewer than ``min_n`` rows."""
    tab = ev.trends.copy()
    if ev.log:
        for c in ("mean", "low", "high"):
            tab[c] = np.exp(tab[c])
    tab["small_n"] = S.small_n(tab["n"].to_numpy(), min_n)
    return tab
