"""The ``growthzones`` command line.

One click group; one module per subcommand. Bad input prints a one-line message naming the
file, layer or key and the fix, with no traceback, and exits with status 2; an unexpected
error exits with status 1 (``-v`` shows its traceback).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from growthzones.errors import GrowthzonesError

__all__ = ["main"]

log = logging.getLogger("growthzones")


class _Group(click.Group):
    """A click group that turns library errors into clean messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GrowthzonesError as exc:
            click.echo(f"error: {_one_line(exc)}", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if (ctx.obj or {}).get("verbose"):
                raise
            click.echo(
                f"unexpected error: {type(exc).__name__}: {_one_line(exc)} (rerun with -v for the traceback, "
                "and please report it)",
                err=True,
            )
            ctx.exit(1)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors; no progress bars.")
@click.version_option(package_name="growthzones")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Assess and rank candidate sites for AI data centres."""
    level = logging.ERROR if quiet else logging.WARNING - 10 * min(verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("growthzones")
    root.handlers[:] = [handler]
    root.setLevel(level)
    ctx.obj = {"quiet": quiet, "verbose": verbose}


def _register() -> None:
    from growthzones.cli import (
        app,
        candidates,
        compare,
        data,
        known,
        locate,
        portfolio,
        rank,
        robustness,
        surface,
        validate,
    )

    for mod in (rank, validate, compare, app, robustness, data, candidates, surface, locate, portfolio, known):
        for cmd in mod.COMMANDS:
            main.add_command(cmd)


_register()
