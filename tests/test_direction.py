"""Directional stance (model/direction.py): the likelihood, the predictive CDF and the draws
describe one distribution, the bias keeps its side, gradients stay finite; and blanket
denials (model/build.py) weigh what they should."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pymc as pm
import pytest
from scipy import stats

from reconcile.config import NoiseConfig
from reconcile.model.direction import directed_bias, directed_cdf, directed_draws
from reconcile.model.likelihood import directed_interval_logp
from reconcile.model.noise import noise_family

NOISE = noise_family(NoiseConfig(family="student_t", nu=4))
FAR = 0.5  # the default far_scale
SCALE = 0.2


def _compiled():
    names = ("loc", "l", "u", "hl", "hu", "d")
    loc, lower, upper, has_lower, has_upper, direction = (pt.dvector(n) for n in names)
    logp = directed_interval_logp(loc, SCALE, lower, upper, has_lower, has_upper, direction,
                                  NOISE, FAR)
    grad = pytensor.grad(logp.sum(), loc)
    return pytensor.function([loc, lower, upper, has_lower, has_upper, direction],
                             [logp, grad])


# intervals on both sides of the location 0, straddling it, narrow, open on either side
LOWER = np.array([-0.3, 0.05, -0.1, -0.001, 0.4, 0.0, 0.0, -2.0])
UPPER = np.array([-0.1, 0.3, 0.2, 0.001, 0.0, -0.2, 0.0, 3.0])
HAS_LOWER = np.array([1, 1, 1, 1, 1, 0, 0, 1], dtype=float)
HAS_UPPER = np.array([1, 1, 1, 1, 0, 1, 0, 1], dtype=float)


@pytest.mark.parametrize("direction", [-1.0, 0.0, 1.0])
def test_likelihood_is_the_predictive_cdf_difference(direction):
    """The model's log-probability of each interval equals the difference of the checks'
    CDF (directed_cdf) at its ends: one distribution, two implementations."""
    f = _compiled()
    n = len(LOWER)
    logp, grad = f(np.zeros(n), LOWER, UPPER, HAS_LOWER, HAS_UPPER, np.full(n, direction))
    directions = np.full(n, direction)
    top = np.where(HAS_UPPER == 1, directed_cdf(NOISE, UPPER / SCALE, directions, FAR), 1.0)
    bottom = np.where(HAS_LOWER == 1, directed_cdf(NOISE, LOWER / SCALE, directions, FAR),
                      0.0)
    np.testing.assert_allclose(np.exp(logp), top - bottom, rtol=1e-6, atol=1e-12)
    assert np.isfinite(grad).all()


def test_draws_follow_the_cdf():
    """Directional draws have the CDF the likelihood uses (KS, 20,000 draws each way)."""
    rng = np.random.default_rng(1)
    n = 20_000
    for direction in (-1.0, 1.0):
        d = np.full(n, direction)
        draws = directed_draws(NOISE.draws(rng, n), d, FAR, rng.uniform(size=n))
        result = stats.kstest(draws, lambda z: directed_cdf(NOISE, np.asarray(z),
                                                            np.full(np.size(z), direction),
                                                            FAR))
        assert result.pvalue > 0.001
        # the far side of the belief holds far_scale / (1 + far_scale) of the mass: 1/3
        share = FAR / (1 + FAR)
        far = (draws > 0).mean() if direction < 0 else (draws < 0).mean()
        assert abs(far - share) < 4 * np.sqrt(share * (1 - share) / n)


def test_a_floor_is_less_likely_above_the_belief_than_below():
    """A floor statement 10% above the source's belief (noise scale 0.2) has the two-piece
    density's odds against one 10% below it: the far side's scale is far_scale times the
    near side's, at the same density at the belief."""
    f = _compiled()
    centre = np.log([1.1, 0.9])
    lower, upper = centre - 1e-3, centre + 1e-3
    logp, _ = f(np.zeros(2), lower, upper, np.ones(2), np.ones(2), np.full(2, -1.0))
    t4 = stats.t(4)
    expected = t4.logpdf(np.log(0.9) / SCALE) - t4.logpdf(np.log(1.1) / (FAR * SCALE))
    np.testing.assert_allclose(logp[1] - logp[0], expected, rtol=1e-3)
    assert expected > np.log(1.4)  # 1.41: the near side 10% out, the far side 10% out


