"""The app under `streamlit.testing.v1.AppTest`: pages load, widgets re-rank, bad uploads are refused.

The folium map is opaque to AppTest (a custom component); it is tested as HTML in
test_app_maps.py and in a real browser in test_app_browser.py.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import growthzones as gz
from growthzones.appstate import CONFIG_ENV
from tests.conftest import write_tiny_project

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = [
    "growthzones/app/map_ranking.py",
    "growthzones/app/site_detail.py",
    "growthzones/app/compare.py",
    "growthzones/app/robustness.py",
    "growthzones/app/portfolio.py",
    "growthzones/app/data_method.py",
    "growthzones/app/upload_bids.py",
]


def _app(config: Path | None, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    if config is None:
        monkeypatch.delenv(CONFIG_ENV, raising=False)
    else:
        monkeypatch.setenv(CONFIG_ENV, str(config))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_tiny_project(tmp_path / "tiny")


@pytest.mark.parametrize("page", PAGES)
def test_each_page_loads_tiny(tiny: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = _app(tiny, monkeypatch)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value


@pytest.mark.parametrize("page", PAGES)
def test_each_page_loads_demo(demo_config: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = _app(None, monkeypatch)
    # No config given: the bundled demo opens and says so.
    assert any("illustrative demo data" in w.value for w in at.warning)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_raising_grid_weight_moves_high_headroom_site_up(demo_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = gz.assess(demo_config)
    b = a.reweight(groups={"grid": 1.0})
    riser = b.ranking.index[0]
    assert b.ranking.loc[riser, "rank"] < a.ranking.loc[riser, "rank"]
    # The riser is a high-headroom site: above the median of eligible sites.
    elig = a.criteria.loc[a.eligible, "grid_headroom"]
    assert a.criteria.loc[riser, "grid_headroom"] >= elig.median()

    at = _app(None, monkeypatch)
    before = at.dataframe[0].value
    before_rank = int(before.loc[before["site_id"] == riser, "rank"].iloc[0]) if riser in set(before["site_id"]) else 99
    at.sidebar.slider(key="w_group_grid").set_value(1.0).run()
    assert not at.exception
    after = at.dataframe[0].value
    assert after["site_id"].iloc[0] == riser
    assert before_rank > 1
    # The table shows how far it moved against the config's weights ...
    moved = after.set_index("site_id")["moved"]
    assert int(moved[riser]) == before_rank - 1
    # ... and the rank-change tab lists it among the risers.
    at.session_state["map_panel"] = "Rank changes"
    at.run()
    assert not at.exception
    assert any(m.label == "Biggest rise" for m in at.metric)
    changes = at.dataframe[0].value.set_index("site_id")
    assert int(changes.loc[riser, "moved"]) == before_rank - 1 and int(changes.loc[riser, "rank"]) == 1


def test_switching_method_and_gate(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(tiny, monkeypatch)
    assert _metric(at, "Method") == "wlc"
    assert _metric(at, "Eligible (pass every gate)") == "3"  # S4 fails the 20 ha area gate
    scores_wlc = at.dataframe[0].value.set_index("site_id")["score"]
    at.sidebar.selectbox(key="method").set_value("topsis").run()
    assert not at.exception
    assert _metric(at, "Method") == "topsis"
    scores_topsis = at.dataframe[0].value.set_index("site_id")["score"]
    assert not scores_wlc.round(6).equals(scores_topsis.round(6))
    # S4 fails two gates (4 ha < 20 ha; 22.3 km > 20 km): switching one off is not enough...
    at.sidebar.checkbox(key="gate_on_0").uncheck().run()
    assert _metric(at, "Eligible (pass every gate)") == "3"
    # ...relaxing the other's threshold too makes it eligible.
    at.sidebar.number_input(key="gate_val_1").set_value(25.0).run()
    assert not at.exception
    assert _metric(at, "Eligible (pass every gate)") == "4"


def test_method_parameters(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each method's parameters have widgets; the table scores with them (checked against rerank)."""
    at = _app(tiny, monkeypatch)
    ref = gz.assess(tiny)
    at.sidebar.selectbox(key="method").set_value("vikor").run()
    assert at.sidebar.slider(key="mp_vikor_v").value == 0.5
    at.sidebar.slider(key="mp_vikor_v").set_value(0.9).run()
    assert not at.exception
    shown = at.dataframe[0].value.set_index("site_id")["score"].dropna()
    expected = ref.rerank("vikor", v=0.9).scores["score"].reindex(shown.index)
    assert shown.round(9).tolist() == expected.round(9).tolist()
    assert not expected.round(9).equals(ref.rerank("vikor", v=0.5).scores["score"].reindex(shown.index).round(9))

    # PROMETHEE II: thresholds appear only with a preference function that uses them.
    at.sidebar.selectbox(key="method").set_value("promethee2").run()
    keys = {s.key for s in at.sidebar.slider}
    assert "mp_promethee2_q" not in keys and "mp_promethee2_p" not in keys
    at.sidebar.selectbox(key="mp_promethee2_preference").set_value("linear").run()
    assert not at.exception
    assert at.sidebar.slider(key="mp_promethee2_q").value == 0.05
    assert at.sidebar.slider(key="mp_promethee2_p").value == 0.3
    shown = at.dataframe[0].value.set_index("site_id")["score"].dropna()
    expected = ref.rerank("promethee2", preference="linear", q=0.05, p=0.3).scores["score"].reindex(shown.index)
    assert shown.round(9).tolist() == expected.round(9).tolist()
    # An impossible combination (q above p) is reported, not a traceback.
    at.sidebar.slider(key="mp_promethee2_q").set_value(0.4).run()
    at.sidebar.slider(key="mp_promethee2_p").set_value(0.2).run()
    assert not at.exception
    assert any("q < p" in e.value for e in at.error)


