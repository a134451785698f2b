"""Site discovery: the config evaluated on a grid of cells over its area (the suitability surface).

>>> import growthzones as gz
>>> from growthzones.surface import surface
>>> ds = surface(gz.datasets.demo_config_path(), 5000, drop=["site_area"])
>>> ds["score"].dims
('y', 'x')

See :func:`surface` (in memory or on Dask), :func:`write_surface` / :func:`read_surface`
(COG GeoTIFF with named bands) and :func:`quicklook` (PNG with a legend).
"""

from __future__ import annotations

from growthzones.criteria.raster import Grid
from growthzones.surface.area import Area, grid_for, read_area
from growthzones.surface.build import (
    CELLWISE_METHODS,
    SurfacePlan,
    check_memory,
    dask_halo,
    drop_criteria,
    estimate_memory,
    evaluate_block,
    plan_surface,
    surface,
    to_dataset,
)
from growthzones.surface.cluster import cluster
from growthzones.surface.io import read_surface, write_surface
from growthzones.surface.probability import top_probability
from growthzones.surface.quicklook import quicklook

__all__ = [
    "CELLWISE_METHODS",
    "Area",
    "Grid",
    "SurfacePlan",
    "check_memory",
    "cluster",
    "dask_halo",
    "drop_criteria",
    "estimate_memory",
    "evaluate_block",
    "grid_for",
    "plan_surface",
    "quicklook",
    "read_area",
    "read_surface",
    "surface",
    "to_dataset",
    "top_probability",
    "write_surface",
]
