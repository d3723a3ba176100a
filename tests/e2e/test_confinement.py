"""Nothing outside the shelf home is ever deleted: symlinks planted at every folder of the
home, and at each level below, lead no command to the files they point to."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.e2e.helpers import shelf_python, store_entry
from tests.support.sandbox import Sandbox

DEAD_PID = 4194305  # above Linux's largest pid, so never a live process

# What pyshelf itself would name an entry of each folder: what its sweeps look for.
LOOKALIKES = {
    "gens": ["7", "notes.txt"],
    "work": [f"resolve-{DEAD_PID}", "Thesis"],
    "trash": ["7.1.2"],
    "runs": ["0123456789abcdef0123", "lock"],
    "app": ["0.0.1-" + "1" * 19, "photos"],
    "isolated": ["alpha-9"],
}

COMMANDS = (
    ("list",), ("history",), ("status",), ("doctor",), ("doctor", "--fix"),
    ("install", "alpha", "--yes"), ("remove", "beta", "--yes"), ("undo", "--yes"),
    ("install", "--isolated", "shared-user", "--yes"), ("gc",), ("clean", "--yes"),
    ("run", "argv-tool", "--", "x"), ("init", "--python", "{python}", "--yes"),
)


def plant_canary(folder: Path, names: list[str]) -> dict[str, str]:
    """A folder outside the home holding, under names pyshelf uses, a person's files;
    returns what it holds, to compare with afterwards."""
    for name in names:
        entry = folder / name
        if "." in name and not name[0].isdigit():
            entry.parent.mkdir(parents=True, exist_ok=True)
            entry.write_text(f"a file called {name}")
            continue
        (entry / "pyshelf").mkdir(parents=True)
        (entry / "pyshelf" / "__init__.py").write_text('__version__ = "0.0.1"\n')
        (entry / "precious.txt").write_text(f"keep {name}")
    return contents(folder)


def contents(folder: Path) -> dict[str, str]:
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            found[str(path.relative_to(folder))] = path.read_text()
    return found


def run_every_command(shelf: Sandbox) -> list[str]:
    """Run each command; return the output of any that crashed instead of answering."""
    crashes = []
    for command in COMMANDS:
        args = [part.format(python=shelf.base_python) for part in command]
        result = shelf.run(*args, timeout=180)
        if "failed unexpectedly" in result.stderr or "Traceback" in result.stderr:
            crashes.append(f"{args}: {result.stderr}")
    return crashes


@pytest.mark.shelf("install beta --yes", "run argv-tool")  # runs/ exists, and every other folder
@pytest.mark.parametrize("folder", sorted(LOOKALIKES))
def test_a_symlink_in_place_of_a_home_folder_is_never_followed(shelf, tmp_path, folder):
    outside = tmp_path / "outside"
    outside.mkdir()
    before = plant_canary(outside, LOOKALIKES[folder])
    planted = shelf.shelf_home / folder
    planted.mkdir(exist_ok=True)
    planted.rename(tmp_path / f"real-{folder}")
    planted.symlink_to(outside, target_is_directory=True)

    crashes = run_every_command(shelf)
    doctor = shelf.run("doctor", "--fix")

    assert contents(outside) == before
    assert planted.is_symlink()
    assert crashes == []
    assert f"Nothing is repaired while {planted} is a symlink" in doctor.stderr
    assert f"problem  home folders: {planted} is a symlink" in doctor.stdout


@pytest.mark.shelf("install alpha --yes", "install beta --yes", "run argv-tool")
def test_symlinks_below_the_home_folders_are_unlinked_never_followed(shelf, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    before = plant_canary(outside, ["stuff", "1", "resolve-1"])
    home = shelf.shelf_home
    shelf.ok("config", "set", "keep_generations", "1")  # gc now collects generation 1
    old_site = next((home / "gens" / "1" / "lib").glob("python3*/site-packages"))
    (old_site / "planted").symlink_to(outside, target_is_directory=True)
    (home / "gens" / "1" / "bin" / "planted").symlink_to(outside / "stuff" / "precious.txt")
    (home / "gens" / "8").symlink_to(outside, target_is_directory=True)
    (home / "work").mkdir(exist_ok=True)
    (home / "work" / f"resolve-{DEAD_PID}").symlink_to(outside, target_is_directory=True)
    (home / "trash").mkdir(exist_ok=True)
    (home / "trash" / "5.1.2").symlink_to(outside, target_is_directory=True)
    run_dir = next(p for p in (home / "runs").iterdir() if p.is_dir())
    (run_dir / ".pyshelf-run").unlink()  # no longer fresh: the next run rebuilds it
    (run_dir / "planted").symlink_to(outside, target_is_directory=True)
    (home / "runs" / "fedcba9876543210fedc").symlink_to(outside, target_is_directory=True)
    (home / "isolated").mkdir(exist_ok=True)
    (home / "isolated" / "alpha-9").symlink_to(outside, target_is_directory=True)
    (home / "app" / ("0.0.1-" + "2" * 19)).symlink_to(outside / "1", target_is_directory=True)

    crashes = run_every_command(shelf)

    assert contents(outside) == before
    assert crashes == []
    assert not (home / "gens" / "1").exists()  # collected, its planted link unlinked
    assert not os.path.lexists(home / "gens" / "8")  # doctor --fix unlinked the link
    assert not os.path.lexists(home / "work" / f"resolve-{DEAD_PID}")
    assert not os.path.lexists(home / "isolated" / "alpha-9")



def tree_of(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Each path below ``folder``: its mode, and a file's bytes."""
    found = {}
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(root) / name
            found[str(path.relative_to(folder))] = (
                path.lstat().st_mode, b"" if path.is_dir() else path.read_bytes())
    return found


@pytest.mark.shelf("install alpha --yes")
def test_a_link_planted_where_a_store_entry_goes_is_replaced_never_used(shelf, tmp_path):
    entry = store_entry(shelf, "alpha")
    outside = tmp_path / "outside"
    shutil.copytree(entry, outside, symlinks=True)  # an entry's look-alike, read-only too
    before = tree_of(outside)
    shelf.ok("remove", "alpha", "--yes")
    shelf.ok("config", "set", "keep_generations", "1")
    shelf.ok("gc")
    assert not entry.exists()
    entry.symlink_to(outside, target_is_directory=True)  # under the name alpha's entry takes

    shelf.ok("install", "alpha", "--yes")

    assert entry.is_dir() and not entry.is_symlink()  # filled anew in place of the link
    imported = shelf_python(shelf, "import alpha; print(alpha.__file__)").stdout.strip()
    assert os.path.realpath(imported).startswith(f"{entry}{os.sep}"), imported
    assert tree_of(outside) == before
