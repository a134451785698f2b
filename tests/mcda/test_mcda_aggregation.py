from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from growthzones import mcda
from growthzones.errors import GrowthzonesError, MethodError, WeightError
from growthzones.mcda.aggregation import (
    _net_contributions_pairwise,
    _net_contributions_sorted,
    maxent_order_weights,
    orness,
)

METHODS = sorted(mcda.AGGREGATION_METHODS)
PARAMS = {"owa": {"orness": 0.3}}


def agg(name, x, w, d=None, **kw):
    return mcda.aggregate(name, x, w, d, **{**PARAMS.get(name, {}), **kw})


def test_registry_names_exact():
    assert set(mcda.AGGREGATION_METHODS) == {"wlc", "wpm", "topsis", "vikor", "promethee2", "owa", "weakest_link"}
    desc = mcda.describe_methods()
    assert set(desc) == set(mcda.AGGREGATION_METHODS)
    assert all(v and "\n" not in v for v in desc.values())


# ---------------------------------------------------------------------------------------------
# hand-computed cases
# ---------------------------------------------------------------------------------------------


def test_wlc_values_by_hand():
    # 0.7*0.2 + 0.3*0.8 = 0.38; 0.7*0.5 + 0.3*0.5 = 0.5; 0.7*1 + 0.3*0 = 0.7
    x = [[0.2, 0.8], [0.5, 0.5], [1.0, 0.0]]
    np.testing.assert_allclose(mcda.aggregate("wlc", x, [0.7, 0.3], [1, 1]), [0.38, 0.5, 0.7], atol=1e-15)
    # Same values, second criterion a cost: 1 - x -> 0.7*0.2 + 0.3*0.2 = 0.2, 0.5, 0.7 + 0.3 = 1.0
    np.testing.assert_allclose(mcda.aggregate("wlc", x, [0.7, 0.3], [1, -1]), [0.2, 0.5, 1.0], atol=1e-15)


def test_wlc_raw_minmax_by_hand():
    # col 1 benefit: (10, 20, 30) -> (0, 0.5, 1); col 2 cost: (300 - x) / 200 -> (0.5, 1, 0)
    # scores 0.6*r1 + 0.4*r2 = (0.2, 0.7, 0.6)
    x = [[10, 200], [20, 100], [30, 300]]
    np.testing.assert_allclose(mcda.aggregate("wlc", x, [0.6, 0.4], [1, -1]), [0.2, 0.7, 0.6], atol=1e-15)
    np.testing.assert_allclose(mcda.aggregate("wlc", x, [3, 2], ["benefit", "cost"]), [0.2, 0.7, 0.6], atol=1e-15)


def test_wpm_by_hand():
    # 0.25^0.75 * 1^0.25 = 0.353553; 1^0.75 * 0.25^0.25 = 0.707107
    x = [[0.25, 1.0], [1.0, 0.25]]
    np.testing.assert_allclose(mcda.aggregate("wpm", x, [0.75, 0.25], [1, 1]), [0.25**0.75, 0.25**0.25])
    # A zero on a weighted criterion zeroes the product; on a zero-weight criterion it is ignored.
    x0 = [[0.0, 0.5], [0.5, 0.5]]
    assert mcda.aggregate("wpm", x0, [0.5, 0.5], [1, 1]).tolist() == [0.0, 0.5]
    np.testing.assert_allclose(mcda.aggregate("wpm", x0, [0.0, 1.0], [1, 1]), [0.5, 0.5])


def test_topsis_by_hand():
    # minmax r = x; w = (0.5, 0.5). Site (1, 0): D+ = sqrt(0.25) = 0.5, D- = 0.5 -> 0.5.
    # Site (1, 0.5) with w = (0.8, 0.2): D+ = 0.2*0.5 = 0.1, D- = sqrt(0.64 + 0.01) -> D-/(D- + D+)
    x = [[0, 0], [1, 1], [1, 0], [1, 0.5]]
    got = mcda.aggregate("topsis", x, [0.8, 0.2], [1, 1])
    dm = math.sqrt(0.8**2 + 0.1**2)
    assert got[3] == pytest.approx(dm / (dm + 0.1), abs=1e-15)
    assert got[:2].tolist() == [0.0, 1.0]


