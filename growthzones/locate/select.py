"""Choosing regions from the pool: conflicts, the exact integer program, and greedy growing.

Distances between regions are between their polygons (the union of their cells' squares):
two cells ``(di, dj)`` apart are ``hypot(max(|di| - 1, 0), max(|dj| - 1, 0))`` cells apart
edge to edge, so cells sharing an edge or a corner are 0 apart. The edge distance from a cell
to a region equals the centre distance from that cell to the region dilated by one cell
(3x3), which is what :func:`halo` computes with a Euclidean distance transform.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy import ndimage
from scipy.optimize import Bounds, LinearConstraint, milp

from growthzones.locate.pool import Pool, best_size, grow_order

__all__ = [
    "Selection",
    "conflict_cliques",
    "conflict_pairs",
    "edge_distance",
    "far_pairs",
    "greedy_grow",
    "halo",
    "select_exact",
    "tie_break",
]

_SQUARE = np.ones((3, 3), dtype=bool)
#: Objective ties closer than this (per region) are broken by pool order; see :func:`tie_break`.
TIE = 1e-6


def edge_distance(a: np.ndarray, b: np.ndarray, cols: int) -> float:
    """Edge-to-edge distance (cells) between two sets of cells given as flat indices.

    Examples
    --------
    >>> edge_distance(np.array([0]), np.array([3]), 4), edge_distance(np.array([0]), np.array([5]), 4)
    (2.0, 0.0)
    """
    ai, aj = np.divmod(a, cols)
    bi, bj = np.divmod(b, cols)
    di = np.maximum(np.abs(ai[:, None] - bi[None, :]) - 1, 0)
    dj = np.maximum(np.abs(aj[:, None] - bj[None, :]) - 1, 0)
    return float(np.sqrt(di**2 + dj**2).min())


def halo(cells: np.ndarray, shape: tuple[int, int], radius: float, *, inclusive: bool = False) -> np.ndarray:
    """Flat indices of the cells closer than ``radius`` cells (edge to edge) to a region, the region included.

    ``inclusive=True`` takes cells at most ``radius`` away. A radius of 0 gives the region itself.

    Examples
    --------
    >>> halo(np.array([0]), (3, 3), 1.0).tolist()
    [0, 1, 3, 4]
    >>> halo(np.array([0]), (3, 4), 1.0, inclusive=True).tolist()
    [0, 1, 2, 4, 5, 6, 8, 9]
    """
    rows, cols = shape
    if radius <= 0 and not inclusive:
        return np.sort(cells)
    i, j = np.divmod(cells, cols)
    pad = math.ceil(radius) + 2
    r0, r1 = max(i.min() - pad, 0), min(i.max() + pad + 1, rows)
    c0, c1 = max(j.min() - pad, 0), min(j.max() + pad + 1, cols)
    mask = np.zeros((r1 - r0, c1 - c0), dtype=bool)
    mask[i - r0, j - c0] = True
    dil = ndimage.binary_dilation(mask, _SQUARE)
    dist = ndimage.distance_transform_edt(~dil)
    near = (dist <= radius) if inclusive else (dist < radius)
    near |= mask
    ii, jj = np.nonzero(near)
    return np.sort((ii + r0) * cols + (jj + c0))


def _incidence(sets: Sequence[np.ndarray], columns: np.ndarray) -> sp.csr_matrix:
    """Sets of cells as rows of a sparse 0/1 matrix whose columns are ``columns`` (sorted cell ids)."""
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.searchsorted(columns, np.concatenate(sets)) if len(sets) else np.zeros(0, dtype=np.int64)
    data = np.ones(len(indices), dtype=np.int32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(sets), len(columns)))


def _near_matrix(pool: Pool, shape: tuple[int, int], radius: float, *, inclusive: bool) -> sp.csr_matrix:
    """(i, j) nonzero where region i's cells meet region j's halo; columns only for cells that occur (not the grid)."""
    halos = [halo(c, shape, radius, inclusive=inclusive) for c in pool.cells]
    columns = np.unique(np.concatenate(halos))
    return _incidence(pool.cells, columns) @ _incidence(halos, columns).T


def conflict_pairs(pool: Pool, shape: tuple[int, int], min_spacing_cells: float) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of pool regions that overlap or lie closer than the minimum spacing.

    Each region's halo (:func:`halo`) is crossed with every region's cells in one sparse
    product, so only regions that are actually near each other are ever compared.

    Examples
    --------
    >>> p = Pool()
    >>> for cells in ([0], [1], [3]):
    ...     p.add(np.array(cells), 1.0, -1, "exhaustive")
    >>> conflict_pairs(p, (1, 4), 0).tolist(), conflict_pairs(p, (1, 4), 1.5).tolist()
    ([], [[0, 1], [1, 2]])
    """
    if len(pool) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    m = _near_matrix(pool, shape, min_spacing_cells, inclusive=False).tocoo()
    i, j = m.row.astype(np.int64), m.col.astype(np.int64)
    keep = i != j
    a, b = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
    pairs = np.unique(np.stack([a, b], axis=1), axis=0) if keep.any() else np.zeros((0, 2), dtype=np.int64)
    return pairs


