"""Share of each site covered by a polygon layer (protected areas, flood zones, ...)."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.errors import GEOSException

from growthzones.criteria.distance import check_same_crs, geometry_array

__all__ = ["overlap_fraction"]

log = logging.getLogger(__name__)

# Snapping grid (metres) used only when GEOS hits a TopologyException on the exact overlay.
_FALLBACK_GRID_M = 0.001


def _polygon_parts(geoms: np.ndarray) -> np.ndarray:
    """Return the valid single polygons in `geoms`, dropping lines and points left by repair."""
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        log.info("Repaired %d invalid polygon(s) with make_valid before the overlay", int(invalid.sum()))
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    # get_parts flattens one level: a repaired GeometryCollection may hold MultiPolygons.
    parts = shapely.get_parts(shapely.get_parts(geoms))
    return parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        return shapely.intersection(a, b)
    except GEOSException as exc:
        log.warning("Exact overlay failed (%s); retrying on a %g m grid", exc, _FALLBACK_GRID_M)
        return shapely.intersection(a, b, grid_size=_FALLBACK_GRID_M)


def _union(pieces: np.ndarray) -> shapely.Geometry:
    try:
        return shapely.union_all(pieces)
    except GEOSException:
        return shapely.union_all(pieces, grid_size=_FALLBACK_GRID_M)


def overlap_fraction(sites: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> pd.Series:
    """Share of each site's area overlapped by the union of `polygons`, from 0 to 1.

    Overlapping polygons (a SSSI inside a National Park, say) are not counted twice: the pieces
    of each site that they cover are unioned before measuring. Invalid polygons are repaired
    with ``make_valid`` first. Only polygons near a site (found through a spatial index) take
    part in its overlay.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites (polygons) in a projected CRS in metres.
    polygons : geopandas.GeoDataFrame
        Polygon layer in the same CRS as `sites`; other geometry types have no area and add
        nothing.

    Returns
    -------
    pandas.Series
        float64 in 0..1, indexed like `sites`; 0 where nothing overlaps (also when `polygons`
        is empty); NaN for sites with a missing, empty or zero-area geometry.

    Raises
    ------
    growthzones.errors.CRSError
        If `sites` and `polygons` are in different CRSs.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> sites = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100)], crs=27700, index=["a"])
    >>> sssi = gpd.GeoDataFrame(geometry=[box(-50, 0, 25, 100), box(0, 0, 25, 50)], crs=27700)
    >>> overlap_fraction(sites, sssi).tolist()
    [0.25]
    """
    check_same_crs(sites, polygons, "polygons")
    site_geoms, site_ok = geometry_array(sites)
    site_geoms = site_geoms.copy()
    bad_sites = site_ok & ~shapely.is_valid(site_geoms)
    if bad_sites.any():
        # A bow-tie site has area 0 until repaired; sites.py normally repairs them already.
        site_geoms[bad_sites] = shapely.make_valid(site_geoms[bad_sites])
    area = np.where(site_ok, shapely.area(site_geoms), np.nan)
    out = np.where(area > 0, 0.0, np.nan)

    poly_geoms, poly_ok = geometry_array(polygons)
    parts = _polygon_parts(poly_geoms[poly_ok])
    usable = np.flatnonzero(area > 0)
    if len(parts) == 0 or len(usable) == 0:
        return pd.Series(out, index=sites.index, dtype="float64")

    tree = shapely.STRtree(parts)
    site_idx, part_idx = tree.query(site_geoms[usable], predicate="intersects")
    if len(site_idx) == 0:
        return pd.Series(out, index=sites.index, dtype="float64")
    order = np.argsort(site_idx, kind="stable")
    site_idx, part_idx = site_idx[order], part_idx[order]
    pieces = _intersection(site_geoms[usable][site_idx], parts[part_idx])
    starts = np.flatnonzero(np.r_[True, site_idx[1:] != site_idx[:-1]])
    ends = np.r_[starts[1:], len(site_idx)]
    covered = np.empty(len(starts))
    single = (ends - starts) == 1
    covered[single] = shapely.area(pieces[starts[single]])
    for k in np.flatnonzero(~single):
        covered[k] = shapely.area(_union(pieces[starts[k] : ends[k]]))
    rows = usable[site_idx[starts]]
    out[rows] = np.clip(covered / area[rows], 0.0, 1.0)
    return pd.Series(out, index=sites.index, dtype="float64")
