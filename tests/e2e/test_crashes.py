"""kill -9 at any moment of a change leaves a usable shelf, and the next pyshelf cleans up."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from tests.e2e.helpers import current_target, generation_dirs, packages, uv_wrapper, wait_for
from tests.support.sandbox import pyshelf_script

pytestmark = pytest.mark.shelf("install beta --yes")


def _start(shelf, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([str(pyshelf_script()), *args], env=env or shelf.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def _kill(proc: subprocess.Popen[str]) -> None:
    """kill -9 pyshelf and the uv it started, as a power cut would."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def _pause_at(shelf, tmp_path: Path, subcommand: str, *, after: bool = False) -> Path:
    marker = tmp_path / f"at-{subcommand}"
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(tmp_path, subcommand,
                                             f"touch '{marker}'; sleep 60", after=after))
    return marker


def _kill_install_paused_at(shelf, tmp_path: Path, subcommand: str, *, after: bool = False
                            ) -> list[str]:
    """Start ``pyshelf install alpha``, kill -9 it while uv runs ``subcommand`` (or just
    after it succeeded); returns the generation folders that were on disk at that moment.
    While the store is filled (``sync``) the generation's venv is created alongside, so the
    kill waits until that venv is there too: the half-built generation is what is tested."""
    marker = _pause_at(shelf, tmp_path, subcommand, after=after)
    proc = _start(shelf, "install", "alpha", "--yes")
    wait_for(marker.exists)
    if subcommand == "sync":
        wait_for(lambda: (shelf.shelf_home / "gens" / "2" / "pyvenv.cfg").exists())
    seen = generation_dirs(shelf)
    _kill(proc)
    del shelf.env["PYSHELF_UV"]
    return seen


def _history(shelf) -> list[dict[str, object]]:
    return json.loads(shelf.ok("history", "--json").stdout)


def _assert_back_at_generation_1(shelf) -> None:
    assert current_target(shelf) == "gens/1"
    assert generation_dirs(shelf) == ["0", "1"]
    assert packages(shelf) == {"beta": ("1.0", "explicit"), "gamma": ("1.1", "dependency")}
    assert shelf.bash("beta").stdout == "beta 1.0\n"
    assert not list((shelf.shelf_home / "work").iterdir())


def _assert_next_change_works(shelf) -> None:
    shelf.ok("install", "alpha", "--yes")
    assert packages(shelf)["alpha"] == ("2.0", "explicit")
    assert current_target(shelf) == "gens/3"  # generation 2 stays the interrupted one's
    shelf.ok("undo", "--yes")
    assert current_target(shelf) == "gens/1"


def test_kill_during_resolve(shelf, tmp_path):
    _kill_install_paused_at(shelf, tmp_path, "compile")

    result = shelf.ok("list")  # nothing had started changing: no warning, scratch cleaned

    assert "interrupted" not in result.stderr
    _assert_back_at_generation_1(shelf)
    shelf.ok("install", "alpha", "--yes")
    assert current_target(shelf) == "gens/2"


def test_kill_while_a_rebuild_resolves(shelf, tmp_path):
    """A rebuild starts its venv before uv has resolved, journalled, so it is cleaned up."""
    marker = _pause_at(shelf, tmp_path, "compile")
    proc = _start(shelf, "rebuild", "--yes")
    wait_for(marker.exists)
    wait_for(lambda: (shelf.shelf_home / "gens" / "2" / "pyvenv.cfg").exists())
    _kill(proc)
    del shelf.env["PYSHELF_UV"]

    result = shelf.ok("list")

    assert "The change `pyshelf rebuild --yes`" in result.stderr
    assert "generation 2 was removed" in result.stderr
    _assert_back_at_generation_1(shelf)
    assert _history(shelf)[0]["status"] == "failed"
    _assert_next_change_works(shelf)


