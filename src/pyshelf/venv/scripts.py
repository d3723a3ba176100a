"""The commands a package put into its environment's ``bin``, read from its ``RECORD``.

``RECORD`` lists every file the installer wrote, console and GUI entry points as well as
plain scripts shipped in the wheel's data, so it answers "which commands does this package
give me" without importing anything or trusting ``bin`` to hold only one package's files.
"""

from __future__ import annotations

from pathlib import Path

from pyshelf.venv import dist_info, paths


def package_scripts(site_packages: Path, name: str) -> list[str]:
    """The command names package ``name`` (canonical) installed, sorted; none if it is not
    installed there or its ``RECORD`` cannot be read."""
    folder = dist_info.find(site_packages, name)
    if folder is None:
        return []
    bin_dir = paths.bin_dir(paths.venv_of(site_packages))
    return sorted({path.name for path in dist_info.recorded_files(folder)
                   if path.parent == bin_dir})
