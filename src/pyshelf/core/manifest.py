"""The shelf's manifest as plain records: what ``shelf.toml`` says, checked, and how it maps
onto intent entries, isolated apps, exposure choices and settings.

This part never sees TOML text: it is handed the values a TOML parser produced and answers
with a :class:`Manifest`, or with a :class:`ManifestProblem` that names where in the values
the trouble is (the document layer turns that into a line and a column). So what a manifest
means is decided in one place, and tested without files.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Mapping, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from pyshelf.core.model import IntentEntry, IsolatedApp
from pyshelf.core.spec_errors import plain_reason

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from pyshelf.core.model import RequirementKind

FORMAT_VERSION = 1
# The settings a manifest carries, as the file spells them -> the shelf's setting. They are
# the ones that decide what a shelf resolves to; places on this machine (bin_dir, the shell
# config) and credentials stay out of a file meant to be shared.
SETTING_KEYS = {
    "python": "python",
    "index-url": "index_url",
    "extra-index-urls": "extra_index_urls",
    "system-site-packages": "system_site_packages",
    "expose": "expose",
}
TOP_KEYS = ("version", *SETTING_KEYS, "packages")
ENTRY_KEYS = ("requirement", "path", "editable", "isolated", "with", "expose", "kept")

Place = tuple[str | int, ...]
"""Where in the document a value is: keys and array positions from the top."""


class ManifestProblem(ValueError):
    """What is wrong, worded to follow the place (``shelf.toml, line 4, column 5: ...``)."""

    def __init__(self, place: Place, message: str) -> None:
        super().__init__(message)
        self.place = place
        self.message = message


class ManifestEntry(NamedTuple):
    """One package the manifest asks for.

    ``name`` is canonical, or "" for a project folder listed by path alone (its name is in
    its built metadata). ``requirement`` is the normalised PEP 508 requirement; for a path
    entry it is the name with its extras. ``expose`` is True (the default), False (hidden),
    or the only commands linked."""

    name: str
    requirement: str
    path: str | None = None  # absolute: a project folder or a wheel file
    editable: bool = False
    isolated: bool = False
    with_specs: tuple[str, ...] = ()
    expose: bool | tuple[str, ...] = True
    kept: bool = False  # a dependency kept at its version (remove --keep-orphans)

    @property
    def key(self) -> str:
        """How two descriptions of one entry find each other."""
        return self.name or f"path:{self.path}"

    @property
    def kind(self) -> RequirementKind:
        from packaging.requirements import Requirement

        if self.path is None:
            return "url" if Requirement(self.requirement).url else "index"
        if self.editable:
            return "editable"
        return "wheel" if self.path.endswith(".whl") else "local"


class Manifest(NamedTuple):
    entries: tuple[ManifestEntry, ...] = ()
    settings: Mapping[str, str] = {}  # setting -> stored form

    def by_key(self) -> dict[str, ManifestEntry]:
        return {entry.key: entry for entry in self.entries}


# The settings' defaults, which a manifest need not state: absent and default are one.
_DEFAULTS = {"system_site_packages": "false", "expose": "path", "extra_index_urls": ""}


def without_defaults(settings: Mapping[str, str | None]) -> dict[str, str]:
    return {key: value for key, value in settings.items()
            if value is not None and _DEFAULTS.get(key) != value}


def is_version_request(text: str) -> bool:
    """Whether a manifest's python is a version ("3.12", ">=3.11") rather than an
    interpreter (a path, or a name on PATH)."""
    return bool(text) and (text[0].isdigit() or text[0] in "<>=!~")


def version_met(request: str, version: str) -> bool:
    """Whether the interpreter ``version`` is what ``request`` asks for: "3.12" means any
    3.12, "3.12.4" that release, and a specifier such as ">=3.11" what it allows. A request
    that is the very minor written as pyshelf writes it ("3.12" for 3.12.1) is met as it
    stands: every change reads that one from the manifest it wrote."""
    if request == minor(version):
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    spec = request if request[0] in "<>=!~" else (
        f"=={request}.*" if request.count(".") == 1 else f"=={request}")
    try:
        return SpecifierSet(spec).contains(version, prereleases=True)
    except InvalidSpecifier:
        return False


def minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


# -------------------------------------------------------------------------- reading

class RequirementForms:
    """Requirement strings read before, each with its canonical name and normal form, as
    packaging told them: a manifest's lines are mostly the ones the last change wrote, and
    telling them again would cost every change packaging's import (a fifth of a removal)
    to learn what is known. Only requirements of the index are kept (a URL's form depends
    on more than its text); :attr:`used` is what the last read asked for, the forms worth
    keeping."""

    def __init__(self, known: Mapping[str, tuple[str, str]] | None = None,
                 pythons: Collection[str] = ()) -> None:
        self.known = dict(known or {})
        self.used: dict[str, tuple[str, str]] = {}
        self.pythons = set(pythons)  # python requests that are valid specifiers

    def get(self, text: str) -> tuple[str, str] | None:
        form = self.known.get(text)
        if form is not None:
            self.used[text] = form
        return form

    def learn(self, text: str, requirement: Requirement) -> None:
        if requirement.url is None:
            self.used[text] = self.known[text] = (requirement.name, str(requirement))


def read_manifest(data: Mapping[str, object], *, base: str, home: str,
                  forms: RequirementForms | None = None) -> Manifest:
    """The manifest ``data`` (a parsed TOML document) describes. Relative paths start from
    ``base`` (the manifest's folder, so a dotfiles checkout can name projects beside it) and
    ``~`` is ``home``. A requirement ``forms`` knows is taken as it says, and one read is
    added to it."""
    forms = forms if forms is not None else RequirementForms()
    for key in data:
        if key not in TOP_KEYS:
            raise ManifestProblem((key,), f"'{key}' is not a manifest field (the fields are "
                                          f"{', '.join(TOP_KEYS)})")
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ManifestProblem(("version",), f"version {version!r} is not a manifest version "
                                            f"this pyshelf reads (it reads {FORMAT_VERSION})")
    settings = without_defaults({SETTING_KEYS[key]: _setting(key, data[key], forms)
                                 for key in SETTING_KEYS if key in data})
    raw = data.get("packages", [])
    if not isinstance(raw, list):
        raise ManifestProblem(("packages",), "packages must be a list of requirements")
    entries = [_entry(item, ("packages", index), base, home, forms)
               for index, item in enumerate(raw)]
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if entry.key in seen:
            raise ManifestProblem(("packages", index),
                                  f"'{entry.name or entry.path}' is listed twice; list each "
                                  "package once")
        seen[entry.key] = index
    return Manifest(tuple(entries), settings)


def _setting(key: str, value: object, forms: RequirementForms) -> str:
    if key == "extra-index-urls":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ManifestProblem((key,), f"{key} must be a list of URLs")
        return " ".join(value)
    if key == "system-site-packages":
        if not isinstance(value, bool):
            raise ManifestProblem((key,), f"{key} must be true or false")
        return "true" if value else "false"
    if not isinstance(value, str) or not value.strip():
        raise ManifestProblem((key,), f"{key} must be a string")
    if key == "expose" and value not in ("path", "apps"):
        raise ManifestProblem((key,), f"expose must be \"path\" or \"apps\", not {value!r}")
    if key == "python" and is_version_request(value.strip()) and value not in forms.pythons:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            SpecifierSet(value if value[0] in "<>=!~" else f"=={value}")
        except InvalidSpecifier:
            raise ManifestProblem((key,), f"python must be a version such as \"3.12\", a "
                                          f"specifier or an interpreter, not {value!r}"
                                  ) from None
        forms.pythons.add(value)
    return value.strip()


def _entry(item: object, place: Place, base: str, home: str, forms: RequirementForms
           ) -> ManifestEntry:
    if isinstance(item, str):
        return _from_requirement(item, place, base, home, forms)
    if not isinstance(item, Mapping):
        raise ManifestProblem(place, "each package is a requirement string or a table such "
                                     "as { requirement = \"black\", isolated = true }")
    for key in item:
        if key not in ENTRY_KEYS:
            raise ManifestProblem((*place, key), f"'{key}' is not a package field (the "
                                                 f"fields are {', '.join(ENTRY_KEYS)})")
    text = _text(item, "requirement", place)
    path = _text(item, "path", place)
    if text is None and path is None:
        raise ManifestProblem(place, "a package table needs a requirement or a path")
    entry = (_from_requirement(text, (*place, "requirement"), base, home, forms)
             if text is not None else ManifestEntry(name="", requirement=""))
    if path is not None:
        entry = _with_path(entry, path, (*place, "path"), base, home)
    editable, isolated = _flag(item, "editable", place), _flag(item, "isolated", place)
    kept = _flag(item, "kept", place)
    with_specs = _with_specs(item, place, forms)
    expose = _expose(item, place)
    if editable and (entry.path is None or entry.path.endswith(".whl")):
        raise ManifestProblem((*place, "editable"), "editable needs the path of a project "
                                                    "folder")
    if with_specs and not isolated:
        raise ManifestProblem((*place, "with"), "with adds packages next to an isolated app; "
                                                "add isolated = true")
    if isolated and (entry.path is not None or kept):
        raise ManifestProblem((*place, "isolated"), "an isolated app is a requirement from "
                                                    "the index or a URL, not a path or a "
                                                    "kept dependency")
    if kept and entry.path is not None:
        raise ManifestProblem((*place, "kept"), "a kept dependency is a requirement from the "
                                                "index, not a path")
    return entry._replace(editable=editable, isolated=isolated, kept=kept,
                   with_specs=with_specs, expose=expose)


def _text(item: Mapping[str, object], key: str, place: Place) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise ManifestProblem((*place, key), f"{key} must be a string")
    return value


def _flag(item: Mapping[str, object], key: str, place: Place) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise ManifestProblem((*place, key), f"{key} must be true or false")
    return value


def _with_specs(item: Mapping[str, object], place: Place, forms: RequirementForms
                ) -> tuple[str, ...]:
    raw = item.get("with", [])
    if not isinstance(raw, list):
        raise ManifestProblem((*place, "with"), "with must be a list of requirements")
    specs = []
    for index, text in enumerate(raw):
        where = (*place, "with", index)
        if not isinstance(text, str):
            raise ManifestProblem(where, "with must be a list of requirement strings")
        specs.append(_normal_form(text, where, forms)[1])
    return tuple(specs)


def _expose(item: Mapping[str, object], place: Place) -> bool | tuple[str, ...]:
    raw = item.get("expose", True)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, list) and all(isinstance(c, str) and c.strip() for c in raw):
        return tuple(str(c).strip() for c in raw)
    raise ManifestProblem((*place, "expose"), "expose must be true, false or a list of "
                                              "command names")


def learn_written(manifest: Manifest, forms: RequirementForms) -> None:
    """Add to ``forms`` the requirements ``manifest`` is written with, so that the next
    read of the file finds its new lines known too (a change that adds one has packaging
    loaded already; one that only removes asks it nothing)."""
    for entry in manifest.entries:
        for text in (entry.requirement, *entry.with_specs):
            if text:
                _normal_form(text, (), forms)


def _normal_form(text: str, place: Place, forms: RequirementForms) -> tuple[str, str]:
    """The canonical name and normal form of an index requirement (or of a URL one, which
    is not kept)."""
    known = forms.get(text.strip())
    if known is not None:
        return known
    requirement = _requirement(text, place)
    forms.learn(text.strip(), requirement)
    return requirement.name, str(requirement)


def _requirement(text: str, place: Place) -> Requirement:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    stripped = text.strip()
    try:
        requirement = Requirement(stripped)
        canonicalize_name(requirement.name, validate=True)
    except (InvalidRequirement, ValueError) as exc:
        reason = plain_reason(stripped, str(exc).splitlines()[0]) if stripped else "it is empty"
        raise ManifestProblem(place, f"'{stripped}' is not a valid requirement: "
                                     f"{reason}") from exc
    requirement.name = canonicalize_name(requirement.name)
    return requirement


def _from_requirement(text: str, place: Place, base: str, home: str,
                      forms: RequirementForms) -> ManifestEntry:
    known = forms.get(text.strip())
    if known is not None:
        return ManifestEntry(*known)
    requirement = _requirement(text, place)
    forms.learn(text.strip(), requirement)
    url = requirement.url
    if url is not None and url.startswith("file:"):
        requirement.url = None  # a file: URL is a path entry, spelled the one way
        return _with_path(ManifestEntry(requirement.name, str(requirement)),
                          _file_url_path(url, place), place, base, home)
    return ManifestEntry(requirement.name, str(requirement))


def _file_url_path(url: str, place: Place) -> str:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise ManifestProblem(place, f"{url} is not a file: URL of an absolute path")
    return unquote(parts.path)


def _with_path(entry: ManifestEntry, path: str, place: Place, base: str, home: str
               ) -> ManifestEntry:
    if not path.strip():
        raise ManifestProblem(place, "path must not be empty")
    from packaging.requirements import Requirement

    if entry.requirement and Requirement(entry.requirement).url:
        raise ManifestProblem(place, "give either a path or a URL requirement, not both")
    return entry._replace(path=absolute(path.strip(), base, home))


def absolute(path: str, base: str, home: str) -> str:
    """``path`` as an absolute, normalised path: ``~`` is ``home``, a relative path starts
    from ``base``."""
    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    return posixpath.normpath(posixpath.join(base, path))


def as_written(path: str, home: str) -> str:
    """How a path is written into a manifest: under ``home`` with ``~``, so the file means
    the same on a machine where the home folder is elsewhere."""
    inside = PurePosixPath(path)
    if inside.is_relative_to(home) and inside != PurePosixPath(home):
        return "~/" + str(inside.relative_to(home))
    return path


def fill_names(manifest: Manifest, names_by_path: Mapping[str, str]) -> Manifest:
    """The manifest with the names of path entries that are listed by path alone, where
    ``names_by_path`` knows them (the shelf's own path entries, or the built metadata)."""
    def named(entry: ManifestEntry) -> ManifestEntry:
        name = names_by_path.get(entry.path or "") if not entry.name else None
        return entry._replace(name=name, requirement=name) if name else entry

    return manifest._replace(entries=tuple(named(e) for e in manifest.entries))


# -------------------------------------------------------------------------- the shelf's side

def from_shelf(intent: Sequence[IntentEntry], isolated: Sequence[IsolatedApp],
               exposure: Mapping[tuple[str, str], bool],
               commands: Mapping[str, Collection[str]], settings: Mapping[str, str]
               ) -> Manifest:
    """The manifest a shelf's state is: its intent and isolated apps in the order they
    came, their exposure choices (a hidden package with the commands still linked, as
    their list), and the settings in their stored form."""
    entries = []
    for item in intent:
        spec, path = item.spec, None
        if item.kind in ("local", "editable", "wheel"):
            spec, path = item.name, item.source_path
        entries.append(ManifestEntry(item.name, spec, path, editable=item.kind == "editable",
                                     expose=_exposed(item.name, exposure, commands),
                                     kept=item.role == "kept"))
    entries += [ManifestEntry(app.name, app.spec, isolated=True, with_specs=app.with_specs,
                              expose=_exposed(app.name, exposure, commands))
                for app in isolated]
    return Manifest(tuple(entries), without_defaults(settings))


def _exposed(name: str, exposure: Mapping[tuple[str, str], bool],
             commands: Mapping[str, Collection[str]]) -> bool | tuple[str, ...]:
    if exposure.get(("package", name)) is not False:
        return True
    shown = tuple(sorted(c for c in commands.get(name, ())
                         if exposure.get(("command", c)) is True))
    return shown or False


def intent_of(manifest: Manifest, current: Sequence[IntentEntry], added_at: str
              ) -> list[IntentEntry]:
    """The intent entries of the manifest's packages on the shelf itself (named ones: a
    path entry is named by :func:`fill_names` first). An entry asked for before keeps the
    date it was first asked for."""
    from packaging.requirements import Requirement

    dates = {entry.name: entry.added_at for entry in current}
    result = []
    for entry in manifest.entries:
        if entry.isolated:
            continue
        spec, source = entry.requirement, Requirement(entry.requirement).url
        if entry.path is not None:
            spec, source = f"{entry.name} @ {PurePosixPath(entry.path).as_uri()}", entry.path
        result.append(IntentEntry(entry.name, spec, entry.kind,
                                  "kept" if entry.kept else "explicit", source,
                                  dates.get(entry.name, added_at)))
    return result


def isolated_of(manifest: Manifest, current: Sequence[IsolatedApp], added_at: str
                ) -> list[IsolatedApp]:
    """The isolated apps the manifest asks for; one that is unchanged keeps its built
    environment, so a sync does not rebuild it."""
    known = {app.name: app for app in current}
    apps = []
    for entry in manifest.entries:
        if not entry.isolated:
            continue
        app = IsolatedApp(entry.name, entry.requirement, entry.with_specs, added_at)
        before = known.get(entry.name)
        apps.append(before if before is not None and before.same_request(app) else
                    app._replace(added_at=before.added_at if before else added_at))
    return apps


def exposure_changes(manifest: Manifest, commands: Mapping[str, Collection[str]],
                     exposure: Mapping[tuple[str, str], bool]
                     ) -> dict[tuple[str, str], bool | None]:
    """The exposure choices that make the shelf's agree with the manifest's packages
    (None forgets a choice). Choices about packages the manifest does not list (a
    dependency exposed on purpose) are left alone."""
    changes: dict[tuple[str, str], bool | None] = {}
    for entry in manifest.entries:
        if not entry.name:
            continue
        want_package = None if entry.expose is True else False
        if exposure.get(("package", entry.name)) != want_package:
            changes[("package", entry.name)] = want_package
        listed = set(entry.expose) if isinstance(entry.expose, tuple) else set()
        for command in {*commands.get(entry.name, ()), *listed}:
            want = True if command in listed else None
            if (exposure.get(("command", command)) is True) != (want is True):
                changes[("command", command)] = want
    return changes


# -------------------------------------------------------------------------- comparing

def same_entries(a: Manifest, b: Manifest) -> bool:
    return a.by_key() == b.by_key()


def same_settings(a: Manifest, b: Manifest, *, python_matches: bool) -> bool:
    """Settings agree when every setting but ``python`` is equal (absent means the
    default) and the manifest's python request is met (``python_matches``, decided by
    whoever knows the interpreter)."""
    def others(m: Manifest) -> dict[str, str]:
        return {k: v for k, v in m.settings.items() if k != "python" and v}

    return others(a) == others(b) and python_matches


def applied(on_disk: Manifest, before: Manifest, after: Manifest) -> Manifest:
    """``on_disk`` with the change from ``before`` to ``after`` made to it: what a change
    writes into a file someone edited since pyshelf last wrote it. The edits stay, and
    so does everything the change did not touch."""
    old, new = before.by_key(), after.by_key()
    entries = {entry.key: entry for entry in on_disk.entries}
    for key in old.keys() - new.keys():
        entries.pop(key, None)
    for key, entry in new.items():
        if old.get(key) != entry:
            entries[key] = entry
    settings = dict(on_disk.settings)
    for key in before.settings.keys() | after.settings.keys():
        if before.settings.get(key) != after.settings.get(key):
            if key in after.settings:
                settings[key] = after.settings[key]
            else:
                settings.pop(key, None)
    return Manifest(tuple(entries.values()), settings)


def differences(on_disk: Manifest, shelf: Manifest) -> list[str]:
    """What the file asks for that the shelf does not hold, and the other way round, one
    short phrase each, for status and doctor."""
    file_entries, shelf_entries = on_disk.by_key(), shelf.by_key()
    found = [f"+{file_entries[key].name or file_entries[key].path}"
             for key in file_entries if key not in shelf_entries]
    found += [f"-{shelf_entries[key].name}" for key in shelf_entries if key not in file_entries]
    found += [f"~{key}" for key in file_entries
              if key in shelf_entries and file_entries[key] != shelf_entries[key]]
    for key in sorted(on_disk.settings.keys() | shelf.settings.keys()):
        if key != "python" and on_disk.settings.get(key) != shelf.settings.get(key):
            found.append(f"setting {key}")
    return found
