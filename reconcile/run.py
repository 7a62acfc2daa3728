"""`reconcile run`: dataset -> fit -> tables, checks, plots, report, all written atomically.

The CLI is a thin layer over ``run``; notebooks can call it too, or write the outputs of a fit
they already made with ``report_fit``.
"""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace as with_fields
from pathlib import Path

import arviz_stats as azs

from reconcile import __version__
from reconcile.checks import claim_checks
from reconcile.config import (
    ModelConfig, SamplerConfig, load_config, packaged_model_paths, resolve_model_path,
)
from reconcile.constants import PARETO_K_BAD
from reconcile.dataset import load_dataset
from reconcile.dataset.records import Dataset
from reconcile.inference import Fit, fit
from reconcile.model.build import nesting_conflicts
from reconcile.outputs import atomic_output_dir, check_output_dir, write_csv, write_json
from reconcile.report import ReportTables, render_report
from reconcile.runinfo import (
    command_line, dataset_digest, estimate_citations, file_sha256, package_versions,
    platform_description, run_citation,
)
from reconcile.sensitivity import REFIT_SAMPLER, sensitivity
from reconcile.summaries import stance_effects_table

ESTIMATE_COLUMNS = ["quantity_id", "description", "mean", "median", "lower_50", "upper_50",
                    "lower_90", "upper_90", "lower_95", "upper_95", "r_hat", "ess_bulk",
                    "n_claims"]
SOURCE_COLUMNS = ["source_id", "kind", "bias_median", "bias_lower_90", "bias_upper_90", "name",
                  "side", "stance", "n_claims", "noise_scale_median"]


@dataclass
class RunResult:
    out_dir: Path | None
    fit: Fit
    tables: ReportTables
    run_info: dict
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return bool(self.tables.diagnostics["ok"])


def default_out_dir(data_dir: Path) -> Path:
    """``DATA_DIR/../reconcile-out`` (beside the dataset, never inside it)."""
    return data_dir.resolve().parent / "reconcile-out"


def run(data_dir: str | Path, out_dir: str | Path | None = None, model: str | Path | None = None,
        seed: int = 0, replace: bool = False, sampler: SamplerConfig | None = None,
        allow_bad_diagnostics: bool = False, progress: Callable[[str], None] | None = None,
        progressbar: bool = False, with_sensitivity: bool | None = None) -> RunResult:
    """Validate, fit, check and write every output. Outputs are written only when the
    diagnostics pass, or when ``allow_bad_diagnostics`` asks to keep them for inspection.
    ``with_sensitivity`` adds leave-one-source-out and other-anchor refits and
    power-scaling to the report (see sensitivity.py); None: when at most
    SENSITIVITY_AUTO_MAX_SOURCES sources speak (one refit each)."""
    say = progress or (lambda message: None)
    data_dir = Path(data_dir)
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir(data_dir)
    check_output_dir(out_dir, replace, data_dir)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    say("loading and validating the dataset")
    model_path = resolve_model_path(model)
    config = load_config(model_path)
    dataset = load_dataset(data_dir, config)
    timings["load_s"] = time.perf_counter() - started

    say("compiling the model and sampling")
    fitted = fit(dataset, config, seed=seed, sampler=sampler, progressbar=progressbar)
    timings.update(fitted.timings)
    return _check_and_write(fitted, data_dir, out_dir, model_path, replace,
                            None if sampler is None else fitted.sampler, allow_bad_diagnostics,
                            with_sensitivity, say, started, timings)


def report_fit(fitted: Fit, data_dir: str | Path, out_dir: str | Path,
               model: str | Path | None = None, replace: bool = False,
               allow_bad_diagnostics: bool = False, with_sensitivity: bool | None = None,
               progress: Callable[[str], None] | None = None) -> RunResult:
    """Check a fit already made (in a notebook, say) and write every output of
    ``reconcile run`` for it: the same tables, checks, report and run.json, by the same steps.

    ``data_dir`` is the folder the fit's dataset was loaded from and ``model`` the model file
    its configuration was read from (by default the packaged file of the same name); both
    are verified, so that run.json's rerun command redoes this fit. A configuration changed
    in code has no such file: save it as a TOML file (a copy of models/default.toml, edited)
    and load it from there. As with ``run``, nothing is written when the diagnostics fail,
    unless ``allow_bad_diagnostics`` keeps the outputs for inspection (marked as failed);
    ``result.out_dir`` is None when nothing was written. ``with_sensitivity`` is as in
    ``run`` (None: the sensitivity refits when at most SENSITIVITY_AUTO_MAX_SOURCES sources
    speak), so that the defaults of both write the same outputs and the same rerun command.

    Examples
    --------
    >>> dataset = reconcile.load_dataset("seeds")  # doctest: +SKIP
    >>> fitted = reconcile.fit(dataset, reconcile.load_config(), seed=7)  # doctest: +SKIP
    >>> result = reconcile.report_fit(fitted, "seeds", "seed-report")  # doctest: +SKIP
    >>> result.out_dir / "report.html"  # doctest: +SKIP
    """
    say = progress or (lambda message: None)
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    check_output_dir(out_dir, replace, data_dir)
    started = time.perf_counter()
    model_path = _model_file_of(fitted.config, model)
    if dataset_digest(load_dataset(data_dir, fitted.config)) != dataset_digest(fitted.dataset):
        raise ValueError(f"{data_dir} does not hold the dataset this fit was made from (its "
                         "files differ): give the folder the dataset was loaded from, unchanged.")
    override = None if fitted.sampler == fitted.config.sampler else fitted.sampler
    return _check_and_write(fitted, data_dir, out_dir, model_path, replace, override,
                            allow_bad_diagnostics, with_sensitivity, say, started,
                            dict(fitted.timings))


