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


def _config(share: float, noise: float = 0.5, by: str = "update") -> ModelConfig:
    return ModelConfig(tolls=TollConfig(clean_share=share, clean_noise=noise, clean_by=by))


def _pointwise_logp(config: ModelConfig, per_unit: bool = True,
                    compiled_loop: bool = True) -> dict[str, float]:
    """Each claim's log-likelihood at a fixed, non-trivial point of the free parameters;
    ``per_unit``: per unit of evidence (divided by the claim's weight: a relayed update
    counts once); ``compiled_loop``: as build_model's."""
    dataset = blast()
    model = build_model(dataset, config, compiled_loop=compiled_loop)
    point = model.initial_point()
    rng = np.random.default_rng(3)
    point = {name: value + 0.3 * rng.standard_normal(np.shape(value))
             for name, value in point.items()}
    logp = model.compile_fn(model.logp(vars=[model[OBSERVED]], sum=False)[0],
                            inputs=model.value_vars, on_unused_input="ignore")(point)
    weight = ModelInputs.from_dataset(dataset, config).weight if per_unit else 1.0
    return dict(zip((c.claim_id for c in dataset.claims), logp / weight))


def _weighted(config: ModelConfig) -> dict[str, float]:
    weights = ModelInputs.from_dataset(blast(), config).weight
    return dict(zip((c.claim_id for c in blast().claims), weights))


def _group_mixture(members, general, clean, weight, share):
    """log((1 - w) prod G_i^weight_i + w prod C_i^weight_i) over a group's claims."""
    return np.logaddexp(np.log1p(-share) + sum(weight[i] * general[i] for i in members),
                        np.log(share) + sum(weight[i] * clean[i] for i in members))


@pytest.mark.parametrize("by", ["update", "speaker"])
def test_a_group_of_counts_to_date_mixes_a_clean_reading_with_the_general_one(by):
    """With probability w a group is clean: its claims' likelihood is (1 - w) prod L_general
    + w prod L_clean, each claim's reading to the power of its evidence weight (L_general:
    the reading without the mixture, clean_share 0; L_clean: at a share of nearly 1). A
    group is an update with its relay ("update"), or all of a speaker's updates
    ("speaker"); each claim holds its share of the group's, the first claim its own mixture.
    Claims that are not counts to date keep their reading."""
    general = _pointwise_logp(_config(0.0, by=by))
    clean = _pointwise_logp(_config(1 - 1e-12, by=by))
    mixed = _pointwise_logp(_config(0.3, by=by), per_unit=False)
    weight = _weighted(_config(0.3, by=by))
    if by == "update":
        groups = [[f"ministry_{i}"] for i in (0, 1, 3, 4, 5, 6)]
        groups += [["ministry_2", "ministry_relayed"], ["red_cross_early"]]
    else:
        groups = [[f"ministry_{i}" for i in range(7)] + ["ministry_relayed"],
                  ["red_cross_early"]]
    for members in groups:
        expected = _group_mixture(members, general, clean, weight, 0.3)
        assert sum(mixed[i] for i in members) == pytest.approx(expected, rel=1e-9), members
        first = _group_mixture(members[:1], general, clean, weight, 0.3)
        assert mixed[members[0]] == pytest.approx(first, rel=1e-9), members
    for claim_id in COUNTS:
        assert clean[claim_id] != pytest.approx(general[claim_id], rel=1e-3)
    for claim_id in ("ministry_wounded", "ministry_wounded_later"):  # not a running toll
        assert mixed[claim_id] == pytest.approx(general[claim_id] * weight[claim_id],
                                                rel=1e-12)


def test_the_compiled_loop_gives_the_graphs_mixture():
    """The mixture calls claim_kernel's loop once per reading; the graph (other noise
    families, JAX) computes the same values."""
    config = _config(0.3, by="speaker")
    loop, graph = _pointwise_logp(config), _pointwise_logp(config, compiled_loop=False)
    for claim_id, value in graph.items():
        assert loop[claim_id] == pytest.approx(value, rel=1e-8), claim_id


