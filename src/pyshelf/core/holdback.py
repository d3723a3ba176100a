"""Which requirements keep a package below its newest release.

Pure: the requirements come from the shelf's intent (what the person asked for) and from the
recorded dependency edges (what installed packages ask for), each already evaluated for the
shelf's interpreter, so a ``<2`` that only applies on another platform never shows up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pyshelf.core.model import Edge, IntentEntry, Lock


@dataclass(frozen=True)
class Holder:
    """One requirement ``newest`` does not satisfy; ``package`` None is the person's own."""

    package: str | None
    requirement: str

    def describe(self) -> str:
        if self.package is None:
            return f"your requirement {self.requirement}"
        return f"{self.package} (requires {self.requirement})"


def holders(name: str, newest: str, own_spec: str | None, edges: Iterable[Edge],
            moving: Set[str] = frozenset()) -> list[Holder]:
    """The requirements on ``name`` (canonical) that exclude ``newest``: the person's own
    spec first, then each package that requires it, by name. A package in ``moving`` (one
    the update gives another version) is left out: what it requires today is not what it
    will require then."""
    found = []
    if own_spec is not None:
        try:
            own = Requirement(own_spec)
        except InvalidRequirement:
            own = None
        if own is not None and not _allows(own.specifier, newest):
            found.append(Holder(None, str(own)))
    for edge in sorted(edges, key=lambda e: e.package):
        if edge.requires != name or edge.package in moving:
            continue
        try:
            specifier = SpecifierSet(edge.specifier)
        except InvalidSpecifier:
            continue
        if not _allows(specifier, newest):
            found.append(Holder(edge.package, f"{name}{specifier}"))
    return found


def _allows(specifier: SpecifierSet, version: str) -> bool:
    return specifier.contains(version, prereleases=True)


def is_newer(candidate: str, than: str) -> bool:
    """PEP 440 order; a version that is not one is never called newer."""
    try:
        return Version(candidate) > Version(than)
    except InvalidVersion:
        return False


def held_back_notes(new: Sequence[IntentEntry], shelf: Lock, alone: Lock,
                    intent: Sequence[IntentEntry], edges: Iterable[Edge]) -> list[str]:
    """A sentence for each package ``new`` asks for that the shelf keeps below the version
    it would get on its own (``alone``: the new requirements resolved without the shelf),
    naming the shared dependencies held lower and which requirements hold them."""
    specs = {entry.name: entry.spec for entry in intent}
    edges = list(edges)
    notes = []
    for entry in new:
        mine, free = shelf.packages.get(entry.name), alone.packages.get(entry.name)
        if mine is None or free is None or not is_newer(free.version, mine.version):
            continue
        reasons = []
        for name, wanted in sorted(alone.packages.items()):
            kept = shelf.packages.get(name)
            if name == entry.name or kept is None or not is_newer(wanted.version, kept.version):
                continue
            found = holders(name, wanted.version, specs.get(name), edges)
            if found:
                reasons.append(f"{kept.display_name} stays at {kept.version} for "
                               + ", ".join(holder.describe() for holder in found))
        why = f" ({'; '.join(reasons)})" if reasons else ""
        notes.append(f"{mine.display_name} {mine.version} is held back by what the shelf "
                     f"holds{why}; on its own it would be {free.version}. `pyshelf install "
                     f"--isolated {entry.name}` gives it an environment of its own.")
    return notes
