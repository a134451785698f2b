"""Locating the best contiguous regions on a suitability surface (site discovery).

``locate_regions(surface, regions=20, min_area=50, max_area=300, min_spacing=2000)`` finds
contiguous regions of eligible cells with the best mean (or summed) score, spaced apart, and
returns them as sites that ``growthzones rank`` reads as ``[sites]``. How: ``docs/locate.md``.

Modules: ``grid`` (the surface as arrays), ``pool`` (candidate regions: seeds and growing,
or exhaustive enumeration), ``select`` (conflicts, the integer program, greedy growing),
``regions`` (polygons, attributes, the GeoPackage), ``core`` (``locate_regions``).
"""

from __future__ import annotations

from growthzones.locate.core import EVALUATE, POOLS, LocateError, LocateResult, locate_regions, write_result
from growthzones.locate.grid import SurfaceGrid, as_grid, read_surface_file
from growthzones.locate.regions import LAYER, region_table, write_regions

__all__ = [
    "EVALUATE",
    "LAYER",
    "POOLS",
    "LocateError",
    "LocateResult",
    "SurfaceGrid",
    "as_grid",
    "locate_regions",
    "read_surface_file",
    "region_table",
    "write_regions",
    "write_result",
]
