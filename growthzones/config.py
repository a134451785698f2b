"""Configuration: a TOML file read into frozen dataclasses.

Every key is checked. Unknown keys are errors that suggest the nearest valid name, wrong
types name the key and the type expected, and paths are resolved relative to the config
file. A :class:`Config` is immutable: change it with :func:`dataclasses.replace` or the
helpers here, never in place (Streamlit serves many sessions from one process).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import operator
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from growthzones.errors import ConfigError

__all__ = [
    "LAYER_KINDS",
    "MEASURES",
    "RASTER_SUFFIXES",
    "SECTION_KEYS",
    "CapacityLimit",
    "Config",
    "CriterionConfig",
    "GateConfig",
    "GroupLimit",
    "LayerConfig",
    "Limits",
    "MethodConfig",
    "PortfolioConfig",
    "ProjectConfig",
    "SitesConfig",
    "ValueConfig",
    "load_config",
    "parse_config",
    "parse_where",
]


def _measure_specs() -> Mapping[str, Any]:
    # A registry lookup at parse time, so measures registered later are known. Not a floor
    # problem (config and criteria share the core floor, checked by import-linter) but a
    # package cycle: growthzones.criteria imports this module (configs, `where` filters
    # through layers), so the measures' module cannot be imported while this one loads.
    from growthzones.criteria.measures import MEASURES as SPECS

    return SPECS


class _MeasureNeeds(Mapping[str, tuple[str, ...]]):
    """measure -> the keys it needs, read live from the measures' declarations."""

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return _measure_specs()[name].needs

    def __iter__(self) -> Iterator[str]:
        return iter(list(_measure_specs()))

    def __len__(self) -> int:
        return len(_measure_specs())


#: Criterion measures and the keys each one needs (beyond the common keys), from
#: :data:`growthzones.criteria.measures.MEASURES` (where a measure is declared).
MEASURES: Mapping[str, tuple[str, ...]] = _MeasureNeeds()
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".asc", ".nc")
#: The comparison operators of gates and ``where`` filters, by their symbol (the one table).
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}
GATE_OPS = tuple(COMPARISONS)
DIRECTIONS = ("benefit", "cost")
MISSING_POLICIES = ("fail", "worst", "exclude", "unknown", "proxy")
#: The nations of Great Britain a layer or criterion may cover (``nations = [...]``).
NATIONS = ("England", "Scotland", "Wales")
LAYER_KINDS = ("vector", "raster")
_CRITERION_KEYS = (
    "name", "group", "measure", "label", "unit", "layer", "where", "attribute", "max_distance_km",
    "radius_km", "stat", "range", "direction", "weight", "missing", "value", "uncertainty", "nations", "proxy",
)  # fmt: skip
#: The keys each section of the config accepts; any other key is an error. ``""`` is the top
#: level, ``"layers"`` each ``[layers.<name>]`` table, ``"criteria"`` and ``"gates"`` each
#: ``[[criteria]]`` / ``[[gates]]`` table. ``[weights]`` takes group names, and a criterion's
#: ``value`` table takes ``function`` plus that value function's parameters.
#: ``docs/config.md`` is generated from these (``python -m growthzones.config_reference``).
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "": ("project", "sites", "layers", "weights", "criteria", "gates", "method", "portfolio"),
    "project": ("name", "crs", "demo", "description"),
    "sites": ("path", "layer", "id", "name", "nation", "district"),
    "layers": ("path", "layer", "kind", "band", "nodata", "synthetic", "label"),
    "criteria": _CRITERION_KEYS,
    "gates": ("criterion", "op", "value", "label", "enabled", "name"),
    "method": ("name", "params"),
    "portfolio": (
        "count", "min_count", "max_count", "demand", "min_mw", "max_mw", "per", "capacity", "min_spacing_km",
        "locked_in", "locked_out", "floor", "time_limit", "mip_gap", "samples", "core", "seed", "concentration",
    ),
    "portfolio.per": ("by", "min", "max", "field"),
    "portfolio.capacity": ("by", "headroom", "demand", "field"),
}  # fmt: skip
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WHERE_RE = re.compile(
    r"""^\s*(?P<col>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>==|!=|>=|<=|>|<)\s*"""
    r"""(?P<val>'[^']*'|"[^"]*"|[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*$"""
)


@dataclass(frozen=True)
class ProjectConfig:
    """Project-wide settings.

    Attributes
    ----------
    name
        Shown in outputs.
    crs
        The working CRS; must be projected, in metres.
    demo
        True for the bundled illustrative demo: outputs say "illustrative demo data".
    description
        Free text shown in outputs.
    """

    name: str = "growthzones assessment"
    crs: str = "EPSG:27700"
    demo: bool = False
    description: str = ""


@dataclass(frozen=True)
class SitesConfig:
    """Where the candidate sites are and which columns hold their id and name."""

    path: Path
    id: str
    name: str
    layer: str | None = None
    nation: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class LayerConfig:
    """A named input layer (vector or raster)."""

    key: str
    path: Path
    kind: str  # "vector" | "raster"
    layer: str | None = None
    band: int = 1
    nodata: float | None = None
    synthetic: bool = False
    label: str = ""


