"""Why does a site rank where it does? Contributions, strengths, archetypes, implied weights.

- :func:`explain`: one site's score broken down by criterion and group, its strongest and
  weakest criteria against the median eligible site, its gate results and a short summary
  in plain English.
- :func:`summaries`: that summary for every site at once (for exports).
- :func:`archetypes`: eligible sites clustered on their 0..1 criterion values (k-means, k
  chosen by silhouette), each cluster named by its strengths and weaknesses, with a 2-D PCA
  projection for plotting.
- :func:`implied_weights`: an *estimate* of the group weights under which sites someone
  chose would rank highest.

Contributions
-------------
For WLC the score is additive: criterion j contributes ``100 * w_j * v_ij`` points and the
contributions sum to the score exactly. The other methods are not additive, so their score
is decomposed with Shapley values over the criterion **groups**: the "game" is the score the
method gives the site when the criteria of some groups keep the site's values and the rest
are set to 0 (the worst value), every other site unchanged. The group values are exact
(2^G evaluations, sampled permutations beyond 12 groups) and satisfy
``baseline + sum(contributions) = score``, where ``baseline`` is the score of a site with
the worst value on every criterion (0 for every method except PROMETHEE II). Each group's
value is split among its criteria in proportion to ``w_j * v_ij``. For WLC the Shapley
values reproduce the additive contributions exactly.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from growthzones import mcda
from growthzones.config import did_you_mean
from growthzones.coverage import coverage_notes, uncovered
from growthzones.errors import GrowthzonesError, SiteError
from growthzones.gates import format_value, gate_reason
from growthzones.ranking import ranks_rows

if TYPE_CHECKING:
    from growthzones.assessment import Assessment
    from growthzones.robustness import Robustness

__all__ = [
    "Archetypes",
    "Explanation",
    "ImpliedWeights",
    "archetypes",
    "contribution_table",
    "explain",
    "implied_weights",
    "split_reasons",
    "summaries",
    "top_strengths",
]

log = logging.getLogger(__name__)

#: Methods whose score is a weighted sum of the 0..1 values.
ADDITIVE_METHODS = ("wlc",)

#: Exact Shapley values up to this many groups (2^G evaluations); sampled beyond.
_MAX_EXACT_GROUPS = 12


# --------------------------------------------------------------------------------------------
# per-criterion profile of every site against the eligible sites
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    names: list[str]
    groups: list[str]
    group_idx: np.ndarray
    weights: np.ndarray
    values: np.ndarray  # n x m, 0..1
    raw: np.ndarray  # n x m, real units
    median: np.ndarray  # m, over eligible sites
    top_pct: np.ndarray  # n x m: site is in the top p% of eligible sites
    bottom_pct: np.ndarray  # n x m: site is in the bottom p%
    eligible: np.ndarray
    n_eligible: int


def _profile(a: Assessment) -> _Profile:
    w = a.weights
    names = list(w.criteria.index)
    groups = list(w.groups.index)
    values = a.values[names].to_numpy(dtype=float)
    elig = a.gates["eligible"].to_numpy(dtype=bool)
    n_e = int(elig.sum())
    n, m = values.shape
    top = np.full((n, m), 100, dtype=np.int64)
    bottom = np.full((n, m), 100, dtype=np.int64)
    median = np.full(m, np.nan)
    if n_e:
        ev = values[elig]
        median = np.median(ev, axis=0)
        for j in range(m):
            srt = np.sort(ev[:, j])
            # "top p%": p% of eligible sites are at least as good (ties count: a yes/no
            # criterion that 40% of sites meet puts each of them in the top 40%, not the top 1%).
            at_least = n_e - np.searchsorted(srt, values[:, j], side="left")
            at_most = np.searchsorted(srt, values[:, j], side="right")
            # An ineligible site is not among the eligible ones: count it in once.
            extra = (~elig).astype(np.int64)
            top[:, j] = np.clip(np.ceil(100 * (at_least + extra) / (n_e + extra) - 1e-9), 1, 100)
            bottom[:, j] = np.clip(np.ceil(100 * (at_most + extra) / (n_e + extra) - 1e-9), 1, 100)
    return _Profile(
        names=names,
        groups=groups,
        group_idx=np.array([groups.index(w.group_of[c]) for c in names], dtype=np.int64),
        weights=w.criteria.to_numpy(dtype=float),
        values=values,
        raw=a.criteria[names].to_numpy(dtype=float),
        median=median,
        top_pct=top,
        bottom_pct=bottom,
        eligible=elig,
        n_eligible=n_e,
    )


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ...

    Examples
    --------
    >>> [_ordinal(i) for i in (1, 2, 3, 4, 11, 12, 13, 21, 102)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _standing(top: int, bottom: int) -> str:
    return f"top {top}%" if top <= bottom else f"bottom {bottom}%"


# --------------------------------------------------------------------------------------------
# contributions
# --------------------------------------------------------------------------------------------


def _group_shapley(
    x: np.ndarray, row: int, w: np.ndarray, group_idx: np.ndarray, n_groups: int, method: str, params: Mapping[str, Any]
) -> tuple[np.ndarray, float]:
    """Shapley values of the groups for the score of ``x[row]`` (0..1 scale), and the baseline.

    A coalition keeps the site's own values on its groups' criteria; the other criteria are 0.
    """
    ones = np.ones(x.shape[1])

    def score(keep: np.ndarray) -> float:
        xx = x.copy()
        xx[row] = np.where(keep[group_idx], x[row], 0.0)
        return float(mcda.aggregate(method, xx, w, ones, **params)[row])

    g = n_groups
    if g <= _MAX_EXACT_GROUPS:
        masks = np.arange(1 << g)
        bits = ((masks[:, np.newaxis] >> np.arange(g)) & 1).astype(bool)
        f = np.array([score(b) for b in bits])
        size = bits.sum(axis=1)
        fact = np.array([math.factorial(i) for i in range(g + 1)], dtype=np.float64)
        phi = np.zeros(g)
        for k in range(g):
            without = ~bits[:, k]
            s = size[without]
            coef = fact[s] * fact[g - s - 1] / fact[g]
            phi[k] = (coef * (f[masks[without] | (1 << k)] - f[masks[without]])).sum()
        return phi, float(f[0])
    # Many groups: average marginal contributions over seeded random orderings.
    rng = np.random.default_rng(0)
    phi = np.zeros(g)
    n_perm = 256
    base = score(np.zeros(g, dtype=bool))
    for _ in range(n_perm):
        keep = np.zeros(g, dtype=bool)
        prev = base
        for k in rng.permutation(g):
            keep[k] = True
            cur = score(keep)
            phi[k] += cur - prev
            prev = cur
    return phi / n_perm, base


def _contributions(a: Assessment, p: _Profile, pos: int) -> tuple[np.ndarray, float, str]:
    """Points of the 0-100 score per criterion, the baseline and the decomposition's name."""
    m = len(p.names)
    if not p.eligible[pos]:
        return np.full(m, np.nan), math.nan, "none (ineligible)"
    method, params = a.config.method.name, dict(a.config.method.params)
    v = p.values[pos]
    if (
        method in ADDITIVE_METHODS
        and set(params) <= {"normalization"}
        and params.get("normalization", "auto")
        in (
            "auto",
            "none",
        )
    ):
        return 100.0 * p.weights * v, 0.0, "additive"
    elig = np.flatnonzero(p.eligible)
    row = int(np.searchsorted(elig, pos))
    phi, base = _group_shapley(p.values[elig], row, p.weights, p.group_idx, len(p.groups), method, params)
    return 100.0 * _split(phi, p.weights * v, p.weights, p.group_idx), 100.0 * base, "shapley (groups)"


