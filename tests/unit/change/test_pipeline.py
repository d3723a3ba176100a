"""The pure steps of a change: its history line, the Python it builds for, the system's
packages it may see."""

from __future__ import annotations

from tests.support.dists import write_dist_info

from pyshelf.apps.isolated import IsolatedStep
from pyshelf.change.pipeline import (
    _same_roles,
    _summary,
    built_from_source,
    system_packages,
    target_version,
)
from pyshelf.core.lockfile import EMPTY_LOCK, parse_lock
from pyshelf.core.model import InstalledPackage, IntentEntry, Interpreter, IsolatedApp
from pyshelf.core.plan import Change, Plan

OLD = IsolatedApp("tool", "tool", env_dir="tool-1")
NEW = IsolatedApp("tool", "tool>=2")
UPGRADE = Plan(upgraded=(Change("tool", "tool", "1.0", "2.0"),))


class Unstarted:
    """A base whose facts must not be waited for."""

    def result(self):
        raise AssertionError("the interpreter was described although its files tell")


def test_the_summary_names_the_isolated_apps_that_moved():
    steps = [IsolatedStep(OLD, previous=OLD),  # reused: not named
             IsolatedStep(IsolatedApp("new", "new"), EMPTY_LOCK, Plan()),
             IsolatedStep(NEW, EMPTY_LOCK, UPGRADE, previous=OLD)]
    gone = [IsolatedApp("old-app", "old-app")]
    assert _summary("+1 ~0 -0", steps, gone) == "+1 ~0 -0; isolated +new ~tool -old-app"
    assert _summary("+1 ~0 -0", steps[:1], []) == "+1 ~0 -0"


def test_the_same_interpreter_keeps_its_recorded_version(tmp_path):
    python = tmp_path / "python3"
    python.symlink_to("/usr/bin/python3")
    current = Interpreter(str(python), str(python.resolve()), "cpython", "3.12.4")
    assert target_version(str(python), current, Unstarted()) == "3.12.4"


def test_another_interpreter_goes_by_its_versioned_name(tmp_path):
    other = tmp_path / "bin" / "python3.13"
    other.parent.mkdir()
    other.write_text("")
    current = Interpreter("/usr/bin/python3", "/usr/bin/python3.12", "cpython", "3.12.4")
    assert target_version(str(other), current, Unstarted()) == "3.13"


def test_an_interpreter_whose_files_do_not_tell_is_asked(tmp_path):
    class Described:
        def result(self):
            return type("Facts", (), {"version": "3.11.9"})()

    odd = tmp_path / "interpreter"
    odd.write_text("")
    current = Interpreter("/usr/bin/python3", "/usr/bin/python3.12", "cpython", "3.12.4")
    assert target_version(str(odd), current, Described()) == "3.11.9"


def test_the_first_site_folder_that_has_a_package_provides_it(tmp_path):
    first, second = tmp_path / "dist-packages", tmp_path / "site-packages"
    write_dist_info(first, "six", "1.16.0")
    write_dist_info(second, "six", "1.15.0")
    write_dist_info(second, "idna", "3.6")
    found = system_packages([tmp_path / "missing", first, second])
    assert {name: (dist.version, folder) for name, (dist, folder) in found.items()} == {
        "six": ("1.16.0", first), "idna": ("3.6", second)}


def test_roles_compare_by_name_and_role_only():
    asked = [IntentEntry("a", "a>=1"), IntentEntry("b", "b", role="kept")]
    assert _same_roles(asked, [IntentEntry("b", "b<2", role="kept"), IntentEntry("a", "a")])
    assert not _same_roles(asked, [IntentEntry("a", "a"), IntentEntry("b", "b")])


def test_the_versions_built_from_source_are_said_where_new_or_moved():
    lock = parse_lock("tool @ file:///src/tool\nsame @ file:///src/same\nsix==1.16.0\n")

    def installed(name: str, version: str) -> InstalledPackage:
        return InstalledPackage(name, name, version, True, "local", "t")

    built = [installed("tool", "0.99.0"), installed("same", "1.0"), installed("new", "2.0"),
             installed("six", "1.17.0")]
    previous = {"tool": installed("tool", "0.27.1"), "same": installed("same", "1.0")}

    assert built_from_source(lock, built, previous) == [
        "tool 0.27.1 -> 0.99.0 (built from source)"]  # `new` and `six` are not in the lock
    lock = parse_lock("new @ file:///src/new\n")
    assert built_from_source(lock, built, previous) == ["new 2.0 (built from source)"]
