"""The per-claim predictive checks' arithmetic, against SciPy computed the plain way."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from reconcile.analysis.ppc import _PredictiveDraws
from reconcile.model.noise import noise_family
from reconcile.config import NoiseConfig


@pytest.mark.parametrize("noise, reference", [
    (NoiseConfig(), stats.t(4)),
    (NoiseConfig(nu=7.0), stats.t(7)),
    (NoiseConfig(family="normal"), stats.norm()),
])
def test_standard_cdf_matches_scipy_from_centre_to_far_tails(noise, reference):
    """The closed-form t(4) CDF (and the SciPy ufuncs for the rest) against scipy.stats,
    from 1e-8 to 1e12 scales either side and at the infinities. Tolerances: 1e-15 absolute
    (a double near 1 is spaced 1.1e-16 apart, a few roundings) and 1e-13 relative where
    the CDF is in the lower tail, which is what the PIT of a far-off claim reads."""
    magnitudes = np.logspace(-8, 12, 2001)
    z = np.concatenate([-magnitudes[::-1], [0.0], magnitudes, [-np.inf, np.inf]])
    ours, theirs = noise_family(noise).cdf(z), reference.cdf(z)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-15)
    lower = theirs > 0
    np.testing.assert_allclose(ours[lower & (z < 0)], theirs[lower & (z < 0)], rtol=1e-13)
    assert ours[-2] == 0.0 and ours[-1] == 1.0 and ours[2001] == 0.5


def test_predictive_bounds_equal_scipy_on_every_claim(hostile_run):
    """cdf_bounds on the hostile dataset's claims (points, 'more than', 'fewer than',
    ranges, vague words) equals the direct computation: scipy's t(4) CDF at both bounds of
    every claim, two-piece on a directed claim's side (a floor: 2/(1+k) F(z) below 0,
    1 - 2k/(1+k) F(-z/k) above; a ceiling mirrored), an own claim's blanket denials (a mass
    of denial_rate at 0) added, open bounds replaced by 0 and 1 afterwards. Under the
    default readings and read literally (where "more than" has no upper bound)."""
    from dataclasses import replace

    from reconcile.config import STANCES, ReadingConfig
    from reconcile.model.build import claim_location, claim_scale, with_directions
    from reconcile.model.inputs import ModelInputs

    fit = hostile_run.result.fit
    pragmatic = _PredictiveDraws.of(fit)
    literal_config = fit.config.model_copy(update={"readings": ReadingConfig(pragmatic=False)})
    literal = replace(pragmatic, inputs=ModelInputs.from_dataset(fit.dataset, literal_config))
    bias = fit.config.bias
    k = bias.direction_far_scale
    t4 = stats.t(fit.config.noise.nu)

    def cdf(z, direction):
        floor = np.where(z < 0, 2 / (1 + k) * t4.cdf(z), 1 - 2 * k / (1 + k) * t4.cdf(-z / k))
        ceiling = np.where(z < 0, 2 * k / (1 + k) * t4.cdf(z / k), 1 - 2 / (1 + k) * t4.cdf(-z))
        return np.where(direction < 0, floor, np.where(direction > 0, ceiling, t4.cdf(z)))

    for draws in (pragmatic, literal):
        obs = draws.inputs.observations
        index = with_directions(draws.inputs, fit.config)
        directions = index.claim_direction
        assert {-1.0, 1.0} <= set(directions)  # floors and ceilings exercised
        below, inside = draws.cdf_bounds(slice(None))
        loc = claim_location(draws.log_count, draws.stance, draws.source_bias, index,
                             bias.direction_softness)
        scale = claim_scale(draws.noise_scale, obs.extra_variance, draws.inputs)
        rate = np.where(draws.inputs.claim_stance == STANCES.index("own"),
                        fit.config.readings.denial_rate, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):  # open bounds: masked below
            expected_below = np.where(obs.has_lower == 1,
                                      rate + (1 - rate) * cdf((obs.lower - loc) / scale,
                                                              directions), 0.0)
            expected_upper = np.where(obs.has_upper == 1,
                                      rate + (1 - rate) * cdf((obs.upper - loc) / scale,
                                                              directions), 1.0)
        assert 0 < (obs.has_lower == 0).sum() < len(obs.has_lower)  # both kinds exercised
        np.testing.assert_allclose(below, expected_below, rtol=0, atol=1e-14)
        np.testing.assert_allclose(inside, expected_upper - expected_below, rtol=0, atol=1e-14)
    literal_upper = literal.inputs.observations.has_upper
    assert 0 < (literal_upper == 0).sum() < len(literal_upper)
    # read as reporters mean them, "more than X" has an upper end: fewer claims are open
    assert (pragmatic.inputs.observations.has_upper == 0).sum() < (literal_upper == 0).sum()
