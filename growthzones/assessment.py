"""The assessment: read once, then re-weight, re-rank and re-gate instantly.

:func:`assess` does the expensive work (reading layers, extracting criteria). The
:class:`Assessment` it returns holds the raw criteria table, and every change of weights,
method or gates (:meth:`Assessment.reweight`, :meth:`Assessment.rerank`,
:meth:`Assessment.with_gates`) re-evaluates from that table alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from growthzones.config import Config, GateConfig, load_config
from growthzones.coverage import mask_uncovered, with_layer_nations
from growthzones.criteria import LayerStack, Progress, compute_criteria, load_layers
from growthzones.gates import evaluate_gates
from growthzones.layers import file_sha256
from growthzones.provenance import DEMO_NOTICE, now
from growthzones.ranking import district_summary, rank_sites, tiers
from growthzones.scoring import Weights, apply_missing, criterion_values, effective_weights, group_scores, score_sites
from growthzones.sites import load_sites

if TYPE_CHECKING:
    from growthzones.explain import Archetypes, Explanation, ImpliedWeights
    from growthzones.portfolio import Limits, Portfolio
    from growthzones.robustness import Robustness

__all__ = ["DEMO_NOTICE", "Assessment", "assess", "evaluate"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assessment:
    """The result of assessing candidate sites against a config.

    Attributes
    ----------
    config
        The config used (with any re-weighting applied).
    sites
        Site GeoDataFrame indexed by ``site_id`` in the working CRS.
    criteria
        Raw criteria in real units (km, MW, ha, fraction), one column per criterion.
    values
        Criteria mapped to 0..1 by their value functions (after the ``missing`` policy).
    gates
        ``eligible``, ``gate_reasons``, ``n_failed`` and one pass/fail column per gate.
    scores
        ``score`` (0-100, NaN when ineligible), ``rank``, ``tier`` and ``<group>_score``.
    weights
        The effective (normalised) weights.
    notes
        What was repaired, reprojected, normalised or filled, in words.
    inputs
        SHA-256 of each input file, by path.
    layers
        The layers read (kept for maps and nearest-infrastructure look-ups).
    created
        When the criteria were extracted (ISO 8601, UTC).
    """

    config: Config
    sites: gpd.GeoDataFrame
    criteria: pd.DataFrame
    values: pd.DataFrame
    gates: pd.DataFrame
    scores: pd.DataFrame
    weights: Weights
    notes: tuple[str, ...] = ()
    inputs: Mapping[str, str] = field(default_factory=dict)
    layers: LayerStack | None = field(default=None, repr=False, compare=False)
    created: str = ""

    # ---------------------------------------------------------------------------- tables

    @cached_property
    def table(self) -> gpd.GeoDataFrame:
        """Every site with rank, score, gates, raw criteria and 0..1 values, in site-id order."""
        s = self.sites
        vals = self.values.add_suffix("_value")
        attrs = s.drop(columns=["name", "geometry"])
        # A site column may share its name with a criterion (an "attribute" criterion reads
        # it) or an output column: keep the criterion's copy and suffix the site's own.
        taken = {"site_id", "name", "rank", "tier", "score", "eligible", "gate_reasons"}
        taken |= {*self.scores.columns, *self.criteria.columns, *vals.columns}
        same = {c.attribute for c in self.config.criteria if c.measure == "attribute" and c.attribute == c.name}
        attrs = attrs.drop(columns=[c for c in attrs.columns if c in same])
        attrs = attrs.rename(columns={c: f"{c}_site" for c in attrs.columns if c in taken})
        df = pd.concat(
            [
                s[["name"]],
                self.scores[["rank", "tier", "score"]],
                self.gates[["eligible", "gate_reasons"]],
                self.scores.drop(columns=["rank", "tier", "score"]),
                self.criteria,
                vals,
                attrs,
            ],
            axis=1,
        )
        return gpd.GeoDataFrame(df, geometry=s.geometry, crs=s.crs)

    @cached_property
    def ranking(self) -> gpd.GeoDataFrame:
        """:attr:`table` sorted by rank; ineligible sites last, by site id."""
        t = self.table
        order = np.lexsort((t.index.to_numpy().astype(str), t["rank"].to_numpy(dtype=float, na_value=np.inf)))
        return t.iloc[order]

    @property
    def eligible(self) -> pd.Series:
        """Boolean Series: does each site pass every gate."""
        return self.gates["eligible"]

    @property
    def n_eligible(self) -> int:
        """How many sites pass every gate."""
        return int(self.gates["eligible"].sum())

    @cached_property
    def districts(self) -> pd.DataFrame | None:
        """Sites summarised by the ``[sites] district`` column (None when the config names none).

        One row per district, best first: its best site, number of eligible sites and site-score
        spread (see :func:`growthzones.ranking.district_summary`).
        """
        col = self.config.sites.district
        if col is None:
            return None
        if col not in self.sites.columns:
            from growthzones.errors import ConfigError

            cols = [str(c) for c in self.sites.columns if c != "geometry"]
            msg = f"sites.district: the sites have no column {col!r}; columns: {', '.join(cols)}"
            raise ConfigError(msg)
        return district_summary(
            self.sites[col], self.sites["name"], self.scores["score"], self.scores["rank"], self.gates["eligible"]
        )

    def top(self, n: int = 20) -> pd.DataFrame:
        """The top ``n`` eligible sites: rank, name, score and group scores.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> a.top(3)['rank'].tolist()
        [1, 2, 3]
        """
        cols = ["rank", "name", "score", *[f"{g}_score" for g in self.weights.groups.index]]
        r = self.ranking
        return pd.DataFrame(r.loc[r["eligible"], cols].head(n))

    # ---------------------------------------------------------------------------- changes

    def reweight(
        self,
        groups: Mapping[str, float] | None = None,
        criteria: Mapping[str, float] | None = None,
    ) -> Assessment:
        """Return a new assessment with some group and/or criterion weights changed.

        Works on the criteria table alone (no layer is read again).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.load_config(gz.datasets.demo_config_path()))
        >>> b = a.reweight(groups={"grid": 0.8})
        >>> round(float(b.weights.groups["grid"]), 3) > round(float(a.weights.groups["grid"]), 3)
        True
        """
        return self._evaluate(self.config.with_weights(groups, criteria))

    def rerank(self, method: str, **params: Any) -> Assessment:
        """Return a new assessment scored with another aggregation method.

        ``method`` is a name in :data:`growthzones.mcda.AGGREGATION_METHODS`; ``params`` are
        its parameters (e.g. ``v=0.5`` for VIKOR).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> b = a.rerank('vikor', v=0.3)
        >>> b.config.method.name, dict(b.config.method.params)
        ('vikor', {'v': 0.3})
        """
        from growthzones import mcda
        from growthzones.config import choice

        choice(method, tuple(mcda.AGGREGATION_METHODS), "method")
        return self._evaluate(self.config.with_method(method, **params))

    def compare_methods(self, methods: Sequence[Any] = ("wlc", "wpm", "topsis", "vikor", "promethee2")) -> Any:
        """Rank the same sites under several methods; see :func:`growthzones.comparison.compare_methods`.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> a.compare_methods(['wlc', 'topsis']).kendall.columns.tolist()
        ['wlc', 'topsis']
        """
        from growthzones.comparison import compare_methods

        return compare_methods(self, methods)

    def with_gates(self, gates: Sequence[GateConfig]) -> Assessment:
        """Return a new assessment with the gates replaced.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> kept = [g for g in a.config.gates if g.criterion != 'site_area']
        >>> a.with_gates(kept).n_eligible >= a.n_eligible
        True
        """
        return self._evaluate(self.config.with_gates(tuple(gates)))

    def with_config(self, config: Config) -> Assessment:
        """Re-evaluate under ``config``, which must have the same sites, layers and criteria.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> a.with_config(a.config.with_method('topsis')).config.method.name
        'topsis'
        """
        return self._evaluate(config)

    def _evaluate(self, config: Config) -> Assessment:
        return evaluate(
            config,
            self.sites,
            self.criteria,
            notes=self._read_notes,
            inputs=self.inputs,
            layers=self.layers,
            created=self.created,
            cls=type(self),
        )

    @property
    def _read_notes(self) -> tuple[str, ...]:
        return tuple(n for n in self.notes if not n.startswith(_EVAL_PREFIXES))

    def robustness(self, samples: int = 10_000, seed: int | None = None, **kwargs: Any) -> Robustness:
        """Rank acceptability under weight (and input) uncertainty (:func:`growthzones.robustness.robustness`).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> r = a.robustness(samples=500, seed=1)
        >>> round(float(r.summary['p_top_1'].sum()), 6)
        1.0
        """
        from growthzones.robustness import robustness

        return robustness(self, samples=samples, seed=seed, **kwargs)

    def portfolio(self, limits: Limits | None = None, **kwargs: Any) -> Portfolio:
        """The best set of sites under count, regional, capacity and spacing limits.

        See :func:`growthzones.portfolio.select_portfolio`.

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> p = a.portfolio(count=5, min_spacing_km=50, explain=False)
        >>> len(p.chosen), p.status
        (5, 'optimal')
        """
        from growthzones.portfolio import select_portfolio

        return select_portfolio(self, limits, **kwargs)

    def sweep(self, target: str, **kwargs: Any) -> pd.DataFrame:
        """Ranks along one weight moved from 0 to 1 (:func:`growthzones.robustness.sweep`).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> df = a.sweep('water', steps=11, top=3)
        >>> float(df['weight'].min()), float(df['weight'].max()), int(df['rank'].min())
        (0.0, 1.0, 1)
        """
        from growthzones.robustness import sweep

        return sweep(self, target, **kwargs)

    def stability(self, k: int = 10, **kwargs: Any) -> pd.DataFrame:
        """Smallest single-weight change into or out of the top k (:func:`growthzones.robustness.stability`).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> st = a.stability(k=10)
        >>> int(st['in_top_k'].sum())
        10
        """
        from growthzones.robustness import stability

        return stability(self, k, **kwargs)

    def explain(self, site_id: str, **kwargs: Any) -> Explanation:
        """Why a site scores and ranks as it does (:func:`growthzones.explain.explain`).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> print(a.explain(a.ranking.index[0]).text)  # doctest: +ELLIPSIS
        Ranks 1st of ... eligible sites (score ...). Strong on ...
        """
        from growthzones.explain import explain

        return explain(self, site_id, **kwargs)

    def archetypes(self, **kwargs: Any) -> Archetypes:
        """Eligible sites clustered into named archetypes (:func:`growthzones.explain.archetypes`).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> arch = a.archetypes(k=3)
        >>> arch.k, int(arch.profiles['n_sites'].sum()) == a.n_eligible
        (3, True)
        """
        from growthzones.explain import archetypes

        return archetypes(self, **kwargs)

    def implied_weights(self, chosen: Sequence[str], **kwargs: Any) -> ImpliedWeights:
        """Estimated group weights under which ``chosen`` rank highest (:func:`growthzones.explain.implied_weights`).

        Examples
        --------
        >>> import growthzones as gz
        >>> a = gz.assess(gz.datasets.demo_config_path())
        >>> iw = a.implied_weights(a.top(5).index.tolist())
        >>> round(float(iw.weights.sum()), 6)
        1.0
        """
        from growthzones.explain import implied_weights

        return implied_weights(self, chosen, **kwargs)


_EVAL_PREFIXES = ("weights:", "missing:")


def evaluate(
    config: Config,
    sites: gpd.GeoDataFrame,
    criteria: pd.DataFrame,
    *,
    notes: Sequence[str] = (),
    inputs: Mapping[str, str] | None = None,
    layers: LayerStack | None = None,
    created: str = "",
    cls: type[Assessment] | None = None,
) -> Assessment:
    """Score, gate and rank sites from an existing criteria table (the cheap step).

    Parameters
    ----------
    config
        Weights, value functions, gates and method come from here.
    sites
        Sites indexed by site id.
    criteria
        Raw criteria indexed like ``sites``, one column per criterion of ``config``.
    cls
        The class of the result (default :class:`Assessment`); ``growthzones.evaluate`` passes
        the public class that adds the output methods.

    Examples
    --------
    >>> import growthzones as gz
    >>> config = gz.load_config(gz.datasets.demo_config_path())
    >>> from growthzones.criteria import compute_criteria, load_layers
    >>> from growthzones.sites import load_sites
    >>> sites, _ = load_sites(config.sites)
    >>> table = compute_criteria(config, sites, load_layers(config))
    >>> a = evaluate(config, sites, table)
    >>> a.ranking.index[:3].tolist(), a.n_eligible
    (['GZ-107', 'GZ-002', 'GZ-018'], 159)
    """
    weights = effective_weights(config)
    # A site in a nation its criterion's data do not cover has no value: its missing policy decides.
    criteria = mask_uncovered(config, sites, criteria)
    values = criterion_values(config, criteria)
    values, excluded, missing_notes = apply_missing(config, criteria, values)
    gates = evaluate_gates(config, criteria, excluded=excluded)
    eligible = gates["eligible"].to_numpy()
    score = score_sites(values, eligible, weights, method=config.method.name, params=dict(config.method.params))
    ranks = rank_sites(score, eligible)
    scores = pd.concat([score, ranks, tiers(ranks), group_scores(values, weights)], axis=1)
    all_notes = (
        *notes,
        *(f"weights: {n}" for n in weights.notes),
        *(f"missing: {n}" for n in missing_notes),
    )
    return (cls or Assessment)(
        config=config,
        sites=sites,
        criteria=criteria,
        values=values,
        gates=gates,
        scores=scores,
        weights=weights,
        notes=tuple(dict.fromkeys(all_notes)),
        inputs=dict(inputs or {}),
        layers=layers,
        created=created or now(),
    )


def assess(
    config: Config | str | Path, *, progress: Progress | None = None, cls: type[Assessment] | None = None
) -> Assessment:
    """Assess the candidate sites of a config: read layers, compute criteria, gate, score, rank.

    Parameters
    ----------
    config
        A :class:`~growthzones.config.Config` or the path of a TOML config file.
    progress
        Called as ``progress(done, total, label)`` after each layer read and each criterion
        computed (``total`` is the number of steps of the whole assessment).
    cls
        The class of the result, as for :func:`evaluate`.

    Returns
    -------
    Assessment

    Raises
    ------
    GrowthzonesError
        A subclass naming the file, layer or key at fault and how to fix it.

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.load_config(gz.datasets.demo_config_path()))
    >>> int(a.ranking["rank"].iloc[0])
    1
    """
    if not isinstance(config, Config):
        config = load_config(config)
    config = with_layer_nations(config)
    n_layers = len({c.layer for c in config.criteria if c.layer})
    total = 1 + n_layers + len(config.criteria)
    step = _Stepper(progress, total)
    sites, site_notes = load_sites(config.sites, crs=config.project.crs)
    step("read sites")
    stack = load_layers(config, progress=lambda i, n, label: step(label))
    criteria = compute_criteria(config, sites, stack, progress=lambda i, n, label: step(label))
    inputs = {str(config.sites.path): file_sha256(config.sites.path), **stack.hashes}
    notes = [*site_notes, *stack.notes, *_transform_notes(stack, site_notes)]
    return evaluate(config, sites, criteria, notes=notes, inputs=inputs, layers=stack, cls=cls)


class _Stepper:
    def __init__(self, progress: Callable[[int, int, str], None] | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, label: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, label)


def _transform_notes(stack: LayerStack, site_notes: Sequence[str]) -> list[str]:
    """Say when a datum shift used PROJ's Helmert fallback (no OSTN15 grid installed)."""
    reprojected = any("reprojected from" in n for n in (*site_notes, *stack.notes))
    if not reprojected:
        return []
    import pyproj

    grid = Path(pyproj.datadir.get_data_dir()) / "uk_os_OSTN15_NTv2_OSGBtoETRS.tif"
    if grid.exists():
        return ["reprojection used the OSTN15 grid (centimetre accuracy)"]
    return [
        "reprojection to British National Grid used PROJ's Helmert fallback (the OSTN15 grid is not installed): "
        "positions may be off by a few metres, fine for siting"
    ]
