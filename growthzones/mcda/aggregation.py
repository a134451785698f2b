"""Aggregation methods: combine a sites x criteria matrix and criterion weights into scores.

Every method takes ``(matrix, weights, directions, **params)`` and returns one score per site,
**higher is better**. When the matrix lies in 0..1 and every direction is +1 (what the
assessment passes: value-function outputs), every method returns scores in 0..1.

Shared conventions
------------------
matrix
    n sites x m criteria of finite numbers; NaN or infinity raises :class:`MethodError`.
    n = 0 gives an empty result.
weights
    Length m, non-negative, not all zero; normalised to sum to 1 here. A 2-D array of
    shape (s, m) (s weight vectors, e.g. for robustness sampling) gives scores of shape
    (s, n); every method accepts it (``wlc``, ``wpm``, ``topsis`` and ``promethee2`` do it
    in one pass, the others loop over the weight vectors).
directions
    +1 (benefit, more is better) or -1 (cost) per criterion; also ``"benefit"``/``"cost"``.
    None means all benefit.
normalization (``wlc``, ``wpm``, ``topsis``, ``owa``, ``weakest_link``)
    How raw columns are put on a common 0..1 scale, direction applied (r = 1 is best):

    - ``"none"``: the matrix is already 0..1 values; r = x (benefit) or 1 - x (cost).
      Values outside 0..1 raise :class:`MethodError`.
    - ``"minmax"``: r = (x - min) / (max - min) (benefit) or (max - x) / (max - min) (cost).
      A constant column (max = min) gets r = 1 for every site, as in pymcdm: it does not
      discriminate, so it adds the same amount to every site (wlc, owa) or nothing at all
      (wpm, topsis, weakest_link).
    - ``"max"``: r = x / max (benefit) or min / x (cost); needs x > 0.
    - ``"sum"``: r = x / sum(x) (benefit) or (1/x) / sum(1/x) (cost); needs x > 0.
    - ``"vector"``: r = x / ||x|| (benefit) or 1 - x / ||x|| (cost), as in pymcdm.
    - ``"auto"`` (default of ``wlc``, ``wpm``, ``owa``, ``weakest_link``): ``"none"`` when
      every value is within 0..1, so value-function outputs are aggregated as they are (wlc
      is then plain ``sum_j w_j x_ij``); otherwise ``"minmax"`` (``"max"`` for ``wpm``, where
      min-max would send every site's worst criterion to 0 and its score with it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.optimize import brentq

from growthzones.errors import MethodError, WeightError
from growthzones.mcda._registry import as_directions, check_params, describe, resolve
from growthzones.mcda.params import MethodSpec, Param, add_spec, check_values, remove_spec

__all__ = [
    "AGGREGATION_METHODS",
    "METHOD_SPECS",
    "aggregate",
    "describe_methods",
    "maxent_order_weights",
    "normalize",
    "orness",
    "owa",
    "promethee2",
    "register_aggregation",
    "topsis",
    "unregister_aggregation",
    "vikor",
    "weakest_link",
    "wlc",
    "wpm",
]

ArrayLike = Sequence[Any] | np.ndarray

NORMALIZATIONS = ("auto", "none", "minmax", "max", "sum", "vector")


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------


def _prepare(matrix: object, weights: object, directions: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Return (X^T m x n, W s x m normalised, d m, single) or raise a clear error.

    The methods work on the transposed matrix, one C-contiguous row per criterion: per
    criterion statistics and per-site reductions over criteria then run over long contiguous
    rows instead of 12-element ones (several times faster for large n), and ``W @ X^T``
    gives the (s, n) scores directly. A Fortran-ordered input (what pandas usually returns)
    is transposed for free.
    """
    try:
        x = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        msg = "matrix must be numbers (sites x criteria); categorical criteria need a value function first"
        raise MethodError(msg) from None
    if x.ndim != 2:
        msg = (
            f"matrix must be 2-D (sites x criteria), got shape {x.shape}; "
            f"for a single criterion use matrix.reshape(-1, 1)"
        )
        raise MethodError(msg)
    m = x.shape[1]
    if m == 0:
        msg = "matrix has no criteria (0 columns): give at least one criterion"
        raise MethodError(msg)
    # A sum is NaN/inf if any entry is, and costs one pass without a boolean temporary; the
    # entry-wise check runs only when it fails (which an overflow of huge values can also do).
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(x.sum())
    if not math.isfinite(total) and not np.isfinite(x).all():
        bad = np.argwhere(~np.isfinite(x))
        i, j = bad[0]
        msg = (
            f"matrix has {len(bad)} NaN/infinite value(s), first at site row {i}, criterion column {j}; "
            f"apply the criterion's missing-value policy (or drop the sites) before aggregating"
        )
        raise MethodError(msg)

    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        msg = f"weights must be numbers, got {weights!r}"
        raise WeightError(msg) from None
    single = w.ndim == 1
    if w.ndim not in (1, 2) or w.shape[-1] != m:
        msg = (
            f"weights has shape {w.shape} but the matrix has {m} criteria: "
            f"give {m} weights (or an (s, {m}) array of s weight vectors)"
        )
        raise WeightError(msg)
    w2 = np.atleast_2d(w)
    if not np.all(np.isfinite(w2)):
        msg = "weights must be finite numbers"
        raise WeightError(msg)
    if np.any(w2 < 0):
        shown = w.tolist() if single else "a negative entry"
        msg = f"weights must not be negative, got {shown}; use 0 to leave a criterion out of the score"
        raise WeightError(msg)
    totals = w2.sum(axis=1)
    if np.any(totals <= 0):
        msg = "weights are all zero: give at least one criterion a positive weight"
        raise WeightError(msg)
    w2 = w2 / totals[:, np.newaxis]
    d = as_directions(directions, m)
    return np.ascontiguousarray(x.T), w2, d, single


