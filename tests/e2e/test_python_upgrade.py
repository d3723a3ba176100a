"""A Python minor upgrade under the shelf: noticed, survived by pyshelf, repaired by rebuild.

Real interpreters (two CPython minor versions found on this machine) and real compiled code
(a C extension built for each) behind a symlink the test controls, as ``/usr/bin/python3``
is repointed by a distribution upgrade.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import packaging
import pytest
from tests.e2e.helpers import current_target, packages, started_by
from tests.support.catalogue import TINYBACKEND
from tests.support.compiled import EXTENSION, CPython, build_extension_wheel, two_cpythons
from tests.support.index import IndexServer, write_simple_index
from tests.support.sandbox import Sandbox
from tests.support.sdists import build_sdist
from tests.support.wheels import Dist, build_wheel

import pyshelf

IMPORT = f"python3 -c 'import {EXTENSION}; print({EXTENSION}.built_for())'"


@pytest.fixture(scope="module")
def pythons() -> tuple[CPython, CPython]:
    found = two_cpythons()
    if isinstance(found, str):
        pytest.skip(found)
    return found


@pytest.fixture(scope="module")
def upgrade_index(pythons, tmp_path_factory) -> Iterator[str]:
    """Compiled packages as they are published: ``tinyext`` for both Pythons; ``movingext``
    1.0 for the older only and 2.0 for the newer only; ``legacyext`` for the older only;
    ``pinnedsrc`` for the older only and as an sdist. ``source-only`` is an sdist alone."""
    old, new = pythons
    wheels = tmp_path_factory.mktemp("upgrade-wheels")
    for python in pythons:
        build_extension_wheel(python, wheels)
    build_extension_wheel(old, wheels, "movingext", "1.0")
    build_extension_wheel(new, wheels, "movingext", "2.0")
    build_extension_wheel(old, wheels, "legacyext", "1.0")
    build_extension_wheel(old, wheels, "pinnedsrc", "1.0")
    for sdist in (Dist("pinnedsrc", "1.0"), Dist("source-only", "1.0")):
        build_sdist(sdist, wheels)
    build_wheel(TINYBACKEND, wheels)
    build_wheel(Dist("purelib", "1.0"), wheels)
    root = tmp_path_factory.mktemp("upgrade-index")
    write_simple_index(wheels, root)
    with IndexServer(root) as server:
        yield server.url


@pytest.fixture
def machine(tmp_path, pythons, upgrade_index, uv_cache_dir, base_python):
    """A HOME whose ``python3`` is a symlink the test repoints, and a pyshelf installed into
    a venv of that python, as a person would install it."""
    sandbox = Sandbox(tmp_path / "home", base_python=base_python, index_url=upgrade_index,
                      uv_cache_dir=uv_cache_dir)
    chosen = tmp_path / "usr" / "bin" / "python3"
    chosen.parent.mkdir(parents=True)
    chosen.symlink_to(pythons[0].executable)
    app = tmp_path / "pyshelf-app"
    subprocess.run([str(chosen), "-m", "venv", "--without-pip", str(app)], check=True)
    site = next(app.glob("lib/python3.*/site-packages"))
    # pyshelf and its pure-Python dependencies, as this venv's own packages
    (site / "pyshelf-under-test.pth").write_text(
        f"{Path(pyshelf.__file__).parent.parent}\n{Path(packaging.__file__).parent.parent}\n")
    return sandbox, chosen, app / "bin" / "python"


def pyshelf_in_app(machine, *args: str) -> subprocess.CompletedProcess[str]:
    sandbox, _, app_python = machine
    return subprocess.run([str(app_python), "-m", "pyshelf", *args], env=sandbox.env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          check=False, timeout=300)


def repoint(chosen: Path, python: CPython) -> None:
    chosen.unlink()
    chosen.symlink_to(python.executable)


def test_upgrade_is_noticed_survived_and_rebuilt(machine, pythons):
    sandbox, chosen, _ = machine
    old, new = pythons
    init = pyshelf_in_app(machine, "init", "--python", str(chosen), "--yes")
    assert init.returncode == 0, init.stderr
    sandbox.ok("install", EXTENSION, "movingext", "legacyext", "purelib", "--yes")
    assert sandbox.bash(IMPORT).stdout == f"{old.minor}\n"
    assert packages(sandbox)["movingext"] == ("1.0", "explicit")

    repoint(chosen, new)  # the distribution upgrade

    broken = sandbox.bash(IMPORT)
    assert broken.returncode != 0
    warning = (f"warning: The shelf was built on Python {'.'.join(map(str, old.version))}, "
               f"but {chosen} now leads to Python {new.minor}")
    for command in ("list", "history", "status"):
        assert warning in sandbox.ok(command).stderr
    assert pyshelf_in_app(machine, "--version").returncode != 0  # its venv broke with it
    through_launcher = sandbox.bash("pyshelf list")
    assert through_launcher.returncode == 0, through_launcher.stderr
    assert warning in through_launcher.stderr

    rebuilt = sandbox.bash("pyshelf rebuild --yes")

    assert rebuilt.returncode == 0, rebuilt.stderr
    old_abi = old.tag.split("-")[0]
    assert (f"legacyext cannot be installed on Python {new.minor} and is left out (its 1.0 "
            f"was built for {old_abi} only, and no release has a build for Python "
            f"{new.minor})") in rebuilt.stderr
    assert (f"^ movingext 1.0 -> 2.0 (Python {new.minor} needs it: 1.0 was built for "
            f"{old_abi} only)") in rebuilt.stdout
    assert sandbox.bash(IMPORT).stdout == f"{new.minor}\n"
    assert "warning" not in sandbox.ok("list").stderr
    assert set(packages(sandbox)) == {EXTENSION, "movingext", "purelib"}
    status = json.loads(sandbox.ok("status", "--json").stdout)["interpreter"]
    assert (status["state"], status["version"].rsplit(".", 1)[0]) == ("ok", new.minor)

    sandbox.ok("undo", "--yes")

    assert current_target(sandbox) == "gens/1"
    assert warning in sandbox.ok("list").stderr  # the old generation still needs the old one
    assert packages(sandbox)["legacyext"] == ("1.0", "explicit")


def test_a_vanished_interpreter_is_named_and_pyshelf_still_starts(machine, pythons):
    sandbox, chosen, _ = machine
    assert pyshelf_in_app(machine, "init", "--python", str(chosen), "--yes").returncode == 0
    chosen.unlink()

    result = sandbox.bash("pyshelf list")

    assert result.returncode == 0, result.stderr
    assert f"The shelf's interpreter {chosen} (Python " in result.stderr
    assert "is gone" in result.stderr


def test_rebuild_on_the_same_python_still_reports_a_conflict(machine):
    """Leaving packages out is only for a move to another Python."""
    sandbox, chosen, _ = machine
    assert pyshelf_in_app(machine, "init", "--python", str(chosen), "--yes").returncode == 0
    assert sandbox.run("install", "movingext>=2", "--yes").returncode == 3


def test_a_move_to_another_python_is_planned_recorded_and_undone(sandbox, pythons,
                                                                 upgrade_index):
    old, new = pythons
    sandbox.env["PYSHELF_INDEX_URL"] = upgrade_index
    sandbox.ok("init", "--python", str(old.executable), "--yes")
    sandbox.ok("install", EXTENSION, "purelib", "--yes")
    old_version = json.loads(sandbox.ok("status", "--json").stdout)["interpreter"]["version"]
    old_abi = old.tag.split("-")[0]

    moved = sandbox.ok("rebuild", "--python", str(new.executable), "--yes")

    new_version = json.loads(sandbox.ok("status", "--json").stdout)["interpreter"]["version"]
    assert f"  ~ Python {old_version} -> {new.minor}\n" in moved.stdout
    assert (f"  ~ {EXTENSION} 1.0 (its {old_abi} build is replaced by one for Python "
            f"{new.minor})\n") in moved.stdout
    history = json.loads(sandbox.ok("history", "--json").stdout)
    assert history[0]["summary"] == f"Python {old_version} -> {new_version}; +0 ~0 -0"

    back = sandbox.ok("undo", "--yes")

    assert f"  ~ Python {new_version} -> {old_version}\n" in back.stdout
    assert sandbox.ok("config", "get", "python").stdout == f"{old.executable}\n"
    sandbox.ok("install", "movingext", "--yes")  # built on the Python undo went back to
    status = json.loads(sandbox.ok("status", "--json").stdout)["interpreter"]
    assert (status["state"], status["version"]) == ("ok", old_version)
    assert packages(sandbox)["movingext"] == ("1.0", "explicit")


def test_a_move_names_the_pinned_package_it_will_build_from_source(sandbox, pythons,
                                                                   upgrade_index):
    """pyyaml==6.0.1 on a Python newer than its wheels, in small: the plan names the build
    and the way out, but not what uv's cache already holds a fitting build of."""
    old, new = pythons
    sandbox.env["PYSHELF_INDEX_URL"] = upgrade_index
    sandbox.ok("init", "--python", str(old.executable), "--yes")
    installed = sandbox.ok("install", "pinnedsrc==1.0", "source-only", "purelib", "--yes")
    assert "source-only 1.0 has no wheel for Python" in installed.stderr
    assert "pinnedsrc" not in installed.stderr  # it has a wheel for the older Python

    moved = sandbox.ok("rebuild", "--python", str(new.executable), "--yes")

    assert (f"warning: pinnedsrc 1.0 has no wheel for Python {new.minor} on the package index, "
            "so it is built from source: that needs its build backend") in moved.stderr
    assert ("`pyshelf install --upgrade pinnedsrc` drops the pin 'pinnedsrc==1.0' and moves "
            "it to the newest release.") in moved.stderr
    assert "source-only" not in moved.stderr  # its pure build is in uv's cache
    assert packages(sandbox)["pinnedsrc"] == ("1.0", "explicit")

    sandbox.ok("undo", "--yes")
    again = sandbox.ok("rebuild", "--python", str(new.executable), "--dry-run")

    assert f"  ~ Python {'.'.join(map(str, old.version))} -> {new.minor}\n" in again.stdout
    assert "no wheel" not in again.stderr  # generation 2 holds the build for the new Python


