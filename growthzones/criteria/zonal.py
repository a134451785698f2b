"""Raster statistics over each site, weighted by the share of each cell the site covers.

The engine is exactextract: it measures the exact fraction of every cell a polygon covers, so
small sites on a coarse raster get a true area-weighted mean rather than the mean of whichever
cells have their centre inside (rasterstats' default) or touch (``all_touched``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from exactextract import exact_extract
from exactextract.raster import RasterioRasterSource
from pyproj import CRS
from rasterio.enums import MaskFlags
from rasterio.errors import RasterioIOError
from rasterio.windows import Window

from growthzones.criteria.distance import crs_name, geometry_array, same_crs
from growthzones.errors import CriterionError, CRSError, InputFileError, LayerError
from growthzones.layers import invalid_cells, sentinel_error, untagged_sentinel, valid_range

__all__ = ["STATS", "check_nodata_sentinel", "raster_info", "zonal"]

log = logging.getLogger(__name__)

STATS = ("mean", "min", "max", "fraction")

_POS = "_gz_pos"
# Rasters up to this many cells (32 MB as float64) are read whole for zonal statistics; a
# whole read this size takes tens of ms, so it is no loss even for a single site.
_CACHE_CELLS = 4_000_000


def _open(path: str | os.PathLike[str]) -> rasterio.DatasetReader:
    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        if not Path(path).exists():
            msg = f"Raster file {os.fspath(path)!r} does not exist. Check the layer's `path`."
        else:
            msg = f"Raster file {os.fspath(path)!r} cannot be read as a raster ({exc})."
        raise InputFileError(msg) from exc


def raster_info(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Metadata of a raster file, without reading its cells.

    Parameters
    ----------
    path : str or os.PathLike
        Raster file (anything GDAL opens).

    Returns
    -------
    dict
        ``crs`` (:class:`pyproj.CRS` or None), ``bounds`` (left, bottom, right, top),
        ``res`` (x, y cell size in CRS units), ``nodata`` (band 1's tag, or None), ``dtype``
        (band 1), ``count`` (bands), ``width`` and ``height`` (cells).

    Raises
    ------
    growthzones.errors.InputFileError
        If the file is missing or not a raster.

    Examples
    --------
    >>> info = raster_info(path)  # doctest: +SKIP
    >>> info["res"], info["nodata"]  # doctest: +SKIP
    ((1000.0, 1000.0), -9999.0)
    """
    with _open(path) as ds:
        return {
            "crs": CRS.from_wkt(ds.crs.to_wkt()) if ds.crs else None,
            "bounds": tuple(ds.bounds),
            "res": tuple(ds.res),
            "nodata": ds.nodata,
            "dtype": ds.dtypes[0],
            "count": ds.count,
            "width": ds.width,
            "height": ds.height,
        }


def _effective_nodata(ds: rasterio.DatasetReader, nodata: float | None) -> float | None:
    return ds.nodata if nodata is None else nodata


def check_nodata_sentinel(path: str | os.PathLike[str], nodata: float | None = None, *, band: int = 1) -> None:
    """Refuse a raster whose values look like an untagged nodata sentinel.

    Reads the band in strips (bounded memory), finds the minimum and maximum of the cells that
    are valid under the nodata in force (`nodata` if given, else the file's tag), and raises if
    either equals a common sentinel (the rule of :func:`growthzones.layers.untagged_sentinel`:
    -9999, -99999, -32768, the float extremes, 65535 in a uint16 band...). A sentinel that *is*
    the nodata in force is masked and never refused.

    Parameters
    ----------
    path : str or os.PathLike
        Raster file.
    nodata : float, optional
        Nodata value from the layer's config, overriding the file's tag.
    band : int, default 1
        Band to check (1-based).

    Raises
    ------
    growthzones.errors.LayerError
        If the values look like an untagged sentinel; the message names the file and the
        ``nodata = ...`` line to add to the layer's config.
    growthzones.errors.InputFileError
        If the file is missing or not a raster.

    Examples
    --------
    >>> check_nodata_sentinel("water_stress.tif")  # doctest: +SKIP
    Traceback (most recent call last):
    LayerError: Raster 'water_stress.tif' has cells equal to -9999, ... Set `nodata = -9999` ...
    """
    with _open(path) as ds:
        _check_band(ds, path, band)
        vmin, vmax = valid_range(ds, band, nodata)
        sentinel = untagged_sentinel(vmin, vmax, ds.dtypes[band - 1], _effective_nodata(ds, nodata))
        if sentinel is not None:
            raise sentinel_error(path, sentinel, ds.nodata)


