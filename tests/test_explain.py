"""Explanations, summaries, archetypes and implied weights, against hand-worked values.

Tiny project values (0..1, see conftest): eligible S1, S2, S3.
    grid_distance 0.85 / 0.5 / 0.30166  (median 0.5), weight 0.25
    headroom      1.0  / 0.5 / 0.5      (median 0.5), weight 0.25
    water_stress  0.875 / 0.625 / 0.375 (median 0.625), weight 0.5
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from growthzones import explain as ex
from growthzones import mcda
from growthzones.assessment import evaluate
from growthzones.config import parse_config
from growthzones.errors import SiteError

METHODS = [
    ("wlc", {}),
    ("wpm", {}),
    ("topsis", {}),
    ("vikor", {}),
    ("promethee2", {}),
    ("owa", {"orness": 0.3}),
    ("weakest_link", {}),
]


def make_assessment(rows: dict[str, tuple[float, ...]], *, weights: tuple[float, ...] | None = None, method="wlc"):
    """Sites ``rows`` (id -> values of c1, c2, ...), criterion ci alone in group gi, value = raw."""
    m = len(next(iter(rows.values())))
    weights = weights or tuple([1.0 / m] * m)
    text = '[sites]\npath = "none.gpkg"\nid = "sid"\nname = "label"\n[weights]\n'
    text += "".join(f"g{j + 1} = {w!r}\n" for j, w in enumerate(weights))
    for j in range(m):
        text += (
            f'[[criteria]]\nname = "c{j + 1}"\ngroup = "g{j + 1}"\nmeasure = "attribute"\nattribute = "c{j + 1}"\n'
            'value = { function = "linear", low = 0, high = 1 }\n'
        )
    text += f'[method]\nname = "{method}"\n'
    ids = sorted(rows)
    sites = gpd.GeoDataFrame(
        {"name": ids},
        geometry=[box(k, 0, k + 1, 1) for k in range(len(ids))],
        index=pd.Index(ids, name="site_id"),
        crs=27700,
    )
    criteria = pd.DataFrame({f"c{j + 1}": [rows[i][j] for i in ids] for j in range(m)}, index=sites.index)
    return evaluate(parse_config(text), sites, criteria)


@pytest.fixture(scope="module")
def clustered():
    """30 sites in three clear profiles over two groups: strong g1, strong g2, middling."""
    rng = np.random.default_rng(0)
    rows = {}
    for i in range(10):
        rows[f"A{i}"] = (0.9 + 0.05 * rng.random(), 0.1 + 0.05 * rng.random())
        rows[f"B{i}"] = (0.1 + 0.05 * rng.random(), 0.9 + 0.05 * rng.random())
        rows[f"C{i}"] = (0.5 + 0.05 * rng.random(), 0.5 + 0.05 * rng.random())
    return make_assessment(rows)


# --------------------------------------------------------------------------------------------
# contributions


def test_wlc_contributions_by_hand(tiny_assessment):
    e = tiny_assessment.explain("S1")
    assert e.decomposition == "additive" and e.baseline == 0.0
    c = e.contributions["contribution"]
    assert c.to_dict() == pytest.approx({"grid_distance": 21.25, "headroom": 25.0, "water_stress": 43.75})
    assert c.sum() == pytest.approx(e.score, abs=1e-12) and e.score == pytest.approx(90.0)
    g = e.groups
    assert g.loc["grid", "contribution"] == pytest.approx(0.5 * g.loc["grid", "group_score"])
    assert g["share"].sum() == pytest.approx(1.0)


def test_wlc_contributions_sum_to_the_score_for_every_site(random_like):
    for sid in random_like.sites.index[random_like.eligible]:
        e = random_like.explain(sid)
        assert math.fsum(e.contributions["contribution"]) == pytest.approx(e.score, abs=1e-9)
        np.testing.assert_allclose(
            e.contributions["contribution"], 100 * e.contributions["weight"] * e.contributions["value"]
        )


@pytest.fixture(scope="module")
def random_like():
    rng = np.random.default_rng(3)
    return make_assessment(
        {f"R{i:02d}": tuple(rng.random(4).round(3)) for i in range(25)}, weights=(0.4, 0.3, 0.2, 0.1)
    )


@pytest.mark.parametrize(("method", "params"), METHODS)
def test_decomposition_adds_up_for_every_method(random_like, method, params):
    a = random_like.rerank(method, **params)
    for sid in a.sites.index[:6]:
        e = a.explain(sid)
        assert e.baseline + math.fsum(e.contributions["contribution"]) == pytest.approx(e.score, abs=1e-9)
        assert e.groups["contribution"].sum() == pytest.approx(e.contributions["contribution"].sum())


def test_shapley_by_hand_for_two_groups(tiny_assessment):
    # TOPSIS on the tiny project. Groups grid (2 criteria) and water. For S2:
    # phi_grid = 1/2 [(f(grid) - f(0)) + (f(grid, water) - f(water))], and so on.
    a = tiny_assessment.rerank("topsis")
    names = list(a.weights.criteria.index)
    x = a.values[names].to_numpy()[:3]
    w = a.weights.criteria.to_numpy()

    def f(keep_grid: bool, keep_water: bool) -> float:
        xx = x.copy()
        xx[1] = x[1] * np.array([keep_grid, keep_grid, keep_water])
        return 100 * float(mcda.aggregate("topsis", xx, w, np.ones(3))[1])

    phi_grid = 0.5 * ((f(True, False) - f(False, False)) + (f(True, True) - f(False, True)))
    phi_water = 0.5 * ((f(False, True) - f(False, False)) + (f(True, True) - f(True, False)))
    e = a.explain("S2")
    assert e.decomposition == "shapley (groups)"
    assert e.baseline == pytest.approx(f(False, False))
    assert e.groups["contribution"].tolist() == pytest.approx([phi_grid, phi_water])
    # Within grid, split in proportion to w_j v_j: 0.25 * 0.5 and 0.25 * 0.5 -> halves.
    assert e.contributions.loc["grid_distance", "contribution"] == pytest.approx(phi_grid / 2)


def test_group_shapley_reproduces_the_additive_decomposition_for_wlc(random_like):
    p = ex._profile(random_like)
    for row in range(5):
        phi, base = ex._group_shapley(p.values, row, p.weights, p.group_idx, len(p.groups), "wlc", {})
        assert base == pytest.approx(0.0, abs=1e-15)
        got = ex._split(phi, p.weights * p.values[row], p.weights, p.group_idx)
        np.testing.assert_allclose(got, p.weights * p.values[row], atol=1e-14)


def test_ineligible_site_has_no_contributions(tiny_assessment):
    e = tiny_assessment.explain("S4")
    assert not e.eligible and e.rank is None and math.isnan(e.score)
    assert e.contributions["contribution"].isna().all()


# --------------------------------------------------------------------------------------------
# strengths, weaknesses, gates, text


def test_strengths_and_weaknesses_against_the_median(tiny_assessment):
    s1 = tiny_assessment.explain("S1")
    # Impact = weight x (value - median): headroom 0.25 x 0.5 = water 0.5 x 0.25 = 0.125 > distance 0.0875.
    assert s1.strengths.index.tolist() == ["headroom", "water_stress", "grid_distance"]
    assert s1.weaknesses.empty
    assert s1.contributions.loc["water_stress", "median_value"] == pytest.approx(0.625)
    s3 = tiny_assessment.explain("S3")
    assert s3.weaknesses.index.tolist() == ["water_stress", "grid_distance"]
    assert s3.strengths.empty  # headroom equals the median


def test_summary_text_by_hand(tiny_assessment):
    assert tiny_assessment.explain("S1").text == (
        "Ranks 1st of 3 eligible sites (score 90.0). Strong on grid: headroom at nearest 275 kV+ substation "
        "1,000 MW (top 34%); water: water stress 0.125 (top 34%)."
    )
    # S4 fails two gates; against the three eligible sites it is worst on water and distance:
    # counted in once, 1 of 4 -> bottom 25%.
    assert tiny_assessment.explain("S4").text == (
        "Not eligible: site area is 4 ha; gate requires >= 20 ha; nearest 275 kV+ substation is 22.3 km; "
        "gate requires <= 20 km. Weak on water: water stress 0.875 (bottom 25%); grid: nearest 275 kV+ "
        "substation 22.3 km (bottom 25%)."
    )


def test_ties_count_in_the_percentages(tiny_assessment):
    # S2 and S3 share headroom 500 MW: each is in the top 100% and bottom 67%.
    c = tiny_assessment.explain("S2").contributions
    assert (c.loc["headroom", "top_pct"], c.loc["headroom", "bottom_pct"]) == (100, 67)


def test_gate_table(tiny_assessment):
    g = tiny_assessment.explain("S4").gates
    assert g["passed"].tolist() == [False, False]
    assert g.loc["area >= 20", "reason"] == "site area is 4 ha; gate requires >= 20 ha"
    assert g.loc["grid_distance <= 20", "value"] == pytest.approx(math.hypot(19750, 10300) / 1000, abs=1e-9)
    assert tiny_assessment.explain("S1").gates["passed"].all()


def test_summaries_match_explanations_and_add_robustness(tiny_assessment):
    r = tiny_assessment.robustness(samples=200, seed=0)
    s = ex.summaries(tiny_assessment, robustness=r)
    for sid in tiny_assessment.sites.index:
        assert s[sid] == tiny_assessment.explain(sid, robustness=r).text
    assert s["S2"].endswith("In the top 10 under 100% of sampled weightings; 90% rank interval 2-2.")
    assert "sampled" not in s["S4"]  # never eligible: the gates say why


def test_unknown_site(tiny_assessment):
    with pytest.raises(SiteError, match="did you mean 'S1'"):
        tiny_assessment.explain("S11")


def test_ordinals():
    assert [ex._ordinal(i) for i in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111, 112, 214)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th", "112th", "214th",
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------
# archetypes


def test_archetypes_find_and_name_three_profiles(clustered):
    ar = clustered.archetypes()
    assert ar.k == 3 and ar.silhouette.idxmax() == 3
    names = ar.labels
    assert names[[f"A{i}" for i in range(10)]].nunique() == 1
    assert names["A0"] == "strong g1, weak g2" and names["B0"] == "strong g2, weak g1" and names["C0"] == "balanced"
    assert set(ar.profiles["n_sites"]) == {10}
    assert list(ar.projection.columns) == ["pc1", "pc2", "archetype", "cluster"]
    assert sum(ar.explained_variance) == pytest.approx(1.0)  # two criteria, two components
    assert ar.centres.loc["strong g1, weak g2", "c1"] > 0.9


def test_archetypes_are_deterministic(random_like):
    a1, a2 = random_like.archetypes(), random_like.archetypes()
    assert a1.labels.equals(a2.labels) and a1.projection.equals(a2.projection)
    assert a1.labels.is_unique is False or a1.k == len(a1.labels)
    assert len(set(a1.centres.index)) == a1.k
    # Cluster 0 is the best-scoring archetype on average.
    assert a1.profiles["mean_score"].is_monotonic_decreasing


def test_archetypes_with_few_sites(tiny_assessment):
    ar = tiny_assessment.archetypes()
    assert ar.k == 2 and set(ar.labels.index) == {"S1", "S2", "S3"}
    one = tiny_assessment.archetypes(k=1)
    assert one.k == 1 and one.labels.nunique() == 1


# --------------------------------------------------------------------------------------------
# implied weights


def test_implied_weights_recover_the_direction_of_a_choice(clustered):
    # Chosen: the sites strong on g1. Current weights are equal; the estimate should favour g1.
    chosen = [f"A{i}" for i in range(3)]
    iw = clustered.implied_weights(chosen)
    assert iw.weights.sum() == pytest.approx(1.0) and (iw.weights >= 0).all()
    assert iw.weights["g1"] > 0.8
    assert iw.concordance >= iw.current_concordance
    assert iw.pseudo_r2 > 0.5
    assert iw.note.startswith("Estimate")
    # Reweighting with the estimate puts the chosen sites first among everyone else.
    b = clustered.reweight(groups=iw.weights.to_dict())
    assert set(b.ranking.index[:10]) >= set(chosen)
    assert (iw.ranks["rank_implied"] <= 10).all()


def test_implied_weights_errors(tiny_assessment):
    with pytest.raises(SiteError, match=r"no site\(s\) \['S9'\]"):
        tiny_assessment.implied_weights(["S9"])
    with pytest.raises(SiteError, match="not eligible"):
        tiny_assessment.implied_weights(["S4"])
    with pytest.raises(SiteError, match="at least one"):
        tiny_assessment.implied_weights(["S1", "S2", "S3"])
