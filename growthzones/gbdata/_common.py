"""Shared helpers for the GB layer builders: per-layer reports, CRS handling, repairs.

Every builder returns a GeoDataFrame in EPSG:27700 together with a :class:`LayerReport`.
Rows are only ever removed through :func:`drop_rows`, which counts them under a reason, so
nothing disappears silently.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, network
from pyproj.transformer import TransformerGroup

from growthzones.errors import CRSError, LayerError
from growthzones.layers import repair_geometries

logger = logging.getLogger(__name__)

__all__ = [
    "BNG",
    "LayerReport",
    "clean_strings",
    "drop_rows",
    "points_from_lonlat",
    "points_from_xy_bng",
    "repair_layer",
    "require_columns",
    "to_bng",
    "transformation_note",
]

BNG = "EPSG:27700"

# Generous boxes: British Isles incl. offshore wind zones, Shetland, Scilly and Northern Ireland.
_LON_RANGE = (-11.0, 4.0)
_LAT_RANGE = (49.0, 62.0)
_BNG_X_RANGE = (-250_000.0, 800_000.0)
_BNG_Y_RANGE = (-50_000.0, 1_300_000.0)


@dataclass
class LayerReport:
    """What happened while building one layer.

    Attributes
    ----------
    name
        Layer name in the output GeoPackage.
    sources
        Relative paths of the input files.
    licence
        Licence(s) of the inputs.
    attribution
        Attribution text.
    input_rows
        Rows read from the main input before any filtering.
    feature_count
        Rows written.
    dropped
        Rows removed, by reason (reason -> count).
    repairs
        Repairs, reprojections and conversions done, in words.
    notes
        Anything else a user should know (method choices, caveats, match rates).
    source_crs
        CRS of the main input as read (None for tables).
    nations
        The nations of Great Britain the layer's data cover (England, Scotland, Wales); a
        criterion on the layer treats sites elsewhere by its ``missing`` policy.
    """

    name: str
    sources: tuple[str, ...]
    licence: str
    attribution: str
    input_rows: int = 0
    feature_count: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_crs: str | None = None
    nations: tuple[str, ...] = ("England", "Scotland", "Wales")

    @property
    def dropped_count(self) -> int:
        """Total number of rows dropped."""
        return int(sum(self.dropped.values()))

    def drop(self, reason: str, n: int) -> None:
        """Record ``n`` rows dropped for ``reason`` (ignored when ``n`` is 0).

        Examples
        --------
        >>> report = LayerReport("substations", ("subs.csv",), "OGL-UK-3.0", "Example")
        >>> report.drop("missing voltage", 3)
        >>> report.drop("missing voltage", 0)
        >>> report.dropped, report.dropped_count
        ({'missing voltage': 3}, 3)
        """
        if n:
            self.dropped[reason] = self.dropped.get(reason, 0) + int(n)
            logger.info("%s: dropped %d row(s): %s", self.name, n, reason)

    def repair(self, text: str) -> None:
        """Record a repair or reprojection.

        Examples
        --------
        >>> report = LayerReport("substations", ("subs.csv",), "OGL-UK-3.0", "Example")
        >>> report.repair("reprojected EPSG:4326 -> EPSG:27700")
        >>> report.repairs
        ['reprojected EPSG:4326 -> EPSG:27700']
        """
        self.repairs.append(text)
        logger.info("%s: %s", self.name, text)

    def note(self, text: str) -> None:
        """Record a note.

        Examples
        --------
        >>> report = LayerReport("substations", ("subs.csv",), "OGL-UK-3.0", "Example")
        >>> report.note("voltages parsed from the name")
        >>> report.notes
        ['voltages parsed from the name']
        """
        self.notes.append(text)
        logger.info("%s: %s", self.name, text)

    def dropped_text(self) -> str:
        """Dropped rows as ``"reason: n; reason: n"`` (empty string when none).

        Examples
        --------
        >>> report = LayerReport("substations", ("subs.csv",), "OGL-UK-3.0", "Example")
        >>> report.dropped_text()
        ''
        >>> report.drop("missing voltage", 3)
        >>> report.drop("outside GB", 1)
        >>> report.dropped_text()
        'missing voltage: 3; outside GB: 1'
        """
        return "; ".join(f"{reason}: {n}" for reason, n in self.dropped.items())


def drop_rows(df: pd.DataFrame, mask: pd.Series | np.ndarray, reason: str, report: LayerReport) -> pd.DataFrame:
    """Remove the rows where ``mask`` is True and count them under ``reason``.

    Parameters
    ----------
    df
        Table to filter.
    mask
        Boolean mask, True for rows to drop.
    reason
        Why, in words (goes into the report and the ``layer_metadata`` table).
    report
        The layer report to record into.

    Returns
    -------
    pandas.DataFrame
        ``df`` without the masked rows (same type as ``df``).

    Examples
    --------
    >>> report = LayerReport("substations", ("subs.csv",), "OGL-UK-3.0", "Example")
    >>> df = pd.DataFrame({"kv": [275, None, 400]})
    >>> kept = drop_rows(df, df["kv"].isna(), "missing voltage", report)
    >>> kept["kv"].tolist(), report.dropped
    ([275.0, 400.0], {'missing voltage': 1})
    """
    mask = np.asarray(mask, dtype=bool)
    report.drop(reason, int(mask.sum()))
    return df.loc[~mask]


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, where: str) -> None:
    """Raise a :class:`LayerError` listing every missing column.

    Parameters
    ----------
    df
        Table read from ``where``.
    columns
        Required column names.
    where
        File name for the message.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["A"], "kv": [275]})
    >>> require_columns(df, ["name", "kv"], where="subs.csv")
    >>> try:
    ...     require_columns(df, ["name", "mw"], where="subs.csv")
    ... except LayerError as e:
    ...     print(e)
    subs.csv: missing column(s) ['mw']; found ['name', 'kv']. The file does not have the expected layout: ...
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        msg = (
            f"{where}: missing column(s) {missing}; found {list(df.columns)}. "
            "The file does not have the expected layout: check it is the right file and version"
        )
        raise LayerError(msg)


