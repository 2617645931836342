"""csa.evaluation: the registry's actions evaluated on the sample (the osaka training recovered where it was
planted, the FAQ rewrite read as a time series), pinned to hand computations and to csa.metrics.did on every
row, the same on DuckDB as on pandas; and the KPI-cycle view's words and records built on it."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csa import evaluation as E
from csa import headline as H
from csa import registry as R
from csa import scorecard as SC
from csa.metrics import did as D
from csa.views import kpi_cycle as V

OCT = pd.Period("2026-10", "M")


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # the bundled sample, loaded once per session (tests/conftest.py); read only


@pytest.fixture(scope="module")
def reg():
    return R.load()


@pytest.fixture(scope="module")
def evals(ds, reg):
    return E.evaluations(ds, reg, until=OCT)


@pytest.fixture(scope="module")
def calendar_frt(ds, reg):
    """The osaka training on first response in calendar minutes (all positive: the log scale)."""
    calendar = _calendar(reg)
    return E.evaluate(ds, calendar, calendar.action("osaka_training"), "frt", until=OCT)


def _one(evals, action, kpi):
    return next(e for e in evals if e.action.id == action and e.entry.id == kpi)


def _calendar(reg):
    """The example registry with first response on the calendar clock, where the sample planted its ×0.55."""
    return R.Registry(reg.kgis, tuple(replace(k, params={**k.params, "clock": "calendar"}) if k.id == "frt" else k
                                      for k in reg.kpis), reg.actions, reg.path)


# ----------------------------------------------------------------------------------- the sample's actions

def test_the_osaka_training_is_recovered(ds, reg, evals, calendar_frt):
    # the sample multiplied first response times by 0.55 on the calendar clock: evaluated there, it is recovered
    frt = calendar_frt
    assert frt.design == "did" and frt.log and frt.cluster == "agent" and frt.effect.clusters == 18
    assert frt.effect.contains(math.log(0.55)), "the planted ×0.55 lies inside the interval"
    assert frt.pretrend.contains(0.0)
    assert "contains it" in V.describe_truth(frt, lang="en") and "含んでいます" in V.describe_truth(frt, lang="ja")
    business = _one(evals, "osaka_training", "frt")
    assert reg.entry("frt").resolved["clock"] == "business" and business.effect.high < 0, "on business hours too"
    assert V.describe_truth(business, lang="en") == "", "the truth was planted on the calendar clock only"
    fcr = _one(evals, "osaka_training", "fcr")
    assert fcr.design == "did" and not fcr.log and fcr.effect.contains(16.0) and fcr.effect.low > 8
    events = frt.events.set_index("time")
    before = events[events.index < pd.Period("2026-03", "M")]
    assert ((before["low"] < 0) & (before["high"] > 0)).mean() > 0.8
    assert (events[events.index >= pd.Period("2026-04", "M")]["high"] < 0).all()


def test_the_evaluation_reads_only_the_columns_it_needs_and_gets_the_same_fit(ds, reg, calendar_frt):
    """evaluate() asks for the scope, cluster and control columns only; the DiD on every column is the same."""
    frt = calendar_frt
    rows = SC.rows(ds, _calendar(reg).entry("frt"))
    rows = rows[rows["period"] <= OCT]
    rows = rows.assign(_treated=(rows["team"] == "osaka").to_numpy(), _after=(rows["period"] >= frt.action.start))
    full = D.did(rows, outcome="y", treated="_treated", after="_after", log=True, cluster="agent",
                 controls=frt.controls)
    assert frt.controls and full.n == frt.effect.n
    assert full.effect == pytest.approx(frt.effect.effect, rel=1e-12) and full.se == pytest.approx(frt.effect.se,
                                                                                                  rel=1e-9)
    y = np.log(rows["y"].where(rows["y"] > 0))
    by_hand = (pd.DataFrame({"group": np.where(rows["_treated"], "osaka", "comparison_group"),
                             "month": rows["period"].astype(str), "y": y}).dropna()
               .groupby(["group", "month"])["y"].agg(["size", "mean"]).reset_index())
    got = frt.trends
    assert got["group"].tolist() == by_hand["group"].tolist() and got["month"].tolist() == by_hand["month"].tolist()
    assert (got["n"].to_numpy() == by_hand["size"].to_numpy()).all()
    assert np.allclose(got["mean"], by_hand["mean"], rtol=1e-12)


def test_zero_business_minutes_keep_the_comparison_on_the_kpis_own_scale(ds, reg, evals):
    """A first response within the same closed stretch (a night, a weekend) takes 0 business minutes: no
    logarithm. The first response on business hours is then compared in minutes (the mean, as the registry
    reads the KPI), with every ticket — never by leaving the zeros out."""
    frt = _one(evals, "osaka_training", "frt")
    rows = SC.rows(ds, reg.entry("frt"), columns=["team", "agent", "channel", "priority"])
    rows = rows[rows["period"] <= OCT]
    assert (rows["y"] == 0).any() and not frt.log and frt.unit == "minutes"
    assert frt.effect.excluded == 0 and frt.effect.n == len(rows)
    full = D.did(rows.assign(_treated=(rows["team"] == "osaka").to_numpy(),
                             _after=(rows["period"] >= frt.action.start).to_numpy()),
                 outcome="y", treated="_treated", after="_after", log=False, cluster="agent", controls=frt.controls)
    assert full.effect == pytest.approx(frt.effect.effect, rel=1e-12) and frt.effect.high < 0
    assert "left out" not in V.describe_effect(frt, lang="en") and "min" in V.describe_effect(frt, lang="en")


def test_an_action_on_everyone_is_an_interrupted_time_series(evals):
    faq = _one(evals, "faq_rewrite", "gcr_self_service")
    assert faq.design == "its" and faq.effect.contains(0.0) and faq.result.periods_after == 4
    assert faq.cluster == "period" and faq.unit == "points"
    assert "cannot tell" in V.describe_effect(faq, lang="en")


def test_too_early_to_tell(ds, reg):
    early = E.evaluations(ds, reg, until=pd.Period("2026-03", "M"))
    assert {e.design for e in early} == {"none"} and {e.reason for e in early} == {"too_early"}
    assert all(e.effect is None and e.reported is None for e in early)
    tab = V.effects_table(early, lang="ja")
    assert set(tab["標準誤差"]) == {"時期尚早：開始後の月が足りません"}, "the reason in words, not its key"


def test_a_kpi_restricted_to_the_scope_is_evaluated_without_the_restriction(ds, reg):
    """The osaka team's FCR (``where: {team: osaka}``) is evaluated on FCR of every team: the same fit."""
    osaka = replace(reg.entry("fcr"), id="fcr_osaka", where={"team": ("osaka",)})
    own = R.Registry(reg.kgis, (*reg.kpis, osaka), reg.actions, reg.path)
    a = E.evaluate(ds, own, own.action("osaka_training"), "fcr_osaka", until=OCT, details=False)
    b = E.evaluate(ds, reg, reg.action("osaka_training"), "fcr", until=OCT, details=False)
    assert a.design == "did" and a.effect.effect == b.effect.effect and a.effect.n == b.effect.n


