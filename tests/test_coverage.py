"""Coverage by nation: a criterion with data for England only does not move ranks between nations."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
from shapely import box

import growthzones as gz
from growthzones.config import parse_config
from growthzones.coverage import coverage_records, coverage_table, layer_nations, with_layer_nations
from growthzones.errors import ConfigError
from growthzones.export import run_metadata
from growthzones.scoring import unknown_bounds

# 21 English sites whose water value runs 0.00, 0.05, ..., 1.00 and a Welsh site identical to E10 (0.50).
# Grid is the same everywhere, so ranks follow water alone.
N_ENGLISH = 21


def _project(tmp_path, *, missing="unknown", extra_criteria="", nation_line='nation = "country"'):
    ids = [f"E{i:02d}" for i in range(N_ENGLISH)] + ["W10"]
    water = [i / 20 for i in range(N_ENGLISH)] + [0.5]
    former = [0.3] * N_ENGLISH + [0.9]
    sites = gpd.GeoDataFrame(
        {
            "site_id": ids,
            "name": ids,
            "country": ["England"] * N_ENGLISH + ["Wales"],
            "grid": 0.5,
            "water": water,
            "former": former,
        },
        geometry=[box(i * 2000, 0, i * 2000 + 1000, 1000) for i in range(len(ids))],
        crs="EPSG:27700",
    )
    sites.to_file(tmp_path / "sites.gpkg", layer="sites", driver="GPKG")
    text = f"""
[sites]
path = "sites.gpkg"
id = "site_id"
name = "name"
{nation_line}

[weights]
grid = 0.5
water = 0.5

[[criteria]]
name = "grid"
group = "grid"
measure = "attribute"
attribute = "grid"
value = {{ function = "linear", low = 0, high = 1 }}

[[criteria]]
name = "water"
group = "water"
measure = "attribute"
attribute = "water"
nations = ["England"]
missing = "{missing}"
{'proxy = "former"' if missing == "proxy" else ""}
value = {{ function = "linear", low = 0, high = 1 }}
{extra_criteria}
"""
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


FORMER = """
[[criteria]]
name = "former"
group = "grid"
measure = "attribute"
attribute = "former"
weight = 0
value = { function = "linear", low = 0, high = 1 }
"""


def test_identical_sites_in_england_and_wales_score_equal_and_wales_is_wider(tmp_path):
    a = gz.assess(_project(tmp_path))
    # The Welsh site has no water value: it gets the median of the English values (0.5), as E10 has.
    assert np.isnan(a.criteria.loc["W10", "water"])
    assert a.values.loc["W10", "water"] == pytest.approx(0.5)
    assert a.scores.loc["W10", "score"] == pytest.approx(a.scores.loc["E10", "score"])
    assert a.scores.loc["W10", "score"] == pytest.approx(100 * (0.5 * 0.5 + 0.5 * 0.5))

    r = a.robustness(samples=2000, seed=3, interval=0.9)
    s = r.summary
    width = (s["rank_hi"] - s["rank_lo"]).astype(int)
    # E10 only swaps places with the Welsh site: rank 11 or 12. The Welsh site's water is drawn uniformly
    # over 0..1, so its rank runs over nearly all 22: the 5% and 95% quantiles of the uniform draw fall
    # near water 0.05 and 0.95, i.e. ranks 2 and 21 (within a rank of sampling noise).
    assert width["E10"] <= 1
    assert s.loc["E10", "rank_lo"] >= 11 and s.loc["E10", "rank_hi"] <= 12
    assert 1 <= s.loc["W10", "rank_lo"] <= 3 and 20 <= s.loc["W10", "rank_hi"] <= 22
    assert width["W10"] >= 17

    e = a.explain("W10")
    assert e.coverage == ("water: no data for Wales; treated as unknown",)
    assert "water: no data for Wales; treated as unknown." in e.text
    assert a.explain("E10").coverage == ()

    wide = coverage_table(a.config, a.sites)
    assert wide.to_dict() == {
        "England": {"grid": "covered (21)", "water": "covered (21)"},
        "Wales": {"grid": "covered (1)", "water": "unknown (1)"},
    }
    meta = json.loads(run_metadata(a)["coverage"])
    assert {"criterion": "water", "nation": "Wales", "status": "unknown", "n_sites": 1} in meta


def test_without_coverage_the_welsh_site_keeps_its_measured_value(tmp_path):
    path = _project(tmp_path)
    cfg = gz.load_config(path)
    crits = tuple(c if c.name != "water" else c.__class__(**{**c.__dict__, "nations": None}) for c in cfg.criteria)
    a = gz.assess(cfg.__class__(**{**cfg.__dict__, "criteria": crits}))
    assert a.criteria.loc["W10", "water"] == 0.5
    r = a.robustness(samples=500, seed=3)
    assert int(r.summary.loc["W10", "rank_hi"] - r.summary.loc["W10", "rank_lo"]) <= 1


def test_proxy_takes_the_stand_in_value(tmp_path):
    a = gz.assess(_project(tmp_path, missing="proxy", extra_criteria=FORMER))
    assert a.values.loc["W10", "water"] == pytest.approx(0.9)
    assert a.values.loc["E03", "water"] == pytest.approx(0.15)
    assert a.explain("W10").coverage == ("water: no data for Wales; scored by its proxy former",)
    assert coverage_table(a.config, a.sites).loc["water", "Wales"] == "proxy: former (1)"


def test_unknown_bounds_span_the_observed_range(tmp_path):
    a = gz.assess(_project(tmp_path))
    lo, hi = unknown_bounds(a.config, a.criteria)["water"]
    assert (lo[-1], hi[-1]) == (0.0, 1.0)
    np.testing.assert_array_equal(lo[:-1], np.arange(N_ENGLISH) / 20)
    np.testing.assert_array_equal(hi[:-1], lo[:-1])


def test_nation_column_required(tmp_path):
    with pytest.raises(ConfigError, match=r'add nation = "country"'):
        gz.assess(_project(tmp_path, nation_line=""))


def test_config_checks_proxy_and_nations():
    base = """
