"""Whether the store still holds what generations link to.

``doctor`` follows every link of a generation (cheap: one ``stat`` each) and names the
entry behind a broken one: gone from the store, or missing a file. ``doctor --deep`` reads
every file of each entry the current generation uses and compares it with the hash its
``RECORD`` gives. The store's copy is what is checked: a generation's console scripts are
rewritten for its own python, and bytecode compiled in the store is in no ``RECORD``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from pyshelf.core.record_hash import expected_hash, record_digest
from pyshelf.package_store.entries import StoreEntry
from pyshelf.venv import dist_info, paths
from pyshelf.venv.shebangs import RELOCATABLE_HEADER, shebangs

_CHUNK = 1 << 20


def broken_links(venv: Path) -> list[Path]:
    """The links in ``venv``'s own tree (never followed into the store) that lead nowhere."""
    return [link for link in _links(venv) if not link.exists()]


def _links(folder: Path) -> Iterator[Path]:
    try:
        with os.scandir(folder) as found:
            children = list(found)
    except OSError:
        return
    for child in children:
        if child.is_symlink():
            yield Path(child.path)
        elif child.is_dir(follow_symlinks=False):
            yield from _links(Path(child.path))


def entry_behind(link: Path, store: Path) -> str | None:
    """The name of the store entry ``link`` leads into; None for a link elsewhere (the
    venv's python, which the interpreter check covers). The links on the way (the venv's
    ``.s``, an entry's aliases) are followed as far as they lead."""
    target = Path(os.path.realpath(link))
    try:
        parts = target.relative_to(os.path.realpath(store)).parts
    except ValueError:
        return None
    return parts[0] if parts else None


def damaged_files(entry: StoreEntry) -> list[str]:
    """Entry-relative paths of the files that differ from their ``RECORD`` hash or are
    gone. Skipped: files listed without a hash, and the console scripts uv wrote for the
    scratch venv, whose ``RECORD`` hash is not that of the file it leaves (their
    interpreter line differs), as they are or as the entry rewrote them."""
    site = entry.path / entry.site
    launchers = (*shebangs(paths.python(Path(entry.prefix))), RELOCATABLE_HEADER)
    damaged = []
    for folder in dist_info.folders(site):
        for path, column in dist_info.recorded_hashes(folder):
            expected = expected_hash(column)
            if (expected is None or not path.is_relative_to(entry.path)
                    or _starts_with(path, launchers)):
                continue
            algorithm, digest = expected
            if _digest_of(path, algorithm) != digest:
                damaged.append(path.relative_to(entry.path).as_posix())
    return damaged


def _starts_with(path: Path, headers: tuple[bytes, ...]) -> bool:
    if path.parent.name != paths.BIN:
        return False
    try:
        with path.open("rb") as file:
            start = file.read(max(len(header) for header in headers))
    except OSError:
        return False
    return any(start.startswith(header) for header in headers)


def _digest_of(path: Path, algorithm: str) -> str | None:
    try:
        with path.open("rb") as file:
            return record_digest(algorithm, iter(lambda: file.read(_CHUNK), b""))
    except OSError:
        return None
