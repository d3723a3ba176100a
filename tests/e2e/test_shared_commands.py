"""Two packages that ship the same command: the explicit one's is in ``bin``, and the plan
or the build says so."""

from __future__ import annotations

import pytest

SHARED = "rst-writer is shipped by rst-base and rst-writer"


@pytest.mark.shelf()
def test_the_explicit_package_command_wins_and_the_build_says_so(shelf):
    result = shelf.ok("install", "rst-writer", "--yes")
    assert shelf.bash("rst-writer").stdout.splitlines() == ["rst-writer 1.0"]
    assert SHARED in result.stderr
    assert "the explicit package rst-writer's is the one in bin" in result.stderr
    assert shelf.bash("rst-base").stdout.splitlines() == ["rst-base 2.0"]


@pytest.mark.shelf("install rst-writer --yes")
def test_a_known_clash_is_in_the_plan_and_the_explicit_command_still_wins(shelf):
    result = shelf.ok("rebuild", "--yes")
    assert SHARED in result.stderr.split("Building generation")[0]
    assert result.stderr.count(SHARED) == 1  # the build does not repeat what the plan said
    assert shelf.bash("rst-writer").stdout.splitlines() == ["rst-writer 1.0"]
    result = shelf.ok("install", "rst-base", "--yes")  # both explicit: neither is preferred
    assert SHARED in result.stderr
