"""nearest_attribute, nearest_feature and within_radius on hand-computed fixtures."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon, box

from growthzones.criteria.proximity import nearest_attribute, nearest_feature, within_radius
from growthzones.errors import CriterionError, CRSError

X0, Y0 = 400_000.0, 300_000.0


def gdf(geoms, index=None, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs="EPSG:27700", index=index)


def site(dx=0.0, dy=0.0):
    return box(X0 + dx, Y0 + dy, X0 + dx + 100, Y0 + dy + 100)


# ---------------------------------------------------------------------------------------------
# nearest_attribute


def test_nearest_attribute_picks_nearest():
    sites = gdf([site(), site(10_000)], index=["a", "b"])
    subs = gdf(
        [Point(X0 + 600, Y0 + 50), Point(X0 + 10_050, Y0 + 2000), Point(X0 - 3000, Y0)],
        headroom_mw=[100.0, 250.0, 999.0],
    )
    out = nearest_attribute(sites, subs, "headroom_mw")
    assert out.tolist() == [100.0, 250.0]
    assert out.index.equals(sites.index) and out.dtype == np.float64


def test_ties_go_to_the_first_feature_whatever_the_order():
    sites = gdf([site()], index=["a"])
    # 500 m east of the east edge and 500 m west of the west edge: an exact tie.
    east, west = Point(X0 + 600, Y0 + 50), Point(X0 - 500, Y0 + 50)
    assert nearest_attribute(sites, gdf([east, west], v=[1.0, 2.0]), "v")["a"] == 1.0
    assert nearest_attribute(sites, gdf([west, east], v=[2.0, 1.0]), "v")["a"] == 2.0
    # Index labels do not matter, position does.
    feats = gdf([west, east], index=[9, 0], v=[2.0, 1.0])
    assert nearest_attribute(sites, feats, "v")["a"] == 2.0


def test_ties_between_features_intersecting_the_site():
    sites = gdf([site()], index=["a"])
    feats = gdf([Point(X0 + 900, Y0), Point(X0 + 80, Y0 + 80), Point(X0 + 20, Y0 + 20)], v=[7.0, 5.0, 6.0])
    assert nearest_attribute(sites, feats, "v")["a"] == 5.0


def test_max_distance_cut_off_is_inclusive():
    sites = gdf([site(), site(0, 10_000)], index=["a", "b"])
    # Exactly 1000 m from site a; 9,900 m from site b.
    feats = gdf([Point(X0 + 1100, Y0 + 50)], v=[42.0])
    out = nearest_attribute(sites, feats, "v", max_distance_m=1000)
    assert out["a"] == 42.0 and np.isnan(out["b"])
    assert np.isnan(nearest_attribute(sites, feats, "v", max_distance_m=999.99)["a"])


def test_max_distance_zero_means_touching_only():
    sites = gdf([site(), site(5000)], index=["a", "b"])
    feats = gdf([Point(X0 + 50, Y0 + 50), Point(X0 + 5200, Y0)], v=[1.0, 2.0])
    out = nearest_attribute(sites, feats, "v", max_distance_m=0)
    assert out["a"] == 1.0 and np.isnan(out["b"])


def test_negative_max_distance_rejected():
    with pytest.raises(CriterionError, match="max_distance_m"):
        nearest_attribute(gdf([site()]), gdf([Point(0, 0)], v=[1.0]), "v", max_distance_m=-1)


def test_nearest_attribute_empty_features_all_nan():
    sites = gdf([site(), site(500)], index=["a", "b"])
    feats = gdf([], v=pd.Series([], dtype=float))
    assert nearest_attribute(sites, feats, "v").isna().all()


def test_nearest_attribute_none_site_geometry():
    sites = gdf([None, site(), Polygon()], index=["a", "b", "c"])
    out = nearest_attribute(sites, gdf([Point(X0, Y0)], v=[3.0]), "v")
    assert np.isnan(out["a"]) and out["b"] == 3.0 and np.isnan(out["c"])


def test_nan_attribute_of_nearest_is_nan_not_the_next_one():
    sites = gdf([site()], index=["a"])
    feats = gdf([Point(X0 + 200, Y0), Point(X0 + 900, Y0)], v=[np.nan, 5.0])
    assert np.isnan(nearest_attribute(sites, feats, "v")["a"])


def test_missing_attribute_lists_columns():
    feats = gdf([Point(X0, Y0)], headroom=[1.0], voltage_kv=[400])
    with pytest.raises(CriterionError, match=r"`headroom_mw`.*`headroom`, `voltage_kv`"):
        nearest_attribute(gdf([site()]), feats, "headroom_mw")


def test_non_numeric_attribute_rejected():
    feats = gdf([Point(X0, Y0), Point(X0, Y0 + 5)], owner=["NGET", "SSEN"])
    with pytest.raises(CriterionError, match=r"`owner`.*'NGET'"):
        nearest_attribute(gdf([site()]), feats, "owner")


def test_nearest_attribute_crs_mismatch():
    feats = gpd.GeoDataFrame({"v": [1.0]}, geometry=[Point(-1.5, 52)], crs=4326)
    with pytest.raises(CRSError, match="EPSG:4326"):
        nearest_attribute(gdf([site()]), feats, "v")


# ---------------------------------------------------------------------------------------------
# nearest_feature


def test_nearest_feature_table():
    sites = gdf([site(), site(0, 50_000)], index=pd.Index(["a", "b"], name="site_id"))
    subs = gdf(
        [Point(X0 + 1100, Y0 + 50), Point(X0 + 50, Y0 + 50_100 + 2500)],
        index=["drax", "eggborough"],
        name=["Drax", "Eggborough"],
        voltage_kv=[400, 275],
    )
    out = nearest_feature(sites, subs, columns=["name", "voltage_kv"])
    assert list(out.columns) == ["distance_km", "feature_id", "name", "voltage_kv"]
    assert out.index.equals(sites.index)
    assert out["distance_km"].tolist() == pytest.approx([1.0, 2.5])
    assert out["feature_id"].tolist() == ["drax", "eggborough"]
    assert out["name"].tolist() == ["Drax", "Eggborough"]


def test_nearest_feature_none_in_range_and_empty_layer():
    sites = gdf([site(), site(0, 50_000)], index=["a", "b"])
    subs = gdf([Point(X0 + 1100, Y0 + 50)], index=["drax"], name=["Drax"])
    out = nearest_feature(sites, subs, columns=["name"], max_distance_m=5000)
    assert out.loc["a", "feature_id"] == "drax"
    assert np.isnan(out.loc["b", "distance_km"]) and pd.isna(out.loc["b", "feature_id"])
    assert pd.isna(out.loc["b", "name"])
    empty = nearest_feature(sites, subs.iloc[:0], columns=["name"])
    assert empty["distance_km"].isna().all() and empty["feature_id"].isna().all()
    assert list(empty.columns) == ["distance_km", "feature_id", "name"]


def test_nearest_feature_missing_column():
    with pytest.raises(CriterionError, match="`nome`"):
        nearest_feature(gdf([site()]), gdf([Point(0, 0)], name=["x"]), columns=["nome"])


# ---------------------------------------------------------------------------------------------
# within_radius


def test_sum_and_count_within_radius():
    sites = gdf([site(), site(20_000)], index=["a", "b"])
    feats = gdf(
        [
            Point(X0 + 50, Y0 + 50),  # inside a
            Point(X0 + 1100, Y0 + 50),  # exactly 1000 m from a: counts (inclusive)
            Point(X0 + 1101, Y0 + 50),  # 1001 m: does not
            Point(X0 + 20_050, Y0 - 400),  # 400 m from b
        ],
        mw=[10.0, 20.0, 40.0, 80.0],
    )
    assert within_radius(sites, feats, radius_m=1000, attribute="mw").tolist() == [30.0, 80.0]
    assert within_radius(sites, feats, radius_m=1000, how="count").tolist() == [2.0, 1.0]
    assert within_radius(sites, feats, radius_m=100, how="count").tolist() == [1.0, 0.0]


def test_line_crossing_radius_counts_once():
    sites = gdf([site()], index=["a"])
    line = LineString([(X0 - 5000, Y0 + 600), (X0 + 5000, Y0 + 600), (X0 + 5000, Y0 + 700)])
    feats = gdf([line], capacity=[5.0])
    assert within_radius(sites, feats, radius_m=1000, how="count")["a"] == 1.0
    assert within_radius(sites, feats, radius_m=1000, attribute="capacity")["a"] == 5.0


def test_within_radius_empty_features_is_zero_and_none_site_nan():
    sites = gdf([site(), None], index=["a", "b"])
    empty = gdf([], mw=pd.Series([], dtype=float))
    out = within_radius(sites, empty, radius_m=1000, attribute="mw")
    assert out["a"] == 0.0 and np.isnan(out["b"])
    assert within_radius(sites, empty, radius_m=1000, how="count")["a"] == 0.0


def test_nan_attribute_adds_nothing(caplog):
    sites = gdf([site()], index=["a"])
    feats = gdf([Point(X0, Y0), Point(X0 + 10, Y0)], mw=[np.nan, 7.0])
    with caplog.at_level("WARNING"):
        assert within_radius(sites, feats, radius_m=10, attribute="mw")["a"] == 7.0
    assert "no `mw` value" in caplog.text


def test_within_radius_argument_errors():
    sites, feats = gdf([site()]), gdf([Point(0, 0)], mw=[1.0])
    with pytest.raises(CriterionError, match="'sum', 'count'"):
        within_radius(sites, feats, radius_m=10, attribute="mw", how="mean")
    with pytest.raises(CriterionError, match="attribute"):
        within_radius(sites, feats, radius_m=10)
    with pytest.raises(CriterionError, match="radius_m"):
        within_radius(sites, feats, radius_m=-5, how="count")
    with pytest.raises(CRSError):
        within_radius(sites, feats.set_crs(3857, allow_override=True), radius_m=10, how="count")


# Whole metres: the radius boundary is then exact (no subnormal or rounding artefacts where
# `distance <= radius` and GEOS `dwithin` could legitimately round differently).
coords = st.integers(0, 5_000).map(float)


@settings(max_examples=60, deadline=None)
@given(
    sites=st.lists(st.tuples(coords, coords, st.integers(1, 300).map(float)), min_size=1, max_size=6),
    points=st.lists(st.tuples(coords, coords, st.integers(0, 100)), min_size=1, max_size=15),
    radius=st.integers(0, 3000).map(float),
)
def test_matches_brute_force(sites, points, radius):
    site_geoms = [box(x, y, x + s, y + s) for x, y, s in sites]
    pts = [Point(x, y) for x, y, _ in points]
    w = [float(v) for _, _, v in points]
    s_gdf = gdf(site_geoms, index=[f"s{i}" for i in range(len(sites))])
    f_gdf = gdf(pts, v=w)
    got_sum = within_radius(s_gdf, f_gdf, radius_m=radius, attribute="v").to_numpy()
    got_n = within_radius(s_gdf, f_gdf, radius_m=radius, how="count").to_numpy()
    exp_sum = [sum(wi for p, wi in zip(pts, w, strict=True) if g.distance(p) <= radius) for g in site_geoms]
    exp_n = [sum(g.distance(p) <= radius for p in pts) for g in site_geoms]
    np.testing.assert_allclose(got_sum, exp_sum)
    np.testing.assert_array_equal(got_n, exp_n)
    # Nearest: brute-force minimum distance, first position on ties.
    got = nearest_attribute(s_gdf, f_gdf, "v").to_numpy()
    exp = []
    for g in site_geoms:
        d = [g.distance(p) for p in pts]
        exp.append(w[int(np.argmin(d))])
    np.testing.assert_array_equal(got, exp)
