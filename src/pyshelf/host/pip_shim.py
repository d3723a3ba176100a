"""The ``pip`` every generation carries, so a ``pip install`` typed where the shelf's ``bin``
is on PATH becomes a tracked, undoable pyshelf change instead of an untracked one.

The shim is a small ``sh`` script written into ``gens/<N>/bin`` after uv has installed
everything (it replaces pip's own scripts if the shelf holds pip). It runs the pyshelf
launcher of the bin dir the generation was built for, else whichever ``pyshelf`` is on PATH,
with the shelf's home, so it always changes the shelf it belongs to.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from pyshelf.layout import launcher_path
from pyshelf.removal import remove
from pyshelf.venv import paths

MARKER = "# pyshelf: pip on the shelf goes through pyshelf"


def shim_text(home: Path, bin_dir: Path) -> str:
    launcher = shlex.quote(str(launcher_path(bin_dir)))
    return (f"#!/bin/sh\n{MARKER}, so every change is tracked and undoable.\n"
            f"launcher={launcher}\n"
            '[ -x "$launcher" ] || launcher=pyshelf\n'
            f'exec "$launcher" --home {shlex.quote(str(home))} pip "$@"\n')


def write_pip_shims(gen_dir: Path, home: Path, bin_dir: Path) -> None:
    """``pip``, ``pip3`` and ``pip3.X`` (X from the venv's own ``lib/python3.X``)."""
    names = ["pip", "pip3", *(f"pip{version}" for version in paths.python_versions(gen_dir))]
    text = shim_text(home, bin_dir).encode()
    for name in names:
        path = paths.script(gen_dir, name)
        remove(home, path)  # never write through a link into uv's cache
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755)  # less the umask
        try:
            os.write(fd, text)
        finally:
            os.close(fd)
