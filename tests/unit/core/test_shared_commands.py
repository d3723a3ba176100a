from __future__ import annotations

from pyshelf.core.shared_commands import SharedCommand, describe, shared_commands


def test_a_command_of_one_explicit_and_one_dependency_goes_to_the_explicit_one():
    found = shared_commands({"rst2html5": ["rst2html5"], "docutils": ["rst2html5", "docutils"]},
                            {"rst2html5"})
    assert found == [SharedCommand("rst2html5", ("docutils", "rst2html5"))]
    assert found[0].winner == "rst2html5"
    assert describe(found[0]) == ("rst2html5 is shipped by docutils and rst2html5; the "
                                  "explicit package rst2html5's is the one in bin.")


def test_no_winner_where_none_or_several_owners_are_explicit():
    commands = {"a": ["tool"], "b": ["tool"], "c": ["tool", "own"]}
    assert shared_commands(commands, set())[0].winner is None
    assert shared_commands(commands, {"a", "b"})[0].winner is None
    assert describe(shared_commands(commands, {"a", "b"})[0]) == (
        "tool is shipped by a, b and c; which one is in bin depends on the order they were "
        "installed in.")


def test_commands_of_one_package_only_are_not_shared():
    assert shared_commands({"a": ["one"], "b": ["two"]}, {"a"}) == []
