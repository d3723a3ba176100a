"""Changes that do only their own work: a removal computes its lock without running the
resolver.

It stands in for ``resolve.resolve`` only where it gives the lock that would give (the
reasoning is in ``core/narrow.py``), and answers None everywhere else, where the change
resolves as it always has. The caller only asks when the shelf does not see the system's
packages: their stand-in wheels are resolver input that no record holds.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pyshelf.core.model import ChangeRequest, Lock
from pyshelf.core.narrow import kept_lock

if TYPE_CHECKING:
    from pyshelf.shelf import Shelf
    from pyshelf.store.database import GenerationRecord


def lock_without_resolving(shelf: Shelf, request: ChangeRequest, current: GenerationRecord
                           ) -> Lock | None:
    """The lock of a change that asks for nothing new (``prefer_cache``: a removal, a
    clean, an isolated app's change), from the current lock and the requirements each
    of its packages recorded; None where only the resolver can tell."""
    if not request.prefer_cache or not _moves_nothing_else(shelf, request, current):
        return None
    return kept_lock(current.lock, shelf.state.requires(current.id), current.marker_env,
                     request.intent)


def _moves_nothing_else(shelf: Shelf, request: ChangeRequest, current: GenerationRecord
                        ) -> bool:
    """Nothing in the request moves a package on purpose (pins, upgrades, rebuilds from
    source, a new Python), and the shelf is built on the interpreter whose markers the
    current generation recorded."""
    return not (request.pins or request.upgrade or request.upgrade_packages or request.refresh
                or request.always_build or request.leave_out_unavailable) and (
        os.path.realpath(shelf.python) == current.interpreter.resolved)
