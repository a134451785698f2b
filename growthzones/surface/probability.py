"""Robustness on the surface: per cell, the probability of being in the top X% under uncertainty.

Weight vectors are sampled as :func:`growthzones.robustness.sample_weights` samples them
(Dirichlet at both levels of the weight hierarchy, uniform or concentrated around the
config's weights). Criteria that declare ``uncertainty = r`` in the config vary by up to
+/- r of their value, uniformly and independently per cell and sample; an ``attribute``
criterion bounded by two site columns (``uncertainty = ["low", "high"]``) varies uniformly
between the bounds of the site holding the cell, as ``growthzones robustness`` varies the
site. Value functions and gates are applied again per sample. Bounds from site columns on
any other measure cannot reach a cell: the plan's ``notes`` say so and they are left out.
The draw of a cell depends only on the seed, the criterion, the sample and the cell's
position in the grid (a counter-based hash), so chunked and in-memory runs agree.

Two passes over the grid, window by window (the whole grid in memory, chunks on Dask): the
first histograms every sample's scores of eligible cells (bins of 0.01 score points) to find
each sample's top-X% threshold; the second counts, per cell, the samples in which it is
eligible and at or above the threshold. A cell in the threshold's bin counts as in the top, so
a sample's top share can exceed X% by the cells of one 0.01-point bin.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from growthzones import mcda
from growthzones.config import COMPARISONS
from growthzones.criteria.raster import Grid
from growthzones.errors import SurfaceError
from growthzones.progress import Progress
from growthzones.robustness import sample_weights
from growthzones.surface.build import SurfacePlan, criterion_values

__all__ = ["top_probability"]

_BINS = 10_001  # score 0..100 in steps of 0.01
_BATCH = 1 << 22  # samples x cells x criteria per working array


def _uniform(seed: int, crit: int, samples: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) per (sample, cell): splitmix64 of the seed, criterion, sample and cell id."""
    with np.errstate(over="ignore"):
        z = (
            np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
            + np.uint64(crit + 1) * np.uint64(0xBF58476D1CE4E5B9)
            + samples.astype(np.uint64)[:, None] * np.uint64(0x94D049BB133111EB)
            + cells.astype(np.uint64)[None, :]
        )
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


class _Inputs:
    """One window's cells that may be eligible: fixed values, and the uncertain criteria's raw values.

    Attributes
    ----------
    shape
        The window's shape.
    inside
        Flat positions in the window of the cells inside the area.
    pos
        Flat positions of the cells that pass every gate no sample can change.
    ids
        Those cells' ids in the whole grid (row-major), which seed their draws.
    values
        ``(cells, weighted criteria)`` 0..1 values, criteria in plan order.
    raws
        Raw values of the criteria with an ``uncertainty``.
    bounds
        Per-cell ``(low, high)`` of the criteria bounded by site columns.
    """

    def __init__(self, plan: SurfacePlan, g: Grid) -> None:
        inside = plan.area.mask(g)
        self.shape = g.shape
        self.inside = np.flatnonzero(inside)
        ok = np.ones(self.inside.size, dtype=bool)
        values: dict[str, np.ndarray] = {}
        raws: dict[str, np.ndarray] = {}
        if self.inside.size:
            for c, raw, v in criterion_values(plan, g, inside, self.inside):
                name = c.crit.name
                if raw is not None:
                    nan = np.isnan(raw)
                    uncertain = name in plan.uncertainty
                    for _, gname, op, value in plan.gates:
                        # A gate on an uncertain criterion is applied per sample, in _scores.
                        if gname == name and not (uncertain and op is not None):
                            with np.errstate(invalid="ignore"):
                                ok &= ~nan if op is None else COMPARISONS[op](raw, value) & ~nan
                    if c.crit.missing == "fail":
                        ok &= ~nan
                    if uncertain:
                        raws[name] = raw
                if v is not None:
                    values[name] = v
        keep = np.flatnonzero(ok)
        self.pos = self.inside[keep]
        rows, cols = np.divmod(self.pos, g.width)
        self.ids = (rows + g.row0).astype(np.int64) * np.int64(plan.grid.width) + (cols + g.col0)
        weighted = [c.crit.name for c in plan.crits if c.value_fn is not None]
        self.values = np.zeros((keep.size, len(weighted)))
        for j, name in enumerate(weighted):
            if name in values:
                self.values[:, j] = values[name][keep]
        self.raws = {k: r[keep] for k, r in raws.items()}
        # Per-cell bounds of criteria bounded by site columns (a missing bound: the cell's own value).
        self.bounds: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, rule in plan.uncertainty.items():
            if isinstance(rule, tuple):
                raw = self.raws[name]
                lo, hi = (np.asarray(b(g), dtype=np.float64).ravel()[self.pos] for b in rule)
                lo, hi = np.where(np.isnan(lo), raw, lo), np.where(np.isnan(hi), raw, hi)
                self.bounds[name] = (np.minimum(lo, hi), np.maximum(lo, hi))


