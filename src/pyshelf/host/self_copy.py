"""pyshelf's own copy under the shelf home, which the launcher runs.

pyshelf is pure Python, and so are its dependencies; only uv is a binary, and it does not
care which Python runs it. A copy of that code under ``<home>/app`` therefore runs with any
``python3`` of 3.10 or newer, so neither a Python upgrade (which breaks the venv pyshelf was
installed into) nor a broken shelf can take ``pyshelf`` away: it is what you need to repair
them. Each copy is complete before ``app/current`` is switched to it with one rename.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from pyshelf import __version__
from pyshelf.atomic import replace_symlink
from pyshelf.engine.processes import Engine, find_uv
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout, home_entries
from pyshelf.removal import is_own, real_folder, remove

# The import packages the copy holds: pyshelf and its pure-Python dependencies (tomli is
# only installed, and only needed, where Python is older than 3.11).
CODE = ("pyshelf", "packaging", "tomlkit", "tomli")
UV_IN_COPY = Path("bin") / "uv"


def copy_running(layout: Layout) -> Path:
    """A copy of the code this process runs, plus uv's binary; made current."""
    def fill(staging: Path) -> None:
        _copy_code({name: package_dir(name) for name in CODE}, staging)
        _link_or_copy(Path(find_uv()), staging / UV_IN_COPY)

    return _make_current(layout, fill)


def copy_from(engine: Engine, layout: Layout, python: str, source: str | None) -> Path:
    """A new copy installed by uv: pyshelf and its dependencies from the index, or the
    project or wheel at ``source`` alone, keeping the current copy's dependencies."""
    current = layout.app_current

    def fill(staging: Path) -> None:
        if source is None:
            engine.install_into(staging, python, ["pyshelf"])
            return
        engine.install_into(staging, python, [source], no_deps=True)
        _copy_code({name: current / name for name in CODE[1:]}, staging)
        _link_or_copy((current / UV_IN_COPY).resolve(), staging / UV_IN_COPY)

    return _make_current(layout, fill)


def _copy_code(packages: dict[str, Path | None], staging: Path) -> None:
    """Copy each import package that exists into the new copy, without bytecode caches."""
    for name, source in packages.items():
        if source is not None and source.is_dir():
            shutil.copytree(source, staging / name, ignore=shutil.ignore_patterns("__pycache__"))


def package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def copy_version(copy: Path) -> str | None:
    """The version of pyshelf in a copy, read from its source (it cannot be imported here)."""
    try:
        text = (copy / "pyshelf" / "__init__.py").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("__version__ = "):
            return line.partition("=")[2].strip().strip("\"'")
    return None


def is_current(layout: Layout) -> bool:
    """Whether the current copy holds this very version, with its uv."""
    copy = layout.app_current
    return copy_version(copy) == __version__ and (copy / UV_IN_COPY).is_file()


def _make_current(layout: Layout, fill: Callable[[Path], None]) -> Path:
    app = real_folder(layout.home, layout.app.name)  # refused when it is a symlink
    staging = app / f".new-{os.getpid()}"
    remove(layout.home, staging)
    try:
        fill(staging)
        runnable = (staging / "pyshelf" / "host" / "self_copy.py").is_file()
        if copy_version(staging) is None or not runnable:
            # e.g. another project of the same name on the index: never run it as pyshelf
            raise PyshelfError("What was installed is not a pyshelf that can run from its own "
                               "copy; nothing was changed.")
        final = app / f"{copy_version(staging)}-{time.time_ns()}"
        if not is_own(layout.home, final):
            raise PyshelfError(f"What was installed calls itself pyshelf "
                               f"{copy_version(staging)!r}, which is no version; nothing was "
                               "changed.")
        staging.rename(final)
    except BaseException:
        remove(layout.home, staging, ignore_errors=True)
        raise
    previous = layout.app_current.resolve().name if layout.app_current.is_symlink() else None
    replace_symlink(layout.app_current, final.name)
    _prune(layout, keep={final.name, *([previous] if previous else [])})
    return final


def _prune(layout: Layout, keep: Iterable[str]) -> None:
    """Copies older than the previous one go (a pyshelf still running from the previous
    copy may yet import from it). Only pyshelf's own copies: a folder named as a copy is
    named and holding pyshelf; anything else in ``app/`` was put there by someone else."""
    for entry in home_entries(layout.app):
        if entry.name not in keep and _is_copy(layout, entry):
            remove(layout.home, entry)


def _is_copy(layout: Layout, entry: Path) -> bool:
    return (is_own(layout.home, entry) and not entry.name.startswith(".")
            and entry.is_dir() and not entry.is_symlink()
            and copy_version(entry) is not None)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link costs nothing; across filesystems uv's binary is copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
