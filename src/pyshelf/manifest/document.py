"""``shelf.toml`` as a document: read with the line and column of any mistake, and changed
in place so that the person's comments, order and formatting stay as they wrote them.

tomlkit keeps every byte it parsed, so a document that is read and written back unchanged
is the same file; an edit touches only the values that change. What the values mean is
``core.manifest``'s business; this module only turns text into values and back.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import AoT, Array, InlineTable, Item, Table
from tomlkit.toml_document import TOMLDocument

from pyshelf.core.manifest import (
    SETTING_KEYS,
    Manifest,
    ManifestEntry,
    ManifestProblem,
    Place,
    RequirementForms,
    read_manifest,
)
from pyshelf.errors import UsageError
from pyshelf.manifest.plain import HEADER, entry_fields, setting_value


class ManifestError(UsageError):
    """A manifest that cannot be used, with the file, line and column."""


def parse(text: str, source: str, *, base: str, home: str,
          forms: RequirementForms | None = None) -> tuple[TOMLDocument, Manifest]:
    """The document and what it says; a mistake is one sentence naming ``source`` and the
    line and column where it is."""
    try:
        document = tomlkit.parse(text)
    except ParseError as exc:
        reason = str(exc).rsplit(" at line ", 1)[0]
        line, column = exc.line, exc.col + 1  # tomlkit counts columns from 0
        if "'\\x00'" in reason:  # tomlkit's end of input, which it places at the start
            reason = "the file ends where more was expected (an unclosed [ or {?)"
            line = text.count("\n") + (not text.endswith("\n"))
            column = len(text) - text.rfind("\n", 0, len(text) - 1) - 1
        raise ManifestError(f"{source}, line {line}, column {column}: {reason}; nothing was "
                            "changed.") from exc
    try:
        return document, read_manifest(document.unwrap(), base=base, home=home, forms=forms)
    except ManifestProblem as problem:
        line, column = locate(text, problem.place)
        raise ManifestError(f"{source}, line {line}, column {column}: {problem.message}; "
                            "nothing was changed.") from problem


def locate(text: str, place: Place) -> tuple[int, int]:
    """The line and column (from 1) where the value at ``place`` is written, or its key's
    when the place ends with a key. Found by writing a marker in its stead into a fresh
    copy: everything before it is written as before, so the marker's offset is the
    value's."""
    copy = tomlkit.parse(text)
    import secrets

    marker = f"pyshelf-{secrets.token_hex(8)}"
    container: Any = copy
    for step in place[:-1]:
        container = container[step]
    container[place[-1]] = marker
    written = copy.as_string()
    offset = written.index(marker) - 1  # the opening quote
    if isinstance(place[-1], str):
        offset = max(written.rfind(place[-1], 0, offset), 0)
    line_start = written.rfind("\n", 0, offset) + 1
    return written.count("\n", 0, offset) + 1, offset - line_start + 1


def render(manifest: Manifest, home: str) -> str:
    """A new manifest file for ``manifest``."""
    document = tomlkit.parse(HEADER)
    edit(document, Manifest(), manifest, home)
    return document.as_string()


def edit(document: TOMLDocument, on_disk: Manifest, target: Manifest, home: str) -> None:
    """Change ``document`` (which says ``on_disk``) so that it says ``target``: entries
    that stay are not touched, with their comments; a changed entry is rewritten where it
    stands; a new one is added at the end."""
    for key, setting in SETTING_KEYS.items():
        old, new = on_disk.settings.get(setting), target.settings.get(setting)
        if old == new:
            continue
        if new is None:
            if key in document:
                del document[key]
        else:
            document[key] = _setting_value(setting, new)
    packages = document.get("packages")
    wanted = target.by_key()
    if packages is None:
        if not wanted:
            return
        packages = tomlkit.array()
        packages.multiline(True)
        document["packages"] = packages
    present = [entry.key for entry in on_disk.entries]
    for index in reversed(range(len(present))):
        if present[index] not in wanted:
            del packages[index]
    kept = [key for key in present if key in wanted]
    before = on_disk.by_key()
    for index, key in enumerate(kept):
        if before[key] != wanted[key]:
            packages[index] = _entry_value(wanted[key], home, aot=isinstance(packages, AoT))
    for entry in target.entries:
        if entry.key not in before:
            _append(packages, _entry_value(entry, home, aot=isinstance(packages, AoT)))


def _append(packages: Array | AoT, value: Item) -> None:
    if isinstance(packages, AoT):
        packages.append(value)
    elif packages.as_string().startswith("[\n") or not len(packages):
        packages.add_line(value, indent="    ")
        if not packages.as_string().endswith("\n]"):
            packages.add_line(indent="")  # the closing bracket on a line of its own
    else:
        packages.append(value)


def _setting_value(setting: str, value: str) -> Item:
    return tomlkit.item(setting_value(setting, value))


def _entry_value(entry: ManifestEntry, home: str, *, aot: bool) -> Item:
    """A plain requirement string where that says it all, else a table of the fields that
    differ from the defaults."""
    fields = entry_fields(entry, home)
    if list(fields) == ["requirement"] and not aot:
        return tomlkit.item(entry.requirement)
    table: InlineTable | Table = tomlkit.table() if aot else tomlkit.inline_table()
    table.update(fields)
    return table
