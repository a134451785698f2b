"""The Portfolio page under AppTest: limits set with widgets give the library's portfolio.

One app session walks through the page (each AppTest start costs several seconds).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import growthzones as gz
from growthzones.appstate import CONFIG_ENV
from growthzones.portfolio import limits_from_config, robust_portfolio, select_portfolio

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "growthzones/app/portfolio.py"


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_portfolio_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)  # the bundled demo, whose config has [portfolio]
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    a = gz.assess(gz.datasets.demo_config_path())
    limits = limits_from_config(a.config.portfolio)

    # The config's limits: the same set, total and reasons as the library.
    expected = select_portfolio(a, limits)
    assert _metric(at, "Sites chosen") == "10"
    assert _metric(at, "Total score") == f"{expected.total_score:.1f}"
    assert sorted(at.dataframe[0].value.index) == list(expected.chosen)
    reasons = expected.table.loc[expected.table["reason"] != "", "reason"].tolist()
    assert at.dataframe[1].value["reason"].tolist() == reasons

    # The robust run: the core of the library's robust portfolio with the same settings.
    at.select_slider(key="pf_samples").set_value(50).run()
    at.button(key="pf_robust").click().run()
    assert not at.exception, at.exception
    r = robust_portfolio(a, limits, samples=50, seed=1, concentration=50.0)
    assert _metric(at, "Core (chosen in at least 90 % of samples)") == (", ".join(r.core) or "none")

    # Widgets change the limits.
    at.number_input(key="pf_count").set_value(4).run()
    at.number_input(key="pf_spacing").set_value(100.0).run()
    at.toggle(key="pf_cap_on").set_value(False).run()
    assert not at.exception, at.exception
    expected = select_portfolio(a, count=4, min_spacing_km=100, demand="power_need_mw",
                                per=(gz.GroupLimit("region", max=2),), explain=False)  # fmt: skip
    assert _metric(at, "Sites chosen") == "4"
    assert sorted(at.dataframe[0].value.index) == list(expected.chosen)

    # Impossible limits: the library's message, no crash.
    at.selectbox(key="pf_per_col").set_value("nation").run()
    at.number_input(key="pf_per_max").set_value(1).run()
    assert [e.value for e in at.error] == [
        "the limits cannot all be met: 'exactly 4 sites' cannot be met together with the others (dropping any "
        "one of these would do: exactly 4 sites; at most 1 site per nation); loosen it"
    ]
