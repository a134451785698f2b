"""Ranks and tiers.

Ranks run 1..n over eligible sites, best first. Equal scores are ordered by site id, so the
same inputs always give the same ranking. Ineligible sites have no rank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["TIERS", "rank_order", "rank_sites", "tiers"]

#: Tier name and the share of eligible sites (by rank) that reach it, cumulatively.
TIERS: tuple[tuple[str, float], ...] = (("A", 0.10), ("B", 0.30), ("C", 0.60), ("D", 1.0))


def rank_order(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions of ``scores`` sorted best first, ties by id; NaN scores last.

    Examples
    --------
    >>> rank_order(np.array([50.0, 70.0, 50.0]), np.array(["b", "c", "a"])).tolist()
    [1, 2, 0]
    """
    s = np.where(np.isnan(scores), np.inf, -scores)
    # np.lexsort sorts by the last key first: score, then id.
    return np.lexsort((ids.astype(str), s))


def rank_sites(scores: pd.Series, eligible: pd.Series | np.ndarray) -> pd.Series:
    """Rank eligible sites 1..n by score (higher is better), ties broken by site id.

    Returns
    -------
    Series of nullable Int64, <NA> for ineligible sites.

    Examples
    --------
    >>> s = pd.Series([50.0, 70.0, 50.0, 90.0], index=["b", "c", "a", "d"])
    >>> rank_sites(s, [True, True, True, False]).tolist()
    [3, 1, 2, <NA>]
    """
    elig = np.asarray(eligible, dtype=bool)
    vals = np.where(elig, scores.to_numpy(dtype=float), np.nan)
    order = rank_order(vals, scores.index.to_numpy())
    ranks = np.empty(len(vals), dtype=np.int64)
    ranks[order] = np.arange(1, len(vals) + 1)
    out = pd.Series(ranks, index=scores.index, name="rank").astype("Int64")
    out[~elig] = pd.NA
    return out


def tiers(ranks: pd.Series) -> pd.Series:
    """Tier letters from ranks.

    A is the top 10% of eligible sites (at least one), then B (to 30%), C (to 60%) and D.

    Examples
    --------
    >>> tiers(pd.Series([*range(1, 11), pd.NA], dtype="Int64")).tolist()
    ['A', 'B', 'B', 'C', 'C', 'C', 'D', 'D', 'D', 'D', 'ineligible']
    """
    n = int(ranks.notna().sum())
    out = pd.Series("ineligible", index=ranks.index, name="tier", dtype=object)
    r = ranks.to_numpy(dtype=float, na_value=np.nan)
    prev = 0
    for name, upto in TIERS:
        cut = int(np.ceil(upto * n - 1e-9))
        out[(r > prev) & (r <= cut)] = name
        prev = max(prev, cut)
    return out
