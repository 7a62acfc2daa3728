"""A Dask cluster to run on: a running scheduler, or a LocalCluster of our own (closed on
exit). Calibration fits and a run's chains (``reconcile run --scheduler``) both use it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from reconcile.logs import one_line_exceptions, quiet


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[object]:
    """A client of the scheduler at ``scheduler``, or of a new LocalCluster of ``workers``
    single-threaded worker processes (closed on exit). A LocalCluster's processes share our
    terminal, so there Dask's exceptions are logged on one line each (reconcile.logs)."""
    from dask.distributed import Client, LocalCluster

    from reconcile.worker_logs import OneLineWorkerLogs

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
