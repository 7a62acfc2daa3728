"""The interval likelihood: exact against scipy where that is accurate, finite far beyond."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from scipy import stats

from reconcile.config import NoiseConfig
from reconcile.model.likelihood import interval_logp
from reconcile.model.noise import noise_family

NOISES = {"student_t": noise_family(NoiseConfig(family="student_t", nu=4)),
          "normal": noise_family(NoiseConfig(family="normal"))}


def _compiled(noise: NoiseConfig):
    loc, lower, upper, has_lower, has_upper = (pt.dvector(n) for n in ("loc", "l", "u", "hl", "hu"))
    logp = interval_logp(loc, 0.2, lower, upper, has_lower, has_upper, noise)
    grad = pytensor.grad(logp.sum(), loc)
    return pytensor.function([loc, lower, upper, has_lower, has_upper], [logp, grad])


def _scipy_interval(noise, loc, lower, upper):
    dist = stats.t(noise.nu, loc=loc, scale=0.2) if hasattr(noise, "nu") else stats.norm(loc, 0.2)
    return np.log(dist.cdf(upper) - dist.cdf(lower))


@pytest.mark.parametrize("family", NOISES)
def test_interval_matches_scipy_in_the_body(family):
    noise = NOISES[family]
    f = _compiled(noise)
    loc = np.array([0.0, 1.0, -0.3, 2.0])
    lower = np.array([-0.1, 0.5, -2.0, 2.1])
    upper = np.array([0.1, 2.0, 0.0, 2.4])
    ones = np.ones(4)
    logp, _ = f(loc, lower, upper, ones, ones)
    np.testing.assert_allclose(logp, _scipy_interval(noise, loc, lower, upper), rtol=1e-6)  # PyMC normal log-CDF: ~5e-8 relative error


@pytest.mark.parametrize("family", NOISES)
def test_open_bounds_are_one_sided_censoring(family):
    noise = NOISES[family]
    f = _compiled(noise)
    loc = np.array([0.0, 0.0])
    bound = np.array([0.3, 0.3])
    logp, _ = f(loc, bound, bound, np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    dist = stats.t(noise.nu, scale=0.2) if family == "student_t" else stats.norm(scale=0.2)
    np.testing.assert_allclose(logp, [dist.logsf(0.3), dist.logcdf(0.3)], rtol=1e-6)  # PyMC normal log-CDF: ~5e-8 relative error


@pytest.mark.parametrize("family", NOISES)
def test_far_tails_stay_finite_with_finite_gradients(family):
    """Bounds 20 to 5,000 noise scales from the location: no NaN, no -inf, gradients point
    back towards the observation (the failure mode seen with naive log-CDF differences)."""
    f = _compiled(NOISES[family])
    loc = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    lower = np.array([4.0, 1000.0, -1000.5, 4.0, 0.0, -1000.0])
    upper = np.array([4.1, 1000.1, -1000.0, 0.0, -4.0, 0.0])
    has_lower = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    has_upper = np.array([1.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    logp, grad = f(loc, lower, upper, has_lower, has_upper)
    assert np.all(np.isfinite(logp)) and np.all(logp < 0)
    assert np.all(np.isfinite(grad))
    # observations above the location pull it up, those below pull it down
    assert grad[0] > 0 and grad[1] > 0 and grad[3] > 0
    assert grad[2] < 0 and grad[4] < 0 and grad[5] < 0


def test_narrow_interval_of_a_large_count_is_accurate():
    """A stated 1,000,000 is the interval [999,999.5, 1,000,000.5]: width 1e-6 on the log
    scale, computed without cancellation."""
    noise = NOISES["normal"]
    f = _compiled(noise)
    lower, upper = np.log([999_999.5]), np.log([1_000_000.5])
    loc = np.log([1_000_000.0]) + 0.05
    logp, grad = f(loc, lower, upper, np.ones(1), np.ones(1))
    expected = stats.norm(loc, 0.2).logpdf(np.log(1e6)) + np.log(upper - lower)
    np.testing.assert_allclose(logp, expected, rtol=1e-6)
    assert grad[0] < 0


def test_student_t_log_cdf_is_accurate_far_into_the_tail():
    """PyMC's Student-t log-CDF gives -inf past 1e8 scales; ours follows the power law."""
    z = -np.logspace(1, 12, 12)
    ours = NOISES["student_t"].logcdf(pt.as_tensor(z)).eval()
    np.testing.assert_allclose(ours, stats.t(4).logcdf(z), rtol=1e-6)


@pytest.mark.parametrize("nu", [4, 3, 7.5])
def test_student_t_log_cdf_and_its_gradient_match_scipy(nu):
    """nu = 4 (the default) has a closed form; other nu go through the incomplete beta
    function. Both agree with scipy from the far lower tail through the centre to the upper
    tail, and so does the gradient (the density over the CDF), which NUTS relies on.
    Tolerances: the closed form is exact to rounding (1e-12); PyMC's incomplete beta is
    good to ~1e-7 in value and ~1e-6 in gradient, and to 1e-12 in absolute terms where log F
    is nearly 0 (the upper tail, which interval_logp never uses for a bound above the
    location: it mirrors it to the lower one)."""
    z = pt.dvector("z")
    logcdf = noise_family(NoiseConfig(family="student_t", nu=nu)).logcdf(z)
    f = pytensor.function([z], [logcdf, pytensor.grad(logcdf.sum(), z)])
    x = np.concatenate([-np.logspace(-8, 12, 60), [0.0], np.logspace(-8, 2.5, 40)])
    value, grad = f(x)
    reference = stats.t(nu).logcdf(x)
    reference_grad = np.exp(stats.t(nu).logpdf(x) - reference)
    rtol = (1e-12, 1e-12) if nu == 4 else (1e-6, 1e-5)
    np.testing.assert_allclose(value, reference, rtol=rtol[0], atol=1e-300 if nu == 4 else 1e-12)
    np.testing.assert_allclose(grad, reference_grad, rtol=rtol[1], atol=1e-300)


@pytest.mark.parametrize("family", NOISES)
def test_a_stated_figure_under_a_huge_noise_scale_keeps_its_probability(family):
    """[29.5, 30.5] under a noise scale of 1e15 (a sampler's wild first step) has a
    probability of about 1e-18, far below the rounding of F near 0.5: it must come out as
    that, not as log(0), with a finite gradient."""
    noise = NOISES[family]
    loc, scale = pt.dvector("loc"), pt.dvector("scale")
    lower, upper = np.log(29.5), np.log(30.5)
    logp = interval_logp(loc, scale, pt.as_tensor([lower]), pt.as_tensor([upper]),
                         pt.as_tensor([1.0]), pt.as_tensor([1.0]), noise)
    f = pytensor.function([loc, scale], [logp, pytensor.grad(logp.sum(), loc)])
    for s in (1e3, 1e8, 1e15):
        value, grad = f([13.0], [s])
        dist = stats.t(noise.nu) if hasattr(noise, "nu") else stats.norm()
        expected = dist.logpdf(((lower + upper) / 2 - 13.0) / s) + np.log((upper - lower) / s)
        np.testing.assert_allclose(value, expected, rtol=1e-9)
        assert np.isfinite(grad).all()
