"""The KPI-cycle notebook's view (``09_kpi_cycle``): the registry, its SMART check, the KPI → KGI
tree, the scorecard, the evaluation of each registered action, the next targets, and the
sentences and headline records of the report.

Every number comes from :mod:`csa.scorecard` (KPI histories, through the catalogue),
:mod:`csa.registry` (SMART, status, next target) and :mod:`csa.evaluation` (difference in
differences, event study, pre-trend, interrupted time series, group means); this module selects
rows and picks words (:mod:`csa.labels`, namespace ``kpi_cycle``) and writes numbers with
:mod:`csa.numbers`. ``evaluate``, ``evaluations``, ``Evaluation`` and ``CLUSTERS`` are
:mod:`csa.evaluation`'s, re-exported for the notebook.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import evaluation as EV
from .. import headline as H
from .. import numbers as num
from .. import registry as R
from .. import scorecard as SC
from ..catalog import entry as notebook
from ..evaluation import CLUSTERS, Evaluation, evaluate, evaluations
from ..kpi import KPIS
from ..labels import check_lang, t
from ..periods import label
from ..sample import PLANTED_EFFECTS

__all__ = ["CLUSTERS", "SAMPLE_EFFECTS", "Cycle", "Evaluation", "actions_table", "by_hand_table", "chosen_action",
           "coverage_table", "cycle", "describe_effect", "describe_its", "describe_next", "describe_pretrend",
           "describe_scorecard", "describe_smart", "describe_truth", "effects_table", "evaluate", "evaluations",
           "event_labels", "event_table", "headline_records", "is_sample", "its_labels", "its_table",
           "load_registry", "next_targets_table", "registry_table", "scope_sentence", "smart_reason", "smart_reasons",
           "smart_table",
           "training_table", "tree_style", "tree_tables", "trend_labels", "trends_table"]

NS = "kpi_cycle"
#: effects planted in the bundled sample (data/README.md, "The intervention"), as its generator records them
SAMPLE_EFFECTS = PLANTED_EFFECTS


# ----------------------------------------------------------------------------------- the cycle

@dataclass
class Cycle:
    """Everything the notebook shows about the registry on one period's data."""

    registry: R.Registry
    period: pd.Period
    freq: str
    level: float
    scorecard: SC.Scorecard
    histories: dict[str, pd.DataFrame]
    reviews: dict[str, pd.DataFrame]
    smart: dict[str, R.Smart]
    errors: dict[str, str] = field(default_factory=dict)
    power: float = 0.8

    @property
    def label(self) -> str:
        return label(self.period, self.freq)


def cycle(ds, registry: R.Registry, *, period: str = "", freq: str = "month", level: float = 0.95, min_n: int = 30,
          power: float = 0.8, horizon: int = 6, prob: float = 0.8, records=(), engine: str = "pandas") -> Cycle:
    """Measure every registry entry on ``ds``, check it SMART and build the scorecard of ``period``.

    The histories (per report period and per review period) are counted on ``engine``
    (:func:`csa.scorecard.measure`: pandas, DuckDB or Spark give the same numbers).
    """
    per = SC.report_period(ds, period, freq)
    histories, reviews, smart, errors = {}, {}, {}, {}
    for e in registry.entries:
        if e.spec is None:
            continue
        try:
            histories[e.id] = SC.measure(ds, e, freq=freq, level=level, min_n=min_n, until=per, engine=engine)
            until = per.asfreq("M", "end").asfreq(_code(e.review), "end")
            reviews[e.id] = histories[e.id] if e.review == freq else SC.measure(ds, e, freq=e.review, level=level,
                                                                                min_n=min_n, until=until,
                                                                                engine=engine)
        except Exception as exc:  # a missing table or a bad 'where': shown, not raised
            errors[e.id] = EV._problem(exc)
    sc = SC.build(registry, records, ds=ds, period=per, freq=freq, level=level, min_n=min_n, horizon=horizon,
                  prob=prob, histories=histories)
    empty = pd.DataFrame(columns=SC.HISTORY_COLUMNS)
    for e in registry.entries:
        smart[e.id] = R.smart(e, registry, histories.get(e.id, empty), reviews.get(e.id), period=per, level=level,
                              power=power)
    return Cycle(registry, per, freq, level, sc, histories, reviews, smart, errors, power)


