"""Argument parsing and dispatch; each command's module is imported only when it runs.

Importing lazily keeps ``pyshelf list`` from paying for the modules only changes need.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pyshelf import __version__
from pyshelf.errors import EXIT_ERROR, EXIT_INTERRUPTED, PyshelfError

EXAMPLES = {
    "init": """examples:
  pyshelf init
  pyshelf init --python /usr/bin/python3.12 --bin-dir ~/bin
  pyshelf init --index-url https://mirror.example.com/simple""",
    "install": """examples:
  pyshelf install requests black
  pyshelf install 'requests>=2.30' 'black[d]'
  pyshelf install --dry-run httpie""",
    "remove": """examples:
  pyshelf remove black            # also removes click, pathspec... if nothing else needs them
  pyshelf remove --keep-orphans black""",
    "list": """examples:
  pyshelf list
  pyshelf list --explicit
  pyshelf list --json""",
}


def _common() -> argparse.ArgumentParser:
    """Options every command accepts, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=argparse.SUPPRESS,
                        help="the shelf home (default: $PYSHELF_HOME or "
                             "$XDG_DATA_HOME/pyshelf)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="show the commands pyshelf runs and full error details")
    return common


def _changing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-y", "--yes", action="store_true", help="answer yes to every prompt")
    parser.add_argument("--dry-run", action="store_true",
                        help="show the plan and change nothing")


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="pyshelf", parents=[common],
        description="One shared, generational Python environment for the packages you use "
                    "everywhere.",
    )
    parser.add_argument("--version", action="version", version=f"pyshelf {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, parents=[common], help=help_text, description=help_text,
            epilog=EXAMPLES[name], formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    init = add("init", "create the shelf: home, database, generation 0, shell block, launcher")
    init.add_argument("--python", help="the interpreter the shelf is built on "
                                       "(default: python3 on PATH)")
    init.add_argument("--bin-dir", help="where the pyshelf launcher goes (default: ~/.local/bin)")
    init.add_argument("--shell-config", help="the shell config file to manage "
                                             "(default: from $SHELL)")
    init.add_argument("--index-url", help="the package index to install from")
    init.add_argument("--no-modify-shell", action="store_true",
                      help="do not touch the shell config")
    init.add_argument("-y", "--yes", action="store_true", help="answer yes to every prompt")

    install = add("install", "install packages onto the shelf")
    install.add_argument("specs", nargs="+", metavar="SPEC",
                         help="a PEP 508 requirement, e.g. 'requests>=2.30' or 'black[d]'")
    _changing(install)

    remove = add("remove", "remove packages and the dependencies only they needed")
    remove.add_argument("names", nargs="+", metavar="NAME", help="an installed package")
    remove.add_argument("--keep-orphans", action="store_true",
                        help="keep the dependencies nothing else needs, pinned")
    _changing(remove)

    listing = add("list", "list the packages on the shelf")
    kinds = listing.add_mutually_exclusive_group()
    kinds.add_argument("--explicit", action="store_true", help="only what you installed")
    kinds.add_argument("--deps", action="store_true", help="only dependencies")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


MODULES = {"init": "init", "install": "install", "remove": "remove", "list": "listing"}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.verbose = getattr(args, "verbose", False) or os.environ.get("PYSHELF_DEBUG") == "1"
    from pyshelf import ui
    from pyshelf.layout import Layout, default_home

    home = getattr(args, "home", None)
    layout = Layout(Path(home).expanduser().absolute() if home else default_home(os.environ))
    try:
        module = importlib.import_module(f"pyshelf.commands.{MODULES[args.command]}")
        return int(module.run(args, layout))
    except PyshelfError as exc:
        ui.error(exc.message)
        if exc.detail and (args.verbose or exc.exit_code == 3):
            ui.info(exc.detail)
        return exc.exit_code
    except KeyboardInterrupt:
        ui.error("Interrupted; nothing was changed.")
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.verbose:
            raise
        ui.error(f"pyshelf failed unexpectedly ({type(exc).__name__}: {exc}); "
                 "re-run with --verbose for details.")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
