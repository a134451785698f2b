"""Small random portfolio instances and a brute-force reference (used only in tests)."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import box

from growthzones.portfolio import Limits


def instance(n: int, seed: int, *, ties: bool = True, n_ineligible: int = 1) -> SimpleNamespace:
    """An assessment-like object: sites (1 km squares), scores, gates, region/gsp columns, MW.

    With ``ties`` the scores come from a handful of values, so many sets tie on the total.
    """
    rng = np.random.default_rng(seed)
    ids = [f"S{i:02d}" for i in rng.permutation(n)]  # id order differs from row order
    x = rng.uniform(0, 60_000, n)
    y = rng.uniform(0, 60_000, n)
    geom = [box(a - 500, b - 500, a + 500, b + 500) for a, b in zip(x, y, strict=True)]
    sites = gpd.GeoDataFrame(
        {
            "name": [f"site {s}" for s in ids],
            "region": rng.choice(["North", "South", "West"], n),
            "gsp": rng.choice(["G1", "G2"], n),
            "mw": rng.choice([100.0, 200.0, 300.0], n),
        },
        geometry=geom,
        crs=27700,
        index=pd.Index(ids, name="site_id"),
    )
    sites["head"] = sites["gsp"].map({"G1": 400.0, "G2": 500.0})
    score = rng.choice([40.0, 50.0, 60.0, 70.0], n) if ties else np.round(rng.uniform(0, 100, n), 3)
    eligible = np.ones(n, dtype=bool)
    eligible[rng.choice(n, n_ineligible, replace=False)] = False
    score = np.where(eligible, score, np.nan)
    scores = pd.DataFrame({"score": score, "rank": np.nan}, index=sites.index)
    gates = pd.DataFrame({"eligible": eligible, "gate_reasons": np.where(eligible, "", "fails a gate")},
                         index=sites.index)  # fmt: skip
    table = pd.concat([sites, scores[["score", "rank"]], gates[["eligible"]]], axis=1)
    centres = {s: (float(a), float(b)) for s, a, b in zip(ids, x, y, strict=True)}
    return SimpleNamespace(table=table, sites=sites, scores=scores, gates=gates, layers=None,
                           config=SimpleNamespace(layers={}), ranking=table, centres=centres,
                           columns={c: table[c].to_dict() for c in ("mw", "region", "gsp", "head")},
                           values={c: sorted(set(table[c])) for c in ("region", "gsp")})  # fmt: skip


def feasible(a: SimpleNamespace, lim: Limits, chosen: tuple[str, ...]) -> bool:
    """Whether a set of site ids meets every limit, checked directly (plain Python, no solver)."""
    t = a.table
    col = a.columns
    k = len(chosen)
    if lim.count is not None and k != lim.count:
        return False
    if lim.min_count is not None and k < lim.min_count:
        return False
    if lim.max_count is not None and k > lim.max_count:
        return False
    if not set(lim.locked_in) <= set(chosen) or set(lim.locked_out) & set(chosen):
        return False
    mw = {s: col["mw"][s] for s in chosen}
    total = sum(mw.values())
    if lim.min_mw is not None and total < lim.min_mw:
        return False
    if lim.max_mw is not None and total > lim.max_mw:
        return False
    for g in lim.per:
        for name in a.values[g.by]:
            c = sum(1 for s in chosen if col[g.by][s] == name)
            lo = g.min.get(name, 0) if isinstance(g.min, dict) else (g.min or 0)
            hi = g.max.get(name, np.inf) if isinstance(g.max, dict) else (np.inf if g.max is None else g.max)
            if c < lo or c > hi:
                return False
    for c in lim.capacity:  # every capacity limit in these tests uses the "mw" demand
        for name in a.values[c.by]:
            used = sum(mw[s] for s in chosen if col[c.by][s] == name)
            members = t.index[t[c.by] == name]
            head = c.headroom if not isinstance(c.headroom, str) else col[c.headroom][members[0]]
            if used > head + 1e-9:
                return False
    if lim.min_spacing_km is not None:
        for i, j in itertools.combinations(chosen, 2):
            (xi, yi), (xj, yj) = a.centres[i], a.centres[j]
            if ((xi - xj) ** 2 + (yi - yj) ** 2) ** 0.5 / 1000 < lim.min_spacing_km:
                return False
    return True


def brute_force(a: SimpleNamespace, lim: Limits) -> tuple[str, ...] | None:
    """The portfolio by enumeration, with the documented tie rule; None if no set is feasible.

    Rule: the largest total of ``score - floor``; then the smallest sum of positions in
    site-id order; then the set whose sorted ids come first.
    """
    elig = sorted(str(s) for s in a.table.index[a.gates["eligible"]])
    pos = {s: i + 1 for i, s in enumerate(elig)}
    score = a.scores["score"].to_dict()
    best: tuple | None = None
    best_set = None
    for k in range(len(elig) + 1):
        for combo in itertools.combinations(elig, k):
            if not feasible(a, lim, combo):
                continue
            total = float(sum(score[s] - lim.floor for s in combo))
            key = (-round(total, 6), sum(pos[s] for s in combo), combo)
            if best is None or key < best:
                best, best_set = key, combo
    return best_set


def line_instance() -> SimpleNamespace:
    """Five sites on a line (x in km), worked out by hand in test_reasons.py.

    ========  =====  =====  ======  ===  ===
    site      x km   score  region  gsp  MW
    ========  =====  =====  ======  ===  ===
    A1        0      90     N       G    300
    A2        5      80     N       G    300
    A3        50     70     N       G    100
    A4        100    60     S       H    100
    A5        150    50     S       H    100
    ========  =====  =====  ======  ===  ===
    """
    ids = ["A1", "A2", "A3", "A4", "A5"]
    xs = [0.0, 5_000.0, 50_000.0, 100_000.0, 150_000.0]
    sites = gpd.GeoDataFrame(
        {
            "name": [f"site {s}" for s in ids],
            "region": ["N", "N", "N", "S", "S"],
            "gsp": ["G", "G", "G", "H", "H"],
            "mw": [300.0, 300.0, 100.0, 100.0, 100.0],
            "head": [500.0, 500.0, 500.0, 1000.0, 1000.0],
        },
        geometry=[box(x - 500, -500, x + 500, 500) for x in xs],
        crs=27700,
        index=pd.Index(ids, name="site_id"),
    )
    scores = pd.DataFrame({"score": [90.0, 80.0, 70.0, 60.0, 50.0], "rank": [1, 2, 3, 4, 5]}, index=sites.index)
    gates = pd.DataFrame({"eligible": [True] * 5, "gate_reasons": [""] * 5}, index=sites.index)
    table = pd.concat([sites, scores, gates[["eligible"]]], axis=1)
    return SimpleNamespace(table=table, sites=sites, scores=scores, gates=gates, layers=None,
                           config=SimpleNamespace(layers={}), ranking=table)  # fmt: skip
