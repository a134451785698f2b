"""``growthzones validate``: check every input of a config without ranking."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["COMMANDS", "validate"]


@click.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def validate(ctx: click.Context, config: Path) -> None:
    """Check CONFIG: layers, CRS, feature counts, extents and every problem found."""
    from growthzones.config import load_config
    from growthzones.validate import validate_config

    report = validate_config(load_config(config))
    click.echo(report.text())
    if not report.ok:
        ctx.exit(2)


COMMANDS = (validate,)
