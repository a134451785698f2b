"""A measure and an aggregation method added from outside the package, with one registration each.

The toy measure ``ring_ha`` is the area (ha) of the ring ``radius_km`` wide around a site;
with a mitred buffer a square of side a grows to side a + 2r exactly, so a 500 m square gets
(700^2 - 500^2) m^2 = 24 ha and the 200 m square S4 (400^2 - 200^2) m^2 = 12 ha at r = 100 m.
The toy method ``toy_power`` is the weighted power mean ``(sum_j w_j x_j^p)^(1/p)``. Neither
touches a file of the package: each is validated, documented, and usable in a config run,
on the command line and in the app. The toy weighting method ``toy_geometric`` gives the k-th
of n criteria a weight proportional to ``ratio**k``: n = 2, ratio = 0.5 gives 2/3 and 1/3.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

import growthzones as gz
from growthzones import config_reference, mcda
from growthzones.appstate import CONFIG_ENV
from growthzones.cli import main
from growthzones.criteria import MeasureSpec, register_measure, unregister_measure
from growthzones.errors import ConfigError, MethodError
from tests.tinyproject import EXPECTED_CRITERIA, TINY_CONFIG, write_tiny_project

APP = str(Path(__file__).resolve().parents[1] / "app.py")

RING = """
[[criteria]]
name = "ring"
group = "land"
measure = "ring_ha"
radius_km = 0.1
weight = 0
"""


def _ring_ha(sites, _source, crit):
    r = crit.radius_km * 1000.0
    return (sites.geometry.buffer(r, join_style="mitre").area - sites.geometry.area) / 1e4


def _toy_power(matrix, weights, directions=None, *, power=1.0):
    """Weighted power mean of the values (power 1: the weighted sum)."""
    x = np.asarray(matrix, dtype=float)
    return (x**power @ np.asarray(weights, dtype=float)) ** (1.0 / power)


@pytest.fixture
def toys():
    register_measure(MeasureSpec("ring_ha", _ring_ha, "sites", needs=("radius_km",), unit="ha",
                                 doc="Area of the ring `radius_km` wide around the site, ha."))  # fmt: skip
    mcda.register_aggregation(
        "toy_power",
        _toy_power,
        params=(mcda.Param("power", "Power", 1.0, low=1.0, high=4.0, step=0.5, help="The mean's exponent."),),
        example='name = "toy_power"\nparams = { power = 2 }',
    )
    yield
    unregister_measure("ring_ha")
    mcda.unregister_aggregation("toy_power")


def _project(tmp_path: Path, power: float | None = 2) -> Path:
    method = "" if power is None else f'\n[method]\nname = "toy_power"\nparams = {{ power = {power} }}\n'
    text = TINY_CONFIG.replace("[[gates]]", RING + method + "\n[[gates]]", 1)
    return write_tiny_project(tmp_path / "toy", config_text=text)


def _expected(site: str, p: float) -> float:
    """Hand-worked: the tiny project's values (see tests/tinyproject.py), weights 0.25/0.25/0.5."""
    c = {k: v[site] for k, v in EXPECTED_CRITERIA.items()}
    values = [max(0.0, 1 - c["grid_distance"] / 20), c["headroom"] / 1000, 1 - c["water_stress"]]
    return 100 * (0.25 * values[0] ** p + 0.25 * values[1] ** p + 0.5 * values[2] ** p) ** (1 / p)


def test_validated(toys, tmp_path):
    path = _project(tmp_path)
    text = path.read_text()
    with pytest.raises(ConfigError, match=r"\(ring\)\.radius_km: missing; measure 'ring_ha' needs radius_km"):
        gz.config.parse_config(text.replace("radius_km = 0.1\n", ""), base_dir=path.parent)
    with pytest.raises(ConfigError, match="measure 'ring_ha' reads the sites themselves; remove 'layer'"):
        gz.config.parse_config(text.replace("radius_km = 0.1\n", 'radius_km = 0.1\nlayer = "substations"\n'),
                               base_dir=path.parent)  # fmt: skip
    with pytest.raises(ConfigError, match=r"toy_power: power=9 must be a number in 1\.\.4"):
        gz.config.parse_config(text.replace("power = 2", "power = 9"), base_dir=path.parent)
    with pytest.raises(ConfigError, match=r"unknown parameter\(s\) 'pow'; its parameters are: power"):
        gz.config.parse_config(text.replace("power = 2", "pow = 2"), base_dir=path.parent)
    with pytest.raises(ConfigError, match=r"toy_power: power='high' must be a number in 1\.\.4"):
        gz.config.parse_config(text.replace("power = 2", 'power = "high"'), base_dir=path.parent)


def test_documented(toys):
    doc = config_reference.generate()
    assert (
        "| `ring_ha` | the sites | `radius_km` |  | `ha` | Area of the ring `radius_km` wide around the site, ha. |"
        in doc
    )
    assert "### `toy_power`\n\nWeighted power mean of the values (power 1: the weighted sum).\n" in doc
    assert "| `power` | `1.0` | 1..4 | The mean's exponent. |" in doc
    assert '[method]\nname = "toy_power"\nparams = { power = 2 }' in doc


