"""The surface: a config's criteria, value functions, weights, method and gates on a grid of cells.

One code path: :func:`plan_surface` prepares every criterion's raster form (its block
function, see :mod:`growthzones.criteria.raster`), and :func:`evaluate_block` computes every
output band for one window of the grid. In memory the window is the whole grid; on Dask each
chunk is a window, computed by a task of whatever Dask scheduler is active. Every block reads
the features around its own window (the halo), so the chunked result equals the in-memory one.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from growthzones import mcda
from growthzones.config import COMPARISONS, Config, CriterionConfig, load_config
from growthzones.criteria import compute_criterion, load_layers
from growthzones.criteria.measures import MEASURES
from growthzones.criteria.raster import Block, Grid, attribute_form, resampling_of
from growthzones.errors import CriterionError, GrowthzonesError, MethodError, SurfaceError
from growthzones.layers import apply_where
from growthzones.progress import Progress
from growthzones.provenance import __version__
from growthzones.scoring import effective_weights
from growthzones.sites import load_sites
from growthzones.surface.area import Area, grid_for, read_area

__all__ = [
    "CELLWISE_METHODS",
    "SurfacePlan",
    "dask_halo",
    "drop_criteria",
    "estimate_memory",
    "evaluate_block",
    "plan_surface",
    "surface",
]

log = logging.getLogger(__name__)

#: Methods that score each cell from its own values only (with normalisation "auto"/"none").
#: TOPSIS, VIKOR and PROMETHEE II rank every alternative against the whole set; a surface
#: refuses them (rank the located regions with them instead).
CELLWISE_METHODS = ("wlc", "wpm", "owa", "weakest_link")

#: Bytes per cell of the grid: one criterion's raster work (its float64 values and a
#: temporary), the area mask, the score band, eligible and gate_code; see :func:`estimate_memory`.
_WORK_BYTES = 16
_FIXED_BYTES = 1 + 4 + 1 + 1
#: Bytes per cell inside the area: its position, the criterion's raw and 0..1 values.
_INSIDE_BYTES = 8 + 8 + 8


@dataclass
class _Crit:
    crit: CriterionConfig
    block: Block
    value_fn: Callable[[np.ndarray], np.ndarray] | None
    weight: float
    within: float
    group: str | None
    fill: float | None = None  # missing = "unknown": the median value of the sites with one


@dataclass
class SurfacePlan:
    """Everything a block needs: the grid, the area, each criterion's block function and the scoring.

    Attributes
    ----------
    grid
        The whole surface's grid.
    area
        Which cells are inside.
    crits
        The criteria computed (weighted or gated), in config order.
    gates
        ``(label, criterion, op, value)`` of each enabled gate, then one exclusion per
        criterion with ``missing = "exclude"`` (``op`` None).
    groups
        Group names with a weighted criterion.
    method, params
        The aggregation method.
    attrs
        The output's attributes.
    weights
        The config's effective weights (:class:`growthzones.scoring.Weights`).
    uncertainty
        The ``uncertainty`` each criterion declares, for :func:`growthzones.surface.top_probability`:
        a relative range ``r``, or for an ``attribute`` criterion bounded by two site columns
        the block functions of those columns ``(low, high)``.
    notes
        What the surface could not take over from the config, in words (e.g. uncertainty
        bounds from site columns on a criterion that cells do not read from the sites).
    """

    grid: Grid
    area: Area
    crits: list[_Crit]
    gates: list[tuple[str, str, str | None, float]]
    groups: list[str]
    method: str
    params: dict[str, Any]
    attrs: dict[str, Any] = field(default_factory=dict)
    weights: Any = None
    uncertainty: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def linear(self) -> bool:
        """True when the score is the weighted sum of the values (accumulated criterion by criterion)."""
        return self.method == "wlc"

    @property
    def bands(self) -> list[tuple[str, str]]:
        """``(name, dtype)`` of every output band, in file order."""
        out = [("score", "float32"), ("eligible", "uint8"), ("gate_code", "uint8")]
        out += [(f"group_{g}", "float32") for g in self.groups]
        out += [(f"pass_{_slug(label)}", "uint8") for label, _, op, _ in self.gates if op is not None]
        return out


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "gate"


def _check_method(config: Config) -> None:
    name, params = config.method.name, dict(config.method.params)
    if name not in CELLWISE_METHODS:
        msg = (
            f"method {name!r} cannot make a surface: it scores each alternative against all the others "
            f"(relative), not cell by cell; a surface takes {', '.join(CELLWISE_METHODS)} (e.g. --method wlc), "
            f"and {name!r} can rank the regions located on it"
        )
        raise MethodError(msg)
    norm = params.get("normalization", "auto")
    if norm not in ("auto", "none"):
        msg = (
            f"method {name!r} with normalization {norm!r} rescales each criterion over all alternatives "
            "(relative); a surface needs normalization 'auto' or 'none' (values are already 0..1)"
        )
        raise MethodError(msg)


def plan_surface(
    config: Config | str | Path,
    cell_size: float,
    *,
    outline: Any = None,
    outline_layer: str | None = None,
    drop: tuple[str, ...] | list[str] = (),
    halo: int = 0,
    progress: Progress | None = None,
) -> SurfacePlan:
    """Read the config's layers once and prepare every criterion's raster form.

    Parameters
    ----------
    config
        A config or its path.
    cell_size
        Cell size in metres.
    outline, outline_layer
        The area (see :func:`growthzones.surface.area.read_area`).
    drop
        Criteria left out of the surface (e.g. a site's own area); their gates go too and
        the weights are renormalised.
    halo
        Cells around each window in which distance blocks look for features before the
        KD-tree (speed only; results do not depend on it).
    progress
        ``progress(done, total, label)`` after each layer read.

    Raises
    ------
    CriterionError
        A criterion's measure has no raster form (named), or ``drop`` names no criterion.
    MethodError
        A relative method (TOPSIS, VIKOR, PROMETHEE II) or a relative normalisation.

    Examples
    --------
    >>> import growthzones as gz
    >>> plan = plan_surface(gz.datasets.demo_config_path(), 10_000, drop=["site_area"])
    >>> plan.grid.cell, plan.bands[:3]
    (10000.0, [('score', 'float32'), ('eligible', 'uint8'), ('gate_code', 'uint8')])
    """
    if not isinstance(config, Config):
        config = load_config(config)
    config = drop_criteria(config, drop)
    _check_method(config)
    weights = effective_weights(config)
    gated = {g.criterion for g in config.gates if g.enabled}
    used = [c for c in config.criteria if c.name in weights.criteria.index or c.name in gated]
    missing = [c for c in used if MEASURES.get(c.measure) is None or MEASURES[c.measure].raster is None]
    if missing:
        names = ", ".join(f"{c.name!r} (measure {c.measure!r})" for c in missing)
        msg = (
            f"criterion {names} has no raster form, so no surface can be made with it; leave it out of the "
            f"surface (--drop {missing[0].name}) or give its measure a raster form (MeasureSpec.raster)"
        )
        raise CriterionError(msg)
    sites, _ = load_sites(config.sites, crs=config.project.crs)
    area = read_area(config, sites, outline, outline_layer=outline_layer)
    grid = grid_for(area, float(cell_size), config.project.crs)
    stack = load_layers(config, progress=progress, only={c.layer for c in used if c.layer})
    crits: list[_Crit] = []
    for c in used:
        spec = MEASURES[c.measure]
        what = f"criterion {c.name!r}"
        try:
            if spec.reads == "sites":
                source: Any = sites
            elif spec.reads == "raster":
                source = stack.rasters[c.layer]
            else:
                source = apply_where(stack.vectors[c.layer], c.where, what=f"{what} (layer {c.layer!r})")
            block = spec.raster(source, c, grid, halo=halo)
        except GrowthzonesError as exc:
            raise type(exc)(f"{what} (measure {c.measure!r}): {exc}") from exc
        fn = None
        fill = None
        if c.name in weights.criteria.index:
            fn = mcda.value_function(c.value.function, **{"direction": c.direction, **dict(c.value.params)})
            if c.missing == "unknown":
                # As for the sites (scoring.apply_missing): the median value of the sites with one.
                site_raw = compute_criterion(c, sites, stack).to_numpy(dtype=float)
                known = np.asarray(fn(site_raw[~np.isnan(site_raw)]), dtype=float)
                fill = float(np.median(known)) if known.size else 0.5
        crits.append(
            _Crit(
                c,
                block,
                fn,
                float(weights.criteria.get(c.name, 0.0)),
                float(weights.within.get(c.name, 0.0)),
                weights.group_of.get(c.name),
                fill,
            )
        )
    gates: list[tuple[str, str, str | None, float]] = [
        (g.label or g.key, g.criterion, g.op, float(g.value)) for g in config.gates if g.enabled
    ]
    gates += [(f"no value for {c.crit.display} (missing = exclude)", c.crit.name, None, math.nan)
              for c in crits if c.crit.missing == "exclude"]  # fmt: skip
    resampling = {c.name: resampling_of(c) for c in used if c.measure == "zonal"}
    attrs = {
        "cell_size": float(cell_size),
        "method": config.method.name,
        "method_params": json.dumps(dict(config.method.params)),
        "config": str(config.source) if config.source else config.project.name,
        "project": config.project.name,
        "growthzones_version": __version__,
        "gate_names": json.dumps([g[0] for g in gates]),
        "area": area.label,
        "resampling": json.dumps(resampling),
        "criteria": json.dumps([c.name for c in used]),
        "dropped": json.dumps(list(drop)),
        "demo": int(config.project.demo),
    }
    uncertainty, notes = _uncertainty(used, sites, grid)
    return SurfacePlan(grid, area, crits, gates, list(weights.groups.index), config.method.name,
                       dict(config.method.params), attrs, weights, uncertainty, notes)  # fmt: skip


def _uncertainty(used: list[CriterionConfig], sites: Any, grid: Grid) -> tuple[dict[str, Any], list[str]]:
    """The criteria's declared input uncertainty as the surface can apply it, and what it cannot."""
    out: dict[str, Any] = {}
    notes: list[str] = []
    for c in used:
        u = c.uncertainty
        if u is None:
            continue
        if not isinstance(u, tuple):
            out[c.name] = float(u)
        elif c.measure == "attribute":
            # A cell takes the bounds of the site holding it, as it takes the attribute.
            out[c.name] = tuple(attribute_form(sites, replace(c, attribute=col), grid) for col in u)
        else:
            notes.append(
                f"criterion {c.name!r}: its uncertainty bounds come from the site columns {u[0]!r} and {u[1]!r}, "
                "which a cell does not have, so the top probability leaves its input uncertainty out (declare a "
                "relative range, e.g. uncertainty = 0.2, to vary it on the surface)"
            )
    return out, notes


def drop_criteria(config: Config, drop: tuple[str, ...] | list[str]) -> Config:
    """The config without the criteria in ``drop`` and their gates (weights renormalise when scored).

    Examples
    --------
    >>> import growthzones as gz
    >>> cfg = drop_criteria(gz.load_config(gz.datasets.demo_config_path()), ["site_area"])
    >>> "site_area" in [c.name for c in cfg.criteria], len(cfg.gates)
    (False, 4)
    """
    if not drop:
        return config
    names = [c.name for c in config.criteria]
    unknown = [d for d in drop if d not in names]
    if unknown:
        msg = f"--drop: {', '.join(map(repr, unknown))} is not a criterion of the config; its criteria are: " + (
            ", ".join(names)
        )
        raise CriterionError(msg)
    crits = tuple(c for c in config.criteria if c.name not in drop)
    if not any(c.weight > 0 for c in crits):
        msg = "--drop leaves no weighted criterion: keep at least one"
        raise CriterionError(msg)
    gates = tuple(g for g in config.gates if g.criterion not in drop)
    return replace(config, criteria=crits, gates=gates)


def evaluate_block(plan: SurfacePlan, g: Grid, progress: Progress | None = None) -> dict[str, np.ndarray]:
    """Every output band for the cells of window ``g`` (see :attr:`SurfacePlan.bands`).

    Criterion by criterion: the raw values (real units), the gates on them, the missing
    policy (``fail``: the cell has no data; ``worst``: value 0; ``exclude``: ineligible),
    then the value function. WLC accumulates the weighted values; the other cell-wise
    methods stack them and call :func:`growthzones.mcda.aggregate` on the cells.
    ``progress(done, total, label)`` is told after each criterion.

    Examples
    --------
    >>> import growthzones as gz
    >>> plan = plan_surface(gz.datasets.demo_config_path(), 10_000, drop=["site_area"])
    >>> bands = evaluate_block(plan, plan.grid.window(40, 20, 3, 4))
    >>> bands["score"].shape, bands["eligible"].dtype.name
    ((3, 4), 'uint8')
    """
    inside = plan.area.mask(g)
    if not inside.any():
        # A window wholly outside the area (sea, say): nothing to compute.
        return {name: np.full(g.shape, np.nan if kind == "float32" else 255, dtype=kind) for name, kind in plan.bands}
    # Everything after the raster forms works on the cells inside the area only, as 1-D arrays
    # (a third of GB's grid is land): gates, value functions, weighting.
    at = np.flatnonzero(inside)  # int64 positions: a take is several times faster than a boolean mask
    n = at.size
    nodata = np.zeros(n, dtype=bool)
    passes: list[np.ndarray | None] = [None] * len(plan.gates)
    stack: list[tuple[float, np.ndarray]] = []
    group_acc = {grp: np.zeros(n) for grp in plan.groups}
    for c, raw, v in criterion_values(plan, g, inside, at, progress):
        if raw is not None:
            nan = np.isnan(raw)
            for k, (_, name, op, value) in enumerate(plan.gates):
                if name != c.crit.name:
                    continue
                if op is None:
                    passes[k] = ~nan
                else:
                    with np.errstate(invalid="ignore"):
                        passes[k] = COMPARISONS[op](raw, value) & ~nan
            if c.crit.missing == "fail":
                nodata |= nan
        if v is not None:
            _add(plan, c, v, stack, group_acc)
        # Let go before the next criterion's raster is computed: a GB grid's raw and values are 0.4 GB.
        del raw, v
    valid = ~nodata
    if plan.linear:
        # WLC: the weighted sum is the group weights times the groups' own weighted sums.
        acc = np.zeros(n)
        for grp in plan.groups:
            acc += float(plan.weights.groups[grp]) * group_acc[grp]
    else:
        acc = np.full(n, np.nan)
        _aggregate_cells(plan, stack, valid, acc)
    gate_code = np.zeros(n, dtype=np.uint8)
    for k in range(len(plan.gates) - 1, -1, -1):
        gate_code[~passes[k]] = k + 1
    gate_code[~valid] = 255

    def band(values: np.ndarray, fill: float, dtype: str) -> np.ndarray:
        full = np.full(g.shape, fill, dtype=dtype)
        np.put(full, at, values)
        return full

    out: dict[str, np.ndarray] = {
        "score": band(np.where(valid, 100.0 * acc, np.nan), np.nan, "float32"),
        "eligible": band(np.where(valid, gate_code == 0, 255), 255, "uint8"),
        "gate_code": band(gate_code, 255, "uint8"),
    }
    for grp in plan.groups:
        out[f"group_{grp}"] = band(np.where(valid, 100.0 * group_acc[grp], np.nan), np.nan, "float32")
    for (label, _, op, _), p in zip(plan.gates, passes, strict=True):
        if op is not None:
            out[f"pass_{_slug(label)}"] = band(np.where(valid, p, 255), 255, "uint8")
    return out


def criterion_values(
    plan: SurfacePlan, g: Grid, inside: np.ndarray, at: np.ndarray, progress: Progress | None = None
) -> Iterator[tuple[_Crit, np.ndarray | None, np.ndarray | None]]:
    """Each criterion's raw values and 0..1 values on the cells ``at`` of window ``g``.

    The one place where a window's criteria are computed, for :func:`evaluate_block` and
    :func:`growthzones.surface.top_probability`.

    Parameters
    ----------
    plan
        From :func:`plan_surface`.
    g
        The window.
    inside
        ``plan.area.mask(g)``.
    at
        Flat positions in the window of the cells to compute (``np.flatnonzero(inside)``).
    progress
        Told ``(k, len(plan.crits), name)`` before each criterion, and once ``"score"`` at the end.

    Yields
    ------
    criterion, raw, value
        First, for every criterion in plan order, its raw values (real units, NaN where
        missing) and its 0..1 values: gaps filled by the missing policy (``unknown``: the
        sites' median value; ``worst`` and the rest: 0), or None when it is unweighted or
        ``missing = "proxy"``. Then, once every proxy is known, ``(criterion, None, value)``
        for each ``missing = "proxy"`` criterion, its gaps filled from its proxy's values.
        The value arrays are the caller's to change.
    """
    proxies = {c.crit.proxy for c in plan.crits if c.crit.missing == "proxy" and c.value_fn is not None}
    kept: dict[str, np.ndarray] = {}
    deferred: list[tuple[_Crit, np.ndarray, np.ndarray]] = []
    for k, c in enumerate(plan.crits):
        if progress:
            progress(k, len(plan.crits), c.crit.name)
        raw = np.take(np.asarray(c.block(g, inside)).reshape(-1), at).astype(np.float64, copy=False)
        if c.value_fn is None:
            yield c, raw, None
            continue
        v = np.asarray(c.value_fn(raw), dtype=np.float64)
        gap = np.isnan(v)
        if c.crit.missing == "proxy":
            deferred.append((c, v, gap))  # last, once the proxy's own gaps are filled
            yield c, raw, None
            continue
        v[gap] = c.fill if c.fill is not None else 0.0
        if c.crit.name in proxies:
            kept[c.crit.name] = v.copy()
        yield c, raw, v
    for c, v, gap in deferred:
        stand_in = kept.get(c.crit.proxy)
        v[gap] = 0.0 if stand_in is None else stand_in[gap]
        yield c, None, v
    if progress:
        progress(len(plan.crits), len(plan.crits), "score")


def _add(plan: SurfacePlan, c: _Crit, v: np.ndarray, stack: list[tuple[float, np.ndarray]],
         group_acc: dict[str, np.ndarray]) -> None:  # fmt: skip
    """Add a criterion's 0..1 values to its group's sum and, for methods other than WLC, to the stack."""
    if not plan.linear:
        stack.append((c.weight, v.astype(np.float32)))
    v *= c.within
    group_acc[c.group] += v


def _aggregate_cells(
    plan: SurfacePlan, stack: list[tuple[float, np.ndarray]], valid: np.ndarray, out: np.ndarray
) -> None:
    """Score the valid cells with the method, a batch of cells at a time (bounded memory)."""
    w = np.array([weight for weight, _ in stack])
    idx = np.flatnonzero(valid.ravel())
    flat = out.ravel()
    batch = 1 << 20
    for i in range(0, idx.size, batch):
        sel = idx[i : i + batch]
        matrix = np.column_stack([v.ravel()[sel] for _, v in stack]).astype(np.float64)
        flat[sel] = mcda.aggregate(plan.method, matrix, w, np.ones(len(w)), **plan.params)


def dask_halo(chunks: int) -> int:
    """Cells a chunk's distance tiles reach beyond it: one chunk on every side.

    A cell whose nearest feature lies beyond the tile asks the KD-tree of the whole layer,
    which costs far more per cell than the EDT; a tile three chunks wide leaves few such
    cells (at 25 m over Great Britain, a 2048-cell chunk's distances took 17-26 s with a
    quarter-chunk halo and about 1 s with this one). Results do not depend on it.

    Examples
    --------
    >>> dask_halo(2048)
    2048
    """
    return max(1, int(chunks))


def estimate_memory(plan: SurfacePlan, cells: int | None = None) -> int:
    """Bytes a surface of ``cells`` cells (default: the whole grid) needs in memory, roughly.

    Per cell of the grid: the work of one criterion (its values and a temporary, 16 bytes),
    the area mask and the fixed bands, 4 bytes per group band and a byte per gate band. Per
    cell inside the area (the outline's share of the grid): its position, the criterion's raw
    and 0..1 values, 8 bytes per group accumulator, and 4 bytes per weighted criterion for
    methods other than WLC (their values are stacked). Measured: 4.2 GB for GB at 100 m
    (78.9 M cells, 29% inside, 4 groups), where this gives 4.5 GB.

    Examples
    --------
    >>> from growthzones.criteria.raster import Grid
    >>> from growthzones.surface.area import Area
    >>> plan = SurfacePlan(Grid("EPSG:27700", 0, 0, 100, 1000, 1000), Area(None, (0, 0, 1, 1), ""), [], [], ["a"],
    ...                    "wlc", {})
    >>> estimate_memory(plan)
    59000000
    """
    n = plan.grid.cells if cells is None else cells
    weighted = sum(c.value_fn is not None for c in plan.crits)
    share = plan.area.share(plan.grid)
    per = _WORK_BYTES + _FIXED_BYTES + 4 * len(plan.groups) + len(plan.gates)
    per_inside = _INSIDE_BYTES + 8 * len(plan.groups) + (0 if plan.linear else 4 * weighted)
    per += share * per_inside
    return int(n * per)


def _available_memory() -> int:
    import psutil

    return int(psutil.virtual_memory().available)


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def check_memory(plan: SurfacePlan, *, max_memory: float | None = None) -> None:
    """Refuse an in-memory surface that would not fit, before any work, with the estimate and the fix.

    ``max_memory`` (bytes) defaults to 70% of the memory available now.
    """
    need = estimate_memory(plan)
    limit = int(0.7 * _available_memory()) if max_memory is None else int(max_memory)
    if need <= limit:
        return
    g = plan.grid
    factor = math.sqrt(need / max(limit, 1))
    bigger = math.ceil(g.cell * factor / 5) * 5
    msg = (
        f"a surface of {g.height:,} x {g.width:,} cells at {g.cell:g} m needs about {_gb(need)} in memory, more "
        f"than the {_gb(limit)} allowed here: run it on Dask (--dask; peak memory is then set by --chunks) or use "
        f"a larger cell size (about --cell-size {bigger:g} fits)"
    )
    raise SurfaceError(msg)


def surface(
    config: Config | str | Path | SurfacePlan,
    cell_size: float = 100.0,
    *,
    outline: Any = None,
    outline_layer: str | None = None,
    drop: tuple[str, ...] | list[str] = (),
    dask: bool = False,
    chunks: int = 2048,
    max_memory: float | None = None,
    progress: Progress | None = None,
) -> xr.Dataset:
    """The suitability surface of a config (see docs/surface.md for the contract).

    Parameters
    ----------
    config
        A config, its path, or a plan from :func:`plan_surface`.
    cell_size
        Cell size in metres.
    outline, outline_layer, drop
        As for :func:`plan_surface`.
    dask
        False: compute now, in memory (refused with the estimate if it would not fit).
        True: return a lazy Dataset of Dask arrays, one task per chunk of ``chunks`` x
        ``chunks`` cells, computed on whatever Dask scheduler is active when it is
        computed or written (see :func:`growthzones.surface.cluster`).
    max_memory
        Bytes allowed for an in-memory surface (default 70% of the available memory).
    progress
        ``progress(done, total, label)``.

    Returns
    -------
    xarray.Dataset
        ``score`` (float32 0-100), ``eligible`` (uint8 1/0, 255 outside or no data),
        ``gate_code`` (uint8: 0 passes, k = first gate excluding, 255 outside),
        ``group_<name>``, ``pass_<gate>``; dims ``("y", "x")`` of cell centres, y descending;
        CRS and transform attached (rioxarray); attrs ``cell_size``, ``method``, ``config``,
        ``growthzones_version``, ``gate_names`` (JSON) and more.

    Examples
    --------
    >>> import growthzones as gz
    >>> ds = surface(gz.datasets.demo_config_path(), 5000, drop=["site_area"])
    >>> sorted(ds.data_vars)[:3], ds.attrs["cell_size"]
    (['eligible', 'gate_code', 'group_connectivity'], 5000.0)
    """
    if isinstance(config, SurfacePlan):
        plan = config
    else:
        halo = dask_halo(chunks) if dask else 0
        plan = plan_surface(config, cell_size, outline=outline, outline_layer=outline_layer, drop=drop, halo=halo,
                            progress=progress)  # fmt: skip
    if not dask:
        check_memory(plan, max_memory=max_memory)
        return to_dataset(plan, evaluate_block(plan, plan.grid, progress))
    return to_dataset(plan, _dask_bands(plan, int(chunks)))


def _run_block(plan: SurfacePlan, row: int, col: int, h: int, w: int) -> np.ndarray:
    bands = evaluate_block(plan, plan.grid.window(row, col, h, w))
    return np.stack([bands[name].astype(np.float32) for name, _ in plan.bands])


def _dask_bands(plan: SurfacePlan, chunks: int) -> dict[str, Any]:
    """One delayed task per chunk; the plan is one shared graph node, not copied into every task."""
    import dask
    import dask.array as da

    if chunks < 16:
        msg = f"--chunks {chunks} is too small: use at least 256 cells (e.g. 2048)"
        raise SurfaceError(msg)
    g = plan.grid
    nb = len(plan.bands)
    plan_d = dask.delayed(plan, pure=True, traverse=False)
    run = dask.delayed(_run_block, pure=True)
    rows = []
    for r in range(0, g.height, chunks):
        h = min(chunks, g.height - r)
        row = []
        for c in range(0, g.width, chunks):
            w = min(chunks, g.width - c)
            row.append(da.from_delayed(run(plan_d, r, c, h, w), shape=(nb, h, w), dtype=np.float32))
        rows.append(row)
    arr = da.concatenate([da.concatenate(row, axis=2) for row in rows], axis=1)
    return {name: arr[i].astype(dtype) for i, (name, dtype) in enumerate(plan.bands)}


def to_dataset(plan: SurfacePlan, bands: dict[str, Any]) -> xr.Dataset:
    """Wrap the bands as the surface Dataset (coordinates, CRS, transform, attrs)."""
    import rioxarray  # noqa: F401  (registers the .rio accessor)

    g = plan.grid
    coords = {"y": g.ys(), "x": g.xs()}
    ds = xr.Dataset({name: (("y", "x"), bands[name]) for name, _ in plan.bands}, coords=coords, attrs=dict(plan.attrs))
    return ds.rio.write_crs(g.crs).rio.write_transform(g.transform)
