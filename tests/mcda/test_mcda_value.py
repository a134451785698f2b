from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from growthzones import mcda
from growthzones.errors import MethodError

NAN = float("nan")


def vf(name, **params):
    return mcda.value_function(name, **params)


def test_linear_exact():
    f = vf("linear", low=10, high=30)
    assert f([0, 10, 15, 30, 99, NAN]).tolist()[:5] == [0.0, 0.0, 0.25, 1.0, 1.0]
    assert math.isnan(f([NAN])[0])
    g = vf("linear", low=10, high=30, direction="cost")
    assert g([0, 15, 30, 40]).tolist() == [1.0, 0.75, 0.0, 0.0]
    assert vf("linear", low=10, high=30, direction=-1)([15]).tolist() == [0.75]


def test_piecewise_exact():
    f = vf("piecewise", x=[0, 10, 50], y=[0, 0.8, 1.0])
    np.testing.assert_allclose(f([-5, 0, 5, 10, 30, 50, 70]), [0, 0, 0.4, 0.8, 0.9, 1.0, 1.0])
    assert math.isnan(f([NAN])[0])
    np.testing.assert_allclose(vf("piecewise", x=[0, 10], y=[0.2, 1], direction="cost")([5]), [0.4])


def test_logistic_exact():
    f = vf("logistic", midpoint=10, slope=0.5)
    np.testing.assert_allclose(f([10, 12, 8]), [0.5, 1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))])
    # Far tails saturate without overflow warnings turning into errors.
    assert f([1e6, -1e6]).tolist() == [1.0, 0.0]
    np.testing.assert_allclose(vf("logistic", midpoint=10, slope=0.5, direction="cost")([12]), [1 - f([12])[0]])


def test_gaussian_exact():
    f = vf("gaussian", ideal=5, width=2)
    np.testing.assert_allclose(f([5, 7, 3, 9]), [1, math.exp(-0.5), math.exp(-0.5), math.exp(-2)])
    np.testing.assert_allclose(vf("gaussian", ideal=5, width=2, direction="cost")([5]), [0.0])


def test_step_exact():
    f = vf("step", thresholds=[10, 20], values=[0.0, 0.5, 1.0])
    assert f([-1, 9.99, 10, 19.99, 20, 1e9]).tolist() == [0.0, 0.0, 0.5, 0.5, 1.0, 1.0]
    assert math.isnan(f([NAN])[0])
    assert vf("step", thresholds=[10], values=[0.2, 1.0], direction="cost")([5, 15]).tolist() == [0.8, 0.0]


def test_categorical_exact():
    f = vf("categorical", mapping={"green": 1.0, "brown": 0.6, "grey": 0.2}, default=0.0)
    out = f(["green", "grey", "urban", None, NAN])
    assert out[:3].tolist() == [1.0, 0.2, 0.0]
    assert np.isnan(out[3:]).all()
    assert f(pd.Series(["brown"])).tolist() == [0.6]
    g = vf("categorical", mapping={1: 1.0, 2: 0.5})
    assert g(np.array([1.0, 2.0])).tolist() == [1.0, 0.5]
    with pytest.raises(MethodError, match=r"'urban'.*not in mapping.*default"):
        vf("categorical", mapping={"green": 1.0})(["green", "urban"])
    assert vf("categorical", mapping={"a": 0.25}, direction="cost")(["a"]).tolist() == [0.75]


