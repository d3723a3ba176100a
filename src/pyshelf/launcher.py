"""The ``pyshelf`` command in the bin dir, so pyshelf is reachable wherever the shelf is.

The launcher runs the interpreter pyshelf itself was installed with, in isolated mode, so
neither ``PYTHONPATH`` nor the shelf's own packages can break pyshelf. A ``pyshelf`` placed in
the bin dir by another installer (pipx, ``pip --user``) is left alone.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Literal

from pyshelf.errors import PyshelfError

MARKER = "# pyshelf launcher"

LauncherResult = Literal["written", "unchanged", "foreign"]


def launcher_text(python: str) -> str:
    return (
        "#!/bin/sh\n"
        f"{MARKER}: written by `pyshelf init`; runs pyshelf with the Python it was installed"
        " with.\n"
        f'exec {shlex.quote(python)} -I -m pyshelf "$@"\n'
    )


def write_launcher(bin_dir: Path) -> LauncherResult:
    path = bin_dir / "pyshelf"
    wanted = launcher_text(sys.executable)
    try:
        if path.is_symlink() or path.exists():
            current = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
            if MARKER not in current:
                return "foreign"
            if current == wanted:
                return "unchanged"
        bin_dir.mkdir(parents=True, exist_ok=True)
        staging = bin_dir / f".pyshelf.{os.getpid()}"
        staging.write_text(wanted, encoding="utf-8")
        staging.chmod(0o755 & ~_umask())
        staging.replace(path)
    except OSError as exc:
        raise PyshelfError(
            f"Could not write the pyshelf launcher {path} ({exc.strerror}); "
            "choose another --bin-dir."
        ) from exc
    return "written"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
