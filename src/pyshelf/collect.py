"""Garbage collection of old generations.

Only generations the database knows are deleted, only inside ``gens/``, and never the current
one, one a snapshot pins, or one of the newest ``keep_generations``: those are what undo
switches back to instantly. A collected generation stays in the database (its lock and
intent), so it can still be rebuilt.
"""

from __future__ import annotations

from pyshelf.errors import PyshelfError
from pyshelf.generations import remove_generation_dir
from pyshelf.shelf import Shelf


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


def collect_generations(shelf: Shelf) -> list[int]:
    """Delete what :func:`collectable` names; returns the generations collected."""
    victims = collectable(shelf)
    for gen_id in victims:
        remove_generation_dir(shelf.layout, gen_id)
    shelf.state.mark_collected(victims)
    return victims
