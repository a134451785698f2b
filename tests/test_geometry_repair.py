"""The one geometry repair (growthzones.layers.repair_geometries), used by sites, layers and the GB builders.

Expected values are worked out by hand: the bow-tie (0,0)-(1,1)-(1,0)-(0,1) is two triangles of
area 1/4 meeting at (0.5, 0.5); two unit squares sharing an edge, written as one MultiPolygon,
are invalid and become their union, a 2 x 1 rectangle; a "polygon" along a straight line has
area 0 and repairs to that line.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import LineString, MultiPolygon, Polygon, box

from growthzones.errors import GeometryError
from growthzones.gbdata._common import LayerReport, repair_layer
from growthzones.layers import repair_geometries

BOWTIE = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
TWO_SQUARES = MultiPolygon([box(0, 0, 1, 1), box(1, 0, 2, 1)])
COLLAPSED = Polygon([(0, 0), (1, 1), (2, 2)])


def _gdf(*geoms):
    return gpd.GeoDataFrame({"name": [f"f{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=27700)


def test_repairs_keep_dimension_and_say_what():
    notes: list[str] = []
    out = repair_geometries(_gdf(BOWTIE, TWO_SQUARES, box(5, 5, 6, 6), None), what="parks", notes=notes,
                            id_column="name")  # fmt: skip
    assert out["name"].tolist() == ["f0", "f1", "f2"]
    assert out.area.tolist() == pytest.approx([0.5, 2.0, 1.0], abs=1e-12)
    assert out.geometry.iloc[0].geom_type == "MultiPolygon" and len(out.geometry.iloc[0].geoms) == 2
    assert out.geometry.iloc[1].equals(box(0, 0, 2, 1))
    assert out.geometry.iloc[2] is not None and out.geometry.iloc[2].equals(box(5, 5, 6, 6))  # valid: untouched
    assert notes == [
        "parks: dropped 1 feature(s) with no or empty geometry (id f3)",
        "parks: repaired 2 invalid geometries with make_valid (ids f0, f1)",
    ]


def test_collapsed_polygon_stays_a_line_unless_polygons_are_asked_for():
    # Sites need the line kept, so that the sites check names the site and says to redraw it.
    out = repair_geometries(_gdf(COLLAPSED, BOWTIE))
    assert out.geometry.iloc[0].equals(LineString([(0, 0), (2, 2)]))
    dropped: dict[str, int] = {}
    out = repair_geometries(_gdf(COLLAPSED, BOWTIE), polygons=True, on_drop=lambda r, n: dropped.update({r: n}))
    assert out["name"].tolist() == ["f1"] and dropped == {"nothing left after geometry repair": 1}
    with pytest.raises(GeometryError, match=r"^lines: no usable geometries left after repair"):
        repair_geometries(_gdf(COLLAPSED), what="lines", polygons=True)
    with pytest.raises(GeometryError, match=r"^sites: every feature has an empty or missing geometry"):
        repair_geometries(_gdf(None, Polygon()), what="sites")


def test_gb_layers_use_the_same_repair():
    report = LayerReport("parks", ("parks.geojson",), "OGL-UK-3.0", "Example")
    gdf = _gdf(BOWTIE, None, COLLAPSED, TWO_SQUARES)
    out = repair_layer(gdf, report, polygons=True)
    same = repair_geometries(gdf, polygons=True, on_drop=lambda r, n: None)
    assert out.geometry.tolist() == same.geometry.tolist()
    assert report.dropped == {"missing or empty geometry": 1, "nothing left after geometry repair": 1}
    assert report.repairs == ["parks: repaired 3 invalid geometries with make_valid (ids f0, f2, f3)"]
