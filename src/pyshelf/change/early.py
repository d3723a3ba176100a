"""What a change begins before its plan is shown: the generation and the venv it starts
with, and the resolve of its new requirements alone.

Apart from the pipeline, and light to import, so that a command can begin them before it
imports the pipeline: a command whose lock will come from the record (a removal, a change
of role, under ``--yes``) the generation's ``uv venv``, which uv makes (some 30 ms) while
Python reads the pipeline's modules (as long again); an ``install`` of a package the shelf
lacks the resolve that asks the index, which the plan waits for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from pyshelf.core.clock import now
from pyshelf.core.lockfile import EMPTY_LOCK
from pyshelf.core.model import ChangeRequest, IntentEntry, Lock
from pyshelf.engine.processes import Engine, PendingVenv
from pyshelf.errors import PyshelfError
from pyshelf.generations.folders import next_generation_id, remove_generation_dir
from pyshelf.layout import Layout
from pyshelf.removal import real_folder
from pyshelf.shelf import Shelf, command_line

if TYPE_CHECKING:
    from concurrent.futures import Future

    from pyshelf.core.graph import Distribution


class EarlyStart(NamedTuple):
    """A generation begun before its plan is shown: its venv is created while uv resolves
    (a rebuild, which builds whatever the plan says) or while the lock is taken from the
    record and the plan is made (a change under ``--yes`` that asks for nothing new, where
    ``uv venv`` was a tenth of the change). It is journalled first, so after a kill at any
    moment the next pyshelf finds and removes it; a change that has nothing to do removes
    it again."""

    gen_id: int
    op_id: int
    started_at: str
    venv: PendingVenv

    def abandon(self, shelf: Shelf) -> None:
        self.venv.cancel()
        remove_generation_dir(shelf.layout, self.gen_id)
        shelf.state.abandon_operation(self.op_id)


def start_early(shelf: Shelf, current_id: int) -> EarlyStart:
    gen_id = next_generation_id(shelf.layout, shelf.state.highest_generation_id())
    started = now()
    op_id = shelf.state.begin_operation(command=command_line(), from_gen=current_id,
                                        to_gen=gen_id, started_at=started)
    try:
        venv = start_venv(shelf.engine, shelf.layout, gen_id, shelf.python,
                          system_site_packages=sees_system(shelf))
    except BaseException:
        shelf.state.abandon_operation(op_id)
        raise
    return EarlyStart(gen_id, op_id, started, venv)


def start_for_record(shelf: Shelf, *, assume_yes: bool, dry_run: bool) -> EarlyStart | None:
    """The generation begun at once for a change whose lock comes from the record, when
    nobody is asked first and uv needs no stand-in for the system's packages (which the
    resolve would wait for), then the pipeline imported while uv makes its venv; None
    where it is not begun (the pipeline then decides as it goes)."""
    early = (None if not assume_yes or dry_run or sees_system(shelf)
             else start_early(shelf, shelf.current_generation_id()))
    try:
        import pyshelf.change.pipeline  # noqa: F401  (read while uv makes the venv)
    except BaseException:  # a Ctrl-C while it is read
        if early is not None:
            early.abandon(shelf)
        raise
    return early


def sees_system(shelf: Shelf) -> bool:
    """Whether the shelf is set to see (and not duplicate) the system's packages."""
    return shelf.setting("system_site_packages") == "true"


def start_venv(engine: Engine, layout: Layout, gen_id: int, python: str, *,
               system_site_packages: bool) -> PendingVenv:
    """Begin creating ``gens/<id>``'s venv in the background, over any leftover there."""
    real_folder(layout.home, layout.gens.name)
    remove_generation_dir(layout, gen_id)
    return engine.start_venv(layout.gen_dir(gen_id), python,
                             system_site_packages=system_site_packages)


def new_requirements(intent: Sequence[IntentEntry], current: Sequence[IntentEntry],
                     lock: Lock, *, pinned: bool) -> list[IntentEntry]:
    """The explicit index requirements ``intent`` adds to the ``current`` one: only what
    the shelf holds (``lock``) can hold a new package back, and pins are deliberate."""
    if not lock.packages or pinned:
        return []
    known = {entry.name for entry in current}
    return [entry for entry in intent if entry.role == "explicit" and entry.kind == "index"
            and entry.name not in known]


def resolve_alone(shelf: Shelf, new: Sequence[IntentEntry],
                  provided: Sequence[Distribution] | None) -> Future[Lock] | None:
    """Start resolving the new requirements without the shelf, beside the real resolve (uv
    waits on the network, not the processor), to see what the shelf holds them back from."""
    if not new:
        return None
    from concurrent.futures import ThreadPoolExecutor

    # The thread is handed plain values only: the shelf's database connection belongs to
    # this thread, and sysconfig (which finds uv) is not thread-safe.
    engine, layout, python = shelf.engine, shelf.layout, shelf.python
    _ = engine.uv

    from pyshelf.change.resolve import resolve

    def alone() -> Lock:
        try:
            return resolve(engine, layout, ChangeRequest(intent=list(new)), python,
                           EMPTY_LOCK, provided=provided, label="alone", quiet=True)
        except PyshelfError:  # on their own they cannot be resolved: nothing to compare
            return EMPTY_LOCK

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(alone)
    finally:
        pool.shutdown(wait=False)  # its one thread ends with the resolve
