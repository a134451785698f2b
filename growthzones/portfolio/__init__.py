"""Portfolio selection: the best set of sites under count, regional, capacity and spacing limits.

A ranking answers "which site is best"; a portfolio answers "which handful of sites, taken
together". :func:`select_portfolio` solves it exactly as a binary integer program (HiGHS via
``scipy.optimize.milp``), explains which limit kept each strong site out and what each limit
costs; :func:`robust_portfolio` repeats it over the robustness analysis's weight (and input)
samples. See ``docs/portfolio.md``.

Examples
--------
>>> import growthzones as gz
>>> from growthzones.portfolio import GroupLimit, Limits, select_portfolio
>>> a = gz.assess(gz.datasets.demo_config_path())
>>> p = select_portfolio(a, Limits(count=6, per=(GroupLimit("nation", max=2),)), explain=False)
>>> len(p.chosen), int(p.table.loc[list(p.chosen)].groupby(a.sites["nation"]).size().max())
(6, 2)
"""

from __future__ import annotations

from growthzones.portfolio.limits import (
    CapacityLimit,
    GroupLimit,
    Limits,
    Problem,
    build_problem,
    group_labels,
    limits_from_config,
)
from growthzones.portfolio.robust import RobustPortfolio, robust_portfolio
from growthzones.portfolio.select import Portfolio, describe_limit, select_portfolio
from growthzones.portfolio.solve import TIE_TOL, Solution, solve

__all__ = [
    "TIE_TOL",
    "CapacityLimit",
    "GroupLimit",
    "Limits",
    "Portfolio",
    "Problem",
    "RobustPortfolio",
    "Solution",
    "build_problem",
    "describe_limit",
    "group_labels",
    "limits_from_config",
    "robust_portfolio",
    "select_portfolio",
    "solve",
]
