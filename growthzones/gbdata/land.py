"""Land layers: national parks, brownfield land per MSOA, MSOA population-weighted centroids."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from growthzones.errors import InputFileError
from growthzones.gbdata._common import (
    LayerReport,
    clean_strings,
    drop_rows,
    repair_layer,
    require_columns,
    to_bng,
)
from growthzones.gbdata.sources import layer_report

logger = logging.getLogger(__name__)

__all__ = [
    "EXPECTED_NATIONAL_PARKS",
    "build_brownfield",
    "build_national_parks",
    "build_population",
    "read_msoa_centroids",
]

EXPECTED_NATIONAL_PARKS = 15
"""Great Britain has 15 national parks (10 England, 3 Wales, 2 Scotland)."""

# Two Welsh parks have since taken their Welsh names as their only official names.
_CURRENT_NAMES = {"Brecon Beacons": "Bannau Brycheiniog", "Snowdonia": "Eryri"}


def _read(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    p = Path(path)
    # GDAL reads gzipped files through /vsigzip/; the GeoJSONSeq driver handles one feature per line.
    target = f"/vsigzip/{p}" if p.suffix == ".gz" else str(p)
    try:
        return gpd.read_file(target, engine="pyogrio")
    except Exception as exc:
        msg = f"{p.name}: cannot read as a vector file ({exc})"
        raise InputFileError(msg) from exc


def build_national_parks(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """National park polygons.

    Parameters
    ----------
    path
        ``land/ons_national_parks.geojson``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``name, current_name, area_ha, geometry`` in EPSG:27700 (``current_name`` gives the
        Welsh names now in official use: Eryri, Bannau Brycheiniog).
    report : LayerReport

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "national_parks.geojson"
    >>> gpd.GeoDataFrame({"name": ["Peak District"] * 2}, geometry=[box(-2.0, 53.2, -1.6, 53.5)] * 2,
    ...                  crs="EPSG:4326").to_file(path)
    >>> parks, report = build_national_parks(path)
    >>> parks["name"].tolist(), round(float(parks["area_ha"].iloc[0]), -3), report.dropped
    (['Peak District'], 89000.0, {'duplicate park name': 1})
    >>> report.notes
    ['WARNING: 1 parks, expected 15']
    """
    report = layer_report("national_parks", "national_parks")
    gdf = clean_strings(_read(path))
    report.input_rows = len(gdf)
    require_columns(gdf, ["name"], where=Path(path).name)
    gdf = drop_rows(gdf, gdf["name"].duplicated().to_numpy(), "duplicate park name", report)
    gdf = to_bng(gdf, report, where=Path(path).name)
    gdf = repair_layer(gdf, report, polygons=True)
    gdf["current_name"] = gdf["name"].map(lambda n: _CURRENT_NAMES.get(n, n))
    gdf["area_ha"] = gdf.geometry.area / 10_000.0
    if len(gdf) != EXPECTED_NATIONAL_PARKS:
        logger.warning("national parks: %d features, expected %d", len(gdf), EXPECTED_NATIONAL_PARKS)
        report.note(f"WARNING: {len(gdf)} parks, expected {EXPECTED_NATIONAL_PARKS}")
    gdf = gdf[["name", "current_name", "area_ha", "geometry"]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


def read_msoa_centroids(path: str | os.PathLike[str], report: LayerReport) -> gpd.GeoDataFrame:
    """MSOA 2021 population-weighted centroids in EPSG:27700.

    Parameters
    ----------
    path
        ``land/ons_msoa21_population_weighted_centroids.json.gz`` (gzipped GeoJSON lines).
    report
        Layer report (duplicates and empty geometries are dropped with a reason).

    Returns
    -------
    geopandas.GeoDataFrame
        ``msoa21cd`` and the point geometry (plus any other columns of the file).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from growthzones.gbdata._common import LayerReport
    >>> gpd.GeoDataFrame({"areacd": ["E02000001", "E02000001"]}, geometry=[Point(-0.09, 51.515)] * 2,
    ...                  crs="EPSG:4326").to_file(folder / "msoa.geojson")
    >>> report = LayerReport("population", ("land/msoa.geojson",), "OGL", "ONS")
    >>> msoa = read_msoa_centroids(folder / "msoa.geojson", report)
    >>> msoa["msoa21cd"].tolist(), msoa.crs.to_epsg(), report.dropped
    (['E02000001'], 27700, {'duplicate MSOA code': 1})
    """
    gdf = clean_strings(_read(path))
    require_columns(gdf, ["areacd"], where=Path(path).name)
    gdf = gdf.rename(columns={"areacd": "msoa21cd"})
    gdf = drop_rows(gdf, gdf["msoa21cd"].isna().to_numpy(), "missing MSOA code", report)
    gdf = drop_rows(gdf, gdf["msoa21cd"].duplicated().to_numpy(), "duplicate MSOA code", report)
    gdf = to_bng(gdf, report, where=Path(path).name)
    return repair_layer(gdf, report)


def build_brownfield(
    brownfield_path: str | os.PathLike[str], centroids_path: str | os.PathLike[str]
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Brownfield hectares per MSOA, placed at the MSOA population-weighted centroid.

    The brownfield table uses MSOA **2011** codes and the centroids MSOA **2021** codes. Most
    codes did not change between the two; the join is on codes that match, and rows whose 2011
    code has no 2021 centroid (MSOAs split, merged or re-coded in 2021) are dropped with that
    reason and counted.

    Parameters
    ----------
    brownfield_path
        ``land/brownfield_hectares_by_msoa11_england_2022.csv`` (``msoa, brownfield area``).
    centroids_path
        ``land/ons_msoa21_population_weighted_centroids.json.gz``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``msoa_code, brownfield_ha, geometry`` (points, EPSG:27700).
    report : LayerReport
    """
    report = layer_report("brownfield", "brownfield", "msoa21_centroids")
    try:
        df = pd.read_csv(brownfield_path, encoding="utf-8-sig", dtype={"msoa": str})
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        msg = f"{Path(brownfield_path).name}: cannot read as CSV ({exc})"
        raise InputFileError(msg) from exc
    df = clean_strings(df)
    df.columns = [c.strip() for c in df.columns]
    require_columns(df, ["msoa", "brownfield area"], where=Path(brownfield_path).name)
    report.input_rows = len(df)
    df["brownfield_ha"] = pd.to_numeric(df["brownfield area"], errors="coerce")
    df = drop_rows(df, df["msoa"].isna(), "missing MSOA code", report)
    df = drop_rows(df, df["brownfield_ha"].isna(), "non-numeric brownfield area", report)
    df = drop_rows(df, df["msoa"].duplicated(), "duplicate MSOA code", report)
    welsh = int(df["msoa"].str.startswith("W").sum())
    if welsh:
        report.note(f"{welsh} Welsh MSOA code(s) in this England table kept as given")
    cent_report = layer_report("msoa21_centroids", "msoa21_centroids")
    cent = read_msoa_centroids(centroids_path, cent_report)
    for text in cent_report.repairs:
        report.repair(f"MSOA centroids: {text}")
    for reason, n in cent_report.dropped.items():
        report.note(f"MSOA centroids: {n} dropped ({reason})")
    matched = df["msoa"].isin(set(cent["msoa21cd"]))
    unmatched_ha = float(df.loc[~matched, "brownfield_ha"].sum())
    df = drop_rows(df, ~matched, "MSOA 2011 code has no MSOA 2021 centroid (boundary changed in 2021)", report)
    report.note(
        f"joined on codes unchanged between MSOA 2011 and 2021: {int(matched.sum())} matched, "
        f"{int((~matched).sum())} unmatched ({unmatched_ha:,.1f} ha not placed)"
    )
    gdf = cent[["msoa21cd", "geometry"]].merge(df[["msoa", "brownfield_ha"]], left_on="msoa21cd", right_on="msoa")
    gdf = gpd.GeoDataFrame(
        gdf.rename(columns={"msoa21cd": "msoa_code"})[["msoa_code", "brownfield_ha", "geometry"]],
        geometry="geometry",
        crs=cent.crs,
    )
    gdf = gdf.sort_values("msoa_code").reset_index(drop=True)
    report.note("points are MSOA population-weighted centroids, not the brownfield sites themselves")
    report.feature_count = len(gdf)
    return gdf, report


