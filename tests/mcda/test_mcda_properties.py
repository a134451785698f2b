"""Property-based invariants of the aggregation and weighting methods (hypothesis)."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from growthzones import mcda

METHODS = sorted(mcda.AGGREGATION_METHODS)
PARAMS = {
    "owa": {"orness": 0.3},
    "promethee2": {"preference": "linear", "q": 0.05, "p": 0.4},
}
SETTINGS = settings(max_examples=150, deadline=None)


def agg(name, x, w, d, **kw):
    return mcda.aggregate(name, x, w, d, **{**PARAMS.get(name, {}), **kw})


@st.composite
def problems(draw, *, unit=False, min_n=1, max_n=12, max_m=6):
    n = draw(st.integers(min_n, max_n))
    m = draw(st.integers(1, max_m))
    # Coarse grids give many ties, zeros and ones, the usual sources of edge-case bugs.
    grid = draw(st.sampled_from([None, 4, 10]))
    if unit:
        elems = st.floats(0, 1) if grid is None else st.integers(0, grid).map(lambda k, g=grid: k / g)
    else:
        elems = st.floats(-1e3, 1e3) if grid is None else st.integers(-grid, grid).map(float)
    x = draw(arrays(np.float64, (n, m), elements=elems))
    w = draw(arrays(np.float64, (m,), elements=st.floats(0, 1)))
    assume(w.sum() > 1e-6)
    d = np.ones(m, dtype=int) if unit else np.array(draw(st.lists(st.sampled_from([1, -1]), min_size=m, max_size=m)))
    return x, w, d


@given(problems(unit=True), st.sampled_from(METHODS))
@SETTINGS
def test_unit_matrix_all_benefit_gives_scores_in_unit_interval(prob, name):
    x, w, d = prob
    s = agg(name, x, w, d)
    assert s.shape == (x.shape[0],)
    assert np.all(np.isfinite(s))
    assert np.all((s >= 0) & (s <= 1)), s


@given(problems(min_n=2), st.sampled_from(METHODS), st.floats(1e-3, 1e3))
@SETTINGS
def test_scaling_weights_changes_nothing(prob, name, c):
    x, w, d = prob
    kw = {"normalization": "minmax"} if name in ("wlc", "owa", "weakest_link") else {}
    if name == "wpm":
        x = np.abs(x) + 1.0  # the ratio normalisation needs positive values
    a = agg(name, x, w, d, **kw)
    b = agg(name, x, w * c, d, **kw)
    np.testing.assert_allclose(a, b, atol=1e-9, rtol=0)
    # and therefore the ranking (stable sort, so ties keep their order in both)
    if np.ptp(a) > 1e-6:
        ra, rb = np.argsort(-np.round(a, 9), kind="stable"), np.argsort(-np.round(b, 9), kind="stable")
        assert ra.tolist() == rb.tolist()


@st.composite
def dominance(draw):
    x, w, d = draw(problems(min_n=2))
    i, j = draw(st.tuples(st.integers(0, x.shape[0] - 1), st.integers(0, x.shape[0] - 1)))
    assume(i != j)
    gain = draw(arrays(np.float64, (x.shape[1],), elements=st.floats(0, 100)))
    # site j = site i made no better on any criterion (worse in the criterion's direction)
    x = x.copy()
    x[j] = x[i] - d * gain
    return x, w, d, i, j


@given(dominance(), st.sampled_from(METHODS))
@SETTINGS
def test_dominating_site_never_ranked_below(prob, name):
    x, w, d, i, j = prob
    if name == "wpm":
        shift = 1.0 - x.min(axis=0)
        x = x + shift  # positive, keeps dominance
    s = agg(name, x, w, d)
    assert s[i] >= s[j] - 1e-9, (s[i], s[j])


@given(problems(min_n=2), st.integers(0, 5), st.floats(-1e4, 1e4))
@SETTINGS
def test_minmax_methods_unchanged_by_adding_constant(prob, col, c):
    x, w, d = prob
    # Distinct values must stay distinct after the shift: keep the data on a 0.001 grid.
    x = np.round(x, 3)
    col = col % x.shape[1]
    y = x.copy()
    y[:, col] += c
    for name, kw in [
        ("wlc", {"normalization": "minmax"}),
        ("topsis", {"normalization": "minmax"}),
        ("vikor", {}),
        ("promethee2", {"preference": "usual"}),
        ("promethee2", {"preference": "vshape", "p": 3.0}),
        ("owa", {"normalization": "minmax", "orness": 0.7}),
        ("weakest_link", {"normalization": "minmax"}),
    ]:
        a = mcda.aggregate(name, x, w, d, **kw)
        b = mcda.aggregate(name, y, w, d, **kw)
        # adding c loses about eps*|c| of the data's precision, so compare at a tolerance
        # well above that but far below any real change
        np.testing.assert_allclose(a, b, atol=1e-7, rtol=0, err_msg=name)


@given(problems(unit=True, min_n=1), st.integers(1, 5))
@settings(max_examples=60, deadline=None)
def test_batched_equals_single(prob, s):
    x, w, d = prob
    rng = np.random.default_rng(s)
    ws = np.vstack([w] + [rng.dirichlet(np.ones(x.shape[1])) for _ in range(s)])
    for name in METHODS:
        batch = agg(name, x, ws, d)
        for k in range(ws.shape[0]):
            np.testing.assert_allclose(batch[k], agg(name, x, ws[k], d), atol=1e-12)


@given(problems(unit=True, min_n=1))
@settings(max_examples=80, deadline=None)
def test_owa_equal_order_weights_is_wlc(prob):
    x, w, d = prob
    m = x.shape[1]
    np.testing.assert_allclose(
        mcda.aggregate("owa", x, w, d, order_weights=np.ones(m)), mcda.aggregate("wlc", x, w, d), atol=1e-12
    )


@given(
    arrays(np.float64, (3,), elements=st.sampled_from([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 2, 3, 5, 7, 9])),
)
@settings(max_examples=100, deadline=None)
def test_ahp_three_criteria_eigenvector_is_row_geometric_mean(upper):
    """For n = 3 the principal eigenvector equals the normalised row geometric means
    (Crawford & Williams, 1985, J. Math. Psychology 29(4))."""
    a12, a13, a23 = upper
    a = np.array([[1, a12, a13], [1 / a12, 1, a23], [1 / a13, 1 / a23, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mcda.InconsistentJudgementWarning)
        w, cr = mcda.ahp_weights(a)
    g = np.prod(a, axis=1) ** (1 / 3)
    np.testing.assert_allclose(w, g / g.sum(), atol=1e-10)
    t = (a13 / (a12 * a23)) ** (1 / 3)
    # lambda_max = 1 + t + 1/t, so CR = (t + 1/t - 2) / 2 / RI(3)
    assert abs(cr - (t + 1 / t - 2) / 2 / 0.58) < 1e-9


@given(st.lists(st.integers(1, 6), min_size=1, max_size=10), st.sampled_from(["roc", "rank_sum"]))
@settings(max_examples=100, deadline=None)
def test_rank_weights_sum_to_one_and_respect_order(ranks, name):
    w = mcda.weights(name, ranks=ranks)
    assert abs(w.sum() - 1) < 1e-12
    r = np.array(ranks)
    for i in range(len(r)):
        for j in range(len(r)):
            if r[i] < r[j]:
                assert w[i] > w[j]
            elif r[i] == r[j]:
                assert abs(w[i] - w[j]) < 1e-15
