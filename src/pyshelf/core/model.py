"""The plain records that flow between pyshelf's modules.

They carry no behaviour that touches disk, network or database, so the pure parts (plan,
specs, the dependency graph) can be tested without a shelf. They are named tuples
(``core.records``', for which ``typing`` is not imported), not dataclasses: every reporting
command reads them, and defining a dataclass costs ten times as much (the ``dataclasses``
module itself, ``inspect`` and ``ast`` included, costs more than a whole ``pyshelf list`` may
spend on imports).
"""

from __future__ import annotations

from pyshelf.core.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:  # the kinds are annotations only: modules that name them import them so
    from collections.abc import Collection, Iterable, Mapping, Sequence
    from typing import Literal

    RequirementKind = Literal["index", "local", "editable", "wheel", "url"]
    """Where a requirement comes from: the index, a project directory (built from source,
    or installed editable), a wheel file, or a direct URL."""
    Role = Literal["explicit", "kept"]
    """``explicit``: asked for by the person. ``kept``: a dependency pinned by
    ``--keep-orphans``."""

PATH_KINDS: tuple[RequirementKind, ...] = ("local", "editable", "wheel")
"""The kinds whose source is a path on this machine, which may vanish or be missing on
another machine."""


class IntentEntry(NamedTuple):
    """One requirement the person asked for, as typed but normalised."""

    name: str  # canonical (PEP 503) name
    spec: str  # the PEP 508 string written into uv's input
    kind: RequirementKind = "index"
    role: Role = "explicit"
    source_path: str | None = None
    added_at: str = ""


class LockedPackage(NamedTuple):
    name: str  # canonical
    display_name: str
    version: str  # "" for a direct reference: known only once it is built
    url: str | None = None  # a direct reference (file or remote), None for the index
    editable: bool = False


class Lock(NamedTuple):
    """A complete pinned resolution, kept in requirements format (``name==version``)."""

    text: str
    packages: Mapping[str, LockedPackage] = {}


class Interpreter(NamedTuple):
    """The base interpreter a generation is built on, as recorded when it was built."""

    path: str  # what the person chose (absolute)
    resolved: str  # the real executable behind it
    implementation: str
    version: str  # full version, e.g. 3.12.4


class InstalledPackage(NamedTuple):
    name: str  # canonical
    display_name: str
    version: str
    is_explicit: bool
    source: str  # a RequirementKind
    installed_at: str
    source_path: str | None = None  # the project, wheel or URL for non-index packages


class Edge(NamedTuple):
    """``package`` requires ``requires`` (both canonical) through ``specifier``."""

    package: str
    requires: str
    specifier: str


class EntryMetadata(NamedTuple):
    """What a package store entry's distribution says about itself, read once."""

    display_name: str
    requires: tuple[str, ...]  # Requires-Dist as the metadata states them
    commands: tuple[str, ...]  # what its RECORD puts into bin, sorted


def explicit_names(intent: Iterable[IntentEntry]) -> set[str]:
    """The canonical names the person asked for (not dependencies kept by --keep-orphans)."""
    return {entry.name for entry in intent if entry.role == "explicit"}


def not_for_here(intent: Iterable[IntentEntry], installed: Collection[str]) -> list[IntentEntry]:
    """The requirements asked for that the generation does not hold. A built generation is
    verified to hold every requirement whose marker is true for its interpreter, so these
    are the ones whose marker is false there (``colorama; sys_platform == "win32"`` on
    Linux): part of the intent, for a machine they are meant for, though nothing is
    installed. Telling them apart this way needs no marker evaluation, so reporting
    commands stay within the database."""
    return [entry for entry in intent
            if entry.role == "explicit" and entry.name not in installed]


class IsolatedApp(NamedTuple):
    """An app in an environment of its own, because it cannot share the shelf's: what was
    asked for, and (once built) the environment folder under ``<home>/isolated``, its lock,
    and its packages and dependency edges."""

    name: str  # canonical
    spec: str  # the app's PEP 508 requirement
    with_specs: tuple[str, ...] = ()  # packages added next to it with --with
    added_at: str = ""
    env_dir: str = ""  # "" until built
    lock_text: str = ""
    packages: tuple[InstalledPackage, ...] = ()
    edges: tuple[Edge, ...] = ()

    def intent(self) -> list[IntentEntry]:
        """What its own environment is resolved from: the app and its --with packages."""
        from packaging.requirements import Requirement
        from packaging.utils import canonicalize_name

        entries = []
        for spec in (self.spec, *self.with_specs):
            requirement = Requirement(spec)
            entries.append(IntentEntry(canonicalize_name(requirement.name), spec,
                                       "url" if requirement.url else "index",
                                       source_path=requirement.url, added_at=self.added_at))
        return entries

    def same_request(self, other: IsolatedApp) -> bool:
        return (self.spec, self.with_specs) == (other.spec, other.with_specs)

    @property
    def version(self) -> str:
        return next((p.version for p in self.packages if p.name == self.name), "")

    @property
    def display_name(self) -> str:
        return next((p.display_name for p in self.packages if p.name == self.name), self.name)


class ChangeRequest(NamedTuple):
    """What a change asks for: the new intent and how far packages may move to reach it.

    The same record is what the resolver is asked, so a change is resolved exactly as it
    was requested and nothing in between picks its fields apart."""

    intent: Sequence[IntentEntry]
    notes: Sequence[str] = ()
    pins: Mapping[str, str] = {}  # exact versions to honour
    upgrade: bool = False  # let every package move to its newest allowed version
    upgrade_packages: Sequence[str] = ()  # ... or only these
    refresh: Sequence[str] = ()  # local projects to rebuild from source
    always_build: bool = False  # build even when nothing moves (rebuild for a new Python)
    leave_out_unavailable: bool = False  # on a new Python, drop what cannot be installed there
    prefer_cache: bool = False  # asks for nothing new: resolve from uv's cache when it can
    isolated: Sequence[IsolatedApp] | None = None  # the apps of their own (None: as they are)
    upgrade_isolated: Sequence[str] = ()  # isolated apps to move to their newest versions
    isolated_pins: Mapping[str, Mapping[str, str]] = {}  # per app
