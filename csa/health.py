"""Customer health score and early churn warning: signals as of a date, a score, an honest backtest.

Three steps, kept apart (issue 22):

1. **Signals as of a date** — :func:`health_features` gives one row per customer active at ``asof``
   (subscribed in the month before it), with the signals of :data:`FEATURES` computed only from what was
   known *before* ``asof``, and the label ``churned``: the customer was missing from at least one of the
   ``horizon`` months from ``asof`` on (missing where those months are not in the data yet).
2. **A score** — :class:`HealthModel`, a scikit-learn estimator that takes a DataFrame of raw signals
   (numbers, categories, booleans, blanks) and does its own encoding. By default it *fits* its weights
   (an L2-regularised logistic regression on binned factors: a scorecard, each bin's weight agreeing with
   which way the signal is healthier); with ``weights=`` it is the
   *hand-weighted* score a team writes (the vendors' scheme: each factor scores 0–100 points, a weighted
   mean, a missing factor's weight shared out). Both give a churn probability, a red / yellow / green band
   and, for each account, the reasons: the factors that pull its score down most.
3. **An honest backtest** — :func:`backtest` rolls the origin month by month: at each origin the models
   are fitted only on as-of months whose label window had closed before it, then score the origin, and the
   ROC AUC is compared with the rules a team would otherwise use (plan × segment churn rate, last NPS a
   detractor). :func:`training_frame` is what a score fitted at the end of a month may learn from; the measures
   (AUC, lift and recall in the riskiest accounts, calibration) are :mod:`csa.metrics.health`'s.

Leakage
-------
Every signal is computed from the data *cut* at ``asof`` (:class:`Cut`): rows dated at or after it are
removed, and a ticket's first response or resolution that came at or after ``asof`` is blanked (at
``asof`` the ticket was still waiting). Each group of signals also reports the newest date it read, and
:func:`health_features` raises :class:`LeakageError` when that date is at or after ``asof``: a signal that
slipped past the cut (a function that reads the uncut data, a column filled in later) is an error, never a
silently better score. What the data cannot tell is assumed: ``plan`` and ``segment`` are the values
the customers table holds *now* (it keeps no history), and a ticket's complaint flag and a goal attempt's
outcome are taken as known when the ticket or the attempt started.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from .businesstime import BusinessCalendar
from .metrics import health as MH
from .metrics.support import DEFAULT_SLA_TARGETS

__all__ = ["FEATURES", "HAND_WEIGHTS", "USAGE_COLUMNS", "WARMUP", "YOUR_MODEL", "Backtest", "Cut", "Feature",
           "HealthModel", "LeakageError", "backtest", "customer_sample", "default_models", "feature_table",
           "health_features",
           "training_frame"]


# =============================================================================== the signals, declared

@dataclass(frozen=True)
class Feature:
    """One signal of the health score: what it means, over which window, from which table."""

    name: str
    meaning: str
    window: str
    table: str
    #: ``"number"`` or ``"category"``
    kind: str = "number"
    #: ``"structural"`` (who the customer is: plan, size, age) or ``"actionable"`` (what a CSM can act on)
    group: str = "actionable"
    #: which way is healthier: ``"higher"``, ``"lower"`` or ``""`` (a category)
    better: str = ""


F = Feature
#: Every signal :func:`health_features` computes, in the order of its columns. A signal whose table is absent
#: is absent (never invented); the report and the lessons read names, meanings and windows from here.
FEATURES: tuple[Feature, ...] = (
    F("plan", "Plan, as the customers table records it (today's value: the table keeps no history).",
      "current", "customers", "category", "structural"),
    F("segment", "Company-size segment, as the customers table records it.", "current", "customers",
      "category", "structural"),
    F("tenure_months", "Whole calendar months from the signup month to the as-of month.", "signup → asof",
      "customers", group="structural", better="higher"),
    F("mrr", "MRR in the last month before asof.", "last month", "subscriptions", group="structural",
      better="higher"),
    F("mrr_change_3m", "Relative change of MRR over three months: MRR last month ÷ MRR three months earlier "
      "− 1; missing when not subscribed then.", "last 4 months", "subscriptions", better="higher"),
    F("downgrades_6m", "Months with less MRR than the month before (contractions).", "last 6 months",
      "subscriptions", better="lower"),
    F("expansions_6m", "Months with more MRR than the month before (expansions).", "last 6 months",
      "subscriptions", better="higher"),
    F("nps_last", "Score of the last NPS answer (0–10); missing if the customer never answered.",
      "all before asof", "surveys", better="higher"),
    F("nps_last_class", "Class of the last NPS answer: detractor (0–6), passive (7–8), promoter (9–10).",
      "all before asof", "surveys", "category"),
    F("csat_mean_180d", "Mean CSAT score (1–5); missing without an answer.", "last 180 days", "surveys",
      better="higher"),
    F("ces_mean_180d", "Mean CES score (1–7, lower effort is better); missing without an answer.",
      "last 180 days", "surveys", better="lower"),
    F("tickets_90d", "Support tickets created.", "last 90 days", "tickets", better="lower"),
    F("complaints_90d", "Tickets flagged as complaints.", "last 90 days", "tickets", better="lower"),
    F("sla_breaches_90d", "Tickets whose first response missed the priority's target (business clock, the "
      "handbook's SLA targets), or still had none at asof after the target had passed.", "last 90 days",
      "tickets", better="lower"),
    F("goals_attempted_90d", "Goal attempts started.", "last 90 days", "goals", better="higher"),
    F("goal_completion_90d", "Share of those attempts completed; missing without an attempt.", "last 90 days",
      "goals", better="higher"),
    F("seats", "Seats in the last month before asof.", "last month", "usage", group="structural",
      better="higher"),
    F("active_share_1m", "Active users ÷ seats in the last month before asof.", "last month", "usage",
      better="higher"),
    F("active_users_change_3m", "Active users last month ÷ three months earlier − 1.", "last 4 months", "usage",
      better="higher"),
    F("logins_change_3m", "Logins last month ÷ three months earlier − 1.", "last 4 months", "usage",
      better="higher"),
    F("key_features_1m", "Key features used in the last month before asof.", "last month", "usage",
      better="higher"),
)
del F

#: The optional ``usage`` table: one row per customer and month (columns beyond the first two may be absent).
USAGE_COLUMNS = ("customer_id", "month", "seats", "active_users", "logins", "key_features")

#: The handbook's hand-weighted score, vendor style: factor → weight; the sign says which way is healthier
#: (+: higher is healthier). A factor that is absent (or missing for one account) has its weight shared out.
HAND_WEIGHTS: dict[str, float] = {
    "nps_last": 25, "csat_mean_180d": 15, "complaints_90d": -15, "sla_breaches_90d": -10,
    "mrr_change_3m": 10, "downgrades_6m": -5, "goal_completion_90d": 10, "tenure_months": 10,
    "active_share_1m": 20, "active_users_change_3m": 15,
}


def feature_table() -> pd.DataFrame:
    """:data:`FEATURES` as a table (one row per signal), for a report or a lesson.

    >>> feature_table().set_index("name").loc["complaints_90d", ["window", "table", "better"]].tolist()
    ['last 90 days', 'tickets', 'lower']
    """
    return pd.DataFrame([dataclasses.asdict(f) for f in FEATURES])


class LeakageError(ValueError):
    """A signal used data dated at or after the as-of date."""


# =============================================================================== the cut at asof

@dataclass
class Cut:
    """The data as it was known at the start of the month ``month``: what every signal function receives.

    ``at`` is that instant in the business time zone; ``tables`` holds each table present with only its rows
    dated before ``at`` (and, in tickets, first responses and resolutions after it blanked).
    """

    month: pd.Period
    at: pd.Timestamp
    tz: str
    tables: dict[str, pd.DataFrame]

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


def _month(asof) -> pd.Period:
    """``asof`` as a month: ``"2026-01"``, ``"2026-01-01"``, a Period or a timestamp at the start of a month."""
    if isinstance(asof, pd.Period) and asof.freqstr.startswith("M"):
        return asof
    try:
        ts = pd.Timestamp(asof.start_time if isinstance(asof, pd.Period) else asof)
    except (TypeError, ValueError):
        raise ValueError(f"asof must be a month such as '2026-01'; got {asof!r}") from None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    if ts != ts.normalize() or ts.day != 1:
        raise ValueError(f"asof is a month ('2026-01') or the first day of one: signals are taken at the start "
                         f"of a month; got {asof!r}")
    return ts.to_period("M")


def _cut(tables: Mapping[str, pd.DataFrame | None], month: pd.Period, tz: str) -> Cut:
    """Every table with only its rows dated before the start of ``month``."""
    at = month.start_time.tz_localize(tz)
    out: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        if df is None:
            continue
        if name == "customers":
            keep = ~(df["signup_date"] >= month.start_time)  # a missing signup date is kept
        elif name in ("subscriptions", "support_costs", "usage"):
            keep = df["month"] < month
        else:
            column = {"orders": "ordered_at", "tickets": "created_at", "surveys": "responded_at",
                      "goals": "started_at"}.get(name)
            if column is None:
                continue
            keep = df[column] < at
        df = df.loc[keep.to_numpy(dtype=bool)]
        if name == "tickets":
            late = {c: df[c] >= at for c in ("first_response_at", "resolved_at") if c in df}
            if any(m.any() for m in late.values()):
                df = df.copy()
                for c, m in late.items():
                    df.loc[m, c] = pd.NaT
                if "status" in df and "resolved_at" in late:
                    df.loc[late["resolved_at"] & (df["status"] == "solved"), "status"] = "open"
        out[name] = df
    return Cut(month, at, tz, out)


def _usage(usage) -> pd.DataFrame:
    """The optional usage table, typed: ``month`` as a monthly Period, counts as floats."""
    missing = [c for c in USAGE_COLUMNS[:2] if c not in usage.columns]
    if missing:
        raise KeyError(f"the usage table needs the columns {list(USAGE_COLUMNS[:2])} (and some of "
                       f"{list(USAGE_COLUMNS[2:])}); it lacks {missing}")
    out = usage.copy()
    if not isinstance(out["month"].dtype, pd.PeriodDtype):
        out["month"] = pd.PeriodIndex(out["month"].astype(str), freq="M")
    for c in USAGE_COLUMNS[2:]:
        if c in out:
            out[c] = pd.to_numeric(out[c], errors="raise").astype(float)
    return out


# =============================================================================== the signal functions

def _window(df: pd.DataFrame, column: str, at: pd.Timestamp, days: int, who: pd.Index) -> pd.DataFrame:
    return df.loc[(df[column] >= at - pd.Timedelta(days=days)).to_numpy(bool)]  # every customer: reindexed later


def _count(df: pd.DataFrame, who: pd.Index, values=None) -> pd.Series:
    if values is None:
        return df.groupby("customer_id").size().reindex(who, fill_value=0).astype(float)
    return values.groupby(df["customer_id"]).sum().reindex(who, fill_value=0).astype(float)


def _customer_signals(cut: Cut, who: pd.Index):
    c = cut.tables["customers"].drop_duplicates("customer_id").set_index("customer_id").reindex(who)
    out = pd.DataFrame(index=who)
    for col in ("plan", "segment"):
        if col in c:
            out[col] = c[col].astype(object).where(c[col].notna(), np.nan)
    signup = c["signup_date"]
    out["tenure_months"] = ((cut.month.year - signup.dt.year) * 12 + (cut.month.month - signup.dt.month)).astype(
        float)
    return out, signup


def _subscription_signals(cut: Cut, who: pd.Index):
    s = cut.tables["subscriptions"]
    a = cut.month
    months = pd.period_range(end=a - 1, periods=7, freq="M")
    wide = (s.loc[s["month"] >= months[0]].groupby(["customer_id", "month"])["mrr"].sum()
            .unstack("month").reindex(index=who, columns=months))
    out = pd.DataFrame(index=who)
    out["mrr"] = wide[a - 1]
    before = wide[a - 4]
    out["mrr_change_3m"] = (out["mrr"] / before.where(before > 0) - 1).astype(float)
    now, prev = wide[months[1:]].to_numpy(float), wide[months[:-1]].to_numpy(float)
    with np.errstate(invalid="ignore"):
        out["downgrades_6m"] = (now < prev).sum(axis=1).astype(float)
        out["expansions_6m"] = (now > prev).sum(axis=1).astype(float)
    return out, s["month"].max().start_time if len(s) else None


def _survey_signals(cut: Cut, who: pd.Index):
    sv = cut.tables["surveys"]
    out = pd.DataFrame(index=who)
    nps = sv.loc[sv["survey"] == "nps"].sort_values(["responded_at", "response_id"] if "response_id" in sv
                                                     else ["responded_at"])
    last = nps.groupby("customer_id")["score"].last().reindex(who).astype(float)
    out["nps_last"] = last
    out["nps_last_class"] = pd.Series(np.where(last >= 9, "promoter", np.where(last >= 7, "passive", "detractor")),
                                      index=who, dtype=object).where(last.notna(), np.nan)
    recent = _window(sv, "responded_at", cut.at, 180, who)
    for survey in ("csat", "ces"):
        r = recent.loc[recent["survey"] == survey]
        out[f"{survey}_mean_180d"] = r["score"].astype(float).groupby(r["customer_id"]).mean().reindex(who)
    return out, pd.concat([nps["responded_at"], recent["responded_at"]])


def _ticket_signals(cut: Cut, who: pd.Index):
    t = _window(cut.tables["tickets"], "created_at", cut.at, 90, who)
    out = pd.DataFrame(index=who)
    out["tickets_90d"] = _count(t, who)
    if "is_complaint" in t:  # optional columns: their signal is absent without them
        out["complaints_90d"] = _count(t, who, t["is_complaint"].fillna(False).astype(bool))
    dated = [t["created_at"]]
    if "priority" in t and "first_response_at" in t:
        target = t["priority"].astype(object).map(DEFAULT_SLA_TARGETS).astype(float)
        end = t["first_response_at"].fillna(cut.at)  # no response yet: the time waited so far
        waited = pd.Series(np.asarray(BusinessCalendar(tz=cut.tz).minutes(t["created_at"], end), dtype=float),
                           index=t.index)
        out["sla_breaches_90d"] = _count(t, who, (waited > target).astype(bool))
        dated.append(t["first_response_at"])
    return out, pd.concat(dated)


def _goal_signals(cut: Cut, who: pd.Index):
    g = _window(cut.tables["goals"], "started_at", cut.at, 90, who)
    out = pd.DataFrame(index=who)
    out["goals_attempted_90d"] = _count(g, who)
    done = _count(g, who, g["completed"].fillna(False).astype(bool))
    out["goal_completion_90d"] = done / out["goals_attempted_90d"].where(out["goals_attempted_90d"] > 0)
    return out, g["started_at"]


def _usage_signals(cut: Cut, who: pd.Index):
    u = cut.tables["usage"]
    u = u.loc[u["month"] >= cut.month - 4]
    a = cut.month
    out = pd.DataFrame(index=who)
    cols = [c for c in USAGE_COLUMNS[2:] if c in u]
    if not cols:
        return out, None
    g = u.groupby(["customer_id", "month"])[cols].sum()

    def at(month, col):
        return g[col].unstack("month").reindex(index=who, columns=[month])[month] if col in g else None

    last = {c: at(a - 1, c) for c in cols}
    before = {c: at(a - 4, c) for c in cols}
    if "seats" in last:
        out["seats"] = last["seats"]
    if "seats" in last and "active_users" in last:
        out["active_share_1m"] = last["active_users"] / last["seats"].where(last["seats"] > 0)
    if "active_users" in last:
        out["active_users_change_3m"] = last["active_users"] / before["active_users"].where(
            before["active_users"] > 0) - 1
    if "logins" in last:
        out["logins_change_3m"] = last["logins"] / before["logins"].where(before["logins"] > 0) - 1
    if "key_features" in last:
        out["key_features_1m"] = last["key_features"]
    return out, u["month"].max().start_time if len(u) else None


#: table → the function computing its signals, in the order of :data:`FEATURES`
_SIGNALS: dict[str, Callable] = {
    "customers": _customer_signals, "subscriptions": _subscription_signals, "surveys": _survey_signals,
    "tickets": _ticket_signals, "goals": _goal_signals, "usage": _usage_signals,
}


def _check_dated(source: str, names: Iterable[str], dated, cut: Cut) -> None:
    """Raise :class:`LeakageError` if the newest date a group of signals read is at or after ``cut.at``."""
    if dated is None:
        return
    s = pd.Series(dated) if not isinstance(dated, pd.Series) else dated
    s = pd.to_datetime(s)
    if s.dt.tz is None:
        s = s.dt.tz_localize(cut.tz)
    s = s.dropna()
    late = s[s >= cut.at]
    if len(late):
        who = [str(i) for i in late.index[:3]] if not isinstance(late.index, pd.RangeIndex) else []
        raise LeakageError(
            f"the signals {', '.join(names)} (from {source}) use data dated {late.max()}, at or after asof "
            f"{cut.month} ({cut.at}){' (e.g. ' + ', '.join(who) + ')' if who else ''}: a score may only see "
            "what was known before asof, or it predicts the past with the future. Compute the signal from "
            "the cut data its function receives, not from the whole data set")


# =============================================================================== health_features

def _tables(ds, usage) -> dict[str, pd.DataFrame | None]:
    names = ("customers", "subscriptions", "orders", "tickets", "surveys", "goals", "support_costs")
    out = {n: getattr(ds, n, None) for n in names}
    usage = getattr(ds, "usage", None) if usage is None else usage
    out["usage"] = None if usage is None else _usage(usage)
    return out


def _active(subscriptions: pd.DataFrame, month: pd.Period) -> pd.Index:
    """Customers subscribed in the month before ``month``, sorted."""
    ids = subscriptions.loc[subscriptions["month"] == month - 1, "customer_id"].unique()
    return pd.Index(sorted(ids), name="customer_id")


def _label(subscriptions: pd.DataFrame, who: pd.Index, month: pd.Period, horizon: int) -> pd.Series:
    """Churned within ``horizon`` months from ``month`` on: missing from at least one of them (NA: not observed)."""
    last = subscriptions["month"].max()
    if month + horizon - 1 > last:
        return pd.Series(pd.NA, index=who, dtype="boolean", name="churned")
    window = subscriptions.loc[(subscriptions["month"] >= month) & (subscriptions["month"] < month + horizon)]
    present = window.drop_duplicates(["customer_id", "month"]).groupby("customer_id").size()
    return (present.reindex(who, fill_value=0) < horizon).astype("boolean").rename("churned")


def health_features(ds, *, asof, horizon: int = 3, usage: pd.DataFrame | None = None,
                    extra: Iterable[Callable] = ()) -> pd.DataFrame:
    """The health signals of every customer active at ``asof``, from data dated before it, and the label.

    Parameters
    ----------
    ds : Dataset
        As :func:`csa.load` gives it; ``customers`` and ``subscriptions`` are needed, ``surveys``,
        ``tickets``, ``goals`` and a ``usage`` table (``ds.usage``, when the data set has one) add signals.
    asof : month
        ``"2026-01"`` (or ``"2026-01-01"``, a Period): the signals see everything dated before the first day
        of that month, in the data set's time zone.
    horizon : int
        Months of the label: ``churned`` is true when the customer is missing from at least one of the
        ``horizon`` months from ``asof`` on (a cancellation, by the handbook's churn definition).
    usage : DataFrame, optional
        A usage table (:data:`USAGE_COLUMNS`: ``customer_id``, ``month`` and some of ``seats``,
        ``active_users``, ``logins``, ``key_features``), when ``ds`` has none.
    extra : functions, optional
        More signals: each ``f(cut, who) -> (frame, dated)`` receives the :class:`Cut` and the customers, and
        returns a frame indexed by customer and the dates it read (a Series, a timestamp, or ``None``).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (customers subscribed in the month before ``asof``): the signals of
        :data:`FEATURES` whose table is present, in that order, then those of ``extra``, then ``churned``
        (nullable boolean; ``<NA>`` while the ``horizon`` months are not all in the data).

    Raises
    ------
    LeakageError
        A signal read data dated at or after ``asof``.
    DataError
        ``customers`` or ``subscriptions`` is absent.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load("data/sample")
    >>> X = health_features(ds, asof="2026-04")
    >>> len(X), X.index[0], X["churned"].mean().round(3)
    (1170, 'C00001', np.float64(0.094))
    >>> X.loc[["C00001"], ["plan", "tenure_months", "nps_last_class", "tickets_90d"]]  # doctest: +NORMALIZE_WHITESPACE
                     plan  tenure_months nps_last_class  tickets_90d
    customer_id
    C00001       standard           35.0      detractor          1.0
    >>> health_features(ds, asof="2026-09")["churned"].isna().all()  # September to November: not observed yet
    np.True_
    """
    ds.require("customers", "subscriptions")
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon is a whole number of months ≥ 1; got {horizon!r}")
    month = _month(asof)
    tables = _tables(ds, usage)
    cut = _cut(tables, month, getattr(ds, "tz", "Asia/Tokyo"))
    who = _active(cut.tables["subscriptions"], month)
    parts = []
    for source, signals in _SIGNALS.items():
        if cut.table(source) is None:
            continue
        frame, dated = signals(cut, who)
        _check_dated(source, frame.columns, dated, cut)
        parts.append(frame)
    for f in extra:
        frame, dated = f(cut, who)
        frame = pd.DataFrame(frame).reindex(who)
        _check_dated(getattr(f, "__name__", "extra"), frame.columns, dated, cut)
        parts.append(frame)
    out = pd.concat(parts, axis=1)
    out["churned"] = _label(tables["subscriptions"], who, month, int(horizon))
    out.index.name = "customer_id"
    out.attrs.update(asof=str(month), horizon=int(horizon))
    return out


# =============================================================================== the estimator

_MISSING, _OTHER = "(missing)", "(other)"


def _frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError("sparse input is not supported: give a DataFrame of the raw signals")
    a = np.asarray(X)
    if a.ndim != 2:
        raise ValueError(f"X must be a table (a DataFrame or a 2-D array); got shape {a.shape}. Reshape your data: "
                         "one row per account, one column per signal")
    return pd.DataFrame(a, columns=[f"x{i}" for i in range(a.shape[1])])


def _numbers(s: pd.Series) -> np.ndarray:
    """A column as floats: numbers, booleans (1/0) and numbers written as text; blanks and text → NaN."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return pd.array(s, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    text = s.astype("string").str.strip()
    return pd.to_numeric(text.where(text != ""), errors="coerce").astype("Float64").to_numpy(
        dtype=float, na_value=np.nan)


def _kind(s: pd.Series) -> str:
    """``"number"`` for numbers, booleans and text that is all numbers (blanks aside); else ``"category"``."""
    if pd.api.types.is_datetime64_any_dtype(s):
        raise TypeError(f"column {s.name!r} holds dates: give the model a number (e.g. days since) instead")
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return "number"
    given = _distinct(s).astype("string").str.strip()  # each distinct value once: the same answer, faster
    given = given[given.notna() & (given != "")]
    if len(given) and pd.to_numeric(given, errors="coerce").notna().all():
        return "number"
    return "category"


def _distinct(s: pd.Series) -> pd.Series:
    """The distinct values of ``s`` (missing ones as one), as objects."""
    return pd.Series(pd.unique(np.asarray(s, dtype=object)), dtype=object)


def _labels(s: pd.Series) -> np.ndarray:
    """Each value as text, a missing one as ``(missing)``: ``s.astype("string")``, done once per distinct value."""
    codes, uniques = pd.factorize(np.asarray(s, dtype=object), use_na_sentinel=True)
    names = pd.Series(uniques, dtype=object).astype("string").fillna(_MISSING).to_numpy(dtype=object)
    return np.append(names, _MISSING)[codes]


def _bin_label(lo: float, hi: float, integer: bool = False) -> str:
    """``< hi``, ``lo – hi`` or ``≥ lo`` (3 significant digits); whole numbers as ``≤ 2``, ``3 – 5``, ``6``.

    >>> _bin_label(np.nan, 3.0), _bin_label(3.0, 6.0, True), _bin_label(3.0, 4.0, True), _bin_label(0.25, np.nan)
    ('< 3', '3 – 5', '3', '≥ 0.25')
    """
    def f(x: float) -> str:
        return f"{x:.3g}"
    if np.isnan(lo):
        if np.isnan(hi):
            return "all"
        return f"≤ {f(hi - 1)}" if integer else f"< {f(hi)}"
    if np.isnan(hi):
        return f"≥ {f(lo)}"
    if integer:
        return f(lo) if hi - 1 == lo else f"{f(lo)} – {f(hi - 1)}"
    return f"{f(lo)} – {f(hi)}"


class _Design:
    """Raw columns → a standardised numeric matrix, and which raw column each matrix column comes from.

    Numbers, with ``bins`` > 0: cut at up to ``bins − 1`` edges (quantiles of the training values, or every
    value when there are few), one column per edge ("at least this value": a thermometer, so that a weight per
    column is the step of risk from one bin to the next) and a missing indicator — the binned factors of a
    credit scorecard. With ``bins=0``: one column, ``log1p`` when non-negative and skewed (skewness > ``skew``),
    missing values imputed with the median plus a missing indicator. Categories: one column per level seen
    ``min_frequency`` times or more, rarer and new levels together as ``(other)``, missing as its own level.
    Every column is then centred and scaled on the training data, so each contribution is measured from the
    average account.
    """

    def __init__(self, min_frequency: int, skew: float, bins: int = 0):
        self.min_frequency, self.skew, self.bins = min_frequency, skew, bins

    def _edges(self, v: np.ndarray) -> np.ndarray:
        values = np.unique(v)
        if len(values) <= self.bins:
            return values[1:]
        edges = np.unique(np.quantile(v, np.linspace(0, 1, self.bins + 1)[1:-1], method="lower"))
        edges = edges[edges > values[0]]
        return edges if len(edges) else values[1:2]

    def fit(self, X: pd.DataFrame) -> _Design:
        self.specs: list[tuple[str, str, dict]] = []
        for c in X.columns:
            kind = _kind(X[c])
            if kind == "number":
                v = _numbers(X[c])
                ok = ~np.isnan(v)
                if not ok.any():
                    continue
                if self.bins:
                    spec = {"edges": self._edges(v[ok]), "missing": not ok.all(), "low": float(np.nanmin(v)),
                            "integer": bool(np.all(v[ok] == np.round(v[ok])))}
                else:
                    log = bool(np.nanmin(v) >= 0 and pd.Series(v[ok]).skew() > self.skew)
                    t = np.log1p(v) if log else v
                    spec = {"log": log, "median": float(np.nanmedian(t)), "missing": not ok.all()}
            else:
                lab = pd.Series(_labels(X[c]))
                counts = lab.value_counts()
                keep = sorted(counts.index[counts >= self.min_frequency])
                spec = {"levels": keep + ([_OTHER] if len(keep) < len(counts) else [])}
            self.specs.append((c, kind, spec))
        raw, groups, steps = self._raw(X)
        mean, sd = raw.mean(axis=0), raw.std(axis=0)
        useful = sd > 1e-12
        self.mean, self.sd, self.useful = mean[useful], sd[useful], useful
        self.groups, self.steps = groups[useful], steps[useful]
        return self

    def _raw(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The columns before scaling, the raw column of each and whether it is a step of a number (a column
        whose weight must follow the number's direction: its value or an edge; not a missing indicator)."""
        cols, groups, steps = [], [], []
        for c, kind, spec in self.specs:
            if c not in X.columns:
                raise KeyError(f"column {c!r} was used in fit but is not in X; X has {list(X.columns)}")
            if kind == "number":
                v = _numbers(X[c])
                miss = np.isnan(v)
                if "edges" in spec:
                    for e in spec["edges"]:
                        cols.append(((v >= e) & ~miss).astype(float))
                        groups.append(c)
                        steps.append(True)
                else:
                    t = np.log1p(np.clip(v, 0, None)) if spec["log"] else v
                    cols.append(np.where(miss, spec["median"], t))
                    groups.append(c)
                    steps.append(True)
                if spec["missing"]:
                    cols.append(miss.astype(float))
                    groups.append(c)
                    steps.append(False)
            else:
                lab = _labels(X[c])
                levels = spec["levels"]
                known = set(levels) - {_OTHER}
                if _OTHER in levels:
                    lab = np.where(np.isin(lab, list(known)), lab, _OTHER)
                for level in levels:
                    cols.append((lab == level).astype(float))
                    groups.append(c)
                    steps.append(False)
        matrix = np.column_stack(cols) if cols else np.empty((len(X), 0))
        return matrix, np.asarray(groups, dtype=object), np.asarray(steps, dtype=bool)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        raw, _, _ = self._raw(X)
        return (raw[:, self.useful] - self.mean) / self.sd


def _hand_weights(weights, X: pd.DataFrame) -> dict[str, tuple[float, dict | None]]:
    """The factors of ``weights`` present in ``X``: name → (weight, points per level or None for a number)."""
    spec = HAND_WEIGHTS if isinstance(weights, str) and weights == "handbook" else weights
    if not isinstance(spec, Mapping):
        raise ValueError(f"weights must be None (fitted), 'handbook' or a dict factor → weight; got {weights!r}")
    out = {}
    for name, w in spec.items():
        if name not in X.columns:
            continue  # absent factor: its weight is shared out
        if isinstance(w, tuple):
            weight, points = w
            if not isinstance(points, Mapping) or weight <= 0:
                raise ValueError(f"weights[{name!r}]: a category is (weight > 0, {{level: points 0–100}}); got {w!r}")
            out[name] = (float(weight), {str(k): float(v) for k, v in points.items()})
        else:
            if _kind(X[name]) != "number":
                raise ValueError(f"weights[{name!r}]: {name!r} is a category; give (weight, {{level: points}})")
            if not w:
                continue
            out[name] = (float(w), None)
    if not out:
        raise ValueError(f"none of the weighted factors {list(spec)} is a column of X ({list(X.columns)})")
    return out


class HealthModel(ClassifierMixin, BaseEstimator):
    """A customer health score: churn probability, red / yellow / green band and reasons per account.

    A scikit-learn classifier (``fit``, ``predict_proba``, ``decision_function``; usable in
    ``cross_val_score`` and pipelines) that takes the raw signals — a DataFrame of numbers, categories,
    booleans and blanks, e.g. :func:`health_features` without ``churned`` — and encodes them itself.

    Parameters
    ----------
    weights : None, "handbook" or dict
        ``None`` (default): the weights are **fitted** — an L2-regularised logistic regression on binned
        factors, a credit scorecard (:meth:`points_table`): numbers (and text that is all numbers, blanks
        missing) cut into up to ``bins`` bins at quantiles of the training values, with a bin of their own when
        missing; categories one-hot, rare levels together, missing a level of its own; each bin's weight read
        against the average account. Otherwise the score is
        **hand-weighted**: ``{factor: weight}`` for numbers (sign: + when higher is healthier) and
        ``{factor: (weight, {level: points})}`` for categories; ``"handbook"`` is :data:`HAND_WEIGHTS`. Each
        number scores 0–100 points by its rank among the training accounts, the health score is the weighted
        mean of the points, and a factor absent from ``X`` (or missing for one account) has its weight shared
        out over the others. ``fit`` then only learns the ranks and calibrates the score to a probability.
    C : float
        Inverse strength of the regularisation (fitted weights).
    bands : (float, float)
        Shares of the training accounts, riskiest first, that are red and red-or-yellow: ``(0.1, 0.3)``
        makes the riskiest 10 % red and the next 20 % yellow. The cut-offs are kept as churn probabilities
        (``red_at_``, ``yellow_at_``); ``band_rates_`` is the churn rate observed in each band in training —
        what "red" means in leavers.
    min_frequency : int
        A category level seen fewer times in training joins ``(other)``.
    skew : float
        With ``bins=0``: skewness above which a non-negative number is taken on a log scale.
    bins : int
        Bins per number (fitted weights); ``0``: one weight per number instead, on its (log) scale, missing
        values imputed with the median plus a missing indicator.
    directions : "signals", None or dict
        Which way is healthier for each number (fitted weights): ``{column: "higher" | "lower"}``;
        ``"signals"`` (default) reads it from :data:`FEATURES` (``better``) for the columns named as there.
        A fitted weight that says the opposite (more active users, more risk) comes from signals that move
        together, not from the customers; as credit scorecards do, such a step is left out (two neighbouring bins
        merge) and the rest refitted until every weight agrees; a number left with no step leaves the score
        (``dropped_`` lists them). ``None``: no check.

    Examples
    --------
    >>> X = pd.DataFrame({"nps": [9, 10, 8, 3, 2, None, 9, 4], "plan": ["a", "b"] * 4,
    ...                   "tickets": [0, 1, 0, 5, 4, 6, 1, 3]})
    >>> y = [0, 0, 0, 1, 1, 1, 0, 0]
    >>> m = HealthModel(min_frequency=1).fit(X, y)
    >>> m.predict_proba(X)[:, 1].round(2)
    array([0.03, 0.04, 0.04, 0.81, 0.9 , 0.94, 0.04, 0.19])
    >>> m.explain(X, top=2).loc[5, ["band", "reasons"]].tolist()
    ['red', ['nps', 'tickets']]
    >>> hand = HealthModel(weights={"nps": 2, "tickets": -1}).fit(X, y)
    >>> hand.health(X).round(1).tolist()  # account 5 has no NPS: its weight goes to tickets
    [76.8, 82.7, 62.5, 20.5, 15.2, 6.2, 68.5, 38.4]
    >>> hand.contributions(X).loc[3].round(2).tolist()  # points lost per factor, adding up to 100 − 20.5
    [52.38, 27.08]
    """

    def __init__(self, weights=None, *, C: float = 1.0, bands: tuple[float, float] = (0.1, 0.3),
                 min_frequency: int = 20, skew: float = 1.0, bins: int = 5, directions="signals"):
        self.weights = weights
        self.bins = bins
        self.C = C
        self.bands = bands
        self.min_frequency = min_frequency
        self.skew = skew
        self.directions = directions

    def _directions(self, X: pd.DataFrame) -> dict[str, str]:
        if self.directions is None:
            return {}
        if isinstance(self.directions, str) and self.directions == "signals":
            spec = {f.name: f.better for f in FEATURES if f.better}
        elif isinstance(self.directions, Mapping):
            spec = dict(self.directions)
            bad = {k: v for k, v in spec.items() if v not in ("higher", "lower")}
            if bad:
                raise ValueError(f"directions: each is 'higher' or 'lower' (which way is healthier); got {bad}")
        else:
            raise ValueError(f"directions is 'signals', None or a dict column → 'higher'/'lower'; "
                             f"got {self.directions!r}")
        return {c: d for c, d in spec.items() if c in X.columns}

    def _fit_weights(self, X: pd.DataFrame, target: np.ndarray) -> np.ndarray:
        """The fitted weights. The steps of a number whose weights say the opposite of the number's direction are
        left out and the rest refitted: two neighbouring bins merge (or, unbinned, the number leaves the score),
        until every weight agrees."""
        want = self._directions(X)
        self.design_ = _Design(self.min_frequency, self.skew, self.bins).fit(X)
        Z = self.design_.transform(X)
        keep = np.ones(Z.shape[1], dtype=bool)
        sign = np.array([{"higher": -1.0, "lower": 1.0}.get(want.get(g, ""), 0.0) if step else 0.0
                         for g, step in zip(self.design_.groups, self.design_.steps, strict=True)])
        groups, steps = self.design_.groups, self.design_.steps
        had = pd.Series(steps).groupby(groups, sort=False).transform("any").to_numpy()  # numbers with steps
        self.model_ = LogisticRegression(C=self.C, solver="newton-cholesky", max_iter=500, warm_start=True)
        while True:
            Z[:, ~keep] = 0.0  # a column left out is all zeros: its weight is 0
            self.model_.fit(Z, target)
            coef = np.where(keep, self.model_.coef_[0], 0.0)
            contrary = keep & (coef * sign < 0)
            # a number whose every step is left out leaves the score, its missing indicator too
            kept = pd.Series(steps & keep & ~contrary).groupby(groups, sort=False).transform("any").to_numpy()
            contrary |= keep & ~steps & ~kept & had
            if not contrary.any():
                break
            keep &= ~contrary
        self.keep_, self.coef_ = keep, coef
        steps = pd.Series(self.design_.steps & keep).groupby(self.design_.groups, sort=False).any()
        had = pd.Series(self.design_.steps).groupby(self.design_.groups, sort=False).any()
        self.dropped_: list[str] = [g for g in had.index if had[g] and not steps[g]]
        return self.model_.intercept_[0] + Z @ coef

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # churned or not
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y):
        """Fit on raw signals ``X`` and labels ``y`` (two classes; the second, sorted, is "churned")."""
        X = _frame(X)
        if X.shape[1] == 0:
            raise ValueError(f"0 feature(s) (shape={X.shape}) while a minimum of 1 is required: give the signals")
        if "churned" in X.columns:
            raise ValueError("X holds the label column 'churned': drop it from the signals (X.drop(columns='churned'))")
        if y is None:
            raise ValueError("requires y to be passed, but the target y is None: the labels (churned or not)")
        if not isinstance(y, pd.Series):
            y = np.asarray(y)
            if y.ndim == 2 and y.shape[1] == 1:
                warnings.warn("A column-vector y was passed when a 1d array was expected: it is read as one",
                              DataConversionWarning, stacklevel=2)
            y = pd.Series(y.ravel() if y.ndim > 1 else y)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        if y.isna().any():
            raise ValueError("y has missing labels (accounts whose outcome is not known yet): leave them out")
        kind = type_of_target(y.to_numpy(dtype=bool) if pd.api.types.is_bool_dtype(y) else y.to_numpy())
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"Unknown label type: {kind!r}; y holds two classes (churned or not)")
        y = y.to_numpy(dtype=bool) if pd.api.types.is_bool_dtype(y) else y.to_numpy()
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"Only binary classification is supported: y needs two classes (churned or not); "
                             f"got {len(self.classes_)} class(es): {list(self.classes_)[:5]}")
        target = (y == self.classes_[1]).astype(int)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.base_rate_ = float(target.mean())
        if self.weights is None:
            if isinstance(self.bins, bool) or not isinstance(self.bins, int | np.integer) or self.bins < 0:
                raise ValueError(f"bins is a whole number ≥ 0 (0: one weight per number); got {self.bins!r}")
            risk = self._fit_weights(X, target)  # the training accounts' log-odds
        else:
            self.factors_ = _hand_weights(self.weights, X)
            self.reference_ = {n: np.sort(v[~np.isnan(v)]) for n, (_, pts) in self.factors_.items() if pts is None
                               for v in [_numbers(X[n])]}
            h = self.health(X)
            ok = ~np.isnan(h)
            self.calibration_ = LogisticRegression(C=1.0).fit(((h[ok] - 50) / 25).reshape(-1, 1), target[ok])
            risk = self._risk_of_health(h)
        lo, hi = sorted(self.bands)
        self.red_at_, self.yellow_at_ = (float(np.quantile(risk, 1 - q)) for q in (lo, hi))
        self.train_risk_ = np.sort(risk)
        band = self._band(risk)
        self.band_rates_ = pd.Series(target).groupby(band).mean().reindex(["red", "yellow", "green"])
        return self

    # ------------------------------------------------------------------ the hand-weighted points
    def _points(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Points 0–100 per factor (NaN: missing) and the factors' absolute weights."""
        pts, w = [], []
        for name, (weight, levels) in self.factors_.items():
            if name not in X.columns:
                raise KeyError(f"column {name!r} was used in fit but is not in X")
            if levels is None:
                v = _numbers(X[name])
                ref = self.reference_[name]
                rank = (np.searchsorted(ref, v, "left") + np.searchsorted(ref, v, "right")) / 2 / max(len(ref), 1)
                p = 100 * (rank if weight > 0 else 1 - rank)
                p[np.isnan(v)] = np.nan
            else:
                p = pd.Series(_labels(X[name])).map(levels).to_numpy(float)
            pts.append(p)
            w.append(abs(weight))
        return np.column_stack(pts), np.asarray(w)

    def health(self, X) -> np.ndarray:
        """Health score 0–100 (100: healthiest). Hand-weighted: the weighted mean of the factors' points.
        Fitted: 100 × the share of training accounts at higher risk."""
        X = self._input(X)
        if self.weights is None:
            risk = self.decision_function(X)
            return 100 * (1 - np.searchsorted(self.train_risk_, risk, "left") / len(self.train_risk_))
        pts, w = self._points(X)
        have = ~np.isnan(pts)
        total = (have * w).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, np.nansum(pts * w, axis=1) / total, np.nan)

    # ------------------------------------------------------------------ scores
    def _input(self, X) -> pd.DataFrame:
        check_is_fitted(self, "classes_")
        if not isinstance(X, pd.DataFrame):
            X = np.asarray(X)
            if X.ndim == 2 and X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has {X.shape[1]} features, but HealthModel is expecting {self.n_features_in_} "
                                 "features as input")
        X = _frame(X)
        if not isinstance(X, pd.DataFrame) or list(X.columns) != list(self.feature_names_in_):
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing and X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has {X.shape[1]} features, but HealthModel is expecting {self.n_features_in_} "
                                 f"features as input (missing: {missing[:5]})")
        return X

    def decision_function(self, X) -> np.ndarray:
        """Churn risk as log-odds (higher: more likely to churn)."""
        X = self._input(X)
        if self.weights is None:
            return self.model_.intercept_[0] + self.design_.transform(X) @ self.coef_
        return self._risk_of_health(self.health(X))

    def _risk_of_health(self, h: np.ndarray) -> np.ndarray:
        """Hand-weighted: the calibrated log-odds of a health score (the base rate's where it is missing)."""
        risk = self.calibration_.decision_function(((np.nan_to_num(h, nan=50.0) - 50) / 25).reshape(-1, 1))
        base = np.log(self.base_rate_ / (1 - self.base_rate_))
        return np.where(np.isnan(h), base, risk)

    def predict_proba(self, X) -> np.ndarray:
        """Columns: P(not churned), P(churned) — in the order of ``classes_``."""
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "classes_")
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]

    def _band(self, risk: np.ndarray) -> np.ndarray:
        return np.where(risk >= self.red_at_, "red", np.where(risk >= self.yellow_at_, "yellow", "green"))

    def band(self, X) -> np.ndarray:
        """``"red"``, ``"yellow"`` or ``"green"`` per account (cut-offs from the training accounts, see ``bands``)."""
        return self._band(self.decision_function(X))

    # ------------------------------------------------------------------ reasons
    def contributions(self, X) -> pd.DataFrame:
        """Each factor's push towards churn, per account (rows) and raw factor (columns), adding up.

        Fitted: log-odds of churn relative to the average training account (``intercept`` + the row's sum
        is the account's log-odds). Hand-weighted: health points lost (the row's sum is 100 − health).
        """
        X = self._input(X)
        if self.weights is None:
            z = self.design_.transform(X) * self.coef_
            out = pd.DataFrame(z, index=X.index).T.groupby(self.design_.groups, sort=False).sum().T
            return out.reindex(columns=[c for c in X.columns if c in set(self.design_.groups)])
        pts, w = self._points(X)
        have = ~np.isnan(pts)
        share = (have * w) / np.where((have * w).sum(axis=1, keepdims=True) > 0,
                                      (have * w).sum(axis=1, keepdims=True), np.nan)
        lost = np.nan_to_num(share * (100 - pts), nan=0.0)
        return pd.DataFrame(lost, index=X.index, columns=list(self.factors_))

    def reasons(self, X, top: int = 3, *, actionable_only: bool = False) -> pd.Series:
        """The ``top`` factors that pull each account's score down most (positive pushes only), largest first.

        ``actionable_only`` keeps the factors :data:`FEATURES` calls actionable (surveys, tickets, goals,
        usage, MRR changes), leaving out who the customer is (plan, segment, tenure, size).
        """
        c = self.contributions(X)
        if actionable_only:
            keep = {f.name for f in FEATURES if f.group == "actionable"}
            c = c[[n for n in c.columns if n in keep]]
        values, names = c.to_numpy(float), np.asarray(c.columns, dtype=object)
        order = np.argsort(-values, axis=1, kind="stable")[:, :top]
        return pd.Series([[names[j] for j in row if values[i, j] > 1e-12] for i, row in enumerate(order)],
                         index=c.index, name="reasons")

    def points_table(self) -> pd.DataFrame:
        """The fitted score as a scorecard: each factor's bins (or levels) and what falling in one does to the
        odds of leaving, against the average training account. An account's log-odds are the intercept plus
        the ``log_odds`` of the bins it falls in (:meth:`contributions`, one factor per column).

        Returns
        -------
        DataFrame
            One row per factor and bin, in the order of the columns: ``factor``; ``bin`` (``"< 3"``,
            ``"3 – 7"``, ``"≥ 7"``; whole numbers ``"≤ 2"``, ``"3 – 6"``, ``"(missing)"``, or a category's level);
            ``low`` and ``high`` (the bin's
            bounds, ``low`` included; NaN: open); ``log_odds``; ``odds_ratio`` = exp(``log_odds``). Bins that
            the directions merged (:attr:`dropped_`) are shown merged.

        Examples
        --------
        >>> X = pd.DataFrame({"nps": [9, 10, 8, 3, 2, None, 9, 4, 7, 6], "plan": ["a", "b"] * 5})
        >>> y = [0, 0, 0, 1, 1, 1, 0, 1, 0, 0]
        >>> m = HealthModel(min_frequency=1, bins=3).fit(X, y)
        >>> t = m.points_table()
        >>> t[["factor", "bin"]].to_numpy().tolist()
        [['nps', '≤ 3'], ['nps', '4 – 7'], ['nps', '≥ 8'], ['nps', '(missing)'], ['plan', 'a'], ['plan', 'b']]
        >>> bool(t.loc[t["factor"] == "nps", "log_odds"].iloc[:3].is_monotonic_decreasing)  # higher NPS, less risk
        True
        """
        check_is_fitted(self, "classes_")
        if self.weights is not None or not self.bins:
            raise ValueError("points_table() reads a fitted, binned score (weights=None, bins ≥ 1); a hand-weighted "
                             "score's points are its weights (the team's file)")
        d, rows = self.design_, []
        used = np.ones(len(d.useful), dtype=bool)
        used[d.useful] = self.keep_  # the raw columns that carry a weight
        at = 0
        for name, kind, spec in d.specs:
            base = {c: [np.nan] for c in self.feature_names_in_}
            if kind == "number":
                edges = list(spec["edges"])
                kept = [e for i, e in enumerate(edges) if used[at + i]]
                at += len(edges) + int(spec["missing"])
                bounds = list(zip([np.nan, *kept], [*kept, np.nan], strict=True))
                values = [spec["low"], *kept] + ([np.nan] if spec["missing"] else [])
                first = spec["low"] if spec["integer"] and kept and spec["low"] == kept[0] - 1 else np.nan
                labels = [_bin_label(first if i == 0 else lo, hi, spec["integer"])  # a count's first bin "0"
                          for i, (lo, hi) in enumerate(bounds)] + (
                    [_MISSING] if spec["missing"] else [])
                bounds += [(np.nan, np.nan)] if spec["missing"] else []
            else:
                values = labels = list(spec["levels"])
                bounds = [(np.nan, np.nan)] * len(values)
                at += len(values)
            frame = pd.DataFrame({**base, name: values}, index=range(len(values)))
            frame = frame.reindex(columns=self.feature_names_in_)
            for c in frame.columns:
                if c != name:
                    frame[c] = np.nan
            push = self.contributions(frame)[name].to_numpy(float)
            for label, (lo, hi), v in zip(labels, bounds, push, strict=True):
                rows.append({"factor": name, "bin": label, "low": lo, "high": hi, "log_odds": v})
        out = pd.DataFrame(rows, columns=["factor", "bin", "low", "high", "log_odds"])
        out["odds_ratio"] = np.exp(out["log_odds"])
        return out

    def explain(self, X, top: int = 3, *, actionable_only: bool = False) -> pd.DataFrame:
        """Per account: ``p_churn``, ``band``, ``health`` (0–100) and ``reasons`` (see :meth:`reasons`)."""
        X = _frame(X)
        risk = self.decision_function(X)
        return pd.DataFrame({"p_churn": 1 / (1 + np.exp(-risk)), "band": self._band(risk),
                             "health": self.health(X),
                             "reasons": self.reasons(X, top, actionable_only=actionable_only)}, index=X.index)


