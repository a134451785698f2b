"""Reasons for strong sites left out and the cost of each limit, on an instance worked by hand."""

from __future__ import annotations

from growthzones.portfolio import CapacityLimit, GroupLimit, Limits, select_portfolio
from tests.portfolio.helpers import line_instance


def test_group_maximum_reason_and_costs() -> None:
    # At most one site per region, two sites: A1 (90, N) + A4 (60, S) = 150.
    p = select_portfolio(line_instance(), Limits(count=2, per=(GroupLimit("region", max=1),)))
    assert p.chosen == ("A1", "A4")
    assert p.total_score == 150.0
    # A2 (80) and A3 (70) score above A4 (60), the lowest chosen; forced in: A2+A4 = 140, A3+A4 = 130.
    assert (
        p.table.at["A2", "reason"] == "region N already holds its maximum of 1 site; forcing it in costs 10.00 points"
    )
    assert (
        p.table.at["A3", "reason"] == "region N already holds its maximum of 1 site; forcing it in costs 20.00 points"
    )
    assert p.table.at["A5", "reason"] == ""  # 50 < 60: not a strong site
    assert p.table.at["A2", "cost_in"] == 10.0
    costs = p.limit_costs.set_index(["key", "group"])
    # Dropping the regional limit: A1 + A2 = 170 (+20); loosening N to 2 sites: the same.
    assert costs.at[("per[0]", ""), "gain_if_dropped"] == 20.0
    assert costs.at[("per[0]", "N"), "gain_if_loosened"] == 20.0
    assert costs.at[("per[0]", "N"), "step"] == "max 1 -> 2"
    # Loosening "exactly 2" to "2 or 3": a third site cannot join (one per region, two regions).
    assert costs.at[("count", ""), "step"] == "2..2 -> 2..3 sites"
    assert costs.at[("count", ""), "gain_if_loosened"] == 0.0
    # Dropping the count altogether: still one per region, so the same two sites (+0).
    assert costs.at[("count", ""), "gain_if_dropped"] == 0.0
    assert not costs.at[("count", ""), "binding"]


def test_spacing_reason() -> None:
    # 10 km apart: A1 and A2 (5 km) conflict; best is A1 + A3 = 160.
    p = select_portfolio(line_instance(), Limits(count=2, min_spacing_km=10))
    assert p.chosen == ("A1", "A3")
    assert p.table.at["A2", "reason"] == "within 5.0 km of A1 (chosen); forcing it in costs 10.00 points"
    costs = p.limit_costs.set_index("key")
    assert costs.at["spacing", "gain_if_dropped"] == 10.0
    assert costs.at["spacing", "step"] == "10 -> 9 km"
    assert costs.at["spacing", "gain_if_loosened"] == 0.0  # 5 km is still too close at 9 km


def test_capacity_reason() -> None:
    # GSP G gives 500 MW: A1 (300) + A2 (300) do not fit; A1 + A3 (400 MW) = 160 is best.
    lim = Limits(count=2, capacity=(CapacityLimit("gsp", headroom="head", demand="mw"),))
    p = select_portfolio(line_instance(), lim)
    assert p.chosen == ("A1", "A3")
    assert p.table.at["A2", "reason"] == (
        "gsp G headroom 500 MW would be exceeded (400 MW chosen + 300 MW); forcing it in costs 10.00 points"
    )
    costs = p.limit_costs.set_index(["key", "group"])
    assert costs.at[("capacity[0]", ""), "gain_if_dropped"] == 10.0
    # 10 % more headroom (550 MW) still cannot hold A1 + A2 (600 MW).
    assert costs.at[("capacity[0]", "G"), "step"] == "500 -> 550 MW"
    assert costs.at[("capacity[0]", "G"), "gain_if_loosened"] == 0.0


def test_swap_blocked_by_a_minimum() -> None:
    # Two sites, at least one in S: A1 (90) + A4 (60). A2 (80) cannot replace A4, S's only site.
    p = select_portfolio(line_instance(), Limits(count=2, per=(GroupLimit("region", min={"S": 1}),)))
    assert p.chosen == ("A1", "A4")
    assert p.table.at["A2", "reason"] == (
        "all 2 places are taken, and the lower-scoring choices cannot give way: A4 keeps region S at its minimum "
        "of 1; forcing it in costs 10.00 points"
    )


def test_site_too_big_for_its_headroom() -> None:
    lim = Limits(count=2, capacity=(CapacityLimit("gsp", headroom=250.0, demand="mw"),))
    p = select_portfolio(line_instance(), lim)
    assert p.chosen == ("A3", "A4")
    assert p.table.at["A1", "reason"] == "it asks for 300 MW, more than the 250 MW headroom of gsp G"


def test_time_limit_reports_the_gap(monkeypatch) -> None:
    """When HiGHS stops at the time limit, the best set found is kept and the gap reported."""
    import importlib

    from scipy.optimize import milp as real_milp

    # The package re-exports the function solve(), which shadows the module of the same name.
    solve_module = importlib.import_module("growthzones.portfolio.solve")

    def stopped(*args, **kwargs):
        res = real_milp(*args, **kwargs)
        assert kwargs["options"]["time_limit"] == 0.5
        res.status, res.mip_gap = 1, 0.05  # as HiGHS reports a time limit with an incumbent
        return res

    monkeypatch.setattr(solve_module, "milp", stopped)
    p = select_portfolio(line_instance(), Limits(count=2, time_limit=0.5), explain=False)
    assert p.chosen == ("A1", "A2")
    assert (p.status, p.gap) == ("time limit", 0.05)
    assert p.notes == ("stopped at the time limit: the total is within 5.00% of the best possible",)
