"""site_attribute and area_ha."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import Polygon, box

from growthzones.criteria.attribute import area_ha, site_attribute
from growthzones.errors import CriterionError, CRSError


def sites(**cols):
    n = len(next(iter(cols.values()))) if cols else 2
    geoms = [box(0, 0, 200, 500), box(1000, 0, 1100, 100), None, Polygon()][:n]
    return gpd.GeoDataFrame(cols, geometry=geoms, crs="EPSG:27700", index=["b", "a", "c", "d"][:n])


def test_numeric_columns_as_float64():
    s = sites(price=[2.5, np.nan], plots=[3, 4], brownfield=[True, False])
    out = site_attribute(s, "price")
    assert out.dtype == np.float64 and list(out.index) == ["b", "a"]
    assert out["b"] == 2.5 and np.isnan(out["a"])
    assert site_attribute(s, "plots").tolist() == [3.0, 4.0]
    assert site_attribute(s, "brownfield").tolist() == [1.0, 0.0]
    nullable = sites(x=pd.array([1, None], dtype="Int64"))
    assert site_attribute(nullable, "x").isna().tolist() == [False, True]


def test_text_of_numbers_is_accepted():
    s = sites(price=pd.array(["2.5", ""], dtype="str"))
    out = site_attribute(s, "price")
    assert out["b"] == 2.5 and np.isnan(out["a"])


def test_non_numeric_column_names_column_dtype_and_examples():
    s = sites(grade=["high", "3"])
    with pytest.raises(CriterionError, match=r"`grade`.*dtype.*'high'"):
        site_attribute(s, "grade")


def test_missing_column_lists_available():
    s = sites(price=[1.0, 2.0], name=["x", "y"])
    with pytest.raises(CriterionError, match=r"`cost`.*`price`, `name`"):
        site_attribute(s, "cost")


def test_area_ha():
    s = sites(x=[1, 2, 3, 4])
    out = area_ha(s)
    assert out.dtype == np.float64 and list(out.index) == ["b", "a", "c", "d"]
    assert out["b"] == pytest.approx(10.0) and out["a"] == pytest.approx(1.0)
    assert np.isnan(out["c"]) and np.isnan(out["d"])


def test_area_ha_refuses_geographic_crs():
    s = gpd.GeoDataFrame(geometry=[box(-1, 52, -0.9, 52.1)], crs=4326)
    with pytest.raises(CRSError, match=r"EPSG:4326.*to_crs"):
        area_ha(s)
