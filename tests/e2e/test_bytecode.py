"""Bytecode compiled off a change's critical path (``bytecode = "background"``): the store
entry's modules are compiled by a detached child after the change, which a kill -9 does not
leave half done, and the store stays read-only throughout."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from tests.e2e.helpers import ENTRY_FILE, shelf_python, store_entry, wait_for
from tests.support.sandbox import Sandbox, pyshelf_script

# Holds the background compile (compileall with -j) where it starts, after the entry's
# folders were opened: it writes its pid to $STORE_TEST_MARKER, then waits for the file
# $STORE_TEST_GO (for a kill when none is named), two minutes at most, so that a test
# failing meanwhile leaves no child behind.
PAUSE_HOOK = """
import os, subprocess, time
real_popen = subprocess.Popen
def popen(argv, *args, **kwargs):
    if "compileall" in argv and "-j" in argv:
        marker = os.environ["STORE_TEST_MARKER"]
        with open(marker + ".tmp", "w") as out:
            out.write(str(os.getpid()))
        os.replace(marker + ".tmp", marker)
        go = os.environ.get("STORE_TEST_GO")
        deadline = time.monotonic() + 120
        while not (go and os.path.exists(go)) and time.monotonic() < deadline:
            time.sleep(0.05)
    return real_popen(argv, *args, **kwargs)
