"""What a change will do, computed from two locks and two intents (pure).

The plan is what the person confirms, so it must say everything that moves: packages added,
removed (and which of those are orphaned dependencies), up- and downgraded, and packages whose
status alone changes between explicit and dependency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from typing import NamedTuple

from pyshelf.core.model import InstalledPackage, IntentEntry, Lock


class Change(NamedTuple):
    name: str
    display_name: str
    old: str | None
    new: str | None


class Plan(NamedTuple):
    added: tuple[Change, ...] = ()
    removed: tuple[Change, ...] = ()  # explicit packages the person removed
    orphaned: tuple[Change, ...] = ()  # dependencies nothing needs any more
    upgraded: tuple[Change, ...] = ()
    downgraded: tuple[Change, ...] = ()
    now_explicit: tuple[str, ...] = ()
    now_dependency: tuple[str, ...] = ()  # no longer explicit, still needed by something

    @property
    def changes_packages(self) -> bool:
        return bool(self.added or self.removed or self.orphaned or self.upgraded
                    or self.downgraded)

    @property
    def is_empty(self) -> bool:
        return not (self.changes_packages or self.now_explicit or self.now_dependency)

    @property
    def summary(self) -> str:
        """The short form history shows: ``+added ~changed -removed``."""
        changed = len(self.upgraded) + len(self.downgraded)
        removed = len(self.removed) + len(self.orphaned)
        return f"+{len(self.added)} ~{changed} -{removed}"


def _newer(new: str, old: str) -> bool:
    from packaging.version import InvalidVersion, Version  # only for a version that moved

    try:
        return Version(new) > Version(old)
    except InvalidVersion:
        return new > old


def as_installed(lock: Lock, installed: Iterable[InstalledPackage]) -> Lock:
    """``lock`` as its installed packages describe themselves: each by its own display name
    (``Pygments``, where uv writes ``pygments``), and each direct reference (local project,
    wheel, URL) with the version it was built at, which a requirements-format lock never
    names but a person compares."""
    known = {package.name: package for package in installed}
    return lock._replace(packages={
        name: locked._replace(display_name=known[name].display_name,
                              version=locked.version or known[name].version)
        if name in known else locked
        for name, locked in lock.packages.items()})


def make_plan(old: Lock, new: Lock, old_explicit: Set[str], new_explicit: Set[str]) -> Plan:
    """Compare two resolutions; explicit sets are canonical names of the explicit intent.
    A version not known yet (a direct reference before it is built) moves nothing: the
    plan says such a package is rebuilt instead."""
    added: list[Change] = []
    removed: list[Change] = []
    orphaned: list[Change] = []
    upgraded: list[Change] = []
    downgraded: list[Change] = []
    for name in sorted(old.packages.keys() | new.packages.keys()):
        before, after = old.packages.get(name), new.packages.get(name)
        if before is None and after is not None:
            added.append(Change(name, after.display_name, None, after.version))
        elif after is None and before is not None:
            change = Change(name, before.display_name, before.version, None)
            (removed if name in old_explicit else orphaned).append(change)
        elif (before is not None and after is not None and before.version != after.version
              and before.version and after.version):
            change = Change(name, before.display_name, before.version, after.version)
            (upgraded if _newer(after.version, before.version) else downgraded).append(change)
    still_installed = new.packages.keys() & old.packages.keys()
    return Plan(
        added=tuple(added),
        removed=tuple(removed),
        orphaned=tuple(orphaned),
        upgraded=tuple(upgraded),
        downgraded=tuple(downgraded),
        now_explicit=tuple(sorted((new_explicit - old_explicit) & still_installed)),
        now_dependency=tuple(sorted((old_explicit - new_explicit) & new.packages.keys())),
    )


def interpreter_change(old: str, new: str) -> str | None:
    """``Python 3.12.1 -> 3.13.0`` when a change moves the shelf to another interpreter
    version: every compiled package is rebuilt for it, so the plan and the history say so
    even when no package version moves."""
    return None if old == new else f"Python {old} -> {new}"


class SpecChange(NamedTuple):
    name: str
    old: str
    new: str


def spec_changes(old: Sequence[IntentEntry], new: Sequence[IntentEntry]) -> tuple[SpecChange, ...]:
    """Requirements asked for both before and after, but written differently."""
    before = {e.name: e.spec for e in old if e.role == "explicit"}
    return tuple(
        SpecChange(e.name, before[e.name], e.spec)
        for e in sorted(new, key=lambda e: e.name)
        if e.role == "explicit" and e.name in before and before[e.name] != e.spec
    )
