"""``pyshelf install``: add requirements, local projects, wheels or URLs to the intent and
build the next generation."""

from __future__ import annotations

import argparse
from dataclasses import replace

from pyshelf.change import ChangeRequest, apply_change
from pyshelf.clock import now
from pyshelf.errors import UsageError
from pyshelf.layout import Layout
from pyshelf.local import local_entry
from pyshelf.model import IntentEntry
from pyshelf.shelf import Shelf, open_shelf
from pyshelf.specs import (
    is_path_like,
    parse_install_specs,
    reject_option_like,
    unique_by_name,
)

REBUILT_KINDS = ("local", "editable", "wheel")


def requested_entries(shelf: Shelf, args: argparse.Namespace, added_at: str
                      ) -> list[IntentEntry]:
    """Every target of the command as an intent entry; local ones are checked and named
    (which builds their metadata) before anything changes."""
    if not args.specs and not args.editable:
        raise UsageError("Give at least one package, project directory or wheel to install.")
    for text in args.specs:
        reject_option_like(text.strip())  # before anything could read it as a path
    requirements = [text for text in args.specs if not is_path_like(text)]
    entries = parse_install_specs(requirements, added_at)
    entries += [local_entry(shelf.engine, shelf.python, text, editable=False,
                            added_at=added_at)
                for text in args.specs if is_path_like(text)]
    entries += [local_entry(shelf.engine, shelf.python, text, editable=True, added_at=added_at)
                for text in args.editable]
    return unique_by_name(entries)


def run(args: argparse.Namespace, layout: Layout) -> int:
    shelf = open_shelf(layout, verbose=args.verbose, wait=not args.no_wait)
    with shelf.writing():
        requested = requested_entries(shelf, args, now())
        current = {e.name: e for e in shelf.state.intent(shelf.current_generation_id())}
        for entry in requested:
            before = current.get(entry.name)
            if before is not None and before.role == "explicit":
                # Asking again keeps the date it was first asked for; the spec may change.
                entry = replace(entry, added_at=before.added_at)
            current[entry.name] = entry
        refresh = [e.name for e in requested if e.kind in REBUILT_KINDS]
        apply_change(shelf, ChangeRequest(intent=list(current.values()), refresh=refresh),
                     assume_yes=args.yes, dry_run=args.dry_run)
    return 0
