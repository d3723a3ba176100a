"""Store entries: one installed distribution each, filled once and never changed after.

An entry ``store/<key>`` holds one distribution's files at the paths they have in a venv
(``lib/pythonX.Y/site-packages/...``, ``bin/...``, ``share/...``), its bytecode compiled
once, and ``pyshelf-entry.json``. The key says what the files are for: the interpreter ABI
and, for a package of the index, its name, version and index; for a direct reference (a
project folder, a wheel, a URL) the installed files themselves (their ``RECORD``), since the
same reference may build something else tomorrow.

Every generation links to its entries, and ext4 keeps a symlink's target in the inode only
up to 59 bytes (a longer one takes a 4 KiB block of its own, and deleting it a block
discard), so an entry is laid out for short links (:data:`LAYOUT`, recorded in its
``pyshelf-entry.json``): it is named by its key alone, ``.p`` leads to its site-packages
part, ``.i`` to its ``*.dist-info`` folder and ``.c`` to the bytecode of its top-level
modules (``six.py``'s is in the ``__pycache__`` every such package shares), and its console
scripts find the python of the ``bin`` they are run from, so that every generation links to
one copy instead of writing its own. Entries filled before that (layout 1, named
``<name>-<version>-<key>``, scripts naming the scratch venv's python) stay usable:
generations composed of them keep working, and a change composes from new entries.

uv fills it: the distributions a lock needs and the store lacks are installed without
dependencies into a scratch venv (and compiled there as the ``bytecode`` setting says: see
:mod:`pyshelf.package_store.bytecode`), then each one's files (its ``RECORD`` and their
bytecode) are moved into a folder of its own, which takes the entry's name by one
rename once complete, so a half-filled entry is never used. Its folders are then made
read-only; its files keep their modes, since uv hard-links them from its cache and a mode is
the cache's too.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pyshelf.core.clock import now
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout
from pyshelf.package_store.lock_tables import TABLE_FILE, described, when_filled
from pyshelf.package_store.metadata import (
    as_json,
    from_json,
    of_entry,
    read_metadata,
)
from pyshelf.removal import real_folder, remove, unlink_link
from pyshelf.venv import dist_info, paths, shebangs

if TYPE_CHECKING:  # every command's recovery check imports this module
    from pyshelf.core.model import EntryMetadata, Lock, LockedPackage
    from pyshelf.engine.processes import Engine

ENTRY_FILE = "pyshelf-entry.json"
NEW_ENTRY_PREFIX = ".new-"
SITE_ALIAS = ".p"  # -> the entry's site-packages part
DIST_INFO_ALIAS = ".i"  # -> its *.dist-info folder, through .p
CACHE = "__pycache__"
CACHE_ALIAS = ".c"  # -> the bytecode of its top-level modules, through .p
ALIASES = (SITE_ALIAS, DIST_INFO_ALIAS, CACHE_ALIAS)
LAYOUT = 2  # 1: named <name>-<version>-<key>, no aliases, scripts name the scratch python


class EntrySize(NamedTuple):
    """What an entry holds, measured once when it is filled (it never changes after), so
    that ``status`` can add the store up from the database instead of walking it."""

    bytes: int  # the sum of its files' sizes
    files: int
    created_at: str


class StoreEntry(NamedTuple):
    path: Path
    name: str  # canonical
    version: str
    prefix: str  # the scratch venv it was installed into, as its scripts name it
    site: str  # its site-packages part, relative to the entry
    url: str  # the direct reference it was installed from; "" for the index's packages
    size: EntrySize | None = None  # None for an entry filled before sizes were recorded
    layout: int = 1
    dist_info: str = ""  # its *.dist-info folder's name (layout 2 and later)
    # None for an entry filled before its metadata was kept: :func:`metadata_of` reads it
    metadata: EntryMetadata | None = None


def index_key(package: LockedPackage, abi: str, index: str) -> str:
    """The key of an index package's entry: a release never changes, so name, version,
    index and ABI decide its files."""
    return _digest(f"{package.name}=={package.version}|{abi}|{index}".encode())


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()[:16]


_read: dict[Path, StoreEntry] = {}


def read_entry(path: Path) -> StoreEntry | None:
    """The entry at ``path``; None for anything else (a half-filled or foreign folder, or a
    symlink, which pyshelf never makes there: what it leads to is not the home's, so
    nothing composes it, compiles into it or measures it).

    A complete entry never changes (its key fixes what it holds), so each is read once per
    process: a change looked up each of its entries four times (filling, the previous
    generation's, the record, the lock), 660 reads of JSON on a 165-package shelf. One that
    went to the trash meanwhile (``doctor --fix`` of a damaged entry) is read again, and so
    is found gone."""
    entry = _read.get(path)
    if entry is None or not path.is_dir():
        entry = _read_entry(path)
        if entry is not None:
            _read[path] = entry
    return entry


def _read_entry(path: Path) -> StoreEntry | None:
    if path.is_symlink():
        return None
    try:
        data = json.loads((path / ENTRY_FILE).read_text(encoding="utf-8"))
        size = (EntrySize(int(data["bytes"]), int(data["files"]), str(data["created_at"]))
                if "bytes" in data else None)
        return StoreEntry(path=path, name=str(data["name"]), version=str(data["version"]),
                          prefix=str(data["prefix"]), site=str(data["site"]),
                          url=str(data["url"]), size=size,
                          layout=int(data.get("layout", 1)),
                          dist_info=str(data.get("dist_info", "")), metadata=from_json(data))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def metadata_of(entry: StoreEntry) -> EntryMetadata | None:
    """The entry's metadata as kept when it was filled, else read from its files."""
    return entry.metadata or of_entry(entry.path, entry.site)


def measure(folder: Path) -> tuple[int, int]:
    """(bytes, files) below ``folder``: the sum of its files' sizes, links not followed."""
    used, files, _ = _walk(os.fspath(folder))
    return used, files


def _walk(top: str, known: Mapping[str, int] | None = None, own: Collection[str] = ()
          ) -> tuple[int, int, list[str]]:
    """:func:`measure`'s sizes and the folders it walked, ``top`` first, so that a fill
    freezes what it measured without walking the entry again; ``known`` are sizes by path
    relative to ``top``, taken as they are, and ``own`` names files of ``top`` that are not
    counted (the entry's table of the lock, written before it is measured). Every fill
    measures thousands of files, so no path object is made for each."""
    known = known or {}
    skip = len(top) + 1
    used = files = 0
    stack, folders = [top], []
    while stack:
        folder = stack.pop()
        folders.append(folder)
        try:
            with os.scandir(folder) as found:
                children = list(found)
        except OSError:
            continue
        for child in children:
            if folder == top and child.name in own:
                continue
            try:
                if child.is_dir(follow_symlinks=False):
                    stack.append(child.path)
                    continue
                size = known.get(child.path[skip:])
                used += (child.stat(follow_symlinks=False).st_size if size is None
                         else size)
            except OSError:
                continue
            files += 1
    return used, files, folders


def entry_size(entry: StoreEntry) -> EntrySize:
    """The entry's recorded size, or (filled before sizes were recorded) measured now."""
    if entry.size is not None:
        return entry.size
    used, files = measure(entry.path)
    return EntrySize(used, files, now())


def provide(engine: Engine, layout: Layout, python: str, lock: Lock, *, abi: str,
            index: str, reinstall: Collection[str] = (),
            previous: Mapping[str, StoreEntry] | None = None,
            only_cached: bool = False) -> list[StoreEntry]:
    """An entry for each package of ``lock``, in the lock's order, filling what is missing.

    A package of the index is found by its key. A direct reference is taken from
    ``previous`` (the entries the generation before used) when it is the same reference and
    not in ``reinstall``; otherwise it is installed again (from uv's cache where uv may).
    ``only_cached``: uv installs only wheels its cache holds, quietly, or fails."""
    store = real_folder(layout.home, layout.store.name)
    found: dict[str, StoreEntry] = {}
    missing: list[LockedPackage] = []
    for package in lock.packages.values():
        entry = _existing(store, package, abi, index, reinstall, previous or {})
        if entry is None:
            missing.append(package)
        else:
            found[package.name] = entry
    rounds = [missing] if missing else []
    while rounds:
        filled, again = _fill(engine, layout, python, rounds.pop(), abi=abi, index=index,
                              reinstall=reinstall, only_cached=only_cached)
        found.update(filled)
        rounds += [[p] for p in missing if p.name in again]  # alone, they cannot clash
    absent = [p.display_name for p in lock.packages.values() if p.name not in found]
    if absent:
        raise PyshelfError(f"uv did not install {', '.join(sorted(absent))}; nothing was "
                           "changed.")
    return [found[name] for name in lock.packages]


def _existing(store: Path, package: LockedPackage, abi: str, index: str,
              reinstall: Collection[str], previous: Mapping[str, StoreEntry]
              ) -> StoreEntry | None:
    if package.url:
        entry = previous.get(package.name)
        if (entry is None or entry.url != package.url or package.name in reinstall
                or entry.layout < LAYOUT):
            return None
        return entry if entry.path.is_dir() else None
    return read_entry(store / index_key(package, abi, index))


def _fill(engine: Engine, layout: Layout, python: str, packages: Sequence[LockedPackage], *,
          abi: str, index: str, reinstall: Collection[str], only_cached: bool
          ) -> tuple[dict[str, StoreEntry], set[str]]:
    """Install ``packages`` into a scratch venv and move each into an entry of its own;
    also the names of those to install again one by one: they wrote the same file as
    another (two packages that ship one command), and only the last one's is left.

    What follows uv's install is pyshelf's own work on every new entry, so it handles
    its thousands of paths as text: path objects for them had cost a 48-package fill
    more than its renames. The entries none of whose modules are compiled at filling are
    moved while that compile runs."""
    from pyshelf.core.lockfile import pin_line
    from pyshelf.engine.processes import start_compiling
    from pyshelf.package_store.bytecode import compiled_at_fill, mark_pending

    staging = real_folder(layout.home, layout.work.name) / f"stage-{os.getpid()}"
    remove(layout.home, staging)
    store = real_folder(layout.home, layout.store.name)
    later = engine.bytecode == "background"
    started: _Started | None = None
    try:
        engine.create_venv(staging, python, system_site_packages=False)
        site = paths.site_packages(staging)
        if site is None:
            raise PyshelfError(f"The scratch environment {staging} has no site-packages "
                               "folder; nothing was changed.")
        root = os.fspath(staging)
        site_part = os.path.relpath(site, staging)
        wanted = staging / "pyshelf-wanted.txt"
        wanted.write_text("".join(f"{pin_line(p)}\n" for p in packages),
                          encoding="utf-8")
        started = _Started(engine, layout, store, site_part, packages, python=python,
                           abi=abi, index=index, pending=later)
        try:
            engine.sync(wanted, paths.python(staging),
                        reinstall=[p.name for p in packages if p.name in reinstall],
                        compile_bytecode=engine.bytecode == "now", only_cached=only_cached)
        finally:
            started.join()
        by_name = {p.name: p for p in packages}
        installed = {name: _installed(root, site_part, folder)
                     for folder in dist_info.folders(site)
                     if (name := dist_info.name_and_version(folder)[0]) in by_name}
        at_fill = {name: compiled_at_fill(site_part, dist.files,
                                          read=lambda path: (staging / path).read_bytes())
                   for name, dist in installed.items()} if later else {}
        compiling = start_compiling(str(paths.python(staging)),
                                    [staging / path for listed in at_fill.values()
                                     for path in listed], parallel=False)
        try:
            clashing = (_clashing({name: dist.files for name, dist in installed.items()})
                        if len(packages) > 1 else set())
            tables = when_filled(engine, layout, python,
                                 [by_name[name] for name in installed
                                  if name not in clashing], known=started.tables)
            claims = _claims(site_part, [dist.files for dist in installed.values()])
            pending = (lambda key: mark_pending(layout, key, python)) if later else None
            mover = _Mover(layout, store, staging, site_part, claims, abi=abi, index=index,
                           pending=pending, started=started)
            # the entries the compile does not write into first, while it runs
            order = sorted((name for name in installed if name not in clashing),
                           key=lambda name: bool(at_fill.get(name)))
            filled: dict[str, StoreEntry] = {}
            for name in order:
                if at_fill.get(name):
                    compiling.wait()
                filled[name] = mover.move(installed[name], by_name[name], tables.get(name))
        finally:
            compiling.wait()
        return {name: filled[name] for name in installed if name in filled}, clashing
    finally:
        if started is not None:
            started.drop_unused()
        remove(layout.home, staging, ignore_errors=True)


class _Started:
    """The part of each new entry that is known before uv has installed anything, made in
    a thread while uv installs: the entry's folder down to its site-packages part, its
    ``.p`` alias, its table of the lock where the look-up for source builds described it
    and, for a package of the index (whose key its pin fixes), its bytecode marker. Each
    is a new inode, which costs this file system 40-400 us, and uv's install leaves the
    process waiting with a core to spare; after it, only what the installed files decide
    is left to do. A skeleton no entry is moved into is removed at the end of the fill
    (recovery removes a killed process's ``.new-*`` entries); a marker whose entry never
    appears is dropped by the child that compiles."""

    def __init__(self, engine: Engine, layout: Layout, store: Path, site_part: str,
                 packages: Sequence[LockedPackage], *, python: str, abi: str, index: str,
                 pending: bool) -> None:
        self.home, self.store, self.site_part = layout.home, store, site_part
        self.folders: dict[str, Path] = {}  # package -> its skeleton, once made
        self.marked: set[str] = set()  # the keys marked for the child already
        self.tables: dict[str, str] | None = None  # None: not described yet
        self.tabled: set[str] = set()  # the packages whose skeleton has its table
        self._unused: dict[str, Path] = {}

        def start() -> None:
            tables = described(engine, python, packages)
            for package in packages:
                self._unused[package.name] = _new_folder(self.store, package.name)
                new = _skeleton(self.home, self.store, package.name, site_part)
                self.folders[package.name] = new
                if package.name in tables:
                    (new / TABLE_FILE).write_text(tables[package.name], encoding="utf-8")
                    self.tabled.add(package.name)
                if pending and not package.url:
                    key = index_key(package, abi, index)
                    mark_pending(layout, key, python)
                    self.marked.add(key)
            self.tables = tables

        from pyshelf.package_store.bytecode import mark_pending

        self._thread = threading.Thread(target=self._run, args=(start,), daemon=True)
        self._thread.start()

    @staticmethod
    def _run(start: Callable[[], None]) -> None:
        with contextlib.suppress(Exception):  # what was not made is made at the move
            start()

    def join(self) -> None:
        self._thread.join()

    def take(self, name: str) -> Path | None:
        """The skeleton made for ``name``, now the move's (None: make it there)."""
        self._unused.pop(name, None)
        return self.folders.pop(name, None)

    def drop_unused(self) -> None:
        for folder in self._unused.values():
            remove(self.home, folder, ignore_errors=True)


class _Installed(NamedTuple):
    """A distribution uv installed into the scratch venv."""

    folder: Path  # its *.dist-info folder
    files: list[str]  # what its RECORD lists, relative to the scratch venv
    sizes: dict[str, int]  # the sizes RECORD gives its files in site-packages


def _installed(root: str, site_part: str, folder: Path) -> _Installed:
    """What the distribution of ``folder`` installed (its ``RECORD``) into the scratch
    venv at ``root``."""
    inside = f"{root}/"
    recorded = [(path, size) for path, size in dist_info.recorded_sizes(folder)
                if path.rpartition("/")[2]]
    outside = [path for path, _ in recorded if not path.startswith(inside)]
    if outside:
        name = dist_info.name_and_version(folder)[0]
        raise PyshelfError(f"{name} installs files outside its environment ({outside[0]}), "
                           "which pyshelf cannot keep in its store; nothing was changed.")
    files = [path[len(inside):] for path, _ in recorded]
    return _Installed(folder, files, {
        relative: size for relative, (_, size) in zip(files, recorded, strict=True)
        if size is not None and relative.startswith(f"{site_part}/")})


def _clashing(owned: Mapping[str, list[str]]) -> set[str]:
    counts: dict[str, int] = {}
    for files in owned.values():
        for path in set(files):
            counts[path] = counts.get(path, 0) + 1
    return {name for name, files in owned.items() if any(counts[path] > 1 for path in files)}


def _claims(site_part: str, owned: Iterable[list[str]]) -> dict[str, int]:
    """How many of the distributions being stored have files under each top-level name of
    site-packages: a name only one claims moves as a whole."""
    counts: dict[str, int] = {}
    for files in owned:
        for top in {top for path in files if (top := _top(path, site_part))}:
            counts[top] = counts.get(top, 0) + 1
    return counts


def _top(relative: str, site_part: str) -> str:
    """The top-level name of site-packages ``relative`` is under ("" for a path outside);
    never ``__pycache__``, which holds the bytecode of every distribution's top-level
    modules."""
    if not relative.startswith(f"{site_part}/"):
        return ""
    top = relative[len(site_part) + 1:].partition("/")[0]
    return "" if top == CACHE else top


class _Mover:
    """Moves the distributions of one scratch venv into their entries."""

    def __init__(self, layout: Layout, store: Path, staging: Path, site_part: str,
                 claims: Mapping[str, int], *, abi: str, index: str,
                 pending: Callable[[str], None] | None, started: _Started) -> None:
        self.layout, self.store, self.staging = layout, store, staging
        self.root = os.fspath(staging)
        self.site_part, self.claims = site_part, claims
        self.abi, self.index, self.pending = abi, index, pending
        self.started = started

    def parts(self, owned: list[str]) -> list[str]:
        """What to rename, relative to the scratch venv: each top-level name of
        site-packages only this distribution has, whole, and every other file alone with
        the bytecode compiled from it."""
        parts: dict[str, None] = {}
        caches: dict[str, list[str]] = {}  # a folder's __pycache__, listed once
        for relative in owned:
            top = _top(relative, self.site_part)
            part = (f"{self.site_part}/{top}" if top and self.claims.get(top) == 1
                    else relative)
            parts[part] = None
            if part == relative and relative.endswith(".py"):  # its __pycache__ stays
                parent, _, module = relative.rpartition("/")
                cache = f"{parent}/{CACHE}" if parent else CACHE
                if cache not in caches:
                    caches[cache] = self._listed(cache)
                parts.update((f"{cache}/{name}", None) for name in caches[cache]
                             if name.partition(".")[0] == module[:-len(".py")])
        return list(parts)

    def _listed(self, cache: str) -> list[str]:
        try:
            with os.scandir(f"{self.root}/{cache}") as found:
                return [child.name for child in found]
        except OSError:
            return []

    def move(self, installed: _Installed, package: LockedPackage, table: str | None
             ) -> StoreEntry:
        """Move a distribution's files into its entry; ``pending`` notes, by its key, an
        entry whose bytecode is compiled after the change (None: it has all it gets).

        Its size is measured as :func:`measure` would, but the files of site-packages
        count the sizes their ``RECORD`` gives them, which uv installed as they are (hard
        links of the wheel's files): asking the file system each one's size had been
        most of the fill's own time. The rest (scripts rewritten here, bytecode, files
        listed without a size) are asked."""
        folder = installed.folder
        name, version = dist_info.name_and_version(folder)
        key = (_digest((folder / "RECORD").read_bytes() + self.abi.encode()) if package.url
               else index_key(package, self.abi, self.index))
        final = self.store / key
        existing = read_entry(final)
        if existing is not None:
            return existing
        read = read_metadata(folder, paths.bin_dir(self.staging),
                             commands=_commands(installed.files))
        new = (self.started.take(package.name)
               or _skeleton(self.layout.home, self.store, name, self.site_part))
        self._rename(self.parts(installed.files), new)
        relocate_scripts(new / paths.BIN, paths.python(self.staging))
        (new / DIST_INFO_ALIAS).symlink_to(Path(SITE_ALIAS, folder.name))
        if (new / self.site_part / CACHE).is_dir():
            (new / CACHE_ALIAS).symlink_to(Path(SITE_ALIAS, CACHE))
        used, files, folders = _walk(os.fspath(new), installed.sizes, own=(TABLE_FILE,))
        size = EntrySize(used, files, now())
        entry = StoreEntry(path=final, name=name, version=version, prefix=self.root,
                           site=self.site_part, url=package.url or "", size=size,
                           layout=LAYOUT, dist_info=folder.name, metadata=read)
        (new / ENTRY_FILE).write_text(json.dumps({
            "format": 1, "layout": LAYOUT, "name": name, "version": version,
            "prefix": entry.prefix, "site": entry.site, "dist_info": entry.dist_info,
            "url": entry.url, "abi": self.abi, "bytes": size.bytes, "files": size.files,
            "created_at": size.created_at, **(as_json(read) if read else {}),
        }, indent=1) + "\n", encoding="utf-8")
        if table is not None and package.name not in self.started.tabled:
            (new / TABLE_FILE).write_text(table, encoding="utf-8")  # before it is named
        _freeze(folders)
        if self.pending is not None and key not in self.started.marked:
            self.pending(key)  # before the entry is named, so that none goes without
        unlink_link(final)  # a link found in the entry's place is no entry: the link alone goes
        new.rename(final)
        return entry

    def _rename(self, parts: Iterable[str], new: Path) -> None:
        """Rename each of ``parts`` from the scratch venv to the same place in ``new``,
        making the folders it goes into; one missing from the scratch venv (a ``RECORD``
        that lists a file twice, or one never written) is passed over."""
        source = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            target = os.open(new, os.O_RDONLY | os.O_DIRECTORY)
            try:
                made = set(with_parents(self.site_part))  # made by _Started or above
                for part in parts:
                    try:
                        os.lstat(part, dir_fd=source)
                    except FileNotFoundError:
                        continue
                    _make_folders(part.rpartition("/")[0], target, made)
                    os.rename(part, part, src_dir_fd=source, dst_dir_fd=target)
            finally:
                os.close(target)
        finally:
            os.close(source)


def _new_folder(store: Path, name: str) -> Path:
    """Where this process fills ``name``'s entry, which a rename then names."""
    return store / f"{NEW_ENTRY_PREFIX}{name}-{os.getpid()}"


def _skeleton(home: Path, store: Path, name: str, site_part: str) -> Path:
    """A new entry's folder down to its site-packages part, with its ``.p`` alias (any
    leftover of that name removed first)."""
    new = _new_folder(store, name)
    remove(home, new)
    (new / site_part).mkdir(parents=True)
    (new / SITE_ALIAS).symlink_to(site_part)
    return new


def with_parents(relative: str) -> list[str]:
    """``relative`` (a folder's path as text) and each folder above it, up to where it is
    relative to (``""``): ``a/b``, ``a``, ``""``."""
    found = [relative]
    while relative:
        relative = relative.rpartition("/")[0]
        found.append(relative)
    return found


def _make_folders(folder: str, fd: int, made: set[str]) -> None:
    """Make ``folder`` and the folders it is in below the folder open as ``fd``, those not
    in ``made`` (which gets them)."""
    if folder in made:
        return
    _make_folders(folder.rpartition("/")[0], fd, made)
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, dir_fd=fd)
    made.add(folder)


