"""Grid layers built from NESO, DESNZ and OpenStreetMap data.

GSP regions and points, TEC queue per connection site, the OSM high-voltage network, ETYS and
constraint boundaries, power stations (DUKES) and renewable projects (REPD).
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from growthzones.errors import InputFileError, LayerError
from growthzones.gbdata._common import (
    BNG,
    LayerReport,
    clean_strings,
    drop_rows,
    normalise_site_name,
    points_from_lonlat,
    points_from_xy_bng,
    repair_layer,
    require_columns,
    to_bng,
)
from growthzones.gbdata.sources import layer_report

logger = logging.getLogger(__name__)

__all__ = [
    "REPD_KEEP_STATUSES",
    "TEC_STATUS_COLUMNS",
    "build_constraint_boundaries",
    "build_dno_areas",
    "build_etys_boundaries",
    "build_gsp_points",
    "build_gsp_regions",
    "build_hv_lines",
    "build_hv_substations",
    "build_power_stations",
    "build_repd",
    "build_tec_by_gsp",
    "build_tec_sites",
    "parse_voltage_kv",
    "parse_voltages_kv",
    "read_osm_csv",
    "read_tec_register",
    "summarise_tec_projects",
    "summarise_tec_sites",
]

TEC_STATUS_COLUMNS = {
    "Built": "mw_built",
    "Under Construction/Commissioning": "mw_under_construction",
    "Consents Approved": "mw_consents_approved",
    "Awaiting Consents": "mw_awaiting_consents",
    "Scoping": "mw_scoping",
}
"""TEC ``Project Status`` values and the per-site MW column each is summed into."""

REPD_KEEP_STATUSES = {
    "Operational": "operational",
    "Under Construction": "consented",
    "Awaiting Construction": "consented",
}
"""REPD ``Development Status (short)`` values kept, and the status group each falls in."""


def _read_csv(path: str | os.PathLike[str], **kwargs) -> pd.DataFrame:
    """Read a CSV, stripping a UTF-8 BOM, with a clear error for unreadable files."""
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **kwargs)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"{Path(path).name}: cannot read as CSV ({exc}); check the file is complete and in the expected format"
        raise InputFileError(msg) from exc


def _read_vector(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        msg = f"{Path(path).name}: cannot read as a vector file ({exc})"
        raise InputFileError(msg) from exc


# --------------------------------------------------------------------------------------------
# voltages and OSM CSVs


def parse_voltages_kv(value: object) -> list[float]:
    """Parse a messy OSM voltage tag into distinct voltages in kV, highest first.

    Values are separated by ``;``, ``,`` or ``/``. Numbers above 1000 are volts (OSM's
    convention, ``400000``); smaller numbers are taken as kV already. Non-numeric parts are
    ignored.

    Parameters
    ----------
    value
        e.g. ``"400000;275000;400000"``, ``"132kV"``, ``""`` or None.

    Returns
    -------
    list of float
        e.g. ``[400.0, 275.0]``; empty when nothing parses.

    Examples
    --------
    >>> parse_voltages_kv("400000;275000;400000")
    [400.0, 275.0]
    >>> parse_voltages_kv("132kV / 33")
    [132.0, 33.0]
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return []
    out = set()
    for part in re.split(r"[;,/]", str(value)):
        m = re.search(r"\d+(?:\.\d+)?", part)
        if not m:
            continue
        v = float(m.group())
        if v <= 0:
            continue
        kv = v / 1000.0 if v > 1000 else v
        out.add(round(kv, 3))
    return sorted(out, reverse=True)


def parse_voltage_kv(value: object) -> float:
    """The highest voltage of a messy OSM voltage tag, in kV (NaN when none parses).

    Parameters
    ----------
    value
        e.g. ``"400000;275000"``.

    Returns
    -------
    float
        e.g. ``400.0``.

    Examples
    --------
    >>> parse_voltage_kv("400000;275000")
    400.0
    """
    v = parse_voltages_kv(value)
    return v[0] if v else float("nan")


def _clean_osm_text(s: pd.Series) -> pd.Series:
    """Undo the SQL-style quoting of the export (``'St John''s Wood'``); empty -> missing."""
    s = s.astype("str").str.strip()
    quoted = s.str.len().ge(2) & s.str.startswith("'") & s.str.endswith("'")
    s = s.where(~quoted, s.str[1:-1].str.replace("''", "'", regex=False))
    s = s.str.strip()
    return s.mask(s == "")


def read_osm_csv(path: str | os.PathLike[str], report: LayerReport) -> gpd.GeoDataFrame:
    """Read a '#'-separated OSM power-grid CSV with a ``wkt_srid_4326`` column (``SRID=4326;WKT``).

    Parameters
    ----------
    path
        File path.
    report
        Layer report (unparseable geometries are dropped with a reason).

    Returns
    -------
    geopandas.GeoDataFrame
        All other columns as cleaned text, geometry in the CRS named by the SRID prefix.

    Raises
    ------
    LayerError
        If the WKT column is missing or rows carry different SRIDs.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> import pandas as pd
    >>> pd.DataFrame({"id": ["1", "2"], "voltage": ["400000", "275000"],
    ...               "wkt_srid_4326": ["SRID=4326;LINESTRING (-1 52, -1.1 52.1)", "SRID=4326;NOT WKT"]}).to_csv(
    ...     folder / "links.csv", sep="#", index=False)
    >>> report = LayerReport("hv_lines", ("grid/links.csv",), "ODbL", "OpenStreetMap")
    >>> lines = read_osm_csv(folder / "links.csv", report)
    >>> lines["voltage"].tolist(), lines.crs.to_epsg(), report.dropped
    (['400000'], 4326, {'unparseable WKT geometry': 1})
    """
    name = Path(path).name
    df = _read_csv(path, sep="#", dtype=str, keep_default_na=False, quoting=3)
    require_columns(df, ["wkt_srid_4326"], where=name)
    report.input_rows = len(df)
    wkt = df["wkt_srid_4326"].astype("str").str.strip()
    srid = wkt.str.extract(r"^\s*SRID=(\d+)\s*;", expand=False)
    srids = set(srid.dropna())
    if len(srids) > 1:
        msg = f"{name}: rows carry different SRIDs {sorted(srids)}; split the file by SRID"
        raise LayerError(msg)
    epsg = int(srids.pop()) if srids else 4326
    if not srid.notna().all():
        report.note(f"{int(srid.isna().sum())} WKT value(s) without an SRID prefix taken as EPSG:{epsg}")
    geoms = shapely.from_wkt(wkt.str.replace(r"^\s*SRID=\d+\s*;", "", regex=True).to_numpy(), on_invalid="ignore")
    for col in df.columns:
        if col != "wkt_srid_4326":
            df[col] = _clean_osm_text(df[col])
    gdf = gpd.GeoDataFrame(df.drop(columns=["wkt_srid_4326"]), geometry=geoms, crs=f"EPSG:{epsg}")
    gdf = drop_rows(gdf, gdf.geometry.isna().to_numpy(), "unparseable WKT geometry", report)
    return gdf


