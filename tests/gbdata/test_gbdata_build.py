"""build_gb_layers plumbing: missing inputs, progress, the report."""

from __future__ import annotations

import pytest

from growthzones.errors import InputFileError
from growthzones.gbdata import BuildReport, LayerReport, build_gb_layers
from growthzones.gbdata.build import register_gb_layer, unregister_gb_layer
from growthzones.gbdata.connectivity import build_exchange_cities
from growthzones.gbdata.sources import SOURCES, source_path


def test_missing_source_folder(tmp_path):
    with pytest.raises(InputFileError, match="does not exist or is not a folder"):
        build_gb_layers(tmp_path / "nope", tmp_path / "out.gpkg")


def test_missing_files_listed_by_relative_path(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    with pytest.raises(InputFileError) as err:
        build_gb_layers(src, tmp_path / "out.gpkg")
    msg = str(err.value)
    assert f"missing {len(SOURCES)} file(s)" in msg
    assert "'grid/tec-register-02-september-2025.csv' (NESO Transmission Entry Capacity (TEC) register, CSV)" in msg
    assert "'boundaries/ons_uk_topo.json'" in msg
    assert not (tmp_path / "out.gpkg").exists()


def test_source_path_names_the_file(tmp_path):
    with pytest.raises(InputFileError, match=r"missing input 'land/ons_national_parks.geojson'.*national park"):
        source_path(tmp_path, "national_parks")


def test_progress_is_the_one_callback_shape(tmp_path, monkeypatch):
    # progress(done, total, label): as each step starts and once more at the end, on a stack of
    # one toy step (no source files needed).
    from growthzones.gbdata import build

    monkeypatch.setattr(build, "SOURCES", {})
    saved = list(build.GB_LAYERS)
    for s in saved:
        unregister_gb_layer(s.name)
    try:
        register_gb_layer("toy")(lambda inputs: [build_exchange_cities()])
        calls = []
        (tmp_path / "src").mkdir()
        report = build_gb_layers(tmp_path / "src", tmp_path / "out.gpkg", progress=lambda *a: calls.append(a))
    finally:
        unregister_gb_layer("toy")
        for s in saved:
            register_gb_layer(s.name, s.layers)(s.build)
    assert calls == [(0, 2, "toy"), (1, 2, "write"), (2, 2, "done")]
    assert [r.name for r in report.layers] == ["exchange_cities"]
    assert [s.name for s in build.GB_LAYERS] == [s.name for s in saved] and build.STEPS[-1] == "write"


def test_build_report_frame_and_summary(tmp_path):
    a = LayerReport("a", ("x.csv",), "OGL", "attr", input_rows=3, feature_count=2)
    a.drop("bad coordinates", 1)
    b = LayerReport("t", ("x.csv",), "OGL", "attr", input_rows=1, feature_count=1)
    rep = BuildReport(
        tmp_path,
        tmp_path / "o.gpkg",
        layers=[a, b],
        built_at="2025-01-01T00:00:00+00:00",
        package_version="0.1.0",
        transformation="Helmert",
        tables=["t"],
    )
    df = rep.to_frame()
    assert df["layer"].tolist() == ["a", "t"]
    assert df["kind"].tolist() == ["spatial", "table"]
    assert df["dropped"].tolist() == ["bad coordinates: 1", ""]
    assert df["dropped_count"].tolist() == [1, 0]
    text = rep.summary()
    assert "a: 1 - bad coordinates" in text and "Helmert" in text
    assert rep["a"] is a and rep.total_dropped == 1
    with pytest.raises(KeyError, match="no layer 'z'"):
        rep["z"]
