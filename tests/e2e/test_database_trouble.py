"""The shelf database is called damaged only when it is, and then by every command alike.

A sound file that this user may not open or write, or that lies on a read-only mount, is
named as such and never set aside (that would lose its history and snapshots for nothing).
A file whose pages are corrupt gets the one sentence that points at `pyshelf doctor --fix`
from every command, whichever query meets the damage, and doctor sums SQLite's findings up
in one line.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from tests.e2e.helpers import private_mount_command
from tests.support.sandbox import Sandbox, pyshelf_script

DAMAGED = ("it is left untouched (`pyshelf doctor --fix` sets it aside and rebuilds it from "
           "the generations on disk).")
PAGE = 4096  # SQLite's default page size, which pyshelf keeps


pytestmark = pytest.mark.shelf("install beta --yes")


def database(shelf: Sandbox) -> Path:
    return shelf.shelf_home / "state.db"


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def set_aside(shelf: Sandbox) -> list[Path]:
    return list(shelf.shelf_home.glob("state.db.broken-*"))


# -- a sound database this user may not use -------------------------------------------------

def unprivileged_owner(tmp_path: Path) -> list[str]:
    """A command prefix that runs as the owner of the test's files but without root's power
    to ignore their permissions: none for an ordinary user; for root, a user namespace in
    which root's files are this process's own. Skips where neither can be had."""
    if os.geteuid() != 0:
        return []
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        pytest.skip("running as root without its privileges needs Linux and unshare(1)")
    prefix = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
    probe = tmp_path / "permission-probe"
    probe.write_text("secret")
    probe.chmod(0)
    found = subprocess.run([*prefix, "cat", str(probe)], capture_output=True, text=True,
                           timeout=30, check=False)
    probe.unlink()
    if found.returncode == 0 or "Permission denied" not in found.stderr:
        pytest.skip(f"cannot drop root's privileges ({found.stderr.strip() or 'cat read it'})")
    return prefix


def run_as(prefix: list[str], shelf: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, str(pyshelf_script()), *args], env=shelf.env,
                          cwd=shelf.home, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120, check=False)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_database_this_user_may_not_open_is_named_and_never_set_aside(
        shelf: Sandbox, tmp_path: Path, what: str) -> None:
    prefix = unprivileged_owner(tmp_path)
    before = database(shelf).read_bytes()
    if what == "file":
        locked, mode = database(shelf), 0o000
        reason = f"permission denied (this user may not read {database(shelf)})"
    else:  # SQLite cannot make the -wal and -shm files it needs beside the database
        locked, mode = shelf.shelf_home, 0o555
        reason = (f"permission denied (this user may not create files in {shelf.shelf_home}, "
                  "where SQLite keeps its -wal and -shm files)")
    sentence = (f"The shelf database {database(shelf)} cannot be opened: {reason}; it was "
                "left as it is.")
    old_mode = locked.stat().st_mode
    locked.chmod(mode)
    try:
        listed = run_as(prefix, shelf, "list")
        fixed = run_as(prefix, shelf, "doctor", "--fix")
    finally:
        locked.chmod(old_mode)

    assert listed.returncode == 1, listed.stderr
    assert error_lines(listed.stderr) == [f"error: {sentence}"]
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert f"problem  {sentence}" in fixed.stdout.splitlines()
    assert not set_aside(shelf) and database(shelf).read_bytes() == before
    assert "pyshelf install beta" in shelf.ok("history").stdout  # history and snapshots kept
    assert "baseline" in shelf.ok("snapshots").stdout


def test_a_read_only_database_is_read_but_never_written_or_set_aside(
        shelf: Sandbox, tmp_path: Path) -> None:
    prefix = unprivileged_owner(tmp_path)
    before = database(shelf).read_bytes()
    database(shelf).chmod(0o444)
    try:
        listed = run_as(prefix, shelf, "list")
        installed = run_as(prefix, shelf, "install", "alpha", "--yes")
        fixed = run_as(prefix, shelf, "doctor", "--fix")
    finally:
        database(shelf).chmod(0o644)

    assert listed.returncode == 0 and "beta" in listed.stdout, listed.stderr
    assert installed.returncode == 1
    assert error_lines(installed.stderr) == [
        f"error: The shelf database {database(shelf)} cannot be written: permission denied "
        f"(this user may not write {database(shelf)}); nothing was changed."
    ]
    assert fixed.returncode == 1
    assert (f"problem  the database {database(shelf)} cannot be written: permission denied "
            f"(this user may not write {database(shelf)})") in fixed.stdout
    assert not set_aside(shelf) and database(shelf).read_bytes() == before
    assert "alpha" not in shelf.ok("list").stdout


def test_gc_says_what_it_deleted_when_the_database_cannot_record_it(
        shelf: Sandbox, tmp_path: Path) -> None:
    prefix = unprivileged_owner(tmp_path)
    shelf.ok("install", "alpha", "--yes")
    shelf.ok("config", "set", "keep_generations", "1")  # generation 1 may go now
    database(shelf).chmod(0o444)
    try:
        collected = run_as(prefix, shelf, "gc")
    finally:
        database(shelf).chmod(0o644)

    assert collected.returncode == 1
    assert error_lines(collected.stderr) == [
        f"error: Generation(s) 1 were removed from {shelf.shelf_home / 'gens'}, but the shelf "
        f"database could not record that: permission denied (this user may not write "
        f"{database(shelf)}); `pyshelf doctor --fix` records it once the database can be "
        "written."
    ]
    assert not (shelf.shelf_home / "gens" / "1").exists()
    fixed = shelf.run("doctor", "--fix")
    assert "recorded 1 as collected" in fixed.stdout, fixed.stdout
    assert shelf.ok("gc", "--dry-run").stdout == "Would collect: nothing.\n"


# Runs in a private mount namespace: the shelf home is bind-mounted onto itself read-only,
# then list and doctor --fix run on it.
_ON_A_READ_ONLY_MOUNT = """\
mount --bind "$SHELF_HOME" "$SHELF_HOME" && mount -o remount,bind,ro "$SHELF_HOME" || exit 90
"$PYSHELF" list > "$OUT/list.out" 2> "$OUT/list.err"; echo $? > "$OUT/list.exit"
"$PYSHELF" doctor --fix > "$OUT/doctor.out" 2>&1; echo $? > "$OUT/doctor.exit"
"""


def test_a_database_on_a_read_only_mount_is_named_and_never_set_aside(
        shelf: Sandbox, tmp_path: Path) -> None:
    command = private_mount_command(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    env = {**shelf.env, "PYSHELF": str(pyshelf_script()), "SHELF_HOME": str(shelf.shelf_home),
           "OUT": str(out)}
    ran = subprocess.run([*command, "sh", "-c", _ON_A_READ_ONLY_MOUNT], env=env,
                         cwd=shelf.home, capture_output=True, text=True, timeout=300,
                         check=False)
    assert ran.returncode == 0, ran.stderr
    sentence = (f"The shelf database {database(shelf)} cannot be opened: {shelf.shelf_home} "
                "is on a read-only file system; it was left as it is.")

    assert (out / "list.exit").read_text() == "1\n"
    assert error_lines((out / "list.err").read_text()) == [f"error: {sentence}"]
    assert (out / "doctor.exit").read_text() == "1\n"
    assert f"problem  {sentence}" in (out / "doctor.out").read_text().splitlines()
    assert not set_aside(shelf)
    assert "pyshelf install beta" in shelf.ok("history").stdout


# -- a database with a sound header and corrupt pages --------------------------------------

def corrupt(path: Path, spans: list[range]) -> None:
    """Overwrite each span of bytes of the checkpointed database with noise; none touches the
    100-byte file header, so SQLite opens the file and meets the damage only when a query
    reads a damaged page."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    noise = random.Random(9)
    for span in spans:
        assert span.start >= 100
        data[span.start:span.stop] = noise.randbytes(len(span))
    path.write_bytes(data)


