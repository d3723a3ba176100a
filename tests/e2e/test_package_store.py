"""The package store: each distribution installed once into ``store/``, every generation a
venv of links into it, and what tools write into an environment kept across changes."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
from tests.e2e.helpers import (
    ENTRY_FILE,
    JUPYTER_PAGE,
    KERNEL,
    SETTINGS,
    composed_of,
    current_target,
    files_read_by,
    generation_dirs,
    killed_where_paused,
    links_into,
    packages,
    shelf_python,
    site_packages,
    store_entries,
    store_entry,
    uv_wrapper,
    write_as_tools,
    written_by_tools_in,
)
from tests.support.catalogue import CATALOGUE
from tests.support.places import hand_over, unprivileged
from tests.support.sandbox import Sandbox
from tests.support.wheels import build_wheel, script_module_source


def _store(shelf: Sandbox) -> Path:
    return shelf.shelf_home / "store"


@pytest.mark.shelf("install nsp-a nsp-b --yes")
def test_a_namespace_package_shared_by_two_distributions(shelf):
    both = "import nsp.a, nsp.b; print(nsp.a.NAME, nsp.b.NAME)"
    assert shelf_python(shelf, both).stdout == "a b\n"
    namespace = site_packages(shelf.shelf_home / "env") / "nsp"
    assert namespace.is_dir() and not namespace.is_symlink()
    assert sorted(child.name for child in namespace.iterdir()) == ["a", "b"]
    assert links_into(namespace / "a", store_entry(shelf, "nsp-a"))
    assert links_into(namespace / "b", store_entry(shelf, "nsp-b"))

    shelf.ok("remove", "nsp-a", "--yes")

    assert shelf_python(shelf, "import nsp.b; print(nsp.b.NAME)").stdout == "b\n"
    assert shelf_python(shelf, "import nsp.a").returncode == 1
    assert shelf_python(shelf, both).returncode == 1
    # nsp-a's entry stays for the generation before, which undo switches back to
    assert (store_entry(shelf, "nsp-a") / ENTRY_FILE).is_file()
    shelf.ok("undo", "--yes")
    assert shelf_python(shelf, both).stdout == "a b\n"


def _held(entry: Path) -> list[str]:
    """What a store entry holds but its own files and aliases, relative to it."""
    own = {ENTRY_FILE, "pyshelf-pylock.toml", ".p", ".i", ".c"}
    return sorted(str(Path(root, name).relative_to(entry))
                  for root, dirs, names in os.walk(entry)
                  for name in names if name not in own or Path(root) != entry)


def _recorded(entry: Path) -> list[str]:
    """What its RECORD lists, relative to the entry, with the bytecode of the modules it
    lists in the folders they are in."""
    [info] = (entry / ".p").glob("*.dist-info")
    site = Path(os.path.realpath(entry / ".p")).relative_to(os.path.realpath(entry))
    listed = [os.path.normpath(site / row.split(",")[0])
              for row in (info / "RECORD").read_text().splitlines() if row]
    compiled = [str(Path(path).parent / "__pycache__" / pyc.name)
                for path in listed if path.endswith(".py")
                for pyc in (entry / Path(path).parent / "__pycache__").glob(
                    f"{Path(path).stem}.*.pyc")]
    return sorted({*listed, *compiled})


def _measured(entry: Path) -> tuple[int, int]:
    sizes = [Path(root, name).lstat().st_size for root, dirs, names in os.walk(entry)
             for name in [*names, *(d for d in dirs if Path(root, d).is_symlink())]
             if Path(root) != entry or name not in (ENTRY_FILE, "pyshelf-pylock.toml")]
    return sum(sizes), len(sizes)


@pytest.mark.shelf("config set bytecode off",
                   "install nsp-a nsp-b byte-pack app-tool data-pack --yes")
def test_one_fill_gives_each_entry_exactly_its_own_files_and_their_size(shelf):
    # nsp/ is shared by two of the distributions filled together, so its files move one by
    # one; every other top-level folder or module belongs to one and moves whole
    for name in ("nsp-a", "nsp-b", "byte-pack", "app-tool", "helper-lib", "data-pack"):
        entry = store_entry(shelf, name)
        assert _held(entry) == _recorded(entry), name
        recorded = json.loads((entry / ENTRY_FILE).read_text())
        assert (recorded["bytes"], recorded["files"]) == _measured(entry), name
    # a namespace's half filled alone moves whole, and still composes beside the other
    shelf.ok("remove", "nsp-a", "nsp-b", "--yes")
    shelf.ok("gc")
    shelf.ok("install", "nsp-b", "--yes")
    shelf.ok("install", "nsp-a", "--yes")
    for name in ("nsp-a", "nsp-b"):
        assert _held(store_entry(shelf, name)) == _recorded(store_entry(shelf, name))
    both = "import nsp.a, nsp.b; print(nsp.a.NAME, nsp.b.NAME)"
    assert shelf_python(shelf, both).stdout == "a b\n"


@pytest.mark.shelf("install data-pack --yes")
def test_what_tools_wrote_into_the_environment_survives_changes(shelf):
    env = shelf.shelf_home / "env"
    write_as_tools(env)

    result = shelf.ok("install", "alpha", "--yes")

    assert current_target(shelf) == "gens/2"
    assert written_by_tools_in(env)
    kept = f"Kept 3 file(s) that tools wrote into the environment: {SETTINGS}, " \
           f"{JUPYTER_PAGE}, {KERNEL}."
    assert kept in result.stderr
    # the store's copy of the package's settings is the package's own, unchanged
    stored = store_entry(shelf, "data-pack") / SETTINGS
    assert stored.read_text() == "[data-pack]\ncolour = blue\n"

    shelf.ok("undo", "--yes")
    assert written_by_tools_in(env)
    shelf.ok("install", "gamma", "--yes")
    assert current_target(shelf) == "gens/3"
    assert written_by_tools_in(env)
    assert "alpha" not in packages(shelf)


@pytest.mark.shelf("install beta --yes")
def test_gc_keeps_the_entries_that_a_snapshot_or_the_current_generation_uses(shelf):
    shelf.ok("config", "set", "keep_generations", "1")
    shelf.ok("install", "alpha", "--yes")
    alpha = store_entry(shelf, "alpha")
    shelf.ok("snapshot", "with-alpha")
    shelf.ok("remove", "alpha", "--yes")
    in_use = {entry.name for entry in _store(shelf).iterdir()} - {alpha.name}
    assert in_use and all(store_entries(shelf, n) for n in ("beta", "gamma"))

    shelf.ok("gc")

    assert "2" in generation_dirs(shelf)  # the snapshot's generation, and so its entries
    assert (alpha / ENTRY_FILE).is_file()
    shelf.ok("snapshot", "--delete", "with-alpha")

    shelf.ok("gc")

    assert "2" not in generation_dirs(shelf)
    assert not alpha.exists()
    assert {entry.name for entry in _store(shelf).iterdir()} == in_use
    assert set(composed_of(shelf.shelf_home / "env")) <= in_use
    assert shelf.bash("beta").stdout == "beta 1.0\n"
    shelf.ok("install", "alpha", "--yes")  # filled again from uv's cache
    assert shelf_python(shelf, "import alpha; print(alpha.__version__)").stdout == "2.0\n"


# Pauses pyshelf just before it gives a filled store entry its name, so that it can be
# killed with the entry complete but still ``.new-<name>-<pid>`` (and read-only).
_PAUSE_BEFORE_NAMING = """
import os, pathlib, time
_rename = pathlib.Path.rename
def rename(self, target):
    if self.name.startswith(".new-") and self.parent.name == "store":
        pathlib.Path(os.environ["STORE_TEST_MARKER"]).touch()
        time.sleep(60)
    return _rename(self, target)
