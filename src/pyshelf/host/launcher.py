"""The ``pyshelf`` command in the bin dir, so pyshelf is reachable wherever the shelf is.

The launcher runs pyshelf's own copy under the shelf home (``host/self_copy.py``) with the first
``python3`` on PATH outside the shelf that is new enough, in isolated mode: a Python upgrade,
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
from pathlib import Path
from typing import Literal

from pyshelf.atomic import replace_file
from pyshelf.errors import PyshelfError
from pyshelf.host.self_copy import UV_IN_COPY
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


def launcher_text(layout: Layout) -> str:
    app = shlex.quote(str(layout.app_current))
    return (
        "#!/bin/sh\n"
        f"{MARKER}: written by `pyshelf init`; runs pyshelf's own copy in {layout.app_current}"
        "\n# with the first python3 (3.10 or newer) in an absolute PATH entry outside the"
        " shelf.\n"
        f"app={app}\n"
        f"shelf_bin={shlex.quote(str(layout.env_bin))}\n"
        f'PYSHELF_UV="${{PYSHELF_UV:-$app/{UV_IN_COPY}}}"\n'
        "export PYSHELF_UV\n"
        "set -f\n"
        "IFS=:\n"
        "for dir in $PATH; do\n"
        # Only absolute entries (see the module's docstring), and none found too old.
        '  case "$dir" in /*) ;; *) continue ;; esac\n'
        f'  case ":${{{TOO_OLD}-}}:" in *":$dir/python3:"*) continue ;; esac\n'
        '  if [ "$dir" != "$shelf_bin" ] && [ -x "$dir/python3" ]; then\n'
        "    unset IFS\n"
        f'    exec "$dir/python3" -I -S -c {shlex.quote(_BOOTSTRAP)} "$0" "$dir/python3" "$app"'
        ' "$@"\n'
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
    wanted = launcher_text(layout)
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
