"""The health section: the measures of a score against independent counts, the backtest's public call, the team's
health.yaml and its errors, and the early warning list (its order, its reasons, its plays, last month's list)."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import csa
from csa import health as H
from csa import playbook as PB
from csa.metrics import health as MH
from csa.views import health as V

# ------------------------------------------------------------------ AUC, lift and calibration

LEFT = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0]  # the lesson's ten accounts (section 2.2)
P = [0.9, 0.8, 0.1, 0.4, 0.3, 0.2, 0.4, 0.7, 0.05, 0.6]


def _pairs(left, score) -> float:
    """AUC by counting every leaver–stayer pair: 1 when the leaver is riskier, ½ for a tie."""
    a = [s for y, s in zip(left, score) if y]
    b = [s for y, s in zip(left, score) if not y]
    return sum(1.0 if x > z else 0.5 if x == z else 0.0 for x in a for z in b) / (len(a) * len(b))


def test_auc_on_the_small_example_is_sklearns_and_the_pair_count():
    assert MH.auc(LEFT, P) == pytest.approx(roc_auc_score(LEFT, P)) == pytest.approx(17.5 / 21)
    assert MH.auc(LEFT, P) == pytest.approx(_pairs(LEFT, P))
    rng = np.random.default_rng(3)
    for _ in range(20):  # ties and all
        y = rng.random(60) < 0.3
        s = rng.integers(0, 6, 60).astype(float)
        assert MH.auc(y, s) == pytest.approx(roc_auc_score(y, s)) == pytest.approx(_pairs(y, s))
    assert math.isnan(MH.auc([0, 0], [0.1, 0.2]))
    with pytest.raises(ValueError, match="missing"):
        MH.auc([1, 0], [0.3, None])


def test_lift_and_recall_are_a_hand_count():
    top20 = MH.lift(LEFT, P, top=0.2)  # a (left) and b (stayed): 1 of 2 against 3 of 10
    assert (top20.k, top20.found, top20.churners) == (2, 1, 3)
    assert top20.lift == pytest.approx(0.5 / 0.3) and top20.recall == pytest.approx(1 / 3)
    top30 = MH.lift(LEFT, P, top=0.3)  # a, b, h: 2 of 3
    assert (top30.found, top30.lift, top30.recall) == (2, pytest.approx((2 / 3) / 0.3), pytest.approx(2 / 3))
    tied = MH.lift([0, 1, 1], [0.5, 0.5, 0.1], top=0.34)  # two tied at the top: the earlier one is taken
    assert (tied.k, tied.found) == (2, 1)
    with pytest.raises(ValueError, match="top"):
        MH.lift(LEFT, P, top=0)


def test_calibration_by_hand_and_within_groups():
    c = MH.calibration(LEFT, P, bins=2)
    # lower half i, c, f, e, d (d before g among the tied 0.4): 1 of 5 left, mean 0.21; upper half: 2 of 5, 0.68
    assert c[["n", "churned"]].to_numpy().tolist() == [[5, 1], [5, 2]]
    np.testing.assert_allclose(c[["expected", "observed"]], [[21.0, 20.0], [68.0, 40.0]])
    low, high = csa.stats.proportion_interval([1, 2], [5, 5])
    np.testing.assert_allclose(c["low"], low)
    np.testing.assert_allclose(c["high"], high)
    by = MH.calibration([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], bins=2, by=["x", "x", "y", "y"])
    assert by["n"].tolist() == [2, 2] and by["churned"].tolist() == [0, 2]  # each group's low half pooled


def test_the_backtest_summary_reads_lift_from_the_same_count(sample_backtest4):
    s = sample_backtest4.scores
    one = s[(s["model"] == "fitted") & (s["origin"] == s["origin"].iloc[0])]
    k = math.ceil(0.1 * len(one))
    hand = one.sort_values("p_churn", ascending=False, kind="stable").head(k)["churned"]
    lifts = sample_backtest4.summary(top=0.1)
    per = [MH.lift(g["churned"], g["p_churn"], top=0.1).lift for _, g in s[s["model"] == "fitted"].groupby("origin")]
    assert lifts.loc["fitted", "lift_top"] == pytest.approx(np.mean(per))
    assert MH.lift(one["churned"], one["p_churn"], top=0.1).found == int(hand.sum())


# ------------------------------------------------------------------ csa.backtest as the issue calls it

CUTOFFS = ["2026-05", "2026-06", "2026-07", "2026-08"]


@pytest.fixture(scope="module")
def sample_backtest4(sample_ds):
    return csa.backtest(sample_ds, cutoffs=CUTOFFS, horizon=3)


def test_cutoffs_equal_start_and_end_on_the_same_origins(sample_ds, sample_backtest4):
    by_range = csa.backtest(sample_ds, start="2026-05", end="2026-08", horizon=3)
    pd.testing.assert_frame_equal(sample_backtest4.auc, by_range.auc)
    pd.testing.assert_frame_equal(sample_backtest4.counts, by_range.counts)
    pd.testing.assert_frame_equal(sample_backtest4.scores, by_range.scores)
    assert isinstance(type(sample_backtest4).mean, property)  # bt.mean, not bt.mean()
    pd.testing.assert_series_equal(sample_backtest4.mean, sample_backtest4.auc.mean())


def test_model_is_compared_as_your_model(sample_ds):
    mine = csa.HealthModel(weights={"nps_last": 1, "complaints_90d": -1})
    shuffled = ["2026-08", "2026-06", "2026-05", "2026-07"]  # any order: the origins are sorted
    a = csa.backtest(sample_ds, cutoffs=shuffled, horizon=3, models=["plan × segment"], model=mine)
    b = csa.backtest(sample_ds, cutoffs=CUTOFFS, horizon=3, models={"plan × segment": H.default_models()[
        "plan × segment"], "your model": mine})
    assert list(a.auc.columns) == ["plan × segment", "your model"]
    pd.testing.assert_frame_equal(a.auc, b.auc)


@pytest.mark.parametrize("kw, match", [
    ({"cutoffs": CUTOFFS[:3]}, "at least four"),
    ({"cutoffs": [*CUTOFFS, "2026-05"]}, "more than once"),
    ({"cutoffs": CUTOFFS, "start": "2026-05", "end": "2026-08"}, "not both"),
    ({"cutoffs": "2026-05"}, "list of origin months"),
    ({}, "give the origin months"),
    ({"cutoffs": ["2025-01", *CUTOFFS]}, "start ≥ 2025-05"),
    ({"cutoffs": [*CUTOFFS, "2026-09"]}, "end ≤ 2026-08"),
])
def test_backtest_origins_are_checked(sample_ds, kw, match):
    with pytest.raises(ValueError, match=match):
        csa.backtest(sample_ds, horizon=3, models=["plan × segment"], **kw)


def test_top_level_names():
    assert csa.backtest is H.backtest and csa.HealthModel is H.HealthModel
    assert csa.health_features is H.health_features


# ------------------------------------------------------------------ health.yaml

def test_the_example_file_is_the_handbooks_scheme():
    hf = PB.load()
    assert hf.example and hf.weights == {k: float(v) for k, v in H.HAND_WEIGHTS.items()}
    assert (hf.red, hf.yellow) == (0.1, 0.2) and len(hf.plays) >= 10
    assert {p.stage for p in hf.plays} >= {"onboarding", "renewal", "any"} and {p.tier for p in hf.plays} >= {
        "high", "mid", "low", "any"}
    sample_words = ("starter", "premium", "mid_market", "tokyo", "osaka", "fukuoka")
    for p in (PB.__file__, V.__file__, csa.labels.__file__.replace("__init__.py", "health.yaml")):
        text = open(p, encoding="utf-8").read().lower()
        assert not [w for w in sample_words if w in text], p


def test_categories_and_defaults_load():
    hf = PB.loads("weights:\n  nps_last_class: {weight: 10, points: {promoter: 100, detractor: 0}}\n"
                  "  complaints_90d: -5\n  plan: [3, {a: 100}]\n")
    assert hf.weights == {"nps_last_class": (10.0, {"promoter": 100.0, "detractor": 0.0}), "complaints_90d": -5.0,
                          "plan": (3.0, {"a": 100.0})}
    with pytest.raises(PB.HealthFileError):  # csat is a number: a category's form is refused
        PB.loads("weights:\n  csat_mean_180d: [3, {x: 1}]\n")
    empty = PB.loads("")
    assert empty.weights == {k: float(v) for k, v in H.HAND_WEIGHTS.items()} and empty.plays == ()


BAD = """\
version: 1
weights:
  nps_last: 25
  logins: 10