def _code(freq: str) -> str:
    return {"month": "M", "quarter": "Q-DEC", "fiscal_year": "Y-MAR"}[freq]


def scope_sentence(c: Cycle, *, lang: str = "en") -> str:
    """What the notebook looks at: the registry, its size and the report period."""
    reg = c.registry
    return t("scope_example" if reg.example else "scope", lang, NS, registry=reg.path, kgis=len(reg.kgis),
             kpis=len(reg.kpis), actions=len(reg.actions),
             period=c.label)


# ----------------------------------------------------------------------------------- step 1

def _definition(e: R.Entry, lang: str) -> str:
    if e.spec is None:
        return t("record_only", lang, NS, record=e.record)
    parts = [e.spec.label(e.params, lang)]
    parts += [f"{t(k, lang, NS)} = {'/'.join(t(x, lang, NS) for x in v)}" for k, v in e.where.items()]
    return "; ".join(parts)


def _target(e: R.Entry, lang: str) -> str:
    if e.target is None:
        return t("none", lang, NS)
    text = t("target_higher" if e.direction == "higher" else "target_lower", lang, NS,
             value=_value(e.target, e.unit, lang))
    return text + (t("target_by", lang, NS, deadline=e.deadline) if e.deadline is not None else "")


def _value(x: float | None, unit: str, lang: str, *, signed: bool = False) -> str:
    """A value (or, ``signed``, a change: rates and NPS in points) as :mod:`csa.numbers` writes it."""
    return num.change(x, unit, lang) if signed else num.value(x, unit, lang)


def registry_table(registry: R.Registry, *, lang: str = "en") -> pd.DataFrame:
    """The registry as a table: one row per KGI and KPI (name, kind, definition, owner, drives, target, review)."""
    check_lang(lang)
    rows = []
    for e in registry.entries:
        drives = ", ".join(registry.entry(k).title(lang) for k in e.drives) if e.drives else \
            ("—" if e.kind == "kpi" else "")
        rows.append({t("col_name", lang, NS): e.title(lang), t("col_kind", lang, NS): t(f"kind_{e.kind}", lang, NS),
                     t("col_definition", lang, NS): _definition(e, lang), t("col_owner", lang, NS): e.owner_in(lang),
                     t("col_drives", lang, NS): drives, t("col_target", lang, NS): _target(e, lang),
                     t("col_review", lang, NS): t(f"review_{e.review}", lang, NS)})
    return pd.DataFrame(rows).set_index(t("col_name", lang, NS))


def smart_reason(letter: str, chk: R.Check, e: R.Entry, lang: str = "en", power: float = 0.8,
                 registry: R.Registry | None = None) -> str:
    """Why one SMART letter of ``e`` passes or fails, in a sentence: the KPI by its catalogue name, the KGIs and
    KPIs it is related to by their names (``registry``), numbers through :mod:`csa.numbers`."""
    v = dict(chk.values, power=power)
    if e.spec is not None and "metric" in v:
        v["metric"] = e.spec.label(e.params, lang)
    sep = t("list_sep", lang, NS)
    for k in ("kgis", "kpis"):
        if v.get(k) and registry is not None:
            v[k] = sep.join(registry.entry(x.strip()).title(lang) for x in v[k].split(","))
    if v.get("need") is not None:
        v["need"] = num.number(v["need"], 0)
    for k in ("base", "target", "best", "now"):
        if v.get(k) is not None:
            v[k] = _value(v[k], e.unit, lang)
    if v.get("step") is not None:  # a step of a rate is in points: "2.2 pts"
        v["step"] = num.change(v["step"], e.unit, lang).lstrip("+")
    if "missing" in v:
        v["missing"] = ", ".join(v["missing"])
    if "review" in v:
        v["review"] = t(f"review_{v['review']}", lang, NS)
    if "table" in v:
        v["table"] = t(f"table_{v['table']}", lang, NS)
    return t(f"smart_{letter}_{chk.why}", lang, NS, **v)


