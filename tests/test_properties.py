"""Invariants, checked on random inputs with hypothesis.

- Random valid projects (the tiny project's layout: sites, substations, a raster) never crash.
- The ranking is a permutation 1..n of the eligible sites, in score order (ties by id), and
  eligibility is exactly "passes every gate".
- The config loader, fed random TOML (mutations of a valid config, random tables, random
  text), either returns a Config or raises a GrowthzonesError: never KeyError, TypeError...
"""

from __future__ import annotations

import dataclasses
import json
import math
import operator
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinyproject import TINY_CONFIG, write_tiny_project

import growthzones as gz
from growthzones import mcda
from growthzones.config import Config, parse_config
from growthzones.errors import GrowthzonesError

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq, "!=": operator.ne}
#: Parameters a method needs (the others have usable defaults).
METHOD_PARAMS = {"owa": {"orness": 0.3}}


def _check_ranking(a: gz.Assessment) -> None:
    """Ranks 1..k over the k eligible sites in score order (ties by id); eligibility = gates."""
    crit, gates = a.criteria, a.gates
    expected = pd.Series(True, index=crit.index)
    for g in a.config.gates:
        if g.enabled:
            vals = crit[g.criterion]
            expected &= vals.notna() & OPS[g.op](vals, g.value)
    for c in a.config.criteria:
        if c.missing == "exclude" and (c.weight > 0 or any(g.criterion == c.name for g in a.config.gates)):
            expected &= crit[c.name].notna()
    assert gates["eligible"].tolist() == expected.tolist()
    assert (gates["gate_reasons"] == "").tolist() == expected.tolist()

    elig = gates["eligible"].to_numpy()
    rank = a.scores["rank"]
    assert rank[~elig].isna().all() and rank[elig].notna().all()
    assert sorted(rank[elig].astype(int)) == list(range(1, int(elig.sum()) + 1))
    score = a.scores["score"]
    assert score[~elig].isna().all()
    assert np.all((score[elig] >= -1e-9) & (score[elig] <= 100 + 1e-9))
    # Best first, equal scores by site id.
    ordered = sorted(crit.index[elig], key=lambda s: (-score[s], str(s)))
    assert [int(rank[s]) for s in ordered] == list(range(1, len(ordered) + 1))
    assert a.ranking.index[: len(ordered)].tolist() == ordered


# --------------------------------------------------------------------------------------------
# random projects, end to end

ids = st.lists(st.from_regex(r"[A-Za-z0-9é]{1,6}", fullmatch=True), min_size=1, max_size=8, unique=True)


@st.composite
def projects(draw) -> dict[str, Any]:
    site_ids = draw(ids)
    n = len(site_ids)
    coords = st.tuples(st.floats(96_000, 132_000), st.floats(96_000, 112_000), st.floats(50, 900))
    boxes = draw(st.lists(coords, min_size=n, max_size=n))
    m = draw(st.integers(1, 5))
    sub = st.tuples(st.floats(90_000, 140_000), st.floats(90_000, 120_000), st.sampled_from([132, 275, 400]),
                    st.floats(0, 2000))  # fmt: skip
    subs = draw(st.lists(sub, min_size=m, max_size=m))
    subs[0] = (*subs[0][:2], 400, subs[0][3])  # at least one 275 kV+ substation: every site has a value
    seed = draw(st.integers(0, 2**32 - 1))
    method = draw(st.sampled_from(sorted(mcda.AGGREGATION_METHODS)))
    return {
        "ids": site_ids,
        "boxes": boxes,
        "subs": subs,
        "seed": seed,
        "weights": draw(st.tuples(st.floats(0.01, 1), st.floats(0.01, 1))),
        "area_gate": draw(st.floats(0, 80)),
        "distance_gate": draw(st.floats(0, 40)),
        "method": method,
    }


