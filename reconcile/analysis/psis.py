"""The claims' PSIS-LOO (Vehtari et al. 2017; Pareto smoothing, Vehtari et al. 2024) for
every claim at once: ArviZ's loo numbers.

ArviZ's loo works one claim at a time in Python: its tail fit (``_psislw``) about 0.6-2 ms
a claim, then each claim's elpd (two SciPy logsumexp calls, 1.2 ms a claim): 3.3 minutes
of a 100,000-claim run. Every claim has the same number of tail draws (it depends only on
the number of draws and r_eff), so the fits stack into arrays: the sort, the generalized
Pareto fit of Zhang and Stephens with its prior on k, and the smoothing run on blocks of
claims, on every core, and the elpd is one logsumexp over each block's rows.
tests/test_psis.py holds the values to ArviZ's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import arviz_stats  # noqa: F401  (registers the .azstats accessor loo_summary is read from)
import numpy as np
import xarray as xr
from scipy.special import logsumexp

from reconcile.analysis.rank_diagnostics import in_blocks, relative_ess
from reconcile.constants import SAMPLE_DIMS

ELPD_BLOCK_VALUES = 2_000_000  # log densities per block of the elpd's logsumexp
_PRIOR_B = 3  # arviz_stats' _gpdfit: the grid of b and the prior on k
_PRIOR_K = 10


@dataclass(frozen=True)
class PointwiseLoo:
    """What a run reads of the claims' PSIS-LOO: elpd, its standard error, the effective
    number of parameters, and each claim's elpd and Pareto k."""

    elpd: float
    se: float
    p: float
    elpd_i: xr.DataArray
    pareto_k: xr.DataArray


