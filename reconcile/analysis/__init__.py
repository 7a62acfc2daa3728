"""What a fit says: estimates, source biases and diagnostics (summaries.py, diagnostics.py),
per-claim posterior predictive checks (ppc.py), what drives each estimate (sensitivity.py),
model comparison (comparison.py), and every table of a run at once (tables.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from reconcile.inference import Fit


def estimates(fit: Fit) -> pd.DataFrame:
    """One row per quantity: mean, median, 50/90/95% central intervals, R-hat, ESS."""
    from reconcile.analysis.summaries import estimates_table

    return estimates_table(fit)


def source_biases(fit: Fit) -> pd.DataFrame:
    """One row per speaking source: its bias as a multiplicative factor on the true count."""
    from reconcile.analysis.summaries import source_bias_table

    return source_bias_table(fit)


def diagnostics(fit: Fit) -> dict:
    """Convergence (NUTS) or approximation (ADVI) diagnostics, with ``ok`` and reasons."""
    from reconcile.analysis.convergence import diagnostics as fit_diagnostics

    return fit_diagnostics(fit)


__all__ = ["diagnostics", "estimates", "source_biases"]
