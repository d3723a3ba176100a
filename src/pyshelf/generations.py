"""Finding, switching and deleting generations on disk (building them is :mod:`build`).

A generation is made current by one atomic rename of the ``env`` symlink. Deleting is
confined to real directories directly inside ``gens/``, so no planted symlink can lead a
removal out of the shelf home.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Collection
from pathlib import Path

from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout

LOCK_FILE_NAME = "pyshelf-lock.txt"


def next_generation_id(layout: Layout, highest_recorded: int | None) -> int:
    """One past everything recorded or lying on disk, so a leftover is never reused."""
    on_disk = [int(p.name) for p in gen_entries(layout) if p.name.isdigit()]
    return max([-1, *on_disk, *([highest_recorded] if highest_recorded is not None else [])]) + 1


def entries(folder: Path) -> list[Path]:
    """Everything in ``folder``, whatever it is (none if it cannot be listed)."""
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def gen_entries(layout: Layout) -> list[Path]:
    return entries(layout.gens)


def unused_environments(layout: Layout, in_use: Collection[str]) -> list[Path]:
    """Isolated apps' environments under ``<home>/isolated`` that no generation on disk
    links (none if ``isolated`` is a planted symlink: nothing is deleted through it)."""
    if layout.isolated.is_symlink():
        return []
    return sorted(e for e in entries(layout.isolated) if e.name not in in_use)


def generation_ids_on_disk(layout: Layout) -> list[int]:
    """Numbered real directories in ``gens/`` (a planted symlink is not a generation)."""
    return sorted(int(e.name) for e in gen_entries(layout)
                  if e.name.isdigit() and e.is_dir() and not e.is_symlink())


def generation_link(gen_id: int) -> str:
    """What ``env`` holds when it points at ``gens/<id>``: relative, so the home can move."""
    return str(Path("gens") / str(gen_id))


def switch_to(layout: Layout, gen_id: int) -> None:
    """Point ``env`` at ``gens/<id>`` in one rename, so no shell ever sees it missing."""
    replace_symlink(layout.env, generation_link(gen_id))


def replace_symlink(link: Path, target: str) -> None:
    """Make ``link`` point at ``target`` with one rename: never missing, never half-made."""
    staging = link.with_name(f".{link.name}.{os.getpid()}")
    if os.path.lexists(staging):
        staging.unlink()
    staging.symlink_to(target)
    staging.replace(link)


def remove_entry(path: Path) -> None:
    """Delete ``path``: a symlink or file is unlinked, never followed; a directory goes
    with everything in it."""
    if path.is_symlink() or not path.is_dir():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _refuse_symlinked(directory: Path) -> None:
    if directory.is_symlink():
        raise PyshelfError(f"Refusing to delete anything under {directory}: it is a symlink.")


def move_to_trash(layout: Layout, gen_id: int) -> None:
    """Take ``gens/<id>`` out of the shelf at once (a rename); deleting it comes later."""
    _refuse_symlinked(layout.gens)
    trash_entry(layout, layout.gen_dir(gen_id))


def trash_entry(layout: Layout, target: Path) -> None:
    """Take ``target`` out of the shelf at once: a symlink or file is unlinked, a directory
    renamed into the trash, to be deleted later."""
    if target.is_symlink() or target.is_file():
        target.unlink()
        return
    if not target.is_dir():
        return
    _refuse_symlinked(layout.trash)
    layout.trash.mkdir(exist_ok=True)
    target.rename(layout.trash / f"{target.name}.{os.getpid()}.{time.monotonic_ns()}")


def empty_trash(layout: Layout) -> None:
    """Delete what the trash holds; a symlink in it is unlinked, never followed."""
    if layout.trash.is_symlink() or not layout.trash.is_dir():
        return
    for entry in layout.trash.iterdir():
        remove_entry(entry)


def empty_trash_in_background(layout: Layout) -> None:
    """Empty the trash in a detached child, so a change returns without waiting for the
    deletion of thousands of files. The child keeps no terminal and no pipe of ours open."""
    if layout.trash.is_symlink() or not layout.trash.is_dir():
        return
    if not any(layout.trash.iterdir()):
        return
    try:
        child = os.fork()
    except OSError:
        empty_trash(layout)
        return
    if child:
        return
    try:  # in the child: never return into pyshelf, whatever happens
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        empty_trash(layout)
    finally:
        os._exit(0)


def remove_generation_dir(layout: Layout, gen_id: int) -> None:
    """Delete ``gens/<id>``: a symlink there is unlinked, never followed."""
    _refuse_symlinked(layout.gens)
    target = layout.gen_dir(gen_id)
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.is_dir():
        shutil.rmtree(target)
