"""``pyshelf adopt``: record what was changed inside the current generation by other tools.

Adopting is a change like any other: the intent loses the packages removed outside pyshelf
and gains every package found that nothing else requires (what someone asked pip for, or a
dependency left behind by ``pip uninstall``), and every package found is pinned at the
version found, so the next generation is built to match the disk and the one before stays
for undo.
"""

from __future__ import annotations

import argparse

from packaging.requirements import InvalidRequirement, Requirement

from pyshelf import ui
from pyshelf.change import ChangeRequest, apply_change
from pyshelf.clock import now
from pyshelf.drift import generation_drift, site_packages
from pyshelf.graph import Distribution, dependency_edges, read_distributions
from pyshelf.layout import Layout
from pyshelf.shelf import Shelf, open_shelf
from pyshelf.specs import parse_install_specs


def _valid_pin(dist: Distribution) -> bool:
    """Only a well-formed ``name==version`` ever reaches uv; a crafted folder does not."""
    try:
        Requirement(f"{dist.name}=={dist.version}")
    except InvalidRequirement:
        return False
    return True


def adopted_request(shelf: Shelf, gen_id: int) -> ChangeRequest | None:
    drift = generation_drift(shelf.layout, shelf.state, gen_id)
    directory = site_packages(shelf.layout.gen_dir(gen_id))
    if not drift.count or directory is None:
        return None
    intent = shelf.state.intent(gen_id)
    found = [d for d in read_distributions(directory) if _valid_pin(d)]
    edges = dependency_edges(found, [Requirement(e.spec) for e in intent],
                             shelf.state.generation(gen_id).marker_env)
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
    shelf = open_shelf(layout, verbose=args.verbose, wait=not args.no_wait, warn_drift=False)
    with shelf.writing():
        gen_id = shelf.current_generation_id()
        request = adopted_request(shelf, gen_id)
        if request is None:
            ui.out("Nothing to adopt: the shelf holds exactly what pyshelf recorded.")
            return 0
        apply_change(shelf, request, assume_yes=args.yes, dry_run=args.dry_run)
    return 0
