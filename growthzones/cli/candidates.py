"""``growthzones candidates``: generate candidate sites for Great Britain from the GB layer stack.

Reads the GeoPackage written by ``growthzones data gb`` and writes one GeoPackage with a
layer per kind of candidate:

``lad_candidates``
    One candidate per local authority district of Great Britain (England, Scotland, Wales;
    Northern Ireland is outside British National Grid and is left out): the district polygon.
``site_candidates``
    Site-sized squares (100 ha by default) on a regular grid over the land and beside the
    275/400 kV substations, each wholly on the land of Great Britain and clear of the
    constraint layers (national parks by default).

Every candidate carries context columns a config can use with ``measure = "attribute"``:
``country``, ``region_code``, ``region_name`` (and ``lad_code``, ``lad_name`` for sites),
``northing_km``, ``boundaries_south`` (how many of the main north-south transmission
boundaries lie south of it: a proxy for sitting in a generation-surplus export area),
``boundaries_south_of`` (their names), and ``water_stress_score`` / ``water_classification``
/ ``water_assessed`` (Environment Agency 2021 water stress of the region; a documented neutral
score where it was not assessed).

The library behind it is :mod:`growthzones.candidates`; the GB-specific derivations live here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import click
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from growthzones.atomic import atomic_path, check_output_path
from growthzones.errors import ConfigError, LayerError

__all__ = [
    "COMMANDS",
    "DEFAULT_BOUNDARIES",
    "GB_COUNTRIES",
    "add_context",
    "boundaries_south",
    "candidates",
    "gb_candidates",
    "largest_overlap",
    "read_stack",
]

log = logging.getLogger(__name__)

GB_COUNTRIES: tuple[str, ...] = ("England", "Scotland", "Wales")
"""Countries of Great Britain (the extent of British National Grid)."""

DEFAULT_BOUNDARIES: tuple[str, ...] = ("B4", "B6", "B7a", "B8", "B9")
"""The main north-to-south ETYS transmission boundaries, from north to south: SHE Transmission to
SP Transmission (B4), Scotland to England (B6), Upper North (B7a), North to Midlands (B8) and
Midlands to South (B9). Power flows south across them; sites north of more of them sit in
generation-surplus areas."""

_FAR = 1.0e7  # metres: "infinitely" far, for extending boundary lines and casting rays

_LAD_LAYERS = ("lad", "regions", "etys_boundaries", "water_stress")
_SITE_LAYERS = ("countries", "lad", "regions", "hv_substations", "etys_boundaries", "water_stress")


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
    from growthzones.candidates import from_areas

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
) -> gpd.GeoDataFrame:
    from growthzones.candidates import around_points, on_grid

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
        notes.append(f"site_candidates: {len(g)} grid square(s) every {grid_km:g} km ({'; '.join(named(g_notes))})")
        parts.append(g)
    if substations:
        pts = _substation_points(stack["hv_substations"], min_kv)
        s_notes: list[str] = []
        s = around_points(pts, name_column="label", size_ha=size_ha, offset_km=offset_km, land=land, exclude=ex,
                          prefix="P", notes=s_notes)  # fmt: skip
        notes.append(
            f"site_candidates: {len(s)} square(s) beside {min_kv:g} kV+ substations: {'; '.join(named(s_notes))}"
        )
        parts.append(s)
    sites = pd.concat(parts, ignore_index=True)
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=land.crs)
    if "point" in sites.columns:
        sites["point"] = sites["point"].astype("object").where(sites["point"].notna(), None)
    dupes = sites["site_id"].duplicated()
    if dupes.any():
        notes.append(f"site_candidates: dropped {int(dupes.sum())} duplicate square(s)")
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
    grid_km: float = 20.0,
    size_ha: float = 100.0,
    min_kv: float = 275.0,
    offset_km: float = 1.0,
    exclude: Sequence[str] = ("national_parks",),
    boundaries: Sequence[str] = DEFAULT_BOUNDARIES,
    water_unassessed: float = 0.5,
    notes: list[str] | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Candidate sites for Great Britain from the GB layer stack.

    Parameters
    ----------
    stack
        Layers of the GB stack by name (see :func:`read_stack`): ``lad``, ``regions``,
        ``etys_boundaries``, ``water_stress``, and for site squares also ``countries``,
        ``hv_substations`` and the ``exclude`` layers.
    lad
        Make ``lad_candidates``: one per district of England, Scotland and Wales.
    grid, substations
        Make ``site_candidates`` from squares on a grid over the land and/or beside
        substations of ``min_kv`` or more.
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

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``lad_candidates`` and/or ``site_candidates``, in EPSG:27700, sorted by ``site_id``.

    Raises
    ------
    ConfigError
        If nothing is asked for, or an option is out of range.
    """
    notes = notes if notes is not None else []
    if not (lad or grid or substations):
        msg = "candidates: nothing to make; pass --lad, --grid and/or --substations"
        raise ConfigError(msg)
    if not 0 <= water_unassessed <= 1:
        msg = f"--water-unassessed: {water_unassessed:g} is outside 0..1 (0 = not stressed, 1 = seriously stressed)"
        raise ConfigError(msg)
    out: dict[str, gpd.GeoDataFrame] = {}
    if lad:
        areas = _lad_candidates(stack, notes)
        out["lad_candidates"] = add_context(areas, stack, boundaries=boundaries, water_unassessed=water_unassessed)
    if grid or substations:
        sites = _site_candidates(stack, grid=grid, substations=substations, grid_km=grid_km, size_ha=size_ha,
                                 min_kv=min_kv, offset_km=offset_km, exclude=exclude, notes=notes)  # fmt: skip
        out["site_candidates"] = add_context(sites, stack, boundaries=boundaries, water_unassessed=water_unassessed)
    return out


