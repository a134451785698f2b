"""The portfolio under uncertain weights and inputs: selection probability, frequent sets, core.

:func:`robust_portfolio` draws the robustness analysis's weight (and input) samples
(:func:`growthzones.robustness.sample_scores`, the same seed gives the same samples as
:func:`growthzones.robustness.robustness`), solves the portfolio exactly for each sample's
scores under the same limits, and counts how often each site is chosen. The **core** is the
set of sites chosen in at least ``core`` (default 90 %) of the samples.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from growthzones.errors import PortfolioError
from growthzones.portfolio.limits import Limits, build_problem
from growthzones.portfolio.solve import solve
from growthzones.progress import Progress
from growthzones.robustness import sample_scores

if TYPE_CHECKING:
    from growthzones.assessment import Assessment

__all__ = ["RobustPortfolio", "robust_portfolio"]


@dataclass(frozen=True)
class RobustPortfolio:
    """How often each site is chosen across sampled weights (and inputs).

    Attributes
    ----------
    selection
        One row per site that could be chosen in some sample (site-id order): ``name``,
        ``p_selected`` (share of feasible samples choosing it) and ``core`` (chosen in at
        least :attr:`threshold` of them).
    sets
        The most frequent chosen sets: ``sites`` (ids joined by ", "), ``samples``, ``share``.
    core
        Site ids in the core, in site-id order.
    threshold
        The share of samples a core site is chosen in.
    samples, seed
        Samples drawn and the seed entropy used (same seed, same result).
    infeasible
        Samples in which no portfolio met every limit (left out of the shares).
    seconds
        Wall time.
    """

    selection: pd.DataFrame
    sets: pd.DataFrame
    core: tuple[str, ...]
    threshold: float
    samples: int
    seed: int
    infeasible: int
    seconds: float

    def metadata(self) -> dict[str, str]:
        """How it was made, as text (for the GeoPackage ``run`` table).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> r = robust_portfolio(a, Limits(count=3), samples=20, seed=1)
        >>> r.metadata()["portfolio_robust_samples"]
        '20'
        """
        return {
            "portfolio_robust_samples": str(self.samples),
            "portfolio_robust_seed": str(self.seed),
            "portfolio_robust_core_threshold": f"{self.threshold:g}",
            "portfolio_robust_core": ", ".join(self.core),
            "portfolio_robust_infeasible_samples": str(self.infeasible),
        }


def robust_portfolio(
    a: Assessment,
    limits: Limits,
    *,
    samples: int = 200,
    seed: int | None = None,
    input_uncertainty: Mapping[str, Any] | bool | None = True,
    concentration: float | None = None,
    levels: str = "both",
    core: float = 0.9,
    top_sets: int = 5,
    ties: bool | None = None,
    progress: Progress | None = None,
) -> RobustPortfolio:
    """Solve the portfolio for every weight (and input) sample and count the choices.

    Parameters
    ----------
    a
        The assessment.
    limits
        The portfolio limits (the same in every sample).
    samples, seed, input_uncertainty, concentration, levels
        As for :func:`growthzones.robustness.robustness`.
    core
        Share of samples (0-1) a site must be chosen in to be in the core.
    top_sets
        How many of the most frequent sets to report.
    ties
        Apply the exact site-id tie rule in each sample (one more solve per sample). None
        (default): only when two candidates have identical values on every weighted
        criterion. Otherwise two different sets tie under a sampled weight vector with
        probability zero (their totals would have to agree for every weighting), and each
        sample's optimum is the one HiGHS returns, which is the same for the same input.
    progress
        Called as ``progress(done, total, label)`` after each sample.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> r = robust_portfolio(a, Limits(count=3), samples=30, seed=1)
    >>> int(r.sets["samples"].sum()) <= 30, round(float(r.selection["p_selected"].sum()), 6)
    (True, 3.0)
    """
    if not 0 < float(core) <= 1:
        msg = f"core: {core!r} must be a share between 0 and 1, e.g. 0.9 for sites chosen in 90% of samples"
        raise PortfolioError(msg)
    t0 = time.perf_counter()
    cand, used_seed, chunks = sample_scores(
        a, samples, seed=seed, input_uncertainty=input_uncertainty, concentration=concentration, levels=levels
    )
    p = build_problem(a, limits, candidates=cand)
    if ties is None:
        v = a.values[list(a.weights.criteria.index)].to_numpy(dtype=float)[p.positions]
        ties = len(np.unique(np.round(v, 12), axis=0)) < len(v)
    # p orders candidates by site id; map the sampler's columns onto it.
    col = np.searchsorted(cand, p.positions) if cand.size else np.zeros(0, dtype=np.int64)
    order = np.argsort(cand)
    col = order[np.searchsorted(cand[order], p.positions)] if cand.size else col
    counts = np.zeros(p.n, dtype=np.int64)
    sets: Counter[tuple[str, ...]] = Counter()
    done = infeasible = 0
    for block in chunks:
        for row in block:
            s = row[col]
            sol = solve(p, score=s, ties=ties)
            if sol.feasible:
                counts += sol.x
                sets[tuple(str(s) for s in p.ids[sol.x])] += 1
            else:
                infeasible += 1
            done += 1
            if progress is not None:
                progress(done, samples, "portfolio samples")
    feasible = max(done - infeasible, 1)
    share = counts / feasible
    selection = pd.DataFrame(
        {"name": p.names, "p_selected": share, "core": share >= float(core) - 1e-12},
        index=pd.Index(p.ids, name="site_id"),
    )
    top = sorted(sets.items(), key=lambda kv: (-kv[1], kv[0]))[: max(int(top_sets), 0)]
    table = pd.DataFrame(
        {
            "sites": [", ".join(k) for k, _ in top],
            "samples": [v for _, v in top],
            "share": [v / feasible for _, v in top],
        }
    )
    return RobustPortfolio(
        selection=selection,
        sets=table,
        core=tuple(str(s) for s in p.ids[selection["core"].to_numpy()]),
        threshold=float(core),
        samples=int(samples),
        seed=used_seed,
        infeasible=infeasible,
        seconds=time.perf_counter() - t0,
    )
