"""Determinism: the same config and inputs give the same ranking and the same GeoPackage.

Results must not depend on the run (apart from the ``run`` table's timestamps) nor on the
order of rows in the input files.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from tinyproject import write_tiny_project

import growthzones as gz
from growthzones import mcda

TIMESTAMPS = {"created", "exported"}


def _read_gpkg(path):
    ranked = pyogrio.read_dataframe(path, layer="ranked_sites")
    run = pyogrio.read_dataframe(path, layer="run", read_geometry=False)
    return ranked, dict(zip(run["key"], run["value"], strict=True))


def _assert_same_features(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame):
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert shapely.to_wkb(a.geometry.values).tolist() == shapely.to_wkb(b.geometry.values).tolist()


@pytest.mark.parametrize("method", ["wlc", "topsis", "promethee2"])
def test_two_runs_give_identical_outputs(tmp_path, method):
    cfg = gz.load_config(write_tiny_project(tmp_path / "tiny")).with_method(method)
    runs = []
    for i in (1, 2):
        a = gz.assess(cfg)
        a.to_geopackage(tmp_path / f"run{i}.gpkg")
        a.to_csv(tmp_path / f"run{i}.csv")
        runs.append(a)
    (r1, m1), (r2, m2) = _read_gpkg(tmp_path / "run1.gpkg"), _read_gpkg(tmp_path / "run2.gpkg")
    _assert_same_features(r1, r2)
    assert r1["site_id"].tolist() == ["S1", "S2", "S3", "S4"]
    assert {k: v for k, v in m1.items() if k not in TIMESTAMPS} == {k: v for k, v in m2.items() if k not in TIMESTAMPS}
    assert set(m1) >= TIMESTAMPS | {"config", "input_sha256", "criterion_weights"}
    # No timestamp in the CSV: byte for byte the same.
    assert (tmp_path / "run1.csv").read_bytes() == (tmp_path / "run2.csv").read_bytes()
    pd.testing.assert_frame_equal(
        pd.DataFrame(runs[0].ranking.drop(columns="geometry")), pd.DataFrame(runs[1].ranking.drop(columns="geometry"))
    )


def _shuffle_file(path, layer, rng):
    gdf = gpd.read_file(path, layer=layer)
    gdf = gdf.iloc[rng.permutation(len(gdf))].reset_index(drop=True)
    path.unlink()
    gdf.to_file(path, layer=layer, engine="pyogrio")
    return gdf


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_independent_of_input_row_order(tmp_path, tiny_assessment, seed):
    rng = np.random.default_rng(seed)
    cfg = write_tiny_project(tmp_path / "shuffled")
    _shuffle_file(cfg.parent / "sites.gpkg", "sites", rng)
    _shuffle_file(cfg.parent / "layers.gpkg", "substations", rng)
    a = gz.assess(cfg)
    base = tiny_assessment
    assert a.ranking.index.tolist() == base.ranking.index.tolist()
    pd.testing.assert_series_equal(a.scores["rank"], base.scores["rank"])
    pd.testing.assert_series_equal(a.scores["score"], base.scores["score"])
    pd.testing.assert_frame_equal(a.criteria, base.criteria)
    pd.testing.assert_frame_equal(a.gates, base.gates)
    a.to_geopackage(tmp_path / "a.gpkg")
    base.to_geopackage(tmp_path / "b.gpkg")
    _assert_same_features(_read_gpkg(tmp_path / "a.gpkg")[0], _read_gpkg(tmp_path / "b.gpkg")[0])


def test_row_order_of_a_bigger_random_project(tmp_path):
    """Thirty random sites in two different row orders: same ranks by id, under every method."""
    rng = np.random.default_rng(42)
    cfg = write_tiny_project(tmp_path / "p1")
    n = 30
    x = rng.uniform(96000, 133000, n)
    y = rng.uniform(96000, 113000, n)
    side = rng.uniform(300, 700, n)
    sites = gpd.GeoDataFrame(
        {"sid": [f"B{i:02d}" for i in range(n)], "label": [f"Bid {i}" for i in range(n)]},
        geometry=[shapely.box(a, b, a + s, b + s) for a, b, s in zip(x, y, side, strict=True)],
        crs=27700,
    )
    (cfg.parent / "sites.gpkg").unlink()
    sites.to_file(cfg.parent / "sites.gpkg", layer="sites", engine="pyogrio")
    cfg2 = write_tiny_project(tmp_path / "p2")
    (cfg2.parent / "sites.gpkg").unlink()
    sites.iloc[rng.permutation(n)].to_file(cfg2.parent / "sites.gpkg", layer="sites", engine="pyogrio")
    a1, a2 = gz.assess(cfg), gz.assess(cfg2)
    params = {"owa": {"orness": 0.3}}
    for method in mcda.AGGREGATION_METHODS:
        b1, b2 = a1.rerank(method, **params.get(method, {})), a2.rerank(method, **params.get(method, {}))
        pd.testing.assert_series_equal(b1.scores["rank"], b2.scores["rank"], obj=method)
        assert b1.ranking.index.tolist() == b2.ranking.index.tolist()


def test_run_metadata_records_inputs_by_hash(tiny_assessment):
    meta = tiny_assessment.run_metadata()
    hashes = json.loads(meta["input_sha256"])
    assert len(hashes) == 3 and all(len(h) == 64 for h in hashes.values())
