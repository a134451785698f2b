"""``growthzones robustness``: how often each site stays near the top under uncertain weights."""

from __future__ import annotations

from pathlib import Path

import click

from growthzones.atomic import check_output_path
from growthzones.cli import _common as common
from growthzones.errors import ConfigError

__all__ = ["COMMANDS", "parse_uncertainty", "robustness"]


def parse_uncertainty(text: str | None) -> dict[str, float | tuple[str, str]]:
    """Parse ``grid_headroom=0.3,water_stress=ws_low:ws_high`` into an uncertainty mapping.

    A number is a relative range (+/- 30% for 0.3); ``low:high`` names two site columns.

    Examples
    --------
    >>> parse_uncertainty("grid_headroom=0.3, water_stress=lo:hi")
    {'grid_headroom': 0.3, 'water_stress': ('lo', 'hi')}
    """
    out: dict[str, float | tuple[str, str]] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = (s.strip() for s in part.partition("="))
        lo, colon, hi = value.partition(":")
        try:
            if not sep or not name:
                raise ValueError
            out[name] = (lo.strip(), hi.strip()) if colon else float(value)
        except ValueError:
            msg = (
                f"--uncertainty: cannot read {part.strip()!r}; write criterion=relative_range or "
                "criterion=low_column:high_column, separated by commas, e.g. grid_headroom=0.3"
            )
            raise ConfigError(msg) from None
    return out


def _parse_ks(text: str) -> tuple[int, ...]:
    try:
        ks = tuple(int(s) for s in text.split(",") if s.strip())
        if not ks or min(ks) < 1:
            raise ValueError
    except ValueError:
        msg = f"--ks: {text!r} must be whole numbers >= 1 separated by commas, e.g. 1,5,10,20"
        raise ConfigError(msg) from None
    return ks


@click.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--samples", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Monte Carlo samples of the weights.")  # fmt: skip
@click.option("--seed", type=int, default=None, help="Random seed (same seed, same tables).")
@click.option("--concentration", type=float, default=None,
              help="Sample around the configured weights with this Dirichlet precision; default uniform.")  # fmt: skip
@click.option("--levels", type=click.Choice(["both", "groups", "within", "flat"]), default="both", show_default=True,
              help="Which levels of the weight hierarchy to sample.")  # fmt: skip
@click.option("--uncertainty", default=None,
              help="Uncertain criteria, e.g. grid_headroom=0.3 (+/-30%) or x=low_col:high_col.")  # fmt: skip
@click.option("--ks", default="1,5,10,20", show_default=True, help="k of the P(rank <= k) columns.")
@click.option("--method", default=None, cls=common.LiveHelpOption, help_fn=common.method_help)
@click.option("--params", default=None, cls=common.LiveHelpOption, help_fn=common.params_help)
@click.option("--weights", default=None, help="Group or criterion weights, e.g. grid=0.4,land=0.2.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="GeoPackage: ranked_sites with robustness columns, and a rank_acceptability table.")  # fmt: skip
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace an existing output file (atomically) or refuse.")  # fmt: skip
@click.option("--top", "top_n", type=click.IntRange(min=1), default=20, show_default=True, help="Sites to print.")
@click.pass_context
def robustness(
    ctx: click.Context,
    config: Path,
    samples: int,
    seed: int | None,
    concentration: float | None,
    levels: str,
    uncertainty: str | None,
    ks: str,
    method: str | None,
    params: str | None,
    weights: str | None,
    out: Path | None,
    overwrite: bool,
    top_n: int,
) -> None:
    """Rank acceptability of CONFIG's sites under sampled weights (SMAA)."""
    import growthzones as gz
    from growthzones.export import write_geopackage
    from growthzones.provenance import DEMO_NOTICE

    if out is not None:
        check_output_path(out, overwrite=overwrite)
    ks_t = _parse_ks(ks)
    unc = parse_uncertainty(uncertainty)
    cfg = common.apply_method_option(common.apply_weight_option(gz.load_config(config), weights), method, params)
    with common.progress_bar(ctx, "assessing") as progress:
        a = gz.assess(cfg, progress=progress)
    with common.progress_bar(ctx, "sampling") as progress:
        r = a.robustness(samples=samples, seed=seed, input_uncertainty=unc or True, concentration=concentration,
                         ks=ks_t, levels=levels, progress=progress)  # fmt: skip
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    if not quiet:
        if cfg.project.demo:
            click.echo(f"NOTE: {DEMO_NOTICE}")
        click.echo(_summary(a, r, top_n))
    if out is not None:
        write_geopackage(a, out, overwrite=overwrite, robustness=r)
        if not quiet:
            click.echo(f"wrote {out}")


def _summary(a, r, top_n: int) -> str:
    import pandas as pd

    s = r.summary
    k = 10 if 10 in r.ks else max(r.ks)
    order = s.sort_values([f"p_top_{k}", "p_first"], ascending=False, kind="stable").head(top_n)
    how = (
        "uniform weights"
        if r.concentration is None
        else f"weights around the configured ones (concentration {r.concentration:g})"
    )
    lines = [
        f"{a.config.project.name}: {a.n_eligible} eligible sites, method {r.method}, {r.samples:,} samples of "
        f"{how}, seed {r.seed}",
        f"{'site':<10} {'name':<34} {'rank':>4} " + " ".join(f"{'P<=' + str(kk):>7}" for kk in r.ks)
        + f" {'median':>6} {str(round(r.interval * 100)) + '% ranks':>11} {'P(elig)':>7}",
    ]  # fmt: skip

    def show(v: object) -> str:
        return "-" if pd.isna(v) else str(int(v))  # type: ignore[call-overload]

    for sid, row in order.iterrows():
        interval = "-" if pd.isna(row["rank_lo"]) or pd.isna(row["rank_hi"]) else f"{row['rank_lo']}-{row['rank_hi']}"
        lines.append(
            f"{sid!s:<10} {str(row['name'])[:34]:<34} {show(row['rank']):>4} "
            + " ".join(f"{row[f'p_top_{kk}']:7.1%}" for kk in r.ks)
            + f" {show(row['median_rank']):>6} {interval:>11} {row['p_eligible']:7.1%}"
        )
    return "\n".join(lines)


COMMANDS = (robustness,)
