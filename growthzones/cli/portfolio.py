"""``growthzones portfolio``: the best set of sites under count, regional, capacity and spacing limits."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from growthzones.atomic import check_output_path
from growthzones.cli._common import progress_bar
from growthzones.errors import ConfigError

__all__ = ["COMMANDS", "parse_group_option", "portfolio"]


def parse_group_option(items: tuple[str, ...], option: str) -> dict[str, float | str]:
    """Parse repeated ``COLUMN=VALUE`` options (``--max-per region=3``) into a dict.

    Values that read as numbers become numbers; others (a headroom column) stay text.

    Examples
    --------
    >>> parse_group_option(("region=3", "nation=1"), "--max-per")
    {'region': 3.0, 'nation': 1.0}
    >>> parse_group_option(("gsp_regions=headroom_mw",), "--capacity")
    {'gsp_regions': 'headroom_mw'}
    """
    out: dict[str, float | str] = {}
    for item in items:
        name, sep, value = (s.strip() for s in item.partition("="))
        if not sep or not name or not value:
            msg = f"{option}: cannot read {item!r}; write COLUMN=NUMBER, e.g. {option} region=3"
            raise ConfigError(msg)
        try:
            out[name] = float(value)
        except ValueError:
            out[name] = value
    return out


def _count(v: float | str, option: str, name: str) -> int:
    if isinstance(v, str) or not float(v).is_integer() or v < 0:
        msg = f"{option}: {name}={v} must be a whole number >= 0, e.g. {option} {name}=3"
        raise ConfigError(msg)
    return int(v)


def _limits(cfg, *, count, max_per, min_per, capacity, demand, max_mw, min_spacing, lock_in, lock_out, floor,
            time_limit):  # fmt: skip
    from growthzones.config import CapacityLimit, GroupLimit
    from growthzones.portfolio import limits_from_config

    base = cfg.portfolio
    per = {g.by: g for g in (base.per if base else ())}
    for name, v in parse_group_option(max_per, "--max-per").items():
        per[name] = dataclasses.replace(per.get(name, GroupLimit(name)), max=_count(v, "--max-per", name))
    for name, v in parse_group_option(min_per, "--min-per").items():
        per[name] = dataclasses.replace(per.get(name, GroupLimit(name)), min=_count(v, "--min-per", name))
    caps = {c.by: c for c in (base.capacity if base else ())}
    for name, v in parse_group_option(capacity, "--capacity").items():
        caps[name] = CapacityLimit(name, headroom=v)
    dem: float | str | None = None
    if demand is not None:
        try:
            dem = float(demand)
        except ValueError:
            dem = demand
    limits = limits_from_config(
        base, count=count, demand=dem, max_mw=max_mw, min_spacing_km=min_spacing, floor=floor, time_limit=time_limit,
        per=tuple(per.values()), capacity=tuple(caps.values()),
        locked_in=(*(base.locked_in if base else ()), *lock_in) or None,
        locked_out=(*(base.locked_out if base else ()), *lock_out) or None,
    )  # fmt: skip
    if limits.count is None and limits.max_count is None and limits.max_mw is None and not limits.capacity:
        msg = (
            "portfolio: nothing limits how many sites are chosen; give --count N (or count, max_count or max_mw "
            "in [portfolio])"
        )
        raise ConfigError(msg)
    return limits


@click.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--count", type=click.IntRange(min=0), default=None, help="Exactly this many sites.")
@click.option("--max-per", multiple=True, metavar="COLUMN=N",
              help="At most N sites per group of a site column or layer, e.g. region=3 (repeatable).")  # fmt: skip
@click.option("--min-per", multiple=True, metavar="COLUMN=N", help="At least N sites per group (repeatable).")
@click.option("--capacity", multiple=True, metavar="BY=HEADROOM",
              help="Chosen demand per group of BY within HEADROOM MW (number or column); needs --demand.")  # fmt: skip
@click.option("--demand", default=None, help="MW per site: a site column such as power_need_mw, or a number.")
@click.option("--max-mw", type=float, default=None, help="Total demand of the chosen sites at most this (MW).")
@click.option("--min-spacing", type=float, default=None, metavar="KM", help="Chosen sites at least this far apart.")
@click.option("--lock-in", multiple=True, metavar="ID", help="A site that must be chosen (repeatable).")
@click.option("--lock-out", multiple=True, metavar="ID", help="A site that must not be chosen (repeatable).")
@click.option("--floor", type=float, default=None, help="Maximise the total of score minus this floor.")
@click.option("--time-limit", type=float, default=None, help="Seconds per solve (default: until proven optimal).")
@click.option("--robust", is_flag=True, help="Also solve for each weight (and input) sample: selection probability.")
@click.option("--samples", type=click.IntRange(min=1), default=None, help="Samples of the robust run (default 200).")
@click.option("--seed", type=int, default=None, help="Seed of the robust run.")
@click.option("--concentration", type=float, default=None,
              help="Robust run: sample weights around the configured ones with this Dirichlet precision.")  # fmt: skip
@click.option("--core", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Robust run: share of samples a core site is chosen in (default 0.9).")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="GeoPackage: ranked_sites, portfolio (chosen, reasons, P(selected)), costs, run.")  # fmt: skip
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace an existing output file (atomically) or refuse.")  # fmt: skip
@click.pass_context
def portfolio(
    ctx: click.Context,
    config: Path,
    count: int | None,
    max_per: tuple[str, ...],
    min_per: tuple[str, ...],
    capacity: tuple[str, ...],
    demand: str | None,
    max_mw: float | None,
    min_spacing: float | None,
    lock_in: tuple[str, ...],
    lock_out: tuple[str, ...],
    floor: float | None,
    time_limit: float | None,
    robust: bool,
    samples: int | None,
    seed: int | None,
    concentration: float | None,
    core: float | None,
    out: Path | None,
    overwrite: bool,
) -> None:
    """Choose the best set of CONFIG's sites under the limits in [portfolio] and the options."""
    import growthzones as gz
    from growthzones.export import write_portfolio
    from growthzones.portfolio import robust_portfolio
    from growthzones.provenance import DEMO_NOTICE

    if out is not None:
        check_output_path(out, overwrite=overwrite)
    cfg = gz.load_config(config)
    limits = _limits(cfg, count=count, max_per=max_per, min_per=min_per, capacity=capacity, demand=demand,
                     max_mw=max_mw, min_spacing=min_spacing, lock_in=lock_in, lock_out=lock_out, floor=floor,
                     time_limit=time_limit)  # fmt: skip
    pc = cfg.portfolio
    with progress_bar(ctx, "assessing") as progress:
        a = gz.assess(cfg, progress=progress)
    p = gz.select_portfolio(a, limits)
    r = None
    if robust:
        with progress_bar(ctx, "robust portfolio") as progress:
            r = robust_portfolio(
                a, limits,
                samples=samples or (pc.samples if pc else 200),
                seed=seed if seed is not None else (pc.seed if pc else None),
                concentration=concentration if concentration is not None else (pc.concentration if pc else None),
                core=core if core is not None else (pc.core if pc else 0.9),
                progress=progress,
            )  # fmt: skip
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    if not quiet:
        if cfg.project.demo:
            click.echo(f"NOTE: {DEMO_NOTICE}")
        click.echo(_summary(p, r))
    if out is not None:
        write_portfolio(a, p, out, robust=r, overwrite=overwrite)
        if not quiet:
            click.echo(f"wrote {out}")


