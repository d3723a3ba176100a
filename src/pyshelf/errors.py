"""Errors that reach the person at the terminal.

Every failure pyshelf reports is one of these: a sentence that says what happened and what
to do next, plus the exit code the design promises for that kind of failure. Anything else
that escapes is a bug and is reported as such by the CLI.
"""

from __future__ import annotations

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


class NotInitializedError(PyshelfError):
    """The shelf home has no state yet."""
