"""The standard library's TOML parser, or its backport where the standard library has none."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # a dependency of pyshelf itself on these versions
    import tomli as tomllib

__all__ = ["tomllib"]
