"""make_plan: what a change moves, from two locks and two explicit sets."""

from __future__ import annotations

import pytest

from pyshelf.core.lockfile import EMPTY_LOCK, parse_lock
from pyshelf.core.model import InstalledPackage
from pyshelf.core.plan import Change, Plan, as_installed, interpreter_change, make_plan


def lock(*pins: str):
    return parse_lock("".join(f"{pin}\n" for pin in pins))


def test_new_package_is_added_with_display_name_and_version():
    plan = make_plan(EMPTY_LOCK, lock("Foo_Bar==1.0"), set(), {"foo-bar"})

    assert plan.added == (Change("foo-bar", "Foo_Bar", None, "1.0"),)
    assert plan.removed == plan.orphaned == plan.upgraded == plan.downgraded == ()


def test_added_changes_are_sorted_by_canonical_name():
    plan = make_plan(EMPTY_LOCK, lock("zeta==1", "Alpha==1", "mid==1"), set(), set())

    assert [c.name for c in plan.added] == ["alpha", "mid", "zeta"]


def test_gone_package_that_was_explicit_is_removed_not_orphaned():
    plan = make_plan(lock("a==1.0", "b==2.0"), lock("b==2.0"), {"a", "b"}, {"b"})

    assert plan.removed == (Change("a", "a", "1.0", None),)
    assert plan.orphaned == ()


def test_gone_package_that_was_a_dependency_is_orphaned():
    plan = make_plan(lock("a==1.0", "dep==3.0"), EMPTY_LOCK, {"a"}, set())

    assert plan.removed == (Change("a", "a", "1.0", None),)
    assert plan.orphaned == (Change("dep", "dep", "3.0", None),)


def test_removed_split_uses_old_explicit_set_not_new():
    plan = make_plan(lock("a==1.0"), EMPTY_LOCK, set(), {"a"})

    assert plan.removed == ()
    assert plan.orphaned == (Change("a", "a", "1.0", None),)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("1.9", "1.10"),
        ("2.0rc1", "2.0"),
        ("1.0", "1.0.post1"),
        ("1.0.dev1", "1.0a1"),
        ("1!0.1", "1!0.2"),
        ("0.9", "1!0.1"),
    ],
)
def test_upgrade_is_decided_by_pep440_ordering(old, new):
    plan = make_plan(lock(f"a=={old}"), lock(f"a=={new}"), {"a"}, {"a"})

    assert plan.upgraded == (Change("a", "a", old, new),)
    assert plan.downgraded == ()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("1.10", "1.9"),
        ("2.0", "2.0rc1"),
        ("1.0.post1", "1.0"),
        ("1.0a1", "1.0.dev1"),
    ],
)
def test_downgrade_is_decided_by_pep440_ordering(old, new):
    plan = make_plan(lock(f"a=={old}"), lock(f"a=={new}"), {"a"}, {"a"})

    assert plan.downgraded == (Change("a", "a", old, new),)
    assert plan.upgraded == ()


def test_version_change_keeps_the_name_the_shelf_knows_the_package_by():
    """The installed package's own name; the new release's is known only once it is in."""
    plan = make_plan(lock("foo_bar==1.0"), lock("Foo.Bar==2.0"), set(), set())

    assert plan.upgraded == (Change("foo-bar", "foo_bar", "1.0", "2.0"),)


def test_unchanged_packages_are_absent_from_every_list():
    plan = make_plan(lock("a==1.0", "b==2.0"), lock("a==1.0", "b==2.0", "c==1.0"),
                     {"a"}, {"a", "c"})

    mentioned = {c.name for group in (plan.added, plan.removed, plan.orphaned, plan.upgraded,
                                      plan.downgraded) for c in group}
    assert mentioned == {"c"}


def test_dependency_that_becomes_explicit_is_now_explicit():
    both = lock("a==1.0", "dep==2.0")

    plan = make_plan(both, both, {"a"}, {"a", "dep"})

    assert plan.now_explicit == ("dep",)
    assert plan.now_dependency == ()
    assert not plan.changes_packages


