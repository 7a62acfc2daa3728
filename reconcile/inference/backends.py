"""The NUTS backends behind one small protocol: compile a PyMC model once, then sample it with
any values of its swappable data (the claims' bounds and weights, the stance priors).

One module per backend: nutpie (the default, nutpie_backend.py) and PyMC's ``pm.sample``
with its own or numpyro's NUTS (pymc_backend.py). The first fit, the sensitivity refits and
the calibration fits all go through here, so all of them use the backend the run chose.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

import pymc as pm
import xarray as xr

from reconcile.config import SamplerConfig

BACKENDS = ("nutpie", "pymc", "numpyro")


def runs_compiled_loop(backend: str) -> bool:
    """Whether ``backend`` can run model/claim_kernel's compiled likelihood loop: numpyro
    compiles the model to JAX, which has no such loop, so its model keeps the graph."""
    return backend != "numpyro"


class CompiledModel(Protocol):
    """A model compiled for one backend. ``sample`` returns the free variables' draws
    (chain, draw, ...) in a DataTree with ``posterior`` and ``sample_stats``."""

    n_dim: int

    def sample(self, updates: dict, sampler: SamplerConfig, seed: int, cores: int,
               progress: Callable[[list], None] | None = None) -> xr.DataTree: ...


def compile_for(backend: str, model: pm.Model) -> CompiledModel:
    """``model`` compiled for ``backend`` (one of BACKENDS)."""
    if backend == "nutpie":
        from reconcile.inference.nutpie_backend import NutpieModel

        return NutpieModel(model)
    if backend in ("pymc", "numpyro"):
        from reconcile.inference.pymc_backend import PymcModel

        return PymcModel(model, backend)
    raise ValueError(f"unknown NUTS backend {backend!r}; known: {', '.join(BACKENDS)}")


def available_cores() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)
