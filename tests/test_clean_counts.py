"""A count to date read as a mixture (``[tolls] clean_share``): clean (no bias, a narrow
noise) with a prior probability, read as any claim otherwise. The likelihood, the
simulator's draws and the predictive checks all mix the same two readings."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

from reconcile.config import ModelConfig, TollConfig
from reconcile.model.build import OBSERVED, build_model
from reconcile.model.inputs import ModelInputs
from test_tolls import blast

COUNTS = [f"ministry_{i}" for i in range(7)] + ["ministry_relayed", "red_cross_early"]


def _config(share: float, noise: float = 0.5) -> ModelConfig:
    return ModelConfig(tolls=TollConfig(clean_share=share, clean_noise=noise))


def _pointwise_logp(config: ModelConfig) -> dict[str, float]:
    """Each claim's log-likelihood at a fixed, non-trivial point of the free parameters,
    per unit of evidence (divided by the claim's weight: a relayed update counts once)."""
    dataset = blast()
    model = build_model(dataset, config)
    point = model.initial_point()
    rng = np.random.default_rng(3)
    point = {name: value + 0.3 * rng.standard_normal(np.shape(value))
             for name, value in point.items()}
    logp = model.compile_fn(model.logp(vars=[model[OBSERVED]], sum=False)[0],
                            inputs=model.value_vars, on_unused_input="ignore")(point)
    weight = ModelInputs.from_dataset(dataset, config).weight
    return dict(zip((c.claim_id for c in dataset.claims), logp / weight))


def test_a_count_to_date_mixes_a_clean_reading_with_the_general_one():
    """With probability w the claim is clean: its likelihood is (1 - w) L_general + w
    L_clean, L_general the reading without the mixture (clean_share 0) and L_clean the one
    at a share of nearly 1. Claims that are not counts to date keep their reading."""
    general = _pointwise_logp(_config(0.0))
    clean = _pointwise_logp(_config(1 - 1e-12))
    mixed = _pointwise_logp(_config(0.3))
    for claim_id in COUNTS:
        expected = np.logaddexp(np.log(0.7) + general[claim_id], np.log(0.3) + clean[claim_id])
        assert mixed[claim_id] == pytest.approx(expected, rel=1e-9, abs=1e-9), claim_id
        assert clean[claim_id] != pytest.approx(general[claim_id], rel=1e-3)
    for claim_id in ("ministry_wounded", "ministry_wounded_later"):  # not a running toll
        assert mixed[claim_id] == pytest.approx(general[claim_id], rel=1e-12)


def test_off_by_default_and_then_the_graph_is_the_general_one(default_config):
    """The default model file leaves the mixture off (measured, not adopted:
    docs/validation.md), and a model without it has no second reading in its graph."""
    assert default_config.tolls.clean_share == 0.0
    assert _pointwise_logp(ModelConfig()) == _pointwise_logp(_config(0.0, noise=0.1))


def test_the_simulator_states_clean_counts_at_the_clean_share():
    """Prior predictive statements at one fixed draw of the parameters: with a clean noise
    of nearly 0 a clean count states the toll to date itself (one figure, the mode), so the
    mode's share among a count's draws is w + (1 - w) p, p the share the general reading
    alone puts on it. 4,000 draws each: standard errors under 0.008, tolerance 0.04."""
    share = 0.6
    ids = [c.claim_id for c in blast().claims]

    def statements(config: ModelConfig) -> np.ndarray:
        model = build_model(blast(), config)
        prior = pm.draw(model.free_RVs, random_seed=5)  # one draw of every parameter
        fixed = pm.do(model, dict(zip(model.free_RVs, prior)))
        return pm.draw(fixed[OBSERVED], draws=4000, random_seed=7)

    mixed, general = statements(_config(share, noise=1e-4)), statements(_config(0.0))
    for claim_id in ("ministry_2", "ministry_6", "ministry_wounded"):
        column = mixed[:, ids.index(claim_id)]
        values, counts = np.unique(column, return_counts=True)
        mode = values[counts.argmax()]
        p = np.mean(general[:, ids.index(claim_id)] == mode)
        expected = share + (1 - share) * p if claim_id in COUNTS else p
        assert counts.max() / len(column) == pytest.approx(expected, abs=0.04), claim_id


def test_the_predictive_checks_mix_the_same_two_readings():
    """A claim's predictive probabilities below and inside its interval (the PIT's parts)
    are the same mixture as its likelihood: (1 - w) of the general reading's and w of the
    clean one's, for counts to date only."""
    from reconcile.analysis.ppc import _PredictiveDraws

    dataset = blast()
    rng = np.random.default_rng(11)
    n_draws, n_claims = 50, len(dataset.claims)
    log_count = np.log([170.0, 5000.0]) + 0.1 * rng.standard_normal((n_draws, 2))
    source_bias = 0.2 * rng.standard_normal((n_draws, 3))
    to_date = -0.3 * rng.uniform(size=(n_draws, n_claims))

    def cdfs(config: ModelConfig):
        draws = _PredictiveDraws(ModelInputs.from_dataset(dataset, config), config, log_count,
                                 np.zeros((n_draws, 3)), source_bias,
                                 np.full((n_draws, 3), 0.2), to_date)
        return draws.cdf_bounds(slice(0, n_claims))

    general, clean, mixed = (cdfs(_config(share)) for share in (0.0, 1 - 1e-12, 0.3))
    counts = np.isin([c.claim_id for c in dataset.claims], COUNTS)
    for part in range(2):
        np.testing.assert_allclose(mixed[part][:, counts],
                                   0.7 * general[part][:, counts] + 0.3 * clean[part][:, counts],
                                   atol=1e-12)
        np.testing.assert_array_equal(mixed[part][:, ~counts], general[part][:, ~counts])
        assert not np.allclose(clean[part][:, counts], general[part][:, counts])