def _check_band(ds: rasterio.DatasetReader, path: str | os.PathLike[str], band: int) -> None:
    if not isinstance(band, int | np.integer) or not 1 <= band <= ds.count:
        msg = f"Raster {os.fspath(path)!r} has {ds.count} band(s); `band = {band!r}` is not one of 1..{ds.count}."
        raise LayerError(msg)


class _MaskedRasterioSource(RasterioRasterSource):
    """A rasterio source whose nodata is the config's override when given.

    exactextract's own rasterio source always uses the file's tag. Here invalid cells are
    set to NaN in a float64 copy and the C++ side is told there is no nodata value: NaN cells
    never count. (exactextract 0.3 does not reliably honour the mask of a masked array
    returned by a Python source: nodata cells leaked into means in small windows.)

    A raster of up to `_CACHE_CELLS` cells is read once: per-site window reads, which
    decompress the same blocks again and again, cost more than one whole read on a 1 km GB
    grid.
    """

    def __init__(self, ds: rasterio.DatasetReader, band: int, nodata: float | None) -> None:
        super().__init__(ds, band)
        self._nodata = _effective_nodata(ds, nodata)
        # Only a real mask band (not one GDAL derives from the nodata tag) needs a masked
        # read, which costs about as much again as the read itself.
        flags = set(ds.mask_flag_enums[band - 1])
        self._use_file_mask = nodata is None and not flags <= {MaskFlags.nodata, MaskFlags.all_valid}
        self._cache: np.ndarray | None = None
        if ds.width * ds.height <= _CACHE_CELLS:
            self._cache = self._read(None)

    def nodata_value(self) -> None:
        return None

    def _read(self, window: Window | None) -> np.ndarray:
        if self._use_file_mask:
            data = self.ds.read(self.band_idx, window=window, masked=True)
            arr, bad = data.data, invalid_cells(data.data, np.ma.getmaskarray(data), None)
        else:
            arr = self.ds.read(self.band_idx, window=window)
            bad = invalid_cells(arr, None, self._nodata)
        out = arr.astype(np.float64)
        if self.scaled:
            out = out * self.scale + self.offset
        out[bad] = np.nan
        return out

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ndarray:
        if self._cache is not None:
            return self._cache[y0 : y0 + ny, x0 : x0 + nx]
        return self._read(Window(x0, y0, nx, ny))


def _check_request(stat: str, value_range: Sequence[float] | None) -> tuple[float, float] | None:
    if stat not in STATS:
        msg = f"Unknown zonal statistic {stat!r}; choose one of {', '.join(repr(s) for s in STATS)}."
        raise CriterionError(msg)
    if stat != "fraction":
        if value_range is not None:
            msg = f"`value_range` (the config's `range`) only applies to stat 'fraction', not {stat!r}."
            raise CriterionError(msg)
        return None
    try:
        lo, hi = (float(v) for v in value_range)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        msg = (
            "Zonal stat 'fraction' needs `value_range` (the config's `range`) as two numbers "
            f"[low, high], got {value_range!r}."
        )
        raise CriterionError(msg) from None
    if not lo <= hi:
        msg = f"`value_range` must be [low, high] with low <= high, got {value_range!r}."
        raise CriterionError(msg)
    return lo, hi


