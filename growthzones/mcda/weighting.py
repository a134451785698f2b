"""Criterion weighting methods: direct, equal, AHP, rank-based (ROC, rank sum), entropy, CRITIC.

Each method is declared once with :func:`register_weighting` (its function, parameters and an
example); :func:`weights` checks a call against that declaration and ``docs/config.md`` lists it.

Every method returns a float64 array of non-negative weights summing to 1. Bad input raises
:class:`growthzones.errors.WeightError` saying what to change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from growthzones.errors import WeightError
from growthzones.mcda._registry import as_directions, check_params, describe, resolve
from growthzones.mcda.ahp import ahp_weights
from growthzones.mcda.params import MethodSpec, Param, add_spec, check_values, remove_spec

__all__ = [
    "WEIGHTING_METHODS",
    "WEIGHTING_SPECS",
    "ahp",
    "critic",
    "describe_weighting_methods",
    "direct",
    "entropy",
    "equal",
    "hierarchical_weights",
    "rank_sum",
    "register_weighting",
    "roc",
    "unregister_weighting",
    "weights",
]


def _normalise(values: object, what: str) -> np.ndarray:
    try:
        w = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        msg = f"{what} must be numbers, got {values!r}"
        raise WeightError(msg) from None
    if w.ndim != 1 or w.size == 0:
        msg = f"{what} must be a non-empty list of numbers, got shape {w.shape}"
        raise WeightError(msg)
    if not np.all(np.isfinite(w)):
        msg = f"{what} must be finite numbers, got {w.tolist()}"
        raise WeightError(msg)
    if np.any(w < 0):
        msg = f"{what} must not be negative, got {w.tolist()}; use 0 to leave a criterion out of the score"
        raise WeightError(msg)
    total = w.sum()
    if total <= 0:
        msg = f"{what} are all zero: give at least one criterion a positive weight"
        raise WeightError(msg)
    return w / total


def _matrix(matrix: object, what: str, *, min_rows: int = 2) -> np.ndarray:
    try:
        x = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        msg = f"{what}: matrix must be numbers (sites x criteria)"
        raise WeightError(msg) from None
    if x.ndim != 2 or x.shape[1] == 0:
        msg = f"{what}: matrix must be 2-D (sites x criteria), got shape {x.shape}"
        raise WeightError(msg)
    if x.shape[0] < min_rows:
        msg = f"{what}: needs at least {min_rows} sites, got {x.shape[0]}"
        raise WeightError(msg)
    if not np.all(np.isfinite(x)):
        msg = f"{what}: matrix has {int(np.sum(~np.isfinite(x)))} NaN/infinite values; fill or drop them first"
        raise WeightError(msg)
    return x


def direct(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Direct weights: the given values, normalised to sum to 1.

    Parameters
    ----------
    values
        Non-negative numbers, at least one positive.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> direct([2, 1, 1]).tolist()
    [0.5, 0.25, 0.25]
    """
    return _normalise(values, "weights")


