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

import json
import os
import stat
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pyshelf.core.clock import now
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout
from pyshelf.package_store.lock_tables import TABLE_FILE, when_filled
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
    """(bytes, files) below ``folder``: the sum of its files' sizes, links not followed.
    Every fill measures thousands of files, so no path object is made for each."""
    used = files = 0
    stack = [os.fspath(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as found:
                children = list(found)
        except OSError:
            continue
        for child in children:
            try:
                if child.is_dir(follow_symlinks=False):
                    stack.append(child.path)
                    continue
                used += child.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            files += 1
    return used, files


def entry_size(entry: StoreEntry) -> EntrySize:
    """The entry's recorded size, or (filled before sizes were recorded) measured now."""
    if entry.size is not None:
        return entry.size
    used, files = measure(entry.path)
    return EntrySize(used, files, now())


def provide(engine: Engine, layout: Layout, python: str, lock: Lock, *, abi: str,
            index: str, reinstall: Collection[str] = (),
            previous: Mapping[str, StoreEntry] | None = None) -> list[StoreEntry]:
    """An entry for each package of ``lock``, in the lock's order, filling what is missing.

    A package of the index is found by its key. A direct reference is taken from
    ``previous`` (the entries the generation before used) when it is the same reference and
    not in ``reinstall``; otherwise it is installed again (from uv's cache where uv may)."""
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
                              reinstall=reinstall)
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
          abi: str, index: str, reinstall: Collection[str]
          ) -> tuple[dict[str, StoreEntry], set[str]]:
    """Install ``packages`` into a scratch venv and move each into an entry of its own;
    also the names of those to install again one by one: they wrote the same file as
    another (two packages that ship one command), and only the last one's is left."""
    from pyshelf.core.lockfile import pin_line
    from pyshelf.engine.processes import start_compiling
    from pyshelf.package_store.bytecode import compiled_at_fill, mark_pending

    staging = real_folder(layout.home, layout.work.name) / f"stage-{os.getpid()}"
    remove(layout.home, staging)
    try:
        engine.create_venv(staging, python, system_site_packages=False)
        wanted = staging / "pyshelf-wanted.txt"
        wanted.write_text("".join(f"{pin_line(p)}\n" for p in packages),
                          encoding="utf-8")
        engine.sync(wanted, paths.python(staging),
                    reinstall=[p.name for p in packages if p.name in reinstall],
                    compile_bytecode=engine.bytecode == "now")
        site = paths.site_packages(staging)
        if site is None:
            raise PyshelfError(f"The scratch environment {staging} has no site-packages "
                               "folder; nothing was changed.")
        by_name = {p.name: p for p in packages}
        recorded = {name: (folder, _recorded(staging, folder))
                    for folder in dist_info.folders(site)
                    if (name := dist_info.name_and_version(folder)[0]) in by_name}
        later = engine.bytecode == "background"
        compiling = start_compiling(str(paths.python(staging)),
                                    [path for _, listed in recorded.values()
                                     for path in compiled_at_fill(site, listed)] if later
                                    else [], parallel=False)
        try:  # beside uv's lock tables; its pycs then move with the rest
            clashing = (_clashing({name: listed for name, (_, listed) in recorded.items()})
                        if len(packages) > 1 else set())
            tables = when_filled(engine, layout, python,
                                 [by_name[name] for name in recorded if name not in clashing])
        finally:
            compiling.wait()
        files = {name: (folder, _with_bytecode(staging, listed))
                 for name, (folder, listed) in recorded.items()}
        claims = _claims(site.relative_to(staging), [owned for _, owned in files.values()])
        store = real_folder(layout.home, layout.store.name)
        return {name: _move_into_store(layout, store, staging, site, folder, owned, claims,
                                       abi=abi, index=index, package=by_name[name],
                                       table=tables.get(name),
                                       pending=(lambda key: mark_pending(layout, key, python))
                                       if later else None)
                for name, (folder, owned) in files.items() if name not in clashing}, clashing
    finally:
        remove(layout.home, staging, ignore_errors=True)


def _recorded(staging: Path, folder: Path) -> list[Path]:
    """What the distribution of ``folder`` installed (its ``RECORD``), absolute."""
    recorded = [path for path in dist_info.recorded_files(folder) if path.name]
    inside = os.fspath(staging) + os.sep
    outside = [path for path in recorded if not os.fspath(path).startswith(inside)]
    if outside:
        name = dist_info.name_and_version(folder)[0]
        raise PyshelfError(f"{name} installs files outside its environment ({outside[0]}), "
                           "which pyshelf cannot keep in its store; nothing was changed.")
    return recorded


def _with_bytecode(staging: Path, recorded: list[Path]) -> list[Path]:
    """``recorded`` and the bytecode compiled from the modules it lists, relative to the
    scratch venv."""
    modules: dict[Path, set[str]] = {}
    for path in recorded:
        if path.suffix == ".py":
            modules.setdefault(path.parent, set()).add(path.stem)
    compiled = [cached for parent, stems in modules.items()
                for cached in _bytecode(parent / "__pycache__", stems)]
    return [path.relative_to(staging) for path in [*recorded, *compiled]]


