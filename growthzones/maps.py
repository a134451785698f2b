"""Folium maps of an assessment (pure functions returning ``folium.Map``).

Sites are coloured by score on a sequential scale (or by tier, or any categorical column)
with a legend; ineligible sites are grey with their failed gates in the popup. Every input
layer is a toggleable overlay: transmission lines by voltage, substations sized by headroom,
other points, lines and polygons, and rasters as semi-transparent images with legends. A
vector outline (e.g. Great Britain) lets the map read without any basemap tiles.

Two things make the maps work in the app:

- :func:`prepare_layers` does the slow part once (reprojecting and simplifying every layer to
  EPSG:4326, warping rasters to PNG images) and returns plain data the app caches;
  :func:`site_map` then only colours the sites, so a re-weighted map is quick to build.
- ``leaflet_url`` makes a map load Leaflet from a local URL (e.g. Streamlit's static file
  serving) instead of a CDN. It is set on the map *instance*, never on the ``folium.Map``
  class, because one process serves many sessions.

No default (image) marker is used anywhere: Leaflet's default icon breaks when Leaflet is
served from another path, so points are ``CircleMarker``s.
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import branca
import folium
import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
import shapely

from growthzones.gates import format_value

if TYPE_CHECKING:
    from growthzones.assessment import Assessment
    from growthzones.config import Config
    from growthzones.known import KnownCheck

__all__ = [
    "BASEMAPS",
    "INELIGIBLE_COLOR",
    "SCORE_COLORS",
    "SITES_GROUP",
    "TIER_COLORS",
    "MapLayers",
    "PopupBodies",
    "RasterOverlay",
    "VectorOverlay",
    "base_map",
    "known_map",
    "popup_bodies",
    "prepare_layers",
    "raster_overlay",
    "read_outline",
    "score_colormap",
    "site_map",
    "sites_layer",
    "surface_map",
    "surface_overlay",
    "use_local_leaflet",
]

log = logging.getLogger(__name__)

INELIGIBLE_COLOR = "#9e9e9e"
#: The layer-control name of the candidate sites layer (:func:`sites_layer`).
SITES_GROUP = "Candidate sites"
#: Viridis stops: dark purple (low) to yellow (high); readable for colour-blind viewers.
SCORE_COLORS = ("#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725")
TIER_COLORS = {"A": "#1a9850", "B": "#91cf60", "C": "#fee08b", "D": "#fc8d59", "ineligible": INELIGIBLE_COLOR}
_CATEGORY_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
_VOLTAGE_COLORS = {400.0: "#b2182b", 275.0: "#2166ac", 132.0: "#1b7837"}
_LAYER_COLORS = ("#6a3d9a", "#e31a1c", "#1f78b4", "#33a02c", "#ff7f00", "#b15928", "#a6cee3", "#fb9a99")
#: Matplotlib colour maps per raster, chosen by words in the layer key.
_RASTER_CMAPS = (("flood", "Blues"), ("water", "YlOrRd"), ("slope", "copper_r"))

#: Basemaps offered by the app: label -> folium tiles name (None: no tiles, vectors only).
BASEMAPS: dict[str, str | None] = {
    "OpenStreetMap": "OpenStreetMap",
    "Light (CARTO Positron)": "CartoDB positron",
    "None (outline only)": None,
}


# --------------------------------------------------------------------------------------------
# fast rendering of big elements


class _Verbatim(branca.element.Element):
    """Text output as is.

    branca wraps every rendered script in ``Element(text)``, which compiles the text as a
    Jinja template: for a GeoJSON layer of a few hundred kB that is most of the time a map
    takes to render (and streamlit-folium renders a map twice per run).
    """

    _passthrough = jinja2.Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self._template = self._passthrough


#: JSON text of GeoJSON data already serialised, by ``id(data)``: (data, text). The input
#: layers' data lives in the app's cached prepared layers, so the same object comes back on
#: every rerun and its serialisation (most of a map's render time) is reused. The entry keeps
#: the object alive, so its id cannot be reused by another object.
_JSON_CACHE: dict[int, tuple[Any, str]] = {}
_JSON_CACHE_SIZE = 64
_PLACEHOLDER = {"__growthzones_data__": 0}
# Jinja's ``tojson`` sorts keys: so do we, so a cached rendering equals a fresh one.
_PLACEHOLDER_JSON = jinja2.utils.htmlsafe_json_dumps(_PLACEHOLDER, sort_keys=True)


def _data_json(data: Any) -> str:
    hit = _JSON_CACHE.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    text = str(jinja2.utils.htmlsafe_json_dumps(data, sort_keys=True))
    if len(_JSON_CACHE) >= _JSON_CACHE_SIZE:
        _JSON_CACHE.pop(next(iter(_JSON_CACHE)))
    _JSON_CACHE[id(data)] = (data, text)
    return text


class _VerbatimMacro(branca.element.MacroElement):
    """``MacroElement.render`` with the macros' output added verbatim (see :class:`_Verbatim`).

    It uses branca's private ``_template``/``_children``, so folium and branca are pinned in
    ``pyproject.toml`` to the versions a test checks it against (same page as branca's render).

    An element with ``cache_data = True`` has its ``data`` serialised once per data object
    (see :data:`_JSON_CACHE`) and spliced into the rendered script.
    """

    cache_data = False

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = self._template.module.__dict__
        data = getattr(self, "data", None) if self.cache_data else None
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = module.get(part)
            if macro is None:
                continue
            if data is None:
                text = macro(self, kwargs)
            else:
                self.data = _PLACEHOLDER
                try:
                    text = str(macro(self, kwargs))
                finally:
                    self.data = data
                text = text.replace(_PLACEHOLDER_JSON, _data_json(data))
            target.add_child(_Verbatim(text), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _GeoJson(folium.GeoJson, _VerbatimMacro):
    """``folium.GeoJson`` rendered without compiling its data as a template."""


class _CachedGeoJson(_GeoJson):
    """A :class:`_GeoJson` whose data is serialised once and reused on later renders.

    For data that never changes once made: the input layers.
    """

    cache_data = True


class _ImageOverlay(folium.raster_layers.ImageOverlay, _VerbatimMacro):
    """``folium.raster_layers.ImageOverlay`` rendered without compiling its image as a template."""


# --------------------------------------------------------------------------------------------
# prepared layers


@dataclass(frozen=True)
class VectorOverlay:
    """A vector layer ready for folium: GeoJSON in EPSG:4326 with style and tooltip per feature."""

    key: str
    label: str
    kind: str  # "point" | "line" | "polygon"
    geojson: dict[str, Any]
    show: bool = False
    legend: str = ""


@dataclass(frozen=True)
class RasterOverlay:
    """A raster warped to Web Mercator and coloured, as a PNG data URL with its lat/lon bounds."""

    key: str
    label: str
    image: str
    bounds: tuple[tuple[float, float], tuple[float, float]]
    vmin: float
    vmax: float
    colors: tuple[str, ...]
    opacity: float = 0.6


@dataclass(frozen=True)
class MapLayers:
    """Everything about a map that does not change when weights do (cache it).

    Attributes
    ----------
    sites
        Site outlines in EPSG:4326 (simplified), indexed by site id.
    points
        A representative point inside each site, EPSG:4326, for markers visible at any zoom.
    vectors, rasters
        The input layers as overlays.
    outline
        GeoJSON of the area outline (e.g. Great Britain), or None.
    """

    sites: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    vectors: tuple[VectorOverlay, ...] = ()
    rasters: tuple[RasterOverlay, ...] = ()
    outline: dict[str, Any] | None = field(default=None, repr=False)


def read_outline(config: Config) -> gpd.GeoDataFrame | None:
    """Read the outline layer used as the map's backdrop, if the project has one.

    A layer keyed ``outline`` or ``gb_outline`` in ``[layers]`` is used; failing that, a layer
    called ``gb_outline`` or ``outline`` inside any GeoPackage the config already reads (the
    bundled demo keeps its outline in ``layers.gpkg``).

    Examples
    --------
    >>> import growthzones as gz
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> outline = read_outline(config)
    >>> len(outline), outline.crs.to_epsg()
    (1, 27700)
    """
    from growthzones.layers import list_layers, read_vector

    for key in ("outline", "gb_outline"):
        lay = config.layers.get(key)
        if lay is not None and lay.kind == "vector":
            return read_vector(lay.path, layer=lay.layer, crs=config.project.crs, what=f"layers.{key}")[0]
    files = [config.sites.path, *(lay.path for lay in config.layers.values() if lay.kind == "vector")]
    for path in dict.fromkeys(Path(f) for f in files):
        if path.suffix.lower() != ".gpkg" or not path.is_file():
            continue
        try:
            names = list_layers(path)
        except Exception:  # an unreadable file is reported by the assessment, not here
            continue
        for name in ("gb_outline", "outline"):
            if name in names:
                return read_vector(path, layer=name, crs=config.project.crs, what=f"outline ({name})")[0]
    return None


def prepare_layers(
    a: Assessment,
    *,
    outline: gpd.GeoDataFrame | None = None,
    extra: Mapping[str, gpd.GeoDataFrame] | None = None,
    raster_max_px: int = 640,
    simplify_m: float = 25.0,
) -> MapLayers:
    """Reproject, simplify and style everything the map shows except the site colours.

    Parameters
    ----------
    a
        The assessment (its ``layers`` supply the overlays).
    outline
        An outline layer in any CRS (see :func:`read_outline`).
    extra
        More vector layers to show, by key (e.g. layers no criterion uses).
    raster_max_px
        Longest side of each raster image; keeps the page small.
    simplify_m
        Site outline simplification tolerance, metres.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> ml = prepare_layers(a, raster_max_px=64)
    >>> type(ml).__name__, sorted(r.key for r in ml.rasters)
    ('MapLayers', ['flood_risk', 'slope', 'water_stress'])
    """
    sites = a.sites[["geometry"]].copy()
    if simplify_m:
        sites["geometry"] = sites.geometry.simplify(simplify_m, preserve_topology=True)
    points = gpd.GeoDataFrame(geometry=a.sites.geometry.representative_point(), index=a.sites.index, crs=a.sites.crs)
    vectors: list[VectorOverlay] = []
    rasters: list[RasterOverlay] = []
    if a.layers is not None:
        layer_items = {**a.layers.vectors, **dict(extra or {})}
        for i, (key, gdf) in enumerate(sorted(layer_items.items())):
            lay = a.config.layers.get(key)
            label = (lay.label if lay and lay.label else key.replace("_", " ").capitalize()) + (
                " (synthetic)" if lay is not None and lay.synthetic else ""
            )
            vectors.extend(_vector_overlays(key, label, gdf, _LAYER_COLORS[i % len(_LAYER_COLORS)]))
        for key, info in sorted(a.layers.rasters.items()):
            lay = a.config.layers.get(key)
            label = (lay.label if lay and lay.label else key.replace("_", " ").capitalize()) + (
                " (synthetic)" if lay is not None and lay.synthetic else ""
            )
            try:
                rasters.append(
                    raster_overlay(
                        info.path, key=key, label=label, band=info.band, nodata=info.nodata, max_px=raster_max_px
                    )
                )
            except Exception as exc:  # a map without one raster is better than no map
                log.warning("raster %s not drawn on the map: %s", key, exc)
    out_geojson = None
    if outline is not None and len(outline):
        o = outline[["geometry"]].to_crs(4326)
        o["geometry"] = shapely.set_precision(o.geometry.simplify(0.005).values, 1e-4)
        out_geojson = o.__geo_interface__
    # About 1 m: finer than any zoom shows, and half the characters of full precision.
    sites = sites.to_crs(4326)
    sites["geometry"] = shapely.set_precision(sites.geometry.values, 1e-5)
    points = points.to_crs(4326)
    points["geometry"] = shapely.set_precision(points.geometry.values, 1e-5)
    return MapLayers(
        sites=sites,
        points=points,
        vectors=tuple(vectors),
        rasters=tuple(rasters),
        outline=out_geojson,
    )


def _vector_overlays(key: str, label: str, gdf: gpd.GeoDataFrame, color: str) -> list[VectorOverlay]:
    """Style one vector layer; lines with a voltage become one overlay per voltage."""
    wgs = gdf.to_crs(4326)
    kinds = set(wgs.geom_type.dropna().unique())
    kind = (
        "point"
        if kinds <= {"Point", "MultiPoint"}
        else "line"
        if kinds <= {"LineString", "MultiLineString"}
        else ("polygon")
    )
    if kind != "point":
        geoms = wgs.geometry.simplify(0.001 if kind == "polygon" else 0.0005, preserve_topology=True)
        wgs = wgs.set_geometry(shapely.set_precision(geoms.values, 1e-5))
    tips = _feature_tips(wgs)
    if kind == "line" and "voltage_kv" in wgs.columns:
        out = []
        volts = pd.to_numeric(wgs["voltage_kv"], errors="coerce")
        for v in sorted(volts.dropna().unique(), reverse=True):
            sel = (volts == v).to_numpy()
            c = _VOLTAGE_COLORS.get(float(v), color)
            style = {"color": c, "weight": 3.0 if v >= 400 else 2.2 if v >= 275 else 1.4, "opacity": 0.9}
            out.append(
                VectorOverlay(
                    key=f"{key}_{v:g}",
                    label=_insert(label, f" {v:g} kV"),
                    kind="line",
                    geojson=_geojson(wgs.loc[sel], tips[sel], [style] * int(sel.sum())),
                    legend=_line_swatch(c, style["weight"], f"{v:g} kV line"),
                )
            )
        return out
    if kind == "point":
        if "headroom_mw" in wgs.columns:
            head = pd.to_numeric(wgs["headroom_mw"], errors="coerce").fillna(0).clip(lower=0).to_numpy()
            top = float(head.max()) or 1.0
            radius = 3 + 9 * np.sqrt(head / top)
            volts = pd.to_numeric(wgs.get("voltage_kv", pd.Series(np.nan, index=wgs.index)), errors="coerce")
            colors = [_VOLTAGE_COLORS.get(float(v), color) if pd.notna(v) else color for v in volts]
            styles = [
                {"radius": float(r), "color": "#222222", "weight": 0.8, "fillColor": c, "fillOpacity": 0.85}
                for r, c in zip(radius, colors, strict=True)
            ]
            legend = f"{html.escape(label)}: circle area ~ headroom (largest {top:,.0f} MW)"
        else:
            r = 4.0 if len(wgs) < 100 else 2.5
            styles = [{"radius": r, "color": "#222222", "weight": 0.6, "fillColor": color, "fillOpacity": 0.9}] * len(
                wgs
            )
            legend = _dot_swatch(color, label)
        return [VectorOverlay(key, label, "point", _geojson(wgs, tips, styles), legend=legend)]
    if kind == "line":
        kinds_col = wgs["kind"].astype(str) if "kind" in wgs.columns else pd.Series("", index=wgs.index)
        road = {"motorway": "#1f4e9c", "trunk": "#2e8b57"}
        styles = [
            {"color": road.get(k, color), "weight": 2.0 if k == "motorway" else 1.5, "opacity": 0.85} for k in kinds_col
        ]
        legend = _line_swatch(color, 1.5, label)
        if set(kinds_col) & set(road):
            legend = " ".join(_line_swatch(road[k], 2.0, k) for k in road if k in set(kinds_col))
        return [VectorOverlay(key, label, "line", _geojson(wgs, tips, styles), legend=legend)]
    style = {"color": color, "weight": 1.0, "fillColor": color, "fillOpacity": 0.25}
    return [VectorOverlay(key, label, "polygon", _geojson(wgs, tips, [style] * len(wgs)), legend=_box(color, label))]


def _insert(label: str, text: str) -> str:
    """Insert ``text`` before a trailing " (synthetic)" (or append it)."""
    tag = " (synthetic)"
    return label[: -len(tag)] + text + tag if label.endswith(tag) else label + text


def _feature_tips(gdf: gpd.GeoDataFrame) -> np.ndarray:
    name_col = next((c for c in ("name", "ref", "line_id", "id") if c in gdf.columns), None)
    parts = []
    for col, fmt in (
        ("voltage_kv", "{:g} kV"),
        ("headroom_mw", "{:,.0f} MW headroom"),
        ("kind", "{}"),
        ("designation", "{}"),
    ):
        if col in gdf.columns:
            parts.append((col, fmt))
    tips = []
    for _, r in gdf.iterrows():
        head = html.escape(str(r[name_col])) if name_col else ""
        extra = []
        for col, fmt in parts:
            v = r[col]
            if pd.notna(v):
                try:
                    extra.append(html.escape(fmt.format(v)))
                except (ValueError, TypeError):
                    extra.append(html.escape(str(v)))
        tips.append(f"<b>{head}</b>" + (f"<br>{', '.join(extra)}" if extra else ""))
    return np.array(tips, dtype=object)


def _geojson(gdf: gpd.GeoDataFrame, tips: np.ndarray, styles: Sequence[dict[str, Any]]) -> dict[str, Any]:
    feats = []
    for geom, tip, style in zip(gdf.geometry.values, tips, styles, strict=True):
        if geom is None or geom.is_empty:
            continue
        feats.append(
            {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": {"tip": tip, "style": style}}
        )
    return {"type": "FeatureCollection", "features": feats}


def raster_overlay(
    path: str | Path,
    *,
    key: str,
    label: str = "",
    band: int = 1,
    nodata: float | None = None,
    max_px: int = 640,
    cmap: str | None = None,
    opacity: float = 0.6,
) -> RasterOverlay:
    """Warp a raster to Web Mercator, colour it and encode it as a PNG data URL.

    Leaflet stretches an image overlay linearly in Web Mercator, so warping to EPSG:3857
    (not EPSG:4326) is what puts each cell in the right place; nodata is transparent.

    Examples
    --------
    >>> import growthzones as gz
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> ov = raster_overlay(config.layers["slope"].path, key="slope", label="Slope", max_px=64)
    >>> ov.key, ov.image.startswith("data:image/png;base64,"), ov.opacity
    ('slope', True, 0.6)
    """
    import matplotlib as mpl
    import rasterio
    from affine import Affine
    from PIL import Image
    from pyproj import Transformer
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    with rasterio.open(path) as src:
        nod = nodata if nodata is not None else src.nodatavals[band - 1]
        transform, w0, h0 = calculate_default_transform(src.crs, "EPSG:3857", src.width, src.height, *src.bounds)
        left, bottom, right, top = rasterio.transform.array_bounds(h0, w0, transform)
        scale = max(w0, h0) / max_px
        width, height = max(1, round(w0 / scale)), max(1, round(h0 / scale))
        dst_transform = Affine((right - left) / width, 0.0, left, 0.0, -(top - bottom) / height, top)
        data = np.full((height, width), np.nan, dtype="float32")
        reproject(
            source=rasterio.band(src, band),
            destination=data,
            src_nodata=nod,
            dst_nodata=np.nan,
            dst_transform=dst_transform,
            dst_crs="EPSG:3857",
            resampling=Resampling.average,
        )
    valid = np.isfinite(data)
    vmin = float(np.nanmin(data)) if valid.any() else 0.0
    vmax = float(np.nanmax(data)) if valid.any() else 1.0
    name = cmap or next((c for word, c in _RASTER_CMAPS if word in key.lower()), "viridis")
    colormap = mpl.colormaps[name]
    norm = (data - vmin) / ((vmax - vmin) or 1.0)
    rgba = (colormap(np.nan_to_num(norm, nan=0.0)) * 255).astype("uint8")
    rgba[..., 3] = np.where(valid, 255, 0)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    to_ll = Transformer.from_crs(3857, 4326, always_xy=True)
    w, s = to_ll.transform(left, bottom)
    e, n = to_ll.transform(right, top)
    stops = tuple(mpl.colors.to_hex(colormap(x)) for x in np.linspace(0, 1, 6))
    return RasterOverlay(
        key=key,
        label=label or key,
        image=url,
        bounds=((s, w), (n, e)),
        vmin=vmin,
        vmax=vmax,
        colors=stops,
        opacity=opacity,
    )


# --------------------------------------------------------------------------------------------
# colours and legends


def score_colormap(vmin: float = 0.0, vmax: float = 100.0) -> Any:
    """The sequential colour scale used for scores (branca ``LinearColormap``, viridis).

    Examples
    --------
    >>> cmap = score_colormap()
    >>> cmap.vmin, cmap.vmax, cmap(0), cmap(100)
    (0.0, 100.0, '#440154ff', '#fde725ff')
    """
    import branca.colormap as cm

    return cm.LinearColormap(list(SCORE_COLORS), vmin=vmin, vmax=vmax, caption="Suitability score (0-100)")


def _gradient(colors: Sequence[str]) -> str:
    return f"linear-gradient(to right, {', '.join(colors)})"


def _line_swatch(color: str, weight: float, label: str) -> str:
    return (
        f'<span style="display:inline-block;width:18px;height:0;border-top:{max(weight, 1.5):.0f}px solid {color};'
        f'vertical-align:middle;margin-right:4px"></span>{html.escape(label)}'
    )


def _dot_swatch(color: str, label: str) -> str:
    return (
        f'<span style="display:inline-block;width:9px;height:9px;border-radius:50%;background:{color};'
        f'border:1px solid #222;margin-right:4px"></span>{html.escape(label)}'
    )


def _box(color: str, label: str) -> str:
    return (
        f'<span style="display:inline-block;width:12px;height:10px;background:{color};opacity:.6;'
        f'border:1px solid {color};margin-right:4px"></span>{html.escape(label)}'
    )


def _legend_html(site_part: str, layers: MapLayers | None) -> str:
    rows = [site_part]
    extra = []
    if layers is not None:
        for r in layers.rasters:
            extra.append(
                f"<div>{html.escape(r.label)}<div style='height:9px;width:150px;background:{_gradient(r.colors)};"
                f"opacity:{r.opacity}'></div><div style='display:flex;justify-content:space-between;width:150px'>"
                f"<span>{r.vmin:.3g}</span><span>{r.vmax:.3g}</span></div></div>"
            )
        for v in layers.vectors:
            if v.legend:
                extra.append(f"<div>{v.legend}</div>")
    if extra:
        rows.append("<details><summary>Layer legends</summary>" + "".join(extra) + "</details>")
    return (
        '<div class="gz-legend" style="position:absolute;bottom:26px;right:10px;z-index:1000;'
        "background:rgba(255,255,255,.92);"
        "border:1px solid #999;border-radius:4px;padding:6px 8px;font:11px/1.35 sans-serif;max-width:260px;"
        'max-height:60%;overflow:auto">' + "".join(rows) + "</div>"
    )


def _score_legend(vmin: float, vmax: float) -> str:
    return (
        "<b>Suitability score</b>"
        f"<div style='height:10px;width:160px;background:{_gradient(SCORE_COLORS)}'></div>"
        f"<div style='display:flex;justify-content:space-between;width:160px'><span>{vmin:.0f}</span>"
        f"<span>{vmax:.0f}</span></div>"
        f"<div>{_box(INELIGIBLE_COLOR, 'ineligible (fails a gate)')}</div>"
    )


def _category_legend(title: str, colors: Mapping[str, str]) -> str:
    items = "".join(f"<div>{_box(c, str(k))}</div>" for k, c in colors.items())
    return f"<b>{html.escape(title)}</b>{items}"


def _legend_for(a: Assessment, color_by: str, categories: pd.Series | None) -> str:
    if color_by == "score":
        return _score_legend(0.0, 100.0)
    if color_by == "tier":
        return _category_legend("Tier", TIER_COLORS)
    palette = _palette(a.table, color_by, categories)
    return _category_legend(color_by.replace("_", " ").capitalize(), {**palette, "ineligible": INELIGIBLE_COLOR})


def _palette(table: pd.DataFrame, color_by: str, categories: pd.Series | None) -> dict[str, str]:
    values = (categories if categories is not None else table[color_by]).astype(str)
    levels = sorted(v for v in values.unique() if v not in ("", "nan", "None", "<NA>"))
    return {lev: _CATEGORY_COLORS[i % len(_CATEGORY_COLORS)] for i, lev in enumerate(levels)}


def _site_colors(table: pd.DataFrame, color_by: str, categories: pd.Series | None) -> list[str]:
    """A colour per site; ineligible sites grey whatever the colouring."""
    elig = table["eligible"].to_numpy(dtype=bool)
    if color_by == "score":
        scores = table["score"].to_numpy(dtype=float)
        cmap = score_colormap(0.0, 100.0)
        return [cmap(s)[:7] if (e and np.isfinite(s)) else INELIGIBLE_COLOR for s, e in zip(scores, elig, strict=True)]
    if color_by == "tier":
        return [TIER_COLORS.get(t, INELIGIBLE_COLOR) for t in table["tier"].astype(str)]
    palette = _palette(table, color_by, categories)
    values = (categories if categories is not None else table[color_by]).reindex(table.index).astype(str)
    return [palette.get(v, INELIGIBLE_COLOR) if e else INELIGIBLE_COLOR for v, e in zip(values, elig, strict=True)]


# --------------------------------------------------------------------------------------------
# the map


def use_local_leaflet(m: folium.Map, url: str = "/app/static/leaflet") -> folium.Map:
    """Make ``m`` load Leaflet's JS and CSS from ``url`` instead of a CDN (offline use).

    Only this map instance changes (an instance attribute shadows the class default), so
    other sessions' maps are unaffected. jQuery, Bootstrap and Awesome Markers are dropped:
    nothing drawn here uses them.

    Examples
    --------
    >>> m = use_local_leaflet(folium.Map(tiles=None), "/static/leaflet")
    >>> "/static/leaflet/leaflet.js" in m.get_root().render()
    True
    """
    base = url.rstrip("/")
    m.default_js = [("leaflet", f"{base}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{base}/leaflet.css")]
    return m


def _prepared(a: Assessment, layers: bool | MapLayers, simplify_m: float) -> MapLayers:
    if isinstance(layers, MapLayers):
        return layers
    if layers:
        from contextlib import suppress

        outline = None
        with suppress(Exception):  # an outline is a nicety; the assessment already read everything needed
            outline = read_outline(a.config)
        return prepare_layers(a, outline=outline, simplify_m=simplify_m)
    return MapLayers(
        sites=a.sites[["geometry"]].to_crs(4326),
        points=gpd.GeoDataFrame(geometry=a.sites.geometry.representative_point(), crs=a.sites.crs).to_crs(4326),
    )


def _site_table(a: Assessment, sites: Sequence[str] | None, top: int | None) -> pd.DataFrame:
    table = a.ranking
    if sites is not None:
        table = table.loc[table.index.isin(list(sites))]
    if top is not None:
        keep = (~table["eligible"].to_numpy(dtype=bool)) | (table["rank"].to_numpy(dtype=float, na_value=np.inf) <= top)
        table = table.loc[keep]
    return table


def base_map(
    a: Assessment,
    *,
    layers: bool | MapLayers = True,
    tiles: str | None = "OpenStreetMap",
    leaflet_url: str | None = None,
    color_by: str = "score",
    categories: pd.Series | None = None,
    show_layers: Sequence[str] = (),
    simplify_m: float = 25.0,
    selected: str | None = None,
    shared_popups: bool = False,
) -> folium.Map:
    """The map without the sites: basemap, outline, input layers, legend, demo notice.

    Nothing here depends on weights, method or gates, so the app can keep this map mounted
    in the browser and only swap the layer from :func:`sites_layer` when they change.
    Parameters are as for :func:`site_map`; the map is framed on ``selected`` if given. With
    ``shared_popups`` the map defines the criteria part of every site's popup
    (:class:`PopupBodies`) for a :func:`sites_layer` made with ``shared_popups=True``.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> m = base_map(a, layers=False, tiles=None)
    >>> type(m).__name__
    'Map'
    """
    from growthzones.provenance import DEMO_NOTICE

    prepared = _prepared(a, layers, simplify_m)
    if len(prepared.sites):
        minx, miny, maxx, maxy = prepared.sites.total_bounds
    else:
        minx, miny, maxx, maxy = (-8.0, 50.0, 2.0, 59.0)
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=6,
        tiles=tiles,
        control_scale=True,
        # Fractional zoom lets fitBounds fill the frame with a whole country.
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    if leaflet_url:
        use_local_leaflet(m, leaflet_url)
    if prepared.outline is not None:
        _GeoJson(
            prepared.outline,
            name="Outline",
            style_function=lambda f: {"color": "#555555", "weight": 1, "fillColor": "#f2efe9", "fillOpacity": 0.6},
            interactive=False,
        ).add_to(m)
    shown = set(show_layers)
    for r in prepared.rasters:
        _ImageOverlay(
            r.image,
            bounds=[list(r.bounds[0]), list(r.bounds[1])],
            opacity=r.opacity,
            name=r.label,
            show=r.key in shown,
            interactive=False,
            zindex=2,
        ).add_to(m)
    for v in prepared.vectors:
        fg = folium.FeatureGroup(name=v.label, show=v.key in shown or v.key.rsplit("_", 1)[0] in shown)
        kwargs: dict[str, Any] = {}
        if v.kind == "point":
            kwargs["marker"] = folium.CircleMarker(radius=3, fill=True)
        if v.geojson["features"]:
            _CachedGeoJson(v.geojson, tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False), **kwargs).add_to(fg)
        fg.add_to(m)
    legend = _legend_for(a, color_by, categories)
    m.get_root().html.add_child(folium.Element(_legend_html(legend, prepared)))
    if selected is not None and selected in prepared.sites.index:
        b = prepared.sites.loc[[selected]].total_bounds
        pad = 0.03
        m.fit_bounds([[b[1] - pad, b[0] - pad], [b[3] + pad, b[2] + pad]], max_zoom=13)
    elif len(prepared.sites):
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    if a.config.project.demo:
        _add_notice(m, DEMO_NOTICE)
    if shared_popups:
        PopupBodies(popup_bodies(a)).add_to(m)
    return m


def sites_layer(
    a: Assessment,
    *,
    layers: bool | MapLayers = False,
    sites: Sequence[str] | None = None,
    top: int | None = None,
    selected: str | None = None,
    color_by: str = "score",
    categories: pd.Series | None = None,
    simplify_m: float = 25.0,
    shared_popups: bool = False,
) -> folium.FeatureGroup:
    """The candidate sites as one feature group: outlines plus a marker inside each site.

    Outlines show each site's real footprint when zoomed in; the markers keep every site
    visible at national scale, where a 50 ha site is smaller than a pixel. Markers carry the
    popup (rank and score, or every failed gate, then each criterion); both carry the tooltip
    (name, rank, score, top strength). Parameters are as for :func:`site_map`, and:

    shared_popups
        Leave the criteria part of each popup out of the layer: the page defines it once with
        :class:`PopupBodies` (the app puts that in its cached base map).

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> fg = sites_layer(a, top=5)
    >>> m = folium.Map(tiles=None)
    >>> _ = fg.add_to(m)
    >>> type(fg).__name__, "Inverness Riverside Data Campus" in m.get_root().render()
    ('FeatureGroup', True)
    """
    from growthzones.explain import top_strengths

    prepared = _prepared(a, layers, simplify_m)
    table = _site_table(a, sites, top)
    ids = table.index
    polys = prepared.sites.reindex(ids)
    pts = prepared.points.reindex(ids)
    colors = _site_colors(table, color_by, categories)
    color_of = dict(zip(ids, colors, strict=True))
    tips = _tooltips(table, top_strengths(a), a.n_eligible)
    pops = _popup_heads(a, table) if shared_popups else _popups(a, table)
    sel = selected if selected is not None and selected in set(ids) else None

    def collection(geoms: Any, popup: bool) -> dict[str, Any]:
        feats = []
        for sid, g in zip(ids, geoms, strict=True):
            if g is None or g.is_empty:
                continue
            props = {"site_id": str(sid), "color": color_of[sid], "tip": tips[sid], "selected": sid == sel}
            if popup:
                props["popup"] = pops[sid]
            feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": props})
        return {"type": "FeatureCollection", "features": feats}

    group = folium.FeatureGroup(name=SITES_GROUP, show=True)
    # Popups only on the markers (one inside each outline): halves what the page carries.
    _GeoJson(
        collection(polys.geometry.values, popup=False),
        name="Site outlines",
        style_function=_site_style,
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(group)
    popup_kwargs: dict[str, Any] = (
        {"on_each_feature": folium.JsCode(_SHARED_POPUP_JS)}
        if shared_popups
        else {"popup": folium.GeoJsonPopup(fields=["popup"], labels=False)}
    )
    _GeoJson(
        collection(pts.geometry.values, popup=True),
        name="Site markers",
        marker=folium.CircleMarker(radius=5, fill=True),
        style_function=_marker_style,
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        **popup_kwargs,
    ).add_to(group)
    return group


def site_map(
    a: Assessment,
    *,
    tiles: str | None = "OpenStreetMap",
    layers: bool | MapLayers = True,
    top: int | None = None,
    sites: Sequence[str] | None = None,
    selected: str | None = None,
    color_by: str = "score",
    categories: pd.Series | None = None,
    leaflet_url: str | None = None,
    simplify_m: float = 25.0,
    show_layers: Sequence[str] = (),
) -> folium.Map:
    """Map the sites of an assessment, coloured by score (or tier or a category).

    Parameters
    ----------
    a
        The assessment.
    tiles
        A folium tile name, or None for no basemap (the outline and layers are vectors, so the
        map still reads).
    layers
        True: prepare the input layers now (slow for big layers); a :class:`MapLayers` from
        :func:`prepare_layers` (fast, cacheable); False: sites only.
    top
        Only draw the top ``top`` eligible sites (and every ineligible one).
    sites
        Only draw these site ids (e.g. after filtering by region).
    selected
        A site id to zoom to and outline.
    color_by
        ``"score"`` (sequential scale, 0-100 fixed so colours mean the same under any
        weights), ``"tier"``, or a column of ``a.table`` / ``categories`` (categorical).
    categories
        Categorical values per site (e.g. archetypes), indexed by site id.
    leaflet_url
        Load Leaflet from this URL folder (see :func:`use_local_leaflet`); None: the CDN.
    simplify_m
        Site outline simplification when ``layers`` is True or False.
    show_layers
        Keys of overlays shown when the map opens (the others are in the layer control).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> m = site_map(a, tiles=None, layers=False, top=5)
    >>> type(m).__name__, "Inverness Riverside Data Campus" in m.get_root().render()
    ('Map', True)
    """
    prepared = _prepared(a, layers, simplify_m)
    m = base_map(
        a,
        layers=prepared,
        tiles=tiles,
        leaflet_url=leaflet_url,
        color_by=color_by,
        categories=categories,
        show_layers=show_layers,
        selected=selected,
    )
    sites_layer(
        a, layers=prepared, sites=sites, top=top, selected=selected, color_by=color_by, categories=categories
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def _site_style(f: dict[str, Any]) -> dict[str, Any]:
    p = f["properties"]
    if p["selected"]:
        return {"fillColor": p["color"], "color": "#e6007e", "weight": 4, "fillOpacity": 0.9}
    return {"fillColor": p["color"], "color": "#333333", "weight": 1, "fillOpacity": 0.85}


def _marker_style(f: dict[str, Any]) -> dict[str, Any]:
    p = f["properties"]
    if p["selected"]:
        return {"fillColor": p["color"], "color": "#e6007e", "weight": 3, "fillOpacity": 1.0, "radius": 9, "fill": True}
    return {"fillColor": p["color"], "color": "#222222", "weight": 0.8, "fillOpacity": 0.95, "radius": 5, "fill": True}


def _tooltips(table: pd.DataFrame, strengths: pd.Series, n_eligible: int) -> dict[str, str]:
    """Tooltip HTML per site: name, rank and score (or "ineligible"), top strength."""
    from growthzones.explain import split_reasons

    out = {}
    names = table["name"].astype(str).to_numpy()
    elig = table["eligible"].to_numpy(dtype=bool)
    ranks = table["rank"].to_numpy(dtype=float, na_value=np.nan)
    scores = table["score"].to_numpy(dtype=float)
    fails = [len(split_reasons(r)) for r in table["gate_reasons"].astype(str)]
    strong = strengths.reindex(table.index).fillna("").astype(str).to_numpy()
    for i, sid in enumerate(table.index):
        name = html.escape(names[i])
        if not elig[i]:
            out[sid] = f"<b>{name}</b><br>ineligible: fails {int(fails[i])} gate(s)"
            continue
        text = f"<b>{name}</b><br>rank {int(ranks[i])} of {n_eligible}, score {scores[i]:.1f}"
        if strong[i]:
            text += f"<br>top strength: {html.escape(strong[i])}"
        out[sid] = text
    return out


def _popup_heads(a: Assessment, table: pd.DataFrame) -> dict[str, str]:
    """The part of each popup that changes with the ranking: name, rank and score, or the failed gates."""
    from growthzones.explain import split_reasons

    names = table["name"].astype(str).to_numpy()
    elig = table["eligible"].to_numpy(dtype=bool)
    ranks = table["rank"].to_numpy(dtype=float, na_value=np.nan)
    scores = table["score"].to_numpy(dtype=float)
    tiers = table["tier"].astype(str).to_numpy()
    reasons = table["gate_reasons"].astype(str).to_numpy()
    out = {}
    for i, sid in enumerate(table.index):
        head = f"<b>{html.escape(names[i])}</b> ({html.escape(str(sid))})<br>"
        if elig[i]:
            head += f"Rank {int(ranks[i])} of {a.n_eligible}, score {scores[i]:.1f}, tier {html.escape(tiers[i])}"
        else:
            items = "".join(f"<li>{html.escape(r)}</li>" for r in split_reasons(reasons[i]))
            head += f"<b>Ineligible</b>, fails:<ul style='margin:0;padding-left:16px'>{items}</ul>"
        out[sid] = head
    return out


def popup_bodies(a: Assessment) -> dict[str, str]:
    """The part of each site's popup that weights, method and gates do not change: every criterion.

    Returns
    -------
    dict
        Site id -> HTML lines ``"<br>label: value unit"``, one per criterion.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> popup_bodies(a)["GZ-107"].split("<br>")[1]
    'Distance to nearest 275 kV+ substation: 1.6 km'
    """
    crits = a.config.criteria
    # Plain arrays, not per-cell pandas look-ups.
    raw = a.criteria[[c.name for c in crits]].to_numpy(dtype=float)
    labels = [html.escape(c.display) for c in crits]
    return {
        sid: "".join(
            f"<br>{lab}: {html.escape(format_value(float(v), c.unit))}"
            for lab, v, c in zip(labels, raw[i], crits, strict=True)
        )
        for i, sid in enumerate(a.criteria.index)
    }


def _popups(a: Assessment, table: pd.DataFrame) -> dict[str, str]:
    """Popup HTML per site: rank and score or the failed gates, then every criterion."""
    heads = _popup_heads(a, table)
    bodies = popup_bodies(a)
    return {sid: heads[sid] + bodies.get(sid, "") for sid in table.index}


class PopupBodies(branca.element.MacroElement):
    """The criteria part of every site's popup, defined once in the page for :func:`sites_layer`.

    Add it to a base map and pass ``shared_popups=True`` to :func:`sites_layer`: the sites
    layer then carries only the part of each popup that changes with the ranking, which
    keeps what a re-ranked map sends to the browser small.
    """

    _template = jinja2.Template(
        "{% macro script(this, kwargs) %}window.gzPopupBodies = {{ this.bodies_json }};{% endmacro %}"
    )

    def __init__(self, bodies: Mapping[str, str]) -> None:
        super().__init__()
        self._name = "PopupBodies"
        self.bodies_json = str(jinja2.utils.htmlsafe_json_dumps(dict(bodies), sort_keys=True))


#: Binds each marker's popup to its changing head plus the shared criteria part (see
#: :class:`PopupBodies`); built when opened, so nothing is duplicated per marker.
_SHARED_POPUP_JS = """function (feature, layer) {
    layer.bindPopup(function () {
        var p = feature.properties;
        return p.popup + ((window.gzPopupBodies || {})[p.site_id] || "");
    }, {maxWidth: 420});
}"""


def _add_notice(m: folium.Map, text: str) -> None:
    box = (
        '<div class="gz-notice" style="position:absolute;bottom:26px;left:10px;z-index:1000;background:#fff8e1;'
        'border:1px solid #f0b400;padding:3px 8px;font:12px sans-serif;">'
        f"{html.escape(text)}</div>"
    )
    m.get_root().html.add_child(folium.Element(box))


def known_map(a: Assessment, check: KnownCheck, *, tiles: str | None = "OpenStreetMap") -> folium.Map:
    """Map known places over the ranked sites: each place, a line to its nearest candidate, and why.

    Parameters
    ----------
    a
        The assessment.
    check
        The result of :func:`growthzones.known.check_known` on ``a``.
    tiles
        A folium tile name, or None.

    Examples
    --------
    >>> import growthzones as gz
    >>> import geopandas as gpd
    >>> from growthzones.known import check_known
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> spot = gpd.GeoDataFrame({"name": ["Here"]}, geometry=[a.sites.geometry.iloc[0].centroid], crs=a.sites.crs)
    >>> "Known places" in known_map(a, check_known(a, spot), tiles=None).get_root().render()
    True
    """
    m = site_map(a, tiles=tiles, layers=False)
    group = folium.FeatureGroup(name="Known places", show=True)
    pts = check.places.to_crs(4326)
    sites = a.sites.to_crs(4326)
    for i, row in check.table.iterrows():
        p = pts.geometry.iloc[i]
        site = sites.loc[row["site_id"]].geometry
        c = site.representative_point()
        standing = (
            f"rank {int(row['rank'])} of {int(row['n_eligible'])} (percentile {row['percentile']:.0f})"
            if pd.notna(row["rank"])
            else f"not eligible: {html.escape(str(row['gates_failed']))}"
        )
        body = (
            f"<b>{html.escape(str(row['name']))}</b><br>nearest candidate: {html.escape(str(row['site_name']))} "
            f"({row['distance_km']:.1f} km)<br>{standing}"
            + (f"<br>held back by: {html.escape(str(row['held_back_by']))}" if row["held_back_by"] else "")
        )
        folium.PolyLine([(p.y, p.x), (c.y, c.x)], color="#d62728", weight=2, dash_array="4 4").add_to(group)
        folium.CircleMarker(
            (p.y, p.x), radius=7, color="#d62728", fill=True, fill_opacity=0.9,
            tooltip=html.escape(str(row["name"])), popup=folium.Popup(body, max_width=380),
        ).add_to(group)  # fmt: skip
    group.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if len(pts):
        minx, miny, maxx, maxy = pts.total_bounds
        m.fit_bounds([(miny, minx), (maxy, maxx)], padding=(30, 30))
    return m


# --------------------------------------------------------------------------------------------
# the suitability surface (growthzones.surface)


def surface_overlay(ds: Any, *, band: str = "score", max_px: int = 1024, opacity: float = 0.7) -> RasterOverlay:
    """A surface's score as a Web Mercator PNG: viridis 0-100 where eligible, grey where gated out.

    Cells outside the area are transparent. A large surface is thinned to ``max_px`` cells on
    its longer side (every n-th cell) before warping (nearest neighbour, so no colours mix).

    Examples
    --------
    >>> import growthzones as gz
    >>> ds = gz.make_surface(gz.datasets.demo_config_path(), 10_000, drop=["site_area"])
    >>> ov = surface_overlay(ds, max_px=64)
    >>> ov.key, ov.image.startswith("data:image/png;base64,"), ov.vmax
    ('surface', True, 100.0)
    """
    import matplotlib as mpl
    from affine import Affine
    from PIL import Image
    from pyproj import Transformer
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    step = max(1, int(np.ceil(max(ds.sizes["y"], ds.sizes["x"]) / max_px)))
    thin = ds[[band, "eligible"]].isel(y=slice(None, None, step), x=slice(None, None, step))
    elig = np.asarray(thin["eligible"].values)
    value = np.where(elig == 1, np.asarray(thin[band].values, dtype=np.float64), np.nan)
    value[elig == 0] = -1.0  # gated out: drawn grey
    h, w = value.shape
    t = ds.rio.transform()
    src_transform = Affine(t.a * step, 0.0, t.c, 0.0, t.e * step, t.f)
    left, top = t.c, t.f
    right, bottom = left + w * t.a * step, top + h * t.e * step
    crs = ds.rio.crs
    dst_t, w0, h0 = calculate_default_transform(crs, "EPSG:3857", w, h, left, bottom, right, top)
    out = np.full((h0, w0), np.nan)
    reproject(source=value, destination=out, src_transform=src_transform, src_crs=crs, src_nodata=np.nan,
              dst_transform=dst_t, dst_crs="EPSG:3857", dst_nodata=np.nan, resampling=Resampling.nearest)  # fmt: skip
    cmap = mpl.colors.LinearSegmentedColormap.from_list("score", list(SCORE_COLORS))
    rgba = (cmap(np.clip(np.nan_to_num(out, nan=0.0), 0, 100) / 100.0) * 255).astype("uint8")
    grey = np.array([int(INELIGIBLE_COLOR[i : i + 2], 16) for i in (1, 3, 5)] + [255], dtype="uint8")
    rgba[out == -1.0] = grey
    rgba[..., 3] = np.where(np.isnan(out), 0, 255)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    ml, mb, mr, mt = dst_t.c, dst_t.f + h0 * dst_t.e, dst_t.c + w0 * dst_t.a, dst_t.f
    to_ll = Transformer.from_crs(3857, 4326, always_xy=True)
    west, south = to_ll.transform(ml, mb)
    east, north = to_ll.transform(mr, mt)
    return RasterOverlay(key="surface", label="Suitability surface", image=url, bounds=((south, west), (north, east)),
                         vmin=0.0, vmax=100.0, colors=SCORE_COLORS, opacity=float(opacity))  # fmt: skip


def surface_map(
    ds: Any,
    *,
    opacity: float = 0.7,
    regions: gpd.GeoDataFrame | None = None,
    tiles: str | None = "OpenStreetMap",
    max_px: int = 1024,
) -> folium.Map:
    """A folium map of a surface: the score overlay (with ``opacity``), a legend, and located regions.

    Parameters
    ----------
    ds
        A surface (:func:`growthzones.surface.surface` or :func:`growthzones.surface.read_surface`).
    opacity
        Of the surface image, 0..1.
    regions
        Located regions (:func:`growthzones.locate.locate_regions`), drawn as outlines with their
        id and mean score in a tooltip.
    tiles
        Basemap; None for none.
    max_px
        Longest side of the surface image in cells.

    Examples
    --------
    >>> import growthzones as gz
    >>> ds = gz.make_surface(gz.datasets.demo_config_path(), 10_000, drop=["site_area"])
    >>> html = surface_map(ds, opacity=0.5, tiles=None, max_px=64).get_root().render()
    >>> "Suitability surface" in html, "opacity" in html
    (True, True)
    """
    ov = surface_overlay(ds, max_px=max_px, opacity=opacity)
    (south, west), (north, east) = ov.bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=6, tiles=tiles, control_scale=True)
    folium.raster_layers.ImageOverlay(ov.image, bounds=[[south, west], [north, east]], opacity=ov.opacity,
                                      name=ov.label, interactive=False).add_to(m)  # fmt: skip
    legend = _score_legend(0.0, 100.0).replace("ineligible (fails a gate)", "excluded by a gate")
    if regions is not None and len(regions):
        shown = regions.to_crs(4326)
        cols = [c for c in ("site_id", "name", "area_ha", "mean_score") if c in shown.columns]
        folium.GeoJson(
            shown[[*cols, "geometry"]].to_json(),
            name="Located regions",
            style_function=lambda _: {"color": "#d62728", "weight": 2, "fill": False},
            tooltip=folium.GeoJsonTooltip(fields=cols) if cols else None,
        ).add_to(m)
        legend += f"<div>{_line_swatch('#d62728', 2, 'located region')}</div>"
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    box = (
        '<div style="position:absolute;bottom:24px;left:10px;z-index:9999;background:rgba(255,255,255,.9);'
        'border:1px solid #999;border-radius:4px;padding:6px 8px;font:11px/1.35 sans-serif">' + legend + "</div>"
    )
    m.get_root().html.add_child(folium.Element(box))
    return m
