"""The commands a package put into its environment's ``bin``, read from its ``RECORD``.

``RECORD`` lists every file the installer wrote, console and GUI entry points as well as
plain scripts shipped in the wheel's data, so it answers "which commands does this package
give me" without importing anything or trusting ``bin`` to hold only one package's files.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from pyshelf.venv.drift import DIST_INFO, name_and_version


def package_scripts(site_packages: Path, name: str) -> list[str]:
    """The command names package ``name`` (canonical) installed, sorted; none if it is not
    installed there or its ``RECORD`` cannot be read."""
    bin_dir = Path(os.path.normpath(site_packages.parent.parent.parent / "bin"))
    for info in site_packages.glob(f"*{DIST_INFO}"):
        if name_and_version(info)[0] != name:
            continue
        try:
            with (info / "RECORD").open(newline="", encoding="utf-8") as record:
                paths = [row[0] for row in csv.reader(record) if row]
        except (OSError, UnicodeDecodeError, csv.Error):
            return []
        installed = (Path(os.path.normpath(site_packages / path)) for path in paths)
        found = {full.name for full in installed if full.parent == bin_dir}
        return sorted(found)
    return []
