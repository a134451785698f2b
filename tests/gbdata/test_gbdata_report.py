"""One layer-report helper for every GB builder: every distinct licence of the inputs is kept."""

from __future__ import annotations

from growthzones.gbdata.sources import SOURCES, layer_report


def test_report_keeps_every_licence_in_order() -> None:
    # boundaries.py used to keep only the first source's licence and attribution.
    r = layer_report("mixed", "ons_topo", "gsp_regions")
    assert r.sources == (SOURCES["ons_topo"].relpath, SOURCES["gsp_regions"].relpath)
    assert r.licence == "Open Government Licence v3.0; NESO Open Data Licence"
    assert r.attribution == f"{SOURCES['ons_topo'].attribution}; {SOURCES['gsp_regions'].attribution}"


def test_report_states_a_shared_licence_once() -> None:
    r = layer_report("lad", "ons_topo", "ltla25")
    assert r.licence == "Open Government Licence v3.0"
    assert r.attribution == SOURCES["ons_topo"].attribution
    assert r.sources == ("boundaries/ons_uk_topo.json", "boundaries/ltla25.csv")
