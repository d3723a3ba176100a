"""Paths of the home and the bin dir's launcher."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyshelf.layout import Layout, default_home, launcher_path


def test_default_home_follows_an_absolute_xdg_data_home(tmp_path: Path) -> None:
    assert default_home({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "pyshelf"


@pytest.mark.parametrize("value", ["", "relative"])
def test_default_home_ignores_an_invalid_xdg_data_home(value: str) -> None:
    expected = Path.home() / ".local" / "share" / "pyshelf"
    assert default_home({"XDG_DATA_HOME": value}) == expected


def test_pyshelf_home_wins(tmp_path: Path) -> None:
    environ = {"PYSHELF_HOME": str(tmp_path / "shelf"), "XDG_DATA_HOME": "/elsewhere"}
    assert default_home(environ) == tmp_path / "shelf"


def test_launcher_path() -> None:
    assert launcher_path(Path("/b")) == Path("/b/pyshelf")


def test_isolated_link_target_leads_from_the_generation_to_the_environment(
        tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    target = layout.isolated_link_target(7, "black-7")
    link = layout.isolated_links(7) / "black"

    assert not target.is_absolute()
    assert Path(os.path.normpath(link.parent / target)) == layout.isolated / "black-7"


def test_current_isolated_goes_through_env(tmp_path: Path) -> None:
    expected = tmp_path / "env" / "pyshelf-isolated" / "black"
    assert Layout(tmp_path).current_isolated("black") == expected
