"""What a store entry's distribution says about itself, read once and kept with the entry.

An entry never changes, so its core metadata (its name as written, its requirements) and
the commands its ``RECORD`` lists are read once, when it is filled, and kept in its
``pyshelf-entry.json`` and in the database's ``store_entries`` row. A change then verifies
and records a generation, and names the commands several of its packages ship, without
reading one ``METADATA`` or ``RECORD`` through the generation's links. An entry filled
before this was kept is read from its own files the first time it is used again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyshelf.core.model import EntryMetadata
from pyshelf.venv import dist_info, paths

if TYPE_CHECKING:  # every command reads entries; only changes build distributions
    from pyshelf.core.graph import Distribution


def read_metadata(folder: Path, bin_dir: Path, *,
                  commands: Iterable[str] | None = None) -> EntryMetadata | None:
    """The metadata of the ``*.dist-info`` ``folder`` of a prefix whose commands go to
    ``bin_dir``; None where it cannot be read. ``commands`` are the names its ``RECORD``
    puts into ``bin_dir``, where the caller has read it already."""
    found = dist_info.read_distribution(folder)
    if found is None:
        return None
    if commands is None:
        commands = [path.name for path in dist_info.recorded_outside(folder)
                    if path.parent == bin_dir]
    return EntryMetadata(found.display_name, found.requires, tuple(sorted(set(commands))))


def of_entry(path: Path, site: str) -> EntryMetadata | None:
    """The metadata of the entry at ``path`` (its site-packages part ``site``), from its
    own files."""
    folders = dist_info.folders(path / site)
    return (read_metadata(folders[0], paths.bin_dir(path)) if len(folders) == 1 else None)


def as_json(metadata: EntryMetadata) -> dict[str, Any]:
    return {"display_name": metadata.display_name, "requires": list(metadata.requires),
            "commands": list(metadata.commands)}


def from_json(data: Mapping[str, Any]) -> EntryMetadata | None:
    """The metadata :func:`as_json` wrote; None where it is not there (an entry filled, or
    a row written, before metadata was kept)."""
    try:
        return EntryMetadata(str(data["display_name"]),
                             tuple(str(r) for r in data["requires"]),
                             tuple(str(c) for c in data["commands"]))
    except (KeyError, TypeError):
        return None


def distribution(name: str, version: str, metadata: EntryMetadata) -> Distribution:
    from pyshelf.core.graph import Distribution

    return Distribution(name, metadata.display_name, version, metadata.requires)
