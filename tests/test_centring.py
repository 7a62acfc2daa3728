"""Centred and non-centred source deviations: the same prior, chosen by what pins them;
and deviations that sum to zero within a kind (`[bias] source_deviations`)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from reconcile.config import load_config
from reconcile.inference.compiled import deterministics_function
from reconcile.model.build import (INDEX_ARRAYS, INDEX_DATA, PRIOR_DATA, build_model,
                                   model_data)
from reconcile.model import centring
from reconcile.model.centring import (MEASURED_FROM, PINNED_IN_KIND, centred_sources,
                                      within_kind_zero_sum)
from reconcile.model.inputs import ModelInputs
from reconcile.model.simulate import random_structure, simulate_like


def _shape(claims: list[tuple[int, int]], kinds: list[int]) -> SimpleNamespace:
    """What centred_sources reads: (quantity, source) of each claim, each source's kind."""
    quantities, sources = zip(*claims)
    return SimpleNamespace(quantity_ids=tuple(range(max(quantities) + 1)),
                           source_ids=tuple(range(len(kinds))),
                           kind_ids=tuple(range(max(kinds) + 1)),
                           claim_quantity=np.array(quantities), claim_source=np.array(sources),
                           source_kind=np.array(kinds))


@pytest.fixture
def measured_centring(monkeypatch):
    """Biases centred from the measured threshold (off by default: centring.py says why)."""
    monkeypatch.setitem(centring.CENTRED_FROM, "source_bias", MEASURED_FROM)


def test_sources_are_all_non_centred_by_default():
    shape = _shape([(q, s) for s in range(3) for q in range(6)], kinds=[0, 0, 0])
    flags = centred_sources(shape, np.ones(18))
    assert flags["source_bias"].tolist() == flags["noise_source"].tolist() == [0, 0, 0]


def test_a_source_is_centred_only_where_its_claims_and_its_kind_pin_it(measured_centring):
    assert MEASURED_FROM == 5.0 and PINNED_IN_KIND == 3  # the numbers below are built on these
    # sources 0-2 (kind 0) each speak five times of quantities 0-4, which all of them speak
    # of; source 3 (kind 0) speaks five times of quantity 5, which no one else speaks of;
    # source 4 (kind 1) speaks five times of quantities 0-4 but is its kind's only source
    claims = [(q, s) for s in range(3) for q in range(5)]
    claims += [(5, 3)] * 5 + [(q, 4) for q in range(5)]
    shape = _shape(claims, kinds=[0, 0, 0, 0, 1])
    weights = np.ones(len(claims))
    assert centred_sources(shape, weights)["source_bias"].tolist() == [1, 1, 1, 0, 0]
    assert centred_sources(shape, weights)["noise_source"].tolist() == [0] * 5
    # relays of one statement weigh 1 / group size: five relays are one piece of evidence
    relayed = weights.copy()
    relayed[:5] = 0.2
    assert centred_sources(shape, relayed)["source_bias"].tolist() == [0] * 5
    # a refit that drops source 2's claims (weight 0) leaves its kind two pinned sources
    dropped = weights.copy()
    dropped[10:15] = 0.0
    assert centred_sources(shape, dropped)["source_bias"].tolist() == [0] * 5


@pytest.fixture(scope="module")
def busy_sources():
    """15 sources of 5 kinds, 20 claims each on 40 quantities: every one pinned."""
    config = load_config()
    structure = random_structure(n_sources=15, n_quantities=40, n_claims=300, seed=3)
    dataset = simulate_like(structure, config, seed=4)[0].dataset
    inputs = ModelInputs.from_dataset(dataset, config)
    return dataset, config, inputs


def _kind_effects(model, inputs: ModelInputs):
    """A function from the model's value variables to each source's kind effect."""
    import pytensor

    kind = model.replace_rvs_by_values([model["kind_bias"]])[0]
    start = sum(len(getattr(inputs, name))
                for name in INDEX_ARRAYS[:INDEX_ARRAYS.index("source_kind")])
    source_kind = model[INDEX_DATA][start:start + len(inputs.source_kind)]
    return pytensor.function(model.value_vars, kind[source_kind], on_unused_input="ignore")


def _non_centred(prior_data: np.ndarray) -> np.ndarray:
    """``prior_data`` with every source's bias non-centred (the flags are its last 2 x 15
    values: bias, then noise)."""
    changed = prior_data.copy()
    changed[-2 * 15:-15] = 0.0
    return changed


def test_centring_changes_the_geometry_not_the_prior(busy_sources, measured_centring):
    """The centred density of a source's effect b = kind + sd * z is the non-centred one of
    z divided by the Jacobian sd, at every point: log p_c(b, sd) = log p_nc(z, sd) - log sd
    per centred source. Checked on the compiled log densities at random points, to
    rounding."""
    dataset, config, inputs = busy_sources
    values = model_data(inputs, config)
    assert centred_sources(inputs, inputs.weight)["source_bias"].sum() == 15
    model = build_model(dataset, config, inputs)
    logp, kind_effects = model.compile_logp(jacobian=True), _kind_effects(model, inputs)
    rng = np.random.default_rng(0)
    point = model.initial_point()
    for _ in range(5):
        draw = {name: value + rng.normal(0.0, 0.5, np.shape(value))
                for name, value in point.items()}
        sd = np.exp(draw["source_bias_sd_log__"])
        model[PRIOR_DATA].set_value(_non_centred(values[PRIOR_DATA]))
        non_centred = logp(draw)
        effects = kind_effects(**draw) + sd * draw["source_bias_free"]
        model[PRIOR_DATA].set_value(values[PRIOR_DATA])
        centred = logp(dict(draw, source_bias_free=effects))
        assert centred == pytest.approx(non_centred - 15 * np.log(sd), abs=1e-8)


