"""The two interpreters a run uses: setups start on the older, the rebuild moves to the newer.

Only the standard library is imported here, so a test can load this module alone to pick the
same interpreters the benchmark would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple


class Python(NamedTuple):
    version: tuple[int, int, int]
    path: Path

    @property
    def minor(self) -> str:
        return ".".join(map(str, self.version[:2]))

    @property
    def release(self) -> str:
        return ".".join(map(str, self.version))


def python_at(path: Path) -> Python | None:
    """The interpreter's version, when it is a CPython that starts."""
    probe = "import sys; print(sys.implementation.name, *sys.version_info[:3])"
    try:
        out = subprocess.run([str(path), "-c", probe], capture_output=True, text=True,
                             timeout=30, check=True).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(out) != 4 or out[0] != "cpython":
        return None
    return Python((int(out[1]), int(out[2]), int(out[3])), path)


def discover_pythons() -> list[Python]:
    """The newest CPython of each minor version in pyenv and on PATH, oldest first.

    pyenv's shims are skipped: which version a shim runs depends on the directory.
    """
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates = [version / "bin" / f"python3.{match[1]}"
                  for version in sorted(root.glob("3.*"))
                  if (match := re.fullmatch(r"3\.(\d+)\.\d+", version.name))]
    for minor in range(8, 40):
        found = shutil.which(f"python3.{minor}")
        if found and "/shims/" not in found:
            candidates.append(Path(found))
    newest: dict[tuple[int, int], Python] = {}
    for candidate in candidates:
        python = python_at(candidate) if candidate.exists() else None
        if python is None:
            continue
        current = newest.get(python.version[:2])
        if current is None or python.version > current.version:
            newest[python.version[:2]] = python
    return sorted(newest.values())


def choose_pythons(old: Path | None, new: Path | None) -> tuple[Python, Python | None,
                                                               list[Python]]:
    """OLD and NEW as given, else the two newest minor versions found; NEW may be missing."""
    found = discover_pythons()
    if old is None and not found:
        sys.exit("no CPython found in pyenv or on PATH; pass --python-old")
    chosen_old = python_at(old) if old else (found[-2] if len(found) > 1 else found[-1])
    if chosen_old is None:
        sys.exit(f"not a working CPython: {old}")
    if new:
        chosen_new = python_at(new)
        if chosen_new is None:
            sys.exit(f"not a working CPython: {new}")
    else:
        later = [p for p in found if p.version[:2] > chosen_old.version[:2]]
        chosen_new = later[-1] if later else None
    return chosen_old, chosen_new, found
