"""How robust is a ranking? Weight and input uncertainty, one-at-a-time sweeps, stability.

Three questions a planner asks of a shortlist, each answered from the criteria table alone:

- **Rank acceptability** (SMAA, Lahdelma & Salminen, 2001): if the weights are only roughly
  known (and some criteria are uncertain), how often does each site land at each rank?
  :func:`robustness` samples weight vectors from Dirichlet distributions (uniform on the
  simplex, or concentrated around the configured weights), at both levels of the weight
  hierarchy, optionally jointly with uncertain criterion values (gates are re-evaluated per
  sample), and tallies the ranks.
- **Sweeps**: :func:`sweep` moves one group or criterion weight from 0 to 1, the others
  rescaled proportionally, and returns the ranks of the leading sites along the way.
- **Stability**: :func:`stability` finds, for every eligible site, the smallest change of a
  single weight that moves it into or out of the top k.

Everything is seeded (``numpy.random.default_rng`` streams spawned from one
``SeedSequence``), so the same seed reproduces the same tables exactly.

Ranks everywhere follow :mod:`growthzones.ranking`: 1 is best, over eligible sites only,
ties broken by site id.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from growthzones import mcda
from growthzones.config import COMPARISONS, Config, did_you_mean
from growthzones.errors import ConfigError, CriterionError, GrowthzonesError
from growthzones.ranking import order_rows, ranks_rows
from growthzones.scoring import apply_missing, unknown_bounds

if TYPE_CHECKING:
    from growthzones.assessment import Assessment
    from growthzones.scoring import Weights

__all__ = [
    "LEVELS",
    "Robustness",
    "WeightTarget",
    "declared_uncertainty",
    "export_columns",
    "rank_acceptability",
    "robustness",
    "sample_dirichlet",
    "sample_scores",
    "sample_weights",
    "stability",
    "sweep",
    "weight_targets",
]

log = logging.getLogger(__name__)

#: Which levels of the weight hierarchy are sampled: both (default), the group weights only
#: (criterion weights within groups fixed), the within-group weights only, or the global
#: criterion weights directly ignoring the groups.
LEVELS = ("both", "groups", "within", "flat")

#: Elements per working array; bounds memory whatever the number of samples.
_CHUNK_ELEMENTS = 1 << 22


Progress = Callable[[int, int, str], None]


# --------------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Robustness:
    """Rank acceptability of every site under sampled weights (and inputs).

    Attributes
    ----------
    summary
        One row per site (site-id order): ``name``, ``rank`` (at the configured weights),
        ``p_eligible``, ``p_top_<k>`` for each k, ``median_rank``, ``rank_lo`` and ``rank_hi``
        (the central ``interval`` of the rank distribution) and ``p_first``. Ineligible
        samples count as worse than any rank; a quantile that falls among them is missing.
    rank_acceptability
        Sites eligible in at least one sample x ranks 1..n: the share of samples in which the
        site has that rank. Each row sums to the site's ``p_eligible`` (1 without input
        uncertainty).
    central_weights
        For each site that ranks first in some sample, the mean global criterion weight
        vector of those samples (SMAA's central weight vector) and ``p_first``.
    weight_samples
        The sampled global criterion weights (samples x criteria), each row summing to 1.
    samples, seed, method, concentration, levels, ks, interval, input_uncertainty
        How the tables were made (``seed`` is the entropy actually used).
    """

    summary: pd.DataFrame
    rank_acceptability: pd.DataFrame
    central_weights: pd.DataFrame
    weight_samples: pd.DataFrame = field(repr=False)
    samples: int
    seed: int
    method: str
    concentration: float | None
    levels: str
    ks: tuple[int, ...]
    interval: float
    input_uncertainty: Mapping[str, Any] = field(default_factory=dict)
    group_of: Mapping[str, str] = field(default_factory=dict, repr=False)

    def p_top(self, k: int) -> pd.Series:
        """P(rank <= k) for every site, for any k (not only those in :attr:`ks`).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> r = a.robustness(samples=200, seed=1)
        >>> p5 = r.p_top(5)
        >>> round(float(p5.sum()), 6), float(p5.max()) <= 1.0
        (5.0, True)
        """
        # Back to whole counts first, so the cumulative sums are exact and match ``summary``.
        counts = np.rint(self.rank_acceptability.to_numpy() * self.samples).cumsum(axis=1)
        n_rank = counts.shape[1]
        out = pd.Series(0.0, index=self.summary.index, name=f"p_top_{k}")
        if n_rank and len(counts):
            out[self.rank_acceptability.index] = counts[:, min(max(k, 1), n_rank) - 1] / self.samples
        return out

    @property
    def central_group_weights(self) -> pd.DataFrame:
        """:attr:`central_weights` summed to group level."""
        cw = self.central_weights.drop(columns="p_first")
        groups = pd.Series(self.group_of).reindex(cw.columns)
        return cw.T.groupby(groups.to_numpy(), sort=False).sum().T.assign(p_first=self.central_weights["p_first"])

    def acceptability_long(self) -> pd.DataFrame:
        """Rank acceptability as a tidy table: ``site_id``, ``rank``, ``p_rank``, ``p_top`` (non-zero rows).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> r = a.robustness(samples=200, seed=1)
        >>> long = r.acceptability_long()
        >>> long.columns.tolist()
        ['site_id', 'rank', 'p_rank', 'p_top']
        >>> round(float(long.loc[long["rank"] == 1, "p_rank"].sum()), 6)
        1.0
        """
        acc = self.rank_acceptability
        p = acc.to_numpy()
        cum = p.cumsum(axis=1)
        i, r = np.nonzero(p)
        return pd.DataFrame(
            {
                "site_id": acc.index.to_numpy()[i].astype(str),
                "rank": (r + 1).astype(np.int64),
                "p_rank": p[i, r],
                "p_top": cum[i, r],
            }
        )

    def metadata(self) -> dict[str, str]:
        """How the tables were made, as text (for the GeoPackage ``run`` table).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> r = a.robustness(samples=200, seed=1)
        >>> meta = r.metadata()
        >>> meta["robustness_samples"], meta["robustness_seed"], meta["robustness_method"]
        ('200', '1', 'wlc')
        """
        import json

        unc = {k: list(v) if isinstance(v, tuple) else v for k, v in self.input_uncertainty.items()}
        return {
            "robustness_samples": str(self.samples),
            "robustness_seed": str(self.seed),
            "robustness_method": self.method,
            "robustness_concentration": "" if self.concentration is None else f"{self.concentration:g}",
            "robustness_levels": self.levels,
            "robustness_interval": f"{self.interval:g}",
            "robustness_input_uncertainty": json.dumps(unc, sort_keys=True),
        }


# --------------------------------------------------------------------------------------------
# weight sampling
# --------------------------------------------------------------------------------------------


def sample_dirichlet(
    mean: np.ndarray | Sequence[float], n: int, rng: np.random.Generator, *, concentration: float | None = None
) -> np.ndarray:
    """Sample ``n`` weight vectors on the simplex.

    Without a ``concentration`` the vectors are uniform on the simplex (Dirichlet with all
    parameters 1): every weighting is equally likely, whatever ``mean`` is. With one they
    follow Dirichlet(``concentration * mean``): the expected vector is ``mean`` and each
    weight has variance ``mean_j (1 - mean_j) / (concentration + 1)``, so larger values hold
    the samples closer to the user's weights (``concentration`` equal to the number of
    weights with equal means is the uniform case). Components with a zero mean stay 0.

    Normalising independent uniform draws instead (a common mistake) is not uniform on the
    simplex: it over-samples balanced weightings.

    Parameters
    ----------
    mean
        Non-negative weights summing to 1 (length k).
    n
        Number of samples.
    rng
        Random generator (seeded by the caller).
    concentration
        Dirichlet precision (sum of the parameters), > 0; None for uniform.

    Returns
    -------
    numpy.ndarray
        Shape (n, k); each row sums to 1.

    Examples
    --------
    >>> w = sample_dirichlet([0.5, 0.3, 0.2], 20_000, np.random.default_rng(0), concentration=50)
    >>> w.mean(axis=0).round(2).tolist()
    [0.5, 0.3, 0.2]
    """
    mu = np.asarray(mean, dtype=np.float64)
    k = mu.size
    if k == 1:
        return np.ones((n, 1))
    if concentration is None:
        return rng.dirichlet(np.ones(k), size=n)
    pos = mu > 0
    out = np.zeros((n, k))
    if pos.sum() == 1:
        out[:, pos] = 1.0
        return out
    out[:, pos] = rng.dirichlet(concentration * mu[pos] / mu[pos].sum(), size=n)
    return out


def _sample_global(
    group_w: np.ndarray,
    within_w: np.ndarray,
    group_idx: np.ndarray,
    n: int,
    rng: np.random.Generator,
    *,
    concentration: float | None,
    levels: str,
) -> np.ndarray:
    """(n, m) global criterion weights: group weight x within-group weight, sampled per level.

    Each level's expectation is the configured weight, and the levels are independent, so the
    expected global weight is the configured one too.
    """
    if levels == "flat":
        return sample_dirichlet(group_w[group_idx] * within_w, n, rng, concentration=concentration)
    n_groups = group_w.size
    if levels in ("both", "groups"):
        g = sample_dirichlet(group_w, n, rng, concentration=concentration)
    else:
        g = np.broadcast_to(group_w, (n, n_groups))
    within = np.broadcast_to(within_w, (n, within_w.size)).copy()
    if levels in ("both", "within"):
        for k in range(n_groups):
            cols = np.flatnonzero(group_idx == k)
            if cols.size > 1:
                within[:, cols] = sample_dirichlet(within_w[cols], n, rng, concentration=concentration)
    w = g[:, group_idx] * within
    # Renormalise away the rounding of the product so every row sums to 1 to the last bit.
    return w / w.sum(axis=1, keepdims=True)


def sample_weights(
    weights: Weights,
    samples: int,
    *,
    seed: int | np.random.Generator | None = None,
    concentration: float | None = None,
    levels: str = "both",
) -> pd.DataFrame:
    """Sample global criterion weight vectors from an assessment's weight hierarchy.

    Group weights and the criterion weights within each group are drawn independently, each
    with :func:`sample_dirichlet` (uniform, or concentrated around the configured weights),
    and multiplied. See :data:`LEVELS` for ``levels``.

    Parameters
    ----------
    weights
        The assessment's :class:`~growthzones.scoring.Weights`.
    samples
        Number of vectors.
    seed
        Seed or generator.
    concentration
        Dirichlet precision at each level (None: uniform).
    levels
        ``"both"`` (default), ``"groups"``, ``"within"`` or ``"flat"``.

    Returns
    -------
    DataFrame
        samples x weighted criteria; each row sums to 1.

    Examples
    --------
    >>> from growthzones.config import load_config
    >>> from growthzones.datasets import demo_config_path
    >>> from growthzones.scoring import effective_weights
    >>> w = effective_weights(load_config(demo_config_path()))
    >>> s = sample_weights(w, 1000, seed=0, concentration=100)
    >>> s.shape == (1000, len(w.criteria)), bool(np.allclose(s.sum(axis=1), 1.0))
    (True, True)
    """
    _check_levels(levels)
    concentration = _check_concentration(concentration)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    gw, ww, gidx = _hierarchy(weights)
    w = _sample_global(gw, ww, gidx, int(samples), rng, concentration=concentration, levels=levels)
    return pd.DataFrame(w, columns=list(weights.criteria.index))


def _hierarchy(weights: Weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    names = list(weights.criteria.index)
    groups = list(weights.groups.index)
    gidx = np.array([groups.index(weights.group_of[c]) for c in names], dtype=np.int64)
    return weights.groups.to_numpy(dtype=float), weights.within[names].to_numpy(dtype=float), gidx


def _check_levels(levels: str) -> None:
    if levels not in LEVELS:
        msg = f"levels={levels!r} is not valid; use one of: {', '.join(LEVELS)}"
        raise ConfigError(msg)


def _check_concentration(concentration: float | None) -> float | None:
    if concentration is None:
        return None
    try:
        c = float(concentration)
    except (TypeError, ValueError):
        c = math.nan
    if not (math.isfinite(c) and c > 0):
        msg = (
            f"concentration={concentration!r} must be a positive number (Dirichlet precision: larger keeps "
            "samples closer to the configured weights), or None for uniform sampling"
        )
        raise ConfigError(msg)
    return c


# --------------------------------------------------------------------------------------------
# ranks and tallies
# --------------------------------------------------------------------------------------------


class _Tally:
    """Rank counts (site x rank), first-place weight sums and eligibility counts."""

    def __init__(self, n: int, m: int) -> None:
        self.n = n
        self.counts = np.zeros(n * n, dtype=np.int64)
        self.first_w = np.zeros((n, m))
        self.n_first = np.zeros(n, dtype=np.int64)
        self.n_eligible = np.zeros(n, dtype=np.int64)
        self.samples = 0

    def add(self, order: np.ndarray, w: np.ndarray, valid: np.ndarray | None) -> None:
        c, n = order.shape
        self.samples += c
        pos = np.arange(n)
        # Rank acceptability in one bincount: the site at position p of a row has rank p + 1.
        flat = order * n + pos
        if valid is None:
            self.counts += np.bincount(flat.ravel(), minlength=n * n)
            winners, ww = order[:, 0], w
            self.n_eligible += c
        else:
            n_valid = valid.sum(axis=1)
            self.counts += np.bincount(flat[pos < n_valid[:, np.newaxis]], minlength=n * n)
            has = n_valid > 0
            winners, ww = order[has, 0], w[has]
            self.n_eligible += valid.sum(axis=0)
        self.n_first += np.bincount(winners, minlength=n)
        for j in range(ww.shape[1]):
            self.first_w[:, j] += np.bincount(winners, weights=ww[:, j], minlength=n)

    def probabilities(self) -> np.ndarray:
        return self.counts.reshape(self.n, self.n) / max(self.samples, 1)


def rank_acceptability(
    values: np.ndarray,
    weight_samples: np.ndarray,
    *,
    method: str = "wlc",
    params: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """Rank acceptability of n alternatives over given weight vectors (the array core).

    Parameters
    ----------
    values
        n x m 0..1 values, rows in tie-break order (ties go to the earlier row).
    weight_samples
        s x m weight vectors (each normalised to sum 1).
    method, params
        Aggregation method and its parameters (:func:`growthzones.mcda.aggregate`).

    Returns
    -------
    numpy.ndarray
        n x n: entry (i, r) is the share of weight vectors under which row i has rank r + 1.
        Rows and columns sum to 1.

    Examples
    --------
    With two criteria and w = (t, 1 - t), A = (1, 0) scores t, B = (0, 1) scores 1 - t and
    C = (0.6, 0.6) scores 0.6: C wins for 0.4 < t < 0.6, one fifth of the segment.

    >>> t = (np.arange(1000) + 0.5) / 1000
    >>> p = rank_acceptability(np.array([[1, 0], [0, 1], [0.6, 0.6]]), np.column_stack([t, 1 - t]))
    >>> p[:, 0].round(6).tolist()
    [0.4, 0.4, 0.2]
    """
    x = np.asarray(values, dtype=np.float64)
    w = np.atleast_2d(np.asarray(weight_samples, dtype=np.float64))
    n, m = x.shape
    tally = _Tally(n, m)
    if n == 0:
        return np.zeros((0, 0))
    chunk = max(1, _CHUNK_ELEMENTS // max(n, 1))
    for start in range(0, len(w), chunk):
        ws = w[start : start + chunk]
        scores = np.asarray(mcda.aggregate(method, x, ws, np.ones(m), **dict(params or {})), dtype=np.float64)
        tally.add(order_rows(scores.reshape(len(ws), n)), ws, None)
    return tally.probabilities()


# --------------------------------------------------------------------------------------------
# input uncertainty
# --------------------------------------------------------------------------------------------


@dataclass
class _Uncertain:
    name: str
    lo: np.ndarray  # per candidate site, raw units
    hi: np.ndarray
    rng: np.random.Generator
    value_fn: Callable[[np.ndarray], np.ndarray] | None
    col: int | None  # column in the weighted values matrix
    fill: np.ndarray | None  # base values where the raw value is missing (missing policy)


@dataclass
class _InputModel:
    """Draws per-sample value matrices and eligibility for the candidate sites."""

    base: np.ndarray  # (n_c, m) values
    raw: dict[str, np.ndarray]
    uncertain: list[_Uncertain]
    gates: list[tuple[str, Callable, float]]  # (criterion, op, threshold) on uncertain criteria

    def draw(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        n_c, m = self.base.shape
        v = np.broadcast_to(self.base, (c, n_c, m)).copy()
        valid = np.ones((c, n_c), dtype=bool)
        raws: dict[str, np.ndarray] = {}
        for u in self.uncertain:
            # One stream per criterion, drawn in sample order: results do not depend on the chunk size.
            r = u.lo + (u.hi - u.lo) * u.rng.random((c, n_c))
            raws[u.name] = r
            if u.col is not None and u.value_fn is not None:
                val = np.asarray(u.value_fn(r), dtype=np.float64)
                if u.fill is not None:
                    val = np.where(np.isnan(r), u.fill, val)
                v[:, :, u.col] = val
        for name, op, thr in self.gates:
            r = raws[name]
            with np.errstate(invalid="ignore"):
                valid &= op(r, thr) & ~np.isnan(r)
        return v, valid


def _parse_uncertainty(a: Assessment, spec: Mapping[str, Any] | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per uncertain criterion, the (low, high) raw values of every site.

    ``{"grid_headroom": 0.3}`` is +/- 30% of each site's value; ``{"x": ("x_low", "x_high")}``
    takes the bounds from two site columns (a missing bound means no uncertainty there).
    """
    if not spec:
        return {}
    names = [c.name for c in a.config.criteria]
    problems: list[str] = []
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, rule in spec.items():
        if name not in names:
            problems.append(f"{name!r} is not a criterion{did_you_mean(str(name), names)}")
            continue
        x = a.criteria[name].to_numpy(dtype=float)
        if isinstance(rule, (tuple, list)) and len(rule) == 2 and all(isinstance(s, str) for s in rule):
            missing = [s for s in rule if s not in a.sites.columns]
            if missing:
                cols = [str(c) for c in a.sites.columns if c != "geometry"]
                problems.append(
                    f"{name!r}: site column(s) {missing} not found; columns of the sites layer: {', '.join(cols)}"
                )
                continue
            lo = pd.to_numeric(a.sites[rule[0]], errors="coerce").to_numpy(dtype=float)
            hi = pd.to_numeric(a.sites[rule[1]], errors="coerce").to_numpy(dtype=float)
            lo, hi = np.where(np.isnan(lo), x, lo), np.where(np.isnan(hi), x, hi)
            bad = np.flatnonzero(lo > hi)
            if bad.size:
                shown = ", ".join(map(str, a.sites.index[bad][:5]))
                problems.append(f"{name!r}: low column {rule[0]!r} exceeds high column {rule[1]!r} at site(s) {shown}")
                continue
        else:
            try:
                r = float(rule)
            except (TypeError, ValueError):
                r = math.nan
            if not (math.isfinite(r) and r >= 0):
                problems.append(
                    f"{name!r}: {rule!r} is not a relative range (a number >= 0, e.g. 0.3 for +/- 30%) "
                    "or a (low_column, high_column) pair"
                )
                continue
            lo, hi = x * (1 - r), x * (1 + r)
        out[name] = (np.minimum(lo, hi), np.maximum(lo, hi))
    if problems:
        msg = "input_uncertainty: " + "; ".join(problems)
        raise CriterionError(msg)
    return out


