"""Reading a program's stderr as it writes it, without ever stalling it."""

from __future__ import annotations

import sys

from pyshelf import ui
from pyshelf.engine.processes import Engine, Watch
from pyshelf.engine.uv_progress import Tracker

# Far more than a pipe holds (64 KiB on Linux) on both streams, interleaved: a reader that
# drained only one of them would leave the program blocked on the other.
CHATTY = """import sys
for i in range(20000):
    print(f"out {i}", flush=True)
    print(f"      Built pkg{i}==1.0", file=sys.stderr, flush=True)
"""


def run_chatty(progress: ui.Progress):
    return Engine()._run([sys.executable, "-c", CHATTY],
                         Watch(progress, lambda: Tracker.installing(1)))


class Seen(ui.Progress):
    def __init__(self) -> None:
        self.lines: list[str | None] = []

    def update(self, status: str, line: str | None = None) -> None:
        self.lines.append(line)


def test_both_pipes_drain_while_stderr_is_watched() -> None:
    seen = Seen()
    result = run_chatty(seen)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "out 19999"
    assert result.stderr.splitlines()[-1] == "      Built pkg19999==1.0"
    assert len(result.stderr.splitlines()) == 20000
    assert seen.lines[-1] == "Built pkg19999==1.0"


class Broken(ui.Progress):
    def __init__(self) -> None:
        self.calls = 0

    def update(self, status: str, line: str | None = None) -> None:
        self.calls += 1
        if self.calls > 1:  # the opening line is drawn; then the terminal is gone
            raise BrokenPipeError


def test_a_display_that_fails_does_not_stall_the_program() -> None:
    broken = Broken()
    result = run_chatty(broken)
    assert result.returncode == 0
    assert len(result.stderr.splitlines()) == 20000
    assert broken.calls == 2


def test_bytes_that_are_not_text_are_kept_replaced() -> None:
    result = Engine()._run([sys.executable, "-c",
                            "import sys; sys.stderr.buffer.write(b'caf\\xe9 failed\\n')"])
    assert result.stderr == "caf\N{REPLACEMENT CHARACTER} failed\n"
