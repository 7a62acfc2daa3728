"""Proving the intervals: simulation-based calibration and coverage under misspecification.

    result = calibrate(dataset, models=["default"], scenarios=["model", "copying"],
                       simulations=200)
    result.verdicts()
    write_calibration(result, "calibration-out")
"""

from reconcile.calibration.scenarios import SCENARIOS
from reconcile.calibration.study import CalibrationResult, calibrate

__all__ = ["SCENARIOS", "CalibrationResult", "calibrate"]
