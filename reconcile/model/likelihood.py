"""Log-probability that a source's latent statement falls in a claim's interval.

Every claim is an interval observation of the log of what its source would state:
a stated whole count y is [y-0.5, y+0.5] (rounding), "more than X" is [X+0.5, inf), a range or
vague word is [low-0.5, high+0.5]. The probability F(U) - F(L) is computed on the log scale
without cancellation: when the interval lies above the location the mirrored (upper-tail) form
is used, and logdiffexp combines the two log-CDFs. Infinite bounds never enter the graph: they
are masked, so gradients stay finite however far a bound is from the estimate.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from reconcile.config import ModelConfig
from reconcile.model.claim_kernel import NARROW, ClaimReadingLogp
from reconcile.model.clean_counts import clean_indicators, grouped_mixture_logp
from reconcile.model.direction import directed_draws
from reconcile.model.noise import NoiseFamily, noise_family


def claim_likelihood(name: str, loc, scale, claim, far_scale, config: ModelConfig,
                     stated: np.ndarray, mark_denials: bool = False, clean=None,
                     compiled_loop: bool = True, clean_groups: tuple = ()):
    """The claims' observed distribution in the model: ``claim`` holds the claim rows
    (model/build.CLAIM_ROWS). Its log-probability is each claim's reading (reading_logp),
    with a party's blanket denial of its own losses as a mixture: an own-side statement is an
    exact 0 whatever the count with probability ``readings.denial_rate``, so an exact 0 from
    it has likelihood rate + (1 - rate) L and its other claims (1 - rate) L; times the
    claim's evidence weight. ``clean``: for running tolls read with ``tolls.clean_share``,
    each claim's clean location and scale, its clean share and its group's lead claim, and
    ``clean_groups`` the rest of the CleanGroups (claims, cell, previous_cell, n_groups and
    width, as the model's tensors: the log-likelihood's alone, as a CustomDist's parameters
    must be one per claim); a group of counts to date is then a mixture of its reading and
    a clean one (clean_counts.py), in the likelihood and in the draws alike. Its draws are
    what the sources would state, the same process. ``compiled_loop``: compute the
    default reading with claim_kernel's loop (False for backends that compile the graph in
    JAX, which has no such loop)."""
    noise = noise_family(config.noise)
    rate = config.readings.denial_rate
    loop = (ClaimReadingLogp(config.readings.literal_decay, rate)
            if compiled_loop and has_compiled_loop(config) else None)

    def claim_logp(value, loc, scale, lower, upper, has_lower, has_upper, is_point, above,
                   below, direction, far_scale, own, weight, *clean_args):
        if loop is not None:
            logp = loop(loc, scale, lower, upper, has_lower, has_upper, is_point, above, below,
                        direction, far_scale, own, weight)[0]
            if not clean_args:
                return logp
            undirected = pt.zeros_like(direction)  # the clean reading: no side, no denial
            clean_logp = loop(*clean_args[:2], lower, upper, has_lower, has_upper, is_point,
                              above, below, undirected, far_scale, undirected, weight)[0]
            return grouped_mixture_logp(logp, clean_logp, clean_args[2], *clean_groups)
        if clean_args:
            logp, clean_logp = _two_readings(loc, scale, lower, upper, has_lower, has_upper,
                                             above, below, direction, far_scale, noise,
                                             config.readings.literal_decay, *clean_args[:2])
        else:
            logp = reading_logp(loc, scale, lower, upper, has_lower, has_upper, above, below,
                                direction, noise, far_scale, config.readings.literal_decay)
        if config.noise.rounding == "density":
            density = point_log_density(loc, *directed_scales(scale, direction, far_scale),
                                        (lower + upper) / 2, noise)
            logp = pt.switch(pt.eq(is_point, 1), density, logp)
        # a stated 0: a point whose rounding interval has no lower end. Not ``value == 0``:
        # a refit swaps in other claims' bounds (CLAIM_DATA), never the observed values
        denial = pt.eq(own, 1) & pt.eq(is_point, 1) & pt.eq(has_lower, 0)
        logp = pt.switch(denial, pt.logaddexp(np.log(rate), np.log1p(-rate) + logp),
                         logp + pt.eq(own, 1) * np.log1p(-rate))
        if clean_args:  # counts to date: never a party's own, so no denial
            return grouped_mixture_logp(weight * logp, weight * clean_logp, clean_args[2],
                                        *clean_groups)
        return weight * logp

    return pm.CustomDist(
        name, loc, scale, claim.lower, claim.upper, claim.has_lower, claim.has_upper,
        claim.is_point, claim.above, claim.below, claim.direction,
        far_scale * pt.ones_like(claim.direction), claim.own, claim.weight,
        *(() if clean is None else clean),
        logp=claim_logp, dist=statement_draws(config, mark_denials), observed=stated, dims="claim",
    )


def has_compiled_loop(config: ModelConfig) -> bool:
    """Whether claim_kernel's loop computes ``config``'s reading: Student-t(4) noise read by
    intervals (the default); other families and the density rounding keep the graph."""
    return (config.noise.family == "student_t" and config.noise.nu == 4
            and config.noise.rounding == "interval")


def statement_draws(config: ModelConfig, mark_denials: bool = False):
    """The claims' draws as a function of their parameters and a size: what each source would
    state, a whole count drawn from its noise model (symbolic, so prior and posterior
    predictive sampling compile like the rest). The parameters may carry a leading axis of
    posterior draws (inference/predictive.py draws them all at once)."""
    noise = noise_family(config.noise)
    rate = config.readings.denial_rate

    def claim_statement(loc, scale, lower, upper, has_lower, has_upper, is_point, above,
                        below, direction, far_scale, own, weight, *rest):
        *clean_args, size = rest
        draws = directed_draws(noise.dist(size), direction, far_scale,
                               pm.Uniform.dist(0.0, 1.0, size=size))
        log_statement = loc + scale * draws
        if clean_args:
            clean_loc, clean_scale, share, lead = clean_args
            is_clean = clean_indicators(pm.Uniform.dist(0.0, 1.0, size=size), share, lead)
            log_statement = pt.switch(is_clean, clean_loc + clean_scale * noise.dist(size),
                                      log_statement)
        statement = pt.round(pt.exp(pt.clip(log_statement, -50.0, 50.0)))
        denies = pt.eq(own, 1) & (pm.Uniform.dist(0.0, 1.0, size=size) < rate)
        return pt.switch(denies, DENIAL if mark_denials else 0.0, statement)

    return claim_statement


def _two_readings(loc, scale, lower, upper, has_lower, has_upper, above, below, direction,
                  far_scale, noise, decay, clean_loc, clean_scale):
    """Each claim's general reading and its clean one (no bias, a narrow noise, undirected:
    the figure is what was counted; clean_counts.py), from one reading_logp on the claims
    stacked twice, so the graph keeps its size."""
    def twice(x):
        return pt.concatenate([x, x])

    both = reading_logp(pt.concatenate([loc, clean_loc]), pt.concatenate([scale, clean_scale]),
                        twice(lower), twice(upper), twice(has_lower), twice(has_upper),
                        twice(above), twice(below),
                        pt.concatenate([direction, pt.zeros_like(direction)]), noise,
                        twice(far_scale), decay)
    n = loc.shape[0]
    return both[:n], both[n:]


# A blanket denial among the simulator's drawn statements (a model built with mark_denials):
# an exact 0 whatever the claim's qualifier (a denial is "no one was killed", never "at most
# 5" or "dozens"), marked apart from a 0 that the noise rounded to, which a bound or a vague
# word can hold (simulate.observe reads the mark). Predictive draws elsewhere state 0.
DENIAL = -1.0


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
    belief (direction.py), the noise's scale beyond it ``far_scale`` times its own.

    One log-CDF per bound serves all three terms (tails_at): the gradient of the noise's
    log-CDF is most of the model's graph, and a graph of twelve (one per side, bound and
    term) took PyTensor's rewrites 100 s to compile."""
    scale_below, scale_above = directed_scales(scale, direction, far_scale)
    low = tails_at(lower, has_lower, -np.inf, loc, scale_below, scale_above, noise)
    high = tails_at(upper, has_upper, np.inf, loc, scale_below, scale_above, noise)
    inside = _interval_from_tails(loc, lower, upper, has_lower, has_upper, low, high,
                                  scale_below, scale_above, noise)
    has_above = pt.eq(has_upper, 1) & (above > 0)
    has_below = pt.eq(has_lower, 1) & (below > 0)
    beyond_above = pt.switch(
        has_above, pt.log(pt.switch(has_above, above, 1.0)) + high.log_sf  # P(X > upper)
        - decay * pt.softplus(loc - upper), -np.inf)
    beyond_below = pt.switch(
        has_below, pt.log(pt.switch(has_below, below, 1.0)) + low.log_cdf  # P(X < lower)
        - decay * pt.softplus(lower - loc), -np.inf)
    return pt.logsumexp(pt.stack([inside, beyond_above, beyond_below]), axis=0)


