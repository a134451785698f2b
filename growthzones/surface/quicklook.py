"""A PNG quicklook of a surface: the score, cells excluded by a gate in grey, a legend."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

from growthzones.atomic import atomic_path

__all__ = ["quicklook"]


def quicklook(ds: xr.Dataset, path: str | Path, *, max_px: int = 1600, overwrite: bool = True) -> Path:
    """Draw the score (viridis, 0-100), gated-out cells grey and outside white, with a legend.

    A large surface is thinned to at most ``max_px`` cells on its longer side (every n-th cell).

    Examples
    --------
    >>> import growthzones as gz, pathlib, tempfile
    >>> from growthzones.surface import surface
    >>> ds = surface(gz.datasets.demo_config_path(), 5000, drop=["site_area"])
    >>> quicklook(ds, pathlib.Path(tempfile.mkdtemp()) / "s.png").suffix
    '.png'
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    step = max(1, int(np.ceil(max(ds.sizes["y"], ds.sizes["x"]) / max_px)))
    thin = ds[["score", "eligible", "gate_code"]].isel(y=slice(None, None, step), x=slice(None, None, step))
    score = np.asarray(thin["score"].values, dtype=float)
    eligible = np.asarray(thin["eligible"].values)
    x, y = ds["x"].values, ds["y"].values
    half = float(ds.attrs.get("cell_size", 0)) / 2
    extent = (x[0] - half, x[-1] + half, y[-1] - half, y[0] + half)
    fig, ax = plt.subplots(figsize=(7, 9), dpi=120)
    shown = np.where(eligible == 1, score, np.nan)
    im = ax.imshow(shown, cmap="viridis", vmin=0, vmax=100, extent=extent, interpolation="nearest")
    grey = np.where(eligible == 0, 1.0, np.nan)
    ax.imshow(grey, cmap="Greys", vmin=0, vmax=2, extent=extent, interpolation="nearest")
    fig.colorbar(im, ax=ax, shrink=0.6, label="Suitability score (0-100), eligible cells")
    names = json.loads(ds.attrs.get("gate_names", "[]"))
    ax.legend(handles=[Patch(color="#7f7f7f", label=f"excluded by a gate ({len(names)} gate(s))")],
              loc="lower left", fontsize=8)  # fmt: skip
    title = ds.attrs.get("project", "surface")
    ax.set_title(f"{title}\n{ds.attrs.get('method', '')} at {float(ds.attrs.get('cell_size', 0)):g} m", fontsize=9)
    ax.set_xlabel("easting (m)")
    ax.set_ylabel("northing (m)")
    with atomic_path(path, overwrite=overwrite) as tmp:
        fig.savefig(tmp, format="png", bbox_inches="tight")
    plt.close(fig)
    return Path(path)
