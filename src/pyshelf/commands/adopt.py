"""``pyshelf adopt``: record what was changed inside the current generation by other tools,
or with ``--from``, move apps installed by pipx, uv tool or ``pip install --user`` onto the
shelf.

Adopting is a change like any other: the intent loses the packages removed outside pyshelf
and gains every package found that nothing else requires (what someone asked pip for, or a
dependency left behind by ``pip uninstall``), and every package found is pinned at the
version found, so the next generation is built to match the disk and the one before stays
for undo.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pyshelf import ui
from pyshelf.commands.common import Command, changing, open_from
from pyshelf.core.clock import now
from pyshelf.errors import UsageError
from pyshelf.layout import Layout

if TYPE_CHECKING:
    import argparse

    from pyshelf.adoption.found import Found
    from pyshelf.core.graph import Distribution
    from pyshelf.core.model import ChangeRequest
    from pyshelf.shelf import Shelf


def _valid_pin(dist: Distribution) -> bool:
    """Only a well-formed ``name==version`` ever reaches uv; a crafted folder does not."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(f"{dist.name}=={dist.version}")
    except InvalidRequirement:
        return False
    return True


def adopted_request(shelf: Shelf, gen_id: int) -> ChangeRequest | None:
    from pyshelf.core.graph import intent_edges
    from pyshelf.core.model import ChangeRequest
    from pyshelf.core.specs import parse_install_specs
    from pyshelf.venv import paths
    from pyshelf.venv.dist_info import read_distributions
    from pyshelf.venv.drift import generation_drift

    drift = generation_drift(shelf.layout, shelf.state, gen_id)
    directory = paths.site_packages(shelf.layout.gen_dir(gen_id))
    if not drift.count or directory is None:
        return None
    intent = shelf.state.intent(gen_id)
    found = [d for d in read_distributions(directory) if _valid_pin(d)]
    edges = intent_edges(found, intent, shelf.state.generation(gen_id).marker_env)
    required = {edge.requires for edge in edges}
    kept = [e for e in intent if e.name not in drift.removed]
    kept_names = {e.name for e in kept}
    asked_for = [d.display_name for d in found  # what nothing requires was asked for
                 if d.name not in required and d.name not in kept_names]
    new_entries = parse_install_specs(asked_for, now())
    kinds = {e.name: e.kind for e in intent}  # local projects keep their own source
    pins = {d.name: d.version for d in found if kinds.get(d.name, "index") == "index"}
    notes = [f"Adopting {drift.count} change(s) made outside pyshelf: {drift.summary(10)}."]
    return ChangeRequest(intent=[*kept, *new_entries], notes=notes, pins=pins,
                         prefer_cache=True)


def run(args: argparse.Namespace, layout: Layout) -> int:
    from pyshelf.change.pipeline import apply_change

    if args.remove_old and not args.sources:
        raise UsageError("--remove-old goes with --from: it removes what was moved from "
                         "pipx, uv or the user site.")
    shelf = open_from(args, layout, warn_drift=False)
    with shelf.writing():
        if args.sources:
            adopt_from(shelf, args)
            return 0
        gen_id = shelf.current_generation_id()
        request = adopted_request(shelf, gen_id)
        if request is None:
            ui.report("Nothing to adopt: the shelf holds exactly what pyshelf recorded.")
            return 0
        apply_change(shelf, request, assume_yes=args.yes, dry_run=args.dry_run)
    return 0


def _found(shelf: Shelf, tools: Sequence[str]) -> list[Found]:
    from pyshelf.adoption.found import pipx_apps, user_packages, uv_tools

    found: list[Found] = []
    if "pipx" in tools:
        found += pipx_apps(os.environ)
    if "uv" in tools:
        found += uv_tools(os.environ)
    if "user" in tools:
        facts = shelf.engine.describe(shelf.python)
        found += user_packages(facts.user_site, facts.marker_env)
    unique: dict[str, Found] = {}
    for item in found:  # the first tool named wins a package two tools hold
        unique.setdefault(item.name, item)
    return list(unique.values())


def adopt_from(shelf: Shelf, args: argparse.Namespace) -> None:
    from pyshelf.adoption.found import uninstall_command, without_pip_guard
    from pyshelf.adoption.sharing import isolated_app, pins_of, place
    from pyshelf.apps.bin_links import link_apps
    from pyshelf.change.pipeline import apply_change
    from pyshelf.core.model import ChangeRequest
    from pyshelf.engine.processes import run_other_tool

    tools = list(dict.fromkeys(args.sources))
    gen_id = shelf.current_generation_id()
    intent = shelf.state.intent(gen_id)
    current_apps = shelf.state.isolated(gen_id)
    on_shelf = {e.name for e in intent} | {a.name for a in current_apps}
    found = _found(shelf, tools)
    already = [f for f in found if f.name in on_shelf]
    candidates = [f for f in found if f.name not in on_shelf]
    for item in already:
        ui.info(f"{item.name} ({item.tool}) is on the shelf already; its {item.tool} copy is "
                "left alone.")
    if not candidates:
        ui.report(f"Nothing to adopt from {', '.join(tools)}.")
        return
    placement = place(shelf, intent, shelf.state.generation(gen_id).lock, candidates)
    notes = [f"{name} stays where it is: {why}" for name, why in placement.left.items()]
    notes += [f"{f.name} {f.version} ({f.tool}) conflicts with the shelf and gets an "
              "environment of its own." for f in placement.isolated]
    request = ChangeRequest(
        intent=[*intent, *placement.entries()], pins=placement.pins(), notes=notes,
        isolated=[*current_apps, *(isolated_app(f) for f in placement.isolated)],
        isolated_pins={f.name: dict(pins_of(f)) for f in placement.isolated},
        prefer_cache=True)
    apply_change(shelf, request, assume_yes=args.yes, dry_run=args.dry_run)
    moved = [*placement.shared, *placement.isolated]
    if args.dry_run or not moved:
        return
    if not args.remove_old:
        ui.info("The old copies stay where they were (and may come first on PATH); "
                "`--remove-old` removes them through their own tools.")
        return
    removed = False
    for item in moved:
        command = uninstall_command(item, shelf.engine.uv, shelf.python)
        if run_other_tool(command, without_pip_guard(os.environ)):
            ui.info(f"Removed {item.name} from {item.tool}.")
            removed = True
        elif shutil.which(command[0]) is None:  # its folders are the tool's to change
            ui.warn(f"{item.name} is on the shelf, but {command[0]} is not on PATH, so its "
                    f"old copy stays; `{shlex.join(command)}` removes it where "
                    f"{command[0]} is installed.")
        else:
            ui.warn(f"{item.name} is on the shelf, but `{shlex.join(command)}` failed; run it "
                    "yourself to remove the old copy.")
    if removed:  # the old tools' links are gone: the shelf's can take their place
        link_apps(shelf)


def _adopt_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="sources", action="append", default=[],
                        choices=("pipx", "uv", "user"),
                        help="move the apps that pipx, uv tool or `pip install --user` "
                             "installed onto the shelf (repeatable)")
    parser.add_argument("--remove-old", action="store_true",
                        help="with --from: then remove the old copies through their own "
                             "tools")
    changing(parser)


COMMANDS = (
    Command(
        name="adopt",
        help="record packages that other tools changed inside the shelf",
        examples="""examples:
  pyshelf adopt --dry-run         # what `pip install` inside the shelf changed
  pyshelf adopt --yes
  pyshelf adopt --from pipx --from uv --remove-old   # move over in one command
  pyshelf adopt --from user --dry-run""",
        run=run,
        arguments=_adopt_arguments,
    ),
)
