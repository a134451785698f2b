"""The planners' app (Streamlit): one module per page, and the registry navigation is built from.

Run ``growthzones app [CONFIG]`` or, from a source checkout, ``streamlit run app.py -- CONFIG``.
Both entry scripts (``app.py`` at the checkout's root, ``streamlit_app.py`` here for an
installed package) only call :func:`run`. A new page is a module in this folder plus one
:func:`register_page` call (or one entry in :data:`PAGES`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PAGES", "PageSpec", "register_page", "run", "unregister_page"]

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PageSpec:
    """One page of the app.

    Attributes
    ----------
    script
        The page's script (a path; relative paths are taken from this folder).
    title, icon, url_path
        As for ``st.Page``.
    default
        True for the page that opens first.
    """

    script: str
    title: str
    icon: str
    url_path: str
    default: bool = False

    @property
    def path(self) -> Path:
        """The page script's absolute path."""
        p = Path(self.script)
        return p if p.is_absolute() else HERE / p


#: The app's pages in navigation order.
PAGES: list[PageSpec] = [
    PageSpec("map_ranking.py", "Map and ranking", ":material/map:", "map", default=True),
    PageSpec("site_detail.py", "Site detail", ":material/location_on:", "site"),
    PageSpec("compare.py", "Compare", ":material/compare_arrows:", "compare"),
    PageSpec("robustness.py", "Robustness", ":material/shield:", "robustness"),
    PageSpec("surface.py", "Surface", ":material/grid_on:", "surface"),
    PageSpec("portfolio.py", "Portfolio", ":material/workspaces:", "portfolio"),
    PageSpec("data_method.py", "Data and method", ":material/menu_book:", "method"),
    PageSpec("upload_bids.py", "Upload bids", ":material/upload_file:", "upload"),
]


def register_page(spec: PageSpec) -> PageSpec:
    """Add a page to the navigation (replacing one with the same ``url_path``)."""
    PAGES[:] = [p for p in PAGES if p.url_path != spec.url_path] + [spec]
    return spec


def unregister_page(url_path: str) -> None:
    """Remove a page from the navigation (for tests and plug-ins that clean up)."""
    PAGES[:] = [p for p in PAGES if p.url_path != url_path]


def run(entry: str | Path) -> None:
    """Draw the app: navigation from :data:`PAGES`, the shared context, then the chosen page.

    Parameters
    ----------
    entry
        The entry script Streamlit runs (its folder holds ``static/`` for offline Leaflet).
    """
    import streamlit as st

    from growthzones.app import _shared

    st.set_page_config(page_title="growthzones", page_icon="⚡", layout="wide")
    logging.getLogger("growthzones").setLevel(logging.WARNING)
    st.session_state[_shared.ENTRY_KEY] = str(Path(entry).resolve())
    pages = [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default) for p in PAGES]
    page = st.navigation(pages)
    if _shared.build_context() is None:
        st.stop()
    page.run()
