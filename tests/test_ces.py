"""CES: the scale's direction, % easy and the mean pinned to hand computations, statsmodels and
scipy; the CES view on the sample (replies, later churn against plain pandas); papermill runs."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

import csa
from csa.display import format_table
from csa.metrics import survey as M
from csa.views import ces as V
from csa.views.common import headline, periods

from . import helpers
from .conftest import SAMPLE

EIGHT = [1, 2, 2, 3, 5, 6, 7, 4]
JA = re.compile(r"[ぁ-んァ-ヶ一-龥]")


def test_eight_answers_by_hand():
    r = M.ces(EIGHT)
    assert (r.n, r.easy, r.value, r.mean) == (8, 4, 50.0, 3.75)  # 1, 2, 2, 3 of 8; 30 / 8
    lo, hi = proportion_confint(4, 8, method="wilson")
    assert (r.low, r.high) == pytest.approx((100 * lo, 100 * hi))
    ci = stats.t.interval(0.95, 7, loc=3.75, scale=stats.sem(EIGHT))
    assert (r.mean_low, r.mean_high) == pytest.approx(ci)
    assert r.easy_scores == (1, 3) and "lower is easier" in str(r)


def test_the_two_wordings_agree_on_the_share_of_easy_answers():
    rng = np.random.default_rng(4)
    effort = rng.integers(1, 8, 500)
    for boxes in (1, 2, 3):
        low = M.ces(effort, boxes=boxes)
        high = M.ces(8 - effort, easy_end="high", boxes=boxes)  # CES 2.0: agreement that it was easy
        assert (low.easy, low.value) == (high.easy, high.value)
        assert low.mean + high.mean == pytest.approx(8)
    assert M.ces(8 - effort, easy_end="high").easy_scores == (5, 7)


@pytest.mark.parametrize("easy_end,boxes,want", [("low", 3, [1, 2, 3]), ("low", 2, [1, 2]), ("high", 3, [5, 6, 7]),
                                                 ("high", 1, [7])])
def test_easy_answers_at_the_boundaries(easy_end, boxes, want):
    assert [s for s in range(1, 8) if M.easy([s], easy_end=easy_end, boxes=boxes)[0]] == want
    assert V.easy_scores(easy_end, boxes) == want


def test_bad_direction_and_scores_are_clear_errors():
    with pytest.raises(ValueError, match="easy_end says which end"):
        M.ces(EIGHT, easy_end="up")
    with pytest.raises(csa.DataError, match="1–7"):
        M.ces([1, 8])
    with pytest.raises(ValueError, match="boxes"):
        M.ces(EIGHT, boxes=7)
    r = M.ces([1, None, 7])
    assert (r.n, r.excluded) == (2, 1)


def test_counts_match_pandas_and_change_matches_statsmodels():
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"period": rng.choice(["a", "b"], 400), "ch": rng.choice(["x", "y"], 400),
                       "score": rng.integers(1, 8, 400)})
    c = M.ces_counts(df, "ch").set_index("ch")
    for g, sub in df.groupby("ch"):
        assert (c.loc[g, "n"], c.loc[g, "easy"], c.loc[g, "total"]) == (len(sub), (sub.score <= 3).sum(),
                                                                           sub.score.sum())
    ch = M.ces_change(df, "a", "b").iloc[0]
    xa, na = (df[df.period == "a"].score <= 3).sum(), (df.period == "a").sum()
    xb, nb = (df[df.period == "b"].score <= 3).sum(), (df.period == "b").sum()
    lo, hi = confint_proportions_2indep(xa, na, xb, nb, method="newcomb", compare="diff")
    assert (ch["diff"], ch["low"], ch["high"]) == pytest.approx((100 * (xa / na - xb / nb), 100 * lo, 100 * hi))


def test_bands():
    assert list(V.bands([1, 3, 4, 5, 7])) == ["easy", "easy", "neutral", "hard", "hard"]
    assert list(V.bands([1, 3, 4, 5, 7], easy_end="high")) == ["hard", "hard", "neutral", "easy", "easy"]
    assert list(V.bands([1, 2, 3, 6], boxes=2)) == ["easy", "easy", "neutral", "hard"]
    assert V.band_names(lang="ja")["hard"] == "手間がかかった（5〜7）"
    assert V.band_names(easy_end="high")["easy"] == "Easy (5–7)"


# ------------------------------------------------------------------------------- the sample

@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # loaded once per session (tests/conftest.py); read only


@pytest.fixture(scope="module")
def resp(ds):
    return V.answers(ds)


OCT = pd.Period("2026-10", "M")


def test_effort_rises_with_replies_as_planted(resp):
    tab = V.replies_table(resp)
    assert tab["ces"].is_monotonic_decreasing  # fewer easy answers with every extra reply
    d = M.rate_change(tab.iloc[[0]], tab.iloc[[-1]], successes="easy", value="ces").iloc[0]
    assert d["diff"] > 30 and d["low"] > 0


def test_later_churn_matches_plain_pandas(ds, resp):
    horizon = 6
    rows = V.later_churn(ds, resp, horizon=horizon)
    s = pd.read_csv(SAMPLE / "surveys.csv")
    s = s[s["survey"] == "ces"].assign(month=lambda d: pd.PeriodIndex(d["responded_at"].str[:7], freq="M"))
    subs = pd.read_csv(SAMPLE / "subscriptions.csv")
    last = pd.Period(subs["month"].max(), "M")
    s = s[s["month"] + horizon <= last].sort_values(["responded_at", "response_id"])
    first = s.groupby("customer_id").head(1).set_index("customer_id").sort_index()
    active = set(zip(subs["customer_id"], subs["month"], strict=True))
    left = [(c, str(m + horizon)) not in active for c, m in zip(first.index, first["month"], strict=True)]
    assert rows["customer_id"].tolist() == first.index.tolist()
    assert rows["score"].tolist() == first["score"].tolist()
    assert rows["left"].tolist() == left
    tab = V.churn_table(rows).set_index("band")
    easy = first["score"] <= 3
    assert tab.loc["easy", "n"] == easy.sum()
    assert tab.loc["easy", "pct_left"] == pytest.approx(100 * np.mean(np.array(left)[easy.to_numpy()]))
    assert list(tab.index) == ["easy", "neutral", "hard"]
    text = V.describe_churn(tab.reset_index(), horizon)
    assert text.startswith("6 months after their answer") and ("interval contains 0" in text
                                                                or "interval excludes 0" in text)
    with pytest.raises(ValueError, match="horizon"):
        V.later_churn(ds, resp, horizon=0)


def test_direction_is_stated_the_same_way_in_sentences_and_tables(ds, resp):
    """The KPI (% easy) is higher-is-better; the raw answer is lower = less effort with easy_end="low"."""
    assert V.describe_direction().startswith("**Direction: the KPI, the share of easy answers, is higher-is-better; "
                                             "the answer itself is lower = less effort.**")
    ja = V.describe_direction(easy_end="high", lang="ja")
    assert ja.startswith("**向き：KPI（楽だった回答の割合）は高いほど良く")
    assert V.scale_ends(easy_end="high")[1] == "7 = strongly agree: it was easy"
    assert csa.KPIS["ces"].direction == "higher"
    tab = V.counts_table(ds, "channel", values=["chat"], period=OCT)
    shown = format_table(V.shown(tab, "channel"), "en", ns="ces")
    assert list(shown.columns)[1:3] == ["CES (% easy; higher is better)", "Lower bound"]
    assert "Mean effort (1–7; lower = less effort)" in shown.columns
    assert "Mean agreement (1–7; higher = easier)" in V.shown(tab, "channel", easy_end="high").pipe(
        format_table, "en", ns="ces").columns
    assert not any("lower is better" in c for c in shown.columns)


def test_the_headline_is_the_catalogues_ces_and_its_record(ds, resp):
    P = periods(resp["responded_at"])
    for easy_end, boxes in (("low", 3), ("low", 2), ("high", 3)):
        hl = headline("ces", ds, P, section="ces", easy_end=easy_end, boxes=boxes)
        rec = hl.record
        assert (rec["kpi"], rec["key"], rec["section"], rec["unit"], rec["direction"]) == \
            ("ces", f"ces{{boxes={boxes},easy_end={easy_end}}}", "ces", "%", "higher")
        assert rec["params"] == {"touchpoint": None, "easy_end": easy_end, "boxes": boxes}
        m = csa.measure("ces", ds, period=rec["period"], **rec["params"])
        assert (rec["value"], rec["low"], rec["high"], rec["n"]) == (m.value, m.low, m.high, m.n)
        now = resp[resp["period"] == OCT]
        head = V.result(hl)
        want = M.ces(now["score"], easy_end=easy_end, boxes=boxes)
        assert (head.n, head.easy, head.mean) == (want.n, want.easy, pytest.approx(want.mean))
        assert (head.value, head.low, head.high) == pytest.approx((m.value, m.low, m.high))
    assert JA.search(rec["title"]["ja"])
    text = V.describe(V.result(hl), P.this_label)
    assert text.startswith(f"**CES in 2026-10: {csa.numbers.value(hl.this.value, '%')} easy** (answers 5–7 of 1–7; "
                           "higher is better;") and "Mean agreement" in text and "higher = easier" in text
    hl = headline("ces", ds, P, section="ces")
    text = V.describe(V.result(hl), P.this_label)
    assert "higher is better" in text and "Mean effort" in text and "lower = less effort" in text
    assert "lower is better" not in text
    c = hl.change
    assert c["diff"] == pytest.approx(100 * ((resp.loc[resp["period"] == OCT, "score"] <= 3).mean()
                                             - (resp.loc[resp["period"] == OCT - 1, "score"] <= 3).mean()))
    ch = V.describe_change(hl, P.prev_label)
    assert csa.numbers.change(c["diff"], "%") in ch and csa.numbers.p_value(c["p_value"]) in ch
    empty = headline("ces", ds, periods(resp["responded_at"], "2030-01"), section="ces")
    assert empty.record["value"] is None and "No CES answers" in V.describe(V.result(empty), "2030-01")
    assert V.describe_change(empty, "2029-12").startswith("No comparison")


def test_breakdown_and_trend_come_from_the_catalogue(ds, resp):
    now = resp[resp["period"] == OCT]
    values = sorted(resp["channel"].dropna().unique())
    got = V.counts_table(ds, "channel", values=values, period=OCT)
    pd.testing.assert_frame_equal(got.drop(columns="period"), M.ces_table(now[now["channel"].notna()], "channel"),
                                  check_dtype=False)
    trend = V.counts_table(ds, boxes=2)
    want = M.ces_table(resp, "period", boxes=2)
    pd.testing.assert_frame_equal(trend.drop(columns="period"), want.drop(columns="period"), check_dtype=False)
    duck = V.counts_table(ds, "channel", values=values, period=OCT, engine="duckdb")
    pd.testing.assert_frame_equal(duck, got, check_dtype=False)


# ------------------------------------------------------------------------------- papermill runs

NOTEBOOK = "03_ces.ipynb"


def _run(run_notebook, **params):
    nb = run_notebook(NOTEBOOK, **params)
    assert not helpers.stderr(nb)
    (rec,) = helpers.records(nb)
    return helpers.markdown(nb), rec


@pytest.fixture(scope="module")
def raw_ces():
    s = pd.read_csv(SAMPLE / "surveys.csv")
    s = s[s["survey"] == "ces"]
    return s.assign(month=s["responded_at"].str[:7])


@pytest.mark.slow
@pytest.mark.parametrize("params,month,easy", [({}, "2026-10", lambda x: x <= 3),
                                                ({"period": "2026-05", "boxes": 2}, "2026-05", lambda x: x <= 2)],
                         ids=["defaults", "two-boxes"])
def test_papermill_headline_matches_pandas(run_notebook, sample_ds, raw_ces, params, month, easy):
    texts, rec = _run(run_notebook, **params)
    now = raw_ces[raw_ces["month"] == month]
    prev = raw_ces[raw_ces["month"] == str(pd.Period(month, "M") - 1)]
    value = 100 * easy(now["score"]).mean()
    boxes = params.get("boxes", 3)
    assert (rec["kpi"], rec["key"], rec["period"], rec["n"]) == ("ces", f"ces{{boxes={boxes},easy_end=low}}", month,
                                                                 len(now))
    assert rec["params"] == {"touchpoint": None, "easy_end": "low", "boxes": boxes} and rec["section"] == "ces"
    m = csa.measure("ces", sample_ds, period=month, **rec["params"])
    assert (rec["value"], rec["low"], rec["high"], rec["n"]) == (m.value, m.low, m.high, m.n)
    assert rec["value"] == pytest.approx(value, abs=1e-9)
    assert rec["change"]["diff"] == pytest.approx(value - 100 * easy(prev["score"]).mean(), abs=1e-9)
    assert texts[0].startswith("**Direction: the KPI, the share of easy answers, is higher-is-better")  # first
    assert f"**CES in {month}: {csa.numbers.value(value, '%')} easy**" in "\n".join(texts)


@pytest.mark.slow
@helpers.same_run(NOTEBOOK, lang="ja")  # test_notebooks runs every notebook in Japanese: the same run
def test_papermill_in_japanese(run_notebook, raw_ces):
    texts, rec = _run(run_notebook, lang="ja")
    assert texts[0].startswith("**向き：KPI（楽だった回答の割合）は高いほど良く、"
                               "回答そのものは低いほど手間が少ない。**")
    assert all(JA.search(t) for t in texts)
    value = 100 * (raw_ces.loc[raw_ces["month"] == "2026-10", "score"] <= 3).mean()
    assert f"**2026-10のCES：楽だった {value:.1f}%**" in "\n".join(texts)
    assert rec["title"]["ja"] == "顧客努力指標（CES）"
    assert math.isclose(rec["value"], value)
