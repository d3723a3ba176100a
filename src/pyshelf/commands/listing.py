"""``pyshelf list``: what the current generation holds, from the database alone.

No uv, no interpreter, no network: the record written when the generation was built is the
answer, which keeps this instant on a shelf of any size.
"""

from __future__ import annotations

from pyshelf import ui
from pyshelf.commands.common import (
    LOCAL_TYPES,
    NOT_FOR_HERE,
    Command,
    json_output,
    open_from,
    package_type,
)
from pyshelf.layout import Layout

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from pyshelf.core.model import InstalledPackage

ISOLATED = "isolated"


def summary_line(packages: list[InstalledPackage], isolated: int = 0, elsewhere: int = 0) -> str:
    types = [package_type(p) for p in packages]
    local = sum(t in LOCAL_TYPES for t in types)
    others = f", {elsewhere} not for this platform" if elsewhere else ""
    apps = f", and {isolated} isolated app(s)" if isolated else ""
    return (f"{len(packages)} package(s): {types.count('explicit')} explicit, {local} local, "
            f"{types.count('dependency')} dependencies{others}{apps}")


def _wanted(args: argparse.Namespace, kind: str) -> bool:
    if args.explicit:
        return kind != "dependency"
    if args.deps:
        return kind == "dependency"
    if args.local:
        return kind in LOCAL_TYPES
    if args.isolated:
        return kind == ISOLATED
    return True


def run(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.core.model import not_for_here

    shelf = open_from(args, layout)
    gen_id = shelf.current_generation_id()
    everything = shelf.state.packages(gen_id)
    intent = shelf.state.intent(gen_id)
    specs = {e.name: e.spec for e in intent if e.role == "explicit"}
    elsewhere = not_for_here(intent, {p.name for p in everything})
    apps = shelf.state.isolated(gen_id)
    shown = [p for p in everything if _wanted(args, package_type(p))]
    shown_elsewhere = elsewhere if _wanted(args, NOT_FOR_HERE) else []
    shown_apps = apps if _wanted(args, ISOLATED) else []
    if args.json:
        types = [package_type(p) for p in everything]
        ui.emit_json({
            "generation": gen_id,
            "packages": [
                {"name": p.display_name, "version": p.version, "type": package_type(p),
                 "requested": specs.get(p.name), "source": p.source_path,
                 "installed_at": p.installed_at}
                for p in shown
            ] + [
                {"name": e.name, "version": None, "type": NOT_FOR_HERE, "requested": e.spec,
                 "source": None, "installed_at": None}
                for e in shown_elsewhere
            ] + [
                {"name": a.display_name, "version": a.version, "type": ISOLATED,
                 "requested": a.spec, "with": list(a.with_specs), "source": None,
                 "installed_at": a.added_at}
                for a in shown_apps
            ],
            "summary": {"total": len(everything), "explicit": types.count("explicit"),
                        "local": sum(t in LOCAL_TYPES for t in types),
                        "dependencies": types.count("dependency"), "isolated": len(apps),
                        "not_for_this_platform": len(elsewhere)},
        })
        return 0
    if shown or shown_elsewhere or shown_apps:
        with_source = any(p.source_path for p in shown)
        headers = ("Name", "Version", "Type", "Installed", *(("Source",) if with_source else ()))
        ui.table(headers, [
            (p.display_name, p.version, package_type(p), ui.local_time(p.installed_at),
             *((p.source_path or "",) if with_source else ()))
            for p in shown
        ] + [
            (e.name, "-", NOT_FOR_HERE, "-", *(("",) if with_source else ()))
            for e in shown_elsewhere
        ] + [
            (a.display_name, a.version, ISOLATED, ui.local_time(a.added_at),
             *(("",) if with_source else ()))
            for a in shown_apps
        ])
    filtered = args.explicit or args.deps or args.local or args.isolated
    count = len(shown) + len(shown_elsewhere) + len(shown_apps)
    shown_count = f"{count} of {len(everything) + len(elsewhere) + len(apps)} shown; "
    ui.out((shown_count if filtered else "")
           + summary_line(everything, len(apps), len(elsewhere)))
    return 0


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument("--explicit", action="store_true", help="only what you installed")
    kinds.add_argument("--deps", action="store_true", help="only dependencies")
    kinds.add_argument("--local", action="store_true",
                       help="only local projects, wheels, URLs and editables")
    kinds.add_argument("--isolated", action="store_true",
                       help="only apps in environments of their own")
    json_output(parser)


COMMANDS = (
    Command(
        name="list",
        help="list the packages on the shelf",
        examples="""examples:
  pyshelf list
  pyshelf list --explicit
  pyshelf list --json""",
        run=run,
        report=True,
        arguments=_list_arguments,
    ),
)
