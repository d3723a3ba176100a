"""The ``pip`` every generation carries, so a ``pip install`` typed where the shelf's ``bin``
is on PATH becomes a tracked, undoable pyshelf change instead of an untracked one.

The shim is a small ``sh`` script written into ``gens/<N>/bin`` after uv has installed
everything (it replaces pip's own scripts if the shelf holds pip). It runs the pyshelf
launcher of the bin dir the generation was built for, else whichever ``pyshelf`` is on PATH,
with the shelf's home, so it always changes the shelf it belongs to.

``python -m pip`` (the form pip's own documentation recommends) must not get around it: the
generation's site-packages gets a ``pip/__main__.py`` that execs the same shim. Without a
real pip on the shelf it sits in a ``pip`` package of its own, with no ``.dist-info``, so
nothing reads it as an installed distribution (the drift check, ``list`` and ``deps`` read
dist-info only). With a real pip on the shelf (asked for, or a dependency) only pip's
``__main__`` is replaced, as its scripts are: ``import pip`` stays the real pip for the
packages that use it as a library, and nothing pip runs as a command writes behind
pyshelf's back.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from pyshelf.layout import launcher_path
from pyshelf.removal import remove
from pyshelf.venv import paths

MARKER = "# pyshelf: pip on the shelf goes through pyshelf"
# What the person typed to reach the shim ("pip3", "python3 -m pip"), so the history can show
# it instead of the ``pyshelf --home ... pip`` the shim runs.
TYPED_AS = "PYSHELF_PIP_AS"

_STAND_IN_INIT = '''"""pyshelf's stand-in for pip, so ``python -m pip`` runs the shelf's pip."""
'''

_STAND_IN_MAIN = f'''"""``python -m pip`` on the shelf: the shelf's pip, as ``pip`` typed in a shell
is, so a change is planned, recorded and undoable. Written by pyshelf."""

import os
import sys
import sysconfig

orig = getattr(sys, "orig_argv", None)  # Python 3.10 and later
typed = orig[:len(orig) - len(sys.argv) + 1] if orig else [sys.executable, "-m", "pip"]
os.environ[{TYPED_AS!r}] = " ".join([os.path.basename(typed[0]), *typed[1:]])
shim = os.path.join(sysconfig.get_path("scripts"), "pip")
os.execv(shim, [shim, *sys.argv[1:]])
'''


def shim_text(home: Path, bin_dir: Path) -> str:
    launcher = shlex.quote(str(launcher_path(bin_dir)))
    return (f"#!/bin/sh\n{MARKER}, so every change is tracked and undoable.\n"
            f"launcher={launcher}\n"
            '[ -x "$launcher" ] || launcher=pyshelf\n'
            f': "${{{TYPED_AS}:=${{0##*/}}}}"\n'
            f"export {TYPED_AS}\n"
            f'exec "$launcher" --home {shlex.quote(str(home))} pip "$@"\n')


def write_pip_shims(gen_dir: Path, home: Path, bin_dir: Path, *,
                    system_pip: bool = False) -> None:
    """``pip``, ``pip3`` and ``pip3.X`` (X from the venv's own ``lib/python3.X``), and the
    ``pip`` that ``python -m pip`` finds. ``system_pip``: the generation sees a pip of the
    system's, which a stand-in package would hide from the packages that import it, so
    ``python -m pip`` is left to that pip."""
    names = ["pip3", *(f"pip{version}" for version in paths.python_versions(gen_dir))]
    _write_new(home, paths.script(gen_dir, "pip"), shim_text(home, bin_dir), 0o755)
    for name in names:  # links: the shim reads the name it was called by from $0
        remove(home, paths.script(gen_dir, name))
        paths.script(gen_dir, name).symlink_to("pip")
    site_packages = paths.site_packages(gen_dir)
    if site_packages is None:
        return
    from pyshelf.package_store.compose import split_linked_folder  # only builds need it

    package = site_packages / "pip"
    split_linked_folder(package)  # a real pip's, in the store: never written into
    if not (package / "__init__.py").exists():  # no real pip to keep importable
        if system_pip:
            return
        package.mkdir(exist_ok=True)
        _write_new(home, package / "__init__.py", _STAND_IN_INIT, 0o644)
    _write_new(home, package / "__main__.py", _STAND_IN_MAIN, 0o644)


def _write_new(home: Path, path: Path, text: str, mode: int) -> None:
    """Replace ``path`` by a new file: removed first, so nothing is ever written through a
    hard link into uv's cache; ``mode`` is less the umask."""
    remove(home, path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