def test_vikor_by_hand():
    """x = [[1, 0], [0, 1], [1, 1], [0.5, 0.5]], w = (0.6, 0.4), v = 0.5.
    regret g = 1 - x; S = g @ w = (0.4, 0.6, 0, 0.5); R = max_j w_j g_ij = (0.4, 0.6, 0, 0.3).
    Q = 0.5 S/0.6 + 0.5 R/0.6 = (0.666667, 1, 0, 0.666667); score = 1 - Q."""
    x = [[1, 0], [0, 1], [1, 1], [0.5, 0.5]]
    got = mcda.aggregate("vikor", x, [0.6, 0.4], [1, 1], v=0.5)
    np.testing.assert_allclose(got, [1 / 3, 0.0, 1.0, 1 / 3], atol=1e-15)
    # v = 1: S only -> Q = S / 0.6
    got = mcda.aggregate("vikor", x, [0.6, 0.4], [1, 1], v=1.0)
    np.testing.assert_allclose(got, 1 - np.array([0.4, 0.6, 0, 0.5]) / 0.6, atol=1e-15)


def test_promethee2_by_hand():
    """pymcdm's documented example: net flows (0.1, -0.3, 0.2) -> scores (0.55, 0.35, 0.6).
    By hand, usual criterion: pi(1,2) = 0.5 + 0.3 = 0.8 (site 1 better on c1, c2),
    pi(2,1) = 0.2; pi(1,3) = 0.3; pi(3,1) = 0.5 + 0.2 = 0.7; pi(2,3) = 0.3 + 0.2 = 0.5;
    pi(3,2) = 0.5. phi1 = (0.8 + 0.3 - 0.2 - 0.7)/2 = 0.1; phi2 = (0.2 + 0.5 - 0.8 - 0.5)/2 = -0.3."""
    x = [[4, 3, 2], [3, 2, 4], [5, 1, 3]]
    got = mcda.aggregate("promethee2", x, [0.5, 0.3, 0.2], [1, 1, 1])
    np.testing.assert_allclose(got, [0.55, 0.35, 0.6], atol=1e-15)


def test_promethee2_vshape_by_hand():
    # Two sites, one criterion, d = 2, p = 4: P(2) = 0.5, P(-2) = 0 -> phi = +-0.5 -> (0.75, 0.25)
    got = mcda.aggregate("promethee2", [[3.0], [1.0]], [1.0], [1], preference="vshape", p=4)
    np.testing.assert_allclose(got, [0.75, 0.25], atol=1e-15)
    # linear with q = 1, p = 5: P(2) = (2 - 1)/4 = 0.25 -> (0.625, 0.375); cost flips it.
    got = mcda.aggregate("promethee2", [[3.0], [1.0]], [1.0], [-1], preference="linear", q=1, p=5)
    np.testing.assert_allclose(got, [0.375, 0.625], atol=1e-15)


def test_owa_with_order_weights_by_hand():
    # Equal criterion weights: Yager's OWA. Sorted (1.0, 0.6, 0.2) . (0.5, 0.3, 0.2) = 0.72
    x = [[0.2, 0.6, 1.0], [0.5, 0.5, 0.5]]
    got = mcda.aggregate("owa", x, [1, 1, 1], [1, 1, 1], order_weights=[0.5, 0.3, 0.2])
    np.testing.assert_allclose(got, [0.72, 0.5], atol=1e-15)


def test_wowa_by_hand():
    """Torra's WOWA, r = (0.2, 0.6, 1.0), w = (0.5, 0.25, 0.25), v = (0.5, 0.3, 0.2).
    Sorted best first: 1.0 (w 0.25), 0.6 (w 0.25), 0.2 (w 0.5); cumulative P = 0.25, 0.5, 1.
    w* interpolates (0, 0), (1/3, 0.5), (2/3, 0.8), (1, 1):
    w*(0.25) = 0.375; w*(0.5) = 0.5 + 0.3 * (0.5 - 1/3) * 3 = 0.65; w*(1) = 1.
    Weights 0.375, 0.275, 0.35 -> 0.375*1 + 0.275*0.6 + 0.35*0.2 = 0.61."""
    got = mcda.aggregate("owa", [[0.2, 0.6, 1.0]], [0.5, 0.25, 0.25], [1, 1, 1], order_weights=[0.5, 0.3, 0.2])
    assert got[0] == pytest.approx(0.61, abs=1e-15)


