"""Reproducer for an upstream report to arviz-stats (docs/upstream/arviz-stats-mtc-c.md):
the multi-chain uniformity test behind plot_rank's default method "mtc_c" rejects four
independent chains drawn from one stationary law when they are autocorrelated.

    .venv/bin/python docs/upstream/mtc_c_ar1.py
"""

from __future__ import annotations

import numpy as np
from arviz_stats.base import array_stats
from scipy.stats import rankdata


def ar1_chains(rho: float, chains: int = 4, draws: int = 2000, seed: int = 0) -> np.ndarray:
    """Independent AR(1) chains, each started in the stationary law N(0, 1)."""
    rng = np.random.default_rng(seed)
    out = np.empty((chains, draws))
    out[:, 0] = rng.normal(size=chains)
    noise = rng.normal(scale=np.sqrt(1 - rho**2), size=(chains, draws))
    for t in range(1, draws):
        out[:, t] = rho * out[:, t - 1] + noise[:, t]
    return out


def mtc_c_p_value(draws: np.ndarray, thin: int = 1) -> float:
    """The test's global p-value on the pooled fractional ranks (chain, draw)."""
    kept = draws[:, ::thin]
    ranks = (rankdata(kept, axis=None).reshape(kept.shape) - 0.5) / kept.size
    p_value, _, _ = array_stats.mchain_uniformity_test(ranks, chain_axis=0, draw_axis=1)
    return float(p_value)


if __name__ == "__main__":
    for rho in (0.0, 0.5, 0.9, 0.95, 0.98):
        p = [mtc_c_p_value(ar1_chains(rho, seed=s)) for s in range(5)]
        thinned = [mtc_c_p_value(ar1_chains(rho, seed=s), thin=20) for s in range(5)]
        print(f"rho {rho:4.2f}: p over 5 seeds {np.round(p, 3)}; thinned by 20 {np.round(thinned, 3)}")