def _model_file_of(config: ModelConfig, model: str | Path | None) -> Path:
    """The model file ``config`` was read from: ``model``, or the packaged file named like
    the configuration. It must hold exactly ``config``, or run.json would cite another model."""
    if model is None and config.name not in packaged_model_paths():
        raise ValueError(f"no packaged model file is named {config.name!r}: pass model= the "
                         "TOML file this configuration was loaded from.")
    path = resolve_model_path(config.name if model is None else model)
    if load_config(path).digest() != config.digest():
        raise ValueError(f"the fit's model configuration is not the one in {path} (changed in "
                         "code?): save it as a TOML file (a copy of models/default.toml, "
                         "edited), load it with reconcile.load_config(PATH), fit, and pass "
                         "model=PATH.")
    return path


def _check_and_write(fitted: Fit, data_dir: Path, out_dir: Path, model_path: Path,
                     replace: bool, sampler_override: SamplerConfig | None,
                     allow_bad_diagnostics: bool, with_sensitivity: bool | None,
                     say: Callable[[str], None], started: float,
                     timings: dict[str, float]) -> RunResult:
    """Diagnostics, checks, sensitivity and the outputs of a fit: the part of a run after
    sampling, shared by ``run`` and ``report_fit``."""
    config, dataset, seed = fitted.config, fitted.dataset, fitted.seed
    say("computing diagnostics and checks")
    mark = time.perf_counter()
    tables = _tables(fitted, seed)
    timings["checks_s"] = time.perf_counter() - mark

    digest = dataset_digest(dataset)
    citations = estimate_citations(tables.estimates, config, dataset, seed)
    citation = run_citation(config, dataset, seed)
    rerun = rerun_command(data_dir, model_path, seed, sampler_override, allow_bad_diagnostics,
                          with_sensitivity)
    conflicts = nesting_conflicts(dataset)
    run_info = _run_info(fitted, config, model_path, data_dir, digest, seed, citation,
                         citations, rerun, tables.diagnostics["ok"], conflicts)
    run_info["timings"] = timings
    if not tables.diagnostics["ok"] and not allow_bad_diagnostics:
        return RunResult(None, fitted, tables, run_info, conflicts)
    skipped = sensitivity_skipped(with_sensitivity, dataset, tables.diagnostics["ok"],
                                  fitted.approximate)
    if skipped:
        tables = with_fields(tables, sensitivity_skipped=skipped)
        run_info["sensitivity"] = {"skipped": skipped}
    else:
        say("sensitivity: refitting without each source and with the other anchor")
        mark = time.perf_counter()
        tables = with_fields(tables, sensitivity=sensitivity(fitted, seed=seed))
        timings["sensitivity_s"] = time.perf_counter() - mark
        run_info["sensitivity"] = {"refit_sampler": REFIT_SAMPLER.model_dump(mode="json"),
                                   "other_anchor": tables.sensitivity.anchor_description}
    result = RunResult(None, fitted, tables, run_info, conflicts)

    say("writing the report")
    result.out_dir = write_outputs(result, out_dir, replace, started)
    return result


def write_outputs(result: RunResult, out_dir: Path, replace: bool = False,
                  started: float | None = None) -> Path:
    """Write every output of a run into ``out_dir``, all or nothing (see outputs.py);
    ``started`` (perf_counter at the start of the run) dates the total time in run.json."""
    fitted, tables, info = result.fit, result.tables, result.run_info
    timings = info.setdefault("timings", {})
    mark = time.perf_counter()
    with atomic_output_dir(out_dir, replace) as staging:
        write_csv(tables.estimates[ESTIMATE_COLUMNS], staging / "estimates.csv")
        write_csv(tables.sources[SOURCE_COLUMNS], staging / "sources.csv")
        write_csv(tables.claims, staging / "claims.csv")
        if tables.sensitivity is not None:
            write_csv(tables.sensitivity.by_quantity(), staging / "sensitivity.csv")
            write_csv(tables.sensitivity.leave_one_out, staging / "leave_one_source_out.csv")
        write_json({**tables.diagnostics, "loo": tables.loo, "warnings": result.warnings},
                   staging / "diagnostics.json")
        digest = info["dataset"]["sha256"]
        _write_posterior(fitted, staging / "posterior.nc", digest, result.ok)
        html = render_report(fitted, tables, info["estimate_citations"], info["citation"],
                             digest, info["rerun"], result.warnings)
        (staging / "report.html").write_text(html, encoding="utf-8")
        timings["report_s"] = time.perf_counter() - mark
        if started is not None:
            timings["total_s"] = time.perf_counter() - started
        write_json(info, staging / "run.json")
    return out_dir


