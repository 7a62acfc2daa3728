"""Seeded simulator: datasets drawn from the model's own generative process.

Parameters and statements come from the PyMC model itself (prior predictive), so the
simulator cannot drift from the model. The observation each claim makes is then chosen like
a real source would: a claim keeps its qualifier when the simulated statement satisfies it
("more than 50" when the source would say 73) and becomes an exact figure otherwise. That
selection is ignorable, so the model's likelihood is exact for simulated data, which is what
parameter recovery and simulation-based calibration need.

Used by tests, calibration, benchmarks and notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pymc as pm

from reconcile.config import ModelConfig, ReadingConfig
from reconcile.dataset.records import Claim, Dataset, Quantity, Source
from reconcile.observations import LITERAL, Observation
from reconcile.qualifiers import read_qualifier
from reconcile.model.build import OBSERVED, build_model, claim_location, with_directions
from reconcile.model.inputs import ModelInputs
from reconcile.model.likelihood import DENIAL
from reconcile.model.tolls import Curves, count_reading

TRUTH_VARS = ("count", "source_bias", "noise_scale", "stance_bias", "kind_bias",
              "remainder_ratio", "source_bias_sd", "noise_source_sd", "count_intercept",
              "count_span_slope", "count_within_sd", "toll_timescale", "toll_shape",
              "toll_late_share")


@dataclass(frozen=True)
class Simulation:
    """A simulated dataset and the parameter values that generated it."""

    dataset: Dataset
    truth: dict[str, np.ndarray]


@dataclass(frozen=True)
class PriorDraws:
    """``n`` draws of the model's parameters and of what each claim's source would state,
    from the model's own prior predictive (so the simulator cannot drift from the model)."""

    params: dict[str, np.ndarray]  # name -> array with the draw on the first axis
    statements: np.ndarray  # (n, claims): continuous-turned-whole statements

    @property
    def n(self) -> int:
        return int(self.statements.shape[0])

    def truth(self, index: int) -> dict[str, np.ndarray]:
        return {name: values[index] for name, values in self.params.items()}


def draw_prior(dataset: Dataset, config: ModelConfig, seed: int, n: int) -> PriorDraws:
    """``n`` prior predictive draws for the structure of ``dataset``."""
    model = build_model(dataset, config, mark_denials=True)
    names = [name for name in (*TRUTH_VARS, OBSERVED) if name in model.named_vars]
    prior = pm.sample_prior_predictive(draws=n, model=model, var_names=names, random_seed=seed)
    params = {name: _draws(prior, name) for name in names if name != OBSERVED}
    return PriorDraws(params, _draws(prior, OBSERVED))


def simulate_like(dataset: Dataset, config: ModelConfig, seed: int, n: int = 1) -> list[Simulation]:
    """``n`` datasets with the structure of ``dataset`` (same sources, quantities, nesting and
    qualifier mix), each from its own draw of the prior."""
    draws = draw_prior(dataset, config, seed, n)
    rng = np.random.default_rng(seed)
    inputs = ModelInputs.from_dataset(dataset, config)
    return [
        Simulation(observe(dataset, draws.statements[i], name=f"{dataset.name}-sim{i}",
                           readings=config.readings, rng=rng,
                           locations=locations(draws.truth(i), inputs, config)),
                   draws.truth(i))
        for i in range(draws.n)
    ]


def locations(truth: dict[str, np.ndarray], inputs: ModelInputs,
              config: ModelConfig) -> np.ndarray:
    """Each claim's log belief before noise (log T + directed bias), from a draw."""
    return claim_location(np.log(truth["count"]), truth["stance_bias"], truth["source_bias"],
                          with_directions(inputs, config), config.bias.direction_softness,
                          to_date(truth, inputs, config),
                          count_reading(inputs.tolls.claim_dated, inputs.claim_stance, config))


def to_date(truth: dict[str, np.ndarray], inputs: ModelInputs,
            config: ModelConfig) -> np.ndarray | float:
    """log(toll to date / final toll) of each claim under a draw (0 without running tolls)."""
    if not inputs.tolls.ids:
        return 0.0
    return inputs.tolls.fraction(Curves.from_draws(truth, config))


def observe(dataset: Dataset, statements: np.ndarray, name: str | None = None,
            readings: ReadingConfig = LITERAL, rng: np.random.Generator | None = None,
            locations: np.ndarray | None = None) -> Dataset:
    """The dataset whose claims report ``statements`` (one per claim), as sources would.

    A claim stands with the likelihood its reading gives the statement (``readings``; a
    statement beyond a soft edge keeps the claim with the edge's weight, drawn with ``rng``),
    and otherwise the source states its figure. The claims of one evidence group (one
    speaker on one quantity) report one statement, the first member's: the model counts
    such a group once, as one statement. ``locations``: each claim's log belief before
    noise (without them, the log statement stands in)."""
    statements = share_group_statements(dataset, statements)
    n = len(dataset.claims)
    uniform = rng.uniform(size=n) if rng is not None else np.zeros(n)
    where = [None] * n if locations is None else [float(x) for x in locations]
    claims = tuple(_observe(claim, int(stated), readings, float(draw), location)
                   for claim, stated, draw, location in zip(dataset.claims, statements,
                                                            uniform, where))
    return replace(dataset, claims=claims, name=name or dataset.name)


