"""Criteria: one raw value per site and criterion, in real units.

:func:`compute_criteria` is the expensive step of an assessment: it reads every layer once,
then calls one measure function per criterion (``distance``, ``proximity``, ``zonal``,
``overlay``, ``attribute``). The result is a DataFrame indexed by site id with one column per
criterion, NaN where a site has no value (the criterion's ``missing`` policy decides later
what that means).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from growthzones.config import Config, CriterionConfig
from growthzones.criteria.attribute import area_ha, site_attribute
from growthzones.criteria.distance import distance_km
from growthzones.criteria.measures import MEASURES, MeasureSpec, register_measure, unregister_measure
from growthzones.criteria.overlay import overlap_fraction
from growthzones.criteria.proximity import nearest_attribute, nearest_feature, within_radius
from growthzones.criteria.zonal import zonal
from growthzones.errors import CriterionError, GrowthzonesError
from growthzones.layers import RasterInfo, apply_where, file_sha256, read_raster_info, read_vector
from growthzones.progress import Progress

__all__ = [
    "MEASURES",
    "LayerStack",
    "MeasureSpec",
    "area_ha",
    "compute_criteria",
    "compute_criterion",
    "distance_km",
    "load_layers",
    "nearest_attribute",
    "nearest_feature",
    "overlap_fraction",
    "register_measure",
    "site_attribute",
    "unregister_measure",
    "within_radius",
    "zonal",
]

log = logging.getLogger(__name__)


@dataclass
class LayerStack:
    """The layers of a config, read once: vectors in the working CRS, rasters' metadata."""

    vectors: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    rasters: dict[str, RasterInfo] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)


def load_layers(config: Config, *, progress: Progress | None = None, only: set[str] | None = None) -> LayerStack:
    """Read and check every layer the criteria use.

    Parameters
    ----------
    config
        The assessment config.
    progress
        Called as ``progress(done, total, "layer name")`` after each layer.
    only
        Read only these layer keys (default: every layer a criterion uses).

    Examples
    --------
    >>> import growthzones as gz
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> stack = load_layers(config)
    >>> sorted(stack.rasters)
    ['flood_risk', 'slope', 'water_stress']
    """
    used = only if only is not None else {c.layer for c in config.criteria if c.layer}
    keys = [k for k in config.layers if k in used]
    stack = LayerStack()
    for i, key in enumerate(keys):
        lay = config.layers[key]
        if lay.kind == "raster":
            info = read_raster_info(lay, crs=config.project.crs)
            stack.rasters[key] = info
            stack.notes.extend(info.notes)
        else:
            gdf, notes = read_vector(lay.path, layer=lay.layer, crs=config.project.crs, what=f"layers.{key}")
            stack.vectors[key] = gdf
            stack.notes.extend(notes)
        stack.hashes[str(lay.path)] = file_sha256(lay.path)
        if progress:
            progress(i + 1, len(keys), f"read {key}")
    return stack


def compute_criteria(
    config: Config,
    sites: gpd.GeoDataFrame,
    layers: LayerStack,
    *,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Compute every criterion of ``config`` for every site.

    Returns
    -------
    DataFrame
        Indexed like ``sites``, one float column per criterion in config order.

    Examples
    --------
    >>> import growthzones as gz
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> from growthzones.sites import load_sites
    >>> sites, _ = load_sites(config.sites)
    >>> table = compute_criteria(config, sites, load_layers(config))
    >>> table.shape, round(float(table.loc["GZ-107", "grid_distance"]), 2)
    ((220, 13), 1.61)
    """
    cols: dict[str, pd.Series] = {}
    n = len(config.criteria)
    for i, crit in enumerate(config.criteria):
        cols[crit.name] = compute_criterion(crit, sites, layers)
        if progress:
            progress(i + 1, n, crit.name)
    out = pd.DataFrame(cols, index=sites.index)
    return out.astype("float64")


def compute_criterion(crit: CriterionConfig, sites: gpd.GeoDataFrame, layers: LayerStack) -> pd.Series:
    """Compute one criterion for every site (see :func:`compute_criteria`).

    Errors raised by the measure functions are re-raised (same class) with the criterion's
    name in front, so a message always says which part of the config it is about.

    Examples
    --------
    >>> import growthzones as gz
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> from growthzones.sites import load_sites
    >>> sites, _ = load_sites(config.sites)
    >>> crit = config.criteria[0]
    >>> values = compute_criterion(crit, sites, load_layers(config, only={"substations"}))
    >>> crit.name, round(float(values["GZ-002"]), 2)
    ('grid_distance', 2.9)
    """
    what = f"criterion {crit.name!r}"
    try:
        return _compute(crit, sites, layers, what)
    except GrowthzonesError as exc:
        if str(exc).startswith("criterion "):
            raise
        detail = f" (measure {crit.measure!r}" + (f", layer {crit.layer!r})" if crit.layer else ")")
        raise type(exc)(f"{what}{detail}: {exc}") from exc


def _compute(crit: CriterionConfig, sites: gpd.GeoDataFrame, layers: LayerStack, what: str) -> pd.Series:
    spec = MEASURES.get(crit.measure)
    if spec is None:
        msg = f"{what}: unknown measure {crit.measure!r}"
        raise CriterionError(msg)
    if spec.reads == "sites":
        return spec.compute(sites, None, crit)
    if spec.reads == "raster":
        return spec.compute(sites, layers.rasters[crit.layer], crit)
    features = apply_where(layers.vectors[crit.layer], crit.where, what=f"{what} (layer {crit.layer!r})")
    if len(features) == 0:
        layers.notes.append(f"{what}: no feature of layer {crit.layer!r} matches where = {crit.where!r}")
        log.info(layers.notes[-1])  # a note: the CLI and the app show it
    if crit.attribute is not None:
        _check_numeric(features, crit.attribute, what, crit.layer)
    return spec.compute(sites, features, crit)


def _check_numeric(gdf: gpd.GeoDataFrame, column: str, what: str, layer: str | None) -> None:
    if column not in gdf.columns:
        cols = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
        msg = f"{what}: layer {layer!r} has no column {column!r}; its columns are: {cols}"
        raise CriterionError(msg)
    values = gdf[column]
    num = pd.to_numeric(values, errors="coerce")
    bad = num.isna() & values.notna()
    if bad.any():
        example = values[bad].iloc[0]
        msg = (
            f"{what}: column {column!r} of layer {layer!r} is not numeric ({int(bad.sum())} value(s) such as "
            f"{example!r}); clean it so it holds numbers only"
        )
        raise CriterionError(msg)
    if values.dtype.kind not in "iuf":
        gdf[column] = num.astype(np.float64)
