"""Robustness: how much the ranking depends on the exact weights."""

from __future__ import annotations

import altair as alt
import streamlit as st

from growthzones.app import _robust, _shared
from growthzones.errors import GrowthzonesError

ctx = _shared.context()
a = ctx.current
_shared.header(ctx, "Robustness")

st.markdown(
    "Weights are judgements. This samples many weight vectors around the ones in the sidebar (or uniformly) "
    "and counts how often each site lands in the top places (SMAA rank acceptability). A site with a narrow "
    "rank interval and a high P(top 10) is a safe pick whatever the exact weights."
)
c1, c2, c3 = st.columns(3)
samples = int(c1.select_slider("Samples", [500, 1000, 2000, 5000, 10000], value=2000, key="rob_samples"))
spread = c2.selectbox("Weights sampled", ["around the current weights", "uniformly (any weights)"], key="rob_mode")
seed = int(c3.number_input("Seed", min_value=0, value=1, step=1, key="rob_seed"))
params = {"samples": samples, "seed": seed, "concentration": 50.0 if spread.startswith("around") else None}

result = _robust.cached_result(ctx, run=False, params=params)
if result is None and st.button("Run robustness analysis", type="primary"):
    try:
        result = _robust.cached_result(ctx, run=True, params=params)
    except GrowthzonesError as exc:
        st.error(f"Robustness analysis failed: {exc}")
if result is None:
    st.caption("Results are cached: once run for these settings, every page shows them instantly.")
    st.stop()

t = result.summary.copy()
t = t.loc[t["rank"].notna()] if "rank" in t.columns else t
t = t.sort_values("rank") if "rank" in t.columns else t
head = t.head(max(ctx.top_n, 10))
pcols = [c for c in t.columns if c.startswith("p_")]
st.dataframe(
    head.reset_index(),
    hide_index=True,
    column_config={
        c: st.column_config.ProgressColumn(c.replace("_", " "), min_value=0, max_value=1, format="%.2f") for c in pcols
    },
)
if {"rank_lo", "rank_hi", "rank"} <= set(t.columns):
    d = head.reset_index()
    d["label"] = d["name"].astype(str) if "name" in d.columns else d.iloc[:, 0].astype(str)
    base = alt.Chart(d).encode(y=alt.Y("label:N", sort=alt.SortField("rank"), title=None))
    chart = base.mark_rule(strokeWidth=3, color="#2a788e").encode(
        x=alt.X("rank_lo:Q", title="rank (central interval; dot = rank at current weights)"), x2="rank_hi:Q"
    ) + base.mark_point(filled=True, color="#440154", size=60).encode(x="rank:Q")
    st.altair_chart(chart.properties(height=max(240, 22 * len(d))), width="stretch")

with st.expander("What single weight change would move a site into or out of the top 10?"):
    st.dataframe(a.stability(10).head(40), hide_index=False)
meta = getattr(result, "metadata", None)
if callable(meta):
    st.caption("; ".join(f"{k.replace('robustness_', '')}: {v}" for k, v in meta().items() if v))
