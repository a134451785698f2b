"""``growthzones rank`` and ``growthzones demo``: rank sites and write the shortlist."""

from __future__ import annotations

from pathlib import Path

import click

from growthzones.atomic import atomic_path, check_output_path
from growthzones.cli._common import (
    LiveHelpOption,
    apply_method_option,
    method_help,
    params_help,
    parse_weights,
    progress_bar,
)
from growthzones.errors import ConfigError, OutputError

__all__ = ["COMMANDS", "demo", "rank"]


def _output_options(f):
    f = click.option("--overwrite/--no-overwrite", default=True, show_default=True,
                     help="Replace existing output files (atomically) or refuse.")(f)  # fmt: skip
    f = click.option("--top", "top_n", type=click.IntRange(min=1), default=20, show_default=True,
                     help="How many top sites to print.")(f)  # fmt: skip
    f = click.option("--params", default=None, cls=LiveHelpOption, help_fn=params_help)(f)
    f = click.option("--method", default=None, cls=LiveHelpOption, help_fn=method_help)(f)
    f = click.option("--weights", default=None, help="Group or criterion weights, e.g. grid=0.4,land=0.2.")(f)
    return f


@click.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=True, path_type=Path), default=None, help="Shortlist GeoPackage.")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None, help="Ranking as CSV.")
@click.option("--map", "map_path", type=click.Path(path_type=Path), default=None, help="Interactive map (HTML).")
@_output_options
@click.pass_context
def rank(
    ctx: click.Context,
    config: Path,
    out: Path | None,
    csv_path: Path | None,
    map_path: Path | None,
    weights: str | None,
    method: str | None,
    params: str | None,
    top_n: int,
    overwrite: bool,
) -> None:
    """Rank the candidate sites of CONFIG and write the shortlist."""
    _run(ctx, config, out=out, csv_path=csv_path, map_path=map_path, weights=weights, method=method, params=params,
         top_n=top_n, overwrite=overwrite)  # fmt: skip


@click.command()
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True,
              help="Folder for shortlist.gpkg, shortlist.csv and map.html.")  # fmt: skip
@_output_options
@click.pass_context
def demo(
    ctx: click.Context,
    out_dir: Path,
    weights: str | None,
    method: str | None,
    params: str | None,
    top_n: int,
    overwrite: bool,
) -> None:
    """Rank the bundled demo bids (illustrative demo data) into OUT_DIR."""
    from growthzones.datasets import demo_config_path

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"--out-dir: cannot create folder {str(out_dir)!r} ({exc.strerror or exc}); choose another folder"
        raise OutputError(msg) from exc
    _run(ctx, demo_config_path(), out=out_dir / "shortlist.gpkg", csv_path=out_dir / "shortlist.csv",
         map_path=out_dir / "map.html", weights=weights, method=method, params=params, top_n=top_n,
         overwrite=overwrite)  # fmt: skip


def _run(
    ctx: click.Context,
    config_path: Path,
    *,
    out: Path | None,
    csv_path: Path | None,
    map_path: Path | None,
    weights: str | None,
    method: str | None,
    params: str | None,
    top_n: int,
    overwrite: bool,
) -> None:
    import growthzones as gz
    from growthzones.provenance import DEMO_NOTICE

    # Check outputs before the slow part, so a bad path fails in a second, not a minute.
    for p in (out, csv_path, map_path):
        if p is not None:
            check_output_path(p, overwrite=overwrite)
    cfg = gz.load_config(config_path)
    cfg = apply_method_option(apply_weight_option(cfg, weights), method, params)
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    with progress_bar(ctx, "assessing") as progress:
        a = gz.assess(cfg, progress=progress)
    if not quiet:
        if cfg.project.demo:
            click.echo(f"NOTE: {DEMO_NOTICE}")
        for note in a.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(_summary(a, top_n))
        if a.districts is not None:
            click.echo(_district_lines(a.districts, top_n))
    if out is not None:
        a.to_geopackage(out, overwrite=overwrite)
    if csv_path is not None:
        a.to_csv(csv_path, overwrite=overwrite)
    if map_path is not None:
        with atomic_path(map_path, overwrite=overwrite) as tmp:
            a.map().save(str(tmp))
    if not quiet:
        for label, p in (("shortlist", out), ("csv", csv_path), ("map", map_path)):
            if p is not None:
                click.echo(f"wrote {label}: {p}")


def apply_weight_option(cfg, text: str | None):
    """Apply ``--weights name=value,...`` where names are groups or criteria."""
    pairs = parse_weights(text)
    groups = {k: v for k, v in pairs.items() if k in cfg.weights}
    crits = {k: v for k, v in pairs.items() if k not in cfg.weights}
    names = {c.name for c in cfg.criteria}
    for k in crits:
        if k not in names:
            from growthzones.config import did_you_mean

            msg = f"--weights: {k!r} is neither a group nor a criterion{did_you_mean(k, [*cfg.weights, *names])}"
            raise ConfigError(msg)
    return cfg.with_weights(groups or None, crits or None) if pairs else cfg


def _summary(a, top_n: int) -> str:
    top = a.top(top_n)
    groups = list(a.weights.groups.index)
    wid = max([10, *(len(str(i)) for i in top.index)])
    head = f"{'rank':>4}  {'site':<{wid}} {'name':<38} {'score':>6}  " + "  ".join(f"{g[:7]:>7}" for g in groups)
    lines = [
        f"{a.config.project.name}: {len(a.sites)} sites, {a.n_eligible} eligible, method {a.config.method.name}",
        head,
    ]
    for sid, r in top.iterrows():
        subs = "  ".join(f"{r[f'{g}_score']:7.1f}" for g in groups)
        lines.append(f"{int(r['rank']):>4}  {sid!s:<{wid}} {str(r['name'])[:38]:<38} {r['score']:6.1f}  {subs}")
    return "\n".join(lines)


def _district_lines(d, top_n: int) -> str:
    lines = [
        f"Districts ({len(d)}), by their best site:",
        f"{'rank':>4}  {'district':<28} {'best':>6} {'eligible':>8} {'spread':>6}  best site",
    ]
    for name, r in d.head(top_n).iterrows():
        best = "-" if r["best_site"] is None else str(r["best_site"])[:50]
        lines.append(f"{int(r['district_rank']):>4}  {str(name)[:28]:<28} {r['best_score']:6.1f} "
                     f"{int(r['n_eligible']):>4}/{int(r['n_sites']):<3} {r['score_spread']:6.1f}  {best}")  # fmt: skip
    return "\n".join(lines)


COMMANDS = (rank, demo)
