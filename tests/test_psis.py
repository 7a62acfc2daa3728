"""PSIS of every claim at once (analysis/psis.py) against ArviZ's, claim by claim, and the
claims' LOO built on it against ArviZ's own loo."""

from __future__ import annotations

import warnings

import arviz_stats as azs
import numpy as np
import pytest
import xarray as xr

from reconcile.analysis import psis, rank_diagnostics
from reconcile.analysis.psis import claim_loo, psis_log_weights


def _log_likelihood(rng: np.random.Generator, chains: int, draws: int,
                    claims: int) -> xr.DataArray:
    """Claims' log densities of every kind PSIS meets: well-behaved, a nearly flat one, and
    heavy-tailed ones whose k is large, NaN (the fit refuses) or from a failed fit."""
    centre, scale = rng.normal(size=claims), np.exp(rng.normal(size=claims))
    values = -0.5 * (rng.standard_t(3, size=(chains, draws, claims)) * scale - centre) ** 2
    values[..., 0] = rng.normal(size=(chains, draws)) * 1e-3
    values[..., 1] = -np.abs(rng.standard_cauchy(size=(chains, draws))) * 50
    return xr.DataArray(values, dims=("chain", "draw", "claim"),
                        coords={"claim": [f"c{i}" for i in range(claims)]})


@pytest.mark.parametrize("chains, draws, r_eff", [(4, 500, 0.7), (1, 1000, 1.0),
                                                  (2, 40, 1.0), (4, 2000, 0.3)])
def test_psis_is_arviz_psislw(chains, draws, r_eff):
    """Four shapes: the tail's length from r_eff, from a fifth of the draws (under 225),
    one chain; Pareto k from -0.2 to over 30, NaN for some."""
    log_lik = _log_likelihood(np.random.default_rng(draws), chains, draws, 120)
    ours = psis_log_weights(log_lik, r_eff)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = log_lik.azstats.psislw(r_eff=r_eff, dim=["chain", "draw"])
    for mine, reference in zip(ours, theirs):
        assert mine.dims == reference.dims
        np.testing.assert_allclose(mine.values, reference.values, rtol=1e-9, atol=1e-12,
                                   equal_nan=True)
    khat = ours[1].values
    assert np.nanmax(khat) > 1 and np.nanmin(khat) < 0.5  # both regimes were compared


def test_threads_do_not_change_psis(monkeypatch):
    log_lik = _log_likelihood(np.random.default_rng(3), 4, 300, 60)
    monkeypatch.setattr(rank_diagnostics, "BLOCK_VALUES", 1)  # a claim a block
    threads = psis_log_weights(log_lik, 0.8)
    monkeypatch.setattr(rank_diagnostics, "available_cores", lambda: 1)
    for one, other in zip(psis_log_weights(log_lik, 0.8), threads):
        xr.testing.assert_identical(one, other)


def test_claim_loo_is_arviz_loo(monkeypatch):
    """elpd, its se, p_loo and every claim's elpd and k: ArviZ's loo, one claim at a time,
    and ours, all claims at once (in blocks of a few claims here)."""
    rng = np.random.default_rng(8)
    spread = np.exp(rng.normal(-1, 1, size=80))  # k from about -0.1 to over 0.7
    log_lik = xr.DataArray(-0.5 * (rng.standard_t(5, size=(4, 400, 80)) * spread) ** 2,
                           dims=("chain", "draw", "claim"))
    posterior = xr.Dataset({"mu": (("chain", "draw"), rng.normal(size=(4, 400))),
                            "tau": (("chain", "draw", "k"), rng.normal(size=(4, 400, 3)))})
    tree = xr.DataTree.from_dict({"posterior": posterior,
                                  "log_likelihood": xr.Dataset({"claim_obs": log_lik})})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        monkeypatch.setattr(psis, "ELPD_BLOCK_VALUES", 3 * 1600)
        ours = claim_loo(tree)
        theirs = azs.loo(tree, pointwise=True, var_name="claim_obs")
    for name in ("elpd", "se", "p"):
        assert getattr(ours, name) == pytest.approx(getattr(theirs, name), rel=1e-9)
    np.testing.assert_allclose(ours.pareto_k.values, theirs.pareto_k.values, rtol=1e-9)
    np.testing.assert_allclose(ours.elpd_i.values, theirs.elpd_i.values, rtol=1e-9)
    assert np.isfinite(ours.elpd) and ours.pareto_k.values.max() > 0.7
