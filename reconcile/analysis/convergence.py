"""Is a fit fit to cite? NUTS: R-hat, ESS bulk and tail, divergences, BFMI, tree depth
(Vehtari et al. 2021 for the thresholds). The ADVI fast path: the optimisation's convergence
(gates the run) and the Pareto k-hat of the approximation (reported; Yao et al. 2018)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import arviz_stats as azs
import numpy as np
import xarray as xr

from reconcile.analysis.rank_diagnostics import TAIL_PROB, rank_diagnostics
from reconcile.constants import (
    MAX_RHAT, MIN_BFMI, MIN_ESS_BULK, MIN_ESS_TAIL, PARETO_K_BAD, SAMPLE_DIMS,
)
from reconcile.inference.advi import (
    GROUP,
    MAX_LOSS_DROP_PER_PARAMETER,
    convergence_window,
    loss_drop_per_parameter,
)

MAX_LISTED = 20  # failing parameters listed in diagnostics.json (all are counted)

if TYPE_CHECKING:
    from reconcile.inference import Fit


def diagnostics(fit: Fit) -> dict:
    """The fit's diagnostics, with ``ok`` and the reasons when not ok."""
    return approximation_diagnostics(fit) if fit.approximate else convergence_diagnostics(fit)


def convergence_diagnostics(fit: Fit) -> dict:
    """R-hat, ESS bulk/tail, divergences, BFMI, tree-depth saturation; ``ok`` and reasons."""
    posterior = fit.idata.posterior.to_dataset()
    stats = fit.idata.sample_stats.to_dataset()
    free = [name for name in posterior.data_vars if _varies(posterior[name])]
    rhat, ess_bulk, ess_tail = rank_diagnostics(posterior[free])
    max_rhat = max(float(rhat[v].max()) for v in free)
    min_bulk = min(float(ess_bulk[v].min()) for v in free)
    min_tail = min(float(ess_tail[v].min()) for v in free)
    divergences = int(stats["diverging"].sum())
    bfmi = np.atleast_1d(azs.bfmi(fit.idata).dataset["energy"].values).astype(float)
    depth_var = "reached_max_treedepth" if "reached_max_treedepth" in stats else "maxdepth_reached"
    saturated = int(stats[depth_var].sum()) if depth_var in stats else 0
    reasons = []
    if max_rhat > MAX_RHAT:
        reasons.append(f"max R-hat {max_rhat:.3f} > {MAX_RHAT} "
                       f"({_worst(rhat, free, largest=True)})")
    if min_bulk < MIN_ESS_BULK:
        reasons.append(f"min ESS bulk {min_bulk:.0f} < {MIN_ESS_BULK} "
                       f"({_worst(ess_bulk, free, largest=False)})")
    if min_tail < MIN_ESS_TAIL:
        reasons.append(f"min ESS tail {min_tail:.0f} < {MIN_ESS_TAIL} "
                       f"({_worst(ess_tail, free, largest=False)})")
    failing = _failing(rhat, ess_bulk, ess_tail, free)
    if divergences:
        reasons.append(f"{divergences} divergent transitions")
    if (bfmi < MIN_BFMI).any():
        reasons.append(f"BFMI {bfmi.min():.2f} < {MIN_BFMI} in a chain")
    if saturated:
        reasons.append(f"{saturated} draws hit the maximum tree depth")
    return {
        "ok": not reasons,
        "reasons": reasons,
        "method": "nuts",
        "approximate": False,
        "max_r_hat": max_rhat,
        "min_ess_bulk": min_bulk,
        "min_ess_tail": min_tail,
        "divergences": divergences,
        "bfmi": [float(b) for b in bfmi],
        "tree_depth_saturated": saturated,
        "failing_parameters": failing[:MAX_LISTED],
        "failing_count": len(failing),
        "draws": int(posterior.sizes["draw"]),
        "chains": int(posterior.sizes["chain"]),
        "thresholds": {"max_r_hat": MAX_RHAT, "min_ess_bulk": MIN_ESS_BULK,
                       "min_ess_tail": MIN_ESS_TAIL, "min_bfmi": MIN_BFMI,
                       "ess_tail_quantiles": [TAIL_PROB, 1 - TAIL_PROB]},
    }


def _label(values: xr.DataArray, name: str, flat_index: int) -> str:
    """``name[coordinate, ...]`` of one element (the coordinates' labels where they have
    them: ``remainder_log_ratio[iran_killed_since_oct_2015]``)."""
    if not values.dims:
        return name
    position = np.unravel_index(flat_index, values.shape)
    labels = [str(values[dim].values[i]) if dim in values.coords else str(i)
              for dim, i in zip(values.dims, position)]
    return f"{name}[{', '.join(labels)}]"


