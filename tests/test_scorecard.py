"""The scorecard: KPI histories pinned to hand computations on the sample, statuses, records, the HTML fragment
and the report helpers. The evaluation of the registry's actions (the osaka training recovered) is tested in
tests/test_evaluation.py."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import csa
from csa import headline as H
from csa import registry as R
from csa import scorecard as SC

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


@pytest.fixture(scope="module")
def reg():
    return R.load()


@pytest.fixture(scope="module")
def card(ds, reg):
    return SC.build(reg, ds=ds, period="2026-10")


def _osaka(reg):
    """FCR of one team: the registry's FCR entry restricted with ``where``."""
    from dataclasses import replace
    return replace(reg.entry("fcr"), id="fcr_osaka", where={"team": ("osaka",)})


def _month(ts: pd.Series) -> pd.Series:
    return ts.dt.tz_localize(None).dt.to_period("M")


# ----------------------------------------------------------------------------------- histories

def test_fcr_of_one_team_by_hand(ds, reg):
    h = SC.measure(ds, _osaka(reg)).set_index("period")
    tk = ds.tickets[(ds.tickets["team"] == "osaka") & (ds.tickets["status"] == "solved")]
    ok = (tk["agent_replies"] <= 1) & ~tk["reopened"].astype(bool)
    by = ok.groupby(_month(tk["created_at"])).agg(["size", "mean"])
    assert (h["n"] == by["size"]).all() and np.allclose(h["value"], 100 * by["mean"], rtol=0, atol=1e-9)
    assert len(h) == 24 and h.index[0] == pd.Period("2024-11", "M")


@pytest.mark.parametrize("clock", ["calendar", "business"])
def test_first_response_time_mean_by_hand(ds, reg, clock):
    from dataclasses import replace
    e = reg.entry("frt")
    h = SC.measure(ds, replace(e, params={**e.params, "clock": clock})).set_index("period")
    tk = ds.tickets
    if clock == "calendar":
        minutes = (tk["first_response_at"] - tk["created_at"]).dt.total_seconds() / 60
    else:
        minutes = csa.business_minutes(tk["created_at"], tk["first_response_at"], closed="12-29..01-03")
    by = minutes.groupby(_month(tk["created_at"])).agg(["count", "mean", "std"])
    assert (h["n"] == by["count"]).all()
    assert np.allclose(h["value"], by["mean"], rtol=1e-12) and np.allclose(h["sd"], by["std"], rtol=1e-9)
    half = h["high"] - h["value"]
    from scipy import stats as st
    assert np.allclose(half, st.t.ppf(0.975, by["count"] - 1) * by["std"] / np.sqrt(by["count"]), rtol=1e-9)


def test_relationship_nps_by_hand_and_months_without_a_wave(ds, reg):
    h = SC.measure(ds, reg.entry("nps_relationship")).set_index("period")
    s = ds.surveys[(ds.surveys["survey"] == "nps") & (ds.surveys["touchpoint"] == "relationship")]
    m = _month(s["responded_at"])
    waves = sorted(m.unique())
    assert [str(w) for w in waves] == ["2025-04", "2025-10", "2026-04", "2026-10"]
    for w in waves:
        sc = s.loc[m == w, "score"]
        assert h.loc[w, "n"] == len(sc)
        assert h.loc[w, "value"] == pytest.approx(100 * ((sc >= 9).mean() - (sc <= 6).mean()), abs=1e-9)
    others = h.drop(index=waves)
    assert (others["n"] == 0).all() and others["value"].isna().all()


def test_customer_churn_by_hand(ds, reg):
    h = SC.measure(ds, reg.entry("churn")).set_index("period")
    subs = ds.subscriptions
    month = pd.PeriodIndex(subs["month"].astype(str), freq="M")
    members = {p: set(subs.loc[month == p, "customer_id"]) for p in sorted(set(month))}
    for p in (pd.Period("2025-06", "M"), pd.Period("2026-10", "M")):
        before, now = members[p - 1], members[p]
        assert h.loc[p, "n"] == len(before)
        assert h.loc[p, "value"] == pytest.approx(100 * len(before - now) / len(before), abs=1e-9)


def test_support_csat_by_hand(ds, reg):
    from dataclasses import replace
    h = SC.measure(ds, replace(reg.entry("csat"), params={"touchpoint": "support_contact", "top": 2}))
    h = h.set_index("period")
    s = ds.surveys[(ds.surveys["survey"] == "csat") & (ds.surveys["touchpoint"] == "support_contact")]
    by = (s["score"] >= 4).groupby(_month(s["responded_at"])).agg(["size", "mean"])
    assert (h["n"] == by["size"]).all() and np.allclose(h["value"], 100 * by["mean"], atol=1e-9)


