"""What every page of the app shares: the cached assessment, the sidebar, the site picker.

The entry script (``app.py``) calls :func:`build_context` once per run: it loads the config,
gets the base assessment from the cache (computed once per config and input-file hashes),
draws the sidebar, and re-evaluates the cached criteria table under the sidebar's weights,
method and gates. Pages read the result with :func:`context`.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import growthzones as gz
from growthzones import appstate, maps, mcda, upload
from growthzones.app import _folium_component
from growthzones.assessment import Assessment
from growthzones.errors import GrowthzonesError
from growthzones.provenance import DEMO_NOTICE

log = logging.getLogger("growthzones.app")

#: Session-state key of the entry script Streamlit runs (``app.py`` or ``streamlit_app.py``).
ENTRY_KEY = "gz_entry"
#: Where Streamlit's static file serving (``server.enableStaticServing``) publishes ./static.
LEAFLET_URL = "/app/static/leaflet"
SITE_KEY = "gz_site"
#: The widget key of the main map.
MAP_KEY = "site_map"
_CTX_KEY = "gz_context"


@dataclass(frozen=True)
class Context:
    """One run's state, shared by the pages.

    Attributes
    ----------
    config_path
        The config file in use.
    default_demo
        True when no config was given and the bundled demo was loaded.
    fingerprint
        SHA-256 of the config and input files (the cache key).
    base
        The assessment as configured (cached).
    current
        The assessment under the sidebar's settings.
    baseline
        The sidebar's method and gates with the config's default weights (for rank changes).
    settings
        The sidebar's settings.
    nations, regions
        The filters chosen (empty: all).
    top_n
        How many top sites to show.
    """

    config_path: Path
    default_demo: bool
    fingerprint: str
    base: Assessment
    current: Assessment
    baseline: Assessment
    settings: appstate.AppSettings
    nations: tuple[str, ...]
    regions: tuple[str, ...]
    top_n: int

    def map_layers(self) -> maps.MapLayers:
        """The prepared map layers (cached per config)."""
        return _map_layers(str(self.config_path), self.fingerprint, self.base)

    @property
    def filtered_ids(self) -> list[str]:
        """Site ids passing the nation/region filters."""
        t = self.current.ranking
        return list(t.index[appstate.filter_mask(t, nations=self.nations, regions=self.regions)])


# --------------------------------------------------------------------------------------------
# caches (shared by every session; the objects are immutable)


@st.cache_resource(show_spinner=False, max_entries=4)
def _base(config_path: str, fingerprint: str) -> Assessment:
    """The expensive step, once per config and set of input-file hashes."""
    del fingerprint  # only part of the cache key
    return gz.assess(config_path)


@st.cache_resource(show_spinner="Preparing map layers (once)…", max_entries=4)
def _map_layers(config_path: str, fingerprint: str, _base_assessment: Assessment) -> maps.MapLayers:
    outline = None
    try:
        outline = maps.read_outline(_base_assessment.config)
    except GrowthzonesError as exc:
        log.warning("no outline on the map: %s", exc)
    return maps.prepare_layers(_base_assessment, outline=outline)


@st.cache_resource(show_spinner=False, max_entries=256)
def _evaluate(
    config_path: str, fingerprint: str, settings_key: str, _base_assessment: Assessment, _settings: appstate.AppSettings
) -> Assessment:
    return appstate.apply_settings(_base_assessment, _settings)


@st.cache_data(show_spinner=False, max_entries=8)
def _fingerprint(config_path: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    """Hash the inputs only when a file's size or modification time changed."""
    del stamp
    return appstate.input_fingerprint(gz.load_config(config_path))


def _stamp(cfg: gz.Config) -> tuple[tuple[str, int, int], ...]:
    out = []
    for f in appstate.input_files(cfg):
        try:
            s = f.stat()
            out.append((str(f), s.st_size, s.st_mtime_ns))
        except OSError:
            out.append((str(f), -1, -1))
    return tuple(out)


def load_assessment(config_path: Path) -> tuple[Assessment, str]:
    """The base assessment of ``config_path`` from the cache, computing it on first use."""
    cfg = gz.load_config(config_path)
    fp = _fingerprint(str(config_path), _stamp(cfg))
    with st.spinner("Reading layers and computing criteria (once per set of inputs)…"):
        base = _base(str(config_path), fp)
    return base, fp


