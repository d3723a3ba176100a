"""``pyshelf install``: resolve, plan, build, switch, record; usable from a new shell."""

from __future__ import annotations

import json
import sqlite3
import subprocess

from tests.e2e.helpers import current_target, generation_dirs, packages, snapshot
from tests.support.sandbox import pyshelf_script


def test_install_builds_next_generation_usable_from_bash(shelf):
    result = shelf.ok("install", "beta", "delta[fast]", "--yes")
    assert "Plan for generation 1:" in result.stdout
    for line in ("+ beta 1.0", "+ gamma 1.1", "+ delta 1.0", "+ epsilon 1.0", "+ eta 1.0"):
        assert line in result.stdout
    assert "zeta" not in result.stdout
    assert current_target(shelf) == "gens/1"
    shell = shelf.bash(
        "beta && python3 -c 'import delta, epsilon, eta, gamma; print(gamma.__version__)'"
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines() == ["beta 1.0", "1.1"]
    assert shelf.bash("python3 -c 'import zeta'").returncode != 0


def test_list_reports_explicit_and_dependencies(shelf):
    shelf.ok("install", "beta", "delta[fast]", "--yes")
    assert packages(shelf) == {
        "beta": ("1.0", "explicit"), "delta": ("1.0", "explicit"),
        "gamma": ("1.1", "dependency"), "epsilon": ("1.0", "dependency"),
        "eta": ("1.0", "dependency"),
    }
    text = shelf.ok("list").stdout
    assert text.splitlines()[0].split() == ["Name", "Version", "Type", "Installed"]
    assert text.splitlines()[-1] == "5 package(s): 2 explicit, 0 local, 3 dependencies"
    explicit = shelf.ok("list", "--explicit").stdout
    assert "beta" in explicit and "gamma" not in explicit
    deps = shelf.ok("list", "--deps").stdout
    assert "gamma" in deps and "beta " not in deps
    assert explicit.splitlines()[-1] == ("2 of 5 shown; 5 package(s): 2 explicit, 0 local, "
                                         "3 dependencies")
    assert deps.splitlines()[-1].startswith("3 of 5 shown; ")
    data = json.loads(shelf.ok("list", "--json").stdout)
    assert data["generation"] == 1
    assert data["summary"] == {"total": 5, "explicit": 2, "local": 0, "dependencies": 3,
                               "isolated": 0, "not_for_this_platform": 0}
    requested = {p["name"]: p["requested"] for p in data["packages"]}
    assert requested["delta"] == "delta[fast]"
    assert requested["gamma"] is None


def test_dependency_edges_follow_markers_and_extras(shelf):
    shelf.ok("install", "beta", "delta[fast]", "--yes")
    with sqlite3.connect(shelf.shelf_home / "state.db") as db:
        edges = db.execute(
            "SELECT package, requires, specifier FROM generation_dependencies WHERE gen_id = 1"
            " ORDER BY 1, 2").fetchall()
    assert edges == [("beta", "gamma", ">=1.0"), ("delta", "epsilon", ">=1.0"),
                     ("delta", "eta", ">=1.0")]


def test_installing_keeps_locked_versions_of_others(shelf):
    shelf.ok("install", "gamma<1.1", "--yes")
    result = shelf.ok("install", "beta", "--yes")
    assert "gamma" not in result.stdout
    assert packages(shelf)["gamma"] == ("1.0", "explicit")


def test_installing_a_dependency_makes_it_explicit(shelf):
    shelf.ok("install", "beta", "--yes")
    result = shelf.ok("install", "gamma", "--yes")
    assert "gamma becomes explicit" in result.stdout
    assert packages(shelf)["gamma"] == ("1.1", "explicit")


def test_installing_what_is_there_builds_nothing(shelf):
    shelf.ok("install", "beta", "--yes")
    result = shelf.ok("install", "BETA", "--yes")
    assert "Nothing to change" in result.stdout
    assert generation_dirs(shelf) == ["0", "1"]


def test_changed_spec_moves_the_package(shelf):
    shelf.ok("install", "alpha", "--yes")
    assert packages(shelf)["alpha"] == ("2.0", "explicit")
    result = shelf.ok("install", "alpha<2", "--yes")
    assert "alpha 2.0 -> 1.0 (downgrade)" in result.stdout
    assert packages(shelf)["alpha"] == ("1.0", "explicit")


def test_non_normalised_names_are_matched(shelf):
    shelf.ok("install", "mixed-case-name", "--yes")
    assert packages(shelf) == {"Mixed_Case.Name": ("1.0", "explicit")}
    removed = shelf.ok("remove", "MIXED_case.name", "--yes")
    assert "  - Mixed_Case.Name 1.0\n" in removed.stdout  # as the package calls itself
    assert packages(shelf) == {}


def test_dry_run_changes_nothing(shelf):
    before = snapshot(shelf)
    result = shelf.ok("install", "beta", "--dry-run")
    assert "+ beta 1.0" in result.stdout
    assert "Dry run" in result.stdout
    assert snapshot(shelf) == before


def test_without_terminal_or_yes_it_refuses_instead_of_hanging(shelf):
    before = snapshot(shelf)
    result = shelf.run("install", "beta")
    assert result.returncode == 1
    assert "--yes" in result.stderr
    assert snapshot(shelf) == before


def test_python_dash_m_pyshelf_works(shelf):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "pyshelf", "list"], env=shelf.env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "0 package(s)" in result.stdout


def test_a_log_of_both_streams_keeps_them_in_order(shelf):
    """``pyshelf install ... > log 2>&1``: the plan comes before the build it announces."""
    buffered = {k: v for k, v in shelf.env.items() if k != "PYTHONUNBUFFERED"}
    log = subprocess.run([str(pyshelf_script()), "install", "alpha", "--yes"], env=buffered,
                         cwd=shelf.home, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, check=True).stdout.splitlines()

    def first(start: str) -> int:
        return next(i for i, line in enumerate(log) if line.startswith(start))

    assert first("Plan for generation 1:") < first("Building generation 1") \
        < first("Generation 1 is now current")


def test_a_new_app_held_back_by_the_shelf_is_named_with_what_holds_it(shelf):
    shelf.ok("install", "clicky-pinner", "--yes")

    result = shelf.ok("install", "blacky", "--yes")

    assert packages(shelf)["blacky"] == ("1.0", "explicit")
    assert ("warning: blacky 1.0 is held back by what the shelf holds (clicky stays at 7.0 "
            "for clicky-pinner (requires clicky<8)); on its own it would be 2.0. `pyshelf "
            "install --isolated blacky` gives it an environment of its own.") in result.stderr
    assert "held back" not in shelf.ok("install", "beta", "--yes").stderr  # nothing holds it
