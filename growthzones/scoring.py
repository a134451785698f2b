"""Scoring: value functions per criterion, hierarchical weights, aggregation into 0-100.

Each criterion's raw value is mapped to 0..1 by its value function (direction included), so
every aggregation method then sees a 0..1 benefit matrix. Weights are hierarchical: the
group weight times the criterion's weight within its group, both normalised to sum to one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from growthzones import mcda
from growthzones.config import Config
from growthzones.errors import MissingDataError

__all__ = [
    "Weights",
    "apply_missing",
    "criterion_values",
    "effective_weights",
    "group_scores",
    "score_sites",
    "unknown_bounds",
    "unknown_cells",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Weights:
    """Effective weights of an assessment.

    Attributes
    ----------
    groups
        Group weights normalised over the groups that have a weighted criterion.
    within
        Each weighted criterion's weight within its group (sums to one per group).
    criteria
        Global criterion weights (group x within), summing to one.
    group_of
        The group of each weighted criterion.
    notes
        What was normalised, in words.
    """

    groups: pd.Series
    within: pd.Series
    criteria: pd.Series
    group_of: pd.Series
    notes: tuple[str, ...] = ()


def effective_weights(config: Config) -> Weights:
    """Normalise the config's group and criterion weights.

    Examples
    --------
    >>> from growthzones.datasets import demo_config_path
    >>> from growthzones.config import load_config
    >>> w = effective_weights(load_config(demo_config_path()))
    >>> round(float(w.criteria.sum()), 12)
    1.0
    """
    notes: list[str] = []
    weighted = [c for c in config.criteria if c.weight > 0]
    groups = [g for g in config.groups if any(c.group == g for c in weighted)]
    gw = pd.Series({g: float(config.weights.get(g, 1.0)) for g in groups}, dtype=float)
    if not np.isclose(gw.sum(), 1.0):
        notes.append(f"group weights summed to {gw.sum():g}; normalised to sum to 1")
    gw = gw / gw.sum()
    within = {}
    for g in groups:
        cw = pd.Series({c.name: c.weight for c in weighted if c.group == g}, dtype=float)
        if len(cw) > 1 and not np.isclose(cw.sum(), 1.0):
            notes.append(f"criterion weights in group {g!r} summed to {cw.sum():g}; normalised to sum to 1")
        within.update((cw / cw.sum()).to_dict())
    within_s = pd.Series(within, dtype=float)
    crit = pd.Series({c.name: gw[c.group] * within_s[c.name] for c in weighted}, dtype=float)
    group_of = pd.Series({c.name: c.group for c in weighted}, dtype=object)
    return Weights(groups=gw, within=within_s, criteria=crit, group_of=group_of, notes=tuple(notes))


def criterion_values(config: Config, criteria: pd.DataFrame) -> pd.DataFrame:
    """Map raw criteria to 0..1 with each criterion's value function (NaN stays NaN).

    Criteria without a value function (weight 0, reported only) are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... [sites]
    ... path = "bids.gpkg"
    ... id = "bid_id"
    ... name = "name"
    ...
    ... [[criteria]]
    ... name = "site_area"
    ... group = "land"
    ... measure = "area"
    ... value = { function = "linear", low = 0, high = 100 }
    ... ''')
    >>> criterion_values(cfg, pd.DataFrame({"site_area": [50.0, 150.0, None]}, index=["a", "b", "c"]))
       site_area
    a        0.5
    b        1.0
    c        NaN
    """
    cols = {}
    for c in config.criteria:
        if c.value is None:
            continue
        params = {"direction": c.direction, **dict(c.value.params)}
        fn = mcda.value_function(c.value.function, **params)
        cols[c.name] = np.asarray(fn(criteria[c.name].to_numpy(dtype=float)), dtype=float)
    return pd.DataFrame(cols, index=criteria.index)


def apply_missing(
    config: Config, criteria: pd.DataFrame, values: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Apply each criterion's ``missing`` policy to sites without a value.

    A site has no value where nothing was in range, or where its nation is not covered by the
    criterion's data (:func:`growthzones.coverage.mask_uncovered` blanks those first).

    - ``"fail"`` (the default): stop with an error naming the sites;
    - ``"worst"``: value 0;
    - ``"exclude"``: the site is ineligible;
    - ``"unknown"``: the median value of the sites with a value (neither rewarded nor punished
      against a typical site); robustness runs sample it over the observed range
      (:func:`unknown_bounds`), widening the site's rank interval instead;
    - ``"proxy"``: the value of the criterion named by ``proxy`` (worst where that too is missing).

    Returns
    -------
    (values, excluded, notes)
        Values with the gaps filled; a boolean table of sites excluded by ``missing = "exclude"``;
        notes saying what was done.

    Raises
    ------
    MissingDataError
        For a criterion with ``missing = "fail"`` (the default) and sites without a value.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> import numpy as np
    >>> table = a.criteria.copy()
    >>> table.loc["GZ-001", "grid_distance"] = np.nan
    >>> values, excluded, notes = apply_missing(a.config, table, criterion_values(a.config, table))
    >>> float(values.loc["GZ-001", "grid_distance"])
    0.0
    >>> notes[0]
    "criterion 'grid_distance': 1 site(s) without a value given the worst value 0 (GZ-001)"
    """
    values = values.copy()
    excluded = pd.DataFrame(index=criteria.index)
    notes: list[str] = []
    gated = {g.criterion for g in config.gates if g.enabled}
    proxied = []
    for c in config.criteria:
        if c.weight <= 0 and c.name not in gated:
            continue
        gap = criteria[c.name].isna().to_numpy()
        if not gap.any():
            continue
        ids = criteria.index[gap].tolist()
        shown = ", ".join(map(str, ids[:8])) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
        if c.missing == "fail":
            where = f" of layer {c.layer!r}" if c.layer else ""
            msg = (
                f"criterion {c.name!r}: no value for {len(ids)} site(s) ({shown}), e.g. outside the extent{where} "
                f'or nothing within range; fix the layer, or set missing = "worst" (score them 0) or '
                f'missing = "exclude" (make them ineligible) for this criterion, or missing = "unknown" '
                f"(sample it in robustness runs)"
            )
            raise MissingDataError(msg)
        if c.missing == "worst" and c.name in values.columns:
            values.loc[gap, c.name] = 0.0
            notes.append(f"criterion {c.name!r}: {len(ids)} site(s) without a value given the worst value 0 ({shown})")
        elif c.missing == "exclude":
            excluded[c.name] = gap
            notes.append(f"criterion {c.name!r}: {len(ids)} site(s) without a value made ineligible ({shown})")
        elif c.missing == "unknown" and c.name in values.columns:
            known = values.loc[~gap, c.name].to_numpy(dtype=float)
            fill = float(np.median(known)) if known.size else 0.5
            values.loc[gap, c.name] = fill
            notes.append(
                f"criterion {c.name!r}: {len(ids)} site(s) without a value treated as unknown: the median value "
                f"{fill:.3f} of the sites with one, sampled over their range in robustness runs ({shown})"
            )
        elif c.missing == "proxy" and c.name in values.columns:
            proxied.append((c, gap, len(ids), shown))
    # Proxies last, so that a proxy's own gaps are filled by its own policy first.
    for c, gap, n, shown in proxied:
        stand_in = values[c.proxy].to_numpy(dtype=float)[gap] if c.proxy in values.columns else np.full(n, np.nan)
        values.loc[gap, c.name] = np.nan_to_num(stand_in, nan=0.0)
        notes.append(f"criterion {c.name!r}: {n} site(s) without a value scored by the proxy {c.proxy!r} ({shown})")
    return values, excluded.fillna(False).astype(bool), notes


def unknown_cells(config: Config, criteria: pd.DataFrame) -> pd.DataFrame:
    """True where a weighted criterion with ``missing = "unknown"`` has no raw value.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> bool(unknown_cells(a.config, a.criteria).to_numpy().any())
    False
    """
    names = [c.name for c in config.criteria if c.missing == "unknown" and c.weight > 0]
    return criteria[names].isna() if names else pd.DataFrame(index=criteria.index)


def unknown_bounds(
    config: Config,
    criteria: pd.DataFrame,
    bounds: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Add, for every unknown value, its plausible range in raw units to input-uncertainty bounds.

    The plausible range of an unknown value is the range observed over the sites with a value.
    Sites with a value keep their bounds in ``bounds`` (their own value when none).

    Parameters
    ----------
    config, criteria
        The assessment's config and raw criteria (uncovered nations already blanked).
    bounds
        Criterion -> (low, high) raw arrays, one per site, from declared input uncertainty.

    Returns
    -------
    dict
        ``bounds`` with the unknown criteria added or widened.

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... [sites]
    ... path = "s.gpkg"
    ... id = "id"
    ... name = "name"
    ... [[criteria]]
    ... name = "water"
    ... group = "water"
    ... measure = "attribute"
    ... attribute = "stress"
    ... missing = "unknown"
    ... value = { function = "linear", low = 0, high = 1 }
    ... ''')
    >>> lo, hi = unknown_bounds(cfg, pd.DataFrame({"water": [0.2, 0.9, None]}))["water"]
    >>> lo.tolist(), hi.tolist()
    ([0.2, 0.9, 0.2], [0.2, 0.9, 0.9])
    """
    out = dict(bounds or {})
    for name in unknown_cells(config, criteria).columns:
        x = criteria[name].to_numpy(dtype=float)
        gap = np.isnan(x)
        if not gap.any() or gap.all():
            continue
        lo, hi = out.get(name, (x, x))
        lo = np.where(gap, np.nanmin(x), lo)
        hi = np.where(gap, np.nanmax(x), hi)
        out[name] = (lo, hi)
    return out


def group_scores(values: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    """Group sub-scores 0-100: the weighted mean of each group's 0..1 values.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> gs = group_scores(a.values, a.weights)
    >>> gs.columns.tolist()
    ['grid_score', 'land_score', 'connectivity_score', 'water_score', 'planning_score']
    >>> gs.loc["GZ-107"].round(1).tolist()
    [78.1, 65.0, 97.5, 96.6, 100.0]
    """
    out = {}
    for g in weights.groups.index:
        names = weights.group_of.index[weights.group_of == g].tolist()
        w = weights.within[names].to_numpy()
        out[f"{g}_score"] = 100.0 * (values[names].to_numpy() @ w)
    return pd.DataFrame(out, index=values.index)


def score_sites(
    values: pd.DataFrame,
    eligible: np.ndarray,
    weights: Weights,
    *,
    method: str = "wlc",
    params: dict | None = None,
) -> pd.Series:
    """Aggregate the 0..1 values of eligible sites into a 0-100 score (NaN for ineligible sites).

    Relative methods (TOPSIS, VIKOR, PROMETHEE II) compare the eligible sites with each
    other only: gates apply before any method.

    Examples
    --------
    >>> import pandas as pd
    >>> from growthzones.config import parse_config
    >>> cfg = parse_config('''
    ... [sites]
    ... path = "bids.gpkg"
    ... id = "bid_id"
    ... name = "name"
    ...
    ... [[criteria]]
    ... name = "site_area"
    ... group = "land"
    ... measure = "area"
    ... value = { function = "linear", low = 0, high = 100 }
    ... ''')
    >>> values = pd.DataFrame({"site_area": [0.5, 1.0]}, index=["a", "b"])
    >>> score_sites(values, np.array([True, False]), effective_weights(cfg)).tolist()
    [50.0, nan]
    """
    names = list(weights.criteria.index)
    score = np.full(len(values), np.nan)
    idx = np.flatnonzero(eligible)
    if idx.size:
        matrix = values[names].to_numpy(dtype=float)[idx]
        w = weights.criteria.to_numpy(dtype=float)
        s = mcda.aggregate(method, matrix, w, np.ones(len(names)), **(params or {}))
        score[idx] = 100.0 * np.asarray(s, dtype=float)
    return pd.Series(score, index=values.index, name="score")
