"""The app's map work per slider move, against plain ``st_folium``, side by side in one run.

Peer: what a streamlit-folium app does on every rerun: build the folium map (basemap,
outline, input layers, legend) with the re-ranked sites on it and pass it to
``streamlit_folium.st_folium(..., feature_group_to_add=sites)``, with st_folium's own
``render=True`` default. Ours: the app's path, where the base map was rendered once
(``growthzones.app._folium_component.render_base``, cached by the app) and each rerun renders only
the sites layer, whose popups leave out the criteria part the base map defines once.

Both use ``growthzones.maps`` (whose input layers are serialised once per process, which
already spares the peer most of folium's cost) and send their arguments to a stand-in for
the component (no Streamlit server), so this
times the Python work and reports what each sends to the browser per move; the browser side
is timed by ``tests/app/test_app_browser.py`` (run with ``-s`` to see it).

Usage::

    python benchmarks/bench_map.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import folium
import streamlit_folium as stf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import growthzones as gz
from growthzones import maps
from growthzones.app import _folium_component as fc

SENT: list[dict[str, Any]] = []


def _record(**kwargs: Any) -> dict[str, Any]:
    SENT.append(kwargs)
    return kwargs["default"]


def _payload(kwargs: dict[str, Any]) -> int:
    return sum(len(v) for v in kwargs.values() if isinstance(v, str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="slider moves to time (default 10)")
    args = parser.parse_args()
    stf._component_func = _record  # no Streamlit server: record what would be sent

    a = gz.assess(gz.datasets.demo_config_path())
    layers = maps.prepare_layers(a, outline=maps.read_outline(a.config))
    moves = [a.reweight(groups={"grid": 0.30 + 0.05 * i}) for i in range(args.repeat)]

    def peer(b: gz.Assessment) -> None:
        m = maps.base_map(a, layers=layers, tiles=None)
        stf.st_folium(
            m,
            key="site_map",
            height=620,
            use_container_width=True,
            returned_objects=["last_object_clicked"],
            feature_group_to_add=maps.sites_layer(b, layers=layers),
            layer_control=folium.LayerControl(collapsed=True),
        )

    t0 = time.perf_counter()
    base = fc.render_base(
        maps.base_map(a, layers=layers, tiles=None, shared_popups=True), key="site_map", group_name=maps.SITES_GROUP
    )
    t_base = time.perf_counter() - t0

    def ours(b: gz.Assessment) -> None:
        fg = maps.sites_layer(b, layers=layers, shared_popups=True)
        fc.show_map(base, fg, key="site_map", height=620, returned_objects=["last_object_clicked"])

    peer(moves[0])
    ours(moves[0])  # warm both
    SENT.clear()
    t_peer, t_ours = [], []
    for b in moves:  # interleaved, so machine noise hits both alike
        t = time.perf_counter()
        peer(b)
        t_peer.append(time.perf_counter() - t)
        t = time.perf_counter()
        ours(b)
        t_ours.append(time.perf_counter() - t)
    peer_sent, ours_sent = SENT[-2], SENT[-1]
    mp, mo = statistics.median(t_peer), statistics.median(t_ours)
    print(f"demo: {len(a.sites)} sites, {len(layers.vectors)} vector and {len(layers.rasters)} raster overlays")
    print(f"base map rendered once (ours, cached by the app): {t_base * 1000:.0f} ms")
    print(f"per slider move, median of {args.repeat}:")
    print(f"  st_folium, whole map each rerun : {mp * 1000:7.1f} ms, sends {_payload(peer_sent) / 1e6:.2f} MB")
    print(f"  growthzones app path            : {mo * 1000:7.1f} ms, sends {_payload(ours_sent) / 1e6:.2f} MB")
    print(
        f"  ratio (peer / ours)             : {mp / mo:7.1f}x faster; sites layer "
        f"{len(peer_sent['feature_group']) / 1e3:.0f} kB -> {len(ours_sent['feature_group']) / 1e3:.0f} kB"
    )


if __name__ == "__main__":
    main()
