"""export and import of a shelf that holds an editable project, a wheel file and a direct
URL: recreated on the same machine, and named (or skipped) where a path is missing."""

from __future__ import annotations

import json
import shutil

import pytest
from tests.e2e.helpers import packages, snapshot
from tests.support.projects import write_project
from tests.support.toml import tomllib

FORMATS = [("requirements", "shelf.txt"), ("json", "shelf.json"), ("pylock", "pylock.toml")]


@pytest.fixture(scope="module")
def add_sources(wheel_index):
    """What installs an editable project, a wheel file and a URL package besides beta: one
    function for the module, so that the shelf it makes is built once and copied."""
    def add(shelf) -> None:
        project = write_project(shelf.home / "src" / "edit-tool", "edit-tool", "1.0")
        wheel = shelf.home / "alpha-1.0-py3-none-any.whl"
        shutil.copy(wheel_index.root / "files" / wheel.name, wheel)
        url = wheel_index.url.replace("/simple/", "/files/eta-1.0-py3-none-any.whl")
        shelf.ok("install", "-e", str(project), str(wheel), f"eta @ {url}", "--yes")
    return add


@pytest.fixture
def shelf(sandbox, shelf_templates, add_sources):
    """The shelf with an editable project, a wheel file and a URL package besides beta."""
    return shelf_templates.copy_into(sandbox, (("install", "beta", "--yes"),), then=add_sources)


@pytest.fixture
def sources(shelf):
    """The shelf's editable project."""
    return shelf.home / "src" / "edit-tool"


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_an_export_with_local_sources_is_imported_again_on_the_same_machine(
        shelf, sources, fmt, name):
    exported = shelf.home / name
    shelf.ok("export", "--format", fmt, "-o", str(exported))
    before = packages(shelf)
    shelf.ok("clean", "--yes")

    shelf.ok("import", str(exported), "--yes")

    assert packages(shelf) == before
    assert before["edit-tool"] == ("1.0", "editable")
    assert before["alpha"][1] == "local" and before["eta"][1] == "url"


def test_each_format_says_which_entries_are_machine_specific(shelf, sources):
    text = shelf.ok("export").stdout
    assert "# machine-specific (paths on this machine): alpha, edit-tool" in text
    rows = json.loads(shelf.ok("export", "--format", "json").stdout)["requirements"]
    assert {r["name"]: r["machine_specific"] for r in rows} == {
        "alpha": True, "beta": False, "edit-tool": True, "eta": False}
    assert {r["name"]: r["kind"] for r in rows}["edit-tool"] == "editable"
    lock = tomllib.loads(shelf.ok("export", "--format", "pylock").stdout)
    assert lock["tool"]["pyshelf"]["machine-specific"] == ["alpha", "edit-tool"]
    tool = next(p for p in lock["packages"] if p["name"] == "edit-tool")
    assert tool["directory"] == {"path": str(sources), "editable": True}
    assert "version" not in tool


@pytest.mark.parametrize(("fmt", "name"), FORMATS)
def test_a_missing_project_folder_is_named_and_skip_missing_imports_the_rest(
        shelf, sources, fmt, name):
    exported = shelf.home / name
    shelf.ok("export", "--format", fmt, "-o", str(exported))
    shelf.ok("remove", "edit-tool", "--yes")
    shutil.rmtree(sources)
    shelf.ok("clean", "--yes")
    before = snapshot(shelf)

    refused = shelf.run("import", str(exported), "--yes")

    assert refused.returncode == 1
    assert refused.stderr == (
        f"error: {exported} needs the project folder {sources} of edit-tool, which is not on "
        "this machine; nothing was changed (--skip-missing imports the rest).\n")
    assert snapshot(shelf) == before

    result = shelf.ok("import", str(exported), "--yes", "--skip-missing")

    assert (f"edit-tool is not imported: the project folder {sources} of edit-tool is not on "
            "this machine.") in result.stderr
    assert set(packages(shelf)) == {"alpha", "beta", "eta", "gamma"}
