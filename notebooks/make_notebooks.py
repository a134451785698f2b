"""Write the analyst notebooks from code, so that they are reviewed as code.

Each notebook is a list of Markdown and code cells below. The ``.ipynb`` files are written
without outputs or execution counts, with fixed cell ids, so regenerating them changes nothing
unless a cell changed::

    python notebooks/make_notebooks.py           # (re)write notebooks/*.ipynb
    python notebooks/make_notebooks.py --check   # exit 1 if a committed notebook is out of date

``tests/test_notebooks.py`` runs every notebook top to bottom on the bundled demo and fails when
a committed notebook differs from what this script writes.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]


def md(text: str) -> Cell:
    """A Markdown cell."""
    return ("markdown", textwrap.dedent(text).strip("\n"))


def code(text: str) -> Cell:
    """A code cell."""
    return ("code", textwrap.dedent(text).strip("\n"))


DEMO_NOTICE = (
    "> **Illustrative demo data.** The GB outline, towns and railway stations are real; the bids, "
    "substations, grid headroom, water stress, flood risk and protected areas are synthetic "
    "(see `data/demo/SOURCES.md`). Do not read anything about real places into the results."
)

# ---------------------------------------------------------------------------------------------
# 1. Quickstart
# ---------------------------------------------------------------------------------------------

QUICKSTART = [
    md(
        f"""
        # 1. Quickstart: rank the demo bids

        Load the bundled demo, assess the candidate AI Growth Zone bids, look at the top 20 and the
        map, and export a shortlist (GeoPackage for QGIS, CSV, interactive map).

        {DEMO_NOTICE}

        The same in one command: `growthzones demo --out-dir out`.
        """
    ),
    code(
        """
        %matplotlib inline
        import tempfile
        from pathlib import Path

        import geopandas as gpd
        import pandas as pd
        import pyogrio

        import growthzones as gz
        from growthzones import plots

        pd.set_option("display.max_columns", 30)
        pd.set_option("display.width", 160)
        """
    ),
    md(
        """
        ## The config

        Everything about an assessment is in one TOML file: the sites, the layers, the criteria
        (how each is measured, valued and weighted), the gates and the aggregation method. Every
        key is documented in `docs/config.md`.
        """
    ),
    code(
        """
        config_path = gz.datasets.demo_config_path()
        config = gz.load_config(config_path)
        print(config.project.name)
        print("group weights:", dict(config.weights))
        print(f"{len(config.criteria)} criteria, {len(config.gates)} gates, method {config.method.name!r}")
        """
    ),
    code(
        """
        pd.DataFrame(
            [(c.name, c.group, c.measure, c.layer or "-", c.direction, c.weight, c.unit) for c in config.criteria],
            columns=["criterion", "group", "measure", "layer", "direction", "weight in group", "unit"],
        )
        """
    ),
    md(
        """
        ## Assess

        `gz.assess` reads every layer once, measures each criterion for every bid in real units
        (km, MW, ha, fractions), applies the gates, maps each criterion onto a 0..1 value,
        aggregates the values into a 0-100 score and ranks the eligible bids. Everything after
        this step (re-weighting, another method, robustness) works on the criteria table and is
        instant. The notes say what was repaired, reprojected or filled in.
        """
    ),
    code(
        """
        a = gz.assess(config)
        print(f"{a.n_eligible} of {len(a.sites)} bids pass every gate")
        for note in a.notes:
            print("-", note)
        """
    ),
    md(
        """
        ## The top 20

        `score` is 0-100 (higher is better); the `<group>_score` columns are each group's
        sub-score, 0-100. With the default weighted linear combination the score is the
        weighted sum of the group sub-scores.
        """
    ),
    code(
        """
        a.top(20).round(1)
        """
    ),
    code(
        """
        plots.score_bars(a, top=20)
        """
    ),
    md(
        """
        The raw criteria behind the top five, in real units:
        """
    ),
    code(
        """
        a.ranking.head(5)[["name", *(c.name for c in config.criteria)]].round(2)
        """
    ),
    md(
        """
        ## Why are some bids not ranked?

        A bid that fails a gate stays in every output with `eligible = False` and the reasons in
        words.
        """
    ),
    code(
        """
        ineligible = a.ranking.loc[~a.ranking["eligible"], ["name", "gate_reasons"]]
        print(len(ineligible), "bids fail at least one gate")
        ineligible.head(10)
        """
    ),
    md(
        """
        ## The map

        Bids are coloured by score (grey: ineligible); hover or click a bid for its rank, score
        and reasons. The input layers are in the layer control (top right). The basemap tiles
        need an internet connection; `a.map(tiles=None)` draws without them.
        """
    ),
    code(
        """
        m = a.map()
        m
        """
    ),
    md(
        """
        ## Export a shortlist

        Outputs are written atomically (to a temporary file, then renamed), so a failed write
        never leaves half a file. Here they go to a temporary folder.
        """
    ),
    code(
        """
        out_dir = Path(tempfile.mkdtemp(prefix="growthzones-quickstart-"))
        gpkg = a.to_geopackage(out_dir / "shortlist.gpkg")
        a.to_csv(out_dir / "shortlist.csv")
        m.save(out_dir / "map.html")
        print(out_dir)
        sorted(p.name for p in out_dir.iterdir())
        """
    ),
    md(
        """
        The GeoPackage has the ranked sites (open it in QGIS) and a `run` table recording the
        config, input file hashes, method, weights and version that made the ranking.
        """
    ),
    code(
        """
        print(pyogrio.list_layers(gpkg))
        shortlist = gpd.read_file(gpkg, layer="ranked_sites")
        shortlist[["site_id", "name", "rank", "score", "eligible"]].head()
        """
    ),
    code(
        """
        gpd.read_file(gpkg, layer="run").head(10)
        """
    ),
    md(
        """
        **Next:** `02_reweighting.ipynb` changes the weights, `03_methods.ipynb` the aggregation
        method, `04_robustness.ipynb` asks how sure the ranking is, and
        `05_bring_your_own_layers.ipynb` assesses your own layers.
        """
    ),
]

# ---------------------------------------------------------------------------------------------
# 2. Re-weighting
# ---------------------------------------------------------------------------------------------

REWEIGHTING = [
    md(
        f"""
        # 2. Re-weighting: group weights, criterion weights, AHP and sweeps

        Weights are where planners disagree most. This notebook changes group and criterion
        weights, derives group weights from an AHP pairwise comparison matrix, compares the
        rankings (rank shifts, Kendall's tau) and sweeps one weight from 0 to 1.

        {DEMO_NOTICE}
        """
    ),
    code(
        """
        %matplotlib inline
        import tempfile
        import warnings
        from pathlib import Path

        import numpy as np
        import pandas as pd
        from scipy import stats

        import growthzones as gz
        from growthzones import plots
        from growthzones.mcda import InconsistentJudgementWarning, ahp_weights

        pd.set_option("display.width", 160)
        a = gz.assess(gz.datasets.demo_config_path())
        """
    ),
    md(
        """
        ## Weights are hierarchical

        Each criterion belongs to a group (grid, land, connectivity, water, planning). The config
        gives a weight to each group and to each criterion within its group; both levels are
        normalised to sum to 1, and a criterion's global weight is the product. A criterion with
        weight 0 is reported and can be gated on, but does not count in the score.
        """
    ),
    code(
        """
        a.weights.groups.round(3)
        """
    ),
    code(
        """
        hw = a.weights
        pd.DataFrame({"group": hw.group_of, "within group": hw.within, "global": hw.criteria}).round(3)
        """
    ),
    md(
        """
        ## Change group weights and criterion weights

        `reweight` returns a new assessment from the criteria table alone (no layer is read
        again). Weights that do not sum to 1 are normalised, and the notes say so.
        """
    ),
    code(
        """
        water_first = a.reweight(groups={"water": 0.4, "grid": 0.2})
        print(water_first.weights.groups.round(3).to_dict())
        print([n for n in water_first.notes if n.startswith("weights:")])
        """
    ),
    code(
        """
        headroom_first = a.reweight(criteria={"grid_headroom": 0.6, "grid_distance": 0.1})
        headroom_first.weights.within[a.weights.group_of == "grid"].round(3)
        """
    ),
    md(
        """
        ## Who moved?

        A rank-shift table of the bids in either top 20, and Kendall's tau between the two
        rankings over the bids eligible in both (1 = the same order, 0 = unrelated).
        """
    ),
    code(
        """
        def rank_shift(new, base, top=20):
            \"\"\"Ranks before and after for the bids in either top ``top``; positive ``moved`` = up.\"\"\"
            before, after = base.scores["rank"], new.scores["rank"]
            t = pd.DataFrame({"name": base.sites["name"], "rank before": before, "rank after": after})
            t = t.loc[(t["rank before"] <= top) | (t["rank after"] <= top)]
            t["moved"] = t["rank before"] - t["rank after"]
            return t.sort_values("rank after")


        def kendall(x, y):
            \"\"\"Kendall's tau between two rankings, over the bids eligible in both.\"\"\"
            both = x.eligible & y.eligible
            tau, _ = stats.kendalltau(
                x.scores.loc[both, "rank"].to_numpy(dtype=float), y.scores.loc[both, "rank"].to_numpy(dtype=float)
            )
            return float(tau)


        print(f"Kendall's tau, configured vs water first: {kendall(a, water_first):.3f}")
        rank_shift(water_first, a)
        """
    ),
    md(
        """
        ## Group weights from AHP

        The Analytic Hierarchy Process asks for pairwise judgements on Saaty's 1-9 scale ("grid
        is 3 times as important as land"); `ahp_weights` returns the principal-eigenvector
        weights and the consistency ratio (CR). A CR above 0.1 means the judgements contradict
        each other, and a warning names the judgement to revisit.
        """
    ),
    code(
        """
        groups = list(a.weights.groups.index)
        pairwise = np.array(
            [
                # grid land connectivity water planning
                [1, 3, 3, 5, 5],
                [1 / 3, 1, 1, 2, 3],
                [1 / 3, 1, 1, 2, 3],
                [1 / 5, 1 / 2, 1 / 2, 1, 2],
                [1 / 5, 1 / 3, 1 / 3, 1 / 2, 1],
            ]
        )
        w, cr = ahp_weights(pairwise, labels=groups)
        print(f"consistency ratio {cr:.3f}")
        pd.Series(w, index=groups, name="AHP weight").round(3)
        """
    ),
    code(
        """
        inconsistent = pairwise.copy()
        inconsistent[1, 3], inconsistent[3, 1] = 1 / 7, 7  # "water is 7 times as important as land"?
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ahp_weights(inconsistent, labels=groups)
        for warning in caught:
            if issubclass(warning.category, InconsistentJudgementWarning):
                print(warning.message)
        """
    ),
    code(
        """
        ahp = a.reweight(groups=dict(zip(groups, w, strict=True)))
        rank_shift(ahp, a, top=10)
        """
    ),
    md(
        """
        ## Compare the rankings

        The top 10 under each weighting, side by side, and Kendall's tau between every pair.
        """
    ),
    code(
        """
        variants = {"configured": a, "water first": water_first, "headroom first": headroom_first, "AHP": ahp}
        pd.DataFrame({k: v.top(10)["name"].to_numpy() for k, v in variants.items()}, index=range(1, 11))
        """
    ),
    code(
        """
        pd.DataFrame(
            [[kendall(x, y) for y in variants.values()] for x in variants.values()],
            index=list(variants),
            columns=list(variants),
        ).round(3)
        """
    ),
    md(
        """
        ## One-at-a-time sweep

        `sweep` moves one weight (a group, or a criterion's global weight) from 0 to 1, rescaling
        the others proportionally, and tracks every bid that reaches the top 5 anywhere along the
        way. Lines that cross near the configured weight (the dashed line) mark a ranking that
        hinges on that weight.
        """
    ),
    code(
        """
        sw = a.sweep("grid", steps=51, top=5)
        fig = plots.sweep_lines(sw, site="name")
        fig.axes[0].axvline(sw["current"].iloc[0], color="grey", ls="--", lw=1)
        fig
        """
    ),
    code(
        """
        sw_water = a.sweep("water_stress", level="criterion", steps=51, top=5)
        plots.sweep_lines(sw_water, site="name")
        """
    ),
    md(
        """
        ## Keep the weighting

        A re-weighted config can be written back to TOML and used from the command line
        (`growthzones rank demo_ahp.toml --out shortlist.gpkg`); the shortlist records the
        weights it was made with. From the command line, `--weights grid=0.5,water=0.1` does the
        same for a one-off run.
        """
    ),
    code(
        """
        out_dir = Path(tempfile.mkdtemp(prefix="growthzones-reweighting-"))
        toml_path = out_dir / "demo_ahp.toml"
        toml_path.write_text(ahp.config.to_toml(), encoding="utf-8")
        again = gz.load_config(toml_path)
        print({g: round(v, 3) for g, v in again.weights.items()})
        ahp.to_geopackage(out_dir / "shortlist_ahp.gpkg")
        sorted(p.name for p in out_dir.iterdir())
        """
    ),
]

# ---------------------------------------------------------------------------------------------
# 3. Methods
# ---------------------------------------------------------------------------------------------

METHODS = [
    md(
        f"""
        # 3. Methods: the same bids under several aggregation methods

        Weights say what matters; the aggregation method says how the criteria combine. A
        weighted sum lets a strength make up for a weakness; a weighted minimum does not. This
        notebook ranks the same eligible bids under every method, measures how far the rankings
        agree and picks out the bids whose place depends on the method.

        {DEMO_NOTICE}
        """
    ),
    code(
        """
        %matplotlib inline
        import pandas as pd

        import growthzones as gz
        from growthzones import mcda, plots

        pd.set_option("display.width", 160)
        pd.set_option("display.max_colwidth", 100)
        a = gz.assess(gz.datasets.demo_config_path())
        pd.Series(mcda.describe_methods(), name="what it does").to_frame()
        """
    ),
    md(
        """
        ## Rank under every method

        Each method receives the same 0..1 values and weights (gates apply first, so relative
        methods compare eligible bids only). A method with parameters is given as
        `(name, {params})`; OWA needs its `orness` (0 = weakest criterion only, 0.5 = weighted
        mean, 1 = strongest only).
        """
    ),
    code(
        """
        methods = ["wlc", "wpm", "topsis", "vikor", "promethee2", ("owa", {"orness": 0.3}), "weakest_link"]
        cmp = a.compare_methods(methods)
        labels = list(cmp.scores.columns)
        cmp.ranks.head(15)
        """
    ),
    md(
        """
        Scores are all 0-100, higher is better, but their spread differs by method: compare
        ranks between methods, not scores. The weighted product model (WPM) stands out: a bid
        with a value of 0 on any weighted criterion (e.g. further than the `high` end of a
        distance's value function) scores 0, however good it is otherwise.
        """
    ),
    code(
        """
        print(f"WPM scores {(cmp.scores['wpm'] == 0).mean():.0%} of the eligible bids 0")
        cmp.scores.describe().round(1)
        """
    ),
    md(
        """
        ## How far do the methods agree?

        Kendall's tau between the rankings of every pair of methods (1 = identical order).
        """
    ),
    code(
        """
        cmp.kendall.round(2)
        """
    ),
    code(
        """
        plots.method_agreement(cmp)
        """
    ),
    md(
        """
        ## Which bids are method-sensitive?

        `rank_range` is the worst minus the best rank a bid gets across methods. The robust core
        is the bids in the top 20 under every method; the method-sensitive ones are in the top 20
        under some methods only.
        """
    ),
    code(
        """
        in_top = cmp.ranks[labels] <= 20
        core = cmp.ranks.loc[in_top.all(axis=1), ["name", "mean_rank", "rank_range"]]
        sensitive = cmp.ranks.loc[in_top.any(axis=1) & ~in_top.all(axis=1), ["name", *labels, "rank_range"]]
        print(f"{len(core)} bids are in the top 20 under every method; {len(sensitive)} under some only")
        sensitive.sort_values("rank_range", ascending=False).head(10)
        """
    ),
    code(
        """
        cmp.movers(5)[["name", *labels, "rank_range"]]
        """
    ),
    md(
        """
        ## Why does a bid move?

        Explanations work for every method. For WLC the contributions add up to the score
        exactly; for the other methods they are Shapley values over the criterion groups (they
        still add up to the score, from a baseline). The bid that moves most:
        """
    ),
    code(
        """
        mover = cmp.movers(1).index[0]
        for name in ("wlc", "wpm", "weakest_link"):
            e = a.rerank(name).explain(mover)
            print(f"{name} ({e.decomposition}): {e.text}", end="\\n\\n")
        """
    ),
    code(
        """
        shown = ("wlc", "wpm", "weakest_link")
        pd.concat({name: a.rerank(name).explain(mover).groups["contribution"] for name in shown}, axis=1).round(1)
        """
    ),
    md(
        """
        Its 0..1 values of 0, which send its WPM score to 0. Under WPM a yes/no criterion such as
        `brownfield` acts as a hard gate: every bid without it scores 0.
        """
    ),
    code(
        """
        values = a.values.loc[mover, list(a.weights.criteria.index)]
        values[values == 0]
        """
    ),
    md(
        """
        ## Method parameters matter too

        VIKOR's `v` trades the group utility (the weighted sum of regrets, `v = 1`) against the
        single worst regret (`v = 0`).
        """
    ),
    code(
        """
        vikor = a.compare_methods([("vikor", {"v": v}) for v in (0.2, 0.5, 0.8)])
        vikor.kendall.round(2)
        """
    ),
    md(
        """
        ## Choose a method

        `a.rerank("topsis")` returns the assessment under another method; in a config the same
        is `[method] name = "topsis"` (see `docs/config.md` for every method's parameters). From
        the command line: `growthzones compare data/demo/config.toml` prints the agreement table
        and the movers, and `growthzones rank ... --method topsis` ranks with another method.
        """
    ),
    code(
        """
        a.rerank("topsis").top(10)[["rank", "name", "score"]].round(1)
        """
    ),
]

# ---------------------------------------------------------------------------------------------
# 4. Robustness
# ---------------------------------------------------------------------------------------------

ROBUSTNESS = [
    md(
        f"""
        # 4. Robustness: how sure is the shortlist?

        If the weights are only roughly known, how often does each bid land at each rank? What
        single weight change would push a bid in or out of the top 10? What kinds of bid are
        there, and why does a given bid rank where it does?

        {DEMO_NOTICE}
        """
    ),
    code(
        """
        %matplotlib inline
        import tempfile
        from pathlib import Path

        import geopandas as gpd
        import matplotlib.pyplot as plt
        import pandas as pd

        import growthzones as gz
        from growthzones import plots
        from growthzones.export import write_geopackage

        pd.set_option("display.width", 160)
        pd.set_option("display.max_colwidth", 120)
        a = gz.assess(gz.datasets.demo_config_path())
        """
    ),
    md(
        """
        ## Rank acceptability (SMAA)

        `robustness` samples weight vectors (here 2,000; 10,000 gives shares to about ±0.01) from
        Dirichlet distributions at both levels of the weight hierarchy and ranks the bids under
        each. Without a `concentration` the weights are uniform over every possible weighting:
        a bid that is often near the top under *any* weights is a robust choice. The seed makes
        the tables reproducible.
        """
    ),
    code(
        """
        r = a.robustness(samples=2000, seed=42)
        cols = ["name", "rank", "p_top_1", "p_top_10", "median_rank", "rank_lo", "rank_hi"]
        r.summary.sort_values("rank")[cols].head(15).round(3)
        """
    ),
    code(
        """
        plots.acceptability_heatmap(r.rank_acceptability, top=20, max_rank=20)
        """
    ),
    code(
        """
        plots.rank_intervals(r.summary, top=30, names=a.sites["name"])
        """
    ),
    md(
        """
        ## Around the configured weights, and uncertain inputs

        With a `concentration` the samples stay near the configured weights (larger = closer).
        `input_uncertainty` also varies criterion values, e.g. grid headroom ±30%; gates are
        re-applied per sample, so a bid near the 100 MW headroom gate is eligible only in some
        samples.
        """
    ),
    code(
        """
        near = a.robustness(samples=2000, seed=42, concentration=50)
        inputs = a.robustness(samples=2000, seed=42, concentration=50, input_uncertainty={"grid_headroom": 0.3})
        compare = pd.DataFrame(
            {
                "name": a.sites["name"],
                "rank": a.scores["rank"],
                "P(top 10), any weights": r.summary["p_top_10"],
                "P(top 10), near weights": near.summary["p_top_10"],
                "P(top 10), + headroom ±30%": inputs.summary["p_top_10"],
                "P(eligible), + headroom ±30%": inputs.summary["p_eligible"],
            }
        )
        compare.sort_values("rank").head(15).round(3)
        """
    ),
    code(
        """
        p_elig = compare["P(eligible), + headroom ±30%"]
        unsure = compare.loc[(p_elig > 0) & (p_elig < 1)]
        print(f"{len(unsure)} bids pass the gates in some samples only")
        unsure.sort_values("P(eligible), + headroom ±30%", ascending=False).head(8).round(3)
        """
    ),
    md(
        """
        ## Stability: what would it take?

        For each eligible bid, the smallest change of a single weight (the others rescaled
        proportionally) that moves it into or out of the top 10. With WLC this is exact.
        """
    ),
    code(
        """
        st = a.stability(k=10)
        st.head(12)[["name", "rank", "weight", "current", "threshold", "change", "rank_after"]].round(3)
        """
    ),
    code(
        """
        for sid, row in st.head(12).iterrows():
            print(f"{row['rank']:>3} {sid} {row['name']}: {row['summary']}")
        """
    ),
    md(
        """
        ## Archetypes

        Eligible bids clustered on their 0..1 criterion values (k-means, k chosen by silhouette),
        each archetype named by the groups where it is strong or weak, and drawn on the first two
        principal components.
        """
    ),
    code(
        """
        arch = a.archetypes()
        print(f"{arch.k} archetypes")
        arch.profiles.round(1)
        """
    ),
    code(
        """
        fig, ax = plt.subplots(figsize=(7, 5))
        for label, g in arch.projection.groupby("archetype", sort=True):
            ax.scatter(g["pc1"], g["pc2"], s=16, label=f"{label} ({len(g)})")
        top10 = arch.projection.loc[arch.projection.index.isin(a.top(10).index)]
        ax.scatter(top10["pc1"], top10["pc2"], s=80, facecolors="none", edgecolors="black", label="top 10")
        ax.set_xlabel(f"PC1 ({arch.explained_variance[0]:.0%} of variance)")
        ax.set_ylabel(f"PC2 ({arch.explained_variance[1]:.0%} of variance)")
        ax.set_title("Archetypes of eligible bids")
        ax.legend(fontsize=8)
        fig
        """
    ),
    code(
        """
        arch.loadings.round(2).sort_values("pc1")
        """
    ),
    md(
        """
        ## Explanations of three bids

        The top bid, the bid just outside the top 10, and a bid that fails a gate. The summary
        uses the robustness result above for "in the top 10 under x% of weightings".
        """
    ),
    code(
        """
        first = a.ranking.index[0]
        eleventh = a.ranking.index[10]
        failed = a.ranking.index[~a.ranking["eligible"].to_numpy()][0]
        for sid in (first, eleventh, failed):
            e = a.explain(sid, robustness=r)
            print(f"{sid} {e.name}\\n  {e.text}", end="\\n\\n")
        """
    ),
    code(
        """
        e = a.explain(first, robustness=r)
        e.contributions[["group", "label", "raw_text", "value", "weight", "contribution", "top_pct"]].round(3)
        """
    ),
    code(
        """
        plots.contribution_waterfall(e.contributions["contribution"], title=f"{e.name}: score {e.score:.1f}")
        """
    ),
    code(
        """
        a.explain(eleventh).strengths[["label", "raw_text", "top_pct"]]
        """
    ),
    code(
        """
        a.explain(failed).gates[["label", "value_text", "op", "threshold", "passed", "reason"]]
        """
    ),
    md(
        """
        ## Export

        The shortlist GeoPackage can carry the robustness columns (P(top k), rank interval,
        archetype, summary) and a `rank_acceptability` table. From the command line:
        `growthzones robustness data/demo/config.toml --samples 2000 --seed 42 --out robust.gpkg`.
        """
    ),
    code(
        """
        out_dir = Path(tempfile.mkdtemp(prefix="growthzones-robustness-"))
        out = write_geopackage(a, out_dir / "robust.gpkg", robustness=r)
        robust = gpd.read_file(out, layer="ranked_sites")
        robust[["site_id", "name", "rank", "p_top_10", "rank_lo", "rank_hi", "archetype"]].head()
        """
    ),
]

# ---------------------------------------------------------------------------------------------
# 5. Bring your own layers
# ---------------------------------------------------------------------------------------------

BYO = [
    md(
        """
        # 5. Bring your own layers

        From your own files to a ranked, re-weighted shortlist: write a config for new layers
        from scratch, check it, fix what the checks report, and run it.

        So that the notebook runs anywhere, it first makes a small made-up study area in a
        temporary folder: 15 candidate sites (polygons), substations (points, in WGS84 as a
        GeoJSON), a road network (lines) and a water-stress raster (GeoTIFF). **These layers are
        invented for the example.** With your own data, skip to "Write the config" and point the
        paths at your files.
        """
    ),
    code(
        """
        import tempfile
        import warnings
        from pathlib import Path

        import geopandas as gpd
        import numpy as np
        import pandas as pd
        import rasterio
        from rasterio.transform import from_origin
        from shapely import LineString, Point, box

        import growthzones as gz
        from growthzones.validate import validate_config

        pd.set_option("display.width", 160)
        work = Path(tempfile.mkdtemp(prefix="growthzones-byo-"))
        rng = np.random.default_rng(2025)
        X0, Y0 = 420_000, 380_000  # a 60 km square in British National Grid (metres)
        """
    ),
    md(
        """
        ## Make some layers

        The sites file is written **without a CRS**, as files sent by email often are: we will
        see what the checks say about it.
        """
    ),
    code(
        """
        n = 15
        centres = rng.uniform([X0 + 5_000, Y0 + 5_000], [X0 + 55_000, Y0 + 55_000], size=(n, 2))
        half = np.sqrt(rng.uniform(20, 200, n) * 10_000) / 2  # 20-200 ha squares
        sites = gpd.GeoDataFrame(
            {
                "ref": [f"S{i + 1:02d}" for i in range(n)],
                "site_name": [f"Site {chr(65 + i)}" for i in range(n)],
                "brownfield": rng.integers(0, 2, n),
            },
            geometry=[box(x - h, y - h, x + h, y + h) for (x, y), h in zip(centres, half, strict=True)],
        )  # no crs=...: the mistake
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pyogrio warns that there is no CRS
            sites.to_file(work / "sites.gpkg", layer="sites")

        subs = gpd.GeoDataFrame(
            {
                "name": [f"Substation {i + 1}" for i in range(8)],
                "voltage_kv": [400, 275, 132, 400, 275, 132, 132, 275],
                "headroom_mw": [900, 450, 60, 1200, 0, 80, 40, 300],
            },
            geometry=[Point(x, y) for x, y in rng.uniform([X0, Y0], [X0 + 60_000, Y0 + 60_000], size=(8, 2))],
            crs="EPSG:27700",
        ).to_crs("EPSG:4326")  # GPS coordinates, as open data often comes
        subs.to_file(work / "substations.geojson")

        roads = gpd.GeoDataFrame(
            {"ref": ["M1", "A61"]},
            geometry=[
                LineString([(X0 + 20_000, Y0), (X0 + 28_000, Y0 + 60_000)]),
                LineString([(X0, Y0 + 30_000), (X0 + 60_000, Y0 + 36_000)]),
            ],
            crs="EPSG:27700",
        )
        roads.to_file(work / "roads.gpkg", layer="roads")

        cell = 500  # metres
        rows, cols = 120, 120
        yy, xx = np.mgrid[0:rows, 0:cols]
        stress = np.clip(0.2 + 0.6 * xx / cols + rng.normal(0, 0.05, (rows, cols)), 0, 1).astype("float32")
        profile = {
            "driver": "GTiff", "width": cols, "height": rows, "count": 1, "dtype": "float32", "crs": "EPSG:27700",
            "transform": from_origin(X0, Y0 + rows * cell, cell, cell), "nodata": -9999.0,
        }  # fmt: skip
        with rasterio.open(work / "water_stress.tif", "w", **profile) as dst:
            dst.write(stress, 1)

        sorted(p.name for p in work.iterdir())
        """
    ),
    md(
        """
        ## Write the config

        One `[layers.<name>]` table per file, one `[[criteria]]` table per criterion, gates for
        the hard constraints. Every key is in `docs/config.md`. This first version has a
        misspelt key (`directon`).
        """
    ),
    code(
        '''
        config_text = """
        [project]
        name = "My study area (made-up layers)"
        crs = "EPSG:27700"

        [sites]
        path = "sites.gpkg"
        layer = "sites"
        id = "ref"
        name = "site_name"

        [layers.substations]
        path = "substations.geojson"

        [layers.roads]
        path = "roads.gpkg"
        layer = "roads"

        [layers.water_stress]
        path = "water_stress.tif"

        [weights]
        grid = 0.5
        connectivity = 0.2
        water = 0.2
        land = 0.1

        [[criteria]]
        name = "grid_distance"
        label = "Distance to nearest 275 kV+ substation"
        group = "grid"
        measure = "distance"
        layer = "substations"
        where = "voltage_kv >= 275"
        directon = "cost"
        value = { function = "linear", low = 0, high = 30 }

        [[criteria]]
        name = "grid_headroom"
        label = "Headroom at nearest 275 kV+ substation"
        group = "grid"
        unit = "MW"
        measure = "nearest_attribute"
        layer = "substations"
        where = "voltage_kv >= 275"
        attribute = "headroom_mw"
        missing = "worst"
        value = { function = "linear", low = 0, high = 1000 }

        [[criteria]]
        name = "road_distance"
        label = "Distance to a major road"
        group = "connectivity"
        measure = "distance"
        layer = "roads"
        direction = "cost"
        value = { function = "linear", low = 0, high = 20 }

        [[criteria]]
        name = "water_stress"
        label = "Mean water stress"
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
        weight = 0.7
        value = { function = "linear", low = 20, high = 200 }

        [[criteria]]
        name = "brownfield"
        group = "land"
        measure = "attribute"
        attribute = "brownfield"
        weight = 0.3
        value = { function = "step", thresholds = [1], values = [0, 1] }

        [[gates]]
        criterion = "grid_distance"
        op = "<="
        value = 25
        label = "nearest 275 kV+ substation"

        [[gates]]
        criterion = "grid_headroom"
        op = ">="
        value = 100
        label = "headroom at nearest 275 kV+ substation"

        [[gates]]
        criterion = "site_area"
        op = ">="
        value = 30
        label = "site area"
        """
        config_path = work / "my_area.toml"
        config_path.write_text(config_text, encoding="utf-8")
        print("wrote", config_path)
        '''
    ),
    md(
        """
        ## Read it: the first mistake

        Reading the config checks every key. An error is one line naming the key, what is wrong
        and the fix (the command line prints the same line and exits with status 2).
        """
    ),
    code(
        """
        try:
            gz.load_config(config_path)
        except gz.GrowthzonesError as exc:
            print(f"{type(exc).__name__}: {exc}")
        """
    ),
    code(
        """
        config_path.write_text(config_text.replace("directon", "direction"), encoding="utf-8")
        config = gz.load_config(config_path)
        print("read:", [c.name for c in config.criteria])
        """
    ),
    md(
        """
        ## Validate: the second mistake

        `validate_config` (or `growthzones validate my_area.toml`) opens every file and reports
        what it found and every problem, without stopping at the first.
        """
    ),
    code(
        """
        report = validate_config(config)
        print(report.text())
        """
    ),
    md(
        """
        The sites file has no CRS. These coordinates are British National Grid metres, so set
        it and write the file again (in QGIS: Layer > Set CRS, then export). Never guess a CRS
        you do not know.
        """
    ),
    code(
        """
        fixed = gpd.read_file(work / "sites.gpkg", layer="sites").set_crs("EPSG:27700")
        fixed.to_file(work / "sites.gpkg", layer="sites")
        report = validate_config(config)
        print(report.text())
        assert report.ok
        """
    ),
    md(
        """
        The substations were reprojected from WGS84 to the working CRS on reading; the notes say
        so. Now assess, as with the demo.
        """
    ),
    code(
        """
        a = gz.assess(config)
        print(f"{a.n_eligible} of {len(a.sites)} sites eligible")
        for note in a.notes:
            print("-", note)
        a.top(10).round(1)
        """
    ),
    code(
        """
        a.ranking.loc[~a.ranking["eligible"], ["name", "gate_reasons"]]
        """
    ),
    code(
        """
        a.ranking[["name", "rank", *(c.name for c in config.criteria)]].round(2)
        """
    ),
    md(
        """
        ## Re-weight and export the shortlist

        Say the board wants water to count as much as grid: re-weight, see who moves, and write
        the re-weighted config and shortlist next to the layers.
        """
    ),
    code(
        """
        b = a.reweight(groups={"water": 0.5})
        moves = pd.DataFrame({"name": a.sites["name"], "before": a.scores["rank"], "after": b.scores["rank"]})
        moves.sort_values("after").head(10)
        """
    ),
    code(
        """
        (work / "my_area_water.toml").write_text(b.config.to_toml(), encoding="utf-8")
        b.to_geopackage(work / "shortlist.gpkg")
        b.to_csv(work / "shortlist.csv")
        print(gz.load_config(work / "my_area_water.toml").weights)
        sorted(p.name for p in work.iterdir())
        """
    ),
    md(
        """
        The same from the command line:

        ```bash
        growthzones validate my_area.toml
        growthzones rank my_area.toml --weights water=0.5 --out shortlist.gpkg --csv shortlist.csv --map map.html
        ```
        """
    ),
]

# ---------------------------------------------------------------------------------------------
# 6. Site discovery
# ---------------------------------------------------------------------------------------------

DISCOVERY = [
    md(
        f"""
        # 6. Site discovery: config, surface, located regions, ranking

        Ranking scores the sites it is handed. Site discovery asks "where else?": the same config
        evaluated on a grid of cells (the **suitability surface**), then the best **contiguous
        regions** of eligible cells found on it, then those regions **ranked like bids**.

        {DEMO_NOTICE}

        The same with three commands:

        ```bash
        growthzones surface data/demo/config.toml --cell-size 250 --outline area.gpkg --drop site_area --out surface.tif
        growthzones locate surface.tif --regions 5 --min-area 50 --max-area 300 --min-spacing 2000 --out regions.gpkg
        growthzones rank regions.toml --out shortlist.gpkg   # a config whose [sites] is regions.gpkg
        ```

        How regions are found, and how close to the optimum: `docs/locate.md`.
        """
    ),
    code(
        """
        %matplotlib inline
        import dataclasses
        import tempfile
        from pathlib import Path

        import geopandas as gpd
        import matplotlib.pyplot as plt
        import pandas as pd
        from shapely import box

        import growthzones as gz
        from growthzones.config import SitesConfig
        from growthzones.locate import write_result
        from growthzones.surface import drop_criteria, surface, write_surface

        pd.set_option("display.width", 160)
        work = Path(tempfile.mkdtemp(prefix="growthzones-discovery-"))
        config = gz.load_config(gz.datasets.demo_config_path())
        """
    ),
    md(
        """
        ## The area: 20 km around the best bid

        A national surface at 100 m is a two-command job on the GB stack (`docs/locate.md`); here a
        20 km square around the demo's top-ranked bid keeps the notebook quick.
        """
    ),
    code(
        """
        bids = gz.assess(config)
        best = bids.ranking.iloc[0]
        c = best.geometry.centroid
        square = box(c.x - 10_000, c.y - 10_000, c.x + 10_000, c.y + 10_000)
        area = gpd.GeoDataFrame(geometry=[square], crs=config.project.crs)
        area.to_file(work / "area.gpkg")
        print(f"top bid: {best['name']} (score {best['score']:.1f})")
        """
    ),
    md(
        """
        ## The surface

        Every criterion computed for every 250 m cell (6.25 ha), valued and weighted as in the config;
        the gates become `eligible` (1 = passes them all) and `gate_code` (which gate excluded a
        cell). `site_area` is a property of a site, not of a cell, so it is left out.
        """
    ),
    code(
        """
        ds = surface(config, 250, outline=work / "area.gpkg", drop=["site_area"])
        write_surface(ds, work / "surface.tif")
        eligible = int((ds["eligible"] == 1).sum())
        print(f"{ds.sizes['y']} x {ds.sizes['x']} cells, {eligible} eligible ({eligible * 6.25:,.0f} ha)")
        list(ds.data_vars)
        """
    ),
    md(
        """
        ## Locate the regions

        Five regions of 50 to 300 ha, at least 2 km apart, with the best mean score. Candidate
        regions are grown from the best cells (a heuristic pool); the five are then chosen from the
        pool **exactly**, by an integer program (HiGHS), and compared with greedy growing.
        """
    ),
    code(
        """
        result = gz.locate_regions(work / "surface.tif", regions=5, min_area=50, max_area=300, min_spacing=2000)
        for line in result.summary_lines():
            print(line)
        write_result(result, work / "regions.gpkg")
        result.regions[["site_id", "area_ha", "mean_score", "min_score", "compactness"]]
        """
    ),
    code(
        """
        fig, ax = plt.subplots(figsize=(7, 6))
        ds["score"].where(ds["eligible"] == 1).plot(ax=ax, cmap="viridis", cbar_kwargs={"label": "score (eligible)"})
        result.regions.boundary.plot(ax=ax, color="red", linewidth=1.5)
        for _, r in result.regions.iterrows():
            ax.annotate(r["site_id"], (r["centre_x"], r["centre_y"]), color="white", fontsize=8, ha="center")
        ax.set_title("Suitability surface and located regions")
        ax.set_aspect("equal")
        fig
        """
    ),
    md(
        """
        ## Rank the regions like bids

        The regions GeoPackage is a sites file (`site_id`, `name`, polygons), so a config takes it as
        `[sites]` directly. Criteria that read a bid's own columns (`measure = "attribute"`, here
        `brownfield`) have no value for a region, so they are left out of this config.
        """
    ),
    code(
        """
        own_columns = [c.name for c in config.criteria if c.measure == "attribute"]
        regions_config = dataclasses.replace(
            drop_criteria(config, own_columns),
            sites=SitesConfig(path=work / "regions.gpkg", layer="regions", id="site_id", name="name"),
        )
        ranked = gz.assess(regions_config)
        table = ranked.ranking[["name", "rank", "score"]].join(result.regions.set_index("site_id")[["mean_score"]])
        table
        """
    ),
    md(
        """
        `score` is the regions' score from the full assessment of each polygon; `mean_score` the mean
        of its cells on the surface. They differ where a criterion is measured differently for a
        polygon (distance from its edge, zonal means over it) than for a cell, and where the
        surface left out `site_area`. From here every tool of notebooks 2-4 applies: re-weighting,
        other methods, robustness.
        """
    ),
]

PORTFOLIO = [
    md(
        f"""
        # 7. Portfolio: a shortlist that works together

        A ranking says which bid is best. A portfolio is the *set* of bids, taken together, with
        the largest total score that meets limits: how many sites, at most so many per region,
        the demand behind one substation within its headroom, sites far enough apart. It is
        solved exactly as a binary integer program (HiGHS, in SciPy), and every strong bid left
        out gets the limit that kept it out. See `docs/portfolio.md`.

        {DEMO_NOTICE}
        """
    ),
    code(
        """
        import tempfile
        from pathlib import Path

        import pandas as pd

        import growthzones as gz
        from growthzones.export import write_portfolio
        from growthzones.portfolio import robust_portfolio

        pd.set_option("display.width", 160)
        pd.set_option("display.max_colwidth", 140)
        a = gz.assess(gz.datasets.demo_config_path())
        """
    ),
    md(
        """
        ## The top 10 of the ranking, as a set

        Where do the ten best-ranked bids sit? Often several share a region, a substation or a
        corner of the map.
        """
    ),
    code(
        """
        top10 = a.top(10).index
        a.sites.loc[top10, ["name", "region", "power_need_mw"]].join(a.scores["score"])
        """
    ),
    md(
        """
        ## Ten bids under limits

        At most two per region, the demand of the bids sharing a nearest substation within that
        substation's headroom, and the chosen bids at least 40 km apart.
        """
    ),
    code(
        """
        limits = gz.Limits(
            count=10,
            demand="power_need_mw",
            per=(gz.GroupLimit("region", max=2),),
            capacity=(gz.CapacityLimit("substations", headroom="headroom_mw"),),
            min_spacing_km=40,
        )
        p = gz.select_portfolio(a, limits)
        print(p.status, round(p.total_score, 1), "vs the top 10's", round(float(a.top(10)["score"].sum()), 1))
        p.table.loc[list(p.chosen), ["name", "rank", "score"]].sort_values("rank")
        """
    ),
    md("## Why each strong bid was left out"),
    code(
        """
        p.table.loc[p.table["reason"] != "", ["name", "score", "reason"]].head(12)
        """
    ),
    md(
        """
        ## What each limit costs

        Each limit is dropped, and loosened by one step, and the problem solved again: the gain
        in total score is what the limit costs.
        """
    ),
    code(
        """
        p.limit_costs.query("group == '' or gain_if_loosened > 0")
        """
    ),
    md(
        """
        ## Under uncertain weights

        The portfolio is solved again for each of 100 weight samples around the configured
        weights (the robustness analysis's samples). The core is the set of bids chosen in at
        least 90 % of them.
        """
    ),
    code(
        """
        r = robust_portfolio(a, limits, samples=100, seed=1, concentration=50)
        print("core:", ", ".join(r.core) or "none")
        r.selection.sort_values("p_selected", ascending=False).head(12)
        """
    ),
    code(
        """
        r.sets
        """
    ),
    md("## Write it out (QGIS opens the `portfolio` layer with the reasons)"),
    code(
        """
        out_dir = Path(tempfile.mkdtemp(prefix="growthzones-portfolio-"))
        path = write_portfolio(a, p, out_dir / "portfolio.gpkg", robust=r)
        path.name
        """
    ),
]

NOTEBOOKS: dict[str, list[Cell]] = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_reweighting.ipynb": REWEIGHTING,
    "03_methods.ipynb": METHODS,
    "04_robustness.ipynb": ROBUSTNESS,
    "05_bring_your_own_layers.ipynb": BYO,
    "06_site_discovery.ipynb": DISCOVERY,
    "07_portfolio.ipynb": PORTFOLIO,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` (a key of :data:`NOTEBOOKS`), without outputs, with fixed cell ids."""
    nb = nbformat.v4.new_notebook()
    stem = name.removesuffix(".ipynb")
    for i, (kind, source) in enumerate(NOTEBOOKS[name]):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source, id=f"{stem[:2]}-{i:02d}"))
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    """The ``.ipynb`` text of notebook ``name``, as written to disk."""
    return nbformat.writes(build(name)) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write every notebook into this folder, or with ``--check`` report those out of date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook differs from this script")
    parser.add_argument("--out-dir", type=Path, default=HERE, help="folder to write to (default: this one)")
    args = parser.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        path = args.out_dir / name
        text = render(name)
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python notebooks/make_notebooks.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
