"""Put a fraction and a percentage on one scale, row by row: 0.776 beside 76.0% is 77.6%.

The first value with a number (the latest, else the previous) is the anchor. A
plain number of at most 1 beside a percentage anchor above 1 is read as a
percentage (the previous value, the latest, or a target with a number: not
Maintain or Top quartile), and a fraction anchor beside a percentage target is
read as a percentage; each rewrite is named, so an officer sees what was assumed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kpi_excel.core.engine.parsed import OP_MAINTAIN, OP_TOP_QUARTILE, TargetColumn, ValueColumn
from kpi_excel.core.engine.problems import ProblemLog
from kpi_excel.core.values import Value

__all__ = ["same_units"]


def same_units(latest: ValueColumn, previous: ValueColumn, target: TargetColumn, active: np.ndarray,
               log: ProblemLog) -> None:
    """Rewrite, in place, the values and targets of rows whose units disagree."""
    anchor_ok = (latest.ok | previous.ok) & active
    if not anchor_ok.any():
        return
    from_latest = latest.ok
    anchor = np.where(from_latest, latest.number, previous.number)
    anchor_percent = np.where(from_latest, latest.percent, previous.percent)
    with np.errstate(invalid="ignore"):
        big_percent = anchor_ok & anchor_percent & (np.abs(anchor) > 1)
        for name, column in (("latest_value", latest), ("previous_value", previous)):
            rows = np.flatnonzero(big_percent & column.ok & ~column.percent & (np.abs(column.number) <= 1))
            old = [column.values[row] for row in rows]
            log.add(rows, name, [f"{v.display()} read as {v.number * 100:g}% to match the other values" for v in old])
            column.replace_rows(rows, [_as_percent(v) for v in old])

        # Maintain and an unresolved Top quartile have no number to rescale.
        numeric = target.present & (target.op != OP_MAINTAIN) & (target.op != OP_TOP_QUARTILE)
        fraction_target = big_percent & numeric & ~target.percent & (np.abs(target.value) <= 1)
        fraction_anchor = ~fraction_target & anchor_ok & target.present & target.percent & ~anchor_percent & \
            (np.abs(anchor) <= 1) & (1 < np.abs(target.value))
    rows = np.flatnonzero(fraction_target)
    old_targets = [target.targets[row] for row in rows]
    log.add(rows, "target", [f"'{t.display()}' read as {t.value * 100:g}% to match the values" for t in old_targets])
    target.replace_rows(rows, [t.scaled(100) for t in old_targets])

    rows = np.flatnonzero(fraction_anchor)
    anchors = [latest.values[row] if from_latest[row] else previous.values[row] for row in rows]
    scaled = [Value(a.number * 100, True, None if a.decimals is None else max(a.decimals - 2, 0))  # type: ignore[operator]
              for a in anchors]
    log.add(rows, "latest_value", [f"{a.display()} read as {s.display()} to match the target"
                                   for a, s in zip(anchors, scaled)])
    own = from_latest[rows]
    latest.replace_rows(rows[own], [s for s, mine in zip(scaled, own) if mine])


def _as_percent(value: Value) -> Value:
    decimals = None if value.decimals is None else max(value.decimals - 2, 0)
    return replace(value, number=value.number * 100, percent=True, decimals=decimals, text=None)  # type: ignore[operator]
