"""Everything pyshelf prints, and the one prompt it asks.

Results go to stdout, progress and warnings to stderr, so ``--json`` output and pipes stay
clean. Colour only on a terminal and never with ``NO_COLOR``. A prompt without a terminal
fails at once instead of hanging a script.

``--quiet`` leaves out everything but errors and what the person asked for: ``out`` (a
listing, a report) always prints; ``report`` (what a change says), ``info`` and ``warn`` are
held back, and progress is not shown. What was held comes out only where it is the
question or the answer: before a prompt that asks (the plan it asks about) and before a dry
run's last line (the plan it was asked for).
"""

from __future__ import annotations

import _thread  # threading's lock itself, without threading's own import
import json
import os
import sys
from datetime import datetime
from functools import cache

from pyshelf.errors import DeclinedError, PyshelfError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import TextIO

    from pyshelf.core.plan import Change, Plan, SpecChange


def _colour_enabled(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _paint(text: str, code: str, stream: TextIO) -> str:
    return f"\033[{code}m{text}\033[0m" if _colour_enabled(stream) else text


@cache
def local_time(stamp: str) -> str:
    """A stored UTC timestamp as the person's local time, to the minute. Every package a
    change installed has that change's stamp, so ``list`` converts each stamp once."""
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


class _Screen:
    """What later output must know of what was printed: whether ``--quiet`` is on and what
    it held back, the status line drawn now (any other output erases it first, so nothing
    is written into its middle; the next update draws it again) and the last progress line
    a log got (a repeat of it, with nothing between, is left out). uv's reader thread
    updates a status while the main thread may print, hence the lock."""

    def __init__(self) -> None:
        self.lock = _thread.RLock()
        self.quiet = False
        self.held: list[tuple[TextIO, str]] = []  # what --quiet keeps back, in order
        self.status_width: int | None = None
        self.status_text = ""
        self.last_progress: str | None = None

    def write(self, stream: TextIO, text: str) -> None:
        with self.lock:
            self.clear_status()
            if stream is sys.stderr:
                sys.stdout.flush()
            print(text, file=stream)
            self.last_progress = None

    def say(self, stream: TextIO, text: str) -> None:
        """Write what ``--quiet`` holds back."""
        if self.quiet:
            self.held.append((stream, text))
        else:
            self.write(stream, text)

    def release(self) -> None:
        held, self.held = self.held, []
        for stream, text in held:
            self.write(stream, text)

    def draw_status(self, text: str) -> None:
        """Write ``text`` over the status line: the rest of the old one is cleared to the
        end of the line, or (without escape codes: ``NO_COLOR``, ``TERM=dumb``) covered
        with spaces."""
        if self.status_width is not None and text == self.status_text:
            return
        sys.stdout.flush()
        if _colour_enabled(sys.stderr):
            sys.stderr.write(f"\r{text}\033[K")
        else:
            sys.stderr.write(f"\r{text}" + " " * ((self.status_width or 0) - len(text)))
        sys.stderr.flush()
        self.status_width = max(len(text), self.status_width or 0)
        self.status_text = text

    def clear_status(self) -> None:
        if self.status_width is not None:
            self.draw_status("")
            sys.stderr.write("\r")
            sys.stderr.flush()
            self.status_width = None


_screen = _Screen()


def counted(count: int, noun: str) -> str:
    """``1 package``, ``2 packages``: a count as a person would say it."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def set_quiet(quiet: bool) -> None:
    _screen.quiet = quiet


def out(text: str = "") -> None:
    _screen.write(sys.stdout, text)


def report(text: str = "") -> None:
    """What a change says on stdout (its plan, ``Nothing to change``), which ``--quiet``
    holds back; results the person asked for go through :func:`out`."""
    _screen.say(sys.stdout, text)


def conclude(text: str) -> None:
    """The last line of what the person asked to see (a dry run's), after whatever
    ``--quiet`` held back: a dry run's plan is its answer."""
    _screen.release()
    out(text)


def out_bytes(data: bytes) -> None:
    """Write ``data`` to stdout as it is: shell lines hold paths, which need not be UTF-8,
    and lines to paste must be the very bytes pyshelf would have written."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _to_stderr(text: str) -> None:
    """stdout is buffered when it is a file or a pipe, stderr is not: without the flush
    (``_Screen.write``), a log that captures both shows "Building ..." before the plan it
    follows."""
    _screen.write(sys.stderr, text)


def info(text: str) -> None:
    _screen.say(sys.stderr, text)


def warn(text: str) -> None:
    _screen.say(sys.stderr, _paint("warning:", "1;33", sys.stderr) + " " + text)


def error(text: str) -> None:
    _to_stderr(_paint("error:", "1;31", sys.stderr) + " " + text)


def detail(text: str) -> None:
    """What the person asked for with ``--verbose``, or what belongs to an error (uv's
    account of a conflict): printed under ``--quiet`` too."""
    _to_stderr(text)


def _terminal_width() -> int:
    """The terminal's width, or 80 where it tells none (a new pseudo-terminal says 0)."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns or 80
    except (OSError, ValueError):
        return 80


class Progress:
    """What a long step is doing, as it goes: on a terminal one status line redrawn in place
    and erased when the step ends; in a log, plain lines that are never redrawn; with
    ``--quiet``, nothing. It may be updated from another thread (the one reading uv)."""

    def __init__(self) -> None:
        self._live = not _screen.quiet and sys.stderr.isatty()
        self._plain = not _screen.quiet and not self._live

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def update(self, status: str, line: str | None = None) -> None:
        """Show ``status`` on a terminal, or add ``line`` to a log; a line that repeats the
        one before it (a step tried from uv's cache, then from the index) is left out."""
        with _screen.lock:
            if self._live:
                _screen.draw_status(status[:_terminal_width() - 1])  # a wrapped line stays
            elif self._plain and line is not None and line != _screen.last_progress:
                _to_stderr(line)
                _screen.last_progress = line

    def close(self) -> None:
        """Erase the status line; later updates (a reader thread finishing) show nothing."""
        with _screen.lock:
            if self._live:
                _screen.clear_status()
            self._live = self._plain = False


def emit_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    out(_paint(line(headers), "1", sys.stdout))
    for row in rows:
        out(line(row))


def _change_line(mark: str, change: Change, note: str = "") -> str:
    if change.old and change.new:
        versions = f" {change.old} -> {change.new}"
    else:
        versions = f" {change.new or change.old}" if (change.new or change.old) else ""
    return f"  {mark} {change.display_name}{versions}{note}"


def show_plan(plan: Plan, heading: str, specs: Sequence[SpecChange] = (),
              rebuilt: Sequence[str] = (), because: Mapping[str, str] | None = None, *,
              asked: bool = False) -> None:
    """``because`` gives the reason a package's version moves, where it is not the
    person's request (a new Python that needs another version). A change's plan is what
    it says, which ``--quiet`` holds back; ``asked`` is for a plan that is the result the
    person asked for (``diff``)."""
    because = because or {}
    say = out if asked else report
    say(heading)
    for line in rebuilt:
        say(f"  ~ {line}")
    for spec in specs:
        say(f"  * requirement {spec.old!r} becomes {spec.new!r}")
    for change in plan.added:
        say(_paint(_change_line("+", change), "32", sys.stdout))
    for change in plan.upgraded:
        note = f" ({because[change.name]})" if change.name in because else ""
        say(_paint(_change_line("^", change, note), "36", sys.stdout))
    for change in plan.downgraded:
        reason = f"; {because[change.name]}" if change.name in because else ""
        say(_paint(_change_line("v", change, f" (downgrade{reason})"), "33", sys.stdout))
    for change in plan.removed:
        say(_paint(_change_line("-", change), "31", sys.stdout))
    for change in plan.orphaned:
        say(_paint(_change_line("-", change, " (orphaned dependency)"), "31", sys.stdout))
    for name in plan.now_explicit:
        say(f"  * {name} becomes explicit")
    for name in plan.now_dependency:
        say(f"  * {name} stays as a dependency")
    removed = len(plan.removed) + len(plan.orphaned)
    say(f"{len(plan.added)} to add, {len(plan.upgraded)} to upgrade, "
        f"{len(plan.downgraded)} to downgrade, {removed} to remove.")


def plan_to_json(plan: Plan) -> dict[str, object]:
    def changes(items: Sequence[Change]) -> list[dict[str, str | None]]:
        return [{"name": c.display_name, "old": c.old, "new": c.new} for c in items]
    return {
        "added": changes(plan.added),
        "upgraded": changes(plan.upgraded),
        "downgraded": changes(plan.downgraded),
        "removed": changes(plan.removed),
        "orphaned": changes(plan.orphaned),
        "now_explicit": list(plan.now_explicit),
        "now_dependency": list(plan.now_dependency),
    }


def can_ask() -> bool:
    """Whether there is a terminal to ask on: a script's empty stdin must never answer."""
    return sys.stdin.isatty()


def confirm(question: str, *, assume_yes: bool) -> None:
    """Ask a yes/no question; a 'no' raises DeclinedError, no terminal raises PyshelfError."""
    if assume_yes:
        return
    if not can_ask():
        raise PyshelfError(
            "pyshelf needs a confirmation but there is no terminal to ask on; "
            "re-run with --yes to proceed, or --dry-run to only see the plan."
        )
    _screen.release()  # under --quiet the plan was held back, and it is what is asked
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise DeclinedError("Nothing was changed.")
