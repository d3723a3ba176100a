"""Dependency edges from installed metadata, evaluated for the generation's interpreter."""

from __future__ import annotations

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

from pyshelf.core.graph import Distribution, dependency_edges, reachable
from pyshelf.core.model import Edge

HERE = dict(default_environment())
WINDOWS = {**HERE, "sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"}
OLD_PYTHON = {**HERE, "python_version": "3.7", "python_full_version": "3.7.17"}


def dist(name: str, *requires: str, display: str | None = None) -> Distribution:
    return Distribution(name, display or name, "1.0", requires)


def pairs(edges: list[Edge]) -> set[tuple[str, str]]:
    return {(e.package, e.requires) for e in edges}


def roots(*texts: str) -> list[Requirement]:
    return [Requirement(t) for t in texts]


def test_plain_requirement_gives_edge_with_specifier():
    edges = dependency_edges([dist("a", "b>=1.0,<2"), dist("b")], roots("a"), HERE)

    assert edges == [Edge("a", "b", str(Requirement("b>=1.0,<2").specifier))]


def test_requirement_without_specifier_has_empty_specifier():
    edges = dependency_edges([dist("a", "b"), dist("b")], roots("a"), HERE)

    assert edges == [Edge("a", "b", "")]


def test_edges_are_sorted_and_not_duplicated():
    edges = dependency_edges(
        [dist("z", "a"), dist("a", "c", "b", "b>=1"), dist("b"), dist("c")], [], HERE
    )

    assert [(e.package, e.requires) for e in edges] == [("a", "b"), ("a", "c"), ("z", "a")]


def test_false_marker_gives_no_edge():
    edges = dependency_edges(
        [dist("a", 'b; python_version < "2"'), dist("b")], roots("a"), HERE
    )

    assert edges == []


def test_markers_use_given_environment_not_running_one():
    dists = [dist("a", 'win; sys_platform == "win32"', 'posix; os_name == "posix"'),
             dist("win"), dist("posix")]

    assert pairs(dependency_edges(dists, roots("a"), WINDOWS)) == {("a", "win")}


def test_python_version_marker_uses_given_environment():
    dists = [dist("a", 'backport; python_version < "3.8"'), dist("backport")]

    assert pairs(dependency_edges(dists, roots("a"), OLD_PYTHON)) == {("a", "backport")}


def test_extra_edge_absent_when_nobody_asks_for_extra():
    edges = dependency_edges([dist("a", 'b; extra == "x"'), dist("b")], roots("a"), HERE)

    assert edges == []


def test_extra_edge_present_when_root_asks_for_extra():
    edges = dependency_edges([dist("a", 'b; extra == "x"'), dist("b")], roots("a[x]"), HERE)

    assert pairs(edges) == {("a", "b")}


def test_extra_requested_by_root_is_compared_canonically():
    dists = [dist("a", 'b; extra == "dev-tools"'), dist("b")]

    assert pairs(dependency_edges(dists, roots("A[Dev_Tools]"), HERE)) == {("a", "b")}


def test_other_extras_stay_inactive():
    dists = [dist("a", 'b; extra == "x"', 'c; extra == "y"'), dist("b"), dist("c")]

    assert pairs(dependency_edges(dists, roots("a[x]"), HERE)) == {("a", "b")}


def test_extra_combined_with_platform_marker_uses_given_environment():
    dists = [dist("a", 'b; extra == "x" and sys_platform == "win32"'), dist("b")]

    assert dependency_edges(dists, roots("a[x]"), HERE) == []
    assert pairs(dependency_edges(dists, roots("a[x]"), WINDOWS)) == {("a", "b")}


def test_extra_requested_by_another_edge_activates_edges():
    dists = [dist("a", "b[x]"), dist("b", 'c; extra == "x"'), dist("c")]

    assert pairs(dependency_edges(dists, roots("a"), HERE)) == {("a", "b"), ("b", "c")}


def test_extras_propagate_transitively_to_a_fixed_point():
    dists = [
        dist("d"),
        dist("c", 'd; extra == "y"', 'e; extra == "z"'),
        dist("b", 'c[y]; extra == "x"'),
        dist("a", "b[x]"),
        dist("e"),
    ]

    edges = dependency_edges(dists, roots("a"), HERE)

    assert pairs(edges) == {("a", "b"), ("b", "c"), ("c", "d")}


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]])
def test_extra_propagation_does_not_depend_on_distribution_order(order):
    dists = [dist("a", "b[x]"), dist("b", 'c[y]; extra == "x"'),
             dist("c", 'd; extra == "y"'), dist("d")]

    edges = dependency_edges([dists[i] for i in order], roots("a"), HERE)

    assert pairs(edges) == {("a", "b"), ("b", "c"), ("c", "d")}


def test_extra_requested_under_a_false_marker_is_not_activated():
    dists = [dist("a", 'b[x]; sys_platform == "win32"', "b"), dist("b", 'c; extra == "x"'),
             dist("c")]

    assert pairs(dependency_edges(dists, roots("a"), HERE)) == {("a", "b")}
    assert pairs(dependency_edges(dists, roots("a"), WINDOWS)) == {("a", "b"), ("b", "c")}


def test_requirement_names_are_compared_canonically():
    dists = [dist("foo-bar", "Baz.Qux>=1", display="Foo_Bar"), dist("baz-qux", display="baz_qux")]

    edges = dependency_edges(dists, roots("Foo_Bar"), HERE)

    assert edges == [Edge("foo-bar", "baz-qux", ">=1")]


def test_edges_to_packages_not_installed_are_omitted():
    edges = dependency_edges([dist("a", "missing", "b"), dist("b")], roots("a"), HERE)

    assert pairs(edges) == {("a", "b")}


def test_root_not_installed_is_ignored():
    edges = dependency_edges([dist("a", "b"), dist("b")], roots("ghost[x]", "a"), HERE)

    assert pairs(edges) == {("a", "b")}


def test_unparsable_requirement_strings_are_ignored():
    dists = [dist("a", "b (", "!!!", 'c; python_version >>> "3"', "c"), dist("b"), dist("c")]

    assert pairs(dependency_edges(dists, roots("a"), HERE)) == {("a", "c")}


def test_reachable_includes_roots_and_follows_chains():
    edges = [Edge("a", "b", ""), Edge("b", "c", ""), Edge("c", "d", ""), Edge("x", "y", "")]

    assert reachable(["a"], edges) == {"a", "b", "c", "d"}


def test_reachable_handles_cycles():
    edges = [Edge("a", "b", ""), Edge("b", "c", ""), Edge("c", "a", ""), Edge("c", "d", "")]

    assert reachable(["b"], edges) == {"a", "b", "c", "d"}


def test_reachable_of_no_roots_is_empty():
    assert reachable([], [Edge("a", "b", "")]) == set()


def test_reachable_includes_root_without_edges():
    assert reachable(["lonely"], [Edge("a", "b", "")]) == {"lonely"}


def test_self_requirement_activates_extras_without_a_self_edge():
    env = default_environment()
    edges = dependency_edges(
        [dist("a", 'a[x]; extra == "all"', 'b; extra == "x"'), dist("b")], roots("a[all]"), env
    )
    assert pairs(edges) == {("a", "b")}