def _finish(scores: np.ndarray, single: bool) -> np.ndarray:
    """(s, n) scores -> (n,) for one weight vector, else (s, n)."""
    # + 0.0 turns the -0.0 that cost columns can produce into 0.0 (it would print as "-0").
    scores = scores + 0.0
    return scores[0] if single else scores


def _wsum(w2: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``w2 @ a`` for (s, m) weights and an (m, n) array."""
    if w2.shape[0] == 1:
        # A 1-row matrix product goes to a multithreaded BLAS gemm that is ~20x slower than the
        # matrix-vector product on a busy machine.
        return (w2[0] @ a)[np.newaxis, :]
    return w2 @ a


def _empty(w2: np.ndarray, single: bool) -> np.ndarray:
    return np.empty(0) if single else np.empty((w2.shape[0], 0))


def _choice(value: object, options: Sequence[str], param: str, method: str) -> str:
    if isinstance(value, str) and value in options:
        return value
    msg = f"{method}: {param}={value!r} is not valid; use one of: {', '.join(options)}"
    raise MethodError(msg)


# --------------------------------------------------------------------------------------------
# normalisation
# --------------------------------------------------------------------------------------------


def normalize(
    matrix: ArrayLike, directions: object = None, kind: str = "minmax", *, method: str = "normalize"
) -> np.ndarray:
    """Put each column of ``matrix`` on a 0..1 scale with 1 best (see the module docstring).

    Parameters
    ----------
    matrix
        n x m finite numbers.
    directions
        +1/-1 per column (None: all benefit).
    kind
        ``"none"``, ``"minmax"``, ``"max"``, ``"sum"`` or ``"vector"``.
    method
        Name used in error messages.

    Returns
    -------
    numpy.ndarray
        n x m float64.

    Examples
    --------
    >>> normalize([[0, 10], [5, 30], [10, 20]], [1, -1]).tolist()
    [[0.0, 1.0], [0.5, 0.0], [1.0, 0.5]]
    """
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2:
        msg = f"{method}: matrix must be 2-D (sites x criteria), got shape {x.shape}"
        raise MethodError(msg)
    d = as_directions(directions, x.shape[1])
    return _normalize(np.ascontiguousarray(x.T), d, kind, method).T + 0.0


def _normalize(
    xt: np.ndarray, d: np.ndarray, kind: str, method: str, bounds: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Normalise the transposed matrix ``xt`` (criteria x sites); see the module docstring.

    ``bounds`` are the per-criterion (min, max) if already computed.
    """
    cost = d < 0
    col = np.newaxis
    if kind in ("none", "minmax"):
        lo, hi = bounds if bounds is not None else (xt.min(axis=1), xt.max(axis=1))
    if kind == "none":
        if xt.size and (lo.min() < 0 or hi.max() > 1):
            msg = (
                f"{method}: normalization='none' expects values already on a 0..1 scale, but the matrix "
                f"spans {lo.min():g}..{hi.max():g}; use normalization='minmax' for raw criteria"
            )
            raise MethodError(msg)
        if not cost.any():
            return xt
        r = xt.copy()
        r[cost] = 1.0 - xt[cost]
        return r
    if kind == "minmax":
        const = hi == lo
        off = np.where(cost, hi, lo)
        # Dividing (rather than multiplying by 1/span) makes the best site exactly 1, as in
        # pymcdm; subtracting first keeps precision for large offsets such as coordinates.
        span = np.where(const, 1.0, np.where(cost, lo - hi, hi - lo))
        r = np.subtract(xt, off[:, col])
        r /= span[:, col]
        if const.any():
            r[const] = 1.0
        return r
    if kind in ("max", "sum"):
        if xt.size and xt.min() <= 0:
            msg = (
                f"{method}: normalization={kind!r} needs strictly positive values, but the matrix has "
                f"values down to {xt.min():g}; use normalization='minmax'"
            )
            raise MethodError(msg)
        if kind == "max":
            r = xt / xt.max(axis=1)[:, col]
            if cost.any():
                r[cost] = xt[cost].min(axis=1)[:, col] / xt[cost]
            return r
        r = xt / xt.sum(axis=1)[:, col]
        if cost.any():
            inv = 1.0 / xt[cost]
            r[cost] = inv / inv.sum(axis=1)[:, col]
        return r
    if kind == "vector":
        norm = np.sqrt(np.einsum("ij,ij->i", xt, xt))
        r = xt / np.where(norm > 0, norm, 1.0)[:, col]
        if cost.any():
            r[cost] = 1.0 - r[cost]
        return r
    msg = f"{method}: normalization={kind!r} is not valid; use one of: {', '.join(NORMALIZATIONS)}"
    raise MethodError(msg)


def _normalize_auto(xt: np.ndarray, d: np.ndarray, kind: str, fallback: str, method: str) -> np.ndarray:
    """:func:`_normalize`, resolving ``"auto"`` to ``"none"`` for a 0..1 matrix, else ``fallback``."""
    kind = _choice(kind, NORMALIZATIONS, "normalization", method)
    if kind not in ("auto", "none", "minmax"):
        return _normalize(xt, d, kind, method)
    bounds = xt.min(axis=1), xt.max(axis=1)
    if kind == "auto":
        kind = "none" if bounds[0].min() >= 0 and bounds[1].max() <= 1 else fallback
    return _normalize(xt, d, kind, method, bounds if kind in ("none", "minmax") else None)


# --------------------------------------------------------------------------------------------
# methods
# --------------------------------------------------------------------------------------------


def wlc(matrix: ArrayLike, weights: ArrayLike, directions: object = None, *, normalization: str = "auto") -> np.ndarray:
    """Weighted linear combination: ``sum_j w_j r_ij`` of normalised values (compensatory).

    The native output is already "higher is better" in 0..1. With the default
    ``normalization="auto"`` a 0..1 matrix is used as it is (``sum_j w_j x_ij``; cost columns
    ``1 - x``) and a raw matrix is min-max normalised. ``normalization="sum"`` reproduces
    pymcdm's ``WSM()`` default. Accepts (s, m) weights in one matrix product.

    Parameters
    ----------
    matrix, weights, directions
        See the module docstring.
    normalization
        ``"auto"`` (default), ``"none"``, ``"minmax"``, ``"max"``, ``"sum"``, ``"vector"``.

    Returns
    -------
    numpy.ndarray
        Scores, shape (n,) or (s, n).

    Examples
    --------
    >>> wlc([[0.2, 1.0], [0.8, 0.5]], [0.5, 0.5], [1, 1]).tolist()
    [0.6, 0.65]
    """
    xt, w2, d, single = _prepare(matrix, weights, directions)
    if xt.shape[1] == 0:
        return _empty(w2, single)
    r = _normalize_auto(xt, d, normalization, "minmax", "wlc")
    return _finish(_wsum(w2, r), single)


def wpm(matrix: ArrayLike, weights: ArrayLike, directions: object = None, *, normalization: str = "auto") -> np.ndarray:
    """Weighted product model: ``prod_j r_ij ** w_j`` (partially compensatory; any r = 0 -> 0).

    Computed as ``exp(sum_j w_j ln r_ij)``, with ``0 ** w = 0`` for w > 0 and ``0 ** 0 = 1``
    (a zero-weight criterion is ignored). Output is "higher is better" in 0..1 for any
    normalisation here. ``normalization="auto"`` uses a 0..1 matrix as it is and divides raw
    columns by their maximum (``"max"``: x / max, cost min / x; ratios are what the product
    model is invariant to). ``normalization="sum"`` reproduces pymcdm's ``WPM()`` default.
    Accepts (s, m) weights in one matrix product.

    Parameters
    ----------
    matrix, weights, directions
        See the module docstring.
    normalization
        ``"auto"`` (default), ``"none"``, ``"minmax"``, ``"max"``, ``"sum"``, ``"vector"``.

    Returns
    -------
    numpy.ndarray
        Scores, shape (n,) or (s, n).

    Examples
    --------
    >>> wpm([[0.25, 1.0], [1.0, 0.25]], [0.5, 0.5], [1, 1]).tolist()
    [0.5, 0.5]
    """
    xt, w2, d, single = _prepare(matrix, weights, directions)
    if xt.shape[1] == 0:
        return _empty(w2, single)
    r = _normalize_auto(xt, d, normalization, "max", "wpm")
    zero = r <= 0
    if zero.any():
        scores = np.exp(_wsum(w2, np.log(np.where(zero, 1.0, r))))
        # A site with r = 0 on any criterion of positive weight has product 0.
        hit = _wsum((w2 > 0).astype(np.float64), zero.astype(np.float64)) > 0
        scores[hit] = 0.0
    else:
        scores = np.exp(_wsum(w2, np.log(r)))
    return _finish(scores, single)


TOPSIS_NORMALIZATIONS = ("minmax", "vector", "none", "max", "sum")


def topsis(
    matrix: ArrayLike, weights: ArrayLike, directions: object = None, *, normalization: str = "minmax"
) -> np.ndarray:
    """TOPSIS relative closeness ``D- / (D+ + D-)`` (Hwang & Yoon, 1981).

    Columns are normalised (``"minmax"`` default, or ``"vector"``, both as in pymcdm), weighted,
    and each site's Euclidean distances ``D+`` to the ideal (column best) and ``D-`` to the
    anti-ideal (column worst) give the closeness, already "higher is better" in 0..1. A site
    equal to both (every weighted criterion constant) scores 1. Because weights are
    non-negative, the ideal of ``w_j r_ij`` is ``w_j max_i r_ij``, so
    ``D+^2 = sum_j w_j^2 (max r_j - r_ij)^2``: (s, m) weights cost one matrix product each.

    Parameters
    ----------
    matrix, weights, directions
        See the module docstring.
    normalization
        ``"minmax"`` (default), ``"vector"``, ``"none"``, ``"max"``, ``"sum"``.

    Returns
    -------
    numpy.ndarray
        Scores, shape (n,) or (s, n).

    Examples
    --------
    >>> topsis([[0, 0], [1, 1], [1, 0]], [0.5, 0.5], [1, 1]).tolist()
    [0.0, 1.0, 0.5]
    """
    xt, w2, d, single = _prepare(matrix, weights, directions)
    if xt.shape[1] == 0:
        return _empty(w2, single)
    kind = _choice(normalization, TOPSIS_NORMALIZATIONS, "normalization", "topsis")
    r = _normalize(xt, d, kind, "topsis")
    w_sq = w2 * w2
    below = r - r.min(axis=1)[:, np.newaxis]
    below *= below
    above = np.subtract(r.max(axis=1)[:, np.newaxis], r)
    above *= above
    d_minus = np.sqrt(_wsum(w_sq, below))
    d_plus = np.sqrt(_wsum(w_sq, above))
    den = d_minus + d_plus
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(den > 0, d_minus / den, 1.0)
    return _finish(scores, single)


def vikor(matrix: ArrayLike, weights: ArrayLike, directions: object = None, *, v: float = 0.5) -> np.ndarray:
    """VIKOR compromise ranking (Opricovic, 1998; Opricovic & Tzeng, 2004); score = 1 - Q.

    Regret ``g_ij = (f*_j - f_ij) / (f*_j - f-_j)`` with f* / f- the column best / worst
    (direction applied), group utility ``S_i = sum_j w_j g_ij``, individual regret
    ``R_i = max_j w_j g_ij``, and
    ``Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*)`` (lower is better;
    pymcdm's ``VIKOR`` returns Q). The score is ``1 - Q`` in 0..1, higher is better.
    Degenerate cases that are errors in pymcdm are defined here: a constant criterion has
    regret 0 for every site (it cannot separate them), and a term whose denominator is 0
    (all sites equal in S, or in R) is 0, so identical sites (or a single site) score 1.

    Parameters
    ----------
    matrix, weights, directions
        See the module docstring.
    v
        Weight of the group-utility ("majority") strategy, 0..1.

    Returns
    -------
    numpy.ndarray
        Scores, shape (n,) or (s, n).

    Examples
    --------
    >>> vikor([[1, 0], [0, 1], [1, 1]], [0.5, 0.5], [1, 1]).tolist()
    [0.0, 0.0, 1.0]
    """
    try:
        v_f = float(v)
    except (TypeError, ValueError):
        v_f = math.nan
    if not 0 <= v_f <= 1:
        msg = f"vikor: v={v!r} must be a number in 0..1 (weight of the majority strategy; 0.5 is usual)"
        raise MethodError(msg)
    xt, w2, d, single = _prepare(matrix, weights, directions)
    if xt.shape[1] == 0:
        return _empty(w2, single)
    regret = 1.0 - _normalize(xt, d, "minmax", "vikor")
    group = _wsum(w2, regret)
    worst = np.empty_like(group)
    for k, w in enumerate(w2):
        worst[k] = (regret * w[:, np.newaxis]).max(axis=0)

    def scaled(a: np.ndarray) -> np.ndarray:
        lo, hi = a.min(axis=1, keepdims=True), a.max(axis=1, keepdims=True)
        span = hi - lo
        return np.where(span > 0, (a - lo) / np.where(span > 0, span, 1.0), 0.0)

    q = v_f * scaled(group) + (1.0 - v_f) * scaled(worst)
    return _finish(1.0 - q, single)


# --------------------------------------------------------------------------------------------
# PROMETHEE II
# --------------------------------------------------------------------------------------------

PREFERENCES = ("usual", "ushape", "vshape", "level", "linear")
_NEEDS = {"usual": (), "ushape": ("q",), "vshape": ("p",), "level": ("q", "p"), "linear": ("q", "p")}


def _thresholds(value: object, name: str, m: int, preference: str) -> np.ndarray:
    try:
        arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (m,)).copy()
    except (TypeError, ValueError):
        msg = (
            f"promethee2: {name} must be a number or a list of {m} numbers (one per criterion, in "
            f"the criterion's units), got {value!r}"
        )
        raise MethodError(msg) from None
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        msg = f"promethee2: {name} must be finite and >= 0, got {value!r}"
        raise MethodError(msg)
    return arr