def test_owa_special_cases():
    rng = np.random.default_rng(5)
    x = rng.uniform(size=(30, 5))
    w = rng.dirichlet(np.ones(5))
    eq = np.full(5, 0.2)
    d = np.ones(5)

    def owa(xx, ww, **kw):
        return mcda.aggregate("owa", xx, ww, np.ones(xx.shape[1]), **kw)

    wlc = mcda.aggregate("wlc", x, w, d)
    np.testing.assert_allclose(owa(x, w, orness=0.5), wlc, atol=1e-12)
    np.testing.assert_allclose(owa(x, w, order_weights=eq), wlc, atol=1e-12)
    np.testing.assert_allclose(owa(x, eq, orness=0.0), x.min(axis=1), atol=1e-12)
    np.testing.assert_allclose(owa(x, eq, orness=1.0), x.max(axis=1), atol=1e-12)
    # The value of a zero-weight criterion has no effect.
    w0 = np.append(w, 0.0)
    v = [0.4, 0.3, 0.1, 0.1, 0.1, 0.0]
    a = owa(np.column_stack([x, rng.uniform(size=30)]), w0, order_weights=v)
    b = owa(np.column_stack([x, rng.uniform(size=30)]), w0, order_weights=v)
    np.testing.assert_allclose(a, b, atol=1e-12)
    assert np.abs(a - wlc).max() > 1e-3


def test_maxent_order_weights():
    for m in (2, 3, 5, 12):
        for a in (0.0, 0.1, 0.25, 0.5, 0.8, 0.97, 1.0):
            v = maxent_order_weights(m, a)
            assert v.sum() == pytest.approx(1.0)
            assert orness(v) == pytest.approx(a, abs=1e-9)
            # geometric: constant ratio between consecutive weights (when none is ~0)
            if 0.05 < a < 0.95:
                ratios = v[1:] / v[:-1]
                np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    np.testing.assert_allclose(maxent_order_weights(4, 0.5), [0.25] * 4)


def test_weakest_link_by_hand():
    """w = (0.75, 0.25) -> w' = (1, 1/3).
    Reichenbach 1 - w'(1 - r): site (0.2, 0.9): min(0.2, 1 - 0.1/3) = 0.2;
    site (0.6, 0.5): min(0.6, 1 - 0.5/3 = 0.8333) = 0.6; site (0.9, 0.1): min(0.9, 0.7) = 0.7.
    Kleene-Dienes max(1 - w', r): (0.9, 0.1) -> min(0.9, max(2/3, 0.1)) = 2/3."""
    x = [[0.2, 0.9], [0.6, 0.5], [0.9, 0.1]]
    got = mcda.aggregate("weakest_link", x, [0.75, 0.25], [1, 1])
    np.testing.assert_allclose(got, [0.2, 0.6, 0.7], atol=1e-15)
    got = mcda.aggregate("weakest_link", x, [0.75, 0.25], [1, 1], implication="kleene_dienes")
    np.testing.assert_allclose(got, [0.2, 0.6, 2 / 3], atol=1e-15)
    # Equal weights: plain minimum.
    np.testing.assert_allclose(mcda.aggregate("weakest_link", x, [1, 1], [1, 1]), [0.2, 0.5, 0.1])


# ---------------------------------------------------------------------------------------------
# batched weights
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", METHODS)
def test_batched_weights_match_one_at_a_time(name):
    rng = np.random.default_rng(8)
    x = rng.uniform(0, 50, size=(40, 6))
    d = np.array([1, -1, 1, 1, -1, 1])
    ws = rng.dirichlet(np.ones(6), size=7)
    ws[2, 3] = 0.0
    batch = agg(name, x, ws, d)
    assert batch.shape == (7, 40)
    for k, w in enumerate(ws):
        np.testing.assert_allclose(batch[k], agg(name, x, w, d), atol=1e-12)


# ---------------------------------------------------------------------------------------------
# contract: 0..1 matrix, all benefit -> scores in 0..1
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", METHODS)
def test_unit_matrix_gives_unit_scores_extremes(name):
    x = np.array([[0, 0, 0], [1, 1, 1], [0, 1, 0.5], [1, 0, 1]], dtype=float)
    s = agg(name, x, [0.5, 0.3, 0.2], [1, 1, 1])
    assert np.all((s >= 0) & (s <= 1))
    assert s[1] == pytest.approx(s.max())
    assert s[0] == pytest.approx(s.min())


