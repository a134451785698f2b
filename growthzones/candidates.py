"""Generating candidate sites from layers, so an area can be assessed without a bids file.

Three generators, each returning sites ready for a config's ``[sites]`` (columns ``site_id``,
``name``, ``kind`` and whatever context is carried, polygons in the working CRS):

- :func:`from_areas`: one candidate per area polygon (e.g. per local authority district);
- :func:`on_grid`: site-sized squares on a regular grid over the land;
- :func:`around_points`: site-sized squares beside points (e.g. high-voltage substations).

Site-sized generators drop squares that overlap constraint polygons (national parks, say) or
fall outside the land, and report how many were dropped and why.

For Great Britain, :func:`gb_candidates` makes them from the GB layer stack written by
``growthzones data gb`` (:func:`read_stack`), with context columns a config can use with
``measure = "attribute"``: ``country``, ``region_code``, ``region_name`` (and ``lad_code``,
``lad_name`` for sites), ``northing_km``, ``boundaries_south`` (how many of the main north-south
transmission boundaries lie south of it: a proxy for sitting in a generation-surplus export
area), ``boundaries_south_of`` (their names), and ``water_stress_score`` /
``water_classification`` / ``water_assessed`` (Environment Agency 2021 water stress of the
region; a documented neutral score where it was not assessed). ``growthzones candidates`` is the
command for it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from growthzones.atomic import atomic_path
from growthzones.errors import ConfigError, GeometryError, LayerError

__all__ = [
    "DEFAULT_BOUNDARIES",
    "GB_COUNTRIES",
    "LAD_LAYERS",
    "SITE_LAYERS",
    "add_context",
    "around_points",
    "boundaries_south",
    "from_areas",
    "gb_candidates",
    "largest_overlap",
    "on_grid",
    "read_stack",
    "stack_layers_needed",
    "summary_lines",
    "write_candidates",
]

log = logging.getLogger(__name__)


def from_areas(
    areas: gpd.GeoDataFrame,
    *,
    id_column: str,
    name_column: str,
    prefix: str = "",
    keep: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """One candidate per area polygon: the area itself.

    Parameters
    ----------
    areas
        Area polygons (e.g. local authority districts) in a projected CRS.
    id_column, name_column
        Columns holding each area's code and name.
    prefix
        Prepended to each id, e.g. ``"LAD-"``.
    keep
        Other columns to carry over.

    Examples
    --------
    >>> from shapely import box
    >>> lads = gpd.GeoDataFrame({"code": ["E1", "E2"], "nm": ["A", "B"]},
    ...                         geometry=[box(0, 0, 1000, 1000), box(1000, 0, 3000, 1000)], crs=27700)
    >>> from_areas(lads, id_column="code", name_column="nm")[["site_id", "name", "area_ha"]].values.tolist()
    [['E1', 'A', 100.0], ['E2', 'B', 200.0]]
    """
    for col in (id_column, name_column, *keep):
        if col not in areas.columns:
            msg = f"areas: no column {col!r}; columns are: {', '.join(map(str, areas.columns))}"
            raise LayerError(msg)
    out = gpd.GeoDataFrame(
        {
            "site_id": prefix + areas[id_column].astype(str),
            "name": areas[name_column].astype(str),
            "kind": "area",
            **{c: areas[c].to_numpy() for c in keep},
        },
        geometry=areas.geometry.to_numpy(),
        crs=areas.crs,
    )
    out["area_ha"] = (out.area / 10_000).round(2)
    return out.sort_values("site_id", kind="stable").reset_index(drop=True)


def _square(x: np.ndarray, y: np.ndarray, size_ha: float) -> np.ndarray:
    half = np.sqrt(size_ha * 10_000) / 2
    return shapely.box(x - half, y - half, x + half, y + half)


def _filter(
    squares: gpd.GeoDataFrame,
    land: gpd.GeoDataFrame | None,
    exclude: Sequence[gpd.GeoDataFrame],
    notes: list[str],
) -> gpd.GeoDataFrame:
    keep = np.ones(len(squares), dtype=bool)
    geoms = squares.geometry.to_numpy()
    if land is not None:
        land_union = shapely.union_all(shapely.make_valid(land.to_crs(squares.crs).geometry.to_numpy()))
        shapely.prepare(land_union)
        inside = shapely.contains(land_union, geoms)
        notes.append(f"dropped {int((~inside).sum())} square(s) not wholly on land")
        keep &= inside
    for i, layer in enumerate(exclude):
        if len(layer) == 0:
            continue
        tree = shapely.STRtree(shapely.make_valid(layer.to_crs(squares.crs).geometry.to_numpy()))
        hit_rows = np.unique(tree.query(geoms, predicate="intersects")[0])
        hit = np.zeros(len(squares), dtype=bool)
        hit[hit_rows] = True
        notes.append(f"dropped {int((hit & keep).sum())} square(s) overlapping constraint layer {i + 1}")
        keep &= ~hit
    return squares.loc[keep].reset_index(drop=True)


def on_grid(
    land: gpd.GeoDataFrame,
    *,
    spacing_km: float = 20.0,
    size_ha: float = 100.0,
    exclude: Sequence[gpd.GeoDataFrame] = (),
    prefix: str = "G",
    notes: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Square candidate sites of ``size_ha`` on a regular grid over ``land``.

    Squares that are not wholly on land or that overlap any ``exclude`` layer are dropped
    (and counted in ``notes``). Ids encode the grid position (``G0350-0420``: easting and
    northing of the centre in km), so they are stable across runs.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> land = gpd.GeoDataFrame(geometry=[box(0, 0, 50_000, 30_000)], crs="EPSG:27700")
    >>> sites = on_grid(land, spacing_km=10, size_ha=100)
    >>> len(sites), sites["site_id"].iloc[0], float(sites["area_ha"].iloc[0])
    (15, 'G0005-0005', 100.0)
    >>> west = gpd.GeoDataFrame(geometry=[box(0, 0, 25_000, 30_000)], crs="EPSG:27700")
    >>> len(on_grid(land, spacing_km=10, exclude=[west]))
    6
    """
    notes = notes if notes is not None else []
    if spacing_km <= 0 or size_ha <= 0:
        msg = "candidates: spacing_km and size_ha must be positive"
        raise GeometryError(msg)
    minx, miny, maxx, maxy = land.total_bounds
    step = spacing_km * 1000
    xs = np.arange(np.floor(minx / step) * step + step / 2, maxx, step)
    ys = np.arange(np.floor(miny / step) * step + step / 2, maxy, step)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    squares = gpd.GeoDataFrame(
        {
            "site_id": [f"{prefix}{int(x // 1000):04d}-{int(y // 1000):04d}" for x, y in zip(gx, gy, strict=True)],
            "kind": "grid",
        },
        geometry=_square(gx, gy, size_ha),
        crs=land.crs,
    )
    out = _filter(squares, land, exclude, notes)
    out.insert(1, "name", [f"Grid cell {s[len(prefix) :]}" for s in out["site_id"]])
    out["area_ha"] = float(size_ha)
    return out.sort_values("site_id", kind="stable").reset_index(drop=True)


