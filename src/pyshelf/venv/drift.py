"""Packages changed inside the current generation by something other than pyshelf.

Someone may run ``pip install`` with the shelf's python. The ``*.dist-info`` folder names in
site-packages carry each package's name and version (``venv/dist_info.py``), so one directory
listing compared with the recorded packages finds such changes: cheap enough to do on every
command. A composed generation also lists the folder names it was composed with, and while
the listing is exactly that, nothing changed: the names need no reading (``packaging``'s
name rules, which cost more to import than the rest of a report), and the record no query.
"""

from __future__ import annotations

import json

from pyshelf.layout import Layout
from pyshelf.venv import paths
from pyshelf.venv.dist_info import folder_names, installed_versions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from pyshelf.store.database import State


class Drift:
    """What the disk holds that the record does not say, by canonical name. A plain class,
    not a dataclass (whose module costs a reporting command more than its query), nor a
    named tuple (whose ``count`` is a tuple's)."""

    __slots__ = ("added", "changed", "removed")
    __hash__ = None  # type: ignore[assignment]  # compared by value, so not hashable

    def __init__(self, added: Mapping[str, str] | None = None,
                 removed: Mapping[str, str] | None = None,
                 changed: Mapping[str, tuple[str, str]] | None = None) -> None:
        self.added: Mapping[str, str] = added or {}  # -> version found
        self.removed: Mapping[str, str] = removed or {}  # -> version recorded
        self.changed: Mapping[str, tuple[str, str]] = changed or {}  # -> (recorded, found)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Drift) and (self.added, self.removed, self.changed) == (
            other.added, other.removed, other.changed)

    def __repr__(self) -> str:
        return f"Drift(added={self.added}, removed={self.removed}, changed={self.changed})"

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    def details(self) -> list[str]:
        return sorted(
            [f"{name} {version} added" for name, version in self.added.items()]
            + [f"{name} {version} removed" for name, version in self.removed.items()]
            + [f"{name} {old} -> {new}" for name, (old, new) in self.changed.items()]
        )

    def summary(self, limit: int = 3) -> str:
        shown = self.details()
        more = f", and {len(shown) - limit} more" if len(shown) > limit else ""
        return ", ".join(shown[:limit]) + more


def compare(recorded: Mapping[str, str], found: Mapping[str, str]) -> Drift:
    from pyshelf.core.graph import same_version

    return Drift(
        added={n: v for n, v in found.items() if n not in recorded},
        removed={n: v for n, v in recorded.items() if n not in found},
        changed={n: (v, found[n]) for n, v in recorded.items()
                 if n in found and not same_version(v, found[n])},
    )


def generation_drift(layout: Layout, state: State, gen_id: int) -> Drift:
    """Drift of one generation; a generation not on disk has none to report."""
    venv = layout.gen_dir(gen_id)
    directory = paths.site_packages(venv)
    if directory is None:
        return Drift()
    composed = composed_folders(venv)
    if composed is not None and composed == folder_names(directory):
        return Drift()
    recorded = {p.name: p.version for p in state.packages(gen_id)}
    return compare(recorded, installed_versions(directory))


def composed_folders(venv: Path) -> list[str] | None:
    """The ``*.dist-info`` names ``venv``'s composition file lists; None for a venv installed
    whole, or composed before the names were recorded. Read here, not through
    ``package_store.compose``, whose import (the store's modules, ``dataclasses``) costs more
    than all the rest of a report; a test holds the two readers to one file."""
    try:
        names = json.loads((venv / paths.COMPOSITION_FILE).read_bytes()).get("dist_info")
    except (OSError, ValueError, AttributeError):
        return None
    return [str(name) for name in names] if isinstance(names, list) else None