def test_scalar_and_shape_preserved():
    f = vf("linear", low=0, high=4)
    assert float(f(1)) == 0.25
    assert f(np.ones((2, 3))).shape == (2, 3)


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("linear", {"low": 5, "high": 5}, "low .* must be less than high"),
        ("linear", {"low": 9, "high": 1}, "direction='cost'"),
        ("linear", {"low": NAN, "high": 1}, "low=nan must be a finite number"),
        ("linear", {"low": "a", "high": 1}, "finite number"),
        ("linear", {"low": 0}, "needs parameter.*high"),
        ("linear", {"low": 0, "high": 1, "hgih": 2}, "unknown parameter.*'hgih'.*low, high, direction"),
        ("linear", {"low": 0, "high": 1, "direction": "up"}, "direction 'up' is not valid"),
        ("linear", {"low": 0, "high": 1, "direction": 0}, "direction 0 is not valid"),
        ("piecewise", {"x": [0, 2, 1], "y": [0, 1, 1]}, "strictly increasing"),
        ("piecewise", {"x": [0, 1, 1], "y": [0, 1, 1]}, "strictly increasing"),
        ("piecewise", {"x": [0, 1], "y": [0, 1, 1]}, "2 breakpoints but y has 3"),
        ("piecewise", {"x": [0, 1], "y": [0, 2]}, "0..1"),
        ("piecewise", {"x": [0], "y": [0]}, "at least 2"),
        ("logistic", {"midpoint": 0, "slope": 0}, "slope must be > 0"),
        ("logistic", {"midpoint": 0, "slope": -1}, "direction='cost'"),
        ("gaussian", {"ideal": 0, "width": 0}, "width must be > 0"),
        ("step", {"thresholds": [1, 1], "values": [0, 0.5, 1]}, "strictly increasing"),
        ("step", {"thresholds": [1, 2], "values": [0, 1]}, "give len\\(thresholds\\) \\+ 1 values"),
        ("step", {"thresholds": [1], "values": [0, 1.5]}, "0..1"),
        ("categorical", {"mapping": {}}, "non-empty dict"),
        ("categorical", {"mapping": {"a": 2}}, "0..1"),
        ("categorical", {"mapping": {"a": 1}, "default": 3}, "0..1"),
    ],
)
def test_bad_params(name, params, match):
    with pytest.raises(MethodError, match=match):
        vf(name, **params)


def test_unknown_name_lists_valid():
    with pytest.raises(MethodError) as exc:
        vf("sigmoid", midpoint=1, slope=1)
    assert "categorical, gaussian, linear, logistic, piecewise, step" in str(exc.value)


def test_registry_and_descriptions():
    assert set(mcda.VALUE_FUNCTIONS) == {"linear", "piecewise", "logistic", "gaussian", "step", "categorical"}
    desc = mcda.describe_value_functions()
    assert set(desc) == set(mcda.VALUE_FUNCTIONS)
    assert all(desc.values())
    f = vf("linear", low=0, high=1)
    assert f.name == "linear"
    assert f.params == {"low": 0.0, "high": 1.0}


# ---------------------------------------------------------------------------------------------
# properties: monotone in the stated direction, within 0..1, NaN preserved
# ---------------------------------------------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False)
positive = st.floats(1e-3, 1e3)
unit = st.floats(0, 1)


@st.composite
def monotone_functions(draw):
    kind = draw(st.sampled_from(["linear", "logistic", "piecewise", "step"]))
    if kind == "linear":
        lo = draw(finite)
        return kind, {"low": lo, "high": lo + draw(positive)}
    if kind == "logistic":
        return kind, {"midpoint": draw(finite), "slope": draw(positive)}
    k = draw(st.integers(2, 6))
    xs = np.cumsum([draw(finite)] + [draw(positive) for _ in range(k - 1)]).tolist()
    ys = sorted(draw(st.lists(unit, min_size=k, max_size=k)))
    if kind == "piecewise":
        return kind, {"x": xs, "y": ys}
    return kind, {"thresholds": xs[:-1], "values": ys}


@given(monotone_functions(), st.sampled_from(["benefit", "cost", 1, -1]), st.lists(finite, min_size=1, max_size=50))
@settings(max_examples=200, deadline=None)
def test_monotone_and_bounded(spec, direction, xs):
    name, params = spec
    f = vf(name, **params, direction=direction)
    x = np.sort(np.array(xs))
    y = f(x)
    assert np.all((y >= 0) & (y <= 1))
    steps = np.diff(y)
    if direction in ("benefit", 1):
        assert np.all(steps >= -1e-12)
    else:
        assert np.all(steps <= 1e-12)


@given(st.sampled_from(["benefit", "cost"]), st.floats(-100, 100), positive)
@settings(max_examples=50, deadline=None)
def test_gaussian_bounded_symmetric(direction, ideal, width):
    f = vf("gaussian", ideal=ideal, width=width, direction=direction)
    d = np.linspace(0, 5 * width, 20)
    a, b = f(ideal + d), f(ideal - d)
    np.testing.assert_allclose(a, b, atol=1e-12)
    assert np.all((a >= 0) & (a <= 1))


@given(monotone_functions(), st.lists(st.one_of(finite, st.just(NAN)), min_size=1, max_size=30))
@settings(max_examples=100, deadline=None)
def test_nan_in_nan_out(spec, xs):
    name, params = spec
    x = np.array(xs)
    y = vf(name, **params)(x)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))
