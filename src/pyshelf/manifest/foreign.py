"""Other tools' manifests, for ``pyshelf import``: pipx's ``pipx.toml`` and the PyPI
entries of a pixi-global manifest, told apart from a PEP 751 lock by what they hold.

Each maps onto what pyshelf asks for as far as it can; whatever has no counterpart on a
shelf is named in one note, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyshelf.core.lockfile import load_toml
from pyshelf.errors import UsageError
from pyshelf.export_formats import Imported, requested_entry

# pipx tool fields pyshelf has no counterpart for: every app shares the shelf, its
# commands all linked, and the shelf keeps its own lock.
_PIPX_UNMAPPED = ("suffix", "apps", "include-dependencies", "include-resources-from",
                  "expose", "lock")
_PIXI_UNMAPPED = ("channels", "exposed", "platform", "shortcuts")


def read_foreign(text: str, source: str, added_at: str) -> Imported | None:
    """The import a pipx or pixi-global manifest describes, or None for any other TOML
    (a pylock, read as before)."""
    try:
        data = load_toml(text)
    except ValueError:
        return None
    tool = data.get("tool")
    if "dependency-groups" in data and isinstance(tool, dict) and "pipx" in tool:
        return _pipx(data, source, added_at)
    if isinstance(data.get("envs"), dict) and "lock-version" not in data:
        return _pixi(data["envs"], source, added_at)
    return None


def _pipx(data: Mapping[str, Any], source: str, added_at: str) -> Imported:
    groups = data["dependency-groups"]
    tools = data["tool"]["pipx"].get("tools", {})
    if not isinstance(groups, dict) or not isinstance(tools, dict):
        raise UsageError(f"{source}: dependency-groups and tool.pipx.tools must be tables.")
    intent, unmapped = [], []
    for group, requirements in groups.items():
        where = f"{source}, dependency group {group}"
        if not isinstance(requirements, list) or not all(isinstance(r, str)
                                                         for r in requirements):
            raise UsageError(f"{where}: a group is a list of requirement strings.")
        intent += [requested_entry(text, where, added_at) for text in requirements]
        settings = tools.get(group, {})
        unmapped += [f"{group}.{key}" for key in _PIPX_UNMAPPED
                     if isinstance(settings, dict) and key in settings]
    notes = [f"{source}: pyshelf has no counterpart for {', '.join(unmapped)}; every app "
             "shares the shelf, with all its commands, and the shelf keeps its own lock."
             ] if unmapped else []
    return Imported(intent=_unique(intent, source), notes=notes)


def _pixi(envs: Mapping[str, Any], source: str, added_at: str) -> Imported:
    intent, conda, unmapped = [], [], []
    for env, table in envs.items():
        if not isinstance(table, dict):
            raise UsageError(f"{source}: envs.{env} must be a table.")
        conda += sorted(table.get("dependencies", {}))
        unmapped += [f"envs.{env}.{key}" for key in _PIXI_UNMAPPED if key in table]
        for name, spec in table.get("pypi-dependencies", {}).items():
            where = f"{source}, envs.{env}.pypi-dependencies.{name}"
            intent.append(requested_entry(_pypi_requirement(name, spec, where), where,
                                          added_at))
    notes = []
    if conda:
        notes.append(f"{source}: the conda packages {', '.join(conda)} are not imported: "
                     "they come from conda channels, not a Python package index.")
    if unmapped:
        notes.append(f"{source}: pyshelf has no counterpart for {', '.join(unmapped)}.")
    return Imported(intent=_unique(intent, source), notes=notes)


def _pypi_requirement(name: str, spec: object, where: str) -> str:
    """pixi's ``name = "specifier"`` or ``name = { version, extras, url, path }`` as a PEP
    508 requirement."""
    if isinstance(spec, str):
        return name if spec.strip() in ("", "*") else f"{name}{spec}"
    if not isinstance(spec, dict):
        raise UsageError(f"{where}: a PyPI dependency is a version string or a table.")
    if "git" in spec or "path" in spec:
        raise UsageError(f"{where}: a git or path dependency cannot be imported; install it "
                         "with `pyshelf install` instead.")
    extras = spec.get("extras", [])
    named = f"{name}[{','.join(extras)}]" if extras else name
    if "url" in spec:
        return f"{named} @ {spec['url']}"
    version = str(spec.get("version", "*"))
    return named if version.strip() in ("", "*") else f"{named}{version}"


def _unique(intent: list[Any], source: str) -> list[Any]:
    from pyshelf.core.specs import unique_by_name

    return unique_by_name(intent, source)
