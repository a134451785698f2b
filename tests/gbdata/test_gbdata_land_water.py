"""Land, connectivity and water builders on tiny fixtures."""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from growthzones.errors import ConfigError
from growthzones.gbdata.connectivity import build_motorways, build_rail_stations
from growthzones.gbdata.land import build_brownfield, build_national_parks, build_population
from growthzones.gbdata.water import build_water_stress, classify_regions, read_company_regions


def _ndjson_gz(path, features):
    with gzip.open(path, "wt") as f:
        for feat in features:
            f.write(json.dumps(feat) + "\n")


@pytest.fixture
def centroids(tmp_path):
    p = tmp_path / "c.json.gz"
    _ndjson_gz(
        p,
        [
            {
                "type": "Feature",
                "properties": {"areacd": code},
                "geometry": {"type": "Point", "coordinates": [lon, 52.0]},
            }
            for code, lon in [("E02000001", -1.0), ("E02000002", -1.1), ("E02006999", -1.2)]
        ],
    )
    return p


def test_brownfield_joins_matching_codes_and_counts_the_rest(tmp_path, centroids):
    bf = tmp_path / "bf.csv"
    bf.write_text("msoa,brownfield area\nE02000001,0.22\nE02000002,4.91\nE02000003,1.5\nE02000004,x\n")
    gdf, rep = build_brownfield(bf, centroids)
    assert gdf["msoa_code"].tolist() == ["E02000001", "E02000002"]
    assert gdf["brownfield_ha"].tolist() == [0.22, 4.91]
    assert gdf.crs == "EPSG:27700"
    assert rep.dropped == {
        "non-numeric brownfield area": 1,
        "MSOA 2011 code has no MSOA 2021 centroid (boundary changed in 2021)": 1,
    }
    assert any("2 matched, 1 unmatched (1.5 ha not placed)" in n for n in rep.notes)


def test_population_without_counts_is_null_and_noted(centroids):
    gdf, rep = build_population(centroids)
    assert len(gdf) == 3 and gdf["population"].isna().all()
    assert any("no population counts" in n for n in rep.notes)


def test_national_parks_repairs_invalid(tmp_path):
    bowtie = [[[-3.0, 54.0], [-2.0, 55.0], [-2.0, 54.0], [-3.0, 55.0], [-3.0, 54.0]]]
    sq = [[[-1.0, 51.0], [-0.9, 51.0], [-0.9, 51.1], [-1.0, 51.1], [-1.0, 51.0]]]
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Snowdonia"},
                "geometry": {"type": "Polygon", "coordinates": bowtie},
            },
            {
                "type": "Feature",
                "properties": {"name": "South Downs"},
                "geometry": {"type": "Polygon", "coordinates": sq},
            },
        ],
    }
    p = tmp_path / "np.geojson"
    p.write_text(json.dumps(fc))
    gdf, rep = build_national_parks(p)
    assert gdf.is_valid.all() and (gdf.area > 0).all()
    assert gdf["current_name"].tolist() == ["Eryri", "South Downs"]
    assert any("repaired 1 invalid geometry" in r for r in rep.repairs)
    assert any("expected 15" in n for n in rep.notes)


def test_rail_stations_and_motorways(tmp_path):
    rail = tmp_path / "rail.csv"
    rail.write_text(
        "stationName,lat,long,crsCode,iataAirportCode,constituentCountry\n"
        "Keswick,54.6,-3.134,KES,,england\nKeswick again,54.6,-3.134,KES,,england\n"
        "Nowhere,,,NOW,,wales\n"
    )
    gdf, rep = build_rail_stations(rail)
    assert gdf["name"].tolist() == ["Keswick"] and gdf["country"].tolist() == ["England"]
    assert rep.dropped == {"duplicate CRS (station) code": 1, "missing or non-numeric lat/lon": 1}
    roads = gpd.GeoDataFrame(
        {"road_classification": ["Motorway"], "road_classification_number": ["M6"], "length": [6.0]},
        geometry=gpd.GeoSeries.from_wkt(["LINESTRING (400000 500000, 400000 501000)"]),
        crs="EPSG:27700",
    )
    fgb = tmp_path / "m.fgb"
    roads.to_file(fgb, driver="FlatGeobuf")
    m, mrep = build_motorways(fgb)
    assert m["road_number"].tolist() == ["M6"] and m["length_m"].tolist() == [1000.0]
    assert mrep.repairs == []  # already EPSG:27700: no reprojection


