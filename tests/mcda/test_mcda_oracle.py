"""growthzones.mcda against pymcdm (a test-only oracle) on seeded random matrices.

Convention conversions, from pymcdm 1.4's source (pymcdm/methods/*.py, pymcdm/weights/weights.py):

- TOPSIS returns closeness D-/(D+ + D-), higher better: same as ours. Default normalisation
  ``minmax_normalization``; ``vector_normalization`` maps a cost column to 1 - x/||x||, which
  leaves every distance unchanged relative to the textbook x/||x|| with a min ideal.
- VIKOR returns Q, lower better: our score is 1 - Q.
- PROMETHEE_II returns the net flow in -1..1: our score is (flow + 1) / 2. Its ``vshape_2``
  is our ``linear`` (type V), its ``vshape`` our ``vshape`` (type III).
- WSM / WPM default to ``sum_normalization``: compared with ``normalization="sum"``; WSM with
  ``minmax_normalization`` against ``normalization="minmax"``, WPM with
  ``linear_normalization`` (x/max, cost min/x) against ``normalization="max"``.
- entropy_weights / critic_weights take the matrix alone (CRITIC treats every criterion as
  benefit, so ours is called with ``directions=None``).
"""

from __future__ import annotations

import numpy as np
import pytest
from pymcdm import normalizations as pn
from pymcdm import weights as pw
from pymcdm.methods import PROMETHEE_II, TOPSIS, VIKOR, WPM, WSM

from growthzones import mcda
from growthzones.mcda import weighting

TOL = 1e-9
SHAPES = [(3, 2), (7, 3), (25, 5), (60, 12), (250, 12)]


def problem(n: int, m: int, seed: int, *, low: float = 1.0, high: float = 100.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=(n, m))
    w = rng.dirichlet(np.ones(m))
    d = np.where(rng.random(m) < 0.4, -1, 1)
    d[0] = 1  # at least one of each kind
    d[-1] = -1
    return x, w, d


CASES = [(n, m, seed) for (n, m) in SHAPES for seed in (0, 1)]


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
def test_topsis_minmax(n, m, seed):
    x, w, d = problem(n, m, seed)
    np.testing.assert_allclose(mcda.aggregate("topsis", x, w, d), TOPSIS()(x, w, d), rtol=0, atol=TOL)


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
def test_topsis_vector(n, m, seed):
    x, w, d = problem(n, m, seed)
    ours = mcda.aggregate("topsis", x, w, d, normalization="vector")
    np.testing.assert_allclose(ours, TOPSIS(pn.vector_normalization)(x, w, d), rtol=0, atol=TOL)


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
@pytest.mark.parametrize("v", [0.0, 0.3, 0.5, 1.0])
def test_vikor_is_one_minus_q(n, m, seed, v):
    x, w, d = problem(n, m, seed)
    q = VIKOR(v=v)(x, w, d)
    np.testing.assert_allclose(mcda.aggregate("vikor", x, w, d, v=v), 1.0 - q, rtol=0, atol=TOL)


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ({"preference": "usual"}, ("usual", None, None)),
        ({"preference": "ushape", "q": 8.0}, ("ushape", None, 8.0)),
        ({"preference": "vshape", "p": 30.0}, ("vshape", 30.0, None)),
        ({"preference": "level", "q": 5.0, "p": 25.0}, ("level", 25.0, 5.0)),
        ({"preference": "linear", "q": 5.0, "p": 25.0}, ("vshape_2", 25.0, 5.0)),
    ],
)
def test_promethee2_is_rescaled_net_flow(n, m, seed, ours, theirs):
    x, w, d = problem(n, m, seed)
    name, p, q = theirs
    # pymcdm wants one threshold per criterion and consumes them from a one-shot generator.
    method = PROMETHEE_II(name, p=None if p is None else [p] * m, q=None if q is None else [q] * m)
    flow = method(x, w, d)
    np.testing.assert_allclose(mcda.aggregate("promethee2", x, w, d, **ours), (flow + 1.0) / 2.0, rtol=0, atol=TOL)


def test_promethee2_per_criterion_thresholds():
    x, w, d = problem(40, 4, 3)
    q = np.array([1.0, 5.0, 0.0, 10.0])
    p = np.array([10.0, 30.0, 2.0, 11.0])
    flow = PROMETHEE_II("vshape_2", p=list(p), q=list(q))(x, w, d)
    ours = mcda.aggregate("promethee2", x, w, d, preference="linear", q=q, p=p)
    np.testing.assert_allclose(ours, (flow + 1.0) / 2.0, rtol=0, atol=TOL)