def smart_table(c: Cycle, *, lang: str = "en") -> pd.DataFrame:
    """The SMART check of every entry: ✓ or ✗ per letter (the reasons: :func:`smart_reasons`)."""
    check_lang(lang)
    rows = []
    for e in c.registry.entries:
        s = c.smart[e.id]
        row = {t("col_name", lang, NS): e.title(lang)}
        for k in R.LETTERS:
            row[t(f"letter_{k}", lang, NS)] = "✓" if s.checks[k].ok else "✗"
        rows.append(row)
    return pd.DataFrame(rows).set_index(t("col_name", lang, NS))


def smart_reasons(c: Cycle, *, lang: str = "en") -> str:
    """A Markdown list: for each entry with a ✗, what fails and how to fix it, one letter per line."""
    check_lang(lang)
    items = []
    for e in c.registry.entries:
        s = c.smart[e.id]
        if s.failed:
            why = {k: smart_reason(k, s.checks[k], e, lang, c.power, c.registry) for k in s.failed}
            fails = "".join(f"\n    - {t(f'letter_{k}', lang, NS)}: {why[k]}" for k in s.failed)
            items.append(f"- **{e.title(lang)}**{fails}")
    return "\n".join(items) if items else t("smart_all_ok", lang, NS)


def describe_smart(c: Cycle, *, lang: str = "en") -> str:
    """How many entries pass all five letters, and which letters fail most."""
    ok = [e for e in c.registry.entries if c.smart[e.id].ok]
    counts = {k: sum(k in c.smart[e.id].failed for e in c.registry.entries) for k in R.LETTERS}
    worst = [t(f"letter_{k}", lang, NS) for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) if v][:2]
    if len(ok) == len(c.registry.entries):
        return t("smart_summary_all", lang, NS, n=len(ok))
    return t("smart_summary", lang, NS, ok=len(ok), n=len(c.registry.entries),
             worst=t("list_sep", lang, NS).join(worst))


