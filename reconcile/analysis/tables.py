"""Every table a run reports, computed from a fit in one place: the report, the CSV files
and the notebooks read them from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from reconcile.analysis.convergence import diagnostics
from reconcile.analysis.ppc import claim_checks
from reconcile.analysis.psis import claim_loo
from reconcile.analysis.summaries import estimates_table, source_bias_table, stance_effects_table
from reconcile.analysis.toll_series import toll_series_table
from reconcile.constants import PARETO_K_BAD

if TYPE_CHECKING:
    from reconcile.analysis.sensitivity import Sensitivity
    from reconcile.inference import Fit


@dataclass(frozen=True)
class RunTables:
    """Every table of a run: what the report shows and the CSV files hold."""

    estimates: pd.DataFrame
    sources: pd.DataFrame
    stances: pd.DataFrame
    claims: pd.DataFrame
    diagnostics: dict
    loo: dict
    tolls: pd.DataFrame  # toll_series.csv: running tolls over time (empty without any)
    sensitivity: Sensitivity | None = None
    sensitivity_skipped: str = ""  # why sensitivity is not computed, when it is not


def run_tables(fitted: Fit, seed: int) -> RunTables:
    """Estimates, biases, stance effects, claim checks, diagnostics and LOO of a fit (the
    sensitivity section is added by the pipeline)."""
    loo = claim_loo(fitted.idata)
    checks = claim_checks(fitted, seed=seed, loo=loo)
    return RunTables(
        estimates=estimates_table(fitted),
        sources=source_bias_table(fitted),
        stances=stance_effects_table(fitted),
        claims=checks,
        diagnostics=diagnostics(fitted),
        loo={"elpd": float(loo.elpd), "se": float(loo.se), "p_loo": float(loo.p),
             "n_high_k": int((checks["loo_pareto_k"] > PARETO_K_BAD).sum()),
             "note": "Pareto k > 0.7 marks claims whose removal changes the posterior a lot; "
                     "a claim that is the only evidence on its quantity is always such a claim."},
        tolls=toll_series_table(fitted),
    )
