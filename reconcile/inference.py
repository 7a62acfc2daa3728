"""Fit the model: build, sample, attach pointwise log-likelihoods; return a Fit.

The Fit is the single object the summaries, plots and report consume. Sampling is
reproducible: the same dataset, configuration and seed give the same draws.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pymc as pm
import xarray as xr

from reconcile.config import ModelConfig, SamplerConfig
from reconcile.dataset.records import Dataset
from reconcile.errors import ModelBuildError
from reconcile.interrupt import interruptible, raise_if_interrupted
from reconcile.model.build import build_model, nesting_conflicts

if TYPE_CHECKING:
    import pandas as pd

    from reconcile.model.refit import Refitter


@dataclass
class Fit:
    """A fitted model: the dataset, configuration, PyMC model and posterior (DataTree)."""

    dataset: Dataset
    config: ModelConfig
    model: pm.Model
    idata: xr.DataTree
    seed: int
    sampler: SamplerConfig
    timings: dict[str, float] = field(default_factory=dict)
    # the model compiled for nutpie, reused by refits of the same dataset (sensitivity)
    refitter: Refitter | None = field(default=None, repr=False)

    def estimates(self) -> pd.DataFrame:
        from reconcile.summaries import estimates_table

        return estimates_table(self)

    def source_biases(self) -> pd.DataFrame:
        from reconcile.summaries import source_bias_table

        return source_bias_table(self)

    @property
    def approximate(self) -> bool:
        """Fitted by the fast path (ADVI), not NUTS: approximate intervals, no R-hat/ESS."""
        from reconcile.approximate import is_approximate

        return is_approximate(self.idata)

    def diagnostics(self) -> dict:
        if self.approximate:
            from reconcile.approximate import approximation_diagnostics

            return approximation_diagnostics(self)
        from reconcile.summaries import convergence_diagnostics

        return convergence_diagnostics(self)


def fit(dataset: Dataset, config: ModelConfig, seed: int = 0,
        sampler: SamplerConfig | None = None, progressbar: bool = False) -> Fit:
    """Build the model for ``dataset`` under ``config`` and sample its posterior with NUTS,
    or approximate it with ADVI when the sampler's ``method`` is "advi" (approximate.py).

    ``sampler`` overrides ``config.sampler`` (e.g. fewer draws in a notebook or test).
    """
    sampler = sampler or config.sampler
    timings: dict[str, float] = {}
    started = time.perf_counter()
    model = build_model(dataset, config)
    timings["build_s"] = time.perf_counter() - started
    refitter = None
    if sampler.method == "advi":
        from reconcile.approximate import fit_advi

        started = time.perf_counter()
        with interruptible() as received:
            idata = fit_advi(model, sampler, seed, progressbar=progressbar)
        raise_if_interrupted(received)  # pm.fit stops at a signal and returns what it has
        timings["sample_s"] = time.perf_counter() - started
        return _with_log_likelihood(dataset, config, model, idata, seed, sampler, timings, None)
    if sampler.backend == "nutpie":
        # compiled here rather than inside pm.sample, so that refits reuse it
        from reconcile.model.refit import Refitter

        started = time.perf_counter()
        refitter = Refitter(dataset, config, model=model)
        timings["compile_s"] = time.perf_counter() - started
    started = time.perf_counter()
    idata = sample(model, sampler, seed, progressbar=progressbar, dataset=dataset,
                   refitter=refitter)
    timings["sample_s"] = time.perf_counter() - started
    return _with_log_likelihood(dataset, config, model, idata, seed, sampler, timings, refitter)


def _with_log_likelihood(dataset: Dataset, config: ModelConfig, model: pm.Model,
                         idata: xr.DataTree, seed: int, sampler: SamplerConfig,
                         timings: dict[str, float], refitter: Refitter | None) -> Fit:
    started = time.perf_counter()
    pm.stats.compute_log_likelihood(idata, model=model, progressbar=False)
    timings["log_likelihood_s"] = time.perf_counter() - started
    return Fit(dataset, config, model, idata, seed, sampler, timings, refitter=refitter)


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
                    progressbar=progressbar,
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


def _sample_compiled(refitter: Refitter, model: pm.Model, sampler: SamplerConfig, seed: int,
                     progressbar: bool) -> xr.DataTree:
    """nutpie on the compiled model, with PyMC's per-chain progress bars and the groups
    pm.sample adds (constant and observed data)."""
    from pymc.backends.arviz import patch_nutpie_idata
    from pymc.progress_bar.progress import NutpieProgressBarManager

    bars = NutpieProgressBarManager(chains=sampler.chains, draws=sampler.draws,
                                    progressbar=progressbar)
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


def available_cores() -> int:
    import os

    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)