def equal(n: int) -> np.ndarray:
    """Equal weights ``1/n`` for ``n`` criteria.

    Examples
    --------
    >>> equal(4).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        msg = f"equal weights: n must be a positive whole number of criteria, got {n!r}"
        raise WeightError(msg)
    return np.full(int(n), 1.0 / n)


def ahp(pairwise: Sequence[Sequence[float]] | np.ndarray, labels: Sequence[str] | None = None) -> np.ndarray:
    """AHP priority weights (principal eigenvector); warns if the consistency ratio > 0.1.

    See :func:`growthzones.mcda.ahp_weights`, which also returns the consistency ratio.

    Examples
    --------
    >>> ahp([[1, 4], [1 / 4, 1]]).round(2).tolist()
    [0.8, 0.2]
    """
    return ahp_weights(pairwise, labels=labels)[0]


def _positional_weights(ranks: object, position_weights: Callable[[int], np.ndarray], what: str) -> np.ndarray:
    try:
        r = np.asarray(ranks, dtype=np.float64)
    except (TypeError, ValueError):
        msg = f"{what}: ranks must be numbers (1 = most important), got {ranks!r}"
        raise WeightError(msg) from None
    if r.ndim != 1 or r.size == 0 or not np.all(np.isfinite(r)):
        msg = f"{what}: ranks must be a non-empty list of finite numbers (1 = most important), got {ranks!r}"
        raise WeightError(msg)
    n = r.size
    pos_w = position_weights(n)
    order = np.argsort(r, kind="stable")
    sorted_r = r[order]
    # Tied criteria share the positions they jointly occupy, so each gets the mean of those
    # positions' weights (the usual treatment of ties for rank-based weights).
    starts = np.flatnonzero(np.r_[True, sorted_r[1:] != sorted_r[:-1]])
    group = np.cumsum(np.r_[True, sorted_r[1:] != sorted_r[:-1]]) - 1
    sums = np.add.reduceat(pos_w, starts)
    counts = np.diff(np.r_[starts, n])
    out = np.empty(n)
    out[order] = (sums / counts)[group]
    return out


def _roc_positions(n: int) -> np.ndarray:
    # w_k = (1/n) * sum_{i=k}^{n} 1/i: a reversed cumulative sum of harmonic terms.
    return np.cumsum((1.0 / np.arange(1, n + 1))[::-1])[::-1] / n


def _rank_sum_positions(n: int) -> np.ndarray:
    k = np.arange(1, n + 1)
    return 2.0 * (n + 1 - k) / (n * (n + 1))


def roc(ranks: Sequence[float] | np.ndarray) -> np.ndarray:
    """Rank order centroid weights from criterion ranks (1 = most important).

    ``w_k = (1/n) * sum_{i=k}^{n} 1/i`` for the criterion in position k (Barron & Barrett,
    1996, Management Science 42(11)). Only the order of ``ranks`` matters; tied criteria get
    the mean of the weights of the positions they share.

    Parameters
    ----------
    ranks
        One number per criterion; smaller = more important.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> [round(v, 4) for v in roc([1, 2, 3]).tolist()]
    [0.6111, 0.2778, 0.1111]
    """
    return _positional_weights(ranks, _roc_positions, "ROC weights")


def rank_sum(ranks: Sequence[float] | np.ndarray) -> np.ndarray:
    """Rank sum weights ``w_k = 2 (n + 1 - k) / (n (n + 1))`` from ranks (1 = most important).

    Stillwell, Seaver & Edwards (1981). Ties share the mean positional weight.

    Examples
    --------
    >>> [round(v, 4) for v in rank_sum([2, 1, 3]).tolist()]
    [0.3333, 0.5, 0.1667]
    """
    return _positional_weights(ranks, _rank_sum_positions, "rank sum weights")


def entropy(matrix: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Shannon entropy weights: criteria whose values differ more across sites weigh more.

    ``p_ij = x_ij / sum_i x_ij``, ``E_j = -sum_i p_ij ln p_ij / ln n`` (with ``0 ln 0 = 0``),
    ``w_j = (1 - E_j) / sum_k (1 - E_k)``. A constant criterion gets weight 0.

    Note: pymcdm's ``entropy_weights`` sets ``E_j = 0`` for any column holding a zero; this
    module uses the standard ``0 ln 0 = 0`` limit instead, so the two agree on positive data.

    Parameters
    ----------
    matrix
        Sites x criteria, non-negative, each column with a positive sum, at least 2 sites.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    WeightError
        Negative values, a column of zeros, fewer than 2 sites, or every criterion constant.

    Examples
    --------
    >>> entropy([[1, 5], [1, 1], [1, 3]]).tolist()
    [0.0, 1.0]
    """
    x = _matrix(matrix, "entropy weights")
    if np.any(x < 0):
        msg = "entropy weights need non-negative values; rescale the criteria to 0..1 first"
        raise WeightError(msg)
    # One contiguous row per criterion: the per-criterion sums run several times faster.
    xt = np.ascontiguousarray(x.T)
    total = xt.sum(axis=1)
    if np.any(total <= 0):
        msg = f"entropy weights: criteria {np.flatnonzero(total <= 0).tolist()} are all zero; drop them"
        raise WeightError(msg)
    p = xt / total[:, np.newaxis]
    logp = np.log(p, out=np.zeros_like(p), where=p > 0)
    e = -np.einsum("ij,ij->i", p, logp) / np.log(x.shape[0])
    d = 1.0 - e
    # A constant column has E = 1 exactly in theory but not after rounding; pin it to 0.
    d[xt.max(axis=1) == xt.min(axis=1)] = 0.0
    d = np.clip(d, 0.0, None)
    if d.sum() <= 0:
        msg = "entropy weights are undefined: every criterion is constant over the sites; use equal weights"
        raise WeightError(msg)
    return d / d.sum()


