"""Surface files: a Cloud-Optimised GeoTIFF with one named band per variable, and back."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from growthzones.atomic import atomic_path, check_output_path
from growthzones.errors import InputFileError
from growthzones.progress import Progress

__all__ = ["read_surface", "write_surface"]

log = logging.getLogger(__name__)

#: Above this many values (bands x cells) the COG is written without overviews: at 25 m over
#: Great Britain (9 bands, 11 G values) GDAL's overviews took over 17 minutes at 3.2 GB.
MAX_OVERVIEW_VALUES = 2_000_000_000

#: GDAL's block cache while a surface is written, bytes (rasterio takes this key in bytes).
GDAL_CACHE_BYTES = 512 * 2**20

#: Rows of an in-memory surface converted and written at a time.
_STRIP_ROWS = 1024

#: Attributes stored as GeoTIFF tags (read back by :func:`read_surface`).
_NUMERIC_ATTRS = ("cell_size", "demo")


def write_surface(
    ds: xr.Dataset,
    path: str | Path,
    *,
    overwrite: bool = True,
    progress: Progress | None = None,
) -> Path:
    """Write a surface as a COG GeoTIFF: one float32 band per variable, band descriptions = names.

    GeoTIFF bands share one data type, so the uint8 bands are stored as float32 (0, 1,
    255 exactly) and :func:`read_surface` restores them. A lazy (Dask) surface is computed
    here, one task per chunk writing its cells into a tiled GeoTIFF (peak memory set by the
    chunks; ``progress`` counts the chunks), then copied into the COG layout, with average
    overviews up to :data:`MAX_OVERVIEW_VALUES` values and without them beyond (a warning says
    how to add them). Nothing is left at ``path`` if anything fails.

    Examples
    --------
    >>> import growthzones as gz, pathlib, tempfile
    >>> from growthzones.surface import surface
    >>> ds = surface(gz.datasets.demo_config_path(), 5000, drop=["site_area"])
    >>> out = write_surface(ds, pathlib.Path(tempfile.mkdtemp()) / "s.tif")
    >>> read_surface(out)["eligible"].dtype.name
    'uint8'
    """
    import rasterio
    import rasterio.shutil
    import rioxarray  # noqa: F401

    path = check_output_path(path, overwrite=overwrite)
    names = list(ds.data_vars)
    height, width = ds.sizes["y"], ds.sizes["x"]
    profile: dict[str, Any] = {
        "driver": "GTiff", "width": width, "height": height, "count": len(names), "dtype": "float32",
        "crs": ds.rio.crs, "transform": ds.rio.transform(), "nodata": np.nan, "interleave": "band",
        "tiled": True, "blockxsize": 512, "blockysize": 512, "compress": "deflate", "predictor": 3,
        "BIGTIFF": "IF_SAFER",
    }  # fmt: skip
    lazy = any(ds[n].chunks is not None for n in names)
    with atomic_path(path, overwrite=overwrite) as tmp:
        staging = tmp.with_name(tmp.name + ".tiled.tif")
        # A bounded GDAL block cache: GDAL's default (5% of the memory) held gigabytes of a
        # large surface's blocks while writing.
        env = rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_BYTES)
        try:
            with env:
                if lazy:
                    arr = xr.concat([ds[n].astype("float32") for n in names], dim="band")
                    steps = _write_chunks(arr, staging, profile, progress) + 1
                else:
                    steps = 2
                    if progress:
                        progress(0, steps, "writing")
                    _write_bands(ds, names, staging, profile)
                with rasterio.open(staging, "r+") as dst:
                    for i, name in enumerate(names, start=1):
                        dst.set_band_description(i, name)
                    tags = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in ds.attrs.items()}
                    dst.update_tags(**tags)
                if progress:
                    progress(steps - 1, steps, "COG layout")
                values = len(names) * height * width
                ovr: dict[str, Any] = {"overview_resampling": "average"}
                if values > MAX_OVERVIEW_VALUES:
                    # GDAL's COG overviews of a surface this large take longer than the surface
                    # itself: the layout without them; `gdaladdo -ro` adds them beside the file.
                    ovr = {"overviews": "NONE"}
                    log.warning("surface %s: %s values, written without overviews (add them with `gdaladdo -ro %s`)",
                                path, f"{values:,}", Path(path).name)  # fmt: skip
                rasterio.shutil.copy(staging, tmp, driver="COG", compress="deflate", predictor=3, BIGTIFF="IF_SAFER",
                                     num_threads="ALL_CPUS", **ovr)  # fmt: skip
            if progress:
                progress(steps, steps, "done")
        finally:
            staging.unlink(missing_ok=True)
            Path(str(staging) + ".aux.xml").unlink(missing_ok=True)
    return path


def _write_bands(ds: xr.Dataset, names: list[str], path: Path, profile: dict[str, Any]) -> None:
    """Write in-memory bands one strip at a time (float32 copies of a strip, not of the surface)."""
    import rasterio
    from rasterio.windows import Window

    height, width = profile["height"], profile["width"]
    with rasterio.open(path, "w", **profile) as dst:
        for i, name in enumerate(names, start=1):
            band = ds[name].values
            for r in range(0, height, _STRIP_ROWS):
                h = min(_STRIP_ROWS, height - r)
                dst.write(band[r : r + h].astype(np.float32), i, window=Window(0, r, width, h))


def _write_chunks(arr: xr.DataArray, path: Path, profile: dict[str, Any], progress: Progress | None) -> int:
    """Compute a lazy surface chunk by chunk on the active Dask scheduler, each chunk written by its task.

    One task per chunk of cells computes every band of the chunk and writes them into the
    tiled GeoTIFF under a shared lock, so no chunk travels back to this process and memory
    stays set by the chunk size. ``progress`` is told as chunks finish (out of one step more
    than the chunks: the COG layout follows). Returns the number of chunks.
    """
    import dask
    import rasterio

    data = arr.data.rechunk({0: -1})  # every band of a chunk in one block (one task writes it)
    with rasterio.open(path, "w", **profile):
        pass
    rows = np.cumsum((0, *data.chunks[1]))
    cols = np.cumsum((0, *data.chunks[2]))
    blocks = data.to_delayed()
    lock = _lock()
    write = dask.delayed(_write_block, pure=False)
    tasks = [
        write(blocks[0, i, j], str(path), int(rows[i]), int(cols[j]), lock, dask_key_name=("gz-write-chunk", i, j))
        for i in range(len(rows) - 1)
        for j in range(len(cols) - 1)
    ]
    total = len(tasks) + 1  # and the COG layout after
    if progress:
        progress(0, total, "chunks")
    client = _client()
    if client is not None:
        from distributed import as_completed

        for done, fut in enumerate(as_completed(client.compute(tasks)), start=1):
            fut.result()  # a chunk's error is raised here, named
            if progress:
                progress(done, total, "chunks")
        return len(tasks)
    from dask.callbacks import Callback

    count = [0]

    def _posttask(key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        if isinstance(key, tuple) and key and key[0] == "gz-write-chunk":
            count[0] += 1
            if progress:
                progress(count[0], total, "chunks")

    with Callback(posttask=_posttask):
        dask.compute(*tasks)
    return len(tasks)


def _write_block(block: np.ndarray, path: str, row: int, col: int, lock: Any) -> None:
    """Write one chunk (bands, rows, cols) at ``(row, col)`` of the tiled GeoTIFF, holding ``lock``."""
    import rasterio
    from rasterio.windows import Window

    window = Window(col, row, block.shape[2], block.shape[1])
    with lock, rasterio.open(path, "r+") as dst:
        dst.write(np.asarray(block, dtype=np.float32), window=window)


def _client() -> Any:
    """The running ``distributed`` client, or None (a local Dask scheduler)."""
    try:
        from distributed import get_client

        return get_client()
    except (ImportError, ValueError):
        return None


def _lock() -> Any:
    """A lock the Dask workers share while writing (a distributed lock under a Client)."""
    if _client() is not None:
        from distributed import Lock

        return Lock("growthzones-surface-write")
    import threading

    return threading.Lock()


def read_surface(path: str | Path, *, chunks: Any = None) -> xr.Dataset:
    """Read a surface written by :func:`write_surface` (variables named by the band descriptions).

    Parameters
    ----------
    path
        The GeoTIFF.
    chunks
        Passed to ``rioxarray.open_rasterio`` for a lazy (Dask) read; None reads it all.

    Raises
    ------
    InputFileError
        The file is missing, unreadable, or its bands carry no names.

    Examples
    --------
    >>> try:
    ...     read_surface("no_such_surface.tif")
    ... except InputFileError as e:
    ...     print(e)
    surface 'no_such_surface.tif' does not exist: make it with `growthzones surface CONFIG --out no_such_surface.tif`
    """
    import rasterio
    import rioxarray

    p = Path(path)
    if not p.is_file():
        msg = f"surface {str(path)!r} does not exist: make it with `growthzones surface CONFIG --out {p.name}`"
        raise InputFileError(msg)
    try:
        with rasterio.open(p) as src:
            names = list(src.descriptions)
            tags = src.tags()
        da = rioxarray.open_rasterio(p, chunks=chunks, masked=False)
    except rasterio.errors.RasterioIOError as exc:
        msg = f"cannot read surface {str(path)!r}: {exc}"
        raise InputFileError(msg) from exc
    if any(not n for n in names) or "score" not in names:
        msg = f"{str(path)!r} is not a growthzones surface: its bands have no names (expected score, eligible, ...)"
        raise InputFileError(msg)
    crs, transform = da.rio.crs, da.rio.transform()
    data = {}
    for i, name in enumerate(names):
        band = da.isel(band=i, drop=True)
        is_int = name in ("eligible", "gate_code") or name.startswith("pass_")
        data[name] = band.astype("uint8") if is_int else band.astype("float32")
        data[name].attrs = {}
    attrs: dict[str, Any] = {k: v for k, v in tags.items() if k != "AREA_OR_POINT"}
    for k in _NUMERIC_ATTRS:
        if k in attrs:
            attrs[k] = float(attrs[k]) if k == "cell_size" else int(float(attrs[k]))
    ds = xr.Dataset(data, attrs=attrs)
    return ds.rio.write_crs(crs).rio.write_transform(transform)
