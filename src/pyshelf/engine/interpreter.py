"""Finding the interpreter a shelf is built on, and noticing when it changed under it.

The path is kept as the person chose it, not resolved: when a distribution repoints
``/usr/bin/python3`` at a new version, the generation's venv (whose ``bin/python`` links to
that path) silently runs the new one, and pyshelf notices by following that same link.

A launcher script such as a pyenv, asdf or mise shim is the exception. It picks a Python
anew each time it runs, from the folder it runs in (``.python-version``) or the
environment, so a shelf built on it would move to whatever Python a project folder selects.
The shelf keeps the interpreter the shim led to when it was chosen, which is also what uv
links the venv to.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pyshelf import ui
from pyshelf.core.model import Interpreter
from pyshelf.core.records import NamedTuple
from pyshelf.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Literal

    from pyshelf.engine.processes import InterpreterFacts


def find_python(requested: str) -> str:
    """An absolute path to ``requested``: a path, or a name looked up on PATH."""
    if os.sep in requested:
        candidate = Path(requested).expanduser().absolute()
        if not candidate.is_file():
            raise UsageError(f"There is no interpreter at {candidate}.")
        return str(candidate)
    import shutil

    found = shutil.which(requested)
    if not found:
        raise UsageError(f"'{requested}' was not found on PATH; give --python a path.")
    return str(Path(found).absolute())


def interpreter_to_keep(chosen: str, describe: Callable[[str], InterpreterFacts]) -> str:
    """The path a shelf keeps for the interpreter the person chose: ``chosen`` itself (a
    symlink such as ``/usr/bin/python3`` stays unresolved, so a distribution upgrade is
    followed), except a launcher script, for which it is the interpreter the script starts
    here and now. Only a script is started to find out."""
    if not is_launcher_script(chosen):
        return chosen
    executable = describe(chosen).executable
    ui.info(f"{chosen} is a launcher that picks a Python each time it runs (a version "
            f"manager's shim); the shelf is built on {executable}, the one it picks here, "
            "and stays on it in every folder.")
    return executable


def is_launcher_script(path: str) -> bool:
    """Whether ``path`` is a script (``#!``) standing in for an interpreter, as pyenv's shims
    are: an interpreter itself is a binary."""
    try:
        with Path(path).open("rb") as file:
            return file.read(2) == b"#!"
    except OSError:
        return False


def identity(python: str) -> str | None:
    """What a description of ``python`` depends on, read without starting it, as uv keys
    its own record of an interpreter: the executable file as it is now (a reinstall or an
    upgrade in place gives it another inode or change time), the kernel and the C library
    (markers and wheel tags name them), the home folder (the user site is under it) and
    the ``packaging`` that computes markers and tags. None for a launcher script, which
    picks another Python in another folder, and for a file that cannot be read: only
    starting those tells."""
    import json

    import packaging

    resolved = os.path.realpath(python)
    try:
        found = Path(resolved).stat()
    except OSError:
        return None
    if is_launcher_script(resolved):
        return None
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):  # not a GNU system
        libc = None
    return json.dumps([python, resolved, found.st_dev, found.st_ino, found.st_size,
                       found.st_mtime_ns, found.st_ctime_ns, list(os.uname()), libc,
                       str(Path("~").expanduser()), packaging.__version__])


if TYPE_CHECKING:
    InterpreterState = Literal["ok", "missing", "changed"]


class InterpreterCheck(NamedTuple):
    """The recorded interpreter of a generation against what its path leads to today."""

    recorded: Interpreter
    state: InterpreterState
    runs: str  # the interpreter the generation's python links to, e.g. /usr/bin/python3
    now_resolved: str | None = None
    now_minor: str | None = None  # "3.13", when the filesystem tells

    def describe(self) -> str:
        base = f"{self.runs} (Python {self.recorded.version})"
        if self.state == "missing":
            return f"{base}: missing"
        if self.state == "changed":
            return f"{base}: changed, it now leads to {self._now()}"
        return base

    def _now(self) -> str:
        version = f"Python {self.now_minor}" if self.now_minor else "another interpreter"
        return f"{version} ({self.now_resolved})"

    def warning(self) -> str | None:
        """The one warning every command prints while the shelf cannot run as built."""
        if self.state == "missing":
            return (f"The shelf's interpreter {self.runs} (Python "
                    f"{self.recorded.version}) is gone, so the shelf's python and apps do not "
                    "start; run `pyshelf rebuild --python PATH` with the Python you have now.")
        if self.state == "changed":
            return (f"The shelf was built on Python {self.recorded.version}, but "
                    f"{self.runs} now leads to {self._now()}, so the shelf's "
                    "packages do not load; run `pyshelf rebuild` to rebuild them for it.")
        return None


_VERSIONED_NAME = r"(?:python|pypy)(\d+\.\d+)"


def minor_version_of(executable: Path) -> str | None:
    """``3.13`` for an interpreter, from its files alone (no process is started): the
    versioned name it goes by (``python3.13``), else the one ``lib/pythonX.Y`` holding a
    standard library beside it."""
    names = [executable.name]
    if executable.name.startswith(("python", "pypy")):
        prefix_lib = executable.parent.parent / "lib"
        names += [p.parent.name for p in prefix_lib.glob("python3.*/os.py")]
    for name in names:
        match = re.fullmatch(_VERSIONED_NAME, name)
        if match:
            return match.group(1)
    return None


def _minor(version: str) -> tuple[int, ...]:
    from packaging.version import InvalidVersion, Version  # only when a version is compared

    try:
        return Version(version).release[:2]
    except InvalidVersion:
        return ()


def same_minor(a: str, b: str) -> bool:
    """``3.12.1`` and ``3.12.4`` share compiled packages; ``3.13.0`` does not. One version
    is its own minor: most changes stay on their interpreter, and asking packaging would
    cost them its import."""
    return (a == b and bool(a)) or (bool(_minor(a)) and _minor(a) == _minor(b))


def check_interpreter(recorded: Interpreter, venv_python: Path) -> InterpreterCheck:
    """Cheap enough for every command: a ``readlink``, a ``realpath`` and perhaps one small
    glob. What counts is where the generation's own python leads, not the recorded path: a
    shim's path leads nowhere until it runs, and the venv never runs it. A move to another
    build of the same minor version is fine (the packages still load); another minor
    version, or one that cannot be told, is not."""
    runs = venv_base(venv_python)
    if not venv_python.exists():
        return InterpreterCheck(recorded, "missing", runs)
    resolved = os.path.realpath(venv_python)
    if resolved == recorded.resolved:
        return InterpreterCheck(recorded, "ok", runs, resolved)
    minor = minor_version_of(Path(resolved))
    same = minor is not None and same_minor(minor, recorded.version)
    return InterpreterCheck(recorded, "ok" if same else "changed", runs, resolved, minor)


def venv_base(venv_python: Path) -> str:
    """What a venv's ``bin/python`` names: the interpreter it was made from (past any
    launcher script, as uv links it), or itself when it is a copy."""
    try:
        return str(venv_python.parent / venv_python.readlink())
    except OSError:
        return str(venv_python)
