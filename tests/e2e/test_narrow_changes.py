"""Changes that do only their own work: ``remove`` computes its lock without running the
resolver, and ``install`` resolves a new requirement against the shelf's pins first; both
end with the lock that today's full resolve gives."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from tests.e2e.helpers import begun_before_pipeline, packages, started_by, uv_wrapper
from tests.support import narrow_probe
from uv import find_uv_bin

SHELVES = [
    pytest.param(None, marks=pytest.mark.shelf(
        "install delta wants-fast beta app-tool holder --yes"), id="extras-asked-by-a-package"),
    pytest.param(None, marks=pytest.mark.shelf(
        "install 'delta[fast]' wants-fast uses-argv-tool rst-writer Mixed_Case.Name --yes"),
        id="extras-asked-by-the-person"),
    pytest.param(None, marks=pytest.mark.shelf(
        "install beta app-tool --yes", "remove --keep-orphans app-tool --yes",
        "install mover==1.0 --yes", "install mover==2.0 --yes"), id="kept-and-left-behind"),
]
ADDED = ("alpha", "gamma==1.0", "beta", "delta", "delta[fast]", "wants-fast", "holder",
         "hold-lib", "mover", "lifter", "blacky", "clicky-pinner", "left", "right",
         "uses-argv-tool", "rst-writer", "needs-missing")


def probe(shelf, *added: str) -> dict:
    result = subprocess.run([sys.executable, narrow_probe.__file__, str(shelf.shelf_home),
                             *added], env=shelf.env, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def forbid_resolving(shelf, tmp_path: Path) -> None:
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(
        tmp_path, "compile", "echo 'error: the resolver was run' >&2; exit 2"))


@pytest.mark.parametrize("variant", SHELVES)
def test_every_removal_gets_the_resolvers_lock_without_it(shelf, variant):
    found = probe(shelf)
    assert len(found["removals"]) > 1
    for removal in found["removals"]:
        assert removal["full"] is not None
        assert removal["narrow"] == removal["full"], removal["leaving"]


@pytest.mark.parametrize("variant", SHELVES)
def test_an_addition_resolved_within_the_shelf_is_what_a_full_resolve_gives(shelf, variant):
    additions = probe(shelf, *ADDED)["additions"]
    taken = [a for a in additions if a["narrow"] is not None and not a["failed"]]
    for addition in taken:
        assert addition["narrow"] == addition["full"], addition["spec"]
    assert len(taken) >= len(additions) // 2  # the narrow resolve is the usual case
    for addition in additions:
        if addition["failed"]:  # it fails only where the full resolve fails too
            assert addition["full"] is None, addition["spec"]
    assert next(a for a in additions if a["spec"] == "needs-missing")["full"] is None


@pytest.mark.shelf("install delta wants-fast beta --yes")
def test_remove_runs_no_resolver_and_drops_what_only_an_extra_needed(shelf, tmp_path):
    forbid_resolving(shelf, tmp_path)

    result = shelf.ok("remove", "wants-fast", "--yes")

    assert "- epsilon 1.0 (orphaned dependency)" in result.stdout
    assert packages(shelf) == {"beta": ("1.0", "explicit"), "delta": ("1.0", "explicit"),
                               "eta": ("1.0", "dependency"), "gamma": ("1.1", "dependency")}
    shelf.ok("clean", "--yes")
    assert packages(shelf) == {}


@pytest.mark.shelf("install wants-fast delta beta --yes")
def test_a_generation_recorded_before_its_reach_is_walked_from_its_requirements(shelf,
                                                                                tmp_path):
    """As a pyshelf that kept requirements but not their evaluation left it."""
    with closing(sqlite3.connect(shelf.shelf_home / "state.db")) as db, db:
        db.execute("UPDATE generations SET reach = NULL, lock_packages = NULL")
    forbid_resolving(shelf, tmp_path)

    result = shelf.ok("remove", "wants-fast", "--yes")

    assert "- epsilon 1.0 (orphaned dependency)" in result.stdout
    assert packages(shelf) == {"beta": ("1.0", "explicit"), "delta": ("1.0", "explicit"),
                               "eta": ("1.0", "dependency"), "gamma": ("1.1", "dependency")}


@pytest.mark.shelf("install app-tool beta --yes")
def test_remove_resolves_where_the_generation_recorded_no_requirements(shelf, tmp_path):
    """A generation recorded before requirements were kept, as an older pyshelf left it."""
    with closing(sqlite3.connect(shelf.shelf_home / "state.db")) as db, db:
        db.execute("DELETE FROM generation_requires")
        db.execute("UPDATE generations SET reach = NULL, lock_packages = NULL")
    forbid_resolving(shelf, tmp_path)

    assert "the resolver was run" in shelf.run("remove", "app-tool", "--yes").stderr
    del shelf.env["PYSHELF_UV"]
    shelf.ok("remove", "app-tool", "--yes")
    assert packages(shelf) == {"beta": ("1.0", "explicit"), "gamma": ("1.1", "dependency")}
    forbid_resolving(shelf, tmp_path)  # the generation just built recorded them
    shelf.ok("remove", "beta", "--yes")
    assert packages(shelf) == {}


@pytest.mark.shelf("install app-tool beta --yes")
def test_install_asks_the_index_only_about_what_it_brings(shelf, wheel_index):
    """Once its wheels are in uv's cache (installed before), so that the build asks the
    index nothing either; a full resolve would ask again about every package."""
    shelf.ok("install", "holder", "--yes")
    shelf.ok("remove", "holder", "--yes")
    before = len(wheel_index.server.requests)

    shelf.ok("install", "holder", "--yes")

    pages = {path for path in wheel_index.server.requests[before:] if "/simple/" in path}
    assert pages and all(("holder" in path or "hold-lib" in path) for path in pages), pages
    assert packages(shelf)["holder"] == ("1.0", "explicit")


@pytest.mark.shelf("install mover==1.0 --yes", "install mover==2.0 --yes")
def test_a_pin_nothing_needs_gives_way_to_a_new_packages_newest_release(shelf):
    """moved-lib stays at 1.0 only because it was there: a full resolve moves it for lifter
    2.0, and so must the change, though lifter 1.0 would fit the shelf's pins."""
    assert packages(shelf)["moved-lib"] == ("1.0", "dependency")

    result = shelf.ok("install", "lifter", "--yes")

    assert packages(shelf)["lifter"] == ("2.0", "explicit")
    assert packages(shelf)["moved-lib"] == ("2.0", "dependency")
    assert "held back" not in result.stderr


