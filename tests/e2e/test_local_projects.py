"""Local projects, editable installs, wheel files and direct URLs: built, tracked, shown."""

from __future__ import annotations

import json

import pytest
from tests.e2e.helpers import packages, snapshot
from tests.support.projects import set_message, write_project


def _listed(shelf):
    return {p["name"]: p for p in json.loads(shelf.ok("list", "--json").stdout)["packages"]}


def test_local_project_is_built_named_from_metadata_and_tracked(shelf):
    project = write_project(shelf.home / "src" / "tool", "local-tool", "0.3.1",
                            dependencies=("gamma<1.1",), script="local-tool")
    result = shelf.ok("install", "./src/tool", "--yes")
    assert "+ local-tool" in result.stdout and "+ gamma 1.0" in result.stdout
    assert "rebuilt from source" not in result.stdout  # new, so not rebuilt: shown once
    assert "local-tool 0.3.1 (built from source)" in result.stderr
    listed = _listed(shelf)
    assert listed["local-tool"]["version"] == "0.3.1"
    assert listed["local-tool"]["type"] == "local"
    assert listed["local-tool"]["source"] == str(project)
    assert listed["gamma"]["type"] == "dependency"
    text = shelf.ok("list").stdout
    assert "Source" in text.splitlines()[0] and str(project) in text
    assert text.splitlines()[-1] == "2 package(s): 0 explicit, 1 local, 1 dependencies"
    assert shelf.ok("list", "--local").stdout.count("\n") == 3  # header, one row, summary
    assert shelf.bash("local-tool").stdout == "hello\n"


def test_reinstalling_a_path_rebuilds_it_even_if_only_python_files_changed(shelf):
    project = write_project(shelf.home / "tool", "local-tool", "1.0", script="local-tool")
    shelf.ok("install", str(project), "--yes")
    set_message(project, "local-tool", "changed")
    result = shelf.ok("install", str(project), "--yes")
    assert "~ local-tool 1.0 (rebuilt from source)" in result.stdout
    assert shelf.bash("local-tool").stdout == "changed\n"


def test_update_rebuilds_local_projects_and_reads_a_new_dynamic_version(shelf):
    project = write_project(shelf.home / "tool", "local-tool", "1.0", script="local-tool")
    shelf.ok("install", str(project), "--yes")
    (project / "VERSION").write_text("1.1\n")
    set_message(project, "local-tool", "newer")
    result = shelf.ok("update", "--yes")
    assert packages(shelf)["local-tool"] == ("1.1", "local")
    assert shelf.bash("local-tool").stdout == "newer\n"
    assert [line for line in result.stdout.splitlines() if "local-tool" in line] == [
        "  ~ local-tool 1.0 (rebuilt from source)"]  # once, with the version it has
    assert "local-tool 1.0 -> 1.1 (built from source)" in result.stderr
    diff = json.loads(shelf.ok("diff", "--json").stdout)
    assert diff["upgraded"] == [{"name": "local-tool", "old": "1.0", "new": "1.1"}]


def test_editable_install_shows_source_edits_without_reinstalling(shelf):
    project = write_project(shelf.home / "my tool", "edit-tool", "2.0")
    shelf.ok("install", "-e", str(project), "--yes")
    assert _listed(shelf)["edit-tool"]["type"] == "editable"
    code = "python3 -c 'import edit_tool; print(edit_tool.MESSAGE)'"
    assert shelf.bash(code).stdout == "hello\n"
    set_message(project, "edit-tool", "edited in place")
    assert shelf.bash(code).stdout == "edited in place\n"
    shelf.ok("install", "alpha", "--yes")  # a later generation keeps it editable
    set_message(project, "edit-tool", "still live")
    assert shelf.bash(code).stdout == "still live\n"
    shelf.ok("remove", "edit-tool", "--yes")
    assert "edit-tool" not in packages(shelf)


def test_wheel_file_and_direct_url_are_tracked_with_their_source(shelf, wheel_index):
    wheel = wheel_index.root / "files" / "alpha-1.0-py3-none-any.whl"
    url = wheel_index.url.replace("/simple/", "/files/eta-1.0-py3-none-any.whl")
    shelf.ok("install", str(wheel), f"eta @ {url}", "--yes")
    listed = _listed(shelf)
    assert (listed["alpha"]["type"], listed["alpha"]["source"]) == ("local", str(wheel))
    assert (listed["eta"]["type"], listed["eta"]["source"]) == ("url", url)
    assert shelf.bash("python3 -c 'import alpha, eta; print(alpha.__version__)'").stdout \
        == "1.0\n"


@pytest.mark.shelf("install beta --yes")
@pytest.mark.parametrize(("make", "fragment"), [
    (lambda home: home / "nowhere", "There is no file or directory at"),
    (lambda home: (home / "empty").mkdir() or home / "empty", "is not a Python project"),
    (lambda home: (home / "notes.txt").write_text("x") and home / "notes.txt",
     "neither a project directory nor a wheel"),
])
def test_bad_local_targets_change_nothing(shelf, make, fragment):
    target = make(shelf.home)
    before = snapshot(shelf)
    result = shelf.run("install", str(target), "--yes")
    assert result.returncode == 1
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(shelf) == before


@pytest.mark.shelf("install beta --yes")
def test_a_failed_build_shows_what_its_backend_said(shelf):
    project = write_project(shelf.home / "bad", "broken-on-purpose", "1.0")
    before = snapshot(shelf)

    result = shelf.run("install", str(project), "--yes")

    assert result.returncode == 1
    assert result.stderr == (f"error: Building the project at {project} failed; its build "
                             "backend said:\n  RuntimeError: this project refuses to build\n")
    assert snapshot(shelf) == before


def test_editable_needs_a_directory(shelf, wheel_index):
    wheel = wheel_index.root / "files" / "alpha-1.0-py3-none-any.whl"
    result = shelf.run("install", "-e", str(wheel), "--yes")
    assert result.returncode == 1 and "needs a project directory" in result.stderr