def build_population(centroids_path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """MSOA 2021 population-weighted centroids, with a population column when the file has one.

    Parameters
    ----------
    centroids_path
        ``land/ons_msoa21_population_weighted_centroids.json.gz``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``msoa_code, population, geometry``; ``population`` is null when the source has no counts.
    report : LayerReport

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> gpd.GeoDataFrame({"areacd": ["E02000001", "W02000001"], "population": ["8000", "7000"]},
    ...                  geometry=[Point(-0.09, 51.515), Point(-3.18, 51.48)], crs="EPSG:4326").to_file(
    ...     folder / "msoa.geojson")
    >>> pop, report = build_population(folder / "msoa.geojson")
    >>> pop[["msoa_code", "population"]].values.tolist(), pop.crs.to_epsg()
    ([['E02000001', 8000], ['W02000001', 7000]], 27700)
    >>> report.notes
    ["population from column 'population'", 'MSOAs by country: E 1, W 1']
    """
    report = layer_report("population", "msoa21_centroids")
    cent = read_msoa_centroids(centroids_path, report)
    report.input_rows = len(cent) + report.dropped_count
    pop_cols = [c for c in cent.columns if c.lower() in ("population", "pop", "usual_residents", "obs_value")]
    if pop_cols:
        cent["population"] = pd.to_numeric(cent[pop_cols[0]], errors="coerce")
        report.note(f"population from column {pop_cols[0]!r}")
    else:
        cent["population"] = np.nan
        report.note(
            "the source has no population counts: `population` is null; the points still weight "
            "by population (ONS population-weighted centroids). Join Census 2021 MSOA counts to add them"
        )
    counts = cent["msoa21cd"].str[0].value_counts()
    report.note("MSOAs by country: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    gdf = cent.rename(columns={"msoa21cd": "msoa_code"})[["msoa_code", "population", "geometry"]]
    gdf = gdf.sort_values("msoa_code").reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report
