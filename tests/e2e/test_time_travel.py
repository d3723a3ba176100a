"""history, diff, undo, rollback, snapshots, clean and gc."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
from tests.e2e.helpers import current_target, generation_dirs, packages, snapshot, wait_for

# op 1 is the init; op 2 makes generation 1, op 3 generation 2
pytestmark = pytest.mark.shelf("install beta --yes", "install app-tool --yes")


def test_history_lists_every_operation(shelf):
    lines = shelf.ok("history").stdout.splitlines()
    assert lines[0].split() == ["#", "Time", "Command", "Generations", "Changes"]
    assert "pyshelf install app-tool --yes" in lines[1] and "1 -> 2" in lines[1]
    assert lines[1].endswith("+3 ~0 -0")
    assert "pyshelf install beta --yes" in lines[2] and lines[2].endswith("+2 ~0 -0")
    assert "pyshelf init" in lines[3] and "- -> 0" in lines[3]
    data = json.loads(shelf.ok("history", "--limit", "1", "--json").stdout)
    assert [(d["id"], d["from_generation"], d["to_generation"], d["summary"]) for d in data] \
        == [(3, 1, 2, "+3 ~0 -0")]


def test_diff_of_last_operation_and_of_two_generations(shelf):
    last = shelf.ok("diff").stdout
    assert "+ app-tool 1.1" in last and "+ leaf 1.0" in last and "beta" not in last
    first = json.loads(shelf.ok("diff", "2", "--json").stdout)
    assert [a["name"] for a in first["added"]] == ["beta", "gamma"]
    between = json.loads(shelf.ok("diff", "2", "0", "--json").stdout)
    assert {r["name"] for r in between["removed"]} == {"app-tool", "beta"}
    assert {r["name"] for r in between["orphaned"]} == {"gamma", "helper-lib", "leaf"}
    assert shelf.run("diff", "99").returncode == 1


def test_undo_is_an_instant_switch_and_can_itself_be_undone(shelf, wheel_index):
    wheel_index.server.stop()  # no network needed for a generation still on disk
    try:
        result = shelf.ok("undo", "--yes")
        assert "Back to generation 1:" in result.stdout
        assert "- app-tool 1.1" in result.stdout
        assert current_target(shelf) == "gens/1"
        assert shelf.bash("command -v app-tool; beta").stdout == "beta 1.0\n"
        assert set(packages(shelf)) == {"beta", "gamma"}
        shelf.ok("undo", "--yes")
    finally:
        wheel_index.server.start()
    assert current_target(shelf) == "gens/2"
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"
    assert generation_dirs(shelf) == ["0", "1", "2"]
    history = json.loads(shelf.ok("history", "--json").stdout)
    assert [(h["from_generation"], h["to_generation"]) for h in history[:2]] == [(1, 2), (2, 1)]


def test_undo_several_steps_and_rollback(shelf):
    shelf.ok("undo", "2", "--yes")
    assert packages(shelf) == {}
    shelf.ok("rollback", "--to", "2", "--yes")
    assert set(packages(shelf)) == {"app-tool", "beta", "gamma", "helper-lib", "leaf"}
    result = shelf.run("rollback", "--to", "42", "--yes")
    assert result.returncode == 1 and "Generation 42 is not recorded" in result.stderr


def test_undo_restores_the_intent_too(shelf):
    shelf.ok("remove", "app-tool", "--yes")
    shelf.ok("undo", "--yes")
    assert packages(shelf)["app-tool"] == ("1.1", "explicit")
    shelf.ok("remove", "app-tool", "--yes")  # the intent came back with the packages
    assert "app-tool" not in packages(shelf)


def test_undo_beyond_history_is_refused(sandbox, shelf_templates):
    shelf_templates.copy_into(sandbox)
    result = sandbox.run("undo", "--yes")
    assert result.returncode == 1
    assert "only 0 operation(s) to undo" in result.stderr


def test_undo_dry_run_and_prompt_rules(shelf):
    before = snapshot(shelf)
    assert "Dry run" in shelf.ok("undo", "--dry-run").stdout
    refused = shelf.run("undo")
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert snapshot(shelf) == before


def test_snapshot_restore_and_list(shelf):
    shelf.ok("snapshot", "tools")
    shelf.ok("remove", "app-tool", "beta", "--yes")
    result = shelf.ok("restore", "tools", "--yes")
    assert "+ app-tool 1.1" in result.stdout
    assert set(packages(shelf)) == {"app-tool", "beta", "gamma", "helper-lib", "leaf"}
    listed = json.loads(shelf.ok("snapshots", "--json").stdout)
    assert [(s["name"], s["generation"], s["packages"]) for s in listed] == \
        [("baseline", 0, 0), ("tools", 2, 5)]


@pytest.mark.parametrize(("name", "message"), [
    ("baseline", "reserved"),
    ("current", "reserved"),
    ("12", "looks like a generation number"),
    ("-x", "not a valid snapshot name"),
    ("has space", "not a valid snapshot name"),
    ("../etc", "not a valid snapshot name"),
])
def test_bad_snapshot_names_are_refused(shelf, name, message):
    result = shelf.run("snapshot", "--", name) if name.startswith("-") else \
        shelf.run("snapshot", name)
    assert result.returncode == 2
    assert message in result.stderr


def test_existing_snapshot_needs_force_and_can_be_deleted(shelf):
    shelf.ok("snapshot", "tools")
    shelf.ok("remove", "app-tool", "--yes")
    refused = shelf.run("snapshot", "tools")
    assert refused.returncode == 1 and "--force" in refused.stderr
    shelf.ok("snapshot", "tools", "--force")
    assert json.loads(shelf.ok("snapshots", "--json").stdout)[1]["generation"] == 3
    shelf.ok("snapshot", "--delete", "tools")
    assert shelf.run("restore", "tools", "--yes").returncode == 1


def test_clean_empties_the_shelf_undoably(shelf):
    shelf.ok("clean", "--yes")
    assert packages(shelf) == {}
    assert shelf.bash("command -v beta").stdout == ""
    shelf.ok("undo", "--yes")
    assert "beta" in packages(shelf)
    shelf.ok("clean", "--keep-baseline", "--yes")
    assert packages(shelf) == {} and current_target(shelf) == "gens/0"


def _grow(shelf, count):
    for spec in ["alpha<2", "alpha", "gamma<1.1", "gamma", "eta", "epsilon", "zeta"][:count]:
        shelf.ok("install", spec, "--yes")


def _grown_by_five(shelf) -> None:
    """Generations 3..7, 1 collected; once its deletion in the background is done, so that
    the shelf can be copied."""
    _grow(shelf, 5)
    wait_for(lambda: not any((shelf.shelf_home / "trash").iterdir()))


def test_gc_keeps_current_newest_and_pinned(shelf):
    shelf.ok("snapshot", "two")  # pins generation 2
    _grow(shelf, 5)              # generations 3..7
    assert generation_dirs(shelf) == ["0", "2", "3", "4", "5", "6", "7"]
    shelf.ok("rollback", "--to", "3", "--yes")
    assert shelf.ok("gc").stdout.startswith("Nothing to collect")
    assert current_target(shelf) == "gens/3"


@pytest.mark.shelf("install beta --yes", "install app-tool --yes", then=_grown_by_five)
def test_collected_generation_is_rebuilt_from_its_lock(shelf):
    # generations 3..7; 1 is collected (0 is the pinned baseline)
    assert "1" not in generation_dirs(shelf)
    result = shelf.ok("rollback", "--to", "1", "--yes")
    assert "Rebuilding generation 1 from its lock:" in result.stdout
    assert current_target(shelf) == "gens/8"
    assert packages(shelf) == {"beta": ("1.0", "explicit"), "gamma": ("1.1", "dependency")}
    assert shelf.bash("beta").stdout == "beta 1.0\n"


def test_restore_of_a_snapshot_whose_directory_vanished(shelf):
    shelf.ok("snapshot", "tools")
    shelf.ok("clean", "--yes")
    shutil.rmtree(shelf.shelf_home / "gens" / "2")
    result = shelf.ok("restore", "tools", "--yes")
    assert "Rebuilding generation 2" in result.stdout
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"


def test_gc_never_follows_a_planted_symlink(shelf, tmp_path):
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    gen1 = shelf.shelf_home / "gens" / "1"
    shutil.rmtree(gen1)
    gen1.symlink_to(outside, target_is_directory=True)
    _grow(shelf, 5)
    assert not gen1.is_symlink() and not gen1.exists()
    assert (outside / "keep.txt").read_text() == "mine"


def test_collected_generations_are_deleted_in_the_background(shelf):
    _grow(shelf, 5)
    trash = shelf.shelf_home / "trash"
    deadline = time.monotonic() + 30
    while any(trash.iterdir()):
        assert time.monotonic() < deadline, "the trash was never emptied"
        time.sleep(0.05)


def test_symlinks_planted_in_the_trash_are_never_followed(shelf, tmp_path):
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    trash = shelf.shelf_home / "trash"
    trash.mkdir(exist_ok=True)
    (trash / "9.1.2").symlink_to(outside, target_is_directory=True)  # named as pyshelf would
    (trash / "planted").symlink_to(outside, target_is_directory=True)
    shelf.ok("gc")
    wait_for(lambda: not os.path.lexists(trash / "9.1.2"))  # a child empties the trash
    assert (trash / "planted").is_symlink()  # not a name pyshelf gives: not pyshelf's to delete
    assert (outside / "keep.txt").read_text() == "mine"


def test_a_symlinked_trash_stops_every_change(shelf, tmp_path):
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    _grow(shelf, 4)
    trash = shelf.shelf_home / "trash"
    if trash.exists():
        trash.rename(tmp_path / "old-trash")
    trash.symlink_to(outside, target_is_directory=True)
    before = generation_dirs(shelf)

    result = shelf.run("install", "zeta", "--yes")
    collected = shelf.run("gc")

    assert result.returncode == collected.returncode == 1
    assert f"{trash} is a symlink; pyshelf only writes and deletes in real folders" in result.stderr
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]
    assert generation_dirs(shelf) == before
