"""Gates: hard constraints on criteria, pass or fail per site, with the reason in words.

A site that fails any gate stays in every output with ``eligible = False`` and every failed
gate listed, e.g. "nearest 275 kV+ substation is 37.2 km; gate requires <= 25 km".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from growthzones.config import COMPARISONS, Config, CriterionConfig, GateConfig

__all__ = ["evaluate_gates", "format_value", "gate_reason"]


def format_value(x: float, unit: str = "") -> str:
    """Format a criterion value for people: thousands separators, sensible decimals, unit.

    Examples
    --------
    >>> format_value(1250.0, "MW"), format_value(37.24, "km"), format_value(0.125, "fraction")
    ('1,250 MW', '37.2 km', '0.125')
    """
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "no value"
    ax = abs(x)
    if unit == "fraction":
        return f"{x:.3g}"
    text = f"{x:,.0f}" if ax >= 100 or float(x).is_integer() else f"{x:,.1f}" if ax >= 1 else f"{x:.2g}"
    return f"{text} {unit}".strip()


def gate_reason(gate: GateConfig, crit: CriterionConfig, value: float) -> str:
    """Say in words why ``value`` fails ``gate``.

    Examples
    --------
    >>> from growthzones.config import CriterionConfig, GateConfig
    >>> c = CriterionConfig(name="grid_distance", group="grid", measure="distance", unit="km")
    >>> g = GateConfig(criterion="grid_distance", op="<=", value=25, label="nearest 275 kV+ substation")
    >>> gate_reason(g, c, 37.24)
    'nearest 275 kV+ substation is 37.2 km; gate requires <= 25 km'
    """
    label = gate.label or crit.display
    unit = crit.unit
    if value is None or np.isnan(value):
        return f"{label} has no value; gate requires {gate.op} {format_value(gate.value, unit)}"
    return f"{label} is {format_value(value, unit)}; gate requires {gate.op} {format_value(gate.value, unit)}"


def evaluate_gates(
    config: Config,
    criteria: pd.DataFrame,
    *,
    gates: Sequence[GateConfig] | None = None,
    excluded: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Evaluate the enabled gates for every site.

    Parameters
    ----------
    config
        Supplies the gates (unless ``gates`` is given) and the criteria's labels and units.
    criteria
        Raw criteria, indexed by site id.
    gates
        Gates to use instead of ``config.gates``.
    excluded
        Boolean DataFrame (site x criterion): sites excluded from a criterion by its
        ``missing = "exclude"`` policy. Each exclusion is a failed condition with a reason.

    Returns
    -------
    DataFrame
        ``eligible`` (bool), ``gate_reasons`` (text, ``"; "``-separated, empty when eligible),
        ``n_failed`` and one boolean ``gate: <key>`` column per enabled gate (True = passed).

    Examples
    --------
    >>> import growthzones as gz
    >>> a = gz.assess(gz.datasets.demo_config_path())
    >>> g = evaluate_gates(a.config, a.criteria)
    >>> g.columns[:3].tolist(), int(g["eligible"].sum())
    (['eligible', 'gate_reasons', 'n_failed'], 159)
    """
    gates = list(config.gates if gates is None else gates)
    passed = {}
    reasons = [[] for _ in range(len(criteria))]
    for gate in gates:
        if not gate.enabled:
            continue
        crit = config.criterion(gate.criterion)
        vals = criteria[gate.criterion].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            ok = COMPARISONS[gate.op](vals, gate.value) & ~np.isnan(vals)
        passed[f"gate: {gate.key}"] = ok
        for i in np.flatnonzero(~ok):
            reasons[i].append(gate_reason(gate, crit, vals[i]))
    if excluded is not None:
        for name in excluded.columns:
            crit = config.criterion(name)
            for i in np.flatnonzero(excluded[name].to_numpy()):
                reasons[i].append(f'{crit.display} has no value (missing = "exclude")')
    out = pd.DataFrame(passed, index=criteria.index)
    n_failed = np.array([len(r) for r in reasons], dtype=np.int64)
    out.insert(0, "n_failed", n_failed)
    out.insert(0, "gate_reasons", ["; ".join(r) for r in reasons])
    out.insert(0, "eligible", n_failed == 0)
    return out
