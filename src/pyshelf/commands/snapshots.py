"""``pyshelf snapshot``, ``restore`` and ``snapshots``: named states that are never collected."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import BASELINE, Command, changing, json_output, open_from
from pyshelf.core.clock import now
from pyshelf.errors import PyshelfError, UsageError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse

RESERVED = frozenset({BASELINE, "current", "previous", "latest", "head"})
VALID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_name(name: str) -> str:
    if not VALID_NAME.fullmatch(name):
        raise UsageError(
            f"{name!r} is not a valid snapshot name: use up to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit."
        )
    if name.isdigit():
        raise UsageError(f"{name!r} looks like a generation number; give the snapshot a name.")
    if name.lower() in RESERVED:
        raise UsageError(f"{name!r} is reserved by pyshelf; choose another name.")
    return name


def run_snapshot(args: argparse.Namespace, layout: Layout) -> int:
    shelf = open_from(args, layout)
    with shelf.writing():
        if args.delete:
            if args.name == BASELINE or shelf.state.snapshot(args.name) is None:
                raise PyshelfError(f"There is no snapshot named {args.name!r} to delete.")
            shelf.state.delete_snapshot(args.name)
            ui.report(f"Deleted snapshot {args.name!r}.")
            return 0
        name = check_name(args.name)
        existing = shelf.state.snapshot(name)
        if existing is not None and not args.force:
            raise PyshelfError(
                f"A snapshot named {name!r} already exists (generation {existing.gen_id}); "
                "add --force to replace it."
            )
        gen_id = shelf.current_generation_id()
        shelf.state.save_snapshot(name, gen_id, now())
    ui.report(f"Saved snapshot {name!r} of generation {gen_id}.")
    return 0


def run_restore(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.generations.going_back import go_to_generation

    shelf = open_from(args, layout)
    with shelf.writing():
        record = shelf.state.snapshot(args.name)
        if record is None:
            raise PyshelfError(
                f"There is no snapshot named {args.name!r}; `pyshelf snapshots` lists them."
            )
        go_to_generation(shelf, record.gen_id, assume_yes=args.yes, dry_run=args.dry_run)
    return 0


def run_list(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.generations.going_back import is_on_disk

    shelf = open_from(args, layout)
    records = shelf.state.snapshots()
    sizes = {r.gen_id: len(shelf.state.packages(r.gen_id)) for r in records}
    if args.json:
        ui.emit_json([{"name": r.name, "generation": r.gen_id, "created_at": r.created_at,
                       "packages": sizes[r.gen_id], "on_disk": is_on_disk(shelf, r.gen_id)}
                      for r in records])
        return 0
    ui.table(("Name", "Generation", "Packages", "Created"),
             [(r.name, str(r.gen_id), str(sizes[r.gen_id]), ui.local_time(r.created_at))
              for r in records])
    return 0


def _snapshot_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--force", action="store_true", help="replace an existing snapshot")
    parser.add_argument("--delete", action="store_true", help="delete the snapshot")


def _restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    changing(parser)


COMMANDS = (
    Command(
        name="snapshot",
        help="name the current state so it can be restored later",
        examples="""examples:
  pyshelf snapshot before-upgrade
  pyshelf snapshot --force before-upgrade
  pyshelf snapshot --delete before-upgrade""",
        run=run_snapshot,
        arguments=_snapshot_arguments,
    ),
    Command(
        name="restore",
        help="go back to a named snapshot",
        examples="""examples:
  pyshelf restore before-upgrade""",
        run=run_restore,
        arguments=_restore_arguments,
    ),
    Command(
        name="snapshots",
        help="list the named snapshots",
        examples="""examples:
  pyshelf snapshots
  pyshelf snapshots --json""",
        run=run_list,
        arguments=json_output,
    ),
)
