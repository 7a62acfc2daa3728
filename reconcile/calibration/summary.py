"""Calibration summaries: uniformity of SBC ranks, and coverage of the true counts.

Uniformity: ArviZ's pointwise order test with Cauchy combination (``pot_c``) on the PITs of
each parameter element across simulations, Holm-adjusted across the elements of one
(model, scenario). Measured under the null here (2,000 uniform samples of 100 or 200):
it rejects 1.2% of the time at the 1% level.

Coverage: the share of simulations whose central interval of a true count covers it. The
intervals of one simulation share its biases and noise scales, so they are not
independent: the standard error uses the spread of the per-simulation coverage (a cluster
standard error), floored at the binomial one.
"""

from __future__ import annotations

import arviz_stats  # noqa: F401 - registers the .azstats accessor
import numpy as np
import pandas as pd
import xarray as xr

from reconcile.constants import INTERVAL_PROBS

REJECT_LEVEL = 0.01  # family-wise, after Holm's correction
TOLERANCE_Z = 2.576  # coverage within 99% of its sampling error is "nominal"


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment (family-wise error), NaNs left as they are."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(np.isfinite(p))
    order = valid[np.argsort(p[valid])]
    m = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def uniformity(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, scenario, parameter, element): n, mean PIT, pot_c p-value and its
    Holm adjustment within the (model, scenario)."""
    rows = []
    for (model, scenario), group in table.groupby(["model", "scenario"], sort=False):
        wide = group.pivot_table(index=["parameter", "element"], columns="simulation",
                                 values="pit", sort=False)
        pits = xr.DataArray(wide.to_numpy(), dims=["element", "simulation"])
        p_values = pits.azstats.uniformity_test(dim="simulation", method="pot_c")[0].values
        adjusted = holm(p_values)
        for (parameter, element), values, p, p_adj in zip(wide.index, wide.to_numpy(),
                                                         p_values, adjusted):
            finite = values[np.isfinite(values)]
            rows.append({"model": model, "scenario": scenario, "parameter": parameter,
                         "element": element, "n": len(finite),
                         "mean_pit": float(finite.mean()), "p_value": float(p),
                         "p_holm": float(p_adj), "rejected": bool(p_adj < REJECT_LEVEL)})
    return pd.DataFrame(rows)


def coverage(table: pd.DataFrame, parameter: str = "count") -> pd.DataFrame:
    """Pooled coverage of the true values of ``parameter`` at 50/90/95% per (model, scenario),
    with its cluster standard error and whether nominal lies within 2.58 of them."""
    rows = []
    subset = table[table["parameter"] == parameter]
    for (model, scenario), group in subset.groupby(["model", "scenario"], sort=False):
        n_sims = group["simulation"].nunique()
        n_elements = group["element"].nunique()
        for prob in INTERVAL_PROBS:
            column = f"covered_{round(prob * 100)}"
            per_sim = group.groupby("simulation")[column].mean()
            rate = float(group[column].mean())
            binomial_se = np.sqrt(prob * (1 - prob) / len(group))
            cluster_se = float(per_sim.std(ddof=1) / np.sqrt(n_sims)) if n_sims > 1 else np.nan
            se = max(binomial_se, cluster_se) if np.isfinite(cluster_se) else binomial_se
            rows.append({"model": model, "scenario": scenario, "parameter": parameter,
                         "nominal": prob, "coverage": rate, "se": se,
                         "simulations": n_sims, "elements": n_elements,
                         "within_tolerance": bool(abs(rate - prob) <= TOLERANCE_Z * se)})
    return pd.DataFrame(rows)


def coverage_by_element(table: pd.DataFrame, parameter: str = "count",
                        prob: float = 0.9) -> pd.DataFrame:
    """Per element (e.g. quantity): coverage over the simulations, which is binomial."""
    from scipy import stats

    column = f"covered_{round(prob * 100)}"
    subset = table[table["parameter"] == parameter]
    rows = []
    for (model, scenario, element), group in subset.groupby(["model", "scenario", "element"],
                                                            sort=False):
        hits, n = int(group[column].sum()), len(group)
        test = stats.binomtest(hits, n, prob)
        rows.append({"model": model, "scenario": scenario, "element": element, "n": n,
                     "coverage": hits / n, "p_value": float(test.pvalue)})
    return pd.DataFrame(rows)


def fit_health(fits: pd.DataFrame) -> pd.DataFrame:
    """Per (model, scenario): fits run, failed, with divergences or R-hat > 1.01; seconds."""
    rows = []
    for (model, scenario), group in fits.groupby(["model", "scenario"], sort=False):
        done = group[group["ok"]]
        rows.append({"model": model, "scenario": scenario, "fits": len(group),
                     "failed": int((~group["ok"]).sum()),
                     "with_divergences": int((done["divergences"] > 0).sum()),
                     "r_hat_above_1.01": int((done["max_r_hat"] > 1.01).sum()),
                     "median_seconds": float(group["seconds"].median()),
                     "total_seconds": float(group["seconds"].sum())})
    return pd.DataFrame(rows)
