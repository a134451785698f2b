"""ONS administrative boundaries from the ONS UK TopoJSON: districts, regions, countries."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from growthzones.gbdata._common import LayerReport, drop_rows, repair_layer, require_columns, to_bng
from growthzones.gbdata.sources import SOURCES, layer_report
from growthzones.gbdata.topojson import object_to_geodataframe, read_topojson

logger = logging.getLogger(__name__)

__all__ = ["build_countries", "build_lad", "build_regions", "current_lad_mask"]

_COUNTRY_BY_PREFIX = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


def _topology(topo: Mapping[str, Any] | str | os.PathLike[str]) -> Mapping[str, Any]:
    return topo if isinstance(topo, Mapping) else read_topojson(topo)


def current_lad_mask(lad: pd.DataFrame) -> tuple[pd.Series, str]:
    """Pick the current set of districts from features carrying ``start``/``end`` years.

    A feature is current when it has no ``end`` year (it has not been abolished or replaced)
    and its ``start`` year, if any, is not in the future relative to the latest start year in
    the data.

    Parameters
    ----------
    lad
        Districts with optional ``start`` and ``end`` columns (years, null when open).

    Returns
    -------
    mask : pandas.Series
        True for current features.
    rule : str
        The rule in words, with the year the set is current for.

    Examples
    --------
    >>> import pandas as pd
    >>> lad = pd.DataFrame({"code": ["old", "new", "same"], "start": [None, 2023, None], "end": [2023, None, None]})
    >>> mask, rule = current_lad_mask(lad)
    >>> lad.loc[mask, "code"].tolist()
    ['new', 'same']
    >>> print(rule)
    current set = features with no `end` year (not abolished/replaced); latest year in the data is 2023, ...
    """
    end = pd.to_numeric(lad["end"], errors="coerce") if "end" in lad else pd.Series(float("nan"), index=lad.index)
    start = pd.to_numeric(lad["start"], errors="coerce") if "start" in lad else pd.Series(float("nan"), index=lad.index)
    years = pd.concat([start, end]).dropna()
    latest = int(years.max()) if len(years) else 0
    mask = end.isna() & (start.isna() | (start <= latest))
    rule = (
        f"current set = features with no `end` year (not abolished/replaced); latest year in the data "
        f"is {latest}, so the set is the districts in force from {latest}"
    )
    return mask, rule


def build_lad(
    topo: Mapping[str, Any] | str | os.PathLike[str],
    *,
    ltla_list: str | os.PathLike[str] | None = None,
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Current local authority districts (lower tier) from the ONS TopoJSON ``ltla`` object.

    Parameters
    ----------
    topo
        The parsed topology or its path.
    ltla_list
        Optional ONS code/name list of current districts (``ltla25.csv``: ``areacd, areanm``).
        When given, a current district whose code is not in the list but whose name matches
        exactly one listed district that is otherwise absent takes the listed (newer) code; the
        old code is kept in ``areacd_topo``. This catches code changes after boundary
        amendments (e.g. Glasgow City S12000046 -> S12000049).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``areacd, areanm, country, start, end, areacd_topo, geometry`` in EPSG:27700.
    report : LayerReport
    """
    keys = ("ons_topo",) + (("ltla25",) if ltla_list is not None else ())
    report = layer_report("lad", *keys)
    gdf = object_to_geodataframe(_topology(topo), "ltla")
    report.input_rows = len(gdf)
    require_columns(gdf, ["areacd", "areanm"], where=SOURCES["ons_topo"].relpath + " (object 'ltla')")
    mask, rule = current_lad_mask(gdf)
    report.note(rule)
    gdf = drop_rows(gdf, ~mask, "superseded district (has an `end` year: abolished or replaced)", report)
    for col in ("start", "end"):
        gdf[col] = pd.to_numeric(gdf[col], errors="coerce").astype("Int64") if col in gdf else pd.NA
    gdf["areacd_topo"] = gdf["areacd"]
    if ltla_list is not None:
        lst = pd.read_csv(ltla_list, dtype=str)
        require_columns(lst, ["areacd", "areanm"], where=Path(ltla_list).name)
        listed = set(lst["areacd"])
        absent = lst[~lst["areacd"].isin(set(gdf["areacd"]))]
        by_name = absent.groupby("areanm")["areacd"].agg(list)
        recoded = []
        for idx, row in gdf[~gdf["areacd"].isin(listed)].iterrows():
            cands = by_name.get(row["areanm"], [])
            if len(cands) == 1:
                gdf.loc[idx, "areacd"] = cands[0]
                recoded.append(f"{row['areanm']} {row['areacd']} -> {cands[0]}")
        if recoded:
            report.repair(
                f"re-coded {len(recoded)} district(s) to the {Path(ltla_list).name} code: " + "; ".join(recoded)
            )
        left = sorted(set(gdf["areacd"]) - listed)
        missing = sorted(listed - set(gdf["areacd"]))
        if left or missing:
            report.note(f"codes not in {Path(ltla_list).name}: {left}; listed but absent: {missing}")
        else:
            report.note(f"all {len(gdf)} codes agree with {Path(ltla_list).name}")
    gdf["country"] = gdf["areacd"].str[0].map(_COUNTRY_BY_PREFIX)
    counts = gdf["country"].value_counts()
    report.note(
        "by country: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + " (Northern Ireland kept; EPSG:27700 is distorted there but usable for distances)"
    )
    # Repair after reprojecting: a valid ring in degrees can self-touch once projected.
    gdf = to_bng(gdf, report, where=SOURCES["ons_topo"].relpath)
    gdf = repair_layer(gdf, report, polygons=True)
    gdf = gdf[["areacd", "areanm", "country", "start", "end", "areacd_topo", "geometry"]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


def _simple(
    topo: Mapping[str, Any] | str | os.PathLike[str], obj: str, name: str, note: str
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    report = layer_report(name, "ons_topo")
    gdf = object_to_geodataframe(_topology(topo), obj)
    report.input_rows = len(gdf)
    require_columns(gdf, ["areacd", "areanm"], where=SOURCES["ons_topo"].relpath + f" (object {obj!r})")
    gdf = drop_rows(gdf, gdf["areacd"].duplicated(), "duplicate area code", report)
    gdf["country"] = gdf["areacd"].str[0].map(_COUNTRY_BY_PREFIX)
    report.note(note)
    # Repair after reprojecting: a valid ring in degrees can self-touch once projected.
    gdf = to_bng(gdf, report, where=SOURCES["ons_topo"].relpath)
    gdf = repair_layer(gdf, report, polygons=True)
    gdf = gdf[["areacd", "areanm", "country", "geometry"]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


def build_regions(topo: Mapping[str, Any] | str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """ONS regions (``rgn`` object): 9 English regions plus Wales, Scotland and Northern Ireland.

    Parameters
    ----------
    topo
        The parsed topology or its path.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``areacd, areanm, country, geometry`` in EPSG:27700.
    report : LayerReport

    Examples
    --------
    >>> def square(x, y, code, name):
    ...     arcs.append([[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]])
    ...     return {"type": "Polygon", "arcs": [[len(arcs) - 1]], "properties": {"areacd": code, "areanm": name}}
    >>> arcs = []
    >>> members = [square(-2, 53, "E12000003", "Yorkshire and The Humber"), square(-4, 56, "S92000003", "Scotland")]
    >>> topo = {"type": "Topology", "arcs": arcs,
    ...         "objects": {"rgn": {"type": "GeometryCollection", "geometries": members}}}
    >>> regions, report = build_regions(topo)
    >>> regions[["areacd", "country"]].values.tolist(), regions.crs.to_epsg()
    ([['E12000003', 'England'], ['S92000003', 'Scotland']], 27700)
    """
    return _simple(
        topo,
        "rgn",
        "regions",
        "ONS 'rgn' object: English regions (E12) with Wales, Scotland and Northern Ireland as whole-country units",
    )


def build_countries(topo: Mapping[str, Any] | str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """UK countries (``ctry`` object), including Northern Ireland.

    Parameters
    ----------
    topo
        The parsed topology or its path.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``areacd, areanm, country, geometry`` in EPSG:27700.
    report : LayerReport

    Examples
    --------
    >>> def square(x, y, code, name):
    ...     arcs.append([[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]])
    ...     return {"type": "Polygon", "arcs": [[len(arcs) - 1]], "properties": {"areacd": code, "areanm": name}}
    >>> arcs = []
    >>> members = [square(-2, 53, "E92000001", "England"), square(-4, 56, "S92000003", "Scotland")]
    >>> topo = {"type": "Topology", "arcs": arcs,
    ...         "objects": {"ctry": {"type": "GeometryCollection", "geometries": members}}}
    >>> countries, report = build_countries(topo)
    >>> countries[["areanm", "country"]].values.tolist(), report.feature_count
    ([['England', 'England'], ['Scotland', 'Scotland']], 2)
    """
    return _simple(topo, "ctry", "countries", "ONS 'ctry' object: the four UK countries")
