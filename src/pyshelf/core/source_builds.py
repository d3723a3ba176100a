"""Which packages a change builds from their source distributions, and how the plan says so.

uv builds a package from its sdist, without a word, when the package index offers no wheel
that the target interpreter can install: a pin such as ``pyyaml==6.0.1`` on a Python newer
than its wheels. A build needs the package's build backend (and, for compiled code, a
compiler and headers) and can take minutes, so the person hears of it before agreeing.

What the index offers comes from uv's PEP 751 lock of the exact pins, which lists only the
wheels the target interpreter can install; a wheel a generation already holds that fits the
target interpreter's own tags is in uv's cache, so the packages it covers are not built
again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any, NamedTuple

from pyshelf.core.lockfile import is_exact_version
from pyshelf.core.model import IntentEntry, LockedPackage


class SourceBuild(NamedTuple):
    """A locked package the index has only as a source distribution for the target."""

    name: str  # canonical
    display_name: str
    version: str


def tags_fit(tags: Iterable[str], target: Set[str]) -> bool:
    """Whether a wheel tagged ``tags`` (each possibly compressed, ``py2.py3-none-any``)
    installs on an interpreter whose wheel tags are ``target``."""
    from packaging.tags import parse_tag

    try:
        return any(str(tag) in target for text in tags for tag in parse_tag(text))
    except ValueError:  # not a tag: nothing it could be installed as
        return False


def without_wheel(pylock: Mapping[str, Any]) -> set[str]:
    """The canonical names of the packages for which uv's lock lists a source distribution
    and no wheel: the ones uv builds, since it lists only the wheels the target can install."""
    from packaging.utils import canonicalize_name

    found: set[str] = set()
    packages = pylock.get("packages", [])
    for package in packages if isinstance(packages, list) else ():
        if isinstance(package, Mapping) and package.get("sdist") is not None \
                and not package.get("wheels"):
            found.add(canonicalize_name(str(package.get("name", ""))))
    return found


def builds(locked: Iterable[LockedPackage]) -> list[SourceBuild]:
    """The locked packages as source builds, by name."""
    return [SourceBuild(package.name, package.display_name, package.version)
            for package in sorted(locked, key=lambda p: p.name)]


def _pin(entry: IntentEntry) -> str | None:
    """The requirement as typed when it allows one exact version only (``pyyaml==6.0.1``)."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        specifier = Requirement(entry.spec).specifier
    except InvalidRequirement:
        return None
    exact = any(spec.operator == "===" or (spec.operator == "==" and
                                           is_exact_version(spec.version))
                for spec in specifier)
    return entry.spec if exact else None


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def source_build_note(found: Sequence[SourceBuild], python: str,
                      intent: Sequence[IntentEntry]) -> str | None:
    """One warning naming what is built from source, what that takes, and how each package
    could reach a release that may have a wheel: ``update`` moves one as far as the
    requirements allow, and a pin the person wrote must be dropped for it to move at all."""
    if not found:
        return None
    one = len(found) == 1
    pins = {entry.name: pin for entry in intent if (pin := _pin(entry))}
    movable = [build.name for build in found if build.name not in pins]
    pinned = [build.name for build in found if build.name in pins]
    ways = []
    if movable:
        them = "it" if len(movable) == 1 else "them"
        ways.append(f"`pyshelf update {' '.join(movable)}` moves {them} to the newest release "
                    f"{'its' if len(movable) == 1 else 'their'} requirements allow")
    if pinned:
        them = "it" if len(pinned) == 1 else "them"
        ways.append(f"`pyshelf install --upgrade {' '.join(pinned)}` drops the "
                    f"pin{'' if len(pinned) == 1 else 's'} "
                    f"{_listed([repr(pins[name]) for name in pinned])} and moves {them} to the "
                    "newest release")
    names = _listed([f"{build.display_name} {build.version}" for build in found])
    return (f"{names} {'has' if one else 'have'} no wheel for Python {python} on the package "
            f"index, so {'it is' if one else 'they are'} built from source: that needs "
            f"{'its' if one else 'their'} build backend (and, for compiled code, a compiler "
            f"and headers) and can take minutes. A newer release may have a wheel: "
            f"{'; '.join(ways)}.")