@dataclass(frozen=True)
class ValueConfig:
    """A value function: its registry name and parameters."""

    function: str = "linear"
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CriterionConfig:
    """One criterion: how it is measured, its direction, value function and weight."""

    name: str
    group: str
    measure: str
    label: str = ""
    unit: str = ""
    layer: str | None = None
    where: str | None = None
    attribute: str | None = None
    max_distance_km: float | None = None
    radius_km: float | None = None
    stat: str | None = None
    range: tuple[float, float] | None = None
    direction: str = "benefit"
    weight: float = 1.0
    missing: str = "fail"
    value: ValueConfig | None = None
    uncertainty: float | tuple[str, str] | None = None
    nations: tuple[str, ...] | None = None
    proxy: str | None = None

    @property
    def display(self) -> str:
        """The label, or the name where there is no label."""
        return self.label or self.name.replace("_", " ")


@dataclass(frozen=True)
class GateConfig:
    """A hard constraint on one criterion's raw value."""

    criterion: str
    op: str
    value: float
    label: str = ""
    enabled: bool = True
    name: str = ""

    @property
    def key(self) -> str:
        """A stable identifier for the gate."""
        return self.name or f"{self.criterion} {self.op} {_fmt(self.value)}"


@dataclass(frozen=True)
class MethodConfig:
    """The aggregation method and its parameters."""

    name: str = "wlc"
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupLimit:
    """At least ``min`` and at most ``max`` chosen sites in each group of ``by`` (a portfolio limit).

    Attributes
    ----------
    by
        A column of the assessment's table (``region``, ``nation``...) or the key of a vector
        layer in ``[layers]``: each site then belongs to the polygon it overlaps most (points
        and lines: the nearest feature).
    min, max
        One whole number for every group, or a table ``{group: number}`` (groups not named
        are not limited).
    field
        For a layer: the attribute naming its groups (default: ``name`` if the layer has
        one, else its first attribute).
    """

    by: str
    min: int | Mapping[str, int] | None = None
    max: int | Mapping[str, int] | None = None
    field: str | None = None


@dataclass(frozen=True)
class CapacityLimit:
    """Shared capacity: the chosen sites' demand in each group of ``by`` within its headroom.

    Attributes
    ----------
    by
        A column or a layer key, as for :class:`GroupLimit` (e.g. GSP regions).
    headroom
        MW each group can give: a number for every group, a site column (the same value on
        every site of a group) or, for a layer, one of its attributes.
    demand
        MW each site asks for: a number, or a column (default: the portfolio's ``demand``).
    field
        For a layer: the attribute naming its groups.
    """

    by: str
    headroom: str | float
    demand: str | float | None = None
    field: str | None = None


@dataclass(frozen=True)
class Limits:
    """Everything a portfolio must respect (prioritizr's budget, constraints and locks).

    Attributes
    ----------
    count, min_count, max_count
        Exactly / at least / at most this many sites.
    min_mw, max_mw
        The chosen sites' total demand (MW) at least / at most this.
    demand
        MW each site asks for: a number, or a column such as ``power_need_mw``.
    per
        Minimum and maximum per group (:class:`GroupLimit`).
    capacity
        Shared capacity per group (:class:`CapacityLimit`).
    min_spacing_km
        Chosen sites' centroids at least this far apart.
    locked_in, locked_out
        Site ids that must / must not be chosen.
    floor
        The objective is the total of ``score - floor`` over the chosen sites: with a floor,
        sites scoring below it are taken only when a limit needs them.
    time_limit
        Seconds the solver may use for each solve (None: until proven optimal).
    mip_gap
        Relative gap at which the solver may stop (0: proven optimum).
    """

    count: int | None = None
    min_count: int | None = None
    max_count: int | None = None
    min_mw: float | None = None
    max_mw: float | None = None
    demand: str | float | None = None
    per: tuple[GroupLimit, ...] = ()
    capacity: tuple[CapacityLimit, ...] = ()
    min_spacing_km: float | None = None
    locked_in: tuple[str, ...] = ()
    locked_out: tuple[str, ...] = ()
    floor: float = 0.0
    time_limit: float | None = None
    mip_gap: float = 0.0


@dataclass(frozen=True)
class PortfolioConfig(Limits):
    """The ``[portfolio]`` section: the :class:`Limits` of ``growthzones portfolio`` and its robust run.

    ``samples``, ``core``, ``seed`` and ``concentration`` set up the robust run.
    """

    samples: int = 200
    core: float = 0.9
    seed: int | None = None
    concentration: float | None = None