def test_centring_leaves_the_biases_where_they_were(busy_sources, measured_centring):
    """The same effects give the same source biases in either form, through the function
    that computes every fit's deterministics."""
    dataset, config, inputs = busy_sources
    model = build_model(dataset, config, inputs)
    values = model_data(inputs, config)
    deterministics = deterministics_function(model)
    rng = np.random.default_rng(1)
    draw = {rv.name: rng.normal(0.0, 1.0, (1, *model.initial_point()[
        model.rvs_to_values[rv].name].shape)) for rv in model.free_RVs}
    draw["source_bias_sd"] = np.full((1,), 0.4)
    draw["noise_source_sd"] = np.full((1,), 0.2)
    draw["count_within_sd"] = np.full((1,), 1.0)
    kinds = rng.normal(0.0, 0.3, (1, len(inputs.kind_ids)))
    draw["kind_bias"] = kinds - kinds.mean()
    position = [d.name for d in model.deterministics].index("source_bias")

    def biases(prior_data, free):
        model[PRIOR_DATA].set_value(prior_data)
        return deterministics(*[dict(draw, source_bias_free=free)[rv.name]
                                for rv in model.free_RVs])[position]

    z = draw["source_bias_free"]
    effects = draw["kind_bias"][:, inputs.source_kind] + 0.4 * z
    np.testing.assert_allclose(biases(values[PRIOR_DATA], effects),
                               biases(_non_centred(values[PRIOR_DATA]), z), atol=1e-12)


def _projected(z: np.ndarray, kind: np.ndarray, member: np.ndarray) -> np.ndarray:
    """within_kind_zero_sum evaluated on draws ``z`` (draw x source), fed as an input: as a
    constant the array would be a global of the numba-compiled function."""
    import pytensor.tensor as pt

    draws = pt.matrix("z")
    return within_kind_zero_sum(draws, kind, member).eval({draws: z})


def test_within_kind_zero_sum_projects_groups_and_keeps_unit_variance():
    """Members of a kind with two or more members sum to zero; a lone member and the
    non-members keep their z; each keeps variance 1. With 20,000 draws the sample
    variance's standard error is sqrt(2 / 20,000) = 0.01, so 0.05 is five of them."""
    kind = np.array([0, 0, 0, 1, 1, 2, 0, 3, 3])
    member = np.array([1, 1, 1, 1, 1, 1, 0, 1, 0], dtype=float)
    z = np.random.default_rng(5).normal(size=(20_000, len(kind)))
    projected = _projected(z, kind, member)
    sums = np.zeros((len(z), 4))
    np.add.at(sums, (slice(None), kind), projected * member)
    np.testing.assert_allclose(sums[:, :2], 0.0, atol=1e-12)
    # kind 2 and kind 3 have one member each: unchanged, as is the non-member of kind 0
    for lone in (5, 6, 7, 8):
        np.testing.assert_array_equal(projected[:, lone], z[:, lone])
    np.testing.assert_allclose(projected.var(axis=0), 1.0, atol=0.05)
    # two members of one kind are exactly opposed
    np.testing.assert_allclose(projected[:, 3], -projected[:, 4], atol=1e-12)


def test_sum_to_zero_deviations_in_the_model(busy_sources):
    """`[bias] source_deviations = "sum_to_zero"`: in prior draws every kind's sources'
    deviations from the kind effect sum to zero, and the projection the test above checks
    is the one the model computes."""
    import pymc as pm

    dataset, config, inputs = busy_sources
    summed = config.model_copy(update={"bias": config.bias.model_copy(
        update={"source_deviations": "sum_to_zero"})})
    with build_model(dataset, summed, inputs):
        prior = pm.sample_prior_predictive(
            200, random_seed=2, var_names=["source_bias", "kind_bias", "source_bias_sd",
                                           "source_bias_free"]).prior
    bias = prior["source_bias"].values[0]
    kind = prior["kind_bias"].values[0][:, inputs.source_kind]
    sums = np.zeros((len(bias), len(inputs.kind_ids)))
    np.add.at(sums, (slice(None), inputs.source_kind), bias - kind)
    assert np.bincount(inputs.source_kind).min() >= 2
    np.testing.assert_allclose(sums, 0.0, atol=1e-9)
    expected = kind + prior["source_bias_sd"].values[0][:, None] * _projected(
        prior["source_bias_free"].values[0], inputs.source_kind,
        np.ones(len(inputs.source_ids)))
    np.testing.assert_allclose(bias, expected, atol=1e-9)
