"""A change that builds a package from its source distribution says so before it asks.

``source-only`` is published on the test index as an sdist alone, built by tinybackend (from
the index too). The move to another Python, where a pinned release has no wheel, is in
test_python_upgrade.py.
"""

from __future__ import annotations

from tests.e2e.helpers import packages, run_in_terminal
from tests.support.projects import write_project
from tests.support.sandbox import Sandbox

NOTE = "has no wheel for Python"


def test_an_install_that_builds_from_source_says_so_before_the_prompt(shelf: Sandbox):
    code, out, err = run_in_terminal(shelf, ["install", "source-only"], "n\n")

    assert code != 0  # declined
    assert ("source-only 1.0 has no wheel for Python 3." in err
            and "on the package index, so it is built from source: that needs its build "
                "backend (and, for compiled code, a compiler and headers) and can take "
                "minutes. A newer release may have a wheel: `pyshelf update source-only` "
                "moves it to the newest release its requirements allow." in err), err
    assert "+ source-only 1.0" in out
    assert "source-only" not in packages(shelf)


def test_a_pin_is_named_and_what_is_installed_already_is_not_built_again(shelf: Sandbox):
    installed = shelf.ok("install", "source-only==1.0", "--yes")

    assert "`pyshelf install --upgrade source-only` drops the pin 'source-only==1.0'" in \
        installed.stderr
    assert packages(shelf)["source-only"] == ("1.0", "explicit")
    again = shelf.ok("install", "alpha", "--yes")
    assert NOTE not in again.stderr  # source-only's build is installed already
    assert NOTE not in shelf.ok("rebuild", "--dry-run").stderr


def test_wheels_and_local_projects_get_no_note(shelf: Sandbox):
    """A local project is always built from source, which the person chose by naming it."""
    project = write_project(shelf.home / "tool", "local-tool", "1.0")

    result = shelf.ok("install", "beta", str(project), "--yes")

    assert NOTE not in result.stderr
    assert {"beta", "gamma", "local-tool"} <= set(packages(shelf))
