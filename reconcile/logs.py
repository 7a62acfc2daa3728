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
