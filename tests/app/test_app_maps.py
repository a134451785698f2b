"""Maps as HTML: layers present, site colours follow scores, popups carry gate reasons, offline assets."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import pytest

import growthzones as gz
from growthzones import maps
from tests.conftest import write_tiny_project


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> gz.Assessment:
    return gz.assess(write_tiny_project(tmp_path_factory.mktemp("tinymap")))


@pytest.fixture(scope="module")
def demo(demo_config: Path) -> gz.Assessment:
    return gz.assess(demo_config)


def _html(m: folium.Map) -> str:
    return m.get_root().render()


def _site_features(m: folium.Map) -> dict[str, dict]:
    """Site id -> properties of the site markers layer."""
    for el in m._children.values():
        for child in getattr(el, "_children", {}).values():
            if isinstance(child, folium.GeoJson) and child.layer_name == "Site markers":
                return {f["properties"]["site_id"]: f["properties"] for f in child.data["features"]}
    raise AssertionError("no site markers layer")


def test_site_colours_follow_scores(tiny: gz.Assessment) -> None:
    m = maps.site_map(tiny, tiles=None)
    props = _site_features(m)
    assert set(props) == {"S1", "S2", "S3", "S4"}
    cmap = maps.score_colormap(0, 100)
    for sid in ("S1", "S2", "S3"):
        assert props[sid]["color"] == cmap(float(tiny.scores.at[sid, "score"]))[:7]
    # S1 scores highest: its colour is the yellowest (largest green channel in viridis).
    assert int(props["S1"]["color"][3:5], 16) > int(props["S3"]["color"][3:5], 16)
    assert props["S4"]["color"] == maps.INELIGIBLE_COLOR


def test_popup_lists_failed_gates_and_tooltip(tiny: gz.Assessment) -> None:
    m = maps.site_map(tiny, tiles=None)
    props = _site_features(m)
    assert "Ineligible" in props["S4"]["popup"]
    assert "site area is 4 ha; gate requires &gt;= 20 ha" in props["S4"]["popup"]
    assert "gate requires &lt;= 20 km" in props["S4"]["popup"]
    tip = props["S1"]["tip"]
    assert "Site one" in tip and "rank 1 of 3" in tip and "top strength" in tip
    html = _html(m)
    assert "Site four" in html and "Suitability score" in html


def test_layers_present_in_demo_map(demo: gz.Assessment) -> None:
    layers = maps.prepare_layers(demo, outline=maps.read_outline(demo.config))
    assert layers.outline is not None
    keys = {v.key for v in layers.vectors}
    assert {"substations", "fibre_hubs", "roads", "protected_areas"} <= keys
    assert {"transmission_lines_400", "transmission_lines_275"} <= keys
    assert {r.key for r in layers.rasters} >= {"water_stress", "flood_risk"}
    m = maps.site_map(demo, layers=layers, tiles=None)
    html = _html(m)
    for label in ("Transmission lines 400 kV (synthetic)", "Substations (synthetic)", "Fibre hubs (synthetic)",
                  "Roads (synthetic)", "Protected areas (synthetic)", "Water stress (synthetic)",
                  "Flood risk (synthetic)", "Candidate sites", "Outline"):  # fmt: skip
        assert label in html, label
    assert "L.control.layers" in html
    assert html.count("L.imageOverlay") >= 2
    assert "data:image/png;base64," in html
    assert "illustrative demo data" in html
    # Substations are sized by headroom: several distinct radii.
    subs = next(v for v in layers.vectors if v.key == "substations")
    radii = {round(f["properties"]["style"]["radius"], 2) for f in subs.geojson["features"]}
    assert len(radii) > 5


def test_raster_overlay_bounds_and_transparency(demo: gz.Assessment) -> None:
    info = demo.layers.rasters["water_stress"]
    r = maps.raster_overlay(info.path, key="water_stress", nodata=info.nodata, max_px=200)
    (s, w), (n, e) = r.bounds
    assert 48 < s < n < 63 and -12 < w < e < 5
    assert 0 <= r.vmin < r.vmax <= 1


def test_offline_assets_per_instance(tiny: gz.Assessment) -> None:
    m = maps.site_map(tiny, tiles=None, layers=False, leaflet_url="/app/static/leaflet")
    html = _html(m)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == ["/app/static/leaflet/leaflet.js"]
    assert "/app/static/leaflet/leaflet.css" in html
    assert "cdn.jsdelivr" not in html
    # The class default is untouched: other sessions still get their own choice.
    other = _html(maps.site_map(tiny, tiles=None, layers=False))
    assert "cdn.jsdelivr.net/npm/leaflet" in other
    assert folium.Map.default_js[0][1].startswith("https://")


def test_no_default_marker_icons(demo: gz.Assessment) -> None:
    html = _html(maps.site_map(demo, tiles=None))
    assert "L.marker(" not in html and "L.Icon.Default" not in html


def test_selection_and_filters(tiny: gz.Assessment) -> None:
    m = maps.site_map(tiny, tiles=None, layers=False, sites=["S1", "S2"], selected="S2")
    props = _site_features(m)
    assert set(props) == {"S1", "S2"}
    assert props["S2"]["selected"] and not props["S1"]["selected"]
    top = _site_features(maps.site_map(tiny, tiles=None, layers=False, top=1))
    assert set(top) == {"S1", "S4"}  # the top eligible site and every ineligible one


def test_tier_and_category_colouring(tiny: gz.Assessment) -> None:
    props = _site_features(maps.site_map(tiny, tiles=None, layers=False, color_by="tier"))
    assert props["S1"]["color"] == maps.TIER_COLORS["A"]
    import pandas as pd

    cats = pd.Series({"S1": "x", "S2": "y", "S3": "x", "S4": "y"})
    props = _site_features(maps.site_map(tiny, tiles=None, layers=False, color_by="kind", categories=cats))
    assert props["S1"]["color"] == props["S3"]["color"] != props["S2"]["color"]
    assert props["S4"]["color"] == maps.INELIGIBLE_COLOR


def test_cached_layer_rendering_equals_a_fresh_one():
    """Input layers are serialised once and reused: the page must be the same either way."""
    import re

    import growthzones as gz
    from growthzones import maps

    a = gz.assess(gz.datasets.demo_config_path())

    def page(cache: bool) -> str:
        layers = maps.prepare_layers(a, outline=maps.read_outline(a.config))
        old = maps._CachedGeoJson.cache_data
        maps._CachedGeoJson.cache_data = cache
        try:
            htmls = [maps.base_map(a, layers=layers, tiles=None).get_root().render() for _ in range(2)]
        finally:
            maps._CachedGeoJson.cache_data = old
        # element names are random per render
        return [re.sub(r"_[0-9a-f]{32}", "_X", h) for h in htmls]

    cached, fresh = page(True), page(False)
    assert cached[0] == cached[1] == fresh[0] == fresh[1]
    assert "geo_json_X_add" in cached[0]


def test_verbatim_rendering_equals_branca_stock_rendering(demo: gz.Assessment, monkeypatch) -> None:
    """maps' render override (private branca attributes, hence the folium/branca pin) only saves time.

    The page must be what branca's own ``MacroElement.render`` writes; this fails first when a
    new folium/branca changes what the override relies on.
    """
    import branca

    layers = maps.prepare_layers(demo, outline=maps.read_outline(demo.config))

    def page() -> str:
        m = maps.site_map(demo, layers=layers, tiles=None)
        return re.sub(r"_[0-9a-f]{32}", "_X", m.get_root().render())

    fast = page()
    monkeypatch.setattr(maps._VerbatimMacro, "render", branca.element.MacroElement.render)
    stock = page()
    assert fast == stock
    assert "geo_json_X_add" in fast and "image_overlay_X" in fast
