"""Build the PyMC reconciliation model from a validated dataset and a model configuration.

Generative story, on the log scale of counts:

* every leaf has a true count; a parent's is the sum of its children's, times (1 + its
  remainder ratio) unless it is complete, so children never exceed their parent;
* a source s making claim i about quantity q would state S_i with
  log S_i = log T_q + r_i + noise_i,  r_i = stance_i + kind_s + dev_s,  noise_i ~ scale_s * t_nu,
  where a directed stance (own losses: a floor; enemy losses: a ceiling) keeps r_i and the
  noise softly on its side (direction.py); a party's blanket denial of its own losses is an
  exact 0 whatever the count, with probability ``readings.denial_rate``;
* each claim observes the interval that S_i lies in (see likelihood.py), weighted by
  1/(size of its evidence group) so repeats and relays of one statement count once.

All arrays are indexed; the graph has a fixed number of nodes whatever the dataset size.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt

from reconcile.config import STANCES, ModelConfig
from reconcile.dataset.records import Dataset
from reconcile.model.buildable import check_buildable
from reconcile.model.centring import (CENTRED_FROM, boundary_avoiding_sd, centred_sources,
                                      source_effects)
from reconcile.model.counts import true_counts
from reconcile.model.direction import claim_directions, directed_bias
from reconcile.model.inputs import ModelInputs
from reconcile.model.likelihood import claim_likelihood
from reconcile.model.tolls import (clean_share, count_reading, log_fraction_to_date,
                                   toll_parameters)

# Same seed, same numbers: with numba's fastmath (PyTensor's default) LLVM may reorder
# floating-point operations differently in a freshly compiled log density than in one loaded
# from the on-disk cache, so a first run and a second run of the same command sampled other
# draws (measured: the seed dataset's first and cached runs gave different estimates.csv).
# Fastmath also assumes no inf or NaN, which the log-CDF tails produce. Every model this
# package compiles is built here, so IEEE arithmetic is set once, before any compilation.
pytensor.config.numba__fastmath = False

OBSERVED = "claim_obs"
# The model's data are three pm.Data, not one per array: nutpie compiles one numba wrapper
# per shared variable, and its compilation grew with their number (issue 16: 18 of them took
# a cached compile of 17 s, 3 took 8 s). Refits swap CLAIM_DATA and PRIOR_DATA.
CLAIM_DATA = "claim_data"  # (CLAIM_ROWS, claim) floats: each claim's reading and weight
INDEX_DATA = "index_data"  # every index array, one after another (INDEX_ARRAYS)
PRIOR_DATA = "prior_data"  # stance priors, the direction's shape, spans, centred sources
CLAIM_ROWS = ("lower", "upper", "has_lower", "has_upper", "is_point", "extra_variance", "above",
              "below", "direction", "own", "weight", "elapsed", "dated", "count_reading",
              "clean_share")
OBSERVATION_ROWS = CLAIM_ROWS[:8]  # the claim's reading (model/inputs.Observations)
INDEX_ARRAYS = ("claim_quantity", "claim_source", "claim_stance", "source_kind", "pair_quantity",
                "pair_leaf", "leaf_quantity", "leaf_anchor", "uplift_quantity", "uplift_remainder",
                "leaf_outcome", "claim_toll", "clean_claims", "clean_cell", "clean_previous_cell",
                "clean_lead", "clean_table")


def model_data(inputs: ModelInputs, config: ModelConfig,
               weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The values of the model's three pm.Data for ``inputs`` under ``config`` (the stance
    priors), with evidence ``weights`` other than the dataset's when given (0 drops a
    claim)."""
    obs = inputs.observations
    rows = [getattr(obs, name) for name in OBSERVATION_ROWS]
    rows.append(claim_directions(inputs.claim_stance, config))
    rows.append(inputs.claim_stance == STANCES.index("own"))
    weights = inputs.weight if weights is None else weights
    rows.append(weights)
    rows += [inputs.tolls.claim_elapsed, inputs.tolls.claim_dated,
             count_reading(inputs.tolls.claim_dated, inputs.claim_stance, config),
             clean_share(inputs.tolls.claim_dated, inputs.claim_stance, config)]
    priors = [config.bias.stance(name) for name in STANCES]
    bias = config.bias
    centred = centred_sources(inputs, weights)
    return {
        CLAIM_DATA: np.array(rows, dtype=float).reshape(len(CLAIM_ROWS), -1),
        INDEX_DATA: np.concatenate([getattr(inputs, name) for name in INDEX_ARRAYS]
                                   ).astype(np.int64),
        PRIOR_DATA: np.concatenate([[p.mu for p in priors],
                                    [0.0 if p.fixed else p.sigma for p in priors],
                                    [bias.direction_softness, bias.direction_far_scale],
                                    inputs.leaf_log_span, inputs.tolls.end_days,
                                    inputs.tolls.has_end, inputs.tolls.log_span,
                                    *(centred[name] for name in CENTRED_FROM)]).astype(float),
    }


