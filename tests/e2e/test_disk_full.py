"""A full disk ends a change with one sentence that says so, and leaves everything as it was.

uv's failures are simulated with uv's real wording (taken from uv 0.13 on a full tmpfs) and
SQLite's with SQLite's own SQLITE_FULL; where a private tmpfs can be mounted, the disk is
really filled as well.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.e2e.helpers import private_mount_command, snapshot, uv_wrapper
from tests.support.sandbox import Sandbox, pyshelf_script
from tests.support.wheels import Dist, build_wheel

ADVICE = "is full; free some space (`pyshelf gc` removes old generations) and try again"
UV_DISK_FULL = f"The disk {ADVICE}; nothing was changed."

# uv's stderr when it runs out of space, as uv 0.13 prints it: copying a package into the
# environment (exit 2), and unpacking a download into its cache (exit 1).
INSTALLING = """\
Resolved 2 packages in 1ms
Prepared 1 package in 3ms
error: Failed to install: alpha-2.0-py3-none-any.whl (alpha==2.0)
  cause: Failed to copy to `@SITE@/alpha/__init__.py`
  cause: failed to copy file from @CACHE@/archive-v0/6ETOHN_Xnmsro8xu/alpha/__init__.py \
to @SITE@/alpha/.tmpKoDgCn: No space left on device (os error 28)
"""
DOWNLOADING = """\
Resolved 2 packages in 1ms
error: Failed to download `alpha==2.0`
  cause: Failed to extract archive: alpha-2.0-py3-none-any.whl
  cause: I/O operation failed during extraction
  cause: failed to write to file `@CACHE@/.tmpbe6fDu/alpha/__init__.py`: No space left \
on device (os error 28)
"""


pytestmark = pytest.mark.shelf("install beta --yes")


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize(("uv_stderr", "uv_exit"), [(INSTALLING, 2), (DOWNLOADING, 1)],
                         ids=["installing", "downloading"])
def test_uv_running_out_of_space_changes_nothing(shelf: Sandbox, tmp_path: Path,
                                                 uv_stderr: str, uv_exit: int) -> None:
    before = snapshot(shelf)
    message = tmp_path / "uv-stderr.txt"
    message.write_text(uv_stderr)
    built = tmp_path / "built"
    # Like uv on a full disk: leave a partly written file where it installs, then fail.
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(tmp_path, "sync", f"""
gen=; prev=
for arg in "$@"; do [ "$prev" = --python ] && gen=${{arg%/bin/python}}; prev=$arg; done
printf '%s\\n' "$gen" > '{built}'
site=$(echo "$gen"/lib/python*/site-packages)
mkdir -p "$site/alpha"
head -c 65536 /dev/zero > "$site/alpha/.tmpKoDgCn"
sed -e "s|@SITE@|$site|g" -e "s|@CACHE@|$UV_CACHE_DIR|g" '{message}' >&2
exit {uv_exit}"""))
    result = shelf.run("install", "alpha", "--yes")
    del shelf.env["PYSHELF_UV"]
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [f"error: {UV_DISK_FULL}"]
    assert "os error 28" not in result.stderr  # uv's own account only with --verbose
    half_built = Path(built.read_text().strip())
    # uv fills the package store from a scratch venv; neither it nor generation 2 is left
    assert half_built.parent.name == "work" and not half_built.exists()
    assert not (shelf.shelf_home / "gens" / "2").exists()
    assert snapshot(shelf) == before
    assert shelf.bash("beta").stdout == "beta 1.0\n"


# Runs pyshelf in this process with a shelf database that may not grow, as on a full disk;
# recording the generation then needs room (a temporary trigger, which lives in memory and
# never in state.db, adds a large row), so SQLite itself fails with SQLITE_FULL at the last
# step, after the new generation was built and switched to.
NO_ROOM_TO_GROW = """
import sys
import pyshelf.store.database as state

connect = state._connect

def no_room_to_grow(path, *, create):
    db = connect(path, create=create)
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    db.execute("CREATE TEMP TRIGGER needs_room AFTER INSERT ON main.generations BEGIN"
               " INSERT INTO meta VALUES ('room', zeroblob(1000000)); END")
    return db

