"""Matplotlib figures that explain a ranking at a glance (for notebooks and reports).

Every function takes library objects (an :class:`~growthzones.assessment.Assessment`, a
comparison, robustness tables) and returns a ``matplotlib.figure.Figure``; none of them shows
or saves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from growthzones.assessment import Assessment
    from growthzones.comparison import MethodComparison

__all__ = [
    "GROUP_COLORS",
    "acceptability_heatmap",
    "contribution_waterfall",
    "method_agreement",
    "rank_intervals",
    "score_bars",
    "site_map_static",
    "sweep_lines",
]

GROUP_COLORS = {
    "grid": "#d62728",
    "land": "#8c564b",
    "connectivity": "#1f77b4",
    "water": "#17becf",
    "planning": "#2ca02c",
}
_FALLBACK = ("#9467bd", "#e377c2", "#bcbd22", "#7f7f7f", "#ff7f0e")


def _group_color(group: str, i: int) -> str:
    return GROUP_COLORS.get(group, _FALLBACK[i % len(_FALLBACK)])


def score_bars(a: Assessment, *, top: int = 20, stacked: bool = True) -> Figure:
    """Horizontal bars of the top sites' scores, stacked by each group's contribution.

    For the weighted linear combination the stacks add up exactly to the score (each group's
    weight times its sub-score); for other methods the bar is the score alone.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> fig = score_bars(a, top=5)
    >>> len(fig.axes[0].get_yticklabels())
    5
    """
    t = a.top(top)
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(t) + 1.5))
    labels = [f"{int(r)}. {n}" for r, n in zip(t["rank"], t["name"], strict=True)]
    y = np.arange(len(t))[::-1]
    if stacked and a.config.method.name == "wlc":
        left = np.zeros(len(t))
        for i, (g, w) in enumerate(a.weights.groups.items()):
            part = t[f"{g}_score"].to_numpy() * w
            ax.barh(y, part, left=left, color=_group_color(g, i), label=f"{g} ({w:.0%})")
            left += part
        ax.legend(loc="lower right", fontsize=8, title="group (weight)")
    else:
        ax.barh(y, t["score"], color="#2a788e", label="score")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("Score (0-100)")
    ax.set_xlim(0, 100)
    ax.set_title(f"Top {len(t)} of {a.n_eligible} eligible sites ({a.config.method.name})")
    fig.tight_layout()
    return fig


def contribution_waterfall(contributions: pd.Series, *, title: str = "", total_label: str = "score") -> Figure:
    """A waterfall of criterion (or group) contributions building up to a site's score.

    Parameters
    ----------
    contributions
        Points of score per criterion or group (they sum to the score for additive methods).
    title
        Figure title.
    total_label
        Label of the final bar.

    Examples
    --------
    >>> fig = contribution_waterfall(pd.Series({"grid": 30.0, "land": 12.5, "water": 8.0}))
    >>> len(fig.axes[0].patches)  # one bar per contribution and the total
    4
    """
    c = contributions.astype(float)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    starts = np.concatenate([[0.0], np.cumsum(c.to_numpy())[:-1]])
    colors = ["#2a9d8f" if v >= 0 else "#e76f51" for v in c]
    x = np.arange(len(c))
    ax.bar(x, c.to_numpy(), bottom=starts, color=colors)
    ax.bar(len(c), c.sum(), color="#264653")
    ax.set_xticks([*x, len(c)], [*map(str, c.index), total_label], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("Points of score")
    ax.set_title(title or "Contributions to the score")
    fig.tight_layout()
    return fig


def rank_intervals(summary: pd.DataFrame, *, top: int = 30, names: pd.Series | None = None) -> Figure:
    """Median rank with its 90% interval for the best sites (from a robustness summary).

    Parameters
    ----------
    summary
        Indexed by site id, with ``median_rank``, ``rank_lo`` and ``rank_hi`` columns.
    top
        How many sites (by median rank) to show.
    names
        Display names by site id.

    Examples
    --------
    >>> s = pd.DataFrame({"median_rank": [1, 3, 2], "rank_lo": [1, 1, 1], "rank_hi": [2, 5, 4]}, index=["a", "b", "c"])
    >>> fig = rank_intervals(s, names=pd.Series({"a": "Alpha", "b": "Beta", "c": "Gamma"}))
    >>> sorted(t.get_text() for t in fig.axes[0].get_yticklabels())
    ['Alpha', 'Beta', 'Gamma']
    """
    s = summary.sort_values(["median_rank", "rank_lo"]).head(top)
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(s) + 1.5))
    y = np.arange(len(s))[::-1]
    ax.hlines(y, s["rank_lo"], s["rank_hi"], color="#888888", lw=3)
    ax.plot(s["median_rank"], y, "o", color="#d62728", label="median rank")
    labels = [str(names.get(i, i)) if names is not None else str(i) for i in s.index]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("Rank (90% interval under weight uncertainty)")
    ax.invert_xaxis()
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("How sure is each rank?")
    fig.tight_layout()
    return fig


def acceptability_heatmap(acceptability: pd.DataFrame, *, top: int = 20, max_rank: int = 20) -> Figure:
    """Heatmap of P(rank = r) for the best sites (rows) and ranks 1..``max_rank`` (columns).

    Examples
    --------
    >>> acc = pd.DataFrame([[0.7, 0.3], [0.3, 0.7]], index=["a", "b"], columns=[1, 2])
    >>> acceptability_heatmap(acc).axes[0].get_title()
    'Rank acceptability: P(rank = r)'
    """
    acc = acceptability.iloc[:, :max_rank]
    expected = (acceptability.to_numpy() * np.arange(1, acceptability.shape[1] + 1)).sum(axis=1)
    order = np.argsort(expected, kind="stable")[:top]
    data = acc.iloc[order]
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(data) + 1.5))
    im = ax.imshow(data.to_numpy(), aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_yticks(np.arange(len(data)), [str(i) for i in data.index], fontsize=8)
    ax.set_xticks(np.arange(acc.shape[1]), [str(r + 1) for r in range(acc.shape[1])], fontsize=7)
    ax.set_xlabel("Rank")
    ax.set_title("Rank acceptability: P(rank = r)")
    fig.colorbar(im, ax=ax, label="probability")
    fig.tight_layout()
    return fig


def sweep_lines(sweep: pd.DataFrame, *, x: str = "weight", rank: str = "rank", site: str = "site_id") -> Figure:
    """Ranks of sites as one weight sweeps from 0 to 1 (a tidy sweep table).

    Parameters
    ----------
    sweep
        Tidy rows with the swept weight, a site id and its rank.
    x, rank, site
        Column names.

    Examples
    --------
    >>> df = pd.DataFrame({"weight": [0, 1, 0, 1], "site_id": ["a", "a", "b", "b"], "rank": [1, 2, 2, 1]})
    >>> len(sweep_lines(df).axes[0].get_lines())  # one line per site
    2
    """
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for sid, g in sweep.groupby(site, sort=True):
        g = g.sort_values(x)
        ax.plot(g[x], g[rank], lw=1.2, label=str(sid))
    ax.invert_yaxis()
    ax.set_xlabel(f"{x} (others rescaled proportionally)")
    ax.set_ylabel("Rank")
    ax.set_title("Rank as one weight changes")
    if sweep[site].nunique() <= 15:
        ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig


def method_agreement(cmp: MethodComparison, *, measure: str = "kendall") -> Figure:
    """Matrix of rank correlation between methods (Kendall's tau or Spearman's rho).

    Examples
    --------
    >>> from growthzones.comparison import MethodComparison
    >>> tau = pd.DataFrame([[1.0, 0.6], [0.6, 1.0]], index=["wlc", "topsis"], columns=["wlc", "topsis"])
    >>> fig = method_agreement(MethodComparison(ranks=pd.DataFrame(), kendall=tau, spearman=tau, scores=pd.DataFrame()))
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['1.00', '0.60', '0.60', '1.00']
    """
    m = cmp.kendall if measure == "kendall" else cmp.spearman
    fig, ax = plt.subplots(figsize=(1.1 * len(m) + 2.5, 1.0 * len(m) + 1.5))
    im = ax.imshow(m.to_numpy(dtype=float), cmap="RdYlGn", vmin=-1, vmax=1)
    ax.set_xticks(np.arange(len(m)), m.columns, rotation=45, ha="right")
    ax.set_yticks(np.arange(len(m)), m.index)
    for i in range(len(m)):
        for j in range(len(m)):
            ax.text(j, i, f"{m.iat[i, j]:.2f}", ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=ax, label="Kendall's tau" if measure == "kendall" else "Spearman's rho")
    ax.set_title("Agreement between methods")
    fig.tight_layout()
    return fig


def site_map_static(a: Assessment, *, outline: Any = None, top: int | None = None) -> Figure:
    """A static map of sites coloured by score over the GB outline (for reports).

    Parameters
    ----------
    a
        The assessment.
    outline
        A GeoDataFrame to draw underneath (e.g. the GB outline); by default the assessment's
        layer keyed ``gb_outline`` or ``outline`` if it was read.
    top
        Label the top ``top`` sites with their rank.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> fig = site_map_static(a, top=10)
    >>> type(fig).__name__
    'Figure'
    """
    fig, ax = plt.subplots(figsize=(6, 8))
    if outline is None and a.layers is not None:
        outline = a.layers.vectors.get("gb_outline", a.layers.vectors.get("outline"))
    if outline is not None:
        outline.to_crs(a.sites.crs).plot(ax=ax, color="#f2f2f2", edgecolor="#999999", lw=0.5)
    t = a.table
    pts = t.geometry.representative_point()
    elig = t["eligible"].to_numpy(dtype=bool)
    ax.scatter(pts.x[~elig], pts.y[~elig], s=10, c="#bbbbbb", marker="x", label="ineligible")
    sc = ax.scatter(pts.x[elig], pts.y[elig], s=18, c=t.loc[elig, "score"], cmap="viridis", label="eligible")
    fig.colorbar(sc, ax=ax, label="Score (0-100)", shrink=0.6)
    if top:
        best = t.loc[elig].nsmallest(top, "rank")
        for sid, r in best.iterrows():
            p = pts[sid]
            ax.annotate(str(int(r["rank"])), (p.x, p.y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_aspect("equal")
    ax.set_axis_off()
    title = a.config.project.name
    if a.config.project.demo:
        title += "\n(illustrative demo data)"
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
