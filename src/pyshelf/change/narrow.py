"""Changes that do only their own work: a removal, and an install of what the shelf holds
already as a dependency (a change of its role), compute their lock without running the
resolver, and an addition is resolved against the shelf's pins before the whole shelf is.

Each stands in for ``resolve.resolve`` only where it gives the lock that would give (the
reasoning is in ``core/narrow.py``), and answers None everywhere else, where the change
resolves as it always has. The caller only asks when the shelf does not see the system's
packages: their stand-in wheels are resolver input that no record holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from pyshelf.core.graph import same_version
from pyshelf.core.model import ChangeRequest, Edge, IntentEntry, Lock
from pyshelf.core.narrow import added_lock, kept_lock, plain_pins
from pyshelf.core.reach import (
    Reach,
    edges_of,
    from_json,
    narrowed,
    of_requires,
    reached,
    with_roots,
)
from pyshelf.errors import ConflictError, PyshelfError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from pyshelf.core.graph import Distribution
    from pyshelf.shelf import Shelf
    from pyshelf.store.database import GenerationRecord


def lock_without_resolving(shelf: Shelf, request: ChangeRequest, current: GenerationRecord
                           ) -> Lock | None:
    """The lock of a change that asks for nothing new (``prefer_cache``: a removal, a
    clean, an isolated app's change), from the current lock and the requirements each
    of its packages recorded; None where only the resolver can tell."""
    if not request.prefer_cache or not _moves_nothing_else(shelf, request, current):
        return None
    return kept_lock(current.lock, recorded_reach(shelf, current, request.intent),
                     request.intent)


def lock_of_new_roles(shelf: Shelf, request: ChangeRequest, current: GenerationRecord,
                      current_intent: Sequence[IntentEntry], new: Sequence[IntentEntry]
                      ) -> Lock | None:
    """The current lock, where the index requirements ``new`` name packages the shelf
    holds already and ask for nothing it does not hold (``install X`` of a dependency X:
    only X's role changes), or where nothing is new at all (``install X`` of an X asked
    for already, as it was asked for); None otherwise.

    That is the reach of the new intent through the recorded requirements
    (:func:`kept_lock`) being the whole current lock: the current pins satisfy every
    requirement on the way, so uv, preferring them, would choose each again, and a new
    requirement whose package is pinned brings no package of its own whose newest release
    a full resolve would go for. Nothing is resolved, and the index is not asked."""
    if (any(entry.name not in current.lock.packages for entry in new)
            or not _moves_nothing_else(shelf, request, current)
            or _rest_of(request, new) != set(current_intent)):
        return None
    lock = kept_lock(current.lock, recorded_reach(shelf, current, request.intent),
                     request.intent)
    return current.lock if lock is not None and lock.text == current.lock.text else None


def resolve_within_shelf(shelf: Shelf, request: ChangeRequest, current: GenerationRecord,
                         current_intent: Sequence[IntentEntry], new: Sequence[IntentEntry],
                         alone: Future[Lock]) -> Lock | None:
    """The lock of a change that adds the index requirements ``new`` and nothing else:
    they are resolved alone with every current pin as a constraint, from uv's cache, and
    joined to the current lock.

    A full resolve only prefers the current pins, so where one stands in the way of a
    new package's newest release it may move that pin instead. The answer is therefore
    taken only where every package it adds has the version ``alone`` (the new
    requirements resolved without the shelf, from the index) gives it, and no yanked
    release came into it; otherwise, and on a conflict, None: the full resolve decides,
    and says what holds a package back.

    ``alone`` is the one resolve that asks the index, and it asks about exactly what the
    new requirements bring; a constrained resolve asking too would send the same requests
    at the same time. So the constrained resolve reads uv's cache twice at most: as it
    is, beside ``alone`` (enough where the cache knew the new packages and is current),
    and where that fails or disagrees with ``alone``, once more after it, when ``alone``
    has put the index's pages of what they bring into the cache. Where the cache still
    cannot answer (it lacks a pinned package's metadata) the full resolve asks the
    index. Where ``alone`` failed (a release the index lacks, an index out of reach) the
    second resolve asks the index itself, so that the change fails with uv's reason
    without resolving the whole shelf first."""
    pins = plain_pins(current.lock)
    if (pins is None or not _moves_nothing_else(shelf, request, current)
            or _rest_of(request, new) != set(current_intent)):
        return None
    from pyshelf.change.resolve import resolve_added  # a removal needs no resolver

    for after_alone in (False, True):
        # alone, they could not be resolved: this resolve asks the index, and says why
        online = after_alone and not alone.result().packages
        try:
            resolved, yanked = resolve_added(shelf.engine, shelf.layout, new, shelf.python,
                                             pins, offline=not online)
        except ConflictError:
            if online:
                return None
            continue
        except PyshelfError:
            if online:  # the index or a build failed: a full resolve would fail alike
                raise
            continue  # uv's cache cannot answer
        lock = added_lock(current.lock, resolved)
        if lock is None or yanked:
            return None
        if _as_alone(lock, current.lock, alone.result()):
            return lock
    return None


def recorded_reach(shelf: Shelf, current: GenerationRecord, intent: Iterable[IntentEntry]
                   ) -> Reach:
    """The reach ``current`` recorded, knowing what each entry of ``intent`` asks for; for
    a generation recorded before reaches were kept, evaluated from its packages' recorded
    requirements."""
    versions = {name: package.version for name, package in current.lock.packages.items()}
    specs = [entry.spec for entry in intent]
    reach = from_json(shelf.state.reach(current.id))
    if reach is None:
        reach = of_requires(shelf.state.requires(current.id), versions, specs,
                            current.marker_env)
    return with_roots(reach, specs, versions, current.marker_env)


def generation_reach(shelf: Shelf, from_gen: int | None, intent: Sequence[IntentEntry],
                     distributions: Sequence[Distribution], marker_env: Mapping[str, str]
                     ) -> tuple[Reach, list[Edge], bool]:
    """The reach and edges of a new generation of ``distributions``, and whether the
    record settled that every requirement on the way is met.

    Where the generation before holds each of them at the same version with the same
    requirements, in the same environment, and the intent asks for packages of the index
    (a removal, a change of role), its record is walked: what it evaluated is as true
    now, and only an entry it did not have is parsed. Anything else is evaluated afresh."""
    walked = None if from_gen is None else _walked(shelf, from_gen, intent, distributions,
                                                   marker_env)
    if walked is not None:
        return (*walked, True)
    from pyshelf.core.graph import intent_reach

    return (*intent_reach(distributions, intent, marker_env), False)


def _walked(shelf: Shelf, from_gen: int, intent: Sequence[IntentEntry],
            distributions: Sequence[Distribution], marker_env: Mapping[str, str]
            ) -> tuple[Reach, list[Edge]] | None:
    reach = from_json(shelf.state.reach(from_gen))
    if reach is None or any(e.kind != "index" for e in intent):
        return None
    previous = shelf.state.generation(from_gen)
    if previous.marker_env != marker_env:
        return None
    recorded = shelf.state.requires(from_gen)
    versions = {name: package.version for name, package in previous.lock.packages.items()}
    if any(d.name not in recorded or tuple(recorded[d.name]) != tuple(d.requires)
           or versions.get(d.name) != d.version for d in distributions):
        return None
    reach = with_roots(reach, [e.spec for e in intent], versions, marker_env)  # a new role's
    names = {d.name for d in distributions}
    extras = reached(reach, [reach.roots[e.spec] for e in intent], names)
    if extras is None or extras.keys() != names:
        return None
    return (narrowed(reach, names, {e.spec: reach.roots[e.spec] for e in intent}),
            edges_of(reach, extras))


def _rest_of(request: ChangeRequest, new: Sequence[IntentEntry]) -> set[IntentEntry]:
    """The request's intent without the entries ``new`` adds."""
    added = {entry.name for entry in new}
    return {entry for entry in request.intent if entry.name not in added}


def _moves_nothing_else(shelf: Shelf, request: ChangeRequest, current: GenerationRecord
                        ) -> bool:
    """Nothing in the request moves a package on purpose (pins, upgrades, rebuilds from
    source, a new Python), and the shelf is built on the interpreter whose markers the
    current generation recorded."""
    return not (request.pins or request.upgrade or request.upgrade_packages or request.refresh
                or request.always_build or request.leave_out_unavailable) and (
        os.path.realpath(shelf.python) == current.interpreter.resolved)


def _as_alone(lock: Lock, current: Lock, alone: Lock) -> bool:
    """Every package ``lock`` adds to ``current`` is at the version ``alone`` chose."""
    for name, package in lock.packages.items():
        if name in current.packages:
            continue
        chosen = alone.packages.get(name)
        if chosen is None or not same_version(chosen.version, package.version):
            return False
    return True