state._connect = no_room_to_grow
from pyshelf.cli import main
sys.exit(main())
"""


def install_alpha_with(shelf: Sandbox, patched_pyshelf: str) -> subprocess.CompletedProcess[str]:
    """``pyshelf install alpha`` run by ``patched_pyshelf`` in one interpreter; it must fail."""
    result = subprocess.run([sys.executable, "-c", patched_pyshelf, "install", "alpha",
                             "--yes"], env=shelf.env, cwd=shelf.home, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    return result


def test_database_full_when_recording_changes_nothing(shelf: Sandbox) -> None:
    before = snapshot(shelf)
    result = install_alpha_with(shelf, NO_ROOM_TO_GROW)
    assert error_lines(result.stderr) == [
        f"error: The disk holding {shelf.shelf_home} {ADVICE}; nothing was changed."
    ]
    assert snapshot(shelf) == before
    assert "pyshelf install alpha" not in shelf.ok("history").stdout
    assert shelf.bash("beta").stdout == "beta 1.0\n"


# Runs pyshelf in this process, with the disk filling up just as pyshelf itself writes the
# new generation's lock file (after uv created the environment, before it installs).
NO_ROOM_FOR_THE_LOCK = """
import errno, os, pathlib, sys

write_text = pathlib.Path.write_text

def full(self, *args, **kwargs):
    if self.name == "pyshelf-lock.txt":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
    return write_text(self, *args, **kwargs)

pathlib.Path.write_text = full
from pyshelf.cli import main
sys.exit(main())
"""


def test_disk_full_when_pyshelf_itself_writes(shelf: Sandbox) -> None:
    before = snapshot(shelf)
    result = install_alpha_with(shelf, NO_ROOM_FOR_THE_LOCK)
    # Outside uv and SQLite pyshelf cannot promise that every command undid its part, so
    # the sentence does not; a change did undo itself:
    assert error_lines(result.stderr) == [f"error: The disk holding {shelf.shelf_home} {ADVICE}."]
    assert snapshot(shelf) == before


# -- a really full disk: the shelf home on a small tmpfs in a private mount namespace --------

# Runs inside the namespace: the shelf home becomes a fresh 64 MiB tmpfs, the shelf is set
# up on it, the test's steps run, and what a failed change must not alter is written to
# $OUT before (after the setup) and after (once the disk has room again).
_ON_A_SMALL_DISK = """\
set -u
mkdir -p "$SHELF_HOME" && mount -t tmpfs -o size=64m,mode=0755 pyshelf-test "$SHELF_HOME" || exit 90
state() {
    { ls "$SHELF_HOME/gens"; readlink "$SHELF_HOME/env"; "$PYSHELF" list --json
      stat -c %s "$SHELF_HOME/state.db"; } > "$OUT/$1" 2>&1
}
fill() {  # leave $1 bytes free on the shelf's disk
    "$PYTHON" - "$SHELF_HOME" "$1" <<'EOF'
import os, sys
home, leave = sys.argv[1], int(sys.argv[2])
free = os.statvfs(home).f_bavail * os.statvfs(home).f_frsize
with open(os.path.join(home, "filler"), "ab") as filler:
    os.posix_fallocate(filler.fileno(), 0, os.fstat(filler.fileno()).st_size + free - leave)
if leave == 0:
    with open(os.path.join(home, "crumbs"), "wb", buffering=0) as crumbs:
        try:
            while True:
                crumbs.write(bytes(512))
        except OSError:
            pass
EOF
}
"$PYSHELF" init --python "$BASE_PYTHON" --yes > "$OUT/setup" 2>&1 || exit 91
"$PYSHELF" install beta --yes >> "$OUT/setup" 2>&1 || exit 91
state before
{steps}
rm -f "$SHELF_HOME/filler" "$SHELF_HOME/crumbs"
state after
"""


def _on_a_small_disk(sandbox: Sandbox, tmp_path: Path, steps: str) -> Path:
    """Run ``steps`` (sh, with ``fill`` and ``$PYSHELF``) on a shelf whose home is a small
    private tmpfs; returns the folder the run wrote its results to."""
    command = private_mount_command(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "on-a-small-disk.sh"
    script.write_text(_ON_A_SMALL_DISK.replace("{steps}", steps))
    env = {**sandbox.env, "PYSHELF": str(pyshelf_script()), "PYTHON": sys.executable,
           "BASE_PYTHON": str(sandbox.base_python), "SHELF_HOME": str(sandbox.shelf_home),
           "OUT": str(out)}
    run = subprocess.run([*command, "sh", str(script)], env=env, cwd=sandbox.home,
                         capture_output=True, text=True, timeout=300, check=False)
    setup = (out / "setup").read_text() if (out / "setup").exists() else ""
    assert run.returncode == 0, f"{run.stderr}\n{setup}"
    return out


def test_really_full_disk_while_uv_installs(sandbox: Sandbox, tmp_path: Path) -> None:
    bulky = build_wheel(Dist("bulky", "1.0", modules=(("bulky/__init__.py", "#" * (4 << 20)),)),
                        tmp_path / "wheels")
    out = _on_a_small_disk(sandbox, tmp_path, f"""
