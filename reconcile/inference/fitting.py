"""Fit the model: build, sample (NUTS through a backend, or ADVI), attach pointwise
log-likelihoods; return a Fit.

The Fit is the single record the analysis, plots and report consume. Sampling is
reproducible: the same dataset, configuration and seed give the same draws.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pymc as pm
import xarray as xr

from reconcile.config import ModelConfig, SamplerConfig
from reconcile.dataset.records import Dataset
from reconcile.errors import ConfigError, ModelBuildError
from reconcile.inference.advi import is_approximate
from reconcile.inference.backends import available_cores, runs_compiled_loop
from reconcile.interrupt import interruptible, raise_if_interrupted
from reconcile.model.build import build_model
from reconcile.model.buildable import nesting_conflicts
from reconcile.model.inputs import ModelInputs

if TYPE_CHECKING:
    from reconcile.inference.compiled import Refitter


@dataclass
class Fit:
    """A fitted model, as a plain record: the dataset and the model inputs built from it, the
    resolved configuration, the PyMC model and its posterior (an ArviZ DataTree). Tables and
    diagnostics are computed from it by ``reconcile.analysis``."""

    dataset: Dataset
    config: ModelConfig
    model: pm.Model
    idata: xr.DataTree
    seed: int
    sampler: SamplerConfig
    timings: dict[str, float] = field(default_factory=dict)
    # the model compiled for the run's backend, reused by refits of the same dataset
    refitter: Refitter | None = field(default=None, repr=False)
    inputs: ModelInputs | None = field(default=None, repr=False)
    # a Dask client whose workers ran the chains (chains.py); sampling again uses it too
    client: object | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.inputs is None:
            self.inputs = ModelInputs.from_dataset(self.dataset, self.config)

    @property
    def approximate(self) -> bool:
        """Fitted by the fast path (ADVI), not NUTS: approximate intervals, no R-hat/ESS."""
        return is_approximate(self.idata)


def fit(dataset: Dataset, config: ModelConfig, seed: int = 0,
        sampler: SamplerConfig | None = None, progressbar: bool = False,
        progress: Callable[[str], None] | None = None, client: object | None = None) -> Fit:
    """Build the model for ``dataset`` under ``config`` and sample its posterior with NUTS,
    or approximate it with ADVI when the sampler's ``method`` is "advi" (advi.py).

    ``sampler`` overrides ``config.sampler`` (e.g. fewer draws in a notebook or test);
    ``progress`` is told of each phase as it starts (compiling, sampling); ``client``, a Dask
    client whose workers each sample one chain (nutpie only, chains.py).
    """
    say = progress or (lambda message: None)
    sampler = sampler or config.sampler
    if client is not None and (sampler.method != "nuts" or sampler.backend != "nutpie"):
        raise ConfigError("chains on a Dask cluster run nutpie's NUTS; use --sampler nutpie "
                          "and --method nuts with --scheduler")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    inputs = ModelInputs.from_dataset(dataset, config)
    model = build_model(dataset, config, inputs,
                        compiled_loop=runs_compiled_loop(sampler.backend))
    timings["build_s"] = time.perf_counter() - started
    refitter = None
    if sampler.method == "advi":
        from reconcile.inference.advi import advi_summary, fit_advi
        from reconcile.model.start import data_informed_start

        say(f"approximating the posterior with ADVI (at most {sampler.advi_iterations:,} "
            "iterations: it stops once the loss has converged)")
        started = time.perf_counter()
        with interruptible() as received:
            idata = fit_advi(model, sampler, seed, start=data_informed_start(inputs, config),
                             progressbar=progressbar)
        raise_if_interrupted(received)  # pm.fit stops at a signal and returns what it has
        timings["sample_s"] = time.perf_counter() - started
        say(advi_summary(idata))
        return _with_log_likelihood(dataset, config, model, idata, seed, sampler, timings, None,
                                    inputs)
    if client is not None:
        return _fit_on_cluster(dataset, config, model, inputs, sampler, seed, client, say,
                               timings)
    if sampler.backend == "nutpie":
        # compiled here rather than inside pm.sample, so that refits reuse it
        from reconcile.inference.compiled import Refitter

        say("compiling the model (up to a minute when not cached)")
        started = time.perf_counter()
        refitter = Refitter(dataset, config, model=model)
        timings["compile_s"] = time.perf_counter() - started
    say(f"sampling {sampler.chains} chains of {sampler.tune:,} tuning steps and "
        f"{sampler.draws:,} draws ({sampler.backend})")
    started = time.perf_counter()
    idata = sample(model, sampler, seed, progressbar=progressbar, dataset=dataset,
                   refitter=refitter)
    timings["sample_s"] = time.perf_counter() - started
    return _with_log_likelihood(dataset, config, model, idata, seed, sampler, timings, refitter,
                                inputs)


def resample(fitted: Fit, sampler: SamplerConfig, progressbar: bool = False) -> Fit:
    """``fitted`` sampled again from scratch under ``sampler`` (more draws, say), on the model
    already compiled for it where the backend keeps one: the same as a new fit with that
    sampler and the fit's seed, draw for draw."""
    if fitted.client is not None:
        return _fit_on_cluster(fitted.dataset, fitted.config, fitted.model, fitted.inputs,
                               sampler, fitted.seed, fitted.client, lambda message: None,
                               dict(fitted.timings))
    timings = dict(fitted.timings)
    started = time.perf_counter()
    idata = sample(fitted.model, sampler, fitted.seed, progressbar=progressbar,
                   dataset=fitted.dataset, refitter=fitted.refitter)
    timings["sample_s"] = timings.get("sample_s", 0.0) + time.perf_counter() - started
    return _with_log_likelihood(fitted.dataset, fitted.config, fitted.model, idata, fitted.seed,
                                sampler, timings, fitted.refitter, fitted.inputs)


