"""A local project, editable project or wheel file whose source is gone: removing it works,
and every other change names it instead of failing inside uv."""

from __future__ import annotations

import shutil

import pytest
from tests.e2e.helpers import packages, snapshot
from tests.support.projects import write_project

pytestmark = pytest.mark.shelf("install beta --yes")


def _install_editable(shelf) -> None:
    project = write_project(shelf.home / "src" / "edit-tool", "edit-tool", "1.0")
    shelf.ok("install", "-e", str(project), "--yes")


# A shelf holding beta and an editable edit-tool, whose folder _gone_editable deletes.
WITH_EDITABLE = pytest.mark.shelf("install beta --yes", then=_install_editable)


def _gone_editable(shelf):
    project = shelf.home / "src" / "edit-tool"
    shutil.rmtree(project)
    return project


def _gone_wheel(shelf, wheel_index):
    wheel = shelf.home / "alpha-1.0-py3-none-any.whl"
    shutil.copy(wheel_index.root / "files" / wheel.name, wheel)
    shelf.ok("install", str(wheel), "--yes")
    wheel.unlink()
    return wheel


@WITH_EDITABLE
def test_an_editable_project_whose_folder_is_gone_can_be_removed(shelf):
    _gone_editable(shelf)
    shelf.ok("remove", "edit-tool", "--yes")
    assert "edit-tool" not in packages(shelf)


def test_a_wheel_file_that_is_gone_can_be_removed(shelf, wheel_index):
    _gone_wheel(shelf, wheel_index)
    shelf.ok("remove", "alpha", "--yes")
    assert "alpha" not in packages(shelf)


def test_removing_a_gone_source_still_rebuilds_the_local_projects_that_remain(shelf,
                                                                            wheel_index):
    kept = write_project(shelf.home / "src" / "kept-tool", "kept-tool", "1.0")
    shelf.ok("install", "-e", str(kept), "--yes")
    _gone_wheel(shelf, wheel_index)
    shelf.ok("remove", "alpha", "--yes")
    assert packages(shelf)["kept-tool"] == ("1.0", "editable")


def _refused_naming(shelf, command, sentence):
    """Run ``command`` and check that it stops with ``sentence`` and changes nothing."""
    before = snapshot(shelf)
    result = shelf.run(*command, "--yes")
    assert (result.returncode, result.stderr) == (1, f"error: {sentence}\n")
    assert snapshot(shelf) == before


@WITH_EDITABLE
@pytest.mark.parametrize("command", [("install", "gamma"), ("update",), ("rebuild",)])
def test_other_changes_name_the_gone_editable_project(shelf, command):
    project = _gone_editable(shelf)
    _refused_naming(shelf, command, (
        f"The project folder {project} of edit-tool is gone; `pyshelf remove edit-tool` "
        "takes it off the shelf, or `pyshelf install -e NEWPATH` installs it from where it "
        "is now."))


def test_other_changes_name_the_gone_wheel_file(shelf, wheel_index):
    wheel = _gone_wheel(shelf, wheel_index)
    _refused_naming(shelf, ("install", "gamma"), (
        f"The wheel file {wheel} of alpha is gone; `pyshelf remove alpha` takes it off the "
        "shelf, or `pyshelf install NEWPATH` installs it from where it is now."))


@WITH_EDITABLE
def test_installing_from_the_new_path_replaces_the_gone_one(shelf):
    project = _gone_editable(shelf)
    moved = write_project(shelf.home / "moved" / "edit-tool", "edit-tool", "1.0")
    shelf.ok("install", "-e", str(moved), "--yes")
    listed = shelf.ok("list", "--local").stdout
    assert str(moved) in listed and str(project) not in listed


@WITH_EDITABLE
def test_clean_works_with_a_gone_source(shelf):
    _gone_editable(shelf)
    shelf.ok("clean", "--yes")
    assert packages(shelf) == {}
