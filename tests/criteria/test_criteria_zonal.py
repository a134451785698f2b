"""zonal, raster_info and check_nodata_sentinel on rasters written to tmp_path.

The fixture grid: 100 m cells, top-left corner at (400000, 300400) in EPSG:27700, so cell
(row r, col c) spans x 400000+100c .. +100 and y 300300-100r .. +100.
"""

from __future__ import annotations

import logging
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from rasterio.warp import Resampling, calculate_default_transform, reproject
from shapely import Polygon, box

from growthzones.criteria.zonal import check_nodata_sentinel, raster_info, zonal
from growthzones.errors import CriterionError, CRSError, InputFileError, LayerError

X0, TOP = 400_000.0, 300_400.0
GRID = np.array(
    [
        [10, 30, 50, 70],
        [1, 2, 3, 4],
        [5, 6, 7, 8],
        [9, 11, 13, 15],
    ],
    dtype="float32",
)


def write_raster(path, arr, *, nodata=None, crs="EPSG:27700", transform=None, dtype=None):
    arr = np.asarray(arr)
    if arr.ndim == 2:
        arr = arr[None]
    profile = {
        "driver": "GTiff",
        "width": arr.shape[2],
        "height": arr.shape[1],
        "count": arr.shape[0],
        "dtype": dtype or arr.dtype.name,
        "transform": transform or from_origin(X0, TOP, 100, 100),
        "nodata": nodata,
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr.astype(profile["dtype"]))
    return path