def _input_model(
    a: Assessment, bounds: Mapping[str, tuple[np.ndarray, np.ndarray]], streams: Sequence[np.random.SeedSequence]
) -> tuple[np.ndarray, _InputModel]:
    """Candidate site positions (passing every gate that cannot change) and the draw model."""
    cfg = a.config
    names = list(a.weights.criteria.index)
    n = len(a.criteria)
    fixed_ok = np.ones(n, dtype=bool)
    gates = []
    for gate in cfg.gates:
        if not gate.enabled:
            continue
        if gate.criterion in bounds:
            gates.append((gate.criterion, COMPARISONS[gate.op], gate.value))
        else:
            fixed_ok &= a.gates[f"gate: {gate.key}"].to_numpy(dtype=bool)
    # The assessment's own missing-value policy decides which sites a gap makes ineligible.
    _, excluded, _ = apply_missing(cfg, a.criteria, a.values)
    fixed_ok &= ~excluded.to_numpy(dtype=bool).any(axis=1)
    cand = np.flatnonzero(fixed_ok)
    base = a.values[names].to_numpy(dtype=float)[cand]
    uncertain = []
    for (name, (lo, hi)), ss in zip(bounds.items(), streams, strict=True):
        crit = cfg.criterion(name)
        col = names.index(name) if name in names else None
        fn = None
        if col is not None and crit.value is not None:
            fn = mcda.value_function(crit.value.function, **{"direction": crit.direction, **dict(crit.value.params)})
        uncertain.append(
            _Uncertain(
                name, lo[cand], hi[cand], np.random.default_rng(ss), fn, col, base[:, col] if col is not None else None
            )
        )
    raw = {k: a.criteria[k].to_numpy(dtype=float)[cand] for k in bounds}
    return cand, _InputModel(base, raw, uncertain, gates)


