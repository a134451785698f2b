"""The Examples in growthzones.mcda's docstrings are run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "growthzones.mcda",
    "growthzones.mcda.value",
    "growthzones.mcda.weighting",
    "growthzones.mcda.ahp",
    "growthzones.mcda.aggregation",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
