"""The surface: raster forms against brute force, chunked == in memory, surface vs rank, bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from shapely import LineString, Point, box

import growthzones as gz
from growthzones.cli import main
from growthzones.config import CriterionConfig
from growthzones.criteria import raster
from growthzones.criteria.measures import MEASURES, MeasureSpec, register_measure, unregister_measure
from growthzones.criteria.raster import Grid, distance_form, nearest_attribute_form, overlap_form, within_form
from growthzones.errors import CriterionError, MethodError, SurfaceError
from growthzones.surface import plan_surface, read_surface, surface, write_surface

DEMO = gz.datasets.demo_config_path()
CRS = "EPSG:27700"


def _cells_of(points: list[Point], g: Grid) -> np.ndarray:
    """Root (row, col) of the cell holding each point (none lies on a cell edge)."""
    return np.array([[math.floor((g.top - p.y) / g.cell), math.floor((p.x - g.left) / g.cell)] for p in points])


# ------------------------------------------------------------------------------------------ distance


@pytest.mark.parametrize("few_points", [0, 8], ids=["edt-and-kd-tree", "brute-force-few-points"])
def test_distance_equals_brute_force_nearest_cell_centre_including_features_outside_the_grid(few_points, monkeypatch):
    # Both routes: the EDT on the tile with the KD-tree beyond it, and (8 points) brute force.
    monkeypatch.setattr(raster, "_FEW_POINTS", few_points)
    rng = np.random.default_rng(3)
    g = Grid(CRS, 0.0, 3000.0, 100.0, 30, 40)
    # Points inside and well outside the grid (outside ones reached through the KD-tree).
    xs = np.concatenate([rng.uniform(5, 3995, 6), [-2550.5, 9050.5]])
    ys = np.concatenate([rng.uniform(5, 2995, 6), [1530.5, -4020.5]])
    pts = [Point(x, y) for x, y in zip(xs, ys, strict=True)]
    feats = gpd.GeoDataFrame({"mw": np.arange(1.0, 9.0)}, geometry=pts, crs=CRS)
    crit = CriterionConfig("d", "g", "distance")
    cells = _cells_of(pts, g)
    rr, cc = np.mgrid[0:30, 0:40]
    d2 = (rr[..., None] - cells[:, 0]) ** 2 + (cc[..., None] - cells[:, 1]) ** 2
    # Distances are float32 (cells, then scaled to km in float32).
    brute = np.sqrt(d2.min(axis=2).astype(np.float64)).astype(np.float32) * np.float32(g.cell / 1000.0)
    for halo in (0, 3, 50):
        got = distance_form(feats, crit, g, halo=halo)(g)
        assert np.array_equal(got, brute)
    # Any window of the grid gives the same values as the whole grid.
    block = distance_form(feats, crit, g, halo=2)
    for r, c, h, w in [(0, 0, 7, 9), (13, 21, 8, 19), (29, 39, 1, 1)]:
        assert np.array_equal(block(g.window(r, c, h, w)), brute[r : r + h, c : c + w])
    # nearest_attribute: the attribute of the nearest point (no ties in this layout).
    nearest = d2.argmin(axis=2)
    ties = np.sort(d2, axis=2)[..., 0] == np.sort(d2, axis=2)[..., 1]
    got = nearest_attribute_form(feats, CriterionConfig("h", "g", "nearest_attribute", attribute="mw"), g)(g)
    assert np.array_equal(got[~ties], (nearest + 1.0)[~ties])


def test_nearest_attribute_within_a_distance_equals_brute_force_and_any_window():
    """Polygons and points, max 350 m: a cell on a feature takes its own, others the nearest feature cell's."""
    from rasterio.features import rasterize

    rng = np.random.default_rng(21)
    g = Grid(CRS, 0.0, 4000.0, 100.0, 40, 60)
    polys = [
        box(x, y, x + w, y + h) for x, y, w, h in rng.uniform([-500, -500, 150, 150], [6000, 4000, 900, 900], (9, 4))
    ]
    pts = [Point(x, y) for x, y in rng.uniform([-300, -300], [6300, 4300], (12, 2))]
    geoms = polys + pts
    feats = gpd.GeoDataFrame({"mw": np.arange(1.0, len(geoms) + 1)}, geometry=geoms, crs=CRS)
    crit = CriterionConfig("h", "g", "nearest_attribute", attribute="mw", max_distance_km=0.35)
    # Oracle: each feature's cells on a grid wide enough for all of them (all_touched, as the surface burns).
    big = g.expand(20)
    cells = [np.argwhere(rasterize([(geom, 1)], out_shape=big.shape, transform=big.transform, all_touched=True) > 0)
             - 20 for geom in geoms]  # fmt: skip
    rr, cc = np.mgrid[0 : g.height, 0 : g.width]
    best = np.full(g.shape, np.inf)
    second = np.full(g.shape, np.inf)
    which = np.full(g.shape, -1)
    for k, fc in enumerate(cells):
        if not len(fc):
            continue
        d2 = ((rr[..., None] - fc[:, 0]) ** 2 + (cc[..., None] - fc[:, 1]) ** 2).min(axis=2)
        nearer = d2 < best
        second = np.where(nearer, best, np.minimum(second, d2))
        which = np.where(nearer, k, which)
        best = np.where(nearer, d2, best)
    expected = np.where(np.sqrt(best) * 100.0 <= 350.0, which + 1.0, np.nan)
    on_one = best == 0  # the first feature touching the cell wins
    for k in range(len(cells) - 1, -1, -1):
        hit = np.zeros(g.shape, dtype=bool)
        inside = (
            (cells[k][:, 0] >= 0) & (cells[k][:, 0] < g.height) & (cells[k][:, 1] >= 0) & (cells[k][:, 1] < g.width)
        )
        hit[cells[k][inside, 0], cells[k][inside, 1]] = True
        expected[hit] = k + 1.0
    clear = on_one | (second > best)  # no tie between two features for the nearest cell
    block = nearest_attribute_form(feats, crit, g)
    got = block(g)
    assert np.array_equal(got[clear], expected[clear], equal_nan=True)
    assert clear.mean() > 0.9 and np.isfinite(got).mean() > 0.3 and np.isnan(got).any()
    for r, c, h, w in [(0, 0, 11, 13), (17, 29, 9, 31), (39, 59, 1, 1)]:
        assert np.array_equal(block(g.window(r, c, h, w)), got[r : r + h, c : c + w], equal_nan=True)


