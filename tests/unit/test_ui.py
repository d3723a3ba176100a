"""The status line, the plain progress lines and what --quiet holds back."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator

import pytest

from pyshelf import ui


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def fresh_screen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ui, "_screen", ui._Screen())
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    yield


def on_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    return terminal


def test_a_status_line_is_redrawn_in_place_and_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = on_terminal(monkeypatch)
    with ui.Progress() as progress:
        progress.update("Installing 3 packages ...", "a log's line")
        progress.update("Installing 3 packages ...")  # the same: not drawn again
        progress.update("Installing 3 packages: downloading big (2.0MiB) ...")
    assert terminal.getvalue() == ("\rInstalling 3 packages ...\033[K"
                                   "\rInstalling 3 packages: downloading big (2.0MiB) ...\033[K"
                                   "\r\033[K\r")


def test_without_escape_codes_spaces_cover_the_old_status(
        monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = on_terminal(monkeypatch)
    monkeypatch.setenv("NO_COLOR", "1")
    with ui.Progress() as progress:
        progress.update("Resolving 2 requirements ...")
        progress.update("Resolving ...")
    assert "\033" not in terminal.getvalue()
    assert terminal.getvalue() == ("\rResolving 2 requirements ..."
                                   "\rResolving ..." + " " * 15 + "\r" + " " * 28 + "\r")


def test_other_output_erases_the_status_first(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = on_terminal(monkeypatch)
    with ui.Progress() as progress:
        progress.update("Installing 3 packages ...")
        ui.warn("something")
        progress.update("Installing 3 packages ...")  # drawn again below the warning
    assert terminal.getvalue() == ("\rInstalling 3 packages ...\033[K\r\033[K\r"
                                   "\033[1;33mwarning:\033[0m something\n"
                                   "\rInstalling 3 packages ...\033[K\r\033[K\r")


def test_a_status_never_wraps(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = on_terminal(monkeypatch)
    monkeypatch.setattr(ui, "_terminal_width", lambda: 20)
    with ui.Progress() as progress:
        progress.update("Installing 52 packages: downloading numpy (15.0MiB) ...")
    assert terminal.getvalue().startswith("\rInstalling 52 packa\033[K")


def test_a_log_gets_plain_lines_once_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    with ui.Progress() as progress:
        progress.update("status only")
        progress.update("Resolving ...", "Resolving 2 requirements ...")
        progress.update("Resolving ...", "Resolving 2 requirements ...")  # cache, then index
        ui.out("Plan")
        progress.update("Building ...", "Built proj")
    captured = capsys.readouterr()
    assert captured.err == "Resolving 2 requirements ...\nBuilt proj\n"
    assert captured.out == "Plan\n"


def test_quiet_shows_no_progress_and_holds_back_what_a_change_says(
        capsys: pytest.CaptureFixture[str]) -> None:
    ui.set_quiet(True)
    with ui.Progress() as progress:
        progress.update("Resolving ...", "Resolving 2 requirements ...")
    ui.info("Building generation 1 ...")
    ui.warn("a note")
    ui.report("Plan for generation 1:")
    ui.out("a listing")
    ui.error("it failed")
    ui.detail("uv's account of it")
    captured = capsys.readouterr()
    assert captured.out == "a listing\n"
    assert captured.err == "error: it failed\nuv's account of it\n"


def test_a_dry_run_under_quiet_still_shows_its_plan(capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    ui.set_quiet(True)
    ui.report("Plan for generation 1:")
    ui.warn("a note on the plan")
    ui.conclude("Dry run: nothing was changed.")
    captured = capsys.readouterr()
    assert captured.out == "Plan for generation 1:\nDry run: nothing was changed.\n"
    assert captured.err == "warning: a note on the plan\n"


def test_a_prompt_under_quiet_shows_what_it_asks_about(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ui.set_quiet(True)
    monkeypatch.setattr(ui, "can_ask", lambda: True)
    monkeypatch.setattr("builtins.input", lambda question: "y")
    ui.report("Plan for generation 1:")
    ui.confirm("Proceed?", assume_yes=False)
    ui.info("Generation 1 is now current.")
    assert capsys.readouterr().out == "Plan for generation 1:\n"


def test_yes_under_quiet_shows_no_plan(capsys: pytest.CaptureFixture[str]) -> None:
    ui.set_quiet(True)
    ui.report("Plan for generation 1:")
    ui.confirm("Proceed?", assume_yes=True)
    assert capsys.readouterr() == ("", "")
