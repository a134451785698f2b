"""The bundled demo: a synthetic but plausible GB layer stack and about 220 bids.

The demo lives in ``data/demo/`` of the source tree (built by ``data/demo/build_demo.py``); the
wheel ships the same files as ``growthzones/demo/`` (see ``setup.py``).
Everything synthetic in it is labelled so, and every output made from it says
"illustrative demo data".
"""

from __future__ import annotations

from pathlib import Path

from growthzones.errors import InputFileError

__all__ = ["demo_config_path", "demo_dir", "load_demo_config"]


def demo_dir() -> Path:
    """The folder of the bundled demo data.

    The installed package's ``growthzones/demo/`` when present, else ``data/demo`` of the
    source checkout the package is imported from.

    Raises
    ------
    InputFileError
        If neither holds the demo (a source checkout whose demo was deleted).

    Examples
    --------
    >>> (demo_dir() / "bids.gpkg").is_file()
    True
    """
    package = Path(__file__).resolve().parent
    for here in (package / "demo", package.parent / "data" / "demo"):
        if (here / "config.toml").is_file():
            return here
    msg = (
        f"the bundled demo is neither at {str(package / 'demo')!r} nor at {str(here)!r}; reinstall growthzones "
        "or rebuild the demo with `python data/demo/build_demo.py`"
    )
    raise InputFileError(msg)


def demo_config_path() -> Path:
    """The bundled demo's config file.

    Examples
    --------
    >>> demo_config_path().name
    'config.toml'
    """
    return demo_dir() / "config.toml"


def load_demo_config():
    """Read the bundled demo's config (see :func:`growthzones.config.load_config`).

    Examples
    --------
    >>> load_demo_config().project.demo
    True
    """
    from growthzones.config import load_config

    return load_config(demo_config_path())