[sites]
path = "s.gpkg"
id = "id"
name = "name"
[[criteria]]
name = "water"
group = "water"
measure = "attribute"
attribute = "w"
value = { function = "linear", low = 0, high = 1 }
"""
    with pytest.raises(ConfigError, match=r"proxy: give proxy"):
        parse_config(base + 'missing = "proxy"\n')
    with pytest.raises(ConfigError, match=r"no other criterion 'nope'"):
        parse_config(base + 'missing = "proxy"\nproxy = "nope"\n')
    with pytest.raises(ConfigError, match=r"nations\[0\]"):
        parse_config(base + 'nations = ["Englnd"]\n')
    cfg = parse_config(base + 'nations = ["England", "Wales"]\nmissing = "unknown"\n')
    again = parse_config(cfg.to_toml())
    assert again.criteria[0].nations == ("England", "Wales") and again.criteria[0].missing == "unknown"


def test_nations_from_stack_metadata(tmp_path):
    import pandas as pd
    import pyogrio

    stack = tmp_path / "stack.gpkg"
    pts = gpd.GeoDataFrame({"ha": [1.0]}, geometry=gpd.points_from_xy([1000], [500]), crs="EPSG:27700")
    pts.to_file(stack, layer="brownfield", driver="GPKG")
    meta = pd.DataFrame({"layer": ["brownfield"], "nations": ["England"]})
    pyogrio.write_dataframe(meta, stack, layer="layer_metadata", driver="GPKG")
    assert layer_nations(stack) == {"brownfield": ("England",)}
    path = _project(tmp_path)
    text = path.read_text().replace('nations = ["England"]\n', "")
    text += """
[layers.brownfield]
path = "stack.gpkg"
layer = "brownfield"

[[criteria]]
name = "brownfield_ha"
group = "grid"
measure = "sum_within"
layer = "brownfield"
attribute = "ha"
radius_km = 5
missing = "unknown"
value = { function = "linear", low = 0, high = 1 }
"""
    path.write_text(text)
    cfg = with_layer_nations(gz.load_config(path))
    assert cfg.criterion("brownfield_ha").nations == ("England",)
    assert cfg.criterion("water").nations is None
    a = gz.assess(path)
    rec = coverage_records(a.config, a.sites).set_index(["criterion", "nation"])
    assert rec.loc[("brownfield_ha", "Wales"), "status"] == "unknown"
    assert rec.loc[("brownfield_ha", "England"), "n_sites"] == N_ENGLISH


def test_district_summary_layer(tmp_path):
    import pyogrio

    a = gz.assess(_project(tmp_path, nation_line='nation = "country"\ndistrict = "country"'))
    d = a.districts
    # England: E00..E20 score 25..75 (grid 0.5 and water i/20, equal weights); Wales: W10 at the median, 50.
    assert d.index.tolist() == ["England", "Wales"]
    assert d.loc["England", ["n_sites", "n_eligible", "best_site_id", "best_rank"]].tolist() == [21, 21, "E20", 1]
    assert d.loc["England", "best_score"] == pytest.approx(75.0)
    assert d.loc["England", "score_spread"] == pytest.approx(50.0)
    assert d.loc["Wales", "best_score"] == pytest.approx(50.0) and d.loc["Wales", "score_spread"] == 0.0
    out = a.to_geopackage(tmp_path / "ranked.gpkg")
    table = pyogrio.read_dataframe(out, layer="district_summary")
    assert table["district"].tolist() == ["England", "Wales"] and table["district_rank"].tolist() == [1, 2]


def test_validate_prints_the_coverage_table(tmp_path):
    from click.testing import CliRunner

    from growthzones.cli import main

    path = _project(tmp_path)
    r = CliRunner().invoke(main, ["validate", str(path)])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    i = lines.index("Coverage by nation (criterion x nation: covered / proxy / unknown, n sites):")
    assert lines[i + 3].split() == ["grid", "covered", "(21)", "covered", "(1)"]
    assert lines[i + 4].split() == ["water", "covered", "(21)", "unknown", "(1)"]
