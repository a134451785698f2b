"""The surface's area and grid: an outline layer, or the sites' extent, cut into square cells."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from growthzones.config import Config
from growthzones.criteria.raster import Grid
from growthzones.errors import SurfaceError
from growthzones.layers import read_vector

__all__ = ["Area", "grid_for", "read_area"]

#: Layer keys of ``[layers]`` taken as the outline when none is given (as the maps do).
OUTLINE_KEYS = ("outline", "gb_outline")


class Area:
    """Where the surface is evaluated: cells whose centre lies in the outline's polygons.

    ``polygons`` is None for the sites' extent (every cell of the grid is inside).
    """

    def __init__(self, polygons: np.ndarray | None, bounds: tuple[float, float, float, float], label: str) -> None:
        self.polygons = polygons
        self.bounds = bounds
        self.label = label
        self._tree = None if polygons is None else shapely.STRtree(polygons)

    def share(self, g: Grid) -> float:
        """The share of ``g``'s area inside the area (1 for the sites' extent), from polygon areas.

        Examples
        --------
        >>> from shapely import box
        >>> Area(np.array([box(0, 0, 50, 100)]), (0.0, 0.0, 50.0, 100.0), "half").share(
        ...     Grid("EPSG:27700", 0.0, 100.0, 100.0, 1, 1))
        0.5
        """
        if self.polygons is None:
            return 1.0
        left, bottom, right, top = g.bounds
        inside = shapely.area(shapely.clip_by_rect(self.polygons, left, bottom, right, top)).sum()
        return float(min(1.0, inside / max((right - left) * (top - bottom), 1e-300)))

    def mask(self, g: Grid) -> np.ndarray:
        """True for the cells of ``g`` inside the area.

        Examples
        --------
        >>> from growthzones.criteria.raster import Grid
        >>> Area(None, (0.0, 0.0, 160.0, 100.0), "box").mask(Grid("EPSG:27700", 0.0, 100.0, 100.0, 1, 3)).tolist()
        [[True, True, False]]
        """
        if self.polygons is None:
            left, bottom, right, top = self.bounds
            x, y = g.xs(), g.ys()
            return ((y > bottom) & (y < top))[:, None] & ((x > left) & (x < right))[None, :]
        from rasterio.features import rasterize

        pos = np.sort(self._tree.query(shapely.box(*g.bounds)))
        if pos.size == 0:
            return np.zeros(g.shape, dtype=bool)
        burnt = rasterize(((p, 1) for p in self.polygons[pos]), out_shape=g.shape, transform=g.transform, fill=0,
                          all_touched=False, dtype="uint8")  # fmt: skip
        return burnt.astype(bool)


def read_area(
    config: Config,
    sites: gpd.GeoDataFrame,
    outline: str | Path | gpd.GeoDataFrame | None = None,
    *,
    outline_layer: str | None = None,
) -> Area:
    """The area of a surface.

    Parameters
    ----------
    config
        The config (its ``[layers]`` may hold the outline).
    sites
        The config's sites, whose extent (bounding box) is the area when there is no outline.
    outline
        A ``[layers]`` key, a vector file, polygons, or ``"sites"`` (the sites' own polygons,
        e.g. districts that tile the country); None: a layer keyed ``outline`` or
        ``gb_outline`` in ``[layers]`` if there is one, else the sites' extent.
    outline_layer
        The layer inside the outline file (GeoPackages with several layers).

    Raises
    ------
    SurfaceError
        The outline has no polygon (or the sites no extent).
    InputFileError, LayerError
        The outline file is missing or unreadable.

    Examples
    --------
    >>> import growthzones as gz
    >>> from growthzones.sites import load_sites
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> sites, _ = load_sites(config.sites)
    >>> read_area(config, sites).label, read_area(config, sites, "sites").label
    ('layers.gb_outline', "the sites' polygons")
    """
    crs = config.project.crs
    if outline is None:
        key = next((k for k in OUTLINE_KEYS if k in config.layers and config.layers[k].kind == "vector"), None)
        if key is None:
            geoms = np.asarray(sites.geometry.array, dtype=object)
            geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
            if not len(geoms):
                msg = "the sites have no geometry, so they give no extent for the surface: pass an outline (--outline)"
                raise SurfaceError(msg)
            return Area(None, tuple(shapely.total_bounds(geoms)), "the sites' extent")
        outline = key
    if isinstance(outline, str) and outline == "sites" and "sites" not in config.layers:
        gdf, label = sites, "the sites' polygons"
    elif isinstance(outline, gpd.GeoDataFrame):
        gdf, label = outline.to_crs(crs) if outline.crs is not None else outline, "the given outline"
    elif str(outline) in config.layers:
        lay = config.layers[str(outline)]
        gdf = read_vector(lay.path, layer=lay.layer, crs=crs, what=f"layers.{outline}")[0]
        label = f"layers.{outline}"
    else:
        gdf = read_vector(Path(outline), layer=outline_layer, crs=crs, what="outline")[0]
        label = f"outline {str(outline)!r}" + (f" (layer {outline_layer!r})" if outline_layer else "")
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    polys = shapely.get_parts(geoms) if len(geoms) else geoms
    polys = polys[shapely.get_type_id(polys) == 3] if len(polys) else polys
    if not len(polys) or float(shapely.area(polys).sum()) <= 0:
        msg = (
            f"{label} is empty: it has no polygon with an area ({len(gdf)} feature(s)); give an outline layer "
            "holding the area's polygons, or leave the outline out to use the sites' extent"
        )
        raise SurfaceError(msg)
    return Area(polys, tuple(shapely.total_bounds(polys)), label)


def grid_for(area: Area, cell_size: float, crs: str) -> Grid:
    """The grid of ``cell_size`` m covering the area, its edges on multiples of the cell size.

    Snapping to multiples of the cell size makes grids of different cell sizes nest, and
    puts a square site drawn on whole cells exactly on cells.

    Examples
    --------
    >>> a = Area(None, (120.0, 40.0, 530.0, 310.0), "box")
    >>> g = grid_for(a, 100.0, "EPSG:27700")
    >>> g.left, g.top, g.height, g.width
    (100.0, 400.0, 4, 5)
    """
    if not (isinstance(cell_size, int | float) and math.isfinite(cell_size) and cell_size > 0):
        msg = f"cell size {cell_size!r} must be a positive number of metres, e.g. 100"
        raise SurfaceError(msg)
    minx, miny, maxx, maxy = area.bounds
    left = math.floor(minx / cell_size) * cell_size
    top = math.ceil(maxy / cell_size) * cell_size
    width = max(1, math.ceil((maxx - left) / cell_size))
    height = max(1, math.ceil((top - miny) / cell_size))
    return Grid(crs, float(left), float(top), float(cell_size), int(height), int(width))
