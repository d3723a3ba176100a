"""``pyshelf self update [--from PATH]``: refresh pyshelf's own copy under the shelf home."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import Command, common_options, open_from
from pyshelf.errors import UsageError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse


def _checked_source(text: str) -> str:
    from pyshelf.core.specs import reject_option_like

    reject_option_like(text)
    path = Path(text).expanduser().absolute()
    if path.is_file() and path.suffix == ".whl":
        return str(path)
    if path.is_dir() and any((path / f).is_file() for f in ("pyproject.toml", "setup.py")):
        return str(path)
    raise UsageError(f"{path} is neither a wheel nor a project directory; give --from a "
                     "pyshelf wheel or source checkout.")


def run(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.host.launcher import write_launcher
    from pyshelf.host.self_copy import copy_from, copy_version

    source = _checked_source(args.source) if args.source else None
    shelf = open_from(args, layout)
    with shelf.writing():
        before = copy_version(layout.app_current) or "none"
        ui.info("Installing pyshelf's own copy from " + (source or "the package index") + " ...")
        copy = copy_from(shelf.engine, layout, sys.executable, source)
        if shelf.setting("bin_dir"):
            write_launcher(shelf.path_setting("bin_dir"), layout)
    ui.report(f"pyshelf {before} -> {copy_version(copy)} ({copy}).")
    return 0


def _self_arguments(parser: argparse.ArgumentParser) -> None:
    own_actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    own_update = own_actions.add_parser("update", parents=[common_options()],
                                        help="refresh it from the index or from a path")
    own_update.add_argument("--from", dest="source", metavar="PATH",
                            help="a pyshelf wheel or project directory (its dependencies are "
                                 "kept from the current copy)")


COMMANDS = (
    Command(
        name="self",
        help="manage pyshelf's own copy, which the launcher runs",
        examples="""examples:
  pyshelf self update                        # the newest pyshelf from the index
  pyshelf self update --from ~/src/pyshelf   # a source checkout or a wheel""",
        run=run,
        arguments=_self_arguments,
    ),
)
