"""Build the whole GB layer stack into one GeoPackage, with a report of what was done."""

from __future__ import annotations

import datetime as _dt
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd
import pyogrio

from growthzones.atomic import atomic_path, check_output_path
from growthzones.errors import InputFileError, OutputError
from growthzones.gbdata import boundaries, connectivity, grid, land, water
from growthzones.gbdata._common import BNG, LayerReport, transformation_note
from growthzones.gbdata.sources import SOURCES, check_source_dir
from growthzones.gbdata.topojson import read_topojson

logger = logging.getLogger(__name__)

__all__ = ["LAYER_NAMES", "STEPS", "BuildReport", "ProgressCallback", "build_gb_layers"]

METADATA_TABLE = "layer_metadata"

STEPS: tuple[str, ...] = (
    "boundaries",
    "gsp_regions",
    "gsp_points",
    "hv_lines",
    "hv_substations",
    "tec_sites",
    "tec_by_gsp",
    "constraint_boundaries",
    "etys_boundaries",
    "dno_areas",
    "power_stations",
    "repd",
    "motorways",
    "rail_stations",
    "national_parks",
    "brownfield",
    "population",
    "water_stress",
    "write",
)
"""Progress steps, in order (``len(STEPS)`` is the ``n`` passed to ``progress``)."""

LAYER_NAMES: tuple[str, ...] = (
    "lad",
    "regions",
    "countries",
    "gsp_regions",
    "gsp_points",
    "hv_lines",
    "hv_substations",
    "tec_sites",
    "tec_by_gsp",
    "constraint_boundaries",
    "etys_boundaries",
    "dno_areas",
    "power_stations",
    "repd",
    "motorways",
    "rail_stations",
    "national_parks",
    "brownfield",
    "population",
    "water_stress",
)
"""Spatial layers written to the GeoPackage (besides the tables ``tec_sites_ungeocoded`` and
``layer_metadata``)."""

ProgressCallback = Callable[[str, int, int], Any]


@runtime_checkable
class _TqdmLike(Protocol):
    def update(self, n: int = 1) -> Any: ...


