"""Exact optima against brute-force enumeration, for every family of limits, ties by site id."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from growthzones.errors import PortfolioError
from growthzones.portfolio import CapacityLimit, GroupLimit, Limits, build_problem, select_portfolio, solve
from tests.portfolio.helpers import brute_force, instance

FAMILIES = {
    "count": Limits(count=3),
    "min_max_count_floor": Limits(min_count=2, max_count=4, floor=55.0),
    "mw": Limits(max_count=5, min_mw=400, max_mw=700, demand="mw"),
    "per_max": Limits(count=4, per=(GroupLimit("region", max=1),)),
    "per_min_table": Limits(count=4, per=(GroupLimit("region", min={"South": 2}, max={"North": 1}),)),
    "capacity": Limits(count=4, capacity=(CapacityLimit("gsp", headroom="head", demand="mw"),)),
    "capacity_number": Limits(max_count=6, capacity=(CapacityLimit("gsp", headroom=350.0, demand="mw"),)),
    "spacing": Limits(count=3, min_spacing_km=25),
    "locks": Limits(count=3, locked_in=("S03",), locked_out=("S05", "S07")),
    "all": Limits(
        max_count=5,
        max_mw=900,
        demand="mw",
        per=(GroupLimit("region", max=2),),
        capacity=(CapacityLimit("gsp", headroom="head"),),
        min_spacing_km=15,
        locked_in=("S01",),
        locked_out=("S02",),
        floor=45.0,
    ),
}


def _chosen(a, lim) -> tuple[str, ...] | None:
    try:
        return select_portfolio(a, lim, explain=False).chosen
    except PortfolioError:
        return None


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_with_ties(family: str, seed: int) -> None:
    a = instance(11, seed, ties=True)
    lim = FAMILIES[family]
    if set(lim.locked_in) & set(a.table.index[~a.gates["eligible"]]):
        pytest.skip("locked-in site drawn ineligible")  # covered by the bad-input tests
    assert _chosen(a, lim) == brute_force(a, lim)


@pytest.mark.parametrize("family", ["count", "per_max", "capacity", "spacing", "all"])
@pytest.mark.parametrize("seed", range(3))
def test_matches_brute_force_distinct_scores(family: str, seed: int) -> None:
    a = instance(12, 100 + seed, ties=False)
    lim = FAMILIES[family]
    if set(lim.locked_in) & set(a.table.index[~a.gates["eligible"]]):
        pytest.skip("locked-in site drawn ineligible")
    assert _chosen(a, lim) == brute_force(a, lim)


def test_equal_scores_go_by_site_id() -> None:
    # Every eligible site scores the same: the first ids win (smallest id-position sum).
    a = instance(8, 1, ties=True, n_ineligible=0)
    a.scores["score"] = 50.0
    a.table["score"] = 50.0
    assert select_portfolio(a, Limits(count=3), explain=False).chosen == ("S00", "S01", "S02")
    # With S01 locked out the next id takes its place.
    assert select_portfolio(a, Limits(count=3, locked_out=("S01",)), explain=False).chosen == ("S00", "S02", "S03")


LOOSEN = {
    "count": lambda lim: Limits(**{**lim.__dict__, "max_count": (lim.max_count or 0) + 1}),
    "per": lambda lim: Limits(**{**lim.__dict__, "per": (GroupLimit("region", max=2),)}),
    "capacity": lambda lim: Limits(**{**lim.__dict__, "capacity": (CapacityLimit("gsp", headroom=500.0),)}),
    "spacing": lambda lim: Limits(**{**lim.__dict__, "min_spacing_km": 10.0}),
    "mw": lambda lim: Limits(**{**lim.__dict__, "max_mw": 900.0}),
    "unlock": lambda lim: Limits(**{**lim.__dict__, "locked_out": ()}),
}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), what=st.sampled_from(sorted(LOOSEN)))
def test_loosening_a_limit_never_lowers_the_optimum(seed: int, what: str) -> None:
    a = instance(12, seed, ties=seed % 2 == 0)
    tight = Limits(
        max_count=3,
        max_mw=600,
        demand="mw",
        per=(GroupLimit("region", max=1),),
        capacity=(CapacityLimit("gsp", headroom=300.0),),
        min_spacing_km=20.0,
        locked_out=tuple(sorted(a.table.index)[:2]),
    )
    loose = LOOSEN[what](tight)
    before = solve(build_problem(a, tight), ties=False)
    after = solve(build_problem(a, loose), ties=False)
    assert after.feasible or not before.feasible
    if before.feasible:
        assert after.objective >= before.objective - 1e-9
