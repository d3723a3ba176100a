"""``pyshelf install SPEC...``: add requirements to the intent and build the next generation."""

from __future__ import annotations

import argparse
from dataclasses import replace

from pyshelf.change import ChangeRequest, apply_change
from pyshelf.layout import Layout
from pyshelf.shelf import now, open_shelf
from pyshelf.specs import parse_install_specs


def run(args: argparse.Namespace, layout: Layout) -> int:
    requested = parse_install_specs(args.specs, added_at=now())
    shelf = open_shelf(layout, verbose=args.verbose)
    with shelf.writing():
        current = {e.name: e for e in shelf.state.intent(shelf.current_generation_id())}
        for entry in requested:
            before = current.get(entry.name)
            if before is not None and before.role == "explicit":
                # Asking again keeps the date it was first asked for; the spec may change.
                entry = replace(entry, added_at=before.added_at)
            current[entry.name] = entry
        apply_change(shelf, ChangeRequest(intent=list(current.values())),
                     assume_yes=args.yes, dry_run=args.dry_run)
    return 0
