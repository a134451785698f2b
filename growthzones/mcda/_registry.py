"""Shared helpers for the mcda registries: name look-up, parameter checks, directions."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from growthzones.errors import MethodError

__all__ = ["as_direction", "as_directions", "check_params", "describe", "resolve"]


def resolve(registry: Mapping[str, Callable[..., Any]], name: object, kind: str) -> Callable[..., Any]:
    """Return ``registry[name]``, or raise :class:`MethodError` listing the valid names.

    Parameters
    ----------
    registry
        A name -> function mapping.
    name
        The name asked for.
    kind
        What the registry holds, for the message (e.g. ``"aggregation method"``).

    Returns
    -------
    Callable
        The registered function.

    Examples
    --------
    >>> registry = {"sum": sum, "max": max}
    >>> resolve(registry, "max", "method") is max
    True
    >>> try:
    ...     resolve(registry, "median", "method")
    ... except MethodError as e:
    ...     print(e)
    unknown method 'median'; valid names are: ...
    """
    if isinstance(name, str) and name in registry:
        return registry[name]
    valid = ", ".join(sorted(registry))
    hint = ""
    if isinstance(name, str):
        close = difflib.get_close_matches(name.lower(), list(registry), n=1)
        if close:
            hint = f" (did you mean {close[0]!r}?)"
    msg = f"unknown {kind} {name!r}{hint}; valid names are: {valid}"
    raise MethodError(msg)


def check_params(
    func: Callable[..., Any],
    params: Mapping[str, Any],
    kind: str,
    name: str,
    reserved: Sequence[str] = (),
) -> None:
    """Raise :class:`MethodError` if ``params`` has a keyword ``func`` does not take, or lacks one it needs.

    Names in ``reserved`` (e.g. the matrix) are supplied by the caller, never by a config, so
    a config key can never silently land on them.

    Examples
    --------
    >>> def method(x, *, a, b=1): ...
    >>> check_params(method, {"a": 2}, "method", "demo", reserved=("x",))
    >>> try:
    ...     check_params(method, {"a": 2, "c": 3}, "method", "demo", reserved=("x",))
    ... except MethodError as e:
    ...     print(e)
    method 'demo' got unknown parameter(s) 'c'; its parameters are: a, b
    """
    sig = inspect.signature(func)
    named = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    accepted = [p.name for p in sig.parameters.values() if p.kind in named and p.name not in reserved]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        listed = ", ".join(accepted) if accepted else "none"
        msg = f"{kind} {name!r} got unknown parameter(s) {', '.join(map(repr, unknown))}; its parameters are: {listed}"
        raise MethodError(msg)
    required = [
        p.name
        for p in sig.parameters.values()
        if p.kind in named and p.name not in reserved and p.default is inspect.Parameter.empty
    ]
    missing = [r for r in required if r not in params]
    if missing:
        msg = f"{kind} {name!r} needs parameter(s) {', '.join(missing)}; its parameters are: {', '.join(accepted)}"
        raise MethodError(msg)


_DIRECTION_WORDS = {"benefit": 1, "cost": -1, "+1": 1, "-1": -1, "1": 1}


def as_direction(direction: object) -> int:
    """Turn ``"benefit"``/``"cost"``/``+1``/``-1`` into +1 or -1, or raise :class:`MethodError`.

    Examples
    --------
    >>> as_direction("cost"), as_direction("benefit"), as_direction(-1)
    (-1, 1, -1)
    """
    if isinstance(direction, str):
        key = direction.strip().lower()
        if key in _DIRECTION_WORDS:
            return _DIRECTION_WORDS[key]
    elif isinstance(direction, int | float | np.integer | np.floating) and direction in (1, -1):
        return int(direction)
    msg = f"direction {direction!r} is not valid: use 'benefit' (or +1) or 'cost' (or -1)"
    raise MethodError(msg)


def as_directions(directions: object, m: int) -> np.ndarray:
    """Return a length-``m`` int array of +1/-1 from a sequence of directions (None = all benefit).

    Examples
    --------
    >>> as_directions(["benefit", "cost"], 2).tolist()
    [1, -1]
    >>> as_directions(None, 3).tolist()
    [1, 1, 1]
    """
    if directions is None:
        return np.ones(m, dtype=np.int8)
    if isinstance(directions, str) or np.ndim(directions) == 0:
        return np.full(m, as_direction(directions), dtype=np.int8)
    seq: Sequence[Any] = list(np.asarray(directions, dtype=object).ravel())
    if np.ndim(directions) != 1 or len(seq) != m:
        msg = (
            f"directions has shape {np.shape(directions)} but the matrix has {m} criteria: "
            f"give one direction (+1 benefit / -1 cost) per column"
        )
        raise MethodError(msg)
    return np.array([as_direction(d) for d in seq], dtype=np.int8)


def describe(registry: Mapping[str, Callable[..., Any]]) -> dict[str, str]:
    """Return name -> the first line of each registered function's docstring.

    Examples
    --------
    >>> def equal():
    ...     '''Every criterion gets the same weight.
    ...
    ...     More detail.
    ...     '''
    >>> describe({"equal": equal})
    {'equal': 'Every criterion gets the same weight.'}
    """
    out = {}
    for key, func in registry.items():
        doc = inspect.getdoc(func) or ""
        out[key] = doc.splitlines()[0].strip() if doc else ""
    return out
