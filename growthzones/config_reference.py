"""The config reference, ``docs/config.md``, generated from the config schema itself.

Every key comes from :data:`growthzones.config.SECTION_KEYS` (the keys the parser accepts),
its type and default from the config dataclasses, its allowed values from the parser's
constants and the mcda registries, and the parameters of value functions and aggregation
methods from their signatures and numpydoc docstrings. Only the one-line descriptions and
the examples are written here, and :func:`generate` refuses to run when a key, measure,
value function or method has none, so the reference cannot fall behind the code.

Regenerate it with::

    python -m growthzones.config_reference > docs/config.md

``tests/test_docs.py`` fails when the committed file differs from :func:`generate`.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from growthzones import config as C  # noqa: N812
from growthzones import mcda
from growthzones.criteria.measures import MEASURES as MEASURE_SPECS
from growthzones.mcda.params import MethodSpec

__all__ = [
    "EXAMPLE_CONFIG",
    "KEY_DOCS",
    "SECTION_CLASSES",
    "KeyDoc",
    "documented_keys",
    "generate",
    "key_doc",
    "main",
    "param_docs",
]


@dataclass(frozen=True)
class KeyDoc:
    """The hand-written part of a key's documentation.

    Attributes
    ----------
    description
        One line: what the key does.
    example
        A TOML value that the parser accepts for the key (the docs test feeds it to
        :func:`growthzones.config.parse_config`).
    required
        Whether the parser refuses a table without it.
    """

    description: str
    example: str
    required: bool = False


#: The dataclass each section is read into (types and defaults come from its fields).
SECTION_CLASSES: dict[str, type] = {
    "project": C.ProjectConfig,
    "sites": C.SitesConfig,
    "layers": C.LayerConfig,
    "criteria": C.CriterionConfig,
    "gates": C.GateConfig,
    "method": C.MethodConfig,
    "portfolio": C.PortfolioConfig,
    "portfolio.per": C.GroupLimit,
    "portfolio.capacity": C.CapacityLimit,
}

#: How each section is written in TOML, and what it is for.
SECTION_DOCS: dict[str, tuple[str, bool, str]] = {
    "project": ("[project]", False, "Project-wide settings: name and working CRS."),
    "sites": ("[sites]", True, "The candidate sites (polygons) and their id and name columns."),
    "layers": ("[layers.<name>]", False, "One table per input layer, vector or raster; criteria refer to `<name>`."),
    "weights": ("[weights]", False, "Group weights, one `<group> = <number>` per group."),
    "criteria": ("[[criteria]]", True, "One table per criterion: how it is measured, valued and weighted."),
    "gates": ("[[gates]]", False, "One table per hard constraint on a criterion's raw value."),
    "method": ("[method]", False, "The aggregation method that turns 0..1 values into a 0-100 score."),
    "portfolio": (
        "[portfolio]",
        False,
        "Limits for `growthzones portfolio`: the best set of sites under count, regional, capacity and spacing "
        "limits (see [portfolio](portfolio.md)).",
    ),
}

#: Tables inside a section, documented after it: (TOML name, what).
SUBSECTION_DOCS: dict[str, tuple[str, str]] = {
    "portfolio.per": ("[[portfolio.per]]", "One table per minimum/maximum number of chosen sites per group."),
    "portfolio.capacity": (
        "[[portfolio.capacity]]",
        "One table per shared capacity: the chosen sites' demand in each group within the group's headroom.",
    ),
}

#: Description, example and whether required, for every key of every section.
KEY_DOCS: dict[str, dict[str, KeyDoc]] = {
    "project": {
        "name": KeyDoc("Shown in outputs: map title, GeoPackage `run` table, reports.", '"My region"'),
        "crs": KeyDoc(
            "Working CRS: every layer is checked and reprojected to it. Must be projected, in metres.",
            '"EPSG:27700"',
        ),
        "demo": KeyDoc("`true` marks illustrative demo data: every output says so.", "false"),
        "description": KeyDoc("Free text shown in outputs.", '"Bids received by March 2025"'),
    },
    "sites": {
        "path": KeyDoc(
            "File of candidate site polygons (GeoPackage, GeoJSON, Shapefile...), relative to the config.",
            '"bids.gpkg"',
            required=True,
        ),
        "layer": KeyDoc("Layer inside the file; may be left out when the file has one layer.", '"bids"'),
        "id": KeyDoc("Column holding a unique id per site (read as text).", '"bid_id"', required=True),
        "name": KeyDoc("Column holding each site's display name.", '"name"', required=True),
        "nation": KeyDoc(
            "Column holding each site's nation (England, Scotland or Wales): criteria whose data cover only "
            "some nations treat the others by their `missing` policy (see `nations`).",
            '"country"',
        ),
        "district": KeyDoc(
            "Column holding each site's district: outputs add a district summary (each district's best "
            "site, its number of eligible sites and their score spread).",
            '"lad_name"',
        ),
    },
    "layers": {
        "path": KeyDoc("The layer's file, relative to the config.", '"grid.gpkg"', required=True),
        "layer": KeyDoc("Layer inside a multi-layer vector file (GeoPackage); optional otherwise.", '"substations"'),
        "kind": KeyDoc(
            "`vector` or `raster`; by default `raster` for the file extensions "
            + ", ".join(f"`{s}`" for s in C.RASTER_SUFFIXES)
            + ", else `vector`.",
            '"vector"',
        ),
        "band": KeyDoc("Raster band read by `zonal` criteria, counted from 1.", "1"),
        "nodata": KeyDoc(
            "Raster nodata value, overriding the file's tag (a file without a tag whose values look "
            "like a sentinel such as -9999 is refused until this is set).",
            "-9999",
        ),
        "synthetic": KeyDoc("`true` marks synthetic data: outputs and maps say so.", "false"),
        "label": KeyDoc("Display name of the layer in maps and reports.", '"Supergrid substations"'),
    },
    "criteria": {
        "name": KeyDoc(
            "Unique name; letters, digits and underscores (it becomes a column of every output).",
            '"grid_distance"',
            required=True,
        ),
        "group": KeyDoc(
            "Weight group, e.g. `grid`, `land`, `water`; its weight is set in `[weights]`.", '"grid"', required=True
        ),
        "measure": KeyDoc(
            "How the raw value is computed; see [Measures](#measures) for the keys each one needs.",
            '"distance"',
            required=True,
        ),
        "label": KeyDoc(
            "Shown in tables, gate reasons and explanations (default: the name with spaces).",
            '"Distance to nearest 275 kV+ substation"',
        ),
        "unit": KeyDoc(
            "Unit shown with raw values; the default depends on the measure (see [Measures](#measures)).", '"km"'
        ),
        "layer": KeyDoc(
            "The `[layers.<name>]` the measure reads: a raster for `zonal`, a vector for the others; "
            "not used by `attribute` and `area`.",
            '"substations"',
        ),
        "where": KeyDoc(
            "Filter on a vector layer's features before measuring; see [Where filters](#where-filters).",
            '"voltage_kv >= 275"',
        ),
        "attribute": KeyDoc(
            "Numeric column: of the nearest feature (`nearest_attribute`), summed (`sum_within`), or "
            "of the site itself (`attribute`).",
            '"headroom_mw"',
        ),
        "max_distance_km": KeyDoc(
            "`nearest_attribute` only: no value when the nearest feature is further than this.", "50"
        ),
        "radius_km": KeyDoc(
            "`sum_within` and `count_within`: search radius around the site's edge, km.", "10", required=False
        ),
        "stat": KeyDoc(
            "`zonal` statistic, weighted by the share of each cell inside the site.", '"mean"', required=False
        ),
        "range": KeyDoc(
            '`[low, high]`, inclusive: `stat = "fraction"` gives the share of the site whose raster value lies in it.',
            "[0.5, 1.0]",
        ),
        "direction": KeyDoc(
            "`benefit`: more is better; `cost`: less is better. Applied by the value function.", '"cost"'
        ),
        "weight": KeyDoc(
            "Weight within its group (normalised to sum to 1 in each group). 0: reported and gateable "
            "only, and no value function needed.",
            "0.5",
        ),
        "missing": KeyDoc(
            "Sites without a value (or in a nation the data do not cover): `fail` stops with an error naming "
            "them, `worst` gives them value 0, `exclude` makes them ineligible, `unknown` gives them the median "
            "value of the sites with data and lets robustness runs sample it over the observed range, `proxy` "
            "takes the value of the criterion named by `proxy`.",
            '"unknown"',
        ),
        "value": KeyDoc(
            "Value function mapping the raw value to 0..1: `{ function = <name>, <parameters> }`; required "
            "when `weight` > 0. See [Value functions](#value-functions).",
            '{ function = "linear", low = 0, high = 25 }',
        ),
        "uncertainty": KeyDoc(
            "How uncertain the raw value is, for robustness runs: a relative range (0.3 = +/- 30%) or "
            "`[low_column, high_column]`, two site columns holding each site's low and high values.",
            "0.3",
        ),
        "nations": KeyDoc(
            "The nations the criterion's data cover; sites elsewhere (by `[sites] nation`) get no value and "
            "are treated by `missing`. By default taken from the layer's `nations` in a GB stack's "
            "`layer_metadata`, else every nation.",
            '["England"]',
        ),
        "proxy": KeyDoc(
            'With `missing = "proxy"`: the criterion whose 0..1 value stands in where this one has none.',
            '"former_station_km"',
        ),
    },
    "gates": {
        "criterion": KeyDoc("The criterion whose raw value is tested.", '"grid_distance"', required=True),
        "op": KeyDoc("Comparison: the site passes when `value_of_site <op> value`.", '"<="', required=True),
        "value": KeyDoc("Threshold, in the criterion's raw unit.", "25", required=True),
        "label": KeyDoc(
            'Used in the reason a site fails, e.g. "nearest 275 kV+ substation is 37.2 km; gate requires '
            "<= 25 km\" (default: the criterion's label).",
            '"nearest 275 kV+ substation"',
        ),
        "enabled": KeyDoc("`false` keeps the gate in the file without applying it.", "true"),
        "name": KeyDoc(
            "Stable identifier of the gate (default `<criterion> <op> <value>`); its pass/fail column "
            "is `gate: <name>`.",
            '"grid_25km"',
        ),
    },
    "portfolio": {
        "count": KeyDoc("Exactly this many sites.", "10"),
        "min_count": KeyDoc("At least this many sites.", "5"),
        "max_count": KeyDoc("At most this many sites (with a `floor`, fewer when that scores more).", "12"),
        "demand": KeyDoc(
            "MW each site asks for: a site column or a number (for `min_mw`, `max_mw`, capacity).", '"power_need_mw"'
        ),
        "min_mw": KeyDoc("The chosen sites' total demand at least this many MW.", "2000"),
        "max_mw": KeyDoc("The chosen sites' total demand at most this many MW.", "5000"),
        "per": KeyDoc(
            "Minimum/maximum sites per group; usually written as `[[portfolio.per]]` tables.",
            '[{ by = "region", max = 3 }]',
        ),
        "capacity": KeyDoc(
            "Shared capacity per group; usually written as `[[portfolio.capacity]]` tables.",
            '[{ by = "region", headroom = 1500, demand = 300 }]',
        ),
        "min_spacing_km": KeyDoc("Chosen sites' centroids at least this far apart, km.", "20"),
        "locked_in": KeyDoc("Site ids that must be chosen.", '["GZ-107"]'),
        "locked_out": KeyDoc("Site ids that must not be chosen.", '["GZ-041"]'),
        "floor": KeyDoc(
            "Maximise the total of score minus this: sites below it are taken only when a limit needs them.", "50"
        ),
        "time_limit": KeyDoc("Seconds per solve; when hit, the best set found and its gap are reported.", "60"),
        "mip_gap": KeyDoc("Relative gap at which the solver may stop (0: proven optimum).", "0.01"),
        "samples": KeyDoc("Weight (and input) samples of the robust run (`--robust`).", "200"),
        "core": KeyDoc("Share of samples a site must be chosen in to be in the robust core.", "0.9"),
        "seed": KeyDoc("Seed of the robust run (same seed, same samples as `growthzones robustness`).", "1"),
        "concentration": KeyDoc(
            "Sample weights around the configured ones with this Dirichlet precision (default: uniform).", "50"
        ),
    },
    "portfolio.per": {
        "by": KeyDoc(
            "A site column (`region`, `nation`...) or a vector layer in `[layers]` (polygons: largest "
            "overlap; points and lines: nearest feature).",
            '"region"',
            required=True,
        ),
        "min": KeyDoc(
            "At least this many chosen sites in every group, or a table `{ group = number }`.", "{ Wales = 1 }"
        ),
        "max": KeyDoc("At most this many chosen sites in every group, or a table `{ group = number }`.", "3"),
        "field": KeyDoc(
            "For a layer: the attribute naming its groups (default `name`, else the first).", '"region_name"'
        ),
    },
    "portfolio.capacity": {
        "by": KeyDoc(
            "A site column or a vector layer (e.g. GSP regions), as for `[[portfolio.per]]`.", '"region"', required=True
        ),
        "headroom": KeyDoc(
            "MW each group can give: a number, a site column (same value within a group) or the layer's attribute.",
            "1500",
            required=True,
        ),
        "demand": KeyDoc("MW each site asks for: a site column or a number (default: `[portfolio] demand`).", "300"),
        "field": KeyDoc("For a layer: the attribute naming its groups.", '"gsp_id"'),
    },
    "method": {
        "name": KeyDoc(
            "Aggregation method; see [Aggregation methods](#aggregation-methods).", '"topsis"', required=False
        ),
        "params": KeyDoc("The method's parameters, as an inline table.", '{ normalization = "vector" }'),
    },
}

#: A complete small config (the docs test parses it).
EXAMPLE_CONFIG = """\
[project]
name = "My region"
crs = "EPSG:27700"            # projected, metres

