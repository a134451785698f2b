"""``growthzones data gb``: build the GB layer stack from the public open-data folder.

The stack is :func:`growthzones.gbdata.build_gb_layers`' GeoPackage (every registered GB
layer, among them ``exchange_cities`` from the table committed with the package), written to
a temporary path and renamed into place only when complete. The command only checks its
options, calls the library and prints the summary.
"""

from __future__ import annotations

from pathlib import Path

import click

from growthzones.cli._common import progress_bar
from growthzones.errors import ConfigError, InputFileError

__all__ = ["COMMANDS", "data", "gb"]


@click.group()
def data() -> None:
    """Build input data: the GB layer stack from public open data."""


@data.command()
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=None,
    help="The GB open-data folder (boundaries/, grid/, connectivity/, land/, water/), e.g. ../shared/gb-open-data.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("build/gb_layers.gpkg"),
    show_default=True,
    help="Output GeoPackage (its folder is created if missing).",
)
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace an existing output (atomically) or refuse.")  # fmt: skip
@click.option("--water-company-regions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV replacing the committed region -> water company table.")  # fmt: skip
@click.option("--water-overrides", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV of region code -> water classification overrides.")  # fmt: skip
@click.pass_context
def gb(
    ctx: click.Context,
    source: Path | None,
    out: Path,
    overwrite: bool,
    water_company_regions: Path | None,
    water_overrides: Path | None,
) -> None:
    """Build the GB layer stack (EPSG:27700 GeoPackage) from the open-data folder --source.

    Writes every layer of growthzones.gbdata plus `exchange_cities`, and prints a summary:
    features per layer, rows dropped with reasons, and the coordinate transformation used.
    """
    from growthzones.gbdata import build_gb_layers
    from growthzones.gbdata.sources import check_source_dir

    if source is None:
        msg = "--source: give the GB open-data folder, e.g. --source ../shared/gb-open-data"
        raise ConfigError(msg)
    check_source_dir(source)
    if out.suffix.lower() != ".gpkg":
        msg = f"--out: {str(out)!r} is not a GeoPackage name; end it in .gpkg, e.g. build/gb_layers.gpkg"
        raise ConfigError(msg)
    if not out.parent.exists() and str(out.parent):
        try:
            out.parent.mkdir(parents=True)
        except OSError as exc:
            msg = f"--out: cannot create folder {str(out.parent)!r} ({exc.strerror}); choose another path"
            raise InputFileError(msg) from exc
    with progress_bar(ctx, "building") as progress:
        report = build_gb_layers(
            source,
            out,
            progress=progress,
            overwrite=overwrite,
            water_company_regions=water_company_regions,
            water_overrides=water_overrides,
        )
    if not (ctx.obj and ctx.obj.get("quiet")):
        click.echo(report.summary())
        click.echo(f"wrote GB layer stack: {out}")


COMMANDS = (data,)
