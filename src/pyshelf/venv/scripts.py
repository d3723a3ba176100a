"""The commands a package put into its environment's ``bin``, read from its ``RECORD``.

``RECORD`` lists every file the installer wrote, console and GUI entry points as well as
plain scripts shipped in the wheel's data, so it answers "which commands does this package
give me" without importing anything or trusting ``bin`` to hold only one package's files.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from pyshelf.core.shared_commands import SharedCommand, shared_commands
from pyshelf.venv import dist_info, paths


def package_scripts(site_packages: Path, name: str) -> list[str]:
    """The command names package ``name`` (canonical) installed, sorted; none if it is not
    installed there or its ``RECORD`` cannot be read."""
    folder = dist_info.find(site_packages, name)
    return [] if folder is None else _scripts(folder, paths.bin_dir(paths.venv_of(site_packages)))


def _scripts(folder: Path, bin_dir: Path) -> list[str]:
    return sorted({path.name for path in dist_info.recorded_outside(folder)
                   if path.parent == bin_dir})


def shared_commands_in(venv: Path, explicit: Collection[str],
                       among: Collection[str] | None = None) -> list[SharedCommand]:
    """The commands two or more of the venv's packages (of ``among``, if given) installed.
    Each package's ``RECORD`` lists the ``bin`` file whichever package wrote it last, so
    a clash is found even though ``bin`` shows only one file; none for a venv that is gone."""
    site_packages = paths.site_packages(venv)
    if site_packages is None:
        return []
    installed = {dist_info.name_and_version(folder)[0]: folder
                 for folder in dist_info.folders(site_packages)}
    return shared_commands({name: _scripts(folder, paths.bin_dir(venv))
                            for name, folder in installed.items()
                            if among is None or name in among}, explicit)