# --------------------------------------------------------------------------------------------
# scoring a chunk of samples
# --------------------------------------------------------------------------------------------


def _scores_fixed(method: str, params: Mapping[str, Any], x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(c, n) scores of a fixed matrix under c weight vectors: one vectorised call."""
    s = mcda.aggregate(method, x, w, np.ones(x.shape[1]), **params)
    return np.asarray(s, dtype=np.float64).reshape(len(w), x.shape[0])


def _scores_varying(
    method: str, params: Mapping[str, Any], v: np.ndarray, w: np.ndarray, valid: np.ndarray
) -> np.ndarray:
    """(c, n) scores when each sample has its own matrix ``v[s]`` and eligible set ``valid[s]``.

    WLC is one einsum; TOPSIS (min-max or no normalisation) is broadcast over the samples with
    the eligible set masked in; other methods call :func:`growthzones.mcda.aggregate` once per
    sample on that sample's eligible sites (relative methods compare eligible sites only).
    """
    norm = params.get("normalization", "auto" if method == "wlc" else "minmax")
    in_unit = v.size == 0 or (v.min() >= 0 and v.max() <= 1)
    if method == "wlc" and set(params) <= {"normalization"} and norm in ("auto", "none") and in_unit:
        return np.einsum("cnm,cm->cn", v, w)
    if method == "topsis" and set(params) <= {"normalization"} and norm in ("minmax", "none"):
        return _topsis_batch(v, w, valid, norm)
    c, n, m = v.shape
    out = np.full((c, n), np.nan)
    ones = np.ones(m)
    for s in range(c):
        idx = np.flatnonzero(valid[s])
        if idx.size:
            out[s, idx] = mcda.aggregate(method, v[s, idx], w[s], ones, **params)
    return out


def _topsis_batch(v: np.ndarray, w: np.ndarray, valid: np.ndarray, normalization: str) -> np.ndarray:
    """TOPSIS closeness for c matrices at once, each over its own eligible rows.

    Follows :func:`growthzones.mcda.aggregation.topsis` (min-max normalisation with constant
    columns set to 1, ideal and anti-ideal over eligible sites); agreement is tested.
    """
    m3 = valid[:, :, np.newaxis]
    with np.errstate(invalid="ignore"):
        lo = np.where(m3, v, np.inf).min(axis=1)
        hi = np.where(m3, v, -np.inf).max(axis=1)
        if normalization == "minmax":
            span = hi - lo
            const = ~(span > 0)
            scale = np.where(const, 0.0, 1.0 / np.where(const, 1.0, span))
            r = (v - np.where(const, 0.0, lo)[:, np.newaxis, :]) * scale[:, np.newaxis, :]
            r = np.where(const[:, np.newaxis, :], 1.0, r)
            rlo = np.where(m3, r, np.inf).min(axis=1)
            rhi = np.where(m3, r, -np.inf).max(axis=1)
        else:
            r, rlo, rhi = v, lo, hi
        w2 = (w * w)[:, np.newaxis, :]
        below = r - rlo[:, np.newaxis, :]
        above = rhi[:, np.newaxis, :] - r
        d_minus = np.sqrt((below * below * w2).sum(axis=2))
        d_plus = np.sqrt((above * above * w2).sum(axis=2))
        den = d_minus + d_plus
        out = np.where(den > 0, d_minus / np.where(den > 0, den, 1.0), 1.0)
    return np.where(valid, out, np.nan)


# --------------------------------------------------------------------------------------------
# robustness
# --------------------------------------------------------------------------------------------


def declared_uncertainty(config: Config) -> dict[str, float | tuple[str, str]]:
    """The input uncertainty the config's criteria declare (``uncertainty = 0.3`` or two columns).

    Examples
    --------
    >>> import growthzones as gz
    >>> declared_uncertainty(gz.load_config(gz.datasets.demo_config_path()))
    {}
    """
    return {c.name: c.uncertainty for c in config.criteria if c.uncertainty is not None}


def sample_scores(
    a: Assessment,
    samples: int,
    *,
    seed: int | None = None,
    input_uncertainty: Mapping[str, float | tuple[str, str]] | bool | None = True,
    concentration: float | None = None,
    levels: str = "both",
) -> tuple[np.ndarray, int, Iterator[np.ndarray]]:
    """Per-sample scores of the sites, drawn exactly as :func:`robustness` draws them.

    The same seed gives the same weight (and input) samples as :func:`robustness`, so other
    analyses (the robust portfolio) see the samples the rank tables were made from.

    Returns
    -------
    candidates, seed, chunks
        Row positions of the sites that can be eligible in some sample; the seed entropy
        used; and an iterator of (c, len(candidates)) score arrays (0-100, NaN where a site is
        not eligible in that sample), in sample order, ``samples`` rows in all.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> cand, used, chunks = sample_scores(a, 50, seed=1)
    >>> s = np.vstack(list(chunks))
    >>> s.shape == (50, a.n_eligible), used
    (True, 1)
    """
    samples = _positive_int(samples, "samples")
    _check_levels(levels)
    concentration = _check_concentration(concentration)
    method, params = a.config.method.name, dict(a.config.method.params)
    names = list(a.weights.criteria.index)
    spec = declared_uncertainty(a.config) if input_uncertainty is True else input_uncertainty or {}
    bounds = _parse_uncertainty(a, spec)
    ss = np.random.SeedSequence(seed)
    weight_ss, *input_ss = ss.spawn(1 + len(bounds))
    gw, ww, gidx = _hierarchy(a.weights)
    w_all = _sample_global(
        gw, ww, gidx, samples, np.random.default_rng(weight_ss), concentration=concentration, levels=levels
    )
    if bounds:
        cand, model = _input_model(a, bounds, input_ss)
    else:
        cand, model = np.flatnonzero(a.gates["eligible"].to_numpy(dtype=bool)), None
    fixed = a.values[names].to_numpy(dtype=float)[cand]
    per = max(cand.size, 1) * (len(names) if model is not None else 1)
    chunk = max(1, _CHUNK_ELEMENTS // per)

    def chunks() -> Iterator[np.ndarray]:
        for start in range(0, samples, chunk):
            w = w_all[start : start + chunk]
            if not cand.size:
                yield np.zeros((len(w), 0))
            elif model is None:
                yield 100.0 * _scores_fixed(method, params, fixed, w)
            else:
                v, valid = model.draw(len(w))
                yield np.where(valid, 100.0 * _scores_varying(method, params, v, w, valid), np.nan)

    return cand, int(ss.entropy), chunks()  # type: ignore[arg-type]


def robustness(
    a: Assessment,
    *,
    samples: int = 10_000,
    seed: int | None = None,
    input_uncertainty: Mapping[str, float | tuple[str, str]] | bool | None = True,
    concentration: float | None = None,
    ks: Sequence[int] = (1, 5, 10, 20),
    levels: str = "both",
    interval: float = 0.9,
    progress: Progress | None = None,
) -> Robustness:
    """Rank acceptability of every site under weight (and optionally input) uncertainty.

    Weight vectors are sampled with :func:`sample_weights` (uniform on the simplex, or
    concentrated around the configured weights, at both levels of the hierarchy); each is
    scored with the assessment's method and parameters, and the ranks of the eligible sites
    are tallied. WLC scores every sample in one matrix product and TOPSIS, WPM and PROMETHEE
    II in one vectorised pass; the other methods loop over samples inside
    :func:`growthzones.mcda.aggregate`.

    Parameters
    ----------
    a
        The assessment.
    samples
        Number of Monte Carlo samples (10,000 gives shares to about +/- 0.01).
    seed
        Seed for exact reproduction; None draws fresh entropy (recorded in the result).
    input_uncertainty
        Criteria whose raw values are uncertain, sampled jointly with the weights (uniformly
        and independently per site and criterion): a relative range (``{"grid_headroom":
        0.3}`` is +/- 30%) or a pair of site columns holding the low and high values
        (``{"grid_headroom": ("headroom_low", "headroom_high")}``). Value functions and gates
        are re-applied per sample, so a site may be eligible in some samples only. True (the
        default) uses the ``uncertainty`` each criterion declares in the config; False or None
        samples weights only.
    concentration
        None for uniform weights; a Dirichlet precision (> 0) to sample around the
        configured weights (see :func:`sample_dirichlet`).
    ks
        The k of the ``p_top_<k>`` columns.
    levels
        Which levels of the weight hierarchy to sample (see :data:`LEVELS`).
    interval
        Central probability of the ``rank_lo``..``rank_hi`` interval.
    progress
        Called as ``progress(done, total, label)`` after each chunk of samples.

    Notes
    -----
    Samples are processed in chunks (memory stays bounded whatever ``samples`` is), but the
    rank-count table is n x n for n eligible sites: 8 n^2 bytes (0.5 MB for 250 sites, 200 MB
    for 5,000). Ranks are taken with an introsort argsort; only rows holding an exact tie are
    re-sorted stably so that ties go by site id.

    Returns
    -------
    Robustness

    Raises
    ------
    GrowthzonesError
        Bad samples, ks, interval, levels, concentration or uncertainty specification.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> r = robustness(a, samples=2000, seed=1)
    >>> bool(np.allclose(r.rank_acceptability.sum(axis=1), 1.0))
    True
    """
    samples = _positive_int(samples, "samples")
    ks_t = tuple(sorted({_positive_int(k, "ks") for k in ks}))
    if not 0 < float(interval) < 1:
        msg = f"interval={interval!r} must be between 0 and 1, e.g. 0.9 for the central 90% of ranks"
        raise GrowthzonesError(msg)
    _check_levels(levels)
    concentration = _check_concentration(concentration)
    method, params = a.config.method.name, dict(a.config.method.params)
    names = list(a.weights.criteria.index)
    m = len(names)
    input_uncertainty = declared_uncertainty(a.config) if input_uncertainty is True else input_uncertainty or {}
    # Unknown values (missing = "unknown", e.g. a nation the data do not cover) vary over their plausible range.
    bounds = unknown_bounds(a.config, a.criteria, _parse_uncertainty(a, input_uncertainty))

    ss = np.random.SeedSequence(seed)
    weight_ss, *input_ss = ss.spawn(1 + len(bounds))
    gw, ww, gidx = _hierarchy(a.weights)
    w_all = _sample_global(
        gw, ww, gidx, samples, np.random.default_rng(weight_ss), concentration=concentration, levels=levels
    )

    if bounds:
        cand, model = _input_model(a, bounds, input_ss)
        fixed = None
    else:
        cand = np.flatnonzero(a.gates["eligible"].to_numpy(dtype=bool))
        model = None
        fixed = a.values[names].to_numpy(dtype=float)[cand]
    n_c = cand.size
    tally = _Tally(n_c, m)
    per = n_c * (m if model is not None else 1)
    chunk = max(1, _CHUNK_ELEMENTS // max(per, 1))
    done = 0
    while done < samples:
        w = w_all[done : done + chunk]
        if n_c:
            if model is None:
                tally.add(order_rows(_scores_fixed(method, params, fixed, w)), w, None)
            else:
                v, valid = model.draw(len(w))
                scores = _scores_varying(method, params, v, w, valid)
                tally.add(order_rows(scores, valid), w, valid)
        else:
            tally.samples += len(w)
        done += len(w)
        if progress is not None:
            progress(done, samples, "sampling weights")

    return _result(a, tally, cand, w_all, names, ks_t, interval, samples, ss, method, concentration, levels, bounds,
                   dict(input_uncertainty or {}))  # fmt: skip


def _result(
    a: Assessment,
    tally: _Tally,
    cand: np.ndarray,
    w_all: np.ndarray,
    names: list[str],
    ks: tuple[int, ...],
    interval: float,
    samples: int,
    ss: np.random.SeedSequence,
    method: str,
    concentration: float | None,
    levels: str,
    bounds: Mapping[str, Any],
    spec: dict[str, Any],
) -> Robustness:
    ids = a.sites.index
    n, n_c = len(ids), cand.size
    counts = tally.counts.reshape(n_c, n_c)
    cum = counts.cumsum(axis=1)
    summary = pd.DataFrame(index=ids)
    summary["name"] = a.sites["name"]
    summary["rank"] = a.scores["rank"]
    p_elig = np.zeros(n)
    p_elig[cand] = tally.n_eligible / samples
    summary["p_eligible"] = p_elig
    for k in ks:
        p = np.zeros(n)
        if n_c:
            p[cand] = cum[:, min(k, n_c) - 1] / samples
        summary[f"p_top_{k}"] = p
    tail = (1.0 - interval) / 2.0
    for col, q in (("median_rank", 0.5), ("rank_lo", tail), ("rank_hi", 1.0 - tail)):
        summary[col] = pd.array(_quantile_rank(cum, q, samples, cand, n), dtype="Int64")
    p_first = np.zeros(n)
    p_first[cand] = tally.n_first / samples
    summary["p_first"] = p_first

    seen = tally.n_eligible > 0
    acc = pd.DataFrame(counts[seen] / samples, index=ids[cand][seen], columns=pd.RangeIndex(1, n_c + 1, name="rank"))
    won = tally.n_first > 0
    central = pd.DataFrame(tally.first_w[won] / tally.n_first[won, np.newaxis], index=ids[cand][won], columns=names)
    central["p_first"] = tally.n_first[won] / samples
    central = central.sort_values("p_first", ascending=False, kind="stable")
    return Robustness(
        summary=summary,
        rank_acceptability=acc,
        central_weights=central,
        weight_samples=pd.DataFrame(w_all, columns=names),
        samples=samples,
        seed=int(ss.entropy),  # type: ignore[arg-type]
        method=method,
        concentration=concentration,
        levels=levels,
        ks=ks,
        interval=float(interval),
        input_uncertainty={k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()} if bounds else {},
        group_of=dict(a.weights.group_of),
    )


def _quantile_rank(cum: np.ndarray, q: float, samples: int, cand: np.ndarray, n: int) -> np.ndarray:
    """Smallest rank r with P(rank <= r) >= q; missing where ineligibility fills the quantile."""
    out = np.full(n, np.nan)
    if cum.size:
        # A hair below q * samples so that exact shares (e.g. 500 of 10,000 at q = 0.05) count.
        hit = cum >= q * samples * (1 - 1e-12)
        reach = hit.any(axis=1)
        r = np.argmax(hit, axis=1) + 1.0
        out[cand] = np.where(reach, r, np.nan)
    return out


def _positive_int(v: Any, name: str) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1:
        msg = f"{name}: {v!r} must be a whole number >= 1"
        raise GrowthzonesError(msg)
    return int(v)


# --------------------------------------------------------------------------------------------
# one weight at a time: targets, sweeps and stability
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightTarget:
    """One weight moved on its own: global weights ``w(t) = t * a + (1 - t) * b``.

    ``t`` is the target's global weight (a group weight, or a criterion's global weight);
    ``a`` spreads it over the target's criteria (the within-group weights for a group, 1 on
    the criterion for a criterion) and ``b`` is the other weights rescaled to sum to 1, so
    every other weight keeps its share of what is left. ``t = current`` gives the configured
    weights.
    """

    name: str
    level: str  # "group" | "criterion"
    current: float
    a: np.ndarray = field(repr=False)
    b: np.ndarray = field(repr=False)

    def weights_at(self, t: np.ndarray | float) -> np.ndarray:
        """Global criterion weights at target weight(s) ``t``: shape (len(t), m) or (m,).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> grid = weight_targets(a)[0]
        >>> grid.name, grid.current
        ('grid', 0.35)
        >>> w = grid.weights_at(0.5)
        >>> w.shape, round(float(w.sum()), 6), grid.weights_at([0.2, 0.5]).shape
        ((12,), 1.0, (2, 12))
        """
        tt = np.asarray(t, dtype=np.float64)
        return tt[..., np.newaxis] * self.a + (1.0 - tt[..., np.newaxis]) * self.b


def weight_targets(a: Assessment) -> list[WeightTarget]:
    """Every group and every weighted criterion as a :class:`WeightTarget` (groups first).

    A weight that holds everything (a single group) cannot be traded against others and is
    left out.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> targets = weight_targets(a)
    >>> [t.name for t in targets[:5]], len(targets)
    (['grid', 'land', 'connectivity', 'water', 'planning'], 17)
    """
    w = a.weights
    names = list(w.criteria.index)
    crit = w.criteria.to_numpy(dtype=float)
    out = []
    for g, t0 in w.groups.items():
        vec = np.where(w.group_of[names].to_numpy() == g, w.within[names].to_numpy(dtype=float), 0.0)
        out.append(_target(str(g), "group", float(t0), vec, crit))
    for j, c in enumerate(names):
        out.append(_target(c, "criterion", float(crit[j]), np.eye(len(names))[j], crit))
    return [t for t in out if t is not None]


def _target(name: str, level: str, t0: float, vec: np.ndarray, crit: np.ndarray) -> WeightTarget | None:
    rest = np.clip(crit - t0 * vec, 0.0, None)
    total = rest.sum()
    if total <= 1e-12:
        return None
    return WeightTarget(name=name, level=level, current=t0, a=vec, b=rest / total)


def _find_target(a: Assessment, target: str, level: str | None) -> WeightTarget:
    targets = weight_targets(a)
    hits = [t for t in targets if t.name == target and (level is None or t.level == level)]
    if not hits:
        known = sorted({t.name for t in targets})
        msg = f"sweep: {target!r} is not a group or weighted criterion{did_you_mean(target, known)}; use one of: " + (
            ", ".join(known)
        )
        raise ConfigError(msg)
    return hits[0]


def _eligible_matrix(a: Assessment) -> tuple[np.ndarray, np.ndarray]:
    elig = np.flatnonzero(a.gates["eligible"].to_numpy(dtype=bool))
    return elig, a.values[list(a.weights.criteria.index)].to_numpy(dtype=float)[elig]


def sweep(
    a: Assessment,
    target: str,
    *,
    level: str | None = None,
    steps: int = 101,
    top: int = 10,
    sites: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Move one weight from 0 to 1 (others rescaled proportionally) and track the ranks.

    Parameters
    ----------
    a
        The assessment.
    target
        A group name or a weighted criterion's name (its global weight is moved).
    level
        ``"group"`` or ``"criterion"`` where a name is both.
    steps
        Points from 0 to 1 (the current weight is added).
    top
        Track every site that is in the top ``top`` anywhere along the sweep.
    sites
        Track these sites instead.

    Returns
    -------
    DataFrame
        Tidy, one row per (weight, site): ``target``, ``level``, ``weight``, ``current``
        (the configured weight), ``site_id``, ``name``, ``rank`` (1 = best, among eligible
        sites) and ``score`` (0-100), ready for plotting rank against weight.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> df = sweep(a, "grid", steps=11, top=3)
    >>> sorted(df.columns)[:4]
    ['current', 'level', 'name', 'rank']
    """
    t = _find_target(a, target, level)
    steps = _positive_int(steps, "steps")
    grid = np.unique(np.concatenate([np.linspace(0.0, 1.0, max(steps, 2)), [t.current]]))
    elig, x = _eligible_matrix(a)
    ids = a.sites.index[elig]
    if elig.size == 0:
        return pd.DataFrame(columns=["target", "level", "weight", "current", "site_id", "name", "rank", "score"])
    scores = 100.0 * _scores_fixed(a.config.method.name, dict(a.config.method.params), x, t.weights_at(grid))
    ranks = ranks_rows(scores)
    if sites is None:
        keep = np.flatnonzero((ranks <= _positive_int(top, "top")).any(axis=0))
    else:
        missing = [s for s in sites if s not in ids]
        if missing:
            msg = f"sweep: site(s) {missing} are not eligible sites of this assessment"
            raise GrowthzonesError(msg)
        keep = np.flatnonzero(ids.isin(list(sites)))
    g, s = np.meshgrid(np.arange(grid.size), keep, indexing="ij")
    g, s = g.ravel(), s.ravel()
    return pd.DataFrame(
        {
            "target": t.name,
            "level": t.level,
            "weight": grid[g],
            "current": t.current,
            "site_id": ids.to_numpy()[s],
            "name": a.sites["name"].to_numpy()[elig][s],
            "rank": ranks[g, s].astype(np.int64),
            "score": scores[g, s],
        }
    )


