"""Folium maps of an assessment (pure functions returning ``folium.Map``).

Sites are coloured by score on a sequential scale with a legend; ineligible sites are grey
with their failed gates in the popup. Input layers are added as toggleable overlays.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import branca.colormap as cm
import folium
import geopandas as gpd
import numpy as np

from growthzones.gates import format_value

if TYPE_CHECKING:
    from growthzones.assessment import Assessment

__all__ = ["INELIGIBLE_COLOR", "score_colormap", "site_map"]

INELIGIBLE_COLOR = "#9e9e9e"
_LAYER_COLORS = ("#d62728", "#1f77b4", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e")


def score_colormap(vmin: float = 0.0, vmax: float = 100.0) -> cm.LinearColormap:
    """The sequential colour scale used for scores (viridis, low purple to high yellow)."""
    colors = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"]
    return cm.LinearColormap(colors, vmin=vmin, vmax=vmax, caption="Suitability score (0-100)")


def site_map(
    a: Assessment,
    *,
    tiles: str | None = "OpenStreetMap",
    layers: bool = True,
    top: int | None = None,
    selected: str | None = None,
    simplify_m: float = 25.0,
) -> folium.Map:
    """Map the sites of an assessment coloured by score.

    Parameters
    ----------
    a
        The assessment.
    tiles
        A folium tile name, or None for no basemap (the map still reads: outline and layers
        are vectors).
    layers
        Add the input vector layers as toggleable overlays.
    top
        Only draw the top ``top`` eligible sites (and every ineligible one).
    selected
        A site id to zoom to and highlight.
    simplify_m
        Simplify site outlines to this tolerance in metres to keep the page small.

    Returns
    -------
    folium.Map
    """
    from growthzones.assessment import DEMO_NOTICE

    table = a.ranking
    if top is not None:
        keep = (~table["eligible"]) | (table["rank"].fillna(np.inf) <= top)
        table = table.loc[keep.to_numpy(dtype=bool)]
    wgs = _to_wgs84(table, simplify_m)
    minx, miny, maxx, maxy = wgs.total_bounds if len(wgs) else (-8, 50, 2, 59)
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=6, tiles=tiles, control_scale=True)

    if layers and a.layers is not None:
        for i, (key, gdf) in enumerate(sorted(a.layers.vectors.items())):
            _add_vector_layer(m, key, gdf, _LAYER_COLORS[i % len(_LAYER_COLORS)], a)

    scores = table["score"].to_numpy(dtype=float)
    finite = scores[np.isfinite(scores)]
    cmap = score_colormap(float(finite.min()) if finite.size else 0.0, float(finite.max()) if finite.size else 100.0)
    colors = [cmap(s) if np.isfinite(s) else INELIGIBLE_COLOR for s in scores]
    props = wgs.assign(
        _color=colors,
        _tooltip=[_tooltip(r) for _, r in table.iterrows()],
        _popup=[_popup(r, a) for _, r in table.iterrows()],
    )
    feats = props[["_color", "_tooltip", "_popup", "geometry"]].reset_index()
    sites = folium.FeatureGroup(name="Candidate sites", show=True)
    folium.GeoJson(
        feats.__geo_interface__,
        style_function=lambda f: {
            "fillColor": f["properties"]["_color"],
            "color": "#333333",
            "weight": 1,
            "fillOpacity": 0.8,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["_tooltip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["_popup"], labels=False),
        name="sites",
    ).add_to(sites)
    sites.add_to(m)
    cmap.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)

    if selected is not None and selected in wgs.index:
        b = wgs.loc[[selected]].total_bounds
        m.fit_bounds([[b[1], b[0]], [b[3], b[2]]], max_zoom=13)
    elif len(wgs):
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    if a.config.project.demo:
        _add_notice(m, DEMO_NOTICE)
    return m


def _to_wgs84(gdf: gpd.GeoDataFrame, simplify_m: float) -> gpd.GeoDataFrame:
    out = gdf[["geometry"]].copy()
    if simplify_m:
        out["geometry"] = out.geometry.simplify(simplify_m, preserve_topology=True)
    return out.to_crs(4326)


def _tooltip(row: Any) -> str:
    name = html.escape(str(row["name"]))
    if not row["eligible"]:
        return f"{name}: ineligible"
    return f"{name}: rank {int(row['rank'])}, score {row['score']:.1f}"


def _popup(row: Any, a: Assessment) -> str:
    lines = [f"<b>{html.escape(str(row['name']))}</b> ({html.escape(str(row.name))})"]
    if row["eligible"]:
        lines.append(f"Rank {int(row['rank'])} of {a.n_eligible}, score {row['score']:.1f}")
    else:
        lines.append("<b>Ineligible</b>: " + "<br>".join(html.escape(r) for r in str(row["gate_reasons"]).split("; ")))
    for c in a.config.criteria:
        lines.append(f"{html.escape(c.display)}: {html.escape(format_value(row[c.name], c.unit))}")
    return "<br>".join(lines)


def _add_vector_layer(m: folium.Map, key: str, gdf: gpd.GeoDataFrame, color: str, a: Assessment) -> None:
    label = a.config.layers[key].label or key.replace("_", " ")
    if a.config.layers[key].synthetic:
        label += " (synthetic)"
    fg = folium.FeatureGroup(name=label, show=False)
    wgs = gdf.to_crs(4326)
    kind = wgs.geom_type.iloc[0] if len(wgs) else "Point"
    if "Point" in kind:
        for geom in wgs.geometry:
            folium.CircleMarker([geom.y, geom.x], radius=3, color=color, fill=True, fill_opacity=0.8, weight=1).add_to(
                fg
            )
    else:
        simple = wgs[["geometry"]].copy()
        simple["geometry"] = simple.geometry.simplify(0.002, preserve_topology=True)
        style = {"color": color, "weight": 1.5, "fillOpacity": 0.15, "fillColor": color}
        folium.GeoJson(simple.__geo_interface__, style_function=lambda f, s=style: s).add_to(fg)
    fg.add_to(m)


def _add_notice(m: folium.Map, text: str) -> None:
    box = (
        '<div style="position: fixed; bottom: 24px; left: 12px; z-index: 9999; background: #fff8e1; '
        'border: 1px solid #f0b400; padding: 4px 8px; font: 12px sans-serif;">'
        f"{html.escape(text)}</div>"
    )
    m.get_root().html.add_child(folium.Element(box))
