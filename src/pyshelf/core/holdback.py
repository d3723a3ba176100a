"""Which requirements keep a package below its newest release.

Pure: the requirements come from the shelf's intent (what the person asked for) and from the
recorded dependency edges (what installed packages ask for), each already evaluated for the
shelf's interpreter, so a ``<2`` that only applies on another platform never shows up.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pyshelf.core.model import Edge


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
