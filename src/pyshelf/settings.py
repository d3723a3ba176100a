"""The shelf's settings: what they are, their defaults, and where each value came from.

Values live in the database's ``config`` table; a few can be overridden per process by
environment variables (a company mirror in CI, a test index), and ``source`` says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Source = Literal["default", "file", "environment"]

ENVIRONMENT_OVERRIDES: dict[str, str] = {"index_url": "PYSHELF_INDEX_URL"}
DEFAULTS: dict[str, str | None] = {
    "python": None,
    "bin_dir": None,
    "shell_config": None,
    "index_url": None,
    "keep_generations": "5",
}


@dataclass(frozen=True)
class Setting:
    value: str | None
    source: Source


def effective_settings(stored: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, Setting]:
    """Every known setting: environment beats the stored value, which beats the default."""
    result: dict[str, Setting] = {}
    for key, default in DEFAULTS.items():
        variable = ENVIRONMENT_OVERRIDES.get(key)
        if variable and environ.get(variable):
            result[key] = Setting(environ[variable], "environment")
        elif key in stored:
            result[key] = Setting(stored[key], "file")
        else:
            result[key] = Setting(default, "default")
    return result
