"""From the shared GB open data to a ranking: the three commands of docs/gb.md, end to end.

The stack and the candidates are built once for the module, into a temporary folder laid out
like the repository (``build/`` beside ``configs/``), so the committed configs are copied
unchanged and their relative paths (``../build/...``) resolve to the files built here.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Transformer
from shapely import box

import growthzones as gz
from growthzones.cli import main
from growthzones.config import SitesConfig
from growthzones.gbdata import LAYER_NAMES

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "gb-open-data"
CONFIGS = ("gb_aigz.toml", "gb_aigz_districts.toml")

pytestmark = [
    pytest.mark.gbdata,
    pytest.mark.skipif(
        not SHARED.is_dir(), reason=f"GB open data not found at {SHARED} (../shared/gb-open-data relative to the repo)"
    ),
]

TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def square(lon: float, lat: float, *, size_m: float = 1000.0, dy: float = 0.0) -> shapely.Polygon:
    x, y = TO_BNG.transform(lon, lat)
    h = size_m / 2
    return box(x - h, y + dy - h, x + h, y + dy + h)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``data gb`` then ``candidates`` into <tmp>/build, with the configs copied into <tmp>/configs."""
    root = tmp_path_factory.mktemp("gb_e2e")
    (root / "build").mkdir()
    (root / "configs").mkdir()
    for name in CONFIGS:
        shutil.copy(REPO / "configs" / name, root / "configs" / name)
    layers, cands = root / "build" / "gb_layers.gpkg", root / "build" / "candidates.gpkg"
    built = run("data", "gb", "--source", str(SHARED), "--out", str(layers))
    made = run("candidates", "--layers", str(layers), "--out", str(cands))
    return {"root": root, "layers": layers, "candidates": cands, "built": built, "made": made}


def test_data_gb_writes_every_layer(project):
    r = project["built"]
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("GB layer stack: ") and f"wrote GB layer stack: {project['layers']}" in r.stdout
    names = {n for n, _ in pyogrio.list_layers(project["layers"])}
    assert set(LAYER_NAMES) | {"exchange_cities", "layer_metadata", "tec_sites_ungeocoded"} <= names
    meta = pyogrio.read_dataframe(project["layers"], layer="layer_metadata")
    assert set(LAYER_NAMES) | {"exchange_cities"} <= set(meta["layer"])
    assert not list(project["layers"].parent.glob(".*tmp*"))  # no temporary files left behind


def test_lad_candidates_are_the_districts_of_great_britain(project):
    r = project["made"]
    assert r.exit_code == 0, r.output
    lad = gpd.read_file(project["candidates"], layer="lad_candidates")
    assert len(lad) >= 350
    assert set(lad["country"]) == {"England", "Scotland", "Wales"}
    assert not lad["site_id"].str.startswith("N").any()
    assert lad["site_id"].is_unique and lad["region_name"].notna().all()
    by_name = lad.set_index("name")
    # the transmission-position proxy: Highland is north of all five boundaries, Westminster of none
    assert by_name.loc["Highland", "boundaries_south"] == 5
    assert by_name.loc["Westminster", "boundaries_south"] == 0
    assert by_name.loc["Glasgow City", "boundaries_south_of"] == "B6 B7a B8 B9"
    assert not by_name.loc["Highland", "water_assessed"] and by_name.loc["Westminster", "water_stress_score"] == 1.0


def test_site_candidates_avoid_national_parks(project):
    sites = gpd.read_file(project["candidates"], layer="site_candidates")
    grid = gpd.read_file(project["candidates"], layer="grid_candidates")
    parks = shapely.union_all(gpd.read_file(project["layers"], layer="national_parks").geometry.to_numpy())
    assert len(sites) > 350 and len(grid) > 450
    assert set(sites["kind"]) == {"former station", "beside point"} and set(grid["kind"]) == {"grid"}
    beside = sites.loc[sites["kind"] == "beside point"]
    assert not beside.intersects(parks).any() and not grid.intersects(parks).any()
    assert set(sites["country"]) == {"England", "Scotland", "Wales"}
    # Former stations are kept where they are: Trawsfynydd lies inside Eryri (Snowdonia) and is gated later.
    former = sites.loc[sites["kind"] == "former station"].set_index("station")
    assert former.loc["Trawsfynydd"].geometry.intersects(parks)
    assert {"Cottam", "Ratcliffe-on-Soar", "Fiddlers Ferry", "Aberthaw B", "Wylfa"} <= set(former.index)


