"""Portfolio limits and the arrays a solver needs, checked against an assessment.

:class:`Limits` says what a portfolio must respect (how many sites or MW, per-group minimum
and maximum, shared capacity per group, spacing, locked-in and locked-out sites).
:func:`build_problem` checks every column, layer, group name and site id it names (unknown
names get a "did you mean") and turns them into a :class:`Problem`: plain arrays over the
candidate sites, ready for :mod:`growthzones.portfolio.solve`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from growthzones.config import CapacityLimit, GroupLimit, Limits, PortfolioConfig, did_you_mean
from growthzones.errors import PortfolioError

if TYPE_CHECKING:
    from growthzones.assessment import Assessment

__all__ = ["CapacityLimit", "GroupLimit", "Limits", "Problem", "build_problem", "group_labels", "limits_from_config"]


def limits_from_config(pc: PortfolioConfig | None, **overrides: Any) -> Limits:
    """The :class:`Limits` of a config's ``[portfolio]`` section, with some replaced.

    ``overrides`` with the value None are ignored (the command line passes every option).

    Examples
    --------
    >>> from growthzones.config import PortfolioConfig
    >>> limits_from_config(PortfolioConfig(count=5, min_spacing_km=20), count=8).count
    8
    """
    names = [f.name for f in dataclasses.fields(Limits)]
    base = {} if pc is None else {k: getattr(pc, k) for k in names}
    base.update({k: v for k, v in overrides.items() if v is not None})
    unknown = [k for k in base if k not in names]
    if unknown:
        msg = f"portfolio: unknown limit {unknown[0]!r}{did_you_mean(unknown[0], names)}"
        raise PortfolioError(msg)
    return Limits(**base)


@dataclass
class GroupRows:
    """One limit's groups: per candidate the group code (-1: none), group names and bounds."""

    kind: str  # "per" | "capacity"
    by: str
    code: np.ndarray  # (n,) int, -1 = in no group
    names: list[str]
    lo: np.ndarray  # (g,) float, 0 = none
    hi: np.ndarray  # (g,) float, inf = none
    demand: np.ndarray | None = None  # capacity: (n,) MW per site
    limit: Any = None


