"""The portfolio as a binary integer program, solved exactly with HiGHS (``scipy.optimize.milp``).

One binary ``x_i`` per candidate site. The objective is to maximise ``sum((score_i - floor) x_i)``;
every limit is a linear row (count, total MW, sites per group, demand per group within its
headroom, ``x_i + x_j <= 1`` for sites closer than the spacing) and locks are variable bounds.

**Ties, exactly.** Several sets can reach the same total. The one returned is fixed by a rule,
not by the solver's path: (1) the largest total score (sets within :data:`TIE_TOL` points
count as tied); (2) among those, the smallest sum of the sites' positions in site-id order;
(3) among those, the set whose sorted site ids come first. Stage (2) is a second solve that
keeps the total at its optimum and excludes the first answer with a no-good cut: when that
is infeasible (the usual case), the first answer is the only optimum and we are done after
two solves. Otherwise stage (2) minimises the id-position sum, and stage (3) fixes sites in
id order (a site not in the incumbent is tried in, and kept in when an optimal set with the
same position sum holds it). Every step is an exact integer program, so the answer does not
depend on how HiGHS explores its tree.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from growthzones.portfolio.limits import Problem

__all__ = ["TIE_TOL", "Matrix", "Solution", "family_keys", "matrix", "solve"]

#: Totals within this many score points of the best count as tied (HiGHS's absolute gap is 1e-6).
TIE_TOL = 1e-6


@dataclass
class Matrix:
    """The constraint rows of a problem, with what each row is."""

    a: sparse.csr_array
    lo: np.ndarray
    hi: np.ndarray
    key: np.ndarray  # (rows,) family key: "count", "mw", "per[0]", "capacity[1]", "spacing"
    group: np.ndarray  # (rows,) group index within the family (-1: none)


@dataclass
class Solution:
    """One solve's answer.

    Attributes
    ----------
    x
        Chosen flags over the problem's candidates.
    total
        Total score of the chosen sites.
    objective
        Total of ``score - floor``.
    status
        ``"optimal"``, ``"time limit"`` (best found, gap below) or ``"infeasible"``.
    gap
        Relative gap between the answer and the best bound (0 when proven optimal).
    seconds
        Wall time of all solves.
    solves
        Number of integer programs solved (the tie-break adds some).
    """

    x: np.ndarray
    total: float
    objective: float
    status: str
    gap: float
    seconds: float
    solves: int = 1

    @property
    def feasible(self) -> bool:
        """Whether a set meeting every limit was found."""
        return self.status != "infeasible"


def family_keys(p: Problem) -> list[str]:
    """The limit families present in a problem, in a fixed order (for costs and diagnosis).

    Examples
    --------
    >>> import growthzones as gz
    >>> from growthzones.portfolio import GroupLimit, Limits, build_problem
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> p = build_problem(a, Limits(count=5, per=(GroupLimit("nation", max=2),), min_spacing_km=30))
    >>> family_keys(p)
    ['count', 'per[0]', 'spacing']
    """
    lim = p.limits
    keys = []
    if p.locked_in.any():
        keys.append("locked_in")
    if p.locked_out.any():
        keys.append("locked_out")
    if lim.count is not None or lim.min_count is not None or lim.max_count is not None:
        keys.append("count")
    if lim.min_mw is not None or lim.max_mw is not None:
        keys.append("mw")
    keys += [f"{g.kind}[{_index(p, k)}]" for k, g in enumerate(p.groups)]
    if len(p.pairs):
        keys.append("spacing")
    return keys


def _index(p: Problem, k: int) -> int:
    """The index of group block ``k`` among the blocks of its kind (per[i] / capacity[i])."""
    kind = p.groups[k].kind
    return sum(1 for g in p.groups[:k] if g.kind == kind)


def matrix(p: Problem) -> Matrix:
    """Build (once, cached on the problem) the sparse constraint rows of ``p``.

    Examples
    --------
    >>> import growthzones as gz
    >>> from growthzones.portfolio import GroupLimit, Limits, build_problem
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> p = build_problem(a, Limits(count=5, per=(GroupLimit("nation", max=2),), min_spacing_km=30))
    >>> m = matrix(p)
    >>> m.a.shape, int((m.key == "spacing").sum())
    ((450, 159), 446)
    """
    cached = getattr(p, "_matrix", None)
    if cached is not None:
        return cached
    n, lim = p.n, p.limits
    rows: list[sparse.csr_array] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    key: list[str] = []
    group: list[int] = []

    def add(block: sparse.csr_array, l_: np.ndarray, h_: np.ndarray, k: str, g: np.ndarray) -> None:
        rows.append(block)
        lo.append(np.asarray(l_, dtype=float))
        hi.append(np.asarray(h_, dtype=float))
        key.extend([k] * block.shape[0])
        group.extend(g.tolist())

    if lim.count is not None or lim.min_count is not None or lim.max_count is not None:
        c_lo = lim.count if lim.count is not None else (lim.min_count or 0)
        c_hi = lim.count if lim.count is not None else (lim.max_count if lim.max_count is not None else np.inf)
        add(sparse.csr_array(np.ones((1, n))), [c_lo], [c_hi], "count", np.array([-1]))
    if lim.min_mw is not None or lim.max_mw is not None:
        d = p.demand if p.demand is not None else np.zeros(n)
        add(
            sparse.csr_array(d[np.newaxis, :]),
            [lim.min_mw or 0.0],
            [lim.max_mw if lim.max_mw is not None else np.inf],
            "mw",
            np.array([-1]),
        )
    for k, g in enumerate(p.groups):
        inside = np.flatnonzero(g.code >= 0)
        vals = np.ones(inside.size) if g.kind == "per" else g.demand[inside]
        block = sparse.csr_array((vals, (g.code[inside], inside)), shape=(len(g.names), n))
        lo_g = g.lo if g.kind == "per" else np.full(len(g.names), -np.inf)
        add(block, lo_g, g.hi, f"{g.kind}[{_index(p, k)}]", np.arange(len(g.names)))
    if len(p.pairs):
        m = len(p.pairs)
        r = np.repeat(np.arange(m), 2)
        block = sparse.csr_array((np.ones(2 * m), (r, p.pairs.ravel())), shape=(m, n))
        add(block, np.full(m, -np.inf), np.ones(m), "spacing", np.arange(m))
    if rows:
        out = Matrix(
            sparse.vstack(rows, format="csr"),
            np.concatenate(lo),
            np.concatenate(hi),
            np.array(key, dtype=object),
            np.array(group, dtype=np.int64),
        )
    else:
        out = Matrix(sparse.csr_array((0, n)), np.zeros(0), np.zeros(0), np.zeros(0, dtype=object), np.zeros(0, int))
    p._matrix = out  # type: ignore[attr-defined]
    return out


def _run(
    c: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    a: sparse.csr_array,
    lo: np.ndarray,
    hi: np.ndarray,
    time_limit: float | None,
    gap: float,
) -> tuple[np.ndarray | None, str, float]:
    options: dict[str, float | bool] = {"mip_rel_gap": float(gap), "presolve": True}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    cons = [LinearConstraint(a, lo, hi)] if a.shape[0] else []
    res = milp(c, integrality=np.ones(len(c)), bounds=Bounds(lb, ub), constraints=cons, options=options)
    if res.x is None:
        return None, ("infeasible" if res.status in (2, 4) else "time limit"), math.inf
    x = np.rint(res.x).astype(bool)
    gap_found = float(res.mip_gap) if getattr(res, "mip_gap", None) is not None else 0.0
    if res.status == 0 and gap == 0:
        return x, "optimal", 0.0
    return x, ("optimal" if res.status == 0 else "time limit"), max(gap_found, 0.0)


def solve(
    p: Problem,
    *,
    score: np.ndarray | None = None,
    available: np.ndarray | None = None,
    drop: Iterable[str] = (),
    row_bounds: Mapping[int, tuple[float, float]] | None = None,
    force_in: Iterable[int] = (),
    force_out: Iterable[int] = (),
    ties: bool = True,
) -> Solution:
    """Solve a portfolio problem to a proven optimum (or the time limit) with exact ties.

    Parameters
    ----------
    p
        The problem (:func:`growthzones.portfolio.limits.build_problem`).
    score
        Scores to use instead of ``p.score`` (robust runs); NaN for a site means unavailable.
    available
        Candidates that may be chosen (default: all).
    drop
        Limit families to leave out (:func:`family_keys`), for costs and diagnosis.
    row_bounds
        Replacement ``(low, high)`` bounds of some constraint rows (loosening a limit).
    force_in, force_out
        Candidate positions to lock in or out on top of the problem's locks.
    ties
        Resolve ties by the rule in the module docstring (False: stop after the first solve).

    Examples
    --------
    >>> import growthzones as gz
    >>> from growthzones.portfolio import GroupLimit, Limits, build_problem
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> p = build_problem(a, Limits(count=5, per=(GroupLimit("nation", max=2),), min_spacing_km=30))
    >>> s = solve(p)
    >>> s.status, round(s.total, 1), p.ids[s.x].tolist()
    ('optimal', 414.2, ['GZ-002', 'GZ-035', 'GZ-107', 'GZ-133', 'GZ-144'])
    """
    t0 = time.perf_counter()
    drop = set(drop)
    s = p.score if score is None else np.asarray(score, dtype=float)
    avail = np.isfinite(s) if available is None else (np.asarray(available, dtype=bool) & np.isfinite(s))
    v = np.where(avail, s - p.limits.floor, 0.0)
    m = matrix(p)
    keep = ~np.isin(m.key, list(drop)) if drop else np.ones(len(m.key), dtype=bool)
    lo, hi = m.lo.copy(), m.hi.copy()
    for r, (a_, b_) in (row_bounds or {}).items():
        lo[r], hi[r] = a_, b_
    a, lo, hi = m.a[keep], lo[keep], hi[keep]
    lb = np.zeros(p.n)
    ub = avail.astype(float)
    if "locked_out" not in drop:
        ub[p.locked_out] = 0.0
    if "locked_in" not in drop:
        lb[p.locked_in & avail] = 1.0
        if (p.locked_in & ~avail).any():
            return Solution(np.zeros(p.n, bool), math.nan, math.nan, "infeasible", math.inf, time.perf_counter() - t0)
    fi, fo = list(force_in), list(force_out)
    ub[fo] = 0.0
    lb[fi] = 1.0
    if (lb > ub).any():
        return Solution(np.zeros(p.n, bool), math.nan, math.nan, "infeasible", math.inf, time.perf_counter() - t0)
    tl, gap = p.limits.time_limit, p.limits.mip_gap
    x, status, found_gap = _run(-v, lb, ub, a, lo, hi, tl, gap)
    solves = 1
    if x is None:
        return Solution(np.zeros(p.n, bool), math.nan, math.nan, status, math.inf, time.perf_counter() - t0, solves)
    if ties and status == "optimal" and gap == 0 and x.any():
        x, extra = _break_ties(x, v, lb, ub, a, lo, hi, tl)
        solves += extra
    total = float(s[x].sum())
    return Solution(x, total, float(v[x].sum()), status, found_gap, time.perf_counter() - t0, solves)


def _break_ties(
    x: np.ndarray,
    v: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    a: sparse.csr_array,
    lo: np.ndarray,
    hi: np.ndarray,
    tl: float | None,
) -> tuple[np.ndarray, int]:
    """Apply tie rules (2) and (3) of the module docstring to an optimal ``x``."""
    n = len(v)
    rank = np.arange(1, n + 1, dtype=float)
    z = float(v[x].sum())
    z_lo = z - TIE_TOL - 1e-9 * abs(z)
    # Is there any other optimal set? The best set other than x (a no-good cut) answers it;
    # maximising the total is as easy for HiGHS as the first solve, unlike a feasibility search.
    cut = sparse.csr_array(x.astype(float)[np.newaxis, :])
    a1 = sparse.vstack([a, cut], format="csr")
    y, _, _ = _run(-v, lb, ub, a1, np.concatenate([lo, [-np.inf]]), np.concatenate([hi, [x.sum() - 1.0]]), tl, 0.0)
    solves = 1
    if y is None or v[y].sum() < z_lo:
        return x, solves
    floor_row = sparse.csr_array(v[np.newaxis, :])
    a2 = sparse.vstack([a, floor_row], format="csr")
    y, _, _ = _run(rank, lb, ub, a2, np.concatenate([lo, [z_lo]]), np.concatenate([hi, [np.inf]]), tl, 0.0)
    solves += 1
    if y is None or v[y].sum() < z_lo or rank[y].sum() >= rank[x].sum():
        y = x
    best = y
    r_star = float(rank[best].sum())
    # Stage (3): the set first in site-id order among those with total ~z and position sum r_star.
    rank_row = sparse.csr_array(rank[np.newaxis, :])
    a3 = sparse.vstack([a, floor_row, rank_row], format="csr")
    lo3 = np.concatenate([lo, [z_lo], [-np.inf]])
    hi3 = np.concatenate([hi, [np.inf], [r_star + 0.5]])
    lb3, ub3 = lb.copy(), ub.copy()
    inc = best.copy()
    i = 0
    while i < n and i < int(np.flatnonzero(inc).max()):
        if inc[i]:
            lb3[i] = 1.0
        elif ub3[i] > 0:
            lb_try = lb3.copy()
            lb_try[i] = 1.0
            y, _, _ = _run(np.zeros(n), lb_try, ub3, a3, lo3, hi3, tl, 0.0)
            solves += 1
            if y is not None and v[y].sum() >= z_lo and rank[y].sum() <= r_star:
                inc, lb3 = y, lb_try
            else:
                ub3[i] = 0.0
        i += 1
    return inc, solves