def test_layer_edge_cells_do_not_depend_on_the_strips(monkeypatch):
    from scipy.ndimage import binary_erosion

    g = Grid(CRS, 0.0, 3000.0, 100.0, 30, 40)
    polys = gpd.GeoDataFrame(geometry=[box(250, 250, 2750, 2150), box(1800, 900, 3650, 2800)], crs=CRS)
    feats = raster._Features.of(polys)
    whole = raster._burn(feats, g, np.arange(1, 3, dtype=np.int32))
    mask = whole > 0
    edge = mask & ~binary_erosion(mask)
    expected = np.argwhere(edge).astype(float)
    for strip in (40 * 3, 40 * 7, 1 << 25):  # 3 rows, 7 rows, one strip
        monkeypatch.setattr(raster, "_STRIP_CELLS", strip)
        pts, which = raster._layer_cells(feats, g)
        assert np.array_equal(pts, expected), strip
        assert np.array_equal(which, whole[edge] - 1)


def test_distance_of_a_feature_just_across_a_chunk_border():
    g = Grid(CRS, 0.0, 1000.0, 100.0, 10, 16)
    feats = gpd.GeoDataFrame(geometry=[Point(850.0, 450.0)], crs=CRS)  # column 8, row 5: first cell of chunk 2
    block = distance_form(feats, CriterionConfig("d", "g", "distance"), g, halo=0)
    left = block(g.window(0, 0, 10, 8))
    whole = block(g)
    assert np.array_equal(left, whole[:, :8])
    assert left[5, 7] == np.float32(0.1) and left[5, 0] == np.float32(8) * np.float32(0.1)


def test_line_features_touch_every_cell_they_cross():
    g = Grid(CRS, 0.0, 500.0, 100.0, 5, 5)
    feats = gpd.GeoDataFrame(geometry=[LineString([(0, 250), (500, 250)])], crs=CRS)
    got = distance_form(feats, CriterionConfig("d", "g", "distance"), g)(g)
    assert got[2].tolist() == [0.0] * 5
    assert got[0].tolist() == [np.float32(2) * np.float32(0.1)] * 5


# ------------------------------------------------------------------------------------------ disc sums


