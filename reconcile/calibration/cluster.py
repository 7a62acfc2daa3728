"""Run independent fits on a Dask cluster: a LocalCluster by default, or any scheduler.

Fits are submitted as separate tasks and gathered as they finish. A fit that raises inside
``run_fit`` comes back as a failed record; a task that is lost (a worker killed, a result
that cannot be sent back) is turned into a failed record here. Either way it is counted,
never dropped.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import Iterator

from reconcile.calibration.fits import FitRecord, FitTask, run_fit
from reconcile.logs import one_line_exceptions, quiet


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[object]:
    """A client of the scheduler at ``scheduler``, or of a new LocalCluster of ``workers``
    single-threaded worker processes (closed on exit). A LocalCluster's processes share our
    terminal, so there Dask's exceptions are logged on one line each (reconcile.logs)."""
    from dask.distributed import Client, LocalCluster

    from reconcile.calibration.worker_logs import OneLineWorkerLogs

    if scheduler:
        client = Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="distributed")
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")  # any free port: never clash
    with one_line_exceptions("distributed"):
        client = Client(cluster)
        try:
            client.register_plugin(OneLineWorkerLogs())
            yield client
        finally:
            client.close()
            with quiet("distributed.nanny"):  # workers idle in numba/nutpie threads are killed
                cluster.close()



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
