"""A change that fails, is interrupted, or meets another pyshelf leaves everything as it was."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import time

import pytest
from tests.e2e.helpers import (
    generation_dirs,
    packages,
    run_without_subprocesses,
    snapshot,
    uv_wrapper,
    wait_for,
)
from tests.support.sandbox import pyshelf_script


@pytest.fixture
def shelf(sandbox):
    sandbox.init()
    sandbox.ok("install", "beta", "--yes")
    return sandbox


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



def test_unmet_requirements_in_the_built_generation_stop_the_switch(shelf, tmp_path):
    """What uv installed is checked before the switch: here beta's metadata, edited after
    the install (sed writes a new file, so uv's cache keeps the original), asks for a gamma
    the lock does not hold."""
    before = snapshot(shelf)
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(  # the generation being built is --python's
        tmp_path, "sync",
        'for a in "$@"; do case "$a" in */bin/python) gen="${a%/bin/python}";; esac; done; '
        "sed -i 's/^Requires-Dist: gamma.*/Requires-Dist: gamma>=5/' "
        '"$gen"/lib/*/site-packages/beta-1.0.dist-info/METADATA', after=True))
    result = shelf.run("install", "alpha", "--yes")
    del shelf.env["PYSHELF_UV"]

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


def _run_in_terminal(shelf, args, answer):
    """Run pyshelf with a real pseudo-terminal as stdin and answer its prompt."""
    main, child = pty.openpty()
    proc = subprocess.Popen([str(pyshelf_script()), *args], env=shelf.env, stdin=child,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(child)
    os.write(main, answer.encode())
    out, err = proc.communicate(timeout=60)
    os.close(main)
    return proc.returncode, out.decode(), err.decode()


def test_declining_at_the_prompt_changes_nothing(shelf):
    before = snapshot(shelf)
    code, out, err = _run_in_terminal(shelf, ["install", "alpha"], "n\n")
    assert code == 4, err
    assert "+ alpha 2.0" in out
    assert snapshot(shelf) == before


def test_accepting_at_the_prompt_installs(shelf):
    code, _, err = _run_in_terminal(shelf, ["install", "alpha"], "y\n")
    assert code == 0, err
    assert packages(shelf)["alpha"] == ("2.0", "explicit")


def test_reporting_commands_start_no_subprocess(shelf):
    shelf.ok("install", "alpha", "--yes")
    shelf.ok("snapshot", "two")
    result = run_without_subprocesses(shelf, ["list", "--json"], ["history"], ["diff"],
                                      ["snapshots"], ["config"])
    assert result.returncode == 0, result.stderr
    assert '"beta"' in result.stdout and "pyshelf install alpha --yes" in result.stdout