def test_disc_sum_and_count_equal_brute_force():
    rng = np.random.default_rng(7)
    g = Grid(CRS, 0.0, 4000.0, 100.0, 40, 50)
    xs = np.concatenate([rng.uniform(-800, 5800, 25), [2550.0, 2550.0]])  # two in one cell: they add up
    ys = np.concatenate([rng.uniform(-800, 4800, 25), [2050.0, 2050.0]])
    mw = np.concatenate([rng.integers(1, 500, 25).astype(float), [10.5, 20.25]])
    pts = [Point(x, y) for x, y in zip(xs, ys, strict=True)]
    feats = gpd.GeoDataFrame({"mw": mw}, geometry=pts, crs=CRS)
    radius_km = 0.75
    cells = _cells_of(pts, g)
    rr, cc = np.mgrid[0:40, 0:50]
    inside = ((rr[..., None] - cells[:, 0]) ** 2 + (cc[..., None] - cells[:, 1]) ** 2) * 100.0**2 <= 750.0**2
    sums = within_form(feats, CriterionConfig("s", "g", "sum_within", attribute="mw", radius_km=radius_km), g)
    counts = within_form(feats, CriterionConfig("c", "g", "count_within", radius_km=radius_km), g, how="count")
    assert np.array_equal(sums(g), (inside * mw).sum(axis=2))
    assert np.array_equal(counts(g), inside.sum(axis=2).astype(float))
    assert np.array_equal(sums(g.window(11, 17, 9, 13)), (inside * mw).sum(axis=2)[11:20, 17:30])
    # A feature diagonally beyond the window's corner, within the radius's square but not its disc.
    corner = gpd.GeoDataFrame({"mw": [3.0]}, geometry=[Point(750.0, 750.0)], crs=CRS)  # cell (32, 7)
    far = within_form(corner, CriterionConfig("s", "g", "sum_within", attribute="mw", radius_km=radius_km), g)
    got = far(g.window(39, 0, 1, 1))
    assert got.dtype == np.float64 and got.tolist() == [[0.0]]


def test_overlap_is_the_exact_covered_share():
    g = Grid(CRS, 0.0, 400.0, 100.0, 4, 4)
    polys = gpd.GeoDataFrame(geometry=[box(50, 50, 250, 150), box(150, 50, 300, 150)], crs=CRS)  # overlapping
    got = overlap_form(polys, CriterionConfig("o", "g", "overlap"), g)(g)
    # Union: x 50..300, y 50..150 -> row 2 (y 100..200) and row 3 (y 0..100), each half covered in y.
    expected = np.zeros((4, 4))
    expected[2:4, 0] = 0.25
    expected[2:4, 1:3] = 0.5
    assert np.array_equal(got, expected)


# ------------------------------------------------------------------------------------------ chunked == in memory


def test_chunked_dask_surface_equals_the_in_memory_surface():
    import dask

    plan = plan_surface(DEMO, 4000, drop=["site_area"], halo=4)
    mem = surface(plan)
    with dask.config.set(scheduler="synchronous"):
        lazy = surface(plan, dask=True, chunks=32)
        assert lazy["score"].chunks is not None
        chunked = lazy.compute()
    for name in mem.data_vars:
        assert np.array_equal(mem[name].values, chunked[name].values, equal_nan=True), name
        assert mem[name].dtype == chunked[name].dtype
    assert int((mem["eligible"] == 1).sum()) > 0 and int((mem["eligible"] == 0).sum()) > 0


# ------------------------------------------------------------------------------------------ surface vs rank


def _square_sites(tmp_path: Path, cell: float) -> tuple[Path, gpd.GeoDataFrame]:
    rng = np.random.default_rng(11)
    # One-cell squares on the grid's cells in the middle of the demo's England.
    cols = rng.integers(0, 300, 120)
    rows = rng.integers(0, 300, 120)
    x0, y0 = 380_000.0, 280_000.0
    geoms = [
        box(x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell)
        for r, c in zip(rows, cols, strict=True)
    ]
    sites = gpd.GeoDataFrame(
        {"bid_id": [f"S{i:03d}" for i in range(len(geoms))], "name": [f"square {i}" for i in range(len(geoms))],
         "brownfield": rng.integers(0, 2, len(geoms)).astype(float)},
        geometry=geoms, crs=CRS,
    )  # fmt: skip
    sites = sites.drop_duplicates(subset="geometry").reset_index(drop=True)
    path = tmp_path / "squares.gpkg"
    sites.to_file(path, layer="squares")
    return path, sites


