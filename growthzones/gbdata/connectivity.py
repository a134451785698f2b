"""Connectivity layers: motorways (OS OpenRoads) and railway stations."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from growthzones.errors import InputFileError
from growthzones.gbdata._common import (
    LayerReport,
    clean_strings,
    drop_rows,
    points_from_lonlat,
    repair_layer,
    require_columns,
    to_bng,
)
from growthzones.gbdata.sources import layer_report

logger = logging.getLogger(__name__)

__all__ = ["build_motorways", "build_rail_stations"]


def build_motorways(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Motorway links from OS OpenRoads (FlatGeobuf).

    Parameters
    ----------
    path
        ``connectivity/os_openroads_motorways.fgb``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``road_number, road_classification, length_m, geometry`` in EPSG:27700; ``length_m`` is
        measured on the projected geometry.
    report : LayerReport
    """
    report = layer_report("motorways", "motorways")
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:
        msg = f"{Path(path).name}: cannot read as FlatGeobuf ({exc})"
        raise InputFileError(msg) from exc
    gdf = clean_strings(gdf)
    report.input_rows = len(gdf)
    require_columns(gdf, ["road_classification_number"], where=Path(path).name)
    dup = gdf.geometry.to_wkb().duplicated().to_numpy() & gdf.drop(columns="geometry").duplicated().to_numpy()
    gdf = drop_rows(gdf, dup, "exact duplicate link", report)
    gdf = to_bng(gdf, report, where=Path(path).name)
    gdf = repair_layer(gdf, report)
    gdf = gdf.rename(columns={"road_classification_number": "road_number"})
    gdf["length_m"] = gdf.geometry.length
    report.note(
        f"{gdf['road_number'].nunique()} motorway numbers; source 'length' column replaced by length_m "
        "measured in EPSG:27700"
    )
    gdf = gdf[["road_number", "road_classification", "length_m", "geometry"]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


def build_rail_stations(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """GB railway stations from a lat/lon CSV.

    Parameters
    ----------
    path
        ``connectivity/gb_railway_stations.csv`` (``stationName, lat, long, crsCode, ...``).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``name, crs_code, country, airport_code, geometry`` in EPSG:27700.
    report : LayerReport

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> import pandas as pd
    >>> pd.DataFrame({"stationName": ["Leeds", "Leeds", "York"], "lat": [53.7954, 53.7954, 53.9580],
    ...               "long": [-1.5480, -1.5480, -1.0930], "crsCode": ["LDS", "LDS", "YRK"],
    ...               "constituentCountry": ["england"] * 3}).to_csv(folder / "stations.csv", index=False)
    >>> stations, report = build_rail_stations(folder / "stations.csv")
    >>> stations[["name", "crs_code", "country"]].values.tolist(), stations.crs.to_epsg()
    ([['Leeds', 'LDS', 'England'], ['York', 'YRK', 'England']], 27700)
    >>> report.dropped
    {'exact duplicate row': 1}
    """
    report = layer_report("rail_stations", "rail_stations")
    try:
        df = pd.read_csv(path, encoding="utf-8-sig", dtype={"crsCode": str, "iataAirportCode": str})
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        msg = f"{Path(path).name}: cannot read as CSV ({exc})"
        raise InputFileError(msg) from exc
    df = clean_strings(df)
    report.input_rows = len(df)
    require_columns(df, ["stationName", "lat", "long", "crsCode"], where=Path(path).name)
    df = drop_rows(df, df.duplicated(), "exact duplicate row", report)
    df = drop_rows(df, df["crsCode"].notna() & df["crsCode"].duplicated(), "duplicate CRS (station) code", report)
    gdf = points_from_lonlat(df, "long", "lat", report, where=Path(path).name)
    gdf = gdf.rename(
        columns={
            "stationName": "name",
            "crsCode": "crs_code",
            "constituentCountry": "country",
            "iataAirportCode": "airport_code",
        }
    )
    if "country" in gdf:
        gdf["country"] = gdf["country"].str.title()
    cols = ["name", "crs_code", "country", "airport_code", "geometry"]
    gdf = gdf[[c for c in cols if c in gdf.columns]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report
