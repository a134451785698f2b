"""Time growthzones' criteria measures against the naive way, in the same run.

Self-contained: generates seeded synthetic data across the GB extent (EPSG:27700,
x 0-700 km, y 0-1200 km) in a temporary folder:

- polygon sites (squares and rectangles, 200 m - 2 km across),
- a 1 km float32 raster (and, with ``--fine``, a 100 m one: 84 M cells, ~10 s to write),
- ~300 point substations with a headroom attribute, ~200 polylines (cables / roads).

Peers: rasterstats ``zonal_stats`` for raster means; per-site shapely loops
(``min(site.distance(f) for f in features)``) for distances, nearest attributes and sums
within a radius. Times are the best of N runs (``time.perf_counter``); the ratio is
peer / ours (above 1: ours is faster). Results are also compared, so a fast wrong answer
shows up.

Usage::

    python benchmarks/bench_criteria.py              # 250 and 2,500 sites, 1 km raster
    python benchmarks/bench_criteria.py --fine       # also the 100 m raster
    python benchmarks/bench_criteria.py --sites 250  # one size only
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from rasterio.transform import from_origin

from growthzones.criteria.distance import distance_km
from growthzones.criteria.proximity import nearest_attribute, within_radius
from growthzones.criteria.zonal import zonal

CRS = "EPSG:27700"
XMAX, YMAX = 700_000.0, 1_200_000.0
RADIUS_M = 10_000.0


def make_sites(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    x = rng.uniform(20_000, XMAX - 20_000, n)
    y = rng.uniform(20_000, YMAX - 20_000, n)
    w = rng.uniform(200, 2000, n)
    h = w * rng.uniform(0.5, 2.0, n)
    geoms = shapely.box(x, y, x + w, y + h)
    # A few rotated sites so edges do not all run along the raster grid.
    rot = rng.random(n) < 0.3
    geoms[rot] = [
        shapely.affinity.rotate(g, float(a)) for g, a in zip(geoms[rot], rng.uniform(0, 90, rot.sum()), strict=True)
    ]
    index = [f"site_{i:05d}" for i in range(n)]
    return gpd.GeoDataFrame({"name": index}, geometry=geoms, crs=CRS, index=index).rename_axis("site_id")


def make_points(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    pts = shapely.points(rng.uniform(0, XMAX, n), rng.uniform(0, YMAX, n))
    return gpd.GeoDataFrame({"headroom_mw": rng.uniform(0, 500, n).round(1)}, geometry=pts, crs=CRS)


def make_lines(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    lines = []
    for _ in range(n):
        k = int(rng.integers(2, 6))
        start = rng.uniform((0, 0), (XMAX, YMAX))
        steps = rng.normal(0, 15_000, (k - 1, 2))
        lines.append(shapely.LineString(np.vstack([start, start + np.cumsum(steps, axis=0)])))
    return gpd.GeoDataFrame({"capacity": rng.uniform(1, 10, n)}, geometry=lines, crs=CRS)


def make_raster(rng: np.random.Generator, path: Path, res: float) -> Path:
    width, height = int(XMAX / res), int(YMAX / res)
    # Smooth field at 10 km, repeated to the target resolution, plus cell-level noise.
    coarse = rng.normal(0.5, 0.2, (int(YMAX / 10_000), int(XMAX / 10_000))).astype("float32")
    rep = int(10_000 / res)
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "float32",
        "crs": CRS,
        "transform": from_origin(0, YMAX, res, res),
        "nodata": -9999.0,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        # Written in bands of coarse rows to keep memory bounded on the 100 m raster.
        for r in range(coarse.shape[0]):
            block = np.repeat(np.repeat(coarse[r : r + 1], rep, axis=0), rep, axis=1)
            block = block + rng.normal(0, 0.05, block.shape).astype("float32")
            block[rng.random(block.shape) < 0.01] = -9999.0  # tagged nodata, both tools skip it
            dst.write(block, 1, window=rasterio.windows.Window(0, r * rep, width, rep))
    return path


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


# --- the naive peers ---------------------------------------------------------------------------


def naive_distance_km(sites, features):
    feats = list(features.geometry)
    return np.array([min(s.distance(f) for f in feats) / 1000 for s in sites.geometry])


def naive_nearest_attribute(sites, features, attribute):
    feats = list(features.geometry)
    vals = features[attribute].to_numpy()
    out = []
    for s in sites.geometry:
        d = [s.distance(f) for f in feats]
        out.append(vals[int(np.argmin(d))])
    return np.array(out)


def naive_sum_within(sites, features, attribute, radius):
    feats = list(zip(features.geometry, features[attribute], strict=True))
    return np.array([sum(v for f, v in feats if s.distance(f) <= radius) for s in sites.geometry])


def rasterstats_mean(sites, path):
    from rasterstats import zonal_stats

    stats = zonal_stats(list(sites.geometry), str(path), stats=["mean"])
    return np.array([np.nan if r["mean"] is None else r["mean"] for r in stats], dtype=float)


# ----------------------------------------------------------------------------------------------


def run(n_sites: int, data: dict, repeat: int) -> list[tuple[str, int, float, float, str]]:
    rng = np.random.default_rng(1000 + n_sites)
    sites = make_sites(rng, n_sites)
    pts, lines = data["points"], data["lines"]
    rows = []

    def compare(label, ours_fn, peer_fn, check):
        t_ours, ours = best_of(ours_fn, repeat)
        t_peer, peer = best_of(peer_fn, max(1, repeat // 2) if n_sites > 1000 else repeat)
        rows.append((label, n_sites, t_ours, t_peer, check(np.asarray(ours, dtype=float), peer)))

    def same(a, b):
        return "identical" if np.allclose(a, b, rtol=0, atol=1e-9, equal_nan=True) else "DIFFERENT"

    def close(a, b):
        ok = ~np.isnan(a) & ~np.isnan(b)
        return (
            f"mean |diff| {np.abs(a[ok] - b[ok]).mean():.4f}; no value: ours {int(np.isnan(a).sum())}, "
            f"rasterstats {int(np.isnan(b).sum())} (small sites hold no cell centre)"
        )

    for label, path in data["rasters"].items():
        compare(
            f"zonal mean, {label} raster (vs rasterstats)",
            lambda path=path: zonal(sites, path, stat="mean"),
            lambda path=path: rasterstats_mean(sites, path),
            close,
        )
    compare(
        f"distance to {len(pts)} points (vs shapely loop)",
        lambda: distance_km(sites, pts),
        lambda: naive_distance_km(sites, pts),
        same,
    )
    compare(
        f"distance to {len(lines)} lines (vs shapely loop)",
        lambda: distance_km(sites, lines),
        lambda: naive_distance_km(sites, lines),
        same,
    )
    compare(
        "nearest attribute, points (vs shapely loop)",
        lambda: nearest_attribute(sites, pts, "headroom_mw"),
        lambda: naive_nearest_attribute(sites, pts, "headroom_mw"),
        same,
    )
    compare(
        f"sum within {RADIUS_M / 1000:g} km, points (vs shapely loop)",
        lambda: within_radius(sites, pts, radius_m=RADIUS_M, attribute="headroom_mw"),
        lambda: naive_sum_within(sites, pts, "headroom_mw", RADIUS_M),
        same,
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[250, 2500], help="site counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (best is kept)")
    parser.add_argument("--fine", action="store_true", help="also a 100 m raster (84 M cells)")
    args = parser.parse_args(argv)
    # Library deprecation chatter (affine's `*` operator) is not what is measured here.
    warnings.simplefilter("ignore", PendingDeprecationWarning)

    rng = np.random.default_rng(42)
    with tempfile.TemporaryDirectory(prefix="gz-bench-") as tmp:
        t0 = time.perf_counter()
        rasters = {"1 km": make_raster(rng, Path(tmp) / "r1km.tif", 1000.0)}
        if args.fine:
            rasters["100 m"] = make_raster(rng, Path(tmp) / "r100m.tif", 100.0)
        data = {"points": make_points(rng, 300), "lines": make_lines(rng, 200), "rasters": rasters}
        print(f"data generated in {time.perf_counter() - t0:.1f} s (seed 42) in {tmp}\n")

        rows = []
        for n in args.sites:
            rows += run(n, data, args.repeat)

    header = f"{'measure':<48} {'sites':>6} {'ours s':>9} {'peer s':>9} {'ratio':>8}  result check"
    print(header)
    print("-" * len(header))
    for label, n, ours, peer, check in rows:
        print(f"{label:<48} {n:>6} {ours:>9.4f} {peer:>9.4f} {peer / ours:>7.1f}x  {check}")
    print()
    for n in args.sites:
        ours = sum(r[2] for r in rows if r[1] == n)
        peer = sum(r[3] for r in rows if r[1] == n)
        print(f"total at {n:>5} sites: ours {ours:.3f} s, peers {peer:.3f} s, ratio {peer / ours:.1f}x")
    print(f"\npython {sys.version.split()[0]}, shapely {shapely.__version__}, rasterio {rasterio.__version__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
