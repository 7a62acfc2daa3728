"""Fit many datasets of one shape with one compiled model (simulation studies, calibration,
sensitivity), with whichever NUTS backend the run chose (backends.py).

Compilation (PyTensor and numba, 5-10 s) costs more than sampling at seed size. The backend
samples the free variables only; the deterministics (true counts, biases, noise scales) are
computed afterwards for all draws at once by a vectorized PyTensor function, which PyTensor
caches on disk, instead of in nutpie's callbacks, compiled in every process.
Everything a refit may change is pm.Data in the model: the claims' bounds, their evidence
weights (0 drops a claim, as leave-one-source-out does) and the stance priors (another
identification anchor). Such datasets and configurations are swapped into the compiled model
instead of rebuilding it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pymc as pm
import xarray as xr

from reconcile.config import STANCES, ModelConfig, SamplerConfig
from reconcile.dataset.records import Dataset
from reconcile.inference.backends import available_cores, compile_for, runs_compiled_loop
from reconcile.model.build import CLAIM_DATA, PRIOR_DATA, build_model, model_data
from reconcile.model.inputs import ModelInputs

# Functions whose run is short next to numba's compilation (the deterministics and the
# predictive statements, over all draws at once; the prior predictive, 1,000 draws) are
# compiled with PyTensor's Python linker and its fast_compile rewrites: well under a second,
# where numba took 15-25 s for each on an empty cache and 10 s or more again whenever the
# dataset changes shape. Their values are the same (tests/test_model.py). numba pays for
# functions called per gradient (the log density) or per draw over many claims.
QUICK_COMPILE_MODE = "FAST_COMPILE"


def graph_key(config: ModelConfig) -> str:
    """What fixes the compiled graph: the configuration less what is swapped in as data
    (stance priors, the directions' softness and far scale, evidence weights: dependence),
    what only resolves the dataset (lexicon) and the sampler settings."""
    dumped = config.model_dump(mode="json")
    for name in ("name", "description", "sampler", "presets", "lexicon", "dependence"):
        dumped.pop(name)
    for name in (*STANCES, "direction_softness", "direction_far_scale"):
        dumped["bias"].pop(name)
    return json.dumps(dumped, sort_keys=True)


@dataclass
class Refitter:
    """A model compiled once for ``structure`` under ``config`` by the NUTS ``backend``;
    ``sample`` fits any dataset of that shape, under any configuration with the same
    ``graph_key``. ``model``, when given, is the PyMC model already built for ``structure``
    and ``config``."""

    structure: Dataset
    config: ModelConfig
    model: pm.Model | None = None
    backend: str = "nutpie"
    _claim_ids: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.model is None:
            self.model = build_model(self.structure, self.config,
                                     compiled_loop=runs_compiled_loop(self.backend))
        self.compiled = compile_for(self.backend, self.model)
        self._deterministics = deterministics_function(self.model)
        self._claim_ids = ModelInputs.from_dataset(self.structure).claim_ids

    def sample(self, dataset: Dataset, seed: int, sampler: SamplerConfig | None = None,
               config: ModelConfig | None = None, weights: np.ndarray | None = None,
               cores: int | None = None,
               progress: Callable[[list], None] | None = None) -> xr.DataTree:
        """Posterior for ``dataset`` (same claims, other observations), optionally under
        another ``config`` (other stance priors) or with other evidence ``weights``; chains
        run on ``cores`` threads (default: as many as chains and CPUs allow). ``progress``
        receives nutpie's per-chain progress."""
        config = config or self.config
        if graph_key(config) != graph_key(self.config):
            raise ValueError(f"configuration {config.name!r} differs from {self.config.name!r} "
                             "in more than its stance priors; build a Refitter for it")
        inputs = ModelInputs.from_dataset(dataset, config)
        if inputs.claim_ids != self._claim_ids:
            raise ValueError("the dataset does not have the structure this model was compiled for")
        updates = data_updates(inputs, config, inputs.weight if weights is None else weights)
        sampler = sampler or config.sampler
        if sampler.backend != self.backend:
            raise ValueError(f"this model was compiled for {self.backend}, not {sampler.backend}")
        idata = self.compiled.sample(updates, sampler, seed,
                                     cores or min(sampler.chains, available_cores()), progress)
        idata["posterior"] = xr.DataTree(self._with_deterministics(idata.posterior.to_dataset(),
                                                                   updates))
        return idata

    def _with_deterministics(self, posterior: xr.Dataset, updates: dict) -> xr.Dataset:
        """``posterior`` with the model's deterministics computed from its draws, under the
        data this fit used (the stance priors of another anchor are data)."""
        stacked = [posterior[rv.name].stack(sample=("chain", "draw")).transpose("sample", ...)
                   for rv in self.model.free_RVs]
        shared = {var.name: var for var in self._deterministics.get_shared() if var.name in updates}
        previous = {name: var.get_value() for name, var in shared.items()}
        try:
            for name, var in shared.items():
                var.set_value(np.asarray(updates[name], dtype=var.dtype))
            values = self._deterministics(*[draws.values for draws in stacked])
        finally:
            for name, value in previous.items():
                shared[name].set_value(value)
        sample_index = stacked[0]["sample"]
        out = posterior.copy()
        for variable, value in zip(self.model.deterministics, values):
            dims = self.model.named_vars_to_dims.get(variable.name, ())
            coords = {"sample": sample_index, **{dim: list(self.model.coords[dim]) for dim in dims}}
            out[variable.name] = (xr.DataArray(value, dims=("sample", *dims), coords=coords)
                                  .unstack("sample").transpose("chain", "draw", ...))
        return out


def deterministics_function(model: pm.Model):
    """One compiled function from the free variables' draws (a leading sample axis) to every
    deterministic's draws: the model's graph vectorized over draws."""
    import pytensor
    import pytensor.tensor as pt
    from pytensor.graph import vectorize_graph

    free = list(model.free_RVs)
    batched = [pt.tensor(dtype=rv.dtype, shape=(None, *rv.type.shape), name=rv.name)
               for rv in free]
    outputs = vectorize_graph(list(model.deterministics), replace=dict(zip(free, batched)))
    return pytensor.function(batched, outputs, on_unused_input="ignore", mode=QUICK_COMPILE_MODE)


def data_updates(inputs: ModelInputs, config: ModelConfig, weights: np.ndarray) -> dict:
    """Values of every swappable pm.Data of the model (the claims' readings and weights,
    the stance priors), by name; the index data are fixed by the structure."""
    values = model_data(inputs, config, weights)
    return {name: values[name] for name in (CLAIM_DATA, PRIOR_DATA)}
