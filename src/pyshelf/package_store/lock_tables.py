"""Each store entry's table of the PEP 751 lock, kept with the entry.

A package's ``[[packages]]`` table in uv's pylock (name, version, index, its files with
their URLs, hashes and sizes; a direct reference's source) depends only on what the entry's
key already fixes, so it is asked of uv once, when the entry is filled: one ``uv pip compile
--no-deps --format pylock.toml`` of the packages being filled, from uv's cache first, which
the fill has just used, unless the look-up for source builds has just asked uv the same
about them. Its tables are written into the entries before they are frozen and
named, so a killed fill never leaves an entry with half a table. A generation's lock is
then put together from its entries' tables (:mod:`pyshelf.core.pylock`); entries filled
before tables were kept have none, and get theirs from one uv run for just those.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pyshelf.errors import PyshelfError

if TYPE_CHECKING:
    from pyshelf.core.model import LockedPackage
    from pyshelf.engine.processes import Engine
    from pyshelf.layout import Layout
    from pyshelf.package_store.entries import StoreEntry

TABLE_FILE = "pyshelf-pylock.toml"


def split(text: str) -> dict[str, str]:
    """canonical name -> the ``[[packages]]`` table of each package of uv's pylock ``text``,
    as uv wrote it (a TOML document of its own, ending in one newline)."""
    import tomlkit
    from packaging.utils import canonicalize_name
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import AoT

    try:
        packages = tomlkit.parse(text).get("packages")
    except TOMLKitError as exc:
        raise PyshelfError("uv wrote a pylock.toml that pyshelf cannot read.",
                           detail=text) from exc
    if not isinstance(packages, AoT):  # `packages = []`: nothing to split
        return {}
    return {canonicalize_name(str(table["name"])):
            "[[packages]]\n" + table.as_string().rstrip("\n") + "\n"
            for table in packages.body}


def ask_uv(engine: Engine, layout: Layout, python: str, packages: Sequence[LockedPackage],
           *, prefer_cache: bool, quiet: bool = True) -> str:
    """uv's pylock of ``packages`` (exact pins or direct references) for ``python``;
    without dependencies, since each table is the package's own."""
    from pyshelf.change.resolve import pylock

    return pylock(engine, layout, packages, python, label="lock-tables", no_deps=True,
                  prefer_cache=prefer_cache, quiet=quiet)


def when_filled(engine: Engine, layout: Layout, python: str,
                packages: Sequence[LockedPackage]) -> dict[str, str]:
    """The tables of the packages a fill has just installed, for their entries; none where
    uv cannot give them (the lock then asks uv for them), since an entry is no less
    usable without one. uv is asked only about those no earlier ``--no-deps`` pylock of
    this process described (the look-up for source builds before the plan has asked
    about the packages the change brings: usually every one the fill installs)."""
    from pyshelf.core.lockfile import pin_line

    wanted = {package.name for package in packages}
    tables: dict[str, str] = {}
    for text in {engine.pylocks.get((python, pin_line(package))) for package in packages}:
        if text is not None:
            with contextlib.suppress(PyshelfError):
                tables.update((name, table) for name, table in split(text).items()
                              if name in wanted)
    rest = [package for package in packages if package.name not in tables]
    if rest:
        with contextlib.suppress(PyshelfError):
            tables.update(split(ask_uv(engine, layout, python, rest, prefer_cache=True)))
    return tables


def kept_tables(entries: Mapping[str, StoreEntry]) -> dict[str, str]:
    """name -> the table kept with each of ``entries`` that has one."""
    found = {}
    for name, entry in entries.items():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            found[name] = (entry.path / TABLE_FILE).read_text(encoding="utf-8")
    return found
