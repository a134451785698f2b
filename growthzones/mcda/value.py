"""Value functions: map a criterion's raw values onto a 0..1 value scale.

Every function here is the *benefit* form as parameterised; ``direction="cost"`` (or -1)
returns ``1 - f(x)``. So ``linear(low=0, high=10, direction="cost")`` is 1 at 0 and 0 at 10,
``logistic(..., direction="cost")`` falls through the midpoint, and ``gaussian(...,
direction="cost")`` is 0 at ``ideal`` (values near the ideal are worst). NaN in gives NaN out.

Use :func:`value_function` (a registry look-up with parameter checks) rather than calling
the builders directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from growthzones.errors import MethodError
from growthzones.mcda._registry import as_direction, check_params, describe, resolve
from growthzones.mcda.params import MethodSpec, add_spec, remove_spec

__all__ = [
    "VALUE_FUNCTIONS",
    "VALUE_SPECS",
    "ValueFunction",
    "categorical",
    "describe_value_functions",
    "gaussian",
    "linear",
    "logistic",
    "piecewise",
    "register_value_function",
    "step",
    "unregister_value_function",
    "value_function",
]


@dataclass(frozen=True)
class ValueFunction:
    """A vectorised value function with its name and parameters (for reports and the app).

    Calling it with an array-like returns a float64 array of the same shape, values in 0..1,
    NaN where the input is missing.
    """

    name: str
    params: dict[str, Any]
    direction: int
    _benefit: Callable[[np.ndarray], np.ndarray] = field(repr=False, compare=False)

    def __call__(self, x: Any) -> np.ndarray:
        """Apply the function to ``x`` (scalar or array-like)."""
        if self.name == "categorical":
            out = self._benefit(x)
        else:
            arr = np.asarray(x, dtype=np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                out = self._benefit(arr)
        if self.direction == -1:
            if isinstance(out, np.ndarray) and out.ndim and not np.may_share_memory(out, x):
                np.subtract(1.0, out, out=out)  # in place: a surface calls this on millions of cells
            else:
                out = 1.0 - out
        return out


def _finite(value: object, param: str, fn: str) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        out = math.nan
    if not math.isfinite(out):
        msg = f"value function {fn!r}: parameter {param}={value!r} must be a finite number"
        raise MethodError(msg)
    return out


def _vector(values: object, param: str, fn: str, *, min_len: int) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.array([np.nan])
    if arr.ndim != 1 or arr.size < min_len or not np.all(np.isfinite(arr)):
        msg = (
            f"value function {fn!r}: parameter {param} must be a list of at least {min_len} "
            f"finite numbers, got {values!r}"
        )
        raise MethodError(msg)
    return arr


def _unit_values(arr: np.ndarray, param: str, fn: str) -> None:
    if np.any((arr < 0) | (arr > 1)):
        msg = f"value function {fn!r}: every entry of {param} must lie in 0..1, got {arr.tolist()}"
        raise MethodError(msg)


def _strictly_increasing(arr: np.ndarray, param: str, fn: str) -> None:
    if np.any(np.diff(arr) <= 0):
        msg = (
            f"value function {fn!r}: {param} must be strictly increasing (no repeats), got "
            f"{arr.tolist()}; sort them and remove duplicates"
        )
        raise MethodError(msg)


def linear(*, low: float, high: float, direction: str | int = "benefit") -> ValueFunction:
    """Linear between ``low`` (value 0) and ``high`` (value 1), clipped outside.

    Parameters
    ----------
    low, high
        Raw values mapped to 0 and 1 (benefit); ``low < high``. For a criterion where less
        is better keep ``low < high`` and pass ``direction="cost"``.
    direction
        ``"benefit"``/+1 or ``"cost"``/-1 (cost: ``1 - f``).

    Returns
    -------
    ValueFunction

    Examples
    --------
    >>> linear(low=0, high=10)([-5, 0, 2.5, 10, 20, float("nan")]).tolist()
    [0.0, 0.0, 0.25, 1.0, 1.0, nan]
    """
    lo, hi = _finite(low, "low", "linear"), _finite(high, "high", "linear")
    if not lo < hi:
        msg = (
            f"value function 'linear': low ({low}) must be less than high ({high}); "
            f"for a criterion where smaller is better keep low < high and set direction='cost'"
        )
        raise MethodError(msg)
    span = hi - lo

    def f(x: np.ndarray) -> np.ndarray:
        if np.ndim(x) == 0:
            return np.clip((x - lo) / span, 0.0, 1.0)
        out = x - lo  # then in place: a surface calls this on millions of cells
        out /= span
        return np.clip(out, 0.0, 1.0, out=out)

    return ValueFunction("linear", {"low": lo, "high": hi}, as_direction(direction), f)


def piecewise(*, x: Sequence[float], y: Sequence[float], direction: str | int = "benefit") -> ValueFunction:
    """Piecewise linear through breakpoints ``(x[k], y[k])``, constant beyond the ends.

    Parameters
    ----------
    x
        Breakpoints, strictly increasing, at least 2.
    y
        Values at the breakpoints, each in 0..1, same length as ``x``.
    direction
        ``"benefit"``/+1 or ``"cost"``/-1 (cost: ``1 - f``).

    Returns
    -------
    ValueFunction

    Examples
    --------
    >>> f = piecewise(x=[0, 10, 20], y=[0, 0.8, 1])
    >>> f([-1, 5, 15, 30]).tolist()
    [0.0, 0.4, 0.9, 1.0]
    """
    xs = _vector(x, "x", "piecewise", min_len=2)
    ys = _vector(y, "y", "piecewise", min_len=2)
    if xs.size != ys.size:
        msg = f"value function 'piecewise': x has {xs.size} breakpoints but y has {ys.size} values"
        raise MethodError(msg)
    _strictly_increasing(xs, "x (breakpoints)", "piecewise")
    _unit_values(ys, "y", "piecewise")

    def f(v: np.ndarray) -> np.ndarray:
        out = np.interp(v, xs, ys)
        # np.interp maps NaN to an end value on some numpy versions; keep NaN missing.
        out = np.where(np.isnan(v), np.nan, out)
        return out

    return ValueFunction("piecewise", {"x": xs.tolist(), "y": ys.tolist()}, as_direction(direction), f)


def logistic(*, midpoint: float, slope: float, direction: str | int = "benefit") -> ValueFunction:
    """Logistic curve ``1 / (1 + exp(-slope * (x - midpoint)))``: 0.5 at ``midpoint``.

    Parameters
    ----------
    midpoint
        Raw value given 0.5.
    slope
        Steepness per raw unit, > 0 (use ``direction="cost"`` for a falling curve).
    direction
        ``"benefit"``/+1 or ``"cost"``/-1 (cost: ``1 - f``).

    Returns
    -------
    ValueFunction

    Examples
    --------
    >>> [round(v, 4) for v in logistic(midpoint=10, slope=0.5)([10, 12]).tolist()]
    [0.5, 0.7311]
    """
    mid = _finite(midpoint, "midpoint", "logistic")
    k = _finite(slope, "slope", "logistic")
    if k <= 0:
        msg = (
            f"value function 'logistic': slope must be > 0, got {slope}; "
            f"for a falling curve use a positive slope and direction='cost'"
        )
        raise MethodError(msg)

    def f(x: np.ndarray) -> np.ndarray:
        # exp overflow gives inf and 1/(1+inf) = 0, which is the right limit.
        return 1.0 / (1.0 + np.exp(-k * (x - mid)))

    return ValueFunction("logistic", {"midpoint": mid, "slope": k}, as_direction(direction), f)


def gaussian(*, ideal: float, width: float, direction: str | int = "benefit") -> ValueFunction:
    """Bell curve ``exp(-0.5 * ((x - ideal) / width)**2)``: 1 at ``ideal``.

    Parameters
    ----------
    ideal
        Raw value given 1.
    width
        Standard deviation of the bell in raw units, > 0 (value 0.607 at ``ideal ± width``).
    direction
        ``"benefit"``/+1 or ``"cost"``/-1 (cost: ``1 - f``, so values near ``ideal`` are worst).

    Returns
    -------
    ValueFunction

    Examples
    --------
    >>> [round(v, 4) for v in gaussian(ideal=5, width=2)([5, 7, 3]).tolist()]
    [1.0, 0.6065, 0.6065]
    """
    c = _finite(ideal, "ideal", "gaussian")
    s = _finite(width, "width", "gaussian")
    if s <= 0:
        msg = f"value function 'gaussian': width must be > 0, got {width}"
        raise MethodError(msg)

    def f(x: np.ndarray) -> np.ndarray:
        z = (x - c) / s
        return np.exp(-0.5 * z * z)

    return ValueFunction("gaussian", {"ideal": c, "width": s}, as_direction(direction), f)


def step(*, thresholds: Sequence[float], values: Sequence[float], direction: str | int = "benefit") -> ValueFunction:
    """Step function: ``values[k]`` on ``[thresholds[k-1], thresholds[k])``.

    Parameters
    ----------
    thresholds
        Strictly increasing cut points (at least 1). A value equal to a threshold belongs to
        the step above it.
    values
        One value per step, each in 0..1: ``len(values) == len(thresholds) + 1``.
    direction
        ``"benefit"``/+1 or ``"cost"``/-1 (cost: ``1 - f``).

    Returns
    -------
    ValueFunction

    Examples
    --------
    >>> step(thresholds=[10, 20], values=[0, 0.5, 1])([5, 10, 19.9, 20, 99]).tolist()
    [0.0, 0.5, 0.5, 1.0, 1.0]
    """
    ts = _vector(thresholds, "thresholds", "step", min_len=1)
    vs = _vector(values, "values", "step", min_len=2)
    if vs.size != ts.size + 1:
        msg = (
            f"value function 'step': {ts.size} thresholds make {ts.size + 1} steps, but "
            f"values has {vs.size} entries; give len(thresholds) + 1 values"
        )
        raise MethodError(msg)
    _strictly_increasing(ts, "thresholds", "step")
    _unit_values(vs, "values", "step")

    def f(x: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(ts, x, side="right")
        return np.where(np.isnan(x), np.nan, vs[np.minimum(idx, vs.size - 1)])

    return ValueFunction("step", {"thresholds": ts.tolist(), "values": vs.tolist()}, as_direction(direction), f)


def categorical(
    *, mapping: Mapping[Any, float], default: float | None = None, direction: str | int = "benefit"
) -> ValueFunction:
    """Look up each category in ``mapping``; missing values (None/NaN) give NaN.

    Parameters
    ----------
    mapping
        Category -> value in 0..1. Keys are compared with ``==`` (so 1 and 1.0 match).
    default
        Value for a category not in ``mapping``. If None, an unknown category raises
        :class:`MethodError` naming it.
    direction
        ``"benefit"``/+1 or ``"cost"``/-1 (cost: ``1 - f``).

    Returns
    -------
    ValueFunction

    Examples
    --------
    >>> f = categorical(mapping={"A": 1.0, "B": 0.4}, default=0.0)
    >>> f(["A", "B", "C", None]).tolist()
    [1.0, 0.4, 0.0, nan]
    """
    if not isinstance(mapping, Mapping) or not mapping:
        msg = f"value function 'categorical': mapping must be a non-empty dict of category -> value, got {mapping!r}"
        raise MethodError(msg)
    table = {k: _finite(v, f"mapping[{k!r}]", "categorical") for k, v in mapping.items()}
    _unit_values(np.array(list(table.values())), "mapping values", "categorical")
    dflt = None if default is None else _finite(default, "default", "categorical")
    if dflt is not None:
        _unit_values(np.array([dflt]), "default", "categorical")

    def f(x: Any) -> np.ndarray:
        arr = np.asarray(x, dtype=object)
        flat = pd.Series(arr.ravel())
        out = np.array(flat.map(table).to_numpy(dtype=np.float64, na_value=np.nan))
        unknown = np.isnan(out) & ~flat.isna().to_numpy()
        if unknown.any():
            if dflt is None:
                cats = sorted({repr(v) for v in flat[unknown]})[:10]
                msg = (
                    f"value function 'categorical': categories {', '.join(cats)} are not in mapping; "
                    f"add them to mapping or give default="
                )
                raise MethodError(msg)
            out[unknown] = dflt
        return out.reshape(arr.shape)

    params = {"mapping": dict(table), "default": dflt}
    return ValueFunction("categorical", params, as_direction(direction), f)


#: name -> declaration of every value function (see :func:`register_value_function`); the
#: spec's ``example`` is the function's ``value = {...}`` table for the docs.
VALUE_SPECS: dict[str, MethodSpec] = {}
#: name -> builder of every value function (kept in step with :data:`VALUE_SPECS`).
VALUE_FUNCTIONS: dict[str, Callable[..., ValueFunction]] = {}


def register_value_function(
    name: str, func: Callable[..., ValueFunction], *, example: str, doc: str = "", replace: bool = False
) -> Callable[..., ValueFunction]:
    """Register a value function so criteria's ``value = { function = name, ... }`` can use it.

    Parameters
    ----------
    name
        The ``function`` name in configs.
    func
        ``func(*, <params>, direction="benefit") -> ValueFunction``; its keyword parameters are
        the ``value`` table's keys (checked against its signature).
    example
        Its ``value = {...}`` table for ``docs/config.md``.
    doc
        A one-line summary (default: the first line of ``func``'s docstring).
    replace
        Allow replacing a function of the same name.

    Examples
    --------
    >>> _ = register_value_function("half_linear", linear, example='{ function = "half_linear", low = 0, high = 2 }')
    >>> value_function("half_linear", low=0, high=2)([1.0]).tolist()
    [0.5]
    >>> unregister_value_function("half_linear")
    """
    add_spec(VALUE_SPECS, VALUE_FUNCTIONS, "value function", MethodSpec(name, func, (), example, doc),
             replace=replace, reserved=None)  # fmt: skip
    return func


def unregister_value_function(name: str) -> None:
    """Remove a registered value function (for tests and plug-ins that clean up).

    Examples
    --------
    >>> unregister_value_function("no_such_function")
    """
    remove_spec(VALUE_SPECS, VALUE_FUNCTIONS, name)


register_value_function("linear", linear, example='{ function = "linear", low = 0, high = 25 }')
register_value_function(
    "piecewise", piecewise, example='{ function = "piecewise", x = [0, 100, 500, 1000], y = [0, 0.3, 0.8, 1] }'
)
register_value_function("logistic", logistic, example='{ function = "logistic", midpoint = 300, slope = 0.02 }')
register_value_function("gaussian", gaussian, example='{ function = "gaussian", ideal = 5, width = 2 }')
register_value_function("step", step, example='{ function = "step", thresholds = [100, 500], values = [0, 0.5, 1] }')
register_value_function(
    "categorical",
    categorical,
    example='{ function = "categorical", mapping = { "1" = 1.0, "0" = 0.0 }, default = 0 }',
)


def value_function(name: str, **params: Any) -> ValueFunction:
    """Build the value function ``name`` with ``params`` (a vectorised callable to 0..1).

    Parameters
    ----------
    name
        One of :data:`VALUE_FUNCTIONS`: ``linear``, ``piecewise``, ``logistic``,
        ``gaussian``, ``step``, ``categorical``.
    **params
        The function's parameters, plus ``direction="benefit"|"cost"`` (or +1/-1).

    Returns
    -------
    ValueFunction
        Callable on scalars or arrays; NaN in gives NaN out.

    Raises
    ------
    MethodError
        Unknown name (the message lists the valid ones), unknown or invalid parameters.

    Examples
    --------
    >>> f = value_function("linear", low=0, high=50, direction="cost")
    >>> f([0, 25, 50, 80]).tolist()
    [1.0, 0.5, 0.0, 0.0]
    """
    builder = resolve(VALUE_FUNCTIONS, name, "value function")
    check_params(builder, params, "value function", name)
    try:
        return builder(**params)
    except TypeError as exc:
        msg = f"value function {name!r}: {exc}"
        raise MethodError(msg) from None


def describe_value_functions() -> dict[str, str]:
    """Return name -> one-line description of every value function.

    Examples
    --------
    >>> sorted(describe_value_functions())
    ['categorical', 'gaussian', 'linear', 'logistic', 'piecewise', 'step']
    """
    return describe(VALUE_FUNCTIONS)
