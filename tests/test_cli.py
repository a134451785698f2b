"""The command line: exit codes, one-line errors, outputs."""

from __future__ import annotations

import pyogrio
from click.testing import CliRunner

from growthzones.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_rank_writes_outputs_and_prints_top(tiny_config_path, tmp_path):
    out, csv, html = tmp_path / "s.gpkg", tmp_path / "s.csv", tmp_path / "m.html"
    r = run("-q", "rank", str(tiny_config_path), "--out", str(out), "--csv", str(csv), "--map", str(html))
    assert r.exit_code == 0, r.output
    assert pyogrio.read_info(out, layer="ranked_sites")["features"] == 4
    assert csv.stat().st_size > 0 and "leaflet" in html.read_text().lower()


def test_rank_prints_table(tiny_config_path):
    r = run("rank", str(tiny_config_path), "--top", "2")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "Tiny test project: 4 sites, 3 eligible, method wlc"
    assert lines[2].split()[:3] == ["1", "S1", "Site"] and lines[2].split()[-3:] == ["90.0", "92.5", "87.5"]
    assert len(lines) == 4


def test_weights_option(tiny_config_path):
    r = run("rank", str(tiny_config_path), "--weights", "grid=1,water=0,grid_distance=0", "--top", "1")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[2].split()[-3:] == ["100.0", "100.0", "87.5"]


def test_bad_input_exits_2_with_one_line(tiny_config_path):
    r = run("rank", str(tiny_config_path), "--weights", "gird=1")
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: --weights: 'gird' is neither a group nor a criterion; did you mean 'grid'?"
    assert "Traceback" not in r.output


def test_missing_config_exits_2():
    r = run("rank", "does-not-exist.toml")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: config file 'does-not-exist.toml' not found")


def test_output_path_is_folder_exits_2_before_work(tiny_config_path, tmp_path):
    r = run("rank", str(tiny_config_path), "--out", str(tmp_path))
    assert r.exit_code == 2
    assert "is a folder" in r.stderr


def test_validate_reports_layers(tiny_config_path):
    r = run("validate", str(tiny_config_path))
    assert r.exit_code == 0, r.output
    assert "OK  sites (vector)" in r.stdout
    assert "4 features" in r.stdout
    assert "no problems found" in r.stdout


def test_validate_collects_every_problem(tiny_config_path):
    (tiny_config_path.parent / "water.tif").unlink()
    (tiny_config_path.parent / "layers.gpkg").unlink()
    r = run("validate", str(tiny_config_path))
    assert r.exit_code == 2
    assert "2 problem(s) found" in r.stdout


def test_compare_command(tiny_config_path, tmp_path):
    r = run("-q", "compare", str(tiny_config_path), "--methods", "wlc,topsis", "--csv", str(tmp_path / "c.csv"))
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Kendall tau between methods (3 eligible sites):")
    assert (tmp_path / "c.csv").exists()


def test_compare_unknown_method_exits_2(tiny_config_path):
    r = run("compare", str(tiny_config_path), "--methods", "wlc,topsys")
    assert r.exit_code == 2
    assert "did you mean 'topsis'" in r.stderr


def test_method_params_option(tiny_config_path):
    r = run("rank", str(tiny_config_path), "--method", "owa", "--params", "orness=0.5", "--top", "1")
    assert r.exit_code == 0, r.output
    # OWA with orness 0.5 (equal order weights) is the weighted mean: the WLC score of S1
    assert r.stdout.splitlines()[2].split()[-3] == "90.0"


def test_method_needing_params_fails_before_reading_layers(tiny_config_path):
    (tiny_config_path.parent / "water.tif").unlink()  # would fail later, when layers are read
    r = run("rank", str(tiny_config_path), "--method", "owa")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: --params: owa: give exactly one of order_weights=")
    assert "(e.g. --params orness=0.7)" in r.stderr
