"""Tidy tables from a Fit: estimates per quantity, biases per source, stance effects.

Every interval is a central (equal-tailed) interval computed by ArviZ with the probability
passed explicitly (see constants.py).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr

from reconcile.analysis.flags import flag_column
from reconcile.analysis.rank_diagnostics import rank_diagnostics
from reconcile.config import STANCES
from reconcile.constants import HEADLINE_PROB, INTERVAL_PROBS, SAMPLE_DIMS, interval_columns
from reconcile.model.direction import SIGN, directed_bias

if TYPE_CHECKING:
    from reconcile.inference import Fit


def _interval(posterior: xr.Dataset, var: str, prob: float) -> tuple[np.ndarray, np.ndarray]:
    eti = azs.eti(posterior[[var]], prob=prob, dim=list(SAMPLE_DIMS))[var]
    return eti.sel(ci_bound="lower").values, eti.sel(ci_bound="upper").values


def estimates_table(fit: Fit) -> pd.DataFrame:
    """One row per quantity: posterior mean, sd, median, 50/90/95% central intervals, R-hat,
    bulk and tail ESS (empty for the ADVI fast path), the number of claims, and the flags a
    reader must see before citing (flags.py)."""
    posterior = fit.idata.posterior.to_dataset()
    count = posterior["count"]
    quantity_ids = [str(q) for q in count["quantity"].values]
    table = pd.DataFrame({
        "quantity_id": quantity_ids,
        "description": [fit.dataset.quantity_by_id[q].description for q in quantity_ids],
        "mean": count.mean(SAMPLE_DIMS).values,
        "sd": count.std(SAMPLE_DIMS, ddof=1).values,
        "median": count.median(SAMPLE_DIMS).values,
    })
    for prob in INTERVAL_PROBS:
        low_col, high_col = interval_columns(prob)
        table[low_col], table[high_col] = _interval(posterior, "count", prob)
    if fit.approximate:  # independent draws of an approximation: no chains to compare
        table["r_hat"] = table["ess_bulk"] = table["ess_tail"] = np.nan
    else:
        rhat, bulk, tail = rank_diagnostics(posterior[["count"]])
        table["r_hat"], table["ess_bulk"], table["ess_tail"] = (
            rhat["count"].values, bulk["count"].values, tail["count"].values)
    counts = Counter(c.quantity_id for c in fit.dataset.claims)
    table["n_claims"] = [counts.get(q, 0) for q in quantity_ids]
    table["flags"] = flag_column(fit.dataset, quantity_ids, table["r_hat"], table["ess_bulk"],
                                 table["ess_tail"])
    return table


def source_log_bias_draws(fit: Fit) -> tuple[xr.DataArray, list[str]]:
    """Draws of each speaking source's total log bias (stance + kind + source, kept on its
    stance's side when the stance is directed: model/direction.py), using the
    stance its claims take (the most common one when a source speaks with several)."""
    posterior = fit.idata.posterior
    inputs = fit.inputs
    stances = []
    for source_id in inputs.source_ids:
        counted = Counter(fit.dataset.stance(c) for c in fit.dataset.claims_by(source_id))
        stances.append(counted.most_common(1)[0][0])
    stance_da = posterior["stance_bias"].sel(stance=stances).rename(stance="source")
    stance_da = stance_da.drop_vars("source").assign_coords(source=list(inputs.source_ids))
    direction = xr.DataArray(
        [SIGN[fit.config.bias.stance(stance).direction] for stance in stances],
        dims="source", coords={"source": list(inputs.source_ids)})
    total = stance_da + posterior["source_bias"]
    return directed_bias(total, direction, fit.config.bias.direction_softness), stances


def source_bias_table(fit: Fit) -> pd.DataFrame:
    """One row per speaking source: bias as a multiplicative factor on the true count."""
    log_bias, stances = source_log_bias_draws(fit)
    factor = np.exp(log_bias).to_dataset(name="bias")
    low, high = _interval(factor, "bias", HEADLINE_PROB)
    low_col, high_col = interval_columns(HEADLINE_PROB)
    sources = [fit.dataset.source_by_id[s] for s in log_bias["source"].values]
    noise = fit.idata.posterior["noise_scale"].median(SAMPLE_DIMS)
    return pd.DataFrame({
        "source_id": [s.source_id for s in sources],
        "name": [s.name for s in sources],
        "kind": [s.kind for s in sources],
        "side": [s.side or "" for s in sources],
        "stance": stances,
        "n_claims": [len(fit.dataset.claims_by(s.source_id)) for s in sources],
        "bias_median": factor["bias"].median(SAMPLE_DIMS).values,
        f"bias_{low_col}": low,
        f"bias_{high_col}": high,
        "noise_scale_median": noise.sel(source=[s.source_id for s in sources]).values,
    })


def stance_effects_table(fit: Fit) -> pd.DataFrame:
    """The shared stance effects as multiplicative factors (fixed anchors shown as such)."""
    rows = []
    low_col, high_col = interval_columns(HEADLINE_PROB)
    for stance in STANCES:
        prior = fit.config.bias.stance(stance)
        draws = np.exp(fit.idata.posterior["stance_bias"].sel(stance=stance, drop=True))
        low, high = _interval(draws.to_dataset(name="factor"), "factor", HEADLINE_PROB)
        rows.append({"stance": stance, "factor_median": float(draws.median()),
                     low_col: float(low), high_col: float(high), "fixed": prior.fixed})
    return pd.DataFrame(rows)
