"""Candidate generators on hand-made land and constraint polygons."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import Point, box

from growthzones import candidates

LAND = gpd.GeoDataFrame(geometry=[box(0, 0, 100_000, 100_000)], crs=27700)


def test_grid_counts_and_ids():
    notes: list[str] = []
    out = candidates.on_grid(LAND, spacing_km=20, size_ha=100, notes=notes)
    # centres at 10, 30, 50, 70, 90 km on both axes
    assert len(out) == 25
    assert out["site_id"].iloc[0] == "G0010-0010"
    assert out.area.round(6).unique().tolist() == [1_000_000.0]
    assert notes == ["dropped 0 square(s) not wholly on land"]


def test_grid_excludes_constraints():
    park = gpd.GeoDataFrame(geometry=[box(0, 0, 40_000, 40_000)], crs=27700)
    notes: list[str] = []
    out = candidates.on_grid(LAND, spacing_km=20, size_ha=100, exclude=[park], notes=notes)
    assert len(out) == 21
    assert "G0010-0010" not in set(out["site_id"])
    assert notes[-1] == "dropped 4 square(s) overlapping constraint layer 1"


def test_around_points_takes_first_clear_side():
    pts = gpd.GeoDataFrame({"name": ["Sub A"]}, geometry=[Point(50_000, 50_000)], crs=27700)
    block = gpd.GeoDataFrame(geometry=[box(49_000, 50_400, 51_000, 52_000)], crs=27700)
    out = candidates.around_points(pts, name_column="name", size_ha=100, offset_km=1, land=LAND, exclude=[block])
    assert out["name"].tolist() == ["Beside Sub A (S)"]
    assert out.geometry.iloc[0].centroid.coords[0] == pytest.approx((50_000, 49_000))


def test_from_areas_carries_columns():
    lads = gpd.GeoDataFrame(
        {"code": ["E2", "E1"], "nm": ["B", "A"], "rgn": ["X", "Y"]},
        geometry=[box(0, 0, 2000, 1000), box(0, 0, 1000, 1000)],
        crs=27700,
    )
    out = candidates.from_areas(lads, id_column="code", name_column="nm", prefix="LAD-", keep=["rgn"])
    assert out["site_id"].tolist() == ["LAD-E1", "LAD-E2"]
    assert out["rgn"].tolist() == ["Y", "X"]
    assert out["area_ha"].tolist() == [100.0, 200.0]
