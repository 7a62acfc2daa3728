"""Shared fixtures: the seed dataset, the default configuration and one real run of
`reconcile run seeds` (session-scoped: the report and run tests all read it)."""

from __future__ import annotations

from dataclasses import dataclass
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
    from dataset_helpers import snapshot_with_times

    out = tmp_path_factory.mktemp("runs") / "first"
    before = snapshot_with_times(SEEDS)
    result = reconcile("run", str(SEEDS), "--out", str(out), "--seed", "7")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    (out.parent / "stderr.txt").write_text(result.stderr, encoding="utf-8")  # beside, not in
    assert snapshot_with_times(SEEDS) == before  # a successful run only reads the dataset
    return out


@dataclass(frozen=True)
class HostileRun:
    data: Path
    before: dict  # snapshot_with_times of the dataset folder before the run
    result: object  # reconcile.report.result.RunResult, outputs in result.out_dir


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory) -> HostileRun:
    """One short real run (2 chains x 100 draws, seed 1) of the hostile dataset (see
    tests/hostile.py), in process. Its diagnostics fail by design (200 draws cannot reach an
    ESS of 400) and --allow-bad-diagnostics keeps the outputs: the escaping, formula,
    honest-failure, reproducibility and output tests all read this one fit."""
    from dataset_helpers import snapshot_with_times
    from hostile import hostile_dataset
    from reconcile.config import SamplerConfig
    from reconcile.pipeline import run

    root = tmp_path_factory.mktemp("hostile")
    data = hostile_dataset(root)
    before = snapshot_with_times(data)
    result = run(data, root / "out", seed=1, sampler=SamplerConfig(draws=100, tune=100, chains=2,
                                                                     max_time_s=0),
                 allow_bad_diagnostics=True)
    return HostileRun(data, before, result)