# ---------------------------------------------------------------------------------------------
# degenerate input
# ---------------------------------------------------------------------------------------------


def test_constant_criterion_minmax_gives_one():
    x = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    r = mcda.normalize(x, [1, -1], "minmax")
    assert r[:, 1].tolist() == [1.0, 1.0, 1.0]
    # wlc: it adds its weight to every site
    np.testing.assert_allclose(mcda.aggregate("wlc", x, [0.5, 0.5], [1, 1]), [0.5, 0.75, 1.0])


@pytest.mark.parametrize("name", ["topsis", "vikor"])
def test_constant_criterion_is_neutral(name):
    # topsis and vikor with a constant column equal the same method without it (weights
    # renormalised): both are invariant to a common scale of the weights.
    rng = np.random.default_rng(2)
    x = rng.uniform(size=(20, 3))
    xc = np.column_stack([x, np.full(20, 4.2)])
    w = np.array([0.3, 0.2, 0.1, 0.4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = agg(name, xc, w, [1, -1, 1, -1])
    np.testing.assert_allclose(got, agg(name, x, w[:3], [1, -1, 1]), atol=1e-12)


def test_all_identical_sites():
    x = np.ones((4, 3)) * 7
    w = [0.2, 0.3, 0.5]
    expected = {
        "wlc": 1.0,
        "wpm": 1.0,
        "topsis": 1.0,
        "vikor": 1.0,
        "promethee2": 0.5,
        "owa": 1.0,
        "weakest_link": 1.0,
    }
    for name in METHODS:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            s = agg(name, x, w)
        assert s.tolist() == [expected[name]] * 4, name


@pytest.mark.parametrize("name", METHODS)
def test_one_site(name):
    s = agg(name, [[3.0, 40.0, 0.5]], [0.2, 0.3, 0.5], [1, -1, 1])
    assert s.shape == (1,)
    assert 0 <= s[0] <= 1


@pytest.mark.parametrize("name", METHODS)
def test_no_sites(name):
    assert agg(name, np.empty((0, 3)), [0.2, 0.3, 0.5]).shape == (0,)
    assert agg(name, np.empty((0, 3)), np.full((2, 3), 1 / 3)).shape == (2, 0)


@pytest.mark.parametrize("name", METHODS)
def test_nan_is_a_clear_error(name):
    x = np.array([[1.0, 2.0], [np.nan, 3.0], [2.0, 1.0]])
    with pytest.raises(MethodError, match=r"1 NaN/infinite value\(s\), first at site row 1, criterion column 0"):
        agg(name, x, [0.5, 0.5])
    x[1, 0] = np.inf
    with pytest.raises(MethodError, match="NaN/infinite"):
        agg(name, x, [0.5, 0.5])


def test_huge_finite_values_are_not_mistaken_for_nan():
    x = np.array([[1e308, 1.0], [1e308, 2.0], [1e307, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = mcda.aggregate("wlc", x, [0.5, 0.5], [1, 1])
    assert np.all(np.isfinite(s))


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize(
    ("w", "match"),
    [([-0.5, 1.5], "negative"), ([0, 0], "all zero"), ([0.5, 0.3, 0.2], "shape"), ([np.nan, 1], "finite")],
)
def test_bad_weights(name, w, match):
    with pytest.raises(WeightError, match=match):
        agg(name, [[1.0, 2.0], [2.0, 1.0]], w)


def test_weights_are_normalised():
    x = [[0.2, 0.8], [0.5, 0.5]]
    np.testing.assert_allclose(mcda.aggregate("wlc", x, [7, 3], [1, 1]), mcda.aggregate("wlc", x, [0.7, 0.3], [1, 1]))


@pytest.mark.parametrize(
    ("matrix", "directions", "err", "match"),
    [
        ([1.0, 2.0], [1], MethodError, "2-D"),
        (np.empty((3, 0)), [], MethodError, "no criteria"),
        ([[1.0, 2.0]], [1], MethodError, "one direction"),
        ([[1.0, 2.0]], [1, 0], MethodError, "direction 0 is not valid"),
        ([[1.0, 2.0]], ["benefit", "more"], MethodError, "'more'"),
        ([["a", "b"]], [1, 1], MethodError, "numbers"),
    ],
)
def test_bad_shapes_and_directions(matrix, directions, err, match):
    with pytest.raises(err, match=match):
        mcda.aggregate("wlc", matrix, [0.5, 0.5], directions)


def test_unknown_method_and_params():
    with pytest.raises(MethodError) as exc:
        mcda.aggregate("electre", [[1.0]], [1.0], [1])
    assert "owa, promethee2, topsis, vikor, weakest_link, wlc, wpm" in str(exc.value)
    with pytest.raises(MethodError, match="did you mean 'topsis'"):
        mcda.aggregate("topsys", [[1.0]], [1.0], [1])
    with pytest.raises(MethodError, match=r"unknown parameter\(s\) 'V'.*its parameters are: v"):
        mcda.aggregate("vikor", [[1.0]], [1.0], [1], V=0.5)
    with pytest.raises(MethodError, match="its parameters are: normalization"):
        mcda.aggregate("wlc", [[1.0]], [1.0], [1], normalisation="none")
    assert issubclass(MethodError, GrowthzonesError)


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("vikor", {"v": 1.5}, "v=1.5 must be a number in 0..1"),
        ("vikor", {"v": "half"}, "0..1"),
        ("topsis", {"normalization": "l2"}, "minmax, vector"),
        ("wlc", {"normalization": "zscore"}, "auto, none, minmax"),
        ("wlc", {"normalization": "none"}, "0..1 scale"),
        ("wpm", {"normalization": "sum"}, "strictly positive"),
        ("promethee2", {"preference": "gaussian"}, "usual, ushape, vshape, level, linear"),
        ("promethee2", {"preference": "vshape"}, "needs p"),
        ("promethee2", {"preference": "usual", "p": 3}, "does not use p"),
        ("promethee2", {"preference": "linear", "q": 5, "p": 2}, "q < p"),
        ("promethee2", {"preference": "vshape", "p": 0}, "p must be > 0"),
        ("promethee2", {"preference": "ushape", "q": -1}, ">= 0"),
        ("promethee2", {"preference": "ushape", "q": [1, 2, 3]}, "one per criterion"),
        ("owa", {}, "exactly one of order_weights"),
        ("owa", {"orness": 0.5, "order_weights": [0.5, 0.5]}, "exactly one"),
        ("owa", {"orness": 2}, "0..1"),
        ("owa", {"order_weights": [1, 0, 0]}, "2 non-negative"),
        ("weakest_link", {"implication": "godel"}, "reichenbach, kleene_dienes"),
    ],
)
def test_bad_method_params(name, params, match):
    x = [[-1.0, 2.0], [3.0, 0.0], [0.5, 1.0]]
    with pytest.raises(MethodError, match=match):
        mcda.aggregate(name, x, [0.5, 0.5], [1, 1], **params)


def test_no_negative_zero_scores():
    s = mcda.aggregate("wlc", [[1.0], [2.0]], [1.0], [-1], normalization="minmax")
    assert [math.copysign(1, v) for v in s] == [1, 1]


def test_auto_normalisation_rule():
    x01 = np.array([[0.2, 0.4], [0.6, 0.5]])
    np.testing.assert_allclose(mcda.aggregate("wlc", x01, [0.5, 0.5], [1, 1]), x01 @ [0.5, 0.5])
    np.testing.assert_allclose(
        mcda.aggregate("wlc", x01 * 10, [0.5, 0.5], [1, 1]),
        mcda.aggregate("wlc", x01 * 10, [0.5, 0.5], [1, 1], normalization="minmax"),
    )


# ---------------------------------------------------------------------------------------------
# PROMETHEE: sorted O(n log n) flows against the literal pairwise definition
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pref", "q", "p"), [("usual", 0, 0), ("ushape", 2, 0), ("vshape", 0, 3), ("level", 1, 4), ("linear", 1, 4)]
)
@pytest.mark.parametrize("integer", [True, False])
def test_promethee_sorted_equals_pairwise(pref, q, p, integer):
    rng = np.random.default_rng(3)
    yt = rng.integers(-5, 6, size=(4, 300)).astype(float) if integer else rng.normal(0, 3, size=(4, 300))
    qa, pa = np.full(4, float(q)), np.full(4, float(p))
    fast = _net_contributions_sorted(yt, pref, qa, pa)
    slow = _net_contributions_pairwise(yt, pref, qa, pa, chunk_elements=1000)  # many chunks
    np.testing.assert_allclose(fast, slow, atol=1e-9, rtol=0)
    assert np.abs(fast).max() > 1
