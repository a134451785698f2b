"""Uploaded candidate sites (GeoPackage, GeoJSON or zipped Shapefile): checked, read, scored.

An upload is untrusted. :func:`staged_upload` writes it to a private temporary folder that is
removed on exit, even on error; zip archives are unpacked entry by entry, refusing absolute
paths, ``..``, symlinks, encrypted entries, unexpected file types, too many files and
suspicious compression ratios (zip bombs), and counting the bytes actually written rather
than trusting the sizes the archive declares. Every problem is an
:class:`~growthzones.errors.UploadError` (or another
:class:`~growthzones.errors.GrowthzonesError`) whose message names the uploaded file, never
a path on the server.

Examples
--------
>>> import growthzones as gz
>>> a = gz.assess(gz.datasets.demo_config_path())          # doctest: +SKIP
>>> up = read_upload("bids.geojson", data, crs=a.config.project.crs)   # doctest: +SKIP
>>> b = score_upload(a, up.gdf, id_column="id", name_column="name")    # doctest: +SKIP
"""

from __future__ import annotations

import logging
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from growthzones.errors import GrowthzonesError, UploadError

if TYPE_CHECKING:
    from growthzones.assessment import Assessment

__all__ = [
    "MAX_BYTES",
    "MAX_RATIO",
    "MAX_UNPACKED_BYTES",
    "UploadedSites",
    "read_upload",
    "score_upload",
    "staged_upload",
]

log = logging.getLogger(__name__)

#: Largest upload accepted (bytes).
MAX_BYTES = 50 * 1024 * 1024
#: Largest total size of a zip's contents once unpacked (bytes).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: Largest uncompressed/compressed ratio of any zip entry; real shapefiles stay well below.
MAX_RATIO = 100.0
#: Most entries a zip may hold.
MAX_ENTRIES = 64
#: Upload types read directly.
DIRECT_SUFFIXES = (".gpkg", ".geojson", ".json")
#: Files unpacked from a zip; anything else in it is skipped.
ZIP_SUFFIXES = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".gpkg", ".geojson", ".json")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class UploadedSites:
    """An uploaded layer as read: features in the working CRS, and what was done to them.

    Attributes
    ----------
    gdf
        The features with every attribute column (choose the id and name columns from these).
    name
        The uploaded file's name (as the user named it; used in messages).
    layers
        The layer names of the file (several for a multi-layer GeoPackage).
    layer
        The layer read.
    notes
        What was repaired, reprojected or skipped, in words.
    """

    gdf: gpd.GeoDataFrame
    name: str
    layers: tuple[str, ...] = ()
    layer: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def columns(self) -> list[str]:
        """Attribute columns (candidates for the id and name)."""
        return [c for c in self.gdf.columns if c != self.gdf.geometry.name]


def _safe_name(name: str) -> str:
    """The uploaded name reduced to a plain file name (for messages and the staged file)."""
    base = re.split(r"[\\/]", str(name or "upload"))[-1].strip() or "upload"
    return re.sub(r"[^A-Za-z0-9._ ()-]", "_", base)[:120]