def _split(phi: np.ndarray, wv: np.ndarray, w: np.ndarray, group_idx: np.ndarray) -> np.ndarray:
    """Share each group's value among its criteria in proportion to ``w_j v_j`` (or ``w_j``)."""
    out = np.zeros(w.size)
    for k, val in enumerate(phi):
        cols = group_idx == k
        basis = wv[cols] if wv[cols].sum() > 0 else w[cols]
        total = basis.sum()
        out[cols] = val * (basis / total if total > 0 else 1.0 / cols.sum())
    return out


# --------------------------------------------------------------------------------------------
# explanation of one site
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """Why one site scores and ranks as it does.

    Attributes
    ----------
    site_id, name
        The site.
    eligible, rank, n_eligible, score, tier
        Its standing (rank and score are missing when ineligible).
    method
        The aggregation method.
    decomposition
        ``"additive"`` (WLC: contributions sum to the score) or ``"shapley (groups)"`` (see
        the module docstring); ``baseline + contributions.sum()`` equals the score.
    baseline
        Score of a site with the worst value on every criterion (0 except for PROMETHEE II).
    contributions
        One row per weighted criterion: ``group``, ``label``, ``unit``, ``raw`` (real units),
        ``raw_text``, ``value`` (0..1), ``weight`` (global), ``contribution`` (points of the
        0-100 score), ``median_value`` (median eligible site), ``vs_median``, ``top_pct``
        and ``bottom_pct`` (its standing among eligible sites).
    groups
        One row per group: ``weight``, ``group_score`` (0-100 sub-score), ``contribution``
        and ``share`` (of the score).
    strengths, weaknesses
        Rows of ``contributions`` furthest above / below the median eligible site, weighted
        by importance (``weight * vs_median``).
    gates
        One row per enabled gate: ``criterion``, ``label``, ``op``, ``threshold``, ``value``,
        ``value_text``, ``passed`` and ``reason`` (empty when passed).
    text
        A short summary in plain English.
    coverage
        What the site's nation has no data for, and how it was treated, e.g.
        ``"water: no data for Wales; treated as unknown"`` (see :mod:`growthzones.coverage`).
    """

    site_id: str
    name: str
    eligible: bool
    rank: int | None
    n_eligible: int
    score: float
    tier: str
    method: str
    decomposition: str
    baseline: float
    contributions: pd.DataFrame
    groups: pd.DataFrame
    strengths: pd.DataFrame
    weaknesses: pd.DataFrame
    gates: pd.DataFrame
    text: str = field(default="")
    coverage: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text


