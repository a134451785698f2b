"""Declared parameters of an mcda method: type, range or choices, default, and how the app offers it.

One :class:`Param` per parameter, declared once beside the method (see
:func:`growthzones.mcda.aggregation.register_aggregation`). Config and CLI validation
(:func:`check_values`), the generated ``docs/config.md``, the app's widgets and the CLI's help
all read these declarations, so a method is described in one place.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from growthzones.errors import MethodError
from growthzones.mcda._registry import check_params

__all__ = ["MethodSpec", "Param", "add_spec", "check_values", "remove_spec"]


@dataclass(frozen=True)
class Param:
    """One parameter of a method.

    Attributes
    ----------
    name
        The keyword in ``[method] params`` and in the function's signature.
    label, help
        What the app's widget and the docs say.
    default
        The method's own default; None when the method needs a value, or has no single default.
    choices
        The valid values of a text parameter (checked before the method runs).
    low, high
        The valid range of a number parameter (inclusive; None: unchecked here).
    app
        True when the app offers a widget for it.
    app_choices
        The choices the app offers, when fewer than ``choices`` (default: ``choices``).
    app_low, app_high, step
        The app slider's range (default: ``low``..``high``, else 0..1) and step.
    start
        Where the app's widget starts when ``default`` is None.
    used_with
        ``(other parameter, values)``: offered only when that parameter has one of the values.
    unless
        Not offered when the config sets one of these instead.
    """

    name: str
    label: str = ""
    default: Any = None
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    help: str = ""
    app: bool = True
    app_choices: tuple[str, ...] = ()
    app_low: float | None = None
    app_high: float | None = None
    step: float = 0.05
    start: Any = None
    used_with: tuple[str, tuple[str, ...]] | None = None
    unless: tuple[str, ...] = ()

    @property
    def options(self) -> tuple[str, ...]:
        """The choices the app offers (empty for a number)."""
        return self.app_choices or self.choices

    @property
    def min_value(self) -> float:
        """The app slider's lower end."""
        return float(next(v for v in (self.app_low, self.low, 0.0) if v is not None))

    @property
    def max_value(self) -> float:
        """The app slider's upper end."""
        return float(next(v for v in (self.app_high, self.high, 1.0) if v is not None))

    def allowed(self) -> str:
        """The valid values in words, for the docs and help texts.

        Examples
        --------
        >>> Param("v", low=0, high=1).allowed(), Param("kind", choices=("a", "b")).allowed()
        ('0..1', 'a, b')
        """
        if self.choices:
            return ", ".join(self.choices)
        if self.low is not None or self.high is not None:
            lo = "" if self.low is None else f"{self.low:g}"
            hi = "" if self.high is None else f"{self.high:g}"
            return f"{lo}..{hi}"
        return ""


@dataclass(frozen=True)
class MethodSpec:
    """A method: its function, declared parameters, a config example and a one-line summary.

    Attributes
    ----------
    name
        The name in configs (``[method] name``) and on the command line (``--method``).
    func
        The function.
    params
        Its parameters, in the order the app shows them.
    example
        The method's ``[method]`` table (body lines), parsed by the docs test.
    doc
        One line for menus (default: the first line of the function's docstring).
    """

    name: str
    func: Callable[..., Any]
    params: tuple[Param, ...] = ()
    example: str = ""
    doc: str = field(default="")

    def param(self, name: str) -> Param | None:
        """The declared parameter ``name``, or None.

        Examples
        --------
        >>> MethodSpec("demo", print, (Param("v"),)).param("v").name
        'v'
        """
        return next((p for p in self.params if p.name == name), None)


def check_values(spec: MethodSpec, values: Mapping[str, Any], kind: str = "method") -> None:
    """Raise :class:`MethodError` if a value is outside its declared range or choices.

    Examples
    --------
    >>> spec = MethodSpec("demo", print, (Param("v", low=0, high=1), Param("mode", choices=("a", "b"))))
    >>> check_values(spec, {"v": 0.3, "mode": "b"})
    >>> try:
    ...     check_values(spec, {"v": 1.5})
    ... except MethodError as e:
    ...     print(e)
    demo: v=1.5 must be a number in 0..1
    >>> try:
    ...     check_values(spec, {"mode": "c"})
    ... except MethodError as e:
    ...     print(e)
    demo: mode='c' is not valid; use one of: a, b
    """
    for p in spec.params:
        if p.name not in values:
            continue
        v = values[p.name]
        if p.choices and not (isinstance(v, str) and v in p.choices):
            msg = f"{spec.name}: {p.name}={v!r} is not valid; use one of: {', '.join(p.choices)}"
            raise MethodError(msg)
        if p.low is None and p.high is None:
            continue
        ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
        ok = ok and (p.low is None or v >= p.low) and (p.high is None or v <= p.high)
        if not ok:
            msg = f"{spec.name}: {p.name}={v!r} must be a number in {p.allowed()}"
            raise MethodError(msg)


def add_spec(
    specs: dict[str, MethodSpec],
    funcs: dict[str, Callable[..., Any]],
    kind: str,
    spec: MethodSpec,
    *,
    replace: bool = False,
    reserved: tuple[str, ...] | None = (),
) -> MethodSpec:
    """Put ``spec`` into a registry (``specs`` and its name -> function view ``funcs``).

    The one registration rule of every mcda registry (aggregation and weighting methods, value
    functions): a name is registered once unless ``replace``; every declared parameter is a
    keyword of the function, and every keyword the function needs is declared; the summary
    defaults to the first line of the function's docstring. ``reserved`` names the arguments
    the caller supplies (the matrix, the weights); None when the parameters are not declared
    but read from the signature (value functions).

    Examples
    --------
    >>> specs, funcs = {}, {}
    >>> def half(x, *, k=2):
    ...     "Half of x."
    >>> add_spec(specs, funcs, "demo method", MethodSpec("half", half, (Param("k", default=2),)), reserved=("x",)).doc
    'Half of x.'
    >>> try:
    ...     add_spec(specs, funcs, "demo method", MethodSpec("half", half))
    ... except MethodError as e:
    ...     print(e)
    demo method 'half' is already registered; pass replace=True to replace it
    """
    if spec.name in specs and not replace:
        msg = f"{kind} {spec.name!r} is already registered; pass replace=True to replace it"
        raise MethodError(msg)
    if reserved is not None:
        check_params(spec.func, {p.name: p.default for p in spec.params}, kind, spec.name, reserved=reserved)
    if not spec.doc:
        summary = ((inspect.getdoc(spec.func) or "").splitlines() or [""])[0].strip()
        spec = dataclasses.replace(spec, doc=summary)
    specs[spec.name] = spec
    funcs[spec.name] = spec.func
    return spec


def remove_spec(specs: dict[str, MethodSpec], funcs: dict[str, Callable[..., Any]], name: str) -> None:
    """Take ``name`` out of a registry (absent names are ignored).

    Examples
    --------
    >>> remove_spec({}, {}, "no_such_method")
    """
    specs.pop(name, None)
    funcs.pop(name, None)
