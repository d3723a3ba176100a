"""The one pipeline every change goes through.

    intent' -> resolve -> lock' -> plan -> confirm -> build gens/N+1 -> verify -> switch
            -> record

Until the final database transaction commits, nothing the person relies on has changed: a
failure or Ctrl-C at any step removes the half-built generation and points ``env`` back at
the generation that was current before.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.change.build import Prefill, build_generation, refuse_unmet
from pyshelf.change.early import (
    EarlyStart,
    new_requirements,
    resolve_alone,
    sees_system,
    start_early,
)
from pyshelf.change.local_sources import refuse_gone_sources
from pyshelf.change.narrow import (
    generation_reach,
    lock_of_new_roles,
    lock_without_resolving,
    resolve_within_shelf,
)
from pyshelf.change.source_builds import source_builds
from pyshelf.core.clock import now
from pyshelf.core.graph import Distribution, same_version
from pyshelf.core.installed import package_records
from pyshelf.core.lockfile import EMPTY_LOCK
from pyshelf.core.model import (
    ChangeRequest,
    EntryMetadata,
    InstalledPackage,
    IntentEntry,
    Interpreter,
    IsolatedApp,
    Lock,
    explicit_names,
)
from pyshelf.core.plan import as_installed, interpreter_change, make_plan, spec_changes
from pyshelf.core.reach import to_json
from pyshelf.core.shared_commands import SharedCommand, describe, shared_commands
from pyshelf.core.source_builds import SourceBuild, source_build_note
from pyshelf.engine.interpreter import minor_version_of, same_minor
from pyshelf.engine.processes import PendingFacts
from pyshelf.errors import ChangeKept, ConflictError, PyshelfError
from pyshelf.generations.folders import (
    generation_ids_on_disk,
    next_generation_id,
    remove_generation_dir,
    switch_to,
)
from pyshelf.generations.switching import CommitGuard, finish_switch
from pyshelf.package_store.carry import kept_line
from pyshelf.package_store.compose import read_composition
from pyshelf.removal import remove
from pyshelf.shelf import Shelf, command_line
from pyshelf.store.database import NewGeneration
from pyshelf.store.generation_records import own_size, store_records, write_generation_record
from pyshelf.venv.dist_info import read_distributions
from pyshelf.venv.drift import Drift, generation_drift
from pyshelf.venv.scripts import shared_commands_in

if TYPE_CHECKING:
    from concurrent.futures import Future

    from pyshelf.apps.isolated import IsolatedStep
    from pyshelf.store.database import GenerationRecord


def apply_change(shelf: Shelf, request: ChangeRequest, *, assume_yes: bool,
                 dry_run: bool, early: EarlyStart | None = None,
                 alone: tuple[list[str], Future[Lock]] | None = None) -> None:
    """Resolve, show the plan, ask, build and switch; the caller holds the writer lock.
    ``early`` is the generation the caller began (:func:`pyshelf.change.early
    .start_for_record`); it is abandoned if the change does not build it. ``alone`` is the
    resolve of the new requirements (their names) alone that the caller began
    (:func:`pyshelf.change.early.resolve_alone`), used if they are what the change adds.

    A project folder or wheel file the new intent still needs but that is gone stops the
    change before anything starts; a removal of it passes, since its intent lacks it."""
    begun = _Begun(early, alone)
    try:
        refuse_gone_sources(request.intent)
        current_id = shelf.current_generation_id()
        base = shelf.start_describe()  # overlaps resolving and building
    except BaseException:
        begun.abandon(shelf)
        raise
    if begun.early is None and request.always_build and not dry_run:
        begun.early = start_early(shelf, current_id)
    if request.always_build and assume_yes and not dry_run:
        begun.prefill = Prefill(shelf.engine, shelf.layout, shelf.python,
                                shelf.state.generation(current_id).lock, base)
    try:
        if not _apply(shelf, request, current_id, base, begun, assume_yes=assume_yes,
                      dry_run=dry_run):
            begun.abandon(shelf)  # there was nothing to change after all
    except BaseException as exc:
        if not isinstance(exc, ChangeKept):  # never a current one
            begun.abandon(shelf)
        raise
    finally:
        base.cancel()  # only if nothing waited for it: a plan that stopped short


class _Begun:
    """The generation begun early, if one was: by the command, at the start (a rebuild) or
    before narrowing; the resolve of the new requirements alone the command began, if it
    did; and a rebuild's prefill of the store under ``--yes``."""

    def __init__(self, early: EarlyStart | None = None,
                 alone: tuple[list[str], Future[Lock]] | None = None) -> None:
        self.early = early
        self.prefill: Prefill | None = None
        self.alone = alone  # the new requirements' names, and their resolve begun alone

    def alone_for(self, shelf: Shelf, new: Sequence[IntentEntry],
                  provided: Sequence[Distribution] | None) -> Future[Lock] | None:
        """The resolve of ``new`` alone: the one the command began, if it began it for
        these very requirements with nothing provided by the system, else one begun now."""
        if self.alone is not None and provided is None and self.alone[0] == [
                entry.name for entry in new]:
            return self.alone[1]
        return resolve_alone(shelf, new, provided)

    def prefilled(self) -> None:
        """Wait for the prefill, which the build must not overlap."""
        if self.prefill is not None:
            self.prefill.wait()
            self.prefill = None

    def abandon(self, shelf: Shelf) -> None:
        self.prefilled()  # its uv must not outlive the change
        if self.early is not None:
            self.early.abandon(shelf)
            self.early = None


