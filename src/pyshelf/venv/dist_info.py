"""What installers wrote into ``*.dist-info`` folders: the one reader of installed metadata.

Drift, verification, dependency edges, a package's commands and a move to another Python
all stand on these folders, so how they are named and parsed is decided here once. The
folder's name alone gives name and version (the binary distribution format escapes ``-``
out of both parts, so the first ``-`` separates them): one listing, cheap enough for every
command. ``METADATA`` and ``WHEEL`` are RFC 822 headers, parsed with the standard library's
parser imported only when one is read, since reporting commands read folder names only.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from email.message import Message
    from email.parser import BytesHeaderParser

    from pyshelf.core.graph import Distribution

DIST_INFO = ".dist-info"


def folders(site_packages: Path) -> list[Path]:
    return [site_packages / name for name in folder_names(site_packages)]


def folder_names(site_packages: Path) -> list[str]:
    """The names of the ``*.dist-info`` folders, sorted: one listing, no pattern."""
    try:
        return sorted(name for name in os.listdir(site_packages) if name.endswith(DIST_INFO))
    except OSError:
        return []


def name_and_version(folder: Path) -> tuple[str, str]:
    """(canonical name, version) of a ``*.dist-info`` folder, from its name alone."""
    from packaging.utils import canonicalize_name  # brings packaging.tags: only when asked

    name, _, version = folder.name[: -len(DIST_INFO)].partition("-")
    return canonicalize_name(name), version


def installed_versions(site_packages: Path) -> dict[str, str]:
    """name -> version from the folder names alone."""
    return dict(name_and_version(folder) for folder in folders(site_packages))


def find(site_packages: Path, name: str) -> Path | None:
    """The folder of package ``name`` (canonical), if it is installed there."""
    return next((f for f in folders(site_packages) if name_and_version(f)[0] == name), None)


@cache
def _header_parser() -> BytesHeaderParser:
    from email.parser import BytesHeaderParser

    return BytesHeaderParser()  # the compat32 policy: plain strings, nothing reformatted


def _headers(raw: bytes) -> Message:
    """Only the header part: a ``METADATA`` body is the long description, often the largest
    part and never needed here."""
    return _header_parser().parsebytes(raw.split(b"\n\n", 1)[0])


def read_distributions(site_packages: Path, *, legacy: bool = False) -> list[Distribution]:
    """Every distribution installed in ``site_packages``, sorted by name (no subprocess).

    ``legacy`` also reads ``*.egg-info`` (``PKG-INFO``, a folder or a file), which
    distributions' system packages still use.
    """
    found: dict[str, Distribution] = {}
    sources = [(info, "METADATA") for info in folders(site_packages)]
    if legacy:
        sources += [(info, "PKG-INFO") for info in site_packages.glob("*.egg-info")]
    for info, file_name in sources:
        dist = read_distribution(info, file_name)
        if dist is not None:
            found[dist.name] = dist
    return sorted(found.values(), key=lambda d: d.name)


def read_distribution(info: Path, file_name: str = "METADATA") -> Distribution | None:
    """The distribution of one ``*.dist-info`` (or ``*.egg-info``, a folder or a file);
    None where its metadata cannot be read or names no version."""
    from packaging.utils import canonicalize_name

    from pyshelf.core.graph import Distribution

    try:
        raw = (info / file_name).read_bytes() if info.is_dir() else info.read_bytes()
    except OSError:
        return None
    headers = _headers(raw)
    display, version = headers["Name"], headers["Version"]
    if not display or not version:
        return None
    requires = tuple(str(r) for r in headers.get_all("Requires-Dist") or ())
    return Distribution(canonicalize_name(display), str(display), str(version), requires)


def recorded_files(folder: Path) -> list[Path]:
    """Every file the installer wrote, from ``RECORD``, as normalised paths (its entries are
    relative to site-packages, scripts' with ``..``); none if it cannot be read."""
    return [path for path, _ in recorded_hashes(folder)]


def recorded_hashes(folder: Path) -> list[tuple[Path, str]]:
    """Each file of ``RECORD`` (as :func:`recorded_files` has it) with its hash column
    (``sha256=...``, empty for files listed without one)."""
    site = os.fspath(folder.parent)  # joined as text: a fill reads thousands of rows
    return [(Path(os.path.normpath(os.path.join(site, row[0]))), row[1] if row[1:] else "")
            for row in _record_rows(folder)]


def recorded_sizes(folder: Path) -> list[tuple[str, int | None]]:
    """:func:`recorded_files` as text, each with the size ``RECORD`` gives it (None where
    it gives none): a fill reads thousands of rows, and works with them as text."""
    site = os.fspath(folder.parent)
    return [(os.path.normpath(os.path.join(site, row[0])),
             int(row[2]) if row[2:] and row[2].isdigit() else None)
            for row in _record_rows(folder)]


def recorded_outside(folder: Path) -> list[Path]:
    """The files of ``RECORD`` outside site-packages (scripts, data), as
    :func:`recorded_files` has them: a package's commands are among these few, so the
    thousands of its modules need no path made."""
    return [Path(os.path.normpath(folder.parent / row[0])) for row in _record_rows(folder)
            if row[0].startswith("..")]


def _record_rows(folder: Path) -> list[list[str]]:
    import csv  # only commands that link or run apps read a RECORD

    try:
        with (folder / "RECORD").open(newline="", encoding="utf-8") as record:
            return [row for row in csv.reader(record) if row]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def wheel_tags(folder: Path) -> list[str]:
    """The ``Tag`` lines of ``WHEEL`` (``cp312-cp312-manylinux_2_17_x86_64``); none if it
    cannot be read."""
    try:
        raw = (folder / "WHEEL").read_bytes()
    except OSError:
        return []
    return [str(tag) for tag in _headers(raw).get_all("Tag") or ()]