def _near_centres(cells: np.ndarray, shape: tuple[int, int], radius: float) -> np.ndarray:
    """Flat indices of the cells whose centre lies closer than ``radius`` cells to the region (its squares)."""
    rows, cols = shape
    r = math.ceil(radius + 0.5)
    d = np.arange(-r, r + 1)
    di, dj = np.meshgrid(d, d, indexing="ij")
    elem = np.hypot(np.maximum(np.abs(di) - 0.5, 0), np.maximum(np.abs(dj) - 0.5, 0)) < radius
    elem[r, r] = True
    i, j = np.divmod(cells, cols)
    r0, r1 = max(i.min() - r, 0), min(i.max() + r + 1, rows)
    c0, c1 = max(j.min() - r, 0), min(j.max() + r + 1, cols)
    mask = np.zeros((r1 - r0, c1 - c0), dtype=bool)
    mask[i - r0, j - c0] = True
    near = ndimage.binary_dilation(mask, elem) if radius > 0 else mask
    ii, jj = np.nonzero(near)
    return np.sort((ii + r0) * cols + (jj + c0))


def conflict_cliques(pool: Pool, shape: tuple[int, int], min_spacing_cells: float) -> tuple[sp.csr_matrix, np.ndarray]:
    """Sets of pool regions that pairwise conflict (cliques), and which conflicting pairs they cover.

    For each cell, the regions holding it, or closer than half the minimum spacing to its centre,
    all lie closer than the spacing to one another (triangle inequality through the centre), so at
    most one of them can be chosen: ``sum(x_i) <= 1`` over the set. These rows give the integer
    program a far tighter relaxation than pairwise rows ``x_i + x_j <= 1`` alone; pairs no clique
    covers keep their pairwise row.

    Returns
    -------
    (scipy.sparse.csr_matrix, numpy.ndarray)
        One row per distinct clique (regions as columns); and ``(i, j)`` pairs, ``i < j``, covered
        by some clique.

    Examples
    --------
    >>> p = Pool()
    >>> for cells in ([0, 1], [1, 2], [3]):
    ...     p.add(np.array(cells), 1.0, -1, "exhaustive")
    >>> k, covered = conflict_cliques(p, (1, 4), 0)
    >>> k.toarray().astype(int).tolist(), covered.tolist()
    ([[1, 1, 0]], [[0, 1]])
    """
    n = len(pool)
    near = [_near_centres(c, shape, min_spacing_cells / 2) for c in pool.cells]
    columns = np.unique(np.concatenate(near)) if n else np.zeros(0, dtype=np.int64)
    inc = _incidence(near, columns).tocsc()  # regions x cells
    sizes = np.diff(inc.indptr)
    keep = np.flatnonzero(sizes >= 2)
    # one row per distinct set of regions
    seen: dict[bytes, int] = {}
    rows = []
    for c in keep:
        members = inc.indices[inc.indptr[c] : inc.indptr[c + 1]]
        key = np.sort(members).tobytes()
        if key not in seen:
            seen[key] = len(rows)
            rows.append(np.sort(members))
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    cliques = sp.csr_matrix(
        (np.ones(int(lengths.sum())), np.concatenate(rows) if rows else np.zeros(0, np.int64),
         np.concatenate([[0], np.cumsum(lengths)])),
        shape=(len(rows), n),
    )  # fmt: skip
    both = (cliques.T @ cliques).tocoo()
    a, b = both.row.astype(np.int64), both.col.astype(np.int64)
    up = a < b
    return cliques, np.stack([a[up], b[up]], axis=1)


