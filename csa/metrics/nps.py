"""Net Promoter Score (NPS, ネット・プロモーター・スコア) with honest statistics.

Definition (source article 001): on the 0–10 "would you recommend …" scale, promoters answer
9–10, passives 7–8, detractors 0–6; **NPS = % promoters − % detractors**, from −100 to +100
(article 000: +50 and above is "excellent").

The module keeps the two steps of every metric apart:

1. **aggregation** — :func:`nps_counts` turns raw responses into a small table of counts
   (``n, promoters, passives, detractors, excluded``) per group; any engine that can count
   (DuckDB, Polars, Spark) can produce the same table;
2. **statistics** — :func:`nps_stats`, :func:`compare`, :func:`sample_size` work on counts only.

Intervals
---------
Default: **adjusted Wald** (Rocks 2016, *The American Statistician* 70(4), 365–372; recommended by
MeasuringU): add 3 to n and ¾ to the promoter and the detractor counts, then

    p = (P + ¾)/(n + 3),  d = (D + ¾)/(n + 3),  NPS* = p − d,
    var = p + d − (p − d)²,  se = √(var / (n + 3)),  interval = NPS* ± z·se.

``method="wald"`` uses the plain counts. ``var`` is the variance of a single response scored
+1 / 0 / −1 (promoter / passive / detractor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, Problem

__all__ = ["classify", "trinomial", "responses", "nps_table", "followups", "paired_change",
           "relationship_waves", "PairedChange", "nps_counts", "nps_stats", "nps", "NPSResult", "compare", "Comparison",
           "sample_size", "METHODS", "COUNT_COLUMNS"]

METHODS = ("adjusted-wald", "wald")
COUNT_COLUMNS = ["n", "promoters", "passives", "detractors"]


def classify(scores) -> np.ndarray:
    """``'promoter'`` (9–10), ``'passive'`` (7–8) or ``'detractor'`` (0–6) for each score."""
    s = np.asarray(scores, dtype=float)
    return np.where(s >= 9, "promoter", np.where(s >= 7, "passive", "detractor"))


def trinomial(scores) -> np.ndarray:
    """+1 for a promoter, 0 for a passive, −1 for a detractor; NPS = 100 × their mean."""
    s = np.asarray(scores, dtype=float)
    return np.where(s >= 9, 1.0, np.where(s <= 6, -1.0, 0.0))


_CLASS_OF_SCORE = np.array([0] * 7 + [1] * 2 + [2] * 2, dtype=np.int64)  # 0–6, 7–8, 9–10


def _classes(scores: pd.Series) -> np.ndarray:
    """0 detractor, 1 passive, 2 promoter, 3 not a valid score (missing, outside 0–10, fractional)."""
    if pd.api.types.is_integer_dtype(scores) and not scores.hasnans:
        v = scores.to_numpy(dtype=np.int64)
        ok = (v >= 0) & (v <= 10)
        return np.where(ok, _CLASS_OF_SCORE[np.clip(v, 0, 10)], 3)
    num = pd.to_numeric(scores, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ok = (num >= 0) & (num <= 10) & (num % 1 == 0)
    return np.where(ok, _CLASS_OF_SCORE[np.clip(np.nan_to_num(num), 0, 10).astype(np.int64)], 3)


# ------------------------------------------------------------------------------- aggregation

def nps_counts(df: pd.DataFrame, by: str | list[str] | None = None, *, score: str = "score",
               exclude_invalid: bool = False) -> pd.DataFrame:
    """Step 1: count promoters, passives and detractors per group.

    Parameters
    ----------
    df : one row per NPS response.
    by : grouping column(s); ``None`` for one overall row.
    score : the 0–10 score column.
    exclude_invalid : scores that are missing, outside 0–10 or not whole numbers raise a
        :class:`~csa.DataError` by default; with ``True`` they are left out and counted in
        the ``excluded`` column instead.

    Returns
    -------
    DataFrame with the ``by`` columns, ``n`` (valid responses), ``promoters``, ``passives``,
    ``detractors`` and ``excluded``. Groups keep their observed order (sorted).
    """
    if score not in df.columns:
        raise KeyError(f"score column {score!r} not found; the columns are: {', '.join(map(str, df.columns))}")
    cls = _classes(df[score])
    if not exclude_invalid and (cls == 3).any():
        bad = df.loc[cls == 3, score]
        raise DataError([Problem("surveys", "(data frame)", "NPS scores must be whole numbers 0–10",
                                 "filter to survey == 'nps' first, or pass exclude_invalid=True to "
                                 "leave such rows out (they are then counted in 'excluded')",
                                 column=score, n_rows=len(bad), rows=[int(i) + 2 for i in bad.index[:3]],
                                 values=bad.iloc[:3].tolist())])
    if by is None:
        c = np.bincount(cls, minlength=4)
        return _counts_frame({}, c[None, :])
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise KeyError(f"group column(s) {missing} not found; the columns are: {', '.join(map(str, df.columns))}")
    codes, uniques = [], []
    for k in keys:
        c, u = pd.factorize(df[k], sort=True, use_na_sentinel=False)
        codes.append(c.astype(np.int64))
        uniques.append(u)
    shape = tuple(max(len(u), 1) for u in uniques)
    cells = int(np.prod(shape, dtype=np.int64))
    if cells > _DENSE_LIMIT:  # too many key combinations for a dense count: let pandas hash them
        work = pd.DataFrame({k: df[k] for k in keys}).assign(_cls=cls)
        tab = work.groupby(keys + ["_cls"], sort=True, dropna=False).size().unstack("_cls", fill_value=0)
        tab = tab.reindex(columns=range(4), fill_value=0)
        return _counts_frame({k: tab.index.get_level_values(k) for k in keys}, tab.to_numpy())
    flat = np.ravel_multi_index(codes, shape) if len(keys) > 1 else codes[0]
    counts = np.bincount(flat * 4 + cls, minlength=cells * 4).reshape(cells, 4)
    present = np.flatnonzero(counts.sum(axis=1) > 0)
    parts = np.unravel_index(present, shape)
    return _counts_frame({k: uniques[i].take(parts[i]) for i, k in enumerate(keys)}, counts[present])


_DENSE_LIMIT = 10_000_000  # key combinations counted densely with np.bincount


def _counts_frame(keys: dict, c: np.ndarray) -> pd.DataFrame:
    """Counts table from class counts ``c`` (columns: detractors, passives, promoters, excluded)."""
    c = np.asarray(c, dtype=np.int64)
    out = pd.DataFrame({k: np.asarray(v) if not hasattr(v, "dtype") else v for k, v in keys.items()})
    out["n"] = c[:, :3].sum(axis=1)
    out["promoters"], out["passives"], out["detractors"], out["excluded"] = c[:, 2], c[:, 1], c[:, 0], c[:, 3]
    return out.reset_index(drop=True) if keys else out


# ------------------------------------------------------------------------------- statistics

def _z(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95); got {level!r}")
    return float(stats.norm.ppf(0.5 + level / 2))


def _adjusted(P, D, n, method: str):
    """(centre, variance of one response, effective n) as proportions."""
    P, D, n = (np.asarray(x, dtype=float) for x in (P, D, n))
    if method == "adjusted-wald":
        n_eff = n + 3.0
        p, d = (P + 0.75) / n_eff, (D + 0.75) / n_eff
    elif method == "wald":
        n_eff = n
        with np.errstate(invalid="ignore", divide="ignore"):
            p, d = P / n, D / n
    else:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    return p - d, p + d - (p - d) ** 2, n_eff


def nps_stats(counts: pd.DataFrame, *, level: float = 0.95, method: str = "adjusted-wald",
              min_n: int = 30) -> pd.DataFrame:
    """Step 2: NPS, shares and interval for each row of a counts table.

    Returns
    -------
    The input columns plus ``pct_promoters``, ``pct_passives``, ``pct_detractors`` (0–100),
    ``nps`` (plain NPS, −100…100), ``se`` (standard error, NPS points), ``low`` and ``high``
    (the interval, clipped to −100…100), and ``small_n`` (``n < min_n``: too few to read).
    Rows with ``n == 0`` get missing values, never an interval.

    Examples
    --------
    >>> c = pd.DataFrame({"n": [10], "promoters": [5], "passives": [3], "detractors": [2]})
    >>> nps_stats(c, min_n=30)[["nps", "low", "high", "small_n"]].round(1)
        nps   low  high  small_n
    0  30.0 -19.1  65.2     True
    """
    missing = [c for c in ("n", "promoters", "detractors") if c not in counts]
    if missing:
        raise KeyError(f"counts table lacks {missing}; make it with nps_counts()")
    z = _z(level)
    out = counts.copy()
    n = out["n"].to_numpy(dtype=float)
    P, D = out["promoters"].to_numpy(dtype=float), out["detractors"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pct_promoters"] = np.where(n > 0, 100 * P / n, np.nan)
        out["pct_passives"] = np.where(n > 0, 100 * (n - P - D) / n, np.nan)
        out["pct_detractors"] = np.where(n > 0, 100 * D / n, np.nan)
        out["nps"] = out["pct_promoters"] - out["pct_detractors"]
        centre, var, n_eff = _adjusted(P, D, n, method)
        se = np.sqrt(var / n_eff)
    has = n > 0
    out["se"] = np.where(has, 100 * se, np.nan)
    out["low"] = np.where(has, np.clip(100 * (centre - z * se), -100, 100), np.nan)
    out["high"] = np.where(has, np.clip(100 * (centre + z * se), -100, 100), np.nan)
    out["small_n"] = n < min_n
    return out


@dataclass(frozen=True)
class NPSResult:
    """NPS of one group of responses. ``value``, ``low``, ``high`` are on the −100…100 scale."""

    value: float
    low: float
    high: float
    n: int
    promoters: int
    passives: int
    detractors: int
    excluded: int = 0
    level: float = 0.95
    method: str = "adjusted-wald"

    @property
    def pct_promoters(self) -> float:
        return 100 * self.promoters / self.n if self.n else float("nan")

    @property
    def pct_detractors(self) -> float:
        return 100 * self.detractors / self.n if self.n else float("nan")

    @property
    def pct_passives(self) -> float:
        return 100 * self.passives / self.n if self.n else float("nan")

    def __str__(self) -> str:
        if not self.n:
            return "NPS: no valid responses" + (f" ({self.excluded} excluded)" if self.excluded else "")
        ex = f"; {self.excluded} excluded" if self.excluded else ""
        return (f"NPS {self.value:+.1f} ({self.level:.0%} interval {self.low:+.1f} to {self.high:+.1f}, "
                f"{self.method}; n = {self.n:,}: {self.promoters:,} promoters, {self.passives:,} passives, "
                f"{self.detractors:,} detractors{ex})")

    @classmethod
    def from_counts(cls, row, *, level: float = 0.95, method: str = "adjusted-wald") -> "NPSResult":
        c = pd.DataFrame([{k: int(row[k]) for k in COUNT_COLUMNS}])
        r = nps_stats(c, level=level, method=method).iloc[0]
        return cls(float(r["nps"]), float(r["low"]), float(r["high"]), int(r["n"]), int(r["promoters"]),
                   int(r["passives"]), int(r["detractors"]), int(row.get("excluded", 0) if hasattr(row, "get") else 0),
                   level, method)


def nps(scores, *, level: float = 0.95, method: str = "adjusted-wald", exclude_invalid: bool = False) -> NPSResult:
    """NPS of a set of 0–10 scores, with its interval.

    >>> r = nps([10, 9, 9, 10, 9, 8, 7, 8, 3, 6])
    >>> r.value, r.promoters, r.passives, r.detractors
    (30.0, 5, 3, 2)
    >>> round(r.low, 1), round(r.high, 1)
    (-19.1, 65.2)
    """
    s = pd.Series(scores) if not isinstance(scores, pd.Series) else scores
    counts = nps_counts(pd.DataFrame({"score": s.reset_index(drop=True)}), exclude_invalid=exclude_invalid).iloc[0]
    return NPSResult.from_counts(counts, level=level, method=method)


# ------------------------------------------------------------------------------- comparison

@dataclass(frozen=True)
class Comparison:
    """Difference ``a − b`` of two NPS (points), its interval and two-sided p-value."""

    diff: float
    low: float
    high: float
    z: float
    p_value: float
    a: NPSResult
    b: NPSResult
    level: float = 0.95
    method: str = "adjusted-wald"

    def __str__(self) -> str:
        return (f"NPS difference {self.diff:+.1f} points ({self.level:.0%} interval {self.low:+.1f} to "
                f"{self.high:+.1f}; z = {self.z:.2f}, p = {self.p_value:.3g}; n = {self.a.n:,} vs {self.b.n:,})")


def compare(a, b, *, level: float = 0.95, method: str = "adjusted-wald") -> Comparison:
    """Is NPS ``a`` different from NPS ``b`` (independent samples: two groups or periods)?

    ``a`` and ``b`` are :class:`NPSResult` (or anything with ``n``, ``promoters``,
    ``detractors``). The difference of the adjusted NPS is divided by
    ``√(var_a/n_a + var_b/n_b)``; the p-value is two-sided (normal). ``diff`` is the plain
    difference; the interval is centred on the adjusted one (as in Rocks 2016).
    """
    z_crit = _z(level)
    ra = a if isinstance(a, NPSResult) else NPSResult.from_counts(a, level=level, method=method)
    rb = b if isinstance(b, NPSResult) else NPSResult.from_counts(b, level=level, method=method)
    if ra.n == 0 or rb.n == 0:
        nan = float("nan")
        return Comparison(nan, nan, nan, nan, nan, ra, rb, level, method)
    ca, va, na = _adjusted(ra.promoters, ra.detractors, ra.n, method)
    cb, vb, nb = _adjusted(rb.promoters, rb.detractors, rb.n, method)
    se = float(np.sqrt(va / na + vb / nb))
    d = float(ca - cb)
    z = d / se if se > 0 else float("nan")
    p = float(2 * stats.norm.sf(abs(z))) if se > 0 else float("nan")
    return Comparison(ra.value - rb.value, 100 * (d - z_crit * se), 100 * (d + z_crit * se), z, p, ra, rb,
                      level, method)


def sample_size(difference: float, *, promoters: float = 0.3, detractors: float = 0.3,
                level: float = 0.95, power: float = 0.8) -> int:
    """Responses needed **per group** to detect an NPS difference of ``difference`` points.

    Two-sided test at ``1 − level`` with the given ``power``, assuming both groups have about
    the shares ``promoters`` and ``detractors`` (proportions 0–1; the variance of one response
    is ``p + d − (p − d)²``):  n = (z₁₋α/₂ + z₁₋β)² · 2·var / Δ², rounded up.

    >>> sample_size(10)  # detect 10 NPS points, 30 % promoters and 30 % detractors
    942
    """
    if not 0 < power < 1:
        raise ValueError(f"power must be between 0 and 1; got {power!r}")
    if not 0 < abs(difference) <= 200:
        raise ValueError(f"difference is in NPS points (e.g. 10); got {difference!r}")
    if not (0 <= promoters <= 1 and 0 <= detractors <= 1 and promoters + detractors <= 1):
        raise ValueError("promoters and detractors are shares between 0 and 1 that sum to at most 1")
    var = promoters + detractors - (promoters - detractors) ** 2
    za, zb = _z(level), float(stats.norm.ppf(power))
    return int(np.ceil((za + zb) ** 2 * 2 * var / (difference / 100) ** 2))


# ------------------------------------------------------------------------------- on a Dataset

GROUPS = ("promoter", "passive", "detractor")


def responses(ds, *, segment: str | None = None, plan: str | None = None,
              touchpoint: str | None = None, freq: str = "month") -> pd.DataFrame:
    """NPS responses of a :class:`~csa.Dataset`, with customer attributes and a ``period`` column.

    Filters (``None`` or ``""`` = all): ``segment``, ``plan``, ``touchpoint``; an unknown value
    is an error listing the values present, never an empty result by accident.
    """
    from ..periods import period_of

    ds.require("surveys")
    s = ds.surveys[ds.surveys["survey"] == "nps"]
    cust = ds.customers[["customer_id", "name", "segment", "plan", "region", "csm"]]
    out = s.merge(cust, on="customer_id", how="left", validate="many_to_one")
    for col, val in (("segment", segment), ("plan", plan), ("touchpoint", touchpoint)):
        if val:
            known = sorted(out[col].dropna().unique())
            if val not in known:
                raise ValueError(f"{col} {val!r} does not occur in the NPS responses; choose one of: {', '.join(known)}")
            out = out[out[col] == val]
    out = out.assign(period=period_of(out["responded_at"], freq), group=classify(out["score"]))
    return out.reset_index(drop=True)


def nps_table(resp: pd.DataFrame, by: str | list[str] | None = "period", *, level: float = 0.95,
              method: str = "adjusted-wald", min_n: int = 30) -> pd.DataFrame:
    """Tidy NPS table by any of ``period``, ``touchpoint``, ``segment``, ``plan`` (or none).

    Returns one row per group: the ``by`` columns, ``n``, ``promoters``, ``passives``,
    ``detractors``, ``excluded``, the three shares, ``nps``, ``se``, ``low``, ``high``, ``small_n``.
    """
    return nps_stats(nps_counts(resp, by), level=level, method=method, min_n=min_n)


def followups(ds, resp: pd.DataFrame, period: pd.Period, *, kind: str = "detractor") -> pd.DataFrame:
    """Who to contact after the period's survey (source article 003).

    ``kind="detractor"``: detractors to call back, lowest score first, with their comment and
    their open tickets. ``kind="promoter"``: promoters to ask for a testimonial, those who left
    a comment first.

    Returns columns ``customer_id, name, segment, csm, score, touchpoint, responded_at, comment,
    open_tickets`` (open ticket ids, comma-separated; empty when none or no ticket table).
    """
    if kind not in ("detractor", "promoter"):
        raise ValueError("kind is 'detractor' or 'promoter'")
    r = resp[(resp["period"] == period) & (resp["group"] == kind)].copy()
    if ds.tickets is not None:
        open_t = ds.tickets[ds.tickets["status"] == "open"].groupby("customer_id")["ticket_id"].agg(", ".join)
        found = r["customer_id"].map(open_t)
        r["open_tickets"] = found.astype(object).where(found.notna(), "")
    else:
        r["open_tickets"] = ""
    if kind == "detractor":
        r = r.sort_values(["score", "responded_at", "response_id"])
    else:
        r = r.assign(_c=r["comment"].isna()).sort_values(["_c", "score", "responded_at", "response_id"],
                                                         ascending=[True, False, True, True])
    cols = ["customer_id", "name", "segment", "csm", "score", "touchpoint", "responded_at", "comment", "open_tickets"]
    return r[cols].reset_index(drop=True)


@dataclass(frozen=True)
class PairedChange:
    """Same customers, two waves: NPS change with its interval and a paired test."""

    n: int
    before: float
    after: float
    change: float
    low: float
    high: float
    t: float
    p_value: float
    transitions: pd.DataFrame
    level: float = 0.95

    def __str__(self) -> str:
        if self.n < 2:
            return f"Paired NPS change: only {self.n} customer(s) answered both waves"
        return (f"Same {self.n:,} customers: NPS {self.before:+.1f} → {self.after:+.1f}, change "
                f"{self.change:+.1f} points ({self.level:.0%} interval {self.low:+.1f} to {self.high:+.1f}; "
                f"paired t = {self.t:.2f}, p = {self.p_value:.3g})")


def relationship_waves(resp: pd.DataFrame) -> list[pd.Period]:
    """Months in which the relationship survey was answered, oldest first."""
    rel = resp[resp["touchpoint"] == "relationship"]
    return sorted(rel["responded_at"].pipe(lambda s: s.dt.tz_localize(None).dt.to_period("M")).unique())


def paired_change(resp: pd.DataFrame, before: pd.Period, after: pd.Period, *,
                  touchpoint: str = "relationship", level: float = 0.95) -> PairedChange:
    """Transition matrix and paired test between two survey waves (months) of the same customers.

    Each customer's latest answer in each wave is scored +1 / 0 / −1; the NPS change is the mean
    of the per-customer differences, tested with a paired t-test (``scipy.stats.ttest_rel``).
    ``transitions`` counts customers by group in ``before`` (rows) and ``after`` (columns).
    """
    r = resp[resp["touchpoint"] == touchpoint]
    month = r["responded_at"].dt.tz_localize(None).dt.to_period("M")

    def wave(p):
        w = r[month == p].sort_values(["responded_at", "response_id"]).groupby("customer_id").last()
        return w["score"]

    a, b = wave(before), wave(after)
    both = a.index.intersection(b.index)
    xa, xb = trinomial(a[both]), trinomial(b[both])
    ga = pd.Categorical(classify(a[both]), categories=GROUPS)
    gb = pd.Categorical(classify(b[both]), categories=GROUPS)
    trans = pd.crosstab(ga, gb, dropna=False).reindex(index=list(GROUPS), columns=list(GROUPS), fill_value=0)
    trans.index.name, trans.columns.name = str(before), str(after)
    n = len(both)
    if n < 2:
        nan = float("nan")
        return PairedChange(n, nan, nan, nan, nan, nan, nan, nan, trans, level)
    d = xb - xa
    res = stats.ttest_rel(xb, xa)
    se = d.std(ddof=1) / np.sqrt(n)
    tc = float(stats.t.ppf(0.5 + level / 2, n - 1))
    return PairedChange(n, 100 * xa.mean(), 100 * xb.mean(), 100 * d.mean(), 100 * (d.mean() - tc * se),
                        100 * (d.mean() + tc * se), float(res.statistic), float(res.pvalue), trans, level)


# ------------------------------------------------------------------------------- for notebooks

def resolve_period(resp_or_ts, period: str = "", freq: str = "month") -> pd.Period:
    """``period`` parsed, or — when empty — the latest period in the data (never the clock)."""
    from ..periods import latest, parse_period

    if period:
        return parse_period(period, freq)
    ts = resp_or_ts["responded_at"] if isinstance(resp_or_ts, pd.DataFrame) else resp_or_ts
    return latest(ts, freq)


def headline(resp: pd.DataFrame, period: pd.Period, *, level: float = 0.95,
             method: str = "adjusted-wald") -> NPSResult:
    """NPS of all responses in ``period`` (an :class:`NPSResult`; ``n == 0`` when none)."""
    row = nps_counts(resp[resp["period"] == period]).iloc[0]
    return NPSResult.from_counts(row, level=level, method=method)


def describe(result: NPSResult, label: str, *, min_n: int = 30) -> str:
    """One Markdown sentence stating the period's NPS honestly (or that there is none)."""
    if result.n == 0:
        return (f"**No NPS responses in {label}** for the selected customers: there is nothing to report. "
                "Check the `period`, `segment` and `plan` parameters, or whether the survey ran.")
    text = (f"**NPS in {label}: {result.value:+.1f}** ({result.level:.0%} interval {result.low:+.1f} to "
            f"{result.high:+.1f}; n = {result.n:,}: {result.pct_promoters:.0f} % promoters, "
            f"{result.pct_passives:.0f} % passives, {result.pct_detractors:.0f} % detractors).")
    if result.n < min_n:
        text += (f" ⚠️ Only {result.n} responses (fewer than {min_n}): the interval is wide; "
                 "read it as a rough indication, not a score.")
    return text


