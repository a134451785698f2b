"""Analytic Hierarchy Process: priority weights from a pairwise comparison matrix.

Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures. Journal of
Mathematical Psychology, 15(3), 234-281. Saaty, T. L. (1980). The Analytic Hierarchy Process.
McGraw-Hill.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from growthzones.errors import WeightError

__all__ = ["RANDOM_INDEX", "InconsistentJudgementWarning", "ahp_weights", "most_inconsistent_judgement"]

#: Saaty's (1980) random consistency index RI for n = 1..15 criteria.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}

#: Saaty's threshold above which the judgements should be revised.
CR_THRESHOLD = 0.1

# Judgements are often typed as rounded decimals (0.33 for 1/3), so reciprocity is checked to
# a 2% relative tolerance; the upper triangle is then taken as given and mirrored exactly.
_RECIPROCAL_RTOL = 0.02


class InconsistentJudgementWarning(UserWarning):
    """The AHP consistency ratio exceeds 0.1: the pairwise judgements should be revised."""


def _label(i: int, labels: Sequence[str] | None) -> str:
    return repr(labels[i]) if labels is not None else f"criterion {i}"


def _check_pairwise(pairwise: object, labels: Sequence[str] | None) -> np.ndarray:
    try:
        a = np.asarray(pairwise, dtype=np.float64)
    except (TypeError, ValueError):
        msg = "AHP pairwise matrix must be a square table of positive numbers"
        raise WeightError(msg) from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        msg = f"AHP pairwise matrix must be square (n x n), got shape {a.shape}"
        raise WeightError(msg)
    n = a.shape[0]
    if labels is not None and len(labels) != n:
        msg = f"AHP labels has {len(labels)} names but the pairwise matrix is {n} x {n}"
        raise WeightError(msg)
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        i, j = np.argwhere(~(np.isfinite(a) & (a > 0)))[0]
        msg = (
            f"AHP pairwise matrix must hold positive numbers only: entry ({_label(i, labels)}, "
            f"{_label(j, labels)}) is {a[i, j]}; use 1 for equal importance and 1/x for the inverse of x"
        )
        raise WeightError(msg)
    if not np.allclose(np.diag(a), 1.0, rtol=0, atol=_RECIPROCAL_RTOL):
        i = int(np.argmax(np.abs(np.diag(a) - 1)))
        msg = f"AHP pairwise matrix diagonal must be 1: entry ({_label(i, labels)}, itself) is {a[i, i]}"
        raise WeightError(msg)
    prod = a * a.T
    bad = np.abs(prod - 1.0) > _RECIPROCAL_RTOL
    if bad.any():
        i, j = np.argwhere(np.triu(bad, 1))[0]
        msg = (
            f"AHP pairwise matrix is not reciprocal: entry ({_label(i, labels)}, {_label(j, labels)}) "
            f"is {a[i, j]:g} but ({_label(j, labels)}, {_label(i, labels)}) is {a[j, i]:g}; "
            f"it must be 1/{a[i, j]:g} = {1 / a[i, j]:.4g}"
        )
        raise WeightError(msg)
    sym = np.triu(a, 1) + np.eye(n)
    lower = np.tril_indices(n, -1)
    sym[lower] = 1.0 / sym.T[lower]
    return sym


def most_inconsistent_judgement(pairwise: np.ndarray, w: np.ndarray) -> tuple[int, int, float]:
    """Return ``(i, j, ratio)`` for the judgement ``a_ij`` furthest from ``w_i / w_j``.

    The distance is ``|log(a_ij * w_j / w_i)|`` over pairs ``i < j``; ``ratio`` is the
    implied value ``w_i / w_j``.

    Examples
    --------
    >>> pairwise = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    >>> i, j, ratio = most_inconsistent_judgement(pairwise, np.array([0.6, 0.3, 0.1]))
    >>> int(i), int(j), round(float(ratio), 3)
    (0, 1, 2.0)
    """
    err = np.abs(np.log(pairwise * w[np.newaxis, :] / w[:, np.newaxis]))
    err = np.triu(err, 1)
    i, j = np.unravel_index(int(np.argmax(err)), err.shape)
    return int(i), int(j), float(w[i] / w[j])


def ahp_weights(
    pairwise: Sequence[Sequence[float]] | np.ndarray, *, labels: Sequence[str] | None = None
) -> tuple[np.ndarray, float]:
    """Priority weights and consistency ratio from an AHP pairwise comparison matrix.

    Weights are the principal right eigenvector of the matrix, normalised to sum to 1.
    ``CI = (lambda_max - n) / (n - 1)`` and ``CR = CI / RI(n)`` with Saaty's (1980) random index
    (n <= 15; CR is 0 for n <= 2, where every reciprocal matrix is consistent). When
    ``CR > 0.1`` an :class:`InconsistentJudgementWarning` is emitted naming the judgement
    ``a_ij`` with the largest ``|log(a_ij * w_j / w_i)|``.

    Parameters
    ----------
    pairwise
        n x n matrix, ``a_ij`` = how much more important criterion i is than j (Saaty's 1-9
        scale), positive, with ``a_ji = 1 / a_ij`` (checked to 2%; the upper triangle is used).
    labels
        Criterion names, used in messages.

    Returns
    -------
    weights : numpy.ndarray
        Length n, non-negative, summing to 1.
    consistency_ratio : float

    Raises
    ------
    WeightError
        Not square, non-positive or non-finite entries, diagonal not 1, not reciprocal, or
        n > 15 (no tabulated random index: split the criteria into groups).

    Examples
    --------
    >>> w, cr = ahp_weights([[1, 3], [1 / 3, 1]])
    >>> w.round(3).tolist(), cr
    ([0.75, 0.25], 0.0)
    """
    a = _check_pairwise(pairwise, labels)
    n = a.shape[0]
    if n > max(RANDOM_INDEX):
        msg = (
            f"AHP with {n} criteria: Saaty's random index is tabulated for at most {max(RANDOM_INDEX)}; "
            f"group the criteria and use hierarchical_weights"
        )
        raise WeightError(msg)
    if n == 1:
        return np.ones(1), 0.0
    eigvals, eigvecs = np.linalg.eig(a)
    # Perron-Frobenius: a positive matrix has a real, simple, largest eigenvalue whose
    # eigenvector can be taken positive.
    k = int(np.argmax(eigvals.real))
    lam = float(eigvals[k].real)
    w = np.abs(eigvecs[:, k].real)
    w = w / w.sum()
    ri = RANDOM_INDEX[n]
    cr = 0.0 if ri == 0 else max((lam - n) / (n - 1), 0.0) / ri
    if cr > CR_THRESHOLD:
        i, j, implied = most_inconsistent_judgement(a, w)
        msg = (
            f"AHP judgements are inconsistent: consistency ratio {cr:.3f} > {CR_THRESHOLD}; the most "
            f"inconsistent judgement is {_label(i, labels)} vs {_label(j, labels)} (given {a[i, j]:.4g}, "
            f"the weights imply {implied:.3g}): revise it"
        )
        warnings.warn(msg, InconsistentJudgementWarning, stacklevel=2)
    return w, cr
