"""What several commands share: their definitions' shape, the options they have in common,
and the few names and helpers more than one command needs.

Every command module imports this one, and ``pyshelf --help`` imports every command module,
so it imports nothing at module level beyond the standard library's lightest parts (not
even ``typing`` or ``pathlib``); the shelf itself is imported only when a command opens it.
"""

from __future__ import annotations

import os
import sys

from pyshelf.core.records import NamedTuple
from pyshelf.errors import ConflictError, PyshelfError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path

    from pyshelf.core.model import InstalledPackage
    from pyshelf.layout import Layout
    from pyshelf.shelf import Shelf

BASELINE = "baseline"  # the snapshot init takes of the empty shelf; clean can go back to it
REBUILT_KINDS = ("local", "editable", "wheel")  # built from source, so uv must not reuse them
LOCAL_TYPES = ("local", "editable", "url")
# The type of a requirement asked for whose marker is false for the shelf's interpreter, so
# that nothing is installed for it (core.model.not_for_here).
NOT_FOR_HERE = "not-for-this-platform"


class Command(NamedTuple):
    """One command as its own module defines it, so adding a command touches that module
    and one line of ``cli.MODULES``."""

    name: str
    help: str
    examples: str
    run: Callable[[argparse.Namespace, Layout], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None
    aliases: tuple[str, ...] = ()
    # Reads the database and the disk only, starting no process and changing nothing (but
    # for cleaning up after a killed pyshelf, as every command does).
    report: bool = False


def common_options() -> argparse.ArgumentParser:
    """Options every command accepts, before or after its name."""
    import argparse

    common = argparse.ArgumentParser(add_help=False)
    add_common_options(common, argparse.SUPPRESS)
    return common


def add_common_options(common: argparse.ArgumentParser, absent: str) -> None:
    """The options of :func:`common_options`, to a parser or to what reads a command line
    without argparse (``quick_args``); ``absent`` is the default that leaves an option out
    of the result (argparse knows its ``SUPPRESS`` by identity, not by value)."""
    common.add_argument("--home", default=absent,
                        help="the shelf home (default: $PYSHELF_HOME or "
                             "$XDG_DATA_HOME/pyshelf)")
    common.add_argument("-v", "--verbose", action="store_true", default=absent,
                        help="show the commands pyshelf runs and full error details")
    common.add_argument("-q", "--quiet", action="store_true", default=absent,
                        help="print only errors and what was asked for: no progress, and "
                             "a change shows its plan only to ask about it")
    common.add_argument("--no-wait", action="store_true", default=absent,
                        help="if another pyshelf is changing the shelf, fail at once "
                             "instead of waiting")


def json_output(parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def changing(parser: argparse.ArgumentParser) -> None:
    """The options of every command that shows a plan before it changes the shelf."""
    parser.add_argument("-y", "--yes", action="store_true", help="answer yes to every prompt")
    parser.add_argument("--dry-run", action="store_true",
                        help="show the plan and change nothing")


def moving_with(shelf: Shelf, gen_id: int, names: list[str]) -> list[str]:
    """The installed ones of ``names`` and everything they need: moving a package to its
    newest release moves its dependencies with it, or the newest could not be had."""
    from pyshelf.core.graph import reachable

    installed = {p.name for p in shelf.state.packages(gen_id)}
    return sorted(reachable([n for n in names if n in installed], shelf.state.edges(gen_id)))


def open_from(args: argparse.Namespace, layout: Layout, *, create: bool = False,
              warn_drift: bool = True, recover: bool = True) -> Shelf:
    """The shelf as the command line asked for it (``--verbose``, ``--no-wait``).

    The shelf module is imported here, not above, so that defining a command costs nothing
    until it runs."""
    from pyshelf.shelf import open_shelf

    return open_shelf(layout, verbose=args.verbose, wait=not args.no_wait, create=create,
                      warn_drift=warn_drift, recover=recover)


def offer_isolated(conflict: ConflictError, names: list[str]) -> ConflictError:
    """A conflict over newly asked-for packages, with the way out an app has: an
    environment of its own (install and sync say it alike)."""
    if not names:
        return conflict
    words = " ".join(names)
    return ConflictError(f"{conflict.message[:-1]}; if {words} is an app, `pyshelf install "
                         f"--isolated {words}` gives it an environment of its own.",
                         detail=conflict.detail)


def package_type(package: InstalledPackage) -> str:
    """explicit / dependency for index packages; local / editable / url for the rest."""
    if not package.is_explicit:
        return "dependency"
    if package.source in ("local", "wheel"):
        return "local"
    return package.source if package.source in LOCAL_TYPES else "explicit"


def exec_command(command: Path, arguments: list[str]) -> None:
    """Replace pyshelf with ``command``, so it owns the terminal, signals and exit status."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(command, [str(command), *arguments])
    except OSError as exc:
        raise PyshelfError(f"{command} could not be started ({exc.strerror}).") from exc