def clean_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Strip whitespace from text columns and turn empty strings into missing values.

    Parameters
    ----------
    df
        Any table.

    Returns
    -------
    pandas.DataFrame
        A copy with cleaned text columns.

    Examples
    --------
    >>> df = pd.DataFrame({"name": [" Alpha ", "", "Beta"], "kv": [275, 400, 132]})
    >>> clean_strings(df)["name"].tolist()
    ['Alpha', nan, 'Beta']
    """
    out = df.copy()
    for col in out.columns:
        if col == "geometry":
            continue
        s = out[col]
        if pd.api.types.is_string_dtype(s):
            s = s.str.strip()
            out[col] = s.mask(s == "")
    return out


@functools.lru_cache(maxsize=1)
def transformation_note() -> str:
    """Describe the WGS84 -> British National Grid transformation pyproj will use here.

    The OSTN15 grid (``uk_os_OSTN15_NTv2_OSGBtoETRS.tif``) gives centimetre accuracy; without it
    (and with PROJ's network off) pyproj falls back to a Helmert transformation with metre-level
    error. That is fine for siting but must be on record.

    Returns
    -------
    str
        One sentence for the layer metadata.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        group = TransformerGroup(4326, 27700, always_xy=True)
    best = group.transformers[0] if group.transformers else None
    desc = best.description if best is not None else "none"
    acc = f"{best.accuracy:g} m" if best is not None and best.accuracy >= 0 else "unknown accuracy"
    if group.best_available:
        return f"WGS 84 -> OSGB36 datum shift via {desc} ({acc}); OSTN15 grid available"
    missing = sorted({g.short_name for op in group.unavailable_operations for g in op.grids if not g.available})
    return (
        f"WGS 84 -> OSGB36 datum shift via {desc} ({acc}): OSTN15 grid {', '.join(missing) or 'n/a'} not "
        f"installed and PROJ network {'enabled' if network.is_network_enabled() else 'disabled'}, "
        "so a Helmert fallback with metre-level error is used"
    )


def to_bng(gdf: gpd.GeoDataFrame, report: LayerReport, *, where: str) -> gpd.GeoDataFrame:
    """Reproject to EPSG:27700, recording the source CRS and the transformation.

    Parameters
    ----------
    gdf
        Layer as read; must carry a CRS.
    report
        Layer report.
    where
        File name for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer in EPSG:27700.

    Raises
    ------
    CRSError
        If the layer has no CRS.

    Examples
    --------
    >>> report = LayerReport("substations", ("subs.csv",), "OGL-UK-3.0", "Example")
    >>> from shapely.geometry import Point
    >>> gdf = gpd.GeoDataFrame(geometry=[Point(-0.1276, 51.5072)], crs="EPSG:4326")
    >>> out = to_bng(gdf, report, where="subs.csv")
    >>> out.crs.to_epsg(), report.source_crs, report.repairs
    (27700, 'EPSG:4326', ['reprojected EPSG:4326 -> EPSG:27700 (...)'])
    """
    if gdf.crs is None:
        msg = f"{where}: no CRS; it cannot be placed on the map. Add a .prj / 'crs' member or reproject it"
        raise CRSError(msg)
    src = gdf.crs
    report.source_crs = src.to_string()
    if src.equals(CRS.from_user_input(BNG)):
        return gdf
    out = gdf.to_crs(BNG)
    note = f"reprojected {src.to_string()} -> {BNG}"
    if src.equals(CRS.from_epsg(4326)) or src.geodetic_crs.equals(CRS.from_epsg(4326)):
        note += f" ({transformation_note()})"
    report.repair(note)
    return out


def repair_layer(gdf: gpd.GeoDataFrame, report: LayerReport, *, polygons: bool = False) -> gpd.GeoDataFrame:
    """:func:`growthzones.layers.repair_geometries` (the one geometry repair) into a layer report.

    Drops are counted in ``report.dropped`` by reason, repairs go to ``report.repairs`` naming
    features by their ``name`` column when there is one.

    Parameters
    ----------
    gdf
        Layer in any CRS.
    report
        Layer report (drops and repairs are recorded).
    polygons
        If True, keep only polygonal parts after repair (a collapsed sliver can turn a polygon
        into a line); rows with nothing polygonal left are dropped with a reason.

    Examples
    --------
    >>> report = LayerReport("substations", ("subs.csv",), "OGL-UK-3.0", "Example")
    >>> from shapely.geometry import Polygon
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> gdf = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[bowtie, None], crs="EPSG:27700")
    >>> out = repair_layer(gdf, report, polygons=True)
    >>> out.geom_type.tolist(), report.dropped
    (['MultiPolygon'], {'missing or empty geometry': 1})
    >>> report.repairs
    ['substations: repaired 1 invalid geometry with make_valid (id a)']
    """
    notes: list[str] = []
    id_column = "name" if "name" in gdf.columns else None
    out = repair_geometries(gdf, what=report.name, notes=notes, id_column=id_column, polygons=polygons,
                            on_drop=report.drop)  # fmt: skip
    for note in notes:
        report.repair(note)
    return out


def _numeric(s: pd.Series) -> pd.Series:
    """Parse numbers that may carry thousands separators or stray spaces."""
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    return pd.to_numeric(s.astype("str").str.replace(",", "", regex=False).str.strip(), errors="coerce")


def points_from_lonlat(df: pd.DataFrame, lon: str, lat: str, report: LayerReport, *, where: str) -> gpd.GeoDataFrame:
    """Turn lon/lat columns (WGS84) into points in EPSG:27700.

    Rows with missing, non-numeric or out-of-range coordinates are dropped with a reason.

    Parameters
    ----------
    df
        Table with the coordinate columns.
    lon, lat
        Column names, degrees.
    report
        Layer report.
    where
        File name for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:27700 (coordinate columns kept).

    Examples
    --------
    >>> report = LayerReport("substations", ("subs.csv",), "OGL-UK-3.0", "Example")
    >>> df = pd.DataFrame({"name": ["A", "B", "C"], "lon": [-1.5, None, -3.2], "lat": [52.0, 51.0, 55.9]})
    >>> pts = points_from_lonlat(df, "lon", "lat", report, where="subs.csv")
    >>> pts.crs.to_epsg(), pts["name"].tolist(), report.dropped
    (27700, ['A', 'C'], {'missing or non-numeric lat/lon': 1})
    """
    x = _numeric(df[lon])
    y = _numeric(df[lat])
    missing = x.isna() | y.isna()
    df = drop_rows(df, missing, "missing or non-numeric lat/lon", report)
    x, y = x[~missing], y[~missing]
    # A swapped pair (lat in the lon column) is the classic error: catch it by range, and say so.
    out = ~(x.between(*_LON_RANGE) & y.between(*_LAT_RANGE))
    df = drop_rows(df, out, "lat/lon outside the British Isles (or swapped)", report)
    x, y = x[~out], y[~out]
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")
    return to_bng(gdf, report, where=where)


def points_from_xy_bng(df: pd.DataFrame, xcol: str, ycol: str, report: LayerReport) -> gpd.GeoDataFrame:
    """Turn British National Grid easting/northing columns into points.

    Rows with missing or garbage coordinates (non-numeric, (0, 0) placeholders, outside the
    grid) are dropped with a reason.

    Parameters
    ----------
    df
        Table.
    xcol, ycol
        Easting and northing columns, metres.
    report
        Layer report.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:27700.

    Examples
    --------
    >>> report = LayerReport("substations", ("subs.csv",), "OGL-UK-3.0", "Example")
    >>> df = pd.DataFrame({"x": [530_000, 0], "y": [180_000, 0]})
    >>> pts = points_from_xy_bng(df, "x", "y", report)
    >>> pts.geometry.iloc[0].wkt, report.dropped
    ('POINT (530000 180000)', {'X/Y is 0 (placeholder, not a location)': 1})
    """
    x = _numeric(df[xcol])
    y = _numeric(df[ycol])
    missing = x.isna() | y.isna()
    df = drop_rows(df, missing, "missing or non-numeric X/Y coordinates", report)
    x, y = x[~missing], y[~missing]
    zero = (x == 0) | (y == 0)
    df = drop_rows(df, zero, "X/Y is 0 (placeholder, not a location)", report)
    x, y = x[~zero], y[~zero]
    out = ~(x.between(*_BNG_X_RANGE) & y.between(*_BNG_Y_RANGE))
    df = drop_rows(df, out, "X/Y outside the British National Grid extent", report)
    x, y = x[~out], y[~out]
    report.source_crs = f"{BNG} (easting/northing columns)"
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(x, y), crs=BNG)