pathlib.Path.rename = rename
"""


@pytest.mark.shelf("install beta --yes")
def test_an_entry_killed_while_being_filled_is_never_used_and_is_cleaned_up(shelf, tmp_path):
    pid = killed_where_paused(shelf, tmp_path, _PAUSE_BEFORE_NAMING, "install", "alpha",
                              "--yes")

    [unfinished] = [e for e in _store(shelf).iterdir() if e.name.startswith(".new-")]
    assert unfinished.name == f".new-alpha-{pid}"
    assert (unfinished / ENTRY_FILE).is_file()  # filled, only not yet named
    assert not store_entries(shelf, "alpha")
    assert current_target(shelf) == "gens/1"
    for gen in generation_dirs(shelf):
        venv = shelf.shelf_home / "gens" / gen
        assert not any(name.startswith(".new-") for name in composed_of(venv))
        assert not any(links_into(link, unfinished) for link in venv.rglob("*"))

    shelf.ok("install", "alpha", "--yes")

    assert not unfinished.exists()
    assert not [e for e in _store(shelf).iterdir() if e.name.startswith(".new-")]
    alpha = store_entry(shelf, "alpha")
    assert json.loads((alpha / ENTRY_FILE).read_text())["version"] == "2.0"
    [record] = alpha.glob("lib/python*/site-packages/alpha-2.0.dist-info/RECORD")
    for line in record.read_text().splitlines():
        listed = record.parent.parent / line.split(",")[0]
        assert listed.resolve().is_relative_to(alpha.resolve()) and listed.is_file(), line
    assert shelf_python(shelf, "import alpha; print(alpha.__version__)").stdout == "2.0\n"
    assert packages(shelf)["alpha"] == ("2.0", "explicit")


def _digests(entry: Path) -> dict[str, str]:
    """Every file of a store entry and its sha256, with the entry's folders' modes."""
    found = {}
    for folder, _, files in os.walk(entry):
        found[os.path.relpath(folder, entry) + "/"] = oct(os.lstat(folder).st_mode)
        for name in files:
            path = Path(folder, name)
            found[str(path.relative_to(entry))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _tampered_beta(folder: Path) -> Path:
    """A wheel named like the index's beta 1.0 whose files say something else."""
    beta = next(d for d in CATALOGUE if d.name == "beta")
    return build_wheel(replace(beta, modules=(
        ("beta/__init__.py", "__version__ = 'tampered'\n"),
        ("beta/cli.py", script_module_source("tampered", ["beta"])))), folder)


