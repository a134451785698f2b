"""Locate regions on the 100 m GB surface: time, objective against greedy growing, MIP gap, peak memory.

Run: ``.venv/bin/python benchmarks/bench_locate.py [--surface build/gb_surface_100m.tif] [--regions 20]
[--min-area 50] [--max-area 300] [--min-spacing 2000] [--compactness 0.5] [--evaluate mean] [--time-limit 60]``

Make the surface first, from the GB stack (``growthzones data gb``, see docs/gb.md)::

    growthzones surface configs/gb_aigz_districts.toml --outline sites --cell-size 100 --out build/gb_surface_100m.tif

Side by side in one run, on the same surface and settings: :func:`growthzones.locate.locate_regions`
(pool grown from seeds + exact selection by HiGHS) and greedy growing (best cell, grow, exclude the
neighbourhood, repeat; computed inside the same call and timed on its own). Printed: the grid, each
step's time, the total (reading the GeoTIFF included), both objectives and their ratio, the MIP gap,
the pool and the peak resident memory. The target (issue 13): 20 regions of 50-300 ha in under 60 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from growthzones.locate import locate_regions, read_surface_file


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--surface", type=Path, default=Path("build/gb_surface_100m.tif"))
    ap.add_argument("--regions", type=int, default=20)
    ap.add_argument("--min-area", type=float, default=50.0)
    ap.add_argument("--max-area", type=float, default=300.0)
    ap.add_argument("--min-spacing", type=float, default=2000.0)
    ap.add_argument("--compactness", type=float, default=0.5)
    ap.add_argument("--evaluate", choices=("mean", "sum"), default="mean")
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args(argv)
    if not args.surface.exists():
        print(
            f"no surface at {args.surface}; make it with\n"
            "  growthzones surface configs/gb_aigz_districts.toml --outline sites --cell-size 100 "
            f"--out {args.surface}",
            file=sys.stderr,
        )
        return 2

    t0 = time.perf_counter()
    grid = read_surface_file(args.surface)
    t_read = time.perf_counter() - t0
    rows, cols = grid.shape
    print(f"surface {args.surface}: {rows:,} x {cols:,} cells of {grid.cell_size:g} m, "
          f"{int(grid.eligible.sum()):,} eligible ({grid.eligible.mean():.1%})")  # fmt: skip
    t1 = time.perf_counter()
    r = locate_regions(
        grid, regions=args.regions, min_area=args.min_area, max_area=args.max_area, min_spacing=args.min_spacing,
        compactness=args.compactness, evaluate=args.evaluate, time_limit=args.time_limit,
    )  # fmt: skip
    t_locate = time.perf_counter() - t1
    total = time.perf_counter() - t0
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    print(f"\nlocate {args.regions} regions of {args.min_area:g}-{args.max_area:g} ha, >= {args.min_spacing:g} m "
          f"apart, compactness {args.compactness:g}, evaluate {args.evaluate}")  # fmt: skip
    print(f"{'step':<12}{'seconds':>10}")
    print(f"{'read':<12}{t_read:>10.2f}")
    for k, v in r.seconds.items():
        if k != "total":
            print(f"{k:<12}{v:>10.2f}")
    print(f"{'locate':<12}{t_locate:>10.2f}")
    print(f"{'total':<12}{total:>10.2f}   (target < 60 s: {'met' if total < 60 else 'NOT met'})")
    print(f"\n{'':<28}{'objective':>12}{'regions':>9}{'seconds':>9}")
    print(f"{'exact selection over pool':<28}{r.objective:>12.4f}{len(r.regions):>9}{r.seconds['select']:>9.2f}")
    print(f"{'greedy growing':<28}{r.greedy_objective:>12.4f}{r.greedy_count:>9}{r.seconds['greedy']:>9.2f}")
    ratio = r.objective / r.greedy_objective if r.greedy_objective else float("nan")
    print(f"ratio exact / greedy: {ratio:.5f} ({(ratio - 1) * 100:+.3f}%)")
    print(f"MIP: {r.status}, gap {r.mip_gap:.2e}, bound {r.bound:.4f}; pool {r.pool_size} regions, "
          f"{r.conflicts} conflicting pairs")  # fmt: skip
    print(f"peak resident memory: {peak_gb:.2f} GB")
    print(r.regions[["site_id", "area_ha", "mean_score", "min_score", "compactness"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