fill 1048576
"$PYSHELF" install '{bulky}' --yes > "$OUT/stdout" 2> "$OUT/stderr"
echo $? > "$OUT/exit"
""")
    stderr = (out / "stderr").read_text()
    assert (out / "exit").read_text().strip() == "1", stderr
    assert error_lines(stderr) == [f"error: {UV_DISK_FULL}"]
    assert (out / "after").read_text() == (out / "before").read_text()


# What the shelf is given before its disk fills up: two more generations for gc to collect
# (with keep_generations 1), and the journal row of a change killed just then, which the
# cleanup every command runs cannot record on a full disk.
_COLLECTABLE_AND_INTERRUPTED = """
for step in "remove beta" "install beta"; do
    "$PYSHELF" $step --yes >> "$OUT/setup" 2>&1 || exit 92
done
"$PYSHELF" config set keep_generations 1 >> "$OUT/setup" 2>&1 || exit 92
state ready
"$PYTHON" - "$SHELF_HOME/state.db" <<'EOF'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    db.execute("INSERT INTO operations (command, from_gen, to_gen, started_at, status,"
               " summary) VALUES ('pyshelf install killed', 3, 4, '2030-01-01T00:00:00Z',"
               " 'running', '')")
EOF
"""
# Runs one pyshelf command, keeping what it printed and its exit status under $OUT/<name>.
_RUN = """
run() {
    name=$1; shift
    "$PYSHELF" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
    echo $? > "$OUT/$name.exit"
}
"""
FULL_DISK_COMMANDS = (("list", "list"), ("history", "history"), ("status", "status"),
                      ("doctor", "doctor"), ("gc", "gc"), ("recorded", "gc --dry-run"),
                      ("history_after", "history"))


def test_completely_full_disk_is_not_a_damaged_database(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    """With no block free SQLite cannot even make its WAL index: that must read as a full
    disk, never as a damaged database (which would invite setting it aside), a change must
    fail saying so, and everything that only reads must still work, as must `gc`, the
    remedy that sentence names: it frees the space first and then records the collection."""
    runs = "\n".join(f"run {name} {command}" for name, command in FULL_DISK_COMMANDS)
    out = _on_a_small_disk(sandbox, tmp_path, _COLLECTABLE_AND_INTERRUPTED + _RUN + f"""
fill 0
run install install alpha --yes
ls "$SHELF_HOME/gens" > "$OUT/full"
{runs}
""")

    def result(name: str) -> tuple[str, str, str]:
        exit_code, stdout, stderr = ((out / f"{name}.{part}").read_text()
                                     for part in ("exit", "out", "err"))
        return exit_code, stdout, stderr

    exit_code, _, stderr = result("install")
    assert exit_code.strip() == "1", stderr
    assert error_lines(stderr) == [
        f"error: The disk holding {sandbox.shelf_home} {ADVICE}; nothing was changed."
    ]
    # gens/ as it was (`state` lists it, then where env points)
    assert (out / "ready").read_text().startswith((out / "full").read_text() + "gens/3\n")
    for name, _ in FULL_DISK_COMMANDS:
        exit_code, stdout, stderr = result(name)
        assert exit_code.strip() == "0", f"{name}: {stdout}{stderr}"
        assert not error_lines(stderr), f"{name}: {stderr}"
    assert "beta" in result("list")[1]
    assert "Cleaning up after an interrupted pyshelf must wait" in result("list")[2]
    assert "pyshelf install beta" in result("history")[1]
    assert "The shelf is healthy." in result("doctor")[1]
    assert "Collected generation(s) 1, 2" in result("gc")[1]
    # the cleanup waited until gc had made room, and was done then
    assert "its unfinished generation 4 was removed" in result("gc")[2]
    assert result("recorded")[1] == "Would collect: nothing.\n"
    assert "interrupted; generation 4 was never finished" in result("history_after")[1]
    assert (out / "after").read_text().startswith("0\n3\ngens/3\n")