def test_a_manifest_naming_another_python_moves_the_shelf_there(sandbox, pythons,
                                                                  upgrade_index):
    """`python` in shelf.toml is a setting like the others: sync moves the shelf, with the
    plan a `rebuild --python` shows."""
    old, new = pythons
    sandbox.env["PYSHELF_INDEX_URL"] = upgrade_index
    sandbox.ok("init", "--python", str(old.executable), "--yes")
    sandbox.ok("install", "purelib", "--yes")
    manifest = sandbox.home / ".config" / "pyshelf" / "shelf.toml"
    text = manifest.read_text()
    written = next(line for line in text.splitlines() if line.startswith("python = "))
    manifest.write_text(text.replace(written, f'python = "{new.executable}"'))

    moved = sandbox.ok("sync", "--yes")

    assert f" -> {new.minor}\n" in moved.stdout and "~ Python " in moved.stdout
    status = json.loads(sandbox.ok("status", "--json").stdout)["interpreter"]
    assert (status["state"], status["version"].rsplit(".", 1)[0]) == ("ok", new.minor)
    assert packages(sandbox)["purelib"] == ("1.0", "explicit")
    assert sandbox.run("sync", "--check").returncode == 0


def _syncs(started: list[list[str]]) -> list[list[str]]:
    return [argv for argv in started if argv[1:3] == ["pip", "sync"]]


