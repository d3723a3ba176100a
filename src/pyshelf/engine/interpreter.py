"""Finding the interpreter a shelf is built on, and noticing when it changed under it.

The path is kept as the person chose it, not resolved: when a distribution repoints
``/usr/bin/python3`` at a new version, the generation's venv (whose ``bin/python`` links to
that path) silently runs the new one, and the recorded path is how pyshelf notices.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.version import InvalidVersion, Version

from pyshelf.core.model import Interpreter
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


InterpreterState = Literal["ok", "missing", "changed"]


@dataclass(frozen=True)
class InterpreterCheck:
    """The recorded interpreter of a generation against what its path leads to today."""

    recorded: Interpreter
    state: InterpreterState
    now_resolved: str | None = None
    now_minor: str | None = None  # "3.13", when the filesystem tells

    def describe(self) -> str:
        base = f"{self.recorded.path} (Python {self.recorded.version})"
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
            return (f"The shelf's interpreter {self.recorded.path} (Python "
                    f"{self.recorded.version}) is gone, so the shelf's python and apps do not "
                    "start; run `pyshelf rebuild --python PATH` with the Python you have now.")
        if self.state == "changed":
            return (f"The shelf was built on Python {self.recorded.version}, but "
                    f"{self.recorded.path} now leads to {self._now()}, so the shelf's "
                    "packages do not load; run `pyshelf rebuild` to rebuild them for it.")
        return None


_VERSIONED_NAME = re.compile(r"(?:python|pypy)(\d+\.\d+)")


def minor_version_of(executable: Path) -> str | None:
    """``3.13`` for an interpreter, from its files alone (no process is started): the
    versioned name it goes by (``python3.13``), else the one ``lib/pythonX.Y`` holding a
    standard library beside it."""
    names = [executable.name]
    if executable.name.startswith(("python", "pypy")):
        prefix_lib = executable.parent.parent / "lib"
        names += [p.parent.name for p in prefix_lib.glob("python3.*/os.py")]
    for name in names:
        match = _VERSIONED_NAME.fullmatch(name)
        if match:
            return match.group(1)
    return None


def _minor(version: str) -> tuple[int, ...]:
    try:
        return Version(version).release[:2]
    except InvalidVersion:
        return ()


def same_minor(a: str, b: str) -> bool:
    """``3.12.1`` and ``3.12.4`` share compiled packages; ``3.13.0`` does not."""
    return bool(_minor(a)) and _minor(a) == _minor(b)


def check_interpreter(recorded: Interpreter, venv_python: Path) -> InterpreterCheck:
    """Cheap enough for every command: an ``access``, a ``realpath`` and perhaps one small
    glob. A move to another build of the same minor version is fine (the packages still
    load); another minor version, or one that cannot be told, is not."""
    if not os.access(recorded.path, os.X_OK) or not venv_python.exists():
        return InterpreterCheck(recorded, "missing")
    resolved = os.path.realpath(recorded.path)
    if resolved == recorded.resolved:
        return InterpreterCheck(recorded, "ok", resolved, None)
    minor = minor_version_of(Path(resolved))
    same = minor is not None and same_minor(minor, recorded.version)
    return InterpreterCheck(recorded, "ok" if same else "changed", resolved, minor)
