"""A small TopoJSON decoder (no dependency beyond shapely).

TopoJSON stores shared boundaries once, as *arcs*. With a ``transform`` the arcs are quantised
and delta-encoded: each position is an integer offset from the previous one, and real
coordinates are ``x * scale + translate``. Polygons and lines reference arcs by index; a
negative index ``~i`` (that is ``-i - 1``) means arc ``i`` reversed. When arcs are stitched into
a ring, the first position of each following arc repeats the last of the previous and is
skipped. See https://github.com/topojson/topojson-specification.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from growthzones.errors import InputFileError, LayerError

logger = logging.getLogger(__name__)

__all__ = ["decode_arcs", "object_to_geodataframe", "read_topojson"]


def decode_arcs(topology: Mapping[str, Any]) -> list[np.ndarray]:
    """Decode every arc of a topology into an ``(n, 2)`` float array of real coordinates.

    Parameters
    ----------
    topology
        The parsed TopoJSON document (``type == "Topology"``).

    Returns
    -------
    list of numpy.ndarray
        One array per arc, in file order.

    Examples
    --------
    >>> topo = {"type": "Topology", "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    ...         "arcs": [[[0, 0], [2, 0], [0, 2]]], "objects": {}}
    >>> decode_arcs(topo)[0].tolist()
    [[10.0, 20.0], [11.0, 20.0], [11.0, 21.0]]
    """
    transform = topology.get("transform")
    arcs = []
    for arc in topology.get("arcs", []):
        a = np.asarray(arc, dtype="float64")
        if a.size == 0:
            arcs.append(np.empty((0, 2)))
            continue
        a = a[:, :2]
        if transform:
            # Quantised arcs are delta-encoded: positions are running sums of the offsets.
            a = np.cumsum(a, axis=0) * np.asarray(transform["scale"], dtype="float64") + np.asarray(
                transform["translate"], dtype="float64"
            )
        arcs.append(a)
    return arcs


def _point(position: Sequence[float], transform: Mapping[str, Any] | None) -> tuple[float, float]:
    """Decode one point position (quantised but never delta-encoded)."""
    x, y = float(position[0]), float(position[1])
    if transform:
        x = x * transform["scale"][0] + transform["translate"][0]
        y = y * transform["scale"][1] + transform["translate"][1]
    return x, y


def _line(indices: Sequence[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Stitch arcs (negative index = reversed arc ``~i``) into one coordinate array."""
    parts = []
    for k, i in enumerate(indices):
        a = arcs[~i][::-1] if i < 0 else arcs[i]
        parts.append(a if k == 0 else a[1:])
    return np.concatenate(parts) if parts else np.empty((0, 2))


def _ring(indices: Sequence[int], arcs: list[np.ndarray]) -> np.ndarray:
    coords = _line(indices, arcs)
    if len(coords) and not np.array_equal(coords[0], coords[-1]):
        coords = np.vstack([coords, coords[:1]])
    return coords


def _polygon(rings: Sequence[Sequence[int]], arcs: list[np.ndarray]) -> shapely.Polygon | None:
    decoded = [_ring(r, arcs) for r in rings]
    decoded = [r for r in decoded if len(r) >= 4]
    if not decoded:
        return None
    return shapely.Polygon(decoded[0], decoded[1:])


def _geometry(
    obj: Mapping[str, Any], arcs: list[np.ndarray], transform: Mapping[str, Any] | None
) -> shapely.Geometry | None:
    """Decode one TopoJSON geometry object into a shapely geometry (None for null)."""
    kind = obj.get("type")
    if kind is None:
        return None
    if kind == "Point":
        return shapely.Point(_point(obj["coordinates"], transform))
    if kind == "MultiPoint":
        return shapely.MultiPoint([_point(p, transform) for p in obj["coordinates"]])
    if kind == "LineString":
        return shapely.LineString(_line(obj["arcs"], arcs))
    if kind == "MultiLineString":
        return shapely.MultiLineString([_line(a, arcs) for a in obj["arcs"]])
    if kind == "Polygon":
        return _polygon(obj["arcs"], arcs)
    if kind == "MultiPolygon":
        polys = [p for p in (_polygon(rings, arcs) for rings in obj["arcs"]) if p is not None]
        return shapely.MultiPolygon(polys) if polys else None
    if kind == "GeometryCollection":
        geoms = [g for g in (_geometry(o, arcs, transform) for o in obj.get("geometries", [])) if g is not None]
        return shapely.GeometryCollection(geoms)
    msg = f"unknown TopoJSON geometry type {kind!r}"
    raise LayerError(msg)


def object_to_geodataframe(
    topology: Mapping[str, Any], name: str, *, crs: str | None = "EPSG:4326", make_valid: bool = True
) -> gpd.GeoDataFrame:
    """Decode one named object of a topology into a GeoDataFrame, one row per member geometry.

    Parameters
    ----------
    topology
        The parsed TopoJSON document.
    name
        Key in ``topology["objects"]``. A GeometryCollection gives one row per member; any other
        geometry gives one row.
    crs
        CRS to assign (TopoJSON has no CRS member; it is WGS84 by convention).
    make_valid
        Repair decoded geometries with ``shapely.make_valid`` (quantisation can create tiny
        self-intersections).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns: the members' ``properties`` (union of keys; missing -> null), ``id`` when any
        member has one, and ``geometry``.

    Raises
    ------
    LayerError
        If the object does not exist; the message lists the objects that do.

    Examples
    --------
    >>> square = {"type": "Polygon", "arcs": [[0]], "properties": {"name": "Square"}}
    >>> topo = {"type": "Topology", "arcs": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
    ...         "objects": {"sq": {"type": "GeometryCollection", "geometries": [square]}}}
    >>> gdf = object_to_geodataframe(topo, "sq")
    >>> gdf["name"].tolist(), gdf.geometry.iloc[0].area, gdf.crs.to_epsg()
    (['Square'], 1.0, 4326)
    """
    objects = topology.get("objects", {})
    if name not in objects:
        msg = f"TopoJSON has no object {name!r}; it has {sorted(objects)}"
        raise LayerError(msg)
    obj = objects[name]
    members = obj.get("geometries", []) if obj.get("type") == "GeometryCollection" else [obj]
    arcs = decode_arcs(topology)
    transform = topology.get("transform")
    geoms = [_geometry(m, arcs, transform) for m in members]
    records = [dict(m.get("properties") or {}) for m in members]
    if any("id" in m for m in members):
        for rec, m in zip(records, members, strict=True):
            rec.setdefault("id", m.get("id"))
    gdf = gpd.GeoDataFrame(records, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)
    if make_valid and len(gdf):
        valid = gdf.geometry.is_valid.to_numpy() | gdf.geometry.isna().to_numpy()
        if not valid.all():
            logger.debug("TopoJSON object %r: make_valid on %d geometries", name, int((~valid).sum()))
            vals = gdf.geometry.values.copy()
            vals[~valid] = shapely.make_valid(vals[~valid], method="structure", keep_collapsed=False)
            gdf[gdf.geometry.name] = gpd.GeoSeries(vals, index=gdf.index, crs=crs)
    return gdf


def read_topojson(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and minimally check a TopoJSON file.

    Parameters
    ----------
    path
        File path.

    Returns
    -------
    dict
        The parsed topology.

    Raises
    ------
    InputFileError
        If the file is not JSON or not a TopoJSON ``Topology``.

    Examples
    --------
    >>> square = {"type": "Polygon", "arcs": [[0]], "properties": {"name": "Square"}}
    >>> topo = {"type": "Topology", "arcs": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
    ...         "objects": {"sq": {"type": "GeometryCollection", "geometries": [square]}}}
    >>> import json, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "topo.json"
    >>> _ = path.write_text(json.dumps(topo))
    >>> list(read_topojson(path)["objects"])
    ['sq']
    """
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{p.name}: cannot read as JSON ({exc}); is it a complete TopoJSON file?"
        raise InputFileError(msg) from exc
    if not isinstance(doc, dict) or doc.get("type") != "Topology" or "objects" not in doc:
        msg = f"{p.name}: not a TopoJSON Topology (expected type 'Topology' with 'objects' and 'arcs')"
        raise InputFileError(msg)
    return doc
