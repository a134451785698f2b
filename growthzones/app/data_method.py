"""Data and method: the layers read, their sources, notes, effective weights and the method."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from growthzones import mcda
from growthzones.app import _shared
from growthzones.coverage import coverage_table

ctx = _shared.context()
a = ctx.current
cfg = a.config
_shared.header(ctx, "Data and method")

st.markdown("#### Layers")
rows = []
for key, lay in cfg.layers.items():
    used = [c.name for c in cfg.criteria if c.layer == key]
    n = len(a.layers.vectors[key]) if a.layers is not None and key in a.layers.vectors else None
    rows.append(
        {
            "layer": key,
            "kind": lay.kind,
            "file": lay.path.name,
            "features": n,
            "synthetic": lay.synthetic,
            "used by": ", ".join(used) or "(map only)",
        }
    )
rows.insert(
    0,
    {
        "layer": "sites",
        "kind": "vector",
        "file": cfg.sites.path.name,
        "features": len(a.sites),
        "synthetic": bool(cfg.project.demo),
        "used by": "candidate sites",
    },
)
st.dataframe(pd.DataFrame(rows), hide_index=True)
st.caption("Input file hashes (SHA-256) are recorded in every export's `run` table.")

sources = [
    p for p in (ctx.config_path.parent / "SOURCES.md", ctx.config_path.parent.parent / "SOURCES.md") if p.is_file()
]
if sources:
    with st.expander("Sources", expanded=False):
        st.markdown(sources[0].read_text(encoding="utf-8"))

st.markdown("#### Coverage by nation")
coverage = coverage_table(cfg, a.sites)
if coverage.empty:
    st.caption("No weighted or gated criterion.")
else:
    st.dataframe(coverage)
    st.caption(
        "Per criterion and nation: `covered` where its data cover the nation; elsewhere what its `missing` policy "
        "gives: `unknown` (the median value of the sites with data; robustness samples it over the observed range, "
        "widening those sites' rank intervals) or `proxy: <criterion>` (a GB-wide stand-in). In brackets: sites."
    )

st.markdown("#### Notes")
if a.notes:
    for n in a.notes:
        st.markdown(f"- {n}")
else:
    st.caption("Nothing was repaired, reprojected or filled.")

st.markdown("#### Effective weights")
w = a.weights
crit = pd.DataFrame(
    {
        "criterion": [cfg.criterion(c).display for c in w.criteria.index],
        "group": w.group_of.reindex(w.criteria.index).to_numpy(),
        "group weight": w.groups.reindex(w.group_of.reindex(w.criteria.index)).to_numpy(),
        "within group": w.within.reindex(w.criteria.index).to_numpy(),
        "global weight": w.criteria.to_numpy(),
    }
)
st.dataframe(
    crit,
    hide_index=True,
    column_config={
        "global weight": st.column_config.ProgressColumn("global weight", min_value=0, max_value=1, format="%.3f")
    },
)
for note in w.notes:
    st.caption(note)

st.markdown("#### Criteria")
st.dataframe(
    pd.DataFrame(
        [
            {
                "criterion": c.display,
                "name": c.name,
                "group": c.group,
                "measure": c.measure,
                "layer": c.layer or "",
                "filter": c.where or "",
                "unit": c.unit,
                "direction": c.direction,
                "missing": c.missing if c.proxy is None else f"proxy: {c.proxy}",
                "nations": "all" if c.nations is None else ", ".join(c.nations),
                "value function": "" if c.value is None else f"{c.value.function} {dict(c.value.params)}",
            }
            for c in cfg.criteria
        ]
    ),
    hide_index=True,
)

st.markdown("#### Method")
desc = mcda.describe_methods()
st.markdown(
    f"""
1. **Criteria** are measured once per site in real units (km, MW, ha, fractions) from the layers above.
2. **Gates** are hard pass/fail tests on raw values; a site failing any gate is kept, marked ineligible and not
   ranked ({sum(g.enabled for g in cfg.gates)} gate(s) on).
3. **Value functions** map each criterion to 0-1 (1 best), applying its direction (benefit or cost).
4. **Weights** are hierarchical: group weight x weight within the group, each normalised to sum to 1.
5. **Aggregation**: `{cfg.method.name}`: {desc.get(cfg.method.name, "")} Scores are 0-100, higher is better.
6. **Ranking**: 1 is best, eligible sites only, ties broken by site id. Tiers: A top 10%, B to 30%, C to 60%, D.
"""
)
with st.expander("All aggregation methods"):
    for k, v in desc.items():
        st.markdown(f"- **{k}**: {v}")
with st.expander("The config (TOML) with the current settings"):
    st.code(cfg.to_toml(), language="toml")