def test_a_speakers_group_runs_in_date_order():
    """A speaker's counts to date form one row of the group table in date order (the
    relay of ministry_2 beside it), and every claim's lead is its group's first."""
    dataset = blast()
    groups = ModelInputs.from_dataset(dataset, _config(0.3, by="speaker")).clean_groups
    ids = [c.claim_id for c in dataset.claims]
    in_order = [ids[i] for i in groups.claims]
    assert in_order[:8] == ["ministry_0", "ministry_1", "ministry_2", "ministry_relayed",
                            "ministry_3", "ministry_4", "ministry_5", "ministry_6"]
    assert (groups.n_groups, groups.width) == (2, 8)
    assert [ids[groups.lead[ids.index(c)]] for c in in_order] == ["ministry_0"] * 8 + [
        "red_cross_early"]
    assert groups.previous_cell[0] == groups.n_groups * groups.width  # a first: the zero slot
    np.testing.assert_array_equal(groups.previous_cell[1:8], groups.cell[:7])


def test_off_by_default_and_then_the_graph_is_the_general_one(default_config):
    """The default model file leaves the mixture off (measured, not adopted:
    docs/validation.md), and a model without it has no second reading in its graph."""
    assert default_config.tolls.clean_share == 0.0
    assert _pointwise_logp(ModelConfig()) == _pointwise_logp(_config(0.0, noise=0.1))


def _statements(config: ModelConfig) -> np.ndarray:
    """4,000 prior predictive statements of every claim at one fixed draw of the
    parameters."""
    model = build_model(blast(), config)
    prior = pm.draw(model.free_RVs, random_seed=5)  # one draw of every parameter
    fixed = pm.do(model, dict(zip(model.free_RVs, prior)))
    return pm.draw(fixed[OBSERVED], draws=4000, random_seed=7)


def _at_mode(column: np.ndarray) -> np.ndarray:
    values, counts = np.unique(column, return_counts=True)
    return column == values[counts.argmax()]


def test_the_simulator_states_clean_counts_at_the_clean_share():
    """Prior predictive statements at one fixed draw of the parameters: with a clean noise
    of nearly 0 a clean count states the toll to date itself (one figure, the mode), so the
    mode's share among a count's draws is w + (1 - w) p, p the share the general reading
    alone puts on it. 4,000 draws each: standard errors under 0.008, tolerance 0.04."""
    share = 0.6
    ids = [c.claim_id for c in blast().claims]
    mixed, general = _statements(_config(share, noise=1e-4)), _statements(_config(0.0))
    for claim_id in ("ministry_2", "ministry_6", "ministry_wounded"):
        column = mixed[:, ids.index(claim_id)]
        values, counts = np.unique(column, return_counts=True)
        mode = values[counts.argmax()]
        p = np.mean(general[:, ids.index(claim_id)] == mode)
        expected = share + (1 - share) * p if claim_id in COUNTS else p
        assert counts.max() / len(column) == pytest.approx(expected, abs=0.04), claim_id


@pytest.mark.parametrize("by", ["update", "speaker"])
def test_the_simulator_draws_one_clean_indicator_per_group(by):
    """Two updates of one speaker (a nearly exact clean noise, as above) both state the
    toll to date with probability w + (1 - w) p2 p6 when the speaker's series is clean or
    not as a whole, and (w + (1 - w) p2)(w + (1 - w) p6) when each update is on its own:
    0.6 against about 0.36 here. 4,000 draws: standard error under 0.008, tolerance 0.04."""
    share = 0.6
    ids = [c.claim_id for c in blast().claims]
    mixed, general = _statements(_config(share, 1e-4, by)), _statements(_config(0.0))
    at_mode = {c: _at_mode(mixed[:, ids.index(c)]) for c in ("ministry_2", "ministry_6")}
    p = {c: np.mean(general[:, ids.index(c)] == mixed[at_mode[c], ids.index(c)][0])
         for c in at_mode}
    both = np.mean(at_mode["ministry_2"] & at_mode["ministry_6"])
    if by == "speaker":
        expected = share + (1 - share) * p["ministry_2"] * p["ministry_6"]
    else:
        expected = np.prod([share + (1 - share) * p[c] for c in p])
    assert both == pytest.approx(expected, abs=0.04)


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

