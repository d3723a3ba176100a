"""What the history records as the command that made a change."""

from __future__ import annotations

import sys

import pytest

from pyshelf.host.pip_shim import TYPED_AS
from pyshelf.shelf import command_line


def test_the_shelfs_pip_is_recorded_as_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["pyshelf", "--home", "/a long/home", "pip", "install",
                                      "rich>=13"])
    monkeypatch.setenv(TYPED_AS, "python3 -m pip")

    assert command_line() == "python3 -m pip install 'rich>=13'"


def test_pyshelf_typed_itself_is_recorded_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["pyshelf", "--home", "/h", "install", "rich"])
    monkeypatch.setenv(TYPED_AS, "pip")

    assert command_line() == "pyshelf --home /h install rich"