def _apply(shelf: Shelf, request: ChangeRequest, current_id: int, base: PendingFacts,
           begun: _Begun, *, assume_yes: bool, dry_run: bool) -> bool:
    """Whether it built a generation (not when there was nothing to change, nor for a dry
    run)."""
    current = shelf.state.generation(current_id)
    current_intent = shelf.state.intent(current_id)
    version = target_version(shelf.python, current.interpreter, base)
    system, provided = None, None
    intent, left_out = list(request.intent), {}

    def resolve_for(entries: Sequence[IntentEntry]) -> Lock:
        from pyshelf.change.resolve import resolve  # a lock from the record needs none

        return resolve(shelf.engine, shelf.layout, request._replace(intent=entries),
                       shelf.python, current.lock, provided=provided)

    new = new_requirements(intent, current_intent, current.lock, pinned=bool(request.pins))
    try:
        if sees_system(shelf):  # uv must know them before it resolves
            system = system_packages(base.result().site_dirs)
            provided = [dist for dist, _ in system.values()]
        if (assume_yes and not dry_run and begun.early is None and provided is None
                and _from_the_record(request, new, current.lock)):
            begun.early = start_early(shelf, current_id)  # overlaps narrowing and planning
        # a stand-in for the system's packages is resolver input: none of these knows it
        narrowed = (lock_of_new_roles(shelf, request, current, current_intent, new)
                    if provided is None else None)
        alone = begun.alone_for(shelf, new, provided) if narrowed is None else None
        if provided is None and narrowed is None:
            narrowed = lock_without_resolving(shelf, request, current)
            if narrowed is None and alone is not None:
                narrowed = resolve_within_shelf(shelf, request, current, current_intent, new,
                                                alone)
        try:
            lock = narrowed if narrowed is not None else resolve_for(intent)
        except ConflictError:
            if not request.leave_out_unavailable or same_minor(version,
                                                               current.interpreter.version):
                raise  # on the same Python a conflict is the person's to resolve
            from pyshelf.change.python_move import unavailable

            left_out = unavailable(shelf.engine, shelf.layout, intent, shelf.python, version,
                                   shelf.layout.gen_dir(current_id), provided)
            if not left_out:
                raise
            intent = [entry for entry in intent if entry.name not in left_out]
            lock = resolve_for(intent)
    except PyshelfError as exc:
        broken = base.error()
        if broken is not None:
            raise broken from exc
        raise
    notes = _held_back(shelf, new, lock, alone, intent, current_id) if alone else []
    current_isolated = shelf.state.isolated(current_id)
    wanted_isolated = (current_isolated if request.isolated is None
                       else list(request.isolated))
    steps = _plan_isolated(shelf, current_isolated, wanted_isolated, request)
    gone = [app for app in current_isolated
            if app.name not in {a.name for a in wanted_isolated}]
    before = as_installed(current.lock, shelf.state.packages(current_id))
    plan = make_plan(before, lock, explicit_names(current_intent), explicit_names(intent))
    specs = spec_changes(current_intent, intent)
    rebuilt = sorted(name for name in request.refresh
                     if name in lock.packages and name in before.packages)  # not the added
    if (plan.is_empty and not specs and not rebuilt and not request.always_build
            and _same_roles(current_intent, intent)
            and not gone and not any(step.changes for step in steps)):
        ui.report("Nothing to change: the shelf already holds what was asked for.")
        return False
    early = begun.early
    gen_id = (early.gen_id if early else
              next_generation_id(shelf.layout, shelf.state.highest_generation_id()))
    notes = [*request.notes, *notes, *_outside_changes_lost(shelf, current_id, lock, gen_id)]
    notes += [f"{name} cannot be installed on Python {version} and is left out ({reason}); "
              "`pyshelf undo` goes back to the generation that has it."
              for name, reason in sorted(left_out.items())]
    building = source_build_note(
        _source_builds(shelf, lock, current, gen_id, version, base), version, intent)
    notes += [building] if building else []
    for note in notes:
        ui.warn(note)
    # Only installed packages have a RECORD to name their commands: the build says the rest.
    for shared in shared_commands_of(shelf, current_id, explicit_names(intent),
                                     among=lock.packages):
        ui.warn(describe(shared))
    # Only a shelf that sees the system's packages can shadow one: otherwise the system's
    # copy is invisible to the shelf's python, and the shelf's to the system's.
    for change in plan.added if sees_system(shelf) else ():
        if system and change.name in system:
            dist, where = system[change.name]
            ui.warn(f"{change.display_name} {dist.version} is also installed in {where}; the "
                    "shelf's copy will shadow it for the shelf's python.")
    moving = interpreter_change(current.interpreter.version, version)
    lines = [moving] if moving else []
    because: dict[str, str] = {}
    if not same_minor(version, current.interpreter.version):
        from pyshelf.change.python_move import needed_by_python, rebuilt_for_python

        because = needed_by_python(plan, shelf.layout.gen_dir(current_id), version)
        lines += rebuilt_for_python(plan, shelf.layout.gen_dir(current_id), version)
    lines += [" ".join(filter(None, (before.packages[n].display_name, before.packages[n].version,
                                     "(rebuilt from source)"))) for n in rebuilt]
    ui.show_plan(plan, f"Plan for generation {gen_id}:", specs, lines, because)
    if steps or gone:
        from pyshelf.apps.isolated import show_isolated_plan

        show_isolated_plan(steps, gone)
    if dry_run:
        ui.conclude("Dry run: nothing was changed.")
        return False
    ui.confirm("Proceed?", assume_yes=assume_yes)
    begun.prefilled()
    build_and_switch(shelf, gen_id, intent, lock, from_gen=current_id,
                     summary=_summary(plan.summary, steps, gone), reinstall=rebuilt,
                     provided=provided, base=base, early=early, isolated=steps)
    return True


