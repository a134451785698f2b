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
from growthzones.gbdata import boundaries, connectivity, former, grid, land, water
from growthzones.gbdata._common import BNG, LayerReport, transformation_note
from growthzones.gbdata.sources import SOURCES, check_source_dir
from growthzones.gbdata.topojson import read_topojson

logger = logging.getLogger(__name__)

__all__ = [
    "GB_LAYERS",
    "LAYER_NAMES",
    "STEPS",
    "BuildInputs",
    "BuildReport",
    "GBLayerStep",
    "ProgressCallback",
    "build_gb_layers",
    "register_gb_layer",
    "unregister_gb_layer",
]

METADATA_TABLE = "layer_metadata"

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
            feature_count, dropped_count, dropped, repairs, notes, nations, built_at,
            package_version`` (``nations``: the nations the layer covers, "; "-separated).

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
                    "nations": "; ".join(r.nations),
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


@dataclass(frozen=True)
class BuildInputs:
    """What a layer step reads: the resolved source files, the layers built before it, options.

    Attributes
    ----------
    paths
        Source key (:data:`growthzones.gbdata.sources.SOURCES`) -> file.
    layers
        Layers built by earlier steps, by name.
    options
        ``water_company_regions``, ``water_overrides`` and any other option of
        :func:`build_gb_layers`.
    """

    paths: Mapping[str, Path]
    layers: Mapping[str, gpd.GeoDataFrame]
    options: Mapping[str, Any]


#: What a step returns: (layer, report) pairs; a plain DataFrame is written as a table.
StepOutput = list[tuple[pd.DataFrame, LayerReport]]


@dataclass(frozen=True)
class GBLayerStep:
    """One step of the GB layer stack, declared once.

    Attributes
    ----------
    name
        The progress step's name.
    layers
        The spatial layers it writes (a step may write several, e.g. the ONS boundaries).
    build
        ``build(inputs: BuildInputs) -> [(GeoDataFrame or DataFrame, LayerReport), ...]``.
    """

    name: str
    layers: tuple[str, ...]
    build: Callable[[BuildInputs], StepOutput]


#: The steps in build order (a step may use the layers of the steps before it).
GB_LAYERS: list[GBLayerStep] = []


def register_gb_layer(
    name: str, layers: tuple[str, ...] | None = None, *, replace: bool = False
) -> Callable[[Callable[[BuildInputs], StepOutput]], Callable[[BuildInputs], StepOutput]]:
    """Declare a step of the GB layer stack (a decorator); it is built after those before it.

    Parameters
    ----------
    name
        The step's name (shown in progress).
    layers
        The spatial layers it writes (default: one layer named ``name``).
    replace
        Allow replacing a step of the same name (it keeps its place).

    Examples
    --------
    >>> from growthzones.gbdata import build
    >>> @register_gb_layer("demo_points")
    ... def _demo(inputs):
    ...     return []
    >>> build.STEPS[-2:], "demo_points" in build.LAYER_NAMES
    (('demo_points', 'write'), True)
    >>> unregister_gb_layer("demo_points")
    >>> "demo_points" in build.STEPS
    False
    """

    def add(func: Callable[[BuildInputs], StepOutput]) -> Callable[[BuildInputs], StepOutput]:
        step = GBLayerStep(name, tuple(layers) if layers is not None else (name,), func)
        names = [s.name for s in GB_LAYERS]
        if name in names:
            if not replace:
                msg = f"GB layer step {name!r} is already registered; pass replace=True to replace it"
                raise ValueError(msg)
            GB_LAYERS[names.index(name)] = step
        else:
            GB_LAYERS.append(step)
        _refresh()
        return func

    return add


def unregister_gb_layer(name: str) -> None:
    """Remove a step (for tests and plug-ins that clean up).

    Examples
    --------
    >>> unregister_gb_layer("no_such_step")
    """
    GB_LAYERS[:] = [s for s in GB_LAYERS if s.name != name]
    _refresh()


STEPS: tuple[str, ...] = ()
"""Progress steps, in order (``len(STEPS)`` is the ``n`` passed to ``progress``)."""

LAYER_NAMES: tuple[str, ...] = ()
"""Spatial layers written to the GeoPackage (besides the tables ``tec_sites_ungeocoded`` and
``layer_metadata``)."""


