"""Plots render and carry the expected content (labels, artists), not pixels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from growthzones import plots


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_score_bars_stacks_add_up(tiny_assessment, tmp_path):
    fig = plots.score_bars(tiny_assessment, top=3)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1. Site one", "2. Site two", "3. Site three"]
    # two groups x three sites
    assert len(ax.patches) == 6
    # the widths of S1's stacks add up to its score of 90
    top_bar = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - 2) < 1e-9]
    assert sum(p.get_width() for p in top_bar) == pytest.approx(90.0)
    fig.savefig(tmp_path / "bars.png")
    assert (tmp_path / "bars.png").stat().st_size > 1000


def test_waterfall(tmp_path):
    fig = plots.contribution_waterfall(pd.Series({"grid": 46.25, "water": 43.75}))
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    assert ax.patches[2].get_height() == pytest.approx(90.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["grid", "water", "score"]


def test_rank_intervals_and_heatmap():
    summary = pd.DataFrame(
        {"median_rank": [1, 2, 3], "rank_lo": [1, 1, 2], "rank_hi": [2, 3, 3]}, index=["a", "b", "c"]
    )
    fig = plots.rank_intervals(summary, names=pd.Series({"a": "A", "b": "B", "c": "C"}))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["A", "B", "C"]
    acc = pd.DataFrame([[0.7, 0.3, 0.0], [0.3, 0.5, 0.2], [0.0, 0.2, 0.8]], index=["a", "b", "c"])
    fig = plots.acceptability_heatmap(acc, top=3, max_rank=3)
    assert fig.axes[0].images[0].get_array().shape == (3, 3)


def test_sweep_lines():
    sweep = pd.DataFrame({"weight": [0, 1, 0, 1], "site_id": ["a", "a", "b", "b"], "rank": [1, 2, 2, 1]})
    fig = plots.sweep_lines(sweep)
    assert len(fig.axes[0].lines) == 2


def test_method_agreement(tiny_assessment):
    cmp = tiny_assessment.compare_methods(["wlc", "topsis"])
    fig = plots.method_agreement(cmp)
    assert len(fig.axes[0].texts) == 4


def test_static_map(tiny_assessment):
    fig = plots.site_map_static(tiny_assessment, top=2)
    ax = fig.axes[0]
    assert len(ax.collections) == 2  # ineligible + eligible scatters
    assert [t.get_text() for t in ax.texts] == ["1", "2"]
