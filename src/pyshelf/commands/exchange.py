"""``pyshelf export`` and ``pyshelf import``: carry a shelf's state to another machine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import Command, changing, open_from
from pyshelf.core.clock import now
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse

    from pyshelf.export_formats import Imported
    from pyshelf.shelf import Shelf


def run_export(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.export_formats import render_json, render_requirements

    shelf = open_from(args, layout)
    gen_id = shelf.current_generation_id()
    record = shelf.state.generation(gen_id)
    intent = shelf.state.intent(gen_id)
    if args.format == "pylock":
        from pyshelf.manifest.lock import pylock_of

        text = pylock_of(shelf, gen_id, label="export")
    elif args.format == "manifest":
        from pyshelf.manifest.document import render
        from pyshelf.manifest.files import shelf_manifest

        text = render(shelf_manifest(shelf, gen_id), str(Path.home()))
    elif args.format == "json":
        text = render_json(record.lock, intent, gen_id, record.interpreter.version,
                           shelf.state.isolated(gen_id))
    else:
        text = render_requirements(
            record.lock, intent,
            f"pyshelf export of generation {gen_id} (Python {record.interpreter.version})",
            shelf.state.isolated(gen_id))
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return 0
    target = Path(args.output)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PyshelfError(f"Could not write {target} ({exc.strerror}).") from exc
    ui.info(f"Wrote {len(record.lock.packages)} package(s) to {target}.")
    return 0


def check_hashes(shelf: Shelf, imported: Imported, source: Path,
                  environment: dict[str, str]) -> None:
    """Every hash a pylock carries is checked by uv before the plan is even shown, so a file
    that differs from the one the lock was made with stops the import with nothing
    changed."""
    from pyshelf.export_formats import hash_check_requirements

    requirements = hash_check_requirements(imported.hashed, environment)
    if not requirements:
        return
    with shelf.layout.scratch("hashes") as work:
        listed = work / "hashed.txt"
        listed.write_text(requirements, encoding="utf-8")
        shelf.engine.check_hashes(listed, work / "files", shelf.python, source=str(source))


def _confirm_emptying(source: Path, *, dry_run: bool) -> str:
    """The warning for an import that removes every package, which is asked about even with
    --yes: an empty or cut-short file (a failed download, a redirect to nothing) must never
    quietly empty the shelf. With no terminal to ask on it is refused instead."""
    if not dry_run and not ui.can_ask():
        raise PyshelfError(f"{source} lists no packages, so importing it would remove every "
                           "package from the shelf, and there is no terminal to confirm that "
                           "on; nothing was changed (--allow-empty imports it anyway).")
    return f"{source} lists no packages, so importing it removes every package from the shelf."


def _without_missing(imported: Imported, source: Path, *, skip: bool
                     ) -> tuple[Imported, list[str]]:
    """The import without the local projects and wheel files whose path this machine lacks
    (an export names paths of the machine it was made on), and a note naming each one; or,
    unless ``skip``, a refusal naming them all before anything changes."""
    from dataclasses import replace

    from pyshelf.change.local_sources import gone_sources, what_is_gone

    gone = gone_sources(imported.intent)
    if gone and not skip:
        where = " and ".join(what_is_gone(entry) for entry in gone)
        verb = "is" if len(gone) == 1 else "are"
        raise PyshelfError(f"{source} needs {where}, which {verb} not on this machine; "
                           "nothing was changed (--skip-missing imports the rest).")
    notes = [f"{entry.name} is not imported: {what_is_gone(entry)} is not on this machine."
             for entry in gone]
    return replace(imported, intent=[e for e in imported.intent if e not in gone]), notes


def run_import(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.change.pipeline import apply_change
    from pyshelf.core.model import ChangeRequest
    from pyshelf.export_formats import read_import

    source = Path(args.file)
    imported, notes = _without_missing(read_import(source, args.format, now()), source,
                                       skip=args.skip_missing)
    notes = [*imported.notes, *notes]
    shelf = open_from(args, layout)
    with shelf.writing():
        gen_id = shelf.current_generation_id()
        record = shelf.state.generation(gen_id)
        check_hashes(shelf, imported, source, record.marker_env)
        current = record.interpreter.version
        if imported.python and current not in imported.python:
            notes.append(f"The file was made for Python {imported.python}; this shelf runs "
                         f"{current}, so some pins may not resolve.")
        emptying = (imported.lists_nothing() and not args.allow_empty
                    and bool(record.lock.packages or shelf.state.isolated(gen_id)))
        if emptying:
            notes.append(_confirm_emptying(source, dry_run=args.dry_run))
        apply_change(shelf, ChangeRequest(intent=imported.intent, pins=imported.pins,
                                          notes=notes, prefer_cache=True,
                                          isolated=imported.isolated,
                                          isolated_pins=imported.isolated_pins),
                     assume_yes=args.yes and not emptying, dry_run=args.dry_run)
    return 0


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("requirements", "pylock", "json", "manifest"),
                        default="requirements")
    parser.add_argument("-o", "--output", metavar="FILE", help="the file (default: stdout)")


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--format", choices=("requirements", "pylock", "json"),
                        help="the file's format (default: from its name)")
    parser.add_argument("--allow-empty", action="store_true",
                        help="let a file that lists no packages remove every package "
                             "(without it, such an import asks even with --yes)")
    parser.add_argument("--skip-missing", action="store_true",
                        help="leave out the local projects and wheel files whose path is not "
                             "on this machine, and import the rest")
    changing(parser)


COMMANDS = (
    Command(
        name="export",
        help="write the shelf's state to a file another machine can import",
        examples="""examples:
  pyshelf export > shelf.txt
  pyshelf export --format pylock -o pylock.toml
  pyshelf export --format json -o shelf.json
  pyshelf export --format manifest -o shelf.toml""",
        run=run_export,
        arguments=_export_arguments,
    ),
    Command(
        name="import",
        help="recreate an exported state on this shelf",
        examples="""examples:
  pyshelf import shelf.txt
  pyshelf import pylock.toml --yes
  pyshelf import ~/.config/pipx/pipx.toml   # pipx's manifest (pixi-global's PyPI entries too)
  pyshelf import shelf.txt --skip-missing   # without the paths this machine lacks""",
        run=run_import,
        arguments=_import_arguments,
    ),
)
