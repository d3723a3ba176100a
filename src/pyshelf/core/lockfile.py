"""Reading the requirements-format lock that ``uv pip compile`` writes.

The lock stays in uv's own format (``name==version`` lines) so it can be fed straight back to
``uv pip sync``; this module only turns it into records, through ``packaging``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import unquote, urlparse

from pyshelf.core.model import Lock, LockedPackage
from pyshelf.errors import PyshelfError


def url_to_path(url: str) -> str | None:
    """The local path a ``file:`` URL names (uv and pyshelf may quote it differently)."""
    parsed = urlparse(url)
    return unquote(parsed.path) if parsed.scheme == "file" else None


def parse_lock(text: str, editable_names: Mapping[str, str] | None = None) -> Lock:
    """Parse a lock; every pin must be exact, since a generation is rebuilt from it.

    uv writes editable projects as ``-e file:///path`` without a name, so the caller maps
    their paths to names (``editable_names``: absolute path -> canonical name).
    """
    editables = tuple(sorted((editable_names or {}).items()))
    return Lock(text=text, packages=dict(_packages(text, editables)))


@cache  # a change reads the same locks many times (each generation read from the database)
def _packages(text: str, editables: tuple[tuple[str, str], ...]) -> dict[str, LockedPackage]:
    from packaging.utils import canonicalize_name

    from pyshelf.core.graph import parse_requirement

    editable_names = dict(editables)
    packages: dict[str, LockedPackage] = {}
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-e "):
            package = _editable(line[3:].strip(), editable_names, raw)
            packages[package.name] = package
            continue
        if line.startswith("-"):
            continue  # an option line such as --index-url
        requirement = parse_requirement(line)
        if requirement is None:
            raise PyshelfError(f"The lock has a line pyshelf cannot read: {raw!r}.")
        if requirement.url:
            name = canonicalize_name(requirement.name)
            packages[name] = LockedPackage(name=name, display_name=requirement.name,
                                           version="", url=requirement.url)
            continue
        pins = [s.version for s in requirement.specifier
                if s.operator == "===" or (s.operator == "==" and is_exact_version(s.version))]
        if len(pins) != 1 or len(requirement.specifier) != 1:
            raise PyshelfError(f"The lock has a line that is not an exact pin: {raw!r}.")
        name = canonicalize_name(requirement.name)
        packages[name] = LockedPackage(name=name, display_name=requirement.name, version=pins[0])
    return packages


def _editable(url: str, editable_names: Mapping[str, str], raw: str) -> LockedPackage:
    path = url_to_path(url)
    name = editable_names.get(path or "")
    if name is None:
        raise PyshelfError(f"The lock has an editable project pyshelf does not track: {raw!r}.")
    return LockedPackage(name=name, display_name=name, version="", url=url, editable=True)


def is_exact_version(text: str) -> bool:
    """An exact version, as opposed to a prefix match such as ``1.*``."""
    from packaging.version import InvalidVersion, Version

    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def pin_line(package: LockedPackage) -> str:
    """A package as a requirements line: an exact pin, or its direct reference."""
    if package.editable:
        return f"-e {package.url}"
    if package.url:
        return f"{package.display_name} @ {package.url}"
    return f"{package.display_name}=={package.version}"


EMPTY_LOCK = Lock(text="", packages={})


def load_toml(text: str) -> dict[str, Any]:
    """Parse TOML text (a PEP 751 lock); a ``ValueError`` (``TOMLDecodeError`` is one) if it
    is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib.loads(text)
