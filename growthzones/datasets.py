"""The bundled demo: a synthetic but plausible GB layer stack and about 220 bids.

The demo lives in ``data/demo/`` of the source tree (built by ``data/demo/build_demo.py``).
Everything synthetic in it is labelled so, and every output made from it says
"illustrative demo data".
"""

from __future__ import annotations

from pathlib import Path

from growthzones.errors import InputFileError

__all__ = ["demo_config_path", "demo_dir", "load_demo_config"]


def demo_dir() -> Path:
    """The folder of the bundled demo data.

    Raises
    ------
    InputFileError
        If the package is installed without its source tree (the demo is not bundled).

    Examples
    --------
    >>> (demo_dir() / "bids.gpkg").is_file()
    True
    """
    here = Path(__file__).resolve().parent.parent / "data" / "demo"
    if not (here / "config.toml").is_file():
        msg = (
            f"the bundled demo is not at {str(here)!r}; install growthzones from a source checkout "
            "(pip install -e .) or rebuild it with `python data/demo/build_demo.py`"
        )
        raise InputFileError(msg)
    return here


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
