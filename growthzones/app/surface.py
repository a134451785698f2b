"""Surface: the sidebar's settings evaluated on a grid of cells (site discovery), and located regions."""

from __future__ import annotations

import math

import streamlit as st
from streamlit_folium import st_folium

import growthzones as gz
from growthzones import appstate, maps
from growthzones.app import _shared
from growthzones.criteria.measures import MEASURES
from growthzones.errors import GrowthzonesError
from growthzones.locate.regions import write_regions

ctx = _shared.context()
a = ctx.current
_shared.header(ctx, "Suitability surface")
st.caption(
    "Where else? The current weights, method and gates on every cell of a grid over the project's area "
    "(`growthzones surface` on the command line; docs/surface.md)."
)

cfg = a.config
no_raster = [c.name for c in cfg.criteria if MEASURES.get(c.measure) is None or MEASURES[c.measure].raster is None]
x0, y0, x1, y1 = a.sites.total_bounds
span = max(x1 - x0, y1 - y0, 1.0)
# A default cell that keeps the grid near 300 cells on its longer side (quick to draw and compute).
default_cell = float(max(100, 10 ** math.floor(math.log10(span / 300)) * 5))
left, right = st.columns([1, 1])
with left:
    cell = st.number_input("Cell size (m)", min_value=25.0, value=default_cell, step=100.0, key="surface_cell")
with right:
    drop = st.multiselect(
        "Leave out of the surface",
        [c.name for c in cfg.criteria],
        default=no_raster,
        key="surface_drop",
        help="Criteria of the site itself with no meaning for a cell (e.g. its area) have no raster form.",
    )
opacity = st.slider("Surface opacity", 0.0, 1.0, 0.7, 0.05, key="surface_opacity")

key = (ctx.fingerprint, repr(cfg.weights), repr([(c.name, c.weight) for c in cfg.criteria]), repr(cfg.gates),
       repr(cfg.method), cell, tuple(drop))  # fmt: skip
if st.session_state.get("surface_key") != key:
    st.session_state.pop("surface_ds", None)
    st.session_state.pop("surface_regions", None)
if st.button("Make the surface", key="surface_make", type="primary"):
    try:
        plan = gz.surface.plan_surface(cfg, cell, drop=drop)
        gz.surface.check_memory(plan)
        bar = st.progress(0.0, text=f"{plan.grid.height:,} x {plan.grid.width:,} cells")

        def _progress(done: int, total: int, label: str) -> None:
            bar.progress(done / max(total, 1), text=f"{plan.grid.height:,} x {plan.grid.width:,} cells: {label}")

        st.session_state["surface_ds"] = gz.make_surface(plan, progress=_progress)
        bar.empty()
        st.session_state["surface_key"] = key
    except GrowthzonesError as exc:
        st.error(str(exc))

ds = st.session_state.get("surface_ds")
if ds is None:
    st.info("Choose a cell size and make the surface.")
    st.stop()

elig = ds["eligible"].values
st.markdown(
    f"**{ds.sizes['y']:,} x {ds.sizes['x']:,} cells** at {ds.attrs['cell_size']:g} m, method {ds.attrs['method']}: "
    f"{int((elig == 1).sum()):,} eligible, {int((elig == 0).sum()):,} excluded by a gate"
)

with st.expander("Locate regions on the surface"):
    c1, c2, c3 = st.columns(3)
    n = c1.number_input("Regions", 1, 50, 5, key="surface_n")
    cell_ha = ds.attrs["cell_size"] ** 2 / 10_000
    lo = c2.number_input("Minimum area (ha)", 0.0, value=float(4 * cell_ha), key="surface_min_area")
    hi = c3.number_input("Maximum area (ha)", 0.0, value=float(20 * cell_ha), key="surface_max_area")
    if st.button("Locate", key="surface_locate"):
        from growthzones.locate import locate_regions

        try:
            st.session_state["surface_regions"] = locate_regions(ds, regions=int(n), min_area=lo, max_area=hi).regions
        except GrowthzonesError as exc:
            st.error(str(exc))
regions = st.session_state.get("surface_regions")
m = maps.surface_map(ds, opacity=opacity, regions=regions)
st_folium(m, height=620, use_container_width=True, returned_objects=[], key="surface_map")
if regions is None or not len(regions):
    st.stop()

st.markdown(f"#### {len(regions)} located region(s), ranked like bids")
combine = st.toggle(
    "Rank among the loaded sites",
    value=True,
    key="surface_combine",
    help="Off: rank the located regions among themselves.",
)
ranked, notes = _shared.score_like_bids(
    a,
    regions,
    id_column="site_id",
    name_column="name",
    source="located regions",
    combine=combine,
    what="the located regions",
)
for note in notes:
    st.caption(note)
view = appstate.ranking_view(ranked)
located = set(regions["site_id"])
view = view.loc[[sid for sid in view.index if sid in located]]
table = view.reset_index().merge(regions.drop(columns="geometry"), on="site_id", how="left", suffixes=("", "_surface"))
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.1f")},
)
st.caption(
    "`score` and `rank` come from ranking each region as a site (with the loaded sites when the toggle is on); "
    "`mean_score` is the surface's mean over its cells."
)
d1, d2 = st.columns(2)
with d1:
    _shared.gpkg_download(
        "Download the regions (GeoPackage, as `growthzones locate` writes them)",
        lambda p: write_regions(regions, p),
        "located_regions.gpkg",
        "dl_surface_regions",
    )
with d2:
    _shared.gpkg_download("Download the ranking (GeoPackage)", ranked.to_geopackage,
                          "located_regions_ranked.gpkg", "dl_surface_ranked")  # fmt: skip