def test_surface_score_at_small_squares_agrees_with_rank(tmp_path):
    """A one-cell square's surface score is its rank score within the stated tolerance.

    The only differences: distances are between cell centres on the surface (from the cell's
    centre to the centre of the feature's cell) but from the square's edge to the feature
    itself for sites: they differ by at most one cell diagonal (100 m x sqrt 2). With WLC and
    linear value functions the score then differs by at most
    100 x sum over distance criteria of weight x diagonal / (high - low). Squares where a
    discrete step could flip (a feature within a diagonal of a sum's radius, a tie for the
    nearest substation, a gate threshold within a diagonal) are left out of the comparison.
    """
    cell = 100.0
    path, squares = _square_sites(tmp_path, cell)
    text = DEMO.read_text()
    text = text.replace('path = "bids.gpkg"', f'path = "{path}"').replace('layer = "bids"', 'layer = "squares"')
    cfg_path = DEMO.parent / "_never_written.toml"
    cfg = gz.config.parse_config(text, base_dir=DEMO.parent, source=cfg_path)
    cfg = gz.surface.build.drop_criteria(cfg, ["site_area"])
    a = gz.assess(cfg)
    outline = gpd.GeoDataFrame(geometry=[box(*squares.total_bounds)], crs=CRS)
    ds = surface(cfg, cell, outline=outline)
    diag_km = cell * math.sqrt(2) / 1000.0
    w = a.weights.criteria
    tol = 100 * sum(w[c.name] * diag_km / (c.value.params["high"] - c.value.params["low"])
                    for c in cfg.criteria if c.measure == "distance" and c.name in w.index)  # fmt: skip
    tol += 1e-3  # float32 output
    assert round(tol, 3) == 0.173  # the stated tolerance, in score points, for the demo's weights

    layers = gz.criteria.load_layers(cfg)
    subs = gz.layers.apply_where(layers.vectors["substations"], "voltage_kv >= 275")
    all_subs = layers.vectors["substations"]
    keep = []
    for sid, geom in zip(a.sites.index, a.sites.geometry, strict=True):
        d = np.sort(shapely.distance(geom, subs.geometry.values)) / 1000.0
        near_tie = d[1] - d[0] < 2 * diag_km
        at_gate = abs(d[0] - 25.0) < 2 * diag_km
        dc = shapely.distance(geom.centroid, all_subs.geometry.values) / 1000.0
        at_radius = bool(np.any(np.abs(dc - 25.0) < 2 * diag_km))
        if not (near_tie or at_gate or at_radius):
            keep.append(sid)
    assert len(keep) >= 60
    xs = a.sites.loc[keep].geometry.centroid.x.to_numpy()
    ys = a.sites.loc[keep].geometry.centroid.y.to_numpy()
    at = ds.sel(x=xr_points(xs), y=xr_points(ys), method="nearest")
    surf_score = at["score"].values.astype(float)
    rank_score = a.scores.loc[keep, "score"].to_numpy()
    surf_elig = at["eligible"].values == 1
    rank_elig = a.gates.loc[keep, "eligible"].to_numpy()
    assert np.array_equal(surf_elig, rank_elig)
    both = rank_elig
    assert both.sum() >= 30
    worst = np.max(np.abs(surf_score[both] - rank_score[both]))
    assert worst <= tol, (worst, tol)
    print(f"surface vs rank: worst difference {worst:.4f} score points, tolerance {tol:.4f}, {both.sum()} squares")
    # The group scores agree the same way (every group's own distance criteria bound them).
    assert np.max(np.abs(at["group_water"].values[both] - a.scores.loc[keep, "water_score"].to_numpy()[both])) < 1e-3


def xr_points(v):
    import xarray as xr

    return xr.DataArray(v, dims="points")


# ------------------------------------------------------------------------------------------ files, CLI, bad input


