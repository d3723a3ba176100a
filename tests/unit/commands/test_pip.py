"""The shelf's pip: which words show pyshelf's help, and what pip install becomes."""

from __future__ import annotations

import pytest

from pyshelf.commands.pip import _install, wants_help


@pytest.mark.parametrize(("args", "expected"), [
    (["--help"], True),
    (["-h"], True),
    (["install", "--help"], True),
    (["uninstall", "-h", "alpha"], True),
    (["help"], True),
    (["help", "install"], True),
    (["help", "list"], False),  # a real pip's command, with that pip's help
    (["list", "--help"], False),
    (["install", "alpha"], False),
    (["--version"], False),
])
def test_pyshelf_helps_with_what_it_routes(args: list[str], expected: bool) -> None:
    assert wants_help(args) is expected


def test_install_upgrade_is_one_change() -> None:
    assert _install(["-U", "-e", "./tool", "alpha"]) == [
        "install", "--yes", "--upgrade", "--editable=./tool", "--", "alpha"]
