"""What a change shows while uv works: a status line on a terminal, plain lines in a log,
nothing with --quiet (but errors, and what was asked for)."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from tests.e2e.helpers import packages, run_in_terminal
from tests.support.projects import write_project
from tests.support.sandbox import Sandbox, pyshelf_script

_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")  # colour, which takes no room on the screen


def on_terminal(sandbox: Sandbox, *args: str, env: dict[str, str] | None = None
                ) -> tuple[int, str, str]:
    """Run pyshelf with its stderr on a pseudo-terminal (stdout a pipe, as under `| less`);
    the exit code, stdout and everything the terminal received."""
    main, child = os.openpty()
    proc = subprocess.Popen([str(pyshelf_script()), *args], env=env or sandbox.env,
                            cwd=sandbox.home, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=child)
    os.close(child)
    received = bytearray()
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the pseudo-terminal's end: every writer has closed it
            break
        if not chunk:
            break
        received += chunk
    os.close(main)
    assert proc.stdout is not None
    stdout = proc.stdout.read().decode()
    proc.stdout.close()
    return proc.wait(timeout=120), stdout, received.decode()


def screen(received: str) -> list[str]:
    """The lines a terminal shows once it has received ``received``: a carriage return goes
    back to the start of the line, ``ESC [ K`` clears the rest of it."""
    lines, column = [""], 0
    text = _ESCAPE.sub("", received)
    at = 0
    while at < len(text):
        if text.startswith("\x1b[K", at):
            lines[-1] = lines[-1][:column]
            at += 3
            continue
        char = text[at]
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append("")
            column = 0
        else:
            line = lines[-1].ljust(column)
            lines[-1] = line[:column] + char + line[column + 1:]
            column += 1
        at += 1
    return [line.rstrip() for line in lines if line.rstrip()]


@pytest.fixture
def cold(shelf, tmp_path):
    """The shelf with a uv cache of its own, so uv downloads and builds what it installs."""
    shelf.env["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")
    write_project(shelf.home / "proj", "slow-proj", "1.0")
    return shelf


def test_a_terminal_sees_what_uv_does_redrawn_in_place_then_erased(cold):
    env = {**{k: v for k, v in cold.env.items() if k != "NO_COLOR"}, "TERM": "xterm"}

    code, stdout, received = on_terminal(cold, "install", "bulky", "./proj", "--yes", env=env)

    assert code == 0, received
    assert "Plan for generation 1:" in stdout
    assert "\rResolving 2 requirements ...\x1b[K" in received
    assert "\rResolving 2 requirements: building slow-proj ...\x1b[K" in received
    assert re.search(r"\rInstalling \d packages: downloading bulky \(1\.\dMiB\) \.\.\.\x1b\[K",
                     received)
    # every status was erased: what stays on the screen is what a log would keep
    assert screen(received) == ["Building generation 1 (2 packages) ...",
                                "slow-proj 1.0 (built from source)",
                                "Generation 1 is now current (2 packages)."]
    assert packages(cold)["bulky"] == ("1.0", "explicit")


@pytest.mark.parametrize("without_escapes", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_a_terminal_without_escape_codes_gets_the_status_covered_with_spaces(
        shelf, without_escapes):
    env = {**{k: v for k, v in shelf.env.items() if k != "NO_COLOR"}, "TERM": "xterm",
           **without_escapes}

    code, _, received = on_terminal(shelf, "install", "alpha", "--yes", env=env)

    assert code == 0, received
    assert "\x1b" not in received
    assert "\rResolving 1 requirement ..." in received
    assert "\rInstalling 1 package ..." in received
    assert screen(received) == ["Building generation 1 (1 package) ...",
                                "Generation 1 is now current (1 package)."]


def test_a_log_gets_one_plain_line_per_step_in_order_with_stdout(cold):
    """stdout and stderr into one file, as a CI log or `2>&1 | tee` has them."""
    result = subprocess.run([str(pyshelf_script()), "install", "bulky", "./proj", "--yes"],
                            env=cold.env, cwd=cold.home, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=120, check=True)

    assert "\r" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "Resolving 2 requirements ..."
    assert lines[1].startswith("Built slow-proj @ file://")
    assert lines[2] == "Plan for generation 1:"
    steps = lines[lines.index("Building generation 1 (2 packages) ..."):]
    assert re.fullmatch(r"Downloading bulky \(1\.\dMiB\) \.\.\.", steps[1])
    assert steps[2:] == ["Installing 2 packages ...", "slow-proj 1.0 (built from source)",
                         "Generation 1 is now current (2 packages)."]


@pytest.mark.shelf("install alpha --yes")
def test_quiet_changes_print_nothing_on_success(shelf):
    for command in (["install", "beta", "--yes", "-q"], ["--quiet", "remove", "beta", "--yes"],
                    ["undo", "--yes", "-q"], ["rebuild", "--yes", "-q"],
                    ["snapshot", "before", "-q"], ["gc", "-q"], ["install", "alpha", "-q"]):
        result = shelf.ok(*command)
        assert (result.stdout, result.stderr) == ("", ""), command
    assert packages(shelf)["beta"] == ("1.0", "explicit")  # undone: the removal went back


@pytest.mark.shelf("install alpha --yes")
def test_quiet_still_prints_what_was_asked_for(shelf):
    assert shelf.ok("list", "-q").stdout == shelf.ok("list").stdout
    assert shelf.ok("-q", "diff").stdout.startswith("Operation ")
    dry = shelf.ok("install", "gamma", "--dry-run", "-q")
    assert "Plan for generation 2:" in dry.stdout and "+ gamma 1.1" in dry.stdout
    assert dry.stdout.endswith("Dry run: nothing was changed.\n")
    assert dry.stderr == ""


def test_quiet_still_asks_and_shows_what_it_asks_about(shelf):
    code, stdout, stderr = run_in_terminal(shelf, ["install", "alpha", "-q"], "y\n")

    assert code == 0, stderr
    assert stdout.startswith("Plan for generation 1:\n  + alpha 2.0\n")
    assert stdout.endswith("Proceed? [y/N] ")  # and nothing after the answer
    assert stderr == ""


def test_errors_still_print_under_quiet(shelf):
    missing = shelf.run("install", "no-such-package-here", "--yes", "-q")
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert missing.stderr.startswith("error: No package named 'no-such-package-here'")
    assert missing.stderr.count("\n") == 1

    conflict = shelf.run("install", "left", "right", "--yes", "-q")
    assert conflict.returncode == 3
    assert conflict.stderr.startswith("error: These requirements cannot be installed together")
    assert "shared" in conflict.stderr  # uv's account of the conflict is part of the error