# --------------------------------------------------------------------------------------------
# sidebar


def _reset_weights(base: Assessment) -> None:
    d = appstate.default_settings(base.config)
    for g, w in d.groups.items():
        st.session_state[f"w_group_{g}"] = float(w)
    for c, w in d.criteria.items():
        st.session_state[f"w_crit_{c}"] = float(w)


def _init(key: str, value: Any) -> None:
    """Give a widget its first value through Session State (no value= clash warnings)."""
    if key not in st.session_state:
        st.session_state[key] = value


def sidebar(base: Assessment) -> tuple[appstate.AppSettings, tuple[str, ...], tuple[str, ...], int]:
    """Draw the sidebar's controls and return settings, nation and region filters, top N."""
    cfg = base.config
    d = appstate.default_settings(cfg)
    sb = st.sidebar
    sb.subheader("Weights")
    groups = {}
    for g, w in d.groups.items():
        key = f"w_group_{g}"
        _init(key, float(w))
        groups[g] = sb.slider(
            f"{g.capitalize()} weight",
            0.0,
            max(1.0, float(w)),
            step=0.05,
            key=key,
            help="Group weights are normalised to sum to 1 when scoring.",
        )
    crits = {}
    with sb.expander("Criterion weights (within each group)"):
        for g in cfg.groups:
            members = [c for c in cfg.criteria if c.group == g and c.value is not None]
            if not members:
                continue
            st.caption(g.capitalize())
            for c in members:
                key = f"w_crit_{c.name}"
                _init(key, float(c.weight))
                crits[c.name] = st.slider(
                    c.display,
                    0.0,
                    max(1.0, float(c.weight)),
                    step=0.05,
                    key=key,
                    help=f"{c.name} ({c.direction}); 0 = reported and gateable only",
                )
    sb.button("Reset weights to the config's", on_click=_reset_weights, args=(base,), width="stretch")

    sb.subheader("Method")
    methods = list(mcda.AGGREGATION_METHODS)
    desc = mcda.describe_methods()
    _init("method", cfg.method.name)
    method = sb.selectbox(
        "Aggregation method", methods, key="method", help="\n\n".join(f"**{m}**: {desc.get(m, '')}" for m in methods)
    )
    sb.caption(desc.get(method, ""))
    method_params = _method_params(cfg, method)

    gates = []
    with sb.expander(f"Gates ({sum(1 for g in cfg.gates if g.enabled)} of {len(cfg.gates)} on)"):
        for i, g in enumerate(cfg.gates):
            c = cfg.criterion(g.criterion)
            _init(f"gate_on_{i}", bool(g.enabled))
            _init(f"gate_val_{i}", float(g.value))
            on = st.checkbox(f"{g.label or c.display} {g.op} …", key=f"gate_on_{i}")
            val = st.number_input(
                f"threshold ({c.unit})" if c.unit else "threshold",
                key=f"gate_val_{i}",
                disabled=not on,
                step=_step(float(g.value)),
                format="%g",
            )
            gates.append((bool(on), float(val)))

    sb.subheader("Show")
    t = base.sites
    nations: list[str] = []
    regions: list[str] = []
    if "nation" in t.columns:
        nations = sb.multiselect("Nation", sorted(t["nation"].dropna().astype(str).unique()), key="f_nation")
    if "region" in t.columns:
        pool = t if not nations else t.loc[t["nation"].astype(str).isin(nations)] if "nation" in t.columns else t
        regions = sb.multiselect("Region", sorted(pool["region"].dropna().astype(str).unique()), key="f_region")
    n = len(t)
    _init("top_n", min(20, n))
    top_n = int(sb.number_input("Top N sites", min_value=1, max_value=max(1, n), step=5, key="top_n"))
    settings = appstate.AppSettings(
        groups=groups,
        criteria=crits,
        method=method,
        method_params=method_params,
        gates=tuple(gates),
    )
    return settings, tuple(nations), tuple(regions), top_n