@dataclass
class BuildReport:
    """What :func:`build_gb_layers` built.

    Attributes
    ----------
    source_dir
        The source folder.
    out_path
        The GeoPackage written.
    layers
        One :class:`~growthzones.gbdata._common.LayerReport` per layer or table, in write order:
        name, sources, licence, attribution, input_rows, feature_count, dropped (reason ->
        count), repairs (incl. reprojections), notes, source_crs.
    built_at
        UTC timestamp, ISO 8601.
    package_version
        growthzones version.
    crs
        CRS of every spatial layer (EPSG:27700).
    transformation
        The WGS84 -> OSGB36 transformation pyproj used (whether OSTN15 was available).
    elapsed_s
        Wall time of the build, seconds.
    tables
        Names of the non-spatial tables written.
    """

    source_dir: Path
    out_path: Path
    layers: list[LayerReport] = field(default_factory=list)
    built_at: str = ""
    package_version: str = ""
    crs: str = BNG
    transformation: str = ""
    elapsed_s: float = 0.0
    tables: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> LayerReport:
        """The report of layer ``name``."""
        for rep in self.layers:
            if rep.name == name:
                return rep
        msg = f"no layer {name!r} in this build; layers: {[r.name for r in self.layers]}"
        raise KeyError(msg)

    @property
    def layer_names(self) -> list[str]:
        """Names of all layers and tables, in write order."""
        return [r.name for r in self.layers]

    @property
    def total_dropped(self) -> int:
        """Rows dropped over all layers."""
        return sum(r.dropped_count for r in self.layers)

    def to_frame(self) -> pd.DataFrame:
        """One row per layer: the ``layer_metadata`` table written into the GeoPackage.

        Returns
        -------
        pandas.DataFrame
            Columns ``layer, kind, source, licence, attribution, source_crs, crs, input_rows,
            feature_count, dropped_count, dropped, repairs, notes, built_at, package_version``.

        Examples
        --------
        >>> from pathlib import Path
        >>> from growthzones.gbdata._common import LayerReport
        >>> regions = LayerReport("regions", ("boundaries/ons_uk_topo.json",), "OGL", "ONS",
        ...                       input_rows=12, feature_count=11)
        >>> regions.drop("outside GB", 1)
        >>> report = BuildReport(source_dir=Path("gb-open-data"), out_path=Path("gb_layers.gpkg"), layers=[regions])
        >>> row = report.to_frame().iloc[0]
        >>> row["layer"], row["kind"], int(row["feature_count"]), row["dropped"]
        ('regions', 'spatial', 11, 'outside GB: 1')
        """
        rows = []
        for r in self.layers:
            spatial = r.name not in self.tables
            rows.append(
                {
                    "layer": r.name,
                    "kind": "spatial" if spatial else "table",
                    "source": "; ".join(r.sources),
                    "licence": r.licence,
                    "attribution": r.attribution,
                    "source_crs": r.source_crs,
                    "crs": self.crs if spatial else None,
                    "input_rows": int(r.input_rows),
                    "feature_count": int(r.feature_count),
                    "dropped_count": int(r.dropped_count),
                    "dropped": r.dropped_text(),
                    "repairs": " | ".join(r.repairs),
                    "notes": " | ".join(r.notes),
                    "built_at": self.built_at,
                    "package_version": self.package_version,
                }
            )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """A plain-text summary: one line per layer, then drops with reasons and the CRS note.

        Returns
        -------
        str

        Examples
        --------
        >>> from pathlib import Path
        >>> from growthzones.gbdata._common import LayerReport
        >>> regions = LayerReport("regions", ("boundaries/ons_uk_topo.json",), "OGL", "ONS",
        ...                       input_rows=12, feature_count=11)
        >>> regions.drop("outside GB", 1)
        >>> report = BuildReport(source_dir=Path("gb-open-data"), out_path=Path("gb_layers.gpkg"), layers=[regions])
        >>> print(report.summary())
        GB layer stack: gb_layers.gpkg (1 layers/tables, EPSG:27700, ...)
          regions      11 features  dropped 1
        Dropped rows:
          regions: 1 - outside GB
        ...
        """
        lines = [
            f"GB layer stack: {self.out_path} ({len(self.layers)} layers/tables, {self.crs}, "
            f"built {self.built_at} in {self.elapsed_s:.1f} s, growthzones {self.package_version})",
        ]
        width = max((len(r.name) for r in self.layers), default=10)
        for r in self.layers:
            drop = f"  dropped {r.dropped_count}" if r.dropped_count else ""
            lines.append(f"  {r.name:<{width}}  {r.feature_count:>6} features{drop}")
        dropped = [(r.name, reason, n) for r in self.layers for reason, n in r.dropped.items()]
        if dropped:
            lines.append("Dropped rows:")
            lines.extend(f"  {name}: {n} - {reason}" for name, reason, n in dropped)
        lines.append(f"Coordinates: {self.transformation}")
        return "\n".join(lines)


def _package_version() -> str:
    try:
        return metadata.version("growthzones")
    except metadata.PackageNotFoundError:
        return "unknown"


class _Progress:
    """Adapter over a ``progress(step, i, n)`` callable or a tqdm-like object."""

    def __init__(self, progress: ProgressCallback | _TqdmLike | None, n: int):
        self.progress = progress
        self.n = n
        self.i = 0
        if isinstance(progress, _TqdmLike) and getattr(progress, "total", None) != n:
            try:
                progress.total = n
                if hasattr(progress, "refresh"):
                    progress.refresh()
            except AttributeError:  # a tqdm-like object with a read-only total
                pass

    def start(self, step: str) -> None:
        p = self.progress
        if p is None:
            return
        if isinstance(p, _TqdmLike):
            if hasattr(p, "set_description_str"):
                p.set_description_str(step)
            elif hasattr(p, "set_description"):
                p.set_description(step)
        else:
            p(step, self.i, self.n)

    def done(self) -> None:
        self.i += 1
        p = self.progress
        if p is None:
            return
        if isinstance(p, _TqdmLike):
            p.update(1)
        elif self.i == self.n:
            p("done", self.n, self.n)


