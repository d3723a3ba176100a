"""Changes made inside the shelf by other tools: reported, adopted, or dropped after a word."""

from __future__ import annotations

import subprocess

import pytest
from tests.e2e.helpers import current_target, packages

WARNING = "changed outside pyshelf"


pytestmark = pytest.mark.shelf("install beta --yes")


def pip(shelf, *args: str) -> None:
    """Real pip, run by the base interpreter against the shelf's python, as someone might."""
    subprocess.run(
        [str(shelf.base_python), "-m", "pip", "--python", str(shelf.shelf_home / "env" / "bin"
         / "python"), "--disable-pip-version-check", "--quiet", *args,
         *(["--index-url", shelf.index_url] if args[0] == "install" else ["--yes"])],
        env=shelf.env, check=True, capture_output=True, text=True,
    )


def test_outside_changes_are_reported_once_on_every_command(shelf):
    pip(shelf, "install", "app-tool==1.0")

    for command in (["list"], ["history"], ["deps", "beta"]):
        result = shelf.ok(*command)
        assert result.stderr.count(WARNING) == 1
        assert ("3 package(s) changed outside pyshelf (app-tool 1.0 added, helper-lib 1.0 "
                "added, leaf 1.0 added); run `pyshelf doctor`.") in result.stderr
    assert "app-tool" not in packages(shelf)  # the record is not rewritten behind your back


def test_adopt_records_what_was_added_as_explicit_or_dependency(shelf):
    pip(shelf, "install", "app-tool==1.0", "gamma==1.0")

    result = shelf.ok("adopt", "--yes")

    assert "Adopting 4 change(s) made outside pyshelf" in result.stderr
    assert packages(shelf) == {
        "app-tool": ("1.0", "explicit"), "helper-lib": ("1.0", "dependency"),
        "leaf": ("1.0", "dependency"), "beta": ("1.0", "explicit"),
        "gamma": ("1.0", "dependency"),
    }
    assert WARNING not in shelf.ok("list").stderr
    assert shelf.bash("app-tool").returncode == 0
    shelf.ok("undo", "--yes")  # back to the generation pip changed, as it is
    assert current_target(shelf) == "gens/1"
    assert WARNING in shelf.ok("list").stderr


def test_adopt_after_pip_uninstall_keeps_what_was_left_behind(shelf):
    pip(shelf, "uninstall", "beta")

    shelf.ok("adopt", "--yes")

    assert packages(shelf) == {"gamma": ("1.1", "explicit")}


def test_adopt_dry_run_shows_the_plan_and_changes_nothing(shelf):
    pip(shelf, "install", "alpha==1.0")

    result = shelf.ok("adopt", "--dry-run")

    assert "+ alpha 1.0" in result.stdout
    assert current_target(shelf) == "gens/1"
    assert WARNING in shelf.ok("list").stderr


def test_nothing_to_adopt(shelf):
    assert shelf.ok("adopt").stdout == (
        "Nothing to adopt: the shelf holds exactly what pyshelf recorded.\n")


def test_next_change_drops_outside_changes_after_saying_so(shelf):
    pip(shelf, "install", "app-tool==1.0")

    result = shelf.ok("install", "alpha", "--yes")

    assert ("3 change(s) made outside pyshelf will not carry over to generation 2 (app-tool "
            "1.0 added, helper-lib 1.0 added, leaf 1.0 added); `pyshelf adopt` first keeps "
            "them.") in result.stderr
    assert set(packages(shelf)) == {"alpha", "beta", "gamma"}
    assert WARNING not in shelf.ok("list").stderr
