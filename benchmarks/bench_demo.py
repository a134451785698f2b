"""The full demo assessment against the same criteria computed the naive way, in one run.

Ours: ``growthzones.assess(demo config)`` (reads the layers, checks them, computes every
criterion, gates, scores and ranks). Peer: a plain geopandas pipeline computing the same
criteria per site: rasterstats ``zonal_stats`` for raster criteria, per-site shapely loops
for distances, nearest attributes and sums within a radius, per-site intersections for
overlaps. Both read the same files. Prints both times, the ratio (peer / ours) and how far
the criteria agree (rasterstats is not coverage-weighted, so zonal values differ a little).

Usage::

    python benchmarks/bench_demo.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterstats import zonal_stats

import growthzones as gz
from growthzones.layers import apply_where


def naive_criteria(cfg: gz.Config) -> pd.DataFrame:
    """The demo's criteria, computed site by site with plain geopandas/shapely/rasterstats."""
    sites = gpd.read_file(cfg.sites.path, layer=cfg.sites.layer).set_index(cfg.sites.id).sort_index()
    layers = {k: gpd.read_file(lay.path, layer=lay.layer) for k, lay in cfg.layers.items() if lay.kind == "vector"}
    out = {}
    for c in cfg.criteria:
        if c.measure == "area":
            out[c.name] = sites.area / 10_000
            continue
        if c.measure == "attribute":
            out[c.name] = sites[c.attribute].astype(float)
            continue
        if c.measure == "zonal":
            path = cfg.layers[c.layer].path
            if c.stat == "fraction":
                lo, hi = c.range
                zs = zonal_stats(sites, str(path), categorical=False, add_stats={"frac": _frac(lo, hi)}, stats=[])
                out[c.name] = [z["frac"] for z in zs]
            else:
                zs = zonal_stats(sites, str(path), stats=[c.stat])
                out[c.name] = [z[c.stat] for z in zs]
            continue
        feats = apply_where(layers[c.layer], c.where)
        geoms = list(feats.geometry)
        vals = []
        for site in sites.geometry:
            if c.measure == "distance":
                vals.append(min(site.distance(g) for g in geoms) / 1000)
            elif c.measure == "nearest_attribute":
                d = [site.distance(g) for g in geoms]
                i = int(np.argmin(d))
                ok = c.max_distance_km is None or d[i] <= c.max_distance_km * 1000
                vals.append(float(feats[c.attribute].iloc[i]) if ok else np.nan)
            elif c.measure == "sum_within":
                r = c.radius_km * 1000
                vals.append(
                    sum(float(v) for g, v in zip(geoms, feats[c.attribute], strict=True) if site.distance(g) <= r)
                )
            elif c.measure == "count_within":
                r = c.radius_km * 1000
                vals.append(sum(1 for g in geoms if site.distance(g) <= r))
            elif c.measure == "overlap":
                union = shapely.union_all(geoms)
                vals.append(site.intersection(union).area / site.area)
        out[c.name] = vals
    return pd.DataFrame(out, index=sites.index.astype(str))


def _frac(lo: float, hi: float):
    def frac(masked: np.ma.MaskedArray) -> float:
        valid = masked.compressed()
        return float(((valid >= lo) & (valid <= hi)).mean()) if valid.size else np.nan

    return frac


def best_of(fn, repeat: int):
    best, result = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cfg = gz.load_config(gz.datasets.demo_config_path())
    warnings.simplefilter("ignore")
    t_ours, a = best_of(lambda: gz.assess(cfg), args.repeat)
    t_peer, naive = best_of(lambda: naive_criteria(cfg), args.repeat)
    t_rew, _ = best_of(lambda: a.reweight(groups={"grid": 0.5}), max(args.repeat, 10))
    print(f"demo: {len(a.sites)} sites, {len(cfg.criteria)} criteria, {len(cfg.layers)} layers")
    print(f"{'':32}{'seconds':>10}")
    print(f"{'growthzones assess':32}{t_ours:10.3f}")
    print(f"{'naive geopandas/rasterstats':32}{t_peer:10.3f}")
    print(f"{'ratio (naive / growthzones)':32}{t_peer / t_ours:10.1f}x")
    print(f"{'reweight (criteria table only)':32}{t_rew * 1000:9.1f} ms")
    print("\nagreement per criterion (max |difference|; zonal: rasterstats is not coverage-weighted):")
    for c in cfg.criteria:
        diff = (a.criteria[c.name] - naive.loc[a.criteria.index, c.name].astype(float)).abs().max()
        print(f"  {c.name:24} {diff:.3g}")


if __name__ == "__main__":
    main()
