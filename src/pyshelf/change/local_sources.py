"""Local projects and wheel files given to ``install``: checked, named, and tracked.

A project's name comes from its built metadata (names and versions can be dynamic), so uv
builds it once here; a path that does not exist, a directory that is not a Python project,
or a project whose build fails is refused before anything changes. A source that went away
later (a project folder moved or deleted, a wheel file deleted) is noticed here before uv
runs, because uv reports it only as a failed resolution that names no package.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf.core.model import PATH_KINDS, IntentEntry
from pyshelf.engine.processes import Engine
from pyshelf.errors import PyshelfError

if TYPE_CHECKING:
    from pyshelf.core.model import RequirementKind

PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def local_entry(engine: Engine, python: str, text: str, *, editable: bool,
                added_at: str) -> IntentEntry:
    from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

    path = Path(text).expanduser().resolve()
    if not path.exists():
        raise PyshelfError(f"There is no file or directory at {path}.")
    if path.is_dir():
        if not any((path / name).is_file() for name in PROJECT_FILES):
            raise PyshelfError(
                f"{path} is not a Python project: it has no pyproject.toml, setup.py or "
                "setup.cfg."
            )
        name = canonicalize_name(engine.project_name(path, python))
        kind: RequirementKind = "editable" if editable else "local"
    elif editable:
        raise PyshelfError(f"{path} is a file; an editable install needs a project directory.")
    elif path.suffix == ".whl":
        try:
            name = canonicalize_name(parse_wheel_filename(path.name)[0])
        except InvalidWheelFilename as exc:
            raise PyshelfError(f"{path.name} is not a valid wheel file name ({exc}).") from exc
        kind = "wheel"
    else:
        raise PyshelfError(
            f"{path} is neither a project directory nor a wheel file; build a wheel from it "
            "or give the project's directory."
        )
    return IntentEntry(name=name, spec=f"{name} @ {path.as_uri()}", kind=kind,
                       source_path=str(path), added_at=added_at)


def gone_sources(intent: Iterable[IntentEntry]) -> list[IntentEntry]:
    """The entries whose project folder or wheel file is no longer there: one ``stat``
    each, so every change can afford to ask before it hands the intent to uv."""
    return [entry for entry in intent
            if entry.kind in PATH_KINDS and entry.source_path
            and not Path(entry.source_path).exists()]


def what_is_gone(entry: IntentEntry) -> str:
    """The source an entry names, in words: "the project folder /src/tool of tool"."""
    what = "wheel file" if entry.kind == "wheel" else "project folder"
    return f"the {what} {entry.source_path} of {entry.name}"


def gone_sentence(entry: IntentEntry) -> str:
    """Why a change cannot go ahead while ``entry``'s source is gone, and the two ways on:
    taking it off the shelf, or installing it again from where it is now."""
    again = "install -e NEWPATH" if entry.kind == "editable" else "install NEWPATH"
    gone = what_is_gone(entry)
    return (f"{gone[0].upper()}{gone[1:]} is gone; `pyshelf remove {entry.name}` takes it off "
            f"the shelf, or `pyshelf {again}` installs it from where it is now.")


def refuse_gone_sources(intent: Iterable[IntentEntry]) -> None:
    """Stop a change whose intent still needs a source that is gone, naming each one."""
    gone = gone_sources(intent)
    if gone:
        raise PyshelfError("\n".join(gone_sentence(entry) for entry in gone))
