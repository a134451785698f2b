"""Criteria read from the sites themselves: a numeric column, or the site's area."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from growthzones.criteria.distance import crs_name, geometry_array, numeric_column
from growthzones.errors import CRSError

__all__ = ["area_ha", "site_attribute"]


def site_attribute(sites: gpd.GeoDataFrame, column: str) -> pd.Series:
    """Return a numeric column of the sites as float64.

    A text column is accepted when every non-empty value reads as a number (numbers often
    come back as text from CSV or spreadsheets); empty text becomes NaN.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites.
    column : str
        Column of `sites` to report.

    Returns
    -------
    pandas.Series
        float64, indexed like `sites`; NaN where the value is missing.

    Raises
    ------
    growthzones.errors.CriterionError
        If the column is missing (the message lists the available columns) or holds values
        that are not numbers (the message names the column, its dtype and examples).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> sites = gpd.GeoDataFrame(
    ...     {"price_gbp_m": [2.5, None]}, geometry=[box(0, 0, 1, 1)] * 2, crs=27700, index=["a", "b"]
    ... )
    >>> site_attribute(sites, "price_gbp_m").tolist()
    [2.5, nan]
    """
    values = numeric_column(sites, column, "sites")
    return pd.Series(values, index=sites.index, dtype="float64")


def area_ha(sites: gpd.GeoDataFrame) -> pd.Series:
    """Area of each site in hectares.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites in a projected CRS in metres.

    Returns
    -------
    pandas.Series
        float64, indexed like `sites`; NaN for a missing or empty geometry.

    Raises
    ------
    growthzones.errors.CRSError
        If `sites` are in a geographic CRS, where areas would be in square degrees.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> sites = gpd.GeoDataFrame(geometry=[box(0, 0, 200, 500)], crs=27700, index=["a"])
    >>> area_ha(sites).tolist()
    [10.0]
    """
    if sites.crs is not None and sites.crs.is_geographic:
        msg = (
            f"The sites are in a geographic CRS ({crs_name(sites.crs)}), so their area would be "
            "in square degrees. Reproject them to a projected CRS in metres first, e.g. "
            "`sites.to_crs(27700)`."
        )
        raise CRSError(msg)
    geoms, ok = geometry_array(sites)
    values = np.full(len(sites), np.nan)
    values[ok] = shapely.area(geoms[ok]) / 10_000.0
    return pd.Series(values, index=sites.index, dtype="float64")
