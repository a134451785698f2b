"""``growthzones compare``: the same bids ranked under several aggregation methods."""

from __future__ import annotations

from pathlib import Path

import click

from growthzones.atomic import check_output_path
from growthzones.cli._common import progress_bar

__all__ = ["COMMANDS", "compare"]


@click.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--methods", default="wlc,wpm,topsis,vikor,promethee2", show_default=True,
              help="Comma-separated aggregation methods.")  # fmt: skip
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None, help="Write the rank table to CSV.")
@click.option("--top", "top_n", type=click.IntRange(min=1), default=10, show_default=True, help="Movers to print.")
@click.pass_context
def compare(ctx: click.Context, config: Path, methods: str, csv_path: Path | None, top_n: int) -> None:
    """Rank CONFIG's sites under several METHODS; print agreement and the sites that move most."""
    import growthzones as gz
    from growthzones import mcda
    from growthzones.config import choice

    names = [choice(m.strip(), tuple(mcda.AGGREGATION_METHODS), "--methods") for m in methods.split(",") if m.strip()]
    if csv_path is not None:
        check_output_path(csv_path)
    with progress_bar(ctx, "assessing") as progress:
        a = gz.assess(config, progress=progress)
    cmp = a.compare_methods(names)
    click.echo(f"Kendall tau between methods ({a.n_eligible} eligible sites):")
    click.echo(cmp.kendall.round(3).to_string())
    click.echo(f"\nSites whose rank moves most between methods (top {top_n}):")
    click.echo(cmp.movers(top_n).drop(columns="mean_rank").to_string())
    if csv_path is not None:
        cmp.to_csv(str(csv_path))
        click.echo(f"wrote {csv_path}")


COMMANDS = (compare,)
