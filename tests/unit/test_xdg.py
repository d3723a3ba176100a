"""The XDG base directory rule: an absolute value counts, anything else is the default."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pyshelf.xdg import base_dir

if TYPE_CHECKING:
    from pyshelf.xdg import Variable

HOME = Path("/home/someone")


@pytest.mark.parametrize(("variable", "default"), [
    ("XDG_DATA_HOME", HOME / ".local" / "share"),
    ("XDG_CONFIG_HOME", HOME / ".config"),
])
@pytest.mark.parametrize("value", [None, "", "relative/dir", "~/tilde", "."])
def test_an_unset_empty_or_relative_value_is_the_default(variable: Variable, default: Path,
                                                         value: str | None) -> None:
    environ = {} if value is None else {variable: value}
    assert base_dir(variable, environ, HOME) == default


@pytest.mark.parametrize("variable", ["XDG_DATA_HOME", "XDG_CONFIG_HOME"])
def test_an_absolute_value_is_taken_as_it_is(variable: Variable) -> None:
    assert base_dir(variable, {variable: "/srv/xdg"}, HOME) == Path("/srv/xdg")


def test_each_variable_is_read_on_its_own() -> None:
    assert base_dir("XDG_CONFIG_HOME", {"XDG_DATA_HOME": "/data"}, HOME) == HOME / ".config"