def _from_the_record(request: ChangeRequest, new: Sequence[IntentEntry], lock: Lock) -> bool:
    """Whether the change's lock will likely come from the record, with no resolve: it asks
    for nothing new (a removal, ``clean``), or only for packages the shelf holds (a change
    of their role)."""
    if request.prefer_cache:
        return True
    return bool(new) and all(entry.name in lock.packages for entry in new)


def _held_back(shelf: Shelf, new: Sequence[IntentEntry], lock: Lock, alone: Future[Lock],
               intent: Sequence[IntentEntry], current_id: int) -> list[str]:
    from pyshelf.core.holdback import held_back_notes

    return held_back_notes(new, lock, alone.result(), intent, shelf.state.edges(current_id))


def _plan_isolated(shelf: Shelf, current: Sequence[IsolatedApp],
                   wanted: Sequence[IsolatedApp], request: ChangeRequest | None = None
                   ) -> list[IsolatedStep]:
    """The isolated apps' steps; a shelf without any imports none of their machinery."""
    if not current and not wanted:
        return []
    from pyshelf.apps.isolated import AS_THEY_ARE, plan_isolated

    return plan_isolated(shelf.engine, shelf.layout, shelf.python, current, wanted,
                         request or AS_THEY_ARE)


def _build_isolated(shelf: Shelf, gen_id: int, steps: Sequence[IsolatedStep],
                    base: PendingFacts, started: str) -> list[IsolatedApp]:
    if not steps:
        return []
    from pyshelf.apps.isolated import build_steps

    return build_steps(shelf.engine, shelf.layout, gen_id, shelf.python, steps, base=base,
                       started=started)