def _promethee_params(preference: object, q: object, p: object, m: int) -> tuple[str, np.ndarray, np.ndarray]:
    pref = _choice(preference, PREFERENCES, "preference", "promethee2")
    needs = _NEEDS[pref]
    given = {"q": q, "p": p}
    for name, val in given.items():
        if name in needs and val is None:
            msg = f"promethee2: preference={pref!r} needs {name} (a number or one per criterion, raw units)"
            raise MethodError(msg)
        if name not in needs and val is not None:
            uses = ", ".join(needs) if needs else "no thresholds"
            msg = f"promethee2: preference={pref!r} does not use {name}; it takes {uses}"
            raise MethodError(msg)
    q_arr = _thresholds(q, "q", m, pref) if q is not None else np.zeros(m)
    p_arr = _thresholds(p, "p", m, pref) if p is not None else np.zeros(m)
    if pref == "vshape" and np.any(p_arr <= 0):
        msg = f"promethee2: p must be > 0 for preference='vshape', got {p!r}"
        raise MethodError(msg)
    if pref in ("level", "linear") and np.any(q_arr >= p_arr):
        msg = f"promethee2: preference={pref!r} needs q < p for every criterion, got q={q!r}, p={p!r}"
        raise MethodError(msg)
    return pref, q_arr, p_arr


