"""Silencing third-party loggers around calls whose messages the report already explains."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet(logger_name: str, level: int = logging.ERROR) -> Iterator[None]:
    """Only messages at ``level`` or above from ``logger_name`` while inside the block."""
    logger = logging.getLogger(logger_name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)


class OneLineExceptions(logging.Filter):
    """Keep a record's message but replace its traceback with one line naming the exception.

    For Dask's own logs: a worker whose heartbeat meets a closing scheduler logs a
    thirty-line traceback about a connection. A failure that matters to a fit is already
    reported with that fit, so the terminal gets the event, not the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(exc).__name__}: {exc})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def add_one_line_exceptions(logger_name: str) -> list[tuple[logging.Handler, logging.Filter]]:
    """Make every present handler of ``logger_name`` log exceptions on one line
    (OneLineExceptions); returns what was added, for whoever wants to remove it."""
    added = [(handler, OneLineExceptions()) for handler in logging.getLogger(logger_name).handlers]
    for handler, one_line in added:
        handler.addFilter(one_line)
    return added


@contextmanager
def one_line_exceptions(logger_name: str) -> Iterator[None]:
    """Inside the block, every handler of ``logger_name`` logs exceptions on one line
    (OneLineExceptions); the filters added are removed on exit."""
    added = add_one_line_exceptions(logger_name)
    try:
        yield
    finally:
        for handler, one_line in added:
            handler.removeFilter(one_line)
