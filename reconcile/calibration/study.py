"""A calibration study: simulate datasets shaped like a real one, fit each, summarize.

For every requested model configuration the true parameters are drawn once from that
model's prior (one compiled forward pass for all simulations); each scenario then turns the
same truths into claims its own way (see scenarios.py), so scenarios are compared on
identical truths. Fits run on Dask (cluster.py); summaries and outputs follow.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reconcile import __version__
from reconcile.calibration import summary
from reconcile.calibration.cluster import run_fits
from reconcile.cluster import dask_client
from reconcile.calibration.fits import FitRecord, FitTask
from reconcile.calibration.scenarios import SCENARIOS
from reconcile.config import ModelConfig, SamplerConfig, load_config
from reconcile.dataset.records import Dataset
from reconcile.model.simulate import draw_prior



@dataclass
class CalibrationResult:
    """Every fit's ranks and interval hits, with the summaries computed from them."""

    table: pd.DataFrame  # one row per (model, scenario, simulation, parameter, element)
    fits: pd.DataFrame  # one row per fit: ok, error, seconds, R-hat, ESS, divergences
    settings: dict
    uniformity: pd.DataFrame = field(init=False)
    coverage: pd.DataFrame = field(init=False)
    health: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.uniformity = summary.uniformity(self.table) if len(self.table) else pd.DataFrame()
        self.coverage = summary.coverage(self.table) if len(self.table) else pd.DataFrame()
        self.health = summary.fit_health(self.fits)

    def verdicts(self) -> dict[str, dict]:
        """Per "model/scenario": do the ranks look uniform, and the 90% coverage nominal?"""
        out = {}
        for (model, scenario), health in self.health.groupby(["model", "scenario"], sort=False):
            key = f"{model}/{scenario}"
            uniform = self.uniformity[(self.uniformity["model"] == model)
                                      & (self.uniformity["scenario"] == scenario)]
            cov = self.coverage[(self.coverage["model"] == model)
                                & (self.coverage["scenario"] == scenario)]
            cov90 = cov[cov["nominal"] == 0.9]
            out[key] = {
                "fits": int(health["fits"].iloc[0]), "failed": int(health["failed"].iloc[0]),
                "tests": len(uniform),
                "rejected_at_1pct_holm": int(uniform["rejected"].sum()) if len(uniform) else 0,
                "min_p_holm": float(uniform["p_holm"].min()) if len(uniform) else float("nan"),
                "coverage_90": float(cov90["coverage"].iloc[0]) if len(cov90) else float("nan"),
                "coverage_90_se": float(cov90["se"].iloc[0]) if len(cov90) else float("nan"),
                "coverage_90_nominal": bool(cov90["within_tolerance"].iloc[0]) if len(cov90) else False,
            }
        return out


def calibrate(structure: Dataset, models: Sequence[str | ModelConfig] = ("default",),
              scenarios: Sequence[str] = ("model",), simulations: int = 100, seed: int = 0,
              sampler: SamplerConfig | None = None, client=None, scheduler: str | None = None,
              workers: int = 2, on_done: Callable[[FitRecord], None] | None = None,
              ) -> CalibrationResult:
    """Simulate ``simulations`` datasets shaped like ``structure`` per (model, scenario), fit
    each on Dask (``client``, or the cluster at ``scheduler``, or a LocalCluster of
    ``workers``), and summarize ranks and coverage."""
    unknown = [name for name in scenarios if name not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; "
                         f"known: {', '.join(SCENARIOS)}")
    configs = [load_config(m) if not isinstance(m, ModelConfig) else m for m in models]
    # default: the first model file's calibration preset (2 x 1,000 draws; ranks use 99)
    sampler = sampler or configs[0].preset_sampler("calibration")
    started = time.perf_counter()
    tasks = build_tasks(structure, configs, scenarios, simulations, seed, sampler)
    prepared = time.perf_counter() - started
    if client is None:
        with dask_client(scheduler, workers) as own_client:
            records = run_fits(tasks, own_client, on_done)
    else:
        records = run_fits(tasks, client, on_done)
    settings = {
        "reconcile_version": __version__, "structure": structure.name,
        "claims": len(structure.claims), "quantities": len(structure.quantities),
        "sources": len(structure.sources), "models": [c.name for c in configs],
        "scenarios": list(scenarios), "simulations": simulations, "seed": seed,
        "sampler": sampler.model_dump(mode="json"),
        "rank_draws": tasks[0].rank_draws if tasks else None,
        "scheduler": scheduler or ("given client" if client is not None else f"LocalCluster({workers})"),
        "seconds": {"simulating": prepared, "total": time.perf_counter() - started},
    }
    return CalibrationResult(_rows(records), _fits(records), settings)


def build_tasks(structure: Dataset, configs: Sequence[ModelConfig], scenarios: Sequence[str],
                simulations: int, seed: int, sampler: SamplerConfig) -> list[FitTask]:
    """Every (model, scenario, simulation) fit, with its simulated dataset and seeds."""
    tasks = []
    for m, config in enumerate(configs):
        draws = draw_prior(structure, config, seed=_seed(seed, m), n=simulations)
        for s, name in enumerate(scenarios):
            scenario = SCENARIOS[name]
            for i in range(simulations):
                rng = np.random.default_rng([seed, m, s, i])
                simulation = scenario.simulate(structure, config, draws, i, rng)
                tasks.append(FitTask(config.name, name, i, config, simulation, structure,
                                     seed=_seed(seed, m, s, i), sampler=sampler))
    return tasks


def _seed(*parts: int) -> int:
    return int(np.random.SeedSequence(list(parts)).generate_state(1)[0])


def _rows(records: list[FitRecord]) -> pd.DataFrame:
    return pd.DataFrame([row for record in records for row in record.rows])


def _fits(records: list[FitRecord]) -> pd.DataFrame:
    return pd.DataFrame([{
        "model": r.model, "scenario": r.scenario, "simulation": r.index, "ok": r.ok,
        "seconds": r.seconds, "max_r_hat": r.max_r_hat, "min_ess_bulk": r.min_ess_bulk,
        "divergences": r.divergences, "error": r.error,
    } for r in records])
