"""Export and import formats: pinned requirements, PEP 751 ``pylock.toml``, pyshelf JSON.

An exported file carries both halves of the state: what was asked for (the intent) and the
exact versions (the lock). Importing reads untrusted text, so every entry is parsed as a PEP
508 requirement through ``specs``; option lines, bare paths and anything else that is not a
requirement are refused with the offending line named. A pylock's file hashes are kept
(``HashedPin``) so that uv checks each one before anything is built.

Local projects, editable projects and wheel files travel as ``name @ file:///path``
requirements (an editable one's kind rides along: the ``-e`` line, a JSON ``kind``, a
pylock ``directory`` table), so the importing machine can tell whether the path exists; the
export names them as machine-specific, since a path means nothing on another machine.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pyshelf.core.lockfile import is_exact_version, load_toml, pin_line
from pyshelf.core.model import (
    PATH_KINDS,
    IntentEntry,
    IsolatedApp,
    Lock,
    not_for_here,
)
from pyshelf.core.pylock import isolated_rows, machine_specific
from pyshelf.core.specs import parse_requirement, unique_by_name
from pyshelf.errors import PyshelfError, UsageError

if TYPE_CHECKING:
    from pyshelf.core.model import RequirementKind

Format = Literal["requirements", "pylock", "json"]
REQUESTED = "# requested: "
MACHINE_SPECIFIC = "# machine-specific (paths on this machine): "
ISOLATED_LINE = "# isolated: "  # one JSON object per isolated app; pip ignores comments
JSON_FORMAT = "pyshelf-export"
# The algorithms uv checks that are still sound; a pylock hash in any other is refused rather
# than passed over, since a hash nobody checks would only look like protection.
HASH_ALGORITHMS = ("sha256", "sha384", "sha512")
_HEX = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True)
class HashedPin:
    """A pylock package's exact version and the hashes of the files it lists: uv is given
    them as ``--hash`` options, so the file it would install must match one of them."""

    name: str
    version: str
    digests: tuple[str, ...]  # "sha256:<hex>", one per hash of each file
    marker: Marker | None = None  # the package is only for environments where this holds

    def applies_to(self, environment: dict[str, str]) -> bool:
        """Whether the package is for ``environment`` (a marker pyshelf cannot evaluate,
        such as one on a lock's extras, counts as yes: better checked than skipped)."""
        if self.marker is None:
            return True
        try:
            return self.marker.evaluate(environment)
        except UndefinedEnvironmentName:
            return True

    def line(self) -> str:
        return " ".join([f"{self.name}=={self.version}",
                         *(f"--hash={digest}" for digest in self.digests)])


@dataclass(frozen=True)
class Imported:
    intent: list[IntentEntry]
    pins: dict[str, str] = field(default_factory=dict)  # canonical name -> exact version
    python: SpecifierSet | None = None  # the Pythons the file was made for
    isolated: list[IsolatedApp] = field(default_factory=list)
    isolated_pins: dict[str, dict[str, str]] = field(default_factory=dict)  # per app
    hashed: list[HashedPin] = field(default_factory=list)  # a pylock's packages with hashes
    notes: list[str] = field(default_factory=list)  # what the file holds that does not map

    def lists_nothing(self) -> bool:
        """Whether importing the file would leave the shelf without any package."""
        return not self.intent and not self.isolated


def hash_check_requirements(hashed: Sequence[HashedPin], environment: dict[str, str]) -> str:
    """The requirements file, one ``name==version --hash=...`` line per package, with which
    uv checks the files of every hashed package that is for ``environment``."""
    return "".join(f"{pin.line()}\n" for pin in hashed if pin.applies_to(environment))


def guess_format(path: Path) -> Format:
    if path.suffix == ".toml":
        return "pylock"
    if path.suffix == ".json":
        return "json"
    return "requirements"


# -- export --------------------------------------------------------------------------------

def render_requirements(lock: Lock, intent: Sequence[IntentEntry], header: str,
                        isolated: Sequence[IsolatedApp] = ()) -> str:
    """Pins for every package; explicit ones carry the requirement as it was asked for, and
    each isolated app rides along in a comment line pip ignores. A requirement whose marker
    is false here has no pin, so it is written as asked for: the machine it is meant for
    installs it, and pip and an import elsewhere pass over it."""
    requested = {e.name: e.spec for e in intent if e.role == "explicit"}
    lines = [f"# {header}", "# Recreate with: pyshelf import FILE"]
    if local := machine_specific(intent):
        lines.append(MACHINE_SPECIFIC + ", ".join(local))
    rows = [(package.name, pin_line(package)) for package in lock.packages.values()]
    rows += [(entry.name, entry.spec) for entry in not_for_here(intent, lock.packages)]
    for name, line in sorted(rows):
        if name in requested:
            line += f"  {REQUESTED}{requested[name]}"
        lines.append(line)
    lines += [ISOLATED_LINE + json.dumps(row, ensure_ascii=False)
              for row in isolated_rows(isolated)]
    return "\n".join(lines) + "\n"


def render_json(lock: Lock, intent: Sequence[IntentEntry], generation: int,
                python: str, isolated: Sequence[IsolatedApp] = ()) -> str:
    return json.dumps({
        "format": JSON_FORMAT,
        "version": 1,
        "generation": generation,
        "python": python,
        "requirements": [{"name": e.name, "spec": e.spec, "role": e.role, "kind": e.kind,
                          "machine_specific": e.kind in PATH_KINDS} for e in intent],
        "packages": [{"name": p.display_name, "version": p.version, "url": p.url}
                     for p in sorted(lock.packages.values(), key=lambda p: p.name)],
        "isolated": isolated_rows(isolated),
    }, indent=2) + "\n"


# -- import --------------------------------------------------------------------------------
def _entry(text: str, where: str, added_at: str, *, editable: bool = False) -> IntentEntry:
    """One requirement of the file; a ``file:`` URL becomes the local project or wheel file
    ``install`` would have made of its path, so the intent is the one that was exported."""
    try:
        requirement = parse_requirement(text, allow_url=True)
    except UsageError as exc:
        raise UsageError(f"{where}: {exc.message}") from exc
    name = canonicalize_name(requirement.name)
    requirement.name = name
    if requirement.url is None and not editable:
        return IntentEntry(name=name, spec=str(requirement), added_at=added_at)
    url = urlsplit(requirement.url or "")
    if url.scheme != "file":
        if editable:
            raise UsageError(f"{where}: an editable '{name}' must be a project folder "
                             "(a file: URL).")
        return IntentEntry(name=name, spec=str(requirement), kind="url",
                           source_path=requirement.url, added_at=added_at)
    from urllib.request import url2pathname  # brings http.client and ssl: only when read

    path = Path(url2pathname(url.path))
    if url.netloc not in ("", "localhost") or not path.is_absolute():
        raise UsageError(f"{where}: '{name}' must name an absolute path on this machine.")
    kind: RequirementKind = ("editable" if editable else
                             "wheel" if path.suffix == ".whl" else "local")
    return IntentEntry(name=name, spec=f"{name} @ {path.as_uri()}", kind=kind,
                       source_path=str(path), added_at=added_at)


# The same reading of one requirement, for other tools' manifests (manifest/foreign.py).
requested_entry = _entry


def _exact_pin(entry: IntentEntry) -> str | None:
    pins = [s.version for s in Requirement(entry.spec).specifier if s.operator == "=="]
    return pins[0] if len(pins) == 1 and is_exact_version(pins[0]) else None


def parse_requirements_file(text: str, source: str, added_at: str) -> Imported:
    """A pinned requirements file: pyshelf's own export, or any plain one (all explicit)."""
    pinned: list[IntentEntry] = []
    requested: list[IntentEntry] = []
    isolated: list[object] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{source}, line {number}"
        if raw.startswith(ISOLATED_LINE):
            try:
                isolated.append(json.loads(raw[len(ISOLATED_LINE):]))
            except json.JSONDecodeError as exc:
                raise UsageError(f"{where}: the isolated app is not valid JSON.") from exc
            continue
        line, _, comment = raw.partition(" #")
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        comment = "#" + comment
        asked = comment[len(REQUESTED):].strip() if comment.startswith(REQUESTED) else None
        if line.startswith("-e ") and asked is not None:
            # pip's editable line names no package; the request beside it does.
            named = f"{_entry(asked, where, added_at).name} @ {line[3:].strip()}"
            entry = _entry(named, where, added_at, editable=True)
        elif line.startswith("-"):
            raise UsageError(f"{where}: options such as {line.split()[0]!r} are not allowed in "
                             "an import; only requirements are.")
        else:
            entry = _entry(line, where, added_at)
        pinned.append(entry)
        if asked is not None:
            spec = _entry(asked, where, added_at, editable=entry.kind == "editable")
            if (spec.name, spec.source_path) != (entry.name, entry.source_path):
                raise UsageError(f"{where}: the requested '{spec.name}' does not match "
                                 f"'{entry.name}'.")
            requested.append(spec)
    pinned = unique_by_name(pinned, source)
    pins = {e.name: v for e in pinned if (v := _exact_pin(e))}
    apps, app_pins = _json_isolated(isolated, source, added_at)
    return Imported(intent=requested if requested else pinned, pins=pins, isolated=apps,
                    isolated_pins=app_pins)


def _load_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return load_toml(text)
    except ValueError as exc:
        raise UsageError(f"{source} is not valid TOML ({exc}).") from exc


_LOCAL_SOURCES = ("vcs", "directory", "archive")


def _pylock_files(package: dict[str, Any], where: str, name: str) -> list[dict[str, Any]]:
    """The files (wheels, sdist) a pylock package lists, each a table."""
    wheels, sdist = package.get("wheels", []), package.get("sdist")
    files = [*wheels, sdist] if sdist is not None and isinstance(wheels, list) else wheels
    if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
        raise UsageError(f"{where}: the files of '{name}' must be tables.")
    return files


def _digests(package: dict[str, Any], where: str, name: str) -> tuple[str, ...]:
    """Every hash the package's files carry, as ``algorithm:hex``; untrusted text, so each is
    checked to be a well-formed digest before it reaches uv's input."""
    digests = []
    for file in _pylock_files(package, where, name):
        hashes = file.get("hashes", {})
        if not isinstance(hashes, dict):
            raise UsageError(f"{where}: the hashes of '{name}' must be a table.")
        for algorithm, value in hashes.items():
            if algorithm not in HASH_ALGORITHMS:
                raise UsageError(f"{where}: '{name}' carries a {algorithm} hash, which pyshelf "
                                 f"cannot check (it checks {', '.join(HASH_ALGORITHMS)}).")
            size = hashlib.new(algorithm).digest_size * 2
            if not isinstance(value, str) or len(value) != size or not _HEX.fullmatch(value):
                raise UsageError(f"{where}: the {algorithm} hash of '{name}' is not a "
                                 f"{size}-digit hexadecimal digest.")
            digests.append(f"{algorithm}:{value.lower()}")
    return tuple(digests)


def _marker(package: dict[str, Any], where: str, name: str) -> Marker | None:
    text = package.get("marker")
    if text is None:
        return None
    try:
        return Marker(str(text))
    except InvalidMarker as exc:
        raise UsageError(f"{where}: the marker of '{name}' is not a valid marker.") from exc


def parse_pylock(text: str, source: str, added_at: str) -> Imported:
    data = _load_toml(text, source)
    if not str(data.get("lock-version", "")).startswith("1."):
        raise UsageError(f"{source} is not a PEP 751 lock file (lock-version 1.x).")
    pins: dict[str, str] = {}
    hashed: list[HashedPin] = []
    editable: set[str] = set()
    tool = data.get("tool", {}).get("pyshelf", {})
    requested = tool.get("requested")
    for index, package in enumerate(data.get("packages", []), start=1):
        where = f"{source}, package {index}"
        name, version = package.get("name"), package.get("version")
        if isinstance(name, str) and any(key in package for key in _LOCAL_SOURCES):
            # PEP 751 gives such a package no version to pin; pyshelf's own request for it
            # says where it comes from, the directory table whether it is editable.
            if requested is None:
                raise UsageError(f"{where}: '{name}' comes from a VCS, directory or archive; "
                                 "only packages from an index can be imported, unless the "
                                 "file is a pyshelf export, whose [tool.pyshelf] requests "
                                 "name their sources.")
            if _is_editable(package.get("directory")):
                editable.add(canonicalize_name(name))
            continue
        if not isinstance(name, str) or not isinstance(version, str):
            raise UsageError(f"{where}: every package needs a name and a version.")
        if not is_exact_version(version):
            raise UsageError(f"{where}: the version of '{name}' is not an exact version.")
        entry = _entry(f"{name}=={version}", where, added_at)
        if entry.name in pins:
            raise UsageError(f"{where}: '{entry.name}' appears more than once.")
        pins[entry.name] = version
        digests = _digests(package, where, entry.name)
        if digests:
            hashed.append(HashedPin(entry.name, version, digests,
                                    _marker(package, where, entry.name)))
    if requested is None:
        intent = [_entry(f"{name}=={version}", source, added_at) for name, version in
                  pins.items()]
    elif isinstance(requested, list) and all(isinstance(r, str) for r in requested):
        intent = unique_by_name(_requested(requested, f"{source}, tool.pyshelf.requested",
                                           added_at, editable), source)
    else:
        raise UsageError(f"{source}: tool.pyshelf.requested must be a list of requirements.")
    try:
        python = SpecifierSet(data.get("requires-python", ""))
    except InvalidSpecifier as exc:
        raise UsageError(f"{source}: requires-python is not a valid specifier.") from exc
    apps, app_pins = _json_isolated(tool.get("isolated", []), source, added_at)
    return Imported(intent=intent, pins=pins, python=python, isolated=apps,
                    isolated_pins=app_pins, hashed=hashed)


def _is_editable(directory: object) -> bool:
    return isinstance(directory, dict) and directory.get("editable") is True


def _requested(texts: Sequence[str], where: str, added_at: str, editable: set[str]
               ) -> list[IntentEntry]:
    """The requests, with those whose package the file marks editable read as editable."""
    entries = [_entry(text, where, added_at) for text in texts]
    return [_entry(text, where, added_at, editable=True) if entry.name in editable else entry
            for text, entry in zip(texts, entries, strict=True)]


def parse_json_export(text: str, source: str, added_at: str) -> Imported:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} is not valid JSON ({exc.msg}, line {exc.lineno}).") from exc
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        raise UsageError(f"{source} is not a pyshelf JSON export.")
    try:
        intent = unique_by_name([
            _entry(str(r["spec"]), f"{source}, requirement {i}", added_at,
                   editable=r.get("kind") == "editable")
            for i, r in enumerate(data["requirements"], start=1)
            if r.get("role", "explicit") == "explicit"
        ], source)
        pins = {_entry(f"{p['name']}=={p['version']}", f"{source}, package {i}", added_at).name:
                str(p["version"]) for i, p in enumerate(data["packages"], start=1)
                if not p.get("url")}  # a direct reference's version is its source's
    except (KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{source} is missing a field pyshelf needs ({exc}).") from exc
    apps, app_pins = _json_isolated(data.get("isolated", []), source, added_at)
    try:
        made_for = Version(str(data.get("python", "")))
    except InvalidVersion:
        return Imported(intent=intent, pins=pins, isolated=apps, isolated_pins=app_pins)
    return Imported(intent=intent, pins=pins,
                    python=SpecifierSet(f"=={made_for.major}.{made_for.minor}.*"),
                    isolated=apps, isolated_pins=app_pins)


def _json_isolated(rows: Any, source: str, added_at: str
                   ) -> tuple[list[IsolatedApp], dict[str, dict[str, str]]]:
    """The isolated apps of a JSON export, each pinned at the versions it had (``rows`` is
    parsed JSON: whatever it holds is checked as it is read)."""
    apps: list[IsolatedApp] = []
    pins: dict[str, dict[str, str]] = {}
    try:
        for i, row in enumerate(rows, start=1):
            where = f"{source}, isolated app {i}"
            app = _entry(str(row["spec"]), where, added_at)
            extra = [_entry(str(spec), where, added_at).spec for spec in row.get("with", [])]
            apps.append(IsolatedApp(app.name, app.spec, tuple(extra), added_at))
            pins[app.name] = {_entry(f"{p['name']}=={p['version']}", where, added_at).name:
                              str(p["version"]) for p in row.get("packages", [])}
    except (KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{source} has an isolated app without a field pyshelf needs "
                         f"({exc}).") from exc
    return apps, pins


def read_import(path: Path, fmt: Format | None, added_at: str) -> Imported:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PyshelfError(f"There is no file {path} to import.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PyshelfError(f"{path} cannot be read ({exc}).") from exc
    fmt = fmt or guess_format(path)
    if fmt == "pylock":  # a TOML file: pipx's and pixi's manifests are told by their tables
        from pyshelf.manifest.foreign import read_foreign

        foreign = read_foreign(text, str(path), added_at)
        if foreign is not None:
            return foreign
    parser = {"requirements": parse_requirements_file, "pylock": parse_pylock,
              "json": parse_json_export}[fmt]
    return parser(text, str(path), added_at)
