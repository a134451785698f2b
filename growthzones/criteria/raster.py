"""Raster forms of the measures: each criterion computed for every cell of a grid.

A raster form is the ``raster`` slot of a :class:`~growthzones.criteria.measures.MeasureSpec`:
``form(source, crit, grid, *, halo=0) -> block`` prepares what is global once (a spatial
index of the features, their cells for a KD-tree) and returns ``block(window, need=None)``,
which computes the criterion's raw value (real units, float64, NaN = no value) for every cell
of ``window``, a sub-grid of ``grid``. The same block function serves the whole grid in memory
and each chunk on Dask (:mod:`growthzones.surface`): every block reads the features around
its own window, so chunk borders never change a value.

- ``distance``: exact Euclidean distance transform (``scipy.ndimage.distance_transform_edt``)
  of the features rasterised onto the window grown by ``halo`` cells, between cell centres.
  A cell whose nearest feature cell in that tile could be beaten by one outside it (its
  distance is not below its gap to the tile's edge) is answered by a KD-tree over every
  feature cell of the layer (built once, on first need): the result is the same distance
  whatever the window, so chunked equals in memory exactly.
- ``nearest_attribute``: the same, with the EDT's indices; the attribute of the nearest
  feature cell (a cell touched by several features takes the first feature's, as for sites).
- ``sum_within`` / ``count_within``: features taken at their cell, summed over the disc of
  cell centres within the radius (FFT overlap-add convolution of the window grown by the
  radius with a disc kernel): exact for the disc; FFT rounding noise is removed by rounding
  sums to 1e-6 of the attribute's unit and counts to whole numbers.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine

from growthzones.config import CriterionConfig
from growthzones.criteria.distance import geometry_array, numeric_column

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
    dtype = "uint8" if values is None else "int32"
    if pos.size == 0:
        return np.zeros(g.shape, dtype=dtype)
    # rasterize paints later shapes over earlier ones: reversed, the first feature wins.
    pos = pos[::-1]
    vals = np.ones(pos.size, dtype=np.int32) if values is None else values[pos]
    shapes = zip(feats.geoms[pos], vals.tolist(), strict=True)
    return rasterize(shapes, out_shape=g.shape, transform=g.transform, fill=0, all_touched=all_touched, dtype=dtype)


def _layer_cells(feats: _Features, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Every cell (root row, col) on the edge of the layer's rasterised features, and its feature.

    Interior cells of polygons are never a nearest feature cell of a cell outside them, so
    only edge cells go into the KD-tree. The layer is rasterised in strips over its bounds.
    """
    from scipy.ndimage import binary_erosion

    minx, miny, maxx, maxy = shapely.total_bounds(feats.geoms)
    c0 = math.floor((minx - grid.left) / grid.cell) - 1
    c1 = math.ceil((maxx - grid.left) / grid.cell) + 1
    r0 = math.floor((grid.top - maxy) / grid.cell) - 1
    r1 = math.ceil((grid.top - miny) / grid.cell) + 1
    width = c1 - c0
    step = max(1, _STRIP_CELLS // max(width, 1))
    ids = np.arange(1, len(feats) + 1, dtype=np.int32)
    rows, cols, which = [], [], []
    for r in range(r0, r1, step):
        g = grid.window(r, c0, min(step, r1 - r), width)
        lab = _burn(feats, g, ids)
        mask = lab > 0
        edge = mask & ~binary_erosion(mask)
        rr, cc = np.nonzero(edge)
        rows.append(rr + g.row0)
        cols.append(cc + g.col0)
        which.append(lab[rr, cc] - 1)
    return np.column_stack([np.concatenate(rows), np.concatenate(cols)]).astype(np.float64), np.concatenate(which)


class _Nearest:
    """Nearest feature cell of each cell: EDT on a tile, KD-tree where the tile cannot tell."""

    def __init__(self, features: gpd.GeoDataFrame, grid: Grid, halo: int) -> None:
        self.feats = _Features.of(features)
        self.grid = grid
        self.halo = int(halo)
        self._kd: Any = None

    def _tree(self) -> tuple[Any, np.ndarray]:
        if self._kd is None:
            from scipy.spatial import cKDTree

            pts, which = _layer_cells(self.feats, self.grid)
            self._kd = (cKDTree(pts), which)
        return self._kd

    def __call__(self, g: Grid, need: np.ndarray | None, *, which: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Distance in cells (inf: no feature) and the nearest feature (position, -1: none; if ``which``)."""
        from scipy.ndimage import distance_transform_edt

        dist = np.full(g.shape, np.inf)
        nearest = np.full(g.shape if which else (0, 0), -1, dtype=np.int64)
        if not len(self.feats):
            return dist, nearest
        t = g.expand(self.halo)
        core = (slice(self.halo, self.halo + g.height), slice(self.halo, self.halo + g.width))
        if which:
            lab = _burn(self.feats, t, np.arange(1, len(self.feats) + 1, dtype=np.int32))
            if lab.any():
                d, (ri, ci) = distance_transform_edt(lab == 0, return_indices=True)
                dist = d[core].copy()
                nearest = lab[ri[core], ci[core]].astype(np.int64) - 1
                del d, ri, ci
        else:
            # Distances only: no index arrays (a third of the memory of a tile).
            mask = _burn(self.feats, t)
            if mask.any():
                dist = distance_transform_edt(mask == 0)[core].copy()
        if self.feats.within(t):
            return dist, nearest
        # A feature outside the tile is at least `gap` cells away: nearer ones are final.
        rows = np.arange(g.height) + self.halo
        cols = np.arange(g.width) + self.halo
        gap_r = np.minimum(rows + 1, t.height - rows)
        gap_c = np.minimum(cols + 1, t.width - cols)
        gap = np.minimum(gap_r[:, None], gap_c[None, :])
        far = ~(dist < gap)
        if need is not None:
            far &= need
        if far.any():
            tree, feat_of = self._tree()
            rr, cc = np.nonzero(far)
            q = np.column_stack([rr + g.row0, cc + g.col0]).astype(np.float64)
            d, i = tree.query(q)
            dist[rr, cc] = d
            if which:
                nearest[rr, cc] = feat_of[i]
        return dist, nearest


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
    >>> (block(g) * 1000).round(1).tolist()[2]
    [200.0, 223.6, 282.8]
    """
    nearest = _Nearest(features, grid, halo)

    def block(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        dist, _ = nearest(g, need, which=False)
        out = dist * (g.cell / 1000.0)
        out[~np.isfinite(dist)] = np.nan
        return out

    return block


def nearest_attribute_form(features: gpd.GeoDataFrame, crit: CriterionConfig, grid: Grid, *, halo: int = 0) -> Block:
    """The attribute of the nearest feature cell (NaN beyond ``max_distance_km`` or without a feature).

    With ``max_distance_km`` the tile's halo covers it, so no KD-tree is needed.

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
    vals = values[nearest.feats.positions] if len(nearest.feats) else np.zeros(0)

    def block(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        dist, which = nearest(g, need if max_m is None else np.zeros(g.shape, dtype=bool))
        out = np.full(g.shape, np.nan)
        ok = which >= 0
        if max_m is not None:
            ok &= dist * g.cell <= max_m
        out[ok] = vals[which[ok]]
        return out

    return block


def _disc(radius_m: float, cell: float) -> np.ndarray:
    """The disc kernel: 1 where a cell centre lies within ``radius_m`` of the centre cell's."""
    r = math.floor(radius_m / cell)
    off = np.arange(-r, r + 1, dtype=np.float64) * cell
    return ((off[:, None] ** 2 + off[None, :] ** 2) <= radius_m * radius_m).astype(np.float64)


def within_form(
    features: gpd.GeoDataFrame, crit: CriterionConfig, grid: Grid, *, how: str = "sum", halo: int = 0
) -> Block:
    """Sum of ``attribute`` (``how="sum"``) or number (``"count"``) of features within the radius.

    Each feature counts at the cell holding it (a line or polygon at a point on its surface).

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
    from rasterio.enums import MergeAlg
    from rasterio.features import rasterize
    from scipy.signal import oaconvolve

    radius_m = float(crit.radius_km) * 1000.0
    kernel = _disc(radius_m, grid.cell)
    r = kernel.shape[0] // 2
    feats = _Features.of(features)
    if len(feats):
        feats = _Features(shapely.point_on_surface(feats.geoms), feats.positions)
    if how == "sum":
        raw = numeric_column(features, crit.attribute, f"features of layer {crit.layer!r}")[feats.positions]
        weights = np.where(np.isnan(raw), 0.0, raw)
    else:
        weights = np.ones(len(feats))

    def block(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        t = g.expand(r)
        pos = feats.near(t) if len(feats) else np.zeros(0, dtype=np.int64)
        if pos.size == 0:
            return np.zeros(g.shape)
        burnt = rasterize(
            zip(feats.geoms[pos], weights[pos].tolist(), strict=True),
            out_shape=t.shape,
            transform=t.transform,
            fill=0.0,
            dtype="float64",
            merge_alg=MergeAlg.add,
        )
        out = oaconvolve(burnt, kernel, mode="valid")
        return np.rint(out) if how == "count" else np.round(out, 6) + 0.0

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
        return np.minimum(out, 1.0)

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
    feats = _Features.of(sites)
    vals = values[feats.positions]
    ids = np.arange(1, len(feats) + 1, dtype=np.int32)

    def block(g: Grid, need: np.ndarray | None = None) -> np.ndarray:
        out = np.full(g.shape, np.nan)
        if not len(feats):
            return out
        lab = _burn(feats, g, ids, all_touched=False)
        inside = lab > 0
        out[inside] = vals[lab[inside] - 1]
        return out

    return block
