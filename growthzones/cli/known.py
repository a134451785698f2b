"""``growthzones check-known``: where places one already knows land in a config's ranking."""

from __future__ import annotations

from pathlib import Path

import click

from growthzones.atomic import atomic_path
from growthzones.cli._common import progress_bar
from growthzones.errors import OutputError

__all__ = ["COMMANDS", "check_known_command"]


@click.command("check-known")
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("known_csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for known_sites.csv and known_sites_map.html.")  # fmt: skip
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace existing output files (atomically) or refuse.")  # fmt: skip
@click.pass_context
def check_known_command(ctx: click.Context, config: Path, known_csv: Path, out_dir: Path, overwrite: bool) -> None:
    """Check CONFIG against the known places of KNOWN_CSV (name, latitude, longitude).

    For each place: its nearest candidate, rank, percentile among eligible candidates, failed
    gates and the criteria holding it back; written as a CSV and a map (HTML).
    """
    import pandas as pd

    import growthzones as gz
    from growthzones.known import check_known, read_known
    from growthzones.maps import known_map

    known = read_known(known_csv)  # a bad CSV fails before the slow part
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"--out: cannot create folder {str(out_dir)!r} ({exc.strerror or exc}); choose another folder"
        raise OutputError(msg) from exc
    with progress_bar(ctx, "assessing") as progress:
        a = gz.assess(config, progress=progress)
    check = check_known(a, known)
    csv_path, map_path = out_dir / "known_sites.csv", out_dir / "known_sites_map.html"
    with atomic_path(csv_path, overwrite=overwrite) as tmp:
        check.table.to_csv(tmp, index=False)
    with atomic_path(map_path, overwrite=overwrite) as tmp:
        known_map(a, check).save(str(tmp))
    if not (ctx.obj and ctx.obj.get("quiet")):
        click.echo(f"{a.config.project.name}: {len(a.sites)} sites, {a.n_eligible} eligible")
        head = f"{'known place':<40} {'nearest site':<14} {'km':>5} {'rank':>5} {'pct':>5}"
        click.echo(f"{head}  failed gates / held back by")
        for _, r in check.table.iterrows():
            rank = "-" if pd.isna(r["rank"]) else str(int(r["rank"]))
            pct = "-" if rank == "-" else f"{r['percentile']:.0f}"
            why = r["gates_failed"] if not r["eligible"] else r["held_back_by"].split("; ")[0]
            click.echo(f"{str(r['name'])[:40]:<40} {r['site_id']:<14} {r['distance_km']:5.1f} {rank:>5} {pct:>5}  "
                       f"{why}")  # fmt: skip
        click.echo(f"wrote csv: {csv_path}")
        click.echo(f"wrote map: {map_path}")


COMMANDS = (check_known_command,)
