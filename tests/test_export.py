"""GeoPackage, CSV and GeoJSON shortlists: read back and checked; atomic writing."""

from __future__ import annotations

import json

import pandas as pd
import pyogrio
import pytest

from growthzones.atomic import atomic_path
from growthzones.errors import OutputError


def test_geopackage_layers_crs_rows_and_values(tiny_assessment, tmp_path):
    out = tiny_assessment.to_geopackage(tmp_path / "shortlist.gpkg")
    layers = dict(pyogrio.list_layers(out))
    assert layers == {"ranked_sites": "MultiPolygon", "run": None}
    info = pyogrio.read_info(out, layer="ranked_sites")
    assert info["crs"] == "EPSG:27700"
    assert info["features"] == 4
    gdf = pyogrio.read_dataframe(out, layer="ranked_sites")
    assert gdf["site_id"].tolist() == ["S1", "S2", "S3", "S4"]
    assert gdf["rank"].tolist()[:3] == [1.0, 2.0, 3.0] and pd.isna(gdf["rank"].iloc[3])
    assert gdf["eligible"].dtype == bool
    assert gdf["score"].iloc[0] == pytest.approx(90.0)
    assert gdf["grid_distance"].iloc[0] == pytest.approx(3.0)
    assert gdf["grid_distance_value"].iloc[0] == pytest.approx(0.85)
    assert gdf["water_score"].iloc[0] == pytest.approx(87.5)
    assert "site area is 4 ha" in gdf["gate_reasons"].iloc[3]
    for col in ("name", "tier", "gate_reasons"):
        assert pd.api.types.is_string_dtype(gdf[col])


def test_geopackage_run_table(tiny_assessment, tmp_path):
    out = tiny_assessment.to_geopackage(tmp_path / "s.gpkg")
    run = pyogrio.read_dataframe(out, layer="run", read_geometry=False).set_index("key")["value"]
    assert run["method"] == "wlc"
    assert json.loads(run["group_weights"]) == {"grid": 0.5, "water": 0.5}
    assert json.loads(run["criterion_weights"]) == {"grid_distance": 0.25, "headroom": 0.25, "water_stress": 0.5}
    hashes = json.loads(run["input_sha256"])
    assert len(hashes) == 3 and all(len(h) == 64 for h in hashes.values())
    assert "[[criteria]]" in run["config"]
    assert run["n_eligible"] == "3"


def test_reweighted_export_records_the_new_weights(tiny_assessment, tmp_path):
    b = tiny_assessment.reweight(groups={"grid": 0.75, "water": 0.25})
    run = pyogrio.read_dataframe(b.to_geopackage(tmp_path / "b.gpkg"), layer="run").set_index("key")["value"]
    assert json.loads(run["group_weights"]) == {"grid": 0.75, "water": 0.25}
    assert "grid = 0.75" in run["config"]


def test_csv(tiny_assessment, tmp_path):
    out = tiny_assessment.to_csv(tmp_path / "s.csv")
    df = pd.read_csv(out)
    assert df["site_id"].tolist() == ["S1", "S2", "S3", "S4"]
    assert df.loc[0, "centroid_x"] == pytest.approx(100250.0)
    assert df.loc[1, "score"] == pytest.approx(56.25)


def test_failed_write_leaves_existing_file_intact(tiny_assessment, tmp_path, monkeypatch):
    target = tmp_path / "s.gpkg"
    tiny_assessment.to_geopackage(target)
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        tiny_assessment.to_geopackage(target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.gpkg"]


def test_atomic_path_refusals(tmp_path):
    (tmp_path / "exists.txt").write_text("x")
    with pytest.raises(OutputError, match="already exists"), atomic_path(tmp_path / "exists.txt", overwrite=False):
        pass
    with pytest.raises(OutputError, match="is a folder"), atomic_path(tmp_path):
        pass
    with pytest.raises(OutputError, match="does not exist"), atomic_path(tmp_path / "no" / "x.gpkg"):
        pass
