"""The KPI registry: the validator on bad registries, the SMART rules, the status rules and the next-target proposal
on constructed cases, each pinned to a hand computation or to statsmodels / csa.stats."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as st

from csa import stats as S
from csa.errors import DataError
from csa.registry import (
    Entry,
    RegistryError,
    example_path,
    load,
    loads,
    propose_target,
    smart,
    status,
    trend,
)

GOOD = """
version: 1
kgis:
  - id: churn
    name: {en: Churn, ja: 解約率}
    measure: churn
    owner: CS
    target: 2.0
    deadline: 2027-03
kpis:
  - id: fcr
    name: {en: FCR, ja: 一次解決率}
    measure: fcr
    params: {definition: one_touch}
    owner: {en: Support lead, ja: サポートリーダー}
    drives: [churn]
    target: 62
    deadline: 2026-12
    since: 2026-01
actions:
  - id: training
    name: {en: Training, ja: 研修}
    start: 2026-04
    scope: {team: osaka}
    kpis: [fcr]
    owner: Lead
"""


def _problems(text: str) -> list:
    with pytest.raises(RegistryError) as exc:
        loads(text, source="mine.yaml")
    return exc.value.problems


def _entry(**kw) -> Entry:
    base = dict(id="fcr", kind="kpi", name={"en": "FCR", "ja": "FCR"}, measure="fcr",
                params={"definition": "one_touch"}, where={}, unit="%", direction="higher",
                owner={"en": "x", "ja": "x"}, drives=("churn",), target=60.0, deadline=pd.Period("2026-12", "M"))
    base.update(kw)
    return Entry(**base)


def _history(values, *, start="2026-01", n=1000, half=3.0, sd=None, p=None, d=None) -> pd.DataFrame:
    v = np.asarray(values, dtype=float)
    h = pd.DataFrame({"period": pd.period_range(start, periods=len(v), freq="M"), "n": n, "value": v,
                      "low": v - half, "high": v + half})
    h["sd"], h["promoters"], h["detractors"] = sd, p, d
    return h


# ----------------------------------------------------------------------------------- loading

def test_the_example_registry_loads():
    reg = load()
    assert reg.example and reg.path == "registry.yaml" and load(example_path()).example
    assert [k.id for k in reg.kgis] == ["churn", "sla", "complaints"]
    assert {k.id for k in reg.kpis} >= {"frt", "fcr", "csat", "nps_relationship"}
    assert reg.entry("fcr").unit == "%" and reg.entry("fcr").direction == "higher"
    assert reg.entry("frt").key == ("frt{clock=business,closed=12-29..01-03,holidays=JP,hours=09:00-18:00,"
                                    "statistic=mean}")
    assert reg.entry("frt").direction == "lower" and reg.entry("frt").unit == "minutes"
    assert reg.entry("sla").params["targets"] == {"urgent": 1.0, "high": 4.0, "normal": 8.0, "low": 24.0}
    a = reg.action("osaka_training")
    assert a.start == pd.Period("2026-04", "M") and a.scope == {"team": ("osaka",)} and a.has_comparison
    assert not reg.action("faq_rewrite").has_comparison
    assert [k.id for k in reg.drivers("sla")] == ["frt"]


def test_a_good_registry_and_bilingual_owners():
    reg = loads(GOOD)
    e = reg.entry("fcr")
    assert e.owner_in("ja") == "サポートリーダー" and reg.entry("churn").owner_in("ja") == "CS"
    assert e.since == pd.Period("2026-01", "M") and e.review == "month" and reg.entry("churn").review == "fiscal_year"
    assert e.section == "resolution" and reg.entry("churn").section == "churn"  # FCR: the resolution part
    with pytest.raises(KeyError, match="known: churn, fcr"):
        reg.entry("nps")


def test_every_problem_is_listed_at_once_with_its_line():
    text = """
kgis:
  - id: churn
    name: {en: Churn, ja: 解約率}
    measure: churn
    owner: CS
    drives: [fcr]
