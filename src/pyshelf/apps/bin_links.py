"""Which commands the bin dir links: isolated apps' always, the shelf's when it exposes apps
only.

With ``expose = path`` the shell block puts the shelf's whole ``bin`` on PATH, so ``python3``
is the shelf's. With ``expose = apps`` it does not: each command of an explicit package gets
a symlink in the bin dir to ``<home>/env/bin/<command>``, plus ``pyshelf-python`` for the
shelf's interpreter, and the system's ``python3`` stays first. The links go through ``env``,
so a new generation needs new links only when the set of commands changes.

An isolated app's commands are linked in either mode (unless hidden), to
``<home>/env/pyshelf-isolated/<app>/bin/<command>``: its environment is on no PATH.

The person's ``expose``/``hide`` choices override the default, a command's over its
package's. A link is pyshelf's only if it points into one of those ``bin`` folders; anything
else in the bin dir is never replaced unless the person says ``--force``.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import NamedTuple

from pyshelf import ui
from pyshelf.atomic import replace_symlink
from pyshelf.layout import LAUNCHER, Layout, entries
from pyshelf.removal import unlink_link
from pyshelf.shelf import Shelf
from pyshelf.venv import paths
from pyshelf.venv.scripts import package_scripts

PYTHON_LINK = "pyshelf-python"
# Names the bin dir keeps for pyshelf itself, and what for: a package's command called so is
# never linked, so nothing a package ships takes the place of the launcher or of the python.
RESERVED = {LAUNCHER: "launcher", PYTHON_LINK: "link to the shelf's python"}


def exposes_apps(shelf: Shelf) -> bool:
    return shelf.setting("expose") == "apps"


def block_dirs(shelf: Shelf) -> list[Path]:
    """What the shell block puts on PATH, first first: the bin dir, and with the whole shelf
    exposed the shelf's own ``bin`` after it (so the launcher wins over a package's
    ``pyshelf``)."""
    bin_dir = shelf.path_setting("bin_dir")
    return [bin_dir] if exposes_apps(shelf) else [bin_dir, shelf.layout.env_bin]


def commands_by_package(shelf: Shelf) -> dict[str, list[str]]:
    """Canonical package name -> the commands it installed in the current generation."""
    gen_id = shelf.current_generation_id()
    found = paths.site_packages(shelf.layout.gen_dir(gen_id))
    if found is None:
        return {}
    return {p.name: package_scripts(found, p.name) for p in shelf.state.packages(gen_id)}


def wanted_links(shelf: Shelf) -> dict[str, Path]:
    """Link name in the bin dir -> what it points at: isolated apps' commands always (their
    environments are on no PATH), and with apps exposed the shelf's chosen commands too."""
    gen_id = shelf.current_generation_id()
    choices = shelf.state.exposure()
    links = {name: paths.script(shelf.layout.current_isolated(app), name)
             for app, names in isolated_commands(shelf).items() for name in names
             if name not in RESERVED
             and choices.get(("command", name), choices.get(("package", app), True))}
    if not exposes_apps(shelf):
        return links
    explicit = {p.name for p in shelf.state.packages(gen_id) if p.is_explicit}
    chosen = links_for(commands_by_package(shelf), explicit, choices, shelf.layout)
    return {**chosen, **links}


def isolated_commands(shelf: Shelf) -> dict[str, list[str]]:
    """Isolated app -> the commands it installed in its own environment."""
    commands = {}
    for app in shelf.state.isolated(shelf.current_generation_id()):
        found = paths.site_packages(shelf.layout.isolated / app.env_dir)
        commands[app.name] = package_scripts(found, app.name) if found else []
    return commands


def links_for(commands: Mapping[str, list[str]], explicit: Collection[str],
              choices: Mapping[tuple[str, str], bool], layout: Layout) -> dict[str, Path]:
    """The pure rule: explicit packages' commands, unless the person chose otherwise, and
    never one named like pyshelf's own entries in the bin dir."""
    links = {PYTHON_LINK: paths.python(layout.env)}
    for package, names in commands.items():
        by_package = choices.get(("package", package), package in explicit)
        for name in names:
            if name not in RESERVED and choices.get(("command", name), by_package):
                links[name] = layout.env_bin / name
    return links


def is_ours(entry: Path, layout: Layout) -> bool:
    """A link into the shelf's ``bin``, or into an isolated app's ``bin`` through ``env``."""
    try:
        target = entry.readlink()
    except OSError:
        return False
    venv = paths.venv_of_script(target)
    return venv is not None and (venv == layout.env
                                 or venv == layout.current_isolated(venv.name))


class LinkResult(NamedTuple):
    added: list[str]
    removed: list[str]
    blocked: list[str]  # wanted, but something pyshelf did not make is in the way


def blocked_names(bin_dir: Path, wanted: Mapping[str, Path], layout: Layout) -> list[str]:
    return sorted(name for name in wanted
                  if os.path.lexists(bin_dir / name) and not is_ours(bin_dir / name, layout))


def refresh_links(shelf: Shelf, *, force: Collection[str] = ()) -> LinkResult:
    """Make the bin dir hold exactly the wanted links; names in ``force`` replace whatever
    is in their way."""
    bin_dir, layout = shelf.path_setting("bin_dir"), shelf.layout
    wanted = wanted_links(shelf)
    removed = remove_links(bin_dir, layout, keep=wanted)
    blocked = [name for name in blocked_names(bin_dir, wanted, layout) if name not in force]
    added = []
    if wanted:
        bin_dir.mkdir(parents=True, exist_ok=True)
    for name, target in sorted(wanted.items()):
        link = bin_dir / name
        if name in blocked or (is_ours(link, layout) and link.readlink() == target):
            continue
        if link.is_dir() and not link.is_symlink():
            blocked.append(name)  # --force replaces files, never a whole directory
            continue
        replace_symlink(link, str(target))
        added.append(name)
    return LinkResult(added, removed, sorted(blocked))


def remove_links(bin_dir: Path, layout: Layout, *, keep: Mapping[str, Path] | None = None
                 ) -> list[str]:
    """Delete pyshelf's links in ``bin_dir`` that are not in ``keep``."""
    removed = []
    for entry in entries(bin_dir):
        if (is_ours(entry, layout) and (keep is None or entry.name not in keep)
                and unlink_link(entry)):
            removed.append(entry.name)
    return sorted(removed)


def link_apps(shelf: Shelf, *, force: Collection[str] = ()) -> None:
    """Bring the bin dir's app links in line with the current generation and the expose
    setting, and say what could not be linked and why."""
    result = refresh_links(shelf, force=force)
    bin_dir = shelf.path_setting("bin_dir")
    if result.added:
        ui.info(f"Linked {', '.join(result.added)} into {bin_dir}.")
    if result.removed:
        ui.info(f"Removed the links {', '.join(result.removed)} from {bin_dir}.")
    for name in result.blocked:
        ui.warn(f"{name} was not linked into {bin_dir}: {bin_dir / name} is in the way and "
                f"pyshelf did not put it there; `pyshelf expose {name} --command --force` "
                "replaces it.")
