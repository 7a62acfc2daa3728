"""The true counts' prior: leaves pooled by span and outcome, parents their children's sum
times (1 + a remainder ratio), each leaf sampled at its anchor.

A parent with one child is a ridge for NUTS when the claims pin the parent better than the
child. Written upward, log T_parent = log T_child + softplus(log rho), the pair (log T_child,
log rho) must move together along a curve: on the seed data, October's commanders (a blog's
3) inside the autumn's IRGC officers (Mashregh's 30) had a posterior correlation of -0.91,
and the seed run's slowest parameter was that remainder (tail ESS 359 of 8,000 draws). The
same model written downward from the parent, log T_child = log T_parent - softplus(log rho),
leaves log rho free where the parent is pinned. A shift by a function of the other variables
has Jacobian 1, so both are the same prior: sampling a leaf's anchor (the leaf or a
single-child ancestor, model/inputs.leaf_anchor) at Student-t(mean + shift) and
subtracting the shift gives the leaf Student-t(mean) exactly, and prior draws stay plain
draws (no potential).
"""

from __future__ import annotations

from types import SimpleNamespace

import pymc as pm
import pytensor.tensor as pt

from reconcile.config import ModelConfig
from reconcile.model.centring import boundary_avoiding_sd
from reconcile.model.inputs import ModelInputs

LOG_COUNT_LIMIT = 30.0


def true_counts(inputs: ModelInputs, config: ModelConfig, index: SimpleNamespace):
    """T for every quantity, built from the leaves up (one scatter-add).

    ``leaf_log`` holds, for each leaf, the log count of its anchor (the leaf itself unless a
    single-child ancestor carries more of the claims); the leaf's own log count is that
    minus the anchor's uplift over it. It is centred on its pooled prior, not mean + sd * z:
    claims pin nearly every leaf, and a pinned leaf's z moves as 1 / sd with the pooled sd, a
    ridge NUTS crosses slowly (seeds, 4 x 600 draws: slowest bulk ESS 121-200 -> 216-245,
    leapfrog steps 31-33 -> 19-21). A parent's count is the sum of its children's times
    (1 + rho) when it is not complete, rho being its remainder as a ratio of the children's
    sum; a complete parent has no remainder. Unrolled, T_q is the sum over the leaves l below
    q of T_l * exp(A(l) - A(q)), A(q) = sum of log(1 + rho) over q's strict ancestors. The
    remainder ratio has a log-logistic prior: finite, non-zero density at rho = 0 ("every
    death is in a listed battle" is plausible) and a Pareto tail above."""
    truth = config.truth
    n_quantities = len(inputs.quantity_ids)
    uplift = pt.zeros(n_quantities)
    if inputs.remainder_ids:
        log_ratio = pm.Logistic("remainder_log_ratio", mu=truth.remainder_log_ratio,
                                s=truth.remainder_scale, dims="remainder")
        pm.Deterministic("remainder_ratio", pt.exp(log_ratio), dims="remainder")
        log_growth = pt.softplus(log_ratio)  # log(1 + rho)
        uplift = pt.inc_subtensor(uplift[index.uplift_quantity],
                                  log_growth[index.uplift_remainder])
    # log(T_anchor / T_leaf): 0 where the leaf is its own anchor
    anchor_shift = uplift[index.leaf_quantity] - uplift[index.leaf_anchor]
    leaf_log_mean = _leaf_log_mean(inputs, config, index) + anchor_shift
    leaf_log_sd = _leaf_log_sd(config)
    if truth.pooling == "hierarchical":
        leaf_log = pm.StudentT("leaf_log", nu=truth.within_nu, mu=leaf_log_mean,
                               sigma=leaf_log_sd, dims="leaf")
    else:
        leaf_log = pm.Normal("leaf_log", leaf_log_mean, leaf_log_sd, dims="leaf")
    # clipped to counts of 1e-13 to 1e13: beyond, no war has a count, and exp over- or
    # underflows where a sampler's first steps can wander
    leaf_count = pt.exp(pt.clip(leaf_log - anchor_shift, -LOG_COUNT_LIMIT, LOG_COUNT_LIMIT))
    path_growth = pt.exp(uplift[index.leaf_quantity][index.pair_leaf]
                         - uplift[index.pair_quantity])
    total = pt.zeros(n_quantities)
    total = pt.inc_subtensor(total[index.pair_quantity], leaf_count[index.pair_leaf] * path_growth)
    return pm.Deterministic("count", total, dims="quantity")


def _leaf_log_mean(inputs: ModelInputs, config: ModelConfig, index: SimpleNamespace):
    """Prior mean of each leaf's log count: pooled by span and outcome (non-centred
    intercept and slope)."""
    truth = config.truth
    if truth.pooling == "independent":
        return truth.mu
    intercept = pm.Deterministic(
        "count_intercept", truth.intercept + truth.intercept_sd * pm.Normal("count_intercept_z"))
    slope = pm.Deterministic(
        "count_span_slope",
        truth.span_slope + truth.span_slope_sd * pm.Normal("count_span_slope_z"))
    if len(inputs.outcome_ids) > 1:
        outcome = pm.ZeroSumNormal("count_outcome", sigma=truth.outcome_sd, dims="outcome")
    else:
        outcome = pt.zeros(1)
    return intercept + slope * index.leaf_log_span + outcome[index.leaf_outcome]


def _leaf_log_sd(config: ModelConfig):
    truth = config.truth
    if truth.pooling == "independent":
        return truth.sigma
    return boundary_avoiding_sd("count_within_sd", truth.within_sd)
