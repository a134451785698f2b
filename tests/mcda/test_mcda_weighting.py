from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from growthzones import mcda
from growthzones.errors import GrowthzonesError, MethodError, WeightError
from growthzones.mcda import InconsistentJudgementWarning, ahp_weights, hierarchical_weights
from growthzones.mcda import weighting as wt

# ---------------------------------------------------------------------------------------------
# AHP
# ---------------------------------------------------------------------------------------------


def test_ahp_saaty_light_intensity_example():
    """Saaty (1977), J. Math. Psychology 15(3) 234-281, the optics experiment (also Saaty 1980,
    The Analytic Hierarchy Process, ch. 2): relative brightness of four chairs at increasing
    distance from a light. Published eigenvector (0.61, 0.24, 0.10, 0.05), two decimals summing
    to 1 (the unrounded first entry is 0.6187, hence the 0.01 tolerance), and lambda_max = 4.39;
    CR = (4.39 - 4) / 3 / RI(4) = 0.13 / 0.90 = 0.14.
    (Figures quoted from the book; the repository holds no copy of the source.)"""
    a = [
        [1, 5, 6, 7],
        [1 / 5, 1, 4, 6],
        [1 / 6, 1 / 4, 1, 4],
        [1 / 7, 1 / 6, 1 / 4, 1],
    ]
    with pytest.warns(InconsistentJudgementWarning):  # CR 0.14 > 0.1
        w, cr = ahp_weights(a)
    np.testing.assert_allclose(w, [0.61, 0.24, 0.10, 0.05], atol=0.01)
    assert w.argsort().tolist() == [3, 2, 1, 0]
    lam = 4 + cr * 0.90 * 3
    assert round(lam, 2) == 4.39
    assert round(cr, 2) == 0.14


def test_ahp_three_by_three_by_hand():
    """a12 = 2, a13 = 8, a23 = 2 (consistent would need a13 = 4).

    For n = 3 the principal eigenvector equals the normalised row geometric means
    (Crawford & Williams 1985), and lambda_max = 1 + t + 1/t with t = (a13 / (a12 a23))^(1/3):
      t = (8 / 4)^(1/3) = 1.259921; lambda_max = 1 + 1.259921 + 0.793701 = 3.053622
      CI = (3.0536216 - 3) / 2 = 0.0268108; CR = CI / 0.58 = 0.0462255
      row geometric means: 16^(1/3) = 2.519842, 1^(1/3) = 1, (1/16)^(1/3) = 0.396850
      sum = 3.916692 -> w = (0.643361, 0.255317, 0.101323)
    """
    w, cr = ahp_weights([[1, 2, 8], [1 / 2, 1, 2], [1 / 8, 1 / 2, 1]])
    np.testing.assert_allclose(w, [0.643360, 0.255317, 0.101323], atol=5e-7)
    assert cr == pytest.approx(0.0462255, abs=2e-7)
    assert 3 + 0.58 * 2 * cr == pytest.approx(1 + 2 ** (1 / 3) + 2 ** (-1 / 3), abs=1e-9)


def test_ahp_consistent_matrix_recovers_weights_exactly():
    true = np.array([0.4, 0.3, 0.2, 0.1])
    a = true[:, None] / true[None, :]
    w, cr = ahp_weights(a)
    np.testing.assert_allclose(w, true, atol=1e-12)
    assert cr == pytest.approx(0.0, abs=1e-12)


def test_ahp_two_criteria_and_one():
    w, cr = ahp_weights([[1, 3], [1 / 3, 1]])
    np.testing.assert_allclose(w, [0.75, 0.25])
    assert cr == 0.0
    w, cr = ahp_weights([[1]])
    assert w.tolist() == [1.0]
    assert cr == 0.0


def test_ahp_warning_names_most_inconsistent_judgement():
    true = np.array([0.4, 0.3, 0.2, 0.1])
    a = true[:, None] / true[None, :]
    a[1, 3] *= 9  # "grid vs water" badly overstated
    a[3, 1] = 1 / a[1, 3]
    labels = ["land", "grid", "fibre", "water"]
    with pytest.warns(InconsistentJudgementWarning, match=r"'grid' vs 'water'") as rec:
        w, cr = ahp_weights(a, labels=labels)
    assert cr > 0.1
    assert "revise" in str(rec[0].message)
    # Independently: the pair with the largest |log(a_ij w_j / w_i)|.
    err = np.abs(np.log(a * w[None, :] / w[:, None]))
    i, j = np.unravel_index(np.argmax(np.triu(err, 1)), err.shape)
    assert (labels[i], labels[j]) == ("grid", "water")


