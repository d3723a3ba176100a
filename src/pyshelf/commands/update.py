"""``pyshelf update`` and ``pyshelf rebuild``: move packages forward, or rebuild them all.

``update`` lets uv pick the newest versions the requirements allow (for everything, or for
the named packages and what they need) and rebuilds local projects from source. ``rebuild``
re-resolves the same intent, optionally for another interpreter, and always builds a new
generation, so compiled packages get the wheels for the interpreter the shelf now runs on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import REBUILT_KINDS, Command, changing, moving_with, open_from
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse


def run_update(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.change.pipeline import apply_change
    from pyshelf.core.model import ChangeRequest
    from pyshelf.core.specs import parse_package_name

    names = [parse_package_name(text) for text in args.names]
    shelf = open_from(args, layout)
    with shelf.writing():
        gen_id = shelf.current_generation_id()
        intent = shelf.state.intent(gen_id)
        installed = {p.name for p in shelf.state.packages(gen_id)}
        apps = {app.name for app in shelf.state.isolated(gen_id)}
        missing = [name for name in names if name not in installed | apps]
        if missing:
            raise PyshelfError(f"'{missing[0]}' is not installed on the shelf; "
                               "`pyshelf list` shows what is.")
        local = [e.name for e in intent if e.kind in REBUILT_KINDS]
        if names:
            moving = moving_with(shelf, gen_id, names)
            request = ChangeRequest(intent=intent, upgrade_packages=moving,
                                    refresh=[n for n in local if n in moving],
                                    upgrade_isolated=[n for n in names if n in apps])
        else:
            request = ChangeRequest(intent=intent, upgrade=True, refresh=local,
                                    upgrade_isolated=sorted(apps))
        apply_change(shelf, request, assume_yes=args.yes, dry_run=args.dry_run)
    return 0


def run_rebuild(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.change.pipeline import apply_change
    from pyshelf.core.model import ChangeRequest
    from pyshelf.engine.interpreter import find_python, interpreter_to_keep
    from pyshelf.store.settings import Setting

    shelf = open_from(args, layout)
    with shelf.writing():
        python = (interpreter_to_keep(find_python(args.python), shelf.engine.describe)
                  if args.python else None)
        if python:  # the change describes it while uv resolves, and refuses a broken one
            shelf.settings["python"] = Setting(python, "file")  # saved once it is built
            ui.info(f"The shelf moves to {python}.")
        gen_id = shelf.current_generation_id()
        intent = shelf.state.intent(gen_id)
        request = ChangeRequest(intent=intent, always_build=True, leave_out_unavailable=True,
                                prefer_cache=True,
                                refresh=[e.name for e in intent if e.kind in REBUILT_KINDS])
        apply_change(shelf, request, assume_yes=args.yes, dry_run=args.dry_run)
        if python and not args.dry_run:
            shelf.state.set_config("python", python)
    return 0


def _update_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these packages and what they need (default: everything)")
    changing(parser)


def _rebuild_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--python", help="move the shelf to this interpreter")
    changing(parser)


COMMANDS = (
    Command(
        name="update",
        help="upgrade packages as far as their requirements allow",
        examples="""examples:
  pyshelf update                  # upgrade everything within its requirements
  pyshelf update requests         # only requests and what it needs
  pyshelf update --dry-run""",
        run=run_update,
        arguments=_update_arguments,
    ),
    Command(
        name="rebuild",
        help="re-resolve and rebuild everything, e.g. for a new Python",
        examples="""examples:
  pyshelf rebuild                 # after the shelf's Python changed
  pyshelf rebuild --python /usr/bin/python3.13""",
        run=run_rebuild,
        arguments=_rebuild_arguments,
    ),
)
