"""Coverage by nation: which sites a criterion's data can speak for, and what is done elsewhere.

Open GB data often cover one nation only (brownfield registers and the Environment Agency's water
stress classification: England; MSOA population centroids: England and Wales). Measured as if
they covered Great Britain, a Welsh site gets "no brownfield" and a Scottish one "no people",
and ranks move between nations for no reason but the data. Here:

- a GB layer stack records the nations each layer covers (``nations`` in its ``layer_metadata``
  table); a criterion takes the nations of its layer, or ``nations = [...]`` in the config;
- a site in a nation its criterion does not cover has no raw value (:func:`mask_uncovered`);
- the criterion's ``missing`` policy then decides: ``"unknown"`` (the median value of the sites
  with data, and robustness runs sample it over the observed range,
  :func:`growthzones.scoring.unknown_bounds`) or ``"proxy"`` (a GB-wide criterion's value), or the
  older ``"worst"``, ``"exclude"`` and ``"fail"``;
- :func:`coverage_table` counts, for every criterion and nation, the sites covered, proxied or
  unknown, for ``growthzones validate``, the run metadata and the app.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from growthzones.config import NATIONS, Config, CriterionConfig
from growthzones.errors import ConfigError

__all__ = [
    "coverage_notes",
    "coverage_records",
    "coverage_table",
    "coverage_text",
    "criterion_status",
    "layer_nations",
    "mask_uncovered",
    "site_nations",
    "uncovered",
    "with_layer_nations",
]

METADATA_TABLE = "layer_metadata"


def layer_nations(path: str | Path) -> dict[str, tuple[str, ...]]:
    """The nations each layer of a GB stack covers, from its ``layer_metadata`` table.

    Parameters
    ----------
    path
        A GeoPackage; other files (and stacks built before coverage was recorded) give ``{}``.

    Returns
    -------
    dict
        Layer name -> nations, e.g. ``{"brownfield": ("England",), ...}``.

    Examples
    --------
    >>> layer_nations("no/such/file.gpkg")
    {}
    """
    p = Path(path)
    if p.suffix.lower() != ".gpkg" or not p.is_file():
        return {}
    try:
        if METADATA_TABLE not in {name for name, _ in pyogrio.list_layers(p)}:
            return {}
        meta = pyogrio.read_dataframe(p, layer=METADATA_TABLE, columns=["layer", "nations"], read_geometry=False)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, KeyError, ValueError):
        return {}
    out = {}
    for layer, nations in zip(meta["layer"], meta["nations"], strict=True):
        if isinstance(nations, str) and nations.strip():
            out[str(layer)] = tuple(n.strip() for n in nations.split(";") if n.strip())
    return out


def with_layer_nations(config: Config) -> Config:
    """Fill each criterion's ``nations`` from its layer's stack metadata where the config gives none.

    A criterion with ``nations`` in the config keeps them; one whose layer records no nations
    covers every site.

    Examples
    --------
    >>> import growthzones as gz
    >>> cfg = gz.load_config(gz.datasets.demo_config_path())
    >>> with_layer_nations(cfg) == cfg
    True
    """
    cache: dict[Path, dict[str, tuple[str, ...]]] = {}
    crits = []
    for c in config.criteria:
        if c.nations is None and c.layer is not None and c.layer in config.layers:
            lay = config.layers[c.layer]
            if lay.path not in cache:
                cache[lay.path] = layer_nations(lay.path)
            found = cache[lay.path].get(lay.layer or lay.path.stem)
            if found is not None and set(found) != set(NATIONS):
                c = dataclasses.replace(c, nations=found)
        crits.append(c)
    return dataclasses.replace(config, criteria=tuple(crits))


def site_nations(config: Config, sites: pd.DataFrame) -> pd.Series | None:
    """Each site's nation, from the ``[sites] nation`` column (None when the config names none).

    Raises
    ------
    ConfigError
        If a criterion covers only some nations and the config names no nation column, or the
        sites have no such column.

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... sites = { path = "s.gpkg", id = "id", name = "name", nation = "country" }
    ... [[criteria]]
    ... name = "water"
    ... group = "water"
    ... measure = "attribute"
    ... attribute = "stress"
    ... nations = ["England"]
    ... missing = "unknown"
    ... value = { function = "linear", low = 0, high = 1 }
    ... ''')
    >>> site_nations(cfg, pd.DataFrame({"country": ["England ", "Wales"]})).tolist()
    ['England', 'Wales']
    """
    limited = [c.name for c in config.criteria if c.nations is not None]
    col = config.sites.nation
    if col is None:
        if limited:
            msg = (
                f"criteria {limited} cover only some nations, but [sites] names no nation column: add "
                'nation = "country" (the column holding England, Scotland or Wales) to [sites]'
            )
            raise ConfigError(msg)
        return None
    if col not in sites.columns:
        cols = [str(c) for c in sites.columns if c != "geometry"]
        msg = f"sites.nation: the sites have no column {col!r}; columns: {', '.join(cols)}"
        raise ConfigError(msg)
    return sites[col].astype("string").str.strip()


def uncovered(config: Config, sites: pd.DataFrame) -> pd.DataFrame:
    """True where a site lies in a nation its criterion's data do not cover.

    Sites whose nation is blank are taken as covered (nothing says otherwise).

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... [sites]
    ... path = "s.gpkg"
    ... id = "id"
    ... name = "name"
    ... nation = "country"
    ... [[criteria]]
    ... name = "water"
    ... group = "water"
    ... measure = "attribute"
    ... attribute = "stress"
    ... nations = ["England"]
    ... missing = "unknown"
    ... value = { function = "linear", low = 0, high = 1 }
    ... ''')
    >>> sites = pd.DataFrame({"country": ["England", "Wales", None]}, index=["a", "b", "c"])
    >>> uncovered(cfg, sites)["water"].tolist()
    [False, True, False]
    """
    nation = site_nations(config, sites)
    out = pd.DataFrame(False, index=sites.index, columns=[c.name for c in config.criteria])
    if nation is None:
        return out
    for c in config.criteria:
        if c.nations is not None:
            out[c.name] = (nation.notna() & ~nation.isin(list(c.nations))).to_numpy(dtype=bool)
    return out


def mask_uncovered(config: Config, sites: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """The raw criteria with no value where the site's nation is not covered (idempotent).

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... sites = { path = "s.gpkg", id = "id", name = "name", nation = "country" }
    ... [[criteria]]
    ... name = "water"
    ... group = "water"
    ... measure = "attribute"
    ... attribute = "stress"
    ... nations = ["England"]
    ... missing = "unknown"
    ... value = { function = "linear", low = 0, high = 1 }
    ... ''')
    >>> sites = pd.DataFrame({"country": ["England", "Wales"]}, index=["a", "b"])
    >>> mask_uncovered(cfg, sites, pd.DataFrame({"water": [0.5, 0.5]}, index=["a", "b"]))["water"].tolist()
    [0.5, nan]
    """
    gap = uncovered(config, sites)
    if not gap.to_numpy().any():
        return criteria
    out = criteria.copy()
    for name in gap.columns:
        if name in out.columns and gap[name].any():
            out.loc[gap[name].to_numpy(), name] = np.nan
    return out


def criterion_status(c: CriterionConfig) -> str:
    """What a site without data gets on criterion ``c``, in words.

    Examples
    --------
    >>> from growthzones.config import CriterionConfig
    >>> criterion_status(CriterionConfig("water", "water", "attribute", missing="unknown"))
    'unknown'
    >>> criterion_status(CriterionConfig("land", "land", "sum_within", missing="proxy", proxy="former_mw"))
    'proxy: former_mw'
    """
    if c.missing == "proxy":
        return f"proxy: {c.proxy}"
    return {"worst": "worst value", "exclude": "excluded", "fail": "error"}.get(c.missing, c.missing)


def _counted(config: Config) -> list[CriterionConfig]:
    gated = {g.criterion for g in config.gates if g.enabled}
    return [c for c in config.criteria if c.weight > 0 or c.name in gated]


def coverage_records(config: Config, sites: pd.DataFrame) -> pd.DataFrame:
    """The coverage table in long form: one row per weighted or gated criterion and nation.

    Returns
    -------
    pandas.DataFrame
        ``criterion, nation, status, n_sites``: ``status`` is ``covered`` where the criterion's
        data cover the nation, else what the missing policy gives (``unknown``,
        ``proxy: <criterion>``, ``worst value``, ``excluded``); ``n_sites`` counts the sites of
        that nation. Nations in :data:`growthzones.config.NATIONS` order, then any others.

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... sites = { path = "s.gpkg", id = "id", name = "name", nation = "country" }
    ... [[criteria]]
    ... name = "water"
    ... group = "water"
    ... measure = "attribute"
    ... attribute = "stress"
    ... nations = ["England"]
    ... missing = "unknown"
    ... value = { function = "linear", low = 0, high = 1 }
    ... ''')
    >>> coverage_records(cfg, pd.DataFrame({"country": ["England", "Wales", "Wales"]})).to_numpy().tolist()
    [['water', 'England', 'covered', 1], ['water', 'Wales', 'unknown', 2]]
    """
    nation = site_nations(config, sites)
    if nation is None:
        counts = pd.Series({"all": len(sites)})
    else:
        vc = nation.fillna("(none)").value_counts()
        order = [n for n in NATIONS if n in vc.index] + sorted(n for n in vc.index if n not in NATIONS)
        counts = vc[order]
    rows = []
    for c in _counted(config):
        for n, k in counts.items():
            covered = c.nations is None or n not in NATIONS or n in c.nations
            rows.append({"criterion": c.name, "nation": n, "status": "covered" if covered else criterion_status(c),
                         "n_sites": int(k)})  # fmt: skip
    return pd.DataFrame(rows, columns=["criterion", "nation", "status", "n_sites"])


def coverage_table(config: Config, sites: pd.DataFrame) -> pd.DataFrame:
    """Criterion x nation: ``covered``, ``unknown`` or ``proxy: <criterion>``, with the sites counted.

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... [sites]
    ... path = "s.gpkg"
    ... id = "id"
    ... name = "name"
    ... nation = "country"
    ... [[criteria]]
    ... name = "water"
    ... group = "water"
    ... measure = "attribute"
    ... attribute = "stress"
    ... nations = ["England"]
    ... missing = "unknown"
    ... value = { function = "linear", low = 0, high = 1 }
    ... ''')
    >>> sites = pd.DataFrame({"country": ["England", "Wales", "Wales"]}, index=["a", "b", "c"])
    >>> coverage_table(cfg, sites)
    nation           England         Wales
    criterion
    water      covered (1)  unknown (2)
    """
    rec = coverage_records(config, sites)
    if rec.empty:
        return pd.DataFrame()
    rec["cell"] = rec["status"] + " (" + rec["n_sites"].astype(str) + ")"
    wide = rec.pivot(index="criterion", columns="nation", values="cell")
    wide = wide.loc[list(dict.fromkeys(rec["criterion"])), list(dict.fromkeys(rec["nation"]))]
    wide.columns.name = "nation"
    return wide


def coverage_text(config: Config, sites: pd.DataFrame) -> str:
    """The coverage table as plain text, one line per criterion (for the CLI).

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... sites = { path = "s.gpkg", id = "id", name = "name", nation = "country" }
    ... [[criteria]]
    ... name = "water"
    ... group = "water"
    ... measure = "attribute"
    ... attribute = "stress"
    ... nations = ["England"]
    ... missing = "unknown"
    ... value = { function = "linear", low = 0, high = 1 }
    ... ''')
    >>> print(coverage_text(cfg, pd.DataFrame({"country": ["England", "Wales"]})))
    Coverage by nation (criterion x nation: covered / proxy / unknown, n sites):
    nation         England        Wales
    criterion
    water      covered (1)  unknown (1)
    """
    wide = coverage_table(config, sites)
    if wide.empty:
        return "Coverage by nation: no weighted or gated criterion"
    return "Coverage by nation (criterion x nation: covered / proxy / unknown, n sites):\n" + wide.to_string()


def coverage_json(config: Config, sites: pd.DataFrame) -> str:
    """The long coverage table as JSON records (for the run metadata).

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... sites = { path = "s.gpkg", id = "id", name = "name", nation = "country" }
    ... [[criteria]]
    ... name = "water"
    ... group = "water"
    ... measure = "attribute"
    ... attribute = "stress"
    ... nations = ["England"]
    ... missing = "unknown"
    ... value = { function = "linear", low = 0, high = 1 }
    ... ''')
    >>> coverage_json(cfg, pd.DataFrame({"country": ["Wales"]}))
    '[{"criterion": "water", "nation": "Wales", "status": "unknown", "n_sites": 1}]'
    """
    return json.dumps(coverage_records(config, sites).to_dict(orient="records"))


def coverage_notes(config: Config, sites: pd.DataFrame, site_id: object) -> list[str]:
    """What one site lacks data for: ``["water: no data for Wales; treated as unknown"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... [sites]
    ... path = "s.gpkg"
    ... id = "id"
    ... name = "name"
    ... nation = "country"
    ... [[criteria]]
    ... name = "water"
    ... group = "water"
    ... measure = "attribute"
    ... attribute = "stress"
    ... nations = ["England"]
    ... missing = "unknown"
    ... value = { function = "linear", low = 0, high = 1 }
    ... ''')
    >>> sites = pd.DataFrame({"country": ["England", "Wales"]}, index=["a", "b"])
    >>> coverage_notes(cfg, sites, "b")
    ['water: no data for Wales; treated as unknown']
    """
    gap = uncovered(config, sites)
    if site_id not in gap.index or not gap.loc[site_id].any():
        return []
    nation = site_nations(config, sites)
    where = str(nation.loc[site_id]) if nation is not None else "this site"
    by_name: Mapping[str, CriterionConfig] = {c.name: c for c in _counted(config)}
    out = []
    for name in gap.columns[gap.loc[site_id].to_numpy()]:
        c = by_name.get(name)
        if c is None:
            continue
        treated = {
            "unknown": "treated as unknown",
            "proxy": f"scored by its proxy {c.proxy}",
            "worst": "given the worst value",
            "exclude": "made ineligible",
            "fail": "no value",
        }[c.missing]
        out.append(f"{c.group if c.group == c.name else c.display}: no data for {where}; {treated}")
    return out