def test_a_kpi_without_rows_and_a_missing_table_are_said(ds, reg):
    a = reg.action("osaka_training")
    assert E.evaluate(ds, reg, a, "churn").reason == "no_rows"
    ev = E.evaluate(replace(ds, goals=None), reg, reg.action("faq_rewrite"), "gcr_self_service")
    assert ev.design == "none" and "goals" in ev.reason


# ----------------------------------------------------------------------------------- engines

def test_duckdb_gives_the_pandas_evaluations(ds, reg, evals):
    duck = E.evaluations(ds, reg, until=OCT, engine="duckdb")
    assert {e.engine for e in duck} == {"duckdb"}
    c = V.cycle(ds, reg, period="2026-10")
    recs = V.headline_records(c, duck)
    assert {r["engine"] for r in recs} == {"duckdb"}
    for got, want in zip(recs, V.headline_records(c, evals), strict=True):  # the pandas numbers
        assert (got["kpi"], got["n"]) == (want["kpi"], want["n"])
        assert [got[k] for k in ("value", "low", "high")] == pytest.approx([want[k] for k in ("value", "low", "high")],
                                                                            rel=1e-9)
    for a, b in zip(evals, duck, strict=True):
        assert (a.action.id, a.entry.id, a.design, a.cluster, a.controls) == \
            (b.action.id, b.entry.id, b.design, b.cluster, b.controls)
        for f in ("effect", "low", "high", "se", "p"):
            assert getattr(b.effect, f) == pytest.approx(getattr(a.effect, f), rel=1e-9, abs=1e-12), (a.entry.id, f)
        assert (b.effect.n, b.effect.excluded, b.effect.clusters) == (a.effect.n, a.effect.excluded,
                                                                      a.effect.clusters)
        if a.trends is not None:
            pd.testing.assert_frame_equal(b.trends, a.trends, rtol=1e-12)


