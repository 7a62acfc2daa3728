"""Run independent fits on a Dask cluster (reconcile/cluster.py: a LocalCluster by default,
or any scheduler).

Fits are submitted as separate tasks and gathered as they finish. A fit that raises inside
``run_fit`` comes back as a failed record; a task that is lost (a worker killed, a result
that cannot be sent back) is turned into a failed record here. Either way it is counted,
never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reconcile.calibration.fits import FitRecord, FitTask, run_fit


def run_fits(tasks: Sequence[FitTask], client, on_done: Callable[[FitRecord], None] | None = None,
             ) -> list[FitRecord]:
    """Fit every task on the cluster; records come back in the tasks' order."""
    from dask.distributed import as_completed

    futures = {
        client.submit(run_fit, task, key=f"fit-{task.model}-{task.scenario}-{task.index}-{task.seed}",
                      pure=False): position
        for position, task in enumerate(tasks)
    }
    records: list[FitRecord | None] = [None] * len(tasks)
    for future in as_completed(futures):
        task = tasks[futures[future]]
        try:
            record = future.result()
        except Exception as exc:  # noqa: BLE001 - a lost task is reported, not lost
            record = FitRecord(task.model, task.scenario, task.index, ok=False,
                               error=f"task lost on the cluster: {type(exc).__name__}: {exc}")
        records[futures[future]] = record
        if on_done is not None:
            on_done(record)
    return [record for record in records if record is not None]