def build_model(dataset: Dataset, config: ModelConfig, inputs: ModelInputs | None = None,
                mark_denials: bool = False, compiled_loop: bool = True) -> pm.Model:
    """The PyMC model for ``dataset`` under ``config`` (nothing is sampled here); ``inputs``
    are the dataset's model inputs when the caller has them already; ``mark_denials``: its
    predictive draws mark a blanket denial as likelihood.DENIAL (the simulator's);
    ``compiled_loop``: see likelihood.claim_likelihood."""
    inputs = inputs or ModelInputs.from_dataset(dataset, config)
    check_buildable(dataset, config)
    return build_from_inputs(inputs, config, mark_denials, compiled_loop)


def build_from_inputs(inputs: ModelInputs, config: ModelConfig,
                      mark_denials: bool = False, compiled_loop: bool = True) -> pm.Model:
    values = model_data(inputs, config)
    with pm.Model(coords=inputs.coords) as model:
        # observed data as pm.Data so that simulated datasets can be swapped in; index
        # arrays are data too: numba compiles constants into the code, which makes
        # compilation time grow with the dataset (minutes at 5,000 claims)
        data = {name: pm.Data(name, value) for name, value in values.items()}
        claim = SimpleNamespace(**{row: data[CLAIM_DATA][i] for i, row in enumerate(CLAIM_ROWS)})
        index = _unpacked_index(data[INDEX_DATA], inputs)
        n_stances = len(STANCES)
        index.stance_prior_mu = data[PRIOR_DATA][:n_stances]
        index.stance_prior_sd = data[PRIOR_DATA][n_stances:2 * n_stances]
        softness, far_scale = data[PRIOR_DATA][2 * n_stances], data[PRIOR_DATA][2 * n_stances + 1]
        n_leaves, n_tolls = len(inputs.leaf_ids), len(inputs.tolls.ids)
        per_leaf = data[PRIOR_DATA][2 * n_stances + 2:]
        index.leaf_log_span = per_leaf[:n_leaves]
        end_days, has_end, toll_log_span = (per_leaf[n_leaves + i * n_tolls:][:n_tolls]
                                            for i in range(3))
        n_sources = len(inputs.source_ids)
        index.centred = {name: per_leaf[n_leaves + 3 * n_tolls + i * n_sources:][:n_sources]
                         for i, name in enumerate(CENTRED_FROM)}

        log_count = pt.log(true_counts(inputs, config, index))
        stance, source_bias = _biases(inputs, config, index)
        index.claim_direction = claim.direction
        to_date = 0.0  # log(toll to date / final toll) of each claim: running tolls only
        if n_tolls:
            to_date = log_fraction_to_date(toll_parameters(config, toll_log_span),
                                           index.claim_toll, claim.elapsed,
                                           claim.dated, end_days, has_end)
        loc = claim_location(log_count, stance, source_bias, index, softness, to_date,
                             claim.count_reading)
        noise_scale = _noise_scales(config, index)
        scale = claim_scale(noise_scale, claim.extra_variance, index)
        clean = None
        if values[CLAIM_DATA][CLAIM_ROWS.index("clean_share")].any():  # counts read as clean
            clean = (*clean_reading(log_count, noise_scale, claim.extra_variance, index, config,
                                    to_date), claim.clean_share, index.clean_lead)
        claim_likelihood(OBSERVED, loc, scale, claim, far_scale, config,
                         inputs.observations.stated, mark_denials, clean, compiled_loop,
                         (index.clean_claims, index.clean_cell, index.clean_previous_cell,
                          index.clean_table[0], index.clean_table[1]))
    return model


