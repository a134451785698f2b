"""Fixtures for the app tests: the tiny project, a live `streamlit run` server, a browser."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
LEAFLET = REPO / "static" / "leaflet" / "leaflet.js"
ARTIFACTS = REPO / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def demo_config() -> Path:
    """The bundled demo's config; tests needing it skip where it has not been built."""
    from growthzones.datasets import demo_dir

    try:
        return demo_dir() / "config.toml"
    except Exception as exc:
        pytest.skip(f"bundled demo not available: {exc}")


@pytest.fixture(scope="session")
def streamlit_server(demo_config: Path) -> Iterator[str]:
    """`streamlit run app.py` (the demo) on a free local port; stopped after the session."""
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    if not LEAFLET.exists():
        pytest.skip("offline Leaflet assets missing (run `make static`)")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "GROWTHZONES_CONFIG"}
    log = ARTIFACTS / "streamlit.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP), f"--server.port={port}", "--server.headless=true",
             "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited early; see {log}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"streamlit did not start in 60 s; see {log}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium driven by playwright (never a browser playwright downloads)."""
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])  # fmt: skip
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots and downloads (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def which_chromium() -> str | None:
    """The chromium executable, if installed."""
    return str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
