"""The bad-input corpus: one row per case, each with its exact expected outcome.

Every case starts from the tiny hand-worked project of ``tests/tinyproject.py`` (four sites, three
substations, a water-stress raster) and breaks one thing. The broken files are made here at
test time from a few lines of code each; the three that are easier to keep as files live in
``files/`` (a zero-byte GeoPackage, a ``.geojson`` that is not JSON, a config in Latin-1).

A case either **fails**: ``error`` is the exact :class:`GrowthzonesError` subclass the API
raises and ``message`` the regular expressions its message must match (the file, layer or
key; the problem; the fix), or **works**: ``error`` is None, ``notes`` are regular expressions
each matching one of ``Assessment.notes`` (what was repaired or reprojected) and ``check``
looks at the result.

``test_corpus.py`` runs each case through the API and through ``growthzones rank``.

The output cases need a folder that cannot be written. The suite runs as root here, where
``chmod 555`` does not stop writes; :func:`unwritable_folder` then falls back to ``/proc``,
where nobody can create a file (it is a kernel file system), and says so.
"""

from __future__ import annotations

import math
import shutil
import stat
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from rasterio.warp import Resampling, calculate_default_transform, reproject
from shapely import LineString, MultiPolygon, Point, Polygon, box

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinyproject import EXPECTED_CRITERIA, TINY_CONFIG, write_tiny_project

import growthzones as gz
from growthzones.errors import (
    ConfigError,
    CriterionError,
    CRSError,
    GeometryError,
    GrowthzonesError,
    InputFileError,
    LayerError,
    MissingDataError,
    OutputError,
    SiteError,
    WeightError,
)

FILES = Path(__file__).resolve().parent / "files"

#: Ranks of the untouched tiny project (S4 fails the area gate).
BASE_RANKS = {"S1": 1, "S2": 2, "S3": 3, "S4": None}

# Frequent pieces of expected messages.
P_SITES = r"'[^']*sites\.gpkg'"


@dataclass(frozen=True)
class Case:
    """One bad input and what must happen.

    Attributes
    ----------
    id
        Short name (the pytest id).
    about
        What is wrong, in words.
    build
        ``build(folder) -> config path``: writes the project with the fault into ``folder``.
    error
        The exact error class the API raises; None when the input is repaired and works.
    message
        Regexes (``re.search``) the error message must match.
    notes
        Regexes each matching at least one note of the assessment (works cases).
    check
        Further checks on the assessment (works cases).
    api
        ``api(config_path, out_dir)``: the API call to make; default ``gz.assess(config_path)``.
    cli
        ``cli(config_path, out_dir) -> args``: the ``growthzones`` arguments; default ``rank``
        with ``--out`` and ``--csv`` in ``out_dir``. None when the case has no CLI form.
    cli_message
        Regexes for the CLI's error line when it differs from the API's message (an option
        rather than a config key); by default the CLI must print exactly the API's message.
    """

    id: str
    about: str
    build: Callable[[Path], Path]
    error: type[GrowthzonesError] | None = None
    message: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    check: Callable[[gz.Assessment], None] | None = None
    api: Callable[[Path, Path], object] | None = None
    cli: Callable[[Path, Path], list[str]] | bool | None = True
    cli_message: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# building blocks


def tiny(config: str = TINY_CONFIG) -> Callable[[Path], Path]:
    """The untouched tiny project (with ``config`` as its config text)."""
    return lambda folder: write_tiny_project(folder, config_text=config)


def with_config(old: str, new: str) -> Callable[[Path], Path]:
    """The tiny project with one piece of its config replaced (which must occur exactly once)."""
    assert TINY_CONFIG.count(old) == 1, old
    return tiny(TINY_CONFIG.replace(old, new))


def then(*steps: Callable[[Path], object], config: str = TINY_CONFIG) -> Callable[[Path], Path]:
    """The tiny project, then ``steps`` applied to its folder in order."""

    def build(folder: Path) -> Path:
        cfg = write_tiny_project(folder, config_text=config)
        for step in steps:
            step(folder)
        return cfg

    return build


