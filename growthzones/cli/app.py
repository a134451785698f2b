"""``growthzones app``: open the planners' app (Streamlit) on a config or the bundled demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from growthzones.errors import ConfigError

__all__ = ["COMMANDS", "app", "app_script"]


def app_script() -> Path:
    """The app's entry script: ``app.py`` in a source checkout, else the installed package's.

    In a checkout, Streamlit then runs beside ``static/`` (offline Leaflet from ``make static``);
    an installed package loads Leaflet from its CDN unless ``static/`` is put beside its script.

    Examples
    --------
    >>> app_script().name in ("app.py", "streamlit_app.py")
    True
    """
    root = Path(__file__).resolve().parents[2]
    if (root / "app.py").is_file() and (root / "pyproject.toml").is_file():
        return root / "app.py"
    return Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py"


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--port", type=int, default=None, help="Port to serve on (default: Streamlit's, 8501).")
@click.option("--browser/--no-browser", default=True, show_default=True, help="Open a web browser.")
def app(config: Path | None, port: int | None, browser: bool) -> None:
    """Open the interactive app on CONFIG (default: the bundled illustrative demo)."""
    script = app_script()
    if not script.is_file():
        msg = f"the app script {str(script)!r} is missing: reinstall growthzones with pip install 'growthzones[app]'"
        raise ConfigError(msg)
    try:
        import streamlit  # noqa: F401
    except ImportError:
        msg = "the app needs Streamlit: pip install 'growthzones[app]'"
        raise ConfigError(msg) from None
    if config is not None and not config.is_file():
        msg = f"config file {str(config)!r} not found: check the path"
        raise ConfigError(msg)
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), f"--server.headless={str(not browser).lower()}"]
    if port is not None:
        cmd.append(f"--server.port={port}")
    if config is not None:
        cmd += ["--", str(config.resolve())]
    # Run beside the script so its .streamlit/config.toml (static serving for offline maps) applies.
    env = dict(os.environ)
    raise SystemExit(subprocess.call(cmd, cwd=script.parent, env=env))


COMMANDS = (app,)