def test_cog_round_trip_and_cli(tmp_path):
    out = tmp_path / "s.tif"
    png = tmp_path / "s.png"
    res = CliRunner().invoke(main, ["surface", str(DEMO), "--cell-size", "5000", "--drop", "site_area", "--out",
                                    str(out), "--quicklook", str(png)])  # fmt: skip
    assert res.exit_code == 0, res.output
    import rasterio

    with rasterio.open(out) as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.descriptions[:3] == ("score", "eligible", "gate_code")
        assert src.crs.to_epsg() == 27700
    back = read_surface(out)
    mem = surface(DEMO, 5000, drop=["site_area"])
    for name in mem.data_vars:
        assert np.array_equal(back[name].values, mem[name].values, equal_nan=True), name
        assert back[name].dtype == mem[name].dtype
    assert back.attrs["cell_size"] == 5000.0
    assert json.loads(back.attrs["gate_names"])[0] == "nearest 275 kV+ substation"
    assert back.rio.transform() == mem.rio.transform()
    assert png.read_bytes()[:4] == b"\x89PNG"


def _run(args):
    return CliRunner().invoke(main, args)


def test_memory_refusal_names_the_estimate_and_the_fix(tmp_path):
    out = tmp_path / "s.tif"
    res = _run(["surface", str(DEMO), "--cell-size", "1000", "--drop", "site_area", "--out", str(out),
                "--max-memory", "0.01"])  # fmt: skip
    assert res.exit_code == 2
    plan = plan_surface(DEMO, 1000, drop=["site_area"])
    need = gz.surface.estimate_memory(plan)
    g = plan.grid
    assert res.output.strip() == (
        f"error: a surface of {g.height:,} x {g.width:,} cells at 1000 m needs about {need / 1e9:.1f} GB in memory, "
        f"more than the 0.0 GB allowed here: run it on Dask (--dask; peak memory is then set by --chunks) or use a "
        f"larger cell size (about --cell-size {math.ceil(1000 * math.sqrt(need / 1e7) / 5) * 5:g} fits)"
    )
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_scheduler_that_does_not_answer(tmp_path):
    out = tmp_path / "s.tif"
    res = _run(["surface", str(DEMO), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9", "--timeout", "1"])
    assert res.exit_code == 2
    assert res.output.strip().startswith("error: the Dask scheduler at 'tcp://127.0.0.1:9' does not answer (")
    assert res.output.strip().endswith(
        "start it (`dask scheduler`) and its workers, check the address (tcp://host:8786), or leave --scheduler "
        "out to run on a local cluster"
    )
    assert list(tmp_path.iterdir()) == []


def test_empty_and_missing_outline(tmp_path):
    empty = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 1)])], crs=CRS).to_file(empty)
    out = tmp_path / "s.tif"
    res = _run(["surface", str(DEMO), "--drop", "site_area", "--out", str(out), "--outline", str(empty)])
    assert res.exit_code == 2
    assert res.output.strip() == (
        f"error: outline {str(empty)!r} is empty: it has no polygon with an area (1 feature(s)); give an outline "
        "layer holding the area's polygons, or leave the outline out to use the sites' extent"
    )
    missing = tmp_path / "nope.gpkg"
    res = _run(["surface", str(DEMO), "--drop", "site_area", "--out", str(out), "--outline", str(missing)])
    assert res.exit_code == 2
    assert "nope.gpkg" in res.output and res.output.startswith("error: outline")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.gpkg"]


def test_measure_without_raster_form_is_named(tmp_path):
    out = tmp_path / "s.tif"
    res = _run(["surface", str(DEMO), "--out", str(out)])
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: criterion 'site_area' (measure 'area') has no raster form, so no surface can be made with it; "
        "leave it out of the surface (--drop site_area) or give its measure a raster form (MeasureSpec.raster)"
    )
    assert not out.exists()
    assert MEASURES["area"].raster is None


def test_toy_measure_without_raster_form(tmp_path):
    register_measure(MeasureSpec("toy_perimeter", lambda s, _, c: s.length / 1000, "sites", unit="km"))
    try:
        text = DEMO.read_text() + (
            '\n[[criteria]]\nname = "perimeter"\ngroup = "land"\nmeasure = "toy_perimeter"\nweight = 0.1\n'
            'value = { function = "linear", low = 0, high = 10 }\n'
        )
        cfg = gz.config.parse_config(text, base_dir=DEMO.parent)
        with pytest.raises(CriterionError, match=r"criterion 'perimeter' \(measure 'toy_perimeter'\) has no raster"):
            plan_surface(cfg, 5000, drop=["site_area"])
    finally:
        unregister_measure("toy_perimeter")


