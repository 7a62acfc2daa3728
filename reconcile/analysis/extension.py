"""Sampling until healthy: a NUTS run whose diagnostics fail only for want of draws is
sampled again with twice the draws, within a time budget, before anyone is told not to cite
it (issue 16: `reconcile run seeds --seed 1` once missed R-hat 1.01 by 0.0002).

More draws fix an R-hat a little above 1.01 and a low ESS, which grows in proportion to the
draws; they do not fix divergences, a saturated tree depth, a low BFMI or chains in different
places (R-hat far above 1.01), which are problems of the posterior's geometry: those fail at
once. (Whether an ESS will reach its threshold is not predicted from a short run: there the
estimates are too noisy; the seed data at 4 x 300 draws gave a tail ESS of 28.) Each try
samples from scratch with the fit's seed, so a run is redone exactly by its rerun command,
which names the draws it ended with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reconcile.analysis.convergence import convergence_diagnostics

if TYPE_CHECKING:
    from reconcile.inference import Fit

# beyond this R-hat the chains disagree about where the mass is: more draws will not help
# (slow mixing gives less: the seed data at 4 x 100 draws, ESS 13, R-hat 1.24)
MAX_EXTENDABLE_RHAT = 1.5
MAX_TRIES = 3  # draws doubled at most three times (8x)


@dataclass
class Extension:
    """What sampling until healthy did: one entry per try, and why it stopped."""

    tries: list[dict] = field(default_factory=list)
    stopped: str = ""

    def describe(self) -> str:
        """One sentence for the terminal and the report ("" when nothing was done)."""
        if not self.tries:
            return ""
        first = self.tries[0]
        steps = ", then ".join(f"{t['draws']:,}" for t in self.tries)
        return (f"The diagnostics failed with {first['from_draws']:,} draws per chain "
                f"({'; '.join(first['reasons'])}); sampled again with {steps} draws per chain"
                f"{'' if not self.stopped else ' (' + self.stopped + ')'}.")

    def as_json(self) -> dict:
        return {"tries": self.tries, "stopped": self.stopped}


def extendable(diagnostics: dict) -> bool:
    """Do the diagnostics fail only in ways more draws fix?"""
    if diagnostics["ok"] or diagnostics.get("approximate"):
        return False
    return (diagnostics["divergences"] == 0 and diagnostics["tree_depth_saturated"] == 0
            and min(diagnostics["bfmi"]) >= diagnostics["thresholds"]["min_bfmi"]
            and diagnostics["max_r_hat"] <= MAX_EXTENDABLE_RHAT)


def sample_until_healthy(fitted: Fit, say: Callable[[str], None] = lambda message: None,
                         progressbar: bool = False) -> tuple[Fit, Extension]:
    """``fitted``, or the same fit sampled again with twice the draws (up to MAX_TRIES
    times) while its diagnostics fail only for want of draws and the next try is expected
    to end within the sampler's ``max_time_s`` of sampling again (each try is expected to
    take twice the last)."""
    from reconcile.inference.fitting import resample

    extension = Extension()
    if fitted.approximate:
        return fitted, extension
    diagnostics = convergence_diagnostics(fitted)
    spent, last = 0.0, fitted.timings.get("sample_s", 0.0)
    while extendable(diagnostics):
        if len(extension.tries) == MAX_TRIES:
            extension.stopped = f"still failing after {MAX_TRIES} tries"
            break
        if spent + 2 * last > fitted.sampler.max_time_s:
            extension.stopped = (f"another try would pass the {fitted.sampler.max_time_s:.0f} s "
                                 "allowed (--max-time)")
            break
        from_draws, sampled_before = fitted.sampler.draws, fitted.timings.get("sample_s", 0.0)
        sampler = fitted.sampler.model_copy(update={"draws": 2 * from_draws})
        say(f"diagnostics failed with {from_draws} draws per chain "
            f"({'; '.join(diagnostics['reasons'])}): sampling again with {sampler.draws}")
        fitted = resample(fitted, sampler, progressbar=progressbar)
        last = fitted.timings.get("sample_s", 0.0) - sampled_before
        spent += last
        extension.tries.append({"from_draws": from_draws, "draws": sampler.draws,
                                "reasons": diagnostics["reasons"], "seconds": round(last, 1)})
        diagnostics = convergence_diagnostics(fitted)
    return fitted, extension