@dataclass(frozen=True)
class Config:
    """A whole assessment configuration.

    Attributes
    ----------
    project, sites, layers, criteria, gates, method
        The sections of the TOML file.
    weights
        Group weights as written (normalised when scoring).
    source
        The config file, if read from one; ``text`` is its content.
    """

    project: ProjectConfig
    sites: SitesConfig
    layers: Mapping[str, LayerConfig]
    criteria: tuple[CriterionConfig, ...]
    weights: Mapping[str, float]
    gates: tuple[GateConfig, ...] = ()
    method: MethodConfig = field(default_factory=MethodConfig)
    source: Path | None = None
    text: str = ""
    portfolio: PortfolioConfig | None = None

    @property
    def groups(self) -> tuple[str, ...]:
        """Groups in the order they first appear among the criteria."""
        return tuple(dict.fromkeys(c.group for c in self.criteria))

    def criterion(self, name: str) -> CriterionConfig:
        """Return the criterion called ``name``.

        Examples
        --------
        >>> from growthzones.datasets import demo_config_path
        >>> cfg = load_config(demo_config_path())
        >>> cfg.criterion("grid_distance").unit
        'km'
        """
        for c in self.criteria:
            if c.name == name:
                return c
        msg = f"no criterion {name!r}{did_you_mean(name, [c.name for c in self.criteria])}"
        raise ConfigError(msg)

    def with_weights(
        self,
        groups: Mapping[str, float] | None = None,
        criteria: Mapping[str, float] | None = None,
    ) -> Config:
        """Return a copy with some group and/or criterion weights replaced.

        Examples
        --------
        >>> from growthzones.datasets import demo_config_path
        >>> cfg = load_config(demo_config_path())
        >>> cfg.with_weights(groups={"grid": 0.9}).weights["grid"]
        0.9
        """
        new_groups = dict(self.weights)
        for g, w in (groups or {}).items():
            if g not in new_groups:
                msg = f"weights: unknown group {g!r}{did_you_mean(g, list(new_groups))}"
                raise ConfigError(msg)
            new_groups[g] = _number(w, f"weights.{g}")
        crits = list(self.criteria)
        names = [c.name for c in crits]
        for n, w in (criteria or {}).items():
            if n not in names:
                msg = f"criteria: unknown criterion {n!r}{did_you_mean(n, names)}"
                raise ConfigError(msg)
            i = names.index(n)
            crits[i] = dataclasses.replace(crits[i], weight=_number(w, f"criteria.{n}.weight"))
        _check_weights(new_groups, crits)
        return dataclasses.replace(self, weights=new_groups, criteria=tuple(crits))

    def with_named_weights(self, weights: Mapping[str, float], *, what: str = "weights") -> Config:
        """Return a copy with weights set by name: a group's name sets its group weight, a criterion's its own.

        Parameters
        ----------
        weights
            Group or criterion name -> weight.
        what
            Where the names come from, for the message (e.g. ``"--weights"``).

        Examples
        --------
        >>> from growthzones.datasets import demo_config_path
        >>> cfg = load_config(demo_config_path()).with_named_weights({"grid": 0.9, "grid_headroom": 2})
        >>> cfg.weights["grid"], cfg.criterion("grid_headroom").weight
        (0.9, 2.0)
        """
        if not weights:
            return self
        names = [c.name for c in self.criteria]
        for k in weights:
            if k not in self.weights and k not in names:
                msg = f"{what}: {k!r} is neither a group nor a criterion{did_you_mean(k, [*self.weights, *names])}"
                raise ConfigError(msg)
        groups = {k: v for k, v in weights.items() if k in self.weights}
        crits = {k: v for k, v in weights.items() if k not in self.weights}
        return self.with_weights(groups or None, crits or None)

    def with_method(self, name: str, **params: Any) -> Config:
        """Return a copy using aggregation method ``name`` with ``params``.

        Examples
        --------
        >>> from growthzones.datasets import demo_config_path
        >>> cfg = load_config(demo_config_path())
        >>> cfg.with_method("vikor", v=0.3).method
        MethodConfig(name='vikor', params={'v': 0.3})
        """
        return dataclasses.replace(self, method=MethodConfig(name=name, params=dict(params)))

    def with_gates(self, gates: tuple[GateConfig, ...]) -> Config:
        """Return a copy with the gates replaced.

        Examples
        --------
        >>> from growthzones.datasets import demo_config_path
        >>> cfg = load_config(demo_config_path())
        >>> len(cfg.gates), len(cfg.with_gates(cfg.gates[:2]).gates)
        (5, 2)
        """
        return dataclasses.replace(self, gates=tuple(gates))

    def to_toml(self) -> str:
        """Serialise to TOML that :func:`parse_config` reads back to an equal config.

        Examples
        --------
        >>> from growthzones.datasets import demo_config_path
        >>> cfg = load_config(demo_config_path())
        >>> again = parse_config(cfg.to_toml())
        >>> again.criteria == cfg.criteria and again.weights == cfg.weights
        True
        """
        return _to_toml(self)


# --------------------------------------------------------------------------------------------
# reading


def load_config(path: str | Path) -> Config:
    """Read and check a TOML config file.

    Parameters
    ----------
    path
        The config file. Paths inside it are relative to its folder.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        For a missing file, a TOML syntax error, an unknown or misspelt key, a wrong type or
        a value out of range. The message names the key and the fix.

    Examples
    --------
    >>> from growthzones.datasets import demo_config_path
    >>> cfg = load_config(demo_config_path())
    >>> cfg.project.crs
    'EPSG:27700'
    """
    p = Path(path)
    if not p.is_file():
        hint = " (it is a folder)" if p.is_dir() else ""
        msg = f"config file {str(path)!r} not found{hint}: check the path"
        raise ConfigError(msg)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        msg = f"config file {str(path)!r} is not UTF-8 text: save it as UTF-8"
        raise ConfigError(msg) from exc
    return parse_config(text, base_dir=p.resolve().parent, source=p.resolve())


def parse_config(text: str, *, base_dir: str | Path = ".", source: Path | None = None) -> Config:
    """Parse TOML text into a :class:`Config`; see :func:`load_config`.

    Parameters
    ----------
    text
        The TOML text.
    base_dir
        Folder that relative paths in the text are resolved against.
    source
        The file the text came from, for messages.

    Examples
    --------
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
    ... value = { function = "linear", low = 20, high = 300 }
    ... ''')
    >>> cfg.criteria[0].unit, cfg.method.name, cfg.project.crs
    ('ha', 'wlc', 'EPSG:27700')
    """
    where = str(source) if source else "config"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{where}: TOML syntax error: {exc}; fix the line named"
        raise ConfigError(msg) from exc
    except (TypeError, AttributeError) as exc:  # not text at all
        msg = f"{where}: expected TOML text, got {type(text).__name__}"
        raise ConfigError(msg) from exc
    return _build(raw, Path(base_dir), source, text, where)


