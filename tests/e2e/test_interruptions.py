"""A change that fails, is interrupted, or meets another pyshelf leaves everything as it was."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from contextlib import closing

import pytest
from tests.e2e.helpers import (
    current_target,
    generation_dirs,
    packages,
    run_in_terminal,
    run_without_subprocesses,
    snapshot,
    store_entries,
    store_entry,
    uv_wrapper,
    wait_for,
)
from tests.support.sandbox import pyshelf_script

pytestmark = pytest.mark.shelf("install beta --yes")


def test_failed_build_leaves_shelf_as_it_was(shelf, tmp_path):
    before = snapshot(shelf)
    failing = uv_wrapper(tmp_path, "sync", "echo 'error: the wheel is broken' >&2; exit 2")
    shelf.env["PYSHELF_UV"] = str(failing)
    result = shelf.run("install", "alpha", "--yes")
    assert result.returncode == 1
    assert "Installing the packages failed: error: the wheel is broken" in result.stderr
    del shelf.env["PYSHELF_UV"]
    assert snapshot(shelf) == before
    assert shelf.bash("beta").stdout == "beta 1.0\n"


def test_ctrl_c_during_build_removes_the_half_built_generation(shelf, tmp_path):
    before = snapshot(shelf)
    marker = tmp_path / "syncing"
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(tmp_path, "sync", f"touch '{marker}'; sleep 30"))
    proc = subprocess.Popen([str(pyshelf_script()), "install", "alpha", "--yes"], env=shelf.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    wait_for(marker.exists)
    assert "2" in generation_dirs(shelf)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Interrupted; nothing was changed." in stderr
    del shelf.env["PYSHELF_UV"]
    assert snapshot(shelf) == before



def _fill(pipe_write_end: int) -> None:
    """Fill the pipe so that the next write to it blocks, as on a terminal paused with
    Ctrl-S. Through a description of its own: O_NONBLOCK on pyshelf's would reach it too."""
    filler = os.open(f"/proc/self/fd/{pipe_write_end}", os.O_WRONLY | os.O_NONBLOCK)
    try:
        for chunk in (b"\0" * 4096, b"\0"):  # then byte by byte into the last page
            with contextlib.suppress(BlockingIOError):
                while True:
                    os.write(filler, chunk)
    finally:
        os.close(filler)


@pytest.mark.parametrize(("args", "new_current"), [
    (["install", "alpha", "--yes"], 2),
    (["rebuild", "--yes"], 2),  # began its generation early: it must not be abandoned
    (["undo", "--yes"], 0),  # a switch to a generation on disk, no build
])
def test_ctrl_c_once_the_generation_is_current_keeps_the_change(shelf, tmp_path, args,
                                                                new_current):
    """pyshelf's stderr is a pipe nobody reads, filled up: its first write after the commit
    (the line saying the generation is current) blocks, and Ctrl-C arrives there. A build is
    held once uv has installed (and said so, which pyshelf passes on) until the pipe is
    full, so no earlier line can be the one that blocks."""
    builds = args[0] != "undo"
    syncing, release = tmp_path / "syncing", tmp_path / "release"
    # a rebuild's prefill (a sync with --no-build) fails here, so the build's sync is held
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(
        tmp_path, "sync", 'case "$*" in *--no-build*) exit 1;; esac; '
        f"touch '{syncing}'; while [ ! -e '{release}' ]; do sleep 0.05; done", after=True))
    if args[0] == "rebuild":  # it installs only what the package store lacks
        for entry in store_entries(shelf, "gamma"):
            for folder in [entry, *(p for p in entry.rglob("*") if p.is_dir())]:
                folder.chmod(0o755)
            shutil.rmtree(entry)
    read_end, write_end = os.pipe()
    if not builds:
        _fill(write_end)
    proc = subprocess.Popen([str(pyshelf_script()), *args], env=shelf.env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=write_end)
    try:
        if builds:
            wait_for(syncing.exists)
            _fill(write_end)
            release.touch()
        os.close(write_end)
        wait_for(lambda: current_target(shelf) == f"gens/{new_current}")
        proc.send_signal(signal.SIGINT)
        with os.fdopen(read_end, "rb") as pipe:
            stderr = pipe.read().replace(b"\0", b"").decode()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    del shelf.env["PYSHELF_UV"]

    assert proc.returncode == 130
    assert stderr.endswith(f"error: Interrupted after generation {new_current} became "
                           "current; the change is kept.\n"), stderr
    assert current_target(shelf) == f"gens/{new_current}"
    assert (shelf.shelf_home / "gens" / str(new_current) / "bin" / "python").exists()
    last = json.loads(shelf.ok("history", "--json").stdout)[0]
    assert (last["to_generation"], last["status"]) == (new_current, "done")
    assert ("alpha" in packages(shelf)) == (args[0] == "install")