def test_rows_average_to_the_kpi(ds, reg):
    for kpi in ("frt", "fcr_osaka", "nps_relationship", "gcr_self_service", "sla"):
        e = _osaka(reg) if kpi == "fcr_osaka" else reg.entry(kpi)
        r = SC.rows(ds, e)
        h = SC.measure(ds, e).set_index("period")
        means = r.groupby("period")["y"].mean()
        assert np.allclose(means.to_numpy(), h.loc[means.index, "value"].to_numpy(), atol=1e-9), kpi
    with pytest.raises(ValueError, match="not for customer churn rate"):
        SC.rows(ds, reg.entry("churn"))


@pytest.mark.parametrize("kpi", ["frt", "fcr_osaka", "nps_relationship", "gcr_self_service", "sla", "csat"])
def test_rows_of_some_columns_are_those_columns_of_all_rows(ds, reg, kpi):
    e = _osaka(reg) if kpi == "fcr_osaka" else reg.entry(kpi)
    full = SC.rows(ds, e)
    some = SC.rows(ds, e, columns=["segment", "channel", "period"])
    pd.testing.assert_frame_equal(some, full[["segment", "channel", "period", "y"]])
    with pytest.raises(ValueError, match=r"no column 'squad'; they have: .*segment"):
        SC.rows(ds, e, columns=["channel", "squad"])


def test_a_where_column_that_does_not_exist_is_a_clear_error(ds, reg):
    from dataclasses import replace
    bad = replace(reg.entry("fcr"), where={"squad": ("a",)})
    with pytest.raises(ValueError, match="'where' names the column 'squad'"):
        SC.measure(ds, bad)


def test_quarterly_histories(ds, reg):
    h = SC.measure(ds, reg.entry("fcr"), freq="quarter").set_index("period")
    tk = ds.tickets[ds.tickets["status"] == "solved"]
    q = tk["created_at"].dt.tz_localize(None).dt.to_period("Q-DEC")
    ok = (tk["agent_replies"] <= 1) & ~tk["reopened"].astype(bool)
    assert h.loc[pd.Period("2026Q2", "Q-DEC"), "value"] == pytest.approx(100 * ok[q == pd.Period("2026Q2", "Q-DEC")]
                                                                           .mean())
    churn = SC.measure(ds, reg.entry("churn"), freq="quarter")
    assert churn["n"].gt(0).sum() >= 7


# ----------------------------------------------------------------------------------- the scorecard

def test_the_sample_scorecard(card, reg):
    assert card.period == "2026-10" and [r["id"] for r in card.rows] == [e.id for e in reg.entries]
    fcr = card.row("fcr")
    assert fcr["status"] == "met" and fcr["low"] > 58 and fcr["proposal"]["deadline"] == "2027-04"
    nps = card.row("nps_relationship")
    assert nps["status"] == "at_risk" and nps["why"] == "trend_unclear" and nps["high"] < -15 < nps["projected_best"]
    assert nps["change"]["vs"] == "2026-04", "the previous period with data: the previous wave"
    assert card.row("gcr_self_service")["why"] == "trend_unclear"
    for r in card.rows:
        assert len(r["spark"]) == SC.SPARK_PERIODS and r["spark"][-1][0] == "2026-10"
        assert r["source"] == "computed" and r["value"] is not None
        if r["status"] == "met":
            assert (r["low"] >= r["target"]) if r["direction"] == "higher" else (r["high"] <= r["target"])
    counts = card.counts()
    assert sum(counts.values()) == len(reg.kpis) and counts["met"] == 1 and counts["missed"] == 0


def test_a_period_without_answers_shows_the_last_wave(ds, reg):
    sc = SC.build(reg, ds=ds, period="2026-09")
    nps = sc.row("nps_relationship")
    assert nps["as_of"] == "2026-04" and nps["n"] > 400
    assert sc.row("fcr")["status"] == "met"


def test_a_sections_record_of_the_same_key_is_used_and_no_other(ds, reg, card):
    from csa.views.common import Periods, headline

    P = Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M"))
    fcr = headline("fcr", ds, P, section="resolution").record
    other = headline("fcr", ds, P, section="resolution", definition="zendesk").record  # another definition
    csat_tp = headline("csat", ds, P, section="csat", touchpoint="support_contact").record  # another subset
    stale = headline("churn", ds, Periods(pd.Period("2026-09", "M"), pd.Period("2026-08", "M")), section="churn")
    sc = SC.build(reg, [other, csat_tp, fcr, stale.record], ds=ds, period="2026-10")
    row = sc.row("fcr")
    assert row["source"] == "record" and row["section"] == "resolution" and row["key"] == fcr["key"]
    assert (row["value"], row["low"], row["high"], row["n"]) == (fcr["value"], fcr["low"], fcr["high"], fcr["n"])
    assert row["change"] == fcr["change"]
    assert sc.row("csat")["source"] == "computed", "a record of the same KPI on another subset is not used"
    assert sc.row("churn")["source"] == "computed", "a record of another period is not used"
    computed = card.row("fcr")  # the history gives the same figure: one code computes both
    assert (computed["value"], computed["low"], computed["high"], computed["n"]) == \
        (fcr["value"], fcr["low"], fcr["high"], fcr["n"])