@dataclass
class Problem:
    """The arrays of a portfolio problem over the candidate sites (eligible, in site-id order).

    ``pairs`` holds the index pairs closer than the spacing, with their distance in km.
    """

    ids: np.ndarray
    names: np.ndarray
    score: np.ndarray
    limits: Limits
    demand: np.ndarray | None
    groups: list[GroupRows]
    pairs: np.ndarray  # (p, 2) int
    pair_km: np.ndarray  # (p,)
    locked_in: np.ndarray  # (n,) bool
    locked_out: np.ndarray  # (n,) bool
    positions: np.ndarray  # (n,) row positions in the assessment
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of candidate sites."""
        return len(self.ids)


def _check_int(v: Any, ctx: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | np.integer | float) or not float(v).is_integer() or v < 0:
        msg = f"{ctx}: {v!r} must be a whole number >= 0"
        raise PortfolioError(msg)
    return int(v)


def _check_num(v: Any, ctx: str, *, positive: bool = False) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating) or not math.isfinite(v):
        msg = f"{ctx}: {v!r} must be a number"
        raise PortfolioError(msg)
    if v < 0 or (positive and v == 0):
        msg = f"{ctx}: {v!r} must be {'above' if positive else 'at least'} 0"
        raise PortfolioError(msg)
    return float(v)


def _column(a: Assessment, name: str, ctx: str) -> pd.Series:
    t = a.table
    if name not in t.columns or name == "geometry":
        cols = [str(c) for c in t.columns if c != "geometry"]
        msg = f"{ctx}: no column {name!r} in the sites or criteria{did_you_mean(name, cols)}"
        raise PortfolioError(msg)
    return t[name]


def _mw(a: Assessment, spec: str | float | None, ctx: str, pos: np.ndarray) -> np.ndarray:
    """Per candidate MW from a number or a numeric column; missing or negative values are refused."""
    if spec is None:
        msg = f"{ctx}: no demand given; set demand to a site column such as 'power_need_mw' or a number of MW"
        raise PortfolioError(msg)
    if isinstance(spec, str):
        col = pd.to_numeric(_column(a, spec, ctx), errors="coerce").to_numpy(dtype=float)[pos]
        bad = np.flatnonzero(~np.isfinite(col) | (col < 0))
        if bad.size:
            shown = ", ".join(str(a.sites.index[pos[i]]) for i in bad[:5])
            msg = (
                f"{ctx}: column {spec!r} is missing, negative or not a number at site(s) {shown}; fill it with MW >= 0"
            )
            raise PortfolioError(msg)
        return col
    return np.full(len(pos), _check_num(spec, ctx))


def group_labels(a: Assessment, by: str, *, field_name: str | None = None, ctx: str = "by") -> pd.Series:
    """Each site's group under ``by``: a column of the table, or a config layer joined spatially.

    Polygons are joined by largest overlap, points and lines by nearest feature. Sites in no
    group get a missing value.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> group_labels(a, "nation").value_counts().to_dict()
    {'England': 181, 'Scotland': 23, 'Wales': 16}
    """
    if by in a.table.columns and by != "geometry":
        if field_name is not None:
            msg = f"{ctx}: field {field_name!r} is for layers; {by!r} is a column of the sites"
            raise PortfolioError(msg)
        s = a.table[by]
        return s.where(s.notna(), None).map(lambda v: None if v is None else str(v))
    layer = _layer(a, by, ctx)
    attrs = [c for c in layer.columns if c != "geometry"]
    if field_name is None:
        if not attrs:
            msg = f"{ctx}: layer {by!r} has no attribute to name its groups"
            raise PortfolioError(msg)
        field_name = "name" if "name" in attrs else attrs[0]
    elif field_name not in attrs:
        msg = f"{ctx}.field: layer {by!r} has no attribute {field_name!r}{did_you_mean(field_name, attrs)}"
        raise PortfolioError(msg)
    pos = _join(a.sites, layer)
    names = layer[field_name].astype(str).to_numpy()
    out = pd.Series([names[p] if p >= 0 else None for p in pos], index=a.sites.index, dtype=object)
    out.attrs["layer_pos"] = pos
    return out


def _layer(a: Assessment, key: str, ctx: str) -> gpd.GeoDataFrame:
    stack = a.layers
    if stack is not None and key in stack.vectors:
        return stack.vectors[key]
    if key in a.config.layers and a.config.layers[key].kind == "vector":
        from growthzones.criteria import load_layers

        return load_layers(a.config, only={key}).vectors[key]
    cols = [str(c) for c in a.table.columns if c != "geometry"]
    choices = cols + [k for k, v in a.config.layers.items() if v.kind == "vector"]
    msg = f"{ctx}: {key!r} is neither a column of the sites nor a vector layer in [layers]{did_you_mean(key, choices)}"
    raise PortfolioError(msg)


def _join(sites: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> np.ndarray:
    """Row of ``layer`` for each site: largest overlap for polygons, nearest feature otherwise."""
    import shapely

    from growthzones.candidates import largest_overlap

    geoms = layer.geometry.to_numpy()
    if len(geoms) and np.all(shapely.get_dimensions(geoms) == 2):
        return largest_overlap(sites.geometry, layer)
    tree = shapely.STRtree(geoms)
    si, li = tree.query_nearest(sites.geometry.to_numpy(), all_matches=True)
    pos = np.full(len(sites), -1, dtype=np.int64)
    order = np.lexsort((li, si))
    si, li = si[order], li[order]
    first = np.ones(len(si), dtype=bool)
    first[1:] = si[1:] != si[:-1]
    pos[si[first]] = li[first]
    return pos


def _bound(v: int | Mapping[str, int] | None, names: list[str], ctx: str, default: float) -> np.ndarray:
    out = np.full(len(names), default)
    if v is None:
        return out
    if isinstance(v, Mapping):
        for k, x in v.items():
            if str(k) not in names:
                msg = f"{ctx}: no group {k!r}{did_you_mean(str(k), names)}"
                raise PortfolioError(msg)
            out[names.index(str(k))] = _check_int(x, f"{ctx}.{k}")
        return out
    return np.full(len(names), float(_check_int(v, ctx)))


def _group_rows(a: Assessment, kind: str, lim: Any, ctx: str, pos: np.ndarray) -> tuple[GroupRows, pd.Series]:
    labels = group_labels(a, lim.by, field_name=lim.field, ctx=ctx)
    cand = labels.iloc[pos]
    names = sorted({str(v) for v in labels.dropna()})
    code = np.array([names.index(v) if v is not None else -1 for v in cand], dtype=np.int64)
    return GroupRows(kind, lim.by, code, names, np.zeros(len(names)), np.full(len(names), np.inf), limit=lim), labels


def _headroom(a: Assessment, lim: CapacityLimit, labels: pd.Series, names: list[str], ctx: str) -> np.ndarray:
    h = lim.headroom
    if not isinstance(h, str):
        val = _check_num(h, f"{ctx}.headroom")
        return np.full(len(names), val)
    if lim.by in a.table.columns:
        col = pd.to_numeric(_column(a, h, f"{ctx}.headroom"), errors="coerce")
        per = col.groupby(labels.to_numpy(), dropna=True)
        lo, hi = per.min(), per.max()
        varies = [str(g) for g in lo.index if not (lo[g] == hi[g] or (np.isnan(lo[g]) and np.isnan(hi[g])))]
        if varies:
            msg = (
                f"{ctx}.headroom: column {h!r} differs between sites of the same {lim.by} "
                f"({', '.join(varies[:3])}); give every site of a group its group's headroom"
            )
            raise PortfolioError(msg)
        vals = lo.reindex(names).to_numpy(dtype=float)
    else:
        layer = _layer(a, lim.by, ctx)
        attrs = [c for c in layer.columns if c != "geometry"]
        if h not in attrs:
            msg = f"{ctx}.headroom: layer {lim.by!r} has no attribute {h!r}{did_you_mean(h, attrs)}"
            raise PortfolioError(msg)
        lp = labels.attrs.get("layer_pos")
        val_by_site = pd.Series(
            [pd.to_numeric(layer[h], errors="coerce").to_numpy(dtype=float)[p] if p >= 0 else np.nan for p in lp],
            index=labels.index,
        )
        vals = val_by_site.groupby(labels.to_numpy(), dropna=True).min().reindex(names).to_numpy(dtype=float)
    bad = [names[i] for i in np.flatnonzero(~np.isfinite(vals) | (vals < 0))]
    if bad:
        what = "negative or missing"
        msg = f"{ctx}.headroom: {what} headroom in {h!r} for {lim.by} {', '.join(bad[:5])}; capacities must be MW >= 0"
        raise PortfolioError(msg)
    return vals


def _ids(a: Assessment, ids: Sequence[str], ctx: str) -> list[str]:
    known = [str(s) for s in a.sites.index]
    out = []
    for s in ids:
        if str(s) not in a.sites.index:
            msg = f"{ctx}: no site {s!r}{did_you_mean(str(s), known)}"
            raise PortfolioError(msg)
        out.append(str(s))
    return out


def build_problem(a: Assessment, limits: Limits, *, candidates: np.ndarray | None = None) -> Problem:
    """Check ``limits`` against an assessment and build the solver's arrays.

    Parameters
    ----------
    a
        The assessment (its eligible sites are the candidates).
    limits
        The limits.
    candidates
        Row positions of the sites to consider (default: the eligible ones); robust runs pass
        every site that is eligible in some sample.

    Raises
    ------
    PortfolioError
        An unknown column, layer, group or site id (with a "did you mean"), a negative or
        missing capacity, a spacing larger than the study area, or a locked-in site that is
        not eligible.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> p = build_problem(a, Limits(count=5, per=(GroupLimit("nation", max=2),), min_spacing_km=30))
    >>> p.n, len(p.pairs), p.groups[0].names
    (159, 446, ['England', 'Scotland', 'Wales'])
    """
    lim = limits
    for k in ("count", "min_count", "max_count"):
        _check_int(getattr(lim, k), k)
    for k in ("min_mw", "max_mw", "floor", "mip_gap"):
        v = getattr(lim, k)
        if v is not None and k != "floor":
            _check_num(v, k)
    if lim.time_limit is not None:
        _check_num(lim.time_limit, "time_limit", positive=True)
    eligible = a.gates["eligible"].to_numpy(dtype=bool)
    pos = np.flatnonzero(eligible) if candidates is None else np.asarray(candidates, dtype=np.int64)
    order = np.argsort(a.sites.index.to_numpy().astype(str)[pos], kind="stable")
    pos = pos[order]
    ids = a.sites.index.to_numpy().astype(str)[pos]

    locked_in = _ids(a, lim.locked_in, "locked_in")
    locked_out = _ids(a, lim.locked_out, "locked_out")
    both = sorted(set(locked_in) & set(locked_out))
    if both:
        msg = f"locked_in and locked_out both name {', '.join(both)}; a site can only be one of them"
        raise PortfolioError(msg)
    bad = [s for s in locked_in if s not in set(ids)]
    if bad:
        reasons = a.gates["gate_reasons"].reindex(bad).astype(str).tolist()
        msg = f"locked_in: site {bad[0]} is not eligible ({reasons[0]}); unlock it or relax the gate"
        raise PortfolioError(msg)
    score = a.scores["score"].to_numpy(dtype=float)[pos]

    demand = None
    needs_mw = lim.min_mw is not None or lim.max_mw is not None
    if needs_mw or lim.demand is not None:
        demand = _mw(a, lim.demand, "demand", pos) if (needs_mw or lim.demand is not None) else None

    groups: list[GroupRows] = []
    for i, g in enumerate(lim.per):
        ctx = f"per[{i}] ({g.by})"
        rows, _ = _group_rows(a, "per", g, ctx, pos)
        rows.lo = _bound(g.min, rows.names, f"{ctx}.min", 0.0)
        rows.hi = _bound(g.max, rows.names, f"{ctx}.max", np.inf)
        if g.min is None and g.max is None:
            msg = f"{ctx}: give min, max or both"
            raise PortfolioError(msg)
        groups.append(rows)
    for i, c in enumerate(lim.capacity):
        ctx = f"capacity[{i}] ({c.by})"
        rows, labels = _group_rows(a, "capacity", c, ctx, pos)
        rows.hi = _headroom(a, c, labels, rows.names, ctx)
        spec = c.demand if c.demand is not None else lim.demand
        rows.demand = _mw(a, spec, f"{ctx}.demand", pos)
        groups.append(rows)

    pairs = np.zeros((0, 2), dtype=np.int64)
    pair_km = np.zeros(0)
    if lim.min_spacing_km is not None:
        spacing = _check_num(lim.min_spacing_km, "min_spacing_km")
        pairs, pair_km = spacing_pairs(a.sites.geometry.iloc[pos], spacing, a.sites.geometry)
    return Problem(
        ids=ids,
        names=a.sites["name"].astype(str).to_numpy()[pos],
        score=score,
        limits=lim,
        demand=demand,
        groups=groups,
        pairs=pairs,
        pair_km=pair_km,
        locked_in=np.isin(ids, locked_in),
        locked_out=np.isin(ids, locked_out),
        positions=pos,
    )


def spacing_pairs(
    geoms: gpd.GeoSeries, spacing_km: float, area: gpd.GeoSeries | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs of sites whose centroids are closer than ``spacing_km`` (and their distance, km).

    Raises
    ------
    PortfolioError
        When the spacing is larger than the study area (the diagonal of the box around
        ``area``, by default ``geoms``): no two sites could ever be chosen.

    Examples
    --------
    >>> from shapely import Point
    >>> g = gpd.GeoSeries([Point(0, 0), Point(3000, 0), Point(10000, 0)], crs=27700)
    >>> p, d = spacing_pairs(g, 5.0)
    >>> p.tolist(), d.tolist()
    ([[0, 1]], [3.0])
    """
    from scipy.spatial import cKDTree

    ref = geoms if area is None else area
    if len(ref):
        x0, y0, x1, y1 = ref.total_bounds
        across = math.hypot(x1 - x0, y1 - y0) / 1000.0
        if spacing_km > across:
            msg = (
                f"min_spacing_km: {spacing_km:g} km is larger than the study area ({across:.1f} km corner to "
                "corner): no two sites could be chosen; use a smaller spacing"
            )
            raise PortfolioError(msg)
    c = geoms.centroid
    xy = np.column_stack([c.x.to_numpy(), c.y.to_numpy()])
    if len(xy) < 2 or spacing_km <= 0:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    pairs = cKDTree(xy).query_pairs(spacing_km * 1000.0, output_type="ndarray")
    d = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T) / 1000.0
    close = d < spacing_km  # query_pairs includes pairs at exactly the radius: they are far enough
    pairs, d = pairs[close], d[close]
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return pairs[order].astype(np.int64), d[order]
