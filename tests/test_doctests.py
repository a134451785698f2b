"""The Examples in the package's docstrings run as doctests, and new public functions have one.

Every module of the package is collected (so a new module is covered without editing this
file) and run with ``ELLIPSIS | NORMALIZE_WHITESPACE``. Examples that assess the bundled demo
take a second or two each; the whole file stays well under a minute.

``test_public_functions_have_examples`` is a ratchet: every public function and method (named in
a module's ``__all__``) needs an ``Examples`` section, except those in ``WITHOUT_EXAMPLES``,
the ones that had none when the test was written. Add an example and remove the name from the
list; never add a name to it.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import matplotlib
import pytest

import growthzones

matplotlib.use("Agg")

# growthzones.app holds Streamlit page scripts: importing one draws the page, so it is tested by AppTest.
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(growthzones.__path__, "growthzones.")
    if m.name != "growthzones.app" and not m.name.startswith("growthzones.app.")
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# Public functions and methods without an example when this test was written. Shrink only.
WITHOUT_EXAMPLES = frozenset(
    {
        "growthzones.candidates.add_context",
        "growthzones.candidates.gb_candidates",
        "growthzones.gbdata.boundaries.build_lad",
        "growthzones.gbdata.build.build_gb_layers",
        "growthzones.gbdata.connectivity.build_motorways",
        "growthzones.gbdata.grid.build_constraint_boundaries",
        "growthzones.gbdata.grid.build_etys_boundaries",
        "growthzones.gbdata.grid.build_gsp_points",
        "growthzones.gbdata.grid.build_gsp_regions",
        "growthzones.gbdata.grid.build_hv_lines",
        "growthzones.gbdata.grid.build_hv_substations",
        "growthzones.gbdata.grid.build_power_stations",
        "growthzones.gbdata.grid.build_repd",
        "growthzones.gbdata.grid.build_tec_sites",
        "growthzones.gbdata.grid.read_tec_register",
        "growthzones.gbdata.land.build_brownfield",
        "growthzones.gbdata.water.build_water_stress",
    }
)


def test_modules_found():
    for name in ("growthzones.config", "growthzones.assessment", "growthzones.mcda.aggregation", "growthzones.plots"):
        assert name in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # examples that write files write here
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in finder.find(module, name, globs=vars(module).copy()):
        runner.run(test)
    plt.close("all")
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples in {name} failed (see above)"


def _public_functions():
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr, None)
            if inspect.isfunction(obj) and obj.__module__ == name:
                yield f"{name}.{attr}", obj
            elif inspect.isclass(obj) and obj.__module__ == name:
                for key, member in vars(obj).items():
                    if not key.startswith("_") and inspect.isfunction(member):
                        yield f"{name}.{attr}.{key}", member


def test_public_functions_have_examples():
    missing = sorted(
        q for q, f in _public_functions() if ">>>" not in (inspect.getdoc(f) or "") and q not in WITHOUT_EXAMPLES
    )
    assert not missing, f"public functions without an Examples section in their docstring: {missing}"


def test_without_examples_list_is_current():
    have = {q for q, f in _public_functions() if ">>>" in (inspect.getdoc(f) or "")}
    done = sorted(WITHOUT_EXAMPLES & have)
    assert not done, f"these now have examples: remove them from WITHOUT_EXAMPLES in {__name__}: {done}"