def _summary(layers: dict[str, gpd.GeoDataFrame]) -> list[str]:
    lines = []
    for name, gdf in layers.items():
        by_country = ", ".join(f"{k} {v}" for k, v in gdf["country"].value_counts().items())
        kinds = ", ".join(f"{k} {v}" for k, v in gdf["kind"].value_counts().items())
        lines.append(f"{name}: {len(gdf)} candidate(s) ({kinds}; {by_country})")
    return lines


# --------------------------------------------------------------------------------------------
# the command


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


@click.command()
@click.option("--layers", "layers_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("build/gb_layers.gpkg"), show_default=True,
              help="The GB layer stack built by `growthzones data gb`.")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("build/candidates.gpkg"),
              show_default=True, help="Output GeoPackage: one layer per kind of candidate.")  # fmt: skip
@click.option("--lad", is_flag=True, help="One candidate per local authority district (layer lad_candidates).")
@click.option("--grid", is_flag=True, help="Squares on a regular grid over the land (layer site_candidates).")
@click.option("--substations", is_flag=True, help="Squares beside high-voltage substations (layer site_candidates).")
@click.option("--grid-km", type=click.FloatRange(min=1, min_open=False), default=20.0, show_default=True,
              help="Grid spacing, km.")  # fmt: skip
@click.option("--size-ha", type=click.FloatRange(min=0, min_open=True), default=100.0, show_default=True,
              help="Size of each square site, hectares.")  # fmt: skip
@click.option("--min-kv", type=float, default=275.0, show_default=True,
              help="Lowest substation voltage for --substations (275 and 400 kV = the supergrid).")  # fmt: skip
@click.option("--offset-km", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Distance from a substation to the centre of its square, km.")  # fmt: skip
@click.option("--exclude", multiple=True, default=("national_parks",), show_default=True,
              help="Constraint layer of the stack: squares overlapping it are dropped (repeatable).")  # fmt: skip
@click.option("--boundaries", default=",".join(DEFAULT_BOUNDARIES), show_default=True,
              help="ETYS boundaries, north to south, counted in the boundaries_south column.")  # fmt: skip
@click.option("--water-unassessed", type=float, default=0.5, show_default=True,
              help="water_stress_score where the EA did not assess water stress (Scotland, Wales).")  # fmt: skip
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace an existing output (atomically) or refuse.")  # fmt: skip
@click.pass_context
def candidates(
    ctx: click.Context,
    layers_path: Path,
    out: Path,
    lad: bool,
    grid: bool,
    substations: bool,
    grid_km: float,
    size_ha: float,
    min_kv: float,
    offset_km: float,
    exclude: tuple[str, ...],
    boundaries: str,
    water_unassessed: float,
    overwrite: bool,
) -> None:
    """Generate GB candidate sites from the layer stack into one GeoPackage.

    With none of --lad, --grid, --substations, all three are made: `lad_candidates` (one per
    district of England, Scotland and Wales) and `site_candidates` (grid squares and squares
    beside substations, wholly on land and clear of national parks).
    """
    if not (lad or grid or substations):
        lad = grid = substations = True
    check_output_path(out, overwrite=overwrite)
    bnames = _split(boundaries)
    exclude = tuple(e for x in exclude for e in _split(x))
    needed = list(_LAD_LAYERS) if lad else []
    if grid or substations:
        needed += [*_SITE_LAYERS, *exclude]
    stack = read_stack(layers_path, needed)
    notes: list[str] = []
    made = gb_candidates(
        stack, lad=lad, grid=grid, substations=substations, grid_km=grid_km, size_ha=size_ha, min_kv=min_kv,
        offset_km=offset_km, exclude=exclude, boundaries=bnames, water_unassessed=water_unassessed, notes=notes,
    )  # fmt: skip
    with atomic_path(out, overwrite=overwrite) as tmp:
        for name, gdf in made.items():
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG")
    if not (ctx.obj and ctx.obj.get("quiet")):
        for line in notes:
            click.echo(f"note: {line}", err=True)
        for line in _summary(made):
            click.echo(line)
        click.echo(f"wrote candidates: {out}")


COMMANDS = (candidates,)