def explain(
    a: Assessment,
    site_id: str,
    *,
    robustness: Robustness | None = None,
    n_strengths: int = 3,
    min_difference: float = 0.05,
) -> Explanation:
    """Explain one site: contributions, strengths and weaknesses, gates, and a summary.

    Parameters
    ----------
    a
        The assessment.
    site_id
        The site.
    robustness
        Optional :func:`growthzones.robustness.robustness` result; adds how often the site
        stays in the top k to the summary.
    n_strengths
        At most this many strengths and weaknesses.
    min_difference
        A criterion counts as a strength (weakness) when its 0..1 value is at least this much
        above (below) the median eligible site's.

    Returns
    -------
    Explanation

    Raises
    ------
    SiteError
        Unknown site id.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> e = explain(a, a.ranking.index[0])
    >>> e.text.startswith("Ranks 1st of")
    True
    """
    ids = a.sites.index
    if site_id not in ids:
        msg = f"explain: no site {site_id!r}{did_you_mean(str(site_id), [str(i) for i in ids])}"
        raise SiteError(msg)
    pos = int(ids.get_loc(site_id))
    p = _profile(a)
    contrib, baseline, decomposition = _contributions(a, p, pos)
    table = _criteria_table(a, p, pos, contrib)
    up, down = _pick(p, pos, n_strengths, min_difference)
    strengths, weaknesses = table.iloc[up], table.iloc[down]
    groups = _group_table(a, p, pos, contrib)
    gates = _gate_table(a, site_id)
    rank = a.scores["rank"].iloc[pos]
    e = Explanation(
        site_id=str(site_id),
        name=str(a.sites["name"].iloc[pos]),
        eligible=bool(p.eligible[pos]),
        rank=None if pd.isna(rank) else int(rank),
        n_eligible=p.n_eligible,
        score=float(a.scores["score"].iloc[pos]),
        tier=str(a.scores["tier"].iloc[pos]),
        method=a.config.method.name,
        decomposition=decomposition,
        baseline=baseline,
        contributions=table,
        groups=groups,
        strengths=strengths,
        weaknesses=weaknesses,
        gates=gates,
    )
    reasons = a.gates["gate_reasons"].iloc[pos]
    shown = min(n_strengths, 2)  # the summary stays short; the tables hold the rest
    gaps = tuple(coverage_notes(a.config, a.sites, site_id))
    text = _summary_text(e.eligible, e.rank, e.n_eligible, e.score, reasons, _items(strengths.head(shown)),
                         _items(weaknesses.head(shown)), _robust_phrase(robustness, site_id), gaps)  # fmt: skip
    return Explanation(**{**e.__dict__, "text": text, "coverage": gaps})