def compare_periods(resp: pd.DataFrame, a: pd.Period, b: pd.Period, by: str | None = None, *,
                    level: float = 0.95, method: str = "adjusted-wald", min_n: int = 30) -> pd.DataFrame:
    """NPS of period ``a`` against period ``b``, overall (``by=None``) or per group.

    Returns per group: ``n_a, nps_a, n_b, nps_b, diff`` (a − b, points), ``low``, ``high``
    (interval of the difference), ``p_value`` (two-sided), ``small_n`` (either side < min_n).
    """
    ca = nps_counts(resp[resp["period"] == a], by)
    cb = nps_counts(resp[resp["period"] == b], by)
    if by is None:
        ca["_k"], cb["_k"] = "all", "all"
        key = "_k"
    else:
        key = by
    m = ca.merge(cb, on=key, how="outer", suffixes=("_a", "_b")).fillna(0)
    rows = []
    for _, r in m.iterrows():
        ra = NPSResult.from_counts({k: r[f"{k}_a"] for k in COUNT_COLUMNS}, level=level, method=method)
        rb = NPSResult.from_counts({k: r[f"{k}_b"] for k in COUNT_COLUMNS}, level=level, method=method)
        c = compare(ra, rb, level=level, method=method)
        rows.append({key: r[key], "n_a": ra.n, "nps_a": ra.value, "n_b": rb.n, "nps_b": rb.value, "diff": c.diff,
                     "low": c.low, "high": c.high, "p_value": c.p_value, "small_n": min(ra.n, rb.n) < min_n})
    out = pd.DataFrame(rows, columns=[key, "n_a", "nps_a", "n_b", "nps_b", "diff", "low", "high", "p_value", "small_n"])
    return out.drop(columns="_k") if by is None else out