def around_points(
    points: gpd.GeoDataFrame,
    *,
    name_column: str | None = None,
    size_ha: float = 100.0,
    offset_km: float = 1.0,
    land: gpd.GeoDataFrame | None = None,
    exclude: Sequence[gpd.GeoDataFrame] = (),
    prefix: str = "P",
    notes: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Square candidate sites beside each point (e.g. a substation), ``offset_km`` away.

    Four squares are tried per point (north, east, south, west of it); the first that is on
    land and clear of every ``exclude`` layer is kept, so each point gives at most one site.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> subs = gpd.GeoDataFrame({"name": ["Alpha", "Beta"]}, geometry=[Point(10_000, 10_000), Point(30_000, 10_000)],
    ...                         crs="EPSG:27700")
    >>> sites = around_points(subs, name_column="name", size_ha=50, offset_km=1)
    >>> sites["name"].tolist(), sites["area_ha"].tolist()
    (['Beside Alpha (N)', 'Beside Beta (N)'], [50.0, 50.0])
    """
    notes = notes if notes is not None else []
    pts = points[~(points.geometry.is_empty | points.geometry.isna())]
    x, y = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    off = offset_km * 1000
    names = pts[name_column].astype(str).to_numpy() if name_column else np.array([f"point {i}" for i in pts.index])
    rows = []
    for k, (dx, dy, side) in enumerate(((0, off, "N"), (off, 0, "E"), (0, -off, "S"), (-off, 0, "W"))):
        rows.append(
            pd.DataFrame(
                {
                    "pos": np.arange(len(pts)),
                    "try": k,
                    "side": side,
                    "centre_x": x + dx,
                    "centre_y": y + dy,
                    "point": names,
                }
            )
        )
    cand = pd.concat(rows, ignore_index=True)
    # (not "cx": GeoDataFrame.cx is the coordinate indexer)
    geoms = _square(cand["centre_x"].to_numpy(), cand["centre_y"].to_numpy(), size_ha)
    squares = gpd.GeoDataFrame(cand, geometry=geoms, crs=points.crs)
    sub_notes: list[str] = []
    ok = _filter(squares, land, exclude, sub_notes)
    best = ok.sort_values(["pos", "try"], kind="stable").drop_duplicates("pos")
    notes.append(f"{len(best)} of {len(pts)} point(s) have a clear site beside them ({'; '.join(sub_notes)})")
    out = gpd.GeoDataFrame(
        {
            "site_id": [
                f"{prefix}{int(x // 100):05d}-{int(y // 100):05d}"
                for x, y in zip(best["centre_x"], best["centre_y"], strict=True)
            ],
            "name": [f"Beside {p} ({s})" for p, s in zip(best["point"], best["side"], strict=True)],
            "kind": "beside point",
            "point": best["point"].to_numpy(),
        },
        geometry=best.geometry.to_numpy(),
        crs=points.crs,
    )
    out["area_ha"] = float(size_ha)
    out = out.drop_duplicates("site_id")
    return out.sort_values("site_id", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Great Britain, from the GB layer stack

GB_COUNTRIES: tuple[str, ...] = ("England", "Scotland", "Wales")
"""Countries of Great Britain (the extent of British National Grid)."""

DEFAULT_BOUNDARIES: tuple[str, ...] = ("B4", "B6", "B7a", "B8", "B9")
"""The main north-to-south ETYS transmission boundaries, from north to south: SHE Transmission to
SP Transmission (B4), Scotland to England (B6), Upper North (B7a), North to Midlands (B8) and
Midlands to South (B9). Power flows south across them; sites north of more of them sit in
generation-surplus areas."""

_FAR = 1.0e7  # metres: "infinitely" far, for extending boundary lines and casting rays

#: Layers of the GB stack that district candidates need.
LAD_LAYERS: tuple[str, ...] = ("lad", "regions", "etys_boundaries", "water_stress")
#: Layers of the GB stack that site squares need (besides the constraint layers).
SITE_LAYERS: tuple[str, ...] = ("countries", "lad", "regions", "hv_substations", "etys_boundaries", "water_stress")


# --------------------------------------------------------------------------------------------
# reading


def read_stack(path: str | Path, names: Sequence[str]) -> dict[str, gpd.GeoDataFrame]:
    """Read layers of a GB layer stack (EPSG:27700), checking they are all there first.

    Parameters
    ----------
    path
        The GeoPackage written by ``growthzones data gb``.
    names
        Layers to read.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Each layer in EPSG:27700 with valid geometries.

    Raises
    ------
    InputFileError
        If the file is missing or unreadable.
    LayerError
        If layers are missing (all are listed, with the fix).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from shapely.geometry import box
    >>> gpkg = pathlib.Path(tempfile.mkdtemp()) / "gb_layers.gpkg"
    >>> gpd.GeoDataFrame({"areanm": ["North"]}, geometry=[box(0, 0, 1000, 1000)], crs="EPSG:27700").to_file(
    ...     gpkg, layer="regions")
    >>> stack = read_stack(gpkg, ["regions"])
    >>> list(stack), stack["regions"]["areanm"].tolist()
    (['regions'], ['North'])
    >>> try:
    ...     read_stack(gpkg, ["regions", "lad"])
    ... except LayerError as e:
    ...     print(e)
    --layers: '...gb_layers.gpkg' has no layer(s) lad; it should be the GB layer stack built by ...
    """
    from growthzones.layers import list_layers, read_vector

    p = Path(path)
    have = list_layers(p, what="--layers")
    missing = [n for n in dict.fromkeys(names) if n not in have]
    if missing:
        msg = (
            f"--layers: {str(p)!r} has no layer(s) {', '.join(missing)}; it should be the GB layer stack "
            "built by `growthzones data gb --source ../shared/gb-open-data --out build/gb_layers.gpkg`"
        )
        raise LayerError(msg)
    out = {}
    for n in dict.fromkeys(names):
        gdf, notes = read_vector(p, layer=n, crs="EPSG:27700", what=f"--layers {n}")
        for note in notes:
            log.info("%s", note)
        out[n] = gdf
    return out


# --------------------------------------------------------------------------------------------
# derived attributes


def largest_overlap(geoms: np.ndarray | gpd.GeoSeries, polygons: gpd.GeoDataFrame) -> np.ndarray:
    """For each geometry, the position (row number) of the polygon it overlaps most.

    Parameters
    ----------
    geoms
        Polygons (or points) in the CRS of ``polygons``.
    polygons
        The polygons to assign from.

    Returns
    -------
    numpy.ndarray
        int64 row positions into ``polygons``; -1 where a geometry touches none. Ties go to
        the first polygon. A point takes the first polygon containing it.

    Examples
    --------
    >>> from shapely import box
    >>> polys = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
    >>> largest_overlap(np.array([box(8, 0, 18, 5), box(30, 0, 31, 1)]), polys).tolist()
    [1, -1]
    """
    g = np.asarray(geoms.to_numpy() if isinstance(geoms, gpd.GeoSeries) else geoms, dtype=object)
    pos = np.full(len(g), -1, dtype=np.int64)
    poly = polygons.geometry.to_numpy()
    if len(g) == 0 or len(poly) == 0:
        return pos
    si, pi = shapely.STRtree(poly).query(g, predicate="intersects")
    if len(si) == 0:
        return pos
    inter = shapely.intersection(g[si], poly[pi])
    area = np.where(shapely.get_dimensions(g[si]) == 2, shapely.area(inter), 1.0)
    order = np.lexsort((pi, -area, si))  # by site, then largest area, then first polygon
    si, pi = si[order], pi[order]
    first = np.ones(len(si), dtype=bool)
    first[1:] = si[1:] != si[:-1]
    pos[si[first]] = pi[first]
    return pos


def _inside_point(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """The centroid where it falls inside the polygon, otherwise a point on the surface."""
    cen = geoms.centroid
    inside = geoms.contains(cen)
    return cen.where(inside, geoms.representative_point())


def _extended(line: shapely.Geometry, name: str) -> shapely.Geometry:
    """A boundary line extended horizontally to "infinity" from its west-most and east-most ends."""
    parts = [p for p in shapely.get_parts(shapely.line_merge(line)) if not p.is_empty]
    if len(parts) == 1 and parts[0].is_closed:
        msg = (
            f"--boundaries: {name} is a closed loop around an area, not a cut across Great Britain; "
            f"use north-south cuts such as {', '.join(DEFAULT_BOUNDARIES)}"
        )
        raise ConfigError(msg)
    ends = np.array([c for p in parts for c in (p.coords[0], p.coords[-1])])
    west, east = ends[np.argmin(ends[:, 0])], ends[np.argmax(ends[:, 0])]
    west_ext = shapely.LineString([(-_FAR, west[1]), tuple(west)])
    east_ext = shapely.LineString([tuple(east), (_FAR, east[1])])
    return shapely.MultiLineString([*parts, west_ext, east_ext])


def boundaries_south(
    points: gpd.GeoSeries, boundaries: gpd.GeoDataFrame, names: Sequence[str] = DEFAULT_BOUNDARIES
) -> tuple[np.ndarray, list[str]]:
    """How many of the named transmission boundaries lie south of each point.

    Each boundary line is extended east and west from its ends to "infinity", so that it cuts
    the plane in two; a point is north of it when a ray cast due south from the point crosses
    the extended line an odd number of times. This works for boundaries that wiggle (B6 follows
    the border) and for points beyond the ends of the drawn line (islands, coasts).

    Parameters
    ----------
    points
        Points in the CRS of ``boundaries`` (a projected CRS with northing up, e.g. EPSG:27700).
    boundaries
        Boundary lines with a ``boundary`` name column (the ``etys_boundaries`` layer).
    names
        The boundaries to test.

    Returns
    -------
    (numpy.ndarray, list of str)
        The count per point, and for each point the names of the boundaries south of it,
        joined by spaces (from north to south, in the order of ``names``).

    Raises
    ------
    ConfigError
        If a name is not in ``boundaries`` or is a closed loop.

    Examples
    --------
    >>> from shapely import LineString, Point
    >>> lines = gpd.GeoDataFrame({"boundary": ["N", "S"]},
    ...     geometry=[LineString([(0, 100), (50, 120), (100, 100)]), LineString([(0, 0), (100, 10)])], crs=27700)
    >>> n, which = boundaries_south(gpd.GeoSeries([Point(50, 200), Point(-500, 50), Point(50, -5)]), lines, ["N", "S"])
    >>> n.tolist(), which
    ([2, 1, 0], ['N S', 'S', ''])
    """
    if "boundary" not in boundaries.columns:
        msg = "etys_boundaries: no column 'boundary' (the boundary names); rebuild the GB layer stack"
        raise LayerError(msg)
    known = list(dict.fromkeys(boundaries["boundary"].astype(str)))
    unknown = [n for n in names if n not in known]
    if unknown:
        msg = f"--boundaries: no boundary {', '.join(unknown)} in etys_boundaries; known: {', '.join(sorted(known))}"
        raise ConfigError(msg)
    x, y = points.x.to_numpy(), points.y.to_numpy()
    rays = shapely.linestrings(np.stack([np.c_[x, y], np.c_[x, np.full_like(y, -_FAR)]], axis=1))
    count = np.zeros(len(points), dtype=np.int64)
    crossed: list[list[str]] = [[] for _ in range(len(points))]
    for name in names:
        line = shapely.union_all(boundaries.loc[boundaries["boundary"].astype(str) == name].geometry.to_numpy())
        hits = shapely.intersection(rays, _extended(line, name))
        k = np.where(shapely.is_empty(hits), 0, shapely.get_num_geometries(hits))
        south = (k % 2) == 1
        count += south
        for i in np.flatnonzero(south):
            crossed[i].append(name)
    return count, [" ".join(c) for c in crossed]


def add_context(
    cands: gpd.GeoDataFrame,
    stack: dict[str, gpd.GeoDataFrame],
    *,
    boundaries: Sequence[str] = DEFAULT_BOUNDARIES,
    water_unassessed: float = 0.5,
) -> gpd.GeoDataFrame:
    """Add region, transmission-position and water-stress columns to candidate sites.

    Use it to give sites of your own the columns that ``configs/gb_aigz*.toml`` read with
    ``measure = "attribute"``.

    Parameters
    ----------
    cands
        Candidate polygons in EPSG:27700.
    stack
        GB layers by name; needs ``regions``, ``etys_boundaries`` and ``water_stress``.
    boundaries
        ETYS boundaries counted in ``boundaries_south``.
    water_unassessed
        ``water_stress_score`` where water stress was not assessed (see :func:`gb_candidates`).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``region_code, region_name, northing_km, boundaries_south,
        boundaries_south_of, water_assessed, water_classification, water_stress_score``.
    """
    out = cands.copy()
    geoms = out.geometry.to_numpy()
    regions = stack["regions"].reset_index(drop=True)
    pos = largest_overlap(geoms, regions)
    ok = pos >= 0
    out["region_code"] = pd.Series(np.where(ok, regions["areacd"].to_numpy()[np.maximum(pos, 0)], None), dtype="str")
    out["region_name"] = pd.Series(np.where(ok, regions["areanm"].to_numpy()[np.maximum(pos, 0)], None), dtype="str")
    out.loc[~ok, ["region_code", "region_name"]] = None
    pts = _inside_point(out.geometry)
    out["northing_km"] = (pts.y / 1000).round(1)
    n, names = boundaries_south(pts, stack["etys_boundaries"], boundaries)
    out["boundaries_south"] = n
    out["boundaries_south_of"] = names
    ws = stack["water_stress"].reset_index(drop=True)
    wpos = largest_overlap(geoms, ws)
    wok = wpos >= 0
    score = np.where(wok, ws["water_stress_score"].to_numpy(dtype=float)[np.maximum(wpos, 0)], np.nan)
    cls = np.where(wok, ws["water_classification"].astype(str).to_numpy()[np.maximum(wpos, 0)], "no data")
    out["water_assessed"] = np.isfinite(score)
    out["water_classification"] = cls
    out["water_stress_score"] = np.where(np.isfinite(score), score, water_unassessed)
    return out


# --------------------------------------------------------------------------------------------
# the generators, for GB


def _lad_candidates(stack: dict[str, gpd.GeoDataFrame], notes: list[str]) -> gpd.GeoDataFrame:
    lad = stack["lad"]
    gb = lad["country"].isin(GB_COUNTRIES)
    if (~gb).any():
        others = ", ".join(f"{k} {v}" for k, v in lad.loc[~gb, "country"].value_counts().items())
        notes.append(f"lad_candidates: left out {int((~gb).sum())} district(s) outside Great Britain ({others})")
    return from_areas(lad.loc[gb], id_column="areacd", name_column="areanm", keep=("country",))


def _substation_points(subs: gpd.GeoDataFrame, min_kv: float) -> gpd.GeoDataFrame:
    pts = subs.loc[subs["max_voltage_kv"].fillna(0) >= min_kv].copy()
    kv = pts["max_voltage_kv"].map(lambda v: f"{v:.0f} kV").to_numpy()
    names = pts["name"].to_numpy(dtype=object)
    ids = pts["vertex_id"].astype(str).to_numpy()
    pts["label"] = [
        f"{n.strip()} ({k})" if isinstance(n, str) and n.strip() else f"{k} substation #{i}"
        for n, k, i in zip(names, kv, ids, strict=True)
    ]
    return pts


def _former_points(former: gpd.GeoDataFrame, statuses: Sequence[str]) -> gpd.GeoDataFrame:
    """Closed/closing stations, one point per place: stations on one site (Hinkley Point A and B) share it."""
    pts = former.loc[former["status"].isin(list(statuses))].copy()
    year = pts["closure_year"].map(lambda y: f" {int(y)}" if pd.notna(y) else "")
    pts["label"] = [
        f"{n} ({f}, {mw:,.0f} MW, {s}{y})"
        for n, f, mw, s, y in zip(pts["name"], pts["fuel"], pts["former_capacity_mw"], pts["status"], year, strict=True)
    ]
    pts["x"], pts["y"] = pts.geometry.x.round(0), pts.geometry.y.round(0)
    merged = pts.groupby(["x", "y"], sort=False).agg(label=("label", " and ".join), station=("name", "; ".join))
    merged["label"] = "former " + merged["label"]
    merged = merged.reset_index()
    return gpd.GeoDataFrame(merged, geometry=gpd.points_from_xy(merged["x"], merged["y"]), crs=former.crs)


def at_former_stations(
    former: gpd.GeoDataFrame,
    *,
    land: gpd.GeoDataFrame,
    size_ha: float = 100.0,
    statuses: Sequence[str] = ("closed", "closing"),
    notes: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """A square site on each closed or closing large station of the ``former_stations`` layer.

    The square is centred on the station, or moved 0.5 then 1 km north, east, south or west when
    that is not wholly on land (coastal stations). Constraint layers are not applied: a former
    station is previously developed land, and a gate in the config says (and reports) whether,
    for example, one inside a national park (Trawsfynydd) may count.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> land = gpd.GeoDataFrame(geometry=[box(0, 0, 50_000, 50_000)], crs="EPSG:27700")
    >>> former = gpd.GeoDataFrame({"name": ["Inland", "Coast", "Working"], "fuel": ["coal", "nuclear", "gas"],
    ...     "former_capacity_mw": [2000.0, 1100.0, 800.0], "status": ["closed", "closed", "operating"],
    ...     "closure_year": [pd.NA, 2015, pd.NA]},
    ...     geometry=[Point(20_000, 20_000), Point(49_800, 20_000), Point(30_000, 30_000)], crs="EPSG:27700")
    >>> sites = at_former_stations(former, land=land)
    >>> for row in sites[["name", "kind", "station"]].to_numpy().tolist():
    ...     print(row)
    ['Former Inland (coal, 2,000 MW, closed)', 'former station', 'Inland']
    ['Former Coast (nuclear, 1,100 MW, closed 2015) (W)', 'former station', 'Coast']
    """
    notes = notes if notes is not None else []
    pts = _former_points(former, statuses)
    parts, left = [], pts
    for off in (0.0, 0.5, 1.0):
        got = around_points(left, name_column="label", size_ha=size_ha, offset_km=off, land=land, prefix="F")
        parts.append(got.assign(offset_km=off))
        left = left.loc[~left["label"].isin(set(got["point"]))]
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=former.crs)
    # On the station itself the side is meaningless ("Beside X (N)" -> "Former X ..."); moved squares keep it.
    out["name"] = [
        p[0].upper() + p[1:] + ("" if off == 0 else n[n.rfind(" (") :])
        for p, n, off in zip(out["point"], out["name"], out["offset_km"], strict=True)
    ]
    out["station"] = out["point"].map(dict(zip(pts["label"], pts["station"], strict=True)))
    out["kind"] = "former station"
    out = out.drop(columns=["offset_km"])
    notes.append(
        f"{len(out)} of {len(pts)} closed or closing station site(s) have a square wholly on land within 1 km"
        + (f"; none for {', '.join(sorted(left['station']))}" if len(left) else "")
    )
    return out.sort_values("site_id", kind="stable").reset_index(drop=True)


def _site_candidates(
    stack: dict[str, gpd.GeoDataFrame],
    *,
    grid: bool,
    substations: bool,
    grid_km: float,
    size_ha: float,
    min_kv: float,
    offset_km: float,
    exclude: Sequence[str],
    notes: list[str],
    former: bool = False,
    layer: str = "site_candidates",
    regions: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    countries = stack["countries"]
    land = countries.loc[countries["country"].isin(GB_COUNTRIES)]
    ex = [stack[n] for n in exclude]

    def named(texts: list[str]) -> list[str]:
        out = []
        for t in texts:
            for i, n in enumerate(exclude):
                t = t.replace(f"constraint layer {i + 1}", n)
            out.append(t)
        return out

    parts = []
    if grid:
        g_notes: list[str] = []
        g = on_grid(land, spacing_km=grid_km, size_ha=size_ha, exclude=ex, prefix="G", notes=g_notes)
        notes.append(f"{layer}: {len(g)} grid square(s) every {grid_km:g} km ({'; '.join(named(g_notes))})")
        parts.append(g)
    if substations:
        pts = _substation_points(stack["hv_substations"], min_kv)
        s_notes: list[str] = []
        s = around_points(pts, name_column="label", size_ha=size_ha, offset_km=offset_km, land=land, exclude=ex,
                          prefix="P", notes=s_notes)  # fmt: skip
        notes.append(f"{layer}: {len(s)} square(s) beside {min_kv:g} kV+ substations: {'; '.join(named(s_notes))}")
        parts.append(s)
    if former:
        f_notes: list[str] = []
        f = at_former_stations(stack["former_stations"], land=land, size_ha=size_ha, notes=f_notes)
        notes.append(f"{layer}: {len(f)} square(s) on former large stations: {'; '.join(f_notes)}")
        parts.append(f)
    if regions is not None and len(regions):
        r = regions.to_crs(land.crs)
        r = gpd.GeoDataFrame(
            {
                "site_id": r["site_id"].astype(str).to_numpy(),
                "name": r["name"].astype(str).to_numpy() if "name" in r else r["site_id"].astype(str).to_numpy(),
                "kind": "located region",
                "area_ha": r.geometry.area.to_numpy() / 10_000.0,
            },
            geometry=r.geometry.to_numpy(),
            crs=land.crs,
        )
        notes.append(f"{layer}: {len(r)} located region(s) added as they are (no constraint layer applied)")
        parts.append(r)
    sites = pd.concat(parts, ignore_index=True)
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=land.crs)
    for col in ("point", "station"):
        if col in sites.columns:
            sites[col] = sites[col].astype("object").where(sites[col].notna(), None)
    dupes = sites["site_id"].duplicated()
    if dupes.any():
        notes.append(f"{layer}: dropped {int(dupes.sum())} duplicate square(s)")
        sites = sites.loc[~dupes]
    lad = stack["lad"].loc[stack["lad"]["country"].isin(GB_COUNTRIES)].reset_index(drop=True)
    pos = largest_overlap(sites.geometry.to_numpy(), lad)
    ok = pos >= 0
    take = np.maximum(pos, 0)
    sites["lad_code"] = np.where(ok, lad["areacd"].to_numpy()[take], None)
    sites["lad_name"] = np.where(ok, lad["areanm"].to_numpy()[take], None)
    sites["country"] = np.where(ok, lad["country"].to_numpy()[take], None)
    sites["name"] = [
        f"{n}, {d}" if isinstance(d, str) else str(n) for n, d in zip(sites["name"], sites["lad_name"], strict=True)
    ]
    return sites.sort_values("site_id", kind="stable").reset_index(drop=True)


def gb_candidates(
    stack: dict[str, gpd.GeoDataFrame],
    *,
    lad: bool = True,
    grid: bool = True,
    substations: bool = True,
    former: bool = True,
    grid_km: float = 20.0,
    size_ha: float = 100.0,
    min_kv: float = 275.0,
    offset_km: float = 1.0,
    exclude: Sequence[str] = ("national_parks",),
    boundaries: Sequence[str] = DEFAULT_BOUNDARIES,
    water_unassessed: float = 0.5,
    notes: list[str] | None = None,
    regions: gpd.GeoDataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Candidate sites for Great Britain from the GB layer stack.

    Parameters
    ----------
    stack
        Layers of the GB stack by name (see :func:`read_stack`): ``lad``, ``regions``,
        ``etys_boundaries``, ``water_stress``, and for site squares also ``countries``,
        ``hv_substations``, ``former_stations`` and the ``exclude`` layers.
    lad
        Make ``lad_candidates``: one per district of England, Scotland and Wales.
    grid
        Make ``grid_candidates``: squares on a grid over the land.
    substations, former
        Make ``site_candidates`` from squares beside substations of ``min_kv`` or more and/or
        on each closed or closing large station of ``former_stations``
        (:func:`at_former_stations`).
    grid_km, size_ha
        Grid spacing (km) and square size (ha).
    min_kv
        Lowest substation voltage for squares beside substations (275 = the supergrid).
    offset_km
        Distance from a substation to the centre of its square.
    exclude
        Constraint layers: squares overlapping them are dropped.
    boundaries
        ETYS boundaries counted in ``boundaries_south`` (see :func:`boundaries_south`).
    water_unassessed
        ``water_stress_score`` given where the Environment Agency did not assess water stress
        (Scotland and Wales): 0.5 by default, between "not serious" (0) and "serious" (1), so
        that an unknown neither helps nor sinks a site. ``water_assessed`` is False there.
    notes
        What was made and dropped, in words, is appended here.
    regions
        Regions found by ``growthzones locate`` (``site_id``, ``name``, polygons) to add to
        ``site_candidates`` as kind ``located region``.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``lad_candidates``, ``grid_candidates`` and/or ``site_candidates``, in EPSG:27700,
        sorted by ``site_id``.

    Raises
    ------
    ConfigError
        If nothing is asked for, or an option is out of range.
    """
    notes = notes if notes is not None else []
    if not (lad or grid or substations or former):
        msg = "candidates: nothing to make; pass --lad, --grid, --substations and/or --former"
        raise ConfigError(msg)
    if not 0 <= water_unassessed <= 1:
        msg = f"--water-unassessed: {water_unassessed:g} is outside 0..1 (0 = not stressed, 1 = seriously stressed)"
        raise ConfigError(msg)
    out: dict[str, gpd.GeoDataFrame] = {}
    if lad:
        areas = _lad_candidates(stack, notes)
        out["lad_candidates"] = add_context(areas, stack, boundaries=boundaries, water_unassessed=water_unassessed)
    if grid:
        cells = _site_candidates(stack, grid=True, substations=False, grid_km=grid_km, size_ha=size_ha,
                                 min_kv=min_kv, offset_km=offset_km, exclude=exclude, notes=notes,
                                 layer="grid_candidates")  # fmt: skip
        out["grid_candidates"] = add_context(cells, stack, boundaries=boundaries, water_unassessed=water_unassessed)
    if substations or former or regions is not None:
        sites = _site_candidates(stack, grid=False, substations=substations, grid_km=grid_km, size_ha=size_ha,
                                 min_kv=min_kv, offset_km=offset_km, exclude=exclude, notes=notes,
                                 former=former, regions=regions)  # fmt: skip
        out["site_candidates"] = add_context(sites, stack, boundaries=boundaries, water_unassessed=water_unassessed)
    return out


def stack_layers_needed(*, lad: bool, sites: bool, exclude: Sequence[str] = (), former: bool = False) -> list[str]:
    """The layers of the GB stack that :func:`gb_candidates` reads for the kinds asked for.

    Examples
    --------
    >>> stack_layers_needed(lad=True, sites=False)
    ['lad', 'regions', 'etys_boundaries', 'water_stress']
    >>> stack_layers_needed(lad=False, sites=False, former=True)[-1]
    'former_stations'
    """
    needed = list(LAD_LAYERS) if lad else []
    if sites or former:
        needed += [*SITE_LAYERS, *exclude]
    if former:
        needed.append("former_stations")
    return list(dict.fromkeys(needed))


def write_candidates(made: dict[str, gpd.GeoDataFrame], path: str | Path, *, overwrite: bool = True) -> Path:
    """Write each kind of candidate as a layer of one GeoPackage, atomically.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from shapely import box
    >>> sites = gpd.GeoDataFrame({"site_id": ["S1"]}, geometry=[box(0, 0, 10, 10)], crs="EPSG:27700")
    >>> out = write_candidates({"site_candidates": sites}, pathlib.Path(tempfile.mkdtemp()) / "c.gpkg")
    >>> pyogrio.list_layers(out)[:, 0].tolist()
    ['site_candidates']
    """
    with atomic_path(path, overwrite=overwrite) as tmp:
        for name, gdf in made.items():
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG")
    return Path(path)


def summary_lines(layers: dict[str, gpd.GeoDataFrame]) -> list[str]:
    """One line per layer of candidates: how many, of which kind, in which country.

    Examples
    --------
    >>> from shapely import box
    >>> sq = box(0, 0, 10, 10)
    >>> sites = gpd.GeoDataFrame({"kind": ["grid", "grid", "substation"], "country": ["Wales", "Wales", "England"]},
    ...                          geometry=[sq, sq, sq], crs="EPSG:27700")
    >>> summary_lines({"site_candidates": sites})
    ['site_candidates: 3 candidate(s) (grid 2, substation 1; Wales 2, England 1)']
    """
    lines = []
    for name, gdf in layers.items():
        by_country = ", ".join(f"{k} {v}" for k, v in gdf["country"].value_counts().items())
        kinds = ", ".join(f"{k} {v}" for k, v in gdf["kind"].value_counts().items())
        lines.append(f"{name}: {len(gdf)} candidate(s) ({kinds}; {by_country})")
    return lines
