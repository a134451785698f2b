"""Raster forms of the measures: each criterion computed for every cell of a grid.

A raster form is the ``raster`` slot of a :class:`~growthzones.criteria.measures.MeasureSpec`:
``form(source, crit, grid, *, halo=0) -> block`` prepares what is global once (a spatial
index of the features, their cells for a KD-tree) and returns ``block(window, need=None)``,
which computes the criterion's raw value (real units, float64, NaN = no value) for every cell
of ``window``, a sub-grid of ``grid``. The same block function serves the whole grid in memory
and each chunk on Dask (:mod:`growthzones.surface`): every block reads the features around
its own window, so chunk borders never change a value.

- ``distance``: exact Euclidean distance transform (OpenCV's, multi-threaded;
  ``scipy.ndimage.distance_transform_edt`` where indices are needed) of the features
  rasterised onto the window grown by ``halo`` cells, between cell centres (float32).
  A cell whose nearest feature cell in that tile could be beaten by one outside it (its
  distance is not below its gap to the tile's edge) is answered by a KD-tree over every
  feature cell of the layer (built once, on first need): the result is the same distance
  whatever the window, so chunked equals in memory exactly.
- ``nearest_attribute``: the same, with the EDT's indices; the attribute of the nearest
  feature cell (a cell touched by several features takes the first feature's, as for sites).
- ``sum_within`` / ``count_within``: features taken at their cell, summed over the disc of
  cell centres within the radius: each feature's disc is a run of cells per row, added by
  a difference array and a cumulative sum along the rows (exact for the disc, time set by
  the features and the disc's diameter, not its area); values are summed exactly as whole
  millionths of the attribute's unit.
- ``zonal``: the raster resampled onto the window with ``rasterio.warp.reproject``: average
  (area-weighted) for ``mean``, min/max for ``min``/``max``, the average of the in-range
  indicator for ``fraction``; :func:`resampling_of` names the method.
- ``overlap``: the exact share of each cell covered by the union of the polygons
  (exactextract's coverage fractions).
- ``attribute``: the sites' polygons rasterised (a cell takes the column of the site
  containing its centre; NaN outside every site).

``area`` (a site's own area) has no raster form: a cell is not a site.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine

from growthzones.config import CriterionConfig
from growthzones.criteria.distance import geometry_array, numeric_column
from growthzones.errors import CriterionError

__all__ = [
    "Block",
    "Grid",
    "attribute_form",
    "distance_form",
    "nearest_attribute_form",
    "overlap_form",
    "resampling_of",
    "within_form",
    "zonal_form",
]

#: ``block(window, need=None) -> float64 array (window.height, window.width)``.
Block = Callable[..., np.ndarray]

#: Rows rasterised at a time when collecting every feature cell of a layer (bounds memory).
_STRIP_CELLS = 1 << 25


@dataclass(frozen=True)
class Grid:
    """A north-up grid of square cells: a whole surface or a window of one.

    Attributes
    ----------
    crs
        The working CRS (projected, metres).
    left, top
        Coordinates of the grid's top-left corner.
    cell
        Cell size in metres.
    height, width
        Rows and columns.
    row0, col0
        Offset of this grid's first cell in the root grid (0 for the root itself), so cells
        of every window share one integer index space.

    Examples
    --------
    >>> g = Grid("EPSG:27700", 0.0, 1000.0, 100.0, 10, 20)
    >>> g.bounds, g.window(2, 3, 4, 5).transform.c
    ((0.0, 0.0, 2000.0, 1000.0), 300.0)
    """

    crs: str
    left: float
    top: float
    cell: float
    height: int
    width: int
    row0: int = 0
    col0: int = 0

    @property
    def transform(self) -> Affine:
        """The affine transform (rasterio convention)."""
        return Affine(self.cell, 0.0, self.left, 0.0, -self.cell, self.top)

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``."""
        return (self.height, self.width)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)``."""
        return (self.left, self.top - self.height * self.cell, self.left + self.width * self.cell, self.top)

    @property
    def cells(self) -> int:
        """Number of cells."""
        return self.height * self.width

    def xs(self) -> np.ndarray:
        """X of the cell centres, west to east.

        Examples
        --------
        >>> Grid("EPSG:27700", 0.0, 200.0, 100.0, 2, 3).xs().tolist()
        [50.0, 150.0, 250.0]
        """
        return self.left + (np.arange(self.width) + 0.5) * self.cell

    def ys(self) -> np.ndarray:
        """Y of the cell centres, north to south (descending).

        Examples
        --------
        >>> Grid("EPSG:27700", 0.0, 200.0, 100.0, 2, 3).ys().tolist()
        [150.0, 50.0]
        """
        return self.top - (np.arange(self.height) + 0.5) * self.cell

    def window(self, row: int, col: int, height: int, width: int) -> Grid:
        """The sub-grid starting at ``(row, col)`` of this grid (may reach outside it).

        Examples
        --------
        >>> w = Grid("EPSG:27700", 0.0, 1000.0, 100.0, 10, 10).window(2, 3, 4, 5)
        >>> w.left, w.top, w.row0, w.col0
        (300.0, 800.0, 2, 3)
        """
        return Grid(
            self.crs,
            self.left + col * self.cell,
            self.top - row * self.cell,
            self.cell,
            int(height),
            int(width),
            self.row0 + row,
            self.col0 + col,
        )

    def expand(self, n: int) -> Grid:
        """The grid grown by ``n`` cells on every side.

        Examples
        --------
        >>> Grid("EPSG:27700", 0.0, 1000.0, 100.0, 10, 10).expand(2).bounds
        (-200.0, -200.0, 1200.0, 1200.0)
        """
        return self.window(-n, -n, self.height + 2 * n, self.width + 2 * n)


# --------------------------------------------------------------------------------------------
# rasterising features


@dataclass
class _Features:
    """Usable geometries of a layer with a spatial index, and the layer's cells (lazily)."""

    geoms: np.ndarray
    positions: np.ndarray  # row of each geometry in the layer
    tree: shapely.STRtree = field(init=False)
    _cells: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.tree = shapely.STRtree(self.geoms)

    @classmethod
    def of(cls, gdf: gpd.GeoDataFrame) -> _Features:
        geoms, ok = geometry_array(gdf)
        return cls(geoms[ok], np.flatnonzero(ok))

    def __len__(self) -> int:
        return len(self.geoms)

    def near(self, g: Grid) -> np.ndarray:
        """Positions (into ``geoms``) of the features meeting the grid's box, in layer order."""
        return np.sort(self.tree.query(shapely.box(*g.bounds)))

    def within(self, g: Grid) -> bool:
        """Whether every feature lies inside ``g`` (so no feature is outside the tile)."""
        if not len(self):
            return True
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)
        left, bottom, right, top = g.bounds
        return minx > left and maxx < right and miny > bottom and maxy < top