def sites_of(*geoms, index=None, crs="EPSG:27700"):
    index = index or [f"s{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs, index=pd.Index(index, name="site_id"))


def cells(r0, c0, r1, c1):
    """Box covering rows r0..r1-1 and cols c0..c1-1 exactly."""
    return box(X0 + 100 * c0, TOP - 100 * r1, X0 + 100 * c1, TOP - 100 * r0)


# Half of cell (0,0) (value 10) and three quarters of cell (0,1) (value 30).
SITE_A = box(X0 + 50, TOP - 100, X0 + 175, TOP)


@pytest.fixture
def grid_tif(tmp_path):
    return write_raster(tmp_path / "grid.tif", GRID, nodata=-9999.0)


def test_coverage_weighted_mean_min_max(grid_tif):
    s = sites_of(SITE_A, index=["a"])
    # (0.5 * 10 + 0.75 * 30) / 1.25 = 22
    assert zonal(s, grid_tif, stat="mean")["a"] == pytest.approx(22.0)
    assert zonal(s, grid_tif, stat="min")["a"] == 10.0
    assert zonal(s, grid_tif, stat="max")["a"] == 30.0


def test_fraction_in_range_is_coverage_weighted_and_inclusive(grid_tif):
    s = sites_of(SITE_A, cells(1, 0, 3, 2), index=["a", "b"])
    out = zonal(s, grid_tif, stat="fraction", value_range=[25, 35])
    assert out["a"] == pytest.approx(0.75 / 1.25)
    assert out["b"] == 0.0
    # Inclusive bounds: exactly 10 counts; b covers 1, 2, 5, 6 equally.
    out = zonal(s, grid_tif, stat="fraction", value_range=(10, 10))
    assert out["a"] == pytest.approx(0.5 / 1.25)
    assert zonal(s, grid_tif, stat="fraction", value_range=(2, 5))["b"] == pytest.approx(0.5)


def test_site_outside_raster_is_nan_and_partial_overlap_counts_inside_part(grid_tif, caplog):
    far = box(500_000, 500_000, 500_100, 500_100)
    half_out = box(X0 - 50, TOP - 100, X0 + 50, TOP)
    s = sites_of(far, half_out, index=["far", "edge"])
    with caplog.at_level(logging.INFO, logger="growthzones.criteria.zonal"):
        out = zonal(s, grid_tif, stat="mean")
    assert np.isnan(out["far"]) and out["edge"] == 10.0
    assert "1 of 2 site(s) cover no valid cell" in caplog.text
    for stat in ("min", "max"):
        assert np.isnan(zonal(s, grid_tif, stat=stat)["far"])
    assert np.isnan(zonal(s, grid_tif, stat="fraction", value_range=(0, 100))["far"])


def test_index_order_and_missing_geometries(grid_tif):
    s = sites_of(cells(0, 2, 1, 3), None, SITE_A, Polygon(), index=["z", "none", "a", "empty"])
    out = zonal(s, grid_tif, stat="mean")
    assert list(out.index) == ["z", "none", "a", "empty"] and out.dtype == np.float64
    assert out["z"] == 50.0 and out["a"] == pytest.approx(22.0)
    assert np.isnan(out["none"]) and np.isnan(out["empty"])
    assert zonal(sites_of(None, Polygon()), grid_tif, stat="mean").isna().all()
    assert len(zonal(sites_of(), grid_tif, stat="mean")) == 0


def test_tagged_nodata_cells_do_not_count(tmp_path):
    arr = GRID.copy()
    arr[0, 1] = -9999
    path = write_raster(tmp_path / "nd.tif", arr, nodata=-9999.0)
    s = sites_of(SITE_A, cells(0, 1, 1, 2), index=["a", "all_nodata"])
    out = zonal(s, path, stat="mean")
    assert out["a"] == 10.0 and np.isnan(out["all_nodata"])
    assert zonal(s, path, stat="fraction", value_range=(5, 15))["a"] == 1.0


def test_nan_cells_never_count(tmp_path):
    arr = GRID.copy()
    arr[0, 1] = np.nan
    for nodata in (None, np.nan):
        path = write_raster(tmp_path / f"nan_{nodata}.tif", arr, nodata=nodata)
        assert zonal(sites_of(SITE_A), path, stat="mean").iloc[0] == 10.0


def test_nodata_override_masks_untagged_sentinel(tmp_path):
    arr = GRID.copy()
    arr[0, 1] = -9999
    path = write_raster(tmp_path / "untagged.tif", arr, nodata=None)
    s = sites_of(SITE_A, index=["a"])
    with pytest.raises(LayerError, match=r"untagged\.tif.*nodata = -9999"):
        zonal(s, path, stat="mean")
    assert zonal(s, path, stat="mean", nodata=-9999)["a"] == 10.0


def test_nodata_override_replaces_a_wrong_tag(tmp_path):
    # The file says 0 is nodata, but 0 is a real value here; the config says -1.
    arr = GRID.copy()
    arr[0, 0] = 0
    path = write_raster(tmp_path / "zero.tif", arr, nodata=0.0)
    s = sites_of(SITE_A, index=["a"])
    assert zonal(s, path, stat="mean")["a"] == 30.0
    # (0.5 * 0 + 0.75 * 30) / 1.25 = 18
    assert zonal(s, path, stat="mean", nodata=-1)["a"] == pytest.approx(18.0)


def test_integer_raster_with_float_override(tmp_path):
    arr = GRID.astype("int16")
    arr[0, 1] = 255
    path = write_raster(tmp_path / "int.tif", arr, nodata=None)
    assert zonal(sites_of(SITE_A), path, stat="mean", nodata=255.0).iloc[0] == 10.0


def test_sentinel_outside_every_site_does_not_stop_zonal(tmp_path):
    arr = GRID.copy()
    arr[3, 3] = -9999
    path = write_raster(tmp_path / "far_sentinel.tif", arr, nodata=None)
    assert zonal(sites_of(SITE_A), path, stat="mean").iloc[0] == pytest.approx(22.0)
    # ...but the whole-file check refuses the layer.
    with pytest.raises(LayerError, match=r"far_sentinel\.tif.*nodata = -9999"):
        check_nodata_sentinel(path)


@pytest.mark.parametrize(
    ("dtype", "value", "refused"),
    [
        ("float32", -9999, True),
        ("float64", -99999, True),
        ("float32", float(np.finfo(np.float32).min), True),
        ("int16", -32768, True),
        ("uint16", 65535, True),
        ("int32", -9999, True),
        ("uint32", 65535, False),  # a plausible value in a wider type
        ("float32", -9998, False),
        ("uint8", 255, False),  # too common a real value to refuse
        ("float32", 9999, False),
    ],
)
def test_check_nodata_sentinel(tmp_path, dtype, value, refused):
    arr = np.abs(GRID).astype(dtype)
    arr[2, 2] = value
    path = write_raster(tmp_path / "s.tif", arr, nodata=None)
    if refused:
        with pytest.raises(LayerError, match=r"s\.tif.*Set `nodata = "):
            check_nodata_sentinel(path)
        # Declaring it (config override or file tag) makes the layer acceptable.
        check_nodata_sentinel(path, nodata=value)
        tagged = write_raster(tmp_path / "t.tif", arr, nodata=value)
        check_nodata_sentinel(tagged)
    else:
        check_nodata_sentinel(path)


def test_check_nodata_sentinel_all_nodata_and_bad_band(tmp_path):
    path = write_raster(tmp_path / "all.tif", np.full((3, 3), -9999, "float32"), nodata=-9999.0)
    check_nodata_sentinel(path)
    with pytest.raises(LayerError, match="band"):
        check_nodata_sentinel(path, band=2)


def test_raster_without_crs(tmp_path):
    path = write_raster(tmp_path / "nocrs.tif", GRID, crs=None)
    with pytest.raises(CRSError, match=r"nocrs\.tif.*no CRS.*(edit-info|gdal_edit)"):
        zonal(sites_of(SITE_A), path, stat="mean")
    assert raster_info(path)["crs"] is None


def test_sites_without_crs(grid_tif):
    with pytest.raises(CRSError, match="sites have no CRS"):
        zonal(sites_of(SITE_A, crs=None), grid_tif, stat="mean")


def test_raster_in_wgs84_gives_nearly_the_27700_answer(tmp_path, caplog):
    # A linear field (value = easting km + northing km / 2) on a 50 km square at 500 m,
    # warped to EPSG:4326 with bilinear resampling at about 250 m.
    n, res = 100, 500.0
    x0, top = 380_000.0, 330_000.0
    cols = x0 + res * (np.arange(n) + 0.5)
    rows = top - res * (np.arange(n) + 0.5)
    field = ((cols[None, :] - x0) / 1000 + (rows[:, None] - (top - n * res)) / 2000).astype("float64")
    src_t = from_origin(x0, top, res, res)
    bng = write_raster(tmp_path / "bng.tif", field, nodata=-1.0, transform=src_t)
    bounds = (x0, top - n * res, x0 + n * res, top)
    dst_t, w, h = calculate_default_transform("EPSG:27700", "EPSG:4326", n, n, *bounds, resolution=0.003)
    warped = np.full((h, w), -1.0)
    reproject(
        field,
        warped,
        src_transform=src_t,
        src_crs="EPSG:27700",
        dst_transform=dst_t,
        dst_crs="EPSG:4326",
        resampling=Resampling.bilinear,
        src_nodata=-1.0,
        dst_nodata=-1.0,
    )
    wgs = write_raster(tmp_path / "wgs84.tif", warped, nodata=-1.0, crs="EPSG:4326", transform=dst_t)
    s = sites_of(
        box(390_000, 300_000, 392_000, 302_000),
        box(410_000, 315_000, 413_000, 318_000),
        index=["p", "q"],
    )
    expected = zonal(s, bng, stat="mean")
    # Linear field: the mean over a square is the value at its centre.
    assert expected["p"] == pytest.approx(11 + (301_000 - 280_000) / 2000, abs=1e-6)
    with caplog.at_level(logging.INFO, logger="growthzones.criteria.zonal"):
        got = zonal(s, wgs, stat="mean")
    assert "Reprojecting 2 site(s) from EPSG:27700 to EPSG:4326" in caplog.text
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=0.005)
    assert list(got.index) == ["p", "q"]