def test_the_cycle_counts_its_histories_on_the_engine(ds, reg):
    a = V.cycle(ds, reg, period="2026-10")
    b = V.cycle(ds, reg, period="2026-10", engine="duckdb")
    for e in reg.entries:
        # the dtypes may differ (a sum column is Float64 from DuckDB, float64 from pandas); the numbers may not
        pd.testing.assert_frame_equal(b.histories[e.id], a.histories[e.id], rtol=1e-12, check_dtype=False)
        pd.testing.assert_frame_equal(b.reviews[e.id], a.reviews[e.id], rtol=1e-12, check_dtype=False)
    assert [r["status"] for r in b.scorecard.rows] == [r["status"] for r in a.scorecard.rows]
    assert {k: s.failed for k, s in b.smart.items()} == {k: s.failed for k, s in a.smart.items()}


# ----------------------------------------------------------------------------------- the pieces, by hand

def test_percent_and_scope_name():
    assert E.percent(math.log(0.55)) == pytest.approx(-45.0) and E.percent(0.0) == 0.0
    assert E.percent(math.log(2)) == pytest.approx(100.0)
    a = R.Action("t", {"en": "T"}, pd.Period("2026-04", "M"), ("frt",), {"en": "x"},
                 scope={"team": ("osaka", "tokyo")})
    assert E.scope_name(a, "treated") == "osaka/tokyo" and E.scope_name(a, "comparison") == "comparison_group"


def test_group_means_by_hand():
    from scipy import stats as st

    df = pd.DataFrame({"period": pd.PeriodIndex(["2026-02", "2026-01", "2026-01", "2026-01", "2026-02"], freq="M")})
    y = np.array([2.0, 1.0, 4.0, np.nan, 6.0])
    g = E.group_means(df, y, pd.Series([True, True, True, False, False]), level=0.9)
    assert g[["month", "group", "n"]].values.tolist() == [["2026-02", False, 1], ["2026-01", True, 2],
                                                          ["2026-02", True, 1]]
    r = g.iloc[1]
    half = st.t.ppf(0.95, 1) * np.std([1.0, 4.0], ddof=1) / math.sqrt(2)
    assert r["mean"] == 2.5 and (r["low"], r["high"]) == pytest.approx((2.5 - half, 2.5 + half), rel=1e-12)
    text = E.group_means(df.assign(period=df["period"].astype(str)), y, pd.Series(["a"] * 5))
    assert text["month"].tolist() == ["2026-01", "2026-02"] and text["n"].tolist() == [2, 2]


def test_four_means_are_the_cells_of_the_difference_in_differences(ds, reg, evals, calendar_frt):
    frt = calendar_frt
    m = E.four_means(frt)
    rows = SC.rows(ds, _calendar(reg).entry("frt"), columns=["team"])
    rows = rows[(rows["period"] <= OCT) & (rows["y"] > 0)]
    osaka, after = rows["team"] == "osaka", rows["period"] >= pd.Period("2026-04", "M")
    for tr, grp in ((True, osaka), (False, ~osaka)):
        before_y, after_y = np.log(rows.loc[grp & ~after, "y"]), np.log(rows.loc[grp & after, "y"])
        assert m.loc[tr, "before"] == pytest.approx(before_y.mean(), rel=1e-12)
        assert m.loc[tr, "after"] == pytest.approx(after_y.mean(), rel=1e-12)
        assert (m.loc[tr, "n_before"], m.loc[tr, "n_after"]) == (len(before_y), len(after_y))
    assert m["change"].tolist() == pytest.approx((m["after"] - m["before"]).tolist())
    assert m.loc[True, "change"] - m.loc[False, "change"] == pytest.approx(frt.result.by_hand, rel=1e-12)
    with pytest.raises(ValueError, match=r"this one is 'its'"):
        E.four_means(_one(evals, "faq_rewrite", "gcr_self_service"))


