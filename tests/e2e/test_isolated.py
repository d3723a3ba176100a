"""Isolated apps: an environment of their own, linked, listed, versioned with the shelf."""

from __future__ import annotations

import json

import pytest
from tests.e2e.helpers import (
    JUPYTER_PAGE,
    KERNEL,
    SETTINGS,
    generation_dirs,
    packages,
    store_entry,
    uv_wrapper,
    write_as_tools,
    written_by_tools_in,
)
from tests.support.sandbox import Sandbox

SHELF_SHARED = ("python -c 'import importlib.metadata as m; print(m.version(\"shared\"))'")

pytestmark = pytest.mark.shelf("install left --yes")


@pytest.fixture
def conflicted(shelf):
    """A shelf whose left holds shared at 1.0."""
    return shelf


def _isolated_dirs(shelf) -> list[str]:
    folder = shelf.shelf_home / "isolated"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _listed(shelf) -> dict[str, dict[str, object]]:
    data = json.loads(shelf.ok("list", "--json").stdout)
    return {p["name"]: p for p in data["packages"]}


def test_the_conflict_offers_isolated_and_isolated_works(conflicted):
    refused = conflicted.run("install", "shared-user", "--yes")
    assert refused.returncode == 3
    assert "`pyshelf install --isolated shared-user`" in refused.stderr

    result = conflicted.ok("install", "--isolated", "shared-user", "--yes")

    assert "Isolated app shared-user (an environment of its own):" in result.stdout
    assert "+ shared-user 1.1" in result.stdout
    shell = conflicted.bash(f"shared-user; {SHELF_SHARED}")
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines() == ["shared-user 1.1 with shared 2.0", "1.0"]
    listed = _listed(conflicted)
    assert listed["shared-user"]["type"] == "isolated"
    assert listed["shared-user"]["version"] == "1.1"
    assert packages(conflicted)["shared"] == ("1.0", "dependency")  # the shelf's own
    assert (conflicted.bin_dir / "shared-user").readlink() == (
        conflicted.shelf_home / "env" / "pyshelf-isolated" / "shared-user" / "bin"
        / "shared-user")


@pytest.mark.shelf("install left --yes", "install --isolated shared-user --yes")
def test_deps_and_tree_show_the_apps_own_environment(conflicted):
    deps = json.loads(conflicted.ok("deps", "shared-user", "--json").stdout)
    assert deps["type"] == "isolated"
    assert deps["requires"] == [{"name": "shared", "version": "2.0", "specifier": "==2.0"}]
    tree = conflicted.ok("tree").stdout
    assert tree.splitlines() == ["left==1.0", "└── shared==1.0 [requires: ==1.0]",
                                 "shared-user==1.1 (isolated: its own environment)",
                                 "└── shared==2.0 [requires: ==2.0]"]


@pytest.mark.shelf("install left --yes", "install --isolated shared-user --yes")
def test_undo_and_redo_take_the_app_and_its_link_along(conflicted):
    conflicted.ok("undo", "--yes")
    assert "shared-user" not in _listed(conflicted)
    assert conflicted.bash("shared-user").returncode == 127
    conflicted.ok("undo", "--yes")
    assert conflicted.bash("shared-user").stdout == "shared-user 1.1 with shared 2.0\n"
    history = json.loads(conflicted.ok("history", "--json").stdout)
    assert any("isolated +shared-user" in str(op["summary"]) for op in history)


def test_with_adds_packages_and_update_moves_the_app(conflicted):
    conflicted.ok("install", "--isolated", "shared-user==1.0", "--with", "alpha", "--yes")
    listed = _listed(conflicted)["shared-user"]
    assert (listed["version"], listed["with"]) == ("1.0", ["alpha"])
    assert "alpha" not in packages(conflicted)  # next to the app, not on the shelf

    conflicted.ok("install", "--isolated", "shared-user", "--with", "alpha", "--yes")
    assert _listed(conflicted)["shared-user"]["version"] == "1.0"  # kept while it fits
    conflicted.ok("update", "shared-user", "--yes")
    assert _listed(conflicted)["shared-user"]["version"] == "1.1"
    assert conflicted.bash("shared-user").stdout == "shared-user 1.1 with shared 2.0\n"


@pytest.mark.shelf("install left --yes", "install --isolated shared-user --yes")
def test_other_changes_reuse_the_apps_environment(conflicted):
    before = _isolated_dirs(conflicted)

    conflicted.ok("install", "alpha", "--yes")

    assert _isolated_dirs(conflicted) == before
    assert conflicted.bash("shared-user").stdout == "shared-user 1.1 with shared 2.0\n"


