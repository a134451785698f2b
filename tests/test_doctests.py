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

MODULES = sorted(m.name for m in pkgutil.walk_packages(growthzones.__path__, "growthzones."))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# Public functions and methods without an example when this test was written. Shrink only.
WITHOUT_EXAMPLES = frozenset(
    {
        "growthzones.appstate.AppSettings.key",
        "growthzones.appstate.apply_settings",
        "growthzones.appstate.compare_table",
        "growthzones.appstate.contribution_table",
        "growthzones.appstate.default_settings",
        "growthzones.appstate.input_fingerprint",
        "growthzones.appstate.nearest_infrastructure",
        "growthzones.appstate.rank_changes",
        "growthzones.appstate.ranking_view",
        "growthzones.appstate.settings_config",
        "growthzones.appstate.site_at",
        "growthzones.appstate.site_contributions",
        "growthzones.appstate.top_strengths",
        "growthzones.assessment.evaluate",
        "growthzones.atomic.check_output_path",
        "growthzones.candidates.around_points",
        "growthzones.candidates.on_grid",
        "growthzones.cli._common.progress_bar",
        "growthzones.cli.app.app_script",
        "growthzones.cli.candidates.add_context",
        "growthzones.cli.candidates.gb_candidates",
        "growthzones.cli.candidates.read_stack",
        "growthzones.cli.data.add_exchange_cities",
        "growthzones.comparison.MethodComparison.to_csv",
        "growthzones.criteria.compute_criteria",
        "growthzones.criteria.compute_criterion",
        "growthzones.criteria.load_layers",
        "growthzones.explain.archetypes",
        "growthzones.explain.implied_weights",
        "growthzones.explain.summaries",
        "growthzones.export.export_table",
        "growthzones.export.run_metadata",
        "growthzones.export.write_csv",
        "growthzones.export.write_geojson",
        "growthzones.export.write_geopackage",
        "growthzones.gates.evaluate_gates",
        "growthzones.gbdata._common.LayerReport.drop",
        "growthzones.gbdata._common.LayerReport.repair",
        "growthzones.gbdata._common.LayerReport.note",
        "growthzones.gbdata._common.LayerReport.dropped_text",
        "growthzones.gbdata._common.clean_strings",
        "growthzones.gbdata._common.drop_rows",
        "growthzones.gbdata._common.points_from_lonlat",
        "growthzones.gbdata._common.points_from_xy_bng",
        "growthzones.gbdata._common.repair_geometries",
        "growthzones.gbdata._common.require_columns",
        "growthzones.gbdata._common.to_bng",
        "growthzones.gbdata.boundaries.build_countries",
        "growthzones.gbdata.boundaries.build_lad",
        "growthzones.gbdata.boundaries.build_regions",
        "growthzones.gbdata.boundaries.current_lad_mask",
        "growthzones.gbdata.build.BuildReport.to_frame",
        "growthzones.gbdata.build.BuildReport.summary",
        "growthzones.gbdata.build.build_gb_layers",
        "growthzones.gbdata.connectivity.build_motorways",
        "growthzones.gbdata.connectivity.build_rail_stations",
        "growthzones.gbdata.grid.build_constraint_boundaries",
        "growthzones.gbdata.grid.build_dno_areas",
        "growthzones.gbdata.grid.build_etys_boundaries",
        "growthzones.gbdata.grid.build_gsp_points",
        "growthzones.gbdata.grid.build_gsp_regions",
        "growthzones.gbdata.grid.build_hv_lines",
        "growthzones.gbdata.grid.build_hv_substations",
        "growthzones.gbdata.grid.build_power_stations",
        "growthzones.gbdata.grid.build_repd",
        "growthzones.gbdata.grid.build_tec_by_gsp",
        "growthzones.gbdata.grid.build_tec_sites",
        "growthzones.gbdata.grid.read_osm_csv",
        "growthzones.gbdata.grid.read_tec_register",
        "growthzones.gbdata.grid.summarise_tec_projects",
        "growthzones.gbdata.grid.summarise_tec_sites",
        "growthzones.gbdata.land.build_brownfield",
        "growthzones.gbdata.land.build_national_parks",
        "growthzones.gbdata.land.build_population",
        "growthzones.gbdata.land.read_msoa_centroids",
        "growthzones.gbdata.sources.check_source_dir",
        "growthzones.gbdata.sources.source_path",
        "growthzones.gbdata.topojson.object_to_geodataframe",
        "growthzones.gbdata.topojson.read_topojson",
        "growthzones.gbdata.water.build_water_stress",
        "growthzones.gbdata.water.classify_regions",
        "growthzones.gbdata.water.default_company_regions_path",
        "growthzones.gbdata.water.read_company_regions",
        "growthzones.gbdata.water.read_ea_classification",
        "growthzones.layers.file_sha256",
        "growthzones.layers.list_layers",
        "growthzones.layers.read_raster_info",
        "growthzones.layers.read_vector",
        "growthzones.maps.base_map",
        "growthzones.maps.prepare_layers",
        "growthzones.maps.raster_overlay",
        "growthzones.maps.read_outline",
        "growthzones.maps.score_colormap",
        "growthzones.maps.site_map",
        "growthzones.maps.sites_layer",
        "growthzones.maps.use_local_leaflet",
        "growthzones.mcda._registry.as_direction",
        "growthzones.mcda._registry.as_directions",
        "growthzones.mcda._registry.check_params",
        "growthzones.mcda._registry.describe",
        "growthzones.mcda._registry.resolve",
        "growthzones.mcda.ahp.most_inconsistent_judgement",
        "growthzones.mcda.value.describe_value_functions",
        "growthzones.mcda.weighting.describe_weighting_methods",
        "growthzones.plots.site_map_static",
        "growthzones.robustness.Robustness.p_top",
        "growthzones.robustness.Robustness.acceptability_long",
        "growthzones.robustness.Robustness.metadata",
        "growthzones.robustness.WeightTarget.weights_at",
        "growthzones.robustness.export_columns",
        "growthzones.robustness.stability",
        "growthzones.robustness.weight_targets",
        "growthzones.scoring.apply_missing",
        "growthzones.scoring.group_scores",
        "growthzones.sites.load_sites",
        "growthzones.upload.read_upload",
        "growthzones.upload.score_upload",
        "growthzones.upload.staged_upload",
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
