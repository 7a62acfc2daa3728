"""`reconcile run` as a pipeline: dataset -> fit -> tables, checks, sensitivity -> RunResult.

``analyse`` is pure (it computes; it writes nothing); ``write_outputs`` (report/write.py)
writes a result. ``run`` does both for the CLI, checking OUT_DIR before any work;
``report_fit`` does both for a fit made in a notebook. The model configuration is loaded
once per run and passed down.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import replace as with_fields
from pathlib import Path

from reconcile.analysis.extension import Extension, sample_until_healthy
from reconcile.analysis.sensitivity import refit_sampler, sensitivity
from reconcile.analysis.tables import run_tables
from reconcile.config import (
    ModelConfig, SamplerConfig, load_config, packaged_model_paths, resolve_model_path,
)
from reconcile.dataset import load_dataset
from reconcile.dataset.records import Dataset
from reconcile.inference import Fit, fit
from reconcile.inference.predictive import with_predictive
from reconcile.model.buildable import nesting_conflicts
from reconcile.report.result import RunResult
from reconcile.report.runinfo import (
    dataset_digest, estimate_citations, rerun_command, run_citation, run_info,
)
from reconcile.report.write import write_outputs
from reconcile.report.writing import check_output_dir

# Sensitivity takes one short refit per speaking source: about 0.5 s each at the seed size,
# as long as the fit itself at 1,000 claims. Above this many sources it is opt-in.
SENSITIVITY_AUTO_MAX_SOURCES = 40


def default_out_dir(data_dir: Path) -> Path:
    """``DATA_DIR/../reconcile-out/<DATA_DIR's name>``: beside the dataset, never inside
    it, and one folder per dataset, so that sibling datasets never share (or overwrite)
    one another's outputs."""
    data = data_dir.resolve()
    return data.parent / "reconcile-out" / data.name


def run(data_dir: str | Path, out_dir: str | Path | None = None, model: str | Path | None = None,
        seed: int = 0, replace: bool = False, sampler: SamplerConfig | None = None,
        allow_bad_diagnostics: bool = False, progress: Callable[[str], None] | None = None,
        progressbar: bool = False, with_sensitivity: bool | None = None,
        config: ModelConfig | None = None, client: object | None = None) -> RunResult:
    """Validate, fit, check and write every output. Outputs are written only when the
    diagnostics pass, or when ``allow_bad_diagnostics`` asks to keep them for inspection.
    ``with_sensitivity`` adds leave-one-source-out and other-anchor refits and
    power-scaling to the report (see analysis/sensitivity.py); None: when at most
    SENSITIVITY_AUTO_MAX_SOURCES sources speak (one refit each). ``config``: the
    configuration already loaded from ``model`` (it is then not read again). ``client``: a
    Dask client whose workers sample the chains (inference/chains.py)."""
    say = progress or (lambda message: None)
    data_dir = Path(data_dir)
    if out_dir is None:
        out_dir = default_out_dir(data_dir)
        if data_dir.is_dir():  # the shared parent of the default folders, made on first use
            out_dir.parent.mkdir(exist_ok=True)
    out_dir = Path(out_dir)
    check_output_dir(out_dir, replace, data_dir)
    started = time.perf_counter()

    say("loading and validating the dataset")
    model_path = resolve_model_path(model)
    config = config or load_config(model_path)
    dataset = load_dataset(data_dir, config.lexicon)
    timings = {"load_s": time.perf_counter() - started}

    fitted = fit(dataset, config, seed=seed, sampler=sampler, progressbar=progressbar,
                 progress=say, client=client)
    fitted, extension = sample_until_healthy(fitted, say, progressbar)
    timings.update(fitted.timings)
    # a run sampled again is redone by naming the draws it ended with; one that stopped
    # sampling again (out of time or tries) by forbidding it, since the time is the machine's
    override = None if sampler is None and not extension.tries else fitted.sampler
    if extension.stopped:
        override = fitted.sampler.model_copy(update={"max_time_s": 0.0})
    result = analyse(fitted, data_dir, model_path, override, allow_bad_diagnostics,
                     with_sensitivity, say, timings, extension)
    return _write_if_ok(result, out_dir, replace, allow_bad_diagnostics, say, started)


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
    if not _holds_files_of(data_dir, fitted.dataset):
        raise ValueError(f"{data_dir} does not hold the dataset this fit was made from (its "
                         "files differ): give the folder the dataset was loaded from, unchanged.")
    override = None if fitted.sampler == fitted.config.sampler else fitted.sampler
    result = analyse(fitted, data_dir, model_path, override, allow_bad_diagnostics,
                     with_sensitivity, say, dict(fitted.timings))
    return _write_if_ok(result, out_dir, replace, allow_bad_diagnostics, say, started)


