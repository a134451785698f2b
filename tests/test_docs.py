"""The documentation cannot drift from the code.

- ``docs/config.md`` is exactly what ``python -m growthzones.config_reference`` writes.
- Every key the config parser accepts (``growthzones.config.SECTION_KEYS``) is documented there,
  every documented key is accepted by ``parse_config`` (each documented example is fed to it),
  keys documented as required are required, and documented defaults are the parser's.
- Every measure, value function and aggregation method is documented, with examples that parse.
- ``docs/user-guide.md`` names every CLI command and method, its Python examples run, and the
  links between the docs resolve.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import click
import pytest
from tinyproject import REPO

from growthzones import config as C  # noqa: N812
from growthzones import mcda
from growthzones.config import parse_config
from growthzones.config_reference import generate
from growthzones.errors import ConfigError

DOCS = REPO / "docs"
CONFIG_MD = DOCS / "config.md"
GUIDE_MD = DOCS / "user-guide.md"

# --------------------------------------------------------------------------------------------
# reading the committed reference
# --------------------------------------------------------------------------------------------


def _sections(text: str) -> dict[str, str]:
    """``## heading`` -> the text under it (up to the next ``## ``)."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def _rows(block: str) -> list[list[str]]:
    """The body rows of the first Markdown table in ``block``, as cells."""
    rows = []
    for line in block.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            rows.append([c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows[1:]  # drop the header


def _code(cell: str) -> str:
    """The text inside one backtick code span."""
    m = re.fullmatch(r"`(.*)`", cell)
    assert m, f"expected `code` in a table cell, got {cell!r}"
    return m.group(1)


TOML_NAMES = {"project": "`[project]`", "sites": "`[sites]`", "layers": "`[layers.<name>]`",
              "weights": "`[weights]`", "criteria": "`[[criteria]]`", "gates": "`[[gates]]`",
              "method": "`[method]`", "portfolio": "`[portfolio]`", "portfolio.per": "`[[portfolio.per]]`",
              "portfolio.capacity": "`[[portfolio.capacity]]`"}  # fmt: skip


@pytest.fixture(scope="module")
def reference() -> str:
    return CONFIG_MD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def documented(reference) -> dict[str, dict[str, dict[str, str]]]:
    """section -> key -> {type, default, allowed, description, example}, read from docs/config.md."""
    sections = _sections(reference)
    out = {}
    for section in C.SECTION_KEYS:
        if section in ("", "weights"):
            continue
        block = sections[TOML_NAMES[section]]
        out[section] = {
            _code(r[0]): dict(zip(("type", "default", "allowed", "description", "example"), r[1:], strict=True))
            for r in _rows(block)
        }
    return out


# --------------------------------------------------------------------------------------------
# building configs to feed the parser
# --------------------------------------------------------------------------------------------


_LINEAR = '{ function = "linear", low = 0, high = 25 }'


def _base() -> dict:
    """A valid config as section -> key -> TOML literal (criteria and gates: lists of those)."""
    criterion = {"name": '"grid_distance"', "group": '"grid"', "measure": '"distance"', "layer": '"substations"'}
    return {
        "project": {"name": '"test"'},
        "sites": {"path": '"bids.gpkg"', "id": '"bid_id"', "name": '"name"'},
        "layers": {
            "substations": {"path": '"grid.gpkg"', "layer": '"substations"'},
            "water_stress": {"path": '"water_stress.tif"'},
        },
        "criteria": [{**criterion, "value": _LINEAR}],
        "gates": [{"criterion": '"grid_distance"', "op": '"<="', "value": "25"}],
        "method": {},
        "portfolio": {"count": "3"},
        "portfolio.per": [{"by": '"region"', "min": "0", "max": "2"}],
        "portfolio.capacity": [{"by": '"region"', "headroom": "1500"}],
    }


# Sections written as a list of tables ([[...]]): a key is tried on the first one.
_LISTS = ("criteria", "gates", "portfolio.per", "portfolio.capacity")


def _table_of(cfg: dict, section: str) -> dict:
    if section == "layers":
        return cfg["layers"]["substations"]
    return cfg[section][0] if section in _LISTS else cfg[section]


def _render(cfg: dict) -> str:
    lines = []
    for section in ("project", "sites", "method"):
        if section in cfg:
            lines += [f"[{section}]", *(f"{k} = {v}" for k, v in cfg[section].items()), ""]
    for key, table in cfg.get("layers", {}).items():
        lines += [f"[layers.{key}]", *(f"{k} = {v}" for k, v in table.items()), ""]
    for section in ("criteria", "gates"):
        for table in cfg.get(section, []):
            lines += [f"[[{section}]]", *(f"{k} = {v}" for k, v in table.items()), ""]
    if "portfolio" in cfg:
        lines += ["[portfolio]", *(f"{k} = {v}" for k, v in cfg["portfolio"].items()), ""]
    for section in ("portfolio.per", "portfolio.capacity"):
        for table in cfg.get(section, []):
            lines += [f"[[{section}]]", *(f"{k} = {v}" for k, v in table.items()), ""]
    return "\n".join(lines)


def _parse(cfg: dict):
    return parse_config(_render(cfg), base_dir=".")


# The criterion each criteria key is tried on (a key only some measures use needs one of them).
_CRITERION_FOR = {
    "stat": {"measure": '"zonal"', "layer": '"water_stress"'},
    "range": {"measure": '"zonal"', "layer": '"water_stress"', "stat": '"fraction"'},
    "attribute": {"measure": '"nearest_attribute"'},
    "max_distance_km": {"measure": '"nearest_attribute"', "attribute": '"headroom_mw"'},
    "radius_km": {"measure": '"count_within"'},
}


def _with_key(section: str, key: str, example: str) -> dict:
    cfg = _base()
    if section == "layers":
        cfg["layers"]["substations"][key] = example
    elif section == "portfolio" and key in ("per", "capacity"):
        del cfg[f"portfolio.{key}"]  # the inline example replaces the [[portfolio.<key>]] tables
        cfg[section][key] = example
    elif section in ("criteria", "gates", "portfolio.per", "portfolio.capacity"):
        table = cfg[section][0]
        if section == "criteria" and key in _CRITERION_FOR:
            table.update(_CRITERION_FOR[key])
            if key == "attribute":
                table.pop("attribute", None)
        table[key] = example
        if key == "proxy":  # a proxy names another criterion and comes with missing = "proxy"
            table["missing"] = '"proxy"'
            cfg["criteria"].append({**table, "name": example, "value": _LINEAR, "missing": '"worst"'})
            del cfg["criteria"][-1]["proxy"]
        if key == "stat" and example == '"fraction"':
            table["range"] = "[0.5, 1]"
    else:
        cfg[section][key] = example
    return cfg


# --------------------------------------------------------------------------------------------
# config reference
# --------------------------------------------------------------------------------------------


def test_config_reference_is_up_to_date(reference):
    assert reference == generate(), (
        "docs/config.md is out of date: run `python -m growthzones.config_reference > docs/config.md`"
    )


def test_config_reference_command():
    out = subprocess.run(
        [sys.executable, "-m", "growthzones.config_reference"], capture_output=True, text=True, check=True
    ).stdout
    assert out == CONFIG_MD.read_text(encoding="utf-8")


def test_every_section_is_documented(reference):
    rows = _rows(_sections(reference)["Sections"])
    assert [r[0] for r in rows] == [TOML_NAMES[s] for s in C.SECTION_KEYS[""]]
    for r in rows:
        section = next(s for s, name in TOML_NAMES.items() if name == r[0])
        assert r[1] == ("yes" if section in ("sites", "criteria") else "no")


def test_every_accepted_key_is_documented(documented):
    for section, keys in C.SECTION_KEYS.items():
        if section in ("", "weights"):
            continue
        assert list(documented[section]) == list(keys), f"[{section}] keys in docs/config.md differ from the parser's"


def test_every_documented_key_is_accepted(documented):
    for section, keys in documented.items():
        assert section in C.SECTION_KEYS, section
        for key, doc in keys.items():
            example = _code(doc["example"])
            try:
                _parse(_with_key(section, key, example))
            except ConfigError as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"documented key {section}.{key} = {example} is refused: {exc}")


def test_an_undocumented_key_is_refused():
    with pytest.raises(ConfigError, match="unknown key"):
        _parse(_with_key("criteria", "not_a_key", "1"))


# Optional keys that some other setting needs: a layer for most measures, a value function for
# a weighted criterion (both documented in their descriptions and the Measures table).
_NEEDED_BY_OTHERS = {("criteria", "layer"), ("criteria", "value")}


def test_required_keys_are_required(documented):
    for section, keys in documented.items():
        for key, doc in keys.items():
            cfg = _base()
            table = _table_of(cfg, section)
            if doc["default"] == "required":
                table.pop(key, None)
                with pytest.raises(ConfigError):
                    _parse(cfg)
            elif key in table and (section, key) not in _NEEDED_BY_OTHERS:
                table.pop(key)
                _parse(cfg)


def test_documented_defaults_are_the_parsers(documented):
    cfg = _parse(_base())
    objects = {
        "project": cfg.project,
        "sites": cfg.sites,
        "layers": cfg.layers["substations"],
        "criteria": cfg.criteria[0],
        "gates": cfg.gates[0],
        "method": cfg.method,
        "portfolio": cfg.portfolio,
        "portfolio.per": cfg.portfolio.per[0],
        "portfolio.capacity": cfg.portfolio.capacity[0],
    }
    base = _base()
    checked = 0
    for section, keys in documented.items():
        for key, doc in keys.items():
            default = doc["default"]
            present = key in _table_of(base, section) or (section == "portfolio" and f"portfolio.{key}" in base)
            if present or (not default.startswith("`") and default != "none"):
                continue
            expected = None if default == "none" else tomllib.loads(f"x = {_code(default)}")["x"]
            actual = getattr(objects[section], key)
            if isinstance(expected, dict):
                actual = dict(actual)
            if isinstance(actual, tuple):
                actual = list(actual)
            assert actual == expected, f"{section}.{key}: documented default {default}, parser gives {actual!r}"
            checked += 1
    assert checked >= 15


def test_required_sections(documented):
    for section in ("sites", "criteria"):
        cfg = _base()
        del cfg[section]
        with pytest.raises(ConfigError, match=f"missing section \\[{section}\\]"):
            _parse(cfg)


def test_measures_documented_and_parse(reference):
    rows = {_code(r[0]): r for r in _rows(_sections(reference)["Measures"])}
    assert list(rows) == list(C.MEASURES)
    examples = {"layer": None, "attribute": '"headroom_mw"', "radius_km": "10", "stat": '"mean"'}
    for measure, row in rows.items():
        needs = [] if row[2] == "nothing more" else [_code(k) for k in row[2].split(", ")]
        uses = [_code(k) for k in row[3].split(", ")] if row[3] else []
        assert needs == list(C.MEASURES[measure])
        crit = {
            "name": '"c"',
            "group": '"g"',
            "measure": f'"{measure}"',
            "value": '{ function = "linear", low = 0, high = 1 }',
        }
        for k in needs:
            crit[k] = examples[k] or ('"water_stress"' if measure == "zonal" else '"substations"')
        cfg = _base()
        cfg["criteria"] = [crit]
        cfg["gates"] = []
        _parse(cfg)
        for k in needs:  # every key documented as needed is needed
            cut = {**crit}
            del cut[k]
            cfg["criteria"] = [cut]
            with pytest.raises(ConfigError, match="missing"):
                _parse(cfg)
        for k in uses:  # and every optional one is accepted
            optional = {"where": '"voltage_kv >= 275"', "max_distance_km": "50", "range": "[0.5, 1]"}
            extra = {**crit, k: optional[k], **({"stat": '"fraction"'} if k == "range" else {})}
            cfg["criteria"] = [extra]
            _parse(cfg)


def test_value_functions_documented_and_parse(reference):
    block = _sections(reference)["Value functions"]
    names = re.findall(r"^### `(\w+)`", block, flags=re.MULTILINE)
    assert names == list(mcda.VALUE_FUNCTIONS)
    examples = re.findall(r"```toml\nvalue = (.+)\n```", block)
    assert len(examples) == len(names)
    for name, example in zip(names, examples, strict=True):
        assert f'function = "{name}"' in example
        cfg = _base()
        cfg["criteria"][0]["value"] = example
        _parse(cfg)


def test_methods_documented_and_parse(reference):
    block = _sections(reference)["Aggregation methods"]
    names = re.findall(r"^### `(\w+)`", block, flags=re.MULTILINE)
    assert names == list(mcda.AGGREGATION_METHODS)
    examples = re.findall(r"```toml\n\[method\]\n(.+?)\n```", block, flags=re.DOTALL)
    assert len(examples) == len(names)
    for name, example in zip(names, examples, strict=True):
        table = tomllib.loads(example)
        assert table["name"] == name
        base = {k: v for k, v in _base().items() if k != "method"}
        cfg = parse_config(_render(base) + "\n[method]\n" + example + "\n")
        assert cfg.method.name == name
        assert dict(cfg.method.params) == table.get("params", {})


def test_method_parameters_are_the_signatures(reference):
    import inspect

    block = _sections(reference)["Aggregation methods"]
    for name, func in mcda.AGGREGATION_METHODS.items():
        part = block.split(f"### `{name}`")[1].split("### ")[0]
        documented = [_code(r[0]) for r in _rows(part)]
        params = [p for p in inspect.signature(func).parameters if p not in ("matrix", "weights", "directions")]
        assert documented == params, name


def test_complete_example_parses(reference):
    example = re.search(r"## A complete example\n\n```toml\n(.+?)\n```", reference, flags=re.DOTALL).group(1)
    cfg = parse_config(example)
    assert [c.measure for c in cfg.criteria] == ["distance", "nearest_attribute", "zonal", "area"]


def test_bundled_configs_use_documented_keys(documented):
    """The demo and GB configs use only keys the reference documents."""
    for path in [REPO / "data" / "demo" / "config.toml", *sorted((REPO / "configs").glob("*.toml"))]:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        for section in ("project", "sites", "method"):
            assert set(raw.get(section, {})) <= set(documented[section]), (path, section)
        for table in raw.get("layers", {}).values():
            assert set(table) <= set(documented["layers"]), path
        for section in ("criteria", "gates"):
            for table in raw.get(section, []):
                assert set(table) <= set(documented[section]), (path, section)
        portfolio = raw.get("portfolio", {})
        assert set(portfolio) <= set(documented["portfolio"]), path
        for sub in ("per", "capacity"):
            for table in portfolio.get(sub, []):
                assert set(table) <= set(documented[f"portfolio.{sub}"]), (path, sub)


# --------------------------------------------------------------------------------------------
# user guide
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE_MD.read_text(encoding="utf-8")


def test_guide_names_every_cli_command(guide):
    from growthzones.cli import main

    commands = set(main.commands)
    mentioned = set(re.findall(r"`growthzones (\w[\w-]*)", guide))
    assert commands <= mentioned, f"commands missing from docs/user-guide.md: {sorted(commands - mentioned)}"
    assert mentioned <= commands, f"docs/user-guide.md names commands that do not exist: {sorted(mentioned - commands)}"
    for name, cmd in main.commands.items():
        if isinstance(cmd, click.Group):
            for sub in cmd.commands:
                assert f"growthzones {name} {sub}" in guide


def test_guide_cli_options_exist(guide):
    """Every ``--option`` shown after ``growthzones <command>`` in the guide is an option of that command."""
    from growthzones.cli import main

    bash = "\n".join(re.findall(r"```bash\n(.+?)```", guide, flags=re.DOTALL))
    lines = re.findall(r"^growthzones .+$", bash, flags=re.MULTILINE)
    assert len(lines) >= 8
    for line in lines:
        words = line.split()
        cmd = main.commands[words[1]]
        if isinstance(cmd, click.Group):
            cmd = cmd.commands[words[2]]
        known = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
        for opt in re.findall(r"(--[\w-]+)", line):
            assert opt in known, f"{line!r}: {opt} is not an option of growthzones {words[1]}"


def test_guide_covers_every_method_value_function_and_measure(guide):
    for name in (*mcda.AGGREGATION_METHODS, *mcda.VALUE_FUNCTIONS, *C.MEASURES):
        assert f"`{name}`" in guide, name


def test_guide_python_examples_run(guide, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    blocks = re.findall(r"```python\n(.+?)```", guide, flags=re.DOTALL)
    assert len(blocks) >= 4
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(GUIDE_MD), "exec"), namespace)
    import matplotlib.pyplot as plt

    plt.close("all")
    assert list(tmp_path.glob("*/shortlist.gpkg"))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@pytest.mark.parametrize("doc", ["user-guide.md", "config.md"])
def test_links_resolve(doc):
    text = (DOCS / doc).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        file = DOCS / path if path else DOCS / doc
        assert file.is_file(), f"{doc}: link to missing {target}"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), flags=re.MULTILINE)
            assert anchor in {_slug(h) for h in headings}, f"{doc}: no heading for #{anchor} in {file.name}"
