"""``locate_regions``: the best few contiguous regions on a suitability surface.

Steps (``docs/locate.md``): check the settings against the surface; mark the cells that can
be used (eligible, not in an avoided site, clear of kept sites); make a pool of candidate
regions (grown from seeds, or every connected region for small problems); greedy growing as
the comparison; choose the regions exactly from the pool with a binary integer program.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from rasterio import features

from growthzones.errors import ConfigError, GrowthzonesError, LayerError
from growthzones.locate.grid import SurfaceGrid, as_grid
from growthzones.locate.pool import Pool, component_sizes, enumerate_regions, grow_pool, pick_seeds, region_sizes
from growthzones.locate.regions import region_table, write_regions
from growthzones.locate.select import conflict_cliques, conflict_pairs, far_pairs, greedy_grow, halo, select_exact

__all__ = ["EVALUATE", "POOLS", "LocateError", "LocateResult", "locate_regions", "write_result"]

Progress = Callable[[int, int, str], None]
EVALUATE = ("mean", "sum")
POOLS = ("grow", "exhaustive")


class LocateError(GrowthzonesError):
    """Settings that cannot be met on this surface (too many regions, spacing impossible...)."""


@dataclass(frozen=True)
class LocateResult:
    """Located regions and how they were found.

    Attributes
    ----------
    regions
        The regions as sites (:func:`growthzones.locate.regions.region_table`), best first.
    objective
        The total objective of the chosen regions (sum over regions of the mean score, or of
        score x hectares with ``evaluate="sum"``; with a total area, the area-weighted mean).
    greedy_objective
        The same for greedy growing; NaN if greedy found fewer regions than asked.
    greedy_count
        How many regions greedy growing found.
    status, mip_gap, bound
        The integer program's status, relative gap and upper bound over the pool.
    pool_size, conflicts
        Candidate regions in the pool and conflicting pairs among them.
    settings
        The settings used.
    seconds
        Time of each step.
    """

    regions: gpd.GeoDataFrame
    objective: float
    greedy_objective: float
    greedy_count: int
    status: str
    mip_gap: float
    bound: float
    pool_size: int
    conflicts: int
    settings: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)
    greedy_regions: gpd.GeoDataFrame | None = None

    def metadata(self) -> dict[str, str]:
        """What made these regions, as text (written on the GeoPackage layer).

        Examples
        --------
        >>> import numpy as np, xarray as xr
        >>> ds = xr.Dataset({"score": (("y", "x"), np.array([[90.0, 80.0, 10.0]])),
        ...                  "eligible": (("y", "x"), np.ones((1, 3), "uint8"))},
        ...                 coords={"y": [50.0], "x": [50.0, 150.0, 250.0]})
        >>> r = locate_regions(ds, regions=1, min_area=2, max_area=2)
        >>> r.metadata()["status"], r.metadata()["objective"]
        ('optimal', '85.0')
        """
        from growthzones.provenance import __version__, now

        return {
            "growthzones_version": __version__,
            "created": now(),
            "settings": json.dumps(self.settings, sort_keys=True, default=str),
            "objective": repr(self.objective),
            "greedy_objective": repr(self.greedy_objective),
            "status": self.status,
            "mip_gap": repr(self.mip_gap),
            "pool_size": str(self.pool_size),
            "seconds": json.dumps({k: round(v, 3) for k, v in self.seconds.items()}),
        }

    def summary_lines(self) -> list[str]:
        """A few lines saying what was found, for the command line.

        Examples
        --------
        >>> import numpy as np, xarray as xr
        >>> ds = xr.Dataset({"score": (("y", "x"), np.array([[90.0, 80.0, 10.0]])),
        ...                  "eligible": (("y", "x"), np.ones((1, 3), "uint8"))},
        ...                 coords={"y": [50.0], "x": [50.0, 150.0, 250.0]})
        >>> r = locate_regions(ds, regions=1, min_area=2, max_area=2)
        >>> for line in r.summary_lines():
        ...     print(line)
        1 region(s), 2 ha; objective 85.0000 (mean), greedy growing 85.0000 (+0.00%)
        selection over 4 candidate region(s): optimal, MIP gap 0.00e+00
        """
        gain = (self.objective / self.greedy_objective - 1) * 100 if self.greedy_objective > 0 else math.nan
        return [
            f"{len(self.regions)} region(s), {self.regions['area_ha'].sum():,.0f} ha; objective "
            f"{self.objective:.4f} ({self.settings['evaluate']}), greedy growing {self.greedy_objective:.4f}"
            + (f" ({gain:+.2f}%)" if math.isfinite(gain) else f" ({self.greedy_count} region(s) only)"),
            f"selection over {self.pool_size} candidate region(s): {self.status}, MIP gap {self.mip_gap:.2e}",
        ]


def _read_sites(sites: Any, grid: SurfaceGrid, what: str) -> gpd.GeoDataFrame | None:
    if sites is None:
        return None
    if isinstance(sites, (str, Path)):
        from growthzones.layers import read_vector

        gdf, _ = read_vector(sites, crs=grid.crs or "EPSG:27700", what=what)
        return gdf
    if grid.crs is not None and sites.crs is not None:
        return sites.to_crs(grid.crs)
    return sites


def _touched(sites: gpd.GeoDataFrame, grid: SurfaceGrid) -> list[np.ndarray]:
    """Flat indices of the cells each site overlaps (by a positive area: touching an edge is not overlapping)."""
    import shapely

    _rows, cols = grid.shape
    out = []
    for geom in sites.geometry:
        m = features.rasterize([(geom, 1)], out_shape=grid.shape, transform=grid.transform, all_touched=True,
                               fill=0, dtype="uint8")  # fmt: skip
        cand = np.flatnonzero(m.ravel())
        i, j = np.divmod(cand, cols)
        x0, y0 = grid.transform @ (j, i)
        x1, y1 = grid.transform @ (j + 1, i + 1)
        boxes = shapely.box(np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1))
        share = shapely.area(shapely.intersection(boxes, geom)) / grid.cell_size**2
        out.append(cand[share > 1e-9])
    return out


def _fmt(x: float) -> str:
    return f"{x:g}"


def _check(
    regions: int | None,
    total_area: float | None,
    min_area: float,
    max_area: float,
    min_spacing: float,
    max_spacing: float | None,
    compactness: float,
    evaluate: str,
    pool: str,
) -> None:
    if regions is None and total_area is None:
        raise ConfigError("locate: give --regions (how many) and/or --total-area (ha)")
    if regions is not None and regions < 1:
        raise ConfigError(f"--regions {regions}: ask for at least 1 region")
    if total_area is not None and total_area <= 0:
        raise ConfigError(f"--total-area {_fmt(total_area)} ha: give a positive area")
    if min_area <= 0 or max_area <= 0:
        raise ConfigError(f"--min-area/--max-area ({_fmt(min_area)}, {_fmt(max_area)} ha): areas must be positive")
    if min_area > max_area:
        msg = (
            f"--min-area {_fmt(min_area)} ha is above --max-area {_fmt(max_area)} ha; "
            "make the minimum at most the maximum"
        )
        raise ConfigError(msg)
    if min_spacing < 0:
        raise ConfigError(f"--min-spacing {_fmt(min_spacing)} m: give a distance of 0 or more")
    if max_spacing is not None and max_spacing < min_spacing:
        msg = (
            f"--max-spacing {_fmt(max_spacing)} m is below --min-spacing {_fmt(min_spacing)} m; "
            "no regions can be both; raise the maximum or lower the minimum"
        )
        raise ConfigError(msg)
    if not 0 <= compactness <= 1:
        raise ConfigError(f"--compactness {_fmt(compactness)}: give a value in 0..1 (0 = any shape, 1 = a disc)")
    if evaluate not in EVALUATE:
        raise ConfigError(f"--evaluate {evaluate!r}: choose one of {', '.join(EVALUATE)}")
    if pool not in POOLS:
        raise ConfigError(f"pool {pool!r}: choose one of {', '.join(POOLS)}")


def locate_regions(
    surface: Any,
    *,
    regions: int | None = None,
    min_area: float,
    max_area: float,
    total_area: float | None = None,
    min_spacing: float = 0.0,
    max_spacing: float | None = None,
    compactness: float = 0.5,
    evaluate: str = "mean",
    keep: Any = None,
    avoid: Any = None,
    seeds: int | None = None,
    sizes: int = 4,
    pool: str = "grow",
    time_limit: float = 60.0,
    mip_gap: float = 0.0,
    progress: Progress | None = None,
) -> LocateResult:
    """Find the best contiguous regions of eligible cells on a suitability surface.

    Parameters
    ----------
    surface
        A surface ``xarray.Dataset``, a path to a surface GeoTIFF, or a :class:`SurfaceGrid`.
    regions
        How many regions, existing ``keep`` sites included.
    min_area, max_area
        Area of each region, hectares (rounded inwards to whole cells).
    total_area
        Total area, hectares (``keep`` sites included): regions are chosen until their areas
        add up to at least this (and less than this plus ``max_area``).
    min_spacing, max_spacing
        Edge-to-edge distance between any two regions (and from ``keep`` sites), metres: at
        least ``min_spacing``; at most ``max_spacing`` if given.
    compactness
        0..1: the shape/utility trade-off of region growing (0 = best cells whatever the
        shape, 1 = as round as possible).
    evaluate
        ``"mean"``: a region's objective is its mean score (a set of regions: the sum of
        means); ``"sum"``: its score summed over hectares.
    keep
        Existing sites (GeoDataFrame or vector file) to keep: they count towards ``regions``
        and ``total_area``, and new regions keep the spacing from them.
    avoid
        Sites (GeoDataFrame or vector file) whose cells are not used.
    seeds
        How many seeds grow candidate regions (default ``max(10 * regions, 100)``).
    sizes
        How many sizes between the minimum and maximum each seed's regions take.
    pool
        ``"grow"`` (seeds, the default) or ``"exhaustive"`` (every connected region of the
        allowed sizes: exact over all regions, for small problems only).
    time_limit
        Seconds the integer program may take; the result then says the gap it reached.
    mip_gap
        Relative gap at which the integer program may stop (0 = prove optimality).
    progress
        Called as ``progress(done, total, label)`` after each of 4 steps (greedy growing, the pool,
        conflicts, the selection), and while the pool grows.

    Returns
    -------
    LocateResult

    Raises
    ------
    ConfigError
        Settings out of range (minimum area above the maximum...).
    LocateError
        Settings this surface cannot meet (no eligible cells, more regions than fit, spacing).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> score = np.array([[90, 80, 10, 70, 75]], dtype="float32")
    >>> ds = xr.Dataset({"score": (("y", "x"), score), "eligible": (("y", "x"), np.ones((1, 5), "uint8"))},
    ...                 coords={"y": [50.0], "x": [50.0, 150.0, 250.0, 350.0, 450.0]})
    >>> r = locate_regions(ds, regions=2, min_area=2, max_area=2, min_spacing=50)
    >>> r.regions[["site_id", "mean_score"]].values.tolist(), r.objective
    ([['R001', 85.0], ['R002', 72.5]], 157.5)
    """
    _check(regions, total_area, min_area, max_area, min_spacing, max_spacing, compactness, evaluate, pool)
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}
    grid = as_grid(surface)
    rows, cols = grid.shape
    cha, cs = grid.cell_ha, grid.cell_size
    min_cells = math.ceil(min_area / cha - 1e-9)
    max_cells = math.floor(max_area / cha + 1e-9)
    if min_cells > max_cells:
        msg = (
            f"--min-area {_fmt(min_area)} to --max-area {_fmt(max_area)} ha holds no whole number of "
            f"{_fmt(cs)} m cells ({_fmt(cha)} ha each); widen the range"
        )
        raise ConfigError(msg)
    n_eligible = int(grid.eligible.sum())
    if n_eligible == 0:
        msg = (
            f"surface: no eligible cells among {rows * cols:,} (every cell fails a gate or has no score); "
            "relax the gates or check the surface's area"
        )
        raise LocateError(msg)

    available = grid.eligible.copy()
    keep_gdf = _read_sites(keep, grid, "--keep")
    avoid_gdf = _read_sites(avoid, grid, "--avoid")
    s_cells = min_spacing / cs
    m_cells = None if max_spacing is None else max_spacing / cs
    n_keep, keep_ha = 0, 0.0
    if avoid_gdf is not None:
        for cells in _touched(avoid_gdf, grid):
            available.ravel()[cells] = False
    if keep_gdf is not None:
        kept = [c for c in _touched(keep_gdf, grid) if len(c)]
        n_keep = len(kept)
        keep_ha = float(keep_gdf.area.sum() / 10_000)
        if len(kept) < len(keep_gdf):
            msg = f"--keep: {len(keep_gdf) - len(kept)} site(s) lie outside the surface; keep only sites inside it"
            raise LocateError(msg)
        for cells in kept:
            available.ravel()[halo(cells, grid.shape, s_cells)] = False
            if m_cells is not None:
                near = np.zeros(rows * cols, dtype=bool)
                near[halo(cells, grid.shape, m_cells, inclusive=True)] = True
                available.ravel()[~near] = False

    want = None if regions is None else regions - n_keep
    if want is not None and want < 1:
        msg = f"--regions {regions}: the {n_keep} --keep site(s) already make {n_keep}; ask for more regions"
        raise LocateError(msg)
    area_range = None
    total_cells = None
    if total_area is not None:
        need = total_area - keep_ha
        if need <= 0:
            msg = f"--total-area {_fmt(total_area)} ha: the --keep sites already cover {keep_ha:,.1f} ha"
            raise LocateError(msg)
        area_range = (need, need + max_area)
        total_cells = math.ceil(need / cha - 1e-9)

    # Upper bound on how many disjoint regions fit: each patch of available cells holds at most
    # floor(size / min_cells) of them, whatever the spacing.
    lab, comp = component_sizes(available)
    # cells in patches too small for a region can never be used: drop them once, here
    available &= comp[lab] >= min_cells
    del lab
    fit = int((comp // min_cells).sum())
    big = comp[comp >= min_cells]
    usable_ha = float(big.sum() * cha)
    if fit == 0 or (want is not None and want > fit):
        msg = (
            f"--regions {regions}: the eligible land holds at most {fit} region(s) of at least {_fmt(min_area)} ha "
            f"({usable_ha:,.0f} ha in {len(big)} patch(es) of {_fmt(min_area)} ha or more"
            + (f", besides {n_keep} --keep site(s)" if n_keep else "")
            + f"); ask for at most {fit + n_keep} or lower --min-area"
        )
        raise LocateError(msg)
    if total_cells is not None and total_cells > big.sum():
        msg = (
            f"--total-area {_fmt(total_area)} ha: only {usable_ha:,.0f} ha of eligible land lies in patches of "
            f"{_fmt(min_area)} ha or more; ask for less or lower --min-area"
        )
        raise LocateError(msg)
    seconds["prepare"] = time.perf_counter() - t0

    flat = grid.score.ravel()

    def objective(values: np.ndarray) -> float:
        values = values.astype(np.float64)
        if total_area is not None:
            return float(values.sum() * cha / area_range[0])  # area-weighted mean of the whole set
        return float(values.mean()) if evaluate == "mean" else float(values.sum() * cha)

    size_list = region_sizes(min_cells, max_cells, sizes)
    settings = {
        "regions": regions, "total_area_ha": total_area, "min_area_ha": min_area, "max_area_ha": max_area,
        "min_spacing_m": min_spacing, "max_spacing_m": max_spacing, "compactness": compactness,
        "evaluate": evaluate, "keep_sites": n_keep, "avoid_sites": 0 if avoid_gdf is None else len(avoid_gdf),
        "pool": pool, "time_limit_s": time_limit, "mip_gap": mip_gap, "cell_size_m": cs,
        "min_cells": min_cells, "max_cells": max_cells, "sizes_cells": size_list.tolist(),
        "surface": {k: v for k, v in grid.attrs.items() if k in ("method", "config", "growthzones_version")},
    }  # fmt: skip

    # greedy growing first: its regions join the pool, so the exact choice is never worse
    t = time.perf_counter()
    greedy = greedy_grow(grid.score, available, want, size_list, objective, compactness=compactness,
                         min_spacing_cells=s_cells, max_spacing_cells=m_cells, total_cells=total_cells)  # fmt: skip
    g_count = len(greedy)
    g_area_ok = total_cells is None or sum(len(r) for r in greedy) >= total_cells
    g_ok = (want is None or g_count == want) and g_area_ok
    g_obj = float(sum(objective(flat[r]) for r in greedy)) if g_ok else math.nan
    seconds["greedy"] = time.perf_counter() - t
    if progress is not None:
        progress(1, 4, "greedy growing")

    t = time.perf_counter()
    cand = Pool()
    if pool == "exhaustive":
        for cells in enumerate_regions(available, min_cells, max_cells):
            cand.add(cells, objective(flat[cells]), -1, "exhaustive")
        settings["seeds"] = 0
    else:
        n_seeds = seeds if seeds is not None else max(10 * (want or math.ceil(total_cells / min_cells)), 100)
        settings["seeds"] = n_seeds
        seed_cells = pick_seeds(grid.score, available, n_seeds, separation=math.sqrt(min_cells) / 2, min_cells=1)
        step = None if progress is None else (lambda d, n, _: progress(1, 4, f"growing regions {d}/{n}"))
        grow_pool(cand, seed_cells, grid.score, available, size_list, objective, compactness=compactness,
                  progress=step)  # fmt: skip
        for r in greedy:
            cand.add(r, objective(flat[r]), -1, "greedy")
    seconds["pool"] = time.perf_counter() - t
    if progress is not None:
        progress(2, 4, "conflicts")

    t = time.perf_counter()
    pairs = conflict_pairs(cand, grid.shape, s_cells)
    n_conflicts = len(pairs)
    cliques, covered = conflict_cliques(cand, grid.shape, s_cells)
    if len(pairs) and len(covered):
        # pairs inside a clique row need no row of their own
        key = lambda p: p[:, 0] * len(cand) + p[:, 1]  # noqa: E731
        pairs = pairs[~np.isin(key(pairs), key(covered))]
    if m_cells is not None:
        far = far_pairs(cand, grid.shape, m_cells)
        n_conflicts += len(far)
        pairs = np.concatenate([pairs, far])
    seconds["conflicts"] = time.perf_counter() - t
    if progress is not None:
        progress(3, 4, "choosing regions")

    t = time.perf_counter()
    obj = np.array(cand.objective)
    areas = np.array([len(c) * cha for c in cand.cells])
    fams = np.array(cand.family, dtype=np.int64)
    sel = select_exact(obj, pairs, count=want, areas=areas, area_range=area_range, families=fams, cliques=cliques,
                       time_limit=time_limit, mip_gap=mip_gap)  # fmt: skip
    seconds["select"] = time.perf_counter() - t
    if sel.status not in ("optimal", "time limit") or len(sel.chosen) == 0:
        _impossible(sel.status, cand, pairs, fams, cliques, want, regions, total_area, min_area, max_area, min_spacing,
                    max_spacing, n_keep, time_limit)  # fmt: skip

    chosen = [cand.cells[k] for k in sel.chosen]
    table = region_table(chosen, [cand.objective[k] for k in sel.chosen], grid)
    greedy_table = region_table(greedy, [objective(flat[r]) for r in greedy], grid, prefix="G")
    seconds["total"] = time.perf_counter() - t0
    if progress is not None:
        progress(4, 4, "done")
    return LocateResult(table, sel.objective, g_obj, g_count, sel.status, sel.mip_gap, sel.bound, len(cand),
                        n_conflicts, settings, seconds, greedy_table)  # fmt: skip


def _impossible(status, cand, pairs, fams, cliques, want, regions, total_area, min_area, max_area, min_spacing,
                max_spacing, n_keep, time_limit) -> None:  # fmt: skip
    if status == "time limit":
        msg = f"--time-limit {_fmt(time_limit)} s: no set of regions found in time; allow more time"
        raise LocateError(msg)
    # how many could be placed: the same program maximising the count
    most = select_exact(np.ones(len(cand)), pairs, count=None, families=fams, cliques=cliques, time_limit=time_limit)
    k = len(most.chosen)
    rules = [f"{_fmt(min_area)}-{_fmt(max_area)} ha each"]
    if min_spacing > 0:
        rules.append(f"at least {_fmt(min_spacing)} m apart")
    if max_spacing is not None:
        rules.append(f"at most {_fmt(max_spacing)} m apart")
    if want is not None and k < want:
        opt = "--min-spacing" if max_spacing is None else "--min-spacing/--max-spacing"
        msg = (
            f"--regions {regions}: only {k + n_keep} region(s) "
            f"({', '.join(rules)}) could be placed among the {len(cand)} candidate region(s) found"
            + (f", {n_keep} --keep site(s) included" if n_keep else "")
            + f"; ask for at most {k + n_keep}, relax {opt}, or grow more candidates with --seeds"
        )
        raise LocateError(msg)
    msg = (
        f"--total-area {_fmt(total_area) if total_area else ''} ha: no set of candidate regions "
        f"({', '.join(rules)}) adds up to it; change the total area or the region sizes"
    )
    raise LocateError(msg)


def write_result(result: LocateResult, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write the located regions to a GeoPackage (layer ``regions``), atomically, with their metadata.

    Examples
    --------
    >>> import pathlib, tempfile, pyogrio, numpy as np, xarray as xr
    >>> ds = xr.Dataset({"score": (("y", "x"), np.array([[90.0, 80.0]])),
    ...                  "eligible": (("y", "x"), np.ones((1, 2), "uint8"))}, coords={"y": [50.0], "x": [50.0, 150.0]})
    >>> r = locate_regions(ds, regions=1, min_area=1, max_area=2, evaluate="sum")
    >>> out = write_result(r, pathlib.Path(tempfile.mkdtemp()) / "regions.gpkg")
    >>> pyogrio.read_dataframe(out)[["site_id", "area_ha", "objective"]].values.tolist()
    [['R001', 2.0, 170.0]]
    """
    if len(result.regions) == 0:
        raise LayerError("locate: no regions to write")
    return write_regions(result.regions, path, metadata=result.metadata(), overwrite=overwrite)