def _source_builds(shelf: Shelf, lock: Lock, current: GenerationRecord, gen_id: int,
                   version: str, base: PendingFacts) -> list[SourceBuild]:
    """What the build will make from source distributions; the base interpreter's tags are
    waited for only if a wheel built for another Python must be judged. Nothing, without
    a look at any generation's folders, when the current generation, on this very
    interpreter, holds every package at its version (a removal, a change of role)."""
    held = current.lock.packages
    if version == current.interpreter.version and all(
            name in held and held[name].version == package.version
            for name, package in lock.packages.items() if package.url is None):
        return []
    current_id = current.id
    others = [other for other in generation_ids_on_disk(shelf.layout)
              if other not in (current_id, gen_id)]
    return source_builds(shelf.engine, shelf.layout, lock, shelf.python, version,
                         [shelf.layout.gen_dir(g) for g in (current_id, *others)],
                         lambda: base.result().tags)


def _summary(main: str, steps: Sequence[IsolatedStep], gone: Sequence[IsolatedApp]) -> str:
    """The history's one-line summary: the shelf's counts, then the isolated apps that
    changed."""
    moved = [f"~{step.app.name}" if step.previous else f"+{step.app.name}"
             for step in steps if step.changes]
    moved += [f"-{app.name}" for app in gone]
    return f"{main}; isolated {' '.join(moved)}" if moved else main


def target_version(python: str, current: Interpreter, base: PendingFacts) -> str:
    """The Python version a change builds for, without waiting for ``base`` to start where
    the files tell: the current generation's version while ``python`` still leads to the
    same executable, else the minor version its name or standard library carries."""
    resolved = os.path.realpath(python)
    if resolved == current.resolved:
        return current.version
    return minor_version_of(Path(resolved)) or base.result().version


def _outside_changes_lost(shelf: Shelf, current_id: int, lock: Lock, gen_id: int
                          ) -> list[str]:
    """Say which changes made outside pyshelf the new generation will not keep."""
    drift = generation_drift(shelf.layout, shelf.state, current_id)
    kept = {name: locked.version for name, locked in lock.packages.items()}
    lost = Drift(
        added={n: v for n, v in drift.added.items() if not same_version(kept.get(n, ""), v)},
        removed={n: v for n, v in drift.removed.items() if n in kept},
        changed={n: (old, new) for n, (old, new) in drift.changed.items()
                 if not same_version(kept.get(n, ""), new)},
    )
    if not lost.count:
        return []
    return [f"{lost.count} change(s) made outside pyshelf will not carry over to generation "
            f"{gen_id} ({lost.summary()}); `pyshelf adopt` first keeps them."]


def system_packages(site_dirs: Sequence[Path]) -> dict[str, tuple[Distribution, Path]]:
    """What the base interpreter's own site-packages provide: name -> (dist, dir)."""
    found: dict[str, tuple[Distribution, Path]] = {}
    for directory in site_dirs:
        if directory.is_dir():
            for dist in read_distributions(directory, legacy=True):
                found.setdefault(dist.name, (dist, directory))
    return found


def provided_by_system(shelf: Shelf) -> list[Distribution] | None:
    """The system's packages when the shelf sees them (None otherwise), for the builds that
    do not go through :func:`apply_change` and so have not described the base yet."""
    if not sees_system(shelf):
        return None
    site_dirs = shelf.start_describe().result().site_dirs
    return [dist for dist, _ in system_packages(site_dirs).values()]


