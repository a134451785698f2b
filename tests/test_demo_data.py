"""Checks on the bundled demo dataset in data/demo (and that the build script reproduces it)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from pandas.testing import assert_frame_equal
from pyproj import Transformer

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "gb-open-data"
CRS_EPSG = 27700
NODATA = -9999.0

LAYERS = {
    # layer: (geometry types, required columns, min count, max count, synthetic)
    "gb_outline": ({"MultiPolygon"}, ["name", "source"], 1, 1, False),
    "substations": ({"Point"}, ["name", "voltage_kv", "headroom_mw"], 250, 400, True),
    "transmission_lines": ({"LineString"}, ["voltage_kv", "from_substation", "to_substation"], 150, 600, True),
    "fibre_hubs": ({"Point"}, ["name", "kind"], 10, 40, True),
    "roads": ({"LineString"}, ["ref", "kind"], 20, 80, True),
    "protected_areas": ({"MultiPolygon"}, ["name", "designation"], 15, 30, True),
    "rail_stations": ({"Point"}, ["name", "crs"], 300, 900, False),
}
RASTERS = {"water_stress.tif": (0.0, 1.0), "flood_risk.tif": (0.0, 1.0), "slope.tif": (0.0, 45.0)}
REGIONS = {
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Scotland",
    "Wales",
}
DEMO_CASES = {"typical", "protected_overlap", "flood_zone", "small_site", "remote_from_grid"}


def _load_build_module():
    spec = importlib.util.spec_from_file_location("build_demo", DEMO / "build_demo.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_demo"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def bids() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "bids.gpkg", layer="bids")


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_file(DEMO / "layers.gpkg", layer=name) for name in LAYERS}


@pytest.fixture(scope="module")
def outline(layers) -> shapely.Geometry:
    geom = layers["gb_outline"].geometry.iloc[0]
    shapely.prepare(geom)
    return geom


@pytest.fixture(scope="module")
def config() -> dict:
    with open(DEMO / "config.toml", "rb") as f:
        return tomllib.load(f)


def _mean_in_box(path: Path, x0: float, x1: float, y0: float, y1: float) -> float:
    with rasterio.open(path) as src:
        win = rasterio.windows.from_bounds(x0, y0, x1, y1, transform=src.transform)
        a = src.read(1, window=win, masked=True)
    return float(a.mean())


def _fraction_at_least(path: Path, polys: gpd.GeoSeries, threshold: float) -> np.ndarray:
    """Share of each polygon (100 m lattice) whose raster value is >= threshold."""
    with rasterio.open(path) as src:
        data = src.read(1)
        transform = src.transform
    out = []
    for poly in polys:
        minx, miny, maxx, maxy = poly.bounds
        xs, ys = np.meshgrid(np.arange(minx + 50, maxx, 100), np.arange(miny + 50, maxy, 100))
        inside = shapely.contains_xy(poly, xs, ys)
        rows, cols = rasterio.transform.rowcol(transform, xs[inside], ys[inside])
        v = data[np.asarray(rows, dtype=int), np.asarray(cols, dtype=int)]
        v = v[v != NODATA]
        out.append(float((v >= threshold).mean()) if v.size else np.nan)
    return np.array(out)


# ------------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------------


def test_expected_files_and_size():
    for name in [
        "build_demo.py",
        "bids.gpkg",
        "layers.gpkg",
        *RASTERS,
        "config.toml",
        "SOURCES.md",
        "README.md",
        "build_info.json",
    ]:
        assert (DEMO / name).is_file(), name
    total = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert total < 6 * 1024 * 1024
    assert not list(DEMO.glob(".build_demo.*")), "a staging folder was left behind"


def test_gpkg_layers_listed():
    assert {name for name, _ in pyogrio.list_layers(DEMO / "layers.gpkg")} == set(LAYERS)
    assert [name for name, _ in pyogrio.list_layers(DEMO / "bids.gpkg")] == ["bids"]


# ------------------------------------------------------------------------------------------------
# bids
# ------------------------------------------------------------------------------------------------


def test_bids_schema(bids):
    assert bids.crs.to_epsg() == CRS_EPSG
    assert 200 <= len(bids) <= 240
    for col in [
        "bid_id",
        "name",
        "local_area",
        "nation",
        "region",
        "brownfield",
        "power_need_mw",
        "demo_case",
        "synthetic",
    ]:
        assert col in bids.columns, col
    assert bids["bid_id"].is_unique
    assert bids["bid_id"].tolist() == sorted(bids["bid_id"])
    assert all(re.fullmatch(r"GZ-\d{3}", s) for s in bids["bid_id"])
    assert bids["name"].is_unique
    assert all(n.startswith(a) for n, a in zip(bids["name"], bids["local_area"], strict=True))
    assert set(bids["nation"]) == {"England", "Scotland", "Wales"}
    assert set(bids["region"]) <= REGIONS
    assert (bids.loc[bids["nation"] != "England", "region"] == bids.loc[bids["nation"] != "England", "nation"]).all()
    assert bids["brownfield"].dtype == bool
    assert 0.2 < bids["brownfield"].mean() < 0.6
    assert bids["power_need_mw"].between(100, 1500).all()
    assert bids["synthetic"].all()
    assert set(bids["demo_case"]) == DEMO_CASES


def test_bid_geometries(bids, outline):
    assert (bids.geom_type == "Polygon").all()
    assert bids.is_valid.all() and not bids.is_empty.any()
    area_ha = bids.area / 10_000
    assert area_ha.between(20, 400).all()
    assert area_ha.min() < 21 and area_ha.max() > 300
    assert bids.within(outline).all()
    # plausible, irregular shapes: not all rectangles
    n_vertices = shapely.get_num_coordinates(bids.geometry.to_numpy()) - 1
    assert len(set(n_vertices)) > 5
    # no two bids overlap
    left, right = bids.sindex.query(bids.geometry, predicate="intersects")
    assert (left == right).all()


def test_bids_in_every_nation_and_most_regions(bids):
    counts = bids["nation"].value_counts()
    assert counts["Scotland"] >= 10 and counts["Wales"] >= 8
    assert bids["region"].nunique() >= 10


# ------------------------------------------------------------------------------------------------
# vector layers
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_schema(layers, name):
    gdf = layers[name]
    types, cols, lo, hi, synthetic = LAYERS[name]
    assert gdf.crs.to_epsg() == CRS_EPSG
    assert lo <= len(gdf) <= hi
    assert set(gdf.geom_type) <= types
    assert gdf.is_valid.all() and not gdf.is_empty.any()
    for col in cols:
        assert col in gdf.columns
    assert "synthetic" in gdf.columns
    assert (gdf["synthetic"] == synthetic).all()
    xmin, ymin, xmax, ymax = gdf.total_bounds
    assert xmin >= 0 and ymin >= 0 and xmax <= 700_000 and ymax <= 1_250_000


def test_outline_is_great_britain(layers):
    gb = layers["gb_outline"].geometry.iloc[0]
    assert 200_000 < gb.area / 1e6 < 240_000  # km2; GB is about 229,000 km2
    belfast = shapely.Point(Transformer.from_crs(4326, CRS_EPSG, always_xy=True).transform(-5.93, 54.60))
    assert gb.distance(belfast) > 15_000, "Northern Ireland must be dropped"
    for x, y in [(530_000, 180_000), (325_000, 673_000), (318_000, 176_000)]:  # London, Edinburgh, Cardiff
        assert gb.contains(shapely.Point(x, y))


def test_substations(layers, outline):
    subs = layers["substations"]
    assert set(subs["voltage_kv"]) == {400, 275, 132}
    assert (subs["headroom_mw"] >= 0).all()
    assert subs["name"].is_unique
    assert subs.within(outline).all()
    by_region = subs.groupby("region")["headroom_mw"].mean()
    assert by_region["Scotland"] > 3 * by_region["London"]
    assert by_region["North East"] > by_region["South East"]
    assert (subs["voltage_kv"] >= 275).sum() >= 100


def test_transmission_lines_join_substations(layers):
    lines, subs = layers["transmission_lines"], layers["substations"]
    assert set(lines["voltage_kv"]) == {400, 275}
    assert lines["line_id"].is_unique
    pos = dict(zip(subs["name"], subs.geometry, strict=True))
    for row in lines.itertuples():
        start, end = shapely.get_point(row.geometry, 0), shapely.get_point(row.geometry, -1)
        assert start.distance(pos[row.from_substation]) < 1
        assert end.distance(pos[row.to_substation]) < 1
    volt = dict(zip(subs["name"], subs["voltage_kv"], strict=True))
    l400 = lines[lines["voltage_kv"] == 400]
    assert {volt[n] for n in [*l400["from_substation"], *l400["to_substation"]]} == {400}


def test_fibre_roads_protected(layers, outline):
    assert set(layers["fibre_hubs"]["kind"]) == {"internet exchange", "fibre hub"}
    assert "London internet exchange" in set(layers["fibre_hubs"]["name"])
    assert set(layers["roads"]["kind"]) == {"motorway", "trunk"}
    assert {"M1", "M6", "M4", "M8", "M25"} <= set(layers["roads"]["ref"])
    prot = layers["protected_areas"]
    assert prot["name"].str.endswith("(synthetic)").all()
    assert prot["designation"].str.contains("National Park").any()
    assert prot.buffer(-1).within(outline).all()


def test_rail_stations(layers, outline):
    rail = layers["rail_stations"]
    assert rail["crs"].is_unique
    assert rail["crs"].str.fullmatch(r"[A-Z]{3}").all()
    assert rail["crs"].tolist() == sorted(rail["crs"])
    assert set(rail["nation"]) == {"England", "Scotland", "Wales"}
    assert (rail.distance(outline) < 5_000).all()


# ------------------------------------------------------------------------------------------------
# rasters
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(RASTERS))
def test_raster_format(name, outline):
    lo, hi = RASTERS[name]
    with rasterio.open(DEMO / name) as src:
        assert src.crs.to_epsg() == CRS_EPSG
        assert src.res == (1000.0, 1000.0)
        assert (src.width, src.height) == (700, 1250)
        assert tuple(src.bounds) == (0.0, 0.0, 700_000.0, 1_250_000.0)
        assert src.dtypes == ("float32",)
        assert src.nodata == NODATA
        assert src.compression is not None and src.compression.value.lower() == "deflate"
        a = src.read(1)
        # sea is nodata; land (cells of bid centroids) is not
        assert a[0, 0] == NODATA and a[-1, -1] == NODATA
        assert src.read(1, window=((1100, 1101), (100, 101)))[0, 0] == NODATA  # Atlantic, SW of Cornwall
    valid = a[a != NODATA]
    assert 0.2 < valid.size / a.size < 0.4
    assert valid.min() >= lo and valid.max() <= hi
    assert not np.isnan(a).any()


def test_raster_nodata_outside_outline(outline):
    with rasterio.open(DEMO / "water_stress.tif") as src:
        a = src.read(1)
        rows, cols = np.nonzero(a == NODATA)
        pick = np.linspace(0, rows.size - 1, 2000).astype(int)
        xs, ys = rasterio.transform.xy(src.transform, rows[pick], cols[pick])
    # a nodata cell centre is never well inside GB (all_touched: coastal cells have values)
    inner = outline.buffer(-1500)
    assert not shapely.contains_xy(inner, np.asarray(xs), np.asarray(ys)).any()


def test_water_stress_south_east_higher_than_north_west():
    se = _mean_in_box(DEMO / "water_stress.tif", 480_000, 620_000, 100_000, 250_000)
    nw = _mean_in_box(DEMO / "water_stress.tif", 300_000, 400_000, 420_000, 560_000)
    scot = _mean_in_box(DEMO / "water_stress.tif", 200_000, 400_000, 650_000, 900_000)
    assert se > 0.7 and se > nw + 0.3 and scot < 0.2


def test_slope_higher_in_uplands():
    highlands = _mean_in_box(DEMO / "slope.tif", 200_000, 300_000, 750_000, 850_000)
    east_anglia = _mean_in_box(DEMO / "slope.tif", 550_000, 650_000, 220_000, 320_000)
    snowdonia = _mean_in_box(DEMO / "slope.tif", 255_000, 285_000, 330_000, 370_000)
    assert highlands > 4 * east_anglia and snowdonia > 4 * east_anglia


def test_flood_higher_at_the_coast_and_estuaries():
    with rasterio.open(DEMO / "flood_risk.tif") as src:
        a = src.read(1, masked=True)
    from scipy.ndimage import distance_transform_edt

    coast_km = distance_transform_edt(~a.mask)
    assert a[(coast_km <= 1) & ~a.mask].mean() > 2 * a[(coast_km > 10) & ~a.mask].mean()
    humber = _mean_in_box(DEMO / "flood_risk.tif", 500_000, 520_000, 415_000, 430_000)
    assert humber > 0.4


# ------------------------------------------------------------------------------------------------
# hard cases and the demo config
# ------------------------------------------------------------------------------------------------


def test_hard_cases_are_hard(bids, layers):
    prot = shapely.union_all(layers["protected_areas"].geometry.to_numpy())
    overlap = bids.intersection(prot).area / bids.area
    case = bids["demo_case"]
    assert (overlap[case == "protected_overlap"] > 0.05).all()
    assert (overlap[case != "protected_overlap"] == 0).all()
    flood = _fraction_at_least(DEMO / "flood_risk.tif", bids.geometry, 0.5)
    assert (flood[(case == "flood_zone").to_numpy()] > 0.15).all()
    assert (flood[(case == "typical").to_numpy()] < 0.08).all()
    g275 = layers["substations"].query("voltage_kv >= 275").geometry.to_numpy()
    grid_km = np.array([shapely.distance(g, g275).min() for g in bids.geometry]) / 1000
    assert (grid_km[(case == "remote_from_grid").to_numpy()] > 25).all()
    assert (bids.loc[case == "small_site"].area / 10_000 < 22).all()
    assert (case == "typical").mean() > 0.75


def test_config_structure(config, layers):
    assert config["project"]["demo"] is True
    assert config["project"]["crs"] == "EPSG:27700"
    assert (DEMO / config["sites"]["path"]).exists()
    assert config["sites"]["id"] == "bid_id" and config["sites"]["name"] == "name"
    for name, lay in config["layers"].items():
        assert (DEMO / lay["path"]).exists(), name
        if lay["path"].endswith(".gpkg"):
            assert lay["layer"] in LAYERS
    groups = set(config["weights"])
    assert groups == {"grid", "land", "connectivity", "water", "planning"}
    assert abs(sum(config["weights"].values()) - 1) < 1e-9
    names = [c["name"] for c in config["criteria"]]
    assert len(names) == len(set(names))
    for c in config["criteria"]:
        assert c["group"] in groups
        assert c["direction"] in {"benefit", "cost"}
        assert c["value"]["function"] == "linear" and c["value"]["low"] < c["value"]["high"]
        if "layer" in c:
            assert c["layer"] in config["layers"]
        if c.get("where"):
            col = c["where"].split()[0]
            assert col in layers[config["layers"][c["layer"]]["layer"]].columns
    for group in groups:
        assert sum(c["weight"] for c in config["criteria"] if c["group"] == group) > 0
    for g in config["gates"]:
        assert g["criterion"] in names
    # every criterion and gate carries a one-line rationale comment just above it
    text = (DEMO / "config.toml").read_text().splitlines()
    for i, line in enumerate(text):
        if line.strip() in ("[[criteria]]", "[[gates]]"):
            assert text[i - 1].startswith("# rationale:"), f"line {i + 1}: no rationale"


def test_config_gates_leave_most_bids_eligible(config, bids, layers):
    """Recompute the gate criteria with plain geopandas: 60-80% of bids should pass."""
    subs = layers["substations"]
    g275 = subs[subs["voltage_kv"] >= 275].reset_index(drop=True)
    pts = g275.geometry.to_numpy()
    dist = np.array([shapely.distance(g, pts) for g in bids.geometry])  # n_bids x n_subs, metres
    nearest = dist.argmin(axis=1)
    grid_km = dist.min(axis=1) / 1000
    headroom = np.where(grid_km <= 25, g275["headroom_mw"].to_numpy()[nearest], np.nan)
    prot = shapely.union_all(layers["protected_areas"].geometry.to_numpy())
    values = pd.DataFrame(
        {
            "grid_distance": grid_km,
            "grid_headroom": headroom,
            "protected_overlap": (bids.intersection(prot).area / bids.area).to_numpy(),
            "flood_fraction": _fraction_at_least(DEMO / "flood_risk.tif", bids.geometry, 0.5),
            "site_area": (bids.area / 10_000).to_numpy(),
        }
    )
    ops = {"<=": np.less_equal, ">=": np.greater_equal, "<": np.less, ">": np.greater}
    ok = np.ones(len(bids), dtype=bool)
    for g in config["gates"]:
        v = values[g["criterion"]].to_numpy()
        ok &= ops[g["op"]](np.nan_to_num(v, nan=-np.inf if g["op"].startswith(">") else np.inf), g["value"])
    assert 0.6 <= ok.mean() <= 0.8
    assert not ok[(bids["demo_case"] != "typical").to_numpy() & (bids["demo_case"] != "small_site").to_numpy()].any()


@pytest.mark.gbdata
@pytest.mark.skipif(
    not (SHARED / "boundaries" / "ons_uk_topo.json").exists(),
    reason="../shared/gb-open-data (ONS regions) is not available",
)
def test_regions_agree_with_ons(bids, layers):
    """The approximate region assignment matches the ONS region polygons for >= 90% of features."""
    build_demo = _load_build_module()
    topo = json.loads((SHARED / "boundaries" / "ons_uk_topo.json").read_text())
    rows = []
    for g in topo["objects"]["rgn"]["geometries"]:
        parts = [shapely.make_valid(shapely.Polygon(r[0], r[1:])) for r in build_demo.decode_topojson_object(topo, g)]
        rows.append({"rgn": g["properties"]["areanm"], "geometry": shapely.union_all(parts)})
    ons = gpd.GeoDataFrame(rows, crs=4326).to_crs(CRS_EPSG)
    ons["rgn"] = ons["rgn"].replace({"Yorkshire and the Humber": "Yorkshire and The Humber", "East": "East of England"})
    for gdf in (bids, layers["substations"]):
        pts = gdf[["region"]].set_geometry(gdf.representative_point())
        joined = gpd.sjoin_nearest(pts, ons, how="left")
        joined = joined[~joined.index.duplicated()]
        assert (joined["rgn"] == joined["region"]).mean() >= 0.9


# ------------------------------------------------------------------------------------------------
# the build script
# ------------------------------------------------------------------------------------------------


def test_staged_outputs_leave_nothing_on_failure(tmp_path):
    build_demo = _load_build_module()
    (tmp_path / "a.txt").write_text("old")
    with pytest.raises(RuntimeError, match="boom"), build_demo.staged_outputs(tmp_path, ["a.txt", "b.txt"]) as p:
        p["a.txt"].write_text("new")
        raise RuntimeError("boom")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.txt"]
    assert (tmp_path / "a.txt").read_text() == "old"


def test_topojson_decoding():
    build_demo = _load_build_module()
    topo = {
        "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
        "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]],
    }
    (poly,) = build_demo.decode_topojson_object(topo, {"type": "Polygon", "arcs": [[0, 1]]})
    assert poly[0] == [(10, 20), (11, 20), (11, 21), (10, 21), (10, 20)]
    (poly,) = build_demo.decode_topojson_object(topo, {"type": "MultiPolygon", "arcs": [[[~1, ~0]]]})
    assert poly[0] == [(10, 20), (10, 21), (11, 21), (11, 20), (10, 20)]


def _world_atlas_available() -> bool:
    build_demo = _load_build_module()
    return build_demo.DEFAULT_WORLD_ATLAS.exists() or shutil.which("npm") is not None


@pytest.mark.skipif(
    not _world_atlas_available(),
    reason="neither ../shared/gb-open-data world-atlas copy nor npm (to fetch world-atlas) available",
)
def test_rebuild_reproduces_committed_outputs(tmp_path):
    build_demo = _load_build_module()
    world_atlas = build_demo.DEFAULT_WORLD_ATLAS if build_demo.DEFAULT_WORLD_ATLAS.exists() else None
    try:
        build_demo.build(tmp_path, world_atlas, None)
    except RuntimeError as exc:  # npm present but offline and no shared copy
        pytest.skip(f"cannot fetch the build inputs: {exc}")
    for name, _ in pyogrio.list_layers(DEMO / "layers.gpkg"):
        a = gpd.read_file(DEMO / "layers.gpkg", layer=name)
        b = gpd.read_file(tmp_path / "layers.gpkg", layer=name)
        assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
        assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all(), name
    a, b = gpd.read_file(DEMO / "bids.gpkg"), gpd.read_file(tmp_path / "bids.gpkg")
    assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()
    for name in RASTERS:
        with rasterio.open(DEMO / name) as ra, rasterio.open(tmp_path / name) as rb:
            assert ra.profile == rb.profile
            np.testing.assert_array_equal(ra.read(1), rb.read(1))
    assert json.loads((DEMO / "build_info.json").read_text()) == json.loads((tmp_path / "build_info.json").read_text())
