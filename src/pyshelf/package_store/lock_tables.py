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
    as uv wrote it (a TOML document of its own, ending in one newline).

    uv writes each table from its own ``[[packages]]`` line to the next, so the text is cut
    there and each piece is checked with the standard library's parser, which reads a
    48-package lock in a tenth of the time tomlkit's parse takes (7 ms against 70 ms of
    every fill); a text cut some other way is split by tomlkit as before."""
    from pyshelf.core.lockfile import load_toml

    try:
        packages = load_toml(text).get("packages")
    except ValueError as exc:
        raise PyshelfError("uv wrote a pylock.toml that pyshelf cannot read.",
                           detail=text) from exc
    if not isinstance(packages, list) or not packages:  # `packages = []`: nothing to split
        return {}
    return _cut(text, packages) or _split_by_tomlkit(text)


_HEADER = "[[packages]]\n"


def _cut(text: str, packages: list[object]) -> dict[str, str] | None:
    """The tables cut at their header lines, each read again on its own and found to be
    the package the whole text has there; None where any is not."""
    from packaging.utils import canonicalize_name

    from pyshelf.core.lockfile import load_toml

    starts = [at + 1 for at in _find_all(text, "\n" + _HEADER)]
    if len(starts) != len(packages):
        return None
    tables: dict[str, str] = {}
    for start, end, package in zip(starts, [*starts[1:], len(text)], packages,
                                   strict=True):
        table = text[start:end].rstrip("\n") + "\n"
        try:
            alone = load_toml(table)
        except ValueError:
            return None
        if alone != {"packages": [package]} or not isinstance(package, dict):
            return None
        tables[canonicalize_name(str(package["name"]))] = table
    return tables


def _find_all(text: str, part: str) -> list[int]:
    found, at = [], text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + 1)
    return found


def _split_by_tomlkit(text: str) -> dict[str, str]:
    import tomlkit
    from packaging.utils import canonicalize_name
    from tomlkit.items import AoT

    packages = tomlkit.parse(text).get("packages")
    if not isinstance(packages, AoT):
        return {}
    return {canonicalize_name(str(table["name"])):
            _HEADER + table.as_string().rstrip("\n") + "\n"
            for table in packages.body}


def ask_uv(engine: Engine, layout: Layout, python: str, packages: Sequence[LockedPackage],
           *, prefer_cache: bool, quiet: bool = True) -> str:
    """uv's pylock of ``packages`` (exact pins or direct references) for ``python``;
    without dependencies, since each table is the package's own."""
    from pyshelf.change.resolve import pylock

    return pylock(engine, layout, packages, python, label="lock-tables", no_deps=True,
                  prefer_cache=prefer_cache, quiet=quiet)


def described(engine: Engine, python: str, packages: Sequence[LockedPackage]
              ) -> dict[str, str]:
    """The tables of ``packages`` that an earlier ``--no-deps`` pylock of this process
    described (the look-up for source builds before the plan has asked about the packages
    the change brings: usually every one a fill installs); uv is not asked."""
    from pyshelf.core.lockfile import pin_line

    wanted = {package.name for package in packages}
    tables: dict[str, str] = {}
    for text in {engine.pylocks.get((python, pin_line(package))) for package in packages}:
        if text is not None:
            with contextlib.suppress(PyshelfError):
                tables.update((name, table) for name, table in split(text).items()
                              if name in wanted)
    return tables


def when_filled(engine: Engine, layout: Layout, python: str,
                packages: Sequence[LockedPackage], known: Mapping[str, str] | None = None
                ) -> dict[str, str]:
    """The tables of the packages a fill has just installed, for their entries; none where
    uv cannot give them (the lock then asks uv for them), since an entry is no less
    usable without one. uv is asked only about those neither ``known`` (tables the fill
    took from :func:`described` while uv installed) nor :func:`described` has now (a
    rebuild's prefill starts before the look-up for source builds has asked)."""
    wanted = {package.name for package in packages}
    tables = {name: table for name, table in (known or {}).items() if name in wanted}
    tables.update(described(engine, python,
                            [package for package in packages if package.name not in tables]))
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