def _fit_on_cluster(dataset: Dataset, config: ModelConfig, model: pm.Model,
                    inputs: ModelInputs, sampler: SamplerConfig, seed: int, client: object,
                    say: Callable[[str], None], timings: dict[str, float]) -> Fit:
    """The chains sampled on a Dask cluster's workers (each compiles the model once)."""
    from pymc.backends.arviz import patch_nutpie_idata

    from reconcile.inference.chains import sample_on_cluster

    say(f"sampling {sampler.chains} chains of {sampler.tune:,} tuning steps and "
        f"{sampler.draws:,} draws on the Dask cluster (each worker compiles the model once)")
    started = time.perf_counter()
    with interruptible() as received:
        idata = sample_on_cluster(client, dataset, config, sampler, seed)
    raise_if_interrupted(received)
    patch_nutpie_idata(idata, model, sampling_time=time.perf_counter() - started)
    _check_complete(idata, sampler)
    timings["sample_s"] = timings.get("sample_s", 0.0) + time.perf_counter() - started
    fitted = _with_log_likelihood(dataset, config, model, idata, seed, sampler, timings, None,
                                  inputs)
    fitted.client = client
    return fitted


def _with_log_likelihood(dataset: Dataset, config: ModelConfig, model: pm.Model,
                         idata: xr.DataTree, seed: int, sampler: SamplerConfig,
                         timings: dict[str, float], refitter: Refitter | None,
                         inputs: ModelInputs) -> Fit:
    started = time.perf_counter()
    pm.stats.compute_log_likelihood(idata, model=model, progressbar=False)
    timings["log_likelihood_s"] = time.perf_counter() - started
    return Fit(dataset, config, model, idata, seed, sampler, timings, refitter=refitter,
               inputs=inputs)


