"""Multi-criteria decision analysis: value functions, weighting and aggregation methods.

Three registries of named functions over numpy arrays:

- :data:`VALUE_FUNCTIONS` and :func:`value_function`: raw criterion -> 0..1 value.
- :data:`WEIGHTING_METHODS` (declared with :func:`register_weighting`) and :func:`weights`, plus :func:`ahp_weights` and
  :func:`hierarchical_weights`.
- :data:`AGGREGATION_METHODS` and :func:`aggregate`: sites x criteria matrix -> scores,
  higher is better for every method, in 0..1 when the matrix is in 0..1 with all directions +1.

Unknown names raise :class:`growthzones.errors.MethodError` listing the valid names.

Examples
--------
>>> import numpy as np
>>> from growthzones import mcda
>>> values = np.column_stack([
...     mcda.value_function("linear", low=0, high=500)([100, 400, 250]),
...     mcda.value_function("linear", low=0, high=30, direction="cost")([12, 3, 30]),
... ])
>>> w = mcda.weights("direct", values=[2, 1])
>>> mcda.aggregate("wlc", values, w, [1, 1]).round(3).tolist()
[0.333, 0.833, 0.333]
"""

from __future__ import annotations

from growthzones.mcda.aggregation import (
    AGGREGATION_METHODS,
    METHOD_SPECS,
    aggregate,
    describe_methods,
    maxent_order_weights,
    normalize,
    orness,
    register_aggregation,
    unregister_aggregation,
)
from growthzones.mcda.ahp import RANDOM_INDEX, InconsistentJudgementWarning, ahp_weights
from growthzones.mcda.params import MethodSpec, Param
from growthzones.mcda.value import (
    VALUE_FUNCTIONS,
    VALUE_SPECS,
    ValueFunction,
    describe_value_functions,
    register_value_function,
    unregister_value_function,
    value_function,
)
from growthzones.mcda.weighting import (
    WEIGHTING_METHODS,
    WEIGHTING_SPECS,
    describe_weighting_methods,
    hierarchical_weights,
    register_weighting,
    unregister_weighting,
    weights,
)

__all__ = [
    "AGGREGATION_METHODS",
    "METHOD_SPECS",
    "RANDOM_INDEX",
    "VALUE_FUNCTIONS",
    "VALUE_SPECS",
    "WEIGHTING_METHODS",
    "WEIGHTING_SPECS",
    "InconsistentJudgementWarning",
    "MethodSpec",
    "Param",
    "ValueFunction",
    "aggregate",
    "ahp_weights",
    "describe_methods",
    "describe_value_functions",
    "describe_weighting_methods",
    "hierarchical_weights",
    "maxent_order_weights",
    "normalize",
    "orness",
    "register_aggregation",
    "register_value_function",
    "register_weighting",
    "unregister_aggregation",
    "unregister_value_function",
    "unregister_weighting",
    "value_function",
    "weights",
]
