"""``pyshelf list``: what the current generation holds, from the database alone.

No uv, no interpreter, no network: the record written when the generation was built is the
answer, which keeps this instant on a shelf of any size.
"""

from __future__ import annotations

import argparse

from pyshelf import ui
from pyshelf.layout import Layout
from pyshelf.model import InstalledPackage
from pyshelf.shelf import open_shelf


def _kind(package: InstalledPackage) -> str:
    return "explicit" if package.is_explicit else "dependency"


def summary_line(packages: list[InstalledPackage]) -> str:
    explicit = sum(p.is_explicit for p in packages)
    return (f"{len(packages)} package(s): {explicit} explicit, "
            f"{len(packages) - explicit} dependencies")


def run(args: argparse.Namespace, layout: Layout) -> int:
    shelf = open_shelf(layout)
    gen_id = shelf.current_generation_id()
    everything = shelf.state.packages(gen_id)
    specs = {e.name: e.spec for e in shelf.state.intent(gen_id) if e.role == "explicit"}
    shown = [p for p in everything
             if not (args.explicit and not p.is_explicit) and not (args.deps and p.is_explicit)]
    if args.json:
        ui.emit_json({
            "generation": gen_id,
            "packages": [
                {"name": p.display_name, "version": p.version, "type": _kind(p),
                 "requested": specs.get(p.name), "installed_at": p.installed_at}
                for p in shown
            ],
            "summary": {"total": len(everything), "explicit": sum(p.is_explicit for p in
                        everything), "dependencies": sum(not p.is_explicit for p in everything)},
        })
        return 0
    if shown:
        ui.table(("Name", "Version", "Type", "Installed"),
                 [(p.display_name, p.version, _kind(p), ui.local_time(p.installed_at))
                  for p in shown])
    ui.out(summary_line(everything))
    return 0
