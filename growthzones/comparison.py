"""Comparing rankings: the same bids under several aggregation methods.

Planners argue about method as much as about weights. :func:`compare_methods` ranks the same
eligible sites under each method and says how far the rankings agree (Kendall's tau and
Spearman's rho between every pair of methods) and which sites move most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

if TYPE_CHECKING:
    from growthzones.assessment import Assessment

__all__ = ["MethodComparison", "compare_methods"]


@dataclass(frozen=True)
class MethodComparison:
    """Rankings of the same sites under several methods.

    Attributes
    ----------
    ranks
        Site x method ranks (eligible sites only), plus ``name``, ``rank_range`` (worst minus
        best rank across methods) and ``mean_rank``; sorted by mean rank then site id.
    kendall, spearman
        Method x method rank correlation matrices.
    scores
        Site x method scores 0-100.
    """

    ranks: pd.DataFrame
    kendall: pd.DataFrame
    spearman: pd.DataFrame
    scores: pd.DataFrame

    def movers(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` sites whose rank differs most between methods (ties by site id).

        Examples
        --------
        >>> import growthzones as gz
        >>> cmp = gz.assess(gz.datasets.demo_config_path()).compare_methods(["wlc", "weakest_link"])
        >>> cmp.movers(5)["rank_range"].is_monotonic_decreasing
        True
        """
        r = self.ranks.reset_index()
        r = r.sort_values(["rank_range", "site_id"], ascending=[False, True], kind="stable")
        return r.head(n).set_index("site_id")

    def to_csv(self, path: str) -> None:
        """Write the ranks table (with scores) to CSV, atomically.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> import pandas as pd, pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "methods.csv"
        >>> a.compare_methods(["wlc", "topsis"]).to_csv(path)
        >>> pd.read_csv(path).columns.tolist()
        ['site_id', 'name', 'wlc', 'topsis', 'rank_range', 'mean_rank', 'wlc_score', 'topsis_score']
        """
        from growthzones.atomic import atomic_path

        table = self.ranks.join(self.scores.add_suffix("_score"))
        with atomic_path(path) as tmp:
            table.to_csv(tmp, float_format="%.10g")


def compare_methods(
    a: Assessment,
    methods: Sequence[str | tuple[str, Mapping[str, Any]]] = ("wlc", "wpm", "topsis", "vikor", "promethee2"),
) -> MethodComparison:
    """Rank the same eligible sites under several aggregation methods and compare.

    Parameters
    ----------
    a
        An assessment; its weights and gates are kept.
    methods
        Method names, or ``(name, params)`` pairs, e.g. ``("vikor", {"v": 0.3})``. A method
        used twice with different parameters is labelled ``name(k=v)``.

    Returns
    -------
    MethodComparison

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> cmp = compare_methods(a, ["wlc", "topsis"])
    >>> float(cmp.kendall.loc["wlc", "topsis"]) > 0.5
    True
    """
    ranks: dict[str, pd.Series] = {}
    scores: dict[str, pd.Series] = {}
    for m in methods:
        name, params = (m, {}) if isinstance(m, str) else (m[0], dict(m[1]))
        label = name if not params else f"{name}({', '.join(f'{k}={v}' for k, v in sorted(params.items()))})"
        if label in ranks:  # the same method twice: keep both columns apart
            label = f"{label}#{sum(k.split('#')[0] == label for k in ranks) + 1}"
        b = a.rerank(name, **params)
        elig = b.gates["eligible"]
        ranks[label] = b.scores.loc[elig, "rank"].astype("int64")
        scores[label] = b.scores.loc[elig, "score"]
    r = pd.DataFrame(ranks)
    r.index.name = "site_id"
    labels = list(r.columns)
    kendall = pd.DataFrame(np.eye(len(labels)), index=labels, columns=labels)
    spearman = kendall.copy()
    for i, x in enumerate(labels):
        for y in labels[i + 1 :]:
            kendall.loc[x, y] = kendall.loc[y, x] = _corr(stats.kendalltau, r[x], r[y])
            spearman.loc[x, y] = spearman.loc[y, x] = _corr(stats.spearmanr, r[x], r[y])
    out = r.copy()
    out.insert(0, "name", a.sites.loc[r.index, "name"])
    out["rank_range"] = r.max(axis=1) - r.min(axis=1)
    out["mean_rank"] = r.mean(axis=1)
    out = out.reset_index().sort_values(["mean_rank", "site_id"], kind="stable").set_index("site_id")
    return MethodComparison(ranks=out, kendall=kendall, spearman=spearman, scores=pd.DataFrame(scores))


def _corr(fn: Any, x: pd.Series, y: pd.Series) -> float:
    if len(x) < 2:
        return float("nan")
    return float(fn(x.to_numpy(), y.to_numpy())[0])