def _same_roles(a: Sequence[IntentEntry], b: Sequence[IntentEntry]) -> bool:
    return {(e.name, e.role) for e in a} == {(e.name, e.role) for e in b}


def build_and_switch(shelf: Shelf, gen_id: int, intent: Sequence[IntentEntry], lock: Lock,
                     *, from_gen: int | None, summary: str, reinstall: Sequence[str] = (),
                     provided: Sequence[Distribution] | None = None,
                     base: PendingFacts | None = None, early: EarlyStart | None = None,
                     isolated: Sequence[IsolatedStep] | None = None) -> None:
    """Build ``gens/<gen_id>`` from ``lock``, make it current and record it, or undo it all.

    ``provided`` are the system's packages when the shelf sees them (else None); ``base`` is
    the shelf's interpreter when a caller has started describing it already, ``early`` the
    generation when the caller began it; ``isolated`` the isolated apps' steps (None: the
    ``from_gen`` apps, as they are)."""
    layout = shelf.layout
    described_here = base is None
    base = base or shelf.start_describe()
    if early is None:
        started = now()
        op_id = shelf.state.begin_operation(command=command_line(), from_gen=from_gen,
                                            to_gen=gen_id, started_at=started)
    else:
        started, op_id = early.started_at, early.op_id
    switched = False
    guard = CommitGuard()
    try:
        ui.info(f"Building generation {gen_id} ({ui.counted(len(lock.packages), 'package')}) ...")
        system = None if provided is None else {d.name: d.version for d in provided}
        before = recorded_metadata(shelf, from_gen) if from_gen is not None else None
        built = build_generation(shelf.engine, layout, gen_id, shelf.python, lock,
                                 reinstall=reinstall, system=system, base=base,
                                 venv=early.venv if early else None,
                                 bin_dir=shelf.path_setting("bin_dir"),
                                 explicit=explicit_names(intent),
                                 previous=(layout.gen_dir(from_gen) if from_gen is not None
                                           else None),
                                 known=before[0] if before else None)
        if from_gen is not None:
            _warn_new_shared_commands(shelf, from_gen, before, built.shared_commands)
        if built.carried:
            ui.info(kept_line(built.carried, "the environment"))
        if isolated is None:  # as they are (rebuilt from their locks if their folders went)
            apps = shelf.state.isolated(from_gen) if from_gen is not None else []
            isolated = _plan_isolated(shelf, apps, apps)
        reach, edges, met = generation_reach(shelf, from_gen, intent, built.distributions,
                                             built.facts.marker_env)
        if not met:
            refuse_unmet(built, system)
        apps = _build_isolated(shelf, gen_id, isolated, base, started)
        previous_packages = (
            {p.name: p for p in shelf.state.packages(from_gen)} if from_gen is not None else {}
        )
        record = NewGeneration(
            id=gen_id,
            created_at=started,
            interpreter=Interpreter(path=shelf.python, resolved=built.facts.resolved,
                                    implementation=built.facts.implementation,
                                    version=built.facts.version),
            marker_env=built.facts.marker_env,
            lock_text=lock.text,
            intent=list(intent),
            packages=package_records(built.distributions, intent, lock, previous_packages,
                                     started, reinstall),
            edges=edges,
            isolated=apps,
            store_entries=store_records(
                [layout.gen_dir(gen_id), *(layout.isolated / app.env_dir for app in apps)],
                layout.store, built.metadata),
            own_size=own_size(layout.gen_dir(gen_id)),
            requires={dist.name: dist.requires for dist in built.distributions},
            reach=to_json(reach),
            lock=lock,
            described=((base.identity, base.printed) if base.identity and base.printed
                       else None),
        )
        write_generation_record(layout.gen_dir(gen_id), record, shelf.state.config())
        for line in built_from_source(lock, record.packages, previous_packages):
            ui.info(line)
        guard.hold()
        switch_to(layout, gen_id)
        switched = True
        shelf.state.record_generation(record, op_id=op_id, finished_at=now(),
                                      summary=_with_interpreter(shelf, from_gen, summary,
                                                                built.facts.version))
    except BaseException:
        if switched:
            _point_env_back(shelf, from_gen)
        remove_generation_dir(layout, gen_id)
        shelf.state.abandon_operation(op_id)
        if described_here:
            base.cancel()
        guard.release()  # a Ctrl-C held back meanwhile is raised once all is undone
        raise
    finish_switch(shelf, gen_id,
                  f"Generation {gen_id} is now current "
                  f"({ui.counted(len(lock.packages), 'package')}).", guard)