def _unpacked_index(packed, inputs: ModelInputs) -> SimpleNamespace:
    """The index arrays as slices of the one packed vector (offsets fixed by the shape)."""
    index, start = SimpleNamespace(), 0
    for name in INDEX_ARRAYS:
        length = len(getattr(inputs, name))
        setattr(index, name, packed[start:start + length])
        start += length
    return index


def claim_location(log_count, stance, source_bias, index: ModelInputs | SimpleNamespace,
                   softness: float, to_date=0.0, reading=1.0):
    """Log of what each claim's source would state before noise: log T + the claim's
    directed bias (stance + source bias, kept on its direction's side: direction.py), plus
    ``to_date``, log(T(as_of) / T) for a claim on a running toll (tolls.py). Works
    on PyMC tensors and on numpy draws (leading sample axes); ``index`` holds the claim index
    arrays and ``claim_direction`` (ModelInputs with the directions added by
    ``with_directions``, or the pm.Data twins inside the model); ``reading``: the factor on
    each claim's source bias (tolls.count_reading: a running toll's count to date)."""
    bias = stance[..., index.claim_stance] + reading * source_bias[..., index.claim_source]
    return (log_count[..., index.claim_quantity] + to_date
            + directed_bias(bias, index.claim_direction, softness))


def with_directions(inputs: ModelInputs, config: ModelConfig) -> SimpleNamespace:
    """``inputs``' claim index arrays and each claim's direction under ``config``, as
    ``claim_location`` and ``claim_scale`` take them (NumPy callers)."""
    return SimpleNamespace(claim_quantity=inputs.claim_quantity,
                           claim_stance=inputs.claim_stance,
                           claim_source=inputs.claim_source,
                           claim_direction=claim_directions(inputs.claim_stance, config))


def claim_scale(noise_scale, extra_variance, index: ModelInputs | SimpleNamespace):
    """Noise scale of each claim: its source's, widened for "about X" and vague words."""
    scale = noise_scale[..., index.claim_source]
    return (scale**2 + extra_variance) ** 0.5


def clean_reading(log_count, noise_scale, extra_variance,
                  index: ModelInputs | SimpleNamespace, config: ModelConfig, to_date):
    """Location and scale of each claim read as a clean count to date (tolls.clean_share):
    the toll to date itself, no bias, and ``clean_noise`` times its source's noise. Works on
    PyMC tensors and on numpy draws, as claim_location and claim_scale do."""
    return (log_count[..., index.claim_quantity] + to_date,
            claim_scale(config.tolls.clean_noise * noise_scale, extra_variance, index))


def _biases(inputs: ModelInputs, config: ModelConfig, index: SimpleNamespace):
    """Stance effects and each source's own bias (kind effect + source deviation), log scale.

    A stance effect is mu + sd * z with its prior's mu and sd held as data (sd 0 for a fixed
    anchor, whose z then only follows its prior), so configurations that differ only in
    their stance priors, such as another identification anchor, share one compiled model."""
    stance_mu, stance_sd = index.stance_prior_mu, index.stance_prior_sd
    stance_z = pm.Normal("stance_z", 0.0, 1.0, dims="stance")
    stance = pm.Deterministic("stance_bias", stance_mu + stance_sd * stance_z, dims="stance")
    if len(inputs.kind_ids) > 1:
        kind = pm.ZeroSumNormal("kind_bias", sigma=config.bias.kind_sigma, dims="kind")
    else:
        kind = pt.zeros(1)
    source_sd = boundary_avoiding_sd("source_bias_sd", config.bias.source_sigma)
    source_bias = pm.Deterministic(
        "source_bias", source_effects(
            "source_bias", kind[index.source_kind], source_sd, index.centred["source_bias"],
            index.source_kind if config.bias.source_deviations == "sum_to_zero" else None),
        dims="source")
    return stance, source_bias


def _noise_scales(config: ModelConfig, index: SimpleNamespace):
    """Per-source noise scale, hierarchical within kind (kind effects non-centred, source
    deviations as centring.py writes them)."""
    noise = config.noise
    kind_z = pm.Normal("noise_kind_z", 0.0, 1.0, dims="kind")
    kind_log_scale = np.log(noise.sigma_median) + noise.sigma_kind_sd * kind_z
    source_sd = boundary_avoiding_sd("noise_source_sd", noise.sigma_source_sd)
    log_scale = source_effects("noise_source", kind_log_scale[index.source_kind], source_sd,
                               index.centred["noise_source"])
    return pm.Deterministic("noise_scale", pt.exp(log_scale), dims="source")