def _build(raw: dict[str, Any], base: Path, source: Path | None, text: str, where: str) -> Config:
    _known(raw, SECTION_KEYS[""], "")
    for required in ("sites", "criteria"):
        if required not in raw:
            msg = f"{where}: missing section [{required}]; see docs/config.md for an example"
            raise ConfigError(msg)

    project = _project(_table(raw.get("project", {}), "project"))
    sites = _sites(_table(raw["sites"], "sites"), base)
    layers = {k: _layer(k, _table(v, f"layers.{k}"), base) for k, v in _table(raw.get("layers", {}), "layers").items()}
    crit_list = raw["criteria"]
    if not isinstance(crit_list, list) or not crit_list:
        msg = "criteria: expected one or more [[criteria]] tables"
        raise ConfigError(msg)
    criteria = tuple(_criterion(i, _table(c, f"criteria[{i}]"), layers) for i, c in enumerate(crit_list))
    names = [c.name for c in criteria]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        msg = f"criteria: duplicate criterion names {dupes}: give each criterion a unique name"
        raise ConfigError(msg)
    for c in criteria:
        if c.proxy is None:
            continue
        if c.proxy not in names or c.proxy == c.name:
            msg = f"criteria ({c.name}).proxy: no other criterion {c.proxy!r}{did_you_mean(c.proxy, names)}"
            raise ConfigError(msg)
        if next(p for p in criteria if p.name == c.proxy).value is None:
            msg = f"criteria ({c.name}).proxy: criterion {c.proxy!r} has no value function to stand in with; add one"
            raise ConfigError(msg)

    groups = list(dict.fromkeys(c.group for c in criteria))
    weights_raw = _table(raw.get("weights", {}), "weights")
    for g in weights_raw:
        if g not in groups:
            msg = f"weights.{g}: no criterion is in group {g!r}{did_you_mean(g, groups)}"
            raise ConfigError(msg)
    weights = {g: _number(weights_raw.get(g, 1.0), f"weights.{g}") for g in groups}
    _check_weights(weights, criteria)

    gates_raw = raw.get("gates", [])
    if not isinstance(gates_raw, list):
        msg = "gates: expected [[gates]] tables"
        raise ConfigError(msg)
    gates = tuple(_gate(i, _table(g, f"gates[{i}]"), names) for i, g in enumerate(gates_raw))
    method = _method(_table(raw.get("method", {}), "method"))
    check_method_params(method, sum(c.weight > 0 for c in criteria))
    portfolio = _portfolio(_table(raw["portfolio"], "portfolio")) if "portfolio" in raw else None
    return Config(project, sites, layers, criteria, weights, gates, method, source, text, portfolio)


