"""The report's rank plots test the chains' agreement on draws thinned to the slowest
parameter's effective sample size (analysis.convergence.rank_draws): ArviZ's multi-chain
test assumes independent draws, so thinned too little it flags chains that agree."""

from __future__ import annotations

import numpy as np
import xarray as xr

from reconcile.analysis.convergence import rank_draws

CHAINS, DRAWS = 4, 1000


def ar1(rho: float, rng: np.random.Generator) -> np.ndarray:
    """Independent AR(1) chains of one stationary law N(0, 1)."""
    out = np.empty((CHAINS, DRAWS))
    out[:, 0] = rng.normal(size=CHAINS)
    noise = rng.normal(scale=np.sqrt(1 - rho**2), size=(CHAINS, DRAWS))
    for t in range(1, DRAWS):
        out[:, t] = rho * out[:, t - 1] + noise[:, t]
    return out


def posterior(seed: int) -> xr.Dataset:
    """A slow parameter (AR(1), rho 0.95) among three that mix at once."""
    rng = np.random.default_rng(seed)
    fast = {f"fast{i}": (("chain", "draw"), ar1(0.0, rng)) for i in range(3)}
    return xr.Dataset({"slow": (("chain", "draw"), ar1(0.95, rng)), **fast})


def multi_chain_p(draws: xr.DataArray) -> float:
    """ArviZ's multi-chain uniformity test ("mtc_c", as plot_rank runs it)."""
    ranks = draws.to_dataset(name="x").azstats.compute_ranks(dim=["chain", "draw"],
                                                             relative=True)
    p_value, _, _ = ranks.azstats.mchain_uniformity_test(dim=["chain", "draw"])
    return float(p_value["x"])


def test_the_slowest_parameter_sets_the_thinning():
    draws = posterior(0)
    factors = {name: draws[[name]].azstats.thin_factor() for name in draws.data_vars}
    thinned = rank_draws(draws)
    assert factors["slow"] > max(factors[f"fast{i}"] for i in range(3))
    assert thinned.sizes["draw"] == len(range(0, DRAWS, factors["slow"]))
    np.testing.assert_array_equal(thinned["slow"].values,
                                  draws["slow"].values[:, ::factors["slow"]])
    # ArviZ's own dataset thinning takes the mean factor: fewer than the slow one needs
    assert draws.azstats.thin_factor() < factors["slow"]


def test_chains_that_agree_pass_the_multi_chain_test_once_thinned():
    """40 posteriors whose four chains are independent draws of one law. Unthinned, the
    slow parameter's autocorrelation makes the test reject nearly always (the failure
    rank_draws exists for); thinned, it rejects at its level: at 1%, 4 or more rejections
    in 40 have probability 0.0008 (binomial), so at most 3 are allowed."""
    unthinned = thinned = 0
    for seed in range(40):
        draws = posterior(seed)
        unthinned += multi_chain_p(draws["slow"]) < 0.01
        thinned += multi_chain_p(rank_draws(draws)["slow"]) < 0.01
    assert unthinned >= 30
    assert thinned <= 3
