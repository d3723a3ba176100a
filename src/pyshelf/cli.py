"""Argument parsing and dispatch, from the definitions each command module holds.

Only the module of the command being run is imported, and only its parser built, which
keeps ``pyshelf list`` from paying for the modules only changes need; a plain command line
is read without argparse at all (``quick_args``).
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from pathlib import Path

from pyshelf import __version__
from pyshelf.commands.common import Command, common_options
from pyshelf.errors import EXIT_DECLINED, EXIT_ERROR, EXIT_INTERRUPTED, DiskFullError, PyshelfError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

# Which module defines each command (aliases included), in the order ``pyshelf --help``
# lists them: running one command imports only its own module.
MODULES = {
    "init": "init",
    "install": "install",
    "remove": "remove",
    "list": "listing",
    "deps": "deps",
    "list-deps": "deps",
    "tree": "deps",
    "why": "deps",
    "update": "update",
    "run": "run",
    "outdated": "outdated",
    "rebuild": "update",
    "config": "config",
    "history": "history",
    "diff": "history",
    "undo": "undo",
    "rollback": "undo",
    "snapshot": "snapshots",
    "restore": "snapshots",
    "snapshots": "snapshots",
    "clean": "clean",
    "gc": "gc",
    "export": "exchange",
    "status": "status",
    "doctor": "doctor",
    "self": "selfupdate",
    "pip": "pip",
    "expose": "expose",
    "hide": "expose",
    "adopt": "adopt",
    "import": "exchange",
    "sync": "sync",
}


def definition(word: str) -> Command:
    """The command ``word`` names; argparse gives back an alias as it was typed, so a word
    is found by its command's aliases too. (``__import__`` with a ``fromlist`` gives the
    module itself, without importing ``importlib``.)"""
    module = __import__(f"pyshelf.commands.{MODULES[word]}", fromlist=["COMMANDS"])
    commands: tuple[Command, ...] = module.COMMANDS
    return next(c for c in commands if word == c.name or word in c.aliases)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with ``only`` just that command's: building every command's
    arguments costs more than a short command itself."""
    import argparse

    common = common_options()
    parser = argparse.ArgumentParser(
        prog="pyshelf", parents=[common],
        description="One shared, generational Python environment for the packages you use "
                    "everywhere.",
    )
    parser.add_argument("--version", action="version", version=f"pyshelf {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for word in MODULES if only is None else [only]:
        command = definition(word)
        if only is None and word != command.name:
            continue  # an alias, added with its command
        sub = commands.add_parser(
            command.name, parents=[common], help=command.help, description=command.help,
            aliases=command.aliases, epilog=command.examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if command.arguments is not None:
            command.arguments(sub)
    return parser


def _never_world_writable() -> None:
    """Add "others may not write" (0o002) to the person's umask, keeping anything stricter.

    Everything pyshelf and the uv it starts create (the shelf's site-packages, console
    scripts, the launcher on PATH) is code the person runs; with a umask of 000 any local
    user could rewrite it. A stricter umask such as 077 is respected, not loosened.
    """
    os.umask(os.umask(0o077) | 0o002)


def _command_index(argv: Sequence[str]) -> int | None:
    """Where the command is named in ``argv``: the first word that is neither an option nor
    the value of ``--home``."""
    skip_next = False
    for index, word in enumerate(argv):
        if skip_next:
            skip_next = False
        elif word == "--home":
            skip_next = True
        elif not word.startswith("-"):
            return index
    return None


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``. For ``run``, everything after the first ``--`` belongs to the app;
    for ``pip``, everything after ``pip`` belongs to pip: options included, never read as
    pyshelf's own."""
    argv = list(argv)
    at = _command_index(argv)
    if at is not None and argv[at] in MODULES and argv[at] != "pip":
        from pyshelf.quick_args import quick_arguments

        quick = quick_arguments(argv, at, definition(argv[at]))
        if quick is not None:
            return quick
    parser = build_parser(argv[at] if at is not None and argv[at] in MODULES else None)
    if at is None and not {"-h", "--help", "--version"} & set(argv):
        parser.print_help()  # a bare `pyshelf`: what it can do, not a usage error
        raise SystemExit(0)
    if at is not None and argv[at] not in MODULES:
        parser.error(_unknown_command(argv[at]))
    if at is not None and argv[at] == "pip":
        args = parser.parse_args(argv[:at + 1])
        args.pip_args = argv[at + 1:]
        return args
    if "--" in argv:
        cut = argv.index("--")
        if at is not None and at < cut and argv[at] == "run":
            args = parser.parse_args(argv[:cut])
            args.args = [*args.args, *argv[cut + 1:]]
            return args
    return parser.parse_args(argv)


def _unknown_command(word: str) -> str:
    """One sentence instead of argparse's list of every command."""
    import difflib

    close = difflib.get_close_matches(word, MODULES, n=1)
    guess = f"; did you mean {close[0]}?" if close else "."
    return f"'{word}' is not a pyshelf command{guess} `pyshelf --help` lists them."


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv``, or without it the process's own (``sys.argv``), which
    the process ends with: the launcher, ``python -m pyshelf`` and the console script call
    it so; the shelf's pip and tests, which go on after it, pass theirs.

    A report run from the process's own command line freezes every object out of the
    garbage collector as it finishes: the interpreter's collections while it shuts down
    then pass them by, which saves a report about a tenth of its time. A report leaves
    nothing that only a collection would finalize (its database closes when its run
    returns); a change may leave more, so it exits as any program does."""
    exiting = argv is None
    _never_world_writable()
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    args.verbose = getattr(args, "verbose", False) or os.environ.get("PYSHELF_DEBUG") == "1"
    args.no_wait = getattr(args, "no_wait", False)
    args.quiet = getattr(args, "quiet", False)
    from pyshelf import ui

    ui.set_quiet(args.quiet)
    from pyshelf.layout import Layout, default_home

    home = getattr(args, "home", None)
    layout = Layout(Path(home).expanduser().absolute() if home else default_home(os.environ))
    command = definition(args.command)
    try:
        return command.run(args, layout)
    except PyshelfError as exc:
        # a "no" at the prompt is the person's choice, not a failure
        (ui.info if exc.exit_code == EXIT_DECLINED else ui.error)(exc.message)
        if exc.detail and (args.verbose or exc.exit_code == 3):
            ui.detail(exc.detail)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        import signal  # only here: a second Ctrl-C must not cut the message or the exit short

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # A plain Ctrl-C carries no text; one after a commit says the change is kept.
        ui.error(str(exc) or "Interrupted; nothing was changed.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`pyshelf list | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        from pyshelf.store.database import database_error

        # A damaged, full or forbidden database, met by any query of any command; a change
        # has already undone itself, but other commands may have written a part.
        known = database_error(exc, layout.state_db, unchanged=False)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            # pyshelf's own write hit the full disk (uv's and SQLite's are caught earlier)
            full = (Path(exc.filename).absolute() if isinstance(exc.filename, str)
                    else layout.home)
            where = layout.home if full.is_relative_to(layout.home) else full.parent
            known = DiskFullError(where, detail=str(exc), unchanged=False)
        if known is not None:
            ui.error(known.message)
            if args.verbose and known.detail:
                ui.detail(known.detail)
            return known.exit_code
        if args.verbose:
            raise
        ui.error(f"pyshelf failed unexpectedly ({type(exc).__name__}: {exc}); "
                 "re-run with --verbose for details.")
        return EXIT_ERROR
    finally:
        if exiting and command.report:
            gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
