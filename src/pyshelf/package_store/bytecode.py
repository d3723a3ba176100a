"""Compiling a store entry's bytecode after the change that filled it, off its critical path.

Compiling every module of 75 packages takes uv's ``--compile-bytecode`` 2.6 s on two cores,
three times as long as installing them, and no change needs the bytecode to finish: it is
a cache the next import reads. So (setting ``bytecode = "background"``) a new entry is
frozen without most of it, and a detached child compiles it afterwards.

That works because a generation reaches most of an entry through one link to a folder (a
package ``black/`` is ``site-packages/black -> .s/3fa2c1/.p/black``): a ``__pycache__`` written
into the entry later is seen through every generation's link. A folder that several entries
share is a real folder of links in the generation instead (site-packages itself for
``six.py``'s ``__pycache__``, a namespace package's ``google/``), made when the generation
is composed, and bytecode that appears in the entry later has no link there. So the
modules that can land in such a folder, the top-level modules and those of namespace
packages (:func:`compiled_at_fill`), are compiled while the entry is filled: a handful of
files.

Each entry still to be compiled has a marker ``<home>/bytecode/<key>`` (written before the
entry takes its name, holding the interpreter to compile it with), which the child holds
an exclusive ``flock`` on while it works, so two children never compile one entry and a
dead child's marker is free. The child opens the entry's folders (``<key>.thawed`` says so
while they are), compiles them with the entry's interpreter, measures the entry again
(its ``pyshelf-entry.json`` and the database keep counting what it holds), freezes it and
removes the markers. After a kill, recovery freezes an entry whose ``.thawed`` marker no
child holds and drops the temporary files of pycs cut short; the next change's child
finishes the compile. Collection leaves an entry a child holds for the next ``gc``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pyshelf.layout import THAWED, Layout, home_entries
from pyshelf.package_store.entries import (
    ENTRY_FILE,
    StoreEntry,
    freeze,
    measure,
    read_entry,
)
from pyshelf.removal import is_own, real_folder, remove

# py_compile writes ``<name>.pyc.<number>`` and renames it: a kill leaves that name behind
_CUT_SHORT = r".+\.pyc\.\d+"
_NAMESPACE_CALLS = (b"extend_path", b"declare_namespace")


def compiled_at_fill(site: str, recorded: Iterable[str],
                     read: Callable[[str], bytes] | None = None) -> list[str]:
    """The modules of ``recorded`` (a distribution's files, as text relative to where
    ``site`` is) that a generation may reach through a real folder of links rather than a
    link to a folder: those whose folders below ``site`` are all namespace packages (no
    ``__init__.py``, or one that extends its ``__path__`` as pkgutil and pkg_resources
    namespaces do). A module of a regular package is reached through the package's link,
    whatever else the generation holds. Paths are text: a fill asks this of thousands."""
    read = read or _read_file
    files = [path for path in recorded if path.startswith(f"{site}/")]
    initialised = {folder for folder, _, name in (path.rpartition("/") for path in files)
                   if name == "__init__.py"}
    linked: dict[str, bool] = {site: True}  # folder -> reached through a folder of links

    def through_links(folder: str) -> bool:
        if folder not in linked:
            linked[folder] = (not is_regular(folder)
                              and through_links(folder.rpartition("/")[0]))
        return linked[folder]

    def is_regular(folder: str) -> bool:
        if folder not in initialised:
            return False
        try:
            content = read(f"{folder}/__init__.py")
        except OSError:  # unreadable: compiled now, which is always safe
            return False
        return not any(call in content for call in _NAMESPACE_CALLS)

    return [path for path in files
            if path.endswith(".py") and through_links(path.rpartition("/")[0])]


def _read_file(path: str) -> bytes:
    return Path(path).read_bytes()


def mark_pending(layout: Layout, key: str, python: str) -> None:
    """Note that the entry ``key`` (not yet named) is to be compiled with ``python``."""
    marker = real_folder(layout.home, layout.bytecode.name) / key
    marker.write_text(f"{python}\n", encoding="utf-8")


def pending(layout: Layout) -> list[Path]:
    """The markers of entries still to be compiled."""
    return [entry for entry in home_entries(layout.bytecode)
            if not entry.name.endswith(THAWED) and is_own(layout.home, entry)]


def start_pending(layout: Layout) -> None:
    """Compile every entry still to be compiled that no child is compiling, in a detached
    child: this change's new entries and what a killed child left. The child inherits the
    markers' locks and keeps them after this process lets go of its descriptors."""
    markers = pending(layout)
    if not markers:
        return
    from pyshelf.engine.processes import start_pyshelf_detached

    with _held(markers) as held:
        if held:
            start_pyshelf_detached(
                _CHILD, [str(layout.home), *(f"{m.name}={fd}" for m, fd in held.items())],
                keep=list(held.values()))


_CHILD = "from pyshelf.package_store.bytecode import child; child()"


def child() -> None:
    """The detached child's work, at low priority: ``sys.argv`` is the home and
    ``<key>=<descriptor>`` for each marker it holds."""
    import sys

    home, *held = sys.argv[1:]
    layout = Layout(Path(home))
    with contextlib.suppress(OSError):
        os.nice(10)
    _compile(layout, {layout.bytecode / key: int(fd)
                      for key, _, fd in (word.partition("=") for word in held)})


