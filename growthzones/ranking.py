"""Ranks and tiers.

Ranks run 1..n over eligible sites, best first. Equal scores are ordered by site id, so the
same inputs always give the same ranking. Ineligible sites have no rank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["TIERS", "district_summary", "order_rows", "rank_order", "rank_sites", "ranks_rows", "tiers"]

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


def order_rows(scores: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Per row, column positions best first; invalid columns last; ties by position.

    Columns are in site-id order, so ties by position are ties by site id, as in
    :func:`growthzones.ranking.rank_sites`. The default (introsort) argsort is several times
    faster than a stable one; rows that hold a tie are re-sorted stably.

    Examples
    --------
    >>> order_rows(np.array([[50.0, 70.0, 50.0]])).tolist()
    [[1, 0, 2]]
    """
    key = -scores if valid is None else np.where(valid, -scores, np.inf)
    order = np.argsort(key, axis=1)
    if key.shape[1] > 1:
        srt = np.take_along_axis(key, order, axis=1)
        tied = (srt[:, 1:] == srt[:, :-1]) & np.isfinite(srt[:, 1:])
        rows = np.flatnonzero(tied.any(axis=1))
        if rows.size:
            order[rows] = np.argsort(key[rows], axis=1, kind="stable")
    return order


def ranks_rows(scores: np.ndarray) -> np.ndarray:
    """(s, n) ranks 1..n per row from scores (all valid), ties by position.

    Examples
    --------
    >>> ranks_rows(np.array([[50.0, 70.0, 50.0]])).tolist()
    [[2, 1, 3]]
    """
    order = order_rows(scores)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, order.shape[1] + 1)[np.newaxis, :], axis=1)
    return ranks


def district_summary(
    districts: pd.Series, names: pd.Series, scores: pd.Series, ranks: pd.Series, eligible: pd.Series
) -> pd.DataFrame:
    """Sites summarised by district: each district's best site, eligible sites and score spread.

    Parameters
    ----------
    districts
        Each site's district (or any area), indexed by site id; sites without one are left out.
    names, scores, ranks, eligible
        Each site's name, score (NaN when ineligible), rank and eligibility, indexed alike.

    Returns
    -------
    pandas.DataFrame
        One row per district, best first (by best score, then district): ``district_rank``,
        ``n_sites``, ``n_eligible``, ``best_site_id``, ``best_site``, ``best_score``,
        ``best_rank``, ``score_median``, ``score_min``, ``score_max`` and ``score_spread``
        (max - min) over its eligible sites. Districts without an eligible site come last, with
        no best site.

    Examples
    --------
    >>> ids = ["a", "b", "c", "d"]
    >>> s = pd.Series([80.0, 60.0, 70.0, float("nan")], index=ids)
    >>> out = district_summary(pd.Series(["X", "X", "Y", "Z"], index=ids), pd.Series(ids, index=ids), s,
    ...                        rank_sites(s, s.notna()), s.notna())
    >>> out[["district_rank", "n_sites", "n_eligible", "best_site_id", "score_spread"]]
              district_rank  n_sites  n_eligible best_site_id  score_spread
    district
    X                     1        2           2            a          20.0
    Y                     2        1           1            c           0.0
    Z                     3        1           0          NaN           NaN
    """
    df = pd.DataFrame(
        {
            "district": districts,
            "name": names,
            "score": scores.astype(float),
            "rank": ranks,
            "eligible": eligible.astype(bool),
        }
    )
    df = df[df["district"].notna()]
    rows = []
    for d, g in df.groupby("district", sort=True):
        e = g[g["eligible"] & g["score"].notna()]
        best = e.index[rank_order(e["score"].to_numpy(dtype=float), e.index.to_numpy())[0]] if len(e) else None
        rows.append(
            {
                "district": d,
                "n_sites": len(g),
                "n_eligible": len(e),
                "best_site_id": best,
                "best_site": None if best is None else g.at[best, "name"],
                "best_score": np.nan if best is None else float(g.at[best, "score"]),
                "best_rank": pd.NA if best is None else int(g.at[best, "rank"]),
                "score_median": float(e["score"].median()) if len(e) else np.nan,
                "score_min": float(e["score"].min()) if len(e) else np.nan,
                "score_max": float(e["score"].max()) if len(e) else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["score_spread"] = out["score_max"] - out["score_min"]
    out["best_rank"] = out["best_rank"].astype("Int64")
    order = rank_order(out["best_score"].to_numpy(dtype=float), out["district"].to_numpy())
    out = out.iloc[order].reset_index(drop=True)
    out.insert(0, "district_rank", np.arange(1, len(out) + 1))
    return out.set_index("district")
