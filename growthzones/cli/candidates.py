"""``growthzones candidates``: generate candidate sites for Great Britain from the GB layer stack.

Reads the GeoPackage written by ``growthzones data gb`` and writes one GeoPackage with a
layer per kind of candidate:

``lad_candidates``
    One candidate per local authority district of Great Britain (England, Scotland, Wales;
    Northern Ireland is outside British National Grid and is left out): the district polygon.
``site_candidates``
    Site-sized squares (100 ha by default) beside the 275/400 kV substations (wholly on the land
    of Great Britain and clear of the constraint layers, national parks by default) and on each
    closed or closing large power station of the stack's ``former_stations`` layer.
``grid_candidates``
    The same squares on a regular grid over the land (a GB-wide baseline).

The work is :func:`growthzones.candidates.gb_candidates` (context columns described there);
this module only parses the options, calls it and prints.
"""

from __future__ import annotations

from pathlib import Path

import click

from growthzones.atomic import check_output_path
from growthzones.candidates import (
    DEFAULT_BOUNDARIES,
    gb_candidates,
    read_stack,
    stack_layers_needed,
    summary_lines,
    write_candidates,
)
from growthzones.errors import LayerError

__all__ = ["COMMANDS", "candidates"]


# --------------------------------------------------------------------------------------------
# the command


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


@click.command()
@click.option("--layers", "layers_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("build/gb_layers.gpkg"), show_default=True,
              help="The GB layer stack built by `growthzones data gb`.")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("build/candidates.gpkg"),
              show_default=True, help="Output GeoPackage: one layer per kind of candidate.")  # fmt: skip
@click.option("--lad", is_flag=True, help="One candidate per local authority district (layer lad_candidates).")
@click.option("--grid", is_flag=True, help="Squares on a regular grid over the land (layer grid_candidates).")
@click.option("--substations", is_flag=True, help="Squares beside high-voltage substations (layer site_candidates).")
@click.option("--former", is_flag=True,
              help="Squares on closed or closing large power stations (layer site_candidates).")  # fmt: skip
@click.option("--regions", "regions_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Regions from `growthzones locate` (GeoPackage) to add to site_candidates.")  # fmt: skip
@click.option("--grid-km", type=click.FloatRange(min=1, min_open=False), default=20.0, show_default=True,
              help="Grid spacing, km.")  # fmt: skip
@click.option("--size-ha", type=click.FloatRange(min=0, min_open=True), default=100.0, show_default=True,
              help="Size of each square site, hectares.")  # fmt: skip
@click.option("--min-kv", type=float, default=275.0, show_default=True,
              help="Lowest substation voltage for --substations (275 and 400 kV = the supergrid).")  # fmt: skip
@click.option("--offset-km", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Distance from a substation to the centre of its square, km.")  # fmt: skip
@click.option("--exclude", multiple=True, default=("national_parks",), show_default=True,
              help="Constraint layer of the stack: squares overlapping it are dropped (repeatable).")  # fmt: skip
@click.option("--boundaries", default=",".join(DEFAULT_BOUNDARIES), show_default=True,
              help="ETYS boundaries, north to south, counted in the boundaries_south column.")  # fmt: skip
@click.option("--water-unassessed", type=float, default=0.5, show_default=True,
              help="water_stress_score where the EA did not assess water stress (Scotland, Wales).")  # fmt: skip
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace an existing output (atomically) or refuse.")  # fmt: skip
@click.pass_context
def candidates(
    ctx: click.Context,
    layers_path: Path,
    out: Path,
    lad: bool,
    grid: bool,
    substations: bool,
    former: bool,
    regions_path: Path | None,
    grid_km: float,
    size_ha: float,
    min_kv: float,
    offset_km: float,
    exclude: tuple[str, ...],
    boundaries: str,
    water_unassessed: float,
    overwrite: bool,
) -> None:
    """Generate GB candidate sites from the layer stack into one GeoPackage.

    With none of --lad, --grid, --substations, --former, all are made: `lad_candidates` (one per
    district of England, Scotland and Wales), `site_candidates` (squares beside 275/400 kV
    substations, wholly on land and clear of national parks, and on closed or closing large power
    stations) and `grid_candidates` (squares on a grid).
    """
    if not (lad or grid or substations or former):
        lad = grid = substations = former = True
    regions = None
    if regions_path is not None:
        from growthzones.layers import read_vector

        regions, _ = read_vector(regions_path, crs="EPSG:27700", what="--regions")
        if "site_id" not in regions.columns:
            msg = f"--regions: {str(regions_path)!r} has no site_id column; pass the GeoPackage of growthzones locate"
            raise LayerError(msg)
    check_output_path(out, overwrite=overwrite)
    bnames = _split(boundaries)
    exclude = tuple(e for x in exclude for e in _split(x))
    stack = read_stack(
        layers_path,
        stack_layers_needed(lad=lad, sites=grid or substations or regions is not None, exclude=exclude, former=former),
    )
    notes: list[str] = []
    made = gb_candidates(
        stack, lad=lad, grid=grid, substations=substations, former=former, grid_km=grid_km, size_ha=size_ha,
        min_kv=min_kv, offset_km=offset_km, exclude=exclude, boundaries=bnames, water_unassessed=water_unassessed,
        notes=notes, regions=regions,
    )  # fmt: skip
    write_candidates(made, out, overwrite=overwrite)
    if not (ctx.obj and ctx.obj.get("quiet")):
        for line in notes:
            click.echo(f"note: {line}", err=True)
        for line in summary_lines(made):
            click.echo(line)
        click.echo(f"wrote candidates: {out}")


COMMANDS = (candidates,)
