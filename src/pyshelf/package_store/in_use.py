"""Which store entries are still used: those some environment on disk is composed of.

A generation or isolated environment lists its entries in its composition file, so the
answer needs no database and stays right after a database rebuild: whatever is kept on disk
(the newest generations, the current one, every snapshot's, the apps they link) keeps its
entries, and collecting a generation frees the entries only it used.
"""

from __future__ import annotations

from pathlib import Path

from pyshelf.layout import Layout, home_entries
from pyshelf.package_store.entries import NEW_ENTRY_PREFIX
from pyshelf.removal import is_own


def composed_environments(layout: Layout) -> list[Path]:
    """Every generation and isolated environment on disk (planted links are none)."""
    return [entry for folder in (layout.gens, layout.isolated)
            for entry in home_entries(folder) if entry.is_dir() and not entry.is_symlink()]


def entries_in_use(layout: Layout) -> set[str] | None:
    """The entries environments on disk are composed of; None when one of them has a
    composition file that cannot be read, since what it uses is then unknown."""
    from pyshelf.package_store.compose import COMPOSITION_FILE, read_composition

    used: set[str] = set()
    for venv in composed_environments(layout):
        composition = read_composition(venv)
        if composition is not None:
            used.update(composition.entries)
        elif (venv / COMPOSITION_FILE).exists():
            return None
    return used


def unused_entries(layout: Layout) -> list[Path]:
    """Complete entries no environment on disk uses (a half-filled one is recovery's);
    none while what some environment uses cannot be read."""
    used = entries_in_use(layout)
    if used is None:
        return []
    return sorted(entry for entry in home_entries(layout.store)
                  if not entry.name.startswith(NEW_ENTRY_PREFIX) and entry.name not in used
                  and is_own(layout.home, entry))


def unfinished_entries(layout: Layout) -> list[Path]:
    """Entries a change began filling (``.new-<name>-<pid>``)."""
    return [entry for entry in home_entries(layout.store)
            if entry.name.startswith(NEW_ENTRY_PREFIX) and is_own(layout.home, entry)]