def test_remove_takes_the_app_and_gc_its_environment(conflicted):
    conflicted.ok("config", "set", "keep_generations", "1")
    conflicted.ok("install", "--isolated", "shared-user", "--yes")

    conflicted.ok("remove", "shared-user", "--yes")

    assert "shared-user" not in _listed(conflicted)
    assert not (conflicted.bin_dir / "shared-user").exists()
    conflicted.ok("gc")
    assert _isolated_dirs(conflicted) == []


@pytest.mark.shelf("install left --yes", "install --isolated shared-user --yes")
def test_rebuild_rebuilds_the_app_too(conflicted):
    before = _isolated_dirs(conflicted)

    conflicted.ok("rebuild", "--yes")

    assert set(_isolated_dirs(conflicted)) - set(before)  # a new environment
    assert conflicted.bash("shared-user").stdout == "shared-user 1.1 with shared 2.0\n"


@pytest.mark.shelf()  # the shelf itself holds nothing
def test_what_tools_wrote_into_an_apps_environment_survives_its_next_one(shelf):
    shelf.ok("install", "--isolated", "data-pack", "--yes")
    app = shelf.shelf_home / "env" / "pyshelf-isolated" / "data-pack"
    write_as_tools(app)
    first = app.resolve()

    result = shelf.ok("install", "--isolated", "data-pack", "--with", "alpha", "--yes")

    assert app.resolve() != first  # a new environment
    assert written_by_tools_in(app)
    assert ("Kept 3 file(s) that tools wrote into the environment of isolated app "
            f"data-pack: {SETTINGS}, {JUPYTER_PAGE}, {KERNEL}.") in result.stderr
    assert result.stderr.count("Kept ") == 1  # the shelf's own environment had none
    assert written_by_tools_in(first)  # the previous generation's, for undo
    stored = store_entry(shelf, "data-pack") / SETTINGS  # the package's own, unchanged
    assert stored.read_text() == "[data-pack]\ncolour = blue\n"

    second = app.resolve()
    shelf.ok("rebuild", "--yes")

    assert app.resolve() not in (first, second)
    assert written_by_tools_in(app)
    assert shelf.bash("python3 -c 'import alpha'").returncode == 1  # the app's, not the shelf's


@pytest.mark.shelf("install left --yes",
                   "install --isolated shared-user==1.0 --with alpha --yes")
@pytest.mark.parametrize(("fmt", "file_name"), [("json", "shelf.json"),
                                               ("requirements", "shelf.txt"),
                                               ("pylock", "pylock.toml")])
def test_every_export_format_carries_isolated_apps(conflicted, tmp_path, wheel_index,
                                                   uv_cache_dir, base_python, shelf_templates,
                                                   fmt, file_name):
    exported = conflicted.home / file_name
    conflicted.ok("export", "--format", fmt, "-o", str(exported))

    other = shelf_templates.copy_into(Sandbox(tmp_path / "other", base_python=base_python,
                                              index_url=wheel_index.url,
                                              uv_cache_dir=uv_cache_dir))
    other.ok("import", str(exported), "--yes")

    listed = _listed(other)["shared-user"]
    assert (listed["type"], listed["version"], listed["with"]) == ("isolated", "1.0", ["alpha"])
    assert other.bash("shared-user").stdout == "shared-user 1.0 with shared 2.0\n"
    assert packages(other)["left"] == ("1.0", "explicit")


@pytest.mark.parametrize(("args", "message"), [
    (["--isolated", "a", "b"], "--isolated takes exactly one app"),
    (["--with", "alpha", "beta"], "--with adds packages next to an isolated app"),
    (["--isolated", "left"], "left is on the shelf itself"),
    (["--isolated", "beta", "--with", "beta"], "--with names beta itself"),
    (["--isolated", "--", "-x"], "'-x' is not a package"),
])
def test_bad_isolated_requests_are_refused(conflicted, args, message):
    before = generation_dirs(conflicted)
    result = conflicted.run("install", "--yes", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert generation_dirs(conflicted) == before


def test_a_failed_app_build_leaves_nothing_behind(conflicted, tmp_path):
    before = generation_dirs(conflicted)
    conflicted.env["PYSHELF_UV"] = str(uv_wrapper(
        tmp_path, "sync",
        'case "$*" in */pyshelf/work/stage-*) echo "error: broken" >&2; exit 2;; esac'))

    result = conflicted.run("install", "--isolated", "shared-user", "--yes")

    del conflicted.env["PYSHELF_UV"]
    assert result.returncode == 1
    assert generation_dirs(conflicted) == before
    assert _isolated_dirs(conflicted) == []
    assert "shared-user" not in _listed(conflicted)
