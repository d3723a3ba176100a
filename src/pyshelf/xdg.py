"""The XDG base directories pyshelf reads: where the shelf's home and fish's config live,
and where pipx and uv tool keep what ``adopt`` moves over.

The base directory specification says a relative value is invalid and must be ignored, so
one is treated as unset: a shelf home or a shell config never depends on the folder a
command happened to start in.
"""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Literal

    Variable = Literal["XDG_DATA_HOME", "XDG_CONFIG_HOME"]

_DEFAULTS: dict[Variable, tuple[str, ...]] = {
    "XDG_DATA_HOME": (".local", "share"),
    "XDG_CONFIG_HOME": (".config",),
}


def base_dir(variable: Variable, environ: Mapping[str, str], home: Path) -> Path:
    """The variable's value when it is an absolute path, else the spec's default under
    ``home``."""
    value = environ.get(variable, "")
    if value and Path(value).is_absolute():
        return Path(value)
    return home.joinpath(*_DEFAULTS[variable])
