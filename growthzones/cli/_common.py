"""Helpers shared by the subcommands: progress bars and weight parsing."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from tqdm import tqdm

from growthzones.errors import ConfigError

__all__ = ["parse_weights", "progress_bar"]


@contextmanager
def progress_bar(ctx: click.Context, desc: str) -> Iterator[Callable[[int, int, str], None]]:
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
