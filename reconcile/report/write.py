"""Write every output of a run (report/outputs.py declares them) into OUT_DIR, all or
nothing (report/writing.py)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from reconcile import __version__
from reconcile.analysis.verdict import headline, verdict
from reconcile.report.citation import bibtex, csl_json
from reconcile.report.html import render_report
from reconcile.report.outputs import ESTIMATE_COLUMNS, SOURCE_COLUMNS, outputs_written
from reconcile.report.writing import atomic_output_dir, write_csv, write_json

if TYPE_CHECKING:
    from reconcile.inference import Fit
    from reconcile.report.result import RunResult


def write_outputs(result: RunResult, out_dir: Path, replace: bool = False,
                  started: float | None = None) -> Path:
    """Write every output of a run into ``out_dir``, all or nothing (see writing.py);
    ``started`` (perf_counter at the start of the run) dates the total time in run.json."""
    fitted, tables, info = result.fit, result.tables, result.run_info
    timings = info.setdefault("timings", {})
    mark = time.perf_counter()
    with atomic_output_dir(out_dir, replace) as staging:
        write_csv(tables.estimates[ESTIMATE_COLUMNS], staging / "estimates.csv")
        write_csv(tables.sources[SOURCE_COLUMNS], staging / "sources.csv")
        write_csv(tables.claims, staging / "claims.csv")
        if len(tables.tolls):
            write_csv(tables.tolls, staging / "toll_series.csv")
        if tables.sensitivity is not None:
            write_csv(tables.sensitivity.by_quantity(), staging / "sensitivity.csv")
            write_csv(tables.sensitivity.leave_one_out, staging / "leave_one_source_out.csv")
        findings = verdict(tables)
        write_json({**tables.diagnostics, "verdict": headline(findings),
                    "findings": [finding.as_json() for finding in findings],
                    "loo": tables.loo, "warnings": result.warnings},
                   staging / "diagnostics.json")
        digest = info["dataset"]["sha256"]
        _write_posterior(fitted, staging / "posterior.nc", digest, result.ok)
        html = render_report(fitted, tables, info["estimate_citations"], info["citation"],
                             digest, info["rerun"], result.warnings)
        (staging / "report.html").write_text(html, encoding="utf-8")
        timings["report_s"] = time.perf_counter() - mark
        if started is not None:
            timings["total_s"] = time.perf_counter() - started
        day = dt.date.today()
        (staging / "citation.bib").write_text(bibtex(info, day), encoding="utf-8")
        (staging / "citation.json").write_text(csl_json(info, day), encoding="utf-8")
        write_json(info, staging / "run.json")
        _check_declared(staging, tables.sensitivity is not None, len(tables.tolls) > 0)
    return out_dir


def _check_declared(staging: Path, with_sensitivity: bool, with_tolls: bool) -> None:
    """The files written are exactly the declared outputs (a new file must be declared)."""
    written = {path.name for path in staging.iterdir()}
    declared = set(outputs_written(with_sensitivity, with_tolls))
    if written != declared:
        raise RuntimeError(f"outputs written {sorted(written)} differ from the declared "
                           f"{sorted(declared)} (report/outputs.py)")


def _write_posterior(fitted: Fit, path: Path, digest: str, ok: bool) -> None:
    """The posterior with the configuration, input hash and diagnostics verdict attached."""
    idata = fitted.idata.copy()
    idata.attrs.update({
        "reconcile_version": __version__, "dataset_sha256": digest,
        "model_config_sha256": fitted.config.digest(), "seed": fitted.seed,
        "diagnostics_ok": int(ok),
    })
    try:
        idata.to_netcdf(path, engine="netcdf4")
    except RuntimeError as exc:  # the netCDF library reports a full disk as "NetCDF: HDF error"
        free = shutil.disk_usage(path.parent).free
        if free < 1024 * 1024:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) from exc
        raise OSError(errno.EIO, f"writing {path.name} failed ({exc})") from exc