[sites]
path = "bids.gpkg"            # paths are relative to this file
id = "bid_id"
name = "name"

[layers.substations]
path = "grid.gpkg"
layer = "substations"

[layers.water_stress]
path = "water_stress.tif"     # a raster, from the extension
nodata = -9999

[weights]                     # normalised if they do not sum to 1
grid = 0.6
water = 0.2
land = 0.2

[[criteria]]
name = "grid_distance"
label = "Distance to nearest 275 kV+ substation"
group = "grid"
measure = "distance"
layer = "substations"
where = "voltage_kv >= 275"
direction = "cost"
value = { function = "linear", low = 0, high = 30 }

[[criteria]]
name = "grid_headroom"
group = "grid"
unit = "MW"
measure = "nearest_attribute"
layer = "substations"
where = "voltage_kv >= 275"
attribute = "headroom_mw"
max_distance_km = 30
missing = "worst"             # no substation within 30 km: value 0
value = { function = "linear", low = 0, high = 1000 }

[[criteria]]
name = "water_stress"
group = "water"
measure = "zonal"
layer = "water_stress"
stat = "mean"
direction = "cost"
value = { function = "linear", low = 0, high = 1 }

[[criteria]]
name = "site_area"
group = "land"
measure = "area"
value = { function = "linear", low = 20, high = 300 }

