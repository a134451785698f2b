"""Distance from each site to the nearest feature of a layer.

The private helpers at the bottom (CRS check, geometry arrays with missing geometries masked,
result Series) are shared by the other criteria modules.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from growthzones.errors import CriterionError, CRSError

__all__ = ["distance_km"]

log = logging.getLogger(__name__)


def distance_km(sites: gpd.GeoDataFrame, features: gpd.GeoDataFrame) -> pd.Series:
    """Distance from each site to the nearest feature, in kilometres.

    The distance is measured from the site's polygon edge, so it is 0 when the feature touches
    or lies inside the site. The search uses a spatial index (a shapely ``STRtree``), not a loop
    over features.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites in a projected CRS in metres.
    features : geopandas.GeoDataFrame
        Features of any geometry type, in the same CRS as `sites`.

    Returns
    -------
    pandas.Series
        float64, indexed like `sites`; NaN for sites with a missing or empty geometry, and for
        every site when `features` has no usable geometry.

    Raises
    ------
    growthzones.errors.CRSError
        If `sites` and `features` are in different CRSs.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> sites = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100)], crs=27700, index=["a"])
    >>> subs = gpd.GeoDataFrame(geometry=[Point(3050, 50)], crs=27700)
    >>> distance_km(sites, subs).round(3).tolist()
    [2.95]
    """
    check_same_crs(sites, features)
    site_geoms, site_ok = geometry_array(sites)
    feat_geoms, feat_ok = geometry_array(features)
    out = nan_result(sites)
    if not feat_ok.any() or not site_ok.any():
        return out
    tree = shapely.STRtree(feat_geoms[feat_ok])
    # all_matches=False gives exactly one row per site, so no de-duplication of ties is needed.
    (site_idx, _), dist = tree.query_nearest(site_geoms[site_ok], return_distance=True, all_matches=False)
    values = out.to_numpy(copy=True)
    values[np.flatnonzero(site_ok)[site_idx]] = dist / 1000.0
    return pd.Series(values, index=sites.index, dtype="float64")


# ----------------------------------------------------------------------------------------------
# Helpers shared by the criteria modules


def crs_name(crs: CRS | None) -> str:
    """Return a short readable name of a CRS ("EPSG:27700", or its name, or "no CRS")."""
    if crs is None:
        return "no CRS"
    crs = CRS.from_user_input(crs)
    code = crs.to_epsg()
    return f"EPSG:{code}" if code is not None else (crs.name or crs.to_string())


def same_crs(a: CRS | None, b: CRS | None) -> bool:
    """Whether two CRSs (pyproj, rasterio or None) are the same, tolerant of WKT spelling."""
    if a is None or b is None:
        return a is None and b is None
    a, b = CRS.from_user_input(a), CRS.from_user_input(b)
    if a == b:
        return True
    # A GeoTIFF's EPSG:27700 reads back with WKT that pyproj may not call equal to its own.
    code_a, code_b = a.to_epsg(), b.to_epsg()
    return code_a is not None and code_a == code_b


def check_same_crs(sites: gpd.GeoDataFrame, features: gpd.GeoDataFrame, what: str = "features") -> None:
    """Raise :class:`CRSError` if `sites` and `features` are not in the same CRS.

    Most spatial libraries fail quietly on a mismatch (no matches, distances in degrees), so
    the check comes before any of them is called.
    """
    if same_crs(sites.crs, features.crs):
        return
    msg = (
        f"CRS mismatch between the sites ({crs_name(sites.crs)}) and the {what} "
        f"({crs_name(features.crs)}). Reproject one to match the other, e.g. "
        f"`{what}.to_crs(sites.crs)`, or load both through a growthzones config, which "
        "reprojects every layer to the working CRS."
    )
    raise CRSError(msg)


def geometry_array(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the geometries as an array and a mask of the usable (not None, not empty) ones.

    Several shapely and exactextract calls drop or choke on missing geometries, which would
    misalign results with the input rows; callers index through the mask instead.
    """
    geoms = np.asarray(frame.geometry.array, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    return geoms, np.asarray(ok, dtype=bool)


def nan_result(sites: pd.DataFrame) -> pd.Series:
    """Return an all-NaN float64 Series indexed like `sites`."""
    return pd.Series(np.full(len(sites), np.nan), index=sites.index, dtype="float64")


def numeric_column(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """Return `column` of `frame` as float64, or raise :class:`CriterionError` saying why not.

    A text column is accepted only when every non-empty value reads as a number (GeoPackage
    and CSV round trips sometimes leave numbers as text).
    """
    if column not in frame.columns:
        available = ", ".join(f"`{c}`" for c in frame.columns if c != frame.geometry.name) or "none"
        msg = f"The {what} have no column `{column}`. Available columns: {available}."
        raise CriterionError(msg)
    series = frame[column]
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    bad = series[converted.isna() & series.notna()]
    if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
        bad = bad[bad.astype(str).str.strip() != ""]
    if len(bad):
        examples = ", ".join(repr(v) for v in pd.unique(bad.to_numpy())[:3])
        msg = (
            f"Column `{column}` of the {what} is not numeric (dtype {series.dtype}); "
            f"values such as {examples} are not numbers. Fix those values in the source file "
            "or choose a numeric column."
        )
        raise CriterionError(msg)
    log.info("Read text column `%s` of the %s as numbers", column, what)
    return converted.to_numpy(dtype="float64", na_value=np.nan)
