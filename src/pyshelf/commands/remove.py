"""``pyshelf remove NAME...``: drop packages from the intent, and their orphans with them;
an isolated app goes with its whole environment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyshelf.commands.common import Command, changing, open_from
from pyshelf.core.clock import now
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse

    from pyshelf.core.model import Edge, IntentEntry


def _requirers(name: str, edges: list[Edge], leaving: set[str]) -> list[str]:
    return sorted({e.package for e in edges if e.requires == name and e.package not in leaving})


def _checked(names: list[str], intent: dict[str, IntentEntry],
             edges: list[Edge], installed: set[str]) -> None:
    """Refuse a name that is neither asked for nor installed, and a dependency. A name asked
    for is removable even when nothing is installed for it: its marker is false here, and
    the intent is what `remove` changes."""
    for name in names:
        if name in intent:
            continue
        if name not in installed:
            raise PyshelfError(f"'{name}' is not installed on the shelf; `pyshelf list` shows "
                               "what is.")
        needed_by = ", ".join(_requirers(name, edges, set())) or "another package"
        raise PyshelfError(
            f"'{name}' was not installed explicitly; it is a dependency of {needed_by}, "
            "so remove that instead."
        )


def _kept_orphans(gen_packages: dict[str, str], intent: list[IntentEntry], edges: list[Edge],
                  leaving: set[str]) -> list[IntentEntry]:
    """Pins for the dependencies the removal would orphan, for ``--keep-orphans``."""
    from pyshelf.core.graph import reachable
    from pyshelf.core.model import IntentEntry

    remaining_roots = {e.name for e in intent if e.name not in leaving}
    still_needed = reachable(remaining_roots, edges)
    orphans = reachable(leaving, edges) - still_needed - leaving
    stamp = now()
    return [IntentEntry(name=name, spec=f"{name}=={gen_packages[name]}", role="kept",
                        added_at=stamp) for name in sorted(orphans) if name in gen_packages]


def _names(texts: list[str], recorded: set[str]) -> list[str]:
    """The canonical names of the packages typed. One typed as the shelf records it
    (canonical, checked when it was recorded) is taken as it is: telling it again would
    cost a removal packaging's import, a fifth of its time."""
    if all(text in recorded for text in texts):
        return texts
    from pyshelf.core.specs import parse_package_name

    return [text if text in recorded else parse_package_name(text) for text in texts]


def run(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.change.early import start_for_record
    from pyshelf.core.graph import reachable
    from pyshelf.core.model import ChangeRequest, explicit_names, not_for_here

    shelf = open_from(args, layout)
    with shelf.writing():
        gen_id = shelf.current_generation_id()
        intent = {e.name: e for e in shelf.state.intent(gen_id)}
        edges = shelf.state.edges(gen_id)
        versions = {p.name: p.version for p in shelf.state.packages(gen_id)}
        apps = shelf.state.isolated(gen_id)
        recorded = {*intent, *versions, *(app.name for app in apps)}
        names = list(dict.fromkeys(_names(args.names, recorded)))
        isolated = {app.name for app in apps} & set(names)
        names = [name for name in names if name not in isolated]
        _checked(names, intent, edges, set(versions))
        leaving = set(names)
        new_intent = [e for e in intent.values() if e.name not in leaving]
        if args.keep_orphans:
            new_intent += _kept_orphans(versions, list(intent.values()), edges, leaving)
        notes = [
            f"'{name}' stays installed: {', '.join(needed)} still require(s) it."
            for name in names
            if (needed := _requirers(name, edges, leaving))
            and set(needed) & reachable(explicit_names(new_intent), edges)
        ]
        notes += [f"'{entry.name}' is not installed here ({entry.spec!r} is not for this "
                  "platform); only the requirement is dropped."
                  for entry in not_for_here(intent.values(), versions) if entry.name in leaving]
        remaining = [app for app in apps if app.name not in isolated]
        # the lock comes from the record: uv makes the venv while the pipeline is imported
        early = start_for_record(shelf, assume_yes=args.yes, dry_run=args.dry_run)
        from pyshelf.change.pipeline import apply_change

        apply_change(shelf, ChangeRequest(intent=new_intent, notes=notes, prefer_cache=True,
                                          isolated=remaining),
                     assume_yes=args.yes, dry_run=args.dry_run, early=early)
    return 0


def _remove_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="+", metavar="NAME", help="an installed package")
    parser.add_argument("--keep-orphans", action="store_true",
                        help="keep the dependencies nothing else needs, pinned")
    changing(parser)


COMMANDS = (
    Command(
        name="remove",
        help="remove packages and the dependencies only they needed",
        examples="""examples:
  pyshelf remove black            # also removes click, pathspec... if nothing else needs them
  pyshelf remove --keep-orphans black""",
        run=run,
        arguments=_remove_arguments,
    ),
)
