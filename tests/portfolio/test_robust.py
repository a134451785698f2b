"""The robust portfolio: selection probabilities from the robustness analysis's own samples."""

from __future__ import annotations

import numpy as np
import pytest

import growthzones as gz
from growthzones.errors import PortfolioError
from growthzones.portfolio import GroupLimit, Limits, robust_portfolio
from growthzones.robustness import sample_scores


@pytest.fixture(scope="module")
def demo() -> gz.Assessment:
    return gz.assess(gz.datasets.demo_config_path())


def test_sample_scores_are_the_robustness_samples(demo: gz.Assessment) -> None:
    r = demo.robustness(samples=40, seed=5)
    cand, seed, chunks = sample_scores(demo, 40, seed=5)
    scores = np.vstack(list(chunks))
    assert seed == r.seed == 5
    # WLC: the score is the weighted sum of the 0..1 values (times 100), by hand.
    values = demo.values[list(r.weight_samples.columns)].to_numpy()[cand]
    assert np.allclose(scores, 100 * r.weight_samples.to_numpy() @ values.T)


def test_top_k_probabilities_by_hand(demo: gz.Assessment) -> None:
    # With only a count, each sample's portfolio is its top 3 (ties by site id).
    rp = robust_portfolio(demo, Limits(count=3), samples=30, seed=2, core=0.5)
    r = demo.robustness(samples=30, seed=2)
    elig = np.flatnonzero(demo.eligible.to_numpy())
    ids = demo.sites.index.to_numpy()[elig]
    values = demo.values[list(r.weight_samples.columns)].to_numpy()[elig]
    counts = dict.fromkeys(ids, 0)
    sets = {}
    for w in r.weight_samples.to_numpy():
        s = values @ w
        top = tuple(sorted(ids[np.lexsort((ids, -s))][:3]))
        sets[top] = sets.get(top, 0) + 1
        for sid in top:
            counts[sid] += 1
    p = rp.selection["p_selected"]
    for sid, c in counts.items():
        assert p[sid] == pytest.approx(c / 30), sid
    assert set(rp.core) == {sid for sid, c in counts.items() if c / 30 >= 0.5}
    assert rp.sets["samples"].iloc[0] == max(sets.values())
    assert rp.infeasible == 0


def test_progress_and_limits(demo: gz.Assessment) -> None:
    calls = []
    rp = robust_portfolio(demo, Limits(count=4, per=(GroupLimit("nation", max=2),)), samples=8, seed=1,
                          progress=lambda d, t, label: calls.append((d, t)))  # fmt: skip
    assert calls == [(i, 8) for i in range(1, 9)]
    assert rp.selection["p_selected"].sum() == pytest.approx(4.0)


def test_bad_core(demo: gz.Assessment) -> None:
    with pytest.raises(PortfolioError, match=r"^core: 1.5 must be a share between 0 and 1"):
        robust_portfolio(demo, Limits(count=3), samples=2, core=1.5)
