"""Configs written by the app or the CLI (``Config.to_toml``) load back equal."""

from __future__ import annotations

import dataclasses
import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from growthzones.config import load_config, parse_config
from growthzones.datasets import demo_config_path

DEMO = load_config(demo_config_path())


def _same(a, b) -> None:
    for name in ("project", "sites", "layers", "criteria", "weights", "gates", "method"):
        assert getattr(a, name) == getattr(b, name), name


def _again(cfg):
    text = cfg.to_toml()
    tomllib.loads(text)  # valid TOML before anything else
    return parse_config(text, base_dir=demo_config_path().parent)


def test_full_precision_floats_and_awkward_labels():
    crit = DEMO.criteria[0]
    new = dataclasses.replace(
        DEMO,
        project=dataclasses.replace(DEMO.project, name='Bids "A"\nround 2 — Cymru ü'),
        criteria=(
            dataclasses.replace(crit, label='line one\nline two "quoted" \\ back', weight=123456789.0),
            *DEMO.criteria[1:],
        ),
        gates=(dataclasses.replace(DEMO.gates[0], value=0.1 + 0.2, label="Ffordd\t«x»"), *DEMO.gates[1:]),
        weights={**DEMO.weights, "grid": 1e-17},
    ).with_method("vikor", v=0.123456789012345)
    again = _again(new)
    _same(again, new)
    assert again.criteria[0].weight == 123456789.0  # the old writer wrote 1.23457e+08
    assert again.gates[0].value == 0.30000000000000004
    assert again.method.params["v"] == 0.123456789012345


labels = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
floats = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(label=labels, name=labels, weight=floats, gate=st.floats(allow_nan=False, allow_infinity=False), w=floats)
def test_any_label_and_float_round_trips(label, name, weight, gate, w):
    new = dataclasses.replace(
        DEMO,
        project=dataclasses.replace(DEMO.project, name=name, description=label),
        criteria=tuple(dataclasses.replace(c, label=label, weight=weight) for c in DEMO.criteria),
        gates=tuple(dataclasses.replace(g, value=gate, label=label) for g in DEMO.gates),
        weights={k: w for k in DEMO.weights},
    )
    _same(_again(new), new)