def _suffix(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


@contextmanager
def staged_upload(name: str, data: bytes, *, max_bytes: int = MAX_BYTES) -> Iterator[Path]:
    """Write an upload to a private temporary folder and yield the file to read.

    A ``.zip`` is unpacked safely (see the module docstring) and the one vector file in it is
    yielded. The folder is removed when the ``with`` block ends, whatever happens inside.

    Raises
    ------
    UploadError
        Too large, empty, an unsupported type, or an unsafe or unusable zip.

    Examples
    --------
    >>> with staged_upload("sites.geojson", b'{"type": "FeatureCollection", "features": []}') as path:
    ...     path.suffix, path.exists()
    ('.geojson', True)
    >>> path.exists()
    False
    """
    display = _safe_name(name)
    size = len(data)
    if size == 0:
        msg = f"{display!r} is empty (0 bytes); upload the file again"
        raise UploadError(msg)
    if size > max_bytes:
        msg = f"{display!r} is {size / 1e6:.1f} MB; uploads are limited to {max_bytes / 1e6:.0f} MB"
        raise UploadError(msg)
    suffix = _suffix(display)
    if suffix not in (*DIRECT_SUFFIXES, ".zip"):
        msg = (
            f"{display!r}: unsupported file type {suffix or '(none)'!r}; upload a GeoPackage (.gpkg), "
            "GeoJSON (.geojson) or a zipped Shapefile (.zip holding .shp, .shx, .dbf and .prj)"
        )
        raise UploadError(msg)
    tmp = Path(tempfile.mkdtemp(prefix="gz-upload-"))
    try:
        if suffix == ".zip":
            yield _unpack_zip(display, data, tmp)
        else:
            target = tmp / f"upload{suffix}"
            target.write_bytes(data)
            yield target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _unsafe_member(info: zipfile.ZipInfo) -> str | None:
    """Why a zip entry must not be unpacked, or None if it may."""
    name = info.filename
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return f"entry {name!r} has an absolute path"
    if any(part == ".." for part in re.split(r"[\\/]", name)):
        return f"entry {name!r} points outside the archive ('..')"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return f"entry {name!r} is a symbolic link"
    if info.flag_bits & 0x1:
        return f"entry {name!r} is encrypted"
    return None


def _unpack_zip(display: str, data: bytes, folder: Path) -> Path:
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"{display!r} is not a valid zip archive; zip the Shapefile's files (.shp, .shx, .dbf, .prj) again"
        raise UploadError(msg) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            msg = f"{display!r} holds {len(infos)} entries; a zipped Shapefile needs only a few (at most {MAX_ENTRIES})"
            raise UploadError(msg)
        for info in infos:
            why = _unsafe_member(info)
            if why:
                msg = f"{display!r} was refused: {why}"
                raise UploadError(msg)
        wanted = [
            i
            for i in infos
            if not i.is_dir()
            and _suffix(i.filename) in ZIP_SUFFIXES
            and not i.filename.startswith("__MACOSX/")
            and not PurePosixPath(i.filename).name.startswith("._")
        ]
        declared = sum(i.file_size for i in wanted)
        if declared > MAX_UNPACKED_BYTES:
            msg = f"{display!r} would unpack to {declared / 1e6:.0f} MB; the limit is {MAX_UNPACKED_BYTES / 1e6:.0f} MB"
            raise UploadError(msg)
        for i in wanted:
            if i.file_size > 1024 * 1024 and i.file_size / max(i.compress_size, 1) > MAX_RATIO:
                msg = (
                    f"{display!r} was refused: entry {PurePosixPath(i.filename).name!r} is compressed more than "
                    f"{MAX_RATIO:g} times (a possible zip bomb)"
                )
                raise UploadError(msg)
        names = [PurePosixPath(i.filename.replace("\\", "/")).name for i in wanted]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            msg = f"{display!r} holds several files called {', '.join(dupes)}; zip one Shapefile (or one layer file)"
            raise UploadError(msg)
        written = 0
        for info, base in zip(wanted, names, strict=True):
            out = folder / _safe_name(base)
            # Count real bytes: declared sizes in a crafted archive can lie.
            with zf.open(info) as src, open(out, "wb") as dst:
                while chunk := src.read(_CHUNK):
                    written += len(chunk)
                    if written > MAX_UNPACKED_BYTES or written > MAX_RATIO * len(data) + _CHUNK:
                        msg = f"{display!r} was refused: it unpacks to far more than it declares (a possible zip bomb)"
                        raise UploadError(msg)
                    dst.write(chunk)
    shps = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".shp")
    others = sorted(p for p in folder.iterdir() if p.suffix.lower() in DIRECT_SUFFIXES)
    if len(shps) + len(others) == 0:
        msg = f"{display!r} holds no Shapefile (.shp) or GeoPackage/GeoJSON; zip the .shp with its .shx, .dbf and .prj"
        raise UploadError(msg)
    if len(shps) + len(others) > 1:
        found = ", ".join(p.name for p in (*shps, *others))
        msg = f"{display!r} holds several layers ({found}); upload one at a time"
        raise UploadError(msg)
    if shps:
        shp = shps[0]
        missing = [
            s
            for s in (".shx", ".dbf")
            if not any(p.suffix.lower() == s and p.stem == shp.stem for p in folder.iterdir())
        ]
        if missing:
            msg = (
                f"{display!r}: the Shapefile {shp.name!r} lacks its {' and '.join(missing)} file(s); zip every part "
                "of the Shapefile together"
            )
            raise UploadError(msg)
        return shp
    return others[0]


def _scrub(text: str, folder: Path, display: str) -> str:
    """Replace server paths in a message by the uploaded file's name."""
    folder_s = str(folder)
    text = re.sub(re.escape(folder_s) + r"[^'\"\s,;)]*", display, text)
    tmp = re.escape(tempfile.gettempdir())
    return re.sub(tmp + r"/[^'\"\s,;)]*", display, text)