def _criteria_table(a: Assessment, p: _Profile, pos: int, contrib: np.ndarray) -> pd.DataFrame:
    crits = [a.config.criterion(c) for c in p.names]
    raw = p.raw[pos]
    return pd.DataFrame(
        {
            "group": [c.group for c in crits],
            "label": [c.display for c in crits],
            "unit": [c.unit for c in crits],
            "raw": raw,
            "raw_text": [format_value(float(x), c.unit) for x, c in zip(raw, crits, strict=True)],
            "value": p.values[pos],
            "weight": p.weights,
            "contribution": contrib,
            "median_value": p.median,
            "vs_median": p.values[pos] - p.median,
            "top_pct": p.top_pct[pos],
            "bottom_pct": p.bottom_pct[pos],
        },
        index=pd.Index(p.names, name="criterion"),
    )


def _pick(p: _Profile, pos: int, n: int, min_difference: float) -> tuple[np.ndarray, np.ndarray]:
    """Column positions of the strengths and weaknesses of site ``pos``, most important first.

    Importance is ``weight * (value - median)``: a large lead on a heavily weighted criterion
    matters more than the same lead on a lightly weighted one.
    """
    diff = p.values[pos] - p.median
    impact = p.weights * diff
    with np.errstate(invalid="ignore"):
        up = np.flatnonzero((p.weights > 0) & (diff >= min_difference))
        down = np.flatnonzero((p.weights > 0) & (diff <= -min_difference))
    up = up[np.argsort(-impact[up], kind="stable")][:n]
    down = down[np.argsort(impact[down], kind="stable")][:n]
    return up, down


def _group_table(a: Assessment, p: _Profile, pos: int, contrib: np.ndarray) -> pd.DataFrame:
    sums = np.bincount(p.group_idx, weights=np.nan_to_num(contrib), minlength=len(p.groups))
    if np.isnan(contrib).all():
        sums = np.full(len(p.groups), np.nan)
    score = float(a.scores["score"].iloc[pos])
    return pd.DataFrame(
        {
            "weight": a.weights.groups.to_numpy(dtype=float),
            "group_score": [float(a.scores[f"{g}_score"].iloc[pos]) for g in p.groups],
            "contribution": sums,
            "share": sums / score if score else np.full(len(p.groups), np.nan),
        },
        index=pd.Index(p.groups, name="group"),
    )


def _gate_table(a: Assessment, site_id: str) -> pd.DataFrame:
    rows = []
    for gate in a.config.gates:
        if not gate.enabled:
            continue
        crit = a.config.criterion(gate.criterion)
        value = float(a.criteria.at[site_id, gate.criterion])
        passed = bool(a.gates.at[site_id, f"gate: {gate.key}"])
        rows.append(
            {
                "gate": gate.key,
                "criterion": gate.criterion,
                "label": gate.label or crit.display,
                "op": gate.op,
                "threshold": float(gate.value),
                "value": value,
                "value_text": format_value(value, crit.unit),
                "passed": passed,
                "reason": "" if passed else gate_reason(gate, crit, value),
            }
        )
    cols = ["gate", "criterion", "label", "op", "threshold", "value", "value_text", "passed", "reason"]
    return pd.DataFrame(rows, columns=cols).set_index("gate")


def _phrase(items: list[tuple[str, str]], word: str) -> str:
    """Join (group, text) pairs: "Strong on grid: a (top 5%), b (top 9%); land: c (top 10%)."."""
    if not items:
        return ""
    by_group: dict[str, list[str]] = {}
    for group, text in items:
        by_group.setdefault(group, []).append(text)
    return f"{word} on " + "; ".join(f"{g}: {', '.join(t)}" for g, t in by_group.items()) + "."


def _items(rows: pd.DataFrame) -> list[tuple[str, str]]:
    return [
        (r.group, f"{r.label} {r.raw_text} ({_standing(int(r.top_pct), int(r.bottom_pct))})") for r in rows.itertuples()
    ]


def _summary_text(
    eligible: bool,
    rank: int | None,
    n_eligible: int,
    score: float,
    reasons: str,
    strengths: list[tuple[str, str]],
    weaknesses: list[tuple[str, str]],
    robust: str,
    gaps: tuple[str, ...] = (),
) -> str:
    if eligible and rank is not None:
        sites = "site" if n_eligible == 1 else "sites"
        head = f"Ranks {_ordinal(rank)} of {n_eligible} eligible {sites} (score {score:.1f})."
    else:
        head = f"Not eligible: {reasons}." if reasons else "Not eligible."
    parts = [head, _phrase(strengths, "Strong"), _phrase(weaknesses, "Weak"), robust, *(f"{g}." for g in gaps)]
    return " ".join(s for s in parts if s)


