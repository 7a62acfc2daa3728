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

from reconcile.config import NoiseConfig


# Beyond this many scales PyMC's Student-t log-CDF (via betainc) loses accuracy (relative
# error 1e-2 at 1e6 scales, -inf past 1e8); the power-law tail is exact to O(1/z^2) there.
_T_TAIL_START = 1e3


def standard_logcdf(z, noise: NoiseConfig):
    """log F(z) for the standardized noise distribution (Student-t or normal)."""
    if noise.family == "normal":
        return pm.logcdf(pm.Normal.dist(mu=0.0, sigma=1.0), z)
    nu = noise.nu
    if nu == 4:
        return _student_t4_logcdf(z)
    in_body = pt.maximum(z, -_T_TAIL_START)
    in_tail = pt.minimum(z, -_T_TAIL_START)
    body = pm.logcdf(pm.StudentT.dist(nu=nu, mu=0.0, sigma=1.0), in_body)
    tail = _student_t_log_tail_constant(nu) - nu * pt.log(-in_tail)
    return pt.switch(z < -_T_TAIL_START, tail, body)


def _student_t4_logcdf(z):
    """log F(z) of Student's t with 4 degrees of freedom (the default noise), in closed form.

    The general form needs the incomplete beta function (a series, the costliest part of
    the model's gradient); for nu = 4 it is elementary. With a = |z|, x = 4 / (4 + a^2),
    s = sqrt(1 - x) = a / hypot(2, a) and e = 1 - s = x / (1 + s) (no cancellation):
    F(-a) = I_x(2, 1/2) / 2 = e^2 (3 - e) / 4, accurate from the centre to a ~ 1e150.
    The upper half is log1p(-F(-a))."""
    a = pt.switch(z <= 0, -z, z)  # |z| with the right gradient at 0
    huge = a > pt.constant(1e100, dtype="float64")
    radius = pt.switch(huge, a, pt.sqrt(4.0 + pt.switch(huge, 0.0, a) ** 2))  # hypot(2, a)
    log_e = 2.0 * (np.log(2.0) - pt.log(radius)) - pt.log1p(a / radius)
    log_lower = 2.0 * log_e + pt.log(3.0 - pt.exp(log_e)) - np.log(4.0)
    return pt.switch(z <= 0, log_lower, pt.log1p(-pt.exp(log_lower)))


def _student_t_log_tail_constant(nu: float) -> float:
    """log of C in F(z) ~ C |z|^-nu as z -> -inf, C = c nu^((nu-1)/2), c the density's
    normalizing constant Gamma((nu+1)/2) / (sqrt(nu pi) Gamma(nu/2))."""
    from scipy.special import gammaln

    return float(gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * np.log(nu * np.pi)
                 + (nu - 1) / 2 * np.log(nu))


def standard_logpdf(z, noise: NoiseConfig):
    if noise.family == "student_t":
        return pm.logp(pm.StudentT.dist(nu=noise.nu, mu=0.0, sigma=1.0), z)
    return pm.logp(pm.Normal.dist(mu=0.0, sigma=1.0), z)


def interval_logp(loc, scale, lower, upper, has_lower, has_upper, noise: NoiseConfig):
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
    top = pt.switch(has_top, standard_logcdf(z_top, noise), 0.0)
    bottom = pt.switch(has_bottom, standard_logcdf(z_bottom, noise), -np.inf)
    return pm.math.logdiffexp(top, bottom)


def point_log_density(loc, scale, log_value, noise: NoiseConfig):
    """Density of a stated count y >= 1 on the count scale: f(log y) / y (naive variant)."""
    z = (log_value - loc) / scale
    return standard_logpdf(z, noise) - pt.log(scale) - log_value