def test_relative_method_is_refused_by_name():
    cfg = gz.load_config(DEMO).with_method("topsis")
    with pytest.raises(MethodError) as e:
        plan_surface(cfg, 5000, drop=["site_area"])
    assert str(e.value) == (
        "method 'topsis' cannot make a surface: it scores each alternative against all the others (relative), "
        "not cell by cell; a surface takes wlc, wpm, owa, weakest_link (e.g. --method wlc), and 'topsis' can rank "
        "the regions located on it"
    )


def test_other_cellwise_method_matches_mcda_per_cell():
    cfg = gz.load_config(DEMO).with_method("weakest_link")
    ds = surface(cfg, 10000, drop=["site_area"])
    assert ds.attrs["method"] == "weakest_link"
    s = ds["score"].values
    assert np.nanmin(s) >= 0 and np.nanmax(s) <= 100 and np.isfinite(s).sum() > 100


def test_write_failure_leaves_no_file(tmp_path):
    ds = surface(DEMO, 10000, drop=["site_area"])
    with pytest.raises(gz.errors.OutputError):
        write_surface(ds, tmp_path / "no_such_folder" / "s.tif")
    with pytest.raises(SurfaceError, match="cell size"):
        surface(DEMO, -5, drop=["site_area"])


def test_lazy_surface_written_on_a_distributed_client_equals_in_memory(tmp_path):
    import dask
    from distributed import Client

    plan = plan_surface(DEMO, 8000, drop=["site_area"], halo=4)
    mem = surface(plan)
    n_chunks = math.ceil(plan.grid.height / 32) * math.ceil(plan.grid.width / 32)
    for name, scheduler in (("distributed", None), ("synchronous", "synchronous")):
        calls: list[tuple[int, int, str]] = []
        record = calls.append
        if scheduler is None:
            with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None):
                out = write_surface(surface(plan, dask=True, chunks=32), tmp_path / f"{name}.tif",
                                    progress=lambda d, t, label, record=record: record((d, t, label)))  # fmt: skip
        else:
            with dask.config.set(scheduler=scheduler):
                out = write_surface(surface(plan, dask=True, chunks=32), tmp_path / f"{name}.tif",
                                    progress=lambda d, t, label, record=record: record((d, t, label)))  # fmt: skip
        back = read_surface(out)
        for var in mem.data_vars:
            assert np.array_equal(back[var].values, mem[var].values, equal_nan=True), (name, var)
        # Progress: every chunk counted once as it is written, then the COG layout.
        chunk_calls = [d for d, t, label in calls if label == "chunks"]
        assert chunk_calls == list(range(n_chunks + 1)), name
        assert calls[-2:] == [(n_chunks, n_chunks + 1, "COG layout"), (n_chunks + 1, n_chunks + 1, "done")]


# ------------------------------------------------------------------------------------------ robustness on the surface


def test_top_probability_against_surfaces_at_each_sampled_weight_vector():
    """Brute force: one surface per sampled weight vector, its top 10% of eligible cells, counted per cell.

    The brute-force surfaces are float32, the sampler works in float64: a cell whose score
    sits on a 0.01-point bin edge may fall on either side, so a few cells may differ by 1/S
    (none does here, but the test allows 1%).
    """
    from growthzones.robustness import sample_weights
    from growthzones.surface import top_probability

    plan = plan_surface(DEMO, 20_000, drop=["site_area"])
    samples, seed = 6, 3
    p = top_probability(plan, top_percent=10, samples=samples, seed=seed).values
    w = sample_weights(plan.weights, samples, seed=seed)
    cfg = gz.surface.drop_criteria(gz.load_config(DEMO), ["site_area"])
    group_of = plan.weights.group_of
    count = np.zeros(plan.grid.shape)
    for _, row in w.iterrows():
        groups = {g: float(row[group_of.index[group_of == g]].sum()) for g in plan.weights.groups.index}
        within = {c: float(row[c]) / groups[group_of[c]] for c in row.index}
        ds = surface(cfg.with_weights(groups=groups, criteria=within), 20_000)
        elig = ds["eligible"].values == 1
        bins = np.floor(ds["score"].values.astype(np.float64) * 100 + 1e-9)
        n_top = math.ceil(elig.sum() * 0.10)
        threshold = np.sort(bins[elig])[::-1][n_top - 1]
        count += elig & (bins >= threshold)
    brute = np.where(np.isnan(p), np.nan, count / samples)
    inside = ~np.isnan(p)
    assert np.array_equal(np.isnan(p), ds["score"].isnull().values)
    diff = np.abs(p[inside] - brute[inside])  # p is float32: k / samples to 1e-7
    assert diff.max() <= 1 / samples + 1e-7
    assert (diff < 1e-6).mean() >= 0.99
    assert 0 < np.nanmean(p) < 0.10