def _commands(owned: Iterable[str]) -> list[str]:
    """The names of the files ``owned`` puts into the venv's ``bin``."""
    return [name for folder, _, name in (path.rpartition("/") for path in owned)
            if folder == paths.BIN]


def relocate_scripts(bin_dir: Path, installed_with: Path) -> None:
    """Give each script naming ``installed_with`` (the scratch venv's python) the interpreter
    line of :data:`shebangs.RELOCATABLE_HEADER` instead, so that one copy serves every
    generation. Each is written anew and renamed into place: the old file may be a hard link
    into uv's cache."""
    try:
        found = sorted(bin_dir.iterdir())
    except OSError:
        return
    headers = shebangs.shebangs(installed_with)
    for script in found:
        if script.is_symlink() or not script.is_file():
            continue
        content = script.read_bytes()
        header = next((h for h in headers if content.startswith(h)), None)
        if header is not None:
            fresh = script.with_name(f".{script.name}.pyshelf-new")
            fresh.write_bytes(shebangs.RELOCATABLE_HEADER + content[len(header):])
            fresh.chmod(stat.S_IMODE(script.lstat().st_mode) | 0o555)
            fresh.replace(script)


def freeze(entry: Path) -> None:
    """Make the entry's folders read-only, so nothing adds, removes or renames a file in
    it through a generation's links; pyshelf's remover makes a folder writable again
    before emptying it."""
    _freeze(folder for folder, _, _ in os.walk(entry, topdown=False))


def _freeze(folders: Iterable[str]) -> None:
    for folder in folders:
        path = Path(folder)
        path.chmod(stat.S_IMODE(path.lstat().st_mode) & ~0o222)


def thaw(entry: Path) -> None:
    """Let the entry's own folder be renamed into the trash (moving a folder to another
    parent rewrites its ``..``, which needs write permission on it)."""
    mode = entry.lstat().st_mode
    if not stat.S_ISLNK(mode):
        entry.chmod(stat.S_IMODE(mode) | 0o700)
