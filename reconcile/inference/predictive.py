"""The prior and posterior predictive groups of a fit (CONTRACT.md, posterior.nc): what the
model says before it sees the claims, and what the sources would state after, so that a
reader can run ArviZ's prior and posterior predictive checks on the saved posterior.

``claim_obs`` in both groups is the latent statement of each claim's source (a number on
the count scale, before any qualifier is applied); ``observed_data`` holds the figure each
claim states (the bound of a "more than", the figure of an exact claim). Both groups are
thinned evenly to at most PREDICTIVE_VALUES values of ``claim_obs``, so that a large
archive's file stays bounded (10,000 claims: 400 draws). The posterior predictive draws are
made for all posterior draws at once (_posterior_statements): PyMC's
sample_posterior_predictive calls its compiled function once per draw, 4-5 s for the seed
run's 8,000, and numba compiled it for 20-25 s on an empty cache.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import xarray as xr

from reconcile.config import ModelConfig
from reconcile.inference.compiled import QUICK_COMPILE_MODE
from reconcile.logs import quiet
from reconcile.model.build import OBSERVED
from reconcile.model.likelihood import statement_draws

PRIOR_DRAWS = 1_000
PREDICTIVE_VALUES = 4_000_000  # draws x claims, per group: 32 MB of float64


def with_predictive(idata: xr.DataTree, model: pm.Model, config: ModelConfig,
                    seed: int) -> xr.DataTree:
    """A copy of ``idata`` with ``prior``, ``prior_predictive`` and ``posterior_predictive``
    groups (seeded: the same fit and seed give the same draws)."""
    n_claims = max(1, int(model[OBSERVED].shape.eval()[0]))
    budget = max(1, PREDICTIVE_VALUES // n_claims)
    with quiet("pymc"):
        prior = pm.sample_prior_predictive(draws=min(PRIOR_DRAWS, budget), model=model,
                                           random_seed=np.random.default_rng([seed, 17, 1]),
                                           compile_kwargs={"mode": QUICK_COMPILE_MODE})
    predictive = _posterior_statements(_thinned(idata, budget), model, config,
                                       seed=[seed, 17, 2])
    result = idata.copy()
    for group in ("prior", "prior_predictive"):
        result[group] = prior[group]
    result["posterior_predictive"] = xr.DataTree(predictive)
    return result


def _thinned(idata: xr.DataTree, budget: int) -> xr.Dataset:
    """The posterior with at most ``budget`` draws in all (at least one per chain), evenly
    spaced within each chain."""
    posterior = idata.posterior.to_dataset()
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    keep = max(1, min(draws, budget // chains))
    return posterior.isel(draw=np.unique(np.linspace(0, draws - 1, keep).round().astype(int)))


def _posterior_statements(posterior: xr.Dataset, model: pm.Model, config: ModelConfig,
                          seed: list[int]) -> xr.Dataset:
    """What the sources would state under each posterior draw: the claims' parameters as
    functions of the free variables, vectorized over the draws, and the statements drawn
    from likelihood.statement_draws (the model's own) with a leading draw axis; seeded."""
    import pytensor.tensor as pt
    from pytensor.graph import vectorize_graph
    from pytensor.tensor.random.type import RandomGeneratorType

    observed = model[OBSERVED]  # the CustomDist's inputs: its size, parameters and RNGs
    parameters = [p for p in observed.owner.inputs[1:]
                  if not isinstance(p.type, RandomGeneratorType)]
    free = list(model.free_RVs)
    batched = [pt.tensor(dtype=rv.dtype, shape=(None, *rv.type.shape), name=rv.name)
               for rv in free]
    per_draw = vectorize_graph(parameters, replace=dict(zip(free, batched)))
    size = pt.stack([batched[0].shape[0], parameters[0].shape[0]])
    statements = statement_draws(config)(*per_draw, size)
    draw = pm.pytensorf.compile(batched, statements, random_seed=seed, mode=QUICK_COMPILE_MODE,
                                on_unused_input="ignore")
    stacked = posterior.stack(sample=("chain", "draw"))
    values = draw(*[stacked[rv.name].transpose("sample", ...).values for rv in free])
    draws = xr.DataArray(values, dims=("sample", "claim"),
                         coords={"sample": stacked["sample"], "claim": list(model.coords["claim"])})
    return xr.Dataset({OBSERVED: draws.unstack("sample").transpose("chain", "draw", "claim")})
