"""growthzones: assess and rank candidate sites for AI data centres.

The public API::

    import growthzones as gz
    config = gz.load_config("my.toml")        # or gz.datasets.demo_config_path()
    a = gz.assess(config)                     # reads layers, computes criteria (once)
    a.ranking                                 # GeoDataFrame sorted by rank
    b = a.reweight(groups={"grid": 0.5})      # instant: works on the criteria table
    b.to_geopackage("shortlist.gpkg")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from growthzones import datasets
from growthzones.assessment import Assessment, assess, evaluate
from growthzones.config import Config, load_config
from growthzones.errors import GrowthzonesError

try:
    __version__ = version("growthzones")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["Assessment", "Config", "GrowthzonesError", "__version__", "assess", "datasets", "evaluate", "load_config"]
