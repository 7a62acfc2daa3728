"""The calibration scenarios simulate what they say, from the model's own prior draws.

No MCMC here: only prior draws (one compiled forward pass) and numpy.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from reconcile.calibration.scenarios import SCENARIOS, _model_noise, _statements
from reconcile.config import STANCES, load_config
from reconcile.model.inputs import ModelInputs
from reconcile.model.simulate import draw_prior, random_structure, share_group_statements

N = 400


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def structure():
    # a dense structure: several speakers per quantity, every stance present
    return random_structure(n_sources=12, n_quantities=10, n_claims=80, seed=4)


@pytest.fixture(scope="module")
def draws(structure, config):
    return draw_prior(structure, config, seed=11, n=N)


def _log_ratio(structure, config, draws, scenario: str) -> np.ndarray:
    """log(stated / what the model's location predicts), (simulations, claims), point
    claims only (NaN elsewhere)."""
    from reconcile.model.build import claim_location, with_directions

    inputs = ModelInputs.from_dataset(structure)
    out = np.full((draws.n, len(structure.claims)), np.nan)
    for i in range(draws.n):
        rng = np.random.default_rng(i)
        simulated = SCENARIOS[scenario].simulate(structure, config, draws, i, rng).dataset
        truth = draws.truth(i)
        loc = claim_location(np.log(truth["count"]), truth["stance_bias"], truth["source_bias"],
                             with_directions(inputs, config), config.bias.direction_softness)
        for j, claim in enumerate(simulated.claims):
            if claim.observation.kind == "point" and claim.observation.low >= 20:
                out[i, j] = np.log(claim.observation.low) - loc[j]
    return out


def test_numpy_statements_match_the_models_prior_predictive(structure, config, draws):
    """The scenarios regenerate statements in numpy; with the model's own noise they must
    have the distribution of PyMC's prior predictive (two-sample KS on the standardized
    log statements, pooled over claims, for statements of 50 or more)."""
    inputs = ModelInputs.from_dataset(structure)
    from reconcile.model.build import claim_location, claim_scale, with_directions

    ours, pymcs = [], []
    for i in range(draws.n):
        truth = draws.truth(i)
        loc = claim_location(np.log(truth["count"]), truth["stance_bias"], truth["source_bias"],
                             with_directions(inputs, config), config.bias.direction_softness)
        scale = claim_scale(truth["noise_scale"], inputs.observations.extra_variance, inputs)
        noise = _model_noise(config, structure, np.random.default_rng(i))
        mine = _statements(structure, config, truth, noise)
        keep = (mine >= 50) & (draws.statements[i] >= 50)
        ours.extend((np.log(mine[keep]) - loc[keep]) / scale[keep])
        pymcs.extend((np.log(draws.statements[i][keep]) - loc[keep]) / scale[keep])
    assert len(ours) > 2000
    assert stats.ks_2samp(ours, pymcs).pvalue > 0.01


def test_model_scenario_uses_the_prior_predictive(structure, config, draws):
    simulated = SCENARIOS["model"].simulate(structure, config, draws, 0, np.random.default_rng(0))
    statements = share_group_statements(structure, draws.statements[0])
    for claim, stated in zip(simulated.dataset.claims, statements):
        assert claim.observation.contains(max(int(stated), 0))


def test_one_statement_per_evidence_group(structure):
    grouped = [g for g in structure.evidence_groups if len(g) > 1]
    assert grouped, "the structure needs repeated speaker-quantity pairs"
    shared = share_group_statements(structure, np.arange(len(structure.claims), dtype=float))
    for members in grouped:
        assert len({shared[m] for m in members}) == 1


def test_heavy_tails_are_heavier(structure, config, draws):
    model = _log_ratio(structure, config, draws, "model")
    heavy = _log_ratio(structure, config, draws, "heavy_tails")
    # share of statements more than a factor e^1.5 away from the location
    far = lambda x: np.nanmean(np.abs(x) > 1.5)  # noqa: E731
    assert far(heavy) > 1.5 * far(model), (far(heavy), far(model))


def _round_shares(structure, config, draws, scenario: str) -> tuple[float, float]:
    """Share of point figures of 100+ with at most two significant digits, and of lower
    bounds that are a round number (one significant digit, as in "more than 300")."""
    rounded = total = round_bounds = bounds = 0
    for i in range(50):
        simulated = SCENARIOS[scenario].simulate(structure, config, draws, i,
                                                 np.random.default_rng(i)).dataset
        for claim in simulated.claims:
            obs = claim.observation
            if obs.kind == "point" and obs.low >= 100:
                total += 1
                rounded += len(str(obs.low).rstrip("0")) <= 2
            if obs.kind == "lower_bound" and obs.low > 10:
                bounds += 1
                round_bounds += len(str(obs.low - 1).rstrip("0")) == 1
    return rounded / total, round_bounds / bounds


def test_rounding_gives_round_figures_and_low_bounds(structure, config, draws):
    figures, bounds = _round_shares(structure, config, draws, "rounding")
    model_figures, model_bounds = _round_shares(structure, config, draws, "model")
    # 70% of point figures are rounded (to 1 or 2 digits) against ~10% by chance
    assert figures > model_figures + 0.35, (figures, model_figures)
    assert bounds > 0.95 and model_bounds < 0.5, (bounds, model_bounds)


def test_copying_repeats_another_speakers_figure(structure, config, draws):
    copies = 0
    for i in range(20):
        simulated = SCENARIOS["copying"].simulate(structure, config, draws, i,
                                                  np.random.default_rng(i)).dataset
        seen: dict[str, list] = {}
        for claim in simulated.claims:
            earlier = seen.setdefault(claim.quantity_id, [])
            copies += any(obs == claim.observation and source != claim.source_id
                          for source, obs in earlier)
            earlier.append((claim.source_id, claim.observation))
    assert copies > 20 * 5  # several per dataset: the figure itself, copied verbatim


def test_drift_shifts_bias_with_time(structure, config, draws):
    """Under drift the log-ratio of a source's claims changes with the claim's time; under
    the model it does not: the variance of the ratios grows."""
    model = _log_ratio(structure, config, draws, "model")
    drift = _log_ratio(structure, config, draws, "drift")
    assert np.nanvar(drift) > np.nanvar(model) * 1.1


def test_biased_anchor_inflates_third_parties(structure, config, draws):
    inputs = ModelInputs.from_dataset(structure)
    third = inputs.claim_stance == STANCES.index("third_party")
    model = _log_ratio(structure, config, draws, "model")[:, third]
    biased = _log_ratio(structure, config, draws, "biased_anchor")[:, third]
    shift = np.nanmedian(biased) - np.nanmedian(model)
    assert 0.2 < shift < 0.4, shift  # ANCHOR_SHIFT = 0.3