# =============================================================================== the rules it is compared with

class _GroupRate(ClassifierMixin, BaseEstimator):
    """The training churn rate of the account's group (e.g. plan × segment), shrunk towards the overall rate
    with ``prior`` pseudo-accounts; a missing value is a group of its own."""

    def __init__(self, by=("plan", "segment"), prior: float = 20.0):
        self.by = by
        self.prior = prior

    def _keys(self, X) -> pd.Series:
        X = _frame(X)
        by = [self.by] if isinstance(self.by, str) else list(self.by)
        return pd.Series([tuple(r) for r in X[by].astype(object).where(X[by].notna(), _MISSING).to_numpy()],
                         index=X.index)

    def fit(self, X, y):
        y = np.asarray(pd.Series(y).astype(object))
        self.classes_ = np.unique(y)
        t = pd.Series((y == self.classes_[-1]).astype(float), index=_frame(X).index)
        self.rate_ = float(t.mean())
        g = t.groupby(self._keys(X))
        self.rates_ = (g.sum() + self.prior * self.rate_) / (g.size() + self.prior)
        return self

    def predict_proba(self, X) -> np.ndarray:
        p = self._keys(X).map(self.rates_).fillna(self.rate_).to_numpy(float)
        return np.column_stack([1 - p, p])


class _Flag(_GroupRate):
    """A yes/no rule: the account's ``column`` equals ``value`` (e.g. the last NPS answer was a detractor's)."""

    def __init__(self, column: str = "nps_last_class", value="detractor", prior: float = 20.0):
        self.column = column
        self.value = value
        self.prior = prior

    def _keys(self, X) -> pd.Series:
        X = _frame(X)
        return (X[self.column].astype(object) == self.value).fillna(False).astype(bool)