[[gates]]
criterion = "grid_distance"
op = "<="
value = 25
label = "nearest 275 kV+ substation"

[method]
name = "wlc"
"""

# TOML types of the dataclass annotations (``from __future__ import annotations`` keeps them as text).
_TOML_TYPES = {
    "str": "string",
    "str | None": "string",
    "Path": "string (path)",
    "bool": "boolean",
    "int": "integer",
    "float": "number",
    "float | None": "number",
    "tuple[float, float] | None": "array of 2 numbers",
    "Mapping[str, Any]": "inline table",
    "ValueConfig | None": "inline table",
    "float | tuple[str, str] | None": "number, or array of 2 strings",
    "tuple[str, ...] | None": "array of strings",
    "int | None": "integer",
    "str | float | None": "string (column) or number",
    "str | float": "string (column) or number",
    "tuple[str, ...]": "array of strings",
    "tuple[GroupLimit, ...]": "array of tables",
    "tuple[CapacityLimit, ...]": "array of tables",
    "int | Mapping[str, int] | None": "integer, or table of integers",
}

# Defaults that the parser works out rather than stores in the dataclass.
_COMPUTED_DEFAULTS = {
    ("layers", "kind"): "from the file extension",
    ("criteria", "unit"): "by measure",
    ("criteria", "label"): "the name",
    ("gates", "label"): "the criterion's label",
    ("gates", "name"): "from criterion, op and value",
}


def _allowed(section: str, key: str) -> str:
    """Allowed values of a key, from the parser's constants and the mcda registries."""
    choices: Mapping[tuple[str, str], Any] = {
        ("layers", "kind"): C.LAYER_KINDS,
        ("criteria", "measure"): tuple(C.MEASURES),
        ("criteria", "stat"): C.ZONAL_STATS,
        ("criteria", "direction"): C.DIRECTIONS,
        ("criteria", "missing"): C.MISSING_POLICIES,
        ("criteria", "nations"): C.NATIONS,
        ("criteria", "value"): tuple(f"function = {name}" for name in mcda.VALUE_FUNCTIONS),
        ("gates", "op"): C.GATE_OPS,
        ("method", "name"): tuple(mcda.AGGREGATION_METHODS),
    }
    if (section, key) in choices:
        return ", ".join(f"`{c}`" for c in choices[(section, key)])
    return {
        ("project", "crs"): "a projected CRS in metres that pyproj reads",
        ("layers", "band"): ">= 1",
        ("layers", "nodata"): "a number, or `nan`",
        ("criteria", "name"): "letters, digits, `_`",
        ("criteria", "weight"): ">= 0",
        ("criteria", "max_distance_km"): ">= 0",
        ("criteria", "radius_km"): ">= 0",
        ("criteria", "range"): "low <= high",
        ("criteria", "uncertainty"): ">= 0, or two site column names",
        ("criteria", "layer"): "a key of `[layers]`",
        ("criteria", "proxy"): "another criterion's name",
        ("gates", "criterion"): "a criterion's name",
        ("portfolio", "core"): "above 0, at most 1",
        ("portfolio", "min_spacing_km"): ">= 0",
        ("portfolio", "count"): ">= 0",
        ("portfolio.per", "by"): "a site column or a key of `[layers]`",
        ("portfolio.capacity", "by"): "a site column or a key of `[layers]`",
        ("portfolio.capacity", "headroom"): ">= 0",
    }.get((section, key), "")


