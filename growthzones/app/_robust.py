"""Robustness analysis for the app: computed on request, cached, with a progress bar."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pandas as pd
import streamlit as st

from growthzones.app._shared import Context

_MAX_RESULTS = 16


@st.cache_resource(show_spinner=False)
def _store() -> OrderedDict[str, Any]:
    """Results shared by every session (they depend only on inputs, settings and seed)."""
    return OrderedDict()


def _key(ctx: Context, params: dict[str, Any]) -> str:
    return json.dumps([str(ctx.config_path), ctx.fingerprint, ctx.settings.key(), params], sort_keys=True)


def cached_result(ctx: Context, *, run: bool, params: dict[str, Any] | None = None) -> Any | None:
    """The robustness result for the current settings; computed (with a progress bar) if ``run``."""
    params = params if params is not None else st.session_state.get("_robust_params", {"samples": 2000, "seed": 1})
    key = _key(ctx, params)
    store = _store()
    if key in store or not run:
        return store.get(key)
    bar = st.progress(0.0, text="Sampling weights…")

    def progress(done: int, total: int, label: str) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=f"Sampling weights… {label}")

    try:
        result = ctx.current.robustness(progress=progress, **params)
    finally:
        bar.empty()
    store[key] = result
    while len(store) > _MAX_RESULTS:
        store.popitem(last=False)
    st.session_state["_robust_params"] = params
    return result


def show_site(result: Any, sid: str) -> None:
    """One site's rank interval, P(top k) and related figures."""
    t = result.summary
    if sid not in t.index:
        st.caption("No robustness figures for this site.")
        return
    r = t.loc[sid]
    cols = st.columns(4)
    if {"rank_lo", "rank_hi"} <= set(t.columns):
        lo, hi = r["rank_lo"], r["rank_hi"]
        text = "-" if pd.isna(lo) or pd.isna(hi) else f"{int(lo)}–{int(hi)}"
        cols[0].metric("Rank interval", text, help="central range of ranks under sampled weights")
    if "p_top_10" in t.columns:
        cols[1].metric("P(top 10)", f"{float(r['p_top_10']):.0%}")
    if "median_rank" in t.columns and pd.notna(r["median_rank"]):
        cols[2].metric("Median rank", f"{float(r['median_rank']):g}")
    if "p_first" in t.columns:
        cols[3].metric("P(first)", f"{float(r['p_first']):.0%}")