def normalise_site_name(name: str | None) -> str:
    """Normalise a substation / connection-site name for matching between registers.

    Lower-cases, drops apostrophes, voltage tokens (``400kV``, ``275/33kV``), words such as
    *substation*, *GSP*, *switching station*, *power station*, *wind farm*, and punctuation.

    Parameters
    ----------
    name
        A name such as ``"Connah's Quay 400kV Substation."``.

    Returns
    -------
    str
        e.g. ``"connahs quay"``; empty string for missing names.

    Examples
    --------
    >>> normalise_site_name("Whitelee Extension 275/33kV")
    'whitelee extension'
    >>> normalise_site_name("Connah's Quay 400kV Substation.")
    'connahs quay'
    """
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return ""
    x = str(name).lower().strip()
    x = re.sub(r"[’`']", "", x)
    x = re.sub(r"\b\d+(\.\d+)?\s*(/\s*\d+(\.\d+)?\s*)*kv?\b", " ", x)
    x = re.sub(
        r"\b(substation|sub station|sub-station|switching station|grid supply point|gsp|s/stn|collector|"
        r"power station|wind farm|windfarm|wf|nuclear)\b",
        " ",
        x,
    )
    x = re.sub(r"[^a-z0-9&]+", " ", x)
    return " ".join(x.split())
