"""``growthzones locate`` and ``locate_regions``: outputs, keep/avoid sites, bad input, and ranking the result."""

from __future__ import annotations

import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
import tomli_w
from click.testing import CliRunner
from shapely import box

import growthzones as gz
from growthzones.cli import main
from growthzones.datasets import demo_config_path
from growthzones.errors import ConfigError, InputFileError
from growthzones.locate import LocateError, locate_regions

from .surfaces import make_surface, write_surface_tif

X0, Y0 = 400_000.0, 300_000.0


def run(*args):
    return CliRunner().invoke(main, ["-q", *map(str, args)])


@pytest.fixture
def ramp(tmp_path):
    """10 x 10 cells of 100 m (1 ha): score = 10 * column + row, so the east edge is best; column 0 fails a gate."""
    score = 10.0 * np.arange(10)[None, :] + np.arange(10)[:, None]
    eligible = np.ones((10, 10), dtype="uint8")
    eligible[:, 0] = 0
    ds = make_surface(score, eligible)
    return ds, write_surface_tif(ds, tmp_path / "surface.tif")


def test_cli_writes_regions_ready_to_rank(ramp, tmp_path):
    _, tif = ramp
    out = tmp_path / "regions.gpkg"
    res = run("locate", tif, "--regions", 2, "--min-area", 3, "--max-area", 3, "--compactness", 0,
              "--out", out)  # fmt: skip
    assert res.exit_code == 0, res.output
    assert pyogrio.list_layers(out)[:, 0].tolist() == ["regions"]
    got = pyogrio.read_dataframe(out)
    # by hand: the best 3-cell regions hug the east column (scores 90+row): rows 7-9 (mean 98) and 4-6 (95)
    assert got["site_id"].tolist() == ["R001", "R002"]
    assert got["mean_score"].tolist() == [98.0, 95.0]
    assert got["min_score"].tolist() == [97.0, 94.0]
    assert got["area_ha"].tolist() == [3.0, 3.0]
    assert got["pass_flood"].tolist() == [1.0, 1.0]
    assert got.geometry.iloc[0].equals(box(X0 + 900, Y0 - 1000, X0 + 1000, Y0 - 700))
    meta = pyogrio.read_info(out, layer="regions")["layer_metadata"]
    assert meta["status"] == "optimal" and float(meta["objective"]) == 193.0


def test_spacing_keep_and_avoid(ramp):
    ds, _ = ramp
    keep = gpd.GeoDataFrame(geometry=[box(X0 + 900, Y0 - 300, X0 + 1000, Y0)], crs="EPSG:27700")  # col 9, rows 0-2
    avoid = gpd.GeoDataFrame(geometry=[box(X0 + 850, Y0 - 1000, X0 + 950, Y0 - 850)], crs="EPSG:27700")  # rows 8-9
    for pool in ("exhaustive", "grow"):
        r = locate_regions(ds, regions=3, min_area=2, max_area=2, min_spacing=150, keep=keep, avoid=avoid, pool=pool)
        assert len(r.regions) == 2  # the kept site is the third
        geoms = list(r.regions.geometry)
        assert min(g.distance(keep.geometry[0]) for g in geoms) >= 150
        assert geoms[0].distance(geoms[1]) >= 150
        assert not any(g.intersection(avoid.geometry[0]).area > 0 for g in geoms)
    # By hand (score = 10 col + row): the avoid box covers cols 8-9 of rows 8-9; cells closer than 150 m to the
    # kept cells are rows 0-4 of cols 7-9. Best: col 9 rows 5-6 (95.5), and 150 m from it only col 7 row 9 in
    # col 7 (rows 7-8 are 141 m or less away), paired with col 6 row 9: (79 + 69) / 2 = 74. Total 169.5 (col 9
    # rows 6-7 = 96.5 leaves nothing in col 7: 96.5 + 68.5 = 165).
    exact = locate_regions(ds, regions=3, min_area=2, max_area=2, min_spacing=150, keep=keep, avoid=avoid,
                           pool="exhaustive")  # fmt: skip
    assert exact.objective == 169.5
    assert exact.regions["mean_score"].tolist() == [95.5, 74.0]


