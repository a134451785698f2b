"""``growthzones portfolio``: outputs, config section, and bad input (one line, exit 2, no file)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner

import growthzones as gz
from growthzones.cli import main
from growthzones.portfolio import CapacityLimit, GroupLimit, Limits, select_portfolio

DEMO = gz.datasets.demo_config_path()


def _run(*args: str):
    return CliRunner().invoke(main, ["-q", *args], catch_exceptions=False)


def test_writes_the_portfolio_layer(tmp_path: Path) -> None:
    out = tmp_path / "portfolio.gpkg"
    res = _run("portfolio", str(DEMO), "--count", "6", "--max-per", "region=1", "--min-spacing", "50",
               "--robust", "--samples", "12", "--seed", "3", "--out", str(out))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert sorted(n for n, _ in pyogrio.list_layers(out)) == [
        "portfolio", "portfolio_costs", "portfolio_sets", "ranked_sites", "run",
    ]  # fmt: skip
    layer = gpd.read_file(out, layer="portfolio").set_index("site_id")
    # The same choice as the library with the config's capacity limit and the options on top.
    a = gz.assess(DEMO)
    lim = Limits(count=6, demand="power_need_mw", min_spacing_km=50, per=(GroupLimit("region", max=1),),
                 capacity=(CapacityLimit("substations", headroom="headroom_mw"),))  # fmt: skip
    expected = select_portfolio(a, lim, explain=False).chosen
    assert tuple(sorted(layer.index[layer["chosen"]])) == expected
    assert a.sites.loc[list(expected), "region"].nunique() == 6
    assert {"reason", "cost_in", "p_selected", "core"} <= set(layer.columns)
    assert layer["p_selected"].between(0, 1).all()
    assert layer["reason"].fillna("").str.len().gt(0).any()
    run = gpd.read_file(out, layer="run").set_index("key")["value"]
    assert run["portfolio_status"] == "optimal"
    assert run["portfolio_robust_samples"] == "12"


def test_config_section_is_used(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["portfolio", str(DEMO)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    # [portfolio] in the demo config: count 10, at most 2 per region, 40 km apart.
    lines = res.output.splitlines()
    assert lines[0].startswith("NOTE: ") and "illustrative demo data" in lines[0]
    assert lines[1].startswith("10 sites chosen, total score ")
    assert "chosen sites at least 40 km apart: drop: +" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "3", "--max-per", "regoin=1"],
         "error: per[1] (regoin): 'regoin' is neither a column of the sites nor a vector layer in [layers]; "
         "did you mean 'region'?"),
        (["--count", "3", "--capacity", "region=-5", "--demand", "100"],
         "error: capacity[1] (region).headroom: -5.0 must be at least 0"),
        (["--count", "3", "--min-spacing", "2000"],
         "error: min_spacing_km: 2000 km is larger than the study area (1030.3 km corner to corner): no two sites "
         "could be chosen; use a smaller spacing"),
        (["--count", "3", "--lock-in", "GZ-133", "--lock-in", "GZ-144", "--max-per", "region=1"],
         "error: locked_in: North West holds 2 locked-in sites, above its maximum of 1 per region; unlock some or "
         "raise the maximum"),
        (["--count", "3", "--max-per", "region=x"],
         "error: --max-per: region=x must be a whole number >= 0, e.g. --max-per region=3"),
    ],
)  # fmt: skip
def test_bad_input_one_line_exit_2_no_file(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "portfolio.gpkg"
    res = CliRunner().invoke(main, ["portfolio", str(DEMO), *args, "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.strip() == message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_no_count_limit_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    text = DEMO.read_text().split("\n[portfolio]")[0].replace('path = "', f'path = "{DEMO.parent}/')
    cfg.write_text(text)
    res = CliRunner().invoke(main, ["portfolio", str(cfg)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: portfolio: nothing limits how many sites are chosen; give --count N (or count, max_count or max_mw "
        "in [portfolio])"
    )