bands: {red: 0.1, yellow: 0.2}
playbook:
  - reason: surveys
    stage: renewal
    action: {en: Executive call, ja: 役員との面談}
    owner: {en: Head of CS, ja: CS部長}
  - reason: tickets
    tier: gold
    action: {en: Call back, ja: 折り返し電話}
    owner: {en: Support lead, ja: サポートリーダー}
  - reason: plan
    action: {en: Upsell}
    owner: {en: CSM, ja: 担当CSM}
"""


def test_a_bad_file_names_the_file_the_line_the_entry_and_the_fix(tmp_path):
    f = tmp_path / "health.yaml"
    f.write_text(BAD, encoding="utf-8")
    with pytest.raises(PB.HealthFileError) as e:
        PB.load(f)
    text = str(e.value)
    assert "4 problems in health.yaml" in text
    assert "health.yaml, line 4, weights › logins: 'logins' is not a signal of the health score. Fix: use one of:" \
        in text
    assert "health.yaml, line 12, playbook › 2 › tier: 'gold' is not an LTV tier. Fix: use high, mid, low or any" \
        in text
    assert "health.yaml, line 15, playbook › 3 › reason: 'plan' is who the customer is" in text
    assert "line 16, playbook › 3 › action: action needs a text in English and in Japanese" in text
    assert isinstance(e.value, csa.DataError) and all(p.fix for p in e.value.problems)


@pytest.mark.parametrize("text, match", [
    ("bands: {red: 0.5, yellow: 0.6}\n", r"line 1, bands: red and yellow together are 1\.1"),
    ("bands: {red: 2}\n", r"bands › red: red is 2"),
    ("playbook:\n  - {reason: surveys, action: {en: a, ja: あ}, owner: {en: b, ja: い}}\n"
     "  - {reason: surveys, action: {en: c, ja: う}, owner: {en: d, ja: え}}\n",
     r"line 3, playbook › 2: the same reason"),
    ("playbook:\n  - {reason: usage, stage: trial, action: {en: a, ja: あ}, owner: {en: b, ja: い}}\n",
     r"playbook › 1 › stage: 'trial' is not a lifecycle stage"),
    ("playbook:\n  - {reason: usage, colour: red, action: {en: a, ja: あ}, owner: {en: b, ja: い}}\n",
     r"playbook › 1 › colour: unknown field"),
    ("weights: [nps_last]\n", r"line 1, weights: 'weights:' must list signals"),
    ("playbok: []\n", r"playbok: unknown section"),
    ("weights:\n  nps_last: 25\n  nps_last: 20\n", r"line 3, weights › nps_last: 'nps_last' is given twice"),
    ("weights: {nps_last: [1, 2\n", r"not valid YAML"),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi")), "refused"),
])
def test_each_problem_is_named(text, match):
    with pytest.raises(PB.HealthFileError, match=match):
        PB.loads(text, source="health.yaml")


def test_the_file_is_found_like_the_registry(tmp_path):
    assert PB.resolve("", csa.datasets.sample_dir()) == PB.example_path()
    assert PB.resolve("", tmp_path) is None
    (tmp_path / "health.yaml").write_text("bands: {red: 0.05, yellow: 0.1}\n", encoding="utf-8")
    found = PB.resolve("", tmp_path)
    assert found == (tmp_path / "health.yaml").resolve() and PB.load(found).bands == (0.05, pytest.approx(0.15))
    with pytest.raises(FileNotFoundError, match=r"health\.yaml not found"):
        PB.resolve(tmp_path / "nope.yaml", tmp_path)


def test_lifecycle_stages():
    assert PB.stage_of(pd.Series([0, 2, 3, 11, 12, np.nan], index=list("abcdef"))).to_dict() == {
        "a": "onboarding", "b": "onboarding", "c": "adoption", "d": "adoption", "e": "renewal", "f": None}


# ------------------------------------------------------------------ which play

def _row(reason, stage="any", tier="any", n=0):
    return {"reason": reason, "stage": stage, "tier": tier, "action": {"en": f"play {n}", "ja": f"プレイ{n}"},
            "owner": {"en": "o", "ja": "担当"}}


def _file(rows) -> PB.HealthFile:
    import yaml

    return PB.loads(yaml.safe_dump({"playbook": rows}, allow_unicode=True))


def test_the_most_specific_matching_row_wins_then_the_earlier():
    hf = _file([_row("any", n=1), _row("surveys", n=2), _row("nps_last", n=3), _row("surveys", "renewal", n=4),
                _row("tickets", tier="high", n=5), _row("any", "onboarding", n=6), _row("tickets", n=7)])
    play = lambda reasons, stage="adoption", tier="mid": hf.play_for(reasons, stage, tier).row
    assert play(["nps_last"]) == 3                     # a signal before its group
    assert play(["csat_mean_180d"]) == 2               # the group
    assert play(["csat_mean_180d"], "renewal") == 4    # group and stage beat the group alone
    assert play(["nps_last"], "renewal") == 4          # two named (group, stage) beat one (the signal)
    assert play(["tickets_90d"], tier="high") == 5 and play(["tickets_90d"]) == 7
    assert play(["mrr_change_3m", "nps_last"]) == 1    # the first reason already matches a row (any)
    assert play([], "onboarding") == 6 and play([]) == 1
    equal = _file([_row("surveys", n=1), _row("surveys", "renewal", n=2), _row("surveys", tier="high", n=3)])
    assert equal.play_for(["nps_last"], "renewal", "high").row == 2  # equally specific: the earlier row
    assert _file([_row("surveys", "renewal")]).play_for(["tickets_90d"], "adoption", "mid") is None


# ------------------------------------------------------------------ the early warning list on the sample

@pytest.fixture(scope="module")
def section(sample_ds):
    return V.build(sample_ds)


def test_the_list_is_ordered_by_probability_times_mrr(section):
    w = section.warning
    np.testing.assert_allclose(w["at_risk"], w["p_churn"] * w["mrr"])
    assert (np.diff(w["at_risk"].to_numpy()) <= 1e-9).all()
    assert set(w["band"]) == {"red", "yellow"} and len(w) > 100
    assert set(w.index) <= set(section.signals.index) and w.index.is_unique
    active = section.signals.index
    subs = section.signals.attrs["asof"]
    assert subs == "2026-11" and len(active) == 1261  # subscribed in 2026-10, the report period


def _largest(c: pd.DataFrame, cid, cols, k) -> list[str]:
    row = c.loc[cid, cols]
    row = row[row > 1e-12]
    return list(row.sort_values(ascending=False, kind="stable").index[:k])


@pytest.mark.parametrize("hand", [False, True])
def test_every_reason_is_one_of_the_largest_pushes_of_that_account(section, sample_ds, hand):
    """Reasons are the actionable factors with the largest contributions (the hand-weighted score: the largest
    point losses), largest first; who the customer is goes to the profile, never to the reasons."""
    X = section.signals.drop(columns="churned")
    model = section.model
    if hand:
        train = H.training_frame(sample_ds, until=section.month, frames=section.backtest.frames)
        y = train.pop("churned").astype(bool)
        model = csa.HealthModel(weights=section.file.weights, bands=section.file.bands).fit(train, y)
    ew = V.early_warning(model, X)
    c = model.contributions(X)
    structural = {f.name for f in H.FEATURES if f.group == "structural"}
    actionable = [n for n in c.columns if n not in structural]
    for cid, r in ew.iterrows():
        assert r["reasons"] == _largest(c, cid, actionable, 3)
        assert not set(r["reasons"]) & structural and set(r["profile"]) <= structural
        losses = c.loc[cid, r["reasons"]].to_numpy()
        assert (losses > 0).all() and (np.diff(losses) <= 1e-12).all()
        others = c.loc[cid, [n for n in actionable if n not in r["reasons"]]]
        assert len(r["reasons"]) < 3 or (others <= losses.min() + 1e-12).all()
    if hand:  # points lost add up to 100 − health
        np.testing.assert_allclose(c.sum(axis=1), 100 - model.health(X))


def test_the_play_is_the_playbooks_first_matching_row(section):
    plays = section.file.plays
    tables = {f.name: f.table for f in H.FEATURES}

    def matches(p, reason, stage, tier):
        ok = p.reason == "any" or p.reason == reason or (reason is not None and tables.get(reason) == p.reason)
        return ok and p.stage in ("any", stage) and p.tier in ("any", tier)

    seen = set()
    for _, r in section.warning.iterrows():
        expected = None
        for reason in [*r["reasons"], None]:
            rows = [p for p in plays if matches(p, reason, r["stage"], r["tier"])]
            if rows:
                top = max(sum(x != "any" for x in (p.reason, p.stage, p.tier)) * 3 + p.reason_level for p in rows)
                expected = next(p for p in rows
                                if sum(x != "any" for x in (p.reason, p.stage, p.tier)) * 3 + p.reason_level == top)
                break
        assert r["play"] == expected.row and r["action"] == expected.action and r["owner"] == expected.owner
        seen.add(expected.row)
    assert len(seen) >= 5  # the example playbook is used, not one catch-all row


def test_last_months_list_by_hand(section, sample_ds):
    prev = section.previous
    month = section.month
    train = H.training_frame(sample_ds, until=month - 1, frames=section.backtest.frames)
    y = train.pop("churned").astype(bool)
    assert train.attrs["asof"][-1] == str(month - 3)  # its window closed by the end of the month before
    m = csa.HealthModel(bands=section.file.bands).fit(train, y)
    X = csa.health_features(sample_ds, asof=month).drop(columns="churned")
    flagged = X.index[np.isin(m.band(X), ["red", "yellow"])]
    now = set(sample_ds.subscriptions.loc[sample_ds.subscriptions["month"] == month, "customer_id"])
    assert prev["flagged"] == len(flagged) and prev["left"] == sum(c not in now for c in flagged)
    assert prev["others"] == len(X) - len(flagged)
    assert not prev["closed"] and str(prev["closes"]) == "2026-12"
    text = V.describe_previous(prev, lang="en")
    assert "not closed yet" in text and "end of 2026-12" in text


def test_report_sentences_have_no_identifiers_and_numbers_have_separators(section):
    cal = V.calibration_table(section.backtest)
    for lang in ("en", "ja"):
        texts = [V.scope_sentence(section, lang=lang), V.describe_file(section.file, lang=lang),
                 V.describe_backtest(section.backtest, lang=lang), V.describe_calibration(cal, lang=lang),
                 V.describe_list(section, 10, lang=lang), V.describe_previous(section.previous, lang=lang)]
        table = V.list_table(section.warning.head(20), section.signals, lang)
        cells = [str(v) for v in table.drop(columns=["customer_id", "name", "csm"]).to_numpy().ravel()]
        for text in texts + cells + list(V.backtest_table(section.backtest, lang=lang).columns):
            assert not re.search(r"`|\b[a-z]+_[a-z0-9_]+\b", text), text
            assert not re.search(r"(?<![\d.,])\d{4,}(?![\d-])", text.replace("2026-", "")), text
        if lang == "ja":
            assert not re.search(r"[A-Za-z]{5,}", "".join(texts).replace("health.yaml", "")), texts
    assert "beats all of them" in V.describe_backtest(section.backtest, lang="en")


def test_the_list_is_shown_whole_for_the_report(section):
    table = V.list_table(section.warning, section.signals, "ja")
    shown = V.at_risk_list(table, 10, lang="ja")
    payload = shown.payload()
    assert payload["name"] == "at_risk" and len(payload["rows"]) == len(section.warning) and payload["shown"] == 10
    from csa.report.lists import TABLE_MIMETYPE
    assert TABLE_MIMETYPE in shown._repr_mimebundle_()


def test_headline_records(section):
    auc, at_risk = V.headline_records(section)
    assert auc["kpi"] == "health_auc" and auc["value"] == pytest.approx(100 * section.backtest.mean["fitted"])
    assert auc["unit"] == "%" and auc["n"] == int(section.backtest.counts["customers"].sum())
    assert at_risk["value"] == pytest.approx(section.warning["at_risk"].sum()) and at_risk["unit"] == "JPY"
    assert "key" not in auc  # a section's fact, not a catalogue KPI


def test_the_calibration_chart_draws_the_table(section):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from csa.display import charts

    cal = V.calibration_table(section.backtest)
    ax = charts.observed_expected(cal, title="T", value_name="observed", diagonal_name="diagonal")
    x, y = ax.lines[1].get_data()
    np.testing.assert_allclose(x, cal["expected"])
    np.testing.assert_allclose(y, cal["observed"])
    plt.close(ax.figure)


def test_short_data_say_so_instead_of_failing(small_source):
    ds = csa.load(small_source)  # 60 customers, 8 months: a score, but no backtest
    sec = V.build(ds, data_dir=small_source)
    assert sec.backtest is None and sec.model is not None and not sec.file.found
    assert "too short for a backtest" in V.describe_backtest(sec.backtest, lang="en")
    assert [r["kpi"] for r in V.headline_records(sec)] == ["health_at_risk"]
    subs = ds.subscriptions
    short = dataclasses.replace(ds, subscriptions=subs[subs["month"] >= pd.Period("2026-07", "M")])
    sec = V.build(short, data_dir=small_source)  # four months: no outcome known to learn from
    assert sec.model is None and sec.warning.empty and not sec.previous["ok"] and V.headline_records(sec) == []
    assert "nothing yet to learn a score from" in V.scope_sentence(sec, lang="en")
    assert "No early warning list" in V.describe_list(sec, 10, lang="en")
    assert "2026-09" in V.describe_previous(sec.previous, lang="ja")


def test_the_points_table_in_words_follows_the_model_in_both_languages():
    X = pd.DataFrame({"nps_last": [9, 10, 8, 3, 2, None, 9, 4, 7, 6] * 3,
                      "active_share_1m": [0.9, 0.8, 0.95, 0.2, 0.3, 0.5, 0.85, 0.4, 0.7, 0.6] * 3,
                      "plan": ["starter", "premium"] * 15})
    y = [0, 0, 0, 1, 1, 1, 0, 1, 0, 0] * 3
    m = csa.HealthModel(min_frequency=1, bins=3).fit(X, y)
    raw = m.points_table()
    for lang in ("en", "ja"):
        words = V.points_table(m, lang, min_spread=0)
        assert len(words) == len(raw)
        assert not words.isin(["nps_last", "active_share_1m", "plan", "starter", "(missing)"]).any().any()
        times = "×" if lang == "en" else "倍"
        odds = words["odds_col"].str.rstrip(times).astype(float)
        np.testing.assert_allclose(odds, raw["odds_ratio"].round(2))
    en = V.points_table(m, "en", min_spread=0)
    assert en["bin_col"].str.contains("%").sum() == 3 and "no data" in set(en["bin_col"])
    assert {"Starter", "Premium"} <= set(en["bin_col"])


def test_with_many_customers_the_score_learns_from_a_stated_sample_and_the_list_scores_everyone(sample_ds):
    full = V.build(sample_ds, n_origins=4)
    sec = V.build(sample_ds, n_origins=4, max_customers=800)
    assert full.sampled is None and sec.sampled == (800, 2000)
    assert len(sec.signals) == len(full.signals) == 1261  # every customer subscribed at the end of 2026-10
    assert sec.training[2] < 0.5 * full.training[2]  # customer-months learned from: those of the 800
    assert set(sec.warning.index) <= set(sec.signals.index) and len(sec.warning) > 300
    sample = H.customer_sample(sample_ds, 800, seed=0)
    assert sec.backtest.counts["customers"].max() <= sample.subscriptions["customer_id"].nunique()
    for lang, words in (("en", "drawn at random"), ("ja", "無作為に選んだ800社")):
        assert words in V.scope_sentence(sec, lang=lang) and words not in V.scope_sentence(full, lang=lang)
    again = H.customer_sample(sample_ds, 800, seed=0)
    assert again.customers["customer_id"].tolist() == sample.customers["customer_id"].tolist()
    assert (sample.usage["customer_id"].isin(sample.customers["customer_id"])).all()
    assert len(sample.support_costs) == len(sample_ds.support_costs)


def test_the_auc_interval_agrees_with_a_plain_bootstrap_and_hanley_mcneil():
    """The BCa interval of MH.auc_interval against (a) a percentile bootstrap written out with scikit-learn's
    roc_auc_score (the same bounds within 0.015) and (b) Hanley & McNeil's (1982) standard error (a quarter)."""
    rng = np.random.default_rng(7)
    y = rng.random(600) < 0.15
    score = y * 0.8 + rng.normal(0, 1, 600)
    lo, hi = MH.auc_interval(y, score)
    a = roc_auc_score(y, score)
    assert lo < a < hi
    boot = []
    for _ in range(2000):
        i = rng.integers(0, 600, 600)
        if y[i].any() and not y[i].all():
            boot.append(roc_auc_score(y[i], score[i]))
    p_lo, p_hi = np.quantile(boot, [0.025, 0.975])
    assert (lo, hi) == pytest.approx((p_lo, p_hi), abs=0.015)
    n1, n0 = y.sum(), (~y).sum()
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se = math.sqrt((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n1 * n0))
    assert (hi - lo) / 2 == pytest.approx(1.96 * se, rel=0.25)  # their normal approximation is rougher
    assert np.isnan(MH.auc_interval([True, True], [0.1, 0.2])).all()  # nobody stayed: nothing to rank


def test_lift_at_a_number_of_accounts_is_a_hand_count():
    y, p = LEFT, P  # the riskiest 3: a (0.9, left), b (0.8), h (0.7, left)
    r = MH.lift(y, p, k=3)
    assert (r.k, r.found, r.recall) == (3, 2, 2 / 3) and r.lift == pytest.approx((2 / 3) / 0.3)
    assert MH.lift(y, p, k=50).k == 10  # more than there are: all of them
    with pytest.raises(ValueError, match="number of accounts"):
        MH.lift(y, p, k=0)


def test_bad_sizes_are_refused_with_what_is_expected(sample_ds):
    X = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6]})
    with pytest.raises(ValueError, match="bins is a whole number"):
        csa.HealthModel(bins=-1).fit(X, [0, 1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="max_customers is a whole number"):
        V.build(sample_ds, max_customers=-5)
    with pytest.raises(ValueError, match="top is a share"):
        MH.lift([1, 0], [0.2, 0.1], top=0)
