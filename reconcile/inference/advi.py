"""The fast path: mean-field ADVI (PyMC's ``pm.fit``) for archives NUTS cannot fit in time.

At 100,000 claims one NUTS fit takes hours on two cores; ADVI's cost is one gradient per
iteration (about 32 ms there), so 10,000 iterations take about 5.5 minutes (measured in
benchmarks/RESULTS.md, where they passed the convergence check). The price is
accuracy: a mean-field Gaussian ignores the posterior's correlations (every count moves with
the shared stance and kind biases) and cannot follow the funnel of the hierarchical spreads,
so its intervals can be much too narrow. benchmarks/RESULTS.md measures their coverage
against NUTS's on simulated archives with known counts; every output of such a run says so.

No chains, so no R-hat or ESS. What is checked instead:

* the optimisation converged: the mean loss (the negative ELBO) over the last window (a
  tenth of the iterations asked for) fell by less than ``MAX_LOSS_DROP_PER_PARAMETER`` nats
  per free parameter from the window before (a loss still falling means the fit stopped
  early). The same check stops the optimisation once it passes, at a window's end and no
  earlier than half the iterations asked for: at 100,000 claims the loss met it after
  10,000 of 20,000 iterations and fell 0.002 nats per parameter after that (benchmarks/
  RESULTS.md), so the second half cost 5.7 minutes for nothing;
* the Pareto k-hat of the importance ratios p(theta, y) / q(theta) over draws of the
  approximation (Yao et al. 2018, "Yes, but did it work?"), computed by ArviZ: above 0.7 the
  approximation is too far from the posterior for its intervals to be read as posterior
  intervals. It is reported, not enforced: mean-field ADVI exceeds it on every dataset
  measured, the seed data included, and the report says so.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import numpy as np
import pymc as pm
import xarray as xr

from reconcile.errors import ModelBuildError
from reconcile.logs import quiet

if TYPE_CHECKING:
    from reconcile.config import SamplerConfig

# adagrad_window at 0.01 reached, in 10,000 iterations, the loss PyMC's default rate (0.001)
# reaches in 50,000 (simulated 1,000-claim archives); adam at 0.01 and 0.03 converged to
# worse losses with narrower intervals.
LEARNING_RATE = 0.01
FALLBACK_RATES = (0.001,)  # tried in turn when the loss becomes NaN
MAX_LOSS_DROP_PER_PARAMETER = 0.01
PARETO_K_DRAWS = 1000
DRAWS_PER_BLOCK = 50  # (draws x claims) intermediates: 40 MB each at 100,000 claims
GROUP = "variational"  # the DataTree group with the loss history and the k-hat
MIN_SHARE_OF_ITERATIONS = 0.5  # the optimisation never stops before this share of those asked


def fit_advi(model: pm.Model, sampler: SamplerConfig, seed: int,
             start: dict[str, np.ndarray] | None = None,
             progressbar: bool = False) -> xr.DataTree:
    """``sampler.draws`` independent draws (one chain) from mean-field ADVI after
    ``sampler.advi_iterations`` iterations started at ``start`` (model/start.py: the
    prior's centre would leave a far-off claim in its outlier mode); the loss history, the
    convergence check and the Pareto k-hat in the group ``variational``."""
    started = time.perf_counter()
    with model:
        approximation, rate, stop = _optimise(model, sampler, seed, start, progressbar)
        idata = approximation.sample(sampler.draws, random_seed=seed)
    loss = stop.loss if stop.loss is not None else np.asarray(approximation.hist, dtype=float)
    info = xr.Dataset({"loss": ("iteration", loss)})
    info.attrs.update({
        "method": "advi",
        "iterations_requested": sampler.advi_iterations,
        "window": stop.window,
        "stopped_early": int(stop.loss is not None),  # netCDF attributes hold no booleans
        "learning_rate": rate,
        "free_parameters": int(approximation.ndim),
        "pareto_k": pareto_k(approximation, model, seed),
        "seconds": time.perf_counter() - started,
    })
    idata[GROUP] = xr.DataTree(info)
    return idata


def _optimise(model: pm.Model, sampler: SamplerConfig, seed: int,
              start: dict[str, np.ndarray] | None, progressbar: bool):
    """pm.fit at LEARNING_RATE, again at each smaller rate of FALLBACK_RATES when the loss
    becomes NaN (a step too large for a steep corner of the posterior); the approximation
    and the rate that worked, or ModelBuildError naming the likely cause."""
    for rate in (LEARNING_RATE, *FALLBACK_RATES):
        stop = StopWhenConverged(sampler.advi_iterations)
        try:  # quiet: pm.fit logs a stop by a callback as "Interrupted at ..."
            with quiet("pymc.variational.inference", logging.WARNING):
                approximation = pm.fit(n=sampler.advi_iterations, method="advi",
                                       random_seed=seed, start=start,
                                       obj_optimizer=pm.adagrad_window(learning_rate=rate),
                                       callbacks=[stop], progressbar=progressbar)
        except FloatingPointError:
            continue
        return approximation, rate, stop
    rates = ", ".join(str(r) for r in (LEARNING_RATE, *FALLBACK_RATES))
    raise ModelBuildError(
        f"ADVI's optimisation diverged (the loss became NaN) at every learning rate tried "
        f"({rates}). The likely cause: figures stated exactly by several sources (a stated "
        "478,403 is a rounding interval 1 wide) pull their noise scales towards zero, a "
        "corner too steep for the optimiser. Check those claims (reading them as 'about' "
        "adds noise), or sample with NUTS (--method nuts) and fewer draws.")


class StopWhenConverged:
    """A pm.fit callback: stops the optimisation at the first window's end, from half the
    iterations asked for, where the convergence check passes with room to spare for the
    loss's noise: the drop per parameter plus two standard errors of it (each loss is a
    one-draw Monte Carlo estimate) is at most MAX_LOSS_DROP_PER_PARAMETER. Without that
    margin, checking at every window's end lets noise pass a loss still falling (100
    iterations on the seed data stopped at 90, windows of 10). pm.fit keeps the losses
    before the stopping iteration only, so the callback keeps the losses it judged
    (``loss``; None when the optimisation ran to the end), which the run's check reads."""

    def __init__(self, iterations: int):
        self.window = loss_window(iterations)
        self.earliest = max(2 * self.window, int(MIN_SHARE_OF_ITERATIONS * iterations))
        self.last = iterations
        self.loss: np.ndarray | None = None

    def __call__(self, approximation, losses: np.ndarray, iteration: int) -> None:
        done = losses.size
        if done < self.earliest or done >= self.last or done % self.window:
            return
        recent = losses[-2 * self.window:].reshape(2, self.window)
        standard_error = np.sqrt(recent.var(axis=1, ddof=1).sum() / self.window)
        parameters = approximation.ndim
        drop = loss_drop_per_parameter(losses, self.window, parameters)
        if drop + 2 * standard_error / parameters <= MAX_LOSS_DROP_PER_PARAMETER:
            self.loss = np.array(losses, dtype=float)
            raise StopIteration(f"ADVI converged after {done:,} iterations")


