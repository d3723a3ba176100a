"""Local projects and wheel files given to ``install``: checked, named, and tracked.

A project's name comes from its built metadata (names and versions can be dynamic), so uv
builds it once here; a path that does not exist, a directory that is not a Python project,
or a project whose build fails is refused before anything changes.
"""

from __future__ import annotations

from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from pyshelf.core.model import IntentEntry, RequirementKind
from pyshelf.engine.processes import Engine
from pyshelf.errors import PyshelfError

PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def local_entry(engine: Engine, python: str, text: str, *, editable: bool,
                added_at: str) -> IntentEntry:
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