def _method_params(cfg: gz.Config, method: str) -> dict[str, Any]:
    """Widgets for the chosen method's parameters (an expander); returns the parameters."""
    config_params = dict(cfg.method.params) if method == cfg.method.name else {}
    specs = appstate.METHOD_PARAMS.get(method, ())
    if not specs and not config_params:
        return config_params
    chosen: dict[str, Any] = {}
    with st.sidebar.expander(f"{method} parameters", expanded=method in ("vikor", "owa", "promethee2")):
        for spec in specs:
            # Whether a parameter is offered depends on the ones before it (PROMETHEE's
            # thresholds on its preference function), which are already chosen here.
            if spec not in appstate.method_params_from(method, chosen, config_params)[1]:
                continue
            key = f"mp_{method}_{spec.name}"
            _init(key, appstate.method_param_start(method, spec, config_params))
            if spec.options:
                chosen[spec.name] = st.selectbox(spec.label, spec.options, key=key, help=spec.help)
            else:
                # A config value outside the usual range widens it rather than failing.
                now = float(st.session_state[key])
                chosen[spec.name] = float(
                    st.slider(
                        spec.label,
                        min(float(spec.min_value), now),
                        max(float(spec.max_value), now),
                        step=float(spec.step),
                        key=key,
                        help=spec.help,
                    )
                )
        for name in sorted(set(config_params) - {p.name for p in specs}):
            st.caption(f"`{name}` as set in the config: {config_params[name]}")
    params, _ = appstate.method_params_from(method, chosen, config_params)
    return params


def _step(v: float) -> float:
    if v == 0 or abs(v) >= 10:
        return 1.0 if v == 0 else 5.0
    return 0.05 if abs(v) <= 1 else 1.0


# --------------------------------------------------------------------------------------------
# context


def config_from_args() -> tuple[Path, bool]:
    """The config named on the command line or in $GROWTHZONES_CONFIG, else the demo."""
    return appstate.resolve_config(sys.argv, script=entry_script())


def entry_script() -> Path:
    """The script Streamlit runs; its folder's ``static/`` is served at /app/static."""
    return Path(st.session_state.get(ENTRY_KEY, Path(__file__).with_name("streamlit_app.py")))


def build_context() -> Context | None:
    """Load everything for this run and draw the sidebar; None (with an error shown) on failure."""
    try:
        path, default_demo = config_from_args()
        base, fp = load_assessment(path)
    except GrowthzonesError as exc:
        st.error(f"Cannot open the assessment: {exc}")
        st.info("Start the app with a config: `growthzones app path/to/config.toml` (no argument opens the demo).")
        return None
    settings, nations, regions, top_n = sidebar(base)
    try:
        current = _evaluate(str(path), fp, settings.key(), base, settings)
        baseline_settings = appstate.AppSettings(
            groups=appstate.default_settings(base.config).groups,
            criteria=appstate.default_settings(base.config).criteria,
            method=settings.method,
            method_params=settings.method_params,
            gates=settings.gates,
        )
        baseline = _evaluate(str(path), fp, baseline_settings.key(), base, baseline_settings)
    except GrowthzonesError as exc:
        st.error(f"These settings cannot be scored: {exc}")
        current = baseline = base
    ctx = Context(path, default_demo, fp, base, current, baseline, settings, nations, regions, top_n)
    st.session_state[_CTX_KEY] = ctx
    return ctx


def context() -> Context:
    """Return the context of this run (set by the entry script before the page runs)."""
    ctx = st.session_state.get(_CTX_KEY)
    if ctx is None:  # a page opened without the entry script: should not happen
        st.error("The app is still loading; reload the page.")
        st.stop()
    return ctx


def header(ctx: Context, title: str) -> None:
    """Page title, the project name and, for the demo, the illustrative-data notice."""
    st.title(title)
    cfg = ctx.base.config
    st.caption(f"{cfg.project.name} · {len(ctx.base.sites)} sites · config `{ctx.config_path.name}`")
    if cfg.project.demo:
        lead = "No config given: showing the bundled demo. " if ctx.default_demo else ""
        st.warning(f"{lead}This is **{DEMO_NOTICE}**.", icon=":material/science:")


# --------------------------------------------------------------------------------------------
# the selected site, shared by pages


def selected_site(ctx: Context) -> str | None:
    """The site chosen anywhere in the app (None if none or no longer present)."""
    sid = st.session_state.get(SITE_KEY)
    return sid if sid in ctx.current.sites.index else None


def set_selected(sid: str | None) -> None:
    """Choose a site (from a table, the map or a picker)."""
    st.session_state[SITE_KEY] = sid


