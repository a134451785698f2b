"""TopoJSON through GDAL: quantisation, delta encoding, reversed arcs, null members, and the LAD current-set rule."""

from __future__ import annotations

import json

import pytest
import shapely

from growthzones.errors import InputFileError, LayerError
from growthzones.gbdata.boundaries import build_lad, build_regions, current_lad_mask, read_topojson_object
from growthzones.layers import repair_geometries

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


def test_quantised_delta_arcs_and_reversed_arcs():
    # Decoded by GDAL's TopoJSON driver: real = q * 0.5 + (10, 50), running sums of the deltas.
    gdf, null = read_topojson_object(TOPO, "ltla")
    a, b, ab = gdf.geometry
    assert list(a.exterior.coords) == [(11, 50), (11, 51), (10, 51), (10, 50), (11, 50)]
    assert list(b.exterior.coords) == [(11, 50), (12, 50), (12, 51), (11, 51), (11, 50)]
    assert a.area == 1.0 and b.area == 1.0
    assert a.touches(b) and shapely.union_all([a, b]).area == 2.0
    # Two squares sharing an edge are an invalid MultiPolygon as decoded; the one repair dissolves them.
    assert ab.geom_type == "MultiPolygon" and len(ab.geoms) == 2 and not ab.is_valid
    fixed = repair_geometries(gdf, polygons=True).geometry.iloc[2]
    assert fixed.geom_type == "Polygon" and fixed.area == 2.0 and fixed.is_valid
    assert list(gdf.columns) == ["areacd", "areanm", "end", "start", "geometry"] and null == 0
    assert gdf.crs == "EPSG:4326"


def test_arcs_without_transform_are_absolute():
    members = [{"type": "Polygon", "arcs": [[0]]}]
    topo = {"type": "Topology", "arcs": [[[1.5, 2.5], [3.0, 2.5], [3.0, 4.0], [1.5, 2.5]]],
            "objects": {"x": {"type": "GeometryCollection", "geometries": members}}}  # fmt: skip
    gdf, _ = read_topojson_object(topo, "x")
    assert list(gdf.geometry.iloc[0].exterior.coords) == [(1.5, 2.5), (3.0, 2.5), (3.0, 4.0), (1.5, 2.5)]


def test_null_geometry_is_counted_not_silently_lost():
    rgn, null = read_topojson_object(TOPO, "rgn")
    assert rgn["areacd"].tolist() == ["E12000001"] and rgn.geometry.iloc[0].area == 2.0 and null == 1


def test_unknown_object_lists_objects():
    with pytest.raises(LayerError, match=r"no object 'lad'.*'ltla'"):
        read_topojson_object(TOPO, "lad")


def test_read_topojson_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputFileError, match=r"bad\.json: cannot read as JSON"):
        read_topojson_object(bad, "ltla")
    geo = tmp_path / "geo.json"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(InputFileError, match="not a TopoJSON Topology"):
        read_topojson_object(geo, "ltla")
    good = tmp_path / "t.json"
    good.write_text(json.dumps(TOPO))
    assert read_topojson_object(good, "ltla")[0]["areacd"].tolist() == ["E06000001", "E06000002", "W06000003"]


def test_current_lad_mask_rule():
    gdf, _ = read_topojson_object(TOPO, "ltla")
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