def _bytecode(cache: Path, stems: Collection[str]) -> Iterable[Path]:
    try:
        with os.scandir(cache) as found:
            names = [entry.name for entry in found]
    except OSError:
        return []
    return [cache / name for name in names if name.partition(".")[0] in stems]


def _clashing(owned: Mapping[str, list[Path]]) -> set[str]:
    counts: dict[Path, int] = {}
    for files in owned.values():
        for path in set(files):
            counts[path] = counts.get(path, 0) + 1
    return {name for name, files in owned.items() if any(counts[path] > 1 for path in files)}


def _claims(site: Path, owned: Iterable[list[Path]]) -> dict[str, int]:
    """How many of the distributions being stored have files under each top-level name of
    site-packages: a name only one claims moves as a whole."""
    counts: dict[str, int] = {}
    for files in owned:
        for top in {path.parts[len(site.parts)] for path in files
                    if path.parts[:len(site.parts)] == site.parts
                    and len(path.parts) > len(site.parts)}:
            counts[top] = counts.get(top, 0) + 1
    return counts


def _move_into_store(layout: Layout, store: Path, staging: Path, site: Path, folder: Path,
                     owned: list[Path], claims: Mapping[str, int], *, abi: str, index: str,
                     package: LockedPackage, table: str | None,
                     pending: Callable[[str], None] | None) -> StoreEntry:
    """Move a distribution's files into its entry; ``pending`` notes, by its key, an entry
    whose bytecode is compiled after the change (None: it has all it gets)."""
    name, version = dist_info.name_and_version(folder)
    key = (_digest((folder / "RECORD").read_bytes() + abi.encode()) if package.url
           else index_key(package, abi, index))
    final = store / key
    existing = read_entry(final)
    if existing is not None:
        return existing
    site_part = site.relative_to(staging)
    read = read_metadata(folder, paths.bin_dir(staging))
    new = store / f"{NEW_ENTRY_PREFIX}{name}-{os.getpid()}"
    remove(layout.home, new)
    new.mkdir()
    moved: set[Path] = set()
    for relative in owned:
        whole = _whole_top(relative, site_part, claims)
        part = whole or relative
        if part in moved or not (staging / part).exists():
            continue
        (new / part).parent.mkdir(parents=True, exist_ok=True)
        (staging / part).rename(new / part)
        moved.add(part)
    relocate_scripts(new / paths.BIN, paths.python(staging))
    (new / SITE_ALIAS).symlink_to(site_part)
    (new / DIST_INFO_ALIAS).symlink_to(Path(SITE_ALIAS, folder.name))
    if (new / site_part / CACHE).is_dir():
        (new / CACHE_ALIAS).symlink_to(Path(SITE_ALIAS, CACHE))
    used, files = measure(new)
    size = EntrySize(used, files, now())
    entry = StoreEntry(path=final, name=name, version=version, prefix=str(staging),
                       site=str(site_part), url=package.url or "", size=size, layout=LAYOUT,
                       dist_info=folder.name, metadata=read)
    (new / ENTRY_FILE).write_text(json.dumps({
        "format": 1, "layout": LAYOUT, "name": name, "version": version,
        "prefix": entry.prefix, "site": entry.site, "dist_info": entry.dist_info,
        "url": entry.url, "abi": abi, "bytes": size.bytes, "files": size.files,
        "created_at": size.created_at, **(as_json(read) if read else {}),
    }, indent=1) + "\n", encoding="utf-8")
    if table is not None:  # its part of the PEP 751 lock, written before the entry is named
        (new / TABLE_FILE).write_text(table, encoding="utf-8")
    freeze(new)
    if pending is not None:  # before the entry is named, so that none goes without
        pending(key)
    unlink_link(final)  # a link found in the entry's place is no entry: the link alone goes
    new.rename(final)
    return entry


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


def _whole_top(relative: Path, site_part: Path, claims: Mapping[str, int]) -> Path | None:
    """The top-level site-packages entry ``relative`` is under, when it moves as a whole."""
    depth = len(site_part.parts)
    if relative.parts[:depth] != site_part.parts or len(relative.parts) <= depth:
        return None
    top = relative.parts[depth]
    return site_part / top if claims.get(top) == 1 else None


def freeze(entry: Path) -> None:
    """Make the entry's folders read-only, so nothing adds, removes or renames a file in
    it through a generation's links; pyshelf's remover makes a folder writable again
    before emptying it."""
    for folder, _, _ in os.walk(entry, topdown=False):
        path = Path(folder)
        path.chmod(stat.S_IMODE(path.lstat().st_mode) & ~0o222)


def thaw(entry: Path) -> None:
    """Let the entry's own folder be renamed into the trash (moving a folder to another
    parent rewrites its ``..``, which needs write permission on it)."""
    mode = entry.lstat().st_mode
    if not stat.S_ISLNK(mode):
        entry.chmod(stat.S_IMODE(mode) | 0o700)
