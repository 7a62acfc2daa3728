"""Scoring intervals of true counts against the truth: interval score, coverage, width.

**Why the log scale.** Counts span orders of magnitude: a battle of 20 dead and a war of
20,000 sit in one archive. On the count scale the war's interval alone would decide any
average, and missing 20,000 by 5,000 would weigh 250 times missing 20 by 20, although the
second is the worse estimate. All scores here are therefore computed on ``log1p(count)``
(log(1 + count), defined at a count or bound of 0, as a denial's claim is): a width of 1 is a
factor of e (about 2.7) between the ends, a miss is measured as a ratio.

**Interval score** (Gneiting & Raftery 2007, JASA 102:359-378, section 6.2). For a central
(1 - alpha) interval [l, u] and truth y, all on the log1p scale::

    S = (u - l) + (2 / alpha) * (l - y) * [y < l] + (2 / alpha) * (y - u) * [y > u]

Lower is better. It is proper: its expectation is lowest for the true alpha/2 and 1 - alpha/2
quantiles, so a narrow interval is rewarded only if it also covers; a miss costs 2/alpha times
its distance (20 times for 90% intervals).
"""

from __future__ import annotations

import numpy as np


def _log_scale(*arrays) -> list[np.ndarray]:
    out = [np.log1p(np.asarray(a, dtype=float)) for a in arrays]
    shapes = {a.shape for a in out}
    if len(shapes) > 1:
        raise ValueError(f"lower, upper and truth must have one shape, got {sorted(shapes)}")
    return out


def interval_scores(lower, upper, truth, alpha: float) -> np.ndarray:
    """The interval score of each interval (log1p scale, see the module's docstring)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    low, high, y = _log_scale(lower, upper, truth)
    if np.any(high < low):
        raise ValueError("an interval's upper end is below its lower end")
    below = np.clip(low - y, 0.0, None)
    above = np.clip(y - high, 0.0, None)
    return (high - low) + (2.0 / alpha) * (below + above)


def interval_score(lower, upper, truth, alpha: float) -> float:
    """The mean interval score over quantities, on the log1p scale (Gneiting & Raftery 2007):
    width plus 2/alpha times the distance by which the truth falls outside."""
    return float(np.mean(interval_scores(lower, upper, truth, alpha)))


def coverage(lower, upper, truth) -> float:
    """The share of intervals that hold the truth (ends included)."""
    low, high, y = (np.asarray(a, dtype=float) for a in (lower, upper, truth))
    return float(np.mean((low <= y) & (y <= high)))


def median_log_width(lower, upper) -> float:
    """The median width on the log1p scale: log((1 + upper) / (1 + lower))."""
    low, high = _log_scale(lower, upper)
    return float(np.median(high - low))
