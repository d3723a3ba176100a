"""``pyshelf pip``, which the shelf's ``pip`` runs: the familiar command, with no untracked
changes.

``pip install`` becomes ``pyshelf install --yes`` (pip does not ask either) and ``pip
uninstall`` becomes ``pyshelf remove``, so both are planned, recorded and undoable. An option
that would change the shelf behind pyshelf's back (``--user``, ``--target``, ``-r``, an
index) is refused with one sentence that names the pyshelf way. Every other pip command
(``list``, ``show``, ``freeze``, ``download``, ...) runs a real pip against the shelf's
interpreter; that pip is installed on demand into a throw-away environment, as ``pyshelf
run`` would.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from pyshelf import ui
from pyshelf.commands.common import Command, exec_command, open_from
from pyshelf.core.clock import now
from pyshelf.errors import UsageError
from pyshelf.layout import Layout

PIP = "pip"
_INSTALL_USAGE = ("the shelf's pip takes `pip install [-U] [-e PATH] SPEC...` and `pip "
                  "uninstall [-y] NAME...`")


class _Refusal(argparse.ArgumentParser):
    """argparse that raises instead of printing its own usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message[0].upper()}{message[1:]}; {_INSTALL_USAGE}.")


def _install_parser() -> _Refusal:
    parser = _Refusal(prog="pip install", add_help=False)
    parser.add_argument("-U", "--upgrade", action="store_true")
    parser.add_argument("-e", "--editable", action="append", default=[])
    parser.add_argument("specs", nargs="*")
    return parser


def _uninstall_parser() -> _Refusal:
    parser = _Refusal(prog="pip uninstall", add_help=False)
    parser.add_argument("-y", "--yes", action="store_true")
    parser.add_argument("names", nargs="*")
    return parser


def run(args: argparse.Namespace, layout: Layout) -> int:
    pip_args: list[str] = args.pip_args
    words = [word for word in pip_args if not word.startswith("-")]
    verb = words[0] if words else None
    common = ["--home", str(layout.home), *(["-v"] if args.verbose else []),
              *(["--no-wait"] if args.no_wait else [])]
    if verb in ("install", "uninstall"):
        rest = pip_args[pip_args.index(verb) + 1:]
        if pip_args.index(verb) != 0:
            raise UsageError(f"Options before `{verb}` are not supported; {_INSTALL_USAGE}.")
        steps = _install(rest) if verb == "install" else _uninstall(rest)
        from pyshelf.cli import main

        for step in steps:
            status = main([*common, *step])
            if status != 0:
                return status
        return 0
    _real_pip(args, layout, pip_args)
    return 0  # not reached: pip replaced this process


def _install(rest: Sequence[str]) -> list[list[str]]:
    """``pyshelf install --yes``, and with ``-U`` then ``update`` of the named packages."""
    from packaging.utils import canonicalize_name

    from pyshelf.core.specs import is_path_like, parse_requirement

    options, unknown = _install_parser().parse_known_args(rest)
    if unknown:
        raise UsageError(f"pip option {unknown[0]} is not supported; {_INSTALL_USAGE}, and "
                         "`pyshelf install --help` shows what pyshelf can do.")
    if not options.specs and not options.editable:
        raise UsageError(f"Nothing to install; {_INSTALL_USAGE}.")
    install = ["install", "--yes", *(f"--editable={p}" for p in options.editable), "--",
               *options.specs]
    if not options.upgrade:
        return [install]
    names = [canonicalize_name(parse_requirement(s, allow_url=True).name)
             for s in options.specs if not is_path_like(s)]
    return [install, *([["update", "--yes", "--", *names]] if names else [])]


def _uninstall(rest: Sequence[str]) -> list[list[str]]:
    options, unknown = _uninstall_parser().parse_known_args(rest)
    if unknown:
        raise UsageError(f"pip option {unknown[0]} is not supported; {_INSTALL_USAGE}.")
    if not options.names:
        raise UsageError(f"Nothing to uninstall; {_INSTALL_USAGE}.")
    return [["remove", *(["--yes"] if options.yes else []), "--", *options.names]]


def _real_pip(args: argparse.Namespace, layout: Layout, pip_args: list[str]) -> None:
    from pyshelf.apps.run_once import ready_environment
    from pyshelf.core.specs import parse_install_specs
    from pyshelf.venv import paths

    shelf = open_from(args, layout)
    intent = parse_install_specs([PIP], now())
    environment = ready_environment(shelf.engine, layout, intent, shelf.python,
                                    on_wait=ui.info)
    exec_command(paths.script(environment, PIP),
                 ["--python", str(paths.python(layout.env)), *pip_args])


COMMANDS = (
    Command(
        name="pip",
        help="pip on the shelf: install and uninstall become pyshelf changes, anything "
             "else runs a real pip against the shelf",
        examples="""examples (usually through the pip the shelf puts on PATH):
  pip install requests            # = pyshelf install --yes requests
  pip install -U requests         # ... then pyshelf update requests
  pip uninstall -y requests       # = pyshelf remove --yes requests
  pip list                        # a real pip, run against the shelf""",
        run=run,
    ),
)