def test_the_density_has_no_step_at_the_belief():
    """Both pieces meet at the belief: a narrow interval just below and just above it has
    the same probability (a step would stall NUTS), and the probability is continuous as
    the location crosses a stated figure."""
    f = _compiled()
    eps = 1e-6
    lower = np.array([-2 * eps, 0.0, -2 * eps, 0.0])
    upper = np.array([0.0, 2 * eps, 0.0, 2 * eps])
    logp, _ = f(np.zeros(4), lower, upper, np.ones(4), np.ones(4),
                np.array([-1.0, -1.0, 1.0, 1.0]))
    np.testing.assert_allclose(logp[0], logp[1], rtol=1e-6)
    np.testing.assert_allclose(logp[2], logp[3], rtol=1e-6)
    locs = np.array([-1e-7, 0.0, 1e-7])
    stated = np.log([29.5, 30.5]) - np.log(30.0)
    around, _ = f(locs, np.full(3, stated[0]), np.full(3, stated[1]), np.ones(3), np.ones(3),
                  np.full(3, -1.0))
    assert np.ptp(around) < 1e-5


def test_empty_half_intervals_keep_finite_gradients():
    """Intervals wholly on the far side of a directed claim's belief (the half component is
    empty) and far into the tails: finite values, finite gradients pointing towards them."""
    f = _compiled()
    lower = np.array([0.5, 50.0, -50.0, -0.9])
    upper = np.array([0.6, 60.0, -40.0, -0.5])
    direction = np.array([-1.0, -1.0, 1.0, 1.0])
    logp, grad = f(np.zeros(4), lower, upper, np.ones(4), np.ones(4), direction)
    assert np.isfinite(logp).all() and np.isfinite(grad).all()
    assert grad[0] > 0 and grad[1] > 0 and grad[2] < 0 and grad[3] < 0


def test_directed_bias_keeps_its_side():
    total = np.linspace(-2.0, 2.0, 41)
    floor = directed_bias(total, -1.0, 0.1)
    ceiling = directed_bias(total, 1.0, 0.1)
    assert (floor < 0).all() and (ceiling > 0).all()
    np.testing.assert_allclose(floor[total < -0.7], total[total < -0.7], atol=1e-3)
    np.testing.assert_allclose(ceiling[total > 0.7], total[total > 0.7], atol=1e-3)
    assert floor.max() > -0.1 and ceiling.min() < 0.1  # beyond 0: close to it
    np.testing.assert_array_equal(directed_bias(total, 0.0, 0.1), total)
    # the same function on tensors
    symbolic = pytensor.function([x := pt.dvector("x")], directed_bias(x, -1.0, 0.1))
    np.testing.assert_allclose(symbolic(total), floor, rtol=1e-12)


# --- blanket denials ------------------------------------------------------------------------
def _denial_dataset(stated: int):
    """Civilians killed by side x's strike (``by``): x's official states ``stated``, a
    monitor names eleven."""
    from reconcile.dataset.records import Claim, Dataset, Quantity, Source
    from reconcile.observations import Observation

    sources = (Source("x_mod", "X ministry", "official", "x"),
               Source("monitor", "Monitor", "monitor", None))
    quantity = Quantity("strike", "Civilians killed in the strike", "killed", "civilians",
                        by="x")
    claims = (Claim("c0", "strike", "x_mod", "exact", Observation("point", stated, stated),
                    "doc.txt", "q"),
              Claim("c1", "strike", "monitor", "exact", Observation("point", 11, 11), "doc.txt",
                    "q"))
    return Dataset(sources, (quantity,), claims)


