"""``pyshelf undo [N]`` and ``pyshelf rollback --to GEN``."""

from __future__ import annotations

import argparse

from pyshelf.errors import PyshelfError, UsageError
from pyshelf.generations.going_back import go_to_generation
from pyshelf.layout import Layout
from pyshelf.shelf import open_shelf


def run_undo(args: argparse.Namespace, layout: Layout) -> int:
    if args.steps < 1:
        raise UsageError("undo goes back at least 1 operation.")
    shelf = open_shelf(layout, verbose=args.verbose, wait=not args.no_wait)
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
    shelf = open_shelf(layout, verbose=args.verbose, wait=not args.no_wait)
    with shelf.writing():
        if args.to not in shelf.state.generation_states():
            raise PyshelfError(
                f"Generation {args.to} is not recorded; `pyshelf history` shows the "
                "generations."
            )
        go_to_generation(shelf, args.to, assume_yes=args.yes, dry_run=args.dry_run)
    return 0
