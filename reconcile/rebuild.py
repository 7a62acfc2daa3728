"""`reconcile report OUT_DIR`: a run's report rebuilt from its saved outputs, no refit.

What a run saved is enough: run.json names the dataset (checked against its SHA-256), the
resolved model configuration (checked against its hash) and the seed; posterior.nc holds
the draws; sensitivity.csv and leave_one_source_out.csv hold the refits' results. The
tables are recomputed from the saved draws with the run's seed, so they are the run's own
numbers; only report.html is replaced (atomically), every other output is left as it was.
For a report from a newer `reconcile`, for one that was deleted, or to read it again.
"""

from __future__ import annotations

import json
from dataclasses import replace as with_fields
from pathlib import Path

import pandas as pd

from reconcile.analysis.sensitivity import Sensitivity, with_speakers
from reconcile.analysis.tables import run_tables
from reconcile.config import SamplerConfig, config_from_dict
from reconcile.dataset import load_dataset
from reconcile.errors import ReconcileError
from reconcile.inference import Fit
from reconcile.model.build import build_model
from reconcile.report.html import render_report
from reconcile.report.runinfo import dataset_digest
from reconcile.report.writing import replace_file

NEEDED = ("run.json", "posterior.nc", "diagnostics.json")


class RebuildError(ReconcileError):
    """The saved outputs cannot give the report back (missing, or the dataset changed)."""


def rebuild_report(out_dir: str | Path, data_dir: str | Path | None = None) -> Path:
    """Write ``out_dir/report.html`` again from the run's saved outputs and return its path.
    ``data_dir``: where the run's dataset is now (default: the folder run.json names); its
    files must be the ones the run read."""
    out_dir = Path(out_dir)
    missing = [name for name in NEEDED if not (out_dir / name).is_file()]
    if missing:
        raise RebuildError(f"{out_dir}: {', '.join(missing)} missing: give the folder a "
                           "`reconcile run` wrote (outputs are kept only when it passes, or "
                           "with --allow-bad-diagnostics).")
    info = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    recorded = Path(info["dataset"]["path"])  # as given to the run, from its cwd
    recorded = recorded if recorded.is_absolute() else Path(info.get("cwd", ".")) / recorded
    fitted = _saved_fit(out_dir, info, Path(data_dir) if data_dir else recorded)
    tables = run_tables(fitted, fitted.seed)
    saved = json.loads((out_dir / "diagnostics.json").read_text(encoding="utf-8"))
    for key in ("extension", "extension_note"):  # what sampling again did, as the run said
        if key in saved:
            tables.diagnostics[key] = saved[key]
    if (out_dir / "sensitivity.csv").is_file():
        tables = with_fields(tables, sensitivity=saved_sensitivity(out_dir, fitted, info))
    else:
        tables = with_fields(tables, sensitivity_skipped=info.get("sensitivity", {})
                             .get("skipped", "not computed in this run"))
    html = render_report(fitted, tables, info["estimate_citations"], info["citation"],
                         info["dataset"]["sha256"], info["rerun"], list(info["warnings"]))
    return replace_file(out_dir / "report.html", html)


def _saved_fit(out_dir: Path, info: dict, data_dir: Path) -> Fit:
    """The run's Fit from its saved draws: the dataset and model rebuilt, nothing sampled."""
    import arviz as az

    config = config_from_dict(info["model"]["config"], source=str(out_dir / "run.json"))
    if config.digest() != info["model"]["config_sha256"]:
        raise RebuildError(f"{out_dir / 'run.json'}: the model configuration does not match "
                           "its recorded hash (edited?).")
    dataset = load_dataset(data_dir, config.lexicon)
    if dataset_digest(dataset) != info["dataset"]["sha256"]:
        raise RebuildError(f"{data_dir}: not the dataset this run read (its files differ from "
                           f"the SHA-256 in run.json). Rerun instead: {info['rerun']}")
    idata = az.from_netcdf(out_dir / "posterior.nc").load()
    return Fit(dataset, config, build_model(dataset, config), idata, int(info["seed"]),
               SamplerConfig.model_validate(info["sampler"]), dict(info.get("timings", {})))


def saved_sensitivity(out_dir: Path, fitted: Fit, info: dict) -> Sensitivity:
    """The sensitivity section from its two CSV files (no refit)."""
    read = {"keep_default_na": False, "dtype": {"source_id": str, "quantity_id": str,
                                                "most_influential_source": str,
                                                "influence": str}}
    by_quantity = pd.read_csv(out_dir / "sensitivity.csv", **read)
    leave_one_out = pd.read_csv(out_dir / "leave_one_source_out.csv", **read)
    # who spoke about what follows from the dataset (checked against its hash)
    leave_one_out = with_speakers(leave_one_out.drop(
        columns=["speaks_here", "speaks_on_relative"], errors="ignore"), fitted.dataset)
    psense = ["quantity_id", "count_prior_sensitivity", "bias_prior_sensitivity",
              "likelihood_sensitivity", "diagnosis"]
    return Sensitivity(
        leave_one_out=leave_one_out,
        anchor=by_quantity[["quantity_id"]].assign(factor=by_quantity["factor_other_anchor"]),
        power_scaling=by_quantity[psense],
        anchor_description=info["sensitivity"]["other_anchor"],
        reference_median=fitted.idata.posterior["count"].median(("chain", "draw")).to_series(),
    )