def _net_contributions_sorted(yt: np.ndarray, pref: str, q: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``H[k, i] = sum_j P_k(y_ki - y_kj) - P_k(y_kj - y_ki)`` in O(m n log n) via sorting.

    ``yt`` is criteria x sites with cost criteria already negated.

    Each preference function is piecewise linear in the difference, so the sum over j splits
    into counts of y_j below/above thresholds plus partial sums of y_j, read off the sorted
    column and its cumulative sum.
    """
    m, n = yt.shape
    h = np.empty((m, n))
    for k in range(m):
        order = np.argsort(yt[k])  # ties need no stable order: counts come from searchsorted
        ys = yt[k, order]
        # Centring shrinks the cumulative sums, and with them the rounding error of the
        # differences taken from them.
        ys = ys - ys[n // 2]

        # Queries are made in sorted order (``ys`` itself, shifted), which keeps the binary
        # searches cache-friendly; results are scattered back to site order at the end.
        def lt(t: np.ndarray, ys: np.ndarray = ys) -> np.ndarray:
            return np.searchsorted(ys, t, side="left")

        def le(t: np.ndarray, ys: np.ndarray = ys) -> np.ndarray:
            return np.searchsorted(ys, t, side="right")

        qk, pk = q[k], p[k]
        if pref == "usual":
            val = lt(ys) - (n - le(ys))
        elif pref == "ushape":
            val = lt(ys - qk) - (n - le(ys + qk))
        elif pref == "level":
            pos = lt(ys - qk) + lt(ys - pk)
            neg = (n - le(ys + qk)) + (n - le(ys + pk))
            val = 0.5 * (pos - neg)
        else:  # vshape (q = 0) and linear
            cs = np.concatenate(([0.0], np.cumsum(ys)))
            span = pk - qk
            a, b = lt(ys - pk), lt(ys - qk)
            pos = a + ((b - a) * (ys - qk) - (cs[b] - cs[a])) / span
            c, e = le(ys + qk), le(ys + pk)
            neg = (n - e) + ((cs[e] - cs[c]) - (e - c) * (ys + qk)) / span
            val = pos - neg
        h[k, order] = val
    return h


def _net_contributions_pairwise(
    yt: np.ndarray, pref: str, q: np.ndarray, p: np.ndarray, chunk_elements: int = 1 << 18
) -> np.ndarray:
    """Reference implementation of :func:`_net_contributions_sorted` from pairwise differences.

    Uses the odd function ``g(d) = P(d) - P(-d)``, row chunks bounding memory to
    ``chunk_elements`` differences at a time. O(m n^2); kept for verification.
    """
    m, n = yt.shape
    h = np.empty((m, n))
    rows = max(1, chunk_elements // max(n, 1))
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        for k in range(m):
            diff = yt[k, start:stop, np.newaxis] - yt[k, np.newaxis, :]
            h[k, start:stop] = _odd_preference(diff, pref, q[k], p[k]).sum(axis=1)
    return h


def _odd_preference(diff: np.ndarray, pref: str, q: float, p: float) -> np.ndarray:
    def pos(t: np.ndarray) -> np.ndarray:
        if pref == "usual":
            return (t > 0).astype(np.float64)
        if pref == "ushape":
            return (t > q).astype(np.float64)
        if pref == "level":
            return 0.5 * (t > q) + 0.5 * (t > p)
        return np.clip((t - q) / (p - q), 0.0, 1.0)

    return pos(diff) - pos(-diff)


def promethee2(
    matrix: ArrayLike,
    weights: ArrayLike,
    directions: object = None,
    *,
    preference: str = "usual",
    q: float | ArrayLike | None = None,
    p: float | ArrayLike | None = None,
) -> np.ndarray:
    """PROMETHEE II net outranking flow (Brans & Vincke, 1985); score = (net flow + 1) / 2.

    For each pair of sites and criterion k, with ``d = x_ik - x_jk`` (sign flipped for cost
    criteria), a preference function gives ``P_k(d)`` in 0..1; ``pi(i, j) = sum_k w_k P_k(d)``;
    the net flow ``phi_i = sum_j (pi(i, j) - pi(j, i)) / (n - 1)`` lies in -1..1 (pymcdm's
    ``PROMETHEE_II`` returns it). The score ``(phi + 1) / 2`` is in 0..1, higher is better;
    a single site scores 0.5. ``q`` (indifference) and ``p`` (preference) thresholds are in
    each criterion's raw units, a scalar for all or one per criterion.

    Preference functions (pymcdm names in brackets):

    - ``"usual"`` (type I): ``P = 1 if d > 0``.
    - ``"ushape"`` (type II, quasi-criterion): ``P = 1 if d > q``.
    - ``"vshape"`` (type III): ``P = min(d / p, 1)`` for d > 0.
    - ``"level"`` (type IV): ``P = 1/2 if q < d <= p``, ``1 if d > p``.
    - ``"linear"`` (type V, linear with indifference area; pymcdm ``vshape_2``):
      ``P = clip((d - q) / (p - q), 0, 1)``.

    The flows are computed without forming the n x n pairwise table: every preference
    function is piecewise linear in d, so each criterion's sum over j is read off the sorted
    column and its cumulative sums in O(n log n) time and O(n) memory (so 100,000 sites are
    fine). Accepts (s, m) weights: the per-criterion flows are computed once.

    Parameters
    ----------
    matrix, weights, directions
        See the module docstring.
    preference
        ``"usual"`` (default), ``"ushape"``, ``"vshape"``, ``"level"`` or ``"linear"``.
    q, p
        Thresholds as required by ``preference`` (a threshold the function does not use is
        an error, so a mistyped config does not pass silently).

    Returns
    -------
    numpy.ndarray
        Scores, shape (n,) or (s, n).

    Examples
    --------
    >>> promethee2([[4, 3, 2], [3, 2, 4], [5, 1, 3]], [0.5, 0.3, 0.2], [1, 1, 1]).round(6).tolist()
    [0.55, 0.35, 0.6]
    """
    xt, w2, d, single = _prepare(matrix, weights, directions)
    m, n = xt.shape
    pref, q_arr, p_arr = _promethee_params(preference, q, p, m)
    if n == 0:
        return _empty(w2, single)
    if n == 1:
        return _finish(np.full((w2.shape[0], 1), 0.5), single)
    h = _net_contributions_sorted(xt * d[:, np.newaxis], pref, q_arr, p_arr)
    phi = _wsum(w2, h) / (n - 1)
    return _finish((phi + 1.0) / 2.0, single)


# --------------------------------------------------------------------------------------------
# OWA and weakest link
# --------------------------------------------------------------------------------------------


def orness(order_weights: ArrayLike) -> float:
    """Yager's (1988) orness ``sum_k (m - k) v_k / (m - 1)``: 1 = max ("or"), 0 = min ("and").

    Examples
    --------
    >>> orness([1, 0, 0]), orness([0, 0, 1]), orness([1 / 3, 1 / 3, 1 / 3])
    (1.0, 0.0, 0.5)
    """
    v = np.asarray(order_weights, dtype=np.float64)
    m = v.size
    if m == 1:
        return 0.5
    return float(np.round(((m - 1 - np.arange(m)) * v).sum() / (m - 1) / v.sum(), 15))


def maxent_order_weights(m: int, alpha: float) -> np.ndarray:
    """Maximum-entropy OWA weights of ``m`` positions with orness ``alpha``.

    The maximum-entropy weights for a given orness form a geometric sequence
    ``v_k ~ h**(k - 1)`` (O'Hagan, 1988; Fullér & Majlender, 2001, Fuzzy Sets and Systems
    124(1)); ``h`` is found by root finding. ``alpha = 0.5`` gives equal weights, 1 the
    maximum and 0 the minimum.

    Examples
    --------
    >>> maxent_order_weights(3, 0.5).round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    >>> round(orness(maxent_order_weights(5, 0.8)), 12)
    0.8
    """
    if m == 1:
        return np.ones(1)
    if alpha >= 1:
        return np.eye(m)[0]
    if alpha <= 0:
        return np.eye(m)[-1]
    k = np.arange(m)

    def weights_for(t: float) -> np.ndarray:
        z = k * t
        e = np.exp(z - z.max())
        return e / e.sum()

    def gap(t: float) -> float:
        return float(((m - 1 - k) * weights_for(t)).sum() / (m - 1) - alpha)

    bound = 60.0
    lo_gap, hi_gap = gap(-bound), gap(bound)
    if lo_gap <= 0:
        return weights_for(-bound)
    if hi_gap >= 0:
        return weights_for(bound)
    t = brentq(gap, -bound, bound, xtol=1e-15, maxiter=200)
    return weights_for(t)


def _order_weights(order_weights: object, orness_value: object, m: int) -> np.ndarray:
    if (order_weights is None) == (orness_value is None):
        msg = (
            "owa: give exactly one of order_weights= (one per criterion, first for the best value) "
            "or orness= (0 = minimum/'and', 0.5 = weighted mean, 1 = maximum/'or')"
        )
        raise MethodError(msg)
    if orness_value is not None:
        try:
            a = float(orness_value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            a = math.nan
        if not 0 <= a <= 1:
            msg = f"owa: orness={orness_value!r} must be a number in 0..1"
            raise MethodError(msg)
        return maxent_order_weights(m, a)
    try:
        v = np.asarray(order_weights, dtype=np.float64)
    except (TypeError, ValueError):
        v = np.array([np.nan])
    if v.ndim != 1 or v.size != m or not np.all(np.isfinite(v)) or np.any(v < 0) or v.sum() <= 0:
        msg = (
            f"owa: order_weights must be {m} non-negative numbers (one per criterion, first for "
            f"each site's best value), not all zero; got {order_weights!r}"
        )
        raise MethodError(msg)
    return v / v.sum()


def owa(
    matrix: ArrayLike,
    weights: ArrayLike,
    directions: object = None,
    *,
    order_weights: ArrayLike | None = None,
    orness: float | None = None,
    normalization: str = "auto",
) -> np.ndarray:
    """Weighted OWA (Torra, 1997, Int. J. Intelligent Systems 12(2)): criterion and order weights.

    Yager's (1988) ordered weighted average puts order weight ``v_k`` on each site's k-th
    best normalised value; ``orness`` moves it from the minimum (0, "and", no compensation)
    through the weighted mean (0.5) to the maximum (1, "or"). Torra's WOWA also respects the
    criterion weights ``w``: with a site's values sorted best first and ``P_k`` the
    cumulative criterion weight of the first k of them, the weight of the k-th is
    ``w*(P_k) - w*(P_{k-1})``, where ``w*`` is the piecewise-linear interpolation through
    ``(k/m, v_1 + ... + v_k)``. Equal order weights give ``wlc`` exactly, equal criterion
    weights give Yager's OWA exactly, a zero-weight criterion has no effect, ties between
    values do not matter, and the score (a weighted mean of the site's values) stays in 0..1.

    Parameters
    ----------
    matrix, weights, directions
        See the module docstring.
    order_weights
        m non-negative numbers (normalised), first for each site's best value.
    orness
        Alternatively, a number in 0..1; the order weights are then the maximum-entropy
        weights with that orness (:func:`maxent_order_weights`).
    normalization
        As for ``wlc`` (default ``"auto"``).

    Returns
    -------
    numpy.ndarray
        Scores, shape (n,) or (s, n).

    Examples
    --------
    >>> owa([[0.2, 0.6, 1.0]], [1 / 3, 1 / 3, 1 / 3], order_weights=[0.5, 0.3, 0.2]).round(6).tolist()
    [0.72]
    """
    xt, w2, d, single = _prepare(matrix, weights, directions)
    m, n = xt.shape
    v = _order_weights(order_weights, orness, m)
    if n == 0:
        return _empty(w2, single)
    r = _normalize_auto(xt, d, normalization, "minmax", "owa").T
    order = np.argsort(-r, axis=1, kind="stable")
    r_sorted = np.take_along_axis(r, order, axis=1)
    grid = np.arange(m + 1) / m
    cum_v = np.concatenate(([0.0], np.cumsum(v)))
    cum_v[-1] = 1.0
    out = np.empty((w2.shape[0], n))
    for s, w in enumerate(w2):
        cum_w = np.cumsum(w[order], axis=1)
        w_star = np.interp(cum_w, grid, cum_v)
        omega = np.diff(w_star, axis=1, prepend=0.0)
        out[s] = (omega * r_sorted).sum(axis=1) / w_star[:, -1]
    return _finish(out, single)


IMPLICATIONS = ("reichenbach", "kleene_dienes")


def weakest_link(
    matrix: ArrayLike,
    weights: ArrayLike,
    directions: object = None,
    *,
    implication: str = "reichenbach",
    normalization: str = "auto",
) -> np.ndarray:
    """Weighted minimum (non-compensatory): a site is as good as its worst weighted criterion.

    ``score_i = min_j I(w'_j, r_ij)`` with ``w' = w / max(w)`` (the most important criterion
    gets 1) and ``I`` a fuzzy implication, the weighted-minimum family of Dubois & Prade
    (1986, "Weighted minimum and maximum operations in fuzzy set theory", Information
    Sciences 39(2)):

    - ``"reichenbach"`` (default): ``I(w, r) = 1 - w (1 - r)``. A criterion's shortfall
      ``1 - r`` is scaled by its relative weight; the top-weighted criterion acts as a plain
      minimum, a zero-weight criterion is ignored. Strictly increasing in every r with w > 0,
      so there are no flat regions.
    - ``"kleene_dienes"``: ``I(w, r) = max(1 - w, r)``, Dubois & Prade's weighted minimum:
      a criterion of relative weight w cannot pull the score below ``1 - w``.

    Equal weights give the plain minimum with either. Scores are in 0..1, higher is better.

    Parameters
    ----------
    matrix, weights, directions
        See the module docstring.
    implication
        ``"reichenbach"`` or ``"kleene_dienes"``.
    normalization
        As for ``wlc`` (default ``"auto"``).

    Returns
    -------
    numpy.ndarray
        Scores, shape (n,) or (s, n).

    Examples
    --------
    >>> weakest_link([[0.2, 0.9], [0.6, 0.5]], [0.75, 0.25]).round(6).tolist()
    [0.2, 0.6]
    """
    xt, w2, d, single = _prepare(matrix, weights, directions)
    imp = _choice(implication, IMPLICATIONS, "implication", "weakest_link")
    if xt.shape[1] == 0:
        return _empty(w2, single)
    r = _normalize_auto(xt, d, normalization, "minmax", "weakest_link")
    rel = w2 / w2.max(axis=1, keepdims=True)
    out = np.empty((w2.shape[0], xt.shape[1]))
    shortfall = 1.0 - r
    for s, w in enumerate(rel):
        if imp == "reichenbach":
            # min_j (1 - w_j s_ij) = 1 - max_j w_j s_ij
            out[s] = 1.0 - (shortfall * w[:, np.newaxis]).max(axis=0)
        else:
            out[s] = np.maximum((1.0 - w)[:, np.newaxis], r).min(axis=0)
    return _finish(out, single)


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------

#: name -> declaration of every aggregation method (see :func:`register_aggregation`).
METHOD_SPECS: dict[str, MethodSpec] = {}
#: name -> function of every aggregation method (kept in step with :data:`METHOD_SPECS`).
AGGREGATION_METHODS: dict[str, Callable[..., np.ndarray]] = {}
_RESERVED = ("matrix", "weights", "directions")


def register_aggregation(
    name: str,
    func: Callable[..., np.ndarray] | None = None,
    *,
    params: tuple[Param, ...] = (),
    example: str = "",
    doc: str = "",
    replace: bool = False,
) -> Any:
    """Register an aggregation method; usable as a decorator.

    The method then works everywhere a method name is accepted: ``[method] name`` in a
    config (its ``params`` checked against ``params``), ``--method``/``--params`` on the
    command line, the app's method menu with a widget per parameter, and ``docs/config.md``.

    Parameters
    ----------
    name
        The method's name.
    func
        ``func(matrix, weights, directions, **params) -> scores``: n x m matrix, weights
        summing to 1 (or s x m), directions +1/-1; scores of n sites, higher better, in 0..1
        when the matrix is in 0..1 with all directions +1.
    params
        Its parameters (:class:`growthzones.mcda.params.Param`): ranges and choices are
        checked before ``func`` runs.
    example
        The body of its ``[method]`` table for the docs (default: just the name).
    doc
        A one-line summary (default: the first line of ``func``'s docstring).
    replace
        Allow replacing a method of the same name.

    Examples
    --------
    >>> from growthzones.mcda.params import Param
    >>> @register_aggregation("best_of", params=(Param("k", default=1, low=1, high=2),))
    ... def best_of(matrix, weights, directions=None, *, k=1):
    ...     "Mean of each site's k best values."
    ...     return np.sort(np.asarray(matrix, dtype=float), axis=1)[:, ::-1][:, :k].mean(axis=1)
    >>> aggregate("best_of", [[0.2, 0.8], [0.5, 0.6]], [0.5, 0.5], k=1).tolist()
    [0.8, 0.6]
    >>> aggregate("best_of", [[0.2, 0.8], [0.5, 0.6]], [0.5, 0.5], k=3)
    Traceback (most recent call last):
    ...
    growthzones.errors.MethodError: best_of: k=3 must be a number in 1..2
    >>> unregister_aggregation("best_of")
    """

    def add(f: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        spec = MethodSpec(name, f, tuple(params), example or f'name = "{name}"', doc)
        add_spec(METHOD_SPECS, AGGREGATION_METHODS, "aggregation method", spec, replace=replace, reserved=_RESERVED)
        return f

    return add if func is None else add(func)


def unregister_aggregation(name: str) -> None:
    """Remove a registered aggregation method (for tests and plug-ins that clean up).

    Examples
    --------
    >>> unregister_aggregation("no_such_method")
    """
    remove_spec(METHOD_SPECS, AGGREGATION_METHODS, name)


_NORMALIZATION_HELP = "How criteria are scaled before aggregating."
_NORMALIZATION = Param(
    "normalization", "Normalisation", "auto", choices=NORMALIZATIONS, help=_NORMALIZATION_HELP, app=False
)
register_aggregation("wlc", wlc, params=(_NORMALIZATION,))
register_aggregation("wpm", wpm, params=(_NORMALIZATION,))
# The criteria reach the methods as 0..1 values, so normalisation is offered in the app only
# for TOPSIS, where min-max and vector scaling move the ideal points.
register_aggregation(
    "topsis",
    topsis,
    params=(
        Param(
            "normalization",
            "Normalisation",
            "minmax",
            choices=TOPSIS_NORMALIZATIONS,
            help="How criteria are scaled before the distances to the ideal and anti-ideal sites.",
        ),
    ),
    example='name = "topsis"\nparams = { normalization = "minmax" }',
)
register_aggregation(
    "vikor",
    vikor,
    params=(
        Param(
            "v",
            "v (weight of group utility)",
            0.5,
            low=0.0,
            high=1.0,
            help="1: the best total (majority rule); 0: the least regret on the worst criterion.",
        ),
    ),
    example='name = "vikor"\nparams = { v = 0.5 }',
)
register_aggregation(
    "promethee2",
    promethee2,
    params=(
        Param(
            "preference",
            "Preference function",
            "usual",
            choices=PREFERENCES,
            help="How a difference between two sites on a criterion turns into a preference.",
        ),
        # q and p may also be one value per criterion, so only the app's sliders have a range.
        Param(
            "q",
            "q (indifference threshold, 0-1 value)",
            None,
            app_low=0.0,
            app_high=0.5,
            step=0.01,
            start=0.05,
            used_with=("preference", ("ushape", "level", "linear")),
            help="Differences up to q count as no preference.",
        ),
        Param(
            "p",
            "p (strict preference threshold, 0-1 value)",
            None,
            app_low=0.01,
            app_high=1.0,
            step=0.01,
            start=0.3,
            used_with=("preference", ("vshape", "level", "linear")),
            help="Differences of p or more count as full preference (must be above q).",
        ),
    ),
    example='name = "promethee2"\nparams = { preference = "linear", q = 0.05, p = 0.3 }',
)
register_aggregation(
    "owa",
    owa,
    params=(
        Param(
            "orness",
            "Orness",
            0.5,
            low=0.0,
            high=1.0,
            unless=("order_weights",),
            help="1: judge each site by its best criterion; 0: by its worst; 0.5: the weighted mean.",
        ),
        Param("order_weights", "Order weights", None, app=False, help="One weight per rank position."),
        _NORMALIZATION,
    ),
    example='name = "owa"\nparams = { orness = 0.3 }',
)
register_aggregation(
    "weakest_link",
    weakest_link,
    params=(
        Param(
            "implication",
            "Implication",
            "reichenbach",
            choices=IMPLICATIONS,
            help="How a criterion's weight softens its veto on a weak value.",
        ),
    ),
    example='name = "weakest_link"\nparams = { implication = "reichenbach" }',
)


def aggregate(name: str, matrix: ArrayLike, weights: ArrayLike, directions: object = None, **params: Any) -> np.ndarray:
    """Score sites with the aggregation method ``name``; higher is better for every method.

    Parameters
    ----------
    name
        One of :data:`AGGREGATION_METHODS`: ``wlc``, ``wpm``, ``topsis``, ``vikor``,
        ``promethee2``, ``owa``, ``weakest_link``.
    matrix
        n sites x m criteria, finite.
    weights
        m non-negative weights (normalised to sum 1), or (s, m) for s weight vectors.
    directions
        +1 benefit / -1 cost per criterion (or "benefit"/"cost"); None = all benefit.
    **params
        The method's parameters (see each method).

    Returns
    -------
    numpy.ndarray
        Scores of shape (n,), or (s, n) for 2-D weights. In 0..1 whenever the matrix is in
        0..1 and all directions are +1.

    Raises
    ------
    MethodError
        Unknown method or parameter, bad parameter values, NaN in the matrix, wrong shapes.
    WeightError
        Negative, non-finite or all-zero weights.

    Examples
    --------
    >>> aggregate("wlc", [[0.5, 1.0], [1.0, 0.0]], [0.75, 0.25], [1, 1]).tolist()
    [0.625, 0.75]
    >>> aggregate("vikor", [[0.5, 1.0], [1.0, 0.0]], [0.75, 0.25], [1, 1], v=0.5).tolist()
    [0.0, 1.0]
    """
    func = resolve(AGGREGATION_METHODS, name, "aggregation method")
    check_params(func, params, "aggregation method", name, reserved=_RESERVED)
    check_values(METHOD_SPECS[name], params)
    return func(matrix, weights, directions, **params)


def describe_methods() -> dict[str, str]:
    """Return name -> one-line description of every aggregation method (for the app).

    Examples
    --------
    >>> sorted(describe_methods())[:3]
    ['owa', 'promethee2', 'topsis']
    """
    return describe(AGGREGATION_METHODS)
