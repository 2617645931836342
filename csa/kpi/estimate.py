"""Statistics on the small tables an engine returns: one class per kind of KPI, one result shape.

Every class takes a table whose rows are groups (periods, teams, …) holding the aggregation a
KPI declares — counts, sums, order statistics — and adds the same columns: ``value``, ``low``,
``high`` (the interval at ``level``), ``n``, and what the change test and the sample-size planner
need (``successes``, ``sd``, ``promoters``, ``detractors``). :meth:`change` compares two rows
(this period against another) and returns ``{"diff", "low", "high", "p_value"}`` or, where no test
exists, the plain difference.

==================  ==============================================================================
:class:`Share`      a proportion in % with the Wilson interval (FCR, CSAT, SLA attainment, churn, …)
:class:`NPS`        % promoters − % detractors with the adjusted-Wald (Rocks 2016) or Wald interval
:class:`Mean`       a mean with the Student-t interval (handle time, quality score)
:class:`Time`       a time's mean (t interval) or median (distribution-free order-statistic interval)
:class:`Ratio`      a ratio of sums with the delta-method interval (revenue churn, NRR, GRR)
:class:`Total`      a census total or a ratio of totals without a sampling interval (volume, CPI)
:class:`BootstrapMean`  the mean of per-customer values with a BCa bootstrap interval (LTV)
==================  ==============================================================================

Every interval is computed by :mod:`csa.stats` (pinned there to statsmodels and SciPy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import stats as S
from ..metrics.ltv import bootstrap_mean, share_of_value
from ..metrics.support import median_ranks

__all__ = ["NPS", "BootstrapMean", "Mean", "Ratio", "Share", "Statistic", "Time", "Total", "median_positions"]


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _out(d: S.Difference) -> dict[str, Any]:
    return {"diff": float(d.diff), "low": float(d.low), "high": float(d.high), "p_value": float(d.p_value)}


class Statistic:
    """Base: ``estimate`` adds ``value``, ``low``, ``high`` to a table of aggregates; ``change`` compares rows."""

    def estimate(self, c: pd.DataFrame, p: dict, level: float) -> pd.DataFrame:
        raise NotImplementedError

    def change(self, a: pd.Series, b: pd.Series, p: dict, level: float) -> dict[str, Any] | None:
        """``a − b`` with an interval and p-value (both rows from :meth:`estimate`); ``None`` without values."""
        if not (a["n"] and b["n"]) or pd.isna(a["value"]) or pd.isna(b["value"]):
            return None
        return {"diff": float(a["value"] - b["value"]), "low": None, "high": None, "p_value": None}


@dataclass(frozen=True)
class Share(Statistic):
    """``100 · successes / n`` with the Wilson interval; change: Newcombe's interval, pooled z test.

    A row whose ``no_interval`` is true is a ratio that is not a proportion (successes counted
    among units outside ``n``): its value is given without an interval or a test.
    """

    def estimate(self, c: pd.DataFrame, p: dict, level: float) -> pd.DataFrame:
        n, x = _f(c["n"]), _f(c["successes"])
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(n > 0, 100 * x / n, np.nan)
        iv = S.proportion_interval(np.minimum(x, n), n, level=level)
        low, high = _f(iv.low), _f(iv.high)
        if "no_interval" in c.columns:
            none = c["no_interval"].fillna(False).to_numpy(dtype=bool)
            low, high = np.where(none, np.nan, low), np.where(none, np.nan, high)
        return c.assign(value=value, low=low, high=high)

    def change(self, a, b, p, level):
        if not (a["n"] and b["n"]):
            return None
        if a.get("no_interval") or b.get("no_interval"):
            return Statistic.change(self, a, b, p, level)
        return _out(S.diff_proportions(int(a["successes"]), int(a["n"]), int(b["successes"]), int(b["n"]),
                                       level=level))


@dataclass(frozen=True)
class NPS(Statistic):
    """``100 · (promoters − detractors) / n``; interval by ``p["method"]`` (:func:`csa.stats.nps_interval`)."""

    def estimate(self, c: pd.DataFrame, p: dict, level: float) -> pd.DataFrame:
        n, pr, de = _f(c["n"]), _f(c["promoters"]), _f(c["detractors"])
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(n > 0, 100 * (pr - de) / n, np.nan)
            iv = S.nps_interval(pr, de, n, level=level, method=p.get("method", "adjusted-wald"))
            shares = {"pct_promoters": np.where(n > 0, 100 * pr / n, np.nan),
                      "pct_detractors": np.where(n > 0, 100 * de / n, np.nan)}
        return c.assign(value=value, low=_f(iv.low), high=_f(iv.high), **shares)

    def change(self, a, b, p, level):
        if not (a["n"] and b["n"]):
            return None
        return _out(S.diff_nps(*(float(x[k]) for x in (a, b) for k in ("promoters", "detractors", "n")),
                               level=level, method=p.get("method", "adjusted-wald")))


@dataclass(frozen=True)
class Mean(Statistic):
    """Mean of ``n`` values from ``total`` (Σx) and ``total_sq`` (Σx²) with the Student-t interval; change: Welch."""

    def estimate(self, c: pd.DataFrame, p: dict, level: float) -> pd.DataFrame:
        n = _f(c["n"])
        ms = S.mean_from_sums(n, _f(c["total"]), _f(c["total_sq"]))
        mean, sd = _f(ms.mean), _f(ms.sd)
        iv = S.mean_interval(np.nan_to_num(mean), np.nan_to_num(sd), n, level=level)
        low, high = _f(iv.low), _f(iv.high)
        return c.assign(value=mean, low=np.where(n > 0, low, np.nan), high=np.where(n > 0, high, np.nan), sd=sd)

    def change(self, a, b, p, level):
        if not (a["n"] > 1 and b["n"] > 1):
            return None
        return _out(S.diff_means(a["value"], a["sd"], int(a["n"]), b["value"], b["sd"], int(b["n"]), level=level))


def median_positions(n, level: float) -> dict[str, np.ndarray]:
    """1-based ranks of the order statistics behind a median and its interval, for groups of ``n`` values.

    ``mid_a``, ``mid_b`` (the median is their mean: the same rank when ``n`` is odd) and
    ``ci_low``, ``ci_high`` (:func:`csa.metrics.support.median_ranks`; 0: no interval).

    >>> {k: v.tolist() for k, v in median_positions([5, 10], 0.95).items()}
    {'mid_a': [3, 5], 'mid_b': [3, 6], 'ci_low': [0, 2], 'ci_high': [0, 9]}
    """
    n = np.asarray(n, dtype=np.int64)
    r, u = median_ranks(n, level)
    return {"mid_a": np.where(n > 0, (n - 1) // 2 + 1, 0), "mid_b": np.where(n > 0, n // 2 + 1, 0),
            "ci_low": np.asarray(r, np.int64), "ci_high": np.asarray(u, np.int64)}


@dataclass(frozen=True)
class Time(Statistic):
    """A time in minutes: its mean (``p["statistic"] == "mean"``, t interval) or its median (order statistics)."""

    def estimate(self, c: pd.DataFrame, p: dict, level: float) -> pd.DataFrame:
        out = Mean().estimate(c, p, level)
        if p.get("statistic", "mean") != "median":
            return out
        n = _f(c["n"])
        med = (_f(c["mid_a"]) + _f(c["mid_b"])) / 2
        return out.assign(value=np.where(n > 0, med, np.nan), low=_f(c["ci_low"]), high=_f(c["ci_high"]))

    def change(self, a, b, p, level):
        if p.get("statistic", "mean") == "median":
            return Statistic.change(self, a, b, p, level)
        return Mean().change(a, b, p, level)


@dataclass(frozen=True)
class Ratio(Statistic):
    """``100 · Σy / Σx`` over units (customers) with the delta-method interval (Cochran 1977, §6.4).

    The table holds ``units`` (n of the ratio), ``sx``, ``sy``, ``sxx``, ``syy``, ``sxy`` and
    ``moved`` (units with ``y ≠ 0``). With ``r = Σy/Σx`` and ``x̄ = Σx/units``, the linearised values
    ``zᵢ = (yᵢ − r·xᵢ)/x̄`` have mean 0 and ``Σz² = (Σy² − 2rΣxy + r²Σx²)/x̄²``; the interval is
    :func:`csa.stats.mean_interval` of ``r`` with ``sd = √(Σz²/(units − 1))`` (no interval when no
    unit moved: the variance would be 0). ``complement``: the KPI is ``100 − ratio`` (NRR, GRR).
    ``floor``: the ratio's lower limit is clipped there (a gross churn is never below 0).
    """

    complement: bool = False
    floor: float | None = None

    def estimate(self, c: pd.DataFrame, p: dict, level: float) -> pd.DataFrame:
        units, sx, sy = _f(c["units"]), _f(c["sx"]), _f(c["sy"])
        value, low, high = np.full(len(c), np.nan), np.full(len(c), np.nan), np.full(len(c), np.nan)
        for i in range(len(c)):
            if sx[i] <= 0:
                continue
            r = sy[i] / sx[i]
            value[i] = 100 * r
            if units[i] < 2 or not c["moved"].iloc[i]:
                continue
            xbar = sx[i] / units[i]
            ss = (float(c["syy"].iloc[i]) - 2 * r * float(c["sxy"].iloc[i]) + r * r * float(c["sxx"].iloc[i]))
            sd = math.sqrt(max(ss, 0.0) / (units[i] - 1)) / xbar
            iv = S.mean_interval(r, sd, units[i], level=level)
            lo = 100 * float(iv.low)
            low[i] = max(lo, self.floor) if self.floor is not None else lo
            high[i] = 100 * float(iv.high)
        if self.complement:
            value, low, high = 100 - value, 100 - high, 100 - low
        return c.assign(value=value, low=low, high=high)


@dataclass(frozen=True)
class Total(Statistic):
    """A census figure without a sampling interval: ``value`` as the kernel computed it (a count, a cost per ticket)."""

    def estimate(self, c: pd.DataFrame, p: dict, level: float) -> pd.DataFrame:
        return c.assign(low=np.nan, high=np.nan)


@dataclass(frozen=True)
class BootstrapMean(Statistic):
    """The mean of per-customer values (``values``: an array per row) with the BCa bootstrap interval.

    Each row's values are resampled ``p["n_resamples"]`` times from
    ``numpy.random.default_rng([p["seed"], i])``, ``i`` the row's place among its period's groups
    (0 without groups), exactly as :func:`csa.metrics.ltv.value_by_group` draws them
    (:func:`csa.metrics.ltv.bootstrap_mean`). Adds ``value`` (the mean), ``low``, ``high``,
    ``median``, ``total`` and, against the period's ``grand`` total and ``n_all`` customers,
    ``share`` and ``share_n`` (percent); the arrays are dropped. Change: the plain difference (a
    bootstrap of the difference would need both periods' customers).
    """

    def estimate(self, c: pd.DataFrame, p: dict, level: float) -> pd.DataFrame:
        c = c.reset_index(drop=True)
        place = c.groupby("period", sort=False).cumcount().to_numpy() if len(c) else np.array([], int)
        cols = {k: np.full(len(c), np.nan) for k in ("value", "low", "high", "median", "total", "share", "share_n")}
        for i in range(len(c)):
            x = np.asarray(c["values"].iloc[i], dtype=float)
            m, lo, hi, med = bootstrap_mean(x, level=level, n_resamples=p.get("n_resamples", 2000),
                                            seed=p.get("seed", 0), group=int(place[i]))
            cols["value"][i], cols["low"][i], cols["high"][i], cols["median"][i] = m, lo, hi, med
            if len(x):
                total, share, share_n = share_of_value(x, float(c["grand"].iloc[i]), int(c["n_all"].iloc[i]))
                cols["total"][i], cols["share"][i], cols["share_n"][i] = total, share, share_n
        return c.drop(columns="values").assign(**cols)
