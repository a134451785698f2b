"""Known-sites check: nearest candidate, rank, percentile, gates and weak criteria; CLI and map."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely import Point

import growthzones as gz
from growthzones.cli import main
from growthzones.errors import InputFileError
from growthzones.known import check_known, read_known


@pytest.fixture(scope="module")
def demo():
    return gz.assess(gz.datasets.demo_config_path())


def _places(a, rows):
    """Known places at given offsets (m) east of chosen sites' centroids, as WGS84 lat/lon."""
    pts = [Point(a.sites.geometry.loc[sid].centroid.x + dx, a.sites.geometry.loc[sid].centroid.y) for sid, dx in rows]
    g = gpd.GeoDataFrame({"name": [f"near {sid}" for sid, _ in rows]}, geometry=pts, crs=a.sites.crs).to_crs(4326)
    return pd.DataFrame({"name": g["name"], "latitude": g.geometry.y, "longitude": g.geometry.x})


def test_rank_percentile_gates_and_weaknesses(demo, tmp_path):
    a = demo
    ranked = a.ranking
    n = a.n_eligible
    mid = ranked.index[n // 2]  # an eligible site in the middle
    bad = ranked.index[~ranked["eligible"]][0]  # an ineligible one
    csv = tmp_path / "known.csv"
    _places(a, [(ranked.index[0], 0.0), (mid, 0.0), (bad, 0.0)]).to_csv(csv, index=False)
    t = check_known(a, csv).table
    assert t["site_id"].tolist() == [ranked.index[0], mid, bad]
    assert t["distance_km"].tolist() == [0.0, 0.0, 0.0]
    r_mid = int(ranked.loc[mid, "rank"])
    assert t["rank"].iloc[:2].tolist() == [1, r_mid] and pd.isna(t["rank"].iloc[2])
    # percentile among eligible candidates: the share of the others it beats, worked out here
    assert t["percentile"].iloc[0] == 100.0
    assert t["percentile"].iloc[1] == round(100 * (n - r_mid) / (n - 1), 1)
    assert t["gates_failed"].iloc[2] == ranked.loc[bad, "gate_reasons"] and t["gates_failed"].iloc[2]
    assert not t["eligible"].iloc[2] and t["gates_failed"].iloc[0] == ""
    e = a.explain(mid)
    assert t["held_back_by"].iloc[1].split("; ")[0].startswith(e.weaknesses["label"].iloc[0])
    assert t["summary"].iloc[1] == e.text


def test_distance_to_the_edge_of_the_nearest_site(demo):
    a = demo
    sid = a.ranking.index[0]
    geom = a.sites.geometry.loc[sid]
    maxx = geom.bounds[2]
    # a point 500 m east of a rectangle-ish site's east edge, level with its centre
    p = Point(maxx + 500.0, geom.centroid.y)
    spot = gpd.GeoDataFrame({"name": ["east"]}, geometry=[p], crs=a.sites.crs)
    t = check_known(a, spot).table
    d = a.sites.geometry.distance(p)
    assert t["site_id"].iloc[0] == d.idxmin()
    assert t["distance_km"].iloc[0] == pytest.approx(round(d.min() / 1000, 3))


def test_read_known_errors(tmp_path):
    p = tmp_path / "k.csv"
    p.write_text("name,lat\nA,52\n")
    with pytest.raises(InputFileError, match=r"no 'longitude' column"):
        read_known(p)
    p.write_text("name,latitude,longitude\nA,52,-1\nB,north,-1\n")
    with pytest.raises(InputFileError, match=r"row 3 \(B\)"):
        read_known(p)
    with pytest.raises(InputFileError, match="not found"):
        read_known(tmp_path / "none.csv")


def test_cli_writes_csv_and_map(demo, tmp_path):
    csv = tmp_path / "known.csv"
    _places(demo, [(demo.ranking.index[0], 0.0)]).to_csv(csv, index=False)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["check-known", str(gz.datasets.demo_config_path()), str(csv), "--out", str(out)])
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out / "known_sites.csv")
    assert table["site_id"].tolist() == [demo.ranking.index[0]] and table["rank"].tolist() == [1]
    html = (out / "known_sites_map.html").read_text()
    assert "Known places" in html and f"near {demo.ranking.index[0]}" in html
    line = next(x for x in r.stdout.splitlines() if x.startswith("near "))
    assert demo.ranking.index[0] in line and " 100 " in f"{line} "
    bad = CliRunner().invoke(main, ["check-known", str(gz.datasets.demo_config_path()), str(tmp_path / "no.csv"),
                                    "--out", str(out)])  # fmt: skip
    assert bad.exit_code == 2 and bad.stderr.strip().startswith("error: known places:")
