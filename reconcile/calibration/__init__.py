"""Proving the intervals: simulation-based calibration and coverage under misspecification.

    from reconcile.calibration import calibrate, write_calibration
    result = calibrate(dataset, models=["default"], scenarios=["model", "copying"],
                       simulations=200)
    result.verdicts()
    write_calibration(result, "calibration-out")

Imported lazily: the names below load PyMC only when used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from reconcile.calibration.catalog import SCENARIO_DESCRIPTIONS

_LAZY = {
    "calibrate": "reconcile.calibration.study",
    "CalibrationResult": "reconcile.calibration.study",
    "write_calibration": "reconcile.calibration.outputs",
    "SCENARIOS": "reconcile.calibration.scenarios",
}
__all__ = ["SCENARIO_DESCRIPTIONS", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'reconcile.calibration' has no attribute {name!r}")
