"""``pyshelf clean``: back to an empty shelf (or the baseline), as an undoable change."""

from __future__ import annotations

import argparse

from pyshelf.change.pipeline import ChangeRequest, apply_change
from pyshelf.commands.snapshots import BASELINE
from pyshelf.errors import PyshelfError
from pyshelf.generations.going_back import go_to_generation
from pyshelf.layout import Layout
from pyshelf.shelf import open_shelf


def run(args: argparse.Namespace, layout: Layout) -> int:
    shelf = open_shelf(layout, verbose=args.verbose, wait=not args.no_wait)
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
