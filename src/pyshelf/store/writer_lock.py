"""One writer at a time: an advisory lock on ``<home>/lock``.

``flock`` is released by the kernel when its holder dies, so a crashed pyshelf never leaves a
stale lock behind; the holder's pid is written into the file only to tell the waiter who it
is waiting for.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


class LockBusy(Exception):
    """Another live process holds the lock and the caller chose not to wait."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


@contextmanager
def writer_lock(path: Path, on_wait: Callable[[str], None], *, wait: bool = True
                ) -> Iterator[None]:
    """Hold the lock for the ``with`` body; without ``wait`` a busy lock raises
    :class:`LockBusy` at once."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            if not wait:
                raise LockBusy(holder) from None
            on_wait(f"waiting for pyshelf (pid {holder}) to finish ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        # The pid only tells a waiter whom it waits for: a full disk must not stop gc.
        with suppress(OSError):
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
