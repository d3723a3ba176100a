"""``deps``, ``tree`` and ``why``: the recorded dependency graph, read from the database."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tests.e2e.helpers import run_without_subprocesses

pytestmark = pytest.mark.shelf("install app-tool beta delta[fast] --yes")


def text(shelf, *args: str) -> str:
    return shelf.ok(*args).stdout


def data(shelf, *args: str) -> object:
    return json.loads(shelf.ok(*args, "--json").stdout)


def test_deps_of_a_middle_package_and_the_alias(shelf):
    expected = (
        "helper-lib==1.0 depends on:\n"
        "  leaf==1.0 (>=1.0)\n"
        "Required by:\n"
        "  app-tool==1.1 (>=1.0)\n"
    )
    assert text(shelf, "deps", "helper-lib") == expected
    assert text(shelf, "list-deps", "Helper_Lib") == expected


def test_deps_of_ends_say_nothing(shelf):
    assert text(shelf, "deps", "app-tool") == (
        "app-tool==1.1 depends on:\n"
        "  helper-lib==1.0 (>=1.0)\n"
        "Required by: nothing (explicit)\n"
    )
    assert text(shelf, "deps", "delta") == (
        "delta==1.0 depends on:\n"
        "  epsilon==1.0 (>=1.0)\n"
        "  eta==1.0 (>=1.0)\n"
        "Required by: nothing (explicit)\n"
    )
    assert text(shelf, "deps", "leaf") == (
        "leaf==1.0 depends on nothing.\n"
        "Required by:\n"
        "  helper-lib==1.0 (>=1.0)\n"
    )


def test_deps_json(shelf):
    assert data(shelf, "deps", "helper-lib") == {
        "name": "helper-lib", "version": "1.0", "type": "dependency",
        "requires": [{"name": "leaf", "version": "1.0", "specifier": ">=1.0"}],
        "required_by": [{"name": "app-tool", "version": "1.1", "specifier": ">=1.0"}],
    }
    assert data(shelf, "list-deps", "beta") == {
        "name": "beta", "version": "1.0", "type": "explicit",
        "requires": [{"name": "gamma", "version": "1.1", "specifier": ">=1.0"}],
        "required_by": [],
    }


def test_tree_of_every_explicit_package(shelf):
    assert text(shelf, "tree") == (
        "app-tool==1.1\n"
        "└── helper-lib==1.0 [requires: >=1.0]\n"
        "    └── leaf==1.0 [requires: >=1.0]\n"
        "beta==1.0\n"
        "└── gamma==1.1 [requires: >=1.0]\n"
        "delta==1.0\n"
        "├── epsilon==1.0 [requires: >=1.0]\n"
        "└── eta==1.0 [requires: >=1.0]\n"
    )


def test_tree_of_named_packages_reverse_and_depth(shelf):
    assert text(shelf, "tree", "beta", "app-tool", "--depth", "1") == (
        "beta==1.0\n"
        "└── gamma==1.1 [requires: >=1.0]\n"
        "app-tool==1.1\n"
        "└── helper-lib==1.0 [requires: >=1.0]\n"
    )
    assert text(shelf, "tree", "--depth", "0") == "app-tool==1.1\nbeta==1.0\ndelta==1.0\n"
    assert text(shelf, "tree", "leaf", "--reverse") == (
        "leaf==1.0\n"
        "└── helper-lib==1.0 [requires: leaf>=1.0]\n"
        "    └── app-tool==1.1 [requires: helper-lib>=1.0]\n"
    )
    assert text(shelf, "tree", "LEAF", "--reverse", "--depth", "1") == (
        "leaf==1.0\n"
        "└── helper-lib==1.0 [requires: leaf>=1.0]\n"
    )


def test_reverse_tree_starts_from_what_requires_nothing(shelf):
    assert text(shelf, "tree", "--reverse") == (
        "epsilon==1.0\n"
        "└── delta==1.0 [requires: epsilon>=1.0]\n"
        "eta==1.0\n"
        "└── delta==1.0 [requires: eta>=1.0]\n"
        "gamma==1.1\n"
        "└── beta==1.0 [requires: gamma>=1.0]\n"
        "leaf==1.0\n"
        "└── helper-lib==1.0 [requires: leaf>=1.0]\n"
        "    └── app-tool==1.1 [requires: helper-lib>=1.0]\n"
    )


def test_tree_json(shelf):
    assert data(shelf, "tree", "app-tool") == [{
        "name": "app-tool", "version": "1.1", "specifier": None, "cycle": False,
        "children": [{
            "name": "helper-lib", "version": "1.0", "specifier": ">=1.0", "cycle": False,
            "children": [{"name": "leaf", "version": "1.0", "specifier": ">=1.0",
                          "cycle": False, "children": []}],
        }],
    }]
    reverse = data(shelf, "tree", "gamma", "--reverse")
    assert reverse == [{
        "name": "gamma", "version": "1.1", "specifier": None, "cycle": False,
        "children": [{"name": "beta", "version": "1.0", "specifier": ">=1.0", "cycle": False,
                      "children": []}],
    }]
    assert [root["name"] for root in data(shelf, "tree")] == ["app-tool", "beta", "delta"]


def test_tree_dot(shelf):
    assert text(shelf, "tree", "app-tool", "beta", "--dot") == (
        "digraph pyshelf {\n"
        '  "app-tool" [label="app-tool\\n1.1", shape=box, style=bold];\n'
        '  "beta" [label="beta\\n1.0", shape=box, style=bold];\n'
        '  "gamma" [label="gamma\\n1.1"];\n'
        '  "helper-lib" [label="helper-lib\\n1.0"];\n'
        '  "leaf" [label="leaf\\n1.0"];\n'
        '  "app-tool" -> "helper-lib" [label=">=1.0"];\n'
        '  "beta" -> "gamma" [label=">=1.0"];\n'
        '  "helper-lib" -> "leaf" [label=">=1.0"];\n'
        "}\n"
    )
    assert text(shelf, "tree", "leaf", "--reverse", "--depth", "1", "--dot") == (
        "digraph pyshelf {\n"
        '  "helper-lib" [label="helper-lib\\n1.0"];\n'
        '  "leaf" [label="leaf\\n1.0"];\n'
        '  "helper-lib" -> "leaf" [label=">=1.0"];\n'
        "}\n"
    )


def test_why(shelf):
    assert text(shelf, "why", "leaf") == (
        "leaf==1.0 is needed by:\n"
        "  app-tool==1.1 -> helper-lib==1.0 -> leaf==1.0\n"
    )
    assert text(shelf, "why", "beta") == "beta==1.0 was installed explicitly.\n"
    assert data(shelf, "why", "leaf") == {
        "name": "leaf", "version": "1.0", "explicit": False, "kept": False,
        "chains": [["app-tool", "helper-lib", "leaf"]], "more": 0, "more_exact": True,
    }
    assert data(shelf, "why", "delta") == {
        "name": "delta", "version": "1.0", "explicit": True, "kept": False,
        "chains": [], "more": 0, "more_exact": True,
    }


def test_explicit_dependency_is_explicit_and_still_needed(shelf):
    shelf.ok("install", "gamma", "--yes")
    assert text(shelf, "why", "gamma") == (
        "gamma==1.1 was installed explicitly.\n"
        "It is also needed by:\n"
        "  beta==1.0 -> gamma==1.1\n"
    )
    assert text(shelf, "deps", "gamma").endswith("Required by:\n  beta==1.0 (>=1.0)\n")
    assert text(shelf, "tree", "--depth", "0") == (
        "app-tool==1.1\nbeta==1.0\ndelta==1.0\ngamma==1.1\n"
    )


def test_kept_orphans_are_roots_of_their_own(shelf):
    shelf.ok("remove", "app-tool", "--keep-orphans", "--yes")
    assert text(shelf, "tree", "--depth", "1").startswith(
        "beta==1.0\n"
        "└── gamma==1.1 [requires: >=1.0]\n"
        "delta==1.0\n"
        "├── epsilon==1.0 [requires: >=1.0]\n"
        "└── eta==1.0 [requires: >=1.0]\n"
        "helper-lib==1.0\n"
        "└── leaf==1.0 [requires: >=1.0]\n"
        "leaf==1.0\n"
    )
    assert text(shelf, "deps", "helper-lib").endswith(
        "Required by: nothing (kept by `pyshelf remove --keep-orphans`)\n"
    )
    assert text(shelf, "why", "leaf") == (
        "leaf==1.0 was kept by `pyshelf remove --keep-orphans`.\n"
        "It is also needed by:\n"
        "  helper-lib==1.0 -> leaf==1.0\n"
    )
    assert data(shelf, "why", "helper-lib")["kept"] is True


def test_empty_shelf(sandbox, shelf_templates):
    shelf_templates.copy_into(sandbox)
    assert text(sandbox, "tree") == "The shelf holds no packages.\n"
    assert data(sandbox, "tree") == []
    assert text(sandbox, "tree", "--dot") == "digraph pyshelf {\n}\n"


def test_unknown_and_invalid_names(shelf):
    for args in (["deps", "no-such"], ["list-deps", "no-such", "--json"],
                 ["tree", "beta", "No_Such"], ["tree", "no-such", "--dot"],
                 ["why", "zeta"]):
        result = shelf.run(*args)
        assert result.returncode == 1, args
        name = "zeta" if args[0] == "why" else "no-such"
        assert result.stderr == (f"error: '{name}' is not installed on the shelf; "
                                 "`pyshelf list` shows what is.\n")
        assert result.stdout == ""
    for args in (["deps", "--", "--x"], ["why", "a>=1"], ["tree", "beta", "a[x]"],
                 ["tree", "--depth", "-1"], ["list-deps", "", "--json"]):
        result = shelf.run(*args)
        assert result.returncode == 2, args
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_queries_start_no_subprocess(shelf):
    result = run_without_subprocesses(
        shelf, ["deps", "helper-lib", "--json"], ["list-deps", "leaf"], ["tree"],
        ["tree", "leaf", "--reverse", "--json"], ["tree", "--dot"], ["why", "leaf"],
        ["why", "beta", "--json"],
    )
    assert result.returncode == 0, result.stderr
    assert "app-tool==1.1 -> helper-lib==1.0 -> leaf==1.0" in result.stdout
    assert "digraph pyshelf {" in result.stdout


def modules_loaded_by(shelf, args: list[str]) -> set[str]:
    code = ("import sys; from pyshelf.cli import main; code = main(sys.argv[1:]); "
            "print(' '.join(sorted(sys.modules)), file=sys.stderr); sys.exit(code)")
    ran = subprocess.run([sys.executable, "-c", code, *args], env=shelf.env,
                         capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    return set(ran.stderr.split())


@pytest.mark.parametrize("args", [
    ["list"], ["list", "--json"], ["history"], ["tree"], ["why", "leaf"],
    ["deps", "helper-lib", "--json"], ["tree", "leaf", "--reverse"],
])
def test_reports_import_nothing_only_changes_need(shelf, args):
    """A report pays only for what it shows: not for packaging's name and tag rules (its
    drift check compares the folder names a generation was composed with, and a package
    named as recorded is its own canonical name), uv's engine, the change pipeline, the
    store's modules, argparse (a plain command line is read without it), dataclasses,
    typing (its records are core.records' named tuples), shlex (for the command line a
    change records), importlib, or what only a change or a cleanup after a killed one
    needs: deleting, the writer lock, switching generations."""
    loaded = modules_loaded_by(shelf, args)
    heavy = {"packaging", "packaging.tags", "pyshelf.engine.processes",
             "pyshelf.change.pipeline", "pyshelf.change.build", "pyshelf.core.lockfile",
             "subprocess", "hashlib", "argparse", "dataclasses", "shutil", "typing", "shlex",
             "importlib", "pyshelf.removal", "pyshelf.store.writer_lock",
             "pyshelf.generations.folders", "pyshelf.host.pip_shim",
             "pyshelf.package_store.compose", "pyshelf.package_store.entries"}
    assert loaded & heavy == set()


def test_status_imports_no_engine(shelf):
    """Whether pyshelf modifies the shell is a setting; the launcher and pyshelf's copy,
    which bring the engine that starts processes, are not imported to learn it."""
    loaded = modules_loaded_by(shelf, ["status"])
    assert loaded & {"pyshelf.engine.processes", "pyshelf.host.self_copy"} == set()


@pytest.mark.parametrize("args", [["list"], ["history"], ["tree"], ["why", "leaf"], ["status"]])
def test_a_report_closes_its_database(shelf, args):
    """A report's process leaves what is left at its end to the operating system, not to
    the collector (``cli.main``); its database is closed as the report returns all the
    same, so SQLite removes its ``-wal`` and ``-shm`` files, through the launcher too."""
    for pyshelf in (shelf.run, lambda *a: subprocess.run([str(shelf.bin_dir / "pyshelf"), *a],
                                                         env=shelf.env, capture_output=True,
                                                         text=True, check=False)):
        assert pyshelf(*args).returncode == 0
        assert sorted(p.name for p in shelf.shelf_home.glob("state.db*")) == ["state.db"]