def test_top_probability_chunked_equals_in_memory_with_input_uncertainty():
    import dask

    from growthzones.surface import top_probability

    text = DEMO.read_text().replace('name = "grid_distance"', 'name = "grid_distance"\nuncertainty = 0.3', 1)
    cfg = gz.config.parse_config(text, base_dir=DEMO.parent)
    plan = plan_surface(cfg, 20_000, drop=["site_area"], halo=4)
    assert plan.uncertainty == {"grid_distance": 0.3}
    p = top_probability(plan, top_percent=20, samples=20, seed=5).values
    with dask.config.set(scheduler="synchronous"):
        q = top_probability(plan, top_percent=20, samples=20, seed=5, dask=True, chunks=16).compute().values
    assert np.array_equal(p, q, equal_nan=True)
    # The 25 km gate on the uncertain distance: cells near it are eligible in some samples only.
    assert ((p > 0) & (p < 1)).any()


def test_top_probability_takes_attribute_bounds_from_the_site_columns(tmp_path):
    """Bounds from two site columns on an attribute: each cell varies between its site's bounds.

    On the cells of the demo's sites (500 m), with both bounds equal to the flipped brownfield
    flag, every draw is that flag: the result equals a config whose brownfield column is
    flipped, without bounds (both runs keep a zero relative range on another criterion so that
    they share one code path).
    """
    from growthzones.sites import load_sites
    from growthzones.surface import top_probability

    sites, _ = load_sites(gz.load_config(DEMO).sites)
    flipped = 1.0 - sites["brownfield"].astype(float)
    bids = (
        sites.reset_index()
        .rename(columns={"site_id": "bid_id"})
        .assign(bf_lo=flipped.to_numpy(), bf_hi=flipped.to_numpy())
    )
    bids.to_file(tmp_path / "bids.gpkg", layer="bids")
    bids.assign(brownfield=flipped.to_numpy()).to_file(tmp_path / "flipped.gpkg", layer="bids")
    base = DEMO.read_text().replace('name = "grid_distance"', 'name = "grid_distance"\nuncertainty = 0.0', 1)
    with_bounds = base.replace('path = "bids.gpkg"', f'path = "{tmp_path / "bids.gpkg"}"').replace(
        'attribute = "brownfield"', 'attribute = "brownfield"\nuncertainty = ["bf_lo", "bf_hi"]'
    )
    flipped_cfg = base.replace('path = "bids.gpkg"', f'path = "{tmp_path / "flipped.gpkg"}"')
    plan = plan_surface(
        gz.config.parse_config(with_bounds, base_dir=DEMO.parent), 250, drop=["site_area"], outline="sites"
    )
    assert isinstance(plan.uncertainty["brownfield"], tuple) and plan.notes == []
    ref = plan_surface(
        gz.config.parse_config(flipped_cfg, base_dir=DEMO.parent), 250, drop=["site_area"], outline="sites"
    )
    p = top_probability(plan, top_percent=20, samples=15, seed=2).values
    q = top_probability(ref, top_percent=20, samples=15, seed=2).values
    assert np.array_equal(p, q, equal_nan=True)
    plain = gz.config.parse_config(base, base_dir=DEMO.parent)
    unflipped = top_probability(
        plan_surface(plain, 500, drop=["site_area"], outline="sites"), top_percent=20, samples=15, seed=2
    )
    # The sites' cells (500 m) take their site's bounds: flipping the flag moves them.
    assert np.isfinite(p).sum() > 900 and not np.array_equal(p, unflipped.values, equal_nan=True)
    # Bounds from site columns on a distance criterion cannot reach a cell: said, and left out.
    on_distance = DEMO.read_text().replace(
        'name = "grid_distance"', 'name = "grid_distance"\nuncertainty = ["grid_lo", "grid_hi"]', 1
    )
    plan = plan_surface(gz.config.parse_config(on_distance, base_dir=DEMO.parent), 20_000, drop=["site_area"])
    assert plan.uncertainty == {}
    assert plan.notes == [
        "criterion 'grid_distance': its uncertainty bounds come from the site columns 'grid_lo' and 'grid_hi', "
        "which a cell does not have, so the top probability leaves its input uncertainty out (declare a relative "
        "range, e.g. uncertainty = 0.2, to vary it on the surface)"
    ]


