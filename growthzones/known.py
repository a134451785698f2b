"""Check a config against places one already knows: where they land in the ranking.

A planner who knows that Cottam or Ratcliffe-on-Soar are good places for a large connection can
test a config by asking where the candidates nearest to them rank, which gates they fail and
which criteria hold them back. :func:`check_known` answers that for a CSV of known places
(``name, latitude, longitude`` in WGS84), and :func:`growthzones.maps.known_map` draws it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from growthzones.errors import InputFileError
from growthzones.explain import explain

if TYPE_CHECKING:
    from growthzones.assessment import Assessment

__all__ = ["KnownCheck", "check_known", "read_known"]

_ALIASES = {"latitude": ("latitude", "lat", "y"), "longitude": ("longitude", "lon", "lng", "long", "x")}


def read_known(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    r"""Read a CSV of known places: ``name, latitude, longitude`` (WGS84 degrees; other columns kept).

    ``lat``/``lon`` are accepted for the coordinates, in any letter case.

    Raises
    ------
    InputFileError
        If the file is missing or unreadable, a column is missing, or a row has no usable
        coordinates (the rows are named).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "known.csv"
    >>> _ = p.write_text("Name,Lat,Lon\nCottam,53.308,-0.775\n")
    >>> known = read_known(p)
    >>> known["name"].tolist(), known.crs.to_epsg(), round(float(known.geometry.x.iloc[0]), 3)
    (['Cottam'], 4326, -0.775)
    """
    p = Path(path)
    try:
        df = pd.read_csv(p, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        msg = f"known places: {str(p)!r} not found; give a CSV with columns name, latitude, longitude"
        raise InputFileError(msg) from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"known places: cannot read {str(p)!r} as CSV ({exc}); give columns name, latitude, longitude"
        raise InputFileError(msg) from exc
    lower = {str(c).strip().lower(): c for c in df.columns}
    cols = {}
    for want, names in {"name": ("name",), **_ALIASES}.items():
        found = next((lower[n] for n in names if n in lower), None)
        if found is None:
            msg = (
                f"known places {p.name}: no {want!r} column (columns: {', '.join(map(str, df.columns))}); "
                "the CSV needs name, latitude, longitude (WGS84 degrees)"
            )
            raise InputFileError(msg)
        cols[found] = want
    df = df.rename(columns=cols)
    lat = pd.to_numeric(df["latitude"], errors="coerce")
    lon = pd.to_numeric(df["longitude"], errors="coerce")
    bad = lat.isna() | lon.isna() | ~lat.between(-90, 90) | ~lon.between(-180, 180)
    if bad.any():
        rows = ", ".join(f"row {i + 2} ({df['name'].iloc[i]!s})" for i in np.flatnonzero(bad.to_numpy())[:5])
        msg = f"known places {p.name}: no usable latitude/longitude at {rows}; give WGS84 degrees, e.g. 53.308, -0.775"
        raise InputFileError(msg)
    df["name"] = df["name"].astype(str)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


@dataclass(frozen=True)
class KnownCheck:
    """Where known places land in an assessment.

    Attributes
    ----------
    table
        One row per known place, in file order: ``name, latitude, longitude``, the nearest
        candidate (``site_id``, ``site_name``, ``distance_km`` from the place to the site's
        edge, 0 inside it), its ``eligible``, ``rank`` (of ``n_eligible``), ``percentile``
        among eligible candidates (100 = best, 0 = last), ``score``, ``gates_failed`` and
        ``held_back_by`` (the criteria furthest below the median eligible candidate, weighted
        by importance, from :func:`growthzones.explain.explain`), and ``summary`` (its
        explanation).
    places
        The known places (points, in the assessment's CRS).
    """

    table: pd.DataFrame
    places: gpd.GeoDataFrame


def check_known(a: Assessment, known: gpd.GeoDataFrame | str | os.PathLike[str]) -> KnownCheck:
    """For each known place: its nearest candidate, rank, percentile, failed gates and weak criteria.

    Parameters
    ----------
    a
        The assessment.
    known
        Known places (a GeoDataFrame with ``name`` and any CRS, or a CSV for :func:`read_known`).

    Returns
    -------
    KnownCheck

    Examples
    --------
    >>> import growthzones as gz
    >>> import geopandas as gpd
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> site = a.ranking.iloc[0]
    >>> spot = gpd.GeoDataFrame({"name": ["Best bid"]}, geometry=[site.geometry.centroid], crs=a.sites.crs)
    >>> row = check_known(a, spot).table.iloc[0]
    >>> row["site_id"] == a.ranking.index[0], int(row["rank"]), float(row["percentile"]), float(row["distance_km"])
    (True, 1, 100.0, 0.0)
    """
    places = read_known(known) if not isinstance(known, gpd.GeoDataFrame) else known
    wgs = places.to_crs("EPSG:4326")
    pts = places.to_crs(a.sites.crs)
    sites = a.sites
    # Nearest site by distance to its polygon (0 inside); ties by site id.
    near_pos = []
    dist = []
    for p in pts.geometry:
        d = sites.geometry.distance(p).to_numpy()
        order = np.lexsort((sites.index.to_numpy().astype(str), d))
        near_pos.append(int(order[0]))
        dist.append(float(d[order[0]]) / 1000.0)
    n_elig = a.n_eligible
    rows = []
    for i, pos in enumerate(near_pos):
        sid = sites.index[pos]
        e = explain(a, sid)
        rank = e.rank
        pct = (100.0 if n_elig == 1 else 100.0 * (n_elig - rank) / (n_elig - 1)) if rank is not None else np.nan
        held = [f"{r['label']} {r['raw_text']} (bottom {int(r['bottom_pct'])}%)" for _, r in e.weaknesses.iterrows()]
        rows.append(
            {
                "name": str(places["name"].iloc[i]),
                "latitude": float(wgs.geometry.y.iloc[i]),
                "longitude": float(wgs.geometry.x.iloc[i]),
                "site_id": str(sid),
                "site_name": str(sites["name"].iloc[pos]),
                "distance_km": round(dist[i], 3),
                "eligible": bool(e.eligible),
                "rank": rank,
                "n_eligible": n_elig,
                "percentile": round(pct, 1) if rank is not None else np.nan,
                "score": round(e.score, 2) if rank is not None else np.nan,
                "gates_failed": str(a.gates["gate_reasons"].iloc[pos]),
                "held_back_by": "; ".join(held),
                "summary": e.text,
            }
        )
    table = pd.DataFrame(rows)
    table["rank"] = table["rank"].astype("Int64")
    return KnownCheck(table=table, places=pts)