def _field_type_default(section: str, key: str) -> tuple[str, str]:
    cls = SECTION_CLASSES[section]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    f = fields[key]
    toml_type = _TOML_TYPES[str(f.type)]
    if key_doc(section, key).required:
        return toml_type, "required"
    if (section, key) in _COMPUTED_DEFAULTS:
        return toml_type, _COMPUTED_DEFAULTS[(section, key)]
    if f.default is not dataclasses.MISSING:
        default = f.default
    elif f.default_factory is not dataclasses.MISSING:
        default = f.default_factory()
    else:
        return toml_type, "required"
    return toml_type, _toml(default)


def _toml(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, Mapping) and not v:
        return "`{}`"
    if isinstance(v, tuple) and not v:
        return "`[]`"
    if isinstance(v, bool):
        return f"`{str(v).lower()}`"
    if isinstance(v, str):
        return f'`"{v}"`' if v else '`""`'
    return f"`{v!r}`"


def key_doc(section: str, key: str) -> KeyDoc:
    """The :class:`KeyDoc` of ``section.key``; raises ``KeyError`` naming an undocumented key.

    Examples
    --------
    >>> key_doc("criteria", "radius_km").example
    '10'
    """
    try:
        return KEY_DOCS[section][key]
    except KeyError:
        msg = (
            f"config key {section}.{key} is accepted by the parser but has no entry in "
            "growthzones.config_reference.KEY_DOCS: add its description and example there"
        )
        raise KeyError(msg) from None


