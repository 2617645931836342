"""Charts: inspect the Axes (titles, labels, data, Japanese text) — nbval never compares images."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import csa  # noqa: E402
from csa.metrics import nps as N  # noqa: E402
from csa import plots  # noqa: E402

from .conftest import SAMPLE  # noqa: E402


@pytest.fixture(scope="module")
def resp():
    return N.responses(csa.load(SAMPLE))


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


def test_distribution_bars_are_the_shares(by_tp):
    ax = plots.nps_distribution(by_tp, "touchpoint", lang="en")
    assert ax.get_title() == "Promoters, passives and detractors"
    widths = np.array([p.get_width() for p in ax.patches]).reshape(3, -1)  # detractors, passives, promoters
    np.testing.assert_allclose(widths.sum(axis=0), 100)
    np.testing.assert_allclose(widths[0], by_tp["pct_detractors"].to_numpy()[::1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Detractors (0–6)", "Passives (7–8)", "Promoters (9–10)"]
    assert "After support" in _texts(ax)
    _render_without_warnings(ax)


def test_japanese_labels_render_with_a_japanese_font(by_tp):
    before = list(matplotlib.rcParams["font.family"])
    fig, ax = plt.subplots()  # created outside the chart's style: the chart must still fix its text
    plots.nps_by_group(by_tp, "touchpoint", lang="ja", ax=ax)
    assert ax.get_title() == "タッチポイント別NPS"
    assert "サポート対応後" in _texts(ax)
    assert ax.title.get_fontfamily()[0] == plots.FONT
    _render_without_warnings(ax)
    assert list(matplotlib.rcParams["font.family"]) == before  # no global side effect


def test_by_group_points_and_interval_bars(by_tp):
    ax = plots.nps_by_group(by_tp, "touchpoint", lang="en")
    line = ax.lines[0]
    ordered = by_tp.sort_values("nps")
    np.testing.assert_allclose(np.asarray(line.get_xdata(), float), ordered["nps"].to_numpy(float))
    segs = ax.collections[0].get_segments()  # the interval lines
    np.testing.assert_allclose([s[0][0] for s in segs], ordered["low"])
    np.testing.assert_allclose([s[1][0] for s in segs], ordered["high"])
    assert ax.get_xlim() == (-100, 100)
    plt.close(ax.figure)


def test_trend_line_band_and_small_n_markers(resp):
    tab = N.nps_table(resp, "period", min_n=200)
    tab["period"] = tab["period"].astype(str)
    ax = plots.nps_trend(tab, lang="ja")
    assert ax.get_title() == "NPSの推移" and ax.get_xlabel() == "期間"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), tab["nps"])
    hollow = ax.lines[1]
    assert len(hollow.get_xdata()) == int(tab["small_n"].sum()) > 0
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(tab["low"].min())
    _render_without_warnings(ax)


@pytest.mark.parametrize("chart", [plots.nps_distribution, plots.nps_trend, plots.nps_by_group])
def test_no_data_says_so(chart, by_tp):
    ax = chart(by_tp.iloc[:0], lang="ja")
    assert [t.get_text() for t in ax.texts] == ["回答なし"]
    _render_without_warnings(ax)


def test_several_rows_need_a_label_column(by_tp):
    with pytest.raises(ValueError, match="by='touchpoint'"):
        plots.nps_distribution(by_tp)


def test_lang_is_checked(by_tp):
    with pytest.raises(ValueError, match="'en' or 'ja'"):
        plots.nps_distribution(by_tp, "touchpoint", lang="fr")


def test_tiny_group_whose_point_lies_outside_its_adjusted_interval():
    tab = N.nps_stats(pd.DataFrame({"touchpoint": ["web_visit"], "n": [1], "promoters": [1], "passives": [0],
                                    "detractors": [0]}))
    assert tab.loc[0, "nps"] > tab.loc[0, "high"]  # a property of adjusted Wald at n = 1
    ax = plots.nps_by_group(tab, "touchpoint")
    _render_without_warnings(ax)