def test_agrees_exactly_with_rasterstats_on_cell_aligned_sites(tmp_path):
    rasterstats = pytest.importorskip("rasterstats")
    rng = np.random.default_rng(7)
    arr = rng.integers(0, 100, size=(20, 20)).astype("float32")
    arr[5, 5] = -9999  # tagged nodata: both tools must skip it
    transform = from_origin(X0, TOP, 100, 100)
    path = write_raster(tmp_path / "rand.tif", arr, nodata=-9999.0, transform=transform)
    geoms = [
        cells(0, 0, 1, 1),
        cells(2, 3, 7, 9),
        cells(4, 4, 8, 8),
        cells(10, 0, 20, 20),
        cells(19, 19, 20, 20),
    ]
    s = sites_of(*geoms)
    # Edges on cell edges: every cell is fully in or out, so exactextract's coverage weights
    # are all 1 or 0 and rasterstats selects the same cells whether by cell centre
    # (all_touched=False) or by touch (all_touched=True: GDAL does not count a cell that only
    # shares an edge). On unaligned sites the two differ by design: rasterstats takes whole
    # cells unweighted, exactextract weights each by the share covered.
    features = [g.__geo_interface__ for g in geoms]
    for all_touched in (False, True):
        ref = rasterstats.zonal_stats(features, str(path), stats=["mean", "min", "max"], all_touched=all_touched)
        for stat in ("mean", "min", "max"):
            got = zonal(s, path, stat=stat).to_numpy()
            want = np.array([r[stat] for r in ref], dtype="float64")
            np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"{stat}, all_touched={all_touched}")