def site_picker(ctx: Context, *, key: str, label: str = "Site") -> str | None:
    """A select box of sites in ranking order, kept in step with the shared selection."""
    labels = appstate.site_labels(ctx.current)
    ids = list(labels)
    current = selected_site(ctx)
    # The widget's own key would be dropped when another page is shown; the shared key
    # survives, so copy it in before drawing and back out on change.
    st.session_state[key] = current

    def changed() -> None:
        set_selected(st.session_state[key])

    return st.selectbox(
        label,
        ids,
        key=key,
        format_func=lambda s: labels.get(s, s),
        index=None,
        placeholder="Choose a site…",
        on_change=changed,
    )


def score_like_bids(a: Assessment, gdf: Any, *, id_column: str, name_column: str, source: str, combine: bool,
                    what: str) -> tuple[Assessment, list[str]]:  # fmt: skip
    """Score sites with the loaded layers (``upload.score_upload``), or show why not and stop the page."""
    try:
        return upload.score_upload(a, gdf, id_column=id_column, name_column=name_column, source=source,
                                   combine=combine)  # fmt: skip
    except GrowthzonesError as exc:
        st.error(f"Cannot score {what}: {exc}")
        st.stop()
        raise  # st.stop() raises; this keeps type checkers content


def gpkg_download(label: str, write: Any, file_name: str, key: str) -> None:
    """A download button for a GeoPackage made by ``write(path)`` when clicked."""
    st.download_button(label, data=lambda: temp_download(write, ".gpkg"), file_name=file_name,
                       mime="application/geopackage+sqlite3", on_click="ignore", key=key)  # fmt: skip


def temp_download(write: Any, suffix: str) -> bytes:
    """Run ``write(path)`` into a temporary folder and return the file's bytes."""
    with tempfile.TemporaryDirectory(prefix="gz-export-") as tmp:
        p = Path(tmp) / f"export{suffix}"
        write(p)
        return p.read_bytes()


@st.cache_resource(show_spinner=False, max_entries=64)
def _archetypes(config_path: str, fingerprint: str, settings_key: str, _a: Assessment) -> Any:
    return _a.archetypes().labels


def archetype_labels(ctx: Context) -> Any:
    """Archetype label per site under the current settings (cached), or None."""
    return _archetypes(str(ctx.config_path), ctx.fingerprint, ctx.settings.key(), ctx.current)


@st.cache_resource(show_spinner=False, max_entries=32)
def _rendered_base(
    config_path: str,
    fingerprint: str,
    tiles: str | None,
    leaflet_url: str | None,
    color_by: str,
    categories_key: str,
    selected: str | None,
    _base_assessment: Assessment,
    _layers: maps.MapLayers,
    _categories: Any,
) -> _folium_component.RenderedBase:
    m = maps.base_map(
        _base_assessment,
        layers=_layers,
        tiles=tiles,
        leaflet_url=leaflet_url,
        color_by=color_by,
        categories=_categories,
        selected=selected,
        shared_popups=True,
    )
    return _folium_component.render_base(m, key=MAP_KEY, group_name=maps.SITES_GROUP)


def base_map(
    ctx: Context, tiles: str | None, leaflet_url: str | None, color_by: str, categories: Any, selected: str | None
) -> _folium_component.RenderedBase:
    """The map without sites for this run's choices, rendered once and cached.

    Nothing in it depends on weights, method or gates (see :func:`growthzones.maps.base_map`),
    so a slider move only renders the sites layer. A selected site is framed by the base map
    itself (the map is re-mounted), rather than by moving a mounted map, which leaves
    Leaflet's SVG layers clipped to the old view.
    """
    categories_key = ""
    if categories is not None:
        categories_key = hashlib.sha256(pd.util.hash_pandas_object(categories).to_numpy()).hexdigest()
    return _rendered_base(
        str(ctx.config_path),
        ctx.fingerprint,
        tiles,
        leaflet_url,
        color_by,
        categories_key,
        selected,
        ctx.base,
        ctx.map_layers(),
        categories,
    )


def leaflet_assets_present() -> bool:
    """True when ``make static`` has put Leaflet's JS and CSS in ./static/leaflet."""
    static_leaflet = entry_script().parent / "static" / "leaflet"
    return (static_leaflet / "leaflet.js").is_file() and (static_leaflet / "leaflet.css").is_file()