#: the name :func:`backtest` gives the estimator passed as ``model=``
YOUR_MODEL = "your model"


def default_models(ds=None) -> dict[str, BaseEstimator]:
    """The scores :func:`backtest` compares by default, by name (fresh, unfitted estimators).

    ``"fitted"`` (:class:`HealthModel`), ``"hand-weighted"`` (``HealthModel(weights="handbook")``, the
    :data:`HAND_WEIGHTS` scheme), ``"plan × segment"`` (the training churn rate of the account's plan ×
    segment cell, shrunk towards the overall rate) and ``"NPS detractor"`` (the training churn rate of
    accounts whose last NPS answer was a detractor's, and of the others). With ``ds``, the rules its data
    cannot feed are left out: plan × segment without both columns in ``customers`` (or with either one empty), the
    NPS rule without ``surveys``.

    >>> list(default_models())
    ['fitted', 'hand-weighted', 'plan × segment', 'NPS detractor']
    """
    out = {"fitted": HealthModel(), "hand-weighted": HealthModel(weights="handbook"),
           "plan × segment": _GroupRate(("plan", "segment")), "NPS detractor": _Flag("nps_last_class", "detractor")}
    if ds is not None:
        c = ds.customers
        if not all(col in c.columns and c[col].notna().any() for col in ("plan", "segment")):
            del out["plan × segment"]
        if getattr(ds, "surveys", None) is None:
            del out["NPS detractor"]
    return out