def test_cli_adds_the_top_probability_band(tmp_path):
    from growthzones.surface import top_probability

    out = tmp_path / "p.tif"
    res = _run(["surface", str(DEMO), "--cell-size", "20000", "--drop", "site_area", "--out", str(out),
                "--top-percent", "10", "--samples", "12", "--seed", "4"])  # fmt: skip
    assert res.exit_code == 0, res.output
    back = read_surface(out)
    expected = top_probability(plan_surface(DEMO, 20_000, drop=["site_area"]), top_percent=10, samples=12, seed=4)
    assert np.array_equal(back["p_top"].values, expected.values, equal_nan=True)
    assert back.attrs["p_top"] == "top 10% of eligible cells, 12 weight samples, seed 4"
    bad = _run(["surface", str(DEMO), "--cell-size", "20000", "--drop", "site_area", "--out", str(tmp_path / "q.tif"),
                "--top-percent", "0"])  # fmt: skip
    assert bad.exit_code == 2
    assert bad.output.strip() == (
        "error: --top-percent 0.0 must be above 0 and at most 100, e.g. 10 for the top 10% of cells"
    )
    assert not (tmp_path / "q.tif").exists()


def test_unknown_and_proxy_missing_policies_on_the_surface():
    """Cells without a value take the sites' median value ("unknown") or the proxy's value ("proxy")."""
    base = gz.surface.drop_criteria(gz.load_config(DEMO), ["site_area"])
    only = {c.name: (1.0 if c.name == "grid_headroom" else 0.0) for c in base.criteria if c.value is not None}
    text = DEMO.read_text().replace('attribute = "headroom_mw"\nmax_distance_km = 25', 'attribute = "headroom_mw"\n'
                                    'max_distance_km = 25\nmissing = "unknown"', 1)  # fmt: skip
    text = text.replace('missing = "worst"\nvalue = { function = "linear", low = 0, high = 1000 }',
                        'value = { function = "linear", low = 0, high = 1000 }', 1)  # fmt: skip
    cfg = gz.surface.drop_criteria(gz.config.parse_config(text, base_dir=DEMO.parent), ["site_area"])
    assert cfg.criterion("grid_headroom").missing == "unknown"
    cfg = cfg.with_weights(criteria=only)
    a = gz.assess(cfg)
    has = a.criteria["grid_headroom"].notna()
    fill = float(np.median(a.values.loc[has, "grid_headroom"]))
    ds = surface(cfg, 20_000)
    raw_nan = surface(cfg.with_gates(()), 20_000)  # same cells, no gates
    score = ds["score"].values
    # Cells more than 25 km from a 275 kV+ substation have no headroom: they score the median.
    far = np.isclose(score, 100 * fill, atol=1e-4)
    assert far.sum() > 10 and np.isfinite(raw_nan["score"].values).sum() > far.sum()
    proxy_text = text.replace('missing = "unknown"', 'missing = "proxy"\nproxy = "line_400kv_distance"', 1)
    pcfg = gz.surface.drop_criteria(gz.config.parse_config(proxy_text, base_dir=DEMO.parent), ["site_area"])

    def alone(*names):
        return pcfg.with_weights(criteria={k: (1.0 if k in names else 0.0) for k in only})

    dist = surface(alone("grid_distance"), 20_000)["score"].values
    missing = far & (dist == 0)  # more than 25 km from a 275 kV+ substation: no headroom
    assert missing.sum() > 10
    p = surface(alone("grid_headroom", "line_400kv_distance"), 20_000)["score"].values
    line = surface(alone("line_400kv_distance"), 20_000)["score"].values
    # Where headroom is missing its value is the 400 kV line's: the score is the line's alone.
    assert np.allclose(p[missing], line[missing], atol=1e-4)
    assert not np.allclose(p[missing], 0.5 * line[missing], atol=1e-4)
