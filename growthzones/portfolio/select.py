"""Choose a portfolio, say why strong sites were left out, and what each limit costs.

:func:`select_portfolio` builds the problem (:mod:`~growthzones.portfolio.limits`), checks
the locks and limits that can be checked directly (one clear message each), solves it exactly
(:mod:`~growthzones.portfolio.solve`), and then explains the answer:

- **Reasons.** For every eligible site left out that scores above the lowest chosen site,
  the limit that kept it out, found by adding it to the chosen set and seeing which limit
  breaks (a group at its maximum, a headroom exceeded, a chosen site too close), or, when
  the count is the only thing in the way, which limit stops it replacing a lower-scoring
  chosen site. Each such site is also re-solved locked in: ``cost_in`` is the total score
  lost by forcing it in.
- **Costs.** Every limit is dropped, and loosened by one step (one more site, one more or
  one fewer per group, 10 % more MW or headroom, 10 % less spacing), and the problem
  re-solved: the gain in total score is what the limit costs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from growthzones.errors import PortfolioError
from growthzones.portfolio.limits import Limits, Problem, build_problem
from growthzones.portfolio.solve import Solution, family_keys, matrix, solve

if TYPE_CHECKING:
    from growthzones.assessment import Assessment

__all__ = ["Portfolio", "describe_limit", "select_portfolio"]

#: Fractional step by which MW limits and headroom are loosened (and spacing tightened less).
STEP = 0.1


@dataclass(frozen=True)
class Portfolio:
    """A chosen set of sites and why.

    Attributes
    ----------
    chosen
        Site ids chosen, in site-id order.
    table
        One row per site (ranking order): ``name``, ``rank``, ``score``, ``eligible``,
        ``chosen``, ``reason`` (in words; empty for weak sites) and ``cost_in`` (total score
        lost by forcing a left-out site in; NaN where not computed).
    limit_costs
        One row per limit (and per binding group): ``limit``, ``binding``, ``gain_if_dropped``
        and ``gain_if_loosened`` (total score gained), ``step`` (the loosening tried).
    total_score
        Total score of the chosen sites.
    status
        ``"optimal"`` (proven) or ``"time limit"`` (``gap`` says how far from proven).
    gap
        Relative MIP gap at the end (0 when proven optimal).
    limits
        The limits used.
    seconds
        Solver wall time (selection only).
    notes
        What the selection assumed or could not do, in words.
    """

    chosen: tuple[str, ...]
    table: pd.DataFrame
    limit_costs: pd.DataFrame
    total_score: float
    status: str
    gap: float
    limits: Limits
    seconds: float
    notes: tuple[str, ...] = ()
    robust: Any = field(default=None, repr=False)

    @property
    def summary(self) -> str:
        """The chosen set and the reasons, as text."""
        head = (
            f"{len(self.chosen)} sites chosen, total score {self.total_score:.1f} "
            f"({self.status}{'' if self.status == 'optimal' else f', gap {self.gap:.2%}'})"
        )
        lines = [head]
        t = self.table
        for sid in t.index[t["chosen"]]:
            lines.append(f"  {sid}  {t.at[sid, 'name']}  score {t.at[sid, 'score']:.1f}")
        out = t.loc[~t["chosen"] & (t["reason"] != "")]
        if len(out):
            lines.append("Strong sites left out:")
            lines += [f"  {sid} left out: {r}" for sid, r in out["reason"].items()]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# words


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _sites(v: float) -> str:
    """``1 site``, ``3 sites``."""
    return f"{_fmt(v)} site" if v == 1 else f"{_fmt(v)} sites"


def describe_limit(p: Problem, key: str, group: int = -1) -> str:
    """A limit (family ``key``, optionally one of its groups) in words.

    Examples
    --------
    >>> import growthzones as gz
    >>> from growthzones.portfolio import Limits, GroupLimit
    >>> from growthzones.portfolio.limits import build_problem
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> p = build_problem(a, Limits(count=5, per=(GroupLimit("nation", max=2),)))
    >>> describe_limit(p, "count"), describe_limit(p, "per[0]", 1)
    ('exactly 5 sites', 'at most 2 sites in nation Scotland')
    """
    lim = p.limits
    if key == "count":
        if lim.count is not None:
            return f"exactly {_sites(lim.count)}"
        parts = []
        if lim.min_count is not None:
            parts.append(f"at least {_sites(lim.min_count)}")
        if lim.max_count is not None:
            parts.append(f"at most {_sites(lim.max_count)}")
        return " and ".join(parts)
    if key == "mw":
        parts = []
        if lim.min_mw is not None:
            parts.append(f"at least {_fmt(lim.min_mw)} MW")
        if lim.max_mw is not None:
            parts.append(f"at most {_fmt(lim.max_mw)} MW")
        return "total demand " + " and ".join(parts)
    if key == "spacing":
        return f"chosen sites at least {lim.min_spacing_km:g} km apart"
    if key == "locked_in":
        return "locked-in sites " + ", ".join(p.ids[p.locked_in])
    if key == "locked_out":
        return "locked-out sites " + ", ".join(p.ids[p.locked_out])
    rows = _block(p, key)
    if rows.kind == "capacity":
        if group >= 0:
            return f"{rows.by} {rows.names[group]} headroom {_fmt(rows.hi[group])} MW"
        return f"demand within the headroom of each {rows.by}"
    if group >= 0:
        lo, hi = rows.lo[group], rows.hi[group]
        name = f"{rows.by} {rows.names[group]}"
        if lo > 0 and np.isfinite(hi):
            return f"{_fmt(lo)} to {_sites(hi)} in {name}"
        return f"at least {_sites(lo)} in {name}" if lo > 0 else f"at most {_sites(hi)} in {name}"
    g = rows.limit
    parts = []
    for word, v in (("at least", g.min), ("at most", g.max)):
        if isinstance(v, Mapping):
            parts.append(f"{word} " + ", ".join(f"{_sites(n)} in {k}" for k, n in v.items()))
        elif v is not None:
            parts.append(f"{word} {_sites(v)} per {rows.by}")
    return " and ".join(parts)


def _block(p: Problem, key: str) -> Any:
    kind, _, rest = key.partition("[")
    i = int(rest.rstrip("]"))
    return [g for g in p.groups if g.kind == kind][i]


# --------------------------------------------------------------------------------------------
# checks before solving


def _precheck(p: Problem) -> None:
    """Limits that cannot be met, found without solving: one message each."""
    lim = p.limits
    free = ~p.locked_out
    n_free = int(free.sum())
    want = lim.count if lim.count is not None else lim.min_count
    if want is not None and want > n_free:
        what = "count" if lim.count is not None else "min_count"
        msg = (
            f"{what}: {want} sites asked for but only {n_free} eligible sites can be chosen; "
            "lower it or relax the gates"
        )
        raise PortfolioError(msg)
    top = lim.count if lim.count is not None else lim.max_count
    k_in = int(p.locked_in.sum())
    if top is not None and k_in > top:
        msg = f"locked_in: {k_in} sites are locked in but at most {top} may be chosen; unlock some or raise the count"
        raise PortfolioError(msg)
    li = np.flatnonzero(p.locked_in)
    if len(p.pairs) and k_in > 1:
        both = p.locked_in[p.pairs[:, 0]] & p.locked_in[p.pairs[:, 1]]
        if both.any():
            i, j = p.pairs[np.argmax(both)]
            msg = (
                f"locked_in: {p.ids[i]} and {p.ids[j]} are {p.pair_km[np.argmax(both)]:.1f} km apart, less than "
                f"min_spacing_km {lim.min_spacing_km:g}; unlock one or reduce the spacing"
            )
            raise PortfolioError(msg)
    if lim.max_mw is not None and p.demand is not None and k_in:
        used = float(p.demand[li].sum())
        if used > lim.max_mw:
            msg = f"locked_in: the locked-in sites ask for {_fmt(used)} MW, above max_mw {_fmt(lim.max_mw)}"
            raise PortfolioError(msg)
    for rows in p.groups:
        n_g = len(rows.names)
        inside = rows.code >= 0
        if rows.kind == "per":
            have = np.bincount(rows.code[inside & free], minlength=n_g)
            short = np.flatnonzero(rows.lo > have)
            if short.size:
                g = short[0]
                msg = (
                    f"per ({rows.by}): {rows.names[g]} needs at least {_sites(rows.lo[g])} but has only "
                    f"{have[g]} eligible; lower its minimum"
                )
                raise PortfolioError(msg)
            held = np.bincount(rows.code[inside & p.locked_in], minlength=n_g)
            over = np.flatnonzero(held > rows.hi)
            if over.size:
                g = over[0]
                msg = (
                    f"locked_in: {rows.names[g]} holds {held[g]} locked-in sites, above its maximum of "
                    f"{_fmt(rows.hi[g])} per {rows.by}; unlock some or raise the maximum"
                )
                raise PortfolioError(msg)
        else:
            used = np.bincount(rows.code[inside & p.locked_in], weights=rows.demand[inside & p.locked_in],
                               minlength=n_g)  # fmt: skip
            over = np.flatnonzero(used > rows.hi + 1e-9)
            if over.size:
                g = over[0]
                msg = (
                    f"locked_in: the locked-in sites in {rows.by} {rows.names[g]} ask for {_fmt(used[g])} MW, "
                    f"above its headroom of {_fmt(rows.hi[g])} MW; unlock some or raise the headroom"
                )
                raise PortfolioError(msg)
    mins = sum(float(r.lo.sum()) for r in p.groups if r.kind == "per")
    if top is not None:
        for rows in p.groups:
            if rows.kind == "per" and rows.lo.sum() > top:
                msg = (
                    f"per ({rows.by}): the minimums add up to {_fmt(rows.lo.sum())} sites, more than the "
                    f"{top} that may be chosen; lower them or raise the count"
                )
                raise PortfolioError(msg)
    del mins


def _diagnose(p: Problem) -> str:
    """Which limit, dropped on its own, makes an infeasible problem feasible (in words)."""
    keys = family_keys(p)
    fixes = [k for k in keys if solve(p, drop={k}, ties=False).feasible]
    if fixes:
        named = "; ".join(describe_limit(p, k) for k in fixes)
        first = describe_limit(p, fixes[0])
        more = f" (dropping any one of these would do: {named})" if len(fixes) > 1 else ""
        return f"the limits cannot all be met: '{first}' cannot be met together with the others{more}; loosen it"
    named = "; ".join(describe_limit(p, k) for k in keys)
    return f"the limits cannot all be met, and no single limit explains it; loosen several of: {named}"


# --------------------------------------------------------------------------------------------
# reasons


def _direct_reasons(p: Problem, x: np.ndarray, i: int) -> list[str]:
    """Limits that adding candidate ``i`` to the chosen set ``x`` would break, in words."""
    lim = p.limits
    out = []
    if p.locked_out[i]:
        return ["locked out"]
    # A site that cannot fit even alone: that is the whole reason.
    for rows in p.groups:
        g = rows.code[i]
        if rows.kind == "capacity" and g >= 0 and rows.demand[i] > rows.hi[g] + 1e-9:
            return [
                f"it asks for {_fmt(rows.demand[i])} MW, more than the {_fmt(rows.hi[g])} MW headroom of "
                f"{rows.by} {rows.names[g]}"
            ]
    if lim.max_mw is not None and p.demand is not None and p.demand[i] > lim.max_mw + 1e-9:
        return [f"it asks for {_fmt(p.demand[i])} MW, more than the total of {_fmt(lim.max_mw)} MW allowed"]
    for rows in p.groups:
        g = rows.code[i]
        if g < 0:
            continue
        sel = x & (rows.code == g)
        if rows.kind == "per":
            held = int(sel.sum())
            if held + 1 > rows.hi[g]:
                out.append(f"{rows.by} {rows.names[g]} already holds its maximum of {_sites(rows.hi[g])}")
        else:
            used = float(rows.demand[sel].sum())
            if used + rows.demand[i] > rows.hi[g] + 1e-9:
                out.append(
                    f"{rows.by} {rows.names[g]} headroom {_fmt(rows.hi[g])} MW would be exceeded "
                    f"({_fmt(used)} MW chosen + {_fmt(rows.demand[i])} MW)"
                )
    if len(p.pairs):
        hit = ((p.pairs[:, 0] == i) & x[p.pairs[:, 1]]) | ((p.pairs[:, 1] == i) & x[p.pairs[:, 0]])
        if hit.any():
            # The nearest chosen site names the conflict; others are counted.
            near = np.flatnonzero(hit)[np.lexsort((p.ids[p.pairs[hit].sum(axis=1) - i], p.pair_km[hit]))]
            r = near[0]
            j = p.pairs[r, 1] if p.pairs[r, 0] == i else p.pairs[r, 0]
            more = (
                f" and {len(near) - 1} more chosen site(s) closer than {lim.min_spacing_km:g} km"
                if len(near) > 1
                else ""
            )
            out.append(f"within {p.pair_km[r]:.1f} km of {p.ids[j]} (chosen){more}")
    if lim.max_mw is not None and p.demand is not None:
        used = float(p.demand[x].sum())
        if used + p.demand[i] > lim.max_mw + 1e-9:
            out.append(
                f"total demand would exceed {_fmt(lim.max_mw)} MW ({_fmt(used)} MW chosen + {_fmt(p.demand[i])} MW)"
            )
    return out


def _swap_reasons(p: Problem, x: np.ndarray, i: int) -> list[str]:
    """When the count is full: why ``i`` cannot replace a lower-scoring chosen site."""
    lim = p.limits
    lower = [j for j in np.flatnonzero(x) if p.score[j] < p.score[i]]
    lower.sort(key=lambda j: (p.score[j], p.ids[j]))
    out = []
    for j in lower:
        why = []
        if p.locked_in[j]:
            why.append("is locked in")
        for rows in p.groups:
            g = rows.code[j]
            if rows.kind == "per" and g >= 0 and rows.code[i] != g:
                held = int((x & (rows.code == g)).sum())
                if held - 1 < rows.lo[g]:
                    why.append(f"keeps {rows.by} {rows.names[g]} at its minimum of {_fmt(rows.lo[g])}")
        if (
            lim.min_mw is not None
            and p.demand is not None
            and float(p.demand[x].sum()) - p.demand[j] + p.demand[i] < lim.min_mw - 1e-9
        ):
            why.append(f"is needed for the minimum total of {_fmt(lim.min_mw)} MW")
        if not why:
            return []
        out.append(f"{p.ids[j]} " + " and ".join(why))
        if len(out) == 2:
            break
    if not out:
        return []
    top = lim.count if lim.count is not None else lim.max_count
    return [f"all {top} places are taken, and the lower-scoring choices cannot give way: " + "; ".join(out)]


def _reasons(p: Problem, sol: Solution, max_reasons: int | None) -> tuple[dict[int, str], dict[int, float], list[str]]:
    x = sol.x
    notes: list[str] = []
    chosen_scores = p.score[x]
    threshold = float(chosen_scores.min()) if x.any() else -math.inf
    good = np.flatnonzero(~x & (p.score > threshold))
    good = good[np.lexsort((p.ids[good], -p.score[good]))]
    if max_reasons is not None and len(good) > max_reasons:
        notes.append(
            f"reasons given for the {max_reasons} best of {len(good)} sites left out that score above the lowest "
            "chosen site"
        )
        good = good[:max_reasons]
    reasons: dict[int, str] = {}
    cost: dict[int, float] = {}
    for i in good:
        if p.locked_out[i]:
            reasons[i] = "locked out"
            continue
        forced = solve(p, force_in=[i], ties=False)
        words = _direct_reasons(p, x, i)
        top = p.limits.count if p.limits.count is not None else p.limits.max_count
        if not words and top is not None and int(x.sum()) >= top:
            words = _swap_reasons(p, x, i)
        if not forced.feasible:
            reasons[i] = "; ".join(words) if words else "cannot be chosen together with the other limits"
            if not reasons[i].startswith("it asks for"):
                reasons[i] += " (no portfolio meeting every limit can hold it)"
            continue
        cost[i] = max(0.0, sol.objective - forced.objective)
        if not words:
            dropped = [p.ids[j] for j in np.flatnonzero(x & ~forced.x)]
            words = [f"taking it means dropping {', '.join(dropped[:4]) or 'nothing'}"]
        reasons[i] = "; ".join(words) + f"; forcing it in costs {cost[i]:.2f} points"
    return reasons, cost, notes


# --------------------------------------------------------------------------------------------
# costs


def _limit_costs(p: Problem, sol: Solution, max_groups: int = 20) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    m = matrix(p)
    base = sol.objective
    x = sol.x.astype(float)
    act = m.a @ x if m.a.shape[0] else np.zeros(0)
    low = p.score[sol.x].min() if sol.x.any() else -np.inf
    strong = ~sol.x & ~p.locked_out & (p.score > low)

    def gain(s: Solution) -> float:
        return (s.objective - base) if s.feasible else math.nan

    for key in family_keys(p):
        dropped = solve(p, drop={key}, ties=False)
        entry = {"limit": describe_limit(p, key), "key": key, "group": "", "binding": False,
                 "gain_if_dropped": gain(dropped), "step": "", "gain_if_loosened": math.nan}  # fmt: skip
        entry["binding"] = bool(entry["gain_if_dropped"] > 1e-6)
        rows_k = np.flatnonzero(m.key == key)
        lim = p.limits
        if key == "count":
            r = rows_k[0]
            lo, hi = m.lo[r], m.hi[r]
            if lim.count is not None or (lim.max_count is not None and act[r] >= hi - 0.5):
                entry["step"] = f"{_fmt(lo)}..{_fmt(hi)} -> {_fmt(lo)}..{_fmt(hi + 1)} sites"
                entry["gain_if_loosened"] = gain(solve(p, row_bounds={r: (lo, hi + 1)}, ties=False))
            elif lim.min_count is not None and lo > 0:
                entry["step"] = f"at least {_fmt(lo)} -> {_fmt(lo - 1)} sites"
                entry["gain_if_loosened"] = gain(solve(p, row_bounds={r: (lo - 1, hi)}, ties=False))
        elif key == "mw":
            r = rows_k[0]
            lo, hi = m.lo[r], m.hi[r]
            if np.isfinite(hi):
                entry["step"] = f"max {_fmt(hi)} -> {_fmt(hi * (1 + STEP))} MW"
                entry["gain_if_loosened"] = gain(solve(p, row_bounds={r: (lo, hi * (1 + STEP))}, ties=False))
            else:
                entry["step"] = f"min {_fmt(lo)} -> {_fmt(lo * (1 - STEP))} MW"
                entry["gain_if_loosened"] = gain(solve(p, row_bounds={r: (lo * (1 - STEP), hi)}, ties=False))
        elif key == "spacing":
            new = lim.min_spacing_km * (1 - STEP)
            far = rows_k[p.pair_km >= new]
            entry["step"] = f"{lim.min_spacing_km:g} -> {new:g} km"
            entry["gain_if_loosened"] = gain(solve(p, row_bounds={int(r): (-np.inf, np.inf) for r in far}, ties=False))
        rows.append(entry)
        if key.startswith(("per[", "capacity[")):
            blk = _block(p, key)
            for r, g in zip(rows_k, m.group[rows_k], strict=True):
                lo, hi = m.lo[r], m.hi[r]
                at_bound = (np.isfinite(hi) and act[r] >= hi - 1e-6) or (lo > 0 and act[r] <= lo + 1e-6)
                if blk.kind == "capacity":
                    # Binding where it keeps out a strong site: one scoring above the lowest chosen.
                    out = strong & (blk.code == g)
                    at_bound = bool((act[r] + blk.demand[out] > hi + 1e-9).any())
                if not at_bound:
                    continue
                if blk.kind == "per":
                    if act[r] >= hi - 1e-6:
                        step, nb = f"max {_fmt(hi)} -> {_fmt(hi + 1)}", (lo, hi + 1)
                    else:
                        step, nb = f"min {_fmt(lo)} -> {_fmt(lo - 1)}", (lo - 1, hi)
                else:
                    step, nb = f"{_fmt(hi)} -> {_fmt(hi * (1 + STEP))} MW", (lo, hi * (1 + STEP))
                loose = gain(solve(p, row_bounds={int(r): nb}, ties=False))
                rows.append({"limit": describe_limit(p, key, int(g)), "key": key, "group": blk.names[g],
                             "binding": bool(loose > 1e-6), "gain_if_dropped": math.nan, "step": step,
                             "gain_if_loosened": loose})  # fmt: skip
                if sum(1 for e in rows if e["key"] == key and e["group"]) >= max_groups:
                    break
    cols = ["limit", "key", "group", "binding", "gain_if_dropped", "step", "gain_if_loosened"]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------------
# the entry point


def select_portfolio(
    a: Assessment,
    limits: Limits | None = None,
    *,
    explain: bool = True,
    max_reasons: int | None = 50,
    **kwargs: Any,
) -> Portfolio:
    """Choose the set of eligible sites with the largest total score that meets every limit.

    Parameters
    ----------
    a
        The assessment.
    limits
        The limits (:class:`~growthzones.portfolio.Limits`); keyword arguments build one
        instead (``select_portfolio(a, count=10, min_spacing_km=20)``).
    explain
        Work out reasons for strong sites left out and the cost of every limit (more solves).
    max_reasons
        Explain at most this many left-out sites (the best-scoring ones); None for all.

    Returns
    -------
    Portfolio

    Raises
    ------
    PortfolioError
        An unknown column, group or site (with a "did you mean"), a negative capacity, a
        spacing larger than the study area, locked-in sites that break a limit, or limits
        that cannot all be met (naming the one to loosen).

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> p = select_portfolio(a, count=5, explain=False)
    >>> list(p.chosen) == sorted(a.top(5).index)
    True
    """
    if limits is None:
        limits = Limits(**_limit_kwargs(kwargs))
    elif kwargs:
        limits = dataclasses.replace(limits, **_limit_kwargs(kwargs))
    p = build_problem(a, limits)
    _precheck(p)
    sol = solve(p)
    if not sol.feasible:
        if sol.status == "time limit":
            msg = f"no portfolio meeting every limit was found within time_limit {limits.time_limit:g} s; raise it"
            raise PortfolioError(msg)
        raise PortfolioError(_diagnose(p))
    notes = list(p.notes)
    if sol.status != "optimal":
        notes.append(f"stopped at the time limit: the total is within {sol.gap:.2%} of the best possible")
    reasons: dict[int, str] = {}
    cost: dict[int, float] = {}
    costs = pd.DataFrame(columns=["limit", "key", "group", "binding", "gain_if_dropped", "step", "gain_if_loosened"])
    if explain:
        reasons, cost, more = _reasons(p, sol, max_reasons)
        notes += more
        costs = _limit_costs(p, sol)
    return Portfolio(
        chosen=tuple(str(s) for s in p.ids[sol.x]),
        table=_table(a, p, sol, reasons, cost),
        limit_costs=costs,
        total_score=sol.total,
        status=sol.status,
        gap=sol.gap,
        limits=limits,
        seconds=sol.seconds,
        notes=tuple(notes),
    )


def _limit_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    known = [f.name for f in dataclasses.fields(Limits)]
    for k in kwargs:
        if k not in known:
            from growthzones.config import did_you_mean

            msg = f"select_portfolio: unknown limit {k!r}{did_you_mean(k, known)}"
            raise PortfolioError(msg)
    out = dict(kwargs)
    for k in ("locked_in", "locked_out", "per", "capacity"):
        if k in out and not isinstance(out[k], tuple):
            out[k] = tuple([out[k]] if isinstance(out[k], str) else out[k])
    return out


def _table(
    a: Assessment, p: Problem, sol: Solution, reasons: Mapping[int, str], cost: Mapping[int, float]
) -> pd.DataFrame:
    r = a.ranking
    t = pd.DataFrame(
        {"name": r["name"].astype(str), "rank": r["rank"], "score": r["score"], "eligible": r["eligible"]},
        index=r.index,
    )
    t["chosen"] = False
    t.loc[list(p.ids[sol.x]), "chosen"] = True
    t["reason"] = ""
    t["cost_in"] = np.nan
    for i, text in reasons.items():
        t.at[p.ids[i], "reason"] = text
    for i, c in cost.items():
        t.at[p.ids[i], "cost_in"] = c
    t.loc[t["eligible"] & ~t.index.isin(list(p.ids)), "reason"] = ""
    return t


def ids_of(p: Problem, x: np.ndarray) -> Sequence[str]:
    """Site ids of a chosen-flags vector."""
    return list(p.ids[x])
