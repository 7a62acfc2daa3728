"""The calibration engine: summaries, the Dask path (a real LocalCluster of 2 workers),
failed fits reported rather than lost, and `reconcile calibrate` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from reconcile.calibration.summary import coverage, holm
from support import SEEDS, reconcile


def test_holm_matches_the_step_down_rule():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> monotone 0.06
    np.testing.assert_allclose(holm(p), [0.03, 0.06, 0.06, 0.02, np.nan])
    assert np.all(holm(np.array([0.5, 0.9])) <= 1.0)


def test_coverage_uses_the_spread_between_simulations():
    """Ten simulations: in three every interval covers, in seven none does. Pooled coverage
    is 0.3; the cluster standard error (0.153) is far above the binomial one (0.021), and
    0.3 is 3.9 of them from 0.9: not nominal."""
    rows = [{"model": "m", "scenario": "s", "simulation": sim, "parameter": "count",
             "element": f"q{q}", "covered_50": sim < 3, "covered_90": sim < 3,
             "covered_95": sim < 3} for sim in range(10) for q in range(20)]
    table = coverage(pd.DataFrame(rows))
    row = table[table["nominal"] == 0.9].iloc[0]
    assert row["coverage"] == pytest.approx(0.3)
    assert row["se"] == pytest.approx(np.std([1] * 3 + [0] * 7, ddof=1) / np.sqrt(10))
    assert not row["within_tolerance"]


ONE_LINE_LOGS_SCRIPT = """
import logging
from reconcile.cluster import dask_client
from reconcile.logs import OneLineExceptions

def log_a_failed_heartbeat(logger_name="distributed.worker"):
    try:
        raise OSError("in <TCP (closed) ConnectionPool.heartbeat_worker>: Stream is closed")
    except OSError:
        logging.getLogger(logger_name).exception("Failed to communicate with scheduler during heartbeat.")

if __name__ == "__main__":
    with dask_client(workers=1) as client:
        client.run(log_a_failed_heartbeat)
        # Worker.close removes plugins before it stops the heartbeat: one still logs after
        client.unregister_worker_plugin("reconcile-one-line-logs")
        client.run(log_a_failed_heartbeat)
        log_a_failed_heartbeat("distributed.scheduler")
    handlers = logging.getLogger("distributed").handlers
    print(len(handlers), sum(isinstance(f, OneLineExceptions) for h in handlers for f in h.filters))
"""


def test_dask_exceptions_reach_the_terminal_on_one_line(tmp_path):
    """CI once failed because a worker's heartbeat met the scheduler closing and printed a
    30-line traceback. With our LocalCluster, the worker processes and the scheduler's side
    log such an event on one line naming the exception, no stack, even once the worker's
    plugins are torn down (CI failed a second time on that); after the cluster closes, the
    scheduler side's handler is as it was."""
    script = tmp_path / "one_line_logs.py"
    script.write_text(ONE_LINE_LOGS_SCRIPT)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=120, check=True)
    lines = [line for line in result.stderr.splitlines() if "Failed to communicate" in line]
    assert len(lines) == 3, result.stderr
    assert {line.split(" - ")[1] for line in lines} == {"distributed.worker", "distributed.scheduler"}
    assert all(line.endswith("Failed to communicate with scheduler during heartbeat. (OSError: "
                             "in <TCP (closed) ConnectionPool.heartbeat_worker>: Stream is closed)")
               for line in lines), lines
    assert "Traceback" not in result.stderr
    assert result.stdout.split() == ["1", "0"]  # one handler, no filter left on it


@pytest.fixture(scope="module")
def cluster_client():
    from reconcile.cluster import dask_client

    with dask_client(workers=2) as client:
        yield client


def test_a_failed_fit_is_reported_not_lost(cluster_client, seed_dataset, default_config):
    """Three fits on a real 2-worker LocalCluster, one of them on a dataset of the wrong
    shape: two records come back fitted, the third as a failure with its reason."""
    from reconcile.calibration.fits import FitTask
    from reconcile.calibration.cluster import run_fits
    from reconcile.calibration.study import build_tasks
    from reconcile.config import SamplerConfig

    sampler = SamplerConfig(draws=100, tune=100, chains=2)
    tasks = build_tasks(seed_dataset, [default_config], ["model"], 3, seed=1, sampler=sampler)
    broken_dataset = replace(tasks[2].simulation.dataset, claims=tasks[2].simulation.dataset.claims[:-1])
    tasks[2] = replace(tasks[2], simulation=replace(tasks[2].simulation, dataset=broken_dataset))
    seen = []
    records = run_fits(tasks, cluster_client, on_done=seen.append)
    assert len(records) == len(seen) == 3
    assert [r.index for r in records] == [0, 1, 2]
    assert records[0].ok and records[1].ok and records[0].rows
    assert not records[2].ok and "structure" in records[2].error
    assert isinstance(tasks[0], FitTask)


def test_a_task_lost_on_the_cluster_becomes_a_failed_record(monkeypatch, seed_dataset,
                                                            default_config):
    """A task whose function raises on the cluster itself (as a killed worker does) is
    turned into a failed record by run_fits (threads, so the patched function is used)."""
    from dask.distributed import Client, LocalCluster

    from reconcile.calibration import cluster
    from reconcile.calibration.study import build_tasks
    from reconcile.config import SamplerConfig

    def explode(task):
        raise RuntimeError("worker died")

    monkeypatch.setattr(cluster, "run_fit", explode)
    tasks = build_tasks(seed_dataset, [default_config], ["model"], 2, seed=1,
                        sampler=SamplerConfig(draws=10, tune=10, chains=1))
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as local, \
            Client(local) as client:
        records = cluster.run_fits(tasks, client)
    assert [r.ok for r in records] == [False, False]
    assert all("task lost on the cluster" in r.error and "worker died" in r.error
               for r in records)


def test_calibrate_command_writes_its_folder(tmp_path):
    """`reconcile calibrate` on the seed shape through a LocalCluster of 2 workers: two
    scenarios, three simulations each, short chains. Checks the plumbing: every fit
    accounted for, every file written, the verdict printed."""
    out = tmp_path / "calibration"
    result = reconcile("calibrate", str(SEEDS), "--out", str(out), "--simulations", "3",
                       "--scenario", "model", "--scenario", "copying", "--draws", "150",
                       "--tune", "150", "--workers", "2", "--no-progress", "--seed", "3")
    assert result.returncode in (0, 3), result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "calibration.csv", "calibration.html", "calibration.json", "fits.csv"]
    summary = json.loads((out / "calibration.json").read_text())
    verdicts = summary["verdicts"]
    assert set(verdicts) == {"default/model", "default/copying"}
    assert all(v["fits"] == 3 and v["failed"] == 0 for v in verdicts.values())
    table = pd.read_csv(out / "calibration.csv")
    n_quantities = 24
    counts = table[table["parameter"] == "count"]
    assert len(counts) == 2 * 3 * n_quantities
    assert counts["pit"].between(0, 1).all()
    assert "default/model: 3/3 fits" in result.stdout
    if result.returncode == 3:
        assert "CALIBRATION FAILED" in result.stderr
    html = (out / "calibration.html").read_text()
    assert "Simulation-based calibration" in html and "<script" not in html


def test_calibrate_refuses_an_existing_folder_and_bad_input(tmp_path):
    out = tmp_path / "exists"
    out.mkdir()
    result = reconcile("calibrate", str(SEEDS), "--out", str(out), "--simulations", "2")
    assert result.returncode == 2 and "--force" in result.stderr
    result = reconcile("calibrate", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