def test_bad_input_messages(ramp, tmp_path):
    ds, tif = ramp
    out = tmp_path / "regions.gpkg"
    cases = [
        (
            ["--regions", 2, "--min-area", 300, "--max-area", 50],
            "error: --min-area 300 ha is above --max-area 50 ha; make the minimum at most the maximum",
        ),
        (
            ["--regions", 20, "--min-area", 10, "--max-area", 20],
            "error: --regions 20: the eligible land holds at most 9 region(s) of at least 10 ha (90 ha in 1 patch(es) "
            "of 10 ha or more); ask for at most 9 or lower --min-area",
        ),
        (
            ["--regions", 4, "--min-area", 20, "--max-area", 30, "--min-spacing", 900],
            "error: --regions 4: only 1 region(s) (20-30 ha each, at least 900 m apart) could be placed among the "
            "{pool} candidate region(s) found; ask for at most 1, relax --min-spacing, or grow more candidates with "
            "--seeds",
        ),
        (
            ["--regions", 2, "--min-area", 2, "--max-area", 3, "--min-spacing", 500, "--max-spacing", 100],
            "error: --max-spacing 100 m is below --min-spacing 500 m; no regions can be both; raise the maximum or "
            "lower the minimum",
        ),
        (
            ["--regions", 2, "--min-area", 1.2, "--max-area", 1.8],
            "error: --min-area 1.2 to --max-area 1.8 ha holds no whole number of 100 m cells (1 ha each); "
            "widen the range",
        ),
    ]
    for args, message in cases:
        res = run("locate", tif, *args, "--out", out)
        assert res.exit_code == 2, res.output
        line = res.output.strip()
        if "{pool}" in message:
            pool = line.split("among the ")[1].split(" ")[0]
            message = message.format(pool=pool)
        assert line == message
        assert not out.exists()
    missing = run("locate", tmp_path / "nope.tif", "--regions", 2, "--min-area", 2, "--max-area", 3, "--out", out)
    assert missing.exit_code == 2
    assert missing.output.strip() == (
        f"error: surface '{tmp_path / 'nope.tif'}' does not exist; make it with `growthzones surface CONFIG "
        f"--out {tmp_path / 'nope.tif'}`"
    )
    empty = write_surface_tif(make_surface(np.full((4, 4), 50.0), np.zeros((4, 4))), tmp_path / "empty.tif")
    res = run("locate", empty, "--regions", 2, "--min-area", 2, "--max-area", 3, "--out", out)
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: surface: no eligible cells among 16 (every cell fails a gate or has no score); relax the gates or "
        "check the surface's area"
    )
    assert not out.exists()
    # the same errors from Python, with their classes
    with pytest.raises(ConfigError, match=r"^--min-area 300 ha is above --max-area 50 ha"):
        locate_regions(ds, regions=2, min_area=300, max_area=50)
    with pytest.raises(LocateError, match=r"^--regions 20: the eligible land holds at most 9 region"):
        locate_regions(ds, regions=20, min_area=10, max_area=20)
    with pytest.raises(InputFileError, match="does not exist"):
        locate_regions(tmp_path / "nope.tif", regions=2, min_area=2, max_area=3)


def test_spacing_impossible_names_how_many_fit(ramp):
    ds, _ = ramp
    # By hand: 9 eligible columns x 10 rows. Two regions of >= 20 cells each need a 9-cell gap edge to edge
    # (900 m); a region of 20 cells spans at least 2 columns and 2 rows... in a 10 x 9 block the two would need
    # hypot(row gap, column gap) >= 9 with both regions inside: impossible, so exactly one fits.
    with pytest.raises(LocateError, match=r"^--regions 3: only 1 region\(s\) \(20-30 ha each, at least 900 m apart\)"):
        locate_regions(ds, regions=3, min_area=20, max_area=30, min_spacing=900)
    assert len(locate_regions(ds, regions=1, min_area=20, max_area=30, min_spacing=900).regions) == 1
    # 800 m: two fit (columns 1-2 and 9-... no: column 1-2 and 9 is only 6 cells apart); top-left and bottom-right
    # corner blocks 4 x 5 (rows 0-3, cols 1-5) and (rows 6-9, cols 5-9) are hypot(2, 0) apart -> also no. One fits.
    with pytest.raises(LocateError, match=r"only 1 region"):
        locate_regions(ds, regions=2, min_area=20, max_area=30, min_spacing=800)


def _demo_config_with_sites(sites_path: Path, tmp_path: Path) -> Path:
    demo = demo_config_path()
    raw = tomllib.loads(demo.read_text(encoding="utf-8"))
    for layer in raw["layers"].values():
        layer["path"] = str(demo.parent / layer["path"])
    raw["sites"] = {"path": str(sites_path), "layer": "regions", "id": "site_id", "name": "name"}
    # located regions carry no bid attributes (brownfield...): criteria reading the sites' own columns go
    drop = {c["name"] for c in raw["criteria"] if c["measure"] == "attribute"}
    raw["criteria"] = [c for c in raw["criteria"] if c["name"] not in drop]
    raw["gates"] = [g for g in raw.get("gates", []) if g["criterion"] not in drop]
    cfg = tmp_path / "regions.toml"
    cfg.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return cfg


