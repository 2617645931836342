"""The survey charts (binned, funnel, shrinkage, scale_picture), inspected through their Axes."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from csa.display import charts
from csa.metrics import survey as M


def _render_without_warnings(ax):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        ax.figure.canvas.draw()
    plt.close(ax.figure)


BINS = pd.DataFrame({"bin": ["replies_1", "replies_2", "replies_4plus"], "n": [400, 20, 0],
                     "csat": [70.0, 45.0, np.nan], "low": [65.0, 25.0, np.nan], "high": [74.0, 65.0, np.nan],
                     "small_n": [False, True, True]})


def test_binned_draws_points_intervals_and_n_in_bin_order():
    ax = charts.binned(BINS, "bin", value="csat", ylim=(0, 100), ref=60, ref_name="Overall", lang="ja", ns="csat")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["1回\n(n=400)", "2回\n(n=20)"]  # the empty bin is left out; known values translated
    bars = ax.collections[0].get_segments()
    assert [(s[0][1], s[1][1]) for s in bars] == [(65.0, 74.0), (25.0, 65.0)]
    filled, hollow = ax.lines[1], ax.lines[2]
    assert list(filled.get_ydata()) == [70.0] and list(hollow.get_ydata()) == [45.0]  # small n drawn hollow
    assert hollow.get_markerfacecolor() == "white"
    assert ax.get_ylim() == (0, 100)
    assert "Overall" in [t.get_text() for t in ax.get_legend().get_texts()]
    _render_without_warnings(ax)


def test_funnel_draws_limits_centre_points_and_names_the_flagged():
    table = pd.DataFrame({"agent": ["a", "b", "c"], "n": [10, 30, 25], "raw": [90.0, 55.0, 20.0],
                          "out": [False, False, True]})
    n = np.arange(1, 31)
    lo95, hi95 = M.funnel_limits(55, n, level=0.95)
    lo998, hi998 = M.funnel_limits(55, n, level=0.998)
    limits = pd.DataFrame({"n": n, "low95": lo95, "high95": hi95, "low998": lo998, "high998": hi998})
    ax = charts.funnel(table, limits, value="raw", label="agent", flag="out", centre=55,
                       band_names=["95%", "99.8%"], centre_name="Team", title="担当者")
    assert len(ax.lines) == 2 * 2 + 2  # two bands of two lines, the centre, the points
    np.testing.assert_allclose(ax.lines[0].get_ydata(), lo95)
    np.testing.assert_allclose(ax.lines[3].get_ydata(), hi998)
    pts = ax.lines[-1]
    assert list(pts.get_xdata()) == [10, 30, 25] and list(pts.get_ydata()) == [90.0, 55.0, 20.0]
    assert [t.get_text() for t in ax.texts] == ["c"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["95%", "99.8%", "Team"]
    _render_without_warnings(ax)


def test_shrinkage_sorts_by_the_shrunken_estimate_and_draws_both_points():
    tab = pd.DataFrame({"agent": ["a", "b", "new"], "n": [40, 40, 3], "raw": [75.0, 45.0, 100.0],
                        "shrunk": [70.0, 50.0, 65.2], "shrunk_low": [60.0, 40.0, 45.0],
                        "shrunk_high": [80.0, 60.0, 82.0]})
    ax = charts.shrinkage(tab, "agent", centre=60, raw_name="raw", shrunk_name="shrunk")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "new", "a"]  # best on top
    raw, shrunk = ax.lines[0], ax.lines[1]
    assert list(raw.get_xdata()) == [45.0, 100.0, 75.0] and list(shrunk.get_xdata()) == [50.0, 65.2, 70.0]
    assert sum("n=" in t.get_text() for t in ax.texts) == 3
    _render_without_warnings(ax)


def test_scale_picture_highlights_the_easy_answers_and_prints_values():
    ax = charts.scale_picture(range(1, 8), highlight=[1, 2, 3], values=[10, 20, 30, 10, 10, 10, np.nan],
                              left="1 ＝ 手間なし", right="7 ＝ とても手間", highlight_name="楽だった", lang="ja")
    boxes = ax.patches
    assert len(boxes) == 7
    green = [matplotlib.colors.to_hex(b.get_facecolor()) for b in boxes].count(charts.COLORS["good"])
    assert green == 3
    texts = [t.get_text() for t in ax.texts]
    assert "30%" in texts and "—" in texts and "1 ＝ 手間なし" in texts
    _render_without_warnings(ax)
    with pytest.raises(ValueError, match="one number per scale point"):
        charts.scale_picture(range(1, 8), values=[1, 2])


@pytest.mark.parametrize("draw", [
    lambda: charts.binned(BINS.iloc[:0], "bin", value="csat", lang="ja"),
    lambda: charts.funnel(pd.DataFrame({"n": [], "value": []}), pd.DataFrame(
        {"n": [1], "low95": [0.0], "high95": [1.0], "low998": [0.0], "high998": [1.0]}), lang="ja"),
    lambda: charts.shrinkage(pd.DataFrame({"g": [], "raw": [], "shrunk": [], "shrunk_low": [], "shrunk_high": [],
                                           "n": []}), "g", lang="ja"),
])
def test_no_data_says_so(draw):
    ax = draw()
    assert "データなし" in [t.get_text() for t in ax.texts]
    _render_without_warnings(ax)


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match="'csat'"):
        charts.binned(BINS.drop(columns="csat"), "bin", value="csat")
