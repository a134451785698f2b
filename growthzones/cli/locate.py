"""``growthzones locate``: the best contiguous regions on a suitability surface, as candidate sites.

Reads a surface GeoTIFF (``growthzones surface``), finds the regions with
:func:`growthzones.locate.locate_regions` and writes them to a GeoPackage that ``growthzones
rank`` takes as ``[sites]`` (``path = "regions.gpkg"``, ``id = "site_id"``, ``name = "name"``).
"""

from __future__ import annotations

from pathlib import Path

import click

from growthzones.atomic import check_output_path
from growthzones.cli._common import progress_bar
from growthzones.errors import InputFileError

__all__ = ["COMMANDS", "locate"]


@click.command()
@click.argument("surface", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output GeoPackage of regions (layer `regions`).")  # fmt: skip
@click.option("--regions", type=int, default=None, help="How many regions (--keep sites included).")
@click.option(
    "--total-area", type=float, default=None, help="Total area of the regions, ha (instead of or with --regions)."
)
@click.option("--min-area", type=float, required=True, help="Smallest region, ha.")
@click.option("--max-area", type=float, required=True, help="Largest region, ha.")
@click.option("--min-spacing", type=float, default=0.0, show_default=True, help="Least distance between regions, m.")
@click.option("--max-spacing", type=float, default=None, help="Greatest distance between any two regions, m.")
@click.option("--compactness", type=float, default=0.5, show_default=True,
              help="Shape against score, 0..1 (0: best cells, any shape; 1: as round as possible).")  # fmt: skip
@click.option("--evaluate", type=click.Choice(["mean", "sum"]), default="mean", show_default=True,
              help="A region's worth: its mean score, or its score summed over hectares.")  # fmt: skip
@click.option(
    "--keep",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Existing sites to keep: they count towards --regions and new regions keep --min-spacing from them.",
)
@click.option(
    "--avoid", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Sites whose cells must not be used."
)
@click.option(
    "--seeds", type=click.IntRange(min=1), default=None, help="Seeds growing candidate regions [10 x regions]."
)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds for the exact selection; the MIP gap reached is reported.")  # fmt: skip
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace an existing output (atomically) or refuse.")  # fmt: skip
@click.pass_context
def locate(
    ctx: click.Context,
    surface: Path,
    out: Path,
    regions: int | None,
    total_area: float | None,
    min_area: float,
    max_area: float,
    min_spacing: float,
    max_spacing: float | None,
    compactness: float,
    evaluate: str,
    keep: Path | None,
    avoid: Path | None,
    seeds: int | None,
    time_limit: float,
    overwrite: bool,
) -> None:
    """Find the best contiguous regions on SURFACE (a GeoTIFF from `growthzones surface`) and write them as sites."""
    from growthzones.locate import locate_regions, write_result

    check_output_path(out, overwrite=overwrite)
    for option, path in (("--keep", keep), ("--avoid", avoid)):
        if path is not None and not path.exists():
            raise InputFileError(f"{option}: {str(path)!r} does not exist; give a vector file of sites")
    with progress_bar(ctx, "locate") as progress:
        result = locate_regions(
            surface, regions=regions, total_area=total_area, min_area=min_area, max_area=max_area,
            min_spacing=min_spacing, max_spacing=max_spacing, compactness=compactness, evaluate=evaluate,
            keep=keep, avoid=avoid, seeds=seeds, time_limit=time_limit, progress=progress,
        )  # fmt: skip
    write_result(result, out, overwrite=overwrite)
    if not (ctx.obj and ctx.obj.get("quiet")):
        for line in result.summary_lines():
            click.echo(line)
        click.echo(f"wrote regions: {out} (rank them with [sites] path = {str(out)!r}, id = 'site_id', name = 'name')")


COMMANDS = (locate,)
