"""The GB surface: 100 m in memory against the plain way and xarray-spatial, and 25 m on Dask.

Needs the GB stack (`growthzones data gb --source ../shared/gb-open-data --out build/gb_layers.gpkg`
and `growthzones candidates --layers build/gb_layers.gpkg --out build/candidates.gpkg`). Uses
configs/gb_aigz_districts.toml, whose districts tile Great Britain (``--outline sites``): 15 criteria.

    python benchmarks/bench_surface.py                 # 100 m: growthzones vs plain vs xarray-spatial
    python benchmarks/bench_surface.py --xrspatial-cell 500   # xarray-spatial on a coarser grid (it is slow)
    python benchmarks/bench_surface.py --25m           # 25 m on a local Dask cluster: time and peak memory

The plain way is what one would write by hand: per layer, ``rasterio.features.rasterize`` then
``scipy.ndimage.distance_transform_edt`` (distances, with indices for the nearest attribute) or
``scipy.signal.fftconvolve`` with a disc (sums), polygons rasterised by cell centre (overlap,
attributes), then the same value functions and weighted sum. It ignores features outside the
grid and the exact cell coverage, so it is a speed reference, not a replacement.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import growthzones as gz  # noqa: E402
from growthzones import mcda  # noqa: E402
from growthzones.config import COMPARISONS  # noqa: E402
from growthzones.criteria import load_layers  # noqa: E402
from growthzones.layers import apply_where  # noqa: E402
from growthzones.scoring import effective_weights  # noqa: E402
from growthzones.sites import load_sites  # noqa: E402
from growthzones.surface import evaluate_block, plan_surface  # noqa: E402

CONFIG = ROOT / "configs" / "gb_aigz_districts.toml"


def plain_surface(config, grid):
    """The plain way: rasterize + scipy.ndimage / fftconvolve per layer, weighted sum."""
    from rasterio.enums import MergeAlg
    from rasterio.features import rasterize
    from scipy.ndimage import distance_transform_edt
    from scipy.signal import fftconvolve

    w = effective_weights(config)
    sites, _ = load_sites(config.sites, crs=config.project.crs)
    stack = load_layers(config)
    shape, tr = grid.shape, grid.transform
    inside = rasterize(((g, 1) for g in sites.geometry), out_shape=shape, transform=tr, fill=0, dtype="uint8") > 0
    score = np.zeros(shape)
    eligible = inside.copy()
    for c in config.criteria:
        gated = [g for g in config.gates if g.enabled and g.criterion == c.name]
        if c.name not in w.criteria.index and not gated:
            continue
        if c.measure == "attribute":
            vals = sites[c.attribute].to_numpy(dtype=float)
            raw = rasterize(zip(sites.geometry, vals, strict=True), out_shape=shape, transform=tr, fill=np.nan,
                            dtype="float64")  # fmt: skip
        else:
            f = apply_where(stack.vectors[c.layer], c.where)
            if c.measure == "distance":
                m = rasterize(((g, 1) for g in f.geometry), out_shape=shape, transform=tr, fill=0, all_touched=True,
                              dtype="uint8")  # fmt: skip
                raw = distance_transform_edt(m == 0, sampling=grid.cell) / 1000.0
            elif c.measure == "nearest_attribute":
                ids = np.arange(1, len(f) + 1)
                lab = rasterize(zip(f.geometry, ids.tolist(), strict=True), out_shape=shape, transform=tr, fill=0,
                                all_touched=True, dtype="int32")  # fmt: skip
                d, (ri, ci) = distance_transform_edt(lab == 0, sampling=grid.cell, return_indices=True)
                vals = f[c.attribute].to_numpy(dtype=float)
                raw = vals[lab[ri, ci] - 1]
                raw[d > c.max_distance_km * 1000.0] = np.nan
            elif c.measure in ("sum_within", "count_within"):
                vals = f[c.attribute].to_numpy(dtype=float) if c.measure == "sum_within" else np.ones(len(f))
                burnt = rasterize(zip(f.geometry, np.nan_to_num(vals).tolist(), strict=True), out_shape=shape,
                                  transform=tr, fill=0.0, dtype="float64", merge_alg=MergeAlg.add)  # fmt: skip
                r = int(c.radius_km * 1000.0 // grid.cell)
                yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
                disc = ((yy * yy + xx * xx) * grid.cell**2 <= (c.radius_km * 1000.0) ** 2).astype(float)
                raw = fftconvolve(burnt, disc, mode="same")
            elif c.measure == "overlap":
                raw = rasterize(((g, 1) for g in f.geometry), out_shape=shape, transform=tr, fill=0,
                                dtype="uint8").astype(float)  # fmt: skip
            else:
                raise SystemExit(f"plain way: measure {c.measure} not handled")
        for g in gated:
            with np.errstate(invalid="ignore"):
                eligible &= COMPARISONS[g.op](raw, g.value) & ~np.isnan(raw)
        if c.name in w.criteria.index:
            fn = mcda.value_function(c.value.function, **{"direction": c.direction, **dict(c.value.params)})
            v = np.nan_to_num(np.asarray(fn(raw), dtype=float), nan=0.0)
            score += w.criteria[c.name] * v
        del raw
    return np.where(inside, 100 * score, np.nan).astype(np.float32), eligible


def xrspatial_distances(config, grid):
    """xarray-spatial ``proximity`` for every distance criterion (features rasterised as above)."""
    import xarray as xr
    from rasterio.features import rasterize
    from xrspatial import proximity

    stack = load_layers(config, only={c.layer for c in config.criteria if c.measure == "distance"})
    coords = {"y": grid.ys(), "x": grid.xs()}
    out = {}
    for c in config.criteria:
        if c.measure != "distance":
            continue
        f = apply_where(stack.vectors[c.layer], c.where)
        m = rasterize(((g, 1) for g in f.geometry), out_shape=grid.shape, transform=grid.transform, fill=0,
                      all_touched=True, dtype="uint8").astype(np.float32)  # fmt: skip
        da = xr.DataArray(m, dims=("y", "x"), coords=coords)
        out[c.name] = np.asarray(proximity(da, target_values=[1], distance_metric="EUCLIDEAN").values) / 1000.0
    return out


def our_distances(plan, grid):
    """growthzones' distance blocks for the distance criteria on ``grid`` (same cells as xarray-spatial)."""
    return {c.crit.name: c.block(grid, None) for c in plan.crits if c.crit.measure == "distance"}