def stability(
    a: Assessment,
    k: int = 10,
    *,
    targets: Sequence[str] | None = None,
    exact: bool | None = None,
    grid: int = 201,
    tol: float = 1e-9,
) -> pd.DataFrame:
    """Find the single weight change that moves each eligible site into or out of the top ``k``.

    For a site in the top k: the smallest change of one weight (a group weight or a
    criterion's global weight, the others rescaled proportionally, as in :func:`sweep`) that
    pushes it out; for a site outside: the smallest change that brings it in, or "cannot
    reach top k by changing one weight".

    With WLC the answer is exact: under proportional rescaling every score is linear in the
    moved weight, ``s_i(t) = s_i(t0) + (t - t0) d_i``, so two sites swap at an analytic
    crossing point and the number of sites ahead of a site changes only there. Other methods
    are evaluated on a grid of ``grid`` points from 0 to 1, and each change found is refined
    by bisection to ``tol``; a change that happens and reverses between two grid points can
    be missed.

    Parameters
    ----------
    a
        The assessment.
    k
        Size of the shortlist.
    targets
        Group or criterion names to try (default: every group and weighted criterion).
    exact
        Force the exact (True, WLC only) or the grid method (False); None chooses.
    grid, tol
        Grid size and bisection tolerance of the grid method.

    Returns
    -------
    DataFrame
        Eligible sites by rank: ``name``, ``rank``, ``score``, ``in_top_k``, ``weight`` (the
        weight to change), ``level``, ``current``, ``threshold`` (the weight at which the
        site crosses; at exactly that value ties are broken by site id), ``change``
        (``threshold - current``), ``rank_after`` (the rank just past the threshold) and
        ``summary`` (in words). Ineligible sites are left out: no weight makes them eligible.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> st = stability(a, k=5)
    >>> int(st["in_top_k"].sum())
    5
    >>> print(st.loc["GZ-107", "summary"])
    leaves the top 5 if the criterion weight 'line_400kv_distance' goes from 0.070 to 0.092 (+0.022); rank 6 after that
    """
    k = _positive_int(k, "k")
    method, params = a.config.method.name, dict(a.config.method.params)
    if exact is None:
        exact = method == "wlc"
    if exact and method != "wlc":
        msg = f"stability: exact=True needs method 'wlc' (scores linear in the weights), not {method!r}"
        raise GrowthzonesError(msg)
    all_targets = weight_targets(a)
    if targets is not None:
        all_targets = [_find_target(a, name, None) for name in targets]
    elig, x = _eligible_matrix(a)
    n = elig.size
    best = np.full(n, np.inf)
    res: dict[str, np.ndarray] = {
        "threshold": np.full(n, np.nan),
        "rank_after": np.zeros(n, dtype=np.int64),
        "target": np.full(n, -1),
    }
    base = a.scores["score"].to_numpy(dtype=float)[elig] / 100.0
    for ti, t in enumerate(all_targets):
        if not n:
            break
        if exact:
            sides = _exact_crossings(x, t, base, k, method, params)
        else:
            sides = _grid_crossings(x, t, k, method, params, grid, tol)
        for thr, rank_after in sides:
            dist = np.abs(thr - t.current)
            better = dist < best  # ties keep the earlier target (groups come first)
            best = np.where(better, dist, best)
            res["threshold"] = np.where(better, thr, res["threshold"])
            res["rank_after"] = np.where(better, rank_after, res["rank_after"])
            res["target"] = np.where(better, ti, res["target"])
    ranks = a.scores["rank"].to_numpy(dtype=float, na_value=np.nan)[elig].astype(np.int64)
    found = res["target"] >= 0
    tgt = [all_targets[i] if i >= 0 else None for i in res["target"]]
    out = pd.DataFrame(
        {
            "name": a.sites["name"].to_numpy()[elig],
            "rank": ranks,
            "score": a.scores["score"].to_numpy(dtype=float)[elig],
            "in_top_k": ranks <= k,
            "weight": pd.array([t.name if t else None for t in tgt], dtype="string"),
            "level": pd.array([t.level if t else None for t in tgt], dtype="string"),
            "current": [t.current if t else np.nan for t in tgt],
            "threshold": np.where(found, res["threshold"], np.nan),
            "change": [res["threshold"][i] - t.current if t else np.nan for i, t in enumerate(tgt)],
            "rank_after": pd.array(np.where(found, res["rank_after"], 0), dtype="Int64"),
        },
        index=a.sites.index[elig],
    )
    out.loc[~found, "rank_after"] = pd.NA
    out["summary"] = [_stability_text(row, k) for row in out.itertuples()]
    return out.sort_values("rank", kind="stable")


