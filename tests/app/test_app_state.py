"""Pure app helpers: config resolution, settings -> config, ranking table, rank changes, site detail."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import growthzones as gz
from growthzones import appstate
from tests.conftest import expected_score, write_tiny_project


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> gz.Assessment:
    return gz.assess(write_tiny_project(tmp_path_factory.mktemp("tinystate")))


def test_resolve_config() -> None:
    assert appstate.resolve_config(["/x/app.py", "c.toml"], {}, script="app.py") == (Path("c.toml"), False)
    assert appstate.resolve_config(["pytest", "tests"], {"GROWTHZONES_CONFIG": "e.toml"}, script="app.py")[0] == Path(
        "e.toml"
    )
    path, demo = appstate.resolve_config(["pytest", "tests/app"], {}, script="app.py")
    assert demo and path.name == "config.toml"


def test_fingerprint_changes_with_inputs(tmp_path: Path) -> None:
    cfg_path = write_tiny_project(tmp_path / "t")
    fp = appstate.input_fingerprint(gz.load_config(cfg_path))
    assert fp == appstate.input_fingerprint(gz.load_config(cfg_path))
    (tmp_path / "t" / "water.tif").write_bytes((tmp_path / "t" / "water.tif").read_bytes() + b"\0")
    assert fp != appstate.input_fingerprint(gz.load_config(cfg_path))


def test_default_settings_reproduce_config(tiny: gz.Assessment) -> None:
    s = appstate.default_settings(tiny.config)
    b = appstate.apply_settings(tiny, s)
    assert np.allclose(b.scores["score"].dropna(), tiny.scores["score"].dropna())
    for sid in ("S1", "S2", "S3"):
        assert b.scores.at[sid, "score"] == pytest.approx(expected_score(sid))


def test_settings_change_weights_method_gates(tiny: gz.Assessment) -> None:
    s = appstate.AppSettings(groups={"grid": 1.0, "water": 0.0}, criteria={"grid_distance": 1, "headroom": 1,
                             "water_stress": 1}, method="topsis", gates=((False, 20.0), (True, 25.0)))  # fmt: skip
    cfg = appstate.settings_config(tiny.config, s)
    assert cfg.method.name == "topsis"
    assert [g.enabled for g in cfg.gates] == [False, True] and cfg.gates[1].value == 25.0
    b = appstate.apply_settings(tiny, s)
    assert b.n_eligible == 4
    # TOML round trip reproduces the ranking (what the app's config download promises).
    again = gz.assess(gz.config.parse_config(cfg.to_toml(), base_dir=tiny.config.source.parent))
    assert list(again.ranking.index) == list(b.ranking.index)


def test_ranking_view_and_rank_changes(tiny: gz.Assessment) -> None:
    view = appstate.ranking_view(tiny)
    assert list(view.index) == ["S1", "S2", "S3", "S4"]
    assert {"rank", "name", "score", "eligible", "top strength", "failed gates"} <= set(view.columns)
    assert view.loc["S4", "eligible"] == False  # noqa: E712
    assert list(appstate.ranking_view(tiny, top=1, include_ineligible=False).index) == ["S1"]
    assert list(appstate.ranking_view(tiny, search="two").index) == ["S2"]
    b = tiny.reweight(groups={"grid": 0.0, "water": 1.0})
    ch = appstate.rank_changes(b, tiny)
    assert set(ch.index) == {"S1", "S2", "S3"}
    assert (ch["moved"] == 0).all()  # water stress keeps the same order here
    c = tiny.reweight(criteria={"headroom": 0.0, "grid_distance": 1.0}, groups={"water": 0.0})
    assert "moved" in appstate.rank_changes(c, tiny).columns


def test_site_contributions_sum_to_wlc_score(tiny: gz.Assessment) -> None:
    c = appstate.site_contributions(tiny, "S1")
    assert c["contribution"].sum() == pytest.approx(tiny.scores.at["S1", "score"])
    assert c.loc["headroom", "raw text"] == "1,000 MW"
    gates = appstate.gate_results(tiny, "S4")
    assert list(gates["result"]) == ["fail", "fail"]


def test_nearest_infrastructure(tiny: gz.Assessment) -> None:
    near = appstate.nearest_infrastructure(tiny, "S3")
    row = near.iloc[0]
    assert row["nearest"] == "P3" and row["distance_km"] == 0.0  # P3 lies inside S3
    assert "132 kV" in row["details"]


def test_compare_and_site_at(tiny: gz.Assessment) -> None:
    raw, values, winner = appstate.compare_table(tiny, ["S1", "S2"])
    assert raw.shape[1] == 2 and values.shape == raw.shape
    assert winner["headroom at nearest 275 kV+ substation (MW)"].startswith("Site one")
    import geopandas as gpd
    from shapely import Point

    pt = gpd.GeoSeries([Point(110250, 100250)], crs=27700).to_crs(4326).iloc[0]
    assert appstate.site_at(tiny, pt.y, pt.x) == "S2"
    far = gpd.GeoSeries([Point(300000, 300000)], crs=27700).to_crs(4326).iloc[0]
    assert appstate.site_at(tiny, far.y, far.x) is None


def test_split_reasons() -> None:
    text = "site area is 4 ha; gate requires >= 20 ha; grid is 22.3 km; gate requires <= 20 km"
    assert appstate.split_reasons(text) == ["site area is 4 ha; gate requires >= 20 ha",
                                            "grid is 22.3 km; gate requires <= 20 km"]  # fmt: skip
    assert appstate.split_reasons("") == []
