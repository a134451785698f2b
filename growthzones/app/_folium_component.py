"""Show a folium map in Streamlit with its unchanging part rendered once, not on every rerun.

``streamlit_folium.st_folium`` renders the whole map to JavaScript on every rerun of the
script. For the planners' map that is the basemap, the outline and every input layer (most
of a megabyte of script) although only the candidate sites change when a weight moves. Here
the base map is rendered once (:func:`render_base`, cached by the app) and each rerun renders
only the sites' feature group (:func:`show_map`), which streamlit-folium's front end swaps
into the mounted map.

The arguments sent to the streamlit-folium front end are those ``st_folium`` sends, plus one
line that lets the browser free replaced site layers (``tests/app/test_app_folium_component.py``
checks it). They are built with streamlit-folium's own helpers, so the component behaves the
same; only the work is not repeated. The helpers are private to streamlit-folium, so
``pyproject.toml`` pins the versions this was checked with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium as stf

#: The id streamlit-folium gives the first dynamic feature group (``feature_group_to_add``).
_FEATURE_GROUP_ID = "feature_group_0"


@dataclass(frozen=True)
class RenderedBase:
    """A base map rendered for streamlit-folium's front end: plain strings, safe to share.

    Attributes
    ----------
    script, header, html
        The map's Leaflet script, head and body parts as ``st_folium`` sends them.
    map_id
        The map's element id.
    key
        The component key (a hash of the script and the widget key), as ``st_folium`` makes it.
    bounds
        The map's bounds as ``[[south, west], [north, east]]``.
    zoom
        The map's initial zoom.
    css_links, js_links
        Stylesheets and scripts the front end loads before the map.
    layer_control
        The layer control's script, listing the base map's overlays and the feature group.
    """

    script: str
    header: str
    html: str
    map_id: str
    key: str
    bounds: tuple[tuple[Any, Any], tuple[Any, Any]]
    zoom: Any
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    layer_control: str


def _links(m: folium.Map) -> tuple[list[str], list[str]]:
    """CSS and JS links of ``m`` and its children, in ``st_folium``'s order."""

    def walk(el: Any) -> Iterable[Any]:
        if isinstance(el, branca.colormap.ColorMap):
            yield el
        if isinstance(el, folium.elements.JSCSSMixin):
            yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    css: list[str] = []
    js: list[str] = []
    for el in walk(m):
        if isinstance(el, branca.colormap.ColorMap):
            js.insert(0, "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js")
            js.insert(0, "https://d3js.org/d3.v4.min.js")
        css.extend(href for _, href in getattr(el, "default_css", []))
        js.extend(src for _, src in getattr(el, "default_js", []))
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def render_base(
    m: folium.Map,
    *,
    key: str,
    group_name: str,
    group_show: bool = True,
    layer_control: folium.LayerControl | None = None,
) -> RenderedBase:
    """Render ``m`` once for :func:`show_map`.

    Parameters
    ----------
    m
        The base map. It is consumed: rendering renames its elements, so do not reuse it.
    key
        The Streamlit widget key the map will be shown under.
    group_name, group_show
        Name and initial visibility of the feature group :func:`show_map` will add, so the
        layer control lists it.
    layer_control
        The layer control (a collapsed one if None).

    Returns
    -------
    RenderedBase
    """
    m.render()
    # Same order as st_folium: the map string is taken last because taking it renames elements.
    html = stf._get_html(m)
    header = stf._get_header(m)
    script = stf._get_map_string(m)
    map_id = stf.get_full_id(m)
    try:
        bounds = m.get_bounds()
    except AttributeError:
        bounds = [[None, None], [None, None]]
    css, js = _links(m)
    # The layer control only names the group, so a stand-in with the same id, name and
    # visibility gives the script the real group would.
    stand_in = folium.FeatureGroup(name=group_name, show=group_show)
    stand_in._id = _FEATURE_GROUP_ID
    stand_in.add_to(m)
    control = stf._get_layer_control_string(layer_control or folium.LayerControl(collapsed=True), m)
    return RenderedBase(
        script=script,
        header=header,
        html=html,
        map_id=map_id,
        key=stf.generate_js_hash(script, key, False),
        bounds=(tuple(bounds[0]), tuple(bounds[1])),
        zoom=m.options.get("zoom"),
        css_links=tuple(css),
        js_links=tuple(js),
        layer_control=control,
    )


def feature_group_script(group: folium.FeatureGroup) -> str:
    """The script ``st_folium`` sends for ``feature_group_to_add=group``.

    ``group`` is consumed (it is attached to a throwaway map and renamed).
    """
    return stf._get_feature_group_string(group, map=folium.Map(tiles=None), idx=0)


#: Appended to each group's script: streamlit-folium's front end keeps every replaced group
#: in ``window.feature_group`` (it only takes them off the map), so a long session of slider
#: moves would hold hundreds of old site layers in memory. Only the newest is ever on the map.
FORGET_OLD_GROUPS = "\nwindow.feature_group = window.feature_group.slice(-1);\n"


def show_map(
    base: RenderedBase,
    group: folium.FeatureGroup,
    *,
    key: str,
    height: int = 700,
    width: int | None = None,
    returned_objects: Sequence[str] | None = None,
) -> dict[str, Any] | None:
    """Draw ``base`` with ``group`` on it, as ``st_folium(m, feature_group_to_add=group, ...)`` would.

    Only ``group`` is rendered here; when only it changed between reruns the front end swaps
    it into the mounted map without redrawing the rest.

    Parameters
    ----------
    base
        From :func:`render_base` (with the same ``key``).
    group
        The feature group that changes between reruns (consumed).
    key, height, width, returned_objects
        As for ``st_folium``; ``width=None`` fills the container.

    Returns
    -------
    dict or None
        What the map returned (e.g. ``last_object_clicked``), as ``st_folium`` returns it.
    """
    (south, west), (north, east) = base.bounds
    defaults_all = {
        "last_clicked": None,
        "last_object_clicked": None,
        "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_popup": None,
        "all_drawings": None,
        "last_active_drawing": None,
        "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        "zoom": base.zoom,
        "last_circle_radius": None,
        "last_circle_polygon": None,
        "selected_layers": None,
        "selected_tags": None,
        "last_geocoder_result": None,
    }
    defaults = {k: v for k, v in defaults_all.items() if returned_objects is None or k in returned_objects}

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(base.key, {})

    return stf._component_func(
        script=base.script,
        header=base.header,
        html=base.html,
        id=base.map_id,
        key=base.key,
        height=height,
        width=width,
        returned_objects=returned_objects,
        default=defaults,
        zoom=None,
        center=None,
        feature_group=feature_group_script(group) + FORGET_OLD_GROUPS,
        return_on_hover=False,
        layer_control=base.layer_control,
        pixelated=False,
        css_links=list(base.css_links),
        js_links=list(base.js_links),
        on_change=on_change,
        wrap_longitude=False,
    )
