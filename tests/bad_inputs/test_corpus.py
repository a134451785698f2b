"""Every case of the bad-input corpus (``cases.py``), through the API and the command line.

For a failing case: the API raises exactly the case's error class with a one-line message
matching the case's patterns; ``growthzones rank`` exits 2 and prints exactly that message on
one line of stderr, with no traceback; and the output folder holds exactly what it held before
(no partial or temporary file, the old outputs byte for byte). For a case that works: the notes
say what was repaired or reprojected, the command exits 0, replaces the old outputs and leaves
no temporary file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from cases import CASES, IDS, Case
from click.testing import CliRunner

import growthzones as gz
from growthzones.cli import main
from growthzones.errors import GrowthzonesError

OLD = {
    "shortlist.csv": b"site_id,rank\nOLD,1\n",
    "shortlist.gpkg": b"an old shortlist that a failed run must leave byte for byte\n",
}
GROWTHZONES = Path(sys.executable).parent / "growthzones"


def _out_dir(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    for name, data in OLD.items():
        (out / name).write_bytes(data)
    return out


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _api(case: Case, cfg: Path, out: Path):
    return case.api(cfg, out) if case.api else gz.assess(cfg)


def _cli_args(case: Case, cfg: Path, out: Path) -> list[str]:
    if callable(case.cli):
        return case.cli(cfg, out)
    return ["rank", str(cfg), "--out", str(out / "shortlist.gpkg"), "--csv", str(out / "shortlist.csv")]


def _api_error(case: Case, cfg: Path, out: Path) -> str:
    with pytest.raises(GrowthzonesError) as info:
        _api(case, cfg, out)
    assert type(info.value) is case.error, f"{type(info.value).__name__}: {info.value}"
    msg = str(info.value)
    assert "\n" not in msg and msg == msg.strip()
    for pattern in case.message:
        assert re.search(pattern, msg), f"{pattern!r} not in {msg!r}"
    return msg


def test_corpus_is_large_and_covers_the_issue():
    assert len(CASES) >= 30
    failing = [c for c in CASES if c.error is not None]
    working = [c for c in CASES if c.error is None]
    assert len(failing) >= 25 and len(working) >= 10
    required = {
        "sites_zero_byte", "sites_truncated_gpkg", "sites_geojson_not_json", "sites_wrong_extension_txt",
        "raster_wrong_extension", "sites_file_missing", "sites_layer_missing", "sites_no_crs", "sites_geographic_crs",
        "layer_other_crs", "sites_mixed_geometry", "sites_self_intersecting", "sites_empty_and_null",
        "sites_100k_vertices", "duplicate_site_ids", "missing_attribute_column", "non_numeric_attribute",
        "nan_attribute", "raster_all_nodata", "raster_no_crs", "raster_other_crs", "raster_not_overlapping",
        "raster_not_overlapping_worst", "raster_not_overlapping_exclude", "toml_syntax_error", "unknown_key",
        "misspelt_key", "wrong_type_text_for_number", "negative_group_weight", "negative_criterion_weight",
        "all_zero_weights", "unknown_method", "ahp_not_reciprocal", "unicode_and_spaces", "output_folder_unwritable",
        "output_path_is_folder", "output_exists_no_overwrite", "output_exists_replaced",
    }  # fmt: skip
    assert required <= set(IDS), required - set(IDS)
    for c in failing:
        assert c.message, f"{c.id}: a failing case needs expected message patterns"
    for c in CASES:
        assert c.about


@pytest.mark.parametrize("case", [c for c in CASES if c.error is not None], ids=lambda c: c.id)
def test_failing_case(case: Case, tmp_path: Path):
    cfg = case.build(tmp_path / "project")
    out = _out_dir(tmp_path)
    msg = _api_error(case, cfg, out)
    assert _listing(out) == OLD, "the API left a partial file or damaged an old one"
    if case.cli is None:
        return
    r = CliRunner().invoke(main, _cli_args(case, cfg, out))
    assert r.exit_code == 2, (r.exit_code, r.stderr, r.exception)
    assert "Traceback" not in r.output and "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    if case.cli_message:
        for pattern in case.cli_message:
            assert re.search(pattern, lines[0]), f"{pattern!r} not in {lines[0]!r}"
    else:
        assert lines[0] == f"error: {msg}"
    assert _listing(out) == OLD, "the command left a partial file or damaged an old one"


@pytest.mark.parametrize("case", [c for c in CASES if c.error is None], ids=lambda c: c.id)
def test_working_case(case: Case, tmp_path: Path):
    cfg = case.build(tmp_path / "project")
    out = _out_dir(tmp_path)
    a = _api(case, cfg, out)
    assert isinstance(a, gz.Assessment)
    for pattern in case.notes:
        assert any(re.search(pattern, n) for n in a.notes), f"{pattern!r} not in notes {a.notes}"
    if case.check:
        case.check(a)

    r = CliRunner().invoke(main, _cli_args(case, cfg, out))
    assert r.exit_code == 0, (r.stderr, r.exception)
    notes = [line.removeprefix("note: ") for line in r.stderr.splitlines() if line.startswith("note: ")]
    assert notes == list(a.notes)
    assert "Traceback" not in r.stderr
    # The old outputs were replaced (atomically: no temporary file is left beside them).
    assert sorted(p.name for p in out.iterdir()) == sorted(OLD)
    info = pyogrio.read_info(out / "shortlist.gpkg", layer="ranked_sites")
    assert info["features"] == len(a.sites)
    table = pd.read_csv(out / "shortlist.csv", dtype={"site_id": str})
    assert sorted(table["site_id"]) == sorted(a.sites.index)


# --------------------------------------------------------------------------------------------
# a few cases through a real process: what a planner sees in a terminal (well, a pipe)


def _by_id(name: str) -> Case:
    return next(c for c in CASES if c.id == name)


@pytest.mark.parametrize(
    "name", ["sites_truncated_gpkg", "toml_syntax_error", "raster_not_overlapping", "output_folder_unwritable"]
)
def test_failing_case_in_a_subprocess(name: str, tmp_path: Path):
    case = _by_id(name)
    cfg = case.build(tmp_path / "project")
    out = _out_dir(tmp_path)
    msg = _api_error(case, cfg, out)
    proc = subprocess.run(
        [str(GROWTHZONES), *_cli_args(case, cfg, out)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"error: {msg}\n"
    assert proc.stdout == ""
    assert _listing(out) == OLD


def test_working_case_in_a_subprocess(tmp_path: Path):
    case = _by_id("sites_geographic_crs")
    cfg = case.build(tmp_path / "project")
    out = _out_dir(tmp_path)
    proc = subprocess.run(
        [str(GROWTHZONES), *_cli_args(case, cfg, out)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    # No progress bar on a pipe: stderr holds the notes only.
    assert all(line.startswith("note: ") for line in proc.stderr.splitlines()), proc.stderr
    assert "note: sites: reprojected from EPSG:4326 (geographic) to EPSG:27700" in proc.stderr.splitlines()
    assert proc.stdout.splitlines()[0] == "Tiny test project: 4 sites, 3 eligible, method wlc"
    assert sorted(p.name for p in out.iterdir()) == sorted(OLD)


# --------------------------------------------------------------------------------------------
# exit codes: 0 success, 2 bad input, 1 unexpected error


def test_exit_code_1_for_an_unexpected_error(tiny_config_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(gz, "assess", broken)
    out = _out_dir(tmp_path)
    r = CliRunner().invoke(main, ["rank", str(tiny_config_path), "--out", str(out / "shortlist.gpkg")])
    assert r.exit_code == 1
    assert r.stderr == (
        "unexpected error: RuntimeError: something nobody foresaw (rerun with -v for the traceback, "
        "and please report it)\n"
    )
    assert "Traceback" not in r.output
    assert _listing(out) == OLD


def test_exit_code_0_and_2(tiny_config_path: Path):
    assert CliRunner().invoke(main, ["-q", "rank", str(tiny_config_path)]).exit_code == 0
    r = CliRunner().invoke(main, ["-q", "rank", str(tiny_config_path), "--weights", "grid=-1"])
    assert r.exit_code == 2
    assert r.stderr == "error: weights.grid: -1.0 is not a non-negative number; weights must be >= 0\n"
