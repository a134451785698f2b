"""Compare: two to four sites side by side, and who wins each criterion."""

from __future__ import annotations

import altair as alt
import streamlit as st

from growthzones import appstate
from growthzones.app import _shared

ctx = _shared.context()
a = ctx.current
_shared.header(ctx, "Compare sites")

r = a.ranking
labels = appstate.site_labels(a)
ids = list(labels)
default = [s for s in [_shared.selected_site(ctx), *ids[:3]] if s is not None]
default = list(dict.fromkeys(default))[:3]
if "compare_ids" not in st.session_state:
    st.session_state["compare_ids"] = default
chosen = st.multiselect(
    "Sites to compare (2 to 4)", ids, key="compare_ids", format_func=lambda s: labels.get(s, s), max_selections=4
)
if len(chosen) < 2:
    st.info("Choose at least two sites.")
    st.stop()

raw, values, winner = appstate.compare_table(a, chosen)
summary = {labels[s]: (f"{float(r.at[s, 'score']):.1f}" if bool(r.at[s, "eligible"]) else "ineligible") for s in chosen}
st.markdown(" · ".join(f"**{k}**: score {v}" for k, v in summary.items()))

left, right = st.columns([1.1, 1])
with left:
    st.markdown("#### Raw values")
    shown = raw.copy()
    shown["best (0-1 value)"] = winner
    st.dataframe(shown, width="stretch")
    wins = winner.loc[~winner.isin(["", "tie"])].value_counts()
    if len(wins):
        st.caption("Criteria won: " + ", ".join(f"{k} {v}" for k, v in wins.items()))
with right:
    st.markdown("#### 0-1 values (higher is better)")
    long = values.reset_index(names="criterion").melt(id_vars="criterion", var_name="site", value_name="value")
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("criterion:N", title=None),
            yOffset="site:N",
            x=alt.X("value:Q", scale=alt.Scale(domain=[0, 1]), title="0-1 value"),
            color=alt.Color("site:N", legend=alt.Legend(orient="bottom", columns=1)),
            tooltip=["criterion", "site", alt.Tooltip("value:Q", format=".2f")],
        )
        .properties(height=max(300, 18 * len(long)))
    )
    st.altair_chart(chart, width="stretch")
