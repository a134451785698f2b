"""Reading input layers: vector layers with pyogrio, raster metadata with rasterio.

Every reader checks what the rest of the pipeline takes for granted, because the libraries
downstream fail quietly otherwise (a CRS mismatch gives zero matches, an untagged nodata value
is averaged in): the file exists and is readable, the layer exists and is not empty, the CRS
is present, geometries are valid and non-empty. What can be repaired is repaired (reprojection
to the working CRS, ``make_valid``) and said in the returned notes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from growthzones.config import COMPARISONS, LayerConfig, parse_where
from growthzones.errors import CRSError, GeometryError, InputFileError, LayerError

__all__ = [
    "RasterInfo",
    "apply_where",
    "file_sha256",
    "list_layers",
    "read_raster_info",
    "read_vector",
    "repair_geometries",
]

log = logging.getLogger(__name__)

_VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".fgb", ".zip", ".gml", ".kml", ".parquet", ".csv", ".gdb")


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file (or of a folder's files, for .gdb folders).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_text("abc")
    >>> file_sha256(p)
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    h = hashlib.sha256()
    p = Path(path)
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _check_file(path: Path, what: str) -> None:
    if not path.exists():
        msg = f"{what}: file {str(path)!r} not found; check the path (relative paths are read from the config's folder)"
        raise InputFileError(msg)
    if path.is_file() and path.stat().st_size == 0:
        msg = f"{what}: file {str(path)!r} is empty (0 bytes); re-export it from your GIS"
        raise InputFileError(msg)


def list_layers(path: str | Path, *, what: str = "vector file") -> list[str]:
    """Return the layer names of a vector file.

    Raises
    ------
    InputFileError
        If the file is missing, empty or not a vector format GDAL can read.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from shapely.geometry import box
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sites.gpkg"
    >>> gdf = gpd.GeoDataFrame({"site_id": ["A"]}, geometry=[box(0, 0, 100, 100)], crs="EPSG:27700")
    >>> gdf.to_file(p, layer="sites")
    >>> gdf.to_file(p, layer="outline")
    >>> list_layers(p)
    ['sites', 'outline']
    """
    p = Path(path)
    _check_file(p, what)
    try:
        return [str(name) for name, _ in pyogrio.list_layers(_gdal_path(p))]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        msg = (
            f"{what}: file {str(p)!r} cannot be read as a vector layer ({_gdal_reason(exc, p)}); "
            "the file may be truncated, corrupt or in another format: re-export it as GeoPackage or GeoJSON"
        )
        raise InputFileError(msg) from exc


def _gdal_path(p: Path) -> str:
    # A zipped shapefile is read through GDAL's /vsizip/ virtual file system.
    return f"/vsizip/{p}" if p.suffix.lower() == ".zip" else str(p)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _gdal_reason(exc: BaseException, path: Path) -> str:
    """GDAL's complaint about a file, without SQL, driver advice or the path repeated."""
    text = " ".join(str(exc).split())
    if "See previous exception" in text and exc.__cause__ is not None:
        text = " ".join(str(exc.__cause__).split())
    if "IReadBlock failed" in text or "Read failed" in text:
        return "its cells cannot be read"
    if "not recognized as" in text and "supported file format" in text:
        return "GDAL does not recognise its format"
    m = re.search(r"failed: ([^;.(]+)", text)  # sqlite3_prepare_v2(SELECT ...) failed: <reason>
    if m:
        return m.group(1).strip()
    text = text.replace(f"'{path}'", "it").replace(str(path), "it")
    text = text.split("; It might help")[0].split(" It might help")[0]
    return _short(Exception(text))