def edit_vector(name: str, layer: str, fn: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> Callable[[Path], None]:
    """Rewrite ``layer`` of file ``name`` through ``fn``."""

    def step(folder: Path) -> None:
        path = folder / name
        gdf = fn(gpd.read_file(path, layer=layer))
        path.unlink()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "'crs' was not provided": on purpose here
            gdf.to_file(path, layer=layer, engine="pyogrio")

    return step


def edit_sites(fn: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> Callable[[Path], None]:
    return edit_vector("sites.gpkg", "sites", fn)


def edit_subs(fn: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> Callable[[Path], None]:
    return edit_vector("layers.gpkg", "substations", fn)


def set_geom(sid: str, geom: object) -> Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]:
    def fn(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        g = g.copy()
        g.loc[g["sid"] == sid, "geometry"] = geom
        return g

    return fn


WATER = np.tile(np.arange(40, dtype="float32") / 40.0, (20, 1))
WATER_TRANSFORM = Affine(1000, 0, 95000, 0, -1000, 115000)


def write_raster(
    data: np.ndarray = WATER,
    *,
    crs: str | None = "EPSG:27700",
    transform: Affine = WATER_TRANSFORM,
    nodata: float | None = -9999.0,
    name: str = "water.tif",
) -> Callable[[Path], None]:
    """Replace the water raster."""

    def step(folder: Path) -> None:
        path = folder / name
        path.unlink(missing_ok=True)
        kw = {"crs": crs} if crs else {}
        with rasterio.open(
            path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype="float32",
            transform=transform, nodata=nodata, **kw,
        ) as ds:  # fmt: skip
            ds.write(data.astype("float32"), 1)

    return step


def water_in_web_mercator(folder: Path) -> None:
    """Warp the water raster to EPSG:3857 (100 m cells, nearest neighbour)."""
    path = folder / "water.tif"
    with rasterio.open(path) as src:
        data = src.read(1)
        tr, w, h = calculate_default_transform(src.crs, "EPSG:3857", src.width, src.height, *src.bounds, resolution=100)
        out = np.full((h, w), -9999.0, dtype="float32")
        reproject(data, out, src_transform=src.transform, src_crs=src.crs, dst_transform=tr, dst_crs="EPSG:3857",
                  resampling=Resampling.nearest, src_nodata=-9999.0, dst_nodata=-9999.0)  # fmt: skip
    write_raster(out, crs="EPSG:3857", transform=tr)(folder)


def truncate(name: str, keep: float = 0.5) -> Callable[[Path], None]:
    def step(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[: int(len(data) * keep)])

    return step


def copy_file(src: str, dst: str) -> Callable[[Path], None]:
    return lambda folder: shutil.copyfile(FILES / src, folder / dst)


def circle(cx: float, cy: float, r: float, n: int) -> Polygon:
    t = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
    return Polygon(np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)]))


def unwritable_folder() -> Path:
    """A folder nobody can create files in.

    A ``chmod 555`` folder where that works; as root (as in this CI) chmod does not stop
    writes, so ``/proc`` (a kernel file system where no regular file can be created).
    """
    import tempfile

    probe = Path(tempfile.mkdtemp(prefix="gz-ro-"))
    probe.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    try:
        (probe / "x").write_text("x")
    except PermissionError:
        return probe  # chmod works (not root): use it
    probe.chmod(0o755)
    shutil.rmtree(probe)
    return Path("/proc")


# --------------------------------------------------------------------------------------------
# checks on assessments that work


def ranks(a: gz.Assessment) -> dict[str, int | None]:
    return {sid: (None if pd.isna(r) else int(r)) for sid, r in a.scores["rank"].items()}


def same_ranking(a: gz.Assessment) -> None:
    assert ranks(a) == BASE_RANKS


def close_to_expected(*names: str, tol: float = 1e-3) -> Callable[[gz.Assessment], None]:
    def check(a: gz.Assessment) -> None:
        same_ranking(a)
        for name in names:
            for sid, want in EXPECTED_CRITERIA[name].items():
                got = a.criteria.at[sid, name]
                assert math.isclose(got, want, rel_tol=tol, abs_tol=tol), (name, sid, got, want)

    return check


def check_bowtie(a: gz.Assessment) -> None:
    # make_valid splits the bow-tie into two triangles of 6.25 ha each: S3 now fails the area gate.
    assert math.isclose(a.criteria.at["S3", "area"], 12.5)
    assert a.sites.geometry["S3"].is_valid and a.sites.geometry["S3"].geom_type == "MultiPolygon"
    assert ranks(a) == {"S1": 1, "S2": 2, "S3": None, "S4": None}
    assert a.gates.at["S3", "gate_reasons"] == "site area is 12.5 ha; gate requires >= 20 ha"


