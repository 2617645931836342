"""The health notebook's view (``10_health``): the honest backtest, the early warning list and its plays,
what became of last month's list, and the sentences and headline records of the report.

The score is :class:`csa.HealthModel` fitted on as-of months whose label window had closed by the end
of the report month (:func:`csa.health.training_frame`); the comparison is :func:`csa.backtest` over the
latest origins; the weights of the hand-weighted score, the bands and the plays come from the team's
``health.yaml`` (:mod:`csa.playbook`). The LTV tier is the tiers section's (:func:`csa.views.tiers.tiered`).
This module selects rows and words; every number comes from :mod:`csa.health`,
:mod:`csa.metrics.health` or the KPI catalogue, and is written by :mod:`csa.numbers`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import headline as HL
from .. import health as H
from .. import numbers as num
from .. import playbook as PB
from ..errors import DataError
from ..labels import t
from ..periods import label
from . import churn as VC
from . import tiers as VT
from .nps import FollowupList

__all__ = ["LIST_NAME", "MODEL_KEYS", "Section", "at_risk_list", "backtest_table", "build", "calibration_table",
           "describe_backtest", "describe_calibration", "describe_file", "describe_list", "describe_previous",
           "early_warning", "headline_records", "list_table", "origins", "playbook_table", "points_table",
           "previous_list",
           "reason_words", "report_month", "scope_sentence", "warning_list"]

NS = "health"
#: the name of the early warning list: ``csa report`` writes it as ``10_health.at_risk.csv``
LIST_NAME = "at_risk"
#: the backtest's model names → their label keys (the words the page shows)
MODEL_KEYS = {"fitted": "model_fitted", "hand-weighted": "model_hand", "plan × segment": "model_plan_segment",
              "NPS detractor": "model_detractor", H.YOUR_MODEL: "model_yours"}
#: the bands that make the early warning list, riskiest first
FLAGGED = ("red", "yellow")
_STRUCTURAL = {f.name for f in H.FEATURES if f.group == "structural"}
_FEATURES = {f.name: f for f in H.FEATURES}


def report_month(ds, period: str = "", freq: str = "month") -> tuple[pd.Period, str]:
    """The last month of the report period and its label (default: the latest complete period of the
    subscriptions, never the clock).

    >>> import csa
    >>> report_month(csa.load(csa.datasets.sample_dir()))
    (Period('2026-10', 'M'), '2026-10')
    """
    ds.require("customers", "subscriptions")
    P = VC.periods(ds.subscriptions, period, "", freq)
    return P.this.asfreq("M", "end"), P.this_label


def _frames(ds, month: pd.Period, horizon: int) -> dict:
    """The signals and labels of every as-of month whose outcome is known by the end of ``month``."""
    months = ds.subscriptions["month"]
    first, last = months.min() + H.WARMUP, min(month, months.max()) - horizon + 1
    return {a: H.health_features(ds, asof=a, horizon=horizon) for a in pd.period_range(first, last, freq="M")} \
        if last >= first else {}


def _both(frames: list) -> bool:
    """Whether the labels of these as-of months hold leavers and stayers (a score can learn, an AUC be read)."""
    seen = set()
    for f in frames:
        seen |= set(f["churned"].dropna().astype(bool).unique())
        if len(seen) == 2:
            return True
    return False


def origins(ds, month: pd.Period, *, horizon: int = 3, n: int = 12, frames: dict | None = None) -> list[pd.Period]:
    """The latest ``n`` origin months a backtest can judge by the end of ``month``: the ``horizon``-month outcome
    known, leavers and stayers among the customers scored, and among those of the closed label windows before it
    to learn from. Empty when there are fewer than four (too little history to read a spread).

    >>> import csa
    >>> o = origins(csa.load(csa.datasets.sample_dir()), pd.Period("2026-10", "M"), horizon=3, n=12)
    >>> str(o[0]), str(o[-1]), len(o)
    ('2025-09', '2026-08', 12)
    """
    frames = _frames(ds, month, horizon) if frames is None else frames
    asof = sorted(frames)
    usable = [o for o in asof if _both([frames[o]]) and _both([frames[a] for a in asof if a + horizon <= o])]
    out = usable[-n:]
    return out if len(out) >= 4 else []


def _models(ds, hf: PB.HealthFile) -> dict:
    """The scores compared: the handbook's, with the team's weights and bands for the hand-weighted one."""
    return {**H.default_models(ds), "fitted": H.HealthModel(bands=hf.bands),
            "hand-weighted": H.HealthModel(weights=hf.weights, bands=hf.bands)}


def _tiers(ds, month: pd.Period, engine: str) -> tuple[pd.Series | None, str]:
    """LTV tier per active customer at ``month`` (the tiers section's rule), or None and why not."""
    if ds.orders is None:
        return None, "no_orders"
    try:
        act, _ = VT.tiered(ds, month, engine=engine)
    except (DataError, KeyError, ValueError):
        return None, "no_tiers"
    return act.set_index("customer_id")["tier"], ""


@dataclass
class Section:
    """Everything the notebook shows: the report month, the team's file, the backtest, the fitted score and the
    signals at the month's end, the early warning list, last month's list and the tiers."""

    month: pd.Period
    month_label: str
    horizon: int
    file: PB.HealthFile
    backtest: H.Backtest | None
    model: H.HealthModel | None
    training: tuple[str, str, int] | None
    signals: pd.DataFrame
    warning: pd.DataFrame
    previous: dict
    tiers_note: str = ""
    top: float = 0.1
    #: (customers the score learned from and was backtested on, all customers) when it learned from a sample
    sampled: tuple[int, int] | None = None


def build(ds, *, period: str = "", freq: str = "month", horizon: int = 3, n_origins: int = 12, top: float = 0.1,
          health_file: str = "", data_dir: str | Path = "", engine: str = "pandas",
          max_customers: int = 20_000) -> Section:
    """Everything the report section needs, in one call (see :class:`Section`).

    Parameters
    ----------
    ds : Dataset
        Needs ``customers`` and ``subscriptions``; ``surveys``, ``tickets``, ``goals`` add signals, ``orders``
        the LTV tier.
    period, freq : str
        The report period (default: the latest complete one); the list is made at the end of its last month.
    horizon : int
        Months within which a customer leaving counts as churn.
    n_origins : int
        Origin months of the backtest (the latest whose outcome is known).
    top : float
        Share of the riskiest accounts for the lift and recall.
    health_file : str
        The team's ``health.yaml``; empty: the one beside the data, else the sample's example, else the
        handbook's weights and no playbook (:func:`csa.playbook.resolve`).
    data_dir : str or Path
        The data folder (where ``health.yaml`` is looked for); empty: the bundled sample.
    engine : str
        Where the LTV behind the tiers is added up.
    max_customers : int
        With more customers than this, the score learns and is backtested on this many drawn at random
        (:func:`csa.health.customer_sample`, seed 0): time and memory stay bounded, and the page says so. The
        early warning list scores every customer. ``0``: all customers, however many.
    """
    from ..datasets import sample_dir

    month, month_label = report_month(ds, period, freq)
    found = PB.resolve(health_file, data_dir or sample_dir())
    hf = PB.load(found) if found is not None else PB.HealthFile(path="", found=False)
    if isinstance(max_customers, bool) or not isinstance(max_customers, int) or max_customers < 0:
        raise ValueError(f"max_customers is a whole number of customers ≥ 0 (0: all of them); got {max_customers!r}")
    fit_ds, sampled = ds, None
    if max_customers and len(ds.customers) > max_customers:
        fit_ds, sampled = H.customer_sample(ds, max_customers, seed=0), (int(max_customers), len(ds.customers))
    frames = _frames(fit_ds, month, horizon)
    cut = origins(fit_ds, month, horizon=horizon, n=n_origins, frames=frames)
    bt = H.backtest(fit_ds, cutoffs=cut, horizon=horizon, models=_models(fit_ds, hf), frames=frames) if cut else None
    signals = H.health_features(ds, asof=month + 1, horizon=horizon)
    model, training, warning = None, None, early_warning(None, signals.drop(columns="churned"))
    tiers, note = _tiers(ds, month, engine)
    if frames and _both(list(frames.values())):  # leavers and stayers to learn from
        train = H.training_frame(fit_ds, until=month, horizon=horizon, frames=frames)
        y = train.pop("churned").astype(bool)
        model = H.HealthModel(bands=hf.bands).fit(train, y)
        training = (train.attrs["asof"][0], train.attrs["asof"][-1], len(train))
        warning = warning_list(ds, model, signals.drop(columns="churned"), hf, tiers=tiers)
    prev = previous_list(ds, month, hf, horizon=horizon, frames=frames, engine=engine, fit_ds=fit_ds)
    return Section(month, month_label, horizon, hf, bt, model, training, signals, warning, prev, note, top, sampled)


# ----------------------------------------------------------------------------------- the list

def early_warning(model: H.HealthModel | None, X: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """Per account: ``p_churn``, ``band``, ``mrr``, ``at_risk`` (p_churn × MRR: expected MRR at risk),
    ``reasons`` (the actionable factors pushing its risk up most, largest first, at most ``top``) and
    ``profile`` (the structural ones: who the customer is — plan, size, age — kept apart, at most two),
    ``stage`` (:func:`csa.playbook.stage_of`); every active account, riskiest money first.

    The reasons are the factors with the largest positive :meth:`~csa.HealthModel.contributions` (for the fitted
    score, log-odds of churn above the average account; for a hand-weighted one, health points lost).
    """
    if model is None:  # no score: an empty list with the list's columns
        return pd.DataFrame(columns=["p_churn", "band", "mrr", "at_risk", "reasons", "profile", "stage"],
                            index=pd.Index([], name="customer_id"))
    c = model.contributions(X)
    actionable = [n for n in c.columns if n not in _STRUCTURAL]
    structural = [n for n in c.columns if n in _STRUCTURAL]

    def largest(cols, k):
        values, names = c[cols].to_numpy(float), np.asarray(cols, dtype=object)
        order = np.argsort(-values, axis=1, kind="stable")[:, :k]
        return [[names[j] for j in row if values[i, j] > 1e-12] for i, row in enumerate(order)]

    p = model.predict_proba(X)[:, 1]
    mrr = pd.to_numeric(X["mrr"], errors="coerce").to_numpy(float) if "mrr" in X else np.full(len(X), np.nan)
    out = pd.DataFrame({"p_churn": p, "band": model.band(X), "mrr": mrr, "at_risk": p * mrr,
                        "reasons": largest(actionable, top) if actionable else [[] for _ in range(len(X))],
                        "profile": largest(structural, 2) if structural else [[] for _ in range(len(X))],
                        "stage": PB.stage_of(X["tenure_months"]).to_numpy() if "tenure_months" in X else None},
                       index=X.index)
    out.index.name = "customer_id"
    return out.sort_values(["at_risk", "p_churn"], ascending=False, kind="stable")


def warning_list(ds, model: H.HealthModel, X: pd.DataFrame, hf: PB.HealthFile, *,
                 tiers: pd.Series | None = None, bands=FLAGGED, top: int = 3) -> pd.DataFrame:
    """The early warning list: the accounts in ``bands`` (red and yellow), by expected MRR at risk, with their
    reasons, stage, LTV tier and the play and owner the playbook gives them (:meth:`csa.playbook.HealthFile.play_for`).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``name``, ``csm`` (when the customers table has them), and the columns of
        :func:`early_warning`, then ``tier`` (``None`` when unknown), ``play`` (the row of the playbook, 1 first;
        0: none), ``action`` and ``owner`` ({en, ja} dicts; empty when no row matches).
    """
    ew = early_warning(model, X, top=top)
    ew = ew[ew["band"].isin(bands)].copy()
    ew["tier"] = ew.index.map(tiers) if tiers is not None else None
    ew["tier"] = ew["tier"].astype(object).where(ew["tier"].notna(), None)
    plays = [hf.play_for(r, s, ti) for r, s, ti in zip(ew["reasons"], ew["stage"], ew["tier"], strict=True)]
    ew["play"] = [p.row if p else 0 for p in plays]
    ew["action"] = [dict(p.action) if p else {} for p in plays]
    ew["owner"] = [dict(p.owner) if p else {} for p in plays]
    cust = ds.customers.drop_duplicates("customer_id").set_index("customer_id")
    front = [c for c in ("name", "csm") if c in cust.columns]
    return cust[front].reindex(ew.index).join(ew)


def _value(name: str, v, lang: str) -> str:
    """An account's value of a signal, in words."""
    f = _FEATURES.get(name)
    if v is None or (isinstance(v, float) and math.isnan(v)) or (not isinstance(v, str) and pd.isna(v)):
        return t("value_none", lang, NS)
    if f is not None and f.kind == "category":
        return t(str(v), lang, NS)
    if name in ("mrr_change_3m", "active_users_change_3m", "logins_change_3m"):
        return num.change(100 * float(v), "", lang, digits=0) + "%"
    if name in ("goal_completion_90d", "active_share_1m"):
        return num.value(100 * float(v), "%", lang, digits=0)
    if name == "mrr":
        return num.value(float(v), "JPY", lang)
    if name in ("csat_mean_180d", "ces_mean_180d"):
        return num.number(float(v), 1)
    return num.number(float(v), 0)


def reason_words(names, values: pd.Series, lang: str = "en") -> str:
    """Reasons as the page shows them: ``Last NPS answer: 3; Complaints, 90 days: 2`` (in ``lang``)."""
    sep = "、" if lang == "ja" else "; "
    colon = "：" if lang == "ja" else ": "
    return sep.join(f"{t(f'f_{n}', lang, NS)}{colon}{_value(n, values.get(n), lang)}" for n in names)


def list_table(warning: pd.DataFrame, signals: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The early warning list for people: one row per account, words in ``lang``, numbers written by
    :mod:`csa.numbers`; column names are label keys (``format_table(…, ns="health")`` translates them)."""
    rows = []
    for cid, r in warning.iterrows():
        values = signals.loc[cid] if cid in signals.index else pd.Series(dtype=object)
        rows.append({
            "customer_id": cid,
            **({"name": r["name"] if isinstance(r.get("name"), str) else ""} if "name" in warning else {}),
            **({"csm": r["csm"] if isinstance(r.get("csm"), str) else ""} if "csm" in warning else {}),
            "band_col": t(f"band_{r['band']}", lang, NS),
            "p_col": num.value(100 * r["p_churn"], "%", lang),
            "mrr_col": num.value(r["mrr"], "JPY", lang),
            "at_risk_col": num.value(r["at_risk"], "JPY", lang),
            "reasons_col": reason_words(r["reasons"], values, lang) or t("no_reason", lang, NS),
            "profile_col": reason_words(r["profile"], values, lang),
            "stage_col": t(f"stage_{r['stage']}", lang, NS) if r["stage"] else t("unknown", lang, NS),
            "tier_col": t(f"tier_{r['tier']}", lang, "tiers") if r["tier"] else t("unknown", lang, NS),
            "action_col": r["action"].get(lang, "") if r["action"] else t("no_play", lang, NS),
            "owner_col": r["owner"].get(lang, "") if r["owner"] else "",
        })
    cols = ["customer_id", "name", "csm", "band_col", "p_col", "mrr_col", "at_risk_col", "reasons_col", "profile_col",
            "stage_col", "tier_col", "action_col", "owner_col"]
    return pd.DataFrame(rows, columns=[c for c in cols if c in warning.columns or c.endswith("_col")
                                       or c == "customer_id"])


def at_risk_list(table: pd.DataFrame, top_n: int, *, lang: str = "en") -> FollowupList:
    """The list ready to display: its first ``top_n`` rows on the page, the whole list in the report's CSV file."""
    return FollowupList(table, top_n, name=LIST_NAME, title=t("list_title", lang, NS))


# ----------------------------------------------------------------------------------- last month's list

def previous_list(ds, month: pd.Period, hf: PB.HealthFile, *, horizon: int = 3, frames: dict | None = None,
                  engine: str = "pandas", fit_ds=None) -> dict:
    """What became of the list made at the end of the month before ``month``: the accounts flagged then (red or
    yellow, by a score fitted on what was known then), how many have left by the end of ``month``, against the
    other accounts, and whether their ``horizon``-month window has closed.

    Returns
    -------
    dict
        ``made`` (the month the list was made at the end of), ``flagged``, ``left`` (flagged accounts not
        subscribed in ``month``), ``others``, ``others_left``, ``expected`` (the sum of their probabilities of
        leaving within the horizon), ``closes`` (the last month of the window) and ``closed`` (bool); ``None``
        values when there is no earlier list (too little history). ``fit_ds``: the customers the score learns
        from (:func:`csa.health.customer_sample`), when not all of ``ds``'s.
    """
    made = month - 1
    subs = ds.subscriptions
    empty = {"made": made, "flagged": 0, "left": 0, "others": 0, "others_left": 0, "expected": None,
             "closes": made + horizon, "closed": False, "ok": False}
    try:
        train = H.training_frame(ds if fit_ds is None else fit_ds, until=made, horizon=horizon, frames=frames)
    except ValueError:  # no as-of month with a closed window yet
        return empty
    y = train.pop("churned").astype(bool)
    if y.nunique() < 2 or made < ds.subscriptions["month"].min():
        return empty
    model = H.HealthModel(bands=hf.bands).fit(train, y)
    X = H.health_features(ds, asof=month, horizon=horizon).drop(columns="churned")
    band = pd.Series(model.band(X), index=X.index)
    p = pd.Series(model.predict_proba(X)[:, 1], index=X.index)
    still = set(subs.loc[subs["month"] == month, "customer_id"])
    gone = ~X.index.isin(list(still))
    flagged = band.isin(FLAGGED).to_numpy()
    return {"made": made, "flagged": int(flagged.sum()), "left": int((gone & flagged).sum()),
            "others": int((~flagged).sum()), "others_left": int((gone & ~flagged).sum()),
            "expected": float(p[flagged].sum()), "closes": made + horizon, "closed": made + horizon <= month,
            "ok": True}


# ----------------------------------------------------------------------------------- tables

def _model_name(name: str, lang: str, *, in_sentence: bool = False) -> str:
    key = MODEL_KEYS.get(name, name)
    return t(key.replace("model_", "in_", 1) if in_sentence and key.startswith("model_") else key, lang, NS)


def backtest_table(bt: H.Backtest, *, top: float = 0.1, capacity: int | None = None,
                   lang: str = "en") -> pd.DataFrame:
    """The backtest per score, in words: mean AUC, its spread over the origins (standard deviation, lowest and
    highest), lift and share of leavers found in the riskiest ``top`` of each origin's accounts, the share found
    among the ``capacity`` riskiest (what the team can contact in a month), origins."""
    s = bt.summary(top=top, k=capacity)
    pct = num.number(100 * top, 0)
    rows = [{"score": _model_name(m, lang), "auc_mean": num.number(r["mean_auc"], 3),
             "auc_sd": "±" + num.number(r["sd"], 3), "auc_range": num.interval(r["min"], r["max"], digits=3),
             "lift_col": t("times", lang, NS, x=num.number(r["lift_top"], 1)),
             "recall_col": num.value(100 * r["recall_top"], "%", lang),
             **({"recall_k_col": num.value(100 * r["recall_k"], "%", lang)} if capacity else {}),
             "origins": num.number(r["origins"], 0)}
            for m, r in s.iterrows()]
    out = pd.DataFrame(rows).set_index("score")
    out.index.name = t("score", lang, NS)
    return out.rename(columns={c: t(c, lang, NS, pct=pct, k=capacity or 0) for c in out.columns})


def _bin_words(name: str, row: pd.Series, lang: str) -> str:
    """A bin of the points table in words: ``< 53%``, ``53% – 88%``, ``≥ 88%``, ``0``, ``no data``, a level."""
    if row["bin"] == "(missing)":
        return t("value_none", lang, NS)
    lo, hi = row["low"], row["high"]
    if (np.isnan(lo) and np.isnan(hi)) or name not in _RATIOS:
        return _value(name, row["bin"], lang) if _FEATURES.get(name) and _FEATURES[name].kind == "category" \
            else row["bin"]
    if np.isnan(lo):
        return f"< {_value(name, hi, lang)}"
    if np.isnan(hi):
        return f"≥ {_value(name, lo, lang)}"
    return f"{_value(name, lo, lang)} – {_value(name, hi, lang)}"


#: signals whose bins are written as percentages or yen (the others: their numbers as they are)
_RATIOS = {"mrr_change_3m", "active_users_change_3m", "logins_change_3m", "goal_completion_90d", "active_share_1m",
           "mrr"}


def points_table(model: H.HealthModel, lang: str = "en", *, min_spread: float = 0.05) -> pd.DataFrame:
    """The fitted score's points table in words (:meth:`csa.HealthModel.points_table`): each signal that moves
    the odds by at least ``min_spread`` (log-odds between its bins), most decisive first, its bins and the odds
    of leaving in each against the average account (×1.0). Column names are label keys."""
    tab = model.points_table()
    spread = tab.groupby("factor", sort=False)["log_odds"].agg(lambda v: v.max() - v.min())
    rows = []
    for name in spread[spread >= min_spread].sort_values(ascending=False).index:
        for _, r in tab[tab["factor"] == name].iterrows():
            rows.append({"signal_col": t(f"f_{name}", lang, NS), "bin_col": _bin_words(name, r, lang),
                         "odds_col": t("times", lang, NS, x=num.number(r["odds_ratio"], 2))})
    return pd.DataFrame(rows, columns=["signal_col", "bin_col", "odds_col"])


def calibration_table(bt: H.Backtest, model: str = "fitted", *, level: float = 0.95) -> pd.DataFrame:
    """Expected against observed churn by decile of ``model``'s probability, pooled over the origins
    (:meth:`csa.health.Backtest.calibration`)."""
    return bt.calibration(model, level=level)


def playbook_table(hf: PB.HealthFile, lang: str = "en") -> pd.DataFrame:
    """The team's playbook in words: reason, stage, tier, action, owner (the file's order)."""
    def reason(r):
        if r == PB.ANY:
            return t("any", lang, NS)
        return t(f"f_{r}", lang, NS) if r in _FEATURES else t(f"group_{r}", lang, NS)

    rows = [{"row": p.row, "reason_col": reason(p.reason),
             "stage_col": t(f"stage_{p.stage}", lang, NS) if p.stage != PB.ANY else t("any", lang, NS),
             "tier_col": t(f"tier_{p.tier}", lang, "tiers") if p.tier != PB.ANY else t("any", lang, NS),
             "action_col": p.action_in(lang), "owner_col": p.owner_in(lang)} for p in hf.plays]
    out = pd.DataFrame(rows, columns=["row", "reason_col", "stage_col", "tier_col", "action_col", "owner_col"])
    return out.set_index("row").rename_axis(t("row", lang, NS)).rename(columns=lambda c: t(c, lang, NS))


# ----------------------------------------------------------------------------------- sentences

def scope_sentence(sec: Section, *, lang: str = "en") -> str:
    if sec.training is None:
        return t("scope_none", lang, NS, period=sec.month_label, n=len(sec.signals), horizon=sec.horizon)
    first, last, rows = sec.training
    text = t("scope", lang, NS, period=sec.month_label, n=len(sec.signals), horizon=sec.horizon,
             first=str(first), last=str(last), rows=rows)
    if sec.sampled:
        text += (" " if lang == "en" else "") + t("scope_sampled", lang, NS, n=sec.sampled[0], total=sec.sampled[1])
    return text


def describe_file(hf: PB.HealthFile, *, lang: str = "en") -> str:
    """Which health file the section read (the sample's example, the team's own, or none)."""
    if not hf.found:
        return t("file_none", lang, NS)
    return t("file_example" if hf.example else "file_own", lang, NS, file=hf.path, plays=len(hf.plays),
             red=num.value(100 * hf.red, "%", lang, digits=0), yellow=num.value(100 * hf.yellow, "%", lang, digits=0))


def describe_backtest(bt: H.Backtest | None, *, lang: str = "en") -> str:
    """The backtest in plain words: does the fitted score beat the simpler ones on the rolling mean AUC?"""
    if bt is None:
        return t("backtest_none", lang, NS)
    mean = bt.mean
    others = [m for m in mean.index if m != "fitted"]
    beaten = [m for m in others if mean["fitted"] > mean[m]]
    wins = {m: int((bt.auc["fitted"] > bt.auc[m]).sum()) for m in others}
    sep = "、" if lang == "ja" else ", "
    parts = sep.join(t("vs_item", lang, NS, model=_model_name(m, lang, in_sentence=True), auc=num.number(mean[m], 3),
                       wins=wins[m], k=len(bt.auc)) for m in others)
    head = t("backtest", lang, NS, k=len(bt.auc), first=str(bt.auc.index[0]), last=str(bt.auc.index[-1]),
             auc=num.number(mean["fitted"], 3), sd=num.number(bt.auc["fitted"].std(), 3), others=parts)
    if len(beaten) == len(others):
        verdict = t("verdict_all", lang, NS)
    elif not beaten:
        verdict = t("verdict_none", lang, NS)
    else:
        verdict = t("verdict_some", lang, NS, models=sep.join(_model_name(m, lang, in_sentence=True) for m in others
                                                               if m not in beaten))
    auc, lo, hi = bt.interval("fitted")
    one = t("one_origin", lang, NS, origin=str(bt.auc.index[-1]), auc=num.number(auc, 3),
            interval=num.interval(lo, hi, digits=3))
    # the verdict last: a closing ** right before a digit would not close in Japanese (no space after 。)
    return f"{head} {one} {verdict}" if lang == "en" else head + one + verdict


def describe_calibration(cal: pd.DataFrame, *, lang: str = "en") -> str:
    """Top and bottom deciles: what the score expected and what happened."""
    if cal.empty:
        return t("backtest_none", lang, NS)
    lo, hi = cal.iloc[0], cal.iloc[-1]
    return t("calibration", lang, NS, lo_exp=num.value(lo["expected"], "%", lang), lo_obs=num.value(lo["observed"],
             "%", lang), hi_exp=num.value(hi["expected"], "%", lang), hi_obs=num.value(hi["observed"], "%", lang),
             ratio=num.number(hi["observed"] / lo["observed"], 1) if lo["observed"] else "—")


def describe_list(sec: Section, shown: int, *, lang: str = "en") -> str:
    if sec.model is None:
        return t("list_none", lang, NS, period=sec.month_label)
    w = sec.warning
    red = int((w["band"] == "red").sum())
    total = float(w["at_risk"].sum())
    text = t("list", lang, NS, n=len(w), red=red, yellow=len(w) - red, period=sec.month_label,
             at_risk=num.value(total, "JPY", lang), shown=min(shown, len(w)), horizon=sec.horizon)
    if not sec.file.found:
        text += t("list_no_playbook", lang, NS)
    if sec.tiers_note:
        text += t(f"list_{sec.tiers_note}", lang, NS)
    return text


def describe_previous(prev: dict, *, lang: str = "en") -> str:
    """What became of last month's list, in one or two sentences (and that its window is still open)."""
    if not prev["ok"]:
        return t("previous_none", lang, NS, made=label(prev["made"]))
    share = 100 * prev["left"] / prev["flagged"] if prev["flagged"] else float("nan")
    others = 100 * prev["others_left"] / prev["others"] if prev["others"] else float("nan")
    text = t("previous", lang, NS, made=label(prev["made"]), n=prev["flagged"], left=prev["left"],
             share=num.value(share, "%", lang), others=num.value(others, "%", lang), now=label(prev["made"] + 1))
    key = "previous_closed" if prev["closed"] else "previous_open"
    expected = num.number(prev["expected"], 0 if prev["expected"] >= 10 else 1)
    return text + t(key, lang, NS, closes=label(prev["closes"]), expected=expected)


def headline_records(sec: Section) -> list[dict]:
    """The section's facts for the front page: the fitted score's mean AUC over the backtest's origins (%: the
    chance of ranking a leaver above a stayer) and the expected MRR at risk on the early warning list."""
    out = []
    per = sec.month_label
    if sec.model is None:
        return out
    if sec.backtest is not None:
        n = int(sec.backtest.counts["customers"].sum())
        out.append(HL.record("health_auc", {lang: t("record_auc", lang, NS) for lang in ("en", "ja")}, per,
                             value=100 * sec.backtest.mean["fitted"], n=n, unit="%", direction="higher", min_n=0))
    out.append(HL.record("health_at_risk", {lang: t("record_at_risk", lang, NS) for lang in ("en", "ja")}, per,
                         value=float(sec.warning["at_risk"].sum()), n=len(sec.warning), unit="JPY",
                         direction="lower", min_n=0))
    return out
