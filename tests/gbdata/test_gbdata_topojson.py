"""TopoJSON decoding: quantisation, delta encoding, reversed arcs, and the LAD current-set rule."""

from __future__ import annotations

import json

import pytest
import shapely

from growthzones.errors import InputFileError, LayerError
from growthzones.gbdata.boundaries import build_lad, build_regions, current_lad_mask
from growthzones.gbdata.topojson import decode_arcs, object_to_geodataframe, read_topojson

# Two unit squares side by side, A (x 10-11) and B (x 11-12), y 50-51, sharing the edge x = 11.
# Quantised positions (before delta encoding), real = q * 0.5 + (10, 50):
#   arc 0: (2,0) -> (2,2)                      the shared edge
#   arc 1: (2,2) -> (0,2) -> (0,0) -> (2,0)    rest of A
#   arc 2: (2,0) -> (4,0) -> (4,2) -> (2,2)    rest of B
# A = [0, 1]; B = [2, ~0] (arc 0 reversed).
TOPO = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 50]},
    "arcs": [
        [[2, 0], [0, 2]],
        [[2, 2], [-2, 0], [0, -2], [2, 0]],
        [[2, 0], [2, 0], [0, 2], [-2, 0]],
    ],
    "objects": {
        "ltla": {
            "type": "GeometryCollection",
            "geometries": [
                {
                    "type": "Polygon",
                    "arcs": [[0, 1]],
                    "properties": {"areacd": "E06000001", "areanm": "A", "end": 2020},
                },
                {"type": "Polygon", "arcs": [[2, -1]], "properties": {"areacd": "E06000002", "areanm": "B"}},
                {
                    "type": "MultiPolygon",
                    "arcs": [[[0, 1]], [[2, -1]]],
                    "properties": {"areacd": "W06000003", "areanm": "AB", "start": 2021},
                },
            ],
        },
        "rgn": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[1, 2]], "properties": {"areacd": "E12000001", "areanm": "AB"}},
                {"type": None, "properties": {"areacd": "E12000002", "areanm": "nothing"}},
            ],
        },
        "edge": {"type": "LineString", "arcs": [-1]},
        "pt": {"type": "Point", "coordinates": [4, 2], "id": "p"},
    },
}


def test_decode_arcs_quantised_delta():
    arcs = decode_arcs(TOPO)
    assert arcs[0].tolist() == [[11.0, 50.0], [11.0, 51.0]]
    assert arcs[1].tolist() == [[11.0, 51.0], [10.0, 51.0], [10.0, 50.0], [11.0, 50.0]]


def test_decode_arcs_without_transform_is_absolute():
    topo = {"type": "Topology", "arcs": [[[1.5, 2.5], [3.0, 4.0]]], "objects": {}}
    assert decode_arcs(topo)[0].tolist() == [[1.5, 2.5], [3.0, 4.0]]


def test_polygons_and_reversed_arcs():
    gdf = object_to_geodataframe(TOPO, "ltla", crs=None)
    a, b, ab = gdf.geometry
    assert list(a.exterior.coords) == [(11, 50), (11, 51), (10, 51), (10, 50), (11, 50)]
    assert list(b.exterior.coords) == [(11, 50), (12, 50), (12, 51), (11, 51), (11, 50)]
    assert a.area == 1.0 and b.area == 1.0
    assert a.touches(b) and shapely.union_all([a, b]).area == 2.0
    # Two squares sharing an edge are an invalid MultiPolygon: make_valid dissolves them.
    assert ab.geom_type == "Polygon" and ab.area == 2.0 and ab.is_valid
    raw = object_to_geodataframe(TOPO, "ltla", crs=None, make_valid=False).geometry.iloc[2]
    assert raw.geom_type == "MultiPolygon" and len(raw.geoms) == 2
    assert list(gdf.columns) == ["areacd", "areanm", "end", "start", "geometry"]


def test_linestring_point_null_and_ids():
    line = object_to_geodataframe(TOPO, "edge", crs=None).geometry.iloc[0]
    assert list(line.coords) == [(11, 51), (11, 50)]
    pt = object_to_geodataframe(TOPO, "pt", crs=None)
    assert (pt.geometry.iloc[0].x, pt.geometry.iloc[0].y) == (12.0, 51.0)
    assert pt["id"].tolist() == ["p"]
    rgn = object_to_geodataframe(TOPO, "rgn", crs=None)
    assert rgn.geometry.iloc[0].area == 2.0
    assert rgn.geometry.iloc[1] is None


def test_make_valid_repairs_bow_tie():
    topo = {
        "type": "Topology",
        "arcs": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
        "objects": {"x": {"type": "Polygon", "arcs": [[0]]}},
    }
    g = object_to_geodataframe(topo, "x").geometry.iloc[0]
    assert g.is_valid and g.area == pytest.approx(0.5)


def test_unknown_object_lists_objects():
    with pytest.raises(LayerError, match=r"no object 'lad'.*'ltla'"):
        object_to_geodataframe(TOPO, "lad")


def test_read_topojson_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputFileError, match=r"bad\.json: cannot read as JSON"):
        read_topojson(bad)
    geo = tmp_path / "geo.json"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(InputFileError, match="not a TopoJSON Topology"):
        read_topojson(geo)
    good = tmp_path / "t.json"
    good.write_text(json.dumps(TOPO))
    assert read_topojson(good)["type"] == "Topology"


def test_current_lad_mask_rule():
    gdf = object_to_geodataframe(TOPO, "ltla")
    mask, rule = current_lad_mask(gdf)
    assert mask.tolist() == [False, True, True]
    assert "latest year in the data is 2021" in rule


def test_build_lad_current_set_and_report():
    gdf, rep = build_lad(TOPO)
    assert gdf["areacd"].tolist() == ["E06000002", "W06000003"]
    assert gdf["country"].tolist() == ["England", "Wales"]
    assert gdf.crs == "EPSG:27700"
    assert rep.input_rows == 3 and rep.feature_count == 2
    assert rep.dropped == {"superseded district (has an `end` year: abolished or replaced)": 1}
    assert any("reprojected EPSG:4326 -> EPSG:27700" in r for r in rep.repairs)


def test_build_lad_recodes_from_list(tmp_path):
    lst = tmp_path / "ltla.csv"
    lst.write_text("areacd,areanm\nE06000099,B\nW06000003,AB\n")
    gdf, rep = build_lad(TOPO, ltla_list=lst)
    assert gdf["areacd"].tolist() == ["E06000099", "W06000003"]
    assert gdf["areacd_topo"].tolist() == ["E06000002", "W06000003"]
    assert any("B E06000002 -> E06000099" in r for r in rep.repairs)


def test_build_regions_drops_null_geometry_with_reason():
    gdf, rep = build_regions(TOPO)
    assert gdf["areacd"].tolist() == ["E12000001"]
    assert rep.dropped == {"missing or empty geometry": 1}
