"""Requests no choice of versions can meet are told apart from conflicts (uv's own words)."""

from __future__ import annotations

from pyshelf.engine.unavailable import unavailable, yanked


def failed(cause: str) -> str:
    return f"error: No solution found when resolving dependencies\n  cause: {cause}\n"


def test_an_exact_release_that_does_not_exist():
    assert unavailable(failed(
        "Because there is no version of six==99.0 and you require six==99.0, we can conclude "
        "that your requirements are unsatisfiable.")) == (
        "The package index has no release 99.0 of six; nothing was changed.")


def test_a_range_no_release_matches_names_what_there_is():
    assert unavailable(failed(
        "Because only six<=1.17.0 is available and you require six>=99, we can\n"
        "         conclude that your requirements are unsatisfiable.")) == (
        "The package index has no release of six matching >=99 (it has only six<=1.17.0); "
        "nothing was changed.")


def test_extras_do_not_hide_the_name():
    assert unavailable(failed(
        "Because there is no version of six[bogus]==99 and you require six[bogus]==99, we "
        "can conclude that your requirements are unsatisfiable.")) == (
        "The package index has no release 99 of six; nothing was changed.")


def test_an_unknown_package():
    assert unavailable(failed(
        "Because nosuch was not found in the package registry and you require nosuch, we can "
        "conclude that your requirements are unsatisfiable.")).startswith(
        "No package named 'nosuch' was found on the package index")


def test_a_missing_dependency_or_a_real_conflict_is_not_this():
    assert unavailable(failed(
        "Because there is no version of lib==9 and app==1.0 depends on lib==9, we can "
        "conclude that app==1.0 cannot be used.")) is None
    assert unavailable(failed("you require six<1.10 and six==1.16.0, which are "
                              "incompatible")) is None


def test_a_yanked_release_is_named_with_its_reason():
    stderr = ('Resolved 2 packages in 3ms\nwarning: `oldie==1.1` is yanked (reason: "broke '
              'imports")\nwarning: `other==2.0` is yanked\n')

    assert yanked(stderr) == [
        "oldie 1.1 is yanked: its publisher withdrew it (reason: broke imports); it is "
        "installed only because a requirement pins it exactly.",
        "other 2.0 is yanked: its publisher withdrew it; it is installed only because a "
        "requirement pins it exactly."]
    assert yanked("Resolved 1 package in 1ms\n") == []