def test_ahp_no_warning_when_consistent_enough():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ahp_weights([[1, 2, 8], [1 / 2, 1, 2], [1 / 8, 1 / 2, 1]])


def test_inconsistent_warning_is_user_warning():
    assert issubclass(InconsistentJudgementWarning, UserWarning)


@pytest.mark.parametrize(
    ("a", "match"),
    [
        ([[1, 2], [2, 1]], "not reciprocal"),
        ([[1, -2], [-0.5, 1]], "positive"),
        ([[1, 0], [0, 1]], "positive"),
        ([[2, 2], [0.5, 1]], "diagonal"),
        ([[1, 2, 3], [0.5, 1, 2]], "square"),
        ([[1, float("nan")], [1, 1]], "positive"),
    ],
)
def test_ahp_rejects_bad_matrices(a, match):
    with pytest.raises(WeightError, match=match):
        ahp_weights(a)


def test_ahp_accepts_rounded_reciprocals():
    w, _ = ahp_weights([[1, 3], [0.33, 1]])
    np.testing.assert_allclose(w, [0.75, 0.25])


def test_ahp_too_many_criteria():
    with pytest.raises(WeightError, match="hierarchical_weights"):
        ahp_weights(np.ones((16, 16)))


def test_ahp_via_registry():
    np.testing.assert_allclose(mcda.weights("ahp", pairwise=[[1, 4], [0.25, 1]]), [0.8, 0.2])


# ---------------------------------------------------------------------------------------------
# other weighting methods
# ---------------------------------------------------------------------------------------------


def test_direct_and_equal():
    np.testing.assert_allclose(mcda.weights("direct", values=[2, 1, 1]), [0.5, 0.25, 0.25])
    np.testing.assert_allclose(mcda.weights("direct", values=[0, 3]), [0, 1])
    np.testing.assert_allclose(mcda.weights("equal", n=4), [0.25] * 4)


@pytest.mark.parametrize("values", [[1, -1], [0, 0], [], [1, float("nan")], [[1, 2]]])
def test_direct_rejects(values):
    with pytest.raises(WeightError):
        mcda.weights("direct", values=values)


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_equal_rejects(n):
    with pytest.raises(WeightError):
        mcda.weights("equal", n=n)


def test_roc_by_hand():
    # w_k = (1/n) sum_{i>=k} 1/i; n = 4: (25/48, 13/48, 7/48, 3/48)
    np.testing.assert_allclose(wt.roc([1, 2, 3, 4]), np.array([25, 13, 7, 3]) / 48)
    # Order only: ranks [3, 1, 2] -> weights by position 2, 0, 1 (n = 3: 11/18, 5/18, 2/18).
    np.testing.assert_allclose(mcda.weights("roc", ranks=[3, 1, 2]), np.array([2, 11, 5]) / 18)
    # Ties share the mean weight of the positions they jointly hold: (11/18 + 5/18) / 2.
    np.testing.assert_allclose(wt.roc([1, 1, 3]), np.array([8, 8, 2]) / 18)


def test_rank_sum_by_hand():
    # 2 (n + 1 - k) / (n (n + 1)); n = 3: 3/6, 2/6, 1/6
    np.testing.assert_allclose(mcda.weights("rank_sum", ranks=[2, 1, 3]), [2 / 6, 3 / 6, 1 / 6])
    np.testing.assert_allclose(wt.rank_sum([1, 2, 2]), [3 / 6, 1.5 / 6, 1.5 / 6])