def _opt_count(v: Any, ctx: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        msg = f"{ctx}: expected a whole number >= 0, got {v!r}"
        raise ConfigError(msg)
    return v


def _bound(v: Any, ctx: str) -> int | dict[str, int] | None:
    if isinstance(v, dict):
        return {str(k): int(_opt_count(x, f"{ctx}.{k}") or 0) for k, x in v.items()}
    return _opt_count(v, ctx)


def _mw_or_column(v: Any, ctx: str) -> str | float | None:
    if v is None or isinstance(v, str):
        return v
    return _number(v, ctx, minimum=0.0)


def _site_ids(v: Any, ctx: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(s, str | int) and not isinstance(s, bool) for s in v):
        msg = f'{ctx}: expected a list of site ids, e.g. ["GZ-007", "GZ-041"], got {v!r}'
        raise ConfigError(msg)
    return tuple(str(s) for s in v)


def _tables(v: Any, ctx: str) -> list[dict[str, Any]]:
    if not isinstance(v, list):
        msg = f"{ctx}: expected [[{ctx}]] tables"
        raise ConfigError(msg)
    return [_table(t, f"{ctx}[{i}]") for i, t in enumerate(v)]


def _portfolio(t: dict[str, Any]) -> PortfolioConfig:
    _known(t, SECTION_KEYS["portfolio"], "portfolio")
    per = []
    for i, g in enumerate(_tables(t.get("per", []), "portfolio.per")):
        ctx = f"portfolio.per[{i}]"
        _known(g, SECTION_KEYS["portfolio.per"], ctx)
        if "by" not in g:
            msg = f'{ctx}.by: missing; name a site column or a layer, e.g. by = "region"'
            raise ConfigError(msg)
        if "min" not in g and "max" not in g:
            msg = f"{ctx}: give min, max or both (a number for every group, or a table such as {{ Wales = 1 }})"
            raise ConfigError(msg)
        per.append(
            GroupLimit(
                _str(g["by"], f"{ctx}.by"),
                _bound(g.get("min"), f"{ctx}.min"),
                _bound(g.get("max"), f"{ctx}.max"),
                _opt_str(g.get("field"), f"{ctx}.field"),
            )
        )
    capacity = []
    for i, c in enumerate(_tables(t.get("capacity", []), "portfolio.capacity")):
        ctx = f"portfolio.capacity[{i}]"
        _known(c, SECTION_KEYS["portfolio.capacity"], ctx)
        for k in ("by", "headroom"):
            if k not in c:
                msg = (
                    f"{ctx}.{k}: missing; a capacity limit needs by and headroom, "
                    'e.g. by = "gsp_regions", headroom = 800'
                )
                raise ConfigError(msg)
        head = c["headroom"]
        capacity.append(CapacityLimit(_str(c["by"], f"{ctx}.by"),
                                      head if isinstance(head, str) else _number(head, f"{ctx}.headroom", minimum=0.0),
                                      _mw_or_column(c.get("demand"), f"{ctx}.demand"),
                                      _opt_str(c.get("field"), f"{ctx}.field")))  # fmt: skip
    seed = t.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        msg = f"portfolio.seed: expected a whole number >= 0, got {seed!r}"
        raise ConfigError(msg)
    core = _number(t.get("core", 0.9), "portfolio.core")
    if not 0 < core <= 1:
        msg = f"portfolio.core: {core:g} must be a share above 0 and at most 1, e.g. 0.9"
        raise ConfigError(msg)
    samples = _opt_count(t.get("samples", 200), "portfolio.samples")
    if not samples:
        msg = "portfolio.samples: must be at least 1"
        raise ConfigError(msg)
    return PortfolioConfig(
        count=_opt_count(t.get("count"), "portfolio.count"),
        min_count=_opt_count(t.get("min_count"), "portfolio.min_count"),
        max_count=_opt_count(t.get("max_count"), "portfolio.max_count"),
        demand=_mw_or_column(t.get("demand"), "portfolio.demand"),
        min_mw=_opt_number(t.get("min_mw"), "portfolio.min_mw", minimum=0.0),
        max_mw=_opt_number(t.get("max_mw"), "portfolio.max_mw", minimum=0.0),
        per=tuple(per),
        capacity=tuple(capacity),
        min_spacing_km=_opt_number(t.get("min_spacing_km"), "portfolio.min_spacing_km", minimum=0.0),
        locked_in=_site_ids(t.get("locked_in", []), "portfolio.locked_in"),
        locked_out=_site_ids(t.get("locked_out", []), "portfolio.locked_out"),
        floor=_number(t.get("floor", 0.0), "portfolio.floor"),
        time_limit=_opt_number(t.get("time_limit"), "portfolio.time_limit", minimum=0.0),
        mip_gap=_number(t.get("mip_gap", 0.0), "portfolio.mip_gap", minimum=0.0),
        samples=samples,
        core=core,
        seed=seed,
        concentration=_opt_number(t.get("concentration"), "portfolio.concentration", minimum=0.0),
    )


def _project(t: dict[str, Any]) -> ProjectConfig:
    _known(t, SECTION_KEYS["project"], "project")
    crs = _str(t.get("crs", "EPSG:27700"), "project.crs")
    _check_crs(crs)
    return ProjectConfig(
        name=_str(t.get("name", ProjectConfig.name), "project.name"),
        crs=crs,
        demo=_bool(t.get("demo", False), "project.demo"),
        description=_str(t.get("description", ""), "project.description"),
    )


def _check_crs(crs: str) -> None:
    from pyproj import CRS
    from pyproj.exceptions import CRSError as ProjCRSError

    try:
        c = CRS.from_user_input(crs)
    except ProjCRSError as exc:
        msg = f"project.crs: {crs!r} is not a CRS pyproj knows; use e.g. 'EPSG:27700'"
        raise ConfigError(msg) from exc
    if not c.is_projected or (c.axis_info and c.axis_info[0].unit_name not in ("metre", "meter")):
        msg = (
            f"project.crs: {crs!r} is not a projected CRS in metres; distances and areas need one "
            "(use 'EPSG:27700', British National Grid, for Great Britain)"
        )
        raise ConfigError(msg)


def _sites(t: dict[str, Any], base: Path) -> SitesConfig:
    _known(t, SECTION_KEYS["sites"], "sites")
    for k in ("path", "id", "name"):
        if k not in t:
            msg = f"sites.{k}: missing; [sites] needs path, id and name (the id and name columns)"
            raise ConfigError(msg)
    return SitesConfig(
        path=_path(t["path"], base, "sites.path"),
        id=_str(t["id"], "sites.id"),
        name=_str(t["name"], "sites.name"),
        layer=_opt_str(t.get("layer"), "sites.layer"),
        nation=_opt_str(t.get("nation"), "sites.nation"),
        district=_opt_str(t.get("district"), "sites.district"),
    )


def _layer(key: str, t: dict[str, Any], base: Path) -> LayerConfig:
    _known(t, SECTION_KEYS["layers"], f"layers.{key}")
    if not _NAME_RE.match(key):
        msg = f"layers.{key}: layer names may use letters, digits and underscores only"
        raise ConfigError(msg)
    if "path" not in t:
        msg = f"layers.{key}.path: missing; give the file of layer {key!r}"
        raise ConfigError(msg)
    path = _path(t["path"], base, f"layers.{key}.path")
    kind = t.get("kind", "raster" if path.suffix.lower() in RASTER_SUFFIXES else "vector")
    kind = choice(kind, LAYER_KINDS, f"layers.{key}.kind")
    nodata = t.get("nodata")
    return LayerConfig(
        key=key,
        path=path,
        kind=kind,
        layer=_opt_str(t.get("layer"), f"layers.{key}.layer"),
        band=int(_number(t.get("band", 1), f"layers.{key}.band", minimum=1)),
        nodata=None if nodata is None else _number(nodata, f"layers.{key}.nodata", allow_nan=True),
        synthetic=_bool(t.get("synthetic", False), f"layers.{key}.synthetic"),
        label=_str(t.get("label", ""), f"layers.{key}.label"),
    )


def _criterion(i: int, t: dict[str, Any], layers: Mapping[str, LayerConfig]) -> CriterionConfig:
    ctx = f"criteria[{i}]" + (f" ({t['name']})" if isinstance(t.get("name"), str) else "")
    _known(t, _CRITERION_KEYS, ctx)
    for k in ("name", "group", "measure"):
        if k not in t:
            msg = f"{ctx}.{k}: missing; every criterion needs name, group and measure"
            raise ConfigError(msg)
    name = _str(t["name"], f"{ctx}.name")
    if not _NAME_RE.match(name):
        msg = f"{ctx}.name: {name!r} must use letters, digits and underscores (it becomes a column name)"
        raise ConfigError(msg)
    measure = choice(t["measure"], tuple(MEASURES), f"{ctx}.measure")
    spec = _measure_specs()[measure]
    for need in spec.needs:
        if need not in t:
            msg = f"{ctx}.{need}: missing; measure {measure!r} needs {', '.join(spec.needs)}"
            raise ConfigError(msg)
    layer = _opt_str(t.get("layer"), f"{ctx}.layer")
    if layer is not None:
        if spec.reads == "sites":
            msg = f"{ctx}.layer: measure {measure!r} reads the sites themselves; remove 'layer'"
            raise ConfigError(msg)
        if layer not in layers:
            msg = f"{ctx}.layer: no layer {layer!r} in [layers]{did_you_mean(layer, list(layers))}"
            raise ConfigError(msg)
        want = spec.reads
        if layers[layer].kind != want:
            msg = f"{ctx}.layer: measure {measure!r} needs a {want} layer, but {layer!r} is a {layers[layer].kind}"
            if want == "raster":
                msg += (
                    " (read as vector from its file extension); point it at a raster, "
                    f'or set kind = "raster" in [layers.{layer}]'
                )
            else:
                msg += "; point it at a vector layer (GeoPackage, GeoJSON, Shapefile...)"
            raise ConfigError(msg)
    where = _opt_str(t.get("where"), f"{ctx}.where")
    if where is not None:
        if spec.reads != "vector":
            msg = f"{ctx}.where: filters apply to vector layers only; remove 'where' for measure {measure!r}"
            raise ConfigError(msg)
        parse_where(where, ctx=f"{ctx}.where")
    stat = _opt_str(t.get("stat"), f"{ctx}.stat")
    rng = t.get("range")
    if rng is not None:
        if not (isinstance(rng, list) and len(rng) == 2):
            msg = f"{ctx}.range: expected [low, high], got {rng!r}"
            raise ConfigError(msg)
        rng = (_number(rng[0], f"{ctx}.range[0]"), _number(rng[1], f"{ctx}.range[1]"))
        if rng[0] > rng[1]:
            msg = f"{ctx}.range: low {rng[0]} is above high {rng[1]}; swap them"
            raise ConfigError(msg)
    # The measure's own rules: the valid values of its text keys and any rule across its keys.
    for key, valid in spec.choices.items():
        if t.get(key) is not None:
            choice(_str(t[key], f"{ctx}.{key}"), valid, f"{ctx}.{key}")
    problem = spec.check({**t, "stat": stat, "range": rng}) if spec.check is not None else None
    if problem is not None:
        msg = f"{ctx}.{problem[0]}: {problem[1]}"
        raise ConfigError(msg)
    weight = _number(t.get("weight", 1.0), f"{ctx}.weight", minimum=0.0)
    value = t.get("value")
    vcfg = None
    if value is not None:
        vt = _table(value, f"{ctx}.value")
        fn = vt.get("function", "linear")
        vcfg = ValueConfig(_str(fn, f"{ctx}.value.function"), {k: v for k, v in vt.items() if k != "function"})
        _check_value_function(vcfg, f"{ctx}.value")
    elif weight > 0:
        msg = (
            f"{ctx}.value: missing; a weighted criterion needs a value function, e.g. "
            'value = { function = "linear", low = 0, high = 100 } (or set weight = 0 to only report it)'
        )
        raise ConfigError(msg)
    missing = choice(t.get("missing", "fail"), MISSING_POLICIES, f"{ctx}.missing")
    proxy = _opt_str(t.get("proxy"), f"{ctx}.proxy")
    if (missing == "proxy") != (proxy is not None):
        msg = (
            f'{ctx}.proxy: give proxy = "<criterion>" together with missing = "proxy" (the criterion whose value '
            "stands in where this one has none), and only then"
        )
        raise ConfigError(msg)
    return CriterionConfig(
        name=name,
        group=_str(t["group"], f"{ctx}.group"),
        measure=measure,
        label=_str(t.get("label", ""), f"{ctx}.label"),
        unit=_str(t.get("unit", _default_unit(measure)), f"{ctx}.unit"),
        layer=layer,
        where=where,
        attribute=_opt_str(t.get("attribute"), f"{ctx}.attribute"),
        max_distance_km=_opt_number(t.get("max_distance_km"), f"{ctx}.max_distance_km", minimum=0.0),
        radius_km=_opt_number(t.get("radius_km"), f"{ctx}.radius_km", minimum=0.0),
        stat=stat,
        range=rng,
        direction=choice(t.get("direction", "benefit"), DIRECTIONS, f"{ctx}.direction"),
        weight=weight,
        missing=missing,
        value=vcfg,
        uncertainty=_uncertainty(t.get("uncertainty"), f"{ctx}.uncertainty"),
        nations=_nations(t.get("nations"), f"{ctx}.nations"),
        proxy=proxy,
    )


def _nations(v: Any, ctx: str) -> tuple[str, ...] | None:
    """The nations a criterion's data covers (None: every site's nation)."""
    if v is None:
        return None
    if not isinstance(v, list) or not v:
        msg = f'{ctx}: expected a list of nations, e.g. ["England"]; choose from {", ".join(NATIONS)}'
        raise ConfigError(msg)
    return tuple(choice(x, NATIONS, f"{ctx}[{i}]") for i, x in enumerate(v))


def _uncertainty(v: Any, ctx: str) -> float | tuple[str, str] | None:
    """A relative range (0.3 = +/- 30%) or a [low_column, high_column] pair of site columns."""
    if v is None:
        return None
    if isinstance(v, list):
        if len(v) == 2 and all(isinstance(s, str) for s in v):
            return (v[0], v[1])
        msg = f'{ctx}: expected a relative range such as 0.3 or two site columns such as ["low", "high"], got {v!r}'
        raise ConfigError(msg)
    return _number(v, ctx, minimum=0.0)


def _default_unit(measure: str) -> str:
    return _measure_specs()[measure].unit


def _check_value_function(v: ValueConfig, ctx: str) -> None:
    from growthzones import mcda
    from growthzones.errors import GrowthzonesError

    try:
        mcda.value_function(v.function, **dict(v.params))
    except GrowthzonesError as exc:
        msg = f"{ctx}: {exc}"
        raise ConfigError(msg) from exc
    except TypeError as exc:
        msg = f"{ctx}: bad parameters for value function {v.function!r}: {exc}"
        raise ConfigError(msg) from exc


def _gate(i: int, t: dict[str, Any], criteria: list[str]) -> GateConfig:
    ctx = f"gates[{i}]"
    _known(t, SECTION_KEYS["gates"], ctx)
    for k in ("criterion", "op", "value"):
        if k not in t:
            msg = (
                f"{ctx}.{k}: missing; a gate needs criterion, op and value, "
                'e.g. criterion = "area", op = ">=", value = 20'
            )
            raise ConfigError(msg)
    crit = _str(t["criterion"], f"{ctx}.criterion")
    if crit not in criteria:
        msg = f"{ctx}.criterion: no criterion {crit!r}{did_you_mean(crit, criteria)}"
        raise ConfigError(msg)
    return GateConfig(
        criterion=crit,
        op=choice(t["op"], GATE_OPS, f"{ctx}.op"),
        value=_number(t["value"], f"{ctx}.value"),
        label=_str(t.get("label", ""), f"{ctx}.label"),
        enabled=_bool(t.get("enabled", True), f"{ctx}.enabled"),
        name=_str(t.get("name", ""), f"{ctx}.name"),
    )


def _method(t: dict[str, Any]) -> MethodConfig:
    from growthzones import mcda

    _known(t, SECTION_KEYS["method"], "method")
    name = choice(t.get("name", "wlc"), tuple(mcda.AGGREGATION_METHODS), "method.name")
    params = _table(t.get("params", {}), "method.params")
    return MethodConfig(name=name, params=dict(params))


def check_method_params(method: MethodConfig, m: int) -> None:
    """Try the method on a small matrix of ``m`` criteria, so bad params fail before any work."""
    import numpy as np

    from growthzones import mcda
    from growthzones.errors import GrowthzonesError

    if m < 1:
        return
    matrix = np.array([np.linspace(0.0, 1.0, m), np.linspace(1.0, 0.0, m), np.full(m, 0.5)])
    try:
        mcda.aggregate(method.name, matrix, np.full(m, 1.0 / m), np.ones(m), **dict(method.params))
    except GrowthzonesError as exc:
        msg = f"method.params: {exc}"
        raise ConfigError(msg) from exc
    except (TypeError, ValueError, ArithmeticError) as exc:
        msg = f"method.params: bad parameters for method {method.name!r}: {exc}"
        raise ConfigError(msg) from exc


def _check_weights(groups: Mapping[str, float], criteria: tuple[CriterionConfig, ...] | list[CriterionConfig]) -> None:
    from growthzones.errors import WeightError

    for g, w in groups.items():
        if w < 0 or not math.isfinite(w):
            msg = f"weights.{g}: {w} is not a non-negative number; weights must be >= 0"
            raise WeightError(msg)
    active = [g for g in groups if any(c.group == g and c.weight > 0 for c in criteria)]
    if not active or sum(groups[g] for g in active) <= 0:
        msg = "weights: all group weights are zero (or no criterion has a weight > 0); give at least one a weight > 0"
        raise WeightError(msg)


def parse_where(where: str, *, ctx: str = "where") -> list[tuple[str, str, Any]]:
    """Parse an attribute filter such as ``"voltage_kv >= 275 and status == 'live'"``.

    Returns
    -------
    list of (column, operator, value)

    Examples
    --------
    >>> parse_where("voltage_kv >= 275 and kind == 'motorway'")
    [('voltage_kv', '>=', 275.0), ('kind', '==', 'motorway')]
    """
    out: list[tuple[str, str, Any]] = []
    for part in re.split(r"\s+and\s+", where.strip(), flags=re.IGNORECASE):
        m = _WHERE_RE.match(part)
        if not m:
            msg = (
                f"{ctx}: cannot read condition {part.strip()!r}; write `column op value` joined by "
                "'and', with op one of == != >= <= > < and text values in quotes, e.g. \"voltage_kv >= 275\""
            )
            raise ConfigError(msg)
        val: Any = m["val"]
        val = val[1:-1] if val[0] in "'\"" else float(val)
        out.append((m["col"], m["op"], val))
    return out


# --------------------------------------------------------------------------------------------
# small checkers


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """The tail of an error message for a misspelt name: the closest choice, or all of them.

    Examples
    --------
    >>> did_you_mean("gird", ["grid", "water"])
    "; did you mean 'grid'?"
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; valid names: {', '.join(sorted(choices))}" if choices else ""


def _known(t: Mapping[str, Any], keys: tuple[str, ...], ctx: str) -> None:
    unknown = [k for k in t if k not in keys]
    if unknown:
        k = unknown[0]
        where = f"{ctx}.{k}" if ctx else k
        close = difflib.get_close_matches(k, keys, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(keys)}"
        msg = f"{where}: unknown key {k!r}; {hint}"
        raise ConfigError(msg)


def _table(v: Any, ctx: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        msg = f"{ctx}: expected a table, got {type(v).__name__} {v!r}"
        raise ConfigError(msg)
    return v


def _str(v: Any, ctx: str) -> str:
    if not isinstance(v, str):
        msg = f"{ctx}: expected text in quotes, got {type(v).__name__} {v!r}"
        raise ConfigError(msg)
    return v


def _opt_str(v: Any, ctx: str) -> str | None:
    return None if v is None else _str(v, ctx)


def _bool(v: Any, ctx: str) -> bool:
    if not isinstance(v, bool):
        msg = f"{ctx}: expected true or false, got {v!r}"
        raise ConfigError(msg)
    return v


def _number(v: Any, ctx: str, *, minimum: float | None = None, allow_nan: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        msg = f"{ctx}: expected a number, got {type(v).__name__} {v!r}"
        if isinstance(v, str) and _is_number_text(v):
            msg += f"; write it without quotes: {v.strip()}"
        raise ConfigError(msg)
    f = float(v)
    if not allow_nan and not math.isfinite(f):
        msg = f"{ctx}: expected a finite number, got {v!r}"
        raise ConfigError(msg)
    if minimum is not None and f < minimum:
        msg = f"{ctx}: {v!r} is below the minimum {minimum:g}"
        raise ConfigError(msg)
    return f


def _is_number_text(v: str) -> bool:
    try:
        return math.isfinite(float(v))
    except ValueError:
        return False


def _opt_number(v: Any, ctx: str, *, minimum: float | None = None) -> float | None:
    return None if v is None else _number(v, ctx, minimum=minimum)


def choice(v: Any, choices: tuple[str, ...], ctx: str) -> str:
    """``v`` if it is one of ``choices``, else a :class:`ConfigError` naming ``ctx`` and the choices.

    Examples
    --------
    >>> choice("wlc", ("wlc", "topsis"), "method")
    'wlc'
    """
    if not isinstance(v, str) or v not in choices:
        close = difflib.get_close_matches(str(v), choices, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        msg = f"{ctx}: {v!r} is not valid; {hint}valid choices: {', '.join(choices)}"
        raise ConfigError(msg)
    return v


def _path(v: Any, base: Path, ctx: str) -> Path:
    s = _str(v, ctx)
    p = Path(s).expanduser()
    return p if p.is_absolute() else (base / p)


def _fmt(x: float) -> str:
    return f"{x:g}"


# --------------------------------------------------------------------------------------------
# writing


def _plain(v: Any) -> Any:
    """A config value as TOML-ready data (paths as text, tuples as lists, mappings as dicts)."""
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def _to_toml(cfg: Config) -> str:
    # tomli-w writes every string, float (full precision) and nesting as valid TOML; a
    # hand-written writer got newlines in labels and 123456789.0 (written as 1.23457e+08) wrong.
    project = {f.name: getattr(cfg.project, f.name) for f in dataclasses.fields(ProjectConfig)}
    doc: dict[str, Any] = {"project": {k: v for k, v in project.items() if v is not None}}
    sites = {"path": cfg.sites.path, "id": cfg.sites.id, "name": cfg.sites.name}
    if cfg.sites.layer:
        sites["layer"] = cfg.sites.layer
    if cfg.sites.nation:
        sites["nation"] = cfg.sites.nation
    if cfg.sites.district:
        sites["district"] = cfg.sites.district
    doc["sites"] = sites
    layers: dict[str, Any] = {}
    for key, lay in cfg.layers.items():
        entry: dict[str, Any] = {"path": lay.path, "kind": lay.kind}
        for k in ("layer", "nodata", "label"):
            if getattr(lay, k) not in (None, ""):
                entry[k] = getattr(lay, k)
        if lay.band != 1:
            entry["band"] = lay.band
        if lay.synthetic:
            entry["synthetic"] = True
        layers[key] = entry
    doc["layers"] = layers
    doc["weights"] = dict(cfg.weights)
    doc["method"] = {"name": cfg.method.name, "params": dict(cfg.method.params)}
    criteria = []
    for c in cfg.criteria:
        entry = {}
        for f in dataclasses.fields(CriterionConfig):
            v = getattr(c, f.name)
            if v is None or (f.name in ("label", "unit") and v == ""):
                continue
            if f.name == "value":
                v = {"function": v.function, **dict(v.params)}
            entry[f.name] = v
        criteria.append(entry)
    doc["criteria"] = criteria
    gates = []
    for g in cfg.gates:
        entry = {"criterion": g.criterion, "op": g.op, "value": g.value, "enabled": g.enabled}
        if g.label:
            entry["label"] = g.label
        if g.name:
            entry["name"] = g.name
        gates.append(entry)
    if gates:
        doc["gates"] = gates
    if cfg.portfolio is not None:
        doc["portfolio"] = _portfolio_doc(cfg.portfolio)
    return "# growthzones config\n\n" + tomli_w.dumps(_plain(doc))


def _portfolio_doc(pc: PortfolioConfig) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(PortfolioConfig):
        v = getattr(pc, f.name)
        if v is None or (v == () and f.name in ("per", "capacity")):
            continue
        if f.name in ("per", "capacity"):
            v = [{k: x for k, x in dataclasses.asdict(g).items() if x is not None} for g in v]
        out[f.name] = v
    return out