class PeakMemory:
    """Peak resident memory of this process and all its children (Dask workers), sampled."""

    def __init__(self, every: float = 0.25) -> None:
        import psutil

        self.proc = psutil.Process()
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        import psutil

        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Clock:
    """Wall and CPU seconds of a block (CPU: this process; the machine may be shared)."""

    def __enter__(self) -> Clock:
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.w0, time.process_time() - self.c0

    def __str__(self) -> str:
        return f"{self.wall:6.1f} s wall, {self.cpu:6.1f} s CPU"


def bench_100m(args) -> None:
    from growthzones.surface.heap import freed_memory_kept

    cfg = gz.load_config(CONFIG)
    with Clock() as t_plan:
        plan = plan_surface(cfg, 100.0, outline="sites")
    # As `growthzones surface` computes the cells: freed grids reused, given back afterwards.
    with Clock() as t_eval, freed_memory_kept() as kept:
        bands = evaluate_block(plan, plan.grid)
    print(f"freed memory kept while the cells are computed (glibc): {kept}")
    g = plan.grid
    ours_wall, ours_cpu = t_plan.wall + t_eval.wall, t_plan.cpu + t_eval.cpu
    print(f"GB at 100 m: {g.height:,} x {g.width:,} = {g.cells / 1e6:.1f} M cells, {len(plan.crits)} criteria")
    print(f"growthzones surface (in memory): {ours_wall:6.1f} s wall, {ours_cpu:6.1f} s CPU  (read + prepare "
          f"{t_plan}; cells {t_eval})")  # fmt: skip
    if args.write:
        t0 = time.perf_counter()
        ds = gz.surface.to_dataset(plan, bands)
        gz.write_surface(ds, ROOT / "build" / "gb_surface_100m.tif")
        print(f"  + write COG:                  {time.perf_counter() - t0:6.1f} s")
    with Clock() as t_plain, freed_memory_kept():
        plain, plain_elig = plain_surface(cfg, g)
    print(f"plain way (rasterize + ndimage): {t_plain}   ratio plain / growthzones = {t_plain.wall / ours_wall:.2f} "
          f"(wall), {t_plain.cpu / ours_cpu:.2f} (CPU)")  # fmt: skip
    both = np.isfinite(plain) & np.isfinite(bands["score"])
    diff = np.abs(plain[both] - bands["score"][both])
    agree = np.mean((bands["eligible"][both] == 1) == plain_elig[both])
    print(f"  plain vs growthzones: median |score diff| {np.median(diff):.3f}, 99th pct {np.quantile(diff, 0.99):.3f}"
          f", eligibility agrees on {agree:.2%} of cells")  # fmt: skip
    del plain, bands
    xg = g if args.xrspatial_cell is None else gz.surface.grid_for(plan.area, args.xrspatial_cell, g.crs)
    xplan = plan if args.xrspatial_cell is None else plan_surface(cfg, args.xrspatial_cell, outline="sites")
    with Clock() as t_ours:
        ours = our_distances(xplan, xg)
    with Clock() as t_theirs:
        theirs = xrspatial_distances(cfg, xg)
    print(f"distance criteria ({len(ours)}) at {xg.cell:g} m ({xg.cells / 1e6:.1f} M cells): growthzones "
          f"{t_ours}, xarray-spatial proximity {t_theirs}   ratio xarray-spatial / growthzones = "
          f"{t_theirs.wall / t_ours.wall:.2f} (wall), {t_theirs.cpu / t_ours.cpu:.2f} (CPU)")  # fmt: skip
    worst = max(float(np.nanmax(np.abs(ours[k] - theirs[k]))) for k in ours)
    print(f"  largest distance difference: {worst * 1000:.1f} m")


