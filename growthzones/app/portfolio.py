"""Portfolio: choose the best set of sites under regional, capacity and spacing limits, on the map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from growthzones import maps
from growthzones.app import _shared
from growthzones.config import CapacityLimit, GroupLimit
from growthzones.errors import GrowthzonesError
from growthzones.portfolio import Limits, limits_from_config, robust_portfolio, select_portfolio

ctx = _shared.context()
a = ctx.current
_shared.header(ctx, "Portfolio")

st.markdown(
    "A ranking says which site is best; a portfolio is the **set** of sites with the largest total score that "
    "meets the limits below, solved exactly (binary integer program, HiGHS). Sites left out that score above "
    "the lowest chosen one get the limit that kept them out."
)
pc = a.config.portfolio
defaults = limits_from_config(pc) if pc is not None else Limits(count=10)
columns = [c for c in ("region", "nation", "local_area") if c in a.table.columns]
numeric = [str(c) for c in a.table.columns if c != "geometry" and pd.api.types.is_numeric_dtype(a.table[c])]

c1, c2, c3 = st.columns(3)
count = int(c1.number_input("Sites to choose", min_value=1, max_value=max(a.n_eligible, 1),
                            value=min(int(defaults.count or 10), max(a.n_eligible, 1)), key="pf_count"))  # fmt: skip
spacing = float(c2.number_input("Minimum spacing (km, 0 = none)", min_value=0.0,
                                value=float(defaults.min_spacing_km or 0.0), step=5.0, key="pf_spacing"))  # fmt: skip
default_per = defaults.per[0] if defaults.per else None
per_col = c3.selectbox("At most N sites per", ["(no limit)", *columns],
                       index=(1 + columns.index(default_per.by)) if default_per and default_per.by in columns else 0,
                       key="pf_per_col")  # fmt: skip
per_max = None
if per_col != "(no limit)":
    start = default_per.max if default_per and isinstance(default_per.max, int) else 2
    per_max = int(c3.number_input("N", min_value=0, value=int(start), key="pf_per_max"))

d1, d2, d3 = st.columns(3)
default_cap = defaults.capacity[0] if defaults.capacity else None
use_cap = d1.toggle("Shared capacity per group", value=default_cap is not None, key="pf_cap_on",
                    help="The chosen sites' demand in each group within the group's headroom.")  # fmt: skip
capacity = ()
demand = defaults.demand
if use_cap:
    groups = [*columns, *[k for k, v in a.config.layers.items() if v.kind == "vector"]]
    by_default = default_cap.by if default_cap and default_cap.by in groups else (groups[0] if groups else None)
    by = d1.selectbox("Groups", groups, index=groups.index(by_default) if by_default in groups else 0, key="pf_cap_by")
    head = d2.text_input("Headroom (MW, or a column / layer attribute)",
                         value=str(default_cap.headroom) if default_cap else "1000", key="pf_cap_head")  # fmt: skip
    dem = d3.text_input("Demand per site (MW, or a column)", value=str(demand or ""), key="pf_demand")
    try:
        head_v: float | str = float(head)
    except ValueError:
        head_v = head
    try:
        demand = float(dem)
    except ValueError:
        demand = dem or None
    capacity = (CapacityLimit(by, headroom=head_v),)
ids = [str(s) for s in a.table.index[a.eligible]]
e1, e2 = st.columns(2)
locked_in = tuple(e1.multiselect("Locked in", ids, default=[s for s in defaults.locked_in if s in ids], key="pf_in"))
locked_out = tuple(e2.multiselect("Locked out", ids, default=[s for s in defaults.locked_out if s in ids],
                                  key="pf_out"))  # fmt: skip

limits = Limits(
    count=count,
    demand=demand,
    per=(GroupLimit(per_col, max=per_max),) if per_max is not None else (),
    capacity=capacity,
    min_spacing_km=spacing or None,
    locked_in=locked_in,
    locked_out=locked_out,
)
try:
    p = select_portfolio(a, limits)
except GrowthzonesError as exc:
    st.error(str(exc))
    st.stop()

m1, m2, m3 = st.columns(3)
m1.metric("Sites chosen", len(p.chosen))
m2.metric("Total score", f"{p.total_score:.1f}")
m3.metric("Status", p.status if p.status == "optimal" else f"{p.status} (gap {p.gap:.1%})")

status = pd.Series("not chosen", index=a.table.index, name="portfolio")
status[p.table.index[p.table["reason"] != ""]] = "strong, left out"
status[list(p.chosen)] = "chosen"
status[~a.eligible] = "ineligible"
left, right = st.columns([1.25, 1], gap="medium")
with left:
    m = maps.site_map(a, tiles=None, layers=ctx.map_layers(), color_by="portfolio", categories=status)
    from streamlit_folium import st_folium

    st_folium(m, height=560, use_container_width=True, returned_objects=[], key="pf_map")
with right:
    chosen = p.table.loc[list(p.chosen), ["name", "rank", "score"]].sort_values("rank")
    st.markdown("**Chosen**")
    st.dataframe(chosen, height=260)
    out = p.table.loc[p.table["reason"] != "", ["name", "score", "reason"]]
    st.markdown("**Strong sites left out, and why**")
    st.dataframe(out, height=260)
st.markdown("**What each limit costs** (total score gained by dropping it, or loosening it one step)")
st.dataframe(p.limit_costs.drop(columns="key"), hide_index=True)

with st.expander("Under uncertain weights: how often is each site chosen?"):
    samples = int(st.select_slider("Samples", [50, 100, 200, 500], value=100, key="pf_samples"))
    if st.button("Run robust portfolio", key="pf_robust"):
        bar = st.progress(0.0, text="Solving one portfolio per weight sample…")
        r = robust_portfolio(a, limits, samples=samples, seed=1, concentration=50.0,
                             progress=lambda d, t, label: bar.progress(d / t, text=f"{d} of {t} samples"))  # fmt: skip
        bar.empty()
        st.metric("Core (chosen in at least 90 % of samples)", ", ".join(r.core) or "none")
        st.dataframe(r.selection.sort_values("p_selected", ascending=False).head(25),
                     column_config={"p_selected": st.column_config.ProgressColumn(
                         "P(selected)", min_value=0, max_value=1, format="%.2f")})  # fmt: skip
        st.dataframe(r.sets, hide_index=True)
