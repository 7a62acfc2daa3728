"""Fit many datasets of one shape with one compiled model (simulation studies, calibration).

Compilation (numba, about 8 s) costs more than sampling at seed size; datasets that share a
structure differ only in their observations, which are pm.Data in the model, so they are
swapped into the compiled model instead of rebuilding it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import nutpie
import xarray as xr

from reconcile.config import ModelConfig, SamplerConfig
from reconcile.dataset.records import Dataset
from reconcile.model.build import build_model
from reconcile.model.inputs import ModelInputs, Observations
from reconcile.inference import available_cores

_DATA_NAMES = {
    "obs_lower": "lower", "obs_upper": "upper", "obs_has_lower": "has_lower",
    "obs_has_upper": "has_upper", "obs_is_point": "is_point", "obs_about": "about",
}


@dataclass
class Refitter:
    """A model compiled once for ``structure``; ``sample`` fits any dataset of that shape."""

    structure: Dataset
    config: ModelConfig

    def __post_init__(self) -> None:
        self.model = build_model(self.structure, self.config)
        with warnings.catch_warnings():
            # the claims' random() (posterior predictive only) runs in numba object mode;
            # sampling never calls it
            warnings.filterwarnings("ignore", message="Numba will use object mode")
            self.compiled = nutpie.compile_pymc_model(self.model)
        self._claim_ids = ModelInputs.from_dataset(self.structure).claim_ids

    def sample(self, dataset: Dataset, seed: int, sampler: SamplerConfig | None = None) -> xr.DataTree:
        inputs = ModelInputs.from_dataset(dataset)
        if inputs.claim_ids != self._claim_ids:
            raise ValueError("the dataset does not have the structure this model was compiled for")
        sampler = sampler or self.config.sampler
        used = {var.name for var in self.compiled.shared_var_keys}  # unused data is dropped
        updates = {k: v for k, v in _data_updates(inputs.observations).items() if k in used}
        compiled = self.compiled.with_data(**updates)
        return nutpie.sample(
            compiled, draws=sampler.draws, tune=sampler.tune, chains=sampler.chains,
            cores=min(sampler.chains, available_cores()), seed=seed, progress_bar=False,
            target_accept=sampler.target_accept,
            adaptation="low_rank" if sampler.low_rank_mass_matrix else "diag",
        )


def _data_updates(observations: Observations) -> dict:
    return {name: getattr(observations, field) for name, field in _DATA_NAMES.items()}
