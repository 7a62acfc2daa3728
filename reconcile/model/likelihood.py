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
    return pm.math.logdiffexp(top, bottom)


def point_log_density(loc, scale, log_value, noise: NoiseFamily):
    """Density of a stated count y >= 1 on the count scale: f(log y) / y (naive variant)."""
    z = (log_value - loc) / scale
    return noise.logpdf(z) - pt.log(scale) - log_value