def test_rank_districts(project, tmp_path):
    out = tmp_path / "lad_ranked.gpkg"
    r = run("rank", str(project["root"] / "configs" / "gb_aigz_districts.toml"), "--out", str(out), "--top", "15")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].startswith("AI Growth Zones: GB local authority districts (open data): 350 sites,")
    ranked = gpd.read_file(out, layer="ranked_sites")
    assert len(ranked) == 350
    eligible = ranked.loc[ranked["eligible"]]
    assert len(eligible) > 300 and eligible["score"].between(0, 100).all()
    top = ranked.sort_values("rank").head(15)
    assert top["eligible"].all() and top["country"].isin(["England", "Scotland", "Wales"]).all()
    # the island districts have no 275 kV+ substation within 25 km and are gated out
    gated = ranked.set_index("name")
    assert not gated.loc["Shetland Islands", "eligible"] and not gated.loc["Orkney Islands", "eligible"]


def test_rank_sites_and_known_facts(project):
    """Keswick (inside the Lake District) fails the park gate; a square by Drax is < 1 km from 400 kV."""
    from growthzones.candidates import add_context, read_stack

    cfg = gz.load_config(project["root"] / "configs" / "gb_aigz.toml")
    stack = read_stack(project["layers"], ["regions", "etys_boundaries", "water_stress"])
    known = gpd.GeoDataFrame(
        {"sid": ["keswick", "drax"], "label": ["Keswick", "Beside Drax"], "country": ["England", "England"]},
        geometry=[square(-3.134, 54.60), square(-0.996, 53.737, dy=1000.0)],  # Drax: 1 km north of the station
        crs=27700,
    )
    path = project["root"] / "build" / "known_sites.gpkg"
    add_context(known, stack).to_file(path, layer="known", engine="pyogrio")
    sites_cfg = SitesConfig(path=path, id="sid", name="label", layer="known", nation="country")
    a = gz.assess(dataclasses.replace(cfg, sites=sites_cfg))
    crit, gates = a.criteria, a.gates
    assert crit.loc["keswick", "national_park_share"] == 1.0
    assert not gates.loc["keswick", "eligible"]
    assert "national park" in str(gates.loc["keswick"].to_dict())
    assert crit.loc["drax", "substation_400kv_km"] < 1.0 and crit.loc["drax", "supergrid_substation_km"] < 1.0
    assert gates.loc["drax", "eligible"]

    # and the whole site variant ranks
    full = gz.assess(cfg)
    assert full.n_eligible > 300
    parked = full.criteria["national_park_share"] > 0
    assert set(full.sites.loc[parked, "kind"]) == {"former station"}
    assert not full.gates.loc[parked, "eligible"].any()
    # the district summary: one row per district with a site, best site first
    d = full.districts
    assert d["n_sites"].sum() == len(full.sites) and d["n_eligible"].sum() == full.n_eligible
    assert d["best_score"].iloc[0] == full.scores["score"].max()
    # no criterion covering England only moves Welsh or Scottish sites: they hold the median English value
    elsewhere = full.sites["country"] != "England"
    for name in ("water_stress", "brownfield_ha_10km"):
        assert full.criteria.loc[elsewhere, name].isna().all()
        assert full.values.loc[elsewhere, name].nunique() == 1


def test_site_discovery_regions_join_the_ranking(project, tmp_path):
    """docs/gb.md's discovery route at 2 km: surface, locate, candidates --regions, then rank them all."""
    surface = tmp_path / "gb_surface_2km.tif"
    r = run("surface", str(project["root"] / "configs" / "gb_aigz_districts.toml"), "--outline", "sites",
            "--cell-size", "2000", "--out", str(surface))  # fmt: skip
    assert r.exit_code == 0, r.output
    regions = tmp_path / "gb_regions.gpkg"
    r = run("locate", str(surface), "--regions", "5", "--min-area", "400", "--max-area", "1600",
            "--min-spacing", "10000", "--out", str(regions))  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "optimal, MIP gap 0.00e+00" in r.output
    found = gpd.read_file(regions)
    assert list(found["site_id"]) == ["R001", "R002", "R003", "R004", "R005"]
    assert found["area_ha"].between(400, 1600).all()

    cands = tmp_path / "candidates.gpkg"
    r = run("candidates", "--layers", str(project["layers"]), "--out", str(cands), "--regions", str(regions))
    assert r.exit_code == 0, r.output
    sites = gpd.read_file(cands, layer="site_candidates").set_index("site_id")
    located = sites.loc[sites["kind"] == "located region"]
    assert sorted(located.index) == ["R001", "R002", "R003", "R004", "R005"]
    # the candidate is the located polygon itself, not a square put around it
    drawn = found.set_index("site_id").geometry.sort_index()
    assert located.geometry.sort_index().geom_equals_exact(drawn, tolerance=0.01).all()

    cfg = gz.load_config(project["root"] / "configs" / "gb_aigz.toml")
    a = gz.assess(dataclasses.replace(cfg, sites=dataclasses.replace(cfg.sites, path=cands)))
    assert len(a.sites) == len(sites)
    assert a.ranking.loc[located.index, "eligible"].all()
    assert a.ranking.loc[located.index, "rank"].notna().all()
