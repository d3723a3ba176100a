"""Garbage collection of old generations.

Only generations the database knows are collected, only from ``gens/``, and never the current
one, one a snapshot pins, or one of the newest ``keep_generations``: those are what undo
switches back to instantly. A collected generation stays in the database (its lock and
intent), so it can still be rebuilt. An isolated app's environment goes once no generation
left on disk links it.
"""

from __future__ import annotations

from pyshelf.errors import DiskFullError, PyshelfError
from pyshelf.generations.folders import (
    empty_trash,
    empty_trash_in_background,
    move_to_trash,
    trash_entry,
    unused_environments,
)
from pyshelf.package_store.bytecode import busy
from pyshelf.package_store.entries import thaw
from pyshelf.package_store.in_use import unused_entries
from pyshelf.shelf import Shelf
from pyshelf.store.database import InaccessibleDatabase


def keep_count(shelf: Shelf) -> int:
    value = shelf.setting("keep_generations") or "5"
    try:
        count = int(value)
    except ValueError as exc:
        raise PyshelfError(f"keep_generations must be a whole number, not {value!r}.") from exc
    return max(count, 1)


def collectable(shelf: Shelf) -> list[int]:
    state = shelf.state
    ready = sorted((g for g, s in state.generation_states().items() if s == "ready"),
                   reverse=True)
    protected = set(ready[: keep_count(shelf)])
    protected |= {s.gen_id for s in state.snapshots()}
    current = state.current_generation_id()
    if current is not None:
        protected.add(current)
    return sorted(g for g in ready if g not in protected)


def collect_generations(shelf: Shelf, *, wait: bool = False) -> list[int]:
    """Collect what :func:`collectable` names; returns the generations collected.

    The directories leave ``gens/`` at once; deleting their files happens in the background
    unless ``wait`` (``pyshelf gc`` on a full disk waits, anything else does not). Waiting, the
    files are deleted before the collection is recorded, because on a full disk recording
    needs the room the deletion frees.
    """
    victims = collectable(shelf)
    for gen_id in victims:
        move_to_trash(shelf.layout, gen_id)
    for unused in unused_environments(shelf.layout, shelf.state.isolated_env_dirs(victims)):
        trash_entry(shelf.layout, unused)
    compiling = busy(shelf.layout)  # the child compiling them finishes first
    gone = [entry for entry in unused_entries(shelf.layout) if entry.name not in compiling]
    for entry in gone:
        thaw(entry)
        trash_entry(shelf.layout, entry)
    if wait:
        empty_trash(shelf.layout)
    _record_collected(shelf, victims, [entry.name for entry in gone])
    if not wait:
        empty_trash_in_background(shelf.layout)
    return victims


def _record_collected(shelf: Shelf, victims: list[int], entries_gone: list[str]) -> None:
    """Mark the collected generations (and the store entries that went with them) in the
    database; if that cannot be written, their directories are gone all the same, so say
    that and how to record it later."""
    try:
        shelf.state.mark_collected(victims, entries_gone)
    except (DiskFullError, InaccessibleDatabase) as exc:
        why = exc.reason if isinstance(exc, InaccessibleDatabase) else "its disk is still full"
        raise PyshelfError(
            f"Generation(s) {', '.join(map(str, victims))} were removed from "
            f"{shelf.layout.gens}, but the shelf database could not record that: {why}; "
            "`pyshelf doctor --fix` records it once the database can be written.",
            detail=exc.detail) from exc