def descriptions(started: list[list[str]]) -> list[list[str]]:
    """The runs of an interpreter asked for its facts (``python -I -c ...``)."""
    return [argv for argv in started if argv[1:3] == ["-I", "-c"]]


@pytest.mark.shelf("install beta --yes")
def test_a_change_on_the_same_interpreter_does_not_start_it_to_describe_it(shelf):
    assert not descriptions(started_by(shelf, ["remove", "beta", "--yes"]))
    assert not descriptions(started_by(shelf, ["install", "alpha", "--yes"]))
    assert list(packages(shelf)) == ["alpha"]


@pytest.mark.shelf("install beta --yes")
def test_an_interpreter_that_changed_is_described_again(shelf):
    with closing(sqlite3.connect(shelf.shelf_home / "state.db")) as db, db:
        identity, printed = json.loads(db.execute(
            "SELECT value FROM meta WHERE key = 'described_interpreter'").fetchone()[0])
        db.execute("UPDATE meta SET value = ? WHERE key = 'described_interpreter'",
                   (json.dumps([identity.replace("[", "[0, ", 1), printed]),))

    assert len(descriptions(started_by(shelf, ["remove", "beta", "--yes"]))) == 1
    assert not descriptions(started_by(shelf, ["install", "beta", "--yes"]))