def _write_project(folder: Path, p: dict[str, Any]) -> Path:
    cfg = write_tiny_project(folder)
    sites = gpd.GeoDataFrame(
        {"sid": p["ids"], "label": [f"Site {i}" for i in p["ids"]]},
        geometry=[shapely.box(x, y, x + s, y + s) for x, y, s in p["boxes"]],
        crs=27700,
    )
    (folder / "sites.gpkg").unlink()
    sites.to_file(folder / "sites.gpkg", layer="sites", engine="pyogrio")
    subs = gpd.GeoDataFrame(
        {"name": [f"P{i}" for i in range(len(p["subs"]))], "voltage_kv": [s[2] for s in p["subs"]],
         "headroom_mw": [s[3] for s in p["subs"]]},
        geometry=[shapely.Point(s[0], s[1]) for s in p["subs"]], crs=27700,
    )  # fmt: skip
    (folder / "layers.gpkg").unlink()
    subs.to_file(folder / "layers.gpkg", layer="substations", engine="pyogrio")
    data = np.random.default_rng(p["seed"]).random((20, 40)).astype("float32")
    with rasterio.open(
        folder / "water.tif", "w", driver="GTiff", width=40, height=20, count=1, dtype="float32",
        crs="EPSG:27700", transform=Affine(1000, 0, 95000, 0, -1000, 115000), nodata=-9999.0,
    ) as ds:  # fmt: skip
        ds.write(data, 1)
    text = (
        TINY_CONFIG.replace("grid = 0.5", f"grid = {p['weights'][0]!r}")
        .replace("water = 0.5", f"water = {p['weights'][1]!r}")
        .replace("value = 20\n\n[[gates]]", f"value = {p['area_gate']!r}\n\n[[gates]]")
        .replace('op = "<="\nvalue = 20', f'op = "<="\nvalue = {p["distance_gate"]!r}')
    )
    params = METHOD_PARAMS.get(p["method"], {})
    inline = ", ".join(f"{k} = {v}" for k, v in params.items())
    text += f'\n[method]\nname = "{p["method"]}"\nparams = {{ {inline} }}\n'
    cfg.write_text(text, encoding="utf-8")
    return cfg


@SETTINGS
@given(projects())
def test_random_projects_never_crash_and_rank_the_eligible_sites(p):
    with tempfile.TemporaryDirectory() as d:
        a = gz.assess(_write_project(Path(d), p))
    assert sorted(a.sites.index) == sorted(p["ids"])
    assert a.config.method.name == p["method"]
    _check_ranking(a)
    # The gates are the ones drawn, on hand-checkable criteria.
    areas = {i: s * s / 1e4 for i, (_, _, s) in zip(p["ids"], p["boxes"], strict=True)}
    for sid in a.sites.index:
        assert math.isclose(a.criteria.at[sid, "area"], areas[sid], rel_tol=1e-9)
        assert a.criteria.at[sid, "grid_distance"] >= 0
        assert 0 <= a.criteria.at[sid, "water_stress"] <= 1


# --------------------------------------------------------------------------------------------
# random criteria tables through the cheap step (many more examples, no files)


@st.composite
def criteria_tables(draw):
    sids = draw(ids)
    n = len(sids)
    value = st.one_of(st.floats(0, 60, allow_nan=False), st.just(math.nan))
    cols = {
        "grid_distance": draw(st.lists(value, min_size=n, max_size=n)),
        "headroom": draw(st.lists(st.one_of(st.floats(0, 1500), st.just(math.nan)), min_size=n, max_size=n)),
        "water_stress": draw(st.lists(st.one_of(st.floats(0, 1), st.just(math.nan)), min_size=n, max_size=n)),
        "area": draw(st.lists(st.floats(0.1, 60), min_size=n, max_size=n)),
    }
    # Ties are the interesting case for rank order: make some likely.
    if draw(st.booleans()):
        cols["water_stress"] = [0.5] * n
        cols["headroom"] = [500.0] * n
        cols["grid_distance"] = [3.0] * n
    missing = draw(st.lists(st.sampled_from(["worst", "exclude"]), min_size=4, max_size=4))
    gate_ops = draw(st.lists(st.sampled_from(list(OPS)), min_size=2, max_size=2))
    gate_vals = draw(st.tuples(st.floats(0, 60), st.floats(0, 40)))
    method = draw(st.sampled_from(sorted(mcda.AGGREGATION_METHODS)))
    return sids, pd.DataFrame(cols, index=pd.Index(sids, name="site_id")), missing, gate_ops, gate_vals, method


