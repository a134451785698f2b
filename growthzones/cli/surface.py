"""``growthzones surface``: the config evaluated on a grid of cells, written as a COG GeoTIFF."""

from __future__ import annotations

from pathlib import Path

import click

from growthzones.atomic import check_output_path
from growthzones.cli._common import LiveHelpOption, apply_method_option, method_help, params_help, progress_bar

__all__ = ["COMMANDS", "surface"]


@click.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--cell-size", type=float, default=100.0, show_default=True, help="Cell size in metres.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output Cloud-Optimised GeoTIFF (bands: score, eligible, gate_code, group_*, pass_*).")  # fmt: skip
@click.option("--outline", default=None,
              help="The area: a [layers] key, a vector file, or 'sites' (the sites' polygons); default: a layer "
                   "keyed outline/gb_outline, else the sites' extent.")  # fmt: skip
@click.option("--outline-layer", default=None, help="Layer of the --outline file (GeoPackages with several layers).")
@click.option("--drop", multiple=True, help="Leave a criterion out of the surface (repeatable), e.g. a site's area.")
@click.option("--dask", "use_dask", is_flag=True, help="Compute in chunks on Dask (local cluster unless --scheduler).")
@click.option("--chunks", type=click.IntRange(min=16), default=2048, show_default=True,
              help="Chunk size in cells with --dask; sets the peak memory per worker.")  # fmt: skip
@click.option("--scheduler", default=None, help="Address of a running Dask scheduler (implies --dask).")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Seconds to wait for the --scheduler to answer.")  # fmt: skip
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Local Dask workers (default: one per core).")
@click.option("--max-memory", type=float, default=None,
              help="GB allowed in memory without Dask (default: 70% of the available memory).")  # fmt: skip
@click.option("--quicklook", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a PNG quicklook with a legend.")  # fmt: skip
@click.option("--top-percent", type=float, default=None,
              help="Add a band p_top: per cell, the probability of being in the top X% of eligible cells under "
                   "sampled weights (and the criteria's declared uncertainty).")  # fmt: skip
@click.option("--samples", type=click.IntRange(min=1), default=100, show_default=True,
              help="Weight samples for --top-percent.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the samples for --top-percent.")
@click.option("--concentration", type=float, default=None,
              help="Dirichlet precision of weights around the configured ones; default uniform.")  # fmt: skip
@click.option("--method", default=None, cls=LiveHelpOption, help_fn=method_help)
@click.option("--params", default=None, cls=LiveHelpOption, help_fn=params_help)
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace existing output files (atomically) or refuse.")  # fmt: skip
@click.pass_context
def surface(
    ctx: click.Context,
    config: Path,
    cell_size: float,
    out: Path,
    outline: str | None,
    outline_layer: str | None,
    drop: tuple[str, ...],
    use_dask: bool,
    chunks: int,
    scheduler: str | None,
    timeout: float,
    workers: int | None,
    max_memory: float | None,
    quicklook: Path | None,
    top_percent: float | None,
    samples: int,
    seed: int,
    concentration: float | None,
    method: str | None,
    params: str | None,
    overwrite: bool,
) -> None:
    """Evaluate CONFIG on a grid of cells over its area: the suitability surface."""
    import contextlib

    import growthzones as gz
    from growthzones import surface as gs
    from growthzones.surface.heap import freed_memory_kept

    check_output_path(out, overwrite=overwrite)
    if quicklook is not None:
        check_output_path(quicklook, overwrite=overwrite)
    use_dask = use_dask or scheduler is not None
    cfg = apply_method_option(gz.load_config(config), method, params)
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    # The cluster first: an address that does not answer is reported before any work.
    client_cm = gs.cluster(scheduler, workers=workers, timeout=timeout) if use_dask else contextlib.nullcontext()
    with client_cm:
        with progress_bar(ctx, "reading layers") as progress:
            plan = gs.plan_surface(cfg, cell_size, outline=outline, outline_layer=outline_layer, drop=drop,
                                   halo=gs.dask_halo(chunks) if use_dask else 0, progress=progress)  # fmt: skip
        for note in plan.notes:
            click.echo(f"note: {note}", err=True)
        limit = None if max_memory is None else max_memory * 1e9
        if use_dask:
            ds = gs.surface(plan, dask=True, chunks=chunks)
        else:
            gs.check_memory(plan, max_memory=limit)
            # Freed grids reused while the cells are computed, given back before writing (surface.heap).
            with freed_memory_kept(), progress_bar(ctx, "surface") as progress:
                ds = gs.surface(plan, max_memory=limit, progress=progress)
        if top_percent is not None:
            with progress_bar(ctx, "top probability") as progress:
                ds["p_top"] = gs.top_probability(plan, top_percent=top_percent, samples=samples, seed=seed,
                                                 concentration=concentration, dask=use_dask, chunks=chunks,
                                                 progress=progress)  # fmt: skip
            ds.attrs["p_top"] = f"top {top_percent:g}% of eligible cells, {samples} weight samples, seed {seed}"
        with progress_bar(ctx, "writing") as progress:
            gs.write_surface(ds, out, overwrite=overwrite, progress=progress)
        if quicklook is not None:
            gs.quicklook(gs.read_surface(out, chunks={"x": 4096, "y": 4096}) if use_dask else ds, quicklook,
                         overwrite=overwrite)  # fmt: skip
    if not quiet:
        g = plan.grid
        click.echo(f"{cfg.project.name}: surface of {g.height:,} x {g.width:,} cells at {g.cell:g} m "
                   f"({plan.area.label}), method {plan.method}")  # fmt: skip
        click.echo(f"wrote {out}" + (f" and {quicklook}" if quicklook else ""))


COMMANDS = (surface,)
