"""Rank robustness: weight sampling, rank acceptability, input uncertainty, sweeps, stability.

Exact answers come from cases solved by hand. With two criteria the weight simplex is the
segment w = (t, 1 - t), so the share of weightings on which a site takes a rank is a sum of
interval lengths; Monte Carlo estimates are checked against them with a tolerance of five
binomial standard errors for the sample size used.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely import box

from growthzones import mcda
from growthzones import robustness as rb
from growthzones.assessment import evaluate
from growthzones.cli import main
from growthzones.config import parse_config
from growthzones.errors import ConfigError, CriterionError, GrowthzonesError
from growthzones.ranking import rank_order

# --------------------------------------------------------------------------------------------
# in-memory assessments: one criterion per group, linear 0..1 value functions


def make_assessment(
    rows: dict[str, tuple[float, ...]],
    *,
    weights: tuple[float, ...] | None = None,
    method: str = "wlc",
    params: str = "",
    gates: str = "",
    extra: dict[str, list[float]] | None = None,
    high: float = 1.0,
):
    """Sites ``rows`` (id -> raw values of c1, c2, ...), criterion ci in group gi, value = x / high."""
    m = len(next(iter(rows.values())))
    weights = weights or tuple([1.0 / m] * m)
    text = '[project]\nname = "hand"\n[sites]\npath = "none.gpkg"\nid = "sid"\nname = "label"\n[weights]\n'
    text += "".join(f"g{j + 1} = {w!r}\n" for j, w in enumerate(weights))
    for j in range(m):
        text += (
            f'[[criteria]]\nname = "c{j + 1}"\ngroup = "g{j + 1}"\nmeasure = "attribute"\nattribute = "c{j + 1}"\n'
            f'unit = "MW"\nvalue = {{ function = "linear", low = 0, high = {high!r} }}\n'
        )
    text += gates
    text += f'[method]\nname = "{method}"\n' + (f"params = {{ {params} }}\n" if params else "")
    cfg = parse_config(text)
    ids = sorted(rows)
    sites = gpd.GeoDataFrame(
        {"name": [f"Site {i}" for i in ids], **(extra or {})},
        geometry=[box(k * 1000, 0, k * 1000 + 500, 500) for k in range(len(ids))],
        index=pd.Index(ids, name="site_id"),
        crs=27700,
    )
    criteria = pd.DataFrame({f"c{j + 1}": [float(rows[i][j]) for i in ids] for j in range(m)}, index=sites.index)
    return evaluate(cfg, sites, criteria)


#: A = (1, 0), B = (0, 1), C = (0.6, 0.6) with w = (t, 1 - t): scores t, 1 - t and 0.6.
#: t < 0.4: B C A; 0.4-0.5: C B A; 0.5-0.6: C A B; t > 0.6: A C B.
ABC = {"A": (1.0, 0.0), "B": (0.0, 1.0), "C": (0.6, 0.6)}
ABC_ACCEPTABILITY = np.array([[0.4, 0.1, 0.5], [0.4, 0.1, 0.5], [0.2, 0.8, 0.0]])


def binomial_tol(p: np.ndarray, n: int) -> np.ndarray:
    """Five standard errors of a share p estimated from n samples (floor for p near 0 or 1)."""
    return 5 * np.sqrt(np.maximum(p * (1 - p), 1.0 / n) / n)


@pytest.fixture(scope="module")
def abc():
    return make_assessment(ABC)


@pytest.fixture(scope="module")
def random_assessment():
    rng = np.random.default_rng(7)
    rows = {f"R{i:02d}": tuple(rng.random(4).round(3)) for i in range(30)}
    return make_assessment(rows, weights=(0.4, 0.3, 0.2, 0.1))


# --------------------------------------------------------------------------------------------
# weight sampling


def test_uniform_sampling_is_uniform_on_the_simplex_not_normalised_uniforms():
    # Dirichlet(1, 1, 1): each weight is Beta(1, 2), so P(w1 < 0.5) = 1 - 0.5**2 = 0.75.
    n = 40_000
    w = rb.sample_dirichlet([0.7, 0.2, 0.1], n, np.random.default_rng(0))
    assert np.allclose(w.sum(axis=1), 1.0)
    p = (w[:, 0] < 0.5).mean()
    assert abs(p - 0.75) < binomial_tol(np.array(0.75), n)
    assert np.all(np.abs(w.mean(axis=0) - 1 / 3) < 5 * np.sqrt(1 / 3 * 2 / 3 / 4 / n))
    # Normalising independent uniforms (the biased way) gives about 0.82 here: far outside.
    u = np.random.default_rng(0).random((n, 3))
    biased = ((u / u.sum(axis=1, keepdims=True))[:, 0] < 0.5).mean()
    assert abs(biased - 0.75) > 5 * binomial_tol(np.array(0.75), n)


@pytest.mark.parametrize("concentration", [2.0, 20.0, 200.0])
def test_concentrated_sampling_is_unbiased(concentration):
    mu = np.array([0.5, 0.3, 0.15, 0.05])
    n = 20_000
    w = rb.sample_dirichlet(mu, n, np.random.default_rng(1), concentration=concentration)
    # Dirichlet(c * mu): mean mu, variance mu (1 - mu) / (c + 1).
    sd_of_mean = np.sqrt(mu * (1 - mu) / (concentration + 1) / n)
    assert np.all(np.abs(w.mean(axis=0) - mu) < 5 * sd_of_mean)
    assert np.allclose(w.var(axis=0), mu * (1 - mu) / (concentration + 1), rtol=0.1)


def test_zero_weight_stays_zero_when_concentrated():
    w = rb.sample_dirichlet([0.6, 0.0, 0.4], 100, np.random.default_rng(0), concentration=5)
    assert np.all(w[:, 1] == 0) and np.allclose(w.sum(axis=1), 1)


@pytest.mark.parametrize("levels", rb.LEVELS)
def test_hierarchical_samples_are_unbiased_at_every_level(tiny_assessment, levels):
    n = 20_000
    ws = rb.sample_weights(tiny_assessment.weights, n, seed=3, concentration=10, levels=levels)
    target = tiny_assessment.weights.criteria
    assert list(ws.columns) == list(target.index)
    assert np.allclose(ws.sum(axis=1), 1.0) and (ws.to_numpy() >= 0).all()
    tol = 5 * ws.std(axis=0) / np.sqrt(n) + 1e-12
    assert ((ws.mean(axis=0) - target).abs() <= tol).all(), (ws.mean(axis=0), target)


def test_levels_fix_what_they_should(tiny_assessment):
    w = rb.sample_weights(tiny_assessment.weights, 500, seed=0, levels="groups")
    # Within-group weights fixed: grid_distance and headroom keep their 1:1 ratio.
    assert np.allclose(w["grid_distance"], w["headroom"])
    w = rb.sample_weights(tiny_assessment.weights, 500, seed=0, levels="within")
    # Group weights fixed: grid keeps 0.5 in total, water 0.5.
    assert np.allclose(w["grid_distance"] + w["headroom"], 0.5) and np.allclose(w["water_stress"], 0.5)


def test_bad_sampling_arguments(abc):
    with pytest.raises(ConfigError, match="concentration"):
        rb.robustness(abc, samples=10, concentration=0)
    with pytest.raises(ConfigError, match="levels"):
        rb.robustness(abc, samples=10, levels="top")
    with pytest.raises(GrowthzonesError, match="samples"):
        rb.robustness(abc, samples=0)
    with pytest.raises(GrowthzonesError, match="interval"):
        rb.robustness(abc, samples=10, interval=1.5)


# --------------------------------------------------------------------------------------------
# rank acceptability: exact answers


def test_acceptability_by_enumeration_of_the_segment():
    # Midpoints of 1000 equal pieces of [0, 1]: shares are exact multiples of 1/1000.
    t = (np.arange(1000) + 0.5) / 1000
    p = rb.rank_acceptability(np.array([ABC["A"], ABC["B"], ABC["C"]]), np.column_stack([t, 1 - t]))
    np.testing.assert_allclose(p, ABC_ACCEPTABILITY, atol=1e-12)


def test_monte_carlo_acceptability_matches_interval_lengths(abc):
    n = 40_000
    r = abc.robustness(samples=n, seed=11)
    acc = r.rank_acceptability.loc[["A", "B", "C"]].to_numpy()
    assert np.all(np.abs(acc - ABC_ACCEPTABILITY) <= binomial_tol(ABC_ACCEPTABILITY, n))
    s = r.summary
    assert s["p_top_1"].tolist() == pytest.approx([0.4, 0.4, 0.2], abs=float(binomial_tol(np.array(0.25), n)))
    assert s.loc["C", "p_top_5"] == 1.0
    # C: P(rank 1) = 0.2, P(rank 2) = 0.8 -> median 2, 90% interval 1-2 (A's median sits on an edge).
    assert (s.loc["C", "median_rank"], s.loc["C", "rank_lo"], s.loc["C", "rank_hi"]) == (2, 1, 2)
    # C wins on 0.4 < t < 0.6: its central weight vector is (0.5, 0.5).
    assert r.central_weights.loc["C", ["c1", "c2"]].tolist() == pytest.approx([0.5, 0.5], abs=0.01)
    assert r.central_weights.loc["A", "c1"] == pytest.approx(0.8, abs=0.01)  # mean of U(0.6, 1)


def test_tiny_project_dominance_and_ineligible_site(tiny_assessment):
    # S1 beats S2 beats S3 on every criterion: ranks are certain whatever the weights; S4 fails gates.
    r = tiny_assessment.robustness(samples=2000, seed=0)
    s = r.summary
    assert s["p_top_1"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert s["median_rank"].tolist()[:3] == [1, 2, 3] and pd.isna(s.loc["S4", "median_rank"])
    assert s["p_eligible"].tolist() == [1.0, 1.0, 1.0, 0.0]
    np.testing.assert_array_equal(r.rank_acceptability.to_numpy(), np.eye(3))
    assert list(r.rank_acceptability.index) == ["S1", "S2", "S3"]
    assert list(r.central_weights.index) == ["S1"]


def test_tables_are_consistent(random_assessment):
    r = random_assessment.robustness(samples=3000, seed=5, ks=(1, 3, 10))
    acc = r.rank_acceptability.to_numpy()
    assert np.allclose(acc.sum(axis=1), 1.0) and np.allclose(acc.sum(axis=0), 1.0)
    s = r.summary
    assert (s["p_top_1"] <= s["p_top_3"]).all() and (s["p_top_3"] <= s["p_top_10"]).all()
    assert (s["rank_lo"] <= s["median_rank"]).all() and (s["median_rank"] <= s["rank_hi"]).all()
    assert np.allclose(r.central_weights.drop(columns="p_first").sum(axis=1), 1.0)
    assert r.central_weights["p_first"].sum() == pytest.approx(1.0)
    assert r.p_top(3).equals(s["p_top_3"].rename("p_top_3"))
    long = r.acceptability_long()
    assert long.groupby("site_id")["p_rank"].sum().to_numpy() == pytest.approx(1.0)


def test_seeded_runs_reproduce_exactly(random_assessment):
    a = random_assessment.robustness(samples=1500, seed=42)
    b = random_assessment.robustness(samples=1500, seed=42)
    c = random_assessment.robustness(samples=1500, seed=43)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.rank_acceptability, b.rank_acceptability)
    pd.testing.assert_frame_equal(a.weight_samples, b.weight_samples)
    assert not a.weight_samples.equals(c.weight_samples)
    assert a.seed == 42
    unseeded = random_assessment.robustness(samples=10)
    again = random_assessment.robustness(samples=10, seed=unseeded.seed)
    pd.testing.assert_frame_equal(unseeded.weight_samples, again.weight_samples)


def _brute_force(a, weights: np.ndarray) -> np.ndarray:
    """Acceptability by scoring and ranking every sample on its own, as the assessment does."""
    names = list(a.weights.criteria.index)
    elig = a.gates["eligible"].to_numpy()
    x = a.values[names].to_numpy()[elig]
    ids = a.sites.index.to_numpy()[elig]
    n = len(x)
    counts = np.zeros((n, n))
    for w in weights:
        s = mcda.aggregate(a.config.method.name, x, w, np.ones(len(names)), **dict(a.config.method.params))
        counts[rank_order(np.asarray(s), ids), np.arange(n)] += 1
    return counts / len(weights)


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("wlc", {}),
        ("wpm", {}),
        ("topsis", {}),
        ("topsis", {"normalization": "vector"}),
        ("vikor", {"v": 0.3}),
        ("promethee2", {}),
        ("owa", {"orness": 0.3}),
        ("weakest_link", {}),
    ],
)
def test_every_method_matches_a_per_sample_loop(random_assessment, method, params):
    a = random_assessment.rerank(method, **params)
    r = a.robustness(samples=400, seed=9)
    expected = _brute_force(a, r.weight_samples.to_numpy())
    np.testing.assert_allclose(r.rank_acceptability.to_numpy(), expected, atol=1e-12)


# --------------------------------------------------------------------------------------------
# input uncertainty


def test_p_eligible_when_a_gated_criterion_is_uncertain():
    # c1 gated at >= 9. X = 10 +/- 20% ~ U(8, 12): P(>= 9) = 3/4. Y = 20 -> U(16, 24): always.
    # Z = 5 -> U(4, 6): never.
    gate = '[[gates]]\ncriterion = "c1"\nop = ">="\nvalue = 9\n'
    a = make_assessment({"X": (10.0, 0.5), "Y": (20.0, 0.5), "Z": (5.0, 0.5)}, gates=gate, high=30.0)
    assert a.gates["eligible"].tolist() == [True, True, False]
    n = 20_000
    r = a.robustness(samples=n, seed=2, input_uncertainty={"c1": 0.2})
    p = r.summary["p_eligible"]
    assert abs(p["X"] - 0.75) < binomial_tol(np.array(0.75), n)
    assert p["Y"] == 1.0 and p["Z"] == 0.0
    acc = r.rank_acceptability
    assert list(acc.index) == ["X", "Y"]  # Z can never pass the gate
    assert np.allclose(acc.sum(axis=1), p[acc.index])
    # Y's median rank is defined; X's 95th percentile falls on "ineligible" -> missing.
    assert pd.isna(r.summary.loc["X", "rank_hi"])


def test_zero_width_uncertainty_reproduces_weights_only(random_assessment):
    a = random_assessment.robustness(samples=800, seed=4)
    b = random_assessment.robustness(samples=800, seed=4, input_uncertainty={"c1": 0.0, "c3": 0.0})
    pd.testing.assert_frame_equal(a.weight_samples, b.weight_samples)
    np.testing.assert_allclose(a.rank_acceptability.to_numpy(), b.rank_acceptability.to_numpy(), atol=1e-12)


def test_input_draws_do_not_depend_on_the_chunk_size(random_assessment, monkeypatch):
    spec = {"c1": 0.3, "c2": 0.1}
    a = random_assessment.rerank("topsis").robustness(samples=700, seed=8, input_uncertainty=spec)
    monkeypatch.setattr(rb, "_CHUNK_ELEMENTS", 500)
    b = random_assessment.rerank("topsis").robustness(samples=700, seed=8, input_uncertainty=spec)
    pd.testing.assert_frame_equal(a.summary, b.summary)


@pytest.mark.parametrize("normalization", ["minmax", "none"])
def test_batched_topsis_equals_aggregate_per_sample(normalization):
    rng = np.random.default_rng(0)
    c, n, m = 25, 40, 5
    v = rng.random((c, n, m)).round(2)  # rounding makes constant columns and ties likely
    v[3, :, 2] = 0.5
    w = rng.dirichlet(np.ones(m), size=c)
    valid = rng.random((c, n)) < 0.7
    got = rb._topsis_batch(v, w, valid, normalization)
    for s in range(c):
        idx = np.flatnonzero(valid[s])
        want = mcda.aggregate("topsis", v[s, idx], w[s], np.ones(m), normalization=normalization)
        np.testing.assert_allclose(got[s, idx], want, atol=1e-12)
        assert np.isnan(got[s, ~valid[s]]).all()


@pytest.mark.parametrize("method", ["wlc", "topsis", "vikor"])
def test_uncertain_inputs_match_a_per_sample_loop(method):
    # Two sites swap places when X's uncertain c1 crosses Y's: check against the loop path.
    rng = np.random.default_rng(1)
    rows = {f"S{i}": tuple(rng.random(3).round(2)) for i in range(12)}
    a = make_assessment(rows).rerank(method)
    r = a.robustness(samples=300, seed=1, input_uncertainty={"c1": 0.5})
    names = ["c1", "c2", "c3"]
    # Redraw exactly what robustness drew: stream 1 of the same seed sequence.
    ss = np.random.SeedSequence(1).spawn(2)[1]
    u = np.random.default_rng(ss).random((300, 12))
    x = a.criteria["c1"].to_numpy()
    lo, hi = x * (1 - 0.5), x * (1 + 0.5)
    c1 = (lo + (hi - lo) * u).clip(0, 1)
    counts = np.zeros((12, 12))
    for s, w in enumerate(r.weight_samples.to_numpy()):
        vals = a.values[names].to_numpy().copy()
        vals[:, 0] = c1[s]
        sc = mcda.aggregate(method, vals, w, np.ones(3))
        counts[rank_order(np.asarray(sc), a.sites.index.to_numpy()), np.arange(12)] += 1
    np.testing.assert_allclose(r.rank_acceptability.to_numpy(), counts / 300, atol=1e-12)


def test_uncertainty_from_low_high_columns():
    extra = {"lo": [0.1, 0.5, np.nan], "hi": [0.3, 0.5, np.nan]}
    a = make_assessment({"A": (0.2, 0.5), "B": (0.5, 0.5), "C": (0.9, 0.1)}, extra=extra)
    r = a.robustness(samples=200, seed=0, input_uncertainty={"c1": ("lo", "hi")})
    assert r.input_uncertainty == {"c1": ("lo", "hi")}
    assert "robustness_input_uncertainty" in r.metadata()
    bad = make_assessment({"A": (0.2, 0.5), "B": (0.5, 0.5)}, extra={"lo": [0.3, 0.5], "hi": [0.1, 0.5]})
    with pytest.raises(CriterionError, match="exceeds high column"):
        bad.robustness(samples=10, input_uncertainty={"c1": ("lo", "hi")})


def test_uncertainty_errors_name_the_problem(abc):
    with pytest.raises(CriterionError, match="did you mean 'c1'"):
        abc.robustness(samples=10, input_uncertainty={"c11": 0.1})
    with pytest.raises(CriterionError, match="relative range"):
        abc.robustness(samples=10, input_uncertainty={"c1": -0.1})
    with pytest.raises(CriterionError, match="not found"):
        abc.robustness(samples=10, input_uncertainty={"c1": ("low", "high")})


# --------------------------------------------------------------------------------------------
# sweeps


def test_sweep_is_tidy_and_wlc_scores_are_linear(random_assessment):
    df = random_assessment.sweep("g1", steps=11, top=5)
    assert list(df.columns) == ["target", "level", "weight", "current", "site_id", "name", "rank", "score"]
    assert set(df["weight"]) >= {0.0, 0.4, 1.0}
    at_current = df[df["weight"] == 0.4].set_index("site_id")
    assert (at_current["rank"] == random_assessment.scores["rank"][at_current.index]).all()
    wide = df.pivot(index="weight", columns="site_id", values="score")
    t = wide.index.to_numpy()[:, np.newaxis]
    np.testing.assert_allclose(wide.to_numpy(), (1 - t) * wide.iloc[[0]].to_numpy() + t * wide.iloc[[-1]].to_numpy())
    # At weight 1 only c1 counts: the score is 100 x c1.
    np.testing.assert_allclose(wide.iloc[-1], 100 * random_assessment.criteria.loc[wide.columns, "c1"])
    # Every tracked site is in the top 5 somewhere.
    assert (df.groupby("site_id")["rank"].min() <= 5).all()


def test_sweep_proportional_rescaling_matches_reweight(random_assessment):
    df = random_assessment.sweep("g2", steps=6, sites=["R03"])
    row = df[np.isclose(df["weight"], 0.6)].iloc[0]
    rest = 0.4 / (1 - 0.3)
    b = random_assessment.reweight(groups={"g1": 0.4 * rest, "g2": 0.6, "g3": 0.2 * rest, "g4": 0.1 * rest})
    assert row["score"] == pytest.approx(b.scores.loc["R03", "score"], abs=1e-9)
    assert row["rank"] == b.scores.loc["R03", "rank"]


def test_sweep_errors(random_assessment):
    with pytest.raises(ConfigError, match="did you mean 'g1'"):
        random_assessment.sweep("g11")
    with pytest.raises(GrowthzonesError, match="not eligible"):
        random_assessment.sweep("g1", sites=["nope"])


# --------------------------------------------------------------------------------------------
# stability


def test_stability_by_hand():
    # Weights (0.5, 0.5): A 0.5, B 0.5, C 0.6, D 0.1 -> C 1st, A 2nd (tie with B, by id), B 3rd.
    # Top 1: C leaves when g1 passes 0.6 (A ahead) or drops below 0.4 (B ahead): |change| 0.1.
    # A enters at g1 = 0.6 (+0.1); B at g1 = 0.4 (-0.1); D never.
    a = make_assessment({**ABC, "D": (0.1, 0.1)})
    st = a.stability(k=1)
    assert st.index.tolist() == ["C", "A", "B", "D"]
    assert st["in_top_k"].tolist() == [True, False, False, False]
    assert st["change"].abs().iloc[:3].tolist() == pytest.approx([0.1, 0.1, 0.1])
    assert st.loc["A", "weight"] == "g1" and st.loc["A", "threshold"] == pytest.approx(0.6)
    assert st.loc["B", "threshold"] == pytest.approx(0.4) and st.loc["B", "change"] == pytest.approx(-0.1)
    assert st.loc["A", "rank_after"] == 1 and st.loc["C", "rank_after"] == 2
    assert pd.isna(st.loc["D", "weight"]) and st.loc["D", "summary"] == "cannot reach top 1 by changing one weight"
    assert st.loc["A", "summary"].startswith("enters the top 1 if the group weight 'g1' goes from 0.500 to 0.600")


def test_stability_stays_when_nothing_can_push_it_out():
    a = make_assessment({"A": (1.0, 1.0), "B": (0.5, 0.2), "C": (0.1, 0.4)})
    st = a.stability(k=1)
    assert st.loc["A", "summary"] == "stays in the top 1 whatever any single weight is set to"


@pytest.mark.parametrize("k", [1, 3, 10])
def test_exact_and_grid_stability_agree_for_wlc(random_assessment, k):
    exact = random_assessment.stability(k=k)
    grid = random_assessment.stability(k=k, exact=False, grid=101, tol=1e-10)
    pd.testing.assert_series_equal(exact["weight"], grid["weight"])
    np.testing.assert_allclose(exact["threshold"], grid["threshold"], atol=1e-8)
    assert (exact["rank_after"].fillna(0) == grid["rank_after"].fillna(0)).all()


@pytest.mark.parametrize(("method", "params"), [("wlc", {}), ("topsis", {}), ("promethee2", {})])
def test_stability_thresholds_really_flip_the_status(random_assessment, method, params):
    a = random_assessment.rerank(method, **params)
    k = 5
    st = a.stability(k=k)
    targets = {(t.name, t.level): t for t in rb.weight_targets(a)}
    elig = a.gates["eligible"].to_numpy()
    x = a.values[list(a.weights.criteria.index)].to_numpy()[elig]
    ids = a.sites.index.to_numpy()[elig]
    checked = 0
    for sid, row in st.dropna(subset=["threshold"]).iterrows():
        t = targets[(row["weight"], row["level"])]
        step = np.sign(row["change"]) * 1e-7
        for at, should_flip in ((row["threshold"] + step, True), (row["threshold"] - step, False)):
            s = mcda.aggregate(method, x, t.weights_at(at), np.ones(x.shape[1]), **params)
            rank = int(np.flatnonzero(ids[rank_order(np.asarray(s), ids)] == sid)[0]) + 1
            assert ((rank <= k) != row["in_top_k"]) == should_flip, (sid, at)
        checked += 1
    assert checked > 10


def test_stability_exact_needs_wlc(random_assessment):
    with pytest.raises(GrowthzonesError, match="exact=True needs method 'wlc'"):
        random_assessment.rerank("topsis").stability(k=3, exact=True)


# --------------------------------------------------------------------------------------------
# outputs


def test_geopackage_with_robustness(tiny_assessment, tmp_path):
    from growthzones.export import write_geopackage

    r = tiny_assessment.robustness(samples=500, seed=1)
    out = write_geopackage(tiny_assessment, tmp_path / "r.gpkg", robustness=r)
    assert set(dict(pyogrio.list_layers(out))) == {"ranked_sites", "run", "rank_acceptability"}
    gdf = pyogrio.read_dataframe(out, layer="ranked_sites")
    for col in ("p_top_10", "rank_lo", "rank_hi", "median_rank", "p_eligible", "archetype", "summary"):
        assert col in gdf.columns, col
    assert gdf.set_index("site_id").loc["S1", "p_top_1"] == 1.0
    assert gdf.set_index("site_id").loc["S1", "summary"].startswith("Ranks 1st of 3 eligible sites")
    acc = pyogrio.read_dataframe(out, layer="rank_acceptability", read_geometry=False)
    assert acc[["site_id", "rank", "p_rank"]].values.tolist() == [["S1", 1, 1.0], ["S2", 2, 1.0], ["S3", 3, 1.0]]
    run = pyogrio.read_dataframe(out, layer="run", read_geometry=False).set_index("key")["value"]
    assert run["robustness_samples"] == "500" and run["robustness_seed"] == "1"


def test_cli_robustness(tiny_config_path, tmp_path):
    out = tmp_path / "rob.gpkg"
    res = CliRunner().invoke(
        main, ["robustness", str(tiny_config_path), "--samples", "300", "--seed", "3", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "Tiny test project: 3 eligible sites, method wlc, 300 samples of uniform weights, seed 3" in res.stdout
    assert "rank_acceptability" in dict(pyogrio.list_layers(out))
    bad = CliRunner().invoke(main, ["robustness", str(tiny_config_path), "--uncertainty", "headroom"])
    assert bad.exit_code == 2 and "--uncertainty" in bad.output


def test_cli_uncertainty_option_parses():
    from growthzones.cli.robustness import parse_uncertainty

    assert parse_uncertainty("a=0.3, b=lo:hi") == {"a": 0.3, "b": ("lo", "hi")}
    with pytest.raises(ConfigError):
        parse_uncertainty("a=x")


def test_uncertainty_declared_in_config_is_sampled(tmp_path):
    """grid_distance declares +/- 50%; the gate is <= 20 km.

    S3 is 13.96674 km away, sampled uniformly on [6.98337, 20.95011]: P(eligible) =
    (20 - 6.98337) / (20.95011 - 6.98337) = 0.93196. S2 (10 km, [5, 15]) always passes; S4
    fails its area gate whatever the distance.
    """
    from tinyproject import TINY_CONFIG, write_tiny_project

    import growthzones as gz
    from growthzones.config import parse_config

    text = TINY_CONFIG.replace(
        'where = "voltage_kv >= 275"\ndirection = "cost"',
        'where = "voltage_kv >= 275"\ndirection = "cost"\nuncertainty = 0.5',
        1,
    )
    cfg_path = write_tiny_project(tmp_path / "unc", config_text=text)
    a = gz.assess(cfg_path)
    assert a.config.criterion("grid_distance").uncertainty == 0.5
    n = 20_000
    r = a.robustness(samples=n, seed=3)
    d = 13.966743
    p3 = (20 - d * 0.5) / (d * 1.5 - d * 0.5)
    assert r.summary.loc["S3", "p_eligible"] == pytest.approx(p3, abs=4 * (p3 * (1 - p3) / n) ** 0.5)
    assert r.summary.loc["S2", "p_eligible"] == 1.0
    assert r.summary.loc["S4", "p_eligible"] == 0.0
    off = a.robustness(samples=1000, seed=3, input_uncertainty=False)
    assert off.summary.loc["S3", "p_eligible"] == 1.0
    # the TOML writer keeps it
    again = parse_config(a.config.to_toml(), base_dir=cfg_path.parent)
    assert again.criterion("grid_distance").uncertainty == 0.5
    cols = parse_config(text.replace("uncertainty = 0.5", 'uncertainty = ["lo", "hi"]'), base_dir=cfg_path.parent)
    assert cols.criterion("grid_distance").uncertainty == ("lo", "hi")


def test_missing_exclude_keeps_a_site_out_of_input_uncertainty_samples():
    # The scoring policy decides: B has no c1 and c1 says missing = "exclude", so B is never ranked,
    # even when c2's values are sampled; A (score 0.5) and C (0.6 +/- 0.03) keep their order.
    text = (
        '[project]\nname = "hand"\n[sites]\npath = "none.gpkg"\nid = "sid"\nname = "label"\n'
        "[weights]\ng1 = 0.5\ng2 = 0.5\n"
        '[[criteria]]\nname = "c1"\ngroup = "g1"\nmeasure = "attribute"\nattribute = "c1"\nunit = "MW"\n'
        'missing = "exclude"\nvalue = { function = "linear", low = 0, high = 1 }\n'
        '[[criteria]]\nname = "c2"\ngroup = "g2"\nmeasure = "attribute"\nattribute = "c2"\nunit = "MW"\n'
        'value = { function = "linear", low = 0, high = 1 }\n'
    )
    ids = ["A", "B", "C"]
    sites = gpd.GeoDataFrame({"name": ids}, geometry=[box(k * 1000, 0, k * 1000 + 500, 500) for k in range(3)],
                             index=pd.Index(ids, name="site_id"), crs=27700)  # fmt: skip
    criteria = pd.DataFrame({"c1": [1.0, np.nan, 0.6], "c2": [0.0, 1.0, 0.6]}, index=sites.index)
    a = evaluate(parse_config(text), sites, criteria)
    assert a.gates.loc["B", "eligible"] == False  # noqa: E712
    r = rb.robustness(a, samples=200, seed=1, input_uncertainty={"c2": 0.1}, concentration=1000.0)
    acc = r.rank_acceptability
    assert "B" not in acc.index or float(acc.loc["B"].sum()) == 0.0
    assert float(acc.loc["C", 1]) == 1.0 and float(acc.loc["A", 2]) == 1.0
