"""A Dask worker plugin that makes each worker process log Dask's exceptions on one line.

Worker processes write to the terminal of whoever started the cluster; see
reconcile.logs.OneLineExceptions for why their tracebacks are cut to one line."""

from __future__ import annotations

from contextlib import ExitStack

from distributed import WorkerPlugin

from reconcile.logs import one_line_exceptions


class OneLineWorkerLogs(WorkerPlugin):
    """Installed on every worker, present and future, by ``client.register_plugin``."""

    name = "reconcile-one-line-logs"

    def setup(self, worker) -> None:
        self._installed = ExitStack()
        self._installed.enter_context(one_line_exceptions("distributed"))

    def teardown(self, worker) -> None:
        self._installed.close()
