"""Shared fixtures: the seed dataset, the default configuration and one real run of
`reconcile run seeds` (session-scoped: the report and run tests all read it)."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# The property tests draw the same examples at every run, so that the suite cannot fail on
# a new random draw; HYPOTHESIS_PROFILE=explore draws new ones (run it when changing the
# dataset checks, and keep any failure it finds as a test).
settings.register_profile("suite", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

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


# The README's command runs the suite on two xdist workers (pyproject.toml: -n 2 --dist
# loadscope --no-loadscope-reorder), one per core. A unit of work is a whole module, so a
# module-scoped fixture (the SBC study, a compiled model) is computed once; the modules that
# read the session's real runs (seed_run, hostile_run) form one unit, so that those runs are
# made once too. (xdist's loadgroup cannot do this under pytest 9.2: it renames
# item._nodeid, which pytest no longer reads.) The shared runs' unit (the longest) starts
# first, and the modules of slow statistical tests last: their fits use both cores (Dask
# workers, parallel chains), and paired with the other worker's fits they ran 1.2-1.7x slower
# (measured: the whole suite took 1,380 s with them first, 1,256 s with them at the end).
SHARED_RUNS = re.compile(r"\b(seed_run|hostile_run)\b")


@functools.cache
def _reads_shared_runs(module_file: str | Path) -> bool:
    return bool(SHARED_RUNS.search(Path(module_file).read_text(encoding="utf-8")))


def pytest_collection_modifyitems(config, items):
    slow = {item.module.__name__ for item in items if item.get_closest_marker("slow")}
    shared = {item.module.__name__ for item in items if _reads_shared_runs(item.module.__file__)}
    items.sort(key=lambda item: (0 if item.module.__name__ in shared
                                 else 2 if item.module.__name__ in slow else 1))


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    shared = {f"tests/{path.name}" for path in Path(__file__).parent.glob("test_*.py")
              if _reads_shared_runs(path)}

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "shared-runs" if module in shared else module

    return ModuleScheduling(config, log)