def critic(matrix: Sequence[Sequence[float]] | np.ndarray, directions: object = None) -> np.ndarray:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis, 1995, Computers & OR 22(7)).

    Each column is min-max normalised (``(x - worst) / (best - worst)`` using ``directions``),
    ``C_j = s_j * sum_k (1 - r_jk)`` with ``s_j`` the sample standard deviation (ddof=1) and
    ``r_jk`` the Pearson correlation of the normalised columns, ``w_j = C_j / sum C``. A
    constant criterion has ``s_j = 0`` so weight 0, and its correlation with others is taken as
    0. With ``directions=None`` every criterion is treated as benefit, as pymcdm's
    ``critic_weights`` does (a cost criterion flips the sign of its correlations).

    Parameters
    ----------
    matrix
        Sites x criteria, at least 2 sites.
    directions
        +1/-1 (or "benefit"/"cost") per criterion; None = all benefit.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> critic([[1, 0], [0, 1], [2, 2]]).round(4).tolist()
    [0.5, 0.5]
    """
    x = _matrix(matrix, "CRITIC weights")
    d = as_directions(directions, x.shape[1])
    xt = np.ascontiguousarray(x.T)
    lo, hi = xt.min(axis=1), xt.max(axis=1)
    const = hi == lo
    span = np.where(const, 1.0, hi - lo)
    r = np.where((d > 0)[:, np.newaxis], xt - lo[:, np.newaxis], hi[:, np.newaxis] - xt) / span[:, np.newaxis]
    z = r - r.mean(axis=1, keepdims=True)
    ss = np.einsum("ij,ij->i", z, z)
    s = np.sqrt(ss / (x.shape[0] - 1))
    zn = z / np.where(ss > 0, np.sqrt(ss), 1.0)[:, np.newaxis]
    corr = zn @ zn.T
    # A constant criterion has no defined correlation; 0 (no linear relation) is used, and
    # its own weight is 0 anyway because s = 0.
    corr[const, :] = 0.0
    corr[:, const] = 0.0
    np.fill_diagonal(corr, 1.0)
    c = s * (1.0 - corr).sum(axis=1)
    if c.sum() <= 0:
        msg = "CRITIC weights are undefined: every criterion is constant over the sites; use equal weights"
        raise WeightError(msg)
    return c / c.sum()


def hierarchical_weights(
    group_weights: Mapping[str, float], criterion_weights: Mapping[str, Mapping[str, float]]
) -> dict[str, float]:
    """Global criterion weights from group weights and within-group weights.

    Both levels are normalised (group weights to sum 1; each group's criterion weights to sum
    1), and a criterion's global weight is its group's weight times its weight in the group.
    A criterion with weight 0 stays at 0 (reported, not scored). Order follows
    ``criterion_weights``.

    Parameters
    ----------
    group_weights
        Group -> weight (non-negative, not all zero).
    criterion_weights
        Group -> {criterion -> weight within the group}.

    Returns
    -------
    dict[str, float]
        Criterion -> global weight; the values sum to 1.

    Raises
    ------
    WeightError
        Groups that do not match between the two levels, a criterion in two groups, negative
        weights, or a weighted group whose criteria all have weight 0.

    Examples
    --------
    >>> hierarchical_weights({"grid": 3, "land": 1}, {"grid": {"a": 1, "b": 1}, "land": {"c": 5}})
    {'a': 0.375, 'b': 0.375, 'c': 0.25}
    """
    gw_missing = sorted(set(criterion_weights) - set(group_weights))
    cw_missing = sorted(set(group_weights) - set(criterion_weights))
    if gw_missing or cw_missing:
        parts = []
        if gw_missing:
            parts.append(f"groups {gw_missing} have criteria but no group weight")
        if cw_missing:
            parts.append(f"groups {cw_missing} have a weight but no criteria")
        msg = "hierarchical weights: " + "; ".join(parts) + ": make the two lists of groups match"
        raise WeightError(msg)
    names = list(criterion_weights)
    gw = _normalise([group_weights[g] for g in names], "group weights")
    out: dict[str, float] = {}
    for g, g_w in zip(names, gw, strict=True):
        crits = criterion_weights[g]
        if not crits:
            msg = f"hierarchical weights: group {g!r} has no criteria"
            raise WeightError(msg)
        raw = np.asarray(list(crits.values()), dtype=np.float64)
        if g_w > 0 and np.all(raw == 0):
            msg = (
                f"hierarchical weights: group {g!r} has weight {group_weights[g]} but all its criteria "
                f"have weight 0; give one of {list(crits)} a positive weight or set the group weight to 0"
            )
            raise WeightError(msg)
        local = _normalise(raw, f"criterion weights in group {g!r}") if raw.any() else np.zeros(raw.size)
        for c, c_w in zip(crits, local, strict=True):
            if c in out:
                msg = f"hierarchical weights: criterion {c!r} is in more than one group"
                raise WeightError(msg)
            out[c] = float(g_w * c_w)
    return out


#: name -> declaration of every weighting method (see :func:`register_weighting`).
WEIGHTING_SPECS: dict[str, MethodSpec] = {}
#: name -> function of every weighting method (kept in step with :data:`WEIGHTING_SPECS`).
WEIGHTING_METHODS: dict[str, Callable[..., np.ndarray]] = {}


def register_weighting(
    name: str,
    func: Callable[..., np.ndarray] | None = None,
    *,
    params: tuple[Param, ...] = (),
    example: str = "",
    doc: str = "",
    replace: bool = False,
) -> Any:
    """Register a weighting method; usable as a decorator.

    The method then works in :func:`weights` (its arguments checked against ``params``: names,
    ranges, choices) and is listed with its parameters and example in ``docs/config.md``.

    Parameters
    ----------
    name
        The method's name.
    func
        ``func(**params) -> weights``: non-negative weights summing to 1.
    params
        Its parameters (:class:`growthzones.mcda.params.Param`), every one it needs declared.
    example
        Its arguments as a Python call would give them, for the docs (e.g. ``ranks=[1, 2, 3]``).
    doc
        A one-line summary (default: the first line of ``func``'s docstring).
    replace
        Allow replacing a method of the same name.

    Examples
    --------
    >>> @register_weighting("halves", params=(Param("n", default=2, low=2, high=2),))
    ... def halves(n=2):
    ...     "Two criteria, half each."
    ...     return np.full(n, 0.5)
    >>> weights("halves").tolist()
    [0.5, 0.5]
    >>> weights("halves", n=3)
    Traceback (most recent call last):
    ...
    growthzones.errors.MethodError: halves: n=3 must be a number in 2..2
    >>> unregister_weighting("halves")
    """

    def add(f: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        spec = MethodSpec(name, f, tuple(params), example, doc)
        add_spec(WEIGHTING_SPECS, WEIGHTING_METHODS, "weighting method", spec, replace=replace)
        return f

    return add if func is None else add(func)


def unregister_weighting(name: str) -> None:
    """Remove a registered weighting method (for tests and plug-ins that clean up).

    Examples
    --------
    >>> unregister_weighting("no_such_method")
    """
    remove_spec(WEIGHTING_SPECS, WEIGHTING_METHODS, name)


# Ranges are left to the methods themselves: their WeightError messages say what to change.
_RANKS = Param("ranks", "Ranks", help="One number per criterion; 1 = most important (ties share).")
_MATRIX = Param("matrix", "Matrix", help="Sites x criteria values, at least 2 sites.")
register_weighting(
    "direct",
    direct,
    params=(Param("values", "Weights", help="Non-negative numbers, at least one positive."),),
    example="values=[2, 1, 1]",
)
register_weighting(
    "equal", equal, params=(Param("n", "Criteria", help="How many criteria (a whole number >= 1)."),), example="n=4"
)
register_weighting(
    "ahp",
    ahp,
    params=(
        Param("pairwise", "Pairwise comparisons", help="n x n reciprocal matrix of Saaty judgements (1/9..9)."),
        Param("labels", "Labels", help="Criterion names for the consistency warning (optional)."),
    ),
    example="pairwise=[[1, 4], [1 / 4, 1]]",
)
register_weighting("roc", roc, params=(_RANKS,), example="ranks=[1, 2, 3]")
register_weighting("rank_sum", rank_sum, params=(_RANKS,), example="ranks=[2, 1, 3]")
register_weighting("entropy", entropy, params=(_MATRIX,), example="matrix=[[1, 5], [1, 1], [1, 3]]")
register_weighting(
    "critic",
    critic,
    params=(
        _MATRIX,
        Param("directions", "Directions", help="+1/-1 (or benefit/cost) per criterion; none: all benefit."),
    ),
    example="matrix=[[1, 0], [0, 1], [2, 2]]",
)


def weights(name: str, **kwargs: Any) -> np.ndarray:
    """Criterion weights by the method ``name`` (non-negative, summing to 1).

    Parameters
    ----------
    name
        One of :data:`WEIGHTING_METHODS` (``direct``, ``equal``, ``ahp``, ``roc``, ``rank_sum``,
        ``entropy``, ``critic``, and any added with :func:`register_weighting`).
    **kwargs
        That method's arguments, by name.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    MethodError
        Unknown name or argument.
    WeightError
        Invalid weights or data.

    Examples
    --------
    >>> weights("direct", values=[1, 3]).tolist()
    [0.25, 0.75]
    >>> [round(v, 4) for v in weights("roc", ranks=[2, 1]).tolist()]
    [0.25, 0.75]
    """
    func = resolve(WEIGHTING_METHODS, name, "weighting method")
    check_params(func, kwargs, "weighting method", name)
    check_values(WEIGHTING_SPECS[name], kwargs)
    return func(**kwargs)


def describe_weighting_methods() -> dict[str, str]:
    """Return name -> one-line description of every weighting method.

    Examples
    --------
    >>> sorted(describe_weighting_methods())
    ['ahp', 'critic', 'direct', 'entropy', 'equal', 'rank_sum', 'roc']
    """
    return describe(WEIGHTING_METHODS)
