"""The Surface page under AppTest: the surface is made for the sidebar's settings, regions located on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import growthzones as gz
from growthzones import maps, upload
from growthzones.appstate import CONFIG_ENV

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_surface_page_makes_the_surface_and_locates_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)  # the bundled demo
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("growthzones/app/surface.py").run()
    assert not at.exception, at.exception
    # The demo's site area has no raster form: left out by default.
    assert at.multiselect(key="surface_drop").value == ["site_area"]
    assert at.slider(key="surface_opacity").value == 0.7
    at.number_input(key="surface_cell").set_value(20_000.0).run()
    at.button(key="surface_make").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    expected = gz.make_surface(gz.datasets.demo_config_path(), 20_000, drop=["site_area"])
    n_elig = int((expected["eligible"].values == 1).sum())
    assert any(f"{n_elig:,} eligible" in m.value for m in at.markdown), [m.value for m in at.markdown]
    at.number_input(key="surface_n").set_value(2)
    at.number_input(key="surface_min_area").set_value(40_000.0)
    at.number_input(key="surface_max_area").set_value(80_000.0).run()
    at.button(key="surface_locate").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert len(table) == 2 and (table["area_ha"] >= 40_000).all() and (table["area_ha"] <= 80_000).all()
    # Ranked like bids, among the demo's sites: the same scores and ranks as ranking them by hand.
    regions = at.session_state["surface_regions"]
    a = gz.assess(gz.datasets.demo_config_path())
    by_hand, _ = upload.score_upload(a, regions, id_column="site_id", name_column="name", combine=True)
    expected = by_hand.ranking.loc[table["site_id"]]
    assert table["score"].tolist() == pytest.approx(expected["score"].astype(float).tolist(), abs=1e-9)
    assert [None if pd.isna(r) else int(r) for r in table["rank"]] == [
        None if pd.isna(r) else int(r) for r in expected["rank"]
    ]


def test_relative_method_shows_the_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.selectbox(key="method").set_value("topsis").run()
    at.switch_page("growthzones/app/surface.py").run()
    at.number_input(key="surface_cell").set_value(20_000.0).run()
    at.button(key="surface_make").click().run()
    assert [e.value for e in at.error] == [
        "method 'topsis' cannot make a surface: it scores each alternative against all the others (relative), "
        "not cell by cell; a surface takes wlc, wpm, owa, weakest_link (e.g. --method wlc), and 'topsis' can rank "
        "the regions located on it"
    ]


def test_surface_map_has_the_overlay_legend_and_regions():
    ds = gz.make_surface(gz.datasets.demo_config_path(), 10_000, drop=["site_area"])
    ov = maps.surface_overlay(ds, max_px=64, opacity=0.4)
    assert ov.opacity == 0.4 and ov.bounds[0][0] < ov.bounds[1][0]
    import geopandas as gpd
    from shapely import box

    regions = gpd.GeoDataFrame({"site_id": ["R001"], "name": ["Located region R001"], "mean_score": [61.5]},
                               geometry=[box(400_000, 300_000, 410_000, 310_000)], crs=27700)  # fmt: skip
    html = maps.surface_map(ds, opacity=0.4, regions=regions, tiles=None, max_px=64).get_root().render()
    assert "Suitability surface" in html and "located region" in html and "R001" in html
    assert '"opacity": 0.4' in html
    assert np.isfinite(ds["score"].values).any()
