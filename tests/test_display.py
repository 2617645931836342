"""Display: charts inspected through their Axes (nbval never compares images), tables, labels."""

from __future__ import annotations

import re
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from csa import labels
from csa.display import charts, format_table
from csa.metrics import nps as N
from csa.views import nps as V

SHARES = ["pct_detractors", "pct_passives", "pct_promoters"]


@pytest.fixture(scope="module")
def resp(sample_ds):
    return V.responses(sample_ds)


@pytest.fixture(scope="module")
def by_tp(resp):
    return N.nps_table(resp[resp["period"] == pd.Period("2026-10", "M")], "touchpoint")


def _render_without_warnings(ax):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        ax.figure.canvas.draw()
    plt.close(ax.figure)


def _texts(ax):
    return [t.get_text() for t in ax.get_yticklabels()] + [t.get_text() for t in ax.get_xticklabels()]


def test_shares_bar_draws_the_shares(by_tp):
    L = labels.Labels("nps", "en")
    ax = charts.shares_bar(by_tp, SHARES, label="touchpoint", names=[L(k) for k in ("detractors", "passives",
                                                                                    "promoters")], title="T")
    widths = np.array([p.get_width() for p in ax.patches]).reshape(3, -1)
    np.testing.assert_allclose(widths.sum(axis=0), 100)
    np.testing.assert_allclose(widths[0], by_tp["pct_detractors"].to_numpy())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Detractors (0–6)", "Passives (7–8)",
                                                                   "Promoters (9–10)"]
    assert "After support" in _texts(ax)
    _render_without_warnings(ax)


def test_one_row_shares_bar_is_readable_at_page_width(by_tp):
    overall = N.nps_stats(N.nps_counts(by_tp.assign(score=0).iloc[:0]).assign(n=10, promoters=5, passives=3,
                                                                                 detractors=2))
    ax = charts.shares_bar(overall, SHARES)
    w, h = ax.figure.get_size_inches()
    assert w >= 8 and h >= 2.4  # the old 7 × 1.05 in bar was unreadable in the report
    assert min(t.get_fontsize() for t in ax.texts) >= 10
    assert _texts(ax)[0] == "All"
    plt.close(ax.figure)


def test_japanese_labels_render_with_a_japanese_font(by_tp):
    before = list(matplotlib.rcParams["font.family"])
    _fig, ax = plt.subplots()  # created outside the chart's style: the chart must still fix its text
    charts.estimate_by_group(by_tp, "touchpoint", value="nps", title="タッチポイント別NPS", lang="ja", ax=ax)
    assert "サポート対応後" in _texts(ax)
    assert ax.title.get_fontfamily()[0] == charts.FONT
    _render_without_warnings(ax)
    assert list(matplotlib.rcParams["font.family"]) == before  # no global side effect


def test_estimate_by_group_points_and_interval_bars(by_tp):
    ax = charts.estimate_by_group(by_tp, "touchpoint", value="nps", xlim=(-100, 100))
    ordered = by_tp.sort_values("nps")
    np.testing.assert_allclose(np.asarray(ax.lines[0].get_xdata(), float), ordered["nps"].to_numpy(float))
    segs = ax.collections[0].get_segments()
    np.testing.assert_allclose([s[0][0] for s in segs], ordered["low"])
    np.testing.assert_allclose([s[1][0] for s in segs], ordered["high"])
    assert ax.get_xlim() == (-100, 100)
    plt.close(ax.figure)


def test_estimate_by_group_takes_any_column_names():
    tab = pd.DataFrame({"agent": ["a", "b"], "csat": [80.0, 60.0], "lo": [70.0, 40.0], "hi": [88.0, 77.0],
                        "answers": [120, 15]})
    ax = charts.estimate_by_group(tab, "agent", value="csat", low="lo", high="hi", n="answers", ref=None)
    assert _texts(ax)[:2] == ["b", "a"]  # unknown values shown as written, best on top
    assert any("(n=15)" in t.get_text() for t in ax.texts)
    with pytest.raises(KeyError, match="'value'"):
        charts.estimate_by_group(tab, "agent")
    plt.close("all")


