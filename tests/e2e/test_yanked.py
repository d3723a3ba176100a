"""A release its publisher yanked (PEP 592) is installed only when pinned exactly, and the
plan's reader is told before saying yes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.e2e.helpers import packages
from tests.support.index import IndexServer, write_simple_index
from tests.support.wheels import Dist, build_wheel


@pytest.fixture(scope="module")
def yanking_index(tmp_path_factory) -> Iterator[str]:
    wheels = tmp_path_factory.mktemp("yanked-wheels")
    build_wheel(Dist("oldie", "1.0"), wheels)
    build_wheel(Dist("neighbour", "1.0"), wheels)
    withdrawn = build_wheel(Dist("oldie", "1.1"), wheels)
    root = tmp_path_factory.mktemp("yanked-index")
    write_simple_index(wheels, root, yanked={withdrawn.name: "broke imports"})
    with IndexServer(root) as server:
        yield server.url


YANKED = ("warning: oldie 1.1 is yanked: its publisher withdrew it (reason: broke imports); "
          "it is installed only because a requirement pins it exactly.")


@pytest.mark.parametrize("already", [(), ("neighbour",)], ids=["empty-shelf", "next-to-one"])
def test_a_pinned_yanked_release_is_warned_about_once(sandbox, shelf_templates, yanking_index,
                                                      already):
    """Next to a package, the new requirement is resolved against the shelf's pins first;
    the warning still comes once, from the resolve whose lock is used."""
    shelf_templates.copy_into(sandbox)
    sandbox.env["PYSHELF_INDEX_URL"] = yanking_index
    for name in already:
        sandbox.ok("install", name, "--yes")

    result = sandbox.ok("install", "oldie==1.1", "--yes")

    assert result.stderr.count(YANKED) == 1
    assert packages(sandbox)["oldie"] == ("1.1", "explicit")
    assert "yanked" not in sandbox.ok("install", "--yes", "oldie==1.0").stderr
