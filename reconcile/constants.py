"""Interval conventions, pinned in one place and passed explicitly to every ArviZ call.

All credible intervals are central (equal-tailed, ETI): the 90% interval runs from the 5th to
the 95th posterior percentile. ArviZ 1.x defaults to 89% ETI; we never rely on that default.
"""

INTERVAL_KIND = "eti"
INTERVAL_PROBS: tuple[float, ...] = (0.5, 0.9, 0.95)
HEADLINE_PROB = 0.9  # the interval quoted in citations and the bias table
SAMPLE_DIMS = ("chain", "draw")  # the posterior's sample dimensions

# Convergence thresholds a run must meet (Vehtari et al. 2021 for R-hat and ESS).
MAX_RHAT = 1.01
MIN_ESS_BULK = 400
MIN_ESS_TAIL = 400
MIN_BFMI = 0.3
PARETO_K_BAD = 0.7


def interval_columns(prob: float) -> tuple[str, str]:
    """Column names for a central interval, e.g. 0.9 -> ("lower_90", "upper_90")."""
    percent = round(prob * 100)
    return f"lower_{percent}", f"upper_{percent}"
