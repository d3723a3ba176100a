"""Finishing what a killed pyshelf left behind.

A change journals itself as a ``running`` operation before it builds. If its process dies
(kill -9, power loss) the row stays. Whoever next holds the writer lock knows that no change
is running, so each such row is an interrupted change: its unfinished generation is removed,
``env`` is pointed back at the generation the database calls current (a kill between the
switch and the commit leaves it on the new one), and the row is marked failed.
"""

from __future__ import annotations

import os

from pyshelf import ui
from pyshelf.layout import THAWED, Layout, generation_link, home_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from pyshelf.store.database import State


def env_target(layout: Layout) -> str | None:
    try:
        return str(layout.env.readlink())
    except OSError:
        return None


def misplaced_env(layout: Layout, state: State) -> bool:
    """``env`` does not point at the current generation, and that generation is on disk
    to point it at."""
    current = state.current_generation_id()
    if current is None or not layout.gen_dir(current).is_dir():
        return False
    return env_target(layout) != generation_link(current)


def stale_scratch(layout: Layout) -> list[Path]:
    """Scratch folders and half-filled store entries whose process no longer exists."""
    return [*stale_work(layout), *stale_entries(layout)]


def stale_work(layout: Layout) -> list[Path]:
    """Scratch folders (``work/<label>-<pid>``) of dead processes; anything else in ``work/``
    is not pyshelf's, and nothing is listed through a symlinked folder. ``work/`` is empty
    but while a change runs, so the removal module's name rules are rarely needed."""
    names = home_names(layout.work)
    if not names:
        return []
    from pyshelf.removal import is_own

    return _dead([entry for entry in (layout.work / name for name in names)
                  if is_own(layout.home, entry)])


def stale_entries(layout: Layout) -> list[Path]:
    """Half-filled store entries (``store/.new-<name>-<pid>``) of dead processes. Finished
    entries are named by their key, so a store without a hidden name holds none, and the
    store's modules (which cost a report more than its query) are imported only when one is
    there."""
    if not any(name.startswith(".") for name in home_names(layout.store)):
        return []
    from pyshelf.package_store.in_use import unfinished_entries

    return _dead(unfinished_entries(layout))


def _dead(entries: list[Path]) -> list[Path]:
    return [entry for entry in entries if not _process_alive(entry.name.rpartition("-")[2])]


def _process_alive(pid_text: str) -> bool:
    if not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def needs_recovery(layout: Layout, state: State) -> bool:
    """Cheap enough for every command: one query, one readlink, a few small listings."""
    return (bool(state.running_operations()) or misplaced_env(layout, state)
            or bool(stale_scratch(layout)) or bool(interrupted_compiles(layout)))


def interrupted_compiles(layout: Layout) -> list[Path]:
    """Store entries a killed bytecode compile left writable. Only a ``.thawed`` marker
    makes one possible, so the bytecode module (which imports the store's, costing a
    report more than its query) is imported only when one is there."""
    if not any(name.endswith(THAWED) for name in home_names(layout.bytecode)):
        return []
    from pyshelf.package_store.bytecode import interrupted

    return interrupted(layout)


def recover(layout: Layout, state: State) -> None:
    """Clean up after interrupted changes; the caller holds the writer lock, so nothing
    found here belongs to a live pyshelf. What cleaning up takes is imported here, once
    :func:`needs_recovery` found something: a report seldom needs it."""
    from pyshelf.core.clock import now
    from pyshelf.generations.folders import remove_generation_dir, switch_to
    from pyshelf.removal import RemovalRefused

    current = state.current_generation_id()
    for op in state.running_operations():
        if op.to_gen != current and state.generation_states().get(op.to_gen) is None:
            try:
                remove_generation_dir(layout, op.to_gen)
                remove_unfinished_apps(layout, state, op.to_gen)
            except RemovalRefused as refused:  # nothing of ours lies behind a planted link
                ui.warn(refused.message)
        state.mark_failed(op.id, finished_at=now(),
                          summary=f"interrupted; generation {op.to_gen} was never finished")
        ui.warn(f"The change `{op.command}` (started {ui.local_time(op.started_at)}) was "
                f"interrupted; its unfinished generation {op.to_gen} was removed and the "
                f"shelf is at generation {current}, as before it.")
    if current is not None and misplaced_env(layout, state):
        target = env_target(layout)
        was = (f"pointed at {target}, not at the current generation {current}" if target
               else "was missing" if not os.path.lexists(layout.env) else "was not a symlink")
        ui.warn(f"{layout.env} {was}; it points at generation {current} again.")
        switch_to(layout, current)
    remove_stale_scratch(layout)
    from pyshelf.package_store.bytecode import refreeze_interrupted

    refreeze_interrupted(layout)


def remove_unfinished_apps(layout: Layout, state: State, gen_id: int) -> None:
    """Isolated apps' environments built for ``gen_id`` (named ``<app>-<gen_id>``) that no
    recorded generation uses: an interrupted change was building them."""
    from pyshelf.generations.folders import unused_environments
    from pyshelf.removal import remove

    for entry in unused_environments(layout, state.isolated_env_dirs()):
        if entry.name.endswith(f"-{gen_id}"):
            remove(layout.home, entry)


def remove_stale_scratch(layout: Layout) -> None:
    """Delete the scratch folders of dead processes; a symlink there is unlinked, never
    followed."""
    from pyshelf.removal import remove

    for folder in stale_scratch(layout):
        remove(layout.home, folder, ignore_errors=True)
