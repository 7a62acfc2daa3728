"""Per-claim model checks: posterior predictive tail probability, PIT, LOO Pareto k.

A claim is an interval observation of what its source would state (see
model/likelihood.py), so the predictive check is computed from the predictive distribution
of that statement in closed form, draw by draw (Rao-Blackwellized): for claim i,

    PIT_i = E[ F(lower_i) + u * (F(upper_i) - F(lower_i)) ]

where F is the predictive CDF of the log statement in one posterior draw. With u = 1/2 (the
mid-PIT) a claim right in the middle of the predictive gets 0.5; the two-sided tail
probability ``2 min(PIT, 1 - PIT)`` says how surprising the claim is given the estimate and
the source's bias. With u uniform, PITs of a well-specified model are uniform, which the PPC
plot checks. Pareto k comes from the claims' PSIS-LOO (psis.py: ArviZ's numbers, vectorized).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from reconcile.analysis.psis import claim_loo
from reconcile.config import ModelConfig
from reconcile.constants import PARETO_K_BAD
from reconcile.config import STANCES
from reconcile.model.build import claim_location, claim_scale, clean_reading
from reconcile.model.direction import claim_directions, directed_cdf
from reconcile.model.inputs import ModelInputs
from reconcile.model.noise import NoiseFamily, noise_family
from reconcile.model.tolls import Curves, clean_share, count_reading

if TYPE_CHECKING:
    from reconcile.inference import Fit

OUTLIER_TAIL_PROB = 0.01


# Claims per block of the predictive computation: (draws x claims) arrays of 2,000 claims
# take 64 MB at 4,000 draws, where all 100,000 claims of a large archive would take 3 GB each.
CLAIMS_PER_BLOCK = 2_000


@dataclass(frozen=True)
class _PredictiveDraws:
    """The fit's draws that the claims' predictive distributions need, flattened once."""

    inputs: ModelInputs
    config: ModelConfig
    log_count: np.ndarray
    stance: np.ndarray
    source_bias: np.ndarray
    noise_scale: np.ndarray
    to_date: np.ndarray | float  # per draw and claim: log(toll to date / final toll)

    @classmethod
    def of(cls, fit: Fit) -> _PredictiveDraws:
        posterior = fit.idata.posterior
        to_date = 0.0
        if fit.inputs.tolls.ids:
            to_date = fit.inputs.tolls.fraction(Curves.from_draws(posterior, fit.config, _flat))
        return cls(fit.inputs, fit.config,
                   _flat(np.log(posterior["count"])),
                   _flat(posterior["stance_bias"].transpose("chain", "draw", "stance")),
                   _flat(posterior["source_bias"]), _flat(posterior["noise_scale"]), to_date)

    def cdf_bounds(self, claims: slice) -> tuple[np.ndarray, np.ndarray]:
        """Per draw and claim of the ``claims`` slice: predictive probability below the
        claim's interval, and inside it; arrays of shape (draws, claims)."""
        inputs, obs = self.inputs, self.inputs.observations
        config = self.config
        stance = inputs.claim_stance[claims]
        index = SimpleNamespace(claim_quantity=inputs.claim_quantity[claims],
                                claim_stance=stance, claim_source=inputs.claim_source[claims],
                                claim_direction=claim_directions(stance, config))
        to_date = self.to_date[:, claims] if np.ndim(self.to_date) else 0.0
        reading = count_reading(inputs.tolls.claim_dated[claims], stance, config)
        loc = claim_location(self.log_count, self.stance, self.source_bias, index,
                             config.bias.direction_softness, to_date, reading)
        scale = claim_scale(self.noise_scale, obs.extra_variance[claims], index)
        cdf = _PredictiveCdf(noise_family(config.noise), index.claim_direction,
                             config.bias.direction_far_scale)
        below, up_to_upper = _statement_cdfs(obs, claims, loc, scale, cdf)
        share = clean_share(inputs.tolls.claim_dated[claims], stance, config)
        if share.any():  # a count to date: clean with probability share (tolls.clean_share)
            clean_loc, clean_scale = clean_reading(self.log_count, self.noise_scale,
                                                   obs.extra_variance[claims], index, config,
                                                   to_date)
            undirected = _PredictiveCdf(cdf.noise, np.zeros_like(index.claim_direction), 1.0)
            clean_below, clean_up = _statement_cdfs(obs, claims, clean_loc, clean_scale,
                                                    undirected)
            below = (1 - share) * below + share * clean_below
            up_to_upper = (1 - share) * up_to_upper + share * clean_up
        # an own-side statement is a blanket denial (0, below every bound) with probability
        # denial_rate: the predictive CDF at a bound above 0 is rate + (1 - rate) * F
        rate = np.where(stance == STANCES.index("own"), config.readings.denial_rate, 0.0)
        below = np.where(obs.has_lower[claims] == 1, rate + (1 - rate) * below, below)
        up_to_upper = rate + (1 - rate) * up_to_upper
        return below, up_to_upper - below


def claim_checks(fit: Fit, seed: int = 0, loo=None) -> pd.DataFrame:
    """One row per claim: mid-PIT, tail probability, randomized PIT, Pareto k, outlier flag.
    ``loo``: the claims' PSIS-LOO (psis.claim_loo), when the caller has it already."""
    n_claims = len(fit.dataset.claims)
    mid_pit, randomized = np.empty(n_claims), np.empty(n_claims)
    uniform = np.random.default_rng(seed).uniform(size=n_claims)
    draws = _PredictiveDraws.of(fit)
    for start in range(0, n_claims, CLAIMS_PER_BLOCK):
        block = slice(start, start + CLAIMS_PER_BLOCK)
        below, inside = draws.cdf_bounds(block)
        mid_pit[block] = (below + 0.5 * inside).mean(axis=0)
        randomized[block] = (below + uniform[block] * inside).mean(axis=0)
    tail = 2 * np.minimum(mid_pit, 1 - mid_pit)
    if loo is None:
        loo = claim_loo(fit.idata)
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


@dataclass(frozen=True)
class _PredictiveCdf:
    """The CDF of each claim's standardized statement noise (directional where the claim's
    stance is: direction.py)."""

    noise: NoiseFamily
    direction: np.ndarray  # per claim of the block
    far_scale: float

    def __call__(self, z: np.ndarray, columns: np.ndarray) -> np.ndarray:
        return directed_cdf(self.noise, z, self.direction[columns], self.far_scale)


def _statement_cdfs(obs, claims: slice, loc: np.ndarray, scale: np.ndarray,
                    cdf: _PredictiveCdf) -> tuple[np.ndarray, np.ndarray]:
    """Predictive CDF at each claim's lower and upper bound, (draws, claims)."""
    return (_cdf_where_bounded(obs.lower[claims], obs.has_lower[claims], loc, scale, cdf,
                               open_value=0.0),
            _cdf_where_bounded(obs.upper[claims], obs.has_upper[claims], loc, scale, cdf,
                               open_value=1.0))


def _cdf_where_bounded(bound: np.ndarray, has_bound: np.ndarray, loc: np.ndarray,
                       scale: np.ndarray, cdf: _PredictiveCdf, open_value: float) -> np.ndarray:
    """Predictive CDF at each claim's bound, (draws, claims); ``open_value`` where the claim
    has no such bound, whose CDF is then never computed (at 100,000 claims and 1,000 draws
    each skipped column saves 1,000 evaluations)."""
    values = np.full(loc.shape, open_value)
    bounded = has_bound == 1
    values[:, bounded] = cdf((bound[bounded] - loc[:, bounded]) / scale[:, bounded], bounded)
    return values