def test_kpi_scale_trends_are_geometric_means_in_minutes(evals, calendar_frt):
    frt = calendar_frt
    tab = E.kpi_scale_trends(frt, min_n=200)
    assert np.allclose(np.log(tab["mean"]), frt.trends["mean"], rtol=1e-12)
    assert np.allclose(np.log(tab["low"]), frt.trends["low"], rtol=1e-12)
    assert tab["small_n"].tolist() == (frt.trends["n"] < 200).tolist()
    fcr = _one(evals, "osaka_training", "fcr")
    assert np.array_equal(E.kpi_scale_trends(fcr)["mean"], fcr.trends["mean"]), "shares stay as they are"


def test_reported_is_a_percent_change_for_times_and_points_for_shares(evals, calendar_frt):
    frt, fcr = calendar_frt, _one(evals, "osaka_training", "fcr")
    e = frt.effect
    pct = [100 * (math.exp(x) - 1) for x in (e.effect, e.low, e.high)]
    assert frt.unit == "%" and frt.reported == pytest.approx(tuple(pct))
    business = _one(evals, "osaka_training", "frt")
    assert business.unit == "minutes" and business.reported == (business.effect.effect, business.effect.low,
                                                                business.effect.high)
    assert fcr.unit == "points" and fcr.reported == (fcr.effect.effect, fcr.effect.low, fcr.effect.high)


# ----------------------------------------------------------------------------------- the KPI-cycle view

def test_headline_records(ds, reg, evals):
    c = V.cycle(ds, reg, period="2026-10")
    recs = V.headline_records(c, evals)
    for r in recs:
        H.validate(r)
    by = {r["kpi"]: r for r in recs}
    assert not any(k.startswith("kpi_cycle_met") for k in by), "the counts are the scorecard's: not repeated"
    assert len(recs) == len(evals), "one effect per action and KPI"
    for ev in evals:
        r = by[f"kpi_cycle_effect_{ev.action.id}_{ev.entry.id}"]
        assert (r["value"], r["low"], r["high"]) == pytest.approx(ev.reported) and r["n"] == ev.effect.n
        assert r["unit"] == ev.unit and not H.is_kpi(r), "a fact of this section, not a catalogue KPI"
        assert r["engine"] == "pandas"
    frt = by["kpi_cycle_effect_osaka_training_frt"]
    assert frt["unit"] == "minutes" and frt["high"] < 0
    assert all(r["title"]["ja"] for r in recs)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_views_numbers_carry_the_handbooks_minus_sign(evals, lang):
    frt = _one(evals, "osaka_training", "frt")
    tab = V.by_hand_table(frt, lang=lang)
    text = " ".join(tab.to_numpy().ravel()) + V.describe_effect(frt, lang=lang) + V.describe_pretrend(frt, lang=lang)
    assert "\u2212" in text and not re.search(r"(?<![\d\w])-\d", text), "U+2212, never a hyphen"
    assert tab.iloc[-1, -1] == V._signed(frt.result.by_hand, 3 if frt.log else 1)
    effects = V.effects_table(evals, lang=lang)
    assert "\u2212" in effects.iloc[0, 1] and "-" not in "".join(effects.iloc[:, 1])


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_training_notes_are_the_catalogues(reg, lang):
    from csa import KPIS
    from csa.labels import Labels

    L = Labels("kpi_cycle", lang)
    tab = V.training_table(reg, lang=lang)
    measured = list(dict.fromkeys(e.measure for e in reg.entries if e.measure))
    assert tab.index.tolist() == [KPIS[k].title(lang) for k in measured], "each KPI of the registry once"
    assert tab[L("col_definition")].tolist() == [KPIS[k].definition[lang] for k in measured]
    assert tab[L("col_kind")].tolist() == [L(f"kind_{KPIS[k].kind}") for k in measured]
    for f in tab[L("col_notebook")]:
        assert (Path(__file__).resolve().parents[1] / "notebooks" / f).exists(), f