def _robust_phrase(r: Robustness | None, site_id: str) -> str:
    if r is None or site_id not in r.summary.index:
        return ""
    row = r.summary.loc[site_id]
    if row["p_eligible"] <= 0:  # never eligible: the gates already say why
        return ""
    k = 10 if 10 in r.ks else max(r.ks)
    text = f"In the top {k} under {row[f'p_top_{k}']:.0%} of sampled weightings"
    if pd.notna(row["rank_lo"]) and pd.notna(row["rank_hi"]):
        text += f"; {r.interval:.0%} rank interval {int(row['rank_lo'])}-{int(row['rank_hi'])}"
    if row["p_eligible"] < 1:
        text += f"; eligible in {row['p_eligible']:.0%} of samples"
    return text + "."


def summaries(
    a: Assessment, *, robustness: Robustness | None = None, n_strengths: int = 2, min_difference: float = 0.05
) -> pd.Series:
    """The plain-English summary of every site (as in :attr:`Explanation.text`), by site id.

    Contributions are not needed for the summary, so this is quick for any method.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> print(summaries(a)["GZ-107"])
    Ranks 1st of 159 eligible sites (score 84.3). Strong on water: ...
    """
    p = _profile(a)
    crits = [a.config.criterion(c) for c in p.names]
    ranks = a.scores["rank"].to_numpy(dtype=float, na_value=np.nan)
    scores = a.scores["score"].to_numpy(dtype=float)
    reasons = a.gates["gate_reasons"].to_numpy()
    has_gap = uncovered(a.config, a.sites).to_numpy().any(axis=1)
    out = {}
    for pos, sid in enumerate(a.sites.index):
        up, down = _pick(p, pos, n_strengths, min_difference)

        def items(cols: np.ndarray, pos: int = pos) -> list[tuple[str, str]]:
            return [
                (
                    crits[j].group,
                    f"{crits[j].display} {format_value(float(p.raw[pos, j]), crits[j].unit)} "
                    f"({_standing(int(p.top_pct[pos, j]), int(p.bottom_pct[pos, j]))})",
                )
                for j in cols
            ]

        rank = None if np.isnan(ranks[pos]) else int(ranks[pos])
        gaps = tuple(coverage_notes(a.config, a.sites, sid)) if has_gap[pos] else ()
        out[sid] = _summary_text(bool(p.eligible[pos]), rank, p.n_eligible, float(scores[pos]), str(reasons[pos]),
                                 items(up), items(down), _robust_phrase(robustness, sid), gaps)  # fmt: skip
    return pd.Series(out, name="summary", dtype=object).rename_axis(a.sites.index.name)


# --------------------------------------------------------------------------------------------
# archetypes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archetypes:
    """Eligible sites grouped by their criterion profile.

    Attributes
    ----------
    k
        Number of archetypes (chosen by silhouette unless given).
    labels
        Archetype name of each eligible site (site-id order).
    clusters
        Archetype number of each eligible site (0 = the best-scoring archetype on average).
    centres
        Archetype x criterion: mean 0..1 values.
    profiles
        Archetype x group: mean group sub-score (0-100), with ``n_sites`` and ``mean_score``.
    silhouette
        Silhouette score of each k tried.
    projection
        Eligible sites: ``pc1``, ``pc2`` (PCA of the 0..1 values), ``archetype``, ``cluster``.
    explained_variance
        Share of variance along pc1 and pc2.
    loadings
        Criterion x (pc1, pc2).
    """

    k: int
    labels: pd.Series
    clusters: pd.Series
    centres: pd.DataFrame
    profiles: pd.DataFrame
    silhouette: pd.Series
    projection: pd.DataFrame
    explained_variance: tuple[float, float]
    loadings: pd.DataFrame


