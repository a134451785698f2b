"""Test surfaces built by hand, following the surface contract (CONTRACTS.md), and an independent oracle."""

from __future__ import annotations

import itertools
import json

import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from affine import Affine


def make_surface(score, eligible=None, *, cell=100.0, x0=400_000.0, y0=300_000.0, gates=("flood",), crs="EPSG:27700"):
    """A surface Dataset: score, eligible, gate_code (+ pass_ bands) on a north-up grid, origin (x0, y0) top-left."""
    score = np.asarray(score, dtype="float32")
    rows, cols = score.shape
    elig = np.ones(score.shape, dtype="uint8") if eligible is None else np.asarray(eligible, dtype="uint8")
    elig = np.where(np.isnan(score), 255, elig).astype("uint8")
    gate_code = np.where(elig == 1, 0, np.where(elig == 255, 255, 1)).astype("uint8")
    xs = x0 + cell * (np.arange(cols) + 0.5)
    ys = y0 - cell * (np.arange(rows) + 0.5)
    ds = xr.Dataset(
        {"score": (("y", "x"), score), "eligible": (("y", "x"), elig), "gate_code": (("y", "x"), gate_code)},
        coords={"y": ys, "x": xs},
        attrs={"cell_size": cell, "method": "wlc", "config": "test", "gate_names": json.dumps(list(gates))},
    )
    ds = ds.rio.write_crs(crs).rio.write_transform(Affine(cell, 0, x0, 0, -cell, y0))
    return ds


def bfs_connected_sets(eligible, min_cells, max_cells):
    """Every 4-connected set of eligible cells of min..max cells, by breadth-first growth over sets (oracle)."""
    rows, cols = eligible.shape
    cells = [(i, j) for i in range(rows) for j in range(cols) if eligible[i, j]]
    level = {frozenset([c]) for c in cells}
    out = set()
    for size in range(1, max_cells + 1):
        if size >= min_cells:
            out |= level
        if size == max_cells:
            break
        nxt = set()
        for s in level:
            for i, j in s:
                for n in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)):
                    if 0 <= n[0] < rows and 0 <= n[1] < cols and eligible[n] and n not in s:
                        nxt.add(s | {n})
        level = nxt
    return sorted(tuple(sorted(i * cols + j for i, j in s)) for s in out)


def set_distance(a, b, cols):
    """Edge-to-edge distance in cells between two cell sets, pair by pair (oracle)."""
    best = np.inf
    for x, y in itertools.product(a, b):
        di = max(abs(x // cols - y // cols) - 1, 0)
        dj = max(abs(x % cols - y % cols) - 1, 0)
        best = min(best, float(np.hypot(di, dj)))
    return best


def brute_force(regions, values, count, clash):
    """Best set of ``count`` regions by value with no clashing pair: branch and bound over all subsets (exact).

    Returns (best value, chosen indices). Ties: the first set met in an order where regions are sorted by
    value descending, then index, so this is only used where values are distinct or tie-perturbed.
    """
    order = sorted(range(len(regions)), key=lambda k: (-values[k], k))
    best = [-np.inf, ()]

    def rec(start, chosen, total):
        if len(chosen) == count:
            if total > best[0] + 1e-12:
                best[0], best[1] = total, tuple(sorted(chosen))
            return
        need = count - len(chosen)
        for p in range(start, len(order) - need + 1):
            k = order[p]
            # bound: the next `need` values in order are the largest left
            if total + sum(values[order[q]] for q in range(p, p + need)) <= best[0] + 1e-12:
                return
            if all(not clash(k, c) for c in chosen):
                rec(p + 1, [*chosen, k], total + values[k])

    rec(0, [], 0.0)
    return best[0], best[1]


def write_surface_tif(ds, path):
    """Write a surface Dataset as a GeoTIFF, one band per variable named by its description (the file contract)."""
    import rasterio

    names = [n for n in ds.data_vars]
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=ds.sizes["x"],
        height=ds.sizes["y"],
        count=len(names),
        dtype="float32",
        crs=ds.rio.crs,
        transform=ds.rio.transform(),
        nodata=float("nan"),
    ) as dst:
        for k, n in enumerate(names, start=1):
            dst.write(ds[n].values.astype("float32"), k)
            dst.set_band_description(k, n)
        dst.update_tags(**{k: str(v) for k, v in ds.attrs.items()})
    return path