def test_a_pip_of_another_environment_cannot_change_the_store(reachable_sandbox):
    """pip writes a package's files through the generation's link to its folder in the
    store; the store's read-only folders stop it, for anyone file permissions stop (root
    they do not: see the report on this test's commit)."""
    shelf = reachable_sandbox
    shelf.init()
    shelf.ok("install", "beta", "--yes")
    outside = shelf.home.parent / "other-venv"
    subprocess.run([str(shelf.base_python), "-m", "venv", str(outside)], check=True,
                   capture_output=True)
    wheel = _tampered_beta(shelf.home.parent / "wheels")
    beta = store_entry(shelf, "beta")
    before = _digests(beta)
    hand_over(shelf.home.parent)
    env_python = shelf.shelf_home / "env" / "bin" / "python"

    pip = subprocess.run(unprivileged([
        str(outside / "bin" / "pip"), "--python", str(env_python), "install",
        "--force-reinstall", "--no-deps", "--no-cache-dir", "--no-index", str(wheel)]),
        env={**shelf.env, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, capture_output=True,
        text=True, check=False)

    assert pip.returncode != 0, pip.stdout
    assert "Permission denied" in pip.stderr
    assert _digests(beta) == before
    assert shelf.bash("beta").stdout == "beta 1.0\n"
    shelf.ok("install", "alpha", "--yes")
    assert shelf.bash("beta").stdout == "beta 1.0\n"
    assert shelf_python(shelf, "import alpha, beta; print(beta.__version__)").stdout == "1.0\n"
    assert _digests(beta) == before


@pytest.mark.shelf("install beta --yes")
def test_pip_uninstall_through_the_generation_leaves_the_store_as_it_was(shelf, tmp_path):
    """A foreign pip's uninstall removes the generation's own files (the script, the
    dist-info) and skips what resolves into the store; the shelf's pip is a pyshelf change."""
    outside = tmp_path / "other-venv"
    subprocess.run([str(shelf.base_python), "-m", "venv", str(outside)], check=True,
                   capture_output=True)
    beta = store_entry(shelf, "beta")
    before = _digests(beta)
    env_python = shelf.shelf_home / "env" / "bin" / "python"

    pip = subprocess.run([str(outside / "bin" / "pip"), "--python", str(env_python),
                          "uninstall", "-y", "beta"], env=shelf.env, capture_output=True,
                         text=True, check=False)

    assert pip.returncode == 0, pip.stderr
    assert _digests(beta) == before
    assert "beta 1.0 removed" in shelf.ok("status").stdout
    shelf.ok("install", "alpha", "--yes")  # rebuilt from the lock: beta is back
    assert shelf.bash("beta").stdout == "beta 1.0\n"

    routed = shelf.bash(f"{env_python} -m pip uninstall -y beta")

    assert routed.returncode == 0, routed.stderr
    assert "beta" not in packages(shelf) and current_target(shelf) == "gens/3"
    assert _digests(beta) == before
    shelf.ok("undo", "--yes")
    assert shelf.bash("beta").stdout == "beta 1.0\n"


@pytest.mark.shelf("install data-pack --yes")
def test_data_files_are_linked_from_share_and_copied_into_etc(shelf):
    env = shelf.shelf_home / "env"
    entry = store_entry(shelf, "data-pack")
    assert (env / "share/data-pack/readme.txt").read_text() == "shared data 1.0\n"
    assert links_into(env / "share/data-pack", entry)
    settings = env / SETTINGS
    assert settings.read_text() == "[data-pack]\ncolour = blue\n"
    assert not settings.is_symlink() and settings.stat().st_ino != (entry / SETTINGS).stat().st_ino
    assert not (env / "etc").is_symlink() and not (env / "etc/data-pack").is_symlink()
    ran = shelf_python(shelf, "import os; print(os.environ.get('DATA_PACK_PTH'))")
    assert ran.stdout == "ran\n"  # the .pth, a link into the store, is read at start
    assert links_into(site_packages(env) / "data_pack.pth", entry)


def _metadata_read(paths: list[str]) -> list[str]:
    return sorted(path for path in paths if path.endswith(("/METADATA", "/RECORD")))


@pytest.mark.shelf("install app-tool beta uses-argv-tool --yes")
def test_a_change_reads_the_metadata_of_only_the_packages_it_adds(shelf):
    """Each entry's metadata and commands are read once, when it is filled, and recorded."""
    read = _metadata_read(files_read_by(shelf, ["install", "alpha", "--yes"]))

    assert read and all("alpha" in Path(path).parent.name for path in read), read
    assert not _metadata_read(files_read_by(shelf, ["remove", "beta", "--yes"]))
    assert "alpha" in packages(shelf) and "beta" not in packages(shelf)


@pytest.mark.shelf("install app-tool beta --yes")
def test_entries_recorded_before_their_metadata_was_kept_are_read_once(shelf):
    """As an older pyshelf filled and recorded them: the next change reads their files,
    records what they say, and the one after reads nothing."""
    before = packages(shelf)
    for entry in _store(shelf).iterdir():
        data = json.loads((entry / ENTRY_FILE).read_text())
        for key in ("display_name", "requires", "commands"):
            data.pop(key, None)
        (entry / ENTRY_FILE).write_text(json.dumps(data))
    with closing(sqlite3.connect(shelf.shelf_home / "state.db")) as db, db:
        db.execute("UPDATE store_entries SET display_name = NULL, requires = NULL,"
                   " commands = NULL")

    assert _metadata_read(files_read_by(shelf, ["install", "alpha", "--yes"]))
    assert not _metadata_read(files_read_by(shelf, ["remove", "alpha", "--yes"]))
    assert packages(shelf) == before


@pytest.mark.shelf("install argv-tool --yes")
def test_a_command_runs_the_python_of_the_generation_it_is_called_from(shelf, tmp_path):
    """Generations link one copy of each command from the store, and that copy finds the
    python of the ``bin`` it was called from, following links to it from elsewhere (past a
    folder's other ``python``) to the venv they lead into."""
    shelf.ok("install", "alpha", "--yes")
    gens = shelf.shelf_home / "gens"
    elsewhere = tmp_path / "my bin"
    elsewhere.mkdir()
    (elsewhere / "tool").symlink_to(shelf.shelf_home / "env" / "bin" / "argv-tool")
    (elsewhere / "python").symlink_to(shelf.base_python)  # not the shelf's: no argv_tool

    def sees_alpha(command: Path) -> bool:
        ran = subprocess.run([str(command), "two words"], capture_output=True, text=True,
                             check=True, env=shelf.env)
        result = json.loads(ran.stdout)
        assert result["args"] == ["two words"]
        return bool(result["alpha"])

    assert (gens / "2" / "bin" / "argv-tool").is_symlink()
    assert not sees_alpha(gens / "1" / "bin" / "argv-tool")
    assert sees_alpha(gens / "2" / "bin" / "argv-tool")
    assert sees_alpha(elsewhere / "tool")
    shelf.ok("undo", "--yes")
    assert not sees_alpha(elsewhere / "tool")


def test_a_fill_whose_install_fails_leaves_no_half_made_entry(shelf, tmp_path):
    """The folders a fill makes for its entries while uv installs go when uv fails, at
    once, not only at the next command's recovery."""
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(tmp_path, "sync", "exit 1"))

    assert shelf.run("install", "alpha", "--yes").returncode != 0

    assert not [e.name for e in _store(shelf).iterdir() if e.name.startswith(".new-")]