def _scores(
    plan: SurfacePlan, inp: _Inputs, w: np.ndarray, first: int, seed: int, sel: slice
) -> tuple[np.ndarray, np.ndarray]:
    """(samples, cells) scores 0-100 and eligibility of the cells ``sel`` for samples ``first..``."""
    s = len(w)
    x = inp.values[sel]
    ids = inp.ids[sel]
    eligible = np.ones((s, len(ids)), dtype=bool)
    if not plan.uncertainty:
        if plan.linear:
            return 100.0 * (w @ x.T), eligible
        scores = mcda.aggregate(plan.method, x, w, np.ones(x.shape[1]), **plan.params)
        return 100.0 * np.asarray(scores).reshape(s, -1), eligible
    v = np.broadcast_to(x, (s, *x.shape)).copy()
    samples = np.arange(first, first + s)
    weighted = [c for c in plan.crits if c.value_fn is not None]
    for k, c in enumerate(plan.crits):
        name = c.crit.name
        if name not in plan.uncertainty:
            continue
        u = _uniform(seed, k, samples, ids)
        if name in inp.bounds:
            lo, hi = (b[sel] for b in inp.bounds[name])
            drawn = lo[None, :] + (hi - lo)[None, :] * u
        else:
            raw = inp.raws[name][sel]
            drawn = raw[None, :] * (1.0 + float(plan.uncertainty[name]) * (2.0 * u - 1.0))
        for _, gname, op, value in plan.gates:
            if gname == name and op is not None:
                with np.errstate(invalid="ignore"):
                    eligible &= COMPARISONS[op](drawn, value) & ~np.isnan(drawn)
        if c.value_fn is not None:
            col = weighted.index(c)
            val = np.asarray(c.value_fn(drawn), dtype=np.float64)
            v[:, :, col] = np.where(np.isnan(val), 0.0, val)
    if plan.linear:
        return 100.0 * np.einsum("snm,sm->sn", v, w), eligible
    out = np.stack([mcda.aggregate(plan.method, v[i], w[i], np.ones(v.shape[2]), **plan.params) for i in range(s)])
    return 100.0 * out, eligible


