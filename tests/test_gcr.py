"""GCR: completions ÷ attempts (and customers) pinned to hand computations and statsmodels; the GCR
view on the sample (goal × channel, where to act, attempts vs customers); papermill runs."""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
from statsmodels.stats.proportion import proportion_confint

import csa
from csa import headline
from csa.metrics import survey as M
from csa.views import gcr as V
from csa.views.common import periods

from .conftest import ROOT, SAMPLE

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
def att():
    return V.attempts(csa.load(SAMPLE))


@pytest.fixture(scope="module")
def raw():
    g = pd.read_csv(SAMPLE / "goals.csv")
    return g.assign(month=g["started_at"].str[:7])


def test_goal_channel_finds_the_planted_app_gap(att):
    gap = V.channel_gap(att).set_index("goal")
    assert gap.loc["all", "diff"] < -5 and gap.loc["all", "high"] < 0  # the app completes less often
    cells = V.goal_channel(att)
    assert cells["n"].sum() == len(att)
    overall = cells.groupby("goal", sort=False)["completed"].sum() / cells.groupby("goal", sort=False)["n"].sum()
    assert overall.is_monotonic_increasing  # goals ordered by their overall rate, lowest first
    assert cells.loc[0, "goal"] == "self_service"


def test_where_to_act_orders_failed_attempts(att):
    act = V.where_to_act(att)
    assert act["failed"].is_monotonic_decreasing
    assert act["failed"].sum() == int((~att["completed"].astype(bool)).sum())
    assert act["share_failed"].sum() == pytest.approx(100)
    assert act.loc[0, "goal"] == "self_service"  # the hardest goal is where most attempts fail
    assert V.describe_act(act).startswith("**Where to act:** Self-service fix · Web")


def test_customers_vs_attempts_match_pandas(att, raw):
    per = V.customers_vs_attempts(att).set_index("goal")
    for goal, sub in raw.groupby("goal"):
        by_customer = sub.groupby("customer_id")["completed"].max()
        assert per.loc[goal, "attempts"] == len(sub)
        assert per.loc[goal, "customers"] == len(by_customer)
        assert per.loc[goal, "gcr_customers"] == pytest.approx(100 * by_customer.mean())
        assert per.loc[goal, "gcr_attempts"] == pytest.approx(100 * sub["completed"].mean())
        assert per.loc[goal, "gcr_customers"] >= per.loc[goal, "gcr_attempts"]


def test_headline_record(att):
    P = periods(att["started_at"])
    head = V.headline(att, P.this)
    rec = V.headline_record(head, M.gcr_change(att, P.this, P.prev).iloc[0], P)
    assert (rec["kpi"], rec["unit"], rec["direction"], rec["period"]) == ("gcr", "%", "higher", "2026-10")
    assert JA.search(rec["title"]["ja"])
    with pytest.raises(ValueError, match="choose one of"):
        V.attempts(csa.load(SAMPLE), plan="gold")


# ------------------------------------------------------------------------------- papermill runs

NOTEBOOK = ROOT / "notebooks" / "04_gcr.ipynb"


def _run(tmp_path, **params):
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=params, kernel_name="python3",
                               cwd=str(NOTEBOOK.parent), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    texts = [o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", [])
             if "text/markdown" in o.get("data", {})]
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    (rec,) = headline.extract(nb)
    return "\n".join(texts), rec


@pytest.mark.slow
@pytest.mark.parametrize("params,month,segment", [({}, "2026-10", ""),
                                                  ({"period": "2026-06", "segment": "enterprise"}, "2026-06",
                                                   "enterprise")], ids=["defaults", "enterprise"])
def test_papermill_headline_matches_pandas(tmp_path, raw, params, month, segment):
    text, rec = _run(tmp_path, **params)
    g = raw
    if segment:
        cust = pd.read_csv(SAMPLE / "customers.csv")
        g = g[g["customer_id"].isin(cust.loc[cust["segment"] == segment, "customer_id"])]
    now, prev = g[g["month"] == month], g[g["month"] == str(pd.Period(month, "M") - 1)]
    assert (rec["kpi"], rec["period"], rec["n"]) == ("gcr", month, len(now))
    assert rec["value"] == pytest.approx(100 * now["completed"].mean(), abs=1e-9)
    assert rec["change"]["diff"] == pytest.approx(100 * (now["completed"].mean() - prev["completed"].mean()),
                                                  abs=1e-9)
    assert f"**GCR in {month}: {100 * now['completed'].mean():.1f} %**" in text


@pytest.mark.slow
def test_papermill_in_japanese(tmp_path, raw):
    text, rec = _run(tmp_path, lang="ja")
    now = raw[raw["month"] == "2026-10"]
    assert f"**2026-10のGCR：{100 * now['completed'].mean():.1f}%**" in text
    assert "改善の優先先" in text and "Where to act" not in text
    assert rec["title"]["ja"].startswith("GCR（")