# =============================================================================== the backtest

#: months of history before the first as-of month a backtest trains on (so that 3-month changes are defined)
WARMUP = 3


def customer_sample(ds, n: int, *, seed: int = 0):
    """The data set of ``n`` customers drawn at random (without replacement, reproducibly from ``seed``): every
    table keeps the rows of those customers only (``support_costs``, which has none, is kept whole).

    A score learns its weights and is backtested on such a sample when the customers are many: the weights and the
    AUC barely move with more than some tens of thousands of customers, while time and memory grow with all of
    them. The early warning list still scores every customer.

    >>> import csa
    >>> small = customer_sample(csa.load("data/sample"), 500, seed=0)
    >>> len(small.customers), small.subscriptions["customer_id"].isin(small.customers["customer_id"]).all()
    (500, np.True_)
    """
    ids = ds.customers["customer_id"]
    if n >= len(ids):
        return ds
    keep = np.sort(np.random.default_rng(seed).choice(len(ids), size=int(n), replace=False))
    chosen = pd.Index(ids.iloc[keep])
    tables = {name: (df if name == "customers" or "customer_id" not in df else df.loc[df["customer_id"].isin(chosen)])
              for name, df in ds.tables().items()}
    tables["customers"] = ds.customers.iloc[keep]
    return dataclasses.replace(ds, **tables)