def _pointwise_logp(dataset, config):
    from reconcile.model.build import OBSERVED, build_model

    model = build_model(dataset, config)
    point = model.initial_point()
    return model.compile_logp(vars=[model[OBSERVED]], sum=False)(point)[0]


def test_a_denial_is_a_mixture_and_other_own_claims_pay_its_rate():
    """An exact 0 from the accountable party has likelihood rate + (1 - rate) * L, L the
    reading's; any other claim of that party (1 - rate) * L; other sources' claims L."""
    from reconcile.config import ModelConfig, ReadingConfig

    rate = 0.25
    config = ModelConfig(readings=ReadingConfig(denial_rate=rate))
    almost_none = ModelConfig(readings=ReadingConfig(denial_rate=1e-12))
    for stated in (0, 3):
        dataset = _denial_dataset(stated)
        assert dataset.stance(dataset.claims[0]) == "own"
        mixed, plain = _pointwise_logp(dataset, config), _pointwise_logp(dataset, almost_none)
        if stated == 0:
            denial_reading = plain[0]
            expected = np.logaddexp(np.log(rate), np.log1p(-rate) + plain[0])
        else:
            expected = np.log1p(-rate) + plain[0]
        np.testing.assert_allclose(mixed[0], expected, rtol=1e-9)
        np.testing.assert_allclose(mixed[1], plain[1], rtol=1e-12)
    # at the initial point (a count far above 0) the denial's reading is improbable, and the
    # mixture is close to log(rate): the denial says almost nothing
    assert denial_reading < np.log(rate) - 5


def test_a_denial_swapped_into_a_compiled_model_is_read_as_one():
    """Refits and calibration swap other claims' data into a model compiled once (CLAIM_DATA)
    and never its observed values: a denial swapped in where the model was built on a
    stated 3 has the likelihood of a model built on the denial, and a 3 swapped in where it
    was built on a denial that of a 3. (It once read the observed value, so calibration's
    simulated denials counted as 0s and inflated the noise: SBC rejected 5 of 52 tests.)"""
    from reconcile.config import ModelConfig
    from reconcile.inference.compiled import data_updates
    from reconcile.model.build import OBSERVED, build_model
    from reconcile.model.inputs import ModelInputs

    config = ModelConfig()
    for built_on, swapped in ((3, 0), (0, 3)):
        model = build_model(_denial_dataset(built_on), config)
        inputs = ModelInputs.from_dataset(_denial_dataset(swapped), config)
        with model:
            pm.set_data(data_updates(inputs, config, inputs.weight))
        point = model.initial_point()
        refit = model.compile_logp(vars=[model[OBSERVED]], sum=False)(point)[0]
        np.testing.assert_allclose(refit, _pointwise_logp(_denial_dataset(swapped), config),
                                   rtol=1e-12)


def test_predictive_draws_state_a_denial_as_zero_and_only_the_simulator_marks_it():
    """A blanket denial is drawn as 0 in the model anyone samples (prior and posterior
    predictive); the simulator's model marks it (DENIAL) so that it becomes an exact 0."""
    from reconcile.config import ModelConfig
    from reconcile.model.build import OBSERVED, build_model
    from reconcile.model.likelihood import DENIAL

    dataset = _denial_dataset(3)
    public = build_model(dataset, ModelConfig())
    draws = pm.draw(public[OBSERVED], draws=400, random_seed=1)[:, 0]  # the party's claim
    assert draws.min() >= 0 and np.mean(draws == 0) >= 0.25 - 0.07  # denials and noisy 0s
    marked = build_model(dataset, ModelConfig(), mark_denials=True)
    draws = pm.draw(marked[OBSERVED], draws=400, random_seed=1)[:, 0]
    # the denial rate, 0.25: within 3.2 binomial se (0.022 at 400 draws)
    assert np.mean(draws == DENIAL) == pytest.approx(0.25, abs=0.07)
