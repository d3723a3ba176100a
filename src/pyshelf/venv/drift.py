"""Packages changed inside the current generation by something other than pyshelf.

Someone may run ``pip install`` with the shelf's python. The ``*.dist-info`` folder names in
site-packages carry each package's name and version (``venv/dist_info.py``), so one directory
listing compared with the recorded packages finds such changes: cheap enough to do on every
command. A composed generation also lists the folder names it was composed with, and while
the listing is exactly that, nothing changed: the names need no reading (``packaging``'s
name rules, which cost more to import than the rest of a report), and the record no query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyshelf.layout import Layout
from pyshelf.venv import paths
from pyshelf.venv.dist_info import folder_names, installed_versions

if TYPE_CHECKING:
    from pyshelf.store.database import State


@dataclass(frozen=True)
class Drift:
    """What the disk holds that the record does not say, by canonical name."""

    added: dict[str, str] = field(default_factory=dict)  # -> version found
    removed: dict[str, str] = field(default_factory=dict)  # -> version recorded
    changed: dict[str, tuple[str, str]] = field(default_factory=dict)  # -> (recorded, found)

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
    from pyshelf.package_store.compose import read_composition

    venv = layout.gen_dir(gen_id)
    directory = paths.site_packages(venv)
    if directory is None:
        return Drift()
    composition = read_composition(venv)
    if composition is not None and composition.dist_info == folder_names(directory):
        return Drift()
    recorded = {p.name: p.version for p in state.packages(gen_id)}
    return compare(recorded, installed_versions(directory))
