"""Write a calibration study's folder atomically: calibration.csv, fits.csv,
calibration.json and a self-contained calibration.html (same rules as `reconcile run`)."""

from __future__ import annotations

import base64
import math
from pathlib import Path

import jinja2

from reconcile.calibration.plots import coverage_plot, sbc_ecdf_plot
from reconcile.calibration.catalog import SCENARIO_DESCRIPTIONS, WELL_SPECIFIED
from reconcile.calibration.study import CalibrationResult
from reconcile.calibration.summary import REJECT_LEVEL, coverage_by_element
from reconcile.report.plots import figure_to_png
from reconcile.report.writing import atomic_output_dir, write_csv, write_json


def write_calibration(result: CalibrationResult, out_dir: str | Path, replace: bool = False) -> Path:
    out_dir = Path(out_dir)
    with atomic_output_dir(out_dir, replace) as staging:
        write_csv(result.table, staging / "calibration.csv")
        write_csv(result.fits, staging / "fits.csv")
        write_json(_json_summary(result), staging / "calibration.json")
        (staging / "calibration.html").write_text(render_calibration(result), encoding="utf-8")
    return out_dir


def _json_summary(result: CalibrationResult) -> dict:
    return _finite({
        "settings": result.settings,
        "verdicts": result.verdicts(),
        "coverage": result.coverage.to_dict("records"),
        "fit_health": result.health.to_dict("records"),
        "uniformity": result.uniformity.to_dict("records"),
        "reject_level": REJECT_LEVEL,
        "failed_fits": result.fits[~result.fits["ok"]][["model", "scenario", "simulation",
                                                       "error"]].to_dict("records"),
    })


def render_calibration(result: CalibrationResult) -> str:
    images = {}
    for (model, scenario), group in result.table.groupby(["model", "scenario"], sort=False):
        if scenario in WELL_SPECIFIED:
            figure = sbc_ecdf_plot(group, title=f"{model}: simulation-based calibration")
            images[f"{model}/{scenario}"] = _png(figure)
    coverage_png = _png(coverage_plot(result.coverage)) if len(result.coverage) else None
    per_quantity = coverage_by_element(result.table) if len(result.table) else None
    env = jinja2.Environment(loader=jinja2.PackageLoader("reconcile", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("calibration.html.j2").render(
        settings=result.settings, verdicts=result.verdicts(),
        coverage=result.coverage.to_dict("records"), health=result.health.to_dict("records"),
        rejected=result.uniformity[result.uniformity["rejected"]].to_dict("records")
        if len(result.uniformity) else [],
        lowest=result.uniformity.nsmallest(10, "p_value").to_dict("records")
        if len(result.uniformity) else [],
        per_quantity=per_quantity.to_dict("records") if per_quantity is not None else [],
        failed=result.fits[~result.fits["ok"]].to_dict("records"),
        scenarios=SCENARIO_DESCRIPTIONS,
        sbc_images=images, coverage_image=coverage_png, reject_level=REJECT_LEVEL,
    )


def _png(figure) -> str:
    return base64.b64encode(figure_to_png(figure)).decode("ascii")


def _finite(value):
    """JSON has no NaN: turn non-finite floats into null, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
