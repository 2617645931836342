"""The primer's view (csa.views.primer), pinned to hand computations; the glossary; a Japanese run."""

from __future__ import annotations

import math
import re
import string

import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from csa import KPIS
from csa import glossary as G
from csa import registry as R
from csa import stats as S
from csa.labels import Labels, table
from csa.views import primer

from . import helpers
from .conftest import ROOT

JA = re.compile(r"[ぁ-んァ-ヶ一-龥]")
Z = 1.959963984540054  # z for a 95 % interval


def wilson(x, n, z=Z):
    """Wilson (1927) score interval in percent, written out by hand."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * max(centre - half, 0), 100 * min(centre + half, 1)


# ------------------------------------------------------------------------------- glossary

# the KPIs by their catalogue ids (csa.KPIS), the other terms by their ids in glossary.yaml
REQUIRED_TERMS = {
    "kpi", "kgi", "smart", "nps", "promoter", "passive", "detractor", "csat", "ces", "gcr", "frt", "fcr",
    "aht", "cpi", "sla", "completion", "abandonment", "churn", "revenue_churn",
    "retention", "nrr", "grr", "ltv", "arpa", "mrr", "cohort", "touchpoint", "segment", "ltv_tier",
    "service_level_agreement", "service_model", "low_touch",
    "interval", "confidence_level", "p_value", "power", "sample_size", "paired", "independent", "small_n",
    "mix_effect", "standard_error", "wilson", "adjusted_wald", "kaplan_meier", "censoring", "shrinkage",
}


def test_glossary_every_entry_has_english_japanese_and_a_definition():
    g = primer.glossary()
    assert len(g) >= len(REQUIRED_TERMS)
    for row in g.itertuples():
        assert row.en and row.ja and row.definition_en, f"{row.term}: en, ja and definition_en are required"
        assert JA.search(row.ja), f"{row.term}: the Japanese term has no Japanese: {row.ja!r}"
        # a KPI's definition is the catalogue's one sentence, with its parameters' alternatives (GCR per attempt,
        # FCR's all_contacts rule): one line, a little longer than the glossary's own terms
        limit = 200 if row.term in KPIS else 160
        assert "\n" not in row.definition_en and len(row.definition_en) <= limit, f"{row.term}: one short line"
        if row.definition_ja:
            assert JA.search(row.definition_ja), row.term
        assert row.kind in ("", "kpi", "kgi"), row.term
        assert row.better in ("", "higher", "lower"), row.term
        assert bool(row.kind) == bool(row.better), f"{row.term}: only a metric says which way is better"


def test_glossary_has_every_term_the_handbook_uses_once():
    g = primer.glossary()
    missing = REQUIRED_TERMS - set(g["term"])
    assert not missing, f"glossary.yaml lacks {sorted(missing)}"
    # YAML silently keeps the last of two equal keys: count the top-level keys in the file itself
    text = (ROOT / "csa" / "glossary.yaml").read_text(encoding="utf-8")
    keys = re.findall(r"^([a-z_]+):\s*$", text, flags=re.M)
    assert len(keys) == len(set(keys)) and G.MARKER in keys
    assert len(keys) - 2 + len(KPIS) == len(g), "the file's terms, and the catalogue's KPIs where _catalogue: stands" \
        " (_also: lists other names, no term)"
    assert g["term"].is_unique


def test_kpi_and_kgi_are_classified_as_in_the_nps_notebook():
    g = primer.glossary().set_index("term")
    kpis = set(g.index[g["kind"] == "kpi"])
    kgis = set(g.index[g["kind"] == "kgi"])
    assert {"nps", "csat", "ces", "gcr", "frt", "fcr", "aht", "completion", "abandonment",
            "cpi"} <= kpis
    assert {"churn", "revenue_churn", "retention", "ltv", "sla"} <= kgis
    for k in KPIS.values():  # every KPI as the catalogue declares it
        assert (g.loc[k.id, "kind"], g.loc[k.id, "better"]) == (k.kind, k.direction), k.id
    # CES is the catalogue's share of answers at the easy end: higher is better (the mean effort score, lower)
    assert g.loc["ces", "better"] == "higher" and g.loc["nps", "better"] == "higher"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_kpi_kgi_and_glossary_tables(lang):
    k = primer.kpi_kgi_table(lang)
    kinds = k.iloc[:, 1].tolist()
    first_kgi = kinds.index(Labels("primer", lang)("kind_kgi"))
    assert set(kinds[:first_kgi]) == {Labels("primer", lang)("kind_kpi")}, "KPIs first, then KGIs"
    g = primer.glossary_table(lang)
    assert len(g) == len(primer.glossary()) and g.shape[1] == 3
    assert (g.iloc[:, 1].str.len() > 0).all(), "a definition for every term (the English one at least)"
    if lang == "ja":
        assert g.index[0] == "KPI（重要業績評価指標）" and JA.search(g.iloc[0, 1])


def test_primer_labels_have_both_languages_and_the_same_placeholders():
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}
    for key, entry in table("primer").items():
        assert set(entry) == {"en", "ja"}, key
        assert fields(entry["en"]) == fields(entry["ja"]), key
        assert entry["en"].strip() and entry["ja"].strip(), key


# ------------------------------------------------------------------------------- intervals

def test_proportion_table_matches_wilson_by_hand():
    ok = [True, True, True, False, False] + [True] * 30 + [False] * 10
    df = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 40, "ok": ok})
    tab = primer.proportion_table(df, "g", "ok", min_n=30)
    assert tab["n"].tolist() == [5, 40] and tab["successes"].tolist() == [3, 30]
    assert tab["pct"].tolist() == pytest.approx([60.0, 75.0])
    for row, (x, n) in zip(tab.itertuples(), [(3, 5), (30, 40)], strict=True):
        assert (row.low, row.high) == pytest.approx(wilson(x, n), abs=1e-9)
    assert tab["small_n"].tolist() == [True, False]


def test_interval_widths_shrink_with_root_n():
    w = primer.interval_widths(0.5, [10, 40, 160, 640])
    for row in w.itertuples():
        assert row.width == pytest.approx(wilson(row.successes, row.n)[1] - wilson(row.successes, row.n)[0])
    ratios = w["width"].to_numpy()[:-1] / w["width"].to_numpy()[1:]
    assert ratios == pytest.approx([2, 2, 2], abs=0.25), "four times the answers, half the width"
    assert w["sample"].tolist() == ["n = 10", "n = 40", "n = 160", "n = 640"]


def test_simulate_intervals_is_reproducible_and_counts_coverage():
    pop = np.array([True] * 565 + [False] * 435)
    a = primer.simulate_intervals(pop, n=50, n_sim=100, seed=7)
    b = primer.simulate_intervals(pop, n=50, n_sim=100, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["survey", "n", "successes", "pct", "low", "high", "covered"]
    assert a["survey"].tolist() == list(range(1, 101))
    row = a.iloc[0]
    assert (row["low"], row["high"]) == pytest.approx(wilson(row["successes"], 50))
    assert a["covered"].tolist() == ((a["low"] <= 56.5) & (a["high"] >= 56.5)).tolist()
    assert not primer.simulate_intervals(pop, n=50, n_sim=100, seed=8).equals(a), "another seed"


def test_simulate_intervals_long_run_coverage_is_the_level():
    pop = np.array([True] * 50 + [False] * 50)
    sim = primer.simulate_intervals(pop, n=50, n_sim=20_000, seed=1)
    # exact coverage of the Wilson interval at p = 0.5, n = 50, summed over the binomial outcomes
    exact = sum(st.binom.pmf(x, 50, 0.5) for x in range(51) if wilson(x, 50)[0] <= 50 <= wilson(x, 50)[1])
    assert 0.93 < exact < 0.96
    assert sim["covered"].mean() == pytest.approx(exact, abs=0.006)  # 3.5 standard errors of 20,000 draws
    always = primer.simulate_intervals(np.ones(10, bool), n=3, n_sim=20, seed=1)
    assert always["covered"].all() and (always["high"] == 100).all()


def test_simulate_intervals_refuses_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        primer.simulate_intervals([], n=5)
    with pytest.raises(ValueError, match="at least 1"):
        primer.simulate_intervals([True, False], n=0)


def test_simulate_no_change_approximates_the_p_value():
    share = primer.simulate_no_change(206, 366, 208, 344, n_sim=40_000, seed=3)
    d = S.diff_proportions(206, 366, 208, 344)
    assert share == pytest.approx(d.p_value, abs=0.02)
    # no observed difference: every simulated pair differs at least as much
    assert primer.simulate_no_change(50, 100, 50, 100, n_sim=100, seed=1) == 1.0


def test_describe_coverage_in_both_languages():
    sim = pd.DataFrame({"covered": [True] * 93 + [False] * 7})
    text = primer.describe_coverage(sim, 56.54, lang="en")
    assert text.startswith("**93 of 100** intervals contain the true share (56.5%); 7 miss it")
    assert "**100本中93本**" in primer.describe_coverage(sim, 56.54, lang="ja")


# ------------------------------------------------------------------------------- SMART and power

def _resp(rows):
    return pd.DataFrame(rows, columns=["customer_id", "touchpoint", "responded_at", "score"]).assign(
        responded_at=lambda d: pd.to_datetime(d["responded_at"]).dt.tz_localize("Asia/Tokyo"))


def test_smart_target_from_the_last_wave():
    rows = [(f"c{i}", "relationship", "2026-04-10", s) for i, s in enumerate([9, 9, 3, 7])]
    rows += [(f"c{i}", "relationship", "2026-10-10", s) for i, s in enumerate([10, 9, 9, 8, 2])]
    rows += [("c9", "support_contact", "2026-11-01", 0)]
    target = primer.smart_target(_resp(rows), change=10)
    assert (target.wave, target.deadline, target.n) == ("2026-10", "2027-04", 5)
    assert target.baseline == pytest.approx(100 * (3 - 1) / 5) and target.target == pytest.approx(50.0)
    assert target.need == S.sample_size_nps(10, promoters=0.6, detractors=0.2)
    text = primer.describe_smart(target)
    assert "from **+40.0** (the 2026-10 wave, n = 5) to **+50.0 or more** by the **2027-04** wave" in text
    assert "⚠️ The 5 answers" in text
    with pytest.raises(ValueError, match="the touchpoints are: relationship, support_contact"):
        primer.smart_target(_resp(rows), touchpoint="web_visit")


@pytest.fixture(scope="module")
def ds(sample_ds):
    return sample_ds  # the bundled sample, loaded once per session (tests/conftest.py); read only


def test_the_smart_example_is_the_registrys_check_and_passes(ds):
    chk = primer.smart_check(ds, "csat")
    reg = R.load(R.example_path())
    e = reg.entry("csat")
    assert chk.entry == e and chk.ok and chk.period == pd.Period("2026-10", "M")
    m = chk.smart.checks["M"]
    assert m.why == "enough" and m.values["review"] == "quarter" and m.values["n"] >= m.values["need"]
    # the planner by hand: two quarters, from the quarter the target was set in to the target
    base = m.values["base"] / 100
    assert m.values["base_period"] == "2026Q2"
    assert m.values["need"] == int(S.sample_size_proportions(base, e.target / 100))
    text = primer.describe_smart_check(chk, lang="en")
    assert "at **66.0% or more** by **2027-03** (set in 2026-04), reviewed quarterly" in text
    assert text.endswith("It passes all five SMART letters.")
    letters = primer.smart_letters(chk, lang="ja")
    assert letters.shape == (5, 2) and set(letters.iloc[:, 0]) == {"✓"}
    assert "顧客解約率（月次）につながります" in letters.iloc[3, 1], "the KGI by its name, not its id"


def test_the_same_target_read_monthly_fails_measurable_and_says_why(ds):
    chk = primer.smart_check(ds, "csat", review="month")
    assert chk.smart.failed == ["M"] and chk.smart.checks["M"].why == "too_few"
    v = chk.smart.checks["M"].values
    assert v["n"] < v["need"] == int(S.sample_size_proportions(v["base"] / 100, 0.66))
    why = primer.smart_letters(chk, lang="en").iloc[1, 1]
    assert why.startswith(f"only {v['n']:,} per review period; {v['need']:,} are needed") and "Pool periods" in why
    assert "fails M" in primer.describe_smart_check(chk, lang="en")
    assert "Mを満たしていません" in primer.describe_smart_check(chk, lang="ja")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_kgis_review_and_which_way_is_better_read_in_words(lang):
    L = Labels("primer", lang)
    k = primer.kpi_kgi_table(lang)
    kgi = k[k.iloc[:, 1] == L("kind_kgi")]
    assert set(kgi[L("review")]) == {L("review_kgi")} and set(k[L("better")]) == {L("better_higher"),
                                                                                  L("better_lower")}
    assert k.loc[KPIS["frt"].title(lang), L("better")] == L("better_lower")
    assert k.loc[KPIS["gcr"].title(lang), L("definition")] == KPIS["gcr"].definition[lang]


def test_sample_size_table_pinned():
    tab = primer.sample_size_table(0.5, 0.3, 0.3, [10])
    assert tab.to_dict("records") == [{"change": 10, "n_share": 388, "n_nps": 942}]  # stats docstring values
    tab = primer.sample_size_table(0.565, 0.22, 0.44, [5, 10, 20])
    expected = S.sample_size_proportions(0.565, np.array([0.615, 0.665, 0.765]))
    assert tab["n_share"].tolist() == expected.tolist()
    assert tab["n_share"].is_monotonic_decreasing and tab["n_nps"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="cannot rise by 20"):
        primer.sample_size_table(0.9, 0.3, 0.3, [20])


# ------------------------------------------------------------------------------- paired

def test_paired_vs_independent_by_hand():
    before = [10, 6, 8, 3]        # +1, −1, 0, −1
    after = [10, 9, 9, 7]         # +1, +1, +1, 0
    rows = [(f"c{i}", "relationship", "2026-04-10", s) for i, s in enumerate(before)]
    rows += [(f"c{i}", "relationship", "2026-10-10", s) for i, s in enumerate(after)]
    rows += [("c9", "relationship", "2026-10-12", 0)]  # answered only the second wave: not a pair
    tab = primer.paired_vs_independent(_resp(rows), "2026-04", "2026-10").set_index("group")
    assert tab["n"].tolist() == [4, 4]
    assert tab.loc["paired", "nps_before"] == pytest.approx(-25.0)
    assert tab.loc["paired", "nps_after"] == pytest.approx(75.0)
    # paired t by hand: differences 0, 2, 1, 1
    d = np.array([0, 2, 1, 1.0])
    half = st.t.ppf(0.975, 3) * d.std(ddof=1) / 2
    assert tab.loc["paired", "diff"] == pytest.approx(100.0)
    paired = (tab.loc["paired", "low"], tab.loc["paired", "high"])
    assert paired == pytest.approx((100 * (1 - half), 100 * (1 + half)))
    # independent, adjusted Wald (Rocks 2016) by hand: after P=3 D=0, before P=1 D=2, n=4 each
    pa, da, pb, db = 3.75 / 7, 0.75 / 7, 1.75 / 7, 2.75 / 7
    var = lambda p, q: p + q - (p - q) ** 2
    se = math.sqrt(var(pa, da) / 7 + var(pb, db) / 7)
    centre = (pa - da) - (pb - db)
    assert tab.loc["independent", "diff"] == pytest.approx(100.0)
    assert tab.loc["independent", "low"] == pytest.approx(100 * (centre - Z * se))
    assert tab.loc["independent", "width"] == pytest.approx(200 * Z * se)


# ------------------------------------------------------------------------------- small groups

def test_last_full_quarter():
    ts = lambda *d: pd.Series(pd.to_datetime(list(d)))
    assert primer.last_full_quarter(ts("2026-07-01", "2026-10-31")) == pd.Period("2026Q3", "Q-DEC")
    assert primer.last_full_quarter(ts("2026-12-01")) == pd.Period("2026Q4", "Q-DEC")


def test_pooling_table_months_quarter_and_year():
    dates = ["2025-09-15", "2025-10-15", "2026-03-01", "2026-07-05", "2026-07-20", "2026-09-30", "2026-10-01"]
    ok = [True, True, False, True, False, True, True]
    df = pd.DataFrame({"responded_at": pd.to_datetime(dates), "ok": ok})
    tab = primer.pooling_table(df, "ok", "2026Q3", time="responded_at", min_n=3)
    assert tab["period"].tolist() == ["2026-07", "2026-08", "2026-09", "2026Q3", "2025-10 – 2026-09"]
    assert tab["pool"].tolist() == ["month", "month", "month", "quarter", "year"]
    assert tab["n"].tolist() == [2, 0, 1, 3, 5] and tab["successes"].tolist() == [1, 0, 1, 2, 3]
    assert math.isnan(tab.loc[1, "pct"]) and math.isnan(tab.loc[1, "low"])
    assert (tab.loc[4, "low"], tab.loc[4, "high"]) == pytest.approx(wilson(3, 5))
    assert tab["small_n"].tolist() == [True, True, True, False, False]


# ------------------------------------------------------------------------------- mix effect

def test_mix_effect_by_hand():
    # period b: x = [10, 0] (NPS 0), y = [10, 10] (NPS 100): overall 50
    # period a: x = [10, 0, 8] (NPS 0), y = [10] (NPS 100), z = [0, 0] (NPS -100, only in a)
    df = pd.DataFrame({"period": ["b"] * 4 + ["a"] * 6, "touchpoint": list("xxyy") + list("xxxyzz"),
                       "score": [10, 0, 10, 10, 10, 0, 8, 10, 0, 0]})
    m = primer.mix_effect(df, "a", "b")
    # overall a by hand: promoters 2, detractors 3 of 6
    assert m.overall_a == pytest.approx(100 * (2 - 3) / 6) and m.overall_b == pytest.approx(50.0)
    # same mix: b's shares (x 1/2, y 1/2) on a's NPS (x 0, y 100); z is not in b: weight 0
    assert m.same_mix == pytest.approx(0.5 * 0 + 0.5 * 100)
    assert m.mix == pytest.approx(m.overall_a - 50.0) and m.within == pytest.approx(0.0)
    assert m.change == pytest.approx(m.mix + m.within)
    t = m.table.set_index("touchpoint")
    assert t.index.tolist() == ["x", "y", "z", "all"]
    assert t["n_a"].tolist() == [3, 1, 2, 6] and t["n_b"].tolist() == [2, 2, 0, 4]
    assert t.loc["z", "share_b"] == 0 and math.isnan(t.loc["z", "nps_b"])
    assert t["share_a"].tolist() == pytest.approx([50, 100 / 6, 100 / 3, 100])
    assert t.loc["all", "nps_a"] == pytest.approx(m.overall_a)


def test_mix_effect_group_missing_in_the_later_period_is_rescaled():
    # b: x 2 answers (NPS 100), y 2 answers (NPS -100), w 4 answers; a has only x and y
    df = pd.DataFrame({"period": ["b"] * 8 + ["a"] * 2, "touchpoint": list("xxyywwww") + list("xy"),
                       "score": [10, 10, 0, 0, 8, 8, 8, 8, 10, 8]})
    m = primer.mix_effect(df, "a", "b")
    assert m.overall_a == pytest.approx(50.0)          # x: 100, y: 0, half each
    # b's x and y shares (25 %, 25 %) rescaled to 1/2 and 1/2
    assert m.same_mix == pytest.approx(0.5 * 100 + 0.5 * 0)


def test_mix_effect_sentences_and_errors():
    df = pd.DataFrame({"period": ["b"] * 4 + ["a"] * 4, "touchpoint": list("xxxy") + list("xyyy"),
                       "score": [0, 0, 0, 10, 0, 8, 8, 8]})
    m = primer.mix_effect(df, "a", "b")  # x −100 → −100, y 100 → 0: within falls, mix lifts the overall
    assert m.overall_b == pytest.approx(-50) and m.overall_a == pytest.approx(-25) and m.within < 0 < m.change
    text = primer.describe_mix_effect(m, "2026-10", "2026-09")
    assert "**−50.0** in 2026-09 → **−25.0** in 2026-10 (+25.0 points)" in text, "the handbook's minus sign"
    assert "Simpson's paradox" in text
    assert "シンプソンのパラドックス" in primer.describe_mix_effect(m, "a", "b", lang="ja")
    wide = primer.mix_shares(m, "2026-10", "2026-09")
    assert wide["period"].tolist() == ["2026-09", "2026-10"] and wide["x"].tolist() == pytest.approx([75, 25])
    with pytest.raises(ValueError, match="no NPS answers in period c"):
        primer.mix_effect(df, "c", "b")
    with pytest.raises(KeyError, match="'channel' not found"):
        primer.mix_effect(df, "a", "b", by="channel")


# ------------------------------------------------------------------------------- the notebook in Japanese

@pytest.mark.slow
def test_primer_runs_in_japanese_with_japanese_chart_titles(tmp_path):
    # Charts are PNG in the committed notebook; for this run they are SVG with text kept as text,
    # so the chart titles can be read in the outputs.
    nb = nbformat.read(ROOT / "notebooks" / "00_primer.ipynb", as_version=4)
    svg_text = ('%config InlineBackend.figure_formats = ["svg"]\n'
                'import matplotlib\nmatplotlib.rcParams["svg.fonttype"] = "none"')
    nb.cells.insert(0, nbformat.v4.new_code_cell(svg_text))
    src = tmp_path / "in.ipynb"
    nbformat.write(nb, src)
    ran = helpers.execute(src, tmp_path / "out.ipynb", cwd=ROOT / "notebooks", lang="ja")
    outputs = [o for c in ran.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    svg = "\n".join(o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {}))
    text = "\n".join(o["data"].get("text/markdown", "") + o["data"].get("text/html", "") for o in outputs
                     if "data" in o)
    L = Labels("primer", "ja")
    for title in (L("title_ladder", n=50, n_sim=100, level=0.95), L("title_widths"), L("title_monthly"),
                  L("title_paired", before="2026-04", after="2026-10"), L("title_mix")):
        assert title in svg, f"chart title {title!r} not drawn"
    assert "定期調査" in svg and "サポート対応後" in svg  # touchpoints translated on the mix chart
    assert "**台帳の項目としての目標：**" in text and "**定期調査の目標：**" in text
    assert "シンプソンのパラドックス" in text and "顧客生涯価値" in text
