"""``pyshelf outdated``: what has newer releases, what ``update`` would move, and what
holds the rest back.

uv lists the newest release of every installed index package; a dry ``update`` resolve
(``uv pip compile --upgrade`` into a scratch file, nothing built) says how far each can
really move; the requirements that exclude the newest release come from the recorded intent
and dependency edges. Each isolated app's environment is looked at the same way, on its own.
Packages from local projects, wheel files and URLs have no index release to compare with
and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import Command, json_output, open_from
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse

    from pyshelf.core.graph import Distribution
    from pyshelf.core.holdback import Holder
    from pyshelf.core.model import Edge, InstalledPackage, IntentEntry, Lock
    from pyshelf.shelf import Shelf


@dataclass(frozen=True)
class Environment:
    """The shelf's environment (``app`` None), or an isolated app's."""

    app: str | None
    python: Path
    packages: list[InstalledPackage]
    intent: list[IntentEntry]
    lock: Lock
    edges: list[Edge]


def _rows(shelf: Shelf, env: Environment, *, everything: bool,
          provided: list[Distribution] | None = None) -> list[Outdated]:
    """The outdated packages of one environment, with what ``update`` would give each."""
    from pyshelf.change.resolve import resolve
    from pyshelf.core.holdback import holders, is_newer
    from pyshelf.core.model import ChangeRequest

    packages = [p for p in env.packages if p.source == "index"
                and (p.is_explicit or everything)]
    newer = shelf.engine.newer_versions(env.python)
    candidates = [p for p in packages if p.name in newer and is_newer(newer[p.name], p.version)]
    if not candidates:
        return []
    update = resolve(shelf.engine, shelf.layout, ChangeRequest(intent=env.intent, upgrade=True),
                     shelf.python, env.lock, provided=provided)
    specs = {e.name: e.spec for e in env.intent}
    moving = [p for p in env.packages
              if p.name in update.packages and update.packages[p.name].version != p.version]
    rows = []
    for package in candidates:
        locked = update.packages.get(package.name)
        gives = locked.version if locked else package.version
        held = is_newer(newer[package.name], gives)
        requirers = {e.package for e in env.edges if e.requires == package.name}
        rows.append(Outdated(
            package.display_name, package.version, newer[package.name], gives,
            package.is_explicit,
            holders(package.name, newer[package.name], specs.get(package.name), env.edges,
                    {p.name for p in moving}) if held else [], env.app,
            {p.display_name: update.packages[p.name].version for p in moving
             if p.name in requirers} if held else {},
        ))
    return rows


@dataclass(frozen=True)
class Outdated:
    name: str
    installed: str
    newest: str
    update_gives: str
    explicit: bool
    held_back_by: list[Holder]
    isolated_app: str | None = None  # the isolated app whose environment holds it
    # packages that require it and that the update moves too (name -> the version it gives)
    moving_requirers: dict[str, str] = field(default_factory=dict)

    @property
    def held_back(self) -> bool:
        from pyshelf.core.holdback import is_newer

        return is_newer(self.newest, self.update_gives)

    def label(self) -> str:
        from packaging.utils import canonicalize_name

        if self.isolated_app is None:
            return self.name
        if canonicalize_name(self.name) == self.isolated_app:
            return f"{self.name} (isolated)"
        return f"{self.name} (in {self.isolated_app})"

    def reason(self) -> str:
        if not self.held_back:
            return ""
        if not self.held_back_by and self.moving_requirers:
            moved = ", ".join(f"{name} {version}" for name, version in
                              sorted(self.moving_requirers.items()))
            return (f"what {moved} will require (update moves it too; see again after "
                    "`pyshelf update`)")
        if not self.held_back_by:  # e.g. the newest release needs another Python
            return "the shelf as a whole (no single requirement)"
        return "; ".join(holder.describe() for holder in self.held_back_by)


def run(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.change.pipeline import provided_by_system
    from pyshelf.core.holdback import is_newer
    from pyshelf.core.lockfile import parse_lock
    from pyshelf.venv import paths

    shelf = open_from(args, layout)
    gen_id = shelf.current_generation_id()
    rows = _rows(shelf, Environment(
        None, layout.gen_python(gen_id), shelf.state.packages(gen_id),
        shelf.state.intent(gen_id), shelf.state.generation(gen_id).lock,
        shelf.state.edges(gen_id)), everything=args.all, provided=provided_by_system(shelf))
    for app in shelf.state.isolated(gen_id):
        rows += _rows(shelf, Environment(
            app.name, paths.python(layout.isolated / app.env_dir), list(app.packages),
            app.intent(), parse_lock(app.lock_text), list(app.edges)), everything=args.all)
    if args.json:
        ui.emit_json([{"name": r.name, "installed": r.installed, "newest": r.newest,
                       "update_gives": r.update_gives, "explicit": r.explicit,
                       "isolated_app": r.isolated_app,
                       "held_back": r.held_back,
                       "held_back_by": [{"package": h.package, "requirement": h.requirement}
                                        for h in r.held_back_by]}
                      for r in rows])
        return 0
    kind = "package" if args.all else "explicit package"
    if not rows:
        ui.out(f"Every {kind} is at its newest release.")
        return 0
    ui.table(("Name", "Installed", "Newest", "update gives", "Held back by"),
             [(r.label(), r.installed, r.newest, r.update_gives, r.reason()) for r in rows])
    movable = sum(is_newer(r.update_gives, r.installed) for r in rows)
    ui.out(f"{len(rows)} {kind}(s) have newer releases; `pyshelf update` moves {movable} "
           "of them.")
    return 0


def _outdated_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--all", action="store_true", help="dependencies too")
    json_output(parser)


COMMANDS = (
    Command(
        name="outdated",
        help="packages with newer releases, and what holds them back",
        examples="""examples:
  pyshelf outdated                # explicit packages with newer releases, and what holds
                                  # them back
  pyshelf outdated --all          # dependencies too
  pyshelf outdated --json""",
        run=run,
        arguments=_outdated_arguments,
    ),
)
