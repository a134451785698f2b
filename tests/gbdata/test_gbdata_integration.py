"""Build the whole GB layer stack from ../shared/gb-open-data once and check it against known facts.

The expected counts were verified against the data (see the build report): they change only if
the shared files or the cleaning rules change.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from pyproj import Transformer
from shapely import Point

from growthzones.gbdata import LAYER_NAMES, STEPS, build_gb_layers

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "gb-open-data"

pytestmark = [
    pytest.mark.gbdata,
    pytest.mark.skipif(not SHARED.is_dir(), reason=f"GB open data not found at {SHARED} (../shared/gb-open-data)"),
]

TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)

EXPECTED_COUNTS = {
    "lad": 361,  # the current set (no end year): 296 England, 32 Scotland, 22 Wales, 11 Northern Ireland
    "regions": 12,
    "countries": 4,
    "gsp_regions": 338,
    "gsp_points": 388,
    "hv_lines": 642,
    "hv_substations": 373,  # 504 vertices minus 131 line joints
    "tec_by_gsp": 338,
    "constraint_boundaries": 33,
    "etys_boundaries": 34,
    "dno_areas": 14,
    "power_stations": 1351,
    "former_stations": 82,  # tests/gbdata/test_gbdata_former.py works the count out from the source files
    "repd": 6791,
    "motorways": 6648,
    "rail_stations": 2608,
    "national_parks": 15,
    "brownfield": 4709,
    "population": 7264,
    "water_stress": 12,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("gb") / "gb_layers.gpkg"
    steps = []
    report = build_gb_layers(SHARED, out, progress=lambda s, i, n: steps.append((s, i, n)))
    return out, report, steps


def _layer(built, name):
    return gpd.read_file(built[0], layer=name)


def test_all_layers_written_in_bng(built):
    out, report, steps = built
    layers = dict(pyogrio.list_layers(out))
    assert set(LAYER_NAMES) <= set(layers)
    assert {"tec_sites_ungeocoded", "layer_metadata"} <= set(layers)
    for name in LAYER_NAMES:
        info = pyogrio.read_info(out, layer=name)
        assert info["crs"] == "EPSG:27700", name
        assert info["features"] == report[name].feature_count, name
    assert [s for s, _, _ in steps] == [*STEPS, "done"]


@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED_COUNTS.items()))
def test_row_counts(built, name, count):
    assert built[1][name].feature_count == count


def test_tec_sites_geocoding_is_reported(built):
    report = built[1]
    tec, ungeo = report["tec_sites"], report["tec_sites_ungeocoded"]
    assert tec.feature_count + ungeo.feature_count == 947  # connection sites after name normalisation
    assert tec.feature_count >= 400
    assert tec.dropped["connection site not geocoded (listed in table tec_sites_ungeocoded)"] == ungeo.feature_count
    assert tec.dropped["no connection site given"] == 1
    assert any(n.startswith("geocoded ") for n in tec.notes)


def test_dropped_rows_have_reasons(built):
    report = built[1]
    assert report["lad"].dropped == {"superseded district (has an `end` year: abolished or replaced)": 46}
    assert report["power_stations"].dropped == {
        "duplicate station (same name, coordinates, fuel and capacity under another owner)": 2,
        "X/Y is 0 (placeholder, not a location)": 15,
        "X/Y outside the British National Grid extent": 1,
    }
    assert report["repd"].dropped["missing or non-numeric X/Y coordinates"] == 3
    assert report["brownfield"].dropped == {"MSOA 2011 code has no MSOA 2021 centroid (boundary changed in 2021)": 92}
    assert "Dropped rows:" in report.summary()
    meta = gpd.read_file(built[0], layer="layer_metadata")
    row = meta.set_index("layer").loc["power_stations"]
    assert row["dropped_count"] == 18 and "X/Y is 0" in row["dropped"]
    assert set(meta.columns) >= {
        "layer",
        "source",
        "licence",
        "attribution",
        "feature_count",
        "dropped",
        "notes",
        "built_at",
        "package_version",
    }
    assert meta["attribution"].str.len().gt(0).all()
    nations = meta.set_index("layer")["nations"]
    assert (nations["brownfield"], nations["water_stress"]) == ("England", "England")
    assert nations["population"] == "England; Wales"
    assert nations["hv_substations"] == nations["former_stations"] == "England; Scotland; Wales"
    former = meta.set_index("layer").loc["former_stations"]
    assert "CC BY 4.0" in former["licence"] and "share-alike" in former["licence"]
    assert "GeoNuclearData" in former["attribution"] and "closed by DUKES 5.11 absence" in former["notes"]


def test_transformation_recorded(built):
    report = built[1]
    assert "OSGB36" in report.transformation
    assert any("reprojected EPSG:4326 -> EPSG:27700" in r for r in report["hv_lines"].repairs)
    assert report["etys_boundaries"].source_crs == "EPSG:3857"


def test_fifteen_national_parks_and_keswick_in_lake_district(built):
    parks = _layer(built, "national_parks")
    assert len(parks) == 15
    keswick = Point(*TO_BNG.transform(-3.134, 54.60))
    assert parks.loc[parks.contains(keswick), "name"].tolist() == ["Lake District"]
    assert parks.is_valid.all()


def test_400kv_substations_at_drax_and_pelham(built):
    subs = _layer(built, "hv_substations")
    for lon, lat, name in [(-0.996, 53.737, "Drax"), (0.1184, 51.935, "Stocking Pelham")]:
        near = subs[subs.distance(Point(*TO_BNG.transform(lon, lat))) < 2000]
        assert (near["max_voltage_kv"] == 400).any(), name
        assert near["name"].str.contains(name).any(), name
    lines = _layer(built, "hv_lines")
    assert set(lines["voltage_kv"].dropna()) >= {400.0, 275.0, 132.0}


def test_lad_codes_and_water_stress(built):
    lad = _layer(built, "lad")
    assert lad["areacd"].is_unique
    assert lad["country"].value_counts().to_dict() == {
        "England": 296,
        "Scotland": 32,
        "Wales": 22,
        "Northern Ireland": 11,
    }
    assert {"S12000049", "S12000050"} <= set(lad["areacd"])  # Glasgow, North Lanarkshire re-coded
    water = _layer(built, "water_stress").set_index("region_name")
    assert water.loc["London", "water_classification"] == "serious"
    assert water.loc["North West", "water_classification"] == "not serious"
    assert water.loc["Scotland", "water_classification"] == "not assessed"


def test_tec_by_gsp_totals_match_sites(built):
    by_gsp = _layer(built, "tec_by_gsp")
    sites = _layer(built, "tec_sites")
    assert by_gsp["tec_contracted_mw"].sum() <= sites["contracted_mw"].sum() + 1e-6
    assert by_gsp["tec_contracted_mw"].sum() > 0.9 * sites["contracted_mw"].sum()
