"""Comparing the names and versions on disk with the record."""

from __future__ import annotations

from pyshelf.venv.drift import Drift, compare, composed_folders
from pyshelf.venv.paths import COMPOSITION_FILE


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



def test_the_composed_folder_names_are_read_from_what_the_store_wrote(tmp_path):
    from pyshelf.package_store.compose import Composition, write_composition

    write_composition(tmp_path, Composition(entries=["e1"], copied={}, dist_info=["a-1.dist-info"]))

    assert composed_folders(tmp_path) == ["a-1.dist-info"]


def test_a_venv_without_recorded_folder_names_has_none(tmp_path):
    from pyshelf.package_store.compose import Composition, write_composition

    assert composed_folders(tmp_path) is None  # installed whole: no composition file
    write_composition(tmp_path, Composition(entries=["e1"], copied={}))  # composed before names were kept
    assert composed_folders(tmp_path) is None
    (tmp_path / COMPOSITION_FILE).write_text("[1, 2]")
    assert composed_folders(tmp_path) is None
