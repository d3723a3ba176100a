"""Running one command of a peer: a clean environment, answers to its questions, a timeout.

A failing command is not the end of the benchmark: it becomes a ``CommandFailed`` that the
measuring turns into a cell saying so.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

STDERR_TAIL_LINES = 15
# A tool that has printed part of a line and then nothing for this long is taken to be asking
# a question nobody foresaw: it gets end-of-input, so it fails now instead of at the timeout.
UNANSWERED_QUESTION_SECONDS = 30

# Variables that would point a tool at the developer's own setup instead of the peer's area.
_DROPPED_PREFIXES = ("UV_", "PIP_", "PIPX_", "PYSHELF_", "XDG_", "CONDA_")
_DROPPED = frozenset({"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP",
                      # a user's tools run with their bytecode cached; without it, every run
                      # of a Python tool would compile its sources again
                      "PYTHONDONTWRITEBYTECODE"})
_KEPT = frozenset({"PIP_CERT", "PIP_CLIENT_CERT", "UV_NATIVE_TLS"})  # trust, not behaviour


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    cwd: Path  # the run's HOME, which the report names $HOME
    # (how a question ends, the reply) for tools that ask on stdin, as a person would answer
    answers: tuple[tuple[str, str], ...] = ()
    stdout_to: Path | None = None


class CommandFailed(Exception):
    """A command exited non-zero or ran out of time; its cell says so and the run goes on."""

    def __init__(self, cell: str, command: Command, stderr: str) -> None:
        super().__init__(cell)
        self.cell = cell
        self.command = command
        self.stderr_tail = "\n".join(stderr.rstrip().splitlines()[-STDERR_TAIL_LINES:])


def execute(command: Command, env: dict[str, str], timeout: float) -> str:
    """Run one command to the end and return its stdout (or write it to ``stdout_to``).

    The command gets a session of its own so that a timeout kills what it started too
    (pipx's pip, py-trkpac's pip), not only the tool's own process.
    """
    with subprocess.Popen(
        command.argv, env=env, cwd=command.cwd, start_new_session=True,
        stdin=subprocess.PIPE if command.answers else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as process:
        try:
            raw_out, raw_err = (converse(process, command.answers, timeout) if command.answers
                                else process.communicate(timeout=timeout))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, raw_err = process.communicate()
            raise CommandFailed(f"failed (timeout after {timeout:.0f} s)", command,
                                raw_err.decode(errors="replace")) from None
    stdout, stderr = raw_out.decode(errors="replace"), raw_err.decode(errors="replace")
    if process.returncode != 0:
        # Some tools (py-trkpac) say what went wrong on stdout only.
        raise CommandFailed(f"failed (exit {process.returncode})", command, stderr or stdout)
    if command.stdout_to is not None:
        command.stdout_to.write_text(stdout, encoding="utf-8")
    return stdout


def converse(process: subprocess.Popen[bytes], answers: tuple[tuple[str, str], ...],
             timeout: float) -> tuple[bytes, bytes]:
    """Read the tool's output and answer each question it stops at, until it exits.

    A fixed stream of answers cannot work: which questions come, and in which order, depends
    on what is already installed (py-trkpac asks for a numbered choice when a package is
    already there as a dependency, and for y/n otherwise).
    """
    assert process.stdin and process.stdout and process.stderr
    deadline = time.monotonic() + timeout
    output = {process.stdout.fileno(): bytearray(), process.stderr.fileno(): bytearray()}
    stdout = output[process.stdout.fileno()]
    waiting = set(output)
    answered_at = 0
    while waiting:
        left = deadline - time.monotonic()
        if left <= 0:
            raise subprocess.TimeoutExpired(process.args, timeout)
        ready, _, _ = select.select(list(waiting), [], [], min(left, UNANSWERED_QUESTION_SECONDS))
        if not ready and stdout and not stdout.endswith(b"\n") and not process.stdin.closed:
            process.stdin.close()
        for fd in ready:
            chunk = os.read(fd, 65536)
            output[fd] += chunk
            if not chunk:
                waiting.discard(fd)
        tail = stdout[-200:].decode(errors="replace")
        reply = next((reply for ending, reply in answers if tail.endswith(ending)), None)
        if reply is not None and len(stdout) > answered_at and not process.stdin.closed:
            process.stdin.write(f"{reply}\n".encode())
            process.stdin.flush()
            answered_at = len(stdout)
    process.wait(max(deadline - time.monotonic(), 0))
    return bytes(stdout), bytes(output[process.stderr.fileno()])


def base_environment(index_url: str | None) -> dict[str, str]:
    """The caller's environment without anything that points at its own setup or config."""
    env = {key: value for key, value in os.environ.items()
           if key in _KEPT or not (key in _DROPPED or key.startswith(_DROPPED_PREFIXES))}
    env.update(NO_COLOR="1", PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1", UV_NO_CONFIG="1", UV_PYTHON_DOWNLOADS="never")
    if index_url:
        env.update(PYSHELF_INDEX_URL=index_url, PIP_INDEX_URL=index_url,
                   UV_DEFAULT_INDEX=index_url)
    return env


_STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)
