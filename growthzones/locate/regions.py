"""Located regions as sites: polygons dissolved from cells, their attributes, and the GeoPackage.

The GeoPackage has one layer, ``regions``, so ``growthzones rank`` reads it as ``[sites]``
directly (``id = "site_id"``, ``name = "name"``); how it was made is in the layer's metadata.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from rasterio import features
from rasterio.windows import Window
from rasterio.windows import transform as window_transform

from growthzones.atomic import atomic_path
from growthzones.locate.grid import SurfaceGrid

__all__ = ["LAYER", "region_polygon", "region_table", "write_regions"]

LAYER = "regions"


def region_polygon(cells: np.ndarray, grid: SurfaceGrid) -> shapely.Geometry:
    """The polygon covered by a set of cells (flat indices), dissolved.

    Examples
    --------
    >>> from affine import Affine
    >>> g = SurfaceGrid(np.zeros((2, 2)), np.ones((2, 2), bool), Affine(100, 0, 0, 0, -100, 200), None, 100.0)
    >>> region_polygon(np.array([0, 1, 3]), g).area
    30000.0
    """
    _rows, cols = grid.shape
    i, j = np.divmod(np.asarray(cells), cols)
    r0, c0 = int(i.min()), int(j.min())
    mask = np.zeros((int(i.max()) - r0 + 1, int(j.max()) - c0 + 1), dtype=np.uint8)
    mask[i - r0, j - c0] = 1
    tr = window_transform(Window(c0, r0, mask.shape[1], mask.shape[0]), grid.transform)
    polys = [shapely.geometry.shape(geom) for geom, v in features.shapes(mask, mask=mask.astype(bool), transform=tr)
             if v == 1]  # fmt: skip
    return shapely.union_all(polys)


def _column_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_").lower() or "gate"


def _gate_shares(cells: np.ndarray, grid: SurfaceGrid) -> dict[str, float]:
    """Share of the cells passing each gate: from ``pass_<gate>`` bands, else from ``gate_code``."""
    out: dict[str, float] = {}
    passes = {k: v for k, v in grid.extra.items() if k.startswith("pass_")}
    if passes:
        for name, arr in passes.items():
            out[f"pass_{_column_name(name[5:])}"] = float((arr.ravel()[cells] == 1).mean())
        return out
    code = grid.extra.get("gate_code")
    if code is None:
        return out
    codes = code.ravel()[cells].astype(np.int64)
    names = grid.gate_names or tuple(f"gate_{k}" for k in range(1, int(codes.max(initial=0)) + 1))
    for k, name in enumerate(names, start=1):
        # gate k passes where no gate failed (0) or the first failing gate came after it
        out[f"pass_{_column_name(name)}"] = float(((codes == 0) | ((codes > k) & (codes != 255))).mean())
    return out


def region_table(
    regions: Sequence[np.ndarray], objectives: Sequence[float], grid: SurfaceGrid, *, prefix: str = "R"
) -> gpd.GeoDataFrame:
    """Regions as sites: ``site_id`` ordered by objective (ties by position), attributes, polygons.

    Columns: ``site_id`` (``R001``...), ``name``, ``area_ha``, ``n_cells``, ``mean_score``,
    ``min_score``, ``max_score``, ``objective``, ``compactness`` (Polsby-Popper, 1 = a disc),
    ``centre_x``/``centre_y`` (of the cells), ``mean_<group>`` per ``group_<name>`` variable and
    ``pass_<gate>`` (share of cells passing each gate).

    Examples
    --------
    >>> from affine import Affine
    >>> s = np.array([[10.0, 20.0], [30.0, 40.0]])
    >>> g = SurfaceGrid(s, np.ones((2, 2), bool), Affine(100, 0, 0, 0, -100, 200), "EPSG:27700", 100.0)
    >>> t = region_table([np.array([0, 1]), np.array([3])], [15.0, 40.0], g)
    >>> t[["site_id", "area_ha", "mean_score", "min_score"]].values.tolist()
    [['R001', 1.0, 40.0, 40.0], ['R002', 2.0, 15.0, 10.0]]
    """
    flat = grid.score.ravel()
    _rows, cols = grid.shape
    order = sorted(range(len(regions)), key=lambda k: (-objectives[k], int(regions[k].min())))
    width = max(3, len(str(len(regions))))
    groups = {k[6:]: v.ravel() for k, v in grid.extra.items() if k.startswith("group_")}
    records = []
    geoms = []
    for n, k in enumerate(order, start=1):
        cells = regions[k]
        vals = flat[cells].astype(np.float64)
        geom = region_polygon(cells, grid)
        i, j = np.divmod(cells, cols)
        x, y = grid.transform @ (j.mean() + 0.5, i.mean() + 0.5)
        sid = f"{prefix}{n:0{width}d}"
        rec = {
            "site_id": sid,
            "name": f"Located region {sid}",
            "area_ha": round(len(cells) * grid.cell_ha, 6),
            "n_cells": len(cells),
            "mean_score": float(vals.mean()),
            "min_score": float(vals.min()),
            "max_score": float(vals.max()),
            "objective": float(objectives[k]),
            "compactness": float(4 * np.pi * geom.area / geom.length**2),
            "centre_x": float(x),
            "centre_y": float(y),
        }
        for g, arr in groups.items():
            rec[f"mean_{g}"] = float(np.nanmean(arr[cells]))
        rec.update(_gate_shares(cells, grid))
        records.append(rec)
        geoms.append(geom)
    columns = ["site_id", "name", "area_ha", "n_cells", "mean_score", "min_score", "max_score", "objective"]
    return gpd.GeoDataFrame(records or {c: [] for c in columns}, geometry=geoms, crs=grid.crs)


def write_regions(
    regions: gpd.GeoDataFrame, path: str | Path, *, metadata: Mapping[str, str] | None = None, overwrite: bool = True
) -> Path:
    """Write the regions to a GeoPackage (layer ``regions``), atomically, with ``metadata`` on the layer.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from shapely import box
    >>> r = gpd.GeoDataFrame({"site_id": ["R001"], "name": ["Located region R001"]}, geometry=[box(0, 0, 100, 100)],
    ...                      crs="EPSG:27700")
    >>> out = write_regions(r, pathlib.Path(tempfile.mkdtemp()) / "regions.gpkg", metadata={"objective": "1.0"})
    >>> pyogrio.read_info(out, layer="regions")["layer_metadata"]["objective"]
    '1.0'
    """
    with atomic_path(path, overwrite=overwrite) as tmp:
        pyogrio.write_dataframe(regions, tmp, layer=LAYER, driver="GPKG",
                                layer_metadata={str(k): str(v) for k, v in (metadata or {}).items()})  # fmt: skip
    return Path(path)
