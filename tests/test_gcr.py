"""GCR: completions ÷ attempts (and customers) pinned to hand computations and statsmodels; the GCR
view on the sample (goal × channel, where to act, attempts vs customers); papermill runs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import csa
from csa.metrics import survey as M
from csa.views import gcr as V
from csa.views.common import headline, periods

from . import helpers
from .conftest import SAMPLE

JA = re.compile(r"[ぁ-んァ-ヶ一-龥]")
FIVE = pd.DataFrame({"customer_id": ["A", "A", "B", "C", "C"], "completed": [False, True, True, False, False]})


def test_by_hand_per_attempt_and_per_customer():
    r = M.gcr(FIVE["completed"])
    assert (r.n, r.completed, r.value) == (5, 2, 40.0)
    lo, hi = proportion_confint(2, 5, method="wilson")
    assert (r.low, r.high) == pytest.approx((100 * lo, 100 * hi))
    c = M.gcr_table(FIVE, unit="customer").iloc[0]
    assert (c["n"], c["completed"], c["attempts"]) == (3, 2, 5)  # A and B got there, C did not
    assert c["gcr"] == pytest.approx(200 / 3)
    lo, hi = proportion_confint(2, 3, method="wilson")
    assert (c["low"], c["high"]) == pytest.approx((100 * lo, 100 * hi))


def test_missing_outcomes_are_counted_and_non_booleans_refused():
    r = M.gcr(pd.Series([True, None, False, True], dtype="boolean"))
    assert (r.n, r.excluded, r.completed) == (3, 1, 2)
    assert M.gcr([1, 0, 1, 1]).value == 75.0
    with pytest.raises(csa.DataError, match="true/false"):
        M.gcr(["done", "failed"])
    with pytest.raises(ValueError, match="unit"):
        M.gcr_counts(FIVE, unit="session")


def test_counts_by_goal_match_pandas_for_attempts_and_customers():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"customer_id": rng.choice([f"C{i}" for i in range(40)], 500),
                       "goal": rng.choice(["setup", "invite"], 500), "completed": rng.random(500) < 0.6})
    a = M.gcr_counts(df, "goal").set_index("goal")
    c = M.gcr_counts(df, "goal", unit="customer").set_index("goal")
    for g, sub in df.groupby("goal"):
        assert (a.loc[g, "n"], a.loc[g, "completed"]) == (len(sub), sub.completed.sum())
        per = sub.groupby("customer_id").completed.max()
        assert (c.loc[g, "n"], c.loc[g, "completed"], c.loc[g, "attempts"]) == (len(per), per.sum(), len(sub))


# ------------------------------------------------------------------------------- the sample

@pytest.fixture(scope="module")
def att(sample_ds):
    return V.attempts(sample_ds)


@pytest.fixture(scope="module")
def raw():
    g = pd.read_csv(SAMPLE / "goals.csv")
    return g.assign(month=g["started_at"].str[:7])


OCT = pd.Period("2026-10", "M")


@pytest.fixture(scope="module")
def cells(sample_ds):
    """Attempts per goal and channel of the 12 months up to 2026-10, counted by the catalogue."""
    return V.pooled(V.counts_table(sample_ds, ["goal", "channel"], unit="attempt"), ["goal", "channel"], OCT, 12)


@pytest.fixture(scope="module")
def recent(att):
    return att[att["period"].between(OCT - 11, OCT)]


def test_pooled_attempts_equal_the_attempts_of_the_window(cells, recent, sample_ds):
    want = M.gcr_table(recent, ["goal", "channel"])
    pd.testing.assert_frame_equal(cells, want, check_dtype=False)
    monthly = V.counts_table(sample_ds, ["goal", "channel"], unit="attempt")
    in_oct = int((recent["period"] == OCT).sum())
    assert V.pooled(monthly, ["goal", "channel"], OCT, 1)["n"].sum() == in_oct
    assert in_oct == csa.measure("gcr", sample_ds, period="2026-10", unit="attempt").n
    with pytest.raises(ValueError, match="cannot be added up"):
        V.pooled(V.counts_table(sample_ds, "goal"), "goal", OCT, 12)  # customers of different months
    with pytest.raises(ValueError, match="monthly"):
        V.pooled(V.counts_table(sample_ds, "goal", unit="attempt", freq="quarter"), "goal", OCT, 12)


def test_goal_channel_finds_the_planted_app_gap(cells, recent):
    gap = V.channel_gap(cells).set_index("goal")
    assert gap.loc["all", "diff"] < -5 and gap.loc["all", "high"] < 0  # the app completes less often
    pd.testing.assert_frame_equal(V.channel_gap(cells), _channel_gap(recent), check_dtype=False)
    named = V.goal_channel(cells)
    assert named["n"].sum() == len(recent)
    overall = named.groupby("goal", sort=False)["completed"].sum() / named.groupby("goal", sort=False)["n"].sum()
    assert overall.is_monotonic_increasing  # goals ordered by their overall rate, lowest first
    assert named.loc[0, "goal"] == "self_service"


def _channel_gap(att):
    """The app − web difference straight from the attempts (the view's earlier computation)."""
    ca, cb = (M.gcr_counts(att[att["channel"] == c], "goal") for c in ("app", "web"))
    per_goal = M.rate_change(ca, cb, successes="completed", value="gcr", by="goal")
    total = M.rate_change(M.gcr_counts(att[att["channel"] == "app"]), M.gcr_counts(att[att["channel"] == "web"]),
                          successes="completed", value="gcr").assign(goal="all")
    return pd.concat([per_goal, total[per_goal.columns]], ignore_index=True)


def test_where_to_act_orders_failed_attempts(cells, recent):
    act = V.where_to_act(cells)
    assert act["failed"].is_monotonic_decreasing
    assert act["failed"].sum() == int((~recent["completed"].astype(bool)).sum())
    assert act["share_failed"].sum() == pytest.approx(100)
    assert act.loc[0, "goal"] == "self_service"  # the hardest goal is where most attempts fail
    assert V.describe_act(act).startswith("**Where to act:** Self-service fix · Web")
    assert "GCR per attempt" in V.describe_act(act)


def test_customers_vs_attempts_match_pandas(sample_ds, raw):
    by_customer = V.counts_table(sample_ds, "goal", period=OCT)
    by_attempt = V.counts_table(sample_ds, "goal", period=OCT, unit="attempt")
    per = V.customers_vs_attempts(by_customer, by_attempt).set_index("goal")
    for goal, sub in raw[raw["month"] == "2026-10"].groupby("goal"):
        by_cust = sub.groupby("customer_id")["completed"].max()
        assert per.loc[goal, "attempts"] == len(sub)
        assert per.loc[goal, "customers"] == len(by_cust)
        assert per.loc[goal, "gcr_customers"] == pytest.approx(100 * by_cust.mean())
        assert per.loc[goal, "gcr_attempts"] == pytest.approx(100 * sub["completed"].mean())
        assert per.loc[goal, "gcr_customers"] >= per.loc[goal, "gcr_attempts"]
        lo, hi = proportion_confint(int(by_cust.sum()), len(by_cust), method="wilson")
        assert (per.loc[goal, "low"], per.loc[goal, "high"]) == pytest.approx((100 * lo, 100 * hi))


def test_segments_and_trend_come_from_the_catalogue(sample_ds, att, recent):
    segs = V.counts_table(sample_ds, "segment", values=sorted(att["segment"].unique()), unit="attempt")
    pd.testing.assert_frame_equal(V.pooled(segs, "segment", OCT, 12), M.gcr_table(recent, "segment"),
                                  check_dtype=False)
    trend = V.counts_table(sample_ds)
    want = M.gcr_table(att, "period", unit="customer")
    pd.testing.assert_frame_equal(trend.drop(columns="period"), want.drop(columns="period"), check_dtype=False)
    duck = V.counts_table(sample_ds, engine="duckdb")
    pd.testing.assert_frame_equal(duck, trend, check_dtype=False)
    shown = V.shown(trend, "period", unit="customer")
    assert list(shown.columns) == ["period", *V.SHOWN["customer"]]


def test_the_headline_is_the_catalogues_gcr_per_customer(att, raw, sample_ds):
    P = periods(att["started_at"])
    hl = headline("gcr", sample_ds, P, section="gcr")
    rec = hl.record
    assert (rec["kpi"], rec["key"], rec["section"], rec["unit"], rec["direction"], rec["period"]) == \
        ("gcr", "gcr{unit=customer}", "gcr", "%", "higher", "2026-10")
    assert rec["params"] == {"goal": None, "channel": None, "unit": "customer"}
    m = csa.measure("gcr", sample_ds, period=rec["period"], **rec["params"])
    assert (rec["value"], rec["low"], rec["high"], rec["n"]) == (m.value, m.low, m.high, m.n)
    now = raw[raw["month"] == "2026-10"]
    per_customer = now.groupby("customer_id")["completed"].max()  # article 000: customers who completed
    assert m.n == len(per_customer) and m.value == pytest.approx(100 * per_customer.mean())
    assert JA.search(rec["title"]["ja"]) and "per customer" in rec["title"]["en"] and "顧客あたり" in rec["title"]["ja"]
    per_attempt = csa.measure("gcr", sample_ds, period="2026-10", unit="attempt")
    text = V.describe(hl, P.this_label, per_attempt=per_attempt)
    assert text.startswith(f"**GCR per customer in 2026-10: {csa.numbers.value(m.value, '%')}** of the customers who "
                           "tried a goal completed it at least once")
    assert f"({int(per_customer.sum()):,} of {len(per_customer):,} customers, {len(now):,} attempts;" in text
    assert f"complete {csa.numbers.value(100 * now['completed'].mean(), '%')} of the time" in text
    ch = V.describe_change(hl, P.prev_label, lang="ja")
    assert csa.numbers.change(hl.change["diff"], "%", "ja") in ch and "。 " not in ch
    empty = headline("gcr", sample_ds, periods(att["started_at"], "2030-01"), section="gcr")
    assert empty.record["value"] is None and V.describe(empty, "2030-01").startswith("**No goal attempts")
    with pytest.raises(ValueError, match="choose one of"):
        V.attempts(sample_ds, plan="gold")


# ------------------------------------------------------------------------------- papermill runs

NOTEBOOK = "04_gcr.ipynb"


def _run(run_notebook, **params):
    nb = run_notebook(NOTEBOOK, **params)
    assert not helpers.stderr(nb)
    (rec,) = helpers.records(nb)
    return "\n".join(helpers.markdown(nb)), rec


@pytest.mark.slow
@pytest.mark.parametrize("params,month,segment", [({}, "2026-10", ""),
                                                  ({"period": "2026-06", "segment": "enterprise"}, "2026-06",
                                                   "enterprise")], ids=["defaults", "enterprise"])
def test_papermill_headline_matches_pandas(run_notebook, sample_ds, raw, params, month, segment):
    text, rec = _run(run_notebook, **params)
    g = raw
    if segment:
        cust = pd.read_csv(SAMPLE / "customers.csv")
        g = g[g["customer_id"].isin(cust.loc[cust["segment"] == segment, "customer_id"])]
    now, prev = g[g["month"] == month], g[g["month"] == str(pd.Period(month, "M") - 1)]
    done = lambda d: d.groupby("customer_id")["completed"].max()  # per customer who tried (article 000)
    assert (rec["kpi"], rec["period"], rec["n"]) == ("gcr", month, now["customer_id"].nunique())
    assert rec["key"] == "gcr{unit=customer}" + (f"[segment={segment}]" if segment else "")
    assert rec["where"] == ({"segment": [segment]} if segment else {}) and rec["section"] == "gcr"
    m = csa.measure("gcr", sample_ds, period=month, where=rec["where"] or None, **rec["params"])
    assert (rec["value"], rec["low"], rec["high"], rec["n"]) == (m.value, m.low, m.high, m.n)
    assert rec["value"] == pytest.approx(100 * done(now).mean(), abs=1e-9)
    assert rec["change"]["diff"] == pytest.approx(100 * (done(now).mean() - done(prev).mean()), abs=1e-9)
    assert f"**GCR per customer in {month}: {csa.numbers.value(100 * done(now).mean(), '%')}**" in text
    assert f"complete {csa.numbers.value(100 * now['completed'].mean(), '%')} of the time" in text  # per attempt


@pytest.mark.slow
@helpers.same_run(NOTEBOOK, lang="ja")  # test_notebooks runs every notebook in Japanese: the same run
def test_papermill_in_japanese(run_notebook, raw):
    text, rec = _run(run_notebook, lang="ja")
    now = raw[raw["month"] == "2026-10"]
    value = 100 * now.groupby("customer_id")["completed"].max().mean()
    assert f"**2026-10の顧客あたりのGCR：{value:.1f}%**" in text
    assert "改善の優先先" in text and "Where to act" not in text and "試行あたり" in text
    assert rec["title"]["ja"] == "目標達成率（GCR・顧客あたり）"
