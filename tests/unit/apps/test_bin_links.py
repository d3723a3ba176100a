"""The rule that picks the bin dir's links when a shelf exposes apps only."""

from __future__ import annotations

from pathlib import Path

from pyshelf.apps.bin_links import PYTHON_LINK, is_ours, links_for
from pyshelf.layout import Layout

LAYOUT = Layout(Path("/h"))
COMMANDS = {"black": ["black", "blackd"], "click": [], "httpx": ["httpx"]}


def _names(choices: dict[tuple[str, str], bool]) -> list[str]:
    return sorted(links_for(COMMANDS, {"black"}, choices, LAYOUT))


def test_explicit_packages_commands_and_the_interpreter_by_default() -> None:
    links = links_for(COMMANDS, {"black"}, {}, LAYOUT)
    assert links == {"black": Path("/h/env/bin/black"), "blackd": Path("/h/env/bin/blackd"),
                     PYTHON_LINK: Path("/h/env/bin/python")}


def test_a_package_choice_covers_its_commands() -> None:
    assert _names({("package", "httpx"): True, ("package", "black"): False}) == [
        "httpx", PYTHON_LINK]


def test_a_command_choice_beats_its_package() -> None:
    assert _names({("command", "blackd"): False}) == ["black", PYTHON_LINK]
    assert _names({("package", "black"): False, ("command", "blackd"): True}) == [
        "blackd", PYTHON_LINK]


def test_commands_named_like_pyshelfs_own_are_never_linked() -> None:
    commands = {"lookalike": ["lookalike", "pyshelf", PYTHON_LINK]}
    links = links_for(commands, {"lookalike"}, {("command", "pyshelf"): True}, LAYOUT)
    assert links == {"lookalike": Path("/h/env/bin/lookalike"),
                     PYTHON_LINK: Path("/h/env/bin/python")}


def test_only_links_into_the_shelf_bin_are_ours(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "home")
    (tmp_path / "ours").symlink_to(layout.env_bin / "black")
    (tmp_path / "theirs").symlink_to(tmp_path / "elsewhere" / "black")
    (tmp_path / "file").write_text("")
    assert is_ours(tmp_path / "ours", layout)
    assert not is_ours(tmp_path / "theirs", layout)
    assert not is_ours(tmp_path / "file", layout)
    assert not is_ours(tmp_path / "missing", layout)
