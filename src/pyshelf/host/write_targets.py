"""What stands in the way of writing at a path, found out before anything is written.

A setting that something outside the home follows (the shell block, the launcher) is
checked against its new place before the old place is touched: finding out halfway that the
new place cannot take the file would leave new shells without the shelf. These are the
questions both checks ask of the file system; each caller words the answer for its file.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

# The one wording of a symlink loop, whichever check meets it (to complete "<path> ...").
LOOP_WORDS = "leads into a symlink loop (links that point at each other)"


def nearest_existing(path: Path) -> Path:
    """``path``, or its closest ancestor that exists as anything (a broken link too): where
    creating ``path`` with its missing folders has to begin, and so what must be writable."""
    while not os.path.lexists(path) and path != path.parent:
        path = path.parent
    return path


def dead_end(path: Path) -> str | None:
    """Why following the symlink ``path`` reaches nothing (to complete "``path`` ..."), or
    None when it is no such link. Opening or making a folder through either fails."""
    try:
        path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return f"is a symlink to {path.readlink()}, which does not exist"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return LOOP_WORDS
    return None
