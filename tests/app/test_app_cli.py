"""`growthzones app [CONFIG]` starts `streamlit run app.py -- CONFIG` from the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from growthzones.cli import app as app_cli
from growthzones.cli import main


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], Path]]:
    seen: list[tuple[list[str], Path]] = []

    def fake_call(cmd: list[str], cwd: Path, env: dict) -> int:
        seen.append((cmd, Path(cwd)))
        return 0

    monkeypatch.setattr(app_cli.subprocess, "call", fake_call)
    return seen


def test_app_with_config(tmp_path: Path, calls) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    res = CliRunner().invoke(main, ["app", str(cfg), "--port", "8600", "--no-browser"])
    assert res.exit_code == 0, res.output
    cmd, cwd = calls[0]
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == str(app_cli.app_script())
    assert "--server.port=8600" in cmd and "--server.headless=true" in cmd
    assert cmd[-2:] == ["--", str(cfg.resolve())]
    assert cwd == app_cli.app_script().parent


def test_app_without_config_opens_demo(calls) -> None:
    res = CliRunner().invoke(main, ["app"])
    assert res.exit_code == 0, res.output
    assert "--" not in calls[0][0]


def test_app_missing_config_is_a_clean_error(calls) -> None:
    res = CliRunner().invoke(main, ["app", "nope.toml"])
    assert res.exit_code == 2 and "not found" in res.output and not calls
