"""Log-probability that a source's latent statement falls in a claim's interval.

Every claim is an interval observation of the log of what its source would state:
a stated whole count y is [y-0.5, y+0.5] (rounding), "more than X" is [X+0.5, inf), a range or
vague word is [low-0.5, high+0.5]. The probability F(U) - F(L) is computed on the log scale
without cancellation: when the interval lies above the location the mirrored (upper-tail) form
is used, and logdiffexp combines the two log-CDFs. Infinite bounds never enter the graph: they
are masked, so gradients stay finite however far a bound is from the estimate.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from reconcile.config import ModelConfig
from reconcile.model.direction import directed_draws
from reconcile.model.noise import NoiseFamily, noise_family


def claim_likelihood(name: str, loc, scale, claim, far_scale, config: ModelConfig,
                     stated: np.ndarray):
    """The claims' observed distribution in the model: ``claim`` holds the claim rows
    (model/build.CLAIM_ROWS). Its log-probability is each claim's reading (reading_logp),
    with a party's blanket denial of its own losses as a mixture: an own-side statement is an
    exact 0 whatever the count with probability ``readings.denial_rate``, so an exact 0 from
    it has likelihood rate + (1 - rate) L and its other claims (1 - rate) L; times the
    claim's evidence weight. Its draws are what the sources would state, the same process."""
    noise = noise_family(config.noise)
    rate = config.readings.denial_rate

    def claim_logp(value, loc, scale, lower, upper, has_lower, has_upper, is_point, above,
                   below, direction, far_scale, own, weight):
        logp = reading_logp(loc, scale, lower, upper, has_lower, has_upper, above, below,
                            direction, noise, far_scale, config.readings.literal_decay)
        if config.noise.rounding == "density":
            density = point_log_density(loc, scale, (lower + upper) / 2, noise)
            logp = pt.switch(pt.eq(is_point, 1), density, logp)
        # a stated 0: a point whose rounding interval has no lower end. Not ``value == 0``:
        # a refit swaps in other claims' bounds (CLAIM_DATA), never the observed values
        denial = pt.eq(own, 1) & pt.eq(is_point, 1) & pt.eq(has_lower, 0)
        logp = pt.switch(denial, pt.logaddexp(np.log(rate), np.log1p(-rate) + logp),
                         logp + pt.eq(own, 1) * np.log1p(-rate))
        return weight * logp

    def claim_statement(loc, scale, lower, upper, has_lower, has_upper, is_point, above,
                        below, direction, far_scale, own, weight, size):
        """What the source would state: a whole count drawn from its noise model
        (symbolic, so prior and posterior predictive sampling compile like the rest)."""
        draws = directed_draws(noise.dist(size), direction, far_scale,
                               pm.Uniform.dist(0.0, 1.0, size=size))
        statement = pt.round(pt.exp(pt.clip(loc + scale * draws, -50.0, 50.0)))
        denies = pt.eq(own, 1) & (pm.Uniform.dist(0.0, 1.0, size=size) < rate)
        return pt.switch(denies, 0.0, statement)

    return pm.CustomDist(
        name, loc, scale, claim.lower, claim.upper, claim.has_lower, claim.has_upper,
        claim.is_point, claim.above, claim.below, claim.direction,
        far_scale * pt.ones_like(claim.direction), claim.own, claim.weight,
        logp=claim_logp, dist=claim_statement, observed=stated, dims="claim",
    )


def reading_logp(loc, scale, lower, upper, has_lower, has_upper, above, below, direction,
                 noise: NoiseFamily, far_scale: float, decay: float = 2.0):
    """log of the likelihood of each claim's reading (observations.Reading): the
    probability that the statement X lies in [lower, upper] (the near range), plus
    ``above`` times its probability of lying above ``upper`` and ``below`` times that of
    lying below ``lower``, the literal readings, each decaying as the statement lies further
    out (a speaker rarely states a bound far from their belief): by (1 + belief / near
    end)^-decay at the statement's location (a softplus of the log-scale distance, smooth for the
    sampler; the simulator selects claims with the same function, so calibration is
    exact). ``above``/``below`` 0: no such reading. ``direction``: each claim's side of the
    belief (direction.py), the noise's scale beyond it ``far_scale`` times its own."""
    def probability(low, high, has_low, has_high):
        return directed_interval_logp(loc, scale, low, high, has_low, has_high, direction,
                                      noise, far_scale)

    inside = probability(lower, upper, has_lower, has_upper)
    has_above = pt.eq(has_upper, 1) & (above > 0)
    has_below = pt.eq(has_lower, 1) & (below > 0)
    open_bound = pt.zeros_like(loc)
    above_upper = probability(upper, open_bound, has_above, open_bound)  # P(X > upper)
    below_lower = probability(open_bound, lower, open_bound, has_below)  # P(X < lower)
    beyond_above = pt.switch(
        has_above, pt.log(pt.switch(has_above, above, 1.0)) + above_upper
        - decay * pt.softplus(loc - upper), -np.inf)
    beyond_below = pt.switch(
        has_below, pt.log(pt.switch(has_below, below, 1.0)) + below_lower
        - decay * pt.softplus(lower - loc), -np.inf)
    return pt.logsumexp(pt.stack([inside, beyond_above, beyond_below]), axis=0)