def zonal(
    sites: gpd.GeoDataFrame,
    raster_path: str | os.PathLike[str],
    *,
    stat: str,
    value_range: Sequence[float] | None = None,
    band: int = 1,
    nodata: float | None = None,
) -> pd.Series:
    """Coverage-weighted statistic of a raster over each site.

    Every cell counts in proportion to the share of it the site covers (exactextract), and
    cells that are nodata (or NaN) do not count at all.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Candidate sites (polygons). If their CRS differs from the raster's, the sites are
        reprojected to the raster's CRS (cheaper and more exact than warping the raster).
    raster_path : str or os.PathLike
        Raster file.
    stat : {"mean", "min", "max", "fraction"}
        ``mean``: coverage-weighted mean; ``min``/``max``: over cells the site touches at all;
        ``fraction``: share of the site's covered valid area whose value lies in `value_range`.
    value_range : (float, float), optional
        Inclusive [low, high] for ``stat="fraction"``.
    band : int, default 1
        Band to read (1-based).
    nodata : float, optional
        Nodata value overriding the file's tag (the config's ``nodata``).

    Returns
    -------
    pandas.Series
        float64, indexed like `sites`; NaN where a site covers no valid cell (outside the
        raster, all nodata) or has a missing or empty geometry.

    Raises
    ------
    growthzones.errors.CRSError
        If the raster or the sites have no CRS.
    growthzones.errors.LayerError
        If a site's cells equal an untagged nodata sentinel such as -9999 (see
        :func:`check_nodata_sentinel`), or `band` does not exist.
    growthzones.errors.CriterionError
        For an unknown `stat` or a bad `value_range`.
    growthzones.errors.InputFileError
        If the raster is missing or unreadable.

    Examples
    --------
    >>> zonal(sites, "water_stress.tif", stat="mean")  # doctest: +SKIP
    >>> zonal(sites, "slope.tif", stat="fraction", value_range=[0, 5])  # doctest: +SKIP
    """
    bounds = _check_request(stat, value_range)
    out = np.full(len(sites), np.nan)
    with _open(raster_path) as ds:
        if ds.crs is None:
            msg = (
                f"Raster {os.fspath(raster_path)!r} has no CRS, so its cells cannot be placed on "
                "the map. Assign the right one to the file, e.g. "
                f"`rio edit-info --crs EPSG:27700 {os.fspath(raster_path)}` or "
                f"`gdal_edit.py -a_srs EPSG:27700 {os.fspath(raster_path)}`."
            )
            raise CRSError(msg)
        _check_band(ds, raster_path, band)
        if sites.crs is None:
            msg = (
                "The sites have no CRS, so they cannot be placed on raster "
                f"{os.fspath(raster_path)!r} ({crs_name(ds.crs)}). Set it with `sites.set_crs(...)`."
            )
            raise CRSError(msg)

        geoms, ok = geometry_array(sites)
        if not ok.any():
            return pd.Series(out, index=sites.index, dtype="float64")
        vec = gpd.GeoDataFrame({_POS: np.flatnonzero(ok)}, geometry=geoms[ok], crs=sites.crs)
        raster_crs = CRS.from_wkt(ds.crs.to_wkt())
        if same_crs(sites.crs, raster_crs):
            # Same CRS spelled differently would make exactextract warn of a mismatch.
            vec = vec.set_crs(raster_crs, allow_override=True)
        else:
            log.info(
                "Reprojecting %d site(s) from %s to %s, the CRS of raster %s, for zonal statistics",
                len(vec),
                crs_name(sites.crs),
                crs_name(raster_crs),
                os.fspath(raster_path),
            )
            vec = vec.to_crs(raster_crs)
            # A site that cannot be projected (outside the CRS's area) becomes empty or inf.
            bad = vec.geometry.is_empty | vec.geometry.isna() | ~np.isfinite(vec.geometry.bounds).all(axis=1)
            vec = vec[~bad.to_numpy()]

        ops = ["values", "coverage"] if stat == "fraction" else [stat]
        ops = [*dict.fromkeys([*ops, "min", "max"])]
        source = _MaskedRasterioSource(ds, band, nodata)
        table = exact_extract(source, vec, ops, output="pandas", include_cols=[_POS])
        if len(table) == 0:
            return pd.Series(out, index=sites.index, dtype="float64")

        vmin = pd.to_numeric(table["min"], errors="coerce").min()
        vmax = pd.to_numeric(table["max"], errors="coerce").max()
        sentinel = untagged_sentinel(vmin, vmax, ds.dtypes[band - 1], _effective_nodata(ds, nodata))
        if sentinel is not None:
            raise sentinel_error(raster_path, sentinel, ds.nodata)

    pos = table[_POS].to_numpy(dtype=np.int64)
    if stat == "fraction":
        lo, hi = bounds  # type: ignore[misc]
        values = [np.asarray(v, dtype="float64") for v in table["values"]]
        coverage = [np.asarray(c, dtype="float64") for c in table["coverage"]]
        lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
        owner = np.repeat(np.arange(len(values)), lengths)
        flat_v = np.concatenate(values) if len(values) else np.empty(0)
        flat_c = np.concatenate(coverage) if len(coverage) else np.empty(0)
        inside = (flat_v >= lo) & (flat_v <= hi)
        covered = np.bincount(owner, weights=flat_c, minlength=len(values))
        hit = np.bincount(owner, weights=flat_c * inside, minlength=len(values))
        with np.errstate(invalid="ignore", divide="ignore"):
            result = np.where(covered > 0, hit / covered, np.nan)
    else:
        result = pd.to_numeric(table[stat], errors="coerce").to_numpy(dtype="float64")
    out[pos] = result
    missing = int(np.isnan(out[ok]).sum())
    if missing:
        log.info(
            "%d of %d site(s) cover no valid cell of %s (outside it, or all nodata): their value is NaN",
            missing,
            int(ok.sum()),
            os.fspath(raster_path),
        )
    return pd.Series(out, index=sites.index, dtype="float64")
