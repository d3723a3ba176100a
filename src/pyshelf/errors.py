"""Errors that reach the person at the terminal.

Every failure pyshelf reports is one of these: a sentence that says what happened and what
to do next, plus the exit code the design promises for that kind of failure. Anything else
that escapes is a bug and is reported as such by the CLI.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_DECLINED = 4
EXIT_INTERRUPTED = 130


class PyshelfError(Exception):
    """A failure with a message meant for the person, not a traceback."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class UsageError(PyshelfError):
    """The command line itself was wrong (bad requirement, bad option value)."""

    exit_code = EXIT_USAGE


class ConflictError(PyshelfError):
    """The requested set of requirements cannot be installed together."""

    exit_code = EXIT_CONFLICT


class DeclinedError(PyshelfError):
    """The person answered no at a prompt; nothing was changed."""

    exit_code = EXIT_DECLINED


class ChangeKept(KeyboardInterrupt):
    """Ctrl-C after a generation became current: what was left (app links, collection,
    messages) stops, the change stays. An interrupt rather than a PyshelfError, so that no
    handler meant for failures swallows it on its way to the CLI."""

    def __init__(self, gen_id: int) -> None:
        super().__init__(f"Interrupted after generation {gen_id} became current; the change "
                         "is kept.")
        self.gen_id = gen_id


class NotInitializedError(PyshelfError):
    """The shelf home has no state yet."""


class DiskFullError(PyshelfError):
    """A full disk, whoever notices it (uv, SQLite, pyshelf itself): the remedy is the same,
    and uv's nested causes or a traceback would bury it. ``where`` is a path on the full disk
    when it is known; ``unchanged`` is False where the caller cannot promise that nothing was
    changed."""

    def __init__(self, where: Path | None = None, *, detail: str = "",
                 unchanged: bool = True) -> None:
        disk = f"The disk holding {where}" if where else "The disk"
        outcome = "; nothing was changed." if unchanged else "."
        super().__init__(f"{disk} is full; free some space (`pyshelf gc` removes old "
                         f"generations) and try again{outcome}", detail=detail)
