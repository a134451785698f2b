"""Candidate sites: reading, id and name checks, geometry checks and repair.

Sites come back as a GeoDataFrame indexed by ``site_id`` (text), sorted by id so that every
result is independent of the input file's row order, with a ``name`` column and valid
polygonal geometries in the working CRS.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from growthzones.config import SitesConfig
from growthzones.errors import GeometryError, SiteError
from growthzones.layers import read_vector

__all__ = ["load_sites", "prepare_sites"]

log = logging.getLogger(__name__)

SITE_ID = "site_id"


def load_sites(sites: SitesConfig, *, crs: str = "EPSG:27700") -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read the candidate sites named in the config and check them.

    Returns
    -------
    (GeoDataFrame, list of str)
        Sites indexed by ``site_id`` and the notes of what was repaired or reprojected.

    Raises
    ------
    SiteError
        Missing id or name column, missing or duplicate ids, non-polygon geometries.

    Examples
    --------
    >>> import growthzones as gz
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> sites, notes = load_sites(config.sites)
    >>> len(sites), sites.crs.to_epsg(), sites.index[0], notes
    (220, 27700, 'GZ-001', [])
    """
    gdf, notes = read_vector(sites.path, layer=sites.layer, crs=crs, what="sites", id_column=sites.id)
    out = prepare_sites(gdf, id_column=sites.id, name_column=sites.name, source=sites.path, notes=notes)
    return out, notes


def prepare_sites(
    gdf: gpd.GeoDataFrame,
    *,
    id_column: str,
    name_column: str,
    source: str | Path = "sites",
    notes: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Index sites by a unique text id, check names and polygon geometries.

    Parameters
    ----------
    gdf
        Sites with valid, non-empty geometries (see :func:`growthzones.layers.repair_geometries`).
    id_column, name_column
        Columns holding the unique site id and the display name.
    source
        Named in error messages.
    notes
        Notes are appended here.

    Examples
    --------
    >>> from shapely import box
    >>> gdf = gpd.GeoDataFrame({"id": [2, 1], "nm": ["B", "A"]}, geometry=[box(0, 0, 1, 1), box(2, 0, 3, 1)], crs=27700)
    >>> prepare_sites(gdf, id_column="id", name_column="nm").index.tolist()
    ['1', '2']
    """
    notes = notes if notes is not None else []
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    for role, col in (("id", id_column), ("name", name_column)):
        if col not in gdf.columns:
            msg = (
                f"sites: {str(source)!r} has no {role} column {col!r}; set sites.{role} to one of: "
                f"{', '.join(map(str, cols)) or '(no attribute columns)'}"
            )
            raise SiteError(msg)
    ids = gdf[id_column]
    missing = ids.isna() | (ids.astype(str).str.strip() == "")
    if missing.any():
        msg = (
            f"sites: {int(missing.sum())} site(s) in {str(source)!r} have no id in column {id_column!r}; "
            "give every site an id"
        )
        raise SiteError(msg)
    text_ids = ids.map(_id_text)
    dup = text_ids[text_ids.duplicated(keep=False)]
    if len(dup):
        listed = sorted(set(dup))
        show = ", ".join(listed[:10]) + (f" and {len(listed) - 10} more" if len(listed) > 10 else "")
        msg = f"sites: duplicate ids in column {id_column!r} of {str(source)!r}: {show}; make each site id unique"
        raise SiteError(msg)

    geom_types = set(gdf.geom_type.unique())
    polygonal = {"Polygon", "MultiPolygon"}
    if not geom_types <= polygonal:
        other = sorted(geom_types - polygonal - {"GeometryCollection"})
        if other:
            bad = text_ids[gdf.geom_type.isin(other).to_numpy()].tolist()
            shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
            msg = (
                f"sites: {str(source)!r} has {', '.join(other)} geometries (site(s) {shown}); sites must be "
                "polygons: buffer points or lines to the site's footprint, and redraw polygons with zero area "
                "(repairing them leaves a line)"
            )
            raise GeometryError(msg)
        gdf = gdf.copy()
        gc = (gdf.geom_type == "GeometryCollection").to_numpy()
        gdf.loc[gc, gdf.geometry.name] = [_polygon_part(g) for g in gdf.geometry.values[gc]]
        notes.append(f"sites: kept the polygon parts of {int(gc.sum())} geometry collection(s)")
    area = shapely.area(gdf.geometry.values)
    zero = area <= 0
    if zero.any():
        bad = ", ".join(text_ids[zero].tolist()[:10])
        msg = f"sites: site(s) {bad} have zero area; fix their polygons"
        raise GeometryError(msg)

    names = gdf[name_column]
    no_name = names.isna() | (names.astype(str).str.strip() == "")
    out = gdf.copy()
    out.index = pd.Index(text_ids.to_numpy(dtype=object), name=SITE_ID)
    out["name"] = np.where(no_name, out.index, names.astype(str))
    if no_name.any():
        notes.append(f"sites: {int(no_name.sum())} site(s) had no name; their id is used as the name")
    keep = ["name"] + [c for c in cols if c not in (id_column, name_column, "name")]
    out = (
        out[[*keep, gdf.geometry.name]].rename_geometry("geometry")
        if gdf.geometry.name != "geometry"
        else out[[*keep, "geometry"]]
    )
    return out.sort_index(kind="stable")


def _id_text(v: object) -> str:
    # 7.0 from a float column is the id "7", not "7.0".
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _polygon_part(geom: shapely.Geometry) -> shapely.Geometry:
    parts = [g for g in shapely.get_parts(geom) if shapely.get_type_id(g) in (3, 6)]
    return shapely.union_all(parts) if parts else geom