def test_trend_line_band_and_small_n_markers(resp):
    tab = N.nps_table(resp, "period", min_n=200)
    tab["period"] = tab["period"].astype(str)
    ax = charts.trend(tab, "period", value="nps", title="NPSの推移", xlabel="月", lang="ja")
    assert ax.get_title() == "NPSの推移"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), tab["nps"])
    assert len(ax.lines[1].get_xdata()) == int(tab["small_n"].sum()) > 0
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(tab["low"].min())
    assert next(t.get_text() for t in ax.get_legend().get_texts()) == "95%信頼区間"
    _render_without_warnings(ax)


def test_heatmap_translates_known_axes_and_annotates_counts():
    m = pd.DataFrame([[3, 1], [0, 5]], index=["promoter", "detractor"], columns=["promoter", "detractor"])
    ax = charts.heatmap(m, lang="ja", ns="nps")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["推奨者", "批判者"]
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "3", "5"]
    _render_without_warnings(ax)


def test_interval_ladder_marks_the_misses():
    tab = pd.DataFrame({"value": [1.0, 5.0, 2.0], "low": [0.0, 4.0, 1.0], "high": [2.0, 6.0, 3.0]})
    ax = charts.interval_ladder(tab, truth=1.5, hit="contains", miss="misses")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["contains", "misses"]
    assert len(ax.collections[1].get_segments()) == 1  # the interval 4–6 misses 1.5
    plt.close(ax.figure)


@pytest.mark.parametrize("draw", [
    lambda t: charts.shares_bar(t, SHARES, lang="ja"),
    lambda t: charts.trend(t, "touchpoint", value="nps", lang="ja"),
    lambda t: charts.estimate_by_group(t, "touchpoint", value="nps", lang="ja"),
])
def test_no_data_says_so(draw, by_tp):
    ax = draw(by_tp.iloc[:0])
    assert [t.get_text() for t in ax.texts] == ["データなし"]
    _render_without_warnings(ax)


def test_several_rows_need_a_label_column(by_tp):
    with pytest.raises(ValueError, match="label='touchpoint'"):
        charts.shares_bar(by_tp, SHARES)


def test_lang_is_checked(by_tp):
    with pytest.raises(ValueError, match="en, ja"):
        charts.shares_bar(by_tp, SHARES, label="touchpoint", lang="fr")


def test_tiny_group_whose_point_lies_outside_its_adjusted_interval():
    tab = N.nps_stats(pd.DataFrame({"touchpoint": ["web_visit"], "n": [1], "promoters": [1], "passives": [0],
                                    "detractors": [0]}))
    assert tab.loc[0, "nps"] > tab.loc[0, "high"]  # a property of adjusted Wald at n = 1
    _render_without_warnings(charts.estimate_by_group(tab, "touchpoint", value="nps"))


# ------------------------------------------------------------------ tables

def test_format_table_has_no_raw_nan_and_does_not_test_small_groups(resp):
    a, b = pd.Period("2026-10", "M"), pd.Period("2026-09", "M")
    tab = N.compare_periods(resp, a, b, "touchpoint")
    shown = format_table(tab, "en", ns="nps", missing="no responses")
    html = shown.to_html()
    assert "NaN" not in html and "nan" not in html and "None" not in html
    assert shown.loc["Relationship survey", "NPS (comparison)"] == "no responses"
    small = tab.set_index("touchpoint")["small_n"]
    assert (shown["p-value"] == "not tested (n\u00a0<\u00a030)").to_numpy().tolist() == small.tolist()
    ja = format_table(tab, "ja", ns="nps")
    assert ja.index.name == "タッチポイント" and "差（ポイント）" in ja.columns


def test_format_table_never_rounds_a_small_p_value_to_zero():
    tab = pd.DataFrame({"team": ["a", "b", "c"], "p_value": [0.0000004, 0.0123, float("nan")], "small_n": [False] * 3})
    assert format_table(tab).loc[:, "p-value"].tolist() == ["< 0.001", 0.012, "—"]


