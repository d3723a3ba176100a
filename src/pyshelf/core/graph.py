"""Who requires whom inside a generation, from the installed metadata.

The edges are what ``deps``, ``why`` and orphan reports stand on, so they come from the
packages actually installed (read by ``venv/dist_info.py``), with each requirement's markers
and extras evaluated by ``packaging`` for the generation's own interpreter, never for the one
running pyshelf.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from pyshelf.core.model import Edge, IntentEntry

if TYPE_CHECKING:  # the parser is imported where used: reporting commands never need it
    from packaging.markers import Marker
    from packaging.requirements import Requirement

    from pyshelf.core.reach import Reach


class Distribution(NamedTuple):
    """One installed distribution's core metadata, as far as edges need it."""

    name: str  # canonical
    display_name: str
    version: str
    requires: tuple[str, ...]


@cache  # the check before a switch and the edges after it parse the same strings
def parse_requirement(text: str) -> Requirement | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text)
    except InvalidRequirement:
        return None  # a package with broken metadata still installs; it just has no edge


def intent_reach(distributions: Iterable[Distribution], intent: Iterable[IntentEntry],
                 marker_env: Mapping[str, str]) -> tuple[Reach, list[Edge]]:
    """The generation's reach (what later changes walk instead of parsing again) and its
    edges, with the extras of what the person asked for activated."""
    return _reach_and_edges(distributions, [(e.spec, parse_requirement(e.spec)) for e in intent],
                            marker_env)


def intent_edges(distributions: Iterable[Distribution], intent: Iterable[IntentEntry],
                 marker_env: Mapping[str, str]) -> list[Edge]:
    return intent_reach(distributions, intent, marker_env)[1]


def dependency_edges(
    distributions: Iterable[Distribution],
    roots: Iterable[Requirement],
    marker_env: Mapping[str, str],
) -> list[Edge]:
    """Edges whose markers hold, with extras activated by whoever asks for them."""
    return _reach_and_edges(distributions, [(str(root), root) for root in roots], marker_env)[1]


def _reach_and_edges(distributions: Iterable[Distribution],
                     roots: Iterable[tuple[str, Requirement | None]],
                     marker_env: Mapping[str, str]) -> tuple[Reach, list[Edge]]:
    from pyshelf.core.reach import edges_of, evaluate

    dists = list(distributions)
    reach, extras = evaluate({d.name: [parse_requirement(text) for text in d.requires]
                              for d in dists}, {d.name: d.version for d in dists}, roots,
                             marker_env)
    return reach, edges_of(reach, extras)


def unmet_requirements(
    distributions: Iterable[Distribution],
    provided: Mapping[str, str],
    marker_env: Mapping[str, str],
) -> list[str]:
    """Requirements of ``distributions`` that nothing in ``provided`` (name -> version)
    satisfies; ``uv pip check`` cannot see a system's site-packages, this can."""
    from packaging.utils import canonicalize_name

    dists = list(distributions)
    extras: dict[str, set[str]] = {d.name: set() for d in dists}
    for dist in dists:  # extras asked for by other packages
        for requirement in filter(None, map(parse_requirement, dist.requires)):
            if applies(requirement, extras[dist.name], marker_env):
                extras.setdefault(canonicalize_name(requirement.name), set()).update(
                    canonicalize_name(e) for e in requirement.extras)
    problems = []
    for dist in dists:
        for requirement in filter(None, map(parse_requirement, dist.requires)):
            if not applies(requirement, extras[dist.name], marker_env):
                continue
            version = provided.get(canonicalize_name(requirement.name))
            if version is None or not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{dist.display_name} requires {requirement}")
    return sorted(problems)


def applies(requirement: Requirement, extras: Set[str], marker_env: Mapping[str, str]) -> bool:
    """Whether ``requirement`` holds for the environment, with ``extras`` of its package
    asked for (a resolver reads ``extra == "x"`` that way, and no extra as ``""``)."""
    if requirement.marker is None:
        return True
    environment = tuple(sorted(marker_env.items()))
    return any(_holds(requirement.marker, environment, extra)
               for extra in ("", *sorted(extras)))


@cache  # a change asks about the same requirements while narrowing, verifying and recording
def _holds(marker: Marker, environment: tuple[tuple[str, str], ...], extra: str) -> bool:
    return marker.evaluate({**dict(environment), "extra": extra})


def same_version(a: str, b: str) -> bool:
    """Equal as PEP 440 versions (``1.0`` is ``1.0.0``); compared as text if either is not
    one."""
    if a == b:
        return True
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def reachable(roots: Iterable[str], edges: Iterable[Edge]) -> set[str]:
    """Every package ``roots`` need, directly or through others (roots included)."""
    children: dict[str, list[str]] = {}
    for edge in edges:
        children.setdefault(edge.package, []).append(edge.requires)
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(children.get(name, ()))
    return seen