@pytest.mark.shelf("install app-tool beta --yes")
def test_installing_a_dependency_changes_its_role_and_runs_no_uv_pip(shelf, tmp_path):
    assert packages(shelf)["gamma"] == ("1.1", "dependency")
    no_pip = tmp_path / "uv-without-pip"
    no_pip.write_text("#!/bin/sh\nif [ \"$1\" = pip ]; then echo 'error: uv pip was run' >&2;"
                      f" exit 2; fi\nexec '{find_uv_bin()}' \"$@\"\n")
    no_pip.chmod(0o755)
    shelf.env["PYSHELF_UV"] = str(no_pip)

    result = shelf.ok("install", "gamma", "--yes")

    assert "* gamma becomes explicit" in result.stdout
    assert packages(shelf)["gamma"] == ("1.1", "explicit")
    assert "uv pip was run" in shelf.run("install", "gamma<1.1", "--yes").stderr
    shelf.ok("undo", "--yes")
    assert packages(shelf)["gamma"] == ("1.1", "dependency")


@pytest.mark.shelf("install app-tool beta --yes")
def test_installing_what_was_asked_for_already_runs_no_uv_at_all(shelf):
    """`install beta` again, as it was asked for: nothing to change, said without a
    resolve (as pip and uv tool say a package is there already)."""
    before = shelf.ok("history", "--json").stdout

    started = started_by(shelf, ["install", "beta", "app-tool", "--yes"])

    assert [argv for argv in started if argv[1:2] in (["pip"], ["venv"])] == []
    assert shelf.ok("history", "--json").stdout == before
    assert "Nothing to change" in shelf.ok("install", "beta", "--yes").stdout


@pytest.mark.shelf("install app-tool beta --yes")
def test_installing_a_new_package_begins_its_resolve_alone_before_the_pipeline_is_read(shelf):
    """The resolve that goes to the index (to say what the shelf holds a new package back
    from) runs while Python reads the pipeline; the plan then waits for it as before."""
    assert begun_before_pipeline(shelf, "alone", "install", "alpha", "--yes")
    assert packages(shelf)["alpha"][1] == "explicit"


def uv_pip_runs(started: list[list[str]], subcommand: str) -> list[list[str]]:
    return [argv for argv in started if argv[1:3] == ["pip", subcommand]]


@pytest.mark.shelf("install app-tool beta --yes")
def test_installing_what_uv_never_saw_asks_the_index_once_and_uv_no_more_than_it_must(
        shelf, tmp_path):
    """Only the resolve of the new requirements alone asks the index about them; the
    resolve within the shelf reads what it brought into uv's cache, the fill goes to the
    index at once (uv cannot have the wheels) and takes its entries' lock tables from the
    look-up for source builds."""
    shelf.env["UV_CACHE_DIR"] = str(tmp_path / "empty-cache")  # uv has seen nothing
    # an index a little farther than this one: the cache is read before the index answers
    shelf.env["PYSHELF_UV"] = str(uv_wrapper(
        tmp_path, "compile", 'case "$*" in *--offline*) ;; *) sleep 0.5 ;; esac'))

    started = started_by(shelf, ["install", "holder", "--yes"])

    assert packages(shelf)["holder"] == ("1.0", "explicit")
    constrained = [argv for argv in uv_pip_runs(started, "compile") if "--constraint" in argv]
    assert constrained and all("--offline" in argv for argv in constrained)
    syncs = uv_pip_runs(started, "sync")
    assert len(syncs) == 1 and "--offline" not in syncs[0]
    pylocks = [argv for argv in uv_pip_runs(started, "compile") if "pylock.toml" in argv]
    assert len(pylocks) == 1 and any("source-builds" in word for word in pylocks[0])
    tables = [(entry / "pyshelf-pylock.toml").read_text()
              for entry in (shelf.shelf_home / "store").iterdir()
              if (entry / "pyshelf-pylock.toml").is_file()]
    assert sum('name = "holder"' in table for table in tables) == 1
    assert sum('name = "hold-lib"' in table for table in tables) == 1


def test_a_fill_whose_wheels_uv_has_reads_its_cache_alone(shelf):
    shelf.ok("install", "holder", "--yes")  # into uv's cache
    shelf.ok("config", "set", "keep_generations", "1")
    shelf.ok("remove", "holder", "--yes")
    shelf.ok("gc")  # and out of the store: the install fills its entries again

    syncs = uv_pip_runs(started_by(shelf, ["install", "holder", "--yes"]), "sync")

    assert [("--offline" in argv) for argv in syncs] == [True]
    assert packages(shelf)["holder"] == ("1.0", "explicit")