@contextlib.contextmanager
def _held(markers: Iterable[Path]) -> Iterator[dict[Path, int]]:
    """Each marker no one else holds, locked; the child inherits the locks and keeps them
    after this process lets go of its descriptors."""
    held: dict[Path, int] = {}
    try:
        for marker in markers:
            fd = _lock(marker)
            if fd is not None:
                held[marker] = fd
        yield held
    finally:
        for fd in held.values():
            os.close(fd)


def _lock(marker: Path) -> int | None:
    """A descriptor holding ``marker``'s lock; None when another holds it or it is gone."""
    try:
        fd = os.open(marker, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_nlink == 0:  # finished by the one that held it
            raise OSError
    except OSError:
        os.close(fd)
        return None
    return fd


def _compile(layout: Layout, held: dict[Path, int]) -> None:
    """In the child: compile the held markers' entries, one compileall per interpreter."""
    from pyshelf.engine.processes import compile_bytecode

    by_python: dict[str, list[StoreEntry]] = {}
    for marker in held:
        entry = read_entry(layout.store / marker.name)
        python = _python_of(marker)
        if (entry is None or not os.access(python, os.X_OK)
                or Path(entry.site).is_absolute() or ".." in Path(entry.site).parts):
            # collected meanwhile, its interpreter gone, a marker cut short by a kill, or
            # an entry file leading out of the entry
            remove(layout.home, marker, ignore_errors=True)
            continue
        _thawed(marker).touch()
        _open_up(entry.path)
        by_python.setdefault(python, []).append(entry)
    sizes: dict[str, tuple[int, int]] = {}
    for python, entries in by_python.items():
        compile_bytecode(python, [entry.path / entry.site for entry in entries], parallel=True)
        for entry in entries:
            _drop_cut_short(layout, entry.path)
            size = _measure_again(entry.path)
            if size is not None:
                sizes[entry.path.name] = size
            freeze(entry.path)
    _record_sizes(layout, sizes)  # before the markers go, as the files' sizes did
    for entries in by_python.values():
        for entry in entries:
            marker = layout.bytecode / entry.path.name
            remove(layout.home, _thawed(marker), ignore_errors=True)
            remove(layout.home, marker, ignore_errors=True)


def _thawed(marker: Path) -> Path:
    return marker.with_name(f"{marker.name}{THAWED}")


def _python_of(marker: Path) -> str:
    try:
        return marker.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def _open_up(entry: Path) -> None:
    """Let the entry's folders take ``__pycache__`` folders and files (only folders'
    modes change: the files are uv's cache's too)."""
    for folder, _, _ in os.walk(entry):
        path = Path(folder)
        path.chmod(path.lstat().st_mode & 0o7777 | 0o700)


def _measure_again(entry: Path) -> tuple[int, int] | None:
    """Rewrite the entry's size in its ``pyshelf-entry.json`` so that it counts the
    bytecode too; the new (bytes, files), or None if the entry could not be measured."""
    try:
        data = json.loads((entry / ENTRY_FILE).read_text(encoding="utf-8"))
        used, files = measure(entry)
        data.update(bytes=used, files=files)
        fresh = entry / f".{ENTRY_FILE}.pyshelf-new"
        fresh.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        fresh.replace(entry / ENTRY_FILE)
    except Exception:  # a size is only reported; whatever fails, the child must freeze
        return None
    return used, files


def _record_sizes(layout: Layout, sizes: dict[str, tuple[int, int]]) -> None:
    """The entries' new sizes into the database, which ``status`` reads, in one write."""
    if not sizes:
        return
    from pyshelf.store.database import open_state

    try:
        state = open_state(layout.state_db)
        try:
            state.set_entry_sizes(sizes)
        finally:
            state.close()
    except Exception:  # as above: only a report's figure is lost
        return


def _drop_cut_short(layout: Layout, entry: Path) -> None:
    for folder, _, names in os.walk(entry):
        for name in names:
            if re.fullmatch(_CUT_SHORT, name):
                remove(layout.home, Path(folder) / name, ignore_errors=True)


def busy(layout: Layout) -> set[str]:
    """Keys of the entries a child is compiling now: collection leaves them for later."""
    found = set()
    for marker in pending(layout):
        fd = _lock(marker)
        if fd is None:
            found.add(marker.name)
        else:
            os.close(fd)
    return found


def interrupted(layout: Layout) -> list[Path]:
    """The markers of entries a killed child left open (their ``.thawed`` marker is there
    and no child holds them)."""
    found = []
    for thawed in home_entries(layout.bytecode):
        if thawed.name.endswith(THAWED):
            marker = thawed.with_name(thawed.name.removesuffix(THAWED))
            fd = _lock(marker)
            if fd is not None:
                os.close(fd)
            if fd is not None or not marker.exists():
                found.append(marker)
    return found


def refreeze_interrupted(layout: Layout) -> None:
    """Freeze the entries a killed child left open and drop the temporary files of pycs it
    was writing; their compile stays pending for the next change's child."""
    for marker in interrupted(layout):
        fd = _lock(marker)
        if fd is None and marker.exists():  # a child took it up meanwhile
            continue
        try:
            entry = layout.store / marker.name
            if entry.is_dir() and not entry.is_symlink():
                _drop_cut_short(layout, entry)
                freeze(entry)
            remove(layout.home, _thawed(marker), ignore_errors=True)
        finally:
            if fd is not None:
                os.close(fd)
