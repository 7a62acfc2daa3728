"""Synthetic archives for the benchmarks: the seed dataset (S) and simulated M, L, XL.

Shapes come from ``reconcile.model.simulate.random_structure`` with nesting capped at depth
3 (war total > year > battle > killed/wounded, as in curated archives) and the realistic
qualifier mix; claims are simulated from the default model with true counts drawn from
log-normal(4, 1.5) (1 to a few thousand, not the prior's 1 to 10,000,000).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconcile.config import ModelConfig
from reconcile.dataset import load_dataset
from reconcile.dataset.records import Dataset
from reconcile.model.simulate import random_structure, simulate_like

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Size:
    name: str
    claims: int
    quantities: int
    sources: int


SIZES = {
    "M": Size("M", 1_000, 200, 100),
    "L": Size("L", 10_000, 2_000, 500),
    "XL": Size("XL", 100_000, 20_000, 2_000),
}


def realistic(config: ModelConfig) -> ModelConfig:
    """``config`` with true counts drawn from log-normal(4, 1.5) for simulation."""
    return config.model_copy(update={"truth": config.truth.model_copy(
        update={"mu": 4.0, "sigma": 1.5})})


def benchmark_dataset(size: str, config: ModelConfig, seed: int = 42) -> Dataset:
    """The dataset of ``size``: "S" is the curated seed dataset, the others are simulated."""
    if size == "S":
        return load_dataset(ROOT / "seeds", config.lexicon)
    shape = SIZES[size]
    structure = random_structure(n_sources=shape.sources, n_quantities=shape.quantities,
                                 n_claims=shape.claims, seed=seed, max_depth=3)
    simulated = simulate_like(structure, realistic(config), seed=seed + 1)[0].dataset
    return Dataset(simulated.sources, simulated.quantities, simulated.claims,
                   name=f"simulated-{size}")


__all__ = ["SIZES", "benchmark_dataset", "realistic"]