_INDEX_COLUMNS = ("customer_id", "period", "touchpoint", "segment", "plan")


def for_display(table: pd.DataFrame, lang: str = "en", *, digits: int = 1) -> pd.DataFrame:
    """A rounded copy of an NPS table with labels in ``lang`` (for notebooks and reports).

    Periods become text, timestamps ``YYYY-MM-DD HH:MM``, missing text an empty cell,
    ``small_n`` a warning sign; the first label column (customer, period, touchpoint, segment,
    plan) becomes the index. A transition matrix (promoter/passive/detractor on both axes)
    gets translated axes.
    """
    from ..i18n import t, translate

    out = table.copy()
    for c in out.columns:
        col = out[c]
        if c == "small_n":
            out[c] = col.map({True: "⚠", False: ""})
        elif c == "period" or isinstance(col.dtype, pd.PeriodDtype):
            out[c] = col.astype(str)
        elif pd.api.types.is_datetime64_any_dtype(col):
            out[c] = col.dt.strftime("%Y-%m-%d %H:%M")
        elif pd.api.types.is_float_dtype(col):
            out[c] = col.round(3 if c == "p_value" else digits)
        elif pd.api.types.is_string_dtype(col) or pd.api.types.is_object_dtype(col):
            out[c] = col.astype(object).where(col.notna(), "")
    if set(out.index) <= set(GROUPS) and set(out.columns) <= set(GROUPS):
        out.index = pd.Index([t(g, lang) for g in out.index], name=out.index.name)
        out.columns = pd.Index([t(g, lang) for g in out.columns], name=out.columns.name)
        return out
    out = translate(out.drop(columns=[c for c in ("se", "excluded") if c in out]), lang)
    for c in _INDEX_COLUMNS:
        if t(c, lang) in out.columns:
            return out.set_index(t(c, lang))
    out.index = pd.Index([t("all", lang)] * len(out)) if len(out) == 1 else out.index
    return out
