"""End to end on the tiny project: criteria, gates, scores and ranks against hand-worked values."""

from __future__ import annotations

import time

import numpy as np
import pytest
from tinyproject import EXPECTED_CRITERIA, expected_score

import growthzones as gz


@pytest.mark.parametrize("criterion", sorted(EXPECTED_CRITERIA))
def test_criteria_match_hand_worked_values(tiny_assessment, criterion):
    got = tiny_assessment.criteria[criterion]
    for site, want in EXPECTED_CRITERIA[criterion].items():
        assert got[site] == pytest.approx(want, abs=1e-9), site


def test_sites_indexed_by_id_in_id_order(tiny_assessment):
    assert tiny_assessment.sites.index.tolist() == ["S1", "S2", "S3", "S4"]
    assert tiny_assessment.sites.index.name == "site_id"
    assert tiny_assessment.sites.loc["S2", "name"] == "Site two"


def test_scores_are_weighted_linear_combination(tiny_assessment):
    s = tiny_assessment.scores["score"]
    for site in ("S1", "S2", "S3"):
        assert s[site] == pytest.approx(expected_score(site), abs=1e-9)
    assert s["S1"] == pytest.approx(90.0)
    assert s["S2"] == pytest.approx(56.25)
    assert np.isnan(s["S4"])


def test_group_subscores(tiny_assessment):
    sc = tiny_assessment.scores
    # grid: mean of (1 - d/20) and headroom/1000; S1: (0.85 + 1) / 2
    assert sc.loc["S1", "grid_score"] == pytest.approx(92.5)
    assert sc.loc["S2", "water_score"] == pytest.approx(62.5)


def test_failed_gates_all_listed_in_words(tiny_assessment):
    g = tiny_assessment.gates
    assert g["eligible"].tolist() == [True, True, True, False]
    assert g.loc["S4", "n_failed"] == 2
    assert g.loc["S4", "gate_reasons"] == (
        "site area is 4 ha; gate requires >= 20 ha; nearest 275 kV+ substation is 22.3 km; gate requires <= 20 km"
    )
    assert g.loc["S1", "gate_reasons"] == ""


def test_ranking_order_and_ranks(tiny_assessment):
    r = tiny_assessment.ranking
    assert r.index.tolist() == ["S1", "S2", "S3", "S4"]
    assert r["rank"].tolist()[:3] == [1, 2, 3]
    assert r["rank"].isna().tolist() == [False, False, False, True]
    assert r["tier"].tolist() == ["A", "C", "D", "ineligible"]


def test_reweight_changes_ranking_without_reading_layers(tiny_assessment):
    # All weight on headroom: S1 (1000 MW) first, then S2, S3 tie at 500 MW -> site id order.
    b = tiny_assessment.reweight(groups={"grid": 1.0, "water": 0.0}, criteria={"grid_distance": 0.0})
    assert b.scores["score"].round(9).tolist()[:3] == [100.0, 50.0, 50.0]
    assert b.ranking.index.tolist()[:3] == ["S1", "S2", "S3"]
    assert b.criteria is tiny_assessment.criteria


def test_reweight_is_fast(tiny_assessment):
    # Not a timing assertion on shared machines: a generous sanity bound on the cheap path.
    t0 = time.perf_counter()
    tiny_assessment.reweight(groups={"grid": 0.7})
    assert time.perf_counter() - t0 < 5


def test_normalisation_is_reported(tiny_config_path):
    a = gz.assess(tiny_config_path)
    b = a.reweight(groups={"grid": 2.0, "water": 2.0})
    assert any("normalised" in n for n in b.notes)
    assert b.scores["score"].equals(a.scores["score"])


def test_row_order_does_not_change_ranking(tiny_assessment, tmp_path):
    import geopandas as gpd
    from tinyproject import write_tiny_project

    cfg = write_tiny_project(tmp_path / "shuffled")
    gdf = gpd.read_file(cfg.parent / "sites.gpkg")
    gdf.iloc[::-1].to_file(cfg.parent / "sites.gpkg", layer="sites")
    b = gz.assess(cfg)
    assert b.ranking.index.tolist() == tiny_assessment.ranking.index.tolist()
    assert b.scores.equals(tiny_assessment.scores)
