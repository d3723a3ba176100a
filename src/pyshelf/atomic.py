"""Files and symlinks written so that whoever looks, and whatever a crash interrupts,
finds the old one or the new one, never half of either.

A replacement is made under a fresh random name in the same folder (a rename is atomic
only within one filesystem) and renamed into place, so making room for it never deletes
anything and two processes never write into each other's. A file's content is flushed to
disk before it gets its final name, and the folder after, so it survives a power cut once
written; a file left half-written by a failure is removed, and only if it is still the one
made here.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from pyshelf.removal import unlink_same_file

_NEW_FILE_MODE = 0o644  # less the umask, as a file created by hand


def _staging(target: Path) -> Path:
    """A fresh name beside ``target``, hidden, and telling whose it is if it is ever left.
    The random part is the system's (what ``secrets.token_hex`` reads) without ``secrets``,
    whose import (``random``, ``hmac``, OpenSSL) cost a change more than its writes."""
    return target.with_name(f".{target.name}.pyshelf-tmp-{os.urandom(6).hex()}")


def _write_new(path: Path, content: bytes, create_mode: int, mode: int | None
               ) -> os.stat_result:
    """Create ``path``, which must not exist (``FileExistsError``), holding ``content``
    flushed to disk; ``mode`` replaces the mode it was created with (less the umask). The
    file made is returned, so only it is ever removed again."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, create_mode)
    made = os.fstat(fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            unlink_same_file(path, made)
        raise
    return made


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # the file is in place; only durability is at stake
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def create_file(path: Path, content: bytes, mode: int) -> bool:
    """Write a file that must stay as first written, such as a backup: False, changing
    nothing, if ``path`` exists already."""
    try:
        _write_new(path, content, 0o600, mode)
    except FileExistsError:
        return False
    _sync_folder(path.parent)
    return True


def replace_file(target: Path, content: bytes, mode: int | None = None) -> None:
    """Write ``content`` to ``target`` in one step. ``mode`` is the new file's mode exactly;
    None makes it as a new file is made (``0o644`` less the umask)."""
    for _attempt in range(100):
        temp = _staging(target)
        try:
            made = _write_new(temp, content, _NEW_FILE_MODE, mode)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 random collisions in a row does not happen
        raise FileExistsError(f"could not create a temporary file next to {target}")
    try:
        temp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            unlink_same_file(temp, made)
        raise
    _sync_folder(target.parent)


def replace_symlink(link: Path, target: str) -> None:
    """Make ``link`` point at ``target``: never missing, never half-made."""
    while True:
        staging = _staging(link)
        try:
            staging.symlink_to(target)
            break
        except FileExistsError:
            continue
    staging.replace(link)