def _worst(table: xr.Dataset, free: list[str], largest: bool) -> str:
    """The parameter with the largest (R-hat) or smallest (ESS) value, named."""
    picks = []
    for name in free:
        flat = np.asarray(table[name].values, dtype=float).ravel()
        index = int(np.nanargmax(flat) if largest else np.nanargmin(flat))
        picks.append((flat[index] if largest else -flat[index], name, index))
    _, name, index = max(picks)
    return _label(table[name], name, index)


def _failing(rhat: xr.Dataset, bulk: xr.Dataset, tail: xr.Dataset, free: list[str]) -> list[str]:
    """Every parameter element past a threshold, worst R-hat first: what a reader checks
    in the trace and rank plots."""
    found = []
    for name in free:
        r = np.asarray(rhat[name].values, dtype=float).ravel()
        b = np.asarray(bulk[name].values, dtype=float).ravel()
        t = np.asarray(tail[name].values, dtype=float).ravel()
        bad = (r > MAX_RHAT) | (b < MIN_ESS_BULK) | (t < MIN_ESS_TAIL)
        found += [(-r[i], _label(rhat[name], name, i)) for i in np.flatnonzero(bad)]
    return [label for _, label in sorted(found)]


def _varies(values: xr.DataArray) -> bool:
    """Skip draws that are constant by construction (they have no R-hat): a fixed effect of
    0.8 computed as 0.8 + 0 * z can wobble in its last bit, so "constant" is relative."""
    spread = values.std(SAMPLE_DIMS)
    return bool((spread > 1e-12 * (1.0 + abs(values).max(SAMPLE_DIMS))).all())


def approximation_diagnostics(fit: Fit) -> dict:
    """Convergence of the optimisation (gates the run) and the Pareto k-hat (reported)."""
    info = fit.idata[GROUP].to_dataset()
    loss = info["loss"].values
    window = convergence_window(info)
    parameters = int(info.attrs["free_parameters"])
    drop = loss_drop_per_parameter(loss, window, parameters)
    k = float(info.attrs["pareto_k"])
    reasons = []
    if not np.isfinite(loss[-window:]).all():
        reasons.append("the ADVI loss is not finite")
    elif drop > MAX_LOSS_DROP_PER_PARAMETER:
        reasons.append(f"ADVI had not converged: the loss still fell by {drop:.3f} nats per "
                       f"parameter over the last {window:,} iterations (needs <= "
                       f"{MAX_LOSS_DROP_PER_PARAMETER}); give more --advi-iterations")
    last = float(loss[-window:].mean())
    posterior = fit.idata.posterior
    return {
        "ok": not reasons,
        "reasons": reasons,
        "method": "advi",
        "approximate": True,
        "caveat": approximation_caveat(k),
        "iterations": int(loss.size),
        "iterations_requested": int(info.attrs.get("iterations_requested", loss.size)),
        "stopped_early": bool(info.attrs.get("stopped_early", False)),
        "window": window,
        "final_loss": last,
        "loss_drop_per_parameter": drop,
        "pareto_k": k,
        "free_parameters": parameters,
        "draws": int(posterior.sizes["draw"]),
        "chains": int(posterior.sizes["chain"]),
        "thresholds": {"max_loss_drop_per_parameter": MAX_LOSS_DROP_PER_PARAMETER,
                       "pareto_k": PARETO_K_BAD},
    }


def approximation_caveat(k: float) -> str:
    """What every output of an ADVI run says about its intervals."""
    verdict = (f"its Pareto k-hat is {k:.2f} (> {PARETO_K_BAD}): the approximation is not "
               "close to the posterior" if k > PARETO_K_BAD else
               f"its Pareto k-hat is {k:.2f} (<= {PARETO_K_BAD})")
    return ("APPROXIMATE: fitted with mean-field ADVI, not NUTS. Its intervals can be much too "
            "narrow, or too wide where the posterior has two modes (benchmarks/RESULTS.md "
            f"measures their coverage) and {verdict}. Use it to "
            "screen an archive; refit what you cite with NUTS.")


def rank_draws(posterior: xr.Dataset) -> xr.Dataset:
    """``posterior``'s draws thinned for rank tests, which assume independent draws: every
    chain keeps every k-th draw, k set by the slowest variable's effective sample size.
    ArviZ's own thinning of a dataset takes the variables' mean factor, which leaves a slow
    one autocorrelated (the seed run's source_bias_sd: multi-chain test p = 0.004 at the
    mean factor 4, 0.78 at its own 13; docs/upstream/arviz-stats-mtc-c.md)."""
    factor = max(posterior[[name]].azstats.thin_factor() for name in posterior.data_vars)
    return posterior.isel(draw=slice(None, None, factor))
