"""A generation's requirements evaluated once, when it is recorded, for the changes after it.

Telling what a removal keeps, or that an install only changes a package's role, means
walking the packages' requirements with their markers and extras evaluated for the
generation's environment (``core/narrow.py``). Parsing a thousand requirement strings
and importing ``packaging`` to do so cost a one-package change on a big shelf more than
the rest of its work. The generation being recorded has just parsed them all for its
edges, so it keeps what they said (:class:`Reach`): for each package, each requirement
whose marker holds in some context the generation asks of the package (no extra, or one
of the extras asked of it), with the contexts it holds in and whether the pinned version
satisfies it; and for each intent entry, what it names. A later change walks that
record (:func:`reached`) with no parser at all.

Evaluated contexts only: a walk that asks a package for an extra the generation did not
ask of it (``install 'x[new]'``) cannot be settled from the record, and says so (None),
as does a package with a requirement that could not be read or evaluated, or that is a
direct reference. A removal asks for no context its generation did not, since taking
requirements away only takes extras away.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from pyshelf.core.model import Edge

if TYPE_CHECKING:
    from packaging.requirements import Requirement

NO_EXTRA = ""  # the context of a package asked for without extras


class Fact(NamedTuple):
    """One requirement of a package whose marker holds in some context evaluated."""

    target: str  # canonical
    extras: tuple[str, ...]  # canonical, asked of the target
    specifier: str
    holds_in: tuple[str, ...]  # the contexts its marker holds in (NO_EXTRA: always)
    satisfied: bool  # the target is pinned, at a version the specifier allows


class PackageReach(NamedTuple):
    contexts: tuple[str, ...]  # NO_EXTRA and the extras asked of the package
    facts: tuple[Fact, ...]
    settled: bool  # False: a requirement the record cannot answer for


class RootFact(NamedTuple):
    """What an intent entry asks for; ``target`` is empty where its marker is false."""

    target: str
    extras: tuple[str, ...]
    satisfied: bool
    settled: bool


class Reach(NamedTuple):
    packages: Mapping[str, PackageReach]
    roots: Mapping[str, RootFact]  # intent spec -> what it asks for


def evaluate(parsed: Mapping[str, Sequence[Requirement | None]], versions: Mapping[str, str],
             roots: Iterable[tuple[str, Requirement | None]], marker_env: Mapping[str, str]
             ) -> tuple[Reach, dict[str, frozenset[str]]]:
    """The reach of packages whose requirements are ``parsed`` (canonical name -> each
    requirement, None where it could not be read), pinned at ``versions``, with ``roots``
    (intent spec -> its requirement) asking for extras; and the extras asked of each.

    As an installer reads them, every package's requirements count, not only those the
    roots reach: the extras asked of a package are what any package or root asks."""
    from packaging.utils import canonicalize_name

    asked: dict[str, set[str]] = {name: set() for name in parsed}
    root_list = list(roots)
    for _, root in root_list:
        if root is not None and canonicalize_name(root.name) in asked:
            asked[canonicalize_name(root.name)] |= {canonicalize_name(e) for e in root.extras}
    pending = list(parsed)
    while pending:
        name = pending.pop()
        for requirement in parsed[name]:
            if requirement is None or not _holds(requirement, asked[name], marker_env):
                continue
            target = canonicalize_name(requirement.name)
            wanted = {canonicalize_name(e) for e in requirement.extras}
            if target in asked and not wanted <= asked[target]:
                asked[target] |= wanted
                pending.append(target)
    extras = {name: frozenset(found) for name, found in asked.items()}
    packages = {name: _package_reach(requirements, extras[name], versions, marker_env)
                for name, requirements in parsed.items()}
    return Reach(packages, {spec: root_fact(root, versions, marker_env)
                            for spec, root in root_list}), extras


def of_requires(requires: Mapping[str, Sequence[str]], versions: Mapping[str, str],
                specs: Iterable[str], marker_env: Mapping[str, str]) -> Reach:
    """The record of a generation recorded before its reach was kept, from each package's
    requirements as its metadata states them (canonical name -> Requires-Dist) and the
    intent ``specs``."""
    from pyshelf.core.graph import parse_requirement

    parsed = {name: [parse_requirement(text) for text in texts]
              for name, texts in requires.items()}
    return evaluate(parsed, versions, [(spec, parse_requirement(spec)) for spec in specs],
                    marker_env)[0]


def with_roots(reach: Reach, specs: Iterable[str], versions: Mapping[str, str],
               marker_env: Mapping[str, str]) -> Reach:
    """``reach`` knowing what each of ``specs`` asks for: the recorded intent's are known,
    a new entry's is parsed."""
    missing = [spec for spec in specs if spec not in reach.roots]
    if not missing:
        return reach
    from pyshelf.core.graph import parse_requirement

    return reach._replace(roots={**reach.roots, **{
        spec: root_fact(parse_requirement(spec), versions, marker_env) for spec in missing}})


def root_fact(requirement: Requirement | None, versions: Mapping[str, str],
              marker_env: Mapping[str, str]) -> RootFact:
    """What one intent entry asks of packages pinned at ``versions``."""
    from packaging.utils import canonicalize_name

    if requirement is None or requirement.url:
        return RootFact("", (), False, False)
    holds = _holds(requirement, (), marker_env)
    if holds is None:
        return RootFact("", (), False, False)
    if not holds:
        return RootFact("", (), True, True)
    target = canonicalize_name(requirement.name)
    return RootFact(target, tuple(sorted(canonicalize_name(e) for e in requirement.extras)),
                    _satisfied(requirement, versions.get(target)), True)


