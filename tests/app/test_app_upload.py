"""Uploads: formats read, unsafe archives refused, temporary files removed, no server paths leaked."""

from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import box

import growthzones as gz
from growthzones import upload
from growthzones.errors import GrowthzonesError, UploadError
from tests.conftest import write_tiny_project


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> gz.Assessment:
    return gz.assess(write_tiny_project(tmp_path_factory.mktemp("tinyup")))


def _bids(crs: int = 27700) -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame(
        {"ref": ["N1", "N2"], "title": ["New one", "New two"]},
        geometry=[box(100600, 100000, 101100, 100500), box(112000, 100000, 112500, 100500)],
        crs=27700,
    )
    return g.to_crs(crs)


def _shapefile_zip(tmp_path: Path, *, drop: str | None = None) -> bytes:
    folder = tmp_path / "shp"
    folder.mkdir()
    _bids().to_file(folder / "bids.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in folder.iterdir():
            if drop is None or p.suffix != drop:
                zf.write(p, f"export/{p.name}")
        zf.writestr("__MACOSX/._bids.shp", b"junk")
        zf.writestr("readme.txt", b"not extracted")
    return buf.getvalue()


def _tmp_uploads() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("gz-upload-*")}


def test_geojson_read_and_scored(tiny: gz.Assessment) -> None:
    data = _bids(4326).to_json().encode()
    up = upload.read_upload("my bids.geojson", data, crs="EPSG:27700")
    assert up.gdf.crs.to_epsg() == 27700
    assert {"ref", "title"} <= set(up.columns)
    scored, _ = upload.score_upload(tiny, up.gdf, id_column="ref", name_column="title", source=up.name)
    assert list(scored.sites.index) == ["N1", "N2"]
    # N1 sits 100 m east of S1: same substation, so the same grid distance within metres.
    assert scored.criteria.at["N1", "headroom"] == 1000.0
    assert scored.n_eligible == 2


def test_combined_ranking_and_id_clash(tiny: gz.Assessment) -> None:
    up = upload.read_upload("b.geojson", _bids(4326).to_json().encode())
    scored, _ = upload.score_upload(tiny, up.gdf, id_column="ref", name_column="title", combine=True)
    assert len(scored.sites) == 6
    assert set(scored.sites.loc[["N1", "N2"], "source"]) == {"uploaded"}
    clash = _bids(4326).assign(ref=["S1", "N9"])
    with pytest.raises(UploadError, match="already used"):
        upload.score_upload(tiny, clash, id_column="ref", name_column="title", combine=True)


def test_zipped_shapefile(tmp_path: Path) -> None:
    before = _tmp_uploads()
    up = upload.read_upload("bids.zip", _shapefile_zip(tmp_path))
    assert len(up.gdf) == 2 and "ref" in up.columns
    assert _tmp_uploads() == before  # the temporary folder is gone


def test_zipped_shapefile_missing_part(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match=r"lacks its \.dbf"):
        upload.read_upload("bids.zip", _shapefile_zip(tmp_path, drop=".dbf"))


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, payload in entries:
            zf.writestr(info, payload)
    return buf.getvalue()


def test_zip_path_tricks_refused() -> None:
    with pytest.raises(UploadError, match=r"outside the archive"):
        upload.read_upload("x.zip", _zip([("a/../../etc/passwd.shp", b"x")]))
    with pytest.raises(UploadError, match="absolute path"):
        upload.read_upload("x.zip", _zip([("/etc/evil.shp", b"x")]))
    with pytest.raises(UploadError, match="absolute path"):
        upload.read_upload("x.zip", _zip([("C:/evil.shp", b"x")]))


def test_zip_symlink_refused() -> None:
    info = zipfile.ZipInfo("link.shp")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(UploadError, match="symbolic link"):
        upload.read_upload("x.zip", _zip([(info, b"/etc/passwd")]))


def test_zip_bomb_refused() -> None:
    bomb = _zip([("bids.shp", b"\0" * (20 * 1024 * 1024))])
    assert len(bomb) < 100_000
    with pytest.raises(UploadError, match="zip bomb"):
        upload.read_upload("bomb.zip", bomb)


def test_zip_without_layers_and_with_several() -> None:
    with pytest.raises(UploadError, match="no Shapefile"):
        upload.read_upload("x.zip", _zip([("notes.txt", b"hello")]))
    with pytest.raises(UploadError, match="several layers"):
        upload.read_upload("x.zip", _zip([("a.geojson", b"{}"), ("b.geojson", b"{}")]))


def test_size_type_and_empty_limits() -> None:
    with pytest.raises(UploadError, match="limited to 1 MB"):
        upload.read_upload("big.geojson", b"x" * 1_100_000, max_bytes=1_000_000)
    with pytest.raises(UploadError, match="unsupported file type"):
        upload.read_upload("bids.csv", b"a,b\n1,2")
    with pytest.raises(UploadError, match="empty"):
        upload.read_upload("bids.gpkg", b"")


def test_unreadable_file_message_has_no_server_path() -> None:
    before = _tmp_uploads()
    with pytest.raises(UploadError) as err:
        upload.read_upload("../../secret/bids.gpkg", b"definitely not sqlite")
    msg = str(err.value)
    assert "bids.gpkg" in msg
    assert tempfile.gettempdir() not in msg and "gz-upload" not in msg and "secret" not in msg
    assert _tmp_uploads() == before


def test_no_crs_and_points_are_clear_errors(tmp_path: Path, tiny: gz.Assessment) -> None:
    folder = tmp_path / "nocrs"
    folder.mkdir()
    g = _bids()
    g.to_file(folder / "bids.shp")
    (folder / "bids.prj").unlink()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in folder.iterdir():
            zf.write(p, p.name)
    with pytest.raises(GrowthzonesError, match="no CRS") as err:
        upload.read_upload("nocrs.zip", buf.getvalue())
    assert str(folder) not in str(err.value) and tempfile.gettempdir() not in str(err.value)
    pts = gpd.GeoDataFrame({"ref": ["P"], "title": ["pt"]}, geometry=_bids().centroid.iloc[:1].values, crs=27700)
    up = upload.read_upload("pts.geojson", pts.to_crs(4326).to_json().encode())
    with pytest.raises(GrowthzonesError, match="must be polygons"):
        upload.score_upload(tiny, up.gdf, id_column="ref", name_column="title")


def test_staged_upload_cleans_up_on_error() -> None:
    seen: list[Path] = []
    with pytest.raises(RuntimeError), upload.staged_upload("a.geojson", b"{}") as path:
        seen.append(path)
        raise RuntimeError("boom")
    assert seen and not seen[0].parent.exists()
