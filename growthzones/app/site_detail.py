"""Site detail: one site's criteria, contributions, gates, nearest infrastructure, robustness."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from growthzones import appstate
from growthzones.app import _robust, _shared

ctx = _shared.context()
a = ctx.current
_shared.header(ctx, "Site detail")

sid = _shared.site_picker(ctx, key="detail_site_pick")
if sid is None:
    st.info("Choose a site above, or click one in the table or on the map of the Map and ranking page.")
    st.stop()

row = a.table.loc[sid]
st.subheader(f"{row['name']} ({sid})")
c1, c2, c3, c4 = st.columns(4)
if bool(row["eligible"]):
    c1.metric("Rank", f"{int(row['rank'])} of {a.n_eligible}")
    c2.metric("Score (0-100)", f"{float(row['score']):.1f}")
    c3.metric("Tier", str(row["tier"]))
else:
    c1.metric("Rank", "ineligible")
    c2.metric("Score (0-100)", "-")
    c3.metric("Gates failed", int(a.gates.at[sid, "n_failed"]))
base_rank = ctx.baseline.scores.at[sid, "rank"]
if bool(row["eligible"]) and pd.notna(base_rank):
    c4.metric(
        "Rank with the config's weights",
        int(base_rank),
        f"{int(base_rank) - int(row['rank']):+d} places",
        help="positive = this site moved up under the current weights",
    )
attrs = [c for c in ("nation", "region", "local_area") if c in a.sites.columns]
if attrs:
    st.caption(" · ".join(f"{c.replace('_', ' ')}: {a.sites.at[sid, c]}" for c in attrs))
if not bool(row["eligible"]):
    st.error("**Fails the gates:**\n" + "\n".join(f"- {r}" for r in appstate.split_reasons(row["gate_reasons"])))

# ------------------------------------------------------------------------------ explanation
st.info(a.explain(sid).text, icon=":material/lightbulb:")

# ------------------------------------------------------------------------------ criteria
st.markdown("#### Criteria and their contribution")
contrib = appstate.site_contributions(a, sid)
left, right = st.columns([1.2, 1])
with left:
    st.dataframe(
        contrib[["criterion", "group", "raw text", "value", "weight", "contribution"]],
        hide_index=True,
        column_config={
            "raw text": st.column_config.TextColumn("raw value"),
            "value": st.column_config.ProgressColumn("0-1 value", min_value=0, max_value=1, format="%.2f"),
            "weight": st.column_config.NumberColumn("weight", format="%.3f", help="effective (global) weight"),
            "contribution": st.column_config.NumberColumn(
                "points", format="%.1f", help="100 x weight x value; sums to the WLC score"
            ),
        },
    )
with right:
    weighted = contrib.loc[contrib["weight"] > 0].reset_index()
    if len(weighted):
        chart = (
            alt.Chart(weighted)
            .mark_bar()
            .encode(
                x=alt.X("contribution:Q", title="score points (100 x weight x value)"),
                y=alt.Y("criterion:N", sort="-x", title=None),
                color=alt.Color("group:N", legend=alt.Legend(orient="bottom")),
                tooltip=[
                    "criterion",
                    "raw text",
                    alt.Tooltip("value:Q", format=".2f"),
                    alt.Tooltip("contribution:Q", format=".1f"),
                ],
            )
            .properties(height=max(200, 26 * len(weighted)))
        )
        st.altair_chart(chart, width="stretch")
    if a.config.method.name != "wlc":
        st.caption(
            f"Points are weight x value; method {a.config.method.name} combines them differently, so they "
            "need not add up to the score."
        )

# ------------------------------------------------------------------------------ gates
st.markdown("#### Gates")
st.dataframe(appstate.gate_results(a, sid), hide_index=True)

# ------------------------------------------------------------------------------ infrastructure
st.markdown("#### Nearest infrastructure")
near = appstate.nearest_infrastructure(a, sid)
if near.empty:
    st.caption("No vector layers were read for this assessment.")
else:
    st.dataframe(
        near,
        hide_index=True,
        column_config={"distance_km": st.column_config.NumberColumn("distance (km)", format="%.1f")},
    )

# ------------------------------------------------------------------------------ robustness
st.markdown("#### Robustness of this rank")
res = _robust.cached_result(ctx, run=False)
if res is None:
    st.caption("Run the analysis on the Robustness page to see this site's rank interval and P(top 10).")
else:
    _robust.show_site(res, sid)
