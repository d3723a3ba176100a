"""Apps and packages installed by other tools, found from their own records on disk.

``pyshelf adopt --from`` moves them onto the shelf. Each tool keeps a record next to what it
installed, so nothing is guessed and no other tool needs to be on PATH to find them:

- pipx: ``$PIPX_HOME/venvs/<app>/pipx_metadata.json`` (the app, what was asked for, and the
  packages injected next to it);
- uv tool: ``$UV_TOOL_DIR/<tool>/uv-receipt.toml`` (the requirements the tool was installed
  with; the versions come from the tool's own environment);
- ``pip install --user``: the user site-packages of the shelf's interpreter, where every
  package that no other one there requires counts as asked for.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pyshelf.core.graph import dependency_edges
from pyshelf.venv import paths
from pyshelf.venv.dist_info import installed_versions, read_distributions
from pyshelf.xdg import base_dir

Tool = Literal["pipx", "uv", "user"]


@dataclass(frozen=True)
class Found:
    """One app (or, for the user site, one package asked for) another tool installed."""

    tool: Tool
    name: str  # canonical
    version: str
    spec: str  # what was asked for, e.g. 'black' or 'black>=24'
    extras: tuple[str, ...] = ()  # packages installed next to it: name==version


def _data_home(environ: Mapping[str, str]) -> Path:
    return base_dir("XDG_DATA_HOME", environ, Path.home())


def _requirement(text: str, version: str, name: str) -> str:
    """What was asked for, if it is a requirement from an index; else the exact version."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return f"{name}=={version}"
    if requirement.url or canonicalize_name(requirement.name) != name:
        return f"{name}=={version}"
    requirement.name = name
    return str(requirement)


def pipx_apps(environ: Mapping[str, str]) -> list[Found]:
    homes = [Path(environ["PIPX_HOME"])] if environ.get("PIPX_HOME") else [
        _data_home(environ) / "pipx", Path.home() / ".local" / "pipx"]
    found = []
    for home in homes:
        for record in sorted((home / "venvs").glob("*/pipx_metadata.json")):
            try:
                data: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
                main = data["main_package"]
                name = canonicalize_name(main["package"])
                version = str(main["package_version"])
                injected = [f"{canonicalize_name(p['package'])}=={p['package_version']}"
                            for p in data.get("injected_packages", {}).values()]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            spec = _requirement(str(main.get("package_or_url", name)), version, name)
            found.append(Found("pipx", name, version, spec, tuple(injected)))
        if found:
            break
    return found


def uv_tools(environ: Mapping[str, str]) -> list[Found]:
    tools = Path(environ.get("UV_TOOL_DIR") or _data_home(environ) / "uv" / "tools")
    found = []
    for receipt in sorted(tools.glob("*/uv-receipt.toml")):
        versions = _environment_versions(receipt.parent)
        try:
            requirements = _load_toml(receipt)["tool"]["requirements"]
            asked = [(canonicalize_name(r["name"]), r) for r in requirements]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not asked or asked[0][0] not in versions:
            continue
        name, main = asked[0]
        spec = _requirement(f"{name}{main.get('specifier', '')}", versions[name], name)
        extras = tuple(f"{n}=={versions[n]}" for n, _ in asked[1:] if n in versions)
        found.append(Found("uv", name, versions[name], spec, extras))
    return found


def user_packages(user_site: Path, marker_env: Mapping[str, str]) -> list[Found]:
    """What ``pip install --user`` put there: each package nothing else there requires."""
    if not user_site.is_dir():
        return []
    dists = read_distributions(user_site)
    edges = dependency_edges(dists, [], marker_env)
    required = {edge.requires for edge in edges}
    return [Found("user", d.name, d.version, d.name) for d in dists if d.name not in required]


def _environment_versions(venv: Path) -> dict[str, str]:
    found = paths.site_packages(venv)
    return installed_versions(found) if found else {}


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib.loads(path.read_text(encoding="utf-8"))


def uninstall_command(found: Found, uv: str, python: str) -> list[str]:
    """The old tool's own way to remove what was moved."""
    if found.tool == "pipx":
        return ["pipx", "uninstall", found.name]
    if found.tool == "uv":
        return [uv, "tool", "uninstall", found.name]
    return [python, "-m", "pip", "uninstall", "--yes", found.name]


def without_pip_guard(environ: Mapping[str, str]) -> dict[str, str]:
    """pip refuses to touch a user site under PEP 668 unless told; removing what was moved
    onto the shelf is what the person asked for."""
    return {**environ, "PIP_BREAK_SYSTEM_PACKAGES": "1"}