def _burn(feats: _Features, g: Grid, values: np.ndarray | None = None, *, all_touched: bool = True) -> np.ndarray:
    """Rasterise onto ``g``: 1 where a feature touches (or ``values``, first feature wins), else 0."""
    from rasterio.features import rasterize

    pos = feats.near(g)
    # GDAL burns 16-bit rasters several times faster than 32-bit ones.
    dtype = "uint8" if values is None else ("uint16" if len(values) < 65535 else "int32")
    if pos.size == 0:
        return np.zeros(g.shape, dtype=dtype)
    # rasterize paints later shapes over earlier ones: reversed, the first feature wins.
    pos = pos[::-1]
    vals = np.ones(pos.size, dtype=np.int32) if values is None else values[pos]
    shapes = zip(feats.geoms[pos], vals.tolist(), strict=True)
    return rasterize(shapes, out_shape=g.shape, transform=g.transform, fill=0, all_touched=all_touched, dtype=dtype)


def _edge_cells(lab: np.ndarray, g: Grid, rows: slice = slice(None)) -> tuple[np.ndarray, np.ndarray]:
    """Root (row, col) of the edge cells of ``lab > 0`` (on ``g``) in ``rows``, and their feature, row-major."""
    from scipy.ndimage import binary_erosion

    mask = lab > 0
    edge = (mask & ~binary_erosion(mask))[rows]
    rr, cc = np.nonzero(edge)
    which = lab[rows][rr, cc] - 1
    start = rows.start or 0
    return np.column_stack([rr + start + g.row0, cc + g.col0]).astype(np.float64), which.astype(np.int64)


