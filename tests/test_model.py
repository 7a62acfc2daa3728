"""Model construction: every variant builds with a finite log-density and gradient; the
structure (nesting, anchors, evidence weights) is what the docs say."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

from reconcile.config import config_from_dict, load_config, packaged_model_paths
from reconcile.dataset.records import Claim, Dataset, Observation, Quantity, Source
from reconcile.errors import ConfigError, ModelBuildError
from reconcile.model.build import build_model
from reconcile.model.buildable import nesting_conflicts
from reconcile.model.inputs import ModelInputs

VARIANTS = sorted(packaged_model_paths())


def assert_finite_logp_and_gradient(model: pm.Model) -> None:
    """Bambi's check: log-density and its gradient are finite at the initial point."""
    point = model.initial_point()
    logp = model.compile_logp()(point)
    grads = model.compile_dlogp()(point)
    assert np.isfinite(logp), logp
    assert np.all(np.isfinite(grads)), grads


def test_all_variants_are_listed():
    assert {"default", "normal-noise", "density", "anchor-own"} <= set(VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_builds_with_finite_gradient(variant, seed_dataset):
    """At the initial point and at 20 points about it (wild values included), from one
    compilation of the log density and its gradient per variant."""
    model = build_model(seed_dataset, load_config(variant))
    assert model["claim_obs"] in model.observed_RVs
    logp, dlogp = model.compile_logp(), model.compile_dlogp()
    point = model.initial_point()
    rng = np.random.default_rng(0)
    trials = [point] + [{k: v + rng.normal(0, 1.5, size=np.shape(v)) for k, v in point.items()}
                        for _ in range(20)]
    for trial in trials:
        assert np.isfinite(logp(trial))
        assert np.all(np.isfinite(dlogp(trial)))


def test_graph_size_does_not_grow_with_the_data():
    """Vectorized: the number of graph nodes is the same for 30 and 3,000 claims."""
    from pytensor.graph.traversal import ancestors

    from reconcile.model.simulate import random_structure

    config = load_config()

    def n_nodes(n_claims: int) -> int:
        data = random_structure(n_sources=10, n_quantities=n_claims // 3, n_claims=n_claims, seed=1)
        model = build_model(data, config)
        return len(list(ancestors([model.logp()])))

    assert n_nodes(30) == n_nodes(3000)


def test_random_structures_can_cap_the_nesting_depth():
    """Archives nest a few levels deep (war > year > battle > killed/wounded): with
    max_depth the simulated forest does too, and still nests a good share of quantities."""
    from reconcile.model.simulate import random_structure

    capped = random_structure(n_sources=20, n_quantities=300, n_claims=600, seed=2, max_depth=3)
    depths = [capped.depth(q.quantity_id) for q in capped.quantities]
    assert max(depths) == 3
    assert sum(d > 0 for d in depths) > 100
    uncapped = random_structure(n_sources=20, n_quantities=300, n_claims=600, seed=2)
    assert max(uncapped.depth(q.quantity_id) for q in uncapped.quantities) > 3


def test_free_components_of_the_forest(seed_dataset):
    """Leaves own a free count; non-complete parents a remainder; complete parents nothing."""
    inputs = ModelInputs.from_dataset(seed_dataset)
    assert "syria_war_killed" in inputs.leaf_ids  # a root without children is a leaf
    assert "iran_killed_since_2012" in inputs.remainder_ids  # not complete: has a remainder
    assert "irgc_killed_khan_tuman" in inputs.remainder_ids  # not complete over its one child
    assert "irgc_casualties_khan_tuman" not in inputs.remainder_ids  # complete: killed + wounded
    assert "irgc_casualties_khan_tuman" not in inputs.leaf_ids
    # the 12 held bodies count in their parent, grandparent and nowhere else
    leaf = inputs.leaf_ids.index("irgc_bodies_held_khan_tuman")
    owners = {inputs.quantity_ids[q] for q in inputs.pair_quantity[inputs.pair_leaf == leaf]}
    assert owners == {"irgc_bodies_held_khan_tuman", "irgc_killed_khan_tuman",
                      "irgc_casualties_khan_tuman"}
    # and they are scaled up by the remainder of the killed (not complete), not of the
    # casualties (complete)
    here = inputs.quantity_ids.index("irgc_bodies_held_khan_tuman")
    uplifts = {inputs.remainder_ids[r] for r in inputs.uplift_remainder[inputs.uplift_quantity == here]}
    assert uplifts == {"irgc_killed_khan_tuman"}


def test_nesting_holds_in_prior_draws(seed_dataset, default_config):
    """Children sum to at most their parent, exactly to a complete one, in every draw."""
    model = build_model(seed_dataset, default_config)
    prior = pm.sample_prior_predictive(draws=300, model=model, var_names=["count"],
                                       random_seed=3)
    count = prior.prior["count"].values[0]
    index = seed_dataset.quantity_index
    for quantity in seed_dataset.quantities:
        children = seed_dataset.children[quantity.quantity_id]
        if not children:
            continue
        parent = count[:, index[quantity.quantity_id]]
        total = sum(count[:, index[child]] for child in children)
        if quantity.complete:
            np.testing.assert_allclose(total, parent, rtol=1e-9)
        else:
            assert np.all(total <= parent * (1 + 1e-12))
            assert np.all(total < parent)  # a remainder is positive


def test_relays_and_repeats_count_once(seed_dataset):
    inputs = ModelInputs.from_dataset(seed_dataset)
    index = {cid: i for i, cid in enumerate(inputs.claim_ids)}
    # the IRGC's 13 killed, reported in two documents: one piece of evidence
    assert inputs.weight[index["irgc_khan_tuman_killed"]] == 0.5
    assert inputs.weight[index["irgc_khan_tuman_killed_eaw"]] == 0.5
    assert inputs.weight[index["tabrizi_since_2012"]] == 1.0
    # relaying outlets (ISNA, MESOP, MEMRI...) are not speakers and carry no bias parameter
    assert "isna" not in inputs.source_ids and "al_tabrizi" in inputs.source_ids


def test_anchor_is_required():
    with pytest.raises(ConfigError, match="identification anchor"):
        config_from_dict({"bias": {"third_party": {"fixed": False}}})


def test_unknown_config_key_is_refused_with_a_suggestion():
    with pytest.raises(ConfigError, match="did you mean 'sigma'"):
        config_from_dict({"truth": {"sigmaa": 3}})


def test_model_file_errors_name_their_line(tmp_path):
    """Every problem at once, each with the line that sets it (or opens its table)."""
    from reconcile.config import load_config

    path = tmp_path / "bad.toml"
    path.write_text('# a model\nname = "bad"\n\n[bias.own]\nmu = -0.36\nsigma = -1\n\n'
                    '[noise]\nfamilly = "student_t"\n"nu" = 4\n\n[lexicon.dozens]\n'
                    'low = "twelve"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    lines = str(raised.value).splitlines()
    assert lines[0].endswith("problem(s) in the model configuration:")
    assert "  line 6, bias.own.sigma: Input should be greater than 0" in lines
    assert "  line 9, noise.familly: unknown key; did you mean 'family'?" in lines
    assert any(line.startswith("  line 13, lexicon.dozens.low:") for line in lines), lines


def _tiny_dataset(claims: list[tuple[str, str, Observation]], complete: bool = False) -> Dataset:
    sources = (Source("a", "A", "official", "x"), Source("b", "B", "monitor", None))
    quantities = (
        Quantity("total", "Total", "casualties", "x", complete=complete),
        Quantity("killed", "Killed", "killed", "x", parent="total"),
        Quantity("wounded", "Wounded", "wounded", "x", parent="total"),
    )
    made = tuple(
        Claim(f"c{i}", quantity, source, obs.kind, obs, "doc.txt", "quote")
        for i, (quantity, source, obs) in enumerate(claims)
    )
    return Dataset(sources, quantities, made)


def test_zero_is_a_claim():
    """'No one was killed' (0) is data: the interval likelihood takes it, density refuses."""
    zero = Observation("point", 0, 0)
    data = _tiny_dataset([("killed", "b", zero), ("total", "a", Observation("point", 40, 40))])
    assert_finite_logp_and_gradient(build_model(data, load_config()))
    with pytest.raises(ModelBuildError, match="cannot take a claim of 0"):
        build_model(data, load_config("density"))


def test_nesting_conflict_is_named():
    data = _tiny_dataset([
        ("killed", "a", Observation("point", 90, 90)),
        ("wounded", "a", Observation("point", 50, 50)),
        ("total", "b", Observation("upper_bound", 0, 100)),
    ], complete=True)
    (conflict,) = nesting_conflicts(data)
    assert "'total' is complete" in conflict and "140" in conflict


def test_identical_figures_from_different_speakers_count_once():
    """An undeclared copy: two speakers give the same figure for the same quantity. With
    dependence.identical_figures = "once" (the default) the two claims weigh 1/2 each; a
    repeat by one of them joins the group (1/3 each); the same figure about another
    quantity, or a different figure, stays separate."""
    from reconcile.model.inputs import evidence_weights

    sources = (Source("a", "A", "official", "x"), Source("b", "B", "monitor", None))
    quantities = (Quantity("q1", "Q1", "killed", "x"), Quantity("q2", "Q2", "killed", "x"))
    fifty, sixty = Observation("point", 50, 50), Observation("point", 60, 60)
    made = [("q1", "a", fifty), ("q1", "b", fifty), ("q1", "b", fifty), ("q2", "a", fifty),
            ("q1", "a", sixty)]
    dataset = Dataset(sources, quantities, tuple(
        Claim(f"c{i}", q, s, "exact", obs, "doc.txt", "quote") for i, (q, s, obs) in enumerate(made)))
    once = evidence_weights(dataset, merge_identical_figures=True)
    # a's two claims on q1 (50 and 60) are one group; b's two 50s join it through the 50
    np.testing.assert_allclose(once, [0.25, 0.25, 0.25, 1.0, 0.25])
    independent = evidence_weights(dataset, merge_identical_figures=False)
    np.testing.assert_allclose(independent, [0.5, 0.5, 0.5, 1.0, 0.5])
    config = config_from_dict({"dependence": {"identical_figures": "independent"}})
    np.testing.assert_allclose(ModelInputs.from_dataset(dataset, config).weight, independent)


def test_refits_compute_deterministics_under_their_own_data(seed_dataset, default_config):
    """nutpie samples the free parameters only; the deterministics are computed afterwards
    by one vectorized function. They must equal PyMC's own computation, follow the stance
    priors swapped in for another anchor, and leave the model's data as they were."""
    import pymc as pm

    from reconcile.config import SamplerConfig
    from reconcile.analysis.sensitivity import other_anchor
    from reconcile.inference.compiled import Refitter

    refitter = Refitter(seed_dataset, default_config)
    sampler = SamplerConfig(draws=50, tune=50, chains=2)
    before = refitter.model["prior_data"].get_value().copy()  # the stance priors among them
    idata = refitter.sample(seed_dataset, seed=1, sampler=sampler,
                            config=other_anchor(default_config))
    posterior = idata.posterior.to_dataset()
    stance = posterior["stance_bias"].std(("chain", "draw")).to_series()
    assert stance["own"] == 0 and stance["third_party"] > 0  # the own-loss anchor is fixed
    np.testing.assert_array_equal(refitter.model["prior_data"].get_value(), before)

    default = refitter.sample(seed_dataset, seed=1, sampler=sampler).posterior.to_dataset()
    free = default[[rv.name for rv in refitter.model.free_RVs]]
    expected = pm.compute_deterministics(free, model=refitter.model, progressbar=False)
    for name in expected.data_vars:
        np.testing.assert_allclose(default[name].transpose(*expected[name].dims).values,
                                   expected[name].values, rtol=1e-12, err_msg=name)
        assert default[name].dims[:2] == ("chain", "draw")
    assert list(default["count"]["quantity"].values) == [q.quantity_id for q in seed_dataset.quantities]


def test_refits_use_the_backend_the_run_chose(seed_dataset, default_config):
    """A refitter compiled for PyMC's own NUTS samples with it (not nutpie), swaps the data
    in for the call only, and reaches the same posterior as nutpie within Monte Carlo
    error; the sensitivity refits take the fit's backend with the model file's preset."""
    from reconcile.analysis.sensitivity import refit_sampler
    from reconcile.config import SamplerConfig
    from reconcile.inference import Fit
    from reconcile.inference.compiled import Refitter
    from reconcile.inference.pymc_backend import PymcModel

    sampler = SamplerConfig(backend="pymc", draws=300, tune=300, chains=2)
    refitter = Refitter(seed_dataset, default_config, backend="pymc")
    assert isinstance(refitter.compiled, PymcModel)
    before = refitter.model["claim_data"].get_value().copy()  # the weights are its last row
    weights = np.zeros(before.shape[1])  # no claim counts: the posterior is the prior
    prior_fit = refitter.sample(seed_dataset, seed=3, sampler=sampler, weights=weights)
    np.testing.assert_array_equal(refitter.model["claim_data"].get_value(), before)
    assert prior_fit.posterior.sizes["draw"] == 300
    with_claims = refitter.sample(seed_dataset, seed=3, sampler=sampler)
    # the claims pin the seed counts far tighter than the prior (log sd 4)
    log_count = np.log(with_claims.posterior["count"]).std(("chain", "draw"))
    prior_sd = np.log(prior_fit.posterior["count"]).std(("chain", "draw"))
    assert float((log_count / prior_sd).median()) < 0.5
    with pytest.raises(ValueError, match="compiled for pymc, not nutpie"):
        refitter.sample(seed_dataset, seed=3, sampler=SamplerConfig(draws=20, tune=20))

    fit = Fit(seed_dataset, default_config, refitter.model, with_claims, seed=3, sampler=sampler)
    preset = refit_sampler(fit)
    chosen = default_config.presets.sensitivity  # the draws and mass matrix are the preset's
    assert (preset.backend, preset.draws, preset.tune, preset.chains, preset.mass_matrix) == (
        "pymc", chosen.draws, chosen.tune, chosen.chains, chosen.mass_matrix)


def test_predictive_groups_stay_within_their_budget(seed_dataset, default_config, monkeypatch):
    """posterior.nc's predictive groups are thinned evenly to PREDICTIVE_VALUES values of
    claim_obs (a 10,000-claim archive must not write gigabytes), seeded, and aligned with the
    claims. A posterior of 4 chains x 50 draws, taken from the prior, stands in for a fit."""
    import xarray as xr

    from reconcile.inference import predictive

    model = build_model(seed_dataset, default_config)
    prior = pm.sample_prior_predictive(draws=200, model=model, random_seed=1)
    draws = prior.prior.to_dataset().isel(chain=0, drop=True)
    draws = draws.assign_coords(chain=("draw", np.repeat(np.arange(4), 50)),
                                step=("draw", np.tile(np.arange(50), 4)))
    posterior = (draws.drop_vars("draw").set_index(draw=["chain", "step"]).unstack("draw")
                 .rename(step="draw").transpose("chain", "draw", ...))
    idata = xr.DataTree.from_dict({"posterior": posterior,
                                   "constant_data": prior.constant_data.to_dataset()})
    n_claims = len(seed_dataset.claims)
    monkeypatch.setattr(predictive, "PREDICTIVE_VALUES", 40 * n_claims)
    first = predictive.with_predictive(idata, model, default_config, seed=5)
    again = predictive.with_predictive(idata, model, default_config, seed=5)
    shape = first.posterior_predictive["claim_obs"].shape
    assert shape == (4, 10, n_claims)  # 40 draws: 10 per chain, spread over all 50
    assert first.prior_predictive["claim_obs"].shape == (1, 40, n_claims)
    np.testing.assert_array_equal(first.posterior_predictive["claim_obs"].values,
                                  again.posterior_predictive["claim_obs"].values)
    assert "posterior" in first.children and "prior" in first.children


def test_posterior_statements_drawn_at_once_follow_the_models_own_draws(seed_dataset,
                                                                         default_config):
    """posterior.nc's posterior predictive statements are drawn for all draws at once
    (predictive._posterior_statements); PyMC's sample_posterior_predictive draws them one
    draw at a time from the model's CustomDist. Under one parameter point repeated 2,000
    times both give each claim's statement distribution: two-sample KS per claim (27
    claims) at p > 0.001 (all 27 pass with probability about 0.97 if they agree; statements
    5% larger fail it, min p 6e-23)."""
    import xarray as xr
    from scipy.stats import ks_2samp

    from reconcile.inference.predictive import _posterior_statements

    model = build_model(seed_dataset, default_config)
    prior = pm.sample_prior_predictive(draws=1, model=model, random_seed=2)
    point = prior.prior.to_dataset().isel(chain=0, draw=0, drop=True)
    posterior = point.expand_dims(chain=[0], draw=np.arange(2000)).copy()
    at_once = _posterior_statements(posterior, model, default_config, seed=[1, 2])
    one_by_one = pm.sample_posterior_predictive(
        xr.DataTree.from_dict({"posterior": posterior}), model=model, progressbar=False,
        var_names=["claim_obs"], random_seed=3,
        freeze_vars=[v for v in posterior.data_vars if v in model.named_vars],
    ).posterior_predictive["claim_obs"]
    assert at_once["claim_obs"].dims == ("chain", "draw", "claim")
    assert list(at_once["claim"].values) == list(one_by_one["claim"].values)
    a, b = (x.values.reshape(2000, -1) for x in (at_once["claim_obs"], one_by_one))
    p_values = [ks_2samp(a[:, j], b[:, j], method="asymp").pvalue for j in range(a.shape[1])]
    assert min(p_values) > 1e-3, p_values


def _chain_dataset(claims: list[tuple[str, str]]) -> Dataset:
    """war > front > battle > killed, a chain of single children, beside another leaf."""
    sources = (Source("a", "A", "official", "x"), Source("b", "B", "monitor", None))
    quantities = (
        Quantity("war", "War", "killed", "x"),
        Quantity("front", "Front", "killed", "x", parent="war"),
        Quantity("battle", "Battle", "killed", "x", parent="front"),
        Quantity("killed", "Killed", "killed", "x", parent="battle"),
        Quantity("other", "Other", "killed", "x", parent="war"),
    )
    point = Observation("point", 40, 40)
    return Dataset(sources, quantities, tuple(
        Claim(f"c{i}", q, s, "exact", point, "doc.txt", "quote")
        for i, (q, s) in enumerate(claims)))


def test_a_leaf_is_anchored_where_most_speakers_claim_in_its_chain():
    """The chain runs up while a parent has no other child (war has two: it ends at front);
    the most speakers win, the highest on a tie."""
    from reconcile.model.inputs import leaf_anchor

    pinned_battle = _chain_dataset([("killed", "a"), ("battle", "a"), ("battle", "b"),
                                    ("front", "a"), ("war", "a"), ("war", "b")])
    assert leaf_anchor(pinned_battle, "killed") == "battle"
    assert leaf_anchor(pinned_battle, "other") == "other"
    tied = _chain_dataset([("killed", "a"), ("battle", "b"), ("war", "a")])
    assert leaf_anchor(tied, "killed") == "battle"  # front has no speaker: battle ties killed
    only_leaf = _chain_dataset([("killed", "a"), ("killed", "b"), ("front", "a")])
    assert leaf_anchor(only_leaf, "killed") == "killed"
    inputs = ModelInputs.from_dataset(pinned_battle)
    assert [inputs.quantity_ids[q] for q in inputs.leaf_anchor] == ["battle", "other"]


def test_an_anchored_leaf_is_the_same_model(default_config):
    """Sampling the anchor's log count at Student-t(mean + shift) and subtracting the shift
    (model/counts.py) has Jacobian 1: at matching points the log density and every count
    equal those of the leaf sampled itself, wherever the remainders are."""
    import dataclasses

    from reconcile.model.build import build_from_inputs

    dataset = _chain_dataset([("killed", "a"), ("battle", "a"), ("battle", "b"), ("war", "b")])
    anchored = ModelInputs.from_dataset(dataset, default_config)
    itself = dataclasses.replace(anchored, leaf_anchor=anchored.leaf_quantity)
    assert not np.array_equal(anchored.leaf_anchor, itself.leaf_anchor)
    models = [build_from_inputs(i, default_config) for i in (anchored, itself)]
    logps = [m.compile_logp() for m in models]
    counts = [m.compile_fn(m.replace_rvs_by_values([m["count"]])[0], inputs=m.value_vars,
                           on_unused_input="ignore") for m in models]
    remainders = list(anchored.remainder_ids)  # war, front, battle
    rng = np.random.default_rng(3)
    point = models[1].initial_point()
    for _ in range(10):
        trial = {k: v + rng.normal(0, 1.5, size=np.shape(v)) for k, v in point.items()}
        log_ratio = trial["remainder_log_ratio"]
        # battle is the anchor of killed: log T_battle = log T_killed + log(1 + rho_battle)
        shift = np.logaddexp(0.0, log_ratio[remainders.index("battle")])
        moved = dict(trial, leaf_log=trial["leaf_log"] + np.array([shift, 0.0]))
        assert logps[0](moved) == pytest.approx(logps[1](trial), rel=1e-10, abs=1e-9)
        np.testing.assert_allclose(counts[0](moved), counts[1](trial), rtol=1e-10)
        assert counts[1](trial)[0] > counts[1](trial)[3]  # the remainders are not all 0
