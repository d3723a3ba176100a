"""``pyshelf pip``, which the shelf's ``pip`` runs: the familiar command, with no untracked
changes.

``pip install`` becomes ``pyshelf install --yes`` (pip does not ask either) and ``pip
uninstall`` becomes ``pyshelf remove``, so both are planned, recorded and undoable. An option
that would change the shelf behind pyshelf's back (``--user``, ``--target``, ``-r``, an
index) is refused with one sentence that names the pyshelf way. Every other pip command
(``list``, ``show``, ``freeze``, ``download``, ...) runs a real pip against the shelf's
interpreter; that pip is installed on demand into a throw-away environment, as ``pyshelf
run`` would.

pip's own help would advertise what is refused here, so ``pip --help`` and the help of
``install`` and ``uninstall`` are pyshelf's: what works, with examples.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from pyshelf import ui
from pyshelf.commands.common import Command, exec_command, open_from
from pyshelf.core.clock import now
from pyshelf.errors import UsageError
from pyshelf.host.pip_shim import TYPED_AS
from pyshelf.layout import Layout

PIP = "pip"
_INSTALL_USAGE = ("the shelf's pip takes `pip install [-q] [-U] [-e PATH] SPEC...` and `pip "
                  "uninstall [-q] [-y] NAME...`")


class _Refusal(argparse.ArgumentParser):
    """argparse that raises instead of printing its own usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message[0].upper()}{message[1:]}; {_INSTALL_USAGE}.")


def _quiet_option(parser: argparse.ArgumentParser) -> None:
    """pip's ``-q`` (given as often as pip allows): pyshelf's ``--quiet``."""
    parser.add_argument("-q", "--quiet", action="count", default=0)


def _install_parser() -> _Refusal:
    parser = _Refusal(prog="pip install", add_help=False)
    _quiet_option(parser)
    parser.add_argument("-U", "--upgrade", action="store_true")
    parser.add_argument("-e", "--editable", action="append", default=[])
    parser.add_argument("specs", nargs="*")
    return parser


def _uninstall_parser() -> _Refusal:
    parser = _Refusal(prog="pip uninstall", add_help=False)
    _quiet_option(parser)
    parser.add_argument("-y", "--yes", action="store_true")
    parser.add_argument("names", nargs="*")
    return parser


_EXAMPLES = """examples (usually through the pip the shelf puts on PATH):
  pip install requests            # = pyshelf install --yes requests
  pip install -U requests         # = pyshelf install --yes --upgrade requests
  pip install -e ~/src/my-tool    # = pyshelf install --yes -e ~/src/my-tool
  pip uninstall -y requests       # = pyshelf remove --yes requests
  python3 -m pip install requests # the same as pip install requests
  pip list                        # a real pip, run against the shelf"""

HELP = f"""usage: pip install [-q] [-U] [-e PATH] SPEC...
       pip uninstall [-q] [-y] NAME...
       pip COMMAND ...

The shelf's pip (also pip3, pip3.X and python -m pip). pip install and pip uninstall are
pyshelf changes: planned, recorded in `pyshelf history` and undone by `pyshelf undo`.
Options that would change the shelf behind pyshelf (--user, --target, -r, an index
option, ...) are refused; `pyshelf install` and `pyshelf import` are the full-featured
ways in. Every other pip command (list, show, freeze, download, ...) runs a real pip
against the shelf; `pip help COMMAND` shows its help.

{_EXAMPLES}"""

_HELP_OPTIONS = ("-h", "--help")


def wants_help(pip_args: Sequence[str]) -> bool:
    """Whether pip's own help would be shown, which would offer what the shelf refuses:
    ``pip --help``, ``pip install --help``, ``pip help uninstall`` and the like. The help of
    the commands a real pip runs (``pip list --help``) is that pip's."""
    words = [word for word in pip_args if not word.startswith("-")]
    if words[:1] == ["help"]:
        return words[1:2] in ([], ["install"], ["uninstall"])
    return words[:1] in ([], ["install"], ["uninstall"]) and any(
        word in _HELP_OPTIONS for word in pip_args)


def run(args: argparse.Namespace, layout: Layout) -> int:
    pip_args: list[str] = args.pip_args
    if wants_help(pip_args):
        ui.out(HELP)
        return 0
    words = [word for word in pip_args if not word.startswith("-")]
    verb = words[0] if words else None
    common = ["--home", str(layout.home), *(["-v"] if args.verbose else []),
              *(["--quiet"] if args.quiet else []), *(["--no-wait"] if args.no_wait else [])]
    if verb in ("install", "uninstall"):
        rest = pip_args[pip_args.index(verb) + 1:]
        if pip_args.index(verb) != 0:
            raise UsageError(f"Options before `{verb}` are not supported; {_INSTALL_USAGE}.")
        from pyshelf.cli import main

        return main([*common, *(_install(rest) if verb == "install" else _uninstall(rest))])
    _real_pip(args, layout, pip_args)
    return 0  # not reached: pip replaced this process


def _install(rest: Sequence[str]) -> list[str]:
    """``pyshelf install --yes``; ``-U`` moves what it names in the same change."""
    options, unknown = _install_parser().parse_known_args(rest)
    if unknown:
        raise UsageError(f"pip option {unknown[0]} is not supported; {_INSTALL_USAGE}, and "
                         "`pyshelf install --help` shows what pyshelf can do.")
    if not options.specs and not options.editable:
        raise UsageError(f"Nothing to install; {_INSTALL_USAGE}.")
    return ["install", "--yes", *(["--quiet"] if options.quiet else []),
            *(["--upgrade"] if options.upgrade else []),
            *(f"--editable={p}" for p in options.editable), "--", *options.specs]


def _uninstall(rest: Sequence[str]) -> list[str]:
    options, unknown = _uninstall_parser().parse_known_args(rest)
    if unknown:
        raise UsageError(f"pip option {unknown[0]} is not supported; {_INSTALL_USAGE}.")
    if not options.names:
        raise UsageError(f"Nothing to uninstall; {_INSTALL_USAGE}.")
    return ["remove", *(["--yes"] if options.yes else []),
            *(["--quiet"] if options.quiet else []), "--", *options.names]


def _real_pip(args: argparse.Namespace, layout: Layout, pip_args: list[str]) -> None:
    from pyshelf.apps.run_once import ready_environment
    from pyshelf.core.specs import parse_install_specs
    from pyshelf.venv import paths

    shelf = open_from(args, layout)
    intent = parse_install_specs([PIP], now())
    environment = ready_environment(shelf.engine, layout, intent, shelf.python,
                                    on_wait=ui.info)
    os.environ.pop(TYPED_AS, None)  # for pyshelf's history, not for what pip starts
    exec_command(paths.script(environment, PIP),
                 ["--python", str(paths.python(layout.env)), *pip_args])


COMMANDS = (
    Command(
        name="pip",
        help="pip on the shelf: install and uninstall become pyshelf changes, anything "
             "else runs a real pip against the shelf",
        examples=_EXAMPLES,
        run=run,
    ),
)
