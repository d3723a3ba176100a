"""Source distributions for the offline test index, built by ``tinybackend``.

A release published only as an sdist (or with wheels for other Pythons only) is one uv
builds from source when it installs it; the tests of what the plan says about that need
such releases. The archive is written with fixed dates and owners, so it is byte-identical
on every run and its hash, like a wheel's, never changes.
"""

from __future__ import annotations

import calendar
import gzip
import io
import tarfile
from pathlib import Path

from .wheels import ZIP_TIMESTAMP, Dist

__all__ = ["build_sdist"]

_MTIME = calendar.timegm(ZIP_TIMESTAMP)  # the wheels' fixed date, in seconds


def _files(dist: Dist) -> dict[str, str]:
    package = dist.canonical_name.replace("-", "_")
    return {
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {dist.name}\nVersion: {dist.version}\n",
        "pyproject.toml": (
            '[build-system]\nrequires = ["tinybackend"]\nbuild-backend = "tinybackend"\n\n'
            f'[project]\nname = "{dist.name}"\nversion = "{dist.version}"\n'),
        f"{package}/__init__.py": f"__version__ = {dist.version!r}\n",
    }


def build_sdist(dist: Dist, outdir: Path) -> Path:
    """``dist`` as ``<name>-<version>.tar.gz`` in ``outdir``: a pure package, its metadata,
    and a pyproject.toml naming tinybackend (which the index must offer) as its backend."""
    outdir.mkdir(parents=True, exist_ok=True)
    stem = dist.filename_stem
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, text in sorted(_files(dist).items()):
            data = text.encode("utf-8")
            member = tarfile.TarInfo(f"{stem}/{path}")
            member.size, member.mtime, member.mode = len(data), _MTIME, 0o644
            archive.addfile(member, io.BytesIO(data))
    target = outdir / f"{stem}.tar.gz"
    with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=_MTIME,
                                                 filename="") as packed:
        packed.write(buffer.getvalue())
    return target
