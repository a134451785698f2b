"""Writers for shortlists: GeoPackage, CSV, GeoJSON. Every writer is atomic.

The GeoPackage opens in QGIS: layer ``ranked_sites`` (every site, in the working CRS, with
rank, score, gates, raw criteria and 0..1 values, group sub-scores) and a table ``run``
(key/value rows: config text, package version, SHA-256 of each input, method, effective
weights, creation time, notes).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyogrio

from growthzones.atomic import atomic_path

if TYPE_CHECKING:
    from growthzones.assessment import Assessment
    from growthzones.portfolio import Portfolio, RobustPortfolio
    from growthzones.robustness import Robustness

__all__ = [
    "export_table",
    "portfolio_metadata",
    "portfolio_table",
    "run_metadata",
    "write_csv",
    "write_geojson",
    "write_geopackage",
    "write_portfolio",
]

log = logging.getLogger(__name__)


def run_metadata(a: Assessment) -> dict[str, Any]:
    """What made a ranking, as a flat dict of text values.

    Keys: ``title``, ``notice`` (says "illustrative demo data" for the demo), ``config``
    (the TOML text), ``config_path``, ``growthzones_version``, ``crs``, ``method``,
    ``method_params``, ``group_weights``, ``criterion_weights`` (JSON), ``gates`` (JSON),
    ``input_sha256`` (JSON, by path), ``created``, ``exported``, ``n_sites``, ``n_eligible``,
    ``notes`` (JSON list), ``coverage`` (JSON records: criterion, nation, status, n_sites; see
    :func:`growthzones.coverage.coverage_records`).

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> meta = run_metadata(a)
    >>> meta["method"], meta["crs"]
    ('wlc', 'EPSG:27700')
    """
    from growthzones.coverage import coverage_json
    from growthzones.provenance import DEMO_NOTICE, __version__, now

    cfg = a.config
    return {
        "title": cfg.project.name,
        "notice": DEMO_NOTICE if cfg.project.demo else "",
        "config": cfg.text if cfg.text and _same_weights(a) else cfg.to_toml(),
        "config_path": str(cfg.source or ""),
        "growthzones_version": __version__,
        "crs": cfg.project.crs,
        "method": cfg.method.name,
        "method_params": json.dumps(dict(cfg.method.params), sort_keys=True),
        "group_weights": json.dumps({k: round(float(v), 12) for k, v in a.weights.groups.items()}),
        "criterion_weights": json.dumps({k: round(float(v), 12) for k, v in a.weights.criteria.items()}),
        "gates": json.dumps([{"gate": g.key, "enabled": g.enabled, "label": g.label} for g in cfg.gates]),
        "input_sha256": json.dumps(dict(sorted(a.inputs.items()))),
        "created": a.created,
        "exported": now(),
        "n_sites": str(len(a.sites)),
        "n_eligible": str(a.n_eligible),
        "notes": json.dumps(list(a.notes)),
        "coverage": coverage_json(cfg, a.sites),
    }


def _same_weights(a: Assessment) -> bool:
    """True when the assessment's config is still the one read from ``config.text``."""
    from growthzones.config import parse_config

    try:
        base = a.config.source.parent if a.config.source else Path(".")
        original = parse_config(a.config.text, base_dir=base, source=a.config.source)
    except Exception:  # text edited or unparseable: fall back to serialising the config
        return False
    return (
        dict(original.weights) == dict(a.config.weights)
        and original.criteria == a.config.criteria
        and original.gates == a.config.gates
        and original.method == a.config.method
    )


def export_table(a: Assessment) -> gpd.GeoDataFrame:
    """The ``ranked_sites`` table as written: site id as a column, ranking order.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> t = export_table(a)
    >>> len(t), t.columns[:5].tolist(), t["site_id"].iloc[0]
    (220, ['site_id', 'name', 'rank', 'tier', 'score'], 'GZ-107')
    """
    t = a.ranking.reset_index()
    t["gate_reasons"] = t["gate_reasons"].astype(str)
    t["tier"] = t["tier"].astype(str)
    for c in t.columns:
        if t[c].dtype == object and c != "geometry":
            t[c] = t[c].astype(str)
    return t


