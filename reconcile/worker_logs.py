"""A Dask worker plugin that makes each worker process log Dask's exceptions on one line.

Worker processes write to the terminal of whoever started the cluster; see
reconcile.logs.OneLineExceptions for why their tracebacks are cut to one line."""

from __future__ import annotations

from distributed import WorkerPlugin

from reconcile.logs import add_one_line_exceptions


class OneLineWorkerLogs(WorkerPlugin):
    """Installed on every worker, present and future, by ``client.register_plugin``.

    The filter stays for the life of the worker process: Worker.close removes its plugins
    before it stops the heartbeat, and a heartbeat meeting the closed scheduler in between
    is exactly the traceback this exists to cut (it failed CI once that way). The processes
    are our LocalCluster's own, so nothing outlives them."""

    name = "reconcile-one-line-logs"

    def setup(self, worker) -> None:
        add_one_line_exceptions("distributed")

    def teardown(self, worker) -> None:
        """Nothing to undo: see the class docstring."""
