"""Attributes of nearby features: the nearest one, or a sum or count within a radius."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from growthzones.criteria.distance import (
    check_same_crs,
    geometry_array,
    numeric_column,
)
from growthzones.errors import CriterionError

__all__ = ["nearest_attribute", "nearest_feature", "within_radius"]

log = logging.getLogger(__name__)

_HOW = ("sum", "count")


def _nearest_positions(
    sites: gpd.GeoDataFrame, features: gpd.GeoDataFrame, max_distance_m: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Position of the nearest feature for each site (-1 if none) and its distance in metres.

    Ties (equal distances, or several features intersecting the site) go to the feature that
    comes first in `features`, so the answer does not depend on the spatial index's order.
    """
    n = len(sites)
    pos = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    if max_distance_m is not None and not max_distance_m >= 0:
        msg = f"`max_distance_m` must be a distance of 0 or more metres, not {max_distance_m!r}."
        raise CriterionError(msg)
    site_geoms, site_ok = geometry_array(sites)
    feat_geoms, feat_ok = geometry_array(features)
    if not feat_ok.any() or not site_ok.any():
        return pos, dist
    feat_pos = np.flatnonzero(feat_ok)
    tree = shapely.STRtree(feat_geoms[feat_ok])
    # shapely requires max_distance > 0; a cut-off of 0 is applied by the filter below.
    search = max_distance_m if max_distance_m else None
    (site_idx, tree_idx), d = tree.query_nearest(
        site_geoms[site_ok], max_distance=search, return_distance=True, all_matches=True
    )
    if max_distance_m is not None:
        keep = d <= max_distance_m
        site_idx, tree_idx, d = site_idx[keep], tree_idx[keep], d[keep]
    # Sort by (site, feature position) and keep the first row of each site: the tie-break.
    order = np.lexsort((tree_idx, site_idx))
    site_idx, tree_idx, d = site_idx[order], tree_idx[order], d[order]
    first = np.ones(len(site_idx), dtype=bool)
    first[1:] = site_idx[1:] != site_idx[:-1]
    rows = np.flatnonzero(site_ok)[site_idx[first]]
    pos[rows] = feat_pos[tree_idx[first]]
    dist[rows] = d[first]
    return pos, dist


def nearest_attribute(
    sites: gpd.GeoDataFrame,
    features: gpd.GeoDataFrame,
    attribute: str,
    *,
    max_distance_m: float | None = None,
) -> pd.Series:
    """Value of a numeric attribute of the feature nearest to each site.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites in a projected CRS in metres.
    features : geopandas.GeoDataFrame
        Features in the same CRS as `sites`, with the column `attribute`.
    attribute : str
        Numeric column of `features` to report.
    max_distance_m : float, optional
        Only features within this distance (metres, inclusive) count; sites with none get NaN.

    Returns
    -------
    pandas.Series
        float64, indexed like `sites`. When several features are equally near (or several
        intersect the site) the one that comes first in `features` wins. NaN where there is no
        feature in range, where the site geometry is missing, or where the attribute is NaN.

    Raises
    ------
    growthzones.errors.CRSError
        If `sites` and `features` are in different CRSs.
    growthzones.errors.CriterionError
        If `attribute` is missing from `features` or is not numeric.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> sites = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100)], crs=27700, index=["a"])
    >>> subs = gpd.GeoDataFrame(
    ...     {"headroom_mw": [120.0, 40.0]}, geometry=[Point(5000, 0), Point(200, 50)], crs=27700
    ... )
    >>> nearest_attribute(sites, subs, "headroom_mw").tolist()
    [40.0]
    >>> nearest_attribute(sites, subs, "headroom_mw", max_distance_m=50).tolist()
    [nan]
    """
    check_same_crs(sites, features)
    values = numeric_column(features, attribute, "features")
    pos, _ = _nearest_positions(sites, features, max_distance_m)
    out = np.full(len(sites), np.nan)
    found = pos >= 0
    out[found] = values[pos[found]]
    return pd.Series(out, index=sites.index, dtype="float64")