def build_hv_lines(links_path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """High-voltage lines from the OSM links CSV, with numeric voltage in kV.

    Parameters
    ----------
    links_path
        ``grid/osm_gb_highvoltage_links.csv``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``line_id, from_vertex, to_vertex, voltage_kv`` (highest), ``voltages_kv`` (all, text),
        ``cables, frequency, name, operator, ref, length_m, geometry`` in EPSG:27700.
    report : LayerReport
    """
    report = layer_report("hv_lines", "osm_links")
    gdf = read_osm_csv(links_path, report)
    name = Path(links_path).name
    require_columns(gdf, ["l_id", "v_id_1", "v_id_2", "voltage"], where=name)
    gdf = drop_rows(
        gdf,
        gdf.drop(columns="geometry").duplicated().to_numpy() & gdf.geometry.duplicated().to_numpy(),
        "exact duplicate row",
        report,
    )
    volts = gdf["voltage"].map(parse_voltages_kv)
    gdf["voltage_kv"] = volts.map(lambda v: v[0] if v else np.nan).astype("float64")
    gdf["voltages_kv"] = volts.map(lambda v: ";".join(f"{x:g}" for x in v) if v else None)
    multi = int(volts.map(len).gt(1).sum())
    if multi:
        report.repair(
            f"{multi} line(s) carry several voltages ('400000;275000'): voltage_kv is the highest, "
            "voltages_kv lists all"
        )
    nov = int(gdf["voltage_kv"].isna().sum())
    if nov:
        report.note(f"{nov} line(s) have no voltage tag: kept with voltage_kv null")
    shared = int(gdf.geometry.to_wkb().duplicated(keep=False).sum())
    if shared:
        report.note(
            f"{shared} lines share their straight-line geometry with another line (parallel circuits "
            "between the same two vertices); kept, as they are distinct circuits"
        )
    report.note(
        "geometries are straight segments between network vertices, not tower-by-tower routes "
        "(OSM grid abstraction c. 2016-17)"
    )
    gdf["line_id"] = pd.to_numeric(gdf["l_id"], errors="coerce").astype("Int64")
    gdf["from_vertex"] = pd.to_numeric(gdf["v_id_1"], errors="coerce").astype("Int64")
    gdf["to_vertex"] = pd.to_numeric(gdf["v_id_2"], errors="coerce").astype("Int64")
    gdf["length_m"] = pd.to_numeric(gdf.get("length_m"), errors="coerce")
    gdf = to_bng(gdf, report, where=name)
    gdf = repair_layer(gdf, report)
    cols = [
        "line_id",
        "from_vertex",
        "to_vertex",
        "voltage_kv",
        "voltages_kv",
        "cables",
        "frequency",
        "name",
        "operator",
        "ref",
        "length_m",
        "geometry",
    ]
    gdf = gdf[[c for c in cols if c in gdf.columns]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


def build_hv_substations(
    vertices_path: str | os.PathLike[str], links_path: str | os.PathLike[str] | None = None
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """Substations from the OSM vertices CSV, with their highest voltage in kV.

    Line joints (``typ == "joint"``, tower junctions) are not substations and are dropped with
    that reason. A substation without a voltage tag takes the highest voltage of the lines that
    end at it (when ``links_path`` is given); ``voltage_source`` says which.

    Parameters
    ----------
    vertices_path
        ``grid/osm_gb_highvoltage_vertices.csv``.
    links_path
        ``grid/osm_gb_highvoltage_links.csv`` (optional).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``vertex_id, kind, name, operator, max_voltage_kv, voltages_kv, voltage_source, geometry``.
    report : LayerReport
    """
    keys = ("osm_vertices",) + (("osm_links",) if links_path is not None else ())
    report = layer_report("hv_substations", *keys)
    gdf = read_osm_csv(vertices_path, report)
    name = Path(vertices_path).name
    require_columns(gdf, ["v_id", "typ", "voltage"], where=name)
    gdf = drop_rows(gdf, gdf["v_id"].duplicated().to_numpy(), "duplicate vertex id", report)
    gdf = drop_rows(gdf, (gdf["typ"] == "joint").to_numpy(), "line joint, not a substation (typ 'joint')", report)
    kinds = {"substation": "substation", "sub_station": "substation", "merge": "substation_merged", "plant": "plant"}
    gdf["kind"] = gdf["typ"].map(kinds).fillna(gdf["typ"])
    volts = gdf["voltage"].map(parse_voltages_kv)
    gdf["voltage_source"] = np.where(volts.map(len) > 0, "vertex tag", None)
    if links_path is not None:
        lreport = layer_report("hv_lines", "osm_links")
        links = read_osm_csv(links_path, lreport)
        lv = links["voltage"].map(parse_voltages_kv)
        ends = pd.concat(
            [
                pd.DataFrame({"v": links["v_id_1"], "kv": lv}),
                pd.DataFrame({"v": links["v_id_2"], "kv": lv}),
            ]
        )
        by_vertex = ends.groupby("v")["kv"].agg(lambda s: sorted({x for v in s for x in v}, reverse=True))
        fill = (volts.map(len) == 0) & gdf["v_id"].isin(by_vertex.index)
        filled = gdf.loc[fill, "v_id"].map(by_vertex)
        filled = filled[filled.map(len) > 0]
        volts.loc[filled.index] = filled
        gdf.loc[filled.index, "voltage_source"] = "connected lines"
        if len(filled):
            report.repair(
                f"{len(filled)} substation(s) without a voltage tag took the highest voltage of their connected lines"
            )
    gdf["max_voltage_kv"] = volts.map(lambda v: v[0] if v else np.nan).astype("float64")
    gdf["voltages_kv"] = volts.map(lambda v: ";".join(f"{x:g}" for x in v) if v else None)
    nov = int(gdf["max_voltage_kv"].isna().sum())
    if nov:
        report.note(f"{nov} substation(s) have no known voltage: kept with max_voltage_kv null")
    gdf["vertex_id"] = pd.to_numeric(gdf["v_id"], errors="coerce").astype("Int64")
    gdf = to_bng(gdf, report, where=name)
    gdf = repair_layer(gdf, report)
    cols = ["vertex_id", "kind", "name", "operator", "max_voltage_kv", "voltages_kv", "voltage_source", "geometry"]
    gdf = gdf[cols].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


# --------------------------------------------------------------------------------------------
# GSPs


def _read_gsp_info(path: str | os.PathLike[str]) -> pd.DataFrame:
    df = clean_strings(_read_csv(path, dtype={"GSP ID": str, "GSP Group": str, "Minor FLOP": str, "Name": str}))
    require_columns(df, ["GSP ID", "GSP Group", "Name", "Latitude", "Longitude"], where=Path(path).name)
    return df


def build_gsp_points(gsp_info_path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """GSP points from the FES 2025 GSP list (lat/lon).

    Parameters
    ----------
    gsp_info_path
        ``grid/fes2025_regional_breakdown_gsp_info.csv``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``gsp_id, name, gsp_group, minor_flop, location_basis, comments, geometry``.
    report : LayerReport
    """
    report = layer_report("gsp_points", "gsp_info")
    df = _read_gsp_info(gsp_info_path)
    report.input_rows = len(df)
    df = drop_rows(df, df["GSP ID"].isna(), "missing GSP ID", report)
    df = drop_rows(df, df["GSP ID"].duplicated(), "duplicate GSP ID", report)
    centroid = df["Comments"].fillna("").str.contains("centroid", case=False)
    df["location_basis"] = np.where(centroid, "GSP region centroid", "as listed")
    report.note(
        f"{int(centroid.sum())} of {len(df)} points are GSP-region centroids (per the Comments column), "
        "not substation locations"
    )
    gdf = points_from_lonlat(df, "Longitude", "Latitude", report, where=Path(gsp_info_path).name)
    gdf = gdf.rename(
        columns={
            "GSP ID": "gsp_id",
            "Name": "name",
            "GSP Group": "gsp_group",
            "Minor FLOP": "minor_flop",
            "Comments": "comments",
        }
    )
    gdf = gdf[["gsp_id", "name", "gsp_group", "minor_flop", "location_basis", "comments", "geometry"]]
    gdf = gdf.reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


def build_gsp_regions(
    regions_path: str | os.PathLike[str], gsp_info_path: str | os.PathLike[str] | None = None
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """GSP region polygons, joined to the FES GSP list for names and groups.

    Parameters
    ----------
    regions_path
        ``grid/neso_gsp_regions.geojson``.
    gsp_info_path
        ``grid/fes2025_regional_breakdown_gsp_info.csv`` (optional): joined on the region's GSP
        code (``gsp_name`` in the GeoJSON, ``GSP ID`` in the list).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``gsp_id, gsp_num, region_id, region_name, gsp_group, fes_name, minor_flop, geometry``.
    report : LayerReport
    """
    keys = ("gsp_regions",) + (("gsp_info",) if gsp_info_path is not None else ())
    report = layer_report("gsp_regions", *keys)
    name = Path(regions_path).name
    gdf = clean_strings(_read_vector(regions_path))
    report.input_rows = len(gdf)
    require_columns(gdf, ["gsp_name", "RegionID", "RegionName"], where=name)
    gdf = drop_rows(gdf, gdf["gsp_name"].isna().to_numpy(), "missing GSP code (gsp_name)", report)
    gdf = drop_rows(gdf, gdf["gsp_name"].duplicated().to_numpy(), "duplicate GSP code", report)
    out = gpd.GeoDataFrame(
        {
            "gsp_id": gdf["gsp_name"],
            "gsp_num": pd.to_numeric(gdf.get("gsp_id"), errors="coerce").astype("Int64"),
            "region_id": pd.to_numeric(gdf["RegionID"], errors="coerce").astype("Int64"),
            "region_name": gdf["RegionName"],
            "gsp_group": gdf.get("pes_name"),
        },
        geometry=gdf.geometry,
        crs=gdf.crs,
    )
    shared = int(out["region_id"].duplicated(keep=False).sum())
    if shared:
        report.note(f"{shared} polygons share a region_id with another (one region split across several GSPs)")
    if gsp_info_path is not None:
        info = _read_gsp_info(gsp_info_path).drop_duplicates("GSP ID")
        info = info.rename(
            columns={"GSP ID": "gsp_id", "Name": "fes_name", "GSP Group": "fes_gsp_group", "Minor FLOP": "minor_flop"}
        )[["gsp_id", "fes_name", "fes_gsp_group", "minor_flop"]]
        out = out.merge(info, on="gsp_id", how="left")
        matched = int(out["fes_name"].notna().sum())
        report.note(f"joined FES GSP list on GSP code: {matched} of {len(out)} regions matched")
        out["gsp_group"] = out["gsp_group"].fillna(out["fes_gsp_group"])
        out = out.drop(columns="fes_gsp_group")
    out = to_bng(out, report, where=name)
    out = repair_layer(out, report, polygons=True)
    out = out.reset_index(drop=True)
    report.feature_count = len(out)
    return out, report


def build_dno_areas(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """DNO licence areas (14 polygons).

    Parameters
    ----------
    path
        ``grid/neso_dno_licence_areas.geojson``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``dno_id, gsp_group, name, geometry``.
    report : LayerReport

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gpd.GeoDataFrame({"ID": [10], "Name": ["_A"], "LongName": ["Eastern England"]},
    ...                  geometry=[box(0.0, 52.0, 1.0, 53.0)], crs="EPSG:4326").to_file(folder / "dno.geojson")
    >>> areas, report = build_dno_areas(folder / "dno.geojson")
    >>> areas.drop(columns="geometry").values.tolist(), areas.crs.to_epsg(), report.name
    ([[10, '_A', 'Eastern England']], 27700, 'dno_areas')
    """
    report = layer_report("dno_areas", "dno_areas")
    gdf = clean_strings(_read_vector(path))
    report.input_rows = len(gdf)
    require_columns(gdf, ["ID", "Name", "LongName"], where=Path(path).name)
    gdf = gdf.rename(columns={"ID": "dno_id", "Name": "gsp_group", "LongName": "name"})
    gdf = to_bng(gdf, report, where=Path(path).name)
    gdf = repair_layer(gdf, report, polygons=True)
    gdf = gdf[["dno_id", "gsp_group", "name", "geometry"]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


# --------------------------------------------------------------------------------------------
# TEC register


def read_tec_register(path: str | os.PathLike[str], report: LayerReport) -> pd.DataFrame:
    """Read and clean the TEC register CSV.

    Rows without a connection site and exact duplicates are dropped with a reason.

    Parameters
    ----------
    path
        ``grid/tec-register-*.csv``.
    report
        Layer report.

    Returns
    -------
    pandas.DataFrame
        The register with numeric MW columns, ``Stage`` as a number (NaN for single-stage
        projects), and a ``project_key`` column (``Project ID``, else the project number
        without its ``-<stage>`` suffix, else the project name).
    """
    df = clean_strings(_read_csv(path, dtype=str, keep_default_na=False))
    cols = ["Project Name", "Connection Site", "Cumulative Total Capacity (MW)", "Project Status"]
    require_columns(df, cols, where=Path(path).name)
    report.input_rows = len(df)
    for c in ("MW Connected", "MW Increase / Decrease", "Cumulative Total Capacity (MW)", "Stage"):
        if c in df:
            df[c] = pd.to_numeric(df[c].str.replace(",", "", regex=False), errors="coerce")
    df = drop_rows(df, df["Connection Site"].isna(), "no connection site given", report)
    df = drop_rows(df, df.duplicated(), "exact duplicate row", report)
    bad = df["Cumulative Total Capacity (MW)"].isna()
    df = drop_rows(df, bad, "non-numeric 'Cumulative Total Capacity (MW)'", report)
    key = df["Project ID"] if "Project ID" in df else pd.Series(pd.NA, index=df.index, dtype="str")
    if "Project Number" in df:
        key = key.fillna(df["Project Number"].str.replace(r"-\d+$", "", regex=True))
    df["project_key"] = key.fillna(df["Project Name"])
    return df


def summarise_tec_projects(df: pd.DataFrame, report: LayerReport | None = None) -> pd.DataFrame:
    """Collapse staged TEC rows to one row per project.

    A staged project has one row per stage and ``Cumulative Total Capacity (MW)`` runs up over
    the stages, so the project's contracted MW is the cumulative figure of its last (highest)
    stage; its connection site, status and plant type are taken from that row too.

    Parameters
    ----------
    df
        Output of :func:`read_tec_register`.
    report
        Optional report; the number of stage rows merged is noted.

    Returns
    -------
    pandas.DataFrame
        One row per ``project_key`` with ``contracted_mw`` and the register's columns.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"project_key": ["p1", "p1", "p2"], "Stage": [1, 2, None],
    ...                      "Cumulative Total Capacity (MW)": [100, 250, 50]})
    >>> summarise_tec_projects(rows)[["project_key", "contracted_mw"]].values.tolist()
    [['p1', 250.0], ['p2', 50.0]]
    """
    order = df.assign(_stage=df["Stage"].fillna(0) if "Stage" in df else 0).sort_values(["project_key", "_stage"])
    last = order.groupby("project_key", sort=False).tail(1).drop(columns="_stage")
    last = last.assign(contracted_mw=last["Cumulative Total Capacity (MW)"].astype("float64"))
    merged = len(df) - len(last)
    if report is not None and merged:
        report.note(
            f"{merged} stage row(s) of staged projects merged into their project "
            "(contracted MW = cumulative total of the last stage)"
        )
    return last.reset_index(drop=True)


def summarise_tec_sites(projects: pd.DataFrame) -> pd.DataFrame:
    """Queue pressure per connection site: contracted MW, MW by status, project count.

    Connection-site names are grouped by :func:`normalise_site_name`, so spelling variants
    ("New deer 275kV", "New Deer 275kV Substation") count as one site.

    Parameters
    ----------
    projects
        Output of :func:`summarise_tec_projects`.

    Returns
    -------
    pandas.DataFrame
        One row per site: ``site_key, site_name, connection_sites, host_to, max_voltage_kv,
        projects, projects_built, contracted_mw, mw_built, mw_not_built`` and one ``mw_<status>``
        column per :data:`TEC_STATUS_COLUMNS`; sorted by ``site_key``.

    Examples
    --------
    >>> import pandas as pd
    >>> projects = pd.DataFrame({"Connection Site": ["Drax 400kV", "Drax 400kV", "Walpole 400kV"],
    ...                          "Project Status": ["Built", "Scoping", "Awaiting Consents"],
    ...                          "contracted_mw": [100.0, 50.0, 200.0], "HOST TO": ["NGET"] * 3})
    >>> sites = summarise_tec_sites(projects)
    >>> sites[["site_key", "projects", "contracted_mw", "mw_built", "mw_not_built"]].values.tolist()
    [['drax', 2, 150.0, 100.0, 50.0], ['walpole', 1, 200.0, 0.0, 200.0]]
    """
    p = projects.copy()
    p["site_key"] = p["Connection Site"].map(normalise_site_name)
    p.loc[p["site_key"] == "", "site_key"] = p["Connection Site"].str.lower()
    p["_kv"] = p["Connection Site"].map(_name_voltage_kv)
    p["_built"] = p["Project Status"].eq("Built")
    for status, col in TEC_STATUS_COLUMNS.items():
        p[col] = np.where(p["Project Status"].eq(status), p["contracted_mw"], 0.0)
    p["_other"] = np.where(~p["Project Status"].isin(list(TEC_STATUS_COLUMNS)), p["contracted_mw"], 0.0)
    g = p.groupby("site_key", sort=True)
    out = pd.DataFrame(
        {
            "site_name": g["Connection Site"].agg(lambda s: s.value_counts().index[0]),
            "connection_sites": g["Connection Site"].agg(lambda s: "; ".join(sorted(set(s)))),
            "host_to": g["HOST TO"].agg(lambda s: "; ".join(sorted(set(s.dropna())))) if "HOST TO" in p else None,
            "max_voltage_kv": g["_kv"].max(),
            "projects": g.size(),
            "projects_built": g["_built"].sum(),
            "contracted_mw": g["contracted_mw"].sum(),
        }
    )
    for col in TEC_STATUS_COLUMNS.values():
        out[col] = g[col].sum()
    out["mw_other_status"] = g["_other"].sum()
    out["mw_not_built"] = out["contracted_mw"] - out["mw_built"]
    out["projects"] = out["projects"].astype("int64")
    out["projects_built"] = out["projects_built"].astype("int64")
    return out.reset_index()


def _name_voltage_kv(name: str) -> float:
    """Highest voltage named in a site name ('Torness 400/132kV' -> 400)."""
    found = [float(x) for m in re.finditer(r"(\d+(?:/\d+)*)\s*kv", str(name).lower()) for x in m.group(1).split("/")]
    return max(found) if found else np.nan


def _strip_qualifier(key: str) -> str:
    """Drop a trailing single letter or number ('waltham cross b' -> 'waltham cross')."""
    return re.sub(r"\s+([a-z]|\d+)$", "", key)


def _lookup_table(
    substation_coords: pd.DataFrame | None, osm_substations: gpd.GeoDataFrame | None, gsp_info: pd.DataFrame | None
) -> pd.DataFrame:
    """Name -> (lon, lat, source) lookup, first source wins: ETYS site list, OSM, FES GSP list."""
    frames = []
    if substation_coords is not None:
        frames.append(
            pd.DataFrame(
                {
                    "key": substation_coords["site_name"].map(normalise_site_name),
                    "lon": pd.to_numeric(substation_coords["lon"], errors="coerce"),
                    "lat": pd.to_numeric(substation_coords["lat"], errors="coerce"),
                    "source": "substation_coordinates",
                    "match_name": substation_coords["site_name"],
                }
            )
        )
    if osm_substations is not None and len(osm_substations):
        pts = osm_substations.to_crs(4326)
        names = pts["name"].fillna("").str.split(";")
        exploded = pd.DataFrame({"name": names, "lon": pts.geometry.x, "lat": pts.geometry.y}).explode("name")
        exploded = exploded[exploded["name"].str.strip() != ""]
        frames.append(
            pd.DataFrame(
                {
                    "key": exploded["name"].map(normalise_site_name),
                    "lon": exploded["lon"],
                    "lat": exploded["lat"],
                    "source": "osm_substations",
                    "match_name": exploded["name"].str.strip(),
                }
            )
        )
    if gsp_info is not None:
        frames.append(
            pd.DataFrame(
                {
                    "key": gsp_info["Name"].map(normalise_site_name),
                    "lon": pd.to_numeric(gsp_info["Longitude"], errors="coerce"),
                    "lat": pd.to_numeric(gsp_info["Latitude"], errors="coerce"),
                    "source": "fes_gsp_list",
                    "match_name": gsp_info["Name"],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["key", "lon", "lat", "source", "match_name"])
    table = pd.concat(frames, ignore_index=True)
    table = table[(table["key"] != "") & table["lon"].notna() & table["lat"].notna()]
    return table.drop_duplicates("key", keep="first").set_index("key")


def build_tec_sites(
    tec_path: str | os.PathLike[str],
    *,
    substation_coords_path: str | os.PathLike[str] | None = None,
    gsp_info_path: str | os.PathLike[str] | None = None,
    osm_substations: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, LayerReport, pd.DataFrame]:
    """TEC register summarised per connection site and geocoded by name.

    Geocoding matches the normalised site name against, in order: the ETYS
    ``substation_coordinates.csv`` site names, OSM substation names, and FES GSP names; then
    the same again with a trailing qualifier removed ("Waltham Cross B" -> "Waltham Cross").
    ``geocode_source`` and ``geocode_match`` say what matched. Sites that match nothing (mostly
    planned "Connection Node" substations and offshore platforms) cannot be placed: they are
    counted as dropped from the spatial layer and returned, in full, as a plain table.

    Parameters
    ----------
    tec_path
        ``grid/tec-register-*.csv``.
    substation_coords_path
        ``grid/substation_coordinates.csv`` (optional).
    gsp_info_path
        ``grid/fes2025_regional_breakdown_gsp_info.csv`` (optional).
    osm_substations
        Output of :func:`build_hv_substations` (optional).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        Geocoded sites (columns of :func:`summarise_tec_sites` plus ``geocode_source,
        geocode_match, geometry``), EPSG:27700.
    report : LayerReport
    ungeocoded : pandas.DataFrame
        The sites that could not be placed, same columns without geometry.
    """
    keys = ["tec"]
    if substation_coords_path is not None:
        keys.append("substation_coords")
    if osm_substations is not None:
        keys.append("osm_vertices")
    if gsp_info_path is not None:
        keys.append("gsp_info")
    report = layer_report("tec_sites", *keys)
    tec = read_tec_register(tec_path, report)
    projects = summarise_tec_projects(tec, report)
    sites = summarise_tec_sites(projects)
    report.note(
        f"{len(projects)} projects at {len(sites)} connection sites "
        f"({tec['Connection Site'].nunique()} distinct spellings before name normalisation)"
    )
    subs = None
    if substation_coords_path is not None:
        subs = clean_strings(_read_csv(substation_coords_path, dtype={"site_code": str, "site_name": str}))
        require_columns(subs, ["site_name", "lat", "lon"], where=Path(substation_coords_path).name)
    info = _read_gsp_info(gsp_info_path) if gsp_info_path is not None else None
    table = _lookup_table(subs, osm_substations, info)
    exact = sites["site_key"].map(lambda k: k if k in table.index else None)
    loose = sites["site_key"].map(_strip_qualifier).map(lambda k: k if k in table.index else None)
    hit = exact.fillna(loose)
    sites["geocode_source"] = hit.map(lambda k: table.at[k, "source"] if isinstance(k, str) else None)
    sites.loc[exact.isna() & loose.notna(), "geocode_source"] += " (qualifier dropped)"
    sites["geocode_match"] = hit.map(lambda k: table.at[k, "match_name"] if isinstance(k, str) else None)
    sites["lon"] = hit.map(lambda k: table.at[k, "lon"] if isinstance(k, str) else np.nan).astype("float64")
    sites["lat"] = hit.map(lambda k: table.at[k, "lat"] if isinstance(k, str) else np.nan).astype("float64")
    found = sites["lon"].notna()
    mw_share = sites.loc[found, "contracted_mw"].sum() / max(sites["contracted_mw"].sum(), 1e-9)
    by_source = sites.loc[found, "geocode_source"].value_counts()
    report.note(
        f"geocoded {int(found.sum())} of {len(sites)} connection sites ({mw_share:.0%} of contracted MW): "
        + ", ".join(f"{k} {v}" for k, v in by_source.items())
    )
    ungeocoded = sites.loc[~found].drop(columns=["lon", "lat"]).reset_index(drop=True)
    sites = drop_rows(sites, ~found, "connection site not geocoded (listed in table tec_sites_ungeocoded)", report)
    report.note("queue pressure = contracted TEC MW; mw_built = projects with status Built, mw_not_built = the rest")
    gdf = points_from_lonlat(sites, "lon", "lat", report, where=Path(tec_path).name)
    gdf = gdf.drop(columns=["lon", "lat"]).reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report, ungeocoded


def build_tec_by_gsp(
    tec_sites: gpd.GeoDataFrame, gsp_regions: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """TEC queue pressure per GSP region: sums over the geocoded sites inside each region.

    Parameters
    ----------
    tec_sites
        Output of :func:`build_tec_sites` (EPSG:27700).
    gsp_regions
        Output of :func:`build_gsp_regions` (EPSG:27700).

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        The GSP regions with ``tec_sites, tec_projects, tec_contracted_mw, tec_mw_built,
        tec_mw_not_built`` (0 where no site falls inside).
    report : LayerReport

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> tec = gpd.GeoDataFrame({"site_key": ["drax", "walpole", "offshore"], "projects": [2, 1, 4],
    ...                         "contracted_mw": [150.0, 200.0, 10.0], "mw_built": [100.0, 0.0, 0.0],
    ...                         "mw_not_built": [50.0, 200.0, 10.0]},
    ...                        geometry=[Point(5, 5), Point(6, 6), Point(50, 50)], crs="EPSG:27700")
    >>> gsp = gpd.GeoDataFrame({"gsp_id": ["G1", "G2"]}, geometry=[box(0, 0, 10, 10), box(20, 20, 30, 30)],
    ...                        crs="EPSG:27700")
    >>> out, report = build_tec_by_gsp(tec, gsp)
    >>> out[["gsp_id", "tec_sites", "tec_contracted_mw"]].values.tolist()
    [['G1', 2, 350.0], ['G2', 0, 0.0]]
    """
    report = layer_report("tec_by_gsp", "tec", "gsp_regions")
    if tec_sites.crs != gsp_regions.crs:
        msg = f"tec_sites CRS {tec_sites.crs} differs from gsp_regions CRS {gsp_regions.crs}; reproject first"
        raise LayerError(msg)
    report.input_rows = len(gsp_regions)
    report.source_crs = f"{gsp_regions.crs.to_string()} (derived from gsp_regions and tec_sites)"
    pts = tec_sites[["site_key", "projects", "contracted_mw", "mw_built", "mw_not_built", "geometry"]]
    joined = gpd.sjoin(pts, gsp_regions[["gsp_id", "geometry"]], how="left", predicate="within")
    # Slivers where GSP polygons overlap put a site in two regions: keep the first so MW is not double counted.
    dup = int(joined.index.duplicated().sum())
    joined = joined[~joined.index.duplicated(keep="first")]
    outside = int(joined["gsp_id"].isna().sum())
    agg = (
        joined.dropna(subset=["gsp_id"])
        .groupby("gsp_id")
        .agg(
            tec_sites=("site_key", "size"),
            tec_projects=("projects", "sum"),
            tec_contracted_mw=("contracted_mw", "sum"),
            tec_mw_built=("mw_built", "sum"),
            tec_mw_not_built=("mw_not_built", "sum"),
        )
    )
    out = gsp_regions.merge(agg, left_on="gsp_id", right_index=True, how="left")
    for c in agg.columns:
        out[c] = out[c].fillna(0)
    out["tec_sites"] = out["tec_sites"].astype("int64")
    out["tec_projects"] = out["tec_projects"].astype("int64")
    report.note(
        f"{len(pts) - outside} of {len(pts)} geocoded TEC sites fall inside a GSP region; {outside} "
        "(mostly offshore or coastal) fall in none and are not counted"
    )
    if dup:
        report.note(f"{dup} site(s) fell in overlapping GSP polygons: counted once, in the first region")
    report.note("approximation: transmission-connected sites are counted in the GSP region they lie in")
    report.feature_count = len(out)
    return out.reset_index(drop=True), report


# --------------------------------------------------------------------------------------------
# boundaries


def build_etys_boundaries(
    shp_path: str | os.PathLike[str], constraint_boundaries: gpd.GeoDataFrame | None = None
) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """ETYS boundary lines (shapefile, CRS from its .prj).

    Parameters
    ----------
    shp_path
        ``grid/etys_boundaries/etys_boundaries_mar25.shp``.
    constraint_boundaries
        Output of :func:`build_constraint_boundaries` (optional): ``capability_mw`` is joined on
        the boundary name.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``boundary_id, boundary, capability_mw, geometry``.
    report : LayerReport
    """
    keys = ("etys_boundaries",) + (("constraint_boundaries",) if constraint_boundaries is not None else ())
    report = layer_report("etys_boundaries", *keys)
    gdf = clean_strings(_read_vector(shp_path))
    report.input_rows = len(gdf)
    require_columns(gdf, ["Boundary_n", "ID"], where=Path(shp_path).name)
    gdf = gdf.rename(columns={"Boundary_n": "boundary", "ID": "boundary_id"})
    gdf = drop_rows(
        gdf,
        gdf.drop(columns="geometry").duplicated().to_numpy() & gdf.geometry.duplicated().to_numpy(),
        "exact duplicate row",
        report,
    )
    gdf = to_bng(gdf, report, where=Path(shp_path).name)
    gdf = repair_layer(gdf, report)
    if constraint_boundaries is not None:
        cap = constraint_boundaries.drop_duplicates("boundary").set_index("boundary")["capability_mw"]
        gdf["capability_mw"] = gdf["boundary"].map(cap).astype("float64")
        report.note(
            f"capability_mw joined from the NESO constraint boundaries by name for "
            f"{int(gdf['capability_mw'].notna().sum())} of {len(gdf)} boundaries"
        )
    else:
        gdf["capability_mw"] = np.nan
    gdf = gdf[["boundary_id", "boundary", "capability_mw", "geometry"]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


def build_constraint_boundaries(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """NESO transmission constraint boundaries with clean names and numeric capability (MW).

    In the source, when a boundary has no capability figure its region name sits in the
    ``Capability`` column and ``Region`` is empty. Such rows are repaired: the text moves to
    ``region`` and ``capability_mw`` is null. ``Constraint`` "TBC" becomes null.

    Parameters
    ----------
    path
        ``grid/neso_transmission_constraint_boundaries.geojson``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``boundary, capability_mw, region, constraint, geometry``.
    report : LayerReport
    """
    report = layer_report("constraint_boundaries", "constraint_boundaries")
    gdf = clean_strings(_read_vector(path))
    report.input_rows = len(gdf)
    gdf.columns = [c.strip() if isinstance(c, str) else c for c in gdf.columns]
    require_columns(gdf, ["Boundary name", "Capability"], where=Path(path).name)
    if "Region" not in gdf:
        gdf["Region"] = None
    if "Constraint" not in gdf:
        gdf["Constraint"] = None
    gdf["boundary"] = gdf["Boundary name"].fillna(gdf.get("id"))
    gdf = drop_rows(gdf, gdf["boundary"].isna().to_numpy(), "no boundary name", report)
    cap_text = gdf["Capability"].astype("str").str.replace(",", "", regex=False).str.replace(r"\s*MW$", "", regex=True)
    cap = pd.to_numeric(cap_text, errors="coerce")
    shifted = cap.isna() & gdf["Capability"].notna() & gdf["Region"].isna()
    gdf["region"] = gdf["Region"].where(~shifted, gdf["Capability"])
    gdf["capability_mw"] = cap.astype("float64")
    if shifted.any():
        report.repair(
            f"{int(shifted.sum())} row(s) had the region name in 'Capability' (columns shifted): "
            "moved to region, capability_mw null"
        )
    constraint = gdf["Constraint"]
    tbc = constraint.fillna("").str.upper().eq("TBC")
    gdf["constraint"] = constraint.mask(tbc)
    if tbc.any():
        report.note(f"{int(tbc.sum())} 'TBC' constraint value(s) stored as null")
    gdf = drop_rows(gdf, gdf["boundary"].duplicated().to_numpy(), "duplicate boundary name", report)
    report.note("the coordinates_string column (a lat,lon copy of the geometry) is not kept")
    gdf = to_bng(gdf, report, where=Path(path).name)
    gdf = repair_layer(gdf, report)
    gdf = gdf[["boundary", "capability_mw", "region", "constraint", "geometry"]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


# --------------------------------------------------------------------------------------------
# generation


def build_power_stations(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """DUKES 5.11 power stations with capacity (MW) and fuel, at their BNG coordinates.

    Parameters
    ----------
    path
        ``grid/dukes_power_station_coordinates.csv``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``name, fuel, capacity_mw, company, country, region, geometry``.
    report : LayerReport
    """
    report = layer_report("power_stations", "dukes")
    df = clean_strings(_read_csv(path))
    require_columns(
        df, ["station_name", "x_coordinate", "y_coordinate", "technology", "capacity_mw"], where=Path(path).name
    )
    report.input_rows = len(df)
    df["capacity_mw"] = pd.to_numeric(df["capacity_mw"], errors="coerce")
    # The same station listed under two owners with identical name, place, fuel and size is one plant.
    dup = df.duplicated(["station_name", "x_coordinate", "y_coordinate", "technology", "capacity_mw"])
    df = drop_rows(df, dup, "duplicate station (same name, coordinates, fuel and capacity under another owner)", report)
    fuel = df["technology"].str.strip()
    canon = {f.lower(): f for f in fuel.dropna().unique() if f[:1].isupper() and f[1:] != f[1:].lower()}
    df["fuel"] = fuel.map(lambda f: canon.get(str(f).lower(), f))
    fixed = int((df["fuel"] != fuel).sum())
    if fixed:
        report.repair(f"{fixed} fuel label(s) normalised for case (e.g. 'Pumped hydro' -> 'Pumped Hydro')")
    nocap = int(df["capacity_mw"].isna().sum())
    if nocap:
        report.note(f"{nocap} station(s) without a capacity kept with capacity_mw null")
    gdf = points_from_xy_bng(df, "x_coordinate", "y_coordinate", report)
    gdf = gdf.rename(columns={"station_name": "name", "company_name": "company"})
    cols = ["name", "fuel", "capacity_mw", "company", "country", "region", "geometry"]
    gdf = gdf[[c for c in cols if c in gdf.columns]].reset_index(drop=True)
    report.feature_count = len(gdf)
    return gdf, report


def build_repd(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, LayerReport]:
    """REPD renewable projects that are operational or consented, at their BNG X/Y.

    Kept statuses are :data:`REPD_KEEP_STATUSES` (operational; under/awaiting construction =
    consented). Other statuses (refused, withdrawn, abandoned, expired, decommissioned,
    submitted...) are dropped with that reason, and so are rows with missing or garbage
    coordinates. Northern Ireland rows are in the same grid (checked: their X/Y fall west of
    GB in EPSG:27700, not in Irish Grid ranges).

    Parameters
    ----------
    path
        ``grid/repd-*.csv``.

    Returns
    -------
    gdf : geopandas.GeoDataFrame
        ``ref_id, name, operator, technology, storage_type, capacity_mw, status, status_group,
        country, region, county, planning_authority, operational_date, geometry``.
    report : LayerReport
    """
    report = layer_report("repd", "repd")
    df = clean_strings(_read_csv(path, dtype=str, keep_default_na=False))
    need = [
        "Ref ID",
        "Site Name",
        "Technology Type",
        "Installed Capacity (MWelec)",
        "Development Status (short)",
        "X-coordinate",
        "Y-coordinate",
    ]
    require_columns(df, need, where=Path(path).name)
    report.input_rows = len(df)
    df = drop_rows(df, df.duplicated(), "exact duplicate row", report)
    df = drop_rows(df, df["Ref ID"].notna() & df["Ref ID"].duplicated(), "duplicate Ref ID", report)
    status = df["Development Status (short)"]
    keep = status.isin(list(REPD_KEEP_STATUSES))
    excluded = status[~keep].fillna("(blank)").value_counts()
    df = drop_rows(df, ~keep, "status not operational or consented", report)
    if len(excluded):
        report.note("excluded statuses: " + ", ".join(f"{k} {v}" for k, v in excluded.items()))
    df["capacity_mw"] = pd.to_numeric(
        df["Installed Capacity (MWelec)"].str.replace(",", "", regex=False), errors="coerce"
    )
    nocap = int(df["capacity_mw"].isna().sum())
    if nocap:
        report.note(f"{nocap} project(s) without an installed capacity kept with capacity_mw null")
    gdf = points_from_xy_bng(df, "X-coordinate", "Y-coordinate", report)
    out = gpd.GeoDataFrame(
        {
            "ref_id": pd.to_numeric(gdf["Ref ID"], errors="coerce").astype("Int64"),
            "name": gdf["Site Name"],
            "operator": gdf.get("Operator (or Applicant)"),
            "technology": gdf["Technology Type"],
            "storage_type": gdf.get("Storage Type"),
            "capacity_mw": gdf["capacity_mw"].astype("float64"),
            "status": gdf["Development Status (short)"],
            "status_group": gdf["Development Status (short)"].map(REPD_KEEP_STATUSES),
            "country": gdf.get("Country"),
            "region": gdf.get("Region"),
            "county": gdf.get("County"),
            "planning_authority": gdf.get("Planning Authority"),
            "operational_date": gdf.get("Operational"),
        },
        geometry=gdf.geometry,
        crs=BNG,
    )
    out = out.reset_index(drop=True)
    report.feature_count = len(out)
    return out, report