def tree_tables(c: Cycle, *, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (actions, KPIs, KGIs with this period's value and status) and edges for :func:`csa.display.tree.tree`."""
    check_lang(lang)
    nodes, edges = [], []
    for a in c.registry.actions:
        nodes.append({"id": f"action:{a.id}", "label": f"{a.title(lang)}\n{t('tree_from', lang, NS, start=a.start)}",
                      "layer": 0, "status": "action"})
        edges += [{"source": f"action:{a.id}", "target": k} for k in a.kpis]
    for e in c.registry.entries:
        r = c.scorecard.row(e.id)
        value = _value(r["value"], e.unit, lang)
        lines = [e.title(lang), t("tree_value", lang, NS, value=value, period=r["as_of"],
                                  status=t(f"status_{r['status']}", lang, NS)),
                 t("tree_target", lang, NS, target=_target(e, lang) if e.target is not None else "—")]
        nodes.append({"id": e.id, "label": "\n".join(lines), "layer": 1 if e.kind == "kpi" else 2,
                      "status": r["status"]})
        edges += [{"source": e.id, "target": k} for k in e.drives]
    return pd.DataFrame(nodes), pd.DataFrame(edges, columns=["source", "target"])


def tree_style(c: Cycle, *, lang: str = "en") -> dict[str, Any]:
    """Keyword arguments of :func:`csa.display.tree.tree` for the KPI → KGI tree: colours by status,
    legend, column headings, title and label width, in ``lang``."""
    check_lang(lang)
    colors = {"action": ("#6e7781", "#ffffff"),
              **{s: (SC.STATUS_COLORS[s], SC.STATUS_BACKGROUNDS[s]) for s in SC.STATUS_COLORS}}
    legend = {s: t(f"status_{s}", lang, NS) for s in ("action", *R.STATUSES)}
    return {"colors": colors, "legend": legend, "title": t("title_tree", lang, NS, period=c.label),
            "layer_names": [t(k, lang, NS) for k in ("layer_actions", "layer_kpis", "layer_kgis")],
            "wrap_width": 34 if lang == "en" else 30, "lang": lang}


# ----------------------------------------------------------------------------------- step 2

def coverage_table(c: Cycle, *, lang: str = "en") -> pd.DataFrame:
    """Step 2 (collect the data): per entry, its table, the periods with data and the observations now."""
    check_lang(lang)
    rows = []
    for e in c.registry.entries:
        h = c.histories.get(e.id)
        r = c.scorecard.row(e.id)
        has = h[h["n"] > 0] if h is not None else None
        rows.append({t("col_name", lang, NS): e.title(lang),
                     t("col_table", lang, NS): t(f"table_{e.spec.table}", lang, NS) if e.spec else
                     t("record_only", lang, NS, record=e.record),
                     t("col_first", lang, NS): str(has["period"].iloc[0]) if has is not None and len(has) else "—",
                     t("col_periods", lang, NS): f"{len(has)} / {len(h)}" if has is not None else "—",
                     t("col_n_now", lang, NS): num.number(r["n"], 0) if r["value"] is not None else "—",
                     t("col_as_of", lang, NS): r["as_of"] if r["value"] is not None else "—",
                     t("col_problem", lang, NS): c.errors.get(e.id, "")})
    return pd.DataFrame(rows).set_index(t("col_name", lang, NS))


# ----------------------------------------------------------------------------------- step 3

def describe_scorecard(c: Cycle, *, lang: str = "en") -> str:
    """The scorecard in one sentence: how many KPIs are met, on track, at risk, missed."""
    n = c.scorecard.counts("kpi")
    return t("scorecard_summary", lang, NS, period=c.label, kpis=len(c.registry.kpis), met=n["met"],
             on_track=n["on_track"], at_risk=n["at_risk"], missed=n["missed"], level=c.level)


# ----------------------------------------------------------------------------------- step 4

def actions_table(registry: R.Registry, *, lang: str = "en") -> pd.DataFrame:
    """The registered actions: start, whom they touched, which KPIs they should move, how they are evaluated."""
    check_lang(lang)
    rows = []
    for a in registry.actions:
        scope = ", ".join(f"{t(k, lang, NS)} = {'/'.join(t(x, lang, NS) for x in v)}" for k, v in a.scope.items()) \
            or t("scope_all", lang, NS)
        rows.append({t("col_action", lang, NS): a.title(lang), t("col_start", lang, NS): str(a.start),
                     t("col_scope", lang, NS): scope,
                     t("col_kpis", lang, NS): ", ".join(registry.entry(k).title(lang) for k in a.kpis),
                     t("col_owner", lang, NS): a.owner_in(lang),
                     t("col_design", lang, NS): t("design_did" if a.has_comparison else "design_its", lang, NS)})
    return pd.DataFrame(rows).set_index(t("col_action", lang, NS))


# ----------------------------------------------------------------------------------- step 5

def chosen_action(registry: R.Registry, action: str = "") -> str:
    """The action shown in detail: ``action`` (an error listing the registered ones if unknown), else
    the first action with a comparison group, else ``""``."""
    if action:
        return registry.action(action).id
    return next((a.id for a in registry.actions if a.has_comparison), "")


def _effect_text(ev: Evaluation, lang: str) -> tuple[str, str]:
    """(effect, interval) as shown: a factor and a % for times, points otherwise."""
    e = ev.effect
    if ev.log:
        return (t("effect_ratio", lang, NS, ratio=_num(e.ratio), pct=_signed(e.pct)),
                t("interval_ratio", lang, NS, low=_num(e.ratio_low), high=_num(e.ratio_high)))
    return _value(e.effect, ev.unit, lang, signed=True), num.interval(e.low, e.high, ev.unit, lang, signed=True)


def _signed(x: float, digits: int = 1) -> str:
    return num.number(x, digits, signed=True)


def _num(x: float, digits: int = 3) -> str:
    return num.number(x, digits)


def _p(p: float) -> str:
    """``p < 0.001`` or ``p = 0.041``: the p-value as :mod:`csa.numbers` writes it."""
    return num.p_value(p)


def _p_cell(p: float) -> str:
    """The p-value in a column headed "p-value": ``< 0.001``, ``0.004``, ``0.41`` (kept on one line)."""
    return num.p_value(p).removeprefix("p\u00a0").removeprefix("=\u00a0")


def effects_table(evals: list[Evaluation], *, lang: str = "en") -> pd.DataFrame:
    """One row per action and KPI: design, effect with interval, p-value, rows and clusters."""
    check_lang(lang)
    rows = []
    for ev in evals:
        row = {t("col_action", lang, NS): ev.action.title(lang), t("col_kpi", lang, NS): ev.entry.title(lang),
               t("col_design", lang, NS): t(f"design_{ev.design}", lang, NS)}
        if ev.effect is None:
            row.update({t("col_effect", lang, NS): "—", t("col_interval", lang, NS, level=0.95): "—",
                        t("col_p", lang, NS): "—", t("col_rows", lang, NS): "—",
                        t("col_errors", lang, NS): t(f"why_{ev.reason}", lang, NS) if ev.reason in
                        ("no_rows", "no_comparison", "too_early") else ev.reason})
        else:
            eff = ev.effect
            effect, interval = _effect_text(ev, lang)
            row.update({t("col_effect", lang, NS): effect, t("col_interval", lang, NS, level=eff.level): interval,
                        t("col_p", lang, NS): _p_cell(eff.p), t("col_rows", lang, NS): num.number(eff.n, 0),
                        t("col_errors", lang, NS): _errors_text(ev, lang)})
        rows.append(row)
    return pd.DataFrame(rows).set_index([t("col_action", lang, NS), t("col_kpi", lang, NS)])


def _errors_text(ev: Evaluation, lang: str) -> str:
    eff = ev.effect
    if eff.cov == "cluster":
        who = t(f"cluster_{ev.cluster}", lang, NS) if ev.cluster in ("agent", "customer_id", "team", "period") else \
            ev.cluster
        return t("errors_cluster", lang, NS, k=eff.clusters, who=who)
    return t("errors_robust", lang, NS, cov=eff.cov)


def describe_effect(ev: Evaluation, *, lang: str = "en") -> str:
    """The action's effect on the KPI in one sentence, and whether it can be told from noise."""
    if ev.effect is None:
        return t("effect_none", lang, NS, action=ev.action.title(lang), kpi=ev.entry.title(lang))
    eff = ev.effect
    real = eff.low > 0 or eff.high < 0
    verdict = t("effect_real" if real else "effect_noise", lang, NS)
    common = dict(action=ev.action.title(lang), kpi=ev.entry.title(lang), level=eff.level, p=_p(eff.p),
                  n=eff.n, verdict=verdict, start=ev.action.start)
    low, high = (_value(x, ev.unit, lang, signed=True) for x in (eff.low, eff.high))
    if ev.design == "its":
        return t("effect_its", lang, NS, effect=_value(eff.effect, ev.unit, lang, signed=True), low=low, high=high,
                 **common)
    if ev.log:
        text = t("effect_log", lang, NS, ratio=_num(eff.ratio), pct=_num(abs(eff.pct), 1),
                 faster=t("faster" if eff.effect < 0 else "slower", lang, NS), low=_num(eff.ratio_low),
                 high=_num(eff.ratio_high), log=_signed(eff.effect, 3), log_low=_signed(eff.low, 3),
                 log_high=_signed(eff.high, 3), **common)
        if eff.excluded:  # a time of 0 has no logarithm: say how many rows that leaves out
            text += t("effect_excluded", lang, NS, excluded=num.number(eff.excluded, 0),
                      share=eff.excluded / (eff.n + eff.excluded))
            if ev.entry.resolved.get("clock") == "business":
                text += t("effect_excluded_business", lang, NS)
        return text
    return t("effect_diff", lang, NS, effect=_value(eff.effect, ev.unit, lang, signed=True), low=low, high=high,
             **common)


def describe_truth(ev: Evaluation, *, lang: str = "en") -> str:
    """On the bundled sample: the planted effect, and whether the interval contains it (empty otherwise:
    another design, or a KPI measured otherwise than the effect was planted, e.g. first response on business
    minutes while the sample multiplied calendar minutes)."""
    p = ev.entry.resolved
    truth = next((t_[2:] for t_ in SAMPLE_EFFECTS.get(ev.action.id, []) if t_[0] == ev.entry.measure and
                  all(p.get(k) == v for k, v in t_[1].items())), None)
    if ev.effect is None or truth is None or ev.design != "did":
        return ""
    value, scale, _exact = truth
    inside = ev.effect.contains(value)
    key = ("truth_log" if scale == "log" else "truth_points") + ("_in" if inside else "_out")
    digits = 3 if scale == "log" else 1
    return t(key, lang, NS, value=_signed(value, digits) if scale == "log" else num.number(value, 0),
             ratio=num.number(math.exp(value), 2) if scale == "log" else "", low=_signed(ev.effect.low, digits),
             high=_signed(ev.effect.high, digits), kpi=ev.entry.title(lang))


def describe_pretrend(ev: Evaluation, *, lang: str = "en") -> str:
    """Parallel trends before the action: the difference in slope per month, with its interval."""
    if ev.pretrend is None:
        return ""
    p = ev.pretrend
    flat = p.low <= 0 <= p.high
    treated = t(EV.scope_name(ev.action, "treated"), lang, NS)
    if ev.log:
        text = t("pretrend_log", lang, NS, slope=_signed(EV.percent(p.effect)), low=_signed(EV.percent(p.low)),
                 high=_signed(EV.percent(p.high)), level=p.level, start=ev.action.start, treated=treated)
    else:
        slope, low, high = (num.change(x, ev.unit, lang, digits=2) for x in (p.effect, p.low, p.high))
        text = t("pretrend_diff", lang, NS, slope=slope, low=low, high=high, level=p.level, start=ev.action.start,
                 treated=treated)
    return text + t("pretrend_flat" if flat else "pretrend_drift", lang, NS)


def describe_its(ev: Evaluation, *, lang: str = "en") -> str:
    """The interrupted time series in words: the jump, the change of slope, and the caveat."""
    if ev.design != "its" or ev.result is None:
        return ""
    r = ev.result
    return t("its_detail", lang, NS, kpi=ev.entry.title(lang), start=ev.action.start,
             slope=_value(r.slope.effect, ev.unit, lang, signed=True), slope_low=_signed(r.slope.low),
             slope_high=_signed(r.slope.high), before=r.periods_before, after=r.periods_after,
             trend=_value(r.trend.effect, ev.unit, lang, signed=True))


def by_hand_table(ev: Evaluation, *, lang: str = "en") -> pd.DataFrame:
    """The 2×2 table behind a difference in differences (:func:`csa.evaluation.four_means`): mean (of the
    log minutes for times on the log scale, three decimals; else on the KPI's scale) and n per cell, each
    group's change, and the difference of the changes."""
    check_lang(lang)
    m = EV.four_means(ev)
    d = 3 if ev.log else 1
    cols = [t("col_before", lang, NS, start=ev.action.start), t("col_after", lang, NS, start=ev.action.start),
            t("col_change", lang, NS)]
    out = {}
    for tr, r in m.iterrows():
        name = t(EV.scope_name(ev.action, "treated"), lang, NS) if tr else t("comparison_group", lang, NS)
        out[name] = [f"{_num(r['before'], d)} (n = {num.number(r['n_before'], 0)})",
                     f"{_num(r['after'], d)} (n = {num.number(r['n_after'], 0)})", _signed(r["change"], d)]
    tab = pd.DataFrame(out, index=cols).T
    tab.loc[t("did_row", lang, NS)] = ["", "", _signed(ev.result.by_hand, d)]
    return tab


def trends_table(ev: Evaluation, *, lang: str = "en", min_n: int = 30) -> pd.DataFrame:
    """Per month and group, the mean on the KPI's scale (geometric mean minutes for times) with its interval
    (:func:`csa.evaluation.kpi_scale_trends`), the groups named in ``lang``."""
    tab = EV.kpi_scale_trends(ev, min_n=min_n)
    tab["group"] = [t(g, lang, NS) for g in tab["group"]]
    return tab


def _mark(ev: Evaluation, lang: str) -> dict[str, str]:
    return {"mark": str(ev.action.start), "mark_label": t("mark", lang, NS, start=ev.action.start)}


def trend_labels(ev: Evaluation, *, lang: str = "en") -> dict[str, str]:
    """Title, axis labels and the action's mark for the parallel-trends chart, in ``lang``."""
    treated = t(EV.scope_name(ev.action, "treated"), lang, NS)
    return {"title": t("title_trends", lang, NS, kpi=ev.entry.title(lang), treated=treated),
            "ylabel": t("ylabel_geo_minutes" if ev.log else "ylabel_minutes" if ev.unit == "minutes" else "ylabel_pct",
                        lang, NS), "xlabel": t("month", lang, NS),
            **_mark(ev, lang)}


def event_labels(ev: Evaluation, *, lang: str = "en") -> dict[str, str]:
    """Title and axis labels of the event-study chart, in ``lang``."""
    return {"title": t("title_events", lang, NS, kpi=ev.entry.title(lang), ref=ev.action.start - 1),
            "ylabel": t("ylabel_events_log" if ev.log else "ylabel_events_minutes" if ev.unit == "minutes" else
                        "ylabel_events_points", lang, NS),
            "xlabel": t("month", lang, NS)}


def its_labels(ev: Evaluation, *, lang: str = "en") -> dict[str, Any]:
    """Title, axis labels and the action's mark for the interrupted-time-series chart, in ``lang``; the
    counterfactual (the earlier trend carried on) dashed."""
    unit = "ylabel_pct" if ev.entry.unit == "%" else "ylabel_value"
    return {"title": t("title_its", lang, NS, kpi=ev.entry.title(lang), start=ev.action.start),
            "ylabel": t(unit, lang, NS), "xlabel": t("month", lang, NS), **_mark(ev, lang),
            "dashed": (t("its_counterfactual", lang, NS),)}


def event_table(ev: Evaluation) -> pd.DataFrame:
    """The event study with text periods, for :func:`csa.display.charts.trend` (value ``effect``)."""
    tab = ev.events.copy()
    tab["time"] = tab["time"].astype(str)
    return tab


def its_table(ev: Evaluation, *, lang: str = "en") -> pd.DataFrame:
    """Observed (with its interval), fitted and counterfactual values per month of an interrupted time
    series, in long form for :func:`csa.display.ops.group_trends`; the counterfactual is drawn from the
    last month before the start on (before it, it is the fitted line)."""
    f = ev.result.fitted
    month = f["time"].astype(str)
    start = pd.Period(ev.action.start, freq="M")
    late = (f["time"] >= start - 1).to_numpy()
    nan = np.full(len(f), np.nan)
    parts = [pd.DataFrame({"month": month, "group": t("its_observed", lang, NS), "value": f["mean"], "low": f["low"],
                           "high": f["high"], "n": f["n"]}),
             pd.DataFrame({"month": month, "group": t("its_fitted", lang, NS), "value": f["fitted"], "low": nan,
                           "high": nan, "n": f["n"]}),
             pd.DataFrame({"month": month[late], "group": t("its_counterfactual", lang, NS),
                           "value": f["counterfactual"][late], "low": nan[late], "high": nan[late],
                           "n": f["n"][late]})]
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------------- next targets

def next_targets_table(c: Cycle, *, lang: str = "en") -> pd.DataFrame:
    """Every KPI or KGI that met its target: value, interval, target, and the proposed next target."""
    check_lang(lang)
    rows = []
    for r in c.scorecard.rows:
        if r["status"] != "met":
            continue
        e = c.registry.entry(r["id"])
        pr = r.get("proposal")
        rows.append({t("col_name", lang, NS): e.title(lang),
                     t("col_value", lang, NS): _value(r["value"], e.unit, lang),
                     t("col_interval", lang, NS, level=c.level): f"[{_value(r['low'], e.unit, lang)}, "
                                                                 f"{_value(r['high'], e.unit, lang)}]",
                     t("col_target", lang, NS): _target(e, lang),
                     t("col_proposal", lang, NS): "—" if pr is None else t(
                         "target_higher" if e.direction == "higher" else "target_lower", lang, NS,
                         value=_value(pr["value"], e.unit, lang)) + t("target_by", lang, NS, deadline=pr["deadline"])})
    cols = [t("col_name", lang, NS), t("col_value", lang, NS), t("col_interval", lang, NS, level=c.level),
            t("col_target", lang, NS), t("col_proposal", lang, NS)]
    return pd.DataFrame(rows, columns=cols).set_index(t("col_name", lang, NS))


def describe_next(c: Cycle, *, lang: str = "en", horizon: int = 6, prob: float = 0.8) -> str:
    """What the proposals mean, or that no KPI has met its target yet."""
    met = [r for r in c.scorecard.rows if r["status"] == "met"]
    if not met:
        return t("next_none", lang, NS, period=c.label)
    return t("next_intro", lang, NS, n=len(met), horizon=horizon, prob=prob)


# ----------------------------------------------------------------------------------- headline

def headline_records(c: Cycle, evals: list[Evaluation], *, level: float = 0.95) -> list[dict]:
    """The report index's records: each action's effect, a figure of this section (not a catalogue KPI: the
    registry's KPIs are the scorecard's, which opens the index). A time's effect is a percent change."""
    recs = []
    for ev in evals:
        if ev.effect is None:
            continue
        value, low, high = ev.reported
        title = {lang: t("record_effect", lang, NS, action=ev.action.title(lang), kpi=ev.entry.title(lang),
                         design=t(f"design_short_{ev.design}", lang, NS)) for lang in ("en", "ja")}
        rec = H.record(f"kpi_cycle_effect_{ev.action.id}_{ev.entry.id}", title, c.label, value=value, low=low,
                       high=high, n=ev.effect.n, unit=ev.unit, direction=ev.entry.direction, level=ev.effect.level,
                       min_n=0)
        recs.append({**rec, "engine": ev.engine})  # where the rows behind it were read
    return recs


def training_table(registry: R.Registry, *, lang: str = "en") -> pd.DataFrame:
    """Step 5's training notes: each catalogue KPI the registry measures, once, with its name in both languages,
    KPI or KGI, its definition (:data:`csa.KPIS`, the glossary's), how the registry measures it (its
    parameters) and the notebook that teaches it."""
    check_lang(lang)
    other = "ja" if lang == "en" else "en"
    rows, seen = [], set()
    for e in registry.entries:
        if e.spec is None or e.measure in seen:
            continue
        seen.add(e.measure)
        k = KPIS[e.measure]
        try:
            where = f"{notebook(k.section).file}.ipynb"
        except KeyError:  # a section the notebooks index does not list
            where = ""
        rows.append({t("col_name", lang, NS): k.title(lang), t(f"col_name_{other}", lang, NS): k.title(other),
                     t("col_kind", lang, NS): t(f"kind_{k.kind}", lang, NS),
                     t("col_definition", lang, NS): k.definition[lang],
                     t("col_measured_as", lang, NS): ", ".join(registry.entry(x.id).title(lang) for x in
                                                               registry.entries if x.measure == e.measure),
                     t("col_notebook", lang, NS): where})
    return pd.DataFrame(rows).set_index(t("col_name", lang, NS))


def load_registry(registry: str = "", data_dir: str = "") -> R.Registry:
    """The registry the notebook reads: ``registry`` when given, else ``registry.yaml`` beside the data,
    else, for the bundled sample only, its example registry (:func:`csa.registry.example_path`).

    Other data without a registry raise :class:`FileNotFoundError` saying where to put one: the
    sample's targets are never scored against another company's data.
    """
    from ..datasets import sample_dir

    found = SC.resolve_registry(registry, data_dir or sample_dir())
    if found is None:
        raise FileNotFoundError(f"no KPI registry for the data in {data_dir}: put a {SC.REGISTRY_FILE} in that "
                                "folder (data/registry.yaml shows the format), or give registry=FILE")
    return R.load(found)


def is_sample(data_dir: str) -> bool:
    """Whether the notebook runs on the bundled sample (its planted effects can then be checked)."""
    from ..datasets import sample_dir

    try:
        return not data_dir or Path(data_dir).resolve() == sample_dir().resolve()
    except FileNotFoundError:
        return False
