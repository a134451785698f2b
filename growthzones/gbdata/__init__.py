"""Build a clean GB layer stack (EPSG:27700 GeoPackage) from public open datasets.

The entry point is :func:`build_gb_layers`::

    from growthzones.gbdata import build_gb_layers
    report = build_gb_layers("../shared/gb-open-data", "gb_layers.gpkg")
    print(report.summary())

Modules: :mod:`~growthzones.gbdata.sources` (the input registry: paths, licences,
attribution), :mod:`~growthzones.gbdata.boundaries`, :mod:`~growthzones.gbdata.grid`,
:mod:`~growthzones.gbdata.connectivity`, :mod:`~growthzones.gbdata.land`,
:mod:`~growthzones.gbdata.water` and :mod:`~growthzones.gbdata.build`. TopoJSON is read
with GDAL's TopoJSON driver (:func:`~growthzones.gbdata.boundaries.read_topojson_object`).
"""

from __future__ import annotations

from growthzones.gbdata._common import LayerReport
from growthzones.gbdata.build import LAYER_NAMES, STEPS, BuildReport, build_gb_layers
from growthzones.gbdata.sources import SOURCES, SourceFile

__all__ = ["LAYER_NAMES", "SOURCES", "STEPS", "BuildReport", "LayerReport", "SourceFile", "build_gb_layers"]
