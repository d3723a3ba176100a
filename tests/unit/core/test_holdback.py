"""Which requirements keep a package below its newest release."""

from __future__ import annotations

from pyshelf.core.holdback import Holder, held_back_notes, holders, is_newer
from pyshelf.core.lockfile import parse_lock
from pyshelf.core.model import Edge, IntentEntry


def test_own_spec_and_each_requirer_that_excludes_the_newest() -> None:
    edges = [Edge("zlib-user", "numpy", "<2.3"), Edge("pandas", "numpy", ">=1.26,<2.3"),
             Edge("scipy", "numpy", ">=1.25"), Edge("pandas", "other", "<1")]

    found = holders("numpy", "2.3.1", "numpy<2.3", edges)

    assert found == [Holder(None, "numpy<2.3"), Holder("pandas", "numpy<2.3,>=1.26"),
                     Holder("zlib-user", "numpy<2.3")]
    assert found[0].describe() == "your requirement numpy<2.3"
    assert found[1].describe() == "pandas (requires numpy<2.3,>=1.26)"


def test_nothing_holds_a_package_every_requirement_allows() -> None:
    assert holders("numpy", "2.3.1", "numpy", [Edge("scipy", "numpy", ">=1.25")]) == []
    assert holders("numpy", "2.3.1", None, [Edge("scipy", "numpy", "")]) == []


def test_prereleases_count_as_allowed_when_they_are_the_newest() -> None:
    assert holders("black", "26.1b1", "black>=25", []) == []


def test_broken_requirements_are_skipped_not_fatal() -> None:
    assert holders("a", "2", "a<<<2", [Edge("b", "a", "not a specifier")]) == []


def test_is_newer_follows_pep_440() -> None:
    assert is_newer("1.10", "1.9")
    assert not is_newer("1.0", "1.0.0")
    assert not is_newer("not-a-version", "1.0")


def test_a_requirer_the_update_moves_is_not_a_holder() -> None:
    edges = [Edge("mover", "lib", "<2"), Edge("holder", "lib", "<2")]

    assert holders("lib", "3.0", None, edges, moving={"mover"}) == [Holder("holder", "lib<2")]


def test_a_new_app_the_shelf_holds_back_is_named_with_the_dependency_and_its_holder() -> None:
    shelf = parse_lock("black==21.12b0\nclick==7.1.2\nold-tool==1.0\n")
    alone = parse_lock("black==24.10.0\nclick==8.1.7\n")
    edges = [Edge("old-tool", "click", "<8"), Edge("black", "click", ">=7.1.2")]
    new = [IntentEntry("black", "black")]

    notes = held_back_notes(new, shelf, alone, [*new, IntentEntry("old-tool", "old-tool")],
                            edges)

    assert notes == [
        "black 21.12b0 is held back by what the shelf holds (click stays at 7.1.2 for "
        "old-tool (requires click<8)); on its own it would be 24.10.0. `pyshelf install "
        "--isolated black` gives it an environment of its own."]
    assert held_back_notes(new, alone, alone, new, edges) == []  # nothing held back