def test_nation_filter_and_search(demo_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(None, monkeypatch)
    at.sidebar.multiselect(key="f_nation").set_value(["Wales"]).run()
    t = at.dataframe[0].value
    assert len(t) and set(t["region"]) == {"Wales"}
    at.text_input(key="table_search").set_value("zzz-no-such-site").run()
    assert len(at.dataframe[0].value) == 0


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.switch_page("growthzones/app/upload_bids.py").run()
    at.file_uploader(key="upload_file").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("bids.gpkg", b"this is not a geopackage", "cannot be read"),
        ("bids.zip", b"PK\x03\x04 broken", "not a valid zip"),
        ("bids.geojson", b"", "empty"),
    ],
)
def test_bad_upload_shows_error(tiny: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: bytes,
                                fragment: str) -> None:  # fmt: skip
    at = _upload(_app(tiny, monkeypatch), name, data)
    assert at.error, "expected an error message"
    text = " ".join(e.value for e in at.error)
    assert fragment in text
    assert "/tmp" not in text and "Traceback" not in text


def test_zip_with_path_tricks_refused(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../evil.shp", b"x")
    at = _upload(_app(tiny, monkeypatch), "evil.zip", buf.getvalue())
    assert "outside the archive" in " ".join(e.value for e in at.error)


def test_good_upload_is_scored(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import geopandas as gpd
    from shapely import box

    gdf = gpd.GeoDataFrame({"ref": ["N1"], "title": ["New bid"]}, geometry=[box(100600, 100000, 101100, 100500)],
                           crs=27700).to_crs(4326)  # fmt: skip
    at = _upload(_app(tiny, monkeypatch), "new.geojson", gdf.to_json().encode())
    assert not at.error, [e.value for e in at.error]
    at.selectbox(key="upload_id").set_value("ref").run()
    at.selectbox(key="upload_name").set_value("title").run()
    tables = [d.value for d in at.dataframe]
    assert any("N1" in set(t.get("site_id", [])) for t in tables)