def sample(model: pm.Model, sampler: SamplerConfig, seed: int, progressbar: bool = False,
           dataset: Dataset | None = None, refitter: Refitter | None = None) -> xr.DataTree:
    """Run NUTS with the configured backend; chains in parallel where the backend allows.
    ``refitter`` (nutpie only) is the model already compiled for nutpie; without it
    pm.sample compiles the model itself."""
    try:
        # the samplers catch KeyboardInterrupt and return what they have: note the signal
        with interruptible() as received:
            if refitter is not None:
                idata = _sample_compiled(refitter, model, sampler, seed, progressbar)
            else:
                idata = pm.sample(
                    model=model,
                    draws=sampler.draws,
                    tune=sampler.tune,
                    chains=sampler.chains,
                    cores=min(sampler.chains, available_cores()),
                    target_accept=sampler.target_accept,
                    random_seed=seed,
                    nuts_sampler=sampler.backend,
                    nuts=_nuts_options(model, sampler),
                    progressbar=progress_layout(progressbar),
                    compute_convergence_checks=False,
                )
    except (RuntimeError, ValueError, pm.exceptions.SamplingError) as exc:
        raise_if_interrupted(received)  # a sampler that turned the signal into an error
        causes = nesting_conflicts(dataset) if dataset is not None else []
        hint = ("Likely cause: " + " ".join(causes)) if causes else (
            "Check for claims that contradict each other beyond any plausible bias.")
        raise ModelBuildError(f"sampling failed ({type(exc).__name__}: {exc}). {hint}") from exc
    raise_if_interrupted(received)
    _check_complete(idata, sampler)
    return idata


def _nuts_options(model: pm.Model, sampler: SamplerConfig) -> dict:
    if sampler.backend == "nutpie":
        n_parameters = sum(int(np.size(value)) for value in model.initial_point().values())
        return {"adaptation": sampler.adaptation(n_parameters)}
    return {}


# PyMC's per-chain bars take eight columns with their statistics (divergences, step size,
# gradient evaluations): below this terminal width their headers are cut ("Dive…")
FULL_PROGRESS_COLUMNS = 110


def progress_layout(progressbar: bool) -> bool | str:
    """PyMC's progress bar option: per-chain bars, with their statistics when the terminal
    is wide enough to show every column whole (the diagnostics report divergences anyway)."""
    if not progressbar:
        return False
    wide = shutil.get_terminal_size(fallback=(80, 24)).columns >= FULL_PROGRESS_COLUMNS
    return "split+stats" if wide else "split"


def _whole_headers(bars) -> None:
    """Rich sizes PyMC's columns by ratio, which cuts headers ("Remaini…") at 80 columns:
    each column but the bar is as wide as its header or text, and the bar takes the rest."""
    progress = getattr(getattr(bars, "_backend", None), "_progress", None)
    for column in getattr(progress, "columns", ()):
        table_column = column.get_table_column()
        if (isinstance(table_column.header, str) and column._table_column is not None
                and table_column.header != "Progress"):
            column._table_column.ratio = None  # as wide as its text; the bar takes the rest
            column._table_column.min_width = len(table_column.header)


def _sample_compiled(refitter: Refitter, model: pm.Model, sampler: SamplerConfig, seed: int,
                     progressbar: bool) -> xr.DataTree:
    """nutpie on the compiled model, with PyMC's per-chain progress bars and the groups
    pm.sample adds (constant and observed data)."""
    from pymc.backends.arviz import patch_nutpie_idata
    from pymc.progress_bar.progress import NutpieProgressBarManager

    bars = NutpieProgressBarManager(chains=sampler.chains, draws=sampler.draws,
                                    progressbar=progress_layout(progressbar))
    _whole_headers(bars)
    started = time.perf_counter()
    with bars:
        idata = refitter.sample(refitter.structure, seed=seed, sampler=sampler,
                                progress=bars.update)
    patch_nutpie_idata(idata, model, sampling_time=time.perf_counter() - started)
    return idata


def _check_complete(idata: xr.DataTree, sampler: SamplerConfig) -> None:
    """Every chain has every draw asked for: a sampler that stopped early must not pass its
    partial posterior off as a finished one."""
    sizes = idata.posterior.sizes
    got = (sizes.get("chain", 0), sizes.get("draw", 0))
    if got != (sampler.chains, sampler.draws):
        raise ModelBuildError(
            f"sampling stopped early: {got[0]} chains x {got[1]} draws instead of "
            f"{sampler.chains} x {sampler.draws}; no result is reported from an incomplete run."
        )
