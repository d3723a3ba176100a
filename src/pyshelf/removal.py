"""The one module that deletes anything, and the rules that keep it inside the shelf home.

A package manager that deletes through a planted symlink can erase a person's files, so
deletion is confined here, and a structural test keeps every other module from calling
``rmtree``, ``unlink``, ``remove`` or ``rmdir``:

- Inside the home, only paths strictly below it, in one of its own folders, whose first
  name below that folder follows pyshelf's naming scheme (:data:`OWN_NAMES`): a generation
  number, a scratch folder ``<label>-<pid>``, a run key, an app copy, an isolated
  environment ``<app>-<N>``, a trash entry. The walk down from the home opens every folder
  with ``O_NOFOLLOW`` and works relative to its descriptor, so a symlink anywhere on the way
  refuses the deletion instead of leading it elsewhere, even one swapped in mid-walk.
  Directory trees are emptied the same way: a symlink inside is unlinked, never followed.
- Outside the home (the bin dir, the shell config's folder) pyshelf only removes what it
  made there: a symlink (:func:`unlink_link`: a link holds no data, and the link itself is
  all that goes) or a file it created or recognised, checked to be that very file by its
  inode right before it goes (:func:`unlink_same_file`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Collection
from pathlib import Path

from pyshelf.errors import PyshelfError

# What pyshelf names the entries it makes directly inside each of the home's folders (a
# pattern each, compiled when a deletion first needs it: every command imports this module).
OWN_NAMES: dict[str, str] = {
    "gens": r"\d+",
    "work": r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+",
    "trash": r"[^/]+\.\d+\.\d+",
    "bytecode": r"[0-9a-f]{16}(?:\.thawed)?",
    "runs": r"[0-9a-f]{20}",
    "app": r"\.new-\d+|[0-9A-Za-z.+!_]+-\d{19}",
    "isolated": r"[a-z0-9][a-z0-9._-]*-\d+",
    "store": r"\.new-[a-z0-9][a-z0-9._-]*-\d+|[0-9a-f]{16}"
             r"|[a-z0-9][a-z0-9._-]*-[0-9a-z.+!_]+-[0-9a-f]{16}",
}
# Entries of the home itself that pyshelf may remove: the symlink to the current generation.
OWN_HOME_ENTRIES = frozenset({"env"})
# The home's folders; none of them may be a symlink (state.db and the lock are files).
HOME_FOLDERS = tuple(OWN_NAMES)

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class RemovalRefused(PyshelfError):
    """A deletion that could reach outside what pyshelf made; nothing was deleted."""


def symlinked_folder_message(folder: Path) -> str:
    return (f"{folder} is a symlink; pyshelf only writes and deletes in real folders inside "
            "its home, so it leaves that link and where it leads alone (move the folder back "
            "in place of the link, or remove the link; `pyshelf doctor` reports it).")


def symlinked_folders(home: Path) -> list[Path]:
    """The home's own folders that are symlinks (planted, or made by a careless move)."""
    return [home / name for name in HOME_FOLDERS if (home / name).is_symlink()]


def real_folder(home: Path, name: str) -> Path:
    """``<home>/<name>``, made if missing, refused when it is a symlink: what pyshelf then
    writes there, and later deletes, stays in the home."""
    folder = home / name
    if folder.is_symlink():
        raise RemovalRefused(symlinked_folder_message(folder))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def is_own(home: Path, path: Path) -> bool:
    """Whether :func:`remove` would take ``path`` (by name; the walk checks the rest)."""
    try:
        _parts_below(home, path)
    except RemovalRefused:
        return False
    return True


def _parts_below(home: Path, path: Path) -> tuple[str, ...]:
    try:
        parts = path.relative_to(home).parts
    except ValueError:
        parts = ()
    if not parts or any(part in ("..", ".") for part in parts):
        raise RemovalRefused(f"pyshelf does not delete {path}: it is not inside {home}.")
    if len(parts) == 1 and parts[0] in OWN_HOME_ENTRIES:
        return parts
    scheme = OWN_NAMES.get(parts[0])
    if scheme is None or len(parts) < 2 or not re.fullmatch(scheme, parts[1]):
        raise RemovalRefused(f"pyshelf does not delete {path}: it did not make it.")
    return parts


