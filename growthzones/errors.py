"""Errors a planner can act on.

Every error raised for bad input is a :class:`GrowthzonesError` (a ``ValueError``), and its
message names the file, layer or key, says what is wrong, and how to fix it. The CLI prints
the message on one line without a traceback and exits with status 2.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "ConfigError",
    "CriterionError",
    "GeometryError",
    "GrowthzonesError",
    "InputFileError",
    "LayerError",
    "MethodError",
    "MissingDataError",
    "OutputError",
    "PortfolioError",
    "SiteError",
    "SurfaceError",
    "UploadError",
    "WeightError",
]


class GrowthzonesError(ValueError):
    """Base class of every error caused by bad input or a bad request."""


class ConfigError(GrowthzonesError):
    """A config file or key is wrong: syntax, unknown key, wrong type, bad value."""


class InputFileError(GrowthzonesError):
    """An input file is missing, empty, truncated, or in a format that cannot be read."""


class LayerError(GrowthzonesError):
    """A layer is missing from its file, empty, or lacks a required column."""


class CRSError(LayerError):
    """A layer has no CRS, or a CRS that cannot be used."""


class GeometryError(LayerError):
    """Geometries that cannot be used (wrong type, none left after repair)."""


class SiteError(GrowthzonesError):
    """The candidate sites are unusable: duplicate or missing ids, missing columns."""


class CriterionError(GrowthzonesError):
    """A criterion cannot be computed as configured."""


class MissingDataError(CriterionError):
    """A criterion has no value for some sites and its ``missing`` policy is ``"fail"``."""


class MethodError(GrowthzonesError):
    """An unknown method name or invalid method parameters."""


class WeightError(GrowthzonesError):
    """Weights that are negative, all zero, or inconsistent (AHP)."""


class OutputError(GrowthzonesError):
    """An output cannot be written where asked (read-only folder, path is a folder...)."""


class UploadError(GrowthzonesError):
    """An uploaded file is unsafe or unusable."""


class SurfaceError(GrowthzonesError):
    """A surface that cannot be made as asked (memory, cluster, area)."""


class PortfolioError(GrowthzonesError):
    """Portfolio limits that name unknown columns or sites, or that cannot all be met."""