def test_unmet_requirements_in_the_built_generation_stop_the_switch(shelf, tmp_path):
    """What a generation is composed of is checked before the switch, from what each store
    entry recorded of its metadata when it was filled: here beta's record, damaged, asks
    for a gamma the lock does not hold."""
    entry = store_entry(shelf, "beta")
    record = json.loads((entry / "pyshelf-entry.json").read_text())
    record["requires"] = ["gamma>=5"]
    (entry / "pyshelf-entry.json").write_text(json.dumps(record))
    with closing(sqlite3.connect(shelf.shelf_home / "state.db")) as db, db:
        db.execute("UPDATE store_entries SET requires = ? WHERE name = 'beta'",
                   (json.dumps(["gamma>=5"]),))
    before = snapshot(shelf)
    result = shelf.run("install", "alpha", "--yes")

    assert result.returncode == 1
    assert "unmet requirements: beta requires gamma>=5" in result.stderr
    assert snapshot(shelf) == before
    assert shelf.bash("beta").stdout == "beta 1.0\n"


def test_second_writer_waits_for_the_first(shelf, tmp_path):
    marker = tmp_path / "syncing"
    release = tmp_path / "release"
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(
        tmp_path, "sync", f"touch '{marker}'; while [ ! -e '{release}' ]; do sleep 0.05; done"))
    first = subprocess.Popen([str(pyshelf_script()), "install", "alpha", "--yes"],
                             env=shelf.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, stdin=subprocess.DEVNULL)
    wait_for(marker.exists)
    second_env = {**shelf.env}
    del second_env["PYSHELF_UV"]
    second = subprocess.Popen([str(pyshelf_script()), "install", "gamma<1.1", "--yes"],
                              env=second_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, stdin=subprocess.DEVNULL)
    time.sleep(1.0)
    assert second.poll() is None  # still waiting, not racing
    assert shelf.ok("list").returncode == 0  # reporting commands never wait
    release.touch()
    assert first.wait(timeout=60) == 0
    _, second_err = second.communicate(timeout=60)
    assert second.returncode == 0, second_err
    assert f"waiting for pyshelf (pid {first.pid})" in second_err
    del shelf.env["PYSHELF_UV"]
    assert packages(shelf) == {"alpha": ("2.0", "explicit"), "beta": ("1.0", "explicit"),
                               "gamma": ("1.0", "explicit")}


def test_declining_at_the_prompt_changes_nothing(shelf):
    before = snapshot(shelf)
    code, out, err = run_in_terminal(shelf, ["install", "alpha"], "n\n")
    assert code == 4, err
    assert "+ alpha 2.0" in out
    assert snapshot(shelf) == before


def test_accepting_at_the_prompt_installs(shelf):
    code, _, err = run_in_terminal(shelf, ["install", "alpha"], "y\n")
    assert code == 0, err
    assert packages(shelf)["alpha"] == ("2.0", "explicit")


def test_reporting_commands_start_no_subprocess(shelf):
    shelf.ok("install", "alpha", "--yes")
    shelf.ok("snapshot", "two")
    result = run_without_subprocesses(shelf, ["list", "--json"], ["history"], ["diff"],
                                      ["snapshots"], ["config"])
    assert result.returncode == 0, result.stderr
    assert '"beta"' in result.stdout and "pyshelf install alpha --yes" in result.stdout
