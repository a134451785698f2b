"""Config reading: every key checked, errors that name the key and the fix."""

from __future__ import annotations

import pytest
from tinyproject import TINY_CONFIG

from growthzones.config import load_config, parse_config, parse_where
from growthzones.errors import ConfigError, WeightError


def _cfg(text: str = TINY_CONFIG, tmp_path=None):
    return parse_config(text, base_dir=tmp_path or ".")


def test_tiny_config_reads(tmp_path):
    cfg = _cfg(tmp_path=tmp_path)
    assert [c.name for c in cfg.criteria] == ["grid_distance", "headroom", "water_stress", "area"]
    assert cfg.groups == ("grid", "water", "land")
    assert cfg.layers["water"].kind == "raster"
    assert cfg.layers["substations"].kind == "vector"
    assert cfg.sites.path == tmp_path / "sites.gpkg"
    assert cfg.criterion("area").unit == "ha"
    assert cfg.criterion("grid_distance").unit == "km"


def test_misspelt_key_suggests_the_right_one():
    with pytest.raises(
        ConfigError,
        match=r"criteria\[0\] \(grid_distance\)\.directon: unknown key 'directon'; did you mean 'direction'\?",
    ):
        _cfg(TINY_CONFIG.replace('direction = "cost"', 'directon = "cost"', 1))


def test_unknown_section():
    with pytest.raises(ConfigError, match=r"^gatez: unknown key 'gatez'; did you mean 'gates'\?"):
        _cfg(TINY_CONFIG + "\n[gatez]\n")


def test_wrong_type_names_key_and_type():
    with pytest.raises(ConfigError, match=r"weights.grid: expected a number, got str 'high'"):
        _cfg(TINY_CONFIG.replace("grid = 0.5", 'grid = "high"'))


def test_toml_syntax_error():
    with pytest.raises(ConfigError, match="TOML syntax error"):
        _cfg(TINY_CONFIG + "\n[[criteria\n")


def test_unknown_layer_suggests():
    with pytest.raises(ConfigError, match=r"no layer 'substation' in \[layers\]; did you mean 'substations'\?"):
        _cfg(TINY_CONFIG.replace('layer = "substations"\nwhere', 'layer = "substation"\nwhere', 1))


def test_unknown_measure_lists_choices():
    with pytest.raises(
        ConfigError, match=r"'distnce' is not valid; did you mean 'distance'\? valid choices: distance, "
    ):
        _cfg(TINY_CONFIG.replace('measure = "distance"', 'measure = "distnce"'))


def test_zonal_needs_raster_layer():
    bad = TINY_CONFIG.replace('layer = "water"', 'layer = "substations"')
    with pytest.raises(ConfigError, match="measure 'zonal' needs a raster layer, but 'substations' is a vector"):
        _cfg(bad)


def test_negative_weight_refused():
    with pytest.raises(ConfigError, match="below the minimum 0"):
        _cfg(TINY_CONFIG.replace("weight = 1\nvalue = { function = \"linear\", low = 0, high = 20 }",
                                 "weight = -1\nvalue = { function = \"linear\", low = 0, high = 20 }"))  # fmt: skip


def test_all_zero_group_weights_refused():
    with pytest.raises(WeightError, match="all group weights are zero"):
        _cfg(TINY_CONFIG.replace("grid = 0.5", "grid = 0").replace("water = 0.5", "water = 0"))


def test_weighted_criterion_needs_value_function():
    with pytest.raises(ConfigError, match="a weighted criterion needs a value function"):
        _cfg(TINY_CONFIG.replace('value = { function = "linear", low = 0, high = 1 }\n', ""))


def test_gate_on_unknown_criterion():
    with pytest.raises(
        ConfigError, match=r"gates\[1\].criterion: no criterion 'grid_distanse'; did you mean 'grid_distance'\?"
    ):
        _cfg(TINY_CONFIG.replace('criterion = "grid_distance"', 'criterion = "grid_distanse"'))


def test_geographic_crs_refused():
    with pytest.raises(ConfigError, match="not a projected CRS in metres"):
        _cfg(TINY_CONFIG.replace('crs = "EPSG:27700"', 'crs = "EPSG:4326"'))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_where_parser():
    assert parse_where("voltage_kv >= 275 and kind == 'motorway'") == [
        ("voltage_kv", ">=", 275.0),
        ("kind", "==", "motorway"),
    ]
    with pytest.raises(ConfigError, match="cannot read condition 'voltage_kv => 275'"):
        parse_where("voltage_kv => 275")


def test_with_weights_and_roundtrip(tmp_path):
    cfg = _cfg(tmp_path=tmp_path)
    new = cfg.with_weights(groups={"grid": 0.8}, criteria={"headroom": 3.0})
    assert new.weights["grid"] == 0.8 and cfg.weights["grid"] == 0.5
    again = parse_config(new.to_toml(), base_dir=tmp_path)
    assert again.weights == new.weights
    assert again.criteria == new.criteria
    assert again.gates == new.gates
    assert again.sites == new.sites
    assert again.layers == new.layers
    with pytest.raises(ConfigError, match="did you mean 'grid'"):
        cfg.with_weights(groups={"gird": 1.0})


def test_bad_uncertainty():
    bad = TINY_CONFIG.replace(
        'direction = "cost"\nweight = 1', 'direction = "cost"\nuncertainty = ["lo"]\nweight = 1', 1
    )
    with pytest.raises(ConfigError, match=r"uncertainty: expected a relative range such as 0.3 or two site columns"):
        _cfg(bad)
    with pytest.raises(ConfigError, match=r"uncertainty: -0.2 is below the minimum 0"):
        _cfg(
            TINY_CONFIG.replace(
                'direction = "cost"\nweight = 1', 'direction = "cost"\nuncertainty = -0.2\nweight = 1', 1
            )
        )


def test_measure_declares_its_choices_and_rules():
    # zonal's `stat` values and "fraction needs range" come from its MeasureSpec, not from the parser.
    from growthzones.criteria.measures import MEASURES

    assert MEASURES["zonal"].choices["stat"] == ("mean", "min", "max", "fraction")
    with pytest.raises(ConfigError, match=r"\(water_stress\)\.stat: 'median' is not valid; did you mean 'mean'\?"):
        _cfg(TINY_CONFIG.replace('stat = "mean"', 'stat = "median"'))
    with pytest.raises(ConfigError, match=r"\(water_stress\)\.range: stat 'fraction' needs range = \[low, high\]"):
        _cfg(TINY_CONFIG.replace('stat = "mean"', 'stat = "fraction"'))
    frac = _cfg(TINY_CONFIG.replace('stat = "mean"', 'stat = "fraction"\nrange = [0.5, 1]'))
    assert frac.criterion("water_stress").range == (0.5, 1.0)
