"""Hand-rolled wheel builder for the offline test index.

Wheels are assembled directly with :mod:`zipfile` instead of through a build backend so that
building the whole catalogue takes milliseconds, needs no network and yields byte-identical
files on every run (which keeps uv's cache valid across sessions and makes hashes stable).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

__all__ = [
    "ZIP_TIMESTAMP",
    "Dist",
    "build_wheel",
    "cli_dist",
    "default_modules",
    "import_name",
    "record_hash",
    "script_function_name",
    "script_module_source",
    "wheel_entries",
    "wheel_filename",
]

# Zip cannot store dates before 1980; any fixed value works, it only has to never change.
ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)

GENERATOR = "pyshelf-tests (hand-built)"


@dataclass(frozen=True)
class Dist:
    """One release of one project, described just richly enough for resolver tests."""

    name: str
    version: str
    requires: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    scripts: tuple[tuple[str, str], ...] = ()
    modules: tuple[tuple[str, str], ...] = ()
    requires_python: str | None = None
    binaries: tuple[tuple[str, bytes], ...] = ()  # compiled files, e.g. an extension module
    tag: str = "py3-none-any"  # a platform wheel's, e.g. cp312-cp312-linux_x86_64
    # Files installed under the environment's prefix (``share/...``, ``etc/...``), which a
    # wheel carries in ``<name>-<version>.data/data/``.
    data: tuple[tuple[str, str], ...] = ()

    @property
    def canonical_name(self) -> str:
        return canonicalize_name(self.name)

    @property
    def filename_stem(self) -> str:
        """Name-version as the wheel and .dist-info names need it: escaped and normalised."""
        return f"{self.canonical_name.replace('-', '_')}-{Version(self.version)}"


def import_name(dist_name: str) -> str:
    """The importable package name that stands in for a project with no explicit modules."""
    return canonicalize_name(dist_name).replace("-", "_").replace(".", "_")


def wheel_filename(dist: Dist) -> str:
    return f"{dist.filename_stem}-{dist.tag}.whl"


def record_hash(data: bytes) -> str:
    """The hash in the form RECORD requires: urlsafe base64 without padding."""
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def script_function_name(script: str) -> str:
    """A valid identifier for a script name such as ``app-tool``."""
    return "main_" + re.sub(r"\W", "_", script)


def script_module_source(version: str, scripts: Iterable[str]) -> str:
    """Source for a module whose functions print ``"<script> <version>"``.

    Tests recognise which release's script ran from its output alone, so every console script
    in the catalogue behaves the same way; generating the source keeps catalogue entries short.
    """
    lines = [
        f"__version__ = {version!r}",
        "",
        "",
        "def _run(script: str) -> int:",
        '    print(f"{script} {__version__}")',
        "    return 0",
    ]
    for script in scripts:
        lines += ["", "", f"def {script_function_name(script)}() -> int:"]
        lines.append(f"    return _run({script!r})")
    return "\n".join(lines) + "\n"


def default_modules(dist: Dist) -> tuple[tuple[str, str], ...]:
    """The module a dist gets when it declares none, so that every install is importable."""
    return ((f"{import_name(dist.name)}/__init__.py", f"__version__ = {dist.version!r}\n"),)


def cli_dist(
    name: str,
    version: str,
    *,
    scripts: Sequence[str],
    requires: Sequence[str] = (),
    extras: Sequence[str] = (),
    requires_python: str | None = None,
) -> Dist:
    """A dist whose console scripts live in ``<pkg>/cli.py`` and report name and version."""
    pkg = import_name(name)
    return Dist(
        name=name,
        version=version,
        requires=tuple(requires),
        extras=tuple(extras),
        scripts=tuple((s, f"{pkg}.cli:{script_function_name(s)}") for s in scripts),
        modules=(
            (f"{pkg}/__init__.py", f"__version__ = {version!r}\n"),
            (f"{pkg}/cli.py", script_module_source(version, scripts)),
        ),
        requires_python=requires_python,
    )


def _metadata(dist: Dist) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {dist.name}",
        f"Version: {dist.version}",
        f"Summary: Test fixture {dist.name} {dist.version}",
    ]
    if dist.requires_python is not None:
        lines.append(f"Requires-Python: {dist.requires_python}")
    lines += [f"Provides-Extra: {extra}" for extra in dist.extras]
    lines += [f"Requires-Dist: {req}" for req in dist.requires]
    return "\n".join(lines) + "\n"


def _wheel_file(dist: Dist) -> str:
    purelib = "true" if dist.tag == "py3-none-any" else "false"
    return (f"Wheel-Version: 1.0\nGenerator: {GENERATOR}\nRoot-Is-Purelib: {purelib}\n"
            f"Tag: {dist.tag}\n")


def _entry_points(dist: Dist) -> str:
    body = "".join(f"{name} = {target}\n" for name, target in dist.scripts)
    return "[console_scripts]\n" + body


def _record(entries: Sequence[tuple[str, bytes]], record_path: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for path, data in entries:
        writer.writerow([path, record_hash(data), len(data)])
    writer.writerow([record_path, "", ""])
    return buf.getvalue().encode("utf-8")


def wheel_entries(dist: Dist) -> list[tuple[str, bytes]]:
    """Every archive member in write order: sorted modules first, RECORD last (as pip/uv expect)."""
    modules = dist.modules or ([] if dist.binaries else default_modules(dist))
    entries = [(path, src.encode("utf-8")) for path, src in sorted(modules)]
    entries += sorted(dist.binaries)
    entries += [(f"{dist.filename_stem}.data/data/{path}", text.encode("utf-8"))
                for path, text in sorted(dist.data)]
    info = f"{dist.filename_stem}.dist-info"
    entries.append((f"{info}/METADATA", _metadata(dist).encode("utf-8")))
    entries.append((f"{info}/WHEEL", _wheel_file(dist).encode("utf-8")))
    if dist.scripts:
        entries.append((f"{info}/entry_points.txt", _entry_points(dist).encode("utf-8")))
    record_path = f"{info}/RECORD"
    entries.append((record_path, _record(entries, record_path)))
    return entries


def build_wheel(dist: Dist, outdir: Path) -> Path:
    """Write ``dist`` as a wheel (``py3-none-any`` unless it says otherwise) into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / wheel_filename(dist)
    with zipfile.ZipFile(target, "w") as zf:
        for path, data in wheel_entries(dist):
            info = zipfile.ZipInfo(path, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, so the permission bits above are honoured
            zf.writestr(info, data)
    return target
