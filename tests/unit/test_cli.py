"""The command line is collected from the command modules' own definitions: every command
cli names must be defined where cli looks, and every definition must be reachable."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from pyshelf import cli
from pyshelf.commands.common import Command

COMMANDS_DIR = Path(cli.__file__).parent / "commands"
NOT_COMMANDS = {"__init__", "common"}


def command_modules() -> list[str]:
    return sorted(p.stem for p in COMMANDS_DIR.glob("*.py") if p.stem not in NOT_COMMANDS)


def definitions(module: str) -> tuple[Command, ...]:
    found: tuple[Command, ...] = importlib.import_module(f"pyshelf.commands.{module}").COMMANDS
    return found


@pytest.mark.parametrize("word", sorted(cli.MODULES))
def test_every_word_cli_dispatches_has_a_definition(word: str) -> None:
    command = cli.definition(word)
    assert word == command.name or word in command.aliases
    assert command.help and command.examples.startswith("examples")
    assert callable(command.run)
    assert command.name in cli.build_parser(word).format_help()  # its parser builds alone


@pytest.mark.parametrize("module", command_modules())
def test_no_definition_is_orphaned(module: str) -> None:
    commands = definitions(module)
    assert commands, f"commands/{module}.py defines no command"
    for command in commands:
        for word in (command.name, *command.aliases):
            assert cli.MODULES.get(word) == module, f"cli.MODULES lacks {word} -> {module}"


def test_names_are_unique() -> None:
    words = [w for m in command_modules() for c in definitions(m) for w in (c.name, *c.aliases)]
    assert sorted(words) == sorted(set(words)) == sorted(cli.MODULES)


def test_collecting_every_definition_imports_nothing_a_change_needs() -> None:
    """``pyshelf --help`` imports every command module; what only running one needs (the
    shelf, its database, uv's engine, the change pipeline, packaging) must wait until then."""
    code = ("import sys; from pyshelf.cli import build_parser; build_parser(); "
            "print(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                text=True).stdout.split())
    heavy = {"pyshelf.shelf", "pyshelf.store.database", "pyshelf.engine.processes",
             "pyshelf.change.pipeline", "packaging", "sqlite3", "subprocess"}
    assert loaded & heavy == set()
    assert {f"pyshelf.commands.{m}" for m in command_modules()} <= loaded


def test_the_reports_are_the_commands_that_only_read() -> None:
    reports = {c.name for m in command_modules() for c in definitions(m) if c.report}
    assert reports == {"list", "deps", "tree", "why", "history", "diff", "status"}


@pytest.mark.parametrize(("word", "own", "frozen"), [
    ("list", True, True), ("list", False, False), ("snapshots", True, False),
])
def test_only_a_report_ending_the_process_freezes_what_is_left(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, word: str, own: bool,
        frozen: bool) -> None:
    """Frozen objects are never collected: only a report run from the process's own
    command line, which the process ends with, may leave the interpreter's last collections
    nothing to do; a change exits as any program, and a caller that goes on gets nothing
    frozen."""
    froze: list[bool] = []
    monkeypatch.setattr(cli.gc, "freeze", lambda: froze.append(True))
    line = ["--home", str(tmp_path / "none"), word]  # no shelf there: the command fails
    monkeypatch.setattr(sys, "argv", ["pyshelf", *line])
    assert (cli.main() if own else cli.main(line)) == 1
    assert froze == ([True] if frozen else [])
