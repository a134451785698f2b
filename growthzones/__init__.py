"""growthzones: assess and rank candidate sites for AI data centres.

The public API::

    import growthzones as gz
    config = gz.load_config("my.toml")        # or gz.datasets.demo_config_path()
    a = gz.assess(config)                     # reads layers, computes criteria (once)
    a.ranking                                 # GeoDataFrame sorted by rank
    b = a.reweight(groups={"grid": 0.5})      # instant: works on the criteria table
    b.to_geopackage("shortlist.gpkg")
    p = gz.select_portfolio(a, count=10, min_spacing_km=30)   # the best set under limits

The package sits on top of every floor (see docs/architecture.md): the analysis floor's
:class:`growthzones.assessment.Assessment` gets its output methods (GeoPackage, CSV, map) here,
from the outputs floor, so no module below imports upward.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from growthzones import assessment as _analysis
from growthzones import datasets, surface
from growthzones.config import Config, load_config
from growthzones.criteria import LayerStack, Progress
from growthzones.errors import GrowthzonesError
from growthzones.known import KnownCheck, check_known
from growthzones.locate import locate_regions
from growthzones.portfolio import CapacityLimit, GroupLimit, Limits, Portfolio, select_portfolio
from growthzones.provenance import __version__
from growthzones.surface import read_surface, write_surface
from growthzones.surface import surface as make_surface

if TYPE_CHECKING:
    import folium

__all__ = [
    "Assessment",
    "CapacityLimit",
    "Config",
    "GroupLimit",
    "GrowthzonesError",
    "KnownCheck",
    "Limits",
    "Portfolio",
    "__version__",
    "assess",
    "check_known",
    "datasets",
    "evaluate",
    "load_config",
    "locate_regions",
    "make_surface",
    "read_surface",
    "select_portfolio",
    "surface",
    "write_surface",
]


class Assessment(_analysis.Assessment):
    """An assessment (see :class:`growthzones.assessment.Assessment`) that also writes its outputs.

    Every change (``reweight``, ``rerank``, ``with_gates``, ...) returns this class again.
    """

    def run_metadata(self) -> dict[str, Any]:
        """What made this ranking: config, version, input hashes, method, weights, time.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> meta = a.run_metadata()
        >>> meta['method'], meta['crs']
        ('wlc', 'EPSG:27700')
        """
        from growthzones.export import run_metadata

        return run_metadata(self)

    def to_geopackage(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """Write the ``ranked_sites`` and ``run`` layers to a GeoPackage, atomically.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> import pathlib, tempfile
        >>> a.to_geopackage(pathlib.Path(tempfile.mkdtemp()) / 'shortlist.gpkg').name
        'shortlist.gpkg'
        """
        from growthzones.export import write_geopackage

        return write_geopackage(self, path, overwrite=overwrite)

    def to_csv(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """Write the ranking (without geometry, with WKT centroids) to CSV, atomically.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> import pathlib, tempfile
        >>> a.to_csv(pathlib.Path(tempfile.mkdtemp()) / 'shortlist.csv').name
        'shortlist.csv'
        """
        from growthzones.export import write_csv

        return write_csv(self, path, overwrite=overwrite)

    def map(self, **kwargs: Any) -> folium.Map:
        """A folium map of the sites coloured by score (see :func:`growthzones.maps.site_map`).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> type(a.map(layers=False, tiles=None)).__name__
        'Map'
        """
        from growthzones.maps import site_map

        return site_map(self, **kwargs)

    # ---------------------------------------------------------------------------- robustness, explanations


def assess(config: Config | str | Path, *, progress: Progress | None = None) -> Assessment:
    """Assess the candidate sites of a config; see :func:`growthzones.assessment.assess`.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> type(a).__name__, type(a.reweight(groups={"grid": 0.8})) is type(a)
    ('Assessment', True)
    """
    return _analysis.assess(config, progress=progress, cls=Assessment)  # type: ignore[return-value]


def evaluate(
    config: Config,
    sites: gpd.GeoDataFrame,
    criteria: pd.DataFrame,
    *,
    notes: Sequence[str] = (),
    inputs: Mapping[str, str] | None = None,
    layers: LayerStack | None = None,
    created: str = "",
) -> Assessment:
    """Score, gate and rank sites from a criteria table; see :func:`growthzones.assessment.evaluate`."""
    return _analysis.evaluate(  # type: ignore[return-value]
        config, sites, criteria, notes=notes, inputs=inputs, layers=layers, created=created, cls=Assessment
    )
