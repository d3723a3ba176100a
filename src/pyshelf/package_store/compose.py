"""Composing a venv from store entries: links, not copies, so a change costs what it changes.

Each entry's tree is merged into the venv the way Nix's ``buildEnv`` and Spack's views merge
package prefixes: a folder of site-packages (or of ``share/``) that only one entry has is
one symlink to the entry's folder; where several entries have the same folder (a namespace
package such as ``google/``, ``share/jupyter/``) it becomes a real folder holding links to
each one's contents. The venv's own folders down to site-packages stay real, and so does
each ``*.dist-info`` folder (its files are links): uv lists a venv's distributions without
following a link to a folder, so it would not see the packages of a linked one.

Three kinds of files are not links:

- console scripts name the python that runs them, so each is written anew with this venv's
  python in place of the scratch venv's it was installed with (a file that does not name it,
  such as a compiled executable, is linked);
- files under ``etc/`` are copied: tools rewrite their configuration there in place
  (``jupyter labextension disable``), which through a link would change the store;
- ``etc/`` and ``share/jupyter/kernels/`` are real folders all the way down, so that what
  tools add there (``ipykernel install --sys-prefix``) lands in the venv, where
  :mod:`pyshelf.package_store.carry` finds it for the next generation.

Where two entries have the same file the later one wins, so entries come ordered with the
packages asked for last: their commands are the ones in ``bin``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pyshelf.errors import PyshelfError
from pyshelf.package_store.entries import ENTRY_FILE, StoreEntry, read_entry
from pyshelf.package_store.lock_tables import TABLE_FILE
from pyshelf.removal import unlink_link
from pyshelf.venv import paths
from pyshelf.venv.dist_info import DIST_INFO

COMPOSITION_FILE = "pyshelf-composition.json"
COPIED = PurePosixPath("etc")
# Folders tools write into: never a link, so what they add is the generation's own.
WRITABLE = (COPIED, PurePosixPath("share/jupyter/kernels"))
_SHEBANG_LIMIT = 127  # what a #! line may hold on every system uv supports
_FORMAT = 1


@dataclass
class Composition:
    """What a venv was composed of: its entries' folder names, and the files copied into
    it (prefix-relative path -> sha256), which are the venv's own; and the size of what is
    its own (its links and the files written into it), measured once composed, so that
    ``status`` reads it from the database instead of walking every generation."""

    entries: list[str] = field(default_factory=list)
    copied: dict[str, str] = field(default_factory=dict)
    bytes: int | None = None  # None: composed before sizes were recorded
    files: int | None = None


def compose(venv: Path, entries: Sequence[StoreEntry]) -> Composition:
    """Link ``entries`` into ``venv`` (a fresh venv) and write its composition file."""
    site = paths.site_packages(venv)
    if site is None:
        raise PyshelfError(f"{venv} has no site-packages folder; nothing was changed.")
    placer = _Placer(venv, PurePosixPath(site.relative_to(venv).as_posix()))
    for entry in entries:
        placer.entry = entry
        placer.composition.entries.append(entry.path.name)
        for name, child, is_dir in _children(entry.path):
            if name not in (ENTRY_FILE, TABLE_FILE):
                placer.place(PurePosixPath(name), child, is_dir)
    placer.composition.bytes = sum(placer.sizes.values())
    placer.composition.files = len(placer.sizes)
    write_composition(venv, placer.composition)
    return placer.composition


def _children(folder: Path) -> list[tuple[str, Path, bool]]:
    """(name, path, whether a folder) of each of ``folder``'s children, by name: the
    listing says which are folders, so the store's files need no ``stat``."""
    with os.scandir(folder) as found:
        return sorted((child.name, Path(child.path), child.is_dir()) for child in found)


def write_composition(venv: Path, composition: Composition) -> None:
    (venv / COMPOSITION_FILE).write_text(json.dumps({
        "format": _FORMAT, "entries": composition.entries, "copied": composition.copied,
        "bytes": composition.bytes, "files": composition.files,
    }, indent=1) + "\n", encoding="utf-8")