# Sensitivity takes one short refit per speaking source: about 0.5 s each at the seed size,
# as long as the fit itself at 1,000 claims. Above this many sources it is opt-in.
SENSITIVITY_AUTO_MAX_SOURCES = 40


def sensitivity_skipped(with_sensitivity: bool | None, dataset: Dataset, diagnostics_ok: bool,
                        approximate: bool = False) -> str:
    """Why the sensitivity section is not computed for this run ("" when it is)."""
    if not diagnostics_ok:
        return "the diagnostics failed and the outputs are kept for inspection only"
    if approximate:
        return ("the fast path (ADVI) was used; the sensitivity refits need NUTS, whose "
                "intervals they compare")
    if with_sensitivity is False:
        return "it was turned off (--no-sensitivity)"
    speakers = len({claim.source_id for claim in dataset.claims})
    if with_sensitivity is None and speakers > SENSITIVITY_AUTO_MAX_SOURCES:
        return (f"{speakers} sources make claims, which would take {speakers + 1} refits "
                f"(it is automatic up to {SENSITIVITY_AUTO_MAX_SOURCES}); run with "
                "--sensitivity to compute it")
    return ""


def rerun_command(data_dir: Path, model_path: Path, seed: int, sampler: SamplerConfig | None,
                  allow_bad_diagnostics: bool, with_sensitivity: bool | None = None) -> str:
    """The command line that redoes this run (quoted for a POSIX shell; relative paths are
    relative to run.json's ``cwd``). Sampler settings are spelt out when they were not the
    model file's own."""
    words = ["reconcile", "run", str(data_dir), "--model", str(model_path), "--seed", str(seed)]
    if sampler is not None and sampler.method == "advi":
        words += ["--method", "advi", "--draws", str(sampler.draws),
                  "--advi-iterations", str(sampler.advi_iterations)]
    elif sampler is not None:
        words += ["--draws", str(sampler.draws), "--tune", str(sampler.tune),
                  "--chains", str(sampler.chains), "--sampler", sampler.backend]
    if allow_bad_diagnostics:
        words.append("--allow-bad-diagnostics")
    if with_sensitivity is not None:
        words.append("--sensitivity" if with_sensitivity else "--no-sensitivity")
    return shlex.join(words)


def _tables(fitted: Fit, seed: int) -> ReportTables:
    with warnings.catch_warnings():
        # ArviZ warns when Pareto k > 0.7; the claims table and report show each k instead
        warnings.filterwarnings("ignore", message="Estimated shape parameter of Pareto")
        loo = azs.loo(fitted.idata, pointwise=True, var_name="claim_obs")
        checks = claim_checks(fitted, seed=seed, loo=loo)
    return ReportTables(
        estimates=fitted.estimates(),
        sources=fitted.source_biases(),
        stances=stance_effects_table(fitted),
        claims=checks,
        diagnostics=fitted.diagnostics(),
        loo={"elpd": float(loo.elpd), "se": float(loo.se), "p_loo": float(loo.p),
             "n_high_k": int((checks["loo_pareto_k"] > PARETO_K_BAD).sum()),
             "note": "Pareto k > 0.7 marks claims whose removal changes the posterior a lot; "
                     "a claim that is the only evidence on its quantity is always such a claim."},
    )


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


def _run_info(fitted: Fit, config: ModelConfig, model_path: Path, data_dir: Path, digest: str,
              seed: int, citation: str, citations: dict[str, str], rerun: str,
              ok: bool, conflicts: list[str]) -> dict:
    return {
        "reconcile_version": __version__,
        "command": command_line(),
        "rerun": rerun,
        "cwd": str(Path.cwd()),
        "platform": platform_description(),
        "versions": package_versions(),
        "dataset": {"path": str(data_dir), "name": fitted.dataset.name, "sha256": digest,
                    "files": dict(fitted.dataset.input_hashes)},
        "model": {"file": str(model_path), "file_sha256": file_sha256(model_path),
                  "name": config.name, "config_sha256": config.digest(),
                  "identification": config.identification(),
                  "config": config.model_dump(mode="json")},
        "seed": seed,
        "sampler": fitted.sampler.model_dump(mode="json"),
        "diagnostics_ok": ok,
        "warnings": conflicts,
        "citation": citation,
        "estimate_citations": citations,
    }