def write_geopackage(
    a: Assessment, path: str | Path, *, overwrite: bool = True, robustness: Robustness | None = None
) -> Path:
    """Write the shortlist GeoPackage (layers ``ranked_sites`` and ``run``) atomically.

    With ``robustness`` (a :func:`growthzones.robustness.robustness` result), ``ranked_sites``
    gains P(eligible), P(top k), median rank and rank interval, archetype and summary columns
    (:func:`growthzones.robustness.export_columns`), ``run`` records how they were sampled, and
    a ``rank_acceptability`` table (site_id, rank, p_rank, p_top) is added. With ``[sites]
    district`` in the config, a ``district_summary`` table (:attr:`Assessment.districts`) is added.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> import pathlib, pyogrio, tempfile
    >>> path = write_geopackage(a, pathlib.Path(tempfile.mkdtemp()) / "shortlist.gpkg")
    >>> sorted(name for name, _ in pyogrio.list_layers(path))
    ['ranked_sites', 'run']
    """
    table = export_table(a)
    meta = run_metadata(a)
    if robustness is not None:
        from growthzones.robustness import export_columns

        extra = export_columns(a, robustness)
        extra.columns = [f"{c}_robustness" if c in table.columns else c for c in extra.columns]
        table = table.join(extra, on="site_id")
        meta.update(robustness.metadata())
    run = pd.DataFrame({"key": list(meta), "value": [str(v) for v in meta.values()]})
    description = f"growthzones ranking: {a.config.project.name}"
    if meta["notice"]:
        description += f" ({meta['notice']})"
    with atomic_path(path, overwrite=overwrite) as tmp:
        pyogrio.write_dataframe(
            table,
            tmp,
            layer="ranked_sites",
            driver="GPKG",
            promote_to_multi=True,
            layer_options={"DESCRIPTION": description},
            layer_metadata={"notice": meta["notice"], "method": meta["method"], "created": meta["created"]},
        )
        pyogrio.write_dataframe(
            run, tmp, layer="run", driver="GPKG", layer_options={"DESCRIPTION": "how this ranking was made"}
        )
        if a.districts is not None:
            pyogrio.write_dataframe(
                a.districts.reset_index(), tmp, layer="district_summary", driver="GPKG",
                layer_options={"DESCRIPTION": "each district's best site, eligible sites and site-score spread"},
            )  # fmt: skip
        if robustness is not None:
            acc_desc = "share of weight samples giving each site each rank"
            pyogrio.write_dataframe(
                robustness.acceptability_long(), tmp, layer="rank_acceptability", driver="GPKG",
                layer_options={"DESCRIPTION": acc_desc},
            )  # fmt: skip
    log.info("wrote %s (%d sites)", path, len(table))
    return Path(path)


