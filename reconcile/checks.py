"""Per-claim model checks: posterior predictive tail probability, PIT, LOO Pareto k.

A claim is an interval observation of what its source would state (see
model/likelihood.py), so the predictive check is computed from the predictive distribution
of that statement in closed form, draw by draw (Rao-Blackwellized): for claim i,

    PIT_i = E[ F(lower_i) + u * (F(upper_i) - F(lower_i)) ]

where F is the predictive CDF of the log statement in one posterior draw. With u = 1/2 (the
mid-PIT) a claim right in the middle of the predictive gets 0.5; the two-sided tail
probability ``2 min(PIT, 1 - PIT)`` says how surprising the claim is given the estimate and
the source's bias. With u uniform, PITs of a well-specified model are uniform, which the PPC
plot checks. Pareto k comes from ArviZ's PSIS-LOO on the pointwise log-likelihood.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from reconcile.config import ModelConfig
from reconcile.constants import PARETO_K_BAD
from reconcile.model.build import claim_location, claim_scale
from reconcile.model.inputs import ModelInputs

if TYPE_CHECKING:
    from reconcile.inference import Fit

OUTLIER_TAIL_PROB = 0.01
SAMPLE_DIMS = ("chain", "draw")


def predictive_cdf_bounds(fit: Fit) -> tuple[np.ndarray, np.ndarray]:
    """Per draw and claim: predictive probability below the claim's interval, and inside it.

    Returns arrays of shape (draws, claims)."""
    inputs = ModelInputs.from_dataset(fit.dataset)
    posterior = fit.idata.posterior
    log_count = _flat(np.log(posterior["count"]))
    source_bias = _flat(posterior["source_bias"])
    noise_scale = _flat(posterior["noise_scale"])
    stance = _flat(posterior["stance_bias"].transpose("chain", "draw", "stance"))
    obs = inputs.observations
    loc = claim_location(log_count, stance, source_bias, inputs)
    scale = claim_scale(noise_scale, obs.about, fit.config, inputs)
    dist = _standard_noise(fit.config)
    below = np.where(obs.has_lower == 1, dist.cdf((obs.lower - loc) / scale), 0.0)
    up_to_upper = np.where(obs.has_upper == 1, dist.cdf((obs.upper - loc) / scale), 1.0)
    return below, up_to_upper - below


def claim_checks(fit: Fit, seed: int = 0) -> pd.DataFrame:
    """One row per claim: mid-PIT, tail probability, randomized PIT, Pareto k, outlier flag."""
    below, inside = predictive_cdf_bounds(fit)
    mid_pit = (below + 0.5 * inside).mean(axis=0)
    rng = np.random.default_rng(seed)
    randomized = (below + rng.uniform(size=inside.shape[1]) * inside).mean(axis=0)
    tail = 2 * np.minimum(mid_pit, 1 - mid_pit)
    loo = azs.loo(fit.idata, pointwise=True, var_name="claim_obs")
    pareto_k = np.asarray(loo.pareto_k).reshape(-1)
    dataset = fit.dataset
    return pd.DataFrame({
        "claim_id": [c.claim_id for c in dataset.claims],
        "quantity_id": [c.quantity_id for c in dataset.claims],
        "source_id": [c.source_id for c in dataset.claims],
        "stance": [dataset.stance(c) for c in dataset.claims],
        "stated": [c.observation.describe() for c in dataset.claims],
        "ppc_pit": mid_pit,
        "ppc_tail_prob": tail,
        "pit_randomized": randomized,
        "loo_pareto_k": pareto_k,
        "outlier": tail < OUTLIER_TAIL_PROB,
        "influential": pareto_k > PARETO_K_BAD,
    })


def _flat(values: xr.DataArray) -> np.ndarray:
    """(chain, draw, ...) -> (chain*draw, ...)."""
    array = values.values
    return array.reshape(-1, *array.shape[2:])


def _standard_noise(config: ModelConfig):
    if config.noise.family == "student_t":
        return stats.t(config.noise.nu)
    return stats.norm()