def directed_interval_logp(loc, scale, lower, upper, has_lower, has_upper, direction,
                           noise: NoiseFamily, far_scale: float):
    """log P(lower <= X <= upper) under directional noise (direction.py): where
    ``direction`` is 0 the noise's own; elsewhere a two-piece noise, of ``scale`` on the
    direction's side of ``loc`` and ``far_scale * scale`` beyond it, its density continuous
    at ``loc`` (so the likelihood has no step for the sampler to trip on): the interval's
    part on each side, each side's probability folded (doubled) and weighted 1 : far_scale."""
    # an undirected claim is the two-piece noise with equal scales (far scale 1): its two
    # sides add up to the noise's own probability, without a third evaluation
    has_lower = pt.eq(has_lower, 1)
    has_upper = pt.eq(has_upper, 1)
    down = direction <= 0
    far_scale = pt.switch(pt.eq(direction, 0), 1.0, far_scale)
    near = pt.log(2.0 / (1.0 + far_scale)) + _one_side_logp(
        loc, scale, lower, upper, has_lower, has_upper, down, noise)
    far = pt.log(2.0 * far_scale / (1.0 + far_scale)) + _one_side_logp(
        loc, far_scale * scale, lower, upper, has_lower, has_upper, ~down, noise)
    return pt.logsumexp(pt.stack([near, far]), axis=0)


def _one_side_logp(loc, scale, lower, upper, has_lower, has_upper, below, noise: NoiseFamily):
    """log P(X in [lower, upper] and on one side of ``loc``: ``below`` it, or above it)
    for X = loc + scale * noise; -inf where no part of the interval is on that side."""
    # the interval clipped to that side: its upper end at most loc (loc where open), or its
    # lower end at least loc
    clipped_lower = pt.switch(below, pt.minimum(lower, loc),
                              pt.switch(has_lower, pt.maximum(lower, loc), loc))
    clipped_upper = pt.switch(below, pt.switch(has_upper, pt.minimum(upper, loc), loc),
                              pt.maximum(upper, loc))
    # nothing of the interval on that side: a stand-in interval keeps the gradient finite,
    # the switch below discards it
    empty = pt.switch(below, has_lower & (lower >= loc), has_upper & (upper <= loc))
    clipped_lower = pt.switch(empty, loc - 1.0, clipped_lower)
    clipped_upper = pt.switch(empty, loc, clipped_upper)
    logp = interval_logp(loc, scale, clipped_lower, clipped_upper,
                         has_lower | ~below | empty, has_upper | below | empty, noise)
    return pt.switch(empty, -np.inf, logp)


def interval_logp(loc, scale, lower, upper, has_lower, has_upper, noise: NoiseFamily):
    """log P(lower <= X <= upper) for X = loc + scale * noise, elementwise.

    ``has_lower``/``has_upper`` are 0/1 masks; where a mask is 0 the bound is ignored (open).
    """
    has_lower = pt.eq(has_lower, 1)
    has_upper = pt.eq(has_upper, 1)
    z_low = pt.switch(has_lower, (lower - loc) / scale, 0.0)
    z_high = pt.switch(has_upper, (upper - loc) / scale, 0.0)
    # log(F(z_high) - F(z_low)); when the interval lies above the location, the mirrored
    # log(F(-z_low) - F(-z_high)) instead, so that both CDFs are taken in the lower half
    # where their logs are accurate. Two log-CDFs per claim, whichever form is used.
    mirror = has_lower & (z_low > 0)
    has_top = pt.switch(mirror, has_lower, has_upper)
    has_bottom = pt.switch(mirror, has_upper, has_lower)
    z_top = pt.switch(mirror, -z_low, z_high)
    z_bottom = pt.switch(mirror, -z_high, z_low)
    top = pt.switch(has_top, noise.logcdf(z_top), 0.0)
    bottom = pt.switch(has_bottom, noise.logcdf(z_bottom), -np.inf)
    # An interval far narrower than the noise (a stated figure when a sampler tries a huge
    # noise scale) leaves F(top) - F(bottom) below the rounding of F: its probability is then
    # the density at the midpoint times the width (relative error ~ width^2, < 1e-8 here).
    width = z_high - z_low
    narrow = has_lower & has_upper & (width < NARROW)
    midpoint = noise.logpdf(pt.switch(narrow, (z_high + z_low) / 2, 0.0)) + pt.log(
        pt.switch(narrow, width, 1.0))
    return pt.switch(narrow, midpoint, pm.math.logdiffexp(top, bottom))


NARROW = 1e-4  # interval widths, in noise scales, below which the midpoint rule is used


def point_log_density(loc, scale, log_value, noise: NoiseFamily):
    """Density of a stated count y >= 1 on the count scale: f(log y) / y (naive variant)."""
    z = (log_value - loc) / scale
    return noise.logpdf(z) - pt.log(scale) - log_value