def training_frame(ds, *, until, horizon: int = 3, usage: pd.DataFrame | None = None,
                   frames: Mapping | None = None) -> pd.DataFrame:
    """The signals and labels of every as-of month whose label window had closed by the end of month ``until``.

    The as-of months run from the data's first month + :data:`WARMUP` to ``until − horizon + 1`` (its
    ``horizon`` months of outcome end with ``until`` at the latest): what a score fitted at the end of
    ``until`` may learn from, and nothing later. A customer appears once per as-of month.

    Parameters
    ----------
    ds : Dataset
        As for :func:`health_features`.
    until : month
        The last month whose outcome may be known (the report month).
    horizon : int
        Months of the label.
    usage : DataFrame, optional
        As for :func:`health_features`.
    frames : dict month → frame, optional
        :func:`health_features` already computed (``Backtest.frames``), reused where they cover a month.

    Returns
    -------
    DataFrame
        :func:`health_features` of those months, stacked (``churned`` known in every row); ``attrs["asof"]``
        lists the months.

    Examples
    --------
    >>> import csa
    >>> tf = training_frame(csa.load("data/sample"), until="2026-10", horizon=3)
    >>> tf.attrs["asof"][0], tf.attrs["asof"][-1], len(tf), tf["churned"].isna().any()
    ('2025-02', '2026-08', 20832, np.False_)
    """
    ds.require("customers", "subscriptions")
    months = ds.subscriptions["month"]
    first, last = months.min() + WARMUP, min(_month(until), months.max()) - int(horizon) + 1
    if last < first:
        raise ValueError(f"no as-of month has a closed {horizon}-month label window by {_month(until)}: the data "
                         f"start in {months.min()}, so the first as-of month is {first} and its outcome is known at "
                         f"the end of {first + int(horizon) - 1}")
    frames = frames or {}
    asof = list(pd.period_range(first, last, freq="M"))
    parts = [frames[a] if a in frames and frames[a].attrs.get("horizon") == int(horizon)
             else health_features(ds, asof=a, horizon=horizon, usage=usage) for a in asof]
    out = pd.concat(parts)
    out.attrs = {"asof": [str(a) for a in asof], "horizon": int(horizon)}
    return out