def test_differs_from_rasterstats_on_a_partly_covered_cell(tmp_path):
    rasterstats = pytest.importorskip("rasterstats")
    # SITE_A covers half of cell 10 and 3/4 of cell 30: weighted mean 22. rasterstats takes
    # the whole cells it selects, unweighted: 20 with all_touched (10 and 30), or 30 by
    # centre (cell 10's centre lies on the site's edge, and GDAL leaves it out).
    path = write_raster(tmp_path / "g.tif", GRID, nodata=-9999.0)
    geo = [SITE_A.__geo_interface__]
    assert rasterstats.zonal_stats(geo, str(path), stats=["mean"], all_touched=True)[0]["mean"] == 20.0
    assert rasterstats.zonal_stats(geo, str(path), stats=["mean"], all_touched=False)[0]["mean"] == 30.0
    assert zonal(sites_of(SITE_A), path, stat="mean").iloc[0] == pytest.approx(22.0)


def test_second_band(tmp_path):
    path = write_raster(tmp_path / "two.tif", np.stack([GRID, GRID * 2]), nodata=-9999.0)
    s = sites_of(SITE_A)
    assert zonal(s, path, stat="mean", band=2).iloc[0] == pytest.approx(44.0)
    with pytest.raises(LayerError, match="2 band"):
        zonal(s, path, stat="mean", band=3)


def test_argument_errors(grid_tif, tmp_path):
    s = sites_of(SITE_A)
    with pytest.raises(CriterionError, match="'mean', 'min', 'max', 'fraction'"):
        zonal(s, grid_tif, stat="median")
    with pytest.raises(CriterionError, match="value_range"):
        zonal(s, grid_tif, stat="fraction")
    with pytest.raises(CriterionError, match="low <= high"):
        zonal(s, grid_tif, stat="fraction", value_range=(5, 1))
    with pytest.raises(CriterionError, match="only applies"):
        zonal(s, grid_tif, stat="mean", value_range=(0, 1))
    with pytest.raises(InputFileError, match="does not exist"):
        zonal(s, tmp_path / "missing.tif", stat="mean")
    bad = tmp_path / "bad.tif"
    bad.write_text("not a raster")
    with pytest.raises(InputFileError, match="cannot be read"):
        raster_info(bad)


