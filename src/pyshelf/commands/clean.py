"""``pyshelf clean``: back to an empty shelf (or the baseline), as an undoable change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyshelf.commands.common import BASELINE, Command, changing, open_from
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse


def run(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.change.pipeline import apply_change
    from pyshelf.core.model import ChangeRequest
    from pyshelf.generations.going_back import go_to_generation

    shelf = open_from(args, layout)
    with shelf.writing():
        if not args.keep_baseline:
            apply_change(shelf, ChangeRequest(intent=[], prefer_cache=True, isolated=[]),
                         assume_yes=args.yes,
                         dry_run=args.dry_run)
            return 0
        baseline = shelf.state.snapshot(BASELINE)
        if baseline is None:
            raise PyshelfError("This shelf has no baseline snapshot; use `pyshelf clean`.")
        go_to_generation(shelf, baseline.gen_id, assume_yes=args.yes, dry_run=args.dry_run)
    return 0


def _clean_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep-baseline", action="store_true",
                        help="go back to the baseline snapshot taken at init instead")
    changing(parser)


COMMANDS = (
    Command(
        name="clean",
        help="remove every package, as one undoable change",
        examples="""examples:
  pyshelf clean                   # remove everything (undo brings it back)
  pyshelf clean --keep-baseline   # back to the baseline snapshot taken at init""",
        run=run,
        arguments=_clean_arguments,
    ),
)