def documented_keys() -> dict[str, tuple[str, ...]]:
    """The keys documented for each section (the parser's :data:`~growthzones.config.SECTION_KEYS`).

    Examples
    --------
    >>> documented_keys()["gates"]
    ('criterion', 'op', 'value', 'label', 'enabled', 'name')
    """
    return {s: tuple(keys) for s, keys in C.SECTION_KEYS.items() if s}


_ROLE = re.compile(r":\w+:`~?([^`]+)`")


def _md(text: str) -> str:
    """RST inline markup to Markdown: roles become code, ``x`` becomes `x`."""
    text = _ROLE.sub(r"``\1``", text)
    return re.sub(r"``([^`]+)``", r"`\1`", text).replace("|", "\\|")


def param_docs(func: Callable[..., Any]) -> dict[str, str]:
    """Parameter descriptions from a numpydoc ``Parameters`` section, one line each.

    An entry naming several parameters (``low, high``) gives each of them its text.

    Examples
    --------
    >>> param_docs(mcda.aggregation.vikor)["v"]
    'Weight of the group-utility ("majority") strategy, 0..1.'
    """
    doc = inspect.getdoc(func) or ""
    lines = doc.splitlines()
    out: dict[str, str] = {}
    try:
        start = next(i for i, line in enumerate(lines[:-1]) if line == "Parameters" and lines[i + 1].startswith("---"))
    except StopIteration:
        return out
    names: list[str] = []
    for i in range(start + 2, len(lines)):
        line = lines[i]
        if i + 1 < len(lines) and lines[i + 1].startswith("---") and line and not line.startswith(" "):
            break  # the next section
        if line and not line.startswith(" "):
            names = [n.strip().lstrip("*") for n in line.split(":")[0].split(",")]
            for n in names:
                out[n] = ""
        elif line.strip():
            for n in names:
                out[n] = (out[n] + " " + line.strip()).strip()
    return out


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?\.)(\s|$)", text)
    return m.group(1) if m else text


