"""Rank-normalised split R-hat and bulk and tail ESS (Vehtari et al. 2021) of every
parameter at once.

ArviZ (arviz_stats.base.diagnostics) computes them one parameter at a time in Python, each
with a stable sort of its draws: 104 s for the 11,000 parameters of benchmark R (5,000
claims, 8,000 draws), most of that run's checks. Here the same arithmetic runs on blocks of
parameters as arrays, on every core, and the split chains' ranks are computed once for
R-hat and bulk ESS: 22 s there. tests/test_rank_diagnostics.py holds every value to
ArviZ's.

The tail ESS is the smaller of the ESS of the indicators of the 5% and 95% quantiles, as in
the paper (and Stan's ess_tail). ArviZ's default takes them from its rcParam
``stats.ci_prob``, 0.89 today, and checks the 11% and 89% quantiles; a notebook that set
that rcParam for its plots would have changed a run's verdict.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import xarray as xr
from scipy.fft import next_fast_len
from scipy.special import ndtri

from reconcile.constants import SAMPLE_DIMS
from reconcile.inference.backends import available_cores

TAIL_PROB = 0.05  # the tail ESS's quantiles: TAIL_PROB and 1 - TAIL_PROB
BLOCK_VALUES = 2_000_000  # draws held per block of parameters (16 MB of float64)


def rank_diagnostics(posterior: xr.Dataset) -> tuple[xr.Dataset, xr.Dataset, xr.Dataset]:
    """R-hat, bulk ESS and tail ESS of every element of every variable of ``posterior``
    (dims chain and draw first or anywhere), each a Dataset of the variables' other dims.
    NaN where ArviZ gives NaN: a NaN draw, or fewer than 4 draws (R-hat: or 1 chain)."""
    results = ({}, {}, {})
    for name, values in posterior.data_vars.items():
        other = [d for d in values.dims if d not in SAMPLE_DIMS]
        ordered = values.transpose(*other, *SAMPLE_DIMS)
        columns = in_blocks(ordered.values.reshape(-1, *ordered.shape[-2:]), _block)
        for result, column in zip(results, columns):
            result[name] = xr.DataArray(column.reshape(ordered.shape[:-2]),
                                        coords={d: ordered[d] for d in other
                                                if d in ordered.coords},
                                        dims=other)
    return tuple(xr.Dataset(result) for result in results)


def relative_ess(posterior: xr.Dataset) -> float:
    """The r_eff ArviZ's loo computes when it is not given one: the mean over every element
    of every variable of its ESS of the mean (split chains, no ranks), over the number of
    draws; 1 with one chain. At 11,000 parameters ArviZ's own took about half of loo's
    time."""
    if posterior.sizes["chain"] == 1:
        return 1.0
    values = [in_blocks(posterior[name].transpose(..., *SAMPLE_DIMS).values
                         .reshape(-1, *(posterior.sizes[d] for d in SAMPLE_DIMS)),
                         _mean_block)[0]
              for name in posterior.data_vars]
    return float(np.hstack(values).mean() / (posterior.sizes["chain"] * posterior.sizes["draw"]))


def in_blocks(draws: np.ndarray, block_function) -> tuple[np.ndarray, ...]:
    """``block_function`` of rows of ``draws`` (a parameter's or a claim's draws each),
    block by block on every core (NumPy's sorts, transforms and ufuncs release the GIL;
    each block's numbers are the same whichever thread computes it), its outputs joined."""
    per_block = max(1, BLOCK_VALUES // max(1, draws[0].size))
    blocks = [draws[start:start + per_block] for start in range(0, len(draws), per_block)]
    if len(blocks) == 1:
        parts = [block_function(blocks[0])]
    else:
        with ThreadPoolExecutor(min(len(blocks), available_cores())) as pool:
            parts = list(pool.map(block_function, blocks))
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(len(parts[0])))


def _mean_block(draws: np.ndarray) -> tuple[np.ndarray]:
    """ESS of the mean of (parameters, chains, draws): arviz_stats' _ess_mean."""
    draws = np.asarray(draws, dtype=float)
    if draws.shape[-1] < 4:
        return (np.full(len(draws), np.nan),)
    with np.errstate(divide="ignore", invalid="ignore"):
        ess = _ess(_split_chains(draws))
    ess[np.isnan(draws).any(axis=(1, 2))] = np.nan
    return (ess,)


def _block(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R-hat, bulk ESS and tail ESS of (parameters, chains, draws)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # NaN draws give NaN, as ArviZ's
        return _block_values(np.asarray(draws, dtype=float))


def _block_values(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_params, n_chains, n_draws = draws.shape
    nan = np.full(n_params, np.nan)
    if n_draws < 4:
        return nan, nan.copy(), nan.copy()
    has_nan = np.isnan(draws).any(axis=(1, 2))
    split = _split_chains(draws)
    z_bulk = _z_scale(split)
    folded = np.abs(split - np.median(split.reshape(n_params, -1), axis=1)[:, None, None])
    rhat = np.full(n_params, np.nan)
    if n_chains >= 2:
        bulk_rhat, tail_rhat = _rhat(z_bulk), _rhat(_z_scale(folded))
        rhat = np.where(tail_rhat > bulk_rhat, tail_rhat, bulk_rhat)  # Python's max(bulk, tail)
    ess_bulk = _ess(z_bulk)
    flat = draws.reshape(n_params, -1)
    ess_tail = np.minimum(*[_ess(_split_chains(
        (draws <= np.quantile(flat, prob, axis=1)[:, None, None]).astype(float)))
        for prob in (TAIL_PROB, 1 - TAIL_PROB)])
    for values in (rhat, ess_bulk, ess_tail):
        values[has_nan] = np.nan
    return rhat, ess_bulk, ess_tail


def _split_chains(draws: np.ndarray) -> np.ndarray:
    """Each chain's first and last halves as chains of their own (first halves first)."""
    half = draws.shape[-1] // 2
    return np.concatenate([draws[..., :half], draws[..., -half:]], axis=1)


def _z_scale(split: np.ndarray) -> np.ndarray:
    """Normal scores of the average ranks of each parameter's pooled draws (Blom's 3/8)."""
    flat = split.reshape(len(split), -1)
    size = flat.shape[1]
    return ndtri((_average_ranks(flat) - 3 / 8) / (size - 2 * 3 / 8 + 1)).reshape(split.shape)


def _average_ranks(flat: np.ndarray) -> np.ndarray:
    """scipy.stats.rankdata(flat, "average", axis=1) from one unstable argsort per row (a
    third of rankdata's stable sort): the order within a tie does not change its average.
    Folded draws always tie (the two draws nearest the median are equally far from it)."""
    n_values = flat.shape[1]
    order = np.argsort(flat, axis=1)
    ordered = np.take_along_axis(flat, order, axis=1)
    sorted_ranks = np.tile(np.arange(1.0, n_values + 1), (len(flat), 1))
    row, column = np.nonzero(ordered[:, 1:] == ordered[:, :-1])  # ties with the value before
    if len(row):
        tie = row * n_values + column + 1  # flat positions, ascending
        run_start = np.flatnonzero(np.diff(tie, prepend=-2) != 1)
        first = tie[run_start] - 1  # a run of ties begins one before its first tie
        last = np.append(tie[run_start[1:] - 1], tie[-1])
        average = 0.5 * ((first % n_values) + (last % n_values)) + 1.0
        runs = np.repeat(np.arange(len(run_start)), np.diff(np.append(run_start, len(tie))))
        sorted_ranks.reshape(-1)[tie] = average[runs]
        sorted_ranks.reshape(-1)[first] = average
    ranks = np.empty(flat.shape)
    np.put_along_axis(ranks, order, sorted_ranks, axis=1)
    return ranks


def _rhat(split: np.ndarray) -> np.ndarray:
    """Potential scale reduction of (parameters, chains, draws)."""
    n_draws = split.shape[-1]
    between = n_draws * split.mean(axis=2).var(axis=1, ddof=1)
    within = split.var(axis=2, ddof=1).mean(axis=1)
    return np.sqrt((between / within + n_draws - 1) / n_draws)


def _ess(chains: np.ndarray) -> np.ndarray:
    """ESS of (parameters, chains, draws) by Geyer's initial monotone sequence, as
    arviz_stats' _ess computes it pair by pair: the sequence stops before the first pair of
    autocorrelations whose sum is not positive (pair 0 is 1 + rho_1), each pair's sum is
    capped by the pairs before it (a running minimum), and the even lag after the last pair
    counts once where it is positive or its pair was kept."""
    n_params, n_chains, n_draws = chains.shape
    total = n_chains * n_draws
    rho = _autocorrelations(chains)
    lags = len(range(1, n_draws - 3, 2))  # arviz: t = 1, 3, ... while t < n_draws - 3
    lag = np.arange(lags)
    pairs = rho[:, 2 + 2 * lag] + rho[:, 3 + 2 * lag]  # pair j + 1, j = 0 .. lags - 1
    sums = np.concatenate([1.0 + rho[:, 1:2], pairs], axis=1)[:, :lags]  # pair j, tested
    stops = ~(sums > 0.0)
    first_stop = stops.argmax(axis=1) if lags else np.zeros(n_params, dtype=int)
    kept_pairs = np.where(stops.any(axis=1), first_stop, lags)
    capped = np.where(lag < kept_pairs[:, None], np.minimum.accumulate(sums, axis=1), 0.0)
    rows = np.arange(n_params)
    after = rho[rows, 2 * kept_pairs]  # the even lag after the last kept pair
    last_tested = pairs[rows, np.maximum(kept_pairs - 1, 0)] if lags else np.zeros(n_params)
    counted = (last_tested >= 0.0) | (after > 0.0)
    edge = np.where(kept_pairs >= 1, np.where(counted, after, 0.0), 1.0)
    tau = np.maximum(-1.0 + 2.0 * capped.sum(axis=1) + edge, 1.0 / np.log10(total))
    ess = total / tau
    ess[np.isnan(rho[:, 1])] = np.nan
    constant = (chains.max(axis=(1, 2)) - chains.min(axis=(1, 2))) < np.finfo(float).resolution
    return np.where(constant, float(total), ess)


def _autocorrelations(chains: np.ndarray) -> np.ndarray:
    """1 - (mean within-chain variance - mean autocovariance at lag t) / var_plus, every
    lag t, per parameter: Geyer's rho_t across chains (arviz_stats' formula)."""
    n_draws = chains.shape[-1]
    size = next_fast_len(2 * n_draws)
    centred = chains - chains.mean(axis=2, keepdims=True)
    transform = np.fft.rfft(centred, n=size, axis=2)
    transform *= np.conjugate(transform)
    autocov = np.fft.irfft(transform, n=size, axis=2)[..., :n_draws] / n_draws
    mean_var = autocov[:, :, 0].mean(axis=1) * n_draws / (n_draws - 1.0)
    var_plus = mean_var * (n_draws - 1.0) / n_draws
    if chains.shape[1] > 1:
        var_plus = var_plus + chains.mean(axis=2).var(axis=1, ddof=1)
    return 1.0 - (mean_var[:, None] - autocov.mean(axis=1)) / var_plus[:, None]


__all__ = ["TAIL_PROB", "in_blocks", "rank_diagnostics", "relative_ess"]