def write_csv(a: Assessment, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write the ranking as CSV (site centroid as easting/northing) atomically.

    For the demo, a first column ``notice`` says the data is illustrative.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> import pandas as pd, pathlib, tempfile
    >>> path = write_csv(a, pathlib.Path(tempfile.mkdtemp()) / "shortlist.csv")
    >>> df = pd.read_csv(path)
    >>> len(df), df["site_id"].iloc[0], {"centroid_x", "centroid_y"} <= set(df.columns)
    (220, 'GZ-107', True)
    """
    table = export_table(a)
    centroid = table.geometry.centroid
    df = pd.DataFrame(table.drop(columns="geometry"))
    df["centroid_x"] = centroid.x.round(1)
    df["centroid_y"] = centroid.y.round(1)
    if a.config.project.demo:
        from growthzones.provenance import DEMO_NOTICE

        df.insert(0, "notice", DEMO_NOTICE)
    with atomic_path(path, overwrite=overwrite) as tmp:
        df.to_csv(tmp, index=False, float_format="%.10g", encoding="utf-8")
    return Path(path)


def write_geojson(a: Assessment, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write the ranking as GeoJSON (EPSG:4326, as the format requires) atomically.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> import pathlib, tempfile
    >>> path = write_geojson(a, pathlib.Path(tempfile.mkdtemp()) / "shortlist.geojson")
    >>> back = gpd.read_file(path)
    >>> len(back), back.crs.to_epsg()
    (220, 4326)
    """
    table = export_table(a).to_crs(4326)
    with atomic_path(path, overwrite=overwrite) as tmp:
        pyogrio.write_dataframe(table, tmp, driver="GeoJSON", layer="ranked_sites")
    return Path(path)


def portfolio_table(a: Assessment, p: Portfolio, robust: RobustPortfolio | None = None) -> gpd.GeoDataFrame:
    """The ``portfolio`` layer: every site (ranking order) with its choice and reason.

    Columns ``chosen``, ``reason``, ``cost_in`` and, for a robust run, ``p_selected`` and ``core``.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> t = portfolio_table(a, gz.select_portfolio(a, count=4, explain=False))
    >>> t.columns[:7].tolist(), int(t["chosen"].sum())
    (['site_id', 'name', 'rank', 'score', 'eligible', 'chosen', 'reason'], 4)
    """
    t = p.table.copy()
    if robust is not None:
        t["p_selected"] = robust.selection["p_selected"].reindex(t.index).fillna(0.0)
        t["core"] = robust.selection["core"].reindex(t.index).fillna(False).astype(bool)
    t["reason"] = t["reason"].astype(str)
    t["name"] = t["name"].astype(str)
    t = t.reset_index()
    return gpd.GeoDataFrame(t, geometry=a.sites.geometry.reindex(t["site_id"]).to_numpy(), crs=a.sites.crs)


def portfolio_metadata(p: Portfolio, robust: RobustPortfolio | None = None) -> dict[str, str]:
    """How a portfolio was chosen, as text rows for the ``run`` table.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> meta = portfolio_metadata(gz.select_portfolio(a, count=4, explain=False))
    >>> meta["portfolio_status"], json.loads(meta["portfolio_limits"])["count"]
    ('optimal', 4)
    """
    import dataclasses

    meta = {
        "portfolio_limits": json.dumps(dataclasses.asdict(p.limits), sort_keys=True, default=str),
        "portfolio_status": p.status,
        "portfolio_gap": f"{p.gap:g}",
        "portfolio_total_score": f"{p.total_score:.6f}",
        "portfolio_chosen": ", ".join(p.chosen),
        "portfolio_notes": json.dumps(list(p.notes)),
    }
    if robust is not None:
        meta.update(robust.metadata())
    return meta


def write_portfolio(
    a: Assessment,
    p: Portfolio,
    path: str | Path,
    *,
    robust: RobustPortfolio | None = None,
    overwrite: bool = True,
) -> Path:
    """Write a portfolio GeoPackage atomically: ``ranked_sites``, ``portfolio``, ``portfolio_costs``, ``run``.

    With ``robust`` the ``portfolio`` layer gains ``p_selected`` and ``core`` and a
    ``portfolio_sets`` table lists the most frequent sets.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> import pathlib, tempfile
    >>> p = gz.select_portfolio(a, count=4)
    >>> path = write_portfolio(a, p, pathlib.Path(tempfile.mkdtemp()) / "portfolio.gpkg")
    >>> sorted(name for name, _ in pyogrio.list_layers(path))
    ['portfolio', 'portfolio_costs', 'ranked_sites', 'run']
    """
    table = export_table(a)
    layer = portfolio_table(a, p, robust)
    meta = {**run_metadata(a), **portfolio_metadata(p, robust)}
    run = pd.DataFrame({"key": list(meta), "value": [str(v) for v in meta.values()]})
    costs = p.limit_costs.astype({"limit": str, "key": str, "group": str, "step": str})
    note = f" ({meta['notice']})" if meta["notice"] else ""
    why = f"chosen portfolio and why strong sites were left out{note}"
    with atomic_path(path, overwrite=overwrite) as tmp:
        pyogrio.write_dataframe(
            table,
            tmp,
            layer="ranked_sites",
            driver="GPKG",
            promote_to_multi=True,
            layer_options={"DESCRIPTION": f"growthzones ranking: {a.config.project.name}{note}"},
        )
        pyogrio.write_dataframe(
            layer, tmp, layer="portfolio", driver="GPKG", promote_to_multi=True, layer_options={"DESCRIPTION": why}
        )
        pyogrio.write_dataframe(
            pd.DataFrame(costs),
            tmp,
            layer="portfolio_costs",
            driver="GPKG",
            layer_options={"DESCRIPTION": "total score gained by dropping or loosening each limit"},
        )
        if robust is not None:
            pyogrio.write_dataframe(
                robust.sets,
                tmp,
                layer="portfolio_sets",
                driver="GPKG",
                layer_options={"DESCRIPTION": "most frequent chosen sets across weight samples"},
            )
        pyogrio.write_dataframe(run, tmp, layer="run", driver="GPKG",
                                layer_options={"DESCRIPTION": "how this portfolio was made"})  # fmt: skip
    log.info("wrote %s (%d sites chosen)", path, len(p.chosen))
    return Path(path)
