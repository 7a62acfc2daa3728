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

from reconcile.model.noise import NoiseFamily


def reading_logp(loc, scale, lower, upper, has_lower, has_upper, above, below,
                 noise: NoiseFamily):
    """log of the likelihood of each claim's reading (observations.Reading): the
    probability that the statement X lies in [lower, upper] (the near range), plus
    ``above`` times its probability of lying above ``upper`` and ``below`` times that of
    lying below ``lower``, the literal readings, each decaying as the statement lies further
    out (a speaker rarely states a bound far from their belief): by 1 / (1 + belief / near
    end) at the statement's location (a softplus of the log-scale distance, smooth for the
    sampler; the simulator selects claims with the same function, so calibration is
    exact). ``above``/``below`` 0: no such reading."""
    inside = interval_logp(loc, scale, lower, upper, has_lower, has_upper, noise)
    has_above = pt.eq(has_upper, 1) & (above > 0)
    has_below = pt.eq(has_lower, 1) & (below > 0)
    z_above = pt.switch(has_above, (loc - upper) / scale, 0.0)  # P(X > upper) = F(-z_upper)
    z_below = pt.switch(has_below, (lower - loc) / scale, 0.0)
    beyond_above = pt.switch(
        has_above, pt.log(pt.switch(has_above, above, 1.0)) + noise.logcdf(z_above)
        - pt.softplus(loc - upper), -np.inf)
    beyond_below = pt.switch(
        has_below, pt.log(pt.switch(has_below, below, 1.0)) + noise.logcdf(z_below)
        - pt.softplus(lower - loc), -np.inf)
    return pt.logsumexp(pt.stack([inside, beyond_above, beyond_below]), axis=0)


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