def archetypes(
    a: Assessment, *, k: int | None = None, k_max: int = 8, random_state: int = 0, threshold: float = 0.5
) -> Archetypes:
    """Cluster eligible sites on their 0..1 criterion values and name the clusters.

    K-means (scikit-learn, ``n_init=10``, fixed ``random_state``) on the weighted criteria's
    0..1 values; k from 2 to ``k_max`` is chosen by the highest silhouette score (ties: the
    smaller k). Each archetype is named by the groups on which its mean sub-score is more than
    ``threshold`` standard deviations above ("strong ...") or below ("weak ...") the mean of
    eligible sites, e.g. "strong grid & land, weak water"; otherwise "balanced".

    Parameters
    ----------
    a
        The assessment.
    k
        Number of archetypes (None: choose by silhouette).
    k_max
        Largest k tried.
    random_state
        Seed of k-means.
    threshold
        Standard deviations that make a group a strength or weakness of an archetype.

    Returns
    -------
    Archetypes

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> arch = archetypes(a, k=3)
    >>> arch.k, int(arch.profiles["n_sites"].sum()) == a.n_eligible
    (3, True)
    """
    from threadpoolctl import threadpool_limits

    p = _profile(a)
    # A few hundred sites is small work: one thread avoids OpenMP start-up and spinning, which
    # made k-means 10-50x slower on a busy shared machine.
    with threadpool_limits(limits=1):
        return _archetypes(a, p, k, k_max, random_state, threshold)


def _archetypes(
    a: Assessment, p: _Profile, k: int | None, k_max: int, random_state: int, threshold: float
) -> Archetypes:
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    elig = np.flatnonzero(p.eligible)
    ids = a.sites.index[elig]
    x = p.values[elig]
    n = elig.size
    n_distinct = len(np.unique(x, axis=0)) if n else 0
    sil: dict[int, float] = {}
    if k is None:
        for kk in range(2, min(k_max, n - 1, n_distinct) + 1):
            lab = KMeans(n_clusters=kk, n_init=10, random_state=random_state).fit_predict(x)
            sil[kk] = float(silhouette_score(x, lab))
        k = max(sil, key=lambda kk: (sil[kk], -kk)) if sil else min(1, n)
    elif not 1 <= k <= max(n_distinct, 1):
        msg = f"archetypes: k={k!r} must be between 1 and the number of distinct eligible sites ({n_distinct})"
        raise GrowthzonesError(msg)
    if k >= 2:
        lab = KMeans(n_clusters=k, n_init=10, random_state=random_state).fit_predict(x)
    else:
        lab = np.zeros(n, dtype=np.int64)
    # Number archetypes by mean score, best first, so the numbering is meaningful and stable.
    score = a.scores["score"].to_numpy(dtype=float)[elig]
    means = np.array([score[lab == c].mean() for c in range(max(k, 1))]) if n else np.zeros(0)
    renum = np.empty(len(means), dtype=np.int64)
    renum[np.argsort(-means, kind="stable")] = np.arange(len(means))
    lab = renum[lab] if n else lab
    gscore = np.column_stack([a.scores[f"{g}_score"].to_numpy(dtype=float)[elig] for g in p.groups]) if n else None
    names = _archetype_names(gscore, lab, p.groups, max(k, 1), threshold) if n else []
    labels = pd.Series([names[c] for c in lab], index=ids, name="archetype", dtype=object)
    centres = pd.DataFrame([x[lab == c].mean(axis=0) for c in range(len(names))], index=names, columns=p.names)
    profiles = pd.DataFrame(
        [gscore[lab == c].mean(axis=0) for c in range(len(names))] if n else [], index=names, columns=p.groups
    )
    profiles["n_sites"] = [int((lab == c).sum()) for c in range(len(names))]
    profiles["mean_score"] = [float(score[lab == c].mean()) for c in range(len(names))]
    n_comp = min(2, x.shape[1], n) if n > 1 else 0  # PCA needs two sites
    if n_comp:
        pca = PCA(n_components=n_comp, random_state=random_state)
        proj = pca.fit_transform(x)
        ev = pca.explained_variance_ratio_
        load = pca.components_.T
    else:
        proj, ev, load = np.zeros((n, 0)), np.zeros(0), np.zeros((x.shape[1], 0))
    pad = 2 - proj.shape[1]
    proj = np.pad(proj, ((0, 0), (0, pad)))
    ev = np.pad(np.nan_to_num(ev), (0, pad))
    load = np.pad(load, ((0, 0), (0, pad)))
    projection = pd.DataFrame({"pc1": proj[:, 0], "pc2": proj[:, 1], "archetype": labels, "cluster": lab}, index=ids)
    return Archetypes(
        k=int(max(k, 1)) if n else 0,
        labels=labels,
        clusters=pd.Series(lab, index=ids, name="cluster"),
        centres=centres,
        profiles=profiles,
        silhouette=pd.Series(sil, name="silhouette", dtype=float).rename_axis("k"),
        projection=projection,
        explained_variance=(float(ev[0]), float(ev[1])),
        loadings=pd.DataFrame(load, index=p.names, columns=["pc1", "pc2"]),
    )