@dataclass
class Backtest:
    """What :func:`backtest` found.

    ``auc``: ROC AUC per origin (rows) and model (columns); ``counts``: per origin, the customers scored, how
    many churned within the horizon, the training rows and as-of months; ``scores``: every scored account
    (origin, customer, model, ``p_churn``, ``churned``); ``frames``: the :func:`health_features` of every
    as-of month used, by month.
    """

    horizon: int
    auc: pd.DataFrame
    counts: pd.DataFrame
    scores: pd.DataFrame
    frames: dict = dataclasses.field(default_factory=dict, repr=False)

    @property
    def mean(self) -> pd.Series:
        """Mean AUC over the origins, per model — a property: ``bt.mean``, not ``bt.mean()``."""
        return self.auc.mean()

    def summary(self, top: float = 0.1, k: int | None = None) -> pd.DataFrame:
        """Per model, over the origins: AUC (mean, standard deviation, lowest, highest), then the means of the
        Brier score (mean squared error of ``p_churn``), and of the lift and recall in the riskiest ``top`` share
        of each origin's accounts (churn rate there ÷ the origin's churn rate; share of the origin's churners
        found there; ties broken by the order of the accounts), with ``k`` the same among the ``k`` riskiest
        accounts (``lift_k``, ``recall_k``: what a team that can contact ``k`` accounts a month would find),
        and the number of origins.

        >>> s = pd.DataFrame({"origin": ["2026-01"] * 10, "customer_id": list("abcdefghij"), "model": "m",
        ...                   "p_churn": [0.9, 0.8, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2],
        ...                   "churned": [True, False, False, False, False, False, False, False, False, True]})
        >>> bt = Backtest(3, pd.DataFrame({"m": [0.75]}, index=["2026-01"]), pd.DataFrame(), s)
        >>> # Brier (0.01 + 0.64 + 7 × 0.01 + 0.64) / 10; the top 20 %: a and b, one churner of two (rate 0.2)
        >>> bt.summary(top=0.2).loc["m", ["brier", "lift_top", "recall_top"]].round(3).tolist()
        [0.136, 2.5, 0.5]
        """
        def per_origin(g: pd.DataFrame) -> pd.Series:
            best = MH.lift(g["churned"], g["p_churn"], top=top)  # csa.metrics.health.lift
            out = {"brier": ((g["p_churn"] - g["churned"]) ** 2).mean(), "lift_top": best.lift,
                   "recall_top": best.recall}
            if k is not None:
                at_k = MH.lift(g["churned"], g["p_churn"], k=k)
                out.update(lift_k=at_k.lift, recall_k=at_k.recall)
            return pd.Series(out)

        s = self.scores.assign(churned=self.scores["churned"].astype(float))
        extra = s.groupby(["model", "origin"], sort=False)[["p_churn", "churned"]].apply(per_origin)
        extra = extra.groupby(level="model", sort=False).mean()
        return pd.DataFrame({"mean_auc": self.auc.mean(), "sd": self.auc.std(), "min": self.auc.min(),
                             "max": self.auc.max()}).join(extra).assign(origins=self.auc.notna().sum())

    def interval(self, model: str = "fitted", origin=None, *, level: float = 0.95) -> tuple[float, float, float]:
        """One origin's AUC of ``model`` (the latest by default) with its bootstrap interval
        (:func:`csa.metrics.health.auc_interval`): how far a single month's figure can be trusted.

        Returns
        -------
        (float, float, float)
            The AUC, the interval's low and high bounds.
        """
        s = self.scores[self.scores["model"] == model]
        if s.empty:
            raise KeyError(f"no model {model!r} in this backtest; it compared {list(self.auc.columns)}")
        at = s["origin"].max() if origin is None else pd.Period(origin, "M")
        g = s[s["origin"] == at]
        lo, hi = MH.auc_interval(g["churned"].astype(bool), g["p_churn"], level=level)
        return MH.auc(g["churned"].astype(bool), g["p_churn"]), lo, hi

    def calibration(self, model: str = "fitted", *, bins: int = 10, level: float = 0.95) -> pd.DataFrame:
        """Expected against observed churn of ``model``'s scores by decile (``bins``), cut within each origin
        and pooled over the origins (:func:`csa.metrics.health.calibration`).

        Every score here was made before its outcome was known, so this is the calibration a team would have
        met, not the calibration on the training accounts (which is good by construction).
        """
        s = self.scores[self.scores["model"] == model]
        if s.empty:
            raise KeyError(f"no model {model!r} in this backtest; it compared {list(self.auc.columns)}")
        return MH.calibration(s["churned"].astype(bool), s["p_churn"], bins=bins, by=s["origin"].astype(str),
                              level=level)


