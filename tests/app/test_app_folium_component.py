"""The app's cached map rendering sends streamlit-folium exactly what ``st_folium`` sends.

``growthzones.app._folium_component`` renders the base map once and only the sites layer per
rerun. The reference is streamlit-folium's own ``st_folium`` on an identically built map:
both calls go to a recording stand-in for the component, with element ids made
deterministic so the two builds can be compared byte for byte.
"""

from __future__ import annotations

import itertools
from typing import Any

import branca.element
import folium
import pytest
import streamlit_folium as stf

import growthzones as gz
from growthzones import maps
from growthzones.app import _folium_component as fc
from tests.conftest import write_tiny_project


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[gz.Assessment, maps.MapLayers]:
    a = gz.assess(write_tiny_project(tmp_path_factory.mktemp("tinycomponent")))
    return a, maps.prepare_layers(a)


def _reset_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Number folium elements from 0, so two identical builds render identically."""
    counter = itertools.count()
    monkeypatch.setattr(branca.element.Element, "_generate_id", lambda self: f"{next(counter):032x}")


@pytest.fixture
def record(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def component(**kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs)
        return kwargs["default"]

    monkeypatch.setattr(stf, "_component_func", component)
    _reset_ids(monkeypatch)
    return calls


def _build(a: gz.Assessment, layers: maps.MapLayers, tiles: str | None) -> tuple[folium.Map, folium.FeatureGroup]:
    m = maps.base_map(a, layers=layers, tiles=tiles)
    fg = maps.sites_layer(a.reweight(groups={"grid": 1.0}), layers=layers)
    return m, fg


@pytest.mark.parametrize("tiles", [None, "OpenStreetMap"])
def test_same_component_arguments_as_st_folium(
    tiny: tuple[gz.Assessment, maps.MapLayers],
    record: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    tiles: str | None,
) -> None:
    a, layers = tiny
    m, fg = _build(a, layers, tiles)
    stf.st_folium(
        m,
        key="site_map",
        height=620,
        use_container_width=True,
        returned_objects=["last_object_clicked"],
        render=False,
        feature_group_to_add=fg,
        layer_control=folium.LayerControl(collapsed=True),
    )
    _reset_ids(monkeypatch)
    m2, fg2 = _build(a, layers, tiles)
    base = fc.render_base(m2, key="site_map", group_name="Candidate sites")
    fc.show_map(base, fg2, key="site_map", height=620, returned_objects=["last_object_clicked"])
    ref, ours = record
    assert set(ref) == set(ours)
    for k in ref:
        if k == "on_change":
            continue
        if k == "feature_group":
            assert ours[k] == ref[k] + fc.FORGET_OLD_GROUPS
            continue
        assert ours[k] == ref[k], k
    # The sites really are in the group and the overlays in the layer control.
    assert "Site one" in ours["feature_group"] and "feature_group_feature_group_0" in ours["layer_control"]
    assert "Candidate sites" in ours["layer_control"]


def test_base_reused_across_reruns(tiny: tuple[gz.Assessment, maps.MapLayers], record: list[dict[str, Any]]) -> None:
    """One rendered base serves different site layers; only the group's script differs."""
    a, layers = tiny
    base = fc.render_base(maps.base_map(a, layers=layers, tiles=None), key="k", group_name="Candidate sites")
    fc.show_map(base, maps.sites_layer(a.reweight(groups={"grid": 1.0}), layers=layers), key="k")
    fc.show_map(base, maps.sites_layer(a.reweight(groups={"land": 1.0}), layers=layers), key="k")
    first, second = record
    assert first["script"] == second["script"] and first["key"] == second["key"]
    assert first["feature_group"] != second["feature_group"]
    assert first["feature_group"].count("map_div.addLayer(feature_group_feature_group_0)") == 1
