"""Data-generating processes for calibration: the model's own, and ones it does not assume.

Every scenario starts from the model's prior draws (true counts, biases, noise scales), so
the truths are the model's; what differs is how sources turn their belief into a claim:

* ``model``: the model's generative process exactly (simulation-based calibration).
* ``heavy_tails``: statement noise Student-t with 2 to 3 degrees of freedom (the model
  assumes 4).
* ``rounding``: journalistic rounding: figures of 10 or more rounded to one or two
  significant digits, half of them said "about"; "more than X" stated well below the belief
  (X a round number 30-90% of it), "fewer than X" well above.
* ``copying``: undeclared copying: an outlet repeats another speaker's figure about the
  same quantity as its own, without naming the source.
* ``drift``: each source's bias drifts linearly over the period of the claims (a factor of
  e^(+-1) from start to end at one standard deviation).
* ``biased_anchor``: third parties inflate by a factor 1.35 (the model's anchor says they
  are unbiased on average).
* ``realistic``: the exception to the rule above. The truths are not the model's: true
  counts come from realistic event sizes for the structure's forest, and every claim is made
  again by a realistic reporter (same ids, speakers, quantities and kinds of words): own
  sides admit floors or deny, enemies inflate 1.3-4 times, figures are rounded, "more than"
  is a round number below the belief, outlets copy (realistic.py). Only the true counts
  exist, so only they are ranked and covered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from reconcile.calibration.catalog import SCENARIO_DESCRIPTIONS, WELL_SPECIFIED
from reconcile.calibration.realistic import realistic_like
from reconcile.config import STANCES, ModelConfig
from reconcile.dataset.records import Dataset
from reconcile.model.build import claim_location, claim_scale, with_directions
from reconcile.model.direction import claim_directions, directed_draws
from reconcile.model.inputs import ModelInputs
from reconcile.model.noise import StudentT, noise_family
from reconcile.model.simulate import (
    PriorDraws, Simulation, locations, observe, share_group_statements, to_date,
    with_observation,
)
from reconcile.model.tolls import count_reading

HEAVY_TAIL_DOF = (2.0, 3.0)
COPY_PROBABILITY = 0.5
DRIFT_SD = 1.0
ANCHOR_SHIFT = 0.3  # log scale: factor exp(0.3) = 1.35


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    simulate: Callable[[Dataset, ModelConfig, PriorDraws, int, np.random.Generator], Simulation]
    well_specified: bool = False


def _model(structure, config, draws, index, rng) -> Simulation:
    truth = draws.truth(index)
    return Simulation(observe(structure, draws.statements[index], _name(structure, "model", index),
                              config.readings, rng,
                              locations(truth, ModelInputs.from_dataset(structure, config),
                                        config)),
                      truth)


def _heavy_tails(structure, config, draws, index, rng) -> Simulation:
    noise = _directed(StudentT(rng.uniform(*HEAVY_TAIL_DOF)).draws(rng, len(structure.claims)),
                      structure, config, rng)
    statements = _statements(structure, config, draws.truth(index), noise)
    return Simulation(observe(structure, statements, _name(structure, "heavy_tails", index),
                              config.readings, rng),
                      draws.truth(index))


def _rounding(structure, config, draws, index, rng) -> Simulation:
    truth = draws.truth(index)
    statements = share_group_statements(
        structure, _statements(structure, config, truth, _model_noise(config, structure, rng)))
    claims = []
    for claim, stated in zip(structure.claims, statements):
        old = claim.observation
        observation = old.reading.rounded_by_reporter(old, max(int(stated), 0), rng)
        claims.append(with_observation(claim, observation))
    dataset = replace(structure, claims=tuple(claims), name=_name(structure, "rounding", index))
    return Simulation(dataset, truth)


def _copying(structure, config, draws, index, rng) -> Simulation:
    simulated = observe(structure, draws.statements[index], readings=config.readings, rng=rng)
    claims = list(simulated.claims)
    first_by: dict[tuple[str, str], int] = {}  # (quantity, speaker) -> first claim
    for position, claim in enumerate(claims):
        others = [i for (q, s), i in first_by.items()
                  if q == claim.quantity_id and s != claim.source_id]
        if others and rng.random() < COPY_PROBABILITY:
            original = claims[others[int(rng.integers(len(others)))]]
            claims[position] = with_observation(claim, original.observation)
        first_by.setdefault((claim.quantity_id, claim.source_id), position)
    dataset = replace(simulated, claims=tuple(claims), name=_name(structure, "copying", index))
    return Simulation(dataset, draws.truth(index))


def _drift(structure, config, draws, index, rng) -> Simulation:
    truth = draws.truth(index)
    inputs = ModelInputs.from_dataset(structure)
    slope = rng.normal(0.0, DRIFT_SD, size=len(inputs.source_ids))
    shift = slope[inputs.claim_source] * (claim_times(structure, rng) - 0.5)
    statements = _statements(structure, config, truth, _model_noise(config, structure, rng),
                             extra_log_bias=shift)
    return Simulation(observe(structure, statements, _name(structure, "drift", index), config.readings,
                              rng), truth)


def _biased_anchor(structure, config, draws, index, rng) -> Simulation:
    truth = dict(draws.truth(index))
    stance = np.array(truth["stance_bias"], dtype=float, copy=True)
    stance[STANCES.index("third_party")] += ANCHOR_SHIFT
    statements = _statements(structure, config, {**truth, "stance_bias": stance},
                             _model_noise(config, structure, rng))
    return Simulation(observe(structure, statements, _name(structure, "biased_anchor", index),
                              config.readings, rng),
                      truth)


def _realistic(structure, config, draws, index, rng) -> Simulation:
    # the prior draws are ignored: the truths are realistic ones, with "count" alone
    simulation = realistic_like(structure, rng, config.lexicon,
                                name=_name(structure, "realistic", index))
    return Simulation(simulation.dataset, {"count": simulation.truth["count"]})


_SIMULATORS = {"model": _model, "heavy_tails": _heavy_tails, "rounding": _rounding,
               "copying": _copying, "drift": _drift, "biased_anchor": _biased_anchor,
               "realistic": _realistic}
SCENARIOS: dict[str, Scenario] = {
    name: Scenario(name, description, _SIMULATORS[name], well_specified=name in WELL_SPECIFIED)
    for name, description in SCENARIO_DESCRIPTIONS.items()
}


def claim_times(structure: Dataset, rng: np.random.Generator) -> np.ndarray:
    """Each claim's time in [0, 1]: its publication date's rank where dates are given,
    uniform at random otherwise."""
    dates = [claim.published for claim in structure.claims]
    if all(dates):
        order = {date: i for i, date in enumerate(sorted(set(dates)))}
        span = max(len(order) - 1, 1)
        return np.array([order[date] / span for date in dates])
    return rng.uniform(size=len(structure.claims))


def _statements(structure: Dataset, config: ModelConfig, truth: dict[str, np.ndarray],
                noise: np.ndarray, extra_log_bias: np.ndarray | float = 0.0) -> np.ndarray:
    """Whole-count statements: exp(log T + directed bias + scale * noise), rounded (no
    blanket denials: the scenarios other than ``model`` leave them out)."""
    inputs = ModelInputs.from_dataset(structure)
    reading = count_reading(inputs.tolls.claim_dated, inputs.claim_stance, config)
    loc = claim_location(np.log(truth["count"]), truth["stance_bias"], truth["source_bias"],
                         with_directions(inputs, config), config.bias.direction_softness,
                         to_date(truth, inputs, config), reading)
    scale = claim_scale(truth["noise_scale"], inputs.observations.extra_variance, inputs)
    return np.round(np.exp(np.clip(loc + extra_log_bias + scale * noise, -50.0, 50.0)))


def _model_noise(config: ModelConfig, structure: Dataset, rng: np.random.Generator) -> np.ndarray:
    """Standard noise draws of the model's family, on each claim's side (direction.py)."""
    return _directed(noise_family(config.noise).draws(rng, len(structure.claims)), structure,
                     config, rng)


def _directed(draws: np.ndarray, structure: Dataset, config: ModelConfig,
              rng: np.random.Generator) -> np.ndarray:
    stance = ModelInputs.from_dataset(structure).claim_stance
    return directed_draws(draws, claim_directions(stance, config), config.bias.direction_far_scale,
                          rng.uniform(size=len(draws)))


def _name(structure: Dataset, scenario: str, index: int) -> str:
    return f"{structure.name}-{scenario}-{index}"
