"""Registry of the public GB open-data files the layer stack is built from.

Each entry names the file by its path relative to the source folder (the layout of
``../shared/gb-open-data``), says what it is, where it came from, its licence and the
attribution a map or report must carry. :func:`source_path` resolves an entry and raises an
:class:`~growthzones.errors.InputFileError` naming the expected relative path when it is missing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from growthzones.errors import InputFileError
from growthzones.gbdata._common import LayerReport

__all__ = [
    "SOURCES",
    "SourceFile",
    "check_source_dir",
    "layer_report",
    "source_path",
]

OGL = "Open Government Licence v3.0"
NESO_LICENCE = "NESO Open Data Licence"
ODBL = "Open Database License (ODbL) 1.0"
GB_NATIONS = ("England", "Scotland", "Wales")
CC_BY = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
ODBL_SHARE_ALIKE = (
    "Open Database License (ODbL) 1.0: share-alike; a published database derived from it must be offered under ODbL"
)

_ONS_ATTR = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right 2025"
)
_NESO_ATTR = "Contains data from the National Energy System Operator (NESO), NESO Open Data Licence"
_OSM_ATTR = "© OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class SourceFile:
    """One input file of the GB layer stack.

    Attributes
    ----------
    key
        Short identifier used in the code.
    relpath
        Path relative to the source folder, with forward slashes.
    what
        What the file is, in words (used in error messages).
    source
        Original publisher / repository.
    licence
        Licence name.
    attribution
        Attribution text to show wherever the data are shown.
    nations
        The nations of Great Britain the file's data cover.
    """

    key: str
    relpath: str
    what: str
    source: str
    licence: str
    attribution: str
    nations: tuple[str, ...] = GB_NATIONS


_ENTRIES = [
    SourceFile(
        "ons_topo",
        "boundaries/ons_uk_topo.json",
        "ONS UK boundaries TopoJSON (local authority districts with start/end years, regions, countries)",
        "ONSvisual/uk-topojson output/topo.json (ONS Open Geography Portal)",
        OGL,
        _ONS_ATTR,
    ),
    SourceFile(
        "ltla25",
        "boundaries/ltla25.csv",
        "ONS list of local authority district codes and names, 2025",
        "ONSvisual/geo-scripts output/lists",
        OGL,
        _ONS_ATTR,
    ),
    SourceFile(
        "gsp_regions",
        "grid/neso_gsp_regions.geojson",
        "NESO grid supply point (GSP) region polygons, GeoJSON",
        "NESO via openclimatefix/quartz-frontend gsp-regions.json",
        NESO_LICENCE,
        _NESO_ATTR,
    ),
    SourceFile(
        "dno_areas",
        "grid/neso_dno_licence_areas.geojson",
        "NESO DNO licence area polygons, GeoJSON",
        "NESO via openclimatefix/quartz-frontend dno_license_areas_20200506.json",
        NESO_LICENCE,
        _NESO_ATTR,
    ),
    SourceFile(
        "constraint_boundaries",
        "grid/neso_transmission_constraint_boundaries.geojson",
        "NESO transmission constraint boundaries with capability figures, GeoJSON",
        "NESO via openclimatefix/quartz-frontend ng_constraint_boundaries.json",
        NESO_LICENCE,
        _NESO_ATTR,
    ),
    SourceFile(
        "etys_boundaries",
        "grid/etys_boundaries/etys_boundaries_mar25.shp",
        "NESO ETYS boundary lines, shapefile (with .prj)",
        "NESO ETYS boundary GIS data Mar 2025 via andrewlyden/PyPSA-GB",
        NESO_LICENCE,
        _NESO_ATTR,
    ),
    SourceFile(
        "gsp_info",
        "grid/fes2025_regional_breakdown_gsp_info.csv",
        "NESO FES 2025 GSP list (id, group, name, lat/lon), CSV",
        "NESO FES 2025 regional breakdown via andrewlyden/PyPSA-GB",
        NESO_LICENCE,
        _NESO_ATTR,
    ),
    SourceFile(
        "tec",
        "grid/tec-register-02-september-2025.csv",
        "NESO Transmission Entry Capacity (TEC) register, CSV",
        "NESO TEC register 2 Sep 2025 via andrewlyden/PyPSA-GB",
        NESO_LICENCE,
        _NESO_ATTR,
    ),
    SourceFile(
        "substation_coords",
        "grid/substation_coordinates.csv",
        "ETYS transmission site coordinates (site_code, site_name, lat, lon), CSV",
        "andrewlyden/PyPSA-GB data/network/ETYS (NESO names, OSM/Nominatim geocoding)",
        f"{NESO_LICENCE}; {ODBL}",
        f"{_NESO_ATTR}; {_OSM_ATTR}",
    ),
    SourceFile(
        "osm_links",
        "grid/osm_gb_highvoltage_links.csv",
        "OpenStreetMap GB high-voltage lines, '#'-separated CSV with WKT",
        "ComplexNetTSP/Power_grids Countries/Great-Britain (OSM c. 2016-17)",
        ODBL,
        _OSM_ATTR,
    ),
    SourceFile(
        "osm_vertices",
        "grid/osm_gb_highvoltage_vertices.csv",
        "OpenStreetMap GB high-voltage vertices (substations, joints), '#'-separated CSV with WKT",
        "ComplexNetTSP/Power_grids Countries/Great-Britain (OSM c. 2016-17)",
        ODBL,
        _OSM_ATTR,
    ),
    SourceFile(
        "dukes",
        "grid/dukes_power_station_coordinates.csv",
        "DUKES 5.11 GB power stations with British National Grid coordinates, CSV",
        "DESNZ DUKES 5.11 via andrewlyden/PyPSA-GB",
        OGL,
        "Contains public sector information (DESNZ, DUKES 5.11) licensed under the Open Government Licence v3.0",
    ),
    SourceFile(
        "jrc_ppdb",
        "grid/jrc_ppdb_open_uk_units.csv",
        "JRC Open Power Plants Database, United Kingdom generating units with status and closure year, CSV",
        "European Commission JRC, JRC-PPDB-OPEN v1.0 (doi:10.5281/zenodo.3574566) via enermaps/JRC-PPDB-OPEN",
        CC_BY,
        "JRC Open Power Plants Database (JRC-PPDB-OPEN) v1.0, European Commission Joint Research Centre, CC BY 4.0",
    ),
    SourceFile(
        "nuclear_reactors",
        "grid/geonucleardata_gb_reactors.csv",
        "GeoNuclearData GB nuclear reactors with status and shutdown dates, CSV",
        "cristianst85/GeoNuclearData (compiled from WNA and IAEA PRIS)",
        ODBL_SHARE_ALIKE,
        "Contains data from GeoNuclearData (github.com/cristianst85/GeoNuclearData), ODbL 1.0",
    ),
    SourceFile(
        "repd",
        "grid/repd-q2-july-2024.csv",
        "Renewable Energy Planning Database (REPD) Q2 July 2024, CSV with British National Grid X/Y",
        "DESNZ REPD via andrewlyden/PyPSA-GB",
        OGL,
        "Contains public sector information (DESNZ, REPD) licensed under the Open Government Licence v3.0",
    ),
    SourceFile(
        "motorways",
        "connectivity/os_openroads_motorways.fgb",
        "OS OpenRoads motorway links, FlatGeobuf",
        "OS OpenRoads via tsl-imperial/roadbox",
        OGL,
        "Contains OS data © Crown copyright and database right 2025 (OS OpenRoads), OGL v3.0",
    ),
    SourceFile(
        "rail_stations",
        "connectivity/gb_railway_stations.csv",
        "GB railway stations with lat/lon, CSV",
        "npm uk-railway-stations 1.11.1",
        ODBL,
        "uk-railway-stations contributors, ODbL 1.0",
    ),
    SourceFile(
        "national_parks",
        "land/ons_national_parks.geojson",
        "ONS national park boundaries (15 GB parks), GeoJSON",
        "ONS via tstibbs/geo-bagging",
        OGL,
        _ONS_ATTR,
    ),
    SourceFile(
        "brownfield",
        "land/brownfield_hectares_by_msoa11_england_2022.csv",
        "Brownfield land hectares per English MSOA (2011 codes), 2022, CSV",
        "DLUHC digital-land via open-innovations/brownfield-land",
        OGL,
        "Contains public sector information (DLUHC brownfield land registers) licensed under the OGL v3.0",
        ("England",),
    ),
    SourceFile(
        "msoa21_centroids",
        "land/ons_msoa21_population_weighted_centroids.json.gz",
        "ONS MSOA 2021 population-weighted centroids, gzipped newline-delimited GeoJSON",
        "ONSvisual/geo-scripts input/centroids",
        OGL,
        _ONS_ATTR,
        ("England", "Wales"),  # MSOAs are an England and Wales geography; Scotland has intermediate zones
    ),
    SourceFile(
        "water_stress",
        "water/ea_serious_water_stress_2021.csv",
        "Environment Agency 2021 serious water stress classification by water company, CSV",
        "Environment Agency, 'Water stressed areas - 2021 classification'",
        OGL,
        "Contains Environment Agency information © Environment Agency and database right, OGL v3.0",
        ("England",),
    ),
]

SOURCES: dict[str, SourceFile] = {s.key: s for s in _ENTRIES}
"""Every input file of the GB layer stack, keyed by :attr:`SourceFile.key`."""


def check_source_dir(source_dir: str | os.PathLike[str]) -> Path:
    """Check that the source folder exists.

    Parameters
    ----------
    source_dir
        Folder laid out like ``../shared/gb-open-data`` (``grid/``, ``land/``...).

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    InputFileError
        If it does not exist or is not a folder.

    Examples
    --------
    >>> import tempfile
    >>> check_source_dir(tempfile.mkdtemp()).is_dir()
    True
    >>> try:
    ...     check_source_dir("no/such/folder")
    ... except InputFileError as e:
    ...     print(e)
    GB open-data folder 'no/such/folder' does not exist or is not a folder: ...
    """
    d = Path(source_dir)
    if not d.is_dir():
        msg = (
            f"GB open-data folder {str(source_dir)!r} does not exist or is not a folder: pass the folder "
            "that holds boundaries/, grid/, connectivity/, land/ and water/ (e.g. ../shared/gb-open-data)"
        )
        raise InputFileError(msg)
    return d


def source_path(source_dir: str | os.PathLike[str], key: str) -> Path:
    """Resolve one registered input file and check it exists.

    Parameters
    ----------
    source_dir
        The source folder.
    key
        A key of :data:`SOURCES`.

    Returns
    -------
    Path
        The file's path.

    Raises
    ------
    InputFileError
        If the file is missing; the message names the relative path and what the file is.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> src = pathlib.Path(tempfile.mkdtemp())
    >>> SOURCES["ons_topo"].relpath
    'boundaries/ons_uk_topo.json'
    >>> (src / "boundaries").mkdir()
    >>> _ = (src / "boundaries" / "ons_uk_topo.json").write_text("{}")
    >>> source_path(src, "ons_topo").name
    'ons_uk_topo.json'
    """
    src = SOURCES[key]
    p = Path(source_dir) / src.relpath
    if not p.is_file():
        msg = (
            f"missing input {src.relpath!r} in {str(source_dir)!r}: expected the {src.what} "
            f"(source: {src.source}); restore the file or point `source_dir` at a complete copy"
        )
        raise InputFileError(msg)
    return p


def layer_report(name: str, *keys: str) -> LayerReport:
    """A new :class:`LayerReport` for layer ``name`` built from the sources ``keys``.

    Every distinct licence and attribution of the sources is kept, in order, joined by "; ". The
    layer covers the nations every source covers.

    Examples
    --------
    >>> r = layer_report("lad", "ons_topo")
    >>> r.sources, r.licence == SOURCES["ons_topo"].licence
    (('boundaries/ons_uk_topo.json',), True)
    >>> layer_report("brownfield", "brownfield", "msoa21_centroids").nations
    ('England',)
    """
    srcs = [SOURCES[k] for k in keys]
    return LayerReport(
        name=name,
        sources=tuple(s.relpath for s in srcs),
        licence="; ".join(dict.fromkeys(s.licence for s in srcs)),
        attribution="; ".join(dict.fromkeys(s.attribution for s in srcs)),
        nations=tuple(n for n in GB_NATIONS if all(n in s.nations for s in srcs)),
    )
