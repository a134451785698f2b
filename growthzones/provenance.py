"""Facts every output carries: the package version, the demo notice and the time stamp.

A leaf module (it imports nothing from growthzones), so any floor may use it. The version
lives here and nowhere else: ``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``) and
``growthzones.__version__`` re-exports it.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["DEMO_NOTICE", "__version__", "now"]

__version__ = "0.1.0"

#: Shown on every output (map, CSV, GeoPackage, app, CLI) made from the bundled demo.
DEMO_NOTICE = "illustrative demo data: synthetic layers, not real infrastructure"


def now() -> str:
    """The current UTC time to the second, ISO 8601 (how outputs stamp ``created``/``exported``).

    Examples
    --------
    >>> import datetime as dt
    >>> dt.datetime.fromisoformat(now()).tzinfo is not None
    True
    """
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