def directed_scales(scale, direction, far_scale: float):
    """The noise's scale below and above the belief: ``far_scale`` times ``scale`` on the far
    side of a directed claim (above a floor's belief, below a ceiling's), ``scale`` elsewhere."""
    far = pt.as_tensor(far_scale, dtype="float64")
    return (scale * pt.switch(direction > 0, far, 1.0),
            scale * pt.switch(direction < 0, far, 1.0))


def directed_interval_logp(loc, scale, lower, upper, has_lower, has_upper, direction,
                           noise: NoiseFamily, far_scale: float):
    """log P(lower <= X <= upper) under directional noise (direction.py): where
    ``direction`` is 0 the noise's own; elsewhere a two-piece noise, of ``scale`` on the
    direction's side of ``loc`` and ``far_scale * scale`` beyond it, its density continuous
    at ``loc`` (so the likelihood has no step for the sampler to trip on)."""
    scale_below, scale_above = directed_scales(scale, direction, far_scale)
    return two_piece_interval_logp(loc, scale_below, scale_above, lower, upper, has_lower,
                                   has_upper, noise)


def interval_logp(loc, scale, lower, upper, has_lower, has_upper, noise: NoiseFamily):
    """log P(lower <= X <= upper) for X = loc + scale * noise, elementwise.

    ``has_lower``/``has_upper`` are 0/1 masks; where a mask is 0 the bound is ignored (open).
    """
    return two_piece_interval_logp(loc, scale, scale, lower, upper, has_lower, has_upper,
                                   noise)


