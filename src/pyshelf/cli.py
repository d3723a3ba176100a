"""Argument parsing and dispatch; each command's module is imported only when it runs.

Importing lazily keeps ``pyshelf list`` from paying for the modules only changes need.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyshelf import __version__
from pyshelf.errors import EXIT_ERROR, EXIT_INTERRUPTED, DiskFullError, PyshelfError

EXAMPLES = {
    "init": """examples:
  pyshelf init
  pyshelf init --python /usr/bin/python3.12 --bin-dir ~/bin
  pyshelf init --index-url https://mirror.example.com/simple
  pyshelf init --expose apps      # link apps into the bin dir; keep the system's python3""",
    "pip": """examples (usually through the pip the shelf puts on PATH):
  pip install requests            # = pyshelf install --yes requests
  pip install -U requests         # ... then pyshelf update requests
  pip uninstall -y requests       # = pyshelf remove --yes requests
  pip list                        # a real pip, run against the shelf""",
    "expose": """examples:
  pyshelf expose httpx            # link a dependency's commands into the bin dir
  pyshelf expose black --command --force   # replace a black that is in the way""",
    "hide": """examples:
  pyshelf hide black              # unlink all of black's commands
  pyshelf hide blackd --command   # just this one""",
    "install": """examples:
  pyshelf install requests black
  pyshelf install 'requests>=2.30' 'black[d]'
  pyshelf install --dry-run httpie
  pyshelf install ./my-project            # a local project, rebuilt from source
  pyshelf install -e ~/src/my-tool        # editable: source edits show at once
  pyshelf install ./dist/tool-1.0-py3-none-any.whl
  pyshelf install 'tool @ https://example.com/tool-1.0-py3-none-any.whl'
  pyshelf install --isolated black        # an environment of its own
  pyshelf install --isolated mkdocs --with mkdocs-material""",
    "remove": """examples:
  pyshelf remove black            # also removes click, pathspec... if nothing else needs them
  pyshelf remove --keep-orphans black""",
    "list": """examples:
  pyshelf list
  pyshelf list --explicit
  pyshelf list --json""",
    "deps": """examples:
  pyshelf deps pytest
  pyshelf deps pytest --json""",
    "tree": """examples:
  pyshelf tree                    # every explicit package and what it pulls in
  pyshelf tree black --depth 1
  pyshelf tree click --reverse    # who pulls click in
  pyshelf tree --dot | dot -Tsvg > shelf.svg""",
    "why": """examples:
  pyshelf why certifi""",
    "update": """examples:
  pyshelf update                  # upgrade everything within its requirements
  pyshelf update requests         # only requests and what it needs
  pyshelf update --dry-run""",
    "outdated": """examples:
  pyshelf outdated                # explicit packages with newer releases, and what holds
                                  # them back
  pyshelf outdated --all          # dependencies too
  pyshelf outdated --json""",
    "run": """examples:
  pyshelf run black -- --check .           # the shelf's black if it has one
  pyshelf run 'httpie==3.2.4' -- --version # a throw-away environment, reused for 14 days
  pyshelf run pytest --with pytest-cov -- --cov
  pyshelf run python-lsp-server --command pylsp""",
    "rebuild": """examples:
  pyshelf rebuild                 # after the shelf's Python changed
  pyshelf rebuild --python /usr/bin/python3.13""",
    "config": """examples:
  pyshelf config                  # every setting and where its value comes from
  pyshelf config get index_url
  pyshelf config set keep_generations 10
  pyshelf config set index_url https://mirror.example.com/simple
  pyshelf config unset index_url""",
    "history": """examples:
  pyshelf history
  pyshelf history --limit 5 --json""",
    "diff": """examples:
  pyshelf diff            # what the last operation changed
  pyshelf diff 7          # what operation 7 changed
  pyshelf diff 2 5        # generation 2 against generation 5""",
    "undo": """examples:
  pyshelf undo            # back to the generation before the last operation
  pyshelf undo 3          # back three operations
  pyshelf undo            # run again right after an undo: redo""",
    "rollback": """examples:
  pyshelf rollback --to 4""",
    "snapshot": """examples:
  pyshelf snapshot before-upgrade
  pyshelf snapshot --force before-upgrade
  pyshelf snapshot --delete before-upgrade""",
    "restore": """examples:
  pyshelf restore before-upgrade""",
    "snapshots": """examples:
  pyshelf snapshots
  pyshelf snapshots --json""",
    "clean": """examples:
  pyshelf clean                   # remove everything (undo brings it back)
  pyshelf clean --keep-baseline   # back to the baseline snapshot taken at init""",
    "gc": """examples:
  pyshelf gc
  pyshelf gc --dry-run""",
    "export": """examples:
  pyshelf export > shelf.txt
  pyshelf export --format pylock -o pylock.toml
  pyshelf export --format json -o shelf.json""",
    "status": """examples:
  pyshelf status
  pyshelf status --json""",
    "doctor": """examples:
  pyshelf doctor                  # check everything, change nothing
  pyshelf doctor --fix            # repair what can be repaired safely""",
    "self": """examples:
  pyshelf self update                        # the newest pyshelf from the index
  pyshelf self update --from ~/src/pyshelf   # a source checkout or a wheel""",
    "adopt": """examples:
  pyshelf adopt --dry-run         # what `pip install` inside the shelf changed
  pyshelf adopt --yes
  pyshelf adopt --from pipx --from uv --remove-old   # move over in one command
  pyshelf adopt --from user --dry-run""",
    "import": """examples:
  pyshelf import shelf.txt
  pyshelf import pylock.toml --yes""",
}


