"""Shared fixtures: the seed dataset, the default configuration and one real run of
`reconcile run seeds` (session-scoped: the report and run tests all read it)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from support import SEEDS, reconcile


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
def seed_run(tmp_path_factory) -> Path:
    """`reconcile run seeds` with the default model and sampler settings, seed 7."""
    out = tmp_path_factory.mktemp("runs") / "first"
    result = reconcile("run", str(SEEDS), "--out", str(out), "--seed", "7")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out