def test_without_data_a_record_only_entry_still_gets_its_status():
    reg = R.loads("kpis: [{id: cpi, name: {en: CPI, ja: CPI}, owner: a, record: support_cpi, unit: JPY, "
                  "direction: lower, target: 3000, deadline: 2026-12},\n"
                  "       {id: fcr, name: {en: FCR, ja: FCR}, owner: a, measure: fcr, target: 60}]\n")
    rec = H.record("support_cpi", {"en": "CPI", "ja": "CPI"}, "2026-10", value=2500.0, low=2400.0, high=2600.0,
                   n=1200, unit="JPY", direction="lower")
    sc = SC.build(reg, [rec], period="2026-10")
    assert sc.row("cpi")["status"] == "met" and sc.row("cpi")["source"] == "record"
    assert sc.row("fcr")["status"] == "no_data" and sc.row("fcr")["value"] is None
    with pytest.raises(ValueError, match="no period"):
        SC.build(reg, [])


def test_a_missing_table_is_said_not_raised(ds, reg):
    from dataclasses import replace
    sc = SC.build(reg, ds=replace(ds, goals=None), period="2026-10")
    row = sc.row("gcr_self_service")
    assert row["status"] == "no_data" and "goals" in row["error"]


def test_the_scorecard_travels_as_json(card):
    back = SC.Scorecard.from_dict(json.loads(json.dumps(card.to_dict())))
    assert back.rows == json.loads(json.dumps(card.rows))
    assert SC.render_html(back, "en") == SC.render_html(card, "en")


# ----------------------------------------------------------------------------------- HTML

@pytest.mark.parametrize("lang", ["en", "ja"])
def test_render_html_shows_every_entry_offline(card, reg, lang):
    page = SC.render_html(card, lang, pages=["05_support.html"])
    for e in reg.entries:
        assert html_escape(e.title(lang)) in page
    assert page.count("<svg") == len(reg.entries) and "<script" not in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for word in {"en": ("met", "at risk"), "ja": ("達成", "要注意")}[lang]:
        assert f">{word}</span>" in page
    assert 'href="05_support.html"' in page and 'href="01_nps.html"' not in page
    assert "−22.5" in page, "a real minus sign"


def html_escape(text: str) -> str:
    import html
    return html.escape(text)


def test_render_html_escapes_what_the_registry_says(card):
    d = card.to_dict()
    d["rows"] = [dict(d["rows"][0], name={"en": "<b>Churn</b> & co", "ja": "<i>解約</i>"})]
    page = SC.render_html(d, "en", pages=[])
    assert "&lt;b&gt;Churn&lt;/b&gt; &amp; co" in page and "<b>" not in page


def test_sparkline_with_gaps_and_without_values():
    pts = [["2026-01", 1.0, 0.5, 1.5], ["2026-02", None, None, None], ["2026-03", 2.0, 1.5, 2.5],
           ["2026-04", 2.5, 2.0, 3.0]]
    svg = SC.sparkline_svg(pts, target=2.0, title="x")
    assert svg.count("<polyline") == 2 and 'stroke-dasharray="1,2"' in svg and "<title>x</title>" in svg
    assert SC.sparkline_svg([["2026-01", None, None, None]]) == ""


# ----------------------------------------------------------------------------------- report helpers

def test_resolve_registry(tmp_path):
    assert SC.resolve_registry("", SAMPLE) == R.example_path()
    assert SC.resolve_registry(None, tmp_path) is None
    own = tmp_path / "registry.yaml"
    own.write_text("kpis: []\n", encoding="utf-8")
    assert SC.resolve_registry("", tmp_path) == own.resolve()
    assert SC.resolve_registry(str(own), SAMPLE) == own.resolve()
    with pytest.raises(FileNotFoundError, match="--registry"):
        SC.resolve_registry(tmp_path / "nope.yaml", SAMPLE)


def test_front_page_never_raises(tmp_path):
    html, d = SC.front_page(None, [], data_dir=SAMPLE, period="2026-10", lang="ja")
    assert d is None and "スコアカードはありません" in html and "KPI台帳" in html
    bad = tmp_path / "bad.yaml"
    bad.write_text("kpis: [\n", encoding="utf-8")
    html, d = SC.front_page(bad, [], data_dir=SAMPLE, period="2026-10")
    assert d is None and "could not be built" in html and "not valid YAML" in html
    html, d = SC.front_page(R.example_path(), [], data_dir=tmp_path / "nowhere", period="2026-10")
    assert d is not None and "could not be read" in html
    assert all(r["status"] == "no_data" for r in d["rows"])
