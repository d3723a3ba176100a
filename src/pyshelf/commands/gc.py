"""``pyshelf gc``: delete old generations now (it also runs after every change).

It is the remedy every "disk is full" sentence names, so it works on a full disk: the
database opens without room (``state.open_state``), the files are deleted before the
collection is recorded, and a cleanup after an interrupted pyshelf waits until after that.
With room on the disk it returns once the generations have left ``gens/`` (a rename each),
and a child deletes their files, as after a change: freeing each block of a generation
costs the disk a discard, tens of milliseconds in all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import Command, open_from
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.generations.collect import collect_generations, collectable, keep_count

    shelf = open_from(args, layout)
    with shelf.writing(frees_space=True):  # gc is what a full disk asks for: it must run
        if args.dry_run:
            victims = collectable(shelf)
            ui.out("Would collect: " + (", ".join(map(str, victims)) or "nothing") + ".")
            return 0
        collected = collect_generations(shelf, wait=shelf.state.without_room)
    kept = f"keeping the newest {keep_count(shelf)}, the current one and snapshots"
    if collected:
        ui.report(f"Collected generation(s) {', '.join(map(str, collected))} ({kept}).")
    else:
        ui.report(f"Nothing to collect ({kept}).")
    return 0


def _gc_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="only say what would be deleted")


COMMANDS = (
    Command(
        name="gc",
        help="delete old generations beyond keep_generations",
        examples="""examples:
  pyshelf gc
  pyshelf gc --dry-run""",
        run=run,
        arguments=_gc_arguments,
    ),
)