def _signature_rows(func: Callable[..., Any], skip: tuple[str, ...]) -> list[tuple[str, str, str]]:
    docs = param_docs(func)
    rows = []
    for p in inspect.signature(func).parameters.values():
        if p.name in skip or p.kind not in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD):
            continue
        default = "required" if p.default is inspect.Parameter.empty else _toml(p.default)
        rows.append((f"`{p.name}`", default, _md(docs.get(p.name, ""))))
    return rows


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _section(section: str) -> list[str]:
    if section in SUBSECTION_DOCS:
        toml_name, what = SUBSECTION_DOCS[section]
        required = False
    else:
        toml_name, required, what = SECTION_DOCS[section]
    lines = [f"## `{toml_name}`", "", what + (" Required." if required else ""), ""]
    rows = []
    for key in C.SECTION_KEYS[section]:
        d = key_doc(section, key)
        toml_type, default = _field_type_default(section, key)
        rows.append((f"`{key}`", toml_type, default, _allowed(section, key), d.description, f"`{d.example}`"))
    lines += _table(("key", "type", "default", "allowed", "description", "example"), rows)
    return [*lines, ""]


def _measures() -> list[str]:
    lines = [
        "## Measures",
        "",
        "Each criterion's `measure` says how its raw value is computed for every site, in real units. "
        "Keys needed are refused when missing; the other keys listed are optional.",
        "",
    ]
    rows = []
    for m, spec in MEASURE_SPECS.items():
        kind = "the sites" if spec.reads == "sites" else spec.reads
        rows.append(
            (
                f"`{m}`",
                kind,
                ", ".join(f"`{k}`" for k in spec.needs) or "nothing more",
                ", ".join(f"`{k}`" for k in spec.uses) or "",
                f"`{spec.unit}`" if spec.unit else "none",
                spec.doc,
            )
        )
    lines += _table(("measure", "reads", "needs", "also uses", "default unit", "value"), rows)
    return [*lines, ""]


def _where() -> list[str]:
    return [
        "## Where filters",
        "",
        "`where` keeps the features of a vector layer that match every condition: `column op value`, "
        "joined by `and`, with `op` one of " + ", ".join(f"`{o}`" for o in C.GATE_OPS) + ", and `value` "
        "a number or a quoted text. For example `where = \"voltage_kv >= 275 and status == 'live'\"`. "
        "The column must exist in the layer; `growthzones validate` reports a filter that matches nothing.",
        "",
    ]


def _weights() -> list[str]:
    return [
        "## `[weights]`",
        "",
        SECTION_DOCS["weights"][2],
        "",
        "Each key is a group named by some criterion's `group`; the value is a number >= 0. A group "
        "left out gets weight 1. Group weights are normalised to sum to 1 over the groups with a "
        "weighted criterion, and each criterion's `weight` is normalised within its group, so a "
        "criterion's global weight is `group weight x weight within group`. An unknown group is an "
        'error with a "did you mean".',
        "",
        "```toml",
        "[weights]",
        "grid = 0.35",
        "land = 0.2",
        "connectivity = 0.2",
        "water = 0.15",
        "planning = 0.1",
        "```",
        "",
    ]


def _value_functions() -> list[str]:
    lines = [
        "## Value functions",
        "",
        "A criterion's `value` table names a function of `growthzones.mcda.VALUE_FUNCTIONS` and gives "
        "its parameters, in the criterion's raw unit. Every function maps onto 0..1 (1 best) in its "
        'benefit form; the criterion\'s `direction = "cost"` turns it into `1 - f`, so keep '
        "`low < high` for a cost criterion too. A site without a raw value has no value (see `missing`).",
        "",
    ]
    descriptions = mcda.describe_value_functions()
    for name, func in mcda.VALUE_FUNCTIONS.items():
        lines += [f"### `{name}`", "", _md(descriptions[name]), ""]
        rows = _signature_rows(func, skip=("direction",))
        lines += _table(("parameter", "default", "description"), rows)
        lines += ["", "```toml", f"value = {mcda.VALUE_SPECS[name].example}", "```", ""]
    return lines