def test_a_move_under_yes_fills_the_store_from_uvs_cache_while_it_plans(sandbox, pythons,
                                                                        upgrade_index,
                                                                        tmp_path):
    """`rebuild --yes` fills the entries of the current pins for the new Python beside its
    resolve, from wheels uv's cache holds only: with a cache that lacks them the build
    fills them as before; once the cache holds them the build finds every entry filled."""
    old, new = pythons
    sandbox.env.update(PYSHELF_INDEX_URL=upgrade_index, UV_CACHE_DIR=str(tmp_path / "cold"))
    sandbox.ok("init", "--python", str(old.executable), "--yes")
    sandbox.ok("install", EXTENSION, "purelib", "--yes")
    assert not _syncs(started_by(sandbox, ["rebuild", "--python", str(new.executable),
                                           "--dry-run"]))

    cold = _syncs(started_by(sandbox, ["rebuild", "--python", str(new.executable), "--yes"]))

    # the guess found no wheel for the new Python in the cache, and fetched nothing
    assert [("--no-build" in argv, "--offline" in argv) for argv in cold] == [
        (True, True), (False, True), (False, False)]
    assert sandbox.bash(IMPORT).stdout == f"{new.minor}\n"
    # no folder of a half-made entry is left, the failed guess's included
    assert not [e for e in (sandbox.shelf_home / "store").iterdir() if e.name.startswith(".")]
    second = ["--home", str(tmp_path / "second")]  # another shelf, with uv's cache warm now
    sandbox.ok(*second, "init", "--python", str(old.executable), "--yes")
    sandbox.ok(*second, "install", EXTENSION, "purelib", "--yes")

    warm = _syncs(started_by(sandbox, [*second, "rebuild", "--python", str(new.executable),
                                       "--yes"]))

    assert len(warm) == 1 and "--no-build" in warm[0]  # the build had nothing left to fill
    status = json.loads(sandbox.ok(*second, "status", "--json").stdout)["interpreter"]
    assert (status["state"], status["version"].rpartition(".")[0]) == ("ok", new.minor)
    assert not sandbox.ok(*second, "doctor", "--deep").stdout.count("problem  store")
