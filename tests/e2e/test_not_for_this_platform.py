"""A requirement whose marker is false for the shelf's interpreter: kept in the intent, shown
by ``list``, removable, and exported so that a machine it is for gets it."""

from __future__ import annotations

import json

import pytest
from tests.e2e.helpers import packages, run_without_subprocesses

WINDOWS_ONLY = 'leaf; sys_platform == "win32"'

pytestmark = pytest.mark.shelf(f"install beta '{WINDOWS_ONLY}' --yes")


def test_list_shows_it_as_not_for_this_platform(shelf):
    table = shelf.ok("list").stdout
    row = next(line for line in table.splitlines() if line.startswith("leaf "))
    assert "not-for-this-platform" in row
    assert "1 not for this platform" in table.splitlines()[-1]

    listed = json.loads(shelf.ok("list", "--json").stdout)
    leaf = next(p for p in listed["packages"] if p["name"] == "leaf")
    assert leaf == {"name": "leaf", "version": None, "type": "not-for-this-platform",
                    "requested": WINDOWS_ONLY, "source": None, "installed_at": None}
    assert listed["summary"]["not_for_this_platform"] == 1
    assert "leaf" in shelf.ok("list", "--explicit").stdout
    assert "leaf" not in shelf.ok("list", "--deps").stdout
    assert run_without_subprocesses(shelf, ["list"], ["list", "--json"]).returncode == 0


def test_remove_drops_it_from_the_intent_as_one_change(shelf):
    before = shelf.ok("history", "--json").stdout

    result = shelf.ok("remove", "leaf", "--yes")

    assert "'leaf' is not installed here" in result.stderr
    assert "leaf" not in packages(shelf)
    assert packages(shelf) == {"beta": ("1.0", "explicit"), "gamma": ("1.1", "dependency")}
    history = json.loads(shelf.ok("history", "--json").stdout)
    assert len(history) == len(json.loads(before)) + 1
    assert "remove leaf" in history[0]["command"]
    shelf.ok("undo", "--yes")
    assert packages(shelf)["leaf"] == (None, "not-for-this-platform")


def test_requirements_export_keeps_it_with_its_marker(shelf):
    out = shelf.home / "shelf.txt"
    shelf.ok("export", "--format", "requirements", "-o", str(out))
    lines = out.read_text().splitlines()
    assert f"{WINDOWS_ONLY}  # requested: {WINDOWS_ONLY}" in lines

    shelf.ok("remove", "leaf", "--yes")
    shelf.ok("import", str(out), "--yes")
    assert packages(shelf)["leaf"] == (None, "not-for-this-platform")