def bench_25m(args) -> None:
    from growthzones.surface import cluster, dask_halo, surface, write_surface

    cfg = gz.load_config(CONFIG)
    out = ROOT / "build" / "gb_surface_25m.tif"
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        with cluster(workers=args.workers, memory_limit=args.worker_memory):
            plan = plan_surface(cfg, 25.0, outline="sites", halo=dask_halo(args.chunks))
            ds = surface(plan, dask=True, chunks=args.chunks)
            t1 = time.perf_counter()

            def report(done: int, total: int, label: str) -> None:
                if label != "chunks" or done % 10 == 0 or done == total - 1:
                    print(f"  {time.perf_counter() - t0:7.0f} s  {label} {done}/{total}  peak so far "
                          f"{mem.peak / 1e9:.2f} GB", flush=True)  # fmt: skip

            write_surface(ds, out, progress=report)
        elapsed = time.perf_counter() - t0
    g = plan.grid
    print(f"GB at 25 m on a local Dask cluster ({args.workers} workers, chunks {args.chunks}): {g.height:,} x "
          f"{g.width:,} = {g.cells / 1e9:.2f} G cells")  # fmt: skip
    print(f"time {elapsed:.0f} s (prepare {t1 - t0:.0f} s, compute + write COG {elapsed - (t1 - t0):.0f} s), "
          f"peak resident memory (client + scheduler + workers) {mem.peak / 1e9:.2f} GB")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--25m", dest="m25", action="store_true", help="run the 25 m Dask benchmark instead")
    p.add_argument("--write", action="store_true", help="also write the 100 m COG (build/gb_surface_100m.tif)")
    p.add_argument("--xrspatial-cell", type=float, default=None, help="cell size for the xarray-spatial comparison")
    p.add_argument("--chunks", type=int, default=4096)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--worker-memory", default="3GB", help="per-worker limit (Dask pauses and spills near it)")
    args = p.parse_args()
    if not (ROOT / "build" / "gb_layers.gpkg").exists():
        raise SystemExit("build the GB stack first (see the docstring)")
    bench_25m(args) if args.m25 else bench_100m(args)


if __name__ == "__main__":
    main()
