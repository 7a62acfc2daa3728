"""Shared fixtures. Fits are session-scoped and small: plotting and table tests reuse them."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
MODELS = ROOT / "models"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_dataset():
    from reconcile.dataset import load_dataset

    return load_dataset(SEEDS)


@pytest.fixture(scope="session")
def default_config():
    from reconcile.config import load_config

    return load_config()


@pytest.fixture(scope="session")
def seed_fit(seed_dataset, default_config):
    """The default model on the seed data with the default sampler settings (one fit per
    test session, about 20 s): tests read tables and diagnostics from it."""
    from reconcile.inference import fit

    return fit(seed_dataset, default_config, seed=11)
