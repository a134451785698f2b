"""Surface files: a Cloud-Optimised GeoTIFF with one named band per variable, and back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from growthzones.atomic import atomic_path, check_output_path
from growthzones.errors import InputFileError

__all__ = ["read_surface", "write_surface"]

#: Attributes stored as GeoTIFF tags (read back by :func:`read_surface`).
_NUMERIC_ATTRS = ("cell_size", "demo")


def write_surface(
    ds: xr.Dataset,
    path: str | Path,
    *,
    overwrite: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> Path:
    """Write a surface as a COG GeoTIFF: one float32 band per variable, band descriptions = names.

    GeoTIFF bands share one data type, so the uint8 bands are stored as float32 (0, 1,
    255 exactly) and :func:`read_surface` restores them. A lazy (Dask) surface is computed
    here, chunk by chunk into a tiled GeoTIFF (peak memory set by the chunks), then copied
    into the COG layout. Nothing is left at ``path`` if anything fails.

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
    arr = xr.concat([ds[n].astype("float32") for n in names], dim="band")
    arr = arr.assign_coords(band=np.arange(1, len(names) + 1))
    arr = arr.rio.write_crs(ds.rio.crs).rio.write_transform(ds.rio.transform())
    arr = arr.rio.write_nodata(np.nan, encoded=False)
    arr.attrs = {}
    with atomic_path(path, overwrite=overwrite) as tmp:
        staging = tmp.with_name(tmp.name + ".tiled.tif")
        try:
            if progress:
                progress(0, 2, "computing and writing")
            kwargs: dict[str, Any] = {"tiled": True, "blockxsize": 512, "blockysize": 512, "compress": "deflate",
                                      "predictor": 3, "BIGTIFF": "IF_SAFER"}  # fmt: skip
            if arr.chunks is not None:
                kwargs["lock"] = _lock()
            arr.rio.to_raster(staging, **kwargs)
            with rasterio.open(staging, "r+") as dst:
                for i, name in enumerate(names, start=1):
                    dst.set_band_description(i, name)
                tags = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in ds.attrs.items()}
                dst.update_tags(**tags)
            if progress:
                progress(1, 2, "COG layout")
            rasterio.shutil.copy(staging, tmp, driver="COG", compress="deflate", predictor=3, BIGTIFF="IF_SAFER",
                                 overview_resampling="average", num_threads="ALL_CPUS")  # fmt: skip
            if progress:
                progress(2, 2, "done")
        finally:
            staging.unlink(missing_ok=True)
            Path(str(staging) + ".aux.xml").unlink(missing_ok=True)
    return path


def _lock() -> Any:
    """A lock the Dask workers share while writing (a distributed lock under a Client)."""
    try:
        from distributed import Lock, get_client

        get_client()  # raises ValueError without a running client
        return Lock("growthzones-surface-write")
    except (ImportError, ValueError):
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