def _origins(cutoffs, start, end) -> list[pd.Period]:
    """The origin months of a backtest: ``cutoffs`` (at least four, any order, no repeats) or ``start`` … ``end``."""
    if cutoffs is not None:
        if start is not None or end is not None:
            raise ValueError("give the origins either as cutoffs=[...] or as start= and end=, not both")
        if isinstance(cutoffs, str | pd.Period) or not isinstance(cutoffs, Iterable):
            raise ValueError(f"cutoffs is a list of origin months, e.g. ['2026-05', '2026-06', '2026-07', "
                             f"'2026-08']; got {cutoffs!r}")
        months = [_month(c) for c in cutoffs]
        repeated = sorted({str(m) for m in months if months.count(m) > 1})
        if repeated:
            raise ValueError(f"cutoffs: {', '.join(repeated)} given more than once; give each origin month once")
        if len(months) < 4:
            raise ValueError(f"cutoffs: {len(months)} origin month(s); give at least four, so that the AUC's spread "
                             "over origins says something (one origin's AUC moves a lot by chance)")
        return sorted(months)
    if start is None or end is None:
        raise ValueError("give the origin months: cutoffs=['2026-05', …] (at least four), or start= and end=")
    first, last = _month(start), _month(end)
    if last < first:
        raise ValueError(f"end ({last}) is before start ({first})")
    return list(pd.period_range(first, last, freq="M"))