def _refresh() -> None:
    global STEPS, LAYER_NAMES  # derived from GB_LAYERS; read them through the module
    STEPS = (*(s.name for s in GB_LAYERS), "write")
    LAYER_NAMES = tuple(n for s in GB_LAYERS for n in s.layers)


def _one(func: Callable[..., tuple[gpd.GeoDataFrame, LayerReport]], *keys: str) -> Callable[[BuildInputs], StepOutput]:
    """A step that calls ``func`` on the source files ``keys``."""
    return lambda inputs: [func(*(inputs.paths[k] for k in keys))]


@register_gb_layer("boundaries", ("lad", "regions", "countries"))
def _boundaries(inputs: BuildInputs) -> StepOutput:
    topo = read_topojson(inputs.paths["ons_topo"])
    return [
        boundaries.build_lad(topo, ltla_list=inputs.paths["ltla25"]),
        boundaries.build_regions(topo),
        boundaries.build_countries(topo),
    ]


register_gb_layer("gsp_regions")(_one(grid.build_gsp_regions, "gsp_regions", "gsp_info"))
register_gb_layer("gsp_points")(_one(grid.build_gsp_points, "gsp_info"))
register_gb_layer("hv_lines")(_one(grid.build_hv_lines, "osm_links"))
register_gb_layer("hv_substations")(_one(grid.build_hv_substations, "osm_vertices", "osm_links"))


@register_gb_layer("tec_sites")
def _tec_sites(inputs: BuildInputs) -> StepOutput:
    tec, tec_rep, ungeo = grid.build_tec_sites(
        inputs.paths["tec"],
        substation_coords_path=inputs.paths["substation_coords"],
        gsp_info_path=inputs.paths["gsp_info"],
        osm_substations=inputs.layers["hv_substations"],
    )
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
    return [(tec, tec_rep), (ungeo, ungeo_rep)]


register_gb_layer("tec_by_gsp")(
    lambda inputs: [grid.build_tec_by_gsp(inputs.layers["tec_sites"], inputs.layers["gsp_regions"])]
)
register_gb_layer("constraint_boundaries")(_one(grid.build_constraint_boundaries, "constraint_boundaries"))
register_gb_layer("etys_boundaries")(
    lambda inputs: [grid.build_etys_boundaries(inputs.paths["etys_boundaries"], inputs.layers["constraint_boundaries"])]
)
register_gb_layer("dno_areas")(_one(grid.build_dno_areas, "dno_areas"))
register_gb_layer("power_stations")(_one(grid.build_power_stations, "dukes"))
register_gb_layer("former_stations")(_one(former.build_former_stations, "jrc_ppdb", "nuclear_reactors", "dukes"))
register_gb_layer("repd")(_one(grid.build_repd, "repd"))
register_gb_layer("motorways")(_one(connectivity.build_motorways, "motorways"))
register_gb_layer("rail_stations")(_one(connectivity.build_rail_stations, "rail_stations"))
register_gb_layer("national_parks")(_one(land.build_national_parks, "national_parks"))
register_gb_layer("brownfield")(_one(land.build_brownfield, "brownfield", "msoa21_centroids"))
register_gb_layer("population")(_one(land.build_population, "msoa21_centroids"))
register_gb_layer("water_stress")(
    lambda inputs: [
        water.build_water_stress(
            inputs.paths["water_stress"],
            inputs.layers["regions"],
            company_regions=inputs.options.get("water_company_regions"),
            overrides=inputs.options.get("water_overrides"),
        )
    ]
)


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
    Layers written: :data:`LAYER_NAMES` (from the steps of :data:`GB_LAYERS`, in order), plus
    the plain tables ``tec_sites_ungeocoded`` (TEC
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
    options = {"water_company_regions": water_company_regions, "water_overrides": water_overrides}

    def step(name: str) -> None:
        logger.info("building %s", name)
        prog.start(name)

    for layer_step in GB_LAYERS:
        step(layer_step.name)
        for obj, rep in layer_step.build(BuildInputs(paths, layers, options)):
            if isinstance(obj, gpd.GeoDataFrame):
                layers[rep.name] = obj
            else:
                tables[rep.name] = obj
                report.tables.append(rep.name)
            report.layers.append(rep)
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