def _check_sources(source_dir: Path) -> dict[str, Path]:
    """Resolve every input; report all missing files in one error."""
    paths, missing = {}, []
    for key, src in SOURCES.items():
        p = source_dir / src.relpath
        if p.is_file():
            paths[key] = p
        else:
            missing.append(f"{src.relpath!r} ({src.what})")
    if key_shp := paths.get("etys_boundaries"):
        for ext in (".shx", ".dbf", ".prj"):
            side = key_shp.with_suffix(ext)
            if not side.is_file():
                missing.append(
                    f"{str(Path(SOURCES['etys_boundaries'].relpath).with_suffix(ext))!r} "
                    "(shapefile side file of the ETYS boundaries)"
                )
    if missing:
        msg = (
            f"GB open-data folder {str(source_dir)!r} is incomplete; missing {len(missing)} file(s): "
            + "; ".join(missing)
            + ". Restore them or point `source_dir` at a complete copy"
        )
        raise InputFileError(msg)
    return paths


def _write_layer(path: Path, name: str, gdf: gpd.GeoDataFrame) -> None:
    if gdf.crs is None or not gdf.crs.equals(BNG):
        msg = f"internal error: layer {name!r} is in {gdf.crs}, not {BNG}"
        raise OutputError(msg)
    pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG")


