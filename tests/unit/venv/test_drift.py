"""Comparing the names and versions on disk with the record."""

from __future__ import annotations

from pyshelf.venv.drift import Drift, compare


def test_compare_finds_added_removed_and_changed():
    drift = compare({"a": "1.0", "b": "2.0", "c": "3.0"},
                    {"a": "1.0.0", "b": "2.1", "d": "4.0"})

    assert drift == Drift(added={"d": "4.0"}, removed={"c": "3.0"},
                          changed={"b": ("2.0", "2.1")})
    assert drift.count == 3
    assert drift.summary() == "b 2.0 -> 2.1, c 3.0 removed, d 4.0 added"


def test_summary_says_how_many_more():
    drift = compare({}, {f"p{i}": "1" for i in range(5)})

    assert drift.summary(limit=2) == "p0 1 added, p1 1 added, and 3 more"


def test_no_drift():
    assert compare({"a": "1"}, {"a": "1"}).count == 0