def _methods() -> list[str]:
    lines = [
        "## Aggregation methods",
        "",
        "`[method]` names a method of `growthzones.mcda.AGGREGATION_METHODS`; `params` holds its "
        "parameters. Every method receives the 0..1 values of the eligible sites and the global "
        "criterion weights and returns a score in 0..1 (higher is better), shown as 0-100. Because "
        'the values are already on a 0..1 scale, `normalization = "auto"` uses them as they are, and '
        "thresholds such as PROMETHEE II's `q` and `p` are on the 0..1 value scale. See the "
        "[user guide](user-guide.md#methods) for what each method means for a ranking.",
        "",
    ]
    for name, spec in mcda.METHOD_SPECS.items():
        lines += [f"### `{name}`", "", _md(spec.doc), "", *_spec_table(spec, skip=("matrix", "weights", "directions"))]
        lines += ["", "```toml", "[method]", spec.example, "```", ""]
    return lines


def _spec_table(spec: MethodSpec, skip: tuple[str, ...] = ()) -> list[str]:
    """A method's parameters (signature defaults, declared ranges and help) as a Markdown table."""
    rows = []
    for key, default, text in _signature_rows(spec.func, skip=skip):
        declared = spec.param(key.strip("`"))
        allowed = declared.allowed() if declared else ""
        text = text or _md(declared.help if declared else "")
        rows.append((key, default, allowed, text))
    return _table(("parameter", "default", "allowed", "description"), rows) if rows else ["No parameters."]


def _weighting_methods() -> list[str]:
    lines = [
        "## Weighting methods",
        "",
        "A config gives weights directly (`[weights]` and each criterion's `weight`). To derive them "
        "instead (from ranks, pairwise judgements or the spread of the data), call "
        "`growthzones.mcda.weights(name, ...)` with a method of `growthzones.mcda.WEIGHTING_METHODS` "
        "and put the result in the config; every method returns non-negative weights summing to 1.",
        "",
    ]
    for name, spec in mcda.WEIGHTING_SPECS.items():
        lines += [f"### `{name}`", "", _md(spec.doc), "", *_spec_table(spec)]
        if spec.example:
            lines += ["", "```python", f'weights("{name}", {spec.example})', "```"]
        lines.append("")
    return lines


def generate() -> str:
    """The whole reference as Markdown (the content of ``docs/config.md``).

    Raises
    ------
    KeyError
        A key, measure, value function or method without a description or example here.

    Examples
    --------
    >>> text = generate()
    >>> "## `[[criteria]]`" in text and "### `topsis`" in text
    True
    """
    lines = [
        "# Config reference",
        "",
        "<!-- Generated by `python -m growthzones.config_reference > docs/config.md` from the config "
        "schema (growthzones/config.py, growthzones/mcda); do not edit by hand. tests/test_docs.py fails "
        "when this file is out of date. -->",
        "",
        "A growthzones config is a TOML file. Paths inside it are relative to the file's folder. Every "
        "key is checked: an unknown or misspelt key, a wrong type or a value out of range stops with one "
        'line naming the key and the fix (with a "did you mean" for misspellings). '
        "`growthzones validate my.toml` also opens every file and reports every problem it finds. "
        "The [user guide](user-guide.md) explains the concepts.",
        "",
        "## A complete example",
        "",
        "```toml",
        EXAMPLE_CONFIG.rstrip("\n"),
        "```",
        "",
        "## Sections",
        "",
    ]
    lines += _table(
        ("section", "required", "holds"),
        [(f"`{t}`", "yes" if req else "no", what) for t, req, what in SECTION_DOCS.values()],
    )
    unknown = [s for s in C.SECTION_KEYS[""] if s not in SECTION_DOCS]
    if unknown:
        msg = f"sections {unknown} have no entry in growthzones.config_reference.SECTION_DOCS: add them there"
        raise KeyError(msg)
    lines.append("")
    for section in C.SECTION_KEYS[""]:
        lines += _weights() if section == "weights" else _section(section)
        for sub in (k for k in C.SECTION_KEYS if k.startswith(f"{section}.")):
            lines += _section(sub)
    lines += _measures() + _where() + _value_functions() + _methods() + _weighting_methods()
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> None:
    """Write the reference to standard output.

    Examples
    --------
    >>> main()  # doctest: +ELLIPSIS
    # Config reference
    ...
    """
    sys.stdout.write(generate())


if __name__ == "__main__":
    main()
