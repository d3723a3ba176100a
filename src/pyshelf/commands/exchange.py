"""``pyshelf export`` and ``pyshelf import``: carry a shelf's state to another machine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pyshelf import ui
from pyshelf.change import ChangeRequest, apply_change
from pyshelf.clock import now
from pyshelf.errors import PyshelfError
from pyshelf.exchange import (
    pin_line,
    pylock_tool_table,
    read_import,
    render_json,
    render_requirements,
)
from pyshelf.layout import Layout
from pyshelf.shelf import Shelf, open_shelf


def _pylock(shelf: Shelf, gen_id: int) -> str:
    """uv writes the PEP 751 file (sources and hashes from the index) from the exact pins."""
    record = shelf.state.generation(gen_id)
    with shelf.layout.scratch("export") as work:
        pins = work / "pins.txt"
        pins.write_text("".join(f"{pin_line(p)}\n" for p in record.lock.packages.values()),
                        encoding="utf-8")
        text = shelf.engine.compile(pins, work / "pylock.toml", shelf.python,
                                    output_format="pylock.toml")
    return text + pylock_tool_table(shelf.state.intent(gen_id), shelf.state.isolated(gen_id))


def run_export(args: argparse.Namespace, layout: Layout) -> int:
    shelf = open_shelf(layout, verbose=args.verbose)
    gen_id = shelf.current_generation_id()
    record = shelf.state.generation(gen_id)
    intent = shelf.state.intent(gen_id)
    if args.format == "pylock":
        text = _pylock(shelf, gen_id)
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


def run_import(args: argparse.Namespace, layout: Layout) -> int:
    imported = read_import(Path(args.file), args.format, now())
    shelf = open_shelf(layout, verbose=args.verbose, wait=not args.no_wait)
    with shelf.writing():
        current = shelf.state.generation(shelf.current_generation_id()).interpreter.version
        notes = [
            f"The file was made for Python {imported.python}; this shelf runs {current}, "
            "so some pins may not resolve."
        ] if imported.python and current not in imported.python else []
        apply_change(shelf, ChangeRequest(intent=imported.intent, pins=imported.pins,
                                          notes=notes, prefer_cache=True,
                                          isolated=imported.isolated,
                                          isolated_pins=imported.isolated_pins),
                     assume_yes=args.yes, dry_run=args.dry_run)
    return 0
