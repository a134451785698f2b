"""Located regions (``growthzones locate``) are ranked in the app like bids, through the upload page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from growthzones.appstate import CONFIG_ENV
from growthzones.locate import locate_regions, write_result
from tests.conftest import write_tiny_project
from tests.locate.surfaces import make_surface

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_located_regions_are_ranked_like_bids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_tiny_project(tmp_path / "tiny")
    # a surface over the tiny project's area (x 95-135 km, y 95-115 km), 500 m cells of 25 ha, best near the
    # 400 kV substation P1 (100250, 103500), so the regions pass the project's 20 km grid-distance gate
    y, x = np.mgrid[0:40, 0:80]
    score = 100 - np.hypot(95_250 + 500 * x - 100_250, 114_750 - 500 * y - 103_500) / 1000
    ds = make_surface(score, cell=500.0, x0=95_000.0, y0=115_000.0)
    result = locate_regions(ds, regions=3, min_area=50, max_area=100, min_spacing=1000)
    gpkg = write_result(result, tmp_path / "regions.gpkg")

    monkeypatch.setenv(CONFIG_ENV, str(config))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("growthzones/app/upload_bids.py").run()
    at.file_uploader(key="upload_file").set_value(("regions.gpkg", gpkg.read_bytes(), "application/geopackage")).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    # the id and name columns are found without being chosen
    assert at.selectbox(key="upload_id").value == "site_id"
    assert at.selectbox(key="upload_name").value == "name"
    ranked = at.dataframe[0].value
    assert sorted(ranked["site_id"]) == ["R001", "R002", "R003"]
    assert ranked["name"].str.startswith("Located region R00").all()
    assert ranked["score"].notna().all() and ranked["rank"].notna().all()
