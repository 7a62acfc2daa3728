"""Which claims and which assumptions drive each estimate.

Three views, per quantity:

* **leave one source out**: the model refitted without each speaking source's claims (their
  evidence weights set to 0 in the compiled model, so no recompilation), and how far the
  median moves. Not importance sampling: PSIS reweighting of the fit's draws was tried and
  failed where it matters most. When a source is the only one to speak about a quantity, the
  posterior without it reaches where the fit has no draws, yet the weights' Pareto k stays low
  (medians off by 16x with k = -0.9 on the seed data);
* **the other anchor**: the model refitted with the other identification anchor (own-loss
  statements unbiased on average instead of third parties, or the reverse), swapped into the
  same compiled model;
* **power-scaling** (Kallioinen et al. 2024, ArviZ's psense): how much the posterior of the
  log count changes when the count priors, the bias priors or the likelihood are
  strengthened or weakened a little. No refit: Pareto-smoothed importance sampling.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from reconcile.analysis.flags import subtree
from reconcile.config import ModelConfig, SamplerConfig, StanceEffect
from reconcile.constants import HEADLINE_PROB, interval_columns
from reconcile.logs import quiet
from reconcile.model.inputs import ModelInputs

if TYPE_CHECKING:
    from reconcile.inference import Fit
    from reconcile.inference.compiled import Refitter
COUNT_PRIORS = ["leaf_log", "remainder_log_ratio", "count_intercept_z", "count_span_slope_z",
                "count_outcome", "count_within_sd"]
BIAS_PRIORS = ["stance_z", "kind_bias", "source_bias_sd", "source_bias_free"]
PSENSE_THRESHOLD = 0.05  # Kallioinen et al.'s threshold for a noticeable sensitivity


@dataclass(frozen=True)
class Sensitivity:
    leave_one_out: pd.DataFrame  # source_id, quantity_id, median, lower_90, upper_90, factor,
    # speaks_here (the source made a claim about this quantity), speaks_on_relative (about
    # a quantity nested with it: an ancestor or a part)
    anchor: pd.DataFrame  # quantity_id, median, lower_90, upper_90, factor
    power_scaling: pd.DataFrame  # quantity_id, count_prior, bias_prior, likelihood, diagnosis
    anchor_description: str
    reference_median: pd.Series  # the fit's own medians, by quantity_id

    def by_quantity(self) -> pd.DataFrame:
        """One row per quantity: the source whose removal moves the median most, and by
        what factor; the factor under the other anchor; the power-scaling sensitivities."""
        rows = []
        loo = self.leave_one_out
        for quantity_id, median in self.reference_median.items():
            moves = loo[loo["quantity_id"] == quantity_id]
            source, factor, influence = _most_influential(moves)
            speakers = set(moves.loc[moves["speaks_here"], "source_id"]) if len(moves) else set()
            rows.append({"quantity_id": quantity_id, "median": float(median),
                         "most_influential_source": source, "factor_without_it": factor,
                         "influence": influence,
                         "only_source": speakers == {source},
                         "factor_other_anchor": float(self.anchor.set_index("quantity_id")
                                                      .loc[quantity_id, "factor"])})
        table = pd.DataFrame(rows)
        return table.merge(self.power_scaling, on="quantity_id", how="left")


INFLUENCE = {"here": "spoke about it", "relative": "spoke about a quantity nested with it",
             "bias": "spoke of neither: it moves the estimate through the biases it shares"}


def _most_influential(moves: pd.DataFrame) -> tuple[str, float, str]:
    """The source whose removal moves the median most among those that spoke about the
    quantity or about a quantity nested with it (a parent or a part); when none did, among
    all (such a source moves it only through the kind and stance biases it shares with
    those that did). With the factor and which of the three the source is."""
    if not len(moves):
        return "", 1.0, ""
    spoke = moves["speaks_here"] | moves["speaks_on_relative"]
    candidates = moves[spoke] if spoke.any() else moves
    top = candidates.iloc[int(np.argmax(np.abs(np.log(candidates["factor"]))))]
    reach = ("here" if top["speaks_here"] else "relative" if top["speaks_on_relative"]
             else "bias")
    return str(top["source_id"]), float(top["factor"]), INFLUENCE[reach]


def refit_sampler(fit: Fit) -> SamplerConfig:
    """The refits' sampler: the fit's own (its backend), with the model file's
    ``presets.sensitivity`` draws."""
    return fit.config.preset_sampler("sensitivity", fit.sampler)


def sensitivity(fit: Fit, refitter: Refitter | None = None, seed: int = 0,
                sampler: SamplerConfig | None = None,
                progress: Callable[[str], None] | None = None) -> Sensitivity:
    """Leave-one-source-out and other-anchor refits (one compiled model, the fit's backend)
    and power-scaling; ``progress`` is told of each refit as it starts."""
    from reconcile.inference.compiled import Refitter

    sampler = sampler or refit_sampler(fit)
    refitter = refitter or fit.refitter or Refitter(fit.dataset, fit.config, model=fit.model,
                                                    backend=sampler.backend)
    reference = fit.idata.posterior["count"].median(("chain", "draw")).to_series()
    other = other_anchor(fit.config)
    inputs = fit.inputs
    say = progress or (lambda message: None)
    say(f"sensitivity: refit 1 of {len(inputs.source_ids) + 1}, with the other anchor")
    anchor_idata = refitter.sample(fit.dataset, seed=seed + len(inputs.source_ids),
                                   sampler=sampler, config=other)
    return Sensitivity(
        leave_one_out=leave_one_source_out(fit, refitter, reference, inputs, seed, sampler, say),
        anchor=_count_table(anchor_idata.posterior["count"], reference),
        power_scaling=power_scaling(fit),
        anchor_description=other.identification(),
        reference_median=reference,
    )


def leave_one_source_out(fit: Fit, refitter: Refitter, reference: pd.Series,
                         inputs: ModelInputs, seed: int, sampler: SamplerConfig,
                         progress: Callable[[str], None] = lambda message: None) -> pd.DataFrame:
    """Counts refitted without each speaking source's claims (the other anchor's refit
    comes first: these are refits 2 to n + 1)."""
    rows = []
    refits = len(inputs.source_ids) + 1
    for number, source_id in enumerate(inputs.source_ids):
        progress(f"sensitivity: refit {number + 2} of {refits}, without {source_id}")
        weights = np.where(inputs.claim_source == number, 0.0, inputs.weight)
        idata = refitter.sample(fit.dataset, seed=seed + number, sampler=sampler, weights=weights)
        table = _count_table(idata.posterior["count"], reference)
        table.insert(0, "source_id", source_id)
        rows.append(table)
    return with_speakers(pd.concat(rows, ignore_index=True), fit.dataset)


def with_speakers(table: pd.DataFrame, dataset) -> pd.DataFrame:
    """``table`` (source_id, quantity_id columns) with speaks_here (the source made a claim
    about the quantity) and speaks_on_relative (about one nested with it)."""
    spoken: dict[str, set[str]] = {}
    for claim in dataset.claims:
        spoken.setdefault(claim.source_id, set()).add(claim.quantity_id)
    # the quantities nesting ties to each one: its ancestors and all its parts
    relatives = {q: set(subtree(dataset, q)[1:]) | set(dataset.ancestors(q))
                 for q in set(table["quantity_id"])}
    pairs = list(zip(table["source_id"], table["quantity_id"]))
    return table.assign(
        speaks_here=[q in spoken.get(s, ()) for s, q in pairs],
        speaks_on_relative=[bool(relatives[q] & spoken.get(s, set())) for s, q in pairs])


def other_anchor(config: ModelConfig) -> ModelConfig:
    """The same model with the other identification anchor: if third parties anchor it, own-
    loss statements do instead (third parties get the own prior's spread), and otherwise the
    default anchor (third parties unbiased on average). Only the stance priors change; each
    stance keeps its direction."""
    bias = config.bias
    if bias.third_party.fixed:
        own = StanceEffect(mu=0.0, fixed=True, direction=bias.own.direction)
        third = StanceEffect(mu=0.0, sigma=bias.own.sigma, direction=bias.third_party.direction)
        name = "own-loss statements"
    else:
        own = StanceEffect(mu=-0.36, sigma=0.35, direction=bias.own.direction)
        third = StanceEffect(mu=0.0, fixed=True, direction=bias.third_party.direction)
        name = "third parties"
    return config.model_copy(update={
        "name": f"{config.name} (anchor: {name})",
        "bias": bias.model_copy(update={"own": own, "third_party": third}),
    })


def power_scaling(fit: Fit) -> pd.DataFrame:
    """ArviZ's power-scaling sensitivity of each log count to the count priors, the bias
    priors and the likelihood, with ArviZ's diagnosis."""
    import arviz_stats as azs
    import pymc as pm
    import xarray as xr

    idata = fit.idata.copy()
    if "log_prior" not in idata.children:
        pm.stats.compute_log_prior(idata, model=fit.model, progressbar=False)
        _as_standardised_leaf_prior(idata)
    posterior = idata["posterior"].to_dataset()
    posterior["log_count"] = np.log(posterior["count"])
    idata["posterior"] = xr.DataTree(posterior)
    present = set(idata["log_prior"].data_vars)
    with warnings.catch_warnings(), quiet("arviz_stats"):
        # psense_summary logs a pointer to its docs; the report explains the diagnosis
        warnings.filterwarnings("ignore", message=".*Pareto.*")
        counts = azs.psense(idata, var_names=["log_count"], group="prior",
                            group_var_names=[v for v in COUNT_PRIORS if v in present])
        biases = azs.psense(idata, var_names=["log_count"], group="prior",
                            group_var_names=[v for v in BIAS_PRIORS if v in present])
        likelihood = azs.psense(idata, var_names=["log_count"], group="likelihood")
        summary = azs.psense_summary(idata, var_names=["log_count"], threshold=PSENSE_THRESHOLD)
    quantities = [str(q) for q in posterior["quantity"].values]
    return pd.DataFrame({
        "quantity_id": quantities,
        "count_prior_sensitivity": counts["log_count"].values,
        "bias_prior_sensitivity": biases["log_count"].values,
        "likelihood_sensitivity": likelihood["log_count"].values,
        "diagnosis": list(summary["diagnosis"].values),
    })


def _as_standardised_leaf_prior(idata) -> None:
    """The leaves' prior term as the density of their standardised deviates,
    t((log T - mean) / sd), which is log p(log T | mean, sd) + log sd. Power-scaling is not
    invariant to reparameterisation: scaling p(log T | mean, sd) would also scale the
    Jacobian sd^-1 of every leaf and so push the pooled sd, a change of the prior's
    parameterisation (the leaves were sampled as deviates until they were centred for
    NUTS), not of what it says."""
    import xarray as xr

    log_prior = idata["log_prior"].to_dataset()
    if "leaf_log" not in log_prior or "count_within_sd" not in idata["posterior"]:
        return  # independent pooling: the sd is a constant, which power-scaling ignores
    log_prior["leaf_log"] = log_prior["leaf_log"] + np.log(idata["posterior"]["count_within_sd"])
    idata["log_prior"] = xr.DataTree(log_prior)


def _count_table(count, reference: pd.Series) -> pd.DataFrame:
    """Median and central interval of ``count`` draws (chain, draw, quantity), and the factor
    by which the median differs from ``reference``."""
    import arviz_stats as azs

    eti = azs.eti(count, prob=HEADLINE_PROB, dim=["chain", "draw"])
    low_col, high_col = interval_columns(HEADLINE_PROB)
    median = count.median(("chain", "draw")).to_series()
    return pd.DataFrame({
        "quantity_id": median.index.astype(str),
        "median": median.to_numpy(),
        low_col: eti.sel(ci_bound="lower").values,
        high_col: eti.sel(ci_bound="upper").values,
        "factor": median.to_numpy() / reference.loc[median.index].to_numpy(),
    })