@settings(max_examples=50, deadline=None)
@given(criteria_tables())
def test_ranking_is_a_permutation_of_the_eligible_sites(tiny_assessment, table):
    sids, crit, missing, gate_ops, gate_vals, method = table
    base = tiny_assessment.config
    config = dataclasses.replace(
        base,
        criteria=tuple(dataclasses.replace(c, missing=m) for c, m in zip(base.criteria, missing, strict=True)),
        gates=tuple(
            dataclasses.replace(g, op=op, value=v) for g, op, v in zip(base.gates, gate_ops, gate_vals, strict=True)
        ),
    ).with_method(method, **METHOD_PARAMS.get(method, {}))
    sites = gpd.GeoDataFrame(
        {"name": sids}, geometry=[shapely.box(i, 0, i + 1, 1) for i in range(len(sids))], crs=27700,
        index=pd.Index(sids, name="site_id"),
    )  # fmt: skip
    a = gz.evaluate(config, sites, crit)
    _check_ranking(a)
    # Shuffling the rows changes nothing, by site id.
    order = np.random.default_rng(len(sids)).permutation(len(sids))
    b = gz.evaluate(config, sites.iloc[order], crit.iloc[order])
    pd.testing.assert_series_equal(a.scores["rank"], b.scores["rank"].loc[a.scores.index])


# --------------------------------------------------------------------------------------------
# the config loader on random TOML


def toml_value(v: Any) -> str:
    """A tiny TOML writer: every table inline, so any nesting fits on one line."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    return v.isoformat()  # dates


def toml_key(k: str) -> str:
    return json.dumps(k, ensure_ascii=False).replace("\x7f", "\\u007f")


def dumps(doc: dict[str, Any]) -> str:
    return "\n".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in doc.items()) + "\n"


KEYS = ["project", "sites", "layers", "weights", "criteria", "gates", "method", "name", "path", "layer", "id",
        "crs", "group", "measure", "weight", "value", "function", "low", "high", "op", "criterion", "params", "where",
        "attribute", "stat", "range", "missing", "direction", "band", "nodata", "kind", "radius_km",
        "demo"]  # fmt: skip
WORDS = ["EPSG:27700", "EPSG:4326", "linear", "zonal", "distance", "wlc", "vikor", ">=", "fail", "substations",
         "water", "grid", "voltage_kv >= 275", "mean", "fraction", "cost"]  # fmt: skip
scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(WORDS),
    st.dates(),
)
toml_data = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=8)), children, max_size=4),
    ),
    max_leaves=12,
)
BASE = tomllib.loads(TINY_CONFIG)


def _parse(text: str) -> None:
    try:
        cfg = parse_config(text, base_dir=Path(tempfile.gettempdir()))
    except GrowthzonesError:
        return
    assert isinstance(cfg, Config)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(doc: Any, path: tuple, op: str, value: Any) -> Any:
    import copy

    doc = copy.deepcopy(doc)
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "add" and isinstance(parent, dict):
        parent[f"{last}_x" if isinstance(last, str) else "extra"] = value
    else:
        parent[last] = value
    return doc


@SETTINGS
@given(st.data())
def test_config_loader_on_mutated_configs_raises_only_growthzones_errors(data):
    doc = BASE
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        op = data.draw(st.sampled_from(["replace", "delete", "add"]))
        doc = _mutate(doc, path, op, data.draw(toml_data))
    if not isinstance(doc, dict):
        return
    _parse(dumps(doc))


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), toml_data, max_size=6))
def test_config_loader_on_random_tables_raises_only_growthzones_errors(doc):
    _parse(dumps(doc))


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200))
def test_config_loader_on_random_text_raises_only_growthzones_errors(text):
    _parse(text)


def test_toml_writer_round_trips_the_tiny_config():
    assert tomllib.loads(dumps(BASE)) == BASE
    assert parse_config(dumps(BASE)).criteria == parse_config(TINY_CONFIG).criteria