def _summary(p, r) -> str:
    lines = [p.summary]
    costs = p.limit_costs
    if len(costs):
        lines.append("What each limit costs (total score gained by dropping it / loosening it one step):")
        for row in costs.itertuples():
            if row.group and not row.gain_if_loosened > 1e-9:
                continue  # groups whose loosening gains nothing: in the GeoPackage table only
            dropped = "" if row.gain_if_dropped != row.gain_if_dropped else f"drop: +{row.gain_if_dropped:.2f}"
            loose = ""
            if row.step:
                loose = "infeasible" if row.gain_if_loosened != row.gain_if_loosened else f"+{row.gain_if_loosened:.2f}"
                loose = f"{row.step}: {loose}"
            lines.append(f"  {row.limit}: " + "; ".join(x for x in (dropped, loose) if x))
    lines += [f"note: {n}" for n in p.notes]
    if r is not None:
        sel = r.selection.sort_values("p_selected", ascending=False, kind="stable")
        lines.append(
            f"Robust run: {r.samples} samples (seed {r.seed}), {r.infeasible} without a feasible portfolio; "
            f"core (chosen in >= {r.threshold:.0%}): {', '.join(r.core) or 'none'}"
        )
        lines += [
            f"  {sid}  {row['name']}  P(selected) {row['p_selected']:.0%}" for sid, row in sel.head(15).iterrows()
        ]
        if len(r.sets):
            lines.append("Most frequent sets:")
            lines += [f"  {row.share:.0%}  {row.sites}" for row in r.sets.itertuples()]
    return "\n".join(lines)


COMMANDS = (portfolio,)