subprocess.Popen = popen
"""
MODULES = "import byte_pack, byte_pack_top, bns.inner; print(byte_pack.VALUE, bns.inner.INNER)"


def _background(shelf: Sandbox) -> dict[str, str]:
    return {**shelf.env, "PYSHELF_BYTECODE": "background"}


def _paused_change(shelf: Sandbox, tmp_path: Path, *args: str, go: Path | None = None
                   ) -> int:
    """Run ``pyshelf *args`` whose background compile pauses; the change itself returns
    (its child keeps no pipe of ours open). Returns the paused child's pid."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(PAUSE_HOOK)
    marker = tmp_path / "paused"
    env = {**_background(shelf), "PYTHONPATH": str(hook), "STORE_TEST_MARKER": str(marker),
           **({"STORE_TEST_GO": str(go)} if go else {})}
    done = subprocess.run([str(pyshelf_script()), *args], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    wait_for(marker.exists)
    return int(marker.read_text())


def _pending(shelf: Sandbox) -> list[str]:
    folder = shelf.shelf_home / "bytecode"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _compiled(folder: Path) -> list[str]:
    """The modules whose bytecode ``folder``'s ``__pycache__`` holds."""
    cache = folder / "__pycache__"
    return sorted(p.name.partition(".")[0] for p in cache.glob("*.pyc")) if cache.is_dir() \
        else []


def _writable_folders(entry: Path) -> list[str]:
    return [folder for folder, _, _ in os.walk(entry) if os.lstat(folder).st_mode & 0o222]


def _everything(home: Path) -> set[str]:
    return {str(Path(root, name)) for root, dirs, names in os.walk(home)
            for name in [*dirs, *names]}


def _measured(entry: Path) -> int:
    return sum(Path(root, name).lstat().st_size for root, dirs, names in os.walk(entry)
               for name in [*names, *(d for d in dirs if Path(root, d).is_symlink())])


def _recorded_bytes(shelf: Sandbox, entry: Path) -> int:
    with closing(sqlite3.connect(shelf.shelf_home / "state.db")) as db:
        return int(db.execute("SELECT bytes FROM store_entries WHERE entry = ?",
                              (entry.name,)).fetchone()[0])


def _free(marker: Path) -> bool:
    """Whether nobody holds ``marker``'s lock (a killed child's lock goes with it)."""
    fd = os.open(marker, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def test_the_bytecode_is_compiled_after_the_change_and_lands_in_the_store(shelf, tmp_path):
    go = tmp_path / "go"
    _paused_change(shelf, tmp_path, "install", "byte-pack", "--yes", go=go)

    entry = store_entry(shelf, "byte-pack")
    site = entry / ".p"
    # the change returned before its package's modules were compiled; the top-level module
    # and the namespace package's, which a generation links file by file, were compiled
    # while the entry was filled
    assert _compiled(site / "byte_pack") == []
    assert _compiled(site) == ["byte_pack_top"]
    assert _compiled(site / "bns") == ["__init__", "inner"]
    assert _pending(shelf) == [entry.name, f"{entry.name}.thawed"]

    go.touch()
    wait_for(lambda: _pending(shelf) == [])

    assert _compiled(site / "byte_pack") == ["__init__", "core"]
    assert _writable_folders(entry) == []
    size = json.loads((entry / ENTRY_FILE).read_text())["bytes"]
    assert size == _measured(entry) == _recorded_bytes(shelf, entry)
    before = _everything(shelf.shelf_home)
    assert shelf_python(shelf, MODULES).stdout == "42 inner\n"
    assert _everything(shelf.shelf_home) == before  # every import found its bytecode


def test_a_killed_compile_is_refrozen_and_finished_by_the_next_change(shelf, tmp_path):
    child = _paused_change(shelf, tmp_path, "install", "byte-pack", "--yes")
    entry = store_entry(shelf, "byte-pack")
    package = entry / ".p" / "byte_pack"
    assert os.lstat(package).st_mode & 0o200  # opened for the compile
    # what a pyc cut short by the kill leaves: the temporary name py_compile writes first
    cut_short = package / "__pycache__" / "core.cpython-300.pyc.140000000"
    cut_short.parent.mkdir()
    cut_short.write_bytes(b"half")

    os.killpg(child, signal.SIGKILL)
    wait_for(lambda: _free(shelf.shelf_home / "bytecode" / entry.name))
    shelf.ok("list")  # any command cleans up after a killed pyshelf

    assert _writable_folders(entry) == []
    assert not cut_short.exists()
    assert _pending(shelf) == [entry.name]  # still to be compiled
    assert _compiled(package) == []

    shelf.env = _background(shelf)
    shelf.ok("install", "alpha", "--yes")
    wait_for(lambda: _pending(shelf) == [])

    assert _compiled(package) == ["__init__", "core"]
    assert _writable_folders(entry) == []
    before = _everything(shelf.shelf_home)
    assert shelf_python(shelf, MODULES).stdout == "42 inner\n"
    assert _everything(shelf.shelf_home) == before


def test_with_bytecode_off_nothing_is_compiled(shelf):
    shelf.env = {**shelf.env, "PYSHELF_BYTECODE": "off"}
    shelf.ok("install", "byte-pack", "--yes")

    entry = store_entry(shelf, "byte-pack")
    assert list(entry.rglob("*.pyc")) == []
    assert _pending(shelf) == []
    assert _writable_folders(entry) == []


def test_with_bytecode_now_the_change_compiles_everything(shelf):
    shelf.ok("config", "set", "bytecode", "now")
    env = {key: value for key, value in shelf.env.items() if key != "PYSHELF_BYTECODE"}
    shelf.env = env
    shelf.ok("install", "byte-pack", "--yes")

    site = store_entry(shelf, "byte-pack") / ".p"
    assert _compiled(site / "byte_pack") == ["__init__", "core"]
    assert _pending(shelf) == []


def test_gc_leaves_an_entry_being_compiled_for_a_later_gc(shelf, tmp_path):
    go = tmp_path / "go"
    _paused_change(shelf, tmp_path, "install", "byte-pack", "--yes", go=go)
    entry = store_entry(shelf, "byte-pack")
    shelf.env = _background(shelf)
    shelf.ok("remove", "byte-pack", "--yes")
    shelf.ok("config", "set", "keep_generations", "1")

    shelf.ok("gc")  # the generation that used the entry goes; the entry is still compiled

    assert entry.is_dir()
    assert _pending(shelf) == [entry.name, f"{entry.name}.thawed"]
    go.touch()
    wait_for(lambda: _pending(shelf) == [])
    assert _writable_folders(entry) == []
    shelf.ok("gc")
    assert not entry.exists()
