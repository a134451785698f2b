"""Check every input of a config without ranking, collecting every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyogrio

from growthzones.config import Config
from growthzones.coverage import coverage_table, with_layer_nations
from growthzones.errors import GrowthzonesError
from growthzones.layers import apply_where, read_raster_info, read_vector
from growthzones.sites import prepare_sites

__all__ = ["LayerCheck", "ValidationReport", "validate_config"]


@dataclass
class LayerCheck:
    """What was found about one input."""

    name: str
    kind: str
    path: str
    crs: str = ""
    features: int | None = None
    extent: tuple[float, float, float, float] | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    """Every input checked, with its problems."""

    checks: list[LayerCheck]
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def problems(self) -> list[str]:
        """Every problem found, across inputs."""
        return [p for c in self.checks for p in c.problems]

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def text(self) -> str:
        """A human-readable report.

        Examples
        --------
        >>> check = LayerCheck("sites", "vector", "bids.gpkg", problems=["'bids.gpkg' has no CRS"])
        >>> print(ValidationReport([check]).text())
        BAD sites (vector) bids.gpkg
              problem: 'bids.gpkg' has no CRS
        1 problem(s) found
        """
        lines = []
        for c in self.checks:
            ext = "" if c.extent is None else " extent " + ", ".join(f"{v:,.0f}" for v in c.extent)
            count = "" if c.features is None else f" {c.features:,} features"
            lines.append(f"{'OK ' if not c.problems else 'BAD'} {c.name} ({c.kind}) {c.path}")
            if c.crs or count or ext:
                lines.append(f"      CRS {c.crs or '?'}{count}{ext}")
            lines += [f"      note: {n}" for n in c.notes]
            lines += [f"      problem: {p}" for p in c.problems]
        if not self.coverage.empty:
            lines.append("Coverage by nation (criterion x nation: covered / proxy / unknown, n sites):")
            lines += ["  " + line for line in self.coverage.to_string().splitlines()]
        n = len(self.problems)
        lines.append("no problems found" if n == 0 else f"{n} problem(s) found")
        return "\n".join(lines)


def validate_config(config: Config) -> ValidationReport:
    """Read the sites and every layer of ``config``; report what was found and every problem.

    Unlike :func:`growthzones.assess`, this does not stop at the first problem.

    Examples
    --------
    >>> from growthzones.config import load_config
    >>> from growthzones.datasets import demo_config_path
    >>> report = validate_config(load_config(demo_config_path()))
    >>> report.ok, report.checks[0].name
    (True, 'sites')
    """
    checks: list[LayerCheck] = []
    coverage = pd.DataFrame()
    sc = LayerCheck("sites", "vector", str(config.sites.path))
    try:
        gdf, notes = read_vector(config.sites.path, layer=config.sites.layer, crs=config.project.crs, what="sites")
        sc.notes += notes
        sc.crs, sc.features, sc.extent = (
            _src_crs(config.sites.path, config.sites.layer),
            len(gdf),
            tuple(gdf.total_bounds),
        )
        prepare_sites(
            gdf, id_column=config.sites.id, name_column=config.sites.name, source=config.sites.path, notes=sc.notes
        )
        for c in config.criteria:
            if c.measure == "attribute" and c.attribute not in gdf.columns:
                sc.problems.append(f"criterion {c.name!r}: sites have no column {c.attribute!r}")
        coverage = coverage_table(with_layer_nations(config), gdf)
    except GrowthzonesError as exc:
        sc.problems.append(str(exc))
    checks.append(sc)
    for key, lay in config.layers.items():
        lc = LayerCheck(f"layers.{key}", lay.kind, str(lay.path))
        try:
            if lay.kind == "raster":
                info = read_raster_info(lay, crs=config.project.crs)
                lc.crs, lc.extent, lc.notes = info.crs.to_string(), info.bounds, list(info.notes)
                lc.notes.append(f"resolution {info.res[0]:g} x {info.res[1]:g}, nodata {info.nodata}")
            else:
                gdf, notes = read_vector(lay.path, layer=lay.layer, crs=config.project.crs, what=f"layers.{key}")
                lc.notes += notes
                lc.crs, lc.features, lc.extent = _src_crs(lay.path, lay.layer), len(gdf), tuple(gdf.total_bounds)
                for c in config.criteria:
                    if c.layer != key:
                        continue
                    try:
                        sub = apply_where(gdf, c.where, what=f"criterion {c.name!r}")
                        if c.attribute and c.attribute not in gdf.columns:
                            lc.problems.append(f"criterion {c.name!r}: layer has no column {c.attribute!r}")
                        elif len(sub) == 0:
                            lc.notes.append(f"criterion {c.name!r}: no feature matches where = {c.where!r}")
                    except GrowthzonesError as exc:
                        lc.problems.append(str(exc))
        except GrowthzonesError as exc:
            lc.problems.append(str(exc))
        checks.append(lc)
    return ValidationReport(checks, coverage)


def _src_crs(path: object, layer: str | None) -> str:
    try:
        info = pyogrio.read_info(str(path), layer=layer)
        return str(info.get("crs") or "none")
    except Exception:  # the layer was readable a moment ago; this is only for display
        return "?"
