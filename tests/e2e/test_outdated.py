"""outdated: newer releases on the index, what update would do, and what holds the rest."""

from __future__ import annotations

import json

import pytest
from tests.e2e.helpers import packages, snapshot


@pytest.fixture
def shelf(sandbox, shelf_templates, wheel_index):
    pinned = wheel_index.root / "outdated-pins.txt"
    pinned.write_text("alpha==1.0\napp-tool==1.0\nholder==1.0\nmover==1.0\n")
    commands = (("import", str(pinned), "--yes"),  # old versions first, looser intent below
                ("install", "alpha<2", "app-tool", "holder", "mover", "--yes"))
    return shelf_templates.copy_into(sandbox, commands)


def _rows(shelf, *args: str) -> dict[str, dict[str, object]]:
    return {row["name"]: row for row in json.loads(shelf.ok("outdated", "--json", *args).stdout)}


def test_outdated_names_what_update_moves_and_what_holds_the_rest(shelf):
    before = snapshot(shelf)

    rows = _rows(shelf)

    assert set(rows) == {"alpha", "app-tool", "mover"}  # holder is at its newest
    assert rows["app-tool"] == {"name": "app-tool", "installed": "1.0", "newest": "1.1",
                                "update_gives": "1.1", "explicit": True, "isolated_app": None,
                                "held_back": False, "held_back_by": []}
    assert rows["alpha"]["update_gives"] == "1.0" and rows["alpha"]["held_back"]
    assert rows["alpha"]["held_back_by"] == [{"package": None, "requirement": "alpha<2"}]
    assert snapshot(shelf) == before  # a look, not a change


def test_outdated_all_shows_the_dependency_a_requirement_holds_back(shelf):
    rows = _rows(shelf, "--all")

    assert rows["hold-lib"]["explicit"] is False
    assert (rows["hold-lib"]["installed"], rows["hold-lib"]["newest"]) == ("1.0", "2.0")
    assert rows["hold-lib"]["held_back_by"] == [{"package": "holder",
                                                 "requirement": "hold-lib<2"}]


def test_outdated_table_reads_as_sentences(shelf):
    result = shelf.ok("outdated", "--all")

    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Name", "Installed", "Newest", "update", "gives", "Held",
                                "back", "by"]
    alpha = next(line for line in lines if line.startswith("alpha"))
    assert alpha.split()[:4] == ["alpha", "1.0", "2.0", "1.0"]
    assert alpha.endswith("your requirement alpha<2")
    assert any(line.endswith("holder (requires hold-lib<2)") for line in lines)
    assert lines[-1] == "5 package(s) have newer releases; `pyshelf update` moves 3 of them."
    shelf.ok("update", "--yes")  # and update does what it said
    assert packages(shelf)["app-tool"] == ("1.1", "explicit")
    assert packages(shelf)["alpha"] == ("1.0", "explicit")


def test_a_requirement_the_update_replaces_is_not_named_as_a_holder(shelf):
    """mover 1.0 asks for moved-lib<2, but update moves mover to 2.0 (moved-lib<3)."""
    rows = _rows(shelf, "--all")

    assert (rows["moved-lib"]["update_gives"], rows["moved-lib"]["held_back"]) == ("2.0", True)
    assert rows["moved-lib"]["held_back_by"] == []
    line = next(line for line in shelf.ok("outdated", "--all").stdout.splitlines()
                if line.startswith("moved-lib"))
    assert line.endswith("what mover 2.0 will require (update moves it too; see again after "
                         "`pyshelf update`)")


def test_outdated_on_an_up_to_date_shelf(sandbox, shelf_templates):
    shelf_templates.copy_into(sandbox, (("install", "beta", "--yes"),))

    assert sandbox.ok("outdated").stdout == "Every explicit package is at its newest release.\n"
    assert json.loads(sandbox.ok("outdated", "--json").stdout) == []


def test_outdated_without_the_index_says_so(shelf):
    shelf.env["PYSHELF_INDEX_URL"] = "http://127.0.0.1:9/simple/"

    result = shelf.run("outdated")

    assert result.returncode == 1
    assert "The package index at 127.0.0.1:9 could not be connected to" in result.stderr


def test_outdated_looks_into_isolated_apps_too(shelf):
    shelf.ok("install", "--isolated", "shared-user==1.0", "--yes")
    shelf.ok("install", "--isolated", "shared-user", "--yes")  # looser; 1.0 is kept

    rows = _rows(shelf)

    assert rows["shared-user"]["isolated_app"] == "shared-user"
    assert (rows["shared-user"]["installed"], rows["shared-user"]["update_gives"]) == (
        "1.0", "1.1")
    assert "shared-user (isolated)" in shelf.ok("outdated").stdout