kpis:
  - id: fcr
    name: {en: FCR}
    measure: fcrr
    owner: Support
    target: 62
  - id: Bad-Id
    name: {en: X, ja: X}
    measure: fcr
    params: {definiton: one_touch}
    owner: Support
  - id: frt
    name: {en: FRT, ja: 初回応答時間}
    measure: frt
    direction: higher
    target: 120
    deadline: 2026-13
    owner: ""
  - id: nps
    name: {en: NPS, ja: NPS}
    measure: nps
    owner: CS
    target: 150
    drives: [churn, fcr, retention]
    target_value: 3
actions:
  - id: training
    name: {en: T, ja: T}
    start: April
    kpis: [fcr, nope]
    owner: Lead
"""
    problems = _problems(text)
    text_of = [str(p) for p in problems]
    joined = "\n".join(text_of)
    expected = [
        "unknown key 'drives' (a KGI is the goal",                    # drives on a KGI
        "name needs a text in both languages",                         # FCR without ja
        "'fcrr' is not a KPI of the catalogue",
        "id must be a short name in lower case",                       # Bad-Id
        "fcr has no parameter 'definiton'",                            # a typo in params
        "for frt, lower is better; direction: 'higher' contradicts",
        "deadline must be a month like 2026-12; got '2026-13'",
        "no owner",
        "target 150 is outside what nps can take (-100 to 100)",
        "unknown key 'target_value'",
        "start must be the first month of the action",
        "names 'nope', which is not a KPI or KGI",
    ]
    for e in expected:
        assert e in joined, e
    assert all(p.file == "mine.yaml" and p.fix for p in problems)
    by_message = {p.message.split(";")[0]: p for p in problems}
    assert by_message["'fcrr' is not a KPI of the catalogue"].line == 11
    assert by_message["unknown key 'target_value'"].line == 32
    want = "mine.yaml, line 11, kpis › fcr › measure: 'fcrr' is not a KPI of the catalogue"
    assert want in text_of[[p.message for p in problems].index("'fcrr' is not a KPI of the catalogue")]
    assert isinstance(RegistryError(problems), DataError)


def test_references_between_entries_are_checked():
    text = GOOD.replace("drives: [churn]", "drives: [churn, fcr, retention]").replace("kpis: [fcr]", "kpis: [fcr, nps]")
    msgs = [p.message for p in _problems(text)]
    assert "drives 'fcr', which is not a KGI of the registry (it is a KPI: KPIs drive KGIs)" in msgs
    assert "drives 'retention', which is not a KGI of the registry" in msgs
    assert "names 'nps', which is not a KPI or KGI of the registry" in msgs


def test_duplicate_ids_and_duplicate_keys():
    text = GOOD.replace("  - id: fcr\n", "  - id: churn\n")
    assert any("id 'churn' is used twice (also in kgis)" in p.message for p in _problems(text))
    text = GOOD.replace("    target: 62\n", "    target: 62\n    target: 65\n")
    (p,) = _problems(text)
    assert "'target' is given twice" in p.message and p.line == 18


@pytest.mark.parametrize("text,message", [
    ("kpis: [\n  {id: fcr\n", "not valid YAML"),
    ("", "the registry is empty or not a mapping"),
    ("- 1\n- 2\n", "the registry is empty or not a mapping"),
    ("kgis: []\n", "no KPIs"),
    ("kpis: {id: fcr}\n", "'kpis:' must be a list of entries"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a}]\n", "neither a measure nor a record"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a, record: support_cpi}]\n", "needs its unit"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a, measure: sla, params: {hours: 9-18}}]\n",
     "opening hours like \"09:00-18:00\" (in quotes in YAML)"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a, measure: frt, unit: hours}]\n", "frt is measured in 'minutes'"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a, measure: fcr, params: {definition: fast}}]\n",
     "definition = 'fast' is not one of: one_touch, zendesk, exactly_one, all_contacts"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a, measure: fcr, target: 60%}]\n", "target must be a number"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a, measure: fcr, review: weekly}]\n", "review must be one of"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a, measure: fcr, deadline: 2026-06, since: 2026-09}]\n",
     "since (2026-09) is after the deadline (2026-06)"),
    ("version: 2\nkpis: [{id: x, name: {en: X, ja: X}, owner: a, measure: fcr}]\n", "version 2"),
    ("kpi: []\n", "unknown section 'kpi'"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a, measure: fcr, metric: fcr}]\n", "both 'measure' and 'metric'"),
    ("kpis: [{id: x, name: {en: X, ja: X}, owner: a, metric: fcrr}]\n", "kpis › x › metric: 'fcrr' is not a KPI"),
])
def test_bad_registries(text, message):
    assert any(message in str(p) for p in _problems(text)), [str(p) for p in _problems(text)]


def test_a_record_only_entry_and_a_missing_file(tmp_path):
    reg = loads("kpis: [{id: cpi, name: {en: CPI, ja: CPI}, owner: a, record: support_cpi, unit: JPY, "
                "direction: lower, target: 3000}]\n")
    e = reg.entry("cpi")
    assert e.measure is None and e.record == "support_cpi" and e.unit == "JPY" and e.spec is None
    with pytest.raises(FileNotFoundError, match="KPI registry not found"):
        load(tmp_path / "nope.yaml")
    bad = tmp_path / "cp932.yaml"
    bad.write_bytes("kpis: [{id: x, name: {en: 解約, ja: 解約}}]".encode("cp932"))
    with pytest.raises(RegistryError, match="not UTF-8"):
        load(bad)


# ----------------------------------------------------------------------------------- SMART

def test_smart_all_letters_pass_and_the_sample_size_is_the_planner_s():
    reg = loads(GOOD)
    h = _history([55, 56, 57, 58, 59, 60], n=1200, half=2.8)
    s = smart(reg.entry("fcr"), reg, h, period=pd.Period("2026-06", "M"))
    assert s.ok and s.failed == []
    m = s.checks["M"]
    assert m.why == "enough" and m.values["base"] == 55 and m.values["step"] == 7
    assert m.values["need"] == S.sample_size_proportions(0.55, 0.62) and m.values["n"] == 1200
    a = s.checks["A"]
    se = 2.8 / st.norm.ppf(0.975)
    assert a.why == "within_history" and a.values["from_now"] == pytest.approx((62 - 60) / se)
    assert s.checks["R"].values["kgis"] == "churn" and s.checks["T"].values["months"] == 6


def test_smart_failures_have_their_reasons():
    reg = loads(GOOD.replace("    params: {definition: one_touch}\n", "").replace("drives: [churn]", "drives: []")
                .replace("target: 62", "target: 75").replace("deadline: 2026-12", "deadline: 2026-03"))
    h = _history([55, 56, 57, 58, 59, 60], n=50, half=6.9)
    s = smart(reg.entry("fcr"), reg, h, period=pd.Period("2026-06", "M"))
    assert s.failed == ["S", "M", "A", "R", "T"]
    assert s.checks["S"].why == "no_definition" and s.checks["S"].values["missing"] == ["definition"]
    assert s.checks["M"].why == "too_few" and s.checks["M"].values["need"] == S.sample_size_proportions(0.55, 0.75)
    se = 6.9 / st.norm.ppf(0.975)
    assert s.checks["A"].why == "beyond_best" and s.checks["A"].values["beyond_best"] == pytest.approx(15 / se)
    assert s.checks["R"].why == "drives_nothing"
    assert s.checks["T"].why == "deadline_passed" and s.checks["T"].values["months"] == -3
    kgi = smart(reg.entry("churn"), reg, h, period=pd.Period("2026-06", "M"))
    assert kgi.checks["R"].why == "driven_by_nothing"


def test_smart_measurable_sees_gaps_and_missing_data():
    reg = loads(GOOD)
    e = reg.entry("fcr")
    gaps = _history([50, np.nan, 52, np.nan], n=500)
    gaps.loc[gaps["value"].isna(), "n"] = 0
    assert smart(e, reg, gaps, period=pd.Period("2026-04", "M")).checks["M"].values["empty"] == 2
    assert smart(e, reg, gaps, period=pd.Period("2026-04", "M")).checks["M"].why == "gaps"
    empty = _history([np.nan] * 3, n=0)
    s = smart(e, reg, empty, period=pd.Period("2026-03", "M"))
    assert s.checks["M"].why == "no_data" and s.checks["A"].why == "no_history"


def test_smart_for_nps_and_times_uses_their_planners():
    reg = loads(GOOD.replace("measure: fcr\n    params: {definition: one_touch}",
                             "measure: nps\n    params: {touchpoint: relationship}")
                .replace("target: 62", "target: -10"))
    h = _history([-20.0, -19, -21], n=500, half=7.0, p=0.22 * 500, d=0.42 * 500)  # NPS counts
    m = smart(reg.entry("fcr"), reg, h, period=pd.Period("2026-03", "M")).checks["M"]
    assert m.values["need"] == S.sample_size_nps(10.0, promoters=0.22, detractors=0.42)
    reg = loads(GOOD.replace("measure: fcr\n    params: {definition: one_touch}",
                             "measure: frt\n    params: {clock: calendar, statistic: mean}").replace("target: 62",
                                                                                                   "target: 150"))
    h = _history([180.0, 178, 176], n=1200, half=20.0, sd=350.0)
    m = smart(reg.entry("fcr"), reg, h, period=pd.Period("2026-03", "M")).checks["M"]
    assert m.values["need"] == S.sample_size_means(30.0, 350.0) and m.why == "too_few"


# ----------------------------------------------------------------------------------- trend and status

def test_trend_equals_statsmodels_ols():
    h = _history([50, 52, 51, 55, 56, 58, 57, 60])
    tr = trend(h)
    x = np.arange(8) - 7.0
    ref = sm.OLS(h["value"].to_numpy(), sm.add_constant(x)).fit()
    assert tr.slope == pytest.approx(ref.params[1]) and tr.se == pytest.approx(ref.bse[1])
    assert tr.now == pytest.approx(ref.params[0]) and tr.se_now == pytest.approx(ref.bse[0])
    assert tr.cov == pytest.approx(ref.cov_params()[0, 1]) and tr.resid_sd == pytest.approx(math.sqrt(ref.scale))
    value, se = tr.at(3)
    pred = ref.get_prediction(np.array([[1.0, 3.0]]))
    assert value == pytest.approx(pred.predicted_mean[0]) and se == pytest.approx(pred.se_mean[0])
    assert trend(h, since=pd.Period("2026-05", "M")).periods == 4
    assert trend(h, since=pd.Period("2026-07", "M")).periods == 8, "fewer than 3 periods since: the window is used"
    assert trend(h.head(2)) is None


def test_status_met_only_when_the_interval_clears_the_target():
    e = _entry(target=60.0)
    p = pd.Period("2026-10", "M")
    assert status(e, 63.0, 60.0, 66.0, period=p)[0] == "met"
    assert status(e, 63.0, 59.9, 66.1, period=p)[0] == "at_risk"
    low = _entry(direction="lower", unit="minutes", target=160.0)
    assert status(low, 150.0, 140.0, 160.0, period=p)[0] == "met"
    assert status(low, 150.0, 140.0, 161.0, period=p)[0] == "at_risk"
    assert status(e, None, None, None, period=p)[0] == "no_data"
    assert status(_entry(target=None), 50.0, 45.0, 55.0, period=p)[0] == "no_target"


def test_status_at_and_after_the_deadline():
    e = _entry(target=60.0, deadline=pd.Period("2026-10", "M"))
    assert status(e, 55.0, 52.0, 58.0, period=pd.Period("2026-10", "M")) == ("missed", {"why": "deadline_short",
                                                                                       "periods_left": 0})
    assert status(e, 58.0, 55.0, 61.0, period=pd.Period("2026-11", "M"))[0] == "at_risk"
    assert status(_entry(deadline=None), 50.0, 45.0, 55.0, period=pd.Period("2026-10", "M"))[1]["why"] == "no_deadline"


def test_status_before_the_deadline_follows_the_trend_and_its_interval():
    e = _entry(target=60.0, deadline=pd.Period("2027-04", "M"))
    p = pd.Period("2026-10", "M")
    rising = _history([50, 51, 52, 53, 54, 55.2], start="2026-05")
    key, info = status(e, 55.2, 52.0, 58.0, period=p, trend=trend(rising))
    tr = trend(rising)
    assert key == "on_track" and info["projected"] == pytest.approx(tr.at(6)[0]) and info["periods_left"] == 6
    flat = _history([50, 50.5, 49.5, 50.2, 49.8, 50.1], start="2026-05")
    key, info = status(e, 50.1, 47.0, 53.0, period=p, trend=trend(flat))
    best = trend(flat).at(6)[0] + st.t.ppf(0.975, 4) * trend(flat).at(6)[1]
    assert key == "missed" and info["why"] == "trend_short" and info["projected_best"] == pytest.approx(best)
    noisy = _history([50, 56, 49, 57, 51, 55], start="2026-05")
    assert status(e, 55.0, 52.0, 58.0, period=p, trend=trend(noisy))[0] == "at_risk"
    assert status(e, 55.0, 52.0, 58.0, period=p, trend=None)[1]["why"] == "no_trend"
    quarter = status(e, 55.2, 52.0, 58.0, period=pd.Period("2026Q4", "Q-DEC"), trend=None)
    assert quarter[1]["periods_left"] == 2


# ----------------------------------------------------------------------------------- next target

def test_propose_target_flat_level_by_hand():
    e = _entry(target=60.0)
    values = [66.6, 69.1, 69.7, 73.2, 65.2, 67.1, 66.5]
    prop = propose_target(e, _history(values, start="2026-04"), period=pd.Period("2026-10", "M"))
    v = np.array(values)
    expected = v.mean() - st.t.ppf(0.8, 6) * v.std(ddof=1) * math.sqrt(1 + 1 / 7)
    assert prop.value == round(expected, 1) and prop.deadline == pd.Period("2027-04", "M") and prop.raise_
    lower = propose_target(_entry(direction="lower", unit="minutes", target=200.0),
                           _history(values, start="2026-04"), period=pd.Period("2026-10", "M"))
    assert lower.value == round(v.mean() + st.t.ppf(0.8, 6) * v.std(ddof=1) * math.sqrt(1 + 1 / 7), 1)


def test_propose_target_follows_a_real_trend_and_stays_in_scale():
    e = _entry(target=90.0)
    values = [90, 92, 94, 96, 97.5, 99]
    h = _history(values, start="2026-05", half=1.0)
    tr = trend(h)
    assert not tr.flat()
    prop = propose_target(e, h, period=pd.Period("2026-10", "M"), horizon=6)
    mean, se = tr.at(6)
    raw = mean - st.t.ppf(0.8, 4) * math.sqrt(se**2 + tr.resid_sd**2)
    assert prop.value == round(min(raw, 100.0), 1) <= 100.0
    assert propose_target(e, h.head(2), period=pd.Period("2026-06", "M")) is None



def test_review_periods_before_a_kpis_first_observation_are_not_gaps(sample_ds):
    """The relationship survey's first wave is in the sample's second fiscal year: the fiscal year the data only
    ends in is not a review period without data (the M letter fails, if at all, for too few answers)."""
    from csa.views import kpi_cycle as V

    c = V.cycle(sample_ds, load(example_path()), period="2026-10")
    m = c.smart["nps_relationship"].checks["M"]
    assert m.why != "gaps" and m.values["empty"] == 0


def test_the_example_registry_passes_its_own_smart_check(sample_ds):
    """The sample's targets are examples of good practice: every entry passes all five letters in the report month
    (the relationship NPS target is set for a fiscal year against the one before, a step its answers can see)."""
    from csa.views import kpi_cycle as V

    c = V.cycle(sample_ds, load(example_path()), period="2026-10")
    failed = {k: s.failed for k, s in c.smart.items() if s.failed}
    assert not failed
    m = c.smart["nps_relationship"].checks["M"]
    assert m.values["base_period"] == "FY2025" and m.values["n"] >= m.values["need"]