def test_promethee2_with_ties_in_data():
    # Integer data gives many exact ties and differences exactly at the thresholds.
    rng = np.random.default_rng(11)
    x = rng.integers(0, 6, size=(50, 4)).astype(float)
    w = np.array([0.4, 0.3, 0.2, 0.1])
    d = np.array([1, -1, 1, -1])
    for ours, (name, p, q) in [
        ({"preference": "usual"}, ("usual", None, None)),
        ({"preference": "ushape", "q": 1.0}, ("ushape", None, 1.0)),
        ({"preference": "level", "q": 1.0, "p": 3.0}, ("level", 3.0, 1.0)),
        ({"preference": "linear", "q": 1.0, "p": 3.0}, ("vshape_2", 3.0, 1.0)),
        ({"preference": "vshape", "p": 2.0}, ("vshape", 2.0, None)),
    ]:
        method = PROMETHEE_II(name, p=None if p is None else [p] * 4, q=None if q is None else [q] * 4)
        expected = (method(x, w, d) + 1.0) / 2.0
        np.testing.assert_allclose(mcda.aggregate("promethee2", x, w, d, **ours), expected, rtol=0, atol=TOL)


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
def test_wlc_sum_matches_wsm_default(n, m, seed):
    x, w, d = problem(n, m, seed)
    np.testing.assert_allclose(mcda.aggregate("wlc", x, w, d, normalization="sum"), WSM()(x, w, d), atol=TOL, rtol=0)


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
def test_wlc_minmax_matches_wsm_minmax(n, m, seed):
    x, w, d = problem(n, m, seed)
    expected = WSM(pn.minmax_normalization)(x, w, d)
    np.testing.assert_allclose(mcda.aggregate("wlc", x, w, d, normalization="minmax"), expected, atol=TOL, rtol=0)
    # "auto" on a raw (not 0..1) matrix is min-max.
    np.testing.assert_allclose(mcda.aggregate("wlc", x, w, d), expected, atol=TOL, rtol=0)


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
def test_wpm_sum_matches_wpm_default(n, m, seed):
    x, w, d = problem(n, m, seed)
    np.testing.assert_allclose(mcda.aggregate("wpm", x, w, d, normalization="sum"), WPM()(x, w, d), atol=TOL, rtol=0)


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
def test_wpm_max_matches_wpm_linear(n, m, seed):
    x, w, d = problem(n, m, seed)
    expected = WPM(pn.linear_normalization)(x, w, d)
    np.testing.assert_allclose(mcda.aggregate("wpm", x, w, d, normalization="max"), expected, atol=TOL, rtol=0)
    np.testing.assert_allclose(mcda.aggregate("wpm", x, w, d), expected, atol=TOL, rtol=0)


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
def test_entropy_weights(n, m, seed):
    x, _, _ = problem(n, m, seed)  # strictly positive: pymcdm and ours agree there
    np.testing.assert_allclose(weighting.entropy(x), pw.entropy_weights(x), atol=TOL, rtol=0)
    np.testing.assert_allclose(mcda.weights("entropy", matrix=x), pw.entropy_weights(x), atol=TOL, rtol=0)


@pytest.mark.parametrize(("n", "m", "seed"), CASES)
def test_critic_weights(n, m, seed):
    x, _, d = problem(n, m, seed)
    np.testing.assert_allclose(mcda.weights("critic", matrix=x), pw.critic_weights(x), atol=TOL, rtol=0)
    # With directions, a cost column is min-max normalised as (max - x)/(max - min), which is
    # what pymcdm's benefit-only CRITIC sees if the column is negated first.
    np.testing.assert_allclose(
        mcda.weights("critic", matrix=x, directions=d), pw.critic_weights(x * d), atol=TOL, rtol=0
    )


def test_oracle_cases_are_not_trivial():
    # Guard against a vacuous comparison: the scores vary and the methods disagree.
    x, w, d = problem(60, 12, 0)
    scores = {name: mcda.aggregate(name, x, w, d) for name in ("wlc", "topsis", "vikor", "promethee2")}
    for s in scores.values():
        assert s.std() > 0.01
    assert np.abs(scores["wlc"] - scores["topsis"]).max() > 1e-3