def check_dropped(a: gz.Assessment) -> None:
    assert a.sites.index.tolist() == ["S1", "S2"]
    assert ranks(a) == {"S1": 1, "S2": 2}


def check_big_site(a: gz.Assessment) -> None:
    assert len(a.sites.geometry["S2"].exterior.coords) == 100_001
    assert math.isclose(a.criteria.at["S2", "area"], math.pi * 280**2 / 1e4, rel_tol=1e-6)
    same_ranking(a)


def check_worst(a: gz.Assessment) -> None:
    assert a.criteria["water_stress"].isna().all()
    assert (a.values["water_stress"] == 0.0).all()
    same_ranking(a)


def check_excluded(a: gz.Assessment) -> None:
    assert a.n_eligible == 0
    assert all('water stress has no value (missing = "exclude")' in r for r in a.gates["gate_reasons"])


def check_headroom_worst(a: gz.Assessment) -> None:
    assert a.values.at["S1", "headroom"] == 0.0
    assert math.isnan(a.criteria.at["S1", "headroom"])


def check_unicode(a: gz.Assessment) -> None:
    assert a.sites.index.tolist() == ["S 3", "S1é", "S2", "S4"]
    assert a.sites.at["S 3", "name"] == "Château d’Eau" and a.sites.at["S4", "name"] == "站点"
    assert ranks(a) == {"S1é": 1, "S2": 2, "S 3": 3, "S4": None}


UNICODE_CONFIG = TINY_CONFIG.replace(
    'path = "sites.gpkg"\nlayer = "sites"', 'path = "sites été.gpkg"\nlayer = "sites ü"'
)


def unicode_project(folder: Path) -> Path:
    folder = folder / "données du projet ü"
    write_tiny_project(folder, config_text=UNICODE_CONFIG.replace("Tiny test project", "Projet été — ünïcode"))
    g = gpd.read_file(folder / "sites.gpkg")
    g["sid"] = ["S 3", "S1é", "S4", "S2"]
    g["label"] = ["Château d’Eau", "Site é", "站点", "Ŝ 2"]
    g.to_file(folder / "sites été.gpkg", layer="sites ü", engine="pyogrio")
    (folder / "sites.gpkg").unlink()
    cfg = folder / "réglages du projet.toml"
    (folder / "config.toml").rename(cfg)
    return cfg


# --------------------------------------------------------------------------------------------
# output cases: the API call and the command line


def out_args(out: str) -> Callable[[Path, Path], list[str]]:
    """``rank`` writing its GeoPackage to ``out`` (formatted with ``out_dir`` and ``ro``)."""

    def args(cfg: Path, out_dir: Path) -> list[str]:
        return ["rank", str(cfg), "--out", out.format(out_dir=out_dir, ro=unwritable_folder())]

    return args


def out_api(out: str, **kw: object) -> Callable[[Path, Path], object]:
    def api(cfg: Path, out_dir: Path) -> object:
        return gz.assess(cfg).to_geopackage(out.format(out_dir=out_dir, ro=unwritable_folder()), **kw)

    return api


def assess_then(fn: Callable[[gz.Assessment], object]) -> Callable[[Path, Path], object]:
    return lambda cfg, out_dir: fn(gz.assess(cfg))


def ahp_non_reciprocal(cfg: Path, out_dir: Path) -> object:
    from growthzones.mcda import ahp_weights

    return ahp_weights([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 2, 1]], labels=["grid", "water", "land"])


# --------------------------------------------------------------------------------------------
# the table

C = TINY_CONFIG

