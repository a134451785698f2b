"""Map and ranking: the sites on a map beside the ranked table, rank changes, and export.

The panel beside the map has three tabs (ranking, rank changes, export); only the open one
is built on a rerun, so a weight slider redraws the table and the map and nothing hidden.
"""

from __future__ import annotations

import time
from pathlib import Path

import altair as alt
import streamlit as st

from growthzones import appstate, maps
from growthzones.app import _folium_component, _shared

ctx = _shared.context()
a = ctx.current
_shared.header(ctx, "Map and ranking")

n_sites, n_elig = len(a.sites), a.n_eligible
m1, m2, m3, m4 = st.columns(4)
m1.metric("Sites", n_sites)
m2.metric("Eligible (pass every gate)", n_elig)
m3.metric("Method", a.config.method.name)
top_row = a.ranking.iloc[0] if n_elig else None
m4.metric(
    "Top site",
    "-" if top_row is None else str(top_row["name"]),
    None if top_row is None else f"score {float(top_row['score']):.1f}",
    delta_color="off",
)

# ------------------------------------------------------------------------------ map options
opts = st.columns([1.2, 1.4, 1.2, 1])
color_choices = {"Score": "score", "Tier": "tier"}
categories = None
color_choices["Archetype"] = "archetype"
for col in ("nation", "region"):
    if col in a.table.columns:
        color_choices[col.capitalize()] = col
color_label = opts[0].selectbox("Colour sites by", list(color_choices), key="map_color")
categories = _shared.archetype_labels(ctx) if color_choices[color_label] == "archetype" else None
assets = _shared.leaflet_assets_present()
# With the offline assets the app is likely on a closed network: start without tiles.
_shared._init("map_basemap", "None (outline only)" if assets else "OpenStreetMap")
basemap = opts[1].selectbox(
    "Basemap",
    list(maps.BASEMAPS),
    key="map_basemap",
    help="Tiles need internet access; the outline and layers are drawn without them.",
)
_shared._init("map_offline", assets)
offline = opts[2].toggle(
    "Offline map assets",
    key="map_offline",
    disabled=not assets,
    help="Load Leaflet from this server (static/leaflet, from `make static`) instead of a CDN, for networks "
    "without internet access."
    if assets
    else "Run `make static` to install Leaflet locally for offline use.",
)
only_top = opts[3].toggle(
    "Map top N only",
    key="map_top_only",
    value=False,
    help="Draw only the top N eligible sites (and the ineligible ones).",
)

selected = _shared.selected_site(ctx)
ids = ctx.filtered_ids

left, right = st.columns([1.25, 1], gap="medium")
default = ctx.settings == appstate.default_settings(ctx.base.config)
changes = appstate.rank_changes(a, ctx.baseline)
moved = changes.loc[changes["moved"].fillna(0) != 0]

# ------------------------------------------------------------------------------ panel
# Filled before the map (which sits to its left) so the re-ranked table reaches the browser first.
with right:
    tab_rank, tab_moves, tab_export = st.tabs(["Ranking", "Rank changes", "Export"], key="map_panel", on_change="rerun")

if tab_rank.open:
    with tab_rank:
        search = st.text_input("Search sites", key="table_search", placeholder="name or id…")
        view = appstate.ranking_view(a, nations=ctx.nations, regions=ctx.regions, search=search, top=ctx.top_n)
        if not moved.empty:
            # Places moved against the config's weights, after the score (blank: no rank in one of them).
            view.insert(view.columns.get_loc("score") + 1, "moved", changes["moved"].reindex(view.index))
        st.session_state["_table_ids"] = list(view.index)

        def _on_select() -> None:
            rows = st.session_state["rank_table"].selection.rows
            ids_now = st.session_state.get("_table_ids", [])
            if rows and rows[0] < len(ids_now):
                _shared.set_selected(ids_now[rows[0]])

        shown = view.reset_index()
        key_cols = [
            c
            for c in view.columns
            if c not in ("rank", "moved", "name", "region", "score", "eligible", "tier", "top strength", "failed gates")
        ]
        st.dataframe(
            shown,
            key="rank_table",
            on_select=_on_select,
            selection_mode="single-row",
            hide_index=True,
            height=560,
            column_config={
                "site_id": st.column_config.TextColumn("id", width="small"),
                "rank": st.column_config.NumberColumn("rank", format="%d", width="small"),
                "moved": st.column_config.NumberColumn(
                    "moved", format="%+d", width="small", help="Places moved against the config's weights (+ = up)"
                ),
                "score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.1f"),
                "eligible": st.column_config.CheckboxColumn("eligible", width="small"),
                **{c: st.column_config.NumberColumn(c, format="%.1f") for c in key_cols},
            },
        )
        n_ranked = int(view["eligible"].sum())
        st.caption(
            f"Top {n_ranked} eligible site(s) of the selection, then the ineligible ones. Ranks are national; "
            "click a row (or a site on the map) to zoom to it."
        )

