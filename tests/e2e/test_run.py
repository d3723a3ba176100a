"""pyshelf run: an app once, from the shelf when it has it, else from a throw-away env."""

from __future__ import annotations

import json

import pytest
from tests.e2e.helpers import generation_dirs, packages


def _report(result) -> dict[str, object]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_run_an_app_the_shelf_does_not_have(shelf):
    runs = shelf.shelf_home / "runs"

    first = _report(shelf.run("run", "argv-tool", "--", "file.txt", "--flag", "-x"))

    assert first == {"version": "2.0", "args": ["file.txt", "--flag", "-x"], "alpha": False}
    assert "argv-tool" not in packages(shelf)  # nothing was added to the shelf
    assert generation_dirs(shelf) == ["0"]
    built = [p.name for p in runs.iterdir() if p.is_dir()]
    assert len(built) == 1


def test_a_fresh_environment_is_reused_without_the_index(shelf):
    assert _report(shelf.run("run", "argv-tool==1.0"))["version"] == "1.0"
    env_dirs = sorted(p.name for p in (shelf.shelf_home / "runs").iterdir() if p.is_dir())
    shelf.env["PYSHELF_UV"] = "/bin/false"  # any use of uv would fail

    again = shelf.run("run", "argv-tool==1.0", "--", "again")

    assert _report(again) == {"version": "1.0", "args": ["again"], "alpha": False}
    assert sorted(p.name for p in (shelf.shelf_home / "runs").iterdir()
                  if p.is_dir()) == env_dirs


def test_with_adds_packages_next_to_the_app(shelf):
    assert _report(shelf.run("run", "argv-tool", "--with", "alpha"))["alpha"] is True


def test_the_shelf_copy_runs_when_it_satisfies_the_request(shelf):
    shelf.ok("install", "argv-tool==1.0", "--yes")
    shelf.env["PYSHELF_INDEX_URL"] = "http://127.0.0.1:9/simple/"  # no index is needed

    assert _report(shelf.run("run", "argv-tool", "--", "a"))["version"] == "1.0"
    assert _report(shelf.run("run", "argv-tool<2"))["version"] == "1.0"
    assert not (shelf.shelf_home / "runs").exists()
    other = shelf.run("run", "argv-tool==2.0")  # the shelf's 1.0 will not do
    assert other.returncode == 1 and "127.0.0.1:9 could not be connected to" in other.stderr


def test_the_apps_exit_status_is_passed_on(shelf):
    result = shelf.run("run", "argv-tool", "--", "--exit", "7")
    assert result.returncode == 7
    assert json.loads(result.stdout)["args"] == ["--exit", "7"]


def test_a_package_named_unlike_its_command_runs_its_only_command(shelf):
    result = shelf.run("run", "app-tool")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "app-tool 1.1\n"


def test_a_package_without_commands_is_refused(shelf):
    result = shelf.run("run", "alpha")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == "error: alpha installs no command to run."


def test_an_unknown_command_name_is_refused(shelf):
    result = shelf.run("run", "argv-tool", "--command", "nope")
    assert result.returncode == 2
    assert "argv-tool has no command 'nope'; it has: argv-tool." in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["-rf"], "the following arguments are required: APP"),
    (["argv-tool", "--with=-rf"], "'-rf' is not a package"),
    (["not a requirement!"], "is not a valid requirement"),
    (["./some/project"], "looks like a path"),
])
def test_bad_requests_are_refused_before_anything_runs(shelf, args, message):
    result = shelf.run("run", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (shelf.shelf_home / "runs").exists()


def test_an_unknown_package_is_one_sentence(shelf):
    result = shelf.run("run", "no-such-app-anywhere")
    assert result.returncode == 1
    assert "No package named 'no-such-app-anywhere' was found" in result.stderr
    assert not [p for p in (shelf.shelf_home / "runs").iterdir() if p.is_dir()]
