"""``pyshelf undo [N]`` and ``pyshelf rollback --to GEN``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyshelf.commands.common import Command, changing, open_from
from pyshelf.errors import PyshelfError, UsageError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse


def run_undo(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.generations.going_back import go_to_generation

    if args.steps < 1:
        raise UsageError("undo goes back at least 1 operation.")
    shelf = open_from(args, layout)
    with shelf.writing():
        records = shelf.state.operations(limit=args.steps, done_only=True)
        if len(records) < args.steps or records[-1].from_gen is None:
            available = sum(r.from_gen is not None
                            for r in shelf.state.operations(done_only=True))
            raise PyshelfError(
                f"There are only {available} operation(s) to undo; "
                "`pyshelf history` lists them."
            )
        go_to_generation(shelf, records[-1].from_gen, assume_yes=args.yes,
                         dry_run=args.dry_run)
    return 0


def run_rollback(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.generations.going_back import go_to_generation

    shelf = open_from(args, layout)
    with shelf.writing():
        if args.to not in shelf.state.generation_states():
            raise PyshelfError(
                f"Generation {args.to} is not recorded; `pyshelf history` shows the "
                "generations."
            )
        go_to_generation(shelf, args.to, assume_yes=args.yes, dry_run=args.dry_run)
    return 0


def _undo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("steps", nargs="?", type=int, default=1, metavar="N")
    changing(parser)


def _rollback_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", type=int, required=True, metavar="GEN")
    changing(parser)


COMMANDS = (
    Command(
        name="undo",
        help="go back N operations (default 1)",
        examples="""examples:
  pyshelf undo            # back to the generation before the last operation
  pyshelf undo 3          # back three operations
  pyshelf undo            # run again right after an undo: redo""",
        run=run_undo,
        arguments=_undo_arguments,
    ),
    Command(
        name="rollback",
        help="make an earlier generation current again",
        examples="""examples:
  pyshelf rollback --to 4""",
        run=run_rollback,
        arguments=_rollback_arguments,
    ),
)
