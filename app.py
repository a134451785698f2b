"""growthzones planners' app: rank candidate AI data-centre sites interactively.

Run ``streamlit run app.py -- CONFIG`` or ``growthzones app [CONFIG]``; with no config the
bundled demo opens (illustrative demo data). This script stays thin: it builds the shared
context (cached assessment, sidebar settings, re-evaluation) and runs the chosen page.
"""

from __future__ import annotations

import logging

import streamlit as st

from app_pages import _shared

st.set_page_config(page_title="growthzones", page_icon="⚡", layout="wide")
logging.getLogger("growthzones").setLevel(logging.WARNING)

PAGES = [
    st.Page("app_pages/map_ranking.py", title="Map and ranking", icon=":material/map:", url_path="map", default=True),
    st.Page("app_pages/site_detail.py", title="Site detail", icon=":material/location_on:", url_path="site"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("app_pages/robustness.py", title="Robustness", icon=":material/shield:", url_path="robustness"),
    st.Page("app_pages/data_method.py", title="Data and method", icon=":material/menu_book:", url_path="method"),
    st.Page("app_pages/upload_bids.py", title="Upload bids", icon=":material/upload_file:", url_path="upload"),
]

page = st.navigation(PAGES)
if _shared.build_context() is None:
    st.stop()
page.run()