def _open_below(parent_fd: int, name: str, shown: Path) -> int | None:
    """Open the folder ``name`` without following a symlink; None when it is missing."""
    try:
        return os.open(name, _DIRECTORY, dir_fd=parent_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            if stat.S_ISLNK(os.lstat(name, dir_fd=parent_fd).st_mode):
                raise RemovalRefused(symlinked_folder_message(shown)) from None
            return None  # a file where a folder was expected: nothing below it to delete
        raise


def remove(home: Path, path: Path, *, ignore_errors: bool = False) -> bool:
    """Delete ``path`` (a file, a symlink, or a folder with everything in it) if it is
    pyshelf's own and reached from ``home`` through real folders only; True if it existed.

    A refusal (:class:`RemovalRefused`) is raised even with ``ignore_errors``, which only
    silences failures of the deletion itself (a file already gone, a permission)."""
    parts = _parts_below(home, path)
    try:
        return _remove_below(home, parts)
    except FileNotFoundError:
        return False
    except OSError:
        if not ignore_errors:
            raise
        return True


def _remove_below(home: Path, parts: tuple[str, ...]) -> bool:
    fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for depth, part in enumerate(parts[:-1], start=1):
            below = _open_below(fd, part, home.joinpath(*parts[:depth]))
            if below is None:
                return False
            os.close(fd)
            fd = below
        if len(parts) == 1:  # in the home itself pyshelf only ever makes symlinks
            return _unlink_symlink(fd, parts[0])
        return _remove_entry(fd, parts[-1])
    finally:
        os.close(fd)


def _remove_entry(parent_fd: int, name: str) -> bool:
    try:
        info = os.lstat(name, dir_fd=parent_fd)
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(info.st_mode):
        _remove_tree(parent_fd, name)
    else:
        os.unlink(name, dir_fd=parent_fd)
    return True


def _remove_tree(parent_fd: int, name: str) -> None:
    """Empty and remove the folder ``name`` of ``parent_fd`` by descriptors alone: a folder
    swapped for a symlink while this runs is unlinked, never entered."""
    try:
        fd = os.open(name, _DIRECTORY, dir_fd=parent_fd)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        os.unlink(name, dir_fd=parent_fd)
        return
    try:
        _make_writable(fd)
        with os.scandir(fd) as found:
            children = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in found]
        for child, is_dir in children:
            if is_dir:
                _remove_tree(fd, child)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(child, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=parent_fd)


def _make_writable(fd: int) -> None:
    """Store entries' folders are read-only (:func:`pyshelf.package_store.entries.freeze`);
    only a folder's own mode changes, never a file's, which may be uv's cache's too."""
    mode = os.fstat(fd).st_mode
    if not mode & stat.S_IWUSR:
        with contextlib.suppress(OSError):
            os.fchmod(fd, stat.S_IMODE(mode) | stat.S_IRWXU)


def unlink_link(path: Path) -> bool:
    """Remove ``path`` if it is a symlink (outside the home: a link pyshelf made); the link
    alone goes, whatever it points to. True if one was removed."""
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return _unlink_symlink(fd, path.name)
    finally:
        os.close(fd)


def _unlink_symlink(parent_fd: int, name: str) -> bool:
    try:
        if not stat.S_ISLNK(os.lstat(name, dir_fd=parent_fd).st_mode):
            return False
    except FileNotFoundError:
        return False
    os.unlink(name, dir_fd=parent_fd)
    return True


def unlink_same_file(path: Path, seen: os.stat_result) -> bool:
    """Remove ``path`` only if it is still the regular file ``seen`` describes (pyshelf
    created it, or read it and recognised it as its own): never a file swapped in since.
    True if it was removed."""
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            now = os.lstat(path.name, dir_fd=fd)
        except FileNotFoundError:
            return False
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (seen.st_dev,
                                                                         seen.st_ino):
            return False
        os.unlink(path.name, dir_fd=fd)
        return True
    finally:
        os.close(fd)


# What a first ``init`` makes directly in the home besides ``env`` and the home's folders:
# the database, the files SQLite keeps beside it, and the writer lock.
INIT_FILES = frozenset({"state.db", "state.db-wal", "state.db-shm", "state.db-journal", "lock"})


def discard_new_home(home: Path, found: Collection[str], *, made_home: bool) -> None:
    """Take away what a first ``init`` that failed made in ``home``, so that the next one
    starts afresh: each of the home's own entries (the database and its lock, ``env``, the
    home's folders) that was not among the names ``found`` there before, and the home
    itself when init made it and nothing else is in it now. Walked by descriptor, like
    :func:`remove`: a symlink among them is unlinked, never followed."""
    fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in sorted((INIT_FILES | OWN_HOME_ENTRIES | set(HOME_FOLDERS)) - set(found)):
            _remove_entry(fd, name)
    finally:
        os.close(fd)
    if made_home:
        with contextlib.suppress(OSError):  # not empty: someone else put something there
            home.rmdir()