def test_entropy_by_hand():
    """Column 1: p = (0.25, 0.75): E = -(0.25 ln 0.25 + 0.75 ln 0.75) / ln 2 = 0.811278.
    Column 2 constant: E = 1. Column 3: p = (1, 0): E = 0 (0 ln 0 = 0).
    d = (0.188722, 0, 1) -> w = d / 1.188722 = (0.158760, 0, 0.841240)."""
    x = np.array([[1.0, 2.0, 1.0], [3.0, 2.0, 0.0]])
    np.testing.assert_allclose(wt.entropy(x), [0.158760, 0.0, 0.841240], atol=5e-7)


def test_entropy_rejects():
    with pytest.raises(WeightError, match="non-negative"):
        wt.entropy([[1, -1], [2, 3]])
    with pytest.raises(WeightError, match="all zero"):
        wt.entropy([[0, 1], [0, 3]])
    with pytest.raises(WeightError, match="constant"):
        wt.entropy([[1, 1], [1, 1]])
    with pytest.raises(WeightError, match="at least 2 sites"):
        wt.entropy([[1, 1]])
    with pytest.raises(WeightError, match="NaN"):
        wt.entropy([[1, float("nan")], [1, 2]])


def test_critic_constant_criterion_gets_zero():
    rng = np.random.default_rng(4)
    x = rng.uniform(size=(20, 3))
    x[:, 1] = 7.0
    w = wt.critic(x)
    assert w[1] == 0.0
    assert w.sum() == pytest.approx(1.0)
    with pytest.raises(WeightError, match="constant"):
        wt.critic(np.ones((5, 3)))


def test_hierarchical_weights():
    out = hierarchical_weights(
        {"grid": 0.35, "land": 0.2, "water": 0.45},
        {"grid": {"headroom": 3, "distance": 1}, "land": {"area": 1}, "water": {"stress": 1, "flood": 0}},
    )
    assert out == pytest.approx({"headroom": 0.2625, "distance": 0.0875, "area": 0.2, "stress": 0.45, "flood": 0.0})
    assert sum(out.values()) == pytest.approx(1.0)
    assert list(out) == ["headroom", "distance", "area", "stress", "flood"]


def test_hierarchical_weights_normalises_groups_and_zero_group():
    out = hierarchical_weights({"a": 2, "b": 2, "c": 0}, {"a": {"x": 1}, "b": {"y": 1}, "c": {"z": 0}})
    assert out == pytest.approx({"x": 0.5, "y": 0.5, "z": 0.0})


@pytest.mark.parametrize(
    ("groups", "crits", "match"),
    [
        ({"a": 1}, {"a": {"x": 1}, "b": {"y": 1}}, "no group weight"),
        ({"a": 1, "b": 1}, {"a": {"x": 1}}, "no criteria"),
        ({"a": 1, "b": 1}, {"a": {"x": 1}, "b": {"x": 1}}, "more than one group"),
        ({"a": 1}, {"a": {"x": 0}}, "all its criteria have weight 0"),
        ({"a": -1, "b": 2}, {"a": {"x": 1}, "b": {"y": 1}}, "negative"),
        ({"a": 0}, {"a": {"x": 1}}, "all zero"),
        ({"a": 1}, {"a": {"x": -1, "y": 2}}, "negative"),
    ],
)
def test_hierarchical_weights_errors(groups, crits, match):
    with pytest.raises(WeightError, match=match):
        hierarchical_weights(groups, crits)


def test_weights_registry_errors():
    with pytest.raises(MethodError, match=r"valid names are: ahp, critic, direct, entropy, equal, rank_sum, roc"):
        mcda.weights("entrophy", matrix=[[1]])
    with pytest.raises(MethodError, match="did you mean 'entropy'"):
        mcda.weights("entrophy", matrix=[[1]])
    with pytest.raises(MethodError, match="unknown parameter"):
        mcda.weights("equal", m=3)
    with pytest.raises(MethodError, match="needs parameter"):
        mcda.weights("roc")


def test_errors_are_growthzones_errors():
    assert issubclass(WeightError, GrowthzonesError)
    assert issubclass(WeightError, ValueError)


def test_describe_weighting_methods():
    desc = mcda.describe_weighting_methods()
    assert set(desc) == set(mcda.WEIGHTING_METHODS)
    assert all(isinstance(v, str) and v and "\n" not in v for v in desc.values())
    assert math.isclose(sum(mcda.weights("roc", ranks=list(range(1, 13)))), 1.0)