def far_pairs(pool: Pool, shape: tuple[int, int], max_spacing_cells: float) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of pool regions farther apart than the maximum spacing.

    Examples
    --------
    >>> p = Pool()
    >>> for cells in ([0], [2], [9]):
    ...     p.add(np.array(cells), 1.0, -1, "exhaustive")
    >>> far_pairs(p, (1, 10), 2).tolist()
    [[0, 2], [1, 2]]
    """
    if len(pool) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    m = _near_matrix(pool, shape, max_spacing_cells, inclusive=True)
    near = (m + m.T).astype(bool).toarray()
    i, j = np.nonzero(~near)
    keep = i < j
    return np.stack([i[keep], j[keep]], axis=1).astype(np.int64)


def tie_break(n: int) -> np.ndarray:
    """Objective bonus per pool position: earlier regions win ties (less than :data:`TIE` in all).

    Examples
    --------
    >>> tie_break(4).tolist()
    [4e-07, 3e-07, 2e-07, 1e-07]
    """
    return TIE * (n - np.arange(n)) / max(n, 1) / 2.5


@dataclass(frozen=True)
class Selection:
    """The chosen pool regions and how sure we are of them.

    Attributes
    ----------
    chosen
        Pool positions, ascending.
    objective
        Sum of the chosen regions' objectives.
    status
        ``"optimal"``, ``"time limit"`` (best found when time ran out) or ``"infeasible"``.
    mip_gap
        Relative gap between the objective and the solver's upper bound (0 = proven optimal).
    bound
        The solver's upper bound on the objective.
    """

    chosen: np.ndarray
    objective: float
    status: str
    mip_gap: float
    bound: float


def select_exact(
    objective: np.ndarray,
    conflicts: np.ndarray,
    *,
    count: int | None,
    areas: np.ndarray | None = None,
    area_range: tuple[float, float] | None = None,
    families: np.ndarray | None = None,
    cliques: sp.spmatrix | None = None,
    time_limit: float = 60.0,
    mip_gap: float = 0.0,
) -> Selection:
    """Choose pool regions maximising the total objective, exactly, with a binary integer program.

    ``max sum(w_i x_i)`` subject to ``sum(x_i) = count`` (if given), ``x_i + x_j <= 1`` for each
    conflicting pair, ``sum(x_i) <= 1`` over each family of nested regions and each row of
    ``cliques`` (:func:`conflict_cliques`), and
    ``lo <= sum(area_i x_i) <= hi`` (if ``area_range``), solved by HiGHS through
    :func:`scipy.optimize.milp`. Ties are broken towards earlier pool positions (:func:`tie_break`).

    Examples
    --------
    >>> s = select_exact(np.array([3.0, 2.0, 2.0]), np.array([[0, 1], [0, 2]]), count=2)
    >>> s.chosen.tolist(), s.objective, s.status
    ([1, 2], 4.0, 'optimal')
    """
    n = len(objective)
    w = np.asarray(objective, dtype=np.float64)
    if n == 0:
        return Selection(np.zeros(0, dtype=np.int64), 0.0, "infeasible", math.inf, math.nan)
    # Scale so HiGHS's absolute gap (1e-6) sits below the tie-break increments.
    scale = 1e6
    c = -(w + tie_break(n)) * scale
    rows: list[sp.spmatrix] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    fam_rows = 0
    if families is not None and len(families):
        fam = np.asarray(families)
        uniq, inv, cnt = np.unique(fam, return_inverse=True, return_counts=True)
        multi = (uniq >= 0) & (cnt > 1)
        if multi.any():
            sel = multi[inv]
            remap = -np.ones(len(uniq), dtype=np.int64)
            remap[multi] = np.arange(int(multi.sum()))
            fam_rows = int(multi.sum())
            rows.append(sp.csr_matrix((np.ones(int(sel.sum())), (remap[inv[sel]], np.flatnonzero(sel))),
                                      shape=(fam_rows, n)))  # fmt: skip
            lo.append(np.full(fam_rows, -np.inf))
            hi.append(np.ones(fam_rows))
        # pairs inside one family are covered by the family row
        if len(conflicts):
            same = (fam[conflicts[:, 0]] == fam[conflicts[:, 1]]) & (fam[conflicts[:, 0]] >= 0)
            conflicts = conflicts[~same]
    if cliques is not None and cliques.shape[0]:
        rows.append(sp.csr_matrix(cliques))
        lo.append(np.full(cliques.shape[0], -np.inf))
        hi.append(np.ones(cliques.shape[0]))
    if len(conflicts):
        k = len(conflicts)
        rows.append(sp.csr_matrix((np.ones(2 * k), (np.repeat(np.arange(k), 2), conflicts.ravel())), shape=(k, n)))
        lo.append(np.full(k, -np.inf))
        hi.append(np.ones(k))
    if count is not None:
        rows.append(sp.csr_matrix(np.ones((1, n))))
        lo.append(np.array([count], float))
        hi.append(np.array([count], float))
    if area_range is not None and areas is not None:
        rows.append(sp.csr_matrix(np.asarray(areas, float)[None, :]))
        lo.append(np.array([area_range[0]]))
        hi.append(np.array([area_range[1]]))
    constraints = [LinearConstraint(sp.vstack(rows).tocsr(), np.concatenate(lo), np.concatenate(hi))] if rows else []
    res = milp(
        c,
        constraints=constraints,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"time_limit": float(time_limit), "mip_rel_gap": float(mip_gap), "presolve": True},
    )
    if res.x is None:
        status = "infeasible" if res.status == 2 else ("time limit" if res.status == 1 else "failed")
        return Selection(np.zeros(0, dtype=np.int64), math.nan, status, math.inf, math.nan)
    chosen = np.flatnonzero(res.x > 0.5)
    total = float(w[chosen].sum())
    bound = -float(getattr(res, "mip_dual_bound", res.fun)) / scale
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    status = "optimal" if res.status == 0 else "time limit"
    return Selection(chosen, total, status, max(gap, 0.0), bound)


def greedy_grow(
    score: np.ndarray,
    available: np.ndarray,
    count: int | None,
    sizes: np.ndarray,
    objective: Callable[[np.ndarray], float],
    *,
    compactness: float,
    min_spacing_cells: float,
    max_spacing_cells: float | None = None,
    total_cells: int | None = None,
) -> list[np.ndarray]:
    """Greedy growing: from the best available cell grow a region, keep it, exclude its neighbourhood, repeat.

    The region's size is the one of ``sizes`` with the best objective. Its cells and every cell
    closer than the minimum spacing become unavailable; with a maximum spacing, only cells
    within it of every region so far stay available. Stops at ``count`` regions, at
    ``total_cells`` cells, or when no region fits.

    Examples
    --------
    >>> s = np.array([[9, 8, 0, 1, 7]], dtype=float)
    >>> [r.tolist() for r in greedy_grow(s, s >= 0, 2, np.array([2]), np.mean, compactness=0, min_spacing_cells=0)]
    [[0, 1], [3, 4]]
    """
    avail = available.copy()
    rows, cols = score.shape
    flat = score.ravel()
    masked = np.where(avail, score, -np.inf).ravel()
    out: list[np.ndarray] = []
    got = 0
    while (count is None or len(out) < count) and (total_cells is None or got < total_cells):
        seed = int(np.argmax(masked))
        if not np.isfinite(masked[seed]):
            break
        order = grow_order(seed, score, avail, int(sizes[-1]), compactness=compactness)
        if len(order) < sizes[0]:
            # the whole patch is smaller than the minimum: none of it can hold a region
            avail.ravel()[order] = False
            masked[order] = -np.inf
            continue
        size = best_size(order, flat, sizes, objective)
        region = np.sort(order[:size])
        out.append(region)
        got += size
        gone = halo(region, (rows, cols), min_spacing_cells)
        avail.ravel()[gone] = False
        masked[gone] = -np.inf
        if max_spacing_cells is not None:
            near = np.zeros(rows * cols, dtype=bool)
            near[halo(region, (rows, cols), max_spacing_cells, inclusive=True)] = True
            avail.ravel()[~near] = False
            masked[~near] = -np.inf
    return out
