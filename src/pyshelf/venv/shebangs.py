"""The interpreter lines a venv's scripts begin with, as uv writes them and as pyshelf does.

uv names the absolute path of the python it installed for: a plain ``#!`` line, or, for a
path with a space or longer than a ``#!`` line may be, a ``/bin/sh`` line that execs it.
A store entry's scripts serve every generation, so pyshelf gives them
:data:`RELOCATABLE_HEADER` instead: ``sh`` runs the ``python`` beside the script as it was
called, following links to it (the bin dir's app links, a link a person made) only until it
reaches a venv's ``bin`` (a ``pyvenv.cfg`` beside it: a folder such as ``~/.local/bin`` may
well hold some other ``python``). It never resolves the link into the store, which is no
venv; ``$0`` is the path the script was started by, so ``gens/N/bin/black`` runs
``gens/N``'s python and ``env/bin/black`` the current one's.
"""

from __future__ import annotations

import os
from pathlib import Path

_SHEBANG_LIMIT = 127  # what a #! line may hold on every system uv supports

RELOCATABLE_HEADER = (
    b"#!/bin/sh\n"
    b"'''exec' \"$(p=$0; for _ in 1 2 3 4 5 6 7 8; do case $p in */*) ;; *) p=./$p ;; esac;"
    b" [ -f \"${p%/*}/../pyvenv.cfg\" ] || [ ! -L \"$p\" ] && break; l=$(readlink \"$p\");"
    b" case $l in /*) p=$l ;; *) p=${p%/*}/$l ;; esac; done; printf %s \"${p%/*}\")/python\""
    b" \"$0\" \"$@\"\n"
    b"' '''\n"
)


def shebang(python: Path) -> bytes:
    """The interpreter line(s) of a script run by ``python``, as uv writes them: a plain
    ``#!`` where the kernel can read it, else a ``/bin/sh`` line that execs the python
    (a path with a space, or longer than a ``#!`` line may be)."""
    plain, through_sh = shebangs(python)
    fits = len(plain) <= _SHEBANG_LIMIT + 1 and b" " not in plain
    return plain if fits else through_sh


def shebangs(python: Path) -> tuple[bytes, bytes]:
    """Both forms of the interpreter line(s) naming ``python`` that uv may have written:
    ``#!`` alone, and through ``/bin/sh``."""
    text = str(python)
    quoted = "'" + text.replace("'", "'\"'\"'") + "'"
    return (os.fsencode(f"#!{text}\n"),
            os.fsencode(f"#!/bin/sh\n'''exec' {quoted} \"$0\" \"$@\"\n' '''\n"))
