"""The prior and posterior predictive groups of a fit (CONTRACT.md, posterior.nc): what the
model says before it sees the claims, and what the sources would state after, so that a
reader can run ArviZ's prior and posterior predictive checks on the saved posterior.

``claim_obs`` in both groups is the latent statement of each claim's source (a number on
the count scale, before any qualifier is applied); ``observed_data`` holds the figure each
claim states (the bound of a "more than", the figure of an exact claim). Both groups are
thinned evenly to at most PREDICTIVE_VALUES values of ``claim_obs``, so that a large
archive's file stays bounded (10,000 claims: 400 draws).
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import xarray as xr

from reconcile.logs import quiet
from reconcile.model.build import OBSERVED

PRIOR_DRAWS = 1_000
PREDICTIVE_VALUES = 4_000_000  # draws x claims, per group: 32 MB of float64


def with_predictive(idata: xr.DataTree, model: pm.Model, seed: int) -> xr.DataTree:
    """A copy of ``idata`` with ``prior``, ``prior_predictive`` and ``posterior_predictive``
    groups (seeded: the same fit and seed give the same draws)."""
    n_claims = max(1, int(model[OBSERVED].shape.eval()[0]))
    budget = max(1, PREDICTIVE_VALUES // n_claims)
    with quiet("pymc"):
        prior = pm.sample_prior_predictive(draws=min(PRIOR_DRAWS, budget), model=model,
                                           random_seed=np.random.default_rng([seed, 17, 1]))
        thinned = _thinned(idata, budget)
        # every posterior value is kept as drawn: only the statements are sampled
        kept = [name for name in thinned.posterior.data_vars if name in model.named_vars]
        predictive = pm.sample_posterior_predictive(
            thinned, model=model, var_names=[OBSERVED], freeze_vars=kept, progressbar=False,
            random_seed=np.random.default_rng([seed, 17, 2]))
    result = idata.copy()
    for group, source in (("prior", prior), ("prior_predictive", prior),
                          ("posterior_predictive", predictive)):
        result[group] = source[group]
    return result


def _thinned(idata: xr.DataTree, budget: int) -> xr.DataTree:
    """The posterior with at most ``budget`` draws in all (at least one per chain), evenly
    spaced within each chain."""
    posterior = idata.posterior.to_dataset()
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    keep = max(1, min(draws, budget // chains))
    index = np.unique(np.linspace(0, draws - 1, keep).round().astype(int))
    groups = {"posterior": posterior.isel(draw=index)}
    if "constant_data" in idata.children:  # PyMC compares it with the model's data
        groups["constant_data"] = idata.constant_data.to_dataset()
    return xr.DataTree.from_dict(groups)