@pytest.mark.parametrize("after", [False, True])  # during the build; before the switch
def test_kill_during_build_or_before_the_switch(shelf, tmp_path, after):
    assert "2" in _kill_install_paused_at(shelf, tmp_path, "sync", after=after)
    assert _history(shelf)[0]["status"] == "failed"  # the first command to look cleans up

    result = shelf.ok("list")

    assert "interrupted" not in result.stderr  # reported once, by the command that cleaned
    _assert_back_at_generation_1(shelf)
    newest = _history(shelf)[0]
    assert (newest["command"], newest["to_generation"]) == ("pyshelf install alpha --yes", 2)
    assert "interrupted" in str(newest["summary"])
    _assert_next_change_works(shelf)


def test_kill_between_switch_and_commit(shelf, tmp_path):
    """The database is held busy by the test so pyshelf stops right after the switch."""
    checking, release = tmp_path / "checking", tmp_path / "release"
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(
        tmp_path, "sync",
        f"touch '{checking}'; while [ ! -e '{release}' ]; do sleep 0.05; done", after=True))
    proc = _start(shelf, "install", "alpha", "--yes")
    wait_for(checking.exists)
    blocker = sqlite3.connect(shelf.shelf_home / "state.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    release.touch()
    wait_for(lambda: current_target(shelf) == "gens/2")
    _kill(proc)
    blocker.execute("ROLLBACK")
    blocker.close()
    del shelf.env["PYSHELF_UV"]

    result = shelf.ok("history")

    assert "install alpha --yes` (started" in result.stderr
    assert "generation 2 was removed" in result.stderr
    _assert_back_at_generation_1(shelf)
    _assert_next_change_works(shelf)


def test_the_next_change_recovers_before_it_starts(shelf, tmp_path):
    _kill_install_paused_at(shelf, tmp_path, "sync")

    result = shelf.ok("install", "gamma", "--yes")

    assert "was interrupted" in result.stderr
    assert current_target(shelf) == "gens/3"
    assert generation_dirs(shelf) == ["0", "1", "3"]
    assert set(packages(shelf)) == {"beta", "gamma"}


def test_no_wait_fails_at_once_while_another_change_runs(shelf, tmp_path):
    marker = _pause_at(shelf, tmp_path, "sync")
    first = _start(shelf, "install", "alpha", "--yes")
    wait_for(marker.exists)
    env = {k: v for k, v in shelf.env.items() if k != "PYSHELF_UV"}
    try:
        second = subprocess.run([str(pyshelf_script()), "install", "gamma", "--yes",
                                 "--no-wait"], env=env, capture_output=True, text=True,
                                timeout=30, check=False)
        history = subprocess.run([str(pyshelf_script()), "history"], env=env,
                                 capture_output=True, text=True, timeout=30, check=False)
    finally:
        _kill(first)
    assert second.returncode == 1
    assert second.stderr.strip() == (
        f"error: Another pyshelf (pid {first.pid}) is changing this shelf; try again when it "
        "has finished, or leave out --no-wait to wait for it.")
    assert history.returncode == 0  # reporting never waits, and leaves a live change alone
    assert "running" in history.stdout
    assert "2" in generation_dirs(shelf)


def test_kill_while_an_isolated_app_is_built(shelf, tmp_path):
    marker = tmp_path / "building-app"
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(
        tmp_path, "sync",
        f'case "$*" in */pyshelf/work/stage-*) touch \'{marker}\'; sleep 60;; esac'))
    proc = _start(shelf, "install", "--isolated", "app-tool", "--yes")
    wait_for(marker.exists)
    assert [p.name for p in (shelf.shelf_home / "isolated").iterdir()] == ["app-tool-2"]
    _kill(proc)
    del shelf.env["PYSHELF_UV"]

    result = shelf.ok("list")

    assert "was interrupted" in result.stderr
    assert not list((shelf.shelf_home / "isolated").iterdir())
    _assert_back_at_generation_1(shelf)
    shelf.ok("install", "--isolated", "app-tool", "--yes")
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"