def backtest(ds, *, cutoffs: Iterable | None = None, start=None, end=None, horizon: int = 3,
             model: BaseEstimator | None = None, models: Mapping[str, BaseEstimator] | Iterable[str] | None = None,
             usage: pd.DataFrame | None = None, frames: Mapping | None = None) -> Backtest:
    """A rolling-origin backtest of churn scores: fit on the past, score each origin, ROC AUC per origin.

    For each origin month ``O`` (``cutoffs``, or every month from ``start`` to ``end``): every model is
    fitted on the signals of the as-of months ``A`` whose label window closed before ``O`` (``A + horizon ≤
    O``: the naive "fit on the months just before" would let the same customers' overlapping windows leak
    the outcome), from the data set's first month + 3 on; it then scores the customers active at ``O`` from
    their signals at ``O``, and the AUC is taken against who churned within ``horizon`` months. Signals at
    ``A`` see only data before ``A`` and labels of ``A ≤ O − horizon`` only months before ``O``, so nothing a
    model sees was unknown at ``O``.

    Parameters
    ----------
    ds : Dataset
        As for :func:`health_features`.
    cutoffs : iterable of months, optional
        The origin months (``["2026-05", "2026-06", "2026-07", "2026-08"]``), at least four, each with its
        outcome in the data (``O + horizon − 1`` at most the data's last month). The same as ``start`` and
        ``end`` when they follow on from each other; give one or the other.
    start, end : month, optional
        First and last origin (``"2025-08"``): every month in between is an origin.
    horizon : int
        Months of the label.
    model : estimator, optional
        Your own score, compared with the others under the name ``"your model"`` (:data:`YOUR_MODEL`): anything
        with ``fit(X, y)`` and ``predict_proba(X)`` on the raw signals, e.g. ``HealthModel(weights={...})``.
    models : dict name → estimator, or names, optional
        The scores compared. Default (and the names that can be given): :func:`default_models` — ``"fitted"``
        (:class:`HealthModel`), ``"hand-weighted"`` (``HealthModel(weights="handbook")``), ``"plan × segment"``
        (the training churn rate of the plan × segment cell) and ``"NPS detractor"`` (the last NPS answer was a
        detractor's), less those the data cannot feed.
    usage : DataFrame, optional
        As for :func:`health_features`.
    frames : dict month → frame, optional
        :func:`health_features` already computed for this ``horizon`` (e.g. another backtest's ``frames``),
        reused where they cover a month.

    Returns
    -------
    Backtest
        ``auc`` per origin and model; ``mean`` (a property: ``bt.mean``) the mean AUC per model;
        ``summary()`` the spread, Brier score, lift and recall; ``calibration()`` expected against observed.

    Examples
    --------
    >>> import csa
    >>> ds = csa.load("data/sample")
    >>> bt = backtest(ds, start="2026-06", end="2026-08", models=["fitted", "plan × segment"])
    >>> bt.auc.round(3)  # doctest: +NORMALIZE_WHITESPACE
    model    fitted  plan × segment
    origin
    2026-06   0.800           0.598
    2026-07   0.795           0.639
    2026-08   0.802           0.674
    >>> bt.counts.loc["2026-08"].tolist()  # scored, churned, training rows, training months
    [1216, 91, 17244, 16]

    Four origins as a list, with a score of your own beside the fitted one (``mean`` is a property):

    >>> mine = csa.HealthModel(weights={"nps_last": 1, "complaints_90d": -1})
    >>> bt4 = backtest(ds, cutoffs=["2026-05", "2026-06", "2026-07", "2026-08"], models=["fitted"], model=mine)
    >>> bt4.mean.round(3).to_dict()
    {'fitted': 0.801, 'your model': 0.597}
    """
    ds.require("customers", "subscriptions")
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon is a whole number of months ≥ 1; got {horizon!r}")
    horizon = int(horizon)
    origins = _origins(cutoffs, start, end)
    first_origin, last_origin = origins[0], origins[-1]
    months = ds.subscriptions["month"]
    train_from, last = months.min() + WARMUP, months.max()
    if first_origin - horizon < train_from:
        raise ValueError(f"{'cutoffs' if cutoffs is not None else 'start'} {first_origin}: an origin needs at least "
                         f"one as-of month whose {horizon}-month label window closed before it, from {train_from} on: "
                         f"start ≥ {train_from + horizon}")
    if last_origin + horizon - 1 > last:
        raise ValueError(f"{'cutoffs' if cutoffs is not None else 'end'} {last_origin}: its {horizon}-month outcome "
                         f"runs past the data's last month {last}: end ≤ {last - horizon + 1}")
    defaults = default_models(ds)
    if models is None:
        models = defaults
    elif not isinstance(models, Mapping):
        if isinstance(models, str):
            models = [models]
        unknown = [m for m in models if m not in defaults]
        if unknown:
            raise ValueError(f"unknown model name(s) {unknown}: the names are {list(defaults)}, or give a dict "
                             "name → estimator")
        models = {m: defaults[m] for m in models}
    if model is not None:
        if not (hasattr(model, "fit") and hasattr(model, "predict_proba")):
            raise TypeError(f"model is one estimator with fit(X, y) and predict_proba(X); got {type(model).__name__}"
                            ". For several, give models={name: estimator}")
        if YOUR_MODEL in models:
            raise ValueError(f"models already has one named {YOUR_MODEL!r}: give yours in models= under another name")
        models = {**models, YOUR_MODEL: model}
    given = frames or {}
    frames = {a: given[a] if a in given and given[a].attrs.get("horizon") == horizon
              else health_features(ds, asof=a, horizon=horizon, usage=usage)
              for a in pd.period_range(train_from, last_origin, freq="M")}
    auc, counts, scores = {}, {}, []
    for origin in origins:
        train = pd.concat([frames[a] for a in pd.period_range(train_from, origin - horizon, freq="M")])
        X, y = train.drop(columns="churned"), train["churned"].astype(bool).to_numpy()
        test = frames[origin]
        Xo, yo = test.drop(columns="churned"), test["churned"].astype(bool).to_numpy()
        row = {}
        for name, estimator in models.items():
            p = clone(estimator).fit(X, y).predict_proba(Xo)[:, 1]
            row[name] = roc_auc_score(yo, p) if 0 < yo.sum() < len(yo) else np.nan
            scores.append(pd.DataFrame({"origin": origin, "customer_id": test.index, "model": name,
                                        "p_churn": p, "churned": yo}))
        auc[origin] = row
        counts[origin] = {"customers": len(test), "churned": int(yo.sum()), "training_rows": len(train),
                          "training_months": len(pd.period_range(train_from, origin - horizon, freq="M"))}
    auc_frame = pd.DataFrame.from_dict(auc, orient="index")
    auc_frame.index.name, auc_frame.columns.name = "origin", "model"
    counts_frame = pd.DataFrame.from_dict(counts, orient="index")
    counts_frame.index.name = "origin"
    return Backtest(horizon, auc_frame, counts_frame, pd.concat(scores, ignore_index=True), frames)
