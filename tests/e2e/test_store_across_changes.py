"""The package store across a shelf's changes: an editable project's ``.pth`` in its entry,
a command two packages ship, and a generation built before the store (a full venv)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from tests.e2e.helpers import (
    composed_of,
    current_target,
    entry_name,
    generation_dirs,
    links_into,
    packages,
    shelf_python,
    site_packages,
    store_entries,
    store_entry,
    wait_for,
)
from tests.support.projects import set_message, write_project
from tests.support.sandbox import Sandbox
from uv import find_uv_bin

_EDITABLE_STEPS = (("install", "alpha"), ("remove", "alpha"), ("undo",), ("rebuild",))


@pytest.mark.parametrize("style", ["path", "finder"])  # hatchling's .pth; setuptools' hook
def test_an_editable_project_runs_from_its_folder_through_every_change(shelf, style):
    project = write_project(shelf.home / "src" / "edit", "edit-tool", "1.0", editable=style)
    shelf.ok("install", "-e", str(project), "--yes")

    for step, message in [(None, "installed"), *((s, " ".join(s)) for s in _EDITABLE_STEPS)]:
        if step is not None:
            shelf.ok(*step, "--yes")
        set_message(project, "edit-tool", message)  # an edit, no reinstall
        ran = shelf_python(shelf, "import edit_tool; print(edit_tool.MESSAGE); "
                                  "print(edit_tool.__file__)")
        assert ran.stdout.splitlines() == [message, str(project / "edit_tool/__init__.py")], \
            (step, ran.stderr)
        assert packages(shelf)["edit-tool"] == ("1.0", "editable")
        [pth] = [p for p in site_packages(shelf.shelf_home / "env").glob("*.pth")
                 if "edit_tool" in p.name]
        assert any(links_into(pth, entry) for entry in store_entries(shelf, "edit-tool")), \
            step


def _run(command: Path) -> str:
    return subprocess.run([str(command)], capture_output=True, text=True, check=True).stdout


@pytest.mark.shelf()
def test_a_command_two_packages_ship_follows_the_generation(shelf):
    """cmd-app and its dependency cmd-lib both ship ``cmd-shared``; cmd-app sorts first, so
    only its being asked for puts its script in bin."""
    gens = shelf.shelf_home / "gens"
    shelf.ok("install", "cmd-app", "--yes")
    assert shelf.bash("cmd-shared").stdout == "cmd-shared 1.0\n"
    shelf.ok("remove", "cmd-app", "--keep-orphans", "--yes")  # cmd-lib stays, alone
    assert packages(shelf) == {"cmd-lib": ("3.0", "dependency")}

    assert shelf.bash("cmd-shared").stdout == "cmd-shared 3.0\n"
    assert _run(gens / "1/bin/cmd-shared") == "cmd-shared 1.0\n"
    assert _run(gens / "2/bin/cmd-shared") == "cmd-shared 3.0\n"
    for name, output in [("cmd-app", "cmd-shared 1.0\n"), ("cmd-lib", "cmd-shared 3.0\n")]:
        # each entry keeps its own script, run here by generation 1's python (which has both)
        script = store_entry(shelf, name) / "bin/cmd-shared"
        ran = subprocess.run([str(gens / "1/bin/python"), str(script)], capture_output=True,
                             text=True, check=True)
        assert ran.stdout == output

    shelf.ok("undo", "--yes")
    assert current_target(shelf) == "gens/1"
    assert shelf.bash("cmd-shared").stdout == "cmd-shared 1.0\n"
    assert _run(shelf.shelf_home / "env/bin/cmd-shared") == "cmd-shared 1.0\n"
    shelf.ok("undo", "--yes")
    assert current_target(shelf) == "gens/2"
    assert shelf.bash("cmd-shared").stdout == "cmd-shared 3.0\n"


def _build_the_old_way(shelf: Sandbox, gen_id: int) -> None:
    """Make ``gens/<gen_id>`` what pyshelf built before the store: ``uv venv`` and ``uv pip
    sync`` of its lock (real files, hard links from uv's cache), its pip scripts, lock and
    record; and give the shelf the database and folders of a shelf that never had a store."""
    gen_dir = shelf.shelf_home / "gens" / str(gen_id)
    composed = gen_dir.with_name(f"composed-{gen_id}")
    gen_dir.rename(composed)
    uv = find_uv_bin()
    subprocess.run([uv, "venv", "--quiet", "--python", str(shelf.base_python), str(gen_dir)],
                   env=shelf.env, check=True)
    subprocess.run([uv, "pip", "sync", "--quiet", "--python", str(gen_dir / "bin/python"),
                    "--index-url", shelf.index_url, str(composed / "pyshelf-lock.txt")],
                   env=shelf.env, check=True)
    for name in ("pyshelf-lock.txt", "pyshelf-generation.json"):
        shutil.copy2(composed / name, gen_dir / name)
    for script in (composed / "bin").glob("pip*"):
        shutil.copy2(script, gen_dir / "bin" / script.name)
    shutil.copytree(site_packages(composed) / "pip", site_packages(gen_dir) / "pip")
    for folder in (composed, shelf.shelf_home / "store"):
        for root, dirs, _ in os.walk(folder):  # the store's folders are read-only
            for name in dirs:
                Path(root, name).chmod(0o755)
        shutil.rmtree(folder)
    with closing(sqlite3.connect(shelf.shelf_home / "state.db")) as db, db:
        db.execute("DELETE FROM generation_entries")
        db.execute("DELETE FROM store_entries")
        db.execute("DELETE FROM generation_requires")
        db.execute("UPDATE generations SET own_bytes = NULL, own_files = NULL")


TOOLS_FILE = "etc/jupyter/jupyter_server_config.d/mine.json"


@pytest.mark.shelf("install beta data-pack --yes")
def test_a_generation_built_before_the_store_is_used_left_returned_to_and_collected(
        shelf, tmp_path):
    old = shelf.shelf_home / "gens/1"
    _build_the_old_way(shelf, 1)
    assert (site_packages(old) / "beta").is_dir()
    assert not (site_packages(old) / "beta").is_symlink() and not composed_of(old)
    (old / TOOLS_FILE).parent.mkdir(parents=True)
    (old / TOOLS_FILE).write_text('{"mine": true}\n')  # as a tool would write it

    assert shelf.bash("beta").stdout == "beta 1.0\n"
    status = shelf.ok("status").stdout
    assert "Outside changes: none" in status and "1 (size unknown)" in status
    assert "Store:           0 entries" in status, status
    doctor = shelf.run("doctor", "--deep")
    assert doctor.returncode == 0 and doctor.stdout.endswith("The shelf is healthy.\n"), \
        doctor.stdout

    changed = shelf.ok("install", "alpha", "--yes")

    assert current_target(shelf) == "gens/2"
    new = shelf.shelf_home / "gens/2"
    store = shelf.shelf_home / "store"
    assert {entry_name(store / e) for e in composed_of(new)} == {
        "alpha", "beta", "data-pack", "gamma"}
    assert links_into(site_packages(new) / "beta/__init__.py", store_entry(shelf, "beta"))
    assert f"Kept 1 file(s) that tools wrote into the environment: {TOOLS_FILE}." \
        in changed.stderr  # data-pack's own etc/ file is its RECORD's, not a tool's
    assert (new / TOOLS_FILE).read_text() == '{"mine": true}\n'
    assert shelf_python(shelf, "import alpha, beta, data_pack").returncode == 0

    shelf.ok("undo", "--yes")

    assert current_target(shelf) == "gens/1"
    assert shelf.bash("beta").stdout == "beta 1.0\n"
    assert shelf_python(shelf, "import alpha").returncode == 1
    assert shelf.run("doctor").returncode == 0

    shelf.ok("undo", "--yes")
    assert current_target(shelf) == "gens/2"
    outside = tmp_path / "outside"  # what a link planted in the old venv leads to
    outside.mkdir()
    (outside / "keep.txt").write_text("keep\n")
    (site_packages(old) / "planted").symlink_to(outside)
    (old / "bin/planted").symlink_to(outside / "keep.txt")
    shelf.ok("config", "set", "keep_generations", "1")

    shelf.ok("gc")

    assert generation_dirs(shelf) == ["0", "2"]  # 0: init's baseline snapshot
    wait_for(lambda: not any((shelf.shelf_home / "trash").iterdir()))  # a child deletes
    assert (outside / "keep.txt").read_text() == "keep\n"
    assert shelf.bash("beta").stdout == "beta 1.0\n"
    assert shelf_python(shelf, "import alpha, beta, data_pack").returncode == 0
    assert shelf.run("doctor").returncode == 0


def _links(folder: Path) -> dict[str, os.stat_result]:
    """The composition's links (uv's own venv, ``bin/python`` and ``lib64``, aside)."""
    return {path.relative_to(folder).as_posix(): path.lstat() for path in folder.rglob("*")
            if path.is_symlink() and (".s/" in str(path.readlink())
                                      or path.parent.name == ".s")}


@pytest.mark.shelf("install app-tool beta --yes")
def test_a_change_makes_new_links_only_for_what_it_changes(shelf):
    """The links a generation shares with the one before are the same links (one inode
    each, two names): a removal allocates none for the packages it keeps, and undoing it
    and removing again still leaves every generation whole."""
    before = shelf.shelf_home / current_target(shelf)
    shelf.ok("remove", "beta", "--yes")
    after = shelf.shelf_home / current_target(shelf)

    old, new = _links(before), _links(after)
    shared = [path for path in new if path in old
              and (before / path).readlink() == (after / path).readlink()]
    assert len(shared) > 10 and len(shared) >= len(new) - 8, (len(shared), len(new))
    for path in shared:
        assert new[path].st_ino == old[path].st_ino, path
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"
    shelf.ok("undo", "--yes")
    assert shelf.bash("beta").stdout == "beta 1.0\n"
    shelf.ok("remove", "beta", "--yes")
    shelf.ok("gc")
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"
    assert shelf.ok("doctor").returncode == 0