def analyse(fitted: Fit, data_dir: Path, model_path: Path, sampler_override: SamplerConfig | None,
            allow_bad_diagnostics: bool, with_sensitivity: bool | None,
            say: Callable[[str], None], timings: dict[str, float],
            extension: Extension | None = None) -> RunResult:
    """Diagnostics, checks, sensitivity and run information of a fit: everything a run
    reports, computed, nothing written. Sensitivity is computed only for a fit whose
    outputs will be kept. ``extension``: what sampling until healthy did, if anything."""
    config, dataset, seed = fitted.config, fitted.dataset, fitted.seed
    say("computing diagnostics and checks")
    mark = time.perf_counter()
    tables = run_tables(fitted, seed)
    timings["checks_s"] = time.perf_counter() - mark
    if extension is not None and extension.tries:
        tables.diagnostics["extension"] = extension.as_json()
        tables.diagnostics["extension_note"] = extension.describe()

    rerun = rerun_command(data_dir, model_path, seed, sampler_override, allow_bad_diagnostics,
                          with_sensitivity, chains_on_cluster=fitted.client is not None)
    conflicts = nesting_conflicts(dataset)
    info = run_info(fitted, config, model_path, data_dir, dataset_digest(dataset), seed,
                    run_citation(config, dataset, seed),
                    estimate_citations(tables.estimates, config, dataset, seed), rerun,
                    tables.diagnostics["ok"], conflicts)
    info["timings"] = timings
    if not tables.diagnostics["ok"] and not allow_bad_diagnostics:
        return RunResult(None, fitted, tables, info, conflicts)
    mark = time.perf_counter()  # posterior.nc's prior and predictive groups
    fitted = with_fields(fitted, idata=with_predictive(fitted.idata, fitted.model, fitted.config,
                                                       seed))
    timings["predictive_s"] = time.perf_counter() - mark
    skipped = sensitivity_skipped(with_sensitivity, dataset, tables.diagnostics["ok"],
                                  fitted.approximate)
    if skipped:
        tables = with_fields(tables, sensitivity_skipped=skipped)
        info["sensitivity"] = {"skipped": skipped}
    else:
        say("sensitivity: refitting without each source and with the other anchor")
        mark = time.perf_counter()
        tables = with_fields(tables, sensitivity=sensitivity(fitted, seed=seed, progress=say))
        timings["sensitivity_s"] = time.perf_counter() - mark
        info["sensitivity"] = {"refit_sampler": refit_sampler(fitted).model_dump(mode="json"),
                               "other_anchor": tables.sensitivity.anchor_description}
    return RunResult(None, fitted, tables, info, conflicts)


def _write_if_ok(result: RunResult, out_dir: Path, replace: bool, allow_bad_diagnostics: bool,
                 say: Callable[[str], None], started: float) -> RunResult:
    if result.ok or allow_bad_diagnostics:
        say("writing the report")
        result.out_dir = write_outputs(result, out_dir, replace, started)
    return result


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


def _holds_files_of(data_dir: Path, dataset: Dataset) -> bool:
    """Does ``data_dir`` hold, unchanged, every file the dataset was read from? (Their
    SHA-256 against the dataset's record of them: no second validation of the dataset.)"""
    for name, digest in dataset.input_hashes.items():
        try:
            if hashlib.sha256((data_dir / name).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return bool(dataset.input_hashes)


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