def damage(path: Path, where: str) -> list[range]:
    """``schema``: page 1's b-tree header and middle, which hold the schema every query
    needs (or, once it outgrows one page, point to the pages that do);
    ``indexes``: the b-tree header of each index's root page, which SQLite's quick check
    reports one by one, and which every command meets looking up the current generation
    (noise elsewhere in a page could read as other data: SQLite keeps no checksums)."""
    if where == "schema":
        return [range(100, 108), range(PAGE // 4, 3 * PAGE // 4)]
    with closing(sqlite3.connect(path)) as db:
        roots = db.execute("SELECT rootpage FROM sqlite_schema WHERE type = 'index'").fetchall()
    return [range((page - 1) * PAGE, (page - 1) * PAGE + 8) for (page,) in roots]


@pytest.mark.parametrize("where", ["schema", "indexes"])
def test_corrupt_pages_are_one_sentence_everywhere_and_doctor_sums_them_up(
        shelf: Sandbox, where: str) -> None:
    shelf.ok("install", "alpha", "--yes")
    db = database(shelf)
    corrupt(db, damage(db, where))
    sentence = (f"error: The shelf database {db} cannot be read (database disk image is "
                f"malformed); {DAMAGED}")

    for command in (["list"], ["history"], ["install", "gamma", "--yes"], ["status"]):
        result = shelf.run(*command)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert error_lines(result.stderr) == [sentence], (command, result.stderr)
    checked, detailed = shelf.run("doctor"), shelf.run("doctor", "-v")

    assert checked.returncode == detailed.returncode == 1
    problem = [line for line in checked.stdout.splitlines() if line.startswith("problem")]
    if where == "schema":  # SQLite cannot even start its check
        assert problem == [f"problem  the database {db} cannot be read (database disk image "
                           "is malformed)"]
    else:  # one problem per index: the first, and how many more
        assert len(problem) == 1, checked.stdout
        assert problem[0].startswith(f"problem  the database {db} is damaged (")
        assert problem[0].endswith(" more); `pyshelf doctor -v` lists them all")
        assert len(detailed.stdout.splitlines()) > len(checked.stdout.splitlines()) + 1
    fixed = shelf.run("doctor", "--fix")
    assert fixed.returncode == 0, fixed.stdout
    assert len(set_aside(shelf)) == 1
    assert "alpha" in shelf.ok("list").stdout
