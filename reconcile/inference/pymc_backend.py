"""PyMC's ``pm.sample`` with its own NUTS or numpyro's: the data are set on the model for
one call and restored after (PyTensor caches the compiled C or JAX function on disk, so
a refit does not recompile from scratch)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pymc as pm
import xarray as xr

from reconcile.config import SamplerConfig


class PymcModel:
    def __init__(self, model: pm.Model, backend: str) -> None:
        self.model, self.backend = model, backend
        self.n_dim = sum(int(np.size(value)) for value in model.initial_point().values())

    def sample(self, updates: dict, sampler: SamplerConfig, seed: int, cores: int,
               progress: Callable[[list], None] | None = None) -> xr.DataTree:
        data = {name: self.model[name] for name in updates if name in self.model.named_vars}
        previous = {name: var.get_value() for name, var in data.items()}
        try:
            for name, var in data.items():
                var.set_value(np.asarray(updates[name], dtype=var.dtype))
            return pm.sample(
                model=self.model, draws=sampler.draws, tune=sampler.tune,
                chains=sampler.chains, cores=cores, target_accept=sampler.target_accept,
                random_seed=seed, nuts_sampler=self.backend, progressbar=False,
                var_names=[rv.name for rv in self.model.free_RVs],
                compute_convergence_checks=False,
            )
        finally:
            for name, value in previous.items():
                data[name].set_value(value)
