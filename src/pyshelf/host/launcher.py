"""The ``pyshelf`` command in the bin dir, so pyshelf is reachable wherever the shelf is.

The launcher runs pyshelf's own copy under the shelf home (``host/self_copy.py``) with the
interpreter that ran pyshelf when it wrote the launcher (``init``, ``self update``), while
that is still there, else with the first ``python3`` on PATH outside the shelf that is new
enough. Recorded, not searched for: the first ``python3`` on PATH is often a pyenv, asdf or
mise shim, a shell script that costs every command more (60 ms, starting ``pyenv exec``)
than all of ``pyshelf list``. What is recorded is a real executable: the interpreter itself
(past a venv's link to it, since the venv may go), never a launcher script or anything
inside the home. Either runs in isolated mode: a Python upgrade,
``PYTHONPATH``, an activated venv of an old Python, or a broken shelf cannot stop pyshelf
from starting, and pyshelf is what repairs them. Without ``site`` too (``-S``): the copy holds
everything pyshelf imports beyond the standard library, so the interpreter's site-packages
and their ``.pth`` files (a distribution's ``sitecustomize``, 5 ms of Debian's python3
starting) are nothing pyshelf needs. Only absolute PATH entries are searched: an
empty or relative entry such as ``.`` names whatever folder the person happens to be in, and
a ``python3`` planted there must never run. A ``pyshelf`` placed in the bin dir by another
installer (pipx, ``pip --user``) is left alone.

Telling an interpreter's version takes starting it, so no candidate is probed in advance
(that would cost every command a Python start): the first one runs the bootstrap, and one
too old adds itself to ``PYSHELF_TOO_OLD`` and starts the launcher again, which passes over
the interpreters named there.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Literal

from pyshelf.atomic import replace_file
from pyshelf.engine.interpreter import is_launcher_script
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout, launcher_path

MARKER = "# pyshelf launcher"

LauncherResult = Literal["written", "unchanged", "foreign"]

TOO_OLD = "PYSHELF_TOO_OLD"

# Runs in whichever python3 was found, with the launcher, that python3 and the copy as its
# first arguments. Written for any Python 3, since an old one must get as far as handing
# over to the launcher again.
_BOOTSTRAP = (
    "import os, sys\n"
    "launcher, me, app = sys.argv[1:4]\n"
    "if sys.version_info < (3, 10):\n"
    f'    os.environ["{TOO_OLD}"] = os.environ.get("{TOO_OLD}", "") + ":" + me\n'
    '    os.execv("/bin/sh", ["/bin/sh", launcher] + sys.argv[4:])\n'
    f'os.environ.pop("{TOO_OLD}", None)\n'
    "del sys.argv[1:4]\n"
    "sys.path[:0] = [app]\n"
    "from pyshelf.cli import main\n"
    "sys.exit(main())\n"
)


def running_interpreter(layout: Layout) -> str | None:
    """The interpreter running pyshelf, for the launcher to record: the one a venv's links
    lead to rather than the venv's (which may be deleted), and None for a launcher script
    or an interpreter inside the home (a generation is collected)."""
    python = os.path.realpath(sys.executable) if sys.prefix != sys.base_prefix else sys.executable
    if not Path(python).is_absolute() or is_launcher_script(python):
        return None
    if Path(os.path.realpath(python)).is_relative_to(os.path.realpath(layout.home)):
        return None
    return python


def launcher_text(layout: Layout, python: str | None) -> str:
    """The launcher, trying ``python`` (the recorded interpreter) first when there is one."""
    from pyshelf.host.self_copy import UV_IN_COPY  # brings the engine: only when written

    app = shlex.quote(str(layout.app_current))
    recorded = (
        f"python={shlex.quote(python)}\n"
        f'case ":${{{TOO_OLD}-}}:" in *":$python:"*) ;; *)\n'
        '  if [ -x "$python" ]; then run "$python" "$@"; fi ;;\n'
        "esac\n"
    ) if python else ""
    first = f"# with {python} while it is there, else\n" if python else ""
    return (
        "#!/bin/sh\n"
        f"{MARKER}: written by `pyshelf init`; runs pyshelf's own copy in {layout.app_current}"
        f"\n{first}# with the first python3 (3.10 or newer) in an absolute PATH entry outside"
        " the shelf.\n"
        f"app={app}\n"
        f"shelf_bin={shlex.quote(str(layout.env_bin))}\n"
        f'PYSHELF_UV="${{PYSHELF_UV:-$app/{UV_IN_COPY}}}"\n'
        "export PYSHELF_UV\n"
        "set -f\n"
        "run() {\n"
        '  python=$1\n'
        "  shift\n"
        "  unset IFS\n"
        f'  exec "$python" -I -S -c {shlex.quote(_BOOTSTRAP)} "$0" "$python" "$app" "$@"\n'
        "}\n"
        f"{recorded}"
        "IFS=:\n"
        "for dir in $PATH; do\n"
        # Only absolute entries (see the module's docstring), and none found too old.
        '  case "$dir" in /*) ;; *) continue ;; esac\n'
        f'  case ":${{{TOO_OLD}-}}:" in *":$dir/python3:"*) continue ;; esac\n'
        '  if [ "$dir" != "$shelf_bin" ] && [ -x "$dir/python3" ]; then\n'
        '    run "$dir/python3" "$@"\n'
        "  fi\n"
        "done\n"
        f'if [ -n "${{{TOO_OLD}-}}" ]; then\n'
        "  old=\n"
        f"  for python in ${{{TOO_OLD}#:}}; do old=\"${{old:+$old, }}$python\"; done\n"
        '  echo "pyshelf needs Python 3.10 or newer; every python3 on PATH is older: $old" >&2\n'
        "  exit 1\n"
        "fi\n"
        'echo "pyshelf: no python3 found on PATH" >&2\n'
        "exit 127\n"
    )


def write_launcher(bin_dir: Path, layout: Layout) -> LauncherResult:
    path = launcher_path(bin_dir)
    wanted = launcher_text(layout, running_interpreter(layout))
    try:
        if path.is_symlink() or path.exists():
            current = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
            if MARKER not in current:
                return "foreign"
            if current == wanted:
                return "unchanged"
        bin_dir.mkdir(parents=True, exist_ok=True)
        replace_file(path, wanted.encode(), 0o755 & ~_umask())
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