def nearest_feature(
    sites: gpd.GeoDataFrame,
    features: gpd.GeoDataFrame,
    *,
    columns: Sequence[str] = (),
    max_distance_m: float | None = None,
) -> pd.DataFrame:
    """Find the feature nearest to each site: its distance, index label and chosen columns.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites in a projected CRS in metres.
    features : geopandas.GeoDataFrame
        Features in the same CRS as `sites`.
    columns : sequence of str, default ()
        Columns of `features` to copy for the nearest feature (any dtype).
    max_distance_m : float, optional
        Only features within this distance (metres, inclusive) count.

    Returns
    -------
    pandas.DataFrame
        Indexed like `sites`, with ``distance_km`` (float64), ``feature_id`` (the nearest
        feature's index label; missing where none) and the requested columns. Ties are broken
        as in :func:`nearest_attribute`.

    Raises
    ------
    growthzones.errors.CRSError
        If `sites` and `features` are in different CRSs.
    growthzones.errors.CriterionError
        If a requested column is missing from `features`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> sites = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100)], crs=27700, index=["a"])
    >>> subs = gpd.GeoDataFrame(
    ...     {"name": ["Drax", "Ferrybridge"]},
    ...     geometry=[Point(5100, 50), Point(100, 1100)],
    ...     crs=27700,
    ...     index=["s1", "s2"],
    ... )
    >>> nearest_feature(sites, subs, columns=["name"]).to_dict("records")
    [{'distance_km': 1.0, 'feature_id': 's2', 'name': 'Ferrybridge'}]
    """
    check_same_crs(sites, features)
    columns = list(columns)
    missing = [c for c in columns if c not in features.columns]
    if missing:
        available = ", ".join(f"`{c}`" for c in features.columns if c != features.geometry.name)
        msg = (
            f"The features have no column {', '.join(f'`{c}`' for c in missing)}. "
            f"Available columns: {available or 'none'}."
        )
        raise CriterionError(msg)
    pos, dist = _nearest_positions(sites, features, max_distance_m)
    found = pos >= 0
    take = np.where(found, pos, 0)
    out = pd.DataFrame({"distance_km": dist / 1000.0}, index=sites.index)
    if len(features):
        out["feature_id"] = pd.Series(features.index[take], index=sites.index).where(found)
        for col in columns:
            out[col] = pd.Series(features[col].to_numpy()[take], index=sites.index).where(found)
    else:
        out["feature_id"] = pd.Series([None] * len(sites), index=sites.index, dtype=object)
        for col in columns:
            out[col] = pd.Series(pd.array([None] * len(sites), dtype=features[col].dtype), index=sites.index)
    return out


def within_radius(
    sites: gpd.GeoDataFrame,
    features: gpd.GeoDataFrame,
    *,
    radius_m: float,
    attribute: str | None = None,
    how: str = "sum",
) -> pd.Series:
    """Sum of an attribute, or number of features, within a radius of each site.

    A feature counts when any part of it lies within `radius_m` of the site's polygon (GEOS
    ``dwithin``, inclusive), so a line passing near the site counts once.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites in a projected CRS in metres.
    features : geopandas.GeoDataFrame
        Features in the same CRS as `sites`.
    radius_m : float
        Search radius in metres (0 means touching or intersecting the site).
    attribute : str, optional
        Numeric column to add up; required for ``how="sum"``. NaN values add nothing.
    how : {"sum", "count"}, default "sum"
        What to report.

    Returns
    -------
    pandas.Series
        float64, indexed like `sites`; 0 where no feature is in range (also when `features`
        is empty); NaN only for sites with a missing or empty geometry.

    Raises
    ------
    growthzones.errors.CRSError
        If `sites` and `features` are in different CRSs.
    growthzones.errors.CriterionError
        For an unknown `how`, a negative radius, or a missing or non-numeric `attribute`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> sites = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100)], crs=27700, index=["a"])
    >>> plants = gpd.GeoDataFrame(
    ...     {"mw": [50.0, 30.0, 999.0]},
    ...     geometry=[Point(150, 50), Point(50, 50), Point(5000, 0)],
    ...     crs=27700,
    ... )
    >>> within_radius(sites, plants, radius_m=1000, attribute="mw").tolist()
    [80.0]
    >>> within_radius(sites, plants, radius_m=1000, how="count").tolist()
    [2.0]
    """
    if how not in _HOW:
        msg = f"`how` must be one of {', '.join(repr(h) for h in _HOW)}, not {how!r}."
        raise CriterionError(msg)
    if not radius_m >= 0:
        msg = f"`radius_m` must be a distance of 0 or more metres, not {radius_m!r}."
        raise CriterionError(msg)
    if how == "sum" and attribute is None:
        msg = '`within_radius(..., how="sum")` needs the `attribute` to add up.'
        raise CriterionError(msg)
    check_same_crs(sites, features)
    values = numeric_column(features, attribute, "features") if how == "sum" else None

    site_geoms, site_ok = geometry_array(sites)
    feat_geoms, feat_ok = geometry_array(features)
    out = np.zeros(len(sites))
    out[~site_ok] = np.nan
    if not feat_ok.any() or not site_ok.any():
        return pd.Series(out, index=sites.index, dtype="float64")
    tree = shapely.STRtree(feat_geoms[feat_ok])
    site_idx, tree_idx = tree.query(site_geoms[site_ok], predicate="dwithin", distance=radius_m)
    if how == "count":
        totals = np.bincount(site_idx, minlength=int(site_ok.sum())).astype("float64")
    else:
        w = values[feat_ok][tree_idx]
        nan = np.isnan(w)
        if nan.any():
            log.warning(
                "%d feature(s) within %g m of a site have no `%s` value; they add nothing to the sum",
                len(np.unique(tree_idx[nan])),
                radius_m,
                attribute,
            )
        totals = np.bincount(site_idx, weights=np.where(nan, 0.0, w), minlength=int(site_ok.sum()))
    out[site_ok] = totals
    return pd.Series(out, index=sites.index, dtype="float64")
