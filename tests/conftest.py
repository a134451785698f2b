"""Shared fixtures. The tiny hand-worked project itself is in ``tinyproject.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from tinyproject import EXPECTED_CRITERIA, REPO, SHARED, TINY_CONFIG, expected_score, write_tiny_project

__all__ = ["EXPECTED_CRITERIA", "REPO", "SHARED", "TINY_CONFIG", "expected_score", "write_tiny_project"]


@pytest.fixture
def tiny_config_path(tmp_path: Path) -> Path:
    """The tiny project written to a temporary folder."""
    return write_tiny_project(tmp_path / "tiny")


@pytest.fixture(scope="session")
def tiny_assessment(tmp_path_factory: pytest.TempPathFactory):
    """The tiny project, assessed once per session."""
    import growthzones as gz

    return gz.assess(write_tiny_project(tmp_path_factory.mktemp("tiny")))


@pytest.fixture(autouse=True)
def _restore_growthzones_logger():
    """The CLI configures the ``growthzones`` logger (level, handler) when run in-process;
    put it back so one test's ``-q`` cannot hide another test's log records."""
    import logging

    logger = logging.getLogger("growthzones")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]