def test_newly_installed_explicit_package_is_added_not_now_explicit():
    plan = make_plan(lock("a==1.0"), lock("a==1.0", "b==1.0"), {"a"}, {"a", "b"})

    assert plan.now_explicit == ()
    assert [c.name for c in plan.added] == ["b"]


def test_explicit_package_still_needed_becomes_now_dependency():
    both = lock("a==1.0", "b==2.0")

    plan = make_plan(both, both, {"a", "b"}, {"a"})

    assert plan.now_dependency == ("b",)
    assert plan.removed == ()


def test_explicit_package_that_leaves_is_not_now_dependency():
    plan = make_plan(lock("a==1.0", "b==2.0"), lock("a==1.0"), {"a", "b"}, {"a"})

    assert plan.now_dependency == ()
    assert [c.name for c in plan.removed] == ["b"]


def test_status_lists_are_sorted():
    both = lock("a==1", "b==1", "c==1", "d==1")

    plan = make_plan(both, both, {"d", "c"}, {"b", "a"})

    assert plan.now_explicit == ("a", "b")
    assert plan.now_dependency == ("c", "d")


def test_identical_inputs_give_an_empty_plan():
    same = lock("a==1.0", "b==2.0")

    plan = make_plan(same, same, {"a"}, {"a"})

    assert plan == Plan()
    assert plan.is_empty
    assert not plan.changes_packages


def test_status_only_change_is_not_empty_but_changes_no_packages():
    same = lock("a==1.0")

    plan = make_plan(same, same, set(), {"a"})

    assert not plan.is_empty
    assert not plan.changes_packages


@pytest.mark.parametrize(
    "field",
    ["added", "removed", "orphaned", "upgraded", "downgraded"],
)
def test_any_package_change_counts_as_changing_packages(field):
    plan = Plan(**{field: (Change("a", "a", "1", "2"),)})

    assert plan.changes_packages
    assert not plan.is_empty


def test_summary_counts_added_changed_and_removed():
    old = lock("up==1.0", "down==2.0", "gone==1.0", "orphan==1.0", "same==1.0")
    new = lock("up==1.1", "down==1.9", "same==1.0", "new1==1.0", "new2==1.0", "new3==1.0")

    plan = make_plan(old, new, {"gone"}, set())

    assert plan.summary == "+3 ~2 -2"


def test_summary_of_empty_plan():
    assert Plan().summary == "+0 ~0 -0"


def test_an_interpreter_move_is_named_only_when_the_version_changes():
    assert interpreter_change("3.12.1", "3.13.0") == "Python 3.12.1 -> 3.13.0"
    assert interpreter_change("3.12.1", "3.12.1") is None


def test_a_direct_reference_takes_the_version_it_was_built_at():
    built = parse_lock("tool @ file:///src/tool\nsix==1.16.0\n")
    installed = [InstalledPackage("tool", "tool", "0.27.1", True, "local", "t"),
                 InstalledPackage("six", "six", "1.16.0", False, "index", "t")]

    versions = {n: p.version for n, p in as_installed(built, installed).packages.items()}

    assert versions == {"tool": "0.27.1", "six": "1.16.0"}


def test_a_version_not_known_before_the_build_moves_nothing():
    before = as_installed(parse_lock("tool @ file:///src/tool\n"),
                                 [InstalledPackage("tool", "tool", "0.27.1", True, "local", "t")])

    plan = make_plan(before, parse_lock("tool @ file:///src/tool\n"), {"tool"}, {"tool"})

    assert plan.is_empty


def test_a_package_on_the_shelf_keeps_its_own_display_name():
    installed = [InstalledPackage("pygments", "Pygments", "2.17.0", False, "index", "t")]
    before = as_installed(parse_lock("pygments==2.17.0\n"), installed)

    plan = make_plan(before, parse_lock("pygments==2.18.0\n"), set(), set())

    assert plan.upgraded == (Change("pygments", "Pygments", "2.17.0", "2.18.0"),)
