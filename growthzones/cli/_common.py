"""Helpers shared by the subcommands: progress bars and weight parsing."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from tqdm import tqdm

from growthzones.errors import ConfigError
from growthzones.progress import Progress

__all__ = ["parse_weights", "progress_bar"]


@contextmanager
def progress_bar(ctx: click.Context, desc: str) -> Iterator[Progress]:
    """Yield a ``progress(done, total, label)`` callback drawing a tqdm bar on stderr.

    Examples
    --------
    >>> import click
    >>> ctx = click.Context(click.Command("demo"), obj={"quiet": True})
    >>> with progress_bar(ctx, "criteria") as progress:
    ...     progress(1, 3, "grid_distance")
    ...     callable(progress)
    True
    """
    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    bar: tqdm | None = None

    def update(done: int, total: int, label: str) -> None:
        nonlocal bar
        if quiet:
            return
        if bar is None:
            # disable=None: no bar when stderr is not a terminal (logs, CI, pipes).
            bar = tqdm(total=total, desc=desc, unit="step", leave=False, file=sys.stderr, disable=None)
        bar.set_postfix_str(label[:30])
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


def parse_weights(text: str | None, *, option: str = "--weights") -> dict[str, float]:
    """Parse ``grid=0.4,land=0.2`` into a dict.

    Examples
    --------
    >>> parse_weights("grid=0.4, land=0.2")
    {'grid': 0.4, 'land': 0.2}
    """
    if not text:
        return {}
    out: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            msg = (
                f"{option}: cannot read {part.strip()!r}; write name=number pairs separated by commas, "
                "e.g. grid=0.4,land=0.2"
            )
            raise ConfigError(msg) from None
    return out


def parse_params(text: str | None, *, option: str = "--params") -> dict[str, float | str]:
    """Parse ``orness=0.7,normalization=vector`` into method parameters (numbers where they parse).

    Examples
    --------
    >>> parse_params("v=0.3, normalization=vector")
    {'v': 0.3, 'normalization': 'vector'}
    """
    out: dict[str, float | str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            msg = f"{option}: cannot read {part.strip()!r}; write name=value pairs separated by commas, e.g. orness=0.7"
            raise ConfigError(msg)
        try:
            out[name.strip()] = float(value)
        except ValueError:
            out[name.strip()] = value.strip()
    return out


def apply_weight_option(cfg, text: str | None):
    """Apply ``--weights name=value,...`` (names of groups or criteria) to a config.

    Examples
    --------
    >>> from growthzones.datasets import load_demo_config
    >>> apply_weight_option(load_demo_config(), "grid=0.9").weights["grid"]
    0.9
    """
    return cfg.with_named_weights(parse_weights(text), what="--weights")


def apply_method_option(cfg, method: str | None, params: str | None):
    """Apply ``--method`` and ``--params`` to a config, checking them before any slow work.

    Examples
    --------
    >>> from growthzones.datasets import load_demo_config
    >>> apply_method_option(load_demo_config(), "owa", "orness=0.7").method.params
    {'orness': 0.7}
    """
    from growthzones import mcda
    from growthzones.config import check_method_params, choice

    if not method and not params:
        return cfg
    name = choice(method, tuple(mcda.AGGREGATION_METHODS), "--method") if method else cfg.method.name
    kwargs = parse_params(params) if params else ({} if method else dict(cfg.method.params))
    new = cfg.with_method(name, **kwargs)
    try:
        check_method_params(new.method, sum(c.weight > 0 for c in new.criteria))
    except ConfigError as exc:
        msg = f"--params: {str(exc).removeprefix('method.params: ')} (e.g. --params orness=0.7)"
        raise ConfigError(msg) from exc
    return new


def method_help() -> str:
    """Help for ``--method``: the registered aggregation methods.

    Examples
    --------
    >>> method_help().startswith("Aggregation method: wlc, wpm, topsis")
    True
    """
    from growthzones import mcda

    return "Aggregation method: " + ", ".join(mcda.METHOD_SPECS) + "."


def params_help() -> str:
    """Help for ``--params``: each registered method's parameters and their allowed values.

    Examples
    --------
    >>> "vikor: v (0..1)" in params_help()
    True
    """
    from growthzones import mcda

    parts = []
    for name, spec in mcda.METHOD_SPECS.items():
        if spec.params:
            described = ", ".join(f"{p.name} ({p.allowed()})" if p.allowed() else p.name for p in spec.params)
            parts.append(f"{name}: {described}")
    return "Parameters of the method as name=value, e.g. v=0.3 (vikor), orness=0.7 (owa). " + "; ".join(parts) + "."


class LiveHelpOption(click.Option):
    """A click option whose help is computed when shown (so methods registered later appear)."""

    def __init__(self, *args: Any, help_fn: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_fn = help_fn

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """The option's help line, computed now."""
        self.help = self.help_fn()
        return super().get_help_record(ctx)
