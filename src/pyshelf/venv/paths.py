"""Where things are inside one venv: its ``bin``, its python, a command, its site-packages.

Generations, isolated apps' environments, ``pyshelf run``'s environments and a tool's venv
found by ``adopt`` are all venvs of the same shape, so their paths are built here and
nowhere else: a venv laid out differently (Windows' ``Scripts``, say) is then one module's
change.
"""

from __future__ import annotations

import os
from pathlib import Path

BIN = "bin"
# What a composed venv is made of (package_store.compose writes it; drift and gc read it).
COMPOSITION_FILE = "pyshelf-composition.json"


def bin_dir(venv: Path) -> Path:
    return venv / BIN


def python(venv: Path) -> Path:
    """The venv's interpreter: what uv is told to install into and pip is pointed at."""
    return script(venv, "python")


def script(venv: Path, name: str) -> Path:
    """A command installed into the venv."""
    return bin_dir(venv) / name


def site_packages(venv: Path) -> Path | None:
    """``lib/pythonX.Y/site-packages`` (or PyPy's equivalent); None where there is none,
    such as a generation no longer on disk."""
    return next(iter(sorted(venv.glob("lib/*/site-packages"))), None)


def venv_of(site_packages_dir: Path) -> Path:
    """The prefix a ``lib/pythonX.Y/site-packages`` belongs to: a venv, or ``~/.local`` for
    a user site, whose commands are in its ``bin`` alike."""
    return Path(os.path.normpath(site_packages_dir.parent.parent.parent))


def venv_of_script(path: Path) -> Path | None:
    """The venv whose ``bin`` holds ``path``, or None when ``path`` is in no ``bin``."""
    return path.parent.parent if path.parent.name == BIN else None


def python_versions(venv: Path) -> list[str]:
    """The ``3.X`` of each ``lib/python3.X`` the venv holds (one, for a venv uv made)."""
    return sorted(lib.name.removeprefix("python") for lib in (venv / "lib").glob("python3.*"))
