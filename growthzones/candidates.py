"""Generating candidate sites from layers, so an area can be assessed without a bids file.

Three generators, each returning sites ready for a config's ``[sites]`` (columns ``site_id``,
``name``, ``kind`` and whatever context is carried, polygons in the working CRS):

- :func:`from_areas`: one candidate per area polygon (e.g. per local authority district);
- :func:`on_grid`: site-sized squares on a regular grid over the land;
- :func:`around_points`: site-sized squares beside points (e.g. high-voltage substations).

Site-sized generators drop squares that overlap constraint polygons (national parks, say) or
fall outside the land, and report how many were dropped and why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from growthzones.errors import GeometryError, LayerError

__all__ = ["around_points", "from_areas", "on_grid"]

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
