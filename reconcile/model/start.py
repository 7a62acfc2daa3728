"""Where an optimiser starts: every leaf count near what the claims about it say.

With Student-t noise a claim far from the truth has bounded pull (that is its robustness), so
a posterior whose only evidence is far from the pooled prior's centre has two modes: one
where the claim is believed and one where it is an outlier. An optimiser started at the
prior's centre settles in the second: mean-field ADVI put "hundreds of thousands dead in the
Syrian war" at 181 (56-563) while NUTS found 315,000 (39,000-1,200,000). Starting each
leaf's log count where its claims point puts the optimiser in the mode the data
support; the prior still decides how far it moves from there.
"""

from __future__ import annotations

import numpy as np

from reconcile.config import ModelConfig
from reconcile.model.inputs import ModelInputs

# a one-sided claim's centre: this far inside its open end, on the log scale (a factor 1.6)
ONE_SIDED_OFFSET = 0.5
# leaf log counts are Student-t(3) a priori; a start beyond this many sds is clipped to it
MAX_START_Z = 6.0


def claim_centres(inputs: ModelInputs) -> np.ndarray:
    """Log of the middle of each claim's reading (one-sided claims: a step inside)."""
    obs = inputs.observations
    has_lower, has_upper = obs.has_lower > 0, obs.has_upper > 0
    return np.where(has_lower & has_upper, (obs.lower + obs.upper) / 2,
                    np.where(has_lower, obs.lower + ONE_SIDED_OFFSET,
                             np.where(has_upper, obs.upper - ONE_SIDED_OFFSET, np.nan)))


def leaf_log_centres(inputs: ModelInputs) -> np.ndarray:
    """Each leaf's log count as the claims suggest: the median centre of its own claims, or
    else of its smallest claimed ancestor's shared equally among that ancestor's leaves; NaN
    where no claim is about the leaf or anything above it."""
    centres = claim_centres(inputs)
    n_quantities = len(inputs.quantity_ids)
    quantity_centre = np.full(n_quantities, np.nan)
    for q in range(n_quantities):
        mine = centres[(inputs.claim_quantity == q) & np.isfinite(centres)]
        if mine.size:
            quantity_centre[q] = np.median(mine)
    leaves_below = np.bincount(inputs.pair_quantity, minlength=n_quantities)
    result = np.full(len(inputs.leaf_ids), np.nan)
    for leaf in range(len(inputs.leaf_ids)):
        owners = inputs.pair_quantity[inputs.pair_leaf == leaf]
        claimed = owners[np.isfinite(quantity_centre[owners])]
        if claimed.size:
            nearest = claimed[np.argmin(leaves_below[claimed])]
            result[leaf] = quantity_centre[nearest] - np.log(leaves_below[nearest])
    return result


def data_informed_start(inputs: ModelInputs, config: ModelConfig) -> dict[str, np.ndarray]:
    """Initial values (PyMC's ``start``) for ``leaf_log``: each
    claimed leaf at its claims' centre, no further than MAX_START_Z prior sds (under the
    prior's central hyperparameters) from its prior mean; the prior mean for a leaf nothing
    is claimed about."""
    truth = config.truth
    if truth.pooling == "independent":
        mean, sd = np.full(len(inputs.leaf_ids), truth.mu), truth.sigma
    else:
        mean, sd = truth.intercept + truth.span_slope * inputs.leaf_log_span, truth.within_sd
    z = (leaf_log_centres(inputs) - mean) / sd
    leaf_start = mean + sd * np.clip(np.nan_to_num(z, nan=0.0), -MAX_START_Z, MAX_START_Z)
    return {"leaf_log": leaf_start + anchor_shift_at_start(inputs, config)}


def anchor_shift_at_start(inputs: ModelInputs, config: ModelConfig) -> np.ndarray:
    """log(T_anchor / T_leaf) of each leaf (model/counts.py) with every remainder ratio at
    its initial value, the centre of its prior: ``leaf_log`` holds the anchor's log count."""
    links = np.bincount(inputs.uplift_quantity, minlength=len(inputs.quantity_ids))
    growth = np.logaddexp(0.0, config.truth.remainder_log_ratio)  # softplus: log(1 + rho)
    return growth * (links[inputs.leaf_quantity] - links[inputs.leaf_anchor])