# ----------------------------------------------------------------------------------- water

EA = (
    "water_company_area,classification_2021,first_classified,notes\n"
    "Thames Water,serious,2007/2013,\nSouthern Water,serious,2007/2013,\n"
    "(all other England water company areas),not serious,,\n"
)
COMPANIES = (
    "region_code,region_name,water_company,note\n"
    "E12000007,London,Thames Water,\n"
    "E12000008,South East,Southern Water,\nE12000008,South East,Some Other Water,\n"
    "E12000001,North East,Northumbrian Water,\n"
    "W92000004,Wales,Dwr Cymru Welsh Water,\n"
)


@pytest.fixture
def water_inputs(tmp_path):
    ea = tmp_path / "ea.csv"
    ea.write_text(EA)
    comp = tmp_path / "companies.csv"
    comp.write_text(COMPANIES)
    codes = ["E12000007", "E12000008", "E12000001", "W92000004", "S92000003"]
    regions = gpd.GeoDataFrame(
        {"areacd": codes, "areanm": ["London", "South East", "North East", "Wales", "Scotland"]},
        geometry=[box(i, 0, i + 1, 1) for i in range(5)],
        crs="EPSG:27700",
    )
    return ea, comp, regions


def test_classify_regions(water_inputs):
    ea, comp, _ = water_inputs
    from growthzones.gbdata.water import read_ea_classification

    table, notes = classify_regions(read_company_regions(comp), read_ea_classification(ea))
    got = dict(zip(table["region_code"], table["water_classification"], strict=True))
    assert got == {
        "E12000001": "not serious",
        "E12000007": "serious",
        "E12000008": "partly serious",
        "W92000004": "not assessed",
    }
    assert table.set_index("region_code")["water_stress_score"].to_dict() == pytest.approx(
        {"E12000001": 0.0, "E12000007": 1.0, "E12000008": 0.5, "W92000004": np.nan}, nan_ok=True
    )
    assert notes == []


def test_build_water_stress_with_overrides(water_inputs, tmp_path):
    ea, comp, regions = water_inputs
    ov = tmp_path / "ov.csv"
    ov.write_text("region_code,classification\nE12000001,serious\n")
    gdf, rep = build_water_stress(ea, regions, company_regions=comp, overrides=ov)
    got = dict(zip(gdf["region_code"], gdf["water_classification"], strict=True))
    assert got == {
        "E12000007": "serious",
        "E12000008": "partly serious",
        "E12000001": "serious",
        "W92000004": "not assessed",
        "S92000003": "not assessed",
    }
    assert gdf["water_stressed"].tolist() == [True, True, True, False, False]
    assert gdf.loc[gdf.region_code == "E12000001", "classification_basis"].item() == "override"
    assert any("override: E12000001 -> serious" in n for n in rep.notes)
    assert any("Scotland" in n and "not in the company table" in n for n in rep.notes)


def test_water_overrides_validated(water_inputs):
    ea, comp, regions = water_inputs
    with pytest.raises(ConfigError, match="unknown classification"):
        build_water_stress(ea, regions, company_regions=comp, overrides={"E12000001": "very"})
    with pytest.raises(ConfigError, match="unknown region code 'X'"):
        build_water_stress(ea, regions, company_regions=comp, overrides={"X": "serious"})


def test_committed_company_table_covers_all_regions():
    table = read_company_regions()
    assert set(table["region_code"]) == {f"E1200000{i}" for i in range(1, 10)} | {"W92000004", "S92000003", "N92000002"}
    assert isinstance(table, pd.DataFrame)