def share_group_statements(dataset: Dataset, statements: np.ndarray) -> np.ndarray:
    shared = np.array(statements, dtype=float, copy=True)
    for members in dataset.evidence_groups:
        shared[list(members)] = shared[members[0]]
    return shared


def simulate(config: ModelConfig, seed: int, n_sources: int = 12, n_quantities: int = 20,
             n_claims: int = 40, n: int = 1) -> list[Simulation]:
    """``n`` datasets of a random structure of the given size (see ``random_structure``)."""
    structure = random_structure(n_sources, n_quantities, n_claims, seed=seed)
    return simulate_like(structure, config, seed=seed + 1, n=n)


def _draws(prior, name: str) -> np.ndarray:
    group = prior.prior_predictive if name == OBSERVED else prior.prior
    values = group[name].values  # (chain=1, draw, ...)
    return values.reshape(values.shape[1:])


def _observe(claim: Claim, stated: int, readings: ReadingConfig, draw: float,
             location: float | None) -> Claim:
    """The claim as its source would make it, given what the source would state."""
    old = claim.observation
    if stated == DENIAL:  # a blanket denial is an exact 0 whatever the claim's kind
        return with_observation(claim, Observation.point(0))
    new = old.reading.observe(old, max(stated, 0), readings, draw, location)
    return claim if new is old else with_observation(claim, new)


def with_observation(claim: Claim, observation: Observation) -> Claim:
    """``claim`` with another observation, its qualifier and stated numbers made to match (a
    vague word's new range keeps the claim's word: a vague claim needs one)."""
    qualifier, value, low, high = observation.reading.as_written(observation)
    term = claim.term if observation.reading.vague else None
    return replace(claim, observation=observation, qualifier=qualifier, value=value, low=low,
                   high=high, term=term)


# --- random structures ---------------------------------------------------------------------
_KINDS = ("official", "state_media", "armed_group", "independent_media", "monitor")
_SIDES = ("side_a", "side_b", None)
_QUALIFIER_MIX = (  # realistic mix seen in curated archives: mostly exact, many bounds
    ("exact", 0.5), ("more_than", 0.15), ("at_least", 0.05), ("about", 0.1),
    ("range", 0.08), ("vague", 0.07), ("at_most", 0.03), ("nearly", 0.02),
)


def random_structure(n_sources: int, n_quantities: int, n_claims: int, seed: int,
                     complete_share: float = 0.15, nest_share: float = 0.6,
                     max_depth: int | None = None) -> Dataset:
    """A random dataset shape: sources of several kinds and sides, a quantity forest with
    some complete parents, and claims with a realistic qualifier mix. Bounds in the claims
    are placeholders on a plausible scale; ``simulate_like`` decides which are kept.

    ``max_depth`` caps the nesting (3: war total > year > battle > killed/wounded, as in
    real archives); without it chains of parents grow as deep as chance makes them."""
    rng = np.random.default_rng(seed)
    depth: list[int] = []
    sources = tuple(
        Source(f"s{i:05d}", f"Source {i}", _KINDS[i % len(_KINDS)],
               _SIDES[int(rng.integers(len(_SIDES)))])
        for i in range(n_sources)
    )
    quantities: list[Quantity] = []
    for i in range(n_quantities):
        parent = None
        if i > 0 and rng.random() < nest_share:
            parent_index = int(rng.integers(max(0, i - 50), i))  # shallow-ish, local trees
            if max_depth is None or depth[parent_index] < max_depth:
                parent = quantities[parent_index].quantity_id
        depth.append(depth[parent_index] + 1 if parent else 0)
        side = quantities[parent_index].side if parent else _SIDES[int(rng.integers(2))]
        quantities.append(Quantity(f"q{i:05d}", f"Quantity {i}", "killed", side, parent=parent))
    with_children = {q.parent for q in quantities if q.parent}
    quantities = [
        replace(q, complete=True) if q.quantity_id in with_children and rng.random() < complete_share
        else q
        for q in quantities
    ]
    names, weights = zip(*_QUALIFIER_MIX)
    probabilities = np.array(weights) / sum(weights)
    claims = []
    for i in range(n_claims):
        quantity = quantities[i % n_quantities] if i < n_quantities else quantities[
            int(rng.integers(n_quantities))]
        source = sources[int(rng.integers(n_sources))]
        qualifier = str(rng.choice(names, p=probabilities))
        scale = int(np.exp(rng.uniform(1, 7)))
        claims.append(_placeholder_claim(f"c{i:06d}", quantity, source, qualifier, scale))
    return Dataset(sources=sources, quantities=tuple(quantities), claims=tuple(claims),
                   name=f"random-{seed}")


def _placeholder_claim(claim_id: str, quantity: Quantity, source: Source, qualifier: str,
                       scale: int) -> Claim:
    value = low = high = None
    term = None
    if qualifier in ("range", "vague"):
        low, high = scale, scale * 2
        term = "simulated" if qualifier == "vague" else None
    else:
        value = scale
    observation = read_qualifier(qualifier, value, low, high)
    return Claim(claim_id=claim_id, quantity_id=quantity.quantity_id, source_id=source.source_id,
                 qualifier=qualifier, observation=observation, document="simulated.txt",
                 quote="", value=value, low=low, high=high, term=term)
