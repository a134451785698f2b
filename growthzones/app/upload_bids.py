"""Upload bids: score a planner's own candidate sites with the loaded layers."""

from __future__ import annotations

import streamlit as st

from growthzones import appstate, upload
from growthzones.app import _shared
from growthzones.errors import GrowthzonesError

ctx = _shared.context()
a = ctx.current
_shared.header(ctx, "Upload bids")

st.markdown(
    "Upload candidate sites as a **GeoPackage**, **GeoJSON** or a **zipped Shapefile** (the .shp with its .shx, "
    ".dbf and .prj). They are scored with this project's layers, criteria, and the weights, method and gates in "
    f"the sidebar. Files up to {upload.MAX_BYTES // 2**20} MB; polygons in any CRS (reprojected to "
    f"{a.config.project.crs}). Regions found by `growthzones locate` upload as they are: they are ranked like bids."
)
file = st.file_uploader("Candidate sites", type=["gpkg", "geojson", "json", "zip"], key="upload_file")
if file is None:
    st.stop()

data = file.getvalue()
layer = None
try:
    up = upload.read_upload(file.name, data, crs=a.config.project.crs)
    if len(up.layers) > 1:
        layer = st.selectbox("Layer", list(up.layers), key="upload_layer")
        if layer != up.layer:
            up = upload.read_upload(file.name, data, crs=a.config.project.crs, layer=layer)
except GrowthzonesError as exc:
    st.error(f"Cannot use this file: {exc}")
    st.stop()
except Exception as exc:  # never show a traceback for a planner's file
    st.error(f"Cannot use this file: it could not be read ({type(exc).__name__}). Re-export it from your GIS.")
    st.stop()

st.success(f"Read {len(up.gdf)} feature(s) from {up.name}" + (f" (layer {up.layer})" if up.layer else "") + ".")
for n in up.notes:
    st.caption(n)
cols = up.columns
if not cols:
    st.error(f"{up.name} has no attribute columns; it needs an id column and a name column for each site.")
    st.stop()
guess_id = next((c for c in cols if c.lower() in ("id", "site_id", "bid_id", a.config.sites.id.lower())), cols[0])
guess_name = next((c for c in cols if c.lower() in ("name", "site_name", a.config.sites.name.lower())), cols[0])
c1, c2, c3 = st.columns(3)
id_col = c1.selectbox("Id column", cols, index=cols.index(guess_id), key="upload_id")
name_col = c2.selectbox("Name column", cols, index=cols.index(guess_name), key="upload_name")
combine = c3.toggle(
    "Rank among the loaded sites",
    value=True,
    key="upload_combine",
    help="Off: rank the uploaded sites among themselves.",
)

scored, notes = _shared.score_like_bids(a, up.gdf, id_column=id_col, name_column=name_col, source=up.name,
                                        combine=combine, what="these sites")  # fmt: skip

for n in notes:
    st.warning(n)
view = appstate.ranking_view(scored)
if combine and "source" in scored.sites.columns:
    view.insert(2, "source", scored.sites["source"].reindex(view.index))
    new = view.loc[view["source"] == "uploaded"]
    st.markdown(f"#### Your {len(new)} site(s), ranked among {len(scored.sites)}")
    st.dataframe(
        new.reset_index(),
        hide_index=True,
        column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.1f")},
    )
    with st.expander("Full ranking with the uploaded sites"):
        st.dataframe(view.reset_index(), hide_index=True)
else:
    st.markdown(f"#### {len(view)} uploaded site(s), ranked among themselves")
    st.dataframe(
        view.reset_index(),
        hide_index=True,
        column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.1f")},
    )
st.download_button(
    "Download as GeoPackage",
    data=lambda: _shared.temp_download(scored.to_geopackage, ".gpkg"),
    file_name="uploaded_ranked.gpkg",
    on_click="ignore",
    key="dl_upload_gpkg",
)
