"""overlap_fraction: exact shares on hand-drawn polygons."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import MultiPolygon, Point, Polygon, box

from growthzones.criteria.overlay import overlap_fraction
from growthzones.errors import CRSError

X0, Y0 = 400_000.0, 300_000.0


def gdf(geoms, index=None, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs="EPSG:27700", index=index)


def rect(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


SITE = rect(0, 0, 100, 100)


def test_quarter_overlap():
    out = overlap_fraction(gdf([SITE], index=["a"]), gdf([rect(-50, 0, 25, 100)]))
    assert out["a"] == pytest.approx(0.25, abs=1e-12)
    assert out.dtype == np.float64


def test_overlapping_polygons_not_double_counted():
    # 0-50 and 25-75 overlap on 25-50: the union covers 0-75, i.e. 0.75 (not 1.0).
    polys = gdf([rect(0, 0, 50, 100), rect(25, 0, 75, 100)])
    assert overlap_fraction(gdf([SITE], index=["a"]), polys)["a"] == pytest.approx(0.75)
    # The same polygon twice (a SSSI inside an identical SAC) still counts once.
    polys = gdf([rect(0, 0, 40, 100), rect(0, 0, 40, 100), rect(-10, -10, 40, 110)])
    assert overlap_fraction(gdf([SITE], index=["a"]), polys)["a"] == pytest.approx(0.4)


def test_polygon_covering_the_site_is_one_and_disjoint_is_zero():
    sites = gdf([SITE, rect(1000, 0, 1100, 100)], index=["in", "out"])
    out = overlap_fraction(sites, gdf([rect(-500, -500, 500, 500)]))
    assert out.tolist() == [1.0, 0.0]


def test_bow_tie_polygon_is_repaired():
    # Self-intersecting: two triangles of 2,500 m2 each once repaired; area 0 before.
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    assert not bowtie.is_valid and bowtie.area == 0
    assert overlap_fraction(gdf([SITE], index=["a"]), gdf([bowtie]))["a"] == pytest.approx(0.5)


def test_bow_tie_site_is_repaired():
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    out = overlap_fraction(gdf([bowtie], index=["a"]), gdf([rect(0, 0, 50, 100)]))
    assert out["a"] == pytest.approx(0.5)


def test_multipolygon_parts_and_non_polygons_ignored():
    mp = MultiPolygon([rect(0, 0, 10, 100), rect(90, 0, 100, 100)])
    polys = gdf([mp, Point(X0 + 50, Y0 + 50).buffer(0).boundary, None, Polygon()])
    assert overlap_fraction(gdf([SITE], index=["a"]), polys)["a"] == pytest.approx(0.2)


def test_no_polygons_is_zero_missing_site_is_nan():
    sites = gdf([SITE, None, Polygon()], index=["a", "b", "c"])
    out = overlap_fraction(sites, gdf([]))
    assert out["a"] == 0.0 and np.isnan(out["b"]) and np.isnan(out["c"])
    out = overlap_fraction(sites, gdf([rect(0, 0, 50, 50)]))
    assert out["a"] == pytest.approx(0.25) and np.isnan(out["b"])


def test_index_and_order_kept():
    sites = gdf([rect(1000, 0, 1100, 100), SITE], index=["z", "a"])
    out = overlap_fraction(sites, gdf([rect(0, 0, 100, 10), rect(1000, 0, 1100, 60)]))
    assert list(out.index) == ["z", "a"]
    assert out.tolist() == pytest.approx([0.6, 0.1])


def test_crs_mismatch():
    polys = gpd.GeoDataFrame(geometry=[box(-2, 51, -1, 52)], crs=4326)
    with pytest.raises(CRSError, match=r"polygons \(EPSG:4326\)"):
        overlap_fraction(gdf([SITE]), polys)


c = st.floats(0, 1000, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    sites=st.lists(st.tuples(c, c, st.floats(10, 400)), min_size=1, max_size=5),
    polys=st.lists(st.tuples(c, c, st.floats(10, 600), st.floats(10, 600)), min_size=0, max_size=10),
)
def test_matches_union_then_intersect(sites, polys):
    site_geoms = [box(x, y, x + s, y + s) for x, y, s in sites]
    poly_geoms = [box(x, y, x + w, y + h) for x, y, w, h in polys]
    out = overlap_fraction(gdf(site_geoms, index=[f"s{i}" for i in range(len(sites))]), gdf(poly_geoms)).to_numpy()
    union = shapely.union_all(poly_geoms) if poly_geoms else Polygon()
    expected = [g.intersection(union).area / g.area for g in site_geoms]
    np.testing.assert_allclose(out, expected, atol=1e-9)
    assert ((out >= 0) & (out <= 1)).all()
