"""A ``python3`` that is a version manager's shim (pyenv, asdf, mise): a script that picks an
interpreter each time it runs, from the ``.python-version`` of the folder it runs in.

The shims here are real shell scripts on PATH that ``exec`` a real interpreter, as pyenv's
do; the second interpreter is a real CPython of another minor version.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from tests.support.compiled import two_cpythons


def version_of(python: Path | str, folder: Path | None = None) -> str:
    """The version ``python`` runs as when started in ``folder``."""
    return subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, check=True, cwd=folder).stdout.strip()


def plant_shim(sandbox, tmp_path: Path, default: Path, by_folder: Path | None = None) -> Path:
    """``python3`` first on the sandbox's PATH: ``by_folder`` where the current folder's
    ``.python-version`` says ``other``, else ``default``."""
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "python3"
    choose = (f'if [ "$(cat .python-version 2>/dev/null)" = other ]; then exec "{by_folder}" '
              '"$@"; fi\n') if by_folder else ""
    shim.write_text(f'#!/bin/sh\n{choose}exec "{default}" "$@"\n')
    shim.chmod(0o755)
    sandbox.env["PATH"] = f"{shims}:{sandbox.env['PATH']}"
    return shim


def interpreter(sandbox) -> dict:
    return json.loads(sandbox.ok("status", "--json").stdout)["interpreter"]


def test_a_shim_is_followed_to_its_interpreter_and_raises_no_alarm(sandbox, tmp_path):
    shim = plant_shim(sandbox, tmp_path, sandbox.base_python)

    init = sandbox.ok("init", "--yes")  # python3 from PATH: the shim

    assert f"{shim} is a launcher that picks a Python each time it runs" in init.stderr
    assert sandbox.ok("config", "get", "python").stdout == f"{sandbox.base_python}\n"
    sandbox.ok("install", "beta", "--yes")
    for command in ("list", "history", "status"):
        assert "warning" not in sandbox.ok(command).stderr, command
    assert interpreter(sandbox)["state"] == "ok"
    doctor = sandbox.run("doctor")
    assert doctor.returncode == 0, doctor.stdout
    assert ["ok", "interpreter"] in [line.split() for line in doctor.stdout.splitlines()]


def test_a_shelf_that_kept_a_shim_is_not_alarmed_when_the_shim_goes(sandbox, tmp_path):
    """An older pyshelf kept the shim's own path; the shelf runs what its venv links to."""
    shim = plant_shim(sandbox, tmp_path, sandbox.base_python)
    sandbox.ok("init", "--yes")
    _keep_python(sandbox, str(shim))
    assert interpreter(sandbox)["state"] == "ok"

    shim.unlink()  # pyenv uninstalled; the interpreter it led to is still there

    assert "warning" not in sandbox.ok("list").stderr
    assert interpreter(sandbox)["state"] == "ok"


def _keep_python(sandbox, value: str) -> None:
    with closing(sqlite3.connect(sandbox.shelf_home / "state.db")) as db, db:
        db.execute("UPDATE config SET value = ? WHERE key = 'python'", (value,))


@pytest.fixture(scope="module")
def pythons():
    found = two_cpythons()
    if isinstance(found, str):
        pytest.skip(found)
    return found


def test_a_folder_that_selects_another_python_does_not_move_the_shelf(sandbox, tmp_path,
                                                                      pythons):
    home_python, project_python = (python.executable for python in pythons)
    shim = plant_shim(sandbox, tmp_path, home_python, by_folder=project_python)
    sandbox.ok("init", "--yes")
    built_on = version_of(home_python)

    (sandbox.home / ".python-version").write_text("other\n")  # pyshelf runs in this folder
    assert version_of(shim, sandbox.home) == version_of(project_python)
    sandbox.ok("install", "beta", "--yes")

    assert interpreter(sandbox)["version"] == built_on
    assert version_of(sandbox.shelf_home / "env" / "bin" / "python") == built_on
    assert "warning" not in sandbox.ok("list").stderr


def test_a_kept_shim_does_not_move_the_shelf_either(sandbox, tmp_path, pythons):
    home_python, project_python = (python.executable for python in pythons)
    shim = plant_shim(sandbox, tmp_path, home_python, by_folder=project_python)
    sandbox.ok("init", "--yes")
    _keep_python(sandbox, str(shim))  # as an older pyshelf kept it
    (sandbox.home / ".python-version").write_text("other\n")

    sandbox.ok("install", "beta", "--yes")

    assert version_of(sandbox.shelf_home / "env" / "bin" / "python") == version_of(home_python)
    assert interpreter(sandbox)["state"] == "ok"