def test_format_table_keeps_unknown_values_as_written():
    tab = pd.DataFrame({"plan": ["Pro", "ライト", "premium"], "n": [1, 2, 3]})
    assert format_table(tab, "ja").index.tolist() == ["Pro", "ライト", "プレミアム"]


# ------------------------------------------------------------------ labels

@pytest.mark.parametrize("ns", labels.namespaces())
def test_every_label_has_both_languages_with_the_same_placeholders(ns):
    table = labels.table(ns)
    assert table, f"{ns}.yaml is empty"
    for key, entry in table.items():
        assert set(entry) == set(labels.LANGS), f"{ns}.{key}: languages {sorted(entry)}"
        assert all(entry[lang].strip() for lang in labels.LANGS), f"{ns}.{key}: an empty text"
        names = [sorted(re.findall(r"\{(\w+)", entry[lang])) for lang in labels.LANGS]
        assert names[0] == names[1], f"{ns}.{key}: placeholders differ {names}"


def test_japanese_labels_are_japanese():
    for ns in labels.namespaces():
        for key, entry in labels.table(ns).items():
            en = re.sub(r"\{[^}]*\}|`[^`]*`", "", entry["en"])
            proper_name = entry["en"] == entry["ja"]  # e.g. a channel called LINE
            acronym = re.search(r"NPS|CSAT|CES|KPI|KGI|LTV|SMB|CSM|Web", en)
            if re.search(r"[A-Za-z]{4,}", en) and not proper_name and not acronym:
                assert re.search(r"[ぁ-んァ-ン一-龥]", entry["ja"]), f"{ns}.{key}: ja text is not Japanese"


def test_namespaces_fall_back_to_common_and_unknown_keys_are_kept():
    assert labels.t("segment", "ja", "nps") == "セグメント"
    assert labels.t("n", "en", "nps") == "Responses" and labels.t("n", "en") == "n"
    assert labels.t("Pro", "ja") == "Pro"
    with pytest.raises(ValueError, match="lang"):
        labels.t("n", "fr")


def test_format_table_shows_whole_numbers_with_separators_at_zero_digits():
    tab = pd.DataFrame({"period": ["2026-09", "2026-10"], "cost": [15_333_000.0, np.nan], "cpi": [13509.4, 12571.6],
                        "p_value": [0.0004, 0.2]})
    out = format_table(tab, digits=0)
    assert out["cost"].tolist() == ["15,333,000", "—"] and out["cpi"].tolist() == ["13,509", "12,572"]
    assert out["p-value"].tolist() == ["< 0.001", 0.2]


def test_whole_numbers_and_estimate_labels_survive_missing_and_infinite_values():
    tab = pd.DataFrame({"period": ["2026-09", "2026-10"], "cpi": [np.inf, 12571.6]})
    assert format_table(tab, digits=0)["cpi"].tolist() == [np.inf, "12,572"]
    groups = pd.DataFrame({"team": ["a", "b"], "value": [5.0, 7.0], "low": [np.nan, np.nan], "high": [np.nan, np.nan],
                           "n": [3, 4]})
    ax = charts.estimate_by_group(groups, "team")  # no interval at all: limits from the points
    assert all(np.isfinite(ax.get_xlim()))


def test_estimate_by_group_on_a_log_axis_keeps_every_point_and_interval_in_view():
    times = pd.DataFrame({"channel": ["phone", "chat", "email", "web"], "median": [0.8, 2.5, 95.0, 180.0],
                          "median_low": [0.6, 2.0, 80.0, 150.0], "median_high": [1.1, 3.2, 120.0, 240.0],
                          "n": [300, 250, 400, 120]})
    ax = charts.estimate_by_group(times, "channel", value="median", low="median_low", high="median_high", ref=None,
                                  log=True)
    lo, hi = ax.get_xlim()
    assert ax.get_xscale() == "log" and 0 < lo < 0.6 and hi > 240
