"""``growthzones data gb`` and ``growthzones candidates``: wiring, errors and a tiny stack.

The tiny stack (EPSG:27700, metres)::

    England  box(0, 0, 100 km, 100 km): districts E1 (x 0-50 km) and E2 (x 50-100 km),
             one region (North East, water stress 0 "not serious")
    Northern Ireland  box(-200 km, 0, -100 km, 100 km): district N1, region N (not assessed)
    national park  box(60 km, 60 km, 100 km, 100 km)
    substations  Alpha 400 kV at (25 km, 60 km); Beta 132 kV at (75 km, 20 km)
    boundaries  B4 at y = 80 km (drawn for x 10-90 km), B6 at y = 40 km (x 10-90 km)
    former stations  Gamma (coal, 2,000 MW, closed) at (40 km, 30 km); Delta (gas, operating) at (80 km, 10 km)

Worked by hand: a 20 km grid of 1 km squares has centres at 10, 30, 50, 70, 90 km: 25 squares,
all wholly on land, of which 4 ((70|90, 70|90) km) touch the park: 21 kept. Only Alpha is 275 kV+;
its north square (centre (25, 61) km) is clear: 1 kept. The E1/E2 districts are the LAD
candidates (N1 is outside Great Britain). Alpha's square lies between B6 (south of it) and B4.
The grid squares go to grid_candidates; site_candidates holds Alpha's square and one on Gamma
(centred on it: wholly on land); Delta is operating, so it gives none.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from click.testing import CliRunner
from shapely import LineString, Point, box

from growthzones.candidates import boundaries_south, largest_overlap
from growthzones.cli import main
from growthzones.cli.data import exchange_cities

KM = 1000.0


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_line_error(r) -> str:
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def tiny_stack(tmp_path: Path) -> Path:
    """The tiny GB-like layer stack of the module docstring."""
    p = tmp_path / "stack.gpkg"
    eng = box(0, 0, 100 * KM, 100 * KM)
    ni = box(-200 * KM, 0, -100 * KM, 100 * KM)

    def write(name: str, data: dict, geoms: list) -> None:
        gpd.GeoDataFrame(data, geometry=geoms, crs=27700).to_file(p, layer=name, engine="pyogrio")

    write("countries", {"areacd": ["E92000001", "N92000002"], "areanm": ["England", "Northern Ireland"],
                        "country": ["England", "Northern Ireland"]}, [eng, ni])  # fmt: skip
    write("lad", {"areacd": ["E1", "E2", "N1"], "areanm": ["West", "East", "Ulster"],
                  "country": ["England", "England", "Northern Ireland"]},
          [box(0, 0, 50 * KM, 100 * KM), box(50 * KM, 0, 100 * KM, 100 * KM), ni])  # fmt: skip
    write("regions", {"areacd": ["E12000001", "N92000002"], "areanm": ["North East", "Northern Ireland"],
                      "country": ["England", "Northern Ireland"]}, [eng, ni])  # fmt: skip
    write("water_stress", {"region_code": ["E12000001", "N92000002"], "water_stress_score": [0.0, np.nan],
                           "water_classification": ["not serious", "not assessed"]}, [eng, ni])  # fmt: skip
    write("national_parks", {"name": ["Fell"]}, [box(60 * KM, 60 * KM, 100 * KM, 100 * KM)])
    write("hv_substations", {"vertex_id": [1, 2], "name": ["Alpha", None], "max_voltage_kv": [400.0, 132.0]},
          [Point(25 * KM, 60 * KM), Point(75 * KM, 20 * KM)])  # fmt: skip
    b4 = LineString([(10 * KM, 80 * KM), (90 * KM, 80 * KM)])
    b6 = LineString([(10 * KM, 40 * KM), (90 * KM, 40 * KM)])
    write("etys_boundaries", {"boundary": ["B4", "B6"]}, [b4, b6])
    write("former_stations", {"name": ["Gamma", "Delta"], "fuel": ["coal", "gas"],
                              "former_capacity_mw": [2000.0, 800.0], "status": ["closed", "operating"],
                              "closure_year": [None, None]},
          [Point(40 * KM, 30 * KM), Point(80 * KM, 10 * KM)])  # fmt: skip
    return p


# ------------------------------------------------------------------------------------ data gb


def test_data_gb_without_source_exits_2_with_one_line():
    line = one_line_error(run("data", "gb", "--out", "x.gpkg"))
    assert line == "error: --source: give the GB open-data folder, e.g. --source ../shared/gb-open-data"


def test_data_gb_missing_source_folder_exits_2(tmp_path):
    line = one_line_error(run("data", "gb", "--source", str(tmp_path / "nope"), "--out", str(tmp_path / "gb.gpkg")))
    assert "does not exist or is not a folder" in line and "nope" in line
    assert not (tmp_path / "gb.gpkg").exists()


def test_data_gb_incomplete_source_lists_missing_files(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    line = one_line_error(run("data", "gb", "--source", str(src), "--out", str(tmp_path / "gb.gpkg")))
    assert "is incomplete; missing" in line and "boundaries/ons_uk_topo.json" in line
    assert list(tmp_path.glob("*.gpkg*")) == [] and list(tmp_path.glob(".gb.gpkg*")) == []


def test_data_gb_refuses_non_gpkg_and_existing_output(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    assert "not a GeoPackage" in one_line_error(
        run("data", "gb", "--source", str(src), "--out", str(tmp_path / "a.shp"))
    )
    out = tmp_path / "gb.gpkg"
    out.write_bytes(b"keep me")
    line = one_line_error(run("data", "gb", "--source", str(src), "--out", str(out), "--no-overwrite"))
    assert "already exists" in line and out.read_bytes() == b"keep me"


def test_commands_are_registered():
    r = run("--help")
    assert r.exit_code == 0
    assert "candidates" in r.stdout and "data" in r.stdout
    assert "gb" in run("data", "--help").stdout


def test_exchange_cities_table():
    pts = exchange_cities()
    assert pts.crs.to_epsg() == 27700
    assert pts["city"].is_unique and len(pts) >= 9
    assert set(pts["role"]) == {"internet exchange", "major city"}
    london = pts.loc[pts["city"] == "London"].geometry.item()
    assert abs(london.x - 538_600) < 3_000 and abs(london.y - 181_000) < 3_000  # Docklands, BNG


# -------------------------------------------------------------------------------- candidates


def test_candidates_on_tiny_stack(tiny_stack, tmp_path):
    out = tmp_path / "cands.gpkg"
    r = run("candidates", "--layers", str(tiny_stack), "--out", str(out), "--boundaries", "B4,B6")
    assert r.exit_code == 0, r.output
    assert "lad_candidates: 2 candidate(s)" in r.stdout and "site_candidates: 2 candidate(s)" in r.stdout
    assert "grid_candidates: 21 candidate(s)" in r.stdout
    assert "left out 1 district(s) outside Great Britain (Northern Ireland 1)" in r.stderr
    assert "dropped 4 square(s) overlapping national_parks" in r.stderr
    layers = sorted(name for name, _ in pyogrio.list_layers(out))
    assert layers == ["grid_candidates", "lad_candidates", "site_candidates"]

    lad = gpd.read_file(out, layer="lad_candidates").set_index("site_id")
    assert lad.index.tolist() == ["E1", "E2"]
    assert lad["region_name"].tolist() == ["North East"] * 2
    assert lad["water_stress_score"].tolist() == [0.0, 0.0] and lad["water_assessed"].all()
    assert lad.loc["E1", "area_ha"] == 500_000.0

    sites = gpd.read_file(out, layer="site_candidates").set_index("site_id")
    grid = gpd.read_file(out, layer="grid_candidates").set_index("site_id")
    assert (grid["kind"] == "grid").sum() == len(grid) == 21
    former = sites.loc[sites["kind"] == "former station"]
    assert former.index.tolist() == ["F00400-00300"]
    assert former.iloc[0]["name"] == "Former Gamma (coal, 2,000 MW, closed), West"
    assert former.iloc[0]["station"] == "Gamma" and former.iloc[0].geometry.centroid.coords[0] == (40 * KM, 30 * KM)
    beside = sites.loc[sites["kind"] == "beside point"]
    assert beside.index.tolist() == ["P00250-00610"]
    row = beside.iloc[0]
    assert row["name"] == "Beside Alpha (400 kV) (N), West"
    assert (row["boundaries_south"], row["boundaries_south_of"]) == (1, "B6")
    assert row["lad_code"] == "E1" and row["country"] == "England"
    park = box(60 * KM, 60 * KM, 100 * KM, 100 * KM)
    assert not sites.intersects(park).any() and not grid.intersects(park).any()
    # grid rows above B4 (centres at 90 km) have both boundaries south of them
    assert grid.loc["G0010-0090", "boundaries_south"] == 2
    assert grid.loc["G0010-0010", "boundaries_south"] == 0


def test_candidates_lad_only_and_substations_only(tiny_stack, tmp_path):
    out = tmp_path / "lad.gpkg"
    r = run("-q", "candidates", "--layers", str(tiny_stack), "--out", str(out), "--lad", "--boundaries", "B4")
    assert r.exit_code == 0, r.output
    assert [n for n, _ in pyogrio.list_layers(out)] == ["lad_candidates"]
    out2 = tmp_path / "subs.gpkg"
    r = run("-q", "candidates", "--layers", str(tiny_stack), "--out", str(out2), "--substations", "--min-kv", "132",
            "--boundaries", "B6")  # fmt: skip
    assert r.exit_code == 0, r.output
    sites = gpd.read_file(out2, layer="site_candidates")
    assert sorted(sites["name"]) == ["Beside 132 kV substation #2 (N), East", "Beside Alpha (400 kV) (N), West"]


def test_candidates_with_located_regions(tiny_stack, tmp_path):
    regions = tmp_path / "regions.gpkg"
    gpd.GeoDataFrame({"site_id": ["R001"], "name": ["Located region R001"]},
                     geometry=[box(10 * KM, 10 * KM, 11 * KM, 12 * KM)], crs=27700).to_file(regions)  # fmt: skip
    out = tmp_path / "c.gpkg"
    r = run("-q", "candidates", "--layers", str(tiny_stack), "--out", str(out), "--regions", str(regions),
            "--boundaries", "B6")  # fmt: skip
    assert r.exit_code == 0, r.output
    sites = gpd.read_file(out, layer="site_candidates").set_index("site_id")
    assert sites.loc["R001", "kind"] == "located region" and sites.loc["R001", "area_ha"] == 200.0
    assert sites.loc["R001", "country"] == "England" and sites.loc["R001", "name"] == "Located region R001, West"
    assert set(sites["kind"]) == {"beside point", "former station", "located region"}
    gpd.GeoDataFrame({"x": [1]}, geometry=[box(0, 0, 1, 1)], crs=27700).to_file(tmp_path / "bad.gpkg")
    line = one_line_error(run("candidates", "--layers", str(tiny_stack), "--out", str(out), "--regions",
                              str(tmp_path / "bad.gpkg")))  # fmt: skip
    assert "has no site_id column" in line


def test_candidates_errors_exit_2(tiny_stack, tmp_path):
    out = tmp_path / "c.gpkg"
    assert "not found" in one_line_error(run("candidates", "--layers", str(tmp_path / "no.gpkg"), "--out", str(out)))
    line = one_line_error(run("candidates", "--layers", str(tiny_stack), "--out", str(out), "--boundaries", "B4,B99"))
    assert line.startswith("error: --boundaries: no boundary B99 in etys_boundaries; known: B4, B6")
    line = one_line_error(run("candidates", "--layers", str(tiny_stack), "--out", str(out), "--exclude", "sssi"))
    assert "has no layer(s) sssi" in line and "growthzones data gb" in line
    line = one_line_error(run("candidates", "--layers", str(tiny_stack), "--out", str(out), "--lad",
                              "--boundaries", "B4", "--water-unassessed", "2"))  # fmt: skip
    assert "outside 0..1" in line
    assert not out.exists()


def test_water_unassessed_is_neutral(tiny_stack, tmp_path):
    """A district in a region without an EA assessment gets the --water-unassessed score."""
    from growthzones.candidates import add_context, read_stack

    stack = read_stack(tiny_stack, ["regions", "etys_boundaries", "water_stress"])
    ni = gpd.GeoDataFrame({"site_id": ["x"]}, geometry=[box(-150 * KM, 10 * KM, -140 * KM, 20 * KM)], crs=27700)
    out = add_context(ni, stack, boundaries=["B6"], water_unassessed=0.25)
    assert out["water_stress_score"].item() == 0.25
    assert not out["water_assessed"].item() and out["water_classification"].item() == "not assessed"


def test_boundaries_south_ray_parity_on_a_wiggly_line():
    # A border that doubles back: a point in the fold is south of it despite a higher northing
    line = LineString([(0, 0), (100, 0), (100, 50), (50, 50), (50, 100), (200, 100)])
    lines = gpd.GeoDataFrame({"boundary": ["W"]}, geometry=[line], crs=27700)
    pts = gpd.GeoSeries([Point(75, 25), Point(75, 75), Point(25, 75), Point(300, 150), Point(-50, -10)])
    n, _ = boundaries_south(pts, lines, ["W"])
    assert n.tolist() == [1, 0, 1, 1, 0]


def test_closed_boundary_is_refused():
    from growthzones.errors import ConfigError

    ring = gpd.GeoDataFrame({"boundary": ["B14"]}, geometry=[LineString([(0, 0), (1, 0), (1, 1), (0, 0)])], crs=27700)
    with pytest.raises(ConfigError, match="closed loop"):
        boundaries_south(gpd.GeoSeries([Point(0.5, 5)]), ring, ["B14"])


def test_largest_overlap_ties_go_to_first_polygon():
    polys = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
    assert largest_overlap(np.array([box(5, 0, 15, 10), Point(15, 5)], dtype=object), polys).tolist() == [0, 1]
