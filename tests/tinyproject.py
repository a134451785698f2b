"""A tiny project whose criteria and scores are worked out by hand (used across the tests).

Layout (EPSG:27700, metres)::

    sites (500 m squares = 25 ha; S4 is 200 m = 4 ha)
      S1 x 100000-100500   S2 x 110000-110500   S3 x 120000-120500   S4 x 130000-130200
      all at y 100000-100500 (S4: y 100000-100200)
    substations
      P1 (100250, 103500) 400 kV, headroom 1000 MW
      P2 (110250, 110500) 275 kV, headroom  500 MW
      P3 (120250, 100250) 132 kV, headroom  200 MW (inside S3)
    water_stress raster: 1 km cells, x 95000-135000, y 95000-115000, value = column / 40
      so S1 sits in column 5 (0.125), S2 in 15 (0.375), S3 in 25 (0.625), S4 in 35 (0.875)

Hand-worked criteria (275 kV+ substations only):
    grid_distance km: S1 3.0, S2 10.0, S3 hypot(9750, 10000)/1000 = 13.96674, S4 hypot(19750, 10300)/1000 = 22.27431
    headroom MW (nearest 275 kV+): S1 1000, S2 500, S3 500, S4 500
    water mean: S1 0.125, S2 0.375, S3 0.625, S4 0.875
    area ha: 25, 25, 25, 4
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from affine import Affine
from shapely import Point, box

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "gb-open-data"

TINY_CONFIG = """
[project]
name = "Tiny test project"
crs = "EPSG:27700"

[sites]
path = "sites.gpkg"
layer = "sites"
id = "sid"
name = "label"

[layers.substations]
path = "layers.gpkg"
layer = "substations"

[layers.water]
path = "water.tif"

[weights]
grid = 0.5
water = 0.5

[[criteria]]
name = "grid_distance"
label = "nearest 275 kV+ substation"
group = "grid"
measure = "distance"
layer = "substations"
where = "voltage_kv >= 275"
direction = "cost"
weight = 1
value = { function = "linear", low = 0, high = 20 }

[[criteria]]
name = "headroom"
label = "headroom at nearest 275 kV+ substation"
group = "grid"
unit = "MW"
measure = "nearest_attribute"
layer = "substations"
where = "voltage_kv >= 275"
attribute = "headroom_mw"
direction = "benefit"
weight = 1
value = { function = "linear", low = 0, high = 1000 }

[[criteria]]
name = "water_stress"
group = "water"
unit = "fraction"
measure = "zonal"
layer = "water"
stat = "mean"
direction = "cost"
weight = 1
value = { function = "linear", low = 0, high = 1 }

[[criteria]]
name = "area"
label = "site area"
group = "land"
measure = "area"
weight = 0

[[gates]]
criterion = "area"
op = ">="
value = 20

[[gates]]
criterion = "grid_distance"
op = "<="
value = 20
"""

#: Hand-worked expected values (see the module docstring).
EXPECTED_CRITERIA = {
    "grid_distance": {
        "S1": 3.0,
        "S2": 10.0,
        "S3": math.hypot(9750, 10000) / 1000,
        "S4": math.hypot(19750, 10300) / 1000,
    },
    "headroom": {"S1": 1000.0, "S2": 500.0, "S3": 500.0, "S4": 500.0},
    "water_stress": {"S1": 0.125, "S2": 0.375, "S3": 0.625, "S4": 0.875},
    "area": {"S1": 25.0, "S2": 25.0, "S3": 25.0, "S4": 4.0},
}


def expected_score(site: str) -> float:
    """WLC x 100 with global weights 0.25 / 0.25 / 0.5 and linear value functions."""
    c = {k: v[site] for k, v in EXPECTED_CRITERIA.items()}
    v_dist = max(0.0, 1 - c["grid_distance"] / 20)
    v_head = c["headroom"] / 1000
    v_water = 1 - c["water_stress"]
    return 100 * (0.25 * v_dist + 0.25 * v_head + 0.5 * v_water)


def write_tiny_project(folder: Path, *, config_text: str = TINY_CONFIG) -> Path:
    """Write the tiny project into ``folder`` and return its config path."""
    folder.mkdir(parents=True, exist_ok=True)
    sites = gpd.GeoDataFrame(
        {"sid": ["S3", "S1", "S4", "S2"], "label": ["Site three", "Site one", "Site four", "Site two"]},
        geometry=[
            box(120000, 100000, 120500, 100500),
            box(100000, 100000, 100500, 100500),
            box(130000, 100000, 130200, 100200),
            box(110000, 100000, 110500, 100500),
        ],
        crs=27700,
    )
    sites.to_file(folder / "sites.gpkg", layer="sites", engine="pyogrio")
    subs = gpd.GeoDataFrame(
        {"name": ["P1", "P2", "P3"], "voltage_kv": [400, 275, 132], "headroom_mw": [1000.0, 500.0, 200.0]},
        geometry=[Point(100250, 103500), Point(110250, 110500), Point(120250, 100250)],
        crs=27700,
    )
    subs.to_file(folder / "layers.gpkg", layer="substations", engine="pyogrio")
    data = np.tile((np.arange(40, dtype="float32") / 40.0), (20, 1))
    with rasterio.open(
        folder / "water.tif", "w", driver="GTiff", width=40, height=20, count=1, dtype="float32",
        crs="EPSG:27700", transform=Affine(1000, 0, 95000, 0, -1000, 115000), nodata=-9999.0,
    ) as ds:  # fmt: skip
        ds.write(data, 1)
    cfg = folder / "config.toml"
    cfg.write_text(config_text, encoding="utf-8")
    return cfg