def _common() -> argparse.ArgumentParser:
    """Options every command accepts, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=argparse.SUPPRESS,
                        help="the shelf home (default: $PYSHELF_HOME or "
                             "$XDG_DATA_HOME/pyshelf)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="show the commands pyshelf runs and full error details")
    common.add_argument("--no-wait", action="store_true", default=argparse.SUPPRESS,
                        help="if another pyshelf is changing the shelf, fail at once "
                             "instead of waiting")
    return common


def _json_output(parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _changing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-y", "--yes", action="store_true", help="answer yes to every prompt")
    parser.add_argument("--dry-run", action="store_true",
                        help="show the plan and change nothing")


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--python", help="the interpreter the shelf is built on "
                                         "(default: python3 on PATH)")
    parser.add_argument("--bin-dir", help="where the pyshelf launcher goes (default: ~/.local/bin)")
    parser.add_argument("--shell-config", help="the shell config file to manage "
                                               "(default: from $SHELL)")
    parser.add_argument("--index-url", help="the package index to install from")
    parser.add_argument("--expose", choices=("path", "apps"),
                        help="path (default): the shelf's bin on PATH, so its python3 is the "
                             "one you get; apps: only the explicit packages' commands (and "
                             "pyshelf-python) are linked into the bin dir")
    parser.add_argument("--no-modify-shell", action="store_true",
                        help="do not touch the shell config")
    parser.add_argument("-y", "--yes", action="store_true", help="answer yes to every prompt")


def _install_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("specs", nargs="*", metavar="SPEC",
                        help="a PEP 508 requirement ('requests>=2.30', 'black[d]', "
                             "'name @ URL'), a project directory or a wheel file")
    parser.add_argument("-e", "--editable", action="append", default=[], metavar="PATH",
                        help="install the project at PATH in editable mode (repeatable)")
    parser.add_argument("--isolated", action="store_true",
                        help="give the app an environment of its own, for an app that "
                             "cannot share the shelf's")
    parser.add_argument("--with", dest="with_packages", action="append", default=[],
                        metavar="PKG", help="with --isolated: another package to install "
                                            "next to the app (repeatable)")
    _changing(parser)


def _remove_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="+", metavar="NAME", help="an installed package")
    parser.add_argument("--keep-orphans", action="store_true",
                        help="keep the dependencies nothing else needs, pinned")
    _changing(parser)


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument("--explicit", action="store_true", help="only what you installed")
    kinds.add_argument("--deps", action="store_true", help="only dependencies")
    kinds.add_argument("--local", action="store_true",
                       help="only local projects, wheels, URLs and editables")
    kinds.add_argument("--isolated", action="store_true",
                       help="only apps in environments of their own")
    _json_output(parser)


def _deps_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    _json_output(parser)


def _tree_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME")
    parser.add_argument("--reverse", action="store_true", help="who pulls NAME in")
    parser.add_argument("--depth", type=int, metavar="N", help="stop N levels down")
    tree_format = parser.add_mutually_exclusive_group()
    _json_output(tree_format)
    tree_format.add_argument("--dot", action="store_true", help="Graphviz DOT output")


def _why_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    _json_output(parser)


def _update_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these packages and what they need (default: everything)")
    _changing(parser)


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app", metavar="APP", help="the package, e.g. 'black' or "
                                                   "'black==25.1'")
    parser.add_argument("--with", dest="with_packages", action="append", default=[],
                        metavar="PKG", help="another package the app needs (repeatable)")
    parser.add_argument("--command", dest="script", metavar="NAME",
                        help="which of the package's commands to run (default: the one "
                             "named like the package, or its only one)")
    parser.add_argument("args", nargs="*", default=[], metavar="ARG",
                        help="arguments for the app; put them after --")


def _outdated_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--all", action="store_true", help="dependencies too")
    _json_output(parser)


def _rebuild_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--python", help="move the shelf to this interpreter")
    _changing(parser)


def _config_arguments(parser: argparse.ArgumentParser) -> None:
    config_actions = parser.add_subparsers(dest="action", metavar="ACTION")
    config_show = config_actions.add_parser("show", help="every setting, its value and "
                                                         "its source")
    config_show.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                             help="machine-readable output")
    config_get = config_actions.add_parser("get", help="print one setting's value")
    config_get.add_argument("key", metavar="KEY")
    config_set = config_actions.add_parser("set", help="change a setting")
    config_set.add_argument("key", metavar="KEY")
    config_set.add_argument("value", metavar="VALUE")
    config_unset = config_actions.add_parser("unset", help="back to the default")
    config_unset.add_argument("key", metavar="KEY")
    _json_output(parser)


def _history_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, help="only the newest N operations")
    _json_output(parser)


def _diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", type=int, metavar="N",
                        help="an operation number, or two generation numbers")
    _json_output(parser)


def _undo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("steps", nargs="?", type=int, default=1, metavar="N")
    _changing(parser)


def _rollback_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", type=int, required=True, metavar="GEN")
    _changing(parser)


def _snapshot_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--force", action="store_true", help="replace an existing snapshot")
    parser.add_argument("--delete", action="store_true", help="delete the snapshot")


def _restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    _changing(parser)


def _snapshots_arguments(parser: argparse.ArgumentParser) -> None:
    _json_output(parser)


def _clean_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep-baseline", action="store_true",
                        help="go back to the baseline snapshot taken at init instead")
    _changing(parser)


def _gc_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="only say what would be deleted")


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("requirements", "pylock", "json"),
                        default="requirements")
    parser.add_argument("-o", "--output", metavar="FILE", help="the file (default: stdout)")


def _status_arguments(parser: argparse.ArgumentParser) -> None:
    _json_output(parser)


def _doctor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fix", action="store_true", help="repair what can be repaired "
                                                           "safely")


def _self_arguments(parser: argparse.ArgumentParser) -> None:
    own_actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    own_update = own_actions.add_parser("update", parents=[_common()],
                                        help="refresh it from the index or from a path")
    own_update.add_argument("--from", dest="source", metavar="PATH",
                            help="a pyshelf wheel or project directory (its dependencies are "
                                 "kept from the current copy)")


def _adopt_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="sources", action="append", default=[],
                        choices=("pipx", "uv", "user"),
                        help="move the apps that pipx, uv tool or `pip install --user` "
                             "installed onto the shelf (repeatable)")
    parser.add_argument("--remove-old", action="store_true",
                        help="with --from: then remove the old copies through their own "
                             "tools")
    _changing(parser)


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--format", choices=("requirements", "pylock", "json"),
                        help="the file's format (default: from its name)")
    parser.add_argument("--allow-empty", action="store_true",
                        help="let a file that lists no packages remove every package "
                             "(without it, such an import asks even with --yes)")
    _changing(parser)


def _chooser_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="a package on the shelf, or with "
                                                     "--command one of its commands")
    parser.add_argument("--command", dest="is_command", action="store_true",
                        help="NAME is a command, not a package")


def _expose_arguments(parser: argparse.ArgumentParser) -> None:
    _chooser_arguments(parser)
    parser.add_argument("--force", action="store_true",
                        help="replace a file in the bin dir that is in the way")


@dataclass(frozen=True)
class Command:
    """One command: its name, its one-line help, and what adds its own arguments."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None] | None
    aliases: tuple[str, ...] = ()


