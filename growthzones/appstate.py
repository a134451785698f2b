"""Pure helpers behind the planners' app: widget values in, configs and tables out.

Nothing here imports Streamlit, so every rule the app applies (which config to load, how
slider values become weights, what the ranking table and the rank-change view hold, which
infrastructure is nearest a site) is testable without a browser and reusable in notebooks.

The flow in the app is::

    base = assess(config)                      # once, cached on config + input hashes
    settings = AppSettings(...)                 # from the sidebar widgets
    current = apply_settings(base, settings)    # instant: works on the criteria table
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from growthzones.config import Config
from growthzones.explain import contribution_table, split_reasons, top_strengths
from growthzones.gates import format_value
from growthzones.mcda import METHOD_SPECS, Param

if TYPE_CHECKING:
    from growthzones.assessment import Assessment

__all__ = [
    "CONFIG_ENV",
    "METHOD_PARAMS",
    "AppSettings",
    "MethodParam",
    "apply_settings",
    "compare_table",
    "contribution_table",
    "default_settings",
    "input_fingerprint",
    "method_param_start",
    "method_params_from",
    "nearest_infrastructure",
    "rank_changes",
    "ranking_view",
    "resolve_config",
    "settings_config",
    "site_at",
    "site_contributions",
    "split_reasons",
    "top_strengths",
]

#: Environment variable naming the config the app opens (used by ``growthzones app`` and tests).
CONFIG_ENV = "GROWTHZONES_CONFIG"


# --------------------------------------------------------------------------------------------
# which config


def resolve_config(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    script: str | Path | None = None,
) -> tuple[Path, bool]:
    """Decide which config the app opens.

    Order: ``$GROWTHZONES_CONFIG``; else the first argument after the script when the app
    runs as ``streamlit run app.py -- CONFIG`` (``argv[0]`` is then the script itself, which
    tells it apart from a test runner's arguments); else the bundled demo.

    Parameters
    ----------
    argv
        ``sys.argv``.
    environ
        ``os.environ``.
    script
        The app script; ``argv[1]`` is only read when ``argv[0]`` is this file.

    Returns
    -------
    (Path, bool)
        The config path, and True when it is the bundled demo chosen by default.

    Examples
    --------
    >>> resolve_config(["app.py", "my.toml"], {}, script="app.py")
    (PosixPath('my.toml'), False)
    >>> resolve_config(["pytest", "tests"], {"GROWTHZONES_CONFIG": "x.toml"}, script="app.py")
    (PosixPath('x.toml'), False)
    """
    environ = os.environ if environ is None else environ
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]), False
    argv = list(argv or [])
    if script is not None and len(argv) > 1 and argv[0] and Path(argv[0]).name == Path(script).name:
        return Path(argv[1]), False
    from growthzones.datasets import demo_config_path

    return demo_config_path(), True


def input_files(config: Config) -> list[Path]:
    """Every file the assessment reads: the config itself, the sites and each layer."""
    files = [config.sites.path, *(lay.path for lay in config.layers.values())]
    if config.source is not None:
        files.insert(0, config.source)
    return list(dict.fromkeys(Path(f) for f in files))


def input_fingerprint(config: Config) -> str:
    """A SHA-256 over the config text and the content of every input file.

    The app caches the expensive assessment on this, so editing any input file (or the
    config) recomputes it, and nothing else does.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> fp = input_fingerprint(a.config)
    >>> len(fp), fp == input_fingerprint(a.config)
    (64, True)
    """
    from growthzones.layers import file_sha256

    h = hashlib.sha256(config.text.encode("utf-8"))
    for f in input_files(config):
        h.update(str(f).encode("utf-8"))
        h.update(file_sha256(f).encode("ascii") if f.is_file() else b"missing")
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# settings from widgets


@dataclass(frozen=True)
class AppSettings:
    """What the sidebar widgets say: weights, method, gates.

    Attributes
    ----------
    groups
        Group weights (any non-negative numbers; normalised when scoring).
    criteria
        Within-group criterion weights, by criterion name.
    method
        Aggregation method name (see :data:`growthzones.mcda.AGGREGATION_METHODS`).
    method_params
        The method's parameters.
    gates
        ``(enabled, threshold)`` per gate, in config order.
    """

    groups: Mapping[str, float]
    criteria: Mapping[str, float]
    method: str
    method_params: Mapping[str, Any] = field(default_factory=dict)
    gates: tuple[tuple[bool, float], ...] = ()

    def key(self) -> str:
        """A canonical text form, used as a cache key.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> s = default_settings(a.config)
        >>> s.key() == default_settings(a.config).key(), s.key()[:14]
        (True, '{"criteria": {')
        """
        return json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)


def default_settings(config: Config) -> AppSettings:
    """The settings that reproduce ``config`` exactly.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> s = default_settings(a.config)
    >>> s.groups["grid"], s.criteria["water_stress"]
    (0.35, 1.0)
    """
    return AppSettings(
        groups={g: float(w) for g, w in config.weights.items()},
        criteria={c.name: float(c.weight) for c in config.criteria if c.value is not None},
        method=config.method.name,
        method_params=dict(config.method.params),
        gates=tuple((g.enabled, float(g.value)) for g in config.gates),
    )


def settings_config(config: Config, settings: AppSettings) -> Config:
    """Apply ``settings`` to ``config`` (weights, method and gates).

    Raises
    ------
    WeightError
        When every group weight is zero.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> s = default_settings(a.config)
    >>> import dataclasses
    >>> s = dataclasses.replace(s, method="topsis", method_params={})
    >>> settings_config(a.config, s).method.name
    'topsis'
    >>> s = dataclasses.replace(s, method="vikor", method_params={"v": 0.8})
    >>> settings_config(a.config, s).method
    MethodConfig(name='vikor', params={'v': 0.8})
    """
    cfg = config.with_weights(dict(settings.groups), dict(settings.criteria))
    cfg = cfg.with_method(settings.method, **dict(settings.method_params))
    if settings.gates:
        gates = tuple(
            dataclasses.replace(g, enabled=bool(on), value=float(v))
            for g, (on, v) in zip(config.gates, settings.gates, strict=True)
        )
        cfg = cfg.with_gates(gates)
    return cfg


#: One aggregation-method parameter as the app offers it (a select box or a slider): the
#: method's own declaration (see :func:`growthzones.mcda.register_aggregation`).
MethodParam = Param


class _AppMethodParams(Mapping[str, tuple[Param, ...]]):
    """method -> the parameters the app offers, read live from the methods' declarations."""

    def __getitem__(self, method: str) -> tuple[Param, ...]:
        return tuple(p for p in METHOD_SPECS[method].params if p.app)

    def __iter__(self) -> Iterator[str]:
        return (name for name, spec in METHOD_SPECS.items() if any(p.app for p in spec.params))

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: The parameters the app offers per aggregation method, in the order they are shown.
METHOD_PARAMS: Mapping[str, tuple[Param, ...]] = _AppMethodParams()


def method_param_start(method: str, param: MethodParam, config_params: Mapping[str, Any]) -> Any:
    """The value a parameter widget starts at: the config's, else the method's default.

    Examples
    --------
    >>> vikor_v = METHOD_PARAMS["vikor"][0]
    >>> method_param_start("vikor", vikor_v, {}), method_param_start("vikor", vikor_v, {"v": 0.3})
    (0.5, 0.3)
    >>> method_param_start("promethee2", METHOD_PARAMS["promethee2"][1], {})
    0.05
    """
    if param.name in config_params:
        return config_params[param.name]
    if param.default is None:
        return param.start
    return param.default


def method_params_from(
    method: str, chosen: Mapping[str, Any], config_params: Mapping[str, Any]
) -> tuple[dict[str, Any], list[MethodParam]]:
    """Combine widget values with the config's parameters into the method's parameters.

    Parameters
    ----------
    method
        The aggregation method.
    chosen
        Widget values by parameter name (missing: the parameter was not offered).
    config_params
        The config's parameters when ``method`` is the config's method, else empty.

    Returns
    -------
    params : dict
        The parameters to score with. A value equal to the method's default is left out
        unless the config sets it, so untouched widgets reproduce the config exactly.
    offered : list of MethodParam
        The parameters to show widgets for, given the values chosen so far (for example no
        thresholds with PROMETHEE's ``usual`` preference).

    Examples
    --------
    >>> method_params_from("vikor", {"v": 0.5}, {})[0]
    {}
    >>> method_params_from("vikor", {"v": 0.8}, {})[0]
    {'v': 0.8}
    >>> params, offered = method_params_from("promethee2", {"preference": "usual"}, {})
    >>> params, [p.name for p in offered]
    ({}, ['preference'])
    >>> params, offered = method_params_from("promethee2", {"preference": "linear", "q": 0.05, "p": 0.3}, {})
    >>> params, [p.name for p in offered]
    ({'preference': 'linear', 'q': 0.05, 'p': 0.3}, ['preference', 'q', 'p'])
    >>> method_params_from("owa", {"orness": 0.9}, {"order_weights": [0.5, 0.5]})[0]
    {'order_weights': [0.5, 0.5]}
    """
    params = dict(config_params)
    offered: list[MethodParam] = []
    for spec in METHOD_PARAMS.get(method, ()):
        if any(u in config_params for u in spec.unless):
            continue
        if spec.used_with is not None:
            other, values = spec.used_with
            current = params.get(other, next(s.default for s in METHOD_PARAMS[method] if s.name == other))
            if current not in values:
                params.pop(spec.name, None)
                continue
        offered.append(spec)
        if spec.name not in chosen:
            continue
        value = chosen[spec.name]
        if spec.name in config_params or spec.default is None or value != spec.default:
            params[spec.name] = value
        else:
            params.pop(spec.name, None)
    return params, offered


def apply_settings(base: Assessment, settings: AppSettings) -> Assessment:
    """Re-evaluate ``base`` under ``settings`` (instant: no layer is read again).

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> s = default_settings(a.config)
    >>> apply_settings(a, s).ranking.index[:3].tolist() == a.ranking.index[:3].tolist()
    True
    """
    return base.with_config(settings_config(base.config, settings))


# --------------------------------------------------------------------------------------------
# tables


def key_criteria(a: Assessment, n: int = 3) -> list[str]:
    """The ``n`` criteria with the largest effective weight (the "key figures")."""
    return list(a.weights.criteria.sort_values(ascending=False).index[:n])


def ranking_view(
    a: Assessment,
    *,
    nations: Sequence[str] = (),
    regions: Sequence[str] = (),
    search: str = "",
    top: int | None = None,
    include_ineligible: bool = True,
) -> pd.DataFrame:
    """The ranked table the app shows: rank, name, region, score, eligible, key figures.

    Parameters
    ----------
    a
        The current assessment.
    nations, regions
        Keep only sites in these (empty: all). Ignored where the sites lack the column.
    search
        Keep sites whose name or id contains this text (case-insensitive).
    top
        Keep the top ``top`` eligible sites (ineligible ones follow when included).
    include_ineligible
        Append the ineligible sites after the ranked ones.

    Returns
    -------
    DataFrame
        Indexed by site id in ranking order. The key figures are columns named by the
        criteria's labels with their units.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> view = ranking_view(a, top=3, include_ineligible=False)
    >>> view[["rank", "name"]]  # doctest: +NORMALIZE_WHITESPACE
             rank                             name
    site_id
    GZ-107      1  Inverness Riverside Data Campus
    GZ-002      2   Aberdeen Riverside Data Campus
    GZ-018      3         Bathgate Former Colliery
    >>> ranking_view(a, search="Inverness", include_ineligible=False).index.tolist()
    ['GZ-107']
    """
    t = a.ranking
    t = t.loc[filter_mask(t, nations=nations, regions=regions, search=search)]
    elig = t["eligible"].to_numpy(dtype=bool)
    ranked = t.loc[elig]
    if top is not None:
        ranked = ranked.head(top)
    parts = [ranked]
    if include_ineligible:
        parts.append(t.loc[~elig])
    t = pd.concat(parts)
    strengths = top_strengths(a)
    out = pd.DataFrame(index=t.index)
    out["rank"] = t["rank"].astype("Int64")
    out["name"] = t["name"].astype(str)
    if "region" in t.columns:
        out["region"] = t["region"].astype(str)
    out["score"] = t["score"].astype(float)
    out["eligible"] = t["eligible"].astype(bool)
    out["tier"] = t["tier"].astype(str)
    out["top strength"] = strengths.reindex(t.index).fillna("")
    for name in key_criteria(a):
        c = a.config.criterion(name)
        out[_with_unit(c.display, c.unit)] = a.criteria.loc[t.index, name].astype(float)
    out["failed gates"] = t["gate_reasons"].astype(str)
    out.index.name = "site_id"
    return out


def filter_mask(
    table: pd.DataFrame, *, nations: Sequence[str] = (), regions: Sequence[str] = (), search: str = ""
) -> np.ndarray:
    """Rows of a site table matching the nation and region filters and a name/id search.

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["Alpha Park", "Beta Works"], "nation": ["Wales", "Scotland"]}, index=["a", "b"])
    >>> filter_mask(t, nations=["Wales"]).tolist(), filter_mask(t, search="works").tolist()
    ([True, False], [False, True])
    """
    mask = np.ones(len(table), dtype=bool)
    if nations and "nation" in table.columns:
        mask &= table["nation"].astype(str).isin(list(nations)).to_numpy()
    if regions and "region" in table.columns:
        mask &= table["region"].astype(str).isin(list(regions)).to_numpy()
    if search.strip():
        s = search.strip().lower()
        in_name = table["name"].astype(str).str.lower().str.contains(s, regex=False).to_numpy()
        in_id = table.index.to_series().astype(str).str.lower().str.contains(s, regex=False).to_numpy()
        mask &= in_name | in_id
    return mask


def _with_unit(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit and unit != "fraction" else label


def rank_changes(current: Assessment, baseline: Assessment) -> pd.DataFrame:
    """Which sites moved between ``baseline`` and ``current``, and by how much.

    Returns
    -------
    DataFrame
        Indexed by site id: ``name``, ``baseline rank``, ``rank``, ``moved`` (positive = up
        the ranking), ``baseline score``, ``score``; sorted by the size of the move. Sites
        ineligible in both are left out; a site that became (in)eligible has no ``moved``.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> moved = rank_changes(a.reweight(groups={"grid": 0.8}), a)
    >>> moved.columns.tolist()
    ['name', 'baseline rank', 'rank', 'moved', 'baseline score', 'score']
    >>> [int(v) for v in moved.iloc[0][["baseline rank", "rank", "moved"]]]
    [38, 75, -37]
    """
    b = baseline.scores["rank"].astype("Float64")
    c = current.scores["rank"].astype("Float64").reindex(b.index)
    out = pd.DataFrame(
        {
            "name": current.sites["name"].reindex(b.index),
            "baseline rank": b.astype("Int64"),
            "rank": c.astype("Int64"),
            "moved": (b - c).astype("Int64"),
            "baseline score": baseline.scores["score"].astype(float),
            "score": current.scores["score"].reindex(b.index).astype(float),
        }
    )
    out = out.loc[~(out["baseline rank"].isna() & out["rank"].isna())]
    order = np.lexsort(
        (out["rank"].to_numpy(dtype=float, na_value=np.inf), -out["moved"].abs().to_numpy(dtype=float, na_value=-1))
    )
    return out.iloc[order]


def site_contributions(a: Assessment, site_id: str) -> pd.DataFrame:
    """One row per criterion for a site: raw value with unit, 0-1 value, weight, contribution.

    Returns
    -------
    DataFrame
        Columns ``criterion`` (label), ``group``, ``raw`` (number), ``raw text`` (formatted
        with unit), ``value`` (0-1), ``weight`` (effective), ``contribution`` (score points).

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> sc = site_contributions(a, "GZ-107")
    >>> sc.columns.tolist()
    ['criterion', 'group', 'raw', 'raw text', 'value', 'weight', 'contribution']
    >>> sc.loc["grid_headroom", "raw text"], round(float(sc.loc["grid_headroom", "contribution"]), 2)
    ('1,080 MW', 10.5)
    """
    contrib = contribution_table(a)
    rows = []
    for c in a.config.criteria:
        raw = float(a.criteria.at[site_id, c.name])
        rows.append(
            {
                "name": c.name,
                "criterion": c.display,
                "group": c.group,
                "raw": raw,
                "raw text": format_value(raw, c.unit) + (" (fraction)" if c.unit == "fraction" else ""),
                "value": float(a.values.at[site_id, c.name]) if c.name in a.values.columns else np.nan,
                "weight": float(a.weights.criteria.get(c.name, 0.0)),
                "contribution": float(contrib.at[site_id, c.name]) if c.name in contrib.columns else 0.0,
            }
        )
    return pd.DataFrame(rows).set_index("name")


def gate_results(a: Assessment, site_id: str) -> pd.DataFrame:
    """Every gate for a site: what it requires, the site's value, passed or not (or off)."""
    rows = []
    for g in a.config.gates:
        c = a.config.criterion(g.criterion)
        v = float(a.criteria.at[site_id, g.criterion])
        col = f"gate: {g.key}"
        passed = bool(a.gates.at[site_id, col]) if col in a.gates.columns else None
        rows.append(
            {
                "gate": g.label or c.display,
                "requires": f"{g.op} {format_value(g.value, c.unit)}",
                "value": format_value(v, c.unit),
                "result": "off" if not g.enabled else ("pass" if passed else "fail"),
            }
        )
    return pd.DataFrame(rows, columns=["gate", "requires", "value", "result"])


def nearest_infrastructure(
    a: Assessment,
    site_id: str,
    *,
    max_distance_km: float | None = None,
) -> pd.DataFrame:
    """The nearest feature of every vector layer to a site, with its distance.

    Uses :func:`growthzones.criteria.proximity.nearest_feature` over the assessment's
    ``layers.vectors``; a name-like column and voltage/headroom, where present, describe it.

    Returns
    -------
    DataFrame
        Columns ``layer``, ``nearest``, ``distance_km``, ``details``; a layer with no feature
        within ``max_distance_km`` shows "none within ...".

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> near = nearest_infrastructure(a, "GZ-107")
    >>> near.columns.tolist()
    ['layer', 'nearest', 'distance_km', 'details']
    >>> near.iloc[0]["nearest"], round(float(near.iloc[0]["distance_km"]), 1)
    ('Inverness 275 kV C', 1.6)
    """
    from growthzones.criteria.proximity import nearest_feature

    if a.layers is None:
        return pd.DataFrame(columns=["layer", "nearest", "distance_km", "details"])
    site = a.sites.loc[[site_id]]
    rows = []
    for key, gdf in a.layers.vectors.items():
        lay = a.config.layers.get(key)
        label = (lay.label if lay and lay.label else key.replace("_", " ")) + (
            " (synthetic)" if lay is not None and lay.synthetic else ""
        )
        name_col = next((c for c in ("name", "ref", "line_id", "id") if c in gdf.columns), None)
        extra = [c for c in ("voltage_kv", "headroom_mw", "kind", "designation") if c in gdf.columns]
        cols = [c for c in (name_col, *extra) if c]
        near = nearest_feature(
            site, gdf, columns=cols, max_distance_m=None if max_distance_km is None else max_distance_km * 1000
        )
        r = near.iloc[0]
        if pd.isna(r["feature_id"]):
            rows.append(
                {"layer": label, "nearest": f"none within {max_distance_km:g} km", "distance_km": np.nan, "details": ""}
            )
            continue
        name = str(r[name_col]) if name_col else str(r["feature_id"])
        details = ", ".join(_describe(c, r[c]) for c in extra if pd.notna(r[c]))
        rows.append({"layer": label, "nearest": name, "distance_km": float(r["distance_km"]), "details": details})
    return pd.DataFrame(rows, columns=["layer", "nearest", "distance_km", "details"])


def _describe(col: str, v: Any) -> str:
    if col == "voltage_kv":
        return f"{float(v):g} kV"
    if col == "headroom_mw":
        return f"{float(v):,.0f} MW headroom"
    return str(v)


def compare_table(a: Assessment, site_ids: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Side-by-side raw values, 0-1 values, and who wins each criterion.

    Returns
    -------
    (raw, values, winner)
        ``raw``: criteria (rows, labelled with units) x sites (columns, by name) as formatted
        text; ``values``: the 0-1 values, same shape, as numbers; ``winner``: the name of the
        site with the highest 0-1 value per criterion ("tie" when equal, "" without values).

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> raw, values, best = compare_table(a, ["GZ-107", "GZ-002"])
    >>> raw.iloc[1].tolist()
    ['1,080 MW', '605 MW']
    >>> best.iloc[1]
    'Inverness Riverside Data Campus (GZ-107)'
    """
    ids = list(site_ids)
    names = [f"{a.sites.at[i, 'name']} ({i})" for i in ids]
    raw_rows, val_rows, win = {}, {}, {}
    for c in a.config.criteria:
        label = _with_unit(c.display, c.unit)
        raw_rows[label] = [format_value(float(a.criteria.at[i, c.name]), c.unit) for i in ids]
        vals = (
            np.array([float(a.values.at[i, c.name]) for i in ids]) if c.name in a.values else np.full(len(ids), np.nan)
        )
        val_rows[label] = vals
        if np.all(np.isnan(vals)):
            win[label] = ""
        else:
            best = np.nanmax(vals)
            winners = [n for n, v in zip(names, vals, strict=True) if np.isclose(v, best)]
            win[label] = winners[0] if len(winners) == 1 else "tie"
    raw = pd.DataFrame(raw_rows, index=names).T
    values = pd.DataFrame(val_rows, index=names).T
    return raw, values, pd.Series(win, name="best")


def site_at(a: Assessment, lat: float, lon: float, *, tolerance_m: float = 3000.0) -> str | None:
    """The site under (or nearest to, within ``tolerance_m``) a clicked map point.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> site_at(a, 57.4720, -4.2604)
    'GZ-107'
    >>> site_at(a, 0.0, 0.0) is None
    True
    """
    import geopandas as gpd
    from shapely import Point

    pt = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(a.sites.crs).iloc[0]
    d = a.sites.geometry.distance(pt)
    if d.empty or float(d.min()) > tolerance_m:
        return None
    return str(d.idxmin())


def site_labels(a: Assessment) -> dict[str, str]:
    """A label per site for pickers, in ranking order: ``"#3 Name (id)"`` or ``"(ineligible) Name (id)"``."""
    r = a.ranking
    ranks = r["rank"].to_numpy(dtype=float, na_value=np.nan)
    return {
        str(sid): (f"#{int(rk)} " if np.isfinite(rk) else "(ineligible) ") + f"{nm} ({sid})"
        for sid, nm, rk in zip(r.index, r["name"].astype(str), ranks, strict=True)
    }
