"""Grid builders on tiny fixtures in the real file formats, with exact expected outputs."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer
from shapely import box

from growthzones.errors import LayerError
from growthzones.gbdata._common import LayerReport, normalise_site_name, points_from_lonlat
from growthzones.gbdata.grid import (
    build_constraint_boundaries,
    build_hv_lines,
    build_hv_substations,
    build_power_stations,
    build_repd,
    build_tec_by_gsp,
    build_tec_sites,
    parse_voltage_kv,
    parse_voltages_kv,
    read_tec_register,
    summarise_tec_projects,
)

TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)

LINKS_HEADER = (
    "l_id#v_id_1#v_id_2#voltage#cables#wires#frequency#name#operator#ref#length_m#r_ohmkm#x_ohmkm#c_nfkm#"
    "i_th_max_a#from_relation#wkt_srid_4326#type"
)
LINKS = (
    LINKS_HEADER
    + "\n1#10#11#400000;275000;400000#6;3###'St John''s Wood-?'###5000#####''#"
    + "SRID=4326;LINESTRING(-1.0 53.0,-1.1 53.1)#line\n"
    + "2#11#12#132kV#######1000#####''#SRID=4326;LINESTRING(-1.1 53.1,-1.2 53.2)#line\n"
)
VERTICES = (
    "v_id#lon#lat#typ#voltage#frequency#name#operator#ref#source#n_gen#capacity#net_capacity#wkt_srid_4326\n"
    "10#-1.0#53.0#substation##########SRID=4326;POINT(-1.0 53.0)\n"
    "11#-1.1#53.1#joint#400000;132000#########SRID=4326;POINT(-1.1 53.1)\n"
    "12#-1.2#53.2#plant#275000;33000##Drax power station;Camblesforth Substation#######SRID=4326;POINT(-1.2 53.2)\n"
)


@pytest.fixture
def osm(tmp_path):
    links = tmp_path / "links.csv"
    links.write_text(LINKS)
    verts = tmp_path / "vertices.csv"
    verts.write_text(VERTICES)
    return links, verts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("400000", [400.0]),
        ("400000;275000;400000", [400.0, 275.0]),
        ("275000;66000;275000", [275.0, 66.0]),
        ("132kV / 33", [132.0, 33.0]),
        ("400000,132000", [400.0, 132.0]),
        ("", []),
        (None, []),
        ("unknown", []),
    ],
)
def test_parse_voltages_kv(value, expected):
    assert parse_voltages_kv(value) == expected


def test_parse_voltage_kv_max_and_nan():
    assert parse_voltage_kv("400000;275000") == 400.0
    assert math.isnan(parse_voltage_kv(""))


def test_hv_lines_from_hash_csv(osm):
    links, _ = osm
    gdf, rep = build_hv_lines(links)
    assert gdf.crs == "EPSG:27700"
    assert gdf["line_id"].tolist() == [1, 2]
    assert gdf["voltage_kv"].tolist() == [400.0, 132.0]
    assert gdf["voltages_kv"].tolist() == ["400;275", "132"]
    assert gdf["name"].tolist()[0] == "St John's Wood-?"
    assert gdf["length_m"].tolist() == [5000.0, 1000.0]
    x0, y0 = TO_BNG.transform(-1.0, 53.0)
    assert gdf.geometry.iloc[0].coords[0] == pytest.approx((x0, y0), abs=1e-6)
    assert rep.input_rows == 2 and rep.feature_count == 2 and rep.dropped == {}
    assert rep.source_crs == "EPSG:4326"
    assert any("several voltages" in r for r in rep.repairs)


def test_hv_lines_bad_wkt_dropped_with_reason(tmp_path):
    p = tmp_path / "links.csv"
    p.write_text(LINKS + "3#1#2#400000#######1#####''#SRID=4326;LINESTRING(oops)#line\n")
    gdf, rep = build_hv_lines(p)
    assert len(gdf) == 2
    assert rep.dropped == {"unparseable WKT geometry": 1}


def test_hv_lines_mixed_srid_is_an_error(tmp_path):
    p = tmp_path / "links.csv"
    p.write_text(LINKS + "3#1#2#400000#######1#####''#SRID=27700;LINESTRING(0 0,1 1)#line\n")
    with pytest.raises(LayerError, match="different SRIDs"):
        build_hv_lines(p)


def test_hv_substations_voltage_from_lines_and_joints_dropped(osm):
    links, verts = osm
    gdf, rep = build_hv_substations(verts, links)
    assert gdf["vertex_id"].tolist() == [10, 12]
    assert gdf["kind"].tolist() == ["substation", "plant"]
    assert gdf["max_voltage_kv"].tolist() == [400.0, 275.0]
    assert gdf["voltages_kv"].tolist() == ["400;275", "275;33"]
    assert gdf["voltage_source"].tolist() == ["connected lines", "vertex tag"]
    assert rep.dropped == {"line joint, not a substation (typ 'joint')": 1}
    assert rep.input_rows == 3 and rep.feature_count == 2


def test_hv_substations_without_links_keeps_null_voltage(osm):
    _, verts = osm
    gdf, rep = build_hv_substations(verts)
    assert np.isnan(gdf["max_voltage_kv"].iloc[0])
    assert any("no known voltage" in n for n in rep.notes)


# ---------------------------------------------------------------------------------- TEC

TEC_HEADER = (
    "\ufeffProject Name,Customer Name,Connection Site,Stage,MW Connected,MW Increase / Decrease,"
    "Cumulative Total Capacity (MW),MW Effective From,Project Status,Agreement Type,HOST TO,Plant Type,"
    "Project ID,Project Number\n"
)
TEC_2ROWS = TEC_HEADER + (
    "Alpha,A Ltd,Drax 400kV Substation,,100,0,100,2020/01/01,Built,Directly Connected,NGET,CCGT,id1,PRO-1\n"
    "Beta,B Ltd,DRAX 400kV,,0,250.5,250.5,2030/01/01,Scoping,Embedded,NGET,Energy Storage System,id2,PRO-2\n"
)
SUBSTATIONS = "site_code,site_name,lat,lon,source\nDRAX,DRAX,53.737,-0.996,manual\n"


def test_tec_two_rows_one_site_exact(tmp_path):
    tec = tmp_path / "tec.csv"
    tec.write_text(TEC_2ROWS, encoding="utf-8")
    subs = tmp_path / "subs.csv"
    subs.write_text(SUBSTATIONS)
    gdf, rep, ungeo = build_tec_sites(tec, substation_coords_path=subs)
    assert len(gdf) == 1 and len(ungeo) == 0
    row = gdf.iloc[0]
    assert row["site_key"] == "drax"
    assert row["site_name"] in {"Drax 400kV Substation", "DRAX 400kV"}
    assert row["connection_sites"] == "DRAX 400kV; Drax 400kV Substation"
    assert row["max_voltage_kv"] == 400.0
    assert row["projects"] == 2 and row["projects_built"] == 1
    assert row["contracted_mw"] == pytest.approx(350.5)
    assert row["mw_built"] == 100.0 and row["mw_scoping"] == 250.5
    assert row["mw_not_built"] == pytest.approx(250.5)
    assert row["geocode_source"] == "substation_coordinates" and row["geocode_match"] == "DRAX"
    x, y = TO_BNG.transform(-0.996, 53.737)
    assert (row.geometry.x, row.geometry.y) == pytest.approx((x, y), abs=1e-6)
    assert gdf.crs == "EPSG:27700"
    assert rep.input_rows == 2 and rep.dropped == {}
    assert any("geocoded 1 of 1 connection sites (100% of contracted MW)" in n for n in rep.notes)


def test_tec_staged_projects_missing_site_and_ungeocoded(tmp_path):
    tec = tmp_path / "tec.csv"
    tec.write_text(
        TEC_HEADER
        + "Gamma,G,Navenby 400kV Substation,1,0,100,100,2030/01/01,Scoping,Direct,NGET,Wind,id3,PRO-3-1\n"
        + "Gamma,G,Navenby 400kV Substation,2,0,200,300,2031/01/01,Scoping,Direct,NGET,Wind,id3,PRO-3-2\n"
        + "Delta,D,,,0,50,50,2031/01/01,Scoping,Direct,SPT,BESS,id4,PRO-4\n"
        + "Alpha,A Ltd,Drax 400kV Substation,,100,0,100,2020/01/01,Built,Direct,NGET,CCGT,id1,PRO-1\n",
        encoding="utf-8",
    )
    subs = tmp_path / "subs.csv"
    subs.write_text(SUBSTATIONS)
    gdf, rep, ungeo = build_tec_sites(tec, substation_coords_path=subs)
    assert gdf["site_key"].tolist() == ["drax"]
    assert ungeo["site_key"].tolist() == ["navenby"]
    assert ungeo["contracted_mw"].tolist() == [300.0]  # last stage's cumulative total, not 100 + 300
    assert ungeo["projects"].tolist() == [1]
    assert rep.dropped == {
        "no connection site given": 1,
        "connection site not geocoded (listed in table tec_sites_ungeocoded)": 1,
    }
    assert any("1 stage row(s) of staged projects merged" in n for n in rep.notes)


def test_summarise_tec_projects_uses_last_stage(tmp_path):
    tec = tmp_path / "tec.csv"
    tec.write_text(
        TEC_HEADER
        + "S,S,X 132kV,2,0,0,720,,Built,Direct,SHET,BESS,id9,PRO-9-2\n"
        + "S,S,X 132kV,1,210,0,210,,Built,Direct,SHET,BESS,id9,PRO-9-1\n",
        encoding="utf-8",
    )
    rep = LayerReport("t", (), "", "")
    projects = summarise_tec_projects(read_tec_register(tec, rep))
    assert projects["contracted_mw"].tolist() == [720.0]


def test_normalise_site_name_variants():
    assert normalise_site_name("New deer 275kV") == normalise_site_name("New Deer 275kV Substation") == "new deer"
    assert normalise_site_name("Torness 400/132kV") == "torness"
    assert normalise_site_name("Berkswell GSP") == "berkswell"
    assert normalise_site_name(None) == ""


def test_tec_by_gsp_sums_within_regions(tmp_path):
    tec = tmp_path / "tec.csv"
    tec.write_text(TEC_2ROWS, encoding="utf-8")
    subs = tmp_path / "subs.csv"
    subs.write_text(SUBSTATIONS)
    sites, _, _ = build_tec_sites(tec, substation_coords_path=subs)
    x, y = sites.geometry.iloc[0].x, sites.geometry.iloc[0].y
    regions = gpd.GeoDataFrame(
        {"gsp_id": ["DRAX_1", "FAR_1"]},
        geometry=[box(x - 1000, y - 1000, x + 1000, y + 1000), box(0, 0, 10, 10)],
        crs="EPSG:27700",
    )
    out, rep = build_tec_by_gsp(sites, regions)
    assert out["tec_contracted_mw"].tolist() == pytest.approx([350.5, 0.0])
    assert out["tec_mw_built"].tolist() == [100.0, 0.0]
    assert out["tec_sites"].tolist() == [1, 0] and out["tec_projects"].tolist() == [2, 0]
    assert rep.feature_count == 2


# ------------------------------------------------------------------------ boundaries, generation


def test_constraint_boundaries_shifted_columns(tmp_path):
    feats = [
        {
            "type": "Feature",
            "properties": {
                "Boundary name": "B6",
                "Capability": "6130",
                "Constraint": "TBC",
                "Region": "Scotland",
                "id": "B6",
            },
            "geometry": {"type": "LineString", "coordinates": [[-3, 55], [-2, 55.5]]},
        },
        {
            "type": "Feature",
            "properties": {
                "Boundary name": "B10",
                "Capability": "South Wales and South England",
                "Region": "",
                "id": "B10",
            },
            "geometry": {"type": "LineString", "coordinates": [[-1, 51], [0, 51.5]]},
        },
    ]
    p = tmp_path / "cb.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    gdf, rep = build_constraint_boundaries(p)
    assert gdf["boundary"].tolist() == ["B6", "B10"]
    assert gdf["capability_mw"].tolist()[0] == 6130.0 and np.isnan(gdf["capability_mw"].iloc[1])
    assert gdf["region"].tolist() == ["Scotland", "South Wales and South England"]
    assert gdf["constraint"].isna().all()
    assert gdf.crs == "EPSG:27700"
    assert any("columns shifted" in r for r in rep.repairs)


DUKES = (
    "station_name,x_coordinate,y_coordinate,technology,capacity_mw,company_name,country,region,source,scraped_date\n"
    "Drax,466000,427000,Fossil Fuel,2580,Drax,England,Yorkshire,d,2025\n"
    "Ashby,434525,317774,Solar,4.8,Greencoat,England,East Midlands,d,2025\n"
    "Ashby,434525,317774,Solar,4.8,WPO,England,East Midlands,d,2025\n"
    "Walley,0,0,Solar,5,Anesco,England,South East,d,2025\n"
    "Hafod,3201233,203663,Solar,4.9,Lightsource,Wales,Wales,d,2025\n"
    "Cruachan,208000,726000,Pumped hydro,440,Drax,Scotland,Scotland,d,2025\n"
)


def test_power_stations_drops_with_reasons(tmp_path):
    p = tmp_path / "dukes.csv"
    p.write_text(DUKES)
    gdf, rep = build_power_stations(p)
    assert gdf["name"].tolist() == ["Drax", "Ashby", "Cruachan"]
    assert gdf["capacity_mw"].tolist() == [2580.0, 4.8, 440.0]
    assert gdf["fuel"].tolist() == ["Fossil Fuel", "Solar", "Pumped hydro"]
    assert (gdf.geometry.x.tolist(), gdf.geometry.y.tolist()) == ([466000, 434525, 208000], [427000, 317774, 726000])
    assert rep.dropped == {
        "duplicate station (same name, coordinates, fuel and capacity under another owner)": 1,
        "X/Y is 0 (placeholder, not a location)": 1,
        "X/Y outside the British National Grid extent": 1,
    }


def test_repd_status_filter_and_bad_coordinates(tmp_path):
    header = (
        "\ufeffRef ID,Site Name,Technology Type,Installed Capacity (MWelec),Development Status (short),"
        "X-coordinate,Y-coordinate,Country\n"
    )
    rows = (
        "1,Op,Wind Onshore,10.5,Operational,300000,700000,Scotland\n"
        "2,Consented,Solar Photovoltaics, ,Awaiting Construction,400000,200000,England \n"
        "3,Refused,Battery,50,Application Refused,400000,200000,England\n"
        "4,NoXY,Battery,50,Under Construction, ,200000,England\n"
        '5,"Multi\nline",Battery,"1,200",Operational,"450,000",300000,England\n'
    )
    p = tmp_path / "repd.csv"
    p.write_text(header + rows, encoding="utf-8")
    gdf, rep = build_repd(p)
    assert gdf["ref_id"].tolist() == [1, 2, 5]
    assert gdf["status_group"].tolist() == ["operational", "consented", "operational"]
    assert gdf["capacity_mw"].iloc[0] == 10.5 and np.isnan(gdf["capacity_mw"].iloc[1])
    assert gdf["capacity_mw"].iloc[2] == 1200.0 and gdf.geometry.iloc[2].x == 450000
    assert gdf["country"].tolist() == ["Scotland", "England", "England"]
    assert rep.dropped == {"status not operational or consented": 1, "missing or non-numeric X/Y coordinates": 1}


def test_points_from_lonlat_drops_swapped_and_missing():
    import pandas as pd

    df = pd.DataFrame({"lon": [-1.0, 53.0, None], "lat": [53.0, -1.0, 52.0]})
    rep = LayerReport("x", (), "", "")
    gdf = points_from_lonlat(df, "lon", "lat", rep, where="x.csv")
    assert len(gdf) == 1 and gdf.crs == "EPSG:27700"
    assert rep.dropped == {"missing or non-numeric lat/lon": 1, "lat/lon outside the British Isles (or swapped)": 1}