def two_piece_interval_logp(loc, scale_below, scale_above, lower, upper, has_lower,
                            has_upper, noise: NoiseFamily):
    """log P(lower <= X <= upper) for X of the two-piece noise about ``loc``: the noise's
    density at ``scale_below`` below it and at ``scale_above`` above, joined continuously."""
    low = tails_at(lower, has_lower, -np.inf, loc, scale_below, scale_above, noise)
    high = tails_at(upper, has_upper, np.inf, loc, scale_below, scale_above, noise)
    return _interval_from_tails(loc, lower, upper, has_lower, has_upper, low, high,
                                scale_below, scale_above, noise)


class Tails(NamedTuple):
    """log P(X < x) and log P(X > x) at a bound x."""

    log_cdf: object
    log_sf: object


def tails_at(x, has_x, open_end: float, loc, scale_below, scale_above,
             noise: NoiseFamily) -> Tails:
    """Both tails of the two-piece noise at ``x`` from one log-CDF, each accurate: the tail
    beyond x on its own side of ``loc`` is that side's weight (2 s / (s_below + s_above))
    times F(-|z|), z in that side's scale, and the other is log(1 - it) (at most 2/3 for a
    far scale of 1/2, so no cancellation). Where ``has_x`` is 0 the bound is open, at
    ``open_end`` (-inf or +inf), and x never enters the graph: gradients stay finite."""
    has_x = pt.eq(has_x, 1)
    x = pt.switch(has_x, x, loc)
    is_above = x > loc
    side_scale = pt.switch(is_above, scale_above, scale_below)
    z = (x - loc) / side_scale
    own_tail = (pt.log(2.0 * side_scale / (scale_below + scale_above))
                + noise.logcdf(pt.switch(is_above, -z, z)))
    other_tail = pt.log1mexp(own_tail)
    log_cdf = pt.switch(is_above, other_tail, own_tail)
    log_sf = pt.switch(is_above, own_tail, other_tail)
    below_open = open_end < 0  # an open lower bound is -inf: nothing below it, all above
    return Tails(pt.switch(has_x, log_cdf, -np.inf if below_open else 0.0),
                 pt.switch(has_x, log_sf, 0.0 if below_open else -np.inf))


def _interval_from_tails(loc, lower, upper, has_lower, has_upper, low: Tails, high: Tails,
                         scale_below, scale_above, noise: NoiseFamily):
    """log P(lower <= X <= upper) from the bounds' tails: an interval above ``loc`` as the
    difference of its upper tails (both small, so their logs are accurate), any other as
    the difference of lower ones."""
    has_lower = pt.eq(has_lower, 1)
    has_upper = pt.eq(has_upper, 1)
    above_loc = has_lower & (lower > loc)
    logp = pt.switch(above_loc, pm.math.logdiffexp(low.log_sf, high.log_sf),
                     pm.math.logdiffexp(high.log_cdf, low.log_cdf))
    # An interval far narrower than the noise (a stated figure when a sampler tries a huge
    # noise scale) leaves F(top) - F(bottom) below the rounding of F: its probability is then
    # the density at the midpoint times the width (relative error ~ width^2, < 1e-8 here).
    both = has_lower & has_upper
    middle = pt.switch(both, (lower + upper) / 2, loc)
    width = pt.switch(both, upper - lower, 1.0)
    side_scale = pt.switch(middle > loc, scale_above, scale_below)
    narrow = both & (width < NARROW * side_scale)
    midpoint = (pt.log(2.0 / (scale_below + scale_above))
                + noise.logpdf(pt.switch(narrow, (middle - loc) / side_scale, 0.0))
                + pt.log(pt.switch(narrow, width, 1.0)))
    return pt.switch(narrow, midpoint, logp)


def point_log_density(loc, scale_below, scale_above, log_value, noise: NoiseFamily):
    """Density of a stated count y >= 1 on the count scale: f(log y) / y (naive variant),
    f the two-piece noise's density (tails_at)."""
    side_scale = pt.switch(log_value > loc, scale_above, scale_below)
    z = (log_value - loc) / side_scale
    return noise.logpdf(z) + pt.log(2.0 / (scale_below + scale_above)) - log_value
