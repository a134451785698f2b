"""distance_km: hand-computed distances on tiny EPSG:27700 fixtures."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon, box

from growthzones.criteria.distance import distance_km
from growthzones.errors import CRSError

X0, Y0 = 400_000.0, 300_000.0


def gdf(geoms, index=None, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs="EPSG:27700", index=index)


def square(x, y, size=100.0):
    return box(x, y, x + size, y + size)


def test_point_3km_east_of_100m_square_is_2_95_km():
    sites = gdf([square(X0, Y0)], index=pd.Index(["s1"], name="site_id"))
    subs = gdf([Point(X0 + 50 + 3000, Y0 + 50)])
    out = distance_km(sites, subs)
    assert out.index.equals(sites.index)
    assert out.dtype == np.float64
    assert out["s1"] == pytest.approx(2.95, abs=1e-12)


def test_nearest_of_several_features_and_diagonal():
    sites = gdf([square(X0, Y0)], index=["a"])
    # Corner-to-point diagonal: (300, 400) from the NE corner is 500 m.
    feats = gdf([Point(X0 + 100 + 300, Y0 + 100 + 400), Point(X0 + 5000, Y0)])
    assert distance_km(sites, feats)["a"] == pytest.approx(0.5)


def test_touching_and_inside_are_zero():
    sites = gdf([square(X0, Y0), square(X0 + 1000, Y0)], index=["touch", "inside"])
    feats = gdf([LineString([(X0 + 100, Y0 - 50), (X0 + 100, Y0 + 500)]), Point(X0 + 1050, Y0 + 50)])
    out = distance_km(sites, feats)
    assert out.tolist() == [0.0, 0.0]


def test_line_features_measured_to_the_line_not_its_vertices():
    sites = gdf([square(X0, Y0)], index=["a"])
    line = gdf([LineString([(X0 - 10_000, Y0 + 2100), (X0 + 10_000, Y0 + 2100)])])
    assert distance_km(sites, line)["a"] == pytest.approx(2.0)


def test_index_order_kept_for_unsorted_string_index():
    sites = gdf([square(X0 + 2000, Y0), square(X0, Y0), square(X0 + 1000, Y0)], index=["z", "a", "m"])
    feats = gdf([Point(X0 - 900, Y0 + 50)])
    out = distance_km(sites, feats)
    assert list(out.index) == ["z", "a", "m"]
    assert out.tolist() == pytest.approx([2.9, 0.9, 1.9])


def test_empty_features_give_all_nan():
    sites = gdf([square(X0, Y0), square(X0 + 500, Y0)], index=["a", "b"])
    out = distance_km(sites, gdf([]))
    assert out.isna().all() and list(out.index) == ["a", "b"] and out.dtype == np.float64


def test_features_with_only_missing_geometries_give_nan():
    sites = gdf([square(X0, Y0)], index=["a"])
    assert np.isnan(distance_km(sites, gdf([None, Point()]))["a"])


def test_none_and_empty_site_geometries_are_nan_and_others_aligned():
    sites = gdf([None, square(X0, Y0), Polygon(), square(X0 + 1000, Y0)], index=list("abcd"))
    feats = gdf([Point(X0 + 1600, Y0 + 50), None])
    out = distance_km(sites, feats)
    assert np.isnan(out["a"]) and np.isnan(out["c"])
    assert out["b"] == pytest.approx(1.5)
    assert out["d"] == pytest.approx(0.5)


def test_no_sites():
    sites = gdf([], index=pd.Index([], dtype=str))
    out = distance_km(sites, gdf([Point(0, 0)]))
    assert len(out) == 0 and out.dtype == np.float64


def test_crs_mismatch_raises_naming_both():
    sites = gdf([square(X0, Y0)], index=["a"])
    feats = gpd.GeoDataFrame(geometry=[Point(-1.5, 52.0)], crs="EPSG:4326")
    with pytest.raises(CRSError, match=r"EPSG:27700.*EPSG:4326.*to_crs"):
        distance_km(sites, feats)


def test_no_crs_on_one_side_is_a_mismatch():
    sites = gdf([square(X0, Y0)], index=["a"])
    feats = gpd.GeoDataFrame(geometry=[Point(X0, Y0)])
    with pytest.raises(CRSError, match="no CRS"):
        distance_km(sites, feats)


coords = st.floats(0, 10_000, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    sites=st.lists(st.tuples(coords, coords, st.floats(1, 500)), min_size=1, max_size=8),
    points=st.lists(st.tuples(coords, coords), min_size=1, max_size=12),
)
def test_matches_brute_force_minimum(sites, points):
    site_geoms = [box(x, y, x + s, y + s) for x, y, s in sites]
    feats = [Point(x, y) for x, y in points]
    out = distance_km(gdf(site_geoms, index=[f"s{i}" for i in range(len(sites))]), gdf(feats))
    expected = [min(g.distance(f) for f in feats) / 1000 for g in site_geoms]
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=0, atol=1e-9)
