"""Outputs are written safely: to a temporary file in the target folder, then renamed.

A failure half way through any writer (GeoPackage, CSV, GeoJSON, the HTML map of the CLI, and
``atomic_path`` itself) leaves the old file byte for byte and no temporary file; so does a
writer process killed outright (SIGKILL), except that it cannot remove its hidden temporary file.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import folium
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from growthzones.atomic import atomic_path, check_output_path
from growthzones.cli import main
from growthzones.errors import OutputError
from growthzones.export import write_csv, write_geojson, write_geopackage

OLD = b"the previous output, which must survive\n"
REPO = Path(__file__).resolve().parent.parent


class Boom(RuntimeError):  # noqa: N818 (a crash, not an error class of the library)
    pass


def _old(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(OLD)
    return target


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --------------------------------------------------------------------------------------------
# atomic_path itself


def test_writes_to_a_temporary_file_in_the_target_folder_then_renames(tmp_path, monkeypatch):
    target = _old(tmp_path, "shortlist.gpkg")
    renames = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renames.append((Path(a), Path(b))), real_replace(a, b))[1])
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.name != target.name
        assert tmp.name.startswith(".shortlist.gpkg.") and tmp.name.endswith(".tmp.gpkg")
        assert not tmp.exists()  # a fresh name: writers like pyogrio refuse an existing file
        tmp.write_bytes(b"new")
        assert target.read_bytes() == OLD  # untouched until the block succeeds
    assert renames == [(tmp, target)]
    assert target.read_bytes() == b"new" and _names(tmp_path) == ["shortlist.gpkg"]


@pytest.mark.parametrize("exc", [Boom("half way"), KeyboardInterrupt()], ids=["exception", "interrupt"])
def test_failure_inside_the_block_keeps_the_old_file(tmp_path, exc):
    target = _old(tmp_path, "a.csv")
    with pytest.raises(type(exc)), atomic_path(target) as tmp:
        tmp.write_bytes(b"half a fi")
        tmp.with_name(tmp.name + "-journal").write_bytes(b"sqlite journal")  # a writer's sidecar
        raise exc
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == ["a.csv"]


def test_disk_full_is_an_output_error_and_keeps_the_old_file(tmp_path):
    target = _old(tmp_path, "a.csv")
    full = r"^cannot write '.*a\.csv': No space left on device; choose another path$"
    with pytest.raises(OutputError, match=full), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert target.read_bytes() == OLD and _names(tmp_path) == ["a.csv"]


def test_failed_rename_keeps_the_old_file(tmp_path, monkeypatch):
    target = _old(tmp_path, "a.csv")

    def refuse(a, b):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "replace", refuse)
    denied = r"^cannot write '.*a\.csv': Permission denied; choose another path$"
    with pytest.raises(OutputError, match=denied), atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == OLD and _names(tmp_path) == ["a.csv"]


def test_nothing_written_is_an_error_and_keeps_the_old_file(tmp_path):
    target = _old(tmp_path, "a.csv")
    with pytest.raises(OutputError, match="nothing was written"), atomic_path(target):
        pass
    assert target.read_bytes() == OLD and _names(tmp_path) == ["a.csv"]


def test_no_overwrite_is_checked_again_at_the_rename(tmp_path):
    target = tmp_path / "a.csv"
    exists = r"already exists: remove it or pass --overwrite$"
    with pytest.raises(OutputError, match=exists), atomic_path(target, overwrite=False) as tmp:
        tmp.write_bytes(b"mine")
        target.write_bytes(b"someone else's, written meanwhile")
    assert target.read_bytes() == b"someone else's, written meanwhile"
    assert _names(tmp_path) == ["a.csv"]


def test_no_overwrite_writes_a_new_file(tmp_path):
    with atomic_path(tmp_path / "new.csv", overwrite=False) as tmp:
        tmp.write_bytes(b"x")
    assert (tmp_path / "new.csv").read_bytes() == b"x" and _names(tmp_path) == ["new.csv"]


def test_default_replaces_atomically_with_a_new_inode(tmp_path):
    target = _old(tmp_path, "a.csv")
    before = target.stat().st_ino
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_ino != before  # renamed into place, not rewritten in place


def test_unwritable_folders_are_found_before_any_work(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=r"^output folder '.*file' is a file, not a folder"):
        check_output_path(tmp_path / "file" / "out.gpkg")
    # /proc: nobody can create a regular file there, root included (chmod does not stop root).
    with pytest.raises(OutputError, match=r"^output folder '/proc' is not writable"):
        check_output_path("/proc/out.gpkg")
    assert _names(tmp_path) == ["file"]


# --------------------------------------------------------------------------------------------
# every writer, failing half way


@pytest.fixture
def halfway_pyogrio(monkeypatch):
    """pyogrio.write_dataframe that writes its first layer, then fails on the next call."""
    real = pyogrio.write_dataframe
    calls = []

    def write(df, path, *args, **kwargs):
        calls.append(Path(path))
        if len(calls) == 1:
            real(df, path, *args, **kwargs)
            assert Path(path).stat().st_size > 0
            if kwargs.get("driver") != "GPKG":  # a single-layer writer: fail after writing
                raise Boom("disk went away")
            return
        raise Boom("disk went away")

    monkeypatch.setattr(pyogrio, "write_dataframe", write)
    return calls


@pytest.mark.parametrize("writer", [write_geopackage, write_geojson], ids=["geopackage", "geojson"])
def test_vector_writers_failing_half_way(writer, tiny_assessment, tmp_path, halfway_pyogrio):
    target = _old(tmp_path, "shortlist.gpkg" if writer is write_geopackage else "shortlist.geojson")
    with pytest.raises(Boom):
        writer(tiny_assessment, target)
    assert halfway_pyogrio and all(p.parent == tmp_path and p != target for p in halfway_pyogrio)
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == [target.name]


def test_csv_writer_failing_half_way(tiny_assessment, tmp_path, monkeypatch):
    target = _old(tmp_path, "shortlist.csv")
    written = []

    def half(self, path, *args, **kwargs):
        written.append(Path(path))
        text = pd.DataFrame.to_string(self)
        Path(path).write_text(text[: len(text) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_csv", half)
    with pytest.raises(OutputError, match="No space left on device"):
        write_csv(tiny_assessment, target)
    assert written and written[0].parent == tmp_path and written[0] != target
    assert target.read_bytes() == OLD
    assert _names(tmp_path) == ["shortlist.csv"]


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (Boom("renderer crashed"), 1, r"^unexpected error: Boom: renderer crashed \(rerun with -v"),
        (OSError(errno.ENOSPC, "No space left on device"), 2,
         r"^error: cannot write '.*map\.html': No space left on device; choose another path$"),
    ],
    ids=["crash", "disk-full"],
)  # fmt: skip
def test_cli_map_failing_half_way(tiny_config_path, tmp_path, monkeypatch, error, code, line):
    out = tmp_path / "out"
    target = _old(out, "map.html")
    old_gpkg = _old(out, "shortlist.gpkg")

    def half(self, path, *args, **kwargs):
        Path(path).write_text("<html><head><script>var map = L.map(")
        raise error

    monkeypatch.setattr(folium.Map, "save", half)
    r = CliRunner().invoke(main, ["-q", "rank", str(tiny_config_path), "--map", str(target)])
    assert r.exit_code == code
    import re

    assert len(r.stderr.splitlines()) == 1 and re.search(line, r.stderr.strip()), r.stderr
    assert target.read_bytes() == OLD and old_gpkg.read_bytes() == OLD
    assert _names(out) == ["map.html", "shortlist.gpkg"]


def test_cli_writes_every_output_atomically(tiny_config_path, tmp_path, monkeypatch):
    out = tmp_path / "out"
    targets = [_old(out, n) for n in ("s.gpkg", "s.csv", "m.html")]
    renames = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renames.append((Path(a), Path(b))), real_replace(a, b))[1])
    args = ["-q", "rank", str(tiny_config_path), "--out", str(targets[0]), "--csv", str(targets[1])]
    r = CliRunner().invoke(main, [*args, "--map", str(targets[2])])
    assert r.exit_code == 0, r.stderr
    assert [b for _, b in renames] == targets
    assert all(a.parent == out and a.name.startswith(f".{b.name}.") for a, b in renames)
    assert all(t.read_bytes() != OLD for t in targets)
    assert _names(out) == ["m.html", "s.csv", "s.gpkg"]


# --------------------------------------------------------------------------------------------
# a writer process killed outright


def _run_child(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip


def test_killed_writer_leaves_the_old_file(tmp_path):
    target = _old(tmp_path, "shortlist.csv")
    proc = _run_child(f"""
        import os, signal
        from growthzones.atomic import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"site_id,rank\\n" * 1000)
                fh.flush()
                os.fsync(fh.fileno())
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert target.read_bytes() == OLD
    # SIGKILL gives no chance to clean up: the half-written file stays, hidden, beside the target.
    left = [n for n in _names(tmp_path) if n != "shortlist.csv"]
    assert len(left) == 1 and left[0].startswith(".shortlist.csv.") and left[0].endswith(".tmp.csv")
    # ...and does not stop the next run.
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"next run")
    assert target.read_bytes() == b"next run"


