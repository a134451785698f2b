"""The surface as plain arrays: what locating regions reads from a suitability surface.

A surface (see ``docs/locate.md`` and the surface contract) is an ``xarray.Dataset`` with
``score`` (0..100, NaN outside), ``eligible`` (1 = passes every gate), ``gate_code`` and
optional ``pass_<gate>`` and ``group_<name>`` variables, on a regular north-up grid with a
rioxarray CRS and transform; or a GeoTIFF holding them as named bands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from affine import Affine

from growthzones.errors import InputFileError, LayerError

__all__ = ["SurfaceGrid", "as_grid", "read_surface_file"]


@dataclass(frozen=True)
class SurfaceGrid:
    """A surface's arrays and georeferencing, as locating uses them.

    Attributes
    ----------
    score
        float32 (rows, cols) (the surface contract; sums are taken in float64), 0..100, NaN where there is no value.
    eligible
        bool (rows, cols): passes every gate and has a score.
    transform
        The affine transform of the grid (cell corners).
    crs
        The CRS (anything rasterio/pyproj reads), or None.
    cell_size
        Side of a (square) cell, metres.
    extra
        Other per-cell variables: ``gate_code`` (uint8), ``pass_<gate>`` and ``group_<name>``.
    gate_names
        Gate labels in config order (``gate_code`` k names ``gate_names[k-1]``).
    attrs
        The surface's attributes (method, config, version...), as text.
    """

    score: np.ndarray
    eligible: np.ndarray
    transform: Affine
    crs: Any
    cell_size: float
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    gate_names: tuple[str, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)."""
        return self.score.shape  # type: ignore[return-value]

    @property
    def cell_ha(self) -> float:
        """Area of one cell, hectares."""
        return self.cell_size**2 / 10_000


def as_grid(surface: Any, *, what: str = "surface") -> SurfaceGrid:
    """Arrays and georeferencing of a surface Dataset (or a :class:`SurfaceGrid`, returned as is).

    Parameters
    ----------
    surface
        An ``xarray.Dataset`` following the surface contract, or a path to a surface GeoTIFF.
    what
        How to name the surface in messages.

    Raises
    ------
    LayerError
        If ``score`` or ``eligible`` is missing or the cells are not square.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from affine import Affine
    >>> ds = xr.Dataset({"score": (("y", "x"), np.array([[50.0, 60.0]])),
    ...                  "eligible": (("y", "x"), np.array([[1, 0]], dtype="uint8"))},
    ...                 coords={"y": [50.0], "x": [50.0, 150.0]})
    >>> g = as_grid(ds)
    >>> g.shape, g.cell_size, g.eligible.tolist()
    ((1, 2), 100.0, [[True, False]])
    """
    if isinstance(surface, SurfaceGrid):
        return surface
    if isinstance(surface, (str, Path)):
        return read_surface_file(surface)
    names = list(getattr(surface, "data_vars", {}))
    missing = [v for v in ("score", "eligible") if v not in names]
    if missing:
        msg = (
            f"{what}: no variable(s) {', '.join(missing)} (it has {', '.join(names) or 'none'}); "
            "make it with `growthzones surface`"
        )
        raise LayerError(msg)
    transform, crs = _georef(surface, what)
    arrays = {n: np.asarray(surface[n].values) for n in names if surface[n].ndim == 2}
    attrs = {str(k): (v if isinstance(v, str) else json.dumps(v, default=str)) for k, v in surface.attrs.items()}
    return _grid_from(arrays, transform, crs, attrs, what)


def _georef(ds: Any, what: str) -> tuple[Affine, Any]:
    try:
        transform = ds.rio.transform()
        crs = ds.rio.crs
    except Exception:  # no rioxarray accessor or no usable coordinates: read the coordinates themselves
        transform, crs = None, None
    if transform is None or (transform.a == 1 and transform.e == 1 and "x" in ds.coords and len(ds.x) > 1):
        xs, ys = np.asarray(ds["x"].values, float), np.asarray(ds["y"].values, float)
        dx = xs[1] - xs[0] if len(xs) > 1 else None
        dy = ys[1] - ys[0] if len(ys) > 1 else None
        step = dx if dx is not None else (-dy if dy is not None else None)
        if step is None:
            msg = f"{what}: a single cell has no cell size; give the Dataset a rioxarray transform"
            raise LayerError(msg)
        dy = dy if dy is not None else -step
        transform = Affine(step, 0, xs[0] - step / 2, 0, dy, ys[0] - dy / 2)
    return transform, crs


def _grid_from(
    arrays: dict[str, np.ndarray], transform: Affine, crs: Any, attrs: dict[str, str], what: str
) -> SurfaceGrid:
    if transform.b != 0 or transform.d != 0 or not np.isclose(abs(transform.a), abs(transform.e)):
        msg = (
            f"{what}: cells are not square and north-up (transform {tuple(transform)[:6]}); "
            "make the surface on a square grid"
        )
        raise LayerError(msg)
    score = np.asarray(arrays["score"], dtype=np.float32)
    eligible = (np.asarray(arrays["eligible"]) == 1) & np.isfinite(score)
    try:
        gate_names = tuple(json.loads(attrs.get("gate_names", "[]")))
    except json.JSONDecodeError:
        gate_names = ()
    extra = {k: v for k, v in arrays.items() if k not in ("score", "eligible")}
    return SurfaceGrid(score, eligible, transform, crs, float(abs(transform.a)), extra, gate_names, attrs)


def read_surface_file(path: str | Path) -> SurfaceGrid:
    """Read a surface GeoTIFF: one band per variable, named by its band description.

    The dataset's tags become the attributes (``gate_names`` is a JSON list).

    Raises
    ------
    InputFileError
        If the file is missing or not a raster.
    LayerError
        If it has no ``score`` or ``eligible`` band.

    Examples
    --------
    >>> try:
    ...     read_surface_file("no_such_surface.tif")
    ... except InputFileError as e:
    ...     print(e)
    surface 'no_such_surface.tif' does not exist; make it with `growthzones surface CONFIG --out no_such_surface.tif`
    """
    import rasterio

    p = Path(path)
    if not p.exists():
        msg = f"surface {str(path)!r} does not exist; make it with `growthzones surface CONFIG --out {path}`"
        raise InputFileError(msg)
    try:
        with rasterio.open(p) as src:
            names = [d or f"band_{i + 1}" for i, d in enumerate(src.descriptions)]
            data = src.read()
            transform, crs = src.transform, src.crs
            attrs = {str(k): str(v) for k, v in src.tags().items()}
            nodata = src.nodatavals
    except rasterio.errors.RasterioError as exc:
        msg = (
            f"surface {str(path)!r} cannot be read as a raster ({exc}); give the GeoTIFF made by `growthzones surface`"
        )
        raise InputFileError(msg) from exc
    arrays = {}
    for name, band, nd in zip(names, data, nodata, strict=True):
        arr = band
        if name == "score" and nd is not None and not np.isnan(nd):
            arr = np.where(band == nd, np.nan, band.astype(np.float32))
        arrays[name] = arr
    missing = [v for v in ("score", "eligible") if v not in arrays]
    if missing:
        msg = (
            f"surface {str(path)!r} has no band(s) named {', '.join(missing)} (bands: {', '.join(names)}); "
            "give the GeoTIFF made by `growthzones surface`"
        )
        raise LayerError(msg)
    return _grid_from(arrays, transform, crs, attrs, f"surface {str(path)!r}")
