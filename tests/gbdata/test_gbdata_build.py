"""build_gb_layers plumbing: missing inputs, progress adapters, the report."""

from __future__ import annotations

import pytest

from growthzones.errors import InputFileError
from growthzones.gbdata import STEPS, BuildReport, LayerReport, build_gb_layers
from growthzones.gbdata.build import _Progress
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


class FakeBar:
    def __init__(self):
        self.total = None
        self.n = 0
        self.descriptions = []

    def update(self, k=1):
        self.n += k

    def set_description_str(self, s):
        self.descriptions.append(s)


def test_progress_callable_and_tqdm_like():
    calls = []
    p = _Progress(lambda step, i, n: calls.append((step, i, n)), 2)
    p.start("a")
    p.done()
    p.start("b")
    p.done()
    assert calls == [("a", 0, 2), ("b", 1, 2), ("done", 2, 2)]
    bar = FakeBar()
    p = _Progress(bar, len(STEPS))
    for s in STEPS:
        p.start(s)
        p.done()
    assert bar.total == len(STEPS) and bar.n == len(STEPS) and bar.descriptions == list(STEPS)


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