def read_upload(
    name: str,
    data: bytes,
    *,
    crs: str = "EPSG:27700",
    layer: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> UploadedSites:
    """Read an uploaded vector file into the working CRS.

    Parameters
    ----------
    name
        The file name as uploaded (its extension decides the format).
    data
        The file's bytes.
    crs
        The working CRS of the assessment.
    layer
        The layer of a multi-layer GeoPackage (default: the only one, or the first).
    max_bytes
        Size limit.

    Raises
    ------
    UploadError
        Unsafe or unsupported upload, or an unreadable file (message without server paths).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> square = box(300_000, 700_000, 301_000, 701_000)
    >>> gdf = gpd.GeoDataFrame({"site_id": ["U1"], "name": ["Upload"]}, geometry=[square], crs="EPSG:27700")
    >>> up = read_upload("sites.geojson", gdf.to_json().encode())
    >>> up.layer, up.gdf["site_id"].tolist(), up.gdf.crs.to_epsg()
    ('upload', ['U1'], 27700)
    """
    from growthzones.layers import list_layers, read_vector

    display = _safe_name(name)
    with staged_upload(name, data, max_bytes=max_bytes) as path:
        try:
            layers = tuple(list_layers(path, what=display))
            chosen = layer if layer is not None else (layers[0] if layers else None)
            if layer is not None and layer not in layers:
                msg = f"{display!r} has no layer {layer!r}; its layers are: {', '.join(layers)}"
                raise UploadError(msg)
            gdf, notes = read_vector(path, layer=chosen, crs=crs, what=display)
        except UploadError:
            raise
        except GrowthzonesError as exc:
            raise UploadError(_scrub(str(exc), path.parent, display)) from None
        except Exception as exc:  # anything else GDAL throws at a malformed file
            log.debug("upload %s unreadable", display, exc_info=True)
            msg = f"{display!r} cannot be read as a vector layer ({type(exc).__name__}); re-export it from your GIS"
            raise UploadError(msg) from None
        notes = [_scrub(n, path.parent, display) for n in notes]
    return UploadedSites(gdf=gdf, name=display, layers=layers, layer=chosen, notes=tuple(notes))


def score_upload(
    a: Assessment,
    gdf: gpd.GeoDataFrame,
    *,
    id_column: str,
    name_column: str,
    source: str = "upload",
    combine: bool = False,
) -> tuple[Assessment, list[str]]:
    """Score uploaded sites with the assessment's layers, config, weights and gates.

    Parameters
    ----------
    a
        The loaded assessment (its ``layers`` are reused: nothing is read again).
    gdf
        Uploaded features (see :func:`read_upload`).
    id_column, name_column
        The columns holding each site's unique id and its name.
    source
        The upload's name, for messages.
    combine
        Rank the uploaded sites together with the loaded ones (ids must not clash); otherwise
        they are ranked among themselves. Scores are the same either way under WLC, whose
        value functions are fixed; other methods compare sites with each other.

    Returns
    -------
    (Assessment, list of str)
        The scored assessment, and notes (e.g. attribute columns missing from the upload).

    Raises
    ------
    UploadError, SiteError, GeometryError, CriterionError
        Unusable sites or criteria; messages name the upload.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> from shapely.geometry import box
    >>> square = box(300_000, 700_000, 301_000, 701_000)
    >>> gdf = gpd.GeoDataFrame({"site_id": ["U1"], "name": ["Upload"]}, geometry=[square], crs="EPSG:27700")
    >>> b, notes = score_upload(a, gdf, id_column="site_id", name_column="name", combine=True)
    >>> len(b.ranking), int(b.ranking.loc["U1", "rank"])
    (221, 53)
    """
    from growthzones.assessment import evaluate
    from growthzones.criteria import compute_criteria
    from growthzones.sites import prepare_sites

    if a.layers is None:
        msg = "this assessment kept no layers, so uploaded sites cannot be scored; re-run the assessment"
        raise UploadError(msg)
    notes: list[str] = []
    cfg = a.config
    if gdf.crs is None:
        msg = f"{source}: the sites have no CRS; set it in your GIS and export again"
        raise UploadError(msg)
    if not gdf.crs.equals(a.sites.crs):
        gdf = gdf.to_crs(a.sites.crs)
    sites = prepare_sites(gdf, id_column=id_column, name_column=name_column, source=source, notes=notes)
    needed = [c for c in cfg.criteria if c.measure == "attribute" and c.attribute not in sites.columns]
    if needed:
        sites = sites.copy()
        for c in needed:
            sites[c.attribute] = np.nan
            notes.append(
                f"{source}: no column {c.attribute!r} for criterion {c.display!r}; treated as missing "
                f"(policy {c.missing!r})"
            )
    criteria = compute_criteria(cfg, sites, a.layers)
    if combine:
        clash = sorted(set(sites.index) & set(a.sites.index))
        if clash:
            show = ", ".join(clash[:10]) + (" ..." if len(clash) > 10 else "")
            msg = (
                f"{source}: site ids {show} are already used by the loaded sites; choose another id column, or "
                "rank the upload on its own"
            )
            raise UploadError(msg)
        base_sites = a.sites.assign(source="loaded")
        sites = pd.concat([base_sites, sites.assign(source="uploaded")]).sort_index(kind="stable")
        sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=a.sites.crs)
        criteria = pd.concat([a.criteria, criteria]).reindex(sites.index)
    from growthzones.errors import MissingDataError

    try:
        out = evaluate(
            cfg, sites, criteria, notes=notes, inputs=a.inputs, layers=a.layers, created=a.created, cls=type(a)
        )
    except MissingDataError as exc:
        raise UploadError(f"{source}: {exc}") from None
    return out, notes
