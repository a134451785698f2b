"""Criterion measures, each declared once: what it reads, the keys it needs, its unit and docs.

A measure is a :class:`MeasureSpec` in :data:`MEASURES`. Config validation (which keys a
criterion needs, which kind of layer it takes, its default unit), the dispatch in
:func:`growthzones.criteria.compute_criterion` and the measures table of ``docs/config.md``
all read it. A new measure is a function plus one :func:`register_measure` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from growthzones.criteria.attribute import area_ha, site_attribute
from growthzones.criteria.distance import distance_km
from growthzones.criteria.overlay import overlap_fraction
from growthzones.criteria.proximity import nearest_attribute, within_radius
from growthzones.criteria.raster import (
    attribute_form,
    distance_form,
    nearest_attribute_form,
    overlap_form,
    within_form,
    zonal_form,
)
from growthzones.criteria.zonal import zonal
from growthzones.errors import CriterionError

__all__ = ["MEASURES", "READS", "MeasureSpec", "get_measure", "register_measure", "unregister_measure"]

#: What a measure reads: a vector layer (filtered by the criterion's ``where``), a raster
#: layer (its :class:`growthzones.layers.RasterInfo`), or the sites themselves (None).
READS = ("vector", "raster", "sites")


@dataclass(frozen=True)
class MeasureSpec:
    """One measure.

    Attributes
    ----------
    name
        The criterion's ``measure``.
    compute
        ``compute(sites, source, crit) -> Series`` of float indexed like ``sites``; ``source``
        is the filtered vector layer, the raster's ``RasterInfo``, or None (see ``reads``).
    reads
        ``"vector"``, ``"raster"`` or ``"sites"``.
    needs
        Criterion keys it requires (``layer`` is implied by ``reads`` and listed here too).
    uses
        Optional criterion keys it reads.
    unit
        The default ``unit`` of its values.
    doc
        What it computes, one or two sentences (Markdown), for ``docs/config.md``.
    example
        A ``[[criteria]]`` table using it (TOML body lines).
    raster
        The measure's raster form for the surface (:mod:`growthzones.surface`):
        ``raster(source, crit, grid, *, halo=0) -> block``, ``block(window, need=None)``
        giving the raw value of every cell of a window (see :mod:`growthzones.criteria.raster`).
        None: the measure has no raster form, and a surface of a config using it is refused
        with its name.
    """

    name: str
    compute: Callable[..., pd.Series]
    reads: str
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    unit: str = ""
    doc: str = ""
    example: str = ""
    raster: Callable[..., Any] | None = None


#: name -> declaration of every measure, in the order the docs list them.
MEASURES: dict[str, MeasureSpec] = {}


def register_measure(spec: MeasureSpec, *, replace: bool = False) -> MeasureSpec:
    """Register a measure so configs, the CLI, the app and the docs know it.

    Examples
    --------
    >>> spec = register_measure(MeasureSpec("perimeter_km", lambda s, _, c: s.length / 1000, "sites", unit="km"))
    >>> "perimeter_km" in MEASURES
    True
    >>> unregister_measure("perimeter_km")
    """
    if spec.reads not in READS:
        msg = f"measure {spec.name!r}: reads={spec.reads!r} must be one of {', '.join(READS)}"
        raise CriterionError(msg)
    if spec.name in MEASURES and not replace:
        msg = f"measure {spec.name!r} is already registered; pass replace=True to replace it"
        raise CriterionError(msg)
    needs = spec.needs if spec.reads == "sites" or "layer" in spec.needs else ("layer", *spec.needs)
    MEASURES[spec.name] = MeasureSpec(**{**spec.__dict__, "needs": needs})
    return MEASURES[spec.name]


def unregister_measure(name: str) -> None:
    """Remove a registered measure (for tests and plug-ins that clean up).

    Examples
    --------
    >>> unregister_measure("no_such_measure")
    """
    MEASURES.pop(name, None)


def get_measure(name: str) -> MeasureSpec:
    """The declaration of measure ``name``, or :class:`CriterionError` listing the valid names.

    Examples
    --------
    >>> get_measure("distance").unit
    'km'
    """
    if name not in MEASURES:
        msg = f"unknown measure {name!r}; valid measures are: {', '.join(MEASURES)}"
        raise CriterionError(msg)
    return MEASURES[name]


def _km_to_m(km: float | None) -> float | None:
    return None if km is None else km * 1000.0


register_measure(
    MeasureSpec(
        "distance",
        lambda sites, features, crit: distance_km(sites, features),
        "vector",
        uses=("where",),
        unit="km",
        doc="Distance from the site's edge to the nearest feature, km (0 when touching or inside).",
        example='measure = "distance"\nlayer = "substations"',
        raster=distance_form,
    )
)
register_measure(
    MeasureSpec(
        "nearest_attribute",
        lambda sites, features, crit: nearest_attribute(
            sites, features, crit.attribute, max_distance_m=_km_to_m(crit.max_distance_km)
        ),
        "vector",
        needs=("attribute",),
        uses=("where", "max_distance_km"),
        doc="`attribute` of the nearest feature (ties: the first feature); no value beyond `max_distance_km`.",
        example='measure = "nearest_attribute"\nlayer = "substations"\nattribute = "headroom_mw"',
        raster=nearest_attribute_form,
    )
)
register_measure(
    MeasureSpec(
        "sum_within",
        lambda sites, features, crit: within_radius(
            sites, features, radius_m=crit.radius_km * 1000.0, attribute=crit.attribute, how="sum"
        ),
        "vector",
        needs=("attribute", "radius_km"),
        uses=("where",),
        doc="Sum of `attribute` over the features within `radius_km` of the site.",
        raster=lambda features, crit, grid, *, halo=0: within_form(features, crit, grid, how="sum", halo=halo),
    )
)
register_measure(
    MeasureSpec(
        "count_within",
        lambda sites, features, crit: within_radius(sites, features, radius_m=crit.radius_km * 1000.0, how="count"),
        "vector",
        needs=("radius_km",),
        uses=("where",),
        unit="count",
        doc="Number of features within `radius_km` of the site.",
        raster=lambda features, crit, grid, *, halo=0: within_form(features, crit, grid, how="count", halo=halo),
    )
)
register_measure(
    MeasureSpec(
        "zonal",
        lambda sites, info, crit: zonal(
            sites, info.path, stat=crit.stat, value_range=crit.range, band=info.band, nodata=info.nodata
        ),
        "raster",
        needs=("stat",),
        uses=("range",),
        doc="Raster statistic over the site, weighted by cell coverage (exactextract): `mean`, `min`, `max`, "
        "or `fraction` (share of the site with values in `range`).",
        raster=zonal_form,
    )
)
register_measure(
    MeasureSpec(
        "overlap",
        lambda sites, features, crit: overlap_fraction(sites, features),
        "vector",
        uses=("where",),
        unit="fraction",
        doc="Share (0..1) of the site's area covered by the layer's polygons.",
        raster=overlap_form,
    )
)
register_measure(
    MeasureSpec(
        "attribute",
        lambda sites, _, crit: site_attribute(sites, crit.attribute),
        "sites",
        needs=("attribute",),
        doc="A numeric column of the site itself.",
        raster=attribute_form,
    )
)
register_measure(
    MeasureSpec("area", lambda sites, _, crit: area_ha(sites), "sites", unit="ha", doc="The site's area, hectares.")
)
