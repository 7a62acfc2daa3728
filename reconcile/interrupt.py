"""SIGINT and SIGTERM stop a run, always: no half results, no half-written folders.

The samplers (nutpie, PyMC) catch KeyboardInterrupt and return the draws made so far, as if
sampling had finished; a run that went on would show numbers from a broken run. Inside
``interruptible`` both signals raise ``Interrupted`` and are recorded, so that a caller can
raise again after a library swallowed the exception (see inference.sample).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal. ``exit_status`` is the shell's 128 + signal number;
    ``outputs_written`` is OUT_DIR when the signal came after the new outputs were in place."""

    def __init__(self, signum: int, outputs_written: Path | None = None):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.outputs_written = outputs_written

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


@contextmanager
def interruptible() -> Iterator[list[int]]:
    """Inside, SIGINT and SIGTERM raise Interrupted; the yielded list records every signal
    received, even those whose exception a library caught. Previous handlers come back after.
    Outside the main thread (where Python cannot set handlers) this only yields the list."""
    received: list[int] = []

    def handler(signum: int, frame) -> None:
        received.append(signum)
        raise Interrupted(signum)

    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, handler)
    try:
        yield received
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def raise_if_interrupted(received: list[int]) -> None:
    """Raise for a signal that arrived while a library was in charge (and ate the exception)."""
    if received:
        raise Interrupted(received[0])


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for a few steps that must not be cut in two (renaming
    the old outputs away and the new ones into place): a signal that comes meanwhile is
    noted, and raised as Interrupted once the steps are done. (Blocking the signal with
    pthread_sigmask would not do: another thread, e.g. a BLAS worker, would take it.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
        raise_if_interrupted(pending)
