"""``pyshelf outdated``: what has newer releases, what ``update`` would move, and what
holds the rest back.

uv lists the newest release of every installed index package; a dry ``update`` resolve
(``uv pip compile --upgrade`` into a scratch file, nothing built) says how far each can
really move; the requirements that exclude the newest release come from the recorded intent
and dependency edges. Packages from local projects, wheel files and URLs have no index
release to compare with and are left out.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from pyshelf import ui
from pyshelf.change import provided_by_system
from pyshelf.holdback import Holder, holders, is_newer
from pyshelf.layout import Layout
from pyshelf.resolver import resolve
from pyshelf.shelf import open_shelf


@dataclass(frozen=True)
class Outdated:
    name: str
    installed: str
    newest: str
    update_gives: str
    explicit: bool
    held_back_by: list[Holder]

    @property
    def held_back(self) -> bool:
        return is_newer(self.newest, self.update_gives)

    def reason(self) -> str:
        if not self.held_back:
            return ""
        if not self.held_back_by:  # e.g. the newest release needs another Python
            return "the shelf as a whole (no single requirement)"
        return "; ".join(holder.describe() for holder in self.held_back_by)


def run(args: argparse.Namespace, layout: Layout) -> int:
    shelf = open_shelf(layout, verbose=args.verbose, wait=not args.no_wait)
    gen_id = shelf.current_generation_id()
    current = shelf.state.generation(gen_id)
    intent = shelf.state.intent(gen_id)
    packages = [p for p in shelf.state.packages(gen_id) if p.source == "index"
                and (p.is_explicit or args.all)]
    newer = shelf.engine.newer_versions(layout.gen_python(gen_id))
    candidates = [p for p in packages if p.name in newer and is_newer(newer[p.name], p.version)]
    rows: list[Outdated] = []
    if candidates:
        update = resolve(shelf.engine, layout, intent, shelf.python, current.lock,
                         upgrade=True, provided=provided_by_system(shelf))
        specs = {e.name: e.spec for e in intent}
        edges = shelf.state.edges(gen_id)
        for package in candidates:
            locked = update.packages.get(package.name)
            gives = locked.version if locked else package.version
            rows.append(Outdated(
                package.display_name, package.version, newer[package.name], gives,
                package.is_explicit,
                holders(package.name, newer[package.name], specs.get(package.name), edges)
                if is_newer(newer[package.name], gives) else [],
            ))
    if args.json:
        ui.emit_json([{"name": r.name, "installed": r.installed, "newest": r.newest,
                       "update_gives": r.update_gives, "explicit": r.explicit,
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
             [(r.name, r.installed, r.newest, r.update_gives, r.reason()) for r in rows])
    movable = sum(is_newer(r.update_gives, r.installed) for r in rows)
    ui.out(f"{len(rows)} {kind}(s) have newer releases; `pyshelf update` moves {movable} "
           "of them.")
    return 0
