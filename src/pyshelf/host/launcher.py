"""The ``pyshelf`` command in the bin dir, so pyshelf is reachable wherever the shelf is.

The launcher runs pyshelf's own copy under the shelf home (``host/self_copy.py``) with the first
``python3`` on PATH outside the shelf, in isolated mode: a Python upgrade, ``PYTHONPATH``, or
a broken shelf cannot stop pyshelf from starting, and pyshelf is what repairs them. Only
absolute PATH entries are searched: an empty or relative entry such as ``.`` names whatever
folder the person happens to be in, and a ``python3`` planted there must never run. A
``pyshelf`` placed in the bin dir by another installer (pipx, ``pip --user``) is left alone.
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

# Runs in whichever python3 was found: refuses one too old to run pyshelf, then runs the
# copy named by the first argument.
_BOOTSTRAP = (
    "import sys\n"
    "if sys.version_info < (3, 10):\n"
    "    sys.exit('pyshelf needs Python 3.10 or newer; ' + sys.executable + ' is '"
    " + sys.version.split()[0] + '.')\n"
    "sys.path[:0] = [sys.argv.pop(1)]\n"
    "from pyshelf.cli import main\n"
    "sys.exit(main())\n"
)


def launcher_text(layout: Layout) -> str:
    app = shlex.quote(str(layout.app_current))
    return (
        "#!/bin/sh\n"
        f"{MARKER}: written by `pyshelf init`; runs pyshelf's own copy in {layout.app_current}"
        "\n# with the first python3 in an absolute PATH entry outside the shelf (3.10 or"
        " newer).\n"
        f"app={app}\n"
        f"shelf_bin={shlex.quote(str(layout.env_bin))}\n"
        f'PYSHELF_UV="${{PYSHELF_UV:-$app/{UV_IN_COPY}}}"\n'
        "export PYSHELF_UV\n"
        "set -f\n"
        "IFS=:\n"
        "for dir in $PATH; do\n"
        # Only absolute entries (see the module's docstring).
        '  case "$dir" in /*) ;; *) continue ;; esac\n'
        '  if [ "$dir" != "$shelf_bin" ] && [ -x "$dir/python3" ]; then\n'
        "    unset IFS\n"
        f'    exec "$dir/python3" -I -c {shlex.quote(_BOOTSTRAP)} "$app" "$@"\n'
        "  fi\n"
        "done\n"
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
