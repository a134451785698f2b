"""Candidate regions: seeds, compactness-weighted region growing, and exhaustive enumeration.

A region is a 4-connected set of eligible cells, held as an int64 array of flat (row-major)
cell indices. Regions grown from one seed are *nested*: the region of k cells is the first k
cells of the seed's growth order, so a seed gives a family of regions of several sizes.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator

import numpy as np
from scipy import ndimage

from growthzones.errors import ConfigError

__all__ = [
    "Pool",
    "best_size",
    "component_sizes",
    "enumerate_regions",
    "grow_order",
    "grow_pool",
    "pick_seeds",
    "region_sizes",
]

Progress = Callable[[int, int, str], None]


class Pool:
    """Candidate regions with their objective, in a fixed order (the tie-break order).

    Attributes
    ----------
    cells
        One int64 array of flat cell indices per region.
    objective
        Each region's objective (mean score, or score x hectares).
    family
        Regions of one family are nested (grown from one seed); -1 = a family of its own.
    source
        ``"grow"``, ``"exhaustive"`` or ``"greedy"`` per region.
    """

    def __init__(self) -> None:
        self.cells: list[np.ndarray] = []
        self.objective: list[float] = []
        self.family: list[int] = []
        self.source: list[str] = []

    def add(self, cells: np.ndarray, objective: float, family: int, source: str) -> None:
        """Append one region (its cells are kept sorted).

        Examples
        --------
        >>> p = Pool()
        >>> p.add(np.array([5, 2]), 1.5, -1, "exhaustive")
        >>> len(p), p.cells[0].tolist()
        (1, [2, 5])
        """
        self.cells.append(np.sort(np.asarray(cells, dtype=np.int64)))
        self.objective.append(float(objective))
        self.family.append(int(family))
        self.source.append(source)

    def __len__(self) -> int:
        return len(self.cells)


def region_sizes(min_cells: int, max_cells: int, count: int) -> np.ndarray:
    """Sizes (cells) at which a growing region is kept: ``count`` sizes spread from min to max.

    Examples
    --------
    >>> region_sizes(50, 300, 4).tolist()
    [50, 133, 217, 300]
    >>> region_sizes(3, 4, 4).tolist()
    [3, 4]
    """
    return np.unique(np.round(np.linspace(min_cells, max_cells, max(count, 1))).astype(np.int64))


def component_sizes(eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """4-connected components of the eligible cells: label grid and size of each label (index 0 unused).

    Examples
    --------
    >>> lab, sizes = component_sizes(np.array([[1, 1, 0], [0, 0, 1]], dtype=bool))
    >>> lab.tolist(), sizes.tolist()
    ([[1, 1, 0], [0, 0, 2]], [0, 2, 1])
    """
    lab, n = ndimage.label(eligible)
    sizes = np.bincount(lab.ravel(), minlength=n + 1)
    sizes[0] = 0
    return lab, sizes


def _max3x3(a: np.ndarray) -> np.ndarray:
    """3x3 maximum (-inf beyond the edges), by shifted slices: much faster than a generic filter on big grids."""
    out = a.copy()
    rows, cols = a.shape
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di == 0 and dj == 0:
                continue
            dst = out[max(-di, 0) : rows - max(di, 0), max(-dj, 0) : cols - max(dj, 0)]
            src = a[max(di, 0) : rows - max(-di, 0), max(dj, 0) : cols - max(-dj, 0)]
            np.maximum(dst, src, out=dst)
    return out


def pick_seeds(
    score: np.ndarray, available: np.ndarray, count: int, *, separation: float, min_cells: int
) -> np.ndarray:
    """Up to ``count`` seed cells: local maxima of the score, best first, at least ``separation`` cells apart.

    Local maxima (score equal to the 3x3 maximum, plateaus included) are taken in order of
    score (ties by cell order); a cell closer than ``separation`` to a seed already taken is
    skipped. If there are too few, the best remaining cells fill up. Cells in a patch of
    fewer than ``min_cells`` available cells are never seeds.

    Examples
    --------
    >>> s = np.array([[1, 2, 1, 0, 5], [0, 1, 0, 0, 4]], dtype=float)
    >>> pick_seeds(s, s >= 0, 2, separation=1.5, min_cells=1).tolist()
    [4, 1]
    """
    if min_cells > 1:
        lab, sizes = component_sizes(available)
        ok = available & (sizes[lab] >= min_cells)
    else:
        ok = available
    if not ok.any() or count <= 0:
        return np.zeros(0, dtype=np.int64)
    s = np.where(ok, score, -np.inf)
    local_max = ok & (s == _max3x3(s))
    rows, cols = score.shape
    blocked = np.zeros(score.shape, dtype=bool)
    r = math.ceil(separation) - 1 if separation > 0 else -1
    offs = [(i, j) for i in range(-r, r + 1) for j in range(-r, r + 1) if i * i + j * j < separation**2]
    seeds: list[int] = []

    def take(cands: np.ndarray) -> None:
        for f in cands:
            if len(seeds) >= count:
                return
            i, j = divmod(int(f), cols)
            if blocked[i, j]:
                continue
            seeds.append(int(f))
            for di, dj in offs:
                ii, jj = i + di, j + dj
                if 0 <= ii < rows and 0 <= jj < cols:
                    blocked[ii, jj] = True

    flat = s.ravel()
    for mask in (local_max, ok):
        idx = np.flatnonzero(mask.ravel())
        # sort only the best few first (a national grid has millions of local maxima), more if needed
        m = min(len(idx), 64 * count)
        done = 0
        while done < len(idx) and len(seeds) < count:
            if m < len(idx):
                part = np.argpartition(-flat[idx], m - 1)[:m]
                # everything tied with the m-th best comes too, so ties stay in cell order
                cut = flat[idx[part]].min()
                top = idx[flat[idx] >= cut]
            else:
                top = idx
            top = top[np.lexsort((top, -flat[top]))]
            take(top[done:])
            done = len(top)
            m *= 4
        if len(seeds) >= count:
            break
    return np.array(seeds, dtype=np.int64)


def grow_order(
    seed: int, score: np.ndarray, available: np.ndarray, max_cells: int, *, compactness: float
) -> np.ndarray:
    """Grow a region from ``seed`` over available cells, best priority first, up to ``max_cells``.

    The priority of a frontier cell is ``(1 - c) * score / 100 - c * d / R``: its score traded
    against its distance ``d`` (cells) from the seed, with ``R`` the radius of a disc of
    ``max_cells`` cells and ``c`` the compactness (0 = best cells whatever the shape,
    1 = a disc around the seed). Ties go to the lower cell index. Returns the cells in the
    order they joined (shorter than ``max_cells`` if the patch is smaller).

    Examples
    --------
    >>> s = np.array([[10, 90, 80], [20, 30, 70]], dtype=float)
    >>> grow_order(1, s, np.ones_like(s, bool), 4, compactness=0).tolist()
    [1, 2, 5, 4]
    """
    rows, cols = score.shape
    radius = max(math.sqrt(max_cells / math.pi), 1.0)
    si, sj = divmod(int(seed), cols)
    w_score, w_dist = (1.0 - compactness) / 100.0, compactness / radius
    seen = {int(seed)}
    heap: list[tuple[float, int]] = [(0.0, int(seed))]
    order: list[int] = []
    while heap and len(order) < max_cells:
        _, f = heapq.heappop(heap)
        order.append(f)
        i, j = divmod(f, cols)
        for ii, jj in ((i - 1, j), (i, j - 1), (i, j + 1), (i + 1, j)):
            if 0 <= ii < rows and 0 <= jj < cols:
                g = ii * cols + jj
                if g not in seen and available[ii, jj]:
                    seen.add(g)
                    pri = w_score * score[ii, jj] - w_dist * math.hypot(ii - si, jj - sj)
                    heapq.heappush(heap, (-pri, g))
    return np.array(order, dtype=np.int64)


def best_size(order: np.ndarray, score_flat: np.ndarray, sizes: np.ndarray, objective: Callable) -> int:
    """Of the ``sizes`` a growth order reaches, the one whose region has the best objective (smallest on ties).

    Examples
    --------
    >>> best_size(np.array([0, 1, 2]), np.array([9.0, 1.0, 8.0]), np.array([1, 2, 3]), lambda v: v.mean())
    1
    """
    ok = sizes[sizes <= len(order)]
    vals = [objective(score_flat[order[:k]]) for k in ok]
    return int(ok[int(np.argmax(vals))])


def grow_pool(
    pool: Pool,
    seeds: np.ndarray,
    score: np.ndarray,
    available: np.ndarray,
    sizes: np.ndarray,
    objective: Callable[[np.ndarray], float],
    *,
    compactness: float,
    progress: Progress | None = None,
) -> int:
    """Add each seed's family of grown regions (one per size it reaches) to ``pool``; return how many seeds grew.

    Examples
    --------
    >>> p = Pool()
    >>> s = np.arange(6, dtype=float).reshape(2, 3)
    >>> grow_pool(p, np.array([5]), s, s >= 0, np.array([2, 3]), np.mean, compactness=0)
    1
    >>> [c.tolist() for c in p.cells], p.objective
    ([[4, 5], [3, 4, 5]], [4.5, 4.0])
    """
    flat = score.ravel()
    grown = 0
    for k, seed in enumerate(seeds):
        order = grow_order(int(seed), score, available, int(sizes[-1]), compactness=compactness)
        ok = sizes[sizes <= len(order)]
        if len(ok):
            family = len(pool)
            for size in ok:
                cells = order[:size]
                pool.add(cells, objective(flat[cells]), family, "grow")
            grown += 1
        if progress is not None and (k % 50 == 49 or k == len(seeds) - 1):
            progress(k + 1, len(seeds), "growing regions")
    return grown


def enumerate_regions(
    available: np.ndarray, min_cells: int, max_cells: int, *, limit: int = 200_000
) -> Iterator[np.ndarray]:
    """Every 4-connected set of available cells with ``min_cells`` to ``max_cells`` cells, each once.

    ESU enumeration (Wernicke 2006, the grid-graph form of Redelmeier's polyomino counting):
    each set is grown from its lowest cell index, extending only with higher indices that are
    exclusive neighbours, so no set is produced twice. Sets come sorted (cell order).

    Raises
    ------
    ConfigError
        If there are more than ``limit`` sets (the exhaustive pool is for small problems).

    Examples
    --------
    >>> sorted(c.tolist() for c in enumerate_regions(np.ones((2, 2), bool), 3, 3))
    [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]
    """
    rows, cols = available.shape

    def nbrs(f: int) -> list[int]:
        i, j = divmod(f, cols)
        out = []
        for ii, jj in ((i - 1, j), (i, j - 1), (i, j + 1), (i + 1, j)):
            if 0 <= ii < rows and 0 <= jj < cols and available[ii, jj]:
                out.append(ii * cols + jj)
        return out

    count = 0

    def extend(sub: list[int], ext: list[int], closed: set[int], v: int) -> Iterator[np.ndarray]:
        nonlocal count
        if len(sub) >= min_cells:
            count += 1
            if count > limit:
                msg = (
                    f"pool='exhaustive': more than {limit:,} connected regions of {min_cells}-{max_cells} cells; "
                    "use the default pool (grown from seeds) for problems this size"
                )
                raise ConfigError(msg)
            yield np.array(sorted(sub), dtype=np.int64)
        if len(sub) == max_cells:
            return
        ext = list(ext)
        while ext:
            w = ext.pop()
            new = [u for u in nbrs(w) if u > v and u not in closed]
            yield from extend([*sub, w], ext + new, closed | set(new), v)

    for v in np.flatnonzero(available.ravel()):
        v = int(v)
        first = [u for u in nbrs(v) if u > v]
        yield from extend([v], first, {v, *nbrs(v)}, v)
