"""``pyshelf expose`` and ``pyshelf hide``: choose which commands the bin dir links.

Only a shelf that exposes apps (``init --expose apps``) links commands one by one; with the
shelf's whole ``bin`` on PATH there is nothing to choose. A choice is stored, so it holds
for later generations too, and applied at once. Exposing something that would replace a
file pyshelf did not put in the bin dir is refused, naming it, unless ``--force``. The
names the bin dir keeps for pyshelf itself (``exposure.RESERVED``) are refused even then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import Command, open_from
from pyshelf.errors import UsageError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse

    from pyshelf.shelf import Shelf


def run_expose(args: argparse.Namespace, layout: Layout) -> int:
    return _choose(args, layout, exposed=True)


def run_hide(args: argparse.Namespace, layout: Layout) -> int:
    return _choose(args, layout, exposed=False)


def _choose(args: argparse.Namespace, layout: Layout, *, exposed: bool) -> int:
    from pyshelf.apps.bin_links import (
        RESERVED,
        blocked_names,
        exposes_apps,
        link_apps,
        wanted_links,
    )
    from pyshelf.core.specs import reject_option_like

    reject_option_like(args.name)
    if exposed and args.is_command and args.name in RESERVED:
        raise UsageError(f"The bin dir's {args.name} is kept for pyshelf's own "
                         f"{RESERVED[args.name]}, so no package's command of that name is "
                         "linked there.")
    shelf = open_from(args, layout)
    with shelf.writing():
        kind, name, commands, isolated = _target(shelf, args.name,
                                                 as_command=args.is_command)
        if not isolated and not exposes_apps(shelf):
            raise UsageError("This shelf puts its whole bin directory on PATH (expose = "
                             "path), so every command is already there; `pyshelf config set "
                             "expose apps` links commands one by one instead.")
        from pyshelf.manifest.files import shelf_manifest, write_back

        gen_id = shelf.current_generation_id()
        described = shelf_manifest(shelf, gen_id)
        before = shelf.state.exposure().get((kind, name))
        shelf.state.set_exposure(kind, name, exposed)
        force = commands if getattr(args, "force", False) else []
        if exposed and not force:
            bin_dir = shelf.path_setting("bin_dir")
            wanted = {c: t for c, t in wanted_links(shelf).items() if c in commands}
            blocked = blocked_names(bin_dir, wanted, layout)
            if blocked:
                shelf.state.set_exposure(kind, name, before)
                raise UsageError(f"{bin_dir / blocked[0]} is in the way and pyshelf did not "
                                 f"put it there; `pyshelf expose {args.name} --force` "
                                 "replaces it.")
        link_apps(shelf, force=force)
        write_back(shelf, described, shelf_manifest(shelf, gen_id))
    what = f"the command {name}" if kind == "command" else f"{name}'s commands"
    ui.report(f"{'Exposed' if exposed else 'Hid'} {what}.")
    return 0


def _target(shelf: Shelf, text: str, *, as_command: bool
            ) -> tuple[str, str, list[str], bool]:
    """(kind, stored name, the commands it covers, whether they are an isolated app's) for
    what the person named; the shelf's own packages come first."""
    from packaging.utils import canonicalize_name

    from pyshelf.apps.bin_links import commands_by_package, isolated_commands

    by_package = commands_by_package(shelf)
    apps = isolated_commands(shelf)
    if as_command:
        for source, isolated in ((by_package, False), (apps, True)):
            if any(text in names for names in source.values()):
                return "command", text, [text], isolated
        raise UsageError(f"No package on the shelf installs a command '{text}'.")
    name = canonicalize_name(text)
    for source, isolated in ((by_package, False), (apps, True)):
        if name in source:
            if not source[name]:
                raise UsageError(f"{text} installs no commands.")
            return "package", name, source[name], isolated
    raise UsageError(f"'{text}' is not installed on the shelf; `pyshelf list` shows what is "
                     "(for a single command, add --command).")


def _chooser_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="a package on the shelf, or with "
                                                     "--command one of its commands")
    parser.add_argument("--command", dest="is_command", action="store_true",
                        help="NAME is a command, not a package")


def _expose_arguments(parser: argparse.ArgumentParser) -> None:
    _chooser_arguments(parser)
    parser.add_argument("--force", action="store_true",
                        help="replace a file in the bin dir that is in the way")


COMMANDS = (
    Command(
        name="expose",
        help="link a package's commands (or one command) into the bin dir",
        examples="""examples:
  pyshelf expose httpx            # link a dependency's commands into the bin dir
  pyshelf expose black --command --force   # replace a black that is in the way""",
        run=run_expose,
        arguments=_expose_arguments,
    ),
    Command(
        name="hide",
        help="take a package's commands (or one command) out of the bin dir",
        examples="""examples:
  pyshelf hide black              # unlink all of black's commands
  pyshelf hide blackd --command   # just this one""",
        run=run_hide,
        arguments=_chooser_arguments,
    ),
)