def _archetype_names(gscore: np.ndarray, lab: np.ndarray, groups: list[str], k: int, threshold: float) -> list[str]:
    mu, sd = gscore.mean(axis=0), gscore.std(axis=0)
    names: list[str] = []
    for c in range(k):
        z = (gscore[lab == c].mean(axis=0) - mu) / np.where(sd > 0, sd, 1.0)
        order = np.argsort(-z, kind="stable")
        strong = [groups[i] for i in order if z[i] > threshold][:2]
        weak = [groups[i] for i in order[::-1] if z[i] < -threshold][:2]
        if len(strong) == len(groups) > 1:
            name = "all-round strong"
        elif len(weak) == len(groups) > 1:
            name = "all-round weak"
        else:
            bits = []
            if strong:
                bits.append("strong " + " & ".join(strong))
            if weak:
                bits.append("weak " + " & ".join(weak))
            name = ", ".join(bits) or "balanced"
        base, i = name, 2
        while name in names:
            name, i = f"{base} ({i})", i + 1
        names.append(name)
    return names


# --------------------------------------------------------------------------------------------
# implied weights
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpliedWeights:
    """An estimate of the group weights under which chosen sites rank highest.

    Attributes
    ----------
    weights
        Estimated group weights (sum 1). An estimate, not the weights anyone used.
    current
        The assessment's group weights, for comparison.
    chosen
        The reference sites.
    concordance
        Share of (chosen, other eligible site) pairs in which the chosen site scores higher
        under the estimated weights (1 = every chosen site above every other).
    current_concordance
        The same under the current weights.
    pseudo_r2
        McFadden's pseudo-R^2 of the pairwise logistic model (0 = no better than a coin).
    ranks
        Chosen sites: ``rank_implied`` (WLC on group sub-scores with the estimated weights)
        and ``rank_current`` (the assessment's rank).
    note
        What the estimate is and is not.
    """

    weights: pd.Series
    current: pd.Series
    chosen: tuple[str, ...]
    concordance: float
    current_concordance: float
    pseudo_r2: float
    ranks: pd.DataFrame
    note: str