if tab_moves.open:
    with tab_moves:
        st.caption("Against the config's weights, with the method and gates chosen in the sidebar.")
        if moved.empty:
            st.info(
                "No site has moved: the weights are the config's defaults (or the change kept the order). "
                "Move a weight slider in the sidebar to see which sites rise and fall."
            )
        else:
            c1, c2, c3 = st.columns(3)
            c1.metric("Sites that moved", len(moved))
            up = moved.sort_values("moved", ascending=False).iloc[0]
            down = moved.sort_values("moved").iloc[0]
            c2.metric("Biggest rise", str(up["name"]), f"+{int(up['moved'])} places")
            c3.metric("Biggest fall", str(down["name"]), f"{int(down['moved'])} places")
            top_moves = moved.head(20).reset_index()
            top_moves["direction"] = top_moves["moved"].astype(float).map(lambda v: "up" if v > 0 else "down")
            chart = (
                alt.Chart(top_moves, title="The 20 biggest moves")
                .mark_bar()
                .encode(
                    x=alt.X("moved:Q", title="places moved (+ = up)"),
                    y=alt.Y("name:N", sort="-x", title=None),
                    color=alt.Color(
                        "direction:N",
                        scale=alt.Scale(domain=["up", "down"], range=["#1a9850", "#d73027"]),
                        legend=None,
                    ),
                    tooltip=["name", "baseline rank", "rank", "moved"],
                )
                # Room for every name (Vega drops labels that would overlap).
                .properties(height=18 * len(top_moves) + 20)
            )
            st.altair_chart(chart, width="stretch")
            st.dataframe(
                moved.reset_index(),
                hide_index=True,
                height=260,
                key="rank_changes",
                column_config={
                    "moved": st.column_config.NumberColumn("moved", format="%+d", help="positive = up the ranking")
                },
            )

if tab_export.open:
    with tab_export:
        st.caption(
            "The files use the current weights, method and gates (filters and top N do not apply): the GeoPackage "
            "has the same layers as `growthzones rank` (`ranked_sites` and `run`), and the config reproduces this "
            "exact ranking with `growthzones rank config.toml --out shortlist.gpkg`."
        )
        toml_text = a.config.text if (default and a.config.text) else a.config.to_toml()
        st.download_button(
            "GeoPackage (.gpkg)",
            data=lambda: _shared.temp_download(a.to_geopackage, ".gpkg"),
            file_name="shortlist.gpkg",
            mime="application/geopackage+sqlite3",
            on_click="ignore",
            icon=":material/download:",
            key="dl_gpkg",
            width="stretch",
        )
        st.download_button(
            "Ranking (.csv)",
            data=lambda: _shared.temp_download(a.to_csv, ".csv"),
            file_name="shortlist.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
            key="dl_csv",
            width="stretch",
        )
        st.download_button(
            "Config with these weights (.toml)",
            data=toml_text,
            file_name="config.toml",
            mime="application/toml",
            on_click="ignore",
            icon=":material/download:",
            key="dl_toml",
            width="stretch",
        )
        if not default:
            st.caption(
                "Settings changed from the config: "
                + ", ".join(f"{g} {w:.2f}" for g, w in (a.weights.groups * 1).round(2).items())
                + f"; method {a.config.method.name}."
            )

# ------------------------------------------------------------------------------ map
with left:
    t0 = time.perf_counter()
    layers = ctx.map_layers()
    leaflet_url = _shared.LEAFLET_URL if (offline and assets) else None
    color_by = color_choices[color_label]
    if color_by == "archetype" and categories is None:
        st.caption("Archetypes could not be computed; colouring by score.")
        color_by = "score"
    # The base map (layers, legend) does not depend on weights: it is rendered once, stays
    # mounted in the browser, and only the sites layer is swapped when the ranking changes.
    base = _shared.base_map(ctx, maps.BASEMAPS[basemap], leaflet_url, color_by, categories, selected)
    sites_fg = maps.sites_layer(
        a,
        layers=layers,
        sites=ids,
        top=ctx.top_n if only_top else None,
        selected=selected,
        color_by=color_by,
        categories=categories,
        shared_popups=True,
    )
    out = _folium_component.show_map(
        base, sites_fg, key=_shared.MAP_KEY, height=620, returned_objects=["last_object_clicked"]
    )
    st.caption(
        f"Use the layer control (top right) for grid, fibre, roads, protected areas and raster overlays. "
        f"Map built in {time.perf_counter() - t0:.2f} s."
    )
    click = (out or {}).get("last_object_clicked")
    if click and click != st.session_state.get("_last_map_click"):
        st.session_state["_last_map_click"] = click
        sid = appstate.site_at(a, float(click["lat"]), float(click["lng"]))
        if sid is not None and sid != selected:
            _shared.set_selected(sid)
            st.rerun()

pick_cols = st.columns([2, 1, 1])
with pick_cols[0]:
    _shared.site_picker(ctx, key="map_site_pick", label="Selected site (zooms the map)")
sel = _shared.selected_site(ctx)
if sel is not None:
    pick_cols[1].page_link(
        str(Path(__file__).with_name("site_detail.py")), label="Open site detail", icon=":material/arrow_forward:"
    )
    if pick_cols[2].button("Clear selection"):
        _shared.set_selected(None)
        st.rerun()