def build_gb_layers(
    source_dir: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    progress: ProgressCallback | _TqdmLike | None = None,
    overwrite: bool = True,
    water_company_regions: str | os.PathLike[str] | None = None,
    water_overrides: Mapping[str, str] | str | os.PathLike[str] | None = None,
) -> BuildReport:
    """Build the GB layer stack from the public open datasets into one GeoPackage.

    Every layer is checked for its CRS, reprojected to EPSG:27700, repaired (``make_valid``),
    de-duplicated and cleaned; every row removed is counted under a reason. The GeoPackage is
    written to a temporary file beside ``out_path`` and renamed into place only when complete.

    Parameters
    ----------
    source_dir
        Folder laid out like ``../shared/gb-open-data`` (see
        :data:`growthzones.gbdata.sources.SOURCES` for the files read).
    out_path
        Output GeoPackage (``.gpkg``).
    progress
        Optional progress reporting, either

        - a callable ``progress(step_name: str, i: int, n: int)``, called as each step starts
          (``i`` = 0-based step index, ``n = len(STEPS)``) and once more as
          ``progress("done", n, n)`` at the end; or
        - a tqdm-like object (anything with ``update``), e.g. ``tqdm.tqdm(total=len(STEPS))``:
          its ``total`` is set to ``n``, ``set_description_str(step)`` is called as each step
          starts and ``update(1)`` as it ends. The caller closes it.
    overwrite
        If False, an existing ``out_path`` is an error (checked before any work).
    water_company_regions
        CSV replacing the committed region -> water company table (see
        :mod:`growthzones.gbdata.water`).
    water_overrides
        Region code -> water classification overrides (mapping or CSV path).

    Returns
    -------
    BuildReport
        Per-layer sources, licences, counts, drops with reasons, repairs and notes;
        ``.to_frame()`` is the ``layer_metadata`` table, ``.summary()`` a text summary.

    Raises
    ------
    InputFileError
        If the source folder or any input file is missing (all missing files are listed, by
        relative path and what they are) or unreadable.
    OutputError
        If ``out_path`` cannot be written.

    Notes
    -----
    Layers written: :data:`LAYER_NAMES`, plus the plain tables ``tec_sites_ungeocoded`` (TEC
    connection sites that could not be placed) and ``layer_metadata`` (one row per layer:
    ``layer, source, licence, attribution, feature_count, dropped, notes, built_at,
    package_version`` and more).
    """
    t0 = time.perf_counter()
    src_dir = check_source_dir(source_dir)
    out = check_output_path(out_path, overwrite=overwrite)
    paths = _check_sources(src_dir)
    report = BuildReport(
        source_dir=src_dir,
        out_path=out,
        built_at=_dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        package_version=_package_version(),
        transformation=transformation_note(),
    )
    prog = _Progress(progress, len(STEPS))
    layers: dict[str, gpd.GeoDataFrame] = {}
    tables: dict[str, pd.DataFrame] = {}

    def add(gdf: gpd.GeoDataFrame, rep: LayerReport) -> None:
        layers[rep.name] = gdf
        report.layers.append(rep)

    def step(name: str) -> None:
        logger.info("building %s", name)
        prog.start(name)

    step("boundaries")
    topo = read_topojson(paths["ons_topo"])
    add(*boundaries.build_lad(topo, ltla_list=paths["ltla25"]))
    add(*boundaries.build_regions(topo))
    add(*boundaries.build_countries(topo))
    del topo
    prog.done()

    step("gsp_regions")
    add(*grid.build_gsp_regions(paths["gsp_regions"], paths["gsp_info"]))
    prog.done()
    step("gsp_points")
    add(*grid.build_gsp_points(paths["gsp_info"]))
    prog.done()
    step("hv_lines")
    add(*grid.build_hv_lines(paths["osm_links"]))
    prog.done()
    step("hv_substations")
    add(*grid.build_hv_substations(paths["osm_vertices"], paths["osm_links"]))
    prog.done()

    step("tec_sites")
    tec, tec_rep, ungeo = grid.build_tec_sites(
        paths["tec"],
        substation_coords_path=paths["substation_coords"],
        gsp_info_path=paths["gsp_info"],
        osm_substations=layers["hv_substations"],
    )
    add(tec, tec_rep)
    ungeo_rep = LayerReport(
        name="tec_sites_ungeocoded",
        sources=tec_rep.sources,
        licence=tec_rep.licence,
        attribution=tec_rep.attribution,
        input_rows=len(ungeo),
        feature_count=len(ungeo),
        notes=[
            "TEC connection sites whose names matched no coordinate source (planned connection nodes, "
            f"offshore platforms, new substations): {ungeo['contracted_mw'].sum():,.0f} MW contracted"
        ],
    )
    tables[ungeo_rep.name] = ungeo
    report.layers.append(ungeo_rep)
    report.tables.append(ungeo_rep.name)
    prog.done()

    step("tec_by_gsp")
    add(*grid.build_tec_by_gsp(layers["tec_sites"], layers["gsp_regions"]))
    prog.done()
    step("constraint_boundaries")
    add(*grid.build_constraint_boundaries(paths["constraint_boundaries"]))
    prog.done()
    step("etys_boundaries")
    add(*grid.build_etys_boundaries(paths["etys_boundaries"], layers["constraint_boundaries"]))
    prog.done()
    step("dno_areas")
    add(*grid.build_dno_areas(paths["dno_areas"]))
    prog.done()
    step("power_stations")
    add(*grid.build_power_stations(paths["dukes"]))
    prog.done()
    step("repd")
    add(*grid.build_repd(paths["repd"]))
    prog.done()
    step("motorways")
    add(*connectivity.build_motorways(paths["motorways"]))
    prog.done()
    step("rail_stations")
    add(*connectivity.build_rail_stations(paths["rail_stations"]))
    prog.done()
    step("national_parks")
    add(*land.build_national_parks(paths["national_parks"]))
    prog.done()
    step("brownfield")
    add(*land.build_brownfield(paths["brownfield"], paths["msoa21_centroids"]))
    prog.done()
    step("population")
    add(*land.build_population(paths["msoa21_centroids"]))
    prog.done()
    step("water_stress")
    add(
        *water.build_water_stress(
            paths["water_stress"], layers["regions"], company_regions=water_company_regions, overrides=water_overrides
        )
    )
    prog.done()

    step("write")
    with atomic_path(out, overwrite=overwrite) as tmp:
        for rep in report.layers:
            if rep.name in layers:
                _write_layer(tmp, rep.name, layers[rep.name])
            else:
                pyogrio.write_dataframe(tables[rep.name], tmp, layer=rep.name, driver="GPKG")
        report.elapsed_s = time.perf_counter() - t0
        pyogrio.write_dataframe(report.to_frame(), tmp, layer=METADATA_TABLE, driver="GPKG")
    report.tables.append(METADATA_TABLE)
    prog.done()
    report.elapsed_s = time.perf_counter() - t0
    logger.info("GB layer stack written to %s in %.1f s", out, report.elapsed_s)
    return report
