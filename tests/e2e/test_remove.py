"""``pyshelf remove``: the package, its orphans (recursively), and clear refusals."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tests.e2e.helpers import (
    begun_before_pipeline,
    current_target,
    generation_dirs,
    packages,
    requirements_parsed,
    snapshot,
)

pytestmark = pytest.mark.shelf("install app-tool beta --yes")


def test_remove_takes_orphans_recursively(shelf):
    assert shelf.bash("app-tool").stdout == "app-tool 1.1\n"
    result = shelf.ok("remove", "app-tool", "--yes")
    assert "- app-tool 1.1" in result.stdout
    assert "- helper-lib 1.0 (orphaned dependency)" in result.stdout
    assert "- leaf 1.0 (orphaned dependency)" in result.stdout
    assert "gamma" not in result.stdout
    assert packages(shelf) == {"beta": ("1.0", "explicit"), "gamma": ("1.1", "dependency")}
    shell = shelf.bash("command -v app-tool; beta")
    assert shell.stdout == "beta 1.0\n"


def test_keep_orphans_pins_them_as_dependencies(shelf):
    result = shelf.ok("remove", "app-tool", "--keep-orphans", "--yes")
    assert "orphaned" not in result.stdout
    assert packages(shelf) == {
        "beta": ("1.0", "explicit"), "gamma": ("1.1", "dependency"),
        "helper-lib": ("1.0", "dependency"), "leaf": ("1.0", "dependency"),
    }
    shelf.ok("remove", "leaf", "--yes")
    assert "leaf" in packages(shelf)  # still needed by the kept helper-lib


def test_removing_a_package_others_need_keeps_it_as_dependency(shelf):
    shelf.ok("install", "gamma", "--yes")
    result = shelf.ok("remove", "gamma", "--yes")
    assert "'gamma' stays installed: beta still require(s) it." in result.stderr
    assert "gamma stays as a dependency" in result.stdout
    assert packages(shelf)["gamma"] == ("1.1", "dependency")


@pytest.mark.parametrize(("name", "message"), [
    ("not-there", "'not-there' is not installed"),
    ("helper-lib", "it is a dependency of app-tool"),
])
def test_refusals_change_nothing(shelf, name, message):
    before = snapshot(shelf)
    result = shelf.run("remove", name, "--yes")
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(shelf) == before


def test_remove_everything_gives_an_empty_usable_shelf(shelf):
    shelf.ok("remove", "app-tool", "beta", "--yes")
    assert packages(shelf) == {}
    assert generation_dirs(shelf) == ["0", "1", "2"]
    assert shelf.bash("python3 -c 'print(1)'").stdout == "1\n"


def test_a_change_from_the_record_with_nothing_to_do_leaves_no_trace(shelf):
    """A change whose lock needs no resolve begins its venv before the plan is made; when
    the plan turns out empty that generation and its journal entry go again."""
    shelf.ok("clean", "--yes")
    before = snapshot(shelf)
    history = shelf.ok("history", "--json").stdout

    result = shelf.ok("clean", "--yes")

    assert "Nothing to change" in result.stdout
    assert snapshot(shelf) == before
    assert shelf.ok("history", "--json").stdout == history
    shelf.ok("install", "beta", "--yes")
    assert current_target(shelf) == f"gens/{int(before[1].split('/')[1]) + 1}"


def test_a_removal_imports_no_resolver(shelf):
    """A removal takes its lock from the record: it pays for no resolver, no progress
    display of uv's runs, and (on a shelf without isolated apps) none of their machinery.
    Nor for packaging's requirement parser: the name is typed as the shelf records it, and
    shelf.toml's lines are the ones the last change wrote, whose forms it kept; nor for
    tomlkit: the file is as pyshelf wrote it, so it is written anew without being read."""
    code = ("import sys; from pyshelf.cli import main; code = main(sys.argv[1:]); "
            "print(' '.join(sorted(sys.modules)), file=sys.stderr); sys.exit(code)")
    ran = subprocess.run([sys.executable, "-c", code, "remove", "beta", "--yes"],
                         env=shelf.env, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    assert "beta" not in packages(shelf)
    loaded = set(ran.stderr.splitlines()[-1].split())
    needless = {"pyshelf.change.resolve", "pyshelf.change.system_stubs", "zipfile",
                "pyshelf.apps.isolated", "pyshelf.core.holdback", "pyshelf.change.python_move",
                "pyshelf.engine.uv_progress", "pyshelf.engine.unavailable", "argparse",
                "packaging.requirements", "packaging.specifiers", "packaging.markers",
                "packaging.utils", "packaging.tags", "tempfile", "secrets", "tomlkit",
                "dataclasses"}
    assert loaded & needless == set()


def test_a_removal_and_a_change_of_role_start_the_venv_before_the_pipeline_is_read(shelf):
    """uv makes the generation's venv while Python imports the pipeline, instead of the
    composition waiting for it afterwards."""
    assert begun_before_pipeline(shelf, "venv", "install", "gamma", "--yes")
    assert packages(shelf)["gamma"] == ("1.1", "explicit")
    assert begun_before_pipeline(shelf, "venv", "remove", "beta", "--yes")
    assert "beta" not in packages(shelf)


def test_a_change_of_role_with_nothing_to_change_leaves_no_generation_begun(shelf):
    before, history = generation_dirs(shelf), shelf.ok("history", "--json").stdout
    result = shelf.ok("install", "beta", "--yes")
    assert "Nothing to change" in result.stdout + result.stderr
    assert generation_dirs(shelf) == before
    assert shelf.ok("history", "--json").stdout == history


def test_a_removal_parses_no_requirement_of_the_packages_it_keeps(shelf):
    """The lock and the requirements come from the record; only shelf.toml's own lines,
    which a person may have edited, are read."""
    parsed = requirements_parsed(shelf, "remove", "beta", "--yes")

    assert "beta" not in packages(shelf)
    assert set(parsed) <= {"app-tool", "beta"}, parsed  # the intent's own lines


def test_a_change_of_role_parses_only_the_new_requirement(shelf):
    parsed = requirements_parsed(shelf, "install", "gamma", "--yes")

    assert packages(shelf)["gamma"] == ("1.1", "explicit")
    assert set(parsed) <= {"app-tool", "beta", "gamma"}, parsed
