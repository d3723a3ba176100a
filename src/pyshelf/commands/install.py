"""``pyshelf install``: add requirements, local projects, wheels or URLs to the intent and
build the next generation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyshelf.commands.common import (
    REBUILT_KINDS,
    Command,
    changing,
    moving_with,
    offer_isolated,
    open_from,
)
from pyshelf.core.clock import now
from pyshelf.errors import ConflictError, UsageError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse
    from concurrent.futures import Future

    from pyshelf.change.early import EarlyStart
    from pyshelf.core.model import IntentEntry, Lock
    from pyshelf.shelf import Shelf


def requested_entries(shelf: Shelf, args: argparse.Namespace, added_at: str
                      ) -> list[IntentEntry]:
    """Every target of the command as an intent entry; local ones are checked and named
    (which builds their metadata) before anything changes."""
    from pyshelf.change.local_sources import local_entry
    from pyshelf.core.specs import (
        is_path_like,
        parse_install_specs,
        reject_option_like,
        unique_by_name,
    )

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
    from pyshelf.core.model import ChangeRequest

    if args.with_packages and not args.isolated:
        raise UsageError("--with adds packages next to an isolated app; use it with "
                         "--isolated.")
    if args.upgrade and args.isolated:
        raise UsageError("--upgrade moves packages on the shelf; `pyshelf update APP` moves "
                         "an isolated app.")
    shelf = open_from(args, layout)
    with shelf.writing():
        if args.isolated:
            install_isolated(shelf, args)
            return 0
        requested = requested_entries(shelf, args, now())
        gen_id = shelf.current_generation_id()
        recorded = shelf.state.intent(gen_id)
        current = {e.name: e for e in recorded}
        for entry in requested:
            before = current.get(entry.name)
            if before is not None and before.role == "explicit":
                # Asking again keeps the date it was first asked for; the spec may change.
                entry = entry._replace(added_at=before.added_at)
            current[entry.name] = entry
        refresh = [e.name for e in requested if e.kind in REBUILT_KINDS]
        early, alone = _begin(shelf, args, list(current.values()), recorded, gen_id)
        from pyshelf.change.pipeline import apply_change

        try:
            moving = moving_with(shelf, gen_id, [e.name for e in requested]
                                 ) if args.upgrade else []
            apply_change(shelf, ChangeRequest(intent=list(current.values()), refresh=refresh,
                                              upgrade_packages=moving),
                         assume_yes=args.yes, dry_run=args.dry_run, early=early, alone=alone)
        except ConflictError as exc:
            raise offer_isolated(exc, [e.name for e in requested]) from exc
    return 0


def _begin(shelf: Shelf, args: argparse.Namespace, intent: list[IntentEntry],
           recorded: list[IntentEntry], gen_id: int
           ) -> tuple[EarlyStart | None, tuple[list[str], Future[Lock]] | None]:
    """What the change can begin before the pipeline is imported, so that uv works while
    Python reads it: for a change of role alone (every package asked for anew is in the
    shelf's lock, so the lock will come from the record) the generation; for a package the
    shelf lacks, the resolve of the new requirements alone, which the plan waits for (it
    goes to the index, to say what the shelf holds back). Neither where the system's
    packages take part, which uv must be told of first."""
    from pyshelf.change.early import (
        new_requirements,
        resolve_alone,
        sees_system,
        start_for_record,
    )

    if sees_system(shelf):
        return None, None
    held = shelf.state.generation(gen_id).lock
    new = new_requirements(intent, recorded, held, pinned=False)
    if not new:
        return None, None
    if all(entry.name in held.packages for entry in new):
        return (None if args.upgrade else
                start_for_record(shelf, assume_yes=args.yes, dry_run=args.dry_run)), None
    begun = resolve_alone(shelf, new, None)
    return None, (None if begun is None else ([entry.name for entry in new], begun))


def install_isolated(shelf: Shelf, args: argparse.Namespace) -> None:
    """Put one app into an environment of its own, next to the shelf's."""
    from pyshelf.change.pipeline import apply_change
    from pyshelf.core.model import ChangeRequest, IsolatedApp, explicit_names
    from pyshelf.core.specs import parse_install_specs

    if len(args.specs) != 1 or args.editable:
        raise UsageError("--isolated takes exactly one app, a requirement such as 'black' or "
                         "'black==25.1' (add packages next to it with --with).")
    added_at = now()
    app = parse_install_specs(args.specs, added_at)[0]
    extra = parse_install_specs(args.with_packages, added_at)
    if any(e.name == app.name for e in extra):
        raise UsageError(f"--with names {app.name} itself; give the app once.")
    gen_id = shelf.current_generation_id()
    if app.name in explicit_names(shelf.state.intent(gen_id)):
        raise UsageError(f"{app.name} is on the shelf itself; `pyshelf remove {app.name}` "
                         "first to give it an environment of its own.")
    apps = {a.name: a for a in shelf.state.isolated(gen_id)}
    before = apps.get(app.name)
    apps[app.name] = IsolatedApp(app.name, app.spec, tuple(e.spec for e in extra),
                                 before.added_at if before else added_at)
    apply_change(shelf, ChangeRequest(intent=shelf.state.intent(gen_id),
                                      isolated=list(apps.values()), prefer_cache=True),
                 assume_yes=args.yes, dry_run=args.dry_run)


def _install_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("specs", nargs="*", metavar="SPEC",
                        help="a PEP 508 requirement ('requests>=2.30', 'black[d]', "
                             "'name @ URL'), a project directory or a wheel file")
    parser.add_argument("-e", "--editable", action="append", default=[], metavar="PATH",
                        help="install the project at PATH in editable mode (repeatable)")
    parser.add_argument("-U", "--upgrade", action="store_true",
                        help="also move the named packages already on the shelf, and what "
                             "they need, to their newest releases allowed")
    parser.add_argument("--isolated", action="store_true",
                        help="give the app an environment of its own, for an app that "
                             "cannot share the shelf's")
    parser.add_argument("--with", dest="with_packages", action="append", default=[],
                        metavar="PKG", help="with --isolated: another package to install "
                                            "next to the app (repeatable)")
    changing(parser)


COMMANDS = (
    Command(
        name="install",
        help="install packages onto the shelf",
        examples="""examples:
  pyshelf install requests black
  pyshelf install 'requests>=2.30' 'black[d]'
  pyshelf install --dry-run httpie
  pyshelf install -U requests             # ... and move it to its newest release
  pyshelf install ./my-project            # a local project, rebuilt from source
  pyshelf install -e ~/src/my-tool        # editable: source edits show at once
  pyshelf install ./dist/tool-1.0-py3-none-any.whl
  pyshelf install 'tool @ https://example.com/tool-1.0-py3-none-any.whl'
  pyshelf install --isolated black        # an environment of its own
  pyshelf install --isolated mkdocs --with mkdocs-material""",
        run=run,
        arguments=_install_arguments,
    ),
)
