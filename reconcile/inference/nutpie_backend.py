"""nutpie: the model's log density and gradient compiled once with numba (the callbacks by
address, nutpie_callbacks.py); other data are swapped in with ``with_data`` (no recompilation)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import nutpie
import pymc as pm
import xarray as xr

from reconcile.config import SamplerConfig
from reconcile.inference.nutpie_callbacks import compile_pymc_model


class NutpieModel:
    def __init__(self, model: pm.Model) -> None:
        with warnings.catch_warnings():
            # the claims' random() (posterior predictive only) runs in numba object mode;
            # sampling never calls it
            warnings.filterwarnings("ignore", message="Numba will use object mode")
            self.compiled = compile_pymc_model(model, [rv.name for rv in model.free_RVs])
        self.n_dim = self.compiled.n_dim
        self._used = {var.name for var in self.compiled.shared_var_keys}  # unused data dropped

    def sample(self, updates: dict, sampler: SamplerConfig, seed: int, cores: int,
               progress: Callable[[list], None] | None = None) -> xr.DataTree:
        compiled = self.compiled.with_data(**{k: v for k, v in updates.items() if k in self._used})
        return nutpie.sample(
            compiled, draws=sampler.draws, tune=sampler.tune, chains=sampler.chains,
            cores=cores, seed=seed, progress_bar=False, progress_callback=progress,
            save_warmup=False, target_accept=sampler.target_accept,
            adaptation=sampler.adaptation(self.n_dim),
        )
