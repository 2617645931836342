"""Lifecycle charts: inspected through their Axes (nbval never compares images)."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from csa.display import lifecycle

BRIDGE = pd.DataFrame({"label": ["start", "new", "expansion", "contraction", "churned", "end"],
                       "value": [100.0, 6.0, 2.0, -1.0, -3.0, 104.0],
                       "kind": ["total", "up", "up", "down", "down", "total"]})


def _render_without_warnings(ax):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning
        ax.figure.canvas.draw()
    plt.close(ax.figure)


def test_waterfall_draws_the_bridge():
    ax = lifecycle.waterfall(BRIDGE, title="T", ylabel="MRR", note="axis from {start}")
    bars = ax.patches
    tops = [b.get_y() + b.get_height() for b in bars]
    bottoms = [b.get_y() for b in bars]
    floor = ax.get_ylim()[0]
    assert floor > 0 and bottoms[0] == pytest.approx(floor) and tops[0] == pytest.approx(100)
    assert (bottoms[1], tops[1]) == pytest.approx((100, 106))   # new, from the start level
    assert (bottoms[3], tops[3]) == pytest.approx((108, 107))   # contraction goes down
    assert tops[-1] == pytest.approx(104) and tops[4] == pytest.approx(104)  # the steps land on the end
    texts = [t.get_text() for t in ax.texts]
    assert "+6.0" in texts and "-3.0" in texts and "100.0" in texts
    assert any(t.startswith("axis from") for t in texts)
    assert [t.get_text() for t in ax.get_xticklabels()] == BRIDGE["label"].tolist()
    _render_without_warnings(ax)


def test_waterfall_in_japanese_and_empty():
    ax = lifecycle.waterfall(BRIDGE.assign(label=["期首", "新規", "アップセル", "ダウングレード", "解約", "期末"]),
                             title="MRRの増減", ylabel="百万円", lang="ja")
    _render_without_warnings(ax)
    ax = lifecycle.waterfall(BRIDGE.iloc[:0], title="T")
    assert "No data" in [t.get_text() for t in ax.texts]
    plt.close(ax.figure)


def _curves() -> pd.DataFrame:
    t = np.arange(0, 13, dtype=float)
    rows = []
    for g, h in (("starter", 0.1), ("premium", 0.02)):
        s = 100 * (1 - h) ** t
        rows.append(pd.DataFrame({"plan": g, "t": t, "survival": s, "low": s - 3, "high": np.minimum(s + 3, 100),
                                  "observed": t <= 8, "km": np.where(t <= 8, s + 1, np.nan)}))
    return pd.concat(rows, ignore_index=True)


def test_survival_curves_one_line_and_band_per_group():
    ax = lifecycle.survival_curves(_curves(), group="plan", title="T", legend_title="Plan", lang="ja")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["スターター", "プレミアム"]
    assert len(ax.collections) == 2  # one band each
    starter = ax.lines[0]
    np.testing.assert_allclose(starter.get_ydata(), _curves().query("plan == 'starter'")["survival"])
    assert starter.get_drawstyle() == "steps-post"
    assert ax.get_ylim() == (0, 100)
    _render_without_warnings(ax)


def test_survival_curves_dash_the_projection_and_dot_the_observations():
    ax = lifecycle.survival_curves(_curves(), group="plan", step=False, observed="observed", points="km")
    styles = [line.get_linestyle() for line in ax.lines]
    assert styles.count("--") == 2 and styles.count("-") == 2
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(dots) == 2 and len(dots[0].get_xdata()) == 9
    with pytest.raises(KeyError, match="missing"):
        lifecycle.survival_curves(_curves(), value="missing")
    plt.close(ax.figure)


def test_survival_panels_one_panel_per_facet():
    axes = lifecycle.survival_panels(_curves(), "plan", ncols=4, step=False, observed="observed", title="T",
                                     xlabel="months", ylabel="%", lang="ja")
    assert len(axes) == 2 and [ax.get_title() for ax in axes] == ["スターター", "プレミアム"]
    assert len(axes[0].figure.axes) == 2  # the unused grid cells are removed
    _render_without_warnings(axes[0])


def test_retention_heatmap_prints_every_observed_cell():
    m = pd.DataFrame([[100, 90, 80], [100, 85, np.nan]], index=["2025Q1 (n=10)", "2025Q2 (n=12)"],
                     columns=["0", "3", "6"])
    ax = lifecycle.retention_heatmap(m, title="T", xlabel="age", ylabel="cohort")
    assert sorted(t.get_text() for t in ax.texts) == sorted(["100", "90", "80", "100", "85"])
    assert [t.get_text() for t in ax.get_yticklabels()] == m.index.tolist()
    _render_without_warnings(ax)


def test_survival_curves_with_a_single_time_draw_quietly():
    one = pd.DataFrame({"t": [0.0], "survival": [100.0], "low": [100.0], "high": [100.0]})
    ax = lifecycle.survival_curves(one)
    assert ax.get_xlim() == (0, 1)
    _render_without_warnings(ax)
