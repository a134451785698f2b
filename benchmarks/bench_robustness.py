"""Time rank acceptability (SMAA) against a per-sample loop calling pymcdm.

Run: ``.venv/bin/python benchmarks/bench_robustness.py [--samples 10000] [--sites 250]
[--loop-samples 1000] [--repeats 3]``

A seeded synthetic assessment (``--sites`` sites, 12 criteria in 5 groups, 0..1 values) is
put through :func:`growthzones.robustness.robustness` with WLC and TOPSIS: weight sampling,
scoring, ranking, the full rank acceptability table, P(top k), rank intervals and central
weights, best of ``--repeats``. The peer is what one would write without vectorising: for
each weight sample call pymcdm's ``WSM`` / ``TOPSIS`` (min-max normalisation, as here), rank
with ``argsort`` and add to the acceptability table. The loop is timed on
``--loop-samples`` samples and extrapolated linearly to ``--samples`` (each sample costs the
same); the table says so. Both sides are checked to give the same acceptability on the same
weights before timing. Ratio = pymcdm loop time / growthzones time (> 1: growthzones faster).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from pymcdm import normalizations as pn
from pymcdm.methods import TOPSIS, WSM
from shapely import box

from growthzones import robustness as rb
from growthzones.assessment import evaluate
from growthzones.config import parse_config

M = 12
GROUPS = 4 * ["grid"] + 3 * ["land"] + 2 * ["connectivity"] + ["water"] + 2 * ["planning"]


def synthetic_assessment(n: int, method: str, seed: int = 0):
    """n sites x 12 criteria (values 0..1 straight from the raw columns), 5 groups."""
    rng = np.random.default_rng(seed)
    text = '[sites]\npath = "none.gpkg"\nid = "id"\nname = "name"\n[weights]\n'
    text += "grid = 0.35\nland = 0.2\nconnectivity = 0.2\nwater = 0.15\nplanning = 0.1\n"
    for j, g in enumerate(GROUPS):
        text += (
            f'[[criteria]]\nname = "c{j:02d}"\ngroup = "{g}"\nmeasure = "attribute"\nattribute = "c{j:02d}"\n'
            f'weight = {1 + j % 3}\nvalue = {{ function = "linear", low = 0, high = 1 }}\n'
        )
    text += f'[method]\nname = "{method}"\n'
    ids = [f"S{i:05d}" for i in range(n)]
    sites = gpd.GeoDataFrame(
        {"name": ids}, geometry=[box(i, 0, i + 1, 1) for i in range(n)], index=pd.Index(ids, name="site_id"), crs=27700
    )
    criteria = pd.DataFrame(rng.random((n, M)), index=sites.index, columns=[f"c{j:02d}" for j in range(M)])
    return evaluate(parse_config(text), sites, criteria)


def loop_acceptability(model: Callable, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The unvectorised way: score, rank and tally one weight vector at a time."""
    n = x.shape[0]
    types = np.ones(x.shape[1])
    counts = np.zeros((n, n))
    pos = np.arange(n)
    for w in weights:
        pref = model(x, w, types)
        order = np.argsort(-pref, kind="stable")
        counts[order, pos] += 1
    return counts / len(weights)


def best_of(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--sites", type=int, default=250)
    ap.add_argument("--loop-samples", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    print(
        f"rank acceptability: {args.samples:,} weight samples x {args.sites} sites x {M} criteria "
        f"(full acceptability table, P(top k), rank intervals, central weights); best of {args.repeats}"
    )
    print(f"{'method':<8} {'growthzones':>12} {'pymcdm loop':>14} {'ratio':>7}  note")
    peers = {"wlc": WSM(pn.minmax_normalization), "topsis": TOPSIS()}
    for method, peer in peers.items():
        a = synthetic_assessment(args.sites, method)
        names = list(a.weights.criteria.index)
        x = a.values[names].to_numpy()
        # Same answer on the same weights before timing anything.
        check = a.robustness(samples=300, seed=1)
        ws = check.weight_samples.to_numpy()
        if method == "wlc":
            # pymcdm's WSM min-max normalises; our WLC uses the 0..1 values as they are. Rank on
            # min-max normalised values on both sides for the check.
            x_check = (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))
            ours = rb.rank_acceptability(x_check, ws, method="wlc")
        else:
            x_check = x
            ours = check.rank_acceptability.to_numpy()
        theirs = loop_acceptability(lambda m, w, t, p=peer: p(m, w, t, validation=False), x_check, ws)
        if not np.allclose(ours, theirs, atol=1e-12):
            msg = f"{method}: growthzones and the pymcdm loop disagree"
            raise SystemExit(msg)

        t_ours = best_of(lambda a=a: a.robustness(samples=args.samples, seed=0), args.repeats)
        loop_n = min(args.loop_samples, args.samples)
        w_loop = rb.sample_weights(a.weights, loop_n, seed=0).to_numpy()
        t_loop = best_of(lambda p=peer, x=x, w=w_loop: loop_acceptability(p, x, w), 1) * args.samples / loop_n
        note = (
            f"pymcdm loop timed on {loop_n:,} samples, x{args.samples / loop_n:g} extrapolated"
            if loop_n < args.samples
            else ""
        )
        print(f"{method:<8} {t_ours:11.3f}s {t_loop:13.2f}s {t_loop / t_ours:6.0f}x  {note}")


if __name__ == "__main__":
    main()