def test_config_run(toys, tmp_path):
    a = gz.assess(_project(tmp_path))
    assert a.criteria["ring"].to_dict() == pytest.approx({"S1": 24.0, "S2": 24.0, "S3": 24.0, "S4": 12.0}, abs=1e-9)
    assert a.config.criteria[-1].unit == "ha"
    scores = a.scores.loc[["S1", "S2", "S3"], "score"]
    assert scores.to_dict() == pytest.approx({s: _expected(s, 2) for s in ("S1", "S2", "S3")}, rel=1e-12)
    # The method's exponent matters: p = 1 is the tiny project's weighted sum.
    b = gz.evaluate(a.config.with_method("toy_power", power=1.0), a.sites, a.criteria)
    assert b.scores.loc["S1", "score"] == pytest.approx(_expected("S1", 1), rel=1e-12)


def test_cli(toys, tmp_path):
    path = _project(tmp_path, power=None)
    csv = tmp_path / "ranked.csv"
    args = ["-q", "rank", str(path), "--method", "toy_power", "--params", "power=3", "--csv", str(csv),
            "--out", str(tmp_path / "r.gpkg"), "--map", str(tmp_path / "m.html")]  # fmt: skip
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    table = pd.read_csv(csv).set_index("site_id")
    assert table.loc["S2", "score"] == pytest.approx(_expected("S2", 3), rel=1e-9)
    assert table.loc["S1", "ring"] == pytest.approx(24.0)
    bad = CliRunner().invoke(main, ["rank", str(path), "--method", "toy_power", "--params", "power=9"])
    assert bad.exit_code == 2
    assert "toy_power: power=9.0 must be a number in 1..4" in bad.stderr
    help_text = " ".join(CliRunner().invoke(main, ["rank", "--help"]).output.split())
    assert "toy_power" in help_text and "toy_power: power (1..4)" in help_text


def test_app(toys, tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(_project(tmp_path)))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="method").value == "toy_power"
    slider = at.sidebar.slider(key="mp_toy_power_power")
    assert slider.label == "Power" and slider.value == 2.0 and (slider.min, slider.max) == (1.0, 4.0)
    slider.set_value(3.0).run()
    assert not at.exception, at.exception
    scores = at.dataframe[0].value.set_index("site_id")["score"]
    assert scores["S2"] == pytest.approx(_expected("S2", 3), rel=1e-9)


def test_app_page(tmp_path, monkeypatch):
    from growthzones import app as gz_app

    page = tmp_path / "toy_page.py"
    page.write_text('import streamlit as st\n\nst.header("Toy page")\nst.write("sites:", 4)\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(write_tiny_project(tmp_path / "tiny")))
    gz_app.register_page(gz_app.PageSpec(str(page), "Toy", ":material/star:", "toy"))
    try:
        assert [p.url_path for p in gz_app.PAGES][-1] == "toy"
        at = AppTest.from_file(APP, default_timeout=180)
        at.run()
        assert not at.exception, at.exception
        at.switch_page(str(page)).run()
        assert not at.exception, at.exception
        assert [h.value for h in at.header] == ["Toy page"]
    finally:
        gz_app.unregister_page("toy")
    assert "toy" not in [p.url_path for p in gz_app.PAGES]


def _toy_geometric(n, ratio=0.5):
    """Weights falling geometrically with importance: the k-th gets ratio**k (normalised)."""
    w = float(ratio) ** np.arange(n)
    return w / w.sum()


@pytest.fixture
def toy_weighting():
    mcda.register_weighting(
        "toy_geometric",
        _toy_geometric,
        params=(
            mcda.Param("n", "Criteria", help="How many criteria."),
            mcda.Param("ratio", "Ratio", 0.5, low=0.1, high=1.0, help="Each weight over the one before."),
        ),
        example="n=3, ratio=0.5",
    )
    yield
    mcda.unregister_weighting("toy_geometric")


def test_weighting_method(toy_weighting, tmp_path):
    assert mcda.weights("toy_geometric", n=3, ratio=0.5).tolist() == pytest.approx([4 / 7, 2 / 7, 1 / 7], rel=1e-15)
    with pytest.raises(MethodError, match=r"toy_geometric: ratio=2 must be a number in 0\.1\.\.1"):
        mcda.weights("toy_geometric", n=2, ratio=2)
    with pytest.raises(MethodError, match=r"unknown parameter\(s\) 'k'; its parameters are: n, ratio"):
        mcda.weights("toy_geometric", n=2, k=2)
    doc = config_reference.generate()
    assert "### `toy_geometric`\n\nWeights falling geometrically with importance" in doc
    assert "| `ratio` | `0.5` | 0.1..1 | Each weight over the one before. |" in doc
    assert 'weights("toy_geometric", n=3, ratio=0.5)' in doc
    # Used as group weights of the tiny project: grid 2/3 (each of its two criteria 1/3), water 1/3.
    grid, water = mcda.weights("toy_geometric", n=2)
    a = gz.assess(write_tiny_project(tmp_path / "tiny")).reweight(groups={"grid": grid, "water": water})
    c = {k: v["S2"] for k, v in EXPECTED_CRITERIA.items()}
    expected = 100 * ((1 - c["grid_distance"] / 20) + c["headroom"] / 1000 + (1 - c["water_stress"])) / 3
    assert a.scores.loc["S2", "score"] == pytest.approx(expected, rel=1e-12)