def read_composition(venv: Path) -> Composition | None:
    """The composition of ``venv``; None for a venv installed whole (an older generation)."""
    try:
        data = json.loads((venv / COMPOSITION_FILE).read_text(encoding="utf-8"))
        return Composition(entries=[str(e) for e in data["entries"]],
                           copied={str(k): str(v) for k, v in data["copied"].items()},
                           bytes=_count(data.get("bytes")), files=_count(data.get("files")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) else None


def entries_of(venv: Path, store: Path) -> dict[str, StoreEntry]:
    """name -> entry of each entry ``venv`` was composed of (none for an older venv)."""
    composition = read_composition(venv)
    found = [read_entry(store / name) for name in composition.entries] if composition else []
    return {entry.name: entry for entry in found if entry is not None}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Placer:
    """Places entries into a venv, knowing what is at each path it has placed (and what
    the fresh venv held) without asking the disk, and the size of each: what ``status``
    counts is measured as it is made, not by walking the venv afterwards."""

    def __init__(self, venv: Path, site: PurePosixPath) -> None:
        self.venv = venv
        self.site = site
        self.real = {site, *site.parents, *WRITABLE, *(p for w in WRITABLE for p in w.parents)}
        self.composition = Composition()
        self.entry: StoreEntry | None = None
        self.folders: set[PurePosixPath] = set()  # real folders
        self.folder_links: set[PurePosixPath] = set()
        self.sizes: dict[PurePosixPath, int] = {}  # each file and link: its lstat size
        for root, dirs, names in os.walk(venv):
            relative = PurePosixPath(Path(root).relative_to(venv).as_posix())
            self.folders.add(relative)
            for name in [*names, *dirs]:
                self._found(relative / name)

    def _found(self, relative: PurePosixPath) -> None:
        """Learn what is at ``relative`` from the disk (what this placer did not make)."""
        path = self.venv / relative
        if _is_real_folder(path):
            self.folders.add(relative)
            return
        if _is_folder_link(path):
            self.folder_links.add(relative)
        self.sizes[relative] = path.lstat().st_size

    def _stays_real(self, relative: PurePosixPath) -> bool:
        return (relative in self.real or any(w in relative.parents for w in WRITABLE)
                or (relative.parent == self.site and relative.suffix == DIST_INFO))

    def place(self, relative: PurePosixPath, source: Path, is_dir: bool) -> None:
        target = self.venv / relative
        if is_dir:
            if relative == PurePosixPath(paths.BIN):
                self._folder(relative)
                for name, script, _ in _children(source):
                    self._script(relative / name, script)
            elif self._stays_real(relative) or relative in self.folders:
                self._into_real_folder(relative, source)
            elif relative in self.folder_links:
                split_linked_folder(target)
                self.folder_links.discard(relative)
                del self.sizes[relative]
                self.folders.add(relative)
                for name, _, _ in _children(target):
                    self._found(relative / name)
                self._into_real_folder(relative, source)
            else:
                self._linked(relative, source, is_dir=True)
        elif COPIED in relative.parents:
            content = source.read_bytes()
            write_own_file(target, content, os.lstat(source).st_mode)
            self.sizes[relative] = len(content)
            self.composition.copied[str(relative)] = hashlib.sha256(content).hexdigest()
        else:
            self._linked(relative, source, is_dir=False)

    def _folder(self, relative: PurePosixPath) -> None:
        if relative not in self.folders:
            (self.venv / relative).mkdir(exist_ok=True)
            self.folders.add(relative)

    def _linked(self, relative: PurePosixPath, source: Path, *, is_dir: bool) -> None:
        self.sizes[relative] = len(os.fsencode(_link(self.venv / relative, source)))
        if is_dir:
            self.folder_links.add(relative)
        else:
            self.folder_links.discard(relative)

    def _into_real_folder(self, relative: PurePosixPath, source: Path) -> None:
        self._folder(relative)
        for name, child, is_dir in _children(source):
            self.place(relative / name, child, is_dir)

    def _script(self, relative: PurePosixPath, source: Path) -> None:
        assert self.entry is not None
        content = source.read_bytes()
        installed_with = paths.python(Path(self.entry.prefix))
        header = next((h for h in shebangs(installed_with) if content.startswith(h)), None)
        if header is None:  # not a script naming a python: a compiled program, say
            self._linked(relative, source, is_dir=False)
            return
        written = shebang(paths.python(self.venv)) + content[len(header):]
        write_own_file(self.venv / relative, written, 0o755)
        self.sizes[relative] = len(written)
        self.folder_links.discard(relative)


def shebang(python: Path) -> bytes:
    """The interpreter line(s) of a script run by ``python``, as uv writes them: a plain
    ``#!`` where the kernel can read it, else a ``/bin/sh`` line that execs the python
    (a path with a space, or longer than a ``#!`` line may be)."""
    plain, through_sh = shebangs(python)
    fits = len(plain) <= _SHEBANG_LIMIT + 1 and b" " not in plain
    return plain if fits else through_sh


def shebangs(python: Path) -> tuple[bytes, bytes]:
    """Both forms of the interpreter line(s) naming ``python`` that uv may have written:
    ``#!`` alone, and through ``/bin/sh``."""
    text = str(python)
    quoted = "'" + text.replace("'", "'\"'\"'") + "'"
    return (os.fsencode(f"#!{text}\n"),
            os.fsencode(f"#!/bin/sh\n'''exec' {quoted} \"$0\" \"$@\"\n' '''\n"))


def split_linked_folder(target: Path) -> None:
    """Turn a link to an entry's folder into a real folder of links to its contents, so
    that other files can join them (a second entry's, or one of the venv's own) without
    anything being written into the store."""
    if not _is_folder_link(target):
        return
    linked = target.parent / target.readlink()
    unlink_link(target)
    target.mkdir()
    for child in sorted(linked.iterdir()):
        _link(target / child.name, child)


def _is_real_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _is_folder_link(path: Path) -> bool:
    return path.is_symlink() and path.is_dir()


def _link(target: Path, source: Path) -> str:
    """A relative link, so the home can move; a later entry's file replaces an earlier
    one's by a rename. Returns what it points to."""
    pointing = os.path.relpath(source, target.parent)
    try:
        target.symlink_to(pointing)
    except FileExistsError:
        temporary = target.with_name(f".{target.name}.pyshelf-new")
        temporary.symlink_to(pointing)
        temporary.replace(target)
    return pointing


def write_own_file(target: Path, content: bytes, mode: int) -> None:
    """A file of the venv's own, not yet seen by anyone: no fsync per file (the generation
    is checked before it becomes current)."""
    temporary = target.with_name(f".{target.name}.pyshelf-new")
    temporary.write_bytes(content)
    temporary.chmod(mode & 0o777 | 0o200)
    temporary.replace(target)
