"""Operations charts (csa.display.ops), inspected through their Axes: nbval never compares images."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from csa.display import ops


def _render_without_warnings(ax):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        ax.figure.canvas.draw()
    plt.close(ax.figure)


@pytest.fixture
def grid():
    g = pd.DataFrame(np.arange(7 * 3, dtype=float).reshape(7, 3), index=range(7), columns=[9, 10, 11])
    g.iloc[5:, :] = np.nan  # a closed weekend
    return g


def test_weekday_hour_grid_shows_every_cell_and_leaves_missing_ones_blank(grid):
    names = ["月", "火", "水", "木", "金", "土", "日"]
    ax = ops.weekday_hour_grid(grid, row_labels=names, fmt=".0f", title="曜日・時間帯", xlabel="時台",
                               cbar_label="件数", lang="ja")
    assert [t.get_text() for t in ax.get_yticklabels()] == names
    assert [t.get_text() for t in ax.get_xticklabels()] == ["9", "10", "11"]
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 15 and cells[:3] == ["0", "1", "2"] and cells[-1] == "14"  # 5 open days × 3 hours
    image = ax.get_images()[0].get_array()
    assert image.mask[5:].all() and not image.mask[:5].any()
    assert ax.get_title() == "曜日・時間帯"
    _render_without_warnings(ax)


def test_weekday_hour_grid_integer_format_and_limits(grid):
    ax = ops.weekday_hour_grid(grid, fmt="d", vmin=0, vmax=100, cmap="RdYlGn")
    assert ax.get_images()[0].get_clim() == (0, 100)
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["0", "1"]  # the index when no names are given
    assert "2" in [t.get_text() for t in ax.texts]
    _render_without_warnings(ax)


def test_weekday_hour_grid_without_data_says_so():
    ax = ops.weekday_hour_grid(pd.DataFrame(np.nan, index=range(7), columns=[9]), title="T", lang="ja")
    assert [t.get_text() for t in ax.texts] == ["データなし"]
    _render_without_warnings(ax)


@pytest.fixture
def trends():
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    return pd.DataFrame({"month": months * 2, "team": ["osaka"] * 4 + ["tokyo"] * 4,
                         "value": [50, 52, 49, 66, 57, 58, 56, 57], "low": [45, 47, 44, 61, 52, 53, 51, 52],
                         "high": [55, 57, 54, 71, 62, 63, 61, 62], "n": [380, 370, 390, 10, 500, 510, 0, 520],
                         "small_n": [False, False, False, True, False, False, True, False]})


def test_group_trends_draws_one_line_per_group_with_bands_and_a_mark(trends):
    ax = ops.group_trends(trends, "month", "team", mark="2026-04", mark_label="training", title="FCR",
                          ylabel="%", lang="en", ns="support")
    lines = [ln for ln in ax.get_lines() if ln.get_label() in ("Osaka", "Tokyo")]
    assert [ln.get_label() for ln in lines] == ["Osaka", "Tokyo"]  # team names translated (support labels)
    np.testing.assert_array_equal(lines[0].get_ydata(), [50, 52, 49, 66])
    np.testing.assert_array_equal(lines[1].get_xdata(), [0, 1, 3])  # tokyo's n = 0 month is left out
    assert len(ax.collections) == 2  # one band per group
    mark = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(mark) == 1 and mark[0].get_xdata()[0] == pytest.approx(2.5)
    assert any(t.get_text() == "training" for t in ax.texts)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Osaka", "Tokyo", "95% interval"]
    hollow = [ln for ln in ax.get_lines() if ln.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and hollow[0].get_ydata().tolist() == [66]
    _render_without_warnings(ax)


def test_group_trends_without_bands_in_japanese(trends):
    ax = ops.group_trends(trends, "month", "team", low=None, high=None, small=None, n=None, log=True,
                          lang="ja", ns="support", title="チーム別")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["大阪", "東京"]
    assert not ax.collections and ax.get_yscale() == "log"
    _render_without_warnings(ax)


def test_group_trends_refuses_unknown_columns(trends):
    with pytest.raises(KeyError, match="not in the table"):
        ops.group_trends(trends, "period", "team")


def test_category_points_keeps_the_order_and_prints_n():
    tab = pd.DataFrame({"band": ["band_5m", "band_1h", "band_4h", "band_24h", "band_more"],
                        "value": [72.0, 64.0, 51.0, 35.0, np.nan], "low": [70.0, 60.0, 49.0, 33.0, np.nan],
                        "high": [74.0, 67.0, 54.0, 37.0, np.nan], "n": [3076, 819, 1414, 1901, 0]})
    ax = ops.category_points(tab, "band", ylim=(0, 100), title="(1)", ylabel="%", lang="ja", ns="support")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5分未満", "5〜60分", "1〜4時間", "4〜24時間", "24時間超"]
    assert ax.get_ylim() == (0, 100)
    assert [t.get_text() for t in ax.texts] == ["n=3,076", "n=819", "n=1,414", "n=1,901"]  # no point for n = 0
    line = ax.get_lines()[-1]
    np.testing.assert_array_equal(line.get_ydata(), [72, 64, 51, 35])
    _render_without_warnings(ax)
    ax = ops.category_points(tab.assign(value=np.nan), "band", title="T")
    assert [t.get_text() for t in ax.texts] == ["No data"]
    _render_without_warnings(ax)