def test_killed_geopackage_writer_leaves_the_old_file(tmp_path):
    from tinyproject import write_tiny_project

    cfg = write_tiny_project(tmp_path / "tiny")
    out = tmp_path / "out"
    target = _old(out, "shortlist.gpkg")
    proc = _run_child(f"""
        import os, signal
        import pyogrio
        import growthzones as gz

        real = pyogrio.write_dataframe

        def write_then_die(df, path, *args, **kwargs):
            real(df, path, *args, **kwargs)  # the ranked_sites layer is on disk...
            os.kill(os.getpid(), signal.SIGKILL)  # ...and the process dies before the run table

        pyogrio.write_dataframe = write_then_die
        gz.assess({str(cfg)!r}).to_geopackage({str(target)!r})
    """)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert target.read_bytes() == OLD
    assert [n for n in _names(out) if not n.startswith(".shortlist.gpkg.")] == ["shortlist.gpkg"]


def test_demo_out_dir_that_cannot_be_created_exits_2(tmp_path):
    (tmp_path / "a file").write_text("x")
    r = CliRunner().invoke(main, ["-q", "demo", "--out-dir", str(tmp_path / "a file" / "out")])
    assert r.exit_code == 2
    assert r.stderr == (
        f"error: --out-dir: cannot create folder {str(tmp_path / 'a file' / 'out')!r} (Not a directory); "
        "choose another folder\n"
    )
    assert _names(tmp_path) == ["a file"]
