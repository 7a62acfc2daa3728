"""reconcile: estimate casualty counts from conflicting, biased and vague claims.

The public API, in the order data flows::

    dataset = reconcile.load_dataset("seeds")           # validated, immutable
    config = reconcile.load_config("default")           # priors, lexicon, sampler
    fit = reconcile.fit(dataset, config, seed=7)         # builds the PyMC model and samples
    fit.estimates()                                      # pandas DataFrame
    reconcile.report_fit(fit, "seeds", "seed-report")    # the outputs of `reconcile run`

Heavy modules (PyMC, ArviZ) are imported only when a function that needs them is called, so
``reconcile check`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "load_dataset": "reconcile.dataset",
    "check_dataset": "reconcile.dataset",
    "Dataset": "reconcile.dataset",
    "load_config": "reconcile.config",
    "ModelConfig": "reconcile.config",
    "DatasetError": "reconcile.errors",
    "ConfigError": "reconcile.errors",
    "build_model": "reconcile.model.build",
    "fit": "reconcile.inference",
    "Fit": "reconcile.inference",
    "report_fit": "reconcile.run",
    "simulate": "reconcile.model.simulate",
    "simulate_like": "reconcile.model.simulate",
    "random_structure": "reconcile.model.simulate",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:  # pragma: no cover
    from reconcile.config import ModelConfig, load_config
    from reconcile.dataset import Dataset, check_dataset, load_dataset
    from reconcile.errors import ConfigError, DatasetError
    from reconcile.inference import Fit, fit
    from reconcile.model.build import build_model
    from reconcile.model.simulate import random_structure, simulate, simulate_like
    from reconcile.run import report_fit


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'reconcile' has no attribute {name!r}")
