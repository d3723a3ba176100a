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

Every link is short, because ext4 stores a symlink target of up to 59 bytes in the inode and
a longer one in a 4 KiB block (of a generation's hundreds of links, most would be): the
venv's folder ``.s`` holds one link per entry, named by the start of its key
(``.s/3fa2c1 -> ../../../store/<key>``), every other link goes through those, and an entry
offers ``.p``, ``.i`` and ``.c`` for its site-packages part, its dist-info folder and its
top-level ``__pycache__`` (:mod:`pyshelf.package_store.entries`), so a module is
``../../../.s/3fa2c1/.p/six.py``. The links stay relative, so the home can move, and say the
same in every venv an entry is in, so that a venv's links can be hard links of the previous
venv's (see :func:`compose`).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import NamedTuple

from pyshelf.errors import PyshelfError
from pyshelf.package_store.entries import (
    ALIASES,
    CACHE,
    CACHE_ALIAS,
    DIST_INFO_ALIAS,
    ENTRY_FILE,
    SITE_ALIAS,
    StoreEntry,
    read_entry,
    with_parents,
)
from pyshelf.package_store.lock_tables import TABLE_FILE
from pyshelf.removal import unlink_link
from pyshelf.venv import paths
from pyshelf.venv.dist_info import DIST_INFO, folder_names
from pyshelf.venv.shebangs import shebang, shebangs

COMPOSITION_FILE = paths.COMPOSITION_FILE
ENTRY_LINKS = ".s"  # the venv's links to its entries, which every other link goes through
COPIED = "etc"
# Folders tools write into: never a link, so what they add is the generation's own.
WRITABLE = (COPIED, "share/jupyter/kernels")
_FORMAT = 1
_NOT_PLACED = frozenset((ENTRY_FILE, TABLE_FILE, *ALIASES))  # an entry's own, not its package's
# a folder of the venv's own, opened to make links in: never one reached through a link
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_SHORT = 6  # digits of an entry's key naming its link in .s


class Composition(NamedTuple):
    """What a venv was composed of: its entries' folder names, and the files copied into
    it (prefix-relative path -> sha256), which are the venv's own; and the size of what is
    its own (its links and the files written into it), measured once composed, so that
    ``status`` reads it from the database instead of walking every generation."""

    entries: list[str]
    copied: dict[str, str]
    # the names of its *.dist-info folders; None: composed before they were recorded
    dist_info: list[str] | None = None
    bytes: int | None = None  # None: composed before sizes were recorded
    files: int | None = None


def compose(venv: Path, entries: Sequence[StoreEntry], previous: Path | None = None
            ) -> Composition:
    """Link ``entries`` into ``venv`` (a fresh venv) and write its composition file.

    Each link that ``previous`` (the venv this one follows) has at the same place, saying the
    same, is made by hard-linking that one: the kernel then adds a name to an inode instead of
    allocating one, three to ten times cheaper (on ext4 here, 15 us against 50-250 us), and a
    change leaves most of the links of the venv before as they were."""
    site = paths.site_packages(venv)
    if site is None:
        raise PyshelfError(f"{venv} has no site-packages folder; nothing was changed.")
    placer = _Placer(str(venv), site.relative_to(venv).as_posix(),
                     None if previous is None else str(previous))
    try:
        for entry in entries:
            placer.enter(entry)
            for name, child, is_dir in _children(str(entry.path), _NOT_PLACED):
                placer.place(name, name, child, is_dir, placer.root)
    finally:
        placer.close()
    composition = Composition(placer.entries, placer.copied, folder_names(site),
                              sum(placer.sizes.values()), len(placer.sizes))
    write_composition(venv, composition)
    return composition


def _children(folder: str, skipped: Collection[str] = ()) -> list[tuple[str, str, bool]]:
    """(name, path, whether a folder) of each of ``folder``'s children but ``skipped``, by
    name: the listing says which are folders, so the store's files need no ``stat`` (the
    entry's aliases, links that would, are skipped before they are asked)."""
    with os.scandir(folder) as found:
        return sorted((child.name, child.path, child.is_dir()) for child in found
                      if child.name not in skipped)


def write_composition(venv: Path, composition: Composition) -> None:
    (venv / COMPOSITION_FILE).write_text(json.dumps({
        "format": _FORMAT, "entries": composition.entries, "copied": composition.copied,
        "dist_info": composition.dist_info, "bytes": composition.bytes,
        "files": composition.files,
    }, indent=1) + "\n", encoding="utf-8")


def read_composition(venv: Path) -> Composition | None:
    """The composition of ``venv``; None for a venv installed whole (an older generation)."""
    try:
        data = json.loads((venv / COMPOSITION_FILE).read_text(encoding="utf-8"))
        return Composition(entries=[str(e) for e in data["entries"]],
                           copied={str(k): str(v) for k, v in data["copied"].items()},
                           dist_info=_names(data.get("dist_info")),
                           bytes=_count(data.get("bytes")), files=_count(data.get("files")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _names(value: object) -> list[str] | None:
    return [str(v) for v in value] if isinstance(value, list) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) else None


def entries_of(venv: Path, store: Path) -> dict[str, StoreEntry]:
    """name -> entry of each entry ``venv`` was composed of (none for an older venv)."""
    composition = read_composition(venv)
    found = [read_entry(store / name) for name in composition.entries] if composition else []
    return {entry.name: entry for entry in found if entry is not None}


def file_digest(path: Path) -> str:
    return _sha256(path.read_bytes())


def _sha256(content: bytes) -> str:
    import hashlib  # every command reads compositions; only builds and carries digest

    return hashlib.sha256(content).hexdigest()


class _Placer:
    """Places entries into a venv, knowing what is at each path it has placed (and what
    the fresh venv held) without asking the disk, and the size of each: what ``status``
    counts is measured as it is made, not by walking the venv afterwards.

    Paths are plain strings relative to the venv (``""`` is the venv itself), and links and
    folders are made relative to the descriptor of the folder they go into: a generation
    places hundreds of links, and parsing a ``Path`` for each, and the kernel walking it
    from the root, cost more than the links.
    """

    def __init__(self, venv: str, site: str, previous: str | None) -> None:
        self.venv = venv
        self.site = site
        self.real = {*with_parents(site), *(p for w in WRITABLE for p in with_parents(w))}
        self.entries: list[str] = []  # what the composition names
        self.copied: dict[str, str] = {}
        self.entry: StoreEntry | None = None
        self.through = ""  # the entry's link in .s, relative to the venv
        self.aliases: dict[str, str] = {}  # top-level name of site-packages -> alias
        self.folders: set[str] = set()  # real folders
        self.folder_links: set[str] = set()
        self.sizes: dict[str, int] = {}  # each file and link: its lstat size
        self.root = os.open(venv, _FOLDER)
        self.links = -1  # the descriptor of .s, once made
        self.used: set[str] = set()  # the names in .s
        # a folder's descriptor -> that of the same folder in the previous venv, if it has it
        self.before: dict[int, int] = {}
        if previous is not None:
            with contextlib.suppress(OSError):
                self.before[self.root] = os.open(previous, _FOLDER)
        for root, dirs, names in os.walk(venv):
            relative = root[len(venv) + 1:]
            self.folders.add(relative)
            for name in [*names, *dirs]:
                self._found(_join(relative, name))

    def enter(self, entry: StoreEntry) -> None:
        """Place ``entry``'s files next: its link in ``.s`` first, which its others go
        through."""
        name = _entry_link_name(entry, self.used)
        self.used.add(name)
        self.entry, self.through = entry, f"{ENTRY_LINKS}/{name}"
        self.aliases = ({entry.dist_info: DIST_INFO_ALIAS, CACHE: CACHE_ALIAS}
                        if entry.layout >= 2 else {})
        self.entries.append(entry.path.name)
        if self.links < 0:
            self._folder(ENTRY_LINKS, ENTRY_LINKS, self.root)
            self.links = os.open(ENTRY_LINKS, _FOLDER, dir_fd=self.root)
            self._follow(self.links, ENTRY_LINKS, self.root)
        pointing = os.path.relpath(entry.path, f"{self.venv}/{ENTRY_LINKS}")
        self._link(name, pointing, self.links)
        self.sizes[self.through] = len(os.fsencode(pointing))

    def close(self) -> None:
        for descriptor in (self.root, self.links, *self.before.values()):
            if descriptor >= 0:
                os.close(descriptor)

    def _follow(self, folder: int, name: str, parent: int) -> None:
        """Open the previous venv's folder ``name`` in the folder matching ``parent`` as the
        one ``folder``'s links may come from, if it is a real folder there."""
        before = self.before.get(parent, -1)
        if before >= 0:
            with contextlib.suppress(OSError):
                self.before[folder] = os.open(name, _FOLDER, dir_fd=before)

    def _found(self, relative: str) -> None:
        """Learn what is at ``relative`` from the disk (what this placer did not make)."""
        path = f"{self.venv}/{relative}"
        status = os.lstat(path)
        if stat.S_ISDIR(status.st_mode):
            self.folders.add(relative)
            return
        if stat.S_ISLNK(status.st_mode) and Path(path).is_dir():
            self.folder_links.add(relative)
        self.sizes[relative] = status.st_size

    def _stays_real(self, relative: str) -> bool:
        return (relative in self.real or any(relative.startswith(f"{w}/") for w in WRITABLE)
                or (relative.endswith(DIST_INFO) and _parent(relative) == self.site))

    def place(self, relative: str, name: str, source: str, is_dir: bool, folder: int
              ) -> None:
        """Place the current entry's ``source`` at ``relative``, named ``name`` in the
        folder whose descriptor is ``folder``."""
        target = f"{self.venv}/{relative}"
        if is_dir:
            if relative == paths.BIN:
                self._into_real_folder(relative, name, source, folder, scripts=True)
            elif self._stays_real(relative) or relative in self.folders:
                self._into_real_folder(relative, name, source, folder)
            elif relative in self.folder_links:
                self._split(relative, name, folder)
                self._into_real_folder(relative, name, source, folder)
            else:
                self._linked(relative, name, folder, is_dir=True)
        elif relative.startswith(f"{COPIED}/"):
            content = Path(source).read_bytes()
            write_own_file(Path(target), content, os.lstat(source).st_mode)
            self.sizes[relative] = len(content)
            self.copied[relative] = _sha256(content)
        else:
            self._linked(relative, name, folder, is_dir=False)

    def _folder(self, relative: str, name: str, folder: int) -> None:
        if relative not in self.folders:
            try:
                os.mkdir(name, dir_fd=folder)
            except FileExistsError:
                if not stat.S_ISDIR(os.stat(name, dir_fd=folder).st_mode):
                    raise
            self.folders.add(relative)

    def _linked(self, relative: str, name: str, folder: int, *, is_dir: bool) -> None:
        """Link ``relative`` to the current entry's file or folder there, the short way:
        through the entry's link in ``.s`` and its aliases where it has them. Both ends are
        inside the venv, so the link is as many ``..`` as ``relative`` is deep, then that
        way down (what ``os.path.relpath`` would say, without its work)."""
        pointing = "../" * relative.count("/") + self._via(relative)
        self._link(name, pointing, folder)
        self.sizes[relative] = len(os.fsencode(pointing))
        if is_dir:
            self.folder_links.add(relative)
        else:
            self.folder_links.discard(relative)

    def _via(self, relative: str) -> str:
        """The current entry's file or folder at ``relative``, relative to the venv."""
        if not self.aliases or not relative.startswith(f"{self.site}/"):
            return f"{self.through}/{relative}"
        inside = relative[len(self.site) + 1:]
        top, _, rest = inside.partition("/")
        alias = self.aliases.get(top)
        if alias is None:
            return f"{self.through}/{SITE_ALIAS}/{inside}"
        return f"{self.through}/{alias}/{rest}" if rest else f"{self.through}/{alias}"

    def _split(self, relative: str, name: str, folder: int) -> None:
        """Turn the link at ``relative`` to an earlier entry's folder into a real folder of
        links to its contents (as :func:`split_linked_folder` does), so that the current
        entry's can join them; each says what the folder's link said, one level deeper."""
        pointing = os.readlink(name, dir_fd=folder)
        linked = f"{self.venv}/{_join(_parent(relative), pointing)}"
        unlink_link(Path(self.venv, relative))
        self.folder_links.discard(relative)
        del self.sizes[relative]
        self._folder(relative, name, folder)
        inside = os.open(name, _FOLDER, dir_fd=folder)
        self._follow(inside, name, folder)
        try:
            for child, _, is_dir in _children(linked):
                self._link(child, f"../{pointing}/{child}", inside)
                child_relative = _join(relative, child)
                self.sizes[child_relative] = len(os.fsencode(pointing)) + len(
                    os.fsencode(child)) + 4
                if is_dir:
                    self.folder_links.add(child_relative)
        finally:
            self._close(inside)

    def _into_real_folder(self, relative: str, name: str, source: str, folder: int, *,
                          scripts: bool = False) -> None:
        self._folder(relative, name, folder)
        inside = os.open(name, _FOLDER, dir_fd=folder)
        self._follow(inside, name, folder)
        try:
            for child, path, is_dir in _children(source):
                if scripts:
                    self._script(_join(relative, child), child, path, inside)
                else:
                    self.place(_join(relative, child), child, path, is_dir, inside)
        finally:
            self._close(inside)

    def _close(self, inside: int) -> None:
        os.close(inside)
        before = self.before.pop(inside, -1)
        if before >= 0:
            os.close(before)

    def _script(self, relative: str, name: str, source: str, folder: int) -> None:
        assert self.entry is not None
        if self.entry.layout >= 2:  # its scripts find the python beside them themselves
            self._linked(relative, name, folder, is_dir=False)
            return
        content = Path(source).read_bytes()
        installed_with = paths.python(Path(self.entry.prefix))
        header = next((h for h in shebangs(installed_with) if content.startswith(h)), None)
        if header is None:  # not a script naming a python: a compiled program, say
            self._linked(relative, name, folder, is_dir=False)
            return
        written = shebang(paths.python(Path(self.venv))) + content[len(header):]
        write_own_file(Path(self.venv, relative), written, 0o755)
        self.sizes[relative] = len(written)
        self.folder_links.discard(relative)


    def _link(self, name: str, pointing: str, folder: int) -> None:
        """A relative link, so the home can move, named ``name`` in the folder whose
        descriptor is ``folder``; a later entry's file replaces an earlier one's by a rename.
        ``pointing`` is taken as written, so a link through ``.s`` stays one."""
        before = self.before.get(folder, -1)
        try:
            _make_link(name, name, pointing, folder, before)
        except FileExistsError:
            temporary = f".{name}.pyshelf-new"
            _make_link(name, temporary, pointing, folder, before)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)


def _make_link(name: str, made: str, pointing: str, folder: int, before: int) -> None:
    """Link ``made`` in ``folder`` to ``pointing``: a hard link of the previous venv's
    ``name`` (in ``before``) where that is a link saying the same, else a new one."""
    if before >= 0:
        try:
            if os.readlink(name, dir_fd=before) == pointing:
                os.link(name, made, src_dir_fd=before, dst_dir_fd=folder,
                        follow_symlinks=False)
                return
        except FileExistsError:
            raise
        except (OSError, NotImplementedError):  # not a link there, or no linkat here
            pass
    os.symlink(pointing, made, dir_fd=folder)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _parent(relative: str) -> str:
    return relative.rpartition("/")[0]


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
        (target / child.name).symlink_to(os.path.relpath(child, target))


def _is_folder_link(path: Path) -> bool:
    return path.is_symlink() and path.is_dir()


def _entry_link_name(entry: StoreEntry, used: Collection[str]) -> str:
    """The name of ``entry``'s link in ``.s``: the same in every venv, so that a venv's links
    say what the previous venv's say and can be hard links of them, and short (six digits of
    the entry's key, all of them if another entry has those six)."""
    key = entry.path.name
    if entry.layout < 2 or key[:_SHORT] in used:
        return key
    return key[:_SHORT]


def write_own_file(target: Path, content: bytes, mode: int) -> None:
    """A file of the venv's own, not yet seen by anyone: no fsync per file (the generation
    is checked before it becomes current)."""
    temporary = target.with_name(f".{target.name}.pyshelf-new")
    temporary.write_bytes(content)
    temporary.chmod(mode & 0o777 | 0o200)
    temporary.replace(target)