def loss_drop_per_parameter(loss: np.ndarray, window: int, parameters: int) -> float:
    """How much the mean loss fell from the second-last window to the last, per free
    parameter (not finite when either window holds a non-finite loss)."""
    last, previous = loss[-window:].mean(), loss[-2 * window:-window].mean()
    return float((previous - last) / parameters)


def pareto_k(approximation, model: pm.Model, seed: int) -> float:
    """ArviZ's Pareto k-hat of log p(theta, y) - log q(theta) over PARETO_K_DRAWS draws of
    the approximation, in its own (unconstrained) space. The log density is vectorized over
    blocks of draws (one call per block, not per draw)."""
    import arviz_stats  # noqa: F401 (registers the .azstats accessor)
    import pytensor
    import pytensor.tensor as pt
    from pytensor.graph import vectorize_graph
    from scipy import stats

    (group,) = approximation.groups
    batch = pt.matrix("draws", dtype=group.input.dtype)
    log_density = pytensor.function([batch], vectorize_graph(
        approximation.to_flat_input(model.logp()), replace={group.input: batch}))
    mean, sd = approximation.mean.eval(), approximation.std.eval()
    rng = np.random.default_rng(seed)
    draws = mean + sd * rng.standard_normal((PARETO_K_DRAWS, mean.size))
    log_q = stats.norm.logpdf(draws, mean, sd).sum(axis=1)
    log_p = np.concatenate([log_density(draws[start:start + DRAWS_PER_BLOCK])
                            for start in range(0, PARETO_K_DRAWS, DRAWS_PER_BLOCK)])
    ratios = xr.DataArray((log_p - log_q)[None, :], dims=("chain", "draw"))
    _, k = ratios.azstats.psislw(dim=["chain", "draw"])
    return float(k)


def advi_summary(idata: xr.DataTree) -> str:
    """One line for the terminal: how many iterations ran, and why it stopped."""
    info = idata[GROUP].attrs
    done = idata[GROUP]["loss"].size
    why = ("stopped early: the loss had converged" if info["stopped_early"]
           else "all those asked for")
    return f"ADVI ran {done:,} of {int(info['iterations_requested']):,} iterations ({why})"


def is_approximate(idata: xr.DataTree) -> bool:
    return GROUP in idata.children


def loss_window(iterations: int) -> int:
    """Iterations per window of the convergence check: a tenth of those asked for (the
    last window is compared with the one before)."""
    return max(1, iterations // 10)


def convergence_window(info: xr.Dataset) -> int:
    """The window a fit's convergence check used: stored since the optimisation can stop
    early; a tenth of the loss history for posterior files written before."""
    return int(info.attrs.get("window", loss_window(info["loss"].size)))