def _warn_new_shared_commands(shelf: Shelf, from_gen: int,
                              recorded: tuple[dict[str, EntryMetadata], bool] | None,
                              shared: Sequence[SharedCommand]) -> None:
    """Name the commands the build found shared that ``from_gen`` did not share (those were
    in the plan already, and a change that repeats a warning each time teaches to skip it)."""
    known = shared_commands_of(shelf, from_gen, (), recorded=recorded)
    for command in shared:
        if command not in known:
            ui.warn(describe(command))


def recorded_metadata(shelf: Shelf, gen_id: int) -> tuple[dict[str, EntryMetadata], bool]:
    """entry -> metadata the database recorded for the entries ``gen_id`` is composed of,
    and whether that is all of them (not for a generation installed whole, or one whose
    entries were recorded before their metadata was kept)."""
    composition = read_composition(shelf.layout.gen_dir(gen_id))
    if composition is None:
        return {}, False
    known = shelf.state.entry_metadata(composition.entries)
    return known, len(known) == len(set(composition.entries))


def shared_commands_of(shelf: Shelf, gen_id: int, explicit: Collection[str],
                       among: Collection[str] | None = None, *,
                       recorded: tuple[dict[str, EntryMetadata], bool] | None = None
                       ) -> list[SharedCommand]:
    """The commands two or more of ``gen_id``'s packages (of ``among``, if given) ship, as
    the database recorded its entries' commands (``recorded``: :func:`recorded_metadata`
    of ``gen_id``, where the caller has it already); read from its packages' ``RECORD``
    where it did not record them all."""
    known, complete = recorded or recorded_metadata(shelf, gen_id)
    if not complete:
        return shared_commands_in(shelf.layout.gen_dir(gen_id), explicit, among)
    names = shelf.state.entry_names(known)
    commands = {names[entry]: metadata.commands for entry, metadata in known.items()}
    return shared_commands({name: names for name, names in commands.items()
                            if among is None or name in among}, explicit)


def built_from_source(lock: Lock, built: Sequence[InstalledPackage],
                      previous: Mapping[str, InstalledPackage]) -> list[str]:
    """The versions the plan could not know: those of the direct references (local
    projects, wheels, URLs), as built, where they are new or moved."""
    lines = []
    for package in built:
        locked = lock.packages.get(package.name)
        if locked is None or locked.version:
            continue
        old = previous[package.name].version if package.name in previous else None
        if old != package.version:
            moved = f"{old} -> {package.version}" if old else package.version
            lines.append(f"{package.display_name} {moved} (built from source)")
    return lines


def _with_interpreter(shelf: Shelf, from_gen: int | None, summary: str, version: str) -> str:
    """The history's summary, led by the interpreter's move where there was one."""
    if from_gen is None:
        return summary
    moved = interpreter_change(shelf.state.generation(from_gen).interpreter.version, version)
    return f"{moved}; {summary}" if moved else summary


def _point_env_back(shelf: Shelf, from_gen: int | None) -> None:
    if from_gen is None:
        remove(shelf.layout.home, shelf.layout.env)
    else:
        switch_to(shelf.layout, from_gen)


def initial_generation(shelf: Shelf) -> int:
    """Generation 0: an empty environment for the chosen interpreter."""
    from pyshelf.change.resolve import resolve

    gen_id = next_generation_id(shelf.layout, shelf.state.highest_generation_id())
    provided = provided_by_system(shelf)
    lock = resolve(shelf.engine, shelf.layout, ChangeRequest(intent=[]), shelf.python, EMPTY_LOCK,
                   provided=provided)
    build_and_switch(shelf, gen_id, [], lock, from_gen=None, summary="+0 ~0 -0",
                     provided=provided)
    return gen_id
