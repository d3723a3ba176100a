"""The shelf's pip: install and uninstall become pyshelf changes; the rest is a real pip."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.helpers import generation_dirs, packages
from tests.support.index import served


@pytest.fixture(scope="module")
def pip_index(tmp_path_factory, base_python) -> Iterator[str]:
    """An index holding the pip wheel that the base interpreter's ensurepip bundles."""
    bundled = subprocess.run(
        [str(base_python), "-c", "import ensurepip, pathlib; "
                                 "print(pathlib.Path(ensurepip.__file__).parent / '_bundled')"],
        capture_output=True, text=True, check=False).stdout.strip()
    wheels = sorted(Path(bundled).glob("pip-*.whl")) if bundled else []
    if not wheels:
        pytest.skip(f"{base_python} bundles no pip wheel (ensurepip stripped)")
    folder = tmp_path_factory.mktemp("pip-wheels")
    shutil.copy(wheels[-1], folder)
    with served(folder, tmp_path_factory.mktemp("pip-index")) as url:
        yield url


def _history(shelf) -> list[dict[str, object]]:
    return json.loads(shelf.ok("history", "--json").stdout)


def test_pip_install_and_uninstall_are_tracked_and_undoable(shelf):
    installed = shelf.bash("pip install alpha")

    assert installed.returncode == 0, installed.stderr
    assert packages(shelf)["alpha"] == ("2.0", "explicit")
    assert "pip install alpha" in str(_history(shelf)[0]["command"])

    removed = shelf.bash("pip uninstall -y alpha")
    assert removed.returncode == 0, removed.stderr
    assert "alpha" not in packages(shelf)
    shelf.ok("undo", "--yes")
    assert packages(shelf)["alpha"] == ("2.0", "explicit")


def test_pips_quiet_is_pyshelfs(shelf):
    installed = shelf.bash("pip install -q alpha")
    assert (installed.returncode, installed.stdout, installed.stderr) == (0, "", "")
    removed = shelf.bash("pip uninstall -qq -y alpha")
    assert (removed.returncode, removed.stdout, removed.stderr) == (0, "", "")
    assert "alpha" not in packages(shelf)


def test_history_shows_the_pip_command_as_typed(shelf):
    assert shelf.bash("pip3 install alpha").returncode == 0

    assert _history(shelf)[0]["command"] == "pip3 install alpha"


def test_python_m_pip_install_is_the_shelfs_pip_install(shelf):
    installed = shelf.bash("python3 -m pip install alpha")

    assert installed.returncode == 0, installed.stderr
    assert packages(shelf)["alpha"] == ("2.0", "explicit")
    assert _history(shelf)[0]["command"] == "python3 -m pip install alpha"
    removed = shelf.bash("python3 -m pip uninstall -y alpha")
    assert removed.returncode == 0, removed.stderr
    assert "alpha" not in packages(shelf)
    refused = shelf.bash("python3 -m pip install --user alpha")
    assert refused.returncode == 2
    assert "pip option --user is not supported" in refused.stderr


def test_the_stand_in_pip_is_no_package_of_the_shelf(shelf):
    shelf.ok("install", "beta", "--yes")

    status = shelf.ok("status")
    listed = shelf.ok("list")

    assert "changed outside pyshelf" not in status.stderr + listed.stderr
    assert "pip" not in packages(shelf)
    assert "pip" not in shelf.ok("deps", "beta").stdout


def test_python_m_pip_runs_a_real_pip_for_other_commands(shelf, pip_index):
    shelf.env["PYSHELF_EXTRA_INDEX_URLS"] = pip_index
    shelf.ok("install", "beta", "--yes")

    listed = shelf.bash("python3 -m pip list --format json")

    assert listed.returncode == 0, listed.stderr
    assert {p["name"] for p in json.loads(listed.stdout)} == {"beta", "gamma"}


def test_a_real_pip_on_the_shelf_stays_importable_but_not_a_way_around(shelf, pip_index):
    shelf.env["PYSHELF_EXTRA_INDEX_URLS"] = pip_index
    shelf.ok("install", "pip", "--yes")

    imported = shelf.bash("python3 -c 'import pip._internal, pip; print(pip.__version__)'")
    installed = shelf.bash("python3 -m pip install alpha")

    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == packages(shelf)["pip"][0]
    assert installed.returncode == 0, installed.stderr
    assert packages(shelf)["alpha"] == ("2.0", "explicit")
    assert "changed outside pyshelf" not in shelf.ok("status").stderr


@pytest.mark.parametrize("command", [
    "pip --help", "pip -h", "pip install --help", "pip uninstall -h", "pip help",
    "pip help install", "python3 -m pip install --help",
])
def test_help_is_the_shelfs_own(shelf, command):
    result = shelf.bash(command)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: pip install [-q] [-U] [-e PATH] SPEC...")
    assert "pip install -U requests" in result.stdout
    assert "runs a real pip" in result.stdout


def test_pip_install_upgrade_of_what_is_newest_says_so_once(shelf):
    shelf.ok("install", "alpha", "--yes")

    result = shelf.bash("pip install -U alpha")

    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Nothing to change") == 1


def test_pip_install_upgrade_moves_what_it_names(shelf, wheel_index):
    pins = wheel_index.root / "pip-pins.txt"
    pins.write_text("alpha==1.0\n")
    shelf.ok("import", str(pins), "--yes")

    upgraded = shelf.bash("pip3 install -U alpha")

    assert upgraded.returncode == 0, upgraded.stderr
    assert packages(shelf)["alpha"] == ("2.0", "explicit")
    assert str(_history(shelf)[1]["command"]).startswith("pyshelf import")  # one change


@pytest.mark.parametrize(("command", "message"), [
    ("pip install --user alpha", "pip option --user is not supported"),
    ("pip install -r requirements.txt", "pip option -r is not supported"),
    ("pip install --index-url http://example.invalid/simple alpha",
     "pip option --index-url is not supported"),
    ("pip uninstall --break-system-packages alpha",
     "pip option --break-system-packages is not supported"),
    ("pip install", "Nothing to install"),
])
def test_options_that_would_bypass_the_shelf_are_refused(shelf, command, message):
    before = generation_dirs(shelf)

    result = shelf.bash(command)

    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert generation_dirs(shelf) == before


def test_other_pip_commands_run_a_real_pip_against_the_shelf(shelf, pip_index):
    shelf.env["PYSHELF_EXTRA_INDEX_URLS"] = pip_index
    shelf.ok("install", "beta", "--yes")

    listed = shelf.bash("pip list --format json")

    assert listed.returncode == 0, listed.stderr
    assert {p["name"]: p["version"] for p in json.loads(listed.stdout)} == {
        "beta": "1.0", "gamma": "1.1"}
    shown = shelf.bash("pip show gamma")
    assert "Required-by: beta" in shown.stdout
    assert "pip" not in packages(shelf)  # pip itself stays off the shelf