# fmt: off
CASES: tuple[Case, ...] = (
    # ---------------------------------------------------------------- unreadable files
    Case("sites_zero_byte", "the sites file is 0 bytes",
         then(copy_file("empty.gpkg", "sites.gpkg")), InputFileError,
         (rf"^sites: file {P_SITES} is empty \(0 bytes\)", r"re-export it from your GIS$")),
    Case("sites_truncated_gpkg", "the sites GeoPackage is cut off half way",
         then(truncate("sites.gpkg")), InputFileError,
         (rf"^sites: file {P_SITES} cannot be read as a vector layer \(database disk image is malformed\)",
          r"truncated, corrupt or in another format: re-export it as GeoPackage or GeoJSON$")),
    Case("sites_geojson_not_json", "a .geojson file that is not JSON",
         then(copy_file("not_json.geojson", "sites.geojson"),
              config=C.replace('path = "sites.gpkg"\nlayer = "sites"', 'path = "sites.geojson"')), InputFileError,
         (r"^sites: file '[^']*sites\.geojson' cannot be read as a vector layer \(GDAL does not recognise its format\)",
          r"re-export it as GeoPackage or GeoJSON$")),
    Case("sites_wrong_extension_txt", "the sites are a CSV table named .txt, with no geometry",
         then(lambda f: (f / "sites.txt").write_text("sid,label\nS1,Site one\n"),
              config=C.replace('path = "sites.gpkg"\nlayer = "sites"', 'path = "sites.txt"')), InputFileError,
         (r"^sites: file '[^']*sites\.txt' cannot be read as a vector layer \(GDAL does not recognise its format\)",)),
    Case("sites_geojson_named_gpkg", "GeoJSON content with a .gpkg extension: GDAL reads the content, so it works",
         then(lambda f: gpd.read_file(f / "sites.gpkg").to_file(f / "bids.gpkg", driver="GeoJSON"),
              config=C.replace('path = "sites.gpkg"\nlayer = "sites"', 'path = "bids.gpkg"')),
         check=same_ranking),
    Case("raster_wrong_extension", "the GeoTIFF is named water.gpkg, so it is taken for a vector layer",
         then(lambda f: (f / "water.tif").rename(f / "water.gpkg"),
              config=C.replace('path = "water.tif"', 'path = "water.gpkg"')), ConfigError,
         (r"^criteria\[2\] \(water_stress\)\.layer: measure 'zonal' needs a raster layer, but 'water' is a vector",
          r'set kind = "raster" in \[layers\.water\]$')),
    Case("raster_odd_extension_kind_set", "a GeoTIFF named water.dat with kind = \"raster\": works",
         then(lambda f: (f / "water.tif").rename(f / "water.dat"),
              config=C.replace('path = "water.tif"', 'path = "water.dat"\nkind = "raster"')),
         check=close_to_expected("water_stress", tol=1e-9)),
    Case("raster_truncated", "the GeoTIFF is cut off half way",
         then(truncate("water.tif")), InputFileError,
         (r"^layers\.water: cannot read raster '[^']*water\.tif' \(its cells cannot be read\)",
          r"re-export it as GeoTIFF$")),
    Case("raster_not_a_raster", "water.tif holds text",
         then(lambda f: (f / "water.tif").write_text("water stress: high\n")), InputFileError,
         (r"^layers\.water: cannot read raster '[^']*water\.tif' \(GDAL does not recognise its format\)",)),
    # ---------------------------------------------------------------- missing files and layers
    Case("sites_file_missing", "sites.path names a file that does not exist",
         with_config('path = "sites.gpkg"', 'path = "bids.gpkg"'), InputFileError,
         (r"^sites: file '[^']*bids\.gpkg' not found", r"check the path \(relative paths are read from the config's")),
    Case("layer_file_missing", "a layer's file does not exist",
         with_config('path = "layers.gpkg"', 'path = "layer.gpkg"'), InputFileError,
         (r"^layers\.substations: file '[^']*layer\.gpkg' not found; check the path",)),
    Case("raster_file_missing", "the raster file was deleted",
         then(lambda f: (f / "water.tif").unlink()), InputFileError,
         (r"^layers\.water: file '[^']*water\.tif' not found; check the path",)),
    Case("sites_layer_missing", "sites.layer names a layer the file does not have",
         with_config('layer = "sites"', 'layer = "site"'), LayerError,
         (rf"^sites: file {P_SITES} has no layer 'site'; its layers are: sites$",)),
    Case("layer_not_named_in_multilayer_file", "a two-layer file and no `layer =` to choose",
         then(lambda f: gpd.read_file(f / "layers.gpkg").to_file(f / "layers.gpkg", layer="lines"),
              config=C.replace('path = "layers.gpkg"\nlayer = "substations"', 'path = "layers.gpkg"')), LayerError,
         (r"^layers\.substations: file '[^']*layers\.gpkg' has 2 layers \(substations, lines\)",
          r'say which with layer = "\.\.\."$')),
    Case("sites_layer_empty", "the sites layer has no features",
         then(edit_sites(lambda g: g.iloc[:0])), LayerError,
         (rf"^sites: layer 'sites' of {P_SITES} is empty \(0 features\); check you exported the right layer$",)),
    Case("config_missing", "the config file does not exist",
         lambda f: f / "nowhere.toml", ConfigError,
         (r"^config file '[^']*nowhere\.toml' not found: check the path$",)),
    Case("config_not_utf8", "the config is saved in Latin-1",
         then(copy_file("not_utf8.toml", "config.toml")), ConfigError,
         (r"^config file '[^']*config\.toml' is not UTF-8 text: save it as UTF-8$",)),
    # ---------------------------------------------------------------- CRS
    Case("sites_no_crs", "the sites have no CRS",
         then(edit_sites(lambda g: g.set_crs(None, allow_override=True))), CRSError,
         (rf"^sites: {P_SITES} has no CRS", r"set it in your GIS \(e\.g\. QGIS: Layer > Set CRS\)",
          r"the working CRS is EPSG:27700")),
    Case("layer_no_crs", "the substations have no CRS",
         then(edit_subs(lambda g: g.set_crs(None, allow_override=True))), CRSError,
         (r"^layers\.substations: '[^']*layers\.gpkg' has no CRS; set it in your GIS",)),
    Case("sites_geographic_crs", "the sites are in EPSG:4326: reprojected to the working CRS, noted",
         then(edit_sites(lambda g: g.to_crs(4326))),
         notes=(r"^sites: reprojected from EPSG:4326 \(geographic\) to EPSG:27700$",
                r"^reprojection to British National Grid used PROJ's Helmert fallback"),
         check=close_to_expected("grid_distance", "headroom", "water_stress", "area")),
    Case("layer_other_crs", "the substations are in Web Mercator: reprojected, noted",
         then(edit_subs(lambda g: g.to_crs(3857))),
         notes=(r"^layers\.substations: reprojected from EPSG:3857 \(projected\) to EPSG:27700$",),
         check=close_to_expected("grid_distance", "headroom")),
    Case("working_crs_geographic", "project.crs is geographic (degrees)",
         with_config('crs = "EPSG:27700"', 'crs = "EPSG:4326"'), ConfigError,
         (r"^project\.crs: 'EPSG:4326' is not a projected CRS in metres", r"use 'EPSG:27700', British National Grid")),
    Case("raster_no_crs", "the raster has no CRS",
         then(write_raster(crs=None)), CRSError,
         (r"^layers\.water: raster '[^']*water\.tif' has no CRS; assign one",
          r"e\.g\. `gdal_edit\.py -a_srs EPSG:27700 FILE`$")),
    Case("raster_other_crs", "the raster is in Web Mercator: sites reprojected to it for extraction, noted",
         then(water_in_web_mercator),
         notes=(r"^layers\.water: raster is in EPSG:3857; sites are reprojected to it for extraction$",),
         check=close_to_expected("water_stress", tol=0.02)),
    # ---------------------------------------------------------------- geometry
    Case("sites_mixed_geometry", "one site is a point",
         then(edit_sites(set_geom("S3", Point(120250, 100250)))), GeometryError,
         (rf"^sites: {P_SITES} has Point geometries \(site\(s\) S3\); sites must be polygons",
          r"buffer points or lines to the site's footprint")),
    Case("sites_polygon_and_multipolygon", "Polygon and MultiPolygon sites mixed: works",
         then(edit_sites(set_geom("S1", MultiPolygon([box(100000, 100000, 100500, 100500)])))),
         check=close_to_expected("grid_distance", "area", tol=1e-9)),
    Case("layer_mixed_geometry", "the substations mix points and a line: works",
         then(edit_subs(lambda g: g.assign(geometry=[g.geometry[0], g.geometry[1],
                                                     LineString([(120250, 100250), (120300, 100300)])]))),
         check=close_to_expected("grid_distance", "headroom", tol=1e-9)),
    Case("sites_self_intersecting", "a bow-tie site: repaired with make_valid, reported by site id",
         then(edit_sites(set_geom("S3", Polygon([(120000, 100000), (120500, 100500), (120500, 100000),
                                                 (120000, 100500)])))),
         notes=(r"^sites: repaired 1 invalid geometry with make_valid \(id S3\)$",), check=check_bowtie),
    Case("sites_zero_area", "a site whose polygon has collapsed to a line",
         then(edit_sites(set_geom("S3", Polygon([(120000, 100000), (120250, 100250), (120500, 100500)])))),
         GeometryError,
         (rf"^sites: {P_SITES} has MultiLineString geometries \(site\(s\) S3\); sites must be polygons",
          r"redraw polygons with zero area")),
    Case("sites_empty_and_null", "one site has no geometry, another an empty one: dropped, reported",
         then(edit_sites(lambda g: g.assign(geometry=[None, g.geometry[1], Polygon(), g.geometry[3]]))),
         notes=(r"^sites: dropped 2 feature\(s\) with no or empty geometry \(ids S3, S4\)$",), check=check_dropped),
    Case("sites_all_null", "no site has a geometry",
         then(edit_sites(lambda g: g.assign(geometry=[None] * 4).set_crs(27700, allow_override=True))), GeometryError,
         (r"^sites: every feature has an empty or missing geometry", r"check the layer in your GIS")),
    Case("sites_100k_vertices", "a site drawn with 100,000 vertices: works",
         then(edit_sites(set_geom("S2", circle(110250, 100250, 280, 100_000)))), check=check_big_site),
    # ---------------------------------------------------------------- ids and attributes
    Case("duplicate_site_ids", "two sites share an id",
         then(edit_sites(lambda g: g.assign(sid=["S3", "S3", "S4", "S2"]))), SiteError,
         (rf"^sites: duplicate ids in column 'sid' of {P_SITES}: S3; make each site id unique$",)),
    Case("missing_site_id", "one site has no id",
         then(edit_sites(lambda g: g.assign(sid=[None, "S1", "S4", "S2"]))), SiteError,
         (rf"^sites: 1 site\(s\) in {P_SITES} have no id in column 'sid'; give every site an id$",)),
    Case("missing_id_column", "sites.id names a column the file does not have",
         with_config('id = "sid"', 'id = "site_id"'), SiteError,
         (rf"^sites: {P_SITES} has no id column 'site_id'; set sites\.id to one of: sid, label$",)),
    Case("missing_attribute_column", "the substations lack the headroom column",
         then(edit_subs(lambda g: g.drop(columns="headroom_mw"))), CriterionError,
         (r"^criterion 'headroom': layer 'substations' has no column 'headroom_mw'",
          r"; its columns are: name, voltage_kv$")),
    Case("non_numeric_attribute", "the headroom column holds text",
         then(edit_subs(lambda g: g.assign(headroom_mw=["lots", "500", "200"]))), CriterionError,
         (r"^criterion 'headroom': column 'headroom_mw' of layer 'substations' is not numeric",
          r"such as 'lots'\); clean it so it holds numbers only$")),
    Case("non_numeric_site_attribute", "a site attribute criterion on a text column",
         then(edit_sites(lambda g: g.assign(price=["high", "1.5", "2", "3"])),
              config=C.replace('measure = "area"', 'measure = "attribute"\nattribute = "price"')), CriterionError,
         (r"^criterion 'area' \(measure 'attribute'\): Column `price` of the sites is not numeric",
          r"Fix those values in the source file or choose a numeric column")),
    Case("where_column_missing", "the filter names a column the layer does not have",
         then(edit_subs(lambda g: g.drop(columns="voltage_kv"))), LayerError,
         (r"^criterion 'grid_distance' \(layer 'substations'\)\.where: the layer has no column 'voltage_kv'",
          r"its columns are: name, headroom_mw$")),
    Case("nan_attribute", "the nearest substation of S1 has no headroom: missing = \"fail\" (the default)",
         then(edit_subs(lambda g: g.assign(headroom_mw=[np.nan, 500.0, 200.0]))), MissingDataError,
         (r"^criterion 'headroom': no value for 1 site\(s\) \(S1\)",
          r'set missing = "worst" \(score them 0\) or missing = "exclude"')),
    Case("nan_attribute_worst", "the same with missing = \"worst\": S1 scores 0 for headroom, noted",
         then(edit_subs(lambda g: g.assign(headroom_mw=[np.nan, 500.0, 200.0])),
              config=C.replace('attribute = "headroom_mw"', 'attribute = "headroom_mw"\nmissing = "worst"')),
         notes=(r"^missing: criterion 'headroom': 1 site\(s\) without a value given the worst value 0 \(S1\)$",),
         check=check_headroom_worst),
    # ---------------------------------------------------------------- rasters
    Case("raster_all_nodata", "every cell of the raster is nodata",
         then(write_raster(np.full((20, 40), -9999.0))), LayerError,
         (r"^layers\.water: raster '[^']*water\.tif' holds no valid cells \(all nodata\)",
          r"check the file or its nodata value$")),
    Case("raster_untagged_nodata", "-9999 cells and no nodata tag",
         then(write_raster(np.where(WATER < 0.1, -9999.0, WATER), nodata=None)), LayerError,
         (r"^layers\.water: raster '[^']*water\.tif' contains -9999, which looks like an untagged nodata value",
          r"add `nodata = -9999` to \[layers\.water\] in the config$")),
    Case("raster_band_missing", "band = 2 of a one-band raster",
         with_config('path = "water.tif"', 'path = "water.tif"\nband = 2'), LayerError,
         (r"^layers\.water: band 2 requested but '[^']*water\.tif' has 1 band\(s\)",
          r"; set band to a number from 1 to 1$")),
    Case("raster_not_overlapping", "the raster lies 300 km away: missing = \"fail\" stops with a clear message",
         then(write_raster(transform=Affine(1000, 0, 395000, 0, -1000, 815000))), MissingDataError,
         (r"^criterion 'water_stress': no value for 4 site\(s\) \(S1, S2, S3, S4\), e\.g\. outside the extent of "
          r"layer 'water'", r'set missing = "worst" \(score them 0\) or missing = "exclude" \(make them ineligible\)')),
    Case("raster_not_overlapping_worst", "the same with missing = \"worst\": scored 0, noted",
         then(write_raster(transform=Affine(1000, 0, 395000, 0, -1000, 815000)),
              config=C.replace('stat = "mean"', 'stat = "mean"\nmissing = "worst"')),
         notes=(r"^missing: criterion 'water_stress': 4 site\(s\) without a value given the worst value 0 "
                r"\(S1, S2, S3, S4\)$",), check=check_worst),
    Case("raster_not_overlapping_exclude", "the same with missing = \"exclude\": every site ineligible, noted",
         then(write_raster(transform=Affine(1000, 0, 395000, 0, -1000, 815000)),
              config=C.replace('stat = "mean"', 'stat = "mean"\nmissing = "exclude"')),
         notes=(r"^missing: criterion 'water_stress': 4 site\(s\) without a value made ineligible",),
         check=check_excluded),
    # ---------------------------------------------------------------- config
    Case("toml_syntax_error", "an unclosed string on line 3",
         with_config('name = "Tiny test project"', 'name = "Tiny test project'), ConfigError,
         (r"config\.toml: TOML syntax error: .*\(at line 3, column \d+\); fix the line named$",)),
    Case("unknown_key", "a key growthzones does not know",
         with_config("[project]", '[project]\ncolour = "red"'), ConfigError,
         (r"^project\.colour: unknown key 'colour'; valid keys: name, crs, demo, description$",)),
    Case("misspelt_key", "weight spelt wieght",
         with_config("weight = 0\n", "wieght = 0\n"), ConfigError,
         (r"^criteria\[3\] \(area\)\.wieght: unknown key 'wieght'; did you mean 'weight'\?$",)),
    Case("misspelt_section", "[weight] for [weights]",
         with_config("[weights]", "[weight]"), ConfigError,
         (r"^weight: unknown key 'weight'; did you mean 'weights'\?$",)),
    Case("wrong_type_text_for_number", "a group weight given as a word",
         with_config("grid = 0.5", 'grid = "high"'), ConfigError,
         (r"^weights\.grid: expected a number, got str 'high'$",)),
    Case("wrong_type_quoted_number", "a gate value in quotes",
         with_config("value = 20\n\n[[gates]]\ncriterion = \"grid_distance\"",
                     "value = \"20\"\n\n[[gates]]\ncriterion = \"grid_distance\""), ConfigError,
         (r"^gates\[0\]\.value: expected a number, got str '20'; write it without quotes: 20$",)),
    Case("wrong_type_bool", "project.demo = \"yes\"",
         with_config('crs = "EPSG:27700"', 'crs = "EPSG:27700"\ndemo = "yes"'), ConfigError,
         (r"^project\.demo: expected true or false, got 'yes'$",)),
    Case("negative_group_weight", "a negative group weight",
         with_config("grid = 0.5", "grid = -0.5"), WeightError,
         (r"^weights\.grid: -0\.5 is not a non-negative number; weights must be >= 0$",)),
    Case("negative_criterion_weight", "a negative criterion weight",
         with_config("weight = 0\n", "weight = -1\n"), ConfigError,
         (r"^criteria\[3\] \(area\)\.weight: -1 is below the minimum 0$",)),
    Case("all_zero_weights", "every group weight is 0",
         with_config("grid = 0.5\nwater = 0.5", "grid = 0\nwater = 0"), WeightError,
         (r"^weights: all group weights are zero", r"give at least one a weight > 0$")),
    Case("unknown_method", "method.name misspelt",
         tiny(C + '\n[method]\nname = "topsys"\n'), ConfigError,
         (r"^method\.name: 'topsys' is not valid; did you mean 'topsis'\? valid choices: wlc, wpm, topsis",)),
    Case("unknown_method_option", "--method names no method",
         tiny(), ConfigError, (r"^method: 'electre' is not valid; valid choices: wlc, wpm, topsis",),
         api=assess_then(lambda a: a.rerank("electre")),
         cli=lambda cfg, out: ["rank", str(cfg), "--method", "electre"],
         cli_message=(r"^error: --method: 'electre' is not valid; valid choices: wlc, wpm, topsis",)),
    Case("bad_method_params", "a parameter the method does not take (found before any layer is read)",
         tiny(C + '\n[method]\nname = "wlc"\nparams = { bogus = 1 }\n'), ConfigError,
         (r"^method\.params: aggregation method 'wlc' got unknown parameter\(s\) 'bogus'",
          r"its parameters are: normalization$")),
    Case("bad_method_param_value", "vikor's v out of 0..1",
         tiny(C + '\n[method]\nname = "vikor"\nparams = { v = 5 }\n'), ConfigError,
         (r"^method\.params: vikor: v=5 must be a number in 0\.\.1",)),
    Case("unknown_value_function", "a value function misspelt",
         with_config('value = { function = "linear", low = 0, high = 1 }',
                     'value = { function = "lineer", low = 0, high = 1 }'), ConfigError,
         (r"^criteria\[2\] \(water_stress\)\.value: unknown value function 'lineer' \(did you mean 'linear'\?\)",)),
    Case("gate_unknown_criterion", "a gate on a criterion that does not exist",
         with_config('criterion = "area"', 'criterion = "aera"'), ConfigError,
         (r"^gates\[0\]\.criterion: no criterion 'aera'; did you mean 'area'\?$",)),
    Case("ahp_not_reciprocal", "an AHP matrix whose a_ji is not 1/a_ij (API only: configs have no AHP matrix)",
         tiny(), WeightError,
         (r"^AHP pairwise matrix is not reciprocal: entry \('water', 'land'\) is 2 but \('land', 'water'\) is 2; "
          r"it must be 1/2 = 0\.5$",), api=ahp_non_reciprocal, cli=None),
    # ---------------------------------------------------------------- names
    Case("unicode_and_spaces", "folder, files, layer, ids and names with spaces and non-ASCII: works",
         unicode_project, check=check_unicode),
    # ---------------------------------------------------------------- outputs
    Case("output_folder_unwritable", "the output folder cannot be written (chmod 555, or /proc as root)",
         tiny(), OutputError, (r"^output folder '[^']*' is not writable", r"choose another folder$"),
         api=out_api("{ro}/shortlist.gpkg"), cli=out_args("{ro}/shortlist.gpkg")),
    Case("output_folder_is_a_file", "the output's folder is a file",
         tiny(), OutputError,
         (r"^output folder '[^']*shortlist\.csv' is a file, not a folder: choose another path for 'new\.gpkg'$",),
         api=out_api("{out_dir}/shortlist.csv/new.gpkg"), cli=out_args("{out_dir}/shortlist.csv/new.gpkg")),
    Case("output_folder_missing", "the output's folder does not exist",
         tiny(), OutputError,
         (r"^output folder '[^']*nope' does not exist: create it first or choose another path$",),
         api=out_api("{out_dir}/nope/new.gpkg"), cli=out_args("{out_dir}/nope/new.gpkg")),
    Case("output_path_is_folder", "--out names a folder",
         tiny(), OutputError, (r"^output '[^']*out' is a folder: give a file name, e\.g\. '[^']*shortlist\.gpkg'$",),
         api=out_api("{out_dir}"), cli=out_args("{out_dir}")),
    Case("output_exists_no_overwrite", "the output exists and --no-overwrite is given: refused, file untouched",
         tiny(), OutputError,
         (r"^output '[^']*shortlist\.gpkg' already exists: remove it or pass --overwrite$",),
         api=out_api("{out_dir}/shortlist.gpkg", overwrite=False),
         cli=lambda cfg, out: [*out_args("{out_dir}/shortlist.gpkg")(cfg, out), "--no-overwrite"]),
    Case("output_exists_replaced", "the output exists: replaced atomically by default",
         tiny(), check=same_ranking),
)
# fmt: on

IDS = [c.id for c in CASES]
assert len(set(IDS)) == len(IDS), "case ids must be unique"
