"""Read an input file defensively: a regular file only, never more bytes than a bound.

Datasets and model files come from other people. A name in them may point at a FIFO (reading
it would wait forever), a device such as /dev/zero (endless bytes), or a file far larger than
any real input (memory). ``read_bounded`` opens without blocking, checks the opened file
itself (not the name, which could be swapped in between), and reads at most ``limit + 1``
bytes, so a file that grows after the size check is still caught.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFile(OSError):
    """The path is a folder, FIFO, socket or device, not a file with content."""

    def __init__(self, path: Path, kind: str):
        super().__init__(f"{path} is {kind}, not a regular file")
        self.kind = kind


class TooLarge(OSError):
    """The file holds more than the bound allows."""

    def __init__(self, path: Path, size: int, limit: int):
        super().__init__(f"{path} is {size:,} bytes or more, over the limit of {limit:,}")
        self.size = size
        self.limit = limit


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``; NotRegularFile, TooLarge or OSError if not."""
    mode = os.stat(path).st_mode  # refuse a device before opening it (opening can act)
    if not stat.S_ISREG(mode):
        raise NotRegularFile(path, describe_mode(mode))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)  # O_NONBLOCK: should a FIFO be swapped in, open does not wait
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, describe_mode(info.st_mode))
        if info.st_size > limit:
            raise TooLarge(path, info.st_size, limit)
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew after the size check
        raise TooLarge(path, len(data), limit)
    return data


def describe_mode(mode: int) -> str:
    """What a non-regular file is, in words for an error message."""
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


def is_inside(path: Path, root: Path) -> bool:
    """Does ``path``, with every link followed, lie inside the (resolved) folder ``root``?"""
    try:
        return path.resolve(strict=False).is_relative_to(root)
    except (OSError, RuntimeError):  # a link loop, a name too long
        return False
