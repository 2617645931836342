"""What drove a change: a KPI's change per group (``csa.kpi.drivers``), the group a headline names
(``views.common.driver``), the same month a year before, and the front page's sentences."""

from __future__ import annotations

import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

import csa
from csa.report.index import _summary, _what_changed
from csa.scorecard import front_records
from csa.views.common import Periods, beyond_noise, headline


def _fcr_by_hand(ds, month: str) -> pd.DataFrame:
    """FCR one touch per team from its definition: of the solved tickets created in the month, those with one agent
    reply at most and not reopened."""
    tk = ds.tickets
    m = tk["created_at"].dt.tz_convert("Asia/Tokyo").dt.tz_localize(None).dt.to_period("M") == pd.Period(month, "M")
    m &= tk["status"] == "solved"
    ok = (tk["agent_replies"] <= 1) & ~tk["reopened"].astype(bool)
    return pd.DataFrame({"team": tk["team"], "ok": ok})[m].groupby("team")["ok"].agg(["sum", "count"])


def test_each_groups_change_is_the_kpi_of_its_rows_in_each_period(sample_ds):
    d = csa.kpi.drivers("fcr", sample_ds, period="2026-04", vs="2026-03", by="team").set_index("team")
    a, b = _fcr_by_hand(sample_ds, "2026-04"), _fcr_by_hand(sample_ds, "2026-03")
    for team in a.index:
        want = 100 * (a.loc[team, "sum"] / a.loc[team, "count"] - b.loc[team, "sum"] / b.loc[team, "count"])
        assert d.loc[team, "diff"] == pytest.approx(want)
        assert d.loc[team, "n"] == a.loc[team, "count"]
        low, high = confint_proportions_2indep(a.loc[team, "sum"], a.loc[team, "count"], b.loc[team, "sum"],
                                               b.loc[team, "count"], method="newcomb")
        assert (d.loc[team, "low"], d.loc[team, "high"]) == pytest.approx((100 * low, 100 * high), abs=1e-6)
    w = a["count"] / a["count"].sum()
    assert d["contribution"].sort_index().to_numpy() == pytest.approx((d["diff"] * w).sort_index().to_numpy())
    assert list(d["contribution"].abs()) == sorted(d["contribution"].abs(), reverse=True)  # largest first


def test_a_kpi_measured_one_subset_at_a_time_is_broken_down_by_a_customers_attribute(sample_ds):
    d = csa.kpi.drivers("churn", sample_ds, period="2026-10", vs="2026-09", by="plan").set_index("plan")
    for plan in d.index:
        one = {"where": {"plan": [plan]}}
        a, b = (csa.measure("churn", sample_ds, period=p, **one) for p in ("2026-10", "2026-09"))
        assert d.loc[plan, "diff"] == pytest.approx(a.value - b.value) and d.loc[plan, "n"] == a.n


def test_the_headline_names_the_planted_effect_as_its_driver(sample_ds):
    """The sample's Osaka team was trained in April 2026 (+16 points of FCR): FCR's rise that month is Osaka's."""
    rec = headline("fcr", sample_ds, Periods(pd.Period("2026-04", "M"), pd.Period("2026-03", "M")),
                   section="resolution").record
    assert beyond_noise(rec["change"])
    d = rec["driver"]
    assert (d["by"], d["group"]) == ("team", "osaka") and d["low"] > 0
    assert d["words"] == {"en": "team Osaka", "ja": "チーム「大阪」"}
    sentence = _what_changed([{**rec, "source": "section"}], "en")[0]
    assert sentence.startswith("First contact resolution") and "Most of it came from team Osaka: +" in sentence
    ja = _what_changed([{**rec, "source": "section"}], "ja")[0]
    assert "内訳ではチーム「大阪」の動きが最も大きく" in ja


def test_no_driver_is_named_when_no_group_moved_beyond_noise(sample_ds):
    rec = headline("fcr", sample_ds, Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M")),
                   section="resolution").record
    assert not beyond_noise(rec["change"]) and "driver" not in rec


def test_the_change_against_the_same_month_a_year_before(sample_ds):
    P = Periods(pd.Period("2026-10", "M"), pd.Period("2026-09", "M"))
    rec = headline("fcr", sample_ds, P, section="resolution").record
    a, b = _fcr_by_hand(sample_ds, "2026-10").sum(), _fcr_by_hand(sample_ds, "2025-10").sum()
    assert rec["change_year"]["vs"] == "2025-10"
    assert rec["change_year"]["diff"] == pytest.approx(100 * (a["sum"] / a["count"] - b["sum"] / b["count"]))
    first = headline("fcr", sample_ds, Periods(pd.Period("2025-03", "M"), pd.Period("2025-02", "M")),
                     section="resolution").record
    assert "change_year" not in first, "the data starts after 2024-03: no year-ago month"
    html = _summary(front_records(None, [rec]), "en")
    from csa import numbers as num

    assert f"<br>{num.change(rec['change_year']['diff'], '%', 'en', digits=1)} vs 2025-10</td>" in html


def test_the_scorecard_shows_the_change_against_the_same_month_a_year_before(sample_ds):
    from csa import registry as R
    from csa import scorecard as SC

    card = SC.build(R.load(R.example_path()), ds=sample_ds, period="2026-10")
    fcr = card.row("fcr")
    a, b = _fcr_by_hand(sample_ds, "2026-10").sum(), _fcr_by_hand(sample_ds, "2025-10").sum()
    assert fcr["change_year"]["vs"] == "2025-10"
    assert fcr["change_year"]["diff"] == pytest.approx(100 * (a["sum"] / a["count"] - b["sum"] / b["count"]))
    nps = card.row("nps_relationship")  # waves every six months: the previous wave is a year's half, 2025-10 the year
    assert nps["change"]["vs"] == "2026-04" and nps["change_year"]["vs"] == "2025-10"
    assert "vs 2025-10 (a year before)" in SC.render_html(card, "en")
    assert "前年同期（2025-10）比" in SC.render_html(card, "ja")
