"""Bad portfolio limits: one clear message each (the CLI turns them into exit 2)."""

from __future__ import annotations

import math

import pytest

import growthzones as gz
from growthzones.errors import PortfolioError
from growthzones.portfolio import CapacityLimit, GroupLimit, select_portfolio


@pytest.fixture(scope="module")
def demo() -> gz.Assessment:
    return gz.assess(gz.datasets.demo_config_path())


def _error(a: gz.Assessment, **limits: object) -> str:
    with pytest.raises(PortfolioError) as exc:
        select_portfolio(a, explain=False, **limits)
    return str(exc.value)


def test_unknown_group_column(demo: gz.Assessment) -> None:
    msg = _error(demo, count=3, per=(GroupLimit("regoin", max=1),))
    assert msg == (
        "per[0] (regoin): 'regoin' is neither a column of the sites nor a vector layer in [layers]; "
        "did you mean 'region'?"
    )


def test_unknown_demand_column(demo: gz.Assessment) -> None:
    msg = _error(demo, count=3, demand="powr_need_mw", max_mw=100)
    assert msg == "demand: no column 'powr_need_mw' in the sites or criteria; did you mean 'power_need_mw'?"


def test_unknown_group_name(demo: gz.Assessment) -> None:
    msg = _error(demo, count=3, per=(GroupLimit("nation", min={"Walse": 1}),))
    assert msg == "per[0] (nation).min: no group 'Walse'; did you mean 'Wales'?"


def test_unknown_site(demo: gz.Assessment) -> None:
    assert _error(demo, count=3, locked_in=("GZ-0071",)) == "locked_in: no site 'GZ-0071'; did you mean 'GZ-071'?"


def test_negative_capacity(demo: gz.Assessment) -> None:
    msg = _error(demo, count=3, capacity=(CapacityLimit("region", headroom=-5, demand=100),))
    assert msg == "capacity[0] (region).headroom: -5 must be at least 0"


def test_spacing_larger_than_the_study_area(demo: gz.Assessment) -> None:
    x0, y0, x1, y1 = demo.sites.total_bounds
    across = math.hypot(x1 - x0, y1 - y0) / 1000
    assert f"{across:.1f}" == "1030.3"
    msg = _error(demo, count=3, min_spacing_km=2000)
    assert msg == (
        "min_spacing_km: 2000 km is larger than the study area (1030.3 km corner to corner): no two sites could "
        "be chosen; use a smaller spacing"
    )


def test_locked_in_sites_break_a_limit(demo: gz.Assessment) -> None:
    # GZ-133 and GZ-144 are both in the North West.
    assert set(demo.sites.loc[["GZ-133", "GZ-144"], "region"]) == {"North West"}
    msg = _error(demo, count=3, per=(GroupLimit("region", max=1),), locked_in=("GZ-133", "GZ-144"))
    assert msg == (
        "locked_in: North West holds 2 locked-in sites, above its maximum of 1 per region; unlock some or raise "
        "the maximum"
    )


def test_locked_in_ineligible_site(demo: gz.Assessment) -> None:
    assert not demo.eligible["GZ-001"]
    msg = _error(demo, count=3, locked_in=("GZ-001",))
    assert msg.startswith("locked_in: site GZ-001 is not eligible (")
    assert msg.endswith("); unlock it or relax the gate")


def test_more_sites_than_eligible(demo: gz.Assessment) -> None:
    assert demo.n_eligible == 159
    msg = _error(demo, count=300)
    assert msg == "count: 300 sites asked for but only 159 eligible sites can be chosen; lower it or relax the gates"


def test_infeasible_limits_name_the_limit(demo: gz.Assessment) -> None:
    # Three nations, at most one site each: four sites cannot be chosen.
    assert demo.sites.loc[demo.eligible, "nation"].nunique() == 3
    msg = _error(demo, count=4, per=(GroupLimit("nation", max=1),))
    assert msg == (
        "the limits cannot all be met: 'exactly 4 sites' cannot be met together with the others (dropping any one "
        "of these would do: exactly 4 sites; at most 1 site per nation); loosen it"
    )


def test_unknown_limit_keyword(demo: gz.Assessment) -> None:
    assert _error(demo, cuont=3) == "select_portfolio: unknown limit 'cuont'; did you mean 'count'?"