def _stability_text(row: Any, k: int) -> str:
    if pd.isna(row.weight):
        if row.in_top_k:
            return f"stays in the top {k} whatever any single weight is set to"
        return f"cannot reach top {k} by changing one weight"
    verb = "leaves" if row.in_top_k else "enters"
    return (
        f"{verb} the top {k} if the {row.level} weight {row.weight!r} goes from {row.current:.3f} to "
        f"{row.threshold:.3f} ({row.change:+.3f}); rank {row.rank_after} after that"
    )


def _exact_crossings(
    x: np.ndarray, t: WeightTarget, base: np.ndarray, k: int, method: str, params: Mapping[str, Any]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Nearest threshold on each side of ``t.current`` where a site's top-k status flips (WLC).

    Site j is ahead of site i at weight u when ``e + (u - t0) dd > 0`` (or = 0 and j has the
    smaller id), with ``e`` the score difference at t0 and ``dd`` the slope difference. Each
    j with ``dd != 0`` changes side once, at ``t0 - e / dd``; walking the crossings outwards
    from t0 in order and counting who is ahead gives the first one where the count passes k.
    """
    ends = _scores_fixed(method, params, x, np.vstack([t.a, t.b]))
    slope = ends[0] - ends[1]
    n = x.shape[0]
    pos = np.arange(n)
    out_r = (np.full(n, np.nan), np.zeros(n, dtype=np.int64))
    out_l = (np.full(n, np.nan), np.zeros(n, dtype=np.int64))
    rows = max(1, (1 << 19) // max(n, 1))
    for start in range(0, n, rows):
        i = pos[start : start + rows]
        e = base[np.newaxis, :] - base[i, np.newaxis]
        dd = slope[np.newaxis, :] - slope[i, np.newaxis]
        ahead0 = (e > 0) | ((e == 0) & (pos[np.newaxis, :] < i[:, np.newaxis]))
        count0 = ahead0.sum(axis=1)
        in0 = count0 < k
        moving = dd != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            tc = np.where(moving, t.current - e / np.where(moving, dd, 1.0), np.nan)
        for side, res in ((1, out_r), (-1, out_l)):
            if side == 1:
                valid = moving & (tc >= t.current) & (tc < 1.0)
                change = (dd > 0).astype(np.int64) - ahead0
                key = np.where(valid, tc, np.inf)
            else:
                valid = moving & (tc <= t.current) & (tc > 0.0)
                change = (dd < 0).astype(np.int64) - ahead0
                key = np.where(valid, -tc, np.inf)
            order = np.argsort(key, axis=1, kind="stable")
            ks_ = np.take_along_axis(key, order, axis=1)
            count = count0[:, np.newaxis] + np.cumsum(np.take_along_axis(change, order, axis=1), axis=1)
            # Only after the last of several crossings at the same point is the count real.
            last = np.ones_like(ks_, dtype=bool)
            last[:, :-1] = ks_[:, 1:] > ks_[:, :-1]
            flips = np.isfinite(ks_) & last & ((count < k) != in0[:, np.newaxis])
            hit = flips.any(axis=1)
            first = np.argmax(flips, axis=1)
            rr = np.arange(len(i))
            res[0][i] = np.where(hit, side * ks_[rr, first], np.nan)
            res[1][i] = np.where(hit, count[rr, first] + 1, 0)
    return [out_r, out_l]


def _grid_crossings(
    x: np.ndarray, t: WeightTarget, k: int, method: str, params: Mapping[str, Any], grid: int, tol: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """As :func:`_exact_crossings` for any method: grid search, then bisection per site."""
    ts = np.unique(np.concatenate([np.linspace(0.0, 1.0, max(int(grid), 2)), [t.current]]))
    i0 = int(np.searchsorted(ts, t.current))
    ranks = ranks_rows(_scores_fixed(method, params, x, t.weights_at(ts)))
    status = ranks <= k
    in0 = status[i0]
    n = x.shape[0]
    out = []
    for side in (1, -1):
        thr, rank_after = np.full(n, np.nan), np.zeros(n, dtype=np.int64)
        idx = np.arange(i0 + 1, ts.size) if side == 1 else np.arange(i0 - 1, -1, -1)
        if idx.size:
            differs = status[idx] != in0[np.newaxis, :]
            hit = np.flatnonzero(differs.any(axis=0))
            if hit.size:
                g = idx[np.argmax(differs[:, hit], axis=0)]
                lo, hi = ts[g - side], ts[g]  # lo keeps the current status, hi does not
                for _ in range(64):  # halves the bracket each time: 64 is beyond float precision
                    if np.max(np.abs(hi - lo)) <= tol:
                        break
                    mid = (lo + hi) / 2.0
                    same = (_own_rank(x, t, mid, hit, method, params) <= k) == in0[hit]
                    lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
                thr[hit] = hi
                rank_after[hit] = _own_rank(x, t, hi, hit, method, params)
        out.append((thr, rank_after))
    return out


def _own_rank(
    x: np.ndarray, t: WeightTarget, at: np.ndarray, sites: np.ndarray, method: str, params: Mapping[str, Any]
) -> np.ndarray:
    """Rank of ``sites[q]`` under the weights at ``at[q]``, for every q in one call."""
    s = _scores_fixed(method, params, x, t.weights_at(at))
    own = s[np.arange(sites.size), sites][:, np.newaxis]
    pos = np.arange(x.shape[0])[np.newaxis, :]
    ahead = (s > own) | ((s == own) & (pos < sites[:, np.newaxis]))
    return ahead.sum(axis=1) + 1


# --------------------------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------------------------


def export_columns(a: Assessment, r: Robustness, *, archetypes: bool = True, summaries: bool = True) -> pd.DataFrame:
    """Columns for the ``ranked_sites`` layer: P(top k), rank interval, P(eligible), archetype, summary.

    Indexed by site id. ``archetype`` comes from :func:`growthzones.explain.archetypes`
    (empty for ineligible sites) and ``summary`` from :func:`growthzones.explain.summaries`.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> r = a.robustness(samples=200, seed=1)
    >>> export_columns(a, r, archetypes=False, summaries=False).columns.tolist()
    ['p_eligible', 'p_top_1', 'p_top_5', 'p_top_10', 'p_top_20', 'median_rank', 'rank_lo', 'rank_hi', 'p_first']
    """
    cols = ["p_eligible", *[f"p_top_{k}" for k in r.ks], "median_rank", "rank_lo", "rank_hi", "p_first"]
    out = r.summary[cols].copy()
    if archetypes:
        from growthzones.explain import archetypes as _archetypes

        out["archetype"] = _archetypes(a).labels.reindex(out.index).fillna("").astype(str)
    if summaries:
        from growthzones.explain import summaries as _summaries

        out["summary"] = _summaries(a, robustness=r).reindex(out.index).astype(str)
    return out