def read_vector(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | CRS = "EPSG:27700",
    what: str = "layer",
    id_column: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read a vector layer, check it, and bring it into the working CRS.

    Parameters
    ----------
    path
        The file (GeoPackage, GeoJSON, Shapefile, FlatGeobuf, zipped Shapefile...).
    layer
        The layer within the file; may be omitted when the file has one layer.
    crs
        The working CRS (projected, metres).
    what
        How to name this layer in messages, e.g. ``"layers.substations"``.
    id_column
        A column naming features in notes (e.g. the site id); by default, row numbers.

    Returns
    -------
    (GeoDataFrame, list of str)
        The layer in the working CRS with valid, non-empty geometries, and notes saying what
        was repaired, dropped or reprojected.

    Raises
    ------
    InputFileError, LayerError, CRSError, GeometryError
        For a missing or unreadable file, a missing or empty layer, a missing CRS, or no
        usable geometry.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from shapely.geometry import box
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sites.geojson"
    >>> gdf = gpd.GeoDataFrame({"site_id": ["A", "B"]}, geometry=[box(0, 0, 100, 100), box(200, 0, 300, 100)],
    ...                        crs="EPSG:27700")
    >>> gdf.to_crs("EPSG:4326").to_file(p)
    >>> out, notes = read_vector(p, id_column="site_id")
    >>> out.crs.to_epsg(), out["site_id"].tolist()
    (27700, ['A', 'B'])
    >>> notes
    ['layer: reprojected from EPSG:4326 (geographic) to EPSG:27700']
    """
    p = Path(path)
    names = list_layers(p, what=what)
    if layer is None:
        if len(names) > 1:
            msg = f'{what}: file {str(p)!r} has {len(names)} layers ({", ".join(names)}); say which with layer = "..."'
            raise LayerError(msg)
        layer = names[0] if names else None
    elif layer not in names:
        msg = f"{what}: file {str(p)!r} has no layer {layer!r}; its layers are: {', '.join(names) or 'none'}"
        raise LayerError(msg)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = gpd.read_file(_gdal_path(p), layer=layer, engine="pyogrio")
    except Exception as exc:
        msg = (
            f"{what}: cannot read layer {layer!r} of {str(p)!r} ({_gdal_reason(exc, p)}); "
            "the file may be truncated or corrupt: re-export it from your GIS"
        )
        raise InputFileError(msg) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        msg = f"{what}: layer {layer!r} of {str(p)!r} has no geometry column; give a spatial layer"
        raise LayerError(msg)
    if len(gdf) == 0:
        msg = f"{what}: layer {layer!r} of {str(p)!r} is empty (0 features); check you exported the right layer"
        raise LayerError(msg)
    notes: list[str] = []
    gdf = _to_working_crs(gdf, crs, what, p, notes)
    gdf = repair_geometries(gdf, what=what, notes=notes, id_column=id_column)
    return gdf, notes


def _to_working_crs(gdf: gpd.GeoDataFrame, crs: str | CRS, what: str, path: Path, notes: list[str]) -> gpd.GeoDataFrame:
    target = CRS.from_user_input(crs)
    if gdf.crs is None:
        msg = (
            f"{what}: {str(path)!r} has no CRS; set it in your GIS (e.g. QGIS: Layer > Set CRS) "
            f"or re-export with one (the working CRS is {target.to_string()})"
        )
        raise CRSError(msg)
    if CRS.from_user_input(gdf.crs) == target:
        return gdf
    src = gdf.crs.to_string()
    kind = "geographic" if gdf.crs.is_geographic else "projected"
    out = gdf.to_crs(target)
    bad = ~np.isfinite(shapely.get_coordinates(out.geometry.values)).all(axis=1) if len(out) else np.array([])
    if bad.any():
        msg = (
            f"{what}: reprojecting {str(path)!r} from {src} to {target.to_string()} produced invalid "
            "coordinates; is its CRS right?"
        )
        raise CRSError(msg)
    notes.append(f"{what}: reprojected from {src} ({kind}) to {target.to_string()}")
    log.info(notes[-1])
    return out


def repair_geometries(
    gdf: gpd.GeoDataFrame,
    *,
    what: str = "layer",
    notes: list[str] | None = None,
    id_column: str | None = None,
    polygons: bool = False,
    on_drop: Callable[[str, int], None] | None = None,
) -> gpd.GeoDataFrame:
    """Drop null/empty geometries and repair invalid ones with ``make_valid``, saying how many.

    The one geometry repair of the package (sites, input layers and the GB layer builders).
    ``make_valid`` runs with its default "linework" method and the part of the original
    dimension is kept, so a polygon that collapsed to a line stays a line (and the sites check
    refuses it, naming the site); the "structure" method would drop it without a word.

    Parameters
    ----------
    gdf
        Features in any CRS.
    what
        What the features are, starting each note and message (``"sites"``, a layer name).
    notes
        Where the notes of what was dropped or repaired are appended.
    id_column
        A column naming the features in the notes (default: the row labels).
    polygons
        Keep only the polygonal parts after repair; rows with nothing polygonal left are dropped.
    on_drop
        Called with ``(reason, count)`` for dropped rows, for callers that count drops by reason
        (the GB layer reports); the notes then do not repeat them.

    Returns
    -------
    geopandas.GeoDataFrame
        Valid, non-empty geometries.

    Raises
    ------
    GeometryError
        When no feature is left.

    Examples
    --------
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> gdf = gpd.GeoDataFrame(geometry=[bowtie, None], crs=27700)
    >>> notes = []
    >>> out = repair_geometries(gdf, what="sites", notes=notes)
    >>> len(out), round(float(out.area.iloc[0]), 2)
    (1, 0.5)
    >>> for note in notes:
    ...     print(note)
    sites: dropped 1 feature(s) with no or empty geometry (row 1)
    sites: repaired 1 invalid geometry with make_valid (row 0)
    >>> line = Polygon([(0, 0), (1, 1), (2, 2)])  # collapsed: make_valid gives a line
    >>> gdf = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[bowtie, line], crs=27700)
    >>> dropped = {}
    >>> out = repair_geometries(gdf, what="parks", notes=notes, id_column="name", polygons=True,
    ...                         on_drop=lambda reason, n: dropped.update({reason: n}))  # fmt: skip
    >>> out.geom_type.tolist(), dropped
    (['MultiPolygon'], {'nothing left after geometry repair': 1})
    >>> notes[-1]
    'parks: repaired 2 invalid geometries with make_valid (ids a, b)'

    """
    notes = notes if notes is not None else []
    geoms = gdf.geometry.values
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        _drop_note(gdf, empty, "missing or empty geometry", what, notes, id_column, on_drop)
        gdf = gdf.loc[~empty].copy()
        if len(gdf) == 0:
            msg = (
                f"{what}: every feature has an empty or missing geometry, so nothing is left to use; "
                "check the layer in your GIS (was the right layer exported, with its geometry?)"
            )
            raise GeometryError(msg)
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        gdf = gdf.copy()
        fixed = shapely.make_valid(geoms[invalid])
        # make_valid can return a GeometryCollection; keep the polygonal or linear part
        # matching the original type so area and distance stay meaningful.
        dims = np.full(int(invalid.sum()), 2) if polygons else _dimension(shapely.get_type_id(geoms[invalid]))
        fixed = np.array([_keep_dim(g, d, polygons) for g, d in zip(fixed, dims, strict=True)], dtype=object)
        values = gdf.geometry.values.copy()
        values[invalid] = fixed
        gdf[gdf.geometry.name] = gpd.GeoSeries(values, index=gdf.index, crs=gdf.crs)
        rows = np.flatnonzero(invalid)
        word = "geometry" if invalid.sum() == 1 else "geometries"
        notes.append(
            f"{what}: repaired {int(invalid.sum())} invalid {word} with make_valid ({_rows(gdf, rows, id_column)})"
        )
        log.info(notes[-1])  # a note: the CLI and the app show it
        lost = shapely.is_missing(gdf.geometry.values) | shapely.is_empty(gdf.geometry.values)
        if lost.any():
            _drop_note(gdf, lost, "nothing left after geometry repair", what, notes, id_column, on_drop)
            gdf = gdf.loc[~lost]
            if len(gdf) == 0:
                msg = f"{what}: no usable geometries left after repair; check the input file"
                raise GeometryError(msg)
    return gdf


def _drop_note(
    gdf: pd.DataFrame,
    mask: np.ndarray,
    reason: str,
    what: str,
    notes: list[str],
    id_column: str | None,
    on_drop: Callable[[str, int], None] | None,
) -> None:
    if on_drop is not None:
        on_drop(reason, int(mask.sum()))
        return
    words = {"missing or empty geometry": "no or empty geometry"}
    shown = _rows(gdf, np.flatnonzero(mask), id_column)
    notes.append(f"{what}: dropped {int(mask.sum())} feature(s) with {words.get(reason, reason)} ({shown})")
    log.info(notes[-1])  # a note: the CLI and the app show it


def _dimension(type_ids: np.ndarray) -> np.ndarray:
    return np.where(np.isin(type_ids, (3, 6)), 2, np.where(np.isin(type_ids, (1, 5)), 1, 0))


def _keep_dim(geom: Any, dim: int, strict: bool) -> Any:
    """The parts of dimension ``dim``; ``strict``: None when there are none (else ``geom`` as is)."""
    if shapely.get_dimensions(geom) == dim and shapely.get_type_id(geom) != 7:  # not a GeometryCollection
        return geom
    parts = [g for g in shapely.get_parts(geom) if shapely.get_dimensions(g) == dim and not g.is_empty]
    if not parts:
        return None if strict else geom
    return shapely.union_all(parts)


def _rows(gdf: pd.DataFrame, positions: np.ndarray, id_column: str | None = None, limit: int = 5) -> str:
    by_id = id_column is not None and id_column in gdf.columns
    labels = [str(gdf[id_column].iloc[i] if by_id else gdf.index[i]) for i in positions[:limit]]
    more = f" and {len(positions) - limit} more" if len(positions) > limit else ""
    word = ("id" if len(positions) == 1 else "ids") if by_id else ("row" if len(positions) == 1 else "rows")
    return f"{word} {', '.join(labels)}{more}"


def apply_where(gdf: gpd.GeoDataFrame, where: str | None, *, what: str = "layer") -> gpd.GeoDataFrame:
    """Keep the features matching an attribute filter like ``"voltage_kv >= 275"``.

    Raises
    ------
    LayerError
        If a column named in the filter is missing, or a numeric comparison meets text.

    Examples
    --------
    >>> gdf = gpd.GeoDataFrame({"voltage_kv": [132, 275, 400]}, geometry=gpd.points_from_xy([0, 1, 2], [0, 0, 0]))
    >>> apply_where(gdf, "voltage_kv >= 275").voltage_kv.tolist()
    [275, 400]
    """
    if not where:
        return gdf
    mask = np.ones(len(gdf), dtype=bool)
    for col, op, val in parse_where(where, ctx=f"{what}.where"):
        if col not in gdf.columns:
            cols = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
            msg = f"{what}.where: the layer has no column {col!r}; its columns are: {cols}"
            raise LayerError(msg)
        series = gdf[col]
        if isinstance(val, float):
            num = pd.to_numeric(series, errors="coerce")
            bad = num.isna() & series.notna()
            if bad.any():
                msg = (
                    f"{what}.where: column {col!r} is not numeric (e.g. {series[bad].iloc[0]!r}); "
                    "compare it with a quoted text value or clean the column"
                )
                raise LayerError(msg)
            series = num
        mask &= np.asarray(COMPARISONS[op](series, val).fillna(False), dtype=bool)
    return gdf.loc[mask]


@dataclass(frozen=True)
class RasterInfo:
    """What the pipeline needs to know about a raster layer."""

    path: Path
    crs: CRS
    bounds: tuple[float, float, float, float]
    res: tuple[float, float]
    nodata: float | None
    dtype: str
    band: int
    notes: tuple[str, ...] = field(default=())


def read_raster_info(layer: LayerConfig, *, crs: str | CRS = "EPSG:27700") -> RasterInfo:
    """Open a raster layer, check it, and return its metadata.

    The nodata value comes from the config (``nodata = ...``) if given, else from the file.
    A raster whose values look like an untagged sentinel (e.g. -9999) is refused, because it
    would be averaged in silently.

    Raises
    ------
    InputFileError, CRSError, LayerError

    Examples
    --------
    >>> import growthzones as gz
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> info = read_raster_info(config.layers["slope"])
    >>> info.crs.to_epsg(), info.res, info.nodata
    (27700, (1000.0, 1000.0), -9999.0)
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    what = f"layers.{layer.key}"
    _check_file(layer.path, what)
    try:
        with rasterio.open(layer.path) as ds:
            if layer.band > ds.count:
                msg = (
                    f"{what}: band {layer.band} requested but {str(layer.path)!r} has {ds.count} band(s); "
                    f"set band to a number from 1 to {ds.count}"
                )
                raise LayerError(msg)
            if ds.crs is None:
                msg = (
                    f"{what}: raster {str(layer.path)!r} has no CRS; assign one, e.g. "
                    f"`gdal_edit.py -a_srs {CRS.from_user_input(crs).to_string()} FILE`"
                )
                raise CRSError(msg)
            file_nodata = ds.nodatavals[layer.band - 1]
            nodata = layer.nodata if layer.nodata is not None else file_nodata
            band = ds.read(layer.band, masked=False, out_shape=_preview_shape(ds.height, ds.width))
            info = RasterInfo(
                path=layer.path,
                crs=CRS.from_user_input(ds.crs),
                bounds=tuple(ds.bounds),
                res=tuple(ds.res),
                nodata=None if nodata is None else float(nodata),
                dtype=ds.dtypes[layer.band - 1],
                band=layer.band,
            )
    except RasterioIOError as exc:
        msg = (
            f"{what}: cannot read raster {str(layer.path)!r} ({_gdal_reason(exc, layer.path)}); the file may be "
            "truncated, corrupt or not a raster: re-export it as GeoTIFF"
        )
        raise InputFileError(msg) from exc
    _check_sentinel(band, info.nodata, what, layer.path)
    valid = band[np.isfinite(band)] if band.dtype.kind == "f" else band.ravel()
    if info.nodata is not None and not np.isnan(info.nodata):
        valid = valid[valid != info.nodata]
    if valid.size == 0:
        msg = (
            f"{what}: raster {str(layer.path)!r} holds no valid cells (all nodata); check the file or its nodata value"
        )
        raise LayerError(msg)
    notes = []
    if info.crs != CRS.from_user_input(crs):
        notes.append(f"{what}: raster is in {info.crs.to_string()}; sites are reprojected to it for extraction")
    return RasterInfo(**{**info.__dict__, "notes": tuple(notes)})


def _preview_shape(h: int, w: int, limit: int = 2048) -> tuple[int, int]:
    scale = max(1.0, max(h, w) / limit)
    return max(1, int(h / scale)), max(1, int(w / scale))


_SENTINELS = (-9999.0, -99999.0, -32768.0, -3.4028234663852886e38, -1e20)


def _check_sentinel(band: np.ndarray, nodata: float | None, what: str, path: Path) -> None:
    vals = band[np.isfinite(band)] if band.dtype.kind == "f" else band
    if vals.size == 0:
        return
    lo = float(vals.min())
    for s in _SENTINELS:
        if np.isclose(lo, s, rtol=1e-6) and (nodata is None or not np.isclose(nodata, s, rtol=1e-6)):
            msg = (
                f"{what}: raster {str(path)!r} contains {s:g}, which looks like an untagged nodata value "
                f"(it would be averaged in); add `nodata = {s:g}` to [{what}] in the config"
            )
            raise LayerError(msg)