def test_rank_takes_located_regions_as_sites(tmp_path):
    # a synthetic surface over a 10 km square of the demo area (Midlands), 200 m cells (4 ha)
    rng = np.random.default_rng(4)
    score = rng.uniform(20, 90, (50, 50))
    ds = make_surface(score, cell=200.0, x0=430_000.0, y0=310_000.0)
    tif = write_surface_tif(ds, tmp_path / "surface.tif")
    out = tmp_path / "regions.gpkg"
    res = run("locate", tif, "--regions", 3, "--min-area", 40, "--max-area", 120, "--min-spacing", 2000,
              "--out", out)  # fmt: skip
    assert res.exit_code == 0, res.output
    shortlist = tmp_path / "shortlist.gpkg"
    ranked = run("rank", _demo_config_with_sites(out, tmp_path), "--out", shortlist)
    assert ranked.exit_code == 0, ranked.output
    got = pyogrio.read_dataframe(shortlist, layer="ranked_sites")
    assert sorted(got["site_id"]) == ["R001", "R002", "R003"]
    assert got["rank"].notna().sum() + (~got["eligible"].astype(bool)).sum() == 3
    # and the Python route gives the same ranking
    a = gz.assess(_demo_config_with_sites(out, tmp_path))
    pd.testing.assert_index_equal(a.ranking.index, pd.Index(got["site_id"], name="site_id"), exact=False)
    assert shapely.equals(
        a.sites.geometry.sort_index().to_numpy(),
        pyogrio.read_dataframe(out).set_index("site_id").geometry.sort_index().to_numpy(),
    ).all()


def test_progress_reports_each_step(ramp):
    ds, _ = ramp
    calls = []
    locate_regions(ds, regions=2, min_area=3, max_area=5, progress=lambda d, n, label: calls.append((d, n, label)))
    assert calls[0] == (1, 4, "greedy growing")
    assert calls[-3:] == [(2, 4, "conflicts"), (3, 4, "choosing regions"), (4, 4, "done")]
    assert all(n == 4 for _, n, _ in calls)
    assert any(label.startswith("growing regions") for _, _, label in calls)


def test_surface_then_locate_then_rank_on_the_demo(tmp_path):
    """The three commands end to end on the bundled demo: surface -> locate -> rank."""
    # a 10 km square around a demo bid, so the surface stays small (500 m cells: 20 x 20)
    bids = gpd.read_file(demo_config_path().parent / "bids.gpkg", layer="bids")
    c = bids.geometry.iloc[0].centroid
    area = gpd.GeoDataFrame(geometry=[box(c.x - 5_000, c.y - 5_000, c.x + 5_000, c.y + 5_000)], crs="EPSG:27700")
    area.to_file(tmp_path / "area.gpkg")
    tif, out = tmp_path / "surface.tif", tmp_path / "regions.gpkg"
    made = run("surface", demo_config_path(), "--cell-size", 500, "--outline", tmp_path / "area.gpkg",
               "--drop", "site_area", "--out", tif)  # fmt: skip
    assert made.exit_code == 0, made.output
    res = run("locate", tif, "--regions", 2, "--min-area", 50, "--max-area", 150, "--min-spacing", 1000, "--out", out)
    assert res.exit_code == 0, res.output
    regions = pyogrio.read_dataframe(out)
    assert regions["site_id"].tolist() == ["R001", "R002"]
    assert (regions["area_ha"] >= 50).all() and (regions["area_ha"] <= 150).all()
    assert regions.geometry.iloc[0].distance(regions.geometry.iloc[1]) >= 1000
    # every gate's share is 1: regions hold eligible cells only
    assert (regions.filter(like="pass_") == 1.0).all().all() and len(regions.filter(like="pass_").columns) >= 1
    ranked = run("rank", _demo_config_with_sites(out, tmp_path), "--out", tmp_path / "shortlist.gpkg")
    assert ranked.exit_code == 0, ranked.output
    assert sorted(pyogrio.read_dataframe(tmp_path / "shortlist.gpkg", layer="ranked_sites")["site_id"]) == [
        "R001",
        "R002",
    ]
