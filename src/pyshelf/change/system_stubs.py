"""Metadata-only wheels that stand for the system's packages while uv resolves.

uv's resolver cannot see a base interpreter's site-packages, so with
``system_site_packages`` each package found there is offered to it as a stub wheel (name,
version and requirements, no files) in a ``--find-links`` folder, pinned to the installed
version and left out of the lock: the generation then uses the system's copy.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pyshelf.core.graph import Distribution


def _metadata(dist: Distribution) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {dist.display_name}", f"Version: {dist.version}"]
    lines += [f"Requires-Dist: {requirement}" for requirement in dist.requires]
    return "\n".join(lines) + "\n"


def representable(dists: Iterable[Distribution]) -> list[Distribution]:
    """The packages a stub can stand for: a wheel needs a PEP 440 version."""
    usable = []
    for dist in dists:
        try:
            Version(dist.version)
        except InvalidVersion:
            continue
        usable.append(dist)
    return usable


def write_stub_wheels(folder: Path, dists: Iterable[Distribution]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for dist in dists:
        version = str(Version(dist.version))
        stem = f"{canonicalize_name(dist.name).replace('-', '_')}-{version}"
        info = f"{stem}.dist-info"
        with zipfile.ZipFile(folder / f"{stem}-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"{info}/METADATA", _metadata(dist))
            wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: pyshelf\n"
                                            "Root-Is-Purelib: true\nTag: py3-none-any\n")
            wheel.writestr(f"{info}/RECORD", "")
    return folder