def _layer_cells(feats: _Features, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Every cell (root row, col) on the edge of the layer's rasterised features, and its feature.

    Interior cells of polygons are never a nearest feature cell of a cell outside them (one
    of its four neighbours is always nearer), so only edge cells go into the KD-tree. The
    layer is rasterised in strips over its bounds, each with a row of overlap on both sides
    so that strip borders add no edge: the cells are the same as from one raster of the
    whole layer, in the same (row-major) order.
    """
    minx, miny, maxx, maxy = shapely.total_bounds(feats.geoms)
    c0 = math.floor((minx - grid.left) / grid.cell) - 1
    c1 = math.ceil((maxx - grid.left) / grid.cell) + 1
    r0 = math.floor((grid.top - maxy) / grid.cell) - 1
    r1 = math.ceil((grid.top - miny) / grid.cell) + 1
    width = c1 - c0
    step = max(1, _STRIP_CELLS // max(width, 1))
    ids = np.arange(1, len(feats) + 1, dtype=np.int32)
    pts, which = [], []
    for r in range(r0, r1, step):
        h = min(step, r1 - r)
        g = grid.window(r - 1, c0, h + 2, width)
        p, w = _edge_cells(_burn(feats, g, ids), g, slice(1, h + 1))
        pts.append(p)
        which.append(w)
    return np.concatenate(pts), np.concatenate(which)


#: A layer of at most this many point cells gets exact distances by brute force (no EDT, no KD-tree).
_FEW_POINTS = 8


class _Nearest:
    """Nearest feature cell of each cell: EDT on a tile, KD-tree where the tile cannot tell.

    A layer of a few points (an exchange city, London) is answered by brute force over
    its point cells instead: exact anywhere, and cheaper than a distance transform.
    """

    def __init__(self, features: gpd.GeoDataFrame, grid: Grid, halo: int) -> None:
        self.feats = _Features.of(features)
        self.grid = grid
        self.halo = int(halo)
        self._kd: Any = None
        self.points: np.ndarray | None = None
        geoms = self.feats.geoms
        if len(geoms) > 0 and bool(np.all(shapely.get_type_id(geoms) == 0)):
            cells = np.unique(np.column_stack(_point_cells(self.feats, grid)), axis=0)
            if len(cells) <= _FEW_POINTS:
                self.points = cells

    def _tree(self) -> tuple[Any, np.ndarray]:
        if self._kd is None:
            from scipy.spatial import cKDTree

            pts, which = _layer_cells(self.feats, self.grid)
            self._kd = (cKDTree(pts), which)
        return self._kd

    def seed(self, lab: np.ndarray, t: Grid) -> None:
        """Build the KD-tree from a tile's labels when the tile holds every feature (no second raster)."""
        if self._kd is None and len(self.feats) and self.feats.within(t):
            from scipy.spatial import cKDTree

            pts, which = _edge_cells(lab, t)
            self._kd = (cKDTree(pts), which)

    def brute(self, g: Grid) -> np.ndarray:
        """Distance in cells (float32) from every cell of ``g`` to the nearest of the few point cells."""
        assert self.points is not None
        out = np.empty(g.shape, dtype=np.float32)
        cols = np.arange(g.col0, g.col0 + g.width, dtype=np.float64)
        dc2 = (cols[None, :] - self.points[:, 1:2]) ** 2
        step = max(1, (1 << 18) // max(g.width, 1))
        for r in range(0, g.height, step):
            rows = np.arange(g.row0 + r, g.row0 + min(r + step, g.height), dtype=np.float64)
            dr2 = (rows[None, :] - self.points[:, 0:1]) ** 2
            sq = np.min(dr2[:, :, None] + dc2[:, None, :], axis=0)
            out[r : r + rows.size] = np.sqrt(sq)
        return out

    def __call__(self, g: Grid, need: np.ndarray | None, *, which: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Distance in cells (float32; inf: no feature) and the nearest feature (position, -1: none; if ``which``)."""
        nearest = np.full(g.shape if which else (0, 0), -1, dtype=np.int64)
        if not len(self.feats):
            return np.full(g.shape, np.inf, dtype=np.float32), nearest
        if self.points is not None and not which:
            return self.brute(g), nearest
        dist = None
        t = g.expand(self.halo)
        core = (slice(self.halo, self.halo + g.height), slice(self.halo, self.halo + g.width))
        if which:
            from scipy.ndimage import distance_transform_edt

            lab = _burn(self.feats, t, np.arange(1, len(self.feats) + 1, dtype=np.int32))
            if lab.any():
                d, (ri, ci) = distance_transform_edt(lab == 0, return_indices=True)
                dist = d[core].astype(np.float32)
                nearest = lab[ri[core], ci[core]].astype(np.int64) - 1
                del d, ri, ci
        else:
            # Distances only: OpenCV's exact EDT (float32), several times faster than
            # scipy's and without index arrays.
            mask = _burn(self.feats, t)
            if mask.any():
                dist = _edt(mask)[core]
        if dist is None:
            dist = np.full(g.shape, np.inf, dtype=np.float32)
        if self.feats.within(t):
            return dist, nearest
        # A feature outside the tile is at least `gap` cells away: nearer ones are final.
        rows = np.arange(g.height) + self.halo
        cols = np.arange(g.width) + self.halo
        gap_r = np.minimum(rows + 1, t.height - rows)
        gap_c = np.minimum(cols + 1, t.width - cols)
        gap = np.minimum(gap_r[:, None], gap_c[None, :]).astype(np.float32)
        far = ~(dist < gap)
        if need is not None:
            far &= need
        if far.any():
            rr, cc = np.nonzero(far)
            d, i = self.query(rr + g.row0, cc + g.col0)
            dist[rr, cc] = d
            if which:
                nearest[rr, cc] = i
        return dist, nearest

    def query(self, rows: np.ndarray, cols: np.ndarray, upper: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
        """Distance (cells) and nearest feature of root cells (KD-tree; inf and -1 beyond ``upper``)."""
        tree, feat_of = self._tree()
        q = np.column_stack([rows, cols]).astype(np.float64)
        d, i = tree.query(q, distance_upper_bound=upper, workers=-1)
        hit = np.isfinite(d)
        which = np.full(d.shape, -1, dtype=np.int64)
        which[hit] = feat_of[i[hit]]
        return d, which


def _edt(mask: np.ndarray) -> np.ndarray:
    """Distance (cells, float32) from each cell to the nearest 1 of ``mask`` (which must hold a 1).

    OpenCV's exact Euclidean transform (Felzenszwalb and Huttenlocher, multi-threaded),
    several times faster than ``scipy.ndimage.distance_transform_edt``. Its square root is
    fast rather than correctly rounded (one float32 step off at times), so the whole-number
    squared distance is recovered and its square root taken again, correctly rounded: the
    same float32 the KD-tree gives beyond the tile. That recovery is exact below 1,448
    cells; further away the distance may differ from the exact one by a float32 step.

    Examples
    --------
    >>> _edt(np.array([[0, 0, 1]], dtype=np.uint8)).tolist()
    [[2.0, 1.0, 0.0]]
    >>> m = np.zeros((7, 2), dtype=np.uint8)
    >>> m[0, 0] = 1
    >>> float(_edt(m)[6, 1]) == float(np.float32(np.sqrt(37.0)))  # OpenCV alone gives 6.0827622
    True
    """
    import cv2

    d = cv2.distanceTransform((mask == 0).view(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    np.multiply(d, d, out=d)
    np.rint(d, out=d)
    return np.sqrt(d, out=d)


# --------------------------------------------------------------------------------------------
# the forms


def distance_form(features: gpd.GeoDataFrame, crit: CriterionConfig, grid: Grid, *, halo: int = 0) -> Block:
    """Distance from each cell centre to the nearest feature cell's centre, km (NaN: no feature).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> from growthzones.config import CriterionConfig
    >>> g = Grid("EPSG:27700", 0.0, 300.0, 100.0, 3, 3)
    >>> f = gpd.GeoDataFrame(geometry=[Point(50, 250)], crs=27700)
    >>> block = distance_form(f, CriterionConfig("d", "g", "distance"), g)
    >>> (block(g).astype(float) * 1000).round(1).tolist()[2]
    [200.0, 223.6, 282.8]
    """
    nearest = _Nearest(features, grid, halo)

    def block(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        dist, _ = nearest(g, need, which=False)
        dist *= np.float32(g.cell / 1000.0)
        dist[np.isinf(dist)] = np.nan
        return dist

    return block


def nearest_attribute_form(features: gpd.GeoDataFrame, crit: CriterionConfig, grid: Grid, *, halo: int = 0) -> Block:
    """The attribute of the nearest feature cell (NaN beyond ``max_distance_km`` or without a feature).

    With ``max_distance_km`` the tile (grown by it) says which cells are on or near a
    feature, and only the cells near one ask the KD-tree which feature is nearest.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> from growthzones.config import CriterionConfig
    >>> g = Grid("EPSG:27700", 0.0, 100.0, 100.0, 1, 4)
    >>> f = gpd.GeoDataFrame({"mw": [5.0, 7.0]}, geometry=[Point(50, 50), Point(350, 50)], crs=27700)
    >>> crit = CriterionConfig("h", "g", "nearest_attribute", attribute="mw", max_distance_km=0.1)
    >>> nearest_attribute_form(f, crit, g)(g).tolist()
    [[5.0, 5.0, 7.0, 7.0]]
    """
    values = numeric_column(features, crit.attribute, f"features of layer {crit.layer!r}")
    max_m = None if crit.max_distance_km is None else crit.max_distance_km * 1000.0
    if max_m is not None:
        halo = math.ceil(max_m / grid.cell) + 1
    nearest = _Nearest(features, grid, halo)
    feats = nearest.feats
    vals = values[feats.positions] if len(feats) else np.zeros(0)
    ids = np.arange(1, len(feats) + 1, dtype=np.int32)

    def unbounded(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        _, which = nearest(g, need)
        out = np.full(g.shape, np.nan)
        ok = which >= 0
        out[ok] = vals[which[ok]]
        return out

    def bounded(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        # A cell on a feature takes that feature's value (the first feature's where several
        # touch it); a cell off every feature, the value of the nearest feature cell within
        # max_m, from the KD-tree (whose answer does not depend on the window).
        if not len(feats):
            return np.full(g.shape, np.nan)
        t = g.expand(halo)
        lab = _burn(feats, t, ids)
        core = (slice(halo, halo + g.height), slice(halo, halo + g.width))
        lut = np.concatenate([[np.nan], vals])
        out = lut[lab[core]]
        off = lab[core] == 0
        if need is not None:
            off &= need
        reach = max_m / g.cell
        if np.count_nonzero(off) > off.size // 8:
            # Many cells off the features (sea, sparse features): the tile's EDT finds those in reach.
            off &= _edt(lab > 0)[core] <= np.float32(reach) * np.float32(1.0 + 1e-6)
        if off.any():
            nearest.seed(lab, t)
            rr, cc = np.nonzero(off)
            d, which = nearest.query(rr + g.row0, cc + g.col0, upper=reach * (1.0 + 1e-6) + 1e-9)
            ok = (which >= 0) & (d * g.cell <= max_m)
            out[rr[ok], cc[ok]] = vals[which[ok]]
        return out

    return unbounded if max_m is None else bounded


def _half_widths(radius_m: float, cell: float) -> np.ndarray:
    """Half-width in cells of the disc's row at each row offset ``-r..r``.

    A cell is in the disc when its centre lies within ``radius_m`` of the centre cell's
    centre, the offsets being whole multiples of ``cell``.

    Examples
    --------
    >>> _half_widths(250.0, 100.0).tolist()
    [1, 2, 2, 2, 1]
    """
    r = math.floor(radius_m / cell)
    off = np.arange(-r, r + 1, dtype=np.float64) * cell
    rest = radius_m * radius_m - off * off
    hw = np.floor(np.sqrt(np.maximum(rest, 0.0)) / cell).astype(np.int64)
    # Correct the float square root at exact boundaries: the test is (k * cell)**2 <= rest.
    hw += ((hw + 1) * cell) ** 2 <= rest
    hw -= (hw * cell) ** 2 > rest
    return hw


def _point_cells(feats: _Features, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Root (row, col) of the cell holding each feature's point on its surface (floor of the offset)."""
    pts = shapely.point_on_surface(feats.geoms)
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    rows = np.floor((grid.top - y) / grid.cell).astype(np.int64)
    cols = np.floor((x - grid.left) / grid.cell).astype(np.int64)
    return rows, cols


def _check_sum_range(micro: np.ndarray, crit: CriterionConfig) -> None:
    """Refuse attribute values whose sums in millionths could pass 2**53 (not exact in float64)."""
    total = float(np.abs(micro).sum())
    if total >= 2.0**53:
        msg = (
            f"criterion {crit.name!r}: the {crit.attribute!r} values add up to {total / 1e6:.3g}, too large to sum "
            "exactly to a millionth of their unit; rescale the attribute (e.g. MW instead of W)"
        )
        raise CriterionError(msg)


def within_form(
    features: gpd.GeoDataFrame, crit: CriterionConfig, grid: Grid, *, how: str = "sum", halo: int = 0
) -> Block:
    """Sum of ``attribute`` (``how="sum"``) or number (``"count"``) of features within the radius.

    Each feature counts at the cell holding it (a line or polygon at a point on its surface),
    and reaches the cells whose centres lie within the radius of that cell's centre: a disc
    of cells, which is, row by row, a run of whole cells. Each feature adds its weight at the
    start of each of its runs and takes it off after the end; a cumulative sum along the
    rows then gives every cell's sum exactly, in time proportional to the features times the
    disc's diameter plus the cells, whatever the radius (no convolution). Attribute values are
    taken to 1e-6 of their unit and summed exactly as whole millionths.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> from growthzones.config import CriterionConfig
    >>> g = Grid("EPSG:27700", 0.0, 100.0, 100.0, 1, 4)
    >>> f = gpd.GeoDataFrame({"mw": [5.0, 7.0]}, geometry=[Point(50, 50), Point(350, 50)], crs=27700)
    >>> crit = CriterionConfig("s", "g", "sum_within", attribute="mw", radius_km=0.2)
    >>> within_form(f, crit, g)(g).tolist()
    [[5.0, 12.0, 12.0, 7.0]]
    """
    radius_m = float(crit.radius_km) * 1000.0
    hw = _half_widths(radius_m, grid.cell)
    r = hw.size // 2
    feats = _Features.of(features)
    if how == "sum":
        raw = numeric_column(features, crit.attribute, f"features of layer {crit.layer!r}")[feats.positions]
        # In millionths of the attribute's unit, as whole numbers: every partial sum is then
        # exact in float64 (below 2**53), whatever the window, so chunks agree exactly.
        weights = np.rint(np.where(np.isnan(raw), 0.0, raw) * 1e6)
        _check_sum_range(weights, crit)
    else:
        weights = np.ones(len(feats))
    if len(feats):
        frow, fcol = _point_cells(feats, grid)
        keep = weights != 0.0
        frow, fcol, weights = frow[keep], fcol[keep], weights[keep]
    else:
        frow = fcol = np.zeros(0, dtype=np.int64)

    def block(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        h, w = g.shape
        fr, fc = frow - g.row0, fcol - g.col0
        near = (fr >= -r) & (fr < h + r) & (fc >= -r) & (fc < w + r)
        if not near.any():
            return np.zeros(g.shape)
        fr, fc, wt = fr[near], fc[near], weights[near]
        # Each feature's rows inside the window: offsets lo..hi of the disc.
        lo = np.maximum(-r, -fr)
        hi = np.minimum(r, h - 1 - fr)
        n = np.maximum(hi - lo + 1, 0)
        which = np.repeat(np.arange(fr.size), n)
        start = np.cumsum(n) - n
        dy = np.arange(which.size) - start[which] + lo[which]
        half = hw[dy + r]
        row = fr[which] + dy
        c0 = fc[which] - half
        c1 = fc[which] + half
        hit = (c1 >= 0) & (c0 < w)
        if not hit.any():  # features only in the window's corners beyond the disc
            return np.zeros(g.shape)
        row, c0, c1, wt = row[hit], np.maximum(c0[hit], 0), c1[hit] + 1, wt[which[hit]]
        # A run ending at the window's right edge needs no end mark.
        ends = c1 < w
        flat = np.concatenate([row * w + c0, row[ends] * w + c1[ends]])
        diff = np.bincount(flat, weights=np.concatenate([wt, -wt[ends]]), minlength=h * w).reshape(h, w)
        out = np.cumsum(diff, axis=1, out=diff)
        if how == "sum":
            out /= 1e6
        return out

    return block


_RESAMPLING = {"mean": "average", "min": "min", "max": "max", "fraction": "average"}


def resampling_of(crit: CriterionConfig) -> str:
    """The ``rasterio.warp`` resampling a zonal criterion uses on the grid, in words.

    Examples
    --------
    >>> from growthzones.config import CriterionConfig
    >>> resampling_of(CriterionConfig("f", "g", "zonal", stat="fraction", range=(0.5, 1.0)))
    'average of the in-range indicator [0.5, 1.0]'
    """
    how = _RESAMPLING[crit.stat or "mean"]
    if crit.stat == "fraction":
        return f"{how} of the in-range indicator [{crit.range[0]}, {crit.range[1]}]"
    return how


def zonal_form(info: Any, crit: CriterionConfig, grid: Grid, *, halo: int = 0) -> Block:
    """The raster resampled onto each window (see :func:`resampling_of`); NaN where it has no data.

    Examples
    --------
    >>> import growthzones as gz
    >>> from growthzones.layers import read_raster_info
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> crit = config.criterion("slope_mean")
    >>> g = Grid("EPSG:27700", 400_000.0, 300_000.0, 500.0, 2, 2)
    >>> zonal_form(read_raster_info(config.layers["slope"]), crit, g)(g).shape
    (2, 2)
    """
    import rasterio
    from rasterio.crs import CRS
    from rasterio.enums import Resampling
    from rasterio.errors import WindowError
    from rasterio.warp import reproject, transform_bounds
    from rasterio.windows import Window, from_bounds

    resampling = Resampling[_RESAMPLING[crit.stat or "mean"]]
    stat, rng = crit.stat or "mean", crit.range

    def block(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        out = np.full(g.shape, np.nan)
        with rasterio.open(info.path) as src:
            same = src.crs == CRS.from_user_input(grid.crs)
            b = g.bounds if same else transform_bounds(grid.crs, src.crs, *g.bounds)
            win = from_bounds(*b, transform=src.transform)
            # Whole source cells, one more on every side: a destination cell may straddle the edge.
            c0, r0 = math.floor(win.col_off) - 1, math.floor(win.row_off) - 1
            c1, r1 = math.ceil(win.col_off + win.width) + 1, math.ceil(win.row_off + win.height) + 1
            win = Window(c0, r0, c1 - c0, r1 - r0)
            try:
                win = win.intersection(Window(0, 0, src.width, src.height))
            except WindowError:
                return out
            data = src.read(info.band, window=win).astype(np.float64)
            src_transform = src.window_transform(win)
            src_crs = src.crs
        bad = ~np.isfinite(data)
        if info.nodata is not None and not np.isnan(info.nodata):
            bad |= data == info.nodata
        data[bad] = np.nan
        if stat == "fraction":
            with np.errstate(invalid="ignore"):
                data = np.where(bad, np.nan, ((data >= rng[0]) & (data <= rng[1])).astype(np.float64))
        reproject(
            source=data,
            destination=out,
            src_transform=src_transform,
            src_crs=src_crs,
            src_nodata=np.nan,
            dst_transform=g.transform,
            dst_crs=grid.crs,
            dst_nodata=np.nan,
            resampling=resampling,
        )
        return out

    return block


def overlap_form(features: gpd.GeoDataFrame, crit: CriterionConfig, grid: Grid, *, halo: int = 0) -> Block:
    """Exact share (0..1) of each cell covered by the union of the layer's polygons (exactextract).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from growthzones.config import CriterionConfig
    >>> g = Grid("EPSG:27700", 0.0, 100.0, 100.0, 1, 3)
    >>> f = gpd.GeoDataFrame(geometry=[box(50, 0, 200, 100)], crs=27700)
    >>> overlap_form(f, CriterionConfig("o", "g", "overlap"), g)(g).tolist()
    [[0.5, 1.0, 0.0]]
    """
    geoms, ok = geometry_array(features)
    polys = geoms[ok]
    polys = polys[shapely.get_type_id(polys) != 0]
    polys = polys[np.isin(shapely.get_type_id(polys), (3, 6, 7))]
    parts = shapely.get_parts(shapely.union_all(polys)) if len(polys) else np.zeros(0, dtype=object)
    parts = parts[shapely.get_type_id(parts) == 3] if len(parts) else parts
    feats = _Features(parts, np.arange(len(parts))) if len(parts) else None

    def block(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        out = np.zeros(g.shape)
        if feats is None:
            return out
        pos = feats.near(g)
        if pos.size == 0:
            return out
        from exactextract import exact_extract
        from exactextract.raster import NumPyRasterSource

        left, bottom, right, top = g.bounds
        clipped = shapely.clip_by_rect(feats.geoms[pos], left, bottom, right, top)
        clipped = clipped[~shapely.is_empty(clipped)]
        if not len(clipped):
            return out
        vec = gpd.GeoDataFrame(geometry=clipped, crs=grid.crs)
        src = NumPyRasterSource(
            np.zeros(g.shape, dtype=np.uint8), xmin=left, ymin=bottom, xmax=right, ymax=top, srs_wkt=vec.crs.to_wkt()
        )
        table = exact_extract(src, vec, ["cell_id", "coverage"], output="pandas")
        flat = out.ravel()
        for ids, cov in zip(table["cell_id"], table["coverage"], strict=True):
            np.add.at(flat, np.asarray(ids, dtype=np.int64), np.asarray(cov, dtype=np.float64))
        # Parts of a union never overlap, so the sum is the covered share; clip rounding above 1.
        return np.minimum(out, 1.0, out=out)

    return block


def attribute_form(sites: gpd.GeoDataFrame, crit: CriterionConfig, grid: Grid, *, halo: int = 0) -> Block:
    """A numeric column of the site containing each cell centre (NaN outside every site).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from growthzones.config import CriterionConfig
    >>> g = Grid("EPSG:27700", 0.0, 100.0, 100.0, 1, 3)
    >>> sites = gpd.GeoDataFrame({"b": [1.0]}, geometry=[box(0, 0, 200, 100)], crs=27700)
    >>> attribute_form(sites, CriterionConfig("b", "g", "attribute", attribute="b"), g)(g).tolist()
    [[1.0, 1.0, nan]]
    """
    values = numeric_column(sites, crit.attribute, "sites")
    labels = _SiteLabels.of(sites)
    lut = np.concatenate([[np.nan], values[labels.feats.positions]])

    def block(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        return lut[labels(g)]

    return block


class _SiteLabels:
    """The sites rasterised by cell centre (1 + position, 0 outside), the last window kept.

    Every ``attribute`` criterion reads the same sites: one raster per window serves them all.
    """

    _shared: ClassVar[dict[int, _SiteLabels]] = {}

    def __init__(self, sites: gpd.GeoDataFrame) -> None:
        self.feats = _Features.of(sites)
        self.ids = np.arange(1, len(self.feats) + 1, dtype=np.int32)
        self._last: tuple[Grid, np.ndarray] | None = None

    @classmethod
    def of(cls, sites: gpd.GeoDataFrame) -> _SiteLabels:
        key = id(sites)
        if key not in cls._shared:
            cls._shared[key] = cls(sites)
            weakref.finalize(sites, cls._shared.pop, key, None)
        return cls._shared[key]

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_last": None}

    def __call__(self, g: Grid) -> np.ndarray:
        last = self._last  # one read: Dask threads may swap it meanwhile
        if last is not None and last[0] == g:
            return last[1]
        lab = _burn(self.feats, g, self.ids, all_touched=False) if len(self.feats) else np.zeros(g.shape, np.int32)
        self._last = (g, lab)
        return lab