def claim_loo(idata: xr.DataTree, var_name: str = "claim_obs") -> PointwiseLoo:
    """``arviz_stats.loo(idata, pointwise=True, var_name=var_name)``'s numbers: r_eff from
    the posterior's ESS of the mean, the smoothed log weights, each claim's elpd and p_loo,
    and ArviZ's own summary of them."""
    log_likelihood = idata.log_likelihood[var_name]
    log_weights, pareto_k = psis_log_weights(log_likelihood,
                                             relative_ess(idata.posterior.to_dataset()))
    other = list(pareto_k.dims)
    values = log_likelihood.transpose(*other, *SAMPLE_DIMS).values
    values = values.reshape(-1, values.shape[-2] * values.shape[-1])
    weights = log_weights.values.reshape(values.shape)
    elpd_i, p_loo_i = np.empty(len(values)), np.empty(len(values))
    per_block = max(1, ELPD_BLOCK_VALUES // values.shape[1])
    for start in range(0, len(values), per_block):
        block = slice(start, start + per_block)
        elpd_i[block] = logsumexp(weights[block] + values[block], axis=1)
        p_loo_i[block] = (logsumexp(values[block], b=1 / values.shape[1], axis=1)
                          - elpd_i[block])
    as_array = partial(xr.DataArray, dims=other, coords=pareto_k.coords)
    elpd_i = as_array(elpd_i.reshape(pareto_k.shape))
    elpd, se, p, _ = elpd_i.azstats.loo_summary(as_array(p_loo_i.reshape(pareto_k.shape)))
    return PointwiseLoo(float(elpd), float(se), float(p), elpd_i, pareto_k)


def psis_log_weights(log_likelihood: xr.DataArray, r_eff: float
                     ) -> tuple[xr.DataArray, xr.DataArray]:
    """Smoothed, normalised log weights (the observation dims, then chain and draw) and the
    Pareto k of each observation, as ``log_likelihood.azstats.psislw(r_eff)`` gives them."""
    other = [d for d in log_likelihood.dims if d not in SAMPLE_DIMS]
    ordered = log_likelihood.transpose(*other, *SAMPLE_DIMS)
    values = ordered.values.reshape(-1, ordered.shape[-2] * ordered.shape[-1])
    n_draws = values.shape[1]
    n_tail = int(np.floor(3 * (n_draws / r_eff) ** 0.5) if n_draws * r_eff > 225
                 else np.floor(n_draws / 5))
    if n_tail < 5:
        raise ValueError("n_draws_tail must be at least 5")
    weights, khat = in_blocks(values, partial(_smoothed, n_tail=n_tail))
    coords = {d: ordered[d] for d in ordered.dims if d in ordered.coords}
    return (xr.DataArray(weights.reshape(ordered.shape), coords=coords, dims=ordered.dims),
            xr.DataArray(khat.reshape(ordered.shape[:-2]),
                         coords={d: coords[d] for d in other if d in coords}, dims=other))


def _smoothed(log_likelihood: np.ndarray, n_tail: int) -> tuple[np.ndarray, np.ndarray]:
    """(observations, draws) log densities -> smoothed normalised log weights (the log
    importance ratios are their negatives, made here a block at a time) and Pareto k:
    arviz_stats' _ps_tail(tail="right", smooth_draws=True, log_weights=True)."""
    n_draws = log_likelihood.shape[1]
    ratios = -log_likelihood
    ratios -= ratios.max(axis=1, keepdims=True)
    order = np.argsort(ratios, axis=1)
    tail_at = order[:, n_draws - n_tail:]
    tail = np.take_along_axis(ratios, tail_at, axis=1)  # ascending
    cutoff = np.take_along_axis(ratios, order[:, n_draws - n_tail - 1:n_draws - n_tail],
                                axis=1)[:, 0]  # the largest value below the tail
    if (np.abs(tail.max(axis=1) - tail.min(axis=1)) < np.finfo(float).tiny).any():
        raise ValueError("All tail values are the same")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        khat, sigma = _gpdfit(np.exp(tail) - np.exp(cutoff)[:, None])
        probs = np.arange(0.5, n_tail) / n_tail
        smoothed = np.log(_gpinv(probs, khat, sigma, np.exp(cutoff)))
    largest = tail.max(axis=1, keepdims=True)
    smoothed = np.where(smoothed > largest, largest, smoothed)
    fitted = np.isfinite(khat)
    new_tail = np.where(fitted[:, None], smoothed, tail)
    np.put_along_axis(ratios, tail_at, new_tail, axis=1)
    return ratios - logsumexp(ratios, axis=1, keepdims=True), khat


def _gpdfit(excess: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Generalized Pareto (k, sigma) of each row of sorted ``excess`` (Zhang and Stephens
    2009, with the weakly informative prior on k of arviz_stats' _gpdfit): NaN where the
    first quartile does not exceed the minimum, k = inf where the fit fails."""
    n = excess.shape[1]
    m_est = 30 + int(n ** 0.5)
    first_quartile = excess[:, int((n / 4 + 0.5) - 1)]
    grid = 1 - np.sqrt(m_est / (np.arange(1, m_est + 1, dtype=float) - 0.5))
    b = grid[None, :] / (_PRIOR_B * first_quartile[:, None]) + 1 / excess[:, -1:]
    k = np.log1p(-b[:, :, None] * excess[:, None, :]).mean(axis=2)
    log_scale = n * (np.log(-b / k) - k - 1)
    weight = np.exp(log_scale - logsumexp(log_scale, axis=1, keepdims=True))
    weight = np.where(weight >= 10 * np.finfo(float).eps, weight, 0.0)  # NaN too
    total = weight.sum(axis=1, keepdims=True)
    weight = np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)
    b_post = np.where(weight > 0, b * weight, 0.0).sum(axis=1)  # dropped: b may be inf
    kappa = np.log1p(-b_post[:, None] * excess).mean(axis=1)
    sigma = -kappa / b_post
    kappa = (n * kappa + _PRIOR_K * 0.5) / (n + _PRIOR_K)
    kappa = np.where(np.isnan(kappa), np.inf, kappa)
    invalid = first_quartile <= excess[:, 0]
    return np.where(invalid, np.nan, kappa), np.where(invalid, np.nan, sigma)


def _gpinv(probs: np.ndarray, kappa: np.ndarray, sigma: np.ndarray,
           mu: np.ndarray) -> np.ndarray:
    """Generalized Pareto quantiles, one row per (kappa, sigma, mu)."""
    kappa, sigma, mu = kappa[:, None], sigma[:, None], mu[:, None]
    tail = np.log1p(-probs)[None, :]
    general = mu + sigma * np.expm1(-kappa * tail) / kappa
    exponential = mu - sigma * tail
    quantiles = np.where(kappa == 0, exponential, general)
    return np.where(sigma <= 0, np.nan, quantiles)


__all__ = ["PointwiseLoo", "claim_loo", "psis_log_weights"]
