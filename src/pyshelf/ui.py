"""Everything pyshelf prints, and the one prompt it asks.

Results go to stdout, progress and warnings to stderr, so ``--json`` output and pipes stay
clean. Colour only on a terminal and never with ``NO_COLOR``. A prompt without a terminal
fails at once instead of hanging a script.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from pyshelf.errors import DeclinedError, PyshelfError

if TYPE_CHECKING:
    from pyshelf.core.plan import Change, Plan, SpecChange


def _colour_enabled(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _paint(text: str, code: str, stream: TextIO) -> str:
    return f"\033[{code}m{text}\033[0m" if _colour_enabled(stream) else text


def local_time(stamp: str) -> str:
    """A stored UTC timestamp as the person's local time, to the minute."""
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def out_bytes(data: bytes) -> None:
    """Write ``data`` to stdout as it is: shell lines hold paths, which need not be UTF-8,
    and lines to paste must be the very bytes pyshelf would have written."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _to_stderr(text: str) -> None:
    """stdout is buffered when it is a file or a pipe, stderr is not: without the flush, a
    log that captures both shows "Building ..." before the plan it follows."""
    sys.stdout.flush()
    print(text, file=sys.stderr)


def info(text: str) -> None:
    _to_stderr(text)


def warn(text: str) -> None:
    _to_stderr(_paint("warning:", "1;33", sys.stderr) + " " + text)


def error(text: str) -> None:
    _to_stderr(_paint("error:", "1;31", sys.stderr) + " " + text)


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
              rebuilt: Sequence[str] = (), because: Mapping[str, str] | None = None) -> None:
    """``because`` gives the reason a package's version moves, where it is not the
    person's request (a new Python that needs another version)."""
    because = because or {}
    out(heading)
    for line in rebuilt:
        out(f"  ~ {line}")
    for spec in specs:
        out(f"  * requirement {spec.old!r} becomes {spec.new!r}")
    for change in plan.added:
        out(_paint(_change_line("+", change), "32", sys.stdout))
    for change in plan.upgraded:
        note = f" ({because[change.name]})" if change.name in because else ""
        out(_paint(_change_line("^", change, note), "36", sys.stdout))
    for change in plan.downgraded:
        reason = f"; {because[change.name]}" if change.name in because else ""
        out(_paint(_change_line("v", change, f" (downgrade{reason})"), "33", sys.stdout))
    for change in plan.removed:
        out(_paint(_change_line("-", change), "31", sys.stdout))
    for change in plan.orphaned:
        out(_paint(_change_line("-", change, " (orphaned dependency)"), "31", sys.stdout))
    for name in plan.now_explicit:
        out(f"  * {name} becomes explicit")
    for name in plan.now_dependency:
        out(f"  * {name} stays as a dependency")
    removed = len(plan.removed) + len(plan.orphaned)
    out(f"{len(plan.added)} to add, {len(plan.upgraded)} to upgrade, "
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
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise DeclinedError("Nothing was changed.")
