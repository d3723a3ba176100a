"""Finding, switching and deleting generations on disk (building them is
:mod:`pyshelf.change.build`).

A generation is made current by one atomic rename of the ``env`` symlink. Every deletion
goes through :mod:`pyshelf.removal`, so no planted symlink can lead one out of the shelf home.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection
from pathlib import Path

from pyshelf.atomic import replace_symlink
from pyshelf.layout import Layout, generation_link, home_entries
from pyshelf.removal import RemovalRefused, is_own, real_folder, remove, symlinked_folder_message

LOCK_FILE_NAME = "pyshelf-lock.txt"


def next_generation_id(layout: Layout, highest_recorded: int | None) -> int:
    """One past everything recorded or lying on disk, so a leftover is never reused."""
    on_disk = [int(p.name) for p in gen_entries(layout) if p.name.isdigit()]
    return max([-1, *on_disk, *([highest_recorded] if highest_recorded is not None else [])]) + 1


def gen_entries(layout: Layout) -> list[Path]:
    return home_entries(layout.gens)


def unused_environments(layout: Layout, in_use: Collection[str]) -> list[Path]:
    """Isolated apps' environments under ``<home>/isolated`` that no generation on disk
    links (none if ``isolated`` is a planted symlink: nothing is deleted through it)."""
    return sorted(e for e in home_entries(layout.isolated)
                  if e.name not in in_use and is_own(layout.home, e))


def generation_ids_on_disk(layout: Layout) -> list[int]:
    """Numbered real directories in ``gens/`` (a planted symlink is not a generation)."""
    return sorted(int(e.name) for e in gen_entries(layout)
                  if e.name.isdigit() and e.is_dir() and not e.is_symlink())


def switch_to(layout: Layout, gen_id: int) -> None:
    """Point ``env`` at ``gens/<id>`` in one rename, so no shell ever sees it missing."""
    replace_symlink(layout.env, generation_link(gen_id))


def move_to_trash(layout: Layout, gen_id: int) -> None:
    """Take ``gens/<id>`` out of the shelf at once (a rename); deleting it comes later."""
    trash_entry(layout, layout.gen_dir(gen_id))


def trash_entry(layout: Layout, target: Path) -> None:
    """Take ``target`` (an entry of one of the home's folders) out of the shelf at once: a
    symlink or file is unlinked, a directory renamed into the trash, to be deleted later.
    Refused when the folder holding it is a symlink: the rename would carry in, and the
    trash then delete, whatever that link leads to."""
    if target.parent.is_symlink():
        raise RemovalRefused(symlinked_folder_message(target.parent))
    if not is_own(layout.home, target):
        return
    if target.is_symlink() or not target.is_dir():
        remove(layout.home, target)
        return
    trash = real_folder(layout.home, layout.trash.name)
    target.rename(trash / f"{target.name}.{os.getpid()}.{time.monotonic_ns()}")


def empty_trash(layout: Layout) -> None:
    """Delete what the trash holds that pyshelf put there; a symlink in it is unlinked,
    never followed, and anything else found there is left alone."""
    for entry in home_entries(layout.trash):
        if is_own(layout.home, entry):
            remove(layout.home, entry, ignore_errors=True)


def empty_trash_in_background(layout: Layout) -> None:
    """Empty the trash in a detached child, so a change returns without waiting for the
    deletion of thousands of files."""
    from pyshelf.engine.processes import detach

    if home_entries(layout.trash) and not detach(lambda: empty_trash(layout)):
        empty_trash(layout)


def remove_generation_dir(layout: Layout, gen_id: int) -> None:
    """Delete ``gens/<id>``: a symlink there is unlinked, never followed."""
    remove(layout.home, layout.gen_dir(gen_id))