def implied_weights(a: Assessment, chosen: Sequence[str], *, l2: float = 1e-4) -> ImpliedWeights:
    """Estimate non-negative group weights under which the ``chosen`` sites rank highest.

    A pairwise ranking model (constrained logistic regression without intercept): for every
    chosen site c and other eligible site o, ``P(c preferred to o) = logistic(beta . (g_c -
    g_o))``, where g are the 0..1 group sub-scores and ``beta >= 0``; fitted with L-BFGS-B
    (scipy) with a small L2 penalty ``l2`` that keeps beta finite when the chosen sites can
    be separated perfectly. The estimated weights are ``beta / sum(beta)``. With WLC, ranking
    by ``beta . g`` is exactly ranking by the assessment with those group weights (and the
    current within-group weights); with other methods it is an approximation.

    Parameters
    ----------
    a
        The assessment.
    chosen
        Site ids of the reference sites (eligible).
    l2
        Ridge penalty on beta.

    Returns
    -------
    ImpliedWeights

    Raises
    ------
    SiteError
        Unknown or ineligible chosen sites, or nothing left to compare them with.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> iw = implied_weights(a, ["GZ-107", "GZ-002"])
    >>> round(float(iw.weights.sum()), 6), iw.concordance
    (1.0, 1.0)
    """
    from scipy.optimize import minimize
    from scipy.special import expit

    ids = a.sites.index
    chosen = list(dict.fromkeys(chosen))
    unknown = [c for c in chosen if c not in ids]
    if unknown:
        msg = f"implied_weights: no site(s) {unknown}{did_you_mean(str(unknown[0]), [str(i) for i in ids])}"
        raise SiteError(msg)
    elig = a.gates["eligible"]
    bad = [c for c in chosen if not elig[c]]
    if bad:
        msg = f"implied_weights: chosen site(s) {bad} are not eligible (they fail a gate); choose eligible sites"
        raise SiteError(msg)
    groups = list(a.weights.groups.index)
    e_ids = ids[elig.to_numpy(dtype=bool)]
    g = np.column_stack([a.scores[f"{k}_score"].to_numpy(dtype=float) for k in groups])[elig.to_numpy(dtype=bool)]
    g = g / 100.0
    is_c = e_ids.isin(chosen)
    if not chosen or is_c.all():
        msg = "implied_weights: give at least one chosen site and leave at least one eligible site unchosen"
        raise SiteError(msg)
    diff = (g[is_c][:, np.newaxis, :] - g[~is_c][np.newaxis, :, :]).reshape(-1, len(groups))
    n_pairs = len(diff)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        z = diff @ beta
        val = np.logaddexp(0.0, -z).mean() + l2 * beta @ beta
        grad = -(diff * expit(-z)[:, np.newaxis]).sum(axis=0) / n_pairs + 2 * l2 * beta
        return float(val), grad

    fit = minimize(loss, np.ones(len(groups)), jac=True, method="L-BFGS-B", bounds=[(0, None)] * len(groups))
    beta = np.clip(fit.x, 0.0, None)
    note = (
        "Estimate: the group weights under which the chosen sites would rank highest in a pairwise logistic "
        "ranking model on group sub-scores. It describes the choice, not the weights anyone actually used."
    )
    if beta.sum() <= 1e-9:
        w = np.full(len(groups), 1.0 / len(groups))
        note += " No non-negative weighting puts the chosen sites ahead; equal weights are shown."
    else:
        w = beta / beta.sum()
    cur = a.weights.groups.to_numpy(dtype=float)
    ll0 = math.log(2.0)
    ll = float(np.logaddexp(0.0, -(diff @ beta)).mean())
    score = g @ w
    rank_implied = ranks_rows(score[np.newaxis, :])[0]
    ranks = pd.DataFrame(
        {
            "rank_implied": rank_implied[is_c],
            "rank_current": a.scores["rank"][e_ids[is_c]].to_numpy(dtype=np.int64),
        },
        index=e_ids[is_c],
    )
    return ImpliedWeights(
        weights=pd.Series(w, index=groups, name="implied_weight"),
        current=a.weights.groups.rename("current_weight"),
        chosen=tuple(str(c) for c in chosen),
        concordance=float(((diff @ w) > 0).mean()),
        current_concordance=float(((diff @ cur) > 0).mean()),
        pseudo_r2=1.0 - ll / ll0,
        ranks=ranks.sort_values("rank_implied", kind="stable"),
        note=note,
    )


def contribution_table(a: Assessment) -> pd.DataFrame:
    """Each site's weighted value per criterion, in score points (``100 * w * v``).

    Under WLC these sum to the score; under other methods they show what each criterion
    brings, on the same scale.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> ct = contribution_table(a)
    >>> ct.shape
    (220, 12)
    >>> round(float(ct.loc["GZ-107"].sum()), 1) == round(float(a.ranking.loc["GZ-107", "score"]), 1)
    True
    """
    w = a.weights.criteria
    cols = [c for c in w.index if c in a.values.columns]
    return a.values[cols].mul(w[cols], axis=1) * 100.0


def top_strengths(a: Assessment) -> pd.Series:
    """The label of each site's largest contribution (its "top strength").

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> top_strengths(a)["GZ-107"]
    'Mean water stress index (0-1)'
    """
    contrib = contribution_table(a)
    labels = {c.name: c.display for c in a.config.criteria}
    if contrib.empty:
        return pd.Series("", index=a.sites.index, dtype=object)
    best = contrib.fillna(-np.inf).idxmax(axis=1)
    return best.map(labels).fillna("").astype(object)


def split_reasons(text: str) -> list[str]:
    """Split a site's ``gate_reasons`` into one reason per failed gate.

    Reasons are joined with ``"; "``, and each reason itself reads "X is 4 ha; gate requires
    >= 20 ha", so only a ``"; "`` not followed by "gate requires" separates two reasons.

    Examples
    --------
    >>> split_reasons("area is 4 ha; gate requires >= 20 ha; grid is 30 km; gate requires <= 25 km")
    ['area is 4 ha; gate requires >= 20 ha', 'grid is 30 km; gate requires <= 25 km']
    """
    import re

    return [r for r in re.split(r"; (?!gate requires)", str(text or "")) if r.strip()]