def test_raster_info(grid_tif):
    info = raster_info(grid_tif)
    assert info["crs"].to_epsg() == 27700
    assert info["bounds"] == (X0, TOP - 400, X0 + 400, TOP)
    assert info["res"] == (100.0, 100.0)
    assert info["nodata"] == -9999.0
    assert info["dtype"] == "float32"
    assert info["count"] == 1 and (info["width"], info["height"]) == (4, 4)


@pytest.mark.parametrize("override", [False, True])
def test_nodata_never_leaks_into_small_windows(tmp_path, override):
    # Regression: exactextract 0.3 ignored the mask of masked arrays from a Python source
    # in some windows, so a site inside (or partly over) a nodata cell got -9999 as its mean.
    arr = np.array([[1, -9999, 3], [4, 5, 6]], dtype="float32")
    path = write_raster(tmp_path / "small.tif", arr, nodata=None if override else -9999.0)
    s = sites_of(
        box(X0 + 120, TOP - 80, X0 + 140, TOP - 60),  # inside the nodata cell
        box(X0 + 120, TOP - 80, X0 + 240, TOP - 60),  # nodata cell and the cell holding 3
        box(X0, TOP - 200, X0 + 300, TOP),  # the whole raster
        index=["inside", "across", "all"],
    )
    kw = {"nodata": -9999} if override else {}
    mean = zonal(s, path, stat="mean", **kw)
    assert np.isnan(mean["inside"]) and mean["across"] == 3.0 and mean["all"] == pytest.approx(3.8)
    assert np.isnan(zonal(s, path, stat="min", **kw)["inside"])
    assert zonal(s, path, stat="min", **kw)["across"] == 3.0
    frac = zonal(s, path, stat="fraction", value_range=(-1e9, 1e9), **kw)
    assert np.isnan(frac["inside"]) and frac["across"] == 1.0 and frac["all"] == 1.0


def test_internal_mask_band_is_honoured(tmp_path):
    # No nodata tag; validity comes from a GDAL mask band (as in many JPEG-compressed GeoTIFFs).
    path = tmp_path / "masked.tif"
    profile = {
        "driver": "GTiff",
        "width": 4,
        "height": 4,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:27700",
        "transform": from_origin(X0, TOP, 100, 100),
    }
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(path, "w", **profile) as dst:
        dst.write(GRID, 1)
        valid = np.full((4, 4), 255, dtype="uint8")
        valid[0, 1] = 0
        dst.write_mask(valid)
    assert zonal(sites_of(SITE_A), path, stat="mean").iloc[0] == 10.0
    # An override replaces the mask too, like it replaces a tag.
    assert zonal(sites_of(SITE_A), path, stat="mean", nodata=-1).iloc[0] == pytest.approx(22.0)


@pytest.mark.parametrize(
    ("dtype", "value", "shown"),
    [("float32", -1e20, "-1e+20"), ("uint16", 65535, "65535"), ("float32", -32768, "-32768")],
)
def test_one_sentinel_rule_for_the_layer_check_and_the_file_check(tmp_path, dtype, value, shown):
    # One rule (growthzones.layers.untagged_sentinel) behind the config's layer check and the
    # whole-file check, each with its own wording; a sentinel hidden in one cell of a larger
    # raster is found by both (the layer check reads every cell, not a preview).
    from growthzones.config import LayerConfig
    from growthzones.layers import read_raster_info

    arr = np.tile(np.abs(GRID), (40, 40)).astype(dtype)
    arr[77, 131] = value
    path = write_raster(tmp_path / "one.tif", arr, nodata=None)
    layer = LayerConfig("water", path, "raster")
    with pytest.raises(LayerError, match=rf"^layers\.water: raster '[^']*one\.tif' contains {re.escape(shown)}, "):
        read_raster_info(layer)
    with pytest.raises(LayerError, match=r"one\.tif' has cells equal to .*Set `nodata = "):
        check_nodata_sentinel(path)
    # Declared, it is masked by both.
    read_raster_info(LayerConfig("water", path, "raster", nodata=float(value)))
    check_nodata_sentinel(path, nodata=float(value))
