"""What moving the shelf to another Python costs: packages that cannot come along, and
versions that must change because the new Python needs them.

Both are named in the plan, so a rebuild for a new Python is a decision the person makes
knowingly, not a conflict message to decipher. The usual cause is compiled code: a wheel
tagged ``cp312-cp312-...`` loads in CPython 3.12 only, and its ``WHEEL`` file says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from packaging.tags import parse_tag

from pyshelf.change.resolve import resolve
from pyshelf.core.graph import Distribution
from pyshelf.core.lockfile import EMPTY_LOCK
from pyshelf.core.model import ChangeRequest, IntentEntry
from pyshelf.core.plan import Plan
from pyshelf.engine.processes import Engine
from pyshelf.errors import ConflictError
from pyshelf.layout import Layout
from pyshelf.venv import dist_info, paths


def built_only_for(gen_dir: Path) -> dict[str, tuple[str, str]]:
    """name -> (version, "cp312") for each installed package whose wheel holds code for one
    interpreter version only (not ``abi3``, not pure Python)."""
    directory = paths.site_packages(gen_dir)
    if directory is None:
        return {}
    found = {}
    for info in dist_info.folders(directory):
        try:
            tags = {tag for text in dist_info.wheel_tags(info) for tag in parse_tag(text)}
        except ValueError:
            continue
        if tags and all(tag.abi not in ("none", "abi3") for tag in tags):
            name, version = dist_info.name_and_version(info)
            found[name] = (version, ", ".join(sorted(
                {tag.interpreter for tag in tags})))
    return found


def unavailable(engine: Engine, layout: Layout, intent: Sequence[IntentEntry], python: str,
                version: str, gen_dir: Path, provided: Sequence[Distribution] | None
                ) -> dict[str, str]:
    """The requested packages that cannot be installed on ``python`` at all, each resolved
    on its own, with the reason: the interpreter its build was for where that is it, else
    uv's first sentence."""
    specific = built_only_for(gen_dir)
    found = {}
    for entry in intent:
        if entry.role != "explicit":
            continue
        try:
            resolve(engine, layout, ChangeRequest(intent=[entry]), python, EMPTY_LOCK,
                    provided=provided)
        except ConflictError as exc:
            if entry.name in specific:
                old, interpreter = specific[entry.name]
                found[entry.name] = (f"its {old} was built for {interpreter} only, and no "
                                     f"release has a build for Python {version}")
            else:
                explanation = exc.detail.strip() or exc.message
                found[entry.name] = explanation.splitlines()[0]
    return found


def rebuilt_for_python(plan: Plan, gen_dir: Path, version: str) -> list[str]:
    """The compiled packages that keep their version but whose build is replaced by one for
    ``version``, as plan lines."""
    moved = {change.name for change in (*plan.upgraded, *plan.downgraded, *plan.removed,
                                        *plan.orphaned)}
    return [f"{name} {old} (its {built_for} build is replaced by one for Python {version})"
            for name, (old, built_for) in sorted(built_only_for(gen_dir).items())
            if name not in moved]


def needed_by_python(plan: Plan, gen_dir: Path, version: str) -> dict[str, str]:
    """Why a version moves: the one installed was built for the old Python only."""
    moved = (*plan.upgraded, *plan.downgraded)
    if not moved:  # the usual rebuild: no version moves, no WHEEL file need be read
        return {}
    specific = built_only_for(gen_dir)
    return {change.name: (f"Python {version} needs it: {specific[change.name][0]} was built "
                          f"for {specific[change.name][1]} only")
            for change in moved if change.name in specific}