def reached(reach: Reach, roots: Iterable[RootFact], pinned: Collection[str]
            ) -> dict[str, frozenset[str]] | None:
    """Each package ``roots`` reach through the record, with the extras asked of it; None
    where the record cannot tell (see the module's docstring) or a requirement on the way
    is not met by a package of ``pinned``."""
    extras: dict[str, frozenset[str]] = {}
    pending: list[str] = []

    def follow(target: str, wanted: Iterable[str]) -> bool:
        if target not in pinned or target not in reach.packages:
            return False
        known = extras.get(target)
        if known is None or not known.issuperset(wanted):
            extras[target] = (known or frozenset()).union(wanted)
            pending.append(target)
        return True

    for root in roots:
        if not root.settled or (root.target and not (root.satisfied
                                                     and follow(root.target, root.extras))):
            return None
    while pending:
        name = pending.pop()
        package = reach.packages[name]
        contexts = (NO_EXTRA, *extras[name])
        if not package.settled or not set(contexts) <= set(package.contexts):
            return None
        for fact in package.facts:
            if any(context in fact.holds_in for context in contexts) and not (
                    fact.satisfied and follow(fact.target, fact.extras)):
                return None
    return extras


def edges_of(reach: Reach, extras: Mapping[str, Collection[str]]) -> list[Edge]:
    """Who requires whom among the packages of ``extras`` (each with the extras asked of
    it), as the record says their requirements hold."""
    edges: dict[tuple[str, str], Edge] = {}
    for name, asked in extras.items():
        contexts = (NO_EXTRA, *asked)
        for fact in reach.packages[name].facts:
            if (fact.target != name and fact.target in extras
                    and any(context in fact.holds_in for context in contexts)):
                edges.setdefault((name, fact.target), Edge(name, fact.target, fact.specifier))
    return sorted(edges.values())


def narrowed(reach: Reach, packages: Collection[str], roots: Mapping[str, RootFact]) -> Reach:
    """The record of a generation holding ``packages`` of this one's, asked for by
    ``roots``: what was evaluated stays true for the same pins and environment."""
    return Reach({name: reach.packages[name] for name in packages}, dict(roots))


def to_json(reach: Reach) -> str:
    return json.dumps({"packages": {name: [list(p.contexts), p.settled,
                                           [list(f) for f in p.facts]]
                                    for name, p in sorted(reach.packages.items())},
                       "roots": {spec: list(root) for spec, root in sorted(reach.roots.items())}},
                      separators=(",", ":"))


def from_json(text: str | None) -> Reach | None:
    """The record :func:`to_json` wrote; None for none (a generation recorded before) and
    for anything else: no record is a resolve, never a wrong answer."""
    return None if text is None else _decoded(text)


@lru_cache(maxsize=2)  # a change walks the current record to narrow, and again to record
def _decoded(text: str) -> Reach | None:
    try:
        data = json.loads(text)
        packages = {str(name): PackageReach(
            tuple(contexts), tuple(Fact(str(target), tuple(fextras), str(specifier),
                                        tuple(holds_in), bool(satisfied))
                                   for target, fextras, specifier, holds_in, satisfied in facts),
            bool(settled)) for name, (contexts, settled, facts) in data["packages"].items()}
        roots = {str(spec): RootFact(str(target), tuple(rextras), bool(satisfied), bool(settled))
                 for spec, (target, rextras, satisfied, settled) in data["roots"].items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return Reach(packages, roots)


def _package_reach(requirements: Sequence[Requirement | None], asked: frozenset[str],
                   versions: Mapping[str, str], marker_env: Mapping[str, str]) -> PackageReach:
    from packaging.utils import canonicalize_name

    contexts = (NO_EXTRA, *sorted(asked))
    facts, settled = [], True
    for requirement in requirements:
        if requirement is None:
            settled = False
            continue
        holds = [_holds(requirement, () if context == NO_EXTRA else (context,), marker_env)
                 for context in contexts]
        if None in holds:
            settled = False
            continue
        settled = settled and not requirement.url  # its edge counts; what it installs, uv says
        holds_in = (NO_EXTRA,) if holds[0] else tuple(
            context for context, held in zip(contexts, holds, strict=True) if held)
        if holds_in:
            target = canonicalize_name(requirement.name)
            facts.append(Fact(target, tuple(sorted(canonicalize_name(e)
                                                   for e in requirement.extras)),
                              str(requirement.specifier), holds_in,
                              _satisfied(requirement, versions.get(target))))
    return PackageReach(contexts, tuple(facts), settled)


def _holds(requirement: Requirement, extras: Collection[str], marker_env: Mapping[str, str]
           ) -> bool | None:
    """Whether the requirement holds with ``extras`` asked; None where its marker cannot be
    evaluated in this environment."""
    from packaging.markers import UndefinedComparison, UndefinedEnvironmentName

    from pyshelf.core.graph import applies

    try:
        return applies(requirement, set(extras), marker_env)
    except (UndefinedComparison, UndefinedEnvironmentName):
        return None


def _satisfied(requirement: Requirement, version: str | None) -> bool:
    return version is not None and requirement.specifier.contains(version, prereleases=True)
