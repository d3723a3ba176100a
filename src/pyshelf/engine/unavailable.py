"""Releases the index does not offer: a package it does not have, no release of it that
matches what the person asked for, or one its publisher withdrew (yanked, PEP 592).

uv words the first two as a failed resolution ("No solution found"), like a real conflict
between requirements; but no other choice of versions can help here, so calling it a
conflict (and offering an environment of its own) would send the person the wrong way. A
yanked release is still installed when pinned exactly, as PEP 592 says; uv only warns, and
the warning is worth the person's eyes before they say yes.
"""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement

# uv's wording when a package the person asked for directly does not exist at all.
_UNKNOWN = re.compile(r"Because (\S+) was not found in the package registry and you require "
                      r"\1\b")
# ... when no release matches an exact pin, and when none matches a range.
_NO_SUCH_VERSION = re.compile(r"Because there is no version of (\S+) and you require \1,")
_ONLY_AVAILABLE = re.compile(r"Because only (\S+) is available and you require (\S+),")
_YANKED = re.compile(r"warning: `([^`=]+)==([^`]+)` is yanked(?: \(reason: \"(.*)\"\))?")


def unavailable(stderr: str) -> str | None:
    """The sentence for a request the index cannot meet, or None for anything else."""
    text = " ".join(stderr.split())  # uv wraps long lines
    unknown = _UNKNOWN.search(text)
    if unknown:
        return (f"No package named '{unknown.group(1)}' was found on the package index; "
                "check the spelling. Nothing was changed.")
    exact = _NO_SUCH_VERSION.search(text)
    if exact:
        return _no_release(exact.group(1), None)
    ranged = _ONLY_AVAILABLE.search(text)
    if ranged:
        return _no_release(ranged.group(2), ranged.group(1))
    return None


def _no_release(requested: str, available: str | None) -> str | None:
    try:
        requirement = Requirement(requested)
    except InvalidRequirement:
        return None
    pins = [spec.version for spec in requirement.specifier if spec.operator in ("==", "===")]
    wanted = (f"no release {pins[0]} of {requirement.name}" if len(pins) == 1
              else f"no release of {requirement.name} matching {requirement.specifier}")
    known = f" (it has only {available})" if available else ""
    return f"The package index has {wanted}{known}; nothing was changed."


def yanked(stderr: str) -> list[str]:
    """A sentence for each yanked release a successful resolution chose."""
    found = []
    for match in _YANKED.finditer(stderr):
        name, version, reason = match.groups()
        why = f" (reason: {reason})" if reason else ""
        found.append(f"{name} {version} is yanked: its publisher withdrew it{why}; it is "
                     "installed only because a requirement pins it exactly.")
    return found
