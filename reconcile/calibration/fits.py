"""One calibration fit: a simulated dataset in, ranks and interval hits of the truth out.

This runs on Dask workers. Each worker process compiles the model once per (structure,
graph) and swaps every simulated dataset into it (see inference/compiled.py). A fit that raises is
returned as a failed record rather than lost.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from dataclasses import dataclass, field

import numpy as np

from reconcile.config import STANCES, ModelConfig, SamplerConfig
from reconcile.constants import INTERVAL_PROBS
from reconcile.dataset.records import Dataset
from reconcile.model.simulate import Simulation

# Parameters whose ranks SBC checks, with their element dimension (None for scalars).
RANKED = {
    "count": "quantity", "stance_bias": "stance", "kind_bias": "kind",
    "source_bias": "source", "noise_scale": "source", "remainder_ratio": "remainder",
    "source_bias_sd": None, "noise_source_sd": None, "count_intercept": None,
    "count_span_slope": None, "count_within_sd": None,
    # running tolls (none in a structure without them)
    "toll_timescale": "toll", "toll_shape": "toll", "toll_late_share": "toll",
}
DEFAULT_RANK_DRAWS = 99  # thinned posterior draws a truth is ranked among (ranks 0..99)


@dataclass(frozen=True)
class FitTask:
    """Fit ``simulation`` with ``config``; the structure is the simulated dataset's shape."""

    model: str
    scenario: str
    index: int
    config: ModelConfig
    simulation: Simulation
    structure: Dataset
    seed: int
    sampler: SamplerConfig
    rank_draws: int = DEFAULT_RANK_DRAWS
    cores: int = 1  # chains one after another: the cluster's workers share the CPUs


@dataclass
class FitRecord:
    model: str
    scenario: str
    index: int
    ok: bool
    error: str = ""
    seconds: float = 0.0
    max_r_hat: float = float("nan")
    min_ess_bulk: float = float("nan")
    divergences: int = 0
    rows: list[dict] = field(default_factory=list)  # one per ranked parameter element


_REFITTERS: dict[str, object] = {}  # per worker process: compiled models by structure + graph


def run_fit(task: FitTask) -> FitRecord:
    """Fit one simulated dataset; never raises (a failure is a record with ``ok=False``)."""
    started = time.perf_counter()
    try:
        idata = _refitter(task).sample(task.simulation.dataset, seed=task.seed,
                                       sampler=task.sampler, config=task.config,
                                       cores=task.cores)
        record = _record(task, idata)
    except Exception as exc:  # noqa: BLE001 - reported, not lost, whatever it is
        record = FitRecord(task.model, task.scenario, task.index, ok=False,
                           error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
    record.seconds = time.perf_counter() - started
    return record


def _refitter(task: FitTask):
    from reconcile.inference.compiled import Refitter, graph_key

    key = structure_digest(task.structure) + graph_key(task.config) + task.sampler.backend
    if key not in _REFITTERS:
        _REFITTERS[key] = Refitter(task.structure, task.config, backend=task.sampler.backend)
    return _REFITTERS[key]


def structure_digest(dataset: Dataset) -> str:
    """What a compiled model depends on: sources, quantity forest, who claims about what."""
    shape = {
        "sources": [(s.source_id, s.kind, s.side) for s in dataset.sources],
        "quantities": [(q.quantity_id, q.side, q.parent, q.complete) for q in dataset.quantities],
        "claims": [(c.claim_id, c.quantity_id, c.source_id) for c in dataset.claims],
    }
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()


def _record(task: FitTask, idata) -> FitRecord:
    from reconcile.analysis.rank_diagnostics import rank_diagnostics

    posterior = idata.posterior.to_dataset()
    # variables with a constant element (the fixed anchor's stance) have no R-hat; their
    # free counterparts (stance_z) are checked instead, as in the run's diagnostics
    free = [v for v in posterior.data_vars
            if float(posterior[v].std(["chain", "draw"]).min()) > 0]
    rhat, ess, _ = rank_diagnostics(posterior[free])
    rng = np.random.default_rng(task.seed)
    rows = []
    for name, dim in RANKED.items():
        if name not in posterior or name not in task.simulation.truth:
            continue
        rows.extend(_ranked_rows(task, name, dim, posterior[name], rng))
    return FitRecord(
        task.model, task.scenario, task.index, ok=True,
        max_r_hat=max(float(rhat[v].max()) for v in free),
        min_ess_bulk=min(float(ess[v].min()) for v in free),
        divergences=int(idata.sample_stats["diverging"].sum()),
        rows=rows,
    )


def _ranked_rows(task: FitTask, name: str, dim: str | None, draws, rng) -> list[dict]:
    """Per element: the truth's randomized rank among thinned draws, scaled to (0, 1) (the
    SBC PIT, uniform when the model and sampler are right), and whether each central
    interval covers the truth."""
    values = draws.values.reshape(-1, *draws.shape[2:])  # (samples, ...)
    truth = np.asarray(task.simulation.truth[name], dtype=float)
    values = values.reshape(values.shape[0], -1)
    truth = truth.reshape(-1)
    labels = [""] if dim is None else [str(v) for v in draws[dim].values]
    keep = np.linspace(0, values.shape[0] - 1, task.rank_draws).round().astype(int)
    thinned = values[keep]
    ranks = (thinned < truth).sum(axis=0)
    pit = (ranks + rng.uniform(size=ranks.shape)) / (task.rank_draws + 1)
    intervals = {prob: _central_interval(draws, prob).reshape(2, -1) for prob in INTERVAL_PROBS}
    rows = []
    for j, label in enumerate(labels):
        if name == "stance_bias" and task.config.bias.stance(STANCES[j]).fixed:
            continue  # an anchor: fixed by assumption, nothing to calibrate
        row = {"model": task.model, "scenario": task.scenario, "simulation": task.index,
               "parameter": name, "element": label, "truth": float(truth[j]),
               "median": float(np.median(values[:, j])), "pit": float(pit[j])}
        for prob, (low, high) in intervals.items():
            row[f"covered_{round(prob * 100)}"] = bool(low[j] <= truth[j] <= high[j])
        rows.append(row)
    return rows


def _central_interval(draws, prob: float) -> np.ndarray:
    """(2, ...) lower and upper ends of the central interval (ArviZ ETI, as in the runs)."""
    import arviz_stats as azs

    eti = azs.eti(draws, prob=prob, dim=["chain", "draw"])
    return np.stack([eti.sel(ci_bound="lower").values, eti.sel(ci_bound="upper").values])