COMMAND_TABLE: tuple[Command, ...] = (
    Command('init', 'create the shelf: home, database, generation 0, shell block, launcher',
            _init_arguments),
    Command('install', 'install packages onto the shelf',
            _install_arguments),
    Command('remove', 'remove packages and the dependencies only they needed',
            _remove_arguments),
    Command('list', 'list the packages on the shelf',
            _list_arguments),
    Command('deps', 'what a package depends on, and what requires it',
            _deps_arguments, aliases=('list-deps',)),
    Command('tree', 'the dependency tree of the explicit packages, or of NAME',
            _tree_arguments),
    Command('why', 'the chains from explicit packages down to NAME',
            _why_arguments),
    Command('update', 'upgrade packages as far as their requirements allow',
            _update_arguments),
    Command('run', 'run an app once without adding it to the shelf',
            _run_arguments),
    Command('outdated', 'packages with newer releases, and what holds them back',
            _outdated_arguments),
    Command('rebuild', 're-resolve and rebuild everything, e.g. for a new Python',
            _rebuild_arguments),
    Command('config', "show or change the shelf's settings",
            _config_arguments),
    Command('history', 'list the operations that changed the shelf',
            _history_arguments),
    Command('diff', 'show what an operation changed, or the difference of two generations',
            _diff_arguments),
    Command('undo', 'go back N operations (default 1)',
            _undo_arguments),
    Command('rollback', 'make an earlier generation current again',
            _rollback_arguments),
    Command('snapshot', 'name the current state so it can be restored later',
            _snapshot_arguments),
    Command('restore', 'go back to a named snapshot',
            _restore_arguments),
    Command('snapshots', 'list the named snapshots',
            _snapshots_arguments),
    Command('clean', 'remove every package, as one undoable change',
            _clean_arguments),
    Command('gc', 'delete old generations beyond keep_generations',
            _gc_arguments),
    Command('export', "write the shelf's state to a file another machine can import",
            _export_arguments),
    Command('status', 'the shelf at a glance: generation, interpreter, shell, disk',
            _status_arguments),
    Command('doctor', 'check everything that can go wrong, and repair it with --fix',
            _doctor_arguments),
    Command('self', "manage pyshelf's own copy, which the launcher runs",
            _self_arguments),
    Command('pip', 'pip on the shelf: install and uninstall become pyshelf changes, anything '
                   'else runs a real pip against the shelf', None),
    Command('expose', "link a package's commands (or one command) into the bin dir",
            _expose_arguments),
    Command('hide', "take a package's commands (or one command) out of the bin dir",
            _chooser_arguments),
    Command('adopt', 'record packages that other tools changed inside the shelf',
            _adopt_arguments),
    Command('import', 'recreate an exported state on this shelf',
            _import_arguments),
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with ``only`` just that command's: building every command's
    arguments costs more than a short command itself."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="pyshelf", parents=[common],
        description="One shared, generational Python environment for the packages you use "
                    "everywhere.",
    )
    parser.add_argument("--version", action="version", version=f"pyshelf {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMAND_TABLE:
        if only is not None and only != command.name and only not in command.aliases:
            continue
        sub = commands.add_parser(
            command.name, parents=[common], help=command.help, description=command.help,
            aliases=command.aliases, epilog=EXAMPLES[command.name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if command.arguments is not None:
            command.arguments(sub)
    return parser


COMMANDS = {
    "init": "init:run",
    "install": "install:run",
    "remove": "remove:run",
    "list": "listing:run",
    "deps": "deps:run_deps",
    "list-deps": "deps:run_deps",
    "tree": "deps:run_tree",
    "why": "deps:run_why",
    "update": "update:run_update",
    "rebuild": "update:run_rebuild",
    "outdated": "outdated:run",
    "run": "run:run",
    "pip": "pip:run",
    "expose": "expose:run_expose",
    "hide": "expose:run_hide",
    "config": "config:run",
    "history": "history:run_history",
    "diff": "history:run_diff",
    "undo": "undo:run_undo",
    "rollback": "undo:run_rollback",
    "snapshot": "snapshots:run_snapshot",
    "restore": "snapshots:run_restore",
    "snapshots": "snapshots:run_list",
    "clean": "clean:run",
    "gc": "gc:run",
    "export": "exchange:run_export",
    "import": "exchange:run_import",
    "adopt": "adopt:run",
    "self": "selfupdate:run",
    "status": "status:run",
    "doctor": "doctor:run",
}


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
    parser = build_parser(argv[at] if at is not None and argv[at] in COMMANDS else None)
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


def main(argv: Sequence[str] | None = None) -> int:
    _never_world_writable()
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    args.verbose = getattr(args, "verbose", False) or os.environ.get("PYSHELF_DEBUG") == "1"
    args.no_wait = getattr(args, "no_wait", False)
    from pyshelf import ui
    from pyshelf.layout import Layout, default_home

    home = getattr(args, "home", None)
    layout = Layout(Path(home).expanduser().absolute() if home else default_home(os.environ))
    try:
        module_name, function = COMMANDS[args.command].split(":")
        module = importlib.import_module(f"pyshelf.commands.{module_name}")
        return int(getattr(module, function)(args, layout))
    except PyshelfError as exc:
        ui.error(exc.message)
        if exc.detail and (args.verbose or exc.exit_code == 3):
            ui.info(exc.detail)
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
                ui.info(known.detail)
            return known.exit_code
        if args.verbose:
            raise
        ui.error(f"pyshelf failed unexpectedly ({type(exc).__name__}: {exc}); "
                 "re-run with --verbose for details.")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
