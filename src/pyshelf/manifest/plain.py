"""``shelf.toml`` in the layout pyshelf writes it, without a TOML library.

A file pyshelf wrote and nobody touched since is rewritten whole at the next change, and
``document.edit`` of such a file gives what this module writes: the header, one setting a
line, then ``packages`` with one entry a line, kept entries where they stood and new ones
last. Writing that text directly spares every change tomlkit's import and a parse of the
file (a tenth of a removal). A file in any other layout (a person's, with comments) is
edited by ``document.edit`` as ever; so is one holding a character this layout cannot write
as it stands, for which :func:`plain_text` answers None.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyshelf.core.manifest import SETTING_KEYS, Manifest, ManifestEntry, as_written
from pyshelf.core.pylock import inline_toml

HEADER = ("# pyshelf's manifest: what this shelf holds. `pyshelf sync` makes the shelf match it,\n"
          "# and every pyshelf change writes it back, keeping comments and order.\n\n")


def plain_text(manifest: Manifest, home: str) -> str | None:
    """The file ``document.render`` writes for ``manifest``, entries in their order; None
    where a string holds DEL or a lone surrogate, which TOML's basic strings cannot take
    as JSON writes them (JSON escapes the other control characters as TOML does)."""
    if not manifest.entries and not manifest.settings:
        return HEADER
    lines = [HEADER.removesuffix("\n\n")]
    for key, setting in SETTING_KEYS.items():
        value = manifest.settings.get(setting)
        if value is not None:
            lines.append(f"{key} = {_inline(setting_value(setting, value))}")
    if manifest.entries:
        lines.append("packages = [")
        lines += [f"    {_inline(_entry(entry, home))}," for entry in manifest.entries]
        lines.append("]")
    text = "\n".join(lines) + "\n\n"  # tomlkit keeps the header's blank line at the end
    return text if _writable(text) else None


def in_file_order(manifest: Manifest, order: Sequence[str]) -> Manifest:
    """``manifest`` with its entries where a file listing ``order`` (entry keys) has them,
    and the others after, as ``document.edit`` places them."""
    place = {key: index for index, key in enumerate(order)}
    ranked = sorted(enumerate(manifest.entries),
                    key=lambda item: (place.get(item[1].key, len(place)), item[0]))
    return manifest._replace(entries=tuple(entry for _, entry in ranked))


def setting_value(setting: str, value: str) -> str | bool | list[str]:
    """A setting as the file holds it: a list of URLs, a boolean, or the string."""
    if setting == "extra_index_urls":
        return value.split()
    if setting == "system_site_packages":
        return value == "true"
    return value


def entry_fields(entry: ManifestEntry, home: str) -> dict[str, object]:
    """The fields of an entry that differ from the defaults, in the order they are written."""
    fields: dict[str, object] = {}
    if entry.requirement:
        fields["requirement"] = entry.requirement
    if entry.path is not None:
        fields["path"] = as_written(entry.path, home)
    for name, value, default in (("editable", entry.editable, False),
                                 ("isolated", entry.isolated, False),
                                 ("with", list(entry.with_specs), []),
                                 ("expose", (list(entry.expose) if isinstance(entry.expose, tuple)
                                             else entry.expose), True),
                                 ("kept", entry.kept, False)):
        if value != default:
            fields[name] = value
    return fields


def _entry(entry: ManifestEntry, home: str) -> object:
    """A requirement string where that says it all, else a table."""
    fields = entry_fields(entry, home)
    return entry.requirement if list(fields) == ["requirement"] else fields


def _inline(value: object) -> str:
    return inline_toml(value, padding="")  # tomlkit's inline forms


def _writable(text: str) -> bool:
    return not any(c == "\x7f" or "\ud800" <= c <= "\udfff" for c in text)
