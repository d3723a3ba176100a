"""Finding the interpreter a shelf is built on.

The path is kept as the person chose it, not resolved: when a distribution repoints
``/usr/bin/python3`` at a new version, the recorded path notices.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pyshelf.errors import UsageError


def find_python(requested: str) -> str:
    """An absolute path to ``requested``: a path, or a name looked up on PATH."""
    if os.sep in requested:
        candidate = Path(requested).expanduser().absolute()
        if not candidate.is_file():
            raise UsageError(f"There is no interpreter at {candidate}.")
        return str(candidate)
    found = shutil.which(requested)
    if not found:
        raise UsageError(f"'{requested}' was not found on PATH; give --python a path.")
    return str(Path(found).absolute())