def _passes(plan: SurfacePlan, g: Grid, w: np.ndarray, seed: int, thresholds: np.ndarray | None) -> np.ndarray:
    """Pass 1 (``thresholds`` None): (samples, bins) histogram. Pass 2: per-cell top probability."""
    inp = _Inputs(plan, g)
    s = len(w)
    hist = np.zeros((s, _BINS), dtype=np.int64)
    count = np.zeros(inp.pos.size, dtype=np.int32)
    step = max(1, _BATCH // (s * max(1, inp.values.shape[1])))
    for i in range(0, inp.pos.size, step):
        sel = slice(i, i + step)
        sc, elig = _scores(plan, inp, w, 0, seed, sel)
        b = np.clip(np.floor(sc * 100.0 + 1e-9), 0, _BINS - 1).astype(np.int64)
        if thresholds is None:
            idx = (np.arange(s)[:, None] * _BINS + b)[elig]
            hist += np.bincount(idx, minlength=s * _BINS).reshape(s, _BINS)
        else:
            count[sel] = ((b >= thresholds[:, None]) & elig).sum(axis=0)
    if thresholds is None:
        return hist
    out = np.full(inp.shape, np.nan, dtype=np.float32)
    out.ravel()[inp.inside] = 0.0  # inside but never eligible
    out.ravel()[inp.pos] = count / s
    return out


def _thresholds(hist: np.ndarray, top_percent: float) -> np.ndarray:
    """Per sample, the lowest bin whose cells and those above make at least ``top_percent`` of the eligible."""
    n = hist.sum(axis=1)
    from_top = np.cumsum(hist[:, ::-1], axis=1)
    need = np.ceil(n * top_percent / 100.0)
    k = (from_top >= np.maximum(need, 1)[:, None]).argmax(axis=1)
    t = _BINS - 1 - k
    return np.where(n > 0, t, _BINS)  # a sample without eligible cells puts none in the top


def top_probability(
    plan: SurfacePlan,
    *,
    top_percent: float = 10.0,
    samples: int = 100,
    seed: int = 0,
    concentration: float | None = None,
    levels: str = "both",
    dask: bool = False,
    chunks: int = 2048,
    progress: Progress | None = None,
) -> xr.DataArray:
    """Per cell, the share of samples in which it is eligible and among the top ``top_percent`` % of cells.

    Parameters
    ----------
    plan
        From :func:`growthzones.surface.plan_surface`.
    top_percent
        X: the top X% of the eligible cells of each sample.
    samples, seed, concentration, levels
        Weight sampling, as :func:`growthzones.robustness.sample_weights`.
    dask, chunks
        Compute the two passes per chunk on the active Dask scheduler.

    Returns
    -------
    xarray.DataArray
        float32 0..1 on the surface's grid (``p_top``), NaN outside the area.

    Examples
    --------
    >>> import growthzones as gz
    >>> from growthzones.surface import plan_surface
    >>> plan = plan_surface(gz.datasets.demo_config_path(), 20_000, drop=["site_area"])
    >>> p = top_probability(plan, top_percent=10, samples=50, seed=1)
    >>> float(p.min()) >= 0, float(p.max()) <= 1, p.name
    (True, True, 'p_top')
    """
    if not 0 < float(top_percent) <= 100:
        msg = f"--top-percent {top_percent!r} must be above 0 and at most 100, e.g. 10 for the top 10% of cells"
        raise SurfaceError(msg)
    if int(samples) < 1:
        msg = f"--samples {samples!r} must be at least 1, e.g. 200"
        raise SurfaceError(msg)
    w = sample_weights(plan.weights, int(samples), seed=seed, concentration=concentration, levels=levels).to_numpy()
    g = plan.grid
    if not dask:
        if progress:
            progress(0, 2, "thresholds")
        thresholds = _thresholds(_passes(plan, g, w, seed, None), top_percent)
        if progress:
            progress(1, 2, "probabilities")
        arr: Any = _passes(plan, g, w, seed, thresholds)
        if progress:
            progress(2, 2, "done")
    else:
        import dask as dk
        import dask.array as da

        plan_d = dk.delayed(plan, pure=True, traverse=False)
        windows = [(r, c, min(chunks, g.height - r), min(chunks, g.width - c))
                   for r in range(0, g.height, chunks) for c in range(0, g.width, chunks)]  # fmt: skip
        hists = [dk.delayed(_window_pass)(plan_d, win, w, seed, None) for win in windows]
        hist = dk.delayed(sum)(hists).compute()
        thresholds = _thresholds(hist, top_percent)
        blocks = {win: da.from_delayed(dk.delayed(_window_pass)(plan_d, win, w, seed, thresholds),
                                       shape=win[2:], dtype=np.float32) for win in windows}  # fmt: skip
        rows = sorted({win[0] for win in windows})
        arr = da.concatenate(
            [da.concatenate([blocks[win] for win in windows if win[0] == r], axis=1) for r in rows], axis=0
        )
    out = xr.DataArray(arr, dims=("y", "x"), coords={"y": g.ys(), "x": g.xs()}, name="p_top")
    out.attrs = {"top_percent": float(top_percent), "samples": int(samples), "seed": int(seed)}
    return out


def _window_pass(plan: SurfacePlan, win: tuple[int, int, int, int], w: np.ndarray, seed: int,
                 thresholds: np.ndarray | None) -> np.ndarray:  # fmt: skip
    return _passes(plan, plan.grid.window(*win), w, seed, thresholds)
